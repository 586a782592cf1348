/* Event injection around VMRUN (APM vol. 2, 15.20 EVENTINJ, 15.7.2 EXITINTINFO, 15.21 interrupt
 * control): pure, so the rules are unit-tested.
 *
 * Order at each entry: an event whose delivery an exit interrupted, or an exception a handler
 * queued, goes first; then an NMI unless NMIs are blocked (one was delivered and its IRET has not
 * completed, or an interrupt shadow); then a maskable interrupt if RFLAGS.IF = 1 and no interrupt
 * shadow. A maskable interrupt that cannot go in yet opens a virtual-interrupt window: V_IRQ with
 * the VINTR intercept, so the CPU exits at the first instruction boundary where the guest could
 * take it (APM 15.21.4), and the next entry injects it. */
#ifndef SVM_EVENT_H
#define SVM_EVENT_H

#include "svm/vcpu.h"
#include "svm/exit_codes.h"

/* Before VMRUN: programs EVENTINJ and the interrupt window for this entry. Returns
 * svm_event_timers_deferred for the entry (evaluated once; nothing here changes it). */
bool svm_event_prepare_entry(struct vcpu *v);
/* After #VMEXIT: an event whose delivery the exit interrupted (EXITINTINFO.V) is queued again
 * unless something else is queued already. Only the V bit counts: QEMU TCG leaves a copy of an
 * injected event with V = 0. Not for VMEXIT_INVALID, where EXITINTINFO means nothing. Also
 * notes the interrupt window and the end of NMI blocking. Inline: once per exit. */
static inline void svm_event_after_exit(struct vcpu *v)
{
	const struct vmcb_control *c = &v->vmcb->control;
	if ((c->exit_int_info & SVM_EVT_VALID) && !v->pending.pending) {
		v->pending.pending = true;
		v->pending.info = c->exit_int_info;
		v->pending.err_code = c->exit_int_info_err;
	}
	if (c->exit_code == SVM_EXIT_VINTR)
		v->intr.window_open = true;
	/* Without a single step, the first exit after the IRET's entry ends NMI blocking. */
	if (v->intr.iret_step && !v->intr.step_tf && c->exit_code != SVM_EXIT_IRET) {
		v->intr.iret_step = false;
		v->intr.nmi_masked = false;
	}
}

/* A plain vCPU with RFLAGS.IF = 0 cannot take a device interrupt, so its timers need not end its
 * run: the host timer waits (for the time limit only) and, while a device deadline is pending,
 * the next entry opens the interrupt window, whose exit at the guest's STI brings the timers up
 * to date. Without this every guest tick would interrupt code that runs with interrupts off
 * (a kernel timing its TSC against the PIT with IF = 0 rejects a loop that took an exit). */
bool svm_event_timers_deferred(struct vcpu *v);

/* Does an interrupt or NMI end a HLT now (APM vol. 3, HLT: a maskable interrupt only with
 * RFLAGS.IF = 1)? */
bool svm_event_wakes(struct vcpu *v);
/* An SEV-ES guest's NMI_COMPLETE (GHCB NAE 0x80000003): its NMI handler is done, NMIs are
 * deliverable again (facts G9; the IRET that would say so cannot be intercepted). */
void svm_event_nmi_complete(struct vcpu *v);
/* The IRET intercept that NMI delivery set: NMI blocking ends once the IRET completes, so a
 * plain vCPU single-steps over it (RFLAGS.TF and the #DB intercept, as KVM does). */
void svm_event_iret_exit(struct vcpu *v);
/* A #DB intercept: true if it was that single step (consumed), false if the guest's own. */
bool svm_event_db_exit(struct vcpu *v);

#endif
