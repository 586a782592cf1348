/* The exit table (exit_handlers.c) and the dispatcher (exit.c). */
#ifndef SVM_EXIT_TABLE_H
#define SVM_EXIT_TABLE_H

#include "svm/exit.h"

#define SVM_EXIT_TABLE_LOW 0x100  /* codes 0x000..0x0FF */
#define SVM_EXIT_TABLE_HIGH 4     /* codes 0x400..0x403 */

extern const svm_exit_handler svm_exit_table_low[SVM_EXIT_TABLE_LOW];
extern const svm_exit_handler svm_exit_table_high[SVM_EXIT_TABLE_HIGH];
enum svm_outcome svm_exit_invalid(struct vcpu *v);

/* The handler for an exit code, or NULL when there is none (bounds-checked). */
svm_exit_handler svm_exit_lookup(u64 code);
/* Counts the exit and runs its handler; an exit without one dumps the VMCB and terminates. */
enum svm_outcome svm_handle_exit(struct vcpu *v);
void svm_vmcb_dump(const struct vcpu *v);

#endif
