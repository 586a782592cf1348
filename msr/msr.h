/* The guest-visible MSR model: one dispatch table, one implementation of each rule, used by
 * the RDMSR/WRMSR intercepts (plain), the GHCB MSR NAE event (sev-es, soft-es) and the GHCB
 * MSR protocol. See issue "Guest MSR and CPUID model". */
#ifndef MSR_MSR_H
#define MSR_MSR_H

#include "lib/types.h"
#include "svm/vm.h"

struct vcpu;

enum msr_result {
	MSR_OK = 0,    /* done */
	MSR_GP = 1,    /* inject #GP, the guest carries on */
	MSR_ERROR = 2, /* named internal error: the caller terminates this guest (reason logged) */
};

enum msr_result msr_read(struct vcpu *v, u32 index, u64 *value);
enum msr_result msr_write(struct vcpu *v, u32 index, u64 value);

/* After MSR_ERROR: why (never NULL; "" when there was no error). */
const char *msr_error_reason(const struct vcpu *v);

/* Architectural reset of the per-vCPU MSR state (APIC base with BSP for vCPU 0, MTRRs off).
 * Call once when the vCPU is created. The VMCB's G_PAT is the VMCB builder's (MSR_PAT_DEFAULT). */
void msr_vcpu_reset(struct vcpu *v);

/* The MTRRs as firmware hands them to an OS loader: enabled, default type WB, no ranges (what
 * a BIOS or OVMF leaves for RAM). Linux 6.1 initialises PAT only when it finds the MTRRs
 * enabled, and an SEV guest's kernel needs PAT's write-protect type to encrypt memory in
 * place (arch/x86/mm/mem_encrypt_amd.c). */
void msr_mtrr_firmware_defaults(struct vcpu *v);

/* Host TSC source for RDMSR/WRMSR TSC (the EFI build registers an RDTSC wrapper, tests a fake).
 * Without one, TSC accesses are an MSR_ERROR. */
void msr_set_host_tsc(u64 (*fn)(void));

/* Where TSC_AUX writes go besides the model (the EFI build registers msr_tsc_aux_hw_load, tests
 * a fake): the CPU's own MSR, which guest RDTSCP/RDPID read. Without one, only the model has it. */
void msr_set_hw_tsc_aux(void (*fn)(u64 value));
void msr_tsc_aux_hw_load(u64 value); /* msr/tsc_aux_hw.c: WRMSR TSC_AUX */

/* EFER validity (msr/efer.c), shared with the EFER write-trap path: MSR_GP when new_efer sets
 * a reserved bit, a bit the guest's CPUID does not allow, SVME or LMSLE, or changes LME while
 * CR0.PG=1. LMA in new_efer is ignored (it is inferred). new_efer must have SVME masked by
 * the caller when it comes from a hardware trap (facts D.2). */
enum msr_result msr_efer_check(const struct vcpu *v, u64 new_efer);
/* The same rules over a caller-given state: the EFER (old_efer) and CR0 the write happens in.
 * The soft-es model applies them to the hardware state it holds in the VMCB. */
enum msr_result msr_efer_rule(const struct vcpu *v, u64 old_efer, u64 cr0, u64 new_efer);

/* MSR permission map (APM vol. 2, 15.11): 8 KiB, 2 bits per MSR (read, write), built from the
 * dispatch table: an MSR is intercepted unless the table says the hardware serves it in this
 * mode. MSRs without a rule are intercepted (and then #GP). */
#define MSR_PERMISSION_MAP_SIZE 8192
void msr_build_permission_map(u8 *msrpm, enum vm_mode mode);

/* ---- introspection of the table (tests, the VMCB dump, the GHCB paths) ---- */

enum msr_access { MSR_ACCESS_READ = 0, MSR_ACCESS_WRITE = 1 };

/* Name of the rule covering index, or NULL when the table has no rule for it. */
const char *msr_rule_name(u32 index);
/* Whether a guest access of index traps to sevisor in mode (true also for MSRs without a rule). */
bool msr_intercepted(u32 index, enum vm_mode mode, enum msr_access access);

#endif
