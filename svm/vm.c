/* struct vm helpers: mode names and the two ways a guest's run ends. */
#include <stdarg.h>
#include "svm/vm.h"
#include "lib/fmt.h"
#include "lib/log.h"

static const char *const mode_names[] = {
	[VM_MODE_PLAIN] = "plain",
	[VM_MODE_SEV_ES] = "sev-es",
	[VM_MODE_SOFT_ES] = "soft-es",
};

const char *vm_mode_name(enum vm_mode mode)
{
	return (unsigned)mode < ARRAY_SIZE(mode_names) ? mode_names[mode] : "?";
}

void vm_terminate(struct vm *vm, const char *fmt, ...)
{
	if (vm->end != VM_END_RUNNING)
		return;
	va_list ap;
	va_start(ap, fmt);
	fmt_vsnprintf(vm->reason, sizeof(vm->reason), fmt, ap);
	va_end(ap);
	vm->end = VM_END_TERMINATED;
	log_err("guest %s terminated: %s", vm->name, vm->reason);
}

void vm_reset(struct vm *vm, const char *how)
{
	if (vm->end != VM_END_RUNNING)
		return;
	vm->end = VM_END_RESET;
	fmt_snprintf(vm->reason, sizeof(vm->reason), "the guest reset the machine (%s)", how);
	log_info("guest %s: %s", vm->name, vm->reason);
}

void vm_exit_with_code(struct vm *vm, u32 code)
{
	if (vm->end != VM_END_RUNNING)
		return;
	vm->end = VM_END_EXIT;
	vm->exit_code = code;
	fmt_snprintf(vm->reason, sizeof(vm->reason), "exit code %u", code);
}
