/* test_session: log in and out on a live hotlined: tokens, wrong passwords, disabled users,
 * the login throttle (429 + Retry-After), strict bodies, revoked and missing tokens. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "hotline/datetime.h"
#include "hotline/tz.h"
#include "hotline/util.h"
#include "auth.h"
#include "harness.h"
#include "store.h"

/* Every account the tests use has this password, except where a test changes it. */
#define PW "correct-horse-7"

/* One account made before the tests. */
struct account {
    const char *id;
    const char *name;
    enum user_role role;
    const char *unit;
    bool disabled;
};

static const struct account accounts[] = {
    { "agent1", "张三", USER_AGENT, NULL, false },
    { "agent2", "李四", USER_AGENT, NULL, false },       /* throttled */
    { "agent3", "王五", USER_AGENT, NULL, false },       /* unaffected by agent2's throttle */
    { "agent4", "赵六", USER_AGENT, NULL, false },       /* password changed */
    { "agent5", "钱七", USER_AGENT, NULL, false },       /* wrong password */
    { "u_water", "水务接单员", USER_UNIT, "water", false },
    { "gone", "离职人员", USER_AGENT, NULL, true },
};

/* Open the server's database from the test (SQLite allows it while the server runs). */
static struct store *
open_db(struct harness *h, struct tz **tz)
{
    struct store *st;
    struct err e;

    err_clear(&e);
    *tz = tz_fixed("UTC", 0);
    st = store_open(h->db, *tz, &e);
    if (st == NULL)
        fail_msg("store_open %s: %s", h->db, e.msg);
    return st;
}

/* Group setup: start hotlined, then add a unit and the accounts straight into its store. */
static int
start(void **state)
{
    struct harness *h = harness_start(NULL);
    char hash[AUTH_PWHASH_MAX];
    struct store *st;
    struct tz *tz;
    struct err e;
    size_t i;

    err_clear(&e);
    assert_int_equal(auth_init(&e), HL_OK);
    st = open_db(h, &tz);
    assert_int_equal(st->ops->unit_add(st, "water", "市自来水公司", &e), HL_OK);
    for (i = 0; i < ARRAY_SIZE(accounts); i++) {
        struct user u;

        memset(&u, 0, sizeof u);
        u.id = xstrdup(accounts[i].id);
        u.name = xstrdup(accounts[i].name);
        u.role = accounts[i].role;
        u.unit = xstrdup(accounts[i].unit);
        assert_int_equal(auth_hash_password(PW, AUTH_COST_MIN, hash, sizeof hash, &e), HL_OK);
        if (st->ops->user_add(st, &u, hash, &e) != HL_OK)
            fail_msg("user_add %s: %s", accounts[i].id, e.msg);
        if (accounts[i].disabled)
            assert_int_equal(st->ops->user_disable(st, accounts[i].id, &e), HL_OK);
        user_fini(&u);
    }
    st->ops->close(st);
    tz_free(&tz);
    *state = h;
    return 0;
}

/* Group teardown. */
static int
stop(void **state)
{
    struct harness *h = *state;

    harness_free(&h);
    return 0;
}

/* POST /api/v1/session with a body as given. */
static long
login_raw(struct harness *h, const char *body, struct http_reply *r)
{
    return http_post(h, "/api/v1/session", body, r);
}

/* POST /api/v1/session {"user","password"}. */
static long
login(struct harness *h, const char *user, const char *password, struct http_reply *r)
{
    cJSON *o = cJSON_CreateObject();
    char *body;
    long status;

    cJSON_AddStringToObject(o, "user", user);
    cJSON_AddStringToObject(o, "password", password);
    body = cJSON_PrintUnformatted(o);
    status = login_raw(h, body, r);
    cJSON_free(body);
    cJSON_Delete(o);
    return status;
}

/* Log in and return the token (owned); the login must succeed. */
static char *
token_of(struct harness *h, const char *user, const char *password)
{
    struct http_reply r;
    const cJSON *t;
    char *token;

    if (login(h, user, password, &r) != 200)
        fail_msg("login %s: %ld %s", user, r.status, r.body.buf != NULL ? r.body.buf : "");
    t = cJSON_GetObjectItemCaseSensitive(r.json, "token");
    assert_true(cJSON_IsString(t));
    token = xstrdup(t->valuestring);
    http_reply_fini(&r);
    return token;
}

/* DELETE /api/v1/session with this token (NULL: no Authorization header). */
static long
logout(struct harness *h, const char *token, struct http_reply *r)
{
    char auth[256];
    const char *hdr[] = { auth, NULL };

    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token != NULL ? token : "");
    return http_request(h, "DELETE", "/api/v1/session", token != NULL ? hdr : NULL, NULL, 0, r);
}

/* GET /api/v1/feed?since=0&wait=0 (an authenticated route) with this token. */
static long
feed_with(struct harness *h, const char *token, struct http_reply *r)
{
    char auth[256];
    const char *hdr[] = { auth, NULL };

    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    return http_request(h, "GET", "/api/v1/feed?since=0&wait=0", hdr, NULL, 0, r);
}

/* The error message of an error reply; borrowed from r. */
static const char *
error_message(const struct http_reply *r)
{
    const cJSON *err = cJSON_GetObjectItemCaseSensitive(r->json, "error");
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(err, "message");

    assert_true(cJSON_IsString(m));
    return m->valuestring;
}

/* A login gives a 64-hex-digit token, the user and an expiry 12 hours on; the token is
 * accepted by an authenticated route (logout) and refused once logged out. */
static void
test_login_logout(void **state)
{
    struct harness *h = *state;
    struct http_reply r;
    const cJSON *tok, *user, *exp;
    hl_time expires = 0, now = (hl_time)time(NULL);
    char *token;
    size_t i;

    assert_int_equal(login(h, "agent1", PW, &r), 200);
    assert_true(cJSON_IsObject(r.json));
    assert_int_equal(cJSON_GetArraySize(r.json), 3);
    tok = cJSON_GetObjectItemCaseSensitive(r.json, "token");
    assert_true(cJSON_IsString(tok));
    assert_int_equal(strlen(tok->valuestring), 64);
    for (i = 0; i < 64; i++)
        assert_non_null(strchr("0123456789abcdef", tok->valuestring[i]));
    user = cJSON_GetObjectItemCaseSensitive(r.json, "user");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(user, "id")->valuestring, "agent1");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(user, "name")->valuestring, "张三");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(user, "role")->valuestring, "agent");
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(user, "unit")));
    exp = cJSON_GetObjectItemCaseSensitive(r.json, "expires_at");
    assert_true(cJSON_IsString(exp));
    assert_true(datetime_parse_rfc3339(exp->valuestring, &expires, NULL));
    /* the server's zone is Asia/Shanghai by default: +08:00 */
    assert_non_null(strstr(exp->valuestring, "+08:00"));
    assert_true(expires >= now + 12 * 3600 - 120 && expires <= now + 12 * 3600 + 120);
    token = xstrdup(tok->valuestring);
    http_reply_fini(&r);

    /* a second login gives another token */
    {
        char *other = token_of(h, "agent1", PW);

        assert_string_not_equal(other, token);
        assert_int_equal(logout(h, other, &r), 204);
        http_reply_fini(&r);
        free(other);
    }

    /* the token opens an authenticated route */
    assert_int_equal(feed_with(h, token, &r), 200);
    http_reply_fini(&r);
    assert_int_equal(logout(h, token, &r), 204);
    http_reply_fini(&r);
    feed_with(h, token, &r);
    assert_error_reply(&r, 401, AUTH_CODE_UNAUTHORIZED, NULL);
    http_reply_fini(&r);
    logout(h, token, &r);
    assert_error_reply(&r, 401, AUTH_CODE_UNAUTHORIZED, NULL);
    assert_string_equal(error_message(&r), "token expired or revoked: log in again");
    http_reply_fini(&r);
    free(token);
}

/* GET /api/v1/session with this token (NULL: no Authorization header). */
static long
whoami(struct harness *h, const char *token, struct http_reply *r)
{
    char auth[256];
    const char *hdr[] = { auth, NULL };

    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token != NULL ? token : "");
    return http_request(h, "GET", "/api/v1/session", token != NULL ? hdr : NULL, NULL, 0, r);
}

/* GET /api/v1/session names the token's user (with the unit of a unit user) and the
 * same expires_at the login gave; no token, or a revoked one, is 401. */
static void
test_whoami(void **state)
{
    struct harness *h = *state;
    struct http_reply r;
    const cJSON *user, *exp;
    char *token, *login_exp;

    assert_int_equal(login(h, "u_water", PW, &r), 200);
    token = xstrdup(cJSON_GetObjectItemCaseSensitive(r.json, "token")->valuestring);
    login_exp = xstrdup(cJSON_GetObjectItemCaseSensitive(r.json, "expires_at")->valuestring);
    http_reply_fini(&r);

    assert_int_equal(whoami(h, token, &r), 200);
    assert_true(cJSON_IsObject(r.json));
    assert_int_equal(cJSON_GetArraySize(r.json), 2);
    assert_null(cJSON_GetObjectItemCaseSensitive(r.json, "token"));
    user = cJSON_GetObjectItemCaseSensitive(r.json, "user");
    assert_int_equal(cJSON_GetArraySize(user), 4);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(user, "id")->valuestring, "u_water");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(user, "name")->valuestring,
                        "水务接单员");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(user, "role")->valuestring, "unit");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(user, "unit")->valuestring, "water");
    exp = cJSON_GetObjectItemCaseSensitive(r.json, "expires_at");
    assert_true(cJSON_IsString(exp));
    assert_string_equal(exp->valuestring, login_exp);
    http_reply_fini(&r);

    /* an agent: role agent, unit null */
    {
        char *other = token_of(h, "agent3", PW);

        assert_int_equal(whoami(h, other, &r), 200);
        user = cJSON_GetObjectItemCaseSensitive(r.json, "user");
        assert_string_equal(cJSON_GetObjectItemCaseSensitive(user, "id")->valuestring, "agent3");
        assert_string_equal(cJSON_GetObjectItemCaseSensitive(user, "role")->valuestring,
                            "agent");
        assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(user, "unit")));
        http_reply_fini(&r);
        assert_int_equal(logout(h, other, &r), 204);
        http_reply_fini(&r);
        free(other);
    }

    whoami(h, NULL, &r);
    assert_error_reply(&r, 401, AUTH_CODE_UNAUTHORIZED, NULL);
    http_reply_fini(&r);
    assert_int_equal(logout(h, token, &r), 204);
    http_reply_fini(&r);
    whoami(h, token, &r);
    assert_error_reply(&r, 401, AUTH_CODE_UNAUTHORIZED, NULL);
    http_reply_fini(&r);
    free(login_exp);
    free(token);
}

/* A unit user's login names its unit. */
static void
test_unit_user(void **state)
{
    struct harness *h = *state;
    struct http_reply r;
    const cJSON *user;

    assert_int_equal(login(h, "u_water", PW, &r), 200);
    user = cJSON_GetObjectItemCaseSensitive(r.json, "user");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(user, "role")->valuestring, "unit");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(user, "unit")->valuestring, "water");
    http_reply_fini(&r);
}

/* Wrong password, unknown user and disabled user get the same 401 and message. */
static void
test_wrong_credentials(void **state)
{
    struct harness *h = *state;
    struct http_reply r;
    char *msg;

    login(h, "agent5", "not-the-password", &r);
    assert_error_reply(&r, 401, AUTH_CODE_BAD_CREDENTIALS, NULL);
    msg = xstrdup(error_message(&r));
    assert_string_equal(msg, "wrong user or password");
    http_reply_fini(&r);

    login(h, "nobody-here", PW, &r);
    assert_error_reply(&r, 401, AUTH_CODE_BAD_CREDENTIALS, NULL);
    assert_string_equal(error_message(&r), msg);
    http_reply_fini(&r);

    login(h, "gone", PW, &r);
    assert_error_reply(&r, 401, AUTH_CODE_BAD_CREDENTIALS, NULL);
    assert_string_equal(error_message(&r), msg);
    http_reply_fini(&r);

    /* case matters in passwords */
    login(h, "agent5", "CORRECT-HORSE-7", &r);
    assert_error_reply(&r, 401, AUTH_CODE_BAD_CREDENTIALS, NULL);
    http_reply_fini(&r);
    free(msg);

    /* two failures are far below the limit: the right password still works */
    assert_int_equal(login(h, "agent5", PW, &r), 200);
    http_reply_fini(&r);
}

/* Headers of a raw request. */
struct raw_headers {
    char retry_after[32];
};

/* libcurl header callback: keep Retry-After. */
static size_t
on_header(char *buf, size_t size, size_t n, void *arg)
{
    struct raw_headers *hd = arg;
    size_t len = size * n;
    static const char name[] = "Retry-After:";

    if (len > sizeof name - 1 && strncasecmp(buf, name, sizeof name - 1) == 0) {
        size_t i = sizeof name - 1, o = 0;

        while (i < len && buf[i] == ' ')
            i++;
        while (i < len && buf[i] != '\r' && buf[i] != '\n' && o + 1 < sizeof hd->retry_after)
            hd->retry_after[o++] = buf[i++];
        hd->retry_after[o] = '\0';
    }
    return len;
}

/* libcurl write callback: discard. */
static size_t
on_body(char *buf, size_t size, size_t n, void *arg)
{
    (void)buf;
    (void)arg;
    return size * n;
}

/* A login with libcurl directly, to see Retry-After; returns the status. */
static long
login_headers(struct harness *h, const char *user, const char *password, struct raw_headers *hd)
{
    CURL *c = curl_easy_init();
    struct curl_slist *hl = curl_slist_append(NULL, "Content-Type: application/json");
    char url[160], body[256];
    long status = 0;

    memset(hd, 0, sizeof *hd);
    snprintf(url, sizeof url, "%s/api/v1/session", h->base);
    snprintf(body, sizeof body, "{\"user\":\"%s\",\"password\":\"%s\"}", user, password);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, hd);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 20000L);
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hl);
    curl_easy_cleanup(c);
    return status;
}

/* Five failures in a minute are answered 401; the sixth attempt, even with the right
 * password, is 429 with Retry-After; other users are not affected; unknown ids count too. */
static void
test_throttle(void **state)
{
    struct harness *h = *state;
    struct raw_headers hd;
    struct http_reply r;
    long wait = 0;
    int i;

    for (i = 0; i < 5; i++) {
        login(h, "agent2", "guess-number-x", &r);
        assert_error_reply(&r, 401, AUTH_CODE_BAD_CREDENTIALS, NULL);
        http_reply_fini(&r);
    }
    login(h, "agent2", "guess-number-6", &r);
    assert_error_reply(&r, 429, AUTH_CODE_THROTTLED, NULL);
    assert_non_null(strstr(error_message(&r), "try again in"));
    http_reply_fini(&r);
    assert_int_equal(login_headers(h, "agent2", PW, &hd), 429);
    assert_true(str_to_long(hd.retry_after, 1, 60, &wait));

    /* another user logs in as usual */
    assert_int_equal(login(h, "agent3", PW, &r), 200);
    http_reply_fini(&r);

    /* an unknown id is throttled the same way */
    for (i = 0; i < 5; i++) {
        login(h, "no-such-user", "guess-number-x", &r);
        assert_error_reply(&r, 401, AUTH_CODE_BAD_CREDENTIALS, NULL);
        http_reply_fini(&r);
    }
    assert_int_equal(login_headers(h, "no-such-user", "guess-number-x", &hd), 429);
    assert_true(str_to_long(hd.retry_after, 1, 60, &wait));
}

/* The login body is decoded strictly. */
static void
test_strict_body(void **state)
{
    struct harness *h = *state;
    const char *plain[] = { "Content-Type: text/plain", NULL };
    struct http_reply r;

    login_raw(h, "{\"user\":\"agent1\",\"password\":\"" PW "\",\"remember\":true}", &r);
    assert_error_reply(&r, 400, "invalid", "remember");
    http_reply_fini(&r);
    login_raw(h, "{\"user\":\"agent1\"}", &r);
    assert_error_reply(&r, 400, "invalid", "password");
    http_reply_fini(&r);
    login_raw(h, "{\"password\":\"" PW "\"}", &r);
    assert_error_reply(&r, 400, "invalid", "user");
    http_reply_fini(&r);
    login_raw(h, "{\"user\":\"agent1\",\"password\":12345678}", &r);
    assert_error_reply(&r, 400, "invalid", "password");
    http_reply_fini(&r);
    login_raw(h, "{\"user\":\"\",\"password\":\"" PW "\"}", &r);
    assert_error_reply(&r, 400, "invalid", "user");
    http_reply_fini(&r);
    login_raw(h, "[\"agent1\",\"" PW "\"]", &r);
    assert_error_reply(&r, 400, "invalid", NULL);
    http_reply_fini(&r);
    login_raw(h, "{\"user\":\"agent1\",\"user\":\"agent2\",\"password\":\"" PW "\"}", &r);
    assert_error_reply(&r, 400, "malformed_json", NULL);
    http_reply_fini(&r);
    login_raw(h, "{\"user\":\"agent1\",", &r);
    assert_error_reply(&r, 400, "malformed_json", NULL);
    http_reply_fini(&r);
    http_request(h, "POST", "/api/v1/session", plain, "user=agent1", 11, &r);
    assert_error_reply(&r, 415, "unsupported_media_type", NULL);
    http_reply_fini(&r);
    http_request(h, "POST", "/api/v1/session", NULL, NULL, 0, &r);
    assert_error_reply(&r, 400, "malformed_json", NULL);
    http_reply_fini(&r);
}

/* Authenticated routes refuse a missing, malformed or unknown token with 401. */
static void
test_bad_tokens(void **state)
{
    struct harness *h = *state;
    const char *lower[] = { "Authorization: bearer 0123", NULL };
    const char *basic[] = { "Authorization: Basic YWdlbnQxOnB3", NULL };
    struct http_reply r;

    logout(h, NULL, &r);
    assert_error_reply(&r, 401, AUTH_CODE_UNAUTHORIZED, NULL);
    assert_string_equal(error_message(&r), "missing token: log in with POST /api/v1/session");
    http_reply_fini(&r);
    logout(h, "0000000000000000000000000000000000000000000000000000000000000000", &r);
    assert_error_reply(&r, 401, AUTH_CODE_UNAUTHORIZED, NULL);
    assert_string_equal(error_message(&r), "token expired or revoked: log in again");
    http_reply_fini(&r);
    http_request(h, "DELETE", "/api/v1/session", lower, NULL, 0, &r);
    assert_error_reply(&r, 401, AUTH_CODE_UNAUTHORIZED, NULL);
    http_reply_fini(&r);
    http_request(h, "DELETE", "/api/v1/session", basic, NULL, 0, &r);
    assert_error_reply(&r, 401, AUTH_CODE_UNAUTHORIZED, NULL);
    http_reply_fini(&r);
}

/* A new password (hotlined user passwd) revokes the sessions the user had. */
static void
test_passwd_revokes(void **state)
{
    struct harness *h = *state;
    char hash[AUTH_PWHASH_MAX];
    struct http_reply r;
    struct store *st;
    struct tz *tz;
    struct err e;
    char *token = token_of(h, "agent4", PW);

    err_clear(&e);
    st = open_db(h, &tz);
    assert_int_equal(auth_hash_password("brand-new-pass", AUTH_COST_MIN, hash, sizeof hash, &e),
                     HL_OK);
    assert_int_equal(st->ops->user_set_password(st, "agent4", hash, &e), HL_OK);
    st->ops->close(st);
    tz_free(&tz);
    logout(h, token, &r);
    assert_error_reply(&r, 401, AUTH_CODE_UNAUTHORIZED, NULL);
    http_reply_fini(&r);
    login(h, "agent4", PW, &r);
    assert_error_reply(&r, 401, AUTH_CODE_BAD_CREDENTIALS, NULL);
    http_reply_fini(&r);
    assert_int_equal(login(h, "agent4", "brand-new-pass", &r), 200);
    http_reply_fini(&r);
    free(token);
}

/* Run the tests. */
int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_login_logout),
        cmocka_unit_test(test_unit_user),
        cmocka_unit_test(test_whoami),
        cmocka_unit_test(test_wrong_credentials),
        cmocka_unit_test(test_throttle),
        cmocka_unit_test(test_strict_body),
        cmocka_unit_test(test_bad_tokens),
        cmocka_unit_test(test_passwd_revokes),
    };

    return cmocka_run_group_tests_name("session", tests, start, stop);
}
