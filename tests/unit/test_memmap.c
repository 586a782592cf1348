/* boot/memmap.c: a UEFI memory map (UEFI 2.10, 7.2 GetMemoryMap, EFI_MEMORY_DESCRIPTOR) into the
 * page allocator. Maps here are made up. Memory types used (UEFI 2.10 table 7-6):
 * 0 EfiReservedMemoryType, 2 EfiLoaderData, 3 EfiBootServicesCode, 4 EfiBootServicesData,
 * 7 EfiConventionalMemory, 9 EfiACPIReclaimMemory, 11 EfiMemoryMappedIO. */
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>
#include "boot/memmap.h"

enum {
	T_RESERVED = 0,
	T_LOADER_DATA = 2,
	T_BS_CODE = 3,
	T_BS_DATA = 4,
	T_CONV = EFI_CONVENTIONAL_MEMORY,
	T_ACPI_RECLAIM = 9,
	T_MMIO = 11,
};

struct d {
	u32 type;
	u64 start;
	u64 pages;
};

/* Lays descs out with the given stride (>= 40), filling the bytes past the struct with junk that
 * must be ignored, at an odd offset in the buffer (firmware maps need not be 8-byte aligned for
 * the parser, which copies each descriptor out). Returns the map pointer; *size is its length. */
static u8 g_buf[64 * 1024];
static const void *make_map(const struct d *descs, unsigned n, u64 stride, u64 *size)
{
	assert_true(stride >= sizeof(struct efi_mem_desc));
	assert_true(1 + n * stride <= sizeof(g_buf));
	memset(g_buf, 0xAB, sizeof(g_buf));
	u8 *map = g_buf + 1;
	for (unsigned i = 0; i < n; i++) {
		struct efi_mem_desc e = {
			.type = descs[i].type,
			.pad = 0x5A5A5A5A,
			.phys_start = descs[i].start,
			.virt_start = 0xDEAD000,
			.pages = descs[i].pages,
			.attribute = 0xF, /* UC|WC|WT|WB */
		};
		memcpy(map + i * stride, &e, sizeof(e));
	}
	*size = n * stride;
	return map;
}

static struct palloc g_pa;

static int setup(void **state)
{
	(void)state;
	palloc_init(&g_pa);
	return 0;
}

static void expect_free(unsigned n, const u64 *pairs)
{
	assert_int_equal(g_pa.nr, n);
	u64 sum = 0;
	for (unsigned i = 0; i < n; i++) {
		if (g_pa.free[i].base != pairs[2 * i] || g_pa.free[i].size != pairs[2 * i + 1])
			fail_msg("range %u is [0x%llx,+0x%llx), want [0x%llx,+0x%llx)", i,
				 (unsigned long long)g_pa.free[i].base, (unsigned long long)g_pa.free[i].size,
				 (unsigned long long)pairs[2 * i], (unsigned long long)pairs[2 * i + 1]);
		sum += pairs[2 * i + 1];
	}
	assert_int_equal(g_pa.free_bytes, sum);
}
#define EXPECT_FREE(...)                                                      \
	do {                                                                  \
		static const u64 want_[] = { __VA_ARGS__ };                      \
		expect_free((unsigned)(ARRAY_SIZE(want_) / 2), want_);           \
	} while (0)

/* A q35/OVMF-shaped map, 48-byte stride. */
static void test_typical_map_stride48(void **state)
{
	(void)state;
	static const struct d descs[] = {
		{ T_BS_CODE, 0x0, 0x1 },                    /* page 0 */
		{ T_CONV, 0x1000, 0x9F },                   /* [4K, 640K): below 1 MiB, not added */
		{ T_RESERVED, 0xA0000, 0x60 },              /* legacy hole */
		{ T_CONV, 0x100000, 0x700 },                /* [1M, 8M) */
		{ T_ACPI_RECLAIM, 0x800000, 0x8 },          /* [8M, 8M+32K) */
		{ T_CONV, 0x808000, 0x7F8 },                /* [8M+32K, 16M) */
		{ T_LOADER_DATA, 0x1000000, 0x200 },        /* sevisor itself */
		{ T_BS_DATA, 0x1200000, 0x100 },            /* boot services data: not free yet */
		{ T_CONV, 0x1300000, 0xCD00 },              /* [19M, 224M) */
		{ T_MMIO, 0xFFC00000, 0x400 },              /* flash, top of 4G */
		{ T_CONV, 0x100000000ULL, 0x40000 },        /* [4G, 5G) */
		{ T_RESERVED, 0xFD00000000ULL, 0x300 },     /* HyperTransport hole: highest of all */
	};
	u64 size;
	const void *map = make_map(descs, ARRAY_SIZE(descs), 48, &size);
	struct memmap_summary s;
	memset(&s, 0xEE, sizeof(s));
	memmap_to_palloc(map, size, 48, &g_pa, &s);
	EXPECT_FREE(0x100000, 0x700000, 0x808000, 0x7F8000, 0x1300000, 0xCD00000, 0x100000000ULL, 0x40000000ULL);
	assert_int_equal(s.ranges_added, 4);
	assert_int_equal(s.ranges_dropped, 0);
	assert_int_equal(s.conventional_bytes, 0x700000 + 0x7F8000 + 0xCD00000 + 0x40000000ULL);
	assert_int_equal(s.conventional_bytes, g_pa.free_bytes);
	/* Top is over every type, here a reserved range, not just conventional memory. */
	assert_int_equal(s.top, 0xFD00300000ULL);
}

static void test_only_conventional_added(void **state)
{
	(void)state;
	/* Every type but 7 above 1 MiB: nothing added, but top still counts them. */
	struct d descs[16];
	unsigned n = 0;
	for (u32 t = 0; t < 16; t++) {
		if (t == T_CONV)
			continue;
		descs[n++] = (struct d){ t, 0x200000 + (u64)t * 0x100000, 0x100 };
	}
	u64 size;
	const void *map = make_map(descs, n, 48, &size);
	struct memmap_summary s;
	memmap_to_palloc(map, size, 48, &g_pa, &s);
	assert_int_equal(g_pa.nr, 0);
	assert_int_equal(g_pa.free_bytes, 0);
	assert_int_equal(s.ranges_added, 0);
	assert_int_equal(s.ranges_dropped, 0);
	assert_int_equal(s.conventional_bytes, 0);
	assert_int_equal(s.top, 0x200000 + 15 * 0x100000 + 0x100000);
}

static void test_straddling_1m_trimmed(void **state)
{
	(void)state;
	static const struct d descs[] = {
		{ T_CONV, 0x80000, 0x100 },  /* [512K, 1.5M): only [1M, 1.5M) goes in */
		{ T_CONV, 0x0, 0x100 },      /* [0, 1M): ends exactly at 1 MiB, nothing */
	};
	u64 size;
	const void *map = make_map(descs, ARRAY_SIZE(descs), 48, &size);
	struct memmap_summary s;
	memmap_to_palloc(map, size, 48, &g_pa, &s);
	EXPECT_FREE(0x100000, 0x80000);
	assert_int_equal(s.ranges_added, 1);
	assert_int_equal(s.conventional_bytes, 0x80000);
	assert_int_equal(s.top, 0x180000);
}

static void test_wrapping_descriptor_skipped(void **state)
{
	(void)state;
	static const struct d descs[] = {
		{ T_CONV, 0x200000, 0x10 },
		{ T_CONV, 0xFFFFFFFFFFFF0000ULL, 0x20 },  /* end would be 2^64 + 0x10000 */
		{ T_CONV, 0x1000, 1ULL << 52 },            /* end would be 2^64 + 0x1000 */
		{ T_CONV, 0x0, 1ULL << 52 },               /* end would be exactly 2^64 (wraps to 0) */
		{ T_RESERVED, 0x400000, ~0ULL },           /* pages * 4096 overflows */
		{ T_CONV, 0x300000, 0x10 },
	};
	u64 size;
	const void *map = make_map(descs, ARRAY_SIZE(descs), 48, &size);
	struct memmap_summary s;
	memmap_to_palloc(map, size, 48, &g_pa, &s);
	EXPECT_FREE(0x200000, 0x10000, 0x300000, 0x10000);
	assert_int_equal(s.ranges_added, 2);
	assert_int_equal(s.ranges_dropped, 0);
	assert_int_equal(s.conventional_bytes, 0x20000);
	/* The skipped descriptors do not raise top. */
	assert_int_equal(s.top, 0x310000);
}

static void test_top_of_address_space(void **state)
{
	(void)state;
	/* A descriptor ending exactly at 2^64 - 4K does not wrap and sets top. */
	static const struct d descs[] = {
		{ T_RESERVED, 0xFFFFFFFFFFFFE000ULL, 1 },
	};
	u64 size;
	const void *map = make_map(descs, ARRAY_SIZE(descs), 40, &size);
	struct memmap_summary s;
	memmap_to_palloc(map, size, 40, &g_pa, &s);
	assert_int_equal(s.top, 0xFFFFFFFFFFFFF000ULL);
	assert_int_equal(g_pa.nr, 0);
}

static void test_desc_size_too_small(void **state)
{
	(void)state;
	static const struct d descs[] = {
		{ T_CONV, 0x100000, 0x100 },
		{ T_CONV, 0x400000, 0x100 },
	};
	u64 size;
	const void *map = make_map(descs, ARRAY_SIZE(descs), 48, &size);
	struct memmap_summary s;
	memset(&s, 0xEE, sizeof(s));
	memmap_to_palloc(map, size, sizeof(struct efi_mem_desc) - 1, &g_pa, &s);
	assert_int_equal(g_pa.nr, 0);
	assert_int_equal(g_pa.free_bytes, 0);
	assert_int_equal(s.ranges_added, 0);
	assert_int_equal(s.ranges_dropped, 0);
	assert_int_equal(s.conventional_bytes, 0);
	assert_int_equal(s.top, 0);
	memmap_to_palloc(map, size, 0, &g_pa, &s);
	assert_int_equal(g_pa.nr, 0);
	assert_int_equal(s.top, 0);
}

static void test_stride_40_and_partial_tail(void **state)
{
	(void)state;
	static const struct d descs[] = {
		{ T_CONV, 0x100000, 0x100 },
		{ T_CONV, 0x400000, 0x100 },
		{ T_CONV, 0x800000, 0x100 },
	};
	u64 size;
	/* Packed at exactly sizeof(struct efi_mem_desc). */
	const void *map = make_map(descs, ARRAY_SIZE(descs), 40, &size);
	struct memmap_summary s;
	memmap_to_palloc(map, size, 40, &g_pa, &s);
	EXPECT_FREE(0x100000, 0x100000, 0x400000, 0x100000, 0x800000, 0x100000);
	assert_int_equal(s.ranges_added, 3);

	/* A map size that cuts the last descriptor short: that descriptor is not read. */
	palloc_init(&g_pa);
	map = make_map(descs, ARRAY_SIZE(descs), 48, &size);
	memmap_to_palloc(map, size - 1, 48, &g_pa, &s);
	EXPECT_FREE(0x100000, 0x100000, 0x400000, 0x100000);
	assert_int_equal(s.ranges_added, 2);
	assert_int_equal(s.top, 0x500000);
	/* Empty map. */
	palloc_init(&g_pa);
	memmap_to_palloc(map, 0, 48, &g_pa, &s);
	assert_int_equal(g_pa.nr, 0);
	assert_int_equal(s.top, 0);
	assert_int_equal(s.ranges_added, 0);
}

static void test_large_stride(void **state)
{
	(void)state;
	/* A firmware stride much larger than the struct (e.g. a future descriptor version). */
	static const struct d descs[] = {
		{ T_CONV, 0x100000, 0x10 },
		{ T_BS_DATA, 0x110000, 0x10 },
		{ T_CONV, 0x120000, 0x10 },
	};
	u64 size;
	const void *map = make_map(descs, ARRAY_SIZE(descs), 136, &size);
	struct memmap_summary s;
	memmap_to_palloc(map, size, 136, &g_pa, &s);
	EXPECT_FREE(0x100000, 0x10000, 0x120000, 0x10000);
	assert_int_equal(s.top, 0x130000);
}

static void test_adjacent_conventional_merged(void **state)
{
	(void)state;
	/* Firmware often splits one free area into several descriptors: they merge. */
	static const struct d descs[] = {
		{ T_CONV, 0x200000, 0x100 },
		{ T_CONV, 0x100000, 0x100 },
		{ T_CONV, 0x300000, 0x100 },
	};
	u64 size;
	const void *map = make_map(descs, ARRAY_SIZE(descs), 48, &size);
	struct memmap_summary s;
	memmap_to_palloc(map, size, 48, &g_pa, &s);
	EXPECT_FREE(0x100000, 0x300000);
	assert_int_equal(s.ranges_added, 3);
	assert_int_equal(s.conventional_bytes, 0x300000);
}

static void test_refused_ranges_counted(void **state)
{
	(void)state;
	/* Overlapping conventional descriptors (firmware garbage): the second is refused. */
	static const struct d descs[] = {
		{ T_CONV, 0x100000, 0x100 },
		{ T_CONV, 0x180000, 0x100 },
	};
	u64 size;
	const void *map = make_map(descs, ARRAY_SIZE(descs), 48, &size);
	struct memmap_summary s;
	memmap_to_palloc(map, size, 48, &g_pa, &s);
	EXPECT_FREE(0x100000, 0x100000);
	assert_int_equal(s.ranges_added, 1);
	assert_int_equal(s.ranges_dropped, 1);
	assert_int_equal(s.conventional_bytes, 0x100000);
	assert_int_equal(s.top, 0x280000);

	/* A full allocator table: isolated ranges are dropped and counted. */
	palloc_init(&g_pa);
	for (u64 i = 0; i < PALLOC_MAX_RANGES; i++)
		assert_true(palloc_add(&g_pa, 0x10000000 + 0x2000 * i, 0x1000));
	const u64 before = g_pa.free_bytes;
	static const struct d more[] = {
		{ T_CONV, 0x100000, 0x10 },
		{ T_CONV, 0x200000, 0x10 },
	};
	map = make_map(more, ARRAY_SIZE(more), 48, &size);
	memmap_to_palloc(map, size, 48, &g_pa, &s);
	assert_int_equal(s.ranges_added, 0);
	assert_int_equal(s.ranges_dropped, 2);
	assert_int_equal(s.conventional_bytes, 0);
	assert_int_equal(g_pa.free_bytes, before);
	assert_int_equal(g_pa.nr, PALLOC_MAX_RANGES);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_typical_map_stride48, setup),
		cmocka_unit_test_setup(test_only_conventional_added, setup),
		cmocka_unit_test_setup(test_straddling_1m_trimmed, setup),
		cmocka_unit_test_setup(test_wrapping_descriptor_skipped, setup),
		cmocka_unit_test_setup(test_top_of_address_space, setup),
		cmocka_unit_test_setup(test_desc_size_too_small, setup),
		cmocka_unit_test_setup(test_stride_40_and_partial_tail, setup),
		cmocka_unit_test_setup(test_large_stride, setup),
		cmocka_unit_test_setup(test_adjacent_conventional_merged, setup),
		cmocka_unit_test_setup(test_refused_ranges_counted, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
