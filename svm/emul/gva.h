/* Guest-virtual to guest-physical translation for the plain-mode emulation paths that must
 * reach guest memory by linear address (instruction fetch for the decoder, MMIO operands, string
 * I/O), with the permission checks of the access the guest makes and its #PF when they fail.
 * Walks the guest's own page tables in guest RAM (APM vol. 2, 5.2-5.3): paging off, 32-bit
 * (with 4 MiB pages when CR4.PSE), PAE, and 4-level long mode (2 MiB / 1 GiB pages).
 * Never used for a real SEV-ES guest (its page tables are private); the soft-es CPU model uses it
 * where the CPU itself would walk the guest's tables (#VC delivery, instruction fetch). */
#ifndef SVM_EMUL_GVA_H
#define SVM_EMUL_GVA_H

#include "arch/x86/rflags.h"
#include "svm/emul/decode.h"
#include "svm/vcpu.h"
#include "svm/exit.h"

/* Page-fault error code bits (APM vol. 2, 8.4.2 "#PF"): P (0 = a not-present entry, 1 = a
 * protection or reserved-bit violation), R/W (the access was a write), U/S (made at CPL 3),
 * RSV (a reserved bit was set in a paging entry), I/D (an instruction fetch, reported when
 * no-execute can apply: PAE or long mode with EFER.NXE or CR4.SMEP). */
#define SVM_PF_P BIT(0)
#define SVM_PF_W BIT(1)
#define SVM_PF_U BIT(2)
#define SVM_PF_RSV BIT(3)
#define SVM_PF_ID BIT(4)

/* What a translation is for. ANY walks without permission checks (the sevisor-side readers:
 * the soft-es model's descriptor tables, the instruction bytes of a log line). */
enum svm_gva_access { SVM_GVA_ANY, SVM_GVA_READ, SVM_GVA_WRITE, SVM_GVA_FETCH };

enum svm_gva_result {
	SVM_GVA_OK,
	SVM_GVA_FAULT,     /* the access page-faults: *pf_err holds the error code */
	SVM_GVA_BAD_TABLE, /* a paging entry lies outside guest RAM: nothing the CPU would report */
};

/* Translates a linear address for an access the guest makes at its current CPL, with the
 * checks of APM vol. 2, 5.6 "Page-Protection Checks" (R/W with CR0.WP, U/S, NX with EFER.NXE,
 * SMEP, SMAP with RFLAGS.AC) and the reserved bits of 5.3-5.4 it can tell without MAXPHYADDR
 * (NX without EFER.NXE, PS in a PML4E, the low address bits of a 2 MiB or 1 GiB page). Accessed
 * and dirty bits are not set. */
enum svm_gva_result svm_gva_translate(struct vcpu *v, u64 gva, enum svm_gva_access acc, u64 *gpa, u32 *pf_err);
/* False if the address is not mapped (no permission checks). */
bool svm_gva_to_gpa(struct vcpu *v, u64 gva, u64 *gpa);
/* Queues #PF for the guest: error code err, CR2 = the faulting linear address (APM vol. 2,
 * 8.4.2: the processor loads CR2; an injected event does not, so the hypervisor writes it). */
enum svm_outcome svm_inject_pf(struct vcpu *v, u64 gva, u32 err);
/* When the instruction at CS:RIP cannot be fetched whole (a decode came back truncated), the
 * first of its 15 bytes whose fetch faults: true with *gva and *pf_err. */
bool svm_fetch_fault(struct vcpu *v, u64 *gva, u32 *pf_err);
/* Reads len bytes at a linear address, page by page. */
bool svm_gva_read(struct vcpu *v, u64 gva, void *dst, u64 len);
bool svm_gva_write(struct vcpu *v, u64 gva, const void *src, u64 len);

/* ---- struct vcpu_page_set: kept translations validated together ---------------------------
 * Use: svm_gva_set_check once, then svm_gva_set_ptr for each page the use reaches, all before
 * the guest runs again and before the caller writes guest memory through a pointer it got (a
 * write could change a paging entry: the next check sees that). */

/* Empties the set, for the control registers of now; returns false. */
bool svm_gva_set_reset(struct vcpu *v, struct vcpu_page_set *set);

/* One kept entry's difference from its value then (gva_set.c: the aligned 8-byte word of the
 * entry, in every paging mode, so one compare covers 4- and 8-byte entries alike). */
#define SVM_GVA_SET_ENTRY_CASE(i)                                                                  \
	case (i) + 1:                                                                              \
		diff |= *(const u64 *)set->entry[i] ^ set->value[i];                               \
		__attribute__((fallthrough));

/* True when every page the set keeps still translates as when it was walked: CR0, CR3, CR4
 * and EFER as then, and every paging entry in the union unchanged. Changes nothing (the #VC
 * delivery's kept way asks this and leaves every miss to the general way). Every difference
 * is gathered without a branch each, one test at the end; the entries are compared by a
 * straight run of compares entered at the union's size (one jump, no loop counter). The
 * entries are read even when a register differs: they are words of guest RAM, which stays
 * mapped for the VM's life. Inline: it runs on every use. */
static inline __attribute__((always_inline)) bool svm_gva_set_same(const struct vcpu *v,
								   const struct vcpu_page_set *set)
{
	const struct vmcb_save *s = &v->vmcb->save;
	u64 diff = (set->cr0 ^ s->cr0) | (set->cr3 ^ s->cr3) | (set->cr4 ^ s->cr4) | (set->efer ^ s->efer);
	_Static_assert(VCPU_SET_ENTRIES == 16, "one case per entry below");
	switch (set->nr_entries) {
	SVM_GVA_SET_ENTRY_CASE(15) SVM_GVA_SET_ENTRY_CASE(14) SVM_GVA_SET_ENTRY_CASE(13)
	SVM_GVA_SET_ENTRY_CASE(12) SVM_GVA_SET_ENTRY_CASE(11) SVM_GVA_SET_ENTRY_CASE(10)
	SVM_GVA_SET_ENTRY_CASE(9) SVM_GVA_SET_ENTRY_CASE(8) SVM_GVA_SET_ENTRY_CASE(7)
	SVM_GVA_SET_ENTRY_CASE(6) SVM_GVA_SET_ENTRY_CASE(5) SVM_GVA_SET_ENTRY_CASE(4)
	SVM_GVA_SET_ENTRY_CASE(3) SVM_GVA_SET_ENTRY_CASE(2) SVM_GVA_SET_ENTRY_CASE(1)
	SVM_GVA_SET_ENTRY_CASE(0)
	default:
		break;
	}
	return diff == 0;
}
#undef SVM_GVA_SET_ENTRY_CASE

/* svm_gva_set_same, and when it is false the set emptied (svm_gva_set_reset) for the control
 * registers of now. */
static inline bool svm_gva_set_check(struct vcpu *v, struct vcpu_page_set *set)
{
	if (svm_gva_set_same(v, set))
		return true;
	return svm_gva_set_reset(v, set);
}

/* The miss of svm_gva_set_ptr: slot takes the page holding linear address page (an unchecked
 * walk, SVM_GVA_ANY). NULL when the page is unmapped or not wholly guest RAM (the slot is left
 * empty). */
u8 *svm_gva_set_fill(struct vcpu *v, struct vcpu_page_set *set, unsigned slot, u64 page);

/* The host address of [gva, gva + len) through the set's slot when the slot holds its page
 * (after svm_gva_set_check or svm_gva_set_same said the set is valid: the same bytes as a
 * fresh walk gives), else NULL: the range crosses a page or is empty, or the slot is empty or
 * holds another page. Changes nothing. */
static inline __attribute__((always_inline)) void *svm_gva_set_hit(const struct vcpu_page_set *set, unsigned slot,
								   u64 gva, u64 len)
{
	u64 off = gva & (PAGE_SIZE - 1);
	u8 *host = set->host[slot];
	if (len == 0 || off + len > PAGE_SIZE || !host || set->lin_page[slot] != gva - off)
		return NULL;
	return host + off;
}

/* svm_gva_set_hit, and on a miss of a range within one page the slot filled with its page
 * (svm_gva_set_fill); NULL when the range crosses a page, is empty, or its page is unmapped or
 * not wholly guest RAM: then svm_gva_read/svm_gva_write decide. Inline: a hit is one compare. */
static inline void *svm_gva_set_ptr(struct vcpu *v, struct vcpu_page_set *set, unsigned slot, u64 gva, u64 len)
{
	u64 off = gva & (PAGE_SIZE - 1);
	if (len == 0 || off + len > PAGE_SIZE)
		return NULL;
	u64 page = gva - off;
	u8 *host = set->host[slot];
	if (!host || set->lin_page[slot] != page)
		host = svm_gva_set_fill(v, set, slot, page);
	return host ? host + off : NULL;
}

/* The unchecked translation of svm_gva_to_gpa, with the paging entries it read in rec. */
bool svm_gva_to_gpa_recorded(struct vcpu *v, u64 gva, u64 *gpa, struct vcpu_walk *rec);

/* ---- the instruction fetch's kept page (struct vcpu_page_cache) ---------------------------- */

/* The paging-entry words the walk of the fetch cache c read, each against its value then
 * (padded to VCPU_WALK_MAX with a constant word): 0 when all are unchanged, else the
 * differences OR-ed together, without a branch. The cache must be full (c->host set): an
 * empty one has no words to read. */
static inline __attribute__((always_inline)) u64 svm_fetch_cache_walk_diff(const struct vcpu_page_cache *c)
{
	u64 diff = 0;
#pragma GCC unroll 4
	for (unsigned i = 0; i < VCPU_WALK_MAX; i++) {
		u64 word;
		__builtin_memcpy(&word, c->walk.entry[i], sizeof(word));
		diff |= word ^ c->walk.value[i];
	}
	return diff;
}

/* Whether the translation the fetch cache c keeps still holds: CR0, CR3, CR4 and EFER as the
 * walk read them, and every paging-entry word unchanged. 0 when it holds, else the
 * differences OR-ed together, for a single test by the callers below. c must be full. */
static inline __attribute__((always_inline)) u64 svm_fetch_cache_diff(const struct vmcb_save *s,
								     const struct vcpu_page_cache *c)
{
	return (c->cr3 ^ s->cr3) | (c->cr0 ^ s->cr0) | (c->cr4 ^ s->cr4) | (c->efer ^ s->efer) |
	       svm_fetch_cache_walk_diff(c);
}

/* The host address of the guest page at linear address page when the fetch cache c holds it
 * and its translation still holds (svm_fetch_cache_diff), so a hit always equals a new walk.
 * Else NULL (an empty cache has no host page). Inline: the fetch and the soft-es model's
 * VMGEXIT recognition run it. */
static inline __attribute__((always_inline)) const u8 *svm_fetch_cache_hit(const struct vmcb_save *s,
									   const struct vcpu_page_cache *c, u64 page)
{
	const u8 *host = c->host;
	if (!host)
		return NULL;
	return ((c->lin_page ^ page) | svm_fetch_cache_diff(s, c)) ? NULL : host;
}

/* The host address of the len bytes (1..PAGE_SIZE) at linear address lin when they lie within
 * the page the fetch cache c keeps and its translation still holds: svm_fetch_cache_hit of
 * their page, with the page and the room left in it told by one subtraction (lin minus the
 * kept page's address is the offset in the page when it is below PAGE_SIZE, and the bytes fit
 * when it is at most PAGE_SIZE - len; any other lin gives a larger, unsigned, difference).
 * Else NULL. Inline: every exit that steps over an instruction runs it (svm/step.h). */
static inline __attribute__((always_inline)) const u8 *svm_fetch_cache_at(const struct vmcb_save *s,
									  const struct vcpu_page_cache *c, u64 lin,
									  u64 len)
{
	const u8 *host = c->host;
	u64 off = lin - c->lin_page;
	if (!host || off > PAGE_SIZE - len)
		return NULL;
	return svm_fetch_cache_diff(s, c) ? NULL : host + off;
}

/* svm_fetch_cache_at(s, &v->fetch, svm_fetch_linear_of(s), len) (s: v's VMCB save area) for a
 * visible vCPU in an exit handler, in 64-bit code: the kept page's lean_page stands for CR0,
 * CR4, EFER and CS.L. The run loop's cr_shadow_after_exit (svm/cr_shadow_exit.h) has made the
 * VMCB's CR0/CR4/EFER equal to the shadow's at this exit, and CS.L equal to checked_cs_l (it
 * commits any difference); every change since (a CR or EFER write the handler carried out)
 * goes through the commit; and the commit makes lean_page stale. So a lean_page that is the
 * page (noted only when the VMCB then equalled the shadow, and the code was 64-bit) means the
 * four are those the walk read, and the code is 64-bit but for RFLAGS.VM, tested as it is now:
 * RIP is the linear address (APM vol. 2, 4.12.2). CR3, whose writes are not intercepted, and
 * the walk words are compared as in svm_fetch_cache_at. Else NULL: legacy code, a stale or
 * no lean page (an empty cache has none), another page, the bytes crossing its end, a changed
 * translation. Only for callers after cr_shadow_after_exit of the exit they handle. */
static inline __attribute__((always_inline)) const u8 *svm_fetch_cache_lean(const struct vcpu *v,
									    const struct vmcb_save *s, u64 len)
{
	const struct vcpu_page_cache *c = &v->fetch;
	u64 off = s->rip - c->lean_page;
	if (off > PAGE_SIZE - len || (s->rflags & RFLAGS_VM))
		return NULL;
	/* A lean page means a full cache (vcpu_page_cache.lean_page): no test of host, and the
	 * compiler is told so, or it would test the address it returns against NULL again. */
	const u8 *at = c->host + off;
	if (!at)
		__builtin_unreachable();
	u64 diff = (c->cr3 ^ s->cr3) | svm_fetch_cache_walk_diff(c);
	return diff ? NULL : at;
}

/* The linear address of CS:RIP outside 64-bit mode: CS base + EIP, wrapping at 4 GiB. */
static inline __attribute__((always_inline)) u64 svm_fetch_linear_legacy(const struct vmcb_save *s)
{
	return (s->cs.base + s->rip) & 0xFFFFFFFFULL;
}

/* The code size of the state s (CR0.PE, EFER.LMA, CS.L/D, RFLAGS.VM). */
static inline enum svm_cpu_mode svm_cpu_mode_of(const struct vmcb_save *s)
{
	return svm_cpu_mode_from(s->cr0, s->efer, s->cs.attrib, (s->rflags & RFLAGS_VM) != 0);
}

/* The linear address of CS:RIP in the code size the guest runs in (mode): in 64-bit mode the
 * CS base is ignored; elsewhere the linear address wraps at 4 GiB. */
static inline u64 svm_fetch_linear(const struct vmcb_save *s, enum svm_cpu_mode mode)
{
	if (mode == SVM_CPU_MODE_64)
		return s->rip;
	return svm_fetch_linear_legacy(s);
}

/* Whether the state s runs 64-bit code (svm_cpu_mode_of(s) == SVM_CPU_MODE_64: CR0.PE, not
 * RFLAGS.VM, EFER.LMA and CS.L), 64-bit mode's own bits tested first. */
static inline __attribute__((always_inline)) bool svm_fetch_code64(const struct vmcb_save *s)
{
	return __builtin_expect((s->efer & EFER_LMA) && (s->cs.attrib & SVM_SEG_L), 1) && (s->cr0 & CR0_PE) &&
	       !(s->rflags & RFLAGS_VM);
}

/* svm_fetch_linear(s, svm_cpu_mode_of(s)), for a caller that needs the address alone: the
 * address depends only on whether the code size is 64-bit, so that is all it tests. */
static inline __attribute__((always_inline)) u64 svm_fetch_linear_of(const struct vmcb_save *s)
{
	if (svm_fetch_code64(s))
		return s->rip;
	return svm_fetch_linear_legacy(s);
}

/* The code size the guest runs in now (CR0.PE, EFER.LMA, CS.L/D, RFLAGS.VM from the VMCB). */
enum svm_cpu_mode svm_guest_cpu_mode(const struct vcpu *v);
/* Fetches the instruction at CS:RIP, byte by byte (it may end just before an unmapped page),
 * and decodes it. For the plain-mode emulation paths and the soft-es CPU model only: both
 * may look at the guest's state. */
enum svm_decode_status svm_fetch_insn(struct vcpu *v, struct svm_insn *out);

/* The fetch of svm_fetch_insn without the decode: fills bytes[0..n) and *mode, returns n. */
unsigned svm_fetch_bytes(struct vcpu *v, u8 bytes[SVM_INSN_MAX_LEN], enum svm_cpu_mode *mode);
/* The length of the instruction at CS:RIP when it is the unprefixed encoding of kind or alt
 * (svm_decode_fixed_len), read in place through the fetch's page cache; 0 for anything else
 * and when the 4 bytes at RIP are not within one cached page: then svm_fetch_bytes and the
 * decoder decide. kind and alt are valid kinds (constants of the exit handlers). */
unsigned svm_fetch_fixed_len(struct vcpu *v, enum svm_insn_kind kind, enum svm_insn_kind alt);

#endif
