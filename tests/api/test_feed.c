/* test_feed: the feed hub: parking, wake on publish, deadline order, cancel, shutdown. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "feed.h"

/* Waiters parked in the big test. */
#define MANY 200

/* One test waiter: what woke it, when, and in which order. */
struct waiter {
    struct feed *hub;
    atomic_int calls;
    atomic_int why;
    atomic_llong at_ms;
    atomic_int rank;          /* 1-based order of waking */
    atomic_llong seq_seen;    /* feed_last_seq read inside the wake call */
};

/* Shared wake counter of a test. */
struct tally {
    atomic_int woken;
};

/* Sleep ms milliseconds. */
static void
nap(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

    nanosleep(&ts, NULL);
}

/* The wake function: record the call; reads the hub to prove no lock is held. */
static void
on_wake(void *w, enum feed_wake why, void *arg)
{
    struct waiter *wt = w;
    struct tally *t = arg;

    atomic_store(&wt->why, (int)why);
    atomic_store(&wt->at_ms, (long long)feed_now_ms());
    atomic_store(&wt->seq_seen, (long long)feed_last_seq(wt->hub));
    atomic_store(&wt->rank, atomic_fetch_add(&t->woken, 1) + 1);
    atomic_fetch_add(&wt->calls, 1);
}

/* Wait until the tally reaches n or timeout_ms passes; true when reached. */
static bool
wait_woken(struct tally *t, int n, long timeout_ms)
{
    int64_t deadline = feed_now_ms() + timeout_ms;

    while (atomic_load(&t->woken) < n) {
        if (feed_now_ms() > deadline)
            return false;
        nap(1);
    }
    return true;
}

/* Initialise waiters. */
static void
waiters_init(struct waiter *w, size_t n, struct feed *hub)
{
    size_t i;

    memset(w, 0, n * sizeof *w);
    for (i = 0; i < n; i++)
        w[i].hub = hub;
}

/* 200 parked waiters are all woken within 100 ms of one publish, each exactly once. */
static void
test_publish_wakes_many(void **state)
{
    struct waiter *w = calloc(MANY, sizeof *w);
    struct tally t = { 0 };
    struct feed *hub = feed_new(41, NULL);
    int64_t published, latest = 0;
    size_t i;

    (void)state;
    assert_non_null(hub);
    waiters_init(w, MANY, hub);
    for (i = 0; i < MANY; i++)
        assert_int_equal(feed_park(hub, &w[i], 41, feed_now_ms() + 30000, on_wake, &t),
                         FEED_PARKED);
    assert_int_equal(feed_waiting(hub), MANY);
    nap(20);
    assert_int_equal(atomic_load(&t.woken), 0);
    published = feed_now_ms();
    feed_publish(hub, 42);
    assert_true(wait_woken(&t, MANY, 2000));
    for (i = 0; i < MANY; i++) {
        assert_int_equal(atomic_load(&w[i].calls), 1);
        assert_int_equal(atomic_load(&w[i].why), FEED_WAKE_PUBLISH);
        assert_int_equal(atomic_load(&w[i].seq_seen), 42);
        if (atomic_load(&w[i].at_ms) > latest)
            latest = atomic_load(&w[i].at_ms);
    }
    assert_true(latest - published <= 100);
    assert_int_equal(feed_waiting(hub), 0);
    assert_int_equal(feed_last_seq(hub), 42);
    nap(20);
    assert_int_equal(atomic_load(&t.woken), MANY);   /* nobody twice */
    feed_free(&hub);
    assert_null(hub);
    free(w);
}

/* Deadlines wake in deadline order (ties first-come first), not before, not much after. */
static void
test_deadline_order(void **state)
{
    struct waiter w[5];
    struct tally t = { 0 };
    struct feed *hub = feed_new(0, NULL);
    int64_t now = feed_now_ms();
    /* parked in this order; expected waking rank in brackets */
    const int64_t offs[5] = { 300, 100, 200, 100, 50 };
    const int rank[5] = { 5, 2, 4, 3, 1 };
    size_t i;

    (void)state;
    waiters_init(w, 5, hub);
    for (i = 0; i < 5; i++)
        assert_int_equal(feed_park(hub, &w[i], 0, now + offs[i], on_wake, &t), FEED_PARKED);
    assert_true(wait_woken(&t, 5, 3000));
    for (i = 0; i < 5; i++) {
        assert_int_equal(atomic_load(&w[i].why), FEED_WAKE_DEADLINE);
        assert_int_equal(atomic_load(&w[i].rank), rank[i]);
        assert_true(atomic_load(&w[i].at_ms) >= now + offs[i]);
        assert_true(atomic_load(&w[i].at_ms) <= now + offs[i] + 250);
    }
    feed_free(&hub);
}

/* A later park with an earlier deadline wakes the sleeping timer thread in time. */
static void
test_earlier_deadline_interrupts(void **state)
{
    struct waiter w[2];
    struct tally t = { 0 };
    struct feed *hub = feed_new(0, NULL);
    int64_t now = feed_now_ms();

    (void)state;
    waiters_init(w, 2, hub);
    assert_int_equal(feed_park(hub, &w[0], 0, now + 5000, on_wake, &t), FEED_PARKED);
    nap(20);   /* the timer thread now sleeps until +5 s */
    assert_int_equal(feed_park(hub, &w[1], 0, now + 100, on_wake, &t), FEED_PARKED);
    assert_true(wait_woken(&t, 1, 1000));
    assert_int_equal(atomic_load(&w[1].why), FEED_WAKE_DEADLINE);
    assert_true(atomic_load(&w[1].at_ms) < now + 600);
    assert_int_equal(atomic_load(&w[0].calls), 0);
    assert_int_equal(feed_waiting(hub), 1);
    feed_shutdown(hub);
    assert_int_equal(atomic_load(&w[0].why), FEED_WAKE_SHUTDOWN);
    feed_free(&hub);
}

/* A cancelled waiter is never called; cancel of an unknown or woken waiter is false. */
static void
test_cancel(void **state)
{
    struct waiter w[3];
    struct tally t = { 0 };
    struct feed *hub = feed_new(0, NULL);
    int64_t now = feed_now_ms();

    (void)state;
    waiters_init(w, 3, hub);
    assert_int_equal(feed_park(hub, &w[0], 0, now + 150, on_wake, &t), FEED_PARKED);
    assert_int_equal(feed_park(hub, &w[1], 0, now + 150, on_wake, &t), FEED_PARKED);
    assert_true(feed_cancel(hub, &w[0]));
    assert_false(feed_cancel(hub, &w[0]));
    assert_false(feed_cancel(hub, &w[2]));   /* never parked */
    assert_int_equal(feed_waiting(hub), 1);
    assert_true(wait_woken(&t, 1, 2000));
    nap(100);
    assert_int_equal(atomic_load(&w[0].calls), 0);
    assert_int_equal(atomic_load(&w[1].calls), 1);
    assert_false(feed_cancel(hub, &w[1]));   /* already woken */
    /* a cancelled waiter is not woken by a publish either */
    assert_int_equal(feed_park(hub, &w[2], 0, feed_now_ms() + 10000, on_wake, &t), FEED_PARKED);
    assert_true(feed_cancel(hub, &w[2]));
    feed_publish(hub, 1);
    nap(50);
    assert_int_equal(atomic_load(&w[2].calls), 0);
    feed_free(&hub);
}

/* feed_park answers at once when the news is there, the deadline is gone or it is closed. */
static void
test_park_results(void **state)
{
    struct waiter w[4];
    struct tally t = { 0 };
    struct feed *hub = feed_new(5, NULL);

    (void)state;
    waiters_init(w, 4, hub);
    assert_int_equal(feed_last_seq(hub), 5);
    assert_int_equal(feed_park(hub, &w[0], 4, feed_now_ms() + 1000, on_wake, &t), FEED_READY);
    assert_int_equal(feed_park(hub, &w[0], 5, feed_now_ms(), on_wake, &t), FEED_EXPIRED);
    assert_int_equal(feed_park(hub, &w[0], 5, feed_now_ms() - 10, on_wake, &t), FEED_EXPIRED);
    feed_publish(hub, 3);                    /* not above 5: ignored */
    assert_int_equal(feed_last_seq(hub), 5);
    assert_int_equal(feed_park(hub, &w[1], 5, feed_now_ms() + 10000, on_wake, &t), FEED_PARKED);
    feed_shutdown(hub);
    /* woken before feed_shutdown returned */
    assert_int_equal(atomic_load(&w[1].calls), 1);
    assert_int_equal(atomic_load(&w[1].why), FEED_WAKE_SHUTDOWN);
    assert_int_equal(feed_park(hub, &w[2], 5, feed_now_ms() + 10000, on_wake, &t), FEED_CLOSED);
    assert_int_equal(feed_waiting(hub), 0);
    assert_int_equal(atomic_load(&w[0].calls), 0);
    feed_free(&hub);
    feed_free(&hub);   /* NULL is fine */
}

/* A publish wakes only the waiters it is news to (after_seq < seq). */
static void
test_publish_selective(void **state)
{
    struct waiter w[2];
    struct tally t = { 0 };
    struct feed *hub = feed_new(5, NULL);
    int64_t deadline = feed_now_ms() + 10000;

    (void)state;
    waiters_init(w, 2, hub);
    assert_int_equal(feed_park(hub, &w[0], 10, deadline, on_wake, &t), FEED_PARKED);
    assert_int_equal(feed_park(hub, &w[1], 5, deadline, on_wake, &t), FEED_PARKED);
    feed_publish(hub, 7);
    assert_true(wait_woken(&t, 1, 1000));
    nap(30);
    assert_int_equal(atomic_load(&w[1].calls), 1);
    assert_int_equal(atomic_load(&w[1].why), FEED_WAKE_PUBLISH);
    assert_int_equal(atomic_load(&w[0].calls), 0);
    feed_publish(hub, 10);                   /* not above after_seq 10 */
    nap(30);
    assert_int_equal(atomic_load(&w[0].calls), 0);
    feed_publish(hub, 11);
    assert_true(wait_woken(&t, 2, 1000));
    assert_int_equal(atomic_load(&w[0].why), FEED_WAKE_PUBLISH);
    assert_int_equal(atomic_load(&w[0].seq_seen), 11);
    feed_free(&hub);
}

/* Arguments of a parking thread. */
struct parker {
    struct feed *hub;
    struct waiter *w;
    struct tally *t;
    size_t n;
};

/* Park n waiters from another thread. */
static void *
park_many(void *arg)
{
    struct parker *p = arg;
    size_t i;

    for (i = 0; i < p->n; i++) {
        enum feed_park_result r = feed_park(p->hub, &p->w[i], 0, feed_now_ms() + 20000,
                                            on_wake, p->t);

        if (r != FEED_PARKED)
            atomic_fetch_add(&p->t->woken, 1000000);   /* makes the test fail */
    }
    return NULL;
}

/* Four threads park at once; one publish wakes them all. */
static void
test_threads(void **state)
{
    struct waiter *w = calloc(4 * 50, sizeof *w);
    struct tally t = { 0 };
    struct feed *hub = feed_new(0, NULL);
    struct parker p[4];
    pthread_t th[4];
    size_t i;

    (void)state;
    waiters_init(w, 4 * 50, hub);
    for (i = 0; i < 4; i++) {
        p[i].hub = hub;
        p[i].w = w + i * 50;
        p[i].t = &t;
        p[i].n = 50;
        assert_int_equal(pthread_create(&th[i], NULL, park_many, &p[i]), 0);
    }
    for (i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    assert_int_equal(atomic_load(&t.woken), 0);
    assert_int_equal(feed_waiting(hub), 200);
    feed_publish(hub, 1);
    assert_true(wait_woken(&t, 200, 2000));
    nap(20);
    assert_int_equal(atomic_load(&t.woken), 200);
    feed_free(&hub);
    free(w);
}

/* Run the tests. */
int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_publish_wakes_many),
        cmocka_unit_test(test_deadline_order),
        cmocka_unit_test(test_earlier_deadline_interrupts),
        cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_park_results),
        cmocka_unit_test(test_publish_selective),
        cmocka_unit_test(test_threads),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
