/* PCI configuration space through the legacy 0xCF8/0xCFC mechanism (PCI Local Bus 3.0,
 * 3.2.2.3.2), which every x86 PC chipset keeps for buses 0..255. */
#ifndef ARCH_X86_PCI_H
#define ARCH_X86_PCI_H

#include "lib/types.h"

#define PCI_CFG_VENDOR 0x00
#define PCI_CFG_DEVICE 0x02
#define PCI_CFG_COMMAND 0x04
#define PCI_CFG_HEADER_TYPE 0x0E
#define PCI_CFG_BAR0 0x10
#define PCI_COMMAND_MEMORY BIT(1)
#define PCI_COMMAND_MASTER BIT(2)
#define PCI_HEADER_MULTIFUNCTION 0x80
#define PCI_BAR_IO BIT(0)
#define PCI_BAR_TYPE_MASK 0x6u
#define PCI_BAR_TYPE_64 0x4u
#define PCI_BAR_MEM_MASK (~0xFULL)

u32 pci_cfg_read32(u8 bus, u8 dev, u8 fn, u8 off);
void pci_cfg_write32(u8 bus, u8 dev, u8 fn, u8 off, u32 val);

#endif
