/* Guest sequencing. (First version: no guests are launched yet.) */
#include "svm/run.h"
#include "lib/log.h"

enum sevisor_status svm_run_guests(const struct boot_info *boot)
{
	if (boot->cfg.nr_guests)
		log_warn("run: guest launch is not built yet; %u guest(s) not run", boot->cfg.nr_guests);
	log_result("summary guests=%u", boot->cfg.nr_guests);
	return SEVISOR_STATUS_OK;
}
