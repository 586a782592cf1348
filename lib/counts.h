/* Small per-guest event tables: one counter per code of a fixed list, and a last slot for every
 * other code; shown as "NAME=N NAME=N" lists. Used for the GHCB requests (ghcb/names.c) and the
 * soft-es model's #VC exceptions (sev/soft_es_vc_counts.c). */
#ifndef LIB_COUNTS_H
#define LIB_COUNTS_H

#include "lib/types.h"

/* The index of code in codes[0..n), or n (the "other" slot) when it is not there. */
unsigned counts_slot(const u32 *codes, unsigned n, u64 code);
/* Adds one, stopping at the largest value rather than wrapping to 0. Inline: on every GHCB
 * request and every #VC. */
static inline void counts_add(u32 *counter)
{
	if (*counter != ~0u)
		(*counter)++;
}
/* Appends "NAME=N" for each non-zero counts[first..end), slot order, separated by spaces, each
 * name (name(slot)) after prefix; buf already holds len characters. Returns the new length,
 * cut at size - 1. */
size_t counts_format(const u32 *counts, unsigned first, unsigned end, const char *prefix,
		     const char *(*name)(unsigned slot), char *buf, size_t size, size_t len);

#endif
