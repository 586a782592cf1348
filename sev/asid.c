/* ASID allocator; see asid.h. */
#include "sev/asid.h"
#include "lib/kstring.h"

void sev_asid_setup(struct sev_asids *a, u32 nr_asids, u32 max_sev_asid, u32 min_sev_asid)
{
	memset(a, 0, sizeof(*a));
	a->nr_asids = MIN(nr_asids, (u32)SEV_ASID_TRACKED);
	a->max_sev_asid = max_sev_asid;
	a->min_sev_asid = min_sev_asid;
}

bool sev_asid_range(const struct sev_asids *a, enum sev_asid_kind kind, u32 *lo, u32 *hi)
{
	if (kind == SEV_ASID_ES) {
		*lo = 1;
		*hi = a->min_sev_asid ? a->min_sev_asid - 1 : 0;
	} else {
		/* Above every SEV ASID (ECX), and above the SEV-ES range in case EDX > ECX + 1. */
		*lo = MAX(a->max_sev_asid, a->min_sev_asid ? a->min_sev_asid - 1 : 0) + 1;
		*hi = a->nr_asids ? a->nr_asids - 1 : 0;
	}
	*hi = MIN(*hi, (u32)SEV_ASID_TRACKED - 1);
	return *lo <= *hi;
}

enum sev_asid_result sev_asid_alloc(struct sev_asids *a, enum sev_asid_kind kind, u32 *out)
{
	u32 lo, hi;
	*out = 0;
	if (!sev_asid_range(a, kind, &lo, &hi))
		return SEV_ASID_NONE;
	bool dirty = false;
	for (u32 i = lo; i <= hi; i++) {
		if (a->state[i] == SEV_ASID_FREE) {
			a->state[i] = SEV_ASID_USED;
			*out = i;
			return SEV_ASID_OK;
		}
		dirty |= a->state[i] == SEV_ASID_DIRTY;
	}
	return dirty ? SEV_ASID_NEED_FLUSH : SEV_ASID_NONE;
}

void sev_asid_free(struct sev_asids *a, u32 asid, bool dirty)
{
	if (asid && asid < SEV_ASID_TRACKED && a->state[asid] == SEV_ASID_USED)
		a->state[asid] = dirty ? SEV_ASID_DIRTY : SEV_ASID_FREE;
}

void sev_asid_flushed(struct sev_asids *a)
{
	for (u32 i = 0; i < SEV_ASID_TRACKED; i++)
		if (a->state[i] == SEV_ASID_DIRTY)
			a->state[i] = SEV_ASID_FREE;
}

u32 sev_asid_count(const struct sev_asids *a, enum sev_asid_state state)
{
	u32 n = 0;
	for (u32 i = 1; i < SEV_ASID_TRACKED; i++)
		n += a->state[i] == state;
	return n;
}
