/* libFuzzer target: the sevisor.cfg parser (boot/config.c), fed hostile files as a boot
 * volume could hold them. After each parse: an error names a line inside the file and a
 * NUL-terminated reason; a success yields a configuration whose every string is terminated
 * inside its array and whose numbers are inside the documented ranges (README
 * "Configuration"). Seeds: the repository's sevisor.cfg; dictionary: tests/fuzz/config.dict. */
#include <stdlib.h>
#include <string.h>
#include "boot/config.h"

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

static void check_str(const char *s, size_t n)
{
	if (!memchr(s, 0, n))
		abort();
}

static unsigned count_lines(const u8 *data, size_t size)
{
	unsigned n = 1;
	for (size_t i = 0; i < size; i++)
		n += data[i] == '\n';
	return n;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct cfg c;
	struct cfg_error err;
	memset(&err, 0xA5, sizeof(err));
	/* The parser gets the bytes as they are: no terminating NUL (malloc'd exactly, so ASan
	 * sees any read past the end). */
	char *text = malloc(size ? size : 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	bool ok = cfg_parse(text, size, &c, &err);
	free(text);
	if (!ok) {
		check_str(err.reason, sizeof(err.reason));
		if (!err.reason[0] || err.line > count_lines(data, size))
			abort();
		return 0;
	}
	check_str(c.log_sinks, sizeof(c.log_sinks));
	if (c.nr_guests > CFG_MAX_GUESTS)
		abort();
	for (unsigned i = 0; i < c.nr_guests; i++) {
		const struct cfg_guest *g = &c.guests[i];
		check_str(g->name, sizeof(g->name));
		check_str(g->kernel, sizeof(g->kernel));
		check_str(g->cmdline, sizeof(g->cmdline));
		if (!g->name[0] || !g->kernel[0] || g->nr_modules > CFG_MAX_MODULES)
			abort();
		for (unsigned m = 0; m < g->nr_modules; m++) {
			check_str(g->modules[m].path, sizeof(g->modules[m].path));
			check_str(g->modules[m].args, sizeof(g->modules[m].args));
		}
		if (g->memory < CFG_MIN_MEMORY || g->memory > CFG_MAX_MEMORY || g->mce_banks > CFG_MAX_MCE_BANKS)
			abort();
		if (g->line > count_lines(data, size))
			abort();
	}
	return 0;
}
