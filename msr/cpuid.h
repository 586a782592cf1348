/* The CPUID policy: what a guest sees for each leaf, per mode. One implementation used by the
 * CPUID intercept, the GHCB CPUID NAE event and the GHCB MSR-protocol CPUID request. */
#ifndef MSR_CPUID_H
#define MSR_CPUID_H

#include "lib/types.h"

struct vcpu;
struct vm;

struct cpuid_regs {
	u32 eax, ebx, ecx, edx;
};

/* xcr0/xss: the guest's values (from the GHCB for protected guests), used for leaf 0xD. */
void msr_cpuid(struct vcpu *v, u32 leaf, u32 subleaf, u64 xcr0, u64 xss, struct cpuid_regs *out);
/* The same, for callers holding a const vCPU (EFER and CR4 rules). */
void msr_cpuid_const(const struct vcpu *v, u32 leaf, u32 subleaf, u64 xcr0, u64 xss,
		     struct cpuid_regs *out);

/* Where host CPUID values come from. The pure code never executes CPUID: the EFI build
 * registers a wrapper around the instruction (arch/x86), unit tests a fixed table. Without a
 * hook every host leaf reads as zero (the guest then sees only the synthetic leaves). */
typedef void (*msr_host_cpuid_fn)(u32 leaf, u32 subleaf, struct cpuid_regs *out);
void msr_cpuid_set_host(msr_host_cpuid_fn fn);

/* The answers are built once per guest, at its first CPUID query, from the host hook and the
 * guest's vCPU count, mode and C-bit (vm->nr_vcpus, vm->mode, vm->cbit), and kept. A change of
 * one of those three after a first query must be followed by this call, which drops the kept
 * answers: the lookup on every CPUID exit does not compare them (msr/cpuid_kept.h). */
void msr_cpuid_forget(struct vm *vm);

/* The XSAVE leaf, the one whose answer depends on the guest's XCR0/XSS. */
#define MSR_CPUID_XSAVE_LEAF 0xDu

/* Hypervisor leaves (0x40000000): "sevisor" padded with NULs in EBX, ECX, EDX. */
#define MSR_CPUID_HV_LEAF 0x40000000u
#define MSR_CPUID_HV_MAX_LEAF 0x40000000u

/* The CR4 bits the guest's CPUID allows (the CR4 #GP rule of svm/cr_shadow.c uses it). */
u64 msr_cpuid_cr4_allowed(const struct vcpu *v);

/* The XCR0 bits offered to the guest (leaf 0xD.0 EDX:EAX). */
u64 msr_cpuid_xcr0_allowed(void);

/* Guest physical / linear address widths (leaf 0x80000008 EAX[7:0], [15:8]). */
unsigned msr_cpuid_phys_bits(const struct vcpu *v);
unsigned msr_cpuid_virt_bits(const struct vcpu *v);

/* One guest CPUID feature bit: reg 0..3 = EAX..EDX. */
bool msr_cpuid_has(const struct vcpu *v, u32 leaf, u32 subleaf, unsigned reg, unsigned bit);

#endif
