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

/* The CPUID policy's answers, per guest (msr/cpuid_policy.c): every leaf a guest can get a
 * non-zero answer for (basic 0..0xD, extended 0x80000000..0x8000001F, the hypervisor leaf
 * 0x40000000), as the policy gives it for subleaf 0 without the per-vCPU bits (leaf 1: APIC ID,
 * APIC, OSXSAVE; leaf 7: OSPKE and the other subleaves), which the lookup adds; and for leaf
 * 0xD, whose sizes follow the guest's XCR0 on every call, the host's XSAVE component table.
 * Built on first use; rebuilt when the host hook differs, or after msr_cpuid_forget (a change
 * of the guest's vCPU count, mode or C-bit after the first query). */
#define MSR_CPUID_BASIC_LEAVES 14 /* 0..0xD */
#define MSR_CPUID_EXT_LEAVES 32   /* 0x80000000..0x8000001F */
#define MSR_CPUID_ANSWERS (MSR_CPUID_BASIC_LEAVES + MSR_CPUID_EXT_LEAVES + 1)
#define MSR_CPUID_XSAVE_COMPONENTS 10 /* XCR0 bits 0..9: the offered components (PKRU is 9) */
/* One kept answer as the guest's RAX, RBX, RCX, RDX get it: the 32-bit values zero-extended
 * (CPUID clears the upper halves, APM vol. 3 "CPUID"), so the CPUID exit stores them as they
 * are. */
struct msr_cpuid_answer {
	u64 rax, rbx, rcx, rdx;
};

struct msr_cpuid_cache {
	bool built;
	u64 kept; /* bit per answer slot: the answer is whole as kept (msr_cpuid_kept); 0 until built */
	msr_host_cpuid_fn built_for; /* the host hook the answers were built from */
	struct msr_cpuid_answer answer[MSR_CPUID_ANSWERS];
	u64 xcr0_allowed;                                   /* 0xD.0 EDX:EAX */
	u32 xsave_d1_eax;                                   /* 0xD.1 EAX */
	struct cpuid_regs xsave[MSR_CPUID_XSAVE_COMPONENTS]; /* host 0xD.i, offered i >= 2 */
	u64 build; /* this build's number, unique over all guests (from 1): see msr_state.leaf1 */
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

	/* For the CPUID exit (h_cpuid; msr_cpuid_leaf1_holds, msr/cpuid_kept.h): leaf 1's kept
	 * answer with this vCPU's bits (msr_cpuid_leaf1_vcpu), valid while leaf1_build is the build
	 * number of the guest's answers (msr_cpuid_cache.build). The bits' inputs drop it (0, no build's
	 * number) where they change: IA32_APIC_BASE (msr_apic_base_write; msr_vcpu_reset clears
	 * it with the rest), CR4 (the shadow's commit, svm/cr_shadow.c); the vCPU id never does. */
	struct msr_cpuid_answer leaf1;
	u64 leaf1_build;

	/* Why the last MSR_ERROR happened. */
	char error_reason[MSR_REASON_MAX];
};

#endif
