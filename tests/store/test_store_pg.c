/* test_store_pg: what only the PostgreSQL store has: migrations under an advisory lock,
 * several stores (instances) on one database, LISTEN/NOTIFY, the pool, reconnection and
 * check(). Needs $HOTLINE_TEST_PG (scripts/pg-test-cluster.sh); skipped (77) without it.
 * The shared behaviour is tested by test_store against PostgreSQL. */
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
#include <unistd.h>

#include "hotline/datetime.h"
#include "hotline/model.h"
#include "hotline/tz.h"
#include "hotline/util.h"
#include "pgfx.h"
#include "store.h"
#include "store_pg.h"

/* One test's database: a fresh PostgreSQL database, the zone, instance A. */
struct fx {
    char db[64];
    char uri[1024];
    struct tz *tz;
    struct store *a;
};

/* Create a fresh database (not opened: some tests open it themselves). */
static int
setup(void **state)
{
    struct fx *f = xcalloc(1, sizeof *f);
    char why[512];

    if (!pgfx_create("hlpg", f->db, sizeof f->db, f->uri, sizeof f->uri, why, sizeof why)) {
        fprintf(stderr, "pgfx_create: %s\n", why);
        free(f);
        return -1;
    }
    f->tz = tz_fixed("Asia/Shanghai", 8 * 3600);
    *state = f;
    return 0;
}

/* Close instance A and drop the database. */
static int
teardown(void **state)
{
    struct fx *f = *state;
    char why[512];

    if (f->a != NULL)
        f->a->ops->close(f->a);
    if (!pgfx_drop(f->db, why, sizeof why))
        fprintf(stderr, "pgfx_drop: %s\n", why);
    tz_free(&f->tz);
    free(f);
    return 0;
}

/* Open a store on uri; fails the test on error. */
static struct store *
open_or_fail(const struct fx *f, const char *uri)
{
    struct err e;
    struct store *s = store_open(uri, f->tz, &e);

    if (s == NULL)
        fail_msg("store_open: %s", e.msg);
    return s;
}

/* One value of raw SQL on the test database. */
static void
raw(const struct fx *f, const char *sql, char *out, size_t sz)
{
    char why[512];

    if (!pgfx_sql(f->uri, sql, out, sz, why, sizeof why))
        fail_msg("raw sql: %s", why);
}

/* One integer of raw SQL on the test database. */
static long
raw_int(const struct fx *f, const char *sql)
{
    char out[64];
    long v = -1;

    raw(f, sql, out, sizeof out);
    if (!str_to_long(out, INT64_MIN, INT64_MAX, &v))
        fail_msg("%s: \"%s\" is not a number", sql, out);
    return v;
}

/* An instant at a local time in Shanghai. */
static hl_time
at(int y, int mo, int d, int h, int mi)
{
    return datetime_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 - 8 * 3600;
}

/* A new ticket as intake fills it. */
static struct ticket *
mk(hl_time created, const char *title)
{
    struct ticket *t = ticket_new();
    struct event *ev;

    t->channel = CHANNEL_PHONE;
    t->nature = NATURE_COMPLAINT;
    t->title = xstrdup(title);
    t->description = xstrdup("夜间施工噪音扰民");
    t->caller.name = xstrdup("张三");
    t->caller.phone = xstrdup("13812345678");
    t->category = xstrdup("urban.env.social_noise");
    t->created_at = created;
    t->updated_at = created;
    t->created_by = xstrdup("agent1");
    t->due_at = created + 2 * 86400;
    ev = ticket_add_event(t);
    ev->at = created;
    ev->type = xstrdup("created");
    ev->by = xstrdup("agent1");
    return t;
}

/* Create a ticket through s; returns its id (owned). */
static char *
create(struct store *s, const char *title)
{
    struct ticket *t = mk(at(2026, 2, 13, 9, 0), title), *out = NULL;
    bool replayed;
    int64_t seq;
    struct err e;
    char *id;

    if (s->ops->ticket_create(s, t, NULL, NULL, &out, &replayed, &seq, &e) != HL_OK)
        fail_msg("ticket_create: %s", e.msg);
    id = xstrdup(out->id);
    ticket_free(&out);
    ticket_free(&t);
    return id;
}

/* Milliseconds of a monotonic clock. */
static long long
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sleep ms milliseconds. */
static void
nap(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

    nanosleep(&ts, NULL);
}

/* ---- migrations ---- */

/* A fresh database gets the schema and its bookkeeping; newer schemas and foreign
 * databases are refused and left alone. */
static void
test_migrations(void **state)
{
    struct fx *f = *state;
    char out[128], other[64], other_uri[1024], why[512];
    struct unit u;
    struct err e;

    f->a = open_or_fail(f, f->uri);
    assert_string_equal(f->a->ops->kind, "postgresql");
    assert_int_equal(raw_int(f, "SELECT max(version) FROM schema_migrations"),
                     STORE_PG_SCHEMA_VERSION);
    raw(f, "SELECT hotlined FROM schema_migrations WHERE version = 1", out, sizeof out);
    assert_true(str_starts_with(out, "hotlined "));
    assert_int_equal(raw_int(f, "SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'"),
                     1);
    assert_int_equal(f->a->ops->unit_add(f->a, "U1", "高新区城管局", &e), HL_OK);
    f->a->ops->close(f->a);
    f->a = open_or_fail(f, f->uri);
    assert_int_equal(f->a->ops->unit_get(f->a, "U1", &u, &e), HL_OK);
    assert_string_equal(u.name, "高新区城管局");
    unit_fini(&u);
    f->a->ops->close(f->a);
    f->a = NULL;

    raw(f, "INSERT INTO schema_migrations(version, hotlined) VALUES (7, 'hotlined 9.9')", NULL,
        0);
    assert_null(store_open(f->uri, f->tz, &e));
    assert_int_equal(e.code, HL_EIO);
    assert_non_null(strstr(e.msg, "schema version 7"));
    assert_non_null(strstr(e.msg, "newer"));
    if (strchr(f->uri, '@') != NULL)                  /* no password in messages */
        assert_non_null(strstr(e.msg, ":***@"));
    assert_int_equal(raw_int(f, "SELECT max(version) FROM schema_migrations"), 7);
    raw(f, "DELETE FROM schema_migrations WHERE version = 7", NULL, 0);
    f->a = open_or_fail(f, f->uri);

    /* A database that holds someone else's "tickets". */
    assert_true(pgfx_create("hlpgx", other, sizeof other, other_uri, sizeof other_uri, why,
                            sizeof why));
    assert_true(pgfx_sql(other_uri, "CREATE TABLE tickets (x int)", NULL, 0, why, sizeof why));
    assert_null(store_open(other_uri, f->tz, &e));
    assert_non_null(strstr(e.msg, "not a hotline database"));
    assert_true(pgfx_drop(other, why, sizeof why));
}

/* What a migrating thread does. */
struct opener {
    const struct fx *f;
    struct store *s;
    char msg[256];
};

/* Open the store. */
static void *
opener_run(void *arg)
{
    struct opener *o = arg;
    struct err e;

    o->s = store_open(o->f->uri, o->f->tz, &e);
    if (o->s == NULL)
        str_copy(o->msg, sizeof o->msg, e.msg);
    return NULL;
}

/* Four instances starting together on an empty database migrate it once. */
static void
test_migrate_race(void **state)
{
    struct fx *f = *state;
    struct opener o[4];
    pthread_t th[4];
    size_t i;

    for (i = 0; i < 4; i++) {
        memset(&o[i], 0, sizeof o[i]);
        o[i].f = f;
        assert_int_equal(pthread_create(&th[i], NULL, opener_run, &o[i]), 0);
    }
    for (i = 0; i < 4; i++)
        assert_int_equal(pthread_join(th[i], NULL), 0);
    for (i = 0; i < 4; i++) {
        if (o[i].s == NULL)
            fail_msg("instance %zu: %s", i, o[i].msg);
        o[i].s->ops->close(o[i].s);
    }
    /* one row per step: each step ran once */
    assert_int_equal(raw_int(f, "SELECT count(*) FROM schema_migrations"),
                     STORE_PG_SCHEMA_VERSION);
}

/* ---- several instances on one database ---- */

/* A creating thread's work. */
struct creator {
    struct store *s;
    int n;
    const char *idem;
    char **ids;
    bool replayed;
    int failures;
    char msg[256];
};

/* Create n tickets (all with the key idem when set). */
static void *
creator_run(void *arg)
{
    struct creator *w = arg;
    struct ticket *t = mk(at(2026, 2, 13, 10, 0), "并发");
    struct ticket *out = NULL;
    int64_t seq;
    struct err e;
    int i;

    for (i = 0; i < w->n; i++) {
        if (w->s->ops->ticket_create(w->s, t, w->idem, "same-body", &out, &w->replayed, &seq,
                                     &e) != HL_OK) {
            w->failures++;
            str_copy(w->msg, sizeof w->msg, e.msg);
            continue;
        }
        w->ids[i] = xstrdup(out->id);
        ticket_free(&out);
    }
    ticket_free(&t);
    return NULL;
}

/* Compare two strings through pointers (qsort). */
static int
cmp_strp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Two instances: a ticket made by one is read by the other; creates racing on both get
 * gapless distinct numbers; one idempotency key raced on both makes one ticket. */
static void
test_two_instances(void **state)
{
    struct fx *f = *state;
    struct store *b;
    struct creator w[4];
    pthread_t th[4];
    char *all[200], want[32], *id;
    struct ticket *t = NULL;
    struct err e;
    size_t i, j, k = 0;

    f->a = open_or_fail(f, f->uri);
    b = open_or_fail(f, f->uri);
    id = create(f->a, "经A创建");
    assert_int_equal(b->ops->ticket_get(b, id, &t, &e), HL_OK);
    assert_string_equal(t->title, "经A创建");
    ticket_free(&t);
    free(id);

    for (i = 0; i < 4; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].s = i % 2 == 0 ? f->a : b;
        w[i].n = 50;
        w[i].ids = xcalloc(50, sizeof *w[i].ids);
        assert_int_equal(pthread_create(&th[i], NULL, creator_run, &w[i]), 0);
    }
    for (i = 0; i < 4; i++)
        assert_int_equal(pthread_join(th[i], NULL), 0);
    for (i = 0; i < 4; i++) {
        if (w[i].failures != 0)
            fail_msg("creator %zu: %d failures, last: %s", i, w[i].failures, w[i].msg);
        for (j = 0; j < 50; j++)
            all[k++] = w[i].ids[j];
    }
    qsort(all, 200, sizeof all[0], cmp_strp);
    for (i = 0; i < 200; i++) {
        snprintf(want, sizeof want, "HL20260213-%06zu", i + 2);
        assert_string_equal(all[i], want);
        free(all[i]);
    }
    for (i = 0; i < 4; i++)
        free(w[i].ids);
    assert_int_equal(raw_int(f, "SELECT max(seq) FROM feed"), 201);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM feed"), 201);

    /* One key, same body, raced through both instances: one ticket, one replay. */
    for (i = 0; i < 2; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].s = i == 0 ? f->a : b;
        w[i].n = 1;
        w[i].idem = "race-key";
        w[i].ids = xcalloc(1, sizeof *w[i].ids);
        assert_int_equal(pthread_create(&th[i], NULL, creator_run, &w[i]), 0);
    }
    for (i = 0; i < 2; i++)
        assert_int_equal(pthread_join(th[i], NULL), 0);
    assert_int_equal(w[0].failures + w[1].failures, 0);
    assert_string_equal(w[0].ids[0], w[1].ids[0]);
    assert_true(w[0].replayed != w[1].replayed);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM tickets"), 202);
    for (i = 0; i < 2; i++) {
        free(w[i].ids[0]);
        free(w[i].ids);
    }
    b->ops->close(b);
}

/* An updating thread: a stale-prone read-modify-write with if_match 1 that dawdles. */
struct updater {
    struct store *s;
    const char *id;
    int rc;
    char field[32];
};

/* Change the title slowly, so the two updates overlap. */
static int
slow_title(struct ticket *t, void *arg, struct err *e)
{
    (void)arg;
    (void)e;
    nap(300);
    free(t->title);
    t->title = xstrdup("改了");
    return HL_OK;
}

/* Update with If-Match 1. */
static void *
updater_run(void *arg)
{
    struct updater *u = arg;
    int64_t seq;
    struct err e;

    err_clear(&e);
    u->rc = u->s->ops->ticket_update(u->s, u->id, 1, "edit", slow_title, NULL, NULL, &seq, &e);
    str_copy(u->field, sizeof u->field, e.field);
    return NULL;
}

/* The same change with the same If-Match through two instances at once: exactly one
 * wins, the other gets the version conflict (412); no lost update. */
static void
test_update_race(void **state)
{
    struct fx *f = *state;
    struct store *b;
    struct updater u[2];
    pthread_t th[2];
    char *id;
    size_t i;

    f->a = open_or_fail(f, f->uri);
    b = open_or_fail(f, f->uri);
    id = create(f->a, "原标题");
    for (i = 0; i < 2; i++) {
        memset(&u[i], 0, sizeof u[i]);
        u[i].s = i == 0 ? f->a : b;
        u[i].id = id;
        assert_int_equal(pthread_create(&th[i], NULL, updater_run, &u[i]), 0);
    }
    for (i = 0; i < 2; i++)
        assert_int_equal(pthread_join(th[i], NULL), 0);
    assert_true((u[0].rc == HL_OK && u[1].rc == HL_ECONFLICT)
                || (u[0].rc == HL_ECONFLICT && u[1].rc == HL_OK));
    assert_string_equal(u[u[0].rc == HL_OK ? 1 : 0].field, "version");
    assert_int_equal(raw_int(f, "SELECT version FROM tickets"), 2);
    free(id);
    b->ops->close(b);
}

/* ---- the feed across instances ---- */

/* What the listener saw. */
struct seen {
    pthread_mutex_t lock;
    int64_t max;
    int calls;
};

/* on_seq: remember the highest number. */
static void
on_seq(int64_t seq, void *arg)
{
    struct seen *s = arg;

    pthread_mutex_lock(&s->lock);
    if (seq > s->max)
        s->max = seq;
    s->calls++;
    pthread_mutex_unlock(&s->lock);
}

/* Milliseconds until the listener has seen seq (-1 after limit_ms). */
static long long
wait_seen(struct seen *s, int64_t seq, long long limit_ms)
{
    long long t0 = now_ms();
    int64_t max;

    for (;;) {
        pthread_mutex_lock(&s->lock);
        max = s->max;
        pthread_mutex_unlock(&s->lock);
        if (max >= seq)
            return now_ms() - t0;
        if (now_ms() - t0 > limit_ms)
            return -1;
        nap(5);
    }
}

/* A change committed through B reaches A's listener within a second; after the
 * listener's connection is killed it reconnects and catches up. */
static void
test_listen(void **state)
{
    struct fx *f = *state;
    struct seen seen = { .max = 0 };
    struct store *b;
    struct feed_event ev = { .type = (char *)(uintptr_t)"call.answer" };
    int64_t seq = 0;
    long long ms;
    struct err e;
    char *id;

    pthread_mutex_init(&seen.lock, NULL);
    f->a = open_or_fail(f, f->uri);
    b = open_or_fail(f, f->uri);
    assert_non_null(f->a->ops->feed_listen);
    assert_int_equal(f->a->ops->feed_listen(f->a, on_seq, &seen, &e), HL_OK);
    assert_int_equal(f->a->ops->feed_listen(f->a, on_seq, &seen, &e), HL_EINVAL);
    id = create(b, "经B创建");
    ms = wait_seen(&seen, 1, 1000);
    print_message("notification after %lld ms\n", ms);
    assert_true(ms >= 0);
    free(id);
    /* Nothing is announced for a rolled-back change: a feed_add that fails. */
    ev.type = NULL;
    assert_int_equal(b->ops->feed_add(b, &ev, &seq, &e), HL_EINVAL);

    /* Kill the listener's connection; a change made while it is away is still reported. */
    raw(f, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
        "WHERE datname = current_database() AND query LIKE 'LISTEN%'", NULL, 0);
    nap(100);
    ev.type = (char *)(uintptr_t)"call.answer";
    assert_int_equal(b->ops->feed_add(b, &ev, &seq, &e), HL_OK);
    assert_int_equal(seq, 2);
    ms = wait_seen(&seen, 2, 10000);
    print_message("caught up after reconnecting in %lld ms\n", ms);
    assert_true(ms >= 0);
    assert_int_equal(f->a->ops->feed_listen(f->a, NULL, NULL, &e), HL_OK);
    assert_int_equal(f->a->ops->feed_listen(f->a, NULL, NULL, &e), HL_OK);   /* idempotent */
    b->ops->close(b);
    pthread_mutex_destroy(&seen.lock);
}

/* ---- the pool ---- */

/* Write an audit row from inside the update (a nested call on the same connection). */
static int
mutate_nested(struct ticket *t, void *arg, struct err *e)
{
    struct store *s = arg;

    t->flags |= FLAG_SUPERVISED;
    return s->ops->audit_add(s, "sup1", t->id, "supervise", 0, e);
}

/* With one connection, a callback's nested store call reuses the caller's connection
 * (else it would wait for itself); connections killed by the server are replaced. */
static void
test_pool(void **state)
{
    struct fx *f = *state;
    char uri[1100];
    struct ticket *t = NULL;
    int64_t seq;
    struct err e;
    char *id;
    int i;

    snprintf(uri, sizeof uri, "%s%spool_size=1", f->uri, strchr(f->uri, '?') ? "&" : "?");
    f->a = open_or_fail(f, uri);
    id = create(f->a, "池");
    assert_int_equal(f->a->ops->ticket_update(f->a, id, 0, "supervise", mutate_nested, f->a,
                                              &t, &seq, &e), HL_OK);
    assert_int_equal(t->flags, FLAG_SUPERVISED);
    ticket_free(&t);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM audit"), 1);

    /* The server drops every connection of the store (restart, failover): the next calls
     * reconnect, reads and writes alike. */
    for (i = 0; i < 3; i++) {
        raw(f, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()", NULL, 0);
        nap(50);
        if (f->a->ops->audit_add(f->a, "sup1", id, "read", 0, &e) != HL_OK)
            fail_msg("audit_add after the connection was killed: %s", e.msg);
        if (f->a->ops->ticket_get(f->a, id, &t, &e) != HL_OK)
            fail_msg("ticket_get after the connection was killed: %s", e.msg);
        ticket_free(&t);
    }
    assert_int_equal(raw_int(f, "SELECT count(*) FROM audit"), 4);
    free(id);
}

/* ---- check and search ---- */

/* check() names a feed sequence behind the feed and a day counter behind its tickets. */
static void
test_check(void **state)
{
    struct fx *f = *state;
    char *report = NULL, *id;
    struct err e;

    f->a = open_or_fail(f, f->uri);
    free(create(f->a, "一"));
    id = create(f->a, "二");
    free(id);
    if (f->a->ops->check(f->a, &report, &e) != HL_OK)
        fail_msg("check: %s\n%s", e.msg, report);
    assert_non_null(strstr(report, "feed sequence: at 2, highest row 2, ok"));
    assert_null(strstr(report, "note:"));         /* C.UTF-8: pg_trgm indexes Chinese */
    free(report);
    report = NULL;
    raw(f, "SELECT setval(pg_get_serial_sequence('feed', 'seq'), 1)", NULL, 0);
    raw(f, "UPDATE ticket_seq SET last = 1", NULL, 0);
    assert_int_equal(f->a->ops->check(f->a, &report, &e), HL_EIO);
    assert_non_null(strstr(e.msg, "2 problems"));
    assert_non_null(strstr(report, "the feed sequence is at 1 but the feed holds seq 2"));
    assert_non_null(strstr(report, "day 20260213: tickets are numbered up to 2 but its "
                                   "counter is at 1"));
    free(report);
}

/* The trigram indexes serve the search shapes the store sends (ILIKE on "C" columns). */
static void
test_search_indexes(void **state)
{
    struct fx *f = *state;
    char plan[4096];

    f->a = open_or_fail(f, f->uri);
    free(create(f->a, "夜间施工噪音"));
    raw(f, "SET enable_seqscan = off; EXPLAIN SELECT id FROM tickets WHERE "
        "id ILIKE '%施工噪音%' OR title ILIKE '%施工噪音%' OR description ILIKE '%施工噪音%'", plan,
        sizeof plan);
    assert_non_null(strstr(plan, "Bitmap"));
    raw(f, "SET enable_seqscan = off; EXPLAIN (FORMAT JSON) SELECT id FROM tickets WHERE "
        "title ILIKE '%施工噪音%' OR caller_address ILIKE '%施工噪音%'", plan, sizeof plan);
    assert_non_null(strstr(plan, "tickets_text"));
    raw(f, "SET enable_seqscan = off; EXPLAIN (FORMAT JSON) SELECT id FROM articles WHERE "
        "title ILIKE '%单一窗口%' OR body ILIKE '%单一窗口%'", plan, sizeof plan);
    assert_non_null(strstr(plan, "articles_text"));
}

/* Run the PostgreSQL-only tests (exit 77 = skipped without $HOTLINE_TEST_PG). */
int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_migrations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migrate_race, setup, teardown),
        cmocka_unit_test_setup_teardown(test_two_instances, setup, teardown),
        cmocka_unit_test_setup_teardown(test_update_race, setup, teardown),
        cmocka_unit_test_setup_teardown(test_listen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pool, setup, teardown),
        cmocka_unit_test_setup_teardown(test_check, setup, teardown),
        cmocka_unit_test_setup_teardown(test_search_indexes, setup, teardown),
    };

    if (pgfx_base() == NULL) {
        fprintf(stderr, "test_store_pg: skipped: set HOTLINE_TEST_PG to a PostgreSQL URI "
                "(scripts/pg-test-cluster.sh start prints one)\n");
        return 77;
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
