/* The 8254 programmable interval timer at 0x40-0x43 (Intel 82C54 data sheet) and port 0x61
 * (NMI status and control: channel 2 gate, speaker enable, OUT2, refresh toggle). Channel 0
 * raises ISA IRQ0 on the PIC; channel 2 is what kernels calibrate the TSC against. Counting is
 * derived from the host TSC at the 1.193182 MHz PIT clock. */
#ifndef SVM_DEV_PIT_H
#define SVM_DEV_PIT_H

#include "lib/types.h"

struct vm;

#define PIT_HZ 1193182ULL
#define PIT_CHANNELS 3

struct dev_pit_channel {
	u32 reload;      /* the count written (0 means 65536) */
	u64 load_time;   /* host TSC when counting (re)started */
	u8 mode;         /* 0-5 */
	u8 access;       /* 1 LSB, 2 MSB, 3 LSB then MSB */
	bool bcd;
	bool gate;
	bool counting;   /* a count was written (and, for channel 2, the gate allows counting) */
	bool write_msb;  /* next write of an LSB-then-MSB pair is the MSB */
	bool read_msb;   /* next read of an LSB-then-MSB pair is the MSB */
	u8 write_lsb;
	bool latched;    /* a counter latch holds latched_count */
	u16 latched_count;
	bool latched_msb; /* the latch's LSB was read */
	bool status_latched;
	u8 status;
	u64 next_irq;    /* channel 0: host TSC of the next IRQ0 edge, or LAPIC_NO_DEADLINE */
};

struct dev_pit {
	struct dev_pit_channel ch[PIT_CHANNELS];
	bool speaker; /* port 0x61 bit 1 */
};

/* Channel 2 pass-through (plain guests): a kernel calibrates its TSC by timing channel 2 through
 * thousands of reads of ports 0x42 and 0x61 and rejects the result when one read takes more
 * than a few microseconds (Linux: quick_pit_calibrate, pit_calibrate_tsc); an intercepted read
 * costs far more under nested emulation. So those two ports go straight to the host's 8254,
 * whose channel 2 and port 0x61 sevisor never uses, and channel 2's control words written to
 * 0x43 (still intercepted: channels 0 and 1 stay modelled) are forwarded through `host_control`.
 * The guest TSC runs at the host's rate, so it calibrates against a real PIT. NULL turns
 * forwarding off (then the model's channel 2 answers, as for SEV-ES guests). */
void dev_pit_set_host_control(void (*host_control)(u8 control_word));
/* Clears the IOPM bits of the passed-through ports (APM 15.10.1: one bit per port). */
void dev_pit_iopm_passthrough(u8 *iopm);
#define PIT_PORT_CH2 0x42
#define PIT_PORT_61 0x61

void dev_pit_reset(struct dev_pit *p);
bool dev_pit_io(struct vm *vm, u16 port, unsigned size, bool in, u32 *val);
bool dev_port61_io(struct vm *vm, u16 port, unsigned size, bool in, u32 *val);
/* Counter value and OUT of a channel at host TSC `now` (for port reads and tests). */
u16 dev_pit_count(const struct dev_pit_channel *c, u64 now);
bool dev_pit_out(const struct dev_pit_channel *c, u64 now);
void dev_pit_tick(struct vm *vm, u64 now);
u64 dev_pit_next_deadline(const struct dev_pit *p);

#endif
