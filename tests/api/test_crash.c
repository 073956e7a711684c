/* test_crash: kill -9 during a burst of creates from 4 client threads; after a restart
 * every ticket that got a 201 is there, its idempotency key still replays, and
 * `hotlined check` passes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hotline/tz.h"
#include "hotline/util.h"
#include "fixture.h"
#include "harness.h"
#include "store.h"

#define THREADS 4
#define MAX_PER_THREAD 20000

/* One client thread and what it was acknowledged. */
struct burst {
    struct harness *h;
    int n;                          /* thread number */
    char auth[160];
    char (*ids)[32];                /* ids of 201 answers */
    char (*keys)[48];               /* their idempotency keys */
    int acked;
    int failed;                     /* answers that were neither 201 nor a transport error */
    atomic_bool *stop;
};

/* The create body of request i of thread n (a distinct caller each). */
static char *
body_of(int n, int i)
{
    return xasprintf("{\"channel\":\"phone\",\"caller\":{\"phone\":\"1380%d%06d\"},"
                     "\"nature\":\"help\",\"description\":\"压力测试 %d-%d\"}", n, i, n, i);
}

/* Thread: create tickets until the server dies (a transport error) or told to stop. */
static void *
burst_main(void *arg)
{
    struct burst *b = arg;
    struct http_client *c = http_client_new(b->h);
    int i;

    for (i = 0; i < MAX_PER_THREAD && !atomic_load(b->stop); i++) {
        char key[48], keyhdr[80], *body = body_of(b->n, i);
        const char *headers[] = { b->auth, "Content-Type: application/json", keyhdr, NULL };
        struct http_reply r;
        const cJSON *id;

        snprintf(key, sizeof key, "crash-%d-%d", b->n, i);
        snprintf(keyhdr, sizeof keyhdr, "Idempotency-Key: %s", key);
        http_client_request(c, "POST", "/api/v1/tickets", headers, body, strlen(body), &r);
        free(body);
        if (r.status == 0) {
            http_reply_fini(&r);
            break;                      /* the server is gone */
        }
        id = cJSON_GetObjectItemCaseSensitive(r.json, "id");
        if (r.status == 201 && cJSON_IsString(id)) {
            str_copy(b->ids[b->acked], sizeof b->ids[0], id->valuestring);
            str_copy(b->keys[b->acked], sizeof b->keys[0], key);
            b->acked++;
        } else {
            b->failed++;
        }
        http_reply_fini(&r);
    }
    http_client_free(&c);
    return NULL;
}

/* Kill -9 in the middle of the burst, restart, find every acknowledged ticket. */
static void
test_kill_during_burst(void **state)
{
    struct harness *h = harness_start(NULL);
    struct burst b[THREADS];
    pthread_t th[THREADS];
    atomic_bool stop = false;
    static const struct fixture_account agent = { "agent1", "张三", USER_AGENT, NULL };
    char auth[160];
    struct tz *tz = tz_fixed("UTC", 0);
    struct store *st;
    struct err e;
    int i, j, total = 0, found = 0;

    (void)state;
    err_clear(&e);
    st = store_open(h->db, tz, &e);
    assert_non_null(st);
    fixture_store_user(st, &agent, auth, sizeof auth);
    st->ops->close(st);

    for (i = 0; i < THREADS; i++) {
        memset(&b[i], 0, sizeof b[i]);
        b[i].h = h;
        b[i].n = i;
        str_copy(b[i].auth, sizeof b[i].auth, auth);
        b[i].ids = calloc(MAX_PER_THREAD, sizeof *b[i].ids);
        b[i].keys = calloc(MAX_PER_THREAD, sizeof *b[i].keys);
        b[i].stop = &stop;
        assert_int_equal(pthread_create(&th[i], NULL, burst_main, &b[i]), 0);
    }
    usleep(1500 * 1000);
    harness_kill(h);
    for (i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(b[i].failed, 0);
        total += b[i].acked;
    }
    /* the burst really ran */
    print_message("%d creates acknowledged before kill -9\n", total);
    assert_true(total >= 20);
    harness_restart(h);
    for (i = 0; i < THREADS; i++) {
        for (j = 0; j < b[i].acked; j++) {
            struct http_reply r;

            fixture_get_acked(h, b[i].auth, b[i].ids[j], &r);
            found++;
            http_reply_fini(&r);
        }
    }
    assert_int_equal(found, total);
    /* the last acknowledged create of each thread replays to the same ticket */
    for (i = 0; i < THREADS; i++) {
        char keyhdr[80], *body;
        const char *headers[] = { b[i].auth, "Content-Type: application/json", keyhdr, NULL };
        struct http_reply r;
        int last = b[i].acked - 1;

        if (last < 0)
            continue;
        snprintf(keyhdr, sizeof keyhdr, "Idempotency-Key: %s", b[i].keys[last]);
        body = body_of(i, last);
        http_request(h, "POST", "/api/v1/tickets", headers, body, strlen(body), &r);
        assert_int_equal(r.status, 200);
        assert_string_equal(cJSON_GetObjectItemCaseSensitive(r.json, "id")->valuestring,
                            b[i].ids[last]);
        http_reply_fini(&r);
        free(body);
    }
    fixture_stop_and_check(h);
    for (i = 0; i < THREADS; i++) {
        free(b[i].ids);
        free(b[i].keys);
    }
    tz_free(&tz);
    harness_free(&h);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kill_during_burst),
    };

    curl_global_init(CURL_GLOBAL_DEFAULT);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
