/* fmt_vsnprintf against the C99 printf rules (ISO C 7.19.6.1) for the conversions we use. */
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>
#include "lib/fmt.h"


static void check(const char *want, const char *fmt, ...)
{
	char buf[128];
	va_list ap;
	va_start(ap, fmt);
	int n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	assert_string_equal(buf, want);
	assert_int_equal(n, (int)strlen(want));
}

static void test_integers(void **state)
{
	(void)state;
	check("42", "%d", 42);
	check("-42", "%d", -42);
	check("-2147483648", "%d", (int)0x80000000u);
	check("4294967295", "%u", 0xFFFFFFFFu);
	check("ff", "%x", 255);
	check("FF", "%X", 255);
	check("00ff", "%04x", 255);
	check("  ff", "%4x", 255);
	check("ff  |", "%-4x|", 255);
	check("+5", "%+d", 5);
	check("ffffffffffffffff", "%llx", ~0ULL);
	check("18446744073709551615", "%llu", ~0ULL);
	check("-9223372036854775808", "%lld", (long long)(1ULL << 63));
	check("17", "%o", 15);
	check("255", "%hhu", 0x1FF);
	check("12345", "%zu", (size_t)12345);
	check("0x1000", "%p", (void *)0x1000);
}

static void test_strings(void **state)
{
	(void)state;
	check("abc", "%s", "abc");
	check("  abc", "%5s", "abc");
	check("abc  |", "%-5s|", "abc");
	check("ab", "%.2s", "abc");
	check("ab", "%.*s", 2, "abcdef");
	check("(null)", "%s", (char *)NULL);
	check("x", "%c", 'x');
	check("100%", "100%%");
	check("   7", "%*d", 4, 7);
}

static void test_truncation(void **state)
{
	(void)state;
	char buf[4];
	int n = fmt_snprintf(buf, sizeof(buf), "%s", "abcdef");
	assert_int_equal(n, 6);
	assert_string_equal(buf, "abc");
	assert_int_equal(fmt_snprintf(NULL, 0, "%d", 12345), 5);
}

static void test_parse(void **state)
{
	(void)state;
	u64 v;
	assert_true(fmt_parse_u64("123", 3, &v));
	assert_int_equal(v, 123);
	assert_true(fmt_parse_u64("0x1F", 4, &v));
	assert_int_equal(v, 31);
	assert_true(fmt_parse_u64("0b101", 5, &v));
	assert_int_equal(v, 5);
	assert_true(fmt_parse_u64("18446744073709551615", 20, &v));
	assert_int_equal(v, ~0ULL);
	assert_false(fmt_parse_u64("18446744073709551616", 20, &v));
	assert_false(fmt_parse_u64("12a", 3, &v));
	assert_false(fmt_parse_u64("0x", 2, &v));
	assert_false(fmt_parse_u64("", 0, &v));
}

/* fuzz_config found this: "%.*s" with a precision read the byte after the last one printed,
 * past the end of a buffer that is not NUL-terminated (C11 7.21.6.1p8 allows such arrays). The
 * array here is exactly as long as the precision, so ASan reports any read past it. */
static void test_precision_never_reads_past(void **state)
{
	(void)state;
	char *exact = malloc(3);
	memcpy(exact, "abc", 3);
	check("abc", "%.*s", 3, exact);
	check("[ab]", "[%.*s]", 2, exact);
	free(exact);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_precision_never_reads_past),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
