/* ASID allocation (issue 11 item 3; ghcb-sev-facts.md F.6 steps 0 and 12, G20, G21).
 *
 * - SEV-ES guests get ASIDs 1..min_sev_asid-1 (CPUID 0x8000001F EDX; none if EDX <= 1);
 * - plain guests get ASIDs above max_sev_asid (0x8000001F ECX), up to nr_asids-1 (0x8000000A
 *   EBX), so a plain guest never uses an ASID that carries an SEV key (G20);
 * - a freed SEV ASID that was valid (its guest reached LAUNCH_FINISH) is dirty until WBINVD on
 *   every CPU and a DF_FLUSH; it is not handed out before (G21). sev_asid_alloc says when
 *   only dirty ones are left, so the caller can flush and try again.
 * soft-es guests use the same allocator with the range the soft PSP reports. */
#ifndef SEV_ASID_H
#define SEV_ASID_H

#include "lib/types.h"

#define SEV_ASID_TRACKED 2048 /* ASIDs above this are never handed out */

enum sev_asid_kind {
	SEV_ASID_ES,    /* an SEV-ES (or soft-es) guest */
	SEV_ASID_PLAIN, /* a guest without SEV */
};

enum sev_asid_state {
	SEV_ASID_FREE = 0,
	SEV_ASID_USED,
	SEV_ASID_DIRTY, /* freed, waiting for WBINVD + DF_FLUSH */
};

enum sev_asid_result {
	SEV_ASID_OK = 0,
	SEV_ASID_NEED_FLUSH, /* none free, but dirty ones would be after WBINVD + DF_FLUSH */
	SEV_ASID_NONE,       /* none in the range at all, or all in use */
};

struct sev_asids {
	u32 nr_asids, max_sev_asid, min_sev_asid;
	u8 state[SEV_ASID_TRACKED];
};

void sev_asid_setup(struct sev_asids *a, u32 nr_asids, u32 max_sev_asid, u32 min_sev_asid);
/* The range [*lo, *hi] of a kind; false when it is empty. */
bool sev_asid_range(const struct sev_asids *a, enum sev_asid_kind kind, u32 *lo, u32 *hi);
/* The lowest free ASID of the kind in *out. */
enum sev_asid_result sev_asid_alloc(struct sev_asids *a, enum sev_asid_kind kind, u32 *out);
/* Frees an ASID; dirty: it held a valid SEV key (the guest reached LAUNCH_FINISH). */
void sev_asid_free(struct sev_asids *a, u32 asid, bool dirty);
/* WBINVD on every CPU and DF_FLUSH succeeded: every dirty ASID is free again. */
void sev_asid_flushed(struct sev_asids *a);
u32 sev_asid_count(const struct sev_asids *a, enum sev_asid_state state);

#endif
