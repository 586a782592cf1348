/* soft-es: CPUID raises #VC; the runtime's handler answers it through the GHCB page (CPUID NAE
 * event). The answers must match the MSR protocol's, which uses the same CPUID policy. */
#include "ghcb.h"
#include "rt.h"

#define CPUID_SEV_LEAF 0x8000001F
#define SEV_ES_BITS (BIT(1) | BIT(3))
#define CPUID_LEAF_XSAVE 0xD

int main(void)
{
	u32 before = vc_count(SVM_EXIT_CPUID);
	struct cpuid r0 = cpuid(0);
	reportf(vc_count(SVM_EXIT_CPUID) == before + 1, "es_cpuid: CPUID raised one #VC (%u)",
		vc_count(SVM_EXIT_CPUID) - before);
	char vendor[13];
	memcpy(vendor, &r0.b, 4);
	memcpy(vendor + 4, &r0.d, 4);
	memcpy(vendor + 8, &r0.c, 4);
	vendor[12] = '\0';
	report_info("vendor \"%s\"", vendor);
	report("es_cpuid: leaf 0 vendor AuthenticAMD", memcmp(vendor, "AuthenticAMD", 12) == 0);

	u32 msr_ebx = 0, msr_eax1 = 0;
	bool ok = ghcb_msr_cpuid(0, GHCB_CPUID_EBX, &msr_ebx) &&
		  ghcb_msr_cpuid(1, GHCB_CPUID_EAX, &msr_eax1);
	report("es_cpuid: GHCB page and MSR protocol agree (leaf 0 EBX, leaf 1 EAX)",
	       ok && msr_ebx == r0.b && msr_eax1 == cpuid(1).a);

	report("es_cpuid: hypervisor bit", cpuid(1).c & CPUID_1_ECX_HYPERVISOR);
	report("es_cpuid: 0x40000000 signature sevisor", under_sevisor());
	report("es_cpuid: SVM hidden", !(cpuid(0x80000001).c & CPUID_80000001_ECX_SVM));
	report("es_cpuid: 0x8000001F shows SEV and SEV-ES",
	       (cpuid(CPUID_SEV_LEAF).a & SEV_ES_BITS) == SEV_ES_BITS);
	report("es_cpuid: 0x8000001F EBX C-bit matches SEV_INFO",
	       (cpuid(CPUID_SEV_LEAF).b & 0x3F) == rt_cbit);
	/* Leaf 0xD needs XCR0 as an input: the handler sends it and must get an answer. */
	struct cpuid xs = cpuid2(CPUID_LEAF_XSAVE, 0);
	report_info("leaf 0xD.0: EAX 0x%x EBX 0x%x", xs.a, xs.b);
	report("es_cpuid: leaf 0xD (with XCR0 input) answered", true);
	/* What this guest's #VC handler saw, for the test to hold against sevisor's own count
	 * (its "@sevisor vc" line). Printing goes straight to the GHCB: no #VC after this. */
	report_info("vc counts: CPUID=%u IOIO=%u", vc_count(SVM_EXIT_CPUID), vc_count(SVM_EXIT_IOIO));
	return report_summary();
}
