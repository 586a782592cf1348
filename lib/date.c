/* See date.h. Days from the civil date with March as the first month of the year, so the leap
 * day is the last day of the year (the well-known days-from-civil arithmetic). */
#include "lib/date.h"

#define SECS_PER_DAY 86400ULL
#define DAYS_PER_ERA 146097ULL /* 400 years */
#define EPOCH_DAYS 719468ULL   /* days from 0000-03-01 to 1970-01-01 */

u64 date_to_epoch(const struct date_time *t)
{
	u64 y = t->year - (t->month <= 2);
	u64 era = y / 400, yoe = y % 400;
	u64 mp = (t->month + 9) % 12; /* March = 0 */
	u64 doy = (153 * mp + 2) / 5 + t->day - 1;
	u64 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	u64 days = era * DAYS_PER_ERA + doe - EPOCH_DAYS;
	return days * SECS_PER_DAY + t->hour * 3600ULL + t->minute * 60ULL + t->second;
}

void date_from_epoch(u64 seconds, struct date_time *t)
{
	u64 days = seconds / SECS_PER_DAY, rem = seconds % SECS_PER_DAY;
	t->hour = (unsigned)(rem / 3600);
	t->minute = (unsigned)(rem / 60 % 60);
	t->second = (unsigned)(rem % 60);
	t->weekday = (unsigned)((days + 4) % 7) + 1; /* 1970-01-01 was a Thursday (5) */
	u64 z = days + EPOCH_DAYS;
	u64 era = z / DAYS_PER_ERA, doe = z % DAYS_PER_ERA;
	u64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	u64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	u64 mp = (5 * doy + 2) / 153;
	t->day = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	t->month = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	t->year = (unsigned)(yoe + era * 400 + (t->month <= 2));
}
