/* struct vm: one guest. Owned by the SVM engine; other folders reach guest memory only through
 * svm/guest_mem.h and guest registers only through svm/vcpu.h accessors. */
#ifndef SVM_VM_H
#define SVM_VM_H

#include "lib/types.h"
#include "msr/msr_state.h"

enum vm_mode {
	VM_MODE_PLAIN = 0,   /* classic intercept-and-emulate */
	VM_MODE_SEV_ES = 1,  /* encrypted VMSA, PSP-launched (real hardware only) */
	VM_MODE_SOFT_ES = 2, /* state hidden behind the software SEV-ES CPU model */
};

const char *vm_mode_name(enum vm_mode mode);

/* A contiguous piece of guest RAM: [gpa, gpa + size) backed by host memory at host. */
struct ram_slot {
	u64 gpa;
	u64 size;
	u8 *host;
};

#define VM_MAX_RAM_SLOTS 4
#define VM_NAME_MAX 32
#define VM_REASON_MAX 192

/* How a guest's run ended. */
enum vm_end {
	VM_END_RUNNING = 0,
	VM_END_EXIT,       /* the guest wrote its code to isa-debug-exit */
	VM_END_TERMINATED, /* sevisor stopped it, with reason */
	VM_END_RESET,      /* the guest reset the machine (port 0xCF9, keyboard controller) */
};

struct vcpu;
struct vm_devices;

struct vm {
	char name[VM_NAME_MAX];
	enum vm_mode mode;
	struct ram_slot ram[VM_MAX_RAM_SLOTS];
	unsigned nr_ram;
	u64 npt_root_pa;
	u32 asid;
	/* C-bit position for sev-es/soft-es guests (0 = none); guest-physical addresses with it
	 * set alias the same RAM (soft-es maps both aliases). */
	u8 cbit;
	struct vcpu *vcpus;
	unsigned nr_vcpus;
	struct vm_devices *devices;
	struct msr_vm_config msr_cfg; /* per-guest MSR model options (msr/) */
	struct msr_cpuid_cache cpuid; /* msr/cpuid_policy.c */

	/* Outcome. */
	enum vm_end end;
	u32 exit_code;
	char reason[VM_REASON_MAX];
};

/* Ends the guest with a reason (first reason wins; later calls are ignored). */
void vm_terminate(struct vm *vm, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* Ends the guest because it asked for a platform reset (how: the port and value). */
void vm_reset(struct vm *vm, const char *how);
/* Ends the guest because it reported a verdict code through isa-debug-exit. */
void vm_exit_with_code(struct vm *vm, u32 code);

#endif
