/* Formatted printing into buffers: a small vsnprintf for both builds.
 * Supports %d %i %u %x %X %o %c %s %p %%, flags '-', '0', '+', ' ', field width
 * (also '*'), precision for strings (also '*'), and the length modifiers hh h l ll z. */
#ifndef LIB_FMT_H
#define LIB_FMT_H

#include <stdarg.h>
#include "lib/types.h"

/* Returns the length the full output would have (like C99 vsnprintf). */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...) PRINTF_LIKE(3, 4);

/* Parses an unsigned number: decimal, 0x hex, 0b binary. Returns false on junk or overflow. */
bool fmt_parse_u64(const char *s, size_t len, u64 *out);

/* Lower-case hex of len bytes into out, which holds 2 * len + 1 bytes (NUL included). */
void fmt_hex(const u8 *data, size_t len, char *out);

#endif
