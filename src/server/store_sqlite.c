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
#include <errno.h>
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
/* Bytes of the database file read through a memory map instead of read(): searches of the
 * knowledge base visit thousands of article rows, each read() a system call (256 MiB;
 * shared by all connections through the page cache, not held in memory). */
#define MMAP_SIZE         "268435456"
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

/* Migration 2: indexes that answer the lists and counts of 100,000 tickets from the index
 * alone: flag filters (with status, for the watch counters), "due" order with status,
 * and the call counts of GET /stats (answered_at beside offered_at). Safe to run again. */
static const char *const schema_v2[] = {
    "CREATE INDEX IF NOT EXISTS tickets_flagged_cover ON tickets(created_at, id, status, flags)"
    " WHERE flags != 0;"
    "DROP INDEX IF EXISTS tickets_flagged;"
    "DROP INDEX IF EXISTS tickets_due;"
    "CREATE INDEX tickets_due ON tickets(due_at, id, status);"
    "CREATE INDEX IF NOT EXISTS calls_offered_answered ON calls(offered_at, answered_at);"
    "DROP INDEX IF EXISTS calls_offered;"
    "CREATE INDEX IF NOT EXISTS calls_agent_answered ON calls(agent, offered_at, answered_at);"
    "DROP INDEX IF EXISTS calls_agent;",
    NULL,
};

/* The migration steps in order: step i takes the schema from version i to i + 1;
 * each is a NULL-terminated list of SQL texts run in one transaction. */
/* Migration 3: kb_gram, the gram index of the knowledge base (store_util.h): one row per
 * article and rank, rowid = rank << 32 | articles.rid, holding the hex tokens of the 1- and
 * 2-character grams first found at that rank, so a gram's matches come out in rank order
 * (contentless, no positions: about 24 MB for 50,000 articles). article_put keeps it in
 * step; built here from the existing articles (again when run again). */
static const char *const schema_v3[] = {
    "CREATE VIRTUAL TABLE IF NOT EXISTS kb_gram USING fts5(g, content='', columnsize=0,"
    " detail=none, tokenize='ascii');"
    "INSERT INTO kb_gram(kb_gram) VALUES ('delete-all');"
    "INSERT INTO kb_gram(rowid, g) SELECT (json_extract(j.value, '$[0]') << 32) | a.rid,"
    " json_extract(j.value, '$[1]') FROM articles a, json_each(hl_kb_grams(a.title, a.body)) j;",
    NULL,
};

/* The columns a ticket text search matches, in the order of hl_ticket_grams. */
#define TGRAM_COLS  "id, title, description, location, caller_phone, caller_name, caller_address"
#define TGRAM_NCOLS 7

/* Migration 4: ticket_gram, the index of 1- and 2-character ticket searches: one row per
 * ticket, rowid = tickets.rid, holding the hex tokens of every character and every pair of
 * neighbouring characters of each searched column (ASCII lowered, as LIKE compares), so
 * such a search is a gram lookup instead of a LIKE over every row (contentless, no
 * positions). The ticket writes keep it in step; built here from the existing tickets
 * (again when run again). */
static const char *const schema_v4[] = {
    "CREATE VIRTUAL TABLE IF NOT EXISTS ticket_gram USING fts5(g, content='', columnsize=0,"
    " detail=none, tokenize='ascii');"
    "INSERT INTO ticket_gram(ticket_gram) VALUES ('delete-all');"
    "INSERT INTO ticket_gram(rowid, g) SELECT rid, hl_ticket_grams(" TGRAM_COLS ") FROM tickets;",
    NULL,
};

/* The rowid from which on the tickets, in rowid order, are the newest in created order
 * (created_at, then id, both of their usual types) with none older among them: one past
 * the rowid where the two orders first part, walking both from the newest; 1 when they
 * never do. */
#define TICKET_ORDERED_FROM_SQL \
    "SELECT coalesce((SELECT r.rid + 1" \
    " FROM (SELECT rid, row_number() OVER (ORDER BY rid DESC) AS k FROM tickets) AS r" \
    " JOIN (SELECT rid, created_at, id," \
    "  row_number() OVER (ORDER BY created_at DESC, id DESC) AS k FROM tickets) AS t USING (k)" \
    " WHERE t.rid != r.rid OR typeof(t.created_at) != 'integer' OR typeof(t.id) != 'text'" \
    " ORDER BY k LIMIT 1), 1)"

/* Past the last ticket: no ticket is known to be in created order. */
#define TICKET_ORDER_BREAK "UPDATE ticket_order SET from_rid = (SELECT coalesce(max(rid), 0) + 1 FROM tickets);"

/* Migration 5: ticket_order, the certificate a text search reads its page by (text_page):
 * from_rid (TICKET_ORDERED_FROM_SQL, or larger) says the tickets from that rowid on are
 * in created order and newer than every other, so the newest matches of the search index
 * among them are the page, in rowid order. A new ticket with the largest rowid that is
 * also the newest in created order keeps it; any other insert, and a change of a
 * ticket's rowid, time or id, moves it past the last ticket (the triggers). Built here
 * from the existing tickets. Also: the search indexes' 'merge' command (sq_index_tidy)
 * merges the segments of a level from two on (FTS5 usermerge), so idle time leaves at
 * most one segment a level. */
static const char *const schema_v5[] = {
    "CREATE TABLE IF NOT EXISTS ticket_order ("
    " one INTEGER PRIMARY KEY CHECK (one = 1),"
    " from_rid INTEGER NOT NULL"
    ");"
    "INSERT OR REPLACE INTO ticket_order(one, from_rid) VALUES (1, (" TICKET_ORDERED_FROM_SQL "));"
    "DROP TRIGGER IF EXISTS tickets_order_ai;"
    "CREATE TRIGGER tickets_order_ai AFTER INSERT ON tickets"
    " WHEN typeof(new.created_at) != 'integer' OR typeof(new.id) != 'text'"
    "  OR new.rid != (SELECT max(rid) FROM tickets)"
    "  OR new.rid != (SELECT rid FROM tickets INDEXED BY tickets_created"
    "   ORDER BY created_at DESC, id DESC LIMIT 1)"
    " BEGIN " TICKET_ORDER_BREAK " END;"
    "INSERT INTO ticket_fts(ticket_fts, rank) VALUES ('usermerge', 2);"
    "INSERT INTO ticket_gram(ticket_gram, rank) VALUES ('usermerge', 2);"
    "INSERT INTO kb_fts(kb_fts, rank) VALUES ('usermerge', 2);"
    "INSERT INTO kb_gram(kb_gram, rank) VALUES ('usermerge', 2);"
    "DROP TRIGGER IF EXISTS tickets_order_au;"
    "CREATE TRIGGER tickets_order_au AFTER UPDATE OF rid, created_at, id ON tickets"
    " WHEN old.rid IS NOT new.rid OR old.created_at IS NOT new.created_at OR old.id IS NOT new.id"
    " BEGIN " TICKET_ORDER_BREAK " END;",
    NULL,
};

static const char *const *const migrations[] = {
    schema_v1,
    schema_v2,
    schema_v3,
    schema_v4,
    schema_v5,
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
    bool wlocked;               /* holds the store's write lock (an outermost write) */
    unsigned creates;           /* ticket creates, to purge idempotency keys now and then */
    /* ticket_gram writes held back to the outermost commit (tgram_write): written there
     * outside every savepoint, the writes of a group-commit batch make one FTS5 segment
     * instead of one per write (FTS5 flushes its pending terms at each savepoint) */
    struct tgram_op *gq;
    size_t gq_n, gq_cap;
    size_t *gq_mark;            /* gq_n when each open level began, by depth */
    size_t gq_mark_cap;
    struct conn *next;
};

/* One held-back ticket_gram write: add (del false) or remove the tokens of rowid rid. */
struct tgram_op {
    int64_t rid;
    size_t nth;                 /* its place in the transaction's writes */
    char *tokens;
    bool del;
};

/* One write waiting in the group-commit queue: fn runs on the leader's connection in a
 * savepoint of the leader's transaction; rc and *e are its result after the commit. */
struct gjob {
    int (*fn)(struct store *s, void *arg, struct err *e);
    void *arg;
    struct err *e;
    int rc;
    bool done;
    struct gjob *next;
};

/* The SQLite store. base comes first: a struct store * is a struct sqlite_store *. */
struct sqlite_store {
    struct store base;
    char *path;
    int open_flags;
    pthread_key_t key;
    pthread_mutex_t lock;       /* guards conns */
    struct conn *conns;
    /* In-process writers queue on wlock (woken at once) instead of polling SQLite's
     * write lock through the busy timeout (sleeps of up to 100 ms); other processes
     * still meet the busy timeout. */
    pthread_mutex_t wlock;
    /* Group commit: writes queue here; one writer (the leader) runs every queued write
     * in one transaction and one fsync, and acknowledges each after the commit. */
    pthread_mutex_t glock;
    pthread_cond_t gcond;
    struct gjob *ghead, **gtail;
    bool leading;
};

/* The SQLite store behind a store pointer. */
static struct sqlite_store *
sq(struct store *s)
{
    return (struct sqlite_store *)s;
}

/* Why the database file or its WAL cannot be written now (EROFS, EPERM for an immutable
 * file, EACCES), 0 when they can or it cannot be told: access() heeds those even for root. */
static int
db_unwritable(const struct conn *c)
{
    const char *path = c != NULL && c->owner != NULL ? c->owner->path : NULL;
    char wal[4096];

    if (path == NULL || strncmp(path, "file:", 5) == 0)
        return 0;
    if (access(path, W_OK) != 0 && (errno == EROFS || errno == EPERM || errno == EACCES))
        return errno;
    snprintf(wal, sizeof wal, "%s-wal", path);
    if (access(wal, W_OK) != 0 && (errno == EROFS || errno == EPERM || errno == EACCES))
        return errno;
    return 0;
}

/* Fill e for a failed SQLite call; what says what was being done. Returns HL_EIO. */
static int
db_fail(struct conn *c, int rc, const char *what, struct err *e)
{
    const char *msg = c != NULL && c->db != NULL ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc);
    int prim = rc & 0xff;
    int sys = prim == SQLITE_READONLY || prim == SQLITE_IOERR ? db_unwritable(c) : 0;

    if (prim == SQLITE_BUSY || prim == SQLITE_LOCKED)
        return err_set(e, HL_EIO, "", "%s: the database stayed locked for more than %d s (%s)",
                       what, BUSY_TIMEOUT_MS / 1000, msg);
    /* Read-only: SQLite's own verdict, or a write refused by the system (a read-only
     * mount, an immutable file, permissions). Reads go on; say how to get writes back. */
    if (prim == SQLITE_READONLY || (prim == SQLITE_IOERR && sys != 0))
        return err_set(e, HL_EIO, "", "%s: the database is read-only (%s): make the database, "
                       "its -wal and -shm files and their directory writable for hotlined "
                       "(mount, file attributes, permissions), then retry", what,
                       sys == EROFS ? "a read-only file system" :
                       sys == EPERM ? "a file is immutable: chattr -i" :
                       sys == EACCES ? "permission denied" : msg);
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
    for (i = 0; i < c->gq_n; i++)
        free(c->gq[i].tokens);
    free(c->gq);
    free(c->gq_mark);
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

/* SQL function hl_kb_grams(title, body): the gram index rows of an article (store_util.h)
 * as JSON [[rank, "tokens"], ...], for the migration that builds kb_gram. */
static void
kb_grams_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    struct store_gram_row *rows;
    struct strbuf sb;
    size_t n, i;

    (void)argc;
    n = store_util_gram_rows((const char *)sqlite3_value_text(argv[0]),
                             (const char *)sqlite3_value_text(argv[1]), &rows);
    strbuf_init(&sb);
    strbuf_addc(&sb, '[');
    for (i = 0; i < n; i++)
        strbuf_addf(&sb, "%s[%lld,\"%s\"]", i > 0 ? "," : "", (long long)rows[i].rk,
                    rows[i].tokens);
    strbuf_addc(&sb, ']');
    store_util_gram_rows_free(rows, n);
    sqlite3_result_text(ctx, sb.buf, (int)sb.len, SQLITE_TRANSIENT);
    strbuf_fini(&sb);
}

/* ---- tickets: ticket_gram, the index of 1- and 2-character searches ---- */

/* The byte after the character at s + i (s[i] itself when it ends the text). */
static size_t
tgram_next(const char *s, size_t i)
{
    if (s[i] == '\0')
        return i;
    for (i++; ((unsigned char)s[i] & 0xc0) == 0x80; i++)
        ;
    return i;
}

/* Append a space (when sb is not empty) and the hex of s[from, to), ASCII lowered (as
 * LIKE compares). */
static void
tgram_hex(struct strbuf *sb, const char *s, size_t from, size_t to)
{
    static const char digits[] = "0123456789abcdef";
    char buf[64];
    size_t n = 0;

    if (sb->len > 0)
        buf[n++] = ' ';
    for (; from < to; from++) {
        unsigned char ch = (unsigned char)s[from];

        if (n + 2 > sizeof buf) {
            strbuf_add(sb, buf, n);
            n = 0;
        }
        if (ch >= 'A' && ch <= 'Z')
            ch = (unsigned char)(ch - 'A' + 'a');
        buf[n++] = digits[ch >> 4];
        buf[n++] = digits[ch & 15];
    }
    strbuf_add(sb, buf, n);
}

/* Append the tokens of one searched column: every character and every pair of
 * neighbouring characters (never across columns, as LIKE matches one column). */
static void
tgram_column(struct strbuf *sb, const char *s)
{
    size_t i, j, k;

    if (s == NULL)
        return;
    for (i = 0; s[i] != '\0'; i = j) {
        j = tgram_next(s, i);
        k = tgram_next(s, j);
        tgram_hex(sb, s, i, j);
        if (k > j)
            tgram_hex(sb, s, i, k);
    }
}

/* The ticket_gram row of the searched columns (the order of TGRAM_COLS). Owned. */
static char *
tgram_tokens(const char *const col[TGRAM_NCOLS])
{
    struct strbuf sb;
    int i;

    strbuf_init(&sb);
    for (i = 0; i < TGRAM_NCOLS; i++)
        tgram_column(&sb, col[i]);
    return strbuf_detach(&sb);
}

/* SQL function hl_ticket_grams(TGRAM_COLS): the ticket_gram row of a ticket, for the
 * migration that builds ticket_gram. */
static void
ticket_grams_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    const char *col[TGRAM_NCOLS];
    char *tokens;
    int i;

    for (i = 0; i < TGRAM_NCOLS; i++)
        col[i] = i < argc ? (const char *)sqlite3_value_text(argv[i]) : NULL;
    tokens = tgram_tokens(col);
    sqlite3_result_text(ctx, tokens, -1, SQLITE_TRANSIENT);
    free(tokens);
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
    sqlite3_create_function(c->db, "hl_kb_grams", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                            kb_grams_fn, NULL, NULL);
    sqlite3_create_function(c->db, "hl_ticket_grams", TGRAM_NCOLS,
                            SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, ticket_grams_fn, NULL, NULL);
    if (run(c, "PRAGMA synchronous=FULL", "setting synchronous=FULL", e) != HL_OK
        || run(c, "PRAGMA foreign_keys=ON", "enabling foreign keys", e) != HL_OK
        || run(c, "PRAGMA temp_store=MEMORY", "setting temp_store", e) != HL_OK
        || run(c, "PRAGMA mmap_size=" MMAP_SIZE, "setting mmap_size", e) != HL_OK)
        goto fail;
    return c;
fail:
    conn_close(c);
    return NULL;
}

/* True when no statement of c is in use: no cached one handed out (an uncached one only
 * exists while one is) and none stepping (SQLite's own, e.g. FTS5's, are idle between
 * calls). */
static bool
conn_unused(struct conn *c)
{
    for (size_t i = 0; i < CACHE_SLOTS; i++) {
        if (c->cache[i].busy)
            return false;
    }
    for (sqlite3_stmt *st = sqlite3_next_stmt(c->db, NULL); st != NULL;
         st = sqlite3_next_stmt(c->db, st)) {
        if (sqlite3_stmt_busy(st))
            return false;
    }
    return true;
}

/* Give c a fresh SQLite handle when none of its statements is in use: one opened while
 * the database or its WAL could not be written stays read-only for good, even once the
 * files are writable again. False when c was left as it was. */
static bool
conn_reopen(struct conn *c)
{
    struct cached cache[CACHE_SLOTS];
    struct conn *fresh;
    sqlite3 *db;
    struct err e;

    if (!conn_unused(c))
        return false;
    fresh = conn_open(c->owner, &e);
    if (fresh == NULL)
        return false;
    db = c->db;
    c->db = fresh->db;
    fresh->db = db;
    memcpy(cache, c->cache, sizeof cache);
    memcpy(c->cache, fresh->cache, sizeof cache);
    memcpy(fresh->cache, cache, sizeof cache);
    conn_close(fresh);
    return true;
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

/* Remember where the transaction level now opening begins in the held-back ticket_gram
 * writes. */
static void
tgram_mark(struct conn *c)
{
    if ((size_t)c->depth >= c->gq_mark_cap) {
        c->gq_mark_cap = (size_t)c->depth * 2 + 8;
        c->gq_mark = xrealloc(c->gq_mark, c->gq_mark_cap * sizeof *c->gq_mark);
    }
    c->gq_mark[c->depth] = c->gq_n;
}

/* Forget the held-back ticket_gram writes from position from on (their level was rolled
 * back). */
static void
tgram_drop(struct conn *c, size_t from)
{
    while (c->gq_n > from)
        free(c->gq[--c->gq_n].tokens);
}

/* Order held-back ticket_gram writes by rowid, each rowid's in the order they were made. */
static int
tgram_op_cmp(const void *pa, const void *pb)
{
    const struct tgram_op *a = pa, *b = pb;

    if (a->rid != b->rid)
        return a->rid < b->rid ? -1 : 1;
    return a->nth < b->nth ? -1 : a->nth > b->nth;
}

/* Write the held-back ticket_gram rows and forget them: at the outermost commit, outside
 * every savepoint, so FTS5 keeps them pending until the commit; by rowid, as FTS5 writes
 * its pending terms out whenever a rowid comes lower than the one before. */
static int
tgram_flush(struct conn *c, struct err *e)
{
    size_t i;
    int rc = HL_OK;

    qsort(c->gq, c->gq_n, sizeof *c->gq, tgram_op_cmp);
    for (i = 0; i < c->gq_n && rc == HL_OK; i++) {
        const struct tgram_op *op = &c->gq[i];
        sqlite3_stmt *st = prep(c, op->del ? "INSERT INTO ticket_gram(ticket_gram, rowid, g) "
                                             "VALUES ('delete', ?1, ?2)"
                                           : "INSERT INTO ticket_gram(rowid, g) VALUES (?1, ?2)",
                                e);
        int src;

        if (st == NULL) {
            rc = HL_EIO;
            break;
        }
        sqlite3_bind_int64(st, 1, op->rid);
        sqlite3_bind_text(st, 2, op->tokens, -1, SQLITE_STATIC);
        src = sqlite3_step(st);
        if (src != SQLITE_DONE)
            rc = db_fail(c, src, "indexing the ticket for search", e);
        done(c, st);
    }
    tgram_drop(c, 0);
    return rc;
}

/* Release the store's write lock once the outermost transaction is over. */
static void
tx_unlock(struct conn *c)
{
    if (c->depth == 0 && c->wlocked) {
        c->wlocked = false;
        pthread_mutex_unlock(&c->owner->wlock);
    }
}

/* Begin a transaction: at the outermost level BEGIN (IMMEDIATE for writes, so the write
 * lock is taken now and waiting for it goes through the busy timeout; in-process writers
 * first take the store's wlock); inside another transaction of this connection a
 * savepoint, so a mutate callback that calls the store joins the update's transaction. */
static int
tx_open(struct conn *c, bool write, struct err *e)
{
    int rc;

    if (c->depth > 0) {
        rc = run(c, "SAVEPOINT nested", "starting a nested transaction", e);
    } else if (write) {
        pthread_mutex_lock(&c->owner->wlock);
        c->wlocked = true;
        /* A handle opened read-only while the files could not be written: BEGIN IMMEDIATE
         * would start a mere read transaction on it. A fresh one, if they can be now. */
        if ((c->owner->open_flags & SQLITE_OPEN_READWRITE) != 0 &&
            sqlite3_db_readonly(c->db, "main") == 1 && db_unwritable(c) == 0)
            conn_reopen(c);
        rc = run(c, "BEGIN IMMEDIATE", "starting a write transaction", e);
        if (rc != HL_OK && (sqlite3_errcode(c->db) & 0xff) == SQLITE_READONLY &&
            db_unwritable(c) == 0 && conn_reopen(c))   /* its WAL opened read-only */
            rc = run(c, "BEGIN IMMEDIATE", "starting a write transaction", e);
    } else {
        rc = run(c, "BEGIN", "starting a read transaction", e);
    }
    if (rc == HL_OK) {
        tgram_mark(c);
        c->depth++;
    } else {
        tx_unlock(c);
    }
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
    tgram_drop(c, c->gq_mark[c->depth]);
    if (tx_alive(c)) {
        if (c->depth > 0) {
            run(c, "ROLLBACK TO nested", "rolling back", NULL);
            run(c, "RELEASE nested", "rolling back", NULL);
        } else {
            run(c, "ROLLBACK", "rolling back", NULL);
        }
    }
    tx_unlock(c);
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
        tgram_drop(c, c->gq_mark[c->depth]);
        tx_unlock(c);
        return err_set(e, HL_EIO, "", "the database rolled the transaction back after an "
                       "earlier error; nothing was saved");
    }
    if (c->depth == 1 && c->gq_n > 0 && tgram_flush(c, e) != HL_OK) {
        tx_rollback(c);
        return HL_EIO;
    }
    if (run(c, c->depth > 1 ? "RELEASE nested" : "COMMIT", "committing", e) != HL_OK) {
        tx_rollback(c);
        return HL_EIO;
    }
    c->depth--;
    tx_unlock(c);
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

/* Fail job j with the error of the batch (unless it already failed on its own). */
static void
group_fail(struct gjob *j, const struct err *why)
{
    if (j->rc != HL_OK)
        return;
    j->rc = why->code != HL_OK ? why->code : HL_EIO;
    if (j->e != NULL)
        *j->e = *why;
}

/* Run a batch of queued writes in one transaction on the calling thread's connection:
 * each in its own savepoint (a refused write rolls back alone), then one COMMIT. */
static void
group_commit(struct store *s, struct gjob *batch)
{
    struct conn *c;
    struct gjob *j, *k;
    struct err be;

    err_clear(&be);
    for (j = batch; j != NULL; j = j->next)
        j->rc = HL_OK;
    c = conn_get(s, &be);
    if (c == NULL || tx_begin(c, &be) != HL_OK) {
        for (j = batch; j != NULL; j = j->next)
            group_fail(j, &be);
        return;
    }
    for (j = batch; j != NULL; j = j->next) {
        int rc = tx_begin(c, j->e);

        if (rc == HL_OK) {
            rc = j->fn(s, j->arg, j->e);
            if (rc != HL_OK && j->e != NULL && j->e->code == HL_OK)
                err_set(j->e, rc, "", "the change was refused");
            rc = tx_end(c, rc, j->e);
        }
        j->rc = rc;
        if (!tx_alive(c)) {
            /* SQLite rolled the whole transaction back (e.g. a full disk): every write
             * of the batch is lost, the later ones are not tried */
            err_set(&be, HL_EIO, "", "the database rolled the transaction back after an "
                    "error; nothing was saved: try again");
            for (k = batch; k != NULL; k = k->next) {
                if (k != j || rc == HL_OK)
                    group_fail(k, &be);
            }
            break;
        }
    }
    if (tx_commit(c, &be) != HL_OK) {
        for (j = batch; j != NULL; j = j->next)
            group_fail(j, &be);
    }
}

/* Run fn in a write transaction shared with the writes other threads queue meanwhile
 * (group commit, leader/follower): the first writer to find no leader becomes it, takes
 * the whole queue, runs it with one commit and acknowledges each write; writes queued
 * during that commit form the next batch. Returns fn's result, or the commit's error. */
static int
group_run(struct store *s, int (*fn)(struct store *s, void *arg, struct err *e), void *arg,
          struct err *e)
{
    struct sqlite_store *ss = sq(s);
    struct gjob job = { fn, arg, e, HL_OK, false, NULL };
    struct gjob *batch, *j, *next;

    pthread_mutex_lock(&ss->glock);
    *ss->gtail = &job;
    ss->gtail = &job.next;
    while (!job.done) {
        if (ss->leading) {
            pthread_cond_wait(&ss->gcond, &ss->glock);
            continue;
        }
        ss->leading = true;
        batch = ss->ghead;
        ss->ghead = NULL;
        ss->gtail = &ss->ghead;
        pthread_mutex_unlock(&ss->glock);
        group_commit(s, batch);
        pthread_mutex_lock(&ss->glock);
        for (j = batch; j != NULL; j = next) {
            next = j->next;      /* j lives on its writer's stack: read next first */
            j->done = true;
        }
        ss->leading = false;
        pthread_cond_broadcast(&ss->gcond);
    }
    pthread_mutex_unlock(&ss->glock);
    return job.rc;
}

/* Run fn in one write transaction: nested when the calling thread is already in one,
 * else through group commit. */
static int
sq_write_tx(struct store *s, store_tx_fn fn, void *arg, struct err *e)
{
    struct conn *c = conn_get(s, e);
    int rc;

    if (c == NULL)
        return HL_EIO;
    if (c->depth == 0)
        return group_run(s, fn, arg, e);
    if (tx_begin(c, e) != HL_OK)
        return HL_EIO;
    rc = fn(s, arg, e);
    if (rc != HL_OK && e != NULL && e->code == HL_OK)
        err_set(e, rc, "", "the change was refused");
    return tx_end(c, rc, e);
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

/* Configure SQLite for this process (see store_sqlite.h); before any other SQLite call,
 * so sqlite3_config cannot fail: a later call would only keep the statistics on. */
void
store_sqlite_setup(void)
{
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
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
    pthread_mutex_destroy(&ss->wlock);
    pthread_mutex_destroy(&ss->glock);
    pthread_cond_destroy(&ss->gcond);
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
    pthread_mutex_init(&ss->wlock, NULL);
    pthread_mutex_init(&ss->glock, NULL);
    pthread_cond_init(&ss->gcond, NULL);
    ss->gtail = &ss->ghead;
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

/* Replace the unit rows of a ticket by the units of its assignments (fresh: a new
 * ticket, which has none yet). */
static int
save_units(struct conn *c, const struct ticket *t, bool fresh, struct err *e)
{
    sqlite3_stmt *st;
    size_t i;
    int rc = HL_OK;

    if (!fresh) {
        st = prep(c, "DELETE FROM ticket_units WHERE ticket_id = ?1", e);
        if (st == NULL)
            return HL_EIO;
        bind_text(st, 1, t->id);
        rc = step_done(c, st, "saving the ticket's units", e);
        done(c, st);
    }
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

/* ---- tickets: keeping ticket_gram in step ---- */

/* The ticket_gram row of a ticket, from the values bind_ticket stores. Owned. */
static char *
tgram_ticket(const struct ticket *t)
{
    char phone[32];
    const char *col[TGRAM_NCOLS];

    store_util_canonical_phone(t->caller.phone, phone, sizeof phone);
    col[0] = t->id;
    col[1] = t->title;
    col[2] = t->description;
    col[3] = t->location;
    col[4] = phone[0] != '\0' ? phone : NULL;
    col[5] = t->caller.name;
    col[6] = t->caller.address;
    return tgram_tokens(col);
}

/* The rid and ticket_gram row of the stored ticket id; *rid 0 and *tokens NULL when
 * there is none. */
static int
tgram_stored(struct conn *c, const char *id, int64_t *rid, char **tokens, struct err *e)
{
    sqlite3_stmt *st = prep(c, "SELECT rid, " TGRAM_COLS " FROM tickets WHERE id = ?1", e);
    const char *col[TGRAM_NCOLS];
    int src, i;

    *rid = 0;
    *tokens = NULL;
    if (st == NULL)
        return HL_EIO;
    bind_text(st, 1, id);
    src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        *rid = sqlite3_column_int64(st, 0);
        for (i = 0; i < TGRAM_NCOLS; i++)
            col[i] = col_text(st, i + 1);
        *tokens = tgram_tokens(col);
    }
    done(c, st);
    return src == SQLITE_ROW || src == SQLITE_DONE ? HL_OK
                                                   : db_fail(c, src, "reading a ticket", e);
}

/* Add (del false) or remove (del true, the same tokens as added) a ticket_gram row: held
 * back to the outermost commit of the transaction (tgram_flush), dropped with the level
 * that wrote it when that rolls back. */
static int
tgram_write(struct conn *c, int64_t rid, const char *tokens, bool del, struct err *e)
{
    struct tgram_op *op;

    if (c->gq_n == c->gq_cap) {
        c->gq_cap = c->gq_cap * 2 + 16;
        c->gq = xrealloc(c->gq, c->gq_cap * sizeof *c->gq);
    }
    op = &c->gq[c->gq_n];
    op->rid = rid;
    op->nth = c->gq_n++;
    op->tokens = xstrdup(tokens);
    op->del = del;
    return c->depth > 0 ? HL_OK : tgram_flush(c, e);
}

/* Bring the ticket_gram row of rid from old (NULL: none) to new; nothing when the
 * searched text is unchanged (a flag sweep, a status change). */
static int
tgram_sync(struct conn *c, int64_t rid, const char *old, const char *new, struct err *e)
{
    int rc = HL_OK;

    if (old != NULL && strcmp(old, new) == 0)
        return HL_OK;
    if (old != NULL)
        rc = tgram_write(c, rid, old, true, e);
    if (rc == HL_OK)
        rc = tgram_write(c, rid, new, false, e);
    return rc;
}

/* Save an existing ticket (document, columns, units) and append its feed row at time at
 * (0: now). */
static int
save_ticket(struct conn *c, struct store *s, const struct ticket *t, const char *action,
            hl_time at, int64_t *seq, struct err *e)
{
    char *doc = codec_ticket_encode(t, s->tz), *units = NULL, *old = NULL, *grams = NULL;
    sqlite3_stmt *st;
    int64_t rid = 0;
    int rc;

    rc = tgram_stored(c, t->id, &rid, &old, e);
    if (rc != HL_OK)
        goto out;
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
    if (rc == HL_OK && old != NULL) {
        grams = tgram_ticket(t);
        rc = tgram_sync(c, rid, old, grams, e);
    }
    if (rc == HL_OK)
        rc = save_units(c, t, false, e);
    if (rc == HL_OK) {
        units = store_util_units_csv(t);
        rc = feed_insert(c, "ticket.updated", t->id, action, NULL, NULL, units, at, seq, e);
    }
out:
    free(grams);
    free(old);
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

/* Insert a new ticket with its id assigned; the body of ticket_create's transaction.
 * *id_out and *doc_out (owned) get its id and stored document. */
static int
create_in_tx(struct conn *c, struct store *s, const struct ticket *in, const char *idem_key,
             const char *body_hash, char **id_out, char **doc_out, int64_t *seq,
             struct err *e)
{
    struct ticket t = *in;       /* shallow: borrows in's strings, never freed */
    char *id = NULL, *doc = NULL, *units = NULL, *grams = NULL;
    sqlite3_stmt *st;
    int64_t n = 0, rid;
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
    rid = sqlite3_last_insert_rowid(c->db);
    done(c, st);
    if (rc == HL_OK) {
        grams = tgram_ticket(&t);
        rc = tgram_sync(c, rid, NULL, grams, e);
    }
    if (rc == HL_OK)
        rc = save_units(c, &t, true, e);
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
        *id_out = id;
        *doc_out = doc;
        id = doc = NULL;
    }
out:
    free(grams);
    free(units);
    free(doc);
    free(id);
    return rc;
}

/* Where a create puts its results; what the caller does not want is NULL. */
struct create_out {
    struct ticket **ticket;     /* the stored ticket, decoded */
    char **id, **doc;           /* its id and stored document */
    int64_t *version;           /* 1; a replay: the ticket's current version */
    bool *replayed;
    int64_t *seq;
};

/* Set the results of a create to none (free_owned: free what they hold first). */
static void
create_out_reset(const struct create_out *o, bool free_owned)
{
    if (o->ticket != NULL) {
        if (free_owned)
            ticket_free(o->ticket);
        *o->ticket = NULL;
    }
    if (o->id != NULL) {
        if (free_owned)
            free(*o->id);
        *o->id = NULL;
    }
    if (o->doc != NULL) {
        if (free_owned)
            free(*o->doc);
        *o->doc = NULL;
    }
    if (o->version != NULL)
        *o->version = 0;
    if (o->replayed != NULL)
        *o->replayed = false;
    if (o->seq != NULL)
        *o->seq = 0;
}

/* Create a ticket (id, version 1), honouring an idempotency key, in a transaction of
 * its own (nested when the calling thread's connection is in one). */
static int
create_now(struct store *s, const struct ticket *t, const char *idem_key,
           const char *body_hash, const struct create_out *o, struct err *e)
{
    struct conn *c = conn_get(s, e);
    char *id = NULL, *doc = NULL;
    int64_t version = 1;
    bool replayed = false;
    int rc;

    create_out_reset(o, false);
    if (c == NULL)
        return HL_EIO;
    if (tx_begin(c, e) != HL_OK)
        return HL_EIO;
    rc = HL_ENOENT;
    if (!str_empty(idem_key))
        rc = idem_lookup(c, idem_key, body_hash, &id, e);
    if (rc == HL_OK) {
        rc = load_doc(c, id, &doc, &version, e);
        replayed = true;
    } else if (rc == HL_ENOENT) {
        rc = create_in_tx(c, s, t, idem_key, body_hash, &id, &doc, o->seq, e);
    }
    if (rc == HL_OK && o->ticket != NULL) {
        *o->ticket = store_util_doc_to_ticket(doc, id, e);
        if (*o->ticket == NULL)
            rc = HL_EIO;
    }
    rc = tx_end(c, rc, e);
    if (rc != HL_OK) {
        create_out_reset(o, true);
        goto out;
    }
    if (o->id != NULL) {
        *o->id = id;
        id = NULL;
    }
    if (o->doc != NULL) {
        *o->doc = doc;
        doc = NULL;
    }
    if (o->version != NULL)
        *o->version = version;
    if (o->replayed != NULL)
        *o->replayed = replayed;
out:
    free(id);
    free(doc);
    return rc;
}

/* The arguments of a ticket_create or ticket_update queued for group commit. */
struct write_args {
    const struct ticket *t;
    const char *idem_key, *body_hash;
    const struct create_out *created;
    const char *id;
    int64_t if_match;
    const char *action;
    store_mutate_fn fn;
    void *arg;
    struct ticket **out;
    int64_t *seq;
};

/* group_run body of ticket_create. */
static int
create_job(struct store *s, void *arg, struct err *e)
{
    struct write_args *w = arg;

    return create_now(s, w->t, w->idem_key, w->body_hash, w->created, e);
}

/* Create a ticket (id, version 1), honouring an idempotency key; through group commit
 * unless the calling thread is inside a transaction. */
static int
create_run(struct store *s, const struct ticket *t, const char *idem_key,
           const char *body_hash, const struct create_out *o, struct err *e)
{
    struct conn *c = conn_get(s, e);
    struct write_args w;
    int rc;

    create_out_reset(o, false);
    if (c == NULL)
        return HL_EIO;
    if (c->depth > 0)
        return create_now(s, t, idem_key, body_hash, o, e);
    memset(&w, 0, sizeof w);
    w.t = t;
    w.idem_key = idem_key;
    w.body_hash = body_hash;
    w.created = o;
    rc = group_run(s, create_job, &w, e);
    if (rc != HL_OK)             /* the batch's commit failed after create_now succeeded */
        create_out_reset(o, true);
    return rc;
}

/* Create a ticket; *out the stored ticket, decoded. */
static int
sq_ticket_create(struct store *s, const struct ticket *t, const char *idem_key,
                 const char *body_hash, struct ticket **out, bool *replayed, int64_t *seq,
                 struct err *e)
{
    struct create_out o = { out, NULL, NULL, NULL, replayed, seq };

    return create_run(s, t, idem_key, body_hash, &o, e);
}

/* Create a ticket; *id, *doc and *version of the stored ticket, without decoding it. */
static int
sq_ticket_create_doc(struct store *s, const struct ticket *t, const char *idem_key,
                     const char *body_hash, char **id, char **doc, int64_t *version,
                     bool *replayed, int64_t *seq, struct err *e)
{
    struct create_out o = { NULL, id, doc, version, replayed, seq };

    return create_run(s, t, idem_key, body_hash, &o, e);
}

/* *yes when the caller (canonical phone) has a ticket that is neither closed nor
 * archived. */
static int
sq_caller_has_open(struct store *s, const char *phone, bool *yes, struct err *e)
{
    struct conn *c = conn_get(s, e);
    sqlite3_stmt *st;
    int src;

    *yes = false;
    if (c == NULL)
        return HL_EIO;
    st = prep(c, "SELECT 1 FROM tickets WHERE caller_phone = ?1"
              " AND status NOT IN ('closed', 'archived') LIMIT 1", e);
    if (st == NULL)
        return HL_EIO;
    bind_text(st, 1, phone);
    src = sqlite3_step(st);
    *yes = src == SQLITE_ROW;
    done(c, st);
    if (src != SQLITE_ROW && src != SQLITE_DONE)
        return db_fail(c, src, "reading the caller's tickets", e);
    return HL_OK;
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

/* Read-modify-write one ticket in one transaction of its own (nested when the calling
 * thread's connection is in one). */
static int
update_now(struct store *s, const char *id, int64_t if_match, const char *action,
           store_mutate_fn fn, void *arg, struct ticket **out, int64_t *seq, struct err *e)
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

/* group_run body of ticket_update. */
static int
update_job(struct store *s, void *arg, struct err *e)
{
    struct write_args *w = arg;

    return update_now(s, w->id, w->if_match, w->action, w->fn, w->arg, w->out, w->seq, e);
}

/* Read-modify-write one ticket in one transaction; through group commit unless the
 * calling thread is inside a transaction. */
static int
sq_ticket_update(struct store *s, const char *id, int64_t if_match, const char *action,
                 store_mutate_fn fn, void *arg, struct ticket **out, int64_t *seq,
                 struct err *e)
{
    struct conn *c = conn_get(s, e);
    struct write_args w;
    int rc;

    if (out != NULL)
        *out = NULL;
    if (c == NULL)
        return HL_EIO;
    if (c->depth > 0)
        return update_now(s, id, if_match, action, fn, arg, out, seq, e);
    memset(&w, 0, sizeof w);
    w.id = id;
    w.if_match = if_match;
    w.action = action;
    w.fn = fn;
    w.arg = arg;
    w.out = out;
    w.seq = seq;
    rc = group_run(s, update_job, &w, e);
    if (rc != HL_OK) {           /* the batch's commit failed after update_now succeeded */
        if (out != NULL)
            ticket_free(out);
        if (seq != NULL)
            *seq = 0;
    }
    return rc;
}

/* ---- tickets: lists ---- */

/* How ticket_where words its clause for the query around it. */
enum {
    WHERE_PAGE = 1 << 0,        /* a page in an index's order: the unit filter probes
                                 * ticket_units per row instead of listing the unit's
                                 * tickets and sorting them */
    WHERE_STATUS_SCAN = 1 << 1, /* status filters rows; its index must not drive the query
                                 * (a flag filter's covering index, or another order's) */
    WHERE_TEXT_PROBE = 1 << 2,  /* the text matches are many: probe them per row rather
                                 * than read and sort each (walk_created) */
    WHERE_TEXT_LIKE = 1 << 3,   /* 1-2 characters found in most tickets: LIKE on each row
                                 * read beats building the set of matches (walk_created) */
};

/* The index that answers the text search text (trimmed): ticket_fts (trigrams) from 3
 * characters on, ticket_gram for 1 or 2 characters of valid UTF-8 (the gram token, the
 * same matches as LIKE: ASCII folded, within one column); NULL when only LIKE can (*pat
 * then NULL). *pat: the MATCH phrase, owned. */
static const char *
ticket_text_index(const char *text, char **pat)
{
    char *tok;

    *pat = NULL;
    if (store_util_use_trigrams(text)) {
        *pat = fts_phrase(text);
        return "ticket_fts";
    }
    if (!text_utf8_valid(text, strlen(text)))
        return NULL;
    tok = store_util_gram_token(text);
    *pat = fts_phrase(tok);
    free(tok);
    return "ticket_gram";
}

/* Append the WHERE clause of a ticket query (always starts " WHERE 1"); how: WHERE_ bits. */
static void
ticket_where(struct qb *b, const struct ticket_query *q, unsigned how)
{
    char phone[32];
    char *text, *pat;
    const char *index;
    int k, i;
    bool first = true;

    qb_sql(b, " WHERE 1");
    if (q->status_mask != 0) {
        qb_sql(b, (how & WHERE_STATUS_SCAN) != 0 || q->flag_mask != 0 ? " AND +status IN ("
                                                                       : " AND status IN (");
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
    if (!str_empty(q->unit) && (how & WHERE_PAGE) != 0) {
        qb_sql(b, " AND EXISTS (SELECT 1 FROM ticket_units WHERE ticket_units.unit = ");
        qb_text(b, q->unit);
        qb_sql(b, " AND ticket_units.ticket_id = tickets.id)");
    } else if (!str_empty(q->unit)) {
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
    index = text != NULL ? ticket_text_index(text, &pat) : NULL;
    if (index != NULL && (how & WHERE_TEXT_LIKE) != 0 && strcmp(index, "ticket_gram") == 0) {
        free(pat);
        index = NULL;
    }
    if (index != NULL) {
        /* Beside the unit's id list, a plain rid IN would make SQLite probe the id index
         * with every (id, rid) pair of the two lists. */
        strbuf_addf(&b->sql, " AND %srid IN (SELECT rowid FROM %s WHERE %s MATCH ",
                    (!str_empty(q->unit) && (how & WHERE_PAGE) == 0)
                    || (how & WHERE_TEXT_PROBE) != 0 ? "+" : "", index, index);
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

/* Copy the current row's document (column col) into docs[*n]. */
static int
take_doc(sqlite3_stmt *st, int col, char **docs, size_t *n, struct err *e)
{
    const char *doc = col_text(st, col);

    if (doc == NULL) {
        err_set(e, HL_EIO, "", "ticket %s: the stored document is missing", col_text(st, col + 1));
        return HL_EIO;
    }
    docs[(*n)++] = xstrdup(doc);
    return HL_OK;
}

/* Count the tickets matching q. */
static int
ticket_count(struct conn *c, const struct ticket_query *q, unsigned how, int64_t *total,
             struct err *e)
{
    struct qb b;
    sqlite3_stmt *st;
    int rc = HL_OK, src;

    qb_init(&b);
    qb_sql(&b, "SELECT count(*) FROM tickets");
    ticket_where(&b, q, how & WHERE_TEXT_LIKE);
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

/* True when q is an indexed text search (ticket_text_index) with no other filter, in
 * created order. */
static bool
text_search_alone(const struct ticket_query *q, const struct store_ticket_order *ord)
{
    char *text, *pat = NULL;
    bool yes;

    if (strcmp(ord->col, "created_at") != 0 || q->status_mask != 0 || !str_empty(q->unit)
        || !str_empty(q->caller_phone) || q->flag_mask != 0 || !str_empty(q->created_by)
        || !str_empty(q->category) || q->nature >= 0 || q->updated_since != 0
        || q->created_from != 0 || q->created_to != 0 || q->due_before != 0
        || q->callback_due_before != 0)
        return false;
    text = store_util_trim_query(q->q);
    yes = text != NULL && ticket_text_index(text, &pat) != NULL;
    free(pat);
    free(text);
    return yes;
}

/* Decide how a text search finds its page (*text_how: WHERE_TEXT_ bits): when its matches
 * are many, walking an index in the page's order (a text search alone: tickets_created
 * newest first, *walk) and probing the match set (WHERE_TEXT_PROBE) stops after a few
 * hundred index entries, where fetching and sorting every match would read each one's
 * row; when they are few, sorting them is cheaper. The break-even (about sqrt(tickets x
 * page / 8) matches) comes from measurements at 10,000 tickets. From 5 times that many
 * matches of 1-2 characters, building their set costs more than LIKE on the rows the walk
 * reads (WHERE_TEXT_LIKE). */
static int
walk_created(struct conn *c, const struct ticket_query *q, int limit, bool *walk,
             unsigned *text_how, struct err *e)
{
    const struct store_ticket_order *ord = store_util_ticket_order(q->order, e);
    sqlite3_stmt *st;
    char *text, *pat = NULL, *sql;
    const char *index;
    int64_t tickets = 0, enough = 0;
    int src;

    *walk = false;
    *text_how = 0;
    if (ord == NULL)
        return HL_OK;
    text = store_util_trim_query(q->q);
    index = text != NULL ? ticket_text_index(text, &pat) : NULL;
    free(pat);
    free(text);
    if (index == NULL)
        return HL_OK;
    st = prep(c, "SELECT max(rid) FROM tickets", e);
    if (st == NULL)
        return HL_EIO;
    src = sqlite3_step(st);
    if (src == SQLITE_ROW)
        tickets = sqlite3_column_int64(st, 0);
    done(c, st);
    if (src != SQLITE_ROW)
        return db_fail(c, src, "counting tickets", e);
    while ((enough + 1) * (enough + 1) * 8 <= tickets * (limit + 1))
        enough++;
    if (enough <= limit)
        return HL_OK;
    text = store_util_trim_query(q->q);
    index = ticket_text_index(text, &pat);
    sql = xasprintf("SELECT count(*) FROM (SELECT 1 FROM %s WHERE %s MATCH ?1 LIMIT ?2)",
                    index, index);
    st = prep(c, sql, e);
    free(sql);
    if (st == NULL) {
        free(pat);
        free(text);
        return HL_EIO;
    }
    sqlite3_bind_text(st, 1, pat, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, 5 * enough);
    src = sqlite3_step(st);
    if (src == SQLITE_ROW && sqlite3_column_int64(st, 0) >= 5 * enough
        && strcmp(index, "ticket_gram") == 0)
        *text_how = WHERE_TEXT_LIKE;
    else if (src == SQLITE_ROW && sqlite3_column_int64(st, 0) >= enough)
        *text_how = WHERE_TEXT_PROBE;
    *walk = *text_how == WHERE_TEXT_PROBE && text_search_alone(q, ord);
    done(c, st);
    free(pat);
    free(text);
    return src == SQLITE_ROW ? HL_OK : db_fail(c, src, "searching tickets", e);
}

/* Build the page query of q into b: SELECT key, doc, id ... LIMIT limit + 1; walk: go
 * through tickets_created; text_how: WHERE_TEXT_ bits (walk_created). */
static int
ticket_list_sql(const struct ticket_query *q, int limit, bool walk, unsigned text_how,
                struct qb *b, const struct store_ticket_order **ord_out, struct err *e)
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
    strbuf_addf(&b->sql, "SELECT p.k, t.doc, t.id FROM (SELECT rid, %s AS k, id FROM tickets%s",
                ord->col, walk ? " INDEXED BY tickets_created" : "");
    ticket_where(b, q, WHERE_PAGE
                 | (strcmp(ord->col, "created_at") != 0 ? WHERE_STATUS_SCAN : 0u)
                 | (walk ? 0u : text_how));
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

/* Make room in out for a page of limit tickets (documents with q->docs). */
static void
page_alloc(const struct ticket_query *q, int limit, struct ticket_page *out)
{
    if (q->docs)
        out->docs = xcalloc((size_t)limit, sizeof *out->docs);
    else
        out->items = xcalloc((size_t)limit, sizeof *out->items);
}

/* Read the rows of a page query (key, doc, id; up to limit + 1) into out, and the
 * cursor of the next page when there is one more row than the page holds. */
static int
page_rows(struct conn *c, sqlite3_stmt *st, const struct ticket_query *q, int limit, char tag,
          struct ticket_page *out, struct err *e)
{
    int64_t last_key = 0;
    char *last_id = NULL;
    int rc = HL_OK, src;

    page_alloc(q, limit, out);
    for (src = sqlite3_step(st); src == SQLITE_ROW; src = sqlite3_step(st)) {
        if (out->n == (size_t)limit) {
            out->next_cursor = store_util_cursor_make(tag, last_key, last_id);
            break;
        }
        if (q->docs)
            rc = take_doc(st, 1, out->docs, &out->n, e);
        else
            rc = take_ticket(st, 1, out->items, &out->n, e);
        if (rc != HL_OK)
            goto out;
        last_key = sqlite3_column_int64(st, 0);
        free(last_id);
        last_id = col_dup(st, 2);
    }
    if (src != SQLITE_ROW && src != SQLITE_DONE)
        rc = db_fail(c, src, "listing tickets", e);
out:
    free(last_id);
    return rc;
}

/* One page of tickets by the query of ticket_list_sql; *text_how as walk_created
 * decided (ticket_count plans with it). */
static int
list_page(struct conn *c, const struct ticket_query *q, int limit, struct ticket_page *out,
          unsigned *text_how, struct err *e)
{
    const struct store_ticket_order *ord;
    struct qb b;
    sqlite3_stmt *st = NULL;
    bool walk = false;
    int rc;

    qb_init(&b);
    rc = walk_created(c, q, limit, &walk, text_how, e);
    if (rc == HL_OK)
        rc = ticket_list_sql(q, limit, walk, *text_how, &b, &ord, e);
    if (rc != HL_OK)
        goto out;
    st = prep(c, b.sql.buf, e);
    if (st == NULL) {
        rc = HL_EIO;
        goto out;
    }
    qb_bind(&b, st);
    rc = page_rows(c, st, q, limit, ord->tag, out, e);
out:
    done(c, st);
    qb_fini(&b);
    return rc;
}

/* ---- tickets: a text search alone ---- */

/* Entries of tickets_created a walk passes in the time it takes to read and sort one
 * match's row: text_page walks when that is cheaper than sorting the matches. */
#define TEXT_WALK_PER_ROW 5
/* Matches text_page reads from the index, newest first, before it settles on the walk. */
#define TEXT_READ_MAX     1024

/* Rowids of text search matches. */
struct rids {
    int64_t *v;
    size_t n, cap;
};

/* Append rid to r. */
static void
rids_add(struct rids *r, int64_t rid)
{
    if (r->n == r->cap) {
        r->cap = r->cap == 0 ? 64 : 2 * r->cap;
        r->v = xrealloc(r->v, r->cap * sizeof *r->v);
    }
    r->v[r->n++] = rid;
}

/* v[0..n) as a JSON array of numbers, for json_each. Owned. */
static char *
rids_json(const int64_t *v, size_t n)
{
    struct strbuf sb;
    char digits[24];
    size_t i, k;
    uint64_t u;

    strbuf_init(&sb);
    strbuf_addc(&sb, '[');
    for (i = 0; i < n; i++) {
        if (i > 0)
            strbuf_addc(&sb, ',');
        k = sizeof digits;
        u = v[i] < 0 ? -(uint64_t)v[i] : (uint64_t)v[i];
        do {
            digits[--k] = (char)('0' + u % 10);
            u /= 10;
        } while (u != 0);
        if (v[i] < 0)
            digits[--k] = '-';
        strbuf_add(&sb, digits + k, sizeof digits - k);
    }
    strbuf_addc(&sb, ']');
    return strbuf_detach(&sb);
}

/* The number of rowids lo..hi (lo <= hi); INT64_MAX when it does not fit. */
static int64_t
rid_span(int64_t lo, int64_t hi)
{
    uint64_t d = (uint64_t)hi - (uint64_t)lo;

    return d >= (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)d + 1;
}

/* True when (key, id[0..len)) comes after (pkey, pid) in created order, newest first: an
 * older time, or the same time and a smaller id as SQLite compares text (bytes). */
static bool
key_after(int64_t key, const unsigned char *id, size_t len, int64_t pkey,
          const struct strbuf *pid)
{
    size_t n = len < pid->len ? len : pid->len;
    int d = n > 0 ? memcmp(id, pid->buf, n) : 0;

    if (key != pkey)
        return key < pkey;
    return d != 0 ? d < 0 : len < pid->len;
}

/* True when walking walk entries of tickets_created (text_certify) costs less than
 * sorting the matches (text_sorted_rows): the n read so far, or as many as the first
 * seen of them promise over the top rowids at their density over the walk's rowids. */
static bool
walk_cheaper(int64_t walk, size_t n, size_t seen, int64_t top)
{
    double promised = (double)seen * (double)top / (double)walk;

    return (double)walk <= TEXT_WALK_PER_ROW * ((double)n > promised ? (double)n : promised);
}

/* *rid of the newest ticket in created order below the cursor (key, cur_id), of all
 * when cur_id is NULL; *found false when there is none. */
static int
text_top(struct conn *c, int64_t key, const char *cur_id, int64_t *rid, bool *found,
         struct err *e)
{
    sqlite3_stmt *st;
    int src;

    *found = false;
    st = prep(c, cur_id != NULL
              ? "SELECT rid FROM tickets INDEXED BY tickets_created"
                " WHERE (created_at, id) < (?1, ?2) ORDER BY created_at DESC, id DESC LIMIT 1"
              : "SELECT rid FROM tickets INDEXED BY tickets_created"
                " ORDER BY created_at DESC, id DESC LIMIT 1", e);
    if (st == NULL)
        return HL_EIO;
    if (cur_id != NULL) {
        bind_int(st, 1, key);
        bind_text(st, 2, cur_id);
    }
    src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        *rid = sqlite3_column_int64(st, 0);
        *found = true;
    }
    done(c, st);
    return src == SQLITE_ROW || src == SQLITE_DONE ? HL_OK
                                                   : db_fail(c, src, "listing tickets", e);
}

/* *yes when the tickets below the cursor (key, cur_id; none: all), newest first, start
 * with exactly those of rowids lo..hi: the first hi - lo + 1 entries of tickets_created
 * all have a rowid in that range. */
static int
text_certify(struct conn *c, int64_t key, const char *cur_id, int64_t lo, int64_t hi,
             bool *yes, struct err *e)
{
    int64_t n = rid_span(lo, hi);
    sqlite3_stmt *st;
    int src;

    *yes = false;
    if (n == INT64_MAX)
        return HL_OK;
    st = prep(c, cur_id != NULL
              ? "SELECT count(*) FROM (SELECT rid FROM tickets INDEXED BY tickets_created"
                " WHERE (created_at, id) < (?4, ?5) ORDER BY created_at DESC, id DESC"
                " LIMIT ?1) WHERE rid BETWEEN ?2 AND ?3"
              : "SELECT count(*) FROM (SELECT rid FROM tickets INDEXED BY tickets_created"
                " ORDER BY created_at DESC, id DESC LIMIT ?1) WHERE rid BETWEEN ?2 AND ?3", e);
    if (st == NULL)
        return HL_EIO;
    bind_int(st, 1, n);
    bind_int(st, 2, lo);
    bind_int(st, 3, hi);
    if (cur_id != NULL) {
        bind_int(st, 4, key);
        bind_text(st, 5, cur_id);
    }
    src = sqlite3_step(st);
    if (src == SQLITE_ROW)
        *yes = sqlite3_column_int64(st, 0) == n;
    done(c, st);
    return src == SQLITE_ROW ? HL_OK : db_fail(c, src, "listing tickets", e);
}

/* The page of the tickets of rowids v[0..n) (n <= limit + 1), in created order: the
 * first limit of them; one more only gives the cursor. *ok false (out released) when
 * their rows do not come in created order, or one is missing. */
static int
text_rows(struct conn *c, const struct ticket_query *q, int limit, char tag, const int64_t *v,
          size_t n, struct ticket_page *out, bool *ok, struct err *e)
{
    struct strbuf prev;          /* the id of the previous row */
    char *json = rids_json(v, n);
    sqlite3_stmt *st;
    int64_t prev_key = 0, key;
    size_t i = 0;
    int rc = HL_OK, src;

    *ok = false;
    strbuf_init(&prev);
    st = prep(c, "SELECT t.doc, t.id, t.created_at FROM json_each(?1) AS j"
              " CROSS JOIN tickets AS t ON t.rid = j.value", e);
    if (st == NULL) {
        rc = HL_EIO;
        goto out;
    }
    bind_text(st, 1, json);
    page_alloc(q, limit, out);
    for (src = sqlite3_step(st); src == SQLITE_ROW; src = sqlite3_step(st), i++) {
        const unsigned char *id;
        size_t len;

        if (i >= n || sqlite3_column_type(st, 1) != SQLITE_TEXT
            || sqlite3_column_type(st, 2) != SQLITE_INTEGER)
            goto out;
        id = sqlite3_column_text(st, 1);
        len = (size_t)sqlite3_column_bytes(st, 1);
        key = sqlite3_column_int64(st, 2);
        if (i > 0 && !key_after(key, id, len, prev_key, &prev))
            goto out;
        if (i == (size_t)limit) {
            out->next_cursor = store_util_cursor_make(tag, prev_key, strbuf_str(&prev));
            continue;
        }
        if (q->docs)
            rc = take_doc(st, 0, out->docs, &out->n, e);
        else
            rc = take_ticket(st, 0, out->items, &out->n, e);
        if (rc != HL_OK)
            goto out;
        prev_key = key;
        strbuf_reset(&prev);
        strbuf_add(&prev, (const char *)id, len);
    }
    if (src != SQLITE_DONE)
        rc = db_fail(c, src, "listing tickets", e);
    else
        *ok = i == n;
out:
    done(c, st);
    if (!*ok) {
        ticket_page_fini(out);
        out->total = -1;
    }
    strbuf_fini(&prev);
    free(json);
    return rc;
}

/* A match's place in created order, for text_sorted_rows. */
struct text_key {
    int64_t key;                 /* created_at */
    int64_t rid;
    size_t off, len;             /* its id in the list's ids */
    const char *id;
};

/* Order text_keys newest first: the later time, then the larger id (as SQLite compares
 * text: bytes). */
static int
text_key_cmp(const void *pa, const void *pb)
{
    const struct text_key *a = pa, *b = pb;
    size_t n = a->len < b->len ? a->len : b->len;
    int d = n > 0 ? memcmp(a->id, b->id, n) : 0;

    if (a->key != b->key)
        return a->key > b->key ? -1 : 1;
    if (d != 0)
        return d > 0 ? -1 : 1;
    return a->len > b->len ? -1 : a->len < b->len;
}

/* The page of the tickets of rowids r (all the matches; below the cursor key, cur_id
 * when cur_id is set), sorted here: their created times and ids are read by rowid.
 * *ok false (out released) when a row holds something else than an integer time and a
 * text id (the general query compares those as SQLite does). */
static int
text_sorted_rows(struct conn *c, const struct ticket_query *q, int limit, char tag,
                 int64_t key, const char *cur_id, const struct rids *r,
                 struct ticket_page *out, bool *ok, struct err *e)
{
    char *json = rids_json(r->v, r->n);
    struct text_key *k = xcalloc(r->n + 1, sizeof *k);
    int64_t *v = NULL;
    struct strbuf ids;
    sqlite3_stmt *st;
    size_t n = 0, i;
    int rc = HL_OK, src;

    *ok = false;
    strbuf_init(&ids);
    st = prep(c, cur_id != NULL
              ? "SELECT t.rid, t.created_at, t.id FROM json_each(?1) AS j CROSS JOIN tickets AS t"
                " ON t.rid = j.value WHERE (t.created_at, t.id) < (?2, ?3)"
              : "SELECT t.rid, t.created_at, t.id FROM json_each(?1) AS j CROSS JOIN tickets AS t"
                " ON t.rid = j.value", e);
    if (st == NULL) {
        rc = HL_EIO;
        goto out;
    }
    bind_text(st, 1, json);
    if (cur_id != NULL) {
        bind_int(st, 2, key);
        bind_text(st, 3, cur_id);
    }
    for (src = sqlite3_step(st); src == SQLITE_ROW; src = sqlite3_step(st)) {
        if (n == r->n || sqlite3_column_type(st, 1) != SQLITE_INTEGER
            || sqlite3_column_type(st, 2) != SQLITE_TEXT)
            break;
        k[n].rid = sqlite3_column_int64(st, 0);
        k[n].key = sqlite3_column_int64(st, 1);
        k[n].off = ids.len;
        k[n].len = (size_t)sqlite3_column_bytes(st, 2);
        strbuf_add(&ids, (const char *)sqlite3_column_text(st, 2), k[n].len);
        n++;
    }
    done(c, st);
    if (src != SQLITE_ROW && src != SQLITE_DONE) {
        rc = db_fail(c, src, "searching tickets", e);
        goto out;
    }
    if (src == SQLITE_ROW)       /* not an integer time and a text id */
        goto out;
    for (i = 0; i < n; i++)
        k[i].id = strbuf_str(&ids) + k[i].off;
    qsort(k, n, sizeof *k, text_key_cmp);
    if (n > (size_t)limit + 1)
        n = (size_t)limit + 1;
    v = xcalloc(n + 1, sizeof *v);
    for (i = 0; i < n; i++)
        v[i] = k[i].rid;
    rc = text_rows(c, q, limit, tag, v, n, out, ok, e);
out:
    strbuf_fini(&ids);
    free(v);
    free(k);
    free(json);
    return rc;
}

/* Append to r the rowids of the matches of pat in index above rowid top. */
static int
text_matches_above(struct conn *c, const char *index, const char *pat, int64_t top,
                   struct rids *r, struct err *e)
{
    char *sql = xasprintf("SELECT rowid FROM %s WHERE %s MATCH ?1 AND rowid > ?2", index,
                          index);
    sqlite3_stmt *st = prep(c, sql, e);
    int src;

    free(sql);
    if (st == NULL)
        return HL_EIO;
    bind_text(st, 1, pat);
    bind_int(st, 2, top);
    for (src = sqlite3_step(st); src == SQLITE_ROW; src = sqlite3_step(st))
        rids_add(r, sqlite3_column_int64(st, 0));
    done(c, st);
    return src == SQLITE_DONE ? HL_OK : db_fail(c, src, "searching tickets", e);
}

/* *from: ticket_order's from_rid (migration 5): the tickets from that rowid on are the
 * newest in created order, in rowid order; INT64_MAX when the row is missing. */
static int
text_ordered_from(struct conn *c, int64_t *from, struct err *e)
{
    sqlite3_stmt *st = prep(c, "SELECT from_rid FROM ticket_order WHERE one = 1", e);
    int src;

    *from = INT64_MAX;
    if (st == NULL)
        return HL_EIO;
    src = sqlite3_step(st);
    if (src == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_INTEGER)
        *from = sqlite3_column_int64(st, 0);
    done(c, st);
    return src == SQLITE_ROW || src == SQLITE_DONE ? HL_OK
                                                   : db_fail(c, src, "listing tickets", e);
}

/* One page of a text search alone in created order (text_search_alone), without the
 * set of all its matches that the general query builds. The matches are read from the
 * index newest rowid first. Tickets are mostly created in rowid order, so the page is
 * usually the first limit + 1 of them. ticket_order vouches for that when the last of
 * them is at or above its from_rid (text_ordered_from); otherwise walking
 * tickets_created below the cursor does when the entries it passes down to the last of
 * them are exactly the tickets of their rowid range (text_certify). Either way their rows
 * must come in created order (text_rows). Where such a walk is long for the matches
 * there are (few of them among many tickets), all the matches are read by rowid and
 * sorted instead. *answered false when none applies (the caller runs the general
 * query). */
static int
text_page(struct conn *c, const struct ticket_query *q, const struct store_ticket_order *ord,
          int limit, struct ticket_page *out, bool *answered, struct err *e)
{
    struct rids r = { NULL, 0, 0 };
    char *text, *pat = NULL, *cur_id = NULL, *sql = NULL;
    const char *index;
    int64_t key = 0, top = 0, rid, walk = INT64_MAX, from = INT64_MAX;
    sqlite3_stmt *st;
    size_t usable = 0, first;
    bool found, more, yes = false, ordered = false;
    int rc = HL_OK, src;

    *answered = false;
    text = store_util_trim_query(q->q);
    index = ticket_text_index(text, &pat);
    if (!str_empty(q->cursor)
        && store_util_cursor_parse(q->cursor, ord->tag, &key, &cur_id, e) != HL_OK) {
        rc = HL_EINVAL;
        goto out;
    }
    rc = text_top(c, key, cur_id, &top, &found, e);
    if (rc != HL_OK)
        goto out;
    if (!found) {                /* no ticket below the cursor */
        page_alloc(q, limit, out);
        *answered = true;
        goto out;
    }
    rc = text_ordered_from(c, &from, e);
    if (rc != HL_OK)
        goto out;
    ordered = top >= from;
    /* Matches above top are of no use to the walk; below a cursor they are read (for the
     * sort) only when the ones below it turn out to be few. */
    sql = xasprintf("SELECT rowid FROM %s WHERE %s MATCH ?1 AND rowid <= ?2"
                    " ORDER BY rowid DESC LIMIT ?3", index, index);
    st = prep(c, sql, e);
    if (st == NULL) {
        rc = HL_EIO;
        goto out;
    }
    bind_text(st, 1, pat);
    bind_int(st, 2, cur_id != NULL ? top : INT64_MAX);
    bind_int(st, 3, TEXT_READ_MAX);
    for (src = sqlite3_step(st); src == SQLITE_ROW; src = sqlite3_step(st)) {
        rid = sqlite3_column_int64(st, 0);
        rids_add(&r, rid);
        if (rid > top)
            continue;
        ordered = rid >= from;   /* and so all before it, read newest first */
        if (++usable == (size_t)limit + 1)
            walk = rid_span(rid, top);
        if (usable > (size_t)limit && (ordered || walk_cheaper(walk, r.n, (size_t)limit + 1, top)))
            break;
    }
    done(c, st);
    if (src != SQLITE_ROW && src != SQLITE_DONE) {
        rc = db_fail(c, src, "searching tickets", e);
        goto out;
    }
    more = src == SQLITE_ROW || r.n == TEXT_READ_MAX;
    first = r.n - usable;        /* the matches above top come first */
    if (ordered && (usable > (size_t)limit || !more)) {
        /* Below top, from on, in created order: with top at or above from, a ticket
         * above top is newer than top, so above the cursor. */
        rc = text_rows(c, q, limit, ord->tag, r.v + first,
                       usable > (size_t)limit ? (size_t)limit + 1 : usable, out, answered, e);
    } else if (more && usable > (size_t)limit) {
        rc = text_certify(c, key, cur_id, r.v[first + (size_t)limit], top, &yes, e);
        if (rc == HL_OK && yes)
            rc = text_rows(c, q, limit, ord->tag, r.v + first, (size_t)limit + 1, out, answered,
                           e);
    } else if (!more) {
        if (cur_id != NULL)
            rc = text_matches_above(c, index, pat, top, &r, e);
        if (rc == HL_OK)
            rc = text_sorted_rows(c, q, limit, ord->tag, key, cur_id, &r, out, answered, e);
    }
out:
    free(r.v);
    free(sql);
    free(cur_id);
    free(pat);
    free(text);
    return rc;
}

/* One page of tickets, in one read transaction (a savepoint inside the caller's): the
 * statements of a page and its count see the same tickets. */
static int
sq_ticket_list(struct store *s, const struct ticket_query *q, struct ticket_page *out,
               struct err *e)
{
    struct conn *c = conn_get(s, e);
    const struct store_ticket_order *ord;
    int limit = store_util_clamp_limit(q->limit);
    unsigned text_how = 0;
    bool answered = false, walk;
    int rc = HL_OK;

    memset(out, 0, sizeof *out);
    out->total = -1;
    if (c == NULL)
        return HL_EIO;
    if (tx_open(c, false, e) != HL_OK)
        return HL_EIO;
    ord = store_util_ticket_order(q->order, e);
    if (ord != NULL && text_search_alone(q, ord))
        rc = text_page(c, q, ord, limit, out, &answered, e);
    if (rc == HL_OK && !answered)
        rc = list_page(c, q, limit, out, &text_how, e);
    else if (rc == HL_OK && q->count)
        rc = walk_created(c, q, limit, &walk, &text_how, e);   /* the count's plan */
    if (rc == HL_OK && q->count)
        rc = ticket_count(c, q, text_how, &out->total, e);
    rc = tx_end(c, rc, e);
    if (rc != HL_OK) {
        ticket_page_fini(out);
        out->total = -1;
    }
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
    ticket_where(&b, q, 0);
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

/* Recompute the flags of open tickets; save those that changed (version + 1, feed row).
 * The open tickets are read outside the write transaction (decoding 40,000 documents takes
 * a second or more, and writers would wait for it); the ones whose flags changed are read
 * again inside it and saved when their flags still change. */
static int
sq_ticket_reflag(struct store *s, unsigned (*fn)(const struct ticket *t, void *arg),
                 void *arg, int *changed, int64_t *seq, struct err *e)
{
    struct conn *c = conn_get(s, e);
    char **stale_ids = NULL;      /* tickets whose flags changed when read outside the lock */
    size_t n = 0, cap = 0, i;
    sqlite3_stmt *st = NULL;
    int rc = HL_OK, src, saved = 0;
    bool in_tx = false;

    if (changed != NULL)
        *changed = 0;
    if (seq != NULL)
        *seq = 0;
    if (c == NULL)
        return HL_EIO;
    st = prep(c, "SELECT doc, id FROM tickets WHERE status IN ('accepted', 'dispatched', "
              "'in_progress', 'returned', 'replied', 'callback') ORDER BY rid", e);
    if (st == NULL)
        return HL_EIO;
    for (src = sqlite3_step(st); src == SQLITE_ROW; src = sqlite3_step(st)) {
        struct ticket *t = store_util_doc_to_ticket(col_text(st, 0), col_text(st, 1), e);
        bool differs;

        if (t == NULL) {
            rc = HL_EIO;
            goto out;
        }
        differs = fn(t, arg) != t->flags;
        ticket_free(&t);
        if (!differs)
            continue;
        if (n == cap) {
            cap = cap == 0 ? 16 : cap * 2;
            stale_ids = xrealloc(stale_ids, cap * sizeof *stale_ids);
        }
        stale_ids[n++] = col_dup(st, 1);
    }
    if (src != SQLITE_DONE) {
        rc = db_fail(c, src, "scanning open tickets", e);
        goto out;
    }
    done(c, st);
    st = NULL;
    if (n == 0)
        goto out;
    if (tx_begin(c, e) != HL_OK) {
        rc = HL_EIO;
        goto out;
    }
    in_tx = true;
    for (i = 0; i < n && rc == HL_OK; i++) {
        struct ticket *t = NULL;
        unsigned nf;

        rc = load_ticket(c, stale_ids[i], &t, e);
        if (rc == HL_OK && ticket_is_open(t) && (nf = fn(t, arg)) != t->flags) {
            t->flags = nf;
            t->version++;
            rc = save_ticket(c, s, t, "reflag", 0, seq, e);
            saved++;
        }
        ticket_free(&t);
    }
out:
    done(c, st);
    if (in_tx)
        rc = tx_end(c, rc, e);
    if (rc == HL_OK && changed != NULL)
        *changed = saved;
    if (rc != HL_OK && seq != NULL)
        *seq = 0;
    for (i = 0; i < n; i++)
        free(stale_ids[i]);
    free(stale_ids);
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

/* The text an article had before a put, for its kb_gram rows. */
struct kb_old {
    int64_t rid;                /* 0: a new article */
    char *title;
    char *body;
};

/* Read the rid, title and body of a stored article into old (rid 0 when new). */
static int
kb_old_read(struct conn *c, const char *id, struct kb_old *old, struct err *e)
{
    sqlite3_stmt *st = prep(c, "SELECT rid, title, body FROM articles WHERE id = ?1", e);
    int rc = HL_OK, src;

    memset(old, 0, sizeof *old);
    if (st == NULL)
        return HL_EIO;
    bind_text(st, 1, id);
    src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        old->rid = sqlite3_column_int64(st, 0);
        old->title = xstrdup(col_text(st, 1));
        old->body = xstrdup(col_text(st, 2));
    } else if (src != SQLITE_DONE) {
        rc = db_fail(c, src, "reading an article", e);
    }
    done(c, st);
    return rc;
}

/* Add (or with del, remove) the kb_gram rows of an article's text. A contentless FTS5
 * table removes a row given the tokens it was given, which are computed again here. */
static int
kb_gram_rows(struct conn *c, int64_t rid, const char *title, const char *body, bool del,
             struct err *e)
{
    struct store_gram_row *rows;
    size_t n = store_util_gram_rows(title, body, &rows), i;
    sqlite3_stmt *st = prep(c, del ? "INSERT INTO kb_gram(kb_gram, rowid, g) "
                                     "VALUES ('delete', ?1, ?2)"
                                   : "INSERT INTO kb_gram(rowid, g) VALUES (?1, ?2)", e);
    int rc = st != NULL ? HL_OK : HL_EIO;

    for (i = 0; i < n && rc == HL_OK; i++) {
        sqlite3_reset(st);
        bind_int(st, 1, rows[i].rk << 32 | rid);
        bind_text(st, 2, rows[i].tokens);
        rc = step_done(c, st, "indexing the article", e);
    }
    done(c, st);
    store_util_gram_rows_free(rows, n);
    return rc;
}

/* Bring the kb_gram rows of article id from its old text to title and body. */
static int
kb_gram_sync(struct conn *c, const char *id, const struct kb_old *old, const char *title,
             const char *body, struct err *e)
{
    sqlite3_stmt *st;
    int64_t rid = 0;
    int rc = HL_OK, src;

    if (old->rid != 0 && strcmp(old->title, title) == 0 && strcmp(old->body, body) == 0)
        return HL_OK;
    if (old->rid != 0)
        rc = kb_gram_rows(c, old->rid, old->title, old->body, true, e);
    if (rc != HL_OK)
        return rc;
    st = prep(c, "SELECT rid FROM articles WHERE id = ?1", e);
    if (st == NULL)
        return HL_EIO;
    bind_text(st, 1, id);
    src = sqlite3_step(st);
    if (src == SQLITE_ROW)
        rid = sqlite3_column_int64(st, 0);
    else
        rc = db_fail(c, src == SQLITE_DONE ? SQLITE_CORRUPT : src, "indexing the article", e);
    done(c, st);
    if (rc == HL_OK)
        rc = kb_gram_rows(c, rid, title, body, false, e);
    return rc;
}

/* Insert or replace an article by id and keep the search indexes in step (kb_fts by
 * triggers, kb_gram here). */
static int
sq_article_put(struct store *s, const struct article *in, struct article **out, struct err *e)
{
    struct conn *c = conn_get(s, e);
    struct article a;
    struct kb_old old;
    char *id = NULL, *doc = NULL;
    int64_t version = 0;
    hl_time created = 0;
    sqlite3_stmt *st;
    int rc;

    if (out != NULL)
        *out = NULL;
    memset(&old, 0, sizeof old);
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
    if (rc == HL_OK)
        rc = kb_old_read(c, id, &old, e);
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
    if (rc == HL_OK)
        rc = kb_gram_sync(c, id, &old, a.title != NULL ? a.title : "",
                          a.body != NULL ? a.body : "", e);
    if (rc == HL_OK && out != NULL) {
        *out = store_util_doc_to_article(doc, id, e);
        if (*out == NULL)
            rc = HL_EIO;
    }
out:
    rc = tx_end(c, rc, e);
    if (rc != HL_OK && out != NULL)
        article_free(out);
    free(old.title);
    free(old.body);
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

/* Decode an offset cursor of the article search; *fallback (when not NULL) tells whether
 * it continues the bigram fallback of a phrase. */
static int
article_cursor(const char *cursor, int64_t *offset, bool *fallback, struct err *e)
{
    char *id = NULL;
    int rc;

    *offset = 0;
    if (fallback != NULL)
        *fallback = false;
    if (str_empty(cursor))
        return HL_OK;
    rc = store_util_cursor_parse(cursor, 'k', offset, &id, e);
    if (rc == HL_OK && fallback != NULL)
        *fallback = strcmp(id, "f") == 0;
    free(id);
    if (rc == HL_OK && (*offset < 0 || *offset > STORE_OFFSET_MAX))
        rc = err_set(e, HL_EINVAL, "cursor", "the cursor is out of range: start from the "
                     "first page");
    return rc;
}

/* Rows of kb_gram scanned for a phrase before it is ranked from kb_fts instead. */
#define KB_PHRASE_SCAN_MAX   2000
/* Articles of a bigram counted, at most, to choose the rarest bigram of a phrase (about
 * 60 ns each). */
#define KB_ANCHOR_COUNT_MAX  8192
/* Postings read, at most, of each bigram of the fallback (best ranks first). */
#define KB_FALLBACK_POSTINGS 1500
/* Candidates of the fallback checked beyond the page when some bigram had more postings. */
#define KB_FALLBACK_CHECKED  200
/* Distinct bigrams a phrase needs for the fallback ("100%" has too few to mean much). */
#define KB_FALLBACK_GRAMS_MIN 3
/* The cursor id that marks pages of the bigram fallback. */
#define KB_FALLBACK_MARK     "f"

/* One ranked match: fewer matched bigrams (fallback only) rank lower, then the rank of
 * the first match (store_util.h), then newest, then id descending. */
struct kb_hit {
    int64_t rid;
    int64_t key;
    int64_t up;
    int score;
    char *id;
};

/* The matches of a search. */
struct kb_hits {
    struct kb_hit *v;
    size_t n;
    size_t cap;
};

/* Add a match (id copied). */
static void
kb_hits_add(struct kb_hits *h, int64_t rid, int64_t key, int64_t up, int score, const char *id)
{
    if (h->n == h->cap) {
        h->cap = h->cap * 2 + 32;
        h->v = xrealloc(h->v, h->cap * sizeof *h->v);
    }
    h->v[h->n].rid = rid;
    h->v[h->n].key = key;
    h->v[h->n].up = up;
    h->v[h->n].score = score;
    h->v[h->n++].id = xstrdup(id != NULL ? id : "");
}

/* Release the matches. */
static void
kb_hits_fini(struct kb_hits *h)
{
    size_t i;

    for (i = 0; i < h->n; i++)
        free(h->v[i].id);
    free(h->v);
    memset(h, 0, sizeof *h);
}

/* Order of matches, best first (qsort). */
static int
kb_hit_cmp(const void *pa, const void *pb)
{
    const struct kb_hit *a = pa, *b = pb;

    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    if (a->up != b->up)
        return a->up > b->up ? -1 : 1;
    return -strcmp(a->id, b->id);
}

/* Build the query of a search into b; *text gets the trimmed query (owned, NULL when
 * none). Without a query it is the ranked page itself (LIMIT limit + 1 OFFSET *offset; the
 * inner query ranks on keys only, the outer one reads the documents); with one, nothing
 * is built (kb_rank ranks it). */
static int
article_search_sql(const struct article_query *q, int limit, struct qb *b, char **text,
                   int64_t *offset, struct err *e)
{
    *text = NULL;
    if (article_cursor(q->cursor, offset, NULL, e) != HL_OK)
        return HL_EINVAL;
    *text = store_util_trim_query(q->q);
    if (*text != NULL)
        return HL_OK;
    qb_sql(b, "SELECT d.doc, d.id FROM (SELECT a.rid, a.pinned AS k1, 0 AS k2, "
           "a.updated_at AS up, a.id FROM articles a WHERE 1");
    article_where(b, q);
    qb_sql(b, " ORDER BY a.pinned DESC, a.updated_at DESC, a.id DESC LIMIT ");
    qb_int(b, limit + 1);
    qb_sql(b, " OFFSET ");
    qb_int(b, *offset);
    qb_sql(b, ") AS h JOIN articles d ON d.rid = h.rid ORDER BY h.k1 DESC, h.k2, "
           "h.up DESC, h.id DESC");
    return HL_OK;
}

/* Build into b the scan of kb_gram in rank order for one gram, joined to the articles
 * that pass the filters: rowid, rid, updated_at, id, and with text also title and body. */
static void
kb_scan_sql(const struct article_query *q, const char *gram, bool text, struct qb *b)
{
    char *tok = store_util_gram_token(gram);
    char *phrase = fts_phrase(tok);

    qb_sql(b, text ? "SELECT kb_gram.rowid, a.rid, a.updated_at, a.id, a.title, a.body"
                   : "SELECT kb_gram.rowid, a.rid, a.updated_at, a.id");
    qb_sql(b, " FROM kb_gram JOIN articles a ON a.rid = (kb_gram.rowid & 4294967295) "
           "WHERE kb_gram MATCH ");
    qb_text(b, phrase);
    article_where(b, q);
    qb_sql(b, " ORDER BY kb_gram.rowid");
    free(phrase);
    free(tok);
}

/* The keys of the best matches so far: a max-heap of at most need keys, so that the
 * need-th best key is at the top once it is full. */
struct kb_top {
    int64_t *v;
    size_t n;
    size_t need;
};

/* Count a match's key. */
static void
kb_top_add(struct kb_top *t, int64_t key)
{
    size_t i, up;

    if (t->n == t->need) {
        if (key >= t->v[0])
            return;
        /* replace the top and sift it down */
        i = 0;
        for (;;) {
            size_t l = 2 * i + 1, r = l + 1, m = i;
            int64_t vm = key;

            if (l < t->n && t->v[l] > vm) {
                m = l;
                vm = t->v[l];
            }
            if (r < t->n && t->v[r] > vm)
                m = r;
            if (m == i)
                break;
            t->v[i] = t->v[m];
            i = m;
        }
        t->v[i] = key;
        return;
    }
    for (i = t->n++; i > 0 && t->v[up = (i - 1) / 2] < key; i = up)
        t->v[i] = t->v[up];
    t->v[i] = key;
}

/* The need-th best key so far; INT64_MAX while fewer are known. */
static int64_t
kb_top_kth(const struct kb_top *t)
{
    return t->n == t->need && t->need > 0 ? t->v[0] : INT64_MAX;
}

/* The rank of the first match of phrase in the row's title (column 4) and body (column 5);
 * 0 when absent. The title is searched only when the anchor's rank is in it (else the
 * title lacks a bigram of the phrase), the body only when the title has no match. */
static int64_t
kb_verify(sqlite3_stmt *st, const char *phrase, int64_t rank)
{
    int64_t k = 0;

    if (rank < STORE_GRAM_BODY)
        k = store_util_match_rank(col_text(st, 4), NULL, phrase);
    return k > 0 ? k : store_util_match_rank(NULL, col_text(st, 5), phrase);
}

/* Walk a scan of kb_scan_sql in rank order until the first need matches are known. The
 * scan's rank minus shift is a lower bound of a row's match: exact for a 1-2 character
 * query (no phrase); for a phrase, the rank of its bigram at code point shift (the first
 * occurrence of that bigram is at most shift characters after the phrase's). The walk
 * stops at the first row whose bound exceeds the need-th best key found, so the matches
 * kept hold the first need exactly (ties included). *capped when a phrase scan gave up
 * after KB_PHRASE_SCAN_MAX rows. */
static int
kb_scan(struct conn *c, sqlite3_stmt *st, const char *phrase, int64_t shift, size_t need,
        struct kb_hits *h, bool *capped, struct err *e)
{
    struct kb_top top = { xmalloc((need > 0 ? need : 1) * sizeof *top.v), 0, need };
    size_t rows = 0;
    int src, rc = HL_OK;

    *capped = false;
    for (src = sqlite3_step(st); src == SQLITE_ROW; src = sqlite3_step(st)) {
        int64_t rank = sqlite3_column_int64(st, 0) >> 32, lb = rank - shift, key = lb;

        if (lb > kb_top_kth(&top))
            break;
        if (phrase != NULL) {
            if (++rows > KB_PHRASE_SCAN_MAX) {
                *capped = true;
                break;
            }
            key = kb_verify(st, phrase, rank);
            if (key == 0)
                continue;
        }
        kb_top_add(&top, key);
        kb_hits_add(h, sqlite3_column_int64(st, 1), key, sqlite3_column_int64(st, 2), 0,
                    col_text(st, 3));
    }
    if (src != SQLITE_ROW && src != SQLITE_DONE)
        rc = db_fail(c, src, "searching the knowledge base", e);
    free(top.v);
    return rc;
}

/* Every match of a phrase of 3 characters or more from the trigram index, with its rank:
 * for phrases whose bigrams are all common but the phrase is not. */
static int
kb_phrase_all(struct conn *c, const struct article_query *q, const char *text,
              struct kb_hits *h, struct err *e)
{
    char *phrase = fts_phrase(text);
    sqlite3_stmt *st;
    struct qb b;
    int rc = HL_OK, src;

    qb_init(&b);
    qb_sql(&b, "SELECT kb_fts.rowid, a.rid, a.updated_at, a.id, a.title, a.body FROM kb_fts "
           "JOIN articles a ON a.rid = kb_fts.rowid WHERE kb_fts MATCH ");
    qb_text(&b, phrase);
    article_where(&b, q);
    st = prep(c, b.sql.buf, e);
    if (st == NULL) {
        rc = HL_EIO;
        goto out;
    }
    qb_bind(&b, st);
    for (src = sqlite3_step(st); src == SQLITE_ROW; src = sqlite3_step(st)) {
        int64_t key = kb_verify(st, text, 0);

        if (key > 0)
            kb_hits_add(h, sqlite3_column_int64(st, 1), key, sqlite3_column_int64(st, 2), 0,
                        col_text(st, 3));
    }
    if (src != SQLITE_DONE)
        rc = db_fail(c, src, "searching the knowledge base", e);
    done(c, st);
out:
    qb_fini(&b);
    free(phrase);
    return rc;
}

/* How many articles have a gram, counted up to max; HL_OK or HL_EIO. */
static int
kb_gram_df(struct conn *c, const char *gram, int64_t max, int64_t *df, struct err *e)
{
    char *tok = store_util_gram_token(gram);
    char *phrase = fts_phrase(tok);
    sqlite3_stmt *st = prep(c, "SELECT count(*) FROM (SELECT 1 FROM kb_gram "
                            "WHERE kb_gram MATCH ?1 LIMIT ?2)", e);
    int rc = HL_OK, src;

    free(tok);
    *df = 0;
    if (st != NULL) {
        bind_text(st, 1, phrase);
        bind_int(st, 2, max);
        src = sqlite3_step(st);
        if (src == SQLITE_ROW)
            *df = sqlite3_column_int64(st, 0);
        else
            rc = db_fail(c, src, "searching the knowledge base", e);
        done(c, st);
    } else {
        rc = HL_EIO;
    }
    free(phrase);
    return rc;
}

/* A candidate of the fallback: the bigrams (bit i = grams[i]) found among the postings
 * read and the best rank among them. */
struct kb_cand {
    int64_t rid;
    int64_t key;
    uint32_t mask;
    int count;
};

/* The candidates of the fallback by rid (open addressing; rid 0 = empty slot). */
struct kb_cands {
    struct kb_cand *v;
    size_t mask;
    size_t n;
};

/* The slot of rid in cs (its own or the empty one where it goes). */
static size_t
kb_cands_slot(const struct kb_cands *cs, int64_t rid)
{
    size_t i = (size_t)((uint64_t)rid * UINT64_C(0x9e3779b97f4a7c15) >> 24) & cs->mask;

    while (cs->v[i].rid != 0 && cs->v[i].rid != rid)
        i = (i + 1) & cs->mask;
    return i;
}

/* Count posting (rid, rank) of bigram bit, growing the table at half full. */
static void
kb_cands_add(struct kb_cands *cs, int64_t rid, int64_t rank, uint32_t bit)
{
    size_t i;

    if (2 * (cs->n + 1) > cs->mask + 1) {
        struct kb_cands old = *cs;

        cs->mask = old.v == NULL ? 1023 : 2 * old.mask + 1;
        cs->v = xcalloc(cs->mask + 1, sizeof *cs->v);
        for (i = 0; old.v != NULL && i <= old.mask; i++)
            if (old.v[i].rid != 0)
                cs->v[kb_cands_slot(cs, old.v[i].rid)] = old.v[i];
        free(old.v);
    }
    i = kb_cands_slot(cs, rid);
    if (cs->v[i].rid == 0) {
        cs->v[i].rid = rid;
        cs->v[i].key = rank;
        cs->n++;
    }
    if ((cs->v[i].mask & bit) == 0) {
        cs->v[i].mask |= bit;
        cs->v[i].count++;
    }
    if (rank < cs->v[i].key)
        cs->v[i].key = rank;
}

/* Order of candidates, most bigrams first, then best rank, then rid (qsort). */
static int
kb_cand_cmp(const void *pa, const void *pb)
{
    const struct kb_cand *a = pa, *b = pb;

    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return a->rid < b->rid ? -1 : a->rid > b->rid;
}

/* Read the postings of grams[i] (up to KB_FALLBACK_POSTINGS, best rank first) into cs;
 * *more when it has more. */
static int
kb_fallback_postings(struct conn *c, const char *gram, uint32_t bit, struct kb_cands *cs,
                     bool *more, struct err *e)
{
    char *tok = store_util_gram_token(gram);
    char *phrase = fts_phrase(tok);
    sqlite3_stmt *st = prep(c, "SELECT rowid FROM kb_gram WHERE kb_gram MATCH ?1 "
                            "ORDER BY rowid LIMIT ?2", e);
    int64_t rows = 0;
    int rc = HL_OK, src;

    free(tok);
    *more = false;
    if (st == NULL) {
        free(phrase);
        return HL_EIO;
    }
    bind_text(st, 1, phrase);
    bind_int(st, 2, KB_FALLBACK_POSTINGS + 1);
    for (src = sqlite3_step(st); src == SQLITE_ROW; src = sqlite3_step(st)) {
        int64_t rowid = sqlite3_column_int64(st, 0);

        if (++rows > KB_FALLBACK_POSTINGS) {
            *more = true;
            continue;
        }
        kb_cands_add(cs, rowid & INT64_C(4294967295), rowid >> 32, bit);
    }
    if (src != SQLITE_DONE)
        rc = db_fail(c, src, "searching the knowledge base", e);
    done(c, st);
    free(phrase);
    return rc;
}

/* The fallback for a phrase found nowhere whole: articles with its bigrams, ranked by how
 * many of them they have (then rank, newest, id). The postings of every bigram are read,
 * best rank first, up to KB_FALLBACK_POSTINGS each. When none had more, they give every
 * article's bigrams and rank exactly, and candidates are checked against the filters in
 * that order until the first need are settled. Otherwise (bounded): candidates are taken
 * by the bigrams found among the postings read, need + KB_FALLBACK_CHECKED of them that
 * pass the filters are scored on their text for the bigrams cut short, and ranked; an
 * article whose bigrams are all common ones ranked late in it can be left out. */
static int
kb_fallback(struct conn *c, const struct article_query *q, char *const *grams, size_t ng,
            size_t need, struct kb_hits *h, struct err *e)
{
    struct kb_cands cs = { NULL, 0, 0 };
    sqlite3_stmt *st = NULL;
    uint32_t cut = 0;
    size_t i, j, kept = 0;
    struct qb b;
    int rc = HL_OK, src, krid;

    qb_init(&b);
    for (i = 0; i < ng && rc == HL_OK; i++) {
        bool more;

        rc = kb_fallback_postings(c, grams[i], UINT32_C(1) << i, &cs, &more, e);
        if (more)
            cut |= UINT32_C(1) << i;
    }
    if (rc != HL_OK || cs.n == 0)
        goto out;
    for (i = 0, j = 0; i <= cs.mask; i++)      /* the candidates to the front, in order */
        if (cs.v[i].rid != 0)
            cs.v[j++] = cs.v[i];
    qsort(cs.v, cs.n, sizeof *cs.v, kb_cand_cmp);
    krid = qb_param(&b, false, 0, NULL);
    strbuf_addf(&b.sql, "SELECT a.title, a.body, a.updated_at, a.id FROM articles a "
                "WHERE a.rid = ?%d", krid);
    article_where(&b, q);
    st = prep(c, b.sql.buf, e);
    if (st == NULL) {
        rc = HL_EIO;
        goto out;
    }
    for (i = 0; i < cs.n && rc == HL_OK; i++) {
        struct kb_cand *cd = &cs.v[i];

        /* exact: past the need-th kept one's bigrams and rank, nothing ranks above it */
        if (cut == 0 && kept >= need
            && (cd->count != h->v[need - 1].score || cd->key != h->v[need - 1].key))
            break;
        if (cut != 0 && kept >= need + KB_FALLBACK_CHECKED)
            break;
        sqlite3_reset(st);
        qb_bind(&b, st);
        sqlite3_bind_int64(st, krid, cd->rid);
        src = sqlite3_step(st);
        if (src == SQLITE_DONE)
            continue;
        if (src != SQLITE_ROW) {
            rc = db_fail(c, src, "searching the knowledge base", e);
            break;
        }
        for (j = 0; j < ng; j++) {
            int64_t k;

            if ((cut & ~cd->mask & (UINT32_C(1) << j)) == 0)
                continue;
            k = store_util_match_rank(col_text(st, 0), col_text(st, 1), grams[j]);
            if (k > 0) {
                cd->count++;
                if (k < cd->key)
                    cd->key = k;
            }
        }
        kb_hits_add(h, cd->rid, cd->key, sqlite3_column_int64(st, 2), cd->count,
                    col_text(st, 3));
        kept++;
    }
out:
    done(c, st);
    qb_fini(&b);
    free(cs.v);
    return rc;
}

/* The gram a search scans (kb_scan) and its code point in the text (*shift): the text
 * itself when it has 1-2 characters; for a phrase the bigram with the fewest articles
 * among its first STORE_GRAMS_MAX, the first of equals (each counted only up to the
 * fewest so far, at most KB_ANCHOR_COUNT_MAX). NULL (HL_OK) when some
 * bigram is in no article, so the phrase is in none. Owned. */
static int
kb_anchor(struct conn *c, const char *text, char **anchor, int64_t *shift, struct err *e)
{
    char **bi = NULL;
    size_t n, i, j, best = 0;
    int64_t best_df = INT64_MAX;
    int rc = HL_OK;

    *anchor = NULL;
    *shift = 0;
    if (!store_util_use_trigrams(text)) {
        *anchor = xstrdup(text);
        return HL_OK;
    }
    n = store_util_text_bigrams(text, &bi);
    for (i = 0; i < n && i < STORE_GRAMS_MAX && rc == HL_OK && best_df > 0; i++) {
        int64_t df = 0;

        for (j = 0; j < i && strcmp(bi[j], bi[i]) != 0; j++)
            ;
        if (j < i)
            continue;                           /* counted before */
        rc = kb_gram_df(c, bi[i], best_df < KB_ANCHOR_COUNT_MAX ? best_df : KB_ANCHOR_COUNT_MAX,
                        &df, e);
        if (rc == HL_OK && df < best_df) {
            best_df = df;
            best = i;
        }
    }
    if (rc == HL_OK && best_df > 0 && n > 0) {
        *anchor = bi[best];
        bi[best] = NULL;
        *shift = (int64_t)best;
    }
    store_util_strings_free(bi, n);
    return rc;
}

/* The ranked matches of a query text: the first need of them, or all when fewer;
 * *fallback set when they come from the bigram fallback (or must, by the cursor). */
static int
kb_rank(struct conn *c, const struct article_query *q, const char *text, size_t need,
        bool *fallback, struct kb_hits *h, char ***grams, size_t *ng, struct err *e)
{
    sqlite3_stmt *st = NULL;
    struct qb b;
    int64_t shift = 0;
    char *anchor = NULL;
    bool capped = false, phrase = store_util_use_trigrams(text);
    int rc = HL_OK;

    *grams = NULL;
    *ng = 0;
    qb_init(&b);
    if (!*fallback) {
        rc = kb_anchor(c, text, &anchor, &shift, e);
        if (rc == HL_OK && anchor != NULL) {
            kb_scan_sql(q, anchor, phrase, &b);
            st = prep(c, b.sql.buf, e);
            rc = st != NULL ? HL_OK : HL_EIO;
            if (rc == HL_OK) {
                qb_bind(&b, st);
                rc = kb_scan(c, st, phrase ? text : NULL, shift, need, h, &capped, e);
            }
            done(c, st);
        }
        if (rc == HL_OK && capped) {
            kb_hits_fini(h);
            rc = kb_phrase_all(c, q, text, h, e);
        }
        /* a phrase found nowhere whole: its bigrams (only from the first page on) */
        *fallback = rc == HL_OK && phrase && h->n == 0 && str_empty(q->cursor);
    }
    if (rc == HL_OK && *fallback) {
        *ng = store_util_phrase_bigrams(text, grams);
        if (*ng >= KB_FALLBACK_GRAMS_MIN)
            rc = kb_fallback(c, q, *grams, *ng, need, h, e);
    }
    if (rc == HL_OK && h->n > 1)
        qsort(h->v, h->n, sizeof *h->v, kb_hit_cmp);
    qb_fini(&b);
    free(anchor);
    return rc;
}

/* Read the page's articles by rid into out, with their snippets. */
static int
kb_page(struct conn *c, const struct kb_hits *h, size_t from, size_t to, const char *text,
        char *const *grams, size_t ng, struct article_page *out, struct err *e)
{
    sqlite3_stmt *st = prep(c, "SELECT doc, id FROM articles WHERE rid = ?1", e);
    int rc = HL_OK, src;
    size_t i;

    if (st == NULL)
        return HL_EIO;
    for (i = from; i < to && rc == HL_OK; i++) {
        struct article *a;

        sqlite3_reset(st);
        bind_int(st, 1, h->v[i].rid);
        src = sqlite3_step(st);
        if (src != SQLITE_ROW) {
            rc = db_fail(c, src == SQLITE_DONE ? SQLITE_CORRUPT : src,
                         "reading a found article", e);
            break;
        }
        a = store_util_doc_to_article(col_text(st, 0), col_text(st, 1), e);
        if (a == NULL) {
            rc = HL_EIO;
            break;
        }
        free(a->snippet);
        a->snippet = ng > 0 ? store_util_article_snippet_grams(a, grams, ng)
                            : store_util_article_snippet(a, text);
        out->items[out->n++] = *a;
        free(a);
    }
    done(c, st);
    return rc;
}

/* Ranked knowledge-base search: without a query straight from the articles' order
 * index; with one from the gram index in rank order (kb_rank). */
static int
sq_article_search(struct store *s, const struct article_query *q, struct article_page *out,
                  struct err *e)
{
    struct conn *c = conn_get(s, e);
    int limit = store_util_clamp_limit(q->limit);
    char *text = NULL, **grams = NULL;
    size_t ng = 0, from, to;
    int64_t offset = 0;
    sqlite3_stmt *st = NULL;
    struct kb_hits h;
    bool fallback = false;
    struct qb b;
    int rc, src;

    memset(out, 0, sizeof *out);
    memset(&h, 0, sizeof h);
    qb_init(&b);
    if (c == NULL)
        return HL_EIO;
    rc = article_cursor(q->cursor, &offset, &fallback, e);
    if (rc != HL_OK)
        goto out;
    out->items = xcalloc((size_t)limit, sizeof *out->items);
    text = store_util_trim_query(q->q);
    if (text != NULL) {
        rc = tx_open(c, false, e);
        if (rc == HL_OK)
            rc = kb_rank(c, q, text, (size_t)offset + (size_t)limit + 1, &fallback, &h,
                         &grams, &ng, e);
        if (rc == HL_OK) {
            from = (size_t)offset < h.n ? (size_t)offset : h.n;
            to = from + (size_t)limit < h.n ? from + (size_t)limit : h.n;
            rc = kb_page(c, &h, from, to, text, grams, ng, out, e);
            if (rc == HL_OK && h.n > to)
                out->next_cursor = store_util_cursor_make('k', offset + limit,
                                                          fallback ? KB_FALLBACK_MARK : "");
        }
        rc = tx_end(c, rc, e);
        goto out;
    }
    rc = article_search_sql(q, limit, &b, &text, &offset, e);
    if (rc != HL_OK)
        goto out;
    st = prep(c, b.sql.buf, e);
    if (st == NULL) {
        rc = HL_EIO;
        goto out;
    }
    qb_bind(&b, st);
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
        a->snippet = store_util_article_snippet(a, NULL);
        out->items[out->n++] = *a;
        free(a);
    }
    if (src != SQLITE_ROW && src != SQLITE_DONE)
        rc = db_fail(c, src, "searching the knowledge base", e);
out:
    done(c, st);
    if (rc != HL_OK)
        article_page_fini(out);
    kb_hits_fini(&h);
    store_util_strings_free(grams, ng);
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

/* Append an audit row; inside a transaction without a savepoint of its own (one
 * statement either writes its row or nothing). */
static int
sq_audit_add(struct store *s, const char *user_id, const char *ticket_id, const char *what,
             hl_time at, struct err *e)
{
    struct conn *c = conn_get(s, e);
    sqlite3_stmt *st;
    bool own;
    int rc;

    if (c == NULL)
        return HL_EIO;
    own = c->depth == 0;
    if (own && tx_begin(c, e) != HL_OK)
        return HL_EIO;
    st = prep(c, "INSERT INTO audit(at, user_id, ticket_id, what) VALUES (?1, ?2, ?3, ?4)", e);
    if (st == NULL) {
        if (own)
            tx_rollback(c);
        return HL_EIO;
    }
    bind_int(st, 1, at != 0 ? at : now());
    bind_text(st, 2, user_id);
    bind_text(st, 3, ticket_id);
    bind_text(st, 4, what != NULL ? what : "");
    rc = step_done(c, st, "writing the audit log", e);
    done(c, st);
    return own ? tx_end(c, rc, e) : rc;
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

/* True when kb_gram has token tok at rowid (HL_OK), else false; HL_EIO on error. */
static int
check_gram_row(struct conn *c, sqlite3_stmt *st, const char *tok, int64_t rowid, bool *found,
               struct err *e)
{
    char *phrase = fts_phrase(tok);
    int src;

    sqlite3_reset(st);
    bind_text(st, 1, phrase);
    sqlite3_bind_int64(st, 2, rowid);
    src = sqlite3_step(st);
    free(phrase);
    *found = src == SQLITE_ROW;
    return src == SQLITE_ROW || src == SQLITE_DONE ? HL_OK
                                                   : db_fail(c, src, "checking kb_gram", e);
}

/* FTS5's own integrity-check of the search index table (skipped, with a line saying so,
 * when the database is read-only or busy); a failure is a problem of the section. */
static int
fts_integrity(struct conn *c, struct strbuf *r, int *section, int *total, const char *table,
              struct err *e)
{
    char sql[128];
    sqlite3_stmt *st;
    int src;

    snprintf(sql, sizeof sql, "INSERT INTO %s(%s) VALUES ('integrity-check')", table, table);
    st = prep(c, sql, e);
    if (st == NULL)
        return HL_EIO;
    src = sqlite3_step(st);
    if ((src & 0xff) == SQLITE_READONLY || (src & 0xff) == SQLITE_BUSY)
        strbuf_addf(r, "search index %s: integrity-check skipped (%s)\n", table,
                    sqlite3_errstr(src));
    else if (src != SQLITE_DONE)
        store_util_problem(r, section, total, "search index %s: %s", table,
                           sqlite3_errmsg(c->db));
    done(c, st);
    return HL_OK;
}

/* The end of a gram index's check: its integrity-check (fts_integrity), then the line
 * "search index TABLE: N NOUN checked". */
static int
gram_integrity(struct conn *c, struct strbuf *r, int *section, int *total, const char *table,
               const char *noun, long long n, struct err *e)
{
    if (fts_integrity(c, r, section, total, table, e) != HL_OK)
        return HL_EIO;
    strbuf_addf(r, "search index %s: %lld %s checked, %s\n", table, n, noun,
                *section == 0 ? "ok" : "FAILED");
    return HL_OK;
}

/* The gram index of the knowledge base (contentless, so FTS5 cannot compare it with the
 * articles): its integrity-check, and for every article the first and the last of the
 * rows its text gives (store_util_gram_rows), which a missing or stale article lacks. */
static int
check_kb_gram(struct conn *c, struct strbuf *r, int *total, struct err *e)
{
    sqlite3_stmt *st = prep(c, "SELECT rid, id, title, body FROM articles ORDER BY rid", e);
    sqlite3_stmt *look = NULL;
    int section = 0, src = SQLITE_DONE, rc = HL_OK;
    int64_t n = 0;

    if (st == NULL)
        return HL_EIO;
    look = prep(c, "SELECT 1 FROM kb_gram WHERE kb_gram MATCH ?1 AND rowid = ?2", e);
    if (look == NULL) {
        rc = HL_EIO;
        goto out;
    }
    for (src = sqlite3_step(st); src == SQLITE_ROW && rc == HL_OK; src = sqlite3_step(st)) {
        struct store_gram_row *rows;
        size_t nr = store_util_gram_rows(col_text(st, 2), col_text(st, 3), &rows), k;
        int64_t rid = sqlite3_column_int64(st, 0);
        bool found = true;

        n++;
        for (k = 0; k < nr && found && rc == HL_OK; k += nr - 1 > 0 ? nr - 1 : 1) {
            const char *sp = strchr(rows[k].tokens, ' ');
            char *tok = sp != NULL ? xstrndup(rows[k].tokens, (size_t)(sp - rows[k].tokens))
                                   : xstrdup(rows[k].tokens);

            rc = check_gram_row(c, look, tok, rows[k].rk << 32 | rid, &found, e);
            free(tok);
        }
        store_util_gram_rows_free(rows, nr);
        if (rc == HL_OK && !found)
            store_util_problem(r, &section, total, "article %s: missing or stale in search "
                               "index kb_gram", col_text(st, 1));
    }
    if (rc == HL_OK && src != SQLITE_DONE)
        store_util_problem(r, &section, total, "reading articles failed: %s",
                           sqlite3_errstr(src));
out:
    done(c, look);
    done(c, st);
    if (rc != HL_OK)
        return rc;
    return gram_integrity(c, r, &section, total, "kb_gram", "articles", n, e);
}

/* One expected ticket_gram posting: token tok at rowid rid, of ticket number k. */
struct tgram_probe {
    char *tok;
    int64_t rid;
    size_t k;
};

/* Order probes by token, then rowid (the order of a token's doclist). */
static int
tgram_probe_cmp(const void *a, const void *b)
{
    const struct tgram_probe *x = a, *y = b;
    int d = strcmp(x->tok, y->tok);

    if (d != 0)
        return d;
    return x->rid < y->rid ? -1 : x->rid > y->rid;
}

/* Collect the probes of the current ticket row (rid, TGRAM_COLS): the first and the last
 * token of each searched text column (the id never changes). */
static void
tgram_probes(sqlite3_stmt *st, size_t k, struct tgram_probe **v, size_t *n, size_t *cap)
{
    struct strbuf sb;
    size_t at[2];
    int i, j;

    for (i = 1; i < TGRAM_NCOLS; i++) {
        strbuf_init(&sb);
        tgram_column(&sb, col_text(st, i + 1));
        at[0] = 0;
        at[1] = sb.len;                 /* back to the start of the last token */
        while (at[1] > 0 && sb.buf[at[1] - 1] != ' ')
            at[1]--;
        for (j = 0; j < 2 && sb.len > 0; j++) {
            if (*n == *cap) {
                *cap = *cap * 2 + 64;
                *v = xrealloc(*v, *cap * sizeof **v);
            }
            (*v)[*n].tok = xstrndup(sb.buf + at[j], strcspn(sb.buf + at[j], " "));
            (*v)[*n].rid = sqlite3_column_int64(st, 0);
            (*v)[(*n)++].k = k;
        }
        strbuf_fini(&sb);
    }
}

/* Mark in bad the probes of v[from, to) (one token, rowids ascending) missing from the
 * token's doclist, read once. */
static int
tgram_probe_token(struct conn *c, sqlite3_stmt *look, const struct tgram_probe *v, size_t from,
                  size_t to, bool *bad, struct err *e)
{
    char *phrase = fts_phrase(v[from].tok);
    int src;

    sqlite3_reset(look);
    bind_text(look, 1, phrase);
    free(phrase);
    for (src = sqlite3_step(look); src == SQLITE_ROW && from < to; src = sqlite3_step(look)) {
        int64_t rowid = sqlite3_column_int64(look, 0);

        for (; from < to && v[from].rid < rowid; from++)
            bad[v[from].k] = true;
        for (; from < to && v[from].rid == rowid; from++)
            ;
    }
    if (src != SQLITE_ROW && src != SQLITE_DONE)
        return db_fail(c, src, "checking ticket_gram", e);
    for (; from < to; from++)
        bad[v[from].k] = true;
    return HL_OK;
}

/* The gram index of ticket searches (contentless, so FTS5 cannot compare it with the
 * tickets): its integrity-check, and for every ticket the first and the last token of
 * each searched text column at its rid, which a missing or stale ticket lacks. The
 * expected postings are sorted by token so that each token's doclist is read once. */
static int
check_ticket_gram(struct conn *c, struct strbuf *r, int *total, struct err *e)
{
    sqlite3_stmt *st = prep(c, "SELECT rid, " TGRAM_COLS " FROM tickets ORDER BY rid", e);
    sqlite3_stmt *look = NULL;
    struct tgram_probe *v = NULL;
    size_t nv = 0, cap = 0, n = 0, i, j;
    char **ids = NULL;
    bool *bad = NULL;
    int section = 0, src = SQLITE_DONE, rc = HL_OK;

    if (st == NULL)
        return HL_EIO;
    for (src = sqlite3_step(st); src == SQLITE_ROW; src = sqlite3_step(st)) {
        if ((n & (n - 1)) == 0)
            ids = xrealloc(ids, (n == 0 ? 1 : 2 * n) * sizeof *ids);
        ids[n] = col_dup(st, 1);
        tgram_probes(st, n++, &v, &nv, &cap);
    }
    done(c, st);
    if (src != SQLITE_DONE)
        store_util_problem(r, &section, total, "reading tickets failed: %s",
                           sqlite3_errstr(src));
    if (nv > 1)
        qsort(v, nv, sizeof *v, tgram_probe_cmp);
    bad = xcalloc(n + 1, sizeof *bad);
    look = prep(c, "SELECT rowid FROM ticket_gram WHERE ticket_gram MATCH ?1", e);
    if (look == NULL)
        rc = HL_EIO;
    for (i = 0; i < nv && rc == HL_OK; i = j) {
        for (j = i + 1; j < nv && strcmp(v[j].tok, v[i].tok) == 0; j++)
            ;
        rc = tgram_probe_token(c, look, v, i, j, bad, e);
    }
    done(c, look);
    for (i = 0; i < n && rc == HL_OK; i++)
        if (bad[i])
            store_util_problem(r, &section, total, "ticket %s: missing or stale in search "
                               "index ticket_gram", ids[i]);
    for (i = 0; i < nv; i++)
        free(v[i].tok);
    free(v);
    for (i = 0; i < n; i++)
        free(ids[i]);
    free(ids);
    free(bad);
    if (rc != HL_OK)
        return rc;
    return gram_integrity(c, r, &section, total, "ticket_gram", "tickets", n, e);
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
    if (fts_integrity(c, r, &section, total, fts, e) != HL_OK)
        return HL_EIO;
    strbuf_addf(r, "search index %s: %lld rows, %s\n", fts, (long long)indexed,
                section == 0 ? "ok" : "FAILED");
    return HL_OK;
}

/* ticket_order's from_rid is at or above the rowid the tickets are in created order
 * from (TICKET_ORDERED_FROM_SQL): lower, text searches could list tickets out of order or
 * leave some out. */
static int
check_ticket_order(struct conn *c, struct strbuf *r, int *total, struct err *e)
{
    sqlite3_stmt *st = prep(c, "SELECT (SELECT from_rid FROM ticket_order WHERE one = 1), ("
                            TICKET_ORDERED_FROM_SQL ")", e);
    int section = 0, src;
    int64_t stored = 0, actual = 0;

    if (st == NULL)
        return HL_EIO;
    src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        stored = sqlite3_column_int64(st, 0);
        actual = sqlite3_column_int64(st, 1);
        if (sqlite3_column_type(st, 0) != SQLITE_INTEGER)
            store_util_problem(r, &section, total, "ticket_order: the row is missing (text "
                               "searches read their pages the slow way)");
        else if (stored < actual)
            store_util_problem(r, &section, total, "ticket_order: from_rid %lld, but the tickets "
                               "are in created order only from rowid %lld",
                               (long long)stored, (long long)actual);
    }
    done(c, st);
    if (src != SQLITE_ROW)
        return db_fail(c, src, "checking ticket_order", e);
    strbuf_addf(r, "ticket order: in created order from rowid %lld, %s\n", (long long)stored,
                section == 0 ? "ok" : "FAILED");
    return HL_OK;
}

/* ---- search indexes: tidied in idle time ---- */

/* The FTS5 indexes sq_index_tidy merges. */
static const char *const tidy_indexes[] = { "ticket_fts", "ticket_gram", "kb_fts", "kb_gram" };
/* Leaf pages one step of sq_index_tidy writes at most (a short write transaction). */
#define TIDY_STEP_PAGES 64

/* Merge the segments of the search indexes, level by level (usermerge 2, migration 5),
 * one step of TIDY_STEP_PAGES pages a write transaction (a step that finds an index tidy
 * is not counted): each write of a ticket adds a
 * small segment, FTS5 merges them four at a time as it writes, and every segment costs
 * each search a lookup (a 4-character ticket search at 4,000 tickets: 11 segments, 60 us
 * of the index; 3 segments, 33 us). A step that changes fewer than two rows found
 * nothing to merge (FTS5's merge command). */
static int
sq_index_tidy(struct store *s, int max_steps, int *steps, bool *done, struct err *e)
{
    struct conn *c = conn_get(s, e);
    size_t i = 0;
    int rc = HL_OK;

    *steps = 0;
    *done = false;
    if (c == NULL)
        return HL_EIO;
    while (i < ARRAY_SIZE(tidy_indexes) && *steps < max_steps) {
        char *sql = xasprintf("INSERT INTO %s(%s, rank) VALUES ('merge', %d)", tidy_indexes[i],
                              tidy_indexes[i], TIDY_STEP_PAGES);
        sqlite3_int64 before;

        rc = tx_begin(c, e);
        if (rc == HL_OK) {
            before = sqlite3_total_changes64(c->db);
            rc = run(c, sql, "merging a search index", e);
            if (rc == HL_OK && sqlite3_total_changes64(c->db) - before < 2)
                i++;             /* this index is tidy: not a step */
            else if (rc == HL_OK)
                (*steps)++;
            rc = tx_end(c, rc, e);
        }
        free(sql);
        if (rc != HL_OK)
            return rc;
    }
    *done = i == ARRAY_SIZE(tidy_indexes);
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
    if (rc == HL_OK)
        rc = check_kb_gram(c, &r, &total, e);
    if (rc == HL_OK)
        rc = check_ticket_gram(c, &r, &total, e);
    if (rc == HL_OK)
        rc = check_ticket_order(c, &r, &total, e);
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

/* The query plan of the page query ticket_list would run for q (for a text search alone,
 * text_page's statements give the same rows; this is the general query they stand in for
 * and fall back to). */
int
store_sqlite_explain_tickets(struct store *s, const struct ticket_query *q, char **plan,
                             struct err *e)
{
    struct conn *c = conn_get(s, e);
    const struct store_ticket_order *ord;
    struct qb b;
    int rc, limit = store_util_clamp_limit(q->limit);
    bool walk = false;
    unsigned text_how = 0;

    *plan = NULL;
    if (c == NULL)
        return HL_EIO;
    qb_init(&b);
    rc = walk_created(c, q, limit, &walk, &text_how, e);
    if (rc == HL_OK)
        rc = ticket_list_sql(q, limit, walk, text_how, &b, &ord, e);
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
    if (rc == HL_OK && text != NULL) {
        char *anchor = NULL;
        int64_t shift;

        rc = kb_anchor(c, text, &anchor, &shift, e);
        if (rc == HL_OK)
            kb_scan_sql(q, anchor != NULL ? anchor : text, store_util_use_trigrams(text), &b);
        free(anchor);
    }
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
    .ticket_create_doc = sq_ticket_create_doc,
    .caller_has_open = sq_caller_has_open,
    .ticket_get = sq_ticket_get,
    .ticket_get_doc = sq_ticket_get_doc,
    .ticket_update = sq_ticket_update,
    .ticket_list = sq_ticket_list,
    .ticket_scan = sq_ticket_scan,
    .cluster_callers = sq_cluster_callers,
    .ticket_reflag = sq_ticket_reflag,
    .index_tidy = sq_index_tidy,
    .article_put = sq_article_put,
    .article_get = sq_article_get,
    .article_search = sq_article_search,
    .article_scan = sq_article_scan,
    .audit_add = sq_audit_add,
    .write_tx = sq_write_tx,
    .audit_list = sq_audit_list,
    .feed_last_seq = sq_feed_last_seq,
    .feed_since = sq_feed_since,
    .feed_add = sq_feed_add,
    .call_event_add = sq_call_event_add,
    .call_records_add = sq_call_records_add,
    .call_counts = sq_call_counts,
};
