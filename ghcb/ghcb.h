/* The GHCB (Guest-Hypervisor Communication Block) as the hypervisor sees it: page layout,
 * valid-bitmap helpers, MSR-protocol codes, NAE exit codes, result and error codes, and the
 * entry points of the two protocols.
 *
 * Sources: GHCB spec (AMD #56421) via ghcb-sev-facts.md sections A (MSR protocol), B (GHCB
 * page, NAE events, results) and G (pitfalls). Every layout offset is asserted below. */
#ifndef GHCB_GHCB_H
#define GHCB_GHCB_H

#include "lib/types.h"
#include "svm/exit.h"

/* ---- GHCB page layout (facts B.1; GHCB spec 2.0x table "GHCB layout") ------------------- */

/* The save-area half mirrors the VMSA offsets, so a field's valid-bitmap bit is offset / 8. */
struct ghcb_save_area {
	u8 reserved_000[0x0CB];
	u8 cpl; /* 0x0CB */
	u8 reserved_0cc[0x140 - 0x0CC];
	u64 xss; /* 0x140 */
	u8 reserved_148[0x160 - 0x148];
	u64 dr7; /* 0x160 */
	u8 reserved_168[0x170 - 0x168];
	u64 rflags; /* 0x170 */
	u64 rip;    /* 0x178 */
	u8 reserved_180[0x1D8 - 0x180];
	u64 rsp; /* 0x1D8 */
	u8 reserved_1e0[0x1F8 - 0x1E0];
	u64 rax; /* 0x1F8 */
	u8 reserved_200[0x308 - 0x200];
	u64 rcx; /* 0x308 */
	u64 rdx; /* 0x310 */
	u64 rbx; /* 0x318 */
	u8 reserved_320[0x328 - 0x320];
	u64 rbp; /* 0x328 */
	u64 rsi; /* 0x330 */
	u64 rdi; /* 0x338 */
	u64 r8, r9, r10, r11, r12, r13, r14, r15; /* 0x340 .. 0x378 */
	u8 reserved_380[0x390 - 0x380];
	u64 sw_exit_code;  /* 0x390 */
	u64 sw_exit_info1; /* 0x398 */
	u64 sw_exit_info2; /* 0x3A0 */
	u64 sw_scratch;    /* 0x3A8 */
	u8 reserved_3b0[0x3E8 - 0x3B0];
	u64 xcr0;            /* 0x3E8 */
	u8 valid_bitmap[16]; /* 0x3F0: one bit per qword of 0x000..0x3FF */
	u64 x87_state_gpa;   /* 0x400 (v2; unused here) */
	u8 reserved_408[0x800 - 0x408];
} PACKED;

#define GHCB_SHARED_BUF_OFFSET 0x800u
#define GHCB_SHARED_BUF_SIZE 2032u /* 0x800 .. 0xFEF */

struct ghcb {
	struct ghcb_save_area save;             /* 0x000 */
	u8 shared_buffer[GHCB_SHARED_BUF_SIZE]; /* 0x800 */
	u8 reserved_ff0[10];                    /* 0xFF0 */
	u16 protocol_version;                   /* 0xFFA */
	u32 ghcb_usage;                         /* 0xFFC */
} PACKED;

ASSERT_SIZE(struct ghcb_save_area, 0x800);
ASSERT_SIZE(struct ghcb, 4096);
ASSERT_OFFSET(struct ghcb_save_area, cpl, 0x0CB);
ASSERT_OFFSET(struct ghcb_save_area, xss, 0x140);
ASSERT_OFFSET(struct ghcb_save_area, dr7, 0x160);
ASSERT_OFFSET(struct ghcb_save_area, rflags, 0x170);
ASSERT_OFFSET(struct ghcb_save_area, rip, 0x178);
ASSERT_OFFSET(struct ghcb_save_area, rsp, 0x1D8);
ASSERT_OFFSET(struct ghcb_save_area, rax, 0x1F8);
ASSERT_OFFSET(struct ghcb_save_area, rcx, 0x308);
ASSERT_OFFSET(struct ghcb_save_area, rdx, 0x310);
ASSERT_OFFSET(struct ghcb_save_area, rbx, 0x318);
ASSERT_OFFSET(struct ghcb_save_area, rbp, 0x328);
ASSERT_OFFSET(struct ghcb_save_area, rsi, 0x330);
ASSERT_OFFSET(struct ghcb_save_area, rdi, 0x338);
ASSERT_OFFSET(struct ghcb_save_area, r8, 0x340);
ASSERT_OFFSET(struct ghcb_save_area, r15, 0x378);
ASSERT_OFFSET(struct ghcb_save_area, sw_exit_code, 0x390);
ASSERT_OFFSET(struct ghcb_save_area, sw_exit_info1, 0x398);
ASSERT_OFFSET(struct ghcb_save_area, sw_exit_info2, 0x3A0);
ASSERT_OFFSET(struct ghcb_save_area, sw_scratch, 0x3A8);
ASSERT_OFFSET(struct ghcb_save_area, xcr0, 0x3E8);
ASSERT_OFFSET(struct ghcb_save_area, valid_bitmap, 0x3F0);
ASSERT_OFFSET(struct ghcb_save_area, x87_state_gpa, 0x400);
ASSERT_OFFSET(struct ghcb, shared_buffer, 0x800);
ASSERT_OFFSET(struct ghcb, reserved_ff0, 0xFF0);
ASSERT_OFFSET(struct ghcb, protocol_version, 0xFFA);
ASSERT_OFFSET(struct ghcb, ghcb_usage, 0xFFC);

#define GHCB_VALID_BITMAP_OFFSET 0x3F0u
#define GHCB_USAGE_STANDARD 0u

/* ---- valid bitmap (facts B.1/B.2) --------------------------------------------------------- */

/* Bit index of a save-area field: its offset / 8. */
#define GHCB_BIT(field) ((unsigned)(offsetof(struct ghcb_save_area, field) / 8))

/* The 128-bit bitmap as two little-endian words: bit n is word n / 64, bit n % 64. */
struct ghcb_bits {
	u64 w[2];
};

/* Constant-expression builders for one bit (usable in static tables). */
#define GHCB_BITS_LO(b) ((b) < 64 ? BIT((b) & 63) : 0)
#define GHCB_BITS_HI(b) ((b) >= 64 ? BIT((b) & 63) : 0)

static inline bool ghcb_bits_test(const struct ghcb_bits *b, unsigned bit)
{
	return bit < 128 && (b->w[bit / 64] & BIT(bit % 64)) != 0;
}

static inline void ghcb_bits_set(struct ghcb_bits *b, unsigned bit)
{
	if (bit < 128)
		b->w[bit / 64] |= BIT(bit % 64);
}

/* True when every bit of need is in have. */
static inline bool ghcb_bits_contain(const struct ghcb_bits *have, const struct ghcb_bits *need)
{
	return (have->w[0] & need->w[0]) == need->w[0] && (have->w[1] & need->w[1]) == need->w[1];
}

/* Loads / stores the 16 bitmap bytes of a GHCB (byte i holds bits 8i..8i+7, facts B.1/B.2).
 * x86 is little-endian: byte i of each 8-byte half is bits 8i..8i+7 of its word, so each half
 * is one load or store, and a request's required-field mask is checked with one AND per
 * word. Inline: every GHCB request loads the bitmap and every reply stores it. */
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the GHCB valid bitmap is loaded as little-endian words"
#endif

static inline void ghcb_bits_load(struct ghcb_bits *out, const u8 bitmap[16])
{
	__builtin_memcpy(out->w, bitmap, 16);
}

static inline void ghcb_bits_store(u8 bitmap[16], const struct ghcb_bits *in)
{
	__builtin_memcpy(bitmap, in->w, 16);
}

/* ---- protocol versions (facts A.1/A.4) ---------------------------------------------------- */

#define GHCB_VERSION_MIN 1u
#define GHCB_VERSION_MAX 2u

/* ---- MSR protocol (facts A.1): GHCBInfo in bits 11:0, GHCBData in 63:12 ------------------ */

#define GHCB_MSR_INFO_MASK 0xFFFULL
#define GHCB_MSR_DATA_SHIFT 12
#define GHCB_MSR_INFO(v) ((v) & GHCB_MSR_INFO_MASK)
#define GHCB_GFN_MASK GENMASK(51, 0) /* GHCBData as a GFN: 52 bits */
#define GHCB_GFN_NONE GHCB_GFN_MASK  /* all-ones GFN: "no preference" / "refused" */

enum ghcb_msr_code {
	GHCB_MSR_SEV_INFO_RESP = 0x001,
	GHCB_MSR_SEV_INFO_REQ = 0x002,
	GHCB_MSR_CPUID_REQ = 0x004,
	GHCB_MSR_CPUID_RESP = 0x005,
	GHCB_MSR_AP_RESET_HOLD_REQ = 0x006,
	GHCB_MSR_AP_RESET_HOLD_RESP = 0x007,
	GHCB_MSR_PREF_GPA_REQ = 0x010,
	GHCB_MSR_PREF_GPA_RESP = 0x011,
	GHCB_MSR_REG_GPA_REQ = 0x012,
	GHCB_MSR_REG_GPA_RESP = 0x013,
	GHCB_MSR_PSC_REQ = 0x014,
	GHCB_MSR_PSC_RESP = 0x015,
	GHCB_MSR_VMPL_REQ = 0x016,
	GHCB_MSR_VMPL_RESP = 0x017,
	GHCB_MSR_HV_FT_REQ = 0x080,
	GHCB_MSR_HV_FT_RESP = 0x081,
	GHCB_MSR_TERM_REQ = 0x100,
};

/* SEV_INFO response: [63:48] max, [47:32] min, [31:24] C-bit. */
#define GHCB_MSR_SEV_INFO(max, min, cbit) \
	(((u64)(max) << 48) | ((u64)(min) << 32) | ((u64)((cbit) & 0xFF) << 24) | GHCB_MSR_SEV_INFO_RESP)
/* CPUID request/response: [63:32] function / value, [31:30] register selector. */
#define GHCB_MSR_CPUID_FN_SHIFT 32
#define GHCB_MSR_CPUID_REG_SHIFT 30
#define GHCB_MSR_CPUID_REG_MASK 3ULL
enum { GHCB_CPUID_EAX = 0, GHCB_CPUID_EBX = 1, GHCB_CPUID_ECX = 2, GHCB_CPUID_EDX = 3 };
#define GHCB_MSR_CPUID_REQ_VAL(fn, reg) \
	(((u64)(u32)(fn) << 32) | ((u64)((reg) & 3) << 30) | GHCB_MSR_CPUID_REQ)
/* Responses carrying a GFN / result in [63:12]. */
#define GHCB_MSR_DATA(code, data) ((((u64)(data) & GHCB_GFN_MASK) << GHCB_MSR_DATA_SHIFT) | (code))
/* PSC / VMPL responses: error code in [63:32]. Our refusal value (SEV-ES has no page state
 * change): the generic error, bit 31 of the error field (Linux GHCB_MSR_PSC_RESP_ERROR). */
#define GHCB_MSR_SNP_ERR_GENERIC 0x80000000ULL
#define GHCB_MSR_ERR_RESP(code, err) (((u64)(u32)(err) << 32) | (code))
/* Termination request: [15:12] reason set, [23:16] reason code (facts A.1/A.2). */
#define GHCB_MSR_TERM_SET(v) ((unsigned)(((v) >> 12) & 0xF))
#define GHCB_MSR_TERM_CODE(v) ((unsigned)(((v) >> 16) & 0xFF))
#define GHCB_MSR_TERM_REQ_VAL(set, code) \
	((((u64)(code) & 0xFF) << 16) | (((u64)(set) & 0xF) << 12) | GHCB_MSR_TERM_REQ)
/* AP reset hold response result: 0 = still held, non-zero = released. */
#define GHCB_AP_HOLD_STILL_HELD 0
#define GHCB_AP_HOLD_RELEASED 1

/* ---- NAE events: SW_EXITCODE values (facts B.3) ------------------------------------------- */

enum ghcb_nae {
	GHCB_NAE_DR7_READ = 0x027,
	GHCB_NAE_DR7_WRITE = 0x037,
	GHCB_NAE_RDTSC = 0x06E,
	GHCB_NAE_RDPMC = 0x06F,
	GHCB_NAE_CPUID = 0x072,
	GHCB_NAE_INVD = 0x076,
	GHCB_NAE_IOIO = 0x07B,
	GHCB_NAE_MSR = 0x07C,
	GHCB_NAE_VMMCALL = 0x081,
	GHCB_NAE_RDTSCP = 0x087,
	GHCB_NAE_WBINVD = 0x089,
	GHCB_NAE_MONITOR = 0x08A,
	GHCB_NAE_MWAIT = 0x08B,
	GHCB_NAE_MMIO_READ = 0x80000001,
	GHCB_NAE_MMIO_WRITE = 0x80000002,
	GHCB_NAE_NMI_COMPLETE = 0x80000003,
	GHCB_NAE_AP_RESET_HOLD = 0x80000004,
	GHCB_NAE_AP_JUMP_TABLE = 0x80000005,
	/* SNP-only events; answered with INVALID_EVENT (this is an SEV-ES hypervisor). */
	GHCB_NAE_SNP_PSC = 0x80000010,
	GHCB_NAE_SNP_GUEST_REQUEST = 0x80000011,
	GHCB_NAE_SNP_EXT_GUEST_REQUEST = 0x80000012,
	GHCB_NAE_SNP_AP_CREATION = 0x80000013,
	GHCB_NAE_HV_FEATURES = 0x8000FFFD,
	GHCB_NAE_TERMINATE = 0x8000FFFE,
	GHCB_NAE_UNSUPPORTED = 0x8000FFFF,
};

/* IOIO SW_EXITINFO1 (SVM IOIO exit-information format, APM 15.10.2). */
#define GHCB_IOIO_TYPE_IN BIT(0)
#define GHCB_IOIO_STR BIT(2)
#define GHCB_IOIO_REP BIT(3)
#define GHCB_IOIO_SZ8 BIT(4)
#define GHCB_IOIO_SZ16 BIT(5)
#define GHCB_IOIO_SZ32 BIT(6)
#define GHCB_IOIO_SZ_MASK (GHCB_IOIO_SZ8 | GHCB_IOIO_SZ16 | GHCB_IOIO_SZ32)
#define GHCB_IOIO_PORT_SHIFT 16

/* MSR NAE SW_EXITINFO1. */
#define GHCB_MSR_NAE_READ 0
#define GHCB_MSR_NAE_WRITE 1
/* AP jump table SW_EXITINFO1. */
#define GHCB_AP_JUMP_TABLE_SET 0
#define GHCB_AP_JUMP_TABLE_GET 1
/* Termination NAE SW_EXITINFO1: [3:0] reason set, [11:4] reason code. */
#define GHCB_NAE_TERM_SET(i1) ((unsigned)((i1) & 0xF))
#define GHCB_NAE_TERM_CODE(i1) ((unsigned)(((i1) >> 4) & 0xFF))

/* MMIO length limit for protocol version 2 (facts A.4 / B.4). */
#define GHCB_MMIO_MAX_LEN_V2 8u
/* Largest external (v1) scratch area, copied through a private buffer (facts G4: 16 pages). */
#define GHCB_SCRATCH_V1_MAX (16 * PAGE_SIZE)

/* ---- results (facts B.4) ------------------------------------------------------------------ */

/* SW_EXITINFO1 on return. */
#define GHCB_RESP_OK 0ULL              /* success; outputs event specific */
#define GHCB_RESP_EXCEPTION 1ULL       /* SW_EXITINFO2 = event to raise (EVENTINJ format) */
#define GHCB_RESP_MALFORMED_INPUT 2ULL /* SW_EXITINFO2 = GHCB_ERR_* */

enum ghcb_err {
	GHCB_ERR_NONE = 0,
	GHCB_ERR_NOT_REGISTERED = 1,
	GHCB_ERR_INVALID_USAGE = 2,
	GHCB_ERR_INVALID_SCRATCH_AREA = 3,
	GHCB_ERR_MISSING_INPUT = 4,
	GHCB_ERR_INVALID_INPUT = 5,
	GHCB_ERR_INVALID_EVENT = 6,
};

/* The event the guest must raise for a failed MSR access: valid | exception | #GP = 0x8000030D. */
#define GHCB_EVENT_EXCEPTION(vec) ((u64)(SVM_EVT_VALID | SVM_EVT_TYPE_EXCEPTION | ((vec) & 0xFFu)))
#define GHCB_EVENT_GP GHCB_EVENT_EXCEPTION(X86_GP)
#define GHCB_EVENT_UD GHCB_EVENT_EXCEPTION(X86_UD)

/* Hypervisor feature bitmap (MSR 0x081 and NAE 0x8000FFFD): SEV-ES only, nothing from SNP. */
#define GHCB_HV_FEATURES 0ULL

/* VMMCALL answer in RAX: no hypercalls are implemented. The values follow the KVM hypercall ABI
 * guests already know (KVM_ENOSYS = 1000, KVM_EPERM = 1), returned negated. */
#define GHCB_HC_ENOSYS ((u64)-1000LL)
#define GHCB_HC_EPERM ((u64)-1LL)

/* ---- termination reasons (facts A.2) ------------------------------------------------------ */

enum { GHCB_TERM_SET_GENERAL = 0, GHCB_TERM_SET_LINUX = 1 };

/* Name of a reason set / a reason code within it; "unknown" when not in the tables. */
const char *ghcb_term_set_name(unsigned set);
const char *ghcb_term_reason_name(unsigned set, unsigned code);
/* Names for logs: MSR-protocol codes, NAE events, GHCB_ERR_* codes (NULL when unknown). */
const char *ghcb_msr_code_name(u64 code);
const char *ghcb_nae_name(u64 exit_code);
const char *ghcb_err_name(u64 err);

/* ---- per-guest event counts (ghcb_state.events) ------------------------------------------- */

/* The counter slot of a guest->hypervisor MSR-protocol request (msr) or an NAE event; codes
 * outside the tables share the last slot, "other". */
unsigned ghcb_count_slot(bool msr, u64 code);
/* The name a slot is shown with (the MSR code's or the event's name; "other"). */
const char *ghcb_count_name(unsigned slot);
/* "msr:SEV_INFO_REQ=1 CPUID=12 IOIO=3": the non-zero counts, MSR-protocol ones prefixed
 * "msr:", in slot order; an empty string when there are none. Returns the length written
 * (cut at size - 1). */
size_t ghcb_counts_format(const struct ghcb_state *g, char *buf, size_t size);

/* ---- entry points ------------------------------------------------------------------------- */

/* Exit code 0x403 (VMGEXIT). Reads the GHCB MSR value from v->vmcb->control.ghcb_gpa:
 * GHCBInfo != 0 -> MSR protocol, else the GHCB page at that GPA. Returns SVM_GHCB_REPLY with
 * the answer in control.ghcb_gpa or the GHCB page, or SVM_TERMINATE (reason recorded through
 * svm_terminate). Never touches protected guest state and never advances RIP. */
enum svm_outcome ghcb_handle_vmgexit(struct vcpu *v);
enum svm_outcome ghcb_page_protocol(struct vcpu *v, u64 gpa);

/* Per-vCPU set-up at reset: clears the protocol state (keeps the configuration) and fixes the
 * SEV_INFO answer from the configuration and v->vm->cbit, which must be set before. */
void ghcb_vcpu_reset(struct vcpu *v);
/* The SEV_INFO response a vCPU's GHCB MSR may be preloaded with at reset (facts A.0), the one
 * every SEV_INFO request gets: fixed by ghcb_vcpu_reset. */
u64 ghcb_sev_info_value(const struct vcpu *v);

/* AP reset hold (facts G7): true while the vCPU waits for a wake-up; release completes the
 * hold in the flavour the vCPU used (MSR: RESP result 1; NAE: SW_EXITINFO2 = 1). Returns false
 * when nothing was held or the recorded GHCB page is no longer guest RAM. */
bool ghcb_ap_reset_held(const struct vcpu *v);
bool ghcb_ap_reset_release(struct vcpu *v);

#endif
