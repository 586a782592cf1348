/* Guest page-table walker. See gva.h. */
#include "svm/emul/gva.h"
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
	if (rec && rec->n < VCPU_WALK_MAX) {
		rec->entry[rec->n] = p;
		rec->value[rec->n] = *out;
		rec->size[rec->n] = (u8)size;
		rec->n++;
	}
	return true;
}

/* Inlined into its two users, so the translation without a record (rec NULL) costs nothing
 * for the recording. */
static inline __attribute__((always_inline)) bool walk(struct vcpu *v, u64 gva, u64 *gpa, struct vcpu_walk *rec)
{
	const struct vmcb_save *s = &v->vmcb->save;
	if (!(s->cr0 & CR0_PG)) {
		*gpa = gva & 0xFFFFFFFFULL; /* no paging: linear = physical, 32-bit */
		return true;
	}
	u64 e;
	if (s->efer & EFER_LMA) {
		/* 4-level: PML4 [47:39], PDPT [38:30], PD [29:21], PT [20:12]. */
		u64 table = s->cr3 & PTE_ADDR_MASK;
		for (int level = 3; level >= 0; level--) {
			unsigned shift = 12 + 9 * (unsigned)level;
			if (!read_entry(v, table + ((gva >> shift) & 0x1FF) * 8, 8, &e, rec) || !(e & PTE_P))
				return false;
			if (level > 0 && level < 3 && (e & PTE_PS)) {
				u64 page = 1ULL << shift;
				*gpa = (e & PTE_ADDR_MASK & ~(page - 1)) | (gva & (page - 1));
				return true;
			}
			table = e & PTE_ADDR_MASK;
		}
		*gpa = table | (gva & 0xFFF);
		return true;
	}
	gva &= 0xFFFFFFFFULL;
	if (s->cr4 & CR4_PAE) {
		/* PAE: 4 PDPTEs at CR3[31:5], then PD and PT with 8-byte entries. */
		if (!read_entry(v, (s->cr3 & 0xFFFFFFE0ULL) + (gva >> 30) * 8, 8, &e, rec) || !(e & PTE_P))
			return false;
		if (!read_entry(v, (e & PTE_ADDR_MASK) + ((gva >> 21) & 0x1FF) * 8, 8, &e, rec) || !(e & PTE_P))
			return false;
		if (e & PTE_PS) {
			*gpa = (e & PTE_ADDR_MASK & ~(LARGE_PAGE_SIZE - 1)) | (gva & (LARGE_PAGE_SIZE - 1));
			return true;
		}
		if (!read_entry(v, (e & PTE_ADDR_MASK) + ((gva >> 12) & 0x1FF) * 8, 8, &e, rec) || !(e & PTE_P))
			return false;
		*gpa = (e & PTE_ADDR_MASK) | (gva & 0xFFF);
		return true;
	}
	/* 32-bit: PD [31:22], PT [21:12], 4-byte entries; 4 MiB pages with CR4.PSE. */
	if (!read_entry(v, (s->cr3 & 0xFFFFF000ULL) + (gva >> 22) * 4, 4, &e, rec) || !(e & PTE_P))
		return false;
	if ((e & PTE_PS) && (s->cr4 & CR4_PSE)) {
		*gpa = (e & 0xFFC00000ULL) | (gva & 0x3FFFFF);
		return true;
	}
	if (!read_entry(v, (e & 0xFFFFF000ULL) + ((gva >> 12) & 0x3FF) * 4, 4, &e, rec) || !(e & PTE_P))
		return false;
	*gpa = (e & 0xFFFFF000ULL) | (gva & 0xFFF);
	return true;
}

bool svm_gva_to_gpa(struct vcpu *v, u64 gva, u64 *gpa)
{
	return walk(v, gva, gpa, NULL);
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

#define RFLAGS_VM BIT(17)

enum svm_cpu_mode svm_guest_cpu_mode(const struct vcpu *v)
{
	const struct vmcb_save *s = &v->vmcb->save;
	return svm_cpu_mode_from(s->cr0, s->efer, s->cs.attrib, (s->rflags & RFLAGS_VM) != 0);
}

static bool walk_unchanged(const struct vcpu_walk *w)
{
	for (unsigned i = 0; i < w->n; i++)
		if (load_entry(w->entry[i], w->size[i]) != w->value[i])
			return false;
	return true;
}

/* A miss of cached_page: a recorded walk of the page, which c then keeps. */
static __attribute__((noinline)) const u8 *cache_page_walk(struct vcpu *v, struct vcpu_page_cache *c, u64 page)
{
	const struct vmcb_save *s = &v->vmcb->save;
	c->valid = false;
	c->walk.n = 0;
	u64 gpa;
	if (!walk(v, page, &gpa, &c->walk))
		return NULL;
	c->host = svm_gpa_ptr(v->vm, gpa, PAGE_SIZE);
	if (!c->host)
		return NULL;
	c->cr0 = s->cr0;
	c->cr3 = s->cr3;
	c->cr4 = s->cr4;
	c->efer = s->efer;
	c->lin_page = page;
	c->valid = true;
	return c->host;
}

/* The host address of the guest page holding linear address lin, from the page cache c when
 * it still translates the same (struct vcpu_page_cache), else from a recorded walk that c then
 * keeps. NULL when the page is unmapped or not wholly in one RAM slot: the caller then reads
 * through svm_gva_read as before. The check is inlined into each user, the walk is not. */
static inline __attribute__((always_inline)) const u8 *cached_page(struct vcpu *v, struct vcpu_page_cache *c,
								   u64 lin)
{
	const struct vmcb_save *s = &v->vmcb->save;
	u64 page = lin & ~(u64)(PAGE_SIZE - 1);
	if (c->valid && c->lin_page == page && c->cr3 == s->cr3 && c->cr0 == s->cr0 && c->cr4 == s->cr4 &&
	    c->efer == s->efer && walk_unchanged(&c->walk))
		return c->host;
	return cache_page_walk(v, c, page);
}

void *svm_gva_cached_ptr(struct vcpu *v, struct vcpu_page_cache *c, u64 gva, u64 len)
{
	u64 off = gva & (PAGE_SIZE - 1);
	if (len == 0 || off + len > PAGE_SIZE)
		return NULL;
	u8 *page = (u8 *)cached_page(v, c, gva);
	return page ? page + off : NULL;
}

/* Inlined into both users: svm_fetch_insn stays one call on the soft-es paths. */
static inline __attribute__((always_inline)) unsigned fetch_bytes(struct vcpu *v, u8 bytes[SVM_INSN_MAX_LEN],
								  enum svm_cpu_mode *mode)
{
	const struct vmcb_save *s = &v->vmcb->save;
	*mode = svm_guest_cpu_mode(v);
	/* In 64-bit mode the CS base is ignored; elsewhere the linear address wraps at 4 GiB. */
	u64 lin = (*mode == SVM_CPU_MODE_64 ? 0 : s->cs.base) + s->rip;
	if (*mode != SVM_CPU_MODE_64)
		lin &= 0xFFFFFFFFULL;
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

enum svm_decode_status svm_fetch_insn(struct vcpu *v, struct svm_insn *out)
{
	u8 bytes[SVM_INSN_MAX_LEN];
	enum svm_cpu_mode mode;
	unsigned n = fetch_bytes(v, bytes, &mode);
	return svm_decode(bytes, n, mode, out);
}
