/* The lean step over an intercepted instruction: inline in the exit handlers that run on
 * every guest's hot path (CPUID, RDMSR/WRMSR), with the instruction kind a constant.
 *
 * What it covers: a vCPU whose state is not protected (the caller checked it once, on entry:
 * vcpu_state_visible), no next RIP from the CPU (VMCB next_rip 0: a CPU without NRIPS, such as
 * QEMU TCG, which never writes it), 64-bit code, and the unprefixed encoding of kind in the 4
 * bytes at RIP, which lie within the page the instruction fetch keeps while its translation
 * still holds (svm_fetch_cache_lean: CR0/CR4/EFER and CS.L through the kept page's lean_page,
 * which needs the run loop's cr_shadow_after_exit of this exit to have run, as it does before
 * every handler).
 *
 * Why it is the general path: svm_skip_intercepted does the same for that case, in the same
 * order, out of line. The bytes are the ones svm_fetch_fixed_len reads (the same test of
 * the kept page against CR0/CR3/CR4/EFER and every paging-entry word, the bytes read now, so
 * rewritten code and remapped pages are seen), the length is svm_decode_fixed_len_word's, and
 * the effects are svm_set_next_rip's, both through svm_step_visible_in: RIP moved on, the
 * STI/MOV SS interrupt shadow ended (APM vol. 2, 15.21.5), the single-step #DB when RFLAGS.TF
 * (APM vol. 2, 13.1.3.6).
 *
 * What goes back to the general path (svm_skip_intercepted, which then decides as before): a
 * next RIP from the CPU (NRIPS), code that is not 64-bit, a prefix or any other bytes, 4 bytes
 * crossing the end of the page, a fetch-cache miss (a walk, which the cache then keeps) or a
 * lean page made stale by a commit (the full test notes it again). */
#ifndef SVM_STEP_H
#define SVM_STEP_H

#include "arch/x86/rflags.h"
#include "svm/exit.h"
#include "svm/emul/gva.h"

/* What moving a visible vCPU's RIP past an instruction sevisor carried out does, in one place
 * (svm_set_next_rip, svm_step_plain, the plain IN/OUT exit with next = EXITINFO2): RIP to next,
 * the STI/MOV SS interrupt shadow ended (APM vol. 2, 15.21.5), the single-step #DB when
 * RFLAGS.TF (APM vol. 2, 13.1.3.6). The caller found the state visible (vcpu_state_visible).
 * vmcb is v->vmcb, as the caller holds it. */
static inline __attribute__((always_inline)) void svm_step_visible_in(struct vcpu *v, struct vmcb *vmcb, u64 next)
{
	vmcb->save.rip = next;
	vmcb->control.int_state &= ~(u32)SVM_INT_STATE_SHADOW;
	if (vmcb->save.rflags & RFLAGS_TF)
		svm_single_step_trap(v);
}

/* vmcb is v->vmcb as the caller holds it: after the caller's stores through it (the answer
 * into RAX), the compiler could not tell that v->vmcb is unchanged and would load it again. */
static inline __attribute__((always_inline)) enum svm_outcome svm_step_plain(struct vcpu *v, struct vmcb *vmcb,
									     enum svm_insn_kind kind)
{
	struct vmcb_save *s = &vmcb->save;
	if (__builtin_expect(vmcb->control.next_rip == 0, 1)) {
		const u8 *at = svm_fetch_cache_lean(v, s, sizeof(u32));
		if (at) {
			u32 head;
			__builtin_memcpy(&head, at, sizeof(head));
			unsigned len = svm_decode_fixed_len_word(head, kind);
			if (len) {
				svm_step_visible_in(v, vmcb, s->rip + len);
				return SVM_RESUME;
			}
		}
	}
	return svm_skip_intercepted(v, kind, kind);
}

#endif
