/* hticket: what the ticket handlers share: ids, roles, unit visibility, masking, errors. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "hotline/codec.h"
#include "hotline/util.h"
#include "hticket.h"
#include "log.h"
#include "server.h"
#include "workflow.h"

/* True when id has the shape of a ticket id: "HL" + 8 digits + "-" + 6 digits. */
bool
hticket_id_valid(const char *id)
{
    size_t i;

    if (id == NULL || strlen(id) != 17 || id[0] != 'H' || id[1] != 'L' || id[10] != '-')
        return false;
    for (i = 2; i < 17; i++) {
        if (i != 10 && (id[i] < '0' || id[i] > '9'))
            return false;
    }
    return true;
}

/* The {id} path parameter when it is a valid ticket id; else NULL with a 404. */
const char *
hticket_path_id(const struct request *req, struct reply *rep)
{
    const char *id = request_param(req, "id");

    if (!hticket_id_valid(id)) {
        reply_error(rep, 404, "not_found", NULL,
                    "no such ticket: a ticket id is HL + 8 digits + '-' + 6 digits "
                    "(HL20261122-000042)");
        return NULL;
    }
    return id;
}

/* Human list of the roles in mask, for messages. */
static const char *
roles_text(unsigned mask)
{
    if (mask == (HTICKET_SUPERVISOR | HTICKET_ADMIN))
        return "supervisors and admins";
    if (mask == HTICKET_CENTRE)
        return "agents, supervisors and admins";
    if (mask == HTICKET_UNIT)
        return "unit users";
    return "other roles";
}

/* True when the user's role is in mask; else a 403 forbidden_role. */
bool
hticket_require_role(const struct request *req, struct reply *rep, unsigned mask)
{
    unsigned role = (unsigned)req->user.role;

    if (role < USER_ROLE_COUNT && (mask & (1u << role)) != 0)
        return true;
    reply_error(rep, 403, "forbidden_role", NULL, "A %s user may not do this: it is for %s.",
                role < USER_ROLE_COUNT ? user_role_str(req->user.role) : "unknown",
                roles_text(mask));
    return false;
}

/* The rule actor of the signed-in user. */
void
hticket_actor(const struct request *req, struct rule_actor *who)
{
    who->role = req->user.role;
    who->unit = req->user.unit;
    who->user_id = req->user.id;
}

/* True when the signed-in user may see t. */
bool
hticket_visible(const struct request *req, const struct ticket *t)
{
    size_t i;

    if (req->user.role != USER_UNIT)
        return true;
    if (req->user.unit == NULL)
        return false;
    for (i = 0; i < t->n_assignments; i++) {
        if (t->assignments[i].unit != NULL && strcmp(t->assignments[i].unit, req->user.unit) == 0)
            return true;
    }
    return false;
}

/* True when t's caller must be masked for the signed-in user. */
bool
hticket_masked(const struct request *req, const struct ticket *t)
{
    return req->user.role == USER_UNIT && t->caller.confidential;
}

/* The ticket as the signed-in user may see it. */
cJSON *
hticket_to_json(struct server *srv, const struct request *req, struct ticket *t)
{
    if (hticket_masked(req, t))
        ticket_mask_caller(t);
    return codec_ticket_to_json(t, srv->tz);
}

/* Answer status with the ticket and its ETag. */
void
hticket_reply(struct server *srv, const struct request *req, struct reply *rep, int status,
              struct ticket *t)
{
    reply_json(rep, status, hticket_to_json(srv, req, t));
    reply_set_etag(rep, t->version);
}

/* Answer a workflow refusal. */
void
hticket_reply_refusal(struct server *srv, struct reply *rep, enum verdict_kind kind,
                      const char *code, const char *message, const char *rule,
                      hl_time possible_from)
{
    cJSON *root = codec_error_to_json(code, message, code);
    cJSON *err = cJSON_GetObjectItemCaseSensitive(root, "error");
    char when[48];
    int status = kind == VERDICT_FORBIDDEN ? 403 : kind == VERDICT_INVALID ? 422 : 409;

    if (str_empty(rule))
        cJSON_AddNullToObject(err, "rule");
    else
        cJSON_AddStringToObject(err, "rule", rule);
    if (possible_from == 0) {
        cJSON_AddNullToObject(err, "possible_from");
    } else {
        server_format_time(srv, possible_from, when, sizeof when);
        cJSON_AddStringToObject(err, "possible_from", when);
    }
    reply_json(rep, status, root);
}

/* Answer an error of the store or of a workflow function. */
void
hticket_reply_err(struct server *srv, struct reply *rep, const struct err *e,
                  const char *ticket_id)
{
    switch (e->code) {
    case HL_ENOENT:
        if (ticket_id != NULL)
            reply_error(rep, 404, "not_found", NULL, "no ticket %s", ticket_id);
        else
            reply_error(rep, 404, "not_found", NULL, "%s", e->msg);
        return;
    case HL_EINVAL:
        reply_error(rep, 422, "invalid", str_empty(e->field) ? NULL : e->field, "%s", e->msg);
        return;
    case HL_ERULE:
        hticket_reply_refusal(srv, rep, workflow_err_kind(e), str_empty(e->field) ? "rule" : e->field,
                              e->msg, NULL, 0);
        return;
    case HL_ECONFLICT:
        reply_error(rep, 409, "conflict", str_empty(e->field) ? NULL : e->field, "%s", e->msg);
        return;
    case HL_EIO:
        log_msg(srv->log, "store", "%s", e->msg);
        reply_error(rep, 500, "io", NULL, "%s", e->msg);
        return;
    default:
        log_msg(srv->log, "store", "%s", e->msg);
        reply_error(rep, 500, "internal_error", NULL, "%s",
                    str_empty(e->msg) ? "the server failed" : e->msg);
        return;
    }
}

/* Parse an If-Match header: 0 absent or "*", 1 with *version, -1 malformed (400). */
int
hticket_if_match(const struct request *req, struct reply *rep, int64_t *version)
{
    const char *h = req->headers.if_match;
    char digits[24];
    size_t len;
    long v;

    *version = 0;
    if (h == NULL)
        return 0;
    while (*h == ' ' || *h == '\t')
        h++;
    if (strcmp(h, "*") == 0)
        return 0;
    if (strncmp(h, "W/", 2) == 0)
        h += 2;
    len = strlen(h);
    while (len > 0 && (h[len - 1] == ' ' || h[len - 1] == '\t'))
        len--;
    if (len < 3 || len - 2 >= sizeof digits || h[0] != '"' || h[len - 1] != '"')
        goto bad;
    memcpy(digits, h + 1, len - 2);
    digits[len - 2] = '\0';
    if (digits[0] < '0' || digits[0] > '9' || !str_to_long(digits, 0, INT32_MAX, &v))
        goto bad;
    /* "0" is no version a ticket ever had: it can only be stale */
    *version = v == 0 ? INT64_MAX : (int64_t)v;
    return 1;
bad:
    reply_error(rep, 400, "invalid_header", "If-Match",
                "If-Match must be the ETag of the version you saw, e.g. \"3\"");
    return -1;
}

/* Answer 412 version_mismatch with the current ticket as "current". */
void
hticket_reply_stale(struct server *srv, const struct request *req, struct reply *rep,
                    const char *id, const struct err *e)
{
    struct ticket *cur = NULL;
    struct err e2;
    cJSON *root, *err;

    err_clear(&e2);
    if (srv->store->ops->ticket_get(srv->store, id, &cur, &e2) != HL_OK) {
        hticket_reply_err(srv, rep, &e2, id);
        return;
    }
    if (!hticket_visible(req, cur)) {
        reply_error(rep, 404, "not_found", NULL, "no ticket %s", id);
        goto out;
    }
    root = codec_error_to_json("version_mismatch", e->msg, "If-Match");
    err = cJSON_GetObjectItemCaseSensitive(root, "error");
    cJSON_AddNullToObject(err, "rule");
    cJSON_AddNullToObject(err, "possible_from");
    cJSON_AddItemToObject(err, "current", hticket_to_json(srv, req, cur));
    reply_json(rep, 412, root);
    reply_set_etag(rep, cur->version);
out:
    ticket_free(&cur);
}

/* What a read's audit transaction needs. */
struct read_audit {
    struct server *srv;
    const struct request *req;
    const char *ticket_id, *what;
};

/* write_tx body of hticket_audit. */
static int
read_audit_tx(struct store *st, void *arg, struct err *e)
{
    struct read_audit *ra = arg;

    (void)st;
    return hticket_audit_tx(ra->srv, ra->req, ra->ticket_id, ra->what, e);
}

/* Write the audit row of a read (through write_tx: concurrent reads and writes share
 * commits); a failure is logged. */
void
hticket_audit(struct server *srv, const struct request *req, const char *ticket_id,
              const char *what)
{
    struct read_audit ra = { srv, req, ticket_id, what };
    struct err e;

    err_clear(&e);
    if (srv->store->ops->write_tx(srv->store, read_audit_tx, &ra, &e) != HL_OK)
        log_msg(srv->log, "audit", "cannot record %s of %s by %s: %s", what,
                ticket_id != NULL ? ticket_id : "-", req->user.id != NULL ? req->user.id : "-",
                e.msg);
}

/* Append the audit row of a change inside its transaction. */
int
hticket_audit_tx(struct server *srv, const struct request *req, const char *ticket_id,
                 const char *what, struct err *e)
{
    return srv->store->ops->audit_add(srv->store, req->user.id != NULL ? req->user.id : "-",
                                      ticket_id, what, server_now(srv), e);
}

/* What an audited ticket_update needs inside its transaction. */
struct audited_update {
    struct server *srv;
    const struct request *req;
    const char *id;
    int64_t if_match;
    const char *action;
    store_mutate_fn fn;
    void *arg;
    const char *what;
    struct ticket **out;
    int64_t *seq;
};

/* write_tx body of hticket_update: the update, then its audit row. */
static int
audited_update_tx(struct store *st, void *arg, struct err *e)
{
    struct audited_update *u = arg;
    int rc;

    rc = st->ops->ticket_update(st, u->id, u->if_match, u->action, u->fn, u->arg, u->out,
                                u->seq, e);
    if (rc == HL_OK)
        rc = hticket_audit_tx(u->srv, u->req, u->id, u->what, e);
    return rc;
}

/* ticket_update and its audit row in one transaction. */
int
hticket_update(struct server *srv, const struct request *req, const char *id,
               int64_t if_match, const char *action, store_mutate_fn fn, void *arg,
               const char *what, struct ticket **out, int64_t *seq, struct err *e)
{
    struct store *st = srv->store;
    struct audited_update u = { srv, req, id, if_match, action, fn, arg, what, out, seq };
    int rc;

    if (out != NULL)
        *out = NULL;
    if (seq != NULL)
        *seq = 0;
    rc = st->ops->write_tx(st, audited_update_tx, &u, e);
    if (rc != HL_OK) {
        if (out != NULL)
            ticket_free(out);
        if (seq != NULL)
            *seq = 0;
    }
    return rc;
}

/* True when every query parameter is known and given once. */
bool
hticket_known_params(const struct request *req, struct reply *rep, const char *const *names,
                     size_t n)
{
    size_t i, j;

    for (i = 0; i < req->nquery; i++) {
        const char *name = req->query[i].name;

        for (j = 0; j < n; j++) {
            if (strcmp(name, names[j]) == 0)
                break;
        }
        if (j == n) {
            reply_error(rep, 400, "invalid_parameter", name,
                        "unknown query parameter '%.64s' for this path", name);
            return false;
        }
        for (j = 0; j < i; j++) {
            if (strcmp(name, req->query[j].name) == 0) {
                reply_error(rep, 400, "invalid_parameter", name,
                            "query parameter '%.64s' is given twice; give it once "
                            "(lists are comma-separated)", name);
                return false;
            }
        }
    }
    return true;
}

/* Parse a whole number in [min,max] given as digits only. */
static bool
digits_in(const char *s, long min, long max, long *out)
{
    return s[0] >= '0' && s[0] <= '9' && str_to_long(s, min, max, out);
}

/* Parse limit=, cursor= and count= into q. */
bool
hticket_page_params(const struct request *req, struct reply *rep, struct ticket_query *q)
{
    const char *limit = request_query(req, "limit");
    const char *cursor = request_query(req, "cursor");
    const char *count = request_query(req, "count");
    long v;

    q->limit = 50;
    if (limit != NULL) {
        if (!digits_in(limit, 1, 100, &v)) {
            reply_error(rep, 400, "invalid_parameter", "limit",
                        "limit must be a whole number from 1 to 100");
            return false;
        }
        q->limit = (int)v;
    }
    if (cursor != NULL) {
        if (cursor[0] == '\0' || strlen(cursor) > 4096) {
            reply_error(rep, 400, "invalid_parameter", "cursor",
                        "cursor must be the next_cursor of an earlier page");
            return false;
        }
        q->cursor = cursor;
    }
    if (count != NULL) {
        if (strcmp(count, "0") != 0 && strcmp(count, "1") != 0) {
            reply_error(rep, 400, "invalid_parameter", "count", "count must be 0 or 1");
            return false;
        }
        q->count = count[0] == '1';
    }
    return true;
}

/* Parse an RFC 3339 query parameter. */
bool
hticket_time_param(const struct request *req, struct reply *rep, const char *name,
                   hl_time *out)
{
    const char *s = request_query(req, name);
    int offset;

    *out = 0;
    if (s == NULL)
        return true;
    if (!datetime_parse_rfc3339(s, out, &offset) || *out <= 0) {
        reply_error(rep, 400, "invalid_parameter", name,
                    "%s must be an RFC 3339 instant such as 2026-11-22T09:15:00+08:00", name);
        return false;
    }
    return true;
}

/* ASCII-case-insensitive substring test (UTF-8 safe: a match starts on a boundary). */
static bool
contains_ci(const char *hay, const char *needle)
{
    size_t hn, nn, i, j;

    if (hay == NULL || needle == NULL)
        return false;
    hn = strlen(hay);
    nn = strlen(needle);
    if (nn == 0)
        return true;
    for (i = 0; i + nn <= hn; i++) {
        for (j = 0; j < nn; j++) {
            unsigned char a = (unsigned char)hay[i + j], b = (unsigned char)needle[j];

            if (a >= 'A' && a <= 'Z')
                a = (unsigned char)(a + 32);
            if (b >= 'A' && b <= 'Z')
                b = (unsigned char)(b + 32);
            if (a != b)
                break;
        }
        if (j == nn)
            return true;
    }
    return false;
}

/* The search text of q without surrounding blanks (owned), NULL when blank. */
static char *
trimmed(const char *q)
{
    size_t a = 0, b;

    if (q == NULL)
        return NULL;
    b = strlen(q);
    while (a < b && (q[a] == ' ' || q[a] == '\t'))
        a++;
    while (b > a && (q[b - 1] == ' ' || q[b - 1] == '\t'))
        b--;
    return b > a ? xstrndup(q + a, b - a) : NULL;
}

/* True when a unit user may get t in a list filtered by q: a confidential caller's
 * ticket matches only through fields the unit sees. */
static bool
unit_may_list(const struct ticket_query *q, const char *text, const struct ticket *t)
{
    if (!t->caller.confidential)
        return true;
    if (!str_empty(q->caller_phone))
        return false;
    if (text == NULL)
        return true;
    return contains_ci(t->id, text) || contains_ci(t->title, text) ||
           contains_ci(t->description, text) || contains_ci(t->location, text);
}

/* State of the unit-filtered count scan. */
struct unit_count {
    const struct ticket_query *q;
    const char *text;
    int64_t n;
};

/* Count one ticket a unit user may get. */
static bool
count_one(const struct ticket *t, void *arg)
{
    struct unit_count *uc = arg;

    if (unit_may_list(uc->q, uc->text, t))
        uc->n++;
    return true;
}

/* True when a stored ticket document surely has no confidential caller, so it may be
 * served as it is to anyone who may see the ticket: the document is the codec's compact
 * output, where only the caller has this key and a string never holds an unescaped quote.
 * False when unsure (the caller must decode it). */
bool
hticket_doc_plain(const char *doc)
{
    return strstr(doc, "\"confidential\":false") != NULL &&
           strstr(doc, "\"confidential\":true") == NULL;
}

/* Decode a stored ticket document (id: its ticket, NULL when unknown); NULL + a 500 in rep
 * and a log line when it does not decode. */
struct ticket *
hticket_doc_decode(struct server *srv, const char *id, const char *doc, struct reply *rep)
{
    struct ticket *t = NULL;
    struct err e;
    cJSON *json;

    err_clear(&e);
    json = codec_parse(doc, strlen(doc), &e);
    if (json != NULL)
        t = codec_ticket_decode(json, &e);
    cJSON_Delete(json);
    if (t != NULL)
        return t;
    if (id != NULL) {
        log_msg(srv->log, "tickets", "the stored document of %s does not decode: %s", id,
                e.msg);
        reply_error(rep, 500, "internal_error", NULL,
                    "the stored ticket %s cannot be read; run `hotlined check`", id);
    } else {
        log_msg(srv->log, "tickets", "a stored ticket document does not decode: %s", e.msg);
        reply_error(rep, 500, "internal_error", NULL,
                    "a stored ticket cannot be read; run `hotlined check`");
    }
    return NULL;
}

/* Append the stored document doc to out as the signed-in user may see it (a unit user's
 * confidential caller masked); nothing when the user's filter may not match it. False +
 * 500 in rep when the document does not decode. */
static bool
add_doc(struct server *srv, const struct request *req, const struct ticket_query *q,
        const char *text, bool filtered, const char *doc, size_t len, struct strbuf *out,
        bool *first, struct reply *rep)
{
    cJSON *json;
    struct ticket *t;
    char *enc = NULL;
    bool ok = false;

    if (req->user.role != USER_UNIT || hticket_doc_plain(doc)) {
        if (!*first)
            strbuf_addc(out, ',');
        strbuf_add(out, doc, len);
        *first = false;
        return true;
    }
    t = hticket_doc_decode(srv, NULL, doc, rep);
    if (t == NULL)
        return false;
    if (!filtered || unit_may_list(q, text, t)) {
        enc = cJSON_PrintUnformatted(json = hticket_to_json(srv, req, t));
        cJSON_Delete(json);
        if (enc == NULL) {
            reply_error(rep, 500, "internal_error", NULL, "the reply could not be encoded");
            goto out;
        }
        if (!*first)
            strbuf_addc(out, ',');
        strbuf_adds(out, enc);
        *first = false;
    }
    ok = true;
out:
    free(enc);
    ticket_free(&t);
    return ok;
}

/* Run a ticket list for the signed-in user and answer the page: the stored documents as
 * they are, decoded only where a unit user's view differs (masking, filter). */
void
hticket_list_reply(struct server *srv, const struct request *req, struct reply *rep,
                   struct ticket_query *q)
{
    struct store *st = srv->store;
    struct ticket_page page;
    struct strbuf *body = &rep->body;
    struct err e;
    char *text = NULL;
    bool unit = req->user.role == USER_UNIT;
    bool filtered, first = true;
    size_t i, len, *lens = NULL;

    memset(&page, 0, sizeof page);
    err_clear(&e);
    if (unit) {
        if (str_empty(req->user.unit)) {
            reply_error(rep, 403, "forbidden_role", NULL,
                        "this unit user has no unit: ask an admin to fix the account");
            return;
        }
        q->unit = req->user.unit;
    }
    text = trimmed(q->q);
    filtered = unit && (!str_empty(q->caller_phone) || text != NULL);
    q->docs = true;
    if (st->ops->ticket_list(st, q, &page, &e) != HL_OK) {
        if (e.code == HL_EINVAL)
            reply_error(rep, 400, "invalid_parameter", str_empty(e.field) ? "cursor" : e.field,
                        "%s", e.msg);
        else
            hticket_reply_err(srv, rep, &e, NULL);
        goto out;
    }
    if (filtered && q->count) {
        struct unit_count uc = { q, text, 0 };

        if (st->ops->ticket_scan(st, q, count_one, &uc, &e) != HL_OK) {
            hticket_reply_err(srv, rep, &e, NULL);
            goto out;
        }
        page.total = uc.n;
    }
    strbuf_reset(body);             /* a failing add_doc answers the error instead */
    lens = xcalloc(page.n + 1, sizeof *lens);
    for (i = 0, len = 64; i < page.n; i++)
        len += (lens[i] = strlen(page.docs[i])) + 1;
    strbuf_reserve(body, len);      /* one allocation for the page (50 documents: 70 KB) */
    strbuf_adds(body, "{\"items\":[");
    for (i = 0; i < page.n; i++) {
        if (!add_doc(srv, req, q, text, filtered, page.docs[i], lens[i], body, &first, rep))
            goto out;
    }
    strbuf_adds(body, "],\"next_cursor\":");
    if (page.next_cursor != NULL)    /* hex digits (store_util_cursor_make) */
        strbuf_addf(body, "\"%s\"", page.next_cursor);
    else
        strbuf_adds(body, "null");
    if (q->count)
        strbuf_addf(body, ",\"total\":%lld", (long long)(page.total < 0 ? 0 : page.total));
    strbuf_addc(body, '}');
    rep->content_type = NULL;
    rep->status = 200;
out:
    free(lens);
    free(text);
    ticket_page_fini(&page);
}
