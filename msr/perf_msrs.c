/* The legacy AMD performance counters: PerfEvtSel0-3 (0xC0010000-3) and PerfCtr0-3
 * (0xC0010004-7), which every AMD64 CPU has, with no CPUID bit (APM vol. 2, 13.2.1 "Performance
 * Counter MSRs"). sevisor has no virtual PMU: the registers hold what the guest wrote and count
 * nothing, like KVM without a PMU (guests such as kvm-unit-tests and Linux clear them at start-up
 * and would otherwise take a #GP). The core-extension range (0xC0010200, CPUID 0x80000001
 * ECX[23] PerfCtrExtCore) is not offered, so guests use these four. */
#include "msr/msr_rules.h"

/* PerfEvtSeln (APM vol. 2, 13.2.1, figure "Core Performance Event-Select Register"): EventSelect
 * 7:0 and 35:32, UnitMask 15:8, USR 16, OS 17, Edge 18, Int 20, En 22, Inv 23, CntMask 31:24,
 * HostOnly/GuestOnly 41:40. Bits 19, 21, 39:36 and 63:42 are reserved: WRMSR that sets one is
 * #GP (APM vol. 3, WRMSR). */
#define PERF_EVTSEL_RESERVED (BIT(19) | BIT(21) | GENMASK(39, 36) | GENMASK(63, 42))
/* PerfCtrn: the counters are 48 bits wide (APM vol. 2, 13.2.1); the bits above read as zero. */
#define PERF_CTR_MASK GENMASK(47, 0)

static u64 *perf_slot(struct vcpu *v, u32 index)
{
	if (index < MSR_K7_PERFCTR0)
		return &v->msr.perf_evtsel[index - MSR_K7_EVNTSEL0];
	return &v->msr.perf_ctr[index - MSR_K7_PERFCTR0];
}

struct msr_read_out msr_perf_read(struct vcpu *v, u32 index)
{
	return msr_read_ok(*perf_slot(v, index));
}

enum msr_result msr_perf_write(struct vcpu *v, u32 index, u64 value)
{
	if (index < MSR_K7_PERFCTR0) {
		if (value & PERF_EVTSEL_RESERVED)
			return MSR_GP;
	} else {
		value &= PERF_CTR_MASK;
	}
	*perf_slot(v, index) = value;
	return MSR_OK;
}
