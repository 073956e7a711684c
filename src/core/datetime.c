/* datetime: civil dates and times, day numbers, RFC 3339 parsing and formatting. */
#include <stdio.h>
#include <string.h>

#include "hotline/datetime.h"

/* Day numbers are clamped to this magnitude so that years stay far inside int. */
#define DAYS_LIMIT INT64_C(700000000000)
/* Years accepted by the parsers. */
#define YEAR_MIN 1900
#define YEAR_MAX 9999

/* Floor division of a by a positive b. */
static int64_t
floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;

    if ((a % b) != 0 && (a < 0))
        q--;
    return q;
}

/* Non-negative remainder of a by a positive b. */
static int64_t
floor_mod(int64_t a, int64_t b)
{
    int64_t r = a % b;

    return r < 0 ? r + b : r;
}

/* a + b, saturating at the int64 limits. */
static int64_t
sat_add(int64_t a, int64_t b)
{
    if (b > 0 && a > INT64_MAX - b)
        return INT64_MAX;
    if (b < 0 && a < INT64_MIN - b)
        return INT64_MIN;
    return a + b;
}

/* True for leap years of the proleptic Gregorian calendar. */
static bool
is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days in a month (1-12) of a year. */
static int
month_days(int64_t year, int month)
{
    static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

    if (month == 2 && is_leap(year))
        return 29;
    return days[month - 1];
}

/* Days since 1970-01-01 of a date; months outside 1-12 and days outside the month roll over. */
int64_t
datetime_days_from_civil(int year, int month, int day)
{
    int64_t y = year;
    int64_t m = month;
    int64_t era, yoe, doy, doe;

    /* Normalise the month into 1..12 (Hinnant's formula needs it). */
    y += floor_div(m - 1, 12);
    m = floor_mod(m - 1, 12) + 1;
    y -= m <= 2;
    era = floor_div(y, 400);
    yoe = y - era * 400;
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468 + ((int64_t)day - 1);
}

/* Civil date of a day number (clamped far outside int years). */
void
datetime_civil_from_days(int64_t days, int *year, int *month, int *day)
{
    int64_t z, era, doe, yoe, y, doy, mp, d, m;

    if (days > DAYS_LIMIT)
        days = DAYS_LIMIT;
    if (days < -DAYS_LIMIT)
        days = -DAYS_LIMIT;
    z = days + 719468;
    era = floor_div(z, 146097);
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    if (year != NULL)
        *year = (int)(y + (m <= 2));
    if (month != NULL)
        *month = (int)m;
    if (day != NULL)
        *day = (int)d;
}

/* ISO weekday of a day number. */
int
datetime_weekday(int64_t days)
{
    /* 1970-01-01 was a Thursday (ISO 4). */
    return (int)floor_mod(floor_mod(days, 7) + 3, 7) + 1;
}

/* True when year-month-day is a real date. */
bool
datetime_valid_date(int year, int month, int day)
{
    if (month < 1 || month > 12 || day < 1)
        return false;
    return day <= month_days(year, month);
}

/* Parse exactly n ASCII digits at s into *out. */
static bool
digits(const char *s, int n, int *out)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

/* Parse "YYYY-MM-DD" at the start of s (no terminator check) into a checked date. */
static bool
parse_ymd(const char *s, int *y, int *m, int *d)
{
    if (!digits(s, 4, y) || s[4] != '-' || !digits(s + 5, 2, m) || s[7] != '-'
        || !digits(s + 8, 2, d))
        return false;
    if (*y < YEAR_MIN || *y > YEAR_MAX)
        return false;
    return datetime_valid_date(*y, *m, *d);
}

/* Parse exactly "YYYY-MM-DD" (years 1900-9999). */
bool
datetime_parse_date(const char *s, int64_t *days)
{
    int y, m, d;

    if (s == NULL || strnlen(s, 11) != 10 || !parse_ymd(s, &y, &m, &d))
        return false;
    if (days != NULL)
        *days = datetime_days_from_civil(y, m, d);
    return true;
}

/* Format a day number as "YYYY-MM-DD". */
void
datetime_format_date(int64_t days, char *buf, size_t sz)
{
    int y, m, d;

    if (buf == NULL || sz == 0)
        return;
    datetime_civil_from_days(days, &y, &m, &d);
    snprintf(buf, sz, "%04d-%02d-%02d", y, m, d);
}

/* Parse an RFC 3339 time with offset (years 1900-9999). */
bool
datetime_parse_rfc3339(const char *s, hl_time *t, int *offset)
{
    int y, mo, d, h, mi, sec, oh, om;
    int off = 0;
    const char *p;

    if (s == NULL || strnlen(s, 64) >= 64)
        return false;
    if (strnlen(s, 19) < 19 || !parse_ymd(s, &y, &mo, &d))
        return false;
    if (s[10] != 'T' && s[10] != 't')
        return false;
    if (!digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':'
        || !digits(s + 17, 2, &sec))
        return false;
    if (h > 23 || mi > 59 || sec > 59)
        return false;
    p = s + 19;
    if (*p == '.') {
        int n = 0;

        p++;
        while (*p >= '0' && *p <= '9' && n < 10) {
            p++;
            n++;
        }
        if (n == 0 || n > 9)
            return false;
    }
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om))
            return false;
        if (oh > 23 || om > 59)
            return false;
        off = (oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
        p += 6;
    } else {
        return false;
    }
    if (*p != '\0')
        return false;
    if (t != NULL)
        *t = datetime_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off;
    if (offset != NULL)
        *offset = off;
    return true;
}

/* Format an instant at a fixed offset as RFC 3339. */
void
datetime_format_rfc3339(hl_time t, int offset, char *buf, size_t sz)
{
    struct civil_time c;
    int off, a;

    if (buf == NULL || sz == 0)
        return;
    /* RFC 3339 offsets have whole minutes: drop the seconds of odd historic
     * offsets (local mean time) and show the instant at the rounded offset. */
    off = offset - offset % 60;
    if (off > 99 * 3600 || off < -99 * 3600)
        off = 0;
    datetime_civil_at_offset(t, off, &c);
    if (off == 0) {
        snprintf(buf, sz, "%04d-%02d-%02dT%02d:%02d:%02dZ", c.year, c.month, c.day, c.hour,
                 c.minute, c.second);
        return;
    }
    a = off < 0 ? -off : off;
    snprintf(buf, sz, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", c.year, c.month, c.day,
             c.hour, c.minute, c.second, off < 0 ? '-' : '+', a / 3600, a % 3600 / 60);
}

/* Split an instant into civil fields at a fixed offset. */
void
datetime_civil_at_offset(hl_time t, int offset, struct civil_time *out)
{
    int64_t local = sat_add(t, offset);
    int64_t days = floor_div(local, 86400);
    int64_t secs = floor_mod(local, 86400);

    if (out == NULL)
        return;
    datetime_civil_from_days(days, &out->year, &out->month, &out->day);
    out->hour = (int)(secs / 3600);
    out->minute = (int)(secs % 3600 / 60);
    out->second = (int)(secs % 60);
    out->weekday = datetime_weekday(days);
    out->offset = offset;
}
