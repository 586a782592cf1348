/* Range-list page allocator. See page_alloc.h. */
#include "lib/page_alloc.h"
#include "lib/kstring.h"

struct palloc g_palloc;

void palloc_init(struct palloc *pa)
{
	memset(pa, 0, sizeof(*pa));
}

static bool insert_at(struct palloc *pa, unsigned i, u64 base, u64 size)
{
	if (pa->nr >= PALLOC_MAX_RANGES)
		return false;
	memmove(&pa->free[i + 1], &pa->free[i], (pa->nr - i) * sizeof(pa->free[0]));
	pa->free[i] = (struct palloc_range){ base, size };
	pa->nr++;
	return true;
}

static void remove_at(struct palloc *pa, unsigned i)
{
	memmove(&pa->free[i], &pa->free[i + 1], (pa->nr - i - 1) * sizeof(pa->free[0]));
	pa->nr--;
}

/* Inserts a free range in order, merging with neighbours. The caller checked for overlap. */
static bool insert_free(struct palloc *pa, u64 base, u64 size)
{
	unsigned i = 0;
	while (i < pa->nr && pa->free[i].base < base)
		i++;
	bool merge_prev = i > 0 && pa->free[i - 1].base + pa->free[i - 1].size == base;
	bool merge_next = i < pa->nr && base + size == pa->free[i].base;
	if (merge_prev && merge_next) {
		pa->free[i - 1].size += size + pa->free[i].size;
		remove_at(pa, i);
	} else if (merge_prev) {
		pa->free[i - 1].size += size;
	} else if (merge_next) {
		pa->free[i].base = base;
		pa->free[i].size += size;
	} else if (!insert_at(pa, i, base, size)) {
		return false;
	}
	pa->free_bytes += size;
	return true;
}

static bool overlaps_free(const struct palloc *pa, u64 base, u64 size)
{
	for (unsigned i = 0; i < pa->nr; i++)
		if (base < pa->free[i].base + pa->free[i].size && pa->free[i].base < base + size)
			return true;
	return false;
}

bool palloc_add(struct palloc *pa, u64 base, u64 size)
{
	if (base + size < base)
		return false;
	u64 start = ALIGN_UP(base, PAGE_SIZE);
	u64 end = ALIGN_DOWN(base + size, PAGE_SIZE);
	if (start < base)
		return true; /* rounding up wrapped: no whole page in the range */
	if (start < PAGE_SIZE)
		start = PAGE_SIZE; /* page 0 is never handed out */
	if (end <= start)
		return true; /* nothing whole to add */
	if (overlaps_free(pa, start, end - start))
		return false;
	return insert_free(pa, start, end - start);
}

/* True when reserving [base, end) would split a free range in two (needing a new slot). */
static bool needs_split(const struct palloc *pa, u64 base, u64 end)
{
	for (unsigned i = 0; i < pa->nr; i++)
		if (base > pa->free[i].base && end < pa->free[i].base + pa->free[i].size)
			return true;
	return false;
}

bool palloc_reserve(struct palloc *pa, u64 base, u64 size)
{
	if (!size)
		return true;
	u64 end = base + size < base ? ~0ULL : base + size;
	/* All-or-nothing: refuse before touching anything when a split has no room. */
	if (pa->nr >= PALLOC_MAX_RANGES && needs_split(pa, base, end))
		return false;
	for (unsigned i = 0; i < pa->nr;) {
		struct palloc_range *r = &pa->free[i];
		u64 rend = r->base + r->size;
		if (end <= r->base || base >= rend) {
			i++;
			continue;
		}
		u64 cut_lo = MAX(base, r->base), cut_hi = MIN(end, rend);
		pa->free_bytes -= cut_hi - cut_lo;
		if (cut_lo > r->base && cut_hi < rend) {
			/* Split in two. */
			u64 old_base = r->base;
			r->base = cut_hi;
			r->size = rend - cut_hi;
			if (!insert_at(pa, i, old_base, cut_lo - old_base))
				return false;
			i += 2;
		} else if (cut_lo > r->base) {
			r->size = cut_lo - r->base;
			i++;
		} else if (cut_hi < rend) {
			r->base = cut_hi;
			r->size = rend - cut_hi;
			i++;
		} else {
			remove_at(pa, i);
		}
	}
	return true;
}

u64 palloc_alloc(struct palloc *pa, u64 size, u64 align)
{
	if (!size || size > ~0ULL - PAGE_SIZE)
		return 0;
	size = ALIGN_UP(size, PAGE_SIZE);
	if (align < PAGE_SIZE)
		align = PAGE_SIZE;
	if (align & (align - 1))
		return 0;
	for (unsigned i = 0; i < pa->nr; i++) {
		const struct palloc_range *r = &pa->free[i];
		u64 start = ALIGN_UP(r->base, align);
		if (start < r->base || start - r->base > r->size || r->size - (start - r->base) < size)
			continue;
		if (!palloc_reserve(pa, start, size))
			return 0;
		return start;
	}
	return 0;
}

void palloc_free(struct palloc *pa, u64 base, u64 size)
{
	size = ALIGN_UP(size, PAGE_SIZE);
	if (!size || overlaps_free(pa, base, size))
		return; /* double free: ignored rather than corrupting the list */
	insert_free(pa, base, size);
}
