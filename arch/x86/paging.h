/* sevisor's own page tables: an identity map of physical memory (2 MiB pages). */
#ifndef ARCH_X86_PAGING_H
#define ARCH_X86_PAGING_H

#include "lib/types.h"

/* Maps [0, top) (rounded up to 1 GiB, at least 4 GiB, at most 512 GiB) and loads CR3.
 * Returns false when there is no memory for the tables. */
bool paging_init(u64 top);

/* Makes [pa, pa + size) uncached (PCD|PWT on the 2 MiB pages that hold it) for MMIO such as
 * the PSP's registers. False when the range is outside the identity map. */
bool paging_map_uncached(u64 pa, u64 size);

#endif
