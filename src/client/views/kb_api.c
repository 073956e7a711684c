/* kb_api: the knowledge base's writes (POST /kb, PATCH /kb/{id}, POST /kb/{id}/publish) for
 * supervisors, over the app's net with its token; answers come as a struct api_result. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "api.h"
#include "app.h"
#include "cache.h"
#include "hotline/codec.h"
#include "hotline/datetime.h"
#include "hotline/util.h"
#include "i18n.h"
#include "net.h"
#include "views/kb_api.h"

/* A write in flight. */
struct kb_call {
    struct app *app;
    api_done_fn done;
    void *arg;
};

/* Add a date field ("YYYY-MM-DD"), or null when is_open. */
static void
add_date(cJSON *o, const char *name, int64_t day, bool is_open)
{
    char buf[16];

    if (is_open) {
        cJSON_AddNullToObject(o, name);
        return;
    }
    datetime_format_date(day, buf, sizeof buf);
    cJSON_AddStringToObject(o, name, buf);
}

/* Add a string field, null when s is NULL or empty. */
static void
add_str(cJSON *o, const char *name, const char *s)
{
    if (str_empty(s))
        cJSON_AddNullToObject(o, name);
    else
        cJSON_AddStringToObject(o, name, s);
}

char *
kb_api_body(const struct article *a, bool with_id)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *tags;
    char *text;

    if (with_id)
        add_str(o, "id", a->id);
    cJSON_AddStringToObject(o, "title", a->title != NULL ? a->title : "");
    cJSON_AddStringToObject(o, "kind", kb_kind_str(a->kind));
    cJSON_AddStringToObject(o, "scope", kb_scope_str(a->scope));
    add_str(o, "region", a->region);
    add_str(o, "category", a->category);
    tags = cJSON_AddArrayToObject(o, "tags");
    for (size_t i = 0; i < a->tags.n; i++)
        cJSON_AddItemToArray(tags, cJSON_CreateString(a->tags.v[i]));
    cJSON_AddStringToObject(o, "body", a->body != NULL ? a->body : "");
    add_date(o, "valid_from", a->valid_from, a->valid_from == 0);
    add_date(o, "valid_to", a->valid_to, a->valid_to == INT64_MAX || a->valid_to == 0);
    text = codec_print(o);
    cJSON_Delete(o);
    return text;
}

char *
kb_api_publish_body(enum kb_status to)
{
    return xasprintf("{\"status\":\"%s\"}", kb_status_str(to));
}

bool
kb_api_next_status(enum kb_status from, enum kb_status *to)
{
    switch (from) {
    case KB_DRAFT:
        *to = KB_REVIEW;
        return true;
    case KB_REVIEW:
        *to = KB_PUBLISHED;
        return true;
    default:
        return false;
    }
}

/* The API base: the server URL with "/api/v1" unless it ends so already. Owned. */
static char *
base_url(const struct app *app)
{
    const char *u = app->cfg.server_url;
    size_t n = strlen(u);

    while (n > 0 && u[n - 1] == '/')
        n--;
    if (n >= 7 && strncmp(u + n - 7, "/api/v1", 7) == 0)
        return xstrndup(u, n);
    return xasprintf("%.*s/api/v1", (int)n, u);
}

/* Append s percent-encoded for a path segment. */
static void
pct_add(struct strbuf *sb, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '.' || *p == '~')
            strbuf_addc(sb, (char)*p);
        else
            strbuf_addf(sb, "%%%02X", *p);
    }
}

/* Fill r from an error answer: the server's sentence and code. */
static void
take_error(const struct net_response *nr, struct api_result *r)
{
    cJSON *json = NULL;
    const cJSON *detail, *code;
    struct err pe;

    if (nr->len > 0)
        json = codec_parse(nr->body, nr->len, &pe);
    detail = cJSON_GetObjectItemCaseSensitive(json, "error");
    code = cJSON_GetObjectItemCaseSensitive(detail, "code");
    if (cJSON_IsString(code)) {
        codec_error_decode(json, &r->err);
        str_copy(r->error_code, sizeof r->error_code, code->valuestring);
    }
    if (r->err.msg[0] == '\0')
        err_set(&r->err, HL_EINVAL, "", "the server answered HTTP %ld", nr->status);
    r->code = r->err.code = nr->status == 404 ? HL_ENOENT
                          : nr->status == 409 || nr->status == 412 ? HL_ECONFLICT
                          : nr->status >= 500 ? HL_EIO : HL_EINVAL;
    cJSON_Delete(json);
}

/* Answer of a write: decode, keep in the cache, call back. */
static void
call_done(const struct net_response *nr, void *arg)
{
    struct kb_call *c = arg;
    struct api_result r;
    struct err de;

    memset(&r, 0, sizeof r);
    r.id = nr->id;
    r.status = nr->status;
    r.retry_after = nr->retry_after;
    r.page.total = -1;
    str_copy(r.etag, sizeof r.etag, nr->etag != NULL ? nr->etag : "");
    if (nr->cancelled) {
        r.cancelled = true;
        r.code = err_set(&r.err, HL_EIO, "", "cancelled");
    } else if (nr->status == 0) {
        r.offline = true;
        r.code = err_set(&r.err, HL_EIO, "", "cannot reach the server: %s", nr->error);
    } else if (nr->status >= 200 && nr->status < 300) {
        cJSON *json = codec_parse(nr->body, nr->len, &de);

        r.article = json != NULL ? codec_article_decode(json, &de) : NULL;
        cJSON_Delete(json);
        if (r.article == NULL) {
            r.code = err_set(&r.err, HL_EINVAL, de.field,
                             "the server sent an article that cannot be read: %s", de.msg);
        } else {
            r.code = HL_OK;
            if (app_cache(c->app) != NULL)
                cache_put_article(app_cache(c->app), r.article, nr->body, NULL);
        }
    } else {
        take_error(nr, &r);
        if (nr->status == 401)
            app_show_login(c->app, _("The session has expired: sign in again. The screen and "
                                     "anything typed stay as they are."));
    }
    if (c->done != NULL)
        c->done(&r, c->arg);
    api_result_fini(&r);
    free(c);
}

/* Start a write: method on path (below the API base) with a JSON body. */
static uint64_t
start(struct app *app, const char *method, const char *path, const char *body,
      int64_t if_match, api_done_fn done, void *arg, struct err *e)
{
    struct api *api = app_api(app);
    const char *headers[6];
    char *authz, *url, *base, *im = NULL;
    struct kb_call *c;
    uint64_t id;
    size_t n = 0;

    if (api == NULL || app->net == NULL) {
        err_set(e, HL_EINVAL, "server", "no server is configured");
        return 0;
    }
    if (api_token(api) == NULL) {
        err_set(e, HL_EINVAL, "token", "not signed in");
        return 0;
    }
    authz = xasprintf("Authorization: Bearer %s", api_token(api));
    headers[n++] = "Accept: application/json";
    headers[n++] = "Content-Type: application/json";
    headers[n++] = authz;
    if (if_match >= 0) {
        im = xasprintf("If-Match: \"%lld\"", (long long)if_match);
        headers[n++] = im;
    }
    headers[n] = NULL;
    base = base_url(app);
    url = xasprintf("%s%s", base, path);
    c = xcalloc(1, sizeof *c);
    c->app = app;
    c->done = done;
    c->arg = arg;
    id = net_request(app->net, method, url, headers, body, strlen(body), API_TIMEOUT_MS,
                     call_done, c, e);
    if (id == 0)
        free(c);
    free(url);
    free(base);
    free(im);
    free(authz);
    return id;
}

uint64_t
kb_api_create(struct app *app, const struct article *a, api_done_fn done, void *arg,
              struct err *e)
{
    char *body = kb_api_body(a, true);
    uint64_t id = start(app, "POST", "/kb", body, -1, done, arg, e);

    free(body);
    return id;
}

uint64_t
kb_api_patch(struct app *app, const struct article *a, int64_t version, api_done_fn done,
             void *arg, struct err *e)
{
    struct strbuf path;
    char *body;
    uint64_t id;

    if (str_empty(a->id)) {
        err_set(e, HL_EINVAL, "id", "the article has no id");
        return 0;
    }
    strbuf_init(&path);
    strbuf_adds(&path, "/kb/");
    pct_add(&path, a->id);
    body = kb_api_body(a, false);
    id = start(app, "PATCH", strbuf_str(&path), body, version, done, arg, e);
    free(body);
    strbuf_fini(&path);
    return id;
}

uint64_t
kb_api_publish(struct app *app, const char *id, enum kb_status to, int64_t version,
               api_done_fn done, void *arg, struct err *e)
{
    struct strbuf path;
    char *body;
    uint64_t rid;

    if (str_empty(id)) {
        err_set(e, HL_EINVAL, "id", "the article has no id");
        return 0;
    }
    strbuf_init(&path);
    strbuf_adds(&path, "/kb/");
    pct_add(&path, id);
    strbuf_adds(&path, "/publish");
    body = kb_api_publish_body(to);
    rid = start(app, "POST", strbuf_str(&path), body, version, done, arg, e);
    free(body);
    strbuf_fini(&path);
    return rid;
}

bool
kb_api_cancel(struct app *app, uint64_t id)
{
    return app->net != NULL && id != 0 && net_cancel(app->net, id);
}
