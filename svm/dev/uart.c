/* 16550 UART at 0x3F8: the guest's console. Output is collected a line at a time and logged
 * under the guest's name; the transmitter is always empty (LSR THRE|TEMT): a byte is sent as it
 * is written. Input arrives through dev_uart_receive (or, in loopback, from THR) into the
 * receiver FIFO: 16 bytes with FCR bit 0, else the one receiver buffer register.
 *
 * Interrupts (PC16550D data sheet, IER/IIR/FCR/LSR and "Interrupt Identification Register"
 * priorities): receiver line status (IER bit 2: an overrun, IIR 0x06) before received data
 * available (IER bit 0: IIR 0x04 once the FIFO holds its FCR trigger level, 1/4/8/14 bytes, or
 * any byte without FIFOs; below the trigger the character timeout, IIR 0x0C, is reported at once:
 * no more bytes arrive on the line while a guest looks) before transmitter holding register
 * empty (IER bit 1: raised whenever THR empties and when the bit is set while THR is empty;
 * reading IIR while it is the reported source, or writing THR, clears it). Reading RBR takes a
 * byte, reading LSR clears the overrun, FCR bit 1 clears the receiver FIFO. The interrupt
 * reaches ISA IRQ4 only with MCR OUT2 set and not in loopback (the PC's wiring: loopback
 * disconnects OUT2). Loopback (MCR bit 4) sends THR to the receiver and shows DTR, RTS, OUT1 and
 * OUT2 as DSR, CTS, RI and DCD in MSR. */
#include "svm/dev/devices.h"
#include "svm/dev/io.h"
#include "svm/vm.h"
#include "lib/log.h"

#define REG_RBR_THR 0
#define REG_IER 1
#define REG_IIR_FCR 2
#define REG_LCR 3
#define REG_MCR 4
#define REG_LSR 5
#define REG_MSR 6
#define REG_SCR 7
#define LCR_DLAB 0x80
#define LSR_DR 0x01
#define LSR_OE 0x02
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define IIR_NO_INTERRUPT 0x01
#define IIR_THRE 0x02
#define IIR_RDA 0x04
#define IIR_RLS 0x06
#define IIR_CHAR_TIMEOUT 0x0C
#define IIR_FIFO_ENABLED 0xC0
#define IER_ERBFI 0x01
#define IER_ETBEI 0x02
#define IER_ELSI 0x04
#define IER_WRITABLE 0x0F
#define FCR_ENABLE 0x01
#define FCR_CLEAR_RX 0x02
#define FCR_TRIGGER_SHIFT 6
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10
#define MCR_WRITABLE 0x1F
#define UART_IRQ 4
#define MSR_DCD_DSR_CTS 0xB0
#define MSR_LOOP_SHIFT 4 /* loopback: MCR bits 3:0 appear in MSR bits 7:4, in this order: */
/* MCR DTR(0) RTS(1) OUT1(2) OUT2(3) -> MSR DSR(5) CTS(4) RI(6) DCD(7). */
static const u8 loop_msr[4] = { 0x20, 0x10, 0x40, 0x80 };

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

static bool fifo_on(const struct dev_uart *u)
{
	return u->fcr & FCR_ENABLE;
}

static unsigned rx_capacity(const struct dev_uart *u)
{
	return fifo_on(u) ? UART_FIFO_BYTES : 1;
}

static unsigned rx_trigger(const struct dev_uart *u)
{
	static const u8 level[4] = { 1, 4, 8, 14 };
	return fifo_on(u) ? level[u->fcr >> FCR_TRIGGER_SHIFT] : 1;
}

/* A byte at the receiver: into the FIFO, or lost with an overrun when it is full. */
static void rx_put(struct dev_uart *u, u8 b)
{
	if (u->rx_count >= rx_capacity(u)) {
		u->overrun = true;
		return;
	}
	u->rx[(u->rx_head + u->rx_count) % UART_FIFO_BYTES] = b;
	u->rx_count++;
}

static u8 rx_take(struct dev_uart *u)
{
	if (!u->rx_count)
		return 0;
	u8 b = u->rx[u->rx_head];
	u->rx_head = (u8)((u->rx_head + 1) % UART_FIFO_BYTES);
	u->rx_count--;
	return b;
}

static void rx_clear(struct dev_uart *u)
{
	u->rx_head = u->rx_count = 0;
}

/* The highest-priority pending source as IIR bits 3:0 (IIR_NO_INTERRUPT when none). */
static u8 interrupt_id(const struct dev_uart *u)
{
	if ((u->ier & IER_ELSI) && u->overrun)
		return IIR_RLS;
	if ((u->ier & IER_ERBFI) && u->rx_count)
		return u->rx_count >= rx_trigger(u) ? IIR_RDA : IIR_CHAR_TIMEOUT;
	if ((u->ier & IER_ETBEI) && u->thre_pending)
		return IIR_THRE;
	return IIR_NO_INTERRUPT;
}

/* The UART's interrupt output (before the OUT2/loopback wiring): a source is pending that IER
 * enables. interrupt_id names the highest of them; every source it reports is one of these. */
static inline bool output_pending(const struct dev_uart *u)
{
	u8 pending = (u8)((u->overrun ? IER_ELSI : 0) | (u->rx_count ? IER_ERBFI : 0) |
			  (u->thre_pending ? IER_ETBEI : 0));
	return u->ier & pending;
}

/* The PIC's side of update_irq, when the line moves: out of line, so that an access that
 * leaves the line as it was (nearly all) makes no call. It hands back r, a read's value, so
 * that the handler's call is its last act (a tail call: nothing kept around it). */
static __attribute__((noinline)) u32 line_moved(struct vm *vm, bool level, u32 r)
{
	dev_pic_set_irq(vm, UART_IRQ, level);
	return r;
}

/* The UART states its line after every access; the PIC is called only when that moves it
 * (dev_pic_input_settled: what dev_pic_set_irq itself checks first). Every register's handler
 * ends here, and so does dev_uart_receive, except the quiet registers', which cannot move the
 * UART's output: they end in restate_irq, which re-states the line when the PIC may have
 * forgotten it since (ICW1 forgets the line's level). d is vm->devices, kept by the caller (the
 * register stores, u8, would otherwise make the compiler load it again). Returns r, a read's
 * value (see line_moved). */
static inline __attribute__((always_inline)) u32 update_irq(struct vm *vm, struct vm_devices *d, u32 r)
{
	const struct dev_uart *u = &d->uart;
	bool wired = (u->mcr & (MCR_OUT2 | MCR_LOOP)) == MCR_OUT2;
	bool level = wired && output_pending(u);
	if (dev_pic_input_settled(&d->pic, UART_IRQ, level))
		return r;
	return line_moved(vm, level, r);
}

/* restate_irq's re-statement, when the PIC is due one: update_irq, and the PIC told. */
static __attribute__((noinline)) u32 line_restated(struct vm *vm, u32 r)
{
	struct vm_devices *d = vm->devices;
	dev_pic_restated(&d->pic, UART_IRQ);
	return update_irq(vm, d, r);
}

/* update_irq for an access that cannot move the UART's interrupt output (the quiet registers,
 * UART_IN_QUIET/UART_OUT_QUIET below): the output is what the last update_irq stated (every
 * other change of the UART's state ends in update_irq; devices_init zeroes both the UART and
 * the PIC), so the re-statement can find the PIC unsettled only when the PIC forgot or
 * reinterpreted the line since (ICW1, an ELCR write: dev_pic_restate_due), and is made then.
 * The same result as update_irq, which would find the PIC settled otherwise. */
static inline __attribute__((always_inline)) u32 restate_irq(struct vm *vm, struct vm_devices *d, u32 r)
{
	if (__builtin_expect(dev_pic_restate_due(&d->pic, UART_IRQ), 0))
		return line_restated(vm, r);
	return r;
}

static u8 read_iir(struct dev_uart *u)
{
	u8 fifo = fifo_on(u) ? IIR_FIFO_ENABLED : 0;
	u8 id = interrupt_id(u);
	if (id == IIR_THRE)
		u->thre_pending = false; /* reading IIR with THRE as the source clears it */
	return fifo | id;
}

static u8 read_lsr(struct dev_uart *u)
{
	u8 lsr = LSR_THRE | LSR_TEMT | (u->rx_count ? LSR_DR : 0) | (u->overrun ? LSR_OE : 0);
	u->overrun = false; /* reading LSR clears the error bits */
	return lsr;
}

static u8 read_msr(const struct dev_uart *u)
{
	if (!(u->mcr & MCR_LOOP))
		return MSR_DCD_DSR_CTS;
	u8 msr = 0;
	for (unsigned i = 0; i < ARRAY_SIZE(loop_msr); i++)
		if (u->mcr & (1u << i))
			msr |= loop_msr[i];
	return msr;
}

unsigned dev_uart_receive(struct vm *vm, const u8 *data, unsigned n)
{
	struct dev_uart *u = &vm->devices->uart;
	unsigned i = 0;
	for (; i < n && u->rx_count < rx_capacity(u); i++)
		rx_put(u, data[i]);
	update_irq(vm, vm->devices, 0);
	return i;
}

/* The register table (svm/dev/io.h): a handler per register and direction. UART_IN and
 * UART_OUT give each register's access, on the UART u of vm's devices d, the row handler's
 * frame (svm_port_read_fn, svm_port_write_fn), and end it with update_irq, or (the _QUIET
 * forms) with restate_irq. */
#define UART_READ(name, expr, line)                                                                \
	static u32 name(struct vm *vm, u64 access)                                                \
	{                                                                                          \
		(void)access;                                                                      \
		struct vm_devices *d = vm->devices;                                                \
		struct dev_uart *u = &d->uart;                                                     \
		u8 r = (expr);                                                                     \
		return line(vm, d, r);                                                             \
	}
#define UART_WRITE(name, stmt, line)                                                               \
	static void name(struct vm *vm, u64 access, u32 val)                                      \
	{                                                                                          \
		(void)access;                                                                      \
		struct vm_devices *d = vm->devices;                                                \
		struct dev_uart *u = &d->uart;                                                     \
		u8 b = (u8)val;                                                                    \
		stmt;                                                                              \
		line(vm, d, 0);                                                                    \
	}
#define UART_IN(name, expr) UART_READ(name, expr, update_irq)
#define UART_OUT(name, stmt) UART_WRITE(name, stmt, update_irq)
#define UART_IN_QUIET(name, expr) UART_READ(name, expr, restate_irq)
#define UART_OUT_QUIET(name, stmt) UART_WRITE(name, stmt, restate_irq)
#define DLAB(u) ((u)->lcr & LCR_DLAB)

static void write_thr(struct vm *vm, struct dev_uart *u, u8 b)
{
	if (DLAB(u)) {
		u->dll = b;
		return;
	}
	if (u->mcr & MCR_LOOP)
		rx_put(u, b);
	else
		put(vm, b);
	u->thre_pending = true; /* sent at once: THR is empty again */
}

static void write_ier(struct dev_uart *u, u8 b)
{
	if (DLAB(u)) {
		u->dlm = b;
		return;
	}
	if ((b & IER_ETBEI) && !(u->ier & IER_ETBEI))
		u->thre_pending = true; /* enabled while THR is empty */
	u->ier = b & IER_WRITABLE;
}

static void write_fcr(struct dev_uart *u, u8 b)
{
	/* Switching the FIFOs on or off, or FCR bit 1, empties the receiver. */
	if ((b & FCR_CLEAR_RX) || ((b ^ u->fcr) & FCR_ENABLE))
		rx_clear(u);
	u->fcr = b & (u8)~FCR_CLEAR_RX;
}

/* The quiet registers: accesses that move no interrupt source, no enable and not the OUT2
 * gate, so the UART's output stays as the last update_irq left it (PC16550D data sheet,
 * "Interrupt Control Functions": the sources are set and reset by the receiver, LSR, RBR, IIR
 * and THR; IER enables them; the PC gates the output with MCR OUT2):
 * - IER read (DLM with DLAB): a read changes nothing;
 * - LCR read and write: line format, and DLAB, which only chooses what later accesses of ports
 *   0 and 1 reach (data sheet, "Line Control Register");
 * - MCR read: a read changes nothing (a write moves OUT2 and loopback: update_irq);
 * - MSR read: the data sheet resets the modem status interrupt here, which this model never
 *   raises (its modem lines are fixed, or loopback copies of MCR; IER bit 3 enables nothing);
 * - LSR and MSR writes: nothing is modelled;
 * - SCR read and write: "does not control the UART in any way" (data sheet, "Scratchpad
 *   Register").
 * RBR/THR (with or without DLAB: one handler), IIR, FCR, LSR read, IER write and MCR write move
 * the output: update_irq. */
UART_IN(in_rbr, DLAB(u) ? u->dll : rx_take(u))
UART_IN_QUIET(in_ier, DLAB(u) ? u->dlm : u->ier)
UART_IN(in_iir, read_iir(u))
UART_IN_QUIET(in_lcr, u->lcr)
UART_IN_QUIET(in_mcr, u->mcr)
UART_IN(in_lsr, read_lsr(u))
UART_IN_QUIET(in_msr, read_msr(u))
UART_IN_QUIET(in_scr, u->scr)
UART_OUT(out_thr, write_thr(vm, u, b))
UART_OUT(out_ier, write_ier(u, b))
UART_OUT(out_fcr, write_fcr(u, b))
UART_OUT_QUIET(out_lcr, u->lcr = b)
UART_OUT(out_mcr, u->mcr = b & MCR_WRITABLE)
UART_OUT_QUIET(out_none, ((void)u, (void)b)) /* LSR, MSR writes: nothing to model */
UART_OUT_QUIET(out_scr, u->scr = b)

const struct svm_port_reg dev_uart_regs[DEV_UART_PORTS] = {
	[REG_RBR_THR] = { in_rbr, out_thr },
	[REG_IER] = { in_ier, out_ier },
	[REG_IIR_FCR] = { in_iir, out_fcr },
	[REG_LCR] = { in_lcr, out_lcr },
	[REG_MCR] = { in_mcr, out_mcr },
	[REG_LSR] = { in_lsr, out_none },
	[REG_MSR] = { in_msr, out_none },
	[REG_SCR] = { in_scr, out_scr },
};
