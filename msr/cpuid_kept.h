/* The CPUID answers kept per guest (struct msr_cpuid_cache, built by msr/cpuid_policy.c),
 * looked up inline: the CPUID exit handler runs this on every CPUID, so a constant leaf costs
 * the kept bit, the host-hook compare, one index and a copy (leaf 1 also its per-vCPU bits),
 * without a call. The answers' guest inputs are not compared: their changes drop the answers
 * (msr_cpuid_forget). */
#ifndef MSR_CPUID_KEPT_H
#define MSR_CPUID_KEPT_H

#include "svm/vcpu.h"
#include "msr/cpuid.h"

/* Highest leaves offered. Basic leaves stop at 0xD (XSAVE); extended ones at 0x8000001F (SEV),
 * for every mode, so 0x8000001F exists even where the host (QEMU TCG) stops earlier. */
#define MSR_CPUID_GUEST_MAX_BASIC 0x0000000Du
#define MSR_CPUID_GUEST_MAX_EXT 0x8000001Fu

/* The host hook (msr_cpuid_set_host), which the kept answers were built from. */
extern msr_host_cpuid_fn msr_cpuid_host_fn __attribute__((visibility("hidden")));

/* The answer slot of a leaf: basic leaves, then extended ones, then the hypervisor leaf;
 * MSR_CPUID_ANSWERS for a leaf outside all three (it reads as zero). */
#define MSR_CPUID_SLOT_EXT MSR_CPUID_BASIC_LEAVES
#define MSR_CPUID_SLOT_HV (MSR_CPUID_BASIC_LEAVES + MSR_CPUID_EXT_LEAVES)
static inline unsigned msr_cpuid_slot(u32 leaf)
{
	if (leaf <= MSR_CPUID_GUEST_MAX_BASIC)
		return leaf;
	if (leaf - 0x80000000u <= MSR_CPUID_GUEST_MAX_EXT - 0x80000000u)
		return MSR_CPUID_SLOT_EXT + (leaf - 0x80000000u);
	return leaf == MSR_CPUID_HV_LEAF ? MSR_CPUID_SLOT_HV : MSR_CPUID_ANSWERS;
}

/* Whether the answers were built for the host hook of now. The other inputs - the guest's vCPU
 * count, mode and C-bit - are not compared here: whoever changes one of them after a first
 * query (the soft-es C-bit picked after the physical-address width was asked, a unit test's new
 * vCPU count) calls msr_cpuid_forget, which drops the answers (kept 0, built false), so the
 * next query rebuilds. The host hook is global and reaches no guest: it stays compared, one
 * compare. */
static inline bool msr_cpuid_built_for_host(const struct msr_cpuid_cache *c)
{
	return c->built_for == msr_cpuid_host_fn;
}

/* Leaf 1's per-vCPU bits: EBX[31:24] initial APIC ID = vCPU id; the APIC bit (EDX[9]) is
 * cleared while the APIC is globally disabled (SDM 11.4.3); OSXSAVE (ECX[27]) mirrors
 * CR4.OSXSAVE when XSAVE (ECX[26]) is offered (APM vol. 3, E.3.2). */
static inline void msr_cpuid_leaf1_vcpu(const struct vcpu *v, struct msr_cpuid_answer *r)
{
	r->rbx |= (u64)(v->id & 0xFFu) << 24;
	if (!(v->msr.apic_base & MSR_APIC_BASE_EN))
		r->rdx &= ~BIT(9);
	if ((r->rcx & BIT(26)) && (v->cr.cr4 & CR4_OSXSAVE))
		r->rcx |= BIT(27);
}

/* Leaf 1's answer for v (struct msr_state.leaf1) made again from the guest's kept one (the
 * caller found it kept: msr_cpuid_kept). */
void msr_cpuid_leaf1_refresh(struct vcpu *v);

/* Drops v's leaf-1 answer: an input of its per-vCPU bits (IA32_APIC_BASE, CR4) may change. */
static inline void msr_cpuid_leaf1_drop(struct vcpu *v)
{
	v->msr.leaf1_build = 0;
}

/* Whether v's leaf-1 answer (struct msr_state.leaf1) holds: not dropped, and made from the
 * guest's answers of now (not rebuilt since). Else msr_cpuid_leaf1_refresh makes it again.
 * So the CPUID exit's leaf 1 costs one compare more than another leaf, instead of merging its
 * per-vCPU bits every time. */
static inline bool msr_cpuid_leaf1_holds(const struct vcpu *v)
{
	return __builtin_expect(v->msr.leaf1_build == v->vm->cpuid.build, 1);
}

/* The answer slots whose kept answer is the whole answer but for leaf 1's per-vCPU bits:
 * all but leaf 7 (subleaves) and 0xD (XCR0/XSS), whose answers depend on the call. */
#define MSR_CPUID_KEPT_SLOTS ((BIT(MSR_CPUID_ANSWERS) - 1) & ~(BIT(7) | BIT(MSR_CPUID_XSAVE_LEAF)))
_Static_assert(MSR_CPUID_ANSWERS < 64, "one bit of msr_cpuid_cache.kept per slot, and one for no slot");

/* The kept answer to leaf (any subleaf), without leaf 1's per-vCPU bits (the caller adds them:
 * msr_cpuid_leaf1_vcpu). NULL for a leaf whose answer depends on the call, a leaf with no
 * answer slot, or answers not built for the host hook of now or dropped (msr_cpuid_forget): then msr_cpuid
 * decides. */
static inline __attribute__((always_inline)) const struct msr_cpuid_answer *msr_cpuid_kept(const struct vcpu *v, u32 leaf)
{
	const struct msr_cpuid_cache *c = &v->vm->cpuid;
	unsigned slot = msr_cpuid_slot(leaf); /* MSR_CPUID_ANSWERS, whose bit is never set, for none */
	if (!((c->kept >> slot) & 1) || !msr_cpuid_built_for_host(c))
		return NULL;
	return &c->answer[slot];
}

#endif
