/* Platform bring-up, launch and teardown; see launch.h. */
#include "sev/launch.h"
#include "lib/fmt.h"
#include "lib/kstring.h"
#include "lib/log.h"

static bool cmd_failed(struct sev_launch *l, u32 cmd, u32 st)
{
	l->fail_cmd = cmd;
	l->fail_status = st;
	fmt_snprintf(l->reason, sizeof(l->reason), "SEV launch: %s failed: %s (0x%x)", sev_cmd_name(cmd),
		     sev_status_name(st), st);
	return false;
}

static bool bringup_failed(char *why, size_t n, u32 cmd, u32 st)
{
	fmt_snprintf(why, n, "%s failed: %s (0x%x)", sev_cmd_name(cmd), sev_status_name(st), st);
	return false;
}

bool sev_platform_bringup(struct sev_psp *psp, u64 tmr_pa, char *why, size_t why_len)
{
	struct sev_data_platform_status ps;
	u32 st = sev_psp_submit(psp, SEV_CMD_PLATFORM_STATUS, &ps);
	if (st)
		return bringup_failed(why, why_len, SEV_CMD_PLATFORM_STATUS, st);
	/* A firmware left initialised (by a previous boot or the BIOS) may lack SEV-ES or hold
	 * stale guests: start from UNINIT. */
	if (ps.state != SEV_PLATFORM_UNINIT && (st = sev_psp_submit(psp, SEV_CMD_SHUTDOWN, NULL)))
		return bringup_failed(why, why_len, SEV_CMD_SHUTDOWN, st);
	struct sev_data_init init = {
		.flags = SEV_INIT_FLAGS_SEV_ES,
		.tmr_address = tmr_pa,
		.tmr_length = SEV_TMR_SIZE,
	};
	st = sev_psp_submit(psp, SEV_CMD_INIT, &init);
	/* Corrupt persistent data: the firmware erased it; a second INIT regenerates it (F.6 1). */
	if (st == SEV_ERR_SECURE_DATA_INVALID) {
		log_warn("sev: INIT returned SECURE_DATA_INVALID; retrying once");
		st = sev_psp_submit(psp, SEV_CMD_INIT, &init);
	}
	if (st)
		return bringup_failed(why, why_len, SEV_CMD_INIT, st);
	psp->ops->wbinvd_all(psp);
	if ((st = sev_psp_submit(psp, SEV_CMD_DF_FLUSH, NULL)))
		return bringup_failed(why, why_len, SEV_CMD_DF_FLUSH, st);
	if ((st = sev_psp_submit(psp, SEV_CMD_PLATFORM_STATUS, &psp->status)))
		return bringup_failed(why, why_len, SEV_CMD_PLATFORM_STATUS, st);
	log_info("sev: %s PSP up: API %u.%u build %u, platform %s, SEV-ES %s", psp->kind, psp->status.api_major,
		 psp->status.api_minor, psp->status.build, sev_platform_state_name(psp->status.state),
		 (psp->status.config_flags & SEV_PLATFORM_CONFIG_ES) ? "initialised" : "NOT initialised");
	return true;
}

bool sev_launch_alloc_asid(struct sev_psp *psp, struct sev_asids *asids, struct sev_launch *l)
{
	enum sev_asid_result r = sev_asid_alloc(asids, SEV_ASID_ES, &l->asid);
	if (r == SEV_ASID_NEED_FLUSH) {
		/* Only dirty ASIDs left: WBINVD everywhere, then DF_FLUSH (F.6 step 12, G21). */
		psp->ops->wbinvd_all(psp);
		u32 st = sev_psp_submit(psp, SEV_CMD_DF_FLUSH, NULL);
		if (st)
			return cmd_failed(l, SEV_CMD_DF_FLUSH, st);
		sev_asid_flushed(asids);
		r = sev_asid_alloc(asids, SEV_ASID_ES, &l->asid);
	}
	if (r != SEV_ASID_OK) {
		u32 lo, hi;
		bool any = sev_asid_range(asids, SEV_ASID_ES, &lo, &hi);
		if (any)
			fmt_snprintf(l->reason, sizeof(l->reason), "SEV launch: no free SEV-ES ASID (all of %u..%u in use)",
				     lo, hi);
		else
			fmt_snprintf(l->reason, sizeof(l->reason),
				     "SEV launch: the platform has no SEV-ES ASIDs (min_sev_asid %u)", asids->min_sev_asid);
		return false;
	}
	return true;
}

static bool launch_update(struct sev_psp *psp, struct sev_launch *l, u32 cmd, const void *host, u64 len)
{
	struct sev_data_launch_update d = {
		.handle = l->handle,
		.address = sev_guest_pa(psp, host),
		.length = (u32)len,
	};
	if (len > 0xFFFFFFFFULL)
		return cmd_failed(l, cmd, SEV_ERR_INVALID_LEN);
	u32 st = sev_psp_submit(psp, cmd, &d);
	return st ? cmd_failed(l, cmd, st) : true;
}

bool sev_launch_guest(struct sev_psp *psp, struct sev_launch *l)
{
	const char *bad = sev_policy_refusal(l->policy);
	if (bad) {
		fmt_snprintf(l->reason, sizeof(l->reason), "SEV launch: policy 0x%x refused: %s", l->policy, bad);
		return false;
	}
	/* Policy bits 23:16 and 31:24: the lowest firmware API the guest owner accepts (C.5).
	 * The firmware checks them only within a guest-owner session, so sevisor does it. */
	u32 want_major = (l->policy >> SEV_POLICY_API_MAJOR_SHIFT) & 0xFF;
	u32 want_minor = (l->policy >> SEV_POLICY_API_MINOR_SHIFT) & 0xFF;
	if ((want_major << 8 | want_minor) > ((u32)psp->status.api_major << 8 | psp->status.api_minor)) {
		fmt_snprintf(l->reason, sizeof(l->reason),
			     "SEV launch: policy 0x%x asks for firmware API %u.%u or later, the %s PSP has %u.%u", l->policy,
			     want_major, want_minor, psp->kind, psp->status.api_major, psp->status.api_minor);
		return false;
	}
	struct sev_data_launch_start start = { .handle = 0, .policy = l->policy };
	u32 st = sev_psp_submit(psp, SEV_CMD_LAUNCH_START, &start);
	if (st)
		return cmd_failed(l, SEV_CMD_LAUNCH_START, st);
	l->handle = start.handle;
	l->started = true;

	struct sev_data_activate act = { .handle = l->handle, .asid = l->asid };
	if ((st = sev_psp_submit(psp, SEV_CMD_ACTIVATE, &act)))
		return cmd_failed(l, SEV_CMD_ACTIVATE, st);
	l->activated = true;

	struct sha256_ctx digest;
	sha256_init(&digest);
	for (unsigned i = 0; i < l->nr_regions; i++) {
		const struct sev_launch_region *r = &l->regions[i];
		log_debug("sev: guest %s: LAUNCH_UPDATE_DATA gpa 0x%llx, %llu bytes", l->name,
			  (unsigned long long)r->gpa, (unsigned long long)r->len);
		sha256_update(&digest, r->host, r->len);
		if (!launch_update(psp, l, SEV_CMD_LAUNCH_UPDATE_DATA, r->host, r->len))
			return false;
	}
	sev_vmsa_log(l->name, 0, l->vmsa);
	sha256_update(&digest, l->vmsa, sizeof(*l->vmsa));
	if (!launch_update(psp, l, SEV_CMD_LAUNCH_UPDATE_VMSA, l->vmsa, sizeof(*l->vmsa)))
		return false;
	sha256_final(&digest, l->digest);

	struct sev_data_launch_measure m = {
		.handle = l->handle,
		.address = sev_host_pa(&l->meas),
		.length = sizeof(l->meas),
	};
	if ((st = sev_psp_submit(psp, SEV_CMD_LAUNCH_MEASURE, &m)))
		return cmd_failed(l, SEV_CMD_LAUNCH_MEASURE, st);
	struct sev_data_handle fin = { .handle = l->handle };
	if ((st = sev_psp_submit(psp, SEV_CMD_LAUNCH_FINISH, &fin)))
		return cmd_failed(l, SEV_CMD_LAUNCH_FINISH, st);
	l->finished = true;
	return true;
}

void sev_launch_teardown(struct sev_psp *psp, struct sev_asids *asids, struct sev_launch *l)
{
	u32 st;
	struct sev_data_handle h = { .handle = l->handle };
	if (l->activated && (st = sev_psp_submit(psp, SEV_CMD_DEACTIVATE, &h)))
		log_warn("sev: guest %s: DEACTIVATE failed: %s (0x%x)", l->name, sev_status_name(st), st);
	/* Cache lines of the guest's memory still carry its key: write them back before the
	 * memory goes to anyone else (and this WBINVD counts for the next DF_FLUSH, since it
	 * comes after DEACTIVATE, F.6 step 12). */
	if (l->activated)
		psp->ops->wbinvd_all(psp);
	if (l->started && (st = sev_psp_submit(psp, SEV_CMD_DECOMMISSION, &h)))
		log_warn("sev: guest %s: DECOMMISSION failed: %s (0x%x)", l->name, sev_status_name(st), st);
	/* Only an ASID that became valid (LAUNCH_FINISH) needs WBINVD + DF_FLUSH (F.6 12). */
	if (l->asid)
		sev_asid_free(asids, l->asid, l->finished && l->activated);
	l->activated = l->started = false;
	l->asid = 0;
}

void sev_launch_report(const struct sev_psp *psp, const struct sev_launch *l)
{
	char digest[2 * SHA256_DIGEST_SIZE + 1], meas[2 * SHA256_DIGEST_SIZE + 1], nonce[2 * SEV_MNONCE_SIZE + 1];
	fmt_hex(l->digest, sizeof(l->digest), digest);
	fmt_hex(l->meas.measurement, sizeof(l->meas.measurement), meas);
	fmt_hex(l->meas.mnonce, sizeof(l->meas.mnonce), nonce);
	log_result("launch guest=%s psp=%s policy=0x%x asid=%u digest=%s measurement=%s mnonce=%s", l->name,
		   psp->kind, l->policy, l->asid, digest, meas, nonce);
}

#define VMSA_LOG_ROW 32

void sev_vmsa_log(const char *guest, unsigned vcpu, const struct sev_vmsa *vmsa)
{
	if (log_get_level() < LOG_DEBUG)
		return;
	static const u8 zero[VMSA_LOG_ROW];
	const u8 *p = (const u8 *)vmsa;
	log_debug("sev: guest %s vcpu%u: VMSA plaintext before LAUNCH_UPDATE_VMSA (all-zero rows left out):", guest,
		  vcpu);
	for (unsigned off = 0; off < sizeof(*vmsa); off += VMSA_LOG_ROW) {
		if (!memcmp(p + off, zero, VMSA_LOG_ROW))
			continue;
		char hex[2 * VMSA_LOG_ROW + 1];
		fmt_hex(p + off, VMSA_LOG_ROW, hex);
		log_debug("vmsa %s vcpu%u +0x%03x: %s", guest, vcpu, off, hex);
	}
}

const char *sev_policy_refusal(u32 policy)
{
	if (policy & SEV_POLICY_RESERVED)
		return "reserved bits 6..15 are set";
	if (!(policy & SEV_POLICY_ES))
		return "ES (bit 2) is clear, and sevisor launches SEV-ES guests only";
	return NULL;
}
