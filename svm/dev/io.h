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

struct svm_port_device {
	u16 base;
	u16 count;
	const char *name;
	svm_port_fn fn;
	/* svm_io_port_other serves it: a device with a deadline in devices_next_deadline (an
	 * access may move it), or entry 0 */
	bool general;
};

/* The devices' port ranges (svm/dev/io.c), and the port index: for every port of the 64 Ki
 * I/O space, its device's position in svm_port_devices, one byte each. Entry 0 of the table
 * stands for no device, and for every port until the index is filled: svm_io_port_other fills
 * it from the constant table on its first call, so the index is a function of the table alone
 * and never goes stale. */
extern const struct svm_port_device svm_port_devices[];
extern u8 svm_port_index[];

/* All ones in the low size bytes: what a read of size bytes can hold. */
static inline u32 svm_io_ones(unsigned size)
{
	return size >= 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
}

/* svm_io_port for every port: looks the device up in the table (filling the index first when
 * it is empty); a timer device's deadline may move (devices_reprogrammed); what nothing claims
 * reads all ones and drops writes, counted and logged once per port. */
bool svm_io_port_other(struct vm *vm, u16 port, unsigned size, bool in, u32 *val);

/* A port access (svm_io_port), inline for the plain IOIO exit, where it is on the path of
 * every IN and OUT: a port of a device without a timer costs two loads and the device's call.
 * Entry 0 (nothing there, or the index not filled yet) and timer devices go to
 * svm_io_port_other, which gives the same result for them as for any port. */
static inline bool svm_io_port_inline(struct vm *vm, u16 port, unsigned size, bool in, u32 *val)
{
	const struct svm_port_device *d = &svm_port_devices[svm_port_index[port]];
	if (d->general)
		return svm_io_port_other(vm, port, size, in, val);
	if (!in)
		return d->fn(vm, port, size, false, val);
	bool ok = d->fn(vm, port, size, true, val);
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
