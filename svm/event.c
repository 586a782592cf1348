/* See event.h. */
#include "svm/event.h"
#include "arch/x86/rflags.h"
#include "svm/dev/intr.h"
#include "svm/dev/lapic.h"
#include "svm/exit_codes.h"

#define DR6_BS BIT(14) /* single-step (APM vol. 2, 13.1.1.3) */
#define VECTOR_NMI 2
#define VECTOR_DB 1

static inline bool shadowed(const struct vcpu *v)
{
	return v->vmcb->control.int_state & SVM_INT_STATE_SHADOW;
}

static void inject(struct vcpu *v, u32 info)
{
	v->vmcb->control.event_inj = info;
	v->vmcb->control.event_inj_err = 0;
}

bool svm_event_prepare_entry_general(struct vcpu *v)
{
	struct vmcb_control *c = &v->vmcb->control;
	struct vm *vm = v->vm;
	bool deferred = svm_event_timers_deferred(v);
	c->event_inj = 0;
	c->event_inj_err = 0;
	bool injected = false;
	if (v->pending.pending) {
		c->event_inj = v->pending.info;
		c->event_inj_err = v->pending.err_code;
		v->pending.pending = false;
		injected = true;
	}
	/* While sevisor single-steps an IRET, nothing else goes in: delivery would clear TF. */
	bool hold = injected || v->intr.step_tf || !vm || !vm->devices;
	if (!hold && dev_intr_nmi_pending(vm) && !v->intr.nmi_masked && !shadowed(v)) {
		dev_intr_nmi_ack(vm);
		inject(v, SVM_EVT_VALID | SVM_EVT_TYPE_NMI | VECTOR_NMI);
		v->intr.nmi_masked = true;
		/* IRET cannot be intercepted for an SEV-ES guest: its NMI_COMPLETE event ends the
		 * blocking instead (facts G9, svm_event_nmi_complete). */
		if (!v->state_protected)
			c->intercept_misc1 |= BIT(SVM_INTERCEPT_IRET);
		hold = true;
	}
	/* Whether a maskable interrupt is pending, computed once: only an acknowledge changes it
	 * before the window check below. */
	bool maskable = !hold && dev_intr_maskable_pending(vm);
	if (maskable && svm_event_guest_if(v) && !shadowed(v)) {
		int vec = dev_intr_maskable_ack(vm);
		if (vec >= 0)
			inject(v, SVM_EVT_VALID | SVM_EVT_TYPE_INTR | (u32)vec);
		maskable = dev_intr_maskable_pending(vm);
	}
	v->intr.window_open = false;
	svm_event_window_program(c, vm && vm->devices &&
					    (maskable || (hold && dev_intr_maskable_pending(vm)) ||
					     (deferred && devices_next_deadline(vm) != LAPIC_NO_DEADLINE)));
	return deferred;
}

bool svm_event_wakes(struct vcpu *v)
{
	struct vm *vm = v->vm;
	if (dev_intr_nmi_pending(vm) && !v->intr.nmi_masked)
		return true;
	return dev_intr_maskable_pending(vm) && svm_event_guest_if(v);
}

void svm_event_nmi_complete(struct vcpu *v)
{
	v->intr.nmi_masked = false;
}

void svm_event_iret_exit(struct vcpu *v)
{
	struct vmcb_control *c = &v->vmcb->control;
	c->intercept_misc1 &= ~BIT(SVM_INTERCEPT_IRET);
	v->intr.iret_step = true;
	u64 rflags;
	/* A guest stepping itself keeps its own #DB; then the next exit unmasks instead. */
	if (v->state_protected || !vcpu_reg_read(v, VCPU_RFLAGS, &rflags) || (rflags & RFLAGS_TF))
		return;
	vcpu_reg_write(v, VCPU_RFLAGS, rflags | RFLAGS_TF);
	c->intercept_exceptions |= BIT(VECTOR_DB);
	v->intr.step_tf = true;
}

bool svm_event_db_exit(struct vcpu *v)
{
	if (!v->intr.step_tf)
		return false;
	/* The IRET completed: its single-step trap is sevisor's. The IRET loaded RFLAGS from the
	 * stack, so the TF set for it is already gone; DR6.BS is cleared again. */
	v->intr.step_tf = false;
	v->intr.iret_step = false;
	v->intr.nmi_masked = false;
	v->vmcb->control.intercept_exceptions &= ~BIT(VECTOR_DB);
	v->vmcb->save.dr6 &= ~(u64)DR6_BS;
	return true;
}
