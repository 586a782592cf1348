/* Exit dispatch (DESIGN.md "Exit flow"): one table indexed by exit code, bounds-checked,
 * 0x000-0x0FF and 0x400-0x403, plus VMEXIT_INVALID in both its 64-bit and 32-bit forms.
 * Handlers live in exit_handlers.c; this file holds the outcome helpers and the lookup. */
#include <stdarg.h>
#include "svm/exit.h"
#include "svm/exit_codes.h"
#include "svm/exit_table.h"
#include "svm/emul/gva.h"
#include "svm/emul/insn_text.h"
#include "svm/step.h"
#include "lib/fmt.h"
#include "lib/log.h"

/* At log_level = debug, the first exits of each vCPU are traced (SVM_EXIT_TRACE_FIRST). */

static const char *const exception_names[VCPU_INJECT_VECTORS] = {
	[X86_DE] = "#DE", [X86_DB] = "#DB", [X86_NMI] = "NMI", [X86_BP] = "#BP", [X86_OF] = "#OF",
	[X86_BR] = "#BR", [X86_UD] = "#UD", [X86_NM] = "#NM", [X86_DF] = "#DF", [X86_TS] = "#TS",
	[X86_NP] = "#NP", [X86_SS] = "#SS", [X86_GP] = "#GP", [X86_PF] = "#PF", [X86_MF] = "#MF",
	[X86_AC] = "#AC", [X86_MC] = "#MC", [X86_XM] = "#XM", [X86_VE] = "#VE", [X86_CP] = "#CP",
	[X86_VC] = "#VC", [X86_SX] = "#SX",
};

const char *svm_exception_name(unsigned vector)
{
	return vector < VCPU_INJECT_VECTORS && exception_names[vector] ? exception_names[vector] : NULL;
}

/* Counted per vector for the summary; the first ones traced at debug level like exits. */
static void account_injection(struct vcpu *v, u8 vector, bool has_error, u32 error_code)
{
	v->inject_counts[vector % VCPU_INJECT_VECTORS]++;
	if (++v->injects_total > SVM_EXIT_TRACE_FIRST)
		return;
	char where[40] = "";
	u64 rip;
	if (!v->state_protected && vcpu_reg_read(v, VCPU_RIP, &rip))
		fmt_snprintf(where, sizeof(where), " at RIP 0x%llx", (unsigned long long)rip);
	const char *name = svm_exception_name(vector);
	if (has_error)
		log_debug("guest %s vcpu%u: inject #%llu %s (vector %u) error code 0x%x%s", v->vm->name, v->id,
			  (unsigned long long)v->injects_total, name ? name : "exception", vector, error_code, where);
	else
		log_debug("guest %s vcpu%u: inject #%llu %s (vector %u)%s", v->vm->name, v->id,
			  (unsigned long long)v->injects_total, name ? name : "exception", vector, where);
}

enum svm_outcome svm_queue_exception(struct vcpu *v, u8 vector, bool has_error, u32 error_code)
{
	account_injection(v, vector, has_error, error_code);
	v->pending.pending = true;
	v->pending.info = SVM_EVT_VALID | SVM_EVT_TYPE_EXCEPTION | vector | (has_error ? SVM_EVT_ERR_VALID : 0);
	v->pending.err_code = has_error ? error_code : 0;
	return SVM_INJECT;
}

static u64 (*g_guest_xcr0_read)(void);

void svm_set_guest_xcr0_reader(u64 (*read)(void))
{
	g_guest_xcr0_read = read;
}

void svm_guest_xcr0_refresh(struct vcpu *v)
{
	if (g_guest_xcr0_read && v->vm->mode == VM_MODE_PLAIN && (v->cr.cr4 & CR4_OSXSAVE))
		v->xcr0 = g_guest_xcr0_read();
}

void svm_queue_interrupt(struct vcpu *v, u8 vector)
{
	v->pending.pending = true;
	v->pending.info = SVM_EVT_VALID | SVM_EVT_TYPE_INTR | vector;
	v->pending.err_code = 0;
}

enum svm_outcome svm_terminate(struct vcpu *v, const char *fmt, ...)
{
	char reason[VM_REASON_MAX];
	va_list ap;
	va_start(ap, fmt);
	fmt_vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	vm_terminate(v->vm, "%s", reason);
	return SVM_TERMINATE;
}

/* DR6.BS (APM vol. 2, 13.1.1.3 "Debug-Status Register (DR6)", 13.1.3.6 "Single Stepping";
 * RFLAGS.TF is RFLAGS_TF, arch/x86/rflags.h); VMCB clean bit 6 covers DR6/DR7 (APM vol. 2,
 * 15.15.3). */
#define DR6_BS BIT(14)
#define VMCB_CLEAN_DR BIT(6)

void svm_single_step_trap(struct vcpu *v)
{
	u64 rflags;
	if (v->state_protected || !vcpu_reg_read(v, VCPU_RFLAGS, &rflags) || !(rflags & RFLAGS_TF))
		return;
	/* The instruction sevisor carried out ran with TF set: the CPU would have raised the
	 * single-step #DB (a trap: after the instruction, DR6.BS set) before the next one. */
	v->vmcb->save.dr6 |= DR6_BS;
	v->vmcb->control.clean_bits &= ~(u32)VMCB_CLEAN_DR;
	svm_queue_exception(v, X86_DB, false, 0);
}

void svm_set_next_rip(struct vcpu *v, u64 next)
{
	/* Only the unprotected world has a RIP the hypervisor may move; a protected vCPU's #VC
	 * handler advances its own RIP (GHCB spec: the hypervisor never does). */
	if (v->state_protected)
		return; /* the CPU (SEV-ES hardware or the soft-es model) already moved RIP */
	svm_step_visible_in(v, v->vmcb, next);
}

void svm_skip_insn(struct vcpu *v, unsigned len)
{
	u64 rip;
	if (!v->state_protected && vcpu_reg_read(v, VCPU_RIP, &rip))
		svm_set_next_rip(v, rip + len);
}

/* Steps over the instruction at RIP by the decoder: any prefixes, an instruction that
 * crosses into the next page, or a RIP whose page the fetch cache cannot hold. The guest ends
 * when the instruction is neither kind nor alt. */
static __attribute__((noinline)) enum svm_outcome skip_decoded(struct vcpu *v, enum svm_insn_kind kind,
							       enum svm_insn_kind alt)
{
	u8 bytes[SVM_INSN_MAX_LEN];
	enum svm_cpu_mode mode;
	u64 rip = vcpu_reg(v, VCPU_RIP);
	unsigned n = svm_fetch_bytes(v, bytes, &mode);
	unsigned len = svm_decode_fixed_len(bytes, n, kind);
	if (len == 0)
		len = svm_decode_fixed_len(bytes, n, alt);
	struct svm_insn i;
	enum svm_decode_status st = SVM_DECODE_OK;
	if (len == 0) {
		st = svm_decode(bytes, n, mode, &i);
		if (st == SVM_DECODE_OK && (i.kind == kind || i.kind == alt))
			len = i.len;
	}
	if (len != 0) {
		svm_set_next_rip(v, rip + len);
		return SVM_RESUME;
	}
	char text[SVM_INSN_TEXT_MAX];
	svm_insn_bytes_text(v, text, sizeof(text));
	return svm_terminate(v, "%s intercept at RIP 0x%llx, but the instruction there is not one (%s: %s)",
			     svm_insn_kind_name(kind), (unsigned long long)rip,
			     st == SVM_DECODE_OK ? svm_insn_kind_name(i.kind) : svm_decode_status_name(st), text);
}

enum svm_outcome svm_skip_intercepted(struct vcpu *v, enum svm_insn_kind kind, enum svm_insn_kind alt)
{
	if (v->state_protected)
		return SVM_RESUME; /* see svm_set_next_rip */
	/* With NRIPS the CPU gives the next RIP of an intercepted instruction (APM vol. 2, 15.7.1);
	 * it is cleared after use so a stale value is never taken on a CPU without NRIPS (TCG),
	 * which never writes it. Without it, the instruction is decoded: prefixes count (a `rep
	 * vmmcall` is 4 bytes, a CS-prefixed CPUID 3). */
	u64 rip = vcpu_reg(v, VCPU_RIP), next = v->vmcb->control.next_rip;
	v->vmcb->control.next_rip = 0;
	if (next > rip && next - rip <= SVM_INSN_MAX_LEN) {
		svm_set_next_rip(v, next);
		return SVM_RESUME;
	}
	/* The unprefixed encoding, the usual case, is recognised in place in the fetch cache's
	 * page (the bytes svm_fetch_bytes would give: the cache re-checks the translation and the
	 * bytes are read now, so rewritten code or a remapped page is seen); anything else
	 * (prefixes, the end of a page) goes to the decoder. */
	unsigned len = svm_fetch_fixed_len(v, kind, alt);
	if (len == 0)
		return skip_decoded(v, kind, alt);
	svm_set_next_rip(v, rip + len);
	return SVM_RESUME;
}

/* Counter slots of the codes in the high table (0x400-0x403). */
const u16 svm_exit_slot_high[SVM_EXIT_TABLE_HIGH] = {
	[SVM_EXIT_NPF - SVM_EXIT_NPF] = VCPU_EXIT_SLOT_NPF,
	[SVM_EXIT_NPF + 1 - SVM_EXIT_NPF] = VCPU_EXIT_SLOT_OTHER,
	[SVM_EXIT_NPF + 2 - SVM_EXIT_NPF] = VCPU_EXIT_SLOT_OTHER,
	[SVM_EXIT_VMGEXIT - SVM_EXIT_NPF] = VCPU_EXIT_SLOT_VMGEXIT,
};

u64 svm_exit_traced(const struct vcpu *v)
{
	return vcpu_exits_total(v) - v->exit_counts[SVM_EXIT_INTR];
}

void svm_exit_model_handled(struct vcpu *v, const char *outcome)
{
	const struct vmcb_control *c = &v->vmcb->control;
	log_debug("guest %s vcpu%u: soft-es model exit %s (0x%llx) info1=0x%llx info2=0x%llx: %s", v->vm->name, v->id,
		  svm_exit_name(c->exit_code) ? svm_exit_name(c->exit_code) : "?", (unsigned long long)c->exit_code,
		  (unsigned long long)c->exit_info1, (unsigned long long)c->exit_info2, outcome);
}

svm_exit_handler svm_exit_lookup(u64 code)
{
	if (code < SVM_EXIT_TABLE_LOW)
		return svm_exit_table_low[code];
	if (code - SVM_EXIT_NPF < SVM_EXIT_TABLE_HIGH)
		return svm_exit_table_high[code - SVM_EXIT_NPF];
	if (SVM_EXIT_CODE_INVALID(code))
		return svm_exit_invalid;
	return NULL;
}

/* The first exits' debug trace, and an exit no table row takes: out of the way of the usual
 * exit (svm_handle_exit, svm/exit_table.h). */
void svm_exit_trace(const struct vcpu *v, u64 code)
{
	if (svm_exit_traced(v) > SVM_EXIT_TRACE_FIRST)
		return;
	log_debug("guest %s vcpu%u: exit #%llu %s (0x%llx) info1=0x%llx info2=0x%llx", v->vm->name, v->id,
		  (unsigned long long)vcpu_exits_total(v), svm_exit_name(code) ? svm_exit_name(code) : "?",
		  (unsigned long long)code, (unsigned long long)v->vmcb->control.exit_info1,
		  (unsigned long long)v->vmcb->control.exit_info2);
}

enum svm_outcome svm_exit_unhandled(struct vcpu *v, u64 code)
{
	const char *name = svm_exit_name(code);
	svm_vmcb_dump(v);
	return svm_terminate(v, "unhandled exit 0x%llx (%s), exitinfo1=0x%llx exitinfo2=0x%llx",
			     (unsigned long long)code, name ? name : "unnamed",
			     (unsigned long long)v->vmcb->control.exit_info1,
			     (unsigned long long)v->vmcb->control.exit_info2);
}

enum svm_outcome svm_exit_unhandled_row(struct vcpu *v)
{
	return svm_exit_unhandled(v, v->vmcb->control.exit_code);
}

svm_exit_handler svm_exit_dispatch_low[SVM_EXIT_TABLE_LOW];
svm_exit_handler svm_exit_dispatch_high[SVM_EXIT_TABLE_HIGH];

enum svm_outcome svm_exit_traced_row(struct vcpu *v)
{
	u64 code = v->vmcb->control.exit_code;
	svm_exit_trace(v, code);
	svm_exit_handler h = svm_exit_lookup(code);
	return h ? h(v) : svm_exit_unhandled(v, code);
}

static svm_exit_handler dispatch_row(svm_exit_handler h, bool trace)
{
	return trace ? svm_exit_traced_row : h ? h : svm_exit_unhandled_row;
}

void svm_exit_table_init(bool trace)
{
	for (unsigned c = 0; c < SVM_EXIT_TABLE_LOW; c++)
		svm_exit_dispatch_low[c] = dispatch_row(svm_exit_table_low[c], trace);
	for (unsigned c = 0; c < SVM_EXIT_TABLE_HIGH; c++)
		svm_exit_dispatch_high[c] = dispatch_row(svm_exit_table_high[c], trace);
}

enum svm_outcome svm_handle_exit_other(struct vcpu *v, u64 code)
{
	v->exit_counts[VCPU_EXIT_SLOT_OTHER]++;
	if (log_enabled(LOG_DEBUG))
		svm_exit_trace(v, code);
	svm_exit_handler h = svm_exit_lookup(code);
	if (!h)
		return svm_exit_unhandled(v, code);
	return h(v);
}

void svm_vmcb_dump(const struct vcpu *v)
{
	const struct vmcb_control *c = &v->vmcb->control;
	const struct vmcb_save *s = &v->vmcb->save;
	log_err("VMCB dump, guest %s vcpu%u%s:", v->vm->name, v->id,
		v->state_protected ? " (state protected: save area not shown)" : "");
	log_err("  exit_code=0x%llx info1=0x%llx info2=0x%llx exitintinfo=0x%x/0x%x",
		(unsigned long long)c->exit_code, (unsigned long long)c->exit_info1,
		(unsigned long long)c->exit_info2, c->exit_int_info, c->exit_int_info_err);
	log_err("  intercepts cr=%08x dr=%08x exc=%08x misc1=%08x misc2=%08x misc3=%08x", c->intercept_cr,
		c->intercept_dr, c->intercept_exceptions, c->intercept_misc1, c->intercept_misc2,
		c->intercept_misc3);
	log_err("  asid=%u nested_ctl=0x%llx ncr3=0x%llx int_ctl=0x%x int_state=0x%x event_inj=0x%x ghcb=0x%llx",
		c->asid, (unsigned long long)c->nested_ctl, (unsigned long long)c->nested_cr3, c->int_ctl,
		c->int_state, c->event_inj, (unsigned long long)c->ghcb_gpa);
	if (v->state_protected)
		return;
	log_err("  rip=%016llx rsp=%016llx rax=%016llx rflags=%016llx cpl=%u", (unsigned long long)s->rip,
		(unsigned long long)s->rsp, (unsigned long long)s->rax, (unsigned long long)s->rflags, s->cpl);
	log_err("  cr0=%016llx cr2=%016llx cr3=%016llx cr4=%016llx efer=%016llx", (unsigned long long)s->cr0,
		(unsigned long long)s->cr2, (unsigned long long)s->cr3, (unsigned long long)s->cr4,
		(unsigned long long)s->efer);
	log_err("  cs=%04x/%03x/%08x/%llx ss=%04x/%03x ds=%04x/%03x", s->cs.selector, s->cs.attrib, s->cs.limit,
		(unsigned long long)s->cs.base, s->ss.selector, s->ss.attrib, s->ds.selector, s->ds.attrib);
	log_err("  gdtr=%llx/%x idtr=%llx/%x tr=%04x/%03x", (unsigned long long)s->gdtr.base, s->gdtr.limit,
		(unsigned long long)s->idtr.base, s->idtr.limit, s->tr.selector, s->tr.attrib);
}
