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

#include "arch/x86/rflags.h"
#include "svm/vcpu.h"
#include "svm/exit_codes.h"
#include "svm/dev/intr.h"

/* The guest's RFLAGS.IF. A protected vCPU's RFLAGS is hidden: the CPU reports its IF in
 * int_state bit 1 on every #VMEXIT of an SEV-ES guest (facts G28, KVM svm_get_if_flag); a window
 * exit says so too. Inline: asked before every VMRUN. */
static inline __attribute__((always_inline)) bool svm_event_guest_if(struct vcpu *v)
{
	u64 rflags;
	if (v->state_protected)
		return (v->vmcb->control.int_state & SVM_INT_STATE_GUEST_IF) || v->intr.window_open;
	if (!vcpu_reg_read(v, VCPU_RFLAGS, &rflags))
		return v->intr.window_open;
	return rflags & RFLAGS_IF;
}

/* After #VMEXIT: an event whose delivery the exit interrupted (EXITINTINFO.V) is queued again
 * unless something else is queued already. Only the V bit counts: QEMU TCG leaves a copy of an
 * injected event with V = 0. Also notes the interrupt window and the end of NMI blocking.
 * VMEXIT_INVALID (APM 15.5.1: VMRUN failed its consistency checks) changes nothing (EXITINTINFO
 * means nothing, and no instruction ran): it is asked only inside the two rare branches it could
 * enter, not on every exit. Inline: once per exit.
 *
 * svm_event_after_exit_lean is all of it for an exit after an entry that said lean
 * (svm/quiet_entry.h, svm_quiet_entry.lean): that entry had no IRET step under way (nothing
 * sets iret_step while the guest runs), so only EXITINTINFO and the window can need noting.
 * c is v's control area, code its exit code. */
static inline __attribute__((always_inline)) void svm_event_after_exit_lean(struct vcpu *v,
									     const struct vmcb_control *c, u64 code)
{
	if (__builtin_expect(c->exit_int_info & SVM_EVT_VALID, 0) && !v->pending.pending &&
	    !SVM_EXIT_CODE_INVALID(code)) {
		v->pending.pending = true;
		v->pending.info = c->exit_int_info;
		v->pending.err_code = c->exit_int_info_err;
	}
	if (code == SVM_EXIT_VINTR)
		v->intr.window_open = true;
}
static inline void svm_event_after_exit(struct vcpu *v)
{
	const struct vmcb_control *c = &v->vmcb->control;
	svm_event_after_exit_lean(v, c, c->exit_code);
	/* Without a single step, the first exit after the IRET's entry ends NMI blocking. */
	if (v->intr.iret_step && !v->intr.step_tf && c->exit_code != SVM_EXIT_IRET &&
	    !SVM_EXIT_CODE_INVALID(c->exit_code)) {
		v->intr.iret_step = false;
		v->intr.nmi_masked = false;
	}
}

/* A plain vCPU with RFLAGS.IF = 0 cannot take a device interrupt, so its timers need not end its
 * run: the host timer waits (for the time limit only) and, while a device deadline is pending,
 * the next entry opens the interrupt window, whose exit at the guest's STI brings the timers up
 * to date. Without this every guest tick would interrupt code that runs with interrupts off
 * (a kernel timing its TSC against the PIT with IF = 0 rejects a loop that took an exit). */
static inline __attribute__((always_inline)) bool svm_event_timers_deferred(struct vcpu *v)
{
	return !v->state_protected && !svm_event_guest_if(v);
}

/* Opens (V_IRQ with the VINTR intercept, APM 15.21.4) or closes the interrupt window for this
 * entry. The window's virtual interrupt: highest priority and TPR ignored, because the LAPIC
 * model has already weighed priority; only IF and the shadow may hold it back. */
#define SVM_EVENT_WINDOW_INT_CTL (SVM_INT_CTL_V_IRQ | SVM_INT_CTL_V_IGN_TPR | SVM_INT_CTL_V_INTR_PRIO_MASK)
static inline __attribute__((always_inline)) void svm_event_window_program(struct vmcb_control *c, bool open)
{
	if (open) {
		c->int_ctl |= SVM_EVENT_WINDOW_INT_CTL;
		c->int_vector = 0;
		c->intercept_misc1 |= BIT(SVM_INTERCEPT_VINTR);
	} else {
		c->int_ctl &= ~(u32)SVM_EVENT_WINDOW_INT_CTL;
		c->intercept_misc1 &= ~BIT(SVM_INTERCEPT_VINTR);
	}
}

/* Before VMRUN: programs EVENTINJ and the interrupt window for this entry. Returns
 * svm_event_timers_deferred for the entry (evaluated once; nothing here changes it).
 * svm_event_prepare_entry_general is the whole rule; the inline entry below takes the common
 * case itself (nothing queued, no IRET being single-stepped, no NMI and no maskable interrupt
 * pending), where the general rule injects nothing and opens the window only for deferred
 * timers: the same outcome from the same inputs, without a call per exit. A stale interrupt
 * summary goes to the general rule, which brings it up to date; the earliest deadline it reads
 * is devices_next_deadline's, up to date by then. */
bool svm_event_prepare_entry_general(struct vcpu *v);
/* Nothing maskable pending, by the devices' kept summary (dev_intr_maskable_pending's usual
 * case): not stale, no interrupt then, and the inputs outside the devices as they were then,
 * read from v itself when v is the vCPU the local APIC serves (dev_lapic_vcpu: the VM's first,
 * which has a VMCB: the caller asks dev_lapic_vcpu). False sends the entry to the general rule,
 * which evaluates again. */
static inline __attribute__((always_inline)) bool svm_event_summary_quiet(struct vcpu *v, struct vm *vm)
{
	const struct vm_devices *d = vm->devices;
	return !d->intr.flags && d->intr_outside == dev_lapic_outside_inputs_of(v);
}
/* Does this entry take the common case (nothing queued, no IRET being single-stepped, no NMI and,
 * by the devices' kept summary, no maskable interrupt pending), where the whole rule injects
 * nothing and opens the window only for deferred timers? lapic_vcpu is dev_lapic_vcpu(vm) == v,
 * asked once per run because the VM's vCPU array and VMCB are set at creation and never change
 * while it runs. */
static inline __attribute__((always_inline)) bool svm_event_entry_common(struct vcpu *v, struct vm *vm,
									  bool lapic_vcpu)
{
	return !v->pending.pending && !v->intr.step_tf && !dev_intr_nmi_pending(vm) && lapic_vcpu &&
	       svm_event_summary_quiet(v, vm);
}
/* The common case's entry (svm_event_entry_common holds): no event, and the window open only
 * for deferred timers while a device deadline is pending (next_deadline, as below). Returns
 * svm_event_timers_deferred. */
static inline __attribute__((always_inline)) bool svm_event_prepare_entry_common(struct vcpu *v, u64 next_deadline)
{
	struct vmcb_control *c = &v->vmcb->control;
	bool deferred = svm_event_timers_deferred(v);
	c->event_inj = 0;
	c->event_inj_err = 0;
	v->intr.window_open = false;
	svm_event_window_program(c, deferred && next_deadline != LAPIC_NO_DEADLINE);
	return deferred;
}
/* The entry with the earliest deadline and the vCPU test already at hand (the run loop takes the
 * same two branches in svm_quiet_entry_prepare, svm/quiet_entry.h): vm is v->vm (never NULL
 * while a guest runs, with its devices); next_deadline is devices_next_deadline(vm), brought up
 * to date just before (nothing between that and this entry moves a timer), so the kept earliest
 * deadline is neither looked up nor checked for staleness a second time here; lapic_vcpu as
 * for svm_event_entry_common. */
static inline __attribute__((always_inline)) bool svm_event_prepare_entry_at(struct vcpu *v, struct vm *vm,
									      u64 next_deadline, bool lapic_vcpu)
{
	if (!svm_event_entry_common(v, vm, lapic_vcpu))
		return svm_event_prepare_entry_general(v);
	return svm_event_prepare_entry_common(v, next_deadline);
}
/* The same from v alone: a vCPU without devices goes to the general rule. */
static inline __attribute__((always_inline)) bool svm_event_prepare_entry(struct vcpu *v)
{
	struct vm *vm = v->vm;
	if (!vm || !vm->devices)
		return svm_event_prepare_entry_general(v);
	return svm_event_prepare_entry_at(v, vm, devices_next_deadline(vm), dev_lapic_vcpu(vm) == v);
}

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
