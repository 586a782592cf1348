/* The MSR permission map (APM vol. 2, 15.11 "MSR Intercepts"), generated from the dispatch
 * table so that the two can never disagree: 8 KiB, three 2 KiB vectors for the MSR ranges
 * 0000_0000-0000_1FFF, C000_0000-C000_1FFF and C001_0000-C001_1FFF, two bits per MSR (even
 * bit: intercept RDMSR, odd bit: intercept WRMSR). MSRs outside the ranges always exit. The
 * fourth 2 KiB is reserved; it is filled with ones like everything else. */
#include "msr/msr_rules.h"
#include "lib/kstring.h"

static void clear_bit_at(u8 *msrpm, u32 bitpos)
{
	msrpm[bitpos / 8] &= (u8)~(1u << (bitpos % 8));
}

void msr_build_permission_map(u8 *msrpm, enum vm_mode mode)
{
	/* Default: intercept everything. An MSR sevisor has no rule for then exits and gets
	 * #GP (or the ignore_msrs treatment) instead of reaching the real host MSR. */
	memset(msrpm, 0xFF, MSR_PERMISSION_MAP_SIZE);

	size_t n;
	const struct msr_rule *rules = msr_rules(&n);
	for (size_t i = 0; i < n; i++) {
		const struct msr_rule *r = &rules[i];
		for (u32 index = r->first;; index++) {
			u32 slot = msr_pm_slot(index);
			if (slot < MSR_PM_SLOTS) {
				u32 bitpos = slot * 2; /* 2 KiB = 0x2000 MSRs of 2 bits per range */
				if (!msr_intercepted(index, mode, MSR_ACCESS_READ))
					clear_bit_at(msrpm, bitpos);
				if (!msr_intercepted(index, mode, MSR_ACCESS_WRITE))
					clear_bit_at(msrpm, bitpos + 1);
			}
			if (index == r->last)
				break;
		}
	}
}
