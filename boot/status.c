/* Names for sevisor's finish statuses (see status.h). */
#include "boot/status.h"
#include "lib/types.h"

static const char *const status_names[] = {
	[SEVISOR_STATUS_OK] = "ok",
	[SEVISOR_STATUS_GUEST_FAILED] = "guest-failed",
	[SEVISOR_STATUS_CONFIG] = "config-error",
	[SEVISOR_STATUS_NO_SVM] = "no-svm",
	[SEVISOR_STATUS_SVM_DISABLED] = "svm-disabled",
	[SEVISOR_STATUS_SVM_LOCKED] = "svm-locked",
	[SEVISOR_STATUS_HOST_FAULT] = "host-fault",
	[SEVISOR_STATUS_BOOT_ERROR] = "boot-error",
};

const char *sevisor_status_name(enum sevisor_status s)
{
	return (unsigned)s < ARRAY_SIZE(status_names) && status_names[s] ? status_names[s] : "?";
}
