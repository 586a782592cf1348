/* The 8254 programmable interval timer at 0x40-0x43 (Intel 82C54 data sheet) and port 0x61
 * (NMI status and control: channel 2 gate, speaker enable, OUT2, refresh toggle). Channel 0
 * raises ISA IRQ0 on the PIC; channel 2 is what kernels calibrate the TSC against. Counting is
 * derived from the host TSC at the 1.193182 MHz PIT clock, the same counter the guest's RDTSC
 * reads, so a guest that times its TSC against channel 2 measures sevisor's own TSC rate
 * whatever the host load; every port, 0x61 and channel 2 included, is modelled and none reaches
 * the host's 8254 or its system control port. */
#ifndef SVM_DEV_PIT_H
#define SVM_DEV_PIT_H

#include "lib/types.h"

struct vm;

#define PIT_HZ 1193182ULL
#define PIT_CHANNELS 3

struct dev_pit_channel {
	u16 reload;      /* the count written (0 means the maximum: 65536, or 10000 in BCD) */
	u32 start;       /* what the counting element holds at load_time (binary) */
	u64 load_time;   /* host TSC at which the counting element holds `start` */
	u8 mode;         /* 0-5 */
	u8 access;       /* 1 LSB, 2 MSB, 3 LSB then MSB */
	bool bcd;
	bool gate;
	bool loaded;     /* a count was written since the control word (else "null count") */
	bool counting;   /* loaded and running: gate high (modes 0, 2, 3, 4) or triggered (1, 5) */
	bool out_held;   /* OUT while not counting (mode 0 paused by the gate: the OUT it had) */
	bool write_msb;  /* next write of an LSB-then-MSB pair is the MSB */
	bool read_msb;   /* next read of an LSB-then-MSB pair is the MSB */
	u8 write_lsb;
	bool latched;    /* a counter latch holds latched_count */
	u16 latched_count;
	bool status_latched;
	u8 status;
	u64 next_irq;    /* channel 0: host TSC of the next OUT rising edge (IRQ0), or LAPIC_NO_DEADLINE */
};

struct dev_pit {
	struct dev_pit_channel ch[PIT_CHANNELS];
	u8 port61;       /* port 0x61 bits 3:0 as written (gate 2, speaker, parity/IOCHK enables) */
};

void dev_pit_reset(struct dev_pit *p);
bool dev_pit_io(struct vm *vm, u16 port, unsigned size, bool in, u32 *val);
bool dev_port61_io(struct vm *vm, u16 port, unsigned size, bool in, u32 *val);
/* Counter value and OUT of a channel at host TSC `now` (for port reads and tests). */
u16 dev_pit_count(const struct dev_pit_channel *c, u64 now);
bool dev_pit_out(const struct dev_pit_channel *c, u64 now);
void dev_pit_tick(struct vm *vm, u64 now);
u64 dev_pit_next_deadline(const struct dev_pit *p);

#endif
