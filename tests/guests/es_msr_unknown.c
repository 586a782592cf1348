/* soft-es: an MSR-protocol request with a code the GHCB spec does not define. sevisor's chosen
 * behaviour (as KVM's since 2021): log it, leave the GHCB MSR as the guest wrote it, and resume.
 * The guest reads back its own request, and everything else keeps working. */
#include "ghcb.h"
#include "rt.h"

int main(void)
{
	static const u64 requests[] = {
		0x0FFF,                       /* highest code, no data */
		(0x12345ULL << 12) | 0x0FFF,  /* with data bits */
		(0xABCDULL << 12) | 0x0FE,    /* another undefined code */
	};
	for (unsigned i = 0; i < ARRAY_SIZE(requests); i++) {
		u64 resp = ghcb_msr_proto(requests[i]);
		reportf(resp == requests[i], "es_msr_unknown: request 0x%lx read back unchanged "
					     "(0x%lx)", requests[i], resp);
	}
	report("es_msr_unknown: the guest still runs, and the GHCB page still works",
	       cpuid(0).b != 0);
	return report_summary();
}
