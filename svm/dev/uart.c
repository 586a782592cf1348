/* 16550 UART at 0x3F8: the guest's console. Output is collected a line at a time and logged
 * under the guest's name; the status registers answer what a polling driver expects: the
 * transmitter is always empty (LSR THRE|TEMT), no input ever arrives (LSR DR clear).
 * Interrupts (PC16550D data sheet, IER/IIR): with IER bit 1 the transmitter-holding-register-
 * empty interrupt is raised whenever THR empties (at once: a byte is sent as it is written) and
 * when the bit is set while THR is empty; reading IIR while it is the reported source, or
 * writing THR, clears it. The interrupt reaches ISA IRQ4 only with MCR OUT2 set (the PC's
 * wiring). No receive interrupts: nothing is ever received. */
#include "svm/dev/devices.h"
#include "svm/vm.h"
#include "lib/log.h"

#define UART_BASE 0x3F8
#define REG_RBR_THR 0
#define REG_IER 1
#define REG_IIR_FCR 2
#define REG_LCR 3
#define REG_MCR 4
#define REG_LSR 5
#define REG_MSR 6
#define REG_SCR 7
#define LCR_DLAB 0x80
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define IIR_NO_INTERRUPT 0x01
#define IIR_THRE 0x02
#define IIR_FIFO_ENABLED 0xC0
#define IER_ETBEI 0x02
#define FCR_ENABLE 0x01
#define MCR_OUT2 0x08
#define UART_IRQ 4
#define MSR_DCD_DSR_CTS 0xB0

void dev_uart_flush(struct vm *vm)
{
	struct dev_uart *u = &vm->devices->uart;
	if (!u->len)
		return;
	u->line[u->len] = '\0';
	log_info("[%s] %s", vm->name, u->line);
	u->len = 0;
}

static void put(struct vm *vm, u8 c)
{
	struct dev_uart *u = &vm->devices->uart;
	if (c == '\r')
		return;
	if (c == '\n') {
		if (!u->len && u->wrapped) {
			u->wrapped = false; /* the newline ends a line already logged at full length */
			return;
		}
		if (!u->len)
			u->line[u->len++] = ' ';
		dev_uart_flush(vm);
		return;
	}
	u->wrapped = false;
	/* Keep logs readable: non-printable bytes are shown as '.'. */
	u->line[u->len++] = (c >= 0x20 && c < 0x7F) || c == '\t' ? (char)c : '.';
	if (u->len == UART_LINE_MAX) {
		dev_uart_flush(vm);
		u->wrapped = true;
	}
}

static bool thre_interrupt(const struct dev_uart *u)
{
	return (u->ier & IER_ETBEI) && u->thre_pending;
}

static void update_irq(struct vm *vm)
{
	const struct dev_uart *u = &vm->devices->uart;
	dev_pic_set_irq(vm, UART_IRQ, thre_interrupt(u) && (u->mcr & MCR_OUT2));
}

static bool uart_access(struct vm *vm, u16 port, unsigned size, bool in, u32 *val);

static u8 read_iir(struct dev_uart *u)
{
	u8 fifo = (u->fcr & FCR_ENABLE) ? IIR_FIFO_ENABLED : 0;
	if (!thre_interrupt(u))
		return fifo | IIR_NO_INTERRUPT;
	u->thre_pending = false; /* reading IIR with THRE as the source clears it */
	return fifo | IIR_THRE;
}

bool dev_uart_io(struct vm *vm, u16 port, unsigned size, bool in, u32 *val)
{
	bool ok = uart_access(vm, port, size, in, val);
	update_irq(vm);
	return ok;
}

static bool uart_access(struct vm *vm, u16 port, unsigned size, bool in, u32 *val)
{
	(void)size;
	struct dev_uart *u = &vm->devices->uart;
	unsigned reg = port - UART_BASE;
	bool dlab = u->lcr & LCR_DLAB;
	if (in) {
		static const u8 lsr = LSR_THRE | LSR_TEMT;
		switch (reg) {
		case REG_RBR_THR: *val = dlab ? u->dll : 0; break;
		case REG_IER: *val = dlab ? u->dlm : u->ier; break;
		case REG_IIR_FCR: *val = read_iir(u); break;
		case REG_LCR: *val = u->lcr; break;
		case REG_MCR: *val = u->mcr; break;
		case REG_LSR: *val = lsr; break;
		case REG_MSR: *val = MSR_DCD_DSR_CTS; break;
		default: *val = u->scr; break;
		}
		return true;
	}
	u8 b = (u8)*val;
	switch (reg) {
	case REG_RBR_THR:
		if (dlab) {
			u->dll = b;
		} else {
			put(vm, b);
			u->thre_pending = true; /* sent at once: THR is empty again */
		}
		break;
	case REG_IER:
		if (dlab)
			u->dlm = b;
		else {
			if ((b & IER_ETBEI) && !(u->ier & IER_ETBEI))
				u->thre_pending = true; /* enabled while THR is empty */
			u->ier = b & 0x0F;
		}
		break;
	case REG_IIR_FCR: u->fcr = b; break;
	case REG_LCR: u->lcr = b; break;
	case REG_MCR: u->mcr = b & 0x1F; break;
	case REG_SCR: u->scr = b; break;
	default: break; /* LSR, MSR writes: nothing to model */
	}
	return true;
}
