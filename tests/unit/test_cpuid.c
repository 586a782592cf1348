/* The CPUID policy against the bit definitions of the AMD APM vol. 3, appendix E, and the
 * issue's guest view: SVM hidden, hypervisor leaf "sevisor", LMSLE-must-be-zero set, x2APIC
 * hidden, 0x8000001F per mode, topology for the vCPU count, XSAVE sizes for the given XCR0. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include "msr_fixture.h"

static struct cpuid_regs q(struct fx *f, u32 leaf, u32 sub)
{
	struct cpuid_regs r;
	msr_cpuid(&f->vcpu, leaf, sub, 0x7, 0, &r);
	return r;
}

/* 0x80000008 EBX[20] EferLmsleUnsupported: set for every guest, even when the host vector
 * has it clear (facts E.3, G13). */
static void test_lmsle_mbz(void **state)
{
	(void)state;
	for (int m = VM_MODE_PLAIN; m <= VM_MODE_SOFT_ES; m++) {
		struct fx *f = fx_new((enum vm_mode)m, 0);
		assert_true(q(f, 0x80000008, 0).ebx & B(20));
		fx_free(f);
	}
}

/* 0x40000000: EAX max hypervisor leaf, "sevisor\0\0\0\0\0" in EBX, ECX, EDX. */
static void test_hypervisor_leaf(void **state)
{
	(void)state;
	struct fx *f = fx_new(VM_MODE_PLAIN, 0);
	struct cpuid_regs r = q(f, 0x40000000, 0);
	assert_int_equal(r.eax, 0x40000000);
	assert_int_equal(r.ebx, 0x69766573); /* "sevi" little-endian */
	assert_int_equal(r.ecx, 0x00726f73); /* "sor\0" */
	assert_int_equal(r.edx, 0);
	char sig[12];
	memcpy(sig, &r.ebx, 4);
	memcpy(sig + 4, &r.ecx, 4);
	memcpy(sig + 8, &r.edx, 4);
	assert_memory_equal(sig, "sevisor\0\0\0\0\0", 12);
	r = q(f, 0x40000001, 0);
	assert_int_equal(r.eax | r.ebx | r.ecx | r.edx, 0);
	/* Leaf 1 ECX[31]: hypervisor present. */
	assert_true(q(f, 1, 0).ecx & B(31));
	fx_free(f);
}

/* SVM hidden: 0x80000001 ECX[2] clear and leaf 0x8000000A zero, though the host has both. */
static void test_svm_hidden(void **state)
{
	(void)state;
	struct fx *f = fx_new(VM_MODE_PLAIN, 0);
	struct cpuid_regs r = q(f, 0x80000001, 0);
	assert_false(r.ecx & B(2));
	assert_false(r.ecx & B(12)); /* SKINIT */
	assert_true(r.ecx & B(0));   /* LahfSahf still there */
	assert_true(r.edx & B(29));  /* LM */
	assert_true(r.edx & B(20));  /* NX */
	r = q(f, 0x8000000A, 0);
	assert_int_equal(r.eax | r.ebx | r.ecx | r.edx, 0);
	fx_free(f);
}

/* Hidden features: x2APIC (1.ECX[21]), MONITOR (1.ECX[3]), LA57 (7.ECX[16]), CET_SS
 * (7.ECX[7]), TopologyExtensions (0x80000001 ECX[22]), SMCA/RAS (0x80000007 EBX),
 * IRPERF (0x80000008 EBX[1]); kept: SSE3, AVX, SMEP, SMAP, PKU, InvariantTSC, IBPB. */
static void test_feature_masks(void **state)
{
	(void)state;
	struct fx *f = fx_new(VM_MODE_PLAIN, 0);
	struct cpuid_regs r1 = q(f, 1, 0), r7 = q(f, 7, 0), x7 = q(f, 0x80000007, 0);
	struct cpuid_regs x8 = q(f, 0x80000008, 0), x1 = q(f, 0x80000001, 0);
	assert_false(r1.ecx & B(21));
	assert_false(r1.ecx & B(3));
	assert_true(r1.ecx & B(0));
	assert_true(r1.ecx & B(28));
	assert_false(r7.ecx & B(16));
	assert_false(r7.ecx & B(7));
	assert_true(r7.ebx & B(7));
	assert_true(r7.ebx & B(20));
	assert_true(r7.ecx & B(3));
	assert_int_equal(r7.eax, 0); /* no subleaf 1 offered */
	struct cpuid_regs r71 = q(f, 7, 1);
	assert_int_equal(r71.eax | r71.ebx | r71.ecx | r71.edx, 0);
	assert_false(x1.ecx & B(22));
	assert_int_equal(x7.ebx, 0);
	assert_int_equal(x7.edx, B(8));
	assert_false(x8.ebx & B(1));
	assert_true(x8.ebx & B(12));
	assert_int_equal(x8.eax, 0x3030);
	fx_free(f);
}

/* OSXSAVE (1.ECX[27]) and OSPKE (7.ECX[4]) follow the guest's CR4, not the host's. */
static void test_os_bits_follow_cr4(void **state)
{
	(void)state;
	struct fx *f = fx_new(VM_MODE_PLAIN, 0);
	assert_false(q(f, 1, 0).ecx & B(27));
	assert_false(q(f, 7, 0).ecx & B(4));
	f->vcpu.cr.cr4 = CR4_OSXSAVE | CR4_PKE;
	assert_true(q(f, 1, 0).ecx & B(27));
	assert_true(q(f, 7, 0).ecx & B(4));
	fx_free(f);
}

/* Topology: leaf 1 EBX[23:16] = vCPU count, EBX[31:24] = APIC ID = vCPU id, HTT for more
 * than one; 0x80000008 ECX NC = count - 1, ApicIdSize = bits to number them (APM E.4.7). */
static void test_topology(void **state)
{
	(void)state;
	static const struct { unsigned n, id; u32 ebx_hi, ecx; bool htt; } cases[] = {
		{ 1, 0, 0x00010000, 0x0000, false },
		{ 2, 1, 0x01020000, 0x1001, true },
		{ 3, 2, 0x02030000, 0x2002, true },
		{ 4, 3, 0x03040000, 0x2003, true },
		{ 8, 5, 0x05080000, 0x3007, true },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct fx *f = fx_new(VM_MODE_PLAIN, 0);
		f->vm.nr_vcpus = cases[i].n;
		f->vcpu.id = cases[i].id;
		struct cpuid_regs r1 = q(f, 1, 0);
		assert_int_equal(r1.ebx & 0xFFFF0000u, cases[i].ebx_hi);
		assert_int_equal(r1.ebx & 0xFFFF, 0x0800); /* CLFLUSH line size from the host */
		assert_int_equal(!!(r1.edx & B(28)), cases[i].htt);
		assert_int_equal(q(f, 0x80000008, 0).ecx, cases[i].ecx);
		fx_free(f);
	}
}

/* 0x8000001F per mode (APM E.4.17): plain zero; SEV (EAX[1]) and SEV-ES (EAX[3]) with the C-bit
 * in EBX[5:0] and the reduction in EBX[11:6] (host's for sev-es, 1 for soft-es). */
static void test_sev_leaf(void **state)
{
	(void)state;
	struct fx *f = fx_new(VM_MODE_PLAIN, 0);
	struct cpuid_regs r = q(f, 0x8000001F, 0);
	assert_int_equal(r.eax | r.ebx | r.ecx | r.edx, 0);
	fx_free(f);

	f = fx_new(VM_MODE_SEV_ES, 0);
	f->vm.cbit = 51;
	r = q(f, 0x8000001F, 0);
	assert_int_equal(r.eax, B(1) | B(3));
	assert_int_equal(r.ebx, 51 | (5 << 6));
	assert_int_equal(r.ecx | r.edx, 0);
	fx_free(f);

	f = fx_new(VM_MODE_SOFT_ES, 0);
	f->vm.cbit = 47;
	r = q(f, 0x8000001F, 0);
	assert_int_equal(r.eax, B(1) | B(3));
	assert_int_equal(r.ebx, 47 | (1 << 6));
	fx_free(f);
}

/* Max leaves and vendor; leaves not offered read zero. */
static void test_ranges(void **state)
{
	(void)state;
	struct fx *f = fx_new(VM_MODE_PLAIN, 0);
	struct cpuid_regs r = q(f, 0, 0);
	assert_int_equal(r.eax, 0xD);
	assert_int_equal(r.ebx, AMD_EBX);
	assert_int_equal(r.ecx, AMD_ECX);
	assert_int_equal(r.edx, AMD_EDX);
	r = q(f, 0x80000000, 0);
	assert_int_equal(r.eax, 0x8000001F);
	static const u32 zero_leaves[] = { 2, 4, 5, 6, 0xB, 0x10, 0x20, 0x8000001E, 0x8000001D,
					   0x80000020, 0x80000021, 0x80000028, 0xFFFFFFFF };
	for (size_t i = 0; i < ARRAY_SIZE(zero_leaves); i++) {
		r = q(f, zero_leaves[i], 0);
		if (r.eax | r.ebx | r.ecx | r.edx)
			fail_msg("leaf 0x%x not zero", zero_leaves[i]);
	}
	r = q(f, 0x80000002, 0);
	assert_int_equal(r.eax, 0x20444D41); /* brand string passed through */
	fx_free(f);
}

/* Leaf 0xD (APM vol. 3 E.3.9 / Intel SDM vol. 1 13.2): sizes computed by hand from the host
 * component table in msr_fixture.h. */
static void test_xsave_leaf(void **state)
{
	(void)state;
	struct fx *f = fx_new(VM_MODE_PLAIN, 0);
	struct cpuid_regs r;

	msr_cpuid(&f->vcpu, 0xD, 0, 0x3, 0, &r); /* x87|SSE */
	assert_int_equal(r.eax, 0x2E7);
	assert_int_equal(r.edx, 0);
	assert_int_equal(r.ebx, 576);
	assert_int_equal(r.ecx, 2440); /* PKRU ends at 2432 + 8 */

	msr_cpuid(&f->vcpu, 0xD, 0, 0x7, 0, &r); /* + AVX: 576 + 256 */
	assert_int_equal(r.ebx, 832);
	msr_cpuid(&f->vcpu, 0xD, 0, 0xE7, 0, &r); /* + AVX-512: Hi16_ZMM ends at 1408 + 1024 */
	assert_int_equal(r.ebx, 2432);
	msr_cpuid(&f->vcpu, 0xD, 0, 0x207, 0, &r); /* AVX + PKRU */
	assert_int_equal(r.ebx, 2440);
	msr_cpuid(&f->vcpu, 0xD, 0, 0x18, 0, &r); /* MPX bits: not offered, ignored */
	assert_int_equal(r.ebx, 576);

	/* Subleaf 1: XSAVEOPT/XSAVEC/XGETBV1/XSAVES; compacted size for XCR0 | XSS; no XSS bits. */
	msr_cpuid(&f->vcpu, 0xD, 1, 0x7, 0, &r);
	assert_int_equal(r.eax, 0xF);
	assert_int_equal(r.ebx, 576 + 256);
	assert_int_equal(r.ecx | r.edx, 0);
	msr_cpuid(&f->vcpu, 0xD, 1, 0x207, B(11), &r); /* XSS CET_U not offered: ignored */
	assert_int_equal(r.ebx, 576 + 256 + 8);
	msr_cpuid(&f->vcpu, 0xD, 1, 0x2E7, 0, &r);
	assert_int_equal(r.ebx, 576 + 256 + 64 + 512 + 1024 + 8);

	/* Component subleaves: offered ones from the host, others zero. */
	msr_cpuid(&f->vcpu, 0xD, 2, 0x7, 0, &r);
	assert_int_equal(r.eax, 256);
	assert_int_equal(r.ebx, 576);
	msr_cpuid(&f->vcpu, 0xD, 9, 0x7, 0, &r);
	assert_int_equal(r.eax, 8);
	assert_int_equal(r.ebx, 2432);
	static const u32 absent[] = { 3, 4, 8, 11, 12, 63, 64, 1000 };
	for (size_t i = 0; i < ARRAY_SIZE(absent); i++) {
		msr_cpuid(&f->vcpu, 0xD, absent[i], 0x7, 0, &r);
		if (r.eax | r.ebx | r.ecx | r.edx)
			fail_msg("0xD.%u not zero", absent[i]);
	}
	assert_int_equal(msr_cpuid_xcr0_allowed(), 0x2E7);
	fx_free(f);
}

/* CR4 bits allowed by the guest CPUID (APM vol. 2, 3.1.3). */
static void test_cr4_allowed(void **state)
{
	(void)state;
	struct fx *f = fx_new(VM_MODE_PLAIN, 0);
	u64 a = msr_cpuid_cr4_allowed(&f->vcpu);
	u64 want_in = CR4_VME | CR4_PVI | CR4_TSD | CR4_DE | CR4_PSE | CR4_PAE | CR4_MCE | CR4_PGE |
		      CR4_PCE | CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_UMIP | CR4_FSGSBASE | CR4_PCIDE |
		      CR4_OSXSAVE | CR4_SMEP | CR4_SMAP | CR4_PKE;
	assert_int_equal(a & want_in, want_in);
	assert_false(a & CR4_LA57); /* host has LA57, guest does not */
	assert_false(a & CR4_CET);  /* host has CET_SS, guest does not */
	assert_false(a & BIT(13));  /* VMXE */
	assert_false(a & BIT(63));
	fx_free(f);
}

/* No host hook registered: only the synthetic leaves carry information. */
static void test_no_host(void **state)
{
	(void)state;
	struct fx *f = fx_new(VM_MODE_SOFT_ES, 0);
	msr_cpuid_set_host(NULL);
	f->vm.cbit = 39;
	struct cpuid_regs r = q(f, 0x40000000, 0);
	assert_int_equal(r.ebx, 0x69766573);
	r = q(f, 1, 0);
	/* Hypervisor present (31) and TSC-deadline (24, SDM 11.5.4.1: the LAPIC model's own). */
	assert_int_equal(r.ecx, B(31) | B(24));
	r = q(f, 0x8000001F, 0);
	assert_int_equal(r.eax, B(1) | B(3));
	assert_int_equal(r.ebx, 39 | (1 << 6));
	r = q(f, 0xD, 0);
	assert_int_equal(r.eax | r.ebx | r.ecx | r.edx, 0);
	assert_int_equal(msr_cpuid_cr4_allowed(&f->vcpu), CR4_PCE);
	fx_free(f);
}

/* The answers are kept per guest (msr/cpuid_policy.c): what they were built from may change
 * afterwards and must show at once: the host hook by itself (the lookup compares it), the
 * guest's inputs with msr_cpuid_forget after them (the lookup relies on it: without the
 * forget, the answers built for the old inputs would be given). The vCPU count (leaf 1
 * EBX[23:16], HTT; 0x80000008 ECX), the mode and C-bit (0x8000001F), the host hook (vendor
 * string); the per-vCPU bits (APIC ID EBX[31:24], APIC EDX[9] with IA32_APIC_BASE.EN, SDM
 * 11.4.3) differ between the vCPUs of one guest that share those answers. */
static void test_answers_follow_their_inputs(void **state)
{
	(void)state;
	struct fx *f = fx_new(VM_MODE_PLAIN, 0);
	assert_int_equal(q(f, 1, 0).ebx & 0xFFFF0000u, 0x00010000);
	assert_int_equal(q(f, 0x80000008, 0).ecx, 0);
	f->vm.nr_vcpus = 4;
	msr_cpuid_forget(&f->vm);
	struct cpuid_regs r1 = q(f, 1, 0);
	assert_int_equal(r1.ebx & 0xFFFF0000u, 0x00040000);
	assert_true(r1.edx & B(28));
	assert_int_equal(q(f, 0x80000008, 0).ecx, 0x2003);
	f->vcpu.id = 3;
	assert_int_equal(q(f, 1, 0).ebx & 0xFFFF0000u, 0x03040000);
	f->vcpu.id = 0;
	assert_int_equal(q(f, 1, 0).ebx & 0xFFFF0000u, 0x00040000);
	assert_true(q(f, 1, 0).edx & B(9));
	f->vcpu.msr.apic_base &= ~MSR_APIC_BASE_EN;
	assert_false(q(f, 1, 0).edx & B(9));

	f->vm.cbit = 47;
	msr_cpuid_forget(&f->vm);
	struct cpuid_regs r = q(f, 0x8000001F, 0);
	assert_int_equal(r.eax | r.ebx, 0); /* plain: no SEV, whatever the C-bit */
	f->vm.mode = VM_MODE_SOFT_ES;
	msr_cpuid_forget(&f->vm);
	r = q(f, 0x8000001F, 0);
	assert_int_equal(r.eax, B(1) | B(3));
	assert_int_equal(r.ebx, 47 | (1 << 6));
	f->vm.cbit = 39;
	msr_cpuid_forget(&f->vm);
	assert_int_equal(q(f, 0x8000001F, 0).ebx, 39 | (1 << 6));

	assert_int_equal(q(f, 0, 0).ebx, AMD_EBX);
	assert_int_equal(q(f, 0xD, 0).eax, 0x2E7);
	msr_cpuid_set_host(NULL);
	assert_int_equal(q(f, 0, 0).ebx, 0);
	assert_int_equal(q(f, 0xD, 0).eax, 0);
	msr_cpuid_set_host(fx_host_cpuid);
	assert_int_equal(q(f, 0, 0).ebx, AMD_EBX);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lmsle_mbz),
		cmocka_unit_test(test_hypervisor_leaf),
		cmocka_unit_test(test_svm_hidden),
		cmocka_unit_test(test_feature_masks),
		cmocka_unit_test(test_os_bits_follow_cr4),
		cmocka_unit_test(test_topology),
		cmocka_unit_test(test_sev_leaf),
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_xsave_leaf),
		cmocka_unit_test(test_cr4_allowed),
		cmocka_unit_test(test_no_host),
		cmocka_unit_test(test_answers_follow_their_inputs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
