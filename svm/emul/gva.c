/* Guest page-table walker. See gva.h. */
#include "svm/emul/gva.h"
#include "arch/x86/rflags.h"
#include "svm/guest_mem.h"
#include "svm/cr_shadow.h"
#include "lib/kstring.h"

#define PTE_P BIT(0)
#define PTE_PS BIT(7)
#define PTE_ADDR_MASK GENMASK(51, 12)

static u64 load_entry(const void *p, unsigned size)
{
	if (size == 8) {
		u64 e;
		memcpy(&e, p, 8);
		return e;
	}
	u32 e;
	memcpy(&e, p, 4);
	return e;
}

/* Records in rec the aligned 8-byte word that holds the size-byte entry at gpa (host p), for
 * the page cache: an 8-byte entry is its own word; a 4-byte one is looked up with its
 * neighbour (the word must lie in guest RAM as a whole). Marks rec lost when it cannot. */
static void record_entry(struct vcpu *v, struct vcpu_walk *rec, u64 gpa, unsigned size, const void *p)
{
	const void *word = size == 8 ? p : svm_gpa_ptr(v->vm, gpa & ~7ULL, 8);
	if (!word || rec->n >= VCPU_WALK_MAX) {
		rec->lost = true;
		return;
	}
	rec->entry[rec->n] = word;
	rec->value[rec->n] = load_entry(word, 8);
	rec->n++;
}

/* One 4- or 8-byte paging entry, loaded straight from guest RAM (fixed-size copies: single
 * loads; a walk reads up to four of these, and an exit may walk several times). Recorded in
 * rec, if given, for a page cache. */
static inline __attribute__((always_inline)) bool read_entry(struct vcpu *v, u64 gpa, unsigned size, u64 *out,
								struct vcpu_walk *rec)
{
	const void *p = svm_gpa_ptr(v->vm, gpa, size);
	*out = 0;
	if (!p)
		return false;
	*out = load_entry(p, size);
	if (rec)
		record_entry(v, rec, gpa, size, p);
	return true;
}

#define PTE_RW BIT(1)
#define PTE_US BIT(2)
#define PTE_NX BIT(63)
/* Reserved (MBZ) bits that do not depend on MAXPHYADDR (APM vol. 2, 5.3.1-5.3.4, 5.4): a PML4E's
 * PS bit, the address bits below a large page's alignment, bit 21 of a 4 MiB PDE. */
#define PML4E_RESERVED BIT(7)
#define PDPE_1G_RESERVED GENMASK(29, 13)
#define PDE_2M_RESERVED GENMASK(20, 13)
#define PDE_4M_RESERVED BIT(21)

/* The rights a walk has collected: a page is writable (user-accessible) only if every level
 * says so, and not executable if any level says so (APM vol. 2, 5.6.1-5.6.3). */
struct walk {
	bool rw, us, nx;
	bool nxe;          /* EFER.NXE: bit 63 is NX, else reserved (PAE and long-mode entries) */
	bool not_present;
	bool reserved;
	u64 gpa;
};

/* Takes one entry: false when the walk ends here (not present, reserved bit, unreadable).
 * Without check only P matters: the walkers are inlined twice, and the unchecked copy (the
 * instruction fetch on every decoded exit, the soft-es model's table reads) stays as lean as
 * a plain walk. */
#define WALK_INLINE static inline __attribute__((always_inline))
WALK_INLINE bool take(struct walk *w, u64 e, const bool check, bool has_rights, bool has_nx, u64 reserved)
{
	if (!(e & PTE_P)) {
		w->not_present = true;
		return false;
	}
	if (!check)
		return true;
	if (has_nx && !w->nxe)
		reserved |= PTE_NX;
	if (e & reserved) {
		w->reserved = true;
		return false;
	}
	if (has_rights) {
		w->rw &= (e & PTE_RW) != 0;
		w->us &= (e & PTE_US) != 0;
		w->nx |= has_nx && (e & PTE_NX);
	}
	return true;
}

/* Reads and takes the entry at gpa; *bad when it lies outside guest RAM. */
WALK_INLINE bool step(struct vcpu *v, struct walk *w, u64 gpa, unsigned size, const bool check, bool has_rights,
		      bool has_nx, u64 reserved, u64 *e, bool *bad, struct vcpu_walk *rec)
{
	if (!read_entry(v, gpa, size, e, rec)) {
		*bad = true;
		return false;
	}
	return take(w, *e, check, has_rights, has_nx, reserved);
}

/* 4-level long mode: PML4 [47:39], PDPT [38:30], PD [29:21], PT [20:12]. */
WALK_INLINE bool walk_long(struct vcpu *v, u64 gva, u64 cr3, const bool check, struct walk *w, bool *bad,
			   struct vcpu_walk *rec)
{
	static const u64 large_reserved[4] = { 0, PDE_2M_RESERVED, PDPE_1G_RESERVED, 0 };
	u64 table = cr3 & PTE_ADDR_MASK, e;
	for (int level = 3; level >= 0; level--) {
		unsigned shift = 12 + 9 * (unsigned)level;
		u64 addr = table + ((gva >> shift) & 0x1FF) * 8;
		if (!read_entry(v, addr, 8, &e, rec)) {
			*bad = true;
			return false;
		}
		bool large = level > 0 && level < 3 && (e & PTE_PS);
		u64 rsv = level == 3 ? PML4E_RESERVED : large ? large_reserved[level] : 0;
		if (!take(w, e, check, true, true, rsv))
			return false;
		if (large) {
			u64 page = 1ULL << shift;
			w->gpa = (e & PTE_ADDR_MASK & ~(page - 1)) | (gva & (page - 1));
			return true;
		}
		table = e & PTE_ADDR_MASK;
	}
	w->gpa = table | (gva & 0xFFF);
	return true;
}

/* PAE: 4 PDPTEs at CR3[31:5] (no rights: their reserved bits are checked at CR3 load), then
 * PD and PT with 8-byte entries. */
WALK_INLINE bool walk_pae(struct vcpu *v, u64 gva, u64 cr3, const bool check, struct walk *w, bool *bad,
			  struct vcpu_walk *rec)
{
	u64 e;
	if (!step(v, w, (cr3 & 0xFFFFFFE0ULL) + (gva >> 30) * 8, 8, check, false, false, 0, &e, bad, rec))
		return false;
	if (!read_entry(v, (e & PTE_ADDR_MASK) + ((gva >> 21) & 0x1FF) * 8, 8, &e, rec)) {
		*bad = true;
		return false;
	}
	if (!take(w, e, check, true, true, (e & PTE_PS) ? PDE_2M_RESERVED : 0))
		return false;
	if (e & PTE_PS) {
		w->gpa = (e & PTE_ADDR_MASK & ~(LARGE_PAGE_SIZE - 1)) | (gva & (LARGE_PAGE_SIZE - 1));
		return true;
	}
	if (!step(v, w, (e & PTE_ADDR_MASK) + ((gva >> 12) & 0x1FF) * 8, 8, check, true, true, 0, &e, bad, rec))
		return false;
	w->gpa = (e & PTE_ADDR_MASK) | (gva & 0xFFF);
	return true;
}

/* 32-bit: PD [31:22], PT [21:12], 4-byte entries; 4 MiB pages with CR4.PSE; no NX. */
WALK_INLINE bool walk_32(struct vcpu *v, u64 gva, u64 cr3, bool pse, const bool check, struct walk *w, bool *bad,
			 struct vcpu_walk *rec)
{
	u64 e;
	if (!read_entry(v, (cr3 & 0xFFFFF000ULL) + (gva >> 22) * 4, 4, &e, rec)) {
		*bad = true;
		return false;
	}
	bool large = (e & PTE_PS) && pse;
	if (!take(w, e, check, true, false, large ? PDE_4M_RESERVED : 0))
		return false;
	if (large) {
		w->gpa = (e & 0xFFC00000ULL) | (gva & 0x3FFFFF);
		return true;
	}
	if (!step(v, w, (e & 0xFFFFF000ULL) + ((gva >> 12) & 0x3FF) * 4, 4, check, true, false, 0, &e, bad, rec))
		return false;
	w->gpa = (e & 0xFFFFF000ULL) | (gva & 0xFFF);
	return true;
}

/* Whether an access with the collected rights is refused (APM vol. 2, 5.6: U/S, R/W with
 * CR0.WP for supervisor writes, NX, SMEP for supervisor fetches from user pages, SMAP for
 * supervisor data accesses to user pages unless RFLAGS.AC). */
static bool protection_fault(const struct vmcb_save *s, const struct walk *w, enum svm_gva_access acc, bool user)
{
	bool write = acc == SVM_GVA_WRITE, fetch = acc == SVM_GVA_FETCH;
	if (fetch && w->nx)
		return true;
	if (user)
		return !w->us || (write && !w->rw);
	if (write && !w->rw && (s->cr0 & CR0_WP))
		return true;
	if (w->us && fetch && (s->cr4 & CR4_SMEP))
		return true;
	return w->us && !fetch && (s->cr4 & CR4_SMAP) && !(s->rflags & RFLAGS_AC);
}

/* The walk for the paging mode in force (paging on); false when it ends early (*bad: at a
 * paging entry outside guest RAM). The entries read go to rec, if given (the fetch cache). */
WALK_INLINE bool walk(struct vcpu *v, u64 gva, const bool check, struct walk *w, bool *bad, struct vcpu_walk *rec)
{
	const struct vmcb_save *s = &v->vmcb->save;
	if (s->efer & EFER_LMA)
		return walk_long(v, gva, s->cr3, check, w, bad, rec);
	if (s->cr4 & CR4_PAE)
		return walk_pae(v, gva & 0xFFFFFFFFULL, s->cr3, check, w, bad, rec);
	return walk_32(v, gva & 0xFFFFFFFFULL, s->cr3, (s->cr4 & CR4_PSE) != 0, check, w, bad, rec);
}

enum svm_gva_result svm_gva_translate(struct vcpu *v, u64 gva, enum svm_gva_access acc, u64 *gpa, u32 *pf_err)
{
	const struct vmcb_save *s = &v->vmcb->save;
	*pf_err = 0;
	if (acc == SVM_GVA_ANY)
		return svm_gva_to_gpa(v, gva, gpa) ? SVM_GVA_OK : SVM_GVA_FAULT;
	if (!(s->cr0 & CR0_PG)) {
		*gpa = gva & 0xFFFFFFFFULL; /* no paging: linear = physical, 32-bit */
		return SVM_GVA_OK;
	}
	struct walk w = { .rw = true, .us = true, .nxe = (s->efer & EFER_NXE) != 0 };
	bool bad = false, ok = walk(v, gva, true, &w, &bad, NULL);
	if (bad)
		return SVM_GVA_BAD_TABLE;
	bool user = s->cpl == 3;
	if (ok && !protection_fault(s, &w, acc, user)) {
		*gpa = w.gpa;
		return SVM_GVA_OK;
	}
	u32 err = 0;
	if (!w.not_present)
		err |= SVM_PF_P; /* a protection or reserved-bit violation */
	if (w.reserved)
		err |= SVM_PF_RSV;
	if (acc == SVM_GVA_WRITE)
		err |= SVM_PF_W;
	if (user)
		err |= SVM_PF_U;
	bool pae = (s->efer & EFER_LMA) || (s->cr4 & CR4_PAE);
	if (acc == SVM_GVA_FETCH && pae && (w.nxe || (s->cr4 & CR4_SMEP)))
		err |= SVM_PF_ID;
	*pf_err = err;
	return SVM_GVA_FAULT;
}

/* The unchecked translation, recording the entries it reads in rec if given. */
WALK_INLINE bool translate(struct vcpu *v, u64 gva, u64 *gpa, struct vcpu_walk *rec)
{
	if (!(v->vmcb->save.cr0 & CR0_PG)) {
		*gpa = gva & 0xFFFFFFFFULL; /* no paging: linear = physical, 32-bit */
		return true;
	}
	struct walk w;
	bool bad = false;
	if (!walk(v, gva, false, &w, &bad, rec))
		return false;
	*gpa = w.gpa;
	return true;
}

bool svm_gva_to_gpa(struct vcpu *v, u64 gva, u64 *gpa)
{
	return translate(v, gva, gpa, NULL);
}

bool svm_gva_to_gpa_recorded(struct vcpu *v, u64 gva, u64 *gpa, struct vcpu_walk *rec)
{
	return translate(v, gva, gpa, rec);
}

enum svm_outcome svm_inject_pf(struct vcpu *v, u64 gva, u32 err)
{
	v->vmcb->save.cr2 = gva;
	return svm_queue_exception(v, X86_PF, true, err);
}

static bool copy(struct vcpu *v, u64 gva, void *buf, u64 len, bool write)
{
	u8 *p = buf;
	while (len) {
		u64 gpa, chunk = MIN(len, PAGE_SIZE - (gva & 0xFFF));
		if (!svm_gva_to_gpa(v, gva, &gpa))
			return false;
		bool ok = write ? svm_gpa_write(v->vm, gpa, p, chunk) : svm_gpa_read(v->vm, gpa, p, chunk);
		if (!ok)
			return false;
		gva += chunk;
		p += chunk;
		len -= chunk;
	}
	return true;
}

bool svm_gva_read(struct vcpu *v, u64 gva, void *dst, u64 len)
{
	return copy(v, gva, dst, len, false);
}

bool svm_gva_write(struct vcpu *v, u64 gva, const void *src, u64 len)
{
	return copy(v, gva, (void *)src, len, true);
}

static inline enum svm_cpu_mode guest_mode(const struct vmcb_save *s)
{
	return svm_cpu_mode_of(s);
}

enum svm_cpu_mode svm_guest_cpu_mode(const struct vcpu *v)
{
	return guest_mode(&v->vmcb->save);
}

/* The word the unused walk slots point at: it never changes. */
static const u64 walk_pad;

/* The lean hit of a visible vCPU (svm_fetch_cache_lean): the page, when the VMCB's CR0/CR4/
 * EFER and CS.L equal the shadow's now and the code is 64-bit but for RFLAGS.VM, else
 * VCPU_FETCH_LEAN_NONE. Noted at every walk, and again when the full test finds the kept
 * translation unchanged after a commit made it stale (a CR4.PGE toggle, a far jump to
 * compatibility code and back), so that the lean hit does not stay off until the next walk. */
static void cache_note_lean(struct vcpu *v, struct vcpu_page_cache *c)
{
	const struct vmcb_save *s = &v->vmcb->save;
	bool cs_l = (s->cs.attrib & SVM_SEG_L) != 0;
	bool shadowed = s->cr0 == v->cr.cr0 && s->cr4 == v->cr.cr4 && s->efer == cr_shadow_hw_efer(v) &&
			cs_l == v->cr.checked_cs_l;
	bool code64 = (s->cr0 & CR0_PE) && (s->efer & EFER_LMA) && cs_l;
	c->lean_page = shadowed && code64 ? c->lin_page : VCPU_FETCH_LEAN_NONE;
}

/* A miss of cached_page: a recorded walk of the page, which c then keeps. */
static __attribute__((noinline)) const u8 *cache_page_walk(struct vcpu *v, struct vcpu_page_cache *c, u64 page)
{
	const struct vmcb_save *s = &v->vmcb->save;
	c->host = NULL;
	c->lean_page = VCPU_FETCH_LEAN_NONE;
	c->walk.n = 0;
	c->walk.lost = false;
	u64 gpa;
	if (!translate(v, page, &gpa, &c->walk))
		return NULL;
	const u8 *host = svm_gpa_ptr(v->vm, gpa, PAGE_SIZE);
	if (!host || c->walk.lost)
		return host;
	for (unsigned i = c->walk.n; i < VCPU_WALK_MAX; i++) {
		c->walk.entry[i] = &walk_pad;
		c->walk.value[i] = walk_pad;
	}
	c->cr0 = s->cr0;
	c->cr3 = s->cr3;
	c->cr4 = s->cr4;
	c->efer = s->efer;
	c->lin_page = page;
	cache_note_lean(v, c);
	c->host = host; /* last: a cache with a host page is a full one */
	return host;
}

/* The host address of the guest page holding linear address lin, from the page cache c when
 * it still translates the same, else from a recorded walk that c then keeps. NULL when the
 * page is unmapped or not wholly in one RAM slot: the caller then reads through svm_gva_read
 * as before. The check is inlined into each user, the walk is not. */
static inline __attribute__((always_inline)) const u8 *cached_page(struct vcpu *v, struct vcpu_page_cache *c,
								   u64 lin)
{
	u64 page = lin & ~(u64)(PAGE_SIZE - 1);
	const u8 *host = svm_fetch_cache_hit(&v->vmcb->save, c, page);
	return host ? host : cache_page_walk(v, c, page);
}

/* [lin, lin + len) in host memory through c, when it lies within one page. */
static inline __attribute__((always_inline)) const u8 *cached_range(struct vcpu *v, struct vcpu_page_cache *c,
								    u64 lin, u64 len)
{
	u64 off = lin & (PAGE_SIZE - 1);
	if (len == 0 || off + len > PAGE_SIZE)
		return NULL;
	const u8 *page = cached_page(v, c, lin);
	return page ? page + off : NULL;
}

static inline u64 fetch_linear(const struct vmcb_save *s, enum svm_cpu_mode mode)
{
	return svm_fetch_linear(s, mode);
}

/* Inlined into both users: svm_fetch_insn stays one call on the soft-es paths. */
static inline __attribute__((always_inline)) unsigned fetch_bytes(struct vcpu *v, u8 bytes[SVM_INSN_MAX_LEN],
								  enum svm_cpu_mode *mode)
{
	*mode = guest_mode(&v->vmcb->save);
	u64 lin = fetch_linear(&v->vmcb->save, *mode);
	/* Up to 15 bytes, as many as are readable: translation is per page, so one walk (or a
	 * fetch-cache hit) for the bytes in RIP's page and, when the 15 cross into the next page,
	 * one for the rest. The decoder reports an instruction cut short by an unreadable page. */
	unsigned n = 0;
	while (n < SVM_INSN_MAX_LEN) {
		u64 at = lin + n;
		unsigned chunk = (unsigned)MIN(SVM_INSN_MAX_LEN - n, PAGE_SIZE - (at & (PAGE_SIZE - 1)));
		const u8 *page = cached_page(v, &v->fetch, at);
		if (page)
			memcpy(&bytes[n], page + (at & (PAGE_SIZE - 1)), chunk);
		else if (!svm_gva_read(v, at, &bytes[n], chunk))
			break;
		n += chunk;
	}
	return n;
}

unsigned svm_fetch_bytes(struct vcpu *v, u8 bytes[SVM_INSN_MAX_LEN], enum svm_cpu_mode *mode)
{
	return fetch_bytes(v, bytes, mode);
}

/* The fixed length of kind or alt for the bytes at at (4 readable). */
static inline unsigned fixed_len_at(const u8 *at, enum svm_insn_kind kind, enum svm_insn_kind alt)
{
	u32 head;
	memcpy(&head, at, sizeof(head));
	unsigned len = svm_decode_fixed_len_word(head, kind);
	return len ? len : svm_decode_fixed_len_word(head, alt);
}

/* svm_fetch_fixed_len when the cache misses: a walk that the cache then keeps. */
static __attribute__((noinline)) unsigned fixed_len_walk(struct vcpu *v, u64 lin, enum svm_insn_kind kind,
							   enum svm_insn_kind alt)
{
	const u8 *at = cached_range(v, &v->fetch, lin, sizeof(u32));
	return at ? fixed_len_at(at, kind, alt) : 0;
}

/* Kept a leaf function on a cache hit (the walk is a tail call): it runs on the exits that
 * step over an instruction outside the lean step (svm/step.h: HLT, VMMCALL, INVD...) and
 * after that step's miss. */
unsigned svm_fetch_fixed_len(struct vcpu *v, enum svm_insn_kind kind, enum svm_insn_kind alt)
{
	const struct vmcb_save *s = &v->vmcb->save;
	u64 lin = svm_fetch_linear_of(s);
	const u8 *at = svm_fetch_cache_at(s, &v->fetch, lin, sizeof(u32));
	if (!at)
		return fixed_len_walk(v, lin, kind, alt);
	if (v->fetch.lean_page == VCPU_FETCH_LEAN_STALE)
		cache_note_lean(v, &v->fetch); /* the lean step's next hit */
	return fixed_len_at(at, kind, alt);
}

enum svm_decode_status svm_fetch_insn(struct vcpu *v, struct svm_insn *out)
{
	u8 bytes[SVM_INSN_MAX_LEN];
	enum svm_cpu_mode mode;
	unsigned n = fetch_bytes(v, bytes, &mode);
	return svm_decode(bytes, n, mode, out);
}

bool svm_fetch_fault(struct vcpu *v, u64 *gva, u32 *pf_err)
{
	const struct vmcb_save *s = &v->vmcb->save;
	bool m64 = svm_guest_cpu_mode(v) == SVM_CPU_MODE_64;
	u64 lin = (m64 ? 0 : s->cs.base) + s->rip;
	/* One translation per page the 15 bytes touch. */
	for (unsigned n = 0; n < SVM_INSN_MAX_LEN;) {
		u64 at = m64 ? lin + n : (lin + n) & 0xFFFFFFFFULL, gpa;
		if (svm_gva_translate(v, at, SVM_GVA_FETCH, &gpa, pf_err) == SVM_GVA_FAULT) {
			*gva = at;
			return true;
		}
		n += (unsigned)(PAGE_SIZE - (at & (PAGE_SIZE - 1)));
	}
	return false;
}
