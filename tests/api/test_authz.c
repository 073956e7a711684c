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
#include "harness.h"
#include "server.h"
#include "store.h"
#include "workflow.h"

/* The password of every account. */
#define PW "correct-horse-7"
/* The server's test clock: a Tuesday morning. */
#define T0_TEXT "2026-11-24T10:00:00+08:00"
/* The late-night clock of the last test: New Year's Eve, in the quiet hours. */
#define NIGHT_TEXT "2026-12-31T22:30:00+08:00"

/* Who sends a request. */
enum who { W_AGENT, W_UNIT, W_UNIT_OTHER, W_SUP, W_ADMIN, W_NONE, W_EXPIRED, W_COUNT };

static const char *const who_name[W_COUNT] = {
    "agent", "unit (right unit)", "unit (other unit)", "supervisor", "admin", "no token",
    "expired token",
};

/* The accounts, seeded through `hotlined user add` (password on stdin). */
static const struct {
    const char *id, *name, *role, *unit;
} accounts[] = {
    { "agent1", "张三", "agent", NULL },
    { "u_water", "水务接单员", "unit", "water" },
    { "u_gas", "燃气接单员", "unit", "gas" },
    { "sup1", "王班长", "supervisor", NULL },
    { "admin1", "管理员", "admin", NULL },
    { "agent2", "李四", "agent", NULL },     /* for logout and passwd: not in the matrix */
};

/* Everything the tests share. */
struct world {
    struct harness *h;
    struct tz *tz;
    struct calendar *cal;
    struct rules *rules;
    struct wf_ctx wf;
    struct store *st;               /* the server's database, opened by the test too */
    hl_time t0;
    hl_time now;                    /* the server's clock when it started */
    char tok[W_COUNT][AUTH_TOKEN_LEN + 1];
    int phone_seq;                  /* for distinct caller numbers */
};

static struct world *W;

/* ---- helpers: processes, tokens, requests ---- */

/* Run hotlined with args and text on its standard input; return its exit status. */
static int
run_with_input(const char *const *args, const char *input)
{
    const char *argv[16];
    int in[2], status = -1, n = 0, devnull;
    pid_t pid;

    argv[n++] = W->h->exe;
    while (args[n - 1] != NULL && n < 15) {
        argv[n] = args[n - 1];
        n++;
    }
    argv[n] = NULL;
    if (pipe(in) != 0)
        fail_msg("pipe: %s", strerror(errno));
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid < 0)
        fail_msg("fork: %s", strerror(errno));
    if (pid == 0) {
        dup2(in[0], STDIN_FILENO);
        close(in[0]);
        close(in[1]);
        devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0) {
            dup2(devnull, STDOUT_FILENO);
            dup2(devnull, STDERR_FILENO);
        }
        execv(argv[0], (char *const *)(uintptr_t)argv);
        _exit(127);
    }
    close(in[0]);
    if (input != NULL && write(in[1], input, strlen(input)) < 0)
        fail_msg("write: %s", strerror(errno));
    close(in[1]);
    if (waitpid(pid, &status, 0) < 0)
        fail_msg("waitpid: %s", strerror(errno));
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* A session of user straight in the store (expires at expires). */
static void
store_session(const char *user, hl_time created, hl_time expires, char *tok, size_t toksz)
{
    char hash[AUTH_TOKEN_HASH_LEN + 1];
    struct err e;

    err_clear(&e);
    auth_new_token(tok, toksz);
    auth_token_hash(tok, hash, sizeof hash);
    if (W->st->ops->session_add(W->st, hash, user, created, expires, &e) != HL_OK)
        fail_msg("session_add %s: %s", user, e.msg);
}

/* Log user in with POST /session; the token into tok. */
static void
login(const char *user, char *tok, size_t toksz)
{
    struct http_reply r;
    char body[256];
    const cJSON *t;

    snprintf(body, sizeof body, "{\"user\":\"%s\",\"password\":\"%s\"}", user, PW);
    http_post(W->h, "/api/v1/session", body, &r);
    t = cJSON_GetObjectItemCaseSensitive(r.json, "token");
    if (r.status == 200 && cJSON_IsString(t)) {
        str_copy(tok, toksz, t->valuestring);
    } else if (r.status == 404) {
        /* the session route is not in this build yet: make the session in the store,
         * on the server's clock */
        store_session(user, W->now, W->now + 3600, tok, toksz);
    } else {
        fail_msg("login %s: %ld %s", user, r.status, r.body.buf != NULL ? r.body.buf : "");
    }
    http_reply_fini(&r);
}

/* One request as who with an optional JSON body and extra header lines (NULL-ended). */
static long
req_as(enum who w, const char *method, const char *path, const char *body, size_t len,
       const char *const *extra, struct http_reply *r)
{
    const char *headers[12];
    char auth[160];
    size_t n = 0;

    if (w != W_NONE) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", W->tok[w]);
        headers[n++] = auth;
    }
    if (body != NULL)
        headers[n++] = "Content-Type: application/json";
    while (extra != NULL && *extra != NULL && n < 11)
        headers[n++] = *extra++;
    headers[n] = NULL;
    return http_request(W->h, method, path, headers, body, body != NULL && len == 0 ? strlen(body)
                                                                                   : len, r);
}

/* GET path as who. */
static long
get_as(enum who w, const char *path, struct http_reply *r)
{
    return req_as(w, "GET", path, NULL, 0, NULL, r);
}

/* POST a JSON body as who. */
static long
post_as(enum who w, const char *path, const char *body, struct http_reply *r)
{
    return req_as(w, "POST", path, body, 0, NULL, r);
}

/* A string member of an object (NULL when absent or not a string). */
static const char *
js(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Assert that a string member has the value want (a missing member fails, not crashes). */
static void
expect_str(const cJSON *o, const char *name, const char *want)
{
    const char *v = js(o, name);

    if (v == NULL || strcmp(v, want) != 0) {
        char *text = cJSON_PrintUnformatted(o);

        fail_msg("%s: expected \"%s\", got %s in %.600s", name, want,
                 v != NULL ? v : "no string", text != NULL ? text : "?");
    }
}

/* True when a member is JSON null. */
static bool
jnull(const cJSON *o, const char *name)
{
    return cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(o, name));
}

/* An integer member of an object (-1 when absent). */
static long
jint(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

    return cJSON_IsNumber(v) ? (long)v->valuedouble : -1;
}

/* Assert an error reply: status, the shape {"error":{"code","message","field",...}} and code. */
static void
expect_error(const struct http_reply *r, long status, const char *code)
{
    const cJSON *err;

    if (r->status != status)
        fail_msg("expected %ld %s, got %ld: %s", status, code, r->status,
                 r->body.buf != NULL ? r->body.buf : r->error);
    err = cJSON_GetObjectItemCaseSensitive(r->json, "error");
    if (!cJSON_IsObject(err) || cJSON_GetArraySize(r->json) != 1)
        fail_msg("expected an error body, got %s", r->body.buf != NULL ? r->body.buf : "(none)");
    assert_non_null(js(err, "code"));
    if (code != NULL && strcmp(js(err, "code"), code) != 0)
        fail_msg("expected code %s, got %s", code, r->body.buf);
    assert_non_null(js(err, "message"));
    assert_true(strlen(js(err, "message")) > 0);
    assert_non_null(cJSON_GetObjectItemCaseSensitive(err, "field"));
    assert_true(js(err, "field") != NULL || jnull(err, "field"));
}

/* A fresh caller number. */
static void
next_phone(char *buf, size_t sz)
{
    snprintf(buf, sz, "139%08d", 10000000 + ++W->phone_seq);
}

/* A create body: nature, a fresh phone (into phone when not NULL), more members. */
static char *
create_body(const char *nature, const char *phone, const char *more)
{
    return xasprintf("{\"channel\":\"phone\",\"caller\":{\"name\":\"李\",\"salutation\":\"女士\","
                     "\"phone\":\"%s\"},\"nature\":\"%s\",\"category\":\"urban.env.social_noise\","
                     "\"title\":\"小区噪音\",\"description\":\"每晚广场舞音响过大，影响休息。\","
                     "\"location\":\"幸福路88号\"%s%s}",
                     phone, nature, more != NULL ? "," : "", more != NULL ? more : "");
}

/* Create a ticket as the agent; its id into id (>= 32 bytes). */
static void
create_ticket(const char *nature, const char *more, char *id)
{
    struct http_reply r;
    char phone[32], *body;

    next_phone(phone, sizeof phone);
    body = create_body(nature, phone, more);
    post_as(W_AGENT, "/api/v1/tickets", body, &r);
    if (r.status != 201)
        fail_msg("create: %ld %s", r.status, r.body.buf);
    str_copy(id, 32, js(r.json, "id"));
    free(body);
    http_reply_fini(&r);
}

/* POST /tickets/{id}/{action} as who with body; returns the status (r filled). */
static long
act(enum who w, const char *id, const char *action, const char *body, struct http_reply *r)
{
    char path[128];

    snprintf(path, sizeof path, "/api/v1/tickets/%s/%s", id, action);
    if (body == NULL)
        return req_as(w, "POST", path, NULL, 0, NULL, r);
    return post_as(w, path, body, r);
}

/* Take an action that must succeed; the new status must be want_status. */
static void
act_ok(enum who w, const char *id, const char *action, const char *body, const char *want_status)
{
    struct http_reply r;

    act(w, id, action, body, &r);
    if (r.status != 200)
        fail_msg("%s %s as %s: %ld %s", action, id, who_name[w], r.status, r.body.buf);
    if (want_status != NULL)
        expect_str(r.json, "status", want_status);
    expect_str(r.json, "id", id);
    assert_true(r.etag[0] == '"');
    http_reply_fini(&r);
}

/* A ticket made straight in the store: intake at `at` by agent1, dispatched at dispatch_at
 * (0: not dispatched) with the dispatch body given. id gets the stored id. */
static void
seed_ticket(const char *nature, const char *more, hl_time at, const char *dispatch,
            hl_time dispatch_at, char *id)
{
    struct rule_actor agent = { USER_AGENT, NULL, "agent1" };
    struct action_body b;
    struct verdict v;
    struct ticket *t, *out = NULL;
    struct err e;
    cJSON *json;
    char phone[32], *body;
    int64_t seq = 0;

    err_clear(&e);
    next_phone(phone, sizeof phone);
    body = create_body(nature, phone, more);
    json = codec_parse(body, strlen(body), &e);
    assert_non_null(json);
    t = codec_ticket_create_decode(json, &e);
    if (t == NULL)
        fail_msg("seed decode: %s", e.msg);
    cJSON_Delete(json);
    free(body);
    assert_int_equal(workflow_create(&W->wf, t, &agent, at, NULL, &e), HL_OK);
    if (dispatch != NULL) {
        json = codec_parse(dispatch, strlen(dispatch), &e);
        assert_int_equal(codec_action_decode(ACTION_DISPATCH, json, &b, &e), HL_OK);
        if (workflow_apply(&W->wf, t, &b, &agent, dispatch_at, &v, &e) != HL_OK)
            fail_msg("seed dispatch: %s", e.msg);
        codec_action_fini(&b);
        cJSON_Delete(json);
    }
    if (W->st->ops->ticket_create(W->st, t, NULL, NULL, &out, NULL, &seq, &e) != HL_OK)
        fail_msg("seed create: %s", e.msg);
    str_copy(id, 32, out->id);
    ticket_free(&out);
    ticket_free(&t);
}

/* An instant of the centre's zone. */
static hl_time
local(int y, int mo, int d, int h, int mi)
{
    return tz_from_civil(W->tz, y, mo, d, h, mi, 0);
}

/* ---- setup ---- */

/* Group setup: units and users through the CLI, a server on the test clock, tokens. */
static int
setup(void **state)
{
    char path[1100];
    struct err e;
    int offset;
    size_t i;

    (void)state;
    err_clear(&e);
    W = calloc(1, sizeof *W);
    setenv(SERVER_FAKE_NOW_ENV, T0_TEXT, 1);
    W->h = harness_start(NULL);
    assert_true(datetime_parse_rfc3339(T0_TEXT, &W->t0, &offset));
    W->now = W->t0;
    assert_int_equal(auth_init(&e), HL_OK);
    W->tz = tz_load("Asia/Shanghai", &e);
    assert_non_null(W->tz);
    snprintf(path, sizeof path, "%s/holidays-cn.json", W->h->data);
    W->cal = calendar_load(path, &e);
    assert_non_null(W->cal);
    snprintf(path, sizeof path, "%s/rules.json", W->h->data);
    W->rules = rules_load(path, "12345", NULL, &e);
    assert_non_null(W->rules);
    W->wf.rules = W->rules;
    W->wf.cal = W->cal;
    W->wf.tz = W->tz;
    {
        const char *units[][2] = { { "water", "市自来水公司" }, { "gas", "市燃气集团" },
                                   { "power", "国网市供电公司" } };

        for (i = 0; i < ARRAY_SIZE(units); i++) {
            const char *args[] = { "--db", W->h->db, "unit", "add", units[i][0], "--name",
                                   units[i][1], NULL };
            char out[512], err[512];

            if (harness_run(args, out, sizeof out, err, sizeof err, 20000) != 0)
                fail_msg("unit add %s: %s", units[i][0], err);
        }
    }
    for (i = 0; i < ARRAY_SIZE(accounts); i++) {
        const char *args[] = { "--db", W->h->db, "user", "add", accounts[i].id, "--name",
                               accounts[i].name, "--role", accounts[i].role,
                               accounts[i].unit != NULL ? "--unit" : NULL, accounts[i].unit,
                               NULL };

        if (run_with_input(args, PW "\n" PW "\n") != 0)
            fail_msg("hotlined user add %s failed", accounts[i].id);
    }
    W->st = store_open(W->h->db, W->tz, &e);
    if (W->st == NULL)
        fail_msg("store_open: %s", e.msg);
    login("agent1", W->tok[W_AGENT], sizeof W->tok[W_AGENT]);
    login("u_water", W->tok[W_UNIT], sizeof W->tok[W_UNIT]);
    login("u_gas", W->tok[W_UNIT_OTHER], sizeof W->tok[W_UNIT_OTHER]);
    login("sup1", W->tok[W_SUP], sizeof W->tok[W_SUP]);
    login("admin1", W->tok[W_ADMIN], sizeof W->tok[W_ADMIN]);
    str_copy(W->tok[W_NONE], sizeof W->tok[W_NONE], "");
    /* expired a minute before the server's clock started */
    store_session("agent1", W->t0 - 7200, W->t0 - 60, W->tok[W_EXPIRED],
                  sizeof W->tok[W_EXPIRED]);
    return 0;
}

/* Group teardown. */
static int
teardown(void **state)
{
    (void)state;
    if (W->st != NULL)
        W->st->ops->close(W->st);
    harness_free(&W->h);
    rules_free(&W->rules);
    calendar_free(&W->cal);
    tz_free(&W->tz);
    unsetenv(SERVER_FAKE_NOW_ENV);
    free(W);
    W = NULL;
    return 0;
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
    act_ok(w, id, action, body, NULL);
}

/* A fresh ticket dispatched to water (a help, or a consult when consult). */
static void
dispatched_ticket(bool consult, char *id)
{
    create_ticket(consult ? "consult" : "help", NULL, id);
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

    post_as(W_SUP, "/api/v1/kb", draft, &r);
    if (r.status != 201 || js(r.json, "id") == NULL)
        fail_msg("kb draft: %ld %s", r.status, r.body.buf);
    str_copy(id, idsz, js(r.json, "id"));
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
    post_as(W_SUP, path, body, &r);
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
    get_as(W_SUP, path, &r);
    if (r.status != 200)
        fail_msg("GET %s: %ld %s", path, r.status, r.body.buf);
    v = jint(r.json, "version");
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
    hl_time sat = local(2026, 11, 21, 10, 0);

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
                seed_ticket("help", NULL, sat, "{\"units\":[{\"unit\":\"water\",\"role\":\"lead\"}]}",
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
                    store_session(user, W->now, W->now + 3600, W->tok[w], sizeof W->tok[w]);
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
                next_phone(phone, sizeof phone);
                body = create_body("help", phone, NULL);
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
                req_as((enum who)w, row->method, path, body, 0, extra, &r);
            }
            if (r.status != want)
                fail_msg("%s %s as %s: expected %ld, got %ld %s", row->method, path, who_name[w],
                         want, r.status, r.body.buf != NULL ? r.body.buf : r.error);
            if (r.status == 401)
                expect_error(&r, 401, AUTH_CODE_UNAUTHORIZED);
            else if (r.status == 403)
                expect_error(&r, 403, NULL);
            else if (r.status == 404)
                expect_error(&r, 404, NULL);
            if (w == W_UNIT_OTHER && r.status == 200 && r.body.buf != NULL)
                assert_null(strstr(r.body.buf, shared_d));   /* never listed for another unit */
            if (want != row->want[w])
                disagreements++;
            cells++;
            http_reply_fini(&r);
            free(body);
            if (swapped) {
                /* the fresh token was revoked by DELETE: it must be dead now */
                get_as((enum who)w, "/api/v1/meta", &r);
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
    login("agent2", a, sizeof a);
    login("agent2", b, sizeof b);
    str_copy(W->tok[W_AGENT], sizeof W->tok[W_AGENT], a);
    get_as(W_AGENT, "/api/v1/meta", &r);
    assert_int_equal(r.status, 200);
    http_reply_fini(&r);
    req_as(W_AGENT, "DELETE", "/api/v1/session", NULL, 0, NULL, &r);
    assert_int_equal(r.status, 204);
    http_reply_fini(&r);
    get_as(W_AGENT, "/api/v1/tickets?limit=1", &r);
    expect_error(&r, 401, AUTH_CODE_UNAUTHORIZED);
    http_reply_fini(&r);
    req_as(W_AGENT, "DELETE", "/api/v1/session", NULL, 0, NULL, &r);
    expect_error(&r, 401, AUTH_CODE_UNAUTHORIZED);
    http_reply_fini(&r);
    str_copy(W->tok[W_AGENT], sizeof W->tok[W_AGENT], b);
    get_as(W_AGENT, "/api/v1/meta", &r);
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
    login("agent2", a, sizeof a);
    str_copy(W->tok[W_AGENT], sizeof W->tok[W_AGENT], a);
    get_as(W_AGENT, "/api/v1/meta", &r);
    assert_int_equal(r.status, 200);
    http_reply_fini(&r);
    assert_int_equal(run_with_input(args, "brand-new-pass-9\nbrand-new-pass-9\n"), 0);
    get_as(W_AGENT, "/api/v1/meta", &r);
    expect_error(&r, 401, AUTH_CODE_UNAUTHORIZED);
    http_reply_fini(&r);
    http_post(W->h, "/api/v1/session", "{\"user\":\"agent2\",\"password\":\"" PW "\"}", &r);
    expect_error(&r, 401, AUTH_CODE_BAD_CREDENTIALS);
    http_reply_fini(&r);
    http_post(W->h, "/api/v1/session",
              "{\"user\":\"agent2\",\"password\":\"brand-new-pass-9\"}", &r);
    assert_int_equal(r.status, 200);
    str_copy(W->tok[W_AGENT], sizeof W->tok[W_AGENT], js(r.json, "token"));
    http_reply_fini(&r);
    get_as(W_AGENT, "/api/v1/meta", &r);
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
    char id[32], path[200], phone[32], *body;
    int reads = 0;

    (void)state;
    next_phone(phone, sizeof phone);
    body = xasprintf("{\"channel\":\"phone\",\"caller\":{\"name\":\"保密人\",\"phone\":\"%s\","
                     "\"address\":\"秘密路1号\",\"confidential\":true},\"nature\":\"report\","
                     "\"category\":\"urban.env.social_noise\",\"description\":\"举报某厂夜间排污\","
                     "\"location\":\"工业园3号\"}", phone);
    post_as(W_SUP, "/api/v1/tickets", body, &r);
    free(body);
    assert_int_equal(r.status, 201);
    str_copy(id, sizeof id, js(r.json, "id"));
    http_reply_fini(&r);
    snprintf(path, sizeof path, "/api/v1/tickets/%s", id);
    get_as(W_AGENT, path, &r);
    assert_int_equal(r.status, 200);
    expect_str(cJSON_GetObjectItemCaseSensitive(r.json, "caller"), "name", "保密人");
    http_reply_fini(&r);
    snprintf(path, sizeof path, "/api/v1/audit?ticket=%s", id);
    get_as(W_AGENT, path, &r);
    expect_error(&r, 403, NULL);
    http_reply_fini(&r);
    get_as(W_ADMIN, path, &r);
    assert_int_equal(r.status, 200);
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(r.json, "items")) {
        expect_str(it, "ticket_id", id);
        if (strcmp(js(it, "what"), "read_confidential") == 0
            && strcmp(js(it, "user_id"), "agent1") == 0)
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
    return cmocka_run_group_tests(tests, setup, teardown);
}
