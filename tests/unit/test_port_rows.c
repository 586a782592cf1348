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

/* The IOIO EXITINFO1 word of a one-byte access (APM vol. 2, 15.10.2: port in bits 31:16, SZ8
 * bit 4, bit 0 IN), as the rows take it. */
static u64 byte_access(u16 port, bool in)
{
	return ((u64)port << 16) | (1u << 4) | (in ? 1u : 0u);
}

static void rows_built_by_devices_init(void **state)
{
	(void)state;
	sf_log_capture();
	struct svm_fx *f = sf_new(false);
	svm_port_row_of(0x3FF)->out(&f->vm, byte_access(0x3FF, false), 0xA5);
	assert_int_equal(svm_port_row_of(0x3FF)->in(&f->vm, byte_access(0x3FF, true)), 0xA5);
	assert_int_equal(svm_port_row_of(0x2F8)->in(&f->vm, byte_access(0x2F8, true)), 0xFF);
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
