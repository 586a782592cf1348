/* Small port devices: isa-debug-exit (the guest's verdict) and fw_cfg (what test kernels ask
 * QEMU's firmware interface). */
#include "svm/dev/devices.h"
#include "svm/vm.h"
#include "lib/kstring.h"
#include "lib/log.h"

/* isa-debug-exit: the guest writes its exit code; QEMU's device would exit with
 * (code << 1) | 1, here it ends this guest with `code` as its verdict. */
bool dev_debug_exit_io(struct vm *vm, u16 port, unsigned size, bool in, u32 *val)
{
	(void)port;
	(void)size;
	if (in) {
		*val = 0xFFFFFFFFu;
		return true;
	}
	vm_exit_with_code(vm, *val);
	return true;
}

/* fw_cfg (QEMU docs/specs/fw_cfg.txt): selector at 0x510 (16-bit write), data at 0x511
 * (byte reads, advancing). Keys: signature, id, RAM size, CPU count. */
#define FW_CFG_PORT_SEL 0x510
#define FW_CFG_SIGNATURE 0x00
#define FW_CFG_ID 0x01
#define FW_CFG_RAM_SIZE 0x03
#define FW_CFG_NB_CPUS 0x05
#define FW_CFG_MAX_CPUS 0x0F

static unsigned fw_cfg_item(const struct vm_devices *d, u16 key, u8 *buf)
{
	u64 v;
	switch (key) {
	case FW_CFG_SIGNATURE: memcpy(buf, "QEMU", 4); return 4;
	case FW_CFG_ID: v = 1; memcpy(buf, &v, 4); return 4; /* traditional interface only */
	case FW_CFG_RAM_SIZE: memcpy(buf, &d->ram_size, 8); return 8;
	case FW_CFG_NB_CPUS:
	case FW_CFG_MAX_CPUS: memcpy(buf, &d->nr_cpus, 2); return 2;
	default: return 0;
	}
}

bool dev_fw_cfg_io(struct vm *vm, u16 port, unsigned size, bool in, u32 *val)
{
	struct dev_fw_cfg *f = &vm->devices->fw_cfg;
	if (port == FW_CFG_PORT_SEL) {
		if (in) {
			*val = f->selector;
		} else {
			f->selector = (u16)*val;
			f->offset = 0;
		}
		return true;
	}
	if (!in)
		return true; /* data writes are not supported by the traditional interface */
	u8 buf[8];
	unsigned n = fw_cfg_item(vm->devices, f->selector, buf);
	u32 out = 0;
	for (unsigned i = 0; i < size; i++, f->offset++)
		out |= (u32)(f->offset < n ? buf[f->offset] : 0) << (8 * i);
	*val = out;
	return true;
}
