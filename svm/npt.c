/* Nested page table builder; see npt.h. Layout: APM vol. 2, 5.3.3 (4-level long-mode tables)
 * as used for the nested walk by 15.25.5 ("Nested Table Walk"). */
#include "svm/npt.h"
#include "lib/kstring.h"

/* Level numbers follow the APM: 4 = PML4, 3 = PDPT, 2 = PD, 1 = PT. */
#define LEVEL_PML4 4
#define LEVEL_PD 2
#define LEVEL_PT 1

/* Bits of the GPA that index the table at each level: 47:39, 38:30, 29:21, 20:12. */
static unsigned level_shift(unsigned level)
{
	return PAGE_SHIFT + 9 * (level - 1);
}

static unsigned table_index(u64 gpa, unsigned level)
{
	return (unsigned)((gpa >> level_shift(level)) & (SVM_NPT_ENTRIES - 1));
}

/* How much GPA space one entry at this level covers. */
static u64 entry_span(unsigned level)
{
	return 1ULL << level_shift(level);
}

/* A non-leaf entry grants everything; the leaf alone decides the access rights (the walk ANDs
 * RW and US and ORs NX over all levels, APM vol. 2, 5.6 "Page-Protection Checks"). */
#define TABLE_ENTRY_FLAGS (SVM_NPT_P | SVM_NPT_RW | SVM_NPT_US)

static bool entry_present(struct svm_npt_entry e)
{
	return (e.val & SVM_NPT_P) != 0;
}

/* A leaf: a PT entry, or a PD entry with PS (2 MiB page). */
static bool entry_is_leaf(struct svm_npt_entry e, unsigned level)
{
	return level == LEVEL_PT || (level == LEVEL_PD && (e.val & SVM_NPT_PS));
}

static struct svm_npt_table *table_at(const struct svm_npt *npt, u64 pa)
{
	return npt->mem.table_ptr(npt->mem.ctx, pa);
}

static struct svm_npt_table *next_table(const struct svm_npt *npt, struct svm_npt_entry e)
{
	return table_at(npt, e.val & SVM_NPT_ADDR_MASK);
}

bool svm_npt_init(struct svm_npt *npt, const struct svm_npt_mem *mem)
{
	memset(npt, 0, sizeof(*npt));
	if (!mem || !mem->alloc_table || !mem->table_ptr)
		return false;
	npt->mem = *mem;
	u64 pa = 0;
	void *root = mem->alloc_table(mem->ctx, &pa);
	if (!root || !IS_ALIGNED(pa, PAGE_SIZE) || (pa & ~SVM_NPT_ADDR_MASK))
		return false;
	npt->root_pa = pa;
	npt->tables = 1;
	return true;
}

/* True when no page of [gpa, end) is mapped. Skips whole non-present subtrees, so checking a
 * large range costs one walk per present table rather than one per page. */
static bool range_is_free(const struct svm_npt *npt, u64 gpa, u64 end)
{
	u64 a = gpa;
	while (a < end) {
		const struct svm_npt_table *t = table_at(npt, npt->root_pa);
		for (unsigned level = LEVEL_PML4;; level--) {
			struct svm_npt_entry e = t->e[table_index(a, level)];
			if (!entry_present(e)) {
				a = ALIGN_DOWN(a, entry_span(level)) + entry_span(level);
				break;
			}
			if (entry_is_leaf(e, level))
				return false;
			t = next_table(npt, e);
		}
	}
	return true;
}

/* The table at target_level that translates gpa, allocating missing tables on the way down.
 * NULL when the allocator fails or a leaf sits in the way (not possible after range_is_free). */
static struct svm_npt_table *walk_alloc(struct svm_npt *npt, u64 gpa, unsigned target_level)
{
	struct svm_npt_table *t = table_at(npt, npt->root_pa);
	for (unsigned level = LEVEL_PML4; level > target_level; level--) {
		struct svm_npt_entry *e = &t->e[table_index(gpa, level)];
		if (!entry_present(*e)) {
			u64 pa = 0;
			void *page = npt->mem.alloc_table(npt->mem.ctx, &pa);
			if (!page || !IS_ALIGNED(pa, PAGE_SIZE) || (pa & ~SVM_NPT_ADDR_MASK))
				return NULL;
			npt->tables++;
			e->val = pa | TABLE_ENTRY_FLAGS;
		} else if (entry_is_leaf(*e, level)) {
			return NULL;
		}
		t = next_table(npt, *e);
	}
	return t;
}

bool svm_npt_map(struct svm_npt *npt, u64 gpa, u64 hpa, u64 size, u64 flags)
{
	if (size == 0 || !IS_ALIGNED(gpa, PAGE_SIZE) || !IS_ALIGNED(hpa, PAGE_SIZE) ||
	    !IS_ALIGNED(size, PAGE_SIZE))
		return false;
	if (flags & ~(u64)SVM_NPT_MAP_FLAGS)
		return false;
	/* Written so that nothing overflows: size <= limit and start <= limit - size. */
	const u64 gpa_limit = 1ULL << SVM_NPT_GPA_BITS, hpa_limit = 1ULL << SVM_NPT_HPA_BITS;
	if (size > gpa_limit || gpa > gpa_limit - size || size > hpa_limit || hpa > hpa_limit - size)
		return false;
	if (!range_is_free(npt, gpa, gpa + size))
		return false;

	const u64 leaf_flags = flags | SVM_NPT_P | SVM_NPT_US;
	while (size) {
		bool big = IS_ALIGNED(gpa, SVM_NPT_PAGE_2M) && IS_ALIGNED(hpa, SVM_NPT_PAGE_2M) &&
			   size >= SVM_NPT_PAGE_2M;
		if (big) {
			struct svm_npt_table *pd = walk_alloc(npt, gpa, LEVEL_PD);
			if (!pd)
				return false;
			struct svm_npt_entry *e = &pd->e[table_index(gpa, LEVEL_PD)];
			/* An empty PT left under this PDE forces 4 KiB pages for this chunk. */
			if (!entry_present(*e)) {
				e->val = hpa | leaf_flags | SVM_NPT_PS;
				npt->pages_2m++;
				gpa += SVM_NPT_PAGE_2M;
				hpa += SVM_NPT_PAGE_2M;
				size -= SVM_NPT_PAGE_2M;
				continue;
			}
		}
		struct svm_npt_table *pt = walk_alloc(npt, gpa, LEVEL_PT);
		if (!pt)
			return false;
		pt->e[table_index(gpa, LEVEL_PT)].val = hpa | leaf_flags;
		npt->pages_4k++;
		gpa += SVM_NPT_PAGE_4K;
		hpa += SVM_NPT_PAGE_4K;
		size -= SVM_NPT_PAGE_4K;
	}
	return true;
}

u64 svm_npt_mmio_mask(unsigned phys_bits, unsigned enc_bit)
{
	unsigned bit = phys_bits ? phys_bits : SVM_NPT_HPA_BITS;
	if (enc_bit && enc_bit == bit)
		bit++;
	return bit < SVM_NPT_HPA_BITS ? GENMASK(SVM_NPT_HPA_BITS - 1, bit) : 0;
}

bool svm_npt_map_mmio(struct svm_npt *npt, u64 gpa, u64 size, u64 rsvd_mask)
{
	if (size == 0 || !IS_ALIGNED(gpa, PAGE_SIZE) || !IS_ALIGNED(size, PAGE_SIZE) ||
	    rsvd_mask == 0 || (rsvd_mask & ~(u64)GENMASK(SVM_NPT_HPA_BITS - 1, 12)))
		return false;
	const u64 gpa_limit = 1ULL << SVM_NPT_GPA_BITS;
	if (size > gpa_limit || gpa > gpa_limit - size || !range_is_free(npt, gpa, gpa + size))
		return false;
	for (; size; gpa += SVM_NPT_PAGE_4K, size -= SVM_NPT_PAGE_4K) {
		struct svm_npt_table *pt = walk_alloc(npt, gpa, LEVEL_PT);
		if (!pt)
			return false;
		pt->e[table_index(gpa, LEVEL_PT)].val =
			rsvd_mask | SVM_NPT_AVL_MMIO | SVM_NPT_RW | SVM_NPT_US | SVM_NPT_P;
		npt->pages_mmio++;
	}
	return true;
}

bool svm_npt_lookup_flags(const struct svm_npt *npt, u64 gpa, u64 *hpa, unsigned *page_size,
			  u64 *flags)
{
	if (!npt->root_pa || gpa >> SVM_NPT_GPA_BITS)
		return false;
	const struct svm_npt_table *t = table_at(npt, npt->root_pa);
	for (unsigned level = LEVEL_PML4;; level--) {
		struct svm_npt_entry e = t->e[table_index(gpa, level)];
		if (!entry_present(e))
			return false;
		if (entry_is_leaf(e, level)) {
			if (e.val & SVM_NPT_AVL_MMIO)
				return false; /* an MMIO marker maps nothing */
			u64 span = entry_span(level);
			u64 mask = level == LEVEL_PD ? SVM_NPT_ADDR_MASK_2M : SVM_NPT_ADDR_MASK;
			if (hpa)
				*hpa = (e.val & mask) | (gpa & (span - 1));
			if (page_size)
				*page_size = (unsigned)span;
			if (flags)
				*flags = e.val & ~mask;
			return true;
		}
		t = next_table(npt, e);
	}
}

bool svm_npt_lookup(const struct svm_npt *npt, u64 gpa, u64 *hpa, unsigned *page_size)
{
	return svm_npt_lookup_flags(npt, gpa, hpa, page_size, NULL);
}

/* Frees the tables below t (t itself is freed by the caller). Depth is at most 3. */
static void free_subtree(struct svm_npt *npt, struct svm_npt_table *t, unsigned level)
{
	if (level == LEVEL_PT)
		return;
	for (unsigned i = 0; i < SVM_NPT_ENTRIES; i++) {
		struct svm_npt_entry e = t->e[i];
		if (!entry_present(e) || entry_is_leaf(e, level))
			continue;
		u64 pa = e.val & SVM_NPT_ADDR_MASK;
		struct svm_npt_table *child = table_at(npt, pa);
		free_subtree(npt, child, level - 1);
		npt->mem.free_table(npt->mem.ctx, pa, child);
	}
}

void svm_npt_destroy(struct svm_npt *npt)
{
	if (npt->root_pa && npt->mem.free_table) {
		struct svm_npt_table *root = table_at(npt, npt->root_pa);
		free_subtree(npt, root, LEVEL_PML4);
		npt->mem.free_table(npt->mem.ctx, npt->root_pa, root);
	}
	memset(npt, 0, sizeof(*npt));
}
