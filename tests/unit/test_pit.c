/* svm/dev/pit.c: the 8254 and port 0x61, with a clock moved by hand. The test clock runs at
 * exactly PIT_HZ * 10 ticks per second, so one PIT clock is 10 host ticks.
 *
 * Vectors: Intel 82C54 data sheet: control word at 0x43, SC1-SC0 (bits 7:6) channel or 11
 * read-back, RW1-RW0 (5:4) 00 counter latch, 01 LSB, 10 MSB, 11 LSB then MSB, M2-M0 (3:1)
 * mode, BCD (0); a count of 0 means 65536; mode 0: OUT low after the mode write, high at the
 * terminal count, the counter goes on wrapping; mode 2: OUT low for one clock when the count
 * reaches 1, period N; mode 3: OUT high for ceil(N/2) then low, counting down by 2; counter
 * latch freezes the value until read; read-back 11 0 1 CNT2 CNT1 CNT0 0 with bit 5 = 0 latches
 * counts and bit 4 = 0 latches status (OUT in bit 7, null count in bit 6, then RW, mode, BCD).
 * Port 0x61 (IBM PC/AT technical reference, system control port B): bit 0 timer 2 gate, bit 1
 * speaker data, bit 4 refresh toggle, bit 5 timer 2 OUT. Channel 0 drives IRQ0. */
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

static void mode0_terminal_count_and_latch(void **state)
{
	(void)state;
	outb_(0x43, 0x30); /* channel 0, LSB then MSB, mode 0 */
	assert_false(dev_pit_out(&f->dev->pit.ch[0], sf_clock_now));
	outb_(0x40, 0xE8);
	outb_(0x40, 0x03); /* 1000 */
	sf_clock_now += 250 * CLK;
	assert_int_equal(read_word(0x40), 750);
	outb_(0x43, 0x00); /* latch channel 0 */
	sf_clock_now += 100 * CLK;
	assert_int_equal(read_word(0x40), 750); /* frozen at the latch */
	assert_int_equal(read_word(0x40), 650);
	sf_clock_now += 650 * CLK;
	assert_true(dev_pit_out(&f->dev->pit.ch[0], sf_clock_now));
	sf_clock_now += 10 * CLK;
	assert_int_equal(read_word(0x40), 0xFFF6); /* wraps on */
}

static void mode2_rate_generator_irq0(void **state)
{
	(void)state;
	/* PIC programmed so IRQ0 is visible. */
	outb_(0x20, 0x11);
	outb_(0x21, 0x30);
	outb_(0x21, 0x04);
	outb_(0x21, 0x01);
	outb_(0x21, 0x00);
	u64 t0 = sf_clock_now;
	outb_(0x43, 0x34); /* channel 0, LSB then MSB, mode 2 */
	outb_(0x40, 100);
	outb_(0x40, 0);
	assert_int_equal(dev_pit_next_deadline(&f->dev->pit), t0 + 100 * CLK);
	dev_pit_tick(&f->vm, t0 + 99 * CLK);
	assert_false(dev_pic_output(&f->vm));
	assert_true(dev_pit_out(&f->dev->pit.ch[0], t0 + 98 * CLK));
	assert_false(dev_pit_out(&f->dev->pit.ch[0], t0 + 99 * CLK)); /* low at count 1 */
	dev_pit_tick(&f->vm, t0 + 100 * CLK);
	assert_true(dev_pic_output(&f->vm));
	assert_int_equal(dev_pic_inta(&f->vm), 0x30);
	assert_int_equal(dev_pit_next_deadline(&f->dev->pit), t0 + 200 * CLK);
	assert_int_equal(dev_pit_count(&f->dev->pit.ch[0], t0 + 130 * CLK), 70);
}

static void mode3_square_wave(void **state)
{
	(void)state;
	u64 t0 = sf_clock_now;
	outb_(0x43, 0x36); /* channel 0, mode 3 */
	outb_(0x40, 10);
	outb_(0x40, 0);
	assert_true(dev_pit_out(&f->dev->pit.ch[0], t0 + 4 * CLK));
	assert_false(dev_pit_out(&f->dev->pit.ch[0], t0 + 5 * CLK));
	assert_true(dev_pit_out(&f->dev->pit.ch[0], t0 + 10 * CLK));
	assert_int_equal(dev_pit_count(&f->dev->pit.ch[0], t0 + 2 * CLK), 6);
	/* Mode 6 is mode 2, 7 is mode 3 (data sheet: M2 is don't-care for those). */
	outb_(0x43, 0x3E);
	assert_int_equal(f->dev->pit.ch[0].mode, 3);
}

static void readback_status_and_count(void **state)
{
	(void)state;
	outb_(0x43, 0xB0); /* channel 2, LSB then MSB, mode 0 */
	outb_(0x43, 0xE8); /* read-back status of channel 2 */
	assert_int_equal(inb_(0x42), 0x40 | 0x30); /* null count, RW 11, mode 0, OUT low */
	outb_(0x61, 0x01); /* gate 2 high */
	outb_(0x42, 0x00);
	outb_(0x42, 0x10); /* 4096 */
	sf_clock_now += 96 * CLK;
	outb_(0x43, 0xC8); /* read-back count and status of channel 2 */
	assert_int_equal(inb_(0x42), 0x30); /* status first: counting, OUT low */
	assert_int_equal(read_word(0x42), 4000);
}

static void port61_gate_and_out2(void **state)
{
	(void)state;
	/* Linux pit_calibrate_tsc: gate high, speaker off, channel 2 mode 0, 0xFFFF... then
	 * watch OUT2 in bit 5. */
	outb_(0x61, (inb_(0x61) & ~0x02) | 0x01);
	outb_(0x43, 0xB0);
	outb_(0x42, 100);
	outb_(0x42, 0);
	assert_int_equal(inb_(0x61) & 0x21, 0x01);
	sf_clock_now += 100 * CLK;
	assert_int_equal(inb_(0x61) & 0x20, 0x20);
	/* The refresh bit toggles by itself. */
	u8 a = inb_(0x61) & 0x10;
	sf_clock_now += HZ / 66288 + 1;
	assert_int_not_equal(inb_(0x61) & 0x10, a);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(mode0_terminal_count_and_latch),
		T(mode2_rate_generator_irq0),
		T(mode3_square_wave),
		T(readback_status_and_count),
		T(port61_gate_and_out2),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
