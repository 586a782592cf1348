/* lib/log.c: deferred draining (log.h): while the run loop defers, lines stay in the ring and
 * reach the sinks at log_defer(false), in order; undeferred lines go out at once; a ring that
 * overflowed while deferred reports the loss at the next drain; a held log drains nothing. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>
#include "lib/log.h"

static char out[1 << 18];
static size_t out_len;
static unsigned calls;

static void sink(const char *text, size_t len, void *ctx)
{
	(void)ctx;
	calls++;
	if (out_len + len < sizeof(out)) {
		memcpy(out + out_len, text, len);
		out_len += len;
		out[out_len] = 0;
	}
}

static int setup(void **state)
{
	(void)state;
	log_reset();
	out_len = 0;
	out[0] = 0;
	calls = 0;
	log_add_sink("test", sink, NULL, true);
	return 0;
}

static void undeferred_goes_at_once(void **state)
{
	(void)state;
	log_info("one");
	assert_string_equal(out, "[ info] one\n");
}

static void deferred_until_undeferred(void **state)
{
	(void)state;
	log_defer(true);
	log_info("one");
	log_info("two");
	assert_int_equal(out_len, 0);
	log_defer(false);
	assert_string_equal(out, "[ info] one\n[ info] two\n");
	/* Nothing new: another toggle sends nothing. */
	unsigned n = calls;
	log_defer(true);
	log_defer(false);
	assert_int_equal(calls, n);
	log_info("three");
	assert_string_equal(out, "[ info] one\n[ info] two\n[ info] three\n");
}

static void overflow_while_deferred_is_reported(void **state)
{
	(void)state;
	char line[400];
	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = 0;
	log_defer(true);
	for (int i = 0; i < LOG_RING_SIZE / 300; i++)
		log_info("%s", line);
	assert_int_equal(out_len, 0);
	log_defer(false);
	assert_non_null(strstr(out, "log ring overflowed"));
	size_t n = out_len;
	log_defer(false); /* all sent: nothing more */
	assert_int_equal(out_len, n);
}

static void hold_keeps_everything(void **state)
{
	(void)state;
	log_hold(true);
	log_info("early");
	log_defer(false);
	assert_int_equal(out_len, 0);
	log_hold(false);
	assert_string_equal(out, "[ info] early\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(undeferred_goes_at_once, setup),
		cmocka_unit_test_setup(deferred_until_undeferred, setup),
		cmocka_unit_test_setup(overflow_while_deferred_is_reported, setup),
		cmocka_unit_test_setup(hold_keeps_everything, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
