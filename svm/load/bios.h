/* The platform state a PC BIOS leaves behind when it hands a plain Multiboot guest to its loader
 * (GRUB on a BIOS PC): the 8259 pair initialised with IRQ0 at vector 0x08 and IRQ8 at 0x70, the
 * timer (IRQ0), cascade (IRQ2) and RTC (IRQ8) inputs unmasked; 8254 channel 0 running at the
 * 18.2 Hz tick; a real-mode interrupt vector table whose hardware-IRQ vectors point at handlers
 * that acknowledge the PIC and return, and whose other vectors point at a bare IRET. Real-mode
 * guests (kvm-unit-tests `realmode`: `sti; hlt` waits for the BIOS tick) depend on it.
 *
 * sevisor provides no BIOS services: INT 10h, 13h, 15h... land on the bare IRET.
 *
 * Who gets it (svm/load/kernel.c): plain-mode Multiboot guests only.
 * - SEV-ES guests (sev-es, soft-es) boot under OVMF on real systems, which leaves the 8259s
 *   masked and installs no real-mode IVT; their memory is also measured at launch, and a BIOS
 *   stub in it would be part of every launch digest.
 * - Linux (bzImage) is entered at its 32-bit boot protocol entry, which assumes nothing of the
 *   PIC or the PIT, and reprograms both itself (init_8259A, the PIT clockevent); the loaders that
 *   take that entry on current systems (UEFI GRUB, the EFI stub) leave the PIC as OVMF does. */
#ifndef SVM_LOAD_BIOS_H
#define SVM_LOAD_BIOS_H

#include "lib/types.h"
#include "svm/load/multiboot.h"

struct vm;

/* Where the handlers live: the top 64 KiB below 1 MiB, the system BIOS segment F000h of a PC. */
#define SVM_BIOS_SEGMENT 0xF000u
#define SVM_BIOS_BASE 0xF0000u
#define SVM_BIOS_SIZE 0x10000u
/* Offsets in segment F000h, at the top where the IBM PC/AT BIOS keeps its fixed entry points
 * (compatible BIOSes, SeaBIOS too, keep them): the master's handler at F000:FEA5, the PC/AT's
 * INT 08h (IRQ0) entry; the bare IRET at F000:FF53, its "dummy interrupt handler"; the slave's
 * handler in the free bytes before it. The low part of the segment stays free (Linux guests
 * get their ACPI tables at 0xF0000, svm/load/linux.c). */
#define SVM_BIOS_HWPIC1_OFF 0xFEA5u /* IRQ0-7: EOI to the master */
#define SVM_BIOS_HWPIC2_OFF 0xFF40u /* IRQ8-15: EOI to the slave, then the master */
#define SVM_BIOS_IRET_OFF 0xFF53u

/* The vector bases a PC BIOS gives the two 8259s (ICW2). */
#define SVM_BIOS_IRQ0_VECTOR 0x08u
#define SVM_BIOS_IRQ8_VECTOR 0x70u

/* The guest-physical range the BIOS area takes, for the memory map (reserved, as a BIOS's
 * e820 reports it). */
extern const struct svm_mb_range svm_bios_reserved;

/* Writes the IVT and the handlers into guest RAM and programs the PIC and the PIT through the
 * guest's port dispatch with the writes SeaBIOS makes. False if guest RAM does not reach
 * 1 MiB (then nothing is written). */
bool svm_bios_setup(struct vm *vm);

#endif
