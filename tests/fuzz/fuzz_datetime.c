/* fuzz_datetime: RFC 3339 and date parsing with round trips, and tz_parse on the bytes as
 * TZif data. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "hotline/datetime.h"
#include "hotline/tz.h"
#include "hotline/util.h"

/* 1900-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the range the parsers accept. */
#define T_MIN ((hl_time)-2208988800)
#define T_MAX ((hl_time)253402300799)

/* A civil time has fields in range and is the instant t at its offset. */
static void
check_civil(const struct civil_time *c, hl_time t, const char *what)
{
    int64_t days;

    FUZZ_CHECK(datetime_valid_date(c->year, c->month, c->day), "%s: %d-%d-%d", what, c->year,
               c->month, c->day);
    FUZZ_CHECK(c->hour >= 0 && c->hour <= 23 && c->minute >= 0 && c->minute <= 59
               && c->second >= 0 && c->second <= 59, "%s: %d:%d:%d", what, c->hour, c->minute,
               c->second);
    days = datetime_days_from_civil(c->year, c->month, c->day);
    FUZZ_CHECK(c->weekday == datetime_weekday(days), "%s: weekday %d", what, c->weekday);
    FUZZ_CHECK(days * 86400 + c->hour * 3600 + c->minute * 60 + c->second - c->offset == t,
               "%s: civil time is not the instant %lld", what, (long long)t);
}

/* An instant formats at an offset and parses back to itself. */
static void
check_format(hl_time t, int offset, const char *what)
{
    struct civil_time c;
    char buf[64];
    hl_time t2 = 0;
    int off2 = 0;

    datetime_format_rfc3339(t, offset, buf, sizeof buf);
    datetime_civil_at_offset(t, offset, &c);
    if (c.year < 1900 || c.year > 9999)
        return;   /* beyond the years 1900-9999 strings are longer and refused, by design */
    FUZZ_CHECK(strlen(buf) < 26, "%s: \"%s\" is longer than 25 bytes", what, buf);
    if (offset <= -24 * 3600 || offset >= 24 * 3600)
        return;   /* RFC 3339 offsets stop at 23:59: such a string is refused by design */
    FUZZ_CHECK(datetime_parse_rfc3339(buf, &t2, &off2), "%s: own output \"%s\" refused", what,
               buf);
    FUZZ_CHECK(t2 == t, "%s: \"%s\" parses to %lld, not %lld", what, buf, (long long)t2,
               (long long)t);
    FUZZ_CHECK(off2 % 60 == 0 && off2 - offset < 60 && offset - off2 < 60,
               "%s: \"%s\" offset %d, not %d", what, buf, off2, offset);
}

/* The bytes as text: RFC 3339 and plain dates. */
static void
fuzz_strings(const char *s)
{
    hl_time t = 0;
    int64_t days = 0;
    int offset = 0;

    if (datetime_parse_rfc3339(s, &t, &offset)) {
        struct civil_time c;

        FUZZ_CHECK(t >= T_MIN - 86400 && t <= T_MAX + 86400, "\"%s\" -> %lld out of range", s,
                   (long long)t);
        FUZZ_CHECK(offset % 60 == 0 && offset > -24 * 3600 && offset < 24 * 3600,
                   "\"%s\": offset %d", s, offset);
        FUZZ_CHECK(datetime_parse_rfc3339(s, &t, NULL), "offset NULL changes the answer");
        datetime_civil_at_offset(t, offset, &c);
        check_civil(&c, t, "rfc3339");
        check_format(t, offset, "rfc3339");
        check_format(t, 0, "rfc3339 utc");
    }
    if (datetime_parse_date(s, &days)) {
        char buf[16];
        int y, m, d;

        datetime_format_date(days, buf, sizeof buf);
        FUZZ_CHECK(strcmp(buf, s) == 0, "date \"%s\" formats as \"%s\"", s, buf);
        datetime_civil_from_days(days, &y, &m, &d);
        FUZZ_CHECK(y >= 1900 && y <= 9999 && datetime_valid_date(y, m, d), "date \"%s\"", s);
        FUZZ_CHECK(datetime_days_from_civil(y, m, d) == days, "date \"%s\" round trip", s);
    }
}

/* One instant through a zone. */
static void
check_instant(const struct tz *tz, hl_time t)
{
    struct civil_time c;
    char buf[64];
    hl_time back;
    int off = tz_offset_at(tz, t);

    FUZZ_CHECK(off >= -89999 && off <= 93599, "offset %d out of the TZif range", off);
    tz_to_civil(tz, t, &c);
    FUZZ_CHECK(c.offset == off, "civil offset %d, tz_offset_at %d", c.offset, off);
    check_civil(&c, t, "tz_to_civil");
    tz_format_rfc3339(tz, t, buf, sizeof buf);
    FUZZ_CHECK(c.year < 1900 || c.year > 9999 || strlen(buf) < 26, "tz_format_rfc3339 \"%s\"",
               buf);
    check_format(t, off, "tz");
    back = tz_from_civil(tz, c.year, c.month, c.day, c.hour, c.minute, c.second);
    (void)back;
}

/* The bytes as a TZif file. */
static void
fuzz_tzif(const uint8_t *data, size_t size)
{
    static const hl_time fixed[] = {
        T_MIN, -2147483648LL, -1, 0, 1, 1000000000, 1772503200, 2147483647LL, 4102444800LL,
        T_MAX,
    };
    uint64_t rng = fuzz_hash(data, size);
    struct err e;
    struct tz *tz;
    size_t i;

    err_clear(&e);
    tz = tz_parse("Fuzz/Zone", data, size, &e);
    if (tz == NULL) {
        FUZZ_CHECK(e.code == HL_EINVAL && e.msg[0] != '\0', "tz_parse failed without error");
        return;
    }
    FUZZ_CHECK(strcmp(tz_name(tz), "Fuzz/Zone") == 0, "tz_name \"%s\"", tz_name(tz));
    for (i = 0; i < ARRAY_SIZE(fixed); i++)
        check_instant(tz, fixed[i]);
    for (i = 0; i < 16; i++) {
        hl_time t = T_MIN + (hl_time)(fuzz_next(&rng) % (uint64_t)(T_MAX - T_MIN));

        check_instant(tz, t);
    }
    for (i = 0; i < 8; i++) {
        int y = 1900 + (int)(fuzz_next(&rng) % 8100);
        int m = 1 + (int)(fuzz_next(&rng) % 12);
        hl_time t = tz_from_civil(tz, y, m, 1 + (int)(fuzz_next(&rng) % 28), 2, 30, 0);

        check_instant(tz, t);
    }
    tz_free(&tz);
    FUZZ_CHECK(tz == NULL, "tz_free did not NULL the pointer");
}

/* Day numbers and civil dates agree over the supported years. */
static void
fuzz_days(const uint8_t *data, size_t size)
{
    uint64_t rng = fuzz_hash(data, size) ^ UINT64_C(0xda7e);
    int64_t lo = datetime_days_from_civil(1900, 1, 1);
    int64_t hi = datetime_days_from_civil(9999, 12, 31);
    int i;

    for (i = 0; i < 8; i++) {
        int64_t days = lo + (int64_t)(fuzz_next(&rng) % (uint64_t)(hi - lo + 1));
        int y, m, d, wd;

        datetime_civil_from_days(days, &y, &m, &d);
        FUZZ_CHECK(datetime_valid_date(y, m, d), "day %lld -> %d-%d-%d", (long long)days, y, m,
                   d);
        FUZZ_CHECK(datetime_days_from_civil(y, m, d) == days, "day %lld round trip",
                   (long long)days);
        wd = datetime_weekday(days);
        FUZZ_CHECK(wd >= 1 && wd <= 7 && datetime_weekday(days + 1) == wd % 7 + 1,
                   "weekday of %lld", (long long)days);
    }
}

/* One input: the same bytes as date strings and as a TZif file. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstr(data, size);

    fuzz_strings(s);
    free(s);
    fuzz_tzif(data, size);
    fuzz_days(data, size);
    return 0;
}
