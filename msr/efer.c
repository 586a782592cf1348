/* EFER validity (APM vol. 2, 3.1.7 "Extended Feature Enable Register"). The value itself is
 * owned by svm/cr_shadow.c; this file owns the rule for what a guest may write. */
#include "msr/msr_rules.h"

/* CPUID gates (leaf 0x80000001): EDX[11] SYSCALL, EDX[20] NX, EDX[25] FFXSR, EDX[29] LM,
 * ECX[17] TCE. Leaf 0x80000021 EAX[8] AutoIBRS is beyond the extended leaves offered, so
 * EFER.AUTOIBRS (bit 21) is reserved for guests. */
#define EXT_LEAF 0x80000001u
#define REG_ECX 2
#define REG_EDX 3

struct efer_gate {
	u64 bit;
	unsigned reg, cpuid_bit;
};

static const struct efer_gate efer_gates[] = {
	{ EFER_LME, REG_EDX, 29 },
	{ EFER_NXE, REG_EDX, 20 },
	{ EFER_FFXSR, REG_EDX, 25 },
	{ EFER_TCE, REG_ECX, 17 },
};

enum msr_result msr_efer_rule(const struct vcpu *v, u64 old_efer, u64 cr0, u64 new_efer)
{
	/* LMA is read-only and inferred (LME && CR0.PG): whatever the guest writes there is
	 * ignored, as on hardware and in KVM's set_efer (facts D.3). */
	new_efer &= ~EFER_LMA;

	/* SCE is allowed unconditionally (every AMD64 CPU has SYSCALL; KVM does the same).
	 * SVME: no nested SVM is offered (CPUID 0x80000001 ECX[2] clear) -> #GP.
	 * LMSLE: gone on Zen 3+, CPUID 0x80000008 EBX[20] tells the guest it must be zero
	 * -> #GP always (facts E.3, G13). Every other bit outside the gated ones is reserved. */
	u64 allowed = EFER_SCE;
	for (size_t i = 0; i < ARRAY_SIZE(efer_gates); i++)
		if (msr_cpuid_has(v, EXT_LEAF, 0, efer_gates[i].reg, efer_gates[i].cpuid_bit))
			allowed |= efer_gates[i].bit;
	if (new_efer & ~allowed)
		return MSR_GP;

	/* APM vol. 2, 14.6.1: changing LME while paging is enabled is a #GP. */
	if ((cr0 & CR0_PG) && ((old_efer ^ new_efer) & EFER_LME))
		return MSR_GP;
	return MSR_OK;
}

enum msr_result msr_efer_check(const struct vcpu *v, u64 new_efer)
{
	return msr_efer_rule(v, v->cr.efer, v->cr.cr0, new_efer);
}

/* A protected guest (sev-es, soft-es) reads EFER natively, and the CPU shows SVME there (APM
 * 15.4: EFER.SVME is set while a guest runs; facts C.3: EFER is not intercepted for SEV-ES).
 * A GHCB MSR request for EFER answers the same value, so every path agrees (issue 10 item 3). */
struct msr_read_out msr_efer_read(struct vcpu *v, u32 index)
{
	(void)index;
	return msr_read_ok(v->state_protected ? cr_shadow_hw_efer(v) : cr_shadow_get_efer(v));
}

/* For a protected guest the real EFER is in the encrypted VMSA, out of the hypervisor's reach:
 * a GHCB MSR write can only leave it as it is. Writing back the value read (SVME and LMA as
 * read) completes; a change gets #GP, so the shadow never drifts from the CPU's EFER. */
enum msr_result msr_efer_write(struct vcpu *v, u32 index, u64 value)
{
	(void)index;
	if (v->state_protected)
		return ((value ^ cr_shadow_get_efer(v)) & ~(EFER_SVME | EFER_LMA)) ? MSR_GP : MSR_OK;
	enum msr_result r = msr_efer_check(v, value);
	if (r != MSR_OK)
		return r;
	cr_shadow_set_efer(v, value);
	return MSR_OK;
}
