/* Port I/O and MMIO dispatch to the guest's virtual devices. Used by the plain-mode IOIO/NPF
 * exit handlers and by the GHCB IOIO/MMIO events alike: one implementation per device.
 *
 * size is 1, 2 or 4 for ports and 1, 2, 4 or 8 for MMIO. Reads fill *val (zero-extended).
 * Returns false only when the access ended the guest (vm_terminate was called, e.g. an
 * unbacked MMIO access with unbacked = terminate); unclaimed ports read all ones. */
#ifndef SVM_DEV_IO_H
#define SVM_DEV_IO_H

#include "svm/vm.h"

typedef bool (*svm_port_fn)(struct vm *vm, u16 port, unsigned size, bool in, u32 *val);

/* One port of a device that has a handler per register and direction (a register table): no
 * switch on the register or the direction in the device. The handlers take the svm_port_fn
 * arguments and may ignore port, size and in, which their place in the table fixes. */
struct svm_port_reg {
	svm_port_fn in, out;
};

struct svm_port_device {
	u16 base;
	u16 count;
	const char *name;
	svm_port_fn fn;                  /* every port of the range, both directions */
	const struct svm_port_reg *regs; /* or, when set, count entries: port base + i is regs[i] */
	/* svm_io_port_other serves it, through fn (a general device has no register table): a
	 * device with a deadline in devices_next_deadline (an access may move it), or entry 0 */
	bool general;
};

/* The devices' port ranges (svm/dev/io.c). */
extern const struct svm_port_device svm_port_devices[];

/* What a port access calls, one row per device port (built from svm_port_devices): the
 * handlers by direction, and the device (NULL for row 0). A device with a register table has a
 * row per port, one without a row for its range; a general device's row calls
 * svm_io_port_other both ways, which moves the deadline first. Row 0 (no device, or the index
 * not built yet) calls svm_io_port_other too. 32 bytes, so that the index scales by a shift. */
struct svm_port_row {
	svm_port_fn in, out;
	const struct svm_port_device *dev;
	u64 reserved;
};
extern struct svm_port_row svm_port_rows[];

/* The port index: for every port of the 64 Ki I/O space, its row in svm_port_rows, one byte
 * each. Every port reaches row 0 until the index is built: svm_io_port_other builds the rows and
 * the index from the constant device table on its first call, so both are a function of that
 * table alone and never go stale. */
extern u8 svm_port_index[];

/* Devices with a register table (svm/dev/uart.c). */
#define DEV_UART_PORTS 8
extern const struct svm_port_reg dev_uart_regs[DEV_UART_PORTS];

/* All ones in the low size bytes: what a read of size bytes can hold. */
static inline u32 svm_io_ones(unsigned size)
{
	return size >= 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
}

/* svm_io_port for row 0 and the general devices: looks the device up (building the index
 * first when it is empty); a timer device's deadline may move (devices_reprogrammed); what
 * nothing claims reads all ones and drops writes, counted and logged once per port. */
bool svm_io_port_other(struct vm *vm, u16 port, unsigned size, bool in, u32 *val);

/* A port access (svm_io_port), inline for the plain IOIO exit, where it is on the path of
 * every IN and OUT: two loads and the row's call, whatever the port. Row 0 and the timer
 * devices' rows call svm_io_port_other, which gives the same result for them as for any port.
 * A read is not cut to size here (svm_io_port_read_uncut): the IN exit merges it into RAX
 * with a mask of its own. */
static inline bool svm_io_port_write_inline(struct vm *vm, u16 port, unsigned size, u32 *val)
{
	return svm_port_rows[svm_port_index[port]].out(vm, port, size, false, val);
}

static inline bool svm_io_port_read_uncut(struct vm *vm, u16 port, unsigned size, u32 *val)
{
	return svm_port_rows[svm_port_index[port]].in(vm, port, size, true, val);
}

static inline bool svm_io_port_inline(struct vm *vm, u16 port, unsigned size, bool in, u32 *val)
{
	if (!in)
		return svm_io_port_write_inline(vm, port, size, val);
	bool ok = svm_io_port_read_uncut(vm, port, size, val);
	*val &= svm_io_ones(size);
	return ok;
}

/* The same, out of line: for the GHCB IOIO event, string I/O and the loaders. */
bool svm_io_port(struct vm *vm, u16 port, unsigned size, bool in, u32 *val);

bool svm_mmio(struct vm *vm, u64 gpa, unsigned size, bool write, u64 *val);

/* The port ranges the devices claim, i = 0, 1, ... until it returns false, and the name of the
 * device a port reaches (NULL when none claims it): for tests and diagnostics. */
bool svm_io_port_range(unsigned i, u16 *base, u16 *count);
const char *svm_io_port_device(u16 port);

/* The GPA ranges the MMIO devices claim, i = 0, 1, ... until it returns false: what an SEV-ES
 * guest's NPT marks with reserved-bit entries (svm_npt_map_mmio, facts G23). The local APIC
 * is given at its reset base; a guest that moves it through IA32_APIC_BASE is not followed. */
bool svm_mmio_range(unsigned i, u64 *base, u64 *size);

#endif
