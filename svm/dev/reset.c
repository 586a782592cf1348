/* Platform reset: the reset control register at 0xCF9 (Intel ICH/PIIX: bit 2 RST_CPU starts a
 * reset, bit 1 SYS_RST makes it a hard one) and the keyboard controller's pulse-reset command
 * 0xFE written to port 0x64 (IBM PC/AT 8042: output port bit 0 is the CPU reset line). Either
 * ends the guest with the "reset" outcome. The 8042 is not otherwise modelled: its status port
 * reads all ones, which is how kernels see that no controller is there. */
#include "svm/dev/devices.h"
#include "svm/vm.h"
#include "lib/fmt.h"

#define RCR_SYS_RST 0x02
#define RCR_RST_CPU 0x04
#define RCR_FULL_RST 0x08
#define KBC_PULSE_RESET 0xFE
#define KBC_NO_CONTROLLER 0xFF

bool dev_reset_cf9_io(struct vm *vm, u16 port, unsigned size, bool in, u32 *val)
{
	(void)port;
	(void)size;
	struct vm_devices *d = vm->devices;
	if (in) {
		*val = d->reset_control;
		return true;
	}
	u8 b = (u8)*val;
	d->reset_control = b & (RCR_SYS_RST | RCR_FULL_RST);
	if (b & RCR_RST_CPU) {
		char how[48];
		fmt_snprintf(how, sizeof(how), "port 0xCF9 = 0x%02x", b);
		vm_reset(vm, how);
	}
	return true;
}

bool dev_kbc_io(struct vm *vm, u16 port, unsigned size, bool in, u32 *val)
{
	(void)port;
	(void)size;
	if (in) {
		*val = KBC_NO_CONTROLLER;
		return true;
	}
	if ((u8)*val == KBC_PULSE_RESET)
		vm_reset(vm, "keyboard controller command 0xFE at port 0x64");
	return true;
}
