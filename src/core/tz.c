/* tz: IANA time zones read from the system's TZif files, independent of TZ and the machine's zone. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hotline/tz.h"
#include "hotline/util.h"

/* Limits that keep a hostile or broken file from costing much. */
#define TZ_FILE_MAX (1024 * 1024)
#define TZ_NAME_MAX 255
#define TZ_TIMECNT_MAX 65535
#define TZ_TYPECNT_MAX 256
#define TZ_CHARCNT_MAX 65535
#define TZ_LEAPCNT_MAX 65535
#define TZ_FOOTER_MAX 255
/* Largest UTC offset accepted from a file (RFC 8536 allows -89999..93599). */
#define UTOFF_MAX 93599
#define UTOFF_MIN (-89999)
#define DAY 86400

/* A local time type: offset and whether it is daylight saving time. */
struct tz_type {
    int32_t utoff;
    bool isdst;
};

/* When a POSIX TZ rule switches: a kind of date and a local time of day. */
struct tz_when {
    char kind;          /* 'J' (1-365, no Feb 29), 'N' (0-365), 'M' (month.week.day) */
    int a, b, c;        /* J/N: a = day; M: a = month, b = week (1-5), c = weekday (0 = Sunday) */
    int32_t secs;       /* local time of the switch, seconds (may be negative or > 24 h) */
};

/* A POSIX TZ string ("CST-8", "EST5EDT,M3.2.0,M11.1.0"), offsets east of UTC. */
struct tz_rule {
    int32_t std_off;
    int32_t dst_off;
    bool has_dst;
    struct tz_when start, end;
};

struct tz {
    char *name;
    int64_t *trans;         /* transition instants, ascending */
    uint8_t *trans_type;    /* type index after each transition */
    size_t ntrans;
    struct tz_type *types;
    size_t ntypes;
    bool has_rule;          /* footer rule for instants past the last transition */
    struct tz_rule rule;
};

/* Big-endian 32-bit signed integer at p. */
static int32_t
be32(const unsigned char *p)
{
    uint32_t v = ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8)
                 | (uint32_t)p[3];

    return (int32_t)v;
}

/* Big-endian 64-bit signed integer at p. */
static int64_t
be64(const unsigned char *p)
{
    uint64_t v = 0;

    for (int i = 0; i < 8; i++)
        v = (v << 8) | p[i];
    return (int64_t)v;
}

/* The six counts of a TZif header. */
struct tzif_counts {
    size_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

/* Read a TZif header at data[pos]; false when short, bad magic or absurd counts. */
static bool
read_header(const unsigned char *data, size_t len, size_t pos, char *version,
            struct tzif_counts *c)
{
    int32_t v[6];

    if (len < 44 || pos > len - 44 || memcmp(data + pos, "TZif", 4) != 0)
        return false;
    *version = (char)data[pos + 4];
    for (int i = 0; i < 6; i++) {
        v[i] = be32(data + pos + 20 + 4 * i);
        if (v[i] < 0)
            return false;
    }
    c->isutcnt = (size_t)v[0];
    c->isstdcnt = (size_t)v[1];
    c->leapcnt = (size_t)v[2];
    c->timecnt = (size_t)v[3];
    c->typecnt = (size_t)v[4];
    c->charcnt = (size_t)v[5];
    if (c->typecnt == 0 || c->typecnt > TZ_TYPECNT_MAX || c->timecnt > TZ_TIMECNT_MAX
        || c->charcnt > TZ_CHARCNT_MAX || c->leapcnt > TZ_LEAPCNT_MAX)
        return false;
    if ((c->isutcnt != 0 && c->isutcnt != c->typecnt)
        || (c->isstdcnt != 0 && c->isstdcnt != c->typecnt))
        return false;
    return true;
}

/* Size of the data block that follows a header, with tsize-byte times. */
static size_t
block_size(const struct tzif_counts *c, size_t tsize)
{
    return c->timecnt * tsize + c->timecnt + c->typecnt * 6 + c->charcnt
           + c->leapcnt * (tsize + 4) + c->isstdcnt + c->isutcnt;
}

/* Parse [+-]hh[:mm[:ss]] at *p into seconds; hours up to max_h. Advances *p. */
static bool
parse_hms(const char **p, int max_h, int32_t *out)
{
    const char *s = *p;
    int sign = 1, part[3] = { 0, 0, 0 };

    if (*s == '+' || *s == '-') {
        sign = *s == '-' ? -1 : 1;
        s++;
    }
    for (int i = 0; i < 3; i++) {
        int n = 0, v = 0;

        if (i > 0) {
            if (*s != ':')
                break;
            s++;
        }
        while (*s >= '0' && *s <= '9' && n < 3) {
            v = v * 10 + (*s - '0');
            s++;
            n++;
        }
        if (n == 0 || (i > 0 && n != 2))
            return false;
        part[i] = v;
    }
    if (part[0] > max_h || part[1] > 59 || part[2] > 59)
        return false;
    *out = sign * (part[0] * 3600 + part[1] * 60 + part[2]);
    *p = s;
    return true;
}

/* Skip a zone abbreviation ("CST" or "<+08>") at *p. */
static bool
skip_abbr(const char **p)
{
    const char *s = *p;
    int n = 0;

    if (*s == '<') {
        s++;
        while (*s != '>' && *s != '\0') {
            if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')
                  || (*s >= '0' && *s <= '9') || *s == '+' || *s == '-'))
                return false;
            s++;
            n++;
        }
        if (*s != '>')
            return false;
        s++;
    } else {
        while ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')) {
            s++;
            n++;
        }
    }
    if (n < 3)
        return false;
    *p = s;
    return true;
}

/* Parse a small decimal number in [min,max] at *p. */
static bool
parse_num(const char **p, int min, int max, int *out)
{
    const char *s = *p;
    int v = 0, n = 0;

    while (*s >= '0' && *s <= '9' && n < 4) {
        v = v * 10 + (*s - '0');
        s++;
        n++;
    }
    if (n == 0 || v < min || v > max)
        return false;
    *out = v;
    *p = s;
    return true;
}

/* Parse one ",date[/time]" switch rule at *p. */
static bool
parse_when(const char **p, struct tz_when *w)
{
    const char *s = *p;

    if (*s != ',')
        return false;
    s++;
    w->a = w->b = w->c = 0;
    if (*s == 'J') {
        s++;
        w->kind = 'J';
        if (!parse_num(&s, 1, 365, &w->a))
            return false;
    } else if (*s == 'M') {
        s++;
        w->kind = 'M';
        if (!parse_num(&s, 1, 12, &w->a) || *s++ != '.' || !parse_num(&s, 1, 5, &w->b)
            || *s++ != '.' || !parse_num(&s, 0, 6, &w->c))
            return false;
    } else {
        w->kind = 'N';
        if (!parse_num(&s, 0, 365, &w->a))
            return false;
    }
    w->secs = 7200;
    if (*s == '/') {
        s++;
        /* TZif v3 allows -167..167 hours here. */
        if (!parse_hms(&s, 167, &w->secs))
            return false;
    }
    *p = s;
    return true;
}

/* Parse a POSIX TZ string; an empty string gives false (no rule). */
static bool
parse_rule(const char *s, struct tz_rule *r)
{
    int32_t off;

    memset(r, 0, sizeof *r);
    if (!skip_abbr(&s) || !parse_hms(&s, 24, &off))
        return false;
    r->std_off = -off;
    if (*s == '\0')
        return true;
    if (!skip_abbr(&s))
        return false;
    r->has_dst = true;
    r->dst_off = r->std_off + 3600;
    if (*s != ',' && *s != '\0') {
        if (!parse_hms(&s, 24, &off))
            return false;
        r->dst_off = -off;
    }
    if (*s == '\0') {
        /* No rule given: the POSIX default of tzcode (US rules since 2007). */
        r->start = (struct tz_when){ 'M', 3, 2, 0, 7200 };
        r->end = (struct tz_when){ 'M', 11, 1, 0, 7200 };
        return true;
    }
    if (!parse_when(&s, &r->start) || !parse_when(&s, &r->end))
        return false;
    return *s == '\0';
}

/* Day number of a switch date in a year. */
static int64_t
when_day(const struct tz_when *w, int year)
{
    int64_t jan1 = datetime_days_from_civil(year, 1, 1);
    bool leap = datetime_valid_date(year, 2, 29);

    if (w->kind == 'J')
        return jan1 + w->a - 1 + (leap && w->a >= 60 ? 1 : 0);
    if (w->kind == 'N')
        return jan1 + w->a;
    {
        int64_t first = datetime_days_from_civil(year, w->a, 1);
        int64_t next = datetime_days_from_civil(year, w->a + 1, 1);
        int wd = datetime_weekday(first) % 7;   /* 0 = Sunday */
        int64_t d = first + (w->c - wd + 7) % 7 + 7 * (w->b - 1);

        while (d >= next)
            d -= 7;
        return d;
    }
}

/* Offset a POSIX rule gives at an instant. */
static int
rule_offset(const struct tz_rule *r, hl_time t)
{
    struct civil_time c;
    int64_t start, end;

    if (!r->has_dst)
        return r->std_off;
    datetime_civil_at_offset(t, r->std_off, &c);
    /* The start is given in standard time, the end in daylight time. */
    start = when_day(&r->start, c.year) * DAY + r->start.secs - r->std_off;
    end = when_day(&r->end, c.year) * DAY + r->end.secs - r->dst_off;
    if (start < end)
        return (t >= start && t < end) ? r->dst_off : r->std_off;
    return (t >= end && t < start) ? r->std_off : r->dst_off;
}

/* A fresh zone with a name and nothing else. */
static struct tz *
alloc_zone(const char *name)
{
    struct tz *tz = xcalloc(1, sizeof *tz);

    tz->name = xstrdup(name != NULL ? name : "");
    return tz;
}

/* Parse TZif data into a zone. */
struct tz *
tz_parse(const char *name, const unsigned char *data, size_t len, struct err *e)
{
    struct tz *tz = NULL;
    struct tzif_counts c;
    char version;
    size_t pos = 0, tsize = 4;
    const unsigned char *p;
    const char *label = name != NULL ? name : "zone";

    if (data == NULL || !read_header(data, len, 0, &version, &c)) {
        err_set(e, HL_EINVAL, label, "%s: not a TZif file (bad header)", label);
        goto fail;
    }
    pos = 44;
    if (version >= '2') {
        size_t skip = block_size(&c, 4);

        if (skip > len - pos || !read_header(data, len, pos + skip, &version, &c)) {
            err_set(e, HL_EINVAL, label, "%s: truncated TZif file (version 2 header)", label);
            goto fail;
        }
        pos += skip + 44;
        tsize = 8;
    }
    if (block_size(&c, tsize) > len - pos) {
        err_set(e, HL_EINVAL, label, "%s: truncated TZif file", label);
        goto fail;
    }
    tz = alloc_zone(name);
    tz->ntrans = c.timecnt;
    tz->ntypes = c.typecnt;
    tz->trans = xcalloc(c.timecnt + 1, sizeof *tz->trans);
    tz->trans_type = xcalloc(c.timecnt + 1, 1);
    tz->types = xcalloc(c.typecnt, sizeof *tz->types);
    p = data + pos;
    for (size_t i = 0; i < c.timecnt; i++) {
        tz->trans[i] = tsize == 8 ? be64(p + i * 8) : be32(p + i * 4);
        if (i > 0 && tz->trans[i] <= tz->trans[i - 1]) {
            err_set(e, HL_EINVAL, label, "%s: transition times are not ascending", label);
            goto fail;
        }
    }
    p += c.timecnt * tsize;
    for (size_t i = 0; i < c.timecnt; i++) {
        tz->trans_type[i] = p[i];
        if (p[i] >= c.typecnt) {
            err_set(e, HL_EINVAL, label, "%s: transition names a missing type", label);
            goto fail;
        }
    }
    p += c.timecnt;
    for (size_t i = 0; i < c.typecnt; i++) {
        int32_t off = be32(p + i * 6);

        if (off < UTOFF_MIN || off > UTOFF_MAX || p[i * 6 + 4] > 1
            || p[i * 6 + 5] >= (c.charcnt > 0 ? c.charcnt : 1)) {
            err_set(e, HL_EINVAL, label, "%s: bad local time type %zu", label, i);
            goto fail;
        }
        tz->types[i].utoff = off;
        tz->types[i].isdst = p[i * 6 + 4] != 0;
    }
    pos += block_size(&c, tsize);
    if (tsize == 8) {
        /* Footer: "\n<POSIX TZ string>\n". */
        const char *f = (const char *)data + pos + 1;
        const char *nl;
        char footer[TZ_FOOTER_MAX + 1];
        size_t flen;

        if (pos >= len || data[pos] != '\n') {
            err_set(e, HL_EINVAL, label, "%s: missing TZ string footer", label);
            goto fail;
        }
        nl = memchr(f, '\n', len - pos - 1);
        flen = nl != NULL ? (size_t)(nl - f) : 0;
        if (nl == NULL || flen > TZ_FOOTER_MAX) {
            err_set(e, HL_EINVAL, label, "%s: bad TZ string footer", label);
            goto fail;
        }
        memcpy(footer, f, flen);
        footer[flen] = '\0';
        if (flen > 0) {
            if (!parse_rule(footer, &tz->rule)) {
                err_set(e, HL_EINVAL, label, "%s: unsupported TZ string \"%s\"", label, footer);
                goto fail;
            }
            tz->has_rule = true;
        }
    }
    return tz;
fail:
    tz_free(&tz);
    return NULL;
}

/* True when a zone name is safe to join to the zoneinfo directory. */
static bool
name_ok(const char *name)
{
    size_t len;

    if (name == NULL)
        return false;
    len = strnlen(name, TZ_NAME_MAX + 1);
    if (len == 0 || len > TZ_NAME_MAX || name[0] == '/' || strstr(name, "..") != NULL)
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)name[i];

        if (ch <= ' ' || ch == '\\' || ch >= 0x7f)
            return false;
    }
    return true;
}

/* Load a zone by IANA name from $TZDIR or /usr/share/zoneinfo. */
struct tz *
tz_load(const char *name, struct err *e)
{
    const char *dir = getenv("TZDIR");
    char *path = NULL, *data = NULL;
    size_t len = 0;
    struct tz *tz = NULL;

    if (!name_ok(name)) {
        err_set(e, HL_EINVAL, "tz", "invalid time zone name \"%.64s\" (expected e.g. Asia/Shanghai)",
                name != NULL ? name : "");
        goto out;
    }
    if (str_empty(dir))
        dir = "/usr/share/zoneinfo";
    path = xasprintf("%s/%s", dir, name);
    data = file_read_all(path, TZ_FILE_MAX, &len);
    if (data == NULL) {
        int saved = errno;

        if (saved == ENOENT && (strcmp(name, "UTC") == 0 || strcmp(name, "Etc/UTC") == 0)) {
            tz = tz_fixed(name, 0);
            goto out;
        }
        if (saved == ENOENT || saved == ENOTDIR || saved == EISDIR)
            err_set(e, HL_ENOENT, "tz", "unknown time zone \"%s\" (no file %s)", name, path);
        else
            err_set(e, HL_EIO, "tz", "%s: %s", path, strerror(saved));
        goto out;
    }
    tz = tz_parse(name, (const unsigned char *)data, len, e);
    if (tz == NULL && e != NULL) {
        char msg[sizeof e->msg];

        str_copy(msg, sizeof msg, e->msg);
        err_set(e, e->code, "tz", "%s (%s)", msg, path);
    }
out:
    free(path);
    free(data);
    return tz;
}

/* Make a zone with one fixed offset. */
struct tz *
tz_fixed(const char *name, int offset)
{
    struct tz *tz = alloc_zone(name);

    if (offset > UTOFF_MAX)
        offset = UTOFF_MAX;
    if (offset < UTOFF_MIN)
        offset = UTOFF_MIN;
    tz->ntypes = 1;
    tz->types = xcalloc(1, sizeof *tz->types);
    tz->types[0].utoff = offset;
    return tz;
}

/* Free a zone and NULL the pointer. */
void
tz_free(struct tz **tz)
{
    if (tz == NULL || *tz == NULL)
        return;
    free((*tz)->name);
    free((*tz)->trans);
    free((*tz)->trans_type);
    free((*tz)->types);
    free(*tz);
    *tz = NULL;
}

/* Return the zone's name (borrowed). */
const char *
tz_name(const struct tz *tz)
{
    return tz != NULL ? tz->name : "UTC";
}

/* Return the UTC offset in force at an instant. */
int
tz_offset_at(const struct tz *tz, hl_time t)
{
    size_t lo, hi;

    if (tz == NULL || tz->ntypes == 0)
        return 0;
    if (tz->ntrans == 0)
        return tz->has_rule ? rule_offset(&tz->rule, t) : tz->types[0].utoff;
    if (t < tz->trans[0])
        return tz->types[0].utoff;
    if (t >= tz->trans[tz->ntrans - 1] && tz->has_rule)
        return rule_offset(&tz->rule, t);
    /* Largest i with trans[i] <= t. */
    lo = 0;
    hi = tz->ntrans;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;

        if (tz->trans[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    return tz->types[tz->trans_type[lo]].utoff;
}

/* Split an instant into local civil fields. */
void
tz_to_civil(const struct tz *tz, hl_time t, struct civil_time *out)
{
    datetime_civil_at_offset(t, tz_offset_at(tz, t), out);
}

/* Find the instant of a local civil time (gaps move forward, overlaps take the earlier). */
hl_time
tz_from_civil(const struct tz *tz, int year, int month, int day, int hour, int minute,
              int second)
{
    int64_t local = datetime_days_from_civil(year, month, day) * DAY + (int64_t)hour * 3600
                    + (int64_t)minute * 60 + second;
    int cand[3];
    hl_time best = 0;
    bool found = false;

    /* The offsets in force around the local time: before, at and after it. */
    cand[0] = tz_offset_at(tz, local - DAY);
    cand[1] = tz_offset_at(tz, local);
    cand[2] = tz_offset_at(tz, local + DAY);
    for (int i = 0; i < 3; i++) {
        hl_time t = local - cand[i];

        if (tz_offset_at(tz, t) == cand[i] && (!found || t < best)) {
            best = t;
            found = true;
        }
    }
    if (found)
        return best;
    /* In a gap: read the time with the offset before the gap, which moves it forward. */
    return local - cand[0];
}

/* Format an instant as RFC 3339 at the zone's offset then. */
void
tz_format_rfc3339(const struct tz *tz, hl_time t, char *buf, size_t sz)
{
    datetime_format_rfc3339(t, tz_offset_at(tz, t), buf, sz);
}
