/* The MC146818 real-time clock and CMOS RAM at ports 0x70 (index; bit 7 masks NMI) and 0x71
 * (data) (Motorola MC146818A data sheet): the time registers show the host's time, read once
 * from the host RTC at start-up and advanced with the TSC; status registers A-D; the rest is
 * CMOS RAM with the PC's memory-size bytes filled in. */
#ifndef SVM_DEV_RTC_H
#define SVM_DEV_RTC_H

#include "lib/types.h"

struct vm;

#define RTC_CMOS_BYTES 128

struct dev_rtc {
	u8 index;
	bool nmi_masked;
	u8 reg_b;
	u8 cmos[RTC_CMOS_BYTES];
};

/* The host's wall-clock time (seconds since 1970, UTC) at host TSC tsc. */
void dev_rtc_set_host_time(u64 epoch_seconds, u64 tsc);
void dev_rtc_reset(struct dev_rtc *r, u64 ram_size);
bool dev_rtc_io(struct vm *vm, u16 port, unsigned size, bool in, u32 *val);

#endif
