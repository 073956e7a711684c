/* api: typed calls to hotlined over net; the JSON is decoded into model structs here and only here. */
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "api.h"
#include "cache.h"
#include "hotline/util.h"
#include "net.h"
#include "outbox.h"

/* Most nodes of the category tree kept. */
#define META_MAX_CATEGORIES 20000
/* Delay before the feed is re-armed after an answer it could not use, ms. */
#define FEED_RETRY_MS 5000
/* Delay before the outbox is retried after a busy or failing server, ms. */
#define OUTBOX_RETRY_MS 5000

/* What a call's answer is decoded into. */
enum call_kind {
    CALL_LOGIN, CALL_LOGOUT, CALL_WHOAMI, CALL_CALL_EVENT, CALL_HEALTH, CALL_META, CALL_TICKET, CALL_PAGE, CALL_ARTICLE,
    CALL_KB, CALL_STATS,
    CALL_PROBE, CALL_FEED, CALL_OUTBOX, CALL_THEIRS,     /* the api's own */
};

/* One call in flight. */
struct call {
    struct api *api;          /* NULL once the api is gone */
    enum call_kind kind;
    bool auth;                /* sent with the token */
    uint64_t id;              /* net's id */
    api_done_fn done;
    void *arg;
    char *ticket_id;          /* CALL_TICKET by id: forgotten from the cache on 404 */
    int64_t outbox_seq;       /* CALL_OUTBOX, CALL_THEIRS */
    char *local_id;           /* CALL_OUTBOX of a create */
    struct call *prev, *next;
};

struct api {
    struct net *net;
    struct timers *timers;
    char *base;               /* ".../api/v1" without a trailing slash */
    long timeout_ms;
    int feed_wait_s;
    int backoff_base_ms;
    int backoff_max_ms;
    int offline_after_ms;
    const struct tz *tz;
    api_event_fn on_event;
    void *ev_arg;
    char *token;
    char *user_id;            /* whose token it is (login, whoami), NULL until known */
    bool expired;             /* a 401 was reported; waiting for a new token */
    struct cache *cache;
    struct outbox *outbox;
    struct api_conn_state conn;
    int64_t fail_since_ms;
    uint64_t probe_timer;
    uint64_t probe_call;
    bool feed_on;
    int64_t feed_seq;
    uint64_t feed_call;
    uint64_t feed_timer;
    uint64_t outbox_call;
    uint64_t outbox_timer;
    struct call *calls;
    uint64_t rng;
};

/* ---- small helpers ---- */

/* Next pseudo-random number (xorshift64*), for jitter only. */
static uint64_t
rng_next(struct api *api)
{
    uint64_t x = api->rng;

    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    api->rng = x;
    return x * 0x2545F4914F6CDD1DULL;
}

/* Seed the jitter generator from /dev/urandom (the clock when that fails). */
static void
rng_seed(struct api *api)
{
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    uint64_t s = 0;

    if (fd >= 0) {
        if (read(fd, &s, sizeof(s)) != (ssize_t)sizeof(s))
            s = 0;
        close(fd);
    }
    if (s == 0)
        s = (uint64_t)net_now_ms() * 6364136223846793005ULL + (uint64_t)getpid();
    api->rng = s != 0 ? s : 88172645463325252ULL;
}

/* Append s percent-encoded (RFC 3986 unreserved characters kept). */
static void
pct_add(struct strbuf *sb, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";

    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~') {
            strbuf_addc(sb, (char)*p);
        } else {
            strbuf_addc(sb, '%');
            strbuf_addc(sb, hex[*p >> 4]);
            strbuf_addc(sb, hex[*p & 15]);
        }
    }
}

/* Append "&name=value" (or "?name=value" first) when value is set. */
static void
query_add(struct strbuf *sb, const char *name, const char *value)
{
    if (value == NULL || value[0] == '\0')
        return;
    strbuf_addc(sb, strchr(strbuf_str(sb), '?') != NULL ? '&' : '?');
    strbuf_adds(sb, name);
    strbuf_addc(sb, '=');
    pct_add(sb, value);
}

/* Append an integer query parameter. */
static void
query_add_int(struct strbuf *sb, const char *name, long long v)
{
    char buf[32];

    snprintf(buf, sizeof(buf), "%lld", v);
    query_add(sb, name, buf);
}

/* Append an instant query parameter (skipped when 0). */
static void
query_add_time(struct api *api, struct strbuf *sb, const char *name, hl_time t)
{
    char buf[40];

    if (t == 0)
        return;
    if (api->tz != NULL)
        tz_format_rfc3339(api->tz, t, buf, sizeof(buf));
    else
        datetime_format_rfc3339(t, 0, buf, sizeof(buf));
    query_add(sb, name, buf);
}

/* A string member, or NULL. */
static const char *
jstr(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A copy of a string member, or NULL. */
static char *
jdup(const cJSON *o, const char *key)
{
    return xstrdup(jstr(o, key));
}

/* A number member into *out; false when absent or not a finite number. */
static bool
jnum(const cJSON *o, const char *key, double *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
        return false;
    *out = v->valuedouble;
    return true;
}

/* A whole-number member, or def. */
static int64_t
jint(const cJSON *o, const char *key, int64_t def)
{
    double d;

    if (!jnum(o, key, &d) || d != floor(d) || d < -9.0e15 || d > 9.0e15)
        return def;
    return (int64_t)d;
}

/* An RFC 3339 member as an instant, 0 when absent or malformed. */
static hl_time
jtime(const cJSON *o, const char *key)
{
    const char *s = jstr(o, key);
    hl_time t = 0;

    if (s == NULL || !datetime_parse_rfc3339(s, &t, NULL))
        return 0;
    return t;
}

/* A boolean member: 1, 0, or -1 when absent or null. */
static int
jbool(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    if (cJSON_IsTrue(v))
        return 1;
    if (cJSON_IsFalse(v))
        return 0;
    return -1;
}

/* ---- events and connection state ---- */

/* Tell the UI something happened. */
static void
emit(struct api *api, struct api_event *ev)
{
    if (api->on_event != NULL)
        api->on_event(ev, api->ev_arg);
}

/* Tell the UI the connection state. */
static void
emit_conn(struct api *api)
{
    struct api_event ev = { .kind = API_EV_CONN, .conn = &api->conn };

    emit(api, &ev);
}

/* A 401 came: report it once. */
static void
session_expired(struct api *api)
{
    struct api_event ev = { .kind = API_EV_SESSION_EXPIRED, .conn = &api->conn };

    if (api->expired)
        return;
    api->expired = true;
    emit(api, &ev);
}

static void probe_fire(void *arg);
static void feed_arm(struct api *api);
static void outbox_try(struct api *api);
static void outbox_abandon(struct api *api);

/* Delay of the nth failed attempt (1-based), with ±20% jitter, ms. */
static int64_t
backoff_ms(struct api *api, int attempt)
{
    int64_t d = api->backoff_base_ms;
    double j;

    for (int i = 1; i < attempt && d < api->backoff_max_ms; i++)
        d *= 2;
    if (d > api->backoff_max_ms)
        d = api->backoff_max_ms;
    j = 0.8 + 0.4 * (double)(rng_next(api) >> 11) / 9007199254740992.0;
    d = (int64_t)((double)d * j);
    if (d > api->backoff_max_ms)
        d = api->backoff_max_ms;
    return d < 1 ? 1 : d;
}

/* A request got no answer (or an unavailable server): go reconnecting, schedule the
 * next probe. Failures while a probe is already scheduled only update the message. */
static void
note_failure(struct api *api, const char *why, bool from_probe)
{
    int64_t now = net_now_ms();
    int64_t delay;

    str_copy(api->conn.error, sizeof(api->conn.error), why != NULL ? why : "no answer");
    if (api->conn.state == API_ONLINE) {
        api->conn.state = API_RECONNECTING;
        api->conn.since = (hl_time)time(NULL);
        api->conn.attempt = 0;
        api->fail_since_ms = now;
    } else if (!from_probe && (api->probe_timer != 0 || api->probe_call != 0)) {
        return;
    }
    api->conn.attempt++;
    delay = backoff_ms(api, api->conn.attempt);
    if (api->probe_timer != 0)
        timers_cancel(api->timers, api->probe_timer);
    api->probe_timer = timers_add(api->timers, now + delay, probe_fire, api);
    api->conn.next_try_ms = now + delay;
    api->conn.next_try_at = (hl_time)time(NULL) + (delay + 999) / 1000;
    if (now - api->fail_since_ms >= api->offline_after_ms)
        api->conn.state = API_OFFLINE;
    emit_conn(api);
}

/* A request got an answer: back online, restart the feed and the outbox. */
static void
note_success(struct api *api)
{
    if (api->conn.state == API_ONLINE)
        return;
    api->conn.state = API_ONLINE;
    api->conn.since = (hl_time)time(NULL);
    api->conn.attempt = 0;
    api->conn.next_try_ms = 0;
    api->conn.next_try_at = 0;
    api->conn.error[0] = '\0';
    if (api->probe_timer != 0)
        timers_cancel(api->timers, api->probe_timer);
    api->probe_timer = 0;
    emit_conn(api);
    feed_arm(api);
    outbox_try(api);
}

/* Update the connection state from an answer; true when it counts as an answer. */
static bool
track(struct api *api, const struct net_response *nr, bool from_probe)
{
    char why[320];

    if (nr->cancelled)
        return false;
    if (nr->status == 0 && !nr->too_large) {
        note_failure(api, nr->error, from_probe);
        return false;
    }
    if (nr->status == 502 || nr->status == 503 || nr->status == 504) {
        snprintf(why, sizeof(why), "the server is unavailable (HTTP %ld)", nr->status);
        note_failure(api, why, from_probe);
        return false;
    }
    note_success(api);
    return true;
}

/* ---- calls ---- */

/* Unlink a call from the api's list. */
static void
call_unlink(struct api *api, struct call *c)
{
    if (c->prev != NULL)
        c->prev->next = c->next;
    else if (api != NULL && api->calls == c)
        api->calls = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    c->prev = c->next = NULL;
}

/* Free a call record. */
static void
call_free(struct call *c)
{
    free(c->ticket_id);
    free(c->local_id);
    free(c);
}

static void on_net_done(const struct net_response *nr, void *arg);

/* Start a request: method, path below the base (with its query), body (may be NULL),
 * whether to send the token, up to three extra header lines, timeout (0: default). */
static struct call *
start(struct api *api, enum call_kind kind, const char *method, const char *path,
      const char *body, bool auth, const char *h1, const char *h2, const char *h3,
      long timeout_ms, api_done_fn done, void *arg, struct err *e)
{
    const char *headers[8];
    char *authz = NULL, *url;
    struct call *c;
    size_t n = 0;

    headers[n++] = "Accept: application/json";
    if (body != NULL)
        headers[n++] = "Content-Type: application/json";
    if (auth) {
        if (api->token == NULL) {
            err_set(e, HL_EINVAL, "token", "not signed in");
            return NULL;
        }
        authz = xasprintf("Authorization: Bearer %s", api->token);
        headers[n++] = authz;
    }
    if (h1 != NULL)
        headers[n++] = h1;
    if (h2 != NULL)
        headers[n++] = h2;
    if (h3 != NULL)
        headers[n++] = h3;
    headers[n] = NULL;
    c = xcalloc(1, sizeof(*c));
    c->api = api;
    c->kind = kind;
    c->auth = auth;
    c->done = done;
    c->arg = arg;
    url = xasprintf("%s%s", api->base, path);
    c->id = net_request(api->net, method, url, headers, body, body != NULL ? strlen(body) : 0,
                        timeout_ms > 0 ? timeout_ms : api->timeout_ms, on_net_done, c, e);
    free(url);
    free(authz);
    if (c->id == 0) {
        call_free(c);
        return NULL;
    }
    c->next = api->calls;
    if (api->calls != NULL)
        api->calls->prev = c;
    api->calls = c;
    return c;
}

/* ---- decoding ---- */

/* Parse an answer body; NULL with e filled ("the server sent ..."). */
static cJSON *
parse_body(const struct net_response *nr, struct err *e)
{
    struct err pe;
    cJSON *json;

    if (nr->len == 0) {
        err_set(e, HL_EINVAL, "", "the server sent an empty answer");
        return NULL;
    }
    json = codec_parse(nr->body, nr->len, &pe);
    if (json == NULL)
        err_set(e, HL_EINVAL, "", "the server sent an answer that is not JSON: %s", pe.msg);
    return json;
}

/* Decode a ticket into r->ticket; keep it in the cache (doc: its text, may be NULL). */
static int
take_ticket(struct api *api, const cJSON *json, const char *doc, struct api_result *r)
{
    struct err de;

    r->ticket = codec_ticket_decode(json, &de);
    if (r->ticket == NULL)
        return err_set(&r->err, HL_EINVAL, de.field, "the server sent a ticket that cannot "
                       "be read: %s", de.msg);
    if (api->cache != NULL)
        cache_put_ticket(api->cache, r->ticket, doc, NULL);
    return HL_OK;
}

/* Decode {"items":[tickets],"next_cursor","total"?} into r->page (cached one by one). */
static int
take_page(struct api *api, const cJSON *json, struct api_result *r)
{
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(json, "items");
    const cJSON *it;
    size_t n = 0;
    struct err de;

    if (!cJSON_IsArray(items))
        return err_set(&r->err, HL_EINVAL, "items", "the server sent a list without items");
    r->page.items = xcalloc((size_t)cJSON_GetArraySize(items) + 1, sizeof(struct ticket));
    cache_batch_begin(api->cache);    /* one commit for the page, not one per ticket */
    cJSON_ArrayForEach(it, items) {
        struct ticket *t = codec_ticket_decode(it, &de);

        if (t == NULL) {
            cache_batch_end(api->cache);
            api_result_fini(r);
            return err_set(&r->err, HL_EINVAL, de.field, "the server sent a ticket that "
                           "cannot be read: items[%zu]: %s", n, de.msg);
        }
        if (api->cache != NULL) {
            char *doc = codec_print(it);

            cache_put_ticket(api->cache, t, doc, NULL);
            free(doc);
        }
        r->page.items[n++] = *t;
        free(t);
        r->page.n = n;
    }
    cache_batch_end(api->cache);
    r->page.next_cursor = jdup(json, "next_cursor");
    r->page.total = jint(json, "total", -1);
    return HL_OK;
}

/* Decode an article page into r->kb. */
static int
take_kb(const cJSON *json, struct api_result *r)
{
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(json, "items");
    const cJSON *it;
    size_t n = 0;
    struct err de;

    if (!cJSON_IsArray(items))
        return err_set(&r->err, HL_EINVAL, "items", "the server sent a list without items");
    r->kb.items = xcalloc((size_t)cJSON_GetArraySize(items) + 1, sizeof(struct article));
    cJSON_ArrayForEach(it, items) {
        struct article *a = codec_article_decode(it, &de);

        if (a == NULL) {
            api_result_fini(r);
            return err_set(&r->err, HL_EINVAL, de.field, "the server sent an article that "
                           "cannot be read: items[%zu]: %s", n, de.msg);
        }
        r->kb.items[n++] = *a;
        free(a);
        r->kb.n = n;
    }
    r->kb.next_cursor = jdup(json, "next_cursor");
    return HL_OK;
}

/* Decode {token, user, expires_at}; without token when need_token is false (GET /session). */
static int
take_session(const cJSON *json, bool need_token, struct api_result *r)
{
    struct err de;
    const char *token = jstr(json, "token");

    if (need_token && str_empty(token))
        return err_set(&r->err, HL_EINVAL, "token", "the server sent a session without a token");
    if (codec_user_decode(cJSON_GetObjectItemCaseSensitive(json, "user"), &r->session.user,
                          &de) != HL_OK)
        return err_set(&r->err, HL_EINVAL, "user", "the server sent a user that cannot be "
                       "read: %s", de.msg);
    r->session.token = need_token ? xstrdup(token) : NULL;
    r->session.expires_at = jtime(json, "expires_at");
    return HL_OK;
}

/* Decode GET /health. */
static int
take_health(const cJSON *json, struct api_result *r)
{
    struct api_health *h = &r->health;

    h->status = jdup(json, "status");
    h->version = jdup(json, "version");
    h->store = jdup(json, "store");
    h->profile = jdup(json, "profile");
    h->tz = jdup(json, "tz");
    h->calendar = jdup(json, "calendar");
    h->time = jtime(json, "time");
    if (h->status == NULL)
        return err_set(&r->err, HL_EINVAL, "status", "the server sent a health answer without "
                       "a status");
    return HL_OK;
}

/* Decode an array of {code,label}. */
static void
labels_of(const cJSON *arr, struct api_label **out, size_t *n)
{
    const cJSON *it;

    *out = NULL;
    *n = 0;
    if (!cJSON_IsArray(arr))
        return;
    *out = xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(**out));
    cJSON_ArrayForEach(it, arr) {
        const char *code = jstr(it, "code");

        if (code == NULL)
            continue;
        (*out)[*n].code = xstrdup(code);
        (*out)[*n].label = xstrdup(jstr(it, "label") != NULL ? jstr(it, "label") : code);
        (*n)++;
    }
}

/* Decode an array of strings into a list. */
static void
strings_of(const cJSON *arr, struct strlist *out)
{
    const cJSON *it;

    cJSON_ArrayForEach(it, arr) {
        if (cJSON_IsString(it))
            strlist_add(out, it->valuestring);
    }
}

/* Flatten category nodes (pre-order) into m. */
static void
categories_of(struct api_meta *m, const cJSON *arr, int depth, long parent, size_t *cap)
{
    const cJSON *it;

    if (!cJSON_IsArray(arr))
        return;
    cJSON_ArrayForEach(it, arr) {
        struct api_category *c;
        const char *code = jstr(it, "code");
        long self;

        if (code == NULL || m->n_categories >= META_MAX_CATEGORIES)
            continue;
        if (m->n_categories == *cap) {
            *cap = *cap ? *cap * 2 : 64;
            m->categories = xrealloc(m->categories, *cap * sizeof(*m->categories));
        }
        self = (long)m->n_categories;
        c = &m->categories[m->n_categories++];
        c->code = xstrdup(code);
        c->label = xstrdup(jstr(it, "label") != NULL ? jstr(it, "label") : code);
        c->label_en = jdup(it, "label_en");
        c->depth = depth;
        c->parent = parent;
        categories_of(m, cJSON_GetObjectItemCaseSensitive(it, "children"), depth + 1, self, cap);
    }
}

/* Decode a /meta tree. */
static struct api_meta *
meta_of(const cJSON *json, struct err *e)
{
    struct api_meta *m;
    const cJSON *v, *it;
    size_t cap = 0;

    if (!cJSON_IsObject(json)) {
        err_set(e, HL_EINVAL, "", "the /meta document is not an object");
        return NULL;
    }
    m = xcalloc(1, sizeof(*m));
    m->version = jdup(json, "version");
    m->profile = jdup(json, "profile");
    m->tz = jdup(json, "tz");
    labels_of(cJSON_GetObjectItemCaseSensitive(json, "natures"), &m->natures, &m->n_natures);
    labels_of(cJSON_GetObjectItemCaseSensitive(json, "statuses"), &m->statuses, &m->n_statuses);
    labels_of(cJSON_GetObjectItemCaseSensitive(json, "kb_kinds"), &m->kb_kinds, &m->n_kb_kinds);
    strings_of(cJSON_GetObjectItemCaseSensitive(json, "channels"), &m->channels);
    strings_of(cJSON_GetObjectItemCaseSensitive(json, "urgencies"), &m->urgencies);
    strings_of(cJSON_GetObjectItemCaseSensitive(json, "flags"), &m->flags);
    strings_of(cJSON_GetObjectItemCaseSensitive(json, "actions"), &m->actions);
    categories_of(m, cJSON_GetObjectItemCaseSensitive(json, "categories"), 0, -1, &cap);
    v = cJSON_GetObjectItemCaseSensitive(json, "units");
    if (cJSON_IsArray(v)) {
        m->units = xcalloc((size_t)cJSON_GetArraySize(v) + 1, sizeof(*m->units));
        cJSON_ArrayForEach(it, v) {
            if (jstr(it, "code") == NULL)
                continue;
            m->units[m->n_units].code = jdup(it, "code");
            m->units[m->n_units].name = jdup(it, "name");
            m->n_units++;
        }
    }
    v = cJSON_GetObjectItemCaseSensitive(json, "rules");
    if (cJSON_IsObject(v))
        m->rules_json = codec_print(v);
    v = cJSON_GetObjectItemCaseSensitive(json, "calendar");
    if (cJSON_IsObject(v)) {
        const cJSON *years = cJSON_GetObjectItemCaseSensitive(v, "years");

        m->calendar_version = jdup(v, "version");
        if (cJSON_IsArray(years)) {
            m->years = xcalloc((size_t)cJSON_GetArraySize(years) + 1, sizeof(int));
            cJSON_ArrayForEach(it, years) {
                if (cJSON_IsNumber(it) && it->valuedouble >= 1900 && it->valuedouble <= 9999)
                    m->years[m->n_years++] = (int)it->valuedouble;
            }
        }
    }
    return m;
}

void
api_meta_free(struct api_meta **pm)
{
    struct api_meta *m = pm != NULL ? *pm : NULL;

    if (m == NULL)
        return;
    free(m->version);
    free(m->profile);
    free(m->tz);
    for (size_t i = 0; i < m->n_natures; i++) {
        free(m->natures[i].code);
        free(m->natures[i].label);
    }
    free(m->natures);
    for (size_t i = 0; i < m->n_statuses; i++) {
        free(m->statuses[i].code);
        free(m->statuses[i].label);
    }
    free(m->statuses);
    for (size_t i = 0; i < m->n_kb_kinds; i++) {
        free(m->kb_kinds[i].code);
        free(m->kb_kinds[i].label);
    }
    free(m->kb_kinds);
    strlist_fini(&m->channels);
    strlist_fini(&m->urgencies);
    strlist_fini(&m->flags);
    strlist_fini(&m->actions);
    for (size_t i = 0; i < m->n_categories; i++) {
        free(m->categories[i].code);
        free(m->categories[i].label);
        free(m->categories[i].label_en);
    }
    free(m->categories);
    for (size_t i = 0; i < m->n_units; i++) {
        free(m->units[i].code);
        free(m->units[i].name);
    }
    free(m->units);
    free(m->rules_json);
    free(m->calendar_version);
    free(m->years);
    free(m);
    *pm = NULL;
}

int
api_meta_parse(const char *json, size_t len, struct api_meta **out, struct err *e)
{
    cJSON *root;

    *out = NULL;
    if (json == NULL)
        return err_set(e, HL_EINVAL, "", "no /meta document");
    root = codec_parse(json, len, e);
    if (root == NULL)
        return HL_EINVAL;
    *out = meta_of(root, e);
    cJSON_Delete(root);
    return *out != NULL ? HL_OK : HL_EINVAL;
}

/* Decode one stats group. */
static void
group_of(const cJSON *g, struct api_stats_group *out)
{
    const cJSON *kpis = cJSON_GetObjectItemCaseSensitive(g, "kpis");
    const cJSON *score = cJSON_GetObjectItemCaseSensitive(g, "score");
    const cJSON *it;

    out->key = jdup(g, "key");
    out->label = jdup(g, "label");
    if (cJSON_IsArray(kpis)) {
        out->kpis = xcalloc((size_t)cJSON_GetArraySize(kpis) + 1, sizeof(*out->kpis));
        cJSON_ArrayForEach(it, kpis) {
            struct api_kpi *k = &out->kpis[out->n_kpis];
            const cJSON *target = cJSON_GetObjectItemCaseSensitive(it, "target");

            if (jstr(it, "id") == NULL)
                continue;
            k->id = jdup(it, "id");
            k->name_zh = jdup(it, "name_zh");
            k->name_en = jdup(it, "name_en");
            k->unit = jdup(it, "unit");
            k->status = jdup(it, "status");
            k->reason = jdup(it, "reason");
            k->note = jdup(it, "note");
            k->has_value = jnum(it, "value", &k->value);
            if (cJSON_IsObject(target) && jnum(target, "value", &k->target_value)) {
                k->has_target = true;
                k->target_op = jdup(target, "op");
            }
            k->pass = jbool(it, "pass");
            k->has_points = jnum(it, "points", &k->points);
            if (!jnum(it, "max_points", &k->max_points))
                k->max_points = 0;
            out->n_kpis++;
        }
    }
    if (cJSON_IsObject(score)) {
        jnum(score, "total", &out->score_total);
        jnum(score, "max_total", &out->score_max);
        out->score_complete = jbool(score, "complete") == 1;
        out->ranked_last = jbool(score, "ranked_last") == 1;
    }
}

/* Release a stats group. */
static void
group_fini(struct api_stats_group *g)
{
    for (size_t i = 0; i < g->n_kpis; i++) {
        struct api_kpi *k = &g->kpis[i];

        free(k->id);
        free(k->name_zh);
        free(k->name_en);
        free(k->unit);
        free(k->status);
        free(k->reason);
        free(k->note);
        free(k->target_op);
    }
    free(g->kpis);
    free(g->key);
    free(g->label);
    memset(g, 0, sizeof(*g));
}

void
api_stats_free(struct api_stats **ps)
{
    struct api_stats *s = ps != NULL ? *ps : NULL;

    if (s == NULL)
        return;
    group_fini(&s->total);
    for (size_t i = 0; i < s->n_groups; i++)
        group_fini(&s->groups[i]);
    free(s->groups);
    free(s->profile);
    free(s->group);
    free(s);
    *ps = NULL;
}

/* Decode GET /stats. */
static int
take_stats(const cJSON *json, struct api_result *r)
{
    const cJSON *total = cJSON_GetObjectItemCaseSensitive(json, "total");
    const cJSON *groups = cJSON_GetObjectItemCaseSensitive(json, "groups");
    const cJSON *it;
    struct api_stats *s;

    if (!cJSON_IsObject(total))
        return err_set(&r->err, HL_EINVAL, "total", "the server sent statistics without a total");
    s = r->stats = xcalloc(1, sizeof(*s));
    s->from = jtime(json, "from");
    s->to = jtime(json, "to");
    s->profile = jdup(json, "profile");
    s->group = jdup(json, "group");
    group_of(total, &s->total);
    if (cJSON_IsArray(groups)) {
        s->groups = xcalloc((size_t)cJSON_GetArraySize(groups) + 1, sizeof(*s->groups));
        cJSON_ArrayForEach(it, groups) {
            if (cJSON_IsObject(it))
                group_of(it, &s->groups[s->n_groups++]);
        }
    }
    return HL_OK;
}

void
api_result_fini(struct api_result *r)
{
    ticket_free(&r->ticket);
    ticket_free(&r->current);
    for (size_t i = 0; i < r->page.n; i++)
        ticket_fini(&r->page.items[i]);
    free(r->page.items);
    free(r->page.next_cursor);
    memset(&r->page, 0, sizeof(r->page));
    r->page.total = -1;
    article_free(&r->article);
    for (size_t i = 0; i < r->kb.n; i++)
        article_fini(&r->kb.items[i]);
    free(r->kb.items);
    free(r->kb.next_cursor);
    memset(&r->kb, 0, sizeof(r->kb));
    free(r->session.token);
    user_fini(&r->session.user);
    memset(&r->session, 0, sizeof(r->session));
    api_meta_free(&r->meta);
    free(r->health.status);
    free(r->health.version);
    free(r->health.store);
    free(r->health.profile);
    free(r->health.tz);
    free(r->health.calendar);
    memset(&r->health, 0, sizeof(r->health));
    api_stats_free(&r->stats);
}

/* HL status of an HTTP error status. */
static int
code_of_status(long status, bool has_rule)
{
    switch (status) {
    case 404:
        return HL_ENOENT;
    case 409:
        return has_rule ? HL_ERULE : HL_ECONFLICT;
    case 412:
        return HL_ECONFLICT;
    default:
        return status >= 500 ? HL_EIO : HL_EINVAL;
    }
}

/* Fill r from an error answer: the server's sentence, code, rule, possible_from and
 * (412) the current ticket. current_doc (may be NULL) gets the current ticket's text. */
static void
take_error(const struct net_response *nr, struct api_result *r, char **current_doc)
{
    cJSON *json = NULL;
    const cJSON *detail, *cur;
    struct err pe;
    const char *rule = NULL;

    if (current_doc != NULL)
        *current_doc = NULL;
    if (nr->len > 0)
        json = codec_parse(nr->body, nr->len, &pe);
    detail = cJSON_GetObjectItemCaseSensitive(json, "error");
    if (jstr(detail, "code") == NULL || str_empty(jstr(detail, "message"))) {
        err_set(&r->err, HL_EINVAL, "", "the server answered HTTP %ld", nr->status);
    } else {
        codec_error_decode(json, &r->err);
        str_copy(r->error_code, sizeof(r->error_code),
                 jstr(detail, "code") != NULL ? jstr(detail, "code") : "");
        rule = jstr(detail, "rule");
        str_copy(r->rule, sizeof(r->rule), rule != NULL ? rule : "");
        r->possible_from = jtime(detail, "possible_from");
        cur = cJSON_GetObjectItemCaseSensitive(detail, "current");
        if (cJSON_IsObject(cur) && cJSON_GetObjectItemCaseSensitive(cur, "channel") != NULL) {
            r->current = codec_ticket_decode(cur, &pe);
            if (r->current != NULL && current_doc != NULL)
                *current_doc = codec_print(cur);
        }
    }
    r->code = r->err.code = code_of_status(nr->status, rule != NULL);
    cJSON_Delete(json);
}

/* Decode a 2xx answer of a user call into r. */
static int
take_success(struct api *api, struct call *c, const struct net_response *nr,
             struct api_result *r)
{
    cJSON *json = NULL;
    struct err de;
    int rc = HL_OK;

    if (c->kind == CALL_LOGOUT || c->kind == CALL_CALL_EVENT)
        return HL_OK;
    json = parse_body(nr, &r->err);
    if (json == NULL)
        return HL_EINVAL;
    switch (c->kind) {
    case CALL_LOGIN:
        rc = take_session(json, true, r);
        if (rc == HL_OK)
            api_set_token(api, r->session.token);
        if (rc == HL_OK && r->session.user.id != NULL) {
            free(api->user_id);
            api->user_id = xstrdup(r->session.user.id);
        }
        break;
    case CALL_WHOAMI:
        rc = take_session(json, false, r);
        if (rc == HL_OK && r->session.user.id != NULL) {
            free(api->user_id);
            api->user_id = xstrdup(r->session.user.id);
        }
        break;
    case CALL_HEALTH:
        rc = take_health(json, r);
        break;
    case CALL_META:
        r->meta = meta_of(json, &r->err);
        rc = r->meta != NULL ? HL_OK : HL_EINVAL;
        if (rc == HL_OK && api->cache != NULL)
            cache_put_meta(api->cache, nr->body, NULL);
        break;
    case CALL_TICKET:
        rc = take_ticket(api, json, nr->body, r);
        break;
    case CALL_PAGE:
        rc = take_page(api, json, r);
        break;
    case CALL_ARTICLE:
        r->article = codec_article_decode(json, &de);
        if (r->article == NULL)
            rc = err_set(&r->err, HL_EINVAL, de.field, "the server sent an article that "
                         "cannot be read: %s", de.msg);
        else if (api->cache != NULL)
            cache_put_article(api->cache, r->article, nr->body, NULL);
        break;
    case CALL_KB:
        rc = take_kb(json, r);
        break;
    case CALL_STATS:
        rc = take_stats(json, r);
        break;
    default:
        break;
    }
    cJSON_Delete(json);
    return rc;
}

/* Answer of a user call: decode, keep in the cache, call back. */
static void
user_done(struct api *api, struct call *c, const struct net_response *nr)
{
    struct api_result r;

    memset(&r, 0, sizeof(r));
    r.id = c->id;
    r.status = nr->status;
    r.retry_after = nr->retry_after;
    r.page.total = -1;
    str_copy(r.etag, sizeof(r.etag), nr->etag);
    if (nr->cancelled) {
        r.cancelled = true;
        r.code = err_set(&r.err, HL_EIO, "", "cancelled");
    } else {
        bool answered = track(api, nr, false);

        if (nr->too_large) {
            r.code = err_set(&r.err, HL_EIO, "", "the server's answer is too large: %s",
                             nr->error);
        } else if (nr->status == 0) {
            r.offline = true;
            r.code = err_set(&r.err, HL_EIO, "", "cannot reach the server at %s: %s",
                             api->base, nr->error);
        } else if (nr->status >= 200 && nr->status < 300) {
            r.code = take_success(api, c, nr, &r);
        } else {
            take_error(nr, &r, NULL);
            r.offline = !answered;
            if (nr->status == 401 && c->auth && c->kind != CALL_LOGOUT)
                session_expired(api);
            if (nr->status == 404 && c->kind == CALL_TICKET && c->ticket_id != NULL &&
                api->cache != NULL)
                cache_remove_ticket(api->cache, c->ticket_id, NULL);
        }
        if (c->kind == CALL_LOGOUT) {
            free(api->token);
            api->token = NULL;
            if (api->feed_call != 0)
                net_cancel(api->net, api->feed_call);
            outbox_abandon(api);
        }
    }
    if (r.code != HL_OK && r.err.code == HL_OK)
        r.err.code = r.code;
    if (c->done != NULL)
        c->done(&r, c->arg);
    api_result_fini(&r);
}

/* ---- probe ---- */

static void probe_done(struct api *api, const struct net_response *nr);

/* Timer: send the reconnection probe. */
static void
probe_fire(void *arg)
{
    struct api *api = arg;
    struct call *c;
    struct err e;

    api->probe_timer = 0;
    c = start(api, CALL_PROBE, "GET", "/health", NULL, false, NULL, NULL, NULL, 0, NULL, NULL,
              &e);
    if (c == NULL) {
        note_failure(api, e.msg, true);
        return;
    }
    api->probe_call = c->id;
}

/* Answer of a probe. */
static void
probe_done(struct api *api, const struct net_response *nr)
{
    api->probe_call = 0;
    if (!nr->cancelled)
        track(api, nr, true);
}

/* ---- feed ---- */

/* Timer: re-arm the feed after a pause. */
static void
feed_timer_fire(void *arg)
{
    struct api *api = arg;

    api->feed_timer = 0;
    feed_arm(api);
}

/* Start the next long poll when everything allows it. */
static void
feed_arm(struct api *api)
{
    struct strbuf path;
    struct call *c;
    struct err e;

    if (!api->feed_on || api->feed_call != 0 || api->feed_timer != 0 || api->expired ||
        api->token == NULL || api->conn.state != API_ONLINE)
        return;
    strbuf_init(&path);
    strbuf_adds(&path, "/feed");
    if (api->feed_seq >= 0)
        query_add_int(&path, "since", api->feed_seq);
    query_add_int(&path, "wait", api->feed_wait_s);
    c = start(api, CALL_FEED, "GET", strbuf_str(&path), NULL, true, NULL, NULL, NULL,
              (long)api->feed_wait_s * 1000 + api->timeout_ms, NULL, NULL, &e);
    strbuf_fini(&path);
    if (c != NULL)
        api->feed_call = c->id;
    else
        api->feed_timer = timers_add(api->timers, net_now_ms() + FEED_RETRY_MS,
                                     feed_timer_fire, api);
}

/* Free decoded feed events. */
static void
feed_events_free(struct api_feed_event *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].type);
        free(v[i].ticket_id);
        free(v[i].action);
        free(v[i].unit);
        free(v[i].agent);
        free(v[i].phone);
    }
    free(v);
}

/* Decode a feed page and report it; false when it cannot be read. */
static bool
feed_take(struct api *api, const struct net_response *nr)
{
    struct api_event ev = { .kind = API_EV_FEED, .conn = &api->conn };
    struct api_feed_event *v = NULL;
    const cJSON *events, *it;
    cJSON *json;
    struct err e;
    size_t n = 0;
    int64_t seq;

    json = parse_body(nr, &e);
    if (json == NULL)
        return false;
    seq = jint(json, "seq", -1);
    events = cJSON_GetObjectItemCaseSensitive(json, "events");
    if (seq < 0 || !cJSON_IsArray(events)) {
        cJSON_Delete(json);
        return false;
    }
    v = xcalloc((size_t)cJSON_GetArraySize(events) + 1, sizeof(*v));
    cJSON_ArrayForEach(it, events) {
        if (!cJSON_IsObject(it) || jstr(it, "type") == NULL)
            continue;
        v[n].seq = jint(it, "seq", 0);
        v[n].type = jdup(it, "type");
        v[n].ticket_id = jdup(it, "ticket_id");
        v[n].at = jtime(it, "at");
        v[n].action = jdup(it, "action");
        v[n].unit = jdup(it, "unit");
        v[n].agent = jdup(it, "agent");
        v[n].phone = jdup(it, "phone");
        n++;
    }
    cJSON_Delete(json);
    ev.feed_reset = api->feed_seq >= 0 && seq < api->feed_seq;
    ev.events = v;
    ev.n_events = n;
    ev.feed_seq = seq;
    if (seq != api->feed_seq && api->cache != NULL)
        cache_set_feed_seq(api->cache, seq, NULL);
    if (n > 0 || seq != api->feed_seq) {
        api->feed_seq = seq;
        emit(api, &ev);
    }
    feed_events_free(v, n);
    return true;
}

/* Answer of a long poll: report, re-arm. */
static void
feed_done(struct api *api, const struct net_response *nr)
{
    api->feed_call = 0;
    if (nr->cancelled) {
        feed_arm(api);   /* a no-op after api_feed_stop or without a token */
        return;
    }
    if (!track(api, nr, false))
        return;          /* note_success re-arms once the server answers again */
    if (nr->status == 401) {
        session_expired(api);
        return;
    }
    if (nr->status == 200 && feed_take(api, nr)) {
        feed_arm(api);
        return;
    }
    api->feed_timer = timers_add(api->timers, net_now_ms() + FEED_RETRY_MS, feed_timer_fire,
                                 api);
}

void
api_feed_start(struct api *api, int64_t since)
{
    api->feed_on = true;
    if (since >= 0 || api->feed_seq < 0)
        api->feed_seq = since;
    feed_arm(api);
}

void
api_feed_stop(struct api *api)
{
    api->feed_on = false;
    if (api->feed_call != 0)
        net_cancel(api->net, api->feed_call);
    api->feed_call = 0;
    if (api->feed_timer != 0)
        timers_cancel(api->timers, api->feed_timer);
    api->feed_timer = 0;
}

int64_t
api_feed_seq(const struct api *api)
{
    return api->feed_seq;
}

/* ---- outbox replay ---- */

/* Timer: try the outbox again after a pause. */
static void
outbox_timer_fire(void *arg)
{
    struct api *api = arg;

    api->outbox_timer = 0;
    outbox_try(api);
}

/* Send one outbox entry (outbox_send_fn). */
static int
outbox_send(const struct outbox_entry *en, void *arg)
{
    struct api *api = arg;
    char *key = xasprintf("Idempotency-Key: %s", en->idem_key);
    char *im = en->if_match != NULL ? xasprintf("If-Match: %s", en->if_match) : NULL;
    struct call *c;
    struct err e;

    c = start(api, CALL_OUTBOX, en->method, en->path, en->body, true, key, im, NULL, 0, NULL,
              NULL, &e);
    free(key);
    free(im);
    if (c == NULL)
        return HL_EIO;
    c->outbox_seq = en->seq;
    c->local_id = xstrdup(en->kind == OUTBOX_CREATE ? en->local_id : NULL);
    api->outbox_call = c->id;
    return HL_OK;
}

/* Give up the outbox entry in flight (detaching or freeing): it goes back to waiting
 * at once, and its answer, if any, is ignored. */
static void
outbox_abandon(struct api *api)
{
    struct outbox_reply rep = { .status = 0, .error = "abandoned", .version = -1 };

    for (struct call *c = api->calls; c != NULL; c = c->next) {
        if (c->kind != CALL_OUTBOX || c->outbox_seq == 0)
            continue;
        if (api->outbox != NULL && outbox_in_flight(api->outbox) == c->outbox_seq)
            outbox_complete(api->outbox, c->outbox_seq, &rep, (hl_time)time(NULL), NULL);
        c->outbox_seq = 0;
        net_cancel(api->net, c->id);
    }
    api->outbox_call = 0;
}

/* Replay the next outbox entry when everything allows it. */
static void
outbox_try(struct api *api)
{
    struct err e;

    if (api->outbox == NULL || api->expired || api->token == NULL ||
        api->conn.state != API_ONLINE || api->outbox_call != 0 || api->outbox_timer != 0)
        return;
    outbox_pump(api->outbox, outbox_send, api, &e);
}

/* Answer of the server's current ticket for a conflict: keep it next to the entry. */
static void
theirs_done(struct api *api, struct call *c, const struct net_response *nr)
{
    if (nr->cancelled || !track(api, nr, false) || nr->status != 200 || api->outbox == NULL)
        return;
    outbox_set_theirs(api->outbox, c->outbox_seq, nr->body, NULL);
}

/* Whether the 412 to outbox entry seq says an earlier try of the same action did the work
 * and only its answer was lost (a dropped connection, a frozen server that woke up later):
 * the change that made the version after the entry's If-Match is this action, by this
 * user (when the user is not known: only when the outbox itself sent it unanswered before).
 * Then the entry is done, not a conflict: sending it again would do it twice. Returns the
 * version that action made, -1 when it is a real conflict. */
static int64_t
lost_answer_version(struct api *api, int64_t seq, const struct ticket *cur)
{
    struct outbox_entry en;
    const struct event *ev;
    long long v = -1;
    bool yes = false;

    if (cur == NULL || api->outbox == NULL || outbox_get(api->outbox, seq, &en, NULL) != HL_OK)
        return -1;
    if (en.kind != OUTBOX_ACTION || en.action == NULL || en.if_match == NULL)
        goto out;
    for (const char *p = en.if_match; *p != '\0'; p++) {
        if (*p >= '0' && *p <= '9')
            v = (v < 0 ? 0 : v * 10) + (*p - '0');
        if (v > INT_MAX)
            goto out;
    }
    if (v < 1 || cur->version <= v || (size_t)v >= cur->n_events)
        goto out;
    ev = &cur->events[v];
    if (ev->type == NULL || strcmp(ev->type, en.action) != 0)
        goto out;
    if (api->user_id != NULL)
        yes = ev->by != NULL && strcmp(ev->by, api->user_id) == 0;
    else
        yes = en.attempts >= 2;
out:
    outbox_entry_fini(&en);
    return yes ? (int64_t)v + 1 : -1;
}

/* Answer of an outbox entry: record it, report it, go on. */
static void
outbox_done(struct api *api, struct call *c, const struct net_response *nr)
{
    struct api_event ev = { .kind = API_EV_OUTBOX, .conn = &api->conn };
    struct outbox_reply rep = { .version = -1 };
    struct api_result r;
    char *current_doc = NULL;
    char *tid = NULL;
    int64_t done_version;
    bool answered;
    int state;

    api->outbox_call = 0;
    memset(&r, 0, sizeof(r));
    answered = !nr->cancelled && track(api, nr, false);
    rep.status = answered ? nr->status : 0;
    rep.error = nr->error;
    rep.body = nr->len > 0 ? nr->body : NULL;
    if (answered && nr->status >= 200 && nr->status < 300) {
        cJSON *json = parse_body(nr, &r.err);

        if (json != NULL && take_ticket(api, json, nr->body, &r) == HL_OK) {
            tid = xstrdup(r.ticket->id);
            rep.ticket_id = tid;
            rep.version = r.ticket->version;
        }
        cJSON_Delete(json);
    } else if (answered) {
        take_error(nr, &r, &current_doc);
        rep.error = r.err.msg;
    }
    if (api->outbox == NULL || c->outbox_seq == 0 ||
        outbox_in_flight(api->outbox) != c->outbox_seq)
        goto out;
    if (answered && nr->status == 412 && current_doc != NULL && r.current->id != NULL &&
        (done_version = lost_answer_version(api, c->outbox_seq, r.current)) > 0) {
        /* done by the try whose answer was lost: that is the answer (later entries of the
         * ticket go on from the version it made, so a change by someone else since then
         * is still a conflict for them) */
        tid = xstrdup(r.current->id);
        rep.status = 200;
        rep.error = NULL;
        rep.body = current_doc;
        rep.ticket_id = tid;
        rep.version = done_version;
        if (api->cache != NULL)
            cache_put_ticket(api->cache, r.current, current_doc, NULL);
    }
    state = outbox_complete(api->outbox, c->outbox_seq, &rep, (hl_time)time(NULL), NULL);
    if (state == OUTBOX_CONFLICT) {
        if (current_doc != NULL) {
            outbox_set_theirs(api->outbox, c->outbox_seq, current_doc, NULL);
        } else {
            struct outbox_entry en;

            if (outbox_get(api->outbox, c->outbox_seq, &en, NULL) == HL_OK) {
                char *path = xasprintf("/tickets/%s", en.ticket_id);
                struct call *tc = start(api, CALL_THEIRS, "GET", path, NULL, true, NULL, NULL,
                                        NULL, 0, NULL, NULL, NULL);

                if (tc != NULL)
                    tc->outbox_seq = c->outbox_seq;
                free(path);
                outbox_entry_fini(&en);
            }
        }
    }
    ev.outbox_seq = c->outbox_seq;
    ev.outbox_state = state;
    ev.ticket_id = tid;
    ev.local_id = c->local_id;
    if (state >= 0)
        emit(api, &ev);
    if (answered && nr->status == 401) {
        session_expired(api);
    } else if (answered && state == OUTBOX_WAITING) {
        long ms = nr->retry_after > 0 ? nr->retry_after * 1000 : OUTBOX_RETRY_MS;

        api->outbox_timer = timers_add(api->timers, net_now_ms() + ms, outbox_timer_fire, api);
    } else if (answered) {
        outbox_try(api);
    }
out:
    free(current_doc);
    free(tid);
    api_result_fini(&r);
}

/* net's completion of every call. */
static void
on_net_done(const struct net_response *nr, void *arg)
{
    struct call *c = arg;
    struct api *api = c->api;

    if (api == NULL) {
        call_free(c);
        return;
    }
    call_unlink(api, c);
    switch (c->kind) {
    case CALL_PROBE:
        probe_done(api, nr);
        break;
    case CALL_FEED:
        feed_done(api, nr);
        break;
    case CALL_OUTBOX:
        outbox_done(api, c, nr);
        break;
    case CALL_THEIRS:
        theirs_done(api, c, nr);
        break;
    default:
        user_done(api, c, nr);
        break;
    }
    call_free(c);
}

/* ---- lifecycle ---- */

struct api *
api_new(struct net *net, struct timers *timers, const struct api_opts *opts,
        api_event_fn on_event, void *arg, struct err *e)
{
    struct api *api;
    struct strbuf sb;
    const char *url = opts != NULL ? opts->base_url : NULL;
    size_t n;

    if (url == NULL || strpbrk(url, " \t\r\n?#") != NULL ||
        !(str_starts_with(url, "http://") || str_starts_with(url, "https://")) ||
        strlen(url) < 9 || strlen(url) > 1024) {
        err_set(e, HL_EINVAL, "server", "the server address must be an http:// or https:// URL "
                "(for example https://hotline.example.org)");
        return NULL;
    }
    api = xcalloc(1, sizeof(*api));
    api->net = net;
    api->timers = timers;
    strbuf_init(&sb);
    strbuf_adds(&sb, url);
    n = sb.len;
    while (n > 0 && sb.buf[n - 1] == '/')
        n--;
    sb.buf[n] = '\0';
    sb.len = n;
    if (n < 7 || strcmp(sb.buf + n - 7, "/api/v1") != 0)
        strbuf_adds(&sb, "/api/v1");
    api->base = strbuf_detach(&sb);
    api->timeout_ms = opts->timeout_ms > 0 ? opts->timeout_ms : API_TIMEOUT_MS;
    api->feed_wait_s = opts->feed_wait_s > 0 ? opts->feed_wait_s : API_FEED_WAIT_S;
    api->backoff_base_ms = opts->backoff_base_ms > 0 ? opts->backoff_base_ms
                                                     : API_BACKOFF_BASE_MS;
    api->backoff_max_ms = opts->backoff_max_ms > 0 ? opts->backoff_max_ms : API_BACKOFF_MAX_MS;
    if (api->backoff_max_ms < api->backoff_base_ms)
        api->backoff_max_ms = api->backoff_base_ms;
    api->offline_after_ms = opts->offline_after_ms > 0 ? opts->offline_after_ms
                                                       : API_OFFLINE_AFTER_MS;
    api->tz = opts->tz;
    api->on_event = on_event;
    api->ev_arg = arg;
    api->feed_seq = -1;
    api->conn.state = API_ONLINE;
    api->conn.since = (hl_time)time(NULL);
    rng_seed(api);
    return api;
}

void
api_free(struct api **papi)
{
    struct api *api = papi != NULL ? *papi : NULL;

    if (api == NULL)
        return;
    outbox_abandon(api);
    while (api->calls != NULL) {
        struct call *c = api->calls;
        struct api_result r;

        call_unlink(api, c);
        c->api = NULL;
        net_cancel(api->net, c->id);
        if (c->done != NULL) {
            memset(&r, 0, sizeof(r));
            r.id = c->id;
            r.cancelled = true;
            r.page.total = -1;
            r.retry_after = -1;
            r.code = err_set(&r.err, HL_EIO, "", "cancelled");
            c->done(&r, c->arg);
            c->done = NULL;
        }
    }
    if (api->probe_timer != 0)
        timers_cancel(api->timers, api->probe_timer);
    if (api->feed_timer != 0)
        timers_cancel(api->timers, api->feed_timer);
    if (api->outbox_timer != 0)
        timers_cancel(api->timers, api->outbox_timer);
    free(api->token);
    free(api->user_id);
    free(api->base);
    free(api);
    *papi = NULL;
}

void
api_set_token(struct api *api, const char *token)
{
    if (token != api->token) {
        char *copy = xstrdup(token);

        free(api->token);
        api->token = copy;
    }
    if (api->token == NULL)
        return;
    api->expired = false;
    feed_arm(api);
    outbox_try(api);
}

const char *
api_token(const struct api *api)
{
    return api->token;
}

void
api_set_cache(struct api *api, struct cache *cache)
{
    api->cache = cache;
}

void
api_set_outbox(struct api *api, struct outbox *ob)
{
    if (ob != api->outbox)
        outbox_abandon(api);
    api->outbox = ob;
    outbox_try(api);
}

const struct api_conn_state *
api_conn(const struct api *api)
{
    return &api->conn;
}

bool
api_cancel(struct api *api, uint64_t id)
{
    for (struct call *c = api->calls; c != NULL; c = c->next) {
        if (c->id == id && c->kind < CALL_PROBE)
            return net_cancel(api->net, id);
    }
    return false;
}

/* ---- the calls ---- */

/* The id of a started call, 0 when it did not start. */
static uint64_t
id_of(struct call *c)
{
    return c != NULL ? c->id : 0;
}

/* True when s can go into a path segment. */
static bool
segment_ok(const char *s, struct err *e, const char *what)
{
    if (str_empty(s) || strlen(s) > 256) {
        err_set(e, HL_EINVAL, what, "missing or too long %s", what);
        return false;
    }
    return true;
}

uint64_t
api_login(struct api *api, const char *user, const char *password, api_done_fn done,
          void *arg, struct err *e)
{
    cJSON *body;
    char *text;
    struct call *c;

    if (str_empty(user) || password == NULL) {
        err_set(e, HL_EINVAL, "user", "a user id and a password are needed");
        return 0;
    }
    body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "user", user);
    cJSON_AddStringToObject(body, "password", password);
    text = codec_print(body);
    cJSON_Delete(body);
    c = start(api, CALL_LOGIN, "POST", "/session", text, false, NULL, NULL, NULL, 0, done, arg,
              e);
    memset(text, 0, strlen(text));
    free(text);
    return id_of(c);
}

uint64_t
api_logout(struct api *api, api_done_fn done, void *arg, struct err *e)
{
    return id_of(start(api, CALL_LOGOUT, "DELETE", "/session", NULL, true, NULL, NULL, NULL, 0,
                       done, arg, e));
}

uint64_t
api_whoami(struct api *api, api_done_fn done, void *arg, struct err *e)
{
    return id_of(start(api, CALL_WHOAMI, "GET", "/session", NULL, true, NULL, NULL, NULL, 0,
                       done, arg, e));
}

uint64_t
api_call_event(struct api *api, const struct call_event *ev, api_done_fn done, void *arg,
               struct err *e)
{
    cJSON *body;
    char *text;
    struct call *c;

    if (ev == NULL || str_empty(ev->call_id)) {
        err_set(e, HL_EINVAL, "call_id", "a call event needs its call id");
        return 0;
    }
    body = codec_call_event_to_json(ev, api->tz);
    text = codec_print(body);
    cJSON_Delete(body);
    c = start(api, CALL_CALL_EVENT, "POST", "/calls", text, true, NULL, NULL, NULL, 0, done,
              arg, e);
    free(text);
    return id_of(c);
}

uint64_t
api_health(struct api *api, api_done_fn done, void *arg, struct err *e)
{
    return id_of(start(api, CALL_HEALTH, "GET", "/health", NULL, false, NULL, NULL, NULL, 0,
                       done, arg, e));
}

uint64_t
api_meta(struct api *api, api_done_fn done, void *arg, struct err *e)
{
    return id_of(start(api, CALL_META, "GET", "/meta", NULL, true, NULL, NULL, NULL, 0, done,
                       arg, e));
}

uint64_t
api_ticket_get(struct api *api, const char *id, api_done_fn done, void *arg, struct err *e)
{
    struct strbuf path;
    struct call *c;

    if (!segment_ok(id, e, "id"))
        return 0;
    strbuf_init(&path);
    strbuf_adds(&path, "/tickets/");
    pct_add(&path, id);
    c = start(api, CALL_TICKET, "GET", strbuf_str(&path), NULL, true, NULL, NULL, NULL, 0, done,
              arg, e);
    strbuf_fini(&path);
    if (c != NULL)
        c->ticket_id = xstrdup(id);
    return id_of(c);
}

uint64_t
api_ticket_list(struct api *api, const struct api_ticket_query *q, api_done_fn done, void *arg,
                struct err *e)
{
    struct api_ticket_query zero = {0};
    struct strbuf path;
    struct call *c;

    if (q == NULL)
        q = &zero;
    strbuf_init(&path);
    strbuf_adds(&path, "/tickets");
    query_add(&path, "status", q->status);
    query_add(&path, "unit", q->unit);
    query_add(&path, "caller_phone", q->caller_phone);
    query_add(&path, "flag", q->flag);
    query_add(&path, "q", q->q);
    query_add_time(api, &path, "updated_since", q->updated_since);
    query_add(&path, "nature", q->nature);
    query_add(&path, "category", q->category);
    query_add(&path, "created_by", q->created_by);
    if (q->mine)
        query_add(&path, "mine", "1");
    query_add_time(api, &path, "due_before", q->due_before);
    query_add_time(api, &path, "created_from", q->created_from);
    query_add_time(api, &path, "created_to", q->created_to);
    query_add(&path, "order", q->order);
    if (q->limit > 0)
        query_add_int(&path, "limit", q->limit);
    query_add(&path, "cursor", q->cursor);
    if (q->count)
        query_add(&path, "count", "1");
    c = start(api, CALL_PAGE, "GET", strbuf_str(&path), NULL, true, NULL, NULL, NULL, 0, done,
              arg, e);
    strbuf_fini(&path);
    return id_of(c);
}

/* The matter of t as JSON text, reduced to fields when given. Caller frees. */
static char *
matter_text(struct api *api, const struct ticket *t, const struct strlist *fields)
{
    cJSON *json = codec_ticket_matter_to_json(t, api->tz);
    char *text;

    if (fields != NULL) {
        cJSON *it = json->child;

        while (it != NULL) {
            cJSON *next = it->next;
            bool keep = false;

            for (size_t i = 0; i < fields->n && !keep; i++)
                keep = strcmp(fields->v[i], it->string) == 0;
            if (!keep)
                cJSON_Delete(cJSON_DetachItemViaPointer(json, it));
            it = next;
        }
    }
    text = codec_print(json);
    cJSON_Delete(json);
    return text;
}

uint64_t
api_ticket_create(struct api *api, const struct ticket *t, const char *idem_key,
                  api_done_fn done, void *arg, struct err *e)
{
    char key[OUTBOX_KEY_SIZE];
    char *body, *hkey;
    struct call *c;

    if (idem_key == NULL) {
        if (outbox_make_key(key, e) != HL_OK)
            return 0;
        idem_key = key;
    }
    if (strpbrk(idem_key, "\r\n") != NULL || strlen(idem_key) > 200) {
        err_set(e, HL_EINVAL, "idempotency_key", "bad idempotency key");
        return 0;
    }
    body = matter_text(api, t, NULL);
    hkey = xasprintf("Idempotency-Key: %s", idem_key);
    c = start(api, CALL_TICKET, "POST", "/tickets", body, true, hkey, NULL, NULL, 0, done, arg,
              e);
    free(hkey);
    free(body);
    return id_of(c);
}

uint64_t
api_ticket_patch(struct api *api, const struct ticket *t, int64_t version,
                 const struct strlist *fields, api_done_fn done, void *arg, struct err *e)
{
    struct strbuf path;
    char *body, *im;
    struct call *c;

    if (!segment_ok(t->id, e, "id"))
        return 0;
    strbuf_init(&path);
    strbuf_adds(&path, "/tickets/");
    pct_add(&path, t->id);
    body = matter_text(api, t, fields);
    im = xasprintf("If-Match: \"%lld\"", (long long)version);
    c = start(api, CALL_TICKET, "PATCH", strbuf_str(&path), body, true, im, NULL, NULL, 0, done,
              arg, e);
    free(im);
    free(body);
    strbuf_fini(&path);
    return id_of(c);
}

/* The body of an action as text. Caller frees. */
static char *
action_text(struct api *api, const struct action_body *b)
{
    cJSON *json = codec_action_to_json(b, api->tz);
    char *text = codec_print(json);

    cJSON_Delete(json);
    return text;
}

uint64_t
api_ticket_action(struct api *api, const char *id, int64_t version, const struct action_body *b,
                  api_done_fn done, void *arg, struct err *e)
{
    struct strbuf path;
    char *body, *im = NULL;
    struct call *c;

    if (!segment_ok(id, e, "id"))
        return 0;
    if ((unsigned)b->action >= ACTION_COUNT) {
        err_set(e, HL_EINVAL, "action", "unknown action");
        return 0;
    }
    strbuf_init(&path);
    strbuf_adds(&path, "/tickets/");
    pct_add(&path, id);
    strbuf_addc(&path, '/');
    strbuf_adds(&path, action_str(b->action));
    body = action_text(api, b);
    if (version >= 0)
        im = xasprintf("If-Match: \"%lld\"", (long long)version);
    c = start(api, CALL_TICKET, "POST", strbuf_str(&path), body, true, im, NULL, NULL, 0, done,
              arg, e);
    free(im);
    free(body);
    strbuf_fini(&path);
    return id_of(c);
}

uint64_t
api_caller_tickets(struct api *api, const char *phone, int limit, const char *cursor,
                   api_done_fn done, void *arg, struct err *e)
{
    struct strbuf path;
    struct call *c;

    if (!segment_ok(phone, e, "phone"))
        return 0;
    strbuf_init(&path);
    strbuf_adds(&path, "/callers/");
    pct_add(&path, phone);
    strbuf_adds(&path, "/tickets");
    if (limit > 0)
        query_add_int(&path, "limit", limit);
    query_add(&path, "cursor", cursor);
    c = start(api, CALL_PAGE, "GET", strbuf_str(&path), NULL, true, NULL, NULL, NULL, 0, done,
              arg, e);
    strbuf_fini(&path);
    return id_of(c);
}

uint64_t
api_kb_search(struct api *api, const struct api_kb_query *q, api_done_fn done, void *arg,
              struct err *e)
{
    struct api_kb_query zero = {0};
    struct strbuf path;
    struct call *c;

    if (q == NULL)
        q = &zero;
    strbuf_init(&path);
    strbuf_adds(&path, "/kb");
    query_add(&path, "q", q->q);
    query_add(&path, "kind", q->kind);
    query_add(&path, "scope", q->scope);
    query_add(&path, "category", q->category);
    if (q->limit > 0)
        query_add_int(&path, "limit", q->limit);
    query_add(&path, "cursor", q->cursor);
    c = start(api, CALL_KB, "GET", strbuf_str(&path), NULL, true, NULL, NULL, NULL, 0, done, arg,
              e);
    strbuf_fini(&path);
    return id_of(c);
}

uint64_t
api_kb_get(struct api *api, const char *id, api_done_fn done, void *arg, struct err *e)
{
    struct strbuf path;
    struct call *c;

    if (!segment_ok(id, e, "id"))
        return 0;
    strbuf_init(&path);
    strbuf_adds(&path, "/kb/");
    pct_add(&path, id);
    c = start(api, CALL_ARTICLE, "GET", strbuf_str(&path), NULL, true, NULL, NULL, NULL, 0,
              done, arg, e);
    strbuf_fini(&path);
    return id_of(c);
}

uint64_t
api_callbacks(struct api *api, hl_time due_before, const char *agent, api_done_fn done,
              void *arg, struct err *e)
{
    struct strbuf path;
    struct call *c;

    strbuf_init(&path);
    strbuf_adds(&path, "/callbacks");
    query_add_time(api, &path, "due_before", due_before);
    query_add(&path, "agent", agent);
    c = start(api, CALL_PAGE, "GET", strbuf_str(&path), NULL, true, NULL, NULL, NULL, 0, done,
              arg, e);
    strbuf_fini(&path);
    return id_of(c);
}

uint64_t
api_stats(struct api *api, hl_time from, hl_time to, const char *group, api_done_fn done,
          void *arg, struct err *e)
{
    struct strbuf path;
    struct call *c;

    strbuf_init(&path);
    strbuf_adds(&path, "/stats");
    query_add_time(api, &path, "from", from);
    query_add_time(api, &path, "to", to);
    query_add(&path, "group", group);
    c = start(api, CALL_STATS, "GET", strbuf_str(&path), NULL, true, NULL, NULL, NULL, 0, done,
              arg, e);
    strbuf_fini(&path);
    return id_of(c);
}

/* ---- writes through the outbox ---- */

int
api_queue_create(struct api *api, const struct ticket *t, const char *idem_key,
                 char *local_id, size_t local_sz, int64_t *seq, struct err *e)
{
    char *body;
    int rc;

    if (api->outbox == NULL)
        return err_set(e, HL_EIO, "outbox", "there is no outbox to keep the ticket in");
    body = matter_text(api, t, NULL);
    rc = outbox_add_create_keyed(api->outbox, body, idem_key, (hl_time)time(NULL), local_id,
                                 local_sz, seq, e);
    free(body);
    if (rc == HL_OK)
        outbox_try(api);
    return rc;
}

int
api_queue_patch(struct api *api, const struct ticket *t, int64_t version,
                const struct strlist *fields, int64_t *seq, struct err *e)
{
    char *body;
    int rc;

    if (api->outbox == NULL)
        return err_set(e, HL_EIO, "outbox", "there is no outbox to keep the change in");
    body = matter_text(api, t, fields);
    rc = outbox_add_patch(api->outbox, t->id, version, body, (hl_time)time(NULL), seq, e);
    free(body);
    if (rc == HL_OK)
        outbox_try(api);
    return rc;
}

int
api_queue_action(struct api *api, const char *id, int64_t version, const struct action_body *b,
                 int64_t *seq, struct err *e)
{
    char *body;
    int rc;

    if (api->outbox == NULL)
        return err_set(e, HL_EIO, "outbox", "there is no outbox to keep the action in");
    if ((unsigned)b->action >= ACTION_COUNT)
        return err_set(e, HL_EINVAL, "action", "unknown action");
    body = action_text(api, b);
    rc = outbox_add_action(api->outbox, id, action_str(b->action), version, body,
                           (hl_time)time(NULL), seq, e);
    free(body);
    if (rc == HL_OK)
        outbox_try(api);
    return rc;
}

void
api_outbox_kick(struct api *api)
{
    outbox_try(api);
}
