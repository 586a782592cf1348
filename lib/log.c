/* Log ring and sinks. See log.h for the contract. */
#include "lib/log.h"
#include "lib/fmt.h"
#include "lib/kstring.h"

struct sink {
	const char *name;
	log_sink_fn fn;
	void *ctx;
	bool enabled;
};

/* The ring is zero-initialised, apart from g_log: g_log has an initialiser, which would put
 * the ring's 64 KiB of zeros into the image file's .data. */
static char g_log_ring[LOG_RING_SIZE];

static struct {
	u64 head; /* total bytes ever written */
	u64 tail; /* total bytes ever drained */
	u64 lost;
	struct sink sinks[LOG_MAX_SINKS];
	unsigned nsinks;
	bool hold, draining;
} g_log;

struct log_fast log_fast;

enum log_level g_log_level = LOG_INFO;

static const char *const level_names[] = {
	[LOG_ERROR] = "error",
	[LOG_WARN] = "warn",
	[LOG_INFO] = "info",
	[LOG_DEBUG] = "debug",
};

bool log_add_sink(const char *name, log_sink_fn fn, void *ctx, bool enabled)
{
	if (g_log.nsinks >= LOG_MAX_SINKS)
		return false;
	g_log.sinks[g_log.nsinks++] = (struct sink){ name, fn, ctx, enabled };
	return true;
}

static struct sink *find_sink(const char *name, size_t len)
{
	for (unsigned i = 0; i < g_log.nsinks; i++)
		if (strlen(g_log.sinks[i].name) == len && !strncmp(g_log.sinks[i].name, name, len))
			return &g_log.sinks[i];
	return NULL;
}

bool log_select_sinks(const char *list, char *bad_name, size_t bad_size)
{
	/* Validate every name first so that a bad list changes nothing. */
	for (int pass = 0; pass < 2; pass++) {
		const char *p = list;
		while (*p) {
			while (*p == ' ' || *p == ',')
				p++;
			const char *start = p;
			while (*p && *p != ',' && *p != ' ')
				p++;
			if (p == start)
				continue;
			struct sink *s = find_sink(start, (size_t)(p - start));
			if (!s) {
				size_t n = (size_t)(p - start);
				if (bad_size) {
					n = MIN(n, bad_size - 1);
					memcpy(bad_name, start, n);
					bad_name[n] = '\0';
				}
				return false;
			}
			if (pass == 1)
				s->enabled = true;
		}
		if (pass == 0)
			for (unsigned i = 0; i < g_log.nsinks; i++)
				g_log.sinks[i].enabled = false;
	}
	return true;
}

void log_disable_sink(const char *name)
{
	struct sink *s = find_sink(name, strlen(name));
	if (s)
		s->enabled = false;
}

void log_set_level(enum log_level level) { g_log_level = level; }
enum log_level log_get_level(void) { return g_log_level; }

bool log_level_from_name(const char *name, enum log_level *out)
{
	for (unsigned i = 0; i < ARRAY_SIZE(level_names); i++) {
		if (!strcmp(name, level_names[i])) {
			*out = (enum log_level)i;
			return true;
		}
	}
	return false;
}

static void ring_put(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (g_log.head - g_log.tail >= LOG_RING_SIZE) {
			g_log.tail++; /* overwrite the oldest byte, and count it */
			g_log.lost++;
		}
		g_log_ring[g_log.head++ % LOG_RING_SIZE] = s[i];
	}
	log_fast.undrained = true;
}

static void send_all(const char *s, size_t n)
{
	for (unsigned i = 0; i < g_log.nsinks; i++)
		if (g_log.sinks[i].enabled)
			g_log.sinks[i].fn(s, n, g_log.sinks[i].ctx);
}

void log_drain(void)
{
	/* Nothing to send: the usual case (log_defer(false) does not even call). */
	if (!log_fast.undrained)
		return;
	if (g_log.draining || g_log.hold)
		return;
	g_log.draining = true;
	if (g_log.lost) {
		char msg[80];
		int n = fmt_snprintf(msg, sizeof(msg), "[ warn] log ring overflowed: %llu bytes lost\n",
				     (unsigned long long)g_log.lost);
		g_log.lost = 0;
		send_all(msg, (size_t)n);
	}
	while (g_log.tail < g_log.head) {
		u64 off = g_log.tail % LOG_RING_SIZE;
		u64 n = MIN(g_log.head - g_log.tail, LOG_RING_SIZE - off);
		send_all(&g_log_ring[off], (size_t)n);
		g_log.tail += n;
	}
	log_fast.undrained = g_log.lost != 0; /* a sink's own line overflowed the ring meanwhile */
	g_log.draining = false;
}

static void emit_line(const char *prefix, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];
	size_t plen = str_copy(line, prefix, sizeof(line));
	int n = fmt_vsnprintf(line + plen, sizeof(line) - plen - 1, fmt, ap);
	size_t len = plen + (size_t)n;
	if (len > sizeof(line) - 2)
		len = sizeof(line) - 2; /* truncated: keep the newline */
	if (len == 0 || line[len - 1] != '\n')
		line[len++] = '\n';
	ring_put(line, len);
	if (!log_fast.defer)
		log_drain();
}

void log_vprintf(enum log_level level, const char *fmt, va_list ap)
{
	if (!log_enabled(level))
		return;
	char prefix[12];
	fmt_snprintf(prefix, sizeof(prefix), "[%5s] ", level_names[level]);
	emit_line(prefix, fmt, ap);
}

void log_printf(enum log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vprintf(level, fmt, ap);
	va_end(ap);
}

void log_result(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit_line("@sevisor ", fmt, ap);
	va_end(ap);
}

void log_hold(bool hold)
{
	g_log.hold = hold;
	if (!hold)
		log_drain();
}

void log_reset(void)
{
	g_log.head = g_log.tail = g_log.lost = 0;
	g_log.nsinks = 0;
	g_log.hold = g_log.draining = false;
	log_fast = (struct log_fast){ 0 };
	g_log_level = LOG_INFO;
}
