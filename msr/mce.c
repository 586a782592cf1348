/* Machine-check MSRs (APM vol. 2, 9.3 "Machine-Check Architecture MSRs"), with the write rules
 * real guests rely on (facts E.2, G14). Every bad write is a #GP the guest survives: KVM once
 * returned an error here and killed the VM ("KVM: x86: Signal #GP, not -EPERM, on bad
 * WRMSR(MCi_CTL/STATUS)"). SMCA (0xC0002000...) is not offered: CPUID 0x80000007 EBX is 0. */
#include "msr/msr_rules.h"

static unsigned nr_banks(const struct vcpu *v)
{
	unsigned n = v->vm->msr_cfg.mce_banks;
	return n > MSR_MCE_MAX_BANKS ? MSR_MCE_MAX_BANKS : n;
}

static bool has_mcg_ctl(const struct vcpu *v)
{
	return !v->vm->msr_cfg.hide_mcg_ctl;
}

struct msr_read_out msr_mcg_cap_read(struct vcpu *v, u32 index)
{
	(void)index;
	/* Read-only: the table has no write handler, so WRMSR MCG_CAP is #GP (APM 9.3.1.1). */
	return msr_read_ok(nr_banks(v) | (has_mcg_ctl(v) ? MSR_MCG_CAP_CTL_P : 0));
}

struct msr_read_out msr_mcg_status_read(struct vcpu *v, u32 index)
{
	(void)index;
	return msr_read_ok(v->msr.mcg_status);
}

/* RIPV/EIPV/MCIP are writable (Linux clears MCG_STATUS after handling an #MC); bits 63:3 are
 * reserved, so setting them is a #GP. */
enum msr_result msr_mcg_status_write(struct vcpu *v, u32 index, u64 value)
{
	(void)index;
	if (value & ~MSR_MCG_STATUS_VALID_BITS)
		return MSR_GP;
	v->msr.mcg_status = value;
	return MSR_OK;
}

struct msr_read_out msr_mcg_ctl_read(struct vcpu *v, u32 index)
{
	(void)index;
	if (!has_mcg_ctl(v))
		return msr_read_fail(MSR_GP);
	return msr_read_ok(v->msr.mcg_ctl);
}

/* MCG_CTL exists only with MCG_CAP.MCG_CTL_P, and takes only 0 (all banks off) or all ones. */
enum msr_result msr_mcg_ctl_write(struct vcpu *v, u32 index, u64 value)
{
	(void)index;
	if (!has_mcg_ctl(v))
		return MSR_GP;
	if (value != 0 && value != ~0ULL)
		return MSR_GP;
	v->msr.mcg_ctl = value;
	return MSR_OK;
}

enum { MC_CTL = 0, MC_STATUS = 1, MC_ADDR = 2, MC_MISC = 3 };

static u64 *bank_reg(struct vcpu *v, u32 index, unsigned *bank_out)
{
	unsigned bank = (index - MSR_IA32_MC0_CTL) / 4;
	struct msr_mce_bank *b = &v->msr.mce[bank];
	*bank_out = bank;
	switch ((index - MSR_IA32_MC0_CTL) % 4) {
	case MC_CTL: return &b->ctl;
	case MC_STATUS: return &b->status;
	case MC_ADDR: return &b->addr;
	default: return &b->misc;
	}
}

struct msr_read_out msr_mc_bank_read(struct vcpu *v, u32 index)
{
	unsigned bank;
	u64 *reg = bank_reg(v, index, &bank);
	if (bank >= nr_banks(v))
		return msr_read_fail(MSR_GP); /* banks beyond MCG_CAP's count do not exist */
	return msr_read_ok(*reg);
}

enum msr_result msr_mc_bank_write(struct vcpu *v, u32 index, u64 value)
{
	unsigned bank;
	u64 *reg = bank_reg(v, index, &bank);
	if (bank >= nr_banks(v))
		return MSR_GP;
	switch ((index - MSR_IA32_MC0_CTL) % 4) {
	case MC_CTL:
		/* 0 or all ones, except that bits 10 and 0 may be clear (Linux on AMD K8 clears
		 * bank 4 bit 10; KVM relaxes it for every bank, and so do we). */
		if (value != 0 && (value | MSR_MCI_CTL_MAY_CLEAR) != ~0ULL)
			return MSR_GP;
		break;
	case MC_STATUS:
		/* Software may only clear MCi_STATUS, unless HWCR.McStatusWrEn (APM 9.3.1.4). */
		if (value != 0 && !(v->msr.hwcr & MSR_HWCR_MC_STATUS_WR_EN))
			return MSR_GP;
		break;
	default:
		break; /* MCi_ADDR, MCi_MISC: stored */
	}
	*reg = value;
	return MSR_OK;
}
