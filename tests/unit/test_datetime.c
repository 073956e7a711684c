/* Tests of datetime (civil dates, RFC 3339) and tz (TZif zones, POSIX TZ rules). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hotline/datetime.h"
#include "hotline/tz.h"
#include "hotline/util.h"

/* A zone from the system's zoneinfo; the test fails loudly when tzdata is missing. */
static struct tz *
must_load(const char *name)
{
    struct err e;
    struct tz *tz = tz_load(name, &e);

    if (tz == NULL)
        fail_msg("cannot load %s (is tzdata installed?): %s", name, e.msg);
    return tz;
}

/* Format an instant in a zone into a static-free buffer and compare. */
static void
assert_zone_time(const struct tz *tz, hl_time t, const char *want)
{
    char buf[32];

    tz_format_rfc3339(tz, t, buf, sizeof buf);
    assert_string_equal(buf, want);
}

/* Day numbers of known dates. */
static void
test_days_from_civil(void **state)
{
    (void)state;
    assert_int_equal(datetime_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(datetime_days_from_civil(1969, 12, 31), -1);
    assert_int_equal(datetime_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(datetime_days_from_civil(2026, 2, 13), 20497);
    assert_int_equal(datetime_days_from_civil(1900, 1, 1), -25567);
    assert_int_equal(datetime_days_from_civil(9999, 12, 31), 2932896);
    /* Out-of-range months and days roll over. */
    assert_int_equal(datetime_days_from_civil(2026, 13, 1), datetime_days_from_civil(2027, 1, 1));
    assert_int_equal(datetime_days_from_civil(2026, 0, 31), datetime_days_from_civil(2025, 12, 31));
    assert_int_equal(datetime_days_from_civil(2026, 2, 29), datetime_days_from_civil(2026, 3, 1));
    assert_int_equal(datetime_days_from_civil(2026, 3, 0), datetime_days_from_civil(2026, 2, 28));
}

/* Every day from 1900 to 2100 round-trips and follows its predecessor. */
static void
test_civil_round_trip(void **state)
{
    int64_t first = datetime_days_from_civil(1900, 1, 1);
    int64_t last = datetime_days_from_civil(2100, 12, 31);
    int py = 1899, pm = 12, pd = 31;

    (void)state;
    for (int64_t d = first; d <= last; d++) {
        int y, m, dd;

        datetime_civil_from_days(d, &y, &m, &dd);
        assert_true(datetime_valid_date(y, m, dd));
        assert_int_equal(datetime_days_from_civil(y, m, dd), d);
        if (dd == 1)
            assert_true(m == pm + 1 || (m == 1 && pm == 12 && y == py + 1));
        else
            assert_true(dd == pd + 1 && m == pm && y == py);
        py = y;
        pm = m;
        pd = dd;
    }
    {
        int y, m, dd;

        datetime_civil_from_days(-719468, &y, &m, &dd);   /* 0000-03-01 */
        assert_int_equal(y, 0);
        assert_int_equal(m, 3);
        assert_int_equal(dd, 1);
        /* Absurd day numbers are clamped, not undefined. */
        datetime_civil_from_days(INT64_MAX, &y, &m, &dd);
        datetime_civil_from_days(INT64_MIN, &y, &m, &dd);
    }
}

/* ISO weekdays. */
static void
test_weekday(void **state)
{
    (void)state;
    assert_int_equal(datetime_weekday(0), 4);          /* 1970-01-01 Thursday */
    assert_int_equal(datetime_weekday(-1), 3);         /* 1969-12-31 Wednesday */
    assert_int_equal(datetime_weekday(-7), 4);
    assert_int_equal(datetime_weekday(datetime_days_from_civil(2026, 2, 13)), 5);
    assert_int_equal(datetime_weekday(datetime_days_from_civil(2026, 2, 14)), 6);
    assert_int_equal(datetime_weekday(datetime_days_from_civil(2026, 2, 15)), 7);
    assert_int_equal(datetime_weekday(datetime_days_from_civil(2026, 2, 16)), 1);
    assert_int_equal(datetime_weekday(datetime_days_from_civil(1900, 1, 1)), 1);
    assert_int_equal(datetime_weekday(INT64_MIN), datetime_weekday(INT64_MIN));
}

/* Real and unreal dates. */
static void
test_valid_date(void **state)
{
    (void)state;
    assert_true(datetime_valid_date(2024, 2, 29));
    assert_true(datetime_valid_date(2000, 2, 29));
    assert_false(datetime_valid_date(2025, 2, 29));
    assert_false(datetime_valid_date(1900, 2, 29));
    assert_false(datetime_valid_date(2026, 2, 30));
    assert_false(datetime_valid_date(2026, 4, 31));
    assert_true(datetime_valid_date(2026, 12, 31));
    assert_false(datetime_valid_date(2026, 0, 1));
    assert_false(datetime_valid_date(2026, 13, 1));
    assert_false(datetime_valid_date(2026, 1, 0));
    assert_false(datetime_valid_date(2026, 1, -1));
}

/* Strict YYYY-MM-DD. */
static void
test_parse_date(void **state)
{
    static const char *const bad[] = {
        "", "2026-2-13", "2026-02-13 ", " 2026-02-13", "2026-02-30", "2025-02-29",
        "20260213", "2026/02/13", "2026-02-1a", "+026-02-13", "1899-12-31", "2026-13-01",
        "2026-00-10", "2026-01-00", "2026-02-13T00:00:00Z", "２０２６-02-13",
    };
    int64_t d = 42;

    (void)state;
    assert_true(datetime_parse_date("2026-02-13", &d));
    assert_int_equal(d, 20497);
    assert_true(datetime_parse_date("2024-02-29", &d));
    assert_int_equal(d, datetime_days_from_civil(2024, 2, 29));
    assert_true(datetime_parse_date("1900-01-01", &d));
    assert_int_equal(d, -25567);
    assert_true(datetime_parse_date("9999-12-31", &d));
    assert_true(datetime_parse_date("2026-02-13", NULL));
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        d = 42;
        if (datetime_parse_date(bad[i], &d))
            fail_msg("accepted \"%s\"", bad[i]);
        assert_int_equal(d, 42);
    }
    assert_false(datetime_parse_date(NULL, &d));
}

/* YYYY-MM-DD output, including a buffer too small. */
static void
test_format_date(void **state)
{
    char buf[11], small[5];

    (void)state;
    datetime_format_date(20497, buf, sizeof buf);
    assert_string_equal(buf, "2026-02-13");
    datetime_format_date(-25567, buf, sizeof buf);
    assert_string_equal(buf, "1900-01-01");
    datetime_format_date(-1, buf, sizeof buf);
    assert_string_equal(buf, "1969-12-31");
    datetime_format_date(20497, small, sizeof small);
    assert_string_equal(small, "2026");
    datetime_format_date(20497, NULL, 0);
}

/* RFC 3339 that must parse, with the instant and offset it means. */
static void
test_parse_rfc3339_good(void **state)
{
    static const struct {
        const char *s;
        hl_time t;
        int off;
    } good[] = {
        { "2026-02-13T10:00:00+08:00", 1770948000, 28800 },
        { "2026-02-13T02:00:00Z", 1770948000, 0 },
        { "2026-02-13t02:00:00z", 1770948000, 0 },
        { "2026-02-13T02:00:00.5Z", 1770948000, 0 },
        { "2026-02-13T02:00:00.123456789Z", 1770948000, 0 },
        { "2026-02-12T21:00:00-05:00", 1770948000, -18000 },
        { "2026-02-13T07:30:00+05:30", 1770948000, 19800 },
        { "2026-02-13T02:00:00+00:00", 1770948000, 0 },
        { "2026-02-13T02:00:00-00:00", 1770948000, 0 },
        { "2024-02-29T23:59:59+08:00", 1709222399, 28800 },
        { "1970-01-01T00:00:00Z", 0, 0 },
        { "1900-01-01T00:00:00Z", -2208988800LL, 0 },
        { "9999-12-31T23:59:59Z", 253402300799LL, 0 },
        { "2026-02-13T10:00:00+23:59", 1770948000 - 15 * 3600 - 59 * 60, 86340 },
    };

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
        hl_time t = -1;
        int off = -1;

        if (!datetime_parse_rfc3339(good[i].s, &t, &off))
            fail_msg("rejected \"%s\"", good[i].s);
        assert_int_equal(t, good[i].t);
        assert_int_equal(off, good[i].off);
    }
    {
        hl_time t = 0;

        assert_true(datetime_parse_rfc3339("2026-02-13T10:00:00+08:00", &t, NULL));
        assert_int_equal(t, 1770948000);
    }
}

/* RFC 3339 that must be refused. */
static void
test_parse_rfc3339_bad(void **state)
{
    static const char *const bad[] = {
        "",
        "2026-02-13",
        "2026-02-13T10:00:00",              /* no offset */
        "2026-02-13 10:00:00+08:00",        /* space instead of T */
        "2026-02-30T10:00:00+08:00",        /* no such day */
        "2025-02-29T10:00:00Z",
        "2026-13-01T10:00:00Z",
        "2026-02-13T24:00:00Z",
        "2026-02-13T10:60:00Z",
        "2026-02-13T10:00:60Z",
        "2026-02-13T1:00:00Z",
        "2026-02-13T10:00Z",
        "2026-02-13T10:00:00+08",
        "2026-02-13T10:00:00+0800",
        "2026-02-13T10:00:00+24:00",
        "2026-02-13T10:00:00+08:60",
        "2026-02-13T10:00:00+8:00",
        "2026-02-13T10:00:00ZZ",
        "2026-02-13T10:00:00Z ",
        "2026-02-13T10:00:00+08:00x",
        "2026-02-13T10:00:00.Z",
        "2026-02-13T10:00:00.1234567890Z",
        "2026-02-13T10:00:00,5Z",
        "1899-12-31T23:59:59Z",
        "10000-01-01T00:00:00Z",
        "0000-01-01T00:00:00Z",
        "2026-02-13X10:00:00Z",
        "-2026-02-13T10:00:00Z",
        "2026-02-13T10:00:00UTC",
    };

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        hl_time t = 77;
        int off = 77;

        if (datetime_parse_rfc3339(bad[i], &t, &off))
            fail_msg("accepted \"%s\"", bad[i]);
        assert_int_equal(t, 77);
        assert_int_equal(off, 77);
    }
    assert_false(datetime_parse_rfc3339(NULL, NULL, NULL));
}

/* RFC 3339 output at fixed offsets. */
static void
test_format_rfc3339(void **state)
{
    char buf[26], small[8];

    (void)state;
    datetime_format_rfc3339(1770948000, 28800, buf, sizeof buf);
    assert_string_equal(buf, "2026-02-13T10:00:00+08:00");
    datetime_format_rfc3339(1770948000, 0, buf, sizeof buf);
    assert_string_equal(buf, "2026-02-13T02:00:00Z");
    datetime_format_rfc3339(1770948000, -18000, buf, sizeof buf);
    assert_string_equal(buf, "2026-02-12T21:00:00-05:00");
    datetime_format_rfc3339(1770948000, -12600, buf, sizeof buf);
    assert_string_equal(buf, "2026-02-12T22:30:00-03:30");
    datetime_format_rfc3339(-1, 0, buf, sizeof buf);
    assert_string_equal(buf, "1969-12-31T23:59:59Z");
    /* Local mean time +08:05:43 is shown at +08:05, still the same instant. */
    datetime_format_rfc3339(0, 29143, buf, sizeof buf);
    assert_string_equal(buf, "1970-01-01T08:05:00+08:05");
    datetime_format_rfc3339(1770948000, 28800, small, sizeof small);
    assert_string_equal(small, "2026-02");
    /* Parse(format(t)) is t. */
    for (hl_time t = -2208988800LL; t < 4102444800LL; t += 86400 * 37 + 3671) {
        hl_time back = 0;

        datetime_format_rfc3339(t, 28800, buf, sizeof buf);
        assert_true(datetime_parse_rfc3339(buf, &back, NULL));
        assert_int_equal(back, t);
    }
}

/* Civil fields of an instant. */
static void
test_civil_at_offset(void **state)
{
    struct civil_time c;

    (void)state;
    datetime_civil_at_offset(1770948000, 28800, &c);
    assert_int_equal(c.year, 2026);
    assert_int_equal(c.month, 2);
    assert_int_equal(c.day, 13);
    assert_int_equal(c.hour, 10);
    assert_int_equal(c.minute, 0);
    assert_int_equal(c.second, 0);
    assert_int_equal(c.weekday, 5);
    assert_int_equal(c.offset, 28800);
    /* 2026-02-13T20:00:00Z is already Saturday in Shanghai. */
    datetime_civil_at_offset(1771012800, 28800, &c);
    assert_int_equal(c.day, 14);
    assert_int_equal(c.hour, 4);
    assert_int_equal(c.weekday, 6);
    datetime_civil_at_offset(-1, 0, &c);
    assert_int_equal(c.year, 1969);
    assert_int_equal(c.hour, 23);
    assert_int_equal(c.second, 59);
    assert_int_equal(c.weekday, 3);
    datetime_civil_at_offset(INT64_MAX, 93599, &c);   /* saturates, no overflow */
}

/* Asia/Shanghai: +08:00 now, and summer time between 1986 and 1991. */
static void
test_tz_shanghai(void **state)
{
    struct tz *tz = must_load("Asia/Shanghai");
    struct civil_time c;

    (void)state;
    assert_string_equal(tz_name(tz), "Asia/Shanghai");
    assert_int_equal(tz_offset_at(tz, 1770948000), 28800);
    assert_zone_time(tz, 1770948000, "2026-02-13T10:00:00+08:00");
    /* 1988 summer: CDT +09:00 from 1988-04-17 02:00 local (1988-04-16T18:00Z). */
    assert_int_equal(tz_offset_at(tz, 583718400), 32400);             /* 1988-07-01T00:00Z */
    assert_zone_time(tz, 583718400, "1988-07-01T09:00:00+09:00");
    assert_int_equal(tz_offset_at(tz, 567993600), 28800);             /* 1988-01-01T00:00Z */
    assert_int_equal(tz_offset_at(tz, 577216800), 32400);             /* the switch itself */
    assert_int_equal(tz_offset_at(tz, 577216799), 28800);
    assert_int_equal(tz_offset_at(tz, 684806400), 32400);             /* 1991-09-14T00:00Z */
    /* Past the last transition the footer "CST-8" rules. */
    assert_int_equal(tz_offset_at(tz, 4102444800LL), 28800);          /* 2100 */
    assert_int_equal(tz_offset_at(tz, INT64_MAX), 28800);
    /* Before the first transition: local mean time +08:05:43. */
    assert_int_equal(tz_offset_at(tz, -5364662400LL), 29143);
    tz_to_civil(tz, 1771012800, &c);
    assert_int_equal(c.day, 14);
    assert_int_equal(c.hour, 4);
    assert_int_equal(c.weekday, 6);
    assert_int_equal(c.offset, 28800);
    assert_int_equal(tz_from_civil(tz, 2026, 2, 24, 23, 59, 59), 1771948799);
    assert_int_equal(tz_from_civil(tz, 1988, 7, 1, 9, 0, 0), 583718400);
    /* The 1988 spring gap 02:00-03:00 local: 02:30 moves to 03:30 CDT. */
    assert_zone_time(tz, tz_from_civil(tz, 1988, 4, 17, 2, 30, 0), "1988-04-17T03:30:00+09:00");
    tz_free(&tz);
    assert_null(tz);
    tz_free(&tz);
    tz_free(NULL);
}

/* America/New_York across the 2026 spring gap and autumn overlap, and past 2037. */
static void
test_tz_new_york(void **state)
{
    struct tz *tz = must_load("America/New_York");

    (void)state;
    assert_int_equal(tz_offset_at(tz, 1772953199), -18000);   /* 2026-03-08 01:59:59 EST */
    assert_int_equal(tz_offset_at(tz, 1772953200), -14400);   /* 03:00:00 EDT */
    assert_int_equal(tz_offset_at(tz, 1793512799), -14400);   /* 2026-11-01 01:59:59 EDT */
    assert_int_equal(tz_offset_at(tz, 1793512800), -18000);   /* 01:00:00 EST */
    /* Gap: 02:30 does not exist and moves forward to 03:30 EDT. */
    assert_int_equal(tz_from_civil(tz, 2026, 3, 8, 2, 30, 0), 1772955000);
    assert_zone_time(tz, 1772955000, "2026-03-08T03:30:00-04:00");
    assert_int_equal(tz_from_civil(tz, 2026, 3, 8, 3, 0, 0), 1772953200);
    assert_int_equal(tz_from_civil(tz, 2026, 3, 8, 1, 59, 59), 1772953199);
    /* Overlap: 01:30 happens twice; the earlier (EDT) instant is taken. */
    assert_int_equal(tz_from_civil(tz, 2026, 11, 1, 1, 30, 0), 1793511000);
    assert_zone_time(tz, 1793511000, "2026-11-01T01:30:00-04:00");
    assert_zone_time(tz, 1793511000 + 3600, "2026-11-01T01:30:00-05:00");
    assert_int_equal(tz_from_civil(tz, 2026, 7, 1, 12, 0, 0), 1782921600);
    assert_int_equal(tz_from_civil(tz, 2026, 11, 1, 2, 0, 0), 1793516400);
    /* 2100 is past the file's transitions: the footer rule EST5EDT,M3.2.0,M11.1.0 decides. */
    assert_int_equal(tz_offset_at(tz, 4108690799LL), -18000);
    assert_int_equal(tz_offset_at(tz, 4108690800LL), -14400);
    assert_int_equal(tz_offset_at(tz, 2224713600LL), -14400);  /* 2040-07-01 */
    assert_int_equal(tz_offset_at(tz, 2210198400LL), -18000);  /* 2040-01-15 */
    assert_zone_time(tz, 2224713600LL, "2040-06-30T20:00:00-04:00");
    tz_free(&tz);
}

/* Australia/Sydney: a southern-hemisphere rule past 2037. */
static void
test_tz_sydney(void **state)
{
    struct tz *tz = must_load("Australia/Sydney");

    (void)state;
    assert_int_equal(tz_offset_at(tz, 2208988800LL), 39600);   /* 2040-01-01 AEDT */
    assert_int_equal(tz_offset_at(tz, 2224713600LL), 36000);   /* 2040-07-01 AEST */
    /* DST ends 2040-04-01 03:00 AEDT = 2040-03-31T16:00Z. */
    assert_int_equal(tz_offset_at(tz, 2216822399LL), 39600);
    assert_int_equal(tz_offset_at(tz, 2216822400LL), 36000);
    tz_free(&tz);
}

/* UTC and fixed zones. */
static void
test_tz_utc_fixed(void **state)
{
    struct tz *utc = must_load("UTC");
    struct tz *ist = tz_fixed("+05:30", 19800);
    struct tz *odd = tz_fixed("huge", 1000000);

    (void)state;
    assert_string_equal(tz_name(utc), "UTC");
    assert_int_equal(tz_offset_at(utc, 1770948000), 0);
    assert_zone_time(utc, 1770948000, "2026-02-13T02:00:00Z");
    assert_int_equal(tz_from_civil(utc, 2026, 2, 13, 2, 0, 0), 1770948000);
    assert_string_equal(tz_name(ist), "+05:30");
    assert_int_equal(tz_offset_at(ist, 0), 19800);
    assert_zone_time(ist, 1770948000, "2026-02-13T07:30:00+05:30");
    assert_int_equal(tz_from_civil(ist, 2026, 2, 13, 7, 30, 0), 1770948000);
    assert_true(tz_offset_at(odd, 0) <= 93599);
    /* A NULL zone is UTC. */
    assert_int_equal(tz_offset_at(NULL, 5), 0);
    assert_string_equal(tz_name(NULL), "UTC");
    tz_free(&utc);
    tz_free(&ist);
    tz_free(&odd);
}

/* Names that must never reach the file system, and names that do not exist. */
static void
test_tz_bad_names(void **state)
{
    static const char *const bad[] = {
        "", "/etc/passwd", "../etc/passwd", "Asia/../../etc/passwd", "Asia/..", "..",
        "Asia/Shang hai", "Asia\\Shanghai", "Asia/Shanghai\n",
    };
    struct err e;
    char longname[400];

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        err_clear(&e);
        if (tz_load(bad[i], &e) != NULL)
            fail_msg("loaded \"%s\"", bad[i]);
        assert_int_equal(e.code, HL_EINVAL);
        assert_non_null(strstr(e.msg, "invalid time zone name"));
    }
    assert_null(tz_load(NULL, &e));
    assert_int_equal(e.code, HL_EINVAL);
    memset(longname, 'A', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    assert_null(tz_load(longname, &e));
    assert_int_equal(e.code, HL_EINVAL);
    assert_null(tz_load("Mars/Olympus_Mons", &e));
    assert_int_equal(e.code, HL_ENOENT);
    assert_non_null(strstr(e.msg, "Mars/Olympus_Mons"));
    /* A directory, not a zone. */
    assert_null(tz_load("Asia", &e));
    assert_int_not_equal(e.code, HL_OK);
    /* A file that is not TZif. */
    assert_null(tz_load("zone.tab", &e));
    assert_int_equal(e.code, HL_EINVAL);
    assert_null(tz_load("Mars/Olympus_Mons", NULL));
}

/* Append a big-endian 32-bit value. */
static void
put32(struct strbuf *sb, int32_t v)
{
    unsigned char b[4] = { (unsigned char)((uint32_t)v >> 24), (unsigned char)((uint32_t)v >> 16),
                           (unsigned char)((uint32_t)v >> 8), (unsigned char)v };

    strbuf_add(sb, (const char *)b, 4);
}

/* Append a TZif header with the given counts. */
static void
put_header(struct strbuf *sb, char version, int timecnt, int typecnt, int charcnt)
{
    strbuf_add(sb, "TZif", 4);
    strbuf_addc(sb, version);
    for (int i = 0; i < 15; i++)
        strbuf_addc(sb, '\0');
    put32(sb, 0);           /* isutcnt */
    put32(sb, 0);           /* isstdcnt */
    put32(sb, 0);           /* leapcnt */
    put32(sb, timecnt);
    put32(sb, typecnt);
    put32(sb, charcnt);
}

/* A version 2 TZif file with one type (offset) and a footer, no transitions. */
static void
make_v2(struct strbuf *sb, int32_t offset, const char *footer)
{
    strbuf_init(sb);
    for (int pass = 0; pass < 2; pass++) {
        put_header(sb, '2', 0, 1, 4);
        put32(sb, offset);
        strbuf_addc(sb, '\0');      /* isdst */
        strbuf_addc(sb, '\0');      /* abbreviation index */
        strbuf_add(sb, "ABC", 4);
    }
    strbuf_addc(sb, '\n');
    strbuf_adds(sb, footer);
    strbuf_addc(sb, '\n');
}

/* Offset a footer rule gives at an instant, via a synthetic TZif file. */
static int
footer_offset(const char *footer, hl_time t)
{
    struct strbuf sb;
    struct err e;
    struct tz *tz;
    int off;

    make_v2(&sb, 0, footer);
    tz = tz_parse("test", (const unsigned char *)sb.buf, sb.len, &e);
    strbuf_fini(&sb);
    if (tz == NULL)
        fail_msg("footer \"%s\" refused: %s", footer, e.msg);
    off = tz_offset_at(tz, t);
    tz_free(&tz);
    return off;
}

/* POSIX TZ strings in the footer: every rule form, and v3 extended hours. */
static void
test_tz_posix_rules(void **state)
{
    static const char *const bad[] = {
        "CST", "CST-8X", "8", "C-8", "EST5EDT,M13.1.0,M11.1.0", "EST5EDT,M3.2.0",
        "EST5EDT,M3.6.0,M11.1.0", "EST5EDT,M3.2.7,M11.1.0", "EST5EDT,J0,J300",
        "EST5EDT,J366,J300", "EST5EDT,366,300", "EST5EDT,M3.2.0/168,M11.1.0",
        "EST25", "<+08-8", "<+0>-8", "EST5EDT,M3.2.0,M11.1.0,", "EST5:7",
    };

    (void)state;
    assert_int_equal(footer_offset("CST-8", 1770948000), 28800);
    assert_int_equal(footer_offset("<+0330>-3:30", 1770948000), 12600);
    assert_int_equal(footer_offset("<-03>3", 1770948000), -10800);
    assert_int_equal(footer_offset("UTC0", 1770948000), 0);
    /* US rules. */
    assert_int_equal(footer_offset("EST5EDT,M3.2.0,M11.1.0", 1772953199), -18000);
    assert_int_equal(footer_offset("EST5EDT,M3.2.0,M11.1.0", 1772953200), -14400);
    assert_int_equal(footer_offset("EST5EDT,M3.2.0,M11.1.0", 1793512799), -14400);
    assert_int_equal(footer_offset("EST5EDT,M3.2.0,M11.1.0", 1793512800), -18000);
    /* No rule given: the US default. */
    assert_int_equal(footer_offset("EST5EDT", 1909094400), -14400);   /* 2030-07-01 */
    assert_int_equal(footer_offset("EST5EDT", 1893456000), -18000);   /* 2030-01-01 */
    /* Explicit DST offset. */
    assert_int_equal(footer_offset("EST5EDT4:30,M3.2.0,M11.1.0", 1909094400), -16200);
    /* Southern hemisphere: DST ends 2030-04-07 03:00 AEDT = 2030-04-06T16:00Z. */
    assert_int_equal(footer_offset("AEST-10AEDT,M10.1.0,M4.1.0/3", 1901721599), 39600);
    assert_int_equal(footer_offset("AEST-10AEDT,M10.1.0,M4.1.0/3", 1901721600), 36000);
    assert_int_equal(footer_offset("AEST-10AEDT,M10.1.0,M4.1.0/3", 1893456000), 39600);
    /* v3: hour 26 (Israel: Thursday 26:00 = Friday 02:00), 2030-03-29T00:00Z. */
    assert_int_equal(footer_offset("IST-2IDT,M3.4.4/26,M10.5.0", 1900972799), 7200);
    assert_int_equal(footer_offset("IST-2IDT,M3.4.4/26,M10.5.0", 1900972800), 10800);
    assert_int_equal(footer_offset("IST-2IDT,M3.4.4/26,M10.5.0", 1919285999), 10800);
    assert_int_equal(footer_offset("IST-2IDT,M3.4.4/26,M10.5.0", 1919286000), 7200);
    /* v3: negative hours; both switches at 01:00Z on the last Sundays of 2030. */
    assert_int_equal(footer_offset("<-03>3<-02>,M3.5.0/-2,M10.5.0/-1", 1901149199), -10800);
    assert_int_equal(footer_offset("<-03>3<-02>,M3.5.0/-2,M10.5.0/-1", 1901149200), -7200);
    assert_int_equal(footer_offset("<-03>3<-02>,M3.5.0/-2,M10.5.0/-1", 1919293199), -7200);
    assert_int_equal(footer_offset("<-03>3<-02>,M3.5.0/-2,M10.5.0/-1", 1919293200), -10800);
    /* Julian day forms in the leap year 2028: J60 is March 1, zero-based 59 is Feb 29. */
    assert_int_equal(footer_offset("EST5EDT,J60/2,J300/2", 1835506799), -18000);
    assert_int_equal(footer_offset("EST5EDT,J60/2,J300/2", 1835506800), -14400);
    assert_int_equal(footer_offset("EST5EDT,J60/2,J300/2", 1856239199), -14400);
    assert_int_equal(footer_offset("EST5EDT,J60/2,J300/2", 1856239200), -18000);
    assert_int_equal(footer_offset("EST5EDT,59/2,299/2", 1835420399), -18000);
    assert_int_equal(footer_offset("EST5EDT,59/2,299/2", 1835420400), -14400);
    /* DST all year. */
    assert_int_equal(footer_offset("XXX3YYY,0/0,J365/25", 1893456000), -7200);
    assert_int_equal(footer_offset("XXX3YYY,0/0,J365/25", 1906502400), -7200);
    assert_int_equal(footer_offset("XXX3YYY,0/0,J365/25", 1924988400), -7200);
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        struct strbuf sb;
        struct err e;
        struct tz *tz;

        make_v2(&sb, 0, bad[i]);
        tz = tz_parse("bad", (const unsigned char *)sb.buf, sb.len, &e);
        strbuf_fini(&sb);
        if (tz != NULL) {
            tz_free(&tz);
            fail_msg("accepted footer \"%s\"", bad[i]);
        }
        assert_int_equal(e.code, HL_EINVAL);
    }
}

/* A version 1 file: 32-bit times, no footer, the last type stays forever. */
static void
test_tz_v1(void **state)
{
    struct strbuf sb;
    struct err e;
    struct tz *tz;

    (void)state;
    strbuf_init(&sb);
    put_header(&sb, '\0', 2, 2, 8);
    put32(&sb, 1000000);
    put32(&sb, 2000000);
    strbuf_addc(&sb, 1);
    strbuf_addc(&sb, 0);
    put32(&sb, 3600);
    strbuf_add(&sb, "\0\0", 2);
    put32(&sb, 7200);
    strbuf_add(&sb, "\1\4", 2);
    strbuf_add(&sb, "AAA\0BBB\0", 8);
    tz = tz_parse("v1", (const unsigned char *)sb.buf, sb.len, &e);
    assert_non_null(tz);
    assert_int_equal(tz_offset_at(tz, 0), 3600);
    assert_int_equal(tz_offset_at(tz, 999999), 3600);
    assert_int_equal(tz_offset_at(tz, 1000000), 7200);
    assert_int_equal(tz_offset_at(tz, 1999999), 7200);
    assert_int_equal(tz_offset_at(tz, 2000000), 3600);
    assert_int_equal(tz_offset_at(tz, 4000000000LL), 3600);
    tz_free(&tz);
    /* The same with times out of order is refused. */
    sb.buf[44] = 0x7f;
    assert_null(tz_parse("v1", (const unsigned char *)sb.buf, sb.len, &e));
    assert_int_equal(e.code, HL_EINVAL);
    strbuf_fini(&sb);
}

/* Truncated and corrupted files give errors, never crashes. */
static void
test_tz_corrupt(void **state)
{
    const char *dir = getenv("TZDIR");
    char *path = xasprintf("%s/Asia/Shanghai", str_empty(dir) ? "/usr/share/zoneinfo" : dir);
    size_t len = 0;
    unsigned char *data = (unsigned char *)file_read_all(path, 1 << 20, &len);
    struct err e;
    struct tz *tz;

    (void)state;
    assert_non_null(data);
    tz = tz_parse("Asia/Shanghai", data, len, &e);
    assert_non_null(tz);
    tz_free(&tz);
    for (size_t n = 0; n < len; n++) {
        tz = tz_parse("cut", data, n, &e);
        if (tz != NULL) {
            tz_free(&tz);
            fail_msg("accepted a file cut at %zu of %zu bytes", n, len);
        }
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char saved = data[i];

        for (int v = 0; v < 256; v += 85) {
            data[i] = (unsigned char)v;
            tz = tz_parse("flip", data, len, &e);
            if (tz != NULL) {
                (void)tz_offset_at(tz, 0);
                (void)tz_offset_at(tz, INT64_MIN);
                (void)tz_offset_at(tz, INT64_MAX);
                (void)tz_from_civil(tz, 2026, 2, 13, 10, 0, 0);
                tz_free(&tz);
            }
        }
        data[i] = saved;
    }
    assert_null(tz_parse("null", NULL, 0, &e));
    assert_null(tz_parse("junk", (const unsigned char *)"TZif2", 5, &e));
    free(data);
    free(path);
}

/* $TZDIR is honoured. */
static void
test_tz_tzdir(void **state)
{
    char dir[] = "/tmp/hotline-tzdir-XXXXXX";
    char *sub, *file;
    struct strbuf sb;
    FILE *f;
    struct err e;
    struct tz *tz;
    char *old = xstrdup(getenv("TZDIR"));

    (void)state;
    assert_non_null(mkdtemp(dir));
    sub = xasprintf("%s/Test", dir);
    file = xasprintf("%s/Test/Plus0545", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    make_v2(&sb, 20700, "<+0545>-5:45");
    f = fopen(file, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(sb.buf, 1, sb.len, f), sb.len);
    fclose(f);
    strbuf_fini(&sb);
    setenv("TZDIR", dir, 1);
    tz = tz_load("Test/Plus0545", &e);
    assert_non_null(tz);
    assert_zone_time(tz, 1770948000, "2026-02-13T07:45:00+05:45");
    tz_free(&tz);
    /* Without zoneinfo files, UTC still works. */
    tz = tz_load("UTC", &e);
    assert_non_null(tz);
    assert_int_equal(tz_offset_at(tz, 1770948000), 0);
    tz_free(&tz);
    assert_null(tz_load("Asia/Shanghai", &e));
    assert_int_equal(e.code, HL_ENOENT);
    if (old != NULL)
        setenv("TZDIR", old, 1);
    else
        unsetenv("TZDIR");
    unlink(file);
    rmdir(sub);
    rmdir(dir);
    free(file);
    free(sub);
    free(old);
}

/* Run the datetime and tz tests. */
int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_days_from_civil),
        cmocka_unit_test(test_civil_round_trip),
        cmocka_unit_test(test_weekday),
        cmocka_unit_test(test_valid_date),
        cmocka_unit_test(test_parse_date),
        cmocka_unit_test(test_format_date),
        cmocka_unit_test(test_parse_rfc3339_good),
        cmocka_unit_test(test_parse_rfc3339_bad),
        cmocka_unit_test(test_format_rfc3339),
        cmocka_unit_test(test_civil_at_offset),
        cmocka_unit_test(test_tz_shanghai),
        cmocka_unit_test(test_tz_new_york),
        cmocka_unit_test(test_tz_sydney),
        cmocka_unit_test(test_tz_utc_fixed),
        cmocka_unit_test(test_tz_bad_names),
        cmocka_unit_test(test_tz_posix_rules),
        cmocka_unit_test(test_tz_v1),
        cmocka_unit_test(test_tz_corrupt),
        cmocka_unit_test(test_tz_tzdir),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
