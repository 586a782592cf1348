/* Fuzzing environment for the GHCB protocols: a guest with two RAM slots, protected vCPUs,
 * and fakes for the modules the protocols call (CPUID policy, MSR model, port/MMIO dispatch,
 * svm_terminate) whose answers come from the fuzz input ("oracle" bytes). vcpu.c is not linked:
 * if ghcb/ ever used a vCPU register accessor, the fuzzers would not link. */
#ifndef TESTS_FUZZ_FUZZ_ENV_H
#define TESTS_FUZZ_FUZZ_ENV_H

#include "ghcb/ghcb.h"

#define FZ_SLOT0_GPA 0x0ULL
#define FZ_SLOT0_SIZE (1024 * 1024ULL)
#define FZ_SLOT1_GPA 0x100000000ULL
#define FZ_SLOT1_SIZE (64 * 1024ULL)
#define FZ_RIP 0x0BADC0DEULL

struct fz_env {
	struct vm vm;
	struct vcpu v[2];
	struct vmcb vmcb[2];
};

extern struct fz_env fz;

/* Resets the guest (RAM zeroed), the vCPUs and the oracle. */
void fz_reset(const u8 *oracle, size_t len);
/* Next oracle byte / word (zero once the oracle is used up). */
u8 fz_byte(void);
u64 fz_u64(void);
/* Host pointer of guest RAM at gpa (must be inside a slot). */
u8 *fz_ram(u64 gpa);
/* Aborts (a finding) when an invariant of the protocols does not hold after one VMGEXIT. */
void fz_check_outcome(enum svm_outcome o);

#endif
