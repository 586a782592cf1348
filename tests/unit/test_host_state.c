/* svm/host_state.c: which of sevisor's CR0/CR3/CR4/EFER a #VMEXIT failed to restore, and the
 * order they are re-loaded in.
 *
 * Vectors: a long-mode host as APM vol. 2 14.6.1 requires it (CR0 = PG|WP|NE|ET|MP|PE =
 * 0x80010033, CR4 = PAE|PGE|OSFXSR|OSXMMEXCPT = 0x6A0, EFER = SCE|LME|LMA|NXE|SVME = 0x1D01);
 * the QEMU TCG bug of qemu-tcg-svm.md ("Host CR0 lost on #VMEXIT": the guest's CR0 0x11, PE|ET
 * with paging off, stays in place when the guest had EFER.LME=1 and CR4.PAE=0). */
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>
#include "svm/host_state.h"

static const struct host_cr_state host = { .cr0 = 0x80010033, .cr3 = 0x7F000, .cr4 = 0x6A0, .efer = 0x1D01 };

static void restored_state_needs_nothing(void **state)
{
	(void)state;
	struct host_cr_state now = host;
	assert_int_equal(svm_host_state_diff(&host, &now), 0);
	unsigned order[4];
	assert_int_equal(svm_host_state_reload_order(0, order), 0);
}

static void qemu_lost_cr0(void **state)
{
	(void)state;
	struct host_cr_state now = host;
	now.cr0 = 0x11;
	unsigned d = svm_host_state_diff(&host, &now);
	assert_int_equal(d, HOST_STATE_CR0);
	unsigned order[4];
	assert_int_equal(svm_host_state_reload_order(d, order), 1);
	assert_int_equal(order[0], HOST_STATE_CR0);
	char buf[160];
	svm_host_state_describe(d, &host, &now, buf, sizeof(buf));
	assert_string_equal(buf, "CR0 0x11 (ran with 0x80010033)");
}

/* Paging may only be turned on with CR4.PAE=1, a valid CR3 and EFER.LME=1 in place
 * (APM vol. 2, 14.6.1): CR0 goes last, after CR4, CR3 and EFER. */
static void reload_order_cr0_last(void **state)
{
	(void)state;
	struct host_cr_state now = { .cr0 = 0x11, .cr3 = 0x9000, .cr4 = 0, .efer = 0x1100 };
	unsigned d = svm_host_state_diff(&host, &now);
	assert_int_equal(d, HOST_STATE_CR0 | HOST_STATE_CR3 | HOST_STATE_CR4 | HOST_STATE_EFER);
	unsigned order[4];
	assert_int_equal(svm_host_state_reload_order(d, order), 4);
	assert_int_equal(order[0], HOST_STATE_CR4);
	assert_int_equal(order[1], HOST_STATE_CR3);
	assert_int_equal(order[2], HOST_STATE_EFER);
	assert_int_equal(order[3], HOST_STATE_CR0);
	char buf[200];
	svm_host_state_describe(d, &host, &now, buf, sizeof(buf));
	assert_string_equal(buf, "CR0 0x11 (ran with 0x80010033), CR3 0x9000 (ran with 0x7f000), "
				 "CR4 0x0 (ran with 0x6a0), EFER 0x1100 (ran with 0x1d01)");
	/* A short buffer is cut, never overrun. */
	char small[8];
	svm_host_state_describe(d, &host, &now, small, sizeof(small));
	assert_int_equal(strlen(small), sizeof(small) - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(restored_state_needs_nothing),
		cmocka_unit_test(qemu_lost_cr0),
		cmocka_unit_test(reload_order_cr0_last),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
