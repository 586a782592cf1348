/* SEV-ES platform bring-up and guest launch over the PSP transport (issue 11 items 2, 5, 8;
 * ghcb-sev-facts.md F.6). Shared by the hardware PSP (mode sev-es) and the soft PSP (soft-es).
 *
 * Bring-up, once at boot: PLATFORM_STATUS; SHUTDOWN if the firmware is not UNINIT; INIT with
 * the SEV-ES flag and a 1 MiB TMR (retried once on SECURE_DATA_INVALID); WBINVD on every CPU;
 * DF_FLUSH; PLATFORM_STATUS again for the report.
 *
 * Launch, per guest: an SEV-ES ASID (flushing dirty ones first when only those are left);
 * LAUNCH_START (policy); ACTIVATE; LAUNCH_UPDATE_DATA over each region of loaded guest data in
 * order; LAUNCH_UPDATE_VMSA per vCPU; LAUNCH_MEASURE; LAUNCH_FINISH. sevisor computes the
 * launch digest itself (SHA-256 over the same plaintext in the same order), so the launch line
 * shows it whatever the firmware. Any firmware error ends the launch with the command and the
 * status name in the reason, and tears down what was set up.
 *
 * Teardown: DEACTIVATE, DECOMMISSION, and the ASID freed dirty when it became valid. */
#ifndef SEV_LAUNCH_H
#define SEV_LAUNCH_H

#include "sev/psp.h"
#include "sev/asid.h"
#include "sev/vmsa.h"
#include "lib/sha256.h"

#define SEV_LAUNCH_MAX_REGIONS 5 /* a Linux guest: low pages, command line, ACPI, kernel, initrd */
#define SEV_LAUNCH_REASON_MAX 160

/* One piece of loaded guest data: guest-physical address, where it is in host memory, length
 * (both page aligned). */
struct sev_launch_region {
	u64 gpa;
	const void *host;
	u64 len;
};

struct sev_launch {
	/* Inputs. */
	const char *name;
	u32 policy;
	struct sev_launch_region regions[SEV_LAUNCH_MAX_REGIONS];
	unsigned nr_regions;
	struct sev_vmsa *vmsa; /* one vCPU; page aligned */
	/* What was done, for teardown. */
	u32 asid;
	u32 handle;
	bool started, activated, finished;
	/* Outputs. */
	u8 digest[SHA256_DIGEST_SIZE];
	struct sev_measurement meas;
	u32 fail_cmd, fail_status; /* the failed command and its status; 0, 0 on success */
	char reason[SEV_LAUNCH_REASON_MAX];
};

/* Bring-up; tmr_pa: 1 MiB, 1 MiB aligned, never touched by sevisor again. On failure: false
 * and why. */
bool sev_platform_bringup(struct sev_psp *psp, u64 tmr_pa, char *why, size_t why_len);

/* An SEV-ES ASID for l (l->asid), after WBINVD + DF_FLUSH if only dirty ones are left. */
bool sev_launch_alloc_asid(struct sev_psp *psp, struct sev_asids *asids, struct sev_launch *l);

/* The launch proper (l->asid allocated). On failure: false, l->reason, and everything undone
 * except the ASID (sev_launch_teardown frees it). */
bool sev_launch_guest(struct sev_psp *psp, struct sev_launch *l);

/* DEACTIVATE, DECOMMISSION (when started), ASID back to the allocator (dirty when it was valid). */
void sev_launch_teardown(struct sev_psp *psp, struct sev_asids *asids, struct sev_launch *l);

/* The @sevisor launch line. */
void sev_launch_report(const struct sev_psp *psp, const struct sev_launch *l);

/* The VMSA as hex at debug level, 32 bytes a line, all-zero lines left out. */
void sev_vmsa_log(const char *guest, unsigned vcpu, const struct sev_vmsa *vmsa);

/* The policy rules sevisor applies before LAUNCH_START: no reserved bits (6..15), and ES set
 * (sevisor launches SEV-ES guests only). NULL when fine, else the reason. */
const char *sev_policy_refusal(u32 policy);

#endif
