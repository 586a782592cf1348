/* soft-es: a software SEV-ES CPU model between the real SVM CPU and the hypervisor proper
 * (DESIGN.md "Guests, vCPUs and the three modes").
 *
 * On SEV-ES hardware the CPU itself turns intercepted instructions into #VC inside the guest,
 * recognises VMGEXIT, performs CR/EFER writes and reports them as write traps, and serves the
 * GHCB MSR. QEMU TCG and nested KVM have no SEV-ES, so this model plays that hardware: after
 * each #VMEXIT of a soft-es vCPU, before sevisor sees it, the exit is classified
 * (ghcb-sev-facts.md C.2 "automatic vs non-automatic exits") and either
 *   - reflected into the guest as #VC (vector 29, error code = exit code, RIP not advanced),
 *   - carried out by the model (CR0/CR4/CR8 and EFER writes, the GHCB MSR), or
 *   - handed on to the hypervisor: unchanged (automatic exits), as VMGEXIT 0x403 (rep vmmcall),
 *     or as a write trap 0x8F / 0x90+n with the new value in EXITINFO1.
 *
 * This is the only code that may look at a protected vCPU's VMCB save area and registers
 * (vcpu_raw_*): it is the CPU. It is pure C so that every class is unit-tested. */
#ifndef SEV_SOFT_ES_H
#define SEV_SOFT_ES_H

#include "svm/vcpu.h"
#include "lib/counts.h"
#include "svm/exit_codes.h"
#include "arch/x86/rflags.h"

/* What the run loop does after svm_soft_es_after_exit(). */
enum soft_es_action {
	SOFT_ES_RESUME = 0,   /* the model handled the exit (or queued a #VC): VMRUN again */
	SOFT_ES_HANDOFF = 1,  /* the hypervisor handles control.exit_code (possibly rewritten) */
	SOFT_ES_TERMINATE = 2 /* the model could not go on; vm_terminate() recorded why */
};

/* The C-bit position soft-es uses for a guest whose physical-address width (CPUID 0x80000008
 * EAX[7:0]) is phys_bits: the top bit of that width, which is why msr/cpuid_policy.c reports a
 * physical-address reduction of 1 in 0x8000001F EBX[11:6]. Kept inside [32, 47]: the guest
 * runtime keeps the C-bit in the high dword of a PTE, and NPT maps 48-bit GPAs only. Returns 0
 * when no position fits (phys_bits < 33). */
unsigned svm_soft_es_pick_cbit(unsigned phys_bits);

/* Set-up of a soft-es vCPU, after svm_vmcb_init, the entry state, cr_shadow_reset,
 * msr_vcpu_reset and ghcb_vcpu_reset: the intercepts sevisor programs for a real SEV-ES guest
 * (svm_intercepts_for), with the CR write traps turned into the CR write intercepts the model
 * needs to synthesise them, the GHCB MSR preloaded with SEV_INFO (facts A.0, C.3), and
 * v->state_protected = true. vm->cbit must be set before (SEV_INFO carries it). */
void svm_soft_es_vcpu_setup(struct vcpu *v);

/* The first VMRUN of a launched soft-es vCPU: its state comes from the VMSA page (v->vmsa),
 * as on hardware (sev/soft_es_vmsa.c). */
void svm_soft_es_enter_from_vmsa(struct vcpu *v);

/* int_state with GUEST_IF (bit 1) set to RFLAGS.IF (bit 9) of rflags: on every #VMEXIT of an
 * SEV-ES guest the CPU reports the guest's IF there, since the hypervisor cannot read RFLAGS
 * (APM 15.35; facts G28). A shift, no branch. */
#define SOFT_ES_IF_SHIFT 8
_Static_assert((RFLAGS_IF >> SOFT_ES_IF_SHIFT) == SVM_INT_STATE_GUEST_IF, "RFLAGS.IF shifts onto GUEST_IF");
static inline u32 soft_es_int_state_if(u32 int_state, u64 rflags)
{
	return (int_state & ~(u32)SVM_INT_STATE_GUEST_IF) | ((u32)(rflags >> SOFT_ES_IF_SHIFT) & SVM_INT_STATE_GUEST_IF);
}

/* Classifies and, where the model owns it, carries out the exit in v->vmcb->control. */
enum soft_es_action svm_soft_es_after_exit(struct vcpu *v);

const char *soft_es_action_name(enum soft_es_action a);

/* Class (a), the non-automatic exits: the exit in v->vmcb->control raised in the guest as #VC
 * (sev/soft_es_vc.c). Used by the classification in sev/soft_es.c. A long-mode #VC whose
 * gate, descriptor, TSS word and stack page are where the last delivery left them, with the
 * guest's page tables, CR0/CR3/CR4/EFER, IDTR and GDTR unchanged, is delivered the kept way
 * (soft_es_deliver_kept: no walk, no call; what it covers and why it equals the general way is
 * written there); anything else, or debug logging on, or an event pending, goes the general
 * way. */
enum soft_es_action soft_es_reflect_vc(struct vcpu *v);

/* ---- #VC exceptions the model raised, counted by exit code (v->vc_counts) -------------------
 * One slot per exit code the model can reflect (sev/soft_es_vc_counts.c), the last slot for
 * any other; shown per guest in the summary as "CPUID=9 IOIO=2 NPF=4" (svm_exit_name). */
extern const u32 soft_es_vc_codes[]; /* the slots' exit codes in order, VCPU_VC_SLOTS - 1 */
#define SOFT_ES_VC_INDEX_LOW 0x100 /* exit codes 0x000..0x0FF index the table directly */
/* The slot of each exit code 0x000..0x0FF (VCPU_VC_SLOTS - 1 for one the model never
 * reflects), and at SOFT_ES_VC_INDEX_LOW the slot of SVM_EXIT_NPF, the one code above. */
extern const u8 soft_es_vc_index[SOFT_ES_VC_INDEX_LOW + 1];

/* The slot of exit_code: one load from the index table instead of a search, as it runs on
 * every #VC. */
static inline unsigned soft_es_vc_slot(u64 exit_code)
{
	if (__builtin_expect(exit_code < SOFT_ES_VC_INDEX_LOW, 1))
		return soft_es_vc_index[exit_code];
	return exit_code == SVM_EXIT_NPF ? soft_es_vc_index[SOFT_ES_VC_INDEX_LOW] : VCPU_VC_SLOTS - 1;
}

/* Inline: it runs on every #VC. */
static inline void soft_es_vc_count(struct vcpu *v, u64 exit_code)
{
	counts_add(&v->vc_counts[soft_es_vc_slot(exit_code)]);
}

const char *soft_es_vc_name(unsigned slot);
/* The non-zero counts, "NAME=N" in slot order; "" when none. Returns the length (cut at
 * size - 1). */
size_t soft_es_vc_format(const struct vcpu *v, char *buf, size_t size);

#endif
