/* CPU instruction wrappers: CPUID, MSRs, control registers. */
#ifndef GUEST_CPU_H
#define GUEST_CPU_H

#include "types.h"

/* Control register and EFER bits (AMD APM vol. 2, 3.1). */
#define CR0_PE BIT(0)
#define CR0_PG BIT(31)
#define CR4_PAE BIT(5)
#define MSR_EFER 0xC0000080u
#define EFER_SCE BIT(0)
#define EFER_LME BIT(8)
#define EFER_LMA BIT(10)
#define EFER_NXE BIT(11)
#define EFER_SVME BIT(12)
#define EFER_LMSLE BIT(13)

#define MSR_PAT 0x277u
#define PAT_DEFAULT 0x0007040600070406ULL
#define MSR_MC0_CTL 0x400u
#define MSR_MC0_STATUS 0x401u

/* CPUID bits the tests look at. */
#define CPUID_1_ECX_HYPERVISOR BIT(31)
#define CPUID_80000001_ECX_SVM BIT(2)
#define CPUID_80000008_EBX_LMSLE_MBZ BIT(20)
#define CPUID_80000001_EDX_RDTSCP BIT(27)
#define CPUID_HV_BASE 0x40000000u

struct cpuid {
	u32 a, b, c, d;
};

static inline struct cpuid cpuid2(u32 leaf, u32 subleaf)
{
	struct cpuid r;
	asm volatile("cpuid" : "=a"(r.a), "=b"(r.b), "=c"(r.c), "=d"(r.d) : "a"(leaf), "c"(subleaf));
	return r;
}

static inline struct cpuid cpuid(u32 leaf) { return cpuid2(leaf, 0); }

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;
	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}

static inline void wrmsr(u32 msr, u64 v)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)) : "memory");
}

static inline u64 rdtscp(u32 *aux)
{
	u32 lo, hi, c;
	asm volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(c));
	*aux = c;
	return ((u64)hi << 32) | lo;
}

static inline u64 rdtsc(void)
{
	u32 lo, hi;
	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

#define DEFINE_READ_CR(n)                                                                          \
	static inline u64 read_cr##n(void)                                                         \
	{                                                                                          \
		u64 v;                                                                             \
		asm volatile("mov %%cr" #n ", %0" : "=r"(v));                                     \
		return v;                                                                          \
	}
DEFINE_READ_CR(0)
DEFINE_READ_CR(3)
DEFINE_READ_CR(4)

static inline void invlpg(u64 va) { asm volatile("invlpg (%0)" : : "r"(va) : "memory"); }
static inline void cli(void) { asm volatile("cli"); }
static inline void hlt(void) { asm volatile("hlt"); }

#endif
