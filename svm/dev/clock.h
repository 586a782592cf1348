/* The time base of every timer device: the host TSC and its rate. The run loop sets the real
 * source (RDTSC and sevisor's calibration); unit tests set a clock they move by hand. */
#ifndef SVM_DEV_CLOCK_H
#define SVM_DEV_CLOCK_H

#include "lib/types.h"

void dev_clock_set(u64 (*now)(void), u64 hz);
/* Host TSC now (0 before a source is set). */
u64 dev_clock_now(void);
/* Host TSC ticks per second (1 GHz before a source is set). */
u64 dev_clock_hz(void);
/* a * mul / div without overflow for the ranges timers use (a < 2^63, mul and div < 2^32). */
u64 dev_clock_scale(u64 a, u64 mul, u64 div);

#endif
