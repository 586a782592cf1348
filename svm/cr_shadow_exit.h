/* The shadow control registers after every #VMEXIT (svm/cr_shadow.h): inline, because the run
 * loop calls it on every exit and the usual exit changes nothing. */
#ifndef SVM_CR_SHADOW_EXIT_H
#define SVM_CR_SHADOW_EXIT_H

#include "svm/vcpu.h"

/* Called by the run loop after each #VMEXIT, before the exit is dispatched. Reads CR8 back
 * from V_TPR (control area, never encrypted; the guest's CR8 writes land there when
 * V_INTR_MASKING is on). For an unprotected vCPU also re-reads CR0/CR4/EFER from the save
 * area (the CPU may have changed them without an intercept) and notes CS.L to detect 64-bit
 * and compatibility mode. The usual case, every exit but a CR/EFER write or a far jump between
 * 64-bit and compatibility code: the save area holds what the shadow mirrored, and CS.L is
 * what the transitions were checked with; the commit would rewrite the same values (LMA
 * inference is idempotent) and find no new transition, so it is skipped. The exit handlers'
 * lean step relies on this compare before every handler (svm_fetch_cache_at_visible: CR0/CR4/
 * EFER through cr_shadow.gen). cr_shadow_after_exit_unprotected is the same for a vCPU known
 * to be unprotected, with its VMCB (the run loop's lean exit side). */
static inline __attribute__((always_inline)) void cr_shadow_after_exit_unprotected(struct vcpu *v,
										     const struct vmcb *vmcb)
{
	v->cr.cr8 = vmcb->control.int_ctl & SVM_INT_CTL_V_TPR_MASK;
	const struct vmcb_save *s = &vmcb->save;
	const struct cr_shadow *c = &v->cr;
	if (__builtin_expect(s->cr0 == c->cr0 && s->cr4 == c->cr4 && s->efer == (c->efer | EFER_SVME) &&
			     ((s->cs.attrib & SVM_SEG_L) != 0) == c->checked_cs_l, 1))
		return;
	cr_shadow_after_exit_changed(v);
}
static inline __attribute__((always_inline)) void cr_shadow_after_exit(struct vcpu *v)
{
	if (!v->vmcb)
		return;
	if (!v->state_protected) {
		cr_shadow_after_exit_unprotected(v, v->vmcb);
		return;
	}
	v->cr.cr8 = v->vmcb->control.int_ctl & SVM_INT_CTL_V_TPR_MASK;
}

#endif
