/* Per-guest virtual devices (DESIGN.md "Guest-visible devices"): the 16550 UART at 0x3F8,
 * isa-debug-exit at 0xF4, fw_cfg at 0x510/0x511, the legacy PIC's mask registers, and a
 * minimal software local APIC (xAPIC page at 0xFEE00000). Each device is a row in the port or
 * MMIO table of io.c and has one implementation, used by every mode. */
#ifndef SVM_DEV_DEVICES_H
#define SVM_DEV_DEVICES_H

#include "lib/types.h"

struct vm;

#define UART_LINE_MAX 200

struct dev_uart {
	char line[UART_LINE_MAX + 1];
	unsigned len;
	bool wrapped; /* the last flush was a full line without newline */
	u8 ier, lcr, mcr, scr, dll, dlm;
};

struct dev_fw_cfg {
	u16 selector;
	u32 offset;
};

struct dev_pic {
	u8 imr[2];  /* interrupt mask registers of master and slave */
	u8 icw_step[2];
};

#define LAPIC_BASE_DEFAULT 0xFEE00000ULL
struct dev_lapic {
	u32 id, tpr, ldr, dfr, svr, esr, icr_lo, icr_hi, lvt_timer, lvt_lint0, lvt_lint1, lvt_error;
	u32 timer_icr, timer_dcr;
	u32 esr_pending;
};

#define IO_PORTS 65536
struct vm_devices {
	struct dev_uart uart;
	struct dev_fw_cfg fw_cfg;
	struct dev_pic pic;
	struct dev_lapic lapic;
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

void devices_init(struct vm_devices *d, u64 ram_size, u16 nr_cpus, bool unbacked_ignore);
/* Flushes a partial UART line into the log (at guest exit). */
void dev_uart_flush(struct vm *vm);

/* Port handlers: size 1/2/4; return false only if the access ended the guest. */
bool dev_uart_io(struct vm *vm, u16 port, unsigned size, bool in, u32 *val);
bool dev_debug_exit_io(struct vm *vm, u16 port, unsigned size, bool in, u32 *val);
bool dev_fw_cfg_io(struct vm *vm, u16 port, unsigned size, bool in, u32 *val);
bool dev_pic_io(struct vm *vm, u16 port, unsigned size, bool in, u32 *val);
/* Architectural reset of a vCPU's software local APIC. */
void dev_lapic_reset(struct dev_lapic *l, u32 apic_id);
/* MMIO handler for the xAPIC page; offset within the page. */
bool dev_lapic_mmio(struct vm *vm, u64 offset, unsigned size, bool write, u64 *val);
/* TPR coherence with CR8 (CR8[3:0] = TPR[7:4], APM vol. 2, 16.6.4). */
u32 dev_lapic_tpr(struct vm *vm);
void dev_lapic_set_tpr(struct vm *vm, u32 tpr);

#endif
