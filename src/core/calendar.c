/* calendar: the official holiday calendar with make-up working days, working-day arithmetic and deadlines. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "hotline/calendar.h"
#include "hotline/codec.h"
#include "hotline/text.h"
#include "hotline/util.h"

/* Bounds on what a calendar file may hold. */
#define CAL_FILE_MAX (4 * 1024 * 1024)
#define CAL_YEARS_MAX 1000
#define CAL_YEAR_MIN 1900
#define CAL_YEAR_MAX 9999
#define CAL_HOLIDAYS_PER_YEAR 64
#define CAL_WORKDAYS_PER_YEAR 64
#define CAL_RANGE_DAYS_MAX 31
#define CAL_NAME_MAX 96

/* What the file says about one day of a loaded year. */
enum mark {
    MARK_NONE = 0,      /* the weekday decides */
    MARK_HOLIDAY,       /* inside a holiday range */
    MARK_MAKEUP,        /* listed in workdays */
};

/* One loaded year: a mark per day and the holiday of each holiday day. */
struct cal_year {
    int year;
    bool unconfirmed;
    int64_t jan1;                   /* day number of January 1 */
    uint8_t mark[366];              /* enum mark */
    uint16_t holiday[366];          /* index + 1 into calendar.holidays, 0 for none */
};

/* One holiday range as read from the file. */
struct cal_holiday {
    int64_t from, to;
    int year;                       /* the year entry that listed it */
    char *name_zh;
    char *name_en;
};

struct calendar {
    int version;
    char tag[64];
    struct cal_year *years;         /* ascending by year */
    size_t nyears;
    struct cal_holiday *holidays;   /* ascending by from */
    size_t nholidays;
};

/* A day number's civil year. */
static int
year_of(int64_t day)
{
    int y;

    datetime_civil_from_days(day, &y, NULL, NULL);
    return y;
}

/* The loaded year containing a day number, or NULL. */
static const struct cal_year *
find_year(const struct calendar *cal, int year)
{
    size_t lo = 0, hi;

    if (cal == NULL)
        return NULL;
    hi = cal->nyears;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (cal->years[mid].year == year)
            return &cal->years[mid];
        if (cal->years[mid].year < year)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Order years ascending (qsort). */
static int
cmp_year(const void *a, const void *b)
{
    const struct cal_year *x = a, *y = b;

    return (x->year > y->year) - (x->year < y->year);
}

/* Order holidays by start date (qsort). */
static int
cmp_holiday(const void *a, const void *b)
{
    const struct cal_holiday *x = a, *y = b;

    return (x->from > y->from) - (x->from < y->from);
}

/* Parsing state: where messages point and what has been read so far. */
struct loader {
    const char *src;        /* file name or "holiday calendar" */
    struct err *e;
    struct calendar *cal;
    size_t cap_years;
    size_t cap_holidays;
};

/* Fail with "src: path: message" and the error's field set to the JSON path. */
static __attribute__((format(printf, 3, 4))) bool
fail(struct loader *ld, const char *path, const char *fmt, ...)
{
    char msg[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    err_set(ld->e, HL_EINVAL, path, "%s: %s: %s", ld->src, path, msg);
    return false;
}

/* True when s is a short, printable, valid UTF-8 name. */
static bool
name_ok(const char *s)
{
    size_t len = strnlen(s, CAL_NAME_MAX + 1);

    if (len == 0 || len > CAL_NAME_MAX || !text_utf8_valid(s, len))
        return false;
    for (size_t i = 0; i < len; i++) {
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return false;
    }
    return true;
}

/* Read a required "YYYY-MM-DD" member of obj into *day. */
static bool
get_date(struct loader *ld, const cJSON *obj, const char *key, const char *path,
         const char *what, int64_t *day)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

    if (it == NULL)
        return fail(ld, path, "%s: missing \"%s\"", what, key);
    if (!cJSON_IsString(it) || !datetime_parse_date(it->valuestring, day))
        return fail(ld, path, "%s: \"%s\" must be a real date \"YYYY-MM-DD\" (1900-9999)",
                    what, key);
    return true;
}

/* Read an optional string member that must be a valid name; *out NULL when absent. */
static bool
get_name(struct loader *ld, const cJSON *obj, const char *key, bool required,
         const char *path, const char *what, const char **out)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

    *out = NULL;
    if (it == NULL) {
        if (required)
            return fail(ld, path, "%s: missing \"%s\"", what, key);
        return true;
    }
    if (!cJSON_IsString(it) || !name_ok(it->valuestring))
        return fail(ld, path,
                    "%s: \"%s\" must be a non-empty UTF-8 string of at most %d bytes", what,
                    key, CAL_NAME_MAX);
    *out = it->valuestring;
    return true;
}

/* Read one holiday object of a year. */
static bool
load_holiday(struct loader *ld, int year, size_t i, const cJSON *h)
{
    char path[96], what[192];
    const char *zh, *en;
    int64_t from, to, bfrom, bto;
    const cJSON *days;
    struct cal_holiday *out;

    snprintf(path, sizeof path, "years.%d.holidays[%zu]", year, i);
    snprintf(what, sizeof what, "holiday %zu", i + 1);
    if (!cJSON_IsObject(h))
        return fail(ld, path, "%s: must be an object {from, to, name_zh}", what);
    if (!get_name(ld, h, "name_zh", true, path, what, &zh))
        return false;
    snprintf(what, sizeof what, "holiday %zu (%s)", i + 1, zh);
    if (!get_name(ld, h, "name_en", false, path, what, &en))
        return false;
    if (!get_date(ld, h, "from", path, what, &from) || !get_date(ld, h, "to", path, what, &to))
        return false;
    if (from > to)
        return fail(ld, path, "%s: \"from\" is after \"to\"", what);
    if (to - from + 1 > CAL_RANGE_DAYS_MAX)
        return fail(ld, path, "%s: %lld days is longer than %d days", what,
                    (long long)(to - from + 1), CAL_RANGE_DAYS_MAX);
    if (year_of(to) < year || year_of(from) > year || year_of(from) < year - 1
        || year_of(to) > year + 1)
        return fail(ld, path, "%s: the range does not fall in %d", what, year);
    days = cJSON_GetObjectItemCaseSensitive(h, "days");
    if (days != NULL && (!cJSON_IsNumber(days) || days->valuedouble != (double)(to - from + 1)))
        return fail(ld, path, "%s: \"days\" must be %lld, the number of dates from..to", what,
                    (long long)(to - from + 1));
    if (cJSON_GetObjectItemCaseSensitive(h, "break_from") != NULL
        || cJSON_GetObjectItemCaseSensitive(h, "break_to") != NULL) {
        if (!get_date(ld, h, "break_from", path, what, &bfrom)
            || !get_date(ld, h, "break_to", path, what, &bto))
            return false;
        if (bfrom > from || bto < to)
            return fail(ld, path, "%s: break_from..break_to must contain from..to", what);
    }
    if (ld->cal->nholidays == ld->cap_holidays) {
        ld->cap_holidays = ld->cap_holidays != 0 ? ld->cap_holidays * 2 : 16;
        ld->cal->holidays = xrealloc(ld->cal->holidays,
                                     ld->cap_holidays * sizeof *ld->cal->holidays);
    }
    out = &ld->cal->holidays[ld->cal->nholidays++];
    out->from = from;
    out->to = to;
    out->year = year;
    out->name_zh = xstrdup(zh);
    out->name_en = xstrdup(en);
    return true;
}

/* Read one year entry (its holidays; workdays are applied later). */
static bool
load_year(struct loader *ld, const cJSON *y)
{
    char path[64];
    long year;
    const cJSON *unc, *hols, *work, *h;
    struct cal_year *cy;
    size_t i = 0;

    snprintf(path, sizeof path, "years.%.16s", y->string != NULL ? y->string : "?");
    if (y->string == NULL || strlen(y->string) != 4
        || !str_to_long(y->string, CAL_YEAR_MIN, CAL_YEAR_MAX, &year)
        || y->string[0] == '+' || y->string[0] == '-')
        return fail(ld, path, "year keys must be four digits from %d to %d", CAL_YEAR_MIN,
                    CAL_YEAR_MAX);
    if (!cJSON_IsObject(y))
        return fail(ld, path, "must be an object {unconfirmed, holidays, workdays}");
    if (find_year(ld->cal, (int)year) != NULL)
        return fail(ld, path, "year %ld is listed twice", year);
    unc = cJSON_GetObjectItemCaseSensitive(y, "unconfirmed");
    hols = cJSON_GetObjectItemCaseSensitive(y, "holidays");
    work = cJSON_GetObjectItemCaseSensitive(y, "workdays");
    if (!cJSON_IsBool(unc))
        return fail(ld, path, "\"unconfirmed\" must be true or false");
    if (!cJSON_IsArray(hols))
        return fail(ld, path, "\"holidays\" must be an array");
    if (!cJSON_IsArray(work))
        return fail(ld, path, "\"workdays\" must be an array of dates");
    if (cJSON_GetArraySize(hols) > CAL_HOLIDAYS_PER_YEAR)
        return fail(ld, path, "more than %d holidays", CAL_HOLIDAYS_PER_YEAR);
    if (cJSON_GetArraySize(work) > CAL_WORKDAYS_PER_YEAR)
        return fail(ld, path, "more than %d make-up working days", CAL_WORKDAYS_PER_YEAR);
    if (ld->cal->nyears == CAL_YEARS_MAX)
        return fail(ld, path, "more than %d years", CAL_YEARS_MAX);
    cJSON_ArrayForEach(h, hols) {
        if (!load_holiday(ld, (int)year, i, h))
            return false;
        i++;
    }
    if (ld->cal->nyears == ld->cap_years) {
        ld->cap_years = ld->cap_years != 0 ? ld->cap_years * 2 : 8;
        ld->cal->years = xrealloc(ld->cal->years, ld->cap_years * sizeof *ld->cal->years);
    }
    cy = &ld->cal->years[ld->cal->nyears++];
    memset(cy, 0, sizeof *cy);
    cy->year = (int)year;
    cy->unconfirmed = cJSON_IsTrue(unc);
    cy->jan1 = datetime_days_from_civil((int)year, 1, 1);
    /* Keep the array sorted so find_year works while loading. */
    qsort(ld->cal->years, ld->cal->nyears, sizeof *ld->cal->years, cmp_year);
    return true;
}

/* The writable table entry of a day, or NULL when its year is not loaded. */
static struct cal_year *
year_slot(struct calendar *cal, int64_t day, size_t *idx)
{
    const struct cal_year *cy = find_year(cal, year_of(day));

    if (cy == NULL)
        return NULL;
    *idx = (size_t)(day - cy->jan1);
    return &cal->years[cy - cal->years];
}

/* Mark every holiday day in the tables; overlapping ranges are an error. */
static bool
apply_holidays(struct loader *ld)
{
    struct calendar *cal = ld->cal;

    for (size_t h = 0; h < cal->nholidays; h++) {
        for (int64_t d = cal->holidays[h].from; d <= cal->holidays[h].to; d++) {
            size_t idx;
            struct cal_year *cy = year_slot(cal, d, &idx);
            char date[16], path[64];

            if (cy == NULL)
                continue;
            if (cy->mark[idx] == MARK_HOLIDAY) {
                const struct cal_holiday *o = &cal->holidays[cy->holiday[idx] - 1];

                datetime_format_date(d, date, sizeof date);
                snprintf(path, sizeof path, "years.%d.holidays", cal->holidays[h].year);
                return fail(ld, path, "holiday %s overlaps holiday %s on %s",
                            cal->holidays[h].name_zh, o->name_zh, date);
            }
            cy->mark[idx] = MARK_HOLIDAY;
            cy->holiday[idx] = (uint16_t)(h + 1);
        }
    }
    return true;
}

/* Mark the make-up working days of one year entry. */
static bool
apply_workdays(struct loader *ld, const cJSON *y)
{
    const cJSON *work = cJSON_GetObjectItemCaseSensitive(y, "workdays"), *w;
    int year = (int)strtol(y->string, NULL, 10);
    size_t i = 0;

    cJSON_ArrayForEach(w, work) {
        char path[64];
        int64_t d;
        size_t idx;
        struct cal_year *cy;
        int wd;

        snprintf(path, sizeof path, "years.%d.workdays[%zu]", year, i);
        if (!cJSON_IsString(w) || !datetime_parse_date(w->valuestring, &d))
            return fail(ld, path, "make-up working day %zu must be a real date \"YYYY-MM-DD\"",
                        i + 1);
        if (year_of(d) < year - 1 || year_of(d) > year + 1)
            return fail(ld, path, "make-up working day %s does not fall in %d",
                        w->valuestring, year);
        wd = datetime_weekday(d);
        if (wd < 6)
            return fail(ld, path,
                        "make-up working day %s is a weekday; only a Saturday or Sunday can be one",
                        w->valuestring);
        cy = year_slot(ld->cal, d, &idx);
        if (cy != NULL) {
            if (cy->mark[idx] == MARK_HOLIDAY)
                return fail(ld, path, "make-up working day %s lies inside holiday %s",
                            w->valuestring, ld->cal->holidays[cy->holiday[idx] - 1].name_zh);
            if (cy->mark[idx] == MARK_MAKEUP)
                return fail(ld, path, "make-up working day %s is listed twice",
                            w->valuestring);
            cy->mark[idx] = MARK_MAKEUP;
        }
        i++;
    }
    return true;
}

/* Line number (1-based) of byte offset off in json. */
static int
line_of(const char *json, size_t len, size_t off)
{
    int line = 1;

    for (size_t i = 0; i < off && i < len; i++) {
        if (json[i] == '\n')
            line++;
    }
    return line;
}

/* Parse with a source name for messages. */
static struct calendar *
parse_named(const char *src, const char *json, size_t len, struct err *e)
{
    struct loader ld = { .src = src, .e = e };
    cJSON *root = NULL;
    const cJSON *ver, *years, *y;
    const char *end = NULL;
    bool ok = false;

    err_clear(e);
    ld.cal = xcalloc(1, sizeof *ld.cal);
    if (json == NULL) {
        err_set(e, HL_EINVAL, "", "%s: no data", src);
        goto out;
    }
    root = cJSON_ParseWithLengthOpts(json, len, &end, false);
    if (root == NULL) {
        size_t off = end != NULL && end >= json ? (size_t)(end - json) : 0;

        err_set(e, HL_EINVAL, "", "%s:%d: malformed JSON", src, line_of(json, len, off));
        goto out;
    }
    if (end != NULL) {
        size_t off = (size_t)(end - json);

        while (off < len && (json[off] == ' ' || json[off] == '\n' || json[off] == '\r'
                             || json[off] == '\t'))
            off++;
        if (off < len && json[off] != '\0') {
            err_set(e, HL_EINVAL, "", "%s:%d: unexpected text after the JSON value", src,
                    line_of(json, len, off));
            goto out;
        }
    }
    if (codec_check_strict(json, len, src, e) != HL_OK)
        goto out;
    if (!cJSON_IsObject(root)) {
        fail(&ld, "(root)", "must be a JSON object {version, years}");
        goto out;
    }
    ver = cJSON_GetObjectItemCaseSensitive(root, "version");
    if (!cJSON_IsNumber(ver) || ver->valuedouble < 1 || ver->valuedouble > 1000000
        || ver->valuedouble != (double)(int)ver->valuedouble) {
        fail(&ld, "version", "\"version\" must be a positive integer");
        goto out;
    }
    ld.cal->version = (int)ver->valuedouble;
    years = cJSON_GetObjectItemCaseSensitive(root, "years");
    if (!cJSON_IsObject(years) || years->child == NULL) {
        fail(&ld, "years", "\"years\" must be an object with at least one year");
        goto out;
    }
    cJSON_ArrayForEach(y, years) {
        if (!load_year(&ld, y))
            goto out;
    }
    if (ld.cal->nholidays > 0)
        qsort(ld.cal->holidays, ld.cal->nholidays, sizeof *ld.cal->holidays, cmp_holiday);
    if (!apply_holidays(&ld))
        goto out;
    cJSON_ArrayForEach(y, years) {
        if (!apply_workdays(&ld, y))
            goto out;
    }
    snprintf(ld.cal->tag, sizeof ld.cal->tag, "holidays-cn/%d:%d-%d", ld.cal->version,
             ld.cal->years[0].year, ld.cal->years[ld.cal->nyears - 1].year);
    ok = true;
out:
    cJSON_Delete(root);
    if (!ok)
        calendar_free(&ld.cal);
    return ld.cal;
}

/* Parse holiday calendar JSON. */
struct calendar *
calendar_parse(const char *json, size_t len, struct err *e)
{
    return parse_named("holiday calendar", json, len, e);
}

/* Load the holiday calendar from a file. */
struct calendar *
calendar_load(const char *path, struct err *e)
{
    struct calendar *cal = NULL;
    size_t len = 0;
    char *data;

    data = file_load(path, "holiday calendar", CAL_FILE_MAX, &len, e);
    if (data == NULL)
        goto out;
    cal = parse_named(path, data, len, e);
out:
    free(data);
    return cal;
}

/* Free a calendar and NULL the pointer. */
void
calendar_free(struct calendar **cal)
{
    if (cal == NULL || *cal == NULL)
        return;
    for (size_t i = 0; i < (*cal)->nholidays; i++) {
        free((*cal)->holidays[i].name_zh);
        free((*cal)->holidays[i].name_en);
    }
    free((*cal)->holidays);
    free((*cal)->years);
    free(*cal);
    *cal = NULL;
}

/* Return the version tag recorded with deadlines (borrowed). */
const char *
calendar_version(const struct calendar *cal)
{
    return cal != NULL ? cal->tag : "none";
}

/* True when a year is loaded. */
bool
calendar_has_year(const struct calendar *cal, int year)
{
    return find_year(cal, year) != NULL;
}

/* Report the first and last loaded years. */
void
calendar_year_range(const struct calendar *cal, int *first, int *last)
{
    bool empty = cal == NULL || cal->nyears == 0;

    if (first != NULL)
        *first = empty ? 0 : cal->years[0].year;
    if (last != NULL)
        *last = empty ? 0 : cal->years[cal->nyears - 1].year;
}

/* True when a loaded year is marked unconfirmed. */
bool
calendar_year_unconfirmed(const struct calendar *cal, int year)
{
    const struct cal_year *cy = find_year(cal, year);

    return cy != NULL && cy->unconfirmed;
}

/* Classify a day: working day, weekend, holiday or make-up working day. */
enum day_kind
calendar_day_kind(const struct calendar *cal, int64_t day, bool *fallback,
                  const char **holiday_name)
{
    const struct cal_year *cy = find_year(cal, year_of(day));
    bool weekend = datetime_weekday(day) >= 6;
    size_t idx;

    if (fallback != NULL)
        *fallback = cy == NULL;
    if (holiday_name != NULL)
        *holiday_name = NULL;
    if (cy == NULL)
        return weekend ? DAY_WEEKEND : DAY_WORKDAY;
    idx = (size_t)(day - cy->jan1);
    if (cy->mark[idx] == MARK_HOLIDAY) {
        if (holiday_name != NULL)
            *holiday_name = cal->holidays[cy->holiday[idx] - 1].name_zh;
        return DAY_HOLIDAY;
    }
    if (cy->mark[idx] == MARK_MAKEUP)
        return DAY_MAKEUP_WORKDAY;
    return weekend ? DAY_WEEKEND : DAY_WORKDAY;
}

/* True when a day is worked. */
bool
calendar_is_workday(const struct calendar *cal, int64_t day, bool *fallback)
{
    enum day_kind k = calendar_day_kind(cal, day, fallback, NULL);

    return k == DAY_WORKDAY || k == DAY_MAKEUP_WORKDAY;
}

/* How many days after day (in direction step) lie before the loaded span; 0 when the
 * next day is already inside it, INT64_MAX when the span is never reached. */
static int64_t
room_outside(const struct calendar *cal, int64_t day, int step)
{
    int64_t lo, hi;

    if (cal == NULL || cal->nyears == 0)
        return INT64_MAX;
    lo = cal->years[0].jan1;
    hi = datetime_days_from_civil(cal->years[cal->nyears - 1].year, 12, 31);
    if (step > 0) {
        if (day >= hi)
            return INT64_MAX;
        return day + 1 < lo ? lo - 1 - day : 0;
    }
    if (day <= lo)
        return INT64_MAX;
    return day - 1 > hi ? day - 1 - hi : 0;
}

/* Step n working days from a day (backwards when n < 0). */
int64_t
calendar_add_workdays(const struct calendar *cal, int64_t day, int n, bool *fallback)
{
    int step = n < 0 ? -1 : 1;
    int64_t k = n < 0 ? -(int64_t)n : n;
    int64_t d = day;
    bool fb = false;

    while (k > 0) {
        bool f;

        if (k > 5) {
            /* Outside the loaded years every 7 days hold exactly 5 working days. */
            int64_t weeks = (k - 1) / 5;
            int64_t room = room_outside(cal, d, step) / 7;

            if (room < weeks)
                weeks = room;
            if (weeks > 0) {
                d += step * 7 * weeks;
                k -= 5 * weeks;
                fb = true;
                continue;
            }
        }
        d += step;
        if (calendar_is_workday(cal, d, &f))
            k--;
        fb = fb || f;
    }
    if (fallback != NULL)
        *fallback = fb;
    return d;
}

/* Count working days in (from_day, to_day]. */
int
calendar_workdays_between(const struct calendar *cal, int64_t from_day, int64_t to_day,
                          bool *fallback)
{
    int64_t d = from_day, count = 0;
    bool fb = false;

    while (d < to_day) {
        int64_t room = room_outside(cal, d, 1);
        int64_t weeks = (room < to_day - d ? room : to_day - d) / 7;
        bool f;

        if (weeks > 0) {
            d += 7 * weeks;
            count += 5 * weeks;
            fb = true;
            continue;
        }
        d++;
        if (calendar_is_workday(cal, d, &f))
            count++;
        fb = fb || f;
    }
    if (fallback != NULL)
        *fallback = fb;
    return count > INT32_MAX ? INT32_MAX : (int)count;
}

/* The first year from y on that is not loaded. */
static int
first_missing_year(const struct calendar *cal, int y)
{
    while (y < CAL_YEAR_MAX * 1000 && calendar_has_year(cal, y))
        y++;
    return y;
}

/* Compute a deadline n working days after an instant. */
void
calendar_deadline(const struct calendar *cal, const struct tz *tz, hl_time from, int n,
                  enum deadline_mode mode, struct deadline *out)
{
    struct civil_time c;
    int64_t day0, due_day;
    int y, m, d;
    bool fb = false;

    if (out == NULL)
        return;
    memset(out, 0, sizeof *out);
    if (n < 0)
        n = 0;
    tz_to_civil(tz, from, &c);
    day0 = datetime_days_from_civil(c.year, c.month, c.day);
    due_day = calendar_add_workdays(cal, day0, n, &fb);
    datetime_civil_from_days(due_day, &y, &m, &d);
    if (mode == DEADLINE_SAME_TIME)
        out->due = tz_from_civil(tz, y, m, d, c.hour, c.minute, c.second);
    else
        out->due = tz_from_civil(tz, y, m, d, 23, 59, 59);
    out->fallback = fb;
    if (fb) {
        int missing = first_missing_year(cal, year_of(day0 + 1));

        snprintf(out->warning, sizeof out->warning,
                 "holiday calendar has no %d: assumed Monday-Friday working days; "
                 "run `hotlined calendar check %d`",
                 missing, missing);
    }
}

/* Count the loaded holiday ranges. */
size_t
calendar_holiday_count(const struct calendar *cal)
{
    return cal != NULL ? cal->nholidays : 0;
}

/* Copy out the i-th holiday range. */
bool
calendar_holiday_get(const struct calendar *cal, size_t i, struct calendar_holiday *out)
{
    if (cal == NULL || i >= cal->nholidays || out == NULL)
        return false;
    out->from = cal->holidays[i].from;
    out->to = cal->holidays[i].to;
    out->name_zh = cal->holidays[i].name_zh;
    out->name_en = cal->holidays[i].name_en;
    return true;
}
