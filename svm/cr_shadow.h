/* Shadow EFER/CR0/CR4/CR8 per vCPU. The owner of these values for every mode; see the issue
 * "Shadow EFER/CR0/CR4/CR8 with EFER.LMA inference". (Being completed: the first version
 * holds only the EFER hand-off the MSR model needs.) */
#ifndef SVM_CR_SHADOW_H
#define SVM_CR_SHADOW_H

#include "lib/types.h"

struct vcpu;

/* EFER bits (APM vol. 2, 3.1.7). */
#define EFER_SCE BIT(0)
#define EFER_LME BIT(8)
#define EFER_LMA BIT(10)
#define EFER_NXE BIT(11)
#define EFER_SVME BIT(12)
#define EFER_LMSLE BIT(13)
#define EFER_FFXSR BIT(14)
#define EFER_TCE BIT(15)

/* CR0 bits (APM vol. 2, 3.1.1). */
#define CR0_PE BIT(0)
#define CR0_MP BIT(1)
#define CR0_EM BIT(2)
#define CR0_TS BIT(3)
#define CR0_ET BIT(4)
#define CR0_NE BIT(5)
#define CR0_WP BIT(16)
#define CR0_AM BIT(18)
#define CR0_NW BIT(29)
#define CR0_CD BIT(30)
#define CR0_PG BIT(31)

/* CR4 bits (APM vol. 2, 3.1.3). */
#define CR4_VME BIT(0)
#define CR4_PVI BIT(1)
#define CR4_TSD BIT(2)
#define CR4_DE BIT(3)
#define CR4_PSE BIT(4)
#define CR4_PAE BIT(5)
#define CR4_MCE BIT(6)
#define CR4_PGE BIT(7)
#define CR4_PCE BIT(8)
#define CR4_OSFXSR BIT(9)
#define CR4_OSXMMEXCPT BIT(10)
#define CR4_UMIP BIT(11)
#define CR4_LA57 BIT(12)
#define CR4_FSGSBASE BIT(16)
#define CR4_PCIDE BIT(17)
#define CR4_OSXSAVE BIT(18)
#define CR4_SMEP BIT(20)
#define CR4_SMAP BIT(21)
#define CR4_PKE BIT(22)
#define CR4_CET BIT(23)

struct cr_shadow {
	u64 efer; /* guest-visible: SVME masked, LMA inferred */
	u64 cr0;
	u64 cr4;
	u64 cr8;
};

/* Guest-visible EFER (LMA inferred, SVME hidden). */
u64 cr_shadow_get_efer(const struct vcpu *v);
/* Records a guest EFER write that the MSR model already validated (msr/efer.c): keeps LMA
 * as inferred, updates the hardware EFER (with SVME) for unprotected vCPUs. */
void cr_shadow_set_efer(struct vcpu *v, u64 value);

#endif
