/* cmd_calendar: `hotlined calendar due|show|check`, the holiday calendar from the command line. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hotline/calendar.h"
#include "hotline/datetime.h"
#include "hotline/tz.h"
#include "hotline/util.h"
#include "cmd.h"
#include "paths.h"

#define DEFAULT_ZONE "Asia/Shanghai"
#define CALENDAR_FILE "holidays-cn.json"
#define WORKDAYS_MAX 3650

static const char calendar_help[] =
    "usage: hotlined calendar COMMAND [OPTIONS]\n"
    "\n"
    "The official holiday calendar (State Council notices with make-up working days)\n"
    "that ticket deadlines are counted in.\n"
    "\n"
    "commands:\n"
    "  due     the deadline N working days after an acceptance time\n"
    "  show    a month as a calendar grid with holidays and make-up working days\n"
    "  check   whether a year is in the calendar, and its working-day count\n"
    "\n"
    "Run `hotlined calendar COMMAND --help` for a command's options.\n";

static const char due_help[] =
    "usage: hotlined calendar due --workdays N [--from TIME] [--mode MODE] [--tz ZONE]\n"
    "                             [--data DIR]\n"
    "\n"
    "Print the deadline N working days after TIME as RFC 3339 in the centre's zone.\n"
    "Counting starts on the day after the local date of TIME, so a request accepted on\n"
    "a weekend or holiday counts from the next working day; make-up weekend working\n"
    "days (调休上班) count. A year missing from the calendar is counted Monday-Friday\n"
    "and a warning goes to stderr.\n"
    "\n"
    "options:\n"
    "  --from TIME     acceptance time, e.g. 2026-02-13T10:00:00+08:00 (default: now)\n"
    "  --workdays N    number of working days, 0 to 3650 (0: the day of acceptance)\n"
    "  --mode MODE     end_of_day: 23:59:59 local on the last day (default);\n"
    "                  same_time: the acceptance clock time on that day\n"
    "  --tz ZONE       the centre's time zone, an IANA name or +HH:MM (default Asia/Shanghai)\n"
    "  --data DIR      directory holding " CALENDAR_FILE "\n"
    "  --help          this text\n"
    "\n"
    "example: hotlined calendar due --from 2026-02-13T10:00:00+08:00 --workdays 2\n"
    "         2026-02-24T23:59:59+08:00\n";

static const char show_help[] =
    "usage: hotlined calendar show [YYYY-MM] [--tz ZONE] [--data DIR]\n"
    "\n"
    "Print a month (default: the current month in ZONE) as a grid, Monday first, with\n"
    "public holidays marked * and make-up working days marked +, then the month's\n"
    "holidays and its number of working days.\n"
    "\n"
    "options:\n"
    "  --tz ZONE       time zone for \"today\" (default Asia/Shanghai)\n"
    "  --data DIR      directory holding " CALENDAR_FILE "\n"
    "  --help          this text\n";

static const char check_help[] =
    "usage: hotlined calendar check [YEAR] [--data DIR]\n"
    "\n"
    "Validate the holiday calendar. With YEAR, exit 0 and print its working-day count\n"
    "when the year is loaded, exit 1 when it is missing (deadlines in that year would\n"
    "assume Monday-Friday). Without YEAR, print one line per loaded year.\n"
    "\n"
    "options:\n"
    "  --data DIR      directory holding " CALENDAR_FILE "\n"
    "  --help          this text\n";

/* The options any calendar subcommand may get; NULL when not given. */
struct opts {
    const char *from;
    const char *workdays;
    const char *mode;
    const char *tz;
    const char *data;
    const char *arg;        /* the one positional argument */
    bool help;
};

/* One recognised option: its name and where its value goes. */
struct opt_spec {
    const char *name;
    size_t offset;          /* offsetof(struct opts, field) */
};

/* Print "hotlined calendar SUB: message (see --help)" on stderr; returns EXIT_USAGE. */
static __attribute__((format(printf, 2, 3))) int
usage_error(const char *sub, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "hotlined calendar%s%s: ", sub != NULL ? " " : "", sub != NULL ? sub : "");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see `hotlined calendar%s%s --help`)\n", sub != NULL ? " " : "",
            sub != NULL ? sub : "");
    return EXIT_USAGE;
}

/* Parse argv[1..] against specs into o; returns EXIT_OK_ or EXIT_USAGE (message printed). */
static int
parse_opts(const char *sub, int argc, char **argv, const struct opt_spec *specs, size_t nspecs,
           bool positional, struct opts *o)
{
    memset(o, 0, sizeof *o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *eq;
        size_t nlen;
        bool matched = false;

        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            o->help = true;
            continue;
        }
        if (a[0] != '-' || a[1] == '\0' || (a[1] >= '0' && a[1] <= '9')) {
            if (!positional)
                return usage_error(sub, "unexpected argument '%s'", a);
            if (o->arg != NULL)
                return usage_error(sub, "one argument expected, got '%s' and '%s'", o->arg, a);
            o->arg = a;
            continue;
        }
        eq = strchr(a, '=');
        nlen = eq != NULL ? (size_t)(eq - a) : strlen(a);
        for (size_t s = 0; s < nspecs; s++) {
            const char **slot;

            if (strlen(specs[s].name) != nlen || strncmp(a, specs[s].name, nlen) != 0)
                continue;
            slot = (const char **)(void *)((char *)o + specs[s].offset);
            if (*slot != NULL)
                return usage_error(sub, "%s given twice", specs[s].name);
            if (eq != NULL) {
                *slot = eq + 1;
            } else {
                if (i + 1 >= argc)
                    return usage_error(sub, "%s needs a value", specs[s].name);
                *slot = argv[++i];
            }
            matched = true;
            break;
        }
        if (!matched)
            return usage_error(sub, "unknown option '%s'", a);
    }
    return EXIT_OK_;
}

/* Load the holiday calendar from --data DIR or the default data path. */
static struct calendar *
load_calendar(const char *sub, const char *dir, char *path, size_t pathsz)
{
    struct err e;
    struct calendar *cal;
    int n;

    if (dir != NULL) {
        n = snprintf(path, pathsz, "%s/%s", dir, CALENDAR_FILE);
        if (n < 0 || (size_t)n >= pathsz) {
            fprintf(stderr, "hotlined calendar %s: --data path too long\n", sub);
            return NULL;
        }
    } else if (!data_path(CALENDAR_FILE, path, pathsz)) {
        fprintf(stderr, "hotlined calendar %s: data path too long\n", sub);
        return NULL;
    }
    cal = calendar_load(path, &e);
    if (cal == NULL)
        fprintf(stderr, "hotlined calendar %s: %s\n", sub, e.msg);
    return cal;
}

/* Load the zone named by --tz (an IANA name or a fixed "+HH:MM"); *code gets the exit code. */
static struct tz *
load_zone(const char *sub, const char *name, int *code)
{
    struct err e;
    struct tz *tz;
    int h, m;

    if (name == NULL)
        name = DEFAULT_ZONE;
    if (strlen(name) == 6 && (name[0] == '+' || name[0] == '-') && name[3] == ':') {
        long lh, lm;
        char hh[3] = { name[1], name[2], '\0' }, mm[3] = { name[4], name[5], '\0' };

        if (hh[0] < '0' || hh[0] > '9' || mm[0] < '0' || mm[0] > '9'
            || !str_to_long(hh, 0, 23, &lh) || !str_to_long(mm, 0, 59, &lm)) {
            *code = usage_error(sub, "--tz '%s' is not an offset +HH:MM", name);
            return NULL;
        }
        h = (int)lh;
        m = (int)lm;
        return tz_fixed(name, (name[0] == '-' ? -1 : 1) * (h * 3600 + m * 60));
    }
    tz = tz_load(name, &e);
    if (tz == NULL) {
        if (e.code == HL_EIO) {
            fprintf(stderr, "hotlined calendar %s: %s\n", sub, e.msg);
            *code = EXIT_RUNTIME;
        } else {
            *code = usage_error(sub, "--tz: %s", e.msg);
        }
    }
    return tz;
}

/* Warn on stderr when a year in first..last is loaded but unconfirmed. */
static void
warn_unconfirmed(const char *sub, const struct calendar *cal, int first, int last)
{
    for (int y = first; y <= last && y - first < 20; y++) {
        if (calendar_year_unconfirmed(cal, y))
            fprintf(stderr,
                    "hotlined calendar %s: warning: the %d calendar is marked unconfirmed; "
                    "check it against the State Council notice\n",
                    sub, y);
    }
}

/* `calendar due`. */
static int
cmd_due(int argc, char **argv)
{
    static const struct opt_spec specs[] = {
        { "--from", offsetof(struct opts, from) },
        { "--workdays", offsetof(struct opts, workdays) },
        { "--mode", offsetof(struct opts, mode) },
        { "--tz", offsetof(struct opts, tz) },
        { "--data", offsetof(struct opts, data) },
    };
    struct opts o;
    struct calendar *cal = NULL;
    struct tz *tz = NULL;
    struct deadline dl;
    enum deadline_mode mode = DEADLINE_END_OF_DAY;
    char path[4096], buf[32];
    hl_time from;
    long n;
    int code = parse_opts("due", argc, argv, specs, ARRAY_SIZE(specs), false, &o);
    struct civil_time a, b;

    if (code != EXIT_OK_)
        return code;
    if (o.help) {
        fputs(due_help, stdout);
        return EXIT_OK_;
    }
    if (o.workdays == NULL)
        return usage_error("due", "--workdays N is required");
    if (!str_to_long(o.workdays, 0, WORKDAYS_MAX, &n))
        return usage_error("due", "--workdays must be a whole number from 0 to %d, not '%s'",
                           WORKDAYS_MAX, o.workdays);
    if (o.from == NULL)
        from = (hl_time)time(NULL);
    else if (!datetime_parse_rfc3339(o.from, &from, NULL))
        return usage_error("due",
                           "--from '%s' is not an RFC 3339 time like 2026-02-13T10:00:00+08:00",
                           o.from);
    if (o.mode != NULL) {
        if (strcmp(o.mode, "end_of_day") == 0)
            mode = DEADLINE_END_OF_DAY;
        else if (strcmp(o.mode, "same_time") == 0)
            mode = DEADLINE_SAME_TIME;
        else
            return usage_error("due", "--mode must be end_of_day or same_time, not '%s'",
                               o.mode);
    }
    tz = load_zone("due", o.tz, &code);
    if (tz == NULL)
        goto out;
    cal = load_calendar("due", o.data, path, sizeof path);
    if (cal == NULL) {
        code = EXIT_RUNTIME;
        goto out;
    }
    calendar_deadline(cal, tz, from, (int)n, mode, &dl);
    tz_format_rfc3339(tz, dl.due, buf, sizeof buf);
    printf("%s\n", buf);
    if (dl.fallback)
        fprintf(stderr, "hotlined calendar due: warning: %s\n", dl.warning);
    tz_to_civil(tz, from, &a);
    tz_to_civil(tz, dl.due, &b);
    warn_unconfirmed("due", cal, a.year, b.year);
    code = EXIT_OK_;
out:
    calendar_free(&cal);
    tz_free(&tz);
    return code;
}

/* Parse "YYYY-MM" strictly. */
static bool
parse_month(const char *s, int *year, int *month)
{
    char tmp[16];
    int64_t d;
    int y, m, dd;

    if (strlen(s) != 7 || s[4] != '-')
        return false;
    /* Reuse the strict date parser on the first of the month. */
    snprintf(tmp, sizeof tmp, "%s-01", s);
    if (!datetime_parse_date(tmp, &d))
        return false;
    datetime_civil_from_days(d, &y, &m, &dd);
    *year = y;
    *month = m;
    return true;
}

/* Append one grid cell for a day. */
static void
grid_cell(struct strbuf *sb, const struct calendar *cal, int64_t day, int dom, bool *fallback)
{
    bool fb = false;
    enum day_kind k = calendar_day_kind(cal, day, &fb, NULL);
    char mark = ' ';

    if (k == DAY_HOLIDAY)
        mark = '*';
    else if (k == DAY_MAKEUP_WORKDAY)
        mark = '+';
    *fallback = *fallback || fb;
    strbuf_addf(sb, " %3d%c", dom, mark);
}

/* Drop trailing spaces and end the line. */
static void
end_line(struct strbuf *sb)
{
    while (sb->len > 0 && sb->buf[sb->len - 1] == ' ')
        sb->buf[--sb->len] = '\0';
    strbuf_addc(sb, '\n');
}

/* `calendar show`. */
static int
cmd_show(int argc, char **argv)
{
    static const struct opt_spec specs[] = {
        { "--tz", offsetof(struct opts, tz) },
        { "--data", offsetof(struct opts, data) },
    };
    static const char *const month_names[12] = {
        "January", "February", "March", "April", "May", "June", "July", "August",
        "September", "October", "November", "December",
    };
    static const char *const wd_names[7] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
    struct opts o;
    struct calendar *cal = NULL;
    struct tz *tz = NULL;
    struct strbuf sb;
    struct civil_time now;
    char path[4096], d1[11], d2[11];
    int year, month, ndays, working = 0, col;
    int64_t first, last;
    bool fallback = false, any = false;
    int code = parse_opts("show", argc, argv, specs, ARRAY_SIZE(specs), true, &o);

    strbuf_init(&sb);
    if (code != EXIT_OK_)
        return code;
    if (o.help) {
        fputs(show_help, stdout);
        return EXIT_OK_;
    }
    if (o.arg != NULL && !parse_month(o.arg, &year, &month))
        return usage_error("show", "'%s' is not a month YYYY-MM (1900-9999)", o.arg);
    tz = load_zone("show", o.tz, &code);
    if (tz == NULL)
        goto out;
    tz_to_civil(tz, (hl_time)time(NULL), &now);
    if (o.arg == NULL) {
        year = now.year;
        month = now.month;
    }
    cal = load_calendar("show", o.data, path, sizeof path);
    if (cal == NULL) {
        code = EXIT_RUNTIME;
        goto out;
    }
    first = datetime_days_from_civil(year, month, 1);
    last = datetime_days_from_civil(year, month + 1, 1) - 1;
    ndays = (int)(last - first + 1);

    strbuf_addf(&sb, "%s %d\n", month_names[month - 1], year);
    for (int i = 0; i < 7; i++)
        strbuf_addf(&sb, " %3s ", wd_names[i]);
    end_line(&sb);
    col = datetime_weekday(first) - 1;
    for (int i = 0; i < col; i++)
        strbuf_adds(&sb, "     ");
    for (int dom = 1; dom <= ndays; dom++) {
        grid_cell(&sb, cal, first + dom - 1, dom, &fallback);
        if (calendar_is_workday(cal, first + dom - 1, NULL))
            working++;
        if (++col == 7 || dom == ndays) {
            end_line(&sb);
            col = 0;
        }
    }
    strbuf_adds(&sb, "\n  *  public holiday, a rest day\n"
                     "  +  make-up working day (调休上班), a weekend day that is worked\n"
                     "     other Saturdays and Sundays are rest days, other weekdays working days\n\n");

    for (size_t i = 0; i < calendar_holiday_count(cal); i++) {
        struct calendar_holiday h;

        if (!calendar_holiday_get(cal, i, &h) || h.to < first || h.from > last)
            continue;
        if (!any)
            strbuf_adds(&sb, "Holidays:\n");
        any = true;
        datetime_format_date(h.from, d1, sizeof d1);
        datetime_format_date(h.to, d2, sizeof d2);
        if (h.from == h.to)
            strbuf_addf(&sb, "  %s              ", d1);
        else
            strbuf_addf(&sb, "  %s .. %s", d1, d2);
        strbuf_addf(&sb, "  %s%s%s (%lld day%s off)\n", h.name_en != NULL ? h.name_en : "",
                    h.name_en != NULL ? " " : "", h.name_zh, (long long)(h.to - h.from + 1),
                    h.to == h.from ? "" : "s");
    }
    any = false;
    for (int64_t d = first; d <= last; d++) {
        if (calendar_day_kind(cal, d, NULL, NULL) != DAY_MAKEUP_WORKDAY)
            continue;
        datetime_format_date(d, d1, sizeof d1);
        strbuf_addf(&sb, "%s%s %s", any ? ", " : "Make-up working days: ", d1,
                    wd_names[datetime_weekday(d) - 1]);
        any = true;
    }
    if (any)
        strbuf_addc(&sb, '\n');
    strbuf_addf(&sb, "Working days: %d of %d\n", working, ndays);
    if (now.year == year && now.month == month)
        strbuf_addf(&sb, "Today (%s): %04d-%02d-%02d %s\n", tz_name(tz), now.year, now.month,
                    now.day, wd_names[now.weekday - 1]);
    fputs(sb.buf, stdout);
    if (fallback)
        fprintf(stderr,
                "hotlined calendar show: warning: holiday calendar has no %d: assumed "
                "Monday-Friday working days; run `hotlined calendar check %d`\n",
                year, year);
    warn_unconfirmed("show", cal, year, year);
    code = EXIT_OK_;
out:
    strbuf_fini(&sb);
    calendar_free(&cal);
    tz_free(&tz);
    return code;
}

/* Print the one-line summary of a loaded year. */
static void
year_summary(const struct calendar *cal, int year)
{
    int64_t jan1 = datetime_days_from_civil(year, 1, 1);
    int64_t dec31 = datetime_days_from_civil(year, 12, 31);
    int off = 0, makeup = 0, ranges = 0;

    for (int64_t d = jan1; d <= dec31; d++) {
        enum day_kind k = calendar_day_kind(cal, d, NULL, NULL);

        off += k == DAY_HOLIDAY;
        makeup += k == DAY_MAKEUP_WORKDAY;
    }
    for (size_t i = 0; i < calendar_holiday_count(cal); i++) {
        struct calendar_holiday h;

        if (calendar_holiday_get(cal, i, &h) && h.to >= jan1 && h.to <= dec31)
            ranges++;
    }
    printf("%d: %d working days, %d holiday%s (%d day%s off), %d make-up working day%s; %s\n",
           year, calendar_workdays_between(cal, jan1 - 1, dec31, NULL), ranges,
           ranges == 1 ? "" : "s", off, off == 1 ? "" : "s", makeup, makeup == 1 ? "" : "s",
           calendar_year_unconfirmed(cal, year)
               ? "UNCONFIRMED: check it against the State Council notice"
               : "confirmed");
}

/* `calendar check`. */
static int
cmd_check(int argc, char **argv)
{
    static const struct opt_spec specs[] = {
        { "--data", offsetof(struct opts, data) },
    };
    struct opts o;
    struct calendar *cal = NULL;
    char path[4096];
    long year = 0;
    int first, last;
    int code = parse_opts("check", argc, argv, specs, ARRAY_SIZE(specs), true, &o);

    if (code != EXIT_OK_)
        return code;
    if (o.help) {
        fputs(check_help, stdout);
        return EXIT_OK_;
    }
    if (o.arg != NULL && (strlen(o.arg) != 4 || o.arg[0] < '0' || o.arg[0] > '9'
                          || !str_to_long(o.arg, 1900, 9999, &year)))
        return usage_error("check", "'%s' is not a year from 1900 to 9999", o.arg);
    cal = load_calendar("check", o.data, path, sizeof path);
    if (cal == NULL)
        return EXIT_RUNTIME;
    calendar_year_range(cal, &first, &last);
    if (o.arg == NULL) {
        for (int y = first; y <= last; y++) {
            if (calendar_has_year(cal, y))
                year_summary(cal, y);
        }
        printf("%s: valid, %s\n", path, calendar_version(cal));
        code = EXIT_OK_;
    } else if (!calendar_has_year(cal, (int)year)) {
        fprintf(stderr,
                "hotlined calendar check: %ld is not in %s (it has %d-%d): add the State "
                "Council notice for %ld under \"years\" (format in data/README.md); until "
                "then %ld deadlines assume Monday-Friday working days\n",
                year, path, first, last, year, year);
        code = EXIT_RUNTIME;
    } else {
        year_summary(cal, (int)year);
        code = EXIT_OK_;
    }
    calendar_free(&cal);
    return code;
}

/* Run `hotlined calendar ...`. */
int
cmd_calendar(int argc, char **argv)
{
    const char *sub = argc > 1 ? argv[1] : NULL;

    if (sub == NULL)
        return usage_error(NULL, "missing command: due, show or check");
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 || strcmp(sub, "help") == 0) {
        fputs(calendar_help, stdout);
        return EXIT_OK_;
    }
    if (strcmp(sub, "due") == 0)
        return cmd_due(argc - 1, argv + 1);
    if (strcmp(sub, "show") == 0)
        return cmd_show(argc - 1, argv + 1);
    if (strcmp(sub, "check") == 0)
        return cmd_check(argc - 1, argv + 1);
    return usage_error(NULL, "unknown command '%s'; expected due, show or check", sub);
}
