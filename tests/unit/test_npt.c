/* svm/npt: the nested page table builder against the 4-level format of APM vol. 2, 5.3.3 and
 * 15.25. Table pages are malloc'd and given made-up physical addresses that differ from their
 * pointers, so any place the builder confuses the two shows up. */
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>
#include "svm/npt.h"

#define POOL_PAGES 64
#define FAKE_PA_BASE 0x7700000000ULL /* where the test "places" table pages */

struct pool {
	void *page[POOL_PAGES];
	unsigned used;
	unsigned limit; /* allocations allowed (for out-of-memory tests) */
	unsigned freed;
};

static void *pool_alloc(void *ctx, u64 *pa)
{
	struct pool *p = ctx;
	if (p->used >= p->limit)
		return NULL;
	void *page = aligned_alloc(4096, 4096);
	assert_non_null(page);
	memset(page, 0, 4096);
	p->page[p->used] = page;
	*pa = FAKE_PA_BASE + (u64)p->used * 4096;
	p->used++;
	return page;
}

static void *pool_ptr(void *ctx, u64 pa)
{
	struct pool *p = ctx;
	assert_true(pa >= FAKE_PA_BASE && (pa - FAKE_PA_BASE) % 4096 == 0);
	u64 i = (pa - FAKE_PA_BASE) / 4096;
	assert_true(i < p->used);
	return p->page[i];
}

static void pool_free(void *ctx, u64 pa, void *ptr)
{
	struct pool *p = ctx;
	assert_ptr_equal(pool_ptr(ctx, pa), ptr);
	p->page[(pa - FAKE_PA_BASE) / 4096] = NULL;
	free(ptr);
	p->freed++;
}

struct fixture {
	struct pool pool;
	struct svm_npt npt;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	f->pool.limit = POOL_PAGES;
	struct svm_npt_mem mem = { pool_alloc, pool_ptr, pool_free, &f->pool };
	if (!svm_npt_init(&f->npt, &mem))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	unsigned used = f->pool.used;
	svm_npt_destroy(&f->npt);
	/* Every table page came back. */
	assert_int_equal(f->pool.freed, used);
	free(f);
	return 0;
}

static void expect_unmapped(const struct svm_npt *npt, u64 gpa)
{
	u64 hpa = 0xdead;
	unsigned ps = 0;
	assert_false(svm_npt_lookup(npt, gpa, &hpa, &ps));
}

static void expect_mapped(const struct svm_npt *npt, u64 gpa, u64 want_hpa, unsigned want_ps)
{
	u64 hpa = 0;
	unsigned ps = 0;
	assert_true(svm_npt_lookup(npt, gpa, &hpa, &ps));
	assert_int_equal(hpa, want_hpa);
	assert_int_equal(ps, want_ps);
}

static void test_init(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(f->npt.root_pa, FAKE_PA_BASE);
	assert_int_equal(f->npt.tables, 1);
	/* An empty table maps nothing. */
	expect_unmapped(&f->npt, 0);
	expect_unmapped(&f->npt, 0x1000);

	struct svm_npt npt;
	struct svm_npt_mem none = { NULL, pool_ptr, NULL, &f->pool };
	assert_false(svm_npt_init(&npt, &none));
	assert_false(svm_npt_init(&npt, NULL));
}

/* 5 MiB + 12 KiB starting 4 KiB below a 2 MiB boundary, with the HPA at the same offset within
 * its 2 MiB page: one 4 KiB page up to 2 MiB, two 2 MiB pages, then 258 4 KiB pages. */
static void test_unaligned_mix(void **state)
{
	struct fixture *f = *state;
	const u64 gpa = 0x1FF000, hpa = 0x40001FF000ULL, size = MiB(5) + KiB(12);
	assert_true(svm_npt_map(&f->npt, gpa, hpa, size, SVM_NPT_FLAGS_RAM));
	assert_int_equal(f->npt.pages_2m, 2);
	assert_int_equal(f->npt.pages_4k, 1 + 258);
	/* Tables: root, one PDPT, one PD, PTs for [0, 2M) and [6M, 8M). */
	assert_int_equal(f->npt.tables, 5);

	for (u64 off = 0; off < size; off += 4096) {
		u64 g = gpa + off;
		unsigned want_ps = (g >= 0x200000 && g < 0x600000) ? SVM_NPT_PAGE_2M : SVM_NPT_PAGE_4K;
		expect_mapped(&f->npt, g, hpa + off, want_ps);
		/* Offsets within the page carry through. */
		expect_mapped(&f->npt, g + 0x123, hpa + off + 0x123, want_ps);
	}
	expect_unmapped(&f->npt, gpa - 1);
	expect_unmapped(&f->npt, gpa - 0x1000);
	expect_unmapped(&f->npt, gpa + size);
	expect_unmapped(&f->npt, 0);
	expect_unmapped(&f->npt, GiB(1));
}

/* When GPA and HPA sit at different offsets within 2 MiB, only 4 KiB pages can work. */
static void test_misaligned_hpa_uses_4k(void **state)
{
	struct fixture *f = *state;
	assert_true(svm_npt_map(&f->npt, MiB(2), MiB(16) + 0x1000, MiB(4), SVM_NPT_FLAGS_RAM));
	assert_int_equal(f->npt.pages_2m, 0);
	assert_int_equal(f->npt.pages_4k, 1024);
	for (u64 off = 0; off < MiB(4); off += 4096)
		expect_mapped(&f->npt, MiB(2) + off, MiB(16) + 0x1000 + off, SVM_NPT_PAGE_4K);
}

/* The entries themselves: table entries P|RW|US, leaves P|US plus the caller's flags, PS on
 * 2 MiB leaves, the address in bits 51:12. */
static void test_entry_format(void **state)
{
	struct fixture *f = *state;
	assert_true(svm_npt_map(&f->npt, GiB(1), GiB(3), MiB(2), SVM_NPT_RW | SVM_NPT_NX));
	assert_true(svm_npt_map(&f->npt, GiB(1) + MiB(2), 0x5000, 0x1000, 0));

	struct svm_npt_table *pml4 = pool_ptr(&f->pool, f->npt.root_pa);
	struct svm_npt_entry e4 = pml4->e[0];
	assert_int_equal(e4.val & ~SVM_NPT_ADDR_MASK, SVM_NPT_P | SVM_NPT_RW | SVM_NPT_US);
	struct svm_npt_table *pdpt = pool_ptr(&f->pool, e4.val & SVM_NPT_ADDR_MASK);
	struct svm_npt_entry e3 = pdpt->e[1]; /* 1 GiB >> 30 */
	assert_int_equal(e3.val & ~SVM_NPT_ADDR_MASK, SVM_NPT_P | SVM_NPT_RW | SVM_NPT_US);
	struct svm_npt_table *pd = pool_ptr(&f->pool, e3.val & SVM_NPT_ADDR_MASK);
	assert_int_equal(pd->e[0].val,
			 GiB(3) | SVM_NPT_P | SVM_NPT_RW | SVM_NPT_US | SVM_NPT_PS | SVM_NPT_NX);
	struct svm_npt_entry e2 = pd->e[1];
	assert_int_equal(e2.val & ~SVM_NPT_ADDR_MASK, SVM_NPT_P | SVM_NPT_RW | SVM_NPT_US);
	struct svm_npt_table *pt = pool_ptr(&f->pool, e2.val & SVM_NPT_ADDR_MASK);
	assert_int_equal(pt->e[0].val, 0x5000 | SVM_NPT_P | SVM_NPT_US); /* read-only */
	for (unsigned i = 1; i < SVM_NPT_ENTRIES; i++)
		assert_int_equal(pt->e[i].val, 0);

	u64 flags = 0, hpa = 0;
	unsigned ps = 0;
	assert_true(svm_npt_lookup_flags(&f->npt, GiB(1) + 5, &hpa, &ps, &flags));
	assert_int_equal(hpa, GiB(3) + 5);
	assert_int_equal(flags, SVM_NPT_P | SVM_NPT_RW | SVM_NPT_US | SVM_NPT_PS | SVM_NPT_NX);
}

/* soft-es: every RAM page is also mapped at GPA | 1 << cbit, to the same host page. */
static void test_cbit_alias(void **state)
{
	struct fixture *f = *state;
	const unsigned cbit = 47;
	const u64 ram = MiB(4) + KiB(8), host = GiB(2);
	assert_true(svm_npt_map(&f->npt, 0, host, ram, SVM_NPT_FLAGS_RAM));
	assert_true(svm_npt_map(&f->npt, BIT(cbit), host, ram, SVM_NPT_FLAGS_RAM));
	for (u64 off = 0; off < ram; off += 4096) {
		u64 a = 0, b = 0;
		unsigned pa = 0, pb = 0;
		assert_true(svm_npt_lookup(&f->npt, off, &a, &pa));
		assert_true(svm_npt_lookup(&f->npt, off | BIT(cbit), &b, &pb));
		assert_int_equal(a, host + off);
		assert_int_equal(a, b);
		assert_int_equal(pa, pb);
	}
	expect_unmapped(&f->npt, BIT(cbit) + ram);
	expect_unmapped(&f->npt, BIT(cbit) - 0x1000);
	/* An address beyond the 48-bit GPA space never translates. */
	expect_unmapped(&f->npt, BIT(48));
}

static void test_refusals(void **state)
{
	struct fixture *f = *state;
	struct svm_npt *n = &f->npt;
	assert_true(svm_npt_map(n, MiB(2), MiB(2), MiB(2), SVM_NPT_FLAGS_RAM)); /* one 2M page */
	assert_true(svm_npt_map(n, MiB(8), MiB(8), 0x3000, SVM_NPT_FLAGS_RAM)); /* three 4K pages */
	u64 tables = n->tables, p4 = n->pages_4k, p2 = n->pages_2m;

	/* Misalignment, empty and oversized ranges. */
	assert_false(svm_npt_map(n, 0x100, 0, 0x1000, 0));
	assert_false(svm_npt_map(n, 0, 0x100, 0x1000, 0));
	assert_false(svm_npt_map(n, 0, 0, 0x800, 0));
	assert_false(svm_npt_map(n, 0, 0, 0, 0));
	assert_false(svm_npt_map(n, BIT(48) - 0x1000, 0, 0x2000, 0)); /* past the 48-bit GPA space */
	assert_false(svm_npt_map(n, BIT(48), 0, 0x1000, 0));
	assert_false(svm_npt_map(n, 0, BIT(52) - 0x1000, 0x2000, 0)); /* past the 52-bit HPA space */
	assert_false(svm_npt_map(n, ~0ULL << 12, 0, 0x2000, 0));      /* wraps */
	assert_false(svm_npt_map(n, 0, 0, ~0ULL << 12, 0));
	/* Flags the caller may not choose (P, US, PS and address bits are the builder's). */
	assert_false(svm_npt_map(n, 0, 0, 0x1000, SVM_NPT_PS));
	assert_false(svm_npt_map(n, 0, 0, 0x1000, SVM_NPT_P));
	assert_false(svm_npt_map(n, 0, 0, 0x1000, 0x1000));

	/* Overlaps: whole, head, tail, inside a 2M page, inside 4K pages, spanning both. */
	assert_false(svm_npt_map(n, MiB(2), GiB(1), MiB(2), 0));
	assert_false(svm_npt_map(n, MiB(2) - 0x1000, GiB(1), 0x2000, 0));
	assert_false(svm_npt_map(n, MiB(4) - 0x1000, GiB(1), 0x2000, 0));
	assert_false(svm_npt_map(n, MiB(3), GiB(1), 0x1000, 0));
	assert_false(svm_npt_map(n, MiB(8) + 0x2000, GiB(1), 0x1000, 0));
	assert_false(svm_npt_map(n, MiB(7), GiB(1), MiB(1) + 0x1000, 0));
	assert_false(svm_npt_map(n, 0, GiB(1), MiB(16), 0));

	/* A refusal changes nothing. */
	assert_int_equal(n->tables, tables);
	assert_int_equal(n->pages_4k, p4);
	assert_int_equal(n->pages_2m, p2);
	expect_unmapped(n, 0);
	expect_unmapped(n, MiB(2) - 0x1000);
	expect_unmapped(n, MiB(8) + 0x3000);

	/* Right next to existing mappings is fine. */
	assert_true(svm_npt_map(n, MiB(4), GiB(1), 0x1000, 0));
	assert_true(svm_npt_map(n, MiB(8) + 0x3000, GiB(1) + 0x1000, 0x1000, 0));
	assert_true(svm_npt_map(n, MiB(2) - 0x1000, GiB(1) + 0x2000, 0x1000, 0));
}

/* Running out of table pages is reported, not crashed on. */
static void test_out_of_tables(void **state)
{
	struct fixture *f = *state;
	f->pool.limit = f->pool.used + 2; /* PDPT and PD, but no PT */
	assert_false(svm_npt_map(&f->npt, 0x1000, 0x1000, 0x1000, SVM_NPT_FLAGS_RAM));
	expect_unmapped(&f->npt, 0x1000);
	f->pool.limit = POOL_PAGES;
	assert_true(svm_npt_map(&f->npt, 0x1000, 0x1000, 0x1000, SVM_NPT_FLAGS_RAM));
	expect_mapped(&f->npt, 0x1000, 0x1000, SVM_NPT_PAGE_4K);
}

/* Large ranges: a 1 GiB + 4 KiB guest costs a handful of tables thanks to 2 MiB pages. */
static void test_large(void **state)
{
	struct fixture *f = *state;
	assert_true(svm_npt_map(&f->npt, 0, GiB(4), GiB(1) + 0x1000, SVM_NPT_FLAGS_RAM));
	assert_int_equal(f->npt.pages_2m, 512);
	assert_int_equal(f->npt.pages_4k, 1);
	assert_int_equal(f->npt.tables, 5); /* PML4, PDPT, 2 PDs, 1 PT */
	expect_mapped(&f->npt, GiB(1) - 1, GiB(5) - 1, SVM_NPT_PAGE_2M);
	expect_mapped(&f->npt, GiB(1), GiB(5), SVM_NPT_PAGE_4K);
	expect_unmapped(&f->npt, GiB(1) + 0x1000);
}

/* facts G23 / KVM svm_adjust_mmio_mask: the reserved bits run from the host's physical-address
 * width to bit 51, one higher when the width equals the encryption bit; none at 52 bits. */
static void test_mmio_mask(void **state)
{
	(void)state;
	assert_int_equal(svm_npt_mmio_mask(40, 0), 0x000FFF0000000000ULL);  /* QEMU TCG's 40 bits */
	assert_int_equal(svm_npt_mmio_mask(48, 47), 0x000F000000000000ULL); /* C-bit 47 below */
	assert_int_equal(svm_npt_mmio_mask(43, 43), 0x000FF00000000000ULL); /* bit 43 skipped */
	assert_int_equal(svm_npt_mmio_mask(43, 51), 0x000FF80000000000ULL); /* KVM keeps 51 */
	assert_int_equal(svm_npt_mmio_mask(51, 51), 0);
	assert_int_equal(svm_npt_mmio_mask(52, 0), 0);
	assert_int_equal(svm_npt_mmio_mask(0, 0), 0); /* 0 = 52 bits */
}

/* An MMIO entry: present (P), writable, user, the reserved bits, the software marker, no
 * address; lookups see nothing there; RAM cannot be mapped over it nor it over RAM. */
static void test_mmio_entries(void **state)
{
	struct fixture *f = *state;
	const u64 apic = 0xFEE00000ULL, mask = svm_npt_mmio_mask(40, 0);
	assert_true(svm_npt_map(&f->npt, 0, GiB(1), MiB(2), SVM_NPT_FLAGS_RAM));
	assert_true(svm_npt_map_mmio(&f->npt, apic, 0x1000, mask));
	assert_int_equal(f->npt.pages_mmio, 1);
	expect_unmapped(&f->npt, apic);
	expect_unmapped(&f->npt, apic + 0x1000);

	struct svm_npt_table *t = pool_ptr(&f->pool, f->npt.root_pa);
	t = pool_ptr(&f->pool, t->e[0].val & SVM_NPT_ADDR_MASK);       /* PML4[0] */
	t = pool_ptr(&f->pool, t->e[3].val & SVM_NPT_ADDR_MASK);       /* PDPT[3]: 3 GiB */
	t = pool_ptr(&f->pool, t->e[0x1F7].val & SVM_NPT_ADDR_MASK);   /* PD: 0xFEE00000 >> 21 */
	assert_int_equal(t->e[0].val, 0x000FFF0000000000ULL | BIT(9) | SVM_NPT_RW | SVM_NPT_US |
					      SVM_NPT_P);

	assert_false(svm_npt_map(&f->npt, apic, GiB(2), 0x1000, SVM_NPT_FLAGS_RAM));
	assert_false(svm_npt_map_mmio(&f->npt, apic, 0x1000, mask));   /* already there */
	assert_false(svm_npt_map_mmio(&f->npt, 0x1000, 0x1000, mask)); /* RAM */
	assert_false(svm_npt_map_mmio(&f->npt, apic + 0x2000, 0x1000, 0));
	assert_false(svm_npt_map_mmio(&f->npt, apic + 0x2000, 0x1000, BIT(63)));
	assert_false(svm_npt_map_mmio(&f->npt, apic + 0x2001, 0x1000, mask));
	assert_false(svm_npt_map_mmio(&f->npt, BIT(48) - 0x1000, 0x2000, mask));
	assert_int_equal(f->npt.pages_mmio, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_init, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unaligned_mix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_misaligned_hpa_uses_4k, setup, teardown),
		cmocka_unit_test_setup_teardown(test_entry_format, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cbit_alias, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_of_tables, setup, teardown),
		cmocka_unit_test_setup_teardown(test_large, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mmio_mask, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mmio_entries, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
