/* soft-es: the guest reports a #VC it cannot handle (NAE 0x8000FFFF, EXITINFO1 = that #VC's
 * exit code, EXITINFO2 = its information), as Linux's #VC handler does for an exit code it has
 * no handler for. Expect: terminated, the reason naming the exit code (0x65, an SVM exit code
 * with no NAE event: PUSHF) and the information. */
#include "ghcb.h"
#include "rt.h"

#define REPORTED_EXIT_CODE 0x65
#define REPORTED_INFO 0xABC

int main(void)
{
	printf("es_unsupported: reporting an unhandled #VC(0x%x)\n", REPORTED_EXIT_CODE);
	ghcb_clear();
	ghcb_call(SVM_VMGEXIT_UNSUPPORTED, REPORTED_EXIT_CODE, REPORTED_INFO);
	report("es_unsupported: still running after reporting an unsupported event", false);
	return report_summary();
}
