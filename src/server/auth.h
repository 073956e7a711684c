/* auth: argon2id passwords, session tokens, the login throttle, request authentication. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hotline/err.h"
#include "hotline/model.h"

struct auth;
struct reply;
struct request;
struct server;
struct store;

/* Sizes of the strings auth makes, each plus its NUL. */
#define AUTH_TOKEN_LEN      64      /* a token: 32 random bytes as lowercase hex */
#define AUTH_TOKEN_HASH_LEN 64      /* BLAKE2b-256 of a token as lowercase hex */
#define AUTH_PWHASH_MAX     128     /* crypto_pwhash_STRBYTES */

/* Error codes of the answers auth gives (401 and 429 bodies). */
#define AUTH_CODE_UNAUTHORIZED    "unauthorized"          /* no, a malformed or a dead token */
#define AUTH_CODE_BAD_CREDENTIALS "invalid_credentials"   /* wrong user, password, disabled */
#define AUTH_CODE_THROTTLED       "too_many_attempts"     /* 429 with Retry-After */

/* Bounds of passwords (checked by auth_password_check). */
#define AUTH_PASSWORD_MIN   8       /* characters */
#define AUTH_PASSWORD_MAX   1024    /* bytes */

/* Defaults of struct auth_config. */
#define AUTH_DEFAULT_TTL          (12 * 3600)   /* token lifetime, seconds */
#define AUTH_DEFAULT_MAX_FAILURES 5             /* failed logins per user id per window */
#define AUTH_DEFAULT_WINDOW       60            /* seconds */
#define AUTH_DEFAULT_SLOTS        1024          /* user ids the throttle tracks at most */
#define AUTH_DEFAULT_MAX_HASHING  4             /* concurrent password verifications */
#define AUTH_MAX_FAILURES_CAP     32            /* largest max_failures accepted */

/* How expensive a new password hash is. */
enum auth_cost {
    AUTH_COST_INTERACTIVE,    /* OPSLIMIT/MEMLIMIT_INTERACTIVE: real accounts */
    AUTH_COST_MIN,            /* the minimum argon2id allows: tests and throwaway demo data */
};

/* Limits of the login throttle and of sessions. */
struct auth_config {
    int64_t token_ttl;        /* seconds a token lives (>= 60) */
    int max_failures;         /* failures of one user id in a window before 429 (1..cap) */
    int window;               /* the throttle window, seconds (>= 1) */
    size_t slots;             /* user ids tracked; the stalest entry is reused when full */
    int max_hashing;          /* password verifications running at once (>= 1) */
};

/* Initialise libsodium; call once before any other auth function (safe to call again
 * and from several threads). HL_EIO with e filled when the library cannot start. */
int auth_init(struct err *e);

/* Fill cfg with the defaults above. */
void auth_config_init(struct auth_config *cfg);
/* The authenticator of a server: throttle table and the limits of cfg (NULL: defaults),
 * out-of-range values replaced by the defaults. Call auth_init first. NULL and e filled
 * when the decoy hash for unknown users cannot be made. Free with auth_free. */
struct auth *auth_new(const struct auth_config *cfg, struct err *e);
/* Free an authenticator; NULLs the pointer, accepts NULL. */
void auth_free(struct auth **a);
/* The limits in force (borrowed, valid while a lives). */
const struct auth_config *auth_config(const struct auth *a);

/* HL_OK when password may be set: valid UTF-8, at least AUTH_PASSWORD_MIN characters,
 * at most AUTH_PASSWORD_MAX bytes, no control characters; else HL_EINVAL with a message. */
int auth_password_check(const char *password, struct err *e);
/* Hash a password with argon2id into out (AUTH_PWHASH_MAX bytes at least), the
 * crypto_pwhash_str format with its own random salt. HL_EIO when memory for the hash
 * cannot be had, HL_EINVAL when out is too small. */
int auth_hash_password(const char *password, enum auth_cost cost, char *out, size_t outsz,
                       struct err *e);
/* True when password matches a crypto_pwhash_str hash (constant time; false for a
 * malformed hash). */
bool auth_verify_password(const char *hash, const char *password);
/* A new random token: AUTH_TOKEN_LEN hex characters into out (outsz > AUTH_TOKEN_LEN). */
void auth_new_token(char *out, size_t outsz);
/* The hash the store keeps of a token: AUTH_TOKEN_HASH_LEN hex characters into out. */
void auth_token_hash(const char *token, char *out, size_t outsz);
/* The token of an Authorization header value "Bearer <token>" (scheme in any case)
 * into out (outsz > AUTH_TOKEN_LEN); false when the value is not that. */
bool auth_bearer_token(const char *header, char *out, size_t outsz);

/* Seconds user_id must wait before it may try to log in again at now (monotonic
 * seconds), 0 when it may try now. Thread-safe. */
int64_t auth_throttle_wait(struct auth *a, const char *user_id, int64_t now);
/* Count a failed login of user_id (known or not) at now. Thread-safe. */
void auth_throttle_fail(struct auth *a, const char *user_id, int64_t now);
/* Admit a login attempt of user_id at now: when it must wait, return the seconds and
 * count nothing; else count the attempt as a failure at once (so parallel guesses see
 * each other; auth_throttle_clear forgets it when the login succeeds) and return 0.
 * Check and count are one step. Thread-safe. */
int64_t auth_throttle_attempt(struct auth *a, const char *user_id, int64_t now);
/* Forget the failures of user_id after a successful login. Thread-safe. */
void auth_throttle_clear(struct auth *a, const char *user_id);

/* Check a login: wait for a hashing slot, then verify password against the user's
 * row; unknown and disabled users are checked against a decoy hash so every refusal
 * takes as long. On success *out gets the user (owned: user_fini). Returns HL_OK,
 * HL_ENOENT for wrong user, password or a disabled account (one answer for all),
 * or the store's error. Does not touch the throttle. */
int auth_login(struct auth *a, struct store *st, const char *user_id, const char *password,
               struct user *out, struct err *e);

/* Authenticate a request: read `Authorization: Bearer <token>`, look the session up in
 * srv's store at the request's arrival time and fill req->user and req->authed. 0 on
 * success; otherwise rep holds a 401 AUTH_CODE_UNAUTHORIZED (or a 500 when the store fails)
 * and non-zero is returned. */
int auth_request(struct server *srv, struct request *req, struct reply *rep);
/* auth_request as a server_auth_fn (server.h): true when req is authenticated. */
bool auth_authenticate(struct server *srv, struct request *req, struct reply *rep);
