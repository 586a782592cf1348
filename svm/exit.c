/* Exit dispatch (DESIGN.md "Exit flow"): one table indexed by exit code, bounds-checked,
 * 0x000-0x0FF and 0x400-0x403, plus VMEXIT_INVALID in both its 64-bit and 32-bit forms.
 * Handlers live in exit_handlers.c; this file holds the outcome helpers and the lookup. */
#include <stdarg.h>
#include "svm/exit.h"
#include "svm/exit_codes.h"
#include "svm/exit_table.h"
#include "lib/fmt.h"
#include "lib/log.h"

/* At log_level = debug, the first exits of each vCPU are traced. */
#define SVM_EXIT_TRACE_FIRST 40

enum svm_outcome svm_queue_exception(struct vcpu *v, u8 vector, bool has_error, u32 error_code)
{
	v->pending.pending = true;
	v->pending.info = SVM_EVT_VALID | SVM_EVT_TYPE_EXCEPTION | vector | (has_error ? SVM_EVT_ERR_VALID : 0);
	v->pending.err_code = has_error ? error_code : 0;
	return SVM_INJECT;
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

void svm_skip_insn(struct vcpu *v, unsigned len)
{
	/* Only the unprotected world has a RIP the hypervisor may move; a protected vCPU's #VC
	 * handler advances its own RIP (GHCB spec: the hypervisor never does). */
	u64 rip;
	if (v->state_protected)
		return; /* the CPU (SEV-ES hardware or the soft-es model) already moved RIP */
	if (vcpu_reg_read(v, VCPU_RIP, &rip))
		vcpu_reg_write(v, VCPU_RIP, rip + len);
	/* Stepping over an instruction ends any STI/MOV SS interrupt shadow (APM 15.21.5). */
	v->vmcb->control.int_state &= ~(u32)SVM_INT_STATE_SHADOW;
}

static unsigned counter_slot(u64 code)
{
	if (code < VCPU_EXIT_SLOTS)
		return (unsigned)code;
	if (code == SVM_EXIT_NPF)
		return VCPU_EXIT_SLOT_NPF;
	if (code == SVM_EXIT_VMGEXIT)
		return VCPU_EXIT_SLOT_VMGEXIT;
	return VCPU_EXIT_SLOT_OTHER;
}

u64 svm_exit_traced(const struct vcpu *v)
{
	return v->exits_total - v->exit_counts[SVM_EXIT_INTR];
}

svm_exit_handler svm_exit_lookup(u64 code)
{
	if (code == SVM_EXIT_INVALID || code == SVM_EXIT_INVALID32)
		return svm_exit_invalid;
	if (code < SVM_EXIT_TABLE_LOW)
		return svm_exit_table_low[code];
	if (code >= SVM_EXIT_NPF && code < SVM_EXIT_NPF + SVM_EXIT_TABLE_HIGH)
		return svm_exit_table_high[code - SVM_EXIT_NPF];
	return NULL;
}

enum svm_outcome svm_handle_exit(struct vcpu *v)
{
	u64 code = v->vmcb->control.exit_code;
	v->exit_counts[counter_slot(code)]++;
	v->exits_total++;
	if (svm_exit_traced(v) <= SVM_EXIT_TRACE_FIRST)
		log_debug("guest %s vcpu%u: exit #%llu %s (0x%llx) info1=0x%llx info2=0x%llx", v->vm->name, v->id,
			  (unsigned long long)v->exits_total, svm_exit_name(code) ? svm_exit_name(code) : "?",
			  (unsigned long long)code, (unsigned long long)v->vmcb->control.exit_info1,
			  (unsigned long long)v->vmcb->control.exit_info2);
	svm_exit_handler h = svm_exit_lookup(code);
	if (!h) {
		const char *name = svm_exit_name(code);
		svm_vmcb_dump(v);
		return svm_terminate(v, "unhandled exit 0x%llx (%s), exitinfo1=0x%llx exitinfo2=0x%llx",
				     (unsigned long long)code, name ? name : "unnamed",
				     (unsigned long long)v->vmcb->control.exit_info1,
				     (unsigned long long)v->vmcb->control.exit_info2);
	}
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
