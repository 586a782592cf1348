/* svm/load/bios.c: the state a PC BIOS leaves for a plain Multiboot guest, checked from the
 * guest's side (its ports and its memory), not from the device structs.
 *
 * Vectors:
 * - SeaBIOS src/hw/pic.c pic_reset + src/clock.c enable_hwirq(0) and (8): master vector base
 *   0x08, slave 0x70; IMRs 0xFA (IR0 timer and IR2 cascade open) and 0xFE (IR8 RTC open).
 * - SeaBIOS src/hw/timer.c pit_setup: channel 0 mode 2, LSB/MSB, binary, count 0 = 65536
 *   clocks: an IRQ0 every 65536 / 1193182 s (18.2 Hz). 82C54 read-back status byte: bit 7 OUT,
 *   bit 6 null count (set from the count write until the next clock loads it), bits 5:4 access
 *   (3), bits 3:1 mode (2), bit 0 BCD; read-back command 11 0 1 001 0 = 0xE2 latches channel 0's
 *   status only. The count is loaded on the first clock after the write; a full period later
 *   OUT rises again (mode 2).
 * - IBM PC/AT BIOS: the dummy interrupt handler (IRET) at F000:FF53.
 * - Real-mode IVT (SDM vol. 3, "Interrupt and Exception Handling in Real-Address Mode"): 4 bytes
 *   per vector, offset then segment.
 * - Handler code hand-assembled from the SDM vol. 2 opcode tables: PUSH AX 50, MOV AL,20h B0 20,
 *   OUT 20h,AL E6 20, OUT 0A0h,AL E6 A0, POP AX 58, IRET CF. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <setjmp.h>
#include <cmocka.h>
#include "svm_fixture.h"
#include "svm/dev/io.h"
#include "svm/dev/intr.h"
#include "svm/load/bios.h"

#define HZ 1193182ULL /* one host tick per PIT clock */
#define T0 5000

static struct svm_fx *f;

static int setup(void **state)
{
	(void)state;
	sf_log_capture();
	f = sf_new(false);
	sf_clock_start(T0, HZ);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sf_clock_stop();
	sf_free(f);
	log_reset();
	return 0;
}

static u32 ivt_entry(unsigned vector)
{
	u32 e;
	memcpy(&e, f->ram + 4 * vector, 4);
	return e;
}

static u32 far_ptr(u16 seg, u16 off)
{
	return (u32)seg << 16 | off;
}

static void ivt_points_at_handlers(void **state)
{
	(void)state;
	assert_true(svm_bios_setup(&f->vm));
	static const u8 hwpic1[] = { 0x50, 0xB0, 0x20, 0xE6, 0x20, 0x58, 0xCF };
	static const u8 hwpic2[] = { 0x50, 0xB0, 0x20, 0xE6, 0xA0, 0xE6, 0x20, 0x58, 0xCF };
	u32 e8 = ivt_entry(0x08);
	assert_int_equal(e8 >> 16, 0xF000);
	assert_memory_equal(f->ram + 0xF0000 + (e8 & 0xFFFF), hwpic1, sizeof(hwpic1));
	for (unsigned v = 0x08; v <= 0x0F; v++)
		assert_int_equal(ivt_entry(v), e8);
	u32 e70 = ivt_entry(0x70);
	assert_int_equal(e70 >> 16, 0xF000);
	assert_memory_equal(f->ram + 0xF0000 + (e70 & 0xFFFF), hwpic2, sizeof(hwpic2));
	for (unsigned v = 0x70; v <= 0x77; v++)
		assert_int_equal(ivt_entry(v), e70);
	/* Everything else: the PC/AT dummy handler, an IRET. */
	static const unsigned others[] = { 0x00, 0x06, 0x07, 0x10, 0x13, 0x1C, 0x6F, 0x78, 0xFF };
	for (unsigned i = 0; i < ARRAY_SIZE(others); i++)
		assert_int_equal(ivt_entry(others[i]), far_ptr(0xF000, 0xFF53));
	assert_int_equal(f->ram[0xFFF53], 0xCF);
}

static void pic_initialised_as_seabios_leaves_it(void **state)
{
	(void)state;
	assert_true(svm_bios_setup(&f->vm));
	assert_int_equal(sf_inb(f, 0x21), 0xFA);
	assert_int_equal(sf_inb(f, 0xA1), 0xFE);
	/* Masked inputs (keyboard IRQ1, IRQ9) raise nothing. */
	dev_pic_pulse_irq(&f->vm, 1);
	dev_pic_pulse_irq(&f->vm, 9);
	assert_false(dev_pic_output(&f->vm));
	/* IRQ0 arrives at vector 8, IRQ8 through the cascade at vector 0x70. */
	dev_pic_pulse_irq(&f->vm, 0);
	assert_true(dev_pic_output(&f->vm));
	assert_int_equal(dev_pic_inta(&f->vm), 0x08);
	assert_true(sf_outb(f, 0x20, 0x20)); /* the handler's EOI */
	dev_pic_pulse_irq(&f->vm, 8);
	assert_true(dev_pic_output(&f->vm));
	assert_int_equal(dev_pic_inta(&f->vm), 0x70);
}

static void pit_channel0_ticks_at_18_2_hz(void **state)
{
	(void)state;
	assert_true(svm_bios_setup(&f->vm));
	/* Null count reads 1 until the count is loaded, on the clock after the write. */
	assert_true(sf_outb(f, 0x43, 0xE2)); /* read-back: channel 0 status */
	assert_int_equal(sf_inb(f, 0x40) & 0x7F, 0x74); /* null count, LSB/MSB, mode 2, binary */
	sf_clock_now = T0 + 2;
	assert_true(sf_outb(f, 0x43, 0xE2));
	assert_int_equal(sf_inb(f, 0x40) & 0x7F, 0x34); /* counting */
	/* The first IRQ0 one full period after the count was loaded (at T0 + 1). */
	assert_int_equal(devices_next_deadline(&f->vm), T0 + 1 + 65536);
	sf_clock_now = T0 + 1 + 65536;
	devices_tick(&f->vm, sf_clock_now);
	assert_true(dev_pic_output(&f->vm));
	assert_int_equal(dev_pic_inta(&f->vm), 0x08);
	assert_int_equal(devices_next_deadline(&f->vm), T0 + 1 + 2 * 65536);
}

static void guest_ram_below_1mib_gets_nothing(void **state)
{
	(void)state;
	f->vm.ram[0].size = 0xF0000; /* RAM ends where the BIOS area starts */
	assert_false(svm_bios_setup(&f->vm));
	assert_int_equal(ivt_entry(0x08), 0);
	assert_int_equal(sf_inb(f, 0x21), 0x00); /* the 8259 as at reset */
	assert_int_equal(devices_next_deadline(&f->vm), LAPIC_NO_DEADLINE);
}

static void reserved_range_is_the_bios_area(void **state)
{
	(void)state;
	assert_int_equal(svm_bios_reserved.base, 0xF0000);
	assert_int_equal(svm_bios_reserved.base + svm_bios_reserved.size, 0x100000);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(ivt_points_at_handlers),
		T(pic_initialised_as_seabios_leaves_it),
		T(pit_channel0_ticks_at_18_2_hz),
		T(guest_ram_below_1mib_gets_nothing),
		T(reserved_range_is_the_bios_area),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
