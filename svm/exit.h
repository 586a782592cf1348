/* Exit handling contract. A handler looks at one #VMEXIT and returns one of four outcomes,
 * which the run loop applies (DESIGN.md "Exit flow", error model):
 *   SVM_RESUME      handled; the handler already advanced RIP where needed;
 *   SVM_INJECT      an event is queued in vcpu->pending (svm_queue_exception);
 *   SVM_GHCB_REPLY  the answer was written into the guest's GHCB / GHCB MSR;
 *   SVM_TERMINATE   the guest ends; vm_terminate() recorded the reason. */
#ifndef SVM_EXIT_H
#define SVM_EXIT_H

#include "svm/vcpu.h"
#include "svm/emul/decode.h"
#include "svm/exit_codes.h"
#include "lib/log.h"

enum svm_outcome {
	SVM_RESUME = 0,
	SVM_INJECT,
	SVM_GHCB_REPLY,
	SVM_TERMINATE,
};

typedef enum svm_outcome (*svm_exit_handler)(struct vcpu *v);

/* Exception vectors. */
enum {
	X86_DE = 0, X86_DB = 1, X86_NMI = 2, X86_BP = 3, X86_OF = 4, X86_BR = 5, X86_UD = 6,
	X86_NM = 7, X86_DF = 8, X86_TS = 10, X86_NP = 11, X86_SS = 12, X86_GP = 13, X86_PF = 14,
	X86_MF = 16, X86_AC = 17, X86_MC = 18, X86_XM = 19, X86_VE = 20, X86_CP = 21,
	X86_VC = 29, X86_SX = 30,
};

/* Queues an exception for the next VMRUN; returns SVM_INJECT so handlers can tail-call it.
 * Counted per vector (vcpu.inject_counts, shown in the summary) and, for the first ones of a
 * vCPU, traced at debug level like exits. */
enum svm_outcome svm_queue_exception(struct vcpu *v, u8 vector, bool has_error, u32 error_code);
/* Plain mode: the guest's XSETBV runs unintercepted, so after an exit XCR0 still holds the
 * guest's value, which the XSAVE sizes of CPUID leaf 0xD must follow (the only reader of
 * vcpu.xcr0 there). svm_guest_xcr0_refresh, called by the CPUID handler for that leaf, reads it
 * through the reader the run loop installs (an XGETBV, svm/run_hw.c) while the guest's
 * CR4.OSXSAVE says it has one; without a reader (hosted tests) vcpu.xcr0 stays as it is. */
void svm_set_guest_xcr0_reader(u64 (*read)(void));
void svm_guest_xcr0_refresh(struct vcpu *v);
/* Queues an external interrupt. */
void svm_queue_interrupt(struct vcpu *v, u8 vector);
/* Terminates the guest with a reason; returns SVM_TERMINATE. */
enum svm_outcome svm_terminate(struct vcpu *v, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* Moves the guest RIP to next after an instruction sevisor carried out (plain mode; nothing for
 * a protected vCPU): ends an interrupt shadow and raises the single-step #DB when RFLAGS.TF. */
void svm_set_next_rip(struct vcpu *v, u64 next);
/* svm_set_next_rip(RIP + len). */
void svm_skip_insn(struct vcpu *v, unsigned len);
/* Steps over the instruction an intercept stopped at (CPUID, RDMSR/WRMSR, VMMCALL, HLT, INVD...):
 * the CPU's next RIP where it gives one (NRIPS), else the decoded length, prefixes included.
 * The instruction must decode as kind (or alt); otherwise the guest ends with its bytes. */
enum svm_outcome svm_skip_intercepted(struct vcpu *v, enum svm_insn_kind kind, enum svm_insn_kind alt);
/* The single-step trap after an instruction sevisor carried out with RFLAGS.TF = 1: DR6.BS and a
 * queued #DB (APM vol. 2, 13.1.3.6). Nothing when TF is clear or the state is protected. */
void svm_single_step_trap(struct vcpu *v);

/* How many of the vCPU's exits count toward the debug trace of its first exits: all but INTR.
 * Host timer interrupts end a guest's run at points that depend on host timing; if they used
 * up the trace, which guest exits get traced would depend on it too. */
u64 svm_exit_traced(const struct vcpu *v);

/* "#GP", "#DB", "NMI"... for an exception vector, NULL for a vector with no name. */
const char *svm_exception_name(unsigned vector);
/* How many exits of a vCPU are traced at debug level: the first ones the handlers see, and
 * the first ones the soft-es model handles itself. */
#define SVM_EXIT_TRACE_FIRST 40

/* Counts an exit the soft-es model handled itself, which never reaches the exit handlers;
 * true when it is to be traced: one of the vCPU's first ones (never INTR) at debug level.
 * Inline: it runs on every exit the model handles (each #VC). */
static inline bool svm_exit_model_count(struct vcpu *v)
{
	return v->vmcb->control.exit_code != SVM_EXIT_INTR && ++v->model_exits <= SVM_EXIT_TRACE_FIRST &&
	       log_enabled(LOG_DEBUG);
}
/* The trace line of such an exit; outcome says what the model did. */
void svm_exit_model_handled(struct vcpu *v, const char *outcome);

/* Name of an exit code ("CPUID", "NPF", "VMGEXIT", ...) or NULL if unnamed. */
const char *svm_exit_name(u64 exit_code);

#endif
