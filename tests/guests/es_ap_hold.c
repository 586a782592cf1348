/* soft-es: AP reset hold through the GHCB page (NAE 0x80000004) on the only vCPU of its guest.
 * Nobody could ever send it the wake-up, so sevisor ends the guest with that reason instead of
 * holding it forever. Expect: terminated, the reason naming the AP reset hold. */
#include "ghcb.h"
#include "rt.h"

int main(void)
{
	printf("es_ap_hold: entering AP reset hold on the only vCPU\n");
	ghcb_clear();
	ghcb_call(SVM_VMGEXIT_AP_RESET_HOLD, 0, 0);
	report("es_ap_hold: released from a hold nobody could end", false);
	return report_summary();
}
