/* fixture: the API tests' shared setup: seeded units and accounts, logins, tickets in the store. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
#include "fixture.h"
#include "harness.h"
#include "server.h"
#include "store.h"
#include "workflow.h"

/* ---- accounts added straight into the store ---- */

/* Add one account with the password hash pwhash straight into st. */
static void
add_user(struct store *st, const struct fixture_account *a, const char *pwhash)
{
    struct user u;
    struct err e;

    err_clear(&e);
    memset(&u, 0, sizeof u);
    u.id = xstrdup(a->id);
    u.name = xstrdup(a->name);
    u.role = a->role;
    u.unit = xstrdup(a->unit);
    if (st->ops->user_add(st, &u, pwhash, &e) != HL_OK)
        fail_msg("user_add %s: %s", a->id, e.msg);
    user_fini(&u);
}

/* Add units and accounts (all with password pw) straight into the server's database. */
static void
add_accounts(struct harness *h, const struct fixture_unit *units, size_t nunits,
             const struct fixture_account *accounts, size_t naccounts, const char *pw)
{
    char hash[AUTH_PWHASH_MAX];
    struct tz *tz = tz_fixed("UTC", 0);
    struct store *st;
    struct err e;
    size_t i;

    err_clear(&e);
    assert_int_equal(auth_init(&e), HL_OK);
    st = store_open(h->db, tz, &e);
    if (st == NULL)
        fail_msg("store_open %s: %s", h->db, e.msg);
    for (i = 0; i < nunits; i++)
        assert_int_equal(st->ops->unit_add(st, units[i].code, units[i].name, &e), HL_OK);
    assert_int_equal(auth_hash_password(pw, AUTH_COST_MIN, hash, sizeof hash, &e), HL_OK);
    for (i = 0; i < naccounts; i++)
        add_user(st, &accounts[i], hash);
    st->ops->close(st);
    tz_free(&tz);
}

/* Log user in with POST /session (must be 200) and return the token (owned). */
static char *
login_token(struct harness *h, const char *user, const char *pw)
{
    struct http_reply r;
    const cJSON *t;
    char body[256];
    char *token;

    snprintf(body, sizeof body, "{\"user\":\"%s\",\"password\":\"%s\"}", user, pw);
    if (http_post(h, "/api/v1/session", body, &r) != 200)
        fail_msg("login %s: %ld %s", user, r.status, strbuf_str(&r.body));
    t = cJSON_GetObjectItemCaseSensitive(r.json, "token");
    assert_true(cJSON_IsString(t));
    token = xstrdup(t->valuestring);
    http_reply_fini(&r);
    return token;
}

/* Group setup's first half: hotlined on fake_now (NULL: the real clock), units, accounts. */
struct fixture *
fixture_start(void **state, const char *fake_now, const struct fixture_unit *units,
              size_t nunits, const struct fixture_account *accounts, size_t naccounts,
              const char *pw)
{
    struct fixture *f = xcalloc(1, sizeof *f);

    if (fake_now != NULL)
        setenv("HOTLINED_FAKE_NOW", fake_now, 1);
    else
        unsetenv("HOTLINED_FAKE_NOW");
    f->h = harness_start(NULL);
    *state = f;    /* the teardown stops the server even when the setup fails */
    add_accounts(f->h, units, nunits, accounts, naccounts, pw);
    return f;
}

/* Log every account in; tokens into f->tok. */
void
fixture_login_all(struct fixture *f, const struct fixture_account *accounts, size_t naccounts,
                  const char *pw)
{
    size_t i;

    assert_true(naccounts <= FIXTURE_ACCOUNTS_MAX);
    for (i = 0; i < naccounts; i++) {
        f->tok[i] = login_token(f->h, accounts[i].id, pw);
        f->ntok = i + 1;
    }
}

/* Group teardown: stop the server, free the tokens and the fixture. */
int
fixture_stop(void **state)
{
    struct fixture *f = *state;
    size_t i;

    if (f == NULL)
        return 0;
    harness_free(&f->h);
    for (i = 0; i < f->ntok; i++)
        free(f->tok[i]);
    free(f);
    *state = NULL;
    return 0;
}

/* ---- any hotlined ---- */

/* Run hotlined of h with args and text on its standard input; return its exit status. */
static int
run_hotlined(const struct harness *h, const char *const *args, const char *input)
{
    const char *argv[16];
    int in[2], status = -1, n = 0, devnull;
    pid_t pid;

    argv[n++] = h->exe;
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

/* Add a unit through `hotlined unit add`. */
void
fixture_cli_unit_add(const struct harness *h, const char *code, const char *name)
{
    const char *args[] = { "--db", h->db, "unit", "add", code, "--name", name, NULL };
    char out[512], err[512];

    if (harness_run(args, out, sizeof out, err, sizeof err, 20000) != 0)
        fail_msg("unit add %s: %s", code, err);
}

/* Add an account through `hotlined user add`, password FIXTURE_PW on its standard input. */
void
fixture_cli_user_add(const struct harness *h, const struct fixture_user *u)
{
    const char *args[] = { "--db", h->db, "user", "add", u->id, "--name", u->name,
                           "--role", u->role, u->unit != NULL ? "--unit" : NULL, u->unit,
                           NULL };

    if (run_hotlined(h, args, FIXTURE_PW "\n" FIXTURE_PW "\n") != 0)
        fail_msg("hotlined user add %s failed", u->id);
}

/* ---- after a kill -9 (test_crash, test_crash_actions) ---- */

/* Add an account (password FIXTURE_PW) and a session of an hour straight into st. */
void
fixture_store_user(struct store *st, const struct fixture_account *a, char *auth, size_t authsz)
{
    char tok[AUTH_TOKEN_LEN + 1], hash[AUTH_TOKEN_HASH_LEN + 1], pw[AUTH_PWHASH_MAX];
    hl_time now = (hl_time)time(NULL);
    struct err e;

    err_clear(&e);
    assert_int_equal(auth_init(&e), HL_OK);
    assert_int_equal(auth_hash_password(FIXTURE_PW, AUTH_COST_MIN, pw, sizeof pw, &e), HL_OK);
    add_user(st, a, pw);
    auth_new_token(tok, sizeof tok);
    auth_token_hash(tok, hash, sizeof hash);
    assert_int_equal(st->ops->session_add(st, hash, a->id, now, now + 3600, &e), HL_OK);
    snprintf(auth, authsz, "Authorization: Bearer %s", tok);
}

/* GET an acknowledged ticket as auth; fails the test when it is lost. */
void
fixture_get_acked(struct harness *h, const char *auth, const char *id, struct http_reply *r)
{
    const char *headers[] = { auth, NULL };
    char path[96];

    snprintf(path, sizeof path, "/api/v1/tickets/%s", id);
    http_request(h, "GET", path, headers, NULL, 0, r);
    if (r->status != 200)
        fail_msg("acknowledged ticket %s is lost after kill -9: %ld", id, r->status);
}

/* Stop hotlined and assert that `hotlined check` passes on its database. */
void
fixture_stop_and_check(struct harness *h)
{
    const char *args[] = { "--db", h->db, "check", NULL };
    char out[4096], err[4096];
    int rc;

    harness_stop(h);
    rc = harness_run(args, out, sizeof out, err, sizeof err, 60000);
    if (rc != 0)
        fail_msg("hotlined check after kill -9: exit %d\n%s%s", rc, out, err);
}

/* ---- a world on the test clock with CLI-seeded accounts ---- */

const char *const fixture_who_name[W_COUNT] = {
    "agent", "unit (right unit)", "unit (other unit)", "supervisor", "admin", "no token",
    "expired token",
};

/* The accounts of every world, seeded through `hotlined user add` (password on stdin). */
static const struct fixture_user world_users[] = {
    { "agent1", "张三", "agent", NULL },
    { "u_water", "水务接单员", "unit", "water" },
    { "u_gas", "燃气接单员", "unit", "gas" },
    { "sup1", "王班长", "supervisor", NULL },
    { "admin1", "管理员", "admin", NULL },
};

/* The world started last (the tests run one at a time, in one thread). */
static struct fixture_world *W;

/* Run the world's hotlined with args and text on its standard input; its exit status. */
int
fixture_run_with_input(const char *const *args, const char *input)
{
    return run_hotlined(W->h, args, input);
}

/* A session of user straight in the store (expires at expires). */
void
fixture_store_session(const char *user, hl_time created, hl_time expires, char *tok,
                      size_t toksz)
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
void
fixture_login(const char *user, char *tok, size_t toksz)
{
    struct http_reply r;
    char body[256];
    const cJSON *t;

    snprintf(body, sizeof body, "{\"user\":\"%s\",\"password\":\"%s\"}", user, FIXTURE_PW);
    http_post(W->h, "/api/v1/session", body, &r);
    t = cJSON_GetObjectItemCaseSensitive(r.json, "token");
    if (r.status == 200 && cJSON_IsString(t)) {
        str_copy(tok, toksz, t->valuestring);
    } else if (r.status == 404) {
        /* the session route is not in this build yet: make the session in the store,
         * on the server's clock */
        fixture_store_session(user, W->now, W->now + 3600, tok, toksz);
    } else {
        fail_msg("login %s: %ld %s", user, r.status, r.body.buf != NULL ? r.body.buf : "");
    }
    http_reply_fini(&r);
}

/* One request as who with an optional JSON body and extra header lines (NULL-ended). */
long
fixture_req_as(enum who w, const char *method, const char *path, const char *body,
               size_t len, const char *const *extra, struct http_reply *r)
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
long
fixture_get_as(enum who w, const char *path, struct http_reply *r)
{
    return fixture_req_as(w, "GET", path, NULL, 0, NULL, r);
}

/* POST a JSON body as who. */
long
fixture_post_as(enum who w, const char *path, const char *body, struct http_reply *r)
{
    return fixture_req_as(w, "POST", path, body, 0, NULL, r);
}

/* A string member of an object (NULL when absent or not a string). */
const char *
fixture_js(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Assert that a string member has the value want (a missing member fails, not crashes). */
void
fixture_expect_str(const cJSON *o, const char *name, const char *want)
{
    const char *v = fixture_js(o, name);

    if (v == NULL || strcmp(v, want) != 0) {
        char *text = cJSON_PrintUnformatted(o);

        fail_msg("%s: expected \"%s\", got %s in %.600s", name, want,
                 v != NULL ? v : "no string", text != NULL ? text : "?");
    }
}

/* True when a member is JSON null. */
bool
fixture_jnull(const cJSON *o, const char *name)
{
    return cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(o, name));
}

/* An integer member of an object (-1 when absent). */
long
fixture_jint(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

    return cJSON_IsNumber(v) ? (long)v->valuedouble : -1;
}

/* Assert an error reply: status, the shape {"error":{"code","message","field",...}} and code. */
void
fixture_expect_error(const struct http_reply *r, long status, const char *code)
{
    const cJSON *err;

    if (r->status != status)
        fail_msg("expected %ld %s, got %ld: %s", status, code, r->status,
                 r->body.buf != NULL ? r->body.buf : r->error);
    err = cJSON_GetObjectItemCaseSensitive(r->json, "error");
    if (!cJSON_IsObject(err) || cJSON_GetArraySize(r->json) != 1)
        fail_msg("expected an error body, got %s", r->body.buf != NULL ? r->body.buf : "(none)");
    assert_non_null(fixture_js(err, "code"));
    if (code != NULL && strcmp(fixture_js(err, "code"), code) != 0)
        fail_msg("expected code %s, got %s", code, r->body.buf);
    assert_non_null(fixture_js(err, "message"));
    assert_true(strlen(fixture_js(err, "message")) > 0);
    assert_non_null(cJSON_GetObjectItemCaseSensitive(err, "field"));
    assert_true(fixture_js(err, "field") != NULL || fixture_jnull(err, "field"));
}

/* A fresh caller number. */
void
fixture_next_phone(char *buf, size_t sz)
{
    snprintf(buf, sz, "139%08d", 10000000 + ++W->phone_seq);
}

/* A create body: nature, a fresh phone (into phone when not NULL), more members. */
char *
fixture_create_body(const char *nature, const char *phone, const char *more)
{
    return xasprintf("{\"channel\":\"phone\",\"caller\":{\"name\":\"李\",\"salutation\":\"女士\","
                     "\"phone\":\"%s\"},\"nature\":\"%s\",\"category\":\"urban.env.social_noise\","
                     "\"title\":\"小区噪音\",\"description\":\"每晚广场舞音响过大，影响休息。\","
                     "\"location\":\"幸福路88号\"%s%s}",
                     phone, nature, more != NULL ? "," : "", more != NULL ? more : "");
}

/* Create a ticket as the agent; its id into id (>= 32 bytes). */
void
fixture_create_ticket(const char *nature, const char *more, char *id)
{
    struct http_reply r;
    char phone[32], *body;

    fixture_next_phone(phone, sizeof phone);
    body = fixture_create_body(nature, phone, more);
    fixture_post_as(W_AGENT, "/api/v1/tickets", body, &r);
    if (r.status != 201)
        fail_msg("create: %ld %s", r.status, r.body.buf);
    str_copy(id, 32, fixture_js(r.json, "id"));
    free(body);
    http_reply_fini(&r);
}

/* Create a confidential report ticket as who (must be 201); its phone and id (>= 32 bytes). */
void
fixture_create_confidential(enum who w, char *phone, size_t phonesz, char *id)
{
    struct http_reply r;
    char *body;

    fixture_next_phone(phone, phonesz);
    body = xasprintf("{\"channel\":\"phone\",\"caller\":{\"name\":\"保密人\",\"phone\":\"%s\","
                     "\"address\":\"秘密路1号\",\"confidential\":true},\"nature\":\"report\","
                     "\"category\":\"urban.env.social_noise\",\"description\":\"举报某厂夜间排污\","
                     "\"location\":\"工业园3号\"}", phone);
    fixture_post_as(w, "/api/v1/tickets", body, &r);
    free(body);
    assert_int_equal(r.status, 201);
    str_copy(id, 32, fixture_js(r.json, "id"));
    http_reply_fini(&r);
}

/* POST /tickets/{id}/{action} as who with body; returns the status (r filled). */
long
fixture_act(enum who w, const char *id, const char *action, const char *body,
            struct http_reply *r)
{
    char path[128];

    snprintf(path, sizeof path, "/api/v1/tickets/%s/%s", id, action);
    if (body == NULL)
        return fixture_req_as(w, "POST", path, NULL, 0, NULL, r);
    return fixture_post_as(w, path, body, r);
}

/* Take an action that must succeed; the new status must be want_status. */
void
fixture_act_ok(enum who w, const char *id, const char *action, const char *body,
               const char *want_status)
{
    struct http_reply r;

    fixture_act(w, id, action, body, &r);
    if (r.status != 200)
        fail_msg("%s %s as %s: %ld %s", action, id, fixture_who_name[w], r.status, r.body.buf);
    if (want_status != NULL)
        fixture_expect_str(r.json, "status", want_status);
    fixture_expect_str(r.json, "id", id);
    assert_true(r.etag[0] == '"');
    http_reply_fini(&r);
}

/* A ticket made straight in the store: intake at `at` by agent1, dispatched at dispatch_at
 * (0: not dispatched) with the dispatch body given. id gets the stored id. */
void
fixture_seed_ticket(const char *nature, const char *more, hl_time at, const char *dispatch,
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
    fixture_next_phone(phone, sizeof phone);
    body = fixture_create_body(nature, phone, more);
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
hl_time
fixture_local(int y, int mo, int d, int h, int mi)
{
    return tz_from_civil(W->tz, y, mo, d, h, mi, 0);
}

/* ---- the world ---- */

/* Group setup: units and users through the CLI, a server on the test clock, tokens. */
int
fixture_world_setup(void **state, const struct fixture_user *extra, size_t nextra,
                    struct fixture_world **w)
{
    char path[1100];
    struct err e;
    int offset;
    size_t i;

    err_clear(&e);
    W = calloc(1, sizeof *W);
    *w = W;
    *state = W;
    setenv(SERVER_FAKE_NOW_ENV, FIXTURE_T0_TEXT, 1);
    W->h = harness_start(NULL);
    assert_true(datetime_parse_rfc3339(FIXTURE_T0_TEXT, &W->t0, &offset));
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
    fixture_cli_unit_add(W->h, "water", "市自来水公司");
    fixture_cli_unit_add(W->h, "gas", "市燃气集团");
    fixture_cli_unit_add(W->h, "power", "国网市供电公司");
    for (i = 0; i < ARRAY_SIZE(world_users) + nextra; i++)
        fixture_cli_user_add(W->h, i < ARRAY_SIZE(world_users)
                                   ? &world_users[i] : &extra[i - ARRAY_SIZE(world_users)]);
    W->st = store_open(W->h->db, W->tz, &e);
    if (W->st == NULL)
        fail_msg("store_open: %s", e.msg);
    fixture_login("agent1", W->tok[W_AGENT], sizeof W->tok[W_AGENT]);
    fixture_login("u_water", W->tok[W_UNIT], sizeof W->tok[W_UNIT]);
    fixture_login("u_gas", W->tok[W_UNIT_OTHER], sizeof W->tok[W_UNIT_OTHER]);
    fixture_login("sup1", W->tok[W_SUP], sizeof W->tok[W_SUP]);
    fixture_login("admin1", W->tok[W_ADMIN], sizeof W->tok[W_ADMIN]);
    str_copy(W->tok[W_NONE], sizeof W->tok[W_NONE], "");
    /* expired a minute before the server's clock started */
    fixture_store_session("agent1", W->t0 - 7200, W->t0 - 60, W->tok[W_EXPIRED],
                          sizeof W->tok[W_EXPIRED]);
    return 0;
}

/* Group teardown: stop the server and free the world. */
int
fixture_world_teardown(void **state)
{
    *state = NULL;
    if (W == NULL)
        return 0;
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
