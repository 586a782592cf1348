/* The MC146818 real-time clock and CMOS RAM at ports 0x70 (index; bit 7 masks NMI) and 0x71
 * (data) (Motorola MC146818A data sheet): the time registers show the host's time, read once
 * from the host RTC at start-up and advanced with the TSC; status registers A-D with the
 * periodic, alarm and update-ended interrupts on ISA IRQ 8; the rest is CMOS RAM with the PC's
 * memory-size bytes filled in. */
#ifndef SVM_DEV_RTC_H
#define SVM_DEV_RTC_H

#include "lib/types.h"

struct vm;

#define RTC_CMOS_BYTES 128

struct dev_rtc {
	u8 index;
	bool nmi_masked;
	u8 reg_a, reg_b;
	u8 flags;       /* status C's PF/AF/UF, gathered since status C was last read */
	u64 seen;       /* host TSC up to which the flags are gathered */
	bool irq;       /* the IRQ 8 line: IRQF */
	u64 next_irq;   /* host TSC of the next event that would raise IRQF, or LAPIC_NO_DEADLINE */
	u8 cmos[RTC_CMOS_BYTES];
};

/* The host's wall-clock time (seconds since 1970, UTC) at host TSC tsc. */
void dev_rtc_set_host_time(u64 epoch_seconds, u64 tsc);
void dev_rtc_reset(struct dev_rtc *r, u64 ram_size);
bool dev_rtc_io(struct vm *vm, u16 port, unsigned size, bool in, u32 *val);
/* Gathers the flags due at `now` and drives IRQ 8; the next deadline (LAPIC_NO_DEADLINE). */
void dev_rtc_tick(struct vm *vm, u64 now);
u64 dev_rtc_next_deadline(const struct dev_rtc *r);

#endif
