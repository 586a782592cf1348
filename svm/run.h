/* Running the configured guests one after another (svm/run_hw.c). */
#ifndef SVM_RUN_H
#define SVM_RUN_H

#include "boot/boot.h"
#include "boot/status.h"

/* Runs every guest of the config in order, prints the summary, returns the finish status. */
enum sevisor_status svm_run_guests(const struct boot_info *boot);

#endif
