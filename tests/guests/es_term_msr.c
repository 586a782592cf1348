/* soft-es: termination request through the MSR protocol (code 0x100), reason set 0 ("GHCB
 * general"), code 0 ("general termination request"). Expect: terminated, and sevisor logs the
 * reason set and code by name. */
#include "ghcb.h"
#include "rt.h"

int main(void)
{
	printf("es_term_msr: requesting termination, reason set 0 code 0\n");
	ghcb_msr_proto(GHCB_MSR_TERM(GHCB_TERM_SET_GENERAL, GHCB_TERM_GENERAL));
	report("es_term_msr: still running after a termination request", false);
	return report_summary();
}
