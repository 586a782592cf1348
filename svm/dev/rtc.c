/* See rtc.h. Register map (MC146818A data sheet): 0 seconds, 2 minutes, 4 hours, 6 day of week,
 * 7 date, 8 month, 9 year; 1, 3, 5 alarms; 0x0A-0x0D status A-D. Status B bit 2 (DM) selects
 * binary instead of BCD, bit 1 the 24-hour mode; bit 7 of the 12-hour hour is PM. Status A bit
 * 7 (UIP) is never set: the time is computed at each read, never half-updated.
 *
 * Interrupts (data sheet, "Interrupts" and status registers): status C's PF is set at every
 * edge of the periodic rate that status A's RS bits select, UF when an update cycle ends (each
 * second), AF at that update when the alarm bytes (1, 3, 5; 0xC0-0xFF is "don't care") match
 * the new time; each enables IRQF (C bit 7) and the IRQ 8 line with its status B bit (PIE 6, AIE
 * 5, UIE 4), and reading C clears them all. The line stays high until then (the 8259 sees one
 * edge). The divider chain's phase is the TSC at which the host's time was read; the alarm is
 * checked against the latest second only when several passed unseen. CMOS bytes of
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
	RTC_SECONDS = 0x00, RTC_SECONDS_ALARM = 0x01, RTC_MINUTES = 0x02, RTC_MINUTES_ALARM = 0x03,
	RTC_HOURS = 0x04, RTC_HOURS_ALARM = 0x05, RTC_WEEKDAY = 0x06, RTC_DAY = 0x07, RTC_MONTH = 0x08,
	RTC_YEAR = 0x09, RTC_STATUS_A = 0x0A, RTC_STATUS_B = 0x0B, RTC_STATUS_C = 0x0C,
	RTC_STATUS_D = 0x0D, CMOS_BASE_MEM_LO = 0x15, CMOS_EXT_MEM_LO = 0x17, CMOS_EXT_MEM2_LO = 0x30,
	CMOS_CENTURY = 0x32, CMOS_HIGH_MEM_LO = 0x34,
};

#define RTC_PORT_INDEX 0x70
#define RTC_INDEX_NMI_MASK 0x80
#define RTC_IRQ 8
#define STATUS_A_DEFAULT 0x26 /* 32.768 kHz time base, 1024 Hz periodic rate */
#define STATUS_A_WRITABLE 0x7F /* UIP (bit 7) is read-only */
#define STATUS_A_RS_MASK 0x0F
#define STATUS_B_DEFAULT 0x02 /* 24-hour, BCD, no interrupts */
#define STATUS_B_PIE 0x40
#define STATUS_B_AIE 0x20
#define STATUS_B_UIE 0x10
#define STATUS_B_DM 0x04
#define STATUS_B_24H 0x02
#define STATUS_B_WRITABLE 0x7F /* SET (bit 7) would freeze the clock: not modelled */
#define STATUS_C_IRQF 0x80
#define STATUS_C_PF 0x40      /* each flag sits at its enable bit's position in status B */
#define STATUS_C_AF 0x20
#define STATUS_C_UF 0x10
#define STATUS_D_VRT 0x80     /* valid RAM and time */
#define ALARM_DONT_CARE 0xC0
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
	r->reg_a = STATUS_A_DEFAULT;
	r->reg_b = STATUS_B_DEFAULT;
	r->seen = dev_clock_now();
	r->next_irq = LAPIC_NO_DEADLINE;
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

/* A time register at `secs` seconds since 1970. */
static u8 time_reg_at(const struct dev_rtc *r, u8 reg, u64 secs)
{
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

/* Edges of a `rate` Hz divider output from host_tsc to `t`. */
static u64 edges(u64 t, u64 rate)
{
	return t > host_tsc ? dev_clock_scale(t - host_tsc, rate, dev_clock_hz()) : 0;
}

/* The host TSC of edge `n` of a `rate` Hz output, rounded up so that edges() there is n. */
static u64 edge_time(u64 n, u64 rate)
{
	u64 t = dev_clock_scale(n, dev_clock_hz(), rate);
	if (dev_clock_scale(t, rate, dev_clock_hz()) < n)
		t++;
	return host_tsc + t;
}

static u8 time_reg(const struct dev_rtc *r, u8 reg)
{
	return time_reg_at(r, reg, host_epoch + edges(dev_clock_now(), 1));
}

/* The periodic interrupt rate for status A's RS bits with the 32.768 kHz time base (data sheet,
 * "Periodic Interrupt Rate and Square-Wave Output Frequency"): RS 1 and 2 give 256 and 128 Hz,
 * RS 3 to 15 give 65536 >> RS Hz (8192 Hz down to 2 Hz), RS 0 none. */
static u64 periodic_hz(u8 reg_a)
{
	unsigned rs = reg_a & STATUS_A_RS_MASK;
	if (rs == 0)
		return 0;
	return rs <= 2 ? 512u >> rs : 65536u >> rs;
}

static bool alarm_matches(const struct dev_rtc *r, u64 secs)
{
	static const u8 alarm_time[][2] = {
		{ RTC_SECONDS_ALARM, RTC_SECONDS },
		{ RTC_MINUTES_ALARM, RTC_MINUTES },
		{ RTC_HOURS_ALARM, RTC_HOURS },
	};
	for (unsigned i = 0; i < ARRAY_SIZE(alarm_time); i++) {
		u8 a = r->cmos[alarm_time[i][0]];
		if ((a & ALARM_DONT_CARE) != ALARM_DONT_CARE && a != time_reg_at(r, alarm_time[i][1], secs))
			return false;
	}
	return true;
}

/* Status C's flags for the edges between `seen` and `now`. */
static void gather(struct dev_rtc *r, u64 now)
{
	if (now <= r->seen)
		return;
	u64 p = periodic_hz(r->reg_a);
	if (p && edges(now, p) > edges(r->seen, p))
		r->flags |= STATUS_C_PF;
	u64 s = edges(now, 1);
	if (s > edges(r->seen, 1)) {
		r->flags |= STATUS_C_UF;
		if (alarm_matches(r, host_epoch + s))
			r->flags |= STATUS_C_AF;
	}
	r->seen = now;
}

static bool irqf(const struct dev_rtc *r)
{
	return r->flags & r->reg_b & (STATUS_B_PIE | STATUS_B_AIE | STATUS_B_UIE);
}

static u64 earliest(u64 a, u64 b)
{
	return a < b ? a : b;
}

/* Gathers the flags, drives IRQ 8 from IRQF and finds the next edge that could raise it. */
static void update(struct vm *vm, struct dev_rtc *r, u64 now)
{
	gather(r, now);
	bool irq = irqf(r);
	if (irq != r->irq) {
		r->irq = irq;
		dev_pic_set_irq(vm, RTC_IRQ, irq);
	}
	r->next_irq = LAPIC_NO_DEADLINE;
	if (irq)
		return; /* IRQF holds until status C is read: no new edge before that */
	u64 p = periodic_hz(r->reg_a);
	if ((r->reg_b & STATUS_B_PIE) && p)
		r->next_irq = edge_time(edges(now, p) + 1, p);
	if (r->reg_b & (STATUS_B_UIE | STATUS_B_AIE))
		r->next_irq = earliest(r->next_irq, edge_time(edges(now, 1) + 1, 1));
}

void dev_rtc_tick(struct vm *vm, u64 now)
{
	struct dev_rtc *r = &vm->devices->rtc;
	if (now >= r->next_irq)
		update(vm, r, now);
}

u64 dev_rtc_next_deadline(const struct dev_rtc *r)
{
	return r->next_irq;
}

static u8 read_reg(struct dev_rtc *r, u8 reg)
{
	switch (reg) {
	case RTC_SECONDS: case RTC_MINUTES: case RTC_HOURS: case RTC_WEEKDAY: case RTC_DAY:
	case RTC_MONTH: case RTC_YEAR: case CMOS_CENTURY:
		return time_reg(r, reg);
	case RTC_STATUS_A: return r->reg_a;
	case RTC_STATUS_B: return r->reg_b;
	case RTC_STATUS_C: {
		u8 c = (u8)(r->flags | (irqf(r) ? STATUS_C_IRQF : 0));
		r->flags = 0; /* reading C clears every flag */
		return c;
	}
	case RTC_STATUS_D: return STATUS_D_VRT;
	default: return r->cmos[reg];
	}
}

static void write_reg(struct dev_rtc *r, u8 reg, u8 v)
{
	switch (reg) {
	case RTC_SECONDS: case RTC_MINUTES: case RTC_HOURS: case RTC_WEEKDAY: case RTC_DAY:
	case RTC_MONTH: case RTC_YEAR: case CMOS_CENTURY:
	case RTC_STATUS_C: case RTC_STATUS_D:
		return; /* the time is the host's; C and D are read-only */
	case RTC_STATUS_A: r->reg_a = v & STATUS_A_WRITABLE; return;
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
	/* The flags gathered with the settings before the access; IRQ 8 and the next deadline
	 * follow the settings after it. */
	u64 now = dev_clock_now();
	gather(r, now);
	if (in)
		*val = read_reg(r, r->index);
	else
		write_reg(r, r->index, (u8)*val);
	update(vm, r, now);
	return true;
}
