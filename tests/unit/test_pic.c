/* svm/dev/pic.c: the 8259A pair, programmed through its ports as a PC kernel does.
 *
 * Vectors: Intel 8259A data sheet: ICW1 (A0=0, D4=1; D0 IC4, D1 SNGL) resets the IMR, ISR and
 * edge sense and sets IR7 lowest priority; ICW2 (A0=1) T7-T3 are the vector base; ICW3 cascade;
 * ICW4 D1 AEOI, D4 SFNM; OCW1 (A0=1) is the IMR; OCW2 (A0=0, D4=D3=0) R SL EOI in D7-D5: 001
 * non-specific EOI, 011 specific EOI (level in D2-D0), 101 rotate on non-specific EOI, 110 set
 * priority (the given level becomes the lowest); OCW3 (D3=1) RR/RIS read IRR (10) or ISR (11),
 * P=1 poll (the next read returns 1xxxxWWW, W the highest level, acknowledged). Fully nested
 * mode: IR0 highest, a request is passed to the CPU only above everything in service. PC
 * wiring: slave INT on master IR2. ELCR (PIIX3/ICH): 0x4D0/0x4D1, a set bit makes the input
 * level-triggered; IRQ0-2, 8 and 13 cannot be level-triggered. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <setjmp.h>
#include <cmocka.h>
#include "svm_fixture.h"
#include "svm/dev/io.h"
#include "svm/dev/pic.h"

static struct svm_fx *f;

static int setup(void **state)
{
	(void)state;
	sf_log_capture();
	f = sf_new(false);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sf_free(f);
	log_reset();
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

/* Linux's init_8259A: master at 0x30, slave at 0x38, cascade on IR2, 8086 mode. */
static void program(bool aeoi)
{
	outb_(0x20, 0x11);
	outb_(0x21, 0x30);
	outb_(0x21, 0x04);
	outb_(0x21, aeoi ? 0x03 : 0x01);
	outb_(0xA0, 0x11);
	outb_(0xA1, 0x38);
	outb_(0xA1, 0x02);
	outb_(0xA1, 0x01);
	outb_(0x21, 0x00);
	outb_(0xA1, 0x00);
}

static void edge_request_vector_and_eoi(void **state)
{
	(void)state;
	program(false);
	assert_false(dev_pic_output(&f->vm));
	dev_pic_pulse_irq(&f->vm, 0);
	assert_true(dev_pic_output(&f->vm));
	outb_(0x20, 0x0A); /* OCW3: read IRR */
	assert_int_equal(inb_(0x20), 0x01);
	assert_int_equal(dev_pic_inta(&f->vm), 0x30);
	assert_false(dev_pic_output(&f->vm));
	outb_(0x20, 0x0B); /* OCW3: read ISR */
	assert_int_equal(inb_(0x20), 0x01);
	/* IR1 waits while IR0, of higher priority, is in service. */
	dev_pic_pulse_irq(&f->vm, 1);
	assert_false(dev_pic_output(&f->vm));
	outb_(0x20, 0x20); /* non-specific EOI */
	assert_int_equal(inb_(0x20), 0x00);
	assert_true(dev_pic_output(&f->vm));
	assert_int_equal(dev_pic_inta(&f->vm), 0x31);
}

static void priority_and_mask(void **state)
{
	(void)state;
	program(false);
	dev_pic_pulse_irq(&f->vm, 5);
	assert_int_equal(dev_pic_inta(&f->vm), 0x35);
	dev_pic_pulse_irq(&f->vm, 3); /* higher priority than 5 in service: nests */
	assert_true(dev_pic_output(&f->vm));
	outb_(0x21, 0x08);               /* mask IR3 */
	assert_false(dev_pic_output(&f->vm));
	outb_(0x21, 0x00);
	assert_int_equal(dev_pic_inta(&f->vm), 0x33);
	outb_(0x20, 0x63); /* specific EOI for IR3 */
	outb_(0x20, 0x0B);
	assert_int_equal(inb_(0x20), 0x20); /* IR5 still in service */
}

static void slave_cascade(void **state)
{
	(void)state;
	program(false);
	dev_pic_pulse_irq(&f->vm, 8 + 4); /* IRQ12 */
	assert_true(dev_pic_output(&f->vm));
	assert_int_equal(dev_pic_inta(&f->vm), 0x3C);
	outb_(0xA0, 0x0B);
	assert_int_equal(inb_(0xA0), 0x10);
	outb_(0x20, 0x0B);
	assert_int_equal(inb_(0x20), 0x04); /* IR2 in service on the master */
	/* Masking the slave input on the master holds slave requests back. */
	outb_(0xA0, 0x20);
	outb_(0x20, 0x20);
	outb_(0x21, 0x04);
	dev_pic_pulse_irq(&f->vm, 8);
	assert_false(dev_pic_output(&f->vm));
}

static void auto_eoi_and_spurious(void **state)
{
	(void)state;
	program(true);
	dev_pic_pulse_irq(&f->vm, 4);
	assert_int_equal(dev_pic_inta(&f->vm), 0x34);
	outb_(0x20, 0x0B);
	assert_int_equal(inb_(0x20), 0x00); /* AEOI: nothing in service */
	/* An INTA with no request: IR7, the spurious vector. */
	assert_int_equal(dev_pic_inta(&f->vm), 0x37);
}

static void poll_command(void **state)
{
	(void)state;
	program(false);
	dev_pic_pulse_irq(&f->vm, 6);
	outb_(0x20, 0x0C); /* OCW3 poll */
	assert_int_equal(inb_(0x20), 0x86);
	outb_(0x20, 0x0C);
	assert_int_equal(inb_(0x20), 0x00); /* IR6 in service now, nothing else */
}

static void rotation(void **state)
{
	(void)state;
	program(false);
	outb_(0x20, 0xC4); /* set priority: IR4 lowest, so IR5 highest */
	dev_pic_pulse_irq(&f->vm, 1);
	dev_pic_pulse_irq(&f->vm, 6);
	assert_int_equal(dev_pic_inta(&f->vm), 0x36);
	outb_(0x20, 0xA0); /* rotate on non-specific EOI: IR6 becomes lowest */
	assert_int_equal(dev_pic_inta(&f->vm), 0x31);
}

static void level_triggered_via_elcr(void **state)
{
	(void)state;
	program(false);
	outb_(0x4D1, 0xFF);
	assert_int_equal(inb_(0x4D1), 0xDE); /* IRQ8 and IRQ13 stay edge */
	outb_(0x4D0, 0xFF);
	assert_int_equal(inb_(0x4D0), 0xF8);
	dev_pic_set_irq(&f->vm, 9, true);
	assert_int_equal(dev_pic_inta(&f->vm), 0x39);
	outb_(0xA0, 0x20);
	outb_(0x20, 0x20);
	assert_true(dev_pic_output(&f->vm)); /* still asserted: requests again */
	dev_pic_set_irq(&f->vm, 9, false);
	assert_false(dev_pic_output(&f->vm));
	/* An edge input needs a new rising edge. */
	dev_pic_set_irq(&f->vm, 1, true);
	assert_int_equal(dev_pic_inta(&f->vm), 0x31);
	outb_(0x20, 0x20);
	assert_false(dev_pic_output(&f->vm));
}

/* A device restating its line level changes nothing; a line whose trigger mode changed under a
 * latched edge request still takes its new mode's rule (level: the request follows the line). */
static void restated_levels(void **state)
{
	(void)state;
	program(false);
	dev_pic_set_irq(&f->vm, 4, true);
	assert_int_equal(dev_pic_inta(&f->vm), 0x34);
	dev_pic_set_irq(&f->vm, 4, true); /* still high: no new edge */
	outb_(0x20, 0x20);
	assert_false(dev_pic_output(&f->vm));
	dev_pic_set_irq(&f->vm, 4, false);
	dev_pic_set_irq(&f->vm, 4, false);
	assert_false(dev_pic_output(&f->vm));
	/* IR3: an edge latched, the line back low, then IR3 made level-triggered. */
	dev_pic_pulse_irq(&f->vm, 3);
	outb_(0x4D0, 0x08);
	assert_true(dev_pic_output(&f->vm));
	dev_pic_set_irq(&f->vm, 3, false); /* low line, level-triggered: the request goes */
	assert_false(dev_pic_output(&f->vm));
	/* The cascade: a slave line restated high keeps the master's IR2 request. */
	dev_pic_set_irq(&f->vm, 10, true);
	dev_pic_set_irq(&f->vm, 10, true);
	assert_int_equal(dev_pic_inta(&f->vm), 0x3A);
}

/* dev_pic_input_settled, every case on master and slave: a line restated at the level the chip
 * last saw leaves an edge-triggered input as it is (its request stays latched until INTA
 * whatever the line does), and a level-triggered one only while its request already follows
 * the line; any other level is a change (edge sense, or the level request). */
static void input_settled_cases(void **state)
{
	(void)state;
	for (unsigned irq = 4; irq < PIC_IRQS; irq += 8)
		for (unsigned bits = 0; bits < 16; bits++) {
			bool last = bits & 1, elcr = bits & 2, irr = bits & 4, level = bits & 8;
			struct dev_pic p = { 0 };
			struct dev_pic_chip *c = &p.chip[irq / 8];
			u8 m = (u8)(1u << (irq % 8));
			c->last_level = (u8)(last ? m : 0) | (u8)~m; /* the other lines do not count */
			c->elcr = (u8)(elcr ? m : 0) | (u8)~m;
			c->irr = (u8)(irr ? m : 0) | (u8)~m;
			bool settled = last == level && (!elcr || irr == level);
			assert_int_equal(dev_pic_input_settled(&p, irq, level), settled);
		}
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(edge_request_vector_and_eoi),
		T(priority_and_mask),
		T(slave_cascade),
		T(auto_eoi_and_spurious),
		T(poll_command),
		T(rotation),
		T(level_triggered_via_elcr),
		T(restated_levels),
		T(input_settled_cases),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
