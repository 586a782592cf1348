/* Resets the machine through the reset control register (port 0xCF9, RST_CPU with SYS_RST: a
 * hard reset, what Linux's reboot=pci writes). sevisor ends the guest with the "reset" outcome;
 * getting past the write is a failure. */
#include "rt.h"

#define RESET_CONTROL_PORT 0xCF9
#define RCR_HARD_RESET 0x06

int main(void)
{
	printf("reset: writing 0x%x to port 0x%x\n", RCR_HARD_RESET, RESET_CONTROL_PORT);
	outb(RCR_HARD_RESET, RESET_CONTROL_PORT);
	report("reset: the machine did not reset", false);
	return report_summary();
}
