/* PASS/FAIL/SKIP lines and the final SUMMARY, in the format of kvm-unit-tests so that the same
 * log parsers read both; and exit through isa-debug-exit. */
#include "rt.h"

static unsigned tests, failures, skips;

bool report(const char *name, bool ok)
{
	tests++;
	if (!ok)
		failures++;
	printf("%s: %s\n", ok ? "PASS" : "FAIL", name);
	return ok;
}

bool reportf(bool ok, const char *fmt, ...)
{
	char name[160];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	return report(name, ok);
}

void report_skip(const char *name, const char *why)
{
	skips++;
	printf("SKIP: %s (%s)\n", name, why);
}

void report_info(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	puts("INFO: ");
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

int report_summary(void)
{
	printf("SUMMARY: %u tests, %u failures", tests, failures);
	if (skips)
		printf(", %u skipped", skips);
	putchar('\n');
	return failures ? EXIT_FAIL : EXIT_PASS;
}

void exit(int code)
{
	con_out(DEBUG_EXIT_PORT, (u32)code, 4);
	/* Only reached when nothing listens at 0xF4: stop here for good. */
	for (;;)
		asm volatile("cli; hlt");
}
