/* Shadow control registers. See cr_shadow.h. */
#include "svm/cr_shadow.h"
#include "svm/vcpu.h"

/* LMA is never taken from a written value: it is LME && CR0.PG (APM vol. 2, 14.6). */
static u64 infer_lma(u64 efer, u64 cr0)
{
	efer &= ~EFER_LMA;
	if ((efer & EFER_LME) && (cr0 & CR0_PG))
		efer |= EFER_LMA;
	return efer;
}

u64 cr_shadow_get_efer(const struct vcpu *v)
{
	return v->cr.efer;
}

void cr_shadow_set_efer(struct vcpu *v, u64 value)
{
	v->cr.efer = infer_lma(value & ~EFER_SVME, v->cr.cr0);
	if (!v->state_protected && v->vmcb)
		v->vmcb->save.efer = v->cr.efer | EFER_SVME;
}
