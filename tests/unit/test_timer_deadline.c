/* The devices' earliest timer deadline (devices_next_deadline, svm/dev/intr.c), which is kept
 * between exits and recomputed only after a timer device was programmed or fired: it must
 * always equal the earliest of the devices' own deadlines, whichever way the guest programmed
 * them (xAPIC page, HPET page, PIT ports, IA32_TSC_DEADLINE), and devices_tick must fire
 * exactly what is due.
 *
 * Vectors: Intel SDM vol. 3A 11.5.4 (LVT timer 0x320 bits 18:17 mode 00 one-shot, 01
 * periodic, 10 TSC-deadline; initial count 0x380; divide 0x3E0 = 1011b divides by 1; SVR
 * 0xF0 bit 8 enables the APIC; IRR at 0x200 + (v/32)*0x10), 11.5.4.1 (IA32_TSC_DEADLINE);
 * IA-PC HPET spec 1.0a 2.3 (GENERAL_CONFIG 0x10 bit 0 ENABLE_CNF, bit 1 LEG_RT_CNF; Tn_CONFIG
 * 0x100 bit 2 INT_ENB, bit 3 TYPE periodic, bit 6 VAL_SET; Tn_COMPARATOR 0x108); Intel 82C54
 * (control word 0x34: channel 0, LSB then MSB, mode 2). Clock: 1 GHz host TSC, so one APIC bus
 * tick is one TSC tick and one HPET tick (100 MHz model) ten. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <setjmp.h>
#include <cmocka.h>
#include "svm_fixture.h"
#include "svm/dev/intr.h"

#define APIC 0xFEE00000ULL
#define HPET 0xFED00000ULL
#define GHZ 1000000000ULL

static struct svm_fx *f;

static int setup(void **state)
{
	(void)state;
	sf_log_capture();
	f = sf_new(false);
	sf_clock_start(0, GHZ);
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

static void mmio_wr(u64 gpa, unsigned size, u64 val)
{
	assert_true(svm_mmio(&f->vm, gpa, size, true, &val));
}

static u32 apic_rd(u32 reg)
{
	u64 v = 0;
	assert_true(svm_mmio(&f->vm, APIC + reg, 4, false, &v));
	return (u32)v;
}

static void apic_wr(u32 reg, u32 val)
{
	mmio_wr(APIC + reg, 4, val);
}

static bool irr_has(u8 vec)
{
	return apic_rd(0x200 + (vec / 32) * 0x10) & (1u << (vec % 32));
}

static u64 devices_own_earliest(void)
{
	u64 d = dev_lapic_next_deadline(&f->dev->lapic);
	d = MIN(d, dev_pit_next_deadline(&f->dev->pit));
	return MIN(d, dev_hpet_next_deadline(&f->dev->hpet));
}

static void apic_periodic(u32 count)
{
	apic_wr(0xF0, 0x1FF);
	apic_wr(0x3E0, 0xB);
	apic_wr(0x320, (1u << 17) | 0x30);
	apic_wr(0x380, count);
}

static void follows_every_programming_path(void **state)
{
	(void)state;
	assert_int_equal(devices_next_deadline(&f->vm), LAPIC_NO_DEADLINE);
	/* Asked twice in a row: the kept value. */
	assert_int_equal(devices_next_deadline(&f->vm), LAPIC_NO_DEADLINE);

	/* PIT channel 0, mode 2, count 1000: 1000 / 1.193182 MHz = 838,095 ns, from the count's
	 * load at the first CLK pulse after the write (at most one 838 ns clock later). */
	assert_true(sf_outb(f, 0x43, 0x34));
	assert_true(sf_outb(f, 0x40, 0xE8));
	assert_true(sf_outb(f, 0x40, 0x03));
	assert_in_range(devices_next_deadline(&f->vm), 838095, 838095 + 2 * 839);
	assert_int_equal(devices_next_deadline(&f->vm), dev_pit_next_deadline(&f->dev->pit));

	apic_periodic(5000);
	assert_int_equal(devices_next_deadline(&f->vm), 5000);

	/* HPET timer 0 in legacy routing (IRQ0, the model's only routing), periodic every 100
	 * HPET ticks = 1000 TSC ticks: now the earliest. */
	mmio_wr(HPET + 0x100, 8, (1 << 2) | (1 << 3) | (1 << 6));
	mmio_wr(HPET + 0x108, 8, 100);
	mmio_wr(HPET + 0x10, 8, 3);
	assert_int_equal(devices_next_deadline(&f->vm), 1000);
	assert_int_equal(devices_next_deadline(&f->vm), devices_own_earliest());

	/* HPET off: the APIC timer is the earliest again. */
	mmio_wr(HPET + 0x10, 8, 0);
	assert_int_equal(devices_next_deadline(&f->vm), 5000);

	/* TSC-deadline mode through IA32_TSC_DEADLINE: the host deadline it names. */
	apic_wr(0x320, (2u << 17) | 0x30);
	assert_int_equal(devices_next_deadline(&f->vm), devices_own_earliest());
	dev_lapic_tsc_deadline_write(&f->vm, 400, 300);
	assert_int_equal(devices_next_deadline(&f->vm), 300);
	dev_lapic_tsc_deadline_write(&f->vm, 0, 0); /* disarmed */
	assert_int_equal(devices_next_deadline(&f->vm), devices_own_earliest());
	assert_int_not_equal(devices_next_deadline(&f->vm), 300);
}

static void tick_fires_what_is_due_and_rearms(void **state)
{
	(void)state;
	apic_periodic(1000);
	devices_tick(&f->vm, 999);
	assert_false(irr_has(0x30));
	devices_tick(&f->vm, 1000);
	assert_true(irr_has(0x30));
	/* Periodic: the next one a period later (SDM 11.5.4). */
	assert_int_equal(devices_next_deadline(&f->vm), 2000);
	dev_lapic_ack(&f->vm, 0x30);
	apic_wr(0xB0, 0);
	devices_tick(&f->vm, 1999);
	assert_false(irr_has(0x30));
	devices_tick(&f->vm, 2000);
	assert_true(irr_has(0x30));
	/* A new initial count restarts the period from now (clock at 2500). */
	sf_clock_now = 2500;
	apic_wr(0x380, 300);
	assert_int_equal(devices_next_deadline(&f->vm), 2800);
	/* Initial count 0 stops it: nothing is armed. */
	apic_wr(0x380, 0);
	assert_int_equal(devices_next_deadline(&f->vm), LAPIC_NO_DEADLINE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(follows_every_programming_path, setup, teardown),
		cmocka_unit_test_setup_teardown(tick_fires_what_is_due_and_rearms, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
