/* soft-es: termination request through the GHCB page (event 0x8000FFFE: SW_EXITINFO1[3:0] =
 * reason set, [11:4] = reason code), reason set 1 code 5 (Linux's "CPUID from the hypervisor
 * failed"). Expect: terminated, with set 1 code 5 in the reason. */
#include "ghcb.h"
#include "rt.h"

#define TERM_SET 1
#define TERM_CODE 5

int main(void)
{
	printf("es_term_ghcb: requesting termination through the GHCB, reason set %u code %u\n",
	       TERM_SET, TERM_CODE);
	ghcb_clear();
	ghcb_call(SVM_VMGEXIT_TERMINATE, TERM_SET | (TERM_CODE << 4), 0);
	report("es_term_ghcb: still running after a termination request", false);
	return report_summary();
}
