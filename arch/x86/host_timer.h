/* sevisor's own timer: the host local APIC timer in one-shot mode, armed for a host TSC
 * deadline (the next guest timer, or a guest's time limit), so a halted guest costs nothing and
 * a running one is interrupted exactly when one of its timers is due. */
#ifndef ARCH_X86_HOST_TIMER_H
#define ARCH_X86_HOST_TIMER_H

#include "lib/types.h"

/* Installs the interrupt hook and starts measuring the APIC timer's rate against the TSC
 * (tsc_hz); returns at once. host_timer_init_finish ends the measurement, waiting for what is
 * left of its 10 ms: call it before the timer is first armed, after other set-up work. */
void host_timer_init(u64 tsc_hz);
void host_timer_init_finish(void);
/* Arms the timer to fire at the host TSC value `deadline` (at most a second ahead, then again).
 * Inline, before every VMRUN: one compare when that deadline is armed already (host_timer_armed:
 * the deadline armed, ~0 once it fired); host_timer_rearm programs the timer. */
/* Not volatile: the timer's interrupt handler, its only writer besides host_timer_rearm, runs
 * only where sevisor lets an interrupt in, cpu_wait_for_interrupt's "sti; hlt" (a compiler
 * memory barrier) and the world switch (an external call); elsewhere the host runs with
 * RFLAGS.IF = 0. So the inline test below compares the memory word directly. */
extern u64 host_timer_armed;
void host_timer_rearm(u64 deadline);
static inline void host_timer_arm(u64 deadline)
{
	if (deadline != host_timer_armed)
		host_timer_rearm(deadline);
}
/* Sleeps (sti; hlt) until `deadline` has passed or any interrupt arrived. */
void host_timer_sleep_until(u64 deadline);
/* How often the timer fired (for the log). */
u64 host_timer_fired(void);

#endif
