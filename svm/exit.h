/* Exit handling contract. A handler looks at one #VMEXIT and returns one of four outcomes,
 * which the run loop applies (DESIGN.md "Exit flow", error model):
 *   SVM_RESUME      handled; the handler already advanced RIP where needed;
 *   SVM_INJECT      an event is queued in vcpu->pending (svm_queue_exception);
 *   SVM_GHCB_REPLY  the answer was written into the guest's GHCB / GHCB MSR;
 *   SVM_TERMINATE   the guest ends; vm_terminate() recorded the reason. */
#ifndef SVM_EXIT_H
#define SVM_EXIT_H

#include "svm/vcpu.h"

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

/* Queues an exception for the next VMRUN; returns SVM_INJECT so handlers can tail-call it. */
enum svm_outcome svm_queue_exception(struct vcpu *v, u8 vector, bool has_error, u32 error_code);
/* Queues an external interrupt. */
void svm_queue_interrupt(struct vcpu *v, u8 vector);
/* Terminates the guest with a reason; returns SVM_TERMINATE. */
enum svm_outcome svm_terminate(struct vcpu *v, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* Advances the guest RIP past an emulated instruction (plain mode; no NRIPS on TCG). */
void svm_skip_insn(struct vcpu *v, unsigned len);

/* How many of the vCPU's exits count toward the debug trace of its first exits: all but INTR.
 * Host timer interrupts end a guest's run at points that depend on host timing; if they used
 * up the trace, which guest exits get traced would depend on it too. */
u64 svm_exit_traced(const struct vcpu *v);

/* Name of an exit code ("CPUID", "NPF", "VMGEXIT", ...) or NULL if unnamed. */
const char *svm_exit_name(u64 exit_code);

#endif
