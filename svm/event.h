/* Event injection around VMRUN (APM vol. 2, 15.20 EVENTINJ, 15.7.2 EXITINTINFO): pure, so the
 * rules are unit-tested. */
#ifndef SVM_EVENT_H
#define SVM_EVENT_H

#include "svm/vcpu.h"

/* Before VMRUN: moves the queued event (if any) into EVENTINJ, else clears EVENTINJ. */
void svm_event_prepare_entry(struct vcpu *v);
/* After #VMEXIT: an event whose delivery the exit interrupted (EXITINTINFO.V) is queued again
 * unless something else is queued already. Only the V bit counts: QEMU TCG leaves a copy of an
 * injected event with V = 0. Not for VMEXIT_INVALID, where EXITINTINFO means nothing. */
void svm_event_after_exit(struct vcpu *v);

#endif
