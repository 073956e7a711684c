/* test_store: the store against a real database: a SQLite file under $TMPDIR, or, when
 * $HOTLINE_TEST_PG names a PostgreSQL cluster (scripts/pg-test-cluster.sh), a fresh
 * database on it per test; SQLite-only tests (pragmas, file URIs, a full disk, query
 * plans) skip there. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hotline/codec.h"
#include "hotline/datetime.h"
#include "hotline/model.h"
#include "hotline/phone.h"
#include "hotline/text.h"
#include "hotline/tz.h"
#include "hotline/util.h"
#include "store.h"
#include "store_sqlite.h"
#include "store_util.h"
#ifdef HOTLINE_HAVE_PG
#include <libpq-fe.h>

#include "pgfx.h"
#endif

/* A string literal where the model wants char * (the store only reads it). */
#define W(s) ((char *)(uintptr_t)(s))

/* One test's database: a fresh directory, the file in it (or a PostgreSQL database),
 * the zone and the store. */
struct fx {
    char dir[512];
    char path[600];
    char target[1024];          /* what store_open gets: path or the database's URI */
    bool pg;
    char pgdb[64];              /* the PostgreSQL database's name */
    struct tz *tz;
    struct store *s;
};

/* Remove the database files and the directory. */
static void
fx_remove(struct fx *f)
{
    static const char *const ext[] = { "", "-wal", "-shm", "-journal" };
    char p[700];
    size_t i;

    for (i = 0; i < ARRAY_SIZE(ext); i++) {
        snprintf(p, sizeof p, "%s%s", f->path, ext[i]);
        unlink(p);
    }
    rmdir(f->dir);
}

/* Make a temporary directory and open a store in it. */
static int
setup(void **state)
{
    const char *tmp = getenv("TMPDIR");
    struct fx *f = xcalloc(1, sizeof *f);
    struct err e;

    snprintf(f->dir, sizeof f->dir, "%s/hlstore-XXXXXX", str_empty(tmp) ? "/tmp" : tmp);
    if (mkdtemp(f->dir) == NULL) {
        free(f);
        return -1;
    }
    snprintf(f->path, sizeof f->path, "%s/hotline.db", f->dir);
    str_copy(f->target, sizeof f->target, f->path);
    if (getenv("HOTLINE_TEST_PG") != NULL && getenv("HOTLINE_TEST_PG")[0] != '\0') {
#ifdef HOTLINE_HAVE_PG
        char why[512];

        if (!pgfx_create("hlstore", f->pgdb, sizeof f->pgdb, f->target, sizeof f->target,
                         why, sizeof why)) {
            fprintf(stderr, "pgfx_create: %s\n", why);
            return -1;
        }
        f->pg = true;
#else
        fprintf(stderr, "HOTLINE_TEST_PG is set but this build has no PostgreSQL store\n");
        return -1;
#endif
    }
    f->tz = tz_fixed("Asia/Shanghai", 8 * 3600);
    f->s = store_open(f->target, f->tz, &e);
    if (f->s == NULL) {
        fprintf(stderr, "store_open: %s\n", e.msg);
        return -1;
    }
    *state = f;
    return 0;
}

/* Close the store and remove its files. */
static int
teardown(void **state)
{
    struct fx *f = *state;

    if (f->s != NULL)
        f->s->ops->close(f->s);
#ifdef HOTLINE_HAVE_PG
    if (f->pg) {
        char why[512];

        if (!pgfx_drop(f->pgdb, why, sizeof why))
            fprintf(stderr, "pgfx_drop: %s\n", why);
    }
#endif
    fx_remove(f);
    tz_free(&f->tz);
    free(f);
    return 0;
}

/* Close and reopen the fixture's store (target: the path, or another spelling). */
static void
reopen(struct fx *f, const char *target)
{
    struct err e;

    f->s->ops->close(f->s);
    f->s = store_open(target != NULL ? target : f->target, f->tz, &e);
    if (f->s == NULL)
        fail_msg("reopen: %s", e.msg);
}

/* An instant at a local time in Shanghai (fixed +08:00). */
static hl_time
at(int y, int mo, int d, int h, int mi)
{
    return datetime_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 - 8 * 3600;
}

/* Run raw SQL on the database file with its own connection (simulates damage). */
static void
raw_sql(const struct fx *f, const char *sql)
{
    sqlite3 *db = NULL;
    char *msg = NULL;

#ifdef HOTLINE_HAVE_PG
    if (f->pg) {
        char why[512];

        if (!pgfx_sql(f->target, sql, NULL, 0, why, sizeof why))
            fail_msg("raw sql: %s", why);
        return;
    }
#endif
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("raw sql: %s", msg);
    sqlite3_free(msg);
    sqlite3_close(db);
}

/* One integer from raw SQL on the database file. */
static int64_t
raw_int(const struct fx *f, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int64_t v = -1;

#ifdef HOTLINE_HAVE_PG
    if (f->pg) {
        char why[512], out[64];
        long n = -1;

        if (!pgfx_sql(f->target, sql, out, sizeof out, why, sizeof why))
            fail_msg("raw sql: %s", why);
        if (strcmp(out, "t") == 0 || strcmp(out, "f") == 0)
            return out[0] == 't';
        if (!str_to_long(out, INT64_MIN, INT64_MAX, &n))
            fail_msg("raw sql: %s gave \"%s\", not a number", sql, out);
        return n;
    }
#endif
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

/* A new ticket as intake fills it. */
static struct ticket *
mk(hl_time created, const char *title, const char *desc, const char *phone)
{
    struct ticket *t = ticket_new();
    struct event *ev;

    t->channel = CHANNEL_PHONE;
    t->nature = NATURE_COMPLAINT;
    t->complaint_level = 2;
    t->title = xstrdup(title);
    t->description = xstrdup(desc);
    t->caller.name = xstrdup("张三");
    t->caller.salutation = SALUTATION_MR;
    t->caller.phone = xstrdup(phone);
    t->caller.address = xstrdup("天府大道100号");
    t->category = xstrdup("urban.env.social_noise");
    t->location = xstrdup("高新区天府大道");
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

/* Create a ticket from t (freed) and return its id (owned). */
static char *
create(struct fx *f, struct ticket *t)
{
    struct ticket *out = NULL;
    bool replayed = true;
    int64_t seq = 0;
    struct err e;
    char *id;
    int rc;

    rc = f->s->ops->ticket_create(f->s, t, NULL, NULL, &out, &replayed, &seq, &e);
    if (rc != HL_OK)
        fail_msg("ticket_create: %s", e.msg);
    assert_false(replayed);
    assert_true(seq > 0);
    assert_int_equal(out->version, 1);
    id = xstrdup(out->id);
    ticket_free(&out);
    ticket_free(&t);
    return id;
}

/* What a test mutation does. */
struct mut {
    const char *title;
    bool set_status;
    enum status status;
    const char *unit;
    const char *unit2;
    unsigned flags;
    hl_time updated_at;
    hl_time callback_due;
    bool clear_due;
    bool fail;
    int calls;
};

/* A store_mutate_fn driven by struct mut. */
static int
mutate(struct ticket *t, void *arg, struct err *e)
{
    struct mut *m = arg;
    struct assignment *a;

    m->calls++;
    if (m->title != NULL) {
        free(t->title);
        t->title = xstrdup(m->title);
    }
    if (m->set_status)
        t->status = m->status;
    if (m->unit != NULL) {
        a = ticket_add_assignment(t);
        a->unit = xstrdup(m->unit);
        a->role = ROLE_LEAD;
        a->dispatched_at = t->created_at + 600;
    }
    if (m->unit2 != NULL) {
        a = ticket_add_assignment(t);
        a->unit = xstrdup(m->unit2);
        a->role = ROLE_ASSIST;
        a->dispatched_at = t->created_at + 600;
    }
    if (m->flags != 0)
        t->flags = m->flags;
    if (m->updated_at != 0)
        t->updated_at = m->updated_at;
    if (m->callback_due != 0)
        t->callback_due_at = m->callback_due;
    if (m->clear_due)
        t->due_at = 0;
    if (m->fail)
        return err_set(e, HL_ERULE, "status", "urge refused: half the period has not passed");
    return HL_OK;
}

/* Apply a mutation; asserts success. */
static void
update(struct fx *f, const char *id, struct mut *m)
{
    struct err e;
    int64_t seq = 0;

    if (f->s->ops->ticket_update(f->s, id, 0, "edit", mutate, m, NULL, &seq, &e) != HL_OK)
        fail_msg("ticket_update %s: %s", id, e.msg);
    assert_true(seq > 0);
}

/* ---- migrations and opening ---- */

/* A fresh database gets the current schema; reopening keeps the data; newer schemas,
 * foreign databases, memory databases and PostgreSQL targets are refused clearly. */
static void
test_migrations(void **state)
{
    struct fx *f = *state;
    struct store *s2;
    struct unit u;
    struct err e;
    char other[700];

    if (f->pg)
        skip();                  /* PostgreSQL's migrations: test_store_pg */
    assert_string_equal(f->s->ops->kind, "sqlite");
    assert_int_equal(raw_int(f, "PRAGMA user_version"), STORE_SQLITE_SCHEMA_VERSION);
    assert_int_equal(raw_int(f, "PRAGMA application_id"), 0x484c5444);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM sqlite_schema WHERE name = 'tickets'"), 1);
    assert_int_equal(f->s->ops->unit_add(f->s, "U1", "高新区城管局", &e), HL_OK);
    reopen(f, NULL);
    assert_int_equal(f->s->ops->unit_get(f->s, "U1", &u, &e), HL_OK);
    assert_string_equal(u.name, "高新区城管局");
    unit_fini(&u);
    assert_int_equal(raw_int(f, "SELECT journal_mode = 'wal' FROM pragma_journal_mode"), 1);

    /* A database from a newer hotlined is refused, and left alone. */
    f->s->ops->close(f->s);
    f->s = NULL;
    raw_sql(f, "PRAGMA user_version = 7");
    assert_null(store_open(f->path, f->tz, &e));
    assert_int_equal(e.code, HL_EIO);
    assert_non_null(strstr(e.msg, "schema version 7"));
    assert_non_null(strstr(e.msg, "newer"));
    assert_int_equal(raw_int(f, "PRAGMA user_version"), 7);
    raw_sql(f, "PRAGMA user_version = 1");
    f->s = store_open(f->path, f->tz, &e);
    assert_non_null(f->s);

    /* A file that holds someone else's tables. */
    snprintf(other, sizeof other, "%s/other.db", f->dir);
    {
        sqlite3 *db;

        assert_int_equal(sqlite3_open(other, &db), SQLITE_OK);
        assert_int_equal(sqlite3_exec(db, "CREATE TABLE x(a)", NULL, NULL, NULL), SQLITE_OK);
        sqlite3_close(db);
    }
    s2 = store_open(other, f->tz, &e);
    assert_null(s2);
    assert_non_null(strstr(e.msg, "not a hotline database"));
    unlink(other);
    snprintf(other, sizeof other, "%s/other.db-wal", f->dir);
    unlink(other);
    snprintf(other, sizeof other, "%s/other.db-shm", f->dir);
    unlink(other);

#ifdef HOTLINE_HAVE_PG
    /* Nothing listens on port 1: the URI goes to the PostgreSQL store, which says so. */
    assert_null(store_open("postgresql://127.0.0.1:1/hotline", f->tz, &e));
    assert_int_equal(e.code, HL_EIO);
    assert_non_null(strstr(e.msg, "cannot connect to PostgreSQL at postgresql://127.0.0.1:1"));
    assert_null(store_open("postgres://u:secret@127.0.0.1:1/x", f->tz, &e));
    assert_null(strstr(e.msg, "secret"));
    assert_non_null(strstr(e.msg, "postgres://u:***@127.0.0.1:1/x"));
    assert_null(store_open("postgresql://127.0.0.1/x?pool_size=0", f->tz, &e));
    assert_int_equal(e.code, HL_EINVAL);
    assert_null(store_open("postgresql://127.0.0.1/x?nonsense=1", f->tz, &e));
    assert_int_equal(e.code, HL_EINVAL);
#else
    assert_null(store_open("postgresql://localhost/hotline", f->tz, &e));
    assert_non_null(strstr(e.msg, "PostgreSQL store not built"));
    assert_null(store_open("postgres://x", f->tz, &e));
    assert_non_null(strstr(e.msg, "PostgreSQL store not built"));
#endif
    assert_null(store_open(":memory:", f->tz, &e));
    assert_int_equal(e.code, HL_EINVAL);
    assert_null(store_open("", f->tz, &e));
    assert_int_equal(e.code, HL_EINVAL);
    snprintf(other, sizeof other, "%s/no/such/dir/x.db", f->dir);
    assert_null(store_open(other, f->tz, &e));
    assert_int_equal(e.code, HL_EIO);
    assert_non_null(strstr(e.msg, "cannot open database"));
}

/* ---- units, users, sessions ---- */

/* Units, users and sessions: duplicates, unknown rows, expiry and revocation. */
static void
test_people(void **state)
{
    struct fx *f = *state;
    const struct store_ops *o = f->s->ops;
    struct user a = { .id = W("agent1"), .name = W("李坐席"), .role = USER_AGENT };
    struct user un = { .id = W("u1"), .name = W("王承办"), .role = USER_UNIT,
                       .unit = W("U1") };
    struct user bad = { .id = W("u9"), .name = W("x"), .role = USER_UNIT,
                        .unit = W("NOPE") };
    struct unit *units = NULL, u1;
    struct user_row row, *rows = NULL;
    struct user who;
    size_t n = 0, i;
    hl_time exp = 0, t0 = at(2026, 2, 13, 9, 0);
    struct err e;

    assert_int_equal(o->unit_add(f->s, "U2", "武侯区水务局", &e), HL_OK);
    assert_int_equal(o->unit_add(f->s, "U1", "高新区城管局", &e), HL_OK);
    assert_int_equal(o->unit_add(f->s, "U1", "again", &e), HL_ECONFLICT);
    assert_string_equal(e.field, "code");
    assert_int_equal(o->unit_list(f->s, &units, &n, &e), HL_OK);
    assert_int_equal(n, 2);
    assert_string_equal(units[0].code, "U1");
    assert_string_equal(units[1].name, "武侯区水务局");
    for (i = 0; i < n; i++)
        unit_fini(&units[i]);
    free(units);
    assert_int_equal(o->unit_get(f->s, "U3", &u1, &e), HL_ENOENT);

    assert_int_equal(o->user_add(f->s, &a, "$argon2id$h1", &e), HL_OK);
    assert_int_equal(o->user_add(f->s, &un, "$argon2id$h2", &e), HL_OK);
    assert_int_equal(o->user_add(f->s, &a, "$argon2id$h1", &e), HL_ECONFLICT);
    assert_string_equal(e.field, "id");
    assert_int_equal(o->user_add(f->s, &bad, "$argon2id$h3", &e), HL_EINVAL);
    assert_string_equal(e.field, "unit");
    assert_int_equal(o->user_get(f->s, "u1", &row, &e), HL_OK);
    assert_string_equal(row.user.name, "王承办");
    assert_int_equal(row.user.role, USER_UNIT);
    assert_string_equal(row.user.unit, "U1");
    assert_string_equal(row.pw_hash, "$argon2id$h2");
    assert_false(row.disabled);
    assert_true(row.created_at > 0);
    user_row_fini(&row);
    assert_int_equal(o->user_get(f->s, "nobody", &row, &e), HL_ENOENT);
    assert_int_equal(o->user_list(f->s, &rows, &n, &e), HL_OK);
    assert_int_equal(n, 2);
    assert_string_equal(rows[0].user.id, "agent1");
    assert_null(rows[0].user.unit);
    for (i = 0; i < n; i++)
        user_row_fini(&rows[i]);
    free(rows);

    /* A session lives until it expires. */
    assert_int_equal(o->session_add(f->s, "aa01", "agent1", t0, t0 + 3600, &e), HL_OK);
    assert_int_equal(o->session_add(f->s, "aa01", "agent1", t0, t0 + 3600, &e), HL_ECONFLICT);
    assert_int_equal(o->session_add(f->s, "aa02", "ghost", t0, t0 + 3600, &e), HL_ENOENT);
    assert_int_equal(o->session_get(f->s, "aa01", t0 + 10, &who, &exp, &e), HL_OK);
    assert_string_equal(who.id, "agent1");
    assert_string_equal(who.name, "李坐席");
    assert_int_equal(who.role, USER_AGENT);
    assert_int_equal(exp, t0 + 3600);
    user_fini(&who);
    assert_int_equal(o->session_get(f->s, "aa01", t0 + 3599, &who, &exp, &e), HL_OK);
    user_fini(&who);
    assert_int_equal(o->session_get(f->s, "aa01", t0 + 3600, &who, &exp, &e), HL_ENOENT);
    assert_int_equal(o->session_get(f->s, "zz", t0, &who, &exp, &e), HL_ENOENT);
    /* Expired sessions are dropped when a new one is added. */
    assert_int_equal(o->session_add(f->s, "aa03", "agent1", t0 + 7200, t0 + 9000, &e), HL_OK);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM sessions WHERE token_hash = 'aa01'"), 0);

    /* A password change revokes every session of that user only. */
    assert_int_equal(o->session_add(f->s, "bb01", "u1", t0 + 7200, t0 + 9000, &e), HL_OK);
    assert_int_equal(o->user_set_password(f->s, "agent1", "$argon2id$new", &e), HL_OK);
    assert_int_equal(o->session_get(f->s, "aa03", t0 + 7300, &who, &exp, &e), HL_ENOENT);
    assert_int_equal(o->session_get(f->s, "bb01", t0 + 7300, &who, &exp, &e), HL_OK);
    user_fini(&who);
    assert_int_equal(o->user_get(f->s, "agent1", &row, &e), HL_OK);
    assert_string_equal(row.pw_hash, "$argon2id$new");
    user_row_fini(&row);
    assert_int_equal(o->user_set_password(f->s, "ghost", "x", &e), HL_ENOENT);

    /* Revoke one session; then disable a user. */
    assert_int_equal(o->session_add(f->s, "aa04", "agent1", t0 + 7200, t0 + 9000, &e), HL_OK);
    assert_int_equal(o->session_revoke(f->s, "aa04", &e), HL_OK);
    assert_int_equal(o->session_get(f->s, "aa04", t0 + 7300, &who, &exp, &e), HL_ENOENT);
    assert_int_equal(o->session_revoke(f->s, "aa04", &e), HL_ENOENT);
    assert_int_equal(o->user_disable(f->s, "u1", &e), HL_OK);
    assert_int_equal(o->session_get(f->s, "bb01", t0 + 7300, &who, &exp, &e), HL_ENOENT);
    assert_int_equal(o->session_add(f->s, "bb02", "u1", t0 + 7200, t0 + 9000, &e), HL_OK);
    assert_int_equal(o->session_get(f->s, "bb02", t0 + 7300, &who, &exp, &e), HL_ENOENT);
    assert_int_equal(o->user_get(f->s, "u1", &row, &e), HL_OK);
    assert_true(row.disabled);
    user_row_fini(&row);
    assert_int_equal(o->user_disable(f->s, "ghost", &e), HL_ENOENT);
}

/* ---- ticket ids ---- */

/* Ids: HL + local acceptance date + daily sequence, restarting each local day. */
static void
test_ticket_ids(void **state)
{
    struct fx *f = *state;
    char *id[6];
    struct ticket *t = NULL;
    char *doc = NULL;
    int64_t version = 0;
    struct err e;
    size_t i;

    id[0] = create(f, mk(at(2026, 2, 13, 9, 0), "一", "第一张", "13812345678"));
    id[1] = create(f, mk(at(2026, 2, 13, 9, 5), "二", "第二张", "13812345678"));
    id[2] = create(f, mk(at(2026, 2, 13, 23, 59), "三", "第三张", "13812345678"));
    /* 00:30 local on the 14th is still the 13th in UTC: the local date counts. */
    id[3] = create(f, mk(at(2026, 2, 14, 0, 30), "四", "次日第一张", "13812345678"));
    id[4] = create(f, mk(at(2026, 2, 14, 8, 0), "五", "次日第二张", "13812345678"));
    /* A late entry for the 13th continues that day's sequence. */
    id[5] = create(f, mk(at(2026, 2, 13, 18, 0), "六", "补录", "13812345678"));
    assert_string_equal(id[0], "HL20260213-000001");
    assert_string_equal(id[1], "HL20260213-000002");
    assert_string_equal(id[2], "HL20260213-000003");
    assert_string_equal(id[3], "HL20260214-000001");
    assert_string_equal(id[4], "HL20260214-000002");
    assert_string_equal(id[5], "HL20260213-000004");

    assert_int_equal(f->s->ops->ticket_get(f->s, id[3], &t, &e), HL_OK);
    assert_string_equal(t->id, "HL20260214-000001");
    assert_int_equal(t->version, 1);
    assert_string_equal(t->description, "次日第一张");
    assert_int_equal(t->status, STATUS_ACCEPTED);
    assert_int_equal(t->n_events, 1);
    ticket_free(&t);
    assert_int_equal(f->s->ops->ticket_get_doc(f->s, id[0], &doc, &version, &e), HL_OK);
    assert_int_equal(version, 1);
    assert_non_null(strstr(doc, "\"id\":\"HL20260213-000001\""));
    assert_non_null(strstr(doc, "+08:00"));
    free(doc);
    assert_int_equal(f->s->ops->ticket_get(f->s, "HL20260213-000099", &t, &e), HL_ENOENT);
    assert_int_equal(f->s->ops->ticket_get_doc(f->s, "nope", &doc, &version, &e), HL_ENOENT);
    assert_int_equal(raw_int(f, "SELECT day FROM tickets WHERE id = 'HL20260214-000001'"),
                     20260214);
    for (i = 0; i < ARRAY_SIZE(id); i++)
        free(id[i]);
}

/* ---- idempotency ---- */

/* The same key and body replay the first result; the same key with another body is a
 * conflict. */
static void
test_idempotency(void **state)
{
    struct fx *f = *state;
    const struct store_ops *o = f->s->ops;
    struct ticket *t = mk(at(2026, 2, 13, 9, 0), "噪音", "施工噪音", "13812345678");
    struct ticket *out = NULL;
    struct ticket_query q = { .nature = -1, .count = true };
    struct ticket_page page;
    bool replayed = false;
    int64_t seq = 0, first_seq = 0, last = 0;
    char *first_id = NULL;
    struct err e;
    int i;

    assert_int_equal(o->ticket_create(f->s, t, "key-1", "hash-A", &out, &replayed, &first_seq,
                                      &e), HL_OK);
    assert_false(replayed);
    first_id = xstrdup(out->id);
    ticket_free(&out);
    for (i = 0; i < 3; i++) {
        assert_int_equal(o->ticket_create(f->s, t, "key-1", "hash-A", &out, &replayed, &seq,
                                          &e), HL_OK);
        assert_true(replayed);
        assert_string_equal(out->id, first_id);
        assert_int_equal(out->version, 1);
        assert_int_equal(seq, 0);          /* nothing new to publish */
        ticket_free(&out);
    }
    assert_int_equal(o->ticket_create(f->s, t, "key-1", "hash-B", &out, &replayed, &seq, &e),
                     HL_ECONFLICT);
    assert_null(out);
    assert_false(replayed);
    assert_string_equal(e.field, "Idempotency-Key");
    assert_non_null(strstr(e.msg, "idempotency_key_reused"));
    assert_int_equal(o->ticket_list(f->s, &q, &page, &e), HL_OK);
    assert_int_equal(page.total, 1);
    assert_int_equal(page.n, 1);
    ticket_page_fini(&page);
    assert_int_equal(o->feed_last_seq(f->s, &last, &e), HL_OK);
    assert_int_equal(last, first_seq);
    /* Another key makes another ticket. */
    assert_int_equal(o->ticket_create(f->s, t, "key-2", "hash-A", &out, &replayed, &seq, &e),
                     HL_OK);
    assert_false(replayed);
    assert_string_equal(out->id, "HL20260213-000002");
    ticket_free(&out);
    /* Keys older than 8 days are purged on a later create (the first on a connection). */
    raw_sql(f, "UPDATE idempotency SET created_at = created_at - 9 * 86400 WHERE key = 'key-1'");
    reopen(f, NULL);
    o = f->s->ops;
    assert_int_equal(o->ticket_create(f->s, t, "key-3", "hash-C", &out, &replayed, &seq, &e),
                     HL_OK);
    ticket_free(&out);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM idempotency"), 2);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM idempotency WHERE key = 'key-1'"), 0);
    free(first_id);
    ticket_free(&t);
}

/* ---- updates ---- */

/* A stale If-Match is a conflict and changes nothing; a matching one bumps the version. */
static void
test_update_if_match(void **state)
{
    struct fx *f = *state;
    const struct store_ops *o = f->s->ops;
    char *id = create(f, mk(at(2026, 2, 13,9, 0), "原标题", "描述", "13812345678"));
    struct mut m = { .title = "新标题" };
    struct ticket *out = NULL;
    int64_t seq = 0, version = 0;
    char *doc = NULL;
    struct err e;

    assert_int_equal(o->ticket_update(f->s, id, 1, "edit", mutate, &m, &out, &seq, &e), HL_OK);
    assert_int_equal(out->version, 2);
    assert_string_equal(out->title, "新标题");
    assert_string_equal(out->id, id);
    ticket_free(&out);
    m.title = "再改";
    assert_int_equal(o->ticket_update(f->s, id, 1, "edit", mutate, &m, &out, &seq, &e),
                     HL_ECONFLICT);
    assert_string_equal(e.field, "version");
    assert_null(out);
    assert_int_equal(seq, 0);
    assert_int_equal(m.calls, 1);           /* the callback never ran */
    assert_int_equal(o->ticket_get_doc(f->s, id, &doc, &version, &e), HL_OK);
    assert_int_equal(version, 2);
    assert_non_null(strstr(doc, "新标题"));
    assert_null(strstr(doc, "再改"));
    free(doc);
    assert_int_equal(o->ticket_update(f->s, "HL20990101-000001", 0, "edit", mutate, &m, &out,
                                      &seq, &e), HL_ENOENT);
    /* if_match 0: no check. */
    assert_int_equal(o->ticket_update(f->s, id, 0, "edit", mutate, &m, NULL, &seq, &e), HL_OK);
    assert_int_equal(o->ticket_get_doc(f->s, id, &doc, &version, &e), HL_OK);
    assert_int_equal(version, 3);
    free(doc);
    free(id);
}

/* A refusing callback rolls everything back and its error comes through unchanged. */
static void
test_update_rollback(void **state)
{
    struct fx *f = *state;
    const struct store_ops *o = f->s->ops;
    char *id = create(f, mk(at(2026, 2, 13, 9, 0), "原标题", "描述", "13812345678"));
    struct mut m = { .title = "不该保存", .unit = "U1", .set_status = true,
                     .status = STATUS_DISPATCHED, .fail = true };
    struct ticket *t = NULL;
    int64_t seq = 0, last0 = 0, last1 = 0;
    struct err e;

    assert_int_equal(o->feed_last_seq(f->s, &last0, &e), HL_OK);
    assert_int_equal(o->ticket_update(f->s, id, 1, "dispatch", mutate, &m, &t, &seq, &e),
                     HL_ERULE);
    assert_string_equal(e.field, "status");
    assert_string_equal(e.msg, "urge refused: half the period has not passed");
    assert_null(t);
    assert_int_equal(seq, 0);
    assert_int_equal(o->ticket_get(f->s, id, &t, &e), HL_OK);
    assert_int_equal(t->version, 1);
    assert_string_equal(t->title, "原标题");
    assert_int_equal(t->status, STATUS_ACCEPTED);
    assert_int_equal(t->n_assignments, 0);
    ticket_free(&t);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM ticket_units"), 0);
    assert_int_equal(raw_int(f, "SELECT status = 'accepted' FROM tickets"), 1);
    assert_int_equal(o->feed_last_seq(f->s, &last1, &e), HL_OK);
    assert_int_equal(last1, last0);
    free(id);
}

/* State of a callback that calls the store from inside the update. */
struct nested {
    struct store *s;
    bool fail;
    int cluster;
};

/* Write an audit row and read a count through the store, then maybe refuse. */
static int
mutate_nested(struct ticket *t, void *arg, struct err *e)
{
    struct nested *n = arg;
    int rc;

    rc = n->s->ops->audit_add(n->s, "sup1", t->id, "supervise", t->created_at + 60, e);
    if (rc != HL_OK)
        return rc;
    rc = n->s->ops->cluster_callers(n->s, t->category, t->location, 0, INT64_MAX, &n->cluster,
                                    e);
    if (rc != HL_OK)
        return rc;
    t->flags |= FLAG_SUPERVISED;
    if (n->fail)
        return err_set(e, HL_ERULE, "", "refused after writing");
    return HL_OK;
}

/* A callback may call the store: its writes join the update and roll back with it. */
static void
test_update_nested(void **state)
{
    struct fx *f = *state;
    char *id = create(f, mk(at(2026, 2, 13, 9, 0), "标题", "描述", "13812345678"));
    struct nested n = { .s = f->s, .fail = true };
    struct ticket *t = NULL;
    int64_t seq = 0;
    struct err e;

    assert_int_equal(f->s->ops->ticket_update(f->s, id, 0, "supervise", mutate_nested, &n,
                                              &t, &seq, &e), HL_ERULE);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM audit"), 0);
    n.fail = false;
    assert_int_equal(f->s->ops->ticket_update(f->s, id, 0, "supervise", mutate_nested, &n,
                                              &t, &seq, &e), HL_OK);
    assert_int_equal(n.cluster, 1);
    assert_int_equal(t->flags, FLAG_SUPERVISED);
    assert_int_equal(t->version, 2);
    ticket_free(&t);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM audit"), 1);
    /* The connection is usable afterwards: a plain write commits on its own. */
    assert_int_equal(f->s->ops->audit_add(f->s, "sup1", id, "read", 0, &e), HL_OK);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM audit"), 2);
    free(id);
}

/* ---- lists ---- */

/* Ids of a page, comma separated (owned). */
static char *
page_ids(const struct ticket_page *p)
{
    struct strbuf sb;
    size_t i;

    strbuf_init(&sb);
    for (i = 0; i < p->n; i++) {
        if (i > 0)
            strbuf_addc(&sb, ',');
        strbuf_adds(&sb, p->items[i].id + 13);   /* the last 4 digits: "0001" */
    }
    return strbuf_detach(&sb);
}

/* List with q and compare the page's ids (last 4 digits) with want. */
static void
expect_list(struct fx *f, const struct ticket_query *q, const char *want)
{
    struct ticket_page p;
    struct err e;
    char *got;

    if (f->s->ops->ticket_list(f->s, q, &p, &e) != HL_OK)
        fail_msg("ticket_list: %s", e.msg);
    got = page_ids(&p);
    if (strcmp(got, want) != 0)
        fail_msg("list: got \"%s\", want \"%s\"", got, want);
    free(got);
    ticket_page_fini(&p);
}

/* Five tickets of 2026-02-13 with statuses, units, flags and due times. */
static void
seed_five(struct fx *f)
{
    struct ticket *t;
    char *id[5];
    size_t i;

    id[0] = create(f, mk(at(2026, 2, 13, 9, 0), "夜间施工噪音扰民",
                         "工地每晚施工到凌晨两点，噪音很大", "138 1234 5678"));
    t = mk(at(2026, 2, 13, 9, 10), "路灯不亮", "小区门口路灯坏了三天", "+86 13812345678");
    free(t->category);
    t->category = xstrdup("urban.facility.streetlight");
    free(t->location);
    t->location = xstrdup("武侯区");
    t->nature = NATURE_REPAIR;
    t->complaint_level = 0;
    t->due_at = at(2026, 2, 13, 20, 0);
    id[1] = create(f, t);
    t = mk(at(2026, 2, 13, 9, 20), "咨询公积金提取", "想了解购房提取公积金的材料",
           "010-6512 3456");
    free(t->category);
    t->category = xstrdup("services.housing_fund");
    free(t->location);
    t->location = NULL;
    t->nature = NATURE_CONSULT;
    t->complaint_level = 0;
    t->due_at = at(2026, 2, 15, 17, 0);
    id[2] = create(f, t);
    t = mk(at(2026, 2, 13, 9, 30), "噪声投诉", "楼下商铺音响声音大", "013812345678");
    free(t->location);
    t->location = xstrdup("高新区");
    t->due_at = at(2026, 2, 14, 12, 0);
    id[3] = create(f, t);
    t = mk(at(2026, 2, 13, 9, 40), "停水咨询", "什么时候恢复供水", "13900001111");
    free(t->category);
    t->category = xstrdup("utilities.water");
    free(t->created_by);
    t->created_by = xstrdup("agent2");
    t->nature = NATURE_CONSULT;
    t->complaint_level = 0;
    id[4] = create(f, t);

    update(f, id[0], &(struct mut){ .set_status = true, .status = STATUS_DISPATCHED,
                                    .unit = "U1", .flags = FLAG_OVERDUE | FLAG_NEAR_DUE,
                                    .updated_at = at(2026, 2, 13, 11, 0) });
    update(f, id[1], &(struct mut){ .set_status = true, .status = STATUS_IN_PROGRESS,
                                    .unit = "U1", .unit2 = "U2", .flags = FLAG_NEAR_DUE,
                                    .updated_at = at(2026, 2, 13, 10, 30) });
    update(f, id[3], &(struct mut){ .set_status = true, .status = STATUS_CLOSED,
                                    .updated_at = at(2026, 2, 13, 9, 35) });
    update(f, id[4], &(struct mut){ .set_status = true, .status = STATUS_REPLIED,
                                    .callback_due = at(2026, 2, 13, 18, 0), .clear_due = true,
                                    .updated_at = at(2026, 2, 13, 9, 45) });
    for (i = 0; i < ARRAY_SIZE(id); i++)
        free(id[i]);
}

/* Every filter of GET /tickets, alone and combined. Tickets 0001..0005 of seed_five. */
static void
test_list_filters(void **state)
{
    struct fx *f = *state;
    struct ticket_query q;
    struct ticket_page p;
    struct phone ph;
    struct err e;

    seed_five(f);
#define Q0() (memset(&q, 0, sizeof q), q.nature = -1)
    Q0();
    expect_list(f, &q, "0005,0004,0003,0002,0001");
    q.status_mask = 1u << STATUS_DISPATCHED | 1u << STATUS_IN_PROGRESS;
    expect_list(f, &q, "0002,0001");
    q.count = true;
    assert_int_equal(f->s->ops->ticket_list(f->s, &q, &p, &e), HL_OK);
    assert_int_equal(p.total, 2);
    ticket_page_fini(&p);
    Q0();
    q.status_mask = 1u << STATUS_ACCEPTED;
    expect_list(f, &q, "0003");

    Q0();
    q.unit = "U1";
    expect_list(f, &q, "0002,0001");
    q.unit = "U2";
    expect_list(f, &q, "0002");
    q.unit = "U3";
    expect_list(f, &q, "");

    /* Phone: three spellings of one mobile; the query normalised first, or not. */
    Q0();
    assert_int_equal(phone_normalize("(+86) 138-1234-5678", "", &ph), PHONE_MOBILE);
    q.caller_phone = ph.number;
    expect_list(f, &q, "0004,0002,0001");
    q.caller_phone = "0086 138 1234 5678";
    expect_list(f, &q, "0004,0002,0001");
    assert_int_equal(phone_normalize("(010) 6512-3456", "", &ph), PHONE_LANDLINE);
    q.caller_phone = ph.number;
    expect_list(f, &q, "0003");
    q.caller_phone = "13900009999";
    expect_list(f, &q, "");

    Q0();
    q.flag_mask = FLAG_OVERDUE;
    expect_list(f, &q, "0001");
    q.flag_mask = FLAG_NEAR_DUE;
    expect_list(f, &q, "0002,0001");
    q.flag_mask = FLAG_NEAR_DUE | FLAG_OVERDUE;
    expect_list(f, &q, "0001");
    q.flag_mask = FLAG_CLUSTER;
    expect_list(f, &q, "");

    /* Text: 1 and 2 characters take the LIKE path, 3 and more the trigram index. */
    Q0();
    q.q = "噪";
    expect_list(f, &q, "0004,0001");
    q.q = "噪音";
    expect_list(f, &q, "0001");
    q.q = "施工噪音";
    expect_list(f, &q, "0001");
    q.q = " 供水 ";
    expect_list(f, &q, "0005");
    q.q = "恢复供水";
    expect_list(f, &q, "0005");
    q.q = "高新区";
    expect_list(f, &q, "0005,0004,0001");
    q.q = "000003";
    expect_list(f, &q, "0003");
    q.q = "5678";
    expect_list(f, &q, "0004,0002,0001");
    q.q = "张三";
    expect_list(f, &q, "0005,0004,0003,0002,0001");
    q.q = "天府大道100";
    expect_list(f, &q, "0005,0004,0003,0002,0001");
    q.q = "噪音\" OR \"路灯";     /* FTS syntax stays text */
    expect_list(f, &q, "");
    q.q = "路灯 NEAR(x) *";
    expect_list(f, &q, "");
    q.q = "%";
    expect_list(f, &q, "");
    q.q = "_";
    expect_list(f, &q, "");
    q.q = "   ";
    expect_list(f, &q, "0005,0004,0003,0002,0001");
    q.q = "噪";
    q.status_mask = 1u << STATUS_CLOSED;
    expect_list(f, &q, "0004");

    Q0();
    q.updated_since = at(2026, 2, 13, 10, 0);
    expect_list(f, &q, "0002,0001");
    Q0();
    q.order = "updated";
    expect_list(f, &q, "0001,0002,0005,0004,0003");
    q.order = "due";                            /* unset due times last */
    expect_list(f, &q, "0002,0004,0001,0003,0005");
    q.order = "callback_due";
    expect_list(f, &q, "0005,0001,0002,0003,0004");
    q.order = "sideways";
    assert_int_equal(f->s->ops->ticket_list(f->s, &q, &p, &e), HL_EINVAL);
    assert_string_equal(e.field, "order");
    Q0();
    q.due_before = at(2026, 2, 15, 10, 0);      /* 0004 is due earlier but closed */
    expect_list(f, &q, "0002,0001");
    Q0();
    q.callback_due_before = at(2026, 2, 14, 0, 0);
    expect_list(f, &q, "0005");

    Q0();
    q.category = "urban.env.";
    expect_list(f, &q, "0004,0001");
    q.category = "urban.";
    expect_list(f, &q, "0004,0002,0001");
    q.category = "urban.facility.streetlight";
    expect_list(f, &q, "0002");
    q.category = "urban";
    expect_list(f, &q, "");
    Q0();
    q.nature = NATURE_CONSULT;
    expect_list(f, &q, "0005,0003");
    Q0();
    q.created_by = "agent2";
    expect_list(f, &q, "0005");
    Q0();
    q.created_from = at(2026, 2, 13, 9, 15);
    q.created_to = at(2026, 2, 13, 9, 35);
    expect_list(f, &q, "0004,0003");
#undef Q0
}

/* Three pages without duplicates or gaps, stable when newer tickets arrive; cursors are
 * checked. */
static void
test_pagination(void **state)
{
    struct fx *f = *state;
    struct ticket_query q = { .nature = -1, .limit = 10 };
    struct ticket_page p;
    char seen[32] = { 0 };
    char *cursor = NULL, *id;
    size_t pages = 0, total = 0, i;
    long num;
    struct err e;
    int k;

    /* Pairs share a creation time, so the id breaks the tie. */
    for (k = 0; k < 25; k++) {
        struct ticket *t = mk(at(2026, 2, 13, 8, 0) + (k / 2) * 60, "分页", "分页测试",
                              "13812345678");

        if (k % 5 == 0)
            t->due_at = 0;
        else
            t->due_at = at(2026, 2, 20, 0, 0) - (k % 3) * 3600;
        free(create(f, t));
    }
    do {
        q.cursor = cursor;
        assert_int_equal(f->s->ops->ticket_list(f->s, &q, &p, &e), HL_OK);
        pages++;
        for (i = 0; i < p.n; i++) {
            assert_true(str_to_long(p.items[i].id + 11, 1, 30, &num));
            assert_int_equal(seen[num], 0);
            seen[num] = 1;
            /* newest first: ids fall within a page */
            if (i > 0)
                assert_true(strcmp(p.items[i - 1].id, p.items[i].id) > 0);
        }
        total += p.n;
        if (pages == 1) {
            assert_int_equal(p.n, 10);
            assert_string_equal(p.items[0].id, "HL20260213-000025");
            /* A newer ticket arriving now does not shift the next pages. */
            id = create(f, mk(at(2026, 2, 13, 12, 0), "新", "新来的", "13812345678"));
            assert_string_equal(id, "HL20260213-000026");
            free(id);
        }
        free(cursor);
        cursor = p.next_cursor != NULL ? xstrdup(p.next_cursor) : NULL;
        if (pages == 3) {
            assert_int_equal(p.n, 5);
            assert_null(p.next_cursor);
            assert_string_equal(p.items[4].id, "HL20260213-000001");
        }
        ticket_page_fini(&p);
    } while (cursor != NULL && pages < 10);
    assert_int_equal(pages, 3);
    assert_int_equal(total, 25);
    assert_int_equal(seen[26], 0);

    /* Soonest due first across pages: every ticket once, unset due times last. */
    memset(seen, 0, sizeof seen);
    q.order = "due";
    q.limit = 7;
    total = 0;
    pages = 0;
    do {
        q.cursor = cursor;
        assert_int_equal(f->s->ops->ticket_list(f->s, &q, &p, &e), HL_OK);
        for (i = 0; i < p.n; i++) {
            assert_true(str_to_long(p.items[i].id + 11, 1, 30, &num));
            assert_int_equal(seen[num], 0);
            seen[num] = 1;
            if (total + i >= 21)
                assert_int_equal(p.items[i].due_at, 0);   /* the 5 unset come last */
        }
        total += p.n;
        pages++;
        free(cursor);
        cursor = p.next_cursor != NULL ? xstrdup(p.next_cursor) : NULL;
        ticket_page_fini(&p);
    } while (cursor != NULL && pages < 10);
    assert_int_equal(total, 26);
    assert_int_equal(pages, 4);

    /* Cursors: tampered, from another order, garbage. */
    q.order = NULL;
    q.limit = 2;
    q.cursor = NULL;
    assert_int_equal(f->s->ops->ticket_list(f->s, &q, &p, &e), HL_OK);
    cursor = xstrdup(p.next_cursor);
    ticket_page_fini(&p);
    q.order = "due";
    q.cursor = cursor;
    assert_int_equal(f->s->ops->ticket_list(f->s, &q, &p, &e), HL_EINVAL);
    assert_string_equal(e.field, "cursor");
    q.order = NULL;
    q.cursor = "zz";
    assert_int_equal(f->s->ops->ticket_list(f->s, &q, &p, &e), HL_EINVAL);
    q.cursor = "63";                            /* "c" alone */
    assert_int_equal(f->s->ops->ticket_list(f->s, &q, &p, &e), HL_EINVAL);
    q.cursor = "633a78783a4c";                  /* "c:xx:L": key not a number */
    assert_int_equal(f->s->ops->ticket_list(f->s, &q, &p, &e), HL_EINVAL);
    free(cursor);

    /* Limits are clamped: 0 gives the default 50, 1000 gives at most 100. */
    q.cursor = NULL;
    q.limit = 0;
    assert_int_equal(f->s->ops->ticket_list(f->s, &q, &p, &e), HL_OK);
    assert_int_equal(p.n, 26);
    assert_null(p.next_cursor);
    ticket_page_fini(&p);
    q.limit = -5;
    assert_int_equal(f->s->ops->ticket_list(f->s, &q, &p, &e), HL_OK);
    assert_int_equal(p.n, 26);
    ticket_page_fini(&p);
}

/* State of the scan test's callback. */
struct scan_state {
    struct fx *f;
    int seen;
    int stop_after;
    char first[32];
};

/* Count tickets; read each again through the store while the scan is open. */
static bool
scan_cb(const struct ticket *t, void *arg)
{
    struct scan_state *ss = arg;
    struct ticket *again = NULL;
    struct err e;

    if (ss->seen == 0)
        str_copy(ss->first, sizeof ss->first, t->id);
    ss->seen++;
    assert_int_equal(ss->f->s->ops->ticket_get(ss->f->s, t->id, &again, &e), HL_OK);
    assert_string_equal(again->id, t->id);
    ticket_free(&again);
    return ss->seen < ss->stop_after;
}

/* Scans: oldest first, filtered, stoppable, re-entrant; cluster callers counted. */
static void
test_scan_cluster(void **state)
{
    struct fx *f = *state;
    struct ticket_query q = { .nature = -1, .limit = 1 };
    struct scan_state ss = { .f = f, .stop_after = 100 };
    struct ticket *t;
    int count = -1;
    struct err e;

    seed_five(f);
    assert_int_equal(f->s->ops->ticket_scan(f->s, &q, scan_cb, &ss, &e), HL_OK);
    assert_int_equal(ss.seen, 5);
    assert_string_equal(ss.first, "HL20260213-000001");
    ss.seen = 0;
    ss.stop_after = 2;
    assert_int_equal(f->s->ops->ticket_scan(f->s, &q, scan_cb, &ss, &e), HL_OK);
    assert_int_equal(ss.seen, 2);
    ss.seen = 0;
    ss.stop_after = 100;
    q.status_mask = 1u << STATUS_CLOSED;
    assert_int_equal(f->s->ops->ticket_scan(f->s, &q, scan_cb, &ss, &e), HL_OK);
    assert_int_equal(ss.seen, 1);
    assert_string_equal(ss.first, "HL20260213-000004");

    /* Cluster: 0001 and 0004 share category but not location; add same-place reports. */
    assert_int_equal(f->s->ops->cluster_callers(f->s, "urban.env.social_noise", "高新区",
                                                at(2026, 1, 14, 0, 0), at(2026, 2, 14, 0, 0),
                                                &count, &e), HL_OK);
    assert_int_equal(count, 1);
    t = mk(at(2026, 2, 13, 12, 0), "噪", "同一地点", "13700000001");
    free(t->location);
    t->location = xstrdup("高新区");
    free(create(f, t));
    t = mk(at(2026, 2, 13, 12, 5), "噪", "同一地点同一人", "137 0000 0001");
    free(t->location);
    t->location = xstrdup("高新区");
    free(create(f, t));
    t = mk(at(2026, 2, 13, 12, 10), "噪", "同一地点", "anonymous");
    free(t->location);
    t->location = xstrdup("高新区");
    free(create(f, t));
    assert_int_equal(f->s->ops->cluster_callers(f->s, "urban.env.social_noise", "高新区",
                                                at(2026, 1, 14, 0, 0), at(2026, 2, 14, 0, 0),
                                                &count, &e), HL_OK);
    assert_int_equal(count, 2);                /* 138..., 137...; anonymous has no number */
    assert_int_equal(f->s->ops->cluster_callers(f->s, "urban.env.social_noise", "高新区",
                                                at(2026, 2, 13, 9, 31), at(2026, 2, 14, 0, 0),
                                                &count, &e), HL_OK);
    assert_int_equal(count, 1);
}

/* The reflag test's flag function: open tickets created before *arg are overdue. */
static unsigned
overdue_before(const struct ticket *t, void *arg)
{
    hl_time limit = *(const hl_time *)arg;

    return t->created_at < limit ? (t->flags | FLAG_OVERDUE) : t->flags;
}

/* Reflag saves only changed open tickets, bumps their version and feeds them. */
static void
test_reflag(void **state)
{
    struct fx *f = *state;
    hl_time noon = at(2026, 2, 13, 9, 15);
    struct ticket *t = NULL;
    struct feed_event *ev = NULL;
    int changed = -1;
    int64_t seq = 0, last = 0;
    size_t n = 0, i;
    struct err e;

    seed_five(f);
    assert_int_equal(f->s->ops->feed_last_seq(f->s, &last, &e), HL_OK);
    assert_int_equal(f->s->ops->ticket_reflag(f->s, overdue_before, &noon, &changed, &seq, &e),
                     HL_OK);
    assert_int_equal(changed, 1);               /* 0002; 0001 was already overdue */
    assert_int_equal(seq, last + 1);
    assert_int_equal(f->s->ops->ticket_get(f->s, "HL20260213-000002", &t, &e), HL_OK);
    assert_int_equal(t->flags, FLAG_NEAR_DUE | FLAG_OVERDUE);
    assert_int_equal(t->version, 3);
    ticket_free(&t);
    assert_int_equal(f->s->ops->feed_since(f->s, last, 10, &ev, &n, &e), HL_OK);
    assert_int_equal(n, 1);
    assert_string_equal(ev[0].type, "ticket.updated");
    assert_string_equal(ev[0].action, "reflag");
    assert_string_equal(ev[0].unit, "U1,U2");
    for (i = 0; i < n; i++)
        feed_event_fini(&ev[i]);
    free(ev);
    assert_int_equal(f->s->ops->ticket_reflag(f->s, overdue_before, &noon, &changed, &seq, &e),
                     HL_OK);
    assert_int_equal(changed, 0);
    assert_int_equal(seq, 0);
    assert_int_equal(raw_int(f, "SELECT flags FROM tickets WHERE id = 'HL20260213-000002'"),
                     FLAG_NEAR_DUE | FLAG_OVERDUE);
}

/* Short queries and what LIKE finds for them: characters and pairs, ASCII in both cases,
 * digits, punctuation, LIKE and FTS5 syntax, pairs that exist only across two columns. */
static const char *const short_queries[] = {
    "噪", "噪音", "音", "路灯", "三天", "道张", "三天府", "区天", "号", "w", "W", "wi", "Fi", "fI",
    "ab", "AB", "b-", "-1", "1", "12", "56", "3", "00", "hl", "HL", "h", "(", "（", "：", "，",
    "%", "_", "\\", "\"", "*", "'", "龘", "13", "86", "+", "r)", "闪",
};

/* True when one of the searched text of t (the stored columns) contains q, ASCII folded. */
static bool
short_match(const struct ticket *t, const char *q)
{
    char phone[32];
    const char *col[7];
    size_t i;

    store_util_canonical_phone(t->caller.phone, phone, sizeof phone);
    col[0] = t->id;
    col[1] = t->title;
    col[2] = t->description;
    col[3] = t->location;
    col[4] = phone;
    col[5] = t->caller.name;
    col[6] = t->caller.address;
    for (i = 0; i < ARRAY_SIZE(col); i++)
        if (col[i] != NULL && store_util_find_ci(col[i], q) >= 0)
            return true;
    return false;
}

/* Every short query, alone (newest first, pages of 2 chained by cursors) and with a
 * status filter, finds exactly the tickets whose text contains it (n tickets of
 * 2026-02-13, numbered 1..n, created in that order). */
static void
expect_short_search(struct fx *f, int n)
{
    struct ticket_query q;
    struct ticket_page p;
    struct strbuf want, got;
    struct ticket *t;
    char id[32], *cursor;
    struct err e;
    size_t i;
    int k;

    for (i = 0; i < ARRAY_SIZE(short_queries); i++) {
        strbuf_init(&want);
        strbuf_init(&got);
        for (k = n; k >= 1; k--) {
            snprintf(id, sizeof id, "HL20260213-%06d", k);
            assert_int_equal(f->s->ops->ticket_get(f->s, id, &t, &e), HL_OK);
            if (short_match(t, short_queries[i]))
                strbuf_addf(&want, "%s%s", want.len > 0 ? "," : "", id + 13);
            ticket_free(&t);
        }
        memset(&q, 0, sizeof q);
        q.nature = -1;
        q.q = short_queries[i];
        q.limit = 2;
        cursor = NULL;
        do {
            q.cursor = cursor;
            if (f->s->ops->ticket_list(f->s, &q, &p, &e) != HL_OK)
                fail_msg("ticket_list: %s", e.msg);
            for (k = 0; k < (int)p.n; k++)
                strbuf_addf(&got, "%s%s", got.len > 0 ? "," : "", p.items[k].id + 13);
            free(cursor);
            cursor = p.next_cursor != NULL ? xstrdup(p.next_cursor) : NULL;
            ticket_page_fini(&p);
        } while (cursor != NULL);
        if (strcmp(got.buf != NULL ? got.buf : "", want.buf != NULL ? want.buf : "") != 0)
            fail_msg("q \"%s\": got \"%s\", want \"%s\"", short_queries[i],
                     got.buf != NULL ? got.buf : "", want.buf != NULL ? want.buf : "");
        strbuf_fini(&want);
        strbuf_fini(&got);
    }
}

/* 1- and 2-character searches (SQLite: the ticket_gram index) find what LIKE finds after
 * creates, an edit of the text, status changes and a flag sweep; `check` sees a change
 * made behind the index's back. */
static void
test_short_search(void **state)
{
    struct fx *f = *state;
    hl_time noon = at(2026, 2, 13, 9, 15);
    struct ticket *t;
    char *id, *report = NULL;
    int changed = -1;
    int64_t seq = 0;
    struct err e;

    seed_five(f);
    t = mk(at(2026, 2, 13, 9, 50), "WiFi故障：Router重启", "路由器AB-12，灯(红)闪", "13912345678");
    free(t->caller.name);
    t->caller.name = xstrdup("hL_Wang%");
    id = create(f, t);
    free(id);
    t = mk(at(2026, 2, 13, 9, 55), "宽带", "fi\\ab \"x\" *'（）", "+86 139 8765 4321");
    free(t->location);
    t->location = NULL;
    id = create(f, t);
    free(id);
    expect_short_search(f, 7);

    /* The text changes: the old grams go, the new ones come. */
    update(f, "HL20260213-000001", &(struct mut){ .title = "闪灯Wi" });
    update(f, "HL20260213-000006", &(struct mut){ .title = "网络" });
    expect_short_search(f, 7);
    /* Status and flags only: the text, and what it finds, stay. */
    update(f, "HL20260213-000007", &(struct mut){ .set_status = true,
                                                  .status = STATUS_DISPATCHED, .unit = "U1" });
    assert_int_equal(f->s->ops->ticket_reflag(f->s, overdue_before, &noon, &changed, &seq, &e),
                     HL_OK);
    assert_true(changed > 0);
    expect_short_search(f, 7);

    if (f->pg)
        return;
    assert_int_equal(f->s->ops->check(f->s, &report, &e), HL_OK);
    assert_non_null(strstr(report, "search index ticket_gram: 7 tickets checked, ok"));
    free(report);
    report = NULL;
    /* Another connection (no hotlined functions) can still write tickets; check sees the
     * index is behind. */
    raw_sql(f, "UPDATE tickets SET title = '另一个标题' WHERE id = 'HL20260213-000002'");
    assert_int_equal(f->s->ops->check(f->s, &report, &e), HL_EIO);
    assert_non_null(strstr(report, "ticket HL20260213-000002: missing or stale in search "
                           "index ticket_gram"));
    free(report);
}

/* One ticket of test_text_pages: its place in created order and its title. */
struct text_row {
    hl_time created;
    char id[32];
    char title[128];
};

/* Order text_rows as a list shows them: newest first, then the larger id. */
static int
text_row_cmp(const void *pa, const void *pb)
{
    const struct text_row *a = pa, *b = pb;

    if (a->created != b->created)
        return a->created > b->created ? -1 : 1;
    return -strcmp(a->id, b->id);
}

/* Page through the search for word (pages of limit chained by cursors, counted when
 * count), after rows[from - 1] when from > 0 (its cursor), and check every page against
 * rows (n, in list order): the matches in order, each once, the cursor on all pages
 * but the last, the total of all matches on each page. */
static void
expect_text_pages(struct fx *f, const char *word, int limit, bool count,
                  const struct text_row *rows, size_t n, size_t from)
{
    struct ticket_query q = { .nature = -1, .q = word, .limit = limit, .count = count };
    size_t per = limit > 0 ? (size_t)limit : STORE_LIMIT_DEFAULT;
    struct ticket_page p;
    size_t want = 0, left = 0, got = from, i;
    char *cursor = NULL;
    struct err e;
    int pages = 0;

    for (i = 0; i < n; i++) {
        if (strstr(rows[i].title, word) != NULL) {
            want++;
            left += i >= from;
        }
    }
    if (from > 0)
        cursor = store_util_cursor_make('c', rows[from - 1].created, rows[from - 1].id);
    do {
        q.cursor = cursor;
        if (f->s->ops->ticket_list(f->s, &q, &p, &e) != HL_OK)
            fail_msg("\"%s\" limit %d: %s", word, limit, e.msg);
        pages++;
        for (i = 0; i < p.n; i++) {
            while (got < n && strstr(rows[got].title, word) == NULL)
                got++;
            if (got == n)
                fail_msg("\"%s\" limit %d from %zu page %d: %s beyond the matches", word, limit,
                         from, pages, p.items[i].id);
            if (strcmp(p.items[i].id, rows[got].id) != 0)
                fail_msg("\"%s\" limit %d from %zu page %d: %s where %s belongs", word, limit,
                         from, pages, p.items[i].id, rows[got].id);
            got++;
        }
        if (count)
            assert_int_equal(p.total, (int64_t)want);
        else
            assert_int_equal(p.total, -1);
        free(cursor);
        cursor = p.next_cursor != NULL ? xstrdup(p.next_cursor) : NULL;
        /* a full page has a cursor unless it ends the matches */
        if (cursor == NULL)
            assert_true(p.n < per || pages * per == left);
        else
            assert_int_equal(p.n, per);
        ticket_page_fini(&p);
    } while (cursor != NULL && pages <= (int)n);
    while (got < n && strstr(rows[got].title, word) == NULL)
        got++;
    assert_int_equal(got, n);
    assert_int_equal(pages, left == 0 ? 1 : (int)((left + per - 1) / per));
}

/* Text searches page by cursor through their matches newest first, each once, whatever
 * the order the tickets were created in: most in time order, some back-dated, two
 * dated after all others, one after the next, some sharing a time (the id decides);
 * words of 1 to 4 characters, found in most tickets, in a few, in all, in none. */
static void
test_text_pages(void **state)
{
    static const char *const words[] = { "常见事项", "常见", "稀有情况", "稀有", "见", "测试",
                                         "龘龘龘", "有情" };
    struct fx *f = *state;
    hl_time base = at(2026, 3, 2, 9, 0);
    struct text_row rows[81];
    struct ticket_query q = { .nature = -1, .q = "常见事项", .limit = 2 };
    struct ticket_page p;
    struct ticket *t;
    size_t n = 0, w, from;
    char *id, *cursor;
    struct err e;
    int i;

    for (i = 0; i < 80; i++) {
        struct text_row *r = &rows[n++];

        r->created = base + i * 60;
        if (i % 10 == 7)
            r->created = base - 7200 + i;            /* back-dated */
        else if (i == 21 || i == 55)
            r->created = base + 43200 + i;           /* after all others */
        else if (i == 78)
            r->created = base + 79 * 60 + 30;        /* after the next one */
        else if (i == 69)
            r->created = base + 70 * 60 + 30;        /* after the next one */
        else if (i % 10 == 3)
            r->created = rows[n - 2].created;        /* the time of the one before */
        snprintf(r->title, sizeof r->title, "测试%s%s", i % 4 != 0 ? "常见事项" : "",
                 i == 2 || i == 19 || i == 37 || i == 55 || i == 71 ? "稀有情况" : "");
        t = mk(r->created, r->title, "说明", "13812345678");
        id = create(f, t);
        str_copy(r->id, sizeof r->id, id);
        free(id);
    }
    qsort(rows, n, sizeof *rows, text_row_cmp);
    for (w = 0; w < ARRAY_SIZE(words); w++) {
        expect_text_pages(f, words[w], 1, false, rows, n, 0);
        expect_text_pages(f, words[w], 2, true, rows, n, 0);
        expect_text_pages(f, words[w], 3, false, rows, n, 0);
        expect_text_pages(f, words[w], 7, true, rows, n, 0);
        expect_text_pages(f, words[w], 0, false, rows, n, 0);   /* the default 50 */
    }
    /* From every ticket on. */
    for (from = 1; from <= n; from++) {
        expect_text_pages(f, "常见事项", 2, false, rows, n, from);
        expect_text_pages(f, "稀有", 3, false, rows, n, from);
    }

    /* A newer match arriving between pages does not shift the next ones. */
    assert_int_equal(f->s->ops->ticket_list(f->s, &q, &p, &e), HL_OK);
    assert_int_equal(p.n, 2);
    assert_string_equal(p.items[0].id, rows[0].id);
    cursor = xstrdup(p.next_cursor);
    ticket_page_fini(&p);
    id = create(f, mk(base + 86400 - 60, "新的常见事项", "说明", "13812345678"));
    q.cursor = cursor;
    assert_int_equal(f->s->ops->ticket_list(f->s, &q, &p, &e), HL_OK);
    assert_int_equal(p.n, 2);
    for (i = 0; i < 2; i++)
        assert_string_not_equal(p.items[i].id, id);
    ticket_page_fini(&p);
    free(cursor);
    rows[n].created = base + 86400 - 60;
    str_copy(rows[n].id, sizeof rows[n].id, id);
    str_copy(rows[n].title, sizeof rows[n].title, "新的常见事项");
    n++;
    free(id);
    qsort(rows, n, sizeof *rows, text_row_cmp);
    expect_text_pages(f, "常见事项", 2, true, rows, n, 0);
    expect_text_pages(f, "常见", 3, false, rows, n, 0);

    /* Below the oldest ticket: an empty last page; a cursor of another order or of
     * nothing: refused. */
    cursor = store_util_cursor_make('c', base - 86400, "HL");
    q.cursor = cursor;
    assert_int_equal(f->s->ops->ticket_list(f->s, &q, &p, &e), HL_OK);
    assert_int_equal(p.n, 0);
    assert_null(p.next_cursor);
    ticket_page_fini(&p);
    free(cursor);
    cursor = store_util_cursor_make('d', base, rows[0].id);
    q.cursor = cursor;
    assert_int_equal(f->s->ops->ticket_list(f->s, &q, &p, &e), HL_EINVAL);
    assert_string_equal(e.field, "cursor");
    free(cursor);
    q.cursor = "zz";
    assert_int_equal(f->s->ops->ticket_list(f->s, &q, &p, &e), HL_EINVAL);
    assert_string_equal(e.field, "cursor");
}

/* Create a ticket at created titled title and add it to rows[*n]. */
static void
order_add(struct fx *f, struct text_row *rows, size_t *n, hl_time created, const char *title)
{
    char *id = create(f, mk(created, title, "说明", "13812345678"));

    rows[*n].created = created;
    str_copy(rows[*n].id, sizeof rows[*n].id, id);
    str_copy(rows[*n].title, sizeof rows[*n].title, title);
    (*n)++;
    free(id);
}

/* A text search reads its page straight from the index where the newest tickets are in
 * created order (SQLite: ticket_order), and the pages stay right where they are not: a
 * run in time order, a back-dated ticket, a longer run after it, then pages from every
 * ticket on, across the line between the two. The line moves as tickets come, the check
 * finds it moved too low. */
static void
test_text_order(void **state)
{
    static const char *const words[] = { "常见事项", "常见", "稀有情况", "见", "龘龘龘" };
    struct fx *f = *state;
    hl_time base = at(2026, 3, 2, 9, 0);
    struct text_row rows[200];
    char title[128], *report = NULL;
    size_t n = 0, w, from;
    struct err e;
    int i;

    for (i = 0; i < 30; i++) {
        snprintf(title, sizeof title, "测试%s%s", i % 3 != 0 ? "常见事项" : "",
                 i % 11 == 5 ? "稀有情况" : "");
        order_add(f, rows, &n, base + i * 60, title);
    }
    if (!f->pg)
        assert_int_equal(raw_int(f, "SELECT from_rid FROM ticket_order"), 1);
    order_add(f, rows, &n, base - 3600, "测试常见事项稀有情况");   /* back-dated */
    if (!f->pg)
        assert_int_equal(raw_int(f, "SELECT from_rid FROM ticket_order"), 32);
    for (i = 0; i < 150; i++) {
        snprintf(title, sizeof title, "测试%s%s", i % 4 != 1 ? "常见事项" : "",
                 i % 37 == 3 ? "稀有情况" : "");
        order_add(f, rows, &n, base + 3600 + i * 60, title);
    }
    if (!f->pg)
        assert_int_equal(raw_int(f, "SELECT from_rid FROM ticket_order"), 32);
    qsort(rows, n, sizeof *rows, text_row_cmp);
    for (w = 0; w < ARRAY_SIZE(words); w++) {
        expect_text_pages(f, words[w], 1, false, rows, n, 0);
        expect_text_pages(f, words[w], 7, true, rows, n, 0);
        expect_text_pages(f, words[w], 0, false, rows, n, 0);   /* the default 50 */
    }
    for (from = 1; from <= n; from++) {
        expect_text_pages(f, "常见事项", 3, false, rows, n, from);
        expect_text_pages(f, "稀有情况", 2, false, rows, n, from);
    }
    if (f->pg)
        return;
    assert_int_equal(f->s->ops->check(f->s, &report, &e), HL_OK);
    assert_non_null(strstr(report, "ticket order: in created order from rowid 32, ok"));
    free(report);
    report = NULL;

    /* Two tickets at the same time: the id decides, and the later id comes later. */
    order_add(f, rows, &n, base + 3600 + 150 * 60, "测试常见事项");
    order_add(f, rows, &n, base + 3600 + 150 * 60, "测试常见事项");
    assert_int_equal(raw_int(f, "SELECT from_rid FROM ticket_order"), 32);
    /* One dated before the newest: nothing is vouched for until a newer one comes. */
    order_add(f, rows, &n, base + 3600 + 149 * 60 + 30, "测试常见事项");
    assert_int_equal(raw_int(f, "SELECT from_rid FROM ticket_order"), (int64_t)n + 1);
    order_add(f, rows, &n, base + 3600 + 152 * 60, "测试常见事项");
    assert_int_equal(raw_int(f, "SELECT from_rid FROM ticket_order"), (int64_t)n);
    qsort(rows, n, sizeof *rows, text_row_cmp);
    expect_text_pages(f, "常见事项", 2, true, rows, n, 0);
    expect_text_pages(f, "常见事项", 0, false, rows, n, 0);

    /* Vouching for more than is so is found by the check; changing a ticket's time moves
     * the line past the last ticket. */
    raw_sql(f, "UPDATE ticket_order SET from_rid = 1");
    assert_int_equal(f->s->ops->check(f->s, &report, &e), HL_EIO);
    assert_non_null(strstr(report, "ticket_order: from_rid 1, but the tickets are in created "
                                   "order only from rowid"));
    free(report);
    raw_sql(f, "UPDATE tickets SET created_at = created_at + 1 WHERE rid = 40");
    assert_int_equal(raw_int(f, "SELECT from_rid FROM ticket_order"), (int64_t)n + 1);
}

/* A write transaction for test_gram_rollback: creates a ticket titled title, then (inner)
 * runs a nested write that creates "丙丁" and is refused, then is refused itself (fail). */
struct gram_tx {
    const char *title;
    bool fail;
    bool inner;
};

/* write_tx body of test_gram_rollback. */
static int
gram_write(struct store *s, void *arg, struct err *e)
{
    const struct gram_tx *g = arg;
    struct ticket *t = mk(at(2026, 2, 14, 9, 0), g->title, "x", "13900000001");
    struct ticket *out = NULL;
    bool replayed = false;
    int64_t seq = 0;
    int rc = s->ops->ticket_create(s, t, NULL, NULL, &out, &replayed, &seq, e);

    ticket_free(&t);
    ticket_free(&out);
    if (rc != HL_OK)
        return rc;
    if (g->inner) {
        struct gram_tx in = {"丙丁", true, false};
        struct err e2;

        err_clear(&e2);
        assert_int_not_equal(s->ops->write_tx(s, gram_write, &in, &e2), HL_OK);
    }
    return g->fail ? err_set(e, HL_EINVAL, "", "refused") : HL_OK;
}

/* The number of tickets a text search for q finds. */
static int64_t
search_total(struct fx *f, const char *q)
{
    struct ticket_query tq;
    struct ticket_page page;
    struct err e;
    int64_t n;

    memset(&tq, 0, sizeof tq);
    tq.nature = -1;
    tq.q = q;
    tq.limit = 100;
    tq.count = true;
    assert_int_equal(f->s->ops->ticket_list(f->s, &tq, &page, &e), HL_OK);
    n = page.total;
    ticket_page_fini(&page);
    return n;
}

/* Idle-time tidying of the search indexes (SQLite) merges the segments each ticket
 * write leaves, in steps, until there is nothing left to merge; searches find the same
 * tickets, newest first, and the check is clean. PostgreSQL has nothing to tidy. */
static void
test_index_tidy(void **state)
{
    struct fx *f = *state;
    struct ticket_query q = { .nature = -1, .q = "水压不足", .limit = 5 };
    struct ticket_page p;
    hl_time base = at(2026, 3, 2, 9, 0);
    int64_t segs, gsegs;
    char title[64], *report = NULL, *id;
    int i, steps = 0, total = 0, rounds = 0;
    bool done = false;
    struct err e;

    if (f->pg) {
        assert_null(f->s->ops->index_tidy);
        return;
    }
    for (i = 0; i < 64; i++) {
        snprintf(title, sizeof title, "第%d号：%s", i, i % 2 == 0 ? "水压不足" : "停水");
        id = create(f, mk(base + i * 60, title, "说明", "13812345678"));
        free(id);
    }
    segs = raw_int(f, "SELECT count(DISTINCT segid) FROM ticket_fts_idx");
    gsegs = raw_int(f, "SELECT count(DISTINCT segid) FROM ticket_gram_idx");
    assert_true(segs >= 4);
    assert_true(gsegs >= 4);
    while (!done && rounds++ < 1000) {
        assert_int_equal(f->s->ops->index_tidy(f->s, 3, &steps, &done, &e), HL_OK);
        assert_true(steps <= 3);
        total += steps;
    }
    assert_true(done);
    assert_true(total > 0);
    /* at most one segment a level: fewer than before, and few */
    assert_true(raw_int(f, "SELECT count(DISTINCT segid) FROM ticket_fts_idx") < segs);
    assert_true(raw_int(f, "SELECT count(DISTINCT segid) FROM ticket_fts_idx") <= 4);
    assert_true(raw_int(f, "SELECT count(DISTINCT segid) FROM ticket_gram_idx") < gsegs);
    assert_true(raw_int(f, "SELECT count(DISTINCT segid) FROM ticket_gram_idx") <= 4);
    /* tidy now: no step taken */
    assert_int_equal(f->s->ops->index_tidy(f->s, 3, &steps, &done, &e), HL_OK);
    assert_int_equal(steps, 0);
    assert_true(done);

    assert_int_equal(search_total(f, "水压不足"), 32);
    assert_int_equal(search_total(f, "停水"), 32);
    assert_int_equal(search_total(f, "水"), 64);
    assert_int_equal(f->s->ops->ticket_list(f->s, &q, &p, &e), HL_OK);
    assert_int_equal(p.n, 5);
    assert_non_null(strstr(p.items[0].title, "第62号"));
    assert_non_null(strstr(p.items[4].title, "第54号"));
    ticket_page_fini(&p);
    assert_int_equal(raw_int(f, "SELECT from_rid FROM ticket_order"), 1);
    assert_int_equal(f->s->ops->check(f->s, &report, &e), HL_OK);
    free(report);
}

/* A create rolled back (the whole write, or a nested level of it) leaves nothing in the
 * search indexes, while its committed siblings are found; the index checks clean. */
static void
test_gram_rollback(void **state)
{
    struct fx *f = *state;
    struct gram_tx refused = {"唯一", true, false}, kept = {"甲乙", false, true};
    struct err e;
    char *report = NULL;

    seed_five(f);
    err_clear(&e);
    assert_int_not_equal(f->s->ops->write_tx(f->s, gram_write, &refused, &e), HL_OK);
    assert_int_equal(search_total(f, "唯一"), 0);
    assert_int_equal(search_total(f, "唯"), 0);
    err_clear(&e);
    assert_int_equal(f->s->ops->write_tx(f->s, gram_write, &kept, &e), HL_OK);
    assert_int_equal(search_total(f, "甲乙"), 1);
    assert_int_equal(search_total(f, "甲"), 1);
    assert_int_equal(search_total(f, "丙丁"), 0);
    assert_int_equal(search_total(f, "丙"), 0);
    if (f->pg)
        return;
    assert_int_equal(f->s->ops->check(f->s, &report, &e), HL_OK);
    assert_non_null(strstr(report, "ticket_gram: 6 tickets checked, ok"));
    free(report);
}

/* ---- knowledge base ---- */

/* Import data/kb/articles.json: all published but KB-0002 (draft) and KB-0003 (review);
 * article i is updated i minutes after a base time, so KB-0040 is the newest. */
static void
import_kb(struct fx *f)
{
    const char *data = getenv("HOTLINE_DATA");
    char path[1024];
    char *buf;
    size_t len = 0, n = 0, i;
    struct article *v, *out = NULL;
    cJSON *json;
    struct err e;

    snprintf(path, sizeof path, "%s/kb/articles.json", data != NULL ? data : "data");
    buf = file_read_all(path, 4 << 20, &len);
    assert_non_null(buf);
    json = codec_parse(buf, len, &e);
    assert_non_null(json);
    v = codec_article_list_decode(json, &n, &e);
    if (v == NULL)
        fail_msg("%s: %s", path, e.msg);
    assert_int_equal(n, 40);
    for (i = 0; i < n; i++) {
        v[i].status = KB_PUBLISHED;
        if (strcmp(v[i].id, "KB-0002") == 0)
            v[i].status = KB_DRAFT;
        if (strcmp(v[i].id, "KB-0003") == 0)
            v[i].status = KB_REVIEW;
        v[i].created_at = at(2025, 1, 1, 8, 0) + (hl_time)i * 60;
        v[i].updated_at = v[i].created_at;
        if (f->s->ops->article_put(f->s, &v[i], &out, &e) != HL_OK)
            fail_msg("article_put %s: %s", v[i].id, e.msg);
        assert_string_equal(out->id, v[i].id);
        assert_int_equal(out->version, 1);
        article_free(&out);
        article_fini(&v[i]);
    }
    free(v);
    cJSON_Delete(json);
    free(buf);
}

/* Search and return the page; fails the test on error. */
static void
search(struct fx *f, const struct article_query *q, struct article_page *p)
{
    struct err e;

    if (f->s->ops->article_search(f->s, q, p, &e) != HL_OK)
        fail_msg("article_search: %s", e.msg);
}

/* Ids of an article page, comma separated (owned). */
static char *
article_ids(const struct article_page *p)
{
    struct strbuf sb;
    size_t i;

    strbuf_init(&sb);
    for (i = 0; i < p->n; i++) {
        if (i > 0)
            strbuf_addc(&sb, ',');
        strbuf_adds(&sb, p->items[i].id + 3);
    }
    return strbuf_detach(&sb);
}

/* Search with q and compare ids (without "KB-") with want. */
static void
expect_kb(struct fx *f, const struct article_query *q, const char *want)
{
    struct article_page p;
    char *got;

    search(f, q, &p);
    got = article_ids(&p);
    if (strcmp(got, want) != 0)
        fail_msg("kb search \"%s\": got \"%s\", want \"%s\"", q->q != NULL ? q->q : "", got,
                 want);
    free(got);
    article_page_fini(&p);
}

/* Compare two strings through pointers (qsort). */
static int
cmp_strp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Ids of an article page (without "KB-") sorted, comma separated, in buf. */
static const char *
sorted_ids(const struct article_page *p, char *buf, size_t sz)
{
    const char **v = xcalloc(p->n + 1, sizeof *v);
    size_t i;

    for (i = 0; i < p->n; i++)
        v[i] = p->items[i].id + 3;
    qsort(v, p->n, sizeof *v, cmp_strp);
    buf[0] = '\0';
    for (i = 0; i < p->n; i++) {
        if (i > 0)
            str_append(buf, sz, ",");
        str_append(buf, sz, v[i]);
    }
    free(v);
    return buf;
}

/* True when every title hit comes before every body-only hit. */
static bool
titles_first(const struct article_page *p, const char *q)
{
    bool body_seen = false;
    size_t i;

    for (i = 0; i < p->n; i++) {
        bool th = strstr(p->items[i].title, q) != NULL;

        if (th && body_seen)
            return false;
        if (!th)
            body_seen = true;
    }
    return true;
}

/* Search the imported knowledge base with 1, 2 and 4 characters; ranking, snippets,
 * validity and drafts. */
static void
test_kb_search(void **state)
{
    struct fx *f = *state;
    struct article_query q;
    struct article_page p;
    char ids[256];
    int64_t today;
    size_t i;

    import_kb(f);
#define K0() (memset(&q, 0, sizeof q), q.kind = -1, q.scope = -1, q.limit = 100)
    /* One character: LIKE path, title hits by position in the title, then body hits by
     * position in the body. */
    K0();
    q.q = "水";
    expect_kb(f, &q, "0037,0017,0008,0040,0036,0038");
    search(f, &q, &p);
    for (i = 0; i < p.n; i++) {
        assert_non_null(p.items[i].snippet);
        if (strstr(p.items[i].snippet, "【水】") == NULL)
            fail_msg("%s: snippet without 【水】: %s", p.items[i].id, p.items[i].snippet);
        assert_true(text_utf8_valid(p.items[i].snippet, strlen(p.items[i].snippet)));
        assert_null(strchr(p.items[i].snippet, '\n'));
    }
    article_page_fini(&p);

    /* Two characters. */
    q.q = "停水";
    expect_kb(f, &q, "0017");
    search(f, &q, &p);
    assert_non_null(strstr(p.items[0].snippet, "【停水】"));
    assert_string_equal(p.items[0].title, "【模板】高新区部分区域计划停水通知");
    article_page_fini(&p);
    q.q = "IC";                                  /* ASCII folds: "ic" matches too */
    expect_kb(f, &q, "0034,0001,0031,0040");

    /* Four characters: the trigram index; title hits (3) above body hits (5). */
    q.q = "单一窗口";
    search(f, &q, &p);
    assert_int_equal(p.n, 8);
    assert_true(titles_first(&p, "单一窗口"));
    assert_non_null(strstr(p.items[0].title, "单一窗口"));
    assert_non_null(strstr(p.items[2].title, "单一窗口"));
    assert_null(strstr(p.items[3].title, "单一窗口"));
    for (i = 0; i < p.n; i++)
        assert_non_null(strstr(p.items[i].snippet, "【单一窗口】"));
    article_page_fini(&p);
    q.q = "ikey";                                /* case-insensitive, original case kept */
    search(f, &q, &p);
    assert_int_equal(p.n, 1);
    assert_string_equal(p.items[0].id, "KB-0001");
    assert_non_null(strstr(p.items[0].snippet, "【Ikey】"));
    article_page_fini(&p);
    q.q = "卡介质密码";
    expect_kb(f, &q, "0001");
    q.q = "\"停水\" OR 燃气";                     /* FTS syntax stays text: no exact */
    search(f, &q, &p);                           /* match, so the bigram fallback */
    assert_true(p.n > 0);                        /* (order: test_kb_grams) */
    article_page_fini(&p);
    q.q = "100%";
    expect_kb(f, &q, "");
    q.q = "燃气";
    search(f, &q, &p);
    assert_int_equal(p.n, 10);
    assert_true(titles_first(&p, "燃气"));
    article_page_fini(&p);

    /* Validity and status: on 2026-02-13 drafts, reviews and ended notices are hidden. */
    K0();
    assert_true(datetime_parse_date("2026-02-13", &today));
    q.published_only = true;
    q.today = today;
    q.q = "单一窗口";                              /* no 0002 draft, no 0013 ended */
    search(f, &q, &p);
    assert_true(titles_first(&p, "单一窗口"));
    assert_string_equal(sorted_ids(&p, ids, sizeof ids), "0001,0004,0005,0006,0008,0011");
    article_page_fini(&p);
    q.q = "停水";
    expect_kb(f, &q, "");
    assert_true(datetime_parse_date("2025-03-06", &q.today));
    expect_kb(f, &q, "0017");
    assert_true(datetime_parse_date("2025-03-10", &q.today));
    expect_kb(f, &q, "");

    /* No q: emergency notices first, newest first; then the rest newest first. */
    K0();
    q.limit = 7;
    expect_kb(f, &q, "0040,0038,0018,0017,0013,0039,0037");
    q.published_only = true;
    q.today = today;
    q.limit = 100;
    search(f, &q, &p);
    assert_int_equal(p.n, 33);                   /* 40 - 2 unpublished - 5 ended notices */
    assert_string_equal(p.items[0].id, "KB-0039");
    article_page_fini(&p);

    /* Filters. */
    K0();
    q.kind = KB_CASE;
    expect_kb(f, &q, "0039,0021,0020,0010,0009");
    q.kind = KB_CASE;
    q.q = "回执";
    expect_kb(f, &q, "0009");
    K0();
    q.category = "urban.env.";
    q.q = "燃气";
    search(f, &q, &p);
    assert_int_equal(p.n, 10);
    article_page_fini(&p);
    q.category = "urban.env.water_supply";
    q.q = NULL;
    expect_kb(f, &q, "0017");
    K0();
    q.scope = KB_LOCAL;
    q.region = "nowhere";
    expect_kb(f, &q, "");
#undef K0
}

/* Pages of a ranked search, replacement by id, new ids and snippets cut around a match. */
static void
test_kb_pages_put_snippet(void **state)
{
    struct fx *f = *state;
    struct article_query q = { .kind = -1, .scope = -1, .q = "燃气", .limit = 4 };
    struct article_page p;
    struct article *a, *out = NULL;
    struct strbuf body;
    char seen[64] = { 0 };
    char *cursor = NULL;
    size_t pages = 0, total = 0, i;
    long num;
    struct err e;
    const char *s;

    import_kb(f);
    do {
        q.cursor = cursor;
        search(f, &q, &p);
        for (i = 0; i < p.n; i++) {
            assert_true(str_to_long(p.items[i].id + 3, 1, 60, &num));
            assert_int_equal(seen[num], 0);
            seen[num] = 1;
        }
        total += p.n;
        pages++;
        free(cursor);
        cursor = p.next_cursor != NULL ? xstrdup(p.next_cursor) : NULL;
        article_page_fini(&p);
    } while (cursor != NULL && pages < 10);
    assert_int_equal(total, 10);
    assert_int_equal(pages, 3);
    q.cursor = "6b3a3939393939393939393a";        /* "k:9999999999:" - out of range */
    assert_int_equal(f->s->ops->article_search(f->s, &q, &p, &e), HL_EINVAL);

    /* A new article without id gets the first free KB- number. */
    a = article_new();
    a->title = xstrdup("测试：燃气泄漏");
    a->kind = KB_GUIDE;
    strbuf_init(&body);
    for (i = 0; i < 30; i++)
        strbuf_adds(&body, "前文填充内容。");
    strbuf_adds(&body, "Gas泄漏时请立即关闭阀门");
    for (i = 0; i < 30; i++)
        strbuf_adds(&body, "后文填充内容。");
    a->body = strbuf_detach(&body);
    a->status = KB_PUBLISHED;
    assert_int_equal(f->s->ops->article_put(f->s, a, &out, &e), HL_OK);
    assert_string_equal(out->id, "KB-0041");
    assert_int_equal(out->version, 1);
    assert_true(out->created_at > 0);
    article_free(&out);

    /* Snippet: about 80 characters around the match, cut on both sides. */
    memset(&q, 0, sizeof q);
    q.kind = -1;
    q.scope = -1;
    q.q = "gas泄漏";
    search(f, &q, &p);
    assert_int_equal(p.n, 1);
    s = p.items[0].snippet;
    assert_true(str_starts_with(s, "…"));
    assert_true(strlen(s) > 3 && strcmp(s + strlen(s) - 3, "…") == 0);
    assert_non_null(strstr(s, "【Gas泄漏】时请立即关闭阀门"));
    assert_int_equal(text_chars(s), 80 + 2 + 2);  /* text + brackets + two "…" */
    assert_non_null(strstr(s, "前文填充内容。【"));
    article_page_fini(&p);
    /* Two characters near the very start: no leading "…". */
    q.q = "前文";
    search(f, &q, &p);
    assert_int_equal(p.n, 1);
    assert_true(str_starts_with(p.items[0].snippet, "【前文】填充内容。"));
    assert_int_equal(text_chars(p.items[0].snippet), 80 + 2 + 1);
    article_page_fini(&p);
    /* A title-only match takes its snippet from the title. */
    q.q = "测试";
    search(f, &q, &p);
    assert_int_equal(p.n, 1);
    assert_string_equal(p.items[0].snippet, "【测试】：燃气泄漏");
    article_page_fini(&p);

    /* Replace by id: version 2, the index follows the new text. */
    free(a->id);
    a->id = xstrdup("KB-0041");
    free(a->body);
    a->body = xstrdup("改写后的正文：阀门关闭后开窗通风");
    assert_int_equal(f->s->ops->article_put(f->s, a, &out, &e), HL_OK);
    assert_int_equal(out->version, 2);
    article_free(&out);
    q.q = "gas泄漏";                             /* only the title's bigrams are left */
    search(f, &q, &p);
    assert_true(p.n > 0);
    assert_string_equal(p.items[0].id, "KB-0041");
    assert_string_equal(p.items[0].snippet, "测试：燃气【泄漏】");
    article_page_fini(&p);
    q.q = "改写后的正文";
    expect_kb(f, &q, "0041");
    assert_int_equal(f->s->ops->article_get(f->s, "KB-0041", &out, &e), HL_OK);
    assert_string_equal(out->body, "改写后的正文：阀门关闭后开窗通风");
    assert_null(out->snippet);
    article_free(&out);
    assert_int_equal(f->s->ops->article_get(f->s, "KB-9999", &out, &e), HL_ENOENT);
    article_free(&a);
}

/* Every article, for the brute-force ranking of test_kb_grams. */
struct kb_all {
    struct article *v;
    size_t n;
};

/* Keep a copy of each scanned article. */
static bool
keep_article(const struct article *a, void *arg)
{
    struct kb_all *all = arg;
    struct article *c;
    char *json = codec_article_encode(a, NULL);
    cJSON *root = cJSON_Parse(json);
    struct err e;

    all->v = xrealloc(all->v, (all->n + 1) * sizeof *all->v);
    c = codec_article_decode(root, &e);
    cJSON_Delete(root);
    free(json);
    assert_non_null(c);
    all->v[all->n++] = *c;
    free(c);
    return true;
}

/* One brute-force match. */
struct kb_want {
    const struct article *a;
    int score;
    int64_t key;
};

/* The documented order: more bigrams, smaller rank, newer, id descending (qsort). */
static int
kb_want_cmp(const void *pa, const void *pb)
{
    const struct kb_want *a = pa, *b = pb;

    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    if (a->a->updated_at != b->a->updated_at)
        return a->a->updated_at > b->a->updated_at ? -1 : 1;
    return -strcmp(a->a->id, b->a->id);
}

/* The ids (without "KB-") a search for q must give, computed from every article: exact
 * matches, else for a phrase of 3+ characters with 3+ bigrams the bigram fallback. */
static void
brute_kb(const struct kb_all *all, const char *q, char *buf, size_t sz)
{
    struct kb_want *w = xcalloc(all->n + 1, sizeof *w);
    char *t = store_util_trim_query(q), **grams = NULL;
    size_t n = 0, ng = 0, i, j;

    for (i = 0; t != NULL && i < all->n; i++) {
        int64_t k = store_util_match_rank(all->v[i].title, all->v[i].body, t);

        if (k > 0)
            w[n++] = (struct kb_want){ &all->v[i], 0, k };
    }
    if (t != NULL && n == 0 && text_chars(t) >= 3)
        ng = store_util_phrase_bigrams(t, &grams);
    for (i = 0; ng >= 3 && i < all->n; i++) {
        struct kb_want x = { &all->v[i], 0, 0 };

        for (j = 0; j < ng; j++) {
            int64_t k = store_util_match_rank(all->v[i].title, all->v[i].body, grams[j]);

            if (k > 0) {
                x.score++;
                if (x.key == 0 || k < x.key)
                    x.key = k;
            }
        }
        if (x.score > 0)
            w[n++] = x;
    }
    qsort(w, n, sizeof *w, kb_want_cmp);
    buf[0] = '\0';
    for (i = 0; i < n; i++) {
        if (i > 0)
            str_append(buf, sz, ",");
        str_append(buf, sz, w[i].a->id + 3);
    }
    store_util_strings_free(grams, ng);
    free(t);
    free(w);
}

/* The gram index: 1-2 characters, phrases, the bigram fallback (with its pages) and
 * FTS5 metacharacters all give the documented order, computed here by brute force; the
 * index follows replaced text and survives being rebuilt by the migration. */
static void
test_kb_grams(void **state)
{
    static const char *const queries[] = {
        "水", "气", "卡", "的", "。", "，", "I", "c", "IC", "ic", "c卡", "停水", "燃气",
        " 燃气 ", "单一窗口", "卡介质密码", "IKEY", "\"", "\"\"", "*", "水*", "NEAR(水 气)",
        "a:b", "^水", "(", ")", "-水", "'", "OR", "AND 水 OR", "\\", "%", "_", "100%",
        "a\"b\"c", "{title}: 水", "title:燃气", "燃气 NOT 泄漏", "\"停水\" OR 燃气",
        "我家燃气表坏了，报修电话是多少", "单一窗口卡介质密码忘了怎么办？", "ＩＣ卡充值",
        "市民来电反映小区停水三天了没人管",
    };
    struct fx *f = *state;
    struct kb_all all = { NULL, 0 };
    struct article_query q;
    struct article_page p;
    struct article *a, *out = NULL;
    char want[1024], got[1024], *cursor = NULL;
    struct err e;
    size_t i, pages;

    import_kb(f);
    assert_int_equal(f->s->ops->article_scan(f->s, keep_article, &all, &e), HL_OK);
    memset(&q, 0, sizeof q);
    q.kind = -1;
    q.scope = -1;
    q.limit = 100;
    for (i = 0; i < ARRAY_SIZE(queries); i++) {
        q.q = queries[i];
        brute_kb(&all, q.q, want, sizeof want);
        expect_kb(f, &q, want);
    }
    q.q = "我家燃气表坏了，报修电话是多少";       /* fallback found something... */
    brute_kb(&all, q.q, want, sizeof want);
    assert_true(strlen(want) > 0);
    search(f, &q, &p);                           /* ...with a snippet around a bigram */
    assert_non_null(strstr(p.items[0].snippet, "【"));
    article_page_fini(&p);
    q.limit = 3;                                 /* its pages follow on */
    got[0] = '\0';
    for (pages = 0; pages < 30; pages++) {
        char *ids;

        q.cursor = cursor;
        search(f, &q, &p);
        ids = article_ids(&p);
        if (got[0] != '\0' && ids[0] != '\0')
            str_append(got, sizeof got, ",");
        str_append(got, sizeof got, ids);
        free(ids);
        free(cursor);
        cursor = p.next_cursor != NULL ? xstrdup(p.next_cursor) : NULL;
        article_page_fini(&p);
        if (cursor == NULL)
            break;
    }
    assert_string_equal(got, want);
    q.limit = 100;
    q.cursor = NULL;

    /* The index follows replaced text; a status change keeps it. */
    a = article_new();
    a->id = xstrdup("KB-0050");
    a->title = xstrdup("甲乙丙丁");
    a->body = xstrdup("戊己庚辛");
    a->kind = KB_GUIDE;
    a->status = KB_DRAFT;
    assert_int_equal(f->s->ops->article_put(f->s, a, &out, &e), HL_OK);
    article_free(&out);
    q.q = "己庚";
    expect_kb(f, &q, "0050");
    free(a->body);
    a->body = xstrdup("壬癸");
    assert_int_equal(f->s->ops->article_put(f->s, a, &out, &e), HL_OK);
    article_free(&out);
    expect_kb(f, &q, "");
    a->status = KB_REVIEW;
    assert_int_equal(f->s->ops->article_put(f->s, a, &out, &e), HL_OK);
    article_free(&out);
    q.q = "壬";
    expect_kb(f, &q, "0050");
    q.q = "乙丙丁";
    expect_kb(f, &q, "0050");
    article_free(&a);

    /* SQLite: the migration builds the index again from the articles. */
    if (!f->pg) {
        f->s->ops->close(f->s);
        f->s = NULL;
        raw_sql(f, "PRAGMA user_version = 2");
        f->s = store_open(f->target, f->tz, &e);
        assert_non_null(f->s);
        q.q = "壬";
        expect_kb(f, &q, "0050");
        q.q = "燃气";
        brute_kb(&all, q.q, want, sizeof want);
        expect_kb(f, &q, want);
    }
    for (i = 0; i < all.n; i++)
        article_fini(&all.v[i]);
    free(all.v);
}

/* Count articles in a scan and check id order. */
static bool
count_article(const struct article *a, void *arg)
{
    int *n = arg;

    (*n)++;
    if (*n == 1)
        assert_string_equal(a->id, "KB-0001");
    if (*n == 40)
        assert_string_equal(a->id, "KB-0040");
    return true;
}

/* Every article is scanned once, in id order. */
static void
test_kb_scan(void **state)
{
    struct fx *f = *state;
    struct err e;
    int n = 0;

    import_kb(f);
    assert_int_equal(f->s->ops->article_scan(f->s, count_article, &n, &e), HL_OK);
    assert_int_equal(n, 40);
}

/* ---- feed, audit, calls ---- */

/* Feed rows come back in commit order with their fields. */
static void
test_feed(void **state)
{
    struct fx *f = *state;
    const struct store_ops *o = f->s->ops;
    struct feed_event *ev = NULL;
    struct feed_event ans = { .type = W("call.answer"), .agent = W("agent1"),
                              .phone = W("13812345678"), .at = at(2026, 2, 13, 9, 1) };
    int64_t seq = 0, last = -1;
    size_t n = 0, i;
    struct err e;
    char *id;

    assert_int_equal(o->feed_last_seq(f->s, &last, &e), HL_OK);
    assert_int_equal(last, 0);
    id = create(f, mk(at(2026, 2, 13, 9, 0), "标题", "描述", "13812345678"));
    update(f, id, &(struct mut){ .unit = "U1", .unit2 = "U2", .set_status = true,
                                 .status = STATUS_DISPATCHED });
    assert_int_equal(o->feed_add(f->s, &ans, &seq, &e), HL_OK);
    assert_int_equal(seq, 3);
    update(f, id, &(struct mut){ .unit = "U1" });   /* duplicate unit listed once */
    assert_int_equal(o->feed_since(f->s, 0, 100, &ev, &n, &e), HL_OK);
    assert_int_equal(n, 4);
    for (i = 0; i < n; i++)
        assert_int_equal(ev[i].seq, (int64_t)i + 1);
    assert_string_equal(ev[0].type, "ticket.created");
    assert_string_equal(ev[0].ticket_id, id);
    assert_null(ev[0].unit);
    assert_int_equal(ev[0].at, at(2026, 2, 13, 9, 0));
    assert_string_equal(ev[1].type, "ticket.updated");
    assert_string_equal(ev[1].action, "edit");
    assert_string_equal(ev[1].unit, "U1,U2");
    assert_string_equal(ev[2].type, "call.answer");
    assert_string_equal(ev[2].agent, "agent1");
    assert_string_equal(ev[2].phone, "13812345678");
    assert_null(ev[2].ticket_id);
    assert_int_equal(ev[2].at, at(2026, 2, 13, 9, 1));
    assert_string_equal(ev[3].unit, "U1,U2");
    for (i = 0; i < n; i++)
        feed_event_fini(&ev[i]);
    free(ev);
    assert_int_equal(o->feed_since(f->s, 2, 1, &ev, &n, &e), HL_OK);
    assert_int_equal(n, 1);
    assert_int_equal(ev[0].seq, 3);
    feed_event_fini(&ev[0]);
    free(ev);
    assert_int_equal(o->feed_since(f->s, 4, 100, &ev, &n, &e), HL_OK);
    assert_int_equal(n, 0);
    free(ev);
    assert_int_equal(o->feed_last_seq(f->s, &last, &e), HL_OK);
    assert_int_equal(last, 4);
    ans.type = NULL;
    assert_int_equal(o->feed_add(f->s, &ans, &seq, &e), HL_EINVAL);
    free(id);
}

/* Audit rows newest first, per ticket, paged, with the limit clamped to 100. */
static void
test_audit(void **state)
{
    struct fx *f = *state;
    const struct store_ops *o = f->s->ops;
    struct audit_row *rows = NULL;
    char *next = NULL, *cursor = NULL;
    size_t n = 0, i, total = 0;
    struct err e;
    int k;

    for (k = 0; k < 150; k++)
        assert_int_equal(o->audit_add(f->s, k % 2 == 0 ? "sup1" : "unit1",
                                      k % 3 == 0 ? "HL20260213-000001" : "HL20260213-000002",
                                      k % 2 == 0 ? "read" : "read_confidential",
                                      at(2026, 2, 13, 9, 0) + k / 2, &e), HL_OK);
    assert_int_equal(o->audit_list(f->s, NULL, 1000, NULL, &rows, &n, &next, &e), HL_OK);
    assert_int_equal(n, 100);
    assert_non_null(next);
    assert_int_equal(rows[0].at, at(2026, 2, 13, 9, 0) + 74);
    assert_string_equal(rows[0].user_id, "unit1");   /* k = 149: same second as 148, later */
    assert_string_equal(rows[1].user_id, "sup1");
    for (i = 1; i < n; i++)
        assert_true(rows[i - 1].at >= rows[i].at);
    for (i = 0; i < n; i++)
        audit_row_fini(&rows[i]);
    free(rows);
    free(next);
    next = NULL;
    /* Per ticket, in pages of 7: k % 3 == 0 gives 50 rows. */
    do {
        assert_int_equal(o->audit_list(f->s, "HL20260213-000001", 7, cursor, &rows, &n, &next,
                                       &e), HL_OK);
        for (i = 0; i < n; i++) {
            assert_string_equal(rows[i].ticket_id, "HL20260213-000001");
            audit_row_fini(&rows[i]);
        }
        free(rows);
        total += n;
        free(cursor);
        cursor = next;
        next = NULL;
    } while (cursor != NULL);
    assert_int_equal(total, 50);
    assert_int_equal(o->audit_list(f->s, NULL, 5, "00", &rows, &n, &next, &e), HL_EINVAL);
}

/* Call events fold into records; records import; counts over a window and per agent. */
static void
test_calls(void **state)
{
    struct fx *f = *state;
    const struct store_ops *o = f->s->ops;
    hl_time t0 = at(2026, 2, 13, 9, 0);
    struct call_event ev[] = {
        { .call_id = W("c1"), .type = CALL_NEW, .caller = W("13812345678"),
          .queue = W("q1"), .at = t0 },
        { .call_id = W("c1"), .type = CALL_ANSWER, .agent = W("agent1"), .at = t0 + 10 },
        { .call_id = W("c1"), .type = CALL_HANGUP, .at = t0 + 200 },
        { .call_id = W("c2"), .type = CALL_NEW, .caller = W("13900001111"),
          .queue = W("q1"), .at = t0 + 60 },
        { .call_id = W("c2"), .type = CALL_HANGUP, .at = t0 + 90 },   /* abandoned */
        /* answer seen before new_call: offered_at is corrected by the later new_call */
        { .call_id = W("c3"), .type = CALL_ANSWER, .agent = W("agent2"),
          .at = t0 + 130 },
        { .call_id = W("c3"), .type = CALL_NEW, .caller = W("anonymous"),
          .at = t0 + 100 },
    };
    struct call_record rec[] = {
        { .call_id = W("r1"), .caller = W("1"), .agent = W("agent1"),
          .offered_at = t0 + 300, .answered_at = t0 + 305, .ended_at = t0 + 400 },
        { .call_id = W("r2"), .caller = W("2"), .offered_at = t0 + 310,
          .ended_at = t0 + 350 },
        { .call_id = W("r3"), .caller = W("3"), .agent = W("agent1"),
          .offered_at = t0 + 7200, .answered_at = t0 + 7215, .ended_at = t0 + 7300 },
    };
    int64_t off, ans, a15, wait;
    size_t i;
    int added = 0;
    struct err e;

    for (i = 0; i < ARRAY_SIZE(ev); i++)
        assert_int_equal(o->call_event_add(f->s, &ev[i], &e), HL_OK);
    assert_int_equal(o->call_records_add(f->s, rec, ARRAY_SIZE(rec), &added, &e), HL_OK);
    assert_int_equal(added, 3);
    /* Importing again replaces, never duplicates. */
    rec[1].answered_at = t0 + 340;
    rec[1].agent = W("agent2");
    assert_int_equal(o->call_records_add(f->s, rec, ARRAY_SIZE(rec), &added, &e), HL_OK);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM calls"), 6);
    assert_int_equal(raw_int(f, "SELECT offered_at FROM calls WHERE call_id = 'c3'"), t0 + 100);

    /* c1 waits 10, c3 30, r1 5, r2 30, r3 15 (later window); c2 abandoned. */
    assert_int_equal(o->call_counts(f->s, t0, t0 + 3600, NULL, &off, &ans, &a15, &wait, &e),
                     HL_OK);
    assert_int_equal(off, 5);
    assert_int_equal(ans, 4);
    assert_int_equal(a15, 2);
    assert_int_equal(wait, 10 + 30 + 5 + 30);
    assert_int_equal(o->call_counts(f->s, t0, t0 + 86400, "agent1", &off, &ans, &a15, &wait,
                                    &e), HL_OK);
    assert_int_equal(off, 3);
    assert_int_equal(ans, 3);
    assert_int_equal(a15, 3);                   /* 10, 5 and exactly 15 */
    assert_int_equal(wait, 30);
    assert_int_equal(o->call_counts(f->s, t0 + 86400, t0 + 2 * 86400, NULL, &off, &ans, &a15,
                                    &wait, &e), HL_OK);
    assert_int_equal(off, 0);
    assert_int_equal(wait, 0);
}

/* ---- check ---- */

/* check() passes on a good database and names a damaged document. */
static void
test_check(void **state)
{
    struct fx *f = *state;
    char *report = NULL;
    struct err e;

    seed_five(f);
    import_kb(f);
    if (f->s->ops->check(f->s, &report, &e) != HL_OK)
        fail_msg("check: %s\n%s", e.msg, report != NULL ? report : "");
    if (!f->pg) {
        assert_non_null(strstr(report, "integrity_check: ok"));
        assert_non_null(strstr(report, "search index ticket_fts: 5 rows, ok"));
    } else {
        assert_non_null(strstr(report, "feed sequence: at 9, highest row 9, ok"));
        assert_non_null(strstr(report, "daily ticket numbers: ok"));
        assert_non_null(strstr(report, "search indexes: ok"));
    }
    {
        char want[64];

        /* PostgreSQL's number is checked by test_store_pg; this file sees SQLite's */
        snprintf(want, sizeof want, "schema version: %d (current)", STORE_SQLITE_SCHEMA_VERSION);
        assert_non_null(strstr(report, f->pg ? " (current)" : want));
    }
    assert_non_null(strstr(report, "tickets: 5 checked, ok"));
    assert_non_null(strstr(report, "articles: 40 checked, ok"));
    assert_non_null(strstr(report, "result: ok"));
    free(report);
    report = NULL;

    raw_sql(f, "UPDATE tickets SET doc = '{\"id\":' WHERE id = 'HL20260213-000003'");
    raw_sql(f, "UPDATE tickets SET version = 9 WHERE id = 'HL20260213-000004'");
    assert_int_equal(f->s->ops->check(f->s, &report, &e), HL_EIO);
    assert_non_null(strstr(e.msg, "2 problems"));
    assert_non_null(strstr(report, "ticket HL20260213-000003: the stored document is damaged"));
    assert_non_null(strstr(report, "ticket HL20260213-000004: the document says version 2, "
                                   "the column 9"));
    assert_non_null(strstr(report, "tickets: 5 checked, FAILED"));
    assert_non_null(strstr(report, "result: 2 problems found"));
    free(report);
    {
        struct ticket *t = NULL;

        assert_int_equal(f->s->ops->ticket_get(f->s, "HL20260213-000003", &t, &e), HL_EIO);
        assert_non_null(strstr(e.msg, "damaged"));
    }
}

/* ---- failures of the database ---- */

/* A read-only database refuses writes with HL_EIO naming the cause and keeps serving
 * reads; a full disk likewise, and nothing half-written remains. */
static void
test_readonly_and_full(void **state)
{
    struct fx *f = *state;
    char uri[700];
    struct ticket *t = NULL, *in;
    bool replayed;
    int64_t seq;
    struct err e;
    int k, ok = 0, rc = HL_OK;
    char *id;

    if (f->pg)
        skip();                  /* file URIs and max_page_count are SQLite's */
    id = create(f, mk(at(2026, 2, 13, 9, 0), "标题", "描述", "13812345678"));
    free(id);
    snprintf(uri, sizeof uri, "file:%s?mode=ro", f->path);
    reopen(f, uri);
    in = mk(at(2026, 2, 13, 9, 5), "只读", "只读库", "13812345678");
    assert_int_equal(f->s->ops->ticket_create(f->s, in, NULL, NULL, &t, &replayed, &seq, &e),
                     HL_EIO);
    assert_non_null(strstr(e.msg, "readonly"));
    assert_null(t);
    assert_int_equal(f->s->ops->ticket_get(f->s, "HL20260213-000001", &t, &e), HL_OK);
    ticket_free(&t);
    reopen(f, NULL);

    /* Cap the file at its current size: the next growth fails as a full disk would. */
    assert_int_equal(store_sqlite_exec(f->s, "PRAGMA max_page_count = 1", &e), HL_OK);
    for (k = 0; k < 200; k++) {
        rc = f->s->ops->ticket_create(f->s, in, NULL, NULL, &t, &replayed, &seq, &e);
        if (rc != HL_OK)
            break;
        ticket_free(&t);
        ok++;
    }
    assert_int_equal(rc, HL_EIO);
    assert_non_null(strstr(e.msg, "database or disk is full"));
    assert_null(t);
    assert_int_equal(f->s->ops->ticket_get(f->s, "HL20260213-000001", &t, &e), HL_OK);
    ticket_free(&t);
    assert_int_equal(store_sqlite_exec(f->s, "PRAGMA max_page_count = 1073741823", &e), HL_OK);
    assert_int_equal(f->s->ops->ticket_create(f->s, in, NULL, NULL, &t, &replayed, &seq, &e),
                     HL_OK);
    /* The failed create left no number behind. */
    {
        char want[32];

        snprintf(want, sizeof want, "HL20260213-%06d", ok + 2);
        assert_string_equal(t->id, want);
    }
    ticket_free(&t);
    ticket_free(&in);
}

/* Read exactly n bytes from fd; false at end of file or on error. */
static bool
read_full(int fd, char *buf, size_t n)
{
    size_t got = 0;
    ssize_t r;

    while (got < n) {
        r = read(fd, buf + got, n - got);
        if (r <= 0)
            return false;
        got += (size_t)r;
    }
    return true;
}

/* Child of the kill -9 test: create tickets and report each acknowledged id. */
static void
kill9_child(struct fx *f, int fd)
{
    struct ticket *t = mk(at(2026, 2, 13, 10, 0), "断电", "确认后即落盘", "13812345678");
    struct ticket *out = NULL;
    struct store *s;
    struct err e;
    bool replayed;
    int64_t seq;
    char line[32];
    int i;

    s = store_open(f->target, f->tz, &e);
    if (s == NULL)
        _exit(2);
    for (i = 0; i < 100000; i++) {
        if (s->ops->ticket_create(s, t, NULL, NULL, &out, &replayed, &seq, &e) != HL_OK)
            _exit(3);
        snprintf(line, sizeof line, "%s\n", out->id);
        ticket_free(&out);
        if (write(fd, line, 18) != 18)
            _exit(4);
    }
    _exit(0);
}

/* An acknowledged create survives kill -9 of the writer. */
static void
test_kill9(void **state)
{
    struct fx *f = *state;
    char ids[40][19];
    struct ticket *t = NULL;
    char *report = NULL;
    struct err e;
    int fds[2], status = 0, i;
    pid_t pid;

    f->s->ops->close(f->s);
    f->s = NULL;
    assert_int_equal(pipe(fds), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        kill9_child(f, fds[1]);
    }
    close(fds[1]);
    for (i = 0; i < 40; i++) {
        assert_true(read_full(fds[0], ids[i], 18));
        ids[i][17] = '\0';
    }
    kill(pid, SIGKILL);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    close(fds[0]);
    f->s = store_open(f->target, f->tz, &e);
    assert_non_null(f->s);
    for (i = 0; i < 40; i++) {
        if (f->s->ops->ticket_get(f->s, ids[i], &t, &e) != HL_OK)
            fail_msg("acknowledged %s lost: %s", ids[i], e.msg);
        ticket_free(&t);
    }
    assert_string_equal(ids[39], "HL20260213-000040");
    if (f->s->ops->check(f->s, &report, &e) != HL_OK)
        fail_msg("check after kill -9: %s\n%s", e.msg, report);
    free(report);
}

/* ---- concurrency ---- */

/* One creating thread's work. */
struct worker {
    struct store *s;
    int n;
    char **ids;
    int failures;
    char msg[256];
};

/* Create n tickets. */
static void *
worker_run(void *arg)
{
    struct worker *w = arg;
    struct ticket *t = mk(at(2026, 2, 13, 10, 0), "并发", "并发创建", "13812345678");
    struct ticket *out = NULL;
    bool replayed;
    int64_t seq;
    struct err e;
    int i;

    for (i = 0; i < w->n; i++) {
        if (w->s->ops->ticket_create(w->s, t, NULL, NULL, &out, &replayed, &seq, &e) != HL_OK) {
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

/* Four threads creating 100 tickets each get 400 distinct, gapless ids. */
static void
test_concurrency(void **state)
{
    struct fx *f = *state;
    struct worker w[4];
    pthread_t th[4];
    char *all[400];
    char want[32];
    size_t i, j, k = 0;

    for (i = 0; i < 4; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].s = f->s;
        w[i].n = 100;
        w[i].ids = xcalloc(100, sizeof *w[i].ids);
        assert_int_equal(pthread_create(&th[i], NULL, worker_run, &w[i]), 0);
    }
    for (i = 0; i < 4; i++)
        assert_int_equal(pthread_join(th[i], NULL), 0);
    for (i = 0; i < 4; i++) {
        if (w[i].failures != 0)
            fail_msg("worker %zu: %d failures, last: %s", i, w[i].failures, w[i].msg);
        for (j = 0; j < 100; j++)
            all[k++] = w[i].ids[j];
    }
    qsort(all, 400, sizeof all[0], cmp_strp);
    for (i = 0; i < 400; i++) {
        snprintf(want, sizeof want, "HL20260213-%06zu", i + 1);
        assert_string_equal(all[i], want);
    }
    assert_int_equal(raw_int(f, "SELECT count(*) FROM tickets"), 400);
    assert_int_equal(raw_int(f, "SELECT max(seq) FROM feed"), 400);
    for (i = 0; i < 4; i++) {
        for (j = 0; j < 100; j++)
            free(w[i].ids[j]);
        free(w[i].ids);
    }
}

/* ---- query plans ---- */

/* Print and check the plan of a ticket query: must not contain bad, must contain good. */
static void
expect_plan(struct fx *f, const struct ticket_query *q, const char *good, const char *bad)
{
    char *plan = NULL;
    struct err e;

    if (store_sqlite_explain_tickets(f->s, q, &plan, &e) != HL_OK)
        fail_msg("explain: %s", e.msg);
    print_message("-- tickets order=%s status=%x unit=%s phone=%s flags=%x q=%s cat=%s "
                  "cursor=%s\n%s", q->order != NULL ? q->order : "created", q->status_mask,
                  q->unit != NULL ? q->unit : "-", q->caller_phone != NULL ? q->caller_phone : "-",
                  q->flag_mask, q->q != NULL ? q->q : "-", q->category != NULL ? q->category : "-",
                  q->cursor != NULL ? "yes" : "no", plan);
    if (good != NULL && strstr(plan, good) == NULL)
        fail_msg("plan lacks \"%s\"", good);
    if (bad != NULL && strstr(plan, bad) != NULL)
        fail_msg("plan has \"%s\"", bad);
    free(plan);
}

/* Print and check the plan of an article query. */
static void
expect_kb_plan(struct fx *f, const struct article_query *q, const char *good, const char *bad)
{
    char *plan = NULL;
    struct err e;

    if (store_sqlite_explain_articles(f->s, q, &plan, &e) != HL_OK)
        fail_msg("explain: %s", e.msg);
    print_message("-- kb q=%s kind=%d published=%d\n%s", q->q != NULL ? q->q : "-", q->kind,
                  q->published_only, plan);
    if (good != NULL && strstr(plan, good) == NULL)
        fail_msg("plan lacks \"%s\"", good);
    if (bad != NULL && strstr(plan, bad) != NULL)
        fail_msg("plan has \"%s\"", bad);
    free(plan);
}

/* Every list filter and order is served by an index: no sort inside the page query (the
 * outer query only orders the page's own rows, at most limit + 1). */
static void
test_query_plans(void **state)
{
    struct fx *f = *state;
    struct ticket_query q;
    struct article_query k;
    struct ticket_page p;
    struct err e;
    char *cursor;

    if (f->pg)
        skip();                  /* SQLite's EXPLAIN QUERY PLAN */
    seed_five(f);
    import_kb(f);
    raw_sql(f, "ANALYZE");
#define Q0() (memset(&q, 0, sizeof q), q.nature = -1, q.limit = 2)
    Q0();
    expect_plan(f, &q, "INDEX tickets_created", "  USE TEMP B-TREE");
    assert_int_equal(f->s->ops->ticket_list(f->s, &q, &p, &e), HL_OK);
    cursor = xstrdup(p.next_cursor);
    ticket_page_fini(&p);
    q.cursor = cursor;
    expect_plan(f, &q, "INDEX tickets_created ((created_at,id)<(?,?))", "  USE TEMP B-TREE");
    free(cursor);
    Q0();
    q.order = "updated";
    expect_plan(f, &q, "INDEX tickets_updated", "  USE TEMP B-TREE");
    q.order = "due";
    expect_plan(f, &q, "INDEX tickets_due", "  USE TEMP B-TREE");
    q.order = "callback_due";
    q.callback_due_before = at(2026, 2, 14, 0, 0);
    expect_plan(f, &q, "INDEX tickets_callback_due (callback_due_at<?)", "SCAN tickets\n");
    Q0();
    q.status_mask = 1u << STATUS_ACCEPTED;
    expect_plan(f, &q, "INDEX tickets_", "SCAN tickets\n");
    Q0();
    q.caller_phone = "13812345678";
    expect_plan(f, &q, "INDEX tickets_phone (caller_phone=?)", "  USE TEMP B-TREE");
    Q0();
    q.unit = "U1";
    expect_plan(f, &q, "ticket_units", "SCAN ticket_units");
    Q0();
    q.flag_mask = FLAG_OVERDUE;
    expect_plan(f, &q, "INDEX tickets_flagged", "  USE TEMP B-TREE");
    Q0();
    q.q = "施工噪音";
    expect_plan(f, &q, "VIRTUAL TABLE INDEX", NULL);
    q.q = "噪";
    expect_plan(f, &q, "INDEX tickets_created", "  USE TEMP B-TREE");
    Q0();
    q.created_by = "agent2";
    expect_plan(f, &q, "INDEX tickets_created_by (created_by=?)", "  USE TEMP B-TREE");
    Q0();
    q.category = "urban.env.";
    expect_plan(f, &q, "INDEX tickets_", NULL);
    Q0();
    q.updated_since = at(2026, 2, 13, 10, 0);
    q.order = "updated";
    expect_plan(f, &q, "INDEX tickets_updated (updated_at>?)", "  USE TEMP B-TREE");
    Q0();
    q.due_before = at(2026, 2, 14, 0, 0);
    q.order = "due";
    expect_plan(f, &q, "INDEX tickets_due (due_at<?)", "  USE TEMP B-TREE");
#undef Q0
    memset(&k, 0, sizeof k);
    k.kind = -1;
    k.scope = -1;
    expect_kb_plan(f, &k, "INDEX articles_order", "  USE TEMP B-TREE");
    k.kind = KB_NOTICE;
    expect_kb_plan(f, &k, "INDEX articles_kind (kind=?)", "  USE TEMP B-TREE");
    k.kind = -1;
    k.q = "单一窗口";
    expect_kb_plan(f, &k, "VIRTUAL TABLE INDEX", "SCAN a\n");
    k.q = "水";
    k.published_only = true;
    expect_kb_plan(f, &k, NULL, NULL);
}

/* Run every store test, each on a fresh database. */
int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_migrations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_people, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ticket_ids, setup, teardown),
        cmocka_unit_test_setup_teardown(test_idempotency, setup, teardown),
        cmocka_unit_test_setup_teardown(test_update_if_match, setup, teardown),
        cmocka_unit_test_setup_teardown(test_update_rollback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_update_nested, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_filters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pagination, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scan_cluster, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reflag, setup, teardown),
        cmocka_unit_test_setup_teardown(test_short_search, setup, teardown),
        cmocka_unit_test_setup_teardown(test_text_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_text_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gram_rollback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_index_tidy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kb_search, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kb_pages_put_snippet, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kb_scan, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kb_grams, setup, teardown),
        cmocka_unit_test_setup_teardown(test_feed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_calls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_check, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readonly_and_full, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kill9, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrency, setup, teardown),
        cmocka_unit_test_setup_teardown(test_query_plans, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
