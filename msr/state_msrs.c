/* The MSRs whose value the CPU loads and saves with the guest state (VMLOAD/VMSAVE area of the
 * VMCB, APM vol. 2, 15.5.2): SYSENTER_CS/ESP/EIP, STAR/LSTAR/CSTAR/SFMASK, FS/GS base and
 * KERNEL_GS_BASE. In plain mode they are intercepted and served from the VMCB save area (the
 * world switch VMSAVEs after every exit, so the save area is current). For sev-es/soft-es
 * they are not intercepted (they live in the VMSA); a guest asking for one through the GHCB
 * gets #GP, since sevisor must not look at (and could not change) encrypted state. */
#include "msr/msr_rules.h"

static u64 *state_slot(struct vcpu *v, u32 index)
{
	struct vmcb_save *s = &v->vmcb->save;
	switch (index) {
	case MSR_IA32_SYSENTER_CS: return &s->sysenter_cs;
	case MSR_IA32_SYSENTER_ESP: return &s->sysenter_esp;
	case MSR_IA32_SYSENTER_EIP: return &s->sysenter_eip;
	case MSR_STAR: return &s->star;
	case MSR_LSTAR: return &s->lstar;
	case MSR_CSTAR: return &s->cstar;
	case MSR_SFMASK: return &s->sfmask;
	case MSR_FS_BASE: return &s->fs.base;
	case MSR_GS_BASE: return &s->gs.base;
	case MSR_KERNEL_GS_BASE: return &s->kernel_gs_base;
	default: return NULL;
	}
}

/* WRMSR of a non-canonical address to these is a #GP (APM vol. 3, WRMSR; KVM checks the
 * same set). */
static bool needs_canonical(u32 index)
{
	return index == MSR_LSTAR || index == MSR_CSTAR || index == MSR_FS_BASE ||
	       index == MSR_GS_BASE || index == MSR_KERNEL_GS_BASE;
}

struct msr_read_out msr_vmcb_state_read(struct vcpu *v, u32 index)
{
	if (!msr_state_in_vmcb(v))
		return msr_read_fail(MSR_GP);
	if (!v->vmcb)
		return msr_read_fail(msr_fail(v, "rdmsr 0x%x: vCPU has no VMCB", index));
	u64 *slot = state_slot(v, index);
	if (!slot)
		return msr_read_fail(msr_fail(v, "rdmsr 0x%x: no VMCB slot for state MSR", index));
	return msr_read_ok(*slot);
}

enum msr_result msr_vmcb_state_write(struct vcpu *v, u32 index, u64 value)
{
	if (!msr_state_in_vmcb(v))
		return MSR_GP;
	if (!v->vmcb)
		return msr_fail(v, "wrmsr 0x%x: vCPU has no VMCB", index);
	u64 *slot = state_slot(v, index);
	if (!slot)
		return msr_fail(v, "wrmsr 0x%x: no VMCB slot for state MSR", index);
	if (needs_canonical(index) && !msr_is_canonical(v, value))
		return MSR_GP;
	*slot = value;
	return MSR_OK;
}
