/* rules: the workflow rules of DESIGN §4 as pure functions over a ticket, from rule profiles. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "hotline/rules.h"
#include "hotline/util.h"

#define RULES_MAX_FILE (4u * 1024u * 1024u)
#define LEVELS 3

/* Unit of a time limit. */
enum limit_unit { LU_SECOND, LU_MINUTE, LU_HOUR, LU_WORKING_DAY, LU_CALENDAR_DAY, LU_COUNT };

static const char *const unit_names[LU_COUNT] = {
    "second", "minute", "hour", "working_day", "calendar_day",
};
static const char *const unit_words[LU_COUNT] = {
    "second", "minute", "hour", "working day", "calendar day",
};

/* Where a rule comes from. */
struct rule_ref {
    char id[64];
    char source[160];
    char clause[96];
};

/* A rule with a time limit. */
struct lrule {
    struct rule_ref ref;
    int value;
    enum limit_unit unit;
    enum deadline_mode mode;     /* callback_due and return_window only */
};

/* One profile, parsed. */
struct profile {
    char name[32];
    struct rule_ref mode_ref;
    enum deadline_mode mode;
    struct lrule processing[NATURE_COUNT];
    struct lrule level[LEVELS];
    struct lrule contact[NATURE_COUNT];
    bool has_contact[NATURE_COUNT];
    struct lrule dispatch_default;
    struct lrule dispatch[NATURE_COUNT];
    bool has_dispatch[NATURE_COUNT];
    struct rule_ref cb_req_ref[NATURE_COUNT];
    bool cb_required[NATURE_COUNT];
    struct lrule cb_due;
    struct rule_ref quiet_ref;
    int quiet_from;              /* seconds of the local day */
    int quiet_to;
    struct lrule cb_interval;
    struct rule_ref unreach_ref;
    int unreach_attempts;
    struct lrule return_window;
    struct rule_ref ext_ref;
    int ext_max_days;
    int ext_max_approved;
    int ext_max_total;
    bool ext_before_due;
    struct rule_ref urge_ref;
    int urge_permille;
    int urge_max;
    struct rule_ref near_ref;
    int near_permille;
    struct rule_ref cluster_ref;
    int cluster_callers;
    int cluster_days;
};

struct rules {
    struct profile p;
    char *json;
};

/* ---------------------------------------------------------------- parsing */

/* Where errors go while parsing one file. */
struct pctx {
    const char *name;
    struct err *e;
};

static const char *const ref_keys[] = {
    "id", "rule", "hotline", "source", "clause", "design", "note",
};

/* Report a parse error at path in the current file. */
static bool __attribute__((format(printf, 3, 4)))
perr(struct pctx *c, const char *path, const char *fmt, ...)
{
    char what[200];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    err_set(c->e, HL_EINVAL, path, "%s: %s: %s", c->name, path, what);
    return false;
}

/* Join a path and a key into buf. */
static void
join(char *buf, size_t sz, const char *path, const char *key)
{
    str_copy(buf, sz, path);
    str_append(buf, sz, ".");
    str_append(buf, sz, key);
}

/* True when key is in the list. */
static bool
key_in(const char *key, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(key, list[i]) == 0)
            return true;
    }
    return false;
}

/* Refuse keys of obj that are neither common rule keys nor in extra. */
static bool
check_keys(struct pctx *c, const cJSON *obj, const char *path, const char *const *extra,
           size_t n_extra)
{
    const cJSON *it;
    char p[160];

    cJSON_ArrayForEach(it, obj) {
        if (it->string == NULL)
            continue;
        if (key_in(it->string, ref_keys, ARRAY_SIZE(ref_keys)))
            continue;
        if (extra != NULL && key_in(it->string, extra, n_extra))
            continue;
        join(p, sizeof p, path, it->string);
        return perr(c, p, "unknown field");
    }
    return true;
}

/* The object member key of parent, or an error naming path.key. */
static const cJSON *
need_obj(struct pctx *c, const cJSON *parent, const char *path, const char *key)
{
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(parent, key);
    char p[160];

    join(p, sizeof p, path, key);
    if (o == NULL) {
        perr(c, p, "missing");
        return NULL;
    }
    if (!cJSON_IsObject(o)) {
        perr(c, p, "expected an object");
        return NULL;
    }
    return o;
}

/* Read a required whole number in [min,max]. */
static bool
get_int(struct pctx *c, const cJSON *obj, const char *path, const char *key, int min, int max,
        int *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    char p[160];
    double d;

    join(p, sizeof p, path, key);
    if (v == NULL)
        return perr(c, p, "missing");
    if (!cJSON_IsNumber(v))
        return perr(c, p, "expected a number");
    d = v->valuedouble;
    if (!(d >= (double)min && d <= (double)max) || d != (double)(long)d)
        return perr(c, p, "expected a whole number from %d to %d", min, max);
    *out = (int)d;
    return true;
}

/* Read a required fraction in (0,1] as permille. */
static bool
get_fraction(struct pctx *c, const cJSON *obj, const char *path, const char *key, int *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    char p[160];

    join(p, sizeof p, path, key);
    if (v == NULL)
        return perr(c, p, "missing");
    if (!cJSON_IsNumber(v))
        return perr(c, p, "expected a number");
    if (!(v->valuedouble > 0.0 && v->valuedouble <= 1.0))
        return perr(c, p, "expected a fraction above 0 and at most 1 (0.5 = half)");
    *out = (int)(v->valuedouble * 1000.0 + 0.5);
    if (*out < 1)
        *out = 1;
    return true;
}

/* Read a required boolean. */
static bool
get_bool(struct pctx *c, const cJSON *obj, const char *path, const char *key, bool *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    char p[160];

    join(p, sizeof p, path, key);
    if (v == NULL)
        return perr(c, p, "missing");
    if (!cJSON_IsBool(v))
        return perr(c, p, "expected true or false");
    *out = cJSON_IsTrue(v);
    return true;
}

/* Read a required string. */
static const char *
get_str(struct pctx *c, const cJSON *obj, const char *path, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    char p[160];

    join(p, sizeof p, path, key);
    if (v == NULL) {
        perr(c, p, "missing");
        return NULL;
    }
    if (!cJSON_IsString(v) || v->valuestring == NULL) {
        perr(c, p, "expected a string");
        return NULL;
    }
    return v->valuestring;
}

/* Read "HH:MM" as seconds of the day. */
static bool
get_clock(struct pctx *c, const cJSON *obj, const char *path, const char *key, int *out)
{
    const char *s = get_str(c, obj, path, key);
    char p[160];

    if (s == NULL)
        return false;
    join(p, sizeof p, path, key);
    if (strlen(s) != 5 || s[2] != ':' || s[0] < '0' || s[0] > '2' || s[1] < '0' || s[1] > '9'
        || s[3] < '0' || s[3] > '5' || s[4] < '0' || s[4] > '9')
        return perr(c, p, "expected a time \"HH:MM\"");
    int h = (s[0] - '0') * 10 + (s[1] - '0');
    int m = (s[3] - '0') * 10 + (s[4] - '0');
    if (h > 23)
        return perr(c, p, "expected a time \"HH:MM\" from 00:00 to 23:59");
    *out = h * 3600 + m * 60;
    return true;
}

/* Read a deadline mode string. */
static bool
get_mode(struct pctx *c, const cJSON *obj, const char *path, const char *key,
         enum deadline_mode *out)
{
    const char *s = get_str(c, obj, path, key);
    char p[160];

    if (s == NULL)
        return false;
    if (strcmp(s, "end_of_day") == 0) {
        *out = DEADLINE_END_OF_DAY;
        return true;
    }
    if (strcmp(s, "same_time") == 0) {
        *out = DEADLINE_SAME_TIME;
        return true;
    }
    join(p, sizeof p, path, key);
    return perr(c, p, "expected \"end_of_day\" or \"same_time\"");
}

/* Read the id, source and clause of a rule object. */
static bool
get_ref(struct pctx *c, const cJSON *obj, const char *path, struct rule_ref *ref)
{
    const char *id = get_str(c, obj, path, "id");
    const char *src;
    const char *clause;

    if (id == NULL)
        return false;
    if (str_empty(id) || strlen(id) >= sizeof ref->id)
        return perr(c, path, "id must be 1 to %zu bytes", sizeof ref->id - 1);
    src = get_str(c, obj, path, "source");
    if (src == NULL)
        return false;
    clause = get_str(c, obj, path, "clause");
    if (clause == NULL)
        return false;
    str_copy(ref->id, sizeof ref->id, id);
    str_copy(ref->source, sizeof ref->source, src);
    str_copy(ref->clause, sizeof ref->clause, clause);
    return true;
}

/* Read {"value","unit"} under key. */
static bool
get_limit(struct pctx *c, const cJSON *obj, const char *path, const char *key, struct lrule *lr)
{
    const cJSON *l = need_obj(c, obj, path, key);
    static const char *const lkeys[] = { "value", "unit" };
    char p[160];
    const char *u;
    const cJSON *it;

    if (l == NULL)
        return false;
    join(p, sizeof p, path, key);
    cJSON_ArrayForEach(it, l) {
        if (it->string != NULL && !key_in(it->string, lkeys, ARRAY_SIZE(lkeys))) {
            char q[160];

            join(q, sizeof q, p, it->string);
            return perr(c, q, "unknown field");
        }
    }
    if (!get_int(c, l, p, "value", 1, 100000, &lr->value))
        return false;
    u = get_str(c, l, p, "unit");
    if (u == NULL)
        return false;
    for (int i = 0; i < LU_COUNT; i++) {
        if (strcmp(u, unit_names[i]) == 0) {
            lr->unit = (enum limit_unit)i;
            return true;
        }
    }
    {
        char q[160];

        join(q, sizeof q, p, "unit");
        return perr(c, q, "expected second, minute, hour, working_day or calendar_day");
    }
}

/* Read a rule object with a limit (and a mode when with_mode). */
static bool
get_lrule(struct pctx *c, const cJSON *obj, const char *path, struct lrule *lr, bool with_mode)
{
    static const char *const k1[] = { "limit" };
    static const char *const k2[] = { "limit", "mode" };

    if (!check_keys(c, obj, path, with_mode ? k2 : k1, with_mode ? 2 : 1))
        return false;
    if (!get_ref(c, obj, path, &lr->ref) || !get_limit(c, obj, path, "limit", lr))
        return false;
    lr->mode = DEADLINE_END_OF_DAY;
    if (with_mode && !get_mode(c, obj, path, "mode", &lr->mode))
        return false;
    return true;
}

/* Read the member key of parent as a rule object with a limit. */
static bool
get_lrule_at(struct pctx *c, const cJSON *parent, const char *path, const char *key,
             struct lrule *lr, bool with_mode)
{
    const cJSON *o = need_obj(c, parent, path, key);
    char p[160];

    if (o == NULL)
        return false;
    join(p, sizeof p, path, key);
    return get_lrule(c, o, p, lr, with_mode);
}

/* Nature of an exact nature code (no aliases). */
static bool
nature_key(const char *s, enum nature *out)
{
    for (int i = 0; i < NATURE_COUNT; i++) {
        if (strcmp(s, nature_str((enum nature)i)) == 0) {
            *out = (enum nature)i;
            return true;
        }
    }
    return false;
}

/* Read a map nature -> rule object with a limit; all natures required when full. */
static bool
get_nature_map(struct pctx *c, const cJSON *parent, const char *path, const char *key,
               struct lrule *out, bool *present, bool full)
{
    const cJSON *m = need_obj(c, parent, path, key);
    const cJSON *it;
    char p[160];
    char q[160];

    if (m == NULL)
        return false;
    join(p, sizeof p, path, key);
    cJSON_ArrayForEach(it, m) {
        enum nature n;

        if (it->string == NULL)
            continue;
        join(q, sizeof q, p, it->string);
        if (!nature_key(it->string, &n))
            return perr(c, q, "unknown nature (expected consult, help, complaint, report, "
                        "suggestion, praise, alarm, repair or service)");
        if (!cJSON_IsObject(it))
            return perr(c, q, "expected an object");
        if (!get_lrule(c, it, q, &out[n], false))
            return false;
        if (present != NULL)
            present[n] = true;
    }
    if (full) {
        for (int i = 0; i < NATURE_COUNT; i++) {
            if (cJSON_GetObjectItemCaseSensitive(m, nature_str((enum nature)i)) == NULL) {
                join(q, sizeof q, p, nature_str((enum nature)i));
                return perr(c, q, "missing");
            }
        }
    }
    return true;
}

/* Read complaint_levels "1".."3". */
static bool
get_levels(struct pctx *c, const cJSON *prof, const char *path, struct profile *p)
{
    static const char *const names[LEVELS] = { "1", "2", "3" };
    const cJSON *m = need_obj(c, prof, path, "complaint_levels");
    const cJSON *it;
    char pp[160];

    if (m == NULL)
        return false;
    join(pp, sizeof pp, path, "complaint_levels");
    cJSON_ArrayForEach(it, m) {
        if (it->string != NULL && !key_in(it->string, names, LEVELS)) {
            char q[160];

            join(q, sizeof q, pp, it->string);
            return perr(c, q, "unknown complaint level (expected 1, 2 or 3)");
        }
    }
    for (int i = 0; i < LEVELS; i++) {
        if (!get_lrule_at(c, m, pp, names[i], &p->level[i], false))
            return false;
    }
    return true;
}

/* Read dispatch: default plus optional per-nature limits. */
static bool
get_dispatch(struct pctx *c, const cJSON *prof, const char *path, struct profile *p)
{
    static const char *const keys[] = { "default", "natures" };
    const cJSON *d = need_obj(c, prof, path, "dispatch");
    const cJSON *it;
    char pp[160];

    if (d == NULL)
        return false;
    join(pp, sizeof pp, path, "dispatch");
    cJSON_ArrayForEach(it, d) {
        if (it->string != NULL && !key_in(it->string, keys, ARRAY_SIZE(keys))) {
            char q[160];

            join(q, sizeof q, pp, it->string);
            return perr(c, q, "unknown field (expected default or natures)");
        }
    }
    if (!get_lrule_at(c, d, pp, "default", &p->dispatch_default, false))
        return false;
    if (cJSON_GetObjectItemCaseSensitive(d, "natures") != NULL
        && !get_nature_map(c, d, pp, "natures", p->dispatch, p->has_dispatch, false))
        return false;
    return true;
}

/* Read callback_required: every nature, {"required": bool} rule objects. */
static bool
get_cb_required(struct pctx *c, const cJSON *prof, const char *path, struct profile *p)
{
    static const char *const keys[] = { "required" };
    const cJSON *m = need_obj(c, prof, path, "callback_required");
    const cJSON *it;
    char pp[160];
    char q[160];

    if (m == NULL)
        return false;
    join(pp, sizeof pp, path, "callback_required");
    cJSON_ArrayForEach(it, m) {
        enum nature n;

        if (it->string == NULL)
            continue;
        join(q, sizeof q, pp, it->string);
        if (!nature_key(it->string, &n))
            return perr(c, q, "unknown nature");
    }
    for (int i = 0; i < NATURE_COUNT; i++) {
        const char *key = nature_str((enum nature)i);
        const cJSON *o = need_obj(c, m, pp, key);

        if (o == NULL)
            return false;
        join(q, sizeof q, pp, key);
        if (!check_keys(c, o, q, keys, 1) || !get_ref(c, o, q, &p->cb_req_ref[i])
            || !get_bool(c, o, q, "required", &p->cb_required[i]))
            return false;
    }
    return true;
}

/* The member key of prof as a checked rule object; its path goes to pp. */
static const cJSON *
rule_obj(struct pctx *c, const cJSON *prof, const char *path, const char *key,
         const char *const *extra, size_t n_extra, struct rule_ref *ref, char *pp, size_t ppsz)
{
    const cJSON *o = need_obj(c, prof, path, key);

    if (o == NULL)
        return NULL;
    join(pp, ppsz, path, key);
    if (!check_keys(c, o, pp, extra, n_extra) || !get_ref(c, o, pp, ref))
        return NULL;
    return o;
}

/* Read the single-valued rules of a profile. */
static bool
get_misc(struct pctx *c, const cJSON *prof, const char *path, struct profile *p)
{
    static const char *const kq[] = { "from", "to" };
    static const char *const ku[] = { "failed_attempts" };
    static const char *const ke[] = { "max", "max_approved", "max_with_supervisor", "before_due" };
    static const char *const kg[] = { "min_elapsed_fraction", "max_per_ticket" };
    static const char *const kn[] = { "elapsed_fraction" };
    static const char *const kc[] = { "min_callers", "days" };
    char pp[160];
    const cJSON *o;
    struct lrule ext;

    if (!get_lrule_at(c, prof, path, "callback_due", &p->cb_due, true)
        || !get_lrule_at(c, prof, path, "callback_interval", &p->cb_interval, false)
        || !get_lrule_at(c, prof, path, "return_window", &p->return_window, true))
        return false;
    o = rule_obj(c, prof, path, "callback_quiet_hours", kq, 2, &p->quiet_ref, pp, sizeof pp);
    if (o == NULL || !get_clock(c, o, pp, "from", &p->quiet_from)
        || !get_clock(c, o, pp, "to", &p->quiet_to))
        return false;
    o = rule_obj(c, prof, path, "callback_unreachable", ku, 1, &p->unreach_ref, pp, sizeof pp);
    if (o == NULL || !get_int(c, o, pp, "failed_attempts", 1, 20, &p->unreach_attempts))
        return false;
    o = rule_obj(c, prof, path, "extension", ke, ARRAY_SIZE(ke), &p->ext_ref, pp, sizeof pp);
    if (o == NULL || !get_limit(c, o, pp, "max", &ext))
        return false;
    if (ext.unit != LU_CALENDAR_DAY || ext.value > 365) {
        char q[160];

        join(q, sizeof q, pp, "max");
        return perr(c, q, "expected 1 to 365 calendar_day");
    }
    p->ext_max_days = ext.value;
    if (!get_int(c, o, pp, "max_approved", 0, 100, &p->ext_max_approved)
        || !get_int(c, o, pp, "max_with_supervisor", 0, 100, &p->ext_max_total)
        || !get_bool(c, o, pp, "before_due", &p->ext_before_due))
        return false;
    if (p->ext_max_total < p->ext_max_approved) {
        char q[160];

        join(q, sizeof q, pp, "max_with_supervisor");
        return perr(c, q, "must not be below max_approved");
    }
    o = rule_obj(c, prof, path, "urge", kg, 2, &p->urge_ref, pp, sizeof pp);
    if (o == NULL || !get_fraction(c, o, pp, "min_elapsed_fraction", &p->urge_permille)
        || !get_int(c, o, pp, "max_per_ticket", 0, 100, &p->urge_max))
        return false;
    o = rule_obj(c, prof, path, "near_due", kn, 1, &p->near_ref, pp, sizeof pp);
    if (o == NULL || !get_fraction(c, o, pp, "elapsed_fraction", &p->near_permille))
        return false;
    o = rule_obj(c, prof, path, "cluster", kc, 2, &p->cluster_ref, pp, sizeof pp);
    if (o == NULL || !get_int(c, o, pp, "min_callers", 2, 1000, &p->cluster_callers)
        || !get_int(c, o, pp, "days", 1, 366, &p->cluster_days))
        return false;
    return true;
}

/* Parse one profile object into p. */
static bool
parse_profile(struct pctx *c, const cJSON *prof, const char *name, struct profile *p)
{
    static const char *const keys[] = {
        "label", "deadline_mode", "processing", "complaint_levels", "first_contact",
        "dispatch", "callback_required", "callback_due", "callback_quiet_hours",
        "callback_interval", "callback_unreachable", "return_window", "extension", "urge",
        "near_due", "cluster",
    };
    static const char *const kmode[] = { "mode" };
    char path[64];
    char pp[160];
    const cJSON *it;
    const cJSON *o;

    memset(p, 0, sizeof *p);
    snprintf(path, sizeof path, "profiles.%s", name);
    if (strlen(name) >= sizeof p->name)
        return perr(c, path, "profile name too long");
    str_copy(p->name, sizeof p->name, name);
    if (!cJSON_IsObject(prof))
        return perr(c, path, "expected an object");
    cJSON_ArrayForEach(it, prof) {
        if (it->string != NULL && !key_in(it->string, keys, ARRAY_SIZE(keys))) {
            join(pp, sizeof pp, path, it->string);
            return perr(c, pp, "unknown field");
        }
    }
    o = rule_obj(c, prof, path, "deadline_mode", kmode, 1, &p->mode_ref, pp, sizeof pp);
    if (o == NULL || !get_mode(c, o, pp, "mode", &p->mode))
        return false;
    if (!get_nature_map(c, prof, path, "processing", p->processing, NULL, true)
        || !get_levels(c, prof, path, p)
        || !get_nature_map(c, prof, path, "first_contact", p->contact, p->has_contact, false)
        || !get_dispatch(c, prof, path, p) || !get_cb_required(c, prof, path, p)
        || !get_misc(c, prof, path, p))
        return false;
    return true;
}

/* True when a rule object (one with an id) gets a value change from src. */
static bool
changes_values(const cJSON *src)
{
    static const char *const text[] = { "rule", "note", "source", "clause", "hotline", "design" };
    const cJSON *it;

    cJSON_ArrayForEach(it, src) {
        if (it->string != NULL && !key_in(it->string, text, ARRAY_SIZE(text))
            && strcmp(it->string, "id") != 0)
            return true;
    }
    return false;
}

/* Set or replace a string member. */
static void
set_str(cJSON *obj, const char *key, const char *val)
{
    cJSON *s = cJSON_CreateString(val);

    if (cJSON_GetObjectItemCaseSensitive(obj, key) != NULL)
        cJSON_ReplaceItemInObjectCaseSensitive(obj, key, s);
    else
        cJSON_AddItemToObject(obj, key, s);
}

/* True when new members may be added under path (per-nature maps that are optional). */
static bool
open_map(const char *path)
{
    size_t n = strlen(path);
    static const char *const tails[] = { ".first_contact", ".dispatch.natures" };

    for (size_t i = 0; i < ARRAY_SIZE(tails); i++) {
        size_t k = strlen(tails[i]);

        if (n >= k && strcmp(path + n - k, tails[i]) == 0)
            return true;
    }
    return false;
}

/* Deep-merge the override object src into dst (same shape, subset); errors name path. */
static bool
merge(struct pctx *c, cJSON *dst, const cJSON *src, const char *path, const char *profile,
      int depth)
{
    const cJSON *it;
    char p[160];

    if (depth > 8)
        return perr(c, path, "nested too deeply");
    cJSON_ArrayForEach(it, src) {
        cJSON *d;

        if (it->string == NULL)
            continue;
        join(p, sizeof p, path, it->string);
        d = cJSON_GetObjectItemCaseSensitive(dst, it->string);
        if (strcmp(it->string, "id") == 0) {
            if (d == NULL || !cJSON_IsString(it) || !cJSON_IsString(d)
                || strcmp(it->valuestring, d->valuestring) != 0)
                return perr(c, p, "a rule's id cannot be changed");
            continue;
        }
        if (d == NULL && cJSON_IsObject(it) && open_map(path)) {
            cJSON *copy = cJSON_Duplicate(it, 1);
            char id[96];

            if (copy == NULL)
                return perr(c, p, "out of memory");
            if (cJSON_GetObjectItemCaseSensitive(copy, "id") == NULL) {
                if (strstr(path, ".dispatch.natures") != NULL)
                    snprintf(id, sizeof id, "%s:dispatch.%s", profile, it->string);
                else
                    snprintf(id, sizeof id, "%s:%s.contact", profile, it->string);
                set_str(copy, "id", id);
            }
            if (cJSON_GetObjectItemCaseSensitive(copy, "source") == NULL)
                set_str(copy, "source", c->name);
            if (cJSON_GetObjectItemCaseSensitive(copy, "clause") == NULL)
                set_str(copy, "clause", "override");
            cJSON_AddItemToObject(dst, it->string, copy);
            continue;
        }
        if (d == NULL && cJSON_IsObject(it) && strcmp(it->string, "natures") == 0
            && strlen(path) > 9 && strcmp(path + strlen(path) - 9, ".dispatch") == 0) {
            cJSON *empty = cJSON_CreateObject();

            cJSON_AddItemToObject(dst, "natures", empty);
            if (!merge(c, empty, it, p, profile, depth + 1))
                return false;
            continue;
        }
        if (d == NULL)
            return perr(c, p, "unknown field (an override may only change fields of the rules "
                        "file)");
        if (cJSON_IsObject(it)) {
            if (!cJSON_IsObject(d))
                return perr(c, p, "expected a value, not an object");
            if (!merge(c, d, it, p, profile, depth + 1))
                return false;
            if (cJSON_GetObjectItemCaseSensitive(d, "id") != NULL && changes_values(it)) {
                if (cJSON_GetObjectItemCaseSensitive(it, "source") == NULL)
                    set_str(d, "source", c->name);
                if (cJSON_GetObjectItemCaseSensitive(it, "clause") == NULL)
                    set_str(d, "clause", "override");
                if (cJSON_GetObjectItemCaseSensitive(it, "hotline") == NULL)
                    set_str(d, "hotline", "local");
            }
            continue;
        }
        if (cJSON_IsObject(d))
            return perr(c, p, "expected an object");
        if ((cJSON_IsNumber(d) && !cJSON_IsNumber(it)) || (cJSON_IsString(d) && !cJSON_IsString(it))
            || (cJSON_IsBool(d) && !cJSON_IsBool(it)))
            return perr(c, p, "expected a %s like the rules file",
                        cJSON_IsNumber(d) ? "number" : cJSON_IsString(d) ? "string" : "boolean");
        cJSON *copy = cJSON_Duplicate(it, 1);

        if (copy == NULL)
            return perr(c, p, "out of memory");
        cJSON_ReplaceItemInObjectCaseSensitive(dst, it->string, copy);
    }
    return true;
}

/* Apply the override document to every profile it names; re-validate each. */
static bool
apply_override(struct pctx *c, cJSON *profiles, const cJSON *ov, struct profile *check)
{
    static const char *const top[] = { "version", "description", "note", "profiles" };
    const cJSON *it;
    const cJSON *ovp;

    if (!cJSON_IsObject(ov))
        return perr(c, "", "expected a JSON object");
    cJSON_ArrayForEach(it, ov) {
        if (it->string != NULL && !key_in(it->string, top, ARRAY_SIZE(top)))
            return perr(c, it->string, "unknown field (expected profiles)");
    }
    ovp = cJSON_GetObjectItemCaseSensitive(ov, "profiles");
    if (ovp == NULL)
        return perr(c, "profiles", "missing");
    if (!cJSON_IsObject(ovp))
        return perr(c, "profiles", "expected an object");
    cJSON_ArrayForEach(it, ovp) {
        char path[64];
        cJSON *base;

        if (it->string == NULL)
            continue;
        snprintf(path, sizeof path, "profiles.%s", it->string);
        base = cJSON_GetObjectItemCaseSensitive(profiles, it->string);
        if (base == NULL)
            return perr(c, path, "unknown profile");
        if (!cJSON_IsObject(it))
            return perr(c, path, "expected an object");
        if (!merge(c, base, it, path, it->string, 0))
            return false;
        if (!parse_profile(c, base, it->string, check))
            return false;
    }
    return true;
}

/* Parse text as a JSON object, with an error naming the file. */
static cJSON *
parse_doc(struct pctx *c, const char *json, size_t len)
{
    struct err pe;
    cJSON *doc;

    if (json == NULL || len == 0) {
        perr(c, "", "empty file");
        return NULL;
    }
    /* codec_parse: strict UTF-8, no duplicate keys, no NUL, and no shared error state. */
    doc = codec_parse(json, len, &pe);
    if (doc == NULL) {
        err_set(c->e, HL_EINVAL, pe.field, "%s: %s", c->name, pe.msg);
        return NULL;
    }
    if (!cJSON_IsObject(doc)) {
        cJSON_Delete(doc);
        perr(c, "", "expected a JSON object");
        return NULL;
    }
    return doc;
}

/* Parse rules text, validate every profile, apply the override, select one. */
struct rules *
rules_parse(const char *json, size_t len, const char *name, const char *profile,
            const char *override_json, size_t override_len, const char *override_name,
            struct err *e)
{
    struct pctx c = { name != NULL ? name : "rules", e };
    struct pctx oc = { override_name != NULL ? override_name : "override", e };
    cJSON *doc = NULL;
    cJSON *ov = NULL;
    cJSON *profiles;
    const cJSON *chosen;
    const cJSON *it;
    struct rules *r = NULL;
    struct profile *tmp = NULL;

    doc = parse_doc(&c, json, len);
    if (doc == NULL)
        goto out;
    profiles = cJSON_GetObjectItemCaseSensitive(doc, "profiles");
    if (profiles == NULL || !cJSON_IsObject(profiles) || cJSON_GetArraySize(profiles) == 0) {
        perr(&c, "profiles", "expected an object with at least one profile");
        goto out;
    }
    if (str_empty(profile)) {
        const cJSON *def = cJSON_GetObjectItemCaseSensitive(doc, "default_profile");

        if (!cJSON_IsString(def) || def->valuestring == NULL) {
            perr(&c, "default_profile", "missing (name a profile)");
            goto out;
        }
        profile = def->valuestring;
    }
    tmp = xmalloc(sizeof *tmp);
    cJSON_ArrayForEach(it, profiles) {
        if (it->string != NULL && !parse_profile(&c, it, it->string, tmp))
            goto out;
    }
    if (override_json != NULL) {
        ov = parse_doc(&oc, override_json, override_len);
        if (ov == NULL || !apply_override(&oc, profiles, ov, tmp))
            goto out;
    }
    chosen = cJSON_GetObjectItemCaseSensitive(profiles, profile);
    if (chosen == NULL) {
        struct strbuf names;

        strbuf_init(&names);
        cJSON_ArrayForEach(it, profiles) {
            if (it->string != NULL)
                strbuf_addf(&names, "%s%s", names.len > 0 ? ", " : "", it->string);
        }
        err_set(e, HL_ENOENT, "profile", "%s: no rule profile \"%s\" (the file has %s)",
                c.name, profile, names.buf != NULL ? names.buf : "none");
        strbuf_fini(&names);
        goto out;
    }
    r = xcalloc(1, sizeof *r);
    if (!parse_profile(&c, chosen, profile, &r->p)) {
        rules_free(&r);
        goto out;
    }
    {
        cJSON *copy = cJSON_Duplicate(chosen, 1);

        if (copy == NULL) {
            rules_free(&r);
            err_set(e, HL_EIO, "", "%s: out of memory", c.name);
            goto out;
        }
        cJSON_AddItemToObject(copy, "profile", cJSON_CreateString(profile));
        r->json = cJSON_PrintUnformatted(copy);
        cJSON_Delete(copy);
        if (r->json == NULL)
            r->json = xstrdup("{}");
    }
out:
    free(tmp);
    cJSON_Delete(ov);
    cJSON_Delete(doc);
    return r;
}

/* Read the rules file and the optional override file, then parse them. */
struct rules *
rules_load(const char *path, const char *profile, const char *override_path, struct err *e)
{
    char *text = NULL;
    char *otext = NULL;
    size_t len = 0;
    size_t olen = 0;
    struct rules *r = NULL;

    text = file_load(path, "rules", RULES_MAX_FILE, &len, e);
    if (text == NULL)
        goto out;
    if (override_path != NULL) {
        otext = file_load(override_path, "rules override", RULES_MAX_FILE, &olen, e);
        if (otext == NULL)
            goto out;
    }
    r = rules_parse(text, len, path, profile, otext, olen, override_path, e);
out:
    free(text);
    free(otext);
    return r;
}

/* Free rules and NULL the pointer. */
void
rules_free(struct rules **r)
{
    if (r == NULL || *r == NULL)
        return;
    free((*r)->json);
    free(*r);
    *r = NULL;
}

/* Name of the active profile. */
const char *
rules_profile(const struct rules *r)
{
    return r != NULL ? r->p.name : "";
}

/* How working-day deadlines end in the active profile. */
enum deadline_mode
rules_deadline_mode(const struct rules *r)
{
    return r != NULL ? r->p.mode : DEADLINE_END_OF_DAY;
}

/* The effective profile as compact JSON. */
const char *
rules_json(const struct rules *r)
{
    return r != NULL && r->json != NULL ? r->json : "{}";
}

/* Clamp a nature from a ticket to a valid index. */
static enum nature
nat(enum nature n)
{
    return (unsigned)n < NATURE_COUNT ? n : NATURE_CONSULT;
}

/* Whether a nature owes a callback. */
bool
rules_callback_required(const struct rules *r, enum nature n)
{
    return r != NULL && r->p.cb_required[nat(n)];
}

/* Callers that make a cluster. */
int
rules_cluster_min_callers(const struct rules *r)
{
    return r != NULL ? r->p.cluster_callers : 5;
}

/* Days a cluster looks back. */
int
rules_cluster_days(const struct rules *r)
{
    return r != NULL ? r->p.cluster_days : 30;
}

/* Most urges per ticket. */
int
rules_urge_max(const struct rules *r)
{
    return r != NULL ? r->p.urge_max : 2;
}

/* Most days per extension request. */
int
rules_extension_max_days(const struct rules *r)
{
    return r != NULL ? r->p.ext_max_days : 7;
}

/* Failed attempts before closing as unreachable. */
int
rules_unreachable_attempts(const struct rules *r)
{
    return r != NULL ? r->p.unreach_attempts : 3;
}

/* -------------------------------------------------------------- deadlines */

/* Result of adding a limit to an instant. */
struct lend {
    hl_time at;
    bool used_calendar;
    bool fallback;
    char warning[192];
};

/* Instant of a local date (day number) at a clock time in seconds of the day. */
static hl_time
local_at(const struct tz *tz, int64_t day, int sod)
{
    int y;
    int m;
    int d;

    datetime_civil_from_days(day, &y, &m, &d);
    return tz_from_civil(tz, y, m, d, sod / 3600, sod / 60 % 60, sod % 60);
}

/* Local day number and seconds of the day of an instant. */
static int64_t
local_day(const struct tz *tz, hl_time t, int *sod)
{
    struct civil_time ct;

    tz_to_civil(tz, t, &ct);
    if (sod != NULL)
        *sod = ct.hour * 3600 + ct.minute * 60 + ct.second;
    return datetime_days_from_civil(ct.year, ct.month, ct.day);
}

/* The end of a limit counted from an instant. */
static void
limit_end(const struct calendar *cal, const struct tz *tz, hl_time from, int value,
          enum limit_unit unit, enum deadline_mode mode, struct lend *out)
{
    memset(out, 0, sizeof *out);
    switch (unit) {
    case LU_SECOND:
        out->at = from + value;
        break;
    case LU_MINUTE:
        out->at = from + (hl_time)value * 60;
        break;
    case LU_HOUR:
        out->at = from + (hl_time)value * 3600;
        break;
    case LU_WORKING_DAY: {
        struct deadline dl;

        memset(&dl, 0, sizeof dl);
        calendar_deadline(cal, tz, from, value, mode, &dl);
        out->at = dl.due;
        out->used_calendar = true;
        out->fallback = dl.fallback;
        str_copy(out->warning, sizeof out->warning, dl.warning);
        break;
    }
    case LU_CALENDAR_DAY:
    case LU_COUNT:
    default: {
        int sod;
        int64_t day = local_day(tz, from, &sod);

        out->at = local_at(tz, day + value, mode == DEADLINE_END_OF_DAY ? 86399 : sod);
        break;
    }
    }
}

/* Describe a limit ("24 hours"). */
static void
limit_words(char *buf, size_t sz, int value, enum limit_unit unit)
{
    unsigned u = (unsigned)unit < LU_COUNT ? (unsigned)unit : LU_HOUR;

    snprintf(buf, sz, "%d %s%s", value, unit_words[u], value == 1 ? "" : "s");
}

/* Fill out from one limit rule counted from `from`; what names it in the label. */
static void
due_from_rule(const struct rules *r, const struct calendar *cal, const struct tz *tz,
              const struct lrule *lr, const char *what, hl_time from, struct rule_due *out)
{
    struct lend le;
    char words[48];

    limit_end(cal, tz, from, lr->value, lr->unit, r->p.mode, &le);
    out->due = le.at;
    str_copy(out->rule, sizeof out->rule, lr->ref.id);
    limit_words(words, sizeof words, lr->value, lr->unit);
    snprintf(out->label, sizeof out->label, "%s: %s", what, words);
    if (le.used_calendar)
        str_copy(out->calendar, sizeof out->calendar, calendar_version(cal));
    out->fallback = le.fallback;
    str_copy(out->warning, sizeof out->warning, le.warning);
}

/* Deadline from `from`; requested_due wins when earlier (and, when future_only, ahead of from). */
static void
compute_due(const struct rules *r, const struct calendar *cal, const struct tz *tz,
            const struct ticket *t, hl_time from, bool future_only, struct rule_due *out)
{
    enum nature n;
    const struct lrule *lr;
    char what[48];

    memset(out, 0, sizeof *out);
    if (r == NULL || t == NULL || tz == NULL)
        return;
    n = nat(t->nature);
    if (n == NATURE_COMPLAINT && t->complaint_level >= 1 && t->complaint_level <= LEVELS) {
        lr = &r->p.level[t->complaint_level - 1];
        snprintf(what, sizeof what, "complaint level %d", t->complaint_level);
    } else {
        lr = &r->p.processing[n];
        str_copy(what, sizeof what, nature_str(n));
    }
    due_from_rule(r, cal, tz, lr, what, from, out);
    out->emergency = t->urgency == URGENCY_EMERGENCY;
    if (r->p.has_contact[n]) {
        struct lend le;
        const struct lrule *cr = &r->p.contact[n];

        limit_end(cal, tz, from, cr->value, cr->unit, r->p.mode, &le);
        out->contact_due = le.at;
        str_copy(out->contact_rule, sizeof out->contact_rule, cr->ref.id);
    }
    if (t->requested_due != 0 && t->requested_due < out->due
        && (!future_only || t->requested_due > from)) {
        out->due = t->requested_due;
        str_copy(out->rule, sizeof out->rule, "requested");
        str_copy(out->label, sizeof out->label, "requested by the caller");
        out->calendar[0] = '\0';
        out->fallback = false;
        out->warning[0] = '\0';
    }
}

/* Deadline of a ticket accepted at `accepted`. */
void
rules_due(const struct rules *r, const struct calendar *cal, const struct tz *tz,
          const struct ticket *t, hl_time accepted, struct rule_due *out)
{
    compute_due(r, cal, tz, t, accepted, false, out);
}

/* Deadline when the ticket goes back to a unit at now. */
void
rules_redo_due(const struct rules *r, const struct calendar *cal, const struct tz *tz,
               const struct ticket *t, hl_time now, struct rule_due *out)
{
    compute_due(r, cal, tz, t, now, true, out);
}

/* Move a deadline by days calendar days, same clock time. */
hl_time
rules_extended_due(const struct tz *tz, hl_time due, int days)
{
    int sod;
    int64_t day;

    if (tz == NULL || due == 0)
        return due;
    day = local_day(tz, due, &sod);
    return local_at(tz, day + days, sod);
}

/* End of the return window of an assignment. */
hl_time
rules_return_window_end(const struct rules *r, const struct calendar *cal, const struct tz *tz,
                        hl_time dispatched)
{
    struct lend le;
    const struct lrule *lr;

    if (r == NULL || tz == NULL)
        return 0;
    lr = &r->p.return_window;
    limit_end(cal, tz, dispatched, lr->value, lr->unit, lr->mode, &le);
    return le.at;
}

/* The assignment a reply counts for: the lead, else the first. */
static const struct assignment *
main_assignment(const struct ticket *t)
{
    if (t->assignments == NULL || t->n_assignments == 0)
        return NULL;
    for (size_t i = 0; i < t->n_assignments; i++) {
        if (t->assignments[i].role == ROLE_LEAD)
            return &t->assignments[i];
    }
    return &t->assignments[0];
}

/* Callback due after a reply, 0 when none is owed. */
hl_time
rules_callback_due(const struct rules *r, const struct calendar *cal, const struct tz *tz,
                   const struct ticket *t, hl_time replied)
{
    struct lend le;

    if (r == NULL || t == NULL || tz == NULL || !r->p.cb_required[nat(t->nature)])
        return 0;
    limit_end(cal, tz, replied, r->p.cb_due.value, r->p.cb_due.unit, r->p.cb_due.mode, &le);
    return le.at;
}

/* Start of the current processing period (see rules.h). */
static hl_time
period_start(const struct ticket *t)
{
    const struct assignment *lead = main_assignment(t);
    hl_time s = t->created_at;

    if (lead != NULL && lead->dispatched_at > s)
        s = lead->dispatched_at;
    for (size_t i = 0; t->callbacks != NULL && i < t->n_callbacks; i++) {
        if (t->callbacks[i].outcome == CB_REACHED
            && t->callbacks[i].satisfaction == SAT_DISSATISFIED && t->callbacks[i].at > s)
            s = t->callbacks[i].at;
    }
    for (size_t i = 0; t->events != NULL && i < t->n_events; i++) {
        if (t->events[i].type != NULL && strcmp(t->events[i].type, "reopen") == 0
            && t->events[i].at > s)
            s = t->events[i].at;
    }
    return s;
}

/* start + ceil((due - start) * permille / 1000). */
static hl_time
fraction_point(hl_time start, hl_time due, int permille)
{
    hl_time span = due - start;
    hl_time x;

    if (span <= 0)
        return start;
    if (span > INT64_MAX / 1000)
        span = INT64_MAX / 1000;
    x = span * permille;
    return start + x / 1000 + (x % 1000 != 0 ? 1 : 0);
}

/* Earliest urge instant of a ticket. */
hl_time
rules_urge_from(const struct rules *r, const struct ticket *t)
{
    if (r == NULL || t == NULL || t->due_at == 0)
        return 0;
    return fraction_point(period_start(t), t->due_at, r->p.urge_permille);
}

/* ------------------------------------------------------------ the checks */

enum {
    R_AGENT = 1u << USER_AGENT,
    R_UNIT = 1u << USER_UNIT,
    R_SUPERVISOR = 1u << USER_SUPERVISOR,
    R_ADMIN = 1u << USER_ADMIN,
    R_CENTRE = R_AGENT | R_SUPERVISOR | R_ADMIN,
    R_LEAD = R_SUPERVISOR | R_ADMIN,
};

#define S(x) (1u << STATUS_##x)
#define S_OPEN \
    (S(ACCEPTED) | S(DISPATCHED) | S(IN_PROGRESS) | S(RETURNED) | S(REPLIED) | S(CALLBACK))

/* One row of the role matrix. */
struct action_rule {
    unsigned roles;      /* R_* bits that may take the action */
    bool own_unit;       /* the unit must hold an assignment on the ticket */
    unsigned states;     /* S() bits of the statuses it starts from */
    const char *who;     /* the roles in words, for messages */
    const char *from;    /* the statuses in words, for messages */
};

/* The role matrix of rules.h: who may take which action from which status. */
static const struct action_rule action_table[ACTION_COUNT] = {
    [ACTION_RESOLVE_DIRECT] = { R_CENTRE, false, S(ACCEPTED) | S(RETURNED),
                                "agents, supervisors and admins", "accepted or returned" },
    [ACTION_DISPATCH] = { R_CENTRE, false, S(ACCEPTED) | S(RETURNED),
                          "agents, supervisors and admins", "accepted or returned" },
    [ACTION_ACCEPT] = { R_UNIT, true, S(DISPATCHED) | S(IN_PROGRESS),
                        "the assigned unit", "dispatched or in_progress" },
    [ACTION_RETURN] = { R_UNIT, true, S(DISPATCHED) | S(IN_PROGRESS),
                        "the assigned unit", "dispatched or in_progress" },
    [ACTION_REPLY] = { R_UNIT, true, S(DISPATCHED) | S(IN_PROGRESS),
                       "the assigned unit", "dispatched or in_progress" },
    [ACTION_REQUEST_EXTENSION] = { R_UNIT, true, S(DISPATCHED) | S(IN_PROGRESS),
                                   "the assigned unit", "dispatched or in_progress" },
    [ACTION_DECIDE_EXTENSION] = { R_CENTRE, false, S(DISPATCHED) | S(IN_PROGRESS),
                                  "agents (dispatch seat), supervisors and admins",
                                  "dispatched or in_progress" },
    [ACTION_URGE] = { R_CENTRE, false, S(DISPATCHED) | S(IN_PROGRESS),
                      "agents, supervisors and admins", "dispatched or in_progress" },
    [ACTION_SUPERVISE] = { R_LEAD, false, S_OPEN, "supervisors and admins", "open" },
    [ACTION_SCHEDULE_CALLBACK] = { R_CENTRE, false, S(REPLIED) | S(CALLBACK),
                                   "agents, supervisors and admins", "replied or callback" },
    [ACTION_CALLBACK] = { R_CENTRE, false, S(REPLIED) | S(CALLBACK),
                          "agents, supervisors and admins", "replied or callback" },
    [ACTION_CLOSE] = { R_CENTRE, false, S_OPEN, "agents, supervisors and admins", "open" },
    [ACTION_REOPEN] = { R_LEAD, false, S(CLOSED), "supervisors and admins", "closed" },
    [ACTION_ARCHIVE] = { R_LEAD, false, S(CLOSED), "supervisors and admins", "closed" },
};

#undef S

/* Set v to "allowed". */
static void
verdict_ok(struct verdict *v)
{
    memset(v, 0, sizeof *v);
    v->ok = true;
    v->kind = VERDICT_OK;
    v->code = "ok";
}

/* Set v to a refusal. */
static void __attribute__((format(printf, 6, 7)))
refuse(struct verdict *v, enum verdict_kind kind, const char *code, const char *rule,
       hl_time possible_from, const char *fmt, ...)
{
    va_list ap;
    char buf[1024];

    v->ok = false;
    v->kind = kind;
    v->code = code;
    str_copy(v->rule, sizeof v->rule, rule != NULL ? rule : "");
    v->possible_from = possible_from;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    str_copy(v->message, sizeof v->message, buf);   /* never cuts a UTF-8 sequence */
}

/* Local time of an instant for messages: "2026-03-04 08:00" (":SS" when not 0). */
static void
fmt_local(const struct tz *tz, hl_time t, char *buf, size_t sz)
{
    struct civil_time ct;

    tz_to_civil(tz, t, &ct);
    if (ct.second != 0)
        snprintf(buf, sz, "%04d-%02d-%02d %02d:%02d:%02d", ct.year, ct.month, ct.day, ct.hour,
                 ct.minute, ct.second);
    else
        snprintf(buf, sz, "%04d-%02d-%02d %02d:%02d", ct.year, ct.month, ct.day, ct.hour,
                 ct.minute);
}

/* Format a clock time in seconds of the day as "HH:MM". */
static void
fmt_clock(int sod, char *buf, size_t sz)
{
    snprintf(buf, sz, "%02d:%02d", sod / 3600 % 24, sod / 60 % 60);
}

/* The first assignment of unit (an active one preferred), or NULL. */
static const struct assignment *
unit_assignment(const struct ticket *t, const char *unit)
{
    const struct assignment *first = NULL;

    if (str_empty(unit) || t->assignments == NULL)
        return NULL;
    for (size_t i = 0; i < t->n_assignments; i++) {
        const struct assignment *a = &t->assignments[i];

        if (a->unit == NULL || strcmp(a->unit, unit) != 0)
            continue;
        if (a->state == ASSIGN_DISPATCHED || a->state == ASSIGN_ACCEPTED)
            return a;
        if (first == NULL)
            first = a;
    }
    return first;
}

/* True when a callback attempt time is inside the quiet hours. */
static bool
in_quiet(const struct rules *r, const struct tz *tz, hl_time t)
{
    int sod;
    int from = r->p.quiet_from;
    int to = r->p.quiet_to;

    if (from == to)
        return false;
    local_day(tz, t, &sod);
    if (from > to)
        return sod >= from || sod < to;
    return sod >= from && sod < to;
}

/* The first instant at or after t outside the quiet hours. */
static hl_time
after_quiet(const struct rules *r, const struct tz *tz, hl_time t)
{
    int sod;
    int64_t day;

    if (!in_quiet(r, tz, t))
        return t;
    day = local_day(tz, t, &sod);
    if (r->p.quiet_from > r->p.quiet_to && sod >= r->p.quiet_from)
        day++;
    return local_at(tz, day, r->p.quiet_to);
}

/* The callback attempts of the current round: index range from the latest reply. */
struct round {
    hl_time last;        /* latest attempt, 0 when none */
    int failed;          /* no_answer, busy, wrong_number */
    bool done;           /* reached or refused */
};

/* Summarise the attempts made at or after the main assignment's latest reply. */
static void
callback_round(const struct ticket *t, struct round *out)
{
    const struct assignment *m = main_assignment(t);
    hl_time since = m != NULL ? m->replied_at : 0;

    memset(out, 0, sizeof *out);
    for (size_t i = 0; t->callbacks != NULL && i < t->n_callbacks; i++) {
        const struct callback *cb = &t->callbacks[i];

        if (cb->at < since)
            continue;
        if (cb->at > out->last)
            out->last = cb->at;
        if (cb->outcome == CB_REACHED || cb->outcome == CB_REFUSED)
            out->done = true;
        else
            out->failed++;
    }
}

/* Earliest instant at or after now when a callback attempt is allowed. */
static hl_time
callback_earliest(const struct rules *r, const struct calendar *cal, const struct tz *tz,
                  const struct ticket *t, const struct round *rd, hl_time now)
{
    hl_time at = now;
    hl_time gap = 0;
    struct lend le;

    if (rd->last != 0) {
        limit_end(cal, tz, rd->last, r->p.cb_interval.value, r->p.cb_interval.unit,
                  DEADLINE_SAME_TIME, &le);
        gap = le.at;
    }
    if (gap > at)
        at = gap;
    if (t->callback_at > at)
        at = t->callback_at;
    return after_quiet(r, tz, at);
}

/* Check the extension day count against the profile (verdict stays ok when fine). */
static void
check_days(const struct rules *r, int days, struct verdict *v)
{
    if (days < 1) {
        refuse(v, VERDICT_INVALID, "extension_days_invalid", r->p.ext_ref.id, 0,
               "An extension asks for 1 to %d days; %d is not a number of days.",
               r->p.ext_max_days, days);
        return;
    }
    if (days > r->p.ext_max_days)
        refuse(v, VERDICT_CONFLICT, "extension_too_long", r->p.ext_ref.id, 0,
               "An extension may add at most %d days per request (rule %s, %s %s); %d were "
               "asked. Ask for %d days or fewer.",
               r->p.ext_max_days, r->p.ext_ref.id, r->p.ext_ref.source, r->p.ext_ref.clause,
               days, r->p.ext_max_days);
}

/* Check the days of an extension request. */
void
rules_check_extension_days(const struct rules *r, int days, struct verdict *v)
{
    if (v == NULL)
        return;
    verdict_ok(v);
    if (r == NULL) {
        refuse(v, VERDICT_INVALID, "invalid_request", "", 0, "No rules are loaded.");
        return;
    }
    check_days(r, days, v);
}

/* Extensions: approved count and the pending one. */
static const struct extension *
extension_state(const struct ticket *t, int *approved)
{
    const struct extension *pending = NULL;

    *approved = 0;
    for (size_t i = 0; t->extensions != NULL && i < t->n_extensions; i++) {
        if (t->extensions[i].state == EXT_APPROVED)
            (*approved)++;
        else if (t->extensions[i].state == EXT_PENDING)
            pending = &t->extensions[i];
    }
    return pending;
}

/* Checks of a unit's own assignment for accept, return, reply, request_extension. */
static bool
check_unit_action(const struct rules *r, const struct calendar *cal, const struct tz *tz,
                  const struct ticket *t, enum action a, const struct assignment *as,
                  hl_time now, struct verdict *v)
{
    char when[40];

    if (a == ACTION_ACCEPT && as->state != ASSIGN_DISPATCHED) {
        refuse(v, VERDICT_CONFLICT, "invalid_state", "", 0,
               "Your unit's assignment is %s; only a dispatched assignment can be accepted.",
               assign_state_str(as->state));
        return false;
    }
    if (a != ACTION_ACCEPT && as->state != ASSIGN_DISPATCHED && as->state != ASSIGN_ACCEPTED) {
        refuse(v, VERDICT_CONFLICT, "invalid_state", "", 0,
               "Your unit's assignment is %s; %s is possible only while it is dispatched or "
               "accepted.", assign_state_str(as->state), action_str(a));
        return false;
    }
    if (a == ACTION_RETURN) {
        hl_time end = rules_return_window_end(r, cal, tz, as->dispatched_at);

        if (now > end) {
            fmt_local(tz, end, when, sizeof when);
            refuse(v, VERDICT_CONFLICT, "return_window_closed", r->p.return_window.ref.id, 0,
                   "A unit may return a ticket only within %d working day%s of dispatch (rule "
                   "%s, %s %s); the window ended at %s and the ticket is deemed accepted. Reply "
                   "or request an extension instead.",
                   r->p.return_window.value, r->p.return_window.value == 1 ? "" : "s",
                   r->p.return_window.ref.id, r->p.return_window.ref.source,
                   r->p.return_window.ref.clause, when);
            return false;
        }
    }
    return true;
}

/* Checks of request_extension beyond the unit's assignment. */
static void
check_request_extension(const struct rules *r, const struct tz *tz, const struct ticket *t,
                        const struct action_body *args, hl_time now, struct verdict *v)
{
    int approved;
    const struct extension *pending = extension_state(t, &approved);
    const char *id = r->p.ext_ref.id;
    char when[40];

    if (pending != NULL) {
        fmt_local(tz, pending->requested_at, when, sizeof when);
        refuse(v, VERDICT_CONFLICT, "extension_pending", id, 0,
               "An extension request (asked %s) is still waiting for a decision; one request "
               "at a time. A new one is possible once it is decided.", when);
        return;
    }
    if (approved >= r->p.ext_max_total) {
        refuse(v, VERDICT_CONFLICT, "extension_limit", id, 0,
               "This ticket already had %d approved extension%s, the most allowed (rule %s, "
               "%s %s). Reply with the result so far.",
               approved, approved == 1 ? "" : "s", id, r->p.ext_ref.source, r->p.ext_ref.clause);
        return;
    }
    if (r->p.ext_before_due && t->due_at != 0 && now > t->due_at) {
        fmt_local(tz, t->due_at, when, sizeof when);
        refuse(v, VERDICT_CONFLICT, "extension_after_due", id, 0,
               "An extension must be requested before the deadline (rule %s: units apply in "
               "advance); the deadline passed at %s. Reply with the result so far.", id, when);
        return;
    }
    if (args != NULL)
        check_days(r, args->days, v);
}

/* Checks of decide_extension. */
static void
check_decide_extension(const struct rules *r, const struct ticket *t,
                       const struct rule_actor *who, const struct action_body *args,
                       struct verdict *v)
{
    int approved;
    const struct extension *pending = extension_state(t, &approved);
    const char *id = r->p.ext_ref.id;

    if (pending == NULL) {
        refuse(v, VERDICT_CONFLICT, "extension_none_pending", id, 0,
               "There is no pending extension request to decide.");
        return;
    }
    if (args == NULL || !args->approve)
        return;
    if (approved >= r->p.ext_max_approved && who->role != USER_SUPERVISOR
        && who->role != USER_ADMIN)
        refuse(v, VERDICT_FORBIDDEN, "extension_needs_supervisor", id, 0,
               "This would be approved extension number %d; the dispatch seat approves %d per "
               "ticket and a further one needs a supervisor's approval (rule %s, %s %s). "
               "Pass it to a supervisor, or reject it.",
               approved + 1, r->p.ext_max_approved, id, r->p.ext_ref.source, r->p.ext_ref.clause);
}

/* Checks of urge. */
static void
check_urge(const struct rules *r, const struct tz *tz, const struct ticket *t, hl_time now,
           struct verdict *v)
{
    const char *id = r->p.urge_ref.id;
    hl_time from;
    char when[40];
    char start[40];
    char due[40];

    if (t->n_urges >= (size_t)r->p.urge_max) {
        refuse(v, VERDICT_CONFLICT, "urge_limit", id, 0,
               "At most %d urges per ticket (rule %s, %s %s); this ticket has %zu. A supervisor "
               "can supervise (督办) it instead.",
               r->p.urge_max, id, r->p.urge_ref.source, r->p.urge_ref.clause, t->n_urges);
        return;
    }
    from = rules_urge_from(r, t);
    if (from != 0 && now < from) {
        fmt_local(tz, from, when, sizeof when);
        fmt_local(tz, period_start(t), start, sizeof start);
        fmt_local(tz, t->due_at, due, sizeof due);
        refuse(v, VERDICT_CONFLICT, "urge_too_early", id, from,
               "An urge is allowed only after %d%% of the processing period (%s to %s) has "
               "passed (rule %s); until then explain the progress to the caller. Possible from "
               "%s.", r->p.urge_permille / 10, start, due, id, when);
    }
}

/* Checks of a callback attempt (now is the attempt time). */
static void
check_callback(const struct rules *r, const struct calendar *cal, const struct tz *tz,
               const struct ticket *t, const struct action_body *args, hl_time now,
               struct verdict *v)
{
    struct round rd;
    hl_time earliest;
    char when[40];
    char a[8];
    char b[8];

    if (args != NULL) {
        if ((unsigned)args->outcome >= CB_OUTCOME_COUNT) {
            refuse(v, VERDICT_INVALID, "callback_needs_satisfaction", "", 0,
                   "A callback needs an outcome: reached, no_answer, busy, refused or "
                   "wrong_number.");
            return;
        }
        if (args->outcome == CB_REACHED
            && (args->satisfaction == SAT_NONE || (unsigned)args->satisfaction >= SAT_COUNT)) {
            refuse(v, VERDICT_INVALID, "callback_needs_satisfaction", "", 0,
                   "A reached callback records the caller's satisfaction: satisfied, basic or "
                   "dissatisfied.");
            return;
        }
    }
    callback_round(t, &rd);
    earliest = callback_earliest(r, cal, tz, t, &rd, now);
    if (earliest <= now)
        return;
    fmt_local(tz, earliest, when, sizeof when);
    if (in_quiet(r, tz, now)) {
        fmt_clock(r->p.quiet_from, a, sizeof a);
        fmt_clock(r->p.quiet_to, b, sizeof b);
        refuse(v, VERDICT_CONFLICT, "callback_quiet_hours", r->p.quiet_ref.id, earliest,
               "No callbacks between %s and %s local time (rule %s, %s %s); the next attempt "
               "is possible from %s.", a, b, r->p.quiet_ref.id, r->p.quiet_ref.source,
               r->p.quiet_ref.clause, when);
        return;
    }
    if (t->callback_at > now) {
        char agreed[40];

        fmt_local(tz, t->callback_at, agreed, sizeof agreed);
        refuse(v, VERDICT_CONFLICT, "callback_not_due", r->p.cb_due.ref.id, earliest,
               "The caller agreed to be called at %s; respect the booked time. Possible from "
               "%s.", agreed, when);
        return;
    }
    {
        char last[40];
        char words[48];

        fmt_local(tz, rd.last, last, sizeof last);
        limit_words(words, sizeof words, r->p.cb_interval.value, r->p.cb_interval.unit);
        refuse(v, VERDICT_CONFLICT, "callback_too_soon", r->p.cb_interval.ref.id, earliest,
               "Callback attempts must be at least %s apart (rule %s, %s %s); the last attempt "
               "was at %s. The next is possible from %s.", words, r->p.cb_interval.ref.id,
               r->p.cb_interval.ref.source, r->p.cb_interval.ref.clause, last, when);
    }
}

/* Checks of schedule_callback's agreed time. */
static void
check_schedule(const struct rules *r, const struct tz *tz, const struct action_body *args,
               hl_time now, struct verdict *v)
{
    char when[40];
    char a[8];
    char b[8];

    if (args == NULL)
        return;
    if (args->at <= 0 || args->at < now) {
        refuse(v, VERDICT_INVALID, "callback_in_past", "", 0,
               "A callback is scheduled for a time still ahead.");
        return;
    }
    if (in_quiet(r, tz, args->at)) {
        hl_time next = after_quiet(r, tz, args->at);

        fmt_local(tz, next, when, sizeof when);
        fmt_clock(r->p.quiet_from, a, sizeof a);
        fmt_clock(r->p.quiet_to, b, sizeof b);
        refuse(v, VERDICT_CONFLICT, "callback_quiet_hours", r->p.quiet_ref.id, next,
               "No callbacks between %s and %s local time (rule %s, %s %s); agree a time from "
               "%s on.", a, b, r->p.quiet_ref.id, r->p.quiet_ref.source, r->p.quiet_ref.clause,
               when);
    }
}

/* Earliest instant the required failed attempts could all have been made. */
static hl_time
unreachable_from(const struct rules *r, const struct calendar *cal, const struct tz *tz,
                 const struct ticket *t, const struct round *rd, hl_time now)
{
    struct round sim = *rd;
    hl_time at = now;

    for (int i = sim.failed; i < r->p.unreach_attempts && i < 100; i++) {
        at = callback_earliest(r, cal, tz, t, &sim, at);
        sim.last = at;
    }
    return at;
}

/* Checks of close. */
static void
check_close(const struct rules *r, const struct calendar *cal, const struct tz *tz,
            const struct ticket *t, hl_time now, struct verdict *v)
{
    struct round rd;
    hl_time from;
    char when[40];

    if (t->status != STATUS_REPLIED && t->status != STATUS_CALLBACK)
        return;
    if (!r->p.cb_required[nat(t->nature)])
        return;
    callback_round(t, &rd);
    if (rd.done || rd.failed >= r->p.unreach_attempts)
        return;
    from = unreachable_from(r, cal, tz, t, &rd, now);
    fmt_local(tz, from, when, sizeof when);
    refuse(v, VERDICT_CONFLICT, "unreachable_needs_attempts", r->p.unreach_ref.id, from,
           "A callback is owed for a %s ticket: record the caller's satisfaction, or close as "
           "unreachable after %d failed attempts (rule %s, %s %s); %d so far. With attempts "
           "at the allowed times the ticket can close from %s.",
           nature_str(nat(t->nature)), r->p.unreach_attempts, r->p.unreach_ref.id,
           r->p.unreach_ref.source, r->p.unreach_ref.clause, rd.failed, when);
}

/* Decide one action with its arguments (the entry point of server and console). */
void
rules_check_args(const struct rules *r, const struct calendar *cal, const struct tz *tz,
                 const struct ticket *t, enum action a, const struct rule_actor *who,
                 const struct action_body *args, hl_time now, struct verdict *v)
{
    const struct action_rule *ar;
    const struct assignment *as = NULL;

    if (v == NULL)
        return;
    verdict_ok(v);
    if (r == NULL || tz == NULL || t == NULL || who == NULL) {
        refuse(v, VERDICT_INVALID, "invalid_request", "", 0,
               "No rules, time zone, ticket or user to check against.");
        return;
    }
    if ((unsigned)a >= ACTION_COUNT) {
        refuse(v, VERDICT_INVALID, "unknown_action", "", 0, "Unknown workflow action.");
        return;
    }
    ar = &action_table[a];
    if ((unsigned)who->role >= USER_ROLE_COUNT || (ar->roles & (1u << who->role)) == 0) {
        bool known = (unsigned)who->role < USER_ROLE_COUNT;
        const char *role = known ? user_role_str(who->role) : "unknown";

        refuse(v, VERDICT_FORBIDDEN, "forbidden_role", "", 0,
               "A%s %s user may not %s: it is for %s.",
               role[0] == 'a' || !known ? "n" : "", role, action_str(a), ar->who);
        return;
    }
    if (ar->own_unit) {
        as = unit_assignment(t, who->unit);
        if (as == NULL) {
            refuse(v, VERDICT_FORBIDDEN, "not_your_unit", "", 0,
                   "This ticket is not dispatched to your unit (%s); only an assigned unit "
                   "may %s it.", str_empty(who->unit) ? "none" : who->unit, action_str(a));
            return;
        }
    }
    if (t->status == STATUS_ARCHIVED) {
        refuse(v, VERDICT_CONFLICT, "archived_read_only", "", 0,
               "Archived tickets are read-only; nothing can be changed.");
        return;
    }
    if (a == ACTION_ARCHIVE && t->status != STATUS_CLOSED) {
        refuse(v, VERDICT_CONFLICT, "archive_not_closed", "", 0,
               "Only closed tickets can be archived; this one is %s. Close it first.",
               (unsigned)t->status < STATUS_COUNT ? status_str(t->status) : "in an unknown state");
        return;
    }
    if ((unsigned)t->status >= STATUS_COUNT || (ar->states & (1u << t->status)) == 0) {
        refuse(v, VERDICT_CONFLICT, "invalid_state", "", 0,
               "%s is not possible while the ticket is %s; it is possible when the ticket is %s.",
               action_str(a),
               (unsigned)t->status < STATUS_COUNT ? status_str(t->status) : "in an unknown state",
               ar->from);
        return;
    }
    switch (a) {
    case ACTION_ACCEPT:
    case ACTION_RETURN:
    case ACTION_REPLY:
        check_unit_action(r, cal, tz, t, a, as, now, v);
        break;
    case ACTION_REQUEST_EXTENSION:
        if (check_unit_action(r, cal, tz, t, a, as, now, v))
            check_request_extension(r, tz, t, args, now, v);
        break;
    case ACTION_DECIDE_EXTENSION:
        check_decide_extension(r, t, who, args, v);
        break;
    case ACTION_URGE:
        check_urge(r, tz, t, now, v);
        break;
    case ACTION_SCHEDULE_CALLBACK:
    case ACTION_CALLBACK:
        if (!r->p.cb_required[nat(t->nature)]) {
            refuse(v, VERDICT_CONFLICT, "callback_not_required",
                   r->p.cb_req_ref[nat(t->nature)].id, 0,
                   "No callback is owed for a %s ticket in profile %s (rule %s); close it "
                   "instead.", nature_str(nat(t->nature)), r->p.name,
                   r->p.cb_req_ref[nat(t->nature)].id);
            break;
        }
        if (a == ACTION_CALLBACK)
            check_callback(r, cal, tz, t, args, now, v);
        else
            check_schedule(r, tz, args, now, v);
        break;
    case ACTION_CLOSE:
        check_close(r, cal, tz, t, now, v);
        break;
    case ACTION_RESOLVE_DIRECT:
    case ACTION_DISPATCH:
    case ACTION_SUPERVISE:
    case ACTION_REOPEN:
    case ACTION_ARCHIVE:
    case ACTION_COUNT:
    default:
        break;
    }
}

/* Decide one action without arguments. */
void
rules_check(const struct rules *r, const struct calendar *cal, const struct tz *tz,
            const struct ticket *t, enum action a, const struct rule_actor *who, hl_time now,
            struct verdict *v)
{
    rules_check_args(r, cal, tz, t, a, who, NULL, now, v);
}

/* Refuse roles outside the intake roles (agent, supervisor, admin); true when allowed. */
static bool
check_intake_role(const struct rule_actor *who, const char *what, struct verdict *v)
{
    if (who != NULL && (unsigned)who->role < USER_ROLE_COUNT
        && (R_CENTRE & (1u << who->role)) != 0)
        return true;
    refuse(v, VERDICT_FORBIDDEN, "forbidden_role", "", 0,
           "Only agents, supervisors and admins may %s.", what);
    return false;
}

/* Decide whether who may create a ticket. */
void
rules_check_create(const struct rule_actor *who, struct verdict *v)
{
    if (v == NULL)
        return;
    verdict_ok(v);
    check_intake_role(who, "take in (create) tickets", v);
}

/* Decide whether who may edit the matter of t now. */
void
rules_check_edit(const struct ticket *t, const struct rule_actor *who, struct verdict *v)
{
    if (v == NULL)
        return;
    verdict_ok(v);
    if (t == NULL) {
        refuse(v, VERDICT_INVALID, "invalid_request", "", 0, "No ticket to check against.");
        return;
    }
    if (!check_intake_role(who, "edit a ticket's matter", v))
        return;
    if (t->status == STATUS_ARCHIVED) {
        refuse(v, VERDICT_CONFLICT, "archived_read_only", "", 0,
               "Archived tickets are read-only; nothing can be changed.");
        return;
    }
    if (t->status != STATUS_ACCEPTED && t->status != STATUS_RETURNED)
        refuse(v, VERDICT_CONFLICT, "invalid_state", "", 0,
               "The matter can be edited only before dispatch (accepted or returned); this "
               "ticket is %s. Add a note through an action instead.",
               (unsigned)t->status < STATUS_COUNT ? status_str(t->status) : "in an unknown state");
}

/* Turn a refusal into an err. */
int
rules_verdict_err(const struct verdict *v, struct err *e)
{
    if (v == NULL || v->ok) {
        err_clear(e);
        return HL_OK;
    }
    return err_set(e, HL_ERULE, v->code, "%s", v->message);
}

/* ------------------------------------------------------------ transitions */

/* Compute what a checked action changes on the ticket. */
void
rules_transition(const struct rules *r, const struct calendar *cal, const struct tz *tz,
                 const struct ticket *t, enum action a, const struct rule_actor *who,
                 const struct action_body *args, hl_time now, struct transition *out)
{
    const struct assignment *as;
    bool lead;

    if (out == NULL)
        return;
    memset(out, 0, sizeof *out);
    if (t == NULL)
        return;
    out->status = t->status;
    if (r == NULL || tz == NULL)
        return;
    as = who != NULL ? unit_assignment(t, who->unit) : NULL;
    lead = as != NULL && (as->role == ROLE_LEAD || as == main_assignment(t));
    switch (a) {
    case ACTION_RESOLVE_DIRECT:
        out->status = STATUS_CLOSED;
        out->set_resolution = true;
        out->resolution = RESOLUTION_DIRECT;
        out->set_closed_at = true;
        break;
    case ACTION_DISPATCH:
        out->status = STATUS_DISPATCHED;
        break;
    case ACTION_ACCEPT:
        if (t->status == STATUS_DISPATCHED)
            out->status = STATUS_IN_PROGRESS;
        break;
    case ACTION_RETURN:
        if (lead)
            out->status = STATUS_RETURNED;
        break;
    case ACTION_REPLY:
        if (lead) {
            out->status = STATUS_REPLIED;
            out->set_callback_due = true;
            out->callback_due_at = rules_callback_due(r, cal, tz, t, now);
        }
        break;
    case ACTION_DECIDE_EXTENSION: {
        int approved;
        const struct extension *p = extension_state(t, &approved);

        if (p != NULL && args != NULL && args->approve && t->due_at != 0) {
            out->set_due = true;
            out->due.due = rules_extended_due(tz, t->due_at, p->days);
            snprintf(out->due.rule, sizeof out->due.rule, "%s", r->p.ext_ref.id);
            snprintf(out->due.label, sizeof out->due.label, "extended by %d day%s", p->days,
                     p->days == 1 ? "" : "s");
            str_copy(out->due.calendar, sizeof out->due.calendar,
                     t->calendar != NULL ? t->calendar : "");
            out->due.emergency = t->urgency == URGENCY_EMERGENCY;
        }
        break;
    }
    case ACTION_SCHEDULE_CALLBACK:
        out->status = STATUS_CALLBACK;
        break;
    case ACTION_CALLBACK:
        out->status = STATUS_CALLBACK;
        if (args == NULL)
            break;
        if (args->outcome == CB_REACHED && args->satisfaction == SAT_DISSATISFIED) {
            out->status = STATUS_IN_PROGRESS;
            out->set_due = true;
            rules_redo_due(r, cal, tz, t, now, &out->due);
            out->set_callback_due = true;
            out->callback_due_at = 0;
        } else if (args->outcome == CB_REACHED || args->outcome == CB_REFUSED) {
            out->status = STATUS_CLOSED;
            out->set_resolution = true;
            out->resolution = RESOLUTION_UNIT;
            out->set_closed_at = true;
            out->set_callback_due = true;
            out->callback_due_at = 0;
        }
        break;
    case ACTION_CLOSE: {
        struct round rd;

        out->status = STATUS_CLOSED;
        out->set_resolution = true;
        out->set_closed_at = true;
        out->set_callback_due = true;
        out->callback_due_at = 0;
        if (t->status != STATUS_REPLIED && t->status != STATUS_CALLBACK) {
            out->resolution = RESOLUTION_WITHDRAWN;
            break;
        }
        callback_round(t, &rd);
        out->resolution = r->p.cb_required[nat(t->nature)] && !rd.done
                          && rd.failed >= r->p.unreach_attempts
                          ? RESOLUTION_UNREACHABLE : RESOLUTION_UNIT;
        break;
    }
    case ACTION_REOPEN:
        out->status = main_assignment(t) != NULL ? STATUS_IN_PROGRESS : STATUS_ACCEPTED;
        out->set_resolution = true;
        out->resolution = RESOLUTION_NONE;
        out->set_closed_at = true;
        out->set_due = true;
        rules_redo_due(r, cal, tz, t, now, &out->due);
        out->set_callback_due = true;
        out->callback_due_at = 0;
        break;
    case ACTION_ARCHIVE:
        out->status = STATUS_ARCHIVED;
        break;
    case ACTION_REQUEST_EXTENSION:
    case ACTION_URGE:
    case ACTION_SUPERVISE:
    case ACTION_COUNT:
    default:
        break;
    }
}

/* ------------------------------------------------------------------ flags */

/* Compute the flags of a ticket at now. */
unsigned
rules_flags(const struct rules *r, const struct calendar *cal, const struct tz *tz,
            const struct ticket *t, hl_time now)
{
    unsigned f;
    bool open;
    bool processing;

    if (t == NULL)
        return 0;
    f = t->flags & (FLAG_REPEAT_CALLER | FLAG_CLUSTER);
    if (r == NULL || tz == NULL)
        return f;
    open = (unsigned)t->status < STATUS_COUNT && t->status != STATUS_CLOSED
           && t->status != STATUS_ARCHIVED;
    processing = t->status == STATUS_ACCEPTED || t->status == STATUS_DISPATCHED
                 || t->status == STATUS_IN_PROGRESS || t->status == STATUS_RETURNED;
    if (processing && t->due_at != 0) {
        if (now > t->due_at)
            f |= FLAG_OVERDUE;
        else if (now >= fraction_point(period_start(t), t->due_at, r->p.near_permille))
            f |= FLAG_NEAR_DUE;
    }
    if ((t->status == STATUS_REPLIED || t->status == STATUS_CALLBACK) && t->callback_due_at != 0
        && now > t->callback_due_at)
        f |= FLAG_OVERDUE;
    {
        enum nature n = nat(t->nature);
        const struct lrule *dl = r->p.has_dispatch[n] ? &r->p.dispatch[n] : &r->p.dispatch_default;
        struct lend le;
        hl_time first = 0;

        limit_end(cal, tz, t->created_at, dl->value, dl->unit, r->p.mode, &le);
        for (size_t i = 0; t->assignments != NULL && i < t->n_assignments; i++) {
            hl_time d = t->assignments[i].dispatched_at;

            if (d != 0 && (first == 0 || d < first))
                first = d;
        }
        if (first != 0 ? first > le.at : (t->status == STATUS_ACCEPTED && now > le.at))
            f |= FLAG_LATE_DISPATCH;
    }
    if (open && t->urgency == URGENCY_EMERGENCY)
        f |= FLAG_EMERGENCY;
    for (size_t i = t->n_callbacks; t->callbacks != NULL && i > 0; i--) {
        const struct callback *cb = &t->callbacks[i - 1];

        if (cb->satisfaction != SAT_NONE) {
            if (cb->satisfaction == SAT_DISSATISFIED)
                f |= FLAG_DISSATISFIED;
            break;
        }
    }
    if (t->n_supervisions > 0)
        f |= FLAG_SUPERVISED;
    return f;
}
