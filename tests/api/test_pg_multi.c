/* test_pg_multi: two hotlined on one PostgreSQL database, as a centre behind a load
 * balancer runs them: what one writes the other reads; a watcher parked on one wakes
 * within a second of a change through the other (LISTEN/NOTIFY); the same action raced
 * through both with one If-Match lets exactly one win, the other gets 412; one
 * Idempotency-Key sent to both makes one ticket. Needs $HOTLINE_TEST_PG (a cluster from
 * scripts/pg-test-cluster.sh); exits 77 (skipped) without it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hotline/util.h"
#include "auth.h"
#include "harness.h"
#include "pgfx.h"
#include "store.h"

/* What the tests share: the database, its two servers and an agent's token. */
struct world {
    char db[64];
    char uri[1024];
    const char *extra[3];           /* "--db" uri: both servers on the one database */
    struct tz *tz;
    struct harness *a, *b;
    char tok[AUTH_TOKEN_LEN + 1];
    int phone_seq;
};

/* The headers of an agent's JSON request (auth must outlive the call). */
static void
agent_headers(const struct world *w, char *auth, size_t sz, const char **h, const char *extra)
{
    size_t n = 0;

    snprintf(auth, sz, "Authorization: Bearer %s", w->tok);
    h[n++] = auth;
    h[n++] = "Content-Type: application/json";
    if (extra != NULL)
        h[n++] = extra;
    h[n] = NULL;
}

/* One request as the agent through client c (extra: one more header line or NULL). */
static long
agent_req(const struct world *w, struct http_client *c, const char *method, const char *path,
          const char *body, const char *extra, struct http_reply *r)
{
    const char *h[4];
    char auth[160];

    agent_headers(w, auth, sizeof auth, h, extra);
    return http_client_request(c, method, path, h, body, body != NULL ? strlen(body) : 0, r);
}

/* Create a ticket through h (with an Idempotency-Key header when key is set); the status,
 * and the id into id (>= 32 bytes) when there is one. */
static long
create_ticket(struct world *w, struct harness *h, const char *key, char *id)
{
    struct http_reply r;
    char *body, header[128];
    const cJSON *v;
    long status;

    body = xasprintf("{\"channel\":\"phone\",\"caller\":{\"name\":\"李\",\"salutation\":\"女士\","
                     "\"phone\":\"139%08d\"},\"nature\":\"complaint\",\"complaint_level\":2,"
                     "\"category\":\"urban.env.social_noise\",\"title\":\"小区噪音\","
                     "\"description\":\"每晚广场舞音响过大，影响休息。\","
                     "\"location\":\"幸福路88号\"}", 10000000 + ++w->phone_seq);
    snprintf(header, sizeof header, "Idempotency-Key: %s", key != NULL ? key : "");
    status = agent_req(w, h->client, "POST", "/api/v1/tickets", body,
                       key != NULL ? header : NULL, &r);
    v = cJSON_GetObjectItemCaseSensitive(r.json, "id");
    if (cJSON_IsString(v))
        str_copy(id, 32, v->valuestring);
    else if (status == 201 || status == 200)
        fail_msg("create: no id in %s", r.body.buf);
    if (status != 201 && status != 200)
        fail_msg("create through %s: %ld %s", h->base, status,
                 r.body.buf != NULL ? r.body.buf : r.error);
    free(body);
    http_reply_fini(&r);
    return status;
}

/* Make the database, its unit, agent and session; start both servers on it. */
static int
setup(void **state)
{
    struct world *w = xcalloc(1, sizeof *w);
    struct user agent = { .id = (char *)(uintptr_t)"agent1",
                          .name = (char *)(uintptr_t)"张三", .role = USER_AGENT };
    char why[512], hash[AUTH_TOKEN_HASH_LEN + 1];
    struct store *st;
    struct err e;
    hl_time now = (hl_time)time(NULL);

    err_clear(&e);
    if (!pgfx_create("hlmulti", w->db, sizeof w->db, w->uri, sizeof w->uri, why, sizeof why))
        fail_msg("pgfx_create: %s", why);
    if (auth_init(&e) != HL_OK)
        fail_msg("auth_init: %s", e.msg);
    w->tz = tz_fixed("Asia/Shanghai", 8 * 3600);
    st = store_open(w->uri, w->tz, &e);
    if (st == NULL)
        fail_msg("store_open: %s", e.msg);
    auth_new_token(w->tok, sizeof w->tok);
    auth_token_hash(w->tok, hash, sizeof hash);
    if (st->ops->unit_add(st, "water", "市水务局", &e) != HL_OK
        || st->ops->user_add(st, &agent, "$argon2id$not-used", &e) != HL_OK
        || st->ops->session_add(st, hash, "agent1", now, now + 3600, &e) != HL_OK)
        fail_msg("seeding: %s", e.msg);
    st->ops->close(st);
    w->extra[0] = "--db";
    w->extra[1] = w->uri;
    w->extra[2] = NULL;
    w->a = harness_start(w->extra);
    w->b = harness_start(w->extra);
    *state = w;
    return 0;
}

/* Stop both servers and drop the database. */
static int
teardown(void **state)
{
    struct world *w = *state;
    char why[512];

    harness_free(&w->a);
    harness_free(&w->b);
    if (!pgfx_drop(w->db, why, sizeof why))
        fprintf(stderr, "pgfx_drop: %s\n", why);
    tz_free(&w->tz);
    free(w);
    return 0;
}

/* Both servers say they run on PostgreSQL. */
static void
test_health(void **state)
{
    struct world *w = *state;
    struct http_reply r;

    assert_int_equal(http_get(w->a, "/api/v1/health", &r), 200);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(r.json, "store")->valuestring,
                        "postgresql");
    http_reply_fini(&r);
    assert_non_null(strstr(w->b->ready, "store postgresql"));
}

/* A ticket created through A is read through B, same version. */
static void
test_read_across(void **state)
{
    struct world *w = *state;
    struct http_reply r;
    char id[32], path[96];

    assert_int_equal(create_ticket(w, w->a, NULL, id), 201);
    snprintf(path, sizeof path, "/api/v1/tickets/%s", id);
    assert_int_equal(agent_req(w, w->b->client, "GET", path, NULL, NULL, &r), 200);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(r.json, "id")->valuestring, id);
    assert_string_equal(r.etag, "\"1\"");
    http_reply_fini(&r);
}

/* A long poll parked on one server, waiting for the ticket named by id (set by the
 * main thread once its create has been answered; read under lock). */
struct watcher {
    const struct world *w;
    struct harness *h;
    long long since;
    pthread_mutex_t lock;
    char id[32];
    long status;
    long long woke_ms;          /* when the answer carrying the ticket came */
    int polls;
};

/* The id the main thread set, waiting up to 5 s for it; false when none came. */
static bool
watched_id(struct watcher *wt, char *id, size_t sz)
{
    long long until = harness_now_ms() + 5000;
    struct timespec ts = { 0, 5 * 1000000L };

    for (;;) {
        pthread_mutex_lock(&wt->lock);
        str_copy(id, sz, wt->id);
        pthread_mutex_unlock(&wt->lock);
        if (id[0] != '\0')
            return true;
        if (harness_now_ms() > until)
            return false;
        nanosleep(&ts, NULL);
    }
}

/* Park on GET /feed?since=&wait=10 until an answer carries the ticket. An answer may come
 * before the main thread knows the id (the notification can beat the create's reply):
 * each answer is checked once the id is known; one without it (an earlier change still
 * on its way from the other instance) means park again from the seq it gave. */
static void *
watch_run(void *arg)
{
    struct watcher *wt = arg;
    struct http_client *c = http_client_new(wt->h);
    long long deadline = harness_now_ms() + 10000;
    struct http_reply r;
    char path[96], id[32];
    bool done = false;

    while (!done && harness_now_ms() < deadline) {
        snprintf(path, sizeof path, "/api/v1/feed?since=%lld&wait=10", wt->since);
        wt->status = agent_req(wt->w, c, "GET", path, NULL, NULL, &r);
        wt->woke_ms = harness_now_ms();
        wt->polls++;
        if (wt->status != 200
            || !cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(r.json, "seq"))
            || !watched_id(wt, id, sizeof id))
            done = true;         /* give up: the main thread reports it */
        else
            done = r.body.buf != NULL && strstr(r.body.buf, id) != NULL;
        if (!done)
            wt->since = (long long)cJSON_GetObjectItemCaseSensitive(r.json, "seq")->valuedouble;
        http_reply_fini(&r);
    }
    http_client_free(&c);
    return NULL;
}

/* The feed position of a server. */
static long long
feed_seq(const struct world *w, struct harness *h)
{
    struct http_reply r;
    long long seq;

    assert_int_equal(agent_req(w, h->client, "GET", "/api/v1/feed", NULL, NULL, &r), 200);
    seq = (long long)cJSON_GetObjectItemCaseSensitive(r.json, "seq")->valuedouble;
    http_reply_fini(&r);
    return seq;
}

/* A watcher parked on `on` wakes within a second of a change made through `by`. */
static void
watch_across(struct world *w, struct harness *on, struct harness *by)
{
    struct watcher wt = { .w = w, .h = on };
    pthread_t th;
    long long committed;
    char id[32];

    pthread_mutex_init(&wt.lock, NULL);
    wt.since = feed_seq(w, on);
    assert_int_equal(pthread_create(&th, NULL, watch_run, &wt), 0);
    {
        struct timespec ts = { 0, 300 * 1000000L };   /* let it park */

        nanosleep(&ts, NULL);
    }
    assert_int_equal(create_ticket(w, by, NULL, id), 201);
    committed = harness_now_ms();
    pthread_mutex_lock(&wt.lock);
    str_copy(wt.id, sizeof wt.id, id);
    pthread_mutex_unlock(&wt.lock);
    assert_int_equal(pthread_join(th, NULL), 0);
    pthread_mutex_destroy(&wt.lock);
    assert_int_equal(wt.status, 200);
    print_message("watcher on %s saw the change %lld ms after the commit through %s "
                  "(%d polls)\n", on->base, wt.woke_ms - committed, by->base, wt.polls);
    assert_true(wt.woke_ms - committed < 1000);
}

/* The feed crosses instances both ways. */
static void
test_feed_across(void **state)
{
    struct world *w = *state;

    watch_across(w, w->b, w->a);
    watch_across(w, w->a, w->b);
}

/* One racer: the same dispatch with the same If-Match through its server. */
struct racer {
    const struct world *w;
    struct harness *h;
    const char *id;
    pthread_barrier_t *go;
    long status;
};

/* Wait for the other racer, then send the action. */
static void *
race_run(void *arg)
{
    struct racer *rc = arg;
    struct http_client *c = http_client_new(rc->h);
    struct http_reply r;
    char path[96];

    snprintf(path, sizeof path, "/api/v1/tickets/%s/dispatch", rc->id);
    /* warm the connection, so both requests leave at the same moment */
    agent_req(rc->w, c, "GET", "/api/v1/health", NULL, NULL, &r);
    http_reply_fini(&r);
    pthread_barrier_wait(rc->go);
    rc->status = agent_req(rc->w, c, "POST", path,
                           "{\"units\":[{\"unit\":\"water\",\"role\":\"lead\"}],"
                           "\"note\":\"请核查\"}", "If-Match: \"1\"", &r);
    http_reply_fini(&r);
    http_client_free(&c);
    return NULL;
}

/* The same action with the same If-Match through A and B at once: exactly one 200, the
 * other 412; the ticket is dispatched once (version 2). Several rounds. */
static void
test_race(void **state)
{
    struct world *w = *state;
    struct racer rc[2];
    pthread_barrier_t go;
    pthread_t th[2];
    struct http_reply r;
    char id[32], path[96];
    int round, i, wins;

    for (round = 0; round < 5; round++) {
        assert_int_equal(create_ticket(w, w->a, NULL, id), 201);
        pthread_barrier_init(&go, NULL, 2);
        for (i = 0; i < 2; i++) {
            rc[i] = (struct racer){ .w = w, .h = i == 0 ? w->a : w->b, .id = id, .go = &go };
            assert_int_equal(pthread_create(&th[i], NULL, race_run, &rc[i]), 0);
        }
        for (i = 0; i < 2; i++)
            assert_int_equal(pthread_join(th[i], NULL), 0);
        pthread_barrier_destroy(&go);
        wins = (rc[0].status == 200) + (rc[1].status == 200);
        if (wins != 1 || (rc[0].status != 412 && rc[1].status != 412))
            fail_msg("round %d: A answered %ld, B %ld; want one 200 and one 412", round,
                     rc[0].status, rc[1].status);
        snprintf(path, sizeof path, "/api/v1/tickets/%s", id);
        assert_int_equal(agent_req(w, w->b->client, "GET", path, NULL, NULL, &r), 200);
        assert_string_equal(r.etag, "\"2\"");
        http_reply_fini(&r);
    }
}

/* One Idempotency-Key sent through A, then B: the same ticket, created once. */
static void
test_idempotency_across(void **state)
{
    struct world *w = *state;
    char id1[32], id2[32];

    w->phone_seq = 5000;         /* both bodies the same: same caller number */
    assert_int_equal(create_ticket(w, w->a, "multi-key-1", id1), 201);
    w->phone_seq = 5000;
    create_ticket(w, w->b, "multi-key-1", id2);
    assert_string_equal(id1, id2);
}

/* Run the two-instance tests (77 = skipped without $HOTLINE_TEST_PG). */
int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_health),
        cmocka_unit_test(test_read_across),
        cmocka_unit_test(test_feed_across),
        cmocka_unit_test(test_race),
        cmocka_unit_test(test_idempotency_across),
    };

    if (pgfx_base() == NULL) {
        fprintf(stderr, "test_pg_multi: skipped: set HOTLINE_TEST_PG to a PostgreSQL URI "
                "(scripts/pg-test-cluster.sh start prints one)\n");
        return 77;
    }
    return cmocka_run_group_tests(tests, setup, teardown);
}
