/* Console on the 16550 UART at 0x3F8 (COM1), by polling. No initialisation: QEMU's and
 * sevisor's UARTs accept bytes as they come, and a test kernel should not depend on more. */
#include "rt.h"

#define COM1 0x3F8
#define UART_THR 0 /* transmit holding register */
#define UART_LSR 5 /* line status register */
#define UART_LSR_THRE 0x20 /* transmit holding register empty */
#define UART_POLL_LIMIT 100000 /* give up waiting rather than hang a broken console */

void putchar(int c)
{
	for (unsigned i = 0; i < UART_POLL_LIMIT; i++)
		if (con_in(COM1 + UART_LSR, 1) & UART_LSR_THRE)
			break;
	con_out(COM1 + UART_THR, (u8)c, 1);
}

void puts(const char *s)
{
	while (*s)
		putchar(*s++);
}
