/* The UEFI memory map (UEFI spec 2.10, 7.2 GetMemoryMap) turned into sevisor's page allocator.
 * Pure: the descriptor layout is declared here with asserts, so tests feed made-up maps. */
#ifndef BOOT_MEMMAP_H
#define BOOT_MEMMAP_H

#include "lib/types.h"
#include "lib/page_alloc.h"

/* EFI_MEMORY_DESCRIPTOR. Firmware may use a larger stride (desc_size); never index by sizeof. */
struct efi_mem_desc {
	u32 type;
	u32 pad;
	u64 phys_start;
	u64 virt_start;
	u64 pages;
	u64 attribute;
};
ASSERT_OFFSET(struct efi_mem_desc, type, 0);
ASSERT_OFFSET(struct efi_mem_desc, phys_start, 8);
ASSERT_OFFSET(struct efi_mem_desc, virt_start, 16);
ASSERT_OFFSET(struct efi_mem_desc, pages, 24);
ASSERT_OFFSET(struct efi_mem_desc, attribute, 32);
ASSERT_SIZE(struct efi_mem_desc, 40);

#define EFI_CONVENTIONAL_MEMORY 7
#define MEMMAP_EFI_PAGE 4096ULL
/* Below 1 MiB stays untouched: legacy BIOS areas, and where AP start-up trampolines go. */
#define MEMMAP_LOW_LIMIT MiB(1)

struct memmap_summary {
	u64 conventional_bytes; /* what went into the allocator */
	u64 top;                /* end of the highest described range (for the identity map) */
	unsigned ranges_added;
	unsigned ranges_dropped; /* allocator table full */
};

/* Adds every conventional-memory range at or above 1 MiB to pa. */
void memmap_to_palloc(const void *map, u64 map_size, u64 desc_size, struct palloc *pa,
		      struct memmap_summary *out);

#endif
