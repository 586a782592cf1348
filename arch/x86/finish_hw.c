/* Finishing: the last @sevisor line, then isa-debug-exit, halt or reboot. */
#include <stdarg.h>
#include "arch/x86/finish.h"
#include "arch/x86/cpu.h"
#include "lib/log.h"

#define ISA_DEBUG_EXIT_PORT 0xF4
#define RESET_CONTROL_PORT 0xCF9 /* PCI reset control register */
#define RESET_CONTROL_FULL 0x0E  /* full reset, reset CPU */
#define KBC_COMMAND_PORT 0x64
#define KBC_PULSE_RESET 0xFE

static enum cfg_finish g_action = CFG_FINISH_DEBUG_EXIT;

void finish_set_action(enum cfg_finish action)
{
	g_action = action;
}

static NORETURN void halt_forever(void)
{
	for (;;) {
		cpu_cli();
		cpu_hlt();
	}
}

NORETURN void finish(enum sevisor_status status)
{
	log_defer(false);
	log_hold(false);
	log_result("finish status=%d name=%s action=%s", (int)status, sevisor_status_name(status),
		   cfg_finish_name(g_action));
	log_drain();
	switch (g_action) {
	case CFG_FINISH_DEBUG_EXIT:
		/* QEMU exits here with (status << 1) | 1. Real hardware has nothing at 0xF4: halt. */
		outl(ISA_DEBUG_EXIT_PORT, (u32)status);
		log_info("finish: no isa-debug-exit device answered; halting");
		break;
	case CFG_FINISH_REBOOT:
		log_info("finish: rebooting");
		outb(RESET_CONTROL_PORT, RESET_CONTROL_FULL);
		outb(KBC_COMMAND_PORT, KBC_PULSE_RESET);
		log_err("finish: reboot did not happen; halting");
		break;
	case CFG_FINISH_HALT:
		log_info("finish: halted");
		break;
	}
	halt_forever();
}

NORETURN void panic(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_defer(false);
	log_hold(false);
	log_printf(LOG_ERROR, "PANIC: sevisor invariant broken:");
	log_vprintf(LOG_ERROR, fmt, ap);
	va_end(ap);
	finish(SEVISOR_STATUS_HOST_FAULT);
}
