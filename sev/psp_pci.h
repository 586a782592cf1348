/* Finding the PSP on PCI and its BAR 2 (ghcb-sev-facts.md F.1), in pure C over a
 * configuration-space reader so the scan and the BAR decoding are unit-tested; platform_hw.c
 * passes arch/x86/pci_hw.c's reader. */
#ifndef SEV_PSP_PCI_H
#define SEV_PSP_PCI_H

#include "sev/psp_mailbox.h"

typedef u32 (*sev_pci_read32_fn)(u8 bus, u8 dev, u8 fn, u8 off);

struct sev_pci_psp {
	u8 bus, dev, fn;
	u16 device_id;
	const struct sev_psp_device *psp;
};

/* The first AMD function with an SEV mailbox (sev_psp_device_lookup), scanning every bus and
 * device, and functions 1..7 only of multi-function devices (PCI 3.0, 6.2.1 header type bit 7). */
bool sev_pci_find_psp(sev_pci_read32_fn read32, struct sev_pci_psp *out);

/* The memory address BAR n of a function decodes (a 64-bit BAR takes the next one as its high
 * half), or 0 with why set when it is an I/O BAR or unassigned. */
u64 sev_pci_bar(sev_pci_read32_fn read32, const struct sev_pci_psp *loc, unsigned n, const char **why);

#endif
