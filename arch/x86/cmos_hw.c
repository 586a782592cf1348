/* The host's wall-clock time from the machine's own MC146818 RTC (ports 0x70/0x71), read once
 * at start-up for the guests' RTC (svm/dev/rtc.c). */
#include "arch/x86/cmos.h"
#include "arch/x86/cpu.h"
#include "lib/date.h"

#define CMOS_INDEX 0x70
#define CMOS_DATA 0x71
#define CMOS_STATUS_A_UIP 0x80
#define CMOS_STATUS_B_DM 0x04
#define CMOS_STATUS_B_24H 0x02
#define CMOS_HOUR_PM 0x80
#define UIP_SPINS 1000000

static u8 cmos_read(u8 reg)
{
	outb(CMOS_INDEX, reg);
	return inb(CMOS_DATA);
}

static unsigned from_bcd(u8 v, bool binary)
{
	return binary ? v : (v >> 4) * 10 + (v & 0xF);
}

u64 host_rtc_epoch(void)
{
	/* Wait for the end of an update cycle so all fields belong to one second. */
	for (unsigned i = 0; i < UIP_SPINS && (cmos_read(0x0A) & CMOS_STATUS_A_UIP); i++)
		;
	u8 b = cmos_read(0x0B);
	bool bin = b & CMOS_STATUS_B_DM;
	u8 hour = cmos_read(0x04);
	struct date_time t = {
		.second = from_bcd(cmos_read(0x00), bin),
		.minute = from_bcd(cmos_read(0x02), bin),
		.day = from_bcd(cmos_read(0x07), bin),
		.month = from_bcd(cmos_read(0x08), bin),
		.year = from_bcd(cmos_read(0x32), bin) * 100 + from_bcd(cmos_read(0x09), bin),
	};
	t.hour = from_bcd(hour & ~CMOS_HOUR_PM, bin);
	if (!(b & CMOS_STATUS_B_24H))
		t.hour = t.hour % 12 + ((hour & CMOS_HOUR_PM) ? 12 : 0);
	if (t.year < 1970 || !t.month || t.month > 12 || !t.day)
		return 0; /* not a sane clock */
	return date_to_epoch(&t);
}
