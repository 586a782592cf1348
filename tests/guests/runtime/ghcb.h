/* The guest side of the GHCB protocol (AMD GHCB specification; the facts file, sections A/B):
 * the MSR protocol, the GHCB page with its valid bitmap, and the calls the #VC handler makes.
 * Used only by the SEV-ES guests (es_*.elf), which rt_sev_es identifies at run time. */
#ifndef GUEST_GHCB_H
#define GUEST_GHCB_H

#include "exc.h"
#include "types.h"

/* MSR protocol: MSR 0xC0010130, GHCBInfo in [11:0], GHCBData in [63:12]. */
#define MSR_GHCB 0xC0010130u
#define MSR_SEV_STATUS 0xC0010131u
#define SEV_STATUS_SEV BIT(0)
#define SEV_STATUS_SEV_ES BIT(1)
#define GHCB_MSR_INFO_MASK 0xFFFULL
#define GHCB_MSR_SEV_INFO_RESP 0x001
#define GHCB_MSR_SEV_INFO_REQ 0x002
#define GHCB_MSR_CPUID_REQ 0x004
#define GHCB_MSR_CPUID_RESP 0x005
#define GHCB_MSR_PREF_GPA_REQ 0x010
#define GHCB_MSR_PREF_GPA_RESP 0x011
#define GHCB_MSR_REG_GPA_REQ 0x012
#define GHCB_MSR_REG_GPA_RESP 0x013
#define GHCB_MSR_HV_FT_REQ 0x080
#define GHCB_MSR_HV_FT_RESP 0x081
#define GHCB_MSR_TERM_REQ 0x100
#define GHCB_MSR_GFN_NONE 0xFFFFFFFFFFFFFULL /* all-ones GFN: no preference / refused */
#define GHCB_CPUID_EAX 0
#define GHCB_CPUID_EBX 1
#define GHCB_CPUID_ECX 2
#define GHCB_CPUID_EDX 3
#define GHCB_SEV_INFO_MAX(v) ((u16)((v) >> 48))
#define GHCB_SEV_INFO_MIN(v) ((u16)((v) >> 32))
#define GHCB_SEV_INFO_CBIT(v) ((u8)((v) >> 24))

/* Termination reasons (GHCB spec 2.3.5): set in [15:12], code in [23:16]. */
#define GHCB_TERM_SET_GENERAL 0
#define GHCB_TERM_GENERAL 0
#define GHCB_TERM_PROT_UNSUPPORTED 1
/* This runtime's own reason set, for failures it cannot print (the console needs the GHCB). */
#define GHCB_TERM_SET_GUEST_RT 0xF
#define GHCB_TERM_RT_BAD_LAYOUT 1 /* the GHCB page is not where pt_low can share it */
#define GHCB_TERM_RT_IO_FAILED 2 /* the console or exit port call failed */
#define GHCB_TERM_RT_VC32 3 /* lm_roundtrip_walk.asm: a #VC frame or error code it did not expect */

/* GHCB page layout (protocol v2). Save-area fields have valid bit = offset / 8. */
#define GHCB_CPL 0x0CB /* u8 */
#define GHCB_RAX 0x1F8
#define GHCB_RCX 0x308
#define GHCB_RDX 0x310
#define GHCB_RBX 0x318
#define GHCB_SW_EXITCODE 0x390
#define GHCB_SW_EXITINFO1 0x398
#define GHCB_SW_EXITINFO2 0x3A0
#define GHCB_SW_SCRATCH 0x3A8
#define GHCB_XCR0 0x3E8
#define GHCB_VALID_BITMAP 0x3F0
#define GHCB_SAVE_AREA_END 0x400
#define GHCB_SHARED_BUF 0x800
#define GHCB_SHARED_BUF_SIZE 2032
#define GHCB_PROTOCOL_VERSION 0xFFA /* u16 */
#define GHCB_USAGE 0xFFC /* u32; 0 = standard */

/* SW_EXITCODE values: SVM exit codes for the NAE events, plus VMGEXIT-only events. */
#define SVM_EXIT_DR7_READ 0x027
#define SVM_EXIT_DR7_WRITE 0x037
#define SVM_EXIT_RDTSC 0x06E
#define SVM_EXIT_RDPMC 0x06F
#define SVM_EXIT_INVD 0x076
#define SVM_EXIT_CPUID 0x072
#define SVM_EXIT_IOIO 0x07B
#define SVM_EXIT_MSR 0x07C
#define SVM_EXIT_VMMCALL 0x081
#define SVM_EXIT_RDTSCP 0x087
#define SVM_EXIT_WBINVD 0x089
#define SVM_EXIT_MONITOR 0x08A
#define SVM_EXIT_MWAIT 0x08B
#define SVM_EXIT_NPF 0x400
#define SVM_VMGEXIT_MMIO_READ 0x80000001ULL
#define SVM_VMGEXIT_MMIO_WRITE 0x80000002ULL
#define SVM_VMGEXIT_NMI_COMPLETE 0x80000003ULL
#define SVM_VMGEXIT_AP_RESET_HOLD 0x80000004ULL
#define SVM_VMGEXIT_AP_JUMP_TABLE 0x80000005ULL
#define SVM_VMGEXIT_HV_FEATURES 0x8000FFFDULL
#define SVM_VMGEXIT_TERMINATE 0x8000FFFEULL
#define SVM_VMGEXIT_UNSUPPORTED 0x8000FFFFULL

/* IOIO exit information (APM vol. 2, 15.10.2), also SW_EXITINFO1 of the IOIO event. */
#define IOIO_TYPE_IN BIT(0)
#define IOIO_STR BIT(2)
#define IOIO_REP BIT(3)
#define IOIO_SZ8 BIT(4)
#define IOIO_SZ16 BIT(5)
#define IOIO_SZ32 BIT(6)
#define IOIO_A32 BIT(8)
#define IOIO_A64 BIT(9)
#define IOIO_SEG_SHIFT 10
#define IOIO_PORT_SHIFT 16

/* SW_EXITINFO1 results and the GHCB_ERR codes that come with result 2. */
#define GHCB_RESULT_OK 0
#define GHCB_RESULT_EVENT 1
#define GHCB_RESULT_MALFORMED 2
#define GHCB_ERR_NOT_REGISTERED 1
#define GHCB_ERR_INVALID_USAGE 2
#define GHCB_ERR_INVALID_SCRATCH_AREA 3
#define GHCB_ERR_MISSING_INPUT 4
#define GHCB_ERR_INVALID_INPUT 5
#define GHCB_ERR_INVALID_EVENT 6

/* Event format of SW_EXITINFO2 with result 1 (EVENTINJ layout, APM vol. 2, 15.20). */
#define EVENT_VECTOR(e) ((u32)((e) & 0xFF))
#define EVENT_TYPE(e) ((u32)(((e) >> 8) & 7))
#define EVENT_TYPE_EXCEPTION 3
#define EVENT_ERROR_VALID BIT(11)
#define EVENT_VALID BIT(31)
#define EVENT_ERROR(e) ((u32)((e) >> 32))

/* The GHCB in use: page A normally; ghcb_use() switches (registration tests). */
extern volatile u8 *ghcb;
extern u8 ghcb_page_a[4096], ghcb_page_b[4096];

void ghcb_init(void);
void ghcb_use(void *page);
static inline u64 ghcb_gpa(void) { return (u64)ghcb; }

/* Page protocol, field by field. ghcb_clear() empties the save area and valid bitmap and sets
 * protocol version and usage 0; ghcb_set() fills a field and sets its valid bit. */
void ghcb_clear(void);
void ghcb_set(unsigned off, u64 v);
void ghcb_set_raw(unsigned off, u64 v); /* without the valid bit (malformed-input tests) */
void ghcb_set_u8(unsigned off, u8 v); /* a byte field (CPL) with its valid bit */
u64 ghcb_get(unsigned off);
bool ghcb_valid(unsigned off);
/* Sets SW_EXITCODE/INFO1/INFO2 (with valid bits), points the GHCB MSR at the page, VMGEXIT.
 * Returns SW_EXITINFO1 as the hypervisor left it. */
u64 ghcb_call(u64 exit_code, u64 info1, u64 info2);
/* VMGEXIT with the GHCB exactly as the caller prepared it (MSR written, nothing else). */
void ghcb_call_prepared(void);

/* The runtime's own port I/O through the page protocol; a failure terminates the guest. */
void ghcb_io_out(u16 port, u32 val, unsigned size);
u32 ghcb_io_in(u16 port, unsigned size);

/* MSR protocol: write the request, VMGEXIT, read back the response. */
u64 ghcb_msr_proto(u64 request);
__attribute__((noreturn)) void ghcb_terminate(unsigned set, unsigned code);
/* CPUID request/response (one register, 0 = EAX .. 3 = EDX, per exchange). Returns false when
 * the response code or the echoed register selector is wrong. */
bool ghcb_msr_cpuid(u32 fn, unsigned reg, u32 *val);
#define GHCB_MSR_TERM(set, code) \
	(GHCB_MSR_TERM_REQ | ((u64)((set) & 0xF) << 12) | ((u64)((code) & 0xFF) << 16))

static inline void vmgexit(void)
{
	/* rep vmmcall (GHCB spec 2.3.1), as bytes */
	asm volatile(".byte 0xf3, 0x0f, 0x01, 0xd9" : : : "memory");
}

/* #VC handler (vc.c). */
bool vc_handle(struct exc_frame *f);
u32 vc_count(u64 exit_code); /* #VCs seen with this error code, exit codes <= 0x400 (NPF) */

#endif
