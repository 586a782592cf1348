/* svm/event.c (EVENTINJ before VMRUN, EXITINTINFO re-queue after #VMEXIT) and the encodings of
 * svm_queue_exception / svm_queue_interrupt (svm/exit.c).
 *
 * Vectors: AMD APM vol. 2 15.20 "Event Injection": EVENTINJ bits 7:0 VECTOR, 10:8 TYPE (0 INTR,
 * 2 NMI, 3 exception, 4 software interrupt), bit 11 EV (error code valid), bit 31 V, bits 63:32
 * ERRORCODE (a separate field in the VMCB struct); 15.7.2: EXITINTINFO has the same format and
 * holds an event whose delivery the intercept interrupted when its V bit is set; 15.21.4: V_IRQ
 * (int_ctl bit 8) with the VINTR intercept (misc1 bit 4) exits when the guest could take a
 * virtual interrupt (RFLAGS.IF = 1, no interrupt shadow), V_IGN_TPR is bit 20, V_INTR_PRIO bits
 * 19:16; int_state bit 0 is the interrupt shadow; the IRET intercept is misc1 bit 20; APM vol. 2
 * 8.2.3 (and SDM 6.7.1): NMIs are blocked from delivery of one until the next IRET completes;
 * APM vol. 3 HLT: a maskable interrupt ends HLT only with RFLAGS.IF = 1, an NMI always. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <setjmp.h>
#include <cmocka.h>
#include "svm_fixture.h"
#include "svm/event.h"
#include "svm/exit.h"
#include "svm/exit_codes.h"
#include "svm/dev/intr.h"
#include "svm/dev/io.h"

static struct svm_fx *f;

static int setup(void **state)
{
	(void)state;
	sf_log_capture();
	f = sf_new(false);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sf_free(f);
	log_reset();
	return 0;
}

/* ---- encodings ----------------------------------------------------------------------------- */

static void encode_gp_with_error(void **state)
{
	(void)state;
	assert_int_equal(svm_queue_exception(&f->v, 13, true, 0), SVM_INJECT);
	assert_true(f->v.pending.pending);
	assert_int_equal(f->v.pending.info, 0x80000B0D);
	assert_int_equal(f->v.pending.err_code, 0);
	svm_queue_exception(&f->v, 13, true, 0x18); /* #GP(selector 0x18) */
	assert_int_equal(f->v.pending.info, 0x80000B0D);
	assert_int_equal(f->v.pending.err_code, 0x18);
}

static void encode_ud(void **state)
{
	(void)state;
	assert_int_equal(svm_queue_exception(&f->v, 6, false, 0xFFFF), SVM_INJECT);
	assert_int_equal(f->v.pending.info, 0x80000306);
	assert_int_equal(f->v.pending.err_code, 0); /* no EV: no error code */
}

static void encode_pf_err2(void **state)
{
	(void)state;
	svm_queue_exception(&f->v, 14, true, 2); /* write to a not-present page */
	assert_int_equal(f->v.pending.info, 0x80000B0E);
	assert_int_equal(f->v.pending.err_code, 2);
}

static void encode_other_exceptions(void **state)
{
	(void)state;
	svm_queue_exception(&f->v, 0, false, 0); /* #DE */
	assert_int_equal(f->v.pending.info, 0x80000300);
	svm_queue_exception(&f->v, 8, true, 0); /* #DF(0) */
	assert_int_equal(f->v.pending.info, 0x80000B08);
	svm_queue_exception(&f->v, 17, true, 0); /* #AC(0) */
	assert_int_equal(f->v.pending.info, 0x80000B11);
	svm_queue_exception(&f->v, 29, true, 0x72); /* #VC(CPUID exit code) */
	assert_int_equal(f->v.pending.info, 0x80000B1D);
	assert_int_equal(f->v.pending.err_code, 0x72);
}

static void encode_interrupt(void **state)
{
	(void)state;
	svm_queue_interrupt(&f->v, 0x20);
	assert_true(f->v.pending.pending);
	assert_int_equal(f->v.pending.info, 0x80000020);
	assert_int_equal(f->v.pending.err_code, 0);
	svm_queue_interrupt(&f->v, 0xFF);
	assert_int_equal(f->v.pending.info, 0x800000FF);
}

/* ---- prepare_entry ------------------------------------------------------------------------ */

static void prepare_entry_moves_pending(void **state)
{
	(void)state;
	svm_queue_exception(&f->v, 14, true, 2);
	svm_event_prepare_entry(&f->v);
	assert_int_equal(f->vmcb->control.event_inj, 0x80000B0E);
	assert_int_equal(f->vmcb->control.event_inj_err, 2);
	assert_false(f->v.pending.pending);
	/* The next entry has nothing to inject. */
	svm_event_prepare_entry(&f->v);
	assert_int_equal(f->vmcb->control.event_inj, 0);
	assert_int_equal(f->vmcb->control.event_inj_err, 0);
}

static void prepare_entry_nothing_pending_clears(void **state)
{
	(void)state;
	f->vmcb->control.event_inj = 0x80000B0D; /* stale */
	f->vmcb->control.event_inj_err = 0x10;
	svm_event_prepare_entry(&f->v);
	assert_int_equal(f->vmcb->control.event_inj, 0);
	assert_int_equal(f->vmcb->control.event_inj_err, 0);
	assert_false(f->v.pending.pending);
}

static void prepare_entry_interrupt(void **state)
{
	(void)state;
	svm_queue_interrupt(&f->v, 0x20);
	svm_event_prepare_entry(&f->v);
	assert_int_equal(f->vmcb->control.event_inj, 0x80000020);
	assert_int_equal(f->vmcb->control.event_inj_err, 0);
}

/* ---- after_exit --------------------------------------------------------------------------- */

static void after_exit_requeues_valid_exitintinfo(void **state)
{
	(void)state;
	/* A #PF(err 2) whose delivery hit an NPF on the IDT. */
	f->vmcb->control.exit_int_info = 0x80000B0E;
	f->vmcb->control.exit_int_info_err = 2;
	svm_event_after_exit(&f->v);
	assert_true(f->v.pending.pending);
	assert_int_equal(f->v.pending.info, 0x80000B0E);
	assert_int_equal(f->v.pending.err_code, 2);
	svm_event_prepare_entry(&f->v);
	assert_int_equal(f->vmcb->control.event_inj, 0x80000B0E);
	assert_int_equal(f->vmcb->control.event_inj_err, 2);
}

static void after_exit_requeues_interrupt(void **state)
{
	(void)state;
	f->vmcb->control.exit_int_info = 0x80000030;
	f->vmcb->control.exit_int_info_err = 0;
	svm_event_after_exit(&f->v);
	assert_true(f->v.pending.pending);
	assert_int_equal(f->v.pending.info, 0x80000030);
}

static void after_exit_keeps_pending(void **state)
{
	(void)state;
	svm_queue_exception(&f->v, 13, true, 0);
	f->vmcb->control.exit_int_info = 0x80000B0E;
	f->vmcb->control.exit_int_info_err = 2;
	svm_event_after_exit(&f->v);
	assert_true(f->v.pending.pending);
	assert_int_equal(f->v.pending.info, 0x80000B0D);
	assert_int_equal(f->v.pending.err_code, 0);
}

static void after_exit_ignores_v0_copy(void **state)
{
	(void)state;
	/* QEMU TCG leaves the injected event in EXITINTINFO with V = 0. */
	f->vmcb->control.exit_int_info = 0x00000B0D;
	f->vmcb->control.exit_int_info_err = 0;
	svm_event_after_exit(&f->v);
	assert_false(f->v.pending.pending);
	f->vmcb->control.exit_int_info = 0;
	svm_event_after_exit(&f->v);
	assert_false(f->v.pending.pending);
	svm_event_prepare_entry(&f->v);
	assert_int_equal(f->vmcb->control.event_inj, 0);
}


/* VMEXIT_INVALID (APM 15.5.1): VMRUN failed its consistency checks, so no delivery was
 * interrupted and no instruction ran: EXITINTINFO is not taken, and NMI blocking does not end
 * (the IRET being waited for has not run), in either width of the exit code. */
static void after_exit_ignores_invalid(void **state)
{
	(void)state;
	const u64 codes[] = { SVM_EXIT_INVALID, SVM_EXIT_INVALID32 };
	for (unsigned i = 0; i < 2; i++) {
		f->vmcb->control.exit_code = codes[i];
		f->vmcb->control.exit_int_info = 0x80000B0E;
		f->vmcb->control.exit_int_info_err = 2;
		f->v.intr.iret_step = true;
		f->v.intr.nmi_masked = true;
		svm_event_after_exit(&f->v);
		assert_false(f->v.pending.pending);
		assert_true(f->v.intr.iret_step);
		assert_true(f->v.intr.nmi_masked);
		assert_false(f->v.intr.window_open);
	}
	/* The same state after an ordinary exit (CPUID): both are taken. */
	f->vmcb->control.exit_code = SVM_EXIT_CPUID;
	svm_event_after_exit(&f->v);
	assert_true(f->v.pending.pending);
	assert_false(f->v.intr.iret_step);
	assert_false(f->v.intr.nmi_masked);
}

/* ---- interrupt delivery (LAPIC -> EVENTINJ or a window) ---------------------------------- */

#define INT_CTL_WINDOW ((1u << 8) | (1u << 20) | (0xFu << 16))
#define VINTR_BIT (1u << 4)
#define IRET_BIT (1u << 20)

static void enable_apic(void)
{
	u64 v = 0x1FF;
	assert_true(svm_mmio(&f->vm, 0xFEE000F0, 4, true, &v));
}

static void intr_injected_when_if_set(void **state)
{
	(void)state;
	enable_apic();
	f->vmcb->save.rflags = 2 | RFLAGS_IF;
	dev_lapic_accept(&f->vm, 0x30, false);
	svm_event_prepare_entry(&f->v);
	assert_int_equal(f->vmcb->control.event_inj, 0x80000030);
	assert_int_equal(f->dev->lapic.isr[1], 1u << 16); /* 0x30 in service */
	assert_int_equal(f->vmcb->control.int_ctl & INT_CTL_WINDOW, 0);
	assert_int_equal(f->vmcb->control.intercept_misc1 & VINTR_BIT, 0);
}

static void intr_window_when_if_clear_or_shadow(void **state)
{
	(void)state;
	enable_apic();
	dev_lapic_accept(&f->vm, 0x30, false);
	svm_event_prepare_entry(&f->v); /* IF = 0 */
	assert_int_equal(f->vmcb->control.event_inj, 0);
	assert_int_equal(f->vmcb->control.int_ctl & INT_CTL_WINDOW, INT_CTL_WINDOW);
	assert_true(f->vmcb->control.intercept_misc1 & VINTR_BIT);
	/* IF = 1 but an STI shadow: still a window. */
	f->vmcb->save.rflags = 2 | RFLAGS_IF;
	f->vmcb->control.int_state = 1;
	svm_event_prepare_entry(&f->v);
	assert_int_equal(f->vmcb->control.event_inj, 0);
	assert_true(f->vmcb->control.intercept_misc1 & VINTR_BIT);
	/* The window exit; the shadow is gone: injected, window closed. */
	f->vmcb->control.int_state = 0;
	f->vmcb->control.exit_code = SVM_EXIT_VINTR;
	svm_event_after_exit(&f->v);
	svm_event_prepare_entry(&f->v);
	assert_int_equal(f->vmcb->control.event_inj, 0x80000030);
	assert_int_equal(f->vmcb->control.int_ctl & INT_CTL_WINDOW, 0);
	assert_int_equal(f->vmcb->control.intercept_misc1 & VINTR_BIT, 0);
}

static void exception_first_then_window(void **state)
{
	(void)state;
	enable_apic();
	f->vmcb->save.rflags = 2 | RFLAGS_IF;
	dev_lapic_accept(&f->vm, 0x30, false);
	svm_queue_exception(&f->v, 13, true, 0);
	svm_event_prepare_entry(&f->v);
	assert_int_equal(f->vmcb->control.event_inj, 0x80000B0D);
	assert_true(f->vmcb->control.intercept_misc1 & VINTR_BIT);
	assert_int_equal(f->dev->lapic.isr[1], 0); /* 0x30 still waits in IRR */
}

static void nmi_blocked_until_iret_completes(void **state)
{
	(void)state;
	f->vmcb->save.rflags = 2;
	f->dev->nmi_pending = true;
	svm_event_prepare_entry(&f->v); /* NMI ignores IF */
	assert_int_equal(f->vmcb->control.event_inj, 0x80000202);
	assert_true(f->v.intr.nmi_masked);
	assert_true(f->vmcb->control.intercept_misc1 & IRET_BIT);
	/* A second NMI waits while the first handler runs. */
	f->dev->nmi_pending = true;
	svm_event_prepare_entry(&f->v);
	assert_int_equal(f->vmcb->control.event_inj, 0);
	assert_true(svm_event_wakes(&f->v) == false);
	/* The IRET exit: single-step over it. */
	f->vmcb->control.exit_code = SVM_EXIT_IRET;
	svm_event_after_exit(&f->v);
	svm_event_iret_exit(&f->v);
	assert_true(f->vmcb->save.rflags & RFLAGS_TF);
	assert_true(f->vmcb->control.intercept_exceptions & (1u << 1));
	assert_int_equal(f->vmcb->control.intercept_misc1 & IRET_BIT, 0);
	svm_event_prepare_entry(&f->v);
	assert_int_equal(f->vmcb->control.event_inj, 0); /* still blocked during the step */
	/* The step's #DB: NMI blocking ends; the IRET popped a TF-less RFLAGS. */
	f->vmcb->save.rflags = 2;
	f->vmcb->save.dr6 = 0xFFFF4FF0;
	assert_true(svm_event_db_exit(&f->v));
	assert_false(f->v.intr.nmi_masked);
	assert_int_equal(f->vmcb->save.dr6, 0xFFFF0FF0);
	assert_int_equal(f->vmcb->control.intercept_exceptions & (1u << 1), 0);
	svm_event_prepare_entry(&f->v);
	assert_int_equal(f->vmcb->control.event_inj, 0x80000202);
	/* A #DB that is not sevisor's step is the guest's. */
	assert_false(svm_event_db_exit(&f->v));
}

static void hlt_wakes_only_if_deliverable(void **state)
{
	(void)state;
	enable_apic();
	assert_false(svm_event_wakes(&f->v));
	dev_lapic_accept(&f->vm, 0x30, false);
	assert_false(svm_event_wakes(&f->v)); /* IF = 0: HLT stays */
	f->vmcb->save.rflags = 2 | RFLAGS_IF;
	assert_true(svm_event_wakes(&f->v));
	/* Masked by TPR: no wake. */
	u64 tpr = 0x30;
	assert_true(svm_mmio(&f->vm, 0xFEE00080, 4, true, &tpr));
	assert_false(svm_event_wakes(&f->v));
	/* An NMI wakes even with IF = 0. */
	f->vmcb->save.rflags = 2;
	f->dev->nmi_pending = true;
	assert_true(svm_event_wakes(&f->v));
}

static void timers_deferred_while_if_clear(void **state)
{
	(void)state;
	enable_apic();
	u64 v = 0x30; /* LVT timer: vector 0x30, one-shot */
	assert_true(svm_mmio(&f->vm, 0xFEE00320, 4, true, &v));
	v = 1000;
	assert_true(svm_mmio(&f->vm, 0xFEE00380, 4, true, &v)); /* armed: a deadline is pending */
	f->vmcb->save.rflags = 2; /* IF = 0 */
	assert_true(svm_event_timers_deferred(&f->v));
	assert_true(svm_event_prepare_entry(&f->v)); /* the entry says so too (the run loop's host timer) */
	assert_true(f->vmcb->control.intercept_misc1 & VINTR_BIT); /* exit at the STI */
	f->vmcb->save.rflags = 2 | RFLAGS_IF;
	assert_false(svm_event_timers_deferred(&f->v));
	assert_false(svm_event_prepare_entry(&f->v));
	assert_int_equal(f->vmcb->control.intercept_misc1 & VINTR_BIT, 0);
	/* A protected vCPU's timers are never deferred (its IF is not the save area's). */
	f->vmcb->save.rflags = 2;
	f->v.state_protected = true;
	assert_false(svm_event_prepare_entry(&f->v));
	f->v.state_protected = false;
}

/* A protected (SEV-ES) vCPU: IF comes from int_state bit 1 (GUEST_INTERRUPT_MASK, APM 15.35;
 * facts G28), never from the save area's RFLAGS, which is not the guest's. */
static void protected_if_from_int_state(void **state)
{
	(void)state;
	enable_apic();
	f->v.state_protected = true;
	f->vmcb->save.rflags = 2 | RFLAGS_IF; /* stale: must not count */
	dev_lapic_accept(&f->vm, 0x30, false);
	svm_event_prepare_entry(&f->v);
	assert_int_equal(f->vmcb->control.event_inj, 0);
	assert_true(f->vmcb->control.intercept_misc1 & VINTR_BIT);
	assert_false(svm_event_wakes(&f->v));
	f->vmcb->control.int_state = 2; /* GUEST_IF, no shadow */
	assert_true(svm_event_wakes(&f->v));
	svm_event_prepare_entry(&f->v);
	assert_int_equal(f->vmcb->control.event_inj, 0x80000030);
	f->v.state_protected = false;
}

/* A protected vCPU's NMI: no IRET intercept (it cannot be intercepted for SEV-ES); blocked
 * until the guest's NMI_COMPLETE (facts G9). */
static void protected_nmi_until_nmi_complete(void **state)
{
	(void)state;
	f->v.state_protected = true;
	f->dev->nmi_pending = true;
	svm_event_prepare_entry(&f->v);
	assert_int_equal(f->vmcb->control.event_inj, 0x80000202);
	assert_int_equal(f->vmcb->control.intercept_misc1 & IRET_BIT, 0);
	f->dev->nmi_pending = true;
	svm_event_prepare_entry(&f->v);
	assert_int_equal(f->vmcb->control.event_inj, 0);
	assert_false(svm_event_wakes(&f->v));
	svm_event_nmi_complete(&f->v);
	assert_true(svm_event_wakes(&f->v));
	svm_event_prepare_entry(&f->v);
	assert_int_equal(f->vmcb->control.event_inj, 0x80000202);
	f->v.state_protected = false;
}

/* The common entry (nothing queued, nothing pending) undoes what the previous entry set:
 * EVENTINJ.V must not deliver the old event again (APM 15.20), and the window (V_IRQ, VINTR
 * intercept, 15.21.4) stays open only for deferred timers. The whole rule (the general path)
 * gives the same VMCB from the same state. */
static void common_entry_matches_general(void **state)
{
	(void)state;
	for (int deferred = 0; deferred < 2; deferred++) {
		struct vmcb_control *c = &f->vmcb->control;
		c->event_inj = 0x80000030; /* left by an earlier injection */
		c->event_inj_err = 5;
		c->int_ctl |= 0x100 | BIT(20); /* V_IRQ, V_IGN_TPR: an earlier window */
		c->intercept_misc1 |= VINTR_BIT;
		f->v.intr.window_open = true;
		f->vmcb->save.rflags = deferred ? 2 : 2 | RFLAGS_IF;
		if (deferred) {
			enable_apic();
			u64 v = 0x30;
			assert_true(svm_mmio(&f->vm, 0xFEE00320, 4, true, &v)); /* LVT timer */
			v = 1000;
			assert_true(svm_mmio(&f->vm, 0xFEE00380, 4, true, &v)); /* armed */
		}
		/* The devices' kept answers up to date, as the run loop leaves them (devices_tick,
		 * devices_next_deadline): the inline entry, not the general rule, takes this one. */
		devices_next_deadline(&f->vm);
		assert_false(dev_intr_maskable_pending(&f->vm));
		assert_ptr_equal(dev_lapic_vcpu(&f->vm), &f->v);
		assert_true(svm_event_summary_quiet(&f->v, &f->vm));
		assert_false(f->dev->deadline_stale);
		struct vmcb_control before = *c;
		assert_int_equal(svm_event_prepare_entry(&f->v), deferred);
		struct vmcb_control fast = *c;
		assert_int_equal(c->event_inj, 0);
		assert_int_equal(c->event_inj_err, 0);
		assert_false(f->v.intr.window_open);
		assert_int_equal(!!(c->intercept_misc1 & VINTR_BIT), deferred);
		assert_int_equal(!!(c->int_ctl & 0x100), deferred);
		*c = before;
		f->v.intr.window_open = true;
		assert_int_equal(svm_event_prepare_entry_general(&f->v), deferred);
		assert_memory_equal(&fast, c, sizeof(fast));
		/* The run loop's form, with the deadline and the vCPU test it asked itself. */
		*c = before;
		f->v.intr.window_open = true;
		assert_int_equal(svm_event_prepare_entry_at(&f->v, &f->vm, devices_next_deadline(&f->vm),
							    dev_lapic_vcpu(&f->vm) == &f->v),
				 deferred);
		assert_memory_equal(&fast, c, sizeof(fast));
	}
}

/* The inline entry reads the devices' kept answers; each must send it to the general rule when
 * it may be out of date. V_TPR (CR8[3:0] = TPR[7:4], APM vol. 2 16.6.4) written outside the APIC
 * model, as the CR8 intercept, the write traps and the soft-es model do: a fixed interrupt is
 * delivered only when its class (vector[7:4]) is above it (SDM vol. 3A 11.8.3.1). Fails when the
 * inline entry stops comparing the outside inputs with the kept ones. */
static void common_entry_follows_v_tpr(void **state)
{
	(void)state;
	enable_apic();
	f->vmcb->save.rflags = 2 | RFLAGS_IF;
	struct vmcb_control *c = &f->vmcb->control;
	c->int_ctl = (c->int_ctl & ~(u32)SVM_INT_CTL_V_TPR_MASK) | 3; /* TPR class 3 */
	dev_lapic_accept(&f->vm, 0x30, false);                        /* class 3: held */
	devices_next_deadline(&f->vm); /* as the run loop before every entry */
	svm_event_prepare_entry(&f->v);
	assert_int_equal(c->event_inj, 0);
	c->int_ctl &= ~(u32)SVM_INT_CTL_V_TPR_MASK; /* CR8 = 0 */
	devices_next_deadline(&f->vm);
	assert_false(f->dev->intr.stale); /* only the outside input changed */
	svm_event_prepare_entry(&f->v);
	assert_int_equal(c->event_inj, 0x80000030);
}

/* A timer programmed since the last entry (devices_reprogrammed: the kept earliest deadline is
 * stale) with RFLAGS.IF = 0: the deferred timer needs the interrupt window (V_IRQ and the VINTR
 * intercept, APM 15.21.4) at once. Fails when the inline entry reads a stale kept deadline. */
static void common_entry_follows_reprogrammed_timer(void **state)
{
	(void)state;
	enable_apic();
	f->vmcb->save.rflags = 2; /* IF = 0 */
	struct vmcb_control *c = &f->vmcb->control;
	assert_int_equal(devices_next_deadline(&f->vm), LAPIC_NO_DEADLINE);
	assert_true(svm_event_prepare_entry(&f->v));
	assert_int_equal(c->intercept_misc1 & VINTR_BIT, 0); /* no timer: no window */
	u64 val = 0x30;
	assert_true(svm_mmio(&f->vm, 0xFEE00320, 4, true, &val)); /* LVT timer, one-shot */
	val = 1000;
	assert_true(svm_mmio(&f->vm, 0xFEE00380, 4, true, &val)); /* initial count: armed */
	assert_true(svm_event_prepare_entry(&f->v));
	assert_int_equal(c->intercept_misc1 & VINTR_BIT, VINTR_BIT);
	assert_int_equal(c->int_ctl & INT_CTL_WINDOW, INT_CTL_WINDOW);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(encode_gp_with_error),
		T(encode_ud),
		T(encode_pf_err2),
		T(encode_other_exceptions),
		T(encode_interrupt),
		T(prepare_entry_moves_pending),
		T(prepare_entry_nothing_pending_clears),
		T(prepare_entry_interrupt),
		T(after_exit_requeues_valid_exitintinfo),
		T(after_exit_requeues_interrupt),
		T(after_exit_keeps_pending),
		T(after_exit_ignores_v0_copy),
		T(after_exit_ignores_invalid),
		T(intr_injected_when_if_set),
		T(intr_window_when_if_clear_or_shadow),
		T(exception_first_then_window),
		T(nmi_blocked_until_iret_completes),
		T(protected_if_from_int_state),
		T(protected_nmi_until_nmi_complete),
		T(common_entry_matches_general),
		T(common_entry_follows_v_tpr),
		T(common_entry_follows_reprogrammed_timer),
		T(hlt_wakes_only_if_deliverable),
		T(timers_deferred_while_if_clear),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
