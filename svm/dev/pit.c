/* See pit.h. The counter follows the Intel 82C54 data sheet ("Modes" and "Gate"): a count written
 * is loaded into the counting element on the next clock, which does not decrement it, so an
 * initial count N in mode 0 raises OUT N + 1 clocks after the write. Mode 0 (interrupt on
 * terminal count) and 4 (software strobe) count while GATE is high and pause while it is low;
 * modes 2 (rate generator) and 3 (square wave) stop with OUT high while GATE is low and reload
 * on its rising edge; modes 1 and 5 start on a rising GATE (channels 0 and 1 have GATE tied
 * high, so there they never start). A new count written in mode 2 or 3 restarts the period at
 * once (the data sheet defers it to the end of the current period; kernels write the control
 * word first, which resets the counter anyway). Counting is binary or BCD as programmed. */
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
/* Port 0x61 (PC/AT system control port B): bits 3:0 read back as written, 4 and 5 are status. */
#define P61_GATE2 0x01
#define P61_WRITABLE 0x0F
#define P61_REFRESH 0x10
#define P61_OUT2 0x20
#define REFRESH_HZ 66288 /* the DRAM refresh request toggles every 15.085 us */
#define PIT_IRQ 0
#define PIT_BINARY_MODULUS 0x10000
#define PIT_BCD_MODULUS 10000

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

static u32 modulus(const struct dev_pit_channel *c)
{
	return c->bcd ? PIT_BCD_MODULUS : PIT_BINARY_MODULUS;
}

static u32 from_bcd(u16 v)
{
	return (v & 0xF) + ((v >> 4) & 0xF) * 10 + ((v >> 8) & 0xF) * 100 + (u32)(v >> 12) * 1000;
}

static u16 to_bcd(u32 v)
{
	return (u16)((v % 10) | (v / 10 % 10) << 4 | (v / 100 % 10) << 8 | (v / 1000 % 10) << 12);
}

/* The initial count N as a number of clocks (a written 0 is the maximum count). */
static u32 initial_count(const struct dev_pit_channel *c)
{
	u32 n = c->bcd ? from_bcd(c->reload) : c->reload;
	return n ? n : modulus(c);
}

static u16 as_register(const struct dev_pit_channel *c, u32 v)
{
	v %= modulus(c);
	return c->bcd ? to_bcd(v) : (u16)v;
}

/* Host TSC ticks in `k` PIT clocks, rounded up so that clocks_at() of load_time plus the result
 * is at least k (an IRQ scheduled there sees its own edge). */
static u64 clocks_to_tsc(u64 k)
{
	u64 t = dev_clock_scale(k, dev_clock_hz(), PIT_HZ);
	if (dev_clock_scale(t, PIT_HZ, dev_clock_hz()) < k)
		t++;
	return t;
}

/* Clocks since the counting element was loaded, or -1 before the load clock. */
static s64 clocks_at(const struct dev_pit_channel *c, u64 now)
{
	if (now < c->load_time)
		return -1;
	return (s64)dev_clock_scale(now - c->load_time, PIT_HZ, dev_clock_hz());
}

/* Mode 3 (data sheet): an even N counts N, N-2, ..., 2 with OUT high, then again with OUT low;
 * an odd N loads N-1 and counts to 0 with OUT high ((N+1)/2 clocks), then N-1 to 2 with OUT low
 * ((N-1)/2 clocks). */
static void square_wave(u32 n, u64 k, u32 *count, bool *out)
{
	u64 p = k % n;
	if (n % 2 == 0) {
		*out = p < n / 2;
		*count = (u32)(n - 2 * (p % (n / 2)));
	} else {
		u64 high = (n + 1) / 2;
		*out = p < high;
		*count = (u32)(n - 1 - 2 * (p < high ? p : p - high));
	}
}

/* The counting element and OUT at `now`. */
static void state_at(const struct dev_pit_channel *c, u64 now, u32 *count, bool *out)
{
	s64 k = c->counting ? clocks_at(c, now) : -1;
	if (k < 0) {
		/* Not started, waiting for its load clock or trigger, or stopped by the gate. Mode
		 * 0's OUT goes low with its control word (and holds its level while paused); every
		 * other mode's OUT is high then. */
		*count = c->start;
		*out = c->mode == 0 ? c->loaded && c->out_held : true;
		return;
	}
	u32 n = initial_count(c);
	switch (c->mode) {
	case 2:
		*count = (u32)(n - (u64)k % n);
		*out = (u64)k % n != n - 1; /* low for the one clock at count 1 */
		return;
	case 3:
		square_wave(n, (u64)k, count, out);
		return;
	case 4:
	case 5:
		*count = (u32)((c->start + modulus(c) - (u64)k % modulus(c)) % modulus(c));
		*out = (u64)k != c->start; /* strobes low for the one clock at the terminal count */
		return;
	default: /* 0 and 1: OUT rises at the terminal count; the count wraps on */
		*count = (u32)((c->start + modulus(c) - (u64)k % modulus(c)) % modulus(c));
		*out = c->out_held || (u64)k >= c->start;
		return;
	}
}

u16 dev_pit_count(const struct dev_pit_channel *c, u64 now)
{
	u32 count;
	bool out;
	state_at(c, now, &count, &out);
	return as_register(c, count);
}

bool dev_pit_out(const struct dev_pit_channel *c, u64 now)
{
	u32 count;
	bool out;
	state_at(c, now, &count, &out);
	return out;
}

/* Channel 0's next OUT rising edge (IRQ0) after `now`: the terminal count (modes 0 and 1), the
 * clock after it (4 and 5), or the end of each period (2 and 3; a count of 1, illegal there,
 * never moves OUT). */
static void schedule_irq(struct dev_pit_channel *c, u64 now)
{
	c->next_irq = LAPIC_NO_DEADLINE;
	if (!c->counting)
		return;
	s64 k = clocks_at(c, now);
	u64 n = initial_count(c), edge;
	switch (c->mode) {
	case 2:
	case 3:
		if (n < 2)
			return;
		edge = (k < 0 ? 0 : (u64)k / n) * n + n;
		break;
	case 4:
	case 5:
		edge = (u64)c->start + 1;
		break;
	default:
		if (c->out_held)
			return;
		edge = c->start;
		break;
	}
	if (k < 0 || (u64)k < edge)
		c->next_irq = c->load_time + clocks_to_tsc(edge);
}

static void reschedule(struct dev_pit_channel *c, unsigned idx, u64 now)
{
	if (idx == 0)
		schedule_irq(c, now);
}

/* The count just written goes into the counting element on the next clock. */
static void load_count(struct dev_pit_channel *c, unsigned idx, u64 now)
{
	c->loaded = true;
	c->start = initial_count(c);
	c->out_held = false;
	c->load_time = now + clocks_to_tsc(1);
	c->counting = c->mode == 1 || c->mode == 5 ? false : c->gate;
	reschedule(c, idx, now);
}

static void write_count(struct dev_pit_channel *c, unsigned idx, u8 b, u64 now)
{
	switch (c->access) {
	case PIT_ACCESS_LSB:
		c->reload = b;
		break;
	case PIT_ACCESS_MSB:
		c->reload = (u16)(b << 8);
		break;
	default:
		if (!c->write_msb) {
			c->write_lsb = b;
			c->write_msb = true;
			if (c->mode == 0 && c->counting) {
				/* Mode 0: writing the first byte stops the count where it is. */
				u32 count;
				bool out;
				state_at(c, now, &count, &out);
				c->start = count;
				c->out_held = out;
				c->counting = false;
				reschedule(c, idx, now);
			}
			return;
		}
		c->write_msb = false;
		c->reload = (u16)(c->write_lsb | b << 8);
		break;
	}
	load_count(c, idx, now);
}

static void set_gate(struct dev_pit_channel *c, unsigned idx, bool gate, u64 now)
{
	if (gate == c->gate)
		return;
	c->gate = gate;
	if (!c->loaded)
		return;
	if (!gate) {
		if (c->mode == 1 || c->mode == 5 || !c->counting)
			return; /* the one-shots run on; a count not started stays */
		u32 count;
		bool out;
		state_at(c, now, &count, &out);
		c->start = count;
		c->out_held = c->mode == 0 ? out : true; /* modes 2 and 3 force OUT high */
		c->counting = false;
	} else if (c->mode == 0 || c->mode == 4) {
		/* Counting resumes from the held count; no load clock (data sheet, mode 0). */
		c->load_time = now;
		c->counting = true;
	} else {
		/* Modes 1, 2, 3 and 5: a trigger reloads N on the next clock. */
		c->start = initial_count(c);
		c->out_held = false;
		c->load_time = now + clocks_to_tsc(1);
		c->counting = true;
	}
	reschedule(c, idx, now);
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

static void latch_status(struct dev_pit_channel *c, u64 now)
{
	if (c->status_latched)
		return; /* like the count: the first latch holds until read */
	/* Null count: set by a control word or a count write, clear once the count is loaded. */
	bool null_count = !c->loaded || now < c->load_time;
	c->status_latched = true;
	c->status = (u8)((dev_pit_out(c, now) ? PIT_STATUS_OUT : 0) | (null_count ? PIT_STATUS_NULL_COUNT : 0) |
			 (c->access << PIT_CTRL_ACCESS_SHIFT) | (c->mode << PIT_CTRL_MODE_SHIFT) | c->bcd);
}

static void control_word(struct dev_pit *p, u8 b, u64 now)
{
	unsigned sel = b >> PIT_CTRL_CHANNEL_SHIFT;
	if (sel == PIT_CTRL_READBACK) {
		for (unsigned i = 0; i < PIT_CHANNELS; i++) {
			if (!(b & (2u << i)))
				continue;
			if (!(b & PIT_RB_NO_COUNT))
				latch_count(&p->ch[i], now);
			if (!(b & PIT_RB_NO_STATUS))
				latch_status(&p->ch[i], now);
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
	/* A control word resets the channel's logic; OUT takes the mode's initial level. */
	c->write_msb = c->read_msb = c->latched = c->status_latched = false;
	c->loaded = c->counting = c->out_held = false;
	if (sel == 0)
		c->next_irq = LAPIC_NO_DEADLINE;
}

bool dev_pit_io(struct vm *vm, u16 port, unsigned size, bool in, u32 *val)
{
	(void)size;
	struct dev_pit *p = pit(vm);
	u64 now = dev_clock_now();
	unsigned idx = port & 3;
	if (port == PIT_PORT_CONTROL) {
		if (in)
			*val = 0xFF; /* the control register is write-only */
		else
			control_word(p, (u8)*val, now);
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
	u64 now = dev_clock_now();
	if (in) {
		u64 refresh = dev_clock_scale(now, REFRESH_HZ, dev_clock_hz());
		*val = p->port61 | ((refresh & 1) ? P61_REFRESH : 0) | (dev_pit_out(&p->ch[2], now) ? P61_OUT2 : 0);
		return true;
	}
	p->port61 = (u8)(*val & P61_WRITABLE);
	set_gate(&p->ch[2], 2, *val & P61_GATE2, now);
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
