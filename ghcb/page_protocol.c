/* The GHCB page protocol: non-automatic-exit (NAE) events (GHCB spec 56421 section 4
 * "GHCB protocol"; facts B.1-B.5, G2-G5, G8, G9, G24, G26, G27).
 *
 * Flow for one VMGEXIT whose GHCB MSR holds a page GPA:
 *  1. The GPA must be set (non-zero), match a registered GHCB GPA if the guest registered one
 *     (GHCB spec: the hypervisor terminates the guest otherwise; facts A.4), and be a whole page
 *     of guest RAM (the last page mapped is kept per vCPU: map_ghcb). Any failure terminates
 *     the guest with the reason: there is no GHCB to answer through.
 *  2. Every input is read ONCE from the guest's page and used only from that copy, never
 *     read again (facts G5: the guest can change the page concurrently): the valid bitmap,
 *     the version and usage words and SW_EXITCODE/INFO1/INFO2 at entry; then, once the event
 *     is known, only the save-area fields it reads, into a private snapshot (snapshot_inputs).
 *     The shared buffer is not copied whole (2 KiB the usual event never reads) but a
 *     scratch area in it is copied once, when its event reads it (scratch_read).
 *  3. Validation of the snapshot, in this order (facts B.4/B.5):
 *     ghcb_usage != 0                       -> SW_EXITINFO1 = 2, INVALID_USAGE
 *     protocol version not offered          -> terminate (see version_check)
 *     SW_EXITCODE/INFO1/INFO2 valid bits     -> MISSING_INPUT
 *     unknown, SNP-only or too-new event     -> INVALID_EVENT
 *     required valid bits of the event (B.3) -> MISSING_INPUT
 *  4. The event handler runs and fills a reply; the reply is written into the guest's page:
 *     SW_EXITINFO1 is exactly 0, 1 (SW_EXITINFO2 = event) or 2 (SW_EXITINFO2 = GHCB_ERR_*),
 *     the guest's valid bitmap is replaced by the bits of exactly the fields written
 *     (SW_EXITINFO1/2 plus every returned register). Nothing else in the page is touched.
 *
 * Single-threaded: exits are handled on one physical CPU, so the snapshot and the scratch
 * bounce buffer are static (64 KiB does not belong on the hypervisor stack).
 */
#include "ghcb/ghcb_internal.h"
#include "msr/cpuid.h"
#include "msr/msr.h"
#include "msr/msr_index.h"
#include "svm/event.h"
#include "svm/guest_mem.h"
#include "svm/dev/io.h"
#include "lib/kstring.h"
#include "lib/log.h"

/* Architectural values the events need. */
#define MSR_AMD_PERF_CTR0 0xC0010004u /* legacy PerfCtr0..3 (APM vol.2 13.2.1) */
#define AMD_LEGACY_PERF_CTRS 4u
#define DR7_RESET 0x400ULL
#define DR7_FIXED1 BIT(10)
#define DR7_RAZ (BIT(11) | BIT(12) | BIT(14) | BIT(15))
#define CPUID_LEAF_XSAVE 0xDu

/* One VMGEXIT's inputs, all from the snapshot. */
struct page_req {
	struct vcpu *v;
	u64 gpa;                          /* GHCB GPA as the guest gave it */
	struct ghcb *live;                /* the guest's page: written with outputs only */
	const struct ghcb_save_area *in;  /* private copy: read register inputs only from here */
	struct ghcb_bits valid;           /* the guest's valid bitmap, read once */
	u16 version;                      /* in use (version_check); the page's field before */
	u32 usage;
	u64 exit_code, info1, info2;
};

/* The answer, written back by write_reply(). */
struct page_resp {
	u64 info1, info2;
	struct ghcb_bits out; /* registers returned (their valid bits) */
	u64 rax, rbx, rcx, rdx;
};

typedef enum svm_outcome (*nae_fn)(struct page_req *q, struct page_resp *r);
typedef void (*nae_need_fn)(const struct page_req *q, struct ghcb_bits *need);

struct nae_event {
	u16 min_version;       /* events added by protocol version 2 */
	struct ghcb_bits need; /* required valid bits besides SW_EXITCODE/INFO1/INFO2 (B.3) */
	struct ghcb_bits in;   /* every save-area field the event reads (required or optional) */
	nae_need_fn more;      /* input-dependent requirements, or NULL */
	nae_fn fn;             /* NULL: not an event this hypervisor takes (INVALID_EVENT) */
};

static struct ghcb_save_area snapshot;
static u8 bounce[GHCB_SCRATCH_V1_MAX];

#define NEED1(b) { { GHCB_BITS_LO(b), GHCB_BITS_HI(b) } }
#define NEED2(a, b) { { GHCB_BITS_LO(a) | GHCB_BITS_LO(b), GHCB_BITS_HI(a) | GHCB_BITS_HI(b) } }
#define NEED3(a, b, c) { { GHCB_BITS_LO(a) | GHCB_BITS_LO(b) | GHCB_BITS_LO(c), \
			   GHCB_BITS_HI(a) | GHCB_BITS_HI(b) | GHCB_BITS_HI(c) } }
#define NEED4(a, b, c, d) { { GHCB_BITS_LO(a) | GHCB_BITS_LO(b) | GHCB_BITS_LO(c) | GHCB_BITS_LO(d), \
			      GHCB_BITS_HI(a) | GHCB_BITS_HI(b) | GHCB_BITS_HI(c) | GHCB_BITS_HI(d) } }
#define NONE { { 0, 0 } }

#define B_CPL GHCB_BIT(cpl)
#define B_RAX GHCB_BIT(rax)
#define B_RBX GHCB_BIT(rbx)
#define B_RCX GHCB_BIT(rcx)
#define B_RDX GHCB_BIT(rdx)
#define B_XCR0 GHCB_BIT(xcr0)
#define B_XSS GHCB_BIT(xss)
#define B_SCRATCH GHCB_BIT(sw_scratch)

/* ---- replies ----------------------------------------------------------------------------- */

static enum svm_outcome malformed(const struct page_req *q, struct page_resp *r, enum ghcb_err err)
{
	log_warn("guest %s vcpu%u: GHCB %s (0x%llx) answered malformed input: %s", q->v->vm->name,
		 q->v->id, ghcb_nae_name(q->exit_code) ? ghcb_nae_name(q->exit_code) : "event",
		 (unsigned long long)q->exit_code, ghcb_err_name(err));
	r->out.w[0] = r->out.w[1] = 0;
	r->info1 = GHCB_RESP_MALFORMED_INPUT;
	r->info2 = err;
	return SVM_GHCB_REPLY;
}

static enum svm_outcome exception(struct page_resp *r, u64 event)
{
	r->out.w[0] = r->out.w[1] = 0;
	r->info1 = GHCB_RESP_EXCEPTION;
	r->info2 = event;
	return SVM_GHCB_REPLY;
}

static void out_reg(struct page_resp *r, unsigned bit, u64 *slot, u64 val)
{
	*slot = val;
	ghcb_bits_set(&r->out, bit);
}

static void write_reply(const struct page_req *q, const struct page_resp *r)
{
	struct ghcb_save_area *s = &q->live->save;
	struct ghcb_bits bits = r->out;

	if (ghcb_bits_test(&bits, B_RAX))
		s->rax = r->rax;
	if (ghcb_bits_test(&bits, B_RBX))
		s->rbx = r->rbx;
	if (ghcb_bits_test(&bits, B_RCX))
		s->rcx = r->rcx;
	if (ghcb_bits_test(&bits, B_RDX))
		s->rdx = r->rdx;
	s->sw_exit_info1 = r->info1;
	s->sw_exit_info2 = r->info2;
	ghcb_bits_set(&bits, GHCB_BIT(sw_exit_info1));
	ghcb_bits_set(&bits, GHCB_BIT(sw_exit_info2));
	ghcb_bits_store(s->valid_bitmap, &bits);
}

/* MSR-model verdicts shared by MSR, RDTSC(P) and RDPMC: #GP becomes an exception reply
 * (0x8000030D), an internal error ends the guest (msr/msr.h contract). */
static enum svm_outcome msr_failed(const struct page_req *q, struct page_resp *r,
				   enum msr_result res, const char *what, u32 index)
{
	if (res == MSR_GP)
		return exception(r, GHCB_EVENT_GP);
	return svm_terminate(q->v, "MSR model error on %s of MSR 0x%x (GHCB %s): %s", what, index,
			     ghcb_nae_name(q->exit_code), msr_error_reason(q->v));
}

/* ---- scratch area (facts B.4 "Scratch-area rules", G4) ------------------------------------ */

struct scratch {
	bool in_ghcb; /* inside this GHCB's shared buffer */
	u32 off;      /* page offset when in_ghcb */
	u64 gpa;      /* C-bit-stripped GPA otherwise */
	u64 len;
};

/* SW_SCRATCH must be non-zero and [scratch, scratch + len) must not wrap. A range touching
 * the GHCB page must lie inside its shared buffer (0x800..0xFEF). Protocol v2 requires it to be
 * there; v1 may point elsewhere in guest RAM, at most 16 pages, read and written only through
 * the private bounce buffer. len must be non-zero and <= GHCB_SCRATCH_V1_MAX. */
static enum ghcb_err scratch_check(const struct page_req *q, u64 len, struct scratch *s)
{
	struct vm *vm = q->v->vm;
	u64 raw = q->in->sw_scratch;
	u64 gpa = svm_gpa_strip_cbit(vm, raw);
	u64 ghcb = svm_gpa_strip_cbit(vm, q->gpa);

	if (raw == 0 || len == 0 || len > GHCB_SCRATCH_V1_MAX || gpa + len < gpa)
		return GHCB_ERR_INVALID_SCRATCH_AREA;
	s->len = len;
	if (gpa < ghcb + PAGE_SIZE && gpa + len > ghcb) {
		u64 lo = ghcb + GHCB_SHARED_BUF_OFFSET, hi = lo + GHCB_SHARED_BUF_SIZE;
		if (gpa < lo || gpa + len > hi)
			return GHCB_ERR_INVALID_SCRATCH_AREA;
		s->in_ghcb = true;
		s->off = (u32)(gpa - ghcb);
		s->gpa = gpa;
		return GHCB_ERR_NONE;
	}
	if (q->version >= 2 || !svm_gpa_ptr(vm, gpa, len))
		return GHCB_ERR_INVALID_SCRATCH_AREA;
	s->in_ghcb = false;
	s->off = 0;
	s->gpa = gpa;
	return GHCB_ERR_NONE;
}

/* Copies the scratch contents into dst, once: from the GHCB's shared buffer or guest RAM. */
static bool scratch_read(const struct page_req *q, const struct scratch *s, void *dst)
{
	if (s->in_ghcb) {
		memcpy(dst, (const u8 *)q->live + s->off, s->len);
		return true;
	}
	return svm_gpa_read(q->v->vm, s->gpa, dst, s->len);
}

static bool scratch_write(const struct page_req *q, const struct scratch *s, const void *src)
{
	if (s->in_ghcb) {
		memcpy((u8 *)q->live + s->off, src, s->len);
		return true;
	}
	return svm_gpa_write(q->v->vm, s->gpa, src, s->len);
}

/* ---- events ------------------------------------------------------------------------------ */

static enum svm_outcome nae_dr7_read(struct page_req *q, struct page_resp *r)
{
	const struct ghcb_state *g = &q->v->ghcb;
	out_reg(r, B_RAX, &r->rax, g->dr7_written ? g->dr7 : DR7_RESET);
	return SVM_GHCB_REPLY;
}

static enum svm_outcome nae_dr7_write(struct page_req *q, struct page_resp *r)
{
	u64 val = q->in->rax;
	/* MOV DR7 with bits 63:32 set raises #GP (APM vol.2 13.1.1.5). */
	if (val >> 32)
		return exception(r, GHCB_EVENT_GP);
	q->v->ghcb.dr7 = (val | DR7_FIXED1) & ~DR7_RAZ;
	q->v->ghcb.dr7_written = true;
	return SVM_GHCB_REPLY;
}

/* RDTSC and RDTSCP read the TSC through the MSR model, so TSC offsetting has one home. */
static enum svm_outcome nae_rdtsc(struct page_req *q, struct page_resp *r)
{
	u64 tsc;
	enum msr_result res = msr_read(q->v, MSR_IA32_TSC, &tsc);
	if (res != MSR_OK)
		return msr_failed(q, r, res, "RDTSC", MSR_IA32_TSC);
	out_reg(r, B_RAX, &r->rax, (u32)tsc);
	out_reg(r, B_RDX, &r->rdx, tsc >> 32);
	return SVM_GHCB_REPLY;
}

static enum svm_outcome nae_rdtscp(struct page_req *q, struct page_resp *r)
{
	u64 tsc, aux;
	enum msr_result res = msr_read(q->v, MSR_IA32_TSC, &tsc);
	if (res != MSR_OK)
		return msr_failed(q, r, res, "RDTSCP", MSR_IA32_TSC);
	res = msr_read(q->v, MSR_TSC_AUX, &aux);
	if (res != MSR_OK)
		return msr_failed(q, r, res, "RDTSCP", MSR_TSC_AUX);
	out_reg(r, B_RAX, &r->rax, (u32)tsc);
	out_reg(r, B_RDX, &r->rdx, tsc >> 32);
	out_reg(r, B_RCX, &r->rcx, (u32)aux);
	return SVM_GHCB_REPLY;
}

/* RDPMC ECX = n reads legacy PerfCtr n through the MSR model; other counters #GP. */
static enum svm_outcome nae_rdpmc(struct page_req *q, struct page_resp *r)
{
	u32 ctr = (u32)q->in->rcx;
	u64 val;
	if (ctr >= AMD_LEGACY_PERF_CTRS)
		return exception(r, GHCB_EVENT_GP);
	enum msr_result res = msr_read(q->v, MSR_AMD_PERF_CTR0 + ctr, &val);
	if (res != MSR_OK)
		return msr_failed(q, r, res, "RDPMC", MSR_AMD_PERF_CTR0 + ctr);
	out_reg(r, B_RAX, &r->rax, (u32)val);
	out_reg(r, B_RDX, &r->rdx, (u32)(val >> 32));
	return SVM_GHCB_REPLY;
}

static void need_cpuid(const struct page_req *q, struct ghcb_bits *need)
{
	if ((u32)q->in->rax == CPUID_LEAF_XSAVE)
		ghcb_bits_set(need, B_XCR0); /* facts B.3, G3 */
}

static enum svm_outcome nae_cpuid(struct page_req *q, struct page_resp *r)
{
	const struct ghcb_save_area *s = q->in;
	u32 leaf = (u32)s->rax, sub = (u32)s->rcx;
	u64 xcr0 = ghcb_bits_test(&q->valid, B_XCR0) ? s->xcr0
		   : (q->v->ghcb.xcr0 ? q->v->ghcb.xcr0 : 1);
	u64 xss = ghcb_bits_test(&q->valid, B_XSS) ? s->xss : 0;
	struct cpuid_regs c = { 0, 0, 0, 0 };

	msr_cpuid(q->v, leaf, sub, xcr0, xss, &c);
	out_reg(r, B_RAX, &r->rax, c.eax);
	out_reg(r, B_RBX, &r->rbx, c.ebx);
	out_reg(r, B_RCX, &r->rcx, c.ecx);
	out_reg(r, B_RDX, &r->rdx, c.edx);
	return SVM_GHCB_REPLY;
}

static enum svm_outcome nae_nop(struct page_req *q, struct page_resp *r)
{
	/* INVD, WBINVD: caches are coherent for the guest; MONITOR/MWAIT: MWAIT may wake at any
	 * time, so returning at once is architecturally correct. */
	(void)q;
	(void)r;
	return SVM_GHCB_REPLY;
}

static unsigned ioio_size(u64 info1)
{
	switch (info1 & GHCB_IOIO_SZ_MASK) {
	case GHCB_IOIO_SZ8: return 1;
	case GHCB_IOIO_SZ16: return 2;
	case GHCB_IOIO_SZ32: return 4;
	case 0: return 0;
	default: return ~0u; /* more than one size bit */
	}
}

static void need_ioio(const struct page_req *q, struct ghcb_bits *need)
{
	if (q->info1 & GHCB_IOIO_STR)
		ghcb_bits_set(need, B_SCRATCH);
	else if (!(q->info1 & GHCB_IOIO_TYPE_IN))
		ghcb_bits_set(need, B_RAX);
}

static enum svm_outcome ioio_string(struct page_req *q, struct page_resp *r, u16 port,
				    unsigned size, bool in)
{
	u64 count = q->info2; /* repeat count (1 for a non-REP string instruction) */
	struct scratch s;
	enum ghcb_err err;

	if (count == 0)
		return SVM_GHCB_REPLY;
	if (count > GHCB_SCRATCH_V1_MAX / size)
		return malformed(q, r, GHCB_ERR_INVALID_SCRATCH_AREA);
	err = scratch_check(q, count * size, &s);
	if (err)
		return malformed(q, r, err);
	if (!in && !scratch_read(q, &s, bounce))
		return malformed(q, r, GHCB_ERR_INVALID_SCRATCH_AREA);
	for (u64 i = 0; i < count; i++) {
		u32 val = 0;
		if (!in)
			memcpy(&val, bounce + i * size, size);
		if (!svm_io_port(q->v->vm, port, size, in, &val))
			return SVM_TERMINATE;
		if (in)
			memcpy(bounce + i * size, &val, size);
	}
	if (in && !scratch_write(q, &s, bounce))
		return malformed(q, r, GHCB_ERR_INVALID_SCRATCH_AREA);
	return SVM_GHCB_REPLY;
}

static enum svm_outcome nae_ioio(struct page_req *q, struct page_resp *r)
{
	u16 port = (u16)(q->info1 >> GHCB_IOIO_PORT_SHIFT);
	bool in = q->info1 & GHCB_IOIO_TYPE_IN;
	unsigned size = ioio_size(q->info1);

	if (size == 0)
		return SVM_GHCB_REPLY; /* no operand size: nothing to do (facts B.4) */
	if (size == ~0u)
		return malformed(q, r, GHCB_ERR_INVALID_INPUT);
	if (q->info1 & GHCB_IOIO_STR)
		return ioio_string(q, r, port, size, in);

	u32 mask = (u32)GENMASK(size * 8 - 1, 0);
	u32 val = in ? 0 : (u32)q->in->rax & mask;
	if (!svm_io_port(q->v->vm, port, size, in, &val))
		return SVM_TERMINATE;
	if (in)
		out_reg(r, B_RAX, &r->rax, val & mask);
	return SVM_GHCB_REPLY;
}

static void need_msr(const struct page_req *q, struct ghcb_bits *need)
{
	if (q->info1 == GHCB_MSR_NAE_WRITE) {
		ghcb_bits_set(need, B_RAX);
		ghcb_bits_set(need, B_RDX);
	}
}

static enum svm_outcome nae_msr(struct page_req *q, struct page_resp *r)
{
	const struct ghcb_save_area *s = q->in;
	u32 index = (u32)s->rcx;
	enum msr_result res;

	if (q->info1 == GHCB_MSR_NAE_READ) {
		u64 val;
		res = msr_read(q->v, index, &val);
		if (res != MSR_OK)
			return msr_failed(q, r, res, "RDMSR", index);
		out_reg(r, B_RAX, &r->rax, (u32)val);
		out_reg(r, B_RDX, &r->rdx, val >> 32);
		return SVM_GHCB_REPLY;
	}
	if (q->info1 != GHCB_MSR_NAE_WRITE)
		return malformed(q, r, GHCB_ERR_INVALID_INPUT);
	res = msr_write(q->v, index, (u64)(u32)s->rax | ((u64)(u32)s->rdx << 32));
	if (res != MSR_OK)
		return msr_failed(q, r, res, "WRMSR", index);
	return SVM_GHCB_REPLY;
}

/* No hypercalls are implemented: CPL 0 gets "no such hypercall", other CPLs "not permitted"
 * (facts G3: hypercalls from CPL > 0 are refused). */
static enum svm_outcome nae_vmmcall(struct page_req *q, struct page_resp *r)
{
	u8 cpl = q->in->cpl;
	log_debug("guest %s vcpu%u: VMMCALL 0x%llx at CPL %u: not implemented", q->v->vm->name,
		  q->v->id, (unsigned long long)q->in->rax, cpl);
	out_reg(r, B_RAX, &r->rax, cpl == 0 ? GHCB_HC_ENOSYS : GHCB_HC_EPERM);
	return SVM_GHCB_REPLY;
}

static enum svm_outcome nae_mmio(struct page_req *q, struct page_resp *r, bool write)
{
	u64 gpa = q->info1, len = q->info2, val = 0;
	struct scratch s;
	enum ghcb_err err;

	if (len == 0)
		return SVM_GHCB_REPLY; /* facts B.4: zero length is a no-op */
	/* v2 limits MMIO to 8 bytes (facts A.4); the device model handles 1, 2, 4 and 8. */
	if ((q->version >= 2 && len > GHCB_MMIO_MAX_LEN_V2) ||
	    (len != 1 && len != 2 && len != 4 && len != 8))
		return malformed(q, r, GHCB_ERR_INVALID_INPUT);
	err = scratch_check(q, len, &s);
	if (err)
		return malformed(q, r, err);
	if (write) {
		if (!scratch_read(q, &s, &val))
			return malformed(q, r, GHCB_ERR_INVALID_SCRATCH_AREA);
		return svm_mmio(q->v->vm, gpa, (unsigned)len, true, &val) ? SVM_GHCB_REPLY
									 : SVM_TERMINATE;
	}
	if (!svm_mmio(q->v->vm, gpa, (unsigned)len, false, &val))
		return SVM_TERMINATE;
	if (!scratch_write(q, &s, &val))
		return malformed(q, r, GHCB_ERR_INVALID_SCRATCH_AREA);
	return SVM_GHCB_REPLY;
}

static enum svm_outcome nae_mmio_read(struct page_req *q, struct page_resp *r)
{
	return nae_mmio(q, r, false);
}

static enum svm_outcome nae_mmio_write(struct page_req *q, struct page_resp *r)
{
	return nae_mmio(q, r, true);
}

/* facts G9: IRET is not interceptable for SEV-ES; this is the end of the guest's NMI handler. */
static enum svm_outcome nae_nmi_complete(struct page_req *q, struct page_resp *r)
{
	(void)r;
	svm_event_nmi_complete(q->v);
	q->v->ghcb.nmi_completes++;
	return SVM_GHCB_REPLY;
}

static enum svm_outcome nae_ap_reset_hold(struct page_req *q, struct page_resp *r)
{
	enum svm_outcome o = ghcb_ap_hold_enter(q->v, GHCB_AP_HOLD_NAE, q->gpa);
	r->info2 = GHCB_AP_HOLD_STILL_HELD;
	return o;
}

/* facts G8: SET stores SW_EXITINFO2, GET returns it; any other operation is invalid input. */
static enum svm_outcome nae_ap_jump_table(struct page_req *q, struct page_resp *r)
{
	switch (q->info1) {
	case GHCB_AP_JUMP_TABLE_SET:
		q->v->ghcb.ap_jump_table = q->info2;
		return SVM_GHCB_REPLY;
	case GHCB_AP_JUMP_TABLE_GET:
		r->info2 = q->v->ghcb.ap_jump_table;
		return SVM_GHCB_REPLY;
	default:
		return malformed(q, r, GHCB_ERR_INVALID_INPUT);
	}
}

static enum svm_outcome nae_hv_features(struct page_req *q, struct page_resp *r)
{
	(void)q;
	r->info2 = GHCB_HV_FEATURES;
	return SVM_GHCB_REPLY;
}

static enum svm_outcome nae_terminate(struct page_req *q, struct page_resp *r)
{
	(void)r;
	return ghcb_guest_terminate(q->v, "GHCB NAE 0x8000FFFE", GHCB_NAE_TERM_SET(q->info1),
				    GHCB_NAE_TERM_CODE(q->info1));
}

/* facts G26: the guest took a #VC it could not handle; EXITINFO1 holds that exit code. */
static enum svm_outcome nae_unsupported(struct page_req *q, struct page_resp *r)
{
	(void)r;
	const char *name = ghcb_nae_name(q->info1);
	return svm_terminate(q->v, "guest reported an unsupported #VC event: exit code 0x%llx (%s), "
			     "info 0x%llx", (unsigned long long)q->info1, name ? name : "unnamed",
			     (unsigned long long)q->info2);
}

/* facts B.3, indexed by count slot (ghcb_nae_slot). need: the inputs an event cannot do
 * without (MISSING_INPUT otherwise); in: every field its handler reads, copied into the
 * snapshot when valid. SNP-only events and "other" have no handler: INVALID_EVENT. */
#define NAE(name) [GHCB_SLOT_NAE_##name - GHCB_SLOT_NAE_FIRST]
#define NAE_SLOTS (GHCB_SLOT_OTHER + 1 - GHCB_SLOT_NAE_FIRST)
static const struct nae_event nae_events[NAE_SLOTS] = {
	NAE(DR7_READ) = { 1, NONE, NONE, NULL, nae_dr7_read },
	NAE(DR7_WRITE) = { 1, NEED1(B_RAX), NEED1(B_RAX), NULL, nae_dr7_write },
	NAE(RDTSC) = { 1, NONE, NONE, NULL, nae_rdtsc },
	NAE(RDPMC) = { 1, NEED1(B_RCX), NEED1(B_RCX), NULL, nae_rdpmc },
	NAE(CPUID) = { 1, NEED2(B_RAX, B_RCX), NEED4(B_RAX, B_RCX, B_XCR0, B_XSS), need_cpuid,
		       nae_cpuid },
	NAE(INVD) = { 1, NONE, NONE, NULL, nae_nop },
	NAE(IOIO) = { 1, NONE, NEED2(B_RAX, B_SCRATCH), need_ioio, nae_ioio },
	NAE(MSR) = { 1, NEED1(B_RCX), NEED3(B_RAX, B_RCX, B_RDX), need_msr, nae_msr },
	NAE(VMMCALL) = { 1, NEED2(B_RAX, B_CPL), NEED2(B_RAX, B_CPL), NULL, nae_vmmcall },
	NAE(RDTSCP) = { 1, NONE, NONE, NULL, nae_rdtscp },
	NAE(WBINVD) = { 1, NONE, NONE, NULL, nae_nop },
	NAE(MONITOR) = { 1, NEED3(B_RAX, B_RCX, B_RDX), NONE, NULL, nae_nop },
	NAE(MWAIT) = { 1, NEED2(B_RAX, B_RCX), NONE, NULL, nae_nop },
	NAE(MMIO_READ) = { 1, NEED1(B_SCRATCH), NEED1(B_SCRATCH), NULL, nae_mmio_read },
	NAE(MMIO_WRITE) = { 1, NEED1(B_SCRATCH), NEED1(B_SCRATCH), NULL, nae_mmio_write },
	NAE(NMI_COMPLETE) = { 1, NONE, NONE, NULL, nae_nmi_complete },
	NAE(AP_RESET_HOLD) = { 1, NONE, NONE, NULL, nae_ap_reset_hold },
	NAE(AP_JUMP_TABLE) = { 1, NONE, NONE, NULL, nae_ap_jump_table },
	NAE(HV_FEATURES) = { 2, NONE, NONE, NULL, nae_hv_features },
	NAE(TERMINATE) = { 1, NONE, NONE, NULL, nae_terminate },
	NAE(UNSUPPORTED) = { 1, NONE, NONE, NULL, nae_unsupported },
};
#undef NAE

/* The version this request speaks: the GHCB's protocol_version field (0xFFA). Decisions:
 *  - 1..max offered: used, and recorded as the vCPU's version.
 *  - 0 (the guest left it unset; KVM never checks it, so guests may): the version recorded
 *    from an earlier page, else the highest one offered (what a guest negotiating with us
 *    picks when it supports it).
 *  - anything above what SEV_INFO offered: the guest speaks a protocol we do not, and could
 *    not read our replies; it is terminated with that reason (GHCB general reason 1's case).
 *  - a guest that never sent SEV_INFO_REQ is accepted (its GHCB MSR may have been preloaded
 *    with SEV_INFO at reset, facts A.0); logged once. */
static bool version_check(struct page_req *q)
{
	struct vcpu *v = q->v;
	u16 max = ghcb_max_version(v), pv = q->version;

	if (pv == 0)
		pv = v->ghcb.version ? v->ghcb.version : max;
	if (pv < GHCB_VERSION_MIN || pv > max) {
		svm_terminate(v, "GHCB protocol version %u in the GHCB at 0x%llx was not offered "
			      "(sevisor offers %u..%u)", pv, (unsigned long long)q->gpa,
			      GHCB_VERSION_MIN, max);
		return false;
	}
	if (!v->ghcb.sev_info_requested && !v->ghcb.logged_no_sev_info) {
		v->ghcb.logged_no_sev_info = true;
		log_info("guest %s vcpu%u: GHCB page used without a SEV_INFO request; using "
			 "protocol version %u", v->vm->name, v->id, pv);
	}
	v->ghcb.version = pv;
	q->version = pv;
	return true;
}

/* Step 2 (see the top of this file), the part an event decides: of the save area, only the
 * qwords the event reads (e->in) and the bitmap marks valid, each read once, plus XCR0
 * whenever it is valid (recorded for MSR-protocol CPUID leaf 0xD). The others keep whatever an
 * earlier request left: nothing reads a field whose bit is clear (validate_and_run refuses an
 * event whose required bits are missing; optional inputs such as XCR0 and XSS are tested
 * first) or that is not in its event's in mask. A CPUID request copies 2 qwords. */
static const struct ghcb_bits always_in = NEED1(B_XCR0);

static void snapshot_inputs(struct ghcb_save_area *snap, const struct ghcb_save_area *live,
			    const struct ghcb_bits *valid, const struct ghcb_bits *in)
{
	const u8 *from = (const u8 *)live;
	u8 *to = (u8 *)snap;
	for (unsigned w = 0; w < 2; w++)
		for (u64 bits = valid->w[w] & (in->w[w] | always_in.w[w]); bits; bits &= bits - 1) {
			unsigned i = w * 64 + (unsigned)__builtin_ctzll(bits);
			memcpy(to + i * 8, from + i * 8, 8);
		}
}

static enum svm_outcome validate_and_run(struct page_req *q, struct page_resp *r)
{
	static const struct ghcb_bits always = NEED3(GHCB_BIT(sw_exit_code),
						     GHCB_BIT(sw_exit_info1),
						     GHCB_BIT(sw_exit_info2));

	if (q->usage != GHCB_USAGE_STANDARD)
		return malformed(q, r, GHCB_ERR_INVALID_USAGE);
	if (!version_check(q))
		return SVM_TERMINATE;
	if (!ghcb_bits_contain(&q->valid, &always))
		return malformed(q, r, GHCB_ERR_MISSING_INPUT);
	enum ghcb_slot slot = ghcb_nae_slot(q->exit_code);
	counts_add(&q->v->ghcb.events[slot]);

	const struct nae_event *e = &nae_events[slot - GHCB_SLOT_NAE_FIRST];
	if (!e->fn || q->version < e->min_version)
		return malformed(q, r, GHCB_ERR_INVALID_EVENT);
	snapshot_inputs(&snapshot, &q->live->save, &q->valid, &e->in);
	struct ghcb_bits need = e->need;
	if (e->more)
		e->more(q, &need);
	if (!ghcb_bits_contain(&q->valid, &need))
		return malformed(q, r, GHCB_ERR_MISSING_INPUT);
	if (ghcb_bits_test(&q->valid, B_XCR0))
		q->v->ghcb.xcr0 = snapshot.xcr0;
	return e->fn(q, r);
}

/* Step 1: the host address of the GHCB page at gpa, or NULL when it is not a whole page of
 * guest RAM. The last one is kept per vCPU (ghcb_state.map_gpa/map): a guest uses the same
 * GHCB for nearly every request, and the answer cannot change while the GPA is the same,
 * because a VM's RAM slots and C-bit are fixed when it is created (svm/run_hw.c guest_create),
 * before ghcb_vcpu_reset clears the kept one. A different GPA (another vCPU's GHCB, Linux's
 * early-boot GHCB before its runtime one) is mapped afresh and kept instead. */
static struct ghcb *map_ghcb(struct vcpu *v, u64 gpa)
{
	struct ghcb_state *g = &v->ghcb;
	if (gpa == g->map_gpa && g->map)
		return g->map;
	struct ghcb *p = svm_gpa_ptr(v->vm, gpa, sizeof(struct ghcb));
	if (p) {
		g->map_gpa = gpa;
		g->map = p;
	}
	return p;
}

enum svm_outcome ghcb_page_protocol(struct vcpu *v, u64 gpa)
{
	struct vm *vm = v->vm;
	struct page_req q;
	/* Field by field, not `= { ... }`: an initializer zeroes both structs whole (two rep
	 * stos per request). Every field of q is set below; of r, the registers are written
	 * only with their out bit (out_reg), and write_reply reads only those. */
	struct page_resp r;
	r.info1 = GHCB_RESP_OK;
	r.info2 = 0;
	r.out.w[0] = r.out.w[1] = 0;

	v->ghcb.page_requests++;
	if (gpa == 0)
		return svm_terminate(v, "VMGEXIT with GHCB MSR 0: neither an MSR-protocol request "
				     "nor a GHCB page");
	if (v->ghcb.registered &&
	    svm_gpa_strip_cbit(vm, gpa) != svm_gpa_strip_cbit(vm, v->ghcb.registered_gpa))
		return svm_terminate(v, "VMGEXIT through GHCB GPA 0x%llx, but the guest registered "
				     "GHCB GPA 0x%llx (GHCB spec: terminate on mismatch)",
				     (unsigned long long)gpa,
				     (unsigned long long)v->ghcb.registered_gpa);
	q.live = map_ghcb(v, gpa);
	if (!q.live)
		return svm_terminate(v, "GHCB GPA 0x%llx is not guest RAM", (unsigned long long)gpa);

	/* Step 2, the part every request reads (SW_EXITCODE/INFO1/INFO2 even when their bits
	 * are missing: they are logged by name), each field once. */
	const struct ghcb *live = q.live;
	q.v = v;
	q.gpa = gpa;
	q.in = &snapshot;
	ghcb_bits_load(&q.valid, live->save.valid_bitmap);
	q.version = live->protocol_version;
	q.usage = live->ghcb_usage;
	q.exit_code = live->save.sw_exit_code;
	q.info1 = live->save.sw_exit_info1;
	q.info2 = live->save.sw_exit_info2;
	enum svm_outcome o = validate_and_run(&q, &r);
	if (o == SVM_GHCB_REPLY)
		write_reply(&q, &r);
	return o;
}
