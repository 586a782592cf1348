/* Helpers shared by the files of ghcb/ (not part of the folder's public contract). */
#ifndef GHCB_GHCB_INTERNAL_H
#define GHCB_GHCB_INTERNAL_H

#include "ghcb/ghcb.h"

/* Highest protocol version this vCPU's guest is offered (config, clamped to 1..2). */
u16 ghcb_max_version(const struct vcpu *v);

/* A guest termination request (MSR 0x100 or NAE 0x8000FFFE): logs the reason set and code by
 * name (facts A.2) and stops the guest (facts G27). via names the path for the log. */
enum svm_outcome ghcb_guest_terminate(struct vcpu *v, const char *via, unsigned set,
				      unsigned code);

/* AP reset hold entry (facts G7). With nobody who could wake this vCPU (the VM has a single
 * vCPU) the hold could never end: the guest is terminated with that reason instead of hanging.
 * Otherwise the hold is recorded and SVM_GHCB_REPLY returned; the caller answers "still held". */
enum svm_outcome ghcb_ap_hold_enter(struct vcpu *v, enum ghcb_ap_hold how, u64 ghcb_gpa);

#endif
