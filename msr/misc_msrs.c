/* TSC, TSC_AUX, APIC_BASE, XSS, SPEC_CTRL, PRED_CMD and PATCH_LEVEL. MSRs that depend on a CPU
 * feature exist for the guest exactly when the guest's CPUID (msr/cpuid_policy.c, which only
 * passes features the host has) says so; otherwise they are #GP, as on such a CPU. */
#include "msr/msr_rules.h"
#include "svm/dev/lapic.h"
#include "svm/dev/intr.h"

enum { EAX = 0, EBX = 1, ECX = 2, EDX = 3 };

/* ---- TSC (APM vol. 2, 15.30.5 / 17.1) ----
 * The guest TSC is host TSC + VMCB tsc_offset; a write moves the offset. The control area is
 * not encrypted, so this is the same for every mode. */
static u64 (*host_tsc)(void);

void msr_set_host_tsc(u64 (*fn)(void))
{
	host_tsc = fn;
}

enum msr_result msr_tsc_read(struct vcpu *v, u32 index, u64 *value)
{
	(void)index;
	if (!host_tsc)
		return msr_fail(v, "rdmsr TSC: no host TSC source registered");
	*value = host_tsc() + v->vmcb->control.tsc_offset;
	return MSR_OK;
}

enum msr_result msr_tsc_write(struct vcpu *v, u32 index, u64 value)
{
	(void)index;
	if (!host_tsc)
		return msr_fail(v, "wrmsr TSC: no host TSC source registered");
	v->vmcb->control.tsc_offset = value - host_tsc();
	return MSR_OK;
}

/* ---- TSC_DEADLINE (SDM vol. 3A, 11.5.4.1) ----
 * Always offered (CPUID 1.ECX[24]): the guest's local APIC model keeps the deadline and runs it
 * on the host TSC, so the host APIC's own support does not matter. */
enum msr_result msr_tsc_deadline_read(struct vcpu *v, u32 index, u64 *value)
{
	(void)index;
	*value = dev_lapic_tsc_deadline_read(v->vm);
	return MSR_OK;
}

enum msr_result msr_tsc_deadline_write(struct vcpu *v, u32 index, u64 value)
{
	(void)index;
	dev_lapic_tsc_deadline_write(v->vm, value, value - v->vmcb->control.tsc_offset);
	return MSR_OK;
}

/* ---- TSC_AUX (APM vol. 2, 17.1; vol. 3 RDTSCP, RDPID) ----
 * Exists with RDTSCP (0x80000001 EDX[27]) or RDPID (7.0 ECX[22]); bits 63:32 are reserved.
 * Kept here and loaded into the CPU's MSR (msr/tsc_aux_hw.c), where the guest's RDTSCP and RDPID,
 * which run without an intercept, read it. */
static void (*hw_tsc_aux)(u64 value);

void msr_set_hw_tsc_aux(void (*fn)(u64 value))
{
	hw_tsc_aux = fn;
}

void msr_tsc_aux_reset(struct vcpu *v)
{
	v->msr.tsc_aux = 0; /* a new vCPU starts at 0, as under KVM */
	if (hw_tsc_aux)
		hw_tsc_aux(0);
}

static bool has_tsc_aux(const struct vcpu *v)
{
	return msr_cpuid_has(v, 0x80000001, 0, EDX, 27) || msr_cpuid_has(v, 7, 0, ECX, 22);
}

enum msr_result msr_tsc_aux_read(struct vcpu *v, u32 index, u64 *value)
{
	(void)index;
	if (!has_tsc_aux(v))
		return MSR_GP;
	*value = v->msr.tsc_aux;
	return MSR_OK;
}

enum msr_result msr_tsc_aux_write(struct vcpu *v, u32 index, u64 value)
{
	(void)index;
	if (!has_tsc_aux(v) || (value >> 32))
		return MSR_GP;
	v->msr.tsc_aux = value;
	if (hw_tsc_aux)
		hw_tsc_aux(value);
	return MSR_OK;
}

/* ---- APIC_BASE (APM vol. 2, 16.3.1; x2APIC: AMD x2APIC spec) ----
 * Bits 7:0 and 9 reserved, BSP (8) read-only (writes keep the vCPU's own), EXTD (10) only
 * when CPUID 1.ECX[21] advertises x2APIC (sevisor hides it), base up to the guest's
 * physical-address width. A relocated base is stored; the LAPIC model reads it from here. */
enum msr_result msr_apic_base_read(struct vcpu *v, u32 index, u64 *value)
{
	(void)index;
	*value = v->msr.apic_base;
	return MSR_OK;
}

enum msr_result msr_apic_base_write(struct vcpu *v, u32 index, u64 value)
{
	(void)index;
	u64 reserved = GENMASK(7, 0) | BIT(9) | msr_phys_reserved_mask(v);
	if (!msr_cpuid_has(v, 1, 0, ECX, 21))
		reserved |= MSR_APIC_BASE_EXTD;
	if (value & reserved)
		return MSR_GP;
	/* x2APIC architecture: EXTD=1 with EN=0 is an invalid state. */
	if ((value & MSR_APIC_BASE_EXTD) && !(value & MSR_APIC_BASE_EN))
		return MSR_GP;
	/* APIC_BASE.EN is an input of the interrupt summary (svm/quiet_entry.h relies on this). */
	if (((value ^ v->msr.apic_base) & MSR_APIC_BASE_EN) && v->vm && v->vm->devices)
		dev_intr_changed(v->vm);
	v->msr.apic_base = (value & ~MSR_APIC_BASE_BSP) | (v->msr.apic_base & MSR_APIC_BASE_BSP);
	return MSR_OK;
}

/* ---- XSS (APM vol. 2, 11.5.2) ----
 * Exists with XSAVES (0xD.1 EAX[3]); only the supervisor components CPUID 0xD.1 ECX/EDX
 * offers may be set (sevisor offers none, so 0 is the only valid value today). */
enum msr_result msr_xss_read(struct vcpu *v, u32 index, u64 *value)
{
	(void)index;
	if (!msr_cpuid_has(v, 0xD, 1, EAX, 3))
		return MSR_GP;
	*value = v->msr.xss;
	return MSR_OK;
}

enum msr_result msr_xss_write(struct vcpu *v, u32 index, u64 value)
{
	(void)index;
	if (!msr_cpuid_has(v, 0xD, 1, EAX, 3))
		return MSR_GP;
	struct cpuid_regs r;
	msr_cpuid_const(v, 0xD, 1, 0, 0, &r);
	u64 supported = r.ecx | ((u64)r.edx << 32);
	if (value & ~supported)
		return MSR_GP;
	v->msr.xss = value;
	return MSR_OK;
}

/* ---- SPEC_CTRL / PRED_CMD (AMD64 speculative-execution controls; CPUID 0x80000008 EBX:
 * IBPB 12, IBRS 14, STIBP 15, SSBD 24) ----
 * Each SPEC_CTRL bit exists only with its CPUID bit. The value is kept here and, for plain
 * guests, also in the VMCB save area's SPEC_CTRL slot (used with V_SPEC_CTRL); the world
 * switch loads it. PRED_CMD is write-only: IBPB is recorded for the run loop to execute. */
static u64 spec_ctrl_allowed(const struct vcpu *v)
{
	u64 m = 0;
	if (msr_cpuid_has(v, 0x80000008, 0, EBX, 14))
		m |= MSR_SPEC_CTRL_IBRS;
	if (msr_cpuid_has(v, 0x80000008, 0, EBX, 15))
		m |= MSR_SPEC_CTRL_STIBP;
	if (msr_cpuid_has(v, 0x80000008, 0, EBX, 24))
		m |= MSR_SPEC_CTRL_SSBD;
	return m;
}

enum msr_result msr_spec_ctrl_read(struct vcpu *v, u32 index, u64 *value)
{
	(void)index;
	if (!spec_ctrl_allowed(v))
		return MSR_GP;
	*value = v->msr.spec_ctrl;
	return MSR_OK;
}

enum msr_result msr_spec_ctrl_write(struct vcpu *v, u32 index, u64 value)
{
	(void)index;
	u64 allowed = spec_ctrl_allowed(v);
	if (!allowed || (value & ~allowed))
		return MSR_GP;
	v->msr.spec_ctrl = value;
	if (msr_state_in_vmcb(v))
		v->vmcb->save.spec_ctrl = value;
	return MSR_OK;
}

enum msr_result msr_pred_cmd_write(struct vcpu *v, u32 index, u64 value)
{
	(void)index;
	if (!msr_cpuid_has(v, 0x80000008, 0, EBX, 12) || (value & ~MSR_PRED_CMD_IBPB))
		return MSR_GP;
	if (value & MSR_PRED_CMD_IBPB)
		v->msr.ibpb_requested = true;
	return MSR_OK;
}

/* ---- PATCH_LEVEL 0x8B ----
 * Linux reads it on every AMD CPU (microcode revision); a #GP there prints a warning. The
 * guest sees revision 0 (no microcode information leaks); writing 0 (the Intel idiom before
 * CPUID) is accepted, other writes are #GP (microcode loading is not offered). */
enum msr_result msr_patch_level_read(struct vcpu *v, u32 index, u64 *value)
{
	(void)v;
	(void)index;
	*value = 0;
	return MSR_OK;
}

enum msr_result msr_patch_level_write(struct vcpu *v, u32 index, u64 value)
{
	(void)v;
	(void)index;
	return value == 0 ? MSR_OK : MSR_GP;
}
