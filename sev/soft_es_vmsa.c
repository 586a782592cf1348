/* The soft-es CPU's first VMRUN: SEV-ES hardware loads a guest's state from its VMSA, not from
 * the VMCB save area (APM 15.35.3; ghcb-sev-facts.md C.3 "VMSA 0x108"). The software SEV-ES
 * CPU does the same with the page sevisor built and the soft PSP measured, so a wrong VMSA
 * shows up as a guest that does not start right. */
#include "sev/soft_es.h"
#include "sev/vmsa.h"
#include "lib/kstring.h"

void svm_soft_es_enter_from_vmsa(struct vcpu *v)
{
	memset(&v->vmcb->save, 0, sizeof(v->vmcb->save));
	memset(&v->gprs, 0, sizeof(v->gprs));
	sev_vmsa_load((const struct sev_vmsa *)v->vmsa, &v->vmcb->save, &v->gprs);
	v->vmcb->control.clean_bits = 0; /* every save-area field is new */
}
