/* Per-vCPU state of the guest-visible MSR model, and the per-guest options.
 * Values the hardware keeps for the guest (VMCB save area: FS/GS base, STAR..., G_PAT; VMCB
 * control: TSC offset, GHCB GPA) are not duplicated here: the handlers use the VMCB. */
#ifndef MSR_MSR_STATE_H
#define MSR_MSR_STATE_H

#include "lib/types.h"
#include "msr/msr_index.h"
#include "msr/cpuid.h"

/* Per-guest options from sevisor.cfg. All-zero is a usable default (0 machine-check banks). */
struct msr_vm_config {
	unsigned mce_banks; /* MCG_CAP[7:0], clamped to MSR_MCE_MAX_BANKS */
	bool ignore_msrs;   /* unknown MSRs: read 0, writes dropped, logged once per MSR */
	bool hide_mcg_ctl;  /* clear MCG_CAP.MCG_CTL_P, so MCG_CTL gets #GP */
};

/* The host half of the CPUID policy, per guest (msr/cpuid_policy.c): each table leaf's host
 * values with the policy's masks applied, taken once instead of on every CPUID exit. Built on
 * first use for the host hook in force (a new hook, in the unit tests, rebuilds it). */
#define MSR_CPUID_TABLE_LEAVES 18
struct msr_cpuid_cache {
	msr_host_cpuid_fn built_for;
	bool built;
	struct cpuid_regs masked[MSR_CPUID_TABLE_LEAVES];
};

struct msr_mce_bank {
	u64 ctl, status, addr, misc;
};

#define MSR_UNKNOWN_LOG_SLOTS 16
#define MSR_REASON_MAX 128

struct msr_state {
	u64 apic_base;
	u64 tsc_aux;
	u64 hwcr;
	u64 xss;
	u64 spec_ctrl;
	bool ibpb_requested; /* guest wrote PRED_CMD.IBPB: the run loop issues an IBPB before VMRUN */
	u64 perf_evtsel[MSR_K7_NR_COUNTERS]; /* PerfEvtSel0-3: held, nothing counts (perf_msrs.c) */
	u64 perf_ctr[MSR_K7_NR_COUNTERS];    /* PerfCtr0-3 */

	u64 mcg_status;
	u64 mcg_ctl;
	struct msr_mce_bank mce[MSR_MCE_MAX_BANKS];

	u64 mtrr_def_type;
	u64 mtrr_fixed[MSR_MTRR_NR_FIXED];
	u64 mtrr_base[MSR_MTRR_NR_VAR];
	u64 mtrr_mask[MSR_MTRR_NR_VAR];

	/* MSRs without a rule already logged (once each: #GP, or ignored with ignore_msrs). */
	u32 unknown_logged[MSR_UNKNOWN_LOG_SLOTS];
	unsigned nr_unknown_logged;

	/* Why the last MSR_ERROR happened. */
	char error_reason[MSR_REASON_MAX];
};

#endif
