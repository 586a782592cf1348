/* See rtc.h. Register map (MC146818A data sheet): 0 seconds, 2 minutes, 4 hours, 6 day of week,
 * 7 date, 8 month, 9 year; 1, 3, 5 alarms; 0x0A-0x0D status A-D. Status B bit 2 (DM) selects
 * binary instead of BCD, bit 1 the 24-hour mode; bit 7 of the 12-hour hour is PM. Status A bit
 * 7 (UIP) is never set: the time is computed at each read, never half-updated. CMOS bytes of
 * the PC/AT (and of the QEMU/Bochs BIOS): 0x15/0x16 base memory in KiB, 0x17/0x18 and 0x30/0x31
 * extended memory in KiB (to 64 MiB), 0x34/0x35 memory above 16 MiB in 64 KiB units, 0x32 the
 * century in BCD. */
#include "svm/dev/rtc.h"
#include "svm/dev/clock.h"
#include "svm/dev/devices.h"
#include "svm/vm.h"
#include "lib/date.h"
#include "lib/kstring.h"

enum {
	RTC_SECONDS = 0x00, RTC_MINUTES = 0x02, RTC_HOURS = 0x04, RTC_WEEKDAY = 0x06, RTC_DAY = 0x07,
	RTC_MONTH = 0x08, RTC_YEAR = 0x09, RTC_STATUS_A = 0x0A, RTC_STATUS_B = 0x0B, RTC_STATUS_C = 0x0C,
	RTC_STATUS_D = 0x0D, CMOS_BASE_MEM_LO = 0x15, CMOS_EXT_MEM_LO = 0x17, CMOS_EXT_MEM2_LO = 0x30,
	CMOS_CENTURY = 0x32, CMOS_HIGH_MEM_LO = 0x34,
};

#define RTC_PORT_INDEX 0x70
#define RTC_INDEX_NMI_MASK 0x80
#define STATUS_A_DEFAULT 0x26 /* 32.768 kHz time base, 1024 Hz periodic rate */
#define STATUS_B_DEFAULT 0x02 /* 24-hour, BCD, no interrupts */
#define STATUS_B_DM 0x04
#define STATUS_B_24H 0x02
#define STATUS_B_WRITABLE 0x7F /* SET (bit 7) would freeze the clock: not modelled */
#define STATUS_D_VRT 0x80     /* valid RAM and time */
#define HOUR_PM 0x80
#define BASE_MEM_KB 640
#define MB16 (16ULL << 20)
#define MB64 (64ULL << 20)

static u64 host_epoch, host_tsc;

void dev_rtc_set_host_time(u64 epoch_seconds, u64 tsc)
{
	host_epoch = epoch_seconds;
	host_tsc = tsc;
}

static void put16(u8 *cmos, unsigned at, u64 v)
{
	v = v > 0xFFFF ? 0xFFFF : v;
	cmos[at] = (u8)v;
	cmos[at + 1] = (u8)(v >> 8);
}

void dev_rtc_reset(struct dev_rtc *r, u64 ram_size)
{
	memset(r, 0, sizeof(*r));
	r->reg_b = STATUS_B_DEFAULT;
	put16(r->cmos, CMOS_BASE_MEM_LO, BASE_MEM_KB);
	u64 ext = ram_size > MB64 ? MB64 : ram_size;
	u64 ext_kb = ext > (1ULL << 20) ? (ext - (1ULL << 20)) >> 10 : 0;
	put16(r->cmos, CMOS_EXT_MEM_LO, ext_kb);
	put16(r->cmos, CMOS_EXT_MEM2_LO, ext_kb);
	put16(r->cmos, CMOS_HIGH_MEM_LO, ram_size > MB16 ? (ram_size - MB16) >> 16 : 0);
}

static u8 bcd(unsigned v)
{
	return (u8)(((v / 10) << 4) | (v % 10));
}

static u8 encode(const struct dev_rtc *r, unsigned v)
{
	return (r->reg_b & STATUS_B_DM) ? (u8)v : bcd(v);
}

static u8 time_reg(const struct dev_rtc *r, u8 reg)
{
	u64 now = dev_clock_now();
	u64 secs = host_epoch + (now > host_tsc ? (now - host_tsc) / dev_clock_hz() : 0);
	struct date_time t;
	date_from_epoch(secs, &t);
	switch (reg) {
	case RTC_SECONDS: return encode(r, t.second);
	case RTC_MINUTES: return encode(r, t.minute);
	case RTC_HOURS:
		if (r->reg_b & STATUS_B_24H)
			return encode(r, t.hour);
		return (u8)(encode(r, t.hour % 12 ? t.hour % 12 : 12) | (t.hour >= 12 ? HOUR_PM : 0));
	case RTC_WEEKDAY: return encode(r, t.weekday);
	case RTC_DAY: return encode(r, t.day);
	case RTC_MONTH: return encode(r, t.month);
	case RTC_YEAR: return encode(r, t.year % 100);
	default: return encode(r, t.year / 100); /* CMOS_CENTURY */
	}
}

static u8 read_reg(struct dev_rtc *r, u8 reg)
{
	switch (reg) {
	case RTC_SECONDS: case RTC_MINUTES: case RTC_HOURS: case RTC_WEEKDAY: case RTC_DAY:
	case RTC_MONTH: case RTC_YEAR: case CMOS_CENTURY:
		return time_reg(r, reg);
	case RTC_STATUS_A: return STATUS_A_DEFAULT;
	case RTC_STATUS_B: return r->reg_b;
	case RTC_STATUS_C: return 0; /* no interrupt flags: periodic, alarm and update are off */
	case RTC_STATUS_D: return STATUS_D_VRT;
	default: return r->cmos[reg];
	}
}

static void write_reg(struct dev_rtc *r, u8 reg, u8 v)
{
	switch (reg) {
	case RTC_SECONDS: case RTC_MINUTES: case RTC_HOURS: case RTC_WEEKDAY: case RTC_DAY:
	case RTC_MONTH: case RTC_YEAR: case CMOS_CENTURY:
	case RTC_STATUS_A: case RTC_STATUS_C: case RTC_STATUS_D:
		return; /* the time is the host's; C and D are read-only */
	case RTC_STATUS_B: r->reg_b = v & STATUS_B_WRITABLE; return;
	default: r->cmos[reg] = v; return;
	}
}

bool dev_rtc_io(struct vm *vm, u16 port, unsigned size, bool in, u32 *val)
{
	(void)size;
	struct dev_rtc *r = &vm->devices->rtc;
	if (port == RTC_PORT_INDEX) {
		if (in) {
			*val = 0xFF; /* the index register is write-only */
		} else {
			r->index = (u8)*val & (RTC_CMOS_BYTES - 1);
			r->nmi_masked = *val & RTC_INDEX_NMI_MASK;
		}
		return true;
	}
	if (in)
		*val = read_reg(r, r->index);
	else
		write_reg(r, r->index, (u8)*val);
	return true;
}
