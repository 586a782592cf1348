/* soft-es: GHCB GPA registration (MSR protocol 0x012/0x013), then the mismatch: once GHCB A is
 * registered, a VMGEXIT through GHCB B must end the guest (GHCB spec: the hypervisor terminates
 * a guest that uses an unregistered GHCB). Expect: terminated, the reason naming both GPAs. */
#include "ghcb.h"
#include "rt.h"

int main(void)
{
	u64 gpa_a = (u64)ghcb_page_a, gpa_b = (u64)ghcb_page_b;
	u64 gfn = gpa_a >> 12;
	u64 resp = ghcb_msr_proto(GHCB_MSR_REG_GPA_REQ | (gfn << 12));
	report_info("registration of GHCB A (GPA 0x%lx): response 0x%lx", gpa_a, resp);
	report("es_register: response code 0x013", (resp & GHCB_MSR_INFO_MASK) ==
						   GHCB_MSR_REG_GPA_RESP);
	report("es_register: the registered GFN is echoed back", (resp >> 12) == gfn);

	/* Refused registration: a GFN outside guest RAM gets the all-ones GFN. */
	u64 bad = ghcb_msr_proto(GHCB_MSR_REG_GPA_REQ | (0xFFFFF000ULL << 12));
	report("es_register: a GFN outside RAM is refused with the all-ones GFN",
	       (bad & GHCB_MSR_INFO_MASK) == GHCB_MSR_REG_GPA_RESP &&
		       (bad >> 12) == GHCB_MSR_GFN_NONE);
	/* That refusal must not have replaced the registration of A (else what follows proves
	 * nothing): use A once more. */
	u32 before = vc_count(SVM_EXIT_CPUID);
	report("es_register: CPUID through the registered GHCB A",
	       cpuid(0).b != 0 && vc_count(SVM_EXIT_CPUID) == before + 1);

	printf("es_register: switching to unregistered GHCB B (GPA 0x%lx, registered A 0x%lx); "
	       "sevisor must terminate this guest\n", gpa_b, gpa_a);
	ghcb_use(ghcb_page_b);
	(void)cpuid(0);
	ghcb_use(ghcb_page_a);
	report("es_register: still running after a VMGEXIT through an unregistered GHCB", false);
	return report_summary();
}
