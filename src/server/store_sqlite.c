/* store_sqlite: the SQLite store: WAL, full sync, one connection per thread, versioned schema.
 *
 * Layout. Each thread that calls the store gets its own connection (a pthread key,
 * opened lazily, closed when the thread exits or at close). Each connection caches its
 * prepared statements by SQL text; every value reaches SQLite as a bound parameter.
 * Writes run in BEGIN IMMEDIATE transactions, so the write lock is taken up front and
 * waiting for it goes through the busy timeout instead of failing on a stale snapshot.
 *
 * Tickets are kept as their codec JSON document (at the store's zone) plus the columns
 * the lists filter and sort on. Times that may be unset and are sort keys (due_at,
 * callback_due_at) hold NO_TIME when unset, so "soonest first" puts them last and
 * "before X" never matches them. Text search uses FTS5 with the trigram tokenizer
 * (external content, kept in step by triggers); queries of one or two characters,
 * which trigrams cannot answer, take a LIKE scan instead.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

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

#define BUSY_TIMEOUT_MS   5000
#define CACHE_SLOTS       48          /* prepared statements kept per connection */
#define NO_TIME           INT64_MAX   /* column value of an unset due time */
#define MAX_FEED_LIMIT    1000
#define IDEM_KEEP_SECS    (8 * 86400) /* idempotency keys live 8 days (at least 7 promised) */
#define IDEM_PURGE_EVERY  128         /* creates on a connection between purges */
#define APPLICATION_ID    0x484c5444  /* "HLTD" in the database header */

/* ---- schema ---- */

/* Migration 1: the whole schema of version 1, in groups (ISO C caps string literals). */
static const char *const schema_v1[] = {
    /* people */
    "CREATE TABLE units ("
    " code TEXT PRIMARY KEY,"
    " name TEXT NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE TABLE users ("
    " id TEXT PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " role TEXT NOT NULL,"
    " unit TEXT REFERENCES units(code),"
    " pw_hash TEXT NOT NULL,"
    " disabled INTEGER NOT NULL DEFAULT 0,"
    " created_at INTEGER NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE INDEX users_unit ON users(unit);"
    "CREATE TABLE sessions ("
    " token_hash TEXT PRIMARY KEY,"
    " user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    " created INTEGER NOT NULL,"
    " expires INTEGER NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE INDEX sessions_user ON sessions(user_id);"
    "CREATE INDEX sessions_expires ON sessions(expires);",
    /* tickets */
    "CREATE TABLE tickets ("      /* small columns first, the document last: scans */
    " rid INTEGER PRIMARY KEY,"    /* and filters never page through it */
    " id TEXT NOT NULL UNIQUE,"
    " version INTEGER NOT NULL,"
    " day INTEGER NOT NULL,"
    " status TEXT NOT NULL,"
    " nature TEXT NOT NULL,"
    " urgency TEXT NOT NULL,"
    " category TEXT,"
    " location TEXT,"
    " caller_phone TEXT,"
    " caller_name TEXT,"
    " created_by TEXT,"
    " created_at INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL,"
    " closed_at INTEGER,"
    " due_at INTEGER NOT NULL,"
    " callback_due_at INTEGER NOT NULL,"
    " flags INTEGER NOT NULL,"
    " title TEXT,"
    " caller_address TEXT,"
    " description TEXT,"
    " doc TEXT NOT NULL"
    ");"
    "CREATE INDEX tickets_created ON tickets(created_at, id);"
    "CREATE INDEX tickets_updated ON tickets(updated_at, id);"
    "CREATE INDEX tickets_due ON tickets(due_at, id);"
    "CREATE INDEX tickets_callback_due ON tickets(callback_due_at, id);"
    "CREATE INDEX tickets_status ON tickets(status, created_at, id);"
    "CREATE INDEX tickets_phone ON tickets(caller_phone, created_at, id);"
    "CREATE INDEX tickets_created_by ON tickets(created_by, created_at, id);"
    "CREATE INDEX tickets_category ON tickets(category, created_at, id);"
    "CREATE INDEX tickets_cluster ON tickets(category, location, created_at, caller_phone);"
    "CREATE INDEX tickets_flagged ON tickets(created_at, id) WHERE flags != 0;",
    /* ticket units, numbering, idempotency */
    "CREATE TABLE ticket_units ("
    " ticket_id TEXT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,"
    " unit TEXT NOT NULL,"
    " PRIMARY KEY (unit, ticket_id)"
    ") WITHOUT ROWID;"
    "CREATE INDEX ticket_units_ticket ON ticket_units(ticket_id);"
    "CREATE TABLE ticket_seq ("
    " day INTEGER PRIMARY KEY,"
    " last INTEGER NOT NULL"
    ");"
    "CREATE TABLE idempotency ("
    " key TEXT PRIMARY KEY,"
    " body_hash TEXT NOT NULL,"
    " ticket_id TEXT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,"
    " created_at INTEGER NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE INDEX idempotency_created ON idempotency(created_at);"
    "CREATE INDEX idempotency_ticket ON idempotency(ticket_id);",
    /* ticket search */
    "CREATE VIRTUAL TABLE ticket_fts USING fts5(id, title, description, location,"
    " caller_name, caller_phone, caller_address,"
    " content='tickets', content_rowid='rid', tokenize='trigram');"
    "CREATE TRIGGER tickets_fts_ai AFTER INSERT ON tickets BEGIN"
    " INSERT INTO ticket_fts(rowid, id, title, description, location, caller_name,"
    "  caller_phone, caller_address)"
    " VALUES (new.rid, new.id, new.title, new.description, new.location, new.caller_name,"
    "  new.caller_phone, new.caller_address);"
    " END;"
    "CREATE TRIGGER tickets_fts_ad AFTER DELETE ON tickets BEGIN"
    " INSERT INTO ticket_fts(ticket_fts, rowid, id, title, description, location,"
    "  caller_name, caller_phone, caller_address)"
    " VALUES ('delete', old.rid, old.id, old.title, old.description, old.location,"
    "  old.caller_name, old.caller_phone, old.caller_address);"
    " END;"
    "CREATE TRIGGER tickets_fts_au AFTER UPDATE ON tickets"
    " WHEN old.id IS NOT new.id OR old.title IS NOT new.title"
    "  OR old.description IS NOT new.description OR old.location IS NOT new.location"
    "  OR old.caller_name IS NOT new.caller_name OR old.caller_phone IS NOT new.caller_phone"
    "  OR old.caller_address IS NOT new.caller_address BEGIN"
    " INSERT INTO ticket_fts(ticket_fts, rowid, id, title, description, location,"
    "  caller_name, caller_phone, caller_address)"
    " VALUES ('delete', old.rid, old.id, old.title, old.description, old.location,"
    "  old.caller_name, old.caller_phone, old.caller_address);"
    " INSERT INTO ticket_fts(rowid, id, title, description, location, caller_name,"
    "  caller_phone, caller_address)"
    " VALUES (new.rid, new.id, new.title, new.description, new.location, new.caller_name,"
    "  new.caller_phone, new.caller_address);"
    " END;",
    /* knowledge base */
    "CREATE TABLE articles ("
    " rid INTEGER PRIMARY KEY,"
    " id TEXT NOT NULL UNIQUE,"
    " version INTEGER NOT NULL,"
    " status TEXT NOT NULL,"
    " kind TEXT NOT NULL,"
    " scope TEXT NOT NULL,"
    " category TEXT,"
    " region TEXT,"
    " valid_from INTEGER NOT NULL,"
    " valid_to INTEGER NOT NULL,"
    " pinned INTEGER NOT NULL,"
    " created_at INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL,"
    " title TEXT NOT NULL,"
    " body TEXT NOT NULL,"
    " doc TEXT NOT NULL"
    ");"
    "CREATE INDEX articles_order ON articles(pinned, updated_at, id);"
    "CREATE INDEX articles_kind ON articles(kind, pinned, updated_at, id);"
    "CREATE INDEX articles_category ON articles(category);"
    "CREATE VIRTUAL TABLE kb_fts USING fts5(title, body,"
    " content='articles', content_rowid='rid', tokenize='trigram');"
    "CREATE TRIGGER articles_fts_ai AFTER INSERT ON articles BEGIN"
    " INSERT INTO kb_fts(rowid, title, body) VALUES (new.rid, new.title, new.body);"
    " END;"
    "CREATE TRIGGER articles_fts_ad AFTER DELETE ON articles BEGIN"
    " INSERT INTO kb_fts(kb_fts, rowid, title, body)"
    " VALUES ('delete', old.rid, old.title, old.body);"
    " END;"
    "CREATE TRIGGER articles_fts_au AFTER UPDATE ON articles"
    " WHEN old.title IS NOT new.title OR old.body IS NOT new.body BEGIN"
    " INSERT INTO kb_fts(kb_fts, rowid, title, body)"
    " VALUES ('delete', old.rid, old.title, old.body);"
    " INSERT INTO kb_fts(rowid, title, body) VALUES (new.rid, new.title, new.body);"
    " END;",
    /* counters, audit, feed, calls */
    "CREATE TABLE counters ("
    " name TEXT PRIMARY KEY,"
    " last INTEGER NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE TABLE audit ("
    " id INTEGER PRIMARY KEY,"
    " at INTEGER NOT NULL,"
    " user_id TEXT,"
    " ticket_id TEXT,"
    " what TEXT NOT NULL"
    ");"
    "CREATE INDEX audit_at ON audit(at);"
    "CREATE INDEX audit_ticket ON audit(ticket_id, at);"
    "CREATE TABLE feed ("
    " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    " type TEXT NOT NULL,"
    " ticket_id TEXT,"
    " action TEXT,"
    " agent TEXT,"
    " phone TEXT,"
    " unit TEXT,"
    " at INTEGER NOT NULL"
    ");"
    "CREATE TABLE calls ("
    " call_id TEXT PRIMARY KEY,"
    " caller TEXT,"
    " queue TEXT,"
    " agent TEXT,"
    " offered_at INTEGER NOT NULL,"
    " answered_at INTEGER,"
    " ended_at INTEGER"
    ") WITHOUT ROWID;"
    "CREATE INDEX calls_offered ON calls(offered_at);"
    "CREATE INDEX calls_agent ON calls(agent, offered_at);",
    NULL,
};

/* The migration steps in order: step i takes the schema from version i to i + 1;
 * each is a NULL-terminated list of SQL texts run in one transaction. */
static const char *const *const migrations[] = {
    schema_v1,
};

_Static_assert(sizeof migrations / sizeof migrations[0] == STORE_SQLITE_SCHEMA_VERSION,
               "one migration step per schema version");

/* ---- connections and statements ---- */

/* One prepared statement kept by a connection. */
struct cached {
    char *sql;
    uint64_t hash;
    sqlite3_stmt *st;
    bool busy;                  /* handed out and not yet returned with done() */
    uint64_t used;              /* tick of the last use, for eviction */
};

struct sqlite_store;

/* One thread's connection. */
struct conn {
    struct sqlite_store *owner;
    sqlite3 *db;
    struct cached cache[CACHE_SLOTS];
    uint64_t tick;
    int depth;                  /* open transaction levels (BEGIN, then savepoints) */
    unsigned creates;           /* ticket creates, to purge idempotency keys now and then */
    struct conn *next;
};

/* The SQLite store. base comes first: a struct store * is a struct sqlite_store *. */
struct sqlite_store {
    struct store base;
    char *path;
    int open_flags;
    pthread_key_t key;
    pthread_mutex_t lock;       /* guards conns */
    struct conn *conns;
};

/* The SQLite store behind a store pointer. */
static struct sqlite_store *
sq(struct store *s)
{
    return (struct sqlite_store *)s;
}

/* Fill e for a failed SQLite call; what says what was being done. Returns HL_EIO. */
static int
db_fail(struct conn *c, int rc, const char *what, struct err *e)
{
    const char *msg = c != NULL && c->db != NULL ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc);
    int prim = rc & 0xff;

    if (prim == SQLITE_BUSY || prim == SQLITE_LOCKED)
        return err_set(e, HL_EIO, "", "%s: the database stayed locked for more than %d s (%s)",
                       what, BUSY_TIMEOUT_MS / 1000, msg);
    return err_set(e, HL_EIO, "", "%s: %s", what, msg);
}

/* FNV-1a hash of a string. */
static uint64_t
hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;

    for (; *s != '\0'; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

/* A prepared statement for sql: from the connection's cache when one is free, else a
 * new one (cached when there is room). Return it with done(). NULL + e on error. */
static sqlite3_stmt *
prep(struct conn *c, const char *sql, struct err *e)
{
    uint64_t h = hash_str(sql);
    struct cached *slot = NULL;
    sqlite3_stmt *st = NULL;
    bool cacheable = true;
    size_t i;
    int rc;

    for (i = 0; i < CACHE_SLOTS; i++) {
        struct cached *k = &c->cache[i];

        if (k->st == NULL || k->hash != h || strcmp(k->sql, sql) != 0)
            continue;
        if (k->busy) {
            cacheable = false;   /* in use further up this thread's stack */
            break;
        }
        k->busy = true;
        k->used = ++c->tick;
        return k->st;
    }
    rc = sqlite3_prepare_v3(c->db, sql, -1, cacheable ? SQLITE_PREPARE_PERSISTENT : 0, &st,
                            NULL);
    if (rc != SQLITE_OK) {
        db_fail(c, rc, "preparing a query", e);
        sqlite3_finalize(st);
        return NULL;
    }
    if (!cacheable)
        return st;
    for (i = 0; i < CACHE_SLOTS; i++) {
        struct cached *k = &c->cache[i];

        if (k->st == NULL) {
            slot = k;
            break;
        }
        if (!k->busy && (slot == NULL || k->used < slot->used))
            slot = k;
    }
    if (slot == NULL)
        return st;               /* every slot busy: use it once */
    if (slot->st != NULL) {
        sqlite3_finalize(slot->st);
        free(slot->sql);
    }
    slot->sql = xstrdup(sql);
    slot->hash = h;
    slot->st = st;
    slot->busy = true;
    slot->used = ++c->tick;
    return st;
}

/* Return a statement from prep(): reset and keep it when cached, else finalize it. */
static void
done(struct conn *c, sqlite3_stmt *st)
{
    size_t i;

    if (st == NULL)
        return;
    for (i = 0; i < CACHE_SLOTS; i++) {
        if (c->cache[i].st == st) {
            sqlite3_reset(st);
            sqlite3_clear_bindings(st);
            c->cache[i].busy = false;
            return;
        }
    }
    sqlite3_finalize(st);
}

/* Close a connection: finalize its statements and close the handle; frees c. */
static void
conn_close(struct conn *c)
{
    size_t i;

    if (c == NULL)
        return;
    for (i = 0; i < CACHE_SLOTS; i++) {
        sqlite3_finalize(c->cache[i].st);
        free(c->cache[i].sql);
    }
    if (c->db != NULL && sqlite3_db_readonly(c->db, "main") == 0)
        sqlite3_exec(c->db, "PRAGMA optimize", NULL, NULL, NULL);   /* refresh planner stats */
    sqlite3_close(c->db);
    free(c);
}

/* Thread exit: close the thread's connection and forget it. */
static void
conn_destroy(void *p)
{
    struct conn *c = p;
    struct sqlite_store *ss = c->owner;
    struct conn **pp;

    pthread_mutex_lock(&ss->lock);
    for (pp = &ss->conns; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == c) {
            *pp = c->next;
            break;
        }
    }
    pthread_mutex_unlock(&ss->lock);
    conn_close(c);
}

/* Run one statement without values or rows (pragmas, BEGIN, COMMIT). */
static int
run(struct conn *c, const char *sql, const char *what, struct err *e)
{
    sqlite3_stmt *st = prep(c, sql, e);
    int rc;

    if (st == NULL)
        return HL_EIO;
    do
        rc = sqlite3_step(st);
    while (rc == SQLITE_ROW);
    if (rc != SQLITE_DONE) {
        db_fail(c, rc, what, e);
        done(c, st);
        return HL_EIO;
    }
    done(c, st);
    return HL_OK;
}

/* Open a connection with the store's settings. NULL + e on error. */
static struct conn *
conn_open(struct sqlite_store *ss, struct err *e)
{
    struct conn *c = xcalloc(1, sizeof *c);
    int rc;

    c->owner = ss;
    rc = sqlite3_open_v2(ss->path, &c->db, ss->open_flags, NULL);
    if (rc != SQLITE_OK) {
        err_set(e, HL_EIO, "db", "cannot open database %s: %s (check the path and its "
                "directory's permissions)", ss->path,
                c->db != NULL ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
        goto fail;
    }
    sqlite3_extended_result_codes(c->db, 1);
    sqlite3_busy_timeout(c->db, BUSY_TIMEOUT_MS);
    if (run(c, "PRAGMA synchronous=FULL", "setting synchronous=FULL", e) != HL_OK
        || run(c, "PRAGMA foreign_keys=ON", "enabling foreign keys", e) != HL_OK
        || run(c, "PRAGMA temp_store=MEMORY", "setting temp_store", e) != HL_OK)
        goto fail;
    return c;
fail:
    conn_close(c);
    return NULL;
}

/* The calling thread's connection, opened on first use. NULL + e on error. */
static struct conn *
conn_get(struct store *s, struct err *e)
{
    struct sqlite_store *ss = sq(s);
    struct conn *c = pthread_getspecific(ss->key);

    if (c != NULL)
        return c;
    c = conn_open(ss, e);
    if (c == NULL)
        return NULL;
    if (pthread_setspecific(ss->key, c) != 0) {
        conn_close(c);
        err_set(e, HL_EIO, "", "cannot attach a database connection to this thread");
        return NULL;
    }
    pthread_mutex_lock(&ss->lock);
    c->next = ss->conns;
    ss->conns = c;
    pthread_mutex_unlock(&ss->lock);
    return c;
}

/* Begin a transaction: at the outermost level BEGIN (IMMEDIATE for writes, so the write
 * lock is taken now and waiting for it goes through the busy timeout); inside another
 * transaction of this connection a savepoint, so a mutate callback that calls the store
 * joins the update's transaction. */
static int
tx_open(struct conn *c, bool write, struct err *e)
{
    int rc;

    if (c->depth > 0)
        rc = run(c, "SAVEPOINT nested", "starting a nested transaction", e);
    else if (write)
        rc = run(c, "BEGIN IMMEDIATE", "starting a write transaction", e);
    else
        rc = run(c, "BEGIN", "starting a read transaction", e);
    if (rc == HL_OK)
        c->depth++;
    return rc;
}

/* Begin a write transaction. */
static int
tx_begin(struct conn *c, struct err *e)
{
    return tx_open(c, true, e);
}

/* True while the outermost transaction is still open (SQLite rolls it back by itself
 * after some errors, e.g. a full disk). */
static bool
tx_alive(struct conn *c)
{
    return !sqlite3_get_autocommit(c->db);
}

/* Roll back the innermost level, if SQLite has not already rolled everything back. */
static void
tx_rollback(struct conn *c)
{
    if (c->depth == 0)
        return;
    c->depth--;
    if (!tx_alive(c))
        return;
    if (c->depth > 0) {
        run(c, "ROLLBACK TO nested", "rolling back", NULL);
        run(c, "RELEASE nested", "rolling back", NULL);
    } else {
        run(c, "ROLLBACK", "rolling back", NULL);
    }
}

/* Commit the innermost level; rolls it back and fails when that fails or when the
 * database already rolled the transaction back. */
static int
tx_commit(struct conn *c, struct err *e)
{
    if (c->depth == 0)
        return HL_OK;
    if (!tx_alive(c)) {
        c->depth--;
        return err_set(e, HL_EIO, "", "the database rolled the transaction back after an "
                       "earlier error; nothing was saved");
    }
    if (run(c, c->depth > 1 ? "RELEASE nested" : "COMMIT", "committing", e) != HL_OK) {
        tx_rollback(c);
        return HL_EIO;
    }
    c->depth--;
    return HL_OK;
}

/* Finish a transaction: commit when rc is HL_OK, else roll back. Returns the result. */
static int
tx_end(struct conn *c, int rc, struct err *e)
{
    if (rc == HL_OK)
        return tx_commit(c, e);
    tx_rollback(c);
    return rc;
}

/* Bind a string (NULL binds SQL NULL). */
static void
bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s == NULL)
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

/* Bind an integer. */
static void
bind_int(sqlite3_stmt *st, int i, int64_t v)
{
    sqlite3_bind_int64(st, i, v);
}

/* Bind a time that is unset when 0 as NULL. */
static void
bind_time_or_null(sqlite3_stmt *st, int i, hl_time t)
{
    if (t == 0)
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_int64(st, i, t);
}

/* A column as a borrowed string (NULL when SQL NULL). */
static const char *
col_text(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

/* A column as an owned copy (NULL when SQL NULL). */
static char *
col_dup(sqlite3_stmt *st, int i)
{
    return xstrdup(col_text(st, i));
}

/* Step a statement that returns no rows. */
static int
step_done(struct conn *c, sqlite3_stmt *st, const char *what, struct err *e)
{
    int rc = sqlite3_step(st);

    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return db_fail(c, rc, what, e);
    return HL_OK;
}

/* True when rc is a constraint failure. */
static bool
is_constraint(int rc)
{
    return (rc & 0xff) == SQLITE_CONSTRAINT;
}

/* Wall-clock now. */
static hl_time
now(void)
{
    return (hl_time)time(NULL);
}

/* ---- opening and migrating ---- */

/* Read one integer pragma. */
static int
pragma_int(struct conn *c, const char *sql, int64_t *out, struct err *e)
{
    sqlite3_stmt *st = prep(c, sql, e);
    int rc;

    if (st == NULL)
        return HL_EIO;
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        db_fail(c, rc, "reading the database header", e);
        done(c, st);
        return HL_EIO;
    }
    *out = sqlite3_column_int64(st, 0);
    done(c, st);
    return HL_OK;
}

/* Bring the schema to STORE_SQLITE_SCHEMA_VERSION in one transaction; refuse a newer
 * schema or a database that is not ours. */
static int
migrate(struct conn *c, const char *path, struct err *e)
{
    int64_t version = 0, appid = 0, tables = 0;
    char *errmsg = NULL;
    char sql[64];
    size_t i;
    int rc;

    if (pragma_int(c, "PRAGMA user_version", &version, e) != HL_OK)
        return HL_EIO;
    if (version == STORE_SQLITE_SCHEMA_VERSION)
        return HL_OK;            /* the common case: nothing to write */
    if (tx_begin(c, e) != HL_OK)
        return HL_EIO;
    /* Read again under the write lock: another process may have migrated meanwhile. */
    if (pragma_int(c, "PRAGMA user_version", &version, e) != HL_OK
        || pragma_int(c, "PRAGMA application_id", &appid, e) != HL_OK
        || pragma_int(c, "SELECT count(*) FROM sqlite_schema", &tables, e) != HL_OK) {
        tx_rollback(c);
        return HL_EIO;
    }
    if (version > STORE_SQLITE_SCHEMA_VERSION) {
        tx_rollback(c);
        return err_set(e, HL_EIO, "db", "database %s has schema version %lld, newer than "
                       "this hotlined understands (%d): run a newer hotlined or restore a "
                       "backup made for this version", path, (long long)version,
                       STORE_SQLITE_SCHEMA_VERSION);
    }
    if ((appid != 0 && appid != APPLICATION_ID) || (version == 0 && tables > 0)) {
        tx_rollback(c);
        return err_set(e, HL_EIO, "db", "%s is not a hotline database (it already holds "
                       "other data): pass another --db path", path);
    }
    for (; version < STORE_SQLITE_SCHEMA_VERSION; version++) {
        for (i = 0, rc = SQLITE_OK; migrations[version][i] != NULL && rc == SQLITE_OK; i++)
            rc = sqlite3_exec(c->db, migrations[version][i], NULL, NULL, &errmsg);
        if (rc != SQLITE_OK) {
            err_set(e, HL_EIO, "db", "migrating %s to schema version %lld failed: %s", path,
                    (long long)version + 1, errmsg != NULL ? errmsg : sqlite3_errstr(rc));
            sqlite3_free(errmsg);
            tx_rollback(c);
            return HL_EIO;
        }
    }
    snprintf(sql, sizeof sql, "PRAGMA user_version=%d", STORE_SQLITE_SCHEMA_VERSION);
    if (run(c, sql, "recording the schema version", e) != HL_OK) {
        tx_rollback(c);
        return HL_EIO;
    }
    snprintf(sql, sizeof sql, "PRAGMA application_id=%d", APPLICATION_ID);
    if (run(c, sql, "recording the application id", e) != HL_OK) {
        tx_rollback(c);
        return HL_EIO;
    }
    return tx_commit(c, e);
}

/* Switch the database to WAL (persistent; a read-only database must already be in it). */
static int
set_wal(struct conn *c, const char *path, struct err *e)
{
    sqlite3_stmt *st = prep(c, "PRAGMA journal_mode=WAL", e);
    int rc;
    bool wal;

    if (st == NULL)
        return HL_EIO;
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        db_fail(c, rc, "switching to WAL", e);
        done(c, st);
        return HL_EIO;
    }
    wal = col_text(st, 0) != NULL && strcmp(col_text(st, 0), "wal") == 0;
    done(c, st);
    if (!wal)
        return err_set(e, HL_EIO, "db", "%s: cannot switch the database to WAL mode (is it "
                       "read-only or on a network file system?)", path);
    return HL_OK;
}

static const struct store_ops sqlite_ops;

/* The absolute form of a relative file path, so that every thread opens the same file. */
static char *
absolute_path(const char *path)
{
    char cwd[4096];

    if (path[0] == '/' || str_starts_with(path, "file:") || getcwd(cwd, sizeof cwd) == NULL)
        return xstrdup(path);
    return xasprintf("%s/%s", cwd, path);
}

/* Free a store's memory (connections already closed). */
static void
store_free_mem(struct sqlite_store *ss)
{
    pthread_mutex_destroy(&ss->lock);
    free(ss->path);
    free(ss);
}

/* Open the SQLite database at path. */
struct store *
store_sqlite_open(const char *path, const struct tz *tz, struct err *e)
{
    struct sqlite_store *ss;
    struct conn *c;

    if (str_empty(path) || strcmp(path, ":memory:") == 0) {
        err_set(e, HL_EINVAL, "db", "the SQLite store needs a database file, not \"%s\": "
                "pass --db PATH", path != NULL ? path : "");
        return NULL;
    }
    if (sqlite3_threadsafe() == 0) {
        err_set(e, HL_EIO, "db", "this SQLite library was built without thread support");
        return NULL;
    }
    ss = xcalloc(1, sizeof *ss);
    ss->base.ops = &sqlite_ops;
    ss->base.tz = tz;
    ss->path = absolute_path(path);
    ss->open_flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (str_starts_with(path, "file:"))
        ss->open_flags |= SQLITE_OPEN_URI;
    pthread_mutex_init(&ss->lock, NULL);
    if (pthread_key_create(&ss->key, conn_destroy) != 0) {
        err_set(e, HL_EIO, "", "cannot create a thread key for database connections");
        store_free_mem(ss);
        return NULL;
    }
    c = conn_get(&ss->base, e);
    if (c == NULL || set_wal(c, ss->path, e) != HL_OK || migrate(c, ss->path, e) != HL_OK) {
        ss->base.ops->close(&ss->base);
        return NULL;
    }
    return &ss->base;
}

/* Close the store: every thread's connection, then the store itself. */
static void
sq_close(struct store *s)
{
    struct sqlite_store *ss = sq(s);
    struct conn *c, *next;

    if (s == NULL)
        return;
    pthread_mutex_lock(&ss->lock);
    c = ss->conns;
    ss->conns = NULL;
    pthread_mutex_unlock(&ss->lock);
    pthread_setspecific(ss->key, NULL);
    pthread_key_delete(ss->key);
    for (; c != NULL; c = next) {
        next = c->next;
        conn_close(c);
    }
    store_free_mem(ss);
}

/* Run trusted SQL on the calling thread's connection. */
int
store_sqlite_exec(struct store *s, const char *sql, struct err *e)
{
    struct conn *c = conn_get(s, e);
    char *errmsg = NULL;
    int rc;

    if (c == NULL)
        return HL_EIO;
    rc = sqlite3_exec(c->db, sql, NULL, NULL, &errmsg);
    if (rc != SQLITE_OK) {
        err_set(e, HL_EIO, "", "%s", errmsg != NULL ? errmsg : sqlite3_errstr(rc));
        sqlite3_free(errmsg);
        return HL_EIO;
    }
    return HL_OK;
}

/* ---- query building ---- */

/* One bound value of a query under construction. */
struct qparam {
    bool is_text;
    int64_t i;
    char *s;
};

/* A query built from the filters that are set: SQL text with numbered parameters and
 * the values to bind to them. Values never become SQL text. */
struct qb {
    struct strbuf sql;
    struct qparam *p;
    int n;
};

/* Start an empty query. */
static void
qb_init(struct qb *b)
{
    strbuf_init(&b->sql);
    b->p = NULL;
    b->n = 0;
}

/* Release a query. */
static void
qb_fini(struct qb *b)
{
    int i;

    for (i = 0; i < b->n; i++)
        free(b->p[i].s);
    free(b->p);
    strbuf_fini(&b->sql);
}

/* Append SQL text. */
static void
qb_sql(struct qb *b, const char *s)
{
    strbuf_adds(&b->sql, s);
}

/* Add a parameter slot and return its number (1-based), without referencing it. */
static int
qb_param(struct qb *b, bool is_text, int64_t i, const char *s)
{
    b->p = xrealloc(b->p, (size_t)(b->n + 1) * sizeof *b->p);
    b->p[b->n].is_text = is_text;
    b->p[b->n].i = i;
    b->p[b->n].s = xstrdup(s);
    return ++b->n;
}

/* Reference parameter number k in the SQL. */
static void
qb_ref(struct qb *b, int k)
{
    strbuf_addf(&b->sql, "?%d", k);
}

/* Append a new text parameter. */
static void
qb_text(struct qb *b, const char *s)
{
    qb_ref(b, qb_param(b, true, 0, s));
}

/* Append a new integer parameter. */
static void
qb_int(struct qb *b, int64_t v)
{
    qb_ref(b, qb_param(b, false, v, NULL));
}

/* Bind every parameter of the query to st. */
static void
qb_bind(const struct qb *b, sqlite3_stmt *st)
{
    int i;

    for (i = 0; i < b->n; i++) {
        if (b->p[i].is_text)
            bind_text(st, i + 1, b->p[i].s);
        else
            bind_int(st, i + 1, b->p[i].i);
    }
}

/* Append "col = ?" for an exact code, or a range for a prefix ending in ".". */
static void
qb_code(struct qb *b, const char *col, const char *code)
{
    size_t n = strlen(code);
    char *hi;

    if (n > 0 && code[n - 1] == '.') {
        hi = xstrdup(code);
        hi[n - 1] = '/';         /* the byte after '.': [prefix, prefix/) is the prefix */
        strbuf_addf(&b->sql, " AND %s >= ", col);
        qb_text(b, code);
        strbuf_addf(&b->sql, " AND %s < ", col);
        qb_text(b, hi);
        free(hi);
    } else {
        strbuf_addf(&b->sql, " AND %s = ", col);
        qb_text(b, code);
    }
}

/* q as one FTS5 string (a phrase): wrapped in double quotes, inner quotes doubled, so
 * no user text becomes FTS syntax. Owned. */
static char *
fts_phrase(const char *q)
{
    struct strbuf sb;

    strbuf_init(&sb);
    strbuf_addc(&sb, '"');
    for (; *q != '\0'; q++) {
        if (*q == '"')
            strbuf_addc(&sb, '"');
        strbuf_addc(&sb, *q);
    }
    strbuf_addc(&sb, '"');
    return strbuf_detach(&sb);
}

/* ---- tickets: columns, documents ---- */

/* Columns ?1..?21 of a ticket row, in the order of TICKET_COLS. */
#define TICKET_COLS \
    "id, version, doc, day, status, nature, urgency, category, title, description, " \
    "location, caller_phone, caller_name, caller_address, created_by, created_at, " \
    "updated_at, closed_at, due_at, callback_due_at, flags"

/* Bind the columns of t (with its encoded document) as ?1..?21. */
static void
bind_ticket(sqlite3_stmt *st, const struct store *s, const struct ticket *t, const char *doc)
{
    char phone[32];

    store_util_canonical_phone(t->caller.phone, phone, sizeof phone);
    bind_text(st, 1, t->id);
    bind_int(st, 2, t->version);
    bind_text(st, 3, doc);
    bind_int(st, 4, store_util_local_day(s, t->created_at));
    bind_text(st, 5, status_str(t->status));
    bind_text(st, 6, nature_str(t->nature));
    bind_text(st, 7, urgency_str(t->urgency));
    bind_text(st, 8, t->category);
    bind_text(st, 9, t->title);
    bind_text(st, 10, t->description);
    bind_text(st, 11, t->location);
    bind_text(st, 12, phone[0] != '\0' ? phone : NULL);
    bind_text(st, 13, t->caller.name);
    bind_text(st, 14, t->caller.address);
    bind_text(st, 15, t->created_by);
    bind_int(st, 16, t->created_at);
    bind_int(st, 17, t->updated_at);
    bind_time_or_null(st, 18, t->closed_at);
    bind_int(st, 19, t->due_at != 0 ? t->due_at : NO_TIME);
    bind_int(st, 20, t->callback_due_at != 0 ? t->callback_due_at : NO_TIME);
    bind_int(st, 21, (int64_t)t->flags);
}

/* Replace the unit rows of a ticket by the units of its assignments. */
static int
save_units(struct conn *c, const struct ticket *t, struct err *e)
{
    sqlite3_stmt *st;
    size_t i;
    int rc = HL_OK;

    st = prep(c, "DELETE FROM ticket_units WHERE ticket_id = ?1", e);
    if (st == NULL)
        return HL_EIO;
    bind_text(st, 1, t->id);
    rc = step_done(c, st, "saving the ticket's units", e);
    done(c, st);
    if (rc != HL_OK || t->n_assignments == 0)
        return rc;
    st = prep(c, "INSERT OR IGNORE INTO ticket_units(ticket_id, unit) VALUES (?1, ?2)", e);
    if (st == NULL)
        return HL_EIO;
    for (i = 0; i < t->n_assignments && rc == HL_OK; i++) {
        if (str_empty(t->assignments[i].unit))
            continue;
        bind_text(st, 1, t->id);
        bind_text(st, 2, t->assignments[i].unit);
        rc = step_done(c, st, "saving the ticket's units", e);
        sqlite3_reset(st);
    }
    done(c, st);
    return rc;
}

/* Append a feed row; *seq gets its number. */
static int
feed_insert(struct conn *c, const char *type, const char *ticket_id, const char *action,
            const char *agent, const char *phone, const char *unit, hl_time at, int64_t *seq,
            struct err *e)
{
    sqlite3_stmt *st = prep(c, "INSERT INTO feed(type, ticket_id, action, agent, phone, unit, "
                            "at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING seq", e);
    int rc;

    if (st == NULL)
        return HL_EIO;
    bind_text(st, 1, type);
    bind_text(st, 2, ticket_id);
    bind_text(st, 3, action);
    bind_text(st, 4, agent);
    bind_text(st, 5, phone);
    bind_text(st, 6, unit);
    bind_int(st, 7, at != 0 ? at : now());
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        db_fail(c, rc, "appending to the change feed", e);
        done(c, st);
        return HL_EIO;
    }
    if (seq != NULL)
        *seq = sqlite3_column_int64(st, 0);
    done(c, st);
    return HL_OK;
}

/* Load a ticket's document and version; HL_ENOENT when there is no such ticket. */
static int
load_doc(struct conn *c, const char *id, char **doc, int64_t *version, struct err *e)
{
    sqlite3_stmt *st = prep(c, "SELECT doc, version FROM tickets WHERE id = ?1", e);
    int rc;

    *doc = NULL;
    if (st == NULL)
        return HL_EIO;
    bind_text(st, 1, id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *doc = col_dup(st, 0);
        if (version != NULL)
            *version = sqlite3_column_int64(st, 1);
        done(c, st);
        return HL_OK;
    }
    if (rc == SQLITE_DONE)
        err_set(e, HL_ENOENT, "id", "no ticket %s", id);
    else
        db_fail(c, rc, "reading a ticket", e);
    done(c, st);
    return rc == SQLITE_DONE ? HL_ENOENT : HL_EIO;
}

/* Load and decode a ticket. */
static int
load_ticket(struct conn *c, const char *id, struct ticket **out, struct err *e)
{
    char *doc = NULL;
    int rc = load_doc(c, id, &doc, NULL, e);

    *out = NULL;
    if (rc == HL_OK) {
        *out = store_util_doc_to_ticket(doc, id, e);
        if (*out == NULL)
            rc = HL_EIO;
    }
    free(doc);
    return rc;
}

/* Save an existing ticket (document, columns, units) and append its feed row at time at
 * (0: now). */
static int
save_ticket(struct conn *c, struct store *s, const struct ticket *t, const char *action,
            hl_time at, int64_t *seq, struct err *e)
{
    char *doc = codec_ticket_encode(t, s->tz), *units = NULL;
    sqlite3_stmt *st;
    int rc;

    st = prep(c, "UPDATE tickets SET version = ?2, doc = ?3, status = ?5, nature = ?6, "
              "urgency = ?7, category = ?8, title = ?9, description = ?10, location = ?11, "
              "caller_phone = ?12, caller_name = ?13, caller_address = ?14, "
              "created_by = ?15, created_at = ?16, updated_at = ?17, closed_at = ?18, "
              "due_at = ?19, callback_due_at = ?20, flags = ?21 WHERE id = ?1", e);
    if (st == NULL) {
        rc = HL_EIO;
        goto out;
    }
    bind_ticket(st, s, t, doc);
    rc = step_done(c, st, "saving the ticket", e);
    done(c, st);
    if (rc == HL_OK)
        rc = save_units(c, t, e);
    if (rc == HL_OK) {
        units = store_util_units_csv(t);
        rc = feed_insert(c, "ticket.updated", t->id, action, NULL, NULL, units, at, seq, e);
    }
out:
    free(units);
    free(doc);
    return rc;
}

/* ---- tickets: create, get, update ---- */

/* Look an idempotency key up: HL_OK with *ticket_id (owned) when known and the body is
 * the same, HL_ENOENT when unknown, HL_ECONFLICT when the body differs. */
static int
idem_lookup(struct conn *c, const char *key, const char *body_hash, char **ticket_id,
            struct err *e)
{
    sqlite3_stmt *st = prep(c, "SELECT body_hash, ticket_id FROM idempotency WHERE key = ?1", e);
    int rc;

    *ticket_id = NULL;
    if (st == NULL)
        return HL_EIO;
    bind_text(st, 1, key);
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        done(c, st);
        return HL_ENOENT;
    }
    if (rc != SQLITE_ROW) {
        db_fail(c, rc, "reading the idempotency key", e);
        done(c, st);
        return HL_EIO;
    }
    if (strcmp(col_text(st, 0), body_hash != NULL ? body_hash : "") != 0) {
        done(c, st);
        return err_set(e, HL_ECONFLICT, "Idempotency-Key", "this Idempotency-Key was already "
                       "used for a different request body (idempotency_key_reused): send a "
                       "new key for a new ticket");
    }
    *ticket_id = col_dup(st, 1);
    done(c, st);
    return HL_OK;
}

/* Take the next number of the daily sequence of day (inside the write transaction). */
static int
next_daily(struct conn *c, int64_t day, int64_t *n, struct err *e)
{
    sqlite3_stmt *st = prep(c, "INSERT INTO ticket_seq(day, last) VALUES (?1, 1) "
                            "ON CONFLICT(day) DO UPDATE SET last = last + 1 RETURNING last", e);
    int rc;

    if (st == NULL)
        return HL_EIO;
    bind_int(st, 1, day);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        db_fail(c, rc, "numbering the ticket", e);
        done(c, st);
        return HL_EIO;
    }
    *n = sqlite3_column_int64(st, 0);
    done(c, st);
    if (*n > 999999)
        return err_set(e, HL_ERANGE, "id", "the daily ticket sequence of %lld is exhausted "
                       "(999999 tickets)", (long long)day);
    return HL_OK;
}

/* Remember an idempotency key; every IDEM_PURGE_EVERY creates, forget old ones. */
static int
idem_save(struct conn *c, const char *key, const char *body_hash, const char *ticket_id,
          struct err *e)
{
    sqlite3_stmt *st;
    int rc;

    st = prep(c, "INSERT INTO idempotency(key, body_hash, ticket_id, created_at) "
              "VALUES (?1, ?2, ?3, ?4)", e);
    if (st == NULL)
        return HL_EIO;
    bind_text(st, 1, key);
    bind_text(st, 2, body_hash != NULL ? body_hash : "");
    bind_text(st, 3, ticket_id);
    bind_int(st, 4, now());
    rc = step_done(c, st, "saving the idempotency key", e);
    done(c, st);
    return rc;
}

/* Forget idempotency keys older than IDEM_KEEP_SECS, now and then. */
static int
idem_purge(struct conn *c, struct err *e)
{
    sqlite3_stmt *st;
    int rc;

    if (c->creates++ % IDEM_PURGE_EVERY != 0)
        return HL_OK;
    st = prep(c, "DELETE FROM idempotency WHERE created_at < ?1", e);
    if (st == NULL)
        return HL_EIO;
    bind_int(st, 1, now() - IDEM_KEEP_SECS);
    rc = step_done(c, st, "purging old idempotency keys", e);
    done(c, st);
    return rc;
}

/* Insert a new ticket with its id assigned; the body of ticket_create's transaction. */
static int
create_in_tx(struct conn *c, struct store *s, const struct ticket *in, const char *idem_key,
             const char *body_hash, struct ticket **out, int64_t *seq, struct err *e)
{
    struct ticket t = *in;       /* shallow: borrows in's strings, never freed */
    char *id = NULL, *doc = NULL, *units = NULL;
    sqlite3_stmt *st;
    int64_t n = 0;
    int rc;

    if (t.created_at == 0)
        t.created_at = now();
    if (t.updated_at == 0)
        t.updated_at = t.created_at;
    rc = next_daily(c, store_util_local_day(s, t.created_at), &n, e);
    if (rc != HL_OK)
        goto out;
    id = xasprintf("HL%08lld-%06lld", (long long)store_util_local_day(s, t.created_at),
                   (long long)n);
    t.id = id;
    t.version = 1;
    doc = codec_ticket_encode(&t, s->tz);
    st = prep(c, "INSERT INTO tickets(" TICKET_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
              "?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)", e);
    if (st == NULL) {
        rc = HL_EIO;
        goto out;
    }
    bind_ticket(st, s, &t, doc);
    rc = step_done(c, st, "saving the new ticket", e);
    done(c, st);
    if (rc == HL_OK)
        rc = save_units(c, &t, e);
    if (rc == HL_OK) {
        units = store_util_units_csv(&t);
        rc = feed_insert(c, "ticket.created", id, "create", NULL, NULL, units, t.created_at,
                         seq, e);
    }
    if (rc == HL_OK && !str_empty(idem_key))
        rc = idem_save(c, idem_key, body_hash, id, e);
    if (rc == HL_OK && !str_empty(idem_key))
        rc = idem_purge(c, e);
    if (rc == HL_OK) {
        *out = store_util_doc_to_ticket(doc, id, e);
        if (*out == NULL)
            rc = HL_EIO;
    }
out:
    free(units);
    free(doc);
    free(id);
    return rc;
}

/* Create a ticket (id, version 1), honouring an idempotency key. */
static int
sq_ticket_create(struct store *s, const struct ticket *t, const char *idem_key,
                 const char *body_hash, struct ticket **out, bool *replayed, int64_t *seq,
                 struct err *e)
{
    struct conn *c = conn_get(s, e);
    char *known = NULL;
    int rc;

    *out = NULL;
    if (replayed != NULL)
        *replayed = false;
    if (seq != NULL)
        *seq = 0;
    if (c == NULL)
        return HL_EIO;
    if (tx_begin(c, e) != HL_OK)
        return HL_EIO;
    rc = HL_ENOENT;
    if (!str_empty(idem_key))
        rc = idem_lookup(c, idem_key, body_hash, &known, e);
    if (rc == HL_OK) {
        rc = load_ticket(c, known, out, e);
        if (rc == HL_OK && replayed != NULL)
            *replayed = true;
    } else if (rc == HL_ENOENT) {
        rc = create_in_tx(c, s, t, idem_key, body_hash, out, seq, e);
    }
    rc = tx_end(c, rc, e);
    if (rc != HL_OK) {
        ticket_free(out);
        if (seq != NULL)
            *seq = 0;
        if (replayed != NULL)
            *replayed = false;
    }
    free(known);
    return rc;
}

/* Load a ticket. */
static int
sq_ticket_get(struct store *s, const char *id, struct ticket **out, struct err *e)
{
    struct conn *c = conn_get(s, e);

    *out = NULL;
    if (c == NULL)
        return HL_EIO;
    return load_ticket(c, id, out, e);
}

/* The stored document of a ticket and its version. */
static int
sq_ticket_get_doc(struct store *s, const char *id, char **doc, int64_t *version,
                  struct err *e)
{
    struct conn *c = conn_get(s, e);

    *doc = NULL;
    if (c == NULL)
        return HL_EIO;
    return load_doc(c, id, doc, version, e);
}

/* Read-modify-write one ticket in one transaction. */
static int
sq_ticket_update(struct store *s, const char *id, int64_t if_match, const char *action,
                 store_mutate_fn fn, void *arg, struct ticket **out, int64_t *seq,
                 struct err *e)
{
    struct conn *c = conn_get(s, e);
    struct ticket *t = NULL;
    char *doc = NULL;
    int64_t version = 0;
    int rc;

    if (out != NULL)
        *out = NULL;
    if (seq != NULL)
        *seq = 0;
    if (c == NULL)
        return HL_EIO;
    if (fn == NULL)
        return err_set(e, HL_EINVAL, "", "ticket_update needs a mutate callback");
    if (tx_begin(c, e) != HL_OK)
        return HL_EIO;
    rc = load_doc(c, id, &doc, &version, e);
    if (rc == HL_OK && if_match > 0 && if_match != version)
        rc = err_set(e, HL_ECONFLICT, "version", "ticket %s has changed: it is at version "
                     "%lld, the change was made to version %lld; reload it and try again", id,
                     (long long)version, (long long)if_match);
    if (rc == HL_OK) {
        t = store_util_doc_to_ticket(doc, id, e);
        if (t == NULL)
            rc = HL_EIO;
    }
    if (rc == HL_OK) {
        rc = fn(t, arg, e);
        if (rc != HL_OK && e != NULL && e->code == HL_OK)
            err_set(e, rc, "", "the change to ticket %s was refused", id);
        if (rc == HL_OK && !tx_alive(c))
            rc = err_set(e, HL_EIO, "", "ticket %s: the database rolled the change back "
                         "after an error inside it", id);
    }
    if (rc == HL_OK) {
        if (t->id == NULL || strcmp(t->id, id) != 0) {   /* the id is the store's */
            free(t->id);
            t->id = xstrdup(id);
        }
        t->version = version + 1;
        rc = save_ticket(c, s, t, action, t->updated_at, seq, e);
    }
    rc = tx_end(c, rc, e);
    if (rc == HL_OK && out != NULL) {
        *out = t;
        t = NULL;
    }
    if (rc != HL_OK && seq != NULL)
        *seq = 0;
    ticket_free(&t);
    free(doc);
    return rc;
}

/* ---- tickets: lists ---- */

/* Append the WHERE clause of a ticket query (always starts " WHERE 1"). */
static void
ticket_where(struct qb *b, const struct ticket_query *q)
{
    char phone[32];
    char *text, *pat;
    int k, i;
    bool first = true;

    qb_sql(b, " WHERE 1");
    if (q->status_mask != 0) {
        qb_sql(b, " AND status IN (");
        for (i = 0; i < STATUS_COUNT; i++) {
            if ((q->status_mask & (1u << i)) == 0)
                continue;
            if (!first)
                qb_sql(b, ", ");
            qb_text(b, status_str((enum status)i));
            first = false;
        }
        if (first)
            qb_sql(b, "NULL");   /* only unknown bits: matches nothing */
        qb_sql(b, ")");
    }
    if (!str_empty(q->unit)) {
        qb_sql(b, " AND id IN (SELECT ticket_id FROM ticket_units WHERE unit = ");
        qb_text(b, q->unit);
        qb_sql(b, ")");
    }
    if (!str_empty(q->caller_phone)) {
        store_util_canonical_phone(q->caller_phone, phone, sizeof phone);
        qb_sql(b, " AND caller_phone = ");
        qb_text(b, phone[0] != '\0' ? phone : q->caller_phone);
    }
    if (q->flag_mask != 0) {
        qb_sql(b, " AND flags != 0 AND (flags & ");
        qb_int(b, q->flag_mask);
        qb_sql(b, ") = ");
        qb_int(b, q->flag_mask);
    }
    text = store_util_trim_query(q->q);
    if (text != NULL && store_util_use_trigrams(text)) {
        pat = fts_phrase(text);
        qb_sql(b, " AND rid IN (SELECT rowid FROM ticket_fts WHERE ticket_fts MATCH ");
        qb_text(b, pat);
        qb_sql(b, ")");
        free(pat);
    } else if (text != NULL) {
        pat = store_util_like_pattern(text);
        k = qb_param(b, true, 0, pat);
        strbuf_addf(&b->sql, " AND (id LIKE ?%d ESCAPE '\\' OR title LIKE ?%d ESCAPE '\\'"
                    " OR description LIKE ?%d ESCAPE '\\' OR location LIKE ?%d ESCAPE '\\'"
                    " OR caller_name LIKE ?%d ESCAPE '\\' OR caller_phone LIKE ?%d ESCAPE '\\'"
                    " OR caller_address LIKE ?%d ESCAPE '\\')", k, k, k, k, k, k, k);
        free(pat);
    }
    free(text);
    if (!str_empty(q->created_by)) {
        qb_sql(b, " AND created_by = ");
        qb_text(b, q->created_by);
    }
    if (!str_empty(q->category))
        qb_code(b, "category", q->category);
    if (q->nature >= 0) {
        qb_sql(b, " AND nature = ");
        qb_text(b, q->nature < NATURE_COUNT ? nature_str((enum nature)q->nature) : "");
    }
    if (q->updated_since != 0) {
        qb_sql(b, " AND updated_at >= ");
        qb_int(b, q->updated_since);
    }
    if (q->created_from != 0) {
        qb_sql(b, " AND created_at >= ");
        qb_int(b, q->created_from);
    }
    if (q->created_to != 0) {
        qb_sql(b, " AND created_at < ");
        qb_int(b, q->created_to);
    }
    if (q->due_before != 0) {
        qb_sql(b, " AND due_at < ");
        qb_int(b, q->due_before);
        qb_sql(b, " AND status NOT IN ('closed', 'archived')");
    }
    if (q->callback_due_before != 0) {
        qb_sql(b, " AND callback_due_at < ");
        qb_int(b, q->callback_due_before);
        qb_sql(b, " AND status IN ('replied', 'callback')");
    }
}

/* Decode the current row's document (column col) and move it into items[*n]. */
static int
take_ticket(sqlite3_stmt *st, int col, struct ticket *items, size_t *n, struct err *e)
{
    struct ticket *t = store_util_doc_to_ticket(col_text(st, col), col_text(st, col + 1), e);

    if (t == NULL)
        return HL_EIO;
    items[*n] = *t;
    free(t);
    (*n)++;
    return HL_OK;
}

/* Count the tickets matching q. */
static int
ticket_count(struct conn *c, const struct ticket_query *q, int64_t *total, struct err *e)
{
    struct qb b;
    sqlite3_stmt *st;
    int rc = HL_OK, src;

    qb_init(&b);
    qb_sql(&b, "SELECT count(*) FROM tickets");
    ticket_where(&b, q);
    st = prep(c, b.sql.buf, e);
    if (st == NULL) {
        rc = HL_EIO;
        goto out;
    }
    qb_bind(&b, st);
    src = sqlite3_step(st);
    if (src == SQLITE_ROW)
        *total = sqlite3_column_int64(st, 0);
    else
        rc = db_fail(c, src, "counting tickets", e);
    done(c, st);
out:
    qb_fini(&b);
    return rc;
}

/* Build the page query of q into b: SELECT key, doc, id ... LIMIT limit + 1. */
static int
ticket_list_sql(const struct ticket_query *q, int limit, struct qb *b,
                const struct store_ticket_order **ord_out, struct err *e)
{
    const struct store_ticket_order *ord = store_util_ticket_order(q->order, e);
    char *cur_id = NULL;
    int64_t key = 0;

    *ord_out = ord;
    if (ord == NULL)
        return HL_EINVAL;
    if (!str_empty(q->cursor)
        && store_util_cursor_parse(q->cursor, ord->tag, &key, &cur_id, e) != HL_OK)
        return HL_EINVAL;
    /* The page is chosen on keys alone; documents are read for its rows only (a sort
     * would otherwise copy every matching document). */
    strbuf_addf(&b->sql, "SELECT p.k, t.doc, t.id FROM (SELECT rid, %s AS k, id FROM tickets",
                ord->col);
    ticket_where(b, q);
    if (cur_id != NULL) {
        strbuf_addf(&b->sql, " AND (%s, id) %s (", ord->col, ord->desc ? "<" : ">");
        qb_int(b, key);
        qb_sql(b, ", ");
        qb_text(b, cur_id);
        qb_sql(b, ")");
    }
    strbuf_addf(&b->sql, " ORDER BY %s %s, id %s LIMIT ", ord->col, ord->desc ? "DESC" : "ASC",
                ord->desc ? "DESC" : "ASC");
    qb_int(b, limit + 1);
    strbuf_addf(&b->sql, ") AS p JOIN tickets t ON t.rid = p.rid ORDER BY p.k %s, p.id %s",
                ord->desc ? "DESC" : "ASC", ord->desc ? "DESC" : "ASC");
    free(cur_id);
    return HL_OK;
}

/* One page of tickets. */
static int
sq_ticket_list(struct store *s, const struct ticket_query *q, struct ticket_page *out,
               struct err *e)
{
    struct conn *c = conn_get(s, e);
    const struct store_ticket_order *ord;
    struct qb b;
    sqlite3_stmt *st = NULL;
    int limit = store_util_clamp_limit(q->limit);
    int64_t last_key = 0;
    char *last_id = NULL;
    int rc = HL_OK, src;

    memset(out, 0, sizeof *out);
    out->total = -1;
    qb_init(&b);
    if (c == NULL)
        return HL_EIO;
    rc = ticket_list_sql(q, limit, &b, &ord, e);
    if (rc != HL_OK)
        goto out;
    st = prep(c, b.sql.buf, e);
    if (st == NULL) {
        rc = HL_EIO;
        goto out;
    }
    qb_bind(&b, st);
    out->items = xcalloc((size_t)limit, sizeof *out->items);
    for (src = sqlite3_step(st); src == SQLITE_ROW; src = sqlite3_step(st)) {
        if (out->n == (size_t)limit) {
            out->next_cursor = store_util_cursor_make(ord->tag, last_key, last_id);
            break;
        }
        rc = take_ticket(st, 1, out->items, &out->n, e);
        if (rc != HL_OK)
            goto out;
        last_key = sqlite3_column_int64(st, 0);
        free(last_id);
        last_id = col_dup(st, 2);
    }
    if (src != SQLITE_ROW && src != SQLITE_DONE) {
        rc = db_fail(c, src, "listing tickets", e);
        goto out;
    }
    done(c, st);
    st = NULL;
    if (q->count)
        rc = ticket_count(c, q, &out->total, e);
out:
    done(c, st);
    if (rc != HL_OK) {
        ticket_page_fini(out);
        out->total = -1;
    }
    qb_fini(&b);
    free(last_id);
    return rc;
}

/* Call fn for every ticket matching q, oldest first. */
static int
sq_ticket_scan(struct store *s, const struct ticket_query *q, store_scan_fn fn, void *arg,
               struct err *e)
{
    struct conn *c = conn_get(s, e);
    struct qb b;
    sqlite3_stmt *st = NULL;
    struct ticket *t;
    int rc = HL_OK, src;

    if (c == NULL)
        return HL_EIO;
    qb_init(&b);
    qb_sql(&b, "SELECT doc, id FROM tickets");
    ticket_where(&b, q);
    qb_sql(&b, " ORDER BY created_at ASC, id ASC");
    st = prep(c, b.sql.buf, e);
    if (st == NULL) {
        rc = HL_EIO;
        goto out;
    }
    qb_bind(&b, st);
    for (src = sqlite3_step(st); src == SQLITE_ROW; src = sqlite3_step(st)) {
        bool more;

        t = store_util_doc_to_ticket(col_text(st, 0), col_text(st, 1), e);
        if (t == NULL) {
            rc = HL_EIO;
            goto out;
        }
        more = fn(t, arg);
        ticket_free(&t);
        if (!more)
            goto out;
    }
    if (src != SQLITE_DONE)
        rc = db_fail(c, src, "scanning tickets", e);
out:
    done(c, st);
    qb_fini(&b);
    return rc;
}

/* Distinct callers with tickets of this category and location in [since, until). */
static int
sq_cluster_callers(struct store *s, const char *category, const char *location, hl_time since,
                   hl_time until, int *count, struct err *e)
{
    struct conn *c = conn_get(s, e);
    sqlite3_stmt *st;
    int rc;

    *count = 0;
    if (c == NULL)
        return HL_EIO;
    st = prep(c, "SELECT count(DISTINCT caller_phone) FROM tickets WHERE category = ?1 "
              "AND location = ?2 AND created_at >= ?3 AND created_at < ?4 "
              "AND caller_phone IS NOT NULL", e);
    if (st == NULL)
        return HL_EIO;
    bind_text(st, 1, category != NULL ? category : "");
    bind_text(st, 2, location != NULL ? location : "");
    bind_int(st, 3, since);
    bind_int(st, 4, until);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *count = sqlite3_column_int(st, 0);
        rc = HL_OK;
    } else {
        rc = db_fail(c, rc, "counting callers", e);
    }
    done(c, st);
    return rc;
}

/* Recompute the flags of open tickets; save those that changed (version + 1, feed row). */
static int
sq_ticket_reflag(struct store *s, unsigned (*fn)(const struct ticket *t, void *arg),
                 void *arg, int *changed, int64_t *seq, struct err *e)
{
    struct conn *c = conn_get(s, e);
    struct ticket **todo = NULL;
    size_t n = 0, cap = 0, i;
    sqlite3_stmt *st = NULL;
    int rc = HL_OK, src;

    if (changed != NULL)
        *changed = 0;
    if (seq != NULL)
        *seq = 0;
    if (c == NULL)
        return HL_EIO;
    if (tx_begin(c, e) != HL_OK)
        return HL_EIO;
    st = prep(c, "SELECT doc, id FROM tickets WHERE status IN ('accepted', 'dispatched', "
              "'in_progress', 'returned', 'replied', 'callback') ORDER BY rid", e);
    if (st == NULL) {
        rc = HL_EIO;
        goto out;
    }
    for (src = sqlite3_step(st); src == SQLITE_ROW; src = sqlite3_step(st)) {
        struct ticket *t = store_util_doc_to_ticket(col_text(st, 0), col_text(st, 1), e);
        unsigned nf;

        if (t == NULL) {
            rc = HL_EIO;
            goto out;
        }
        nf = fn(t, arg);
        if (nf == t->flags) {
            ticket_free(&t);
            continue;
        }
        t->flags = nf;
        t->version++;
        if (n == cap) {
            cap = cap == 0 ? 16 : cap * 2;
            todo = xrealloc(todo, cap * sizeof *todo);
        }
        todo[n++] = t;
    }
    if (src != SQLITE_DONE) {
        rc = db_fail(c, src, "scanning open tickets", e);
        goto out;
    }
    done(c, st);
    st = NULL;
    for (i = 0; i < n && rc == HL_OK; i++)
        rc = save_ticket(c, s, todo[i], "reflag", 0, seq, e);
out:
    done(c, st);
    rc = tx_end(c, rc, e);
    if (rc == HL_OK && changed != NULL)
        *changed = (int)n;
    if (rc != HL_OK && seq != NULL)
        *seq = 0;
    for (i = 0; i < n; i++)
        ticket_free(&todo[i]);
    free(todo);
    return rc;
}

/* ---- knowledge base ---- */

/* Take the next number of a named counter (inside a write transaction). */
static int
next_counter(struct conn *c, const char *name, int64_t *n, struct err *e)
{
    sqlite3_stmt *st = prep(c, "INSERT INTO counters(name, last) VALUES (?1, 1) "
                            "ON CONFLICT(name) DO UPDATE SET last = last + 1 RETURNING last", e);
    int rc;

    if (st == NULL)
        return HL_EIO;
    bind_text(st, 1, name);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        db_fail(c, rc, "numbering the article", e);
        done(c, st);
        return HL_EIO;
    }
    *n = sqlite3_column_int64(st, 0);
    done(c, st);
    return HL_OK;
}

/* Version and created_at of a stored article; HL_ENOENT when new. */
static int
article_meta(struct conn *c, const char *id, int64_t *version, hl_time *created,
             struct err *e)
{
    sqlite3_stmt *st = prep(c, "SELECT version, created_at FROM articles WHERE id = ?1", e);
    int rc;

    if (st == NULL)
        return HL_EIO;
    bind_text(st, 1, id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *version = sqlite3_column_int64(st, 0);
        *created = sqlite3_column_int64(st, 1);
        rc = HL_OK;
    } else if (rc == SQLITE_DONE) {
        rc = HL_ENOENT;
    } else {
        rc = db_fail(c, rc, "reading an article", e);
    }
    done(c, st);
    return rc;
}

/* A free "KB-NNNN" id (inside the write transaction). Owned via *id. */
static int
new_article_id(struct conn *c, char **id, struct err *e)
{
    int64_t n = 0, v;
    hl_time t;
    int rc;

    *id = NULL;
    for (;;) {
        rc = next_counter(c, "kb", &n, e);
        if (rc != HL_OK)
            return rc;
        *id = xasprintf("KB-%04lld", (long long)n);
        rc = article_meta(c, *id, &v, &t, e);
        if (rc == HL_ENOENT)
            return HL_OK;
        free(*id);
        *id = NULL;
        if (rc != HL_OK)
            return rc;
    }
}

/* Insert or replace an article by id and keep the search index in step (triggers). */
static int
sq_article_put(struct store *s, const struct article *in, struct article **out, struct err *e)
{
    struct conn *c = conn_get(s, e);
    struct article a;
    char *id = NULL, *doc = NULL;
    int64_t version = 0;
    hl_time created = 0;
    sqlite3_stmt *st;
    int rc;

    if (out != NULL)
        *out = NULL;
    if (c == NULL)
        return HL_EIO;
    if (tx_begin(c, e) != HL_OK)
        return HL_EIO;
    if (str_empty(in->id))
        rc = new_article_id(c, &id, e);
    else {
        id = xstrdup(in->id);
        rc = HL_OK;
    }
    if (rc == HL_OK) {
        rc = article_meta(c, id, &version, &created, e);
        if (rc == HL_ENOENT) {
            version = 0;
            created = 0;
            rc = HL_OK;
        }
    }
    if (rc != HL_OK)
        goto out;
    a = *in;                     /* shallow: borrows in's strings */
    a.id = id;
    a.version = version + 1;
    a.snippet = NULL;
    if (a.created_at == 0)
        a.created_at = created != 0 ? created : now();
    if (a.updated_at == 0)
        a.updated_at = version > 0 ? now() : a.created_at;
    doc = codec_article_encode(&a, s->tz);
    st = prep(c, "INSERT INTO articles(id, version, doc, title, body, status, kind, scope, "
              "category, region, valid_from, valid_to, pinned, created_at, updated_at) "
              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15) "
              "ON CONFLICT(id) DO UPDATE SET version = excluded.version, doc = excluded.doc, "
              "title = excluded.title, body = excluded.body, status = excluded.status, "
              "kind = excluded.kind, scope = excluded.scope, category = excluded.category, "
              "region = excluded.region, valid_from = excluded.valid_from, "
              "valid_to = excluded.valid_to, pinned = excluded.pinned, "
              "created_at = excluded.created_at, updated_at = excluded.updated_at", e);
    if (st == NULL) {
        rc = HL_EIO;
        goto out;
    }
    bind_text(st, 1, a.id);
    bind_int(st, 2, a.version);
    bind_text(st, 3, doc);
    bind_text(st, 4, a.title != NULL ? a.title : "");
    bind_text(st, 5, a.body != NULL ? a.body : "");
    bind_text(st, 6, kb_status_str(a.status));
    bind_text(st, 7, kb_kind_str(a.kind));
    bind_text(st, 8, kb_scope_str(a.scope));
    bind_text(st, 9, a.category);
    bind_text(st, 10, a.region);
    bind_int(st, 11, a.valid_from);
    bind_int(st, 12, a.valid_to);
    bind_int(st, 13, a.kind == KB_NOTICE);
    bind_int(st, 14, a.created_at);
    bind_int(st, 15, a.updated_at);
    rc = step_done(c, st, "saving the article", e);
    done(c, st);
    if (rc == HL_OK && out != NULL) {
        *out = store_util_doc_to_article(doc, id, e);
        if (*out == NULL)
            rc = HL_EIO;
    }
out:
    rc = tx_end(c, rc, e);
    if (rc != HL_OK && out != NULL)
        article_free(out);
    free(doc);
    free(id);
    return rc;
}

/* Load an article. */
static int
sq_article_get(struct store *s, const char *id, struct article **out, struct err *e)
{
    struct conn *c = conn_get(s, e);
    sqlite3_stmt *st;
    int rc;

    *out = NULL;
    if (c == NULL)
        return HL_EIO;
    st = prep(c, "SELECT doc FROM articles WHERE id = ?1", e);
    if (st == NULL)
        return HL_EIO;
    bind_text(st, 1, id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out = store_util_doc_to_article(col_text(st, 0), id, e);
        rc = *out != NULL ? HL_OK : HL_EIO;
    } else if (rc == SQLITE_DONE) {
        rc = err_set(e, HL_ENOENT, "id", "no article %s", id);
    } else {
        rc = db_fail(c, rc, "reading an article", e);
    }
    done(c, st);
    return rc;
}

/* Append the article filters other than q. */
static void
article_where(struct qb *b, const struct article_query *q)
{
    if (q->kind >= 0) {
        qb_sql(b, " AND a.kind = ");
        qb_text(b, q->kind < KB_KIND_COUNT ? kb_kind_str((enum kb_kind)q->kind) : "");
    }
    if (q->scope >= 0) {
        qb_sql(b, " AND a.scope = ");
        qb_text(b, q->scope < KB_SCOPE_COUNT ? kb_scope_str((enum kb_scope)q->scope) : "");
    }
    if (!str_empty(q->category))
        qb_code(b, "a.category", q->category);
    if (!str_empty(q->region)) {
        qb_sql(b, " AND a.region = ");
        qb_text(b, q->region);
    }
    if (q->published_only) {
        qb_sql(b, " AND a.status = 'published' AND a.valid_from <= ");
        qb_int(b, q->today);
        qb_sql(b, " AND a.valid_to >= ");
        qb_int(b, q->today);
    }
}

/* Decode an offset cursor of the article search. */
static int
article_cursor(const char *cursor, int64_t *offset, struct err *e)
{
    char *id = NULL;
    int rc;

    *offset = 0;
    if (str_empty(cursor))
        return HL_OK;
    rc = store_util_cursor_parse(cursor, 'k', offset, &id, e);
    free(id);
    if (rc == HL_OK && (*offset < 0 || *offset > STORE_OFFSET_MAX))
        rc = err_set(e, HL_EINVAL, "cursor", "the cursor is out of range: start from the "
                     "first page");
    return rc;
}

/* Build the ranked search query of q into b (LIMIT limit + 1 OFFSET *offset); *text
 * gets the trimmed query (owned, NULL when none). The inner query ranks on keys only;
 * the outer one reads the documents of the page. */
static int
article_search_sql(const struct article_query *q, int limit, struct qb *b, char **text,
                   int64_t *offset, struct err *e)
{
    char *pat, *phrase;
    int kp, kq;

    *text = NULL;
    if (article_cursor(q->cursor, offset, e) != HL_OK)
        return HL_EINVAL;
    *text = store_util_trim_query(q->q);
    if (*text == NULL) {
        qb_sql(b, "SELECT d.doc, d.id FROM (SELECT a.rid, a.pinned AS k1, 0 AS k2, "
               "a.updated_at AS up, a.id FROM articles a WHERE 1");
        article_where(b, q);
        qb_sql(b, " ORDER BY a.pinned DESC, a.updated_at DESC, a.id DESC");
    } else if (store_util_use_trigrams(*text)) {
        /* Title hits first, then bm25 with titles weighing 10 times the body. */
        pat = store_util_like_pattern(*text);
        phrase = fts_phrase(*text);
        kp = qb_param(b, true, 0, pat);
        strbuf_addf(&b->sql, "SELECT d.doc, d.id FROM (SELECT a.rid, "
                    "a.title LIKE ?%d ESCAPE '\\' AS k1, bm25(kb_fts, 10.0, 1.0) AS k2, "
                    "a.updated_at AS up, a.id FROM kb_fts JOIN articles a "
                    "ON a.rid = kb_fts.rowid WHERE kb_fts MATCH ", kp);
        qb_text(b, phrase);
        article_where(b, q);
        qb_sql(b, " ORDER BY k1 DESC, k2, up DESC, a.id DESC");
        free(pat);
        free(phrase);
    } else if (store_util_has_ascii_letter(*text)) {
        /* One or two characters with a Latin letter: LIKE folds ASCII case. */
        pat = store_util_like_pattern(*text);
        kp = qb_param(b, true, 0, pat);
        kq = qb_param(b, true, 0, *text);
        strbuf_addf(&b->sql, "SELECT d.doc, d.id FROM (SELECT a.rid, "
                    "a.title LIKE ?%d ESCAPE '\\' AS k1, "
                    "CASE WHEN a.title LIKE ?%d ESCAPE '\\' THEN instr(lower(a.title), lower(?%d)) "
                    "ELSE instr(lower(a.body), lower(?%d)) END AS k2, a.updated_at AS up, a.id "
                    "FROM articles a WHERE (a.title LIKE ?%d ESCAPE '\\' "
                    "OR a.body LIKE ?%d ESCAPE '\\')", kp, kp, kq, kq, kp, kp);
        article_where(b, q);
        qb_sql(b, " ORDER BY k1 DESC, k2, up DESC, a.id DESC");
        free(pat);
    } else {
        /* One or two characters (CJK, digits, marks): a substring scan with instr. */
        kq = qb_param(b, true, 0, *text);
        strbuf_addf(&b->sql, "SELECT d.doc, d.id FROM (SELECT a.rid, "
                    "instr(a.title, ?%d) > 0 AS k1, "
                    "CASE WHEN instr(a.title, ?%d) > 0 THEN instr(a.title, ?%d) "
                    "ELSE instr(a.body, ?%d) END AS k2, a.updated_at AS up, a.id "
                    "FROM articles a WHERE (instr(a.title, ?%d) > 0 OR instr(a.body, ?%d) > 0)",
                    kq, kq, kq, kq, kq, kq);
        article_where(b, q);
        qb_sql(b, " ORDER BY k1 DESC, k2, up DESC, a.id DESC");
    }
    qb_sql(b, " LIMIT ");
    qb_int(b, limit + 1);
    qb_sql(b, " OFFSET ");
    qb_int(b, *offset);
    qb_sql(b, ") AS h JOIN articles d ON d.rid = h.rid ORDER BY h.k1 DESC, h.k2, h.up DESC, "
           "h.id DESC");
    return HL_OK;
}

/* Ranked knowledge-base search. */
static int
sq_article_search(struct store *s, const struct article_query *q, struct article_page *out,
                  struct err *e)
{
    struct conn *c = conn_get(s, e);
    int limit = store_util_clamp_limit(q->limit);
    char *text = NULL;
    int64_t offset = 0;
    sqlite3_stmt *st = NULL;
    struct qb b;
    int rc, src;

    memset(out, 0, sizeof *out);
    qb_init(&b);
    if (c == NULL)
        return HL_EIO;
    rc = article_search_sql(q, limit, &b, &text, &offset, e);
    if (rc != HL_OK)
        goto out;
    st = prep(c, b.sql.buf, e);
    if (st == NULL) {
        rc = HL_EIO;
        goto out;
    }
    qb_bind(&b, st);
    out->items = xcalloc((size_t)limit, sizeof *out->items);
    for (src = sqlite3_step(st); src == SQLITE_ROW; src = sqlite3_step(st)) {
        struct article *a;

        if (out->n == (size_t)limit) {
            out->next_cursor = store_util_cursor_make('k', offset + limit, "");
            break;
        }
        a = store_util_doc_to_article(col_text(st, 0), col_text(st, 1), e);
        if (a == NULL) {
            rc = HL_EIO;
            goto out;
        }
        free(a->snippet);
        a->snippet = store_util_article_snippet(a, text);
        out->items[out->n++] = *a;
        free(a);
    }
    if (src != SQLITE_ROW && src != SQLITE_DONE)
        rc = db_fail(c, src, "searching the knowledge base", e);
out:
    done(c, st);
    if (rc != HL_OK)
        article_page_fini(out);
    qb_fini(&b);
    free(text);
    return rc;
}

/* Call fn for every article in id order. */
static int
sq_article_scan(struct store *s, bool (*fn)(const struct article *a, void *arg), void *arg,
                struct err *e)
{
    struct conn *c = conn_get(s, e);
    sqlite3_stmt *st;
    int rc = HL_OK, src;

    if (c == NULL)
        return HL_EIO;
    st = prep(c, "SELECT doc, id FROM articles ORDER BY id", e);
    if (st == NULL)
        return HL_EIO;
    for (src = sqlite3_step(st); src == SQLITE_ROW; src = sqlite3_step(st)) {
        struct article *a = store_util_doc_to_article(col_text(st, 0), col_text(st, 1), e);
        bool more;

        if (a == NULL) {
            rc = HL_EIO;
            goto out;
        }
        more = fn(a, arg);
        article_free(&a);
        if (!more)
            goto out;
    }
    if (src != SQLITE_DONE)
        rc = db_fail(c, src, "reading articles", e);
out:
    done(c, st);
    return rc;
}

/* ---- units ---- */

/* Add a unit; HL_ECONFLICT when the code exists. */
static int
sq_unit_add(struct store *s, const char *code, const char *name, struct err *e)
{
    struct conn *c = conn_get(s, e);
    sqlite3_stmt *st;
    int rc;

    if (c == NULL)
        return HL_EIO;
    if (str_empty(code) || name == NULL)
        return err_set(e, HL_EINVAL, str_empty(code) ? "code" : "name",
                       "a unit needs a code and a name");
    if (tx_begin(c, e) != HL_OK)
        return HL_EIO;
    st = prep(c, "INSERT INTO units(code, name) VALUES (?1, ?2)", e);
    if (st == NULL) {
        tx_rollback(c);
        return HL_EIO;
    }
    bind_text(st, 1, code);
    bind_text(st, 2, name);
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE)
        rc = HL_OK;
    else if (is_constraint(rc))
        rc = err_set(e, HL_ECONFLICT, "code", "unit %s already exists", code);
    else
        rc = db_fail(c, rc, "adding a unit", e);
    done(c, st);
    return tx_end(c, rc, e);
}

/* Every unit, by code. */
static int
sq_unit_list(struct store *s, struct unit **out, size_t *n, struct err *e)
{
    struct conn *c = conn_get(s, e);
    sqlite3_stmt *st;
    size_t cap = 0;
    int rc = HL_OK, src;

    *out = NULL;
    *n = 0;
    if (c == NULL)
        return HL_EIO;
    st = prep(c, "SELECT code, name FROM units ORDER BY code", e);
    if (st == NULL)
        return HL_EIO;
    for (src = sqlite3_step(st); src == SQLITE_ROW; src = sqlite3_step(st)) {
        if (*n == cap) {
            cap = cap == 0 ? 16 : cap * 2;
            *out = xrealloc(*out, cap * sizeof **out);
        }
        (*out)[*n].code = col_dup(st, 0);
        (*out)[*n].name = col_dup(st, 1);
        (*n)++;
    }
    if (src != SQLITE_DONE) {
        size_t i;

        rc = db_fail(c, src, "listing units", e);
        for (i = 0; i < *n; i++)
            unit_fini(&(*out)[i]);
        free(*out);
        *out = NULL;
        *n = 0;
    }
    done(c, st);
    return rc;
}

/* One unit. */
static int
sq_unit_get(struct store *s, const char *code, struct unit *out, struct err *e)
{
    struct conn *c = conn_get(s, e);
    sqlite3_stmt *st;
    int rc;

    memset(out, 0, sizeof *out);
    if (c == NULL)
        return HL_EIO;
    st = prep(c, "SELECT code, name FROM units WHERE code = ?1", e);
    if (st == NULL)
        return HL_EIO;
    bind_text(st, 1, code);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->code = col_dup(st, 0);
        out->name = col_dup(st, 1);
        rc = HL_OK;
    } else if (rc == SQLITE_DONE) {
        rc = err_set(e, HL_ENOENT, "unit", "no unit %s", code);
    } else {
        rc = db_fail(c, rc, "reading a unit", e);
    }
    done(c, st);
    return rc;
}

/* ---- users and sessions ---- */

/* Add a user; HL_ECONFLICT when the id exists, HL_EINVAL for an unknown unit. */
static int
sq_user_add(struct store *s, const struct user *u, const char *pw_hash, struct err *e)
{
    struct conn *c = conn_get(s, e);
    sqlite3_stmt *st;
    int rc, xrc;

    if (c == NULL)
        return HL_EIO;
    if (str_empty(u->id) || u->name == NULL || pw_hash == NULL)
        return err_set(e, HL_EINVAL, str_empty(u->id) ? "id" : "name",
                       "a user needs an id, a name and a password hash");
    if (tx_begin(c, e) != HL_OK)
        return HL_EIO;
    st = prep(c, "INSERT INTO users(id, name, role, unit, pw_hash, disabled, created_at) "
              "VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6)", e);
    if (st == NULL) {
        tx_rollback(c);
        return HL_EIO;
    }
    bind_text(st, 1, u->id);
    bind_text(st, 2, u->name);
    bind_text(st, 3, user_role_str(u->role));
    bind_text(st, 4, str_empty(u->unit) ? NULL : u->unit);
    bind_text(st, 5, pw_hash);
    bind_int(st, 6, now());
    rc = sqlite3_step(st);
    xrc = sqlite3_extended_errcode(c->db);
    if (rc == SQLITE_DONE)
        rc = HL_OK;
    else if (xrc == SQLITE_CONSTRAINT_FOREIGNKEY)
        rc = err_set(e, HL_EINVAL, "unit", "unknown unit %s: add the unit first", u->unit);
    else if (is_constraint(rc))
        rc = err_set(e, HL_ECONFLICT, "id", "user %s already exists", u->id);
    else
        rc = db_fail(c, rc, "adding a user", e);
    done(c, st);
    return tx_end(c, rc, e);
}

/* Fill a user row from columns id, name, role, unit, pw_hash, disabled, created_at. */
static void
read_user_row(sqlite3_stmt *st, struct user_row *out)
{
    enum user_role role = USER_AGENT;

    memset(out, 0, sizeof *out);
    out->user.id = col_dup(st, 0);
    out->user.name = col_dup(st, 1);
    if (col_text(st, 2) != NULL)
        user_role_parse(col_text(st, 2), &role);
    out->user.role = role;
    out->user.unit = col_dup(st, 3);
    out->pw_hash = col_dup(st, 4);
    out->disabled = sqlite3_column_int(st, 5) != 0;
    out->created_at = sqlite3_column_int64(st, 6);
}

/* One user. */
static int
sq_user_get(struct store *s, const char *id, struct user_row *out, struct err *e)
{
    struct conn *c = conn_get(s, e);
    sqlite3_stmt *st;
    int rc;

    memset(out, 0, sizeof *out);
    if (c == NULL)
        return HL_EIO;
    st = prep(c, "SELECT id, name, role, unit, pw_hash, disabled, created_at FROM users "
              "WHERE id = ?1", e);
    if (st == NULL)
        return HL_EIO;
    bind_text(st, 1, id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        read_user_row(st, out);
        rc = HL_OK;
    } else if (rc == SQLITE_DONE) {
        rc = err_set(e, HL_ENOENT, "user", "no user %s", id);
    } else {
        rc = db_fail(c, rc, "reading a user", e);
    }
    done(c, st);
    return rc;
}

/* Every user, by id. */
static int
sq_user_list(struct store *s, struct user_row **out, size_t *n, struct err *e)
{
    struct conn *c = conn_get(s, e);
    sqlite3_stmt *st;
    size_t cap = 0, i;
    int rc = HL_OK, src;

    *out = NULL;
    *n = 0;
    if (c == NULL)
        return HL_EIO;
    st = prep(c, "SELECT id, name, role, unit, pw_hash, disabled, created_at FROM users "
              "ORDER BY id", e);
    if (st == NULL)
        return HL_EIO;
    for (src = sqlite3_step(st); src == SQLITE_ROW; src = sqlite3_step(st)) {
        if (*n == cap) {
            cap = cap == 0 ? 16 : cap * 2;
            *out = xrealloc(*out, cap * sizeof **out);
        }
        read_user_row(st, &(*out)[(*n)++]);
    }
    if (src != SQLITE_DONE) {
        rc = db_fail(c, src, "listing users", e);
        for (i = 0; i < *n; i++)
            user_row_fini(&(*out)[i]);
        free(*out);
        *out = NULL;
        *n = 0;
    }
    done(c, st);
    return rc;
}

/* Change one user column by sql (?1 id, ?2 value) and revoke every session, atomically. */
static int
user_change(struct store *s, const char *sql, const char *id, const char *value,
            const char *what, struct err *e)
{
    struct conn *c = conn_get(s, e);
    sqlite3_stmt *st;
    int rc;

    if (c == NULL)
        return HL_EIO;
    if (tx_begin(c, e) != HL_OK)
        return HL_EIO;
    st = prep(c, sql, e);
    if (st == NULL) {
        tx_rollback(c);
        return HL_EIO;
    }
    bind_text(st, 1, id);
    if (value != NULL)
        bind_text(st, 2, value);
    rc = step_done(c, st, what, e);
    done(c, st);
    if (rc == HL_OK && sqlite3_changes(c->db) == 0)
        rc = err_set(e, HL_ENOENT, "user", "no user %s", id);
    if (rc == HL_OK) {
        st = prep(c, "DELETE FROM sessions WHERE user_id = ?1", e);
        if (st == NULL) {
            rc = HL_EIO;
        } else {
            bind_text(st, 1, id);
            rc = step_done(c, st, "revoking the user's sessions", e);
            done(c, st);
        }
    }
    return tx_end(c, rc, e);
}

/* Set a user's password hash and revoke every session. */
static int
sq_user_set_password(struct store *s, const char *id, const char *pw_hash, struct err *e)
{
    if (pw_hash == NULL)
        return err_set(e, HL_EINVAL, "password", "no password hash given");
    return user_change(s, "UPDATE users SET pw_hash = ?2 WHERE id = ?1", id, pw_hash,
                       "changing the password", e);
}

/* Disable a user and revoke every session. */
static int
sq_user_disable(struct store *s, const char *id, struct err *e)
{
    return user_change(s, "UPDATE users SET disabled = 1 WHERE id = ?1", id, NULL,
                       "disabling the user", e);
}

/* Add a session (and drop sessions that have expired). */
static int
sq_session_add(struct store *s, const char *token_hash, const char *user_id, hl_time created,
               hl_time expires, struct err *e)
{
    struct conn *c = conn_get(s, e);
    sqlite3_stmt *st;
    int rc;

    if (c == NULL)
        return HL_EIO;
    if (str_empty(token_hash))
        return err_set(e, HL_EINVAL, "token", "no token hash given");
    if (tx_begin(c, e) != HL_OK)
        return HL_EIO;
    st = prep(c, "DELETE FROM sessions WHERE expires <= ?1", e);
    if (st == NULL) {
        tx_rollback(c);
        return HL_EIO;
    }
    bind_int(st, 1, created);
    rc = step_done(c, st, "dropping expired sessions", e);
    done(c, st);
    if (rc != HL_OK)
        return tx_end(c, rc, e);
    st = prep(c, "INSERT INTO sessions(token_hash, user_id, created, expires) "
              "VALUES (?1, ?2, ?3, ?4)", e);
    if (st == NULL) {
        tx_rollback(c);
        return HL_EIO;
    }
    bind_text(st, 1, token_hash);
    bind_text(st, 2, user_id);
    bind_int(st, 3, created);
    bind_int(st, 4, expires);
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE)
        rc = HL_OK;
    else if (sqlite3_extended_errcode(c->db) == SQLITE_CONSTRAINT_FOREIGNKEY)
        rc = err_set(e, HL_ENOENT, "user", "no user %s", user_id != NULL ? user_id : "");
    else if (is_constraint(rc))
        rc = err_set(e, HL_ECONFLICT, "token", "this session token already exists");
    else
        rc = db_fail(c, rc, "saving the session", e);
    done(c, st);
    return tx_end(c, rc, e);
}

/* The user of a live session. */
static int
sq_session_get(struct store *s, const char *token_hash, hl_time now_t, struct user *out,
               hl_time *expires, struct err *e)
{
    struct conn *c = conn_get(s, e);
    sqlite3_stmt *st;
    enum user_role role = USER_AGENT;
    int rc;

    memset(out, 0, sizeof *out);
    if (c == NULL)
        return HL_EIO;
    st = prep(c, "SELECT u.id, u.name, u.role, u.unit, s.expires FROM sessions s "
              "JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?1 AND s.expires > ?2 "
              "AND u.disabled = 0", e);
    if (st == NULL)
        return HL_EIO;
    bind_text(st, 1, token_hash);
    bind_int(st, 2, now_t);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->id = col_dup(st, 0);
        out->name = col_dup(st, 1);
        if (col_text(st, 2) != NULL)
            user_role_parse(col_text(st, 2), &role);
        out->role = role;
        out->unit = col_dup(st, 3);
        if (expires != NULL)
            *expires = sqlite3_column_int64(st, 4);
        rc = HL_OK;
    } else if (rc == SQLITE_DONE) {
        rc = err_set(e, HL_ENOENT, "token", "the session has expired or was revoked: "
                     "sign in again");
    } else {
        rc = db_fail(c, rc, "reading the session", e);
    }
    done(c, st);
    return rc;
}

/* Revoke one session; HL_ENOENT when unknown. */
static int
sq_session_revoke(struct store *s, const char *token_hash, struct err *e)
{
    struct conn *c = conn_get(s, e);
    sqlite3_stmt *st;
    int rc;

    if (c == NULL)
        return HL_EIO;
    if (tx_begin(c, e) != HL_OK)
        return HL_EIO;
    st = prep(c, "DELETE FROM sessions WHERE token_hash = ?1", e);
    if (st == NULL) {
        tx_rollback(c);
        return HL_EIO;
    }
    bind_text(st, 1, token_hash);
    rc = step_done(c, st, "revoking the session", e);
    done(c, st);
    if (rc == HL_OK && sqlite3_changes(c->db) == 0)
        rc = err_set(e, HL_ENOENT, "token", "no such session");
    return tx_end(c, rc, e);
}

/* ---- audit ---- */

/* Append an audit row. */
static int
sq_audit_add(struct store *s, const char *user_id, const char *ticket_id, const char *what,
             hl_time at, struct err *e)
{
    struct conn *c = conn_get(s, e);
    sqlite3_stmt *st;
    int rc;

    if (c == NULL)
        return HL_EIO;
    if (tx_begin(c, e) != HL_OK)
        return HL_EIO;
    st = prep(c, "INSERT INTO audit(at, user_id, ticket_id, what) VALUES (?1, ?2, ?3, ?4)", e);
    if (st == NULL) {
        tx_rollback(c);
        return HL_EIO;
    }
    bind_int(st, 1, at != 0 ? at : now());
    bind_text(st, 2, user_id);
    bind_text(st, 3, ticket_id);
    bind_text(st, 4, what != NULL ? what : "");
    rc = step_done(c, st, "writing the audit log", e);
    done(c, st);
    return tx_end(c, rc, e);
}

/* Audit rows, newest first, one page. */
static int
sq_audit_list(struct store *s, const char *ticket_id, int limit, const char *cursor,
              struct audit_row **out, size_t *n, char **next_cursor, struct err *e)
{
    struct conn *c = conn_get(s, e);
    struct qb b;
    sqlite3_stmt *st = NULL;
    int64_t key = 0, last_key = 0;
    char *cur_id = NULL;
    long cur_rowid = 0;
    int64_t last_id = 0;
    size_t i;
    int rc = HL_OK, src;

    *out = NULL;
    *n = 0;
    *next_cursor = NULL;
    limit = store_util_clamp_limit(limit);
    qb_init(&b);
    if (c == NULL)
        return HL_EIO;
    if (!str_empty(cursor)) {
        rc = store_util_cursor_parse(cursor, 'a', &key, &cur_id, e);
        if (rc == HL_OK && !str_to_long(cur_id, 0, INT64_MAX, &cur_rowid))
            rc = err_set(e, HL_EINVAL, "cursor", "the cursor is not one this list gave out: "
                         "start from the first page");
        if (rc != HL_OK)
            goto out;
    }
    qb_sql(&b, "SELECT at, id, user_id, ticket_id, what FROM audit WHERE 1");
    if (ticket_id != NULL) {
        qb_sql(&b, " AND ticket_id = ");
        qb_text(&b, ticket_id);
    }
    if (cur_id != NULL) {
        qb_sql(&b, " AND (at, id) < (");
        qb_int(&b, key);
        qb_sql(&b, ", ");
        qb_int(&b, cur_rowid);
        qb_sql(&b, ")");
    }
    qb_sql(&b, " ORDER BY at DESC, id DESC LIMIT ");
    qb_int(&b, limit + 1);
    st = prep(c, b.sql.buf, e);
    if (st == NULL) {
        rc = HL_EIO;
        goto out;
    }
    qb_bind(&b, st);
    *out = xcalloc((size_t)limit, sizeof **out);
    for (src = sqlite3_step(st); src == SQLITE_ROW; src = sqlite3_step(st)) {
        struct audit_row *a;
        char idbuf[24];

        if (*n == (size_t)limit) {
            snprintf(idbuf, sizeof idbuf, "%lld", (long long)last_id);
            *next_cursor = store_util_cursor_make('a', last_key, idbuf);
            break;
        }
        a = &(*out)[(*n)++];
        a->at = sqlite3_column_int64(st, 0);
        a->user_id = col_dup(st, 2);
        a->ticket_id = col_dup(st, 3);
        a->what = col_dup(st, 4);
        last_key = a->at;
        last_id = sqlite3_column_int64(st, 1);
    }
    if (src != SQLITE_ROW && src != SQLITE_DONE)
        rc = db_fail(c, src, "reading the audit log", e);
out:
    done(c, st);
    if (rc != HL_OK) {
        for (i = 0; i < *n; i++)
            audit_row_fini(&(*out)[i]);
        free(*out);
        *out = NULL;
        *n = 0;
        free(*next_cursor);
        *next_cursor = NULL;
    }
    qb_fini(&b);
    free(cur_id);
    return rc;
}

/* ---- feed ---- */

/* The last sequence number of the feed (0 when empty). */
static int
sq_feed_last_seq(struct store *s, int64_t *seq, struct err *e)
{
    struct conn *c = conn_get(s, e);
    sqlite3_stmt *st;
    int rc;

    *seq = 0;
    if (c == NULL)
        return HL_EIO;
    st = prep(c, "SELECT coalesce(max(seq), 0) FROM feed", e);
    if (st == NULL)
        return HL_EIO;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *seq = sqlite3_column_int64(st, 0);
        rc = HL_OK;
    } else {
        rc = db_fail(c, rc, "reading the change feed", e);
    }
    done(c, st);
    return rc;
}

/* Feed rows after since, oldest first. */
static int
sq_feed_since(struct store *s, int64_t since, int limit, struct feed_event **out, size_t *n,
              struct err *e)
{
    struct conn *c = conn_get(s, e);
    sqlite3_stmt *st;
    size_t i;
    int rc = HL_OK, src;

    *out = NULL;
    *n = 0;
    if (c == NULL)
        return HL_EIO;
    if (limit <= 0)
        limit = STORE_LIMIT_MAX;
    if (limit > MAX_FEED_LIMIT)
        limit = MAX_FEED_LIMIT;
    st = prep(c, "SELECT seq, type, ticket_id, action, agent, phone, unit, at FROM feed "
              "WHERE seq > ?1 ORDER BY seq LIMIT ?2", e);
    if (st == NULL)
        return HL_EIO;
    bind_int(st, 1, since);
    bind_int(st, 2, limit);
    *out = xcalloc((size_t)limit, sizeof **out);
    for (src = sqlite3_step(st); src == SQLITE_ROW; src = sqlite3_step(st)) {
        struct feed_event *ev = &(*out)[(*n)++];

        ev->seq = sqlite3_column_int64(st, 0);
        ev->type = col_dup(st, 1);
        ev->ticket_id = col_dup(st, 2);
        ev->action = col_dup(st, 3);
        ev->agent = col_dup(st, 4);
        ev->phone = col_dup(st, 5);
        ev->unit = col_dup(st, 6);
        ev->at = sqlite3_column_int64(st, 7);
    }
    if (src != SQLITE_DONE) {
        rc = db_fail(c, src, "reading the change feed", e);
        for (i = 0; i < *n; i++)
            feed_event_fini(&(*out)[i]);
        free(*out);
        *out = NULL;
        *n = 0;
    }
    done(c, st);
    return rc;
}

/* Append a feed row outside a ticket change. */
static int
sq_feed_add(struct store *s, const struct feed_event *ev, int64_t *seq, struct err *e)
{
    struct conn *c = conn_get(s, e);
    int rc;

    if (seq != NULL)
        *seq = 0;
    if (c == NULL)
        return HL_EIO;
    if (str_empty(ev->type))
        return err_set(e, HL_EINVAL, "type", "a feed event needs a type");
    if (tx_begin(c, e) != HL_OK)
        return HL_EIO;
    rc = feed_insert(c, ev->type, ev->ticket_id, ev->action, ev->agent, ev->phone, ev->unit,
                     ev->at, seq, e);
    rc = tx_end(c, rc, e);
    if (rc != HL_OK && seq != NULL)
        *seq = 0;
    return rc;
}

/* ---- phone system ---- */

/* Fold one call event into its call record. */
static int
sq_call_event_add(struct store *s, const struct call_event *ev, struct err *e)
{
    static const char *const sql[CALL_EVENT_COUNT] = {
        [CALL_NEW] =
            "INSERT INTO calls(call_id, caller, queue, agent, offered_at) "
            "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(call_id) DO UPDATE SET "
            "offered_at = min(offered_at, excluded.offered_at), "
            "caller = coalesce(excluded.caller, caller), queue = coalesce(excluded.queue, queue), "
            "agent = coalesce(agent, excluded.agent)",
        [CALL_ANSWER] =
            "INSERT INTO calls(call_id, caller, queue, agent, offered_at, answered_at) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?5) ON CONFLICT(call_id) DO UPDATE SET "
            "answered_at = excluded.answered_at, agent = coalesce(excluded.agent, agent), "
            "caller = coalesce(caller, excluded.caller), queue = coalesce(queue, excluded.queue)",
        [CALL_HANGUP] =
            "INSERT INTO calls(call_id, caller, queue, agent, offered_at, ended_at) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?5) ON CONFLICT(call_id) DO UPDATE SET "
            "ended_at = excluded.ended_at, agent = coalesce(agent, excluded.agent), "
            "caller = coalesce(caller, excluded.caller), queue = coalesce(queue, excluded.queue)",
    };
    struct conn *c = conn_get(s, e);
    sqlite3_stmt *st;
    int rc;

    if (c == NULL)
        return HL_EIO;
    if (str_empty(ev->call_id) || (unsigned)ev->type >= CALL_EVENT_COUNT)
        return err_set(e, HL_EINVAL, str_empty(ev->call_id) ? "call_id" : "type",
                       "a call event needs a call id and a known type");
    if (tx_begin(c, e) != HL_OK)
        return HL_EIO;
    st = prep(c, sql[ev->type], e);
    if (st == NULL) {
        tx_rollback(c);
        return HL_EIO;
    }
    bind_text(st, 1, ev->call_id);
    bind_text(st, 2, ev->caller);
    bind_text(st, 3, ev->queue);
    bind_text(st, 4, ev->agent);
    bind_int(st, 5, ev->at);
    rc = step_done(c, st, "recording the call event", e);
    done(c, st);
    return tx_end(c, rc, e);
}

/* Insert or replace call records by call id, in one transaction. */
static int
sq_call_records_add(struct store *s, const struct call_record *recs, size_t n, int *added,
                    struct err *e)
{
    struct conn *c = conn_get(s, e);
    sqlite3_stmt *st;
    size_t i;
    int rc = HL_OK;

    if (added != NULL)
        *added = 0;
    if (c == NULL)
        return HL_EIO;
    for (i = 0; i < n; i++)
        if (str_empty(recs[i].call_id))
            return err_set(e, HL_EINVAL, "call_id", "call record %zu has no call id", i + 1);
    if (tx_begin(c, e) != HL_OK)
        return HL_EIO;
    st = prep(c, "INSERT INTO calls(call_id, caller, queue, agent, offered_at, answered_at, "
              "ended_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(call_id) DO UPDATE "
              "SET caller = excluded.caller, queue = excluded.queue, agent = excluded.agent, "
              "offered_at = excluded.offered_at, answered_at = excluded.answered_at, "
              "ended_at = excluded.ended_at", e);
    if (st == NULL) {
        tx_rollback(c);
        return HL_EIO;
    }
    for (i = 0; i < n && rc == HL_OK; i++) {
        bind_text(st, 1, recs[i].call_id);
        bind_text(st, 2, recs[i].caller);
        bind_text(st, 3, recs[i].queue);
        bind_text(st, 4, recs[i].agent);
        bind_int(st, 5, recs[i].offered_at);
        bind_time_or_null(st, 6, recs[i].answered_at);
        bind_time_or_null(st, 7, recs[i].ended_at);
        rc = step_done(c, st, "saving call records", e);
        sqlite3_reset(st);
    }
    done(c, st);
    rc = tx_end(c, rc, e);
    if (rc == HL_OK && added != NULL)
        *added = (int)n;
    return rc;
}

/* Call counts over [from, to), for one agent or all. */
static int
sq_call_counts(struct store *s, hl_time from, hl_time to, const char *agent, int64_t *offered,
               int64_t *answered, int64_t *answered_15s, int64_t *wait_total, struct err *e)
{
#define CALL_COUNT_COLS \
    "SELECT count(*), count(answered_at), " \
    "coalesce(sum(answered_at IS NOT NULL AND answered_at - offered_at <= 15), 0), " \
    "coalesce(sum(CASE WHEN answered_at IS NOT NULL THEN answered_at - offered_at END), 0) " \
    "FROM calls WHERE offered_at >= ?1 AND offered_at < ?2"
    struct conn *c = conn_get(s, e);
    sqlite3_stmt *st;
    int rc;

    *offered = *answered = *answered_15s = *wait_total = 0;
    if (c == NULL)
        return HL_EIO;
    st = prep(c, agent != NULL ? CALL_COUNT_COLS " AND agent = ?3" : CALL_COUNT_COLS, e);
#undef CALL_COUNT_COLS
    if (st == NULL)
        return HL_EIO;
    bind_int(st, 1, from);
    bind_int(st, 2, to);
    if (agent != NULL)
        bind_text(st, 3, agent);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *offered = sqlite3_column_int64(st, 0);
        *answered = sqlite3_column_int64(st, 1);
        *answered_15s = sqlite3_column_int64(st, 2);
        *wait_total = sqlite3_column_int64(st, 3);
        rc = HL_OK;
    } else {
        rc = db_fail(c, rc, "counting calls", e);
    }
    done(c, st);
    return rc;
}

/* ---- check ---- */

/* PRAGMA integrity_check and foreign_key_check. */
static int
check_pragmas(struct conn *c, struct strbuf *r, int *total, struct err *e)
{
    sqlite3_stmt *st;
    int section = 0, rows = 0, src;

    st = prep(c, "PRAGMA integrity_check", e);
    if (st == NULL)
        return HL_EIO;
    for (src = sqlite3_step(st); src == SQLITE_ROW; src = sqlite3_step(st)) {
        const char *msg = col_text(st, 0);

        if (msg != NULL && strcmp(msg, "ok") == 0)
            continue;
        store_util_problem(r, &section, total, "integrity_check: %s", msg != NULL ? msg : "?");
    }
    done(c, st);
    if (src != SQLITE_DONE)
        store_util_problem(r, &section, total, "integrity_check failed: %s", sqlite3_errstr(src));
    strbuf_addf(r, "integrity_check: %s\n", section == 0 ? "ok" : "FAILED");
    section = 0;
    st = prep(c, "PRAGMA foreign_key_check", e);
    if (st == NULL)
        return HL_EIO;
    for (src = sqlite3_step(st); src == SQLITE_ROW; src = sqlite3_step(st)) {
        rows++;
        store_util_problem(r, &section, total, "foreign key: row %lld of %s points to a "
                "missing row of %s", (long long)sqlite3_column_int64(st, 1),
                col_text(st, 0) != NULL ? col_text(st, 0) : "?",
                col_text(st, 2) != NULL ? col_text(st, 2) : "?");
    }
    done(c, st);
    if (src != SQLITE_DONE)
        store_util_problem(r, &section, total, "foreign_key_check failed: %s", sqlite3_errstr(src));
    strbuf_addf(r, "foreign keys: %s (%d dangling)\n", section == 0 ? "ok" : "FAILED", rows);
    return HL_OK;
}

/* Every ticket document decodes and agrees with its columns. */
static int
check_tickets(struct conn *c, struct strbuf *r, int *total, struct err *e)
{
    sqlite3_stmt *st = prep(c, "SELECT id, version, status, doc FROM tickets ORDER BY rid", e);
    int section = 0, src;
    int64_t n = 0;

    if (st == NULL)
        return HL_EIO;
    for (src = sqlite3_step(st); src == SQLITE_ROW; src = sqlite3_step(st)) {
        const char *id = col_text(st, 0) != NULL ? col_text(st, 0) : "?";
        const char *status = col_text(st, 2) != NULL ? col_text(st, 2) : "?";
        int64_t version = sqlite3_column_int64(st, 1);
        struct err pe;
        struct ticket *t;

        n++;
        err_clear(&pe);
        t = store_util_doc_to_ticket(col_text(st, 3), id, &pe);
        if (t == NULL) {
            store_util_problem(r, &section, total, "%s", pe.msg);
            continue;
        }
        if (t->id == NULL || strcmp(t->id, id) != 0)
            store_util_problem(r, &section, total, "ticket %s: the document says id %s", id,
                    t->id != NULL ? t->id : "(none)");
        if (t->version != version)
            store_util_problem(r, &section, total, "ticket %s: the document says version %lld, the "
                    "column %lld", id, (long long)t->version, (long long)version);
        if (strcmp(status_str(t->status), status) != 0)
            store_util_problem(r, &section, total, "ticket %s: the document says status %s, "
                    "the column %s", id, status_str(t->status), status);
        ticket_free(&t);
    }
    done(c, st);
    if (src != SQLITE_DONE)
        store_util_problem(r, &section, total, "reading tickets failed: %s", sqlite3_errstr(src));
    strbuf_addf(r, "tickets: %lld checked, %s\n", (long long)n,
                section == 0 ? "ok" : "FAILED");
    return HL_OK;
}

/* Every article document decodes and agrees with its columns. */
static int
check_articles(struct conn *c, struct strbuf *r, int *total, struct err *e)
{
    sqlite3_stmt *st = prep(c, "SELECT id, version, doc FROM articles ORDER BY rid", e);
    int section = 0, src;
    int64_t n = 0;

    if (st == NULL)
        return HL_EIO;
    for (src = sqlite3_step(st); src == SQLITE_ROW; src = sqlite3_step(st)) {
        const char *id = col_text(st, 0) != NULL ? col_text(st, 0) : "?";
        struct err pe;
        struct article *a;

        n++;
        err_clear(&pe);
        a = store_util_doc_to_article(col_text(st, 2), id, &pe);
        if (a == NULL) {
            store_util_problem(r, &section, total, "%s", pe.msg);
            continue;
        }
        if (a->id == NULL || strcmp(a->id, id) != 0
            || a->version != sqlite3_column_int64(st, 1))
            store_util_problem(r, &section, total, "article %s: the document's id or version "
                    "differs from its columns", id);
        article_free(&a);
    }
    done(c, st);
    if (src != SQLITE_DONE)
        store_util_problem(r, &section, total, "reading articles failed: %s", sqlite3_errstr(src));
    strbuf_addf(r, "articles: %lld checked, %s\n", (long long)n,
                section == 0 ? "ok" : "FAILED");
    return HL_OK;
}

/* The search indexes: one indexed row per content row, and FTS5's own integrity-check
 * (which compares the index with the content table). */
static int
check_fts(struct conn *c, const char *content, const char *fts, struct strbuf *r, int *total,
          struct err *e)
{
    char sql[160];
    sqlite3_stmt *st;
    int64_t rows = 0, indexed = 0;
    int section = 0, src;

    snprintf(sql, sizeof sql, "SELECT (SELECT count(*) FROM %s), (SELECT count(*) FROM "
             "%s_docsize)", content, fts);
    st = prep(c, sql, e);
    if (st == NULL)
        return HL_EIO;
    src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        rows = sqlite3_column_int64(st, 0);
        indexed = sqlite3_column_int64(st, 1);
    }
    done(c, st);
    if (src != SQLITE_ROW)
        store_util_problem(r, &section, total, "counting %s failed: %s", fts, sqlite3_errstr(src));
    else if (rows != indexed)
        store_util_problem(r, &section, total, "search index %s has %lld rows for %lld in %s", fts,
                (long long)indexed, (long long)rows, content);
    snprintf(sql, sizeof sql, "INSERT INTO %s(%s) VALUES ('integrity-check')", fts, fts);
    st = prep(c, sql, e);
    if (st == NULL)
        return HL_EIO;
    src = sqlite3_step(st);
    if ((src & 0xff) == SQLITE_READONLY || (src & 0xff) == SQLITE_BUSY)
        strbuf_addf(r, "search index %s: integrity-check skipped (%s)\n", fts,
                    sqlite3_errstr(src));
    else if (src != SQLITE_DONE)
        store_util_problem(r, &section, total, "search index %s: %s", fts, sqlite3_errmsg(c->db));
    done(c, st);
    strbuf_addf(r, "search index %s: %lld rows, %s\n", fts, (long long)indexed,
                section == 0 ? "ok" : "FAILED");
    return HL_OK;
}

/* Integrity check with a human report. */
static int
sq_check(struct store *s, char **report, struct err *e)
{
    struct conn *c = conn_get(s, e);
    struct strbuf r;
    int64_t version = 0;
    int total = 0, section = 0, rc = HL_OK;

    if (c == NULL)
        return HL_EIO;
    strbuf_init(&r);
    if (report != NULL && *report != NULL)
        strbuf_adds(&r, *report);
    strbuf_addf(&r, "database: %s\n", sq(s)->path);
    if (pragma_int(c, "PRAGMA user_version", &version, e) != HL_OK) {
        rc = HL_EIO;
        goto out;
    }
    if (version != STORE_SQLITE_SCHEMA_VERSION)
        store_util_problem(&r, &section, &total, "schema version %lld, expected %d",
                (long long)version, STORE_SQLITE_SCHEMA_VERSION);
    strbuf_addf(&r, "schema version: %lld (%s)\n", (long long)version,
                section == 0 ? "current" : "WRONG");
    /* One read transaction so every section sees the same state. */
    if (tx_open(c, false, e) != HL_OK) {
        rc = HL_EIO;
        goto out;
    }
    rc = check_pragmas(c, &r, &total, e);
    if (rc == HL_OK)
        rc = check_tickets(c, &r, &total, e);
    if (rc == HL_OK)
        rc = check_articles(c, &r, &total, e);
    if (rc == HL_OK)
        rc = check_fts(c, "tickets", "ticket_fts", &r, &total, e);
    if (rc == HL_OK)
        rc = check_fts(c, "articles", "kb_fts", &r, &total, e);
    tx_rollback(c);
    if (rc != HL_OK)
        goto out;
    if (total == 0) {
        strbuf_adds(&r, "result: ok\n");
    } else {
        strbuf_addf(&r, "result: %d problem%s found\n", total, total == 1 ? "" : "s");
        rc = err_set(e, HL_EIO, "", "the database check found %d problem%s (see the report)",
                     total, total == 1 ? "" : "s");
    }
out:
    if (report != NULL) {
        free(*report);
        *report = strbuf_detach(&r);
    }
    strbuf_fini(&r);
    return rc;
}

/* ---- query plans ---- */

/* The EXPLAIN QUERY PLAN of a built query, one line per step, indented by depth. */
static int
explain(struct conn *c, const struct qb *b, char **plan, struct err *e)
{
    char *sql = xasprintf("EXPLAIN QUERY PLAN %s", b->sql.buf);
    sqlite3_stmt *st = NULL;
    struct strbuf sb;
    int64_t parents[16];
    int depth = 0, rc, src;

    strbuf_init(&sb);
    rc = sqlite3_prepare_v2(c->db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK) {
        rc = db_fail(c, rc, "explaining a query", e);
        goto out;
    }
    qb_bind(b, st);
    for (src = sqlite3_step(st); src == SQLITE_ROW; src = sqlite3_step(st)) {
        int64_t parent = sqlite3_column_int64(st, 1);
        int i;

        while (depth > 0 && parents[depth - 1] != parent)
            depth--;
        for (i = 0; i < depth; i++)
            strbuf_adds(&sb, "  ");
        strbuf_addf(&sb, "%s\n", col_text(st, 3) != NULL ? col_text(st, 3) : "");
        if (depth < (int)ARRAY_SIZE(parents))
            parents[depth++] = sqlite3_column_int64(st, 0);
    }
    rc = src == SQLITE_DONE ? HL_OK : db_fail(c, src, "explaining a query", e);
out:
    sqlite3_finalize(st);
    free(sql);
    *plan = rc == HL_OK ? strbuf_detach(&sb) : NULL;
    strbuf_fini(&sb);
    return rc;
}

/* The query plan of the page query ticket_list would run for q. */
int
store_sqlite_explain_tickets(struct store *s, const struct ticket_query *q, char **plan,
                             struct err *e)
{
    struct conn *c = conn_get(s, e);
    const struct store_ticket_order *ord;
    struct qb b;
    int rc;

    *plan = NULL;
    if (c == NULL)
        return HL_EIO;
    qb_init(&b);
    rc = ticket_list_sql(q, store_util_clamp_limit(q->limit), &b, &ord, e);
    if (rc == HL_OK)
        rc = explain(c, &b, plan, e);
    qb_fini(&b);
    return rc;
}

/* The query plan of the search article_search would run for q. */
int
store_sqlite_explain_articles(struct store *s, const struct article_query *q, char **plan,
                              struct err *e)
{
    struct conn *c = conn_get(s, e);
    char *text = NULL;
    int64_t offset = 0;
    struct qb b;
    int rc;

    *plan = NULL;
    if (c == NULL)
        return HL_EIO;
    qb_init(&b);
    rc = article_search_sql(q, store_util_clamp_limit(q->limit), &b, &text, &offset, e);
    if (rc == HL_OK)
        rc = explain(c, &b, plan, e);
    free(text);
    qb_fini(&b);
    return rc;
}

/* ---- the table ---- */

static const struct store_ops sqlite_ops = {
    .kind = "sqlite",
    .close = sq_close,
    .check = sq_check,
    .unit_add = sq_unit_add,
    .unit_list = sq_unit_list,
    .unit_get = sq_unit_get,
    .user_add = sq_user_add,
    .user_get = sq_user_get,
    .user_list = sq_user_list,
    .user_set_password = sq_user_set_password,
    .user_disable = sq_user_disable,
    .session_add = sq_session_add,
    .session_get = sq_session_get,
    .session_revoke = sq_session_revoke,
    .ticket_create = sq_ticket_create,
    .ticket_get = sq_ticket_get,
    .ticket_get_doc = sq_ticket_get_doc,
    .ticket_update = sq_ticket_update,
    .ticket_list = sq_ticket_list,
    .ticket_scan = sq_ticket_scan,
    .cluster_callers = sq_cluster_callers,
    .ticket_reflag = sq_ticket_reflag,
    .article_put = sq_article_put,
    .article_get = sq_article_get,
    .article_search = sq_article_search,
    .article_scan = sq_article_scan,
    .audit_add = sq_audit_add,
    .audit_list = sq_audit_list,
    .feed_last_seq = sq_feed_last_seq,
    .feed_since = sq_feed_since,
    .feed_add = sq_feed_add,
    .call_event_add = sq_call_event_add,
    .call_records_add = sq_call_records_add,
    .call_counts = sq_call_counts,
};
