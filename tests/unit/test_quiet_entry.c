/* svm/quiet_entry.h: the run loop's kept quiet entry.
 *
 * The reference is the general loop top with the event rule (svm/event.c), which follows the
 * APM: EVENTINJ (vol. 2 15.20) carries nothing when nothing is queued; the virtual-interrupt
 * window (V_IRQ, int_ctl bit 8, with the VINTR intercept, misc1 bit 4, 15.21.4) is open only
 * while a maskable interrupt waits or, with RFLAGS.IF = 0 (vol. 2 3.1.6, bit 9), a device timer
 * is deferred; a fixed interrupt is held while its class (vector[7:4]) is not above the TPR,
 * which CR8[3:0] holds (vol. 2 16.6.4, SDM vol. 3A 11.8.3.1); the local APIC answers nothing
 * with APIC_BASE.EN (bit 11) clear (SDM 11.4.3); HLT waits for an interrupt (vol. 3 HLT).
 *
 * Each test keeps an entry, moves one input the way a handler, the guest or time would, and
 * checks that the kept entry no longer holds: each fails when the matching test in
 * svm_quiet_entry_holds is removed. The first checks that a kept entry that holds gives the
 * VMCB the general rule gives. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <setjmp.h>
#include <cmocka.h>
#include "svm_fixture.h"
#include "svm/quiet_entry.h"
#include "svm/dev/intr.h"
#include "svm/dev/io.h"
#include "svm/exit.h"
#include "svm/cr_shadow.h"
#include "msr/msr.h"
#include "msr/msr_index.h"

#define VINTR_BIT BIT(4)
#define V_IRQ BIT(8)
#define APIC_SVR 0xFEE000F0
#define APIC_LVT_TIMER 0xFEE00320
#define APIC_TIMER_INITIAL 0xFEE00380
#define LIMIT 1000000ULL /* the time limit, host TSC */
#define HZ 1000000000ULL

static struct svm_fx *f;
static struct svm_quiet_entry q;

static int setup(void **state)
{
	(void)state;
	sf_log_capture();
	f = sf_new(false);
	sf_clock_start(100, HZ);
	u64 v = 0x1FF; /* SVR: APIC software-enabled, spurious vector 0xFF */
	assert_true(svm_mmio(&f->vm, APIC_SVR, 4, true, &v));
	memset(&q, 0, sizeof(q));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sf_clock_stop();
	sf_free(f);
	log_reset();
	return 0;
}

/* The general loop top's entry at `now`, as run_vcpu does it before keeping. The interrupt
 * summary is brought up to date first, as the general rule of an earlier entry leaves it (a
 * stale one sends the entry to the general rule, which is not kept). */
static void general_entry(u64 now)
{
	sf_clock_now = now;
	devices_tick(&f->vm, now);
	dev_intr_maskable_pending(&f->vm);
	svm_quiet_entry_prepare(&q, &f->v, &f->vm, devices_next_deadline(&f->vm), LIMIT, true);
}

/* A one-shot LAPIC timer with `count` ticks: a device deadline. */
static void arm_lapic_timer(u64 count)
{
	u64 v = 0x30;
	assert_true(svm_mmio(&f->vm, APIC_LVT_TIMER, 4, true, &v));
	assert_true(svm_mmio(&f->vm, APIC_TIMER_INITIAL, 4, true, &count));
}

/* A kept entry that holds: the general rule, run again, programs the same control area, and the
 * host timer target is the same. With IF = 0 and a timer armed, the window is open for it. */
static void kept_entry_is_the_general_entry(void **state)
{
	(void)state;
	for (int if_set = 0; if_set < 2; if_set++) {
		f->vmcb->save.rflags = if_set ? 2 | RFLAGS_IF : 2;
		arm_lapic_timer(1000);
		general_entry(200);
		assert_int_not_equal(q.wake, 0);
		struct vmcb_control kept = f->vmcb->control;
		u64 timer = q.timer;
		assert_true(svm_quiet_entry_holds(&q, &f->v, f->vmcb, f->dev, 300));
		assert_int_equal(!!(kept.intercept_misc1 & VINTR_BIT), !if_set);
		assert_int_equal(!!(kept.int_ctl & V_IRQ), !if_set);
		assert_int_equal(kept.event_inj, 0);
		/* IF = 0 defers the timer: the host timer waits for the time limit only. */
		assert_true(if_set ? timer < LIMIT : timer == LIMIT);
		struct svm_quiet_entry again = q;
		general_entry(300);
		assert_memory_equal(&kept, &f->vmcb->control, sizeof(kept));
		assert_int_equal(q.timer, timer);
		assert_memory_equal(&again, &q, sizeof(q));
	}
}

/* Time: the time limit, and a device deadline coming due (the general top would fire it). */
static void time_limit_ends_it(void **state)
{
	(void)state;
	f->vmcb->save.rflags = 2 | RFLAGS_IF;
	general_entry(200);
	assert_int_equal(devices_next_deadline(&f->vm), LAPIC_NO_DEADLINE);
	assert_true(svm_quiet_entry_holds(&q, &f->v, f->vmcb, f->dev, LIMIT - 1));
	assert_false(svm_quiet_entry_holds(&q, &f->v, f->vmcb, f->dev, LIMIT));
}

static void device_deadline_ends_it(void **state)
{
	(void)state;
	f->vmcb->save.rflags = 2 | RFLAGS_IF;
	arm_lapic_timer(1000);
	general_entry(200);
	u64 due = devices_next_deadline(&f->vm);
	assert_true(due < LIMIT);
	assert_true(svm_quiet_entry_holds(&q, &f->v, f->vmcb, f->dev, due - 1));
	assert_false(svm_quiet_entry_holds(&q, &f->v, f->vmcb, f->dev, due));
}

/* Nothing kept: the first entry, and an entry the rule did not take in its common case. */
static void nothing_kept_before_the_first_entry(void **state)
{
	(void)state;
	assert_false(svm_quiet_entry_holds(&q, &f->v, f->vmcb, f->dev, 200));
}

static void injecting_entry_is_not_kept(void **state)
{
	(void)state;
	f->vmcb->save.rflags = 2 | RFLAGS_IF;
	general_entry(200);
	assert_true(svm_quiet_entry_holds(&q, &f->v, f->vmcb, f->dev, 300));
	dev_lapic_accept(&f->vm, 0x30, false);
	general_entry(300);
	assert_int_equal(f->vmcb->control.event_inj, 0x80000030);
	assert_false(svm_quiet_entry_holds(&q, &f->v, f->vmcb, f->dev, 400));
}

/* One input moved after the kept entry: each must send the loop to the general top. */
static void keep_then(void (*move)(void), u64 rflags)
{
	f->vmcb->save.rflags = rflags;
	arm_lapic_timer(1000);
	general_entry(200);
	assert_true(svm_quiet_entry_holds(&q, &f->v, f->vmcb, f->dev, 300));
	move();
	assert_false(svm_quiet_entry_holds(&q, &f->v, f->vmcb, f->dev, 300));
}

static void queue_gp(void)
{
	svm_queue_exception(&f->v, 13, true, 0); /* a handler's #GP */
}
static void exitintinfo(void)
{
	/* An exit that interrupted the delivery of an event (APM 15.7.2). */
	f->vmcb->control.exit_code = SVM_EXIT_NPF;
	f->vmcb->control.exit_int_info = SVM_EVT_VALID | 0x20;
	svm_event_after_exit(&f->v);
}
static void hlt(void)
{
	f->v.intr.halted = true;
}
static void iret_step(void)
{
	f->v.intr.step_tf = true;
}
static void iret_unmask_pending(void)
{
	/* The IRET exit of a guest that single-steps itself: iret_step without sevisor's step
	 * (svm_event_iret_exit); the next exit ends NMI blocking. */
	f->v.intr.iret_step = true;
}
static void vintr_exit(void)
{
	f->vmcb->control.exit_code = SVM_EXIT_VINTR;
	svm_event_after_exit(&f->v);
}
static void timer_reprogrammed(void)
{
	arm_lapic_timer(500); /* deadline_stale */
}
static void timer_reprogrammed_and_read(void)
{
	arm_lapic_timer(500);
	devices_next_deadline(&f->vm); /* refreshed by someone else: stale clear, deadline moved */
}
static void nmi(void)
{
	f->dev->nmi_pending = true;
}
static void irq_raised(void)
{
	dev_lapic_accept(&f->vm, 0x30, false); /* summary stale */
}
static void irq_raised_and_evaluated(void)
{
	dev_lapic_accept(&f->vm, 0x30, false);
	assert_true(dev_intr_maskable_pending(&f->vm)); /* evaluated: stale clear, maskable */
}
/* V_TPR and APIC_BASE.EN are not compared by the kept entry: their writers mark the interrupt
 * summary stale. These fail when commit_cr8 or msr_apic_base_write stops doing so. */
static void cr8_written(void)
{
	/* MOV CR8 (the CR8 write intercept; the write traps take the same commit). */
	assert_int_equal(cr_shadow_write_cr(&f->v, 8, 3), CR_SHADOW_DONE);
	assert_int_equal(f->vmcb->control.int_ctl & SVM_INT_CTL_V_TPR_MASK, 3);
}
static void cr8_trapped(void)
{
	/* SEV-ES / soft-es: V_TPR written before the CR8 write trap reports it (facts C.2). */
	f->vmcb->control.int_ctl |= 3;
	assert_int_equal(cr_shadow_trap(&f->v, SVM_EXIT_CR0_WRITE_TRAP + 8, 3), CR_SHADOW_DONE);
}
static void apic_disabled(void)
{
	assert_int_equal(msr_write(&f->v, MSR_IA32_APIC_BASE, f->v.msr.apic_base & ~(u64)MSR_APIC_BASE_EN), MSR_OK);
	assert_false(f->v.msr.apic_base & MSR_APIC_BASE_EN);
}
static void sti(void)
{
	f->vmcb->save.rflags |= RFLAGS_IF;
}
static void cli(void)
{
	f->vmcb->save.rflags &= ~(u64)RFLAGS_IF;
}

#define MOVED(name, fn, rflags)                                                                    \
	static void name(void **state)                                                             \
	{                                                                                          \
		(void)state;                                                                       \
		keep_then(fn, rflags);                                                             \
	}
MOVED(moved_exception_queued, queue_gp, 2 | RFLAGS_IF)
MOVED(moved_exitintinfo, exitintinfo, 2 | RFLAGS_IF)
MOVED(moved_hlt, hlt, 2 | RFLAGS_IF)
MOVED(moved_iret_step, iret_step, 2 | RFLAGS_IF)
MOVED(moved_iret_unmask, iret_unmask_pending, 2 | RFLAGS_IF)
MOVED(moved_window_exit, vintr_exit, 2)
MOVED(moved_timer_stale, timer_reprogrammed, 2 | RFLAGS_IF)
MOVED(moved_timer_deadline, timer_reprogrammed_and_read, 2 | RFLAGS_IF)
MOVED(moved_nmi, nmi, 2 | RFLAGS_IF)
MOVED(moved_summary_stale, irq_raised, 2 | RFLAGS_IF)
MOVED(moved_summary_maskable, irq_raised_and_evaluated, 2 | RFLAGS_IF)
MOVED(moved_v_tpr, cr8_written, 2 | RFLAGS_IF)
MOVED(moved_v_tpr_trap, cr8_trapped, 2 | RFLAGS_IF)
MOVED(moved_apic_base_en, apic_disabled, 2 | RFLAGS_IF)
MOVED(moved_if_set, sti, 2)
MOVED(moved_if_clear, cli, 2 | RFLAGS_IF)

/* A protected vCPU's timers are never deferred: its save-area RFLAGS is no input. */
static void protected_ignores_save_area_if(void **state)
{
	(void)state;
	f->v.state_protected = true;
	f->vmcb->save.rflags = 2;
	arm_lapic_timer(1000);
	general_entry(200);
	assert_true(q.timer < LIMIT);
	sti();
	assert_true(svm_quiet_entry_holds(&q, &f->v, f->vmcb, f->dev, 300));
	f->v.state_protected = false;
}

/* The lean exit side (q.lean) after a kept entry: for an unprotected vCPU with no IRET step
 * under way, the interrupt window open or not. */
static void lean_after_a_quiet_entry(void **state)
{
	(void)state;
	f->vmcb->save.rflags = 2 | RFLAGS_IF;
	arm_lapic_timer(1000);
	general_entry(200);
	assert_true(q.wake);
	assert_true(q.lean);
}
static void lean_with_the_window_open(void **state)
{
	(void)state;
	f->vmcb->save.rflags = 2; /* IF = 0 with a timer armed: the window opens for it */
	arm_lapic_timer(1000);
	general_entry(200);
	assert_true(q.wake);
	assert_true(f->vmcb->control.int_ctl & V_IRQ);
	assert_true(q.lean);
}
static void not_lean_with_an_iret_step(void **state)
{
	(void)state;
	f->vmcb->save.rflags = 2 | RFLAGS_IF;
	f->v.intr.iret_step = true;
	general_entry(200);
	assert_true(q.wake);
	assert_false(q.lean);
}
/* An entry that is not kept (an exception to inject) still says whether its exit may be lean:
 * not with an IRET step under way, whatever the kept entry before it said. */
static void not_lean_after_an_entry_not_kept(void **state)
{
	(void)state;
	f->vmcb->save.rflags = 2 | RFLAGS_IF;
	general_entry(200);
	assert_true(q.lean);
	svm_queue_exception(&f->v, 13, true, 0);
	f->v.intr.iret_step = true;
	general_entry(300);
	assert_false(q.wake);
	assert_false(q.lean);
}
static void not_lean_when_protected(void **state)
{
	(void)state;
	f->v.state_protected = true;
	general_entry(200);
	assert_true(q.wake);
	assert_false(q.lean);
	f->v.state_protected = false;
}
/* The lean exit side notes an interrupted delivery (EXITINTINFO.V, APM 15.7.2) and the
 * window's exit (VINTR, 15.21.4) as the whole one does. */
static void lean_exit_notes_exitintinfo(void **state)
{
	(void)state;
	f->vmcb->control.exit_code = SVM_EXIT_NPF;
	f->vmcb->control.exit_int_info = SVM_EVT_VALID | 0x20;
	svm_event_after_exit_lean(&f->v, &f->vmcb->control, f->vmcb->control.exit_code);
	assert_true(f->v.pending.pending);
	assert_int_equal(f->v.pending.info, SVM_EVT_VALID | 0x20);
}
static void lean_exit_notes_the_window(void **state)
{
	(void)state;
	f->vmcb->control.exit_code = SVM_EXIT_VINTR;
	svm_event_after_exit_lean(&f->v, &f->vmcb->control, f->vmcb->control.exit_code);
	assert_true(f->v.intr.window_open);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(kept_entry_is_the_general_entry),
		T(time_limit_ends_it),
		T(device_deadline_ends_it),
		T(nothing_kept_before_the_first_entry),
		T(injecting_entry_is_not_kept),
		T(moved_exception_queued),
		T(moved_exitintinfo),
		T(moved_hlt),
		T(moved_iret_step),
		T(moved_iret_unmask),
		T(moved_window_exit),
		T(moved_timer_stale),
		T(moved_timer_deadline),
		T(moved_nmi),
		T(moved_summary_stale),
		T(moved_summary_maskable),
		T(moved_v_tpr),
		T(moved_v_tpr_trap),
		T(moved_apic_base_en),
		T(moved_if_set),
		T(moved_if_clear),
		T(protected_ignores_save_area_if),
		T(lean_after_a_quiet_entry),
		T(lean_with_the_window_open),
		T(not_lean_with_an_iret_step),
		T(not_lean_after_an_entry_not_kept),
		T(not_lean_when_protected),
		T(lean_exit_notes_exitintinfo),
		T(lean_exit_notes_the_window),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
