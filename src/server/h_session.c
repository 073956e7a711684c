/* h_session: POST /api/v1/session (log in), GET /api/v1/session (who am I) and
 * DELETE /api/v1/session (log out). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "hotline/codec.h"
#include "hotline/text.h"
#include "hotline/util.h"
#include "auth.h"
#include "handlers.h"
#include "log.h"
#include "server.h"
#include "store.h"

/* The body of a login, borrowed from the parsed JSON. */
struct login {
    const char *user;
    const char *password;
};

/* A required string member of the login body: present, a string, not empty, at most
 * maxlen bytes, without control characters. */
static int
take_string(const cJSON *item, const char *name, size_t maxlen, const char **out,
            struct err *e)
{
    const char *s;
    size_t i, len;

    if (item == NULL || cJSON_IsNull(item))
        return err_set(e, HL_EINVAL, name,
                       "%s: missing; send {\"user\":\"...\",\"password\":\"...\"}", name);
    if (!cJSON_IsString(item))
        return err_set(e, HL_EINVAL, name, "%s: expected a string", name);
    s = item->valuestring;
    len = strlen(s);
    if (len == 0)
        return err_set(e, HL_EINVAL, name, "%s: must not be empty", name);
    if (len > maxlen)
        return err_set(e, HL_EINVAL, name, "%s: longer than %zu bytes", name, maxlen);
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c < 0x20 || c == 0x7f)
            return err_set(e, HL_EINVAL, name, "%s: contains a control character", name);
    }
    *out = s;
    return HL_OK;
}

/* Check the login body strictly: an object with exactly the strings user and password. */
static int
decode_login(const cJSON *root, struct login *out, struct err *e)
{
    const cJSON *item;
    int rc;

    memset(out, 0, sizeof *out);
    if (!cJSON_IsObject(root))
        return err_set(e, HL_EINVAL, "", "expected an object {\"user\",\"password\"}");
    cJSON_ArrayForEach(item, root) {
        if (strcmp(item->string, "user") != 0 && strcmp(item->string, "password") != 0)
            return err_set(e, HL_EINVAL, item->string,
                           "%s: unknown field (a login has only user and password)",
                           item->string);
    }
    rc = take_string(cJSON_GetObjectItemCaseSensitive(root, "user"), "user",
                     4 * MODEL_MAX_SHORT, &out->user, e);
    if (rc != HL_OK)
        return rc;
    if (text_chars(out->user) > MODEL_MAX_SHORT)
        return err_set(e, HL_EINVAL, "user", "user: longer than %d characters", MODEL_MAX_SHORT);
    return take_string(cJSON_GetObjectItemCaseSensitive(root, "password"), "password",
                       AUTH_PASSWORD_MAX, &out->password, e);
}

/* Answer 429 with Retry-After. */
static void
reply_throttled(struct server *srv, struct reply *rep, const char *user, int64_t wait)
{
    char secs[24];

    log_msg(srv->log, "auth", "login refused for '%s': too many failed attempts", user);
    reply_error(rep, 429, AUTH_CODE_THROTTLED, NULL,
                "too many failed logins for this user: try again in %" PRId64 " seconds", wait);
    snprintf(secs, sizeof secs, "%" PRId64, wait);
    reply_add_header(rep, "Retry-After", secs);
}

/* Make a session for u and answer 200 with the token. */
static void
open_session(struct server *srv, struct reply *rep, const struct user *u)
{
    struct store *st = srv->store;
    char token[AUTH_TOKEN_LEN + 1], hash[AUTH_TOKEN_HASH_LEN + 1], when[48];
    hl_time now = server_now(srv), expires = now + auth_config(srv->auth)->token_ttl;
    cJSON *root;
    struct err e;

    err_clear(&e);
    auth_new_token(token, sizeof token);
    auth_token_hash(token, hash, sizeof hash);
    if (st->ops->session_add(st, hash, u->id, now, expires, &e) != HL_OK) {
        reply_error(rep, 500, "internal_error", NULL, "saving the session failed: %s", e.msg);
        return;
    }
    server_format_time(srv, expires, when, sizeof when);
    root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "token", token);
    cJSON_AddItemToObject(root, "user", codec_user_to_json(u));
    cJSON_AddStringToObject(root, "expires_at", when);
    reply_json(rep, 200, root);
}

/* Log in: POST /api/v1/session. */
void
h_session_post(struct server *srv, struct request *req, struct reply *rep)
{
    struct store *st = srv->store;
    struct login in;
    struct user u;
    struct err e;
    cJSON *root = NULL;
    int64_t now = req->start_ms / 1000, wait;
    int rc;

    memset(&u, 0, sizeof u);
    err_clear(&e);
    if (req->body.buf == NULL || req->body.len == 0) {
        reply_error(rep, 400, "malformed_json", NULL,
                    "the request body is empty: send {\"user\":\"...\",\"password\":\"...\"}");
        goto out;
    }
    root = codec_parse(req->body.buf, req->body.len, &e);
    if (root == NULL) {
        reply_error(rep, 400, "malformed_json", NULL, "%s", e.msg);
        goto out;
    }
    if (decode_login(root, &in, &e) != HL_OK) {
        reply_json(rep, 400, codec_err_to_json(&e));
        goto out;
    }
    if (st == NULL || srv->auth == NULL) {
        reply_error(rep, 500, "internal_error", NULL, "no database is open");
        goto out;
    }
    /* the attempt counts as a failure from here until it succeeds */
    wait = auth_throttle_attempt(srv->auth, in.user, now);
    if (wait > 0) {
        reply_throttled(srv, rep, in.user, wait);
        goto out;
    }
    rc = auth_login(srv->auth, st, in.user, in.password, &u, &e);
    if (rc == HL_ENOENT) {
        log_msg(srv->log, "auth", "failed login for '%s' from %s", in.user, req->remote);
        reply_error(rep, 401, AUTH_CODE_BAD_CREDENTIALS, NULL, "wrong user or password");
        goto out;
    }
    if (rc != HL_OK) {
        reply_error(rep, 500, "internal_error", NULL, "checking the password failed: %s", e.msg);
        goto out;
    }
    auth_throttle_clear(srv->auth, in.user);
    open_session(srv, rep, &u);
out:
    user_fini(&u);
    cJSON_Delete(root);
}

/* Log out: DELETE /api/v1/session. */
void
h_session_delete(struct server *srv, struct request *req, struct reply *rep)
{
    struct store *st = srv->store;
    char token[AUTH_TOKEN_LEN + 1], hash[AUTH_TOKEN_HASH_LEN + 1];
    struct err e;
    int rc;

    err_clear(&e);
    if (!req->authed && auth_request(srv, req, rep) != 0)
        return;
    if (!auth_bearer_token(req->headers.authorization, token, sizeof token)) {
        reply_error(rep, 401, AUTH_CODE_UNAUTHORIZED, NULL,
                    "missing token: log in with POST /api/v1/session");
        return;
    }
    auth_token_hash(token, hash, sizeof hash);
    rc = st->ops->session_revoke(st, hash, &e);
    if (rc != HL_OK && rc != HL_ENOENT) {
        reply_error(rep, 500, "internal_error", NULL, "revoking the session failed: %s", e.msg);
        return;
    }
    rep->status = 204;
}

/* Who the caller is: GET /api/v1/session. */
void
h_session_get(struct server *srv, struct request *req, struct reply *rep)
{
    struct store *st = srv->store;
    char token[AUTH_TOKEN_LEN + 1], hash[AUTH_TOKEN_HASH_LEN + 1], when[48];
    struct user u;
    hl_time expires = 0;
    cJSON *root;
    struct err e;
    int rc;

    memset(&u, 0, sizeof u);
    err_clear(&e);
    if (!req->authed && auth_request(srv, req, rep) != 0)
        return;
    if (!auth_bearer_token(req->headers.authorization, token, sizeof token)) {
        reply_error(rep, 401, AUTH_CODE_UNAUTHORIZED, NULL,
                    "missing token: log in with POST /api/v1/session");
        return;
    }
    auth_token_hash(token, hash, sizeof hash);
    rc = st->ops->session_get(st, hash, server_now(srv), &u, &expires, &e);
    if (rc == HL_ENOENT) {
        reply_error(rep, 401, AUTH_CODE_UNAUTHORIZED, NULL,
                    "token expired or revoked: log in again");
        reply_add_header(rep, "WWW-Authenticate", "Bearer");
        goto out;
    }
    if (rc != HL_OK) {
        reply_error(rep, 500, "internal_error", NULL, "checking the session failed: %s", e.msg);
        goto out;
    }
    server_format_time(srv, expires, when, sizeof when);
    root = cJSON_CreateObject();
    cJSON_AddItemToObject(root, "user", codec_user_to_json(&u));
    cJSON_AddStringToObject(root, "expires_at", when);
    reply_json(rep, 200, root);
out:
    user_fini(&u);
}
