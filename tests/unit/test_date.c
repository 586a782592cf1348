/* lib/date.c: civil dates <-> seconds since 1970-01-01 UTC. Vectors: POSIX time values of known
 * dates (1970-01-01 = 0, 2000-02-29 (a leap day of a century leap year) = 951782400,
 * 2038-01-19 03:14:07 = 2^31 - 1, 2100-03-01 (2100 is no leap year) = 4107542400), and weekdays
 * (1970-01-01 Thursday, 2000-02-29 Tuesday; MC146818 numbering 1 = Sunday). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include "lib/date.h"

static const struct {
	struct date_time t;
	u64 epoch;
} vectors[] = {
	{ { 1970, 1, 1, 0, 0, 0, 5 }, 0 },
	{ { 2000, 2, 29, 0, 0, 0, 3 }, 951782400ULL },
	{ { 2038, 1, 19, 3, 14, 7, 3 }, 2147483647ULL },
	{ { 2100, 3, 1, 0, 0, 0, 2 }, 4107542400ULL },
};

static void round_trip(void **state)
{
	(void)state;
	for (unsigned i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		assert_int_equal(date_to_epoch(&vectors[i].t), vectors[i].epoch);
		struct date_time t;
		date_from_epoch(vectors[i].epoch, &t);
		assert_int_equal(t.year, vectors[i].t.year);
		assert_int_equal(t.month, vectors[i].t.month);
		assert_int_equal(t.day, vectors[i].t.day);
		assert_int_equal(t.hour, vectors[i].t.hour);
		assert_int_equal(t.minute, vectors[i].t.minute);
		assert_int_equal(t.second, vectors[i].t.second);
		assert_int_equal(t.weekday, vectors[i].t.weekday);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(round_trip) };
	return cmocka_run_group_tests(tests, NULL, NULL);
}
