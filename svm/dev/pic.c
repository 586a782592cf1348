/* See pic.h. Behaviour from the Intel 8259A data sheet (ICW1-4, OCW1-3, priority rotation,
 * special mask, poll, automatic EOI) and the PIIX3/ICH ELCR description. */
#include "svm/dev/pic.h"
#include "svm/dev/devices.h"
#include "svm/dev/intr.h"
#include "svm/vm.h"

#define PIC_ICW1 0x10
#define PIC_ICW1_IC4 0x01  /* ICW4 follows */
#define PIC_ICW1_SNGL 0x02 /* single 8259: no ICW3 */
#define PIC_OCW3 0x08
#define PIC_OCW3_RIS 0x01
#define PIC_OCW3_RR 0x02
#define PIC_OCW3_POLL 0x04
#define PIC_OCW3_SMM 0x20
#define PIC_OCW3_ESMM 0x40
#define PIC_ICW4_AEOI 0x02
#define PIC_ICW4_SFNM 0x10
#define PIC_POLL_VALID 0x80
#define PIC_NO_IRQ 8
#define PIC_SPURIOUS_IRQ 7
/* IRQ0-2 (timer, keyboard, cascade) and IRQ8, IRQ13 are always edge-triggered (ICH ELCR). */
#define ELCR_MASTER_WRITABLE 0xF8
#define ELCR_SLAVE_WRITABLE 0xDE

enum ocw2_cmd { OCW2_ROTATE_AEOI_CLEAR = 0, OCW2_EOI = 1, OCW2_NOP = 2, OCW2_SPECIFIC_EOI = 3,
		OCW2_ROTATE_AEOI_SET = 4, OCW2_ROTATE_EOI = 5, OCW2_SET_PRIORITY = 6,
		OCW2_ROTATE_SPECIFIC_EOI = 7 };

static struct dev_pic *pic(struct vm *vm)
{
	return &vm->devices->pic;
}

static void chip_reset(struct dev_pic_chip *c)
{
	u8 elcr = c->elcr; /* the ELCR is not part of the 8259 */
	*c = (struct dev_pic_chip){ .elcr = elcr, .restate = 0xFF }; /* every input forgotten */
}

/* Priority of the highest set bit of mask, counted from priority_add (0 = highest), or 8. */
static unsigned priority(const struct dev_pic_chip *c, u8 mask)
{
	if (!mask)
		return PIC_NO_IRQ;
	unsigned p = 0;
	while (!(mask & (1u << ((p + c->priority_add) & 7))))
		p++;
	return p;
}

/* The IR this chip would raise INT for, or -1: an unmasked request of higher priority than
 * everything in service (special mask mode: masked in-service levels do not count; special
 * fully nested mode: the cascade input may nest on itself). */
static int chip_request(const struct dev_pic_chip *c, bool master)
{
	unsigned p = priority(c, c->irr & ~c->imr);
	if (p == PIC_NO_IRQ)
		return -1;
	u8 in_service = c->isr;
	if (c->special_mask)
		in_service &= ~c->imr;
	if (master && c->special_nested)
		in_service &= ~(1u << PIC_CASCADE_IRQ);
	if (p >= priority(c, in_service))
		return -1;
	return (int)((p + c->priority_add) & 7);
}

static void chip_set_input(struct dev_pic_chip *c, unsigned ir, bool level)
{
	u8 m = (u8)(1u << ir);
	if (c->elcr & m) {
		if (level)
			c->irr |= m;
		else
			c->irr &= ~m;
	} else if (level && !(c->last_level & m)) {
		c->irr |= m;
	}
	if (level)
		c->last_level |= m;
	else
		c->last_level &= ~m;
}

/* The slave's INT drives the master's IR2 and is held until the INTA that takes it, so the
 * master's request follows it as a level: a slave request that goes away before being taken
 * leaves no stale request on the master (data sheet: an IR input must stay high until the
 * first INTA). */
static void update_cascade(struct dev_pic *p)
{
	u8 m = 1u << PIC_CASCADE_IRQ;
	if (chip_request(&p->chip[1], false) >= 0)
		p->chip[0].irr |= m;
	else
		p->chip[0].irr &= (u8)~m;
}

void dev_pic_set_irq(struct vm *vm, unsigned irq, bool level)
{
	struct dev_pic *p = pic(vm);
	if (irq >= PIC_IRQS)
		return;
	/* A device re-stating its line (the UART does on every access) leaves the PIC as it is:
	 * the cascade already follows the slave (every change below updates it). */
	if (dev_pic_input_settled(p, irq, level))
		return;
	chip_set_input(&p->chip[irq / 8], irq % 8, level);
	update_cascade(p);
	dev_intr_changed(vm);
}

void dev_pic_pulse_irq(struct vm *vm, unsigned irq)
{
	dev_pic_set_irq(vm, irq, true);
	dev_pic_set_irq(vm, irq, false);
}

bool dev_pic_output(struct vm *vm)
{
	return chip_request(&pic(vm)->chip[0], true) >= 0;
}

/* INTA on one chip: the request goes in service (unless AEOI), an edge request is consumed. */
static void chip_ack(struct dev_pic_chip *c, unsigned ir)
{
	u8 m = (u8)(1u << ir);
	if (c->auto_eoi) {
		if (c->rotate_on_aeoi)
			c->priority_add = (u8)((ir + 1) & 7);
	} else {
		c->isr |= m;
	}
	if (!(c->elcr & m))
		c->irr &= ~m;
}

u8 dev_pic_inta(struct vm *vm)
{
	struct dev_pic *p = pic(vm);
	int ir = chip_request(&p->chip[0], true);
	u8 vector;
	if (ir < 0) {
		vector = p->chip[0].base + PIC_SPURIOUS_IRQ;
	} else {
		chip_ack(&p->chip[0], (unsigned)ir);
		if (ir == PIC_CASCADE_IRQ) {
			int sir = chip_request(&p->chip[1], false);
			if (sir < 0) {
				vector = p->chip[1].base + PIC_SPURIOUS_IRQ;
			} else {
				chip_ack(&p->chip[1], (unsigned)sir);
				vector = p->chip[1].base + (u8)sir;
			}
		} else {
			vector = p->chip[0].base + (u8)ir;
		}
	}
	update_cascade(p);
	dev_intr_changed(vm);
	return vector;
}

/* Poll command (OCW3 P): the highest request, acknowledged, as 0x80 | IR, or 0. */
static u8 chip_poll(struct dev_pic *p, unsigned idx)
{
	struct dev_pic_chip *c = &p->chip[idx];
	c->poll = false;
	int ir = chip_request(c, idx == 0);
	if (ir < 0)
		return 0;
	chip_ack(c, (unsigned)ir);
	update_cascade(p);
	return (u8)(PIC_POLL_VALID | ir);
}

static void ocw2(struct dev_pic_chip *c, u8 b)
{
	unsigned ir = b & 7;
	switch (b >> 5) {
	case OCW2_ROTATE_AEOI_CLEAR: c->rotate_on_aeoi = false; break;
	case OCW2_ROTATE_AEOI_SET: c->rotate_on_aeoi = true; break;
	case OCW2_EOI:
	case OCW2_ROTATE_EOI: {
		unsigned p = priority(c, c->isr);
		if (p == PIC_NO_IRQ)
			break;
		unsigned served = (p + c->priority_add) & 7;
		c->isr &= (u8)~(1u << served);
		if ((b >> 5) == OCW2_ROTATE_EOI)
			c->priority_add = (u8)((served + 1) & 7);
		break;
	}
	case OCW2_SPECIFIC_EOI: c->isr &= (u8)~(1u << ir); break;
	case OCW2_ROTATE_SPECIFIC_EOI:
		c->isr &= (u8)~(1u << ir);
		c->priority_add = (u8)((ir + 1) & 7);
		break;
	case OCW2_SET_PRIORITY: c->priority_add = (u8)((ir + 1) & 7); break;
	default: break;
	}
}

static void write_command(struct dev_pic_chip *c, u8 b)
{
	if (b & PIC_ICW1) {
		/* ICW1 resets the chip: IMR and ISR cleared, edge sense reset, IR7 lowest priority,
		 * status read set to IRR (8259A data sheet); ICW2, then ICW3 unless SNGL, then ICW4
		 * only with IC4 follow. */
		chip_reset(c);
		c->single = b & PIC_ICW1_SNGL;
		c->icw4_needed = b & PIC_ICW1_IC4;
		c->icw_step = 2;
		return;
	}
	if (b & PIC_OCW3) {
		if (b & PIC_OCW3_POLL)
			c->poll = true;
		if (b & PIC_OCW3_RR)
			c->read_isr = b & PIC_OCW3_RIS;
		if (b & PIC_OCW3_ESMM)
			c->special_mask = b & PIC_OCW3_SMM;
		return;
	}
	ocw2(c, b);
}

static void write_data(struct dev_pic_chip *c, u8 b)
{
	switch (c->icw_step) {
	case 2:
		c->base = b & 0xF8;
		c->icw_step = c->single ? (c->icw4_needed ? 4 : 0) : 3;
		return;
	case 3:
		c->icw_step = c->icw4_needed ? 4 : 0; /* cascade wiring is fixed on a PC */
		return;
	case 4:
		c->auto_eoi = b & PIC_ICW4_AEOI;
		c->special_nested = b & PIC_ICW4_SFNM;
		c->icw_step = 0;
		return;
	default:
		c->imr = b; /* OCW1 */
		return;
	}
}

bool dev_pic_io(struct vm *vm, u16 port, unsigned size, bool in, u32 *val)
{
	(void)size;
	struct dev_pic *p = pic(vm);
	unsigned idx = port >= 0xA0;
	struct dev_pic_chip *c = &p->chip[idx];
	bool data = port & 1;
	if (in) {
		if (c->poll) {
			*val = chip_poll(p, idx);
			dev_intr_changed(vm); /* the poll acknowledged a request */
		} else {
			*val = data ? c->imr : c->read_isr ? c->isr : c->irr;
		}
		return true;
	}
	if (data)
		write_data(c, (u8)*val);
	else
		write_command(c, (u8)*val);
	update_cascade(p);
	dev_intr_changed(vm); /* IMR, EOI, priority, initialisation */
	return true;
}

bool dev_elcr_io(struct vm *vm, u16 port, unsigned size, bool in, u32 *val)
{
	(void)size;
	unsigned idx = port & 1;
	struct dev_pic_chip *c = &pic(vm)->chip[idx];
	if (in) {
		*val = c->elcr;
	} else {
		c->elcr = (u8)*val & (idx ? ELCR_SLAVE_WRITABLE : ELCR_MASTER_WRITABLE);
		c->restate = 0xFF; /* an input's request may now follow its line, or no longer */
	}
	return true;
}
