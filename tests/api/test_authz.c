/* test_authz: the authorization matrix over every endpoint of docs/openapi.yaml × every kind
 * of caller (no token, expired token, agent, unit of the right unit, unit of another unit,
 * supervisor, admin) in ONE table; logout and `hotlined user passwd` revoke tokens; the
 * audit names who read a confidential ticket.
 *
 * Built like test_tickets.c: the server runs on its test clock (HOTLINED_FAKE_NOW)
 * Tuesday 2026-11-24 10:00 Asia/Shanghai; accounts and units are seeded with the CLI;
 * an expired session is written straight into the store. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hotline/calendar.h"
#include "hotline/codec.h"
#include "hotline/datetime.h"
#include "hotline/rules.h"
#include "hotline/tz.h"
#include "hotline/util.h"
#include "auth.h"
#include "feed.h"
#include "fixture.h"
#include "harness.h"
#include "server.h"
#include "store.h"
#include "workflow.h"

/* The password of every account. */
#define PW FIXTURE_PW

/* Seeded after the world's five accounts (fixture.c). */
static const struct fixture_user extra_users[] = {
    { "agent2", "李四", "agent", NULL },     /* for logout and passwd: not in the matrix */
};

/* The world of fixture.c. */
static struct fixture_world *W;

/* ---- setup ---- */

/* Group setup: the world of fixture.c, with agent2 for the logout and passwd tests. */
static int
setup(void **state)
{
    return fixture_world_setup(state, extra_users, ARRAY_SIZE(extra_users), &W);
}

/* ---- the matrix ---- */

/* What a cell needs made before its request (fresh per cell unless said "shared"). */
enum prep {
    P_NONE,
    P_SHARED_D,          /* shared ticket dispatched to water */
    P_SHARED_RET_ETAG,   /* shared ticket returned by water, If-Match of its version */
    P_RETURNED,          /* dispatched to water, returned by water */
    P_DISPATCHED,        /* dispatched to water a moment ago */
    P_IN_PROGRESS,       /* dispatched to water, accepted */
    P_EXT_PENDING,       /* in progress with an extension request pending */
    P_URGEABLE,          /* dispatched to water on Saturday (half the period gone) */
    P_REPLIED,           /* a help ticket replied by water: a callback is owed */
    P_CONSULT_REPLIED,   /* a consult replied by water: it may close */
    P_CLOSED,            /* a consult closed */
    P_KB_PUBLISHED,      /* shared published article */
    P_KB_ETAG,           /* shared article, If-Match of its version */
    P_KB_DRAFT,          /* a draft article */
    P_FRESH_TOKEN,       /* the role's user with a new session (DELETE /session revokes it) */
};

/* One row of the matrix: a request and what each kind of caller gets. */
struct authz_row {
    const char *method;
    const char *path;           /* "%s" is the ticket or article id */
    const char *body;           /* "CREATE": a fresh create body */
    const char *ctype;          /* Content-Type when not JSON (NULL: JSON when a body) */
    enum prep prep;
    long want[W_COUNT];         /* agent, unit, unit other, supervisor, admin, none, expired */
};

/* The expected status of every endpoint for every caller: ONE table, as docs/openapi.yaml
 * says (x-roles). Role refusals are 403 forbidden_role; a unit asking about a ticket not
 * dispatched to it gets 404 (it may not learn that the ticket exists); a dead token 401.
 * Each action runs on a ticket in a state where the action is possible, so the role is
 * what decides. Cells where the server disagrees with the spec are listed in
 * authz_disagreements below and asserted there as the server behaves NOW. */
static const struct authz_row authz_rows[] = {
#define J "application/json"
    /*                                                         agent unit other  sup admin none expired */
    { "GET", "/api/v1/health", NULL, NULL, P_NONE, { 200, 200, 200, 200, 200, 200, 200 } },
    { "GET", "/api/v1/meta", NULL, NULL, P_NONE, { 200, 200, 200, 200, 200, 401, 401 } },
    { "POST", "/api/v1/session", "{\"user\":\"agent2\",\"password\":\"" PW "\"}", NULL, P_NONE,
      { 200, 200, 200, 200, 200, 200, 200 } },
    { "GET", "/api/v1/session", NULL, NULL, P_NONE, { 200, 200, 200, 200, 200, 401, 401 } },
    { "DELETE", "/api/v1/session", NULL, NULL, P_FRESH_TOKEN,
      { 204, 204, 204, 204, 204, 401, 401 } },
    { "POST", "/api/v1/tickets", "CREATE", NULL, P_NONE, { 201, 403, 403, 201, 201, 401, 401 } },
    { "GET", "/api/v1/tickets?limit=5", NULL, NULL, P_NONE, { 200, 200, 200, 200, 200, 401, 401 } },
    { "GET", "/api/v1/tickets/%s", NULL, NULL, P_SHARED_D, { 200, 200, 404, 200, 200, 401, 401 } },
    { "PATCH", "/api/v1/tickets/%s", "{\"title\":\"改一下标题\"}", NULL, P_SHARED_RET_ETAG,
      { 200, 403, 403, 200, 200, 401, 401 } },
    { "POST", "/api/v1/tickets/%s/resolve_direct", "{\"answer\":\"已答复\",\"kb_refs\":[]}", NULL,
      P_RETURNED, { 200, 403, 404, 200, 200, 401, 401 } },
    { "POST", "/api/v1/tickets/%s/dispatch", "{\"units\":[{\"unit\":\"power\",\"role\":\"lead\"}]}",
      NULL, P_RETURNED, { 200, 403, 404, 200, 200, 401, 401 } },
    { "POST", "/api/v1/tickets/%s/accept", "{}", NULL, P_DISPATCHED,
      { 403, 200, 404, 403, 403, 401, 401 } },
    { "POST", "/api/v1/tickets/%s/return", "{\"reason\":\"不属于本单位职责\"}", NULL, P_DISPATCHED,
      { 403, 200, 404, 403, 403, 401, 401 } },
    { "POST", "/api/v1/tickets/%s/reply", "{\"reply\":\"已处理完毕\"}", NULL, P_IN_PROGRESS,
      { 403, 200, 404, 403, 403, 401, 401 } },
    { "POST", "/api/v1/tickets/%s/request_extension", "{\"days\":3,\"reason\":\"需协调\"}", NULL,
      P_IN_PROGRESS, { 403, 200, 404, 403, 403, 401, 401 } },
    { "POST", "/api/v1/tickets/%s/decide_extension", "{\"approve\":true,\"note\":\"同意\"}", NULL,
      P_EXT_PENDING, { 200, 403, 404, 200, 200, 401, 401 } },
    { "POST", "/api/v1/tickets/%s/urge", "{\"note\":\"请加快\"}", NULL, P_URGEABLE,
      { 200, 403, 404, 200, 200, 401, 401 } },
    { "POST", "/api/v1/tickets/%s/supervise", "{\"note\":\"重点督办\"}", NULL, P_DISPATCHED,
      { 403, 403, 404, 200, 200, 401, 401 } },
    { "POST", "/api/v1/tickets/%s/schedule_callback", "{\"at\":\"2026-11-24T15:00:00+08:00\"}",
      NULL, P_REPLIED, { 200, 403, 404, 200, 200, 401, 401 } },
    { "POST", "/api/v1/tickets/%s/callback",
      "{\"outcome\":\"reached\",\"satisfaction\":\"satisfied\"}", NULL, P_REPLIED,
      { 200, 403, 404, 200, 200, 401, 401 } },
    { "POST", "/api/v1/tickets/%s/close", "{\"note\":\"办结\"}", NULL, P_CONSULT_REPLIED,
      { 200, 403, 404, 200, 200, 401, 401 } },
    { "POST", "/api/v1/tickets/%s/reopen", "{\"reason\":\"市民不满意\"}", NULL, P_CLOSED,
      { 403, 403, 404, 200, 200, 401, 401 } },
    { "POST", "/api/v1/tickets/%s/archive", "{}", NULL, P_CLOSED,
      { 403, 403, 404, 200, 200, 401, 401 } },
    { "GET", "/api/v1/callers/13700000009/tickets", NULL, NULL, P_NONE,
      { 200, 200, 200, 200, 200, 401, 401 } },
    { "GET", "/api/v1/kb?q=%E4%BE%9B%E6%9A%96", NULL, NULL, P_NONE,
      { 200, 200, 200, 200, 200, 401, 401 } },
    { "GET", "/api/v1/kb/%s", NULL, NULL, P_KB_PUBLISHED, { 200, 200, 200, 200, 200, 401, 401 } },
    { "POST", "/api/v1/kb", "KB", NULL, P_NONE, { 403, 403, 403, 201, 201, 401, 401 } },
    { "PATCH", "/api/v1/kb/%s", "{\"tags\":[\"供暖\",\"停暖\",\"应急\"]}", NULL, P_KB_ETAG,
      { 403, 403, 403, 200, 200, 401, 401 } },
    { "POST", "/api/v1/kb/%s/publish", "{\"status\":\"review\"}", NULL, P_KB_DRAFT,
      { 403, 403, 403, 200, 200, 401, 401 } },
    { "GET", "/api/v1/callbacks", NULL, NULL, P_NONE, { 200, 403, 403, 200, 200, 401, 401 } },
    { "POST", "/api/v1/calls", "{\"call_id\":\"CALLID\",\"type\":\"new_call\","
      "\"caller\":\"13812345678\",\"queue\":\"12345\",\"at\":\"2026-11-24T09:14:20+08:00\"}", NULL,
      P_NONE, { 403, 403, 403, 403, 204, 401, 401 } },
    { "POST", "/api/v1/calls/import", "{\"call_id\":\"CALLID\",\"offered_at\":"
      "\"2026-11-22T10:00:00+08:00\",\"answered_at\":\"2026-11-22T10:00:05+08:00\","
      "\"ended_at\":\"2026-11-22T10:01:00+08:00\"}\n", "application/x-ndjson", P_NONE,
      { 403, 403, 403, 403, 200, 401, 401 } },
    { "GET", "/api/v1/stats?from=2026-11-01&to=2026-11-24&group=unit", NULL, NULL, P_NONE,
      { 403, 403, 403, 200, 200, 401, 401 } },
    { "GET", "/api/v1/feed?wait=0", NULL, NULL, P_NONE, { 200, 200, 200, 200, 200, 401, 401 } },
    { "GET", "/api/v1/audit", NULL, NULL, P_NONE, { 403, 403, 403, 200, 200, 401, 401 } },
#undef J
};

/* A cell where hotlined disagrees with docs/openapi.yaml: the matrix above keeps what the
 * spec says; the test asserts `now` (the current behaviour) for these cells only, so a fix
 * of the handler shows up here as a failure to update. Reported to the coordinator. */
struct authz_disagreement {
    const char *method;
    const char *path;           /* as in authz_rows */
    enum who who;
    long now;
    const char *why;
};

/* KNOWN DISAGREEMENTS between the handlers and the spec (empty: none found). */
static const struct authz_disagreement authz_disagreements[] = {
    { NULL, NULL, W_COUNT, 0, NULL },
};

/* The status the test asserts for a cell: the spec's, unless a known disagreement. */
static long
cell_want(const struct authz_row *row, enum who w)
{
    for (size_t i = 0; i < ARRAY_SIZE(authz_disagreements); i++) {
        const struct authz_disagreement *d = &authz_disagreements[i];

        if (d->method != NULL && d->who == w && strcmp(d->method, row->method) == 0
            && strcmp(d->path, row->path) == 0)
            return d->now;
    }
    return row->want[w];
}

/* The agent takes an action that must succeed (preparing a cell). */
static void
prep_act(enum who w, const char *id, const char *action, const char *body)
{
    fixture_act_ok(w, id, action, body, NULL);
}

/* A fresh ticket dispatched to water (a help, or a consult when consult). */
static void
dispatched_ticket(bool consult, char *id)
{
    fixture_create_ticket(consult ? "consult" : "help", NULL, id);
    prep_act(W_AGENT, id, "dispatch", "{\"units\":[{\"unit\":\"water\",\"role\":\"lead\"}]}");
}

/* A draft article made by the supervisor; its id into id. */
static void
kb_draft(char *id, size_t idsz)
{
    static const char draft[] =
        "{\"title\":\"社区集中供暖停暖应急处置口径\",\"kind\":\"业务知识\",\"scope\":\"local\","
        "\"region\":\"示例市\",\"category\":\"urban.env.heating\",\"tags\":[\"供暖\",\"停暖\"],"
        "\"body\":\"适用情形：小区突发停暖。\\n处置：登记地址与停暖时间，转供热单位办理。\","
        "\"valid_from\":\"2025-01-01\",\"valid_to\":null}";
    struct http_reply r;

    fixture_post_as(W_SUP, "/api/v1/kb", draft, &r);
    if (r.status != 201 || fixture_js(r.json, "id") == NULL)
        fail_msg("kb draft: %ld %s", r.status, r.body.buf);
    str_copy(id, idsz, fixture_js(r.json, "id"));
    http_reply_fini(&r);
}

/* Move an article to status to as the supervisor. */
static void
kb_publish(const char *id, const char *to)
{
    struct http_reply r;
    char path[128], body[64];

    snprintf(path, sizeof path, "/api/v1/kb/%s/publish", id);
    snprintf(body, sizeof body, "{\"status\":\"%s\"}", to);
    fixture_post_as(W_SUP, path, body, &r);
    if (r.status != 200)
        fail_msg("kb publish %s %s: %ld %s", id, to, r.status, r.body.buf);
    http_reply_fini(&r);
}

/* The current version of a ticket (tickets) or an article (kb) as the supervisor. */
static long
version_of(const char *kind, const char *id)
{
    struct http_reply r;
    char path[160];
    long v;

    snprintf(path, sizeof path, "/api/v1/%s/%s", kind, id);
    fixture_get_as(W_SUP, path, &r);
    if (r.status != 200)
        fail_msg("GET %s: %ld %s", path, r.status, r.body.buf);
    v = fixture_jint(r.json, "version");
    http_reply_fini(&r);
    return v;
}

/* Every endpoint × every caller, against authz_rows. */
static void
test_authz_matrix(void **state)
{
    char shared_d[32], shared_ret[32], kb_pub[64], kb_etag[64];
    size_t i, cells = 0, disagreements = 0;
    int w, calls = 0;
    hl_time sat = fixture_local(2026, 11, 21, 10, 0);

    (void)state;
    dispatched_ticket(false, shared_d);
    dispatched_ticket(false, shared_ret);
    prep_act(W_UNIT, shared_ret, "return", "{\"reason\":\"不属于本单位职责\"}");
    kb_draft(kb_pub, sizeof kb_pub);
    kb_publish(kb_pub, "review");
    kb_publish(kb_pub, "published");
    kb_draft(kb_etag, sizeof kb_etag);

    for (i = 0; i < ARRAY_SIZE(authz_rows); i++) {
        const struct authz_row *row = &authz_rows[i];

        for (w = 0; w < W_COUNT; w++) {
            const char *extra[4] = { NULL, NULL, NULL, NULL };
            char id[64] = "", path[200], hdr_match[64], hdr_ctype[80], hdr_auth[160];
            char *body = NULL, phone[32];
            const char *pct;
            struct http_reply r;
            long want = cell_want(row, (enum who)w);
            size_t ne = 0;
            char saved_tok[AUTH_TOKEN_LEN + 1];
            bool swapped = false;

            switch (row->prep) {
            case P_NONE:
                break;
            case P_SHARED_D:
                str_copy(id, sizeof id, shared_d);
                break;
            case P_SHARED_RET_ETAG:
                str_copy(id, sizeof id, shared_ret);
                snprintf(hdr_match, sizeof hdr_match, "If-Match: \"%ld\"",
                         version_of("tickets", id));
                extra[ne++] = hdr_match;
                break;
            case P_RETURNED:
                dispatched_ticket(false, id);
                prep_act(W_UNIT, id, "return", "{\"reason\":\"不属于本单位职责\"}");
                break;
            case P_DISPATCHED:
                dispatched_ticket(false, id);
                break;
            case P_IN_PROGRESS:
                dispatched_ticket(false, id);
                prep_act(W_UNIT, id, "accept", "{}");
                break;
            case P_EXT_PENDING:
                dispatched_ticket(false, id);
                prep_act(W_UNIT, id, "accept", "{}");
                prep_act(W_UNIT, id, "request_extension", "{\"days\":3,\"reason\":\"需协调\"}");
                break;
            case P_URGEABLE:
                fixture_seed_ticket("help", NULL, sat, "{\"units\":[{\"unit\":\"water\",\"role\":\"lead\"}]}",
                                    sat, id);
                break;
            case P_REPLIED:
            case P_CONSULT_REPLIED:
            case P_CLOSED:
                dispatched_ticket(row->prep != P_REPLIED, id);
                prep_act(W_UNIT, id, "accept", "{}");
                prep_act(W_UNIT, id, "reply", "{\"reply\":\"已处理完毕\"}");
                if (row->prep == P_CLOSED)
                    prep_act(W_AGENT, id, "close", "{\"note\":\"办结\"}");
                break;
            case P_KB_PUBLISHED:
                str_copy(id, sizeof id, kb_pub);
                break;
            case P_KB_ETAG:
                str_copy(id, sizeof id, kb_etag);
                snprintf(hdr_match, sizeof hdr_match, "If-Match: \"%ld\"", version_of("kb", id));
                extra[ne++] = hdr_match;
                break;
            case P_KB_DRAFT:
                kb_draft(id, sizeof id);
                break;
            case P_FRESH_TOKEN:
                if (w != W_NONE && w != W_EXPIRED) {
                    const char *user = w == W_AGENT ? "agent1" : w == W_UNIT ? "u_water"
                                       : w == W_UNIT_OTHER ? "u_gas" : w == W_SUP ? "sup1"
                                       : "admin1";

                    str_copy(saved_tok, sizeof saved_tok, W->tok[w]);
                    fixture_store_session(user, W->now, W->now + 3600, W->tok[w], sizeof W->tok[w]);
                    swapped = true;
                }
                break;
            }
            pct = strstr(row->path, "%s");
            if (pct == NULL)
                str_copy(path, sizeof path, row->path);
            else
                snprintf(path, sizeof path, "%.*s%s%s", (int)(pct - row->path), row->path, id,
                         pct + 2);
            if (row->body != NULL && strcmp(row->body, "CREATE") == 0) {
                fixture_next_phone(phone, sizeof phone);
                body = fixture_create_body("help", phone, NULL);
            } else if (row->body != NULL && strcmp(row->body, "KB") == 0) {
                body = xasprintf("{\"title\":\"矩阵测试条目%zu-%d\",\"kind\":\"业务知识\","
                                 "\"scope\":\"local\",\"region\":\"示例市\","
                                 "\"category\":\"urban.env.heating\",\"tags\":[],"
                                 "\"body\":\"正文\",\"valid_from\":\"2025-01-01\","
                                 "\"valid_to\":null}", i, w);
            } else if (row->body != NULL && strstr(row->body, "CALLID") != NULL) {
                const char *at = strstr(row->body, "CALLID");

                body = xasprintf("%.*sm-%zu-%d-%d%s", (int)(at - row->body), row->body, i, w,
                                 ++calls, at + 6);
            } else if (row->body != NULL) {
                body = xasprintf("%s", row->body);
            }
            if (row->ctype != NULL) {
                /* req_as adds the JSON type after extra; a second type would be wrong, so
                 * send this one ourselves */
                const char *headers[6];
                size_t n = 0;

                if (w != W_NONE) {
                    snprintf(hdr_auth, sizeof hdr_auth, "Authorization: Bearer %s", W->tok[w]);
                    headers[n++] = hdr_auth;
                }
                snprintf(hdr_ctype, sizeof hdr_ctype, "Content-Type: %s", row->ctype);
                headers[n++] = hdr_ctype;
                headers[n] = NULL;
                http_request(W->h, row->method, path, headers, body, strlen(body), &r);
            } else {
                fixture_req_as((enum who)w, row->method, path, body, 0, extra, &r);
            }
            if (r.status != want)
                fail_msg("%s %s as %s: expected %ld, got %ld %s", row->method, path, fixture_who_name[w],
                         want, r.status, r.body.buf != NULL ? r.body.buf : r.error);
            if (r.status == 401)
                fixture_expect_error(&r, 401, AUTH_CODE_UNAUTHORIZED);
            else if (r.status == 403)
                fixture_expect_error(&r, 403, NULL);
            else if (r.status == 404)
                fixture_expect_error(&r, 404, NULL);
            if (w == W_UNIT_OTHER && r.status == 200 && r.body.buf != NULL)
                assert_null(strstr(r.body.buf, shared_d));   /* never listed for another unit */
            if (want != row->want[w])
                disagreements++;
            cells++;
            http_reply_fini(&r);
            free(body);
            if (swapped) {
                /* the fresh token was revoked by DELETE: it must be dead now */
                fixture_get_as((enum who)w, "/api/v1/meta", &r);
                assert_int_equal(r.status, 401);
                http_reply_fini(&r);
                str_copy(W->tok[w], sizeof W->tok[w], saved_tok);
            }
        }
    }
    print_message("authz matrix: %zu rows x %d callers = %zu cells, %zu known disagreements\n",
                  ARRAY_SIZE(authz_rows), W_COUNT, cells, disagreements);
}

/* ---- revocation and audit ---- */

/* Log out: the token is dead at once; other sessions of the user live on. */
static void
test_logout_revokes(void **state)
{
    char a[AUTH_TOKEN_LEN + 1], b[AUTH_TOKEN_LEN + 1], saved[AUTH_TOKEN_LEN + 1];
    struct http_reply r;

    (void)state;
    str_copy(saved, sizeof saved, W->tok[W_AGENT]);
    fixture_login("agent2", a, sizeof a);
    fixture_login("agent2", b, sizeof b);
    str_copy(W->tok[W_AGENT], sizeof W->tok[W_AGENT], a);
    fixture_get_as(W_AGENT, "/api/v1/meta", &r);
    assert_int_equal(r.status, 200);
    http_reply_fini(&r);
    fixture_req_as(W_AGENT, "DELETE", "/api/v1/session", NULL, 0, NULL, &r);
    assert_int_equal(r.status, 204);
    http_reply_fini(&r);
    fixture_get_as(W_AGENT, "/api/v1/tickets?limit=1", &r);
    fixture_expect_error(&r, 401, AUTH_CODE_UNAUTHORIZED);
    http_reply_fini(&r);
    fixture_req_as(W_AGENT, "DELETE", "/api/v1/session", NULL, 0, NULL, &r);
    fixture_expect_error(&r, 401, AUTH_CODE_UNAUTHORIZED);
    http_reply_fini(&r);
    str_copy(W->tok[W_AGENT], sizeof W->tok[W_AGENT], b);
    fixture_get_as(W_AGENT, "/api/v1/meta", &r);
    assert_int_equal(r.status, 200);
    http_reply_fini(&r);
    str_copy(W->tok[W_AGENT], sizeof W->tok[W_AGENT], saved);
}

/* `hotlined user passwd`: every old token of the user is dead; the new password works,
 * the old one does not. */
static void
test_passwd_revokes(void **state)
{
    const char *args[] = { "--db", W->h->db, "user", "passwd", "agent2", NULL };
    char a[AUTH_TOKEN_LEN + 1], saved[AUTH_TOKEN_LEN + 1];
    struct http_reply r;

    (void)state;
    str_copy(saved, sizeof saved, W->tok[W_AGENT]);
    fixture_login("agent2", a, sizeof a);
    str_copy(W->tok[W_AGENT], sizeof W->tok[W_AGENT], a);
    fixture_get_as(W_AGENT, "/api/v1/meta", &r);
    assert_int_equal(r.status, 200);
    http_reply_fini(&r);
    assert_int_equal(fixture_run_with_input(args, "brand-new-pass-9\nbrand-new-pass-9\n"), 0);
    fixture_get_as(W_AGENT, "/api/v1/meta", &r);
    fixture_expect_error(&r, 401, AUTH_CODE_UNAUTHORIZED);
    http_reply_fini(&r);
    http_post(W->h, "/api/v1/session", "{\"user\":\"agent2\",\"password\":\"" PW "\"}", &r);
    fixture_expect_error(&r, 401, AUTH_CODE_BAD_CREDENTIALS);
    http_reply_fini(&r);
    http_post(W->h, "/api/v1/session",
              "{\"user\":\"agent2\",\"password\":\"brand-new-pass-9\"}", &r);
    assert_int_equal(r.status, 200);
    str_copy(W->tok[W_AGENT], sizeof W->tok[W_AGENT], fixture_js(r.json, "token"));
    http_reply_fini(&r);
    fixture_get_as(W_AGENT, "/api/v1/meta", &r);
    assert_int_equal(r.status, 200);
    http_reply_fini(&r);
    str_copy(W->tok[W_AGENT], sizeof W->tok[W_AGENT], saved);
}

/* An agent reads a confidential ticket: GET /audit?ticket= shows a read_confidential row
 * with that agent; agents may not read the audit themselves. */
static void
test_audit_confidential_read(void **state)
{
    struct http_reply r;
    const cJSON *it;
    char id[32], path[200], phone[32];
    int reads = 0;

    (void)state;
    fixture_create_confidential(W_SUP, phone, sizeof phone, id);
    snprintf(path, sizeof path, "/api/v1/tickets/%s", id);
    fixture_get_as(W_AGENT, path, &r);
    assert_int_equal(r.status, 200);
    fixture_expect_str(cJSON_GetObjectItemCaseSensitive(r.json, "caller"), "name", "保密人");
    http_reply_fini(&r);
    snprintf(path, sizeof path, "/api/v1/audit?ticket=%s", id);
    fixture_get_as(W_AGENT, path, &r);
    fixture_expect_error(&r, 403, NULL);
    http_reply_fini(&r);
    fixture_get_as(W_ADMIN, path, &r);
    assert_int_equal(r.status, 200);
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(r.json, "items")) {
        fixture_expect_str(it, "ticket_id", id);
        if (strcmp(fixture_js(it, "what"), "read_confidential") == 0
            && strcmp(fixture_js(it, "user_id"), "agent1") == 0)
            reads++;
    }
    assert_true(reads >= 1);
    http_reply_fini(&r);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_authz_matrix),
        cmocka_unit_test(test_logout_revokes),
        cmocka_unit_test(test_passwd_revokes),
        cmocka_unit_test(test_audit_confidential_read),
    };

    curl_global_init(CURL_GLOBAL_DEFAULT);
    return cmocka_run_group_tests(tests, setup, fixture_world_teardown);
}
