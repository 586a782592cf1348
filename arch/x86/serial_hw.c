/* Log sinks on I/O ports: the 16550 UART at COM1 (0x3F8) and QEMU's debug console (0xE9).
 * The UART is programmed 115200 8N1, the setting OVMF itself uses, so firmware output and ours
 * interleave cleanly on the same line. */
#include "arch/x86/serial.h"
#include "arch/x86/cpu.h"

#define COM1 0x3F8
#define UART_THR 0 /* transmit holding (DLAB=0) */
#define UART_DLL 0 /* divisor low (DLAB=1) */
#define UART_IER 1
#define UART_DLH 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_LSR_THRE 0x20
#define UART_LCR_8N1 0x03
#define UART_LCR_DLAB 0x80
#define UART_BAUD_DIVISOR 1 /* 115200 = 1.8432 MHz / 16 / 1 */
#define UART_SPIN_LIMIT 100000 /* an absent UART must not hang the log */

#define DEBUGCON_PORT 0xE9

void serial_init(void)
{
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, UART_LCR_DLAB);
	outb(COM1 + UART_DLL, UART_BAUD_DIVISOR);
	outb(COM1 + UART_DLH, 0);
	outb(COM1 + UART_LCR, UART_LCR_8N1);
	outb(COM1 + UART_FCR, 0xC7); /* FIFO on, cleared, 14-byte threshold */
	outb(COM1 + UART_MCR, 0x03); /* DTR, RTS */
}

static void com1_putc(char c)
{
	for (unsigned i = 0; i < UART_SPIN_LIMIT && !(inb(COM1 + UART_LSR) & UART_LSR_THRE); i++)
		cpu_pause();
	outb(COM1 + UART_THR, (u8)c);
}

void serial_sink_com1(const char *text, size_t len, void *ctx)
{
	(void)ctx;
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\n')
			com1_putc('\r');
		com1_putc(text[i]);
	}
}

void serial_sink_debugcon(const char *text, size_t len, void *ctx)
{
	(void)ctx;
	for (size_t i = 0; i < len; i++)
		outb(DEBUGCON_PORT, (u8)text[i]);
}
