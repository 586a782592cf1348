/* svm/dev/rtc.c: the MC146818's interrupts on IRQ 8, with a clock moved by hand. The test clock
 * runs at 32,768,000 ticks per second, so every periodic rate of the 32.768 kHz time base is a
 * whole number of ticks.
 *
 * Vectors: Motorola MC146818A data sheet. Status A: bits 6:4 DV (010 = 32.768 kHz time base),
 * bits 3:0 RS, the periodic rate: 0000 none, 0001 3.90625 ms, 0010 7.8125 ms, 0011 122.070 us,
 * 0110 976.562 us, 1111 500 ms. Status B: PIE bit 6, AIE bit 5, UIE bit 4, DM bit 2, 24/12 bit 1.
 * Status C: IRQF bit 7 = PF.PIE + AF.AIE + UF.UIE, PF bit 6 (set at every periodic edge whatever
 * PIE says), AF bit 5 (the alarm matched at an update), UF bit 4 (an update cycle ended: once a
 * second); reading C clears them all and releases IRQ. An alarm byte 11xxxxxx is "don't care".
 * The PC wires IRQ to the slave 8259's IR0 (ISA IRQ 8). */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <setjmp.h>
#include <cmocka.h>
#include "svm_fixture.h"
#include "svm/dev/clock.h"
#include "svm/dev/intr.h"
#include "svm/dev/rtc.h"

#define HZ 32768000ULL
#define MS(x) ((x) * HZ / 1000)
/* 2026-12-01 11:30:42 UTC. */
#define EPOCH 1796124642ULL

static struct svm_fx *f;

static void outb_(u16 port, u8 v)
{
	assert_true(sf_outb(f, port, v));
}

static u8 inb_(u16 port)
{
	return sf_inb(f, port);
}

static void wr(u8 reg, u8 v)
{
	outb_(0x70, reg);
	outb_(0x71, v);
}

static u8 rd(u8 reg)
{
	outb_(0x70, reg);
	return inb_(0x71);
}

static int setup(void **state)
{
	(void)state;
	sf_log_capture();
	sf_clock_start(1000, HZ);
	dev_rtc_set_host_time(EPOCH, 0);
	f = sf_new(false);
	sf_pic_init(f);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sf_free(f);
	log_reset();
	sf_clock_stop();
	dev_rtc_set_host_time(0, 0);
	return 0;
}

static bool irq8_requested(void)
{
	return f->dev->pic.chip[1].irr & 1;
}

static void tick_at(u64 t)
{
	sf_clock_now = t;
	devices_tick(&f->vm, t);
}

static void periodic_rates(void **state)
{
	(void)state;
	static const struct { u8 rs; u64 period; } rates[] = {
		{ 0x6, HZ / 1024 }, { 0x3, HZ / 8192 }, { 0xF, MS(500) }, { 0x1, HZ / 256 }, { 0x2, HZ / 128 },
	};
	for (unsigned i = 0; i < ARRAY_SIZE(rates); i++) {
		wr(0x0B, 0x02);
		(void)rd(0x0C);
		u64 t = sf_clock_now;
		wr(0x0A, (u8)(0x20 | rates[i].rs));
		wr(0x0B, 0x42); /* PIE, 24 h */
		u64 next = (t / rates[i].period + 1) * rates[i].period;
		assert_int_equal(devices_next_deadline(&f->vm), next);
		tick_at(next - 1);
		assert_false(irq8_requested());
		tick_at(next);
		assert_true(irq8_requested());
		assert_int_equal(dev_intr_maskable_ack(&f->vm), 0x28); /* slave base + IR0 */
		assert_int_equal(rd(0x0C), 0xC0); /* IRQF, PF */
		assert_int_equal(rd(0x0C), 0x00); /* cleared by the read */
		outb_(0xA0, 0x20);
		outb_(0x20, 0x20);
	}
	/* RS 0: no periodic interrupt. */
	wr(0x0A, 0x20);
	assert_int_equal(devices_next_deadline(&f->vm), LAPIC_NO_DEADLINE);
	assert_int_equal(rd(0x0A), 0x20);
}

static void pf_without_pie_and_irqf_holds(void **state)
{
	(void)state;
	wr(0x0A, 0x26);
	wr(0x0B, 0x02); /* no interrupt enabled */
	(void)rd(0x0C);
	sf_clock_now += MS(2);
	assert_int_equal(rd(0x0C), 0x40); /* PF alone, no IRQF */
	assert_false(irq8_requested());
	/* PIE with PF already set raises IRQF at once. */
	sf_clock_now += MS(2);
	wr(0x0B, 0x42);
	assert_true(irq8_requested());
	/* IRQ stays high until C is read: one edge for the 8259, no deadline meanwhile. */
	assert_int_equal(devices_next_deadline(&f->vm), LAPIC_NO_DEADLINE);
	assert_int_equal(dev_intr_maskable_ack(&f->vm), 0x28);
	outb_(0xA0, 0x20);
	outb_(0x20, 0x20);
	tick_at(sf_clock_now + MS(5));
	assert_false(irq8_requested());
	assert_int_equal(rd(0x0C), 0xC0);
	assert_int_not_equal(devices_next_deadline(&f->vm), LAPIC_NO_DEADLINE);
}

static void update_ended_and_alarm(void **state)
{
	(void)state;
	wr(0x0A, 0x20); /* no periodic rate */
	wr(0x0B, 0x12); /* UIE, 24 h, BCD */
	(void)rd(0x0C);
	assert_int_equal(devices_next_deadline(&f->vm), HZ); /* 11:30:43 */
	tick_at(HZ);
	assert_true(irq8_requested());
	assert_int_equal(rd(0x0C), 0x90); /* IRQF, UF */
	assert_int_equal(rd(0x00), 0x43);
	/* Alarm at hh:mm:45 with minutes and hours "don't care", AIE only. */
	wr(0x01, 0x45);
	wr(0x03, 0xC0);
	wr(0x05, 0xFF);
	wr(0x0B, 0x22);
	(void)rd(0x0C);
	tick_at(2 * HZ); /* 11:30:44: an update, no alarm */
	assert_int_equal(rd(0x0C), 0x10);
	tick_at(3 * HZ); /* 11:30:45 */
	assert_int_equal(rd(0x0C), 0xB0); /* IRQF, AF, UF */
	/* A full alarm time that does not match. */
	wr(0x03, 0x31);
	wr(0x05, 0x11);
	tick_at(4 * HZ);
	assert_int_equal(rd(0x0C), 0x10);
	/* Binary mode compares binary values: 11:30:47. */
	wr(0x0B, 0x26);
	wr(0x01, 47);
	wr(0x03, 30);
	wr(0x05, 11);
	tick_at(5 * HZ);
	assert_int_equal(rd(0x0C), 0xB0);
	assert_int_equal(rd(0x00), 47);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(periodic_rates),
		T(pf_without_pie_and_irqf_holds),
		T(update_ended_and_alarm),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
