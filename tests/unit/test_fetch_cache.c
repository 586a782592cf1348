/* The instruction fetch (svm_fetch_bytes, svm/emul/gva.c) with its one-entry translation cache:
 * every fetch must give the bytes a fresh walk of the guest's page tables gives now, whatever
 * the guest changed in between without telling anyone (a paging entry rewritten, CR3/CR0/CR4/
 * EFER changed, a page unmapped).
 *
 * Page-table formats: AMD APM vol. 2, 5.3 "Long-Mode Page Translation" (4 levels of 8-byte
 * entries, index bits 47:39, 38:30, 29:21, 20:12; PS in a PDE maps 2 MiB), 5.2 "Legacy-Mode
 * Page Translation" (32-bit: 4-byte PDEs/PTEs indexed by bits 31:22 and 21:12; with CR4.PSE a
 * PDE with PS maps 4 MiB), P = bit 0, PS = bit 7. Encodings: CPUID 0F A2, HLT F4, RDMSR 0F 32
 * (APM vol. 3, appendix A). */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <setjmp.h>
#include <cmocka.h>
#include "svm_fixture.h"
#include "svm/emul/gva.h"
#include "svm/cr_shadow_exit.h"
#include "svm/exit.h"
#include "svm/exit_codes.h"
#include "svm/exit_table.h"

#define P 0x1ULL
#define RW 0x2ULL
#define PS 0x80ULL

/* Guest physical layout inside the fixture's 1 MiB. */
#define PML4 0x10000
#define PDPT 0x11000
#define PD 0x12000
#define PT 0x13000
#define PML4_B 0x14000 /* a second hierarchy for the CR3 switch */
#define PDPT_B 0x15000
#define PD_B 0x16000
#define PT_B 0x17000
#define CODE_A 0x20000
#define CODE_B 0x21000
#define CODE_C 0x22000
#define CODE_D 0x23000
#define LIN 0x400000ULL /* linear address of the code page: PML4[0] PDPT[0] PD[2] PT[0] */

static struct svm_fx *f;

static void put64(u64 gpa, u64 val)
{
	memcpy(f->ram + gpa, &val, 8);
}

static void put32(u64 gpa, u32 val)
{
	memcpy(f->ram + gpa, &val, 4);
}

static void put_bytes(u64 gpa, const u8 *b, unsigned n)
{
	memcpy(f->ram + gpa, b, n);
}

static const u8 cpuid_insn[] = { 0x0F, 0xA2 };
static const u8 hlt_insn[] = { 0xF4 };
static const u8 rdmsr_insn[] = { 0x0F, 0x32 };

/* 64-bit mode, RIP = LIN, mapped by the first hierarchy to CODE_A. */
static void long_mode(void)
{
	struct vmcb_save *s = &f->vmcb->save;
	put64(PML4, PDPT | P | RW);
	put64(PDPT, PD | P | RW);
	put64(PD + 2 * 8, PT | P | RW);
	put64(PT, CODE_A | P | RW);
	put64(PML4_B, PDPT_B | P | RW);
	put64(PDPT_B, PD_B | P | RW);
	put64(PD_B + 2 * 8, PT_B | P | RW);
	put64(PT_B, CODE_C | P | RW);
	put_bytes(CODE_A, cpuid_insn, 2);
	put_bytes(CODE_B, hlt_insn, 1);
	put_bytes(CODE_C, rdmsr_insn, 2);
	s->cr0 = CR0_PE | CR0_PG | CR0_ET;
	s->cr4 = CR4_PAE;
	s->efer = EFER_LME | EFER_LMA | EFER_SVME;
	s->cr3 = PML4;
	s->cs.attrib = 0xB | SVM_SEG_S | SVM_SEG_P | SVM_SEG_L | SVM_SEG_G;
	s->rip = LIN;
}

static unsigned fetch(u8 bytes[SVM_INSN_MAX_LEN])
{
	enum svm_cpu_mode mode;
	memset(bytes, 0xCC, SVM_INSN_MAX_LEN);
	return svm_fetch_bytes(&f->v, bytes, &mode);
}

static void expect_first(const u8 *want, unsigned n)
{
	u8 b[SVM_INSN_MAX_LEN];
	assert_int_equal(fetch(b), SVM_INSN_MAX_LEN);
	assert_memory_equal(b, want, n);
}

static int setup(void **state)
{
	(void)state;
	f = sf_new(false);
	long_mode();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sf_free(f);
	return 0;
}

static void same_page_twice(void **state)
{
	(void)state;
	expect_first(cpuid_insn, 2);
	expect_first(cpuid_insn, 2);
	/* The guest rewrites the instruction bytes themselves: seen at once. */
	put_bytes(CODE_A, rdmsr_insn, 2);
	expect_first(rdmsr_insn, 2);
}

static void pte_rewritten_without_invalidation(void **state)
{
	(void)state;
	expect_first(cpuid_insn, 2);
	put64(PT, CODE_B | P | RW);
	expect_first(hlt_insn, 1);
	put64(PT, CODE_A | P | RW);
	expect_first(cpuid_insn, 2);
}

static void upper_level_rewritten(void **state)
{
	(void)state;
	expect_first(cpuid_insn, 2);
	/* PD[2] becomes a 2 MiB page at 0 (PS): LIN 0x400000 -> GPA 0 + 0, where HLT is put. */
	put_bytes(0, hlt_insn, 1);
	put64(PD + 2 * 8, 0 | P | RW | PS);
	expect_first(hlt_insn, 1);
}

static void page_unmapped(void **state)
{
	(void)state;
	u8 b[SVM_INSN_MAX_LEN];
	expect_first(cpuid_insn, 2);
	put64(PT, CODE_A); /* P clear */
	assert_int_equal(fetch(b), 0);
	put64(PT, CODE_A | P);
	expect_first(cpuid_insn, 2);
}

static void cr3_switch(void **state)
{
	(void)state;
	expect_first(cpuid_insn, 2);
	f->vmcb->save.cr3 = PML4_B;
	expect_first(rdmsr_insn, 2);
	f->vmcb->save.cr3 = PML4;
	expect_first(cpuid_insn, 2);
}

static void paging_turned_off(void **state)
{
	(void)state;
	expect_first(cpuid_insn, 2);
	/* Protected mode without paging: linear = physical, so RIP = CODE_B reads CODE_B. */
	struct vmcb_save *s = &f->vmcb->save;
	s->cr0 = CR0_PE | CR0_ET;
	s->efer = EFER_SVME;
	s->cs.attrib = SF_CS32_ATTRIB;
	s->rip = CODE_B;
	expect_first(hlt_insn, 1);
}

/* EFER.LMA alone picks the walk (APM vol. 2, 5.1: with CR4.PAE and CR0.PG, LMA = 1 is the
 * 4-level long-mode walk, LMA = 0 the 3-level PAE walk): with LMA clear, CR3 names four
 * PDPTEs, and PDPTE 0 (the PML4 entry, pointing at PDPT) is used as the page directory, whose
 * entry 2 (LIN bits 29:21) is empty, so nothing is fetched. */
static void lma_alone_changes_the_walk(void **state)
{
	(void)state;
	expect_first(cpuid_insn, 2);
	struct vmcb_save *s = &f->vmcb->save;
	s->efer = EFER_LME | EFER_SVME;
	s->cs.attrib = SF_CS32_ATTRIB;
	u8 b[SVM_INSN_MAX_LEN];
	assert_int_equal(fetch(b), 0);
	s->efer = EFER_LME | EFER_LMA | EFER_SVME;
	expect_first(cpuid_insn, 2);
}

/* 32-bit paging with CR4.PSE, 32-bit code. PDE[1] (LIN 0x400000): PS set, frame 0. With
 * CR4.PSE it maps a 4 MiB page at GPA 0, so the fetch reads GPA 0; without, bits 31:12 name a
 * page table at GPA 0 whose entry 0 (LIN bits 21:12 = 0) is the same dword, 0x21001: CODE_B,
 * present. */
static struct vmcb_save *legacy_pse_map(void)
{
	struct vmcb_save *s = &f->vmcb->save;
	s->efer = EFER_SVME;
	s->cr4 = CR4_PSE;
	s->cs.attrib = SF_CS32_ATTRIB;
	s->cr3 = PD;
	memset(f->ram + PD, 0, PAGE_SIZE);
	put32(PD + 1 * 4, (u32)(0 | P | RW | PS));
	put32(0, (u32)(CODE_B | P));
	return s;
}

/* 32-bit paging, 4-byte entries: a PDE with PS maps 4 MiB only while CR4.PSE is set. */
static void legacy_pse_toggle(void **state)
{
	(void)state;
	struct vmcb_save *s = legacy_pse_map();
	const u8 pte_bytes[] = { 0x01, 0x10, 0x02, 0x00 };
	expect_first(pte_bytes, 4);
	s->cr4 = 0;
	expect_first(hlt_insn, 1);
	s->cr4 = CR4_PSE;
	expect_first(pte_bytes, 4);
}

/* An instruction that crosses into the next page takes the rest from that page's translation,
 * and the two pages may map anywhere. */
static void crosses_page(void **state)
{
	(void)state;
	put64(PT + 8, CODE_B | P | RW); /* LIN + 4 KiB -> CODE_B */
	f->vmcb->save.rip = LIN + PAGE_SIZE - 1;
	f->ram[CODE_A + PAGE_SIZE - 1] = 0x0F;
	f->ram[CODE_B] = 0xA2;
	u8 b[SVM_INSN_MAX_LEN];
	assert_int_equal(fetch(b), SVM_INSN_MAX_LEN);
	assert_memory_equal(b, cpuid_insn, 2);
	assert_int_equal(fetch(b), SVM_INSN_MAX_LEN);
	assert_memory_equal(b, cpuid_insn, 2);
	/* The second page goes away: only the byte before the boundary is readable. */
	put64(PT + 8, 0);
	assert_int_equal(fetch(b), 1);
	assert_int_equal(b[0], 0x0F);
}

/* 32-bit paging: 4-byte PDE and PTE. A rewritten PTE is seen whether it is the low or the
 * high half of the 8-byte word the cache compares. */
static void legacy_pte_rewritten(void **state)
{
	(void)state;
	struct vmcb_save *s = &f->vmcb->save;
	s->efer = EFER_SVME;
	s->cr4 = 0;
	s->cs.attrib = SF_CS32_ATTRIB;
	s->cr3 = PD;
	memset(f->ram + PD, 0, PAGE_SIZE);
	memset(f->ram + PT, 0, PAGE_SIZE);
	put32(PD + 1 * 4, (u32)(PT | P | RW)); /* LIN 0x400000: PD[1] */
	for (unsigned pte = 0; pte < 2; pte++) {
		s->rip = LIN + pte * PAGE_SIZE; /* PT[0], then PT[1]: the two halves of a word */
		put32(PT + pte * 4, (u32)(CODE_A | P));
		expect_first(cpuid_insn, 2);
		put32(PT + pte * 4, (u32)(CODE_B | P));
		expect_first(hlt_insn, 1);
		put32(PT + pte * 4, (u32)(CODE_A | P));
		expect_first(cpuid_insn, 2);
	}
}

/* Stepping over an intercepted CPUID (svm_skip_intercepted) after the guest rewrote the code
 * at the same RIP: the unprefixed CPUID is 2 bytes, the CS-prefixed one (2E 0F A2) 3 (APM
 * vol. 3, 1.2: a segment override on CPUID is ignored but part of the instruction), and a page
 * remapped to a HLT is not a CPUID at all. */
static void stepping_sees_rewritten_code(void **state)
{
	(void)state;
	static const u8 cs_cpuid[] = { 0x2E, 0x0F, 0xA2 };
	struct vmcb_save *s = &f->vmcb->save;
	assert_int_equal(svm_skip_intercepted(&f->v, SVM_INSN_CPUID, SVM_INSN_CPUID), SVM_RESUME);
	assert_int_equal(s->rip, LIN + 2);
	s->rip = LIN;
	put_bytes(CODE_A, cs_cpuid, sizeof(cs_cpuid));
	assert_int_equal(svm_skip_intercepted(&f->v, SVM_INSN_CPUID, SVM_INSN_CPUID), SVM_RESUME);
	assert_int_equal(s->rip, LIN + 3);
	s->rip = LIN;
	put_bytes(CODE_A, cpuid_insn, 2);
	assert_int_equal(svm_skip_intercepted(&f->v, SVM_INSN_CPUID, SVM_INSN_CPUID), SVM_RESUME);
	assert_int_equal(s->rip, LIN + 2);
	s->rip = LIN;
	put64(PT, CODE_B | P | RW);
	assert_int_equal(svm_skip_intercepted(&f->v, SVM_INSN_CPUID, SVM_INSN_CPUID), SVM_TERMINATE);
	assert_int_equal(s->rip, LIN);
}

/* ---- the exit handlers' lean step (svm/step.h) ----------------------------------------------
 * CPUID and RDMSR/WRMSR exits step over their instruction in place when the fetch cache keeps
 * RIP's page. Each test first lets one CPUID exit walk the page (the cache then keeps it), so
 * the exits after it take the lean step; they must see what a fresh walk sees. */
static const u8 cs_cpuid_insn[] = { 0x2E, 0x0F, 0xA2 }; /* CPUID with an ignored CS override: 3 bytes */

/* An exit as the run loop hands it over: the shadow registers follow the VMCB first
 * (cr_shadow_after_exit), then the handler runs. */
static enum svm_outcome run_loop_exit(void)
{
	cr_shadow_after_exit(&f->v);
	return svm_handle_exit(&f->v);
}

static enum svm_outcome cpuid_exit(u64 rip)
{
	f->vmcb->save.rip = rip;
	f->vmcb->save.rax = 0;
	f->v.gprs.rcx = 0;
	f->vmcb->control.exit_code = SVM_EXIT_CPUID;
	return run_loop_exit();
}

static void warm_cache(void)
{
	assert_int_equal(cpuid_exit(LIN), SVM_RESUME);
	assert_int_equal(f->vmcb->save.rip, LIN + 2);
	assert_int_equal(cpuid_exit(LIN), SVM_RESUME); /* the lean step, on the kept page */
	assert_int_equal(f->vmcb->save.rip, LIN + 2);
}

/* A remapped page, rewritten bytes, a rewritten upper-level entry and another CR3: each gives
 * the length of the instruction there now (APM vol. 3, 1.2: a segment override on CPUID is
 * part of the instruction). */
static void lean_step_sees_remap_and_rewrite(void **state)
{
	(void)state;
	warm_cache();
	put_bytes(CODE_D, cs_cpuid_insn, sizeof(cs_cpuid_insn));
	put64(PT, CODE_D | P | RW); /* the PTE now maps the prefixed CPUID */
	assert_int_equal(cpuid_exit(LIN), SVM_RESUME);
	assert_int_equal(f->vmcb->save.rip, LIN + 3);
	put64(PT, CODE_A | P | RW);
	assert_int_equal(cpuid_exit(LIN), SVM_RESUME);
	assert_int_equal(f->vmcb->save.rip, LIN + 2);
	put_bytes(CODE_A, cs_cpuid_insn, sizeof(cs_cpuid_insn)); /* the code itself rewritten */
	assert_int_equal(cpuid_exit(LIN), SVM_RESUME);
	assert_int_equal(f->vmcb->save.rip, LIN + 3);
	put_bytes(CODE_A, cpuid_insn, 2);
	f->ram[CODE_A + 2] = 0x90;
	assert_int_equal(cpuid_exit(LIN), SVM_RESUME);
	assert_int_equal(f->vmcb->save.rip, LIN + 2);
	/* PD[2] becomes a 2 MiB page at GPA 0, where the prefixed CPUID is put. */
	put_bytes(0, cs_cpuid_insn, sizeof(cs_cpuid_insn));
	put64(PD + 2 * 8, 0 | P | RW | PS);
	assert_int_equal(cpuid_exit(LIN), SVM_RESUME);
	assert_int_equal(f->vmcb->save.rip, LIN + 3);
	put64(PD + 2 * 8, PT | P | RW);
	assert_int_equal(cpuid_exit(LIN), SVM_RESUME);
	assert_int_equal(f->vmcb->save.rip, LIN + 2);
	/* The second hierarchy maps LIN to RDMSR's bytes: not a CPUID, the guest ends. */
	f->vmcb->save.cr3 = PML4_B;
	assert_int_equal(cpuid_exit(LIN), SVM_TERMINATE);
	assert_int_equal(f->vmcb->save.rip, LIN);
}

/* The effects of a step (APM vol. 2, 15.21.5: the interrupt shadow ends; 13.1.3.6: with
 * RFLAGS.TF the single-step #DB, a trap with DR6.BS = bit 14; EVENTINJ V | type 3 | vector 1 =
 * 0x80000301), and the CPU's next RIP when it gives one (NRIPS, VMCB 0xC8), cleared after use. */
static void lean_step_effects(void **state)
{
	(void)state;
	struct vmcb_save *s = &f->vmcb->save;
	warm_cache();
	f->vmcb->control.int_state = 1;
	assert_int_equal(cpuid_exit(LIN), SVM_RESUME);
	assert_int_equal(f->vmcb->control.int_state & 1, 0);
	assert_false(f->v.pending.pending);
	s->rflags = 2 | BIT(8);
	s->dr6 = 0xFFFF0FF0;
	assert_int_equal(cpuid_exit(LIN), SVM_RESUME);
	assert_int_equal(s->rip, LIN + 2);
	assert_true(f->v.pending.pending);
	assert_int_equal(f->v.pending.info, 0x80000301u);
	assert_int_equal(s->dr6, 0xFFFF4FF0);
	f->v.pending.pending = false;
	s->rflags = 2;
	f->vmcb->control.next_rip = LIN + 3; /* what a CPU with NRIPS would say for 3 bytes */
	assert_int_equal(cpuid_exit(LIN), SVM_RESUME);
	assert_int_equal(s->rip, LIN + 3);
	assert_int_equal(f->vmcb->control.next_rip, 0);
}

/* An instruction that starts in the last 3 bytes of the kept page goes to the full fetch,
 * which takes the next page's bytes from that page's own translation: 0F in the last byte,
 * then the next linear page maps CODE_C (0F 32...), so the bytes are 0F 0F, no CPUID, although
 * the host page after CODE_A (CODE_B) starts with A2. */
static void lean_step_leaves_the_page_end_to_the_fetch(void **state)
{
	(void)state;
	warm_cache();
	put64(PT + 8, CODE_C | P | RW); /* LIN + 4 KiB -> CODE_C */
	f->ram[CODE_A + PAGE_SIZE - 1] = 0x0F;
	f->ram[CODE_B] = 0xA2;
	assert_int_equal(cpuid_exit(LIN + PAGE_SIZE - 1), SVM_TERMINATE);
	assert_int_equal(f->vmcb->save.rip, LIN + PAGE_SIZE - 1);
}

/* CR0, CR4 and EFER reach the step's test (legacy code: the general one, which the lean one
 * gives way to) through the kept page's registers: a change the run loop commits (here
 * CR4.PSE, as a CR4 write the guest made) must be seen at once. 32-bit
 * paging (APM vol. 2, 5.2), RIP = LIN + 0x10. PDE[1] has PS set and frame 0: with CR4.PSE it
 * maps a 4 MiB page at GPA 0, so RIP reads GPA 0x10 (CPUID, 2 bytes); without, bits 31:12 name
 * a page table at GPA 0, whose entry 0 maps CODE_B, so RIP reads CODE_B + 0x10 (CPUID with a
 * CS override, 3 bytes). */
static void lean_step_sees_committed_cr4(void **state)
{
	(void)state;
	struct vmcb_save *s = legacy_pse_map();
	s->cr0 = CR0_PE | CR0_PG | CR0_ET;
	put_bytes(0x10, cpuid_insn, 2);
	put_bytes(CODE_B + 0x10, cs_cpuid_insn, sizeof(cs_cpuid_insn));
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < 2; i++) { /* a walk, then the lean step on the kept page */
			assert_int_equal(cpuid_exit(LIN + 0x10), SVM_RESUME);
			assert_int_equal(s->rip, LIN + 0x12);
		}
		s->cr4 = 0;
		for (int i = 0; i < 2; i++) {
			assert_int_equal(cpuid_exit(LIN + 0x10), SVM_RESUME);
			assert_int_equal(s->rip, LIN + 0x13);
		}
		s->cr4 = CR4_PSE;
	}
}

/* The lean step takes RIP as the linear address while the kept page's lean mark holds (64-bit
 * code at the walk, no commit since): a far jump between 64-bit and compatibility code (CS.L,
 * which the run loop commits) must be seen at once. CS base 0x10: ignored in 64-bit mode (APM vol. 2, 4.12.2), so RIP =
 * LIN reads CODE_A + 0 (CPUID, 2 bytes); added in compatibility mode, so it reads CODE_A +
 * 0x10 (CPUID with a CS override, 3 bytes), in the same kept page. */
static void lean_step_sees_committed_cs_l(void **state)
{
	(void)state;
	struct vmcb_save *s = &f->vmcb->save;
	put_bytes(CODE_A + 0x10, cs_cpuid_insn, sizeof(cs_cpuid_insn));
	s->cs.base = 0x10;
	u16 l64 = s->cs.attrib, compat = (u16)((s->cs.attrib & ~SVM_SEG_L) | SVM_SEG_DB);
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < 2; i++) { /* a walk, then the lean step on the kept page */
			assert_int_equal(cpuid_exit(LIN), SVM_RESUME);
			assert_int_equal(s->rip, LIN + 2);
		}
		s->cs.attrib = compat;
		for (int i = 0; i < 2; i++) {
			assert_int_equal(cpuid_exit(LIN), SVM_RESUME);
			assert_int_equal(s->rip, LIN + 3);
		}
		s->cs.attrib = l64;
	}
}

/* A vCPU whose fetch cache never held a page (zeroed, then cr_shadow_reset as every vCPU
 * gets): a CPUID exit in linear page 0, where a zeroed lean page would point, must take the
 * walk, not the lean hit of an empty cache (which would read paging entries through NULL).
 * Linear 0..4 KiB -> CODE_D through PT[0] of a second page table under PD[0]. */
static void fresh_vcpu_in_page_zero(void **state)
{
	(void)state;
	struct svm_fx *g = sf_new(false);
	struct svm_fx *keep = f;
	f = g;
	long_mode();
	put64(PD + 0 * 8, PT_B | P | RW);
	put64(PT_B + 0 * 8, CODE_D | P | RW);
	put_bytes(CODE_D + 0x10, cpuid_insn, 2);
	assert_null(f->v.fetch.host);
	for (int i = 0; i < 2; i++) { /* the walk, then the lean step on the page it kept */
		assert_int_equal(cpuid_exit(0x10), SVM_RESUME);
		assert_int_equal(f->vmcb->save.rip, 0x12);
	}
	f = keep;
	sf_free(g);
}

/* RFLAGS.VM is not part of the kept page's lean mark (it changes without a commit): with it
 * set, the code is not 64-bit code and svm_fetch_linear_of gives CS base + EIP (see
 * linear_address_per_mode), so the lean step must give way to the general one at once. CS
 * base 0x10: RIP = LIN then reads CODE_A + 0x10 (CPUID with a CS override, 3 bytes). */
static void lean_step_sees_rflags_vm(void **state)
{
	(void)state;
	struct vmcb_save *s = &f->vmcb->save;
	put_bytes(CODE_A + 0x10, cs_cpuid_insn, sizeof(cs_cpuid_insn));
	s->cs.base = 0x10;
	warm_cache();
	s->rflags |= RFLAGS_VM;
	assert_int_equal(cpuid_exit(LIN), SVM_RESUME);
	assert_int_equal(s->rip, LIN + 3);
	s->rflags &= ~(u64)RFLAGS_VM;
	assert_int_equal(cpuid_exit(LIN), SVM_RESUME);
	assert_int_equal(s->rip, LIN + 2);
}

/* The lean step takes the kept page only for a RIP inside it: the pages just above and just
 * below LIN map RDMSR's bytes (CODE_C), so a CPUID exit there is not a CPUID and the guest
 * ends, although the same offset in the kept page (CODE_A) holds CPUID's. Below LIN, PD[1]'s
 * last PTE (linear 0x3FF000) is used. */
static void lean_step_only_in_the_kept_page(void **state)
{
	(void)state;
	put64(PT + 8, CODE_C | P | RW);         /* LIN + 4 KiB */
	put64(PD + 1 * 8, PT_B | P | RW);       /* 2-4 MiB through PT_B ... */
	put64(PT_B + 511 * 8, CODE_C | P | RW); /* ... whose last entry is LIN - 4 KiB */
	warm_cache();
	assert_int_equal(cpuid_exit(LIN + PAGE_SIZE), SVM_TERMINATE);
	assert_int_equal(f->vmcb->save.rip, LIN + PAGE_SIZE);
	warm_cache();
	assert_int_equal(cpuid_exit(LIN - PAGE_SIZE), SVM_TERMINATE);
	assert_int_equal(f->vmcb->save.rip, LIN - PAGE_SIZE);
	put_bytes(CODE_A + PAGE_SIZE - 4, cpuid_insn, 2);
	warm_cache();
	assert_int_equal(cpuid_exit(LIN + PAGE_SIZE - 4), SVM_RESUME); /* the last 4 bytes: still in place */
	assert_int_equal(f->vmcb->save.rip, LIN + PAGE_SIZE - 2);
}

/* The linear address of CS:RIP (svm_fetch_linear_of): in 64-bit mode - EFER.LMA with CS.L, in
 * protected mode (CR0.PE) and not virtual-8086 (RFLAGS.VM) - RIP itself, the CS base ignored
 * (APM vol. 2, 4.12.2); in every other mode CS base + EIP, wrapping at 4 GiB. All 16
 * combinations of the four bits, with a base and a RIP whose sum carries past bit 31. */
static void linear_address_per_mode(void **state)
{
	(void)state;
	struct vmcb_save *s = &f->vmcb->save;
	s->cs.base = 0x80001000;
	s->rip = 0xFFFFFFFF80000010ULL;
	for (unsigned bits = 0; bits < 16; bits++) {
		bool pe = bits & 1, vm = bits & 2, lma = bits & 4, l = bits & 8;
		s->cr0 = pe ? CR0_PE : 0;
		s->rflags = 2 | (vm ? BIT(17) : 0);
		s->efer = EFER_SVME | (lma ? EFER_LME | EFER_LMA : 0);
		s->cs.attrib = 0xB | SVM_SEG_S | SVM_SEG_P | (l ? SVM_SEG_L : SVM_SEG_DB);
		u64 want = pe && !vm && lma && l ? 0xFFFFFFFF80000010ULL : 0x00001010ULL;
		assert_int_equal(svm_fetch_linear_of(s), want);
	}
}

/* RDMSR and WRMSR (0F 32, 0F 30) step the same way, each by its own encoding. */
static void lean_step_rdmsr_wrmsr(void **state)
{
	(void)state;
	warm_cache();
	static const u8 wrmsr_insn[] = { 0x0F, 0x30 };
	put_bytes(CODE_A, rdmsr_insn, 2);
	f->v.gprs.rcx = MSR_IA32_PAT;
	f->vmcb->control.exit_code = SVM_EXIT_MSR;
	f->vmcb->control.exit_info1 = 0;
	f->vmcb->save.rip = LIN;
	assert_int_equal(run_loop_exit(), SVM_RESUME);
	assert_int_equal(f->vmcb->save.rip, LIN + 2);
	/* WRMSR bytes under a RDMSR exit: not the instruction, the guest ends. */
	put_bytes(CODE_A, wrmsr_insn, 2);
	f->vmcb->save.rip = LIN;
	assert_int_equal(run_loop_exit(), SVM_TERMINATE);
	assert_int_equal(f->vmcb->save.rip, LIN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(same_page_twice, setup, teardown),
		cmocka_unit_test_setup_teardown(pte_rewritten_without_invalidation, setup, teardown),
		cmocka_unit_test_setup_teardown(upper_level_rewritten, setup, teardown),
		cmocka_unit_test_setup_teardown(page_unmapped, setup, teardown),
		cmocka_unit_test_setup_teardown(cr3_switch, setup, teardown),
		cmocka_unit_test_setup_teardown(paging_turned_off, setup, teardown),
		cmocka_unit_test_setup_teardown(legacy_pse_toggle, setup, teardown),
		cmocka_unit_test_setup_teardown(lma_alone_changes_the_walk, setup, teardown),
		cmocka_unit_test_setup_teardown(crosses_page, setup, teardown),
		cmocka_unit_test_setup_teardown(legacy_pte_rewritten, setup, teardown),
		cmocka_unit_test_setup_teardown(stepping_sees_rewritten_code, setup, teardown),
		cmocka_unit_test_setup_teardown(lean_step_sees_remap_and_rewrite, setup, teardown),
		cmocka_unit_test_setup_teardown(lean_step_effects, setup, teardown),
		cmocka_unit_test_setup_teardown(lean_step_leaves_the_page_end_to_the_fetch, setup, teardown),
		cmocka_unit_test_setup_teardown(lean_step_sees_committed_cr4, setup, teardown),
		cmocka_unit_test_setup_teardown(lean_step_sees_committed_cs_l, setup, teardown),
		cmocka_unit_test_setup_teardown(lean_step_sees_rflags_vm, setup, teardown),
		cmocka_unit_test(fresh_vcpu_in_page_zero),
		cmocka_unit_test_setup_teardown(lean_step_only_in_the_kept_page, setup, teardown),
		cmocka_unit_test_setup_teardown(linear_address_per_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(lean_step_rdmsr_wrmsr, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
