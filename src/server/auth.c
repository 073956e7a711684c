/* auth: argon2id passwords, session tokens, the login throttle, request authentication. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "hotline/text.h"
#include "hotline/util.h"
#include "auth.h"
#include "request.h"
#include "server.h"
#include "store.h"

/* Bytes of the key under which the throttle remembers a user id (a hash of the id). */
#define KEY_BYTES 16

/* The failures of one user id inside the window, oldest first. */
struct slot {
    bool used;
    unsigned char key[KEY_BYTES];
    int n;
    int64_t fails[AUTH_MAX_FAILURES_CAP];
};

struct auth {
    struct auth_config cfg;
    pthread_mutex_t lock;          /* guards slots and hashing */
    pthread_cond_t hash_free;      /* signalled when a hashing slot frees */
    int hashing;                   /* verifications running */
    struct slot *slots;            /* cfg.slots entries */
    char decoy[AUTH_PWHASH_MAX];   /* hash checked for unknown users */
};

/* Static asserts that the sizes above match libsodium's. */
_Static_assert(AUTH_PWHASH_MAX == crypto_pwhash_STRBYTES, "AUTH_PWHASH_MAX");
_Static_assert(AUTH_TOKEN_HASH_LEN == 2 * crypto_generichash_BYTES, "AUTH_TOKEN_HASH_LEN");

/* Start libsodium. */
int
auth_init(struct err *e)
{
    if (sodium_init() < 0)
        return err_set(e, HL_EIO, "", "libsodium could not start (no source of randomness?)");
    return HL_OK;
}

/* Fill a configuration with the defaults. */
void
auth_config_init(struct auth_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->token_ttl = AUTH_DEFAULT_TTL;
    cfg->max_failures = AUTH_DEFAULT_MAX_FAILURES;
    cfg->window = AUTH_DEFAULT_WINDOW;
    cfg->slots = AUTH_DEFAULT_SLOTS;
    cfg->max_hashing = AUTH_DEFAULT_MAX_HASHING;
}

/* Copy cfg into out, replacing out-of-range members by the defaults. */
static void
sane_config(const struct auth_config *cfg, struct auth_config *out)
{
    struct auth_config def;

    auth_config_init(&def);
    *out = cfg != NULL ? *cfg : def;
    if (out->token_ttl < 60)
        out->token_ttl = def.token_ttl;
    if (out->max_failures < 1 || out->max_failures > AUTH_MAX_FAILURES_CAP)
        out->max_failures = def.max_failures;
    if (out->window < 1)
        out->window = def.window;
    if (out->slots < 1 || out->slots > 1024 * 1024)
        out->slots = def.slots;
    if (out->max_hashing < 1 || out->max_hashing > 256)
        out->max_hashing = def.max_hashing;
}

/* Make the authenticator of a server. */
struct auth *
auth_new(const struct auth_config *cfg, struct err *e)
{
    struct auth *a = xcalloc(1, sizeof *a);
    char pw[AUTH_TOKEN_LEN + 1];

    sane_config(cfg, &a->cfg);
    a->slots = xcalloc(a->cfg.slots, sizeof *a->slots);
    pthread_mutex_init(&a->lock, NULL);
    pthread_cond_init(&a->hash_free, NULL);
    auth_new_token(pw, sizeof pw);
    if (auth_hash_password(pw, AUTH_COST_INTERACTIVE, a->decoy, sizeof a->decoy, e) != HL_OK) {
        sodium_memzero(pw, sizeof pw);
        auth_free(&a);
        return NULL;
    }
    sodium_memzero(pw, sizeof pw);
    return a;
}

/* Free an authenticator. */
void
auth_free(struct auth **ap)
{
    struct auth *a;

    if (ap == NULL || *ap == NULL)
        return;
    a = *ap;
    pthread_cond_destroy(&a->hash_free);
    pthread_mutex_destroy(&a->lock);
    free(a->slots);
    free(a);
    *ap = NULL;
}

/* Return the limits in force. */
const struct auth_config *
auth_config(const struct auth *a)
{
    return &a->cfg;
}

/* Check that a password may be set. */
int
auth_password_check(const char *password, struct err *e)
{
    size_t len, i;

    if (password == NULL || password[0] == '\0')
        return err_set(e, HL_EINVAL, "password", "the password is empty");
    len = strlen(password);
    if (len > AUTH_PASSWORD_MAX)
        return err_set(e, HL_EINVAL, "password", "the password is longer than %d bytes",
                       AUTH_PASSWORD_MAX);
    if (!text_utf8_valid(password, len))
        return err_set(e, HL_EINVAL, "password", "the password is not valid UTF-8 text");
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)password[i];

        if (c < 0x20 || c == 0x7f)
            return err_set(e, HL_EINVAL, "password", "the password contains a control character");
    }
    if (text_chars(password) < AUTH_PASSWORD_MIN)
        return err_set(e, HL_EINVAL, "password", "the password is shorter than %d characters",
                       AUTH_PASSWORD_MIN);
    return HL_OK;
}

/* Hash a password with argon2id. */
int
auth_hash_password(const char *password, enum auth_cost cost, char *out, size_t outsz,
                   struct err *e)
{
    unsigned long long ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
    size_t mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;

    if (outsz < crypto_pwhash_STRBYTES)
        return err_set(e, HL_EINVAL, "", "the buffer for a password hash is too small");
    if (cost == AUTH_COST_MIN) {
        ops = crypto_pwhash_OPSLIMIT_MIN;
        mem = crypto_pwhash_MEMLIMIT_MIN;
    }
    if (crypto_pwhash_str_alg(out, password, strlen(password), ops, mem,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        return err_set(e, HL_EIO, "", "hashing the password failed: not enough memory");
    return HL_OK;
}

/* Verify a password against its hash in constant time. */
bool
auth_verify_password(const char *hash, const char *password)
{
    if (hash == NULL || password == NULL)
        return false;
    if (strnlen(hash, crypto_pwhash_STRBYTES) >= crypto_pwhash_STRBYTES)
        return false;
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

/* Make a random session token. */
void
auth_new_token(char *out, size_t outsz)
{
    unsigned char raw[AUTH_TOKEN_LEN / 2];

    if (outsz < AUTH_TOKEN_LEN + 1) {
        if (outsz > 0)
            out[0] = '\0';
        return;
    }
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(out, outsz, raw, sizeof raw);
    sodium_memzero(raw, sizeof raw);
}

/* Hash a token for the store. */
void
auth_token_hash(const char *token, char *out, size_t outsz)
{
    unsigned char h[crypto_generichash_BYTES];

    if (outsz < AUTH_TOKEN_HASH_LEN + 1) {
        if (outsz > 0)
            out[0] = '\0';
        return;
    }
    crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
    sodium_bin2hex(out, outsz, h, sizeof h);
}

/* Take the token out of an Authorization header value. */
bool
auth_bearer_token(const char *header, char *out, size_t outsz)
{
    const char *s;
    size_t i;

    if (header == NULL || outsz < AUTH_TOKEN_LEN + 1 || strncasecmp(header, "Bearer ", 7) != 0)
        return false;
    s = header + 7;
    while (*s == ' ')
        s++;
    for (i = 0; i < AUTH_TOKEN_LEN; i++) {
        char c = s[i];

        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    i = AUTH_TOKEN_LEN;
    while (s[i] == ' ' || s[i] == '\t')
        i++;
    if (s[i] != '\0')
        return false;
    memcpy(out, s, AUTH_TOKEN_LEN);
    out[AUTH_TOKEN_LEN] = '\0';
    return true;
}

/* The throttle key of a user id: a short hash, so ids of any length fit and no id is kept. */
static void
make_key(const char *user_id, unsigned char key[KEY_BYTES])
{
    crypto_generichash(key, KEY_BYTES, (const unsigned char *)user_id, strlen(user_id), NULL, 0);
}

/* Drop the failures of a slot older than the window. */
static void
prune(const struct auth *a, struct slot *s, int64_t now)
{
    int keep = 0, i;

    for (i = 0; i < s->n; i++) {
        if (s->fails[i] > now - a->cfg.window)
            s->fails[keep++] = s->fails[i];
    }
    s->n = keep;
    if (s->n == 0)
        s->used = false;
}

/* The slot of key, or NULL (lock held). */
static struct slot *
find_slot(struct auth *a, const unsigned char key[KEY_BYTES])
{
    size_t i;

    for (i = 0; i < a->cfg.slots; i++) {
        if (a->slots[i].used && memcmp(a->slots[i].key, key, KEY_BYTES) == 0)
            return &a->slots[i];
    }
    return NULL;
}

/* A slot for a new key: a free one, one whose failures expired, else the one whose
 * latest failure is oldest (lock held). */
static struct slot *
take_slot(struct auth *a, const unsigned char key[KEY_BYTES], int64_t now)
{
    struct slot *best = NULL;
    size_t i;

    for (i = 0; i < a->cfg.slots; i++) {
        struct slot *s = &a->slots[i];

        if (s->used)
            prune(a, s, now);
        if (!s->used) {
            best = s;
            break;
        }
        if (best == NULL || s->fails[s->n - 1] < best->fails[best->n - 1])
            best = s;
    }
    memset(best, 0, sizeof *best);
    best->used = true;
    memcpy(best->key, key, KEY_BYTES);
    return best;
}

/* The wait of key at now (lock held). */
static int64_t
wait_locked(struct auth *a, const unsigned char key[KEY_BYTES], int64_t now)
{
    struct slot *s = find_slot(a, key);
    int64_t wait = 0;

    if (s != NULL) {
        prune(a, s, now);
        if (s->used && s->n >= a->cfg.max_failures) {
            wait = s->fails[s->n - a->cfg.max_failures] + a->cfg.window - now;
            if (wait < 1)
                wait = 1;
        }
    }
    return wait;
}

/* Count a failure of key at now (lock held). */
static void
fail_locked(struct auth *a, const unsigned char key[KEY_BYTES], int64_t now)
{
    struct slot *s = find_slot(a, key);

    if (s != NULL)
        prune(a, s, now);
    if (s == NULL || !s->used)
        s = take_slot(a, key, now);
    if (s->n == a->cfg.max_failures) {
        memmove(s->fails, s->fails + 1, (size_t)(s->n - 1) * sizeof s->fails[0]);
        s->n--;
    }
    s->fails[s->n++] = now;
}

/* Tell how long a user id must wait before it may log in. */
int64_t
auth_throttle_wait(struct auth *a, const char *user_id, int64_t now)
{
    unsigned char key[KEY_BYTES];
    int64_t wait;

    make_key(user_id, key);
    pthread_mutex_lock(&a->lock);
    wait = wait_locked(a, key, now);
    pthread_mutex_unlock(&a->lock);
    return wait;
}

/* Count a failed login. */
void
auth_throttle_fail(struct auth *a, const char *user_id, int64_t now)
{
    unsigned char key[KEY_BYTES];

    make_key(user_id, key);
    pthread_mutex_lock(&a->lock);
    fail_locked(a, key, now);
    pthread_mutex_unlock(&a->lock);
}

/* Admit a login attempt and count it as a failure until it succeeds, or refuse it. */
int64_t
auth_throttle_attempt(struct auth *a, const char *user_id, int64_t now)
{
    unsigned char key[KEY_BYTES];
    int64_t wait;

    make_key(user_id, key);
    pthread_mutex_lock(&a->lock);
    wait = wait_locked(a, key, now);
    if (wait == 0)
        fail_locked(a, key, now);
    pthread_mutex_unlock(&a->lock);
    return wait;
}

/* Forget the failures of a user id. */
void
auth_throttle_clear(struct auth *a, const char *user_id)
{
    unsigned char key[KEY_BYTES];
    struct slot *s;

    make_key(user_id, key);
    pthread_mutex_lock(&a->lock);
    s = find_slot(a, key);
    if (s != NULL)
        memset(s, 0, sizeof *s);
    pthread_mutex_unlock(&a->lock);
}

/* Wait until fewer than max_hashing verifications run, then count this one. */
static void
hashing_enter(struct auth *a)
{
    pthread_mutex_lock(&a->lock);
    while (a->hashing >= a->cfg.max_hashing)
        pthread_cond_wait(&a->hash_free, &a->lock);
    a->hashing++;
    pthread_mutex_unlock(&a->lock);
}

/* One verification is done: let a waiting one run. */
static void
hashing_leave(struct auth *a)
{
    pthread_mutex_lock(&a->lock);
    a->hashing--;
    pthread_cond_signal(&a->hash_free);
    pthread_mutex_unlock(&a->lock);
}

/* Check a user id and password. */
int
auth_login(struct auth *a, struct store *st, const char *user_id, const char *password,
           struct user *out, struct err *e)
{
    struct user_row row;
    struct err ge;
    bool found, ok;
    int rc;

    memset(out, 0, sizeof *out);
    memset(&row, 0, sizeof row);
    err_clear(&ge);
    rc = st->ops->user_get(st, user_id, &row, &ge);
    if (rc != HL_OK && rc != HL_ENOENT) {
        *e = ge;
        goto out;
    }
    found = rc == HL_OK && row.pw_hash != NULL;
    hashing_enter(a);
    ok = auth_verify_password(found ? row.pw_hash : a->decoy, password);
    hashing_leave(a);
    if (!found || !ok || row.disabled) {
        rc = err_set(e, HL_ENOENT, "", "wrong user or password");
        goto out;
    }
    *out = row.user;
    memset(&row.user, 0, sizeof row.user);
    rc = HL_OK;
out:
    user_row_fini(&row);
    return rc;
}

/* Authenticate a request by its bearer token. */
int
auth_request(struct server *srv, struct request *req, struct reply *rep)
{
    struct store *st = srv->store;
    char token[AUTH_TOKEN_LEN + 1], hash[AUTH_TOKEN_HASH_LEN + 1];
    struct user u;
    struct err e;
    hl_time expires = 0;
    int rc;

    memset(&u, 0, sizeof u);
    err_clear(&e);
    if (str_empty(req->headers.authorization)) {
        reply_error(rep, 401, AUTH_CODE_UNAUTHORIZED, NULL,
                    "missing token: log in with POST /api/v1/session");
        rc = 1;
        goto out;
    }
    if (!auth_bearer_token(req->headers.authorization, token, sizeof token)) {
        reply_error(rep, 401, AUTH_CODE_UNAUTHORIZED, NULL,
                    "malformed Authorization header: send `Authorization: Bearer <token>` "
                    "with the token from POST /api/v1/session");
        rc = 1;
        goto out;
    }
    if (st == NULL) {
        reply_error(rep, 500, "internal_error", NULL, "no database is open");
        rc = 1;
        goto out;
    }
    auth_token_hash(token, hash, sizeof hash);
    sodium_memzero(token, sizeof token);
    rc = st->ops->session_get(st, hash, server_now(srv), &u, &expires, &e);
    if (rc == HL_ENOENT) {
        reply_error(rep, 401, AUTH_CODE_UNAUTHORIZED, NULL,
                    "token expired or revoked: log in again");
        goto out;
    }
    if (rc != HL_OK) {
        reply_error(rep, 500, "internal_error", NULL, "checking the session failed: %s", e.msg);
        goto out;
    }
    user_fini(&req->user);
    req->user = u;
    memset(&u, 0, sizeof u);
    req->authed = true;
out:
    if (rc != 0 && rep->status == 401)
        reply_add_header(rep, "WWW-Authenticate", "Bearer");
    user_fini(&u);
    return rc;
}

/* Authenticate a request (server_auth_fn). */
bool
auth_authenticate(struct server *srv, struct request *req, struct reply *rep)
{
    return auth_request(srv, req, rep) == 0;
}
