/* Shadow control registers. See cr_shadow.h for the events and the rules. */
#include "svm/cr_shadow.h"
#include "svm/vcpu.h"
#include "svm/exit_codes.h"
#include "svm/dev/intr.h"
#include "lib/log.h"

/* VMCB clean bits this module invalidates when it changes the save area / int_ctl
 * (APM vol. 2, 15.15.3 "VMCB Clean Field"): bit 3 = TPR (V_TPR and friends), bit 5 = CRx
 * (CR0, CR3, CR4, EFER). Without clearing them the CPU may keep using its cached copy. */
#define CR_SHADOW_CLEAN_TPR BIT(3)
#define CR_SHADOW_CLEAN_CRX BIT(5)

/* ---- helpers -------------------------------------------------------------------------- */

static const char *guest_name(const struct vcpu *v)
{
	return v->vm ? v->vm->name : "?";
}

/* LMA is never taken from a written value: it is LME && CR0.PG (APM vol. 2, 14.6.1: the CPU
 * sets LMA when paging is enabled with LME set, and clears it when paging is disabled). */
static u64 infer_lma(u64 efer, u64 cr0)
{
	efer &= ~EFER_LMA;
	if ((efer & EFER_LME) && (cr0 & CR0_PG))
		efer |= EFER_LMA;
	return efer;
}

/* Only an unprotected vCPU's save area is the hypervisor's to write. For sev-es it is the
 * encrypted VMSA; for soft-es it belongs to the software SEV-ES model. */
static bool mirrors_save_area(const struct vcpu *v)
{
	return !v->state_protected && v->vmcb;
}

/* What the hypervisor may know about CS.L. It lives in the save area, so it is visible only
 * for an unprotected vCPU; for sev-es/soft-es 64-bit vs compatibility mode cannot be told
 * apart from outside (no trap reports a far jump), and those transitions are not logged. */
struct cs_view {
	bool known;
	bool l;
};

static struct cs_view cs_view_of(const struct vcpu *v)
{
	struct cs_view cs = { false, false };
	if (mirrors_save_area(v)) {
		cs.known = true;
		cs.l = (v->vmcb->save.cs.attrib & SVM_SEG_L) != 0;
	}
	return cs;
}

/* ---- transitions, logged once each per vCPU ------------------------------------------- */

struct transition {
	u32 flag;
	bool (*reached)(const struct cr_shadow *s, struct cs_view cs);
	const char *what;
};

static bool is_real(const struct cr_shadow *s, struct cs_view cs)
{
	(void)cs;
	return !(s->cr0 & CR0_PE);
}

static bool is_protected(const struct cr_shadow *s, struct cs_view cs)
{
	(void)cs;
	return (s->cr0 & CR0_PE) != 0;
}

static bool is_paging(const struct cr_shadow *s, struct cs_view cs)
{
	(void)cs;
	return (s->cr0 & CR0_PG) != 0;
}

static bool is_long(const struct cr_shadow *s, struct cs_view cs)
{
	(void)cs;
	return (s->efer & EFER_LMA) != 0;
}

static bool is_64bit(const struct cr_shadow *s, struct cs_view cs)
{
	return (s->efer & EFER_LMA) && cs.known && cs.l;
}

/* Compatibility mode is LMA with CS.L = 0 (APM vol. 2, 1.2.3 / 14.6). Right after paging is
 * turned on the CPU is in compatibility mode until the far jump into 64-bit code, so this is
 * only reported once 64-bit code was seen: "back in compatibility mode" is what a person
 * debugging a guest wants to see. */
static bool is_compat(const struct cr_shadow *s, struct cs_view cs)
{
	return (s->efer & EFER_LMA) && cs.known && !cs.l && (s->logged & CR_SHADOW_LOGGED_64BIT);
}

static bool has_left_long(const struct cr_shadow *s, struct cs_view cs)
{
	(void)cs;
	return !(s->efer & EFER_LMA) && (s->logged & CR_SHADOW_LOGGED_LONG);
}

static const struct transition transitions[] = {
	{ CR_SHADOW_LOGGED_REAL, is_real, "entered real mode (CR0.PE=0)" },
	{ CR_SHADOW_LOGGED_PROTECTED, is_protected, "entered protected mode (CR0.PE=1)" },
	{ CR_SHADOW_LOGGED_PAGING, is_paging, "enabled paging (CR0.PG=1)" },
	{ CR_SHADOW_LOGGED_LONG, is_long, "entered long mode (EFER.LMA=1)" },
	{ CR_SHADOW_LOGGED_64BIT, is_64bit, "running 64-bit code (EFER.LMA=1, CS.L=1)" },
	{ CR_SHADOW_LOGGED_COMPAT, is_compat, "entered compatibility mode (EFER.LMA=1, CS.L=0)" },
	{ CR_SHADOW_LOGGED_LEFT_LONG, has_left_long, "left long mode (EFER.LMA=0)" },
};

static void log_transitions(struct vcpu *v)
{
	struct cr_shadow *s = &v->cr;
	struct cs_view cs = cs_view_of(v);
	s->checked_cs_l = cs.l;
	for (size_t i = 0; i < ARRAY_SIZE(transitions); i++) {
		const struct transition *t = &transitions[i];
		if ((s->logged & t->flag) || !t->reached(s, cs))
			continue;
		s->logged |= t->flag;
		log_debug("guest %s vcpu%u: %s", guest_name(v), v->id, t->what);
	}
}

/* ---- the one place shadow CR0/CR4/EFER change ------------------------------------------ */

static void mirror_u64(struct vcpu *v, u64 *field, u64 value)
{
	if (*field != value) {
		*field = value;
		v->vmcb->control.clean_bits &= ~(u32)CR_SHADOW_CLEAN_CRX;
	}
}

static void commit(struct vcpu *v, u64 efer, u64 cr0, u64 cr4)
{
	struct cr_shadow *s = &v->cr;
	s->gen++; /* the fetch cache's lean hit: the registers may change here */
	s->cr0 = cr0;
	s->cr4 = cr4;
	s->efer = infer_lma(efer & ~EFER_SVME, cr0);
	if (mirrors_save_area(v)) {
		mirror_u64(v, &v->vmcb->save.cr0, s->cr0);
		mirror_u64(v, &v->vmcb->save.cr4, s->cr4);
		mirror_u64(v, &v->vmcb->save.efer, s->efer | EFER_SVME);
	}
	log_transitions(v);
}

/* CR8 and V_TPR. int_ctl is in the control area, which is never encrypted, so it is kept
 * coherent for every mode (the CPU reads V_TPR for interrupt priority with V_INTR_MASKING).
 * Every CR8 write comes here (plain: the CR8 write intercept, before the write; SEV-ES and
 * soft-es: the write trap, after it), so this is where the interrupt summary hears that its
 * input V_TPR may have moved (svm/quiet_entry.h relies on it). */
static void commit_cr8(struct vcpu *v, u64 cr8)
{
	if (v->vm && v->vm->devices)
		dev_intr_changed(v->vm);
	v->cr.cr8 = cr8 & CR8_TPR_MASK;
	if (!v->vmcb)
		return;
	u32 int_ctl = (v->vmcb->control.int_ctl & ~(u32)SVM_INT_CTL_V_TPR_MASK) | (u32)v->cr.cr8;
	if (int_ctl != v->vmcb->control.int_ctl) {
		v->vmcb->control.int_ctl = int_ctl;
		v->vmcb->control.clean_bits &= ~(u32)CR_SHADOW_CLEAN_TPR;
	}
}

/* ---- the EFER contract with msr/efer.c -------------------------------------------------- */

u64 cr_shadow_get_efer(const struct vcpu *v)
{
	return v->cr.efer;
}

void cr_shadow_set_efer(struct vcpu *v, u64 value)
{
	commit(v, value, v->cr.cr0, v->cr.cr4);
}

void cr_shadow_load(struct vcpu *v, u64 efer, u64 cr0, u64 cr4, u64 cr8)
{
	commit_cr8(v, cr8);
	commit(v, efer, cr0, cr4);
}

u64 cr_shadow_cr4_allowed(const struct vcpu *v)
{
	return v->cr.cr4_allowed ? v->cr.cr4_allowed : CR_SHADOW_CR4_BASELINE;
}

u64 cr_shadow_hw_efer(const struct vcpu *v)
{
	return v->cr.efer | EFER_SVME;
}

/* ---- reset --------------------------------------------------------------------------------- */

void cr_shadow_reset(struct vcpu *v, const struct cr_shadow_regs *state, u64 cr4_allowed)
{
	static const struct cr_shadow_regs arch_reset = { .cr0 = CR0_RESET_VALUE };
	if (!state)
		state = &arch_reset;
	struct cr_shadow *s = &v->cr;
	s->cr4_allowed = cr4_allowed ? cr4_allowed : CR_SHADOW_CR4_BASELINE;
	s->logged = 0;
	/* Start from "nothing known" so the mirror writes every field. */
	s->efer = s->cr0 = s->cr4 = s->cr8 = 0;
	if (mirrors_save_area(v)) {
		v->vmcb->save.cr3 = state->cr3;
		v->vmcb->control.clean_bits &= ~(u32)CR_SHADOW_CLEAN_CRX;
	}
	commit_cr8(v, state->cr8);
	commit(v, state->efer, state->cr0, state->cr4);
}

/* ---- SEV-ES write traps (APM vol. 2, 15.35.6 "Control Register Write Traps") ------------- */

static void trap_efer(struct vcpu *v, u64 value)
{
	/* The trapped value is the real EFER, which always has SVME set: commit() masks it. */
	commit(v, value, v->cr.cr0, v->cr.cr4);
}

static void trap_cr0(struct vcpu *v, u64 value)
{
	commit(v, v->cr.efer, value, v->cr.cr4);
}

static void trap_cr4(struct vcpu *v, u64 value)
{
	commit(v, v->cr.efer, v->cr.cr0, value);
}

static void trap_cr8(struct vcpu *v, u64 value)
{
	commit_cr8(v, value);
}

/* Indexed by exit_code - SVM_EXIT_EFER_WRITE_TRAP: 0x8F EFER, 0x90 + n CRn. CR3 is not
 * tracked (no one needs it with NPT, and its trap is never enabled). */
static void (*const trap_handlers[])(struct vcpu *, u64) = {
	[0] = trap_efer,
	[SVM_EXIT_CR0_WRITE_TRAP + 0 - SVM_EXIT_EFER_WRITE_TRAP] = trap_cr0,
	[SVM_EXIT_CR0_WRITE_TRAP + 4 - SVM_EXIT_EFER_WRITE_TRAP] = trap_cr4,
	[SVM_EXIT_CR0_WRITE_TRAP + 8 - SVM_EXIT_EFER_WRITE_TRAP] = trap_cr8,
};

static void (*trap_handler(u64 exit_code))(struct vcpu *, u64)
{
	if (exit_code < SVM_EXIT_EFER_WRITE_TRAP)
		return NULL;
	u64 i = exit_code - SVM_EXIT_EFER_WRITE_TRAP;
	return i < ARRAY_SIZE(trap_handlers) ? trap_handlers[i] : NULL;
}

bool cr_shadow_is_trap(u64 exit_code)
{
	return trap_handler(exit_code) != NULL;
}

enum cr_shadow_result cr_shadow_trap(struct vcpu *v, u64 exit_code, u64 exit_info1)
{
	void (*handler)(struct vcpu *, u64) = trap_handler(exit_code);
	if (!handler) {
		log_warn("guest %s vcpu%u: write trap 0x%llx is not tracked (value 0x%llx)",
			 guest_name(v), v->id, (unsigned long long)exit_code,
			 (unsigned long long)exit_info1);
		return CR_SHADOW_UNSUPPORTED;
	}
	handler(v, exit_info1);
	return CR_SHADOW_DONE;
}

/* ---- plain-mode intercepts: the CPU's rules for MOV to CRn (APM vol. 3, "MOV CRn"; vol. 2,
 * 3.1.1-3.1.3, 14.6 and 14.7) ---------------------------------------------------------------- */

/* A proposed change: the state before and after the write. */
struct cr_change {
	u64 old_cr0, cr0;
	u64 old_cr4, cr4;
	u64 cr3;
	u64 efer; /* guest-visible, LMA as it is now */
	struct cs_view cs;
	u64 cr4_allowed;
};

struct cr_rule {
	bool (*broken)(const struct cr_change *c);
	const char *why;
};

static bool cr0_high_reserved(const struct cr_change *c)
{
	return (c->cr0 & CR0_RESERVED_HIGH) != 0;
}

static bool cr0_pg_without_pe(const struct cr_change *c)
{
	return (c->cr0 & CR0_PG) && !(c->cr0 & CR0_PE);
}

static bool cr0_nw_without_cd(const struct cr_change *c)
{
	return (c->cr0 & CR0_NW) && !(c->cr0 & CR0_CD);
}

/* Activating long mode needs PAE (APM vol. 2, 14.6.1). */
static bool cr0_long_without_pae(const struct cr_change *c)
{
	return !(c->old_cr0 & CR0_PG) && (c->cr0 & CR0_PG) && (c->efer & EFER_LME) &&
	       !(c->cr4 & CR4_PAE);
}

/* Long mode is left from compatibility mode; clearing PG in 64-bit mode is #GP
 * (APM vol. 2, 14.7). Only checkable where CS.L is visible (unprotected vCPUs). */
static bool cr0_pg_off_in_64bit(const struct cr_change *c)
{
	return (c->old_cr0 & CR0_PG) && !(c->cr0 & CR0_PG) && (c->efer & EFER_LMA) && c->cs.known &&
	       c->cs.l;
}

/* PCIDE is only valid in long mode, so paging cannot be turned off under it (APM vol. 2,
 * 3.1.3 CR4.PCIDE; the same rule as Intel SDM MOV CR0). */
static bool cr0_pg_off_with_pcide(const struct cr_change *c)
{
	return (c->old_cr0 & CR0_PG) && !(c->cr0 & CR0_PG) && (c->cr4 & CR4_PCIDE);
}

/* CET needs WP (APM vol. 2, 3.1.3, CR4.CET). */
static bool wp_off_with_cet(const struct cr_change *c)
{
	return !(c->cr0 & CR0_WP) && (c->cr4 & CR4_CET);
}

static const struct cr_rule cr0_rules[] = {
	{ cr0_high_reserved, "CR0 bits 63:32 are reserved" },
	{ cr0_pg_without_pe, "CR0.PG set without CR0.PE" },
	{ cr0_nw_without_cd, "CR0.NW set without CR0.CD" },
	{ cr0_long_without_pae, "paging on with EFER.LME needs CR4.PAE" },
	{ cr0_pg_off_in_64bit, "clearing CR0.PG in 64-bit mode" },
	{ cr0_pg_off_with_pcide, "clearing CR0.PG while CR4.PCIDE is set" },
	{ wp_off_with_cet, "clearing CR0.WP while CR4.CET is set" },
};

static bool cr4_not_allowed(const struct cr_change *c)
{
	return (c->cr4 & ~c->cr4_allowed) != 0;
}

static bool cr4_pae_off_in_long(const struct cr_change *c)
{
	return (c->efer & EFER_LMA) && !(c->cr4 & CR4_PAE);
}

static bool cr4_la57_change_in_long(const struct cr_change *c)
{
	return (c->efer & EFER_LMA) && ((c->old_cr4 ^ c->cr4) & CR4_LA57);
}

static bool cr4_pcide_outside_long(const struct cr_change *c)
{
	return !(c->old_cr4 & CR4_PCIDE) && (c->cr4 & CR4_PCIDE) && !(c->efer & EFER_LMA);
}

static bool cr4_pcide_with_cr3_pcid(const struct cr_change *c)
{
	return !(c->old_cr4 & CR4_PCIDE) && (c->cr4 & CR4_PCIDE) && (c->cr3 & CR3_PCID_MASK);
}

static const struct cr_rule cr4_rules[] = {
	{ cr4_not_allowed, "CR4 bit reserved or not allowed by the guest's CPUID" },
	{ cr4_pae_off_in_long, "clearing CR4.PAE in long mode" },
	{ cr4_la57_change_in_long, "changing CR4.LA57 in long mode" },
	{ cr4_pcide_outside_long, "setting CR4.PCIDE outside long mode" },
	{ cr4_pcide_with_cr3_pcid, "setting CR4.PCIDE with CR3[11:0] != 0" },
	{ wp_off_with_cet, "setting CR4.CET while CR0.WP is clear" },
};

static bool cr3_long_reserved(const struct cr_change *c)
{
	u64 hint = (c->cr4 & CR4_PCIDE) ? CR3_PCID_NOFLUSH : 0;
	return (c->efer & EFER_LMA) && (c->cr3 & ~hint & CR3_LONG_RESERVED);
}

static const struct cr_rule cr3_rules[] = {
	{ cr3_long_reserved, "CR3 bits 63:52 are reserved in long mode" },
};

static u64 current_cr3(const struct vcpu *v)
{
	return mirrors_save_area(v) ? v->vmcb->save.cr3 : 0;
}

/* The tracked state, as the rules see it. */
static struct cr_rule_state rule_state_of(const struct vcpu *v)
{
	struct cs_view cs = cs_view_of(v);
	return (struct cr_rule_state){
		.efer = v->cr.efer, .cr0 = v->cr.cr0, .cr3 = current_cr3(v), .cr4 = v->cr.cr4,
		.cr4_allowed = cr_shadow_cr4_allowed(v), .cs_known = cs.known, .cs_l = cs.l,
	};
}

static const char *first_broken(const struct cr_rule *rules, size_t n, const struct cr_change *c)
{
	for (size_t i = 0; i < n; i++)
		if (rules[i].broken(c))
			return rules[i].why;
	return NULL;
}

static enum cr_shadow_result refuse(struct vcpu *v, const char *insn, u64 value, const char *why)
{
	log_debug("guest %s vcpu%u: %s 0x%llx refused (#GP): %s", guest_name(v), v->id, insn,
		  (unsigned long long)value, why);
	return CR_SHADOW_GP;
}

const char *cr_shadow_rule_refusal(const struct cr_rule_state *now, unsigned n, u64 value)
{
	struct cr_change c = {
		.old_cr0 = now->cr0, .cr0 = now->cr0,
		.old_cr4 = now->cr4, .cr4 = now->cr4,
		.cr3 = now->cr3,
		.efer = now->efer & ~EFER_SVME,
		.cs = { now->cs_known, now->cs_l },
		.cr4_allowed = now->cr4_allowed,
	};
	switch (n) {
	case 0:
		c.cr0 = value;
		return first_broken(cr0_rules, ARRAY_SIZE(cr0_rules), &c);
	case 3:
		c.cr3 = value;
		return first_broken(cr3_rules, ARRAY_SIZE(cr3_rules), &c);
	case 4:
		c.cr4 = value;
		return first_broken(cr4_rules, ARRAY_SIZE(cr4_rules), &c);
	case 8:
		return (value & ~CR8_TPR_MASK) ? "CR8 bits 63:4 are reserved" : NULL;
	default:
		return "not a control register sevisor tracks";
	}
}

static const char *write_refusal(const struct vcpu *v, unsigned n, u64 value)
{
	struct cr_rule_state now = rule_state_of(v);
	return cr_shadow_rule_refusal(&now, n, value);
}

/* ---- the guest TLB after an emulated write --------------------------------------------
 * The CPU flushes (or re-validates) translations itself when MOV CRn changes how addresses
 * translate: CR3 loads (APM vol. 2, 5.5.2 "TLB Management"), CR0.PG/PE/WP and CR4.PGE/PAE/PSE/
 * PCIDE/SMEP/SMAP/PKE/LA57 changes (APM vol. 2, 5.5.3; Intel SDM vol. 3, 4.10.4.1; KVM flushes on
 * the same CR4 bits). An intercepted write never reaches the CPU, so sevisor must ask for the
 * flush in TLB_CONTROL before the next VMRUN (APM vol. 2, 15.16.1). FLUSH_ALL is valid on every
 * SVM CPU (FLUSH_ASID needs the FlushByAsid feature). QEMU TCG flushes on every VMRUN anyway, so
 * only real hardware would show a missing flush. */
#define CR0_TLB_BITS (CR0_PG | CR0_PE | CR0_WP)
#define CR4_TLB_BITS (CR4_PGE | CR4_PAE | CR4_PSE | CR4_PCIDE | CR4_SMEP | CR4_SMAP | CR4_PKE | CR4_LA57)

bool cr_shadow_write_flushes_tlb(unsigned n, u64 old, u64 value)
{
	switch (n) {
	case 0: return ((old ^ value) & CR0_TLB_BITS) != 0;
	case 3: return true;
	case 4: return ((old ^ value) & CR4_TLB_BITS) != 0;
	default: return false;
	}
}

static void flush_guest_tlb_if(struct vcpu *v, unsigned n, u64 old, u64 value)
{
	if (mirrors_save_area(v) && cr_shadow_write_flushes_tlb(n, old, value))
		v->vmcb->control.tlb_control = SVM_TLB_CONTROL_FLUSH_ALL;
}

static enum cr_shadow_result write_cr0(struct vcpu *v, u64 value, const char *insn)
{
	const char *why = write_refusal(v, 0, value);
	if (why)
		return refuse(v, insn, value, why);
	/* The low reserved bits are ignored on write, and ET is read-only 1 on AMD64
	 * (APM vol. 2, 3.1.1). */
	u64 old = v->cr.cr0, cr0 = (value & CR0_DEFINED) | CR0_ET;
	commit(v, v->cr.efer, cr0, v->cr.cr4);
	flush_guest_tlb_if(v, 0, old, cr0);
	return CR_SHADOW_DONE;
}

static enum cr_shadow_result write_cr3(struct vcpu *v, u64 value)
{
	const char *why = write_refusal(v, 3, value);
	if (why)
		return refuse(v, "MOV CR3,", value, why);
	if (mirrors_save_area(v)) {
		/* The PCID no-flush hint is not part of CR3 (flushing anyway is always correct). */
		if (v->cr.cr4 & CR4_PCIDE)
			value &= ~CR3_PCID_NOFLUSH;
		mirror_u64(v, &v->vmcb->save.cr3, value);
		flush_guest_tlb_if(v, 3, 0, value);
	}
	return CR_SHADOW_DONE;
}

static enum cr_shadow_result write_cr4(struct vcpu *v, u64 value)
{
	const char *why = write_refusal(v, 4, value);
	if (why)
		return refuse(v, "MOV CR4,", value, why);
	u64 old = v->cr.cr4;
	commit(v, v->cr.efer, v->cr.cr0, value);
	flush_guest_tlb_if(v, 4, old, value);
	return CR_SHADOW_DONE;
}

static enum cr_shadow_result write_cr8(struct vcpu *v, u64 value)
{
	const char *why = write_refusal(v, 8, value);
	if (why)
		return refuse(v, "MOV CR8,", value, why);
	commit_cr8(v, value);
	return CR_SHADOW_DONE;
}

enum cr_shadow_result cr_shadow_write_cr(struct vcpu *v, unsigned n, u64 value)
{
	switch (n) {
	case 0: return write_cr0(v, value, "MOV CR0,");
	case 3: return write_cr3(v, value);
	case 4: return write_cr4(v, value);
	case 8: return write_cr8(v, value);
	default: return CR_SHADOW_UNSUPPORTED;
	}
}

enum cr_shadow_result cr_shadow_clts(struct vcpu *v)
{
	commit(v, v->cr.efer, v->cr.cr0 & ~CR0_TS, v->cr.cr4);
	return CR_SHADOW_DONE;
}

enum cr_shadow_result cr_shadow_lmsw(struct vcpu *v, u16 value)
{
	/* Only PE, MP, EM, TS are loaded, and PE can be set but not cleared (APM vol. 3, LMSW). */
	u64 cr0 = (v->cr.cr0 & ~CR0_LMSW_MASK) | (value & CR0_LMSW_MASK) | (v->cr.cr0 & CR0_PE);
	return write_cr0(v, cr0, "LMSW");
}

/* ---- after every #VMEXIT -------------------------------------------------------------------- */

void cr_shadow_after_exit_changed(struct vcpu *v)
{
	const struct vmcb_save *s = &v->vmcb->save;
	commit(v, s->efer, s->cr0, s->cr4);
}

const char *cr_shadow_result_name(enum cr_shadow_result r)
{
	static const char *const names[] = {
		[CR_SHADOW_DONE] = "done",
		[CR_SHADOW_GP] = "#GP",
		[CR_SHADOW_UNSUPPORTED] = "unsupported",
	};
	return (unsigned)r < ARRAY_SIZE(names) ? names[r] : "?";
}
