/* Port I/O and MMIO dispatch to the guest's virtual devices. Used by the plain-mode IOIO/NPF
 * exit handlers and by the GHCB IOIO/MMIO events alike: one implementation per device.
 *
 * size is 1, 2 or 4 for ports and 1, 2, 4 or 8 for MMIO. Reads fill *val (zero-extended).
 * Returns false only when the access ended the guest (vm_terminate was called, e.g. an
 * unbacked MMIO access with unbacked = terminate); unclaimed ports read all ones. */
#ifndef SVM_DEV_IO_H
#define SVM_DEV_IO_H

#include "svm/vm.h"

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
