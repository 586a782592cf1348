/* Zeroed page allocation from g_palloc. Relies on sevisor's identity map (physical ==
 * virtual), hence _hw: unit tests use the pure palloc_* calls instead. */
#include "lib/page_alloc.h"
#include "lib/kstring.h"

void *page_alloc_zeroed(u64 size, u64 align)
{
	u64 pa = palloc_alloc(&g_palloc, size, align);
	if (!pa)
		return NULL;
	void *p = (void *)(uintptr_t)pa;
	memset(p, 0, ALIGN_UP(size, PAGE_SIZE));
	return p;
}
