/* The soft PSP: the SEV firmware as software, behind the PSP transport (sev/psp.h), used by
 * every soft-es guest so that it is launched like a real SEV-ES guest (issue 11 item 7).
 *
 * It keeps the platform and guest state machines of the SEV API (ghcb-sev-facts.md F.5, F.6)
 * and answers illegal sequences with the firmware's status codes (F.7): e.g. LAUNCH_FINISH
 * before LAUNCH_MEASURE is INVALID_GUEST_STATE, ACTIVATE of a dirty ASID is DFFLUSH_REQUIRED,
 * DF_FLUSH without WBINVD is WBINVD_REQUIRED. It computes the launch digest (SHA-256 over the
 * plaintext of every LAUNCH_UPDATE_DATA and LAUNCH_UPDATE_VMSA, in order) and the measurement
 * (HMAC-SHA-256 keyed with the TIK over 0x04, API major, API minor, build, policy, digest,
 * mnonce; F.4). It encrypts nothing: soft-es has no memory encryption.
 *
 * The soft PSP has no secrets: its TIK is the published constant SEV_SOFT_PSP_TIK, so anyone
 * can recompute a soft launch's measurement from the digest and the mnonce. The mnonce comes
 * from a counter and a seed the creator passes (sevisor passes the TSC). */
#ifndef SEV_SOFT_PSP_H
#define SEV_SOFT_PSP_H

#include "sev/psp.h"
#include "lib/sha256.h"

#define SEV_SOFT_PSP_API_MAJOR 0
#define SEV_SOFT_PSP_API_MINOR 24 /* the SEV API revision whose commands it models */
#define SEV_SOFT_PSP_BUILD 1
#define SEV_SOFT_PSP_CBIT 51      /* platform C-bit: above any host PA sevisor uses */
#define SEV_SOFT_PSP_MAX_GUESTS 4
#define SEV_SOFT_PSP_MAX_ASIDS 64
#define SEV_SOFT_PSP_TIK_SIZE 16
extern const u8 SEV_SOFT_PSP_TIK[SEV_SOFT_PSP_TIK_SIZE];

struct soft_psp_guest {
	bool used;
	u32 handle;
	u32 policy;
	u8 state;      /* enum sev_guest_state */
	u32 asid;      /* 0: not active */
	bool asid_valid; /* reached LAUNCH_FINISH while active: DEACTIVATE makes the ASID dirty */
	struct sha256_ctx digest;
	u8 launch_digest[SHA256_DIGEST_SIZE];
};

struct soft_psp {
	struct sev_psp psp; /* first: the transport hands back this pointer */
	u8 state;           /* enum sev_platform_state */
	bool es_init;       /* INIT had the SEV-ES flag and a valid TMR */
	bool wbinvd_done;   /* every CPU did WBINVD since INIT / the last DEACTIVATE (F.6 step 2) */
	u32 next_handle;
	u64 mnonce_seed, mnonce_count;
	bool asid_dirty[SEV_SOFT_PSP_MAX_ASIDS];
	struct soft_psp_guest guests[SEV_SOFT_PSP_MAX_GUESTS];
};

/* A soft PSP in state UNINIT reporting es_asids SEV-ES ASIDs (1..es_asids; min_sev_asid =
 * es_asids + 1) and no SEV-only ASIDs (max_sev_asid = es_asids): sevisor carves that range out
 * of the CPU's real ASIDs, and plain guests use the ASIDs above it. */
void soft_psp_init(struct soft_psp *sp, u32 es_asids, u64 mnonce_seed);

/* The number of SEV-ES ASIDs the soft PSP reports on a CPU with nr_asids ASIDs (CPUID
 * 0x8000000A EBX): a few, leaving at least one for plain guests; 0 when none fit. */
u32 soft_psp_es_asids_for(u32 nr_asids);

/* The measurement of the SEV API LAUNCH_MEASURE (F.4), computed from its parts; the soft PSP
 * uses it and so can anyone who checks a launch. */
void sev_measurement_compute(const u8 *tik, size_t tik_len, u8 api_major, u8 api_minor, u8 build, u32 policy,
			     const u8 digest[SHA256_DIGEST_SIZE], const u8 mnonce[SEV_MNONCE_SIZE],
			     u8 out[SHA256_DIGEST_SIZE]);

#endif
