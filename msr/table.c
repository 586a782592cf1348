/* The MSR dispatch table and the two entry points. Every guest MSR access (RDMSR/WRMSR
 * intercept, GHCB MSR NAE event, soft-es model) comes through msr_read/msr_write, so each rule
 * exists exactly once; the permission map is generated from the same table
 * (msr/permission_map.c). */
#include <stdarg.h>
#include "msr/msr_rules.h"
#include "lib/fmt.h"
#include "lib/kstring.h"
#include "lib/log.h"

/* Sorted by first index, disjoint ranges (checked by msr_rules_check in the unit test).
 *
 * hw_read/hw_write (no intercept) follow KVM's SEV-ES choice (facts C.3): the state the CPU
 * keeps in the VMSA and swaps itself on VMRUN/#VMEXIT (syscall/sysenter MSRs, FS/GS/KERNEL_GS
 * base, PAT = VMSA G_PAT, XSS) is not intercepted for sev-es/soft-es: an intercepted access
 * would become a #VC and a GHCB request, and sevisor could not read or change the encrypted
 * value anyway. EFER is not intercepted for sev-es: the hardware performs the write and
 * reports it as the EFER write trap (0x8F) instead; soft-es plays that hardware, so it must
 * see the write (intercept) and hands it on as the trap. The GHCB MSR is never intercepted
 * for sev-es (hardware mirrors it into VMCB 0xA0); for soft-es the model intercepts it and
 * keeps it in VMCB 0xA0 itself. In plain mode everything in the table is intercepted, so the
 * state MSRs are validated here (canonical checks) and read from the VMCB save area. */
static const struct msr_rule msr_table[] = {
	{ MSR_IA32_TSC, MSR_IA32_TSC, "TSC", msr_tsc_read, msr_tsc_write, 0, 0 },
	{ MSR_IA32_APIC_BASE, MSR_IA32_APIC_BASE, "APIC_BASE", msr_apic_base_read,
	  msr_apic_base_write, 0, 0 },
	{ MSR_IA32_SPEC_CTRL, MSR_IA32_SPEC_CTRL, "SPEC_CTRL", msr_spec_ctrl_read,
	  msr_spec_ctrl_write, 0, 0 },
	{ MSR_IA32_PRED_CMD, MSR_IA32_PRED_CMD, "PRED_CMD", NULL, msr_pred_cmd_write, 0, 0 },
	{ MSR_IA32_PATCH_LEVEL, MSR_IA32_PATCH_LEVEL, "PATCH_LEVEL", msr_patch_level_read,
	  msr_patch_level_write, 0, 0 },
	{ MSR_IA32_MTRRCAP, MSR_IA32_MTRRCAP, "MTRRcap", msr_mtrrcap_read, NULL, 0, 0 },
	{ MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_EIP, "SYSENTER", msr_vmcb_state_read,
	  msr_vmcb_state_write, MSR_IN_ES, MSR_IN_ES },
	{ MSR_IA32_MCG_CAP, MSR_IA32_MCG_CAP, "MCG_CAP", msr_mcg_cap_read, NULL, 0, 0 },
	{ MSR_IA32_MCG_STATUS, MSR_IA32_MCG_STATUS, "MCG_STATUS", msr_mcg_status_read,
	  msr_mcg_status_write, 0, 0 },
	{ MSR_IA32_MCG_CTL, MSR_IA32_MCG_CTL, "MCG_CTL", msr_mcg_ctl_read, msr_mcg_ctl_write, 0, 0 },
	{ MSR_MTRR_PHYS_BASE0, MSR_MTRR_PHYS_LAST, "MTRRphys", msr_mtrr_var_read,
	  msr_mtrr_var_write, 0, 0 },
	{ MSR_MTRR_FIX64K_00000, MSR_MTRR_FIX64K_00000, "MTRRfix64K", msr_mtrr_fixed_read,
	  msr_mtrr_fixed_write, 0, 0 },
	{ MSR_MTRR_FIX16K_80000, MSR_MTRR_FIX16K_A0000, "MTRRfix16K", msr_mtrr_fixed_read,
	  msr_mtrr_fixed_write, 0, 0 },
	{ MSR_MTRR_FIX4K_C0000, MSR_MTRR_FIX4K_F8000, "MTRRfix4K", msr_mtrr_fixed_read,
	  msr_mtrr_fixed_write, 0, 0 },
	{ MSR_IA32_PAT, MSR_IA32_PAT, "PAT", msr_pat_read, msr_pat_write, MSR_IN_ES, MSR_IN_ES },
	{ MSR_MTRR_DEF_TYPE, MSR_MTRR_DEF_TYPE, "MTRRdefType", msr_mtrr_def_read,
	  msr_mtrr_def_write, 0, 0 },
	/* All MSR_MCE_MAX_BANKS banks; the handler gives #GP beyond MCG_CAP's count. */
	{ MSR_IA32_MC0_CTL, MSR_IA32_MC0_CTL + 4 * MSR_MCE_MAX_BANKS - 1, "MCi", msr_mc_bank_read,
	  msr_mc_bank_write, 0, 0 },
	{ MSR_IA32_TSC_DEADLINE, MSR_IA32_TSC_DEADLINE, "TSC_DEADLINE", msr_tsc_deadline_read,
	  msr_tsc_deadline_write, 0, 0 },
	{ MSR_IA32_XSS, MSR_IA32_XSS, "XSS", msr_xss_read, msr_xss_write, MSR_IN_ES, MSR_IN_ES },
	{ MSR_EFER, MSR_EFER, "EFER", msr_efer_read, msr_efer_write, MSR_IN_ES, MSR_IN_SEV_ES },
	{ MSR_STAR, MSR_SFMASK, "STAR", msr_vmcb_state_read, msr_vmcb_state_write, MSR_IN_ES,
	  MSR_IN_ES },
	{ MSR_FS_BASE, MSR_KERNEL_GS_BASE, "FS/GS_BASE", msr_vmcb_state_read, msr_vmcb_state_write,
	  MSR_IN_ES, MSR_IN_ES },
	{ MSR_TSC_AUX, MSR_TSC_AUX, "TSC_AUX", msr_tsc_aux_read, msr_tsc_aux_write, 0, 0 },
	{ MSR_K7_EVNTSEL0, MSR_K7_PERFCTR3, "PerfEvtSel/PerfCtr", msr_perf_read, msr_perf_write, 0,
	  0 },
	{ MSR_AMD64_SYSCFG, MSR_AMD64_SYSCFG, "SYSCFG", msr_syscfg_read, msr_syscfg_write, 0, 0 },
	{ MSR_K7_HWCR, MSR_K7_HWCR, "HWCR", msr_hwcr_read, msr_hwcr_write, 0, 0 },
	{ MSR_AMD64_NB_CFG, MSR_AMD64_NB_CFG, "NB_CFG", msr_nb_cfg_read, msr_nb_cfg_write, 0, 0 },
	{ MSR_VM_CR, MSR_VM_CR, "VM_CR", msr_vm_cr_read, msr_vm_cr_write, 0, 0 },
	{ MSR_VM_HSAVE_PA, MSR_VM_HSAVE_PA, "VM_HSAVE_PA", msr_hsave_read, msr_hsave_write, 0, 0 },
	{ MSR_AMD64_SEV_ES_GHCB, MSR_AMD64_SEV_ES_GHCB, "GHCB", msr_ghcb_read, msr_ghcb_write,
	  MSR_IN_SEV_ES, MSR_IN_SEV_ES },
	{ MSR_AMD64_SEV_STATUS, MSR_AMD64_SEV_STATUS, "SEV_STATUS", msr_sev_status_read, NULL, 0,
	  0 },
};

const struct msr_rule *msr_rules(size_t *count)
{
	*count = ARRAY_SIZE(msr_table);
	return msr_table;
}

/* Binary search: the table is sorted and disjoint. For MSRs outside the permission map's
 * ranges, which the index below does not cover. */
static const struct msr_rule *rule_search(u32 index)
{
	size_t lo = 0, hi = ARRAY_SIZE(msr_table);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct msr_rule *r = &msr_table[mid];
		if (index < r->first)
			hi = mid;
		else if (index > r->last)
			lo = mid + 1;
		else
			return r;
	}
	return NULL;
}

/* The rule of every MSR that has a permission-map slot (msr_pm_slot), one byte each: its
 * position in msr_table + 1, or 0 for none (msr/msr_dispatch.h). Every guest RDMSR/WRMSR
 * looks its rule up here with one load instead of searching the table (the search was 70
 * instructions of a 250-instruction exit budget). 24 KiB of .bss, filled from msr_table by the
 * first access that finds 0 there (until then every entry is 0, the unindexed path, so the
 * hot path tests nothing more); the table is constant, so the index never goes stale. */
u8 msr_rule_by_slot[MSR_PM_SLOTS];
static bool rule_index_built;
#define NR_RULES ARRAY_SIZE(msr_table)
_Static_assert(NR_RULES < 0xFF, "msr_rule_by_slot holds a table position in a u8");

static void build_handler_tables(void);

static void build_rule_index(void)
{
	build_handler_tables(); /* before any slot names a position */
	for (size_t i = 0; i < NR_RULES; i++) {
		for (u32 index = msr_table[i].first;; index++) {
			u32 slot = msr_pm_slot(index);
			if (slot < MSR_PM_SLOTS)
				msr_rule_by_slot[slot] = (u8)(i + 1);
			if (index == msr_table[i].last)
				break;
		}
	}
	rule_index_built = true;
}

/* The rule of index, looked up without the index's answer: an MSR outside the ranges (the
 * table search), or one whose slot holds 0 (no rule, or the index not filled yet: filled now). */
static const struct msr_rule *rule_unindexed(u32 index)
{
	u32 slot = msr_pm_slot(index);
	if (slot == MSR_PM_SLOTS)
		return rule_search(index);
	if (!rule_index_built)
		build_rule_index();
	u8 at = msr_rule_by_slot[slot];
	return at ? &msr_table[at - 1] : NULL;
}

static inline const struct msr_rule *rule_lookup(u32 index)
{
	unsigned at = msr_rule_pos(index);
	return at ? &msr_table[at - 1] : rule_unindexed(index);
}

const struct msr_rule *msr_rule_find(u32 index)
{
	return rule_lookup(index);
}

const char *msr_rule_name(u32 index)
{
	const struct msr_rule *r = msr_rule_find(index);
	return r ? r->name : NULL;
}

bool msr_intercepted(u32 index, enum vm_mode mode, enum msr_access access)
{
	const struct msr_rule *r = msr_rule_find(index);
	if (!r)
		return true;
	u8 hw = access == MSR_ACCESS_READ ? r->hw_read : r->hw_write;
	return !(hw & MSR_MODE_BIT(mode));
}

enum msr_result msr_fail(struct vcpu *v, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fmt_vsnprintf(v->msr.error_reason, sizeof(v->msr.error_reason), fmt, ap);
	va_end(ap);
	return MSR_ERROR;
}

const char *msr_error_reason(const struct vcpu *v)
{
	return v->msr.error_reason;
}

/* An access to an MSR the table has no rule for: #GP, or with ignore_msrs (like KVM's module
 * parameter) read 0 / write dropped. Either way the user is told once per MSR and vCPU (one vCPU
 * per guest), at info level for the #GP so that a guest dying of it is explained without debug
 * logs, with the guest RIP where sevisor may see it. When the slots are full, further MSRs are
 * not logged (the first few are what a user needs). */
static enum msr_result unknown_msr(struct vcpu *v, u32 index, bool write, u64 value)
{
	bool ignore = v->vm->msr_cfg.ignore_msrs;
	enum msr_result res = ignore ? MSR_OK : MSR_GP;
	struct msr_state *s = &v->msr;
	for (unsigned i = 0; i < s->nr_unknown_logged; i++)
		if (s->unknown_logged[i] == index)
			return res;
	if (s->nr_unknown_logged >= MSR_UNKNOWN_LOG_SLOTS)
		return res;
	s->unknown_logged[s->nr_unknown_logged++] = index;
	char what[48];
	if (write)
		fmt_snprintf(what, sizeof(what), "wrmsr 0x%x <- 0x%llx", index, (unsigned long long)value);
	else
		fmt_snprintf(what, sizeof(what), "rdmsr 0x%x", index);
	if (ignore) {
		log_warn("%s vcpu%u: ignored %s (unknown MSR, ignore_msrs)", v->vm->name, v->id, what);
		return res;
	}
	u64 rip = 0;
	if (!v->state_protected && vcpu_reg_read(v, VCPU_RIP, &rip))
		log_info("%s vcpu%u: %s at RIP 0x%llx: sevisor has no rule for this MSR, #GP injected "
			 "(logged once per MSR)", v->vm->name, v->id, what, (unsigned long long)rip);
	else
		log_info("%s vcpu%u: %s (RIP not visible: protected state): sevisor has no rule for this "
			 "MSR, #GP (logged once per MSR)", v->vm->name, v->id, what);
	return res;
}

/* Position 0 of the handler tables: the access the index does not answer (msr_dispatch.h). */
static struct msr_read_out read_unindexed(struct vcpu *v, u32 index)
{
	const struct msr_rule *r = rule_unindexed(index);
	if (!r)
		return (struct msr_read_out){ 0, unknown_msr(v, index, false, 0) }; /* ignore_msrs reads 0 */
	return r->read ? r->read(v, index) : msr_read_fail(MSR_GP);
}

static enum msr_result write_unindexed(struct vcpu *v, u32 index, u64 value)
{
	const struct msr_rule *r = rule_unindexed(index);
	if (!r)
		return unknown_msr(v, index, true, value);
	return r->write ? r->write(v, index, value) : MSR_GP;
}

/* A rule without a handler for the direction: #GP. */
static struct msr_read_out read_gp(struct vcpu *v, u32 index)
{
	(void)v;
	(void)index;
	return msr_read_fail(MSR_GP);
}

static enum msr_result write_gp(struct vcpu *v, u32 index, u64 value)
{
	(void)v;
	(void)index;
	(void)value;
	return MSR_GP;
}

/* Each rule's handlers by position (msr_table's order + 1), filled with the index (a missing
 * one is the #GP one); position 0 is the unindexed path, the only one used before. */
msr_read_fn msr_reader_by_pos[NR_RULES + 1] = { [0] = read_unindexed };
msr_write_fn msr_writer_by_pos[NR_RULES + 1] = { [0] = write_unindexed };

static void build_handler_tables(void)
{
	for (size_t i = 0; i < NR_RULES; i++) {
		msr_reader_by_pos[i + 1] = msr_table[i].read ? msr_table[i].read : read_gp;
		msr_writer_by_pos[i + 1] = msr_table[i].write ? msr_table[i].write : write_gp;
	}
}

enum msr_result msr_read(struct vcpu *v, u32 index, u64 *value)
{
	struct msr_read_out r = msr_read_inline(v, index);
	*value = r.value;
	return r.res;
}

enum msr_result msr_write(struct vcpu *v, u32 index, u64 value)
{
	return msr_write_inline(v, index, value);
}

void msr_vcpu_reset(struct vcpu *v)
{
	struct msr_state *s = &v->msr;
	memset(s, 0, sizeof(*s));
	msr_tsc_aux_reset(v);
	/* APM vol. 2, 16.3.1: APIC enabled at 0xFEE00000 after reset; BSP set on the boot CPU. */
	s->apic_base = MSR_APIC_BASE_ADDR_DEFAULT | MSR_APIC_BASE_EN;
	if (v->id == 0)
		s->apic_base |= MSR_APIC_BASE_BSP;
	/* MTRRs disabled (MTRRdefType = 0) at reset, APM vol. 2, 7.7.1; MCi_CTL 0. */
}

/* Helpers shared by the handlers. */
bool msr_is_canonical(const struct vcpu *v, u64 addr)
{
	unsigned bits = msr_cpuid_virt_bits(v);
	if (bits == 0 || bits >= 64)
		bits = 48;
	s64 shifted = (s64)(addr << (64 - bits)) >> (64 - bits);
	return (u64)shifted == addr;
}

u64 msr_phys_reserved_mask(const struct vcpu *v)
{
	unsigned bits = msr_cpuid_phys_bits(v);
	if (bits == 0 || bits > 52)
		bits = 52;
	return ~0ULL << bits;
}
