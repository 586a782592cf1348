/* PCI configuration mechanism #1: address to 0xCF8 (enable bit 31, bus 23:16, device 15:11,
 * function 10:8, dword-aligned register 7:2), data at 0xCFC. */
#include "arch/x86/pci.h"
#include "arch/x86/cpu.h"

#define PCI_CFG_ADDR 0xCF8
#define PCI_CFG_DATA 0xCFC
#define PCI_CFG_ENABLE BIT(31)

static u32 cfg_address(u8 bus, u8 dev, u8 fn, u8 off)
{
	return (u32)PCI_CFG_ENABLE | ((u32)bus << 16) | ((u32)(dev & 0x1F) << 11) | ((u32)(fn & 7) << 8) | (off & 0xFC);
}

u32 pci_cfg_read32(u8 bus, u8 dev, u8 fn, u8 off)
{
	outl(PCI_CFG_ADDR, cfg_address(bus, dev, fn, off));
	return inl(PCI_CFG_DATA);
}

void pci_cfg_write32(u8 bus, u8 dev, u8 fn, u8 off, u32 val)
{
	outl(PCI_CFG_ADDR, cfg_address(bus, dev, fn, off));
	outl(PCI_CFG_DATA, val);
}
