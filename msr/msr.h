/* The guest-visible MSR model: one dispatch table, one implementation of each rule, used by
 * the RDMSR/WRMSR intercepts (plain), the GHCB MSR NAE event (sev-es, soft-es) and the GHCB
 * MSR protocol. See issue "Guest MSR and CPUID model". */
#ifndef MSR_MSR_H
#define MSR_MSR_H

#include "lib/types.h"

struct vcpu;

enum msr_result {
	MSR_OK = 0,    /* done */
	MSR_GP = 1,    /* inject #GP, the guest carries on */
	MSR_ERROR = 2, /* named internal error: the caller terminates this guest (reason logged) */
};

enum msr_result msr_read(struct vcpu *v, u32 index, u64 *value);
enum msr_result msr_write(struct vcpu *v, u32 index, u64 value);

#endif
