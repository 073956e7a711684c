/* fuzz_calendar: calendar_parse on the bytes, then working-day arithmetic and deadlines on
 * whatever loads. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "hotline/calendar.h"
#include "hotline/text.h"
#include "hotline/tz.h"
#include "hotline/util.h"

/* Working-day counts tried. */
static const int counts[] = { 0, 1, 2, 3, 5, 7, 15, 30, -1, -4 };

/* add_workdays and workdays_between agree on day (the n-th working day and back). */
static void
check_arith(const struct calendar *cal, int64_t day)
{
    size_t k;

    for (k = 0; k < ARRAY_SIZE(counts); k++) {
        int n = counts[k];
        bool fb = false, fb2 = false;
        int64_t res = calendar_add_workdays(cal, day, n, &fb);
        int between;

        if (n == 0) {
            FUZZ_CHECK(res == day, "add_workdays(%lld, 0) = %lld", (long long)day,
                       (long long)res);
            continue;
        }
        FUZZ_CHECK(calendar_is_workday(cal, res, NULL),
                   "add_workdays(%lld, %d) = %lld is no working day", (long long)day, n,
                   (long long)res);
        if (n > 0) {
            FUZZ_CHECK(res > day, "add_workdays(%lld, %d) went back", (long long)day, n);
            between = calendar_workdays_between(cal, day, res, &fb2);
            FUZZ_CHECK(between == n, "between(%lld, %lld) = %d, expected %d", (long long)day,
                       (long long)res, between, n);
        } else {
            int expect = -n - 1 + (calendar_is_workday(cal, day, NULL) ? 1 : 0);

            FUZZ_CHECK(res < day, "add_workdays(%lld, %d) went forward", (long long)day, n);
            between = calendar_workdays_between(cal, res, day, &fb2);
            FUZZ_CHECK(between == expect, "between(%lld, %lld) = %d, expected %d",
                       (long long)res, (long long)day, between, expect);
        }
    }
}

/* Deadlines from an instant in both modes. */
static void
check_deadlines(const struct calendar *cal, const struct tz *tz, hl_time from)
{
    size_t k;
    int mode;

    for (mode = DEADLINE_END_OF_DAY; mode <= DEADLINE_SAME_TIME; mode++) {
        for (k = 0; k < ARRAY_SIZE(counts); k++) {
            struct deadline dl;
            int n = counts[k];

            calendar_deadline(cal, tz, from, n, (enum deadline_mode)mode, &dl);
            if (n >= 1)
                FUZZ_CHECK(dl.due > from, "deadline(%lld, %d, mode %d) = %lld is not later",
                           (long long)from, n, mode, (long long)dl.due);
            else if (mode == DEADLINE_END_OF_DAY)
                FUZZ_CHECK(dl.due >= from && dl.due - from < 86400,
                           "deadline(%lld, %d) = %lld is not the end of that day",
                           (long long)from, n, (long long)dl.due);
            else
                FUZZ_CHECK(dl.due == from, "same-time deadline(%lld, %d) = %lld",
                           (long long)from, n, (long long)dl.due);
            FUZZ_CHECK(dl.fallback == (dl.warning[0] != '\0'),
                       "fallback %d but warning \"%s\"", dl.fallback, dl.warning);
            FUZZ_CHECK(text_utf8_valid(dl.warning, strlen(dl.warning)), "warning not UTF-8");
        }
    }
}

/* Everything a loaded calendar answers about itself. */
static void
check_tables(const struct calendar *cal)
{
    const char *version = calendar_version(cal);
    size_t n = calendar_holiday_count(cal), i;
    int first, last;
    struct calendar_holiday h, prev;

    FUZZ_CHECK(version != NULL && fuzz_clean_text(version, NULL), "calendar_version");
    calendar_year_range(cal, &first, &last);
    FUZZ_CHECK(first <= last, "year range %d..%d", first, last);
    FUZZ_CHECK(first == 0 || (calendar_has_year(cal, first) && calendar_has_year(cal, last)),
               "year range %d..%d not loaded", first, last);
    for (i = 0; i < n; i++) {
        enum day_kind kind;
        const char *name = NULL;
        bool fb = true;

        FUZZ_CHECK(calendar_holiday_get(cal, i, &h), "holiday %zu of %zu missing", i, n);
        FUZZ_CHECK(h.from <= h.to, "holiday %zu runs backwards", i);
        FUZZ_CHECK(h.name_zh != NULL && fuzz_clean_text(h.name_zh, NULL), "holiday name");
        FUZZ_CHECK(h.name_en == NULL || fuzz_clean_text(h.name_en, NULL), "holiday name_en");
        if (i > 0)
            FUZZ_CHECK(prev.from <= h.from, "holidays not in order of start");
        kind = calendar_day_kind(cal, h.from, &fb, &name);
        if (!fb)
            FUZZ_CHECK(kind == DAY_HOLIDAY && name != NULL,
                       "first day of holiday %zu is kind %d", i, (int)kind);
        prev = h;
    }
    FUZZ_CHECK(!calendar_holiday_get(cal, n, &h), "holiday past the count");
}

/* One input: a holiday calendar document. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct calendar *cal;
    struct tz *zones[2];
    uint64_t rng = fuzz_hash(data, size);
    struct err e;
    int first, last, y;
    size_t z;

    err_clear(&e);
    cal = calendar_parse((const char *)data, size, &e);
    if (cal == NULL) {
        FUZZ_CHECK(e.code != HL_OK, "calendar_parse failed with HL_OK");
        FUZZ_CHECK(e.msg[0] != '\0', "calendar error without a message");
        /* The loader echoes names from the file: UTF-8 in, UTF-8 out. */
        FUZZ_CHECK(!text_utf8_valid((const char *)data, size)
                   || text_utf8_valid(e.msg, strlen(e.msg)), "calendar error message not UTF-8");
        return 0;
    }
    check_tables(cal);
    zones[0] = tz_fixed("Asia/Shanghai", 8 * 3600);
    zones[1] = NULL;
    calendar_year_range(cal, &first, &last);
    if (first == 0)
        first = last = 2026;
    for (z = 0; z < ARRAY_SIZE(zones); z++) {
        const struct tz *tz = zones[z];
        hl_time from;

        /* Around the first and last loaded years, and one day in between. */
        for (y = first; y <= last && y < first + 3; y++) {
            check_deadlines(cal, tz, tz_from_civil(tz, y, 1, 1, 9, 30, 0));
            check_arith(cal, datetime_days_from_civil(y, 1, 1));
        }
        check_deadlines(cal, tz, tz_from_civil(tz, last, 12, 31, 17, 0, 0));
        check_arith(cal, datetime_days_from_civil(last, 12, 28));
        from = tz_from_civil(tz, first, 1, 1, 0, 0, 0)
            + (hl_time)(fuzz_next(&rng) % (uint64_t)((last - first + 1) * 366LL * 86400));
        check_deadlines(cal, tz, from);
        check_arith(cal, datetime_days_from_civil(first, 1, 1)
                             + (int64_t)(fuzz_next(&rng) % (uint64_t)((last - first + 1) * 366LL)));
    }
    tz_free(&zones[0]);
    calendar_free(&cal);
    FUZZ_CHECK(cal == NULL, "calendar_free did not NULL the pointer");
    return 0;
}
