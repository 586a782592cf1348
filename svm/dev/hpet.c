/* See hpet.h. Register layout and bits: IA-PC HPET specification 1.0a, section 2.3. */
#include "svm/dev/hpet.h"
#include "svm/dev/clock.h"
#include "svm/dev/devices.h"
#include "svm/vm.h"

enum {
	HPET_GCAP_ID = 0x000, HPET_GEN_CONF = 0x010, HPET_GINTR_STA = 0x020, HPET_MAIN_CNT = 0x0F0,
	HPET_TIMER0 = 0x100, HPET_TIMER_STRIDE = 0x20, HPET_TN_CONF = 0x00, HPET_TN_CMP = 0x08,
	HPET_TN_FSB = 0x10,
};

/* General capabilities: revision 1, NUM_TIM_CAP = timers - 1, 64-bit counter, legacy
 * replacement capable, vendor 0x8086 (as QEMU reports), period in femtoseconds. */
#define GCAP_VALUE (0x01ULL | ((HPET_TIMERS - 1ULL) << 8) | BIT(13) | BIT(15) | (0x8086ULL << 16) | \
		    (HPET_PERIOD_FS << 32))
#define CONF_ENABLE BIT(0)
#define CONF_LEGACY BIT(1)
#define TN_INT_LEVEL BIT(1)
#define TN_INT_ENB BIT(2)
#define TN_PERIODIC BIT(3)
#define TN_PER_CAP BIT(4)
#define TN_SIZE_CAP BIT(5)
#define TN_VAL_SET BIT(6)
#define TN_32BIT BIT(8)
#define TN_WRITABLE (TN_INT_LEVEL | TN_INT_ENB | TN_PERIODIC | TN_VAL_SET | TN_32BIT | (0x1FULL << 9))
static const u8 legacy_irq[2] = { 0, 8 };

u64 dev_hpet_capabilities(void)
{
	return GCAP_VALUE;
}

static struct dev_hpet *hpet(struct vm *vm)
{
	return &vm->devices->hpet;
}

void dev_hpet_reset(struct dev_hpet *h)
{
	*h = (struct dev_hpet){ 0 };
	for (unsigned i = 0; i < HPET_TIMERS; i++) {
		h->timer[i].config = TN_SIZE_CAP | (i == 0 ? TN_PER_CAP : 0);
		h->timer[i].comparator = ~0ULL;
		h->timer[i].deadline = LAPIC_NO_DEADLINE;
	}
}

static bool enabled(const struct dev_hpet *h)
{
	return h->config & CONF_ENABLE;
}

u64 dev_hpet_counter(const struct dev_hpet *h, u64 now)
{
	if (!enabled(h) || now < h->enabled_at)
		return h->counter;
	return h->counter + dev_clock_scale(now - h->enabled_at, HPET_HZ, dev_clock_hz());
}

/* When the counter reaches the timer's comparator (in 32-bit mode the low halves match). */
static void schedule(struct dev_hpet *h, unsigned n, u64 now)
{
	struct dev_hpet_timer *t = &h->timer[n];
	t->deadline = LAPIC_NO_DEADLINE;
	if (!enabled(h) || !(t->config & TN_INT_ENB) || n >= ARRAY_SIZE(legacy_irq) || !(h->config & CONF_LEGACY))
		return;
	u64 count = dev_hpet_counter(h, now);
	u64 ahead = t->comparator - count;
	if (t->config & TN_32BIT)
		ahead = (u32)ahead;
	t->deadline = now + dev_clock_scale(ahead, dev_clock_hz(), HPET_HZ);
}

static void schedule_all(struct dev_hpet *h, u64 now)
{
	for (unsigned i = 0; i < HPET_TIMERS; i++)
		schedule(h, i, now);
}

static u64 read_reg(struct dev_hpet *h, u32 reg, u64 now)
{
	if (reg >= HPET_TIMER0 && reg < HPET_TIMER0 + HPET_TIMERS * HPET_TIMER_STRIDE) {
		struct dev_hpet_timer *t = &h->timer[(reg - HPET_TIMER0) / HPET_TIMER_STRIDE];
		switch ((reg - HPET_TIMER0) % HPET_TIMER_STRIDE) {
		case HPET_TN_CONF: return t->config;
		case HPET_TN_CMP: return t->comparator;
		default: return 0; /* FSB routing: not capable */
		}
	}
	switch (reg) {
	case HPET_GCAP_ID: return GCAP_VALUE;
	case HPET_GEN_CONF: return h->config;
	case HPET_GINTR_STA: return h->isr;
	case HPET_MAIN_CNT: return dev_hpet_counter(h, now);
	default: return 0;
	}
}

static void write_timer(struct dev_hpet *h, unsigned n, u32 off, u64 v, u64 now)
{
	struct dev_hpet_timer *t = &h->timer[n];
	if (off == HPET_TN_CONF) {
		u64 writable = TN_WRITABLE & ~(n == 0 ? 0 : TN_PERIODIC);
		t->config = (t->config & ~writable) | (v & writable); /* VAL_SET holds until a comparator write */
		if (!(t->config & TN_INT_LEVEL))
			h->isr &= ~BIT(n);
	} else if (off == HPET_TN_CMP) {
		if (t->config & TN_32BIT)
			v = (u32)v;
		/* Spec 2.3.9.2.2: in periodic mode a write with VAL_SET sets the next match and the
		 * period, one without it only the period (Linux writes the period again that way, for
		 * AMD-8111 hubs); one-shot: the match. */
		if (!(t->config & TN_PERIODIC) || (t->config & TN_VAL_SET))
			t->comparator = v;
		t->period = v;
		t->config &= ~TN_VAL_SET;
	}
	schedule(h, n, now);
}

static void write_reg(struct dev_hpet *h, u32 reg, u64 v, u64 now)
{
	if (reg >= HPET_TIMER0 && reg < HPET_TIMER0 + HPET_TIMERS * HPET_TIMER_STRIDE) {
		unsigned n = (reg - HPET_TIMER0) / HPET_TIMER_STRIDE;
		write_timer(h, n, (reg - HPET_TIMER0) % HPET_TIMER_STRIDE, v, now);
		return;
	}
	switch (reg) {
	case HPET_GEN_CONF: {
		bool was = enabled(h);
		u64 cnt = dev_hpet_counter(h, now);
		h->config = v & (CONF_ENABLE | CONF_LEGACY);
		if (was != enabled(h)) {
			h->counter = cnt; /* halting freezes the count; starting resumes it */
			h->enabled_at = now;
		}
		schedule_all(h, now);
		break;
	}
	case HPET_GINTR_STA: h->isr &= ~v; break; /* write 1 to clear */
	case HPET_MAIN_CNT:
		/* Writable only while halted (spec 2.3.7). */
		if (!enabled(h))
			h->counter = v;
		break;
	default: break;
	}
}

bool dev_hpet_mmio(struct vm *vm, u64 offset, unsigned size, bool write, u64 *val)
{
	struct dev_hpet *h = hpet(vm);
	u64 now = dev_clock_now();
	/* 32-bit accesses reach either half of a 64-bit register. */
	u32 reg = (u32)(offset & ~7ULL);
	unsigned shift = (unsigned)(offset & 4) * 8;
	u64 mask = size >= 8 ? ~0ULL : ((1ULL << (8 * size)) - 1) << shift;
	u64 cur = read_reg(h, reg, now);
	if (!write) {
		*val = (cur & mask) >> shift;
		return true;
	}
	u64 v = (cur & ~mask) | ((*val << shift) & mask);
	if (reg == HPET_GINTR_STA)
		v = (*val << shift) & mask; /* only the 1 bits written clear */
	write_reg(h, reg, v, now);
	return true;
}

void dev_hpet_tick(struct vm *vm, u64 now)
{
	struct dev_hpet *h = hpet(vm);
	for (unsigned n = 0; n < HPET_TIMERS; n++) {
		struct dev_hpet_timer *t = &h->timer[n];
		if (t->deadline == LAPIC_NO_DEADLINE || now < t->deadline)
			continue;
		if (t->config & TN_INT_LEVEL)
			h->isr |= BIT(n);
		dev_pic_pulse_irq(vm, legacy_irq[n]);
		if ((t->config & TN_PERIODIC) && t->period) {
			u64 count = dev_hpet_counter(h, now);
			while (t->comparator <= count)
				t->comparator += t->period;
		}
		schedule(h, n, now);
		if (!(t->config & TN_PERIODIC))
			t->deadline = LAPIC_NO_DEADLINE;
	}
}

u64 dev_hpet_next_deadline(const struct dev_hpet *h)
{
	u64 d = LAPIC_NO_DEADLINE;
	for (unsigned n = 0; n < HPET_TIMERS; n++)
		if (h->timer[n].deadline < d)
			d = h->timer[n].deadline;
	return d;
}
