/* See event.h. */
#include "svm/event.h"

void svm_event_prepare_entry(struct vcpu *v)
{
	struct vmcb_control *c = &v->vmcb->control;
	c->event_inj = 0;
	c->event_inj_err = 0;
	if (v->pending.pending) {
		c->event_inj = v->pending.info;
		c->event_inj_err = v->pending.err_code;
		v->pending.pending = false;
	}
}

void svm_event_after_exit(struct vcpu *v)
{
	const struct vmcb_control *c = &v->vmcb->control;
	if ((c->exit_int_info & SVM_EVT_VALID) && !v->pending.pending) {
		v->pending.pending = true;
		v->pending.info = c->exit_int_info;
		v->pending.err_code = c->exit_int_info_err;
	}
}
