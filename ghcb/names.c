/* Name tables for logs and termination reasons (facts A.1, A.2, B.3, B.4). */
#include "ghcb/ghcb_internal.h"

struct code_name {
	u64 code;
	const char *name;
};

static const char *find_name(const struct code_name *t, size_t n, u64 code)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].code == code)
			return t[i].name;
	return NULL;
}

/* facts A.2: reason set 0 is the GHCB spec's general set, set 1 is Linux's. */
static const char *const term_set_names[] = {
	[GHCB_TERM_SET_GENERAL] = "GHCB general",
	[GHCB_TERM_SET_LINUX] = "Linux guest",
};

static const char *const term_general[] = {
	[0] = "general termination request",
	[1] = "GHCB protocol version unsupported",
	[2] = "SEV-SNP not supported by the hypervisor",
};

static const char *const term_linux[] = {
	[0] = "GHCB GPA registration failed",
	[1] = "page state change failed",
	[2] = "PVALIDATE failed",
	[3] = "SNP guest not at VMPL0",
	[4] = "CPUID request or table invalid",
	[5] = "CPUID from hypervisor failed",
	[6] = "secrets page problem",
	[7] = "SVSM required but absent",
	[8] = "SVSM not at VMPL0",
	[9] = "SVSM calling area invalid",
};

struct reason_set {
	const char *const *names;
	size_t count;
};

static const struct reason_set term_reasons[] = {
	[GHCB_TERM_SET_GENERAL] = { term_general, ARRAY_SIZE(term_general) },
	[GHCB_TERM_SET_LINUX] = { term_linux, ARRAY_SIZE(term_linux) },
};

const char *ghcb_term_set_name(unsigned set)
{
	return set < ARRAY_SIZE(term_set_names) ? term_set_names[set] : "unknown set";
}

const char *ghcb_term_reason_name(unsigned set, unsigned code)
{
	if (set >= ARRAY_SIZE(term_reasons) || code >= term_reasons[set].count)
		return "unknown reason";
	return term_reasons[set].names[code];
}

static const struct code_name msr_codes[] = {
	{ GHCB_MSR_SEV_INFO_RESP, "SEV_INFO_RESP" },
	{ GHCB_MSR_SEV_INFO_REQ, "SEV_INFO_REQ" },
	{ GHCB_MSR_CPUID_REQ, "CPUID_REQ" },
	{ GHCB_MSR_CPUID_RESP, "CPUID_RESP" },
	{ GHCB_MSR_AP_RESET_HOLD_REQ, "AP_RESET_HOLD_REQ" },
	{ GHCB_MSR_AP_RESET_HOLD_RESP, "AP_RESET_HOLD_RESP" },
	{ GHCB_MSR_PREF_GPA_REQ, "PREF_GPA_REQ" },
	{ GHCB_MSR_PREF_GPA_RESP, "PREF_GPA_RESP" },
	{ GHCB_MSR_REG_GPA_REQ, "REG_GPA_REQ" },
	{ GHCB_MSR_REG_GPA_RESP, "REG_GPA_RESP" },
	{ GHCB_MSR_PSC_REQ, "SNP_PSC_REQ" },
	{ GHCB_MSR_PSC_RESP, "SNP_PSC_RESP" },
	{ GHCB_MSR_VMPL_REQ, "SNP_VMPL_REQ" },
	{ GHCB_MSR_VMPL_RESP, "SNP_VMPL_RESP" },
	{ GHCB_MSR_HV_FT_REQ, "HV_FT_REQ" },
	{ GHCB_MSR_HV_FT_RESP, "HV_FT_RESP" },
	{ GHCB_MSR_TERM_REQ, "TERM_REQ" },
};

const char *ghcb_msr_code_name(u64 code)
{
	return find_name(msr_codes, ARRAY_SIZE(msr_codes), code);
}

static const struct code_name nae_names[] = {
	{ GHCB_NAE_DR7_READ, "DR7_READ" },
	{ GHCB_NAE_DR7_WRITE, "DR7_WRITE" },
	{ GHCB_NAE_RDTSC, "RDTSC" },
	{ GHCB_NAE_RDPMC, "RDPMC" },
	{ GHCB_NAE_CPUID, "CPUID" },
	{ GHCB_NAE_INVD, "INVD" },
	{ GHCB_NAE_IOIO, "IOIO" },
	{ GHCB_NAE_MSR, "MSR" },
	{ GHCB_NAE_VMMCALL, "VMMCALL" },
	{ GHCB_NAE_RDTSCP, "RDTSCP" },
	{ GHCB_NAE_WBINVD, "WBINVD" },
	{ GHCB_NAE_MONITOR, "MONITOR" },
	{ GHCB_NAE_MWAIT, "MWAIT" },
	{ 0x400, "NPF" },
	{ GHCB_NAE_MMIO_READ, "MMIO_READ" },
	{ GHCB_NAE_MMIO_WRITE, "MMIO_WRITE" },
	{ GHCB_NAE_NMI_COMPLETE, "NMI_COMPLETE" },
	{ GHCB_NAE_AP_RESET_HOLD, "AP_RESET_HOLD" },
	{ GHCB_NAE_AP_JUMP_TABLE, "AP_JUMP_TABLE" },
	{ GHCB_NAE_SNP_PSC, "SNP_PAGE_STATE_CHANGE" },
	{ GHCB_NAE_SNP_GUEST_REQUEST, "SNP_GUEST_REQUEST" },
	{ GHCB_NAE_SNP_EXT_GUEST_REQUEST, "SNP_EXT_GUEST_REQUEST" },
	{ GHCB_NAE_SNP_AP_CREATION, "SNP_AP_CREATION" },
	{ GHCB_NAE_HV_FEATURES, "HV_FEATURES" },
	{ GHCB_NAE_TERMINATE, "TERMINATE" },
	{ GHCB_NAE_UNSUPPORTED, "UNSUPPORTED_EVENT" },
};

const char *ghcb_nae_name(u64 exit_code)
{
	return find_name(nae_names, ARRAY_SIZE(nae_names), exit_code);
}

static const char *const err_names[] = {
	[GHCB_ERR_NONE] = "none",
	[GHCB_ERR_NOT_REGISTERED] = "NOT_REGISTERED",
	[GHCB_ERR_INVALID_USAGE] = "INVALID_USAGE",
	[GHCB_ERR_INVALID_SCRATCH_AREA] = "INVALID_SCRATCH_AREA",
	[GHCB_ERR_MISSING_INPUT] = "MISSING_INPUT",
	[GHCB_ERR_INVALID_INPUT] = "INVALID_INPUT",
	[GHCB_ERR_INVALID_EVENT] = "INVALID_EVENT",
};

const char *ghcb_err_name(u64 err)
{
	return err < ARRAY_SIZE(err_names) ? err_names[err] : NULL;
}

/* ---- per-guest event counts (ghcb_state.events) ------------------------------------------- */

/* The code each slot counts (ghcb_internal.h lists them), for its name. */
#define SLOT_CODE(name, code) code,
static const u32 slot_codes[GHCB_SLOT_OTHER] = {
	GHCB_MSR_REQUESTS(SLOT_CODE)
	GHCB_NAE_EVENTS(SLOT_CODE)
};
#undef SLOT_CODE

/* ghcb_msr_slot's table: GHCB_SLOT_OTHER for every code, then each request's own slot over it
 * (a range default overridden per entry: -Woverride-init is what this idiom trips). */
#define SLOT_OF_CODE(name, code) [code] = GHCB_SLOT_MSR_##name,
#define SLOT_CODE_FITS(name, code) \
	_Static_assert((code) < GHCB_MSR_SLOT_TABLE, "MSR request " #name " outside ghcb_msr_slot_table");
GHCB_MSR_REQUESTS(SLOT_CODE_FITS)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
const u8 ghcb_msr_slot_table[GHCB_MSR_SLOT_TABLE] = {
	[0 ... GHCB_MSR_SLOT_TABLE - 1] = GHCB_SLOT_OTHER,
	GHCB_MSR_REQUESTS(SLOT_OF_CODE)
};
#pragma GCC diagnostic pop
#undef SLOT_OF_CODE
#undef SLOT_CODE_FITS

unsigned ghcb_count_slot(bool msr, u64 code)
{
	return msr ? ghcb_msr_slot(code) : ghcb_nae_slot(code);
}

const char *ghcb_count_name(unsigned slot)
{
	if (slot < GHCB_SLOT_NAE_FIRST)
		return ghcb_msr_code_name(slot_codes[slot]);
	if (slot < GHCB_SLOT_OTHER)
		return ghcb_nae_name(slot_codes[slot]);
	return "other";
}

size_t ghcb_counts_format(const struct ghcb_state *g, char *buf, size_t size)
{
	size_t n = counts_format(g->events, 0, GHCB_SLOT_NAE_FIRST, "msr:", ghcb_count_name, buf, size, 0);
	return counts_format(g->events, GHCB_SLOT_NAE_FIRST, GHCB_COUNT_SLOTS, "", ghcb_count_name, buf, size, n);
}
