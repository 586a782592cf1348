/* The exit table (exit_handlers.c) and the dispatcher (exit.c). */
#ifndef SVM_EXIT_TABLE_H
#define SVM_EXIT_TABLE_H

#include "svm/exit.h"

#define SVM_EXIT_TABLE_LOW 0x100  /* codes 0x000..0x0FF */
#define SVM_EXIT_TABLE_HIGH 4     /* codes 0x400..0x403 */

extern const svm_exit_handler svm_exit_table_low[SVM_EXIT_TABLE_LOW];
extern const svm_exit_handler svm_exit_table_high[SVM_EXIT_TABLE_HIGH];
enum svm_outcome svm_exit_invalid(struct vcpu *v);

extern const u16 svm_exit_slot_high[SVM_EXIT_TABLE_HIGH]; /* their counter slots */

/* What the dispatch reads: the two tables above with svm_exit_unhandled_row in every row that
 * has no handler, so an exit needs no NULL test; with trace (log level debug), every row is
 * svm_exit_traced_row, which traces the first exits (svm_exit_trace) before the handler, so an
 * exit needs no log-level test either. Built at run time by svm_exit_table_init, once the log
 * level is final and before the first exit (svm_run_guests; the unit tests' fixture), into
 * .bss: as static initialisers every row would be a relocation (24 bytes of .rela each). */
extern svm_exit_handler svm_exit_dispatch_low[SVM_EXIT_TABLE_LOW];
extern svm_exit_handler svm_exit_dispatch_high[SVM_EXIT_TABLE_HIGH];
void svm_exit_table_init(bool trace);

/* The handler for an exit code, or NULL when there is none (bounds-checked). */
svm_exit_handler svm_exit_lookup(u64 code);
/* svm_handle_exit's out-of-line parts: the first exits' debug trace; an exit without a handler
 * (dumps the VMCB, terminates; svm_exit_unhandled_row is its dispatch row, for the code in the
 * VMCB); a code outside both tables (VMEXIT_INVALID, an unknown code). */
void svm_exit_trace(const struct vcpu *v, u64 code) __attribute__((cold));
enum svm_outcome svm_exit_unhandled(struct vcpu *v, u64 code) __attribute__((cold));
enum svm_outcome svm_exit_unhandled_row(struct vcpu *v) __attribute__((cold));
enum svm_outcome svm_exit_traced_row(struct vcpu *v) __attribute__((cold));
enum svm_outcome svm_handle_exit_other(struct vcpu *v, u64 code) __attribute__((cold));

/* Counts the exit (vcpu.exit_counts: its own slot for 0x000-0x0FF, NPF and VMGEXIT, the shared
 * one for every other code) and runs its dispatch row: its handler; at debug level the trace of
 * the first exits, then the handler (svm_exit_traced_row); for an exit without a handler, the
 * VMCB dump and the end of the guest (svm_exit_unhandled_row). Inline, into the run
 * loop: every exit that reaches the hypervisor comes through here, and both tables are reached
 * with one bounds check each. code is the VMCB's exit code, as the caller read it. */
static inline __attribute__((always_inline)) enum svm_outcome svm_handle_exit_code(struct vcpu *v, u64 code)
{
	svm_exit_handler h;
	if (code < SVM_EXIT_TABLE_LOW) { /* the code is its counter's slot */
		v->exit_counts[code]++;
		h = svm_exit_dispatch_low[code];
	} else if (code - SVM_EXIT_NPF < SVM_EXIT_TABLE_HIGH) {
		v->exit_counts[svm_exit_slot_high[code - SVM_EXIT_NPF]]++;
		h = svm_exit_dispatch_high[code - SVM_EXIT_NPF];
	} else {
		return svm_handle_exit_other(v, code);
	}
	return h(v);
}
/* The same for the exit code in the VMCB (the run loop passes the code it has read already). */
static inline __attribute__((always_inline)) enum svm_outcome svm_handle_exit(struct vcpu *v)
{
	return svm_handle_exit_code(v, v->vmcb->control.exit_code);
}
void svm_vmcb_dump(const struct vcpu *v);

#endif
