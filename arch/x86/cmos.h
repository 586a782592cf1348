/* The host RTC's time (seconds since 1970, UTC as the RTC keeps it), 0 if unreadable. */
#ifndef ARCH_X86_CMOS_H
#define ARCH_X86_CMOS_H

#include "lib/types.h"

u64 host_rtc_epoch(void);

#endif
