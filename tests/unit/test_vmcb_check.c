/* svm/vmcb_check: one broken VMCB per consistency rule (APM vol. 2, 15.5.1, 15.20, 15.35),
 * each derived from a known-good 64-bit guest VMCB; the validator must name exactly that rule. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>
#include "svm/vmcb_check.h"
#include "svm/cr_shadow.h"

/* A 64-bit guest that passes every rule: long mode with paging, a 64-bit code segment,
 * nested paging, SEV-ES with LBRV, ASID 1, VMRUN intercepted, a valid #GP queued. */
static void good_vmcb(struct vmcb *v)
{
	memset(v, 0, sizeof(*v));
	v->control.intercept_misc2 = BIT(SVM_INTERCEPT_VMRUN) | BIT(SVM_INTERCEPT_VMMCALL);
	v->control.asid = 1;
	v->control.iopm_base_pa = 0x10000;
	v->control.msrpm_base_pa = 0x20000;
	v->control.nested_ctl = SVM_NESTED_CTL_NP_ENABLE | SVM_NESTED_CTL_SEV_ENABLE |
				SVM_NESTED_CTL_SEV_ES_ENABLE;
	v->control.virt_ext = SVM_VIRT_EXT_LBRV;
	v->control.nested_cr3 = 0x7FF000;
	v->control.event_inj = SVM_EVT_VALID | SVM_EVT_TYPE_EXCEPTION | SVM_EVT_ERR_VALID | 13;
	v->save.efer = EFER_SVME | EFER_LME | EFER_LMA | EFER_NXE | EFER_SCE;
	v->save.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_PG;
	v->save.cr3 = 0x1000;
	v->save.cr4 = CR4_PAE | CR4_PGE | CR4_OSFXSR | CR4_OSXMMEXCPT;
	v->save.cs = (struct vmcb_seg){ 0x08, 0xB | SVM_SEG_S | SVM_SEG_P | SVM_SEG_L | SVM_SEG_G,
					0xFFFFFFFF, 0 };
	v->save.dr6 = 0xFFFF0FF0;
	v->save.dr7 = 0x400;
	v->save.rflags = 2;
}

static struct vmcb *vmcb;

static int setup(void **state)
{
	(void)state;
	vmcb = calloc(1, sizeof(*vmcb));
	good_vmcb(vmcb);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(vmcb);
	return 0;
}

static void test_good_passes(void **state)
{
	(void)state;
	assert_int_equal(svm_vmcb_check(vmcb, NULL), 0);
	assert_null(svm_vmcb_check_first(vmcb, NULL));
	/* Also a 32-bit protected-mode guest (the Multiboot entry state) and real-mode-like
	 * flat state without paging. */
	vmcb->save.efer = EFER_SVME;
	vmcb->save.cr0 = CR0_PE | CR0_ET;
	vmcb->save.cr4 = 0;
	vmcb->save.cr3 = 0xFFFFFFFFFFFFF000ULL; /* CR3 is not checked outside long mode */
	vmcb->save.cs.attrib = 0xB | SVM_SEG_S | SVM_SEG_P | SVM_SEG_DB | SVM_SEG_G;
	vmcb->control.event_inj = 0x7FFFF000; /* MBZ bits, but V = 0: not checked */
	vmcb->control.nested_ctl = 0;          /* SEV-ES off: LBRV not needed */
	vmcb->control.virt_ext = 0;
	vmcb->control.nested_cr3 = ~0ULL;      /* NP off: nCR3 not checked */
	assert_int_equal(svm_vmcb_check(vmcb, NULL), 0);
	/* Caches disabled (CD=1, NW=1) is legal. */
	vmcb->save.cr0 |= CR0_CD | CR0_NW;
	assert_int_equal(svm_vmcb_check(vmcb, NULL), 0);
}

struct breakage {
	const char *what;
	enum svm_vmcb_rule rule;
	void (*breakit)(struct vmcb *v);
};

static void b_svme(struct vmcb *v) { v->save.efer &= ~EFER_SVME; }
static void b_nw(struct vmcb *v) { v->save.cr0 |= CR0_NW; }
static void b_cr0_high(struct vmcb *v) { v->save.cr0 |= BIT(32); }
static void b_cr0_63(struct vmcb *v) { v->save.cr0 |= BIT(63); }
static void b_cr3_63(struct vmcb *v) { v->save.cr3 |= BIT(63); }
static void b_cr3_52(struct vmcb *v) { v->save.cr3 |= BIT(52); }
static void b_cr4_31(struct vmcb *v) { v->save.cr4 |= BIT(31); }
static void b_cr4_vmxe(struct vmcb *v) { v->save.cr4 |= BIT(13); }
static void b_cr4_high(struct vmcb *v) { v->save.cr4 |= BIT(40); }
static void b_dr6(struct vmcb *v) { v->save.dr6 |= BIT(32); }
static void b_dr7(struct vmcb *v) { v->save.dr7 |= BIT(63); }
static void b_efer_20(struct vmcb *v) { v->save.efer |= BIT(20); }
static void b_efer_9(struct vmcb *v) { v->save.efer |= BIT(9); }
static void b_lmsle(struct vmcb *v) { v->save.efer |= EFER_LMSLE; }
static void b_no_pae(struct vmcb *v) { v->save.cr4 &= ~CR4_PAE; }
static void b_no_pe(struct vmcb *v) { v->save.cr0 &= ~CR0_PE; }
static void b_cs_ld(struct vmcb *v) { v->save.cs.attrib |= SVM_SEG_DB; }
static void b_vmrun(struct vmcb *v) { v->control.intercept_misc2 &= ~BIT(SVM_INTERCEPT_VMRUN); }
static void b_iopm(struct vmcb *v) { v->control.iopm_base_pa = BIT(52) - 0x2000; }
static void b_msrpm(struct vmcb *v) { v->control.msrpm_base_pa = BIT(52) - 0x1000; }
static void b_asid(struct vmcb *v) { v->control.asid = 0; }
static void b_evt_mbz(struct vmcb *v) { v->control.event_inj |= BIT(12); }
static void b_evt_mbz30(struct vmcb *v) { v->control.event_inj |= BIT(30); }
static void b_evt_type1(struct vmcb *v) { v->control.event_inj = SVM_EVT_VALID | (1u << 8) | 32; }
static void b_evt_type5(struct vmcb *v) { v->control.event_inj = SVM_EVT_VALID | (5u << 8) | 32; }
static void b_evt_type7(struct vmcb *v) { v->control.event_inj = SVM_EVT_VALID | (7u << 8) | 32; }
static void b_evt_nmi_exc(struct vmcb *v) { v->control.event_inj = SVM_EVT_VALID | SVM_EVT_TYPE_EXCEPTION | 2; }
static void b_evt_exc_32(struct vmcb *v) { v->control.event_inj = SVM_EVT_VALID | SVM_EVT_TYPE_EXCEPTION | 32; }
static void b_evt_exc_255(struct vmcb *v) { v->control.event_inj = SVM_EVT_VALID | SVM_EVT_TYPE_EXCEPTION | 255; }
static void b_lbrv(struct vmcb *v) { v->control.virt_ext = 0; }
static void b_ncr3(struct vmcb *v) { v->control.nested_cr3 |= BIT(55); }

static const struct breakage breakages[] = {
	{ "EFER.SVME clear", SVM_VMCB_EFER_SVME_CLEAR, b_svme },
	{ "CR0.NW without CD", SVM_VMCB_CR0_NW_WITHOUT_CD, b_nw },
	{ "CR0 bit 32", SVM_VMCB_CR0_HIGH, b_cr0_high },
	{ "CR0 bit 63", SVM_VMCB_CR0_HIGH, b_cr0_63 },
	{ "CR3 bit 63 in long mode", SVM_VMCB_CR3_MBZ, b_cr3_63 },
	{ "CR3 bit 52 in long mode", SVM_VMCB_CR3_MBZ, b_cr3_52 },
	{ "CR4 bit 31", SVM_VMCB_CR4_MBZ, b_cr4_31 },
	{ "CR4.VMXE (Intel only)", SVM_VMCB_CR4_MBZ, b_cr4_vmxe },
	{ "CR4 bit 40", SVM_VMCB_CR4_MBZ, b_cr4_high },
	{ "DR6 bit 32", SVM_VMCB_DR6_HIGH, b_dr6 },
	{ "DR7 bit 63", SVM_VMCB_DR7_HIGH, b_dr7 },
	{ "EFER bit 20", SVM_VMCB_EFER_MBZ, b_efer_20 },
	{ "EFER bit 9", SVM_VMCB_EFER_MBZ, b_efer_9 },
	{ "EFER.LMSLE", SVM_VMCB_EFER_LMSLE, b_lmsle },
	{ "LME+PG without PAE", SVM_VMCB_LONG_NO_PAE, b_no_pae },
	{ "LME+PG without PE", SVM_VMCB_LONG_NO_PE, b_no_pe },
	{ "CS.L and CS.D", SVM_VMCB_CS_L_AND_D, b_cs_ld },
	{ "no VMRUN intercept", SVM_VMCB_NO_VMRUN_INTERCEPT, b_vmrun },
	{ "IOPM past MAXPHYADDR", SVM_VMCB_IOPM_BEYOND_MAXPHYADDR, b_iopm },
	{ "MSRPM past MAXPHYADDR", SVM_VMCB_MSRPM_BEYOND_MAXPHYADDR, b_msrpm },
	{ "ASID 0", SVM_VMCB_ASID_ZERO, b_asid },
	{ "EVENTINJ bit 12", SVM_VMCB_EVENTINJ_MBZ, b_evt_mbz },
	{ "EVENTINJ bit 30", SVM_VMCB_EVENTINJ_MBZ, b_evt_mbz30 },
	{ "EVENTINJ type 1", SVM_VMCB_EVENTINJ_TYPE, b_evt_type1 },
	{ "EVENTINJ type 5", SVM_VMCB_EVENTINJ_TYPE, b_evt_type5 },
	{ "EVENTINJ type 7", SVM_VMCB_EVENTINJ_TYPE, b_evt_type7 },
	{ "EVENTINJ exception vector 2", SVM_VMCB_EVENTINJ_VECTOR, b_evt_nmi_exc },
	{ "EVENTINJ exception vector 32", SVM_VMCB_EVENTINJ_VECTOR, b_evt_exc_32 },
	{ "EVENTINJ exception vector 255", SVM_VMCB_EVENTINJ_VECTOR, b_evt_exc_255 },
	{ "SEV-ES without LBRV", SVM_VMCB_SEV_ES_NO_LBRV, b_lbrv },
	{ "nCR3 bit 55", SVM_VMCB_NCR3_MBZ, b_ncr3 },
};

static void test_each_rule(void **state)
{
	(void)state;
	bool covered[SVM_VMCB_RULE_COUNT] = { false };
	for (unsigned i = 0; i < ARRAY_SIZE(breakages); i++) {
		const struct breakage *b = &breakages[i];
		good_vmcb(vmcb);
		b->breakit(vmcb);
		u32 failed = svm_vmcb_check(vmcb, NULL);
		if (failed != (1u << b->rule)) {
			char buf[256];
			svm_vmcb_check_describe(failed, buf, sizeof(buf));
			fprintf(stderr, "%s: expected only '%s', got 0x%x (%s)\n", b->what,
				svm_vmcb_rule_name(b->rule), failed, buf);
			fail();
		}
		assert_string_equal(svm_vmcb_check_first(vmcb, NULL), svm_vmcb_rule_name(b->rule));
		covered[b->rule] = true;
	}
	/* Every rule in the table has at least one broken VMCB above. */
	for (unsigned r = 0; r < SVM_VMCB_RULE_COUNT; r++) {
		if (!covered[r])
			fprintf(stderr, "rule %u '%s' untested\n", r, svm_vmcb_rule_name(r));
		assert_true(covered[r]);
	}
}

/* Valid event injections of every kind pass. */
static void test_valid_events(void **state)
{
	(void)state;
	static const u32 ok[] = {
		SVM_EVT_VALID | SVM_EVT_TYPE_INTR | 0x20,
		SVM_EVT_VALID | SVM_EVT_TYPE_INTR | 0xFF,
		SVM_EVT_VALID | SVM_EVT_TYPE_NMI | 2,
		SVM_EVT_VALID | SVM_EVT_TYPE_EXCEPTION | 0,
		SVM_EVT_VALID | SVM_EVT_TYPE_EXCEPTION | 6,
		SVM_EVT_VALID | SVM_EVT_TYPE_EXCEPTION | SVM_EVT_ERR_VALID | 14,
		SVM_EVT_VALID | SVM_EVT_TYPE_EXCEPTION | SVM_EVT_ERR_VALID | 29,
		SVM_EVT_VALID | SVM_EVT_TYPE_EXCEPTION | 31,
		SVM_EVT_VALID | SVM_EVT_TYPE_SOFT_INT | 0x80,
		0,
	};
	for (unsigned i = 0; i < ARRAY_SIZE(ok); i++) {
		good_vmcb(vmcb);
		vmcb->control.event_inj = ok[i];
		assert_int_equal(svm_vmcb_check(vmcb, NULL), 0);
	}
}

/* Capabilities: LMSLE allowed on CPUs that have it, a narrower MAXPHYADDR catches more, a
 * CR4/EFER mask for a CPU with fewer features. */
static void test_caps(void **state)
{
	(void)state;
	struct svm_vmcb_caps caps = { .lmsle = true };
	vmcb->save.efer |= EFER_LMSLE;
	assert_int_equal(svm_vmcb_check(vmcb, &caps), 0);
	assert_int_equal(svm_vmcb_check(vmcb, NULL), 1u << SVM_VMCB_EFER_LMSLE);

	good_vmcb(vmcb);
	caps = (struct svm_vmcb_caps){ .phys_bits = 40 };
	vmcb->save.cr3 = BIT(45);
	vmcb->control.nested_cr3 = BIT(40);
	vmcb->control.msrpm_base_pa = BIT(40) - 0x1000; /* 8 KiB map crosses 2^40 */
	assert_int_equal(svm_vmcb_check(vmcb, &caps),
			 (1u << SVM_VMCB_CR3_MBZ) | (1u << SVM_VMCB_NCR3_MBZ) |
				 (1u << SVM_VMCB_MSRPM_BEYOND_MAXPHYADDR));
	assert_int_equal(svm_vmcb_check(vmcb, NULL), 0); /* fine with 52 bits */

	good_vmcb(vmcb);
	caps = (struct svm_vmcb_caps){ .cr4_valid = SVM_VMCB_CR4_VALID_DEFAULT & ~CR4_LA57 };
	vmcb->save.cr4 |= CR4_LA57;
	assert_int_equal(svm_vmcb_check(vmcb, NULL), 0);
	assert_int_equal(svm_vmcb_check(vmcb, &caps), 1u << SVM_VMCB_CR4_MBZ);
}

/* Several failures at once are all named, in table order. */
static void test_describe(void **state)
{
	(void)state;
	vmcb->control.asid = 0;
	vmcb->save.efer &= ~EFER_SVME;
	vmcb->control.intercept_misc2 = 0;
	u32 failed = svm_vmcb_check(vmcb, NULL);
	char buf[160];
	assert_int_equal(svm_vmcb_check_describe(failed, buf, sizeof(buf)), 3);
	assert_string_equal(buf, "EFER.SVME clear; VMRUN intercept clear; ASID is 0");
	assert_string_equal(svm_vmcb_check_first(vmcb, NULL), "EFER.SVME clear");
	/* A short buffer is truncated and terminated; the count stays right. */
	char small[10];
	assert_int_equal(svm_vmcb_check_describe(failed, small, sizeof(small)), 3);
	assert_string_equal(small, "EFER.SVME");
	assert_int_equal(svm_vmcb_check_describe(0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	assert_string_equal(svm_vmcb_rule_name(SVM_VMCB_RULE_COUNT), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_good_passes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_each_rule, setup, teardown),
		cmocka_unit_test_setup_teardown(test_valid_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_caps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_describe, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
