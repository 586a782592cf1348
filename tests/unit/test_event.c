/* svm/event.c (EVENTINJ before VMRUN, EXITINTINFO re-queue after #VMEXIT) and the encodings of
 * svm_queue_exception / svm_queue_interrupt (svm/exit.c).
 *
 * Vectors: AMD APM vol. 2 15.20 "Event Injection": EVENTINJ bits 7:0 VECTOR, 10:8 TYPE (0 INTR,
 * 2 NMI, 3 exception, 4 software interrupt), bit 11 EV (error code valid), bit 31 V, bits 63:32
 * ERRORCODE (a separate field in the VMCB struct); 15.7.2: EXITINTINFO has the same format and
 * holds an event whose delivery the intercept interrupted when its V bit is set. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <setjmp.h>
#include <cmocka.h>
#include "svm_fixture.h"
#include "svm/event.h"
#include "svm/exit.h"

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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
