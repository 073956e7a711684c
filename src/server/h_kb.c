/* h_kb: the knowledge base: GET/POST /api/v1/kb, GET/PATCH /api/v1/kb/{id} and
 * POST /api/v1/kb/{id}/publish (draft -> review -> published). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "hotline/codec.h"
#include "hotline/text.h"
#include "hotline/util.h"
#include "handlers.h"
#include "log.h"
#include "server.h"
#include "store.h"

/* Bounds of the query parameters of GET /kb (openapi.yaml). */
#define Q_MAX_CHARS      100
#define CODE_MAX         100
#define CURSOR_MAX       4096
#define LIMIT_DEFAULT    50
#define LIMIT_MAX        100

/* True when the user may see every article, drafts included, and write them. */
static bool
is_editor(const struct request *req)
{
    return req->user.role == USER_SUPERVISOR || req->user.role == USER_ADMIN;
}

/* Refuse a user who may not edit the knowledge base; true when refused. */
static bool
refuse_non_editor(const struct request *req, struct reply *rep)
{
    if (is_editor(req))
        return false;
    reply_error(rep, 403, "forbidden_role", NULL,
                "A%s %s user may not change the knowledge base: it is for supervisors and admins.",
                req->user.role == USER_AGENT || req->user.role == USER_ADMIN ? "n" : "",
                user_role_str(req->user.role));
    return true;
}

/* Today's local date in the centre's zone as a day number. */
static int64_t
today(const struct server *srv)
{
    struct civil_time c;

    tz_to_civil(srv->tz, server_now(srv), &c);
    return datetime_days_from_civil(c.year, c.month, c.day);
}

/* True when an article is published and valid on day. */
static bool
visible_on(const struct article *a, int64_t day)
{
    return a->status == KB_PUBLISHED && a->valid_from <= day && day <= a->valid_to;
}

/* Answer a store failure: 404 for a missing article, 500 otherwise. */
static void
reply_store_error(struct reply *rep, const struct err *e, const char *id)
{
    if (e->code == HL_ENOENT)
        reply_error(rep, 404, "not_found", NULL, "no article %s", id != NULL ? id : "");
    else if (e->code == HL_EINVAL)
        reply_error(rep, 400, "invalid_parameter", e->field[0] != '\0' ? e->field : NULL, "%s",
                    e->msg);
    else
        reply_error(rep, 500, "io", NULL, "%s", e->msg[0] != '\0' ? e->msg : "the database failed");
}

/* Parse the body strictly (duplicate keys, depth, trailing data); NULL with rep filled. */
static cJSON *
parse_body(const struct request *req, struct reply *rep)
{
    struct err e;
    cJSON *root;

    if (req->body.buf == NULL || req->body.len == 0) {
        reply_error(rep, 400, "malformed_json", NULL,
                    "the request body is empty: send a JSON document");
        return NULL;
    }
    err_clear(&e);
    root = codec_parse(req->body.buf, req->body.len, &e);
    if (root == NULL)
        reply_error(rep, 400, "malformed_json", NULL, "%s", e.msg);
    return root;
}

/* Answer 422 invalid from a decoder's error. */
static void
reply_invalid(struct reply *rep, const struct err *e)
{
    reply_error(rep, 422, "invalid", e->field[0] != '\0' ? e->field : NULL, "%s", e->msg);
}

/* Answer one article with its ETag (status 200 or 201). */
static void
reply_article(const struct server *srv, struct reply *rep, int status, const struct article *a)
{
    reply_json(rep, status, codec_article_to_json(a, srv->tz));
    reply_set_etag(rep, a->version);
}

/* Parse an If-Match value "\"<version>\"" (also W/"<n>"); false when malformed. */
static bool
parse_if_match(const char *s, int64_t *version)
{
    char digits[24];
    size_t n;
    long v;

    if (strncmp(s, "W/", 2) == 0)
        s += 2;
    n = strlen(s);
    if (n < 3 || n - 2 >= sizeof digits || s[0] != '"' || s[n - 1] != '"')
        return false;
    memcpy(digits, s + 1, n - 2);
    digits[n - 2] = '\0';
    if (digits[0] < '0' || digits[0] > '9' || !str_to_long(digits, 0, INT64_MAX, &v))
        return false;
    *version = v;
    return true;
}

/* Check If-Match against the article's version: 0 when it may go on; otherwise rep holds
 * 428 (missing and required), 400 (malformed) or 412 (stale, with "current"). */
static int
check_if_match(const struct server *srv, const struct request *req, struct reply *rep,
               const struct article *cur, bool required)
{
    const char *h = req->headers.if_match;
    int64_t v = 0;
    cJSON *root;
    cJSON *err;

    if (h == NULL) {
        if (!required)
            return 0;
        reply_error(rep, 428, "precondition_required", "If-Match",
                    "send If-Match: \"<version>\" with the ETag of the version you edited");
        return -1;
    }
    if (strcmp(h, "*") == 0)
        return 0;
    if (!parse_if_match(h, &v)) {
        reply_error(rep, 400, "invalid_header", "If-Match",
                    "If-Match must be the ETag of the article, a version in double quotes "
                    "such as \"3\"");
        return -1;
    }
    if (v == cur->version)
        return 0;
    root = codec_error_to_json("version_mismatch", "", "If-Match");
    err = cJSON_GetObjectItemCaseSensitive(root, "error");
    {
        char msg[160];

        snprintf(msg, sizeof msg,
                 "the article is at version %" PRId64 ", not %" PRId64
                 "; reload it and apply the change again", cur->version, v);
        cJSON_ReplaceItemInObjectCaseSensitive(err, "message", cJSON_CreateString(msg));
    }
    cJSON_AddItemToObject(err, "current", codec_article_to_json(cur, srv->tz));
    reply_json(rep, 412, root);
    reply_set_etag(rep, cur->version);
    return -1;
}

/* Read the query of GET /kb into q; false with rep filled (400) on a bad parameter. */
static bool
parse_search(const struct server *srv, const struct request *req, struct reply *rep,
             struct article_query *q)
{
    const char *s;
    enum kb_kind kind;
    enum kb_scope scope;
    long limit;
    size_t i;

    memset(q, 0, sizeof *q);
    q->kind = -1;
    q->scope = -1;
    q->limit = LIMIT_DEFAULT;
    s = request_query(req, "q");
    if (s != NULL) {
        size_t n = text_chars(s);

        if (n > Q_MAX_CHARS) {
            reply_error(rep, 400, "invalid_parameter", "q",
                        "q is %zu characters long; search for at most %d", n, Q_MAX_CHARS);
            return false;
        }
        for (i = 0; s[i] != '\0'; i++) {
            unsigned char c = (unsigned char)s[i];

            if (c < 0x20 || c == 0x7f) {
                reply_error(rep, 400, "invalid_parameter", "q",
                            "q must be one line of text without control characters");
                return false;
            }
        }
        q->q = s;      /* blank: the store lists without a query */
    }
    s = request_query(req, "kind");
    if (s != NULL) {
        if (!kb_kind_parse(s, &kind)) {
            reply_error(rep, 400, "invalid_parameter", "kind",
                        "kind '%s' is unknown: use knowledge, guide, case, spec or notice", s);
            return false;
        }
        q->kind = (int)kind;
    }
    s = request_query(req, "scope");
    if (s != NULL) {
        if (!kb_scope_parse(s, &scope)) {
            reply_error(rep, 400, "invalid_parameter", "scope",
                        "scope '%s' is unknown: use national or local", s);
            return false;
        }
        q->scope = (int)scope;
    }
    s = request_query(req, "category");
    if (s != NULL) {
        size_t n = strlen(s);
        bool ok = n >= 1 && n <= CODE_MAX;

        for (i = 0; ok && i < n; i++) {
            char c = s[i];

            ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '_' || c == '.' || c == '-';
        }
        if (!ok) {
            reply_error(rep, 400, "invalid_parameter", "category",
                        "category must be a category code such as urban.env.water_supply, "
                        "or a prefix ending in '.' such as urban.env.");
            return false;
        }
        q->category = s;
    }
    s = request_query(req, "region");
    if (s != NULL) {
        if (text_chars(s) > MODEL_MAX_SHORT) {
            reply_error(rep, 400, "invalid_parameter", "region",
                        "region must be at most %d characters", MODEL_MAX_SHORT);
            return false;
        }
        q->region = s;
    }
    s = request_query(req, "limit");
    if (s != NULL) {
        if (s[0] < '0' || s[0] > '9' || !str_to_long(s, 1, LIMIT_MAX, &limit)) {
            reply_error(rep, 400, "invalid_parameter", "limit",
                        "limit must be a whole number from 1 to %d", LIMIT_MAX);
            return false;
        }
        q->limit = (int)limit;
    }
    s = request_query(req, "cursor");
    if (s != NULL) {
        if (strlen(s) > CURSOR_MAX) {
            reply_error(rep, 400, "invalid_parameter", "cursor",
                        "cursor is not one this server gave: start from the first page");
            return false;
        }
        q->cursor = s;
    }
    if (!is_editor(req)) {
        q->published_only = true;
        q->today = today(srv);
    }
    return true;
}

/* GET /api/v1/kb: ranked search; agents and units see published articles valid today. */
void
h_kb_search(struct server *srv, struct request *req, struct reply *rep)
{
    struct article_query q;
    struct article_page page;
    struct err e;
    cJSON *root;
    cJSON *items;
    size_t i;

    if (!parse_search(srv, req, rep, &q))
        return;
    err_clear(&e);
    if (srv->store->ops->article_search(srv->store, &q, &page, &e) != HL_OK) {
        if (e.code == HL_EINVAL)
            reply_error(rep, 400, "invalid_parameter", "cursor", "%s", e.msg);
        else
            reply_store_error(rep, &e, NULL);
        return;
    }
    root = cJSON_CreateObject();
    items = cJSON_AddArrayToObject(root, "items");
    for (i = 0; i < page.n; i++) {
        cJSON *a = codec_article_to_json(&page.items[i], srv->tz);

        /* the snippet says why it matched; the body comes with GET /kb/{id} */
        cJSON_ReplaceItemInObjectCaseSensitive(a, "body", cJSON_CreateNull());
        cJSON_AddItemToArray(items, a);
    }
    if (page.next_cursor != NULL)
        cJSON_AddStringToObject(root, "next_cursor", page.next_cursor);
    else
        cJSON_AddNullToObject(root, "next_cursor");
    article_page_fini(&page);
    reply_json(rep, 200, root);
}

/* Load the article named by the path; NULL with rep filled (404 also for an article the
 * user may not see). */
static struct article *
load_article(struct server *srv, const struct request *req, struct reply *rep)
{
    const char *id = request_param(req, "id");
    struct article *a = NULL;
    struct err e;

    err_clear(&e);
    if (id == NULL || srv->store->ops->article_get(srv->store, id, &a, &e) != HL_OK) {
        if (e.code == HL_OK || e.code == HL_ENOENT || e.code == HL_EINVAL)
            reply_error(rep, 404, "not_found", NULL, "no article %s", id != NULL ? id : "");
        else
            reply_store_error(rep, &e, id);
        return NULL;
    }
    if (!is_editor(req) && !visible_on(a, today(srv))) {
        reply_error(rep, 404, "not_found", NULL, "no article %s", id);
        article_free(&a);
        return NULL;
    }
    return a;
}

/* GET /api/v1/kb/{id}: one article with its ETag. */
void
h_kb_get(struct server *srv, struct request *req, struct reply *rep)
{
    struct article *a = load_article(srv, req, rep);

    if (a == NULL)
        return;
    reply_article(srv, rep, 200, a);
    article_free(&a);
}

/* Save a (changed) article and answer it with status; false with rep filled on failure. */
static void
save_and_reply(struct server *srv, struct reply *rep, const struct article *a, int status)
{
    struct article *saved = NULL;
    struct err e;

    err_clear(&e);
    if (srv->store->ops->article_put(srv->store, a, &saved, &e) != HL_OK) {
        reply_store_error(rep, &e, a->id);
        return;
    }
    reply_article(srv, rep, status, saved);
    if (status == 201) {
        char *loc = xasprintf("/api/v1/kb/%s", saved->id);

        reply_set_location(rep, loc);
        free(loc);
    }
    article_free(&saved);
}

/* POST /api/v1/kb: a new draft article (supervisor, admin); 201 with Location. */
void
h_kb_create(struct server *srv, struct request *req, struct reply *rep)
{
    struct article *a = NULL;
    struct article *old = NULL;
    cJSON *root;
    const cJSON *vf;
    struct err e;
    bool from_given;

    if (refuse_non_editor(req, rep))
        return;
    root = parse_body(req, rep);
    if (root == NULL)
        return;
    err_clear(&e);
    a = codec_article_input_decode(root, &e);
    vf = cJSON_GetObjectItemCaseSensitive(root, "valid_from");
    from_given = vf != NULL && !cJSON_IsNull(vf);
    cJSON_Delete(root);
    if (a == NULL) {
        reply_invalid(rep, &e);
        return;
    }
    if (!from_given) {
        /* valid from today unless said otherwise */
        a->valid_from = today(srv);
        if (a->valid_to < a->valid_from) {
            reply_error(rep, 422, "invalid", "valid_to",
                        "valid_to: is before valid_from (today when not given)");
            goto out;
        }
    }
    a->status = KB_DRAFT;
    a->created_at = server_now(srv);
    a->updated_at = a->created_at;
    if (!str_empty(a->id)) {
        int rc = srv->store->ops->article_get(srv->store, a->id, &old, &e);

        if (rc == HL_OK) {
            reply_error(rep, 409, "already_exists", "id",
                        "an article %s exists already: edit it with PATCH /api/v1/kb/%s, or "
                        "leave id out to get a new one", a->id, a->id);
            goto out;
        }
        if (rc != HL_ENOENT) {
            reply_store_error(rep, &e, a->id);
            goto out;
        }
    }
    save_and_reply(srv, rep, a, 201);
out:
    article_free(&old);
    article_free(&a);
}

/* PATCH /api/v1/kb/{id}: change fields of an article (supervisor, admin; If-Match). */
void
h_kb_patch(struct server *srv, struct request *req, struct reply *rep)
{
    struct article *a = NULL;
    cJSON *root = NULL;
    struct err e;

    if (refuse_non_editor(req, rep))
        return;
    a = load_article(srv, req, rep);
    if (a == NULL)
        return;
    if (check_if_match(srv, req, rep, a, true) != 0)
        goto out;
    root = parse_body(req, rep);
    if (root == NULL)
        goto out;
    err_clear(&e);
    if (codec_article_patch_apply(root, a, &e) != HL_OK) {
        reply_invalid(rep, &e);
        goto out;
    }
    a->updated_at = server_now(srv);
    save_and_reply(srv, rep, a, 200);
out:
    cJSON_Delete(root);
    article_free(&a);
}

/* True when the publish flow allows from -> to: draft -> review -> published, and back
 * to draft from review (sent back) or published (withdrawn). */
static bool
move_allowed(enum kb_status from, enum kb_status to)
{
    return (from == KB_DRAFT && to == KB_REVIEW) || (from == KB_REVIEW && to == KB_PUBLISHED) ||
           (from == KB_REVIEW && to == KB_DRAFT) || (from == KB_PUBLISHED && to == KB_DRAFT);
}

/* Why a move is refused, for people. */
static const char *
refusal(enum kb_status from, enum kb_status to)
{
    if (from == to)
        return "the article has this status already";
    if (from == KB_DRAFT && to == KB_PUBLISHED)
        return "a draft goes to review before it is published";
    if (from == KB_PUBLISHED && to == KB_REVIEW)
        return "a published article is withdrawn to draft first, then reviewed again";
    return "this move is not part of draft -> review -> published";
}

/* Decode {"status": draft|review|published}; false with e filled. */
static bool
decode_publish(const cJSON *root, enum kb_status *out, struct err *e)
{
    const cJSON *item;
    const cJSON *st;

    if (!cJSON_IsObject(root)) {
        err_set(e, HL_EINVAL, "", "expected an object {\"status\": \"review\"}");
        return false;
    }
    cJSON_ArrayForEach(item, root) {
        if (strcmp(item->string, "status") != 0) {
            err_set(e, HL_EINVAL, item->string, "%s: unknown field (the body is {\"status\"})",
                    item->string);
            return false;
        }
    }
    st = cJSON_GetObjectItemCaseSensitive(root, "status");
    if (st == NULL || cJSON_IsNull(st)) {
        err_set(e, HL_EINVAL, "status", "status: missing; send draft, review or published");
        return false;
    }
    if (!cJSON_IsString(st) || !kb_status_parse(st->valuestring, out)) {
        err_set(e, HL_EINVAL, "status", "status: expected draft, review or published");
        return false;
    }
    return true;
}

/* POST /api/v1/kb/{id}/publish: move an article along the flow; a publish appends a
 * kb.published feed event (supervisor, admin; optional If-Match). */
void
h_kb_publish(struct server *srv, struct request *req, struct reply *rep)
{
    struct article *a = NULL;
    struct article *saved = NULL;
    struct feed_event ev;
    char type[] = "kb.published";
    enum kb_status to;
    cJSON *root = NULL;
    struct err e;
    int64_t seq = 0;

    if (refuse_non_editor(req, rep))
        return;
    a = load_article(srv, req, rep);
    if (a == NULL)
        return;
    if (check_if_match(srv, req, rep, a, false) != 0)
        goto out;
    root = parse_body(req, rep);
    if (root == NULL)
        goto out;
    err_clear(&e);
    if (!decode_publish(root, &to, &e)) {
        reply_invalid(rep, &e);
        goto out;
    }
    if (!move_allowed(a->status, to)) {
        reply_error(rep, 409, "invalid_state", "status", "%s (%s -> %s)",
                    refusal(a->status, to), kb_status_str(a->status), kb_status_str(to));
        goto out;
    }
    a->status = to;
    a->updated_at = server_now(srv);
    if (srv->store->ops->article_put(srv->store, a, &saved, &e) != HL_OK) {
        reply_store_error(rep, &e, a->id);
        goto out;
    }
    if (to == KB_PUBLISHED) {
        memset(&ev, 0, sizeof ev);
        ev.type = type;
        ev.at = saved->updated_at;
        /* the article is saved either way; a lost feed row only delays cache refreshes */
        if (srv->store->ops->feed_add(srv->store, &ev, &seq, &e) == HL_OK)
            server_publish(srv, seq);
        else
            log_msg(srv->log, "kb", "%s published, but its feed event failed: %s", saved->id,
                    e.msg);
    }
    reply_article(srv, rep, 200, saved);
out:
    cJSON_Delete(root);
    article_free(&saved);
    article_free(&a);
}
