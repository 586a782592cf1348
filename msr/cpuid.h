/* The CPUID policy: what a guest sees for each leaf, per mode. One implementation used by the
 * CPUID intercept, the GHCB CPUID NAE event and the GHCB MSR-protocol CPUID request. */
#ifndef MSR_CPUID_H
#define MSR_CPUID_H

#include "lib/types.h"

struct vcpu;

struct cpuid_regs {
	u32 eax, ebx, ecx, edx;
};

/* xcr0/xss: the guest's values (from the GHCB for protected guests), used for leaf 0xD. */
void msr_cpuid(struct vcpu *v, u32 leaf, u32 subleaf, u64 xcr0, u64 xss, struct cpuid_regs *out);

#endif
