/* svm/dev/hpet.c through the MMIO dispatch, with a clock at 1 GHz (one HPET tick = 10 host
 * ticks).
 *
 * Vectors: IA-PC HPET specification 1.0a, 2.3: GCAP_ID at 0x000 (REV_ID 7:0, NUM_TIM_CAP 12:8 =
 * timers - 1, COUNT_SIZE_CAP bit 13, LEG_RT_CAP bit 15, VENDOR_ID 31:16, COUNTER_CLK_PERIOD 63:32
 * in fs, at most 0x05F5E100 = 100 ns), GEN_CONF 0x010 (ENABLE_CNF bit 0 runs the main counter,
 * LEG_RT_CNF bit 1 routes timer 0 to IRQ0 and timer 1 to IRQ8), GINTR_STA 0x020 (write 1 to
 * clear), MAIN_COUNTER 0x0F0 (writable while halted), Tn_CONFIG 0x100 + 0x20 n (INT_TYPE bit 1,
 * INT_ENB bit 2, TYPE periodic bit 3, PER_INT_CAP bit 4, SIZE_CAP bit 5, VAL_SET bit 6, 32MODE
 * bit 8), Tn_COMPARATOR 0x108 + 0x20 n; 32-bit software reads the halves at +0 and +4. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <setjmp.h>
#include <cmocka.h>
#include "svm_fixture.h"
#include "svm/dev/io.h"
#include "svm/dev/clock.h"
#include "svm/dev/hpet.h"
#include "svm/dev/pic.h"

#define H 0xFED00000ULL

static struct svm_fx *f;

static int setup(void **state)
{
	(void)state;
	sf_log_capture();
	f = sf_new(false);
	sf_clock_start(5000, 1000000000ULL);
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

static u64 rd(u64 off, unsigned size)
{
	u64 v = 0;
	assert_true(svm_mmio(&f->vm, H + off, size, false, &v));
	return v;
}

static void wr(u64 off, unsigned size, u64 v)
{
	assert_true(svm_mmio(&f->vm, H + off, size, true, &v));
}

static void capabilities(void **state)
{
	(void)state;
	u64 cap = rd(0, 8);
	assert_int_equal(cap & 0xFF, 1);
	assert_int_equal((cap >> 8) & 0x1F, HPET_TIMERS - 1);
	assert_true(cap & (1 << 13));
	assert_true(cap & (1 << 15));
	assert_true((cap >> 32) > 0 && (cap >> 32) <= 0x05F5E100);
	assert_int_equal(rd(4, 4), cap >> 32); /* the high half alone */
	assert_true(rd(0x100, 8) & (1 << 4));  /* timer 0 can be periodic */
	assert_false(rd(0x120, 8) & (1 << 4));
}

static void counter_runs_only_when_enabled(void **state)
{
	(void)state;
	sf_clock_now += 1000;
	assert_int_equal(rd(0xF0, 8), 0);
	wr(0xF0, 8, 0x100000000ULL - 5); /* writable while halted */
	wr(0x10, 8, 1);
	sf_clock_now += 100; /* 10 ticks */
	assert_int_equal(rd(0xF0, 8), 0x100000000ULL + 5);
	assert_int_equal(rd(0xF4, 4), 1);
	assert_int_equal(rd(0xF0, 4), 5);
	wr(0xF0, 8, 0); /* ignored while running */
	assert_int_equal(rd(0xF0, 8), 0x100000000ULL + 5);
	wr(0x10, 8, 0);
	sf_clock_now += 1000;
	assert_int_equal(rd(0xF0, 8), 0x100000000ULL + 5); /* halted: frozen */
}

static void legacy_timer0_periodic_irq0(void **state)
{
	(void)state;
	/* PIC: IRQ0 at vector 0x30. */
	u32 b;
	u16 ports[] = { 0x20, 0x21, 0x21, 0x21, 0x21 };
	u8 vals[] = { 0x11, 0x30, 0x04, 0x01, 0x00 };
	for (unsigned i = 0; i < 5; i++) {
		b = vals[i];
		assert_true(svm_io_port(&f->vm, ports[i], 1, false, &b));
	}
	u64 t0 = sf_clock_now;
	wr(0x100, 8, (1 << 2) | (1 << 3) | (1 << 6)); /* enabled, periodic, value set */
	wr(0x108, 8, 100);                             /* every 100 ticks = 1000 ns */
	wr(0x10, 8, 3);                                /* enable, legacy routing */
	assert_int_equal(dev_hpet_next_deadline(&f->dev->hpet), t0 + 1000);
	dev_hpet_tick(&f->vm, t0 + 999);
	assert_false(dev_pic_output(&f->vm));
	dev_hpet_tick(&f->vm, t0 + 1000);
	assert_int_equal(dev_pic_inta(&f->vm), 0x30);
	assert_int_equal(rd(0x108, 8), 200);
	assert_int_equal(dev_hpet_next_deadline(&f->dev->hpet), t0 + 2000);
	/* Without legacy routing there is nowhere to deliver: nothing scheduled. */
	wr(0x10, 8, 1);
	assert_int_equal(dev_hpet_next_deadline(&f->dev->hpet), LAPIC_NO_DEADLINE);
}

static void level_status_write_one_to_clear(void **state)
{
	(void)state;
	u64 t0 = sf_clock_now;
	wr(0x120, 8, (1 << 1) | (1 << 2)); /* timer 1: level, enabled, one-shot */
	wr(0x128, 8, 50);
	wr(0x10, 8, 3);
	dev_hpet_tick(&f->vm, t0 + 500);
	assert_int_equal(rd(0x20, 8), 2);
	wr(0x20, 8, 1); /* bit 0: nothing to clear */
	assert_int_equal(rd(0x20, 8), 2);
	wr(0x20, 8, 2);
	assert_int_equal(rd(0x20, 8), 0);
	assert_int_equal(dev_hpet_next_deadline(&f->dev->hpet), LAPIC_NO_DEADLINE);
}

/* Linux's periodic tick on timer 0 (hpet_clkevt_set_state_periodic): counter halted, config
 * with VAL_SET, comparator = now + period, then the period alone again (VAL_SET is spent). */
static void linux_periodic_timer0_second_write_sets_period(void **state)
{
	(void)state;
	wr(0x10, 4, 3);
	sf_clock_now += 50000;
	wr(0x10, 4, 2); /* halt */
	u32 now = (u32)rd(0xF0, 4);
	u32 cfg = (u32)rd(0x100, 4) | (1u << 2) | (1u << 3) | (1u << 6) | (1u << 8);
	wr(0x100, 4, cfg);
	wr(0x108, 4, now + 400);
	wr(0x108, 4, 400);
	assert_int_equal(rd(0x108, 4), now + 400);
	u64 t0 = sf_clock_now;
	wr(0x10, 4, 3); /* run */
	assert_int_equal(dev_hpet_next_deadline(&f->dev->hpet), t0 + 4000);
	dev_hpet_tick(&f->vm, t0 + 4000);
	assert_int_equal(rd(0x108, 4), now + 800);
	assert_int_equal(dev_hpet_next_deadline(&f->dev->hpet), t0 + 8000);
}

/* Linux's RTC emulation on timer 1 (arch/x86/kernel/hpet.c, hpet_rtc_timer_init): 32-bit
 * accesses only; the comparator is written before the timer is put in 32-bit mode. */
static void linux_rtc_emulation_timer1_irq8(void **state)
{
	(void)state;
	sf_pic_init(f);
	wr(0x10, 4, 3); /* enable, legacy routing */
	sf_clock_now += 123456;
	u32 cnt = (u32)rd(0xF0, 4) + 1000; /* 10 us ahead */
	wr(0x128, 4, cnt);
	u32 cfg = (u32)rd(0x120, 4);
	cfg &= ~(1u << 3);
	cfg |= (1u << 2) | (1u << 8);
	wr(0x120, 4, cfg);
	u64 due = dev_hpet_next_deadline(&f->dev->hpet);
	assert_int_equal(due, sf_clock_now + 10000);
	dev_hpet_tick(&f->vm, due);
	assert_true(f->dev->pic.chip[1].irr & 1);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(capabilities),
		T(counter_runs_only_when_enabled),
		T(legacy_timer0_periodic_irq0),
		T(linux_rtc_emulation_timer1_irq8),
		T(linux_periodic_timer0_second_write_sets_period),
		T(level_status_write_one_to_clear),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
