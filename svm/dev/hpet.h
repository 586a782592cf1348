/* The HPET at 0xFED00000 as q35 has it (IA-PC HPET specification 1.0a): a 64-bit main counter
 * at 100 MHz, the general configuration and interrupt status, and three timers of which 0 and
 * 1 interrupt in legacy replacement mode (IRQ0 and IRQ8 on the PIC; there is no I/O APIC to
 * route to otherwise). Derived from the host TSC. */
#ifndef SVM_DEV_HPET_H
#define SVM_DEV_HPET_H

#include "lib/types.h"

struct vm;

#define HPET_BASE 0xFED00000ULL
#define HPET_SIZE 0x400
#define HPET_TIMERS 3
#define HPET_HZ 100000000ULL
#define HPET_PERIOD_FS 10000000ULL /* 10 ns */

struct dev_hpet_timer {
	u64 config;
	u64 comparator;
	u64 period;   /* periodic mode: the last value written to the comparator */
	u64 deadline; /* host TSC of the next interrupt, or LAPIC_NO_DEADLINE */
};

struct dev_hpet {
	u64 config;
	u64 isr;
	u64 counter;    /* main counter value at enabled_at (or while halted) */
	u64 enabled_at; /* host TSC when the counter last started */
	struct dev_hpet_timer timer[HPET_TIMERS];
};

void dev_hpet_reset(struct dev_hpet *h);
/* The general capabilities and ID register (for the ACPI HPET table). */
u64 dev_hpet_capabilities(void);
bool dev_hpet_mmio(struct vm *vm, u64 offset, unsigned size, bool write, u64 *val);
u64 dev_hpet_counter(const struct dev_hpet *h, u64 now);
void dev_hpet_tick(struct vm *vm, u64 now);
u64 dev_hpet_next_deadline(const struct dev_hpet *h);

#endif
