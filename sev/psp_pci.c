/* See psp_pci.h. Configuration header offsets: PCI Local Bus 3.0, 6.1. */
#include "sev/psp_pci.h"
#include "arch/x86/pci.h"

bool sev_pci_find_psp(sev_pci_read32_fn read32, struct sev_pci_psp *out)
{
	for (unsigned bus = 0; bus < 256; bus++) {
		for (u8 dev = 0; dev < 32; dev++) {
			for (u8 fn = 0; fn < 8; fn++) {
				u32 id = read32((u8)bus, dev, fn, PCI_CFG_VENDOR);
				if ((id & 0xFFFF) == 0xFFFF) {
					if (fn == 0)
						break; /* no device here */
					continue;
				}
				const struct sev_psp_device *d =
					(id & 0xFFFF) == SEV_PCI_VENDOR_AMD ? sev_psp_device_lookup((u16)(id >> 16)) : NULL;
				if (d) {
					*out = (struct sev_pci_psp){ (u8)bus, dev, fn, (u16)(id >> 16), d };
					return true;
				}
				/* The header type byte is bits 23:16 of the dword at 0x0C. */
				u32 hdr = read32((u8)bus, dev, fn, PCI_CFG_HEADER_TYPE & ~3u);
				if (fn == 0 && !((hdr >> 16) & PCI_HEADER_MULTIFUNCTION))
					break;
			}
		}
	}
	return false;
}

u64 sev_pci_bar(sev_pci_read32_fn read32, const struct sev_pci_psp *loc, unsigned n, const char **why)
{
	u8 off = (u8)(PCI_CFG_BAR0 + 4 * n);
	u32 lo = read32(loc->bus, loc->dev, loc->fn, off);
	if (lo & PCI_BAR_IO) {
		*why = "an I/O BAR, not memory";
		return 0;
	}
	u64 bar = lo & PCI_BAR_MEM_MASK;
	if ((lo & PCI_BAR_TYPE_MASK) == PCI_BAR_TYPE_64)
		bar |= (u64)read32(loc->bus, loc->dev, loc->fn, (u8)(off + 4)) << 32;
	if (!bar)
		*why = "not assigned by the firmware";
	return bar;
}
