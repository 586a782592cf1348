/* Helpers shared by the files of ghcb/ (not part of the folder's public contract). */
#ifndef GHCB_GHCB_INTERNAL_H
#define GHCB_GHCB_INTERNAL_H

#include "ghcb/ghcb.h"
#include "lib/counts.h"

/* Highest protocol version this vCPU's guest is offered (config, clamped to 1..2). Inline:
 * SEV_INFO and every GHCB page request read it. */
static inline u16 ghcb_max_version(const struct vcpu *v)
{
	u16 max = v->ghcb.cfg.max_version;
	if (max == 0 || max > GHCB_VERSION_MAX)
		return GHCB_VERSION_MAX;
	if (max < GHCB_VERSION_MIN)
		return GHCB_VERSION_MIN;
	return max;
}


/* ---- count slots (ghcb_state.events) ------------------------------------------------------ */

/* What a guest can send, one list per kind: the guest->hypervisor MSR-protocol requests
 * (facts A.1) and the NAE events (facts B.3), as X(name, code). A request's slot is its place
 * in its list, MSR requests first; every other code shares the last slot, "other". The slot
 * also indexes each protocol's handler table (msr_protocol.c, page_protocol.c), so one
 * lookup both counts a request and finds its handler. */
#define GHCB_MSR_REQUESTS(X)                                                                       \
	X(SEV_INFO, GHCB_MSR_SEV_INFO_REQ)                                                         \
	X(CPUID, GHCB_MSR_CPUID_REQ)                                                               \
	X(AP_RESET_HOLD, GHCB_MSR_AP_RESET_HOLD_REQ)                                               \
	X(PREF_GPA, GHCB_MSR_PREF_GPA_REQ)                                                         \
	X(REG_GPA, GHCB_MSR_REG_GPA_REQ)                                                           \
	X(PSC, GHCB_MSR_PSC_REQ)                                                                   \
	X(VMPL, GHCB_MSR_VMPL_REQ)                                                                 \
	X(HV_FT, GHCB_MSR_HV_FT_REQ)                                                               \
	X(TERM, GHCB_MSR_TERM_REQ)

#define GHCB_NAE_EVENTS(X)                                                                         \
	X(DR7_READ, GHCB_NAE_DR7_READ)                                                             \
	X(DR7_WRITE, GHCB_NAE_DR7_WRITE)                                                           \
	X(RDTSC, GHCB_NAE_RDTSC)                                                                   \
	X(RDPMC, GHCB_NAE_RDPMC)                                                                   \
	X(CPUID, GHCB_NAE_CPUID)                                                                   \
	X(INVD, GHCB_NAE_INVD)                                                                     \
	X(IOIO, GHCB_NAE_IOIO)                                                                     \
	X(MSR, GHCB_NAE_MSR)                                                                       \
	X(VMMCALL, GHCB_NAE_VMMCALL)                                                               \
	X(RDTSCP, GHCB_NAE_RDTSCP)                                                                 \
	X(WBINVD, GHCB_NAE_WBINVD)                                                                 \
	X(MONITOR, GHCB_NAE_MONITOR)                                                               \
	X(MWAIT, GHCB_NAE_MWAIT)                                                                   \
	X(MMIO_READ, GHCB_NAE_MMIO_READ)                                                           \
	X(MMIO_WRITE, GHCB_NAE_MMIO_WRITE)                                                         \
	X(NMI_COMPLETE, GHCB_NAE_NMI_COMPLETE)                                                     \
	X(AP_RESET_HOLD, GHCB_NAE_AP_RESET_HOLD)                                                   \
	X(AP_JUMP_TABLE, GHCB_NAE_AP_JUMP_TABLE)                                                   \
	X(SNP_PSC, GHCB_NAE_SNP_PSC)                                                               \
	X(SNP_GUEST_REQUEST, GHCB_NAE_SNP_GUEST_REQUEST)                                           \
	X(SNP_EXT_GUEST_REQUEST, GHCB_NAE_SNP_EXT_GUEST_REQUEST)                                   \
	X(SNP_AP_CREATION, GHCB_NAE_SNP_AP_CREATION)                                               \
	X(HV_FEATURES, GHCB_NAE_HV_FEATURES)                                                       \
	X(TERMINATE, GHCB_NAE_TERMINATE)                                                           \
	X(UNSUPPORTED, GHCB_NAE_UNSUPPORTED)

#define GHCB_SLOT_MSR_ENUM(name, code) GHCB_SLOT_MSR_##name,
#define GHCB_SLOT_NAE_ENUM(name, code) GHCB_SLOT_NAE_##name,
enum ghcb_slot {
	GHCB_MSR_REQUESTS(GHCB_SLOT_MSR_ENUM)
	GHCB_SLOT_NAE_FIRST,
	GHCB_SLOT_NAE_BEFORE_FIRST = GHCB_SLOT_NAE_FIRST - 1,
	GHCB_NAE_EVENTS(GHCB_SLOT_NAE_ENUM)
	GHCB_SLOT_OTHER,
};
#undef GHCB_SLOT_MSR_ENUM
#undef GHCB_SLOT_NAE_ENUM
_Static_assert(GHCB_SLOT_OTHER + 1 == GHCB_COUNT_SLOTS,
	       "GHCB_COUNT_SLOTS must be the counted codes plus the 'other' slot");

/* The slot of an MSR-protocol request code (GHCBInfo, 12 bits); GHCB_SLOT_OTHER for any other
 * code (a response code, an unknown one). The request codes all lie at or below TERM_REQ
 * (0x100), so a byte table over 0..0x100 (names.c) answers with one load on every request. */
#define GHCB_MSR_SLOT_TABLE (GHCB_MSR_TERM_REQ + 1)
extern const u8 ghcb_msr_slot_table[GHCB_MSR_SLOT_TABLE];
_Static_assert(GHCB_SLOT_OTHER <= 0xFF, "ghcb_msr_slot_table holds a slot per byte");

static inline enum ghcb_slot ghcb_msr_slot(u64 code)
{
	return code < GHCB_MSR_SLOT_TABLE ? (enum ghcb_slot)ghcb_msr_slot_table[code] : GHCB_SLOT_OTHER;
}

/* The slot of an NAE event code; GHCB_SLOT_OTHER for any other code. A switch: the compiler's
 * search over the sparse codes. */
#define GHCB_SLOT_CASE_NAE(name, code) case code: return GHCB_SLOT_NAE_##name;
static inline enum ghcb_slot ghcb_nae_slot(u64 exit_code)
{
	switch (exit_code) {
	GHCB_NAE_EVENTS(GHCB_SLOT_CASE_NAE)
	default: return GHCB_SLOT_OTHER;
	}
}
#undef GHCB_SLOT_CASE_NAE

/* ---- the MSR protocol's dispatch ---------------------------------------------------------- */

/* Each request's handler by slot (msr_protocol.c). */
typedef enum svm_outcome (*ghcb_msr_req_fn)(struct vcpu *v, u64 msr);
extern const ghcb_msr_req_fn ghcb_msr_handlers[GHCB_COUNT_SLOTS];

/* An MSR-protocol request (GHCBInfo != 0, facts A.1): counted by slot, then handed to its
 * handler; one table lookup does both. Inline into ghcb_handle_vmgexit (vmgexit.c), its only
 * caller: it runs on every MSR-protocol VMGEXIT. */
static inline enum svm_outcome ghcb_msr_protocol(struct vcpu *v, u64 msr)
{
	enum ghcb_slot slot = ghcb_msr_slot(GHCB_MSR_INFO(msr));

	v->ghcb.msr_requests++;
	counts_add(&v->ghcb.events[slot]);
	return ghcb_msr_handlers[slot](v, msr);
}

/* A guest termination request (MSR 0x100 or NAE 0x8000FFFE): logs the reason set and code by
 * name (facts A.2) and stops the guest (facts G27). via names the path for the log. */
enum svm_outcome ghcb_guest_terminate(struct vcpu *v, const char *via, unsigned set,
				      unsigned code);

/* AP reset hold entry (facts G7). With nobody who could wake this vCPU (the VM has a single
 * vCPU) the hold could never end: the guest is terminated with that reason instead of hanging.
 * Otherwise the hold is recorded and SVM_GHCB_REPLY returned; the caller answers "still held". */
enum svm_outcome ghcb_ap_hold_enter(struct vcpu *v, enum ghcb_ap_hold how, u64 ghcb_gpa);

#endif
