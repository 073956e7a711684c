/* datetime: civil dates and times, day numbers, RFC 3339 parsing and formatting. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An instant: seconds since 1970-01-01T00:00:00Z. 0 means "unset" in the model. */
typedef int64_t hl_time;

/* A civil (wall-clock) date and time in some zone, with that zone's UTC offset. */
struct civil_time {
    int year, month, day;       /* month 1-12, day 1-31 */
    int hour, minute, second;   /* 0-23, 0-59, 0-59 */
    int weekday;                /* 1 = Monday ... 7 = Sunday (ISO) */
    int offset;                 /* seconds east of UTC */
};

/* Days since 1970-01-01 of a proleptic Gregorian date (negative before); a month outside
 * 1-12 or a day outside the month rolls over (2026-13-01 is 2027-01-01). */
int64_t datetime_days_from_civil(int year, int month, int day);
/* Civil date of a day number. */
void datetime_civil_from_days(int64_t days, int *year, int *month, int *day);
/* ISO weekday of a day number: 1 = Monday ... 7 = Sunday. */
int datetime_weekday(int64_t days);
/* True when year-month-day is a real date. */
bool datetime_valid_date(int year, int month, int day);
/* Parse exactly "YYYY-MM-DD" into a day number; false when malformed, not a real date,
 * or outside the years 1900-9999. */
bool datetime_parse_date(const char *s, int64_t *days);
/* Format a day number as "YYYY-MM-DD" (buf at least 11 bytes). */
void datetime_format_date(int64_t days, char *buf, size_t sz);
/* Parse RFC 3339 ("2026-02-13T10:00:00+08:00", "...Z", fractional seconds dropped,
 * 't'/'z' accepted). Returns false when malformed, out of range (years 1900-9999, no leap
 * second 60, offsets up to ±23:59) or followed by anything. offset may be NULL. */
bool datetime_parse_rfc3339(const char *s, hl_time *t, int *offset);
/* Format an instant at a fixed UTC offset as RFC 3339 ("Z" when offset is 0);
 * buf at least 26 bytes. Seconds of an offset (local mean time) are dropped and the
 * time shown at the whole-minute offset, so the string still names the same instant. */
void datetime_format_rfc3339(hl_time t, int offset, char *buf, size_t sz);
/* Civil time of an instant at a fixed UTC offset. */
void datetime_civil_at_offset(hl_time t, int offset, struct civil_time *out);
