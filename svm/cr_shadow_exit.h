/* The shadow control registers after every #VMEXIT (svm/cr_shadow.h): inline, because the run
 * loop calls it on every exit and the usual exit changes nothing. */
#ifndef SVM_CR_SHADOW_EXIT_H
#define SVM_CR_SHADOW_EXIT_H

#include "svm/vcpu.h"

/* The guest's CR8: V_TPR (int_ctl[3:0], control area, never encrypted, so for every mode), where
 * the CPU keeps it with V_INTR_MASKING and every CR8 write lands (the guest's own, the CR8
 * intercept and write trap through commit_cr8, the APIC's TPR, the soft-es model); the shadow
 * field for a vCPU without a VMCB. Read where it is asked, not copied after every exit. */
static inline __attribute__((always_inline)) u64 cr_shadow_get_cr8(const struct vcpu *v)
{
	return v->vmcb ? v->vmcb->control.int_ctl & SVM_INT_CTL_V_TPR_MASK : v->cr.cr8;
}

/* Called by the run loop after each #VMEXIT, before the exit is dispatched. CR8 needs nothing:
 * it is read from V_TPR where it is asked (cr_shadow_get_cr8). For an unprotected vCPU it
 * re-reads CR0/CR4/EFER from the save area (the CPU may have changed them without an
 * intercept) and notes CS.L to detect 64-bit and compatibility mode. The usual case, every
 * exit but a CR/EFER write or a far jump between 64-bit and compatibility code: the save area
 * holds what the shadow mirrored, and CS.L is what the transitions were checked with; the
 * commit would rewrite the same values (LMA inference is idempotent) and find no new
 * transition, so it is skipped. The exit handlers' lean step relies on this compare before
 * every handler (svm_fetch_cache_at_visible: CR0/CR4/EFER through cr_shadow.gen).
 * cr_shadow_after_exit_unprotected is the same for a vCPU known to be unprotected, with its
 * VMCB (the run loop's lean exit side). */
static inline __attribute__((always_inline)) void cr_shadow_after_exit_unprotected(struct vcpu *v,
										     const struct vmcb *vmcb)
{
	const struct vmcb_save *s = &vmcb->save;
	const struct cr_shadow *c = &v->cr;
	if (__builtin_expect(s->cr0 == c->cr0 && s->cr4 == c->cr4 && s->efer == (c->efer | EFER_SVME) &&
			     ((s->cs.attrib & SVM_SEG_L) != 0) == c->checked_cs_l, 1))
		return;
	cr_shadow_after_exit_changed(v);
}
static inline __attribute__((always_inline)) void cr_shadow_after_exit(struct vcpu *v)
{
	if (v->vmcb && !v->state_protected)
		cr_shadow_after_exit_unprotected(v, v->vmcb);
}

#endif
