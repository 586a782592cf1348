/* UEFI memory map to page allocator. See memmap.h. */
#include "boot/memmap.h"
#include "lib/kstring.h"

void memmap_to_palloc(const void *map, u64 map_size, u64 desc_size, struct palloc *pa,
		      struct memmap_summary *out)
{
	memset(out, 0, sizeof(*out));
	if (desc_size < sizeof(struct efi_mem_desc))
		return;
	for (u64 off = 0; off + desc_size <= map_size; off += desc_size) {
		struct efi_mem_desc d;
		memcpy(&d, (const u8 *)map + off, sizeof(d));
		if (d.pages > (~0ULL - d.phys_start) / MEMMAP_EFI_PAGE)
			continue; /* a descriptor that wraps is firmware garbage: skip it */
		u64 start = d.phys_start, end = d.phys_start + d.pages * MEMMAP_EFI_PAGE;
		out->top = MAX(out->top, end);
		if (d.type != EFI_CONVENTIONAL_MEMORY || end <= MEMMAP_LOW_LIMIT)
			continue;
		start = MAX(start, MEMMAP_LOW_LIMIT);
		u64 before = pa->free_bytes;
		if (palloc_add(pa, start, end - start)) {
			out->ranges_added++;
			out->conventional_bytes += pa->free_bytes - before;
		} else {
			out->ranges_dropped++;
		}
	}
}
