/* h_tickets: POST /tickets (intake), GET /tickets, GET and PATCH /tickets/{id}. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#include "hotline/codec.h"
#include "hotline/phone.h"
#include "hotline/rules.h"
#include "hotline/text.h"
#include "hotline/util.h"
#include "handlers.h"
#include "hticket.h"
#include "log.h"
#include "server.h"
#include "store.h"
#include "workflow.h"

/* Most tickets of one cluster flagged by one create. */
#define CLUSTER_MAX_TICKETS 1000

/* ---- POST /tickets ---- */

/* The canonical number of a caller's phone into buf ("" when none or invalid). */
static void
canonical_phone(const char *phone, char *buf, size_t sz)
{
    struct phone p;

    buf[0] = '\0';
    if (str_empty(phone) || phone_normalize(phone, NULL, &p) == PHONE_INVALID)
        return;
    str_copy(buf, sz, p.number);
}

/* What the cluster scan collects: the distinct callers of one category and location,
 * and the open tickets among them that are not flagged yet. */
struct cluster_scan {
    const char *location;
    struct strlist phones;      /* canonical, distinct */
    struct strlist to_flag;     /* ids of open tickets without FLAG_CLUSTER */
};

/* Add a phone to the distinct list. */
static void
add_phone(struct strlist *l, const char *phone)
{
    size_t i;

    if (phone[0] == '\0')
        return;
    for (i = 0; i < l->n; i++) {
        if (strcmp(l->v[i], phone) == 0)
            return;
    }
    strlist_add(l, phone);
}

/* One ticket of the category in the window: keep it when the location matches. */
static bool
cluster_one(const struct ticket *t, void *arg)
{
    struct cluster_scan *cs = arg;
    char phone[32];

    if (t->location == NULL || strcmp(t->location, cs->location) != 0)
        return true;
    canonical_phone(t->caller.phone, phone, sizeof phone);
    add_phone(&cs->phones, phone);
    if (ticket_is_open(t) && (t->flags & FLAG_CLUSTER) == 0 &&
        cs->to_flag.n < CLUSTER_MAX_TICKETS)
        strlist_add(&cs->to_flag, t->id);
    return true;
}

/* Decide the cluster flag of a new ticket t (caller phone canonical in phone); the
 * open tickets to flag with it go to cs->to_flag. */
static int
check_cluster(struct server *srv, struct ticket *t, const char *phone, hl_time now,
              struct cluster_scan *cs, struct err *e)
{
    struct store *st = srv->store;
    struct ticket_query q;
    hl_time since = now - (hl_time)rules_cluster_days(srv->rules) * 86400;
    int min = rules_cluster_min_callers(srv->rules), count = 0, rc;

    if (str_empty(t->category) || str_empty(t->location) || min <= 0)
        return HL_OK;
    rc = st->ops->cluster_callers(st, t->category, t->location, since, now + 1, &count, e);
    if (rc != HL_OK || count + (phone[0] != '\0' ? 1 : 0) < min)
        return rc;
    if (count >= min) {
        /* a cluster already: its tickets were flagged when it formed */
        t->flags |= FLAG_CLUSTER;
        return HL_OK;
    }
    /* This caller may form the cluster: find out exactly who called and what to flag. */
    memset(&q, 0, sizeof q);
    q.nature = -1;
    q.category = t->category;
    q.created_from = since;
    cs->location = t->location;
    rc = st->ops->ticket_scan(st, &q, cluster_one, cs, e);
    if (rc != HL_OK)
        return rc;
    add_phone(&cs->phones, phone);
    if (cs->phones.n >= (size_t)min)
        t->flags |= FLAG_CLUSTER;
    else
        strlist_fini(&cs->to_flag);
    return HL_OK;
}

/* Mutate callback: add the cluster flag. */
static int
set_cluster(struct ticket *t, void *arg, struct err *e)
{
    (void)arg;
    (void)e;
    t->flags |= FLAG_CLUSTER;
    return HL_OK;
}

/* Flag the other open tickets of a cluster; failures are logged (the create stands). */
static void
flag_cluster(struct server *srv, const struct strlist *ids)
{
    struct store *st = srv->store;
    size_t i;

    for (i = 0; i < ids->n; i++) {
        struct err e;
        int64_t seq = 0;

        err_clear(&e);
        if (st->ops->ticket_update(st, ids->v[i], 0, "reflag", set_cluster, NULL, NULL, &seq,
                                   &e) != HL_OK)
            log_msg(srv->log, "tickets", "cannot flag %s as clustered: %s", ids->v[i], e.msg);
        else
            server_publish(srv, seq);
    }
}

/* The Idempotency-Key header when valid (NULL when absent); false with a 400 when not. */
static bool
idempotency_key(const struct request *req, struct reply *rep, const char **key)
{
    const char *k = req->headers.idempotency_key;
    size_t i, len;

    *key = NULL;
    if (k == NULL)
        return true;
    len = strlen(k);
    if (len == 0 || len > HTICKET_IDEM_KEY_MAX)
        goto bad;
    for (i = 0; i < len; i++) {
        if (k[i] < 0x21 || k[i] > 0x7e)
            goto bad;
    }
    *key = k;
    return true;
bad:
    reply_error(rep, 400, "invalid_header", "Idempotency-Key",
                "Idempotency-Key must be 1 to %d printable ASCII characters without spaces "
                "(a UUID is fine)", HTICKET_IDEM_KEY_MAX);
    return false;
}

/* The hash of a create for its idempotency key: BLAKE2b-256 of the user id and the raw
 * body, lowercase hex into out (65 bytes). */
static void
body_hash(const struct request *req, char *out, size_t outsz)
{
    crypto_generichash_state st;
    unsigned char h[32];
    const char *user = req->user.id != NULL ? req->user.id : "";

    crypto_generichash_init(&st, NULL, 0, sizeof h);
    crypto_generichash_update(&st, (const unsigned char *)user, strlen(user) + 1);
    if (req->body.len > 0)
        crypto_generichash_update(&st, (const unsigned char *)req->body.buf, req->body.len);
    crypto_generichash_final(&st, h, sizeof h);
    sodium_bin2hex(out, outsz, h, sizeof h);
}

/* Add the deadline fallback warning as `Warning: 299 hotlined "<text>"` (RFC 7234 shape;
 * quotes, backslashes and non-ASCII are replaced so the header stays valid). */
static void
add_warning(struct reply *rep, const char *text)
{
    char buf[256], *v;
    size_t i, j = 0;

    for (i = 0; text[i] != '\0' && j + 1 < sizeof buf; i++) {
        unsigned char c = (unsigned char)text[i];

        buf[j++] = c < 0x20 || c > 0x7e || c == '"' || c == '\\' ? '\'' : (char)c;
    }
    buf[j] = '\0';
    v = xasprintf("299 hotlined \"%s\"", buf);
    reply_add_header(rep, "Warning", v);
    free(v);
}

/* What the create transaction needs and leaves: the stored ticket's id, document and
 * version. */
struct create_tx {
    struct server *srv;
    const struct request *req;
    const struct ticket *t;
    const char *key, *hash;
    char *id, *doc;
    int64_t version;
    bool replayed;
    int64_t seq;
};

/* write_tx body of intake: the ticket, then its audit row (none for a replay). */
static int
create_tx(struct store *st, void *arg, struct err *e)
{
    struct create_tx *c = arg;
    int rc;

    rc = st->ops->ticket_create_doc(st, c->t, c->key, c->hash, &c->id, &c->doc, &c->version,
                                    &c->replayed, &c->seq, e);
    if (rc == HL_OK && !c->replayed)
        rc = hticket_audit_tx(c->srv, c->req, c->id, "created", e);
    return rc;
}

/* Answer status with a stored ticket document as it is (JSON already), with its ETag. */
static void
reply_stored(struct reply *rep, int status, const char *doc, int64_t version)
{
    strbuf_reset(&rep->body);
    strbuf_adds(&rep->body, doc);
    rep->content_type = NULL;
    rep->status = status;
    reply_set_etag(rep, version);
}

/* Answer status with the stored document of a ticket as the signed-in user may see it:
 * as it is (as GET serves it), or decoded and masked. */
static void
reply_doc(struct server *srv, const struct request *req, struct reply *rep, int status,
          const char *id, const char *doc, int64_t version)
{
    struct ticket *t;

    if (req->user.role != USER_UNIT || hticket_doc_plain(doc)) {
        reply_stored(rep, status, doc, version);
        return;
    }
    t = hticket_doc_decode(srv, id, doc, rep);
    if (t == NULL)
        return;
    hticket_reply(srv, req, rep, status, t);
    ticket_free(&t);
}

/* POST /api/v1/tickets: intake. */
void
h_tickets_create(struct server *srv, struct request *req, struct reply *rep)
{
    struct store *st = srv->store;
    struct rule_actor who;
    struct rule_due due;
    struct verdict v;
    struct cluster_scan cs;
    struct create_tx ctx;
    struct ticket *t = NULL;
    struct err e;
    cJSON *root = NULL;
    const char *key;
    char hash[65], phone[32], *location;
    hl_time now = server_now(srv);
    bool repeat = false;

    memset(&cs, 0, sizeof cs);
    memset(&ctx, 0, sizeof ctx);
    memset(&due, 0, sizeof due);
    err_clear(&e);
    hticket_actor(req, &who);
    rules_check_create(&who, &v);
    if (!v.ok) {
        hticket_reply_refusal(srv, rep, v.kind, v.code, v.message, v.rule, v.possible_from);
        return;
    }
    if (!idempotency_key(req, rep, &key))
        return;
    root = codec_parse(req->body.buf != NULL ? req->body.buf : "", req->body.len, &e);
    if (root == NULL) {
        reply_error(rep, 400, "malformed_json", NULL, "%s", e.msg);
        return;
    }
    t = codec_ticket_create_decode(root, &e);
    if (t == NULL) {
        reply_error(rep, 422, "invalid", str_empty(e.field) ? NULL : e.field, "%s", e.msg);
        goto out;
    }
    if (workflow_create(&srv->wf, t, &who, now, &due, &e) != HL_OK) {
        hticket_reply_err(srv, rep, &e, NULL);
        goto out;
    }
    canonical_phone(t->caller.phone, phone, sizeof phone);
    if (phone[0] != '\0') {
        if (st->ops->caller_has_open(st, phone, &repeat, &e) != HL_OK) {
            hticket_reply_err(srv, rep, &e, NULL);
            goto out;
        }
        if (repeat)
            t->flags |= FLAG_REPEAT_CALLER;
    }
    if (check_cluster(srv, t, phone, now, &cs, &e) != HL_OK) {
        hticket_reply_err(srv, rep, &e, NULL);
        goto out;
    }
    if (key != NULL)
        body_hash(req, hash, sizeof hash);
    ctx.srv = srv;
    ctx.req = req;
    ctx.t = t;
    ctx.key = key;
    ctx.hash = key != NULL ? hash : NULL;
    if (st->ops->write_tx(st, create_tx, &ctx, &e) != HL_OK) {
        if (e.code == HL_ECONFLICT && key != NULL)
            reply_error(rep, 422, "idempotency_key_reused", "Idempotency-Key",
                        "this Idempotency-Key was used for another request body; use a new "
                        "key for a new ticket");
        else
            hticket_reply_err(srv, rep, &e, NULL);
        goto out;
    }
    server_publish(srv, ctx.seq);
    if (!ctx.replayed)
        flag_cluster(srv, &cs.to_flag);
    location = xasprintf("/api/v1/tickets/%s", ctx.id);
    reply_doc(srv, req, rep, ctx.replayed ? 200 : 201, ctx.id, ctx.doc, ctx.version);
    reply_set_location(rep, location);
    free(location);
    if (!ctx.replayed && due.fallback && due.warning[0] != '\0')
        add_warning(rep, due.warning);
out:
    strlist_fini(&cs.phones);
    strlist_fini(&cs.to_flag);
    free(ctx.id);
    free(ctx.doc);
    ticket_free(&t);
    cJSON_Delete(root);
}

/* ---- GET /tickets/{id} ---- */

/* True when an If-None-Match value names version (a list of ETags, weak or not, or *). */
static bool
none_match(const char *h, int64_t version)
{
    char want[32];
    size_t wl;

    if (h == NULL)
        return false;
    snprintf(want, sizeof want, "\"%lld\"", (long long)version);
    wl = strlen(want);
    while (*h != '\0') {
        const char *end;
        size_t len;

        while (*h == ' ' || *h == '\t' || *h == ',')
            h++;
        if (*h == '\0')
            break;
        end = strchr(h, ',');
        len = end != NULL ? (size_t)(end - h) : strlen(h);
        while (len > 0 && (h[len - 1] == ' ' || h[len - 1] == '\t'))
            len--;
        if (len == 1 && h[0] == '*')
            return true;
        if (len > 2 && h[0] == 'W' && h[1] == '/') {
            h += 2;
            len -= 2;
        }
        if (len == wl && memcmp(h, want, wl) == 0)
            return true;
        if (end == NULL)
            break;
        h = end + 1;
    }
    return false;
}

/* True when the stored document has an assignment of unit. */
static bool
doc_has_unit(const cJSON *doc, const char *unit)
{
    const cJSON *as = cJSON_GetObjectItemCaseSensitive(doc, "assignments");
    const cJSON *a;

    if (unit == NULL)
        return false;
    cJSON_ArrayForEach(a, as) {
        const cJSON *u = cJSON_GetObjectItemCaseSensitive(a, "unit");

        if (cJSON_IsString(u) && strcmp(u->valuestring, unit) == 0)
            return true;
    }
    return false;
}

/* GET /api/v1/tickets/{id}: one ticket, its ETag, 304 when unchanged. */
void
h_tickets_get(struct server *srv, struct request *req, struct reply *rep)
{
    struct store *st = srv->store;
    const char *id = hticket_path_id(req, rep);
    const cJSON *caller;
    cJSON *doc = NULL;
    char *text = NULL;
    struct err e;
    int64_t version = 0;
    bool confidential, unit = req->user.role == USER_UNIT;

    if (id == NULL)
        return;
    if (!hticket_known_params(req, rep, NULL, 0))
        return;
    err_clear(&e);
    if (st->ops->ticket_get_doc(st, id, &text, &version, &e) != HL_OK) {
        hticket_reply_err(srv, rep, &e, id);
        return;
    }
    if (!unit && hticket_doc_plain(text)) {
        /* the common case, served without decoding; anything else takes the decoding
         * path below */
        if (none_match(req->headers.if_none_match, version)) {
            rep->status = 304;
            reply_set_etag(rep, version);
        } else {
            reply_stored(rep, 200, text, version);
        }
        free(text);
        return;
    }
    doc = cJSON_Parse(text);
    if (doc == NULL) {
        log_msg(srv->log, "tickets", "the stored document of %s is not JSON", id);
        reply_error(rep, 500, "internal_error", NULL,
                    "the stored ticket %s cannot be read; run `hotlined check`", id);
        goto out;
    }
    if (unit && !doc_has_unit(doc, req->user.unit)) {
        reply_error(rep, 404, "not_found", NULL, "no ticket %s", id);
        goto out;
    }
    if (none_match(req->headers.if_none_match, version)) {
        rep->status = 304;
        reply_set_etag(rep, version);
        goto out;
    }
    caller = cJSON_GetObjectItemCaseSensitive(doc, "caller");
    confidential = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(caller, "confidential"));
    if (unit && confidential) {
        struct ticket *t = codec_ticket_decode(doc, &e);

        if (t == NULL) {
            reply_error(rep, 500, "internal_error", NULL,
                        "the stored ticket %s cannot be read; run `hotlined check`", id);
            goto out;
        }
        hticket_reply(srv, req, rep, 200, t);
        ticket_free(&t);
    } else {
        reply_stored(rep, 200, text, version);
    }
    if (confidential)
        hticket_audit(srv, req, id, "read_confidential");
out:
    cJSON_Delete(doc);
    free(text);
}

/* ---- GET /tickets ---- */

/* Parse a comma-separated list of names with parse into a bit mask; false on an unknown
 * or empty name or more than max entries (rep filled). */
static bool
parse_list(const char *s, const char *param, const char *what, int max,
           bool (*parse)(const char *name, unsigned *bit), struct reply *rep, unsigned *mask)
{
    char name[40];
    int n = 0;

    *mask = 0;
    for (;;) {
        const char *end = strchr(s, ',');
        size_t len = end != NULL ? (size_t)(end - s) : strlen(s);
        unsigned bit;

        if (len == 0 || len >= sizeof name || ++n > max)
            goto bad;
        memcpy(name, s, len);
        name[len] = '\0';
        if (!parse(name, &bit))
            goto bad;
        *mask |= bit;
        if (end == NULL)
            return true;
        s = end + 1;
    }
bad:
    reply_error(rep, 400, "invalid_parameter", param,
                "%s must be a comma-separated list of at most %d %s", param, max, what);
    return false;
}

/* A status name as a mask bit. */
static bool
status_bit(const char *name, unsigned *bit)
{
    enum status s;

    if (!status_parse(name, &s))
        return false;
    *bit = 1u << s;
    return true;
}

/* A flag name as its bit. */
static bool
flag_bit(const char *name, unsigned *bit)
{
    return flag_parse(name, bit);
}

/* True when s is a category code or prefix: [A-Za-z0-9_.-]{1,100}. */
static bool
category_ok(const char *s)
{
    size_t i, n = strlen(s);

    if (n == 0 || n > 100)
        return false;
    for (i = 0; i < n; i++) {
        char c = s[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-'))
            return false;
    }
    return true;
}

/* True when s is one line of 1..max characters. */
static bool
short_text_ok(const char *s, size_t max)
{
    size_t i;

    if (s[0] == '\0' || text_chars(s) > max)
        return false;
    for (i = 0; s[i] != '\0'; i++) {
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return false;
    }
    return true;
}

/* A created_from/created_to bound into *out (0 when absent): "YYYY-MM-DD" is the start
 * of that local day in tz (end_of_day: of the next day, so the day is included), else an
 * RFC 3339 instant. false with rep filled (400). */
static bool
created_bound(const struct request *req, struct reply *rep, const struct tz *tz,
              const char *name, bool end_of_day, hl_time *out)
{
    const char *s = request_query(req, name);
    int64_t day;
    int y, m, d;

    *out = 0;
    if (s == NULL)
        return true;
    if (strlen(s) == 10 && datetime_parse_date(s, &day)) {
        if (end_of_day)
            day++;
        datetime_civil_from_days(day, &y, &m, &d);
        *out = tz_from_civil(tz, y, m, d, 0, 0, 0);
        if (*out > 0)
            return true;
    } else if (datetime_parse_rfc3339(s, out, NULL) && *out > 0) {
        return true;
    }
    reply_error(rep, 400, "invalid_parameter", name,
                "%s must be a date such as 2026-11-22 (a local day) or an RFC 3339 instant "
                "such as 2026-11-22T09:15:00+08:00", name);
    return false;
}

/* Parse the filters of GET /tickets into q (phone gets the canonical caller number). */
static bool
parse_filters(const struct request *req, struct reply *rep, const struct tz *tz,
              struct ticket_query *q, char *phone, size_t phonesz)
{
    static const char *const names[] = {
        "status", "unit", "caller_phone", "flag", "q", "nature", "category", "created_by",
        "mine", "updated_since", "due_before", "created_from", "created_to", "order", "limit",
        "cursor", "count",
    };
    const char *v;
    enum nature nat;
    struct phone p;

    if (!hticket_known_params(req, rep, names, ARRAY_SIZE(names)))
        return false;
    v = request_query(req, "status");
    if (v != NULL && !parse_list(v, "status", "statuses (accepted, dispatched, in_progress, "
                                 "returned, replied, callback, closed, archived)",
                                 STATUS_COUNT, status_bit, rep, &q->status_mask))
        return false;
    v = request_query(req, "flag");
    if (v != NULL && !parse_list(v, "flag", "flags (near_due, overdue, repeat_caller, cluster, "
                                 "emergency, dissatisfied, late_dispatch, supervised)",
                                 FLAG_COUNT, flag_bit, rep, &q->flag_mask))
        return false;
    v = request_query(req, "unit");
    if (v != NULL) {
        if (!category_ok(v)) {
            reply_error(rep, 400, "invalid_parameter", "unit",
                        "unit must be a unit code (letters, digits, _ . -, at most 100)");
            return false;
        }
        q->unit = v;
    }
    v = request_query(req, "caller_phone");
    if (v != NULL) {
        if (strlen(v) > 100 || phone_normalize(v, NULL, &p) == PHONE_INVALID) {
            reply_error(rep, 400, "invalid_parameter", "caller_phone",
                        "caller_phone is not a phone number: give a mobile (13812345678), a "
                        "landline with its area code (010-12345678) or a service number");
            return false;
        }
        str_copy(phone, phonesz, p.number);
        q->caller_phone = phone;
    }
    v = request_query(req, "q");
    if (v != NULL) {
        if (!short_text_ok(v, 100)) {
            reply_error(rep, 400, "invalid_parameter", "q",
                        "q must be 1 to 100 characters of text on one line");
            return false;
        }
        q->q = v;
    }
    v = request_query(req, "nature");
    if (v != NULL) {
        if (!nature_parse(v, &nat)) {
            reply_error(rep, 400, "invalid_parameter", "nature",
                        "nature must be one of consult, help, complaint, report, suggestion, "
                        "praise, alarm, repair, service");
            return false;
        }
        q->nature = (int)nat;
    }
    v = request_query(req, "category");
    if (v != NULL) {
        if (!category_ok(v)) {
            reply_error(rep, 400, "invalid_parameter", "category",
                        "category must be a category code or a prefix ending in '.' "
                        "(letters, digits, _ . -, at most 100)");
            return false;
        }
        q->category = v;
    }
    v = request_query(req, "created_by");
    if (v != NULL) {
        if (!short_text_ok(v, 100)) {
            reply_error(rep, 400, "invalid_parameter", "created_by",
                        "created_by must be a user id (at most 100 characters)");
            return false;
        }
        q->created_by = v;
    }
    v = request_query(req, "mine");
    if (v != NULL) {
        if (strcmp(v, "0") != 0 && strcmp(v, "1") != 0) {
            reply_error(rep, 400, "invalid_parameter", "mine", "mine must be 0 or 1");
            return false;
        }
        if (v[0] == '1') {
            if (q->created_by != NULL && strcmp(q->created_by, req->user.id) != 0) {
                reply_error(rep, 400, "invalid_parameter", "mine",
                            "mine=1 and created_by name different users: give one of them");
                return false;
            }
            q->created_by = req->user.id;
        }
    }
    if (!hticket_time_param(req, rep, "updated_since", &q->updated_since) ||
        !hticket_time_param(req, rep, "due_before", &q->due_before) ||
        !created_bound(req, rep, tz, "created_from", false, &q->created_from) ||
        !created_bound(req, rep, tz, "created_to", true, &q->created_to))
        return false;
    if (q->created_from != 0 && q->created_to != 0 && q->created_to <= q->created_from) {
        reply_error(rep, 400, "invalid_parameter", "created_to",
                    "created_to must be after created_from");
        return false;
    }
    v = request_query(req, "order");
    if (v != NULL) {
        if (strcmp(v, "created") != 0 && strcmp(v, "updated") != 0 && strcmp(v, "due") != 0 &&
            strcmp(v, "callback_due") != 0) {
            reply_error(rep, 400, "invalid_parameter", "order",
                        "order must be created, updated, due or callback_due");
            return false;
        }
        q->order = v;
    }
    return hticket_page_params(req, rep, q);
}

/* GET /api/v1/tickets: the filtered list. */
void
h_tickets_list(struct server *srv, struct request *req, struct reply *rep)
{
    struct ticket_query q;
    char phone[32];

    memset(&q, 0, sizeof q);
    q.nature = -1;
    if (!parse_filters(req, rep, srv->tz, &q, phone, sizeof phone))
        return;
    hticket_list_reply(srv, req, rep, &q);
}

/* ---- PATCH /tickets/{id} ---- */

/* What the patch callback needs. */
struct patch_arg {
    struct server *srv;
    const cJSON *body;
    const struct rule_actor *who;
    hl_time now;
};

/* Mutate callback of PATCH: workflow_patch. */
static int
patch_ticket(struct ticket *t, void *arg, struct err *e)
{
    const struct patch_arg *pa = arg;

    return workflow_patch(&pa->srv->wf, t, pa->body, pa->who, pa->now, e);
}

/* PATCH /api/v1/tickets/{id}: edit the matter before dispatch (If-Match required). */
void
h_tickets_patch(struct server *srv, struct request *req, struct reply *rep)
{
    const char *id = hticket_path_id(req, rep);
    struct rule_actor who;
    struct patch_arg pa;
    struct ticket *out = NULL;
    struct err e;
    cJSON *body = NULL;
    int64_t version = 0, seq = 0;
    int m;

    if (id == NULL)
        return;
    if (!hticket_known_params(req, rep, NULL, 0) ||
        !hticket_require_role(req, rep, HTICKET_CENTRE))
        return;
    m = hticket_if_match(req, rep, &version);
    if (m < 0)
        return;
    if (m == 0) {
        reply_error(rep, 428, "precondition_required", "If-Match",
                    "send If-Match: \"<version>\" with the ETag of the version you edited");
        return;
    }
    err_clear(&e);
    body = codec_parse(req->body.buf != NULL ? req->body.buf : "", req->body.len, &e);
    if (body == NULL) {
        reply_error(rep, 400, "malformed_json", NULL, "%s", e.msg);
        return;
    }
    hticket_actor(req, &who);
    pa.srv = srv;
    pa.body = body;
    pa.who = &who;
    pa.now = server_now(srv);
    if (hticket_update(srv, req, id, version, "edit", patch_ticket, &pa, "edit", &out, &seq,
                       &e) != HL_OK) {
        if (e.code == HL_ECONFLICT && strcmp(e.field, "version") == 0)
            hticket_reply_stale(srv, req, rep, id, &e);
        else
            hticket_reply_err(srv, rep, &e, id);
        goto out;
    }
    server_publish(srv, seq);
    hticket_reply(srv, req, rep, 200, out);
out:
    ticket_free(&out);
    cJSON_Delete(body);
}
