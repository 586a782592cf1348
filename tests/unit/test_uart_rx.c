/* svm/dev/uart.c: the 16550's receiver, its interrupts and loopback.
 *
 * Vectors: National PC16550D data sheet. Registers at 0x3F8 + n: RBR/THR 0, IER 1 (bit 0
 * received data available, 1 THR empty, 2 receiver line status), IIR/FCR 2, LCR 3, MCR 4 (bit 3
 * OUT2, bit 4 loop), LSR 5 (bit 0 data ready, 1 overrun error, 5 THR empty, 6 transmitter
 * empty), MSR 6. IIR bits 3:0 by priority: 0110 receiver line status, 0100 received data
 * available, 1100 character timeout, 0010 THR empty, 0001 none; bits 7:6 are 11 with FIFOs on.
 * FCR: bit 0 FIFO enable, bit 1 receiver FIFO reset, bits 7:6 trigger level 1, 4, 8 or 14 bytes.
 * A byte arriving at a full receiver is lost and sets overrun; reading LSR clears it. In
 * loopback the transmitter feeds the receiver and MSR shows DTR, RTS, OUT1, OUT2 as DSR (bit 5),
 * CTS (bit 4), RI (bit 6), DCD (bit 7). The PC gates the UART's interrupt onto IRQ 4 with OUT2. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <setjmp.h>
#include <cmocka.h>
#include "svm_fixture.h"

static struct svm_fx *f;

static void outb_(u16 port, u8 v)
{
	assert_true(sf_outb(f, port, v));
}

static u8 inb_(u16 port)
{
	return sf_inb(f, port);
}

static int setup(void **state)
{
	(void)state;
	sf_log_capture();
	f = sf_new(false);
	sf_pic_init(f);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sf_free(f);
	log_reset();
	return 0;
}

static bool irq4_line(void)
{
	return f->dev->pic.chip[0].irr & (1u << 4);
}

static unsigned receive(const char *s)
{
	return dev_uart_receive(&f->vm, (const u8 *)s, (unsigned)strlen(s));
}

static void no_fifo_one_byte_and_overrun(void **state)
{
	(void)state;
	assert_int_equal(inb_(0x3FD), 0x60);
	assert_int_equal(receive("ab"), 1); /* FIFOs off: the one receiver buffer */
	assert_int_equal(inb_(0x3FD), 0x61);
	assert_int_equal(inb_(0x3FA), 0x01); /* no interrupt enabled */
	outb_(0x3F9, 0x01);                  /* IER: received data available */
	assert_int_equal(inb_(0x3FA), 0x04);
	assert_false(irq4_line());
	outb_(0x3FC, 0x08);                  /* OUT2: the interrupt reaches IRQ 4 */
	assert_true(irq4_line());
	assert_int_equal(inb_(0x3F8), 'a');
	assert_int_equal(inb_(0x3FD), 0x60);
	assert_int_equal(inb_(0x3FA), 0x01);
	/* Overrun: loopback sends two bytes into the one-byte receiver. */
	outb_(0x3F9, 0x05);                  /* and receiver line status */
	outb_(0x3FC, 0x10);
	outb_(0x3F8, 'x');
	outb_(0x3F8, 'y');
	assert_int_equal(inb_(0x3FA), 0x06);
	assert_int_equal(inb_(0x3FD), 0x63); /* DR, OE */
	assert_int_equal(inb_(0x3FD), 0x61); /* OE cleared by the read */
	assert_int_equal(inb_(0x3FA), 0x04);
	assert_int_equal(inb_(0x3F8), 'x');
	assert_false(sf_log_has("[" SF_NAME "] x"));
}

static void fifo_trigger_levels(void **state)
{
	(void)state;
	outb_(0x3F9, 0x01);
	outb_(0x3FA, 0x81); /* FIFOs on, trigger 8 */
	assert_int_equal(receive("abc"), 3);
	assert_int_equal(inb_(0x3FA), 0xCC); /* below the trigger: character timeout */
	assert_int_equal(receive("defgh"), 5);
	assert_int_equal(inb_(0x3FA), 0xC4); /* 8 bytes: data available */
	assert_int_equal(receive("ijklmnopqrst"), 8); /* 16 bytes deep: the rest is held back */
	for (const char *c = "abcdefghijklmnop"; *c; c++)
		assert_int_equal(inb_(0x3F8), *c);
	assert_int_equal(inb_(0x3FD), 0x60);
	static const struct { u8 fcr; unsigned level; } trig[] = { { 0x01, 1 }, { 0x41, 4 }, { 0xC1, 14 } };
	for (unsigned i = 0; i < ARRAY_SIZE(trig); i++) {
		outb_(0x3FA, (u8)(trig[i].fcr | 0x02)); /* and reset the receiver FIFO */
		char buf[17] = "0123456789ABCDEF";
		buf[trig[i].level - 1] = 0;
		receive(buf);
		assert_int_equal(inb_(0x3FA), trig[i].level == 1 ? 0xC1 : 0xCC);
		assert_int_equal(receive("Z"), 1);
		assert_int_equal(inb_(0x3FA), 0xC4);
	}
	outb_(0x3FA, 0x03); /* reset the receiver FIFO */
	assert_int_equal(inb_(0x3FD), 0x60);
}

static void interrupt_priorities(void **state)
{
	(void)state;
	outb_(0x3FA, 0x01);
	outb_(0x3FC, 0x18); /* loop + OUT2: loopback keeps IRQ 4 low */
	for (unsigned i = 0; i < 17; i++)
		outb_(0x3F8, (u8)('a' + i)); /* one byte too many: overrun */
	outb_(0x3F9, 0x07);
	assert_int_equal(inb_(0x3FA), 0xC6);
	assert_false(irq4_line());
	outb_(0x3FC, 0x08); /* out of loopback: the pending interrupt reaches IRQ 4 */
	assert_true(irq4_line());
	assert_int_equal(inb_(0x3FD) & 0x03, 0x03);
	assert_int_equal(inb_(0x3FA), 0xC4);
	for (unsigned i = 0; i < 16; i++)
		assert_int_equal(inb_(0x3F8), 'a' + i);
	assert_int_equal(inb_(0x3FA), 0xC2); /* THR empty, cleared by this read */
	assert_int_equal(inb_(0x3FA), 0xC1);
}

static void loopback_modem_status(void **state)
{
	(void)state;
	assert_int_equal(inb_(0x3FE), 0xB0); /* DCD, DSR, CTS asserted outside loopback */
	outb_(0x3FC, 0x1B);                  /* loop, OUT2, RTS, DTR */
	assert_int_equal(inb_(0x3FE), 0xB0);
	outb_(0x3FC, 0x14);                  /* loop, OUT1 */
	assert_int_equal(inb_(0x3FE), 0x40);
	outb_(0x3FC, 0x11);                  /* loop, DTR */
	assert_int_equal(inb_(0x3FE), 0x20);
}

/* The UART states its line after every access, even one that changes no interrupt source (the
 * scratch register): the PIC is skipped only when its own input state already matches. ICW1
 * resets the master's edge detection and requests (8259A data sheet: after initialisation an
 * IR input must go low to high), so a line that is high meets a reset PIC: the next UART access
 * is that rising edge again. A UART that remembered its own last level instead of asking the
 * PIC would miss it. */
static void line_restated_after_pic_init(void **state)
{
	(void)state;
	outb_(0x3F9, 0x02); /* IER: THR empty, raised at once (THR is empty) */
	outb_(0x3FC, 0x08); /* OUT2 */
	assert_true(irq4_line());
	outb_(0x20, 0x11);  /* ICW1..ICW4 on the master again */
	outb_(0x21, 0x20);
	outb_(0x21, 0x04);
	outb_(0x21, 0x01);
	assert_false(irq4_line());
	outb_(0x3FF, 0x5A); /* scratch register: no interrupt source moves */
	assert_true(irq4_line());
	/* A line that stays as it was leaves the PIC alone: the request, taken by the CPU (INTA),
	 * is not raised again by the next access. */
	assert_int_equal(dev_pic_inta(&f->vm), 0x20 + 4);
	outb_(0x3FF, 0xA5);
	assert_false(irq4_line());
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(no_fifo_one_byte_and_overrun),
		T(fifo_trigger_levels),
		T(interrupt_priorities),
		T(loopback_modem_status),
		T(line_restated_after_pic_init),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
