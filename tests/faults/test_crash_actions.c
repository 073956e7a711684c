/* test_crash_actions: kill -9 during a burst of creates AND workflow actions (dispatch,
 * accept, reply) from 4 client threads. After a restart every acknowledged write is
 * there, nothing is half-applied (each ticket's version equals its number of events, the
 * acknowledged actions are its timeline in order, at most the one in-flight action more),
 * and `hotlined check` passes. */
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
#define MAX_PER_THREAD 5000
#define STEPS 4                 /* created, dispatch, accept, reply */

/* The agent and the unit account of the burst. */
static const struct fixture_account accounts[] = {
    { "agent1", "agent1", USER_AGENT, NULL },
    { "u_water", "u_water", USER_UNIT, "water" },
};

/* The timeline of a ticket that went all the way. */
static const char *const step_type[STEPS] = { "created", "dispatch", "accept", "reply" };

/* One client thread and what it was acknowledged. */
struct burst {
    struct harness *h;
    int n;
    char agent[160];                /* Authorization header lines */
    char unit[160];
    char (*ids)[32];
    int *acked_steps;               /* per ticket: steps acknowledged (1 = created) */
    int tickets;
    int failed;                     /* answers that were neither success nor transport error */
    char last_fail[256];
    atomic_bool *stop;
};

/* One request; 1 on the expected status, 0 on a transport error (server gone), -1 else. */
static int
send_one(struct burst *b, struct http_client *c, const char *auth, const char *path,
         const char *body, long want, char *id_out)
{
    const char *headers[] = { auth, "Content-Type: application/json", NULL };
    struct http_reply r;
    int rc;

    http_client_request(c, "POST", path, headers, body, strlen(body), &r);
    if (r.status == 0) {
        rc = 0;
    } else if (r.status == want) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(r.json, "id");

        if (id_out != NULL && cJSON_IsString(id))
            str_copy(id_out, 32, id->valuestring);
        rc = 1;
    } else {
        snprintf(b->last_fail, sizeof b->last_fail, "%s: %ld %.200s", path, r.status,
                 r.body.buf != NULL ? r.body.buf : "");
        rc = -1;
    }
    http_reply_fini(&r);
    return rc;
}

/* Thread: create, dispatch, accept, reply, again, until the server dies. */
static void *
burst_main(void *arg)
{
    struct burst *b = arg;
    struct http_client *c = http_client_new(b->h);
    static const char *const action[STEPS] = { NULL, "dispatch", "accept", "reply" };
    static const char *const body[STEPS] = {
        NULL, "{\"units\":[{\"unit\":\"water\",\"role\":\"lead\"}]}", "{}",
        "{\"reply\":\"已处理\"}",
    };
    int i, s;

    for (i = 0; i < MAX_PER_THREAD && !atomic_load(b->stop); i++) {
        char *create = xasprintf("{\"channel\":\"phone\",\"caller\":{\"phone\":\"1390%d%06d\"},"
                                 "\"nature\":\"help\",\"description\":\"故障测试 %d-%d\"}",
                                 b->n, i, b->n, i);
        int rc = send_one(b, c, b->agent, "/api/v1/tickets", create, 201, b->ids[i]);

        free(create);
        if (rc <= 0) {
            b->failed += rc < 0;
            break;
        }
        b->tickets = i + 1;
        b->acked_steps[i] = 1;
        for (s = 1; s < STEPS; s++) {
            char path[96];

            snprintf(path, sizeof path, "/api/v1/tickets/%s/%s", b->ids[i], action[s]);
            rc = send_one(b, c, s == 1 ? b->agent : b->unit, path, body[s], 200, NULL);
            if (rc <= 0)
                break;
            b->acked_steps[i] = s + 1;
        }
        if (rc <= 0) {
            b->failed += rc < 0;
            break;
        }
    }
    http_client_free(&c);
    return NULL;
}

/* Kill -9 in the middle of the burst, restart, check every acknowledged write. */
static void
test_kill_during_actions(void **state)
{
    struct harness *h = harness_start(NULL);
    struct burst b[THREADS];
    pthread_t th[THREADS];
    atomic_bool stop = false;
    char agent[160], unit[160];
    struct tz *tz = tz_fixed("UTC", 0);
    struct store *st;
    struct err e;
    int i, j, k, tickets = 0, actions = 0, inflight = 0;

    (void)state;
    err_clear(&e);
    fixture_cli_unit_add(h, "water", "市自来水公司");
    st = store_open(h->db, tz, &e);
    assert_non_null(st);
    fixture_store_user(st, &accounts[0], agent, sizeof agent);
    fixture_store_user(st, &accounts[1], unit, sizeof unit);
    st->ops->close(st);

    for (i = 0; i < THREADS; i++) {
        memset(&b[i], 0, sizeof b[i]);
        b[i].h = h;
        b[i].n = i;
        str_copy(b[i].agent, sizeof b[i].agent, agent);
        str_copy(b[i].unit, sizeof b[i].unit, unit);
        b[i].ids = calloc(MAX_PER_THREAD, sizeof *b[i].ids);
        b[i].acked_steps = calloc(MAX_PER_THREAD, sizeof *b[i].acked_steps);
        b[i].stop = &stop;
        assert_int_equal(pthread_create(&th[i], NULL, burst_main, &b[i]), 0);
    }
    usleep(2000 * 1000);
    harness_kill(h);
    for (i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        if (b[i].failed != 0)
            fail_msg("thread %d got a refusal before the kill: %s", i, b[i].last_fail);
        tickets += b[i].tickets;
        for (j = 0; j < b[i].tickets; j++)
            actions += b[i].acked_steps[j] - 1;
    }
    print_message("%d creates and %d actions acknowledged before kill -9\n", tickets, actions);
    assert_true(tickets >= 10);
    assert_true(actions >= 20);
    harness_restart(h);
    for (i = 0; i < THREADS; i++) {
        for (j = 0; j < b[i].tickets; j++) {
            struct http_reply r;
            const cJSON *events, *ver;
            int acked = b[i].acked_steps[j], n;

            fixture_get_acked(h, b[i].agent, b[i].ids[j], &r);
            events = cJSON_GetObjectItemCaseSensitive(r.json, "events");
            ver = cJSON_GetObjectItemCaseSensitive(r.json, "version");
            n = cJSON_GetArraySize(events);
            assert_true(cJSON_IsNumber(ver));
            /* nothing half-applied: one event per version */
            if ((int)ver->valuedouble != n)
                fail_msg("%s: version %d but %d events", b[i].ids[j], (int)ver->valuedouble, n);
            /* every acknowledged step, at most one unacknowledged (in flight) more */
            if (n < acked || n > acked + 1)
                fail_msg("%s: %d steps acknowledged, %d events after restart", b[i].ids[j],
                         acked, n);
            inflight += n - acked;
            for (k = 0; k < n && k < STEPS; k++) {
                const cJSON *t = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(events, k),
                                                                  "type");

                if (!cJSON_IsString(t) || strcmp(t->valuestring, step_type[k]) != 0)
                    fail_msg("%s: event %d is not %s", b[i].ids[j], k, step_type[k]);
            }
            http_reply_fini(&r);
        }
    }
    print_message("%d in-flight actions were applied without an answer\n", inflight);
    assert_true(inflight <= THREADS);
    fixture_stop_and_check(h);
    for (i = 0; i < THREADS; i++) {
        free(b[i].ids);
        free(b[i].acked_steps);
    }
    tz_free(&tz);
    harness_free(&h);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kill_during_actions),
    };

    curl_global_init(CURL_GLOBAL_DEFAULT);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
