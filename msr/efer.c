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

enum msr_result msr_efer_check(const struct vcpu *v, u64 new_efer)
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
	u64 old = v->cr.efer;
	if ((v->cr.cr0 & CR0_PG) && ((old ^ new_efer) & EFER_LME))
		return MSR_GP;
	return MSR_OK;
}

enum msr_result msr_efer_read(struct vcpu *v, u32 index, u64 *value)
{
	(void)index;
	*value = cr_shadow_get_efer(v);
	return MSR_OK;
}

enum msr_result msr_efer_write(struct vcpu *v, u32 index, u64 value)
{
	(void)index;
	enum msr_result r = msr_efer_check(v, value);
	if (r != MSR_OK)
		return r;
	cr_shadow_set_efer(v, value);
	return MSR_OK;
}
