/* svm/dev/pit.c: the 8254 and port 0x61, with a clock moved by hand. The test clock runs at
 * exactly PIT_HZ * 10 ticks per second, so one PIT clock is 10 host ticks; samples are taken in
 * the middle of a clock.
 *
 * Vectors: Intel 82C54 data sheet. Control word at 0x43: SC1-SC0 (bits 7:6) channel or 11
 * read-back, RW1-RW0 (5:4) 00 counter latch, 01 LSB, 10 MSB, 11 LSB then MSB, M2-M0 (3:1) mode,
 * BCD (0); a count of 0 is the maximum (65536, or 10000 in BCD). A written count is loaded on
 * the next clock, which does not decrement it. The mode figures, clock by clock after the count
 * write (n = count not loaded yet):
 *   mode 0, CW=10 LSB=4:  n 4 3 2 1 0 FFFF, OUT low after the CW, high from count 0 (N+1 clocks);
 *     GATE low pauses (3 2 2 2 1 0 with GATE low for two clocks); a count written while GATE is
 *     low is loaded anyway, and OUT rises N clocks after GATE goes high;
 *   mode 2, CW=14 LSB=3:  n 3 2 1 3 2 1 3, OUT low for the clock at count 1; GATE low forces OUT
 *     high, its rising edge reloads N on the next clock;
 *   mode 3, CW=16 LSB=4:  n 4 2 4 2 4 2, OUT high, high, low, low, high, high;
 *           CW=16 LSB=5:  n 4 2 0 4 2 4 2 0, OUT high for 3 clocks, low for 2;
 *   mode 4, CW=18 LSB=3:  n 3 2 1 0 FFFF, OUT high but low for the clock at count 0.
 * Counter latch freezes the value until read (a second latch before the read is ignored);
 * read-back 11 0 1 CNT2 CNT1 CNT0 0 with bit 5 = 0 latches counts and bit 4 = 0 latches status
 * (OUT in bit 7, null count in bit 6 until the count is loaded, then RW, mode, BCD), status read
 * first. Port 0x61 (IBM PC/AT technical reference, system control port B): bits 3:0 read back
 * as written (bit 0 timer 2 gate, bit 1 speaker data), bit 4 refresh toggle (every 15.085 us),
 * bit 5 timer 2 OUT. Channel 0 drives IRQ0 on OUT's rising edge. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <setjmp.h>
#include <cmocka.h>
#include "svm_fixture.h"
#include "svm/dev/io.h"
#include "svm/dev/clock.h"
#include "svm/dev/pic.h"
#include "svm/dev/pit.h"

#define HZ (PIT_HZ * 10)
#define CLK 10 /* host ticks per PIT clock */

static struct svm_fx *f;

static int setup(void **state)
{
	(void)state;
	sf_log_capture();
	f = sf_new(false);
	sf_clock_start(1000, HZ);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sf_free(f);
	log_reset();
	sf_clock_stop();
	return 0;
}

static void outb_(u16 port, u8 v)
{
	assert_true(sf_outb(f, port, v));
}

static u8 inb_(u16 port)
{
	return sf_inb(f, port);
}

static u16 read_word(u16 port)
{
	u8 lo = inb_(port);
	return (u16)(lo | (inb_(port) << 8));
}

static bool out2(void)
{
	return inb_(0x61) & 0x20;
}

/* The time in the middle of clock `i` after `t0` (clock 1 loads the count). */
static u64 mid(u64 t0, unsigned i)
{
	return t0 + i * CLK + CLK / 2;
}

/* Channel 2 in LSB-only access: `counts` and OUT2 `outs` in clocks 1..n after the write. */
static void expect_ch2(u64 t0, const u8 *counts, const bool *outs, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		sf_clock_now = mid(t0, i + 1);
		assert_int_equal(inb_(0x42), counts[i]);
		assert_int_equal(out2(), outs[i]);
	}
}

static void ch2_mode0_figure(void **state)
{
	(void)state;
	outb_(0x61, 0x01); /* gate 2 high, speaker off */
	outb_(0x43, 0x90); /* channel 2, LSB, mode 0 */
	assert_false(out2()); /* OUT low after the control word */
	u64 t0 = sf_clock_now;
	outb_(0x42, 4);
	static const u8 counts[] = { 4, 3, 2, 1, 0, 0xFF, 0xFE };
	static const bool outs[] = { false, false, false, false, true, true, true };
	expect_ch2(t0, counts, outs, ARRAY_SIZE(counts));
}

static void ch2_mode0_gate_pauses(void **state)
{
	(void)state;
	outb_(0x61, 0x01);
	outb_(0x43, 0x90);
	u64 t0 = sf_clock_now;
	outb_(0x42, 3);
	sf_clock_now = mid(t0, 1);
	assert_int_equal(inb_(0x42), 3);
	sf_clock_now = mid(t0, 2);
	assert_int_equal(inb_(0x42), 2);
	outb_(0x61, 0x00); /* gate low for two clocks */
	sf_clock_now = mid(t0, 3);
	assert_int_equal(inb_(0x42), 2);
	sf_clock_now = mid(t0, 4);
	assert_int_equal(inb_(0x42), 2);
	assert_false(out2());
	outb_(0x61, 0x01);
	sf_clock_now = mid(t0, 5);
	assert_int_equal(inb_(0x42), 1);
	assert_false(out2());
	sf_clock_now = mid(t0, 6);
	assert_int_equal(inb_(0x42), 0);
	assert_true(out2());
	/* A pause after the terminal count keeps OUT high. */
	outb_(0x61, 0x00);
	sf_clock_now = mid(t0, 9);
	assert_true(out2());
	assert_int_equal(inb_(0x42), 0);
}

static void ch2_mode0_count_written_while_gate_low(void **state)
{
	(void)state;
	outb_(0x61, 0x00);
	outb_(0x43, 0x90);
	outb_(0x42, 3);
	sf_clock_now += 50 * CLK;
	assert_int_equal(inb_(0x42), 3);
	assert_false(out2());
	u64 g = sf_clock_now;
	outb_(0x61, 0x01); /* OUT rises N clocks after the gate: no load clock needed */
	sf_clock_now = g + 3 * CLK - 1;
	assert_false(out2());
	sf_clock_now = g + 3 * CLK;
	assert_true(out2());
}

static void ch2_mode2_figure_and_gate(void **state)
{
	(void)state;
	outb_(0x61, 0x01);
	outb_(0x43, 0x94); /* channel 2, LSB, mode 2 */
	assert_true(out2()); /* OUT high after the control word */
	u64 t0 = sf_clock_now;
	outb_(0x42, 3);
	static const u8 counts[] = { 3, 2, 1, 3, 2, 1, 3 };
	static const bool outs[] = { true, true, false, true, true, false, true };
	expect_ch2(t0, counts, outs, ARRAY_SIZE(counts));
	/* GATE low during the low pulse forces OUT high at once. */
	sf_clock_now = mid(t0, 9);
	assert_false(out2());
	outb_(0x61, 0x00);
	assert_true(out2());
	sf_clock_now = mid(t0, 12);
	assert_true(out2());
	/* The rising gate reloads N on the next clock: 3 2 1 again. */
	u64 g = t0 + 12 * CLK;
	sf_clock_now = g;
	outb_(0x61, 0x01);
	expect_ch2(g, counts, outs, 3);
}

static void ch2_mode3_even_and_odd(void **state)
{
	(void)state;
	outb_(0x61, 0x01);
	outb_(0x43, 0x96); /* channel 2, LSB, mode 3 */
	u64 t0 = sf_clock_now;
	outb_(0x42, 4);
	static const u8 even_counts[] = { 4, 2, 4, 2, 4, 2 };
	static const bool even_outs[] = { true, true, false, false, true, true };
	expect_ch2(t0, even_counts, even_outs, ARRAY_SIZE(even_counts));
	outb_(0x43, 0x96);
	t0 = sf_clock_now;
	outb_(0x42, 5);
	static const u8 odd_counts[] = { 4, 2, 0, 4, 2, 4, 2, 0 };
	static const bool odd_outs[] = { true, true, true, false, false, true, true, true };
	expect_ch2(t0, odd_counts, odd_outs, ARRAY_SIZE(odd_counts));
	/* Mode 6 is mode 2, 7 is mode 3 (data sheet: M2 is don't-care for those). */
	outb_(0x43, 0x9E);
	assert_int_equal(f->dev->pit.ch[2].mode, 3);
}

static void ch2_bcd_count(void **state)
{
	(void)state;
	outb_(0x61, 0x01);
	outb_(0x43, 0xB1); /* channel 2, LSB then MSB, mode 0, BCD */
	u64 t0 = sf_clock_now;
	outb_(0x42, 0x00);
	outb_(0x42, 0x00); /* 0 is 10000 in BCD */
	sf_clock_now = mid(t0, 1);
	assert_int_equal(read_word(0x42), 0x0000);
	sf_clock_now = mid(t0, 2);
	assert_int_equal(read_word(0x42), 0x9999);
	sf_clock_now = mid(t0, 1 + 1235);
	assert_int_equal(read_word(0x42), 0x8765);
}

static void mode0_word_latch(void **state)
{
	(void)state;
	outb_(0x43, 0x30); /* channel 0, LSB then MSB, mode 0 */
	assert_false(dev_pit_out(&f->dev->pit.ch[0], sf_clock_now));
	u64 t0 = sf_clock_now;
	outb_(0x40, 0xE8);
	outb_(0x40, 0x03); /* 1000 */
	sf_clock_now = mid(t0, 251);
	assert_int_equal(read_word(0x40), 750);
	outb_(0x43, 0x00); /* latch channel 0 */
	sf_clock_now += 100 * CLK;
	outb_(0x43, 0x00); /* a second latch before the read is ignored */
	assert_int_equal(read_word(0x40), 750); /* frozen at the first latch */
	assert_int_equal(read_word(0x40), 650);
	assert_false(dev_pit_out(&f->dev->pit.ch[0], mid(t0, 1000)));
	assert_true(dev_pit_out(&f->dev->pit.ch[0], mid(t0, 1001)));
	sf_clock_now = mid(t0, 1011);
	assert_int_equal(read_word(0x40), 0xFFF6); /* wraps on */
}

static void pic_irq0_unmasked(void)
{
	outb_(0x20, 0x11);
	outb_(0x21, 0x30);
	outb_(0x21, 0x04);
	outb_(0x21, 0x01);
	outb_(0x21, 0x00);
}

static void mode2_rate_generator_irq0(void **state)
{
	(void)state;
	pic_irq0_unmasked();
	u64 t0 = sf_clock_now;
	outb_(0x43, 0x34); /* channel 0, LSB then MSB, mode 2 */
	outb_(0x40, 100);
	outb_(0x40, 0);
	/* Loaded at clock 1, low for clock 100, OUT rises (IRQ0) as clock 101 reloads. */
	assert_int_equal(dev_pit_next_deadline(&f->dev->pit), t0 + 101 * CLK);
	assert_true(dev_pit_out(&f->dev->pit.ch[0], mid(t0, 99)));
	assert_false(dev_pit_out(&f->dev->pit.ch[0], mid(t0, 100)));
	dev_pit_tick(&f->vm, t0 + 101 * CLK - 1);
	assert_false(dev_pic_output(&f->vm));
	dev_pit_tick(&f->vm, t0 + 101 * CLK);
	assert_true(dev_pic_output(&f->vm));
	assert_int_equal(dev_pic_inta(&f->vm), 0x30);
	assert_int_equal(dev_pit_next_deadline(&f->dev->pit), t0 + 201 * CLK);
	assert_int_equal(dev_pit_count(&f->dev->pit.ch[0], mid(t0, 131)), 70);
}

static void mode4_strobe_irq0(void **state)
{
	(void)state;
	pic_irq0_unmasked();
	u64 t0 = sf_clock_now;
	outb_(0x43, 0x18); /* channel 0, LSB, mode 4 (Linux's one-shot PIT clockevent) */
	outb_(0x40, 3);
	static const u16 counts[] = { 3, 2, 1, 0, 0xFF };
	static const bool outs[] = { true, true, true, false, true };
	for (unsigned i = 0; i < ARRAY_SIZE(counts); i++) {
		assert_int_equal(dev_pit_count(&f->dev->pit.ch[0], mid(t0, i + 1)) & 0xFF, counts[i]);
		assert_int_equal(dev_pit_out(&f->dev->pit.ch[0], mid(t0, i + 1)), outs[i]);
	}
	/* One rising edge, as the strobe ends: N + 2 clocks after the write; then none. */
	assert_int_equal(dev_pit_next_deadline(&f->dev->pit), t0 + 5 * CLK);
	dev_pit_tick(&f->vm, t0 + 5 * CLK);
	assert_true(dev_pic_output(&f->vm));
	assert_int_equal(dev_pit_next_deadline(&f->dev->pit), LAPIC_NO_DEADLINE);
}

static void mode3_square_wave_irq0(void **state)
{
	(void)state;
	u64 t0 = sf_clock_now;
	outb_(0x43, 0x36); /* channel 0, LSB then MSB, mode 3 */
	outb_(0x40, 10);
	outb_(0x40, 0);
	assert_true(dev_pit_out(&f->dev->pit.ch[0], mid(t0, 5)));
	assert_false(dev_pit_out(&f->dev->pit.ch[0], mid(t0, 6)));
	assert_true(dev_pit_out(&f->dev->pit.ch[0], mid(t0, 11)));
	assert_int_equal(dev_pit_count(&f->dev->pit.ch[0], mid(t0, 3)), 6);
	assert_int_equal(dev_pit_next_deadline(&f->dev->pit), t0 + 11 * CLK);
}

static void readback_status_and_count(void **state)
{
	(void)state;
	outb_(0x43, 0xB0); /* channel 2, LSB then MSB, mode 0 */
	outb_(0x43, 0xE8); /* read-back status of channel 2 */
	assert_int_equal(inb_(0x42), 0x40 | 0x30); /* null count, RW 11, mode 0, OUT low */
	outb_(0x61, 0x01); /* gate 2 high */
	u64 t0 = sf_clock_now;
	outb_(0x42, 0x00);
	outb_(0x42, 0x10); /* 4096 */
	outb_(0x43, 0xE8);
	assert_int_equal(inb_(0x42), 0x40 | 0x30); /* still null until the load clock */
	sf_clock_now = mid(t0, 97);
	outb_(0x43, 0xC8); /* read-back count and status of channel 2 */
	outb_(0x43, 0xC8); /* again before the reads: ignored */
	assert_int_equal(inb_(0x42), 0x30); /* status first: loaded, OUT low */
	sf_clock_now += 5 * CLK;
	assert_int_equal(read_word(0x42), 4000);
	assert_int_equal(read_word(0x42), 3995); /* the latch is gone */
	/* Read-back of channels 0 and 2 at once, status only. */
	outb_(0x43, 0x36);
	outb_(0x43, 0xE0 | 0x08 | 0x02);
	assert_int_equal(inb_(0x40), 0x80 | 0x40 | 0x36); /* OUT high, null count, mode 3 */
	assert_int_equal(inb_(0x42) & 0x80, 0x00);
}

static void port61_bits(void **state)
{
	(void)state;
	outb_(0x61, 0x0F);
	assert_int_equal(inb_(0x61) & 0x0F, 0x0F);
	outb_(0x61, 0xF2); /* status bits are read-only */
	assert_int_equal(inb_(0x61) & 0xCF, 0x02);
	/* The refresh bit toggles by itself. */
	u8 a = inb_(0x61) & 0x10;
	sf_clock_now += HZ / 66288 + 1;
	assert_int_not_equal(inb_(0x61) & 0x10, a);
}

/* Linux quick_pit_calibrate: channel 2 in mode 0 from 0xFFFF; the TSC at each change of the
 * count's MSB, 256 PIT clocks apart, gives the TSC rate. With the PIT counting from the TSC the
 * guest reads, the answer is that rate within one PIT clock, whatever the host did meanwhile. */
static void calibration_measures_clock_rate(void **state)
{
	(void)state;
	const u64 hz = 2893276543ULL; /* no integer ratio to the PIT clock */
	sf_clock_start(12345, hz);
	outb_(0x61, (inb_(0x61) & ~0x02) | 0x01);
	outb_(0x43, 0xB0);
	outb_(0x42, 0xFF);
	outb_(0x42, 0xFF);
	u64 edge[2] = { 0, 0 };
	u8 want[2] = { 0xFE, 0xFE - 40 };
	for (unsigned e = 0; e < 2; e++) {
		for (;;) {
			(void)inb_(0x42);
			if (inb_(0x42) == want[e])
				break;
			sf_clock_now += 997; /* a loop iteration's worth of TSC */
		}
		edge[e] = sf_clock_now;
	}
	u64 khz = (edge[1] - edge[0]) * PIT_HZ / (40 * 256 * 1000);
	u64 err = khz > hz / 1000 ? khz - hz / 1000 : hz / 1000 - khz;
	assert_true(err * 10000 < hz / 1000); /* within 100 ppm */
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(ch2_mode0_figure),
		T(ch2_mode0_gate_pauses),
		T(ch2_mode0_count_written_while_gate_low),
		T(ch2_mode2_figure_and_gate),
		T(ch2_mode3_even_and_odd),
		T(ch2_bcd_count),
		T(mode0_word_latch),
		T(mode2_rate_generator_irq0),
		T(mode4_strobe_irq0),
		T(mode3_square_wave_irq0),
		T(readback_status_and_count),
		T(port61_bits),
		T(calibration_measures_clock_rate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
