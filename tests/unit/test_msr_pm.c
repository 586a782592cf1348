/* The MSR permission map (APM vol. 2, 15.11) against the dispatch table.
 *
 * Layout facts used here come from the APM, not from the code: 8 KiB; bytes 0x000-0x7FF cover
 * MSRs 0000_0000-0000_1FFF, 0x800-0xFFF cover C000_0000-C000_1FFF, 0x1000-0x17FF cover
 * C001_0000-C001_1FFF, 0x1800-0x1FFF reserved; two bits per MSR, the lower one intercepting
 * RDMSR and the upper one WRMSR.
 *
 * The expected pass-through set is written down independently (KVM's SEV-ES choice, facts C.3):
 * for sev-es the VMSA-held state MSRs, PAT, XSS, EFER (write trap instead) and the GHCB MSR;
 * soft-es the same except that its CPU model must see EFER writes and GHCB MSR accesses;
 * plain: nothing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include "msr_fixture.h"
#include "msr/msr_rules.h"

static const u32 vmsa_state_msrs[] = {
	MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP, MSR_STAR, MSR_LSTAR,
	MSR_CSTAR, MSR_SFMASK, MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE, MSR_IA32_PAT,
	MSR_IA32_XSS,
};

static bool listed(u32 index)
{
	for (size_t i = 0; i < ARRAY_SIZE(vmsa_state_msrs); i++)
		if (vmsa_state_msrs[i] == index)
			return true;
	return false;
}

/* The independent expectation: does the guest's access trap? */
static bool expect_intercept(enum vm_mode mode, u32 index, bool write)
{
	if (mode == VM_MODE_PLAIN)
		return true;
	if (listed(index))
		return false;
	if (index == MSR_EFER)
		return mode == VM_MODE_SOFT_ES && write;
	if (index == MSR_AMD64_SEV_ES_GHCB)
		return mode == VM_MODE_SOFT_ES;
	return true;
}

static const u32 range_base[3] = { 0x00000000u, 0xC0000000u, 0xC0010000u };

static bool map_bit(const u8 *pm, unsigned range, u32 off, bool write)
{
	u32 bit = range * 0x800 * 8 + off * 2 + (write ? 1 : 0);
	return pm[bit / 8] & (1u << (bit % 8));
}

static void test_map_matches_expectation(void **state)
{
	(void)state;
	static u8 pm[MSR_PERMISSION_MAP_SIZE];
	for (int m = VM_MODE_PLAIN; m <= VM_MODE_SOFT_ES; m++) {
		enum vm_mode mode = (enum vm_mode)m;
		msr_build_permission_map(pm, mode);
		for (unsigned r = 0; r < 3; r++)
			for (u32 off = 0; off < 0x2000; off++) {
				u32 index = range_base[r] + off;
				for (int w = 0; w < 2; w++) {
					bool got = map_bit(pm, r, off, w);
					if (got != expect_intercept(mode, index, w))
						fail_msg("mode %d msr 0x%x %s: map %d", m, index,
							 w ? "write" : "read", got);
					/* ... and the table's own answer agrees with the map. */
					if (got != msr_intercepted(index, mode, w ? MSR_ACCESS_WRITE
										 : MSR_ACCESS_READ))
						fail_msg("mode %d msr 0x%x: map and table disagree", m,
							 index);
				}
			}
		for (u32 b = 0x1800; b < 0x2000; b++)
			assert_int_equal(pm[b], 0xFF);
	}
}

/* Hand-computed byte positions from the APM layout. */
static void test_known_positions(void **state)
{
	(void)state;
	static u8 pm[MSR_PERMISSION_MAP_SIZE];
	msr_build_permission_map(pm, VM_MODE_SEV_ES);
	/* STAR 0xC0000081: range 1, offset 0x81 -> bit 0x102 -> byte 0x820, bits 2-3. */
	assert_int_equal(pm[0x820] & 0x0C, 0);
	/* EFER 0xC0000080: byte 0x820 bits 0-1, passed through for sev-es. */
	assert_int_equal(pm[0x820] & 0x03, 0);
	/* GHCB 0xC0010130: range 2, offset 0x130 -> bit 0x260 -> byte 0x104C, bits 0-1. */
	assert_int_equal(pm[0x104C] & 0x03, 0);
	/* SEV_STATUS 0xC0010131: same byte, bits 2-3, intercepted. */
	assert_int_equal(pm[0x104C] & 0x0C, 0x0C);
	/* PAT 0x277: bit 0x4EE -> byte 0x9D, bits 6-7. */
	assert_int_equal(pm[0x9D] & 0xC0, 0);
	/* TSC 0x10: byte 4, bits 0-1, intercepted. */
	assert_int_equal(pm[4] & 0x03, 0x03);

	msr_build_permission_map(pm, VM_MODE_SOFT_ES);
	assert_int_equal(pm[0x820] & 0x03, 0x02); /* EFER: read passes, write intercepted */
	assert_int_equal(pm[0x104C] & 0x03, 0x03); /* GHCB: the soft model intercepts */

	msr_build_permission_map(pm, VM_MODE_PLAIN);
	for (size_t i = 0; i < MSR_PERMISSION_MAP_SIZE; i++)
		assert_int_equal(pm[i], 0xFF);
}

/* The table itself: sorted, disjoint, named, and every MSR in a rule maps back to it. */
static void test_table_shape(void **state)
{
	(void)state;
	size_t n;
	const struct msr_rule *rules = msr_rules(&n);
	assert_true(n > 20);
	for (size_t i = 0; i < n; i++) {
		assert_non_null(rules[i].name);
		assert_true(rules[i].first <= rules[i].last);
		assert_true(rules[i].read || rules[i].write);
		if (i > 0 && rules[i].first <= rules[i - 1].last)
			fail_msg("rule %s overlaps or is out of order", rules[i].name);
		assert_ptr_equal(msr_rule_find(rules[i].first), &rules[i]);
		assert_ptr_equal(msr_rule_find(rules[i].last), &rules[i]);
		/* Pass-through only in protected modes; plain intercepts everything it models. */
		assert_false(rules[i].hw_read & MSR_IN_PLAIN);
		assert_false(rules[i].hw_write & MSR_IN_PLAIN);
	}
	assert_null(msr_rule_name(0xC0011029));
	assert_string_equal(msr_rule_name(MSR_IA32_MC0_CTL + 4 * 31 + 3), "MCi");
	assert_null(msr_rule_name(MSR_IA32_MC0_CTL + 4 * 32));
	assert_true(msr_intercepted(0xC0002000, VM_MODE_SEV_ES, MSR_ACCESS_READ));
}

/* A plain scan of the table: what the rule index must agree with. */
static const struct msr_rule *scan_rules(u32 index)
{
	size_t n;
	const struct msr_rule *rules = msr_rules(&n);
	for (size_t i = 0; i < n; i++)
		if (rules[i].first <= index && index <= rules[i].last)
			return &rules[i];
	return NULL;
}

/* The slots of the permission map's three ranges (APM vol. 2, 15.11), and none outside. */
static void test_pm_slots(void **state)
{
	(void)state;
	assert_int_equal(msr_pm_slot(0x00000000), 0x0000);
	assert_int_equal(msr_pm_slot(0x00001FFF), 0x1FFF);
	assert_int_equal(msr_pm_slot(0x00002000), MSR_PM_SLOTS);
	assert_int_equal(msr_pm_slot(0xBFFFFFFF), MSR_PM_SLOTS);
	assert_int_equal(msr_pm_slot(0xC0000000), 0x2000);
	assert_int_equal(msr_pm_slot(0xC0000080), 0x2080);
	assert_int_equal(msr_pm_slot(0xC0001FFF), 0x3FFF);
	assert_int_equal(msr_pm_slot(0xC0002000), MSR_PM_SLOTS);
	assert_int_equal(msr_pm_slot(0xC000FFFF), MSR_PM_SLOTS);
	assert_int_equal(msr_pm_slot(0xC0010000), 0x4000);
	assert_int_equal(msr_pm_slot(0xC0011FFF), 0x5FFF);
	assert_int_equal(msr_pm_slot(0xC0012000), MSR_PM_SLOTS);
	assert_int_equal(msr_pm_slot(0x40000000), MSR_PM_SLOTS);
	assert_int_equal(msr_pm_slot(0xFFFFFFFF), MSR_PM_SLOTS);
}

/* The rule index: every MSR of every rule finds that rule; every MSR of the three ranges,
 * their neighbours and MSRs elsewhere find what a scan of the table finds (NULL for most). */
static void test_rule_lookup(void **state)
{
	(void)state;
	size_t n;
	const struct msr_rule *rules = msr_rules(&n);
	for (size_t i = 0; i < n; i++)
		for (u32 index = rules[i].first;; index++) {
			if (msr_rule_find(index) != &rules[i])
				fail_msg("MSR 0x%x: not found as rule %s", index, rules[i].name);
			if (index == rules[i].last)
				break;
		}
	static const u32 bases[] = { 0x00000000, 0xC0000000, 0xC0010000 };
	for (size_t k = 0; k < ARRAY_SIZE(bases); k++)
		for (u32 off = 0; off < 0x2000 + 0x100; off++) {
			u32 index = bases[k] + off;
			if (msr_rule_find(index) != scan_rules(index))
				fail_msg("MSR 0x%x: index and table disagree", index);
		}
	static const u32 elsewhere[] = { 0x40000000, 0x40000001, 0x4B564D00, 0xBFFFFFFF, 0xC000FFFF,
					 0xC0011FFF, 0xC0012000, 0xC0020000, 0xFFFFFFFF };
	for (size_t i = 0; i < ARRAY_SIZE(elsewhere); i++)
		assert_ptr_equal(msr_rule_find(elsewhere[i]), scan_rules(elsewhere[i]));
	/* The common MSRs, by name (APM vol. 2 / SDM MSR numbers). */
	assert_string_equal(msr_rule_name(0x277), "PAT");
	assert_string_equal(msr_rule_name(0xC0000080), "EFER");
	assert_string_equal(msr_rule_name(0xC0000102), "FS/GS_BASE");
	assert_string_equal(msr_rule_name(0xC0010131), "SEV_STATUS");
	assert_null(msr_rule_name(0x40000000));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_map_matches_expectation),
		cmocka_unit_test(test_known_positions),
		cmocka_unit_test(test_table_shape),
		cmocka_unit_test(test_pm_slots),
		cmocka_unit_test(test_rule_lookup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
