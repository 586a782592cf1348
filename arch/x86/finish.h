/* How sevisor ends: QEMU debug-exit with a status, halt, or reboot (config key on_finish). */
#ifndef ARCH_X86_FINISH_H
#define ARCH_X86_FINISH_H

#include "lib/types.h"
#include "boot/status.h"
#include "boot/config.h"

void finish_set_action(enum cfg_finish action);
/* Prints the final @sevisor line, drains the log and ends as configured. Never returns. */
NORETURN void finish(enum sevisor_status status);
/* For invariant breaks in sevisor itself: logs, dumps what it can, finishes with HOST_FAULT. */
NORETURN void panic(const char *fmt, ...) PRINTF_LIKE(1, 2);

#endif
