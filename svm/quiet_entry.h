/* The kept quiet entry: the run loop's entry after an exit that changed nothing the entry
 * depends on (svm/run_hw.c, run_vcpu).
 *
 * The general loop top is the definition of an entry: the time limit, devices_tick, the
 * earliest device deadline, HLT, the event rule (svm/event.h) and the host timer. Most exits
 * (CPUID, MSRs, port I/O to a device without a timer or an interrupt line) change none of
 * their inputs, and the event rule's common case (svm_event_entry_common: nothing queued or
 * pending, no IRET being single-stepped) then programs the same VMCB as at the entry before.
 * So when an entry takes that case, svm_quiet_entry_prepare keeps what the loop top computed
 * (struct svm_quiet_entry), and at the next loop top svm_quiet_entry_holds decides from the
 * inputs that can have moved since (by a handler, by the guest without an exit, or by time)
 * whether the general top would come to the same entry. If it would, the loop goes straight to
 * host_timer_arm with the kept target and the world switch. Every input the general top reads
 * is covered, step by step:
 *
 * - The time limit and devices_tick: now < wake, the earlier of the time limit and the kept
 *   earliest device deadline, and that deadline is the devices' still: deadline_moved clear (a
 *   timer programmed or fired since sets it with deadline_stale, and only the kept entry clears
 *   it, so a refresh of the deadline in between cannot hide the move). Then the limit is not
 *   reached and no device timer is due, so both steps are no-ops.
 * - HLT: intr.halted is clear (the HLT handler sets it), so the halted branch is not taken.
 * - The event rule's common case holds again: pending.pending (a handler queued an exception,
 *   or EXITINTINFO held an interrupted delivery, svm_event_after_exit), intr.step_tf (the IRET
 *   exit), the NMI line and the interrupt summary's flags (one word of the devices with
 *   deadline_moved: vm_devices.quiet_blockers) are read as the rule reads them. The summary's
 *   inputs outside the devices, which the rule compares with their values at its evaluation
 *   (svm_event_summary_quiet), were equal when the entry was kept, and neither can move
 *   without marking the summary stale: V_TPR only through a CR8 write, which the guest cannot
 *   make without an exit (plain: the CR8 write intercept; SEV-ES and soft-es: the CR8 write
 *   trap) and which reaches commit_cr8 (svm/cr_shadow.c) or the APIC's TPR
 *   (dev_lapic_set_tpr), and APIC_BASE.EN only through msr_apic_base_write; all three call
 *   dev_intr_changed. So the flags answer for them too. lapic_vcpu is fixed per run and held
 *   when the entry was kept.
 * - The common case's writes are no-ops: EVENTINJ is still 0 and 0 (only the event rule writes
 *   it; the CPU only clears its V bit, APM 15.20); intr.window_open is still clear (only a VINTR
 *   exit sets it, svm_event_after_exit: checked); the window is programmed from the same
 *   inputs, svm_event_timers_deferred (RFLAGS.IF, which the guest changes without an exit:
 *   compared, as the mask below says) and the kept deadline, and nothing else writes V_IRQ, V_IGN_TPR, V_INTR_PRIO or
 *   the VINTR intercept.
 * - iret_step is clear (the fourth byte of intr.word): the general top would not need it, but
 *   the run loop's lean exit side (q->lean, svm_event_after_exit_lean) relies on it.
 * - The host timer's target is the same (the kept one). host_timer_arm itself is not skipped:
 *   the host timer may have fired early (it is armed at most a second ahead) and must be
 *   armed again.
 *
 * Not covered, so back to the general top: an entry the rule did not take in its common case
 * (an injection, an open window for a pending interrupt, a stale summary), the first entry, and
 * any exit after which one of the inputs above moved: a VINTR exit, an INTR exit at the host
 * timer's target (now >= wake), HLT, an exception queued, a device that was programmed or
 * raised a line, a guest that changed RFLAGS.IF, CR8 or APIC_BASE.EN. Every mode is covered
 * (the inputs are read the way the event rule reads them for a protected vCPU too). The exit
 * side (counting, the debug trace of the first exits, the handler) is not touched: it runs
 * after every exit whatever the entry was. Pure: unit-tested in tests/unit/test_quiet_entry.c. */
#ifndef SVM_QUIET_ENTRY_H
#define SVM_QUIET_ENTRY_H

#include "svm/event.h"
#include "svm/dev/intr.h"

struct svm_quiet_entry {
	u64 wake;      /* min(time limit, dev_next) at the kept entry; 0: nothing kept */
	u64 timer;     /* the host timer's target for the entry (kept or not) */
	/* svm_event_timers_deferred's input as a mask: RFLAGS.IF for an unprotected vCPU, whose IF
	 * the rule reads from the save area; 0 for a protected one, whose timers are never
	 * deferred (state_protected is set before the first entry and never changes). */
	u64 if_mask;
	u64 if_then; /* save.rflags & if_mask then */
	/* The exit after this entry (kept or not, and after every kept entry that holds after it)
	 * may take the lean exit side, svm_event_after_exit_lean and
	 * cr_shadow_after_exit_unprotected: the vCPU is unprotected (so no soft-es model either:
	 * its vCPU's state is protected) and no IRET step is under way (svm_quiet_entry_holds
	 * checks that again before a kept entry). */
	bool lean;
};

/* The loop top's entry after the general steps: programs EVENTINJ and the window for this
 * entry (the two branches of svm_event_prepare_entry_at), sets q->timer to the host timer's target (the time limit
 * while the timers are deferred, else the earlier of it and dev_next), and keeps the entry when
 * the rule took its common case, else forgets what was kept. dev_next is
 * devices_next_deadline(vm) as the loop just read it; limit the time limit (host TSC). */
static inline __attribute__((always_inline)) void svm_quiet_entry_prepare(struct svm_quiet_entry *q, struct vcpu *v,
									   struct vm *vm, u64 dev_next, u64 limit,
									   bool lapic_vcpu)
{
	const u64 next = dev_next < limit ? dev_next : limit;
	/* For every entry, kept or not: only an exit handler sets iret_step (svm_event_iret_exit). */
	q->lean = !v->state_protected && !v->intr.iret_step;
	if (!svm_event_entry_common(v, vm, lapic_vcpu)) {
		q->wake = 0;
		q->timer = svm_event_prepare_entry_general(v) ? limit : next;
		return;
	}
	const bool deferred = svm_event_prepare_entry_common(v, dev_next);
	vm->devices->deadline_moved = false; /* dev_next is the deadline now */
	q->wake = next;
	q->if_mask = v->state_protected ? 0 : RFLAGS_IF;
	q->if_then = v->vmcb->save.rflags & q->if_mask;
	q->timer = deferred ? limit : next;
}

/* Would the general loop top, at host TSC now, come to the kept entry (see above)? Past the
 * time, each input gives a term that is zero exactly when it is as the kept entry needs, and
 * the terms are ORed into one word tested once (all are plain reads, so nothing is lost by
 * reading them all). vmcb and d are v's VMCB and the VM's devices, which the run loop holds
 * (neither changes while a guest runs). */
static inline __attribute__((always_inline)) bool svm_quiet_entry_holds(const struct svm_quiet_entry *q,
									 const struct vcpu *v, const struct vmcb *vmcb,
									 const struct vm_devices *d, u64 now)
{
	if (now >= q->wake)
		return false;
	const u64 moved = (u64)v->pending.pending | v->intr.word | d->quiet_blockers |
			  ((vmcb->save.rflags ^ q->if_then) & q->if_mask);
	return !moved;
}

#endif
