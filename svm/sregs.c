/* Register access that respects protected state. See sregs.h. */
#include "svm/sregs.h"
#include "svm/cr_shadow.h"
#include "svm/cr_shadow_exit.h"
#include "svm/vcpu.h"
#include "lib/kstring.h"
#include "lib/log.h"

/* VMCB clean bits for the fields set writes directly (APM vol. 2, 15.15.3): 5 = CRx (CR3),
 * 7 = DT (GDT/IDT), 8 = SEG (segments, CPL), 9 = CR2. CR0/CR4/EFER/CR8 go through cr_shadow. */
#define SREGS_CLEAN_CRX BIT(5)
#define SREGS_CLEAN_DT BIT(7)
#define SREGS_CLEAN_SEG BIT(8)
#define SREGS_CLEAN_CR2 BIT(9)

static const char *guest_name(const struct vcpu *v)
{
	return v->vm ? v->vm->name : "?";
}

/* Where each segment lives in struct vcpu_sregs and in the VMCB save area. */
static const struct {
	size_t sregs_off;
	size_t save_off;
} seg_map[] = {
	{ offsetof(struct vcpu_sregs, cs), offsetof(struct vmcb_save, cs) },
	{ offsetof(struct vcpu_sregs, ds), offsetof(struct vmcb_save, ds) },
	{ offsetof(struct vcpu_sregs, es), offsetof(struct vmcb_save, es) },
	{ offsetof(struct vcpu_sregs, fs), offsetof(struct vmcb_save, fs) },
	{ offsetof(struct vcpu_sregs, gs), offsetof(struct vmcb_save, gs) },
	{ offsetof(struct vcpu_sregs, ss), offsetof(struct vmcb_save, ss) },
	{ offsetof(struct vcpu_sregs, tr), offsetof(struct vmcb_save, tr) },
	{ offsetof(struct vcpu_sregs, ldt), offsetof(struct vmcb_save, ldtr) },
};

static struct vcpu_sregs_seg *sregs_seg(struct vcpu_sregs *s, size_t i)
{
	return (struct vcpu_sregs_seg *)((u8 *)s + seg_map[i].sregs_off);
}

static const struct vcpu_sregs_seg *sregs_seg_c(const struct vcpu_sregs *s, size_t i)
{
	return (const struct vcpu_sregs_seg *)((const u8 *)s + seg_map[i].sregs_off);
}

static struct vmcb_seg *save_seg(struct vmcb_save *save, size_t i)
{
	return (struct vmcb_seg *)((u8 *)save + seg_map[i].save_off);
}

/* The save area is readable only for an unprotected vCPU that has one. */
static bool has_save_area(const struct vcpu *v)
{
	return !v->state_protected && v->vmcb;
}

/* Groups that come from the save area rather than from the shadow registers. */
#define SREGS_SAVE_AREA (VCPU_SREGS_SEGS | VCPU_SREGS_DTABLES | VCPU_SREGS_CR2 | VCPU_SREGS_CR3)

void vcpu_sregs_get(const struct vcpu *v, struct vcpu_sregs *out)
{
	memset(out, 0, sizeof(*out));
	/* The tracked registers: always available (cr_shadow keeps them in every mode). */
	out->cr0 = v->cr.cr0;
	out->cr4 = v->cr.cr4;
	out->cr8 = cr_shadow_get_cr8(v);
	out->efer = cr_shadow_get_efer(v);
	if (!has_save_area(v)) {
		out->unavailable = SREGS_SAVE_AREA;
		return;
	}
	struct vmcb_save *save = &v->vmcb->save;
	for (size_t i = 0; i < ARRAY_SIZE(seg_map); i++) {
		const struct vmcb_seg *from = save_seg(save, i);
		struct vcpu_sregs_seg *to = sregs_seg(out, i);
		to->base = from->base;
		to->limit = from->limit;
		to->selector = from->selector;
		to->attrib = from->attrib;
	}
	out->gdt.base = save->gdtr.base;
	out->gdt.limit = save->gdtr.limit;
	out->idt.base = save->idtr.base;
	out->idt.limit = save->idtr.limit;
	out->cr2 = save->cr2;
	out->cr3 = save->cr3;
}

/* ---- consistency rules (APM vol. 2: 3.1.1 CR0, 3.1.2 CR3, 3.1.3 CR4, 3.1.7 EFER, 14.6 long
 * mode activation, 15.5.1 VMRUN consistency checks) ------------------------------------------ */

struct sregs_rule {
	u32 needs; /* groups the rule reads; skipped when one of them is unavailable */
	bool (*broken)(const struct vcpu_sregs *s, u64 cr4_allowed);
	const char *why;
};

static bool cr0_high(const struct vcpu_sregs *s, u64 a)
{
	(void)a;
	return (s->cr0 & CR0_RESERVED_HIGH) != 0;
}

static bool pg_without_pe(const struct vcpu_sregs *s, u64 a)
{
	(void)a;
	return (s->cr0 & CR0_PG) && !(s->cr0 & CR0_PE);
}

static bool nw_without_cd(const struct vcpu_sregs *s, u64 a)
{
	(void)a;
	return (s->cr0 & CR0_NW) && !(s->cr0 & CR0_CD);
}

static bool cr4_not_allowed(const struct vcpu_sregs *s, u64 a)
{
	return (s->cr4 & ~a) != 0;
}

static bool cr8_reserved(const struct vcpu_sregs *s, u64 a)
{
	(void)a;
	return (s->cr8 & ~CR8_TPR_MASK) != 0;
}

static bool efer_svme(const struct vcpu_sregs *s, u64 a)
{
	(void)a;
	return (s->efer & EFER_SVME) != 0;
}

static bool long_mode(const struct vcpu_sregs *s)
{
	return (s->efer & EFER_LME) && (s->cr0 & CR0_PG);
}

static bool lma_mismatch(const struct vcpu_sregs *s, u64 a)
{
	(void)a;
	return ((s->efer & EFER_LMA) != 0) != long_mode(s);
}

static bool long_without_pae(const struct vcpu_sregs *s, u64 a)
{
	(void)a;
	return long_mode(s) && !(s->cr4 & CR4_PAE);
}

static bool pcide_outside_long(const struct vcpu_sregs *s, u64 a)
{
	(void)a;
	return (s->cr4 & CR4_PCIDE) && !long_mode(s);
}

static bool cet_without_wp(const struct vcpu_sregs *s, u64 a)
{
	(void)a;
	return (s->cr4 & CR4_CET) && !(s->cr0 & CR0_WP);
}

static bool cr3_long_reserved(const struct vcpu_sregs *s, u64 a)
{
	(void)a;
	return long_mode(s) && (s->cr3 & CR3_LONG_RESERVED);
}

static bool cs_l_and_d(const struct vcpu_sregs *s, u64 a)
{
	(void)a;
	return long_mode(s) && (s->cs.attrib & SVM_SEG_L) && (s->cs.attrib & SVM_SEG_DB);
}

#define NEED_CRS (VCPU_SREGS_CR0 | VCPU_SREGS_CR4 | VCPU_SREGS_EFER)

static const struct sregs_rule sregs_rules[] = {
	{ VCPU_SREGS_CR0, cr0_high, "CR0 bits 63:32 are reserved" },
	{ VCPU_SREGS_CR0, pg_without_pe, "CR0.PG set without CR0.PE" },
	{ VCPU_SREGS_CR0, nw_without_cd, "CR0.NW set without CR0.CD" },
	{ VCPU_SREGS_CR4, cr4_not_allowed, "CR4 bit reserved or not allowed by the guest's CPUID" },
	{ VCPU_SREGS_CR8, cr8_reserved, "CR8 bits 63:4 are reserved" },
	{ VCPU_SREGS_EFER, efer_svme, "EFER.SVME is the hypervisor's, never guest-visible" },
	{ NEED_CRS, lma_mismatch, "EFER.LMA must equal EFER.LME && CR0.PG" },
	{ NEED_CRS, long_without_pae, "EFER.LME with CR0.PG needs CR4.PAE" },
	{ NEED_CRS, pcide_outside_long, "CR4.PCIDE outside long mode" },
	{ NEED_CRS, cet_without_wp, "CR4.CET with CR0.WP clear" },
	{ NEED_CRS | VCPU_SREGS_CR3, cr3_long_reserved, "CR3 bits 63:52 are reserved in long mode" },
	{ NEED_CRS | VCPU_SREGS_SEGS, cs_l_and_d, "CS.L and CS.D both set in long mode" },
};

const char *vcpu_sregs_check(const struct vcpu_sregs *s, u64 cr4_allowed)
{
	for (size_t i = 0; i < ARRAY_SIZE(sregs_rules); i++) {
		const struct sregs_rule *r = &sregs_rules[i];
		if (s->unavailable & r->needs)
			continue;
		if (r->broken(s, cr4_allowed))
			return r->why;
	}
	return NULL;
}

/* ---- set ------------------------------------------------------------------------------------ */

/* The state set would produce: the current one with the supplied groups laid over it. */
static void merge(const struct vcpu *v, const struct vcpu_sregs *in, struct vcpu_sregs *m)
{
	vcpu_sregs_get(v, m);
	u32 supplied = VCPU_SREGS_ALL & ~in->unavailable;
	if (supplied & VCPU_SREGS_SEGS) {
		for (size_t i = 0; i < ARRAY_SIZE(seg_map); i++)
			*sregs_seg(m, i) = *sregs_seg_c(in, i);
	}
	if (supplied & VCPU_SREGS_DTABLES) {
		m->gdt = in->gdt;
		m->idt = in->idt;
	}
	if (supplied & VCPU_SREGS_CR0)
		m->cr0 = in->cr0;
	if (supplied & VCPU_SREGS_CR2)
		m->cr2 = in->cr2;
	if (supplied & VCPU_SREGS_CR3)
		m->cr3 = in->cr3;
	if (supplied & VCPU_SREGS_CR4)
		m->cr4 = in->cr4;
	if (supplied & VCPU_SREGS_CR8)
		m->cr8 = in->cr8;
	if (supplied & VCPU_SREGS_EFER)
		m->efer = in->efer;
	/* A group is unavailable in the result only if it was neither read nor supplied. */
	m->unavailable &= ~supplied;
}

static void apply_save_area(struct vcpu *v, const struct vcpu_sregs *m, u32 supplied)
{
	struct vmcb *vmcb = v->vmcb;
	struct vmcb_save *save = &vmcb->save;
	if (supplied & VCPU_SREGS_SEGS) {
		for (size_t i = 0; i < ARRAY_SIZE(seg_map); i++) {
			const struct vcpu_sregs_seg *from = sregs_seg_c(m, i);
			struct vmcb_seg *to = save_seg(save, i);
			to->base = from->base;
			to->limit = from->limit;
			to->selector = from->selector;
			to->attrib = from->attrib;
		}
		/* SVM keeps CPL in its own save-area field (APM vol. 2, 15.5.1), next to SS. Outside
		 * real mode CPL is SS.DPL; keep the two equal. */
		save->cpl = (u8)((m->ss.attrib >> SVM_SEG_DPL_SHIFT) & 3);
		vmcb->control.clean_bits &= ~(u32)SREGS_CLEAN_SEG;
	}
	if (supplied & VCPU_SREGS_DTABLES) {
		save->gdtr.base = m->gdt.base;
		save->gdtr.limit = m->gdt.limit;
		save->idtr.base = m->idt.base;
		save->idtr.limit = m->idt.limit;
		vmcb->control.clean_bits &= ~(u32)SREGS_CLEAN_DT;
	}
	if (supplied & VCPU_SREGS_CR2) {
		save->cr2 = m->cr2;
		vmcb->control.clean_bits &= ~(u32)SREGS_CLEAN_CR2;
	}
	if (supplied & VCPU_SREGS_CR3) {
		save->cr3 = m->cr3;
		vmcb->control.clean_bits &= ~(u32)SREGS_CLEAN_CRX;
	}
}

enum vcpu_sregs_error vcpu_sregs_set(struct vcpu *v, const struct vcpu_sregs *in)
{
	if (v->state_protected) {
		/* The registers live in the encrypted VMSA (sev-es) or behind the soft-es model: a
		 * set cannot take effect, and pretending it did would hide that from the caller. */
		log_err("guest %s vcpu%u: set registers refused: %s state is protected; nothing "
			"was changed", guest_name(v), v->id, v->vm ? vm_mode_name(v->vm->mode) : "?");
		return VCPU_SREGS_EPROTECTED;
	}
	u32 supplied = VCPU_SREGS_ALL & ~in->unavailable;
	if ((supplied & SREGS_SAVE_AREA) && !v->vmcb) {
		log_err("guest %s vcpu%u: set registers refused: no VMCB for segments/CR2/CR3",
			guest_name(v), v->id);
		return VCPU_SREGS_ENOSTATE;
	}
	struct vcpu_sregs m;
	merge(v, in, &m);
	const char *why = vcpu_sregs_check(&m, cr_shadow_cr4_allowed(v));
	if (why) {
		log_err("guest %s vcpu%u: set registers refused: %s; nothing was changed",
			guest_name(v), v->id, why);
		return VCPU_SREGS_EINVAL;
	}
	if (v->vmcb)
		apply_save_area(v, &m, supplied);
	cr_shadow_load(v, m.efer, m.cr0, m.cr4, m.cr8);
	return VCPU_SREGS_OK;
}

const char *vcpu_sregs_strerror(enum vcpu_sregs_error e)
{
	static const char *const names[] = {
		[VCPU_SREGS_OK] = "ok",
		[VCPU_SREGS_EPROTECTED] = "state is protected",
		[VCPU_SREGS_EINVAL] = "inconsistent register state",
		[VCPU_SREGS_ENOSTATE] = "no VMCB for the supplied fields",
	};
	return (unsigned)e < ARRAY_SIZE(names) ? names[e] : "?";
}
