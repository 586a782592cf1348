/* sevisor.cfg parser (boot/config.c) against the format documented at the top of boot/config.h:
 * a full good file, defaults, every value form the header names, and one test per error with the
 * exact line number and a reason substring. config.h says struct cfg_error.line is 0 only when an
 * error is "not tied to a line"; every parser error is tied to one, so every failing case here
 * also checks line != 0, and a successful parse leaves line 0 and an empty reason. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>
#include "boot/config.h"

static struct cfg g_cfg;
static struct cfg_error g_err;

static bool parse_n(const char *text, size_t len)
{
	memset(&g_err, 0xA5, sizeof(g_err));
	bool ok = cfg_parse(text, len, &g_cfg, &g_err);
	if (ok) {
		assert_int_equal(g_err.line, 0);
		assert_string_equal(g_err.reason, "");
	}
	return ok;
}

static bool parse(const char *text)
{
	return parse_n(text, strlen(text));
}

static void parse_ok(const char *text)
{
	if (!parse(text))
		fail_msg("unexpected error at line %u: %s", g_err.line, g_err.reason);
}

/* The error must name exactly this line and contain want in its reason. */
static void expect_error_n(const char *text, size_t len, unsigned line, const char *want)
{
	if (parse_n(text, len))
		fail_msg("parse succeeded, expected an error at line %u containing \"%s\"", line, want);
	assert_true(g_err.line != 0);
	assert_true(strnlen(g_err.reason, sizeof(g_err.reason)) < sizeof(g_err.reason));
	if (g_err.line != line || !strstr(g_err.reason, want))
		fail_msg("got line %u \"%s\", want line %u containing \"%s\"", g_err.line, g_err.reason, line, want);
}

static void expect_error(const char *text, unsigned line, const char *want)
{
	expect_error_n(text, strlen(text), line, want);
}

/* ---- good input -------------------------------------------------------------------------- */

static void test_full_config(void **state)
{
	(void)state;
	/* Every key of both sections, '#' and ';' comments, blank lines, CRLF line endings, and
	 * whitespace (spaces and tabs) around '=' in several shapes. */
	static const char text[] =
		"# sevisor test configuration\r\n"
		"; a second comment style\r\n"
		"\r\n"
		"   # an indented comment\r\n"
		"[sevisor]\r\n"
		"log = com1,debugcon\r\n"
		"log_level=debug\r\n"
		"on_finish \t=\t halt   \r\n"
		"  default_mode   =   soft-es\r\n"
		"\r\n"
		"[guest alpha]\r\n"
		"kernel = guests/alpha.elf\r\n"
		"cmdline = console=ttyS0 quiet\r\n"
		"module = guests/initrd.img root=/dev/ram0 rw\r\n"
		"module =\tguests/extra.bin\r\n"
		"memory = 32M\r\n"
		"mode = sev-es\r\n"
		"expect = terminated\r\n"
		"timeout = 500ms\r\n"
		"unbacked = ignore\r\n"
		"ignore_msrs = yes\r\n"
		"mce_banks = 10\r\n"
		"; between guests\r\n"
		"[ guest   beta.2_x-y ]\r\n"
		"kernel=guests/beta.elf\r\n";
	parse_ok(text);

	assert_string_equal(g_cfg.log_sinks, "com1,debugcon");
	assert_int_equal(g_cfg.log_level, LOG_DEBUG);
	assert_int_equal(g_cfg.on_finish, CFG_FINISH_HALT);
	assert_int_equal(g_cfg.default_mode, VM_MODE_SOFT_ES);
	assert_int_equal(g_cfg.nr_guests, 2);

	const struct cfg_guest *a = &g_cfg.guests[0];
	assert_string_equal(a->name, "alpha");
	assert_int_equal(a->line, 11);
	assert_string_equal(a->kernel, "guests/alpha.elf");
	assert_int_equal(a->kernel_line, 12);
	assert_string_equal(a->cmdline, "console=ttyS0 quiet");
	assert_int_equal(a->nr_modules, 2);
	assert_string_equal(a->modules[0].path, "guests/initrd.img");
	assert_string_equal(a->modules[0].args, "root=/dev/ram0 rw");
	assert_int_equal(a->modules[0].line, 14);
	assert_string_equal(a->modules[1].path, "guests/extra.bin");
	assert_string_equal(a->modules[1].args, "");
	assert_int_equal(a->modules[1].line, 15);
	assert_int_equal(a->memory, MiB(32));
	assert_int_equal(a->mode, VM_MODE_SEV_ES);
	assert_true(a->mode_set);
	assert_true(a->expect_terminated);
	assert_int_equal(a->timeout_ms, 500);
	assert_int_equal(a->unbacked, CFG_UNBACKED_IGNORE);
	assert_true(a->ignore_msrs);
	assert_int_equal(a->mce_banks, 10);

	/* beta has only a kernel: every other key takes its default, mode from default_mode. */
	const struct cfg_guest *b = &g_cfg.guests[1];
	assert_string_equal(b->name, "beta.2_x-y");
	assert_int_equal(b->line, 24);
	assert_string_equal(b->kernel, "guests/beta.elf");
	assert_int_equal(b->kernel_line, 25);
	assert_string_equal(b->cmdline, "");
	assert_int_equal(b->nr_modules, 0);
	assert_int_equal(b->memory, CFG_DEFAULT_MEMORY);
	assert_int_equal(b->memory, MiB(16));
	assert_int_equal(b->mode, VM_MODE_SOFT_ES);
	assert_false(b->mode_set);
	assert_false(b->expect_terminated);
	assert_int_equal(b->expect_code, 0);
	assert_int_equal(b->timeout_ms, 30000);
	assert_int_equal(b->unbacked, CFG_UNBACKED_TERMINATE);
	assert_false(b->ignore_msrs);
	assert_int_equal(b->mce_banks, 6);
}

static void test_defaults_empty_file(void **state)
{
	(void)state;
	parse_ok("");
	assert_string_equal(g_cfg.log_sinks, "com1,debugcon,conout");
	assert_int_equal(g_cfg.log_level, LOG_INFO);
	assert_int_equal(g_cfg.on_finish, CFG_FINISH_DEBUG_EXIT);
	assert_int_equal(g_cfg.default_mode, VM_MODE_PLAIN);
	assert_int_equal(g_cfg.nr_guests, 0);

	/* Only comments and blank lines, and an empty [sevisor] section: still all defaults. */
	parse_ok("# nothing\n\n; here\n[sevisor]\n\n");
	assert_string_equal(g_cfg.log_sinks, "com1,debugcon,conout");
	assert_int_equal(g_cfg.log_level, LOG_INFO);
	assert_int_equal(g_cfg.on_finish, CFG_FINISH_DEBUG_EXIT);
	assert_int_equal(g_cfg.default_mode, VM_MODE_PLAIN);
	assert_int_equal(g_cfg.nr_guests, 0);

	/* cfg_defaults on its own gives the same. */
	struct cfg c;
	memset(&c, 0x5A, sizeof(c));
	cfg_defaults(&c);
	assert_string_equal(c.log_sinks, "com1,debugcon,conout");
	assert_int_equal(c.log_level, LOG_INFO);
	assert_int_equal(c.on_finish, CFG_FINISH_DEBUG_EXIT);
	assert_int_equal(c.default_mode, VM_MODE_PLAIN);
	assert_int_equal(c.nr_guests, 0);
}

static void test_guest_defaults(void **state)
{
	(void)state;
	/* No [sevisor] section at all, no trailing newline. */
	parse_ok("[guest g]\nkernel = k.elf");
	assert_int_equal(g_cfg.nr_guests, 1);
	const struct cfg_guest *g = &g_cfg.guests[0];
	assert_string_equal(g->name, "g");
	assert_string_equal(g->kernel, "k.elf");
	assert_int_equal(g->memory, CFG_DEFAULT_MEMORY);
	assert_int_equal(g->mode, VM_MODE_PLAIN);
	assert_false(g->mode_set);
	assert_false(g->expect_terminated);
	assert_int_equal(g->expect_code, 0);
	assert_int_equal(g->timeout_ms, CFG_DEFAULT_TIMEOUT_MS);
	assert_int_equal(g->unbacked, CFG_UNBACKED_TERMINATE);
	assert_false(g->ignore_msrs);
	assert_int_equal(g->mce_banks, CFG_DEFAULT_MCE_BANKS);
	assert_int_equal(g->nr_modules, 0);
	assert_string_equal(g->cmdline, "");
}

static void test_enum_values(void **state)
{
	(void)state;
	static const struct {
		const char *v;
		enum cfg_finish f;
	} fin[] = { { "debug-exit", CFG_FINISH_DEBUG_EXIT }, { "halt", CFG_FINISH_HALT }, { "reboot", CFG_FINISH_REBOOT } };
	char buf[256];
	for (size_t i = 0; i < ARRAY_SIZE(fin); i++) {
		snprintf(buf, sizeof(buf), "[sevisor]\non_finish = %s\n", fin[i].v);
		parse_ok(buf);
		assert_int_equal(g_cfg.on_finish, fin[i].f);
		assert_string_equal(cfg_finish_name(fin[i].f), fin[i].v);
	}
	static const struct {
		const char *v;
		u8 m;
	} modes[] = { { "plain", VM_MODE_PLAIN }, { "sev-es", VM_MODE_SEV_ES }, { "soft-es", VM_MODE_SOFT_ES }, { "auto", CFG_MODE_AUTO } };
	for (size_t i = 0; i < ARRAY_SIZE(modes); i++) {
		snprintf(buf, sizeof(buf), "[sevisor]\ndefault_mode = %s\n[guest a]\nkernel = k\n[guest b]\nkernel = k\nmode = %s\n",
			 modes[i].v, modes[i].v);
		parse_ok(buf);
		assert_int_equal(g_cfg.default_mode, modes[i].m);
		assert_int_equal(g_cfg.guests[0].mode, modes[i].m);
		assert_false(g_cfg.guests[0].mode_set);
		assert_int_equal(g_cfg.guests[1].mode, modes[i].m);
		assert_true(g_cfg.guests[1].mode_set);
		assert_string_equal(cfg_mode_name(modes[i].m), modes[i].v);
	}
	static const struct {
		const char *v;
		enum log_level l;
	} lv[] = { { "error", LOG_ERROR }, { "warn", LOG_WARN }, { "info", LOG_INFO }, { "debug", LOG_DEBUG } };
	for (size_t i = 0; i < ARRAY_SIZE(lv); i++) {
		snprintf(buf, sizeof(buf), "[sevisor]\nlog_level = %s\n", lv[i].v);
		parse_ok(buf);
		assert_int_equal(g_cfg.log_level, lv[i].l);
	}
	static const struct {
		const char *v;
		bool b;
	} bools[] = { { "yes", true }, { "no", false }, { "true", true }, { "false", false }, { "1", true }, { "0", false } };
	for (size_t i = 0; i < ARRAY_SIZE(bools); i++) {
		snprintf(buf, sizeof(buf), "[guest a]\nkernel = k\nignore_msrs = %s\n", bools[i].v);
		parse_ok(buf);
		assert_int_equal(g_cfg.guests[0].ignore_msrs, bools[i].b);
	}
	parse_ok("[guest a]\nkernel = k\nunbacked = terminate\n");
	assert_int_equal(g_cfg.guests[0].unbacked, CFG_UNBACKED_TERMINATE);
	parse_ok("[guest a]\nkernel = k\nunbacked = ignore\n");
	assert_int_equal(g_cfg.guests[0].unbacked, CFG_UNBACKED_IGNORE);
	assert_string_equal(cfg_mode_name(0x77), "?");
	assert_string_equal(cfg_finish_name((enum cfg_finish)9), "?");
}

static const struct cfg_guest *one_guest(const char *key, const char *value)
{
	static char buf[512];
	snprintf(buf, sizeof(buf), "[guest a]\nkernel = k\n%s = %s\n", key, value);
	parse_ok(buf);
	assert_int_equal(g_cfg.nr_guests, 1);
	return &g_cfg.guests[0];
}

static void test_expect_values(void **state)
{
	(void)state;
	const struct cfg_guest *g = one_guest("expect", "terminated");
	assert_true(g->expect_terminated);
	g = one_guest("expect", "pass");
	assert_false(g->expect_terminated);
	assert_int_equal(g->expect_code, 0);
	g = one_guest("expect", "3");
	assert_false(g->expect_terminated);
	assert_int_equal(g->expect_code, 3);
	g = one_guest("expect", "0x10");
	assert_false(g->expect_terminated);
	assert_int_equal(g->expect_code, 16);
	g = one_guest("expect", "0");
	assert_int_equal(g->expect_code, 0);
	g = one_guest("expect", "0xFFFFFFFF");
	assert_int_equal(g->expect_code, 0xFFFFFFFFu);
	expect_error("[guest a]\nkernel = k\nexpect = 0x100000000\n", 3, "not a 32-bit exit code");
	expect_error("[guest a]\nkernel = k\nexpect = passed\n", 3, "bad number 'passed' for 'expect'");
	expect_error("[guest a]\nkernel = k\nexpect = -1\n", 3, "bad number");
}

static void test_timeout_values(void **state)
{
	(void)state;
	assert_int_equal(one_guest("timeout", "500ms")->timeout_ms, 500);
	assert_int_equal(one_guest("timeout", "5s")->timeout_ms, 5000);
	assert_int_equal(one_guest("timeout", "7")->timeout_ms, 7000); /* bare number = seconds */
	assert_int_equal(one_guest("timeout", "1ms")->timeout_ms, 1);
	assert_int_equal(one_guest("timeout", "86400s")->timeout_ms, 86400000); /* 24h, the maximum */
	assert_int_equal(one_guest("timeout", "0x10s")->timeout_ms, 16000);
	expect_error("[guest a]\nkernel = k\ntimeout = 0\n", 3, "timeout 0 is out of range");
	expect_error("[guest a]\nkernel = k\ntimeout = 0ms\n", 3, "out of range");
	expect_error("[guest a]\nkernel = k\ntimeout = 86401s\n", 3, "out of range");
	expect_error("[guest a]\nkernel = k\ntimeout = 5m\n", 3, "bad number '5m' for 'timeout'");
	expect_error("[guest a]\nkernel = k\ntimeout = ms\n", 3, "bad number");
	expect_error("[guest a]\nkernel = k\ntimeout = 99999999999999999s\n", 3, "too large");
}

static void test_memory_values(void **state)
{
	(void)state;
	assert_int_equal(one_guest("memory", "32M")->memory, MiB(32));
	assert_int_equal(one_guest("memory", "0x2000000")->memory, MiB(32));
	assert_int_equal(one_guest("memory", "1G")->memory, GiB(1));
	assert_int_equal(one_guest("memory", "2M")->memory, MiB(2));   /* the minimum */
	assert_int_equal(one_guest("memory", "64G")->memory, GiB(64)); /* the maximum */
	assert_int_equal(one_guest("memory", "4096K")->memory, MiB(4));
	assert_int_equal(one_guest("memory", "2101248")->memory, MiB(2) + 4096); /* bytes, 4K multiple */
	/* 512K is a valid number but below the 2M minimum. */
	expect_error("[guest a]\nkernel = k\nmemory = 512K\n", 3, "memory 512K is out of range");
	expect_error("[guest a]\nkernel = k\nmemory = 65G\n", 3, "out of range");
	expect_error("[guest a]\nkernel = k\nmemory = 18014398509481984G\n", 3, "too large");
}

/* ---- errors, one per kind ------------------------------------------------------------------ */

static void test_err_unknown_key_sevisor(void **state)
{
	(void)state;
	expect_error("[sevisor]\nlog = com1\nfoo = 1\n", 3, "unknown key 'foo' in [sevisor]");
	/* A guest key is unknown in [sevisor]. */
	expect_error("# x\n[sevisor]\nkernel = k.elf\n", 3, "unknown key 'kernel' in [sevisor]");
}

static void test_err_unknown_key_guest(void **state)
{
	(void)state;
	expect_error("[guest a]\nkernel = k\n\nbar = 2\n", 4, "unknown key 'bar' in [guest]");
	/* A [sevisor] key is unknown in a guest section. */
	expect_error("[guest a]\nkernel = k\nlog_level = info\n", 3, "unknown key 'log_level' in [guest]");
}

static void test_err_key_outside_section(void **state)
{
	(void)state;
	expect_error("# comment\n\nlog = com1\n[sevisor]\n", 3, "key 'log' outside any section");
}

static void test_err_unknown_section(void **state)
{
	(void)state;
	expect_error("[sevisor]\n[foo]\n", 2, "unknown section '[foo]'");
	expect_error("\n[guests a]\n", 2, "unknown section");
	expect_error("[guest]\n", 1, "unknown section");
	expect_error("[sevisor\n", 1, "without closing ']'");
}

static void test_err_no_equals(void **state)
{
	(void)state;
	expect_error("[sevisor]\nlog com1\n", 2, "expected 'key = value'");
}

static void test_err_bad_number(void **state)
{
	(void)state;
	expect_error("[guest a]\nkernel = k\nmemory = 12Q\n", 3, "bad number '12Q' for 'memory'");
	expect_error("[guest a]\nkernel = k\nmce_banks = x\n", 3, "bad number 'x' for 'mce_banks'");
	expect_error("[guest a]\nkernel = k\nmemory = M\n", 3, "bad number");
	expect_error("[guest a]\nkernel = k\nmemory = 0x\n", 3, "bad number");
}

static void test_err_out_of_range(void **state)
{
	(void)state;
	expect_error("[guest a]\nkernel = k\nmemory = 1M\n", 3, "memory 1M is out of range");
	/* 3000000 bytes is above 2M but not a multiple of 4K. */
	expect_error("[guest a]\nkernel = k\nmemory = 3000000\n", 3, "memory 3000000 is out of range");
	expect_error("[guest a]\nkernel = k\ntimeout = 0\n", 3, "timeout 0 is out of range");
	expect_error("[guest a]\nkernel = k\nmce_banks = 33\n", 3, "mce_banks 33 is out of range");
	assert_int_equal(one_guest("mce_banks", "32")->mce_banks, 32);
	assert_int_equal(one_guest("mce_banks", "0")->mce_banks, 0);
}

static void test_err_duplicate_guest(void **state)
{
	(void)state;
	expect_error("[sevisor]\n\n[guest a]\nkernel = k\n[guest b]\nkernel = k\n[guest a]\nkernel = k\n", 7,
		     "duplicate guest name 'a' (first defined on line 3)");
	/* Same name with different surrounding whitespace is still a duplicate. */
	expect_error("[guest a]\nkernel = k\n[guest  a ]\nkernel = k\n", 3, "first defined on line 1");
}

static void test_err_guest_without_kernel(void **state)
{
	(void)state;
	/* Ended by the next section header: the error names the line of the [guest] header. */
	expect_error("[sevisor]\n\n[guest a]\nmemory = 32M\ncmdline = x\n[guest b]\nkernel = k\n", 3,
		     "guest 'a' has no 'kernel' key");
	/* Ended by the end of the file. */
	expect_error("[guest a]\nkernel = k\n\n[guest b]\nmemory = 32M\n\n", 4, "guest 'b' has no 'kernel' key");
	/* Ended by [sevisor]. */
	expect_error("[guest a]\n[sevisor]\n", 1, "has no 'kernel' key");
}

static void test_err_oversize_value(void **state)
{
	(void)state;
	char path[201], cmd[301], buf[1024];
	memset(path, 'p', 200);
	path[200] = '\0';
	memset(cmd, 'c', 300);
	cmd[300] = '\0';
	snprintf(buf, sizeof(buf), "[guest a]\nkernel = %s\n", path);
	expect_error(buf, 2, "value of 'kernel' is too long");
	snprintf(buf, sizeof(buf), "[guest a]\nkernel = k\ncmdline = %s\n", cmd);
	expect_error(buf, 3, "value of 'cmdline' is too long");
	snprintf(buf, sizeof(buf), "[guest a]\nkernel = k\nmodule = %s arg\n", path);
	expect_error(buf, 3, "value of 'module' is too long");

	/* Boundaries: a path of CFG_PATH_MAX-1 and a cmdline of CFG_CMDLINE_MAX-1 fit, one more not. */
	snprintf(buf, sizeof(buf), "[guest a]\nkernel = %.*s\ncmdline = %.*s\n", CFG_PATH_MAX - 1, path,
		 CFG_CMDLINE_MAX - 1, cmd);
	parse_ok(buf);
	assert_int_equal(strlen(g_cfg.guests[0].kernel), CFG_PATH_MAX - 1);
	assert_int_equal(strlen(g_cfg.guests[0].cmdline), CFG_CMDLINE_MAX - 1);
	snprintf(buf, sizeof(buf), "[guest a]\nkernel = %.*s\n", CFG_PATH_MAX, path);
	expect_error(buf, 2, "too long");
	snprintf(buf, sizeof(buf), "[guest a]\nkernel = k\ncmdline = %.*s\n", CFG_CMDLINE_MAX, cmd);
	expect_error(buf, 3, "too long");
	char sinks[CFG_SINKS_MAX + 1];
	memset(sinks, 's', CFG_SINKS_MAX);
	sinks[CFG_SINKS_MAX] = '\0';
	snprintf(buf, sizeof(buf), "[sevisor]\nlog = %s\n", sinks);
	expect_error(buf, 2, "value of 'log' is too long");
}

static void test_err_long_line(void **state)
{
	(void)state;
	char buf[CFG_LINE_MAX + 64];
	/* A comment line of exactly CFG_LINE_MAX characters is fine. */
	size_t n = (size_t)snprintf(buf, sizeof(buf), "[sevisor]\n");
	buf[n] = '#';
	memset(buf + n + 1, 'x', CFG_LINE_MAX - 1);
	buf[n + CFG_LINE_MAX] = '\n';
	if (!parse_n(buf, n + CFG_LINE_MAX + 1))
		fail_msg("line of %d rejected: %s", CFG_LINE_MAX, g_err.reason);
	/* One more character is an error on that line, even in a comment. */
	buf[n + CFG_LINE_MAX] = 'x';
	buf[n + CFG_LINE_MAX + 1] = '\n';
	expect_error_n(buf, n + CFG_LINE_MAX + 2, 2, "line is too long");
}

static void test_err_too_many_guests(void **state)
{
	(void)state;
	static char buf[4096];
	size_t n = 0;
	for (int i = 0; i < CFG_MAX_GUESTS + 1; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "[guest g%d]\nkernel = k\n", i);
	/* The 33rd header is on line 65. */
	expect_error(buf, 65, "too many guests (at most 32)");
	/* 32 guests are fine. */
	buf[0] = '\0';
	n = 0;
	for (int i = 0; i < CFG_MAX_GUESTS; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "[guest g%d]\nkernel = k\n", i);
	parse_ok(buf);
	assert_int_equal(g_cfg.nr_guests, CFG_MAX_GUESTS);
	assert_string_equal(g_cfg.guests[31].name, "g31");
}

static void test_err_too_many_modules(void **state)
{
	(void)state;
	expect_error("[guest a]\nkernel = k\nmodule = m1\nmodule = m2\nmodule = m3\nmodule = m4\nmodule = m5\n", 7,
		     "too many modules for guest 'a' (at most 4)");
	parse_ok("[guest a]\nkernel = k\nmodule = m1\nmodule = m2\nmodule = m3\nmodule = m4\n");
	assert_int_equal(g_cfg.guests[0].nr_modules, 4);
	assert_string_equal(g_cfg.guests[0].modules[3].path, "m4");
	assert_int_equal(g_cfg.guests[0].modules[3].line, 6);
}

static void test_err_bad_guest_name(void **state)
{
	(void)state;
	expect_error("[sevisor]\n[guest a b]\n", 2, "bad guest name 'a b'");
	expect_error("[guest a/b]\n", 1, "bad guest name 'a/b'");
	expect_error("[guest caf\xc3\xa9]\n", 1, "bad guest name");
	/* VM_NAME_MAX-1 characters fit, VM_NAME_MAX do not. */
	char buf[128];
	snprintf(buf, sizeof(buf), "[guest %.*s]\nkernel = k\n", VM_NAME_MAX - 1, "abcdefghijklmnopqrstuvwxyz0123456789");
	parse_ok(buf);
	assert_int_equal(strlen(g_cfg.guests[0].name), VM_NAME_MAX - 1);
	snprintf(buf, sizeof(buf), "[guest %.*s]\nkernel = k\n", VM_NAME_MAX, "abcdefghijklmnopqrstuvwxyz0123456789");
	expect_error(buf, 1, "is too long");
}

static void test_err_repeated_key(void **state)
{
	(void)state;
	expect_error("[sevisor]\nlog_level = info\nlog_level = debug\n", 3, "key 'log_level' given twice");
	expect_error("[guest a]\nkernel = k\nmemory = 32M\nkernel = j\n", 4, "key 'kernel' given twice");
	expect_error("[guest a]\nkernel = k\nmemory = 32M\nmemory = 32M\n", 4, "key 'memory' given twice");
	/* The same key in different sections is fine. */
	parse_ok("[guest a]\nkernel = k\nmemory = 32M\n[guest b]\nkernel = k\nmemory = 64M\n");
	assert_int_equal(g_cfg.guests[1].memory, MiB(64));
	/* A failed parse does not leak "seen" state into the next one. */
	expect_error("[sevisor]\nlog_level = info\nbogus = 1\n", 3, "unknown key");
	parse_ok("[sevisor]\nlog_level = warn\n");
	assert_int_equal(g_cfg.log_level, LOG_WARN);
}

/* The SEV guest policy (SEV API LAUNCH_START; ghcb-sev-facts.md C.5): default ES|NOKS|NODBG,
 * reserved bits 6..15 refused, ES required, not for plain guests. */
static void test_policy(void **state)
{
	(void)state;
	parse_ok("[guest a]\nkernel = k\nmode = soft-es\n");
	assert_int_equal(g_cfg.guests[0].policy, 0x7);
	parse_ok("[guest a]\nkernel = k\nmode = sev-es\npolicy = 0x0F\n");
	assert_int_equal(g_cfg.guests[0].policy, 0xF);
	parse_ok("[guest a]\nkernel = k\npolicy = 0x00180025\nmode = auto\n");
	assert_int_equal(g_cfg.guests[0].policy, 0x00180025);
	expect_error("[guest a]\nkernel = k\nmode = soft-es\npolicy = 0x47\n", 4,
		     "policy 0x47: reserved bits 6..15 are set");
	expect_error("[guest a]\nkernel = k\nmode = soft-es\npolicy = 3\n", 4,
		     "policy 0x3: ES (bit 2) is clear, and sevisor launches SEV-ES guests only");
	expect_error("[guest a]\nkernel = k\nmode = soft-es\npolicy = 0x100000000\n", 4,
		     "not a 32-bit SEV guest policy");
	expect_error("[guest a]\nkernel = k\npolicy = 7\nmode = plain\n[guest b]\nkernel = k\n", 3,
		     "guest 'a': 'policy' applies to sev-es, soft-es and auto guests, not plain ones");
}

static void test_err_bad_enum(void **state)
{
	(void)state;
	expect_error("[sevisor]\non_finish = explode\n", 2,
		     "bad value 'explode' for 'on_finish' (expected one of: debug-exit, halt, reboot)");
	expect_error("[guest a]\nkernel = k\nmode = fast\n", 3,
		     "bad value 'fast' for 'mode' (expected one of: plain, sev-es, soft-es, auto)");
	expect_error("[sevisor]\ndefault_mode = fast\n", 2, "bad value 'fast' for 'default_mode'");
	expect_error("[sevisor]\nlog_level = loud\n", 2,
		     "bad value 'loud' for 'log_level' (expected one of: error, warn, info, debug)");
	expect_error("[guest a]\nkernel = k\nunbacked = maybe\n", 3,
		     "bad value 'maybe' for 'unbacked' (expected one of: terminate, ignore)");
	expect_error("[guest a]\nkernel = k\nignore_msrs = perhaps\n", 3, "bad value 'perhaps' for 'ignore_msrs'");
	/* Words are exact: case and prefixes do not match. */
	expect_error("[sevisor]\non_finish = Halt\n", 2, "bad value 'Halt'");
	expect_error("[sevisor]\non_finish = hal\n", 2, "bad value 'hal'");
}

static void test_err_empty_value(void **state)
{
	(void)state;
	expect_error("[guest a]\nkernel =\n", 2, "key 'kernel' has an empty value");
	expect_error("[sevisor]\nlog =   \t\n", 2, "key 'log' has an empty value");
	expect_error("[guest a]\nkernel = k\nmemory=\r\n", 3, "key 'memory' has an empty value");
	/* cmdline may be empty. */
	parse_ok("[guest a]\nkernel = k\ncmdline =\n");
	assert_string_equal(g_cfg.guests[0].cmdline, "");
}

static void test_err_nul_byte(void **state)
{
	(void)state;
	static const char text[] = "[sevisor]\nlog = com1\n[guest a]\nkernel = k\0x.elf\n";
	expect_error_n(text, sizeof(text) - 1, 4, "NUL byte");
	static const char comment[] = "[sevisor]\n# a \0 in a comment\n";
	expect_error_n(comment, sizeof(comment) - 1, 2, "NUL byte");
}

static void test_not_nul_terminated(void **state)
{
	(void)state;
	/* Only len bytes are read: the garbage after them must not be seen. */
	static const char text[] = "[sevisor]\nlog_level = warnGARBAGE";
	assert_true(parse_n(text, strlen("[sevisor]\nlog_level = warn")));
	assert_int_equal(g_cfg.log_level, LOG_WARN);
	assert_false(parse_n(text, sizeof(text) - 1));
	assert_int_equal(g_err.line, 2);
}

static void test_line_zero_only_on_success(void **state)
{
	(void)state;
	/* A success leaves line 0 and an empty reason (checked in parse_n); errors at line 1 are
	 * reported as line 1, not 0. */
	parse_ok("[sevisor]\n");
	expect_error("bogus\n", 1, "expected 'key = value'");
	expect_error("[x]", 1, "unknown section");
	expect_error("\xff", 1, "expected 'key = value'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_config),
		cmocka_unit_test(test_defaults_empty_file),
		cmocka_unit_test(test_guest_defaults),
		cmocka_unit_test(test_enum_values),
		cmocka_unit_test(test_expect_values),
		cmocka_unit_test(test_timeout_values),
		cmocka_unit_test(test_memory_values),
		cmocka_unit_test(test_err_unknown_key_sevisor),
		cmocka_unit_test(test_err_unknown_key_guest),
		cmocka_unit_test(test_err_key_outside_section),
		cmocka_unit_test(test_err_unknown_section),
		cmocka_unit_test(test_err_no_equals),
		cmocka_unit_test(test_err_bad_number),
		cmocka_unit_test(test_err_out_of_range),
		cmocka_unit_test(test_err_duplicate_guest),
		cmocka_unit_test(test_err_guest_without_kernel),
		cmocka_unit_test(test_err_oversize_value),
		cmocka_unit_test(test_err_long_line),
		cmocka_unit_test(test_err_too_many_guests),
		cmocka_unit_test(test_err_too_many_modules),
		cmocka_unit_test(test_err_bad_guest_name),
		cmocka_unit_test(test_err_repeated_key),
		cmocka_unit_test(test_err_bad_enum),
		cmocka_unit_test(test_err_empty_value),
		cmocka_unit_test(test_err_nul_byte),
		cmocka_unit_test(test_policy),
		cmocka_unit_test(test_not_nul_terminated),
		cmocka_unit_test(test_line_zero_only_on_success),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
