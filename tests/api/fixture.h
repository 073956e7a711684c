/* fixture: the API tests' shared setup: seeded units and accounts, logins, tickets in the store. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "hotline/calendar.h"
#include "hotline/model.h"
#include "hotline/rules.h"
#include "hotline/tz.h"
#include "auth.h"
#include "harness.h"
#include "store.h"
#include "workflow.h"

/* ---- accounts added straight into the store (test_calls, test_kb, test_stats) ---- */

/* One account for fixture_start, added straight into the store. */
struct fixture_account {
    const char *id;
    const char *name;
    enum user_role role;
    const char *unit;               /* NULL unless a unit account */
};

/* One unit for fixture_start. */
struct fixture_unit {
    const char *code;
    const char *name;
};

/* Most accounts a fixture logs in. */
#define FIXTURE_ACCOUNTS_MAX 16

/* A running server and a token per account (same order as the accounts given). */
struct fixture {
    struct harness *h;
    char *tok[FIXTURE_ACCOUNTS_MAX];    /* owned */
    size_t ntok;
};

/* Group setup's first half: start hotlined on the test clock fake_now (NULL: the real
 * clock) and add units and accounts (all with password pw) straight into its database.
 * *state gets the fixture at once, so fixture_stop runs even when the setup fails. */
struct fixture *fixture_start(void **state, const char *fake_now,
                              const struct fixture_unit *units, size_t nunits,
                              const struct fixture_account *accounts, size_t naccounts,
                              const char *pw);
/* Log every account in with POST /session (must be 200); tokens into f->tok. */
void fixture_login_all(struct fixture *f, const struct fixture_account *accounts,
                       size_t naccounts, const char *pw);
/* Group teardown: stop the server, free the tokens and the fixture. */
int fixture_stop(void **state);

/* ---- any hotlined ---- */

/* Add a unit through `hotlined unit add` on h's database; fails the test with its message
 * otherwise. */
void fixture_cli_unit_add(const struct harness *h, const char *code, const char *name);

/* ---- after a kill -9 (test_crash, test_crash_actions) ---- */

/* Add account a (password FIXTURE_PW) and a session of it, valid for an hour from now,
 * straight into st; the session's "Authorization: Bearer ..." header line into auth. */
void fixture_store_user(struct store *st, const struct fixture_account *a, char *auth,
                        size_t authsz);
/* GET the acknowledged ticket id as auth (an Authorization header line) into r
 * (http_reply_fini it); fails the test, naming the ticket, when it is not there (200). */
void fixture_get_acked(struct harness *h, const char *auth, const char *id,
                       struct http_reply *r);
/* Stop hotlined (asserting a clean exit) and assert that `hotlined check` passes on its
 * database; fails the test with check's output otherwise. */
void fixture_stop_and_check(struct harness *h);

/* ---- a world on the test clock with CLI-seeded accounts (test_tickets, test_authz) ---- */

/* The password of every account of a world. */
#define FIXTURE_PW "correct-horse-7"
/* The server's test clock of a world: a Tuesday morning. */
#define FIXTURE_T0_TEXT "2026-11-24T10:00:00+08:00"

/* Who sends a request. */
enum who { W_AGENT, W_UNIT, W_UNIT_OTHER, W_SUP, W_ADMIN, W_NONE, W_EXPIRED, W_COUNT };

/* The name of each kind of caller, for messages. */
extern const char *const fixture_who_name[W_COUNT];

/* One account seeded through `hotlined user add` (password on stdin). */
struct fixture_user {
    const char *id, *name, *role, *unit;
};

/* Add account u through `hotlined user add` on h's database, password FIXTURE_PW on its
 * standard input; fails the test otherwise. */
void fixture_cli_user_add(const struct harness *h, const struct fixture_user *u);

/* Everything the tests share. */
struct fixture_world {
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

/* Group setup: units water, gas, power and users agent1, u_water, u_gas, sup1, admin1, then
 * extra (nextra of them, may be NULL), through the CLI; a server on the test clock; a token
 * per kind of caller. *w and *state get the world. */
int fixture_world_setup(void **state, const struct fixture_user *extra, size_t nextra,
                        struct fixture_world **w);
/* Group teardown: stop the server and free the world. */
int fixture_world_teardown(void **state);

/* Run the world's hotlined with args (NULL-ended, without the program name) and text on its
 * standard input (NULL: none), its output thrown away; return its exit status. */
int fixture_run_with_input(const char *const *args, const char *input);
/* A session of user straight in the store (expires at expires). */
void fixture_store_session(const char *user, hl_time created, hl_time expires, char *tok,
                           size_t toksz);
/* Log user in with POST /session; the token into tok. */
void fixture_login(const char *user, char *tok, size_t toksz);
/* One request as who with an optional JSON body and extra header lines (NULL-ended). */
long fixture_req_as(enum who w, const char *method, const char *path, const char *body,
                    size_t len, const char *const *extra, struct http_reply *r);
/* GET path as who. */
long fixture_get_as(enum who w, const char *path, struct http_reply *r);
/* POST a JSON body as who. */
long fixture_post_as(enum who w, const char *path, const char *body, struct http_reply *r);
/* A string member of an object (NULL when absent or not a string). */
const char *fixture_js(const cJSON *o, const char *name);
/* Assert that a string member has the value want (a missing member fails, not crashes). */
void fixture_expect_str(const cJSON *o, const char *name, const char *want);
/* True when a member is JSON null. */
bool fixture_jnull(const cJSON *o, const char *name);
/* An integer member of an object (-1 when absent). */
long fixture_jint(const cJSON *o, const char *name);
/* Assert an error reply: status, the shape {"error":{"code","message","field",...}} and code. */
void fixture_expect_error(const struct http_reply *r, long status, const char *code);
/* A fresh caller number. */
void fixture_next_phone(char *buf, size_t sz);
/* A create body: nature, a fresh phone (into phone when not NULL), more members. */
char *fixture_create_body(const char *nature, const char *phone, const char *more);
/* Create a ticket as the agent; its id into id (>= 32 bytes). */
void fixture_create_ticket(const char *nature, const char *more, char *id);
/* Create a confidential report ticket as who (must be 201); its phone and id (>= 32 bytes). */
void fixture_create_confidential(enum who w, char *phone, size_t phonesz, char *id);
/* POST /tickets/{id}/{action} as who with body; returns the status (r filled). */
long fixture_act(enum who w, const char *id, const char *action, const char *body,
                 struct http_reply *r);
/* Take an action that must succeed; the new status must be want_status. */
void fixture_act_ok(enum who w, const char *id, const char *action, const char *body,
                    const char *want_status);
/* A ticket made straight in the store: intake at `at` by agent1, dispatched at dispatch_at
 * (0: not dispatched) with the dispatch body given. id gets the stored id. */
void fixture_seed_ticket(const char *nature, const char *more, hl_time at, const char *dispatch,
                         hl_time dispatch_at, char *id);
/* An instant of the centre's zone. */
hl_time fixture_local(int y, int mo, int d, int h, int mi);
