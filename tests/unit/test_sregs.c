/* vcpu_sregs get/set: what a protected vCPU can and cannot give, refusal of set on protected
 * state, and the consistency rules set applies (APM vol. 2: 3.1 control registers, 14.6 long
 * mode, 15.5.1 VMRUN consistency checks). */
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>
#include "cr_fixture.h"

#define CS_LONG (SVM_SEG_P | SVM_SEG_S | SVM_SEG_L | 0xB)
#define CS_32 (SVM_SEG_P | SVM_SEG_S | SVM_SEG_DB | SVM_SEG_G | 0xB)
#define SS_DPL3 (SVM_SEG_P | SVM_SEG_S | (3u << SVM_SEG_DPL_SHIFT) | 0x3)
#define PGON (CR0_PE | CR0_ET | CR0_PG)
#define LM_EFER (EFER_LME | EFER_LMA)
#define ALLOWED (CR_SHADOW_CR4_BASELINE | CR4_OSXSAVE | CR4_PCIDE | CR4_CET)

/* A 64-bit guest as a loader would leave it, in the save area and the shadows. */
static struct cr_fixture *long_mode_guest(enum vm_mode mode, bool protected_state)
{
	struct cr_shadow_regs st = { .efer = EFER_LME | EFER_SCE, .cr0 = PGON | CR0_WP,
				     .cr3 = 0x10000, .cr4 = CR4_PAE | CR4_OSXSAVE, .cr8 = 2 };
	struct cr_fixture *f = cr_fixture_new(mode, protected_state, &st, ALLOWED);
	f->vmcb.save.cs = (struct vmcb_seg){ .selector = 0x08, .attrib = CS_LONG, .limit = ~0u };
	f->vmcb.save.ss = (struct vmcb_seg){ .selector = 0x10, .attrib = 0x93, .limit = ~0u };
	f->vmcb.save.ds = f->vmcb.save.ss;
	f->vmcb.save.tr = (struct vmcb_seg){ .selector = 0x18, .attrib = 0x8B, .limit = 0x67,
					     .base = 0x5000 };
	f->vmcb.save.gdtr = (struct vmcb_seg){ .limit = 0x27, .base = 0x2000 };
	f->vmcb.save.idtr = (struct vmcb_seg){ .limit = 0xFFF, .base = 0x3000 };
	f->vmcb.save.cr2 = 0xdead000;
	return f;
}

static void test_get_protected_gives_only_tracked(void **state)
{
	(void)state;
	struct cr_fixture *f = long_mode_guest(VM_MODE_SEV_ES, true);
	struct vcpu_sregs s;
	memset(&s, 0xA5, sizeof(s));
	vcpu_sregs_get(&f->v, &s);
	assert_int_equal(s.unavailable,
			 VCPU_SREGS_SEGS | VCPU_SREGS_DTABLES | VCPU_SREGS_CR2 | VCPU_SREGS_CR3);
	assert_int_equal(s.unavailable & VCPU_SREGS_TRACKED, 0);
	assert_int_equal(s.efer, LM_EFER | EFER_SCE);
	assert_int_equal(s.cr0, PGON | CR0_WP);
	assert_int_equal(s.cr4, CR4_PAE | CR4_OSXSAVE);
	assert_int_equal(s.cr8, 2);
	/* Nothing from the save area leaks: unavailable fields read as 0. */
	assert_int_equal(s.cr2, 0);
	assert_int_equal(s.cr3, 0);
	assert_int_equal(s.cs.attrib, 0);
	assert_int_equal(s.tr.base, 0);
	assert_int_equal(s.gdt.base, 0);
	assert_int_equal(s.idt.limit, 0);
	/* And it is consistent: set (were it possible) would accept it. */
	assert_null(vcpu_sregs_check(&s, ALLOWED));
	free(f);
}

static void test_set_protected_refused(void **state)
{
	(void)state;
	struct cr_fixture *f = long_mode_guest(VM_MODE_SOFT_ES, true);
	struct vcpu_sregs s;
	vcpu_sregs_get(&f->v, &s);
	struct cr_shadow before = f->v.cr;
	struct vmcb vmcb_before = f->vmcb;
	cr_log_capture();
	/* Unchanged, changed, or only one register: all refused, nothing changes. */
	assert_int_equal(vcpu_sregs_set(&f->v, &s), VCPU_SREGS_EPROTECTED);
	s.cr8 = 7;
	assert_int_equal(vcpu_sregs_set(&f->v, &s), VCPU_SREGS_EPROTECTED);
	s.unavailable = VCPU_SREGS_ALL & ~VCPU_SREGS_CR8;
	assert_int_equal(vcpu_sregs_set(&f->v, &s), VCPU_SREGS_EPROTECTED);
	assert_memory_equal(&before, &f->v.cr, sizeof(before));
	assert_memory_equal(&vmcb_before, &f->vmcb, sizeof(vmcb_before));
	/* The refusal is logged with the guest, the vCPU and the reason. */
	assert_int_equal(cr_log_count("guest t vcpu0: set registers refused: soft-es state is "
				      "protected; nothing was changed"), 3);
	assert_string_equal(vcpu_sregs_strerror(VCPU_SREGS_EPROTECTED), "state is protected");
	log_reset();
	free(f);
}

static void test_unprotected_round_trip(void **state)
{
	(void)state;
	struct cr_fixture *f = long_mode_guest(VM_MODE_PLAIN, false);
	struct vcpu_sregs s, again;
	vcpu_sregs_get(&f->v, &s);
	assert_int_equal(s.unavailable, 0);
	assert_int_equal(s.cs.attrib, CS_LONG);
	assert_int_equal(s.tr.base, 0x5000);
	assert_int_equal(s.gdt.base, 0x2000);
	assert_int_equal(s.gdt.limit, 0x27);
	assert_int_equal(s.idt.limit, 0xFFF);
	assert_int_equal(s.cr2, 0xdead000);
	assert_int_equal(s.cr3, 0x10000);
	struct vmcb vmcb_before = f->vmcb;
	assert_int_equal(vcpu_sregs_set(&f->v, &s), VCPU_SREGS_OK);
	vcpu_sregs_get(&f->v, &again);
	assert_memory_equal(&s, &again, sizeof(s));
	/* Same state: the save area is unchanged apart from clean bits. */
	vmcb_before.control.clean_bits = f->vmcb.control.clean_bits;
	assert_memory_equal(&vmcb_before, &f->vmcb, sizeof(vmcb_before));
	free(f);
}

static void test_set_applies(void **state)
{
	(void)state;
	struct cr_fixture *f = long_mode_guest(VM_MODE_PLAIN, false);
	f->vmcb.control.clean_bits = ~0u;
	struct vcpu_sregs s;
	vcpu_sregs_get(&f->v, &s);
	/* Leave long mode into 32-bit protected mode with PAE paging, at CPL 3. */
	s.efer = EFER_SCE;
	s.cs.attrib = CS_32;
	s.ss.attrib = SS_DPL3;
	s.cr3 = 0x20000;
	s.cr2 = 0x1234;
	s.gdt.base = 0x7000;
	s.cr8 = 9;
	assert_int_equal(vcpu_sregs_set(&f->v, &s), VCPU_SREGS_OK);
	assert_int_equal(cr_shadow_get_efer(&f->v), EFER_SCE);
	assert_int_equal(f->vmcb.save.efer, EFER_SCE | EFER_SVME);
	assert_int_equal(f->vmcb.save.cs.attrib, CS_32);
	assert_int_equal(f->vmcb.save.cpl, 3);
	assert_int_equal(f->vmcb.save.cr3, 0x20000);
	assert_int_equal(f->vmcb.save.cr2, 0x1234);
	assert_int_equal(f->vmcb.save.gdtr.base, 0x7000);
	assert_int_equal(f->vmcb.control.int_ctl & SVM_INT_CTL_V_TPR_MASK, 9);
	/* Every clean bit for what changed is dropped: TPR 3, CRx 5, DT 7, SEG 8, CR2 9. */
	assert_int_equal(f->vmcb.control.clean_bits & (BIT(3) | BIT(5) | BIT(7) | BIT(8) | BIT(9)), 0);
	/* LMA in the input is checked, and the shadow infers it: entering long mode via set. */
	s.efer = EFER_LME | EFER_LMA;
	s.cs.attrib = CS_LONG;
	assert_int_equal(vcpu_sregs_set(&f->v, &s), VCPU_SREGS_OK);
	assert_int_equal(cr_shadow_get_efer(&f->v), EFER_LME | EFER_LMA);
	free(f);
}

static void test_partial_set(void **state)
{
	(void)state;
	struct cr_fixture *f = long_mode_guest(VM_MODE_PLAIN, false);
	struct vcpu_sregs s;
	memset(&s, 0, sizeof(s)); /* everything else 0: must not be applied */
	s.unavailable = VCPU_SREGS_ALL & ~VCPU_SREGS_CR8;
	s.cr8 = 11;
	assert_int_equal(vcpu_sregs_set(&f->v, &s), VCPU_SREGS_OK);
	assert_int_equal(f->v.cr.cr8, 11);
	assert_int_equal(f->v.cr.cr0, PGON | CR0_WP);
	assert_int_equal(f->vmcb.save.cs.attrib, CS_LONG);
	assert_int_equal(f->vmcb.save.cr3, 0x10000);
	/* A partial set is validated against the whole resulting state: clearing PAE alone in
	 * long mode is refused. */
	s.unavailable = VCPU_SREGS_ALL & ~VCPU_SREGS_CR4;
	s.cr4 = 0;
	assert_int_equal(vcpu_sregs_set(&f->v, &s), VCPU_SREGS_EINVAL);
	assert_int_equal(f->v.cr.cr4, CR4_PAE | CR4_OSXSAVE);
	free(f);

	/* No VMCB: tracked registers can be set, save-area groups have no home. */
	f = long_mode_guest(VM_MODE_PLAIN, false);
	f->v.vmcb = NULL;
	vcpu_sregs_get(&f->v, &s);
	assert_int_equal(s.unavailable, VCPU_SREGS_SEGS | VCPU_SREGS_DTABLES | VCPU_SREGS_CR2 |
					VCPU_SREGS_CR3);
	assert_int_equal(vcpu_sregs_set(&f->v, &s), VCPU_SREGS_OK);
	s.unavailable = 0;
	assert_int_equal(vcpu_sregs_set(&f->v, &s), VCPU_SREGS_ENOSTATE);
	free(f);
}

/* ---- consistency rules, with vectors ------------------------------------------------------- */

struct check_vector {
	const char *name;
	u64 efer, cr0, cr3, cr4, cr8;
	u16 cs_attrib;
	u32 unavailable;
	const char *want; /* NULL = consistent */
};

static const struct check_vector check_vectors[] = {
	{ "real mode after reset", 0, CR0_RESET_VALUE, 0, 0, 0, 0, 0, NULL },
	{ "multiboot entry", 0, CR0_PE | CR0_ET, 0, 0, 0, CS_32, 0, NULL },
	{ "64-bit", LM_EFER, PGON, 0x1000, CR4_PAE, 0, CS_LONG, 0, NULL },
	{ "compatibility", LM_EFER, PGON, 0x1000, CR4_PAE, 0, CS_32, 0, NULL },
	{ "LME set, paging off", EFER_LME, CR0_PE, 0, 0, 0, CS_32, 0, NULL },
	{ "legacy PAE paging", 0, PGON, 0xFFFFF000, CR4_PAE, 0, CS_32, 0, NULL },
	{ "CS.L+D outside long mode", 0, CR0_PE, 0, 0, 0, CS_32 | SVM_SEG_L, 0, NULL },
	/* The QEMU SEV-ES crash state: LME, PG, PAE, but LMA clear. */
	{ "LME+PG without LMA", EFER_LME, PGON, 0, CR4_PAE, 0, CS_LONG, 0,
	  "EFER.LMA must equal EFER.LME && CR0.PG" },
	{ "LMA without PG", LM_EFER, CR0_PE, 0, CR4_PAE, 0, CS_32, 0,
	  "EFER.LMA must equal EFER.LME && CR0.PG" },
	{ "LMA without LME", EFER_LMA, PGON, 0, CR4_PAE, 0, CS_32, 0,
	  "EFER.LMA must equal EFER.LME && CR0.PG" },
	{ "LME+PG without PAE", LM_EFER, PGON, 0, 0, 0, CS_32, 0,
	  "EFER.LME with CR0.PG needs CR4.PAE" },
	{ "CS.L+D in long mode", LM_EFER, PGON, 0, CR4_PAE, 0, CS_LONG | SVM_SEG_DB, 0,
	  "CS.L and CS.D both set in long mode" },
	{ "CS.L+D unknown (protected)", LM_EFER, PGON, 0, CR4_PAE, 0, CS_LONG | SVM_SEG_DB,
	  VCPU_SREGS_SEGS, NULL },
	{ "CR3 bit 52 in long mode", LM_EFER, PGON, BIT(52), CR4_PAE, 0, CS_LONG, 0,
	  "CR3 bits 63:52 are reserved in long mode" },
	{ "CR3 bit 63 in legacy mode", 0, PGON, BIT(63), 0, 0, CS_32, 0, NULL },
	{ "CR0 bit 32", 0, CR0_PE | BIT(32), 0, 0, 0, CS_32, 0, "CR0 bits 63:32 are reserved" },
	{ "PG without PE", 0, CR0_PG, 0, 0, 0, 0, 0, "CR0.PG set without CR0.PE" },
	{ "NW without CD", 0, CR0_PE | CR0_NW, 0, 0, 0, 0, 0, "CR0.NW set without CR0.CD" },
	{ "CR4 bit not allowed", 0, CR0_PE, 0, CR4_SMEP, 0, 0, 0,
	  "CR4 bit reserved or not allowed by the guest's CPUID" },
	{ "CR4 reserved bit 15", 0, CR0_PE, 0, BIT(15), 0, 0, 0,
	  "CR4 bit reserved or not allowed by the guest's CPUID" },
	{ "CR8 = 16", 0, CR0_PE, 0, 0, 16, 0, 0, "CR8 bits 63:4 are reserved" },
	{ "EFER.SVME visible", EFER_SVME, CR0_PE, 0, 0, 0, 0, 0,
	  "EFER.SVME is the hypervisor's, never guest-visible" },
	{ "PCIDE outside long mode", 0, PGON, 0, CR4_PAE | CR4_PCIDE, 0, CS_32, 0,
	  "CR4.PCIDE outside long mode" },
	{ "PCIDE in long mode", LM_EFER, PGON, 0, CR4_PAE | CR4_PCIDE, 0, CS_LONG, 0, NULL },
	{ "CET without WP", LM_EFER, PGON, 0, CR4_PAE | CR4_CET, 0, CS_LONG, 0,
	  "CR4.CET with CR0.WP clear" },
	{ "CET with WP", LM_EFER, PGON | CR0_WP, 0, CR4_PAE | CR4_CET, 0, CS_LONG, 0, NULL },
};

static void test_check_vectors(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(check_vectors); i++) {
		const struct check_vector *t = &check_vectors[i];
		struct vcpu_sregs s;
		memset(&s, 0, sizeof(s));
		s.efer = t->efer;
		s.cr0 = t->cr0;
		s.cr3 = t->cr3;
		s.cr4 = t->cr4;
		s.cr8 = t->cr8;
		s.cs.attrib = t->cs_attrib;
		s.unavailable = t->unavailable;
		const char *got = vcpu_sregs_check(&s, ALLOWED);
		if ((got == NULL) != (t->want == NULL) || (got && strcmp(got, t->want)))
			fail_msg("%s: got \"%s\", want \"%s\"", t->name, got ? got : "ok",
				 t->want ? t->want : "ok");
	}
}

/* The same vectors through set on an unprotected vCPU: refused ones change nothing, and the
 * refusal names the rule in the log. */
static void test_set_refuses_inconsistent(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(check_vectors); i++) {
		const struct check_vector *t = &check_vectors[i];
		if (t->unavailable)
			continue;
		struct cr_fixture *f = long_mode_guest(VM_MODE_PLAIN, false);
		struct vcpu_sregs s;
		vcpu_sregs_get(&f->v, &s);
		s.efer = t->efer;
		s.cr0 = t->cr0;
		s.cr3 = t->cr3;
		s.cr4 = t->cr4;
		s.cr8 = t->cr8;
		s.cs.attrib = t->cs_attrib;
		struct cr_shadow before = f->v.cr;
		struct vmcb vmcb_before = f->vmcb;
		cr_log_capture();
		enum vcpu_sregs_error e = vcpu_sregs_set(&f->v, &s);
		if (t->want) {
			if (e != VCPU_SREGS_EINVAL)
				fail_msg("%s: set gave %s", t->name, vcpu_sregs_strerror(e));
			if (memcmp(&before, &f->v.cr, sizeof(before)) ||
			    memcmp(&vmcb_before, &f->vmcb, sizeof(vmcb_before)))
				fail_msg("%s: refused set changed state", t->name);
			if (cr_log_count(t->want) != 1)
				fail_msg("%s: refusal not logged with its rule", t->name);
		} else if (e != VCPU_SREGS_OK) {
			fail_msg("%s: set gave %s", t->name, vcpu_sregs_strerror(e));
		}
		free(f);
	}
	log_reset();
}

static void test_strerror(void **state)
{
	(void)state;
	assert_string_equal(vcpu_sregs_strerror(VCPU_SREGS_OK), "ok");
	assert_string_equal(vcpu_sregs_strerror(VCPU_SREGS_EINVAL), "inconsistent register state");
	assert_string_equal(vcpu_sregs_strerror(VCPU_SREGS_ENOSTATE), "no VMCB for the supplied fields");
	assert_string_equal(vcpu_sregs_strerror((enum vcpu_sregs_error)99), "?");
	/* The Multiboot fixture state is a valid state too. */
	struct cr_fixture *f = cr_fixture_new(VM_MODE_PLAIN, false, &cr_fixture_multiboot, 0);
	struct vcpu_sregs s;
	vcpu_sregs_get(&f->v, &s);
	assert_int_equal(vcpu_sregs_set(&f->v, &s), VCPU_SREGS_OK);
	free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get_protected_gives_only_tracked),
		cmocka_unit_test(test_set_protected_refused),
		cmocka_unit_test(test_unprotected_round_trip),
		cmocka_unit_test(test_set_applies),
		cmocka_unit_test(test_partial_set),
		cmocka_unit_test(test_check_vectors),
		cmocka_unit_test(test_set_refuses_inconsistent),
		cmocka_unit_test(test_strerror),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
