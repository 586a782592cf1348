/* Shadow EFER/CR0/CR4/CR8 per vCPU (issue: shadow control registers). Placeholder: the
 * module owning this file fills in the API. */
#ifndef SVM_CR_SHADOW_H
#define SVM_CR_SHADOW_H

#include "lib/types.h"

struct cr_shadow {
	u64 efer; /* guest-visible: SVME masked, LMA inferred */
	u64 cr0;
	u64 cr4;
	u64 cr8;
};

#endif
