/* Per-vCPU state of the guest-visible MSR model (issue: MSR and CPUID model). Placeholder:
 * the msr/ module fills it in. */
#ifndef MSR_MSR_STATE_H
#define MSR_MSR_STATE_H

#include "lib/types.h"

/* Per-guest options from sevisor.cfg. */
struct msr_vm_config {
	unsigned mce_banks;
	bool ignore_msrs;
};

struct msr_state {
	u64 apic_base;
};

#endif
