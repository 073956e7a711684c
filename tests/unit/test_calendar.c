/* Tests of calendar: the 2024-2026 State Council calendars, working-day arithmetic, deadlines. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hotline/calendar.h"
#include "hotline/util.h"

/* Shared by the tests: the real calendar and two zones. */
struct fixture {
    struct calendar *cal;
    struct tz *shanghai;
    struct tz *utc;
    struct tz *new_york;
};

/* Day number of a "YYYY-MM-DD" literal. */
static int64_t
D(const char *s)
{
    int64_t d = 0;

    if (!datetime_parse_date(s, &d))
        fail_msg("bad date literal %s", s);
    return d;
}

/* Instant of an RFC 3339 literal. */
static hl_time
T(const char *s)
{
    hl_time t = 0;

    if (!datetime_parse_rfc3339(s, &t, NULL))
        fail_msg("bad time literal %s", s);
    return t;
}

/* Load data/holidays-cn.json (from $HOTLINE_DATA) and the zones. */
static int
setup(void **state)
{
    const char *dir = getenv("HOTLINE_DATA");
    struct fixture *f = xcalloc(1, sizeof *f);
    char *path = xasprintf("%s/holidays-cn.json", str_empty(dir) ? "data" : dir);
    struct err e;

    f->cal = calendar_load(path, &e);
    if (f->cal == NULL)
        fprintf(stderr, "cannot load %s: %s\n", path, e.msg);
    free(path);
    f->shanghai = tz_load("Asia/Shanghai", &e);
    f->new_york = tz_load("America/New_York", &e);
    f->utc = tz_fixed("UTC", 0);
    *state = f;
    return f->cal != NULL && f->shanghai != NULL && f->new_york != NULL ? 0 : -1;
}

/* Free the fixture. */
static int
teardown(void **state)
{
    struct fixture *f = *state;

    calendar_free(&f->cal);
    tz_free(&f->shanghai);
    tz_free(&f->utc);
    tz_free(&f->new_york);
    free(f);
    return 0;
}

/* Version tag, years loaded, confirmation. */
static void
test_meta(void **state)
{
    struct fixture *f = *state;
    int first = -1, last = -1;

    assert_string_equal(calendar_version(f->cal), "holidays-cn/1:2024-2026");
    calendar_year_range(f->cal, &first, &last);
    assert_int_equal(first, 2024);
    assert_int_equal(last, 2026);
    assert_true(calendar_has_year(f->cal, 2024));
    assert_true(calendar_has_year(f->cal, 2025));
    assert_true(calendar_has_year(f->cal, 2026));
    assert_false(calendar_has_year(f->cal, 2023));
    assert_false(calendar_has_year(f->cal, 2027));
    assert_false(calendar_year_unconfirmed(f->cal, 2026));
    assert_false(calendar_year_unconfirmed(f->cal, 2027));
    calendar_year_range(NULL, &first, &last);
    assert_int_equal(first, 0);
    assert_int_equal(last, 0);
    assert_false(calendar_has_year(NULL, 2026));
    assert_int_equal(calendar_holiday_count(f->cal), 20);
}

/* One official holiday range and its Chinese name. */
struct range {
    const char *from, *to, *name;
};

/* The notices 国办发明电〔2024〕12号 (2025) and 国办发明电〔2025〕7号 (2026), typed by hand. */
static const struct range holidays_2025_2026[] = {
    { "2025-01-01", "2025-01-01", "元旦" },
    { "2025-01-28", "2025-02-04", "春节" },
    { "2025-04-04", "2025-04-06", "清明节" },
    { "2025-05-01", "2025-05-05", "劳动节" },
    { "2025-05-31", "2025-06-02", "端午节" },
    { "2025-10-01", "2025-10-08", "国庆节、中秋节" },
    { "2026-01-01", "2026-01-03", "元旦" },
    { "2026-02-15", "2026-02-23", "春节" },
    { "2026-04-04", "2026-04-06", "清明节" },
    { "2026-05-01", "2026-05-05", "劳动节" },
    { "2026-06-19", "2026-06-21", "端午节" },
    { "2026-09-25", "2026-09-27", "中秋节" },
    { "2026-10-01", "2026-10-07", "国庆节" },
};

/* The make-up working days (调休上班) of the same notices. */
static const char *const makeup_2025_2026[] = {
    "2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11",
    "2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10",
};

/* Every day of 2025 and 2026 has the kind the notices give it. */
static void
test_every_day_2025_2026(void **state)
{
    struct fixture *f = *state;
    int holiday_days = 0, makeup_days = 0;

    for (int64_t d = D("2025-01-01"); d <= D("2026-12-31"); d++) {
        enum day_kind want = datetime_weekday(d) >= 6 ? DAY_WEEKEND : DAY_WORKDAY;
        const char *want_name = NULL, *name = "unset";
        bool fb = true;
        enum day_kind got;
        char buf[11];

        for (size_t i = 0; i < ARRAY_SIZE(holidays_2025_2026); i++) {
            if (d >= D(holidays_2025_2026[i].from) && d <= D(holidays_2025_2026[i].to)) {
                want = DAY_HOLIDAY;
                want_name = holidays_2025_2026[i].name;
            }
        }
        for (size_t i = 0; i < ARRAY_SIZE(makeup_2025_2026); i++) {
            if (d == D(makeup_2025_2026[i]))
                want = DAY_MAKEUP_WORKDAY;
        }
        got = calendar_day_kind(f->cal, d, &fb, &name);
        datetime_format_date(d, buf, sizeof buf);
        if (got != want)
            fail_msg("%s: kind %d, want %d", buf, got, want);
        assert_false(fb);
        if (want_name != NULL) {
            assert_non_null(name);
            assert_string_equal(name, want_name);
            holiday_days++;
        } else {
            assert_null(name);
        }
        if (want == DAY_MAKEUP_WORKDAY)
            makeup_days++;
        assert_int_equal(calendar_is_workday(f->cal, d, NULL),
                         want == DAY_WORKDAY || want == DAY_MAKEUP_WORKDAY);
    }
    assert_int_equal(holiday_days, 28 + 33);
    assert_int_equal(makeup_days, 11);
}

/* Spot checks named in the brief, and 2024. */
static void
test_spot_days(void **state)
{
    struct fixture *f = *state;
    const char *name = NULL;

    assert_int_equal(calendar_day_kind(f->cal, D("2026-02-14"), NULL, NULL), DAY_MAKEUP_WORKDAY);
    assert_int_equal(calendar_day_kind(f->cal, D("2026-02-28"), NULL, NULL), DAY_MAKEUP_WORKDAY);
    assert_int_equal(calendar_day_kind(f->cal, D("2026-02-15"), NULL, &name), DAY_HOLIDAY);
    assert_string_equal(name, "春节");
    assert_int_equal(calendar_day_kind(f->cal, D("2026-02-23"), NULL, NULL), DAY_HOLIDAY);
    assert_int_equal(calendar_day_kind(f->cal, D("2026-02-24"), NULL, NULL), DAY_WORKDAY);
    assert_int_equal(calendar_day_kind(f->cal, D("2026-09-20"), NULL, NULL), DAY_MAKEUP_WORKDAY);
    assert_int_equal(calendar_day_kind(f->cal, D("2026-10-10"), NULL, NULL), DAY_MAKEUP_WORKDAY);
    assert_int_equal(calendar_day_kind(f->cal, D("2026-10-11"), NULL, NULL), DAY_WEEKEND);
    assert_int_equal(calendar_day_kind(f->cal, D("2026-10-07"), NULL, &name), DAY_HOLIDAY);
    assert_string_equal(name, "国庆节");
    /* 2024: New Year's Eve 2024-02-09 was only "encouraged" off: a working day here. */
    assert_int_equal(calendar_day_kind(f->cal, D("2024-02-09"), NULL, NULL), DAY_WORKDAY);
    assert_int_equal(calendar_day_kind(f->cal, D("2024-02-04"), NULL, NULL), DAY_MAKEUP_WORKDAY);
    assert_int_equal(calendar_day_kind(f->cal, D("2024-10-07"), NULL, NULL), DAY_HOLIDAY);
    assert_int_equal(calendar_day_kind(f->cal, D("2024-10-12"), NULL, NULL), DAY_MAKEUP_WORKDAY);
    /* 2023-12-30 is only an informational break_from: a plain (fallback) weekend. */
    assert_int_equal(calendar_day_kind(f->cal, D("2023-12-30"), NULL, NULL), DAY_WEEKEND);
}

/* Working days in a year: (Dec 31 of the year before, Dec 31]. */
static int
year_total(const struct calendar *cal, int year, bool *fb)
{
    return calendar_workdays_between(cal, datetime_days_from_civil(year - 1, 12, 31),
                                     datetime_days_from_civil(year, 12, 31), fb);
}

/* The year totals the data README states. */
static void
test_year_totals(void **state)
{
    struct fixture *f = *state;
    bool fb = true;

    assert_int_equal(year_total(f->cal, 2024, &fb), 251);
    assert_false(fb);
    assert_int_equal(year_total(f->cal, 2025, &fb), 248);
    assert_false(fb);
    assert_int_equal(year_total(f->cal, 2026, &fb), 248);
    assert_false(fb);
    /* 2027 is not loaded: Monday-Friday, 261 days, and flagged. */
    assert_int_equal(year_total(f->cal, 2027, &fb), 261);
    assert_true(fb);
    /* Months: February 2026 has 16 working days, October 2026 has 18. */
    assert_int_equal(calendar_workdays_between(f->cal, D("2026-01-31"), D("2026-02-28"), &fb), 16);
    assert_false(fb);
    assert_int_equal(calendar_workdays_between(f->cal, D("2026-09-30"), D("2026-10-31"), NULL), 18);
    assert_int_equal(calendar_workdays_between(f->cal, D("2026-02-13"), D("2026-02-13"), NULL), 0);
    assert_int_equal(calendar_workdays_between(f->cal, D("2026-02-24"), D("2026-02-13"), NULL), 0);
    assert_int_equal(calendar_workdays_between(f->cal, D("2026-02-13"), D("2026-02-24"), NULL), 2);
}

/* Adding working days across the big breaks. */
static void
test_add_workdays(void **state)
{
    static const struct {
        const char *from;
        int n;
        const char *want;
    } cases[] = {
        { "2026-02-13", 0, "2026-02-13" },
        { "2026-02-13", 1, "2026-02-14" },   /* Saturday make-up day */
        { "2026-02-13", 2, "2026-02-24" },   /* across Spring Festival */
        { "2026-02-13", 3, "2026-02-25" },
        { "2026-02-12", 5, "2026-02-26" },
        { "2026-02-15", 1, "2026-02-24" },   /* from inside the holiday */
        { "2026-09-18", 1, "2026-09-20" },   /* Sunday make-up day */
        { "2026-09-30", 1, "2026-10-08" },   /* across National Day */
        { "2026-09-30", 2, "2026-10-09" },
        { "2026-09-30", 3, "2026-10-10" },   /* Saturday make-up day */
        { "2026-10-03", 2, "2026-10-09" },
        { "2025-01-24", 1, "2025-01-26" },
        { "2025-01-27", 1, "2025-02-05" },
        { "2025-09-30", 2, "2025-10-10" },
        { "2026-02-24", -2, "2026-02-13" },  /* backwards */
        { "2026-10-08", -1, "2026-09-30" },
    };
    struct fixture *f = *state;

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        bool fb = true;
        int64_t got = calendar_add_workdays(f->cal, D(cases[i].from), cases[i].n, &fb);
        char buf[11];

        datetime_format_date(got, buf, sizeof buf);
        if (strcmp(buf, cases[i].want) != 0)
            fail_msg("%s + %d: got %s, want %s", cases[i].from, cases[i].n, buf, cases[i].want);
        assert_false(fb);
    }
}

/* The fast week-skipping paths agree with plain day-by-day counting. */
static void
test_add_workdays_reference(void **state)
{
    struct fixture *f = *state;
    static const char *const starts[] = { "2019-06-03", "2023-12-29", "2026-12-25", "2030-01-01" };

    for (size_t s = 0; s < ARRAY_SIZE(starts); s++) {
        for (int n = 0; n <= 1500; n += 7) {
            int64_t d = D(starts[s]), want = d;
            int left = n;
            bool fb_want = false, fb;

            while (left > 0) {
                bool f1;

                want++;
                if (calendar_is_workday(f->cal, want, &f1))
                    left--;
                fb_want = fb_want || f1;
            }
            assert_int_equal(calendar_add_workdays(f->cal, d, n, &fb), want);
            assert_int_equal(fb, fb_want);
            assert_int_equal(calendar_workdays_between(f->cal, d, want, &fb), n);
            assert_int_equal(fb, fb_want);
            if (n > 0) {
                assert_int_equal(calendar_add_workdays(f->cal, want, -n, NULL) <= d, true);
                assert_int_equal(calendar_workdays_between(f->cal, d, want - 1, NULL), n - 1);
            }
        }
    }
    /* Huge counts stay fast and exact where the calendar is unknown; the loaded years
     * 2024-2026 have 11 + 13 + 13 fewer working days than plain Monday-Friday. */
    assert_int_equal(calendar_add_workdays(f->cal, D("2030-01-01"), 5000, NULL),
                     D("2030-01-01") + 7000);
    assert_true(calendar_add_workdays(f->cal, D("2026-01-01"), INT_MAX, NULL) > D("9999-12-31"));
    assert_true(calendar_add_workdays(f->cal, D("2026-01-01"), INT_MIN, NULL) < D("1900-01-01"));
    assert_int_equal(calendar_workdays_between(f->cal, D("1900-01-01"), D("9999-12-31"), NULL),
                     calendar_workdays_between(NULL, D("1900-01-01"), D("9999-12-31"), NULL) - 37);
}

/* Outside the loaded years: Monday-Friday and the fallback flag. */
static void
test_fallback_days(void **state)
{
    struct fixture *f = *state;
    bool fb = false;
    const char *name = "x";

    assert_int_equal(calendar_day_kind(f->cal, D("2027-01-01"), &fb, &name), DAY_WORKDAY);
    assert_true(fb);
    assert_null(name);
    assert_int_equal(calendar_day_kind(f->cal, D("2027-01-02"), &fb, NULL), DAY_WEEKEND);
    assert_true(fb);
    assert_int_equal(calendar_day_kind(f->cal, D("2026-12-31"), &fb, NULL), DAY_WORKDAY);
    assert_false(fb);
    assert_true(calendar_is_workday(f->cal, D("2023-12-29"), &fb));
    assert_true(fb);
    assert_int_equal(calendar_add_workdays(f->cal, D("2026-12-30"), 1, &fb), D("2026-12-31"));
    assert_false(fb);
    assert_int_equal(calendar_add_workdays(f->cal, D("2026-12-30"), 2, &fb), D("2027-01-01"));
    assert_true(fb);
    /* No calendar at all: everything is fallback. */
    assert_int_equal(calendar_day_kind(NULL, D("2026-02-16"), &fb, &name), DAY_WORKDAY);
    assert_true(fb);
    assert_int_equal(calendar_add_workdays(NULL, D("2026-02-13"), 2, &fb), D("2026-02-17"));
    assert_true(fb);
}

/* A deadline formatted in a zone. */
static void
assert_deadline(const struct calendar *cal, const struct tz *tz, const char *from, int n,
                enum deadline_mode mode, const char *want)
{
    struct deadline dl;
    char buf[32];

    calendar_deadline(cal, tz, T(from), n, mode, &dl);
    tz_format_rfc3339(tz, dl.due, buf, sizeof buf);
    if (strcmp(buf, want) != 0)
        fail_msg("%s + %d (%s): got %s, want %s", from, n,
                 mode == DEADLINE_END_OF_DAY ? "end_of_day" : "same_time", buf, want);
    assert_false(dl.fallback);
    assert_string_equal(dl.warning, "");
}

/* Deadlines across Spring Festival and National Day 2026, both modes. */
static void
test_deadlines(void **state)
{
    struct fixture *f = *state;
    const struct tz *sh = f->shanghai;

    /* Friday 02-13; 02-14 (Sat) is a make-up working day, 02-15..23 off. */
    assert_deadline(f->cal, sh, "2026-02-13T10:00:00+08:00", 2, DEADLINE_END_OF_DAY,
                    "2026-02-24T23:59:59+08:00");
    assert_deadline(f->cal, sh, "2026-02-13T10:00:00+08:00", 2, DEADLINE_SAME_TIME,
                    "2026-02-24T10:00:00+08:00");
    assert_deadline(f->cal, sh, "2026-02-13T10:00:00+08:00", 1, DEADLINE_END_OF_DAY,
                    "2026-02-14T23:59:59+08:00");
    assert_deadline(f->cal, sh, "2026-02-12T16:45:30+08:00", 7, DEADLINE_SAME_TIME,
                    "2026-02-28T16:45:30+08:00");
    /* The same instant written in UTC gives the same deadline. */
    assert_deadline(f->cal, sh, "2026-02-13T02:00:00Z", 2, DEADLINE_END_OF_DAY,
                    "2026-02-24T23:59:59+08:00");
    /* National Day: 09-30 (Wed), 10-01..07 off, 10-10 (Sat) make-up. */
    assert_deadline(f->cal, sh, "2026-09-30T15:20:00+08:00", 2, DEADLINE_END_OF_DAY,
                    "2026-10-09T23:59:59+08:00");
    assert_deadline(f->cal, sh, "2026-09-30T15:20:00+08:00", 2, DEADLINE_SAME_TIME,
                    "2026-10-09T15:20:00+08:00");
    assert_deadline(f->cal, sh, "2026-09-30T15:20:00+08:00", 3, DEADLINE_END_OF_DAY,
                    "2026-10-10T23:59:59+08:00");
    assert_deadline(f->cal, sh, "2026-09-18T09:00:00+08:00", 1, DEADLINE_SAME_TIME,
                    "2026-09-20T09:00:00+08:00");
    /* Accepted on a weekend or holiday: counting starts with the next working day. */
    assert_deadline(f->cal, sh, "2026-03-07T09:00:00+08:00", 1, DEADLINE_END_OF_DAY,
                    "2026-03-09T23:59:59+08:00");
    assert_deadline(f->cal, sh, "2026-10-03T11:00:00+08:00", 2, DEADLINE_END_OF_DAY,
                    "2026-10-09T23:59:59+08:00");
    assert_deadline(f->cal, sh, "2026-02-18T08:00:00+08:00", 1, DEADLINE_SAME_TIME,
                    "2026-02-24T08:00:00+08:00");
    /* Accepted on the make-up Saturday itself. */
    assert_deadline(f->cal, sh, "2026-02-14T10:00:00+08:00", 1, DEADLINE_END_OF_DAY,
                    "2026-02-24T23:59:59+08:00");
    /* 2025 National Day + Mid-Autumn. */
    assert_deadline(f->cal, sh, "2025-09-30T18:00:00+08:00", 2, DEADLINE_END_OF_DAY,
                    "2025-10-10T23:59:59+08:00");
    /* n = 0: the day of acceptance itself. */
    assert_deadline(f->cal, sh, "2026-02-13T10:00:00+08:00", 0, DEADLINE_END_OF_DAY,
                    "2026-02-13T23:59:59+08:00");
    assert_deadline(f->cal, sh, "2026-02-13T10:00:00+08:00", 0, DEADLINE_SAME_TIME,
                    "2026-02-13T10:00:00+08:00");
    assert_deadline(f->cal, sh, "2026-02-13T10:00:00+08:00", -3, DEADLINE_SAME_TIME,
                    "2026-02-13T10:00:00+08:00");
}

/* Another centre's zone: the local date of acceptance decides. */
static void
test_deadline_other_zones(void **state)
{
    struct fixture *f = *state;
    struct deadline dl;

    /* 2026-02-13T20:00Z is Saturday 04:00 in Shanghai but Friday 20:00 in a UTC centre. */
    assert_deadline(f->cal, f->shanghai, "2026-02-13T20:00:00Z", 1, DEADLINE_END_OF_DAY,
                    "2026-02-24T23:59:59+08:00");
    assert_deadline(f->cal, f->utc, "2026-02-13T20:00:00Z", 1, DEADLINE_END_OF_DAY,
                    "2026-02-14T23:59:59Z");
    assert_deadline(f->cal, f->utc, "2026-02-13T20:00:00Z", 1, DEADLINE_SAME_TIME,
                    "2026-02-14T20:00:00Z");
    assert_deadline(f->cal, NULL, "2026-02-13T20:00:00Z", 2, DEADLINE_END_OF_DAY,
                    "2026-02-24T23:59:59Z");
    /* New York: Friday before the DST switch, due Monday after it. */
    assert_deadline(f->cal, f->new_york, "2026-03-06T10:00:00-05:00", 1, DEADLINE_END_OF_DAY,
                    "2026-03-09T23:59:59-04:00");
    assert_deadline(f->cal, f->new_york, "2026-03-06T10:00:00-05:00", 1, DEADLINE_SAME_TIME,
                    "2026-03-09T10:00:00-04:00");
    calendar_deadline(f->cal, f->new_york, T("2026-03-06T10:00:00-05:00"), 1,
                      DEADLINE_SAME_TIME, &dl);
    assert_int_equal(dl.due - T("2026-03-06T10:00:00-05:00"), 3 * 86400 - 3600);
}

/* A deadline reaching into 2027 (not loaded) warns. */
static void
test_deadline_fallback(void **state)
{
    struct fixture *f = *state;
    struct deadline dl;
    char buf[32];

    calendar_deadline(f->cal, f->shanghai, T("2026-12-31T10:00:00+08:00"), 3,
                      DEADLINE_END_OF_DAY, &dl);
    tz_format_rfc3339(f->shanghai, dl.due, buf, sizeof buf);
    assert_string_equal(buf, "2027-01-05T23:59:59+08:00");
    assert_true(dl.fallback);
    assert_string_equal(dl.warning,
                        "holiday calendar has no 2027: assumed Monday-Friday working days; "
                        "run `hotlined calendar check 2027`");
    /* Accepted in 2023 (not loaded), due in 2024 (loaded): names 2023. */
    calendar_deadline(f->cal, f->shanghai, T("2023-12-29T10:00:00+08:00"), 2,
                      DEADLINE_SAME_TIME, &dl);
    tz_format_rfc3339(f->shanghai, dl.due, buf, sizeof buf);
    assert_string_equal(buf, "2024-01-03T10:00:00+08:00");
    assert_true(dl.fallback);
    assert_non_null(strstr(dl.warning, "has no 2023"));
    /* Due on the last loaded day: no warning. */
    calendar_deadline(f->cal, f->shanghai, T("2026-12-30T10:00:00+08:00"), 1,
                      DEADLINE_END_OF_DAY, &dl);
    assert_false(dl.fallback);
    assert_string_equal(dl.warning, "");
    /* No calendar at all. */
    calendar_deadline(NULL, f->shanghai, T("2026-02-13T10:00:00+08:00"), 2,
                      DEADLINE_END_OF_DAY, &dl);
    tz_format_rfc3339(f->shanghai, dl.due, buf, sizeof buf);
    assert_string_equal(buf, "2026-02-17T23:59:59+08:00");
    assert_true(dl.fallback);
    assert_non_null(strstr(dl.warning, "has no 2026"));
    calendar_deadline(f->cal, f->shanghai, 0, 1, DEADLINE_END_OF_DAY, NULL);
}

/* Listing holiday ranges. */
static void
test_holiday_list(void **state)
{
    struct fixture *f = *state;
    struct calendar_holiday h;
    char from[11], to[11];

    assert_true(calendar_holiday_get(f->cal, 0, &h));
    datetime_format_date(h.from, from, sizeof from);
    assert_string_equal(from, "2024-01-01");
    assert_string_equal(h.name_zh, "元旦");
    assert_string_equal(h.name_en, "New Year's Day");
    assert_true(calendar_holiday_get(f->cal, 19, &h));
    datetime_format_date(h.from, from, sizeof from);
    datetime_format_date(h.to, to, sizeof to);
    assert_string_equal(from, "2026-10-01");
    assert_string_equal(to, "2026-10-07");
    assert_string_equal(h.name_en, "National Day");
    assert_false(calendar_holiday_get(f->cal, 20, &h));
    assert_false(calendar_holiday_get(NULL, 0, &h));
    for (size_t i = 1; i < calendar_holiday_count(f->cal); i++) {
        struct calendar_holiday prev;

        assert_true(calendar_holiday_get(f->cal, i - 1, &prev));
        assert_true(calendar_holiday_get(f->cal, i, &h));
        assert_true(prev.to < h.from);
    }
}

/* A small valid calendar: an unconfirmed year and a range crossing New Year (as in 2008). */
static void
test_small_calendar(void **state)
{
    static const char json[] =
        "{\"version\": 3, \"years\": {"
        " \"2008\": {\"unconfirmed\": false,"
        "   \"holidays\": [{\"name_zh\": \"元旦\", \"from\": \"2007-12-30\", \"to\": \"2008-01-01\", \"days\": 3}],"
        "   \"workdays\": [\"2007-12-29\"]},"
        " \"2007\": {\"unconfirmed\": true, \"holidays\": [], \"workdays\": []}}}";
    struct err e;
    struct calendar *cal = calendar_parse(json, strlen(json), &e);
    const char *name = NULL;
    struct calendar_holiday h;

    (void)state;
    assert_non_null(cal);
    assert_string_equal(calendar_version(cal), "holidays-cn/3:2007-2008");
    assert_true(calendar_year_unconfirmed(cal, 2007));
    assert_false(calendar_year_unconfirmed(cal, 2008));
    assert_int_equal(calendar_day_kind(cal, D("2007-12-29"), NULL, NULL), DAY_MAKEUP_WORKDAY);
    assert_int_equal(calendar_day_kind(cal, D("2007-12-31"), NULL, &name), DAY_HOLIDAY);
    assert_string_equal(name, "元旦");
    assert_int_equal(calendar_day_kind(cal, D("2008-01-01"), NULL, NULL), DAY_HOLIDAY);
    assert_int_equal(calendar_day_kind(cal, D("2008-01-02"), NULL, NULL), DAY_WORKDAY);
    assert_true(calendar_holiday_get(cal, 0, &h));
    assert_null(h.name_en);
    calendar_free(&cal);
    assert_null(cal);
    calendar_free(&cal);
    calendar_free(NULL);
}

/* Build a calendar JSON around one year body for 2026. */
static char *
with_2026(const char *body)
{
    return xasprintf("{\"version\":1,\"years\":{\"2026\":%s}}", body);
}

/* Malformed calendars give errors naming the entry, never crashes. */
static void
test_malformed(void **state)
{
    static const struct {
        const char *json;       /* whole document, or NULL to use body */
        const char *body;       /* the 2026 entry */
        const char *want;       /* substring of the message */
    } cases[] = {
        { "", NULL, "malformed JSON" },
        { "{", NULL, "malformed JSON" },
        { "{\"version\":1,\n\"years\":{\n\"2026\":[}", NULL, "holiday calendar:3: malformed JSON" },
        { "[]", NULL, "must be a JSON object" },
        { "{\"years\":{}}", NULL, "\"version\" must be a positive integer" },
        { "{\"version\":0,\"years\":{}}", NULL, "\"version\" must be a positive integer" },
        { "{\"version\":1.5,\"years\":{}}", NULL, "\"version\" must be a positive integer" },
        { "{\"version\":\"1\",\"years\":{}}", NULL, "\"version\" must be a positive integer" },
        { "{\"version\":1}", NULL, "\"years\" must be an object with at least one year" },
        { "{\"version\":1,\"years\":{}}", NULL, "at least one year" },
        { "{\"version\":1,\"years\":[]}", NULL, "at least one year" },
        { "{\"version\":1,\"years\":{\"26\":{}}}", NULL, "years.26: year keys must be four digits" },
        { "{\"version\":1,\"years\":{\"1800\":{}}}", NULL, "four digits from 1900" },
        { "{\"version\":1,\"years\":{\"2026\":{\"unconfirmed\":false,\"holidays\":[],\"workdays\":[]},"
          "\"2026\":{\"unconfirmed\":false,\"holidays\":[],\"workdays\":[]}}}", NULL, "duplicate key" },
        { "{\"version\":1,\"years\":{\"2026\":{\"unconfirmed\":false,\"holidays\":[],\"workdays\":[]}}} x",
          NULL, "unexpected text after the JSON value" },
        { NULL, "[]", "years.2026: must be an object" },
        { NULL, "{\"holidays\":[],\"workdays\":[]}", "\"unconfirmed\" must be true or false" },
        { NULL, "{\"unconfirmed\":\"no\",\"holidays\":[],\"workdays\":[]}", "\"unconfirmed\" must be" },
        { NULL, "{\"unconfirmed\":false,\"workdays\":[]}", "\"holidays\" must be an array" },
        { NULL, "{\"unconfirmed\":false,\"holidays\":{},\"workdays\":[]}", "\"holidays\" must be an array" },
        { NULL, "{\"unconfirmed\":false,\"holidays\":[]}", "\"workdays\" must be an array" },
        { NULL, "{\"unconfirmed\":false,\"holidays\":[5],\"workdays\":[]}",
          "years.2026.holidays[0]: holiday 1: must be an object" },
        { NULL, "{\"unconfirmed\":false,\"holidays\":[{\"from\":\"2026-02-15\",\"to\":\"2026-02-23\"}],\"workdays\":[]}",
          "years.2026.holidays[0]: holiday 1: missing \"name_zh\"" },
        { NULL, "{\"unconfirmed\":false,\"holidays\":[{\"name_zh\":\"\",\"from\":\"2026-02-15\",\"to\":\"2026-02-23\"}],\"workdays\":[]}",
          "\"name_zh\" must be a non-empty UTF-8 string" },
        { NULL, "{\"unconfirmed\":false,\"holidays\":[{\"name_zh\":7,\"from\":\"2026-02-15\",\"to\":\"2026-02-23\"}],\"workdays\":[]}",
          "\"name_zh\" must be" },
        { NULL, "{\"unconfirmed\":false,\"holidays\":[{\"name_zh\":\"\\u0001x\",\"from\":\"2026-02-15\",\"to\":\"2026-02-23\"}],\"workdays\":[]}",
          "\"name_zh\" must be" },
        { NULL, "{\"unconfirmed\":false,\"holidays\":[{\"name_zh\":\"\xe6\x98\",\"from\":\"2026-02-15\",\"to\":\"2026-02-23\"}],\"workdays\":[]}",
          "not valid UTF-8" },
        { NULL, "{\"unconfirmed\":false,\"holidays\":[{\"name_zh\":\"春节\",\"to\":\"2026-02-23\"}],\"workdays\":[]}",
          "holiday 1 (春节): missing \"from\"" },
        { NULL, "{\"unconfirmed\":false,\"holidays\":[{\"name_zh\":\"春节\",\"from\":\"2026-02-15\"}],\"workdays\":[]}",
          "holiday 1 (春节): missing \"to\"" },
        { NULL, "{\"unconfirmed\":false,\"holidays\":[{\"name_zh\":\"春节\",\"from\":\"2026-02-30\",\"to\":\"2026-03-03\"}],\"workdays\":[]}",
          "\"from\" must be a real date" },
        { NULL, "{\"unconfirmed\":false,\"holidays\":[{\"name_zh\":\"春节\",\"from\":\"2026-2-15\",\"to\":\"2026-02-23\"}],\"workdays\":[]}",
          "\"from\" must be a real date" },
        { NULL, "{\"unconfirmed\":false,\"holidays\":[{\"name_zh\":\"春节\",\"from\":20260215,\"to\":\"2026-02-23\"}],\"workdays\":[]}",
          "\"from\" must be a real date" },
        { NULL, "{\"unconfirmed\":false,\"holidays\":[{\"name_zh\":\"春节\",\"from\":\"2026-02-23\",\"to\":\"2026-02-15\"}],\"workdays\":[]}",
          "years.2026.holidays[0]: holiday 1 (春节): \"from\" is after \"to\"" },
        { NULL, "{\"unconfirmed\":false,\"holidays\":[{\"name_zh\":\"春节\",\"from\":\"2026-02-15\",\"to\":\"2026-12-23\"}],\"workdays\":[]}",
          "is longer than 31 days" },
        { NULL, "{\"unconfirmed\":false,\"holidays\":[{\"name_zh\":\"春节\",\"from\":\"2025-02-15\",\"to\":\"2025-02-23\"}],\"workdays\":[]}",
          "the range does not fall in 2026" },
        { NULL, "{\"unconfirmed\":false,\"holidays\":[{\"name_zh\":\"春节\",\"from\":\"2026-02-15\",\"to\":\"2026-02-23\",\"days\":8}],\"workdays\":[]}",
          "\"days\" must be 9" },
        { NULL, "{\"unconfirmed\":false,\"holidays\":[{\"name_zh\":\"春节\",\"from\":\"2026-02-15\",\"to\":\"2026-02-23\",\"break_from\":\"2026-02-16\",\"break_to\":\"2026-02-23\"}],\"workdays\":[]}",
          "break_from..break_to must contain from..to" },
        { NULL, "{\"unconfirmed\":false,\"holidays\":[{\"name_zh\":\"春节\",\"from\":\"2026-02-15\",\"to\":\"2026-02-23\"},"
          "{\"name_zh\":\"元宵\",\"from\":\"2026-02-23\",\"to\":\"2026-02-24\"}],\"workdays\":[]}",
          "holiday 元宵 overlaps holiday 春节 on 2026-02-23" },
        { NULL, "{\"unconfirmed\":false,\"holidays\":[],\"workdays\":[\"2026-02-31\"]}",
          "years.2026.workdays[0]: make-up working day 1 must be a real date" },
        { NULL, "{\"unconfirmed\":false,\"holidays\":[],\"workdays\":[null]}",
          "make-up working day 1 must be a real date" },
        { NULL, "{\"unconfirmed\":false,\"holidays\":[],\"workdays\":[\"2026-02-13\"]}",
          "make-up working day 2026-02-13 is a weekday" },
        { NULL, "{\"unconfirmed\":false,\"holidays\":[],\"workdays\":[\"2030-02-16\"]}",
          "does not fall in 2026" },
        { NULL, "{\"unconfirmed\":false,\"holidays\":[],\"workdays\":[\"2026-02-14\",\"2026-02-14\"]}",
          "years.2026.workdays[1]: make-up working day 2026-02-14 is listed twice" },
        { NULL, "{\"unconfirmed\":false,\"holidays\":[{\"name_zh\":\"春节\",\"from\":\"2026-02-15\",\"to\":\"2026-02-23\"}],\"workdays\":[\"2026-02-15\"]}",
          "make-up working day 2026-02-15 lies inside holiday 春节" },
    };

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        char *json = cases[i].json != NULL ? xstrdup(cases[i].json) : with_2026(cases[i].body);
        struct err e;
        struct calendar *cal = calendar_parse(json, strlen(json), &e);

        if (cal != NULL) {
            calendar_free(&cal);
            fail_msg("case %zu accepted: %s", i, json);
        }
        assert_int_equal(e.code, HL_EINVAL);
        if (strstr(e.msg, cases[i].want) == NULL)
            fail_msg("case %zu: message \"%s\" lacks \"%s\"", i, e.msg, cases[i].want);
        assert_true(str_starts_with(e.msg, "holiday calendar"));
        free(json);
    }
    {
        struct err e;

        assert_null(calendar_parse(NULL, 0, &e));
        assert_int_equal(e.code, HL_EINVAL);
        assert_null(calendar_parse("{}", 2, NULL));
    }
}

/* Errors from files name the file; a cut-short file never crashes. */
static void
test_load_errors(void **state)
{
    const char *dir = getenv("HOTLINE_DATA");
    char *path = xasprintf("%s/holidays-cn.json", str_empty(dir) ? "data" : dir);
    char tmp[] = "/tmp/hotline-cal-XXXXXX";
    static const char bad[] =
        "{\"version\":1,\"years\":{\"2026\":{\"unconfirmed\":false,"
        "\"holidays\":[{\"name_zh\":\"春节\",\"from\":\"2026-02-23\","
        "\"to\":\"2026-02-15\"}],\"workdays\":[]}}}";
    size_t len = 0;
    char *data = file_read_all(path, 1 << 22, &len);
    struct err e;
    struct calendar *cal;
    int fd;

    (void)state;
    assert_non_null(data);
    assert_null(calendar_load("/nonexistent/holidays-cn.json", &e));
    assert_int_equal(e.code, HL_ENOENT);
    assert_non_null(strstr(e.msg, "/nonexistent/holidays-cn.json"));
    assert_null(calendar_load(NULL, &e));
    fd = mkstemp(tmp);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, bad, strlen(bad)), (ssize_t)strlen(bad));
    close(fd);
    assert_null(calendar_load(tmp, &e));
    assert_true(str_starts_with(e.msg, tmp));
    assert_non_null(strstr(e.msg, "holiday 1 (春节): \"from\" is after \"to\""));
    assert_string_equal(e.field, "years.2026.holidays[0]");
    unlink(tmp);
    for (size_t n = 0; n + 2 < len; n += 13) {
        cal = calendar_parse(data, n, &e);
        if (cal != NULL) {
            calendar_free(&cal);
            fail_msg("accepted the file cut at %zu bytes", n);
        }
    }
    cal = calendar_parse(data, len, &e);
    assert_non_null(cal);
    calendar_free(&cal);
    free(data);
    free(path);
}

/* Run the calendar tests. */
int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_meta),
        cmocka_unit_test(test_every_day_2025_2026),
        cmocka_unit_test(test_spot_days),
        cmocka_unit_test(test_year_totals),
        cmocka_unit_test(test_add_workdays),
        cmocka_unit_test(test_add_workdays_reference),
        cmocka_unit_test(test_fallback_days),
        cmocka_unit_test(test_deadlines),
        cmocka_unit_test(test_deadline_other_zones),
        cmocka_unit_test(test_deadline_fallback),
        cmocka_unit_test(test_holiday_list),
        cmocka_unit_test(test_small_calendar),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_load_errors),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
