/* test_auth: auth.c without a server: passwords, tokens, bearer headers, the login throttle. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hotline/util.h"
#include "auth.h"

/* Group setup: libsodium. */
static int
setup(void **state)
{
    struct err e;

    (void)state;
    err_clear(&e);
    return auth_init(&e) == HL_OK ? 0 : -1;
}

/* Passwords: the rules of auth_password_check, and hash/verify round trips. */
static void
test_passwords(void **state)
{
    char hash[AUTH_PWHASH_MAX], small[16];
    char *longpw = xmalloc(AUTH_PASSWORD_MAX + 2);
    struct err e;

    (void)state;
    err_clear(&e);
    assert_int_equal(auth_password_check("12345678", &e), HL_OK);
    assert_int_equal(auth_password_check("密码密码密码密码", &e), HL_OK);   /* 8 characters */
    assert_int_equal(auth_password_check("密码密码密码密", &e), HL_EINVAL);  /* 7, 21 bytes */
    assert_non_null(strstr(e.msg, "shorter than 8 characters"));
    assert_int_equal(auth_password_check("1234567", &e), HL_EINVAL);
    assert_int_equal(auth_password_check("", &e), HL_EINVAL);
    assert_non_null(strstr(e.msg, "empty"));
    assert_int_equal(auth_password_check(NULL, &e), HL_EINVAL);
    assert_int_equal(auth_password_check("tab\there-ok?", &e), HL_EINVAL);
    assert_non_null(strstr(e.msg, "control character"));
    assert_int_equal(auth_password_check("bad\xff\xfe utf8", &e), HL_EINVAL);
    memset(longpw, 'a', AUTH_PASSWORD_MAX);
    longpw[AUTH_PASSWORD_MAX] = '\0';
    assert_int_equal(auth_password_check(longpw, &e), HL_OK);
    longpw[AUTH_PASSWORD_MAX] = 'a';
    longpw[AUTH_PASSWORD_MAX + 1] = '\0';
    assert_int_equal(auth_password_check(longpw, &e), HL_EINVAL);
    free(longpw);

    assert_int_equal(auth_hash_password("correct-horse", AUTH_COST_MIN, hash, sizeof hash, &e),
                     HL_OK);
    assert_true(str_starts_with(hash, "$argon2id$"));
    assert_true(auth_verify_password(hash, "correct-horse"));
    assert_false(auth_verify_password(hash, "correct-horsE"));
    assert_false(auth_verify_password(hash, ""));
    assert_false(auth_verify_password("not a hash", "correct-horse"));
    assert_false(auth_verify_password(NULL, "correct-horse"));
    assert_int_equal(auth_hash_password("x", AUTH_COST_MIN, small, sizeof small, &e), HL_EINVAL);
    /* a real account's hash uses the interactive limits and verifies too */
    assert_int_equal(auth_hash_password("correct-horse", AUTH_COST_INTERACTIVE, hash, sizeof hash,
                                        &e), HL_OK);
    assert_non_null(strstr(hash, "m=65536,t=2"));
    assert_true(auth_verify_password(hash, "correct-horse"));
}

/* Tokens are 64 lowercase hex digits and differ; the stored hash is BLAKE2b-256 hex. */
static void
test_tokens(void **state)
{
    char a[AUTH_TOKEN_LEN + 1], b[AUTH_TOKEN_LEN + 1], h1[AUTH_TOKEN_HASH_LEN + 1],
        h2[AUTH_TOKEN_HASH_LEN + 1], out[AUTH_TOKEN_LEN + 1];
    size_t i;

    (void)state;
    auth_new_token(a, sizeof a);
    auth_new_token(b, sizeof b);
    assert_int_equal(strlen(a), 64);
    for (i = 0; i < 64; i++)
        assert_non_null(strchr("0123456789abcdef", a[i]));
    assert_string_not_equal(a, b);
    auth_token_hash(a, h1, sizeof h1);
    auth_token_hash(a, h2, sizeof h2);
    assert_string_equal(h1, h2);
    assert_int_equal(strlen(h1), 64);
    assert_string_not_equal(h1, a);
    /* BLAKE2b-256 of "" (RFC 7693 parameters, 32-byte digest) */
    auth_token_hash("", h1, sizeof h1);
    assert_string_equal(h1, "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");

    snprintf(out, sizeof out, "%s", "");
    assert_true(auth_bearer_token("Bearer 0123456789abcdef0123456789abcdef0123456789abcdef"
                                  "0123456789abcdef", out, sizeof out));
    assert_string_equal(out, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    assert_true(auth_bearer_token("bearer  0123456789abcdef0123456789abcdef0123456789abcdef"
                                  "0123456789abcdef ", out, sizeof out));
    assert_false(auth_bearer_token(NULL, out, sizeof out));
    assert_false(auth_bearer_token("", out, sizeof out));
    assert_false(auth_bearer_token("Bearer", out, sizeof out));
    assert_false(auth_bearer_token("Bearer abc", out, sizeof out));
    assert_false(auth_bearer_token("Basic 0123456789abcdef0123456789abcdef0123456789abcdef"
                                   "0123456789abcdef", out, sizeof out));
    /* uppercase hex, one digit too many, trailing junk */
    assert_false(auth_bearer_token("Bearer 0123456789ABCDEF0123456789abcdef0123456789abcdef"
                                   "0123456789abcdef", out, sizeof out));
    assert_false(auth_bearer_token("Bearer 0123456789abcdef0123456789abcdef0123456789abcdef"
                                   "0123456789abcdef0", out, sizeof out));
    assert_false(auth_bearer_token("Bearer 0123456789abcdef0123456789abcdef0123456789abcdef"
                                   "0123456789abcdef x", out, sizeof out));
}

/* The throttle: max_failures in a window, then the wait until the oldest one ages out. */
static void
test_throttle_window(void **state)
{
    struct auth_config cfg;
    struct auth *a;
    struct err e;
    int i;

    (void)state;
    err_clear(&e);
    auth_config_init(&cfg);
    assert_int_equal(cfg.max_failures, 5);
    assert_int_equal(cfg.window, 60);
    assert_int_equal(cfg.token_ttl, 12 * 3600);
    a = auth_new(&cfg, &e);
    assert_non_null(a);
    /* failures at t = 1000, 1010, 1020, 1030, 1040 */
    for (i = 0; i < 5; i++) {
        assert_int_equal(auth_throttle_wait(a, "agent1", 1000 + 10 * i), 0);
        auth_throttle_fail(a, "agent1", 1000 + 10 * i);
    }
    /* the oldest (1000) leaves the window at 1060 */
    assert_int_equal(auth_throttle_wait(a, "agent1", 1041), 19);
    assert_int_equal(auth_throttle_wait(a, "agent1", 1059), 1);
    assert_int_equal(auth_throttle_wait(a, "agent1", 1060), 0);
    /* others are not affected; ids are exact */
    assert_int_equal(auth_throttle_wait(a, "agent2", 1041), 0);
    assert_int_equal(auth_throttle_wait(a, "Agent1", 1041), 0);
    /* one more failure at 1060: 1010..1060 are five again, wait until 1070 */
    auth_throttle_fail(a, "agent1", 1060);
    assert_int_equal(auth_throttle_wait(a, "agent1", 1061), 9);
    /* a success forgets */
    auth_throttle_clear(a, "agent1");
    assert_int_equal(auth_throttle_wait(a, "agent1", 1061), 0);
    /* failures spread out never trip it */
    for (i = 0; i < 20; i++) {
        assert_int_equal(auth_throttle_wait(a, "slow", 5000 + 13 * i), 0);
        auth_throttle_fail(a, "slow", 5000 + 13 * i);
    }
    /* attempts count at once; a refused attempt does not extend the wait */
    for (i = 0; i < 5; i++)
        assert_int_equal(auth_throttle_attempt(a, "racer", 2000 + i), 0);
    assert_int_equal(auth_throttle_attempt(a, "racer", 2010), 50);
    assert_int_equal(auth_throttle_attempt(a, "racer", 2059), 1);
    assert_int_equal(auth_throttle_attempt(a, "racer", 2060), 0);   /* 2000 aged out */
    assert_int_equal(auth_throttle_attempt(a, "racer", 2060), 1);   /* 2001..2004, 2060 */
    auth_throttle_clear(a, "racer");                                 /* it succeeded */
    assert_int_equal(auth_throttle_wait(a, "racer", 2060), 0);
    auth_free(&a);
    assert_null(a);
    auth_free(&a);
}

/* The table is bounded: with more ids than slots the stalest is forgotten, the rest kept. */
static void
test_throttle_bounded(void **state)
{
    struct auth_config cfg;
    struct auth *a;
    struct err e;
    char id[32];
    int i, k;

    (void)state;
    err_clear(&e);
    auth_config_init(&cfg);
    cfg.slots = 4;
    cfg.max_failures = 2;
    a = auth_new(&cfg, &e);
    assert_non_null(a);
    for (i = 0; i < 4; i++) {
        snprintf(id, sizeof id, "user%d", i);
        for (k = 0; k < 2; k++)
            auth_throttle_fail(a, id, 100 + i);
    }
    for (i = 0; i < 4; i++) {
        snprintf(id, sizeof id, "user%d", i);
        assert_int_equal(auth_throttle_wait(a, id, 110), 60 - 10 + i);
    }
    /* a fifth id takes the slot of user0 (the stalest) */
    auth_throttle_fail(a, "user4", 120);
    assert_int_equal(auth_throttle_wait(a, "user0", 121), 0);
    assert_int_equal(auth_throttle_wait(a, "user1", 121), 40);
    /* expired entries are reused first */
    auth_throttle_fail(a, "user5", 500);
    auth_throttle_fail(a, "user5", 500);
    assert_int_equal(auth_throttle_wait(a, "user5", 501), 59);
    /* out-of-range configuration falls back to the defaults */
    auth_free(&a);
    cfg.slots = 0;
    cfg.max_failures = 1000;
    cfg.window = 0;
    cfg.token_ttl = 5;
    a = auth_new(&cfg, &e);
    assert_non_null(a);
    assert_int_equal(auth_config(a)->slots, AUTH_DEFAULT_SLOTS);
    assert_int_equal(auth_config(a)->max_failures, 5);
    assert_int_equal(auth_config(a)->window, 60);
    assert_int_equal(auth_config(a)->token_ttl, 12 * 3600);
    auth_free(&a);
}

/* Run the tests. */
int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_passwords),
        cmocka_unit_test(test_tokens),
        cmocka_unit_test(test_throttle_window),
        cmocka_unit_test(test_throttle_bounded),
    };

    return cmocka_run_group_tests_name("auth", tests, setup, NULL);
}
