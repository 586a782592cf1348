/* Port I/O against sevisor's devices: the UART scratch register, an unclaimed port, the PIC
 * mask registers, and string I/O (rep outsb / rep insb). */
#include "rt.h"

#define UART_SCRATCH 0x3FF  /* COM1 + 7 */
#define UART_DATA 0x3F8
#define UNCLAIMED_PORT 0x6F0 /* no device at 0x6F0 in sevisor or in QEMU's PC machines */
#define PIC1_DATA 0x21
#define PIC2_DATA 0xA1
#define PIC_MASK_ALL 0xFF
#define INS_COUNT 16

static void check_scratch(void)
{
	static const u8 values[] = {0x5A, 0xA5, 0x00, 0xFF};
	bool ok = true;
	for (unsigned i = 0; i < ARRAY_SIZE(values); i++) {
		outb(values[i], UART_SCRATCH);
		u8 got = inb(UART_SCRATCH);
		if (got != values[i]) {
			report_info("scratch: wrote 0x%x read 0x%x", values[i], got);
			ok = false;
		}
	}
	report("portio: UART scratch register reads back what was written", ok);
}

static void check_unclaimed(void)
{
	outb(0x12, UNCLAIMED_PORT); /* dropped */
	u8 b = inb(UNCLAIMED_PORT);
	u16 w = inw(UNCLAIMED_PORT);
	u32 l = inl(UNCLAIMED_PORT);
	report_info("unclaimed port 0x%x: inb 0x%x inw 0x%x inl 0x%x", UNCLAIMED_PORT, b, w, l);
	report("portio: unclaimed port reads all ones (8/16/32 bit)",
	       b == 0xFF && w == 0xFFFF && l == 0xFFFFFFFF);
}

static void check_pic(void)
{
	outb(PIC_MASK_ALL, PIC1_DATA);
	outb(PIC_MASK_ALL, PIC2_DATA);
	u8 m1 = inb(PIC1_DATA), m2 = inb(PIC2_DATA);
	report_info("PIC masks read back 0x%x 0x%x", m1, m2);
	report("portio: PIC mask registers hold 0xFF", m1 == PIC_MASK_ALL && m2 == PIC_MASK_ALL);
}

static void check_string_io(void)
{
	static const char msg[] = "portio: this line was written with rep outsb\n";
	const char *p = msg;
	u64 n = sizeof(msg) - 1;
	asm volatile("rep outsb" : "+S"(p), "+c"(n) : "d"((u16)UART_DATA) : "memory");
	report("portio: rep outsb consumed the whole buffer", n == 0 && p == msg + sizeof(msg) - 1);

	u8 buf[INS_COUNT + 1];
	memset(buf, 0, sizeof(buf));
	outb(0xC3, UART_SCRATCH);
	u8 *d = buf;
	n = INS_COUNT;
	asm volatile("rep insb" : "+D"(d), "+c"(n) : "d"((u16)UART_SCRATCH) : "memory");
	bool ok = n == 0 && d == buf + INS_COUNT && buf[INS_COUNT] == 0;
	for (unsigned i = 0; i < INS_COUNT; i++)
		ok &= buf[i] == 0xC3;
	report("portio: rep insb from the scratch register", ok);
}

int main(void)
{
	check_scratch();
	check_unclaimed();
	check_pic();
	check_string_io();
	return report_summary();
}
