/* Tests for timers: the min-heap's order, ties, cancel, timeouts and callbacks that add or cancel. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <string.h>

#include "timers.h"

/* What the callbacks saw. */
struct record {
    char seen[64];
    size_t n;
    struct timers *t;
    uint64_t victim;
    int64_t last_deadline;
    bool ordered;
};

static struct record rec;
/* Letters the timers carry: L('A') points at an 'A'. */
static char letters[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
#define L(c) (&letters[(c) - 'A'])

/* Record the letter a timer carries. */
static void
note(void *arg)
{
    if (rec.n + 1 < sizeof rec.seen)
        rec.seen[rec.n++] = *(const char *)arg;
    rec.seen[rec.n] = '\0';
}

/* Reset the record. */
static void
reset(struct timers *t)
{
    memset(&rec, 0, sizeof rec);
    rec.t = t;
    rec.ordered = true;
}

/* Timers run earliest first; equal deadlines in the order they were added. */
static void
test_order_and_ties(void **state)
{
    struct timers t;
    int64_t d;
    uint64_t a;

    (void)state;
    timers_init(&t);
    reset(&t);
    assert_int_equal(timers_timeout(&t, 0), -1);
    assert_false(timers_next(&t, &d));
    a = timers_add(&t, 30, note, L('A'));
    timers_add(&t, 10, note, L('B'));
    timers_add(&t, 20, note, L('C'));
    timers_add(&t, 10, note, L('D'));
    assert_int_equal(a, 1);
    assert_int_equal(timers_count(&t), 4);
    assert_true(timers_next(&t, &d));
    assert_int_equal(d, 10);
    assert_int_equal(timers_timeout(&t, 0), 10);
    assert_int_equal(timers_timeout(&t, 15), 0);
    assert_int_equal(timers_run(&t, 5), 0);
    assert_string_equal(rec.seen, "");
    assert_int_equal(timers_run(&t, 10), 2);
    assert_string_equal(rec.seen, "BD");
    assert_int_equal(timers_run(&t, 25), 1);
    assert_string_equal(rec.seen, "BDC");
    assert_true(timers_cancel(&t, a));
    assert_false(timers_cancel(&t, a));
    assert_false(timers_cancel(&t, 0));
    assert_int_equal(timers_run(&t, 1000), 0);
    assert_string_equal(rec.seen, "BDC");
    assert_int_equal(timers_count(&t), 0);
    timers_fini(&t);
}

/* A timer added from a callback, even already due, waits for the next run. */
static void
adder(void *arg)
{
    (void)arg;
    note(L('X'));
    timers_add(rec.t, 0, note, L('Y'));
}

/* A callback cancelling a timer due in the same run stops it. */
static void
canceller(void *arg)
{
    (void)arg;
    note(L('K'));
    assert_true(timers_cancel(rec.t, rec.victim));
}

static void
test_callbacks_add_and_cancel(void **state)
{
    struct timers t;

    (void)state;
    timers_init(&t);
    reset(&t);
    timers_add(&t, 10, adder, NULL);
    assert_int_equal(timers_run(&t, 10), 1);
    assert_string_equal(rec.seen, "X");
    assert_int_equal(timers_count(&t), 1);
    assert_int_equal(timers_run(&t, 10), 1);
    assert_string_equal(rec.seen, "XY");

    reset(&t);
    timers_add(&t, 5, canceller, NULL);
    rec.victim = timers_add(&t, 5, note, L('V'));
    timers_add(&t, 6, note, L('W'));
    assert_int_equal(timers_run(&t, 10), 2);
    assert_string_equal(rec.seen, "KW");
    timers_fini(&t);
}

/* Check the deadlines arrive in order. */
static void
check_order(void *arg)
{
    int64_t d = *(const int64_t *)arg;

    if (d < rec.last_deadline)
        rec.ordered = false;
    rec.last_deadline = d;
    rec.n++;
}

/* Many timers with scattered deadlines, a third cancelled: the rest run in deadline order. */
static void
test_heap_many(void **state)
{
    struct timers t;
    static int64_t deadlines[1000];
    uint64_t ids[1000];
    uint32_t x = 12345;
    size_t cancelled = 0;
    size_t ran;

    (void)state;
    timers_init(&t);
    reset(&t);
    for (size_t i = 0; i < 1000; i++) {
        x = x * 1103515245u + 12345u;
        deadlines[i] = (int64_t)(x % 5000);
        ids[i] = timers_add(&t, deadlines[i], check_order, &deadlines[i]);
    }
    for (size_t i = 0; i < 1000; i += 3) {
        assert_true(timers_cancel(&t, ids[i]));
        cancelled++;
    }
    assert_int_equal(cancelled, 334);
    assert_int_equal(timers_count(&t), 666);
    ran = timers_run(&t, 2499);
    assert_int_equal(ran, rec.n);
    assert_true(ran > 200 && ran < 466);
    assert_true(rec.ordered);
    timers_run(&t, 5000);
    assert_int_equal(rec.n, 666);
    assert_true(rec.ordered);
    assert_int_equal(timers_count(&t), 0);
    timers_fini(&t);
}

/* A deadline far away caps the timeout at INT_MAX. */
static void
test_timeout_cap(void **state)
{
    struct timers t;

    (void)state;
    timers_init(&t);
    timers_add(&t, (int64_t)INT_MAX * 4, note, L('Z'));
    assert_int_equal(timers_timeout(&t, 0), INT_MAX);
    assert_int_equal(timers_timeout(&t, (int64_t)INT_MAX * 4 - 7), 7);
    timers_fini(&t);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_and_ties),
        cmocka_unit_test(test_callbacks_add_and_cancel),
        cmocka_unit_test(test_heap_many),
        cmocka_unit_test(test_timeout_cap),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
