/* See clock.h. */
#include "svm/dev/clock.h"

#define CLOCK_DEFAULT_HZ 1000000000ULL

static u64 (*clock_now)(void);
static u64 clock_hz = CLOCK_DEFAULT_HZ;

void dev_clock_set(u64 (*now)(void), u64 hz)
{
	clock_now = now;
	clock_hz = hz ? hz : CLOCK_DEFAULT_HZ;
}

u64 dev_clock_now(void)
{
	return clock_now ? clock_now() : 0;
}

u64 dev_clock_hz(void)
{
	return clock_hz;
}

u64 dev_clock_scale(u64 a, u64 mul, u64 div)
{
	if (!div)
		return 0;
	/* Split a into quotient and remainder by div so neither product overflows 64 bits. */
	u64 q = a / div, r = a % div;
	return q * mul + r * mul / div;
}
