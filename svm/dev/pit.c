/* See pit.h. Modes 0 (interrupt on terminal count), 2 (rate generator) and 3 (square wave) are
 * modelled as the data sheet describes; 1, 4 and 5 (hardware-retriggered and strobe modes, which
 * a PC kernel does not use) count down once like mode 0. */
#include "svm/dev/pit.h"
#include "svm/dev/clock.h"
#include "svm/dev/devices.h"
#include "svm/vm.h"

#define PIT_PORT_CONTROL 0x43
#define PIT_CTRL_CHANNEL_SHIFT 6
#define PIT_CTRL_READBACK 3
#define PIT_CTRL_ACCESS_SHIFT 4
#define PIT_CTRL_MODE_SHIFT 1
#define PIT_ACCESS_LATCH 0
#define PIT_ACCESS_LSB 1
#define PIT_ACCESS_MSB 2
#define PIT_ACCESS_WORD 3
/* Read-back command (82C54 data sheet, "Read-Back Command"): bit 5 clear latches counts, bit 4
 * clear latches status, bits 3:1 select channels 2..0. */
#define PIT_RB_NO_COUNT 0x20
#define PIT_RB_NO_STATUS 0x10
#define PIT_STATUS_OUT 0x80
#define PIT_STATUS_NULL_COUNT 0x40
/* Port 0x61 (PC/AT system control port B). */
#define P61_GATE2 0x01
#define P61_SPEAKER 0x02
#define P61_REFRESH 0x10
#define P61_OUT2 0x20
#define REFRESH_HZ 66288 /* the DRAM refresh request toggles every 15.085 us */
#define PIT_IRQ 0

static void (*pit_host_control)(u8 control_word);

void dev_pit_set_host_control(void (*host_control)(u8 control_word))
{
	pit_host_control = host_control;
}

void dev_pit_iopm_passthrough(u8 *iopm)
{
	static const u16 ports[] = { PIT_PORT_CH2, PIT_PORT_61 };
	for (unsigned i = 0; i < ARRAY_SIZE(ports); i++)
		iopm[ports[i] / 8] &= (u8)~(1u << (ports[i] % 8));
}

/* A control word that concerns channel 2: its own, or a read-back that selects it. */
static bool for_channel2(u8 b)
{
	unsigned sel = b >> PIT_CTRL_CHANNEL_SHIFT;
	return sel == 2 || (sel == PIT_CTRL_READBACK && (b & (2u << 2)));
}

static struct dev_pit *pit(struct vm *vm)
{
	return &vm->devices->pit;
}

void dev_pit_reset(struct dev_pit *p)
{
	*p = (struct dev_pit){ 0 };
	for (unsigned i = 0; i < PIT_CHANNELS; i++) {
		p->ch[i].gate = i != 2; /* channels 0 and 1 are gated on; 2 by port 0x61 */
		p->ch[i].next_irq = LAPIC_NO_DEADLINE;
	}
}

static u64 period(const struct dev_pit_channel *c)
{
	return c->reload ? c->reload : 0x10000;
}

static u64 elapsed_ticks(const struct dev_pit_channel *c, u64 now)
{
	return now > c->load_time ? dev_clock_scale(now - c->load_time, PIT_HZ, dev_clock_hz()) : 0;
}

static u64 ticks_to_tsc(u64 ticks)
{
	return dev_clock_scale(ticks, dev_clock_hz(), PIT_HZ);
}

u16 dev_pit_count(const struct dev_pit_channel *c, u64 now)
{
	if (!c->counting)
		return (u16)c->reload;
	u64 d = elapsed_ticks(c, now), n = period(c);
	switch (c->mode) {
	case 2:
		return (u16)(n - d % n);
	case 3: {
		/* Decrements by two each clock, reloading every half period (data sheet, mode 3). */
		u64 half = (n + 1) / 2;
		return (u16)((n - 2 * (d % half)) & 0xFFFE);
	}
	default:
		return (u16)((n - d) & 0xFFFF); /* wraps on after the terminal count */
	}
}

bool dev_pit_out(const struct dev_pit_channel *c, u64 now)
{
	if (!c->counting)
		return c->mode != 0; /* mode 0 OUT goes low when the mode is written */
	u64 d = elapsed_ticks(c, now), n = period(c);
	switch (c->mode) {
	case 2:
		return d % n != n - 1; /* low for one clock before the reload */
	case 3:
		return d % n < (n + 1) / 2;
	default:
		return d >= n;
	}
}

/* Channel 0's next IRQ0 edge after `now`: the terminal count (mode 0), or each period's OUT
 * rising edge (modes 2 and 3). */
static void schedule_irq(struct dev_pit_channel *c, u64 now)
{
	c->next_irq = LAPIC_NO_DEADLINE;
	if (!c->counting)
		return;
	u64 n = period(c);
	u64 d = elapsed_ticks(c, now);
	if (c->mode == 2 || c->mode == 3)
		c->next_irq = c->load_time + ticks_to_tsc((d / n + 1) * n);
	else if (d < n)
		c->next_irq = c->load_time + ticks_to_tsc(n);
}

static void start_counting(struct dev_pit_channel *c, unsigned idx, u64 now)
{
	c->load_time = now;
	c->counting = c->gate;
	if (idx == 0)
		schedule_irq(c, now);
}

static void write_count(struct dev_pit_channel *c, unsigned idx, u8 b, u64 now)
{
	switch (c->access) {
	case PIT_ACCESS_LSB:
		c->reload = b;
		break;
	case PIT_ACCESS_MSB:
		c->reload = (u32)b << 8;
		break;
	default:
		if (!c->write_msb) {
			c->write_lsb = b;
			c->write_msb = true;
			if (c->mode == 0)
				c->counting = false; /* mode 0: writing the LSB stops the count */
			return;
		}
		c->write_msb = false;
		c->reload = c->write_lsb | ((u32)b << 8);
		break;
	}
	start_counting(c, idx, now);
}

static u8 read_count(struct dev_pit_channel *c, u64 now)
{
	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	u16 v = c->latched ? c->latched_count : dev_pit_count(c, now);
	u8 out;
	switch (c->access) {
	case PIT_ACCESS_LSB: out = (u8)v; c->latched = false; break;
	case PIT_ACCESS_MSB: out = (u8)(v >> 8); c->latched = false; break;
	default:
		out = c->read_msb ? (u8)(v >> 8) : (u8)v;
		if (c->read_msb)
			c->latched = false;
		c->read_msb = !c->read_msb;
		break;
	}
	return out;
}

static void latch_count(struct dev_pit_channel *c, u64 now)
{
	if (c->latched)
		return; /* a second latch before the read is ignored */
	c->latched = true;
	c->latched_count = dev_pit_count(c, now);
	c->read_msb = false;
}

static void control_word(struct dev_pit *p, u8 b, u64 now)
{
	unsigned sel = b >> PIT_CTRL_CHANNEL_SHIFT;
	if (sel == PIT_CTRL_READBACK) {
		for (unsigned i = 0; i < PIT_CHANNELS; i++) {
			if (!(b & (2u << i)))
				continue;
			struct dev_pit_channel *c = &p->ch[i];
			if (!(b & PIT_RB_NO_COUNT))
				latch_count(c, now);
			if (!(b & PIT_RB_NO_STATUS) && !c->status_latched) {
				c->status_latched = true;
				c->status = (u8)((dev_pit_out(c, now) ? PIT_STATUS_OUT : 0) |
						 (c->counting ? 0 : PIT_STATUS_NULL_COUNT) | (c->access << 4) |
						 (c->mode << 1) | c->bcd);
			}
		}
		return;
	}
	struct dev_pit_channel *c = &p->ch[sel];
	unsigned access = (b >> PIT_CTRL_ACCESS_SHIFT) & 3;
	if (access == PIT_ACCESS_LATCH) {
		latch_count(c, now);
		return;
	}
	unsigned mode = (b >> PIT_CTRL_MODE_SHIFT) & 7;
	c->mode = (u8)(mode > 5 ? mode - 4 : mode); /* 110 and 111 are modes 2 and 3 */
	c->access = (u8)access;
	c->bcd = b & 1;
	c->write_msb = c->read_msb = c->latched = false;
	c->counting = false; /* a new mode waits for its count */
	if (sel == 0)
		c->next_irq = LAPIC_NO_DEADLINE;
}

bool dev_pit_io(struct vm *vm, u16 port, unsigned size, bool in, u32 *val)
{
	(void)size;
	struct dev_pit *p = pit(vm);
	u64 now = dev_clock_now();
	unsigned idx = port & 3;
	if (idx == 3) {
		if (in) {
			*val = 0xFF; /* the control register is write-only */
		} else {
			if (pit_host_control && for_channel2((u8)*val))
				pit_host_control((u8)*val);
			control_word(p, (u8)*val, now);
		}
		return true;
	}
	if (in)
		*val = read_count(&p->ch[idx], now);
	else
		write_count(&p->ch[idx], idx, (u8)*val, now);
	return true;
}

bool dev_port61_io(struct vm *vm, u16 port, unsigned size, bool in, u32 *val)
{
	(void)port;
	(void)size;
	struct dev_pit *p = pit(vm);
	struct dev_pit_channel *c2 = &p->ch[2];
	u64 now = dev_clock_now();
	if (in) {
		u64 refresh = dev_clock_scale(now, REFRESH_HZ, dev_clock_hz());
		*val = (c2->gate ? P61_GATE2 : 0) | (p->speaker ? P61_SPEAKER : 0) |
		       ((refresh & 1) ? P61_REFRESH : 0) | (dev_pit_out(c2, now) ? P61_OUT2 : 0);
		return true;
	}
	bool gate = *val & P61_GATE2;
	p->speaker = *val & P61_SPEAKER;
	/* A rising gate (re)starts the count in every mode kernels use (data sheet, "Gate"). */
	if (gate && !c2->gate) {
		c2->gate = true;
		if (c2->reload || c2->counting)
			start_counting(c2, 2, now);
	} else if (!gate && c2->gate) {
		c2->gate = false;
	}
	return true;
}

void dev_pit_tick(struct vm *vm, u64 now)
{
	struct dev_pit_channel *c = &pit(vm)->ch[0];
	if (c->next_irq == LAPIC_NO_DEADLINE || now < c->next_irq)
		return;
	dev_pic_pulse_irq(vm, PIT_IRQ);
	schedule_irq(c, now);
}

u64 dev_pit_next_deadline(const struct dev_pit *p)
{
	return p->ch[0].next_irq;
}
