/* Shadow EFER/CR0/CR4/CR8: LMA inference, SVME masking, SEV-ES write traps, the plain-mode
 * #GP rules and the transition log. Vectors come from the APM rules (vol. 2, 3.1.1-3.1.3
 * control registers, 3.1.7 EFER, 14.6-14.7 long mode, 15.35.6 write traps; vol. 3 MOV CRn,
 * LMSW, CLTS) and from the QEMU SEV-ES crash (QEMU commit 5746f70d68). */
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>
#include "cr_fixture.h"
#include "svm/exit_codes.h"
#include "svm/cr_shadow_exit.h"

#define TRAP_EFER SVM_EXIT_EFER_WRITE_TRAP
#define TRAP_CR(n) (SVM_EXIT_CR0_WRITE_TRAP + (n))
#define CS_LONG (SVM_SEG_P | SVM_SEG_S | SVM_SEG_L | 0xB)  /* 64-bit code segment */
#define CS_32 (SVM_SEG_P | SVM_SEG_S | SVM_SEG_DB | 0xB)   /* 32-bit code segment */

static bool lma_consistent(const struct vcpu *v)
{
	u64 efer = cr_shadow_get_efer(v);
	bool want = (efer & EFER_LME) && (v->cr.cr0 & CR0_PG);
	return ((efer & EFER_LMA) != 0) == want;
}

/* ---- the seed: the exact QEMU crash sequence -------------------------------------------- */

/* A guest enables PAE, sets EFER.LME, then turns paging on. Hardware sets LMA by itself and no
 * trap reports it. A tracker copying the trapped EFER held LME=1, LMA=0 with PG on, and the
 * write-back of that state (KVM_SET_SREGS) was rejected. */
static void run_seed_traps(struct vcpu *v)
{
	assert_int_equal(cr_shadow_trap(v, TRAP_CR(4), CR4_PAE), CR_SHADOW_DONE);
	/* The trapped EFER is the real one: SVME is set in it. */
	assert_int_equal(cr_shadow_trap(v, TRAP_EFER, EFER_LME | EFER_SVME), CR_SHADOW_DONE);
	assert_int_equal(cr_shadow_get_efer(v), EFER_LME); /* no LMA yet: paging is off */
	assert_int_equal(cr_shadow_trap(v, TRAP_CR(0), CR0_PE | CR0_ET | CR0_PG), CR_SHADOW_DONE);
}

static void test_seed_sequence_protected(void **state)
{
	(void)state;
	struct cr_fixture *f = cr_fixture_new(VM_MODE_SEV_ES, true, &cr_fixture_multiboot, 0);
	run_seed_traps(&f->v);

	struct vcpu_sregs s;
	vcpu_sregs_get(&f->v, &s);
	assert_int_equal(s.efer, EFER_LME | EFER_LMA);
	assert_int_equal(s.cr0, CR0_PE | CR0_ET | CR0_PG);
	assert_int_equal(s.cr4, CR4_PAE);
	/* What get returned is a consistent state that set would accept... */
	assert_null(vcpu_sregs_check(&s, f->v.cr.cr4_allowed));
	/* ...while the buggy tracker's state is exactly what the check rejects. */
	struct vcpu_sregs bug = s;
	bug.efer = EFER_LME;
	assert_string_equal(vcpu_sregs_check(&bug, f->v.cr.cr4_allowed),
			    "EFER.LMA must equal EFER.LME && CR0.PG");
	/* The encrypted state cannot be set: refused, not dropped. */
	cr_log_capture();
	assert_int_equal(vcpu_sregs_set(&f->v, &s), VCPU_SREGS_EPROTECTED);
	assert_int_equal(cr_log_count("refused"), 1);
	/* The save area of a protected vCPU was never touched. */
	assert_int_equal(f->vmcb.save.cr0, CR0_PE | CR0_ET);
	assert_int_equal(f->vmcb.save.efer, EFER_SVME);
	free(f);
}

static void test_seed_sequence_unprotected(void **state)
{
	(void)state;
	/* The same traps on a vCPU whose state is visible (soft-es with hiding off): the one code
	 * path records them the same way, and here set really applies. */
	struct cr_fixture *f = cr_fixture_new(VM_MODE_SOFT_ES, false, &cr_fixture_multiboot, 0);
	run_seed_traps(&f->v);
	struct vcpu_sregs s, again;
	vcpu_sregs_get(&f->v, &s);
	assert_int_equal(s.unavailable, 0);
	assert_int_equal(s.efer, EFER_LME | EFER_LMA);
	assert_int_equal(vcpu_sregs_set(&f->v, &s), VCPU_SREGS_OK);
	vcpu_sregs_get(&f->v, &again);
	assert_memory_equal(&s, &again, sizeof(s));
	assert_int_equal(f->vmcb.save.efer, EFER_LME | EFER_LMA | EFER_SVME);
	assert_int_equal(f->vmcb.save.cr0, CR0_PE | CR0_ET | CR0_PG);
	assert_int_equal(f->vmcb.save.cr4, CR4_PAE);
	free(f);
}

/* ---- LMA inference ---------------------------------------------------------------------- */

static void test_pg_off_clears_lma(void **state)
{
	(void)state;
	struct cr_fixture *f = cr_fixture_new(VM_MODE_SEV_ES, true, &cr_fixture_multiboot, 0);
	run_seed_traps(&f->v);
	assert_true(cr_shadow_get_efer(&f->v) & EFER_LMA);
	cr_shadow_trap(&f->v, TRAP_CR(0), CR0_PE | CR0_ET);
	assert_int_equal(cr_shadow_get_efer(&f->v), EFER_LME); /* LME stays, LMA goes */
	cr_shadow_trap(&f->v, TRAP_CR(0), CR0_PE | CR0_ET | CR0_PG);
	assert_int_equal(cr_shadow_get_efer(&f->v), EFER_LME | EFER_LMA);
	/* Leaving via EFER: with PG off, clearing LME; LMA follows. */
	cr_shadow_trap(&f->v, TRAP_CR(0), CR0_PE | CR0_ET);
	cr_shadow_trap(&f->v, TRAP_EFER, EFER_SVME);
	assert_int_equal(cr_shadow_get_efer(&f->v), 0);
	free(f);
}

static void test_lma_never_taken_from_written_value(void **state)
{
	(void)state;
	struct cr_fixture *f = cr_fixture_new(VM_MODE_SEV_ES, true, &cr_fixture_multiboot, 0);
	/* LMA in a written value with paging off: ignored. */
	cr_shadow_trap(&f->v, TRAP_EFER, EFER_LME | EFER_LMA | EFER_SVME);
	assert_int_equal(cr_shadow_get_efer(&f->v), EFER_LME);
	cr_shadow_set_efer(&f->v, EFER_LME | EFER_LMA);
	assert_int_equal(cr_shadow_get_efer(&f->v), EFER_LME);
	/* Paging without LME: no LMA. */
	cr_shadow_trap(&f->v, TRAP_EFER, EFER_SVME | EFER_NXE);
	cr_shadow_trap(&f->v, TRAP_CR(0), CR0_PE | CR0_PG);
	assert_int_equal(cr_shadow_get_efer(&f->v), EFER_NXE);
	/* A reset state that claims LMA without paging: inferred away. */
	struct cr_shadow_regs odd = { .efer = EFER_LMA | EFER_LME, .cr0 = CR0_PE | CR0_ET };
	cr_shadow_reset(&f->v, &odd, 0);
	assert_int_equal(cr_shadow_get_efer(&f->v), EFER_LME);
	/* A reset state in long mode: LMA inferred on. */
	struct cr_shadow_regs lm = { .efer = EFER_LME, .cr0 = CR0_PE | CR0_ET | CR0_PG, .cr4 = CR4_PAE };
	cr_shadow_reset(&f->v, &lm, 0);
	assert_int_equal(cr_shadow_get_efer(&f->v), EFER_LME | EFER_LMA);
	free(f);
}

/* ---- SVME ------------------------------------------------------------------------------- */

static void test_svme_masking(void **state)
{
	(void)state;
	struct cr_fixture *f = cr_fixture_new(VM_MODE_PLAIN, false, NULL, 0);
	/* Reset: hardware EFER has SVME, guest-visible EFER does not. */
	assert_int_equal(cr_shadow_get_efer(&f->v), 0);
	assert_int_equal(f->vmcb.save.efer, EFER_SVME);
	assert_int_equal(cr_shadow_hw_efer(&f->v), EFER_SVME);
	/* WRMSR(EFER) path with SVME in the value (as if a guest wrote it): masked. */
	cr_shadow_set_efer(&f->v, EFER_SVME | EFER_SCE);
	assert_int_equal(cr_shadow_get_efer(&f->v), EFER_SCE);
	assert_int_equal(f->vmcb.save.efer, EFER_SCE | EFER_SVME);
	/* ...and writing EFER without SVME keeps SVME in hardware. */
	cr_shadow_set_efer(&f->v, EFER_NXE);
	assert_int_equal(f->vmcb.save.efer, EFER_NXE | EFER_SVME);
	/* The trap value includes SVME: masked. */
	cr_shadow_trap(&f->v, TRAP_EFER, EFER_SVME | EFER_NXE | EFER_SCE);
	assert_int_equal(cr_shadow_get_efer(&f->v), EFER_NXE | EFER_SCE);
	struct vcpu_sregs s;
	vcpu_sregs_get(&f->v, &s);
	assert_int_equal(s.efer & EFER_SVME, 0);
	assert_int_equal(cr_shadow_hw_efer(&f->v), EFER_NXE | EFER_SCE | EFER_SVME);
	free(f);
}

/* ---- reset -------------------------------------------------------------------------------- */

static void test_reset_values(void **state)
{
	(void)state;
	/* APM vol. 2, 14.1.3: CR0 = 6000_0010h, CR3 = CR4 = 0, EFER = 0 after RESET. */
	struct cr_fixture *f = cr_fixture_new(VM_MODE_PLAIN, false, NULL, 0);
	assert_int_equal(f->v.cr.cr0, 0x60000010);
	assert_int_equal(f->v.cr.cr4, 0);
	assert_int_equal(f->v.cr.cr8, 0);
	assert_int_equal(f->v.cr.cr4_allowed, CR_SHADOW_CR4_BASELINE);
	assert_int_equal(f->vmcb.save.cr0, 0x60000010);
	assert_int_equal(f->vmcb.save.cr3, 0);
	/* A launch state with CR3 and CR8 and a CPUID-derived CR4 mask. */
	f->vmcb.control.int_ctl = SVM_INT_CTL_V_INTR_MASKING;
	struct cr_shadow_regs st = { .cr0 = CR0_PE | CR0_ET, .cr3 = 0x1000, .cr8 = 3 };
	cr_shadow_reset(&f->v, &st, CR_SHADOW_CR4_BASELINE | CR4_OSXSAVE);
	assert_int_equal(f->v.cr.cr4_allowed, CR_SHADOW_CR4_BASELINE | CR4_OSXSAVE);
	assert_int_equal(cr_shadow_cr4_allowed(&f->v), CR_SHADOW_CR4_BASELINE | CR4_OSXSAVE);
	/* A vCPU that was never reset still gets the baseline, not "nothing allowed". */
	f->v.cr.cr4_allowed = 0;
	assert_int_equal(cr_shadow_cr4_allowed(&f->v), CR_SHADOW_CR4_BASELINE);
	assert_int_equal(cr_shadow_write_cr(&f->v, 4, CR4_PAE), CR_SHADOW_DONE);
	assert_int_equal(f->vmcb.save.cr3, 0x1000);
	assert_int_equal(f->vmcb.save.cr0, CR0_PE | CR0_ET);
	assert_int_equal(f->vmcb.control.int_ctl, SVM_INT_CTL_V_INTR_MASKING | 3);
	free(f);
}

/* ---- traps -------------------------------------------------------------------------------- */

static void test_trap_table(void **state)
{
	(void)state;
	static const struct {
		u64 code;
		bool tracked;
	} vec[] = {
		{ 0x8F, true }, { 0x90, true }, { 0x94, true }, { 0x98, true },
		{ 0x8E, false }, { 0x91, false }, { 0x92, false }, { 0x93, false }, { 0x95, false },
		{ 0x99, false }, { 0x9F, false }, { 0xA0, false }, { 0x00, false }, { 0x403, false },
		{ ~0ULL, false },
	};
	for (size_t i = 0; i < ARRAY_SIZE(vec); i++)
		assert_int_equal(cr_shadow_is_trap(vec[i].code), vec[i].tracked);

	struct cr_fixture *f = cr_fixture_new(VM_MODE_SEV_ES, true, &cr_fixture_multiboot, 0);
	struct cr_shadow before = f->v.cr;
	cr_log_capture();
	assert_int_equal(cr_shadow_trap(&f->v, TRAP_CR(3), 0x5000), CR_SHADOW_UNSUPPORTED);
	assert_int_equal(cr_log_count("not tracked"), 1);
	assert_memory_equal(&before, &f->v.cr, sizeof(before));
	free(f);
}

static void test_traps_record_never_refuse(void **state)
{
	(void)state;
	struct cr_fixture *f = cr_fixture_new(VM_MODE_SEV_ES, true, &cr_fixture_multiboot, 0);
	struct vmcb_save save_before = f->vmcb.save;
	/* Values a MOV would #GP on are recorded as reported: the write already happened. */
	assert_int_equal(cr_shadow_trap(&f->v, TRAP_CR(4), CR4_OSXSAVE | CR4_PAE), CR_SHADOW_DONE);
	assert_int_equal(f->v.cr.cr4, CR4_OSXSAVE | CR4_PAE);
	assert_int_equal(cr_shadow_trap(&f->v, TRAP_CR(0), CR0_NW | CR0_PE), CR_SHADOW_DONE);
	assert_int_equal(f->v.cr.cr0, CR0_NW | CR0_PE);
	/* A protected vCPU's save area is never written. */
	assert_memory_equal(&save_before, &f->vmcb.save, sizeof(save_before));
	free(f);
}

static void test_cr8_and_v_tpr(void **state)
{
	(void)state;
	struct cr_fixture *f = cr_fixture_new(VM_MODE_SEV_ES, true, &cr_fixture_multiboot, 0);
	f->vmcb.control.int_ctl = SVM_INT_CTL_V_IRQ | SVM_INT_CTL_V_INTR_MASKING;
	/* CR8 trap: shadow and V_TPR agree; the other int_ctl bits are kept. The control area is
	 * never encrypted, so this holds for a protected vCPU too. */
	assert_int_equal(cr_shadow_trap(&f->v, TRAP_CR(8), 5), CR_SHADOW_DONE);
	assert_int_equal(f->v.cr.cr8, 5);
	assert_int_equal(f->vmcb.control.int_ctl, SVM_INT_CTL_V_IRQ | SVM_INT_CTL_V_INTR_MASKING | 5);
	/* The guest's CR8 writes that do not exit land in V_TPR, where CR8 is read. */
	f->vmcb.control.int_ctl = (f->vmcb.control.int_ctl & ~0xFu) | 9;
	cr_shadow_after_exit(&f->v);
	assert_int_equal(cr_shadow_get_cr8(&f->v), 9);
	struct vcpu_sregs s;
	vcpu_sregs_get(&f->v, &s);
	assert_int_equal(s.cr8, 9);
	free(f);

	/* Plain MOV CR8. */
	f = cr_fixture_new(VM_MODE_PLAIN, false, &cr_fixture_multiboot, 0);
	f->vmcb.control.clean_bits = ~0u;
	assert_int_equal(cr_shadow_write_cr(&f->v, 8, 0xF), CR_SHADOW_DONE);
	assert_int_equal(f->vmcb.control.int_ctl & 0xF, 0xF);
	assert_int_equal(f->vmcb.control.clean_bits & BIT(3), 0); /* TPR clean bit dropped */
	free(f);
}

/* ---- plain-mode MOV CRn rules, with vectors -------------------------------------------------- */

struct gp_vector {
	const char *name;
	/* starting state */
	u64 efer, cr0, cr3, cr4;
	u16 cs_attrib;
	u64 cr4_allowed;
	/* the write */
	unsigned n;
	u64 value;
	enum cr_shadow_result want;
};

#define PM (CR0_PE | CR0_ET)
#define PGON (CR0_PE | CR0_ET | CR0_PG)
#define LM_EFER (EFER_LME | EFER_LMA)
#define ALL_CR4 (CR_SHADOW_CR4_BASELINE | CR4_OSXSAVE | CR4_PCIDE | CR4_LA57 | CR4_CET | \
		 CR4_FSGSBASE | CR4_SMEP | CR4_SMAP)

static const struct gp_vector gp_vectors[] = {
	/* CR0 (APM vol. 2, 3.1.1; vol. 3 MOV CRn). */
	{ "CR0 bit 32", 0, PM, 0, 0, CS_32, 0, 0, BIT(32) | PM, CR_SHADOW_GP },
	{ "CR0 bit 63", 0, PM, 0, 0, CS_32, 0, 0, BIT(63) | PM, CR_SHADOW_GP },
	{ "CR0 low reserved bit ignored", 0, PM, 0, 0, CS_32, 0, 0, BIT(7) | PM, CR_SHADOW_DONE },
	{ "PG without PE", 0, PM, 0, 0, CS_32, 0, 0, CR0_PG | CR0_ET, CR_SHADOW_GP },
	{ "PG with PE", 0, PM, 0, 0, CS_32, 0, 0, PGON, CR_SHADOW_DONE },
	{ "NW without CD", 0, PM, 0, 0, CS_32, 0, 0, PM | CR0_NW, CR_SHADOW_GP },
	{ "NW with CD", 0, PM, 0, 0, CS_32, 0, 0, PM | CR0_NW | CR0_CD, CR_SHADOW_DONE },
	{ "CD alone", 0, PM, 0, 0, CS_32, 0, 0, PM | CR0_CD, CR_SHADOW_DONE },
	{ "PG with LME, no PAE", EFER_LME, PM, 0, 0, CS_32, 0, 0, PGON, CR_SHADOW_GP },
	{ "PG with LME and PAE", EFER_LME, PM, 0, CR4_PAE, CS_32, 0, 0, PGON, CR_SHADOW_DONE },
	{ "PG without LME, no PAE", 0, PM, 0, 0, CS_32, 0, 0, PGON, CR_SHADOW_DONE },
	{ "PG off in 64-bit mode", LM_EFER, PGON, 0, CR4_PAE, CS_LONG, 0, 0, PM, CR_SHADOW_GP },
	{ "PG off in compat mode", LM_EFER, PGON, 0, CR4_PAE, CS_32, 0, 0, PM, CR_SHADOW_DONE },
	{ "PG off with PCIDE", LM_EFER, PGON, 0, CR4_PAE | CR4_PCIDE, CS_32, ALL_CR4, 0, PM,
	  CR_SHADOW_GP },
	{ "WP off with CET", LM_EFER, PGON | CR0_WP, 0, CR4_PAE | CR4_CET, CS_LONG, ALL_CR4, 0, PGON,
	  CR_SHADOW_GP },
	{ "PE off from protected", 0, PM, 0, 0, CS_32, 0, 0, CR0_ET, CR_SHADOW_DONE },
	/* CR4 (APM vol. 2, 3.1.3). */
	{ "CR4 bit not in CPUID", 0, PM, 0, 0, CS_32, 0, 4, CR4_OSXSAVE, CR_SHADOW_GP },
	{ "CR4 bit in CPUID", 0, PM, 0, 0, CS_32, ALL_CR4, 4, CR4_OSXSAVE, CR_SHADOW_DONE },
	{ "CR4 reserved bit 15", 0, PM, 0, 0, CS_32, ALL_CR4, 4, BIT(15), CR_SHADOW_GP },
	{ "CR4 bit 63", 0, PM, 0, 0, CS_32, ALL_CR4, 4, BIT(63), CR_SHADOW_GP },
	{ "CR4.PAE off in long mode", LM_EFER, PGON, 0, CR4_PAE, CS_LONG, 0, 4, 0, CR_SHADOW_GP },
	{ "CR4.PAE off, legacy paging", 0, PGON, 0, CR4_PAE, CS_32, 0, 4, 0, CR_SHADOW_DONE },
	{ "CR4.LA57 on in long mode", LM_EFER, PGON, 0, CR4_PAE, CS_LONG, ALL_CR4, 4,
	  CR4_PAE | CR4_LA57, CR_SHADOW_GP },
	{ "CR4.LA57 on before long mode", 0, PM, 0, CR4_PAE, CS_32, ALL_CR4, 4, CR4_PAE | CR4_LA57,
	  CR_SHADOW_DONE },
	{ "CR4.PCIDE outside long mode", 0, PGON, 0, CR4_PAE, CS_32, ALL_CR4, 4,
	  CR4_PAE | CR4_PCIDE, CR_SHADOW_GP },
	{ "CR4.PCIDE with CR3[11:0]", LM_EFER, PGON, 0x1005, CR4_PAE, CS_LONG, ALL_CR4, 4,
	  CR4_PAE | CR4_PCIDE, CR_SHADOW_GP },
	{ "CR4.PCIDE in long mode", LM_EFER, PGON, 0x1000, CR4_PAE, CS_LONG, ALL_CR4, 4,
	  CR4_PAE | CR4_PCIDE, CR_SHADOW_DONE },
	{ "CR4.CET with WP clear", LM_EFER, PGON, 0, CR4_PAE, CS_LONG, ALL_CR4, 4,
	  CR4_PAE | CR4_CET, CR_SHADOW_GP },
	{ "CR4.CET with WP set", LM_EFER, PGON | CR0_WP, 0, CR4_PAE, CS_LONG, ALL_CR4, 4,
	  CR4_PAE | CR4_CET, CR_SHADOW_DONE },
	/* CR3 (APM vol. 2, 3.1.2: bits 63:52 MBZ in long mode). */
	{ "CR3 bit 52 in long mode", LM_EFER, PGON, 0, CR4_PAE, CS_LONG, 0, 3, BIT(52) | 0x1000,
	  CR_SHADOW_GP },
	{ "CR3 bit 63 in long mode", LM_EFER, PGON, 0, CR4_PAE, CS_LONG, 0, 3, BIT(63) | 0x1000,
	  CR_SHADOW_GP },
	{ "CR3 bit 63 with PCIDE = no-flush", LM_EFER, PGON, 0, CR4_PAE | CR4_PCIDE, CS_LONG,
	  ALL_CR4, 3, BIT(63) | 0x2001, CR_SHADOW_DONE },
	{ "CR3 bit 51 in long mode", LM_EFER, PGON, 0, CR4_PAE, CS_LONG, 0, 3, BIT(51), CR_SHADOW_DONE },
	{ "CR3 plain in protected mode", 0, PM, 0, 0, CS_32, 0, 3, 0xFFFFF000, CR_SHADOW_DONE },
	/* CR8 (APM vol. 2, 16.6.4: bits 63:4 reserved). */
	{ "CR8 = 15", LM_EFER, PGON, 0, CR4_PAE, CS_LONG, 0, 8, 15, CR_SHADOW_DONE },
	{ "CR8 = 16", LM_EFER, PGON, 0, CR4_PAE, CS_LONG, 0, 8, 16, CR_SHADOW_GP },
	{ "CR8 bit 63", LM_EFER, PGON, 0, CR4_PAE, CS_LONG, 0, 8, BIT(63), CR_SHADOW_GP },
	/* Not control registers this path handles. */
	{ "CR2", 0, PM, 0, 0, CS_32, 0, 2, 0, CR_SHADOW_UNSUPPORTED },
	{ "CR5", 0, PM, 0, 0, CS_32, 0, 5, 0, CR_SHADOW_UNSUPPORTED },
};

static void test_plain_gp_rules(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(gp_vectors); i++) {
		const struct gp_vector *t = &gp_vectors[i];
		struct cr_shadow_regs st = { .efer = t->efer, .cr0 = t->cr0, .cr3 = t->cr3, .cr4 = t->cr4 };
		struct cr_fixture *f = cr_fixture_new(VM_MODE_PLAIN, false, &st, t->cr4_allowed);
		f->vmcb.save.cs.attrib = t->cs_attrib;
		struct cr_shadow shadow_before = f->v.cr;
		struct vmcb vmcb_before = f->vmcb;
		enum cr_shadow_result got = cr_shadow_write_cr(&f->v, t->n, t->value);
		if (got != t->want)
			fail_msg("%s: got %s, want %s", t->name, cr_shadow_result_name(got),
				 cr_shadow_result_name(t->want));
		if (got != CR_SHADOW_DONE) {
			/* A refused write changes nothing. */
			if (memcmp(&shadow_before, &f->v.cr, sizeof(shadow_before)) ||
			    memcmp(&vmcb_before, &f->vmcb, sizeof(vmcb_before)))
				fail_msg("%s: refused write changed state", t->name);
		}
		if (!lma_consistent(&f->v))
			fail_msg("%s: LMA inconsistent", t->name);
		free(f);
	}
}

static void test_plain_writes_update_vmcb(void **state)
{
	(void)state;
	struct cr_fixture *f = cr_fixture_new(VM_MODE_PLAIN, false, &cr_fixture_multiboot, 0);
	f->vmcb.save.cs.attrib = CS_32;
	f->vmcb.control.clean_bits = ~0u;
	assert_int_equal(cr_shadow_write_cr(&f->v, 4, CR4_PAE), CR_SHADOW_DONE);
	assert_int_equal(f->vmcb.save.cr4, CR4_PAE);
	assert_int_equal(f->vmcb.control.clean_bits & BIT(5), 0); /* CRx clean bit dropped */
	cr_shadow_set_efer(&f->v, EFER_LME);
	assert_int_equal(cr_shadow_write_cr(&f->v, 3, 0x3000), CR_SHADOW_DONE);
	assert_int_equal(f->vmcb.save.cr3, 0x3000);
	assert_int_equal(cr_shadow_write_cr(&f->v, 0, PGON), CR_SHADOW_DONE);
	assert_int_equal(f->vmcb.save.cr0, PGON);
	assert_int_equal(f->vmcb.save.efer, EFER_LME | EFER_LMA | EFER_SVME);
	/* ET is read-only 1 and the low reserved bits read back 0. */
	assert_int_equal(cr_shadow_write_cr(&f->v, 0, (PGON & ~CR0_ET) | BIT(6)), CR_SHADOW_DONE);
	assert_int_equal(f->v.cr.cr0, PGON);
	/* With PCIDE the no-flush hint is not stored in CR3. */
	f->v.cr.cr4_allowed = ALL_CR4;
	assert_int_equal(cr_shadow_write_cr(&f->v, 4, CR4_PAE | CR4_PCIDE), CR_SHADOW_DONE);
	assert_int_equal(cr_shadow_write_cr(&f->v, 3, BIT(63) | 0x4002), CR_SHADOW_DONE);
	assert_int_equal(f->vmcb.save.cr3, 0x4002);
	free(f);
}

/* Issue 10 item 7: an intercepted write that changes translation asks for a guest TLB flush
 * (TLB_CONTROL = 1, APM vol. 2 15.16.1) before the next VMRUN; one that does not, does not.
 * Which changes matter: APM vol. 2 5.5.2-5.5.3 (CR3 loads; paging controls) and Intel SDM vol. 3
 * 4.10.4.1 (CR0.PG/WP, CR4.PGE/PAE/PSE/PCIDE/SMEP...). */
static void test_tlb_flush_on_translation_changes(void **state)
{
	(void)state;
	static const struct {
		unsigned n;
		u64 old, value;
		bool flush;
	} rule[] = {
		{ 0, CR0_PE | CR0_ET, CR0_PE | CR0_ET | CR0_PG, true },        /* paging on */
		{ 0, CR0_PE | CR0_ET | CR0_PG, CR0_PE | CR0_ET, true },        /* paging off */
		{ 0, CR0_PE | CR0_ET | CR0_PG, CR0_PE | CR0_ET | CR0_PG | CR0_WP, true },
		{ 0, CR0_ET, CR0_ET | CR0_PE, true },                          /* protected mode */
		{ 0, CR0_PE | CR0_ET, CR0_PE | CR0_ET | CR0_TS, false },       /* TS: no */
		{ 0, CR0_PE | CR0_ET, CR0_PE | CR0_ET | CR0_MP | CR0_NE, false },
		{ 0, CR0_PE | CR0_ET | CR0_PG, CR0_PE | CR0_ET | CR0_PG, false }, /* same value */
		{ 3, 0x1000, 0x1000, true },                                   /* any CR3 load */
		{ 4, CR4_PAE, CR4_PAE | CR4_PGE, true },
		{ 4, CR4_PAE | CR4_PGE, CR4_PAE, true },
		{ 4, 0, CR4_PSE, true },
		{ 4, 0, CR4_PAE, true },
		{ 4, CR4_PAE | CR4_PCIDE, CR4_PAE, true },
		{ 4, CR4_PAE, CR4_PAE | CR4_SMEP, true },
		{ 4, CR4_PAE, CR4_PAE | CR4_SMAP, true },
		{ 4, CR4_PAE, CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT, false },
		{ 4, CR4_PAE, CR4_PAE | CR4_TSD | CR4_DE | CR4_MCE, false },
		{ 8, 0, 0xF, false },                                          /* TPR */
	};
	for (size_t i = 0; i < ARRAY_SIZE(rule); i++)
		if (cr_shadow_write_flushes_tlb(rule[i].n, rule[i].old, rule[i].value) != rule[i].flush)
			fail_msg("rule %zu: CR%u 0x%llx -> 0x%llx", i, rule[i].n, (unsigned long long)rule[i].old,
				 (unsigned long long)rule[i].value);

	/* Through the intercept paths, into the VMCB. */
	struct cr_fixture *f = cr_fixture_new(VM_MODE_PLAIN, false, &cr_fixture_multiboot, 0);
	f->vmcb.save.cs.attrib = CS_32;
	f->v.cr.cr4_allowed = ALL_CR4;
	f->vmcb.control.tlb_control = 0;
	assert_int_equal(cr_shadow_write_cr(&f->v, 0, CR0_PE | CR0_ET | CR0_TS), CR_SHADOW_DONE);
	assert_int_equal(f->vmcb.control.tlb_control, 0);
	assert_int_equal(cr_shadow_write_cr(&f->v, 4, CR4_PSE), CR_SHADOW_DONE);
	assert_int_equal(f->vmcb.control.tlb_control, SVM_TLB_CONTROL_FLUSH_ALL);
	f->vmcb.control.tlb_control = 0;
	assert_int_equal(cr_shadow_write_cr(&f->v, 3, 0x5000), CR_SHADOW_DONE);
	assert_int_equal(f->vmcb.control.tlb_control, SVM_TLB_CONTROL_FLUSH_ALL);
	f->vmcb.control.tlb_control = 0;
	assert_int_equal(cr_shadow_write_cr(&f->v, 0, CR0_PE | CR0_ET | CR0_PG), CR_SHADOW_DONE);
	assert_int_equal(f->vmcb.control.tlb_control, SVM_TLB_CONTROL_FLUSH_ALL);
	f->vmcb.control.tlb_control = 0;
	assert_int_equal(cr_shadow_clts(&f->v), CR_SHADOW_DONE);
	assert_int_equal(f->vmcb.control.tlb_control, 0);
	/* A refused write (#GP) changes nothing and flushes nothing. */
	assert_int_equal(cr_shadow_write_cr(&f->v, 0, CR0_PG), CR_SHADOW_GP);
	assert_int_equal(f->vmcb.control.tlb_control, 0);
	free(f);
}

static void test_lmsw_and_clts(void **state)
{
	(void)state;
	struct cr_fixture *f = cr_fixture_new(VM_MODE_PLAIN, false, NULL, 0);
	/* From reset (real mode): LMSW can set PE, MP, EM, TS; only bits 3:0 are used. */
	assert_int_equal(cr_shadow_lmsw(&f->v, 0xFFFF), CR_SHADOW_DONE);
	assert_int_equal(f->v.cr.cr0, CR0_RESET_VALUE | CR0_PE | CR0_MP | CR0_EM | CR0_TS);
	/* LMSW cannot clear PE, but clears the other three. */
	assert_int_equal(cr_shadow_lmsw(&f->v, 0), CR_SHADOW_DONE);
	assert_int_equal(f->v.cr.cr0, CR0_RESET_VALUE | CR0_PE);
	/* CLTS clears TS and nothing else. */
	assert_int_equal(cr_shadow_lmsw(&f->v, CR0_TS | CR0_MP), CR_SHADOW_DONE);
	assert_int_equal(cr_shadow_clts(&f->v), CR_SHADOW_DONE);
	assert_int_equal(f->v.cr.cr0, CR0_RESET_VALUE | CR0_PE | CR0_MP);
	assert_int_equal(f->vmcb.save.cr0, CR0_RESET_VALUE | CR0_PE | CR0_MP);
	/* LMSW in long mode keeps PG and LMA. */
	struct cr_shadow_regs lm = { .efer = EFER_LME, .cr0 = PGON, .cr4 = CR4_PAE };
	cr_shadow_reset(&f->v, &lm, 0);
	assert_int_equal(cr_shadow_lmsw(&f->v, CR0_TS), CR_SHADOW_DONE);
	assert_int_equal(f->v.cr.cr0, PGON | CR0_TS);
	assert_int_equal(cr_shadow_get_efer(&f->v), EFER_LME | EFER_LMA);
	free(f);
}

/* ---- after_exit in plain mode: the VMCB is the truth for an unprotected vCPU ----------------- */

static void test_after_exit_reads_save_area(void **state)
{
	(void)state;
	struct cr_fixture *f = cr_fixture_new(VM_MODE_PLAIN, false, &cr_fixture_multiboot, 0);
	/* The CPU changed CR0.TS (e.g. a task switch) and reported LMA itself. */
	f->vmcb.save.cr0 = PM | CR0_TS;
	cr_shadow_after_exit(&f->v);
	assert_int_equal(f->v.cr.cr0, PM | CR0_TS);
	f->vmcb.save.cr4 = CR4_PAE;
	f->vmcb.save.cr0 = PGON;
	f->vmcb.save.efer = EFER_SVME | EFER_LME | EFER_LMA;
	f->vmcb.control.clean_bits = ~0u;
	cr_shadow_after_exit(&f->v);
	assert_int_equal(cr_shadow_get_efer(&f->v), EFER_LME | EFER_LMA);
	/* Nothing changed in the save area: the clean bits stay. */
	assert_int_equal(f->vmcb.control.clean_bits, ~0u);
	free(f);
}

/* ---- the transition log ---------------------------------------------------------------------- */

static void test_transition_log_plain(void **state)
{
	(void)state;
	cr_log_capture();
	struct cr_fixture *f = cr_fixture_new(VM_MODE_PLAIN, false, NULL, 0);
	assert_int_equal(cr_log_count("guest t vcpu0: entered real mode (CR0.PE=0)"), 1);
	f->vmcb.save.cs.attrib = CS_32;
	cr_shadow_write_cr(&f->v, 0, CR0_PE | CR0_ET);
	assert_int_equal(cr_log_count("guest t vcpu0: entered protected mode (CR0.PE=1)"), 1);
	cr_shadow_write_cr(&f->v, 4, CR4_PAE);
	cr_shadow_set_efer(&f->v, EFER_LME);
	cr_shadow_write_cr(&f->v, 0, PGON);
	assert_int_equal(cr_log_count("enabled paging (CR0.PG=1)"), 1);
	assert_int_equal(cr_log_count("guest t vcpu0: entered long mode (EFER.LMA=1)"), 1);
	/* Still in the 32-bit code segment right after paging: not yet "compatibility mode". */
	assert_int_equal(cr_log_count("compatibility"), 0);
	f->vmcb.save.cs.attrib = CS_LONG;
	cr_shadow_after_exit(&f->v);
	assert_int_equal(cr_log_count("running 64-bit code (EFER.LMA=1, CS.L=1)"), 1);
	f->vmcb.save.cs.attrib = CS_32;
	cr_shadow_after_exit(&f->v);
	assert_int_equal(cr_log_count("entered compatibility mode (EFER.LMA=1, CS.L=0)"), 1);
	/* Once each: going around again logs nothing new. */
	f->vmcb.save.cs.attrib = CS_LONG;
	cr_shadow_after_exit(&f->v);
	f->vmcb.save.cs.attrib = CS_32;
	cr_shadow_after_exit(&f->v);
	assert_int_equal(cr_log_count("compatibility"), 1);
	assert_int_equal(cr_log_count("64-bit code"), 1);
	cr_shadow_write_cr(&f->v, 0, PM);
	assert_int_equal(cr_log_count("left long mode (EFER.LMA=0)"), 1);
	cr_shadow_write_cr(&f->v, 0, CR0_ET);
	assert_int_equal(cr_log_count("entered real mode"), 1); /* already logged at reset */
	assert_int_equal(cr_log_count("entered long mode"), 1);
	free(f);
	log_reset();
}

static void test_transition_log_protected(void **state)
{
	(void)state;
	cr_log_capture();
	struct cr_fixture *f = cr_fixture_new(VM_MODE_SOFT_ES, true, &cr_fixture_multiboot, 0);
	assert_int_equal(cr_log_count("entered protected mode"), 1);
	/* CS.L would say 64-bit, but it is not the hypervisor's to read for a protected vCPU. */
	f->vmcb.save.cs.attrib = CS_LONG;
	run_seed_traps(&f->v);
	cr_shadow_after_exit(&f->v);
	assert_int_equal(cr_log_count("entered long mode (EFER.LMA=1)"), 1);
	assert_int_equal(cr_log_count("64-bit code"), 0);
	assert_int_equal(cr_log_count("compatibility"), 0);
	free(f);
	log_reset();
}

/* ---- randomized trap sequences ---------------------------------------------------------------- */

/* xorshift64*: small, fixed-seed, good enough to shake sequences. */
static u64 rng_state;

static u64 rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static unsigned rng_below(unsigned n)
{
	return (unsigned)(rng_next() % n);
}

/* The bits the sequences play with; the mode-changing ones listed more than once so that the
 * sequences reach long mode and leave it often. */
static const u64 cr0_bits[] = { CR0_PE, CR0_PE, CR0_PG, CR0_PG, CR0_PG, CR0_MP, CR0_EM, CR0_TS,
				CR0_NE, CR0_WP, CR0_AM, CR0_NW, CR0_CD, BIT(32) };
static const u64 cr4_bits[] = { CR4_PAE, CR4_PAE, CR4_PAE, CR4_PSE, CR4_PGE, CR4_OSFXSR,
				CR4_OSXSAVE, CR4_PCIDE, CR4_CET, CR4_LA57, BIT(15) };
static const u64 efer_bits[] = { EFER_LME, EFER_LME, EFER_LME, EFER_SCE, EFER_NXE, EFER_LMA,
				 EFER_SVME };

static u64 flip_some(u64 value, const u64 *bits, size_t n)
{
	unsigned flips = 1 + rng_below(2);
	for (unsigned i = 0; i < flips; i++)
		value ^= bits[rng_below((unsigned)n)];
	return value;
}

/* The WRMSR(EFER) rule that belongs to msr/efer.c (LME cannot change while paging, APM vol. 2
 * 14.6.1), applied here by the test so the plain vCPU sees only writes the MSR model accepts. */
static bool efer_write_ok(const struct vcpu *v, u64 value)
{
	u64 known = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE | EFER_SVME;
	if (value & ~known)
		return false;
	return !((v->cr.cr0 & CR0_PG) && ((value ^ cr_shadow_get_efer(v)) & EFER_LME));
}

static void check_round_trip(struct vcpu *v, size_t step)
{
	struct vcpu_sregs s, again;
	vcpu_sregs_get(v, &s);
	if (!lma_consistent(v))
		fail_msg("step %zu: LMA != LME && PG (efer 0x%llx cr0 0x%llx)", step,
			 (unsigned long long)s.efer, (unsigned long long)s.cr0);
	if (s.efer & EFER_SVME)
		fail_msg("step %zu: SVME visible", step);
	const char *why = vcpu_sregs_check(&s, v->cr.cr4_allowed);
	if (why)
		fail_msg("step %zu: get returned a state set would refuse: %s", step, why);
	if (!v->state_protected) {
		enum vcpu_sregs_error e = vcpu_sregs_set(v, &s);
		if (e != VCPU_SREGS_OK)
			fail_msg("step %zu: set of get failed: %s", step, vcpu_sregs_strerror(e));
		vcpu_sregs_get(v, &again);
		if (memcmp(&s, &again, sizeof(s)))
			fail_msg("step %zu: set of get changed the state", step);
	} else if (vcpu_sregs_set(v, &s) != VCPU_SREGS_EPROTECTED) {
		fail_msg("step %zu: set on a protected vCPU was not refused", step);
	}
}

/* A plain vCPU takes random MOV CRn / WRMSR(EFER) / CLTS / LMSW writes; whatever the CPU rules
 * accept is then delivered as a write trap to a protected vCPU (which is what SEV-ES hardware
 * would report) and to an unprotected "soft-es" vCPU. After every step all three must agree on
 * the tracked registers, LMA must equal LME && PG, and get -> set must round-trip. A fourth
 * vCPU takes raw random trap values (anything) and must keep LMA inferred and SVME hidden. */
static void test_random_trap_sequences(void **state)
{
	(void)state;
	rng_state = 0x5EE5C0DE12345678ULL;
	const u64 allowed = ALL_CR4;
	size_t accepted = 0, refused = 0, in_long = 0, pg_off_from_long = 0;
	log_reset(); /* keep the refused-write debug lines out of the output */
	for (unsigned seq = 0; seq < 100; seq++) {
		struct cr_fixture *plain = cr_fixture_new(VM_MODE_PLAIN, false, NULL, allowed);
		struct cr_fixture *prot = cr_fixture_new(VM_MODE_SEV_ES, true, NULL, allowed);
		struct cr_fixture *soft = cr_fixture_new(VM_MODE_SOFT_ES, false, NULL, allowed);
		struct cr_fixture *raw = cr_fixture_new(VM_MODE_SEV_ES, true, NULL, allowed);
		plain->vmcb.save.cs.attrib = soft->vmcb.save.cs.attrib = CS_32;
		for (size_t step = 0; step < 100; step++) {
			struct vcpu *p = &plain->v;
			bool was_long = (cr_shadow_get_efer(p) & EFER_LMA) != 0;
			unsigned op = rng_below(7);
			u64 trap_code, trap_value;
			enum cr_shadow_result r;
			switch (op) {
			case 0: case 1: {
				u64 val = flip_some(p->cr.cr0, cr0_bits, ARRAY_SIZE(cr0_bits));
				r = cr_shadow_write_cr(p, 0, val);
				trap_code = TRAP_CR(0);
				break;
			}
			case 2: {
				u64 val = flip_some(p->cr.cr4, cr4_bits, ARRAY_SIZE(cr4_bits));
				r = cr_shadow_write_cr(p, 4, val);
				trap_code = TRAP_CR(4);
				break;
			}
			case 3: {
				u64 val = flip_some(cr_shadow_get_efer(p), efer_bits, ARRAY_SIZE(efer_bits));
				r = efer_write_ok(p, val) ? CR_SHADOW_DONE : CR_SHADOW_GP;
				if (r == CR_SHADOW_DONE)
					cr_shadow_set_efer(p, val);
				trap_code = TRAP_EFER;
				break;
			}
			case 4:
				r = cr_shadow_write_cr(p, 8, rng_below(20));
				trap_code = TRAP_CR(8);
				break;
			case 5:
				r = rng_below(2) ? cr_shadow_clts(p) : cr_shadow_lmsw(p, (u16)rng_next());
				trap_code = TRAP_CR(0);
				break;
			default:
				/* A far jump between 64-bit and 32-bit code (no exit on real hardware; the
				 * unprotected vCPUs see it in the save area). */
				plain->vmcb.save.cs.attrib = soft->vmcb.save.cs.attrib =
					(cr_shadow_get_efer(p) & EFER_LMA) && rng_below(2) ? CS_LONG : CS_32;
				r = CR_SHADOW_UNSUPPORTED; /* nothing to trap */
				trap_code = 0;
				break;
			}
			if (r == CR_SHADOW_DONE) {
				accepted++;
				/* What the hardware reports: the register as it now is (EFER with SVME). */
				switch (trap_code) {
				case TRAP_EFER: trap_value = cr_shadow_hw_efer(p); break;
				case TRAP_CR(0): trap_value = p->cr.cr0; break;
				case TRAP_CR(4): trap_value = p->cr.cr4; break;
				default: trap_value = p->cr.cr8; break;
				}
				cr_shadow_trap(&prot->v, trap_code, trap_value);
				cr_shadow_trap(&soft->v, trap_code, trap_value);
			} else if (r == CR_SHADOW_GP) {
				refused++;
			}
			if (cr_shadow_get_efer(p) & EFER_LMA)
				in_long++;
			else if (was_long)
				pg_off_from_long++;
			assert_int_equal(cr_shadow_get_efer(&prot->v), cr_shadow_get_efer(p));
			assert_int_equal(prot->v.cr.cr0, p->cr.cr0);
			assert_int_equal(prot->v.cr.cr4, p->cr.cr4);
			assert_int_equal(prot->v.cr.cr8, p->cr.cr8);
			assert_int_equal(soft->vmcb.save.efer, plain->vmcb.save.efer);
			check_round_trip(p, step);
			check_round_trip(&prot->v, step);
			check_round_trip(&soft->v, step);

			/* Raw traps: anything at all. */
			static const u64 raw_codes[] = { TRAP_EFER, TRAP_CR(0), TRAP_CR(4), TRAP_CR(8) };
			cr_shadow_trap(&raw->v, raw_codes[rng_below(4)], rng_next());
			assert_true(lma_consistent(&raw->v));
			assert_int_equal(cr_shadow_get_efer(&raw->v) & EFER_SVME, 0);
		}
		free(plain);
		free(prot);
		free(soft);
		free(raw);
	}
	/* The generator must exercise both sides of the rules. */
	print_message("random: %zu accepted, %zu refused, %zu steps in long mode, %zu exits from it\n",
		      accepted, refused, in_long, pg_off_from_long);
	assert_true(accepted > 2000);
	assert_true(refused > 1000);
	assert_true(in_long > 500);
	assert_true(pg_off_from_long > 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seed_sequence_protected),
		cmocka_unit_test(test_seed_sequence_unprotected),
		cmocka_unit_test(test_pg_off_clears_lma),
		cmocka_unit_test(test_lma_never_taken_from_written_value),
		cmocka_unit_test(test_svme_masking),
		cmocka_unit_test(test_reset_values),
		cmocka_unit_test(test_trap_table),
		cmocka_unit_test(test_traps_record_never_refuse),
		cmocka_unit_test(test_cr8_and_v_tpr),
		cmocka_unit_test(test_plain_gp_rules),
		cmocka_unit_test(test_plain_writes_update_vmcb),
		cmocka_unit_test(test_lmsw_and_clts),
		cmocka_unit_test(test_tlb_flush_on_translation_changes),
		cmocka_unit_test(test_after_exit_reads_save_area),
		cmocka_unit_test(test_transition_log_plain),
		cmocka_unit_test(test_transition_log_protected),
		cmocka_unit_test(test_random_trap_sequences),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
