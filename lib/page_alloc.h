/* Physical page allocator: a sorted list of free ranges, first fit with alignment, merging on
 * free. Pure (it never touches the memory it manages), so unit tests drive it with made-up
 * addresses. Page 0 is never handed out, so 0 can mean "no memory". */
#ifndef LIB_PAGE_ALLOC_H
#define LIB_PAGE_ALLOC_H

#include "lib/types.h"

#define PALLOC_MAX_RANGES 256

struct palloc_range {
	u64 base;
	u64 size;
};

struct palloc {
	struct palloc_range free[PALLOC_MAX_RANGES];
	unsigned nr;
	u64 free_bytes;
};

void palloc_init(struct palloc *pa);
/* Adds [base, base+size) as free, trimmed inward to whole pages. False if the table is full or
 * the range overlaps memory already added. */
bool palloc_add(struct palloc *pa, u64 base, u64 size);
/* Removes a range from the free set (whatever part of it is free). */
bool palloc_reserve(struct palloc *pa, u64 base, u64 size);
/* size is rounded up to pages; align is a power of two >= 4K. Returns 0 when nothing fits. */
u64 palloc_alloc(struct palloc *pa, u64 size, u64 align);
void palloc_free(struct palloc *pa, u64 base, u64 size);

/* The allocator sevisor runs on (filled from the UEFI memory map at boot). */
extern struct palloc g_palloc;
/* Zeroed pages from g_palloc; physical == virtual after boot (identity map). NULL when out. */
void *page_alloc_zeroed(u64 size, u64 align);

#endif
