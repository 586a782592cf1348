/* Per-guest virtual devices (DESIGN.md "Guest-visible devices"): the 16550 UART at 0x3F8,
 * isa-debug-exit at 0xF4, fw_cfg at 0x510/0x511, the 8259 PIC pair, the 8254 PIT, the MC146818
 * RTC/CMOS, reset (0xCF9, 0x64), the ACPI PM1 registers (0x600), the HPET at 0xFED00000 and the local APIC (xAPIC page at
 * 0xFEE00000), each in its own file. Each device is a row in the port or MMIO table of io.c and
 * has one implementation, used by every mode; svm/dev/intr.c is what reaches the CPU. */
#ifndef SVM_DEV_DEVICES_H
#define SVM_DEV_DEVICES_H

#include "lib/types.h"
#include "svm/dev/lapic.h"
#include "svm/dev/pic.h"
#include "svm/dev/pit.h"
#include "svm/dev/hpet.h"
#include "svm/dev/rtc.h"
#include "svm/dev/acpi_pm.h"

/* Whether a maskable interrupt waits, as last evaluated (svm/dev/intr.h). */
struct dev_intr_summary {
	/* Either flag sends an entry to the general event rule (svm_event_summary_quiet): one
	 * test of `flags` answers both. */
	union {
		struct {
			bool stale;    /* something it depends on changed since (dev_intr_changed) */
			bool maskable; /* the answer then */
		};
		u16 flags;
	};
};
ASSERT_OFFSET(struct dev_intr_summary, stale, 0);
ASSERT_OFFSET(struct dev_intr_summary, maskable, 1);
ASSERT_SIZE(struct dev_intr_summary, 2);

struct vm;

#define UART_LINE_MAX 200
#define UART_FIFO_BYTES 16

struct dev_uart {
	char line[UART_LINE_MAX + 1];
	unsigned len;
	bool wrapped; /* the last flush was a full line without newline */
	u8 ier, lcr, mcr, scr, dll, dlm, fcr;
	bool thre_pending; /* the transmitter-empty interrupt, until IIR reports it or THR is written */
	/* Receiver: the FIFO (one byte deep with FIFOs off), and the overrun error for LSR. */
	u8 rx[UART_FIFO_BYTES];
	u8 rx_head, rx_count;
	bool overrun;
};

struct dev_fw_cfg {
	u16 selector;
	u32 offset;
};



#define IO_PORTS 65536
struct vm_devices {
	struct dev_uart uart;
	struct dev_fw_cfg fw_cfg;
	struct dev_pic pic;
	struct dev_pit pit;
	struct dev_hpet hpet;
	struct dev_rtc rtc;
	struct dev_lapic lapic;
	/* The earliest timer deadline (devices_next_deadline), valid while deadline_stale is
	 * clear: recomputed only after a timer device was programmed or fired. */
	u64 next_deadline;
	bool deadline_stale;
	u64 intr_outside; /* dev_lapic_outside_inputs when the interrupt summary was evaluated */
	/* The devices' inputs of the run loop's kept quiet entry (svm/quiet_entry.h) in one word,
	 * so that one test answers "any of them set": each byte is kept by its owner as before,
	 * and any of them set sends the loop to its general top. */
	union {
		struct {
			struct dev_intr_summary intr; /* bytes 0-1 (svm/dev/intr.h) */
			bool nmi_pending;    /* the NMI line: an NMI accepted (APIC ICR or LINT1), not yet delivered */
			/* Set with deadline_stale (devices_reprogrammed), but cleared only by
			 * svm_quiet_entry_prepare, which keeps the deadline it read: a refresh in
			 * between (devices_next_deadline) cannot hide that the deadline moved. */
			bool deadline_moved;
		};
		u32 quiet_blockers;
	};
	struct dev_acpi_pm acpi_pm;
	u8 reset_control;     /* port 0xCF9 (svm/dev/reset.c) */
	bool unbacked_ignore; /* config unbacked = ignore */
	u64 ram_size;         /* for fw_cfg */
	u16 nr_cpus;
	/* Unclaimed accesses: counted, and logged once per port / per page. */
	u8 port_logged[IO_PORTS / 8];
	u64 unclaimed_port_accesses;
	u64 unbacked_accesses;
	u64 unbacked_logged_pages[256];
	unsigned nr_unbacked_logged;
	bool unbacked_log_full; /* more pages than the table: said once, then only counted */
};

ASSERT_OFFSET(struct vm_devices, intr.stale, offsetof(struct vm_devices, quiet_blockers));
ASSERT_OFFSET(struct vm_devices, intr.maskable, offsetof(struct vm_devices, quiet_blockers) + 1);
ASSERT_OFFSET(struct vm_devices, nmi_pending, offsetof(struct vm_devices, quiet_blockers) + 2);
ASSERT_OFFSET(struct vm_devices, deadline_moved, offsetof(struct vm_devices, quiet_blockers) + 3);

void devices_init(struct vm_devices *d, u64 ram_size, u16 nr_cpus, bool unbacked_ignore);
/* Flushes a partial UART line into the log (at guest exit). */
void dev_uart_flush(struct vm *vm);
/* Bytes arriving on the UART's receive line (a host console's input): as many as the receiver
 * has room for go in, and the count is returned (the caller holds the rest back, as flow
 * control would). Raises the receive interrupt as IER and FCR ask. */
unsigned dev_uart_receive(struct vm *vm, const u8 *data, unsigned n);

/* Port handlers: size 1/2/4; return false only if the access ended the guest. */
bool dev_debug_exit_io(struct vm *vm, u16 port, unsigned size, bool in, u32 *val);
bool dev_fw_cfg_io(struct vm *vm, u16 port, unsigned size, bool in, u32 *val);
bool dev_reset_cf9_io(struct vm *vm, u16 port, unsigned size, bool in, u32 *val);
bool dev_kbc_io(struct vm *vm, u16 port, unsigned size, bool in, u32 *val);

#endif
