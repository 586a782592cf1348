/* Port I/O and MMIO dispatch to the guest's virtual devices. Used by the plain-mode IOIO/NPF
 * exit handlers and by the GHCB IOIO/MMIO events alike: one implementation per device.
 *
 * size is 1, 2 or 4 for ports and 1, 2, 4 or 8 for MMIO. Reads fill *val (zero-extended).
 * Returns false only when the access ended the guest (vm_terminate was called, e.g. an
 * unbacked MMIO access with unbacked = terminate); unclaimed ports read all ones. */
#ifndef SVM_DEV_IO_H
#define SVM_DEV_IO_H

#include "svm/vm.h"
#include "svm/exit_codes.h"

typedef bool (*svm_port_fn)(struct vm *vm, u16 port, unsigned size, bool in, u32 *val);

/* What a port row calls (svm_port_rows), one kind per direction, so that a row's handler takes
 * no direction and the value travels in a register, not through a stack slot: a read returns
 * the value, zero-extended and within the access size; a write takes it. The access is
 * described by the IOIO exit's EXITINFO1 word as it stands (APM vol. 2, 15.10.2: the port in
 * bits 31:16, the size one-hot in bits 6:4; svm_io_access_port, svm_io_width_of), so the exit
 * decodes nothing a row does not need. Neither says whether the access ended the guest
 * (isa-debug-exit, a reset): that is in vm->end, which the IOIO exit checks after every access.
 * (No port access fails today: every svm_port_fn returns true.) */
typedef u32 (*svm_port_read_fn)(struct vm *vm, u64 access);
typedef void (*svm_port_write_fn)(struct vm *vm, u64 access, u32 val);

/* The port of an access word. */
static inline u16 svm_io_access_port(u64 access)
{
	return (u16)(access >> SVM_IOIO_PORT_SHIFT);
}

/* The size field of an access word, indexed: the widest size it names, and the RAX bits an IN
 * of that size leaves alone (8 and 16 bits merge into RAX, 32 bits zero-extend into it: APM
 * vol. 3, IN), in one entry. */
struct svm_io_width {
	u64 keep;
	unsigned size;
};
extern const struct svm_io_width svm_io_widths[8];

static inline const struct svm_io_width *svm_io_width_of(u64 access)
{
	return &svm_io_widths[(access & SVM_IOIO_SIZE_MASK) >> SVM_IOIO_SIZE_SHIFT];
}

/* One port of a device that has a handler per register and direction (a register table): no
 * switch on the register or the direction in the device. The handlers may ignore the access
 * word: their place in the table fixes the port, and their registers are 8 bits wide, so a
 * read is within any access size. */
struct svm_port_reg {
	svm_port_read_fn in;
	svm_port_write_fn out;
};

struct svm_port_device {
	u16 base;
	u16 count;
	const char *name;
	svm_port_fn fn;                  /* every port of the range, both directions */
	const struct svm_port_reg *regs; /* or, when set, count entries: port base + i is regs[i] */
	/* an access first moves the deadline (devices_reprogrammed): a device with a deadline in
	 * devices_next_deadline, which an access may move */
	bool general;
};

/* The devices' port ranges (svm/dev/io.c). */
extern const struct svm_port_device svm_port_devices[];

/* What a port access calls, one row per device port (built from svm_port_devices): the
 * handlers by direction, and the device (NULL for row 0). A device with a register table has a
 * row per port, whose handlers are its registers'; any other device has a row for its range,
 * and row 0 (no device) one for every port nothing claims: their handlers go through
 * svm_io_port, which looks the device up again (and moves the deadline first for a general
 * device). 32 bytes, so that the index scales by a shift. */
struct svm_port_row {
	svm_port_read_fn in;
	svm_port_write_fn out;
	const struct svm_port_device *dev;
	u64 reserved;
};
extern struct svm_port_row svm_port_rows[];

/* The port index: for every port of the 64 Ki I/O space, its row in svm_port_rows, one byte
 * each. Rows and index are built once from the constant device table, by devices_init (so
 * before any VM's first port access) or by the first lookup by port: a function of that table
 * alone, they never go stale. */
extern u8 svm_port_index[];

/* A port's row, inline for the plain IOIO exit, where it is on the path of every IN and OUT:
 * two loads, whatever the port; the caller calls row->in or row->out. */
static inline const struct svm_port_row *svm_port_row_of(u16 port)
{
	return &svm_port_rows[(size_t)svm_port_index[port]]; /* size_t: no sign extension of the u8 */
}

/* Devices with a register table (svm/dev/uart.c). */
#define DEV_UART_PORTS 8
extern const struct svm_port_reg dev_uart_regs[DEV_UART_PORTS];

/* All ones in the low size bytes: what a read of size bytes can hold. */
static inline u32 svm_io_ones(unsigned size)
{
	return size >= 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
}

/* A port access: size 1, 2 or 4; a read fills *val, zero-extended. The device's own handler,
 * found by port (a general device's deadline may move: devices_reprogrammed); what nothing
 * claims reads all ones and drops writes, counted and logged once per port. For the GHCB IOIO
 * event, string I/O, the loaders, and the rows of the devices without a register table. */
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
