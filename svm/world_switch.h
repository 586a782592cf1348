/* The world switch (svm/world_switch.asm): one VMRUN with the host's hidden state saved and
 * restored around it and the guest's GPRs loaded from and stored to gprs. */
#ifndef SVM_WORLD_SWITCH_H
#define SVM_WORLD_SWITCH_H

#include "svm/vcpu.h"

void svm_world_switch(u64 guest_vmcb_pa, struct svm_gprs *gprs, u64 host_vmcb_pa);

#endif
