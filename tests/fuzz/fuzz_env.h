/* Fuzzing environment: a guest with two RAM slots and its devices, two vCPUs with their MSR
 * state, and the oracle (the fuzz input, read byte by byte).
 *
 * The targets link the real modules (the whole hosted build: CPUID policy, MSR model, device
 * dispatch, GHCB protocols, emulator, loaders, config parser). Only what is the hardware's is
 * faked: the host CPUID instruction (the EPYC table of the unit tests) and the host TSC. */
#ifndef TESTS_FUZZ_FUZZ_ENV_H
#define TESTS_FUZZ_FUZZ_ENV_H

#include "ghcb/ghcb.h"
#include "svm/exit.h"

#define FZ_SLOT0_GPA 0x0ULL
#define FZ_SLOT0_SIZE (2 * 1024 * 1024ULL)
#define FZ_SLOT1_GPA 0x100000000ULL
#define FZ_SLOT1_SIZE (64 * 1024ULL)
#define FZ_RIP 0x0BADC0DEULL

struct fz_env {
	struct vm vm;
	struct vcpu v[2];
	struct vmcb vmcb[2];
};

extern struct fz_env fz;

/* Resets the guest (RAM zeroed, devices, MSR state), the vCPUs and the oracle. mode is the
 * guest's mode: protected vCPUs for soft-es. */
void fz_reset(const u8 *oracle, size_t len, enum vm_mode mode);
/* Next oracle byte / word (zero once the oracle is used up); how much is left. */
u8 fz_byte(void);
u64 fz_u64(void);
size_t fz_left(void);
/* Host pointer of guest RAM at gpa (must be inside a slot). */
u8 *fz_ram(u64 gpa);
/* Aborts (a finding) when the outcome of one exit breaks the error model (DESIGN.md): an
 * outcome outside the four, TERMINATE without the guest ended or the other way round, or a
 * termination without a reason. */
void fz_check_outcome(enum svm_outcome o);
/* Aborts when a vCPU's RIP is not FZ_RIP any more: for protected guests, whose RIP the
 * hypervisor never moves (the GHCB targets start both vCPUs there). */
void fz_check_protected_rip(void);

#endif
