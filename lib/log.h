/* Logging: levels, a ring buffer, and named sinks the ring is drained to.
 *
 * Messages go into the ring first. The ring is drained to every enabled sink right away
 * unless draining is held (early boot, before the config has chosen the sinks) or deferred
 * (inside an exit handler; the run loop drains before the next VMRUN). Nothing is dropped
 * silently: if the ring overflows, the drain reports how many bytes were lost. */
#ifndef LIB_LOG_H
#define LIB_LOG_H

#include <stdarg.h>
#include "lib/types.h"

enum log_level {
	LOG_ERROR = 0,
	LOG_WARN = 1,
	LOG_INFO = 2,
	LOG_DEBUG = 3,
};

typedef void (*log_sink_fn)(const char *text, size_t len, void *ctx);

#define LOG_MAX_SINKS 6
#define LOG_LINE_MAX 512
#define LOG_RING_SIZE (64 * 1024)

/* Registers a sink; enabled says whether it starts enabled. Returns false when full. */
bool log_add_sink(const char *name, log_sink_fn fn, void *ctx, bool enabled);
/* Enables exactly the sinks named in a comma-separated list; false if a name is unknown. */
bool log_select_sinks(const char *list, char *bad_name, size_t bad_size);
/* Disables one sink (e.g. UEFI ConOut once boot services are gone). */
void log_disable_sink(const char *name);

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
bool log_level_from_name(const char *name, enum log_level *out);

void log_printf(enum log_level level, const char *fmt, ...) PRINTF_LIKE(2, 3);
void log_vprintf(enum log_level level, const char *fmt, va_list ap);
/* A machine-readable line: "@sevisor " followed by the formatted key=value text. Always printed. */
void log_result(const char *fmt, ...) PRINTF_LIKE(1, 2);

/* The level messages are printed up to (log_set_level). Read inline so that a debug message
 * that is not printed costs one compare and no evaluation of its arguments: exit paths carry
 * several (their arguments must have no side effects). */
extern enum log_level g_log_level;
static inline bool log_enabled(enum log_level level)
{
	return level <= g_log_level;
}

#define log_err(...) log_printf(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_printf(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_printf(LOG_INFO, __VA_ARGS__)
#define log_debug(...) (log_enabled(LOG_DEBUG) ? log_printf(LOG_DEBUG, __VA_ARGS__) : (void)0)

/* Hold: keep everything in the ring (early boot). Defer: same, cheaper to toggle per exit. */
void log_hold(bool hold);
void log_drain(void);
/* Inline: a store, and for defer = false a test of whether the ring holds anything to drain
 * (log_fast.undrained: bytes or a loss report not yet sent). The run loop defers for a whole
 * guest run and drains with log_drain_deferred before every entry. */
extern struct log_fast {
	bool defer;
	bool undrained;
} log_fast;
static inline void log_defer(bool defer)
{
	log_fast.defer = defer;
	if (!defer && log_fast.undrained)
		log_drain();
}
/* Sends what the ring holds while deferring goes on: the same test, without the toggles. */
static inline void log_drain_deferred(void)
{
	if (log_fast.undrained)
		log_drain();
}

/* Test support: forget all sinks and empty the ring. */
void log_reset(void);

#endif
