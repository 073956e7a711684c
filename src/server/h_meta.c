/* h_meta: GET /api/v1/meta, the reference data a console loads at start (with an ETag over
 * the content, so a console revalidates with If-None-Match and gets 304). */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "hotline/calendar.h"
#include "hotline/codec.h"
#include "hotline/model.h"
#include "hotline/rules.h"
#include "hotline/util.h"
#include "handlers.h"
#include "paths.h"
#include "server.h"
#include "store.h"

/* The category tree's file, its largest size, deepest nesting and most nodes kept. */
#define CATEGORIES_FILE  "categories-cn.json"
#define CATEGORIES_MAX   (4u * 1024u * 1024u)
#define CATEGORY_DEPTH   8
#define CATEGORY_NODES   10000

/* Path of a data file: under --data when given, else where data_path finds it. */
static bool
data_file(const struct server *srv, const char *file, char *buf, size_t sz)
{
    if (srv->cfg.data_dir != NULL)
        return (size_t)snprintf(buf, sz, "%s/%s", srv->cfg.data_dir, file) < sz;
    return data_path(file, buf, sz);
}

/* A string member of a node, or NULL. */
static const char *
member_string(const cJSON *node, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(node, name);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Copy the nodes of arr as {code,label,label_en,children} into out; nodes without a code
 * or a label are skipped. *budget counts the nodes still allowed. */
static void
copy_nodes(const cJSON *arr, cJSON *out, int depth, int *budget)
{
    const cJSON *node;

    if (!cJSON_IsArray(arr) || depth > CATEGORY_DEPTH)
        return;
    cJSON_ArrayForEach(node, arr) {
        const char *code = member_string(node, "code");
        const char *label = member_string(node, "label");
        const char *label_en = member_string(node, "label_en");
        cJSON *o;

        if (code == NULL || label == NULL || *budget <= 0)
            continue;
        (*budget)--;
        o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "code", code);
        cJSON_AddStringToObject(o, "label", label);
        if (label_en != NULL)
            cJSON_AddStringToObject(o, "label_en", label_en);
        else
            cJSON_AddNullToObject(o, "label_en");
        copy_nodes(cJSON_GetObjectItemCaseSensitive(node, "children"),
                   cJSON_AddArrayToObject(o, "children"), depth + 1, budget);
        cJSON_AddItemToArray(out, o);
    }
}

/* The content category tree of data/categories-cn.json as [{code,label,label_en,children}].
 * NULL with e filled (naming the file) when it cannot be read. Caller owns. */
cJSON *
h_meta_categories(const struct server *srv, struct err *e)
{
    char path[PATH_MAX];
    char *text = NULL;
    size_t len = 0;
    cJSON *root = NULL;
    cJSON *out = NULL;
    int budget = CATEGORY_NODES;

    if (!data_file(srv, CATEGORIES_FILE, path, sizeof path)) {
        err_set(e, HL_EINVAL, "data", "the path of %s is too long", CATEGORIES_FILE);
        goto out;
    }
    text = file_load(path, "category tree", CATEGORIES_MAX, &len, e);
    if (text == NULL)
        goto out;
    root = codec_parse(text, len, e);
    if (root == NULL) {
        char why[sizeof e->msg];

        str_copy(why, sizeof why, e->msg);
        err_set(e, HL_EINVAL, "data", "%s: %s", path, why);
        goto out;
    }
    out = cJSON_CreateArray();
    copy_nodes(cJSON_GetObjectItemCaseSensitive(root, "content_categories"), out, 1, &budget);
out:
    cJSON_Delete(root);
    free(text);
    return out;
}

/* A label pair {code, label}. */
static cJSON *
label(const char *code, const char *text)
{
    cJSON *o = cJSON_CreateObject();

    cJSON_AddStringToObject(o, "code", code);
    cJSON_AddStringToObject(o, "label", text);
    return o;
}

/* The enums of the model: natures, channels, statuses, urgencies, flags, kinds, actions. */
static void
add_enums(cJSON *root)
{
    cJSON *arr;
    int i;

    arr = cJSON_AddArrayToObject(root, "natures");
    for (i = 0; i < NATURE_COUNT; i++)
        cJSON_AddItemToArray(arr, label(nature_str((enum nature)i), nature_label((enum nature)i)));
    arr = cJSON_AddArrayToObject(root, "channels");
    for (i = 0; i < CHANNEL_COUNT; i++)
        cJSON_AddItemToArray(arr, cJSON_CreateString(channel_str((enum channel)i)));
    arr = cJSON_AddArrayToObject(root, "statuses");
    for (i = 0; i < STATUS_COUNT; i++)
        cJSON_AddItemToArray(arr, label(status_str((enum status)i), status_label((enum status)i)));
    arr = cJSON_AddArrayToObject(root, "urgencies");
    for (i = 0; i < URGENCY_COUNT; i++)
        cJSON_AddItemToArray(arr, cJSON_CreateString(urgency_str((enum urgency)i)));
    arr = cJSON_AddArrayToObject(root, "flags");
    for (i = 0; i < FLAG_COUNT; i++) {
        const char *name = flag_str(1u << i);

        if (name != NULL)
            cJSON_AddItemToArray(arr, cJSON_CreateString(name));
    }
    arr = cJSON_AddArrayToObject(root, "kb_kinds");
    for (i = 0; i < KB_KIND_COUNT; i++)
        cJSON_AddItemToArray(arr, label(kb_kind_str((enum kb_kind)i),
                                        kb_kind_label((enum kb_kind)i)));
    arr = cJSON_AddArrayToObject(root, "actions");
    for (i = 0; i < ACTION_COUNT; i++)
        cJSON_AddItemToArray(arr, cJSON_CreateString(action_str((enum action)i)));
}

/* The calendar: {version, years: [first..last]}. */
static cJSON *
calendar_json(const struct calendar *cal)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *years;
    int first = 0, last = 0, y;

    cJSON_AddStringToObject(o, "version", calendar_version(cal));
    years = cJSON_AddArrayToObject(o, "years");
    calendar_year_range(cal, &first, &last);
    for (y = first; first > 0 && y <= last; y++) {
        if (calendar_has_year(cal, y))
            cJSON_AddItemToArray(years, cJSON_CreateNumber(y));
    }
    return o;
}

/* The units of the store as [{code, name}]; NULL with e filled when the store fails. */
static cJSON *
units_json(struct server *srv, struct err *e)
{
    struct unit *units = NULL;
    size_t n = 0, i;
    cJSON *arr;

    if (srv->store->ops->unit_list(srv->store, &units, &n, e) != HL_OK)
        return NULL;
    arr = cJSON_CreateArray();
    for (i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();

        cJSON_AddStringToObject(o, "code", units[i].code != NULL ? units[i].code : "");
        cJSON_AddStringToObject(o, "name", units[i].name != NULL ? units[i].name : "");
        cJSON_AddItemToArray(arr, o);
        unit_fini(&units[i]);
    }
    free(units);
    return arr;
}

/* FNV-1a, 64 bits: the ETag of the content. */
static uint64_t
fnv1a(const char *s, size_t n)
{
    uint64_t h = 14695981039346656037ull;
    size_t i;

    for (i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h;
}

/* True when an If-None-Match value names etag (or is "*"). */
static bool
etag_matches(const char *inm, const char *etag)
{
    size_t n = strlen(etag);
    const char *p = inm;

    if (strcmp(inm, "*") == 0)
        return true;
    while ((p = strstr(p, etag)) != NULL) {
        bool start = p == inm || p[-1] == ' ' || p[-1] == ',' || p[-1] == '/';
        bool end = p[n] == '\0' || p[n] == ' ' || p[n] == ',';

        if (start && end)
            return true;
        p += n;
    }
    return false;
}

/* GET /api/v1/meta: everything a console needs to build its forms and explain the rules. */
void
h_meta_get(struct server *srv, struct request *req, struct reply *rep)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *part;
    struct err e;
    char *text = NULL;
    char etag[32];

    err_clear(&e);
    cJSON_AddStringToObject(root, "version", HOTLINE_VERSION);
    cJSON_AddStringToObject(root, "profile", rules_profile(srv->rules));
    cJSON_AddStringToObject(root, "tz", srv->cfg.tz_name);
    add_enums(root);
    part = h_meta_categories(srv, &e);
    if (part == NULL) {
        reply_error(rep, 500, "internal_error", NULL, "%s", e.msg);
        goto out;
    }
    cJSON_AddItemToObject(root, "categories", part);
    part = units_json(srv, &e);
    if (part == NULL) {
        reply_error(rep, 500, "io", NULL, "%s", e.msg);
        goto out;
    }
    cJSON_AddItemToObject(root, "units", part);
    part = cJSON_Parse(rules_json(srv->rules));
    cJSON_AddItemToObject(root, "rules", part != NULL ? part : cJSON_CreateObject());
    cJSON_AddItemToObject(root, "calendar", calendar_json(srv->calendar));

    text = codec_print(root);
    snprintf(etag, sizeof etag, "\"%" PRIu64 "\"", fnv1a(text, strlen(text)));
    if (req->headers.if_none_match != NULL && etag_matches(req->headers.if_none_match, etag)) {
        rep->status = 304;
    } else {
        rep->status = 200;
        strbuf_adds(&rep->body, text);
    }
    rep->etag = xstrdup(etag);
out:
    free(text);
    cJSON_Delete(root);
}
