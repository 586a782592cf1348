/* The world switch (svm/world_switch.asm): one VMRUN with the host's hidden state saved and
 * restored around it and the guest's GPRs loaded from and stored to gprs. */
#ifndef SVM_WORLD_SWITCH_H
#define SVM_WORLD_SWITCH_H

#include "svm/vcpu.h"

/* The host's hidden state, saved by svm_host_vmsave, is reloaded after the exit. Returns 0 when
 * the CPU restored sevisor's CR0, CR3, CR4 and EFER (svm_host_want, svm/host_state.h), nonzero
 * when one differs (the XOR of the differing bits): then svm_host_state_check must repair them
 * before anything else runs. */
u64 svm_world_switch(u64 guest_vmcb_pa, struct svm_gprs *gprs);
/* VMSAVE of the host's hidden state (APM 15.5.2), once SVM is on and the host's descriptor
 * tables and MSRs are final: sevisor never changes them afterwards. The page is kept for every
 * world switch's VMLOAD. */
void svm_host_vmsave(u64 host_vmcb_pa);

/* The SEV-ES variant (APM 15.35.8; ghcb-sev-facts.md C.3 "Host save area", G25): guest GPRs
 * live in the encrypted VMSA, so none are loaded or saved here; the host's callee-saved GPRs
 * are written into the host save area (host_save_vmsa = VM_HSAVE_PA page + 0x400, VMSA
 * layout), from where #VMEXIT reloads them. No guest VMLOAD/VMSAVE: the guest's hidden state
 * is in the VMSA too. The caller puts XCR0 at 0x3E8 of the host save area beforehand. Returns
 * as svm_world_switch does. */
u64 svm_world_switch_es(u64 guest_vmcb_pa, u8 *host_save_vmsa);

#endif
