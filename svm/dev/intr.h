/* The vCPU's view of its interrupt controllers (SDM vol. 3A 11.1, APM vol. 2 16.2): what is
 * pending at the CPU's pins (NMI, INTR from the local APIC or, through LINT0 in ExtINT mode,
 * from the 8259 PIC), the acknowledge cycle that yields a vector, and the timers' clock. The
 * delivery rules (IF, interrupt shadow, NMI blocking) are the CPU's and live in svm/event.c. */
#ifndef SVM_DEV_INTR_H
#define SVM_DEV_INTR_H

#include "lib/types.h"
#include "svm/dev/devices.h"
#include "svm/vm.h"

static inline bool dev_intr_nmi_pending(struct vm *vm)
{
	return vm->devices->nmi_pending;
}
void dev_intr_nmi_ack(struct vm *vm);
/* A maskable interrupt waits: ExtINT from the PIC (which bypasses the APIC's priority, SDM
 * 11.6.1), or a fixed vector whose class beats the PPR.
 *
 * Asked before every VMRUN, so the answer is kept (struct dev_intr_summary) and evaluated again
 * only when something it depends on may have changed. Inside the devices that is every change
 * of the APIC's IRR, ISR, TPR, LINT0 or SVR and of the PIC's inputs, INTA, poll and
 * programming: each of those calls dev_intr_changed. Outside them, V_TPR (CR8, written by the
 * CR8 intercept and write trap, the soft-es model and the APIC's TPR register alike) and
 * APIC_BASE.EN (the MSR) are compared with their values at the last evaluation
 * (dev_lapic_outside_inputs). The NMI line is a flag of its own, read directly. */
bool dev_intr_maskable_evaluate(struct vm *vm); /* evaluates and keeps the answer */
static inline bool dev_intr_maskable_pending(struct vm *vm)
{
	const struct dev_intr_summary *s = &vm->devices->intr;
	if (!s->stale && vm->devices->intr_outside == dev_lapic_outside_inputs(vm))
		return s->maskable;
	return dev_intr_maskable_evaluate(vm);
}
static inline void dev_intr_changed(struct vm *vm)
{
	vm->devices->intr.stale = true;
}
/* INTA: the vector to deliver, moved into service; -1 if nothing was pending after all. */
int dev_intr_maskable_ack(struct vm *vm);

/* Every device timer: fire what is due at `now` (host TSC), and the earliest next deadline
 * (LAPIC_NO_DEADLINE when none is armed). The earliest deadline is kept: it is recomputed only
 * after devices_reprogrammed or a timer fired, and devices_tick does nothing before it (every
 * device tick is a no-op before its own deadline), so an exit that touches no timer pays for
 * neither: both are inline, asked before every VMRUN, and cost one compare when nothing is
 * due. devices_deadline_refresh recomputes the earliest deadline; devices_fire runs every
 * device's tick. */
u64 devices_deadline_refresh(struct vm *vm);
void devices_fire(struct vm *vm, u64 now);
static inline u64 devices_next_deadline(struct vm *vm)
{
	const struct vm_devices *d = vm->devices;
	return d->deadline_stale ? devices_deadline_refresh(vm) : d->next_deadline;
}
static inline void devices_tick(struct vm *vm, u64 now)
{
	if (now >= devices_next_deadline(vm))
		devices_fire(vm, now);
}

/* A timer device's deadline may have moved (a register write, a reset): called by the port and
 * MMIO dispatch for the timer devices (svm/dev/io.c) and by the TSC-deadline MSR. A device
 * whose deadline devices_next_deadline reads must be reached only through those. */
void devices_reprogrammed(struct vm *vm);

#endif
