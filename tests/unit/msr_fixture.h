/* Shared fixture for the MSR / CPUID model tests: a struct vm + struct vcpu + zeroed VMCB built
 * in the test, a fixed host CPUID table standing in for the CPUID instruction, a fake TSC.
 *
 * The host vector describes an EPYC-class CPU (Zen 4 feature set, family 19h); it is a test
 * vector, not a dump of one specific part. Every feature word is
 * assembled from named bits (AMD APM vol. 3, appendix E "Obtaining Processor Information via
 * the CPUID Instruction"), so a reader can check each bit against the APM rather than against
 * a hex blob. Values that are not feature bits (signature, sizes) are noted where used. */
#ifndef TESTS_UNIT_MSR_FIXTURE_H
#define TESTS_UNIT_MSR_FIXTURE_H

#include <stdlib.h>
#include <string.h>
#include "svm/vcpu.h"
#include "msr/msr.h"
#include "msr/cpuid.h"
#include "msr/msr_index.h"

struct host_leaf {
	u32 leaf, sub;
	struct cpuid_regs r;
};

#define B(n) (1u << (n))

/* "AuthenticAMD": EBX "Auth", EDX "enti", ECX "cAMD" (APM vol. 3, E.3.1). */
#define AMD_EBX 0x68747541u
#define AMD_EDX 0x69746e65u
#define AMD_ECX 0x444d4163u

static const struct host_leaf epyc_host[] = {
	{ 0x00000000, 0, { 0x10, AMD_EBX, AMD_ECX, AMD_EDX } },
	/* Family 19h model 11h stepping 1 (Genoa): EAX = ext family 0xA, family 0xF, ext model 1,
	 * model 1, stepping 1. EBX: CLFLUSH size 8 (x8 = 64 bytes) in [15:8], 128 logical CPUs in
	 * [23:16], APIC ID 0x05 in [31:24]. */
	{ 0x00000001, 0, { 0x00A10F11, 0x05800800,
			   /* ECX: SSE3, PCLMULQDQ, MONITOR, SSSE3, FMA, CX16, PCID, SSE4.1, SSE4.2,
			    * x2APIC, MOVBE, POPCNT, AES, XSAVE, OSXSAVE, AVX, F16C, RDRAND */
			   B(0) | B(1) | B(3) | B(9) | B(12) | B(13) | B(17) | B(19) | B(20) | B(21) |
				   B(22) | B(23) | B(25) | B(26) | B(27) | B(28) | B(29) | B(30),
			   /* EDX: FPU VME DE PSE TSC MSR PAE MCE CX8 APIC SEP MTRR PGE MCA CMOV PAT
			    * PSE36 CLFSH MMX FXSR SSE SSE2 HTT */
			   0x3FF | B(11) | B(12) | B(13) | B(14) | B(15) | B(16) | B(17) | B(19) |
				   B(23) | B(24) | B(25) | B(26) | B(28) } },
	/* 7.0: EBX FSGSBASE BMI1 AVX2 SMEP BMI2 ERMS INVPCID AVX512F/DQ RDSEED ADX SMAP IFMA
	 * CLFLUSHOPT CLWB AVX512CD SHA AVX512BW/VL; ECX AVX512_VBMI UMIP PKU OSPKE CET_SS
	 * VBMI2 GFNI VAES VPCLMULQDQ VNNI BITALG VPOPCNTDQ LA57 RDPID; EDX FSRM. */
	{ 0x00000007, 0, { 1, B(0) | B(3) | B(5) | B(7) | B(8) | B(9) | B(10) | B(16) | B(17) |
				      B(18) | B(19) | B(20) | B(21) | B(23) | B(24) | B(28) | B(29) |
				      B(30) | B(31),
			   B(1) | B(2) | B(3) | B(4) | B(7) | B(6) | B(8) | B(9) | B(10) | B(11) |
				   B(12) | B(14) | B(16) | B(22),
			   B(4) } },
	{ 0x00000007, 1, { B(5) /* AVX512_BF16 */, 0, 0, 0 } },
	/* 0xD.0: XCR0 x87|SSE|AVX|opmask|ZMM_Hi256|Hi16_ZMM|PKRU = 0x2E7; sizes 2440 (=2432+8). */
	{ 0x0000000D, 0, { 0x2E7, 2440, 2440, 0 } },
	/* 0xD.1: XSAVEOPT XSAVEC XGETBV1 XSAVES; supervisor XSS bits CET_U(11) CET_S(12). */
	{ 0x0000000D, 1, { 0xF, 0, B(11) | B(12), 0 } },
	/* Components: size, standard-format offset, flags. AVX 256 @ 576 is architectural
	 * (APM vol. 2, 11.5.2 / Intel SDM vol. 1, 13.5.3); the AVX-512 and PKRU offsets are the
	 * ones a Zen 4 part enumerates without MPX (opmask 64 @ 832, ZMM_Hi256 512 @ 896,
	 * Hi16_ZMM 1024 @ 1408, PKRU 8 @ 2432) [recollection, not re-read from a dump]. */
	{ 0x0000000D, 2, { 256, 576, 0, 0 } },
	{ 0x0000000D, 5, { 64, 832, 0, 0 } },
	{ 0x0000000D, 6, { 512, 896, 0, 0 } },
	{ 0x0000000D, 7, { 1024, 1408, 0, 0 } },
	{ 0x0000000D, 9, { 8, 2432, 0, 0 } },
	{ 0x0000000D, 11, { 16, 0, 1, 0 } }, /* CET_U: supervisor */
	{ 0x80000000, 0, { 0x80000028, AMD_EBX, AMD_ECX, AMD_EDX } },
	/* 0x80000001 ECX: LahfSahf CmpLegacy SVM ExtApicSpace AltMovCr8 ABM SSE4A MisAlignSse
	 * 3DNowPrefetch OSVW IBS SKINIT WDT TCE TopologyExtensions PerfCtrExtCore PerfCtrExtNB
	 * DataBreakpointExt PerfTsc PerfCtrExtLLC MwaitExtended;
	 * EDX: 1.EDX duplicates, SYSCALL NX MmxExt FFXSR Page1GB RDTSCP LM. */
	{ 0x80000001, 0, { 0x00A10F11, 0x40000000,
			   B(0) | B(1) | B(2) | B(3) | B(4) | B(5) | B(6) | B(7) | B(8) | B(9) |
				   B(10) | B(12) | B(13) | B(17) | B(22) | B(23) | B(24) | B(26) |
				   B(27) | B(28) | B(29),
			   0x3FF | B(11) | B(12) | B(13) | B(14) | B(15) | B(16) | B(17) | B(20) |
				   B(22) | B(23) | B(24) | B(25) | B(26) | B(27) | B(29) } },
	{ 0x80000002, 0, { 0x20444D41, 0x43595045, 0x36353920, 0x36392D34 } }, /* "AMD EPYC 9654-96" */
	{ 0x80000007, 0, { 0, B(0) | B(1) | B(3) /* McaOverflowRecov SUCCOR ScalableMca */, 0,
			   B(8) | B(9) /* InvariantTSC, CPB */ } },
	/* 0x80000008: EAX 48 physical, 48 linear address bits (0x3030); EBX CLZERO IRPERF
	 * RstrFpErrPtrs INVLPGB RDPRU WBNOINVD IBPB IBRS STIBP StibpAlwaysOn SSBD CPPC PSFD,
	 * LMSLE_MBZ deliberately clear here so the test shows sevisor sets it; ECX NC=127,
	 * ApicIdSize 7. */
	{ 0x80000008, 0, { 0x3030, B(0) | B(1) | B(2) | B(3) | B(4) | B(9) | B(12) | B(14) | B(15) |
					   B(17) | B(24) | B(27) | B(28),
			   0x707F, 0x10007 } },
	{ 0x8000000A, 0, { 1, 0x8000, 0, 0x1EBFBCFF } }, /* SVM rev 1, 32768 ASIDs, features */
	/* 0x8000001F: SME SEV PageFlush SEV-ES SNP ...; C-bit 51, reduction 5 (APM vol. 3, E.4.17). */
	{ 0x8000001F, 0, { 0x0101FDFF, 51 | (5 << 6), 1006, 1 } },
};

static const struct host_leaf *fx_host_table = epyc_host;
static size_t fx_host_count = ARRAY_SIZE(epyc_host);

static UNUSED void fx_host_cpuid(u32 leaf, u32 sub, struct cpuid_regs *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < fx_host_count; i++)
		if (fx_host_table[i].leaf == leaf && fx_host_table[i].sub == sub) {
			*out = fx_host_table[i].r;
			return;
		}
}

static u64 fx_tsc_now = 1000000;
static UNUSED u64 fx_host_tsc(void)
{
	return fx_tsc_now;
}

struct fx {
	struct vm vm;
	struct vcpu vcpu;
	struct vmcb *vmcb;
};

static UNUSED struct fx *fx_new(enum vm_mode mode, unsigned banks)
{
	struct fx *f = calloc(1, sizeof(*f));
	f->vmcb = calloc(1, sizeof(struct vmcb));
	strcpy(f->vm.name, "test");
	f->vm.mode = mode;
	f->vm.nr_vcpus = 1;
	f->vm.cbit = mode == VM_MODE_PLAIN ? 0 : 47;
	f->vm.msr_cfg.mce_banks = banks;
	f->vm.vcpus = &f->vcpu;
	f->vcpu.vm = &f->vm;
	f->vcpu.vmcb = f->vmcb;
	f->vcpu.state_protected = mode != VM_MODE_PLAIN;
	f->vmcb->save.g_pat = MSR_PAT_DEFAULT;
	fx_host_table = epyc_host;
	fx_host_count = ARRAY_SIZE(epyc_host);
	msr_cpuid_set_host(fx_host_cpuid);
	msr_set_host_tsc(fx_host_tsc);
	msr_vcpu_reset(&f->vcpu);
	return f;
}

static UNUSED void fx_free(struct fx *f)
{
	free(f->vmcb);
	free(f);
}

#endif
