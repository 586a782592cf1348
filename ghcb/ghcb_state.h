/* Per-vCPU GHCB protocol state, embedded in struct vcpu as v->ghcb (ghcb/ owns it).
 * ghcb_vcpu_reset() sets the reset state: all zero but the configuration, which it keeps, and
 * the SEV_INFO answer, which it derives from that configuration and the VM's C-bit. */
#ifndef GHCB_GHCB_STATE_H
#define GHCB_GHCB_STATE_H

#include "lib/types.h"

/* Slots of ghcb_state.events: 9 MSR-protocol requests + 25 NAE events + "other" (the lists
 * are in ghcb/ghcb_internal.h; a static assert there keeps the two in step). */
#define GHCB_COUNT_SLOTS 35

/* Per-guest options (from sevisor.cfg when the config grows them). Kept per vCPU because struct
 * vm is not ghcb/'s; the launcher copies the guest's values into every vCPU, before
 * ghcb_vcpu_reset (which reads max_version into the SEV_INFO answer). Zero = defaults. */
struct ghcb_config {
	u16 max_version;   /* highest GHCB protocol version offered; 0 = GHCB_VERSION_MAX (2) */
	bool pref_gfn_set; /* answer PREF_GPA_REQ with pref_gfn instead of "no preference" */
	u64 pref_gfn;
};

/* How a vCPU entered AP reset hold (facts G7): the release must answer the same way. */
enum ghcb_ap_hold {
	GHCB_AP_HOLD_NONE = 0,
	GHCB_AP_HOLD_MSR = 1, /* MSR protocol 0x006: result goes into GHCBData */
	GHCB_AP_HOLD_NAE = 2, /* NAE 0x80000004: result goes into SW_EXITINFO2 of the GHCB */
};

struct ghcb_state {
	/* GHCB protocol version in use, 0 = not yet: the version the guest's GHCB page states
	 * (0xFFA), checked against what SEV_INFO offered. */
	u16 version;
	bool sev_info_requested; /* the guest asked SEV_INFO at least once */
	struct ghcb_config cfg;
	/* The SEV_INFO answer (facts A.1/A.3): a function of cfg.max_version and vm->cbit alone,
	 * both fixed before the vCPU's reset, so ghcb_vcpu_reset computes it once and every
	 * request (MSR 0x002) and the reset preload (facts A.0) answer with it. */
	u64 sev_info;

	/* GHCB GPA registration (MSR 0x012): once registered, a VMGEXIT through any other GHCB
	 * GPA terminates the guest. */
	bool registered;
	u64 registered_gpa;

	/* The GHCB page last mapped (ghcb/page_protocol.c map_ghcb): its GPA as the guest gave
	 * it, and its host address; map NULL = none. */
	u64 map_gpa;
	void *map;

	/* AP reset hold and the AP jump table (one per VM in the spec; one vCPU per VM today). */
	u8 ap_hold; /* enum ghcb_ap_hold */
	u64 ap_hold_gpa; /* GHCB GPA of an NAE hold */
	u64 ap_jump_table;

	/* Register state the hypervisor models for a protected guest. */
	bool dr7_written;
	u64 dr7;  /* DR7 as last written through NAE 0x37; 0x400 (reset value) until then */
	u64 xcr0; /* last valid XCR0 the guest sent (CPUID 0xD via the MSR protocol uses it) */

	/* Counters and log-once flags. events: one slot per MSR-protocol request code and per
	 * NAE event the guest sent (slot numbers and names: ghcb_count_slot / ghcb_count_name),
	 * the last slot for codes outside those tables; shown per guest in the summary. */
	u32 events[GHCB_COUNT_SLOTS];
	u64 msr_requests;
	u64 page_requests;
	u64 nmi_completes;
	u64 unknown_msr_requests;
	u64 last_unknown_msr;
	bool logged_no_sev_info;
	bool logged_snp_refusal;
};

#endif
