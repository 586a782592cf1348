/* AMD implementation MSRs a guest touches: HWCR, SYSCFG, VM_CR, VM_HSAVE_PA, and the SEV
 * MSRs SEV_STATUS and GHCB. The hypervisor's own settings (SVM enabled, memory encryption
 * configuration, the host save area) are never shown to the guest. */
#include "msr/msr_rules.h"

/* ---- HWCR (facts E.2, KVM's rule) ----
 * Bits 3 (TLB cache disable), 6 (flush filter disable) and 8 (IGNNE emulation) are dropped
 * silently: old Linux and BIOS code writes them and they mean nothing to a guest. Of the rest
 * only McStatusWrEn (18) and TscFreqSel (24) may be set; anything else is a #GP. CpuidUserDis
 * (35) is not offered (CPUID 0x80000021 is beyond the extended leaves offered). */
#define HWCR_DROPPED (MSR_HWCR_TLB_CACHE_DIS | MSR_HWCR_FFDIS | MSR_HWCR_IGNNE_EM)
#define HWCR_WRITABLE (MSR_HWCR_MC_STATUS_WR_EN | MSR_HWCR_TSC_FREQ_SEL)

struct msr_read_out msr_hwcr_read(struct vcpu *v, u32 index)
{
	(void)index;
	return msr_read_ok(v->msr.hwcr);
}

enum msr_result msr_hwcr_write(struct vcpu *v, u32 index, u64 value)
{
	(void)index;
	value &= ~HWCR_DROPPED;
	if (value & ~HWCR_WRITABLE)
		return MSR_GP;
	v->msr.hwcr = value;
	return MSR_OK;
}

/* ---- SYSCFG (APM vol. 2, 3.2.1 / 7.10.1) ----
 * The host's MTRR/TOM2 and SNP configuration is hidden. MemEncryptionModEn (23) is shown for
 * sev-es/soft-es guests: they see SEV in CPUID, and on a real SEV host the bit is set (Linux
 * checks it before trusting its SME/SEV CPUID bits). The guest cannot reconfigure the memory
 * controller, so a write must repeat the value read (no-op); anything else is a #GP. */
static u64 syscfg_value(const struct vcpu *v)
{
	return v->vm->mode == VM_MODE_PLAIN ? 0 : MSR_SYSCFG_MEM_ENCRYPT;
}

struct msr_read_out msr_syscfg_read(struct vcpu *v, u32 index)
{
	(void)index;
	return msr_read_ok(syscfg_value(v));
}

enum msr_result msr_syscfg_write(struct vcpu *v, u32 index, u64 value)
{
	(void)index;
	return value == syscfg_value(v) ? MSR_OK : MSR_GP;
}

/* ---- VM_CR (APM vol. 2, 15.30.1) ----
 * No nested SVM: the guest sees SVM disabled and locked (SVMDIS|LOCK), consistent with CPUID
 * 0x80000001 ECX[2] = 0. With LOCK set, SVMDIS and LOCK cannot change; sevisor treats every
 * write that changes the value as #GP and a write of the same value as a no-op. */
#define VM_CR_GUEST (MSR_VM_CR_SVMDIS | MSR_VM_CR_LOCK)

struct msr_read_out msr_vm_cr_read(struct vcpu *v, u32 index)
{
	(void)v;
	(void)index;
	return msr_read_ok(VM_CR_GUEST);
}

enum msr_result msr_vm_cr_write(struct vcpu *v, u32 index, u64 value)
{
	(void)v;
	(void)index;
	return value == VM_CR_GUEST ? MSR_OK : MSR_GP;
}

/* ---- VM_HSAVE_PA (APM vol. 2, 15.30.4) ----
 * Decision: reads 0 (no host save area: SVM is not offered), a write of 0 is accepted as a
 * no-op, any other value is a #GP. A guest has no use for a host save area without SVM, and
 * silently accepting an address it can never use would hide a guest bug. sevisor's own
 * VM_HSAVE_PA is never visible. */
struct msr_read_out msr_hsave_read(struct vcpu *v, u32 index)
{
	(void)v;
	(void)index;
	return msr_read_ok(0);
}

enum msr_result msr_hsave_write(struct vcpu *v, u32 index, u64 value)
{
	(void)v;
	(void)index;
	return value == 0 ? MSR_OK : MSR_GP;
}

/* ---- SEV_STATUS (APM vol. 2, 15.34.10), read-only ----
 * Plain guests read 0. sev-es and soft-es guests read SEV|SEV-ES, matching CPUID 0x8000001F
 * (soft-es plays SEV-ES hardware). The table has no write handler: WRMSR is #GP. */
struct msr_read_out msr_sev_status_read(struct vcpu *v, u32 index)
{
	(void)index;
	return msr_read_ok(v->vm->mode == VM_MODE_PLAIN ? 0 : (MSR_SEV_STATUS_SEV | MSR_SEV_STATUS_SEV_ES));
}

/* ---- GHCB MSR 0xC0010130 (facts A.0) ----
 * Plain: not an SEV-ES guest, the MSR does not exist -> #GP. soft-es: the model keeps the
 * value in VMCB control.ghcb_gpa (offset 0xA0), where real hardware mirrors it. sev-es: the
 * hardware serves the MSR (not intercepted); if it reaches sevisor anyway (e.g. as a GHCB
 * request), the same VMCB mirror is the only copy sevisor has. */
struct msr_read_out msr_ghcb_read(struct vcpu *v, u32 index)
{
	(void)index;
	if (v->vm->mode == VM_MODE_PLAIN)
		return msr_read_fail(MSR_GP);
	if (!v->vmcb)
		return msr_read_fail(msr_fail(v, "GHCB MSR: vCPU has no VMCB"));
	return msr_read_ok(v->vmcb->control.ghcb_gpa);
}

enum msr_result msr_ghcb_write(struct vcpu *v, u32 index, u64 value)
{
	(void)index;
	if (v->vm->mode == VM_MODE_PLAIN)
		return MSR_GP;
	if (!v->vmcb)
		return msr_fail(v, "GHCB MSR: vCPU has no VMCB");
	v->vmcb->control.ghcb_gpa = value;
	return MSR_OK;
}

/* ---- NB_CFG (BKDG for family 10h-16h, MSRC001_001F) ----
 * Linux's AMD set-up reads it (and sets bit 46, EnableCf8ExtCfg, on older families); KVM
 * reads it as 0 and drops writes, and so does sevisor: a guest has no northbridge to set up. */
struct msr_read_out msr_nb_cfg_read(struct vcpu *v, u32 index)
{
	(void)v;
	(void)index;
	return msr_read_ok(0);
}

enum msr_result msr_nb_cfg_write(struct vcpu *v, u32 index, u64 value)
{
	(void)v;
	(void)index;
	(void)value;
	return MSR_OK;
}
