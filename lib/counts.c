/* Event tables. See counts.h. */
#include "lib/counts.h"
#include "lib/fmt.h"

size_t counts_format(const u32 *counts, unsigned first, unsigned end, const char *prefix,
		     const char *(*name)(unsigned slot), char *buf, size_t size, size_t len)
{
	if (size == 0)
		return 0;
	if (len == 0)
		buf[0] = '\0';
	for (unsigned i = first; i < end && len < size - 1; i++) {
		if (!counts[i])
			continue;
		len += (size_t)fmt_snprintf(buf + len, size - len, "%s%s%s=%u", len ? " " : "", prefix, name(i),
					    counts[i]);
	}
	return MIN(len, size - 1);
}
