/* The CPUID policy (issue 5): one table saying, per leaf, which host bits the guest sees, plus
 * a fixup for the synthetic parts (topology, hypervisor bit, SEV leaf, XSAVE sizes). Leaves not
 * in the table read as zero, which is what AMD CPUs return for unimplemented leaves.
 * Register bit names are from the AMD APM vol. 3, appendix E "CPUID". */
#include "msr/msr_rules.h"
#include "msr/cpuid_kept.h"
#include "lib/kstring.h"

enum { EAX = 0, EBX = 1, ECX = 2, EDX = 3 };

/* ---- host values, through the hook ---- */
msr_host_cpuid_fn msr_cpuid_host_fn;

void msr_cpuid_set_host(msr_host_cpuid_fn fn)
{
	msr_cpuid_host_fn = fn;
}

void msr_cpuid_forget(struct vm *vm)
{
	vm->cpuid.kept = 0;
	vm->cpuid.built = false;
}

/* Host leaf, zero beyond the host's maximum for that range (Intel would repeat its highest
 * basic leaf there; zero is the AMD behaviour and the safe one). */
static void host_cpuid(u32 leaf, u32 sub, struct cpuid_regs *out)
{
	memset(out, 0, sizeof(*out));
	if (!msr_cpuid_host_fn)
		return;
	struct cpuid_regs max;
	msr_cpuid_host_fn(leaf & 0x80000000u, 0, &max);
	if (leaf > max.eax)
		return;
	msr_cpuid_host_fn(leaf, sub, out);
}

/* ---- masks of host bits passed through ---- */

/* 1.ECX: SSE3 0, PCLMULQDQ 1, SSSE3 9, FMA 12, CX16 13, PCID 17, SSE4.1 19, SSE4.2 20,
 * MOVBE 22, POPCNT 23, AES 25, XSAVE 26, AVX 28, F16C 29, RDRAND 30. Hidden: MONITOR 3
 * (MONITOR/MWAIT intercepted), x2APIC 21 (no x2APIC model). OSXSAVE 27, TSC-deadline 24 (the
 * LAPIC model has it, svm/dev/lapic.c) and the hypervisor bit 31 are set by the fixup. */
#define L1_ECX (BIT(0) | BIT(1) | BIT(9) | BIT(12) | BIT(13) | BIT(17) | BIT(19) | BIT(20) | \
		BIT(22) | BIT(23) | BIT(25) | BIT(26) | BIT(28) | BIT(29) | BIT(30))
/* 1.EDX: FPU..APIC 0-9, SEP 11, MTRR 12, PGE 13, MCA 14, CMOV 15, PAT 16, PSE36 17, CLFSH 19,
 * MMX 23, FXSR 24, SSE 25, SSE2 26. HTT 28 is set by the fixup for more than one vCPU. */
#define L1_EDX (GENMASK(9, 0) | GENMASK(17, 11) | BIT(19) | GENMASK(26, 23))
#define L1_ECX_HYPERVISOR BIT(31)
#define L1_ECX_TSC_DEADLINE BIT(24)
#define L1_EDX_HTT BIT(28)

/* 7.0.EBX: FSGSBASE 0, BMI1 3, AVX2 5, SMEP 7, BMI2 8, ERMS 9, INVPCID 10, AVX512F 16,
 * AVX512DQ 17, RDSEED 18, ADX 19, SMAP 20, AVX512_IFMA 21, CLFLUSHOPT 23, CLWB 24,
 * AVX512CD 28, SHA 29, AVX512BW 30, AVX512VL 31. */
#define L7_EBX (BIT(0) | BIT(3) | BIT(5) | GENMASK(10, 7) | GENMASK(21, 16) | BIT(23) | \
		BIT(24) | GENMASK(31, 28))
/* 7.0.ECX: AVX512_VBMI 1, UMIP 2, PKU 3, AVX512_VBMI2 6, GFNI 8, VAES 9, VPCLMULQDQ 10,
 * AVX512_VNNI 11, AVX512_BITALG 12, AVX512_VPOPCNTDQ 14, RDPID 22. Hidden: CET_SS 7,
 * LA57 16. OSPKE 4 is set by the fixup from CR4.PKE. */
#define L7_ECX (GENMASK(3, 1) | BIT(6) | GENMASK(12, 8) | BIT(14) | BIT(22))
#define L7_ECX_OSPKE BIT(4)
/* 7.0.EDX: FSRM 4. */
#define L7_EDX BIT(4)

/* 0x80000001.ECX: LahfSahf 0, AltMovCr8 4, ABM 5, SSE4A 6, MisAlignSse 7, 3DNowPrefetch 8,
 * XOP 11, FMA4 16, TCE 17, TBM 21. Hidden: CmpLegacy 1, SVM 2 (no nested SVM), ExtApicSpace 3,
 * OSVW 9, IBS 10, SKINIT 12, WDT 13, LWP 15, TopologyExtensions 22, PerfCtrExt 23/24/28,
 * DataBreakpointExtension 26, PerfTsc 27, MwaitExtended 29. */
#define LX1_ECX (BIT(0) | GENMASK(8, 4) | BIT(11) | BIT(16) | BIT(17) | BIT(21))
/* 0x80000001.EDX: the 1.EDX duplicates (0-9, 12-17, 23, 24), SYSCALL 11, NX 20, MmxExt 22,
 * FFXSR 25, Page1GB 26, RDTSCP 27, LM 29, 3DNowExt 30, 3DNow 31. */
#define LX1_EDX (GENMASK(9, 0) | GENMASK(17, 11) | BIT(20) | GENMASK(27, 22) | GENMASK(31, 29))
/* 0x80000007.EDX: only InvariantTSC 8 (power management and RAS/SMCA in EBX are hidden). */
#define LX7_EDX BIT(8)
/* 0x80000008.EBX: CLZERO 0, RstrFpErrPtrs 2, WBNOINVD 9, IBPB 12, IBRS 14, STIBP 15,
 * IbrsAlwaysOn 16, StibpAlwaysOn 17, IbrsPreferred 18, IbrsSameMode 19, SSBD 24, SsbNo 26,
 * PSFD 28, BTC_NO 29, IBPB_RET 30. Hidden: IRPERF 1 (HWCR.IRPERF_EN not offered), INVLPGB 3,
 * RDPRU 4, MCOMMIT 8, VIRT_SSBD 25, CPPC 27. */
#define LX8_EBX (BIT(0) | BIT(2) | BIT(9) | BIT(12) | GENMASK(19, 14) | BIT(24) | BIT(26) | \
		 GENMASK(30, 28))
/* 0x80000008.EBX[20] EferLmsleUnsupported: LMSLE must be zero (facts E.3, G13). */
#define LX8_EBX_LMSLE_MBZ BIT(20)

/* ---- XSAVE (APM vol. 2, 11.5; leaf 0xD) ---- */
#define XFEATURE_X87 BIT(0)
#define XFEATURE_SSE BIT(1)
#define XFEATURE_AVX BIT(2)
#define XFEATURE_OPMASK BIT(5)
#define XFEATURE_ZMM_HI256 BIT(6)
#define XFEATURE_HI16_ZMM BIT(7)
#define XFEATURE_PKRU BIT(9)
#define XCR0_OFFERED (XFEATURE_X87 | XFEATURE_SSE | XFEATURE_AVX | XFEATURE_OPMASK | \
		      XFEATURE_ZMM_HI256 | XFEATURE_HI16_ZMM | XFEATURE_PKRU)
/* Legacy region (512) + XSAVE header (64). */
#define XSAVE_BASE_SIZE 576u
/* 0xD.1.EAX: XSAVEOPT 0, XSAVEC 1, XGETBV ECX=1 2, XSAVES 3. */
#define LD1_EAX GENMASK(3, 0)
/* Supervisor states offered through XSS: none (CET, PASID, ... are not offered). */
#define XSS_OFFERED 0ULL

u64 msr_cpuid_xcr0_allowed(void)
{
	struct cpuid_regs r;
	host_cpuid(1, 0, &r);
	if (!(r.ecx & BIT(26)))
		return 0;
	host_cpuid(0xD, 0, &r);
	return (r.eax | ((u64)r.edx << 32)) & XCR0_OFFERED;
}

/* ---- fixups: the per-guest parts (the per-vCPU ones are added on lookup) ---- */
static unsigned nr_vcpus(const struct vm *vm)
{
	return vm->nr_vcpus ? vm->nr_vcpus : 1;
}

static void fix_leaf0(const struct vm *vm, struct cpuid_regs *r)
{
	(void)vm;
	r->eax = MSR_CPUID_GUEST_MAX_BASIC;
}

/* Leaf 1: EBX[23:16] logical processors = vCPU count (EBX[31:24], the APIC ID, is the vCPU's:
 * msr_cpuid_leaf1_vcpu); hypervisor present; TSC-deadline timer present; HTT for more than one vCPU. */
static void fix_leaf1(const struct vm *vm, struct cpuid_regs *r)
{
	unsigned n = nr_vcpus(vm);
	r->ebx = (r->ebx & 0xFFFFu) | ((n & 0xFFu) << 16);
	r->ecx |= L1_ECX_HYPERVISOR | L1_ECX_TSC_DEADLINE;
	if (n > 1)
		r->edx |= L1_EDX_HTT;
}

/* Leaf 7 subleaf 0: EAX = 0, no further subleaves (leaf7_vcpu answers the others). */
static void fix_leaf7(const struct vm *vm, struct cpuid_regs *r)
{
	(void)vm;
	r->eax = 0;
}

/* 0x40000000: max hypervisor leaf and the signature "sevisor" padded with NULs to 12 bytes,
 * in EBX, ECX, EDX (the layout KVM, Xen and Hyper-V use). */
static void fix_hv(const struct vm *vm, struct cpuid_regs *r)
{
	static const char sig[12] = "sevisor";
	(void)vm;
	r->eax = MSR_CPUID_HV_MAX_LEAF;
	memcpy(&r->ebx, sig, 4);
	memcpy(&r->ecx, sig + 4, 4);
	memcpy(&r->edx, sig + 8, 4);
}

static void fix_ext0(const struct vm *vm, struct cpuid_regs *r)
{
	(void)vm;
	r->eax = MSR_CPUID_GUEST_MAX_EXT;
}

/* 0x80000008: LMSLE must be zero; ECX = NC (cores - 1) [7:0] and ApicIdSize [15:12] for the
 * guest's vCPU count (APM vol. 3, E.4.7); no INVLPGB/RDPRU counts in EDX. */
static void fix_ext8(const struct vm *vm, struct cpuid_regs *r)
{
	unsigned n = nr_vcpus(vm);
	unsigned id_bits = 0;
	while ((1u << id_bits) < n)
		id_bits++;
	r->ebx |= LX8_EBX_LMSLE_MBZ;
	r->ecx = ((n - 1) & 0xFFu) | ((id_bits & 0xFu) << 12);
	r->edx = 0;
}

/* 0x8000001F (APM vol. 3, E.4.17): plain guests see no SEV; sev-es and soft-es guests see
 * SEV (EAX[1]) and SEV-ES (EAX[3]), the C-bit position EBX[5:0] and the physical-address
 * reduction EBX[11:6]: the host's for sev-es, 1 for soft-es (its C-bit is the top bit of the
 * emulated width). ECX/EDX (ASID counts) are host information: 0. */
#define SEV_EAX_SEV BIT(1)
#define SEV_EAX_SEV_ES BIT(3)
static void fix_sev(const struct vm *vm, struct cpuid_regs *r)
{
	u32 reduction = (r->ebx >> 6) & 0x3Fu;
	*r = (struct cpuid_regs){ 0 };
	if (vm->mode == VM_MODE_PLAIN)
		return;
	if (vm->mode == VM_MODE_SOFT_ES)
		reduction = 1;
	r->eax = SEV_EAX_SEV | SEV_EAX_SEV_ES;
	r->ebx = (vm->cbit & 0x3Fu) | (reduction << 6);
}

/* ---- the table ---- */
struct cpuid_rule {
	u32 leaf;
	u32 keep[4]; /* host bits passed through: EAX, EBX, ECX, EDX */
	void (*fixup)(const struct vm *vm, struct cpuid_regs *r);
	bool synthetic; /* no host values at all */
};

#define ALL 0xFFFFFFFFu
static const struct cpuid_rule cpuid_table[] = {
	{ 0x00000000, { 0, ALL, ALL, ALL }, fix_leaf0, false },          /* vendor */
	{ 0x00000001, { ALL, 0xFFFF, L1_ECX, L1_EDX }, fix_leaf1, false },
	{ 0x00000007, { 0, L7_EBX, L7_ECX, L7_EDX }, fix_leaf7, false },
	{ 0x0000000D, { 0, 0, 0, 0 }, NULL, true },                       /* XSAVE: leafd */
	{ MSR_CPUID_HV_LEAF, { 0, 0, 0, 0 }, fix_hv, true },
	{ 0x80000000, { 0, ALL, ALL, ALL }, fix_ext0, false },
	{ 0x80000001, { ALL, ALL, LX1_ECX, LX1_EDX }, NULL, false },
	{ 0x80000002, { ALL, ALL, ALL, ALL }, NULL, false },              /* brand string */
	{ 0x80000003, { ALL, ALL, ALL, ALL }, NULL, false },
	{ 0x80000004, { ALL, ALL, ALL, ALL }, NULL, false },
	{ 0x80000005, { ALL, ALL, ALL, ALL }, NULL, false },              /* L1 caches, TLBs */
	{ 0x80000006, { ALL, ALL, ALL, ALL }, NULL, false },              /* L2/L3 */
	{ 0x80000007, { 0, 0, 0, LX7_EDX }, NULL, false },
	{ 0x80000008, { 0xFFFF, LX8_EBX, 0, 0 }, fix_ext8, false },      /* address sizes */
	{ 0x8000000A, { 0, 0, 0, 0 }, NULL, true },                       /* SVM: hidden */
	{ 0x80000019, { ALL, ALL, ALL, ALL }, NULL, false },              /* 1 GiB TLBs */
	{ 0x8000001A, { ALL, ALL, ALL, ALL }, NULL, false },              /* perf hints */
	{ 0x8000001F, { 0, ALL, 0, 0 }, fix_sev, false },
};

static const struct cpuid_rule *cpuid_rule_find(u32 leaf)
{
	for (size_t i = 0; i < ARRAY_SIZE(cpuid_table); i++)
		if (cpuid_table[i].leaf == leaf)
			return &cpuid_table[i];
	return NULL;
}

static void host_masked(const struct cpuid_rule *rule, u32 subleaf, struct cpuid_regs *out)
{
	struct cpuid_regs h;
	host_cpuid(rule->leaf, subleaf, &h);
	out->eax = h.eax & rule->keep[EAX];
	out->ebx = h.ebx & rule->keep[EBX];
	out->ecx = h.ecx & rule->keep[ECX];
	out->edx = h.edx & rule->keep[EDX];
}

/* ---- the per-guest answers (struct msr_cpuid_cache) ---- */

/* Standard (non-compacted) format: the end of the highest enabled component. features holds
 * offered components only (bits below MSR_CPUID_XSAVE_COMPONENTS). */
static u32 xsave_size_standard(const struct msr_cpuid_cache *c, u64 features)
{
	u32 size = XSAVE_BASE_SIZE;
	for (unsigned i = 2; i < MSR_CPUID_XSAVE_COMPONENTS; i++)
		if (features & BIT(i))
			size = MAX(size, c->xsave[i].ebx + c->xsave[i].eax);
	return size;
}

/* Compacted format (XSAVEC/XSAVES): components packed in order, 64-byte aligned when
 * 0xD.i.ECX[1] says so. */
static u32 xsave_size_compacted(const struct msr_cpuid_cache *c, u64 features)
{
	u32 size = XSAVE_BASE_SIZE;
	for (unsigned i = 2; i < MSR_CPUID_XSAVE_COMPONENTS; i++) {
		if (!(features & BIT(i)))
			continue;
		if (c->xsave[i].ecx & BIT(1))
			size = (u32)ALIGN_UP(size, 64);
		size += c->xsave[i].eax;
	}
	return size;
}

_Static_assert(XCR0_OFFERED < BIT(MSR_CPUID_XSAVE_COMPONENTS), "offered XSAVE components fit the cache");
_Static_assert(MSR_CPUID_GUEST_MAX_BASIC + 1 == MSR_CPUID_BASIC_LEAVES, "basic leaves in the cache");
_Static_assert(MSR_CPUID_GUEST_MAX_EXT - 0x80000000u + 1 == MSR_CPUID_EXT_LEAVES, "extended leaves in the cache");

static u32 slot_leaf(unsigned slot)
{
	if (slot < MSR_CPUID_SLOT_EXT)
		return slot;
	return slot < MSR_CPUID_SLOT_HV ? 0x80000000u + (slot - MSR_CPUID_SLOT_EXT) : MSR_CPUID_HV_LEAF;
}

/* The answer to (leaf, subleaf 0) for the guest, without the per-vCPU bits. */
static void policy_answer(const struct vm *vm, u32 leaf, struct cpuid_regs *out)
{
	const struct cpuid_rule *rule = cpuid_rule_find(leaf);
	*out = (struct cpuid_regs){ 0 };
	if (!rule)
		return;
	if (!rule->synthetic)
		host_masked(rule, 0, out);
	if (rule->fixup)
		rule->fixup(vm, out);
}

static __attribute__((noinline)) void cache_build(struct msr_cpuid_cache *c, const struct vm *vm)
{
	for (unsigned i = 0; i < MSR_CPUID_ANSWERS; i++) {
		struct cpuid_regs r;
		policy_answer(vm, slot_leaf(i), &r);
		c->answer[i] = (struct msr_cpuid_answer){ r.eax, r.ebx, r.ecx, r.edx };
	}
	c->xcr0_allowed = msr_cpuid_xcr0_allowed();
	struct cpuid_regs h;
	host_cpuid(0xD, 1, &h);
	c->xsave_d1_eax = h.eax & LD1_EAX;
	for (unsigned i = 0; i < MSR_CPUID_XSAVE_COMPONENTS; i++) {
		c->xsave[i] = (struct cpuid_regs){ 0 };
		if (i >= 2 && (c->xcr0_allowed & BIT(i)))
			host_cpuid(0xD, i, &c->xsave[i]);
	}
	static u64 builds; /* every build's number differs, across guests too */
	c->build = ++builds;
	c->built_for = msr_cpuid_host_fn;
	c->built = true;
	c->kept = MSR_CPUID_KEPT_SLOTS;
}

/* ---- the per-vCPU and per-call parts ---- */

/* Leaf 7: only subleaf 0 (EAX = 0: no further subleaves); OSPKE mirrors CR4.PKE. */
static void leaf7_vcpu(const struct vcpu *v, u32 sub, struct cpuid_regs *r)
{
	if (sub != 0) {
		*r = (struct cpuid_regs){ 0 };
		return;
	}
	if ((r->ecx & BIT(3)) && (v->cr.cr4 & CR4_PKE))
		r->ecx |= L7_ECX_OSPKE;
}

/* Leaf 0xD, sizes consistent with the guest's XCR0/XSS (APM vol. 3, E.3.9). */
static void leafd(const struct msr_cpuid_cache *c, u32 sub, u64 guest_xcr0, u64 guest_xss,
		  struct cpuid_regs *r)
{
	u64 allowed = c->xcr0_allowed;
	*r = (struct cpuid_regs){ 0 };
	if (!allowed)
		return;
	u64 xcr0 = guest_xcr0 & allowed;
	switch (sub) {
	case 0:
		r->eax = (u32)allowed;
		r->edx = (u32)(allowed >> 32);
		r->ebx = xsave_size_standard(c, xcr0);
		r->ecx = xsave_size_standard(c, allowed);
		break;
	case 1:
		r->eax = c->xsave_d1_eax;
		if (r->eax & (BIT(1) | BIT(3)))
			r->ebx = xsave_size_compacted(c, xcr0 | (guest_xss & XSS_OFFERED));
		r->ecx = (u32)XSS_OFFERED;
		r->edx = (u32)(XSS_OFFERED >> 32);
		break;
	default:
		if (sub < MSR_CPUID_XSAVE_COMPONENTS && (allowed & BIT(sub))) {
			r->eax = c->xsave[sub].eax;
			r->ebx = c->xsave[sub].ebx;
			r->ecx = c->xsave[sub].ecx & BIT(1); /* bit 0 = supervisor: none offered */
		}
		break;
	}
}

__attribute__((noinline)) void msr_cpuid_leaf1_refresh(struct vcpu *v)
{
	struct msr_cpuid_answer a = v->vm->cpuid.answer[msr_cpuid_slot(1)];
	msr_cpuid_leaf1_vcpu(v, &a);
	v->msr.leaf1 = a;
	v->msr.leaf1_build = v->vm->cpuid.build;
}

/* A kept answer with leaf 1's per-vCPU bits, as 32-bit values. */
static inline __attribute__((always_inline)) void answer_kept(const struct vcpu *v, u32 leaf, const struct msr_cpuid_answer *kept, struct cpuid_regs *out)
{
	struct msr_cpuid_answer a = *kept;
	if (leaf == 1)
		msr_cpuid_leaf1_vcpu(v, &a);
	*out = (struct cpuid_regs){ (u32)a.rax, (u32)a.rbx, (u32)a.rcx, (u32)a.rdx };
}

/* msr_cpuid_const when the answers must be (re)built, or the leaf is one whose answer
 * depends on the call (7: subleaves; 0xD: XCR0/XSS), or none at all. */
static __attribute__((noinline)) void answer_general(const struct vcpu *v, u32 leaf, u32 subleaf, u64 xcr0,
						     u64 xss, struct cpuid_regs *out)
{
	struct msr_cpuid_cache *c = &v->vm->cpuid;
	if (!c->built || !msr_cpuid_built_for_host(c))
		cache_build(c, v->vm);
	unsigned slot = msr_cpuid_slot(leaf);
	if (slot >= MSR_CPUID_ANSWERS) {
		*out = (struct cpuid_regs){ 0 };
		return;
	}
	if ((c->kept >> slot) & 1) {
		answer_kept(v, leaf, &c->answer[slot], out);
		return;
	}
	const struct msr_cpuid_answer *a = &c->answer[slot];
	*out = (struct cpuid_regs){ (u32)a->rax, (u32)a->rbx, (u32)a->rcx, (u32)a->rdx };
	if (leaf == 7)
		leaf7_vcpu(v, subleaf, out);
	else if (leaf == MSR_CPUID_XSAVE_LEAF)
		leafd(c, subleaf, xcr0, xss, out);
}

/* The guest's answer: the kept one where it holds (msr_cpuid_kept, cpuid_kept.h), else
 * answer_general. */
void msr_cpuid_const(const struct vcpu *v, u32 leaf, u32 subleaf, u64 xcr0, u64 xss,
		     struct cpuid_regs *out)
{
	const struct msr_cpuid_answer *kept = msr_cpuid_kept(v, leaf);
	if (kept)
		answer_kept(v, leaf, kept, out);
	else
		answer_general(v, leaf, subleaf, xcr0, xss, out);
}

void msr_cpuid(struct vcpu *v, u32 leaf, u32 subleaf, u64 xcr0, u64 xss, struct cpuid_regs *out)
{
	msr_cpuid_const(v, leaf, subleaf, xcr0, xss, out);
}

bool msr_cpuid_has(const struct vcpu *v, u32 leaf, u32 subleaf, unsigned reg, unsigned bit)
{
	struct cpuid_regs r;
	msr_cpuid_const(v, leaf, subleaf, XFEATURE_X87, 0, &r);
	u32 regs[4] = { r.eax, r.ebx, r.ecx, r.edx };
	return reg < 4 && bit < 32 && (regs[reg] & (1u << bit));
}

unsigned msr_cpuid_phys_bits(const struct vcpu *v)
{
	struct cpuid_regs r;
	msr_cpuid_const(v, 0x80000008, 0, XFEATURE_X87, 0, &r);
	return r.eax & 0xFFu;
}

unsigned msr_cpuid_virt_bits(const struct vcpu *v)
{
	struct cpuid_regs r;
	msr_cpuid_const(v, 0x80000008, 0, XFEATURE_X87, 0, &r);
	return (r.eax >> 8) & 0xFFu;
}

/* CR4 bits and the CPUID feature each needs (APM vol. 2, 3.1.3). PCE needs none. */
struct cr4_gate {
	u64 cr4;
	u32 leaf;
	u8 reg, bit;
};

static const struct cr4_gate cr4_gates[] = {
	{ CR4_VME, 1, EDX, 1 },      { CR4_PVI, 1, EDX, 1 },       { CR4_TSD, 1, EDX, 4 },
	{ CR4_DE, 1, EDX, 2 },       { CR4_PSE, 1, EDX, 3 },       { CR4_PAE, 1, EDX, 6 },
	{ CR4_MCE, 1, EDX, 7 },      { CR4_PGE, 1, EDX, 13 },      { CR4_OSFXSR, 1, EDX, 24 },
	{ CR4_OSXMMEXCPT, 1, EDX, 25 }, { CR4_UMIP, 7, ECX, 2 },   { CR4_LA57, 7, ECX, 16 },
	{ CR4_FSGSBASE, 7, EBX, 0 }, { CR4_PCIDE, 1, ECX, 17 },    { CR4_OSXSAVE, 1, ECX, 26 },
	{ CR4_SMEP, 7, EBX, 7 },     { CR4_SMAP, 7, EBX, 20 },     { CR4_PKE, 7, ECX, 3 },
	{ CR4_CET, 7, ECX, 7 },
};

u64 msr_cpuid_cr4_allowed(const struct vcpu *v)
{
	u64 allowed = CR4_PCE;
	for (size_t i = 0; i < ARRAY_SIZE(cr4_gates); i++)
		if (msr_cpuid_has(v, cr4_gates[i].leaf, 0, cr4_gates[i].reg, cr4_gates[i].bit))
			allowed |= cr4_gates[i].cr4;
	return allowed;
}
