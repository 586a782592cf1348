/* svm/dev/io.c: the port rows and index are built by devices_init, before any port access
 * (the inline dispatch reads them as they are, and row 0 is empty .bss until then). Its own
 * binary, so that nothing has looked a port up first. Vectors: 16550 scratch register at COM1
 * + 7 (PC16550D data sheet: SCR holds what was written); nothing claims port 0x2F8 (COM2 is not
 * modelled): reads all ones. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <setjmp.h>
#include <cmocka.h>
#include "svm_fixture.h"
#include "svm/dev/io.h"

static void rows_built_by_devices_init(void **state)
{
	(void)state;
	sf_log_capture();
	struct svm_fx *f = sf_new(false);
	u32 v = 0xA5;
	assert_true(svm_io_port_write_inline(&f->vm, 0x3FF, 1, &v));
	v = 0;
	assert_true(svm_io_port_read_uncut(&f->vm, 0x3FF, 1, &v));
	assert_int_equal(v, 0xA5);
	v = 0;
	assert_true(svm_io_port_inline(&f->vm, 0x2F8, 1, true, &v));
	assert_int_equal(v, 0xFF);
	sf_free(f);
	log_reset();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rows_built_by_devices_init),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
