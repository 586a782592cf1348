/* svm/dev/io.c dispatch and the virtual devices (svm/dev/uart.c, svm/dev/misc.c, svm/dev/lapic.c),
 * driven through svm_io_port / svm_mmio as the exit handlers do.
 *
 * Vectors: 16550 (National/TI PC16550D data sheet: LSR bit 5 THRE, bit 6 TEMT; LCR bit 7 DLAB
 * selects the divisor latch at offsets 0/1; SCR at offset 7); QEMU docs/specs/fw_cfg.rst
 * (selector 0x510, data 0x511, keys 0x0000 signature "QEMU", 0x0003 RAM size, 0x0005 CPU
 * count, little-endian; reads past an item's end return 0); Intel 8259A data sheet (ICW1 =
 * command-port write with D4 = 1; D0 IC4 says ICW4 follows, D1 SNGL says no ICW3 follows;
 * the IMR is cleared by ICW1; OCW1 = data-port write sets the IMR); the xAPIC register map
 * (APM vol. 2 16.3, Intel SDM vol. 3 10.4: ID 0x20 bits 31:24, version 0x30, TPR 0x80, LDR 0xD0
 * bits 31:24, DFR 0xE0 bits 31:28 model with 27:0 reading as ones, SVR 0xF0 reset 0xFF, ICR
 * 0x300/0x310 with delivery mode in bits 10:8: 101 INIT, 110 StartUp); CR8[3:0] = TPR[7:4]
 * (APM vol. 2 16.6.4). */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <setjmp.h>
#include <cmocka.h>
#include "svm_fixture.h"
#include "svm/dev/io.h"
#include "svm/dev/clock.h"
#include "svm/exit_table.h"
#include "svm/exit_codes.h"
#include "arch/x86/rflags.h"

#define DR6_BS (1u << 14) /* DR6 bit 14: single-step (APM vol. 2, 13.1.1.3) */

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

static void outp(u16 port, unsigned size, u32 val)
{
	assert_true(svm_io_port(&f->vm, port, size, false, &val));
}

static u32 inp(u16 port, unsigned size)
{
	u32 val = 0x5A5A5A5A;
	assert_true(svm_io_port(&f->vm, port, size, true, &val));
	return val;
}

static void uart_puts(const char *s)
{
	for (; *s; s++)
		outp(0x3F8, 1, (u8)*s);
}

static int count_lines_with(const char *prefix)
{
	/* Lines (after any log prefix) that contain prefix. */
	int n = 0;
	for (const char *p = sf_log_buf; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char line[1024];
		size_t c = len < sizeof(line) - 1 ? len : sizeof(line) - 1;
		memcpy(line, p, c);
		line[c] = 0;
		if (strstr(line, prefix))
			n++;
		p += len + (nl ? 1 : 0);
	}
	return n;
}

/* ---- UART --------------------------------------------------------------------------------- */

static void uart_line_buffered(void **state)
{
	(void)state;
	uart_puts("hello");
	assert_false(sf_log_has("hello")); /* nothing until the newline */
	uart_puts(" world\r\n");
	assert_true(sf_log_has("[" SF_NAME "] hello world\n"));
	assert_int_equal(count_lines_with("[" SF_NAME "]"), 1);
}

static void uart_non_printables_as_dots(void **state)
{
	(void)state;
	outp(0x3F8, 1, 'a');
	outp(0x3F8, 1, 0x01);
	outp(0x3F8, 1, 0x7F);
	outp(0x3F8, 1, 0xFF);
	outp(0x3F8, 1, 0x1B);
	outp(0x3F8, 1, 'b');
	outp(0x3F8, 1, '\n');
	assert_true(sf_log_has("[" SF_NAME "] a....b\n"));
}

static void uart_long_line_flushed_at_200(void **state)
{
	(void)state;
	char expect[UART_LINE_MAX + 16];
	for (int i = 0; i < UART_LINE_MAX; i++)
		outp(0x3F8, 1, 'x');
	/* 200 characters without a newline make one log line. */
	memset(expect, 0, sizeof(expect));
	strcpy(expect, "[" SF_NAME "] ");
	memset(expect + strlen(expect), 'x', UART_LINE_MAX);
	strcat(expect, "\n");
	assert_true(sf_log_has(expect));
	assert_int_equal(count_lines_with("[" SF_NAME "]"), 1);
	uart_puts("yz\n");
	assert_true(sf_log_has("[" SF_NAME "] yz\n"));
	assert_int_equal(count_lines_with("[" SF_NAME "]"), 2);
}

static void uart_flush_partial_line(void **state)
{
	(void)state;
	uart_puts("tail");
	dev_uart_flush(&f->vm);
	assert_true(sf_log_has("[" SF_NAME "] tail\n"));
}

static void uart_lsr_and_scratch(void **state)
{
	(void)state;
	assert_int_equal(inp(0x3FD, 1), 0x60); /* THRE | TEMT, no DR */
	uart_puts("abc");
	assert_int_equal(inp(0x3FD, 1), 0x60);
	outp(0x3FF, 1, 0xA5);
	assert_int_equal(inp(0x3FF, 1), 0xA5);
	outp(0x3FF, 1, 0x5A);
	assert_int_equal(inp(0x3FF, 1), 0x5A);
	/* IIR: bit 0 set = no interrupt pending. */
	assert_int_equal(inp(0x3FA, 1) & 1, 1);
}

static void uart_dlab_divisor_latch(void **state)
{
	(void)state;
	outp(0x3F9, 1, 0x00); /* IER = 0 */
	outp(0x3FB, 1, 0x80); /* DLAB */
	outp(0x3F8, 1, 0x01); /* DLL: 115200 baud */
	outp(0x3F9, 1, 0x00); /* DLM */
	assert_int_equal(inp(0x3F8, 1), 0x01);
	assert_int_equal(inp(0x3F9, 1), 0x00);
	outp(0x3F8, 1, 0x0C); /* 9600 baud */
	assert_int_equal(inp(0x3F8, 1), 0x0C);
	assert_int_equal(inp(0x3FB, 1), 0x80);
	outp(0x3FB, 1, 0x03); /* 8N1, DLAB off */
	assert_int_equal(inp(0x3FB, 1), 0x03);
	assert_int_equal(inp(0x3F9, 1), 0x00); /* IER again, not DLM */
	outp(0x3F9, 1, 0x01);
	assert_int_equal(inp(0x3F9, 1), 0x01);
	/* Divisor bytes were not printed. */
	uart_puts("\n");
	assert_false(sf_log_has("[" SF_NAME "] ."));
	assert_int_equal(count_lines_with("\x0C"), 0);
}

/* ---- isa-debug-exit ---------------------------------------------------------------------- */

static void debug_exit_outl(void **state)
{
	(void)state;
	outp(0xF4, 4, 0x31);
	assert_int_equal(f->vm.end, VM_END_EXIT);
	assert_int_equal(f->vm.exit_code, 0x31);
}

static void debug_exit_large_code(void **state)
{
	(void)state;
	outp(0xF4, 4, 0xDEADBEEF);
	assert_int_equal(f->vm.end, VM_END_EXIT);
	assert_int_equal(f->vm.exit_code, 0xDEADBEEF);
}

/* ---- fw_cfg ------------------------------------------------------------------------------- */

static void fw_cfg_select(u16 key)
{
	outp(0x510, 2, key);
}

static void fw_cfg_read(u8 *buf, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		buf[i] = (u8)inp(0x511, 1);
}

static void fw_cfg_signature(void **state)
{
	(void)state;
	u8 b[4];
	fw_cfg_select(0x0000);
	fw_cfg_read(b, 4);
	assert_memory_equal(b, "QEMU", 4);
	/* Reselecting rewinds the offset. */
	fw_cfg_select(0x0000);
	fw_cfg_read(b, 2);
	assert_memory_equal(b, "QE", 2);
}

static void fw_cfg_cpu_count(void **state)
{
	(void)state;
	f->dev->nr_cpus = 3;
	u8 b[2];
	fw_cfg_select(0x0005);
	fw_cfg_read(b, 2);
	assert_int_equal(b[0] | (b[1] << 8), 3);
}

static void fw_cfg_ram_size(void **state)
{
	(void)state;
	f->dev->ram_size = 0x0000000123456000ULL;
	u8 b[8];
	fw_cfg_select(0x0003);
	fw_cfg_read(b, 8);
	u64 v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | b[i];
	assert_int_equal(v, 0x0000000123456000ULL);
	/* Past the end: zeros. */
	assert_int_equal(inp(0x511, 1), 0);
}

static void fw_cfg_unknown_key_reads_zero(void **state)
{
	(void)state;
	fw_cfg_select(0x4242);
	for (int i = 0; i < 8; i++)
		assert_int_equal(inp(0x511, 1), 0);
}

/* ---- PIC ---------------------------------------------------------------------------------- */

static void pic_imr_read_back(void **state)
{
	(void)state;
	outp(0x21, 1, 0xFB);
	outp(0xA1, 1, 0xFF);
	assert_int_equal(inp(0x21, 1), 0xFB);
	assert_int_equal(inp(0xA1, 1), 0xFF);
	outp(0x21, 1, 0x00);
	assert_int_equal(inp(0x21, 1), 0x00);
	assert_int_equal(inp(0xA1, 1), 0xFF);
}

static void pic_icw_sequence_not_in_imr(void **state)
{
	(void)state;
	/* The classic remap: ICW1 0x11 (IC4, cascade), ICW2 vector base, ICW3, ICW4 0x01. */
	outp(0x20, 1, 0x11);
	outp(0xA0, 1, 0x11);
	outp(0x21, 1, 0x20);
	outp(0xA1, 1, 0x28);
	outp(0x21, 1, 0x04);
	outp(0xA1, 1, 0x02);
	outp(0x21, 1, 0x01);
	outp(0xA1, 1, 0x01);
	u32 m = inp(0x21, 1), s = inp(0xA1, 1);
	assert_true(m != 0x20 && m != 0x04 && m != 0x01);
	assert_true(s != 0x28 && s != 0x02 && s != 0x01);
	/* The next data write is OCW1. */
	outp(0x21, 1, 0xFF);
	outp(0xA1, 1, 0xFF);
	assert_int_equal(inp(0x21, 1), 0xFF);
	assert_int_equal(inp(0xA1, 1), 0xFF);
}

static void pic_icw1_without_icw4(void **state)
{
	(void)state;
	/* ICW1 0x10: cascade, no ICW4: ICW2 and ICW3 follow. */
	outp(0x20, 1, 0x10);
	outp(0x21, 1, 0x20);
	outp(0x21, 1, 0x04);
	outp(0x21, 1, 0xFE);
	assert_int_equal(inp(0x21, 1), 0xFE);
}

static void pic_icw1_single_mode(void **state)
{
	(void)state;
	/* ICW1 0x13: SNGL (D1) and IC4 (D0): no ICW3, so ICW2 and ICW4 follow, then OCW1. */
	outp(0x20, 1, 0x13);
	outp(0x21, 1, 0x20); /* ICW2 */
	outp(0x21, 1, 0x01); /* ICW4 */
	outp(0x21, 1, 0xFB); /* OCW1 */
	assert_int_equal(inp(0x21, 1), 0xFB);
}

static void pic_icw1_clears_imr(void **state)
{
	(void)state;
	/* 8259A data sheet, ICW1: "the Interrupt Mask Register is cleared". */
	outp(0x21, 1, 0xFF);
	outp(0x20, 1, 0x11);
	assert_int_equal(inp(0x21, 1), 0x00);
}

/* ---- unclaimed ports --------------------------------------------------------------------- */

static void unclaimed_ports(void **state)
{
	(void)state;
	assert_int_equal(inp(0x1234, 1), 0xFF);
	assert_int_equal(inp(0x1234, 2), 0xFFFF);
	assert_int_equal(inp(0x1234, 4), 0xFFFFFFFF);
	outp(0x1234, 1, 0x00);
	outp(0x1234, 4, 0x00);
	assert_int_equal(inp(0x1234, 1), 0xFF); /* the write was dropped */
	assert_int_equal(count_lines_with("0x1234"), 1);
	assert_int_equal(f->dev->unclaimed_port_accesses, 6);
	/* Another port is logged once too. */
	outp(0x80, 1, 0x42);
	outp(0x80, 1, 0x43);
	assert_int_equal(inp(0x80, 1), 0xFF);
	assert_int_equal(count_lines_with("0x0080"), 1);
	assert_int_equal(f->dev->unclaimed_port_accesses, 9);
	/* Edge ports of the table. */
	assert_int_equal(inp(0xFFFF, 2), 0xFFFF);
	assert_int_equal(inp(0x0000, 4), 0xFFFFFFFF);
	assert_int_equal(inp(0x512, 1), 0xFF); /* just past fw_cfg */
	assert_int_equal(inp(0x400, 1), 0xFF); /* just past the UART */
	assert_int_equal(f->dev->unclaimed_port_accesses, 13);
	assert_int_equal(f->vm.end, VM_END_RUNNING);
}

/* ---- MMIO: xAPIC ------------------------------------------------------------------------- */

static u64 mmio_rd(u64 gpa, unsigned size)
{
	u64 v = 0x5A5A5A5A5A5A5A5AULL;
	assert_true(svm_mmio(&f->vm, gpa, size, false, &v));
	return v;
}

static void mmio_wr(u64 gpa, unsigned size, u64 v)
{
	assert_true(svm_mmio(&f->vm, gpa, size, true, &v));
}

#define APIC 0xFEE00000ULL

static void lapic_id_version_svr(void **state)
{
	(void)state;
	assert_int_equal(mmio_rd(APIC + 0x20, 4), 0u << 24); /* vCPU 0 */
	assert_int_equal(mmio_rd(APIC + 0x30, 4), 0x00050010);
	assert_int_equal(mmio_rd(APIC + 0xF0, 4), 0xFF);
	/* Software enable (bit 8) and a spurious vector. */
	mmio_wr(APIC + 0xF0, 4, 0x1FF);
	assert_int_equal(mmio_rd(APIC + 0xF0, 4), 0x1FF);
	/* The version register is read-only. */
	mmio_wr(APIC + 0x30, 4, 0);
	assert_int_equal(mmio_rd(APIC + 0x30, 4), 0x00050010);
}

static void lapic_ldr_dfr(void **state)
{
	(void)state;
	assert_int_equal(mmio_rd(APIC + 0xE0, 4), 0xFFFFFFFF); /* DFR reset: flat */
	assert_int_equal(mmio_rd(APIC + 0xD0, 4), 0);
	mmio_wr(APIC + 0xD0, 4, 0x12345678);
	assert_int_equal(mmio_rd(APIC + 0xD0, 4), 0x12000000);
	mmio_wr(APIC + 0xE0, 4, 0x00000000); /* cluster model */
	assert_int_equal(mmio_rd(APIC + 0xE0, 4), 0x0FFFFFFF);
	mmio_wr(APIC + 0xE0, 4, 0xF0000000);
	assert_int_equal(mmio_rd(APIC + 0xE0, 4), 0xFFFFFFFF);
}

static void lapic_icr_logged(void **state)
{
	(void)state;
	mmio_wr(APIC + 0x310, 4, 0x01000000); /* destination APIC 1 */
	assert_int_equal(mmio_rd(APIC + 0x310, 4), 0x01000000);
	sf_log_clear();
	mmio_wr(APIC + 0x300, 4, 0x00004500); /* INIT, level assert */
	assert_true(sf_log_has("INIT"));
	assert_int_equal(count_lines_with("ICR"), 1);
	sf_log_clear();
	mmio_wr(APIC + 0x300, 4, 0x00004608); /* StartUp, vector 0x08 */
	assert_true(sf_log_has("SIPI"));
	assert_true(sf_contains_ci(sf_log_buf, "0x08"));
	/* Delivery status (bit 12) reads idle. */
	assert_int_equal(mmio_rd(APIC + 0x300, 4) & (1u << 12), 0);
	assert_int_equal(mmio_rd(APIC + 0x300, 4) & 0x7FF, 0x608);
}

static void lapic_tpr_coherent_with_cr8(void **state)
{
	(void)state;
	mmio_wr(APIC + 0x80, 4, 0x50);
	assert_int_equal(f->vmcb->control.int_ctl & 0xF, 5);
	assert_int_equal(f->v.cr.cr8, 5);
	assert_int_equal(mmio_rd(APIC + 0x80, 4), 0x50);
	/* The guest writes CR8 = 3: hardware puts it in V_TPR. */
	f->vmcb->control.int_ctl = (f->vmcb->control.int_ctl & ~0xFu) | 3;
	assert_int_equal(mmio_rd(APIC + 0x80, 4) & 0xF0, 0x30);
	/* TPR[3:0] is not visible through CR8 but is kept. */
	mmio_wr(APIC + 0x80, 4, 0x5A);
	assert_int_equal(f->vmcb->control.int_ctl & 0xF, 5);
	assert_int_equal(mmio_rd(APIC + 0x80, 4), 0x5A);
	f->vmcb->control.int_ctl = (f->vmcb->control.int_ctl & ~0xFu) | 3;
	assert_int_equal(mmio_rd(APIC + 0x80, 4), 0x3A);
	/* Other int_ctl bits are left alone. */
	f->vmcb->control.int_ctl |= 1u << 24; /* V_INTR_MASKING */
	mmio_wr(APIC + 0x80, 4, 0xF0);
	assert_int_equal(f->vmcb->control.int_ctl, (1u << 24) | 0xF);
}

/* ---- MMIO: unbacked ---------------------------------------------------------------------- */

static void unbacked_terminate_read(void **state)
{
	(void)state;
	u64 v = 0;
	assert_false(svm_mmio(&f->vm, 0xD0000000, 4, false, &v));
	assert_int_equal(f->vm.end, VM_END_TERMINATED);
	assert_true(sf_contains_ci(f->vm.reason, "GPA 0xd0000000"));
	assert_non_null(strstr(f->vm.reason, "read"));
	assert_non_null(strstr(f->vm.reason, "4 bytes"));
}

static void unbacked_terminate_write(void **state)
{
	(void)state;
	u64 v = 0x1122334455667788ULL;
	assert_false(svm_mmio(&f->vm, 0x100000000ULL + 0x18, 8, true, &v));
	assert_int_equal(f->vm.end, VM_END_TERMINATED);
	assert_true(sf_contains_ci(f->vm.reason, "GPA 0x100000018"));
	assert_non_null(strstr(f->vm.reason, "write"));
	assert_non_null(strstr(f->vm.reason, "8 bytes"));
	/* A single byte access says "1 byte". */
	struct svm_fx *g = sf_new(false);
	assert_false(svm_mmio(&g->vm, 0xE0000001, 1, false, &v));
	assert_non_null(strstr(g->vm.reason, "1 byte"));
	sf_free(g);
}

static void unbacked_ignore(void **state)
{
	(void)state;
	f->dev->unbacked_ignore = true;
	assert_int_equal(mmio_rd(0xD0000000, 1), 0xFF);
	assert_int_equal(mmio_rd(0xD0000002, 2), 0xFFFF);
	assert_int_equal(mmio_rd(0xD0000004, 4), 0xFFFFFFFF);
	assert_int_equal(mmio_rd(0xD0000008, 8), 0xFFFFFFFFFFFFFFFFULL);
	mmio_wr(0xD0000000, 4, 0);
	assert_int_equal(mmio_rd(0xD0000000, 4), 0xFFFFFFFF);
	assert_int_equal(f->vm.end, VM_END_RUNNING);
	assert_int_equal(count_lines_with("unbacked"), 1);
	mmio_wr(0xD0001FFC, 4, 0);
	assert_int_equal(count_lines_with("unbacked"), 2);
	assert_int_equal(mmio_rd(0xD0001000, 4), 0xFFFFFFFF);
	assert_int_equal(count_lines_with("unbacked"), 2);
	assert_int_equal(f->dev->unbacked_accesses, 8);
}

static void unbacked_ignore_once_per_page_many_pages(void **state)
{
	(void)state;
	/* "logged once per page" (io.h, issue 3): a guest probing 20 pages twice each. */
	f->dev->unbacked_ignore = true;
	for (int pass = 0; pass < 2; pass++)
		for (u64 p = 0; p < 20; p++)
			mmio_rd(0xD0000000 + p * 0x1000, 4);
	assert_int_equal(count_lines_with("unbacked"), 20);
}


/* ---- UART interrupts, RTC/CMOS, reset ----------------------------------------------------- */

/* PC16550D data sheet: IER bit 1 enables the THR-empty interrupt, IIR reads 0x02 for it and 0x01
 * for none, reading IIR clears it, writing THR re-arms it; bits 7:6 of IIR are set with FIFOs
 * enabled (FCR bit 0). PC wiring: IRQ4 only with MCR OUT2 (bit 3). */
static void uart_thre_interrupt(void **state)
{
	(void)state;
	/* PIC: IRQ4 visible at vector 0x34. */
	outp(0x20, 1, 0x11);
	outp(0x21, 1, 0x30);
	outp(0x21, 1, 0x04);
	outp(0x21, 1, 0x01);
	outp(0x21, 1, 0x00);
	assert_int_equal(inp(0x3FA, 1), 0x01);
	outp(0x3F9, 1, 0x02); /* ETBEI while THR is empty */
	assert_false(dev_pic_output(&f->vm)); /* OUT2 clear: not wired to IRQ4 */
	outp(0x3FC, 1, 0x08);
	assert_true(dev_pic_output(&f->vm));
	assert_int_equal(inp(0x3FA, 1), 0x02);
	assert_int_equal(inp(0x3FA, 1), 0x01); /* cleared by the read */
	assert_int_equal(dev_pic_inta(&f->vm), 0x34);
	outp(0x20, 1, 0x20);
	outp(0x3F8, 1, 'x');
	assert_true(dev_pic_output(&f->vm)); /* THR empty again */
	outp(0x3FA, 1, 0x01); /* FCR: FIFOs on */
	assert_int_equal(inp(0x3FA, 1), 0xC2);
	outp(0x3F9, 1, 0x00);
	assert_int_equal(inp(0x3FA, 1), 0xC1);
}

/* The UART states its interrupt line to the PIC after every access, of any register (the
 * register table's handlers, svm/dev/uart.c): ICW1 makes the 8259A forget the input levels
 * (Intel 8259A data sheet, "Initialization Command Words": the edge sense circuit is reset), and
 * the next access, even of the scratch register, which moves no interrupt source, shows the
 * PIC the line again. */
static void pic_init_irq4_at_0x34(void)
{
	outp(0x20, 1, 0x11);
	outp(0x21, 1, 0x30);
	outp(0x21, 1, 0x04);
	outp(0x21, 1, 0x01);
	outp(0x21, 1, 0x00);
}

static void uart_line_restated_on_every_register(void **state)
{
	(void)state;
	pic_init_irq4_at_0x34();
	outp(0x3FC, 1, 0x08); /* OUT2 */
	outp(0x3F9, 1, 0x02); /* ETBEI while THR is empty: the line is up */
	assert_true(dev_pic_output(&f->vm));
	pic_init_irq4_at_0x34();
	assert_false(dev_pic_output(&f->vm)); /* the PIC forgot it */
	outp(0x3FF, 1, 0x5A);
	assert_true(dev_pic_output(&f->vm)); /* an SCR write stated it again */
	pic_init_irq4_at_0x34();
	assert_int_equal(inp(0x3FF, 1), 0x5A);
	assert_true(dev_pic_output(&f->vm)); /* and an SCR read */
	pic_init_irq4_at_0x34();
	assert_int_equal(inp(0x3FB, 1), 0x00);
	assert_true(dev_pic_output(&f->vm)); /* and an LCR read */
	/* The other registers whose access moves no interrupt source (svm/dev/uart.c, the quiet
	 * ones): each, after ICW1, shows the PIC the line again. */
	static const struct { u16 port; bool in; u8 val; } quiet[] = {
		{ 0x3F9, true, 0 },  /* IER read */
		{ 0x3FB, false, 0x03 }, /* LCR write: 8 data bits, DLAB clear */
		{ 0x3FC, true, 0 },  /* MCR read */
		{ 0x3FE, true, 0 },  /* MSR read */
		{ 0x3FD, false, 0 }, /* LSR write */
		{ 0x3FE, false, 0 }, /* MSR write */
	};
	for (size_t i = 0; i < ARRAY_SIZE(quiet); i++) {
		pic_init_irq4_at_0x34();
		assert_false(dev_pic_output(&f->vm));
		if (quiet[i].in)
			inp(quiet[i].port, 1);
		else
			outp(quiet[i].port, 1, quiet[i].val);
		if (!dev_pic_output(&f->vm))
			fail_msg("port 0x%x %s: the line was not stated again", quiet[i].port, quiet[i].in ? "read" : "write");
	}
	/* Twice in a row: the second ICW1 is forgotten no less than the first. */
	pic_init_irq4_at_0x34();
	outp(0x3FF, 1, 0x01);
	assert_true(dev_pic_output(&f->vm));
	pic_init_irq4_at_0x34();
	outp(0x3FF, 1, 0x02);
	assert_true(dev_pic_output(&f->vm));
}

/* An ELCR write (PIIX/ICH ELCR at 0x4D0: bit 4 makes IRQ4 level-triggered) changes how the PIC
 * reads a line it already saw: an edge-triggered request taken by INTA is gone while the line
 * stays up; made level-triggered, the request follows the line (8259A data sheet, LTIM), which
 * the UART's next access, of any register, shows it. */
static void uart_line_restated_after_elcr_write(void **state)
{
	(void)state;
	pic_init_irq4_at_0x34();
	outp(0x3FC, 1, 0x08); /* OUT2 */
	outp(0x3F9, 1, 0x02); /* ETBEI while THR is empty: the line is up, an edge */
	assert_int_equal(dev_pic_inta(&f->vm), 0x34);
	outp(0x20, 1, 0x20); /* EOI */
	assert_false(dev_pic_output(&f->vm)); /* the edge was taken; the line stays up */
	assert_int_equal(inp(0x3FF, 1), 0x00); /* an access: nothing to state while edge-triggered */
	assert_false(dev_pic_output(&f->vm));
	outp(0x4D0, 1, 0x10); /* IRQ4 level-triggered */
	outp(0x3FF, 1, 0x77); /* SCR write: the line stated again */
	assert_true(dev_pic_output(&f->vm));
	assert_int_equal(dev_pic_inta(&f->vm), 0x34);
}

/* MC146818A: index at 0x70 (bit 7 masks NMI), status B bit 2 binary / bit 1 24-hour, status D
 * bit 7 valid RAM and time; 2026-12-01 11:30:45 UTC is a Tuesday (day of week 3). */
static u64 fixed_clock(void) { return 3000000000ULL; }

static void rtc_host_time(void **state)
{
	(void)state;
	dev_clock_set(fixed_clock, 1000000000ULL);
	dev_rtc_set_host_time(1796124645ULL - 3, 0); /* 3 s before "now" */
	outp(0x70, 1, 0x00);
	assert_int_equal(inp(0x71, 1), 0x45); /* BCD seconds */
	outp(0x70, 1, 0x04);
	assert_int_equal(inp(0x71, 1), 0x11);
	outp(0x70, 1, 0x07);
	assert_int_equal(inp(0x71, 1), 0x01);
	outp(0x70, 1, 0x08);
	assert_int_equal(inp(0x71, 1), 0x12);
	outp(0x70, 1, 0x09);
	assert_int_equal(inp(0x71, 1), 0x26);
	outp(0x70, 1, 0x32);
	assert_int_equal(inp(0x71, 1), 0x20);
	outp(0x70, 1, 0x06);
	assert_int_equal(inp(0x71, 1), 3);
	outp(0x70, 1, 0x0D);
	assert_int_equal(inp(0x71, 1), 0x80);
	outp(0x70, 1, 0x8B); /* status B, NMI masked */
	assert_true(f->dev->rtc.nmi_masked);
	outp(0x71, 1, 0x06); /* binary, 24 h */
	outp(0x70, 1, 0x00);
	assert_int_equal(inp(0x71, 1), 45);
	outp(0x70, 1, 0x0B);
	outp(0x71, 1, 0x04); /* binary, 12 h: 11 AM */
	outp(0x70, 1, 0x04);
	assert_int_equal(inp(0x71, 1), 11);
	/* CMOS RAM keeps what is written. */
	outp(0x70, 1, 0x40);
	outp(0x71, 1, 0x5A);
	assert_int_equal(inp(0x71, 1), 0x5A);
	dev_clock_set(NULL, 0);
}

/* ICH reset control register: RST_CPU (bit 2) resets; 8042 command 0xFE pulses reset. */
static void reset_ports(void **state)
{
	(void)state;
	outp(0xCF9, 1, 0x02); /* SYS_RST alone: no reset yet */
	assert_int_equal(f->vm.end, VM_END_RUNNING);
	assert_int_equal(inp(0xCF9, 1), 0x02);
	outp(0xCF9, 1, 0x06);
	assert_int_equal(f->vm.end, VM_END_RESET);
	assert_non_null(strstr(f->vm.reason, "0xCF9"));
	struct svm_fx *g = sf_new(false);
	u32 v = 0xFE;
	assert_int_equal(svm_io_port(&g->vm, 0x64, 1, true, &v), true);
	assert_int_equal(v, 0xFF); /* no 8042 there */
	v = 0xFE;
	assert_true(svm_io_port(&g->vm, 0x64, 1, false, &v));
	assert_int_equal(g->vm.end, VM_END_RESET);
	sf_free(g);
}

/* What an SEV-ES guest's NPT marks with reserved bits (facts G23): every MMIO device page, the
 * local APIC's at 0xFEE00000 (its reset base, SDM 11.4.4) and the HPET's at 0xFED00000 (the
 * IA-PC HPET base q35 uses) among them. */
static void mmio_ranges_cover_lapic_and_hpet(void **state)
{
	(void)state;
	bool lapic = false, hpet = false;
	u64 base, size;
	for (unsigned i = 0; svm_mmio_range(i, &base, &size); i++) {
		assert_true(i < 16);
		lapic |= base <= 0xFEE00000ull && 0xFEE00FFFull < base + size;
		hpet |= base <= 0xFED00000ull && 0xFED003FFull < base + size;
	}
	assert_true(lapic);
	assert_true(hpet);
}

/* The port index: every one of the 64 Ki ports reaches the device whose range holds it (a scan
 * of the ranges), and the PC ports by name: 8259 0x20-0x21/0xA0-0xA1, 8254 0x40-0x43, port 61h,
 * 8042 0x64, RTC 0x70-0x71, COM1 0x3F8-0x3FF, ELCR 0x4D0-0x4D1, fw_cfg 0x510-0x511, reset 0xCF9
 * (ICH), nothing at COM2 0x2F8 or the PCI configuration ports 0xCF8/0xCFC. */
static void port_index_matches_ranges(void **state)
{
	(void)state;
	for (u32 port = 0; port < 0x10000; port++) {
		int owner = -1;
		u16 base, count;
		for (unsigned i = 0; svm_io_port_range(i, &base, &count); i++)
			if (port >= base && port - base < count) {
				assert_int_equal(owner, -1); /* ranges are disjoint */
				owner = (int)i;
			}
		const char *name = svm_io_port_device((u16)port);
		if ((owner < 0) != (name == NULL))
			fail_msg("port 0x%x: claimed %d by the ranges, index says %s", port, owner,
				 name ? name : "nothing");
		if (owner >= 0) {
			svm_io_port_range((unsigned)owner, &base, &count);
			assert_string_equal(name, svm_io_port_device(base));
		}
	}
	static const struct { u16 port; const char *name; } pc[] = {
		{ 0x20, "pic-master" }, { 0x21, "pic-master" }, { 0xA0, "pic-slave" },
		{ 0xA1, "pic-slave" }, { 0x40, "pit" }, { 0x43, "pit" }, { 0x61, "port61" },
		{ 0x64, "kbc" }, { 0x70, "rtc" }, { 0x71, "rtc" }, { 0x3F8, "uart" }, { 0x3FF, "uart" },
		{ 0x4D0, "elcr" }, { 0x4D1, "elcr" }, { 0x510, "fw_cfg" }, { 0x511, "fw_cfg" },
		{ 0xCF9, "reset" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(pc); i++)
		assert_string_equal(svm_io_port_device(pc[i].port), pc[i].name);
	assert_null(svm_io_port_device(0x2F8));
	assert_null(svm_io_port_device(0xCF8));
	assert_null(svm_io_port_device(0xCFC));
	assert_null(svm_io_port_device(0xFFFF));
}

/* A plain IOIO exit (APM vol. 2, 15.10.2: EXITINFO1 port in bits 31:16, SZ8/SZ16/SZ32 in bits
 * 4/5/6, bit 0 IN; EXITINFO2 the next RIP) on the UART scratch register, COM1 + 7: IN AL and IN
 * AX leave the rest of RAX alone, IN EAX zero-extends into RAX (APM vol. 3, IN); OUT sends
 * AL/AX/EAX; RIP becomes EXITINFO2. */
static u64 ioio_exit_at(u16 port, u32 size_bit, bool in, u64 rax, enum svm_outcome want)
{
	f->vmcb->save.rax = rax;
	f->vmcb->save.rip = 0x1000;
	f->vmcb->control.exit_code = SVM_EXIT_IOIO;
	f->vmcb->control.exit_info1 = ((u64)port << 16) | size_bit | (in ? 1 : 0);
	f->vmcb->control.exit_info2 = 0x1002;
	assert_int_equal(svm_handle_exit(&f->v), want);
	assert_int_equal(f->vmcb->save.rip, 0x1002);
	return f->vmcb->save.rax;
}

static u64 ioio_exit(u32 size_bit, bool in, u64 rax)
{
	return ioio_exit_at(0x3FF, size_bit, in, rax, SVM_RESUME);
}

static void ioio_exit_merges_rax(void **state)
{
	(void)state;
	ioio_exit(1u << 4, false, 0x1122334455667788ull); /* OUT 0x3FF, AL: scratch = 0x88 */
	assert_int_equal(ioio_exit(1u << 4, true, 0xFFFFFFFFFFFFFFFFull), 0xFFFFFFFFFFFFFF88ull);
	assert_int_equal(ioio_exit(1u << 5, true, 0xFFFFFFFFFFFFFFFFull), 0xFFFFFFFFFFFF0088ull);
	assert_int_equal(ioio_exit(1u << 6, true, 0xFFFFFFFFFFFFFFFFull), 0x0000000000000088ull);
	ioio_exit(1u << 5, false, 0x5A); /* OUT AX: the low byte reaches the 8-bit register */
	assert_int_equal(inp(0x3FF, 1), 0x5A);
}

/* The same exit on a port nothing claims (COM2, 0x2F8, is not modelled): the bus reads all
 * ones, as many as the size, merged into RAX like any IN. */
static void ioio_exit_unclaimed_port_all_ones(void **state)
{
	(void)state;
	assert_int_equal(ioio_exit_at(0x2F8, 1u << 4, true, 0x1122334455667700ull, SVM_RESUME), 0x11223344556677FFull);
	assert_int_equal(ioio_exit_at(0x2F8, 1u << 5, true, 0x1122334455660000ull, SVM_RESUME), 0x112233445566FFFFull);
	assert_int_equal(ioio_exit_at(0x2F8, 1u << 6, true, 0x1122334455667788ull, SVM_RESUME), 0xFFFFFFFFull);
	assert_int_equal(ioio_exit_at(0x2F8, 1u << 4, false, 0x42, SVM_RESUME), 0x42); /* dropped */
}

/* OUT EAX to isa-debug-exit (0xF4) ends the guest with the value as its exit code; the exit
 * says so (SVM_TERMINATE), and RIP has moved past the OUT as for any other port. */
static void ioio_exit_debug_exit_ends_guest(void **state)
{
	(void)state;
	ioio_exit_at(0xF4, 1u << 6, false, 0xFFFFFFFF00000021ull, SVM_TERMINATE);
	assert_int_equal(f->vm.end, VM_END_EXIT);
	assert_int_equal(f->vm.exit_code, 0x21);
}

/* IN and OUT with RFLAGS.TF: the single-step trap after the instruction (APM vol. 2,
 * 13.1.3.6: DR6.BS and a #DB before the next one), as for any instruction sevisor carries
 * out; the access itself is unchanged. */
static void ioio_exit_single_step(void **state)
{
	(void)state;
	for (int in = 0; in <= 1; in++) {
		f->v.pending.pending = false;
		f->vmcb->save.dr6 = 0;
		f->vmcb->save.rflags = RFLAGS_TF | 0x2;
		u64 rax = ioio_exit_at(0x3FF, 1u << 4, in, in ? 0xFFFF : 0x3C, SVM_RESUME);
		if (in)
			assert_int_equal(rax, 0xFF3C);
		assert_true(f->vmcb->save.dr6 & DR6_BS);
		assert_true(f->v.pending.pending);
		assert_int_equal(f->v.pending.info & SVM_EVT_VECTOR_MASK, X86_DB);
		assert_int_equal(f->v.pending.info & SVM_EVT_TYPE_MASK, SVM_EVT_TYPE_EXCEPTION);
	}
	f->vmcb->save.rflags = 0x2;
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(uart_line_buffered),
		T(mmio_ranges_cover_lapic_and_hpet),
		T(uart_non_printables_as_dots),
		T(uart_long_line_flushed_at_200),
		T(uart_flush_partial_line),
		T(uart_lsr_and_scratch),
		T(uart_dlab_divisor_latch),
		T(debug_exit_outl),
		T(debug_exit_large_code),
		T(fw_cfg_signature),
		T(fw_cfg_cpu_count),
		T(fw_cfg_ram_size),
		T(fw_cfg_unknown_key_reads_zero),
		T(pic_imr_read_back),
		T(pic_icw_sequence_not_in_imr),
		T(pic_icw1_without_icw4),
		T(pic_icw1_single_mode),
		T(pic_icw1_clears_imr),
		T(unclaimed_ports),
		T(port_index_matches_ranges),
		T(ioio_exit_merges_rax),
		T(ioio_exit_unclaimed_port_all_ones),
		T(ioio_exit_debug_exit_ends_guest),
		T(ioio_exit_single_step),
		T(lapic_id_version_svr),
		T(lapic_ldr_dfr),
		T(lapic_icr_logged),
		T(lapic_tpr_coherent_with_cr8),
		T(uart_thre_interrupt),
		T(uart_line_restated_on_every_register),
		T(uart_line_restated_after_elcr_write),
		T(rtc_host_time),
		T(reset_ports),
		T(unbacked_terminate_read),
		T(unbacked_terminate_write),
		T(unbacked_ignore),
		T(unbacked_ignore_once_per_page_many_pages),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
