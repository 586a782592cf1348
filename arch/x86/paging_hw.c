/* Host identity map with 2 MiB pages (APM vol. 2, 5.3: PML4 -> PDPT -> PD with PS=1). Built
 * after ExitBootServices so sevisor no longer depends on the firmware's tables. */
#include "arch/x86/paging.h"
#include "arch/x86/cpu.h"
#include "lib/log.h"
#include "lib/page_alloc.h"

#define PTE_P BIT(0)
#define PTE_RW BIT(1)
#define PTE_PWT BIT(3)
#define PTE_PCD BIT(4)
#define PTE_PS BIT(7)
#define ENTRIES 512
#define MAP_MIN GiB(4)
#define MAP_MAX GiB(512) /* one PML4 entry */

static u64 *g_pdpt;
static u64 g_top;

bool paging_init(u64 top)
{
	top = ALIGN_UP(MAX(top, MAP_MIN), GiB(1));
	if (top > MAP_MAX) {
		log_warn("paging: memory above 512 GiB is not mapped");
		top = MAP_MAX;
	}
	u64 *pml4 = page_alloc_zeroed(PAGE_SIZE, PAGE_SIZE);
	u64 *pdpt = page_alloc_zeroed(PAGE_SIZE, PAGE_SIZE);
	if (!pml4 || !pdpt)
		return false;
	pml4[0] = (u64)(uintptr_t)pdpt | PTE_P | PTE_RW;
	for (u64 gib = 0; gib < top / GiB(1); gib++) {
		u64 *pd = page_alloc_zeroed(PAGE_SIZE, PAGE_SIZE);
		if (!pd)
			return false;
		for (u64 i = 0; i < ENTRIES; i++)
			pd[i] = (gib * GiB(1) + i * LARGE_PAGE_SIZE) | PTE_P | PTE_RW | PTE_PS;
		pdpt[gib] = (u64)(uintptr_t)pd | PTE_P | PTE_RW;
	}
	g_pdpt = pdpt;
	g_top = top;
	cpu_write_cr3((u64)(uintptr_t)pml4);
	log_info("paging: identity map of %llu GiB installed (2 MiB pages)", (unsigned long long)(top / GiB(1)));
	return true;
}

/* PAT entry 3 (PCD=1, PWT=1) is UC in the power-on PAT (APM vol. 2, 7.8.2). */
bool paging_map_uncached(u64 pa, u64 size)
{
	if (!g_pdpt || !size || pa >= g_top || size > g_top - pa)
		return false;
	for (u64 a = ALIGN_DOWN(pa, LARGE_PAGE_SIZE); a < pa + size; a += LARGE_PAGE_SIZE) {
		u64 *pd = (u64 *)(uintptr_t)(g_pdpt[a / GiB(1)] & ~0xFFFULL);
		pd[(a % GiB(1)) / LARGE_PAGE_SIZE] |= PTE_PCD | PTE_PWT;
	}
	cpu_write_cr3(cpu_read_cr3()); /* flush the old translations */
	return true;
}
