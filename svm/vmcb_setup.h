/* Building a guest's VMCB control area: which intercepts a mode needs (pure). */
#ifndef SVM_VMCB_SETUP_H
#define SVM_VMCB_SETUP_H

#include "svm/vmcb.h"
#include "svm/vm.h"

#define SVM_IOPM_SIZE (12 * 1024) /* APM 15.10.1: 64K ports + 3 bytes, in 3 pages */
#define SVM_MSRPM_SIZE (8 * 1024) /* APM 15.11 */
#define SVM_GUEST_PAT_DEFAULT 0x0007040600070406ULL /* PAT power-on value (APM vol. 2, 7.8.1) */

struct svm_vmcb_params {
	enum vm_mode mode;
	u32 asid;
	u64 iopm_pa, msrpm_pa, ncr3;
	u64 vmsa_pa; /* sev-es: the encrypted VMSA (0x108) */
};

/* The intercept vectors of the control area (offsets 0x000-0x014, APM table B-1). */
struct svm_intercepts {
	u32 cr, dr, exceptions, misc1, misc2, misc3;
};

/* What sevisor intercepts for a guest of this mode. sev-es and soft-es get the same set: the
 * one a real SEV-ES guest is run with (write traps included). */
const struct svm_intercepts *svm_intercepts_for(enum vm_mode mode);
void svm_intercepts_load(struct vmcb_control *c, const struct svm_intercepts *i);

/* Zeroes the control area and programs it for p->mode: intercepts (svm_intercepts_for), maps,
 * ASID, NPT, V_INTR_MASKING, guest PAT. */
void svm_vmcb_init(struct vmcb *vmcb, const struct svm_vmcb_params *p);

#endif
