/* test_cache: the console's local SQLite cache. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "cache.h"
#include "hotline/codec.h"
#include "hotline/util.h"

/* A temporary directory per test. */
struct fixture {
    char dir[256];
    char path[320];     /* <dir>/hotline/cache.db */
};

/* Remove a directory tree (only plain files and directories). */
static void
rm_rf(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *de;

    if (d == NULL) {
        unlink(path);
        return;
    }
    while ((de = readdir(d)) != NULL) {
        char *sub;

        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        sub = xasprintf("%s/%s", path, de->d_name);
        rm_rf(sub);
        free(sub);
    }
    closedir(d);
    rmdir(path);
}

/* Make the temporary directory. */
static int
setup(void **state)
{
    struct fixture *f = xcalloc(1, sizeof(*f));

    str_copy(f->dir, sizeof(f->dir), "/tmp/hotline-test-cache-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof(f->path), "%s/hotline/cache.db", f->dir);
    *state = f;
    return 0;
}

/* Remove the temporary directory. */
static int
teardown(void **state)
{
    struct fixture *f = *state;

    rm_rf(f->dir);
    free(f);
    return 0;
}

/* A ticket with the fields the cache indexes. */
static struct ticket *
make_ticket(const char *id, int64_t version, const char *phone, enum status st,
            const char *created_by, hl_time updated_at)
{
    struct ticket *t = ticket_new();

    t->id = xstrdup(id);
    t->version = version;
    t->channel = CHANNEL_PHONE;
    t->nature = NATURE_COMPLAINT;
    t->complaint_level = 2;
    t->caller.phone = xstrdup(phone);
    t->description = xasprintf("description of %s v%lld", id, (long long)version);
    t->status = st;
    t->created_by = xstrdup(created_by);
    t->created_at = 1795000000;
    t->updated_at = updated_at;
    return t;
}

/* Put a ticket built by make_ticket and free it. */
static void
put(struct cache *c, const char *id, int64_t version, const char *phone, enum status st,
    const char *created_by, hl_time updated_at)
{
    struct ticket *t = make_ticket(id, version, phone, st, created_by, updated_at);
    struct err e;

    err_clear(&e);
    assert_int_equal(cache_put_ticket(c, t, NULL, &e), HL_OK);
    ticket_free(&t);
}

/* True when ticket id is cached. */
static bool
has(struct cache *c, const char *id)
{
    return cache_ticket_version(c, id) >= 0;
}

/* Put, get back, replace with a newer version, refuse an older one. */
static void
test_put_get(void **state)
{
    struct fixture *f = *state;
    struct cache_opts o = { .default_area = "010" };
    struct err e;
    struct cache *c = cache_open(f->path, &o, &e);
    struct ticket *t = NULL;

    assert_non_null(c);
    assert_null(cache_notice(c));
    assert_int_equal(cache_get_ticket(c, "HL20261122-000001", &t, &e), HL_ENOENT);
    assert_null(t);
    put(c, "HL20261122-000001", 3, "13812345678", STATUS_ACCEPTED, "a01", 1795001000);
    assert_int_equal(cache_get_ticket(c, "HL20261122-000001", &t, &e), HL_OK);
    assert_string_equal(t->id, "HL20261122-000001");
    assert_int_equal(t->version, 3);
    assert_string_equal(t->description, "description of HL20261122-000001 v3");
    assert_int_equal(t->updated_at, 1795001000);
    ticket_free(&t);
    put(c, "HL20261122-000001", 5, "13812345678", STATUS_DISPATCHED, "a01", 1795002000);
    put(c, "HL20261122-000001", 4, "13812345678", STATUS_ACCEPTED, "a01", 1795001500);
    assert_int_equal(cache_ticket_version(c, "HL20261122-000001"), 5);
    assert_int_equal(cache_get_ticket(c, "HL20261122-000001", &t, &e), HL_OK);
    assert_int_equal(t->status, STATUS_DISPATCHED);
    ticket_free(&t);
    /* A raw document as the server sent it is kept verbatim. */
    t = make_ticket("HL20261122-000002", 1, "13900000000", STATUS_ACCEPTED, "a02", 1795003000);
    {
        char *doc = codec_ticket_encode(t, NULL);

        free(t->description);
        t->description = xstrdup("columns only");
        assert_int_equal(cache_put_ticket(c, t, doc, &e), HL_OK);
        free(doc);
    }
    ticket_free(&t);
    assert_int_equal(cache_get_ticket(c, "HL20261122-000002", &t, &e), HL_OK);
    assert_string_equal(t->description, "description of HL20261122-000002 v1");
    ticket_free(&t);
    assert_int_equal(cache_ticket_count(c), 2);
    assert_int_equal(cache_remove_ticket(c, "HL20261122-000002", &e), HL_OK);
    assert_int_equal(cache_ticket_count(c), 1);
    cache_free(&c);
    assert_null(c);
    cache_free(&c);
}

/* Beyond max the least recently used go, but never the user's own open tickets. */
static void
test_lru_keeps_own_open(void **state)
{
    struct fixture *f = *state;
    struct cache_opts o = { .max_tickets = 3, .user = "a01" };
    struct err e;
    struct cache *c = cache_open(f->path, &o, &e);
    struct ticket *t = NULL;
    struct cache_tickets l;

    assert_non_null(c);
    put(c, "T1", 1, NULL, STATUS_ACCEPTED, "a01", 100);     /* own, open */
    put(c, "T2", 1, NULL, STATUS_ACCEPTED, "b02", 200);
    put(c, "T3", 1, NULL, STATUS_ACCEPTED, "b02", 300);
    assert_int_equal(cache_ticket_count(c), 3);
    put(c, "T4", 1, NULL, STATUS_ACCEPTED, "b02", 400);
    /* T1 is the least recently used but it is own and open: T2 goes. */
    assert_int_equal(cache_ticket_count(c), 3);
    assert_true(has(c, "T1"));
    assert_false(has(c, "T2"));
    assert_true(has(c, "T3"));
    assert_true(has(c, "T4"));
    /* Reading T3 makes T4 the least recently used other ticket. */
    assert_int_equal(cache_get_ticket(c, "T3", &t, &e), HL_OK);
    ticket_free(&t);
    put(c, "T5", 1, NULL, STATUS_ACCEPTED, "b02", 500);
    assert_false(has(c, "T4"));
    assert_true(has(c, "T1"));
    assert_true(has(c, "T3"));
    assert_true(has(c, "T5"));
    /* Own tickets beyond max are all kept; others make room down to none. */
    put(c, "T6", 1, NULL, STATUS_IN_PROGRESS, "a01", 600);
    put(c, "T7", 1, NULL, STATUS_CALLBACK, "a01", 700);
    assert_true(has(c, "T1"));
    assert_true(has(c, "T6"));
    assert_true(has(c, "T7"));
    assert_false(has(c, "T3"));
    assert_false(has(c, "T5"));
    assert_int_equal(cache_ticket_count(c), 3);
    put(c, "T8", 1, NULL, STATUS_ACCEPTED, "a01", 800);
    assert_int_equal(cache_ticket_count(c), 4);
    /* Closing an own ticket makes it evictable. */
    put(c, "T1", 2, NULL, STATUS_CLOSED, "a01", 900);
    put(c, "T9", 1, NULL, STATUS_ACCEPTED, "b02", 1000);
    assert_false(has(c, "T1"));
    assert_true(has(c, "T9"));
    assert_int_equal(cache_ticket_count(c), 4);
    assert_int_equal(cache_own_open_tickets(c, 10, &l, &e), HL_OK);
    assert_int_equal(l.n, 3);
    assert_string_equal(l.v[0].id, "T8");
    assert_string_equal(l.v[1].id, "T7");
    assert_string_equal(l.v[2].id, "T6");
    cache_tickets_fini(&l);
    assert_int_equal(cache_recent_tickets(c, 2, &l, &e), HL_OK);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.v[0].id, "T9");
    assert_string_equal(l.v[1].id, "T8");
    cache_tickets_fini(&l);
    cache_free(&c);
}

/* A unit user's own tickets are those dispatched to the unit. */
static void
test_lru_keeps_unit_tickets(void **state)
{
    struct fixture *f = *state;
    struct cache_opts o = { .max_tickets = 1 };
    struct err e;
    struct cache *c = cache_open(f->path, &o, &e);
    struct ticket *t;

    assert_non_null(c);
    cache_set_user(c, "u9", "unit.water");
    t = make_ticket("U1", 1, NULL, STATUS_DISPATCHED, "a01", 100);
    ticket_add_assignment(t)->unit = xstrdup("unit.gas");
    ticket_add_assignment(t)->unit = xstrdup("unit.water");
    assert_int_equal(cache_put_ticket(c, t, NULL, &e), HL_OK);
    ticket_free(&t);
    t = make_ticket("U2", 1, NULL, STATUS_DISPATCHED, "a01", 200);
    ticket_add_assignment(t)->unit = xstrdup("unit.water2");
    assert_int_equal(cache_put_ticket(c, t, NULL, &e), HL_OK);
    ticket_free(&t);
    put(c, "U3", 1, NULL, STATUS_ACCEPTED, "a01", 300);
    assert_true(has(c, "U1"));
    assert_false(has(c, "U2"));
    assert_true(has(c, "U3"));
    cache_free(&c);
}

/* The caller index finds a caller however the number was typed. */
static void
test_caller_index(void **state)
{
    struct fixture *f = *state;
    struct cache_opts o = { .default_area = "010" };
    struct err e;
    struct cache *c = cache_open(f->path, &o, &e);
    struct cache_tickets l;

    assert_non_null(c);
    put(c, "M1", 1, "138 1234 5678", STATUS_CLOSED, "a01", 100);
    put(c, "M2", 1, "+86 138-1234-5678", STATUS_ACCEPTED, "a01", 300);
    put(c, "M3", 1, "008613812345678", STATUS_REPLIED, "a01", 200);
    put(c, "L1", 1, "(010) 6552-1234", STATUS_ACCEPTED, "a01", 100);
    put(c, "L2", 1, "6552 1234", STATUS_ACCEPTED, "a01", 200);
    put(c, "L3", 1, "010-65521234 转 8001", STATUS_ACCEPTED, "a01", 300);
    put(c, "X1", 1, "13912345678", STATUS_ACCEPTED, "a01", 400);
    assert_int_equal(cache_caller_tickets(c, "13812345678", 10, &l, &e), HL_OK);
    assert_int_equal(l.n, 3);
    assert_string_equal(l.v[0].id, "M2");
    assert_string_equal(l.v[1].id, "M3");
    assert_string_equal(l.v[2].id, "M1");
    cache_tickets_fini(&l);
    assert_int_equal(cache_caller_tickets(c, "+8613812345678", 2, &l, &e), HL_OK);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.v[0].id, "M2");
    cache_tickets_fini(&l);
    assert_int_equal(cache_caller_tickets(c, "010 65521234", 10, &l, &e), HL_OK);
    assert_int_equal(l.n, 3);
    assert_string_equal(l.v[0].id, "L3");
    assert_string_equal(l.v[1].id, "L2");
    assert_string_equal(l.v[2].id, "L1");
    cache_tickets_fini(&l);
    assert_int_equal(cache_caller_tickets(c, "65521234", 10, &l, &e), HL_OK);
    assert_int_equal(l.n, 3);
    cache_tickets_fini(&l);
    assert_int_equal(cache_caller_tickets(c, "not a number", 10, &l, &e), HL_OK);
    assert_int_equal(l.n, 0);
    assert_null(l.v);
    assert_int_equal(cache_caller_tickets(c, "13700000000", 10, &l, &e), HL_OK);
    assert_int_equal(l.n, 0);
    cache_free(&c);
}

/* Path of the first "<base>.broken-*" file in the cache's directory, or "". */
static void
find_broken(const struct fixture *f, char *out, size_t sz)
{
    char dir[320];
    DIR *d;
    struct dirent *de;

    out[0] = '\0';
    snprintf(dir, sizeof(dir), "%s/hotline", f->dir);
    d = opendir(dir);
    assert_non_null(d);
    while ((de = readdir(d)) != NULL) {
        if (str_starts_with(de->d_name, "cache.db.broken-") &&
            strstr(de->d_name, "-wal") == NULL) {
            char *full = xasprintf("%s/%s", dir, de->d_name);

            str_copy(out, sz, full);
            free(full);
            break;
        }
    }
    closedir(d);
}

/* Write bytes to a file, creating its directory. */
static void
write_file(const struct fixture *f, const char *data, size_t len)
{
    char dir[320];
    FILE *fp;

    snprintf(dir, sizeof(dir), "%s/hotline", f->dir);
    mkdir(dir, 0700);
    fp = fopen(f->path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, len, fp), len);
    fclose(fp);
}

/* A file that is not a database is set aside and the cache rebuilt. */
static void
test_corrupt_file_set_aside(void **state)
{
    struct fixture *f = *state;
    char junk[8192], broken[512];
    struct err e;
    struct cache *c;
    size_t len;
    char *back;

    for (size_t i = 0; i < sizeof(junk); i++)
        junk[i] = (char)("garbage!"[i % 8]);
    write_file(f, junk, sizeof(junk));
    c = cache_open(f->path, NULL, &e);
    assert_non_null(c);
    assert_non_null(cache_notice(c));
    assert_non_null(strstr(cache_notice(c), "set aside"));
    find_broken(f, broken, sizeof(broken));
    assert_true(broken[0] != '\0');
    assert_non_null(strstr(cache_notice(c), broken));
    back = file_read_all(broken, 1 << 20, &len);
    assert_non_null(back);
    assert_int_equal(len, sizeof(junk));
    assert_memory_equal(back, junk, sizeof(junk));
    free(back);
    /* The rebuilt cache works and is empty. */
    assert_int_equal(cache_ticket_count(c), 0);
    put(c, "R1", 1, "13812345678", STATUS_ACCEPTED, "a01", 100);
    assert_int_equal(cache_ticket_count(c), 1);
    cache_free(&c);
    /* Opening again is quiet: the new file is good. */
    c = cache_open(f->path, NULL, &e);
    assert_non_null(c);
    assert_null(cache_notice(c));
    assert_int_equal(cache_ticket_count(c), 1);
    cache_free(&c);
}

/* Damage found while running (pages garbled behind a good header) rebuilds the cache. */
static void
test_corruption_at_runtime(void **state)
{
    struct fixture *f = *state;
    struct err e;
    struct cache *c = cache_open(f->path, NULL, &e);
    struct cache_tickets l;
    char id[32], junk[4096];
    FILE *fp;

    assert_non_null(c);
    for (int i = 0; i < 300; i++) {
        snprintf(id, sizeof(id), "C%03d", i);
        put(c, id, 1, "13812345678", STATUS_ACCEPTED, "a01", 100 + i);
    }
    cache_free(&c);
    memset(junk, 0x5a, sizeof(junk));
    fp = fopen(f->path, "r+b");
    assert_non_null(fp);
    for (long page = 2; page < 40; page++) {
        assert_int_equal(fseek(fp, page * 4096, SEEK_SET), 0);
        assert_int_equal(fwrite(junk, 1, sizeof(junk), fp), sizeof(junk));
    }
    fclose(fp);
    c = cache_open(f->path, NULL, &e);
    assert_non_null(c);
    if (cache_notice(c) == NULL) {
        /* The header survived: the damage shows on the first full read. */
        err_clear(&e);
        assert_int_equal(cache_recent_tickets(c, 1000, &l, &e), HL_EIO);
        assert_int_equal(l.n, 0);
        assert_non_null(strstr(e.msg, "cache.db"));
    }
    assert_non_null(cache_notice(c));
    assert_non_null(strstr(cache_notice(c), "set aside"));
    put(c, "N1", 1, NULL, STATUS_ACCEPTED, "a01", 100);
    assert_int_equal(cache_recent_tickets(c, 1000, &l, &e), HL_OK);
    assert_int_equal(l.n, 1);
    cache_tickets_fini(&l);
    cache_free(&c);
}

/* Create an SQLite file with a table and user_version v. */
static void
make_db(const struct fixture *f, int v)
{
    char dir[320], *sql;
    sqlite3 *db = NULL;

    snprintf(dir, sizeof(dir), "%s/hotline", f->dir);
    mkdir(dir, 0700);
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    sql = xasprintf("CREATE TABLE tickets(x); INSERT INTO tickets VALUES(1);"
                    " PRAGMA user_version=%d;", v);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    free(sql);
    sqlite3_close(db);
}

/* Another schema version is set aside and rebuilt. */
static void
test_schema_mismatch(void **state)
{
    struct fixture *f = *state;
    char broken[512];
    struct err e;
    struct cache *c;

    make_db(f, 7);
    c = cache_open(f->path, NULL, &e);
    assert_non_null(c);
    assert_non_null(cache_notice(c));
    assert_non_null(strstr(cache_notice(c), "schema version 7"));
    find_broken(f, broken, sizeof(broken));
    assert_true(broken[0] != '\0');
    assert_int_equal(cache_ticket_count(c), 0);
    put(c, "S1", 1, NULL, STATUS_ACCEPTED, "a01", 100);
    assert_true(has(c, "S1"));
    cache_free(&c);
}

/* An SQLite file of someone else (version 0 with tables) is not ours either. */
static void
test_foreign_db(void **state)
{
    struct fixture *f = *state;
    struct err e;
    struct cache *c;

    make_db(f, 0);
    c = cache_open(f->path, NULL, &e);
    assert_non_null(c);
    assert_non_null(cache_notice(c));
    assert_non_null(strstr(cache_notice(c), "not a hotline cache"));
    cache_free(&c);
}

/* /meta, the feed position and articles survive a reopen. */
static void
test_meta_feed_articles(void **state)
{
    struct fixture *f = *state;
    struct err e;
    struct cache *c = cache_open(f->path, NULL, &e);
    struct article *a = article_new(), *b = NULL;
    char *m;

    assert_non_null(c);
    assert_null(cache_get_meta(c));
    assert_int_equal(cache_get_feed_seq(c), -1);
    assert_int_equal(cache_put_meta(c, "{\"units\":[]}", &e), HL_OK);
    assert_int_equal(cache_set_feed_seq(c, 41, &e), HL_OK);
    assert_int_equal(cache_set_feed_seq(c, 42, &e), HL_OK);
    a->id = xstrdup("KB-0001");
    a->version = 2;
    a->title = xstrdup("燃气报修流程");
    a->kind = KB_GUIDE;
    a->body = xstrdup("先关阀门，再开窗通风。");
    a->valid_from = 20000;
    a->valid_to = INT64_MAX;
    assert_int_equal(cache_put_article(c, a, NULL, &e), HL_OK);
    article_free(&a);
    cache_free(&c);
    c = cache_open(f->path, NULL, &e);
    assert_non_null(c);
    m = cache_get_meta(c);
    assert_non_null(m);
    assert_string_equal(m, "{\"units\":[]}");
    free(m);
    assert_int_equal(cache_get_feed_seq(c), 42);
    assert_int_equal(cache_get_article(c, "KB-0001", &b, &e), HL_OK);
    assert_string_equal(b->title, "燃气报修流程");
    assert_string_equal(b->body, "先关阀门，再开窗通风。");
    assert_int_equal(b->kind, KB_GUIDE);
    article_free(&b);
    assert_int_equal(cache_get_article(c, "KB-0002", &b, &e), HL_ENOENT);
    cache_free(&c);
}

/* A directory that cannot be created is an error, not a crash. */
static void
test_unusable_path(void **state)
{
    struct fixture *f = *state;
    char path[400];
    struct err e;
    struct cache *c;

    write_file(f, "x", 1);
    snprintf(path, sizeof(path), "%s/sub/cache.db", f->path);   /* below a file */
    err_clear(&e);
    c = cache_open(path, NULL, &e);
    assert_null(c);
    assert_int_equal(e.code, HL_EIO);
    assert_null(cache_open("", NULL, &e));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_put_get, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lru_keeps_own_open, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lru_keeps_unit_tickets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_caller_index, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corrupt_file_set_aside, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corruption_at_runtime, setup, teardown),
        cmocka_unit_test_setup_teardown(test_schema_mismatch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_foreign_db, setup, teardown),
        cmocka_unit_test_setup_teardown(test_meta_feed_articles, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unusable_path, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
