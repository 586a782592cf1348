/* The soft PSP; see soft_psp.h. Facts: ghcb-sev-facts.md F.3 (commands), F.4 (buffers), F.5
 * (state machines), F.6 (preconditions and their codes), F.7 (status codes), from the SEV API
 * (#55766) as AMD's firmware source implements it. One handler per command, in a table. */
#include "sev/soft_psp.h"
#include "lib/kstring.h"

/* SHA-256("sevisor soft PSP TIK")[0..15]: a published, non-secret key (soft_psp.h). */
const u8 SEV_SOFT_PSP_TIK[SEV_SOFT_PSP_TIK_SIZE] = {
	0x06, 0xa6, 0xed, 0xfd, 0x16, 0x66, 0x34, 0x23, 0xfb, 0xcf, 0x6a, 0x31, 0xbe, 0x47, 0x9d, 0xc0,
};

#define SOFT_PSP_FIRST_HANDLE 1

static struct soft_psp *sp_of(struct sev_psp *psp)
{
	return (struct soft_psp *)psp;
}

/* The firmware strips the C-bit from the system physical addresses it is given (F.2). */
static void *sp_mem(const struct soft_psp *sp, u64 addr)
{
	return (void *)(uintptr_t)(addr & ~BIT(sp->psp.cbit));
}

static struct soft_psp_guest *sp_guest(struct soft_psp *sp, u32 handle)
{
	for (unsigned i = 0; i < SEV_SOFT_PSP_MAX_GUESTS; i++)
		if (sp->guests[i].used && sp->guests[i].handle == handle)
			return &sp->guests[i];
	return NULL;
}

static u32 sp_guest_count(const struct soft_psp *sp)
{
	u32 n = 0;
	for (unsigned i = 0; i < SEV_SOFT_PSP_MAX_GUESTS; i++)
		n += sp->guests[i].used;
	return n;
}

/* Guest commands need the platform in WORKING (F.5: ACTIVATE, DEACTIVATE, LAUNCH_UPDATE_*,
 * MEASURE, FINISH), a known handle, and the guest in one of the states given as a bit mask. */
#define GS(s) (1u << (s))
static u32 sp_guest_check(struct soft_psp *sp, u32 handle, u32 states, struct soft_psp_guest **out)
{
	if (sp->state != SEV_PLATFORM_WORKING)
		return SEV_ERR_INVALID_PLATFORM_STATE;
	struct soft_psp_guest *g = sp_guest(sp, handle);
	if (!g)
		return SEV_ERR_INVALID_GUEST;
	if (!(states & GS(g->state)))
		return SEV_ERR_INVALID_GUEST_STATE;
	*out = g;
	return SEV_OK;
}

/* ---- platform commands ---- */

static u32 sp_init(struct soft_psp *sp, void *buf)
{
	const struct sev_data_init *d = buf;
	if (sp->state != SEV_PLATFORM_UNINIT)
		return SEV_ERR_INVALID_PLATFORM_STATE;
	if (d->flags & SEV_INIT_FLAGS_SEV_ES) {
		/* SEV-ES: the TMR is exactly 1 MiB and 1 MiB aligned (F.4 "TMR rules"). */
		if (d->tmr_length != SEV_TMR_SIZE)
			return SEV_ERR_INVALID_LEN;
		if (!d->tmr_address || !IS_ALIGNED(d->tmr_address, SEV_TMR_SIZE))
			return SEV_ERR_INVALID_ADDRESS;
	}
	sp->state = SEV_PLATFORM_INIT;
	sp->es_init = d->flags & SEV_INIT_FLAGS_SEV_ES;
	/* After INIT every ASID is dirty and no CPU has done WBINVD (F.6 step 2). */
	sp->wbinvd_done = false;
	for (unsigned i = 0; i < SEV_SOFT_PSP_MAX_ASIDS; i++)
		sp->asid_dirty[i] = true;
	return SEV_OK;
}

static u32 sp_shutdown(struct soft_psp *sp, void *buf)
{
	(void)buf;
	/* Any state -> UNINIT; guests are decommissioned (F.3). */
	memset(sp->guests, 0, sizeof(sp->guests));
	sp->state = SEV_PLATFORM_UNINIT;
	sp->es_init = false;
	return SEV_OK;
}

static u32 sp_platform_status(struct soft_psp *sp, void *buf)
{
	struct sev_data_platform_status *d = buf;
	memset(d, 0, sizeof(*d));
	d->api_major = SEV_SOFT_PSP_API_MAJOR;
	d->api_minor = SEV_SOFT_PSP_API_MINOR;
	d->build = SEV_SOFT_PSP_BUILD;
	d->state = sp->state;
	d->config_flags = sp->es_init ? SEV_PLATFORM_CONFIG_ES : 0;
	d->guest_count = sp_guest_count(sp);
	return SEV_OK;
}

static u32 sp_df_flush(struct soft_psp *sp, void *buf)
{
	(void)buf;
	if (sp->state == SEV_PLATFORM_UNINIT)
		return SEV_ERR_INVALID_PLATFORM_STATE;
	if (!sp->wbinvd_done)
		return SEV_ERR_WBINVD_REQUIRED;
	for (unsigned i = 0; i < SEV_SOFT_PSP_MAX_ASIDS; i++)
		sp->asid_dirty[i] = false;
	return SEV_OK;
}

/* ---- guest commands ---- */

static u32 sp_launch_start(struct soft_psp *sp, void *buf)
{
	struct sev_data_launch_start *d = buf;
	if (sp->state == SEV_PLATFORM_UNINIT)
		return SEV_ERR_INVALID_PLATFORM_STATE;
	if (d->handle != 0) {
		/* Key sharing with an existing guest: NOKS forbids it; not modelled otherwise. */
		struct soft_psp_guest *o = sp_guest(sp, d->handle);
		if (!o)
			return SEV_ERR_INVALID_GUEST;
		return (o->policy & SEV_POLICY_NOKS) ? SEV_ERR_POLICY_FAILURE : SEV_ERR_UNSUPPORTED;
	}
	/* An SEV-ES policy needs a platform initialised for SEV-ES (F.6 step 3). */
	if ((d->policy & SEV_POLICY_ES) && !sp->es_init)
		return SEV_ERR_UNSUPPORTED;
	struct soft_psp_guest *g = NULL;
	for (unsigned i = 0; i < SEV_SOFT_PSP_MAX_GUESTS && !g; i++)
		if (!sp->guests[i].used)
			g = &sp->guests[i];
	if (!g)
		return SEV_ERR_RESOURCE_LIMIT;
	memset(g, 0, sizeof(*g));
	g->used = true;
	g->handle = sp->next_handle++;
	g->policy = d->policy;
	g->state = SEV_GUEST_LUPDATE;
	sha256_init(&g->digest);
	d->handle = g->handle;
	sp->state = SEV_PLATFORM_WORKING;
	return SEV_OK;
}

static bool sp_asid_owned(const struct soft_psp *sp, u32 asid)
{
	for (unsigned i = 0; i < SEV_SOFT_PSP_MAX_GUESTS; i++)
		if (sp->guests[i].used && sp->guests[i].asid == asid)
			return true;
	return false;
}

static u32 sp_activate(struct soft_psp *sp, void *buf)
{
	const struct sev_data_activate *d = buf;
	struct soft_psp_guest *g;
	u32 st = sp_guest_check(sp, d->handle, GS(SEV_GUEST_LUPDATE) | GS(SEV_GUEST_LSECRET) | GS(SEV_GUEST_RUNNING), &g);
	if (st)
		return st;
	if (g->asid)
		return SEV_ERR_ACTIVE;
	/* SEV-ES guests: 1..min_sev_asid-1; SEV guests: min_sev_asid..max_sev_asid (F.6 step 0). */
	bool es = g->policy & SEV_POLICY_ES;
	u32 lo = es ? 1 : sp->psp.min_sev_asid, hi = es ? sp->psp.min_sev_asid - 1 : sp->psp.max_sev_asid;
	if (d->asid < lo || d->asid > hi || d->asid >= SEV_SOFT_PSP_MAX_ASIDS)
		return SEV_ERR_INVALID_ASID;
	if (sp_asid_owned(sp, d->asid))
		return SEV_ERR_ASID_OWNED;
	if (sp->asid_dirty[d->asid])
		return SEV_ERR_DFFLUSH_REQUIRED;
	g->asid = d->asid;
	g->asid_valid = g->state == SEV_GUEST_RUNNING;
	return SEV_OK;
}

static u32 sp_deactivate(struct soft_psp *sp, void *buf)
{
	const struct sev_data_handle *d = buf;
	struct soft_psp_guest *g;
	u32 st = sp_guest_check(sp, d->handle, GS(SEV_GUEST_LUPDATE) | GS(SEV_GUEST_LSECRET) | GS(SEV_GUEST_RUNNING), &g);
	if (st)
		return st;
	if (!g->asid)
		return SEV_ERR_INACTIVE;
	/* An ASID made valid (LAUNCH_FINISH) is dirty until WBINVD + DF_FLUSH; DEACTIVATE also
	 * clears the WBINVD indicator (F.6 steps 11, 12). */
	if (g->asid_valid)
		sp->asid_dirty[g->asid] = true;
	sp->wbinvd_done = false;
	g->asid = 0;
	g->asid_valid = false;
	return SEV_OK;
}

static u32 sp_decommission(struct soft_psp *sp, void *buf)
{
	const struct sev_data_handle *d = buf;
	if (sp->state == SEV_PLATFORM_UNINIT)
		return SEV_ERR_INVALID_PLATFORM_STATE;
	struct soft_psp_guest *g = sp_guest(sp, d->handle);
	if (!g)
		return SEV_ERR_INVALID_GUEST;
	if (g->asid)
		return SEV_ERR_ACTIVE;
	memset(g, 0, sizeof(*g));
	if (!sp_guest_count(sp))
		sp->state = SEV_PLATFORM_INIT; /* the last guest gone (F.5) */
	return SEV_OK;
}

static u32 sp_guest_status(struct soft_psp *sp, void *buf)
{
	struct sev_data_guest_status *d = buf;
	if (sp->state == SEV_PLATFORM_UNINIT)
		return SEV_ERR_INVALID_PLATFORM_STATE;
	struct soft_psp_guest *g = sp_guest(sp, d->handle);
	if (!g)
		return SEV_ERR_INVALID_GUEST;
	d->policy = g->policy;
	d->asid = g->asid;
	d->state = g->state;
	return SEV_OK;
}

/* LAUNCH_UPDATE_DATA / _VMSA: LUPDATE, active (else INACTIVE), 16-byte aligned address and
 * length, length not 0 (F.6 step 5). The plaintext goes into the launch digest. */
static u32 sp_launch_update(struct soft_psp *sp, void *buf, bool vmsa)
{
	const struct sev_data_launch_update *d = buf;
	struct soft_psp_guest *g;
	u32 st = sp_guest_check(sp, d->handle, GS(SEV_GUEST_LUPDATE), &g);
	if (st)
		return st;
	if (!g->asid)
		return SEV_ERR_INACTIVE;
	if (vmsa && !(g->policy & SEV_POLICY_ES))
		return SEV_ERR_UNSUPPORTED;
	if (vmsa ? d->length != SEV_VMSA_SIZE : (!d->length || !IS_ALIGNED(d->length, SEV_LAUNCH_UPDATE_ALIGN)))
		return SEV_ERR_INVALID_LEN;
	u64 addr = d->address & ~BIT(sp->psp.cbit);
	if (!addr || !IS_ALIGNED(addr, vmsa ? PAGE_SIZE : SEV_LAUNCH_UPDATE_ALIGN))
		return SEV_ERR_INVALID_ADDRESS;
	sha256_update(&g->digest, sp_mem(sp, d->address), d->length);
	return SEV_OK;
}

static u32 sp_launch_update_data(struct soft_psp *sp, void *buf)
{
	return sp_launch_update(sp, buf, false);
}

static u32 sp_launch_update_vmsa(struct soft_psp *sp, void *buf)
{
	return sp_launch_update(sp, buf, true);
}

void sev_measurement_compute(const u8 *tik, size_t tik_len, u8 api_major, u8 api_minor, u8 build, u32 policy,
			     const u8 digest[SHA256_DIGEST_SIZE], const u8 mnonce[SEV_MNONCE_SIZE],
			     u8 out[SHA256_DIGEST_SIZE])
{
	const u8 head[8] = { SEV_MEASURE_CONTEXT, api_major, api_minor, build,
			     (u8)policy, (u8)(policy >> 8), (u8)(policy >> 16), (u8)(policy >> 24) };
	struct hmac_sha256_ctx h;
	hmac_sha256_init(&h, tik, tik_len);
	hmac_sha256_update(&h, head, sizeof(head));
	hmac_sha256_update(&h, digest, SHA256_DIGEST_SIZE);
	hmac_sha256_update(&h, mnonce, SEV_MNONCE_SIZE);
	hmac_sha256_final(&h, out);
}

static u32 sp_launch_measure(struct soft_psp *sp, void *buf)
{
	struct sev_data_launch_measure *d = buf;
	struct soft_psp_guest *g;
	u32 st = sp_guest_check(sp, d->handle, GS(SEV_GUEST_LUPDATE), &g);
	if (st)
		return st;
	if (d->length < sizeof(struct sev_measurement)) {
		d->length = sizeof(struct sev_measurement); /* the length needed (F.4) */
		return SEV_ERR_INVALID_LEN;
	}
	if (!d->address)
		return SEV_ERR_INVALID_ADDRESS;
	struct sev_measurement m;
	u8 seed[16];
	memcpy(seed, &sp->mnonce_seed, 8);
	memcpy(seed + 8, &sp->mnonce_count, 8);
	sp->mnonce_count++;
	u8 h[SHA256_DIGEST_SIZE];
	sha256(seed, sizeof(seed), h);
	memcpy(m.mnonce, h, SEV_MNONCE_SIZE);
	sha256_final(&g->digest, g->launch_digest);
	sev_measurement_compute(SEV_SOFT_PSP_TIK, sizeof(SEV_SOFT_PSP_TIK), SEV_SOFT_PSP_API_MAJOR,
				SEV_SOFT_PSP_API_MINOR, SEV_SOFT_PSP_BUILD, g->policy, g->launch_digest, m.mnonce,
				m.measurement);
	memcpy(sp_mem(sp, d->address), &m, sizeof(m));
	d->length = sizeof(m);
	g->state = SEV_GUEST_LSECRET;
	return SEV_OK;
}

static u32 sp_launch_finish(struct soft_psp *sp, void *buf)
{
	const struct sev_data_handle *d = buf;
	struct soft_psp_guest *g;
	/* LSECRET only: LAUNCH_MEASURE must come first (F.5 "Important"). */
	u32 st = sp_guest_check(sp, d->handle, GS(SEV_GUEST_LSECRET), &g);
	if (st)
		return st;
	g->state = SEV_GUEST_RUNNING;
	g->asid_valid = g->asid != 0; /* the ASID becomes valid on the CPUs now (F.6 step 4) */
	return SEV_OK;
}

typedef u32 (*sp_cmd_fn)(struct soft_psp *sp, void *buf);

static const struct {
	u32 cmd;
	sp_cmd_fn fn;
	bool needs_buf;
} sp_commands[] = {
	{ SEV_CMD_INIT, sp_init, true },
	{ SEV_CMD_SHUTDOWN, sp_shutdown, false },
	{ SEV_CMD_PLATFORM_STATUS, sp_platform_status, true },
	{ SEV_CMD_DF_FLUSH, sp_df_flush, false },
	{ SEV_CMD_DECOMMISSION, sp_decommission, true },
	{ SEV_CMD_ACTIVATE, sp_activate, true },
	{ SEV_CMD_DEACTIVATE, sp_deactivate, true },
	{ SEV_CMD_GUEST_STATUS, sp_guest_status, true },
	{ SEV_CMD_LAUNCH_START, sp_launch_start, true },
	{ SEV_CMD_LAUNCH_UPDATE_DATA, sp_launch_update_data, true },
	{ SEV_CMD_LAUNCH_UPDATE_VMSA, sp_launch_update_vmsa, true },
	{ SEV_CMD_LAUNCH_MEASURE, sp_launch_measure, true },
	{ SEV_CMD_LAUNCH_FINISH, sp_launch_finish, true },
};

static u32 sp_submit(struct sev_psp *psp, u32 cmd, void *buf)
{
	struct soft_psp *sp = sp_of(psp);
	for (unsigned i = 0; i < ARRAY_SIZE(sp_commands); i++) {
		if (sp_commands[i].cmd != cmd)
			continue;
		if (sp_commands[i].needs_buf && !buf)
			return SEV_ERR_INVALID_ADDRESS;
		return sp_commands[i].fn(sp, buf);
	}
	return SEV_ERR_INVALID_COMMAND;
}

static void sp_wbinvd_all(struct sev_psp *psp)
{
	sp_of(psp)->wbinvd_done = true;
}

static const struct sev_psp_ops soft_psp_ops = { sp_submit, sp_wbinvd_all };

void soft_psp_init(struct soft_psp *sp, u32 es_asids, u64 mnonce_seed)
{
	memset(sp, 0, sizeof(*sp));
	if (es_asids > SEV_SOFT_PSP_MAX_ASIDS - 1)
		es_asids = SEV_SOFT_PSP_MAX_ASIDS - 1;
	sp->psp.ops = &soft_psp_ops;
	sp->psp.kind = "soft";
	sp->psp.cbit = SEV_SOFT_PSP_CBIT;
	sp->psp.min_sev_asid = es_asids + 1;
	sp->psp.max_sev_asid = es_asids;
	sp->state = SEV_PLATFORM_UNINIT;
	sp->next_handle = SOFT_PSP_FIRST_HANDLE;
	sp->mnonce_seed = mnonce_seed;
}

/* Four SEV-ES ASIDs are enough for guests that run one after another with flushes between;
 * at least one ASID (besides the host's 0) stays for plain guests. */
#define SOFT_PSP_ES_ASIDS 4

u32 soft_psp_es_asids_for(u32 nr_asids)
{
	if (nr_asids < 3)
		return 0;
	return MIN((u32)SOFT_PSP_ES_ASIDS, nr_asids - 2);
}
