/* Civil dates (proleptic Gregorian, UTC) to and from seconds since 1970-01-01. */
#ifndef LIB_DATE_H
#define LIB_DATE_H

#include "lib/types.h"

struct date_time {
	unsigned year, month, day; /* month 1-12, day 1-31 */
	unsigned hour, minute, second;
	unsigned weekday; /* 1 = Sunday .. 7 = Saturday (the MC146818 convention) */
};

u64 date_to_epoch(const struct date_time *t);
void date_from_epoch(u64 seconds, struct date_time *t);

#endif
