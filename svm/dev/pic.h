/* The 8259A programmable interrupt controller pair of a PC (master at 0x20/0x21 with the slave
 * cascaded on its IR2, slave at 0xA0/0xA1) and the edge/level control registers at 0x4D0/0x4D1
 * (Intel 8259A data sheet; PIIX/ICH ELCR). Its INT output reaches the CPU through the local
 * APIC's LINT0 in ExtINT mode (svm/dev/intr.c). */
#ifndef SVM_DEV_PIC_H
#define SVM_DEV_PIC_H

#include "lib/types.h"

struct vm;

#define PIC_IRQS 16
#define PIC_CASCADE_IRQ 2

struct dev_pic_chip {
	u8 irr, isr, imr;
	u8 last_level;   /* input lines as last seen (edge detection) */
	u8 elcr;         /* level-triggered inputs */
	u8 base;         /* ICW2: vector of IR0 */
	u8 priority_add; /* rotation: the IR with the highest priority */
	u8 icw_step;     /* initialisation words still expected: 2 = ICW2, 3 = ICW3, 4 = ICW4 */
	bool icw4_needed, single, auto_eoi, rotate_on_aeoi, special_mask, special_nested;
	bool read_isr, poll;
	/* For the UART (svm/dev/uart.c, dev_pic_restate_due): the inputs whose state the chip
	 * forgot or reads differently since their device last re-stated them here (ICW1 resets the
	 * edge sense and IRR, an ELCR write turns edge into level or back). Set by those two,
	 * cleared by dev_pic_restated; while an input's bit is clear, nothing but its device's own
	 * statements (dev_pic_set_irq) has changed its state in the chip. */
	u8 restate;
};

struct dev_pic {
	struct dev_pic_chip chip[2]; /* master, slave */
};

/* Would a change of input line irq (0-15) to level leave the PIC as it is? The line is at that
 * level already and, if it is level-triggered, the request follows it already (an
 * edge-triggered request stays latched until INTA whatever the line does). Inline, so that a
 * device re-stating its line on every access (the UART) costs a few loads when nothing moves. */
static inline bool dev_pic_input_settled(const struct dev_pic *p, unsigned irq, bool level)
{
	const struct dev_pic_chip *c = &p->chip[irq / 8];
	u8 m = (u8)(1u << (irq % 8));
	u8 want = level ? m : 0; /* the line's bit as the inputs would read at that level */
	return !(((c->last_level ^ want) | (c->elcr & (c->irr ^ want))) & m);
}

/* Has the chip forgotten or reinterpreted input line irq (0-15) since its device last called
 * dev_pic_restated for it (ICW1, an ELCR write)? While not, a device that stated its line
 * (dev_pic_set_irq, or found it settled) and has not changed it since may skip stating it
 * again: dev_pic_input_settled would hold. */
static inline bool dev_pic_restate_due(const struct dev_pic *p, unsigned irq)
{
	return p->chip[irq / 8].restate & (1u << (irq % 8));
}

/* The device has just stated line irq (the chip is settled at its level). */
static inline void dev_pic_restated(struct dev_pic *p, unsigned irq)
{
	p->chip[irq / 8].restate &= (u8)~(1u << (irq % 8));
}

/* An ISA interrupt line (0-15) changes level. Edge-triggered inputs latch a rising edge. */
void dev_pic_set_irq(struct vm *vm, unsigned irq, bool level);
/* A rising and a falling edge: one interrupt on an edge-triggered line. */
void dev_pic_pulse_irq(struct vm *vm, unsigned irq);
/* The master's INT output. */
bool dev_pic_output(struct vm *vm);
/* The INTA cycle: the vector of the highest-priority request (spurious IR7 if none). */
u8 dev_pic_inta(struct vm *vm);

bool dev_pic_io(struct vm *vm, u16 port, unsigned size, bool in, u32 *val);
bool dev_elcr_io(struct vm *vm, u16 port, unsigned size, bool in, u32 *val);

#endif
