/* sevisor.cfg parser. One table row per key; see config.h for the format. */
#include "boot/config.h"
#include "lib/fmt.h"
#include "lib/kstring.h"
#include "sev/launch.h"

enum section { SEC_NONE, SEC_SEVISOR, SEC_GUEST };

struct parse {
	struct cfg *cfg;
	struct cfg_error *err;
	unsigned line;
	enum section sec;
	struct cfg_guest *guest;
};

static bool fail(struct parse *p, const char *fmt, ...) PRINTF_LIKE(2, 3);
static bool fail(struct parse *p, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	p->err->line = p->line;
	fmt_vsnprintf(p->err->reason, sizeof(p->err->reason), fmt, ap);
	va_end(ap);
	return false;
}

/* A value as a (pointer, length) pair; values are never NUL-terminated in the input. */
struct val {
	const char *s;
	size_t n;
};

static bool val_is(struct val v, const char *word)
{
	return strlen(word) == v.n && !strncmp(v.s, word, v.n);
}

static bool store_string(struct parse *p, const char *key, struct val v, char *dst, size_t size)
{
	if (v.n >= size)
		return fail(p, "value of '%s' is too long (%zu characters, at most %zu)", key, v.n, size - 1);
	memcpy(dst, v.s, v.n);
	dst[v.n] = '\0';
	return true;
}

/* One of a fixed set of words. */
struct word {
	const char *name;
	unsigned value;
};

static bool parse_word(struct parse *p, const char *key, struct val v, const struct word *words,
		       size_t n, unsigned *out)
{
	for (size_t i = 0; i < n; i++) {
		if (val_is(v, words[i].name)) {
			*out = words[i].value;
			return true;
		}
	}
	char list[96] = "";
	size_t used = 0;
	for (size_t i = 0; i < n; i++)
		used += (size_t)fmt_snprintf(list + used, sizeof(list) - MIN(used, sizeof(list)), "%s%s",
					     i ? ", " : "", words[i].name);
	return fail(p, "bad value '%.*s' for '%s' (expected one of: %s)", (int)v.n, v.s, key, list);
}

static const struct word finish_words[] = {
	{ "debug-exit", CFG_FINISH_DEBUG_EXIT },
	{ "halt", CFG_FINISH_HALT },
	{ "reboot", CFG_FINISH_REBOOT },
};

static const struct word mode_words[] = {
	{ "plain", VM_MODE_PLAIN },
	{ "sev-es", VM_MODE_SEV_ES },
	{ "soft-es", VM_MODE_SOFT_ES },
	{ "auto", CFG_MODE_AUTO },
};

static const struct word level_words[] = {
	{ "error", LOG_ERROR },
	{ "warn", LOG_WARN },
	{ "info", LOG_INFO },
	{ "debug", LOG_DEBUG },
};

static const struct word bool_words[] = {
	{ "no", 0 }, { "yes", 1 }, { "false", 0 }, { "true", 1 }, { "0", 0 }, { "1", 1 },
};

static const struct word unbacked_words[] = {
	{ "terminate", CFG_UNBACKED_TERMINATE },
	{ "ignore", CFG_UNBACKED_IGNORE },
};

/* A number with an optional unit suffix from units[] (multiplier per suffix). */
struct unit {
	const char *suffix;
	u64 mult;
};

static bool parse_number(struct parse *p, const char *key, struct val v, const struct unit *units,
			 size_t nunits, u64 *out)
{
	u64 mult = 1;
	size_t n = v.n;
	for (size_t i = 0; i < nunits; i++) {
		size_t sl = strlen(units[i].suffix);
		if (n > sl && !strncmp(v.s + n - sl, units[i].suffix, sl)) {
			/* Longest matching suffix wins: units are listed longest first. */
			mult = units[i].mult;
			n -= sl;
			break;
		}
	}
	u64 num;
	if (!fmt_parse_u64(v.s, n, &num))
		return fail(p, "bad number '%.*s' for '%s'", (int)v.n, v.s, key);
	if (mult && num > ~0ULL / mult)
		return fail(p, "number '%.*s' for '%s' is too large", (int)v.n, v.s, key);
	*out = num * mult;
	return true;
}

static const struct unit size_units[] = {
	{ "K", KiB(1) }, { "M", MiB(1) }, { "G", GiB(1) },
};
static const struct unit time_units[] = {
	{ "ms", 1 }, { "s", 1000 }, { "", 1000 },
};
static const struct unit no_units[] = { { "", 1 } };

/* ---- key handlers ---- */

typedef bool (*key_fn)(struct parse *p, const char *key, struct val v);

static bool k_log(struct parse *p, const char *key, struct val v)
{
	return store_string(p, key, v, p->cfg->log_sinks, sizeof(p->cfg->log_sinks));
}

static bool k_log_level(struct parse *p, const char *key, struct val v)
{
	unsigned x;
	if (!parse_word(p, key, v, level_words, ARRAY_SIZE(level_words), &x))
		return false;
	p->cfg->log_level = (enum log_level)x;
	return true;
}

static bool k_on_finish(struct parse *p, const char *key, struct val v)
{
	unsigned x;
	if (!parse_word(p, key, v, finish_words, ARRAY_SIZE(finish_words), &x))
		return false;
	p->cfg->on_finish = (enum cfg_finish)x;
	return true;
}

static bool k_default_mode(struct parse *p, const char *key, struct val v)
{
	unsigned x;
	if (!parse_word(p, key, v, mode_words, ARRAY_SIZE(mode_words), &x))
		return false;
	p->cfg->default_mode = (u8)x;
	return true;
}

static bool k_kernel(struct parse *p, const char *key, struct val v)
{
	p->guest->kernel_line = p->line;
	return store_string(p, key, v, p->guest->kernel, sizeof(p->guest->kernel));
}

static bool k_initrd(struct parse *p, const char *key, struct val v)
{
	p->guest->initrd_line = p->line;
	return store_string(p, key, v, p->guest->initrd, sizeof(p->guest->initrd));
}

static bool k_cmdline(struct parse *p, const char *key, struct val v)
{
	return store_string(p, key, v, p->guest->cmdline, sizeof(p->guest->cmdline));
}

static bool k_module(struct parse *p, const char *key, struct val v)
{
	struct cfg_guest *g = p->guest;
	if (g->nr_modules >= CFG_MAX_MODULES)
		return fail(p, "too many modules for guest '%s' (at most %d)", g->name, CFG_MAX_MODULES);
	struct cfg_module *m = &g->modules[g->nr_modules];
	size_t i = 0;
	while (i < v.n && v.s[i] != ' ' && v.s[i] != '\t')
		i++;
	struct val path = { v.s, i };
	while (i < v.n && (v.s[i] == ' ' || v.s[i] == '\t'))
		i++;
	struct val args = { v.s + i, v.n - i };
	if (!store_string(p, key, path, m->path, sizeof(m->path)) ||
	    !store_string(p, key, args, m->args, sizeof(m->args)))
		return false;
	m->line = p->line;
	g->nr_modules++;
	return true;
}

static bool k_memory(struct parse *p, const char *key, struct val v)
{
	u64 x;
	if (!parse_number(p, key, v, size_units, ARRAY_SIZE(size_units), &x))
		return false;
	if (x < CFG_MIN_MEMORY || x > CFG_MAX_MEMORY || !IS_ALIGNED(x, PAGE_SIZE))
		return fail(p, "memory %.*s is out of range (2M..64G, a multiple of 4K)", (int)v.n, v.s);
	p->guest->memory = x;
	return true;
}

static bool k_mode(struct parse *p, const char *key, struct val v)
{
	unsigned x;
	if (!parse_word(p, key, v, mode_words, ARRAY_SIZE(mode_words), &x))
		return false;
	p->guest->mode = (u8)x;
	p->guest->mode_set = true;
	return true;
}

static bool k_expect(struct parse *p, const char *key, struct val v)
{
	if (val_is(v, "terminated")) {
		p->guest->expect_terminated = true;
		return true;
	}
	if (val_is(v, "reset")) {
		p->guest->expect_reset = true;
		return true;
	}
	if (val_is(v, "pass")) {
		p->guest->expect_code = 0;
		return true;
	}
	u64 x;
	if (!parse_number(p, key, v, no_units, ARRAY_SIZE(no_units), &x))
		return false;
	if (x > 0xFFFFFFFFULL)
		return fail(p, "expect %.*s is not a 32-bit exit code", (int)v.n, v.s);
	p->guest->expect_code = (u32)x;
	p->guest->expect_terminated = false;
	return true;
}

static bool k_timeout(struct parse *p, const char *key, struct val v)
{
	u64 x;
	if (!parse_number(p, key, v, time_units, ARRAY_SIZE(time_units), &x))
		return false;
	if (x == 0 || x > 24ULL * 3600 * 1000)
		return fail(p, "timeout %.*s is out of range (1ms..24h)", (int)v.n, v.s);
	p->guest->timeout_ms = x;
	return true;
}

static bool k_unbacked(struct parse *p, const char *key, struct val v)
{
	unsigned x;
	if (!parse_word(p, key, v, unbacked_words, ARRAY_SIZE(unbacked_words), &x))
		return false;
	p->guest->unbacked = (enum cfg_unbacked)x;
	return true;
}

static bool k_ignore_msrs(struct parse *p, const char *key, struct val v)
{
	unsigned x;
	if (!parse_word(p, key, v, bool_words, ARRAY_SIZE(bool_words), &x))
		return false;
	p->guest->ignore_msrs = x != 0;
	return true;
}

static bool k_mce_banks(struct parse *p, const char *key, struct val v)
{
	u64 x;
	if (!parse_number(p, key, v, no_units, ARRAY_SIZE(no_units), &x))
		return false;
	if (x > CFG_MAX_MCE_BANKS)
		return fail(p, "mce_banks %.*s is out of range (0..%d)", (int)v.n, v.s, CFG_MAX_MCE_BANKS);
	p->guest->mce_banks = (unsigned)x;
	return true;
}

static bool k_policy(struct parse *p, const char *key, struct val v)
{
	u64 x;
	if (!parse_number(p, key, v, no_units, ARRAY_SIZE(no_units), &x))
		return false;
	if (x > 0xFFFFFFFFULL)
		return fail(p, "policy %.*s is not a 32-bit SEV guest policy", (int)v.n, v.s);
	const char *bad = sev_policy_refusal((u32)x);
	if (bad)
		return fail(p, "policy 0x%llx: %s", (unsigned long long)x, bad);
	p->guest->policy = (u32)x;
	p->guest->policy_set = true;
	p->guest->policy_line = p->line;
	return true;
}

struct key {
	enum section sec;
	const char *name;
	key_fn fn;
	bool repeatable;
};

static const struct key keys[] = {
	{ SEC_SEVISOR, "log", k_log, false },
	{ SEC_SEVISOR, "log_level", k_log_level, false },
	{ SEC_SEVISOR, "on_finish", k_on_finish, false },
	{ SEC_SEVISOR, "default_mode", k_default_mode, false },
	{ SEC_GUEST, "kernel", k_kernel, false },
	{ SEC_GUEST, "cmdline", k_cmdline, false },
	{ SEC_GUEST, "initrd", k_initrd, false },
	{ SEC_GUEST, "module", k_module, true },
	{ SEC_GUEST, "memory", k_memory, false },
	{ SEC_GUEST, "mode", k_mode, false },
	{ SEC_GUEST, "expect", k_expect, false },
	{ SEC_GUEST, "timeout", k_timeout, false },
	{ SEC_GUEST, "unbacked", k_unbacked, false },
	{ SEC_GUEST, "ignore_msrs", k_ignore_msrs, false },
	{ SEC_GUEST, "mce_banks", k_mce_banks, false },
	{ SEC_GUEST, "policy", k_policy, false },
};

/* Which non-repeatable keys the current section has seen (bit per keys[] row). */
static u32 g_seen;
_Static_assert(ARRAY_SIZE(keys) <= 32, "g_seen has one bit per key");

static struct val trim(const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	return (struct val){ s, n };
}

static bool valid_name(struct val v)
{
	if (!v.n)
		return false;
	for (size_t i = 0; i < v.n; i++) {
		char c = v.s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.'))
			return false;
	}
	return true;
}

static void guest_defaults(struct cfg_guest *g, u8 mode)
{
	memset(g, 0, sizeof(*g));
	g->memory = CFG_DEFAULT_MEMORY;
	g->mode = mode;
	g->timeout_ms = CFG_DEFAULT_TIMEOUT_MS;
	g->mce_banks = CFG_DEFAULT_MCE_BANKS;
	g->policy = SEV_POLICY_DEFAULT;
}

static bool end_guest(struct parse *p)
{
	if (p->sec == SEC_GUEST && !p->guest->kernel[0]) {
		p->line = p->guest->line;
		return fail(p, "guest '%s' has no 'kernel' key", p->guest->name);
	}
	if (p->sec == SEC_GUEST && p->guest->policy_set && p->guest->mode == VM_MODE_PLAIN) {
		p->line = p->guest->policy_line;
		return fail(p, "guest '%s': 'policy' applies to sev-es, soft-es and auto guests, not plain ones",
			    p->guest->name);
	}
	return true;
}

static bool section_header(struct parse *p, struct val v)
{
	if (v.n < 2 || v.s[v.n - 1] != ']')
		return fail(p, "section header without closing ']'");
	struct val inner = trim(v.s + 1, v.n - 2);
	if (!end_guest(p))
		return false;
	g_seen = 0;
	if (val_is(inner, "sevisor")) {
		p->sec = SEC_SEVISOR;
		return true;
	}
	if (inner.n > 6 && !strncmp(inner.s, "guest", 5) && (inner.s[5] == ' ' || inner.s[5] == '\t')) {
		struct val name = trim(inner.s + 6, inner.n - 6);
		if (!valid_name(name))
			return fail(p, "bad guest name '%.*s' (letters, digits, '-', '_', '.')", (int)name.n, name.s);
		if (name.n >= VM_NAME_MAX)
			return fail(p, "guest name '%.*s' is too long (at most %d characters)", (int)name.n, name.s,
				    VM_NAME_MAX - 1);
		for (unsigned i = 0; i < p->cfg->nr_guests; i++)
			if (val_is(name, p->cfg->guests[i].name))
				return fail(p, "duplicate guest name '%.*s' (first defined on line %u)", (int)name.n,
					    name.s, p->cfg->guests[i].line);
		if (p->cfg->nr_guests >= CFG_MAX_GUESTS)
			return fail(p, "too many guests (at most %d)", CFG_MAX_GUESTS);
		p->guest = &p->cfg->guests[p->cfg->nr_guests++];
		guest_defaults(p->guest, p->cfg->default_mode);
		memcpy(p->guest->name, name.s, name.n);
		p->guest->line = p->line;
		p->sec = SEC_GUEST;
		return true;
	}
	return fail(p, "unknown section '[%.*s]' (expected [sevisor] or [guest NAME])", (int)inner.n, inner.s);
}

static bool key_line(struct parse *p, struct val v)
{
	const char *eq = memchr(v.s, '=', v.n);
	if (!eq)
		return fail(p, "expected 'key = value'");
	struct val k = trim(v.s, (size_t)(eq - v.s));
	struct val value = trim(eq + 1, v.n - (size_t)(eq - v.s) - 1);
	if (p->sec == SEC_NONE)
		return fail(p, "key '%.*s' outside any section", (int)k.n, k.s);
	for (unsigned i = 0; i < ARRAY_SIZE(keys); i++) {
		if (keys[i].sec != p->sec || !val_is(k, keys[i].name))
			continue;
		if (!keys[i].repeatable) {
			if (g_seen & (1u << i))
				return fail(p, "key '%s' given twice in this section", keys[i].name);
			g_seen |= 1u << i;
		}
		if (!value.n && keys[i].fn != k_cmdline)
			return fail(p, "key '%s' has an empty value", keys[i].name);
		return keys[i].fn(p, keys[i].name, value);
	}
	return fail(p, "unknown key '%.*s' in [%s]", (int)k.n, k.s, p->sec == SEC_SEVISOR ? "sevisor" : "guest");
}

void cfg_defaults(struct cfg *c)
{
	memset(c, 0, sizeof(*c));
	str_copy(c->log_sinks, "com1,debugcon,conout", sizeof(c->log_sinks));
	c->log_level = LOG_INFO;
	c->on_finish = CFG_FINISH_DEBUG_EXIT;
	c->default_mode = VM_MODE_PLAIN;
}

bool cfg_parse(const char *text, size_t len, struct cfg *out, struct cfg_error *err)
{
	struct parse p = { .cfg = out, .err = err, .sec = SEC_NONE };
	cfg_defaults(out);
	err->line = 0;
	err->reason[0] = '\0';
	g_seen = 0;
	size_t pos = 0;
	while (pos < len) {
		size_t end = pos;
		while (end < len && text[end] != '\n')
			end++;
		p.line++;
		if (end - pos > CFG_LINE_MAX)
			return fail(&p, "line is too long (more than %d characters)", CFG_LINE_MAX);
		struct val v = trim(text + pos, end - pos);
		pos = end + 1;
		for (size_t i = 0; i < v.n; i++)
			if (v.s[i] == '\0')
				return fail(&p, "NUL byte in the file");
		if (!v.n || v.s[0] == '#' || v.s[0] == ';')
			continue;
		bool ok = v.s[0] == '[' ? section_header(&p, v) : key_line(&p, v);
		if (!ok)
			return false;
	}
	return end_guest(&p);
}

const char *cfg_finish_name(enum cfg_finish f)
{
	for (unsigned i = 0; i < ARRAY_SIZE(finish_words); i++)
		if (finish_words[i].value == (unsigned)f)
			return finish_words[i].name;
	return "?";
}

const char *cfg_mode_name(u8 mode)
{
	for (unsigned i = 0; i < ARRAY_SIZE(mode_words); i++)
		if (mode_words[i].value == mode)
			return mode_words[i].name;
	return "?";
}
