/* Inside the MSR model: the rule table's shape and the handlers each file provides.
 * Only msr/ includes this. */
#ifndef MSR_MSR_RULES_H
#define MSR_MSR_RULES_H

#include "lib/types.h"
#include "msr/msr.h"
#include "msr/msr_dispatch.h"
#include "msr/msr_index.h"
#include "svm/vcpu.h"
#include "msr/cpuid.h"

/* Mode masks for the "hardware serves it" columns of the table. */
#define MSR_MODE_BIT(m) (1u << (m))
#define MSR_IN_PLAIN MSR_MODE_BIT(VM_MODE_PLAIN)
#define MSR_IN_SEV_ES MSR_MODE_BIT(VM_MODE_SEV_ES)
#define MSR_IN_SOFT_ES MSR_MODE_BIT(VM_MODE_SOFT_ES)
#define MSR_IN_ES (MSR_IN_SEV_ES | MSR_IN_SOFT_ES)

/* One MSR or one range [first, last]. A NULL handler means #GP for that direction.
 * hw_read/hw_write: modes in which the hardware serves the access itself, i.e. the permission
 * map does not intercept it (state the CPU keeps in the VMSA for SEV-ES). */
struct msr_rule {
	u32 first, last;
	const char *name;
	msr_read_fn read;
	msr_write_fn write;
	u8 hw_read, hw_write;
};

/* The table, sorted by first, ranges disjoint (msr/table.c). */
const struct msr_rule *msr_rule_find(u32 index);
const struct msr_rule *msr_rules(size_t *count);

/* Records a named internal error and returns MSR_ERROR. */
enum msr_result msr_fail(struct vcpu *v, const char *fmt, ...) PRINTF_LIKE(2, 3);

/* True when the guest's state is visible to sevisor (plain mode); for sev-es/soft-es the
 * state MSRs live in the VMSA and reach sevisor only if the guest asks through the GHCB. */
static inline bool msr_state_in_vmcb(const struct vcpu *v)
{
	return v->vm->mode == VM_MODE_PLAIN;
}

/* Canonical for the guest's linear-address width. */
bool msr_is_canonical(const struct vcpu *v, u64 addr);
/* Bits at or above the guest's physical-address width. */
u64 msr_phys_reserved_mask(const struct vcpu *v);

/* msr/efer.c */
struct msr_read_out msr_efer_read(struct vcpu *v, u32 index);
enum msr_result msr_efer_write(struct vcpu *v, u32 index, u64 value);

/* msr/mce.c */
struct msr_read_out msr_mcg_cap_read(struct vcpu *v, u32 index);
struct msr_read_out msr_mcg_status_read(struct vcpu *v, u32 index);
enum msr_result msr_mcg_status_write(struct vcpu *v, u32 index, u64 value);
struct msr_read_out msr_mcg_ctl_read(struct vcpu *v, u32 index);
enum msr_result msr_mcg_ctl_write(struct vcpu *v, u32 index, u64 value);
struct msr_read_out msr_mc_bank_read(struct vcpu *v, u32 index);
enum msr_result msr_mc_bank_write(struct vcpu *v, u32 index, u64 value);

/* msr/pat_mtrr.c */
struct msr_read_out msr_pat_read(struct vcpu *v, u32 index);
enum msr_result msr_pat_write(struct vcpu *v, u32 index, u64 value);
struct msr_read_out msr_mtrrcap_read(struct vcpu *v, u32 index);
struct msr_read_out msr_mtrr_def_read(struct vcpu *v, u32 index);
enum msr_result msr_mtrr_def_write(struct vcpu *v, u32 index, u64 value);
struct msr_read_out msr_mtrr_fixed_read(struct vcpu *v, u32 index);
enum msr_result msr_mtrr_fixed_write(struct vcpu *v, u32 index, u64 value);
struct msr_read_out msr_mtrr_var_read(struct vcpu *v, u32 index);
enum msr_result msr_mtrr_var_write(struct vcpu *v, u32 index, u64 value);

/* msr/state_msrs.c: SYSENTER_*, STAR/LSTAR/CSTAR/SFMASK, FS/GS/KERNEL_GS base. */
struct msr_read_out msr_vmcb_state_read(struct vcpu *v, u32 index);
enum msr_result msr_vmcb_state_write(struct vcpu *v, u32 index, u64 value);

/* msr/amd_msrs.c: HWCR, SYSCFG, VM_CR, VM_HSAVE_PA, SEV_STATUS, GHCB. */
struct msr_read_out msr_hwcr_read(struct vcpu *v, u32 index);
enum msr_result msr_hwcr_write(struct vcpu *v, u32 index, u64 value);
struct msr_read_out msr_syscfg_read(struct vcpu *v, u32 index);
enum msr_result msr_syscfg_write(struct vcpu *v, u32 index, u64 value);
struct msr_read_out msr_vm_cr_read(struct vcpu *v, u32 index);
enum msr_result msr_vm_cr_write(struct vcpu *v, u32 index, u64 value);
struct msr_read_out msr_hsave_read(struct vcpu *v, u32 index);
enum msr_result msr_hsave_write(struct vcpu *v, u32 index, u64 value);
struct msr_read_out msr_sev_status_read(struct vcpu *v, u32 index);
struct msr_read_out msr_ghcb_read(struct vcpu *v, u32 index);
enum msr_result msr_ghcb_write(struct vcpu *v, u32 index, u64 value);

/* msr/perf_msrs.c: PerfEvtSel0-3, PerfCtr0-3. */
struct msr_read_out msr_perf_read(struct vcpu *v, u32 index);
enum msr_result msr_perf_write(struct vcpu *v, u32 index, u64 value);

/* msr/misc_msrs.c: TSC, TSC_AUX, APIC_BASE, XSS, SPEC_CTRL, PRED_CMD, PATCH_LEVEL. */
struct msr_read_out msr_tsc_read(struct vcpu *v, u32 index);
enum msr_result msr_tsc_write(struct vcpu *v, u32 index, u64 value);
void msr_tsc_aux_reset(struct vcpu *v);
struct msr_read_out msr_tsc_aux_read(struct vcpu *v, u32 index);
struct msr_read_out msr_tsc_deadline_read(struct vcpu *v, u32 index);
struct msr_read_out msr_nb_cfg_read(struct vcpu *v, u32 index);
enum msr_result msr_nb_cfg_write(struct vcpu *v, u32 index, u64 value);
enum msr_result msr_tsc_deadline_write(struct vcpu *v, u32 index, u64 value);
enum msr_result msr_tsc_aux_write(struct vcpu *v, u32 index, u64 value);
struct msr_read_out msr_apic_base_read(struct vcpu *v, u32 index);
enum msr_result msr_apic_base_write(struct vcpu *v, u32 index, u64 value);
struct msr_read_out msr_xss_read(struct vcpu *v, u32 index);
enum msr_result msr_xss_write(struct vcpu *v, u32 index, u64 value);
struct msr_read_out msr_spec_ctrl_read(struct vcpu *v, u32 index);
enum msr_result msr_spec_ctrl_write(struct vcpu *v, u32 index, u64 value);
enum msr_result msr_pred_cmd_write(struct vcpu *v, u32 index, u64 value);
struct msr_read_out msr_patch_level_read(struct vcpu *v, u32 index);
enum msr_result msr_patch_level_write(struct vcpu *v, u32 index, u64 value);

#endif
