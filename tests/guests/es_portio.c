/* soft-es: port I/O through #VC and the GHCB IOIO event, including string I/O through the
 * shared buffer (more than one buffer's worth, so the handler must split it). */
#include "ghcb.h"
#include "rt.h"

#define UART_SCRATCH 0x3FF
#define UART_DATA 0x3F8
#define UNCLAIMED_PORT 0x6F0
#define PIC1_DATA 0x21
#define PIC2_DATA 0xA1
#define BIG_INS 3000 /* > GHCB_SHARED_BUF_SIZE */
#define WORD_INS 8

static u8 big[BIG_INS + 1];

int main(void)
{
	u32 before = vc_count(SVM_EXIT_IOIO);
	outb(0x5A, UART_SCRATCH);
	u8 got = inb(UART_SCRATCH);
	report("es_portio: OUT/IN (DX form) to the UART scratch register", got == 0x5A);
	reportf(vc_count(SVM_EXIT_IOIO) - before == 2, "es_portio: two #VCs for OUT and IN (%u)",
		vc_count(SVM_EXIT_IOIO) - before);

	outb(0xFF, PIC1_DATA); /* imm8 forms */
	outb(0xFF, PIC2_DATA);
	report("es_portio: PIC masks (imm8 form) read back 0xFF",
	       inb(PIC1_DATA) == 0xFF && inb(PIC2_DATA) == 0xFF);

	report("es_portio: unclaimed port reads all ones (8/16/32 bit)",
	       inb(UNCLAIMED_PORT) == 0xFF && inw(UNCLAIMED_PORT) == 0xFFFF &&
		       inl(UNCLAIMED_PORT) == 0xFFFFFFFF);

	static const char msg[] = "es_portio: this line was written with rep outsb\n";
	const char *p = msg;
	u64 n = sizeof(msg) - 1;
	asm volatile("rep outsb" : "+S"(p), "+c"(n) : "d"((u16)UART_DATA) : "memory");
	report("es_portio: rep outsb: RSI and RCX advanced", n == 0 && p == msg + sizeof(msg) - 1);

	outb(0xC3, UART_SCRATCH);
	u8 *d = big;
	n = BIG_INS;
	asm volatile("rep insb" : "+D"(d), "+c"(n) : "d"((u16)UART_SCRATCH) : "memory");
	bool ok = n == 0 && d == big + BIG_INS && big[BIG_INS] == 0;
	for (unsigned i = 0; i < BIG_INS; i++)
		ok &= big[i] == 0xC3;
	reportf(ok, "es_portio: rep insb of %u bytes (split over the shared buffer)", BIG_INS);

	u16 words[WORD_INS + 1] = {0};
	u16 *w = words;
	n = WORD_INS;
	asm volatile("rep insw" : "+D"(w), "+c"(n) : "d"((u16)UNCLAIMED_PORT) : "memory");
	ok = n == 0 && words[WORD_INS] == 0;
	for (unsigned i = 0; i < WORD_INS; i++)
		ok &= words[i] == 0xFFFF;
	report("es_portio: rep insw from an unclaimed port gives all ones", ok);
	return report_summary();
}
