/* The RFLAGS bits sevisor reads or sets in a guest's RFLAGS (APM vol. 2, 3.1.6 "RFLAGS
 * Register"; APM vol. 1, 3.1.6 for the status flags): one definition for the emulator, the
 * event injection, the stepping and the soft-es model. */
#ifndef ARCH_X86_RFLAGS_H
#define ARCH_X86_RFLAGS_H

#include "lib/types.h"

#define RFLAGS_CF BIT(0)  /* carry */
#define RFLAGS_PF BIT(2)  /* parity */
#define RFLAGS_AF BIT(4)  /* auxiliary carry */
#define RFLAGS_ZF BIT(6)  /* zero */
#define RFLAGS_SF BIT(7)  /* sign */
#define RFLAGS_TF BIT(8)  /* trap: single-step #DB after the next instruction */
#define RFLAGS_IF BIT(9)  /* maskable interrupts enabled */
#define RFLAGS_DF BIT(10) /* string direction */
#define RFLAGS_OF BIT(11) /* overflow */
#define RFLAGS_NT BIT(14) /* nested task */
#define RFLAGS_RF BIT(16) /* resume */
#define RFLAGS_VM BIT(17) /* virtual-8086 mode */
#define RFLAGS_AC BIT(18) /* alignment check (SMAP override) */

#endif
