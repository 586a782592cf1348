/* soft-es CPU model (sev/soft_es.c): each class of exit, with vectors from ghcb-sev-facts.md
 * (C.2: #VC error code = exit code; write traps with the new value, EFER including SVME;
 * VMGEXIT F3 0F 01 D9 stepped over, 4 bytes; A.0: GHCB MSR in VMCB 0xA0, SEV_INFO at reset). */
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>
#include "cr_fixture.h"
#include "sev/soft_es.h"
#include "svm/exit_codes.h"
#include "svm/vmcb_setup.h"
#include "svm/exit.h"
#include "ghcb/ghcb.h"
#include "msr/msr.h"
#include "msr/cpuid.h"

#define RAM_SIZE 0x10000
#define CODE_GPA 0x1000
#define IDT_GPA 0x3000
#define GDT_GPA 0x4000
#define STACK_TOP 0x8000
#define CBIT 39
#define VC_INFO (SVM_EVT_VALID | SVM_EVT_TYPE_EXCEPTION | SVM_EVT_ERR_VALID | 29u)
/* Packed attributes: present, code, readable, accessed, S; 32-bit (DB) or 64-bit (L). */
#define ATTR_CODE32 (SVM_SEG_P | SVM_SEG_S | 0xB | SVM_SEG_DB)
#define ATTR_CODE64 (SVM_SEG_P | SVM_SEG_S | 0xB | SVM_SEG_L)

struct es_fixture {
	struct cr_fixture *f;
	u8 *ram;
};

static struct es_fixture fx;

static struct vcpu *vcpu(void)
{
	return &fx.f->v;
}

static struct vmcb *vmcb(void)
{
	return &fx.f->vmcb;
}

/* Host CPUID for the policy: long mode (0x80000001 EDX[29]), 40-bit physical addresses. */
static void host_cpuid(u32 leaf, u32 subleaf, struct cpuid_regs *out)
{
	(void)subleaf;
	memset(out, 0, sizeof(*out));
	if (leaf == 0x80000000)
		out->eax = 0x8000001F;
	if (leaf == 0x80000001)
		out->edx = BIT(29) | BIT(20);
	if (leaf == 0x80000008)
		out->eax = 0x3028;
}

static int setup(void **state)
{
	(void)state;
	msr_cpuid_set_host(host_cpuid);
	fx.f = cr_fixture_new(VM_MODE_SOFT_ES, false, &cr_fixture_multiboot, 0);
	fx.ram = calloc(1, RAM_SIZE);
	struct vm *vm = &fx.f->vm;
	vm->ram[0] = (struct ram_slot){ .gpa = 0, .size = RAM_SIZE, .host = fx.ram };
	vm->nr_ram = 1;
	vm->cbit = CBIT;
	struct svm_vmcb_params p = { .mode = VM_MODE_SOFT_ES, .asid = 1 };
	svm_vmcb_init(vmcb(), &p);
	struct vmcb_save *s = &vmcb()->save;
	s->cr0 = CR0_PE | CR0_ET;
	s->efer = EFER_SVME;
	s->cs = (struct vmcb_seg){ .selector = 0x18, .attrib = ATTR_CODE32, .limit = 0xFFFFFFFF };
	s->rip = CODE_GPA;
	s->rsp = STACK_TOP;
	ghcb_vcpu_reset(vcpu());
	svm_soft_es_vcpu_setup(vcpu());
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(fx.ram);
	free(fx.f);
	return 0;
}

static void code(const u8 *bytes, size_t n)
{
	memcpy(fx.ram + CODE_GPA, bytes, n);
}

static enum soft_es_action exit_with(u64 code_, u64 info1, u64 info2)
{
	struct vmcb_control *c = &vmcb()->control;
	c->exit_code = code_;
	c->exit_info1 = info1;
	c->exit_info2 = info2;
	return svm_soft_es_after_exit(vcpu());
}

static void assert_vc(u64 code_)
{
	assert_true(vcpu()->pending.pending);
	assert_int_equal(vcpu()->pending.info, VC_INFO);
	assert_int_equal(vcpu()->pending.err_code, (u32)code_);
	vcpu()->pending.pending = false;
}

/* Issue 10 item 4: soft-es intercepts what sevisor programs for a real SEV-ES guest, written
 * out here from KVM's sev_es_init_vmcb (facts C.3) and APM table B-1, with each write trap
 * (intercept vector 4 bits 15, 16 + n) turned into the CRn write intercept the model needs. */
static void test_setup_intercepts_and_ghcb_msr(void **state)
{
	(void)state;
	const struct vmcb_control *c = &vmcb()->control;
	/* Vector 3: INTR 0, NMI 1, RDPMC 15, CPUID 18, INVD 22, HLT 24, INVLPGA 26, IOIO 27,
	 * MSR 28, SHUTDOWN 31. Not RDTSC (14). */
	u32 m1 = BIT(0) | BIT(1) | BIT(15) | BIT(18) | BIT(22) | BIT(24) | BIT(26) | BIT(27) | BIT(28) | BIT(31);
	/* Vector 4: VMRUN 0, VMMCALL 1, VMLOAD 2, VMSAVE 3, STGI 4, CLGI 5, SKINIT 6, WBINVD 9,
	 * MONITOR 10, MWAIT 11. Not RDTSCP (7), not XSETBV (13). */
	u32 m2 = BIT(0) | BIT(1) | BIT(2) | BIT(3) | BIT(4) | BIT(5) | BIT(6) | BIT(9) | BIT(10) | BIT(11);
	assert_int_equal(c->intercept_misc1, m1);
	assert_int_equal(c->intercept_misc2, m2);
	assert_false(c->intercept_misc1 & BIT(14));
	assert_false(c->intercept_misc2 & BIT(7));
	assert_int_equal(c->intercept_exceptions, 0);
	assert_int_equal(c->intercept_dr, BIT(7) | BIT(16 + 7));
	assert_int_equal(c->intercept_cr, BIT(16) | BIT(20) | BIT(24));
	/* The sev-es set is the same one with the traps: EFER 15, CR0 16, CR4 20, CR8 24. */
	const struct svm_intercepts *es = svm_intercepts_for(VM_MODE_SEV_ES);
	assert_ptr_equal(es, svm_intercepts_for(VM_MODE_SOFT_ES));
	assert_int_equal(es->misc1, m1);
	assert_int_equal(es->misc2, m2 | BIT(15) | BIT(16) | BIT(20) | BIT(24));
	assert_int_equal(es->cr, 0);
	assert_int_equal(es->dr, c->intercept_dr);
	/* SEV_INFO: max 2, min 1, C-bit 39 (facts A.1): 0x0002_0001_27_000_001. */
	assert_int_equal(c->ghcb_gpa, 0x0002000127000001ULL);
	assert_true(vcpu()->state_protected);
}

static void test_pick_cbit(void **state)
{
	(void)state;
	assert_int_equal(svm_soft_es_pick_cbit(40), 39);
	assert_int_equal(svm_soft_es_pick_cbit(48), 47);
	assert_int_equal(svm_soft_es_pick_cbit(52), 47);
	assert_int_equal(svm_soft_es_pick_cbit(33), 32);
	assert_int_equal(svm_soft_es_pick_cbit(32), 0);
	assert_int_equal(svm_soft_es_pick_cbit(0), 0);
}

/* (a) non-automatic exits: #VC with error code = exit code, RIP not advanced. */
static void test_non_automatic_become_vc(void **state)
{
	(void)state;
	static const u64 codes[] = { SVM_EXIT_CPUID, SVM_EXIT_IOIO, SVM_EXIT_RDTSC, SVM_EXIT_RDPMC,
				     SVM_EXIT_INVD, SVM_EXIT_WBINVD, SVM_EXIT_RDTSCP, SVM_EXIT_MONITOR,
				     SVM_EXIT_MWAIT, SVM_EXIT_READ_DR0 + 7, SVM_EXIT_WRITE_DR0 + 7,
				     SVM_EXIT_VMRUN };
	for (size_t i = 0; i < ARRAY_SIZE(codes); i++) {
		assert_int_equal(exit_with(codes[i], 0, 0), SOFT_ES_RESUME);
		assert_vc(codes[i]);
		assert_int_equal(vmcb()->save.rip, CODE_GPA);
	}
	/* An ordinary MSR: #VC(0x7C). */
	code((const u8[]){ 0x0F, 0x32 }, 2);
	vcpu()->gprs.rcx = 0x277; /* PAT */
	assert_int_equal(exit_with(SVM_EXIT_MSR, 0, 0), SOFT_ES_RESUME);
	assert_vc(SVM_EXIT_MSR);
	assert_int_equal(vmcb()->save.rip, CODE_GPA);
}

/* #VC in long mode is delivered by the model: frame with error code, RIP at the handler. */
static void test_vc_delivered_in_long_mode(void **state)
{
	(void)state;
	struct vmcb_save *s = &vmcb()->save;
	s->efer = EFER_SVME | EFER_LME | EFER_LMA;
	s->cs = (struct vmcb_seg){ .selector = 0x08, .attrib = ATTR_CODE64 };
	s->rflags = BIT(1) | BIT(9); /* IF set */
	s->rsp = STACK_TOP - 8;      /* misaligned: the frame is aligned to 16 first */
	s->ss.selector = 0x10;
	s->idtr = (struct vmcb_seg){ .base = IDT_GPA, .limit = 32 * 16 - 1 };
	s->gdtr = (struct vmcb_seg){ .base = GDT_GPA, .limit = 0x27 };
	u64 gdt64 = 0x00AF9A000000FFFFULL;
	memcpy(fx.ram + GDT_GPA + 8, &gdt64, 8);
	u8 gate[16] = { 0x34, 0x12, 0x08, 0x00, 0x00, 0x8E, 0x00, 0x00 }; /* handler 0x1234, intr gate */
	memcpy(fx.ram + IDT_GPA + 29 * 16, gate, 16);
	assert_int_equal(exit_with(SVM_EXIT_CPUID, 0, 0), SOFT_ES_RESUME);
	assert_false(vcpu()->pending.pending);
	assert_int_equal(s->rip, 0x1234);
	assert_int_equal(s->cs.selector, 0x08);
	assert_true(s->cs.attrib & SVM_SEG_L);
	assert_false(s->rflags & BIT(9));
	assert_int_equal(s->rsp, STACK_TOP - 16 - 48);
	u64 frame[6];
	memcpy(frame, fx.ram + s->rsp, sizeof(frame));
	assert_int_equal(frame[0], SVM_EXIT_CPUID); /* error code = exit code */
	assert_int_equal(frame[1], CODE_GPA);       /* RIP not advanced */
	assert_int_equal(frame[2], 0x08);
	assert_int_equal(frame[3], BIT(1) | BIT(9));
	assert_int_equal(frame[4], STACK_TOP - 8);
	assert_int_equal(frame[5], 0x10);
}

/* From CPL 3 in long mode the CPU switches to CPL 0 (APM vol. 2, 8.9.3 "Interrupt Stack
 * Frame", 8.9.4 "Stack Switching"): the new RSP is the gate's IST entry, else the TSS's RSP0
 * (64-bit TSS: RSP0 at offset 4, IST1 at 0x24), aligned to 16; SS becomes the null selector;
 * the frame holds the old SS:RSP, RFLAGS, CS:RIP and the error code. */
#define TSS_GPA 0x5000
#define RSP0_TOP 0x9000
#define IST_TOP 0xA000

static void vc_from_cpl3(u8 ist)
{
	struct vmcb_save *s = &vmcb()->save;
	s->efer = EFER_SVME | EFER_LME | EFER_LMA;
	s->cs = (struct vmcb_seg){ .selector = 0x33, .attrib = ATTR_CODE64 | (3 << SVM_SEG_DPL_SHIFT) };
	s->ss = (struct vmcb_seg){ .selector = 0x2B, .attrib = SVM_SEG_P | SVM_SEG_S | 0x3 | (3 << SVM_SEG_DPL_SHIFT) };
	s->cpl = 3;
	s->rflags = BIT(1) | BIT(9);
	s->rsp = 0x7FF8; /* the user stack */
	s->idtr = (struct vmcb_seg){ .base = IDT_GPA, .limit = 32 * 16 - 1 };
	s->gdtr = (struct vmcb_seg){ .base = GDT_GPA, .limit = 0x27 };
	s->tr = (struct vmcb_seg){ .selector = 0x40, .attrib = SVM_SEG_P | 0xB, .limit = 0x67, .base = TSS_GPA };
	u64 gdt64 = 0x00AF9A000000FFFFULL;
	memcpy(fx.ram + GDT_GPA + 8, &gdt64, 8);
	u64 rsp0 = RSP0_TOP, ist1 = IST_TOP;
	memcpy(fx.ram + TSS_GPA + 4, &rsp0, 8);
	memcpy(fx.ram + TSS_GPA + 0x24, &ist1, 8);
	u8 gate[16] = { 0x34, 0x12, 0x08, 0x00, ist, 0x8E, 0x00, 0x00 };
	memcpy(fx.ram + IDT_GPA + 29 * 16, gate, 16);
	assert_int_equal(exit_with(SVM_EXIT_CPUID, 0, 0), SOFT_ES_RESUME);
	assert_false(vcpu()->pending.pending); /* delivered by the model, not by EVENTINJ */
	u64 top = ist ? IST_TOP : RSP0_TOP;
	assert_int_equal(s->rsp, top - 48);
	assert_int_equal(s->rip, 0x1234);
	assert_int_equal(s->cs.selector, 0x08);
	assert_int_equal(s->cpl, 0);
	assert_int_equal(s->ss.selector, 0);
	u64 frame[6];
	memcpy(frame, fx.ram + s->rsp, sizeof(frame));
	assert_int_equal(frame[0], SVM_EXIT_CPUID);
	assert_int_equal(frame[1], CODE_GPA);
	assert_int_equal(frame[2], 0x33);
	assert_int_equal(frame[3], BIT(1) | BIT(9));
	assert_int_equal(frame[4], 0x7FF8);
	assert_int_equal(frame[5], 0x2B);
}

static void test_vc_from_cpl3_switches_to_rsp0(void **state)
{
	(void)state;
	vc_from_cpl3(0);
}

static void test_vc_from_cpl3_switches_to_ist(void **state)
{
	(void)state;
	vc_from_cpl3(1);
}

/* Flat 4 GiB descriptors (APM vol. 2, 4.7): 32-bit code 0x00CF9A000000FFFF (P, DPL 0, S,
 * execute/read, D, G) and 32-bit data 0x00CF92000000FFFF; 64-bit code 0x00AF9A000000FFFF. */
#define DESC_CODE32 0x00CF9A000000FFFFULL
#define DESC_DATA32 0x00CF92000000FFFFULL
#define DESC_CODE64 0x00AF9A000000FFFFULL
#define ATTR_DATA32 (SVM_SEG_P | SVM_SEG_S | 0x3 | SVM_SEG_DB | SVM_SEG_G)

static void gdt(void)
{
	memcpy(fx.ram + GDT_GPA + 0x08, &(u64){ DESC_CODE64 }, 8);
	memcpy(fx.ram + GDT_GPA + 0x10, &(u64){ DESC_DATA32 }, 8);
	memcpy(fx.ram + GDT_GPA + 0x18, &(u64){ DESC_CODE32 }, 8);
	vmcb()->save.gdtr = (struct vmcb_seg){ .base = GDT_GPA, .limit = 0x1F };
}

/* A legacy (32-bit) gate, 8 bytes (APM vol. 2, 4.8.4 figure 4-24): offset 15:0, selector,
 * 0, P|DPL|type, offset 31:16. Type 0xE interrupt gate, 0xF trap gate. */
static void gate32(u8 vector, u32 offset, u16 sel, u8 type_attr)
{
	u8 g[8] = { (u8)offset, (u8)(offset >> 8), (u8)sel, (u8)(sel >> 8), 0, type_attr, (u8)(offset >> 16),
		    (u8)(offset >> 24) };
	memcpy(fx.ram + IDT_GPA + vector * 8, g, 8);
	vmcb()->save.idtr = (struct vmcb_seg){ .base = IDT_GPA, .limit = 32 * 8 - 1 };
}

/* Issue 10 item 5. Legacy protected mode, paging off (the Multiboot entry state): #VC through
 * a 32-bit interrupt gate, same privilege: EFLAGS, CS, EIP, error code pushed on SS:ESP
 * (APM vol. 2, 8.7.3 figure 8-10), EIP at the handler, IF cleared; nothing left to EVENTINJ. */
static void test_vc_delivered_in_legacy_protected_mode(void **state)
{
	(void)state;
	struct vmcb_save *s = &vmcb()->save;
	gdt();
	gate32(29, 0x2345, 0x18, 0x8E);
	s->ss = (struct vmcb_seg){ .selector = 0x10, .attrib = ATTR_DATA32, .limit = 0xFFFFFFFF };
	s->rflags = BIT(1) | BIT(9) | BIT(8); /* IF, TF */
	s->rsp = STACK_TOP - 4;
	assert_int_equal(exit_with(SVM_EXIT_CPUID, 0, 0), SOFT_ES_RESUME);
	assert_false(vcpu()->pending.pending);
	assert_int_equal(s->rip, 0x2345);
	assert_int_equal(s->cs.selector, 0x18);
	assert_true(s->cs.attrib & SVM_SEG_DB);
	assert_false(s->cs.attrib & SVM_SEG_L);
	assert_int_equal(s->rflags, BIT(1)); /* IF and TF cleared */
	assert_int_equal(s->rsp, STACK_TOP - 4 - 16);
	u32 frame[4];
	memcpy(frame, fx.ram + s->rsp, sizeof(frame));
	assert_int_equal(frame[0], SVM_EXIT_CPUID); /* error code = exit code */
	assert_int_equal(frame[1], CODE_GPA);       /* EIP not advanced */
	assert_int_equal(frame[2], 0x18);
	assert_int_equal(frame[3], BIT(1) | BIT(9) | BIT(8));

	/* A trap gate leaves IF set; the IOIO error code is the exit code 0x7B. */
	gate32(29, 0x3456, 0x18, 0x8F);
	s->rip = CODE_GPA;
	s->rflags = BIT(1) | BIT(9);
	assert_int_equal(exit_with(SVM_EXIT_IOIO, 0x3F80010, 0), SOFT_ES_RESUME);
	assert_int_equal(s->rip, 0x3456);
	assert_true(s->rflags & BIT(9));
	memcpy(frame, fx.ram + s->rsp, sizeof(frame));
	assert_int_equal(frame[0], SVM_EXIT_IOIO);
	assert_int_equal(frame[1], CODE_GPA);
}

/* Compatibility mode (EFER.LMA=1, CS.L=0): a 64-bit gate and a 64-bit frame (APM vol. 2,
 * 8.9.3), the handler in 64-bit mode; the saved CS is the 32-bit one. */
static void test_vc_delivered_in_compatibility_mode(void **state)
{
	(void)state;
	struct vmcb_save *s = &vmcb()->save;
	gdt();
	s->efer = EFER_SVME | EFER_LME | EFER_LMA;
	s->cs = (struct vmcb_seg){ .selector = 0x18, .attrib = ATTR_CODE32, .limit = 0xFFFFFFFF };
	s->ss = (struct vmcb_seg){ .selector = 0x10, .attrib = ATTR_DATA32, .limit = 0xFFFFFFFF };
	s->rflags = BIT(1);
	s->rsp = STACK_TOP;
	s->idtr = (struct vmcb_seg){ .base = IDT_GPA, .limit = 32 * 16 - 1 };
	u8 gate[16] = { 0x78, 0x56, 0x08, 0x00, 0x00, 0x8E, 0x00, 0x00 }; /* handler 0x5678 */
	memcpy(fx.ram + IDT_GPA + 29 * 16, gate, 16);
	assert_int_equal(exit_with(SVM_EXIT_CPUID, 0, 0), SOFT_ES_RESUME);
	assert_false(vcpu()->pending.pending);
	assert_int_equal(s->rip, 0x5678);
	assert_int_equal(s->cs.selector, 0x08);
	assert_true(s->cs.attrib & SVM_SEG_L);
	u64 frame[6];
	memcpy(frame, fx.ram + s->rsp, sizeof(frame));
	assert_int_equal(s->rsp, STACK_TOP - 48);
	assert_int_equal(frame[0], SVM_EXIT_CPUID);
	assert_int_equal(frame[1], CODE_GPA);
	assert_int_equal(frame[2], 0x18);
	assert_int_equal(frame[4], STACK_TOP);
	assert_int_equal(frame[5], 0x10);
}

/* The delivery goes through the guest's page tables as they are at each #VC (APM vol. 2, 5.3
 * "Long-Mode Page Translation": 4 levels of 8-byte entries, P = bit 0; the CPU walks on a TLB
 * miss, and a guest may rewrite an entry and expect the new mapping once it has flushed, which
 * the model cannot see). Tables at 0x9000-0xC000 map linear pages 0-15 identically; between
 * #VCs the guest remaps the stack page and the IDT page, then loads a CR3 whose PML4 is empty:
 * every delivery follows the tables of its moment (the last one cannot read the IDT and falls
 * back to EVENTINJ). */
#define PG_PML4 0x9000
#define PG_PDPT 0xA000
#define PG_PD 0xB000
#define PG_PT 0xC000
#define ALT_STACK_GPA 0xD000
#define ALT_IDT_GPA 0xE000
#define EMPTY_PG_PML4 0xF000

static void pte(unsigned page, u64 gpa)
{
	memcpy(fx.ram + PG_PT + page * 8, &(u64){ gpa | 0x3 }, 8);
}

/* Long mode with 4-level paging through the tables above, linear pages 0-15 mapped
 * identically. */
static void paged_long_mode(void)
{
	struct vmcb_save *s = &vmcb()->save;
	memcpy(fx.ram + PG_PML4, &(u64){ PG_PDPT | 0x3 }, 8);
	memcpy(fx.ram + PG_PDPT, &(u64){ PG_PD | 0x3 }, 8);
	memcpy(fx.ram + PG_PD, &(u64){ PG_PT | 0x3 }, 8);
	for (unsigned page = 0; page < 16; page++)
		pte(page, (u64)page * PAGE_SIZE);
	s->cr0 = CR0_PE | CR0_PG | CR0_ET;
	s->cr4 = CR4_PAE;
	s->efer = EFER_SVME | EFER_LME | EFER_LMA;
	s->cr3 = PG_PML4;
}

static void vc_long_mode_paged(u64 want_rip, u64 frame_gpa)
{
	struct vmcb_save *s = &vmcb()->save;
	s->cs = (struct vmcb_seg){ .selector = 0x08, .attrib = ATTR_CODE64 };
	s->rip = CODE_GPA;
	s->rsp = STACK_TOP;
	s->rflags = BIT(1);
	memset(fx.ram + STACK_TOP - 48, 0, 48);
	memset(fx.ram + ALT_STACK_GPA + PAGE_SIZE - 48, 0, 48);
	assert_int_equal(exit_with(SVM_EXIT_CPUID, 0, 0), SOFT_ES_RESUME);
	assert_false(vcpu()->pending.pending);
	assert_int_equal(s->rip, want_rip);
	assert_int_equal(s->rsp, STACK_TOP - 48);
	u64 frame[6];
	memcpy(frame, fx.ram + frame_gpa, sizeof(frame));
	assert_int_equal(frame[0], SVM_EXIT_CPUID);
	assert_int_equal(frame[1], CODE_GPA);
	assert_int_equal(frame[4], STACK_TOP);
}

static void test_vc_delivery_follows_page_tables(void **state)
{
	(void)state;
	struct vmcb_save *s = &vmcb()->save;
	paged_long_mode();
	s->idtr = (struct vmcb_seg){ .base = IDT_GPA, .limit = 32 * 16 - 1 };
	s->gdtr = (struct vmcb_seg){ .base = GDT_GPA, .limit = 0x27 };
	memcpy(fx.ram + GDT_GPA + 8, &(u64){ DESC_CODE64 }, 8);
	u8 gate[16] = { 0x34, 0x12, 0x08, 0x00, 0x00, 0x8E };
	memcpy(fx.ram + IDT_GPA + 29 * 16, gate, 16);
	u8 alt_gate[16] = { 0x78, 0x56, 0x08, 0x00, 0x00, 0x8E };
	memcpy(fx.ram + ALT_IDT_GPA + 29 * 16, alt_gate, 16);

	vc_long_mode_paged(0x1234, STACK_TOP - 48);
	vc_long_mode_paged(0x1234, STACK_TOP - 48);
	pte(STACK_TOP / PAGE_SIZE - 1, ALT_STACK_GPA);
	vc_long_mode_paged(0x1234, ALT_STACK_GPA + PAGE_SIZE - 48);
	pte(IDT_GPA / PAGE_SIZE, ALT_IDT_GPA);
	vc_long_mode_paged(0x5678, ALT_STACK_GPA + PAGE_SIZE - 48);
	pte(IDT_GPA / PAGE_SIZE, IDT_GPA);
	vc_long_mode_paged(0x1234, ALT_STACK_GPA + PAGE_SIZE - 48);

	s->cr3 = EMPTY_PG_PML4;
	s->rip = CODE_GPA;
	s->rsp = STACK_TOP;
	assert_int_equal(exit_with(SVM_EXIT_CPUID, 0, 0), SOFT_ES_RESUME);
	assert_vc(SVM_EXIT_CPUID);
	assert_int_equal(s->rip, CODE_GPA);
	assert_int_equal(s->rsp, STACK_TOP);
}

/* What the model does not deliver itself goes to EVENTINJ, unchanged: real mode (PE=0; no
 * error code is pushed there), a 16-bit stack, a gate that is not present, a 16-bit gate
 * (type 6), and a gate into a 64-bit code segment outside long mode. */
static void test_vc_fallbacks_to_eventinj(void **state)
{
	(void)state;
	struct vmcb_save *s = &vmcb()->save;
	gdt();
	s->ss = (struct vmcb_seg){ .selector = 0x10, .attrib = ATTR_DATA32, .limit = 0xFFFFFFFF };
	struct {
		u8 type_attr;
		u16 sel;
		u64 cr0;
		u16 ss_attrib;
	} cases[] = {
		{ 0x8E, 0x18, CR0_ET, ATTR_DATA32 },                         /* real mode */
		{ 0x8E, 0x18, CR0_PE | CR0_ET, ATTR_DATA32 & ~SVM_SEG_DB },  /* 16-bit stack */
		{ 0x0E, 0x18, CR0_PE | CR0_ET, ATTR_DATA32 },                /* not present */
		{ 0x86, 0x18, CR0_PE | CR0_ET, ATTR_DATA32 },                /* 16-bit gate */
		{ 0x8E, 0x08, CR0_PE | CR0_ET, ATTR_DATA32 },                /* 64-bit CS */
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		gate32(29, 0x2345, cases[i].sel, cases[i].type_attr);
		s->cr0 = cases[i].cr0;
		s->ss.attrib = cases[i].ss_attrib;
		s->rip = CODE_GPA;
		s->rsp = STACK_TOP;
		assert_int_equal(exit_with(SVM_EXIT_CPUID, 0, 0), SOFT_ES_RESUME);
		assert_vc(SVM_EXIT_CPUID);
		assert_int_equal(s->rip, CODE_GPA);
		assert_int_equal(s->rsp, STACK_TOP);
	}
}

/* Each #VC goes through the gate and the code-segment descriptor as they are at that moment
 * (the guest rewrites its IDT and GDT without any exit): a new handler offset is used, and a
 * descriptor that stops being a DPL 0 code segment (APM vol. 2, 4.8.1 descriptor bits: DPL
 * 46:45, type 43:40) or a 64-bit one (L, bit 53; a long-mode gate must lead to a 64-bit code
 * segment, 8.9.2) is no target the model delivers to: the #VC goes to EVENTINJ. */
static bool vc_long_mode_once(void)
{
	struct vmcb_save *s = &vmcb()->save;
	s->cs = (struct vmcb_seg){ .selector = 0x08, .attrib = ATTR_CODE64 };
	s->rip = CODE_GPA;
	s->rsp = STACK_TOP;
	s->rflags = BIT(1);
	assert_int_equal(exit_with(SVM_EXIT_CPUID, 0, 0), SOFT_ES_RESUME);
	if (!vcpu()->pending.pending) {
		assert_int_equal(s->cs.selector, 0x08);
		assert_int_equal(s->cs.attrib & (SVM_SEG_L | SVM_SEG_DB), SVM_SEG_L);
		return true;
	}
	assert_vc(SVM_EXIT_CPUID);
	assert_int_equal(s->rip, CODE_GPA);
	return false;
}

/* Long mode with the GDT of gdt() and a 32-entry IDT at IDT_GPA whose vector 29 is gate: a
 * 64-bit interrupt gate to 0x1234 through selector 0x08. */
static void long_mode_tables(u8 gate[16])
{
	struct vmcb_save *s = &vmcb()->save;
	gdt();
	s->efer = EFER_SVME | EFER_LME | EFER_LMA;
	s->idtr = (struct vmcb_seg){ .base = IDT_GPA, .limit = 32 * 16 - 1 };
	memcpy(gate, (u8[16]){ 0x34, 0x12, 0x08, 0x00, 0x00, 0x8E }, 16);
	memcpy(fx.ram + IDT_GPA + 29 * 16, gate, 16);
}

static void test_vc_rereads_gate_and_descriptor(void **state)
{
	(void)state;
	struct vmcb_save *s = &vmcb()->save;
	u8 gate[16];
	long_mode_tables(gate);
	assert_true(vc_long_mode_once());
	assert_int_equal(s->rip, 0x1234);
	gate[0] = 0x78;
	gate[1] = 0x56;
	memcpy(fx.ram + IDT_GPA + 29 * 16, gate, 16);
	assert_true(vc_long_mode_once());
	assert_int_equal(s->rip, 0x5678);
	memcpy(fx.ram + GDT_GPA + 0x08, &(u64){ DESC_CODE64 | (3ULL << 45) }, 8); /* DPL 3 */
	assert_false(vc_long_mode_once());
	memcpy(fx.ram + GDT_GPA + 0x08, &(u64){ DESC_CODE64 }, 8);
	assert_true(vc_long_mode_once());
	assert_int_equal(s->rip, 0x5678);
	memcpy(fx.ram + GDT_GPA + 0x08, &(u64){ DESC_CODE64 & ~BIT(53) }, 8); /* L clear: 16-bit code */
	assert_false(vc_long_mode_once());
	memcpy(fx.ram + GDT_GPA + 0x08, &(u64){ DESC_CODE64 }, 8);
	assert_true(vc_long_mode_once());
	assert_int_equal(s->rip, 0x5678);
	/* The upper half of a long-mode gate holds offset 63:32. */
	gate[8] = 0x01;
	memcpy(fx.ram + IDT_GPA + 29 * 16, gate, 16);
	assert_true(vc_long_mode_once());
	assert_int_equal(s->rip, 0x100005678ULL);
}

/* LIDT and LGDT take effect without an exit too: each #VC reads the gate within IDTR's limit
 * at its base, and the descriptor within GDTR's limit at its base, as they are at that moment
 * (APM vol. 2, 8.9.1 "Interrupt-Descriptor Table", 4.6.2 "Global Descriptor Table": a gate or
 * descriptor beyond the limit is a #GP, which the model leaves to EVENTINJ). The second tables
 * lie in the same pages as the first, so the pages the model keeps do not change. */
static void test_vc_follows_idtr_and_gdtr(void **state)
{
	(void)state;
	struct vmcb_save *s = &vmcb()->save;
	u8 gate[16];
	long_mode_tables(gate);
	gate[0] = 0x78;
	gate[1] = 0x56;
	memcpy(fx.ram + IDT_GPA + 0x800 + 29 * 16, gate, 16);
	for (unsigned i = 0; i < 2; i++) {
		assert_true(vc_long_mode_once());
		assert_int_equal(s->rip, 0x1234);
	}
	s->idtr.base = IDT_GPA + 0x800;
	assert_true(vc_long_mode_once());
	assert_int_equal(s->rip, 0x5678);
	s->idtr.limit = 29 * 16 + 14; /* one byte short of the gate's end */
	assert_false(vc_long_mode_once());
	s->idtr.limit = 32 * 16 - 1;
	assert_true(vc_long_mode_once());
	assert_int_equal(s->rip, 0x5678);
	/* A second GDT whose selector 0x08 is a DPL 3 code segment: no target the model uses. */
	memcpy(fx.ram + GDT_GPA + 0x800, fx.ram + GDT_GPA, 0x20);
	memcpy(fx.ram + GDT_GPA + 0x808, &(u64){ DESC_CODE64 | (3ULL << 45) }, 8);
	s->gdtr.base = GDT_GPA + 0x800;
	assert_false(vc_long_mode_once());
	s->gdtr.base = GDT_GPA;
	assert_true(vc_long_mode_once());
	s->gdtr.limit = 0x0E; /* selector 0x08's descriptor ends at 0x0F */
	assert_false(vc_long_mode_once());
	s->gdtr.limit = 0x1F;
	assert_true(vc_long_mode_once());
	assert_int_equal(s->rip, 0x5678);
}

/* The same 8 gate bytes mean another gate in each mode (a legacy gate is 8 bytes, a long-mode
 * one 16, APM vol. 2, 4.8.4): a 32-bit interrupt gate into a 32-bit code segment is delivered
 * in legacy protected mode; read as the first half of a long-mode gate (upper half zero), it
 * leads to a segment that is not 64-bit, and the model leaves the #VC to EVENTINJ. */
static void test_vc_gate_bytes_read_per_mode(void **state)
{
	(void)state;
	struct vmcb_save *s = &vmcb()->save;
	gdt();
	gate32(29, 0x2345, 0x18, 0x8E);
	memcpy(fx.ram + IDT_GPA + 29 * 16, fx.ram + IDT_GPA + 29 * 8, 8);
	memset(fx.ram + IDT_GPA + 29 * 16 + 8, 0, 8);
	s->ss = (struct vmcb_seg){ .selector = 0x10, .attrib = ATTR_DATA32, .limit = 0xFFFFFFFF };
	s->rflags = BIT(1);
	s->rsp = STACK_TOP;
	assert_int_equal(exit_with(SVM_EXIT_CPUID, 0, 0), SOFT_ES_RESUME);
	assert_false(vcpu()->pending.pending);
	assert_int_equal(s->rip, 0x2345);
	/* Long mode, still on the 32-bit code segment: compatibility mode. */
	s->efer = EFER_SVME | EFER_LME | EFER_LMA;
	s->idtr.limit = 32 * 16 - 1;
	s->rip = CODE_GPA;
	s->rsp = STACK_TOP;
	assert_int_equal(exit_with(SVM_EXIT_CPUID, 0, 0), SOFT_ES_RESUME);
	assert_vc(SVM_EXIT_CPUID);
	assert_int_equal(s->rip, CODE_GPA);
}

/* One IDT, two readings (APM vol. 2, 4.8.4, 8.9.1): in legacy mode the gate of vector 29 is the
 * 8 bytes at 29 * 8, in long mode the 16 bytes at 29 * 16. A guest that enters long mode with
 * the same IDTR gets the long-mode gate. */
static void test_vc_gate_size_follows_mode(void **state)
{
	(void)state;
	struct vmcb_save *s = &vmcb()->save;
	gdt();
	gate32(29, 0x2345, 0x18, 0x8E);
	u8 gate[16] = { 0x34, 0x12, 0x08, 0x00, 0x00, 0x8E };
	memcpy(fx.ram + IDT_GPA + 29 * 16, gate, 16);
	s->idtr.limit = 32 * 16 - 1;
	s->ss = (struct vmcb_seg){ .selector = 0x10, .attrib = ATTR_DATA32, .limit = 0xFFFFFFFF };
	s->rflags = BIT(1);
	for (unsigned i = 0; i < 3; i++) { /* the third one through what the others kept */
		s->rip = CODE_GPA;
		s->rsp = STACK_TOP;
		assert_int_equal(exit_with(SVM_EXIT_CPUID, 0, 0), SOFT_ES_RESUME);
		assert_false(vcpu()->pending.pending);
		assert_int_equal(s->rip, 0x2345);
		assert_int_equal(s->rsp, STACK_TOP - 16); /* a legacy frame: 4 x 4 bytes */
	}
	s->efer = EFER_SVME | EFER_LME | EFER_LMA;
	assert_true(vc_long_mode_once());
	assert_int_equal(s->rip, 0x1234);
}

/* A long-mode #VC at CPL 0 with RSP at rsp (paging off: linear = physical), through the tables
 * of long_mode_tables: delivered to want_rip with its frame at RSP aligned to 16, less 48
 * (APM vol. 2, 8.9.3), or, when frame_gpa is 0, left to EVENTINJ. */
static void vc_long_frame(u64 rsp, u64 rflags, u64 want_rip, u64 frame_gpa)
{
	struct vmcb_save *s = &vmcb()->save;
	s->cs = (struct vmcb_seg){ .selector = 0x08, .attrib = ATTR_CODE64 };
	s->rip = CODE_GPA;
	s->rsp = rsp;
	s->rflags = rflags;
	assert_int_equal(exit_with(SVM_EXIT_CPUID, 0, 0), SOFT_ES_RESUME);
	if (!frame_gpa) {
		assert_vc(SVM_EXIT_CPUID);
		assert_int_equal(s->rip, CODE_GPA);
		assert_int_equal(s->rsp, rsp);
		return;
	}
	assert_false(vcpu()->pending.pending);
	assert_int_equal(s->rip, want_rip);
	assert_int_equal(s->rsp, frame_gpa);
	u64 frame[6];
	memcpy(frame, fx.ram + frame_gpa, sizeof(frame));
	assert_int_equal(frame[0], SVM_EXIT_CPUID);
	assert_int_equal(frame[1], CODE_GPA);
	assert_int_equal(frame[3], rflags);
	assert_int_equal(frame[4], rsp);
}

/* Three #VCs with nothing changed: the third goes the kept way (soft_es_deliver_kept: the first
 * fills the model's pages, the second keeps the gate for them). */
static void vc_steady(u64 rsp, u64 want_rip, u64 frame_gpa)
{
	for (unsigned i = 0; i < 3; i++)
		vc_long_frame(rsp, BIT(1), want_rip, frame_gpa);
}

/* Once a #VC has gone the kept way, whatever the guest changes without an exit is seen by the
 * next one, as by a delivery that reads everything anew (APM vol. 2, 8.9.3-8.9.4): the
 * handler offset in either half of the gate, the stack (another page, or a frame across a page
 * end), the IST entry and the TSS's place; RFLAGS.VM set leaves the #VC to EVENTINJ, as the
 * general way does. */
static void test_vc_kept_way_follows_changes(void **state)
{
	(void)state;
	struct vmcb_save *s = &vmcb()->save;
	u8 gate[16];
	long_mode_tables(gate);
	vc_steady(STACK_TOP, 0x1234, STACK_TOP - 48);
	gate[0] = 0x78; /* offset 15:0 */
	gate[1] = 0x56;
	memcpy(fx.ram + IDT_GPA + 29 * 16, gate, 16);
	vc_long_frame(STACK_TOP, BIT(1), 0x5678, STACK_TOP - 48);
	vc_steady(STACK_TOP, 0x5678, STACK_TOP - 48);
	gate[8] = 0x01; /* offset 63:32 */
	memcpy(fx.ram + IDT_GPA + 29 * 16, gate, 16);
	vc_steady(STACK_TOP, 0x100005678ULL, STACK_TOP - 48);
	/* The stack in another page, then a frame across the end of a page (0x6FF0..0x7020). */
	vc_long_frame(RSP0_TOP, BIT(1), 0x100005678ULL, RSP0_TOP - 48);
	vc_steady(STACK_TOP, 0x100005678ULL, STACK_TOP - 48);
	vc_long_frame(0x7028, BIT(1), 0x100005678ULL, 0x6FF0);
	/* RFLAGS.VM: no delivery by the model. */
	vc_steady(STACK_TOP, 0x100005678ULL, STACK_TOP - 48);
	vc_long_frame(STACK_TOP, BIT(1) | BIT(17), 0, 0);
	/* An IST gate: the stack is the TSS's IST1 (offset 0x24), read at each #VC; first one in
	 * the page of the interrupted stack. */
	gate[4] = 1;
	memcpy(fx.ram + IDT_GPA + 29 * 16, gate, 16);
	s->tr = (struct vmcb_seg){ .selector = 0x40, .attrib = SVM_SEG_P | 0xB, .limit = 0x67, .base = TSS_GPA };
	memcpy(fx.ram + TSS_GPA + 0x24, &(u64){ STACK_TOP - 0x100 }, 8);
	vc_steady(STACK_TOP, 0x100005678ULL, STACK_TOP - 0x100 - 48);
	memcpy(fx.ram + TSS_GPA + 0x24, &(u64){ RSP0_TOP }, 8);
	vc_long_frame(STACK_TOP, BIT(1), 0x100005678ULL, RSP0_TOP - 48);
	vc_steady(STACK_TOP, 0x100005678ULL, RSP0_TOP - 48);
	/* LTR of a TSS in another page (TR's base is loaded without an exit). */
	memcpy(fx.ram + TSS_GPA + PAGE_SIZE + 0x24, &(u64){ IST_TOP }, 8);
	s->tr.base = TSS_GPA + PAGE_SIZE;
	vc_long_frame(STACK_TOP, BIT(1), 0x100005678ULL, IST_TOP - 48);
}

/* (b) rep vmmcall = VMGEXIT: RIP + 4, exit code 0x403; a plain VMMCALL is #VC(0x81). */
static void test_vmgexit_and_vmmcall(void **state)
{
	(void)state;
	code((const u8[]){ 0xF3, 0x0F, 0x01, 0xD9 }, 4);
	assert_int_equal(exit_with(SVM_EXIT_VMMCALL, 0, 0), SOFT_ES_HANDOFF);
	assert_int_equal(vmcb()->control.exit_code, SVM_EXIT_VMGEXIT);
	assert_int_equal(vmcb()->save.rip, CODE_GPA + 4);
	assert_false(vcpu()->pending.pending);

	vmcb()->save.rip = CODE_GPA;
	code((const u8[]){ 0x0F, 0x01, 0xD9 }, 3);
	assert_int_equal(exit_with(SVM_EXIT_VMMCALL, 0, 0), SOFT_ES_RESUME);
	assert_vc(SVM_EXIT_VMMCALL);
	assert_int_equal(vmcb()->save.rip, CODE_GPA);

	/* Across a page boundary: two bytes on each page. */
	u64 across = CODE_GPA + PAGE_SIZE - 2;
	memcpy(fx.ram + across, (const u8[]){ 0xF3, 0x0F, 0x01, 0xD9 }, 4);
	vmcb()->save.rip = across;
	assert_int_equal(exit_with(SVM_EXIT_VMMCALL, 0, 0), SOFT_ES_HANDOFF);
	assert_int_equal(vmcb()->control.exit_code, SVM_EXIT_VMGEXIT);
	assert_int_equal(vmcb()->save.rip, across + 4);
}

/* VMGEXIT in each code size (GHCB spec 2.0x: F3 0F 01 D9 in any mode; APM vol. 3 VMMCALL,
 * 1.2.6 REP), and with another legacy prefix in front (APM vol. 3, 1.2: prefixes in any
 * order, each counted in the length): RIP steps over every byte, the hypervisor sees 0x403.
 * A VMMCALL with only a segment prefix is #VC(0x81), RIP unchanged. */
static void test_vmgexit_forms(void **state)
{
	(void)state;
	struct vmcb_save *s = &vmcb()->save;
	static const struct {
		u16 cs_attrib;
		u64 efer, cr0;
	} modes[] = {
		{ ATTR_CODE32, EFER_SVME, CR0_PE | CR0_ET },                                   /* 32-bit */
		{ ATTR_CODE32 & ~(u16)SVM_SEG_DB, EFER_SVME, CR0_PE | CR0_ET },                /* 16-bit */
		{ ATTR_CODE64, EFER_SVME | EFER_LME | EFER_LMA, CR0_PE | CR0_ET },             /* 64-bit */
	};
	static const struct {
		u8 bytes[5];
		unsigned len; /* 0: plain VMMCALL, #VC */
	} forms[] = {
		{ { 0xF3, 0x0F, 0x01, 0xD9 }, 4 },
		{ { 0x2E, 0xF3, 0x0F, 0x01, 0xD9 }, 5 },
		{ { 0xF3, 0x3E, 0x0F, 0x01, 0xD9 }, 5 },
		{ { 0x2E, 0x0F, 0x01, 0xD9 }, 0 },
	};
	for (size_t m = 0; m < ARRAY_SIZE(modes); m++) {
		for (size_t i = 0; i < ARRAY_SIZE(forms); i++) {
			s->cs.attrib = modes[m].cs_attrib;
			s->efer = modes[m].efer;
			s->cr0 = modes[m].cr0;
			s->rip = CODE_GPA;
			vmcb()->control.exit_code = SVM_EXIT_VMMCALL;
			code(forms[i].bytes, sizeof(forms[i].bytes));
			enum soft_es_action a = exit_with(SVM_EXIT_VMMCALL, 0, 0);
			if (forms[i].len) {
				assert_int_equal(a, SOFT_ES_HANDOFF);
				assert_int_equal(vmcb()->control.exit_code, SVM_EXIT_VMGEXIT);
				assert_int_equal(s->rip, CODE_GPA + forms[i].len);
				assert_false(vcpu()->pending.pending);
			} else {
				assert_int_equal(a, SOFT_ES_RESUME);
				assert_vc(SVM_EXIT_VMMCALL);
				assert_int_equal(s->rip, CODE_GPA);
			}
		}
	}
}

/* VMGEXIT at the top of a 32-bit code segment: outside 64-bit mode the instruction pointer is
 * 32 bits wide and wraps (APM vol. 1, 2.2.3 "Instruction Pointer": EIP), so the guest resumes
 * at RIP 0. The CS base puts the linear address of RIP 0xFFFFFFFC on the code page. */
static void test_vmgexit_eip_wraps(void **state)
{
	(void)state;
	struct vmcb_save *s = &vmcb()->save;
	s->cs.attrib = ATTR_CODE32;
	s->efer = EFER_SVME;
	s->cr0 = CR0_PE | CR0_ET;
	s->cs.base = CODE_GPA + 4;
	s->rip = 0xFFFFFFFCULL; /* linear (base + EIP) mod 4 GiB = CODE_GPA */
	code((const u8[]){ 0xF3, 0x0F, 0x01, 0xD9 }, 4);
	assert_int_equal(exit_with(SVM_EXIT_VMMCALL, 0, 0), SOFT_ES_HANDOFF);
	assert_int_equal(vmcb()->control.exit_code, SVM_EXIT_VMGEXIT);
	assert_int_equal(s->rip, 0);
	s->cs.base = 0;
}

/* VMGEXIT is recognised through the guest's page tables as they are at each exit (APM vol. 2,
 * 5.3), also when the model reads the bytes in the page it kept from an earlier fetch: long
 * mode, linear code page 1 mapped to CODE_GPA (F3 0F 01 D9), then remapped to a page holding a
 * plain VMMCALL (0F 01 D9: #VC, RIP unchanged), then mapped back. */
#define ALT_CODE_GPA 0x5000
static void test_vmgexit_follows_page_tables(void **state)
{
	(void)state;
	struct vmcb_save *s = &vmcb()->save;
	paged_long_mode();
	s->cs = (struct vmcb_seg){ .selector = 0x08, .attrib = ATTR_CODE64 };
	code((const u8[]){ 0xF3, 0x0F, 0x01, 0xD9 }, 4);
	memcpy(fx.ram + ALT_CODE_GPA, (const u8[]){ 0x0F, 0x01, 0xD9, 0x90 }, 4);

	const u64 maps[] = { CODE_GPA, CODE_GPA, ALT_CODE_GPA, ALT_CODE_GPA, CODE_GPA };
	for (size_t i = 0; i < ARRAY_SIZE(maps); i++) {
		pte(CODE_GPA / PAGE_SIZE, maps[i]);
		s->rip = CODE_GPA;
		vmcb()->control.exit_code = SVM_EXIT_VMMCALL;
		enum soft_es_action a = exit_with(SVM_EXIT_VMMCALL, 0, 0);
		if (maps[i] == CODE_GPA) {
			assert_int_equal(a, SOFT_ES_HANDOFF);
			assert_int_equal(vmcb()->control.exit_code, SVM_EXIT_VMGEXIT);
			assert_int_equal(s->rip, CODE_GPA + 4);
		} else {
			assert_int_equal(a, SOFT_ES_RESUME);
			assert_vc(SVM_EXIT_VMMCALL);
			assert_int_equal(s->rip, CODE_GPA);
		}
	}
}

/* The VMGEXIT bytes are read at the linear address of CS:RIP, which in 64-bit mode is RIP, 64
 * bits wide, the CS base ignored, and elsewhere CS base + EIP (APM vol. 1, 2.2.3; vol. 2,
 * 4.12.2), also where the page kept from the last fetch (here: linear page 0x1000) holds
 * VMGEXIT bytes at the wrong address. 64-bit mode: RIP 4 GiB + 0x1000 (PDPT entry 4 leads to
 * the tables of linear 0-2 MiB, so it reads the bytes at CODE_GPA), under a CS base of 0 and
 * of 0x3000, resumes at RIP + 4, not wrapped. */
static void test_vmgexit_rip_64bit(void **state)
{
	(void)state;
	struct vmcb_save *s = &vmcb()->save;
	paged_long_mode();
	memcpy(fx.ram + PG_PDPT + 4 * 8, &(u64){ PG_PD | 0x3 }, 8);
	s->cs = (struct vmcb_seg){ .selector = 0x08, .attrib = ATTR_CODE64 };
	code((const u8[]){ 0xF3, 0x0F, 0x01, 0xD9 }, 4);
	s->rip = CODE_GPA;
	assert_int_equal(exit_with(SVM_EXIT_VMMCALL, 0, 0), SOFT_ES_HANDOFF);
	for (unsigned i = 0; i < 3; i++) {
		s->cs.base = i ? 0x3000 : 0;
		s->rip = 0x100000000ULL + CODE_GPA;
		assert_int_equal(exit_with(SVM_EXIT_VMMCALL, 0, 0), SOFT_ES_HANDOFF);
		assert_int_equal(vmcb()->control.exit_code, SVM_EXIT_VMGEXIT);
		assert_int_equal(s->rip, 0x100000000ULL + CODE_GPA + 4);
	}
}

/* 32-bit mode: after a VMGEXIT at linear CODE_GPA, EIP CODE_GPA under a CS base of 0x1000 is
 * linear CODE_GPA + 0x1000, which holds a plain VMMCALL: #VC(0x81), RIP unchanged. */
static void test_vmgexit_linear_32bit(void **state)
{
	(void)state;
	struct vmcb_save *s = &vmcb()->save;
	code((const u8[]){ 0xF3, 0x0F, 0x01, 0xD9 }, 4);
	memcpy(fx.ram + CODE_GPA + 0x1000, (const u8[]){ 0x0F, 0x01, 0xD9, 0x90 }, 4);
	s->rip = CODE_GPA;
	assert_int_equal(exit_with(SVM_EXIT_VMMCALL, 0, 0), SOFT_ES_HANDOFF);
	s->cs.base = 0x1000;
	for (unsigned i = 0; i < 2; i++) {
		s->rip = CODE_GPA;
		assert_int_equal(exit_with(SVM_EXIT_VMMCALL, 0, 0), SOFT_ES_RESUME);
		assert_vc(SVM_EXIT_VMMCALL);
		assert_int_equal(s->rip, CODE_GPA);
	}
}

/* (c) CR0/CR4/EFER/CR8 writes: carried out, RIP stepped, write trap with the new value. */
static void test_cr_and_efer_write_traps(void **state)
{
	(void)state;
	struct vmcb_save *s = &vmcb()->save;
	/* mov cr4, eax (0F 22 E0): PAE. */
	code((const u8[]){ 0x0F, 0x22, 0xE0 }, 3);
	s->rax = CR4_PAE;
	assert_int_equal(exit_with(SVM_EXIT_WRITE_CR0 + 4, 0, 0), SOFT_ES_HANDOFF);
	assert_int_equal(vmcb()->control.exit_code, SVM_EXIT_CR0_WRITE_TRAP + 4);
	assert_int_equal(vmcb()->control.exit_info1, CR4_PAE);
	assert_int_equal(s->cr4, CR4_PAE);
	assert_int_equal(s->rip, CODE_GPA + 3);

	/* wrmsr EFER = LME: trap value includes SVME (facts G10): 0x1100. */
	s->rip = CODE_GPA;
	code((const u8[]){ 0x0F, 0x30 }, 2);
	vcpu()->gprs.rcx = 0xC0000080;
	s->rax = EFER_LME;
	vcpu()->gprs.rdx = 0;
	assert_int_equal(exit_with(SVM_EXIT_MSR, 1, 0), SOFT_ES_HANDOFF);
	assert_int_equal(vmcb()->control.exit_code, SVM_EXIT_EFER_WRITE_TRAP);
	assert_int_equal(vmcb()->control.exit_info1, 0x1100);
	assert_int_equal(s->efer, 0x1100);
	assert_int_equal(s->rip, CODE_GPA + 2);
	/* The hypervisor records the trap. */
	assert_int_equal(cr_shadow_trap(vcpu(), SVM_EXIT_EFER_WRITE_TRAP, 0x1100), CR_SHADOW_DONE);

	/* mov cr0, eax: PG on with LME -> hardware LMA (facts G11); trap value = the new CR0. */
	s->rip = CODE_GPA;
	code((const u8[]){ 0x0F, 0x22, 0xC0 }, 3);
	s->rax = 0x80000011;
	assert_int_equal(exit_with(SVM_EXIT_WRITE_CR0, 0, 0), SOFT_ES_HANDOFF);
	assert_int_equal(vmcb()->control.exit_code, SVM_EXIT_CR0_WRITE_TRAP);
	assert_int_equal(vmcb()->control.exit_info1, 0x80000011);
	assert_int_equal(s->cr0, 0x80000011);
	assert_int_equal(s->efer, EFER_SVME | EFER_LME | EFER_LMA);
	assert_int_equal(s->rip, CODE_GPA + 3);
	assert_int_equal(cr_shadow_trap(vcpu(), SVM_EXIT_CR0_WRITE_TRAP, 0x80000011), CR_SHADOW_DONE);
	assert_int_equal(cr_shadow_get_efer(vcpu()), EFER_LME | EFER_LMA);

	/* mov cr8, rax (44 0F 22 C0) in 64-bit mode: V_TPR, trap 0x98. */
	s->cs.attrib = ATTR_CODE64;
	s->cr0 = CR0_PE | CR0_ET; /* the fixture has no guest page tables: fetch by physical address */
	s->rip = CODE_GPA;
	code((const u8[]){ 0x44, 0x0F, 0x22, 0xC0 }, 4);
	s->rax = 7;
	assert_int_equal(exit_with(SVM_EXIT_WRITE_CR0 + 8, 0, 0), SOFT_ES_HANDOFF);
	assert_int_equal(vmcb()->control.exit_code, SVM_EXIT_CR0_WRITE_TRAP + 8);
	assert_int_equal(vmcb()->control.exit_info1, 7);
	assert_int_equal(vmcb()->control.int_ctl & SVM_INT_CTL_V_TPR_MASK, 7);
	assert_int_equal(s->rip, CODE_GPA + 4);
}

/* Puts the model's CPU in 64-bit long mode with EFER = SVME|NXE|LMA|LME (0x1D00) and the
 * hypervisor's shadow in step (as the traps of the entry would have left it). */
#define PML4_GPA 0xA000
#define PDPT_GPA 0xB000
#define PD_GPA 0xC000
static void long_mode(void)
{
	struct vmcb_save *s = &vmcb()->save;
	/* Identity map of the first 2 MiB: PML4 -> PDPT -> PD with one 2 MiB page (P, RW, PS). */
	u64 e = PDPT_GPA | 3;
	memcpy(fx.ram + PML4_GPA, &e, 8);
	e = PD_GPA | 3;
	memcpy(fx.ram + PDPT_GPA, &e, 8);
	e = 0x83;
	memcpy(fx.ram + PD_GPA, &e, 8);
	s->cr3 = PML4_GPA;
	s->cr0 = CR0_PG | CR0_PE | CR0_ET;
	s->cr4 = CR4_PAE;
	s->efer = EFER_SVME | EFER_NXE | EFER_LMA | EFER_LME;
	cr_shadow_trap(vcpu(), SVM_EXIT_CR0_WRITE_TRAP + 4, s->cr4);
	cr_shadow_trap(vcpu(), SVM_EXIT_EFER_WRITE_TRAP, s->efer);
	cr_shadow_trap(vcpu(), SVM_EXIT_CR0_WRITE_TRAP, s->cr0);
}

/* wrmsr EFER from the 32-bit code the fixture fetches by physical address (CS.L=0 keeps the
 * fetch simple; the EFER rules do not depend on CS). */
static enum soft_es_action wrmsr_efer(u64 value)
{
	vmcb()->save.rip = CODE_GPA;
	code((const u8[]){ 0x0F, 0x30 }, 2);
	vcpu()->gprs.rcx = 0xC0000080;
	vmcb()->save.rax = (u32)value;
	vcpu()->gprs.rdx = value >> 32;
	return exit_with(SVM_EXIT_MSR, 1, 0);
}

static void assert_gp_no_trap(u64 efer_before)
{
	assert_true(vcpu()->pending.pending);
	assert_int_equal(vcpu()->pending.info, SVM_EVT_VALID | SVM_EVT_TYPE_EXCEPTION | SVM_EVT_ERR_VALID | 13u);
	assert_int_equal(vcpu()->pending.err_code, 0);
	assert_int_equal(vmcb()->save.efer, efer_before);
	assert_int_equal(vmcb()->save.rip, CODE_GPA);
	vcpu()->pending.pending = false;
}

/* Issue 10 item 3. A guest reads EFER = 0x1D00 natively (SVME shown, APM 15.4) and writes it
 * back, or with one bit changed (SCE, bit 0): the write completes and arrives as the EFER write
 * trap with the new hardware value. SVME written as 0 stays 1 (the hardware's bit). */
static void test_efer_write_back_with_svme(void **state)
{
	(void)state;
	long_mode();
	assert_int_equal(wrmsr_efer(0x1D00), SOFT_ES_HANDOFF);
	assert_int_equal(vmcb()->control.exit_code, SVM_EXIT_EFER_WRITE_TRAP);
	assert_int_equal(vmcb()->control.exit_info1, 0x1D00);
	assert_int_equal(vmcb()->save.rip, CODE_GPA + 2);
	assert_false(vcpu()->pending.pending);

	assert_int_equal(wrmsr_efer(0x1D01), SOFT_ES_HANDOFF); /* rdmsr; or SCE; wrmsr */
	assert_int_equal(vmcb()->control.exit_info1, 0x1D01);
	assert_int_equal(vmcb()->save.efer, 0x1D01);

	assert_int_equal(wrmsr_efer(0x0D00), SOFT_ES_HANDOFF); /* SVME clear in the value */
	assert_int_equal(vmcb()->control.exit_info1, 0x1D00);
	/* LMA written as 0 under paging: LMA is read-only, the CPU keeps it (APM 3.1.7). */
	assert_int_equal(wrmsr_efer(0x1900), SOFT_ES_HANDOFF);
	assert_int_equal(vmcb()->control.exit_info1, 0x1D00);
}

/* The architectural rules still hold for the bits other than SVME (APM vol. 2, 3.1.7, 14.6.1):
 * each write below is #GP, taken before it has any effect (no trap, RIP unchanged). */
static void test_efer_rules_apply_beside_svme(void **state)
{
	(void)state;
	long_mode();
	static const u64 refused[] = {
		0x1D00 & ~EFER_LME,    /* LME cleared while CR0.PG = 1 (14.6.1) */
		0x1D00 | BIT(13),      /* LMSLE: CPUID 0x80000008 EBX[20] says must be zero */
		0x1D00 | BIT(9),       /* reserved (bit 9) */
		0x1D00 | BIT(63),      /* reserved (bits 63:22) */
		0x1D00 | EFER_FFXSR,   /* FFXSR without CPUID 0x80000001 EDX[25] */
	};
	for (size_t i = 0; i < ARRAY_SIZE(refused); i++) {
		assert_int_equal(wrmsr_efer(refused[i]), SOFT_ES_RESUME);
		assert_gp_no_trap(0x1D00);
	}
	/* Paging off, LME may change; with SVME in the value as read. */
	struct vmcb_save *s = &vmcb()->save;
	s->cr0 = CR0_PE | CR0_ET;
	s->efer = EFER_SVME | EFER_NXE | EFER_LME;
	assert_int_equal(wrmsr_efer(0x1800), SOFT_ES_HANDOFF);
	assert_int_equal(vmcb()->control.exit_info1, 0x1800);
}

/* Native RDMSR (the VMCB's EFER, unintercepted) and the GHCB MSR request (msr_read through the
 * hypervisor's shadow) answer the same value; a GHCB write of the value read completes, a
 * change is #GP (the hypervisor cannot change an encrypted EFER). */
static void test_efer_reads_agree(void **state)
{
	(void)state;
	long_mode();
	assert_int_equal(wrmsr_efer(0x1D01), SOFT_ES_HANDOFF);
	assert_int_equal(cr_shadow_trap(vcpu(), SVM_EXIT_EFER_WRITE_TRAP, vmcb()->control.exit_info1),
			 CR_SHADOW_DONE);
	u64 val = 0;
	assert_int_equal(msr_read(vcpu(), 0xC0000080, &val), MSR_OK);
	assert_int_equal(val, vmcb()->save.efer);
	assert_int_equal(val, 0x1D01);
	assert_int_equal(msr_write(vcpu(), 0xC0000080, 0x1D01), MSR_OK);
	assert_int_equal(msr_write(vcpu(), 0xC0000080, 0x1D00), MSR_GP);
	assert_int_equal(msr_read(vcpu(), 0xC0000080, &val), MSR_OK);
	assert_int_equal(val, 0x1D01);
}

/* A write the CPU refuses (PG without PE) is #GP before it takes effect: no trap. */
static void test_cr0_write_refused_is_gp(void **state)
{
	(void)state;
	struct vmcb_save *s = &vmcb()->save;
	code((const u8[]){ 0x0F, 0x22, 0xC0 }, 3);
	s->rax = CR0_PG;
	assert_int_equal(exit_with(SVM_EXIT_WRITE_CR0, 0, 0), SOFT_ES_RESUME);
	assert_true(vcpu()->pending.pending);
	assert_int_equal(vcpu()->pending.info & 0xFF, 13);
	assert_int_equal(s->cr0, CR0_PE | CR0_ET);
	assert_int_equal(s->rip, CODE_GPA);
}

/* (d) the GHCB MSR lives in VMCB 0xA0; the model serves it and the hypervisor never sees it. */
static void test_ghcb_msr(void **state)
{
	(void)state;
	struct vmcb_save *s = &vmcb()->save;
	code((const u8[]){ 0x0F, 0x30 }, 2);
	vcpu()->gprs.rcx = 0xC0010130;
	s->rax = 0x00005002; /* REG_GPA_REQ-like value */
	vcpu()->gprs.rdx = 0x1234;
	assert_int_equal(exit_with(SVM_EXIT_MSR, 1, 0), SOFT_ES_RESUME);
	assert_int_equal(vmcb()->control.ghcb_gpa, 0x0000123400005002ULL);
	assert_int_equal(s->rip, CODE_GPA + 2);
	assert_false(vcpu()->pending.pending);

	s->rip = CODE_GPA;
	code((const u8[]){ 0x0F, 0x32 }, 2);
	vmcb()->control.ghcb_gpa = 0xAABBCCDD11223344ULL;
	assert_int_equal(exit_with(SVM_EXIT_MSR, 0, 0), SOFT_ES_RESUME);
	assert_int_equal(s->rax, 0x11223344);
	assert_int_equal(vcpu()->gprs.rdx, 0xAABBCCDD);
	assert_int_equal(s->rip, CODE_GPA + 2);
}

/* The model reports the guest's RFLAGS.IF in int_state bit 1 on every exit, as SEV-ES hardware
 * does (APM 15.35; facts G28), leaving the shadow bit alone. */
static void test_reports_if(void **state)
{
	(void)state;
	vmcb()->save.rflags = 0x202;
	vmcb()->control.int_state = 1;
	assert_int_equal(exit_with(SVM_EXIT_INTR, 0, 0), SOFT_ES_HANDOFF);
	assert_int_equal(vmcb()->control.int_state, 3);
	vmcb()->save.rflags = 0x2;
	assert_int_equal(exit_with(SVM_EXIT_INTR, 0, 0), SOFT_ES_HANDOFF);
	assert_int_equal(vmcb()->control.int_state, 1);
}

/* The IF reported is the one the guest resumes with: after a #VC delivered through an
 * interrupt gate it is clear, so the hypervisor injects no interrupt at the handler's first
 * instruction (hardware raises #VC inside the guest, and reports IF only at the next exit). */
static void test_reports_if_after_vc_delivery(void **state)
{
	(void)state;
	struct vmcb_save *s = &vmcb()->save;
	s->efer = EFER_SVME | EFER_LME | EFER_LMA;
	s->cs = (struct vmcb_seg){ .selector = 0x08, .attrib = ATTR_CODE64 };
	s->rflags = BIT(1) | BIT(9);
	s->idtr = (struct vmcb_seg){ .base = IDT_GPA, .limit = 32 * 16 - 1 };
	s->gdtr = (struct vmcb_seg){ .base = GDT_GPA, .limit = 0x27 };
	u64 gdt64 = 0x00AF9A000000FFFFULL;
	memcpy(fx.ram + GDT_GPA + 8, &gdt64, 8);
	u8 gate[16] = { 0x34, 0x12, 0x08, 0x00, 0x00, 0x8E, 0x00, 0x00 };
	memcpy(fx.ram + IDT_GPA + 29 * 16, gate, 16);
	vmcb()->control.int_state = 2;
	assert_int_equal(exit_with(SVM_EXIT_IOIO, 0, 0), SOFT_ES_RESUME);
	assert_int_equal(s->rip, 0x1234);
	assert_int_equal(vmcb()->control.int_state & 2, 0);
}

/* SEV_STATUS (APM vol. 2, 15.34.10) is read from the CPU without an exit on SEV-ES hardware:
 * the model answers RDMSR 0xC0010131 itself with SEV (bit 0) and SEV-ES (bit 1), and steps
 * over it; no #VC. The MSR is read-only: WRMSR is #GP. */
static void test_sev_status_read_by_the_cpu(void **state)
{
	(void)state;
	struct vmcb_save *s = &vmcb()->save;
	code((const u8[]){ 0x0F, 0x32 }, 2);
	vcpu()->gprs.rcx = 0xC0010131;
	s->rax = 0xFFFF;
	vcpu()->gprs.rdx = 0xFFFF;
	assert_int_equal(exit_with(SVM_EXIT_MSR, 0, 0), SOFT_ES_RESUME);
	assert_false(vcpu()->pending.pending);
	assert_int_equal(s->rax, 3);
	assert_int_equal(vcpu()->gprs.rdx, 0);
	assert_int_equal(s->rip, CODE_GPA + 2);

	s->rip = CODE_GPA;
	code((const u8[]){ 0x0F, 0x30 }, 2);
	assert_int_equal(exit_with(SVM_EXIT_MSR, 1, 0), SOFT_ES_RESUME);
	assert_true(vcpu()->pending.pending);
	assert_int_equal(vcpu()->pending.info & 0xFF, 13);
	assert_int_equal(s->rip, CODE_GPA);
}

/* (e) automatic exits pass unchanged; an NPF with RSV set in its error code (a reserved-bit
 * MMIO entry) is #VC(0x400), any other NPF is automatic (APM 15.35.5, facts G23); HLT
 * completes. NPF error codes (APM 15.25.6): bit 0 P, 1 write, 2 user, 3 RSV, 32 final GPA. */
static void test_automatic_and_npf(void **state)
{
	(void)state;
	assert_int_equal(exit_with(SVM_EXIT_INTR, 0, 0), SOFT_ES_HANDOFF);
	assert_int_equal(vmcb()->control.exit_code, SVM_EXIT_INTR);
	assert_int_equal(exit_with(SVM_EXIT_SHUTDOWN, 0, 0), SOFT_ES_HANDOFF);
	assert_int_equal(exit_with(SVM_EXIT_INVALID, 0, 0), SOFT_ES_HANDOFF);
	/* NPF on RAM, C-bit alias included. */
	assert_int_equal(exit_with(SVM_EXIT_NPF, 4, BIT(CBIT) | 0x2000), SOFT_ES_HANDOFF);
	assert_int_equal(vmcb()->control.exit_code, SVM_EXIT_NPF);
	assert_false(vcpu()->pending.pending);
	/* No entry at all outside RAM: automatic too (the hypervisor sees the unbacked GPA). */
	assert_int_equal(exit_with(SVM_EXIT_NPF, 0x100000006ULL, 0xFED00000), SOFT_ES_HANDOFF);
	assert_int_equal(vmcb()->control.exit_code, SVM_EXIT_NPF);
	assert_false(vcpu()->pending.pending);
	/* MMIO: present, write, user, RSV, final GPA. */
	assert_int_equal(exit_with(SVM_EXIT_NPF, 0x10000000FULL, 0xFEE00000), SOFT_ES_RESUME);
	assert_vc(SVM_EXIT_NPF);
	assert_int_equal(vmcb()->save.rip, CODE_GPA);
	/* HLT: automatic, RIP past it. */
	code((const u8[]){ 0xF4 }, 1);
	assert_int_equal(exit_with(SVM_EXIT_HLT, 0, 0), SOFT_ES_HANDOFF);
	assert_int_equal(vmcb()->control.exit_code, SVM_EXIT_HLT);
	assert_int_equal(vmcb()->save.rip, CODE_GPA + 1);
}

/* Every #VC the model raises is counted by its error code (the exit code, APM 15.35.5); exits
 * the model hands on (automatic ones, NPF on RAM) are not #VC and are not counted. */
static void test_vc_counted_by_exit_code(void **state)
{
	(void)state;
	for (int i = 0; i < 3; i++)
		assert_int_equal(exit_with(SVM_EXIT_CPUID, 0, 0), SOFT_ES_RESUME);
	for (int i = 0; i < 2; i++)
		assert_int_equal(exit_with(SVM_EXIT_IOIO, 0x3F80010, 0), SOFT_ES_RESUME);
	assert_int_equal(exit_with(SVM_EXIT_RDTSC, 0, 0), SOFT_ES_RESUME);
	assert_int_equal(exit_with(SVM_EXIT_NPF, 0x10000000FULL, 0xFEE00000), SOFT_ES_RESUME);
	assert_int_equal(exit_with(SVM_EXIT_NPF, 4, BIT(CBIT) | 0x2000), SOFT_ES_HANDOFF);
	assert_int_equal(exit_with(SVM_EXIT_INTR, 0, 0), SOFT_ES_HANDOFF);
	assert_int_equal(exit_with(SVM_EXIT_HLT, 0, 0), SOFT_ES_HANDOFF);
	char buf[96];
	assert_int_equal(soft_es_vc_format(vcpu(), buf, sizeof(buf)), strlen("RDTSC=1 CPUID=3 IOIO=2 NPF=1"));
	assert_string_equal(buf, "CPUID=3 IOIO=2 NPF=1 RDTSC=1");
	/* Cut at size - 1, NUL-terminated. */
	assert_int_equal(soft_es_vc_format(vcpu(), buf, 8), 7);
	assert_string_equal(buf, "CPUID=3");
	/* Named from the exit-code table; a code the model never reflects goes to "other". */
	assert_string_equal(soft_es_vc_name(soft_es_vc_slot(SVM_EXIT_READ_DR0 + 7)), "DR7_READ");
	assert_string_equal(soft_es_vc_name(soft_es_vc_slot(SVM_EXIT_MSR)), "MSR");
	assert_string_equal(soft_es_vc_name(soft_es_vc_slot(SVM_EXIT_HLT)), "other");
	/* The index table (APM appendix C codes): NPF is 0x400, READ_CR0 0x000 shares its low
	 * byte and is not reflected; codes above 0xFF other than NPF, and VMEXIT_INVALID (-1),
	 * are "other" too. */
	assert_string_equal(soft_es_vc_name(soft_es_vc_slot(0x400)), "NPF");
	assert_string_equal(soft_es_vc_name(soft_es_vc_slot(0x000)), "other");
	assert_string_equal(soft_es_vc_name(soft_es_vc_slot(0x172)), "other");
	assert_string_equal(soft_es_vc_name(soft_es_vc_slot(0x472)), "other");
	assert_string_equal(soft_es_vc_name(soft_es_vc_slot(~0ULL)), "other");
	assert_string_equal(soft_es_vc_name(soft_es_vc_slot(0x08D)), "XSETBV");
	assert_string_equal(soft_es_vc_name(soft_es_vc_slot(0x018)), "CR8_WRITE");
	/* A fresh vCPU has none. */
	memset(vcpu()->vc_counts, 0, sizeof(vcpu()->vc_counts));
	assert_int_equal(soft_es_vc_format(vcpu(), buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
}

/* The hypervisor's accessors refuse a soft-es vCPU's registers. */
static void test_state_protected(void **state)
{
	(void)state;
	u64 x;
	assert_false(vcpu_reg_read(vcpu(), VCPU_RIP, &x));
	assert_false(vcpu_reg_write(vcpu(), VCPU_RAX, 1));
}

/* svm_skip_insn on a protected vCPU: the CPU already moved RIP (HLT is automatic), so the
 * hypervisor neither moves it nor trips the accessor refusal (exit.c fix). */
static void test_skip_insn_leaves_protected_rip(void **state)
{
	(void)state;
	cr_log_capture();
	vmcb()->control.int_state = SVM_INT_STATE_SHADOW;
	svm_skip_insn(vcpu(), 1);
	assert_int_equal(vmcb()->save.rip, CODE_GPA);
	assert_int_equal(cr_log_count("refused"), 0);
	log_reset();
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_setup_intercepts_and_ghcb_msr),
		T(test_pick_cbit),
		T(test_non_automatic_become_vc),
		T(test_vc_delivered_in_long_mode),
		T(test_vc_delivery_follows_page_tables),
		T(test_vc_delivered_in_legacy_protected_mode),
		T(test_vc_delivered_in_compatibility_mode),
		T(test_vc_fallbacks_to_eventinj),
		T(test_vc_rereads_gate_and_descriptor),
		T(test_vc_follows_idtr_and_gdtr),
		T(test_vc_gate_size_follows_mode),
		T(test_vc_kept_way_follows_changes),
		T(test_vc_gate_bytes_read_per_mode),
		T(test_vmgexit_and_vmmcall),
		T(test_vmgexit_forms),
		T(test_vmgexit_eip_wraps),
		T(test_vmgexit_follows_page_tables),
		T(test_vmgexit_rip_64bit),
		T(test_vmgexit_linear_32bit),
		T(test_cr_and_efer_write_traps),
		T(test_cr0_write_refused_is_gp),
		T(test_efer_write_back_with_svme),
		T(test_efer_rules_apply_beside_svme),
		T(test_efer_reads_agree),
		T(test_ghcb_msr),
		T(test_reports_if),
		T(test_reports_if_after_vc_delivery),
		T(test_sev_status_read_by_the_cpu),
		T(test_vc_from_cpl3_switches_to_rsp0),
		T(test_vc_from_cpl3_switches_to_ist),
		T(test_automatic_and_npf),
		T(test_vc_counted_by_exit_code),
		T(test_state_protected),
		T(test_skip_insn_leaves_protected_rip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
