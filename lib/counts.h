/* Small per-guest event tables: one counter per code of a fixed list, and a last slot for every
 * other code; shown as "NAME=N NAME=N" lists. Used for the GHCB requests (ghcb/names.c) and the
 * soft-es model's #VC exceptions (sev/soft_es_vc_counts.c). */
#ifndef LIB_COUNTS_H
#define LIB_COUNTS_H

#include "lib/types.h"

/* The index of code in codes[0..n), or n (the "other" slot) when it is not there. Inline, as
 * counts_add: both run on every counted event (each soft-es #VC, each GHCB request). */
static inline unsigned counts_slot(const u32 *codes, unsigned n, u64 code)
{
	for (unsigned i = 0; i < n; i++)
		if (codes[i] == code)
			return i;
	return n;
}

/* Adds one, stopping at the largest value rather than wrapping to 0: the carry out of the add
 * tells the one case (one branch, taken only there). */
static inline void counts_add(u32 *counter)
{
	u32 n;
	*counter = __builtin_add_overflow(*counter, 1u, &n) ? ~0u : n;
}

/* Appends "NAME=N" for each non-zero counts[first..end), slot order, separated by spaces, each
 * name (name(slot)) after prefix; buf already holds len characters. Returns the new length,
 * cut at size - 1. */
size_t counts_format(const u32 *counts, unsigned first, unsigned end, const char *prefix,
		     const char *(*name)(unsigned slot), char *buf, size_t size, size_t len);

#endif
