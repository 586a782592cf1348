/* Reads the CPUID leaves and MSRs that caps_decode() needs. MSRs are read only when CPUID says
 * they exist: VM_CR when SVM is present, SYSCFG when SME/SEV is (a read of an absent MSR is #GP,
 * and before ExitBootServices that #GP would land in the firmware's handler). */
#include "arch/x86/caps.h"
#include "arch/x86/cpu.h"
#include "lib/kstring.h"

void caps_collect(struct caps_raw *raw)
{
	u32 a, b, c, d;
	memset(raw, 0, sizeof(*raw));
	cpu_cpuid(0, 0, &a, &b, &c, &d);
	memcpy(raw->vendor, &b, 4);
	memcpy(raw->vendor + 4, &d, 4);
	memcpy(raw->vendor + 8, &c, 4);
	cpu_cpuid(0x80000000u, 0, &a, &b, &c, &d);
	raw->max_ext_leaf = a;
	if (a >= 0x80000001u) {
		cpu_cpuid(0x80000001u, 0, &a, &b, &c, &d);
		raw->ext1_ecx = c;
	}
	if (raw->max_ext_leaf >= 0x8000000Au && (raw->ext1_ecx & CPUID_EXT1_ECX_SVM))
		cpu_cpuid(0x8000000Au, 0, &raw->svm_eax, &raw->svm_ebx, &c, &raw->svm_edx);
	if (raw->max_ext_leaf >= 0x8000001Fu)
		cpu_cpuid(0x8000001Fu, 0, &raw->mem_eax, &raw->mem_ebx, &raw->mem_ecx, &raw->mem_edx);
	if (raw->ext1_ecx & CPUID_EXT1_ECX_SVM) {
		raw->have_vm_cr = true;
		raw->vm_cr = cpu_rdmsr(MSR_VM_CR);
	}
	if (raw->mem_eax & (CPUID_MEM_SME | CPUID_MEM_SEV)) {
		raw->have_syscfg = true;
		raw->syscfg = cpu_rdmsr(MSR_SYSCFG);
	}
}
