/* store_pg: the PostgreSQL store: a libpq connection pool per instance, versioned schema,
 * LISTEN/NOTIFY for the change feed, so several hotlined can share one database.
 *
 * Layout. A store owns a pool of at most pool_size connections. Each call borrows one
 * for its duration (a thread that already holds one, because a mutate callback calls the
 * store from inside ticket_update, gets the same one back, so nested calls join the
 * transaction as savepoints). Every connection caches its prepared statements by SQL
 * text (PQprepare once, then PQexecPrepared); every value is a parameter. A connection
 * found dead is reset before use, a read on a dead one is retried once, anything else
 * fails with a message that says the connection was lost, and the broken connection is
 * closed, so the next call opens a new one.
 *
 * Concurrency between instances is the database's: ticket_update reads the row with
 * SELECT ... FOR UPDATE, checks the version and writes in one READ COMMITTED transaction
 * (a second writer waits for the row and then sees the new version: 412, never a lost
 * update); daily ticket numbers and idempotency keys are upserts on unique keys. Feed rows
 * are appended by hotline_feed_append() under a transaction-scoped advisory lock, so the
 * order of feed numbers is the order of commits (a plain sequence hands numbers out in
 * call order, and a reader at seq N could miss a smaller one committed later); it also
 * sends NOTIFY hotline_feed '<seq>', delivered at commit to every instance's listener.
 *
 * Text search: pg_trgm GIN indexes serve ILIKE '%q%' (3 characters and more; shorter
 * queries scan, as in SQLite). Text columns use the "C" collation so ILIKE folds ASCII
 * only, orders compare bytes, and results match the SQLite store's. Article ranking is
 * the SQLite store's (it replaced bm25): title hits first, then the position of the first
 * match (in the title, else in the body), then newest, then id descending; a phrase of 3+
 * characters found nowhere whole falls back to its bigrams, ranked by how many of them an
 * article has first (here every article is scored; SQLite bounds that work).
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "config.h"
#include "hotline/codec.h"
#include "hotline/datetime.h"
#include "hotline/model.h"
#include "hotline/text.h"
#include "hotline/tz.h"
#include "hotline/util.h"
#include "store.h"
#include "store_pg.h"
#include "store_util.h"

#define CACHE_SLOTS       64          /* prepared statements kept per connection */
#define NO_TIME           INT64_MAX   /* column value of an unset due time */
#define MAX_FEED_LIMIT    1000
#define IDEM_KEEP_SECS    (8 * 86400) /* idempotency keys live 8 days (at least 7 promised) */
#define IDEM_PURGE_EVERY  128         /* creates on a connection between purges */
#define POOL_MAX          64          /* largest pool_size accepted */
#define POOL_WAIT_S       10          /* longest wait for a free connection */
#define LOCK_TIMEOUT      "5s"        /* longest wait for a row lock (SQLite: busy timeout) */
#define MAX_PARAMS        32          /* parameters of a fixed statement */
#define SCAN_BATCH        256         /* rows per round trip of a scan */
#define MIGRATE_LOCK      1212962893  /* 0x484c544d "HLTM": advisory lock of migrations */
#define FEED_CHANNEL      "hotline_feed"
#define LISTEN_PING_MS    30000       /* an idle listener checks its connection this often */
#define LISTEN_RETRY_MS   500         /* first wait before reconnecting, doubled up to: */
#define LISTEN_RETRY_MAX  8000

/* ---- schema ---- */

/* Migration 1: the whole schema of version 1, in groups (ISO C caps string literals).
 * Text columns use COLLATE "C": byte order (cursors, code prefixes) and ASCII-only case
 * folding in ILIKE, as in SQLite. */
static const char *const schema_v1[] = {
    "CREATE EXTENSION IF NOT EXISTS pg_trgm;",
    /* people */
    "CREATE TABLE units ("
    " code text COLLATE \"C\" PRIMARY KEY,"
    " name text NOT NULL"
    ");"
    "CREATE TABLE users ("
    " id text COLLATE \"C\" PRIMARY KEY,"
    " name text NOT NULL,"
    " role text COLLATE \"C\" NOT NULL,"
    " unit text COLLATE \"C\" REFERENCES units(code),"
    " pw_hash text NOT NULL,"
    " disabled boolean NOT NULL DEFAULT false,"
    " created_at bigint NOT NULL"
    ");"
    "CREATE INDEX users_unit ON users(unit);"
    "CREATE TABLE sessions ("
    " token_hash text COLLATE \"C\" PRIMARY KEY,"
    " user_id text COLLATE \"C\" NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    " created bigint NOT NULL,"
    " expires bigint NOT NULL"
    ");"
    "CREATE INDEX sessions_user ON sessions(user_id);"
    "CREATE INDEX sessions_expires ON sessions(expires);",
    /* tickets: small columns first, the document last */
    "CREATE TABLE tickets ("
    " rid bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    " id text COLLATE \"C\" NOT NULL UNIQUE,"
    " version bigint NOT NULL,"
    " day integer NOT NULL,"
    " status text COLLATE \"C\" NOT NULL,"
    " nature text COLLATE \"C\" NOT NULL,"
    " urgency text COLLATE \"C\" NOT NULL,"
    " category text COLLATE \"C\","
    " location text COLLATE \"C\","
    " caller_phone text COLLATE \"C\","
    " caller_name text COLLATE \"C\","
    " created_by text COLLATE \"C\","
    " created_at bigint NOT NULL,"
    " updated_at bigint NOT NULL,"
    " closed_at bigint,"
    " due_at bigint NOT NULL,"
    " callback_due_at bigint NOT NULL,"
    " flags bigint NOT NULL,"
    " title text COLLATE \"C\","
    " caller_address text COLLATE \"C\","
    " description text COLLATE \"C\","
    " doc text NOT NULL"
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
    "CREATE INDEX tickets_flagged ON tickets(created_at, id) WHERE flags <> 0;"
    "CREATE INDEX tickets_text ON tickets USING gin (id gin_trgm_ops, title gin_trgm_ops,"
    " description gin_trgm_ops, location gin_trgm_ops, caller_name gin_trgm_ops,"
    " caller_phone gin_trgm_ops, caller_address gin_trgm_ops);",
    /* ticket units, numbering, idempotency (ticket_id is set in the creating transaction) */
    "CREATE TABLE ticket_units ("
    " ticket_id text COLLATE \"C\" NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,"
    " unit text COLLATE \"C\" NOT NULL,"
    " PRIMARY KEY (unit, ticket_id)"
    ");"
    "CREATE INDEX ticket_units_ticket ON ticket_units(ticket_id);"
    "CREATE TABLE ticket_seq ("
    " day integer PRIMARY KEY,"
    " last bigint NOT NULL"
    ");"
    "CREATE TABLE idempotency ("
    " key text COLLATE \"C\" PRIMARY KEY,"
    " body_hash text COLLATE \"C\" NOT NULL,"
    " ticket_id text COLLATE \"C\" REFERENCES tickets(id) ON DELETE CASCADE,"
    " created_at bigint NOT NULL"
    ");"
    "CREATE INDEX idempotency_created ON idempotency(created_at);"
    "CREATE INDEX idempotency_ticket ON idempotency(ticket_id);",
    /* knowledge base; ntok = trigrams of title + body, the document length of bm25 */
    "CREATE TABLE articles ("
    " rid bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    " id text COLLATE \"C\" NOT NULL UNIQUE,"
    " version bigint NOT NULL,"
    " status text COLLATE \"C\" NOT NULL,"
    " kind text COLLATE \"C\" NOT NULL,"
    " scope text COLLATE \"C\" NOT NULL,"
    " category text COLLATE \"C\","
    " region text COLLATE \"C\","
    " valid_from bigint NOT NULL,"
    " valid_to bigint NOT NULL,"
    " pinned boolean NOT NULL,"
    " created_at bigint NOT NULL,"
    " updated_at bigint NOT NULL,"
    " ntok bigint NOT NULL,"
    " title text COLLATE \"C\" NOT NULL,"
    " body text COLLATE \"C\" NOT NULL,"
    " doc text NOT NULL"
    ");"
    "CREATE INDEX articles_order ON articles(pinned, updated_at, id);"
    "CREATE INDEX articles_kind ON articles(kind, pinned, updated_at, id);"
    "CREATE INDEX articles_category ON articles(category);"
    "CREATE INDEX articles_text ON articles USING gin (title gin_trgm_ops, body gin_trgm_ops);",
    /* counters, audit, feed, calls */
    "CREATE TABLE counters ("
    " name text COLLATE \"C\" PRIMARY KEY,"
    " last bigint NOT NULL"
    ");"
    "CREATE TABLE audit ("
    " id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    " at bigint NOT NULL,"
    " user_id text COLLATE \"C\","
    " ticket_id text COLLATE \"C\","
    " what text COLLATE \"C\" NOT NULL"
    ");"
    "CREATE INDEX audit_at ON audit(at, id);"
    "CREATE INDEX audit_ticket ON audit(ticket_id, at, id);"
    "CREATE TABLE feed ("
    " seq bigserial PRIMARY KEY,"
    " type text COLLATE \"C\" NOT NULL,"
    " ticket_id text COLLATE \"C\","
    " action text COLLATE \"C\","
    " agent text COLLATE \"C\","
    " phone text COLLATE \"C\","
    " unit text COLLATE \"C\","
    " at bigint NOT NULL"
    ");"
    "CREATE TABLE calls ("
    " call_id text COLLATE \"C\" PRIMARY KEY,"
    " caller text COLLATE \"C\","
    " queue text COLLATE \"C\","
    " agent text COLLATE \"C\","
    " offered_at bigint NOT NULL,"
    " answered_at bigint,"
    " ended_at bigint"
    ");"
    "CREATE INDEX calls_offered ON calls(offered_at);"
    "CREATE INDEX calls_agent ON calls(agent, offered_at);",
    /* The only way feed rows are written. The advisory lock (0x484c5446, "HLTF") is held
     * from here to the end of the transaction, so feed numbers are taken in commit order
     * (NOTIFY already serialises the commits of notifying transactions); the notification
     * is delivered when, and only if, the transaction commits. */
    "CREATE FUNCTION hotline_feed_append(p_type text, p_ticket text, p_action text,"
    " p_agent text, p_phone text, p_unit text, p_at bigint) RETURNS bigint"
    " LANGUAGE plpgsql AS $$"
    " DECLARE s bigint;"
    " BEGIN"
    "  PERFORM pg_advisory_xact_lock(1212962886);"
    "  INSERT INTO feed(type, ticket_id, action, agent, phone, unit, at)"
    "   VALUES (p_type, p_ticket, p_action, p_agent, p_phone, p_unit, p_at)"
    "   RETURNING seq INTO s;"
    "  PERFORM pg_notify('" FEED_CHANNEL "', s::text);"
    "  RETURN s;"
    " END $$;",
    NULL,
};

/* Migration 2: indexes that answer the lists and counts of 100,000 tickets from the index
 * alone: flag filters (with status, for the watch counters), "due" order with status,
 * and the call counts of GET /stats (answered_at beside offered_at). Safe to run again. */
static const char *const schema_v2[] = {
    "CREATE INDEX IF NOT EXISTS tickets_flagged_cover ON tickets(created_at, id)"
    " INCLUDE (status, flags) WHERE flags <> 0;"
    "DROP INDEX IF EXISTS tickets_flagged;"
    "DROP INDEX IF EXISTS tickets_due;"
    "CREATE INDEX tickets_due ON tickets(due_at, id) INCLUDE (status);"
    "CREATE INDEX IF NOT EXISTS calls_offered_answered ON calls(offered_at)"
    " INCLUDE (answered_at);"
    "DROP INDEX IF EXISTS calls_offered;"
    "CREATE INDEX IF NOT EXISTS calls_agent_answered ON calls(agent, offered_at)"
    " INCLUDE (answered_at);"
    "DROP INDEX IF EXISTS calls_agent;",
    NULL,
};

/* The migration steps in order: step i takes the schema from version i to i + 1; each is
 * a NULL-terminated list of SQL texts, all run in one transaction with the bookkeeping. */
static const char *const *const migrations[] = {
    schema_v1,
    schema_v2,
};

_Static_assert(sizeof migrations / sizeof migrations[0] == STORE_PG_SCHEMA_VERSION,
               "one migration step per schema version");

/* ---- connections and statements ---- */

/* One prepared statement of a connection. */
struct pstmt {
    char *sql;
    uint64_t hash;
    char name[16];
    uint64_t used;              /* tick of the last use, for eviction */
};

struct pg_store;

/* One pooled connection. */
struct pconn {
    PGconn *pg;
    struct pstmt cache[CACHE_SLOTS];
    uint64_t tick;
    unsigned next_name;         /* statements are named s0, s1, ... never reused */
    int depth;                  /* open transaction levels (BEGIN, then savepoints) */
    int borrows;                /* nested borrows by the thread holding it */
    bool broken;                /* lost: closed when given back */
    unsigned creates;           /* ticket creates, to purge idempotency keys now and then */
    struct pconn *next;         /* in the idle list */
};

/* The feed listener: a thread with its own connection, LISTENing on FEED_CHANNEL. */
struct listener {
    struct pg_store *ps;
    pthread_t thread;
    int stop[2];                /* self-pipe: a byte on stop[1] ends the thread */
    PGconn *pg;
    void (*on_seq)(int64_t seq, void *arg);
    void *arg;
};

/* The PostgreSQL store. base comes first: a struct store * is a struct pg_store *. */
struct pg_store {
    struct store base;
    char *conninfo;             /* the URI as libpq gets it (without pool_size) */
    char *display;              /* the URI with the password hidden, for messages */
    int pool_max;
    pthread_mutex_t lock;       /* guards idle, open */
    pthread_cond_t cond;        /* a connection came back (CLOCK_MONOTONIC) */
    struct pconn *idle;
    int open;                   /* connections open or being opened */
    pthread_key_t key;          /* the connection the calling thread holds */
    struct listener *listener;
};

/* Values of a fixed statement: text, or NULL for SQL NULL; numbers kept in num. */
struct params {
    int n;
    const char *v[MAX_PARAMS];
    char num[MAX_PARAMS][24];
};

/* The PostgreSQL store behind a store pointer. */
static struct pg_store *
pgs(struct store *s)
{
    return (struct pg_store *)s;
}

/* Wall-clock now. */
static hl_time
now(void)
{
    return (hl_time)time(NULL);
}

/* Start an empty parameter list. */
static void
p_init(struct params *p)
{
    p->n = 0;
}

/* Add a text parameter (NULL: SQL NULL). */
static void
p_text(struct params *p, const char *s)
{
    if (p->n >= MAX_PARAMS)
        abort();                 /* a statement with more values than MAX_PARAMS: a bug */
    p->v[p->n++] = s;
}

/* Add an integer parameter. */
static void
p_int(struct params *p, int64_t v)
{
    if (p->n >= MAX_PARAMS)
        abort();
    snprintf(p->num[p->n], sizeof p->num[p->n], "%lld", (long long)v);
    p->v[p->n] = p->num[p->n];
    p->n++;
}

/* Add a time that is unset when 0 (as NULL). */
static void
p_time_or_null(struct params *p, hl_time t)
{
    if (t == 0)
        p_text(p, NULL);
    else
        p_int(p, t);
}

/* Add a boolean parameter. */
static void
p_bool(struct params *p, bool b)
{
    p_text(p, b ? "t" : "f");
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

/* Notices (e.g. "extension already exists, skipping") are not for hotlined's stderr. */
static void
quiet_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* The first line of a libpq message, without the "ERROR:  " prefix, into buf. */
static void
clean_msg(const char *msg, char *buf, size_t sz)
{
    size_t n = 0;

    if (msg == NULL)
        msg = "";
    if (strncmp(msg, "ERROR:  ", 8) == 0 || strncmp(msg, "FATAL:  ", 8) == 0)
        msg += 8;
    while (msg[n] != '\0' && msg[n] != '\n' && n + 1 < sz)
        n++;
    memcpy(buf, msg, n);
    buf[n] = '\0';
}

/* The SQLSTATE of a failed result ("" when none). */
static const char *
sqlstate(const PGresult *r)
{
    const char *s = r != NULL ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;

    return s != NULL ? s : "";
}

/* True when a result failed with this SQLSTATE. */
static bool
is_state(const PGresult *r, const char *state)
{
    return strcmp(sqlstate(r), state) == 0;
}

/* True when a result is a success. */
static bool
result_ok(const PGresult *r)
{
    ExecStatusType st = PQresultStatus(r);

    return r != NULL && (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK);
}

/* Fill e for a failed statement (r may be NULL); what says what was being done. Marks
 * the connection broken when it is lost. Returns HL_EIO. */
static int
pg_fail(struct pconn *c, const PGresult *r, const char *what, struct err *e)
{
    const char *primary = r != NULL ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *state = sqlstate(r);
    char msg[200];

    clean_msg(primary != NULL ? primary : PQerrorMessage(c->pg), msg, sizeof msg);
    if (PQstatus(c->pg) == CONNECTION_BAD || (state[0] == '0' && state[1] == '8')
        || strcmp(state, "57P01") == 0) {
        c->broken = true;
        return err_set(e, HL_EIO, "", "%s: the connection to PostgreSQL was lost (%s); the "
                       "next request opens a new one", what, msg);
    }
    if (strcmp(state, "55P03") == 0)
        return err_set(e, HL_EIO, "", "%s: a row stayed locked by another transaction for "
                       "more than %s (%s)", what, LOCK_TIMEOUT, msg);
    if (strcmp(state, "40P01") == 0 || strcmp(state, "40001") == 0)
        return err_set(e, HL_EIO, "", "%s: the database cancelled this transaction because "
                       "it conflicted with another (%s); nothing was saved: try again", what,
                       msg);
    if (strcmp(state, "25006") == 0)
        return err_set(e, HL_EIO, "", "%s: the database is read-only (%s): is --db a "
                       "standby? point it at the primary", what, msg);
    if (strcmp(state, "53100") == 0)
        return err_set(e, HL_EIO, "", "%s: the database server's disk is full (%s)", what,
                       msg);
    return err_set(e, HL_EIO, "", "%s: %s", what, msg[0] != '\0' ? msg : "unknown error");
}

/* Forget every prepared statement of a connection (after a reset they are gone). */
static void
cache_clear(struct pconn *c)
{
    size_t i;

    for (i = 0; i < CACHE_SLOTS; i++) {
        free(c->cache[i].sql);
        memset(&c->cache[i], 0, sizeof c->cache[i]);
    }
}

/* Session settings of a fresh connection. */
static bool
conn_setup(PGconn *pg)
{
    PGresult *r;
    bool ok;

    PQsetNoticeProcessor(pg, quiet_notice, NULL);
    r = PQexec(pg, "SET lock_timeout = '" LOCK_TIMEOUT "'");
    ok = result_ok(r);
    PQclear(r);
    return ok;
}

/* Reset a connection found dead while no transaction is open on it; true when it works
 * again. */
static bool
revive(struct pconn *c)
{
    if (c->depth != 0 || PQstatus(c->pg) != CONNECTION_BAD)
        return false;
    PQreset(c->pg);
    cache_clear(c);
    if (PQstatus(c->pg) != CONNECTION_OK || !conn_setup(c->pg))
        return false;
    c->broken = false;
    return true;
}

/* The name of the prepared statement for sql, preparing it when new (the least recently
 * used one is deallocated when the cache is full). NULL with *res the failed result. */
static const char *
prepare(struct pconn *c, const char *sql, PGresult **res)
{
    uint64_t h = hash_str(sql);
    struct pstmt *slot = NULL;
    char drop[40];
    size_t i;

    *res = NULL;
    for (i = 0; i < CACHE_SLOTS; i++) {
        struct pstmt *k = &c->cache[i];

        if (k->sql != NULL && k->hash == h && strcmp(k->sql, sql) == 0) {
            k->used = ++c->tick;
            return k->name;
        }
    }
    for (i = 0; i < CACHE_SLOTS; i++) {
        struct pstmt *k = &c->cache[i];

        if (k->sql == NULL) {
            slot = k;
            break;
        }
        if (slot == NULL || k->used < slot->used)
            slot = k;
    }
    if (slot->sql != NULL) {
        snprintf(drop, sizeof drop, "DEALLOCATE %s", slot->name);
        PQclear(PQexec(c->pg, drop));   /* a failure only leaves it on the server */
        free(slot->sql);
        slot->sql = NULL;
    }
    snprintf(slot->name, sizeof slot->name, "s%u", c->next_name++);
    *res = PQprepare(c->pg, slot->name, sql, 0, NULL);
    if (!result_ok(*res))
        return NULL;
    PQclear(*res);
    *res = NULL;
    slot->sql = xstrdup(sql);
    slot->hash = h;
    slot->used = ++c->tick;
    return slot->name;
}

/* Run sql as a prepared statement with n text values v; *res gets the result (PQclear
 * it), a failed one too. A read outside a transaction (retry) is retried once on a
 * connection that turns out dead. True on success. */
static bool
exec_v(struct pconn *c, const char *sql, int n, const char *const *v, bool retry,
       PGresult **res)
{
    const char *name;
    int attempt;

    for (attempt = 0;; attempt++) {
        name = prepare(c, sql, res);
        if (name != NULL) {
            *res = PQexecPrepared(c->pg, name, n, v, NULL, NULL, 0);
            if (result_ok(*res))
                return true;
        }
        if (!retry || attempt > 0 || !revive(c))
            break;
        PQclear(*res);
        *res = NULL;
    }
    if (PQstatus(c->pg) == CONNECTION_BAD)
        c->broken = true;
    return false;
}

/* A read: exec_v with p, retried on a dead connection outside a transaction. NULL + e on
 * failure. */
static PGresult *
q_read(struct pconn *c, const char *sql, const struct params *p, const char *what,
       struct err *e)
{
    PGresult *r = NULL;

    if (exec_v(c, sql, p != NULL ? p->n : 0, p != NULL ? p->v : NULL, c->depth == 0, &r))
        return r;
    pg_fail(c, r, what, e);
    PQclear(r);
    return NULL;
}

/* A write (never retried): exec_v with p. NULL + e on failure. */
static PGresult *
q_write(struct pconn *c, const char *sql, const struct params *p, const char *what,
        struct err *e)
{
    PGresult *r = NULL;

    if (exec_v(c, sql, p != NULL ? p->n : 0, p != NULL ? p->v : NULL, false, &r))
        return r;
    pg_fail(c, r, what, e);
    PQclear(r);
    return NULL;
}

/* A write whose result is not needed. */
static int
q_do(struct pconn *c, const char *sql, const struct params *p, const char *what,
     struct err *e)
{
    PGresult *r = q_write(c, sql, p, what, e);

    if (r == NULL)
        return HL_EIO;
    PQclear(r);
    return HL_OK;
}

/* Run a statement without values (BEGIN, COMMIT, SAVEPOINT...); BEGIN at the top level is
 * retried on a dead connection. */
static int
run(struct pconn *c, const char *sql, const char *what, struct err *e)
{
    PGresult *r = PQexec(c->pg, sql);
    int rc = HL_OK;

    if (!result_ok(r) && c->depth == 0 && revive(c)) {
        PQclear(r);
        r = PQexec(c->pg, sql);
    }
    if (!result_ok(r))
        rc = pg_fail(c, r, what, e);
    PQclear(r);
    return rc;
}

/* A column as a borrowed string (NULL when SQL NULL). */
static const char *
col_text(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

/* A column as an owned copy (NULL when SQL NULL). */
static char *
col_dup(const PGresult *r, int row, int col)
{
    return xstrdup(col_text(r, row, col));
}

/* A column as an integer (0 when NULL or not a number). */
static int64_t
col_int(const PGresult *r, int row, int col)
{
    const char *s = col_text(r, row, col);
    long v = 0;

    if (s != NULL && !str_to_long(s, INT64_MIN, INT64_MAX, &v))
        v = 0;
    return v;
}

/* A boolean column. */
static bool
col_bool(const PGresult *r, int row, int col)
{
    const char *s = col_text(r, row, col);

    return s != NULL && s[0] == 't';
}

/* The number of rows a command changed. */
static int64_t
changed_rows(PGresult *r)
{
    long v = 0;

    if (!str_to_long(PQcmdTuples(r), 0, INT64_MAX, &v))
        v = 0;
    return v;
}

/* Open a raw connection with hotlined's settings (UTF-8, a connect timeout unless the URI
 * sets one, quiet notices, lock timeout). NULL + e on error. */
static PGconn *
connect_raw(const struct pg_store *ps, struct err *e)
{
    /* Keys before dbname are defaults the URI may override; keys after it are forced. */
    static const char *const keys[] = {
        "connect_timeout", "fallback_application_name", "dbname", "client_encoding", NULL,
    };
    const char *vals[] = { "10", "hotlined", ps->conninfo, "UTF8", NULL };
    PGconn *pg = PQconnectdbParams(keys, vals, 1);
    char msg[200];

    if (pg == NULL) {
        err_set(e, HL_EIO, "db", "cannot connect to PostgreSQL at %s: out of memory",
                ps->display);
        return NULL;
    }
    if (PQstatus(pg) != CONNECTION_OK) {
        clean_msg(PQerrorMessage(pg), msg, sizeof msg);
        err_set(e, HL_EIO, "db", "cannot connect to PostgreSQL at %s: %s (is the server "
                "running? check the URI, the password (~/.pgpass or PGPASSWORD) and "
                "pg_hba.conf)", ps->display, msg);
        goto fail;
    }
    if (PQserverVersion(pg) < 100000) {
        err_set(e, HL_EIO, "db", "%s runs PostgreSQL %d.%d: hotlined needs 10 or newer",
                ps->display, PQserverVersion(pg) / 10000, PQserverVersion(pg) / 100 % 100);
        goto fail;
    }
    if (!conn_setup(pg)) {
        clean_msg(PQerrorMessage(pg), msg, sizeof msg);
        err_set(e, HL_EIO, "db", "setting up the connection to %s: %s", ps->display, msg);
        goto fail;
    }
    return pg;
fail:
    PQfinish(pg);
    return NULL;
}

/* Close a pooled connection and free it. */
static void
conn_close(struct pconn *c)
{
    if (c == NULL)
        return;
    cache_clear(c);
    PQfinish(c->pg);
    free(c);
}

/* True when a connection that sat in the pool can be used: an idle connection has nothing
 * to read, so a readable socket means the server closed it or is about to (restart,
 * failover, pg_terminate_backend); then it is reset now, before a statement fails on it. */
static bool
conn_usable(struct pconn *c)
{
    struct pollfd pfd = { PQsocket(c->pg), POLLIN, 0 };

    if (PQstatus(c->pg) == CONNECTION_OK && pfd.fd >= 0 && poll(&pfd, 1, 0) == 0)
        return true;
    c->depth = 0;
    PQreset(c->pg);
    cache_clear(c);
    return PQstatus(c->pg) == CONNECTION_OK && conn_setup(c->pg);
}

/* The calling thread's connection: the one it already holds (nested call), else one from
 * the pool (opened when the pool is not full, else waited for up to POOL_WAIT_S). Give it
 * back with give_back(). NULL + e on error. */
static struct pconn *
borrow(struct pg_store *ps, struct err *e)
{
    struct pconn *c = pthread_getspecific(ps->key);
    struct timespec until;
    bool fresh = false, timed_out = false;

    if (c != NULL) {
        c->borrows++;
        return c;
    }
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += POOL_WAIT_S;
    pthread_mutex_lock(&ps->lock);
    while (ps->idle == NULL && ps->open >= ps->pool_max && !timed_out)
        timed_out = pthread_cond_timedwait(&ps->cond, &ps->lock, &until) == ETIMEDOUT;
    if (ps->idle != NULL) {
        c = ps->idle;
        ps->idle = c->next;
    } else if (ps->open < ps->pool_max) {
        ps->open++;
        fresh = true;
    }
    pthread_mutex_unlock(&ps->lock);
    if (fresh) {
        c = xcalloc(1, sizeof *c);
        c->pg = connect_raw(ps, e);
        if (c->pg == NULL) {
            free(c);
            pthread_mutex_lock(&ps->lock);
            ps->open--;
            pthread_cond_signal(&ps->cond);
            pthread_mutex_unlock(&ps->lock);
            return NULL;
        }
    } else if (c == NULL) {
        err_set(e, HL_EIO, "", "all %d connections to PostgreSQL stayed busy for %d s: raise "
                "pool_size in the --db URI or look for slow queries", ps->pool_max,
                POOL_WAIT_S);
        return NULL;
    } else if (!conn_usable(c)) {
        char msg[200];

        clean_msg(PQerrorMessage(c->pg), msg, sizeof msg);
        err_set(e, HL_EIO, "", "the connection to PostgreSQL at %s was lost and cannot be "
                "opened again: %s", ps->display, msg);
        conn_close(c);
        pthread_mutex_lock(&ps->lock);
        ps->open--;
        pthread_cond_signal(&ps->cond);
        pthread_mutex_unlock(&ps->lock);
        return NULL;
    }
    c->next = NULL;
    c->borrows = 1;
    c->depth = 0;
    c->broken = false;
    pthread_setspecific(ps->key, c);
    return c;
}

/* Give a borrowed connection back (the outermost borrow returns it to the pool; a broken
 * one is closed, so the next borrow opens a new one). Accepts NULL. */
static void
give_back(struct pg_store *ps, struct pconn *c)
{
    if (c == NULL || --c->borrows > 0)
        return;
    pthread_setspecific(ps->key, NULL);
    if (!c->broken && PQtransactionStatus(c->pg) != PQTRANS_IDLE) {
        PQclear(PQexec(c->pg, "ROLLBACK"));   /* only after a bug left one open */
        if (PQtransactionStatus(c->pg) != PQTRANS_IDLE)
            c->broken = true;
    }
    c->depth = 0;
    if (c->broken || PQstatus(c->pg) != CONNECTION_OK) {
        conn_close(c);
        pthread_mutex_lock(&ps->lock);
        ps->open--;
    } else {
        pthread_mutex_lock(&ps->lock);
        c->next = ps->idle;
        ps->idle = c;
    }
    pthread_cond_signal(&ps->cond);
    pthread_mutex_unlock(&ps->lock);
}

/* ---- transactions ---- */

/* Begin a transaction with begin (e.g. "BEGIN") at the outermost level; inside another
 * transaction of this connection a savepoint, so a mutate callback that calls the store
 * joins the update's transaction. */
static int
tx_open(struct pconn *c, const char *begin, struct err *e)
{
    int rc;

    if (c->depth > 0)
        rc = run(c, "SAVEPOINT nested", "starting a nested transaction", e);
    else
        rc = run(c, begin, "starting a transaction", e);
    if (rc == HL_OK)
        c->depth++;
    return rc;
}

/* Begin a write transaction (READ COMMITTED; writers lock the rows they change). */
static int
tx_begin(struct pconn *c, struct err *e)
{
    return tx_open(c, "BEGIN", e);
}

/* True while the transaction can still commit (no statement in it has failed). */
static bool
tx_alive(struct pconn *c)
{
    return PQtransactionStatus(c->pg) == PQTRANS_INTRANS;
}

/* Roll back the innermost level. */
static void
tx_rollback(struct pconn *c)
{
    if (c->depth == 0)
        return;
    c->depth--;
    if (c->broken)
        return;
    if (c->depth > 0) {
        run(c, "ROLLBACK TO SAVEPOINT nested", "rolling back", NULL);
        run(c, "RELEASE SAVEPOINT nested", "rolling back", NULL);
    } else {
        run(c, "ROLLBACK", "rolling back", NULL);
    }
}

/* Commit the innermost level; rolls it back and fails when that fails or when a statement
 * of the transaction failed. */
static int
tx_commit(struct pconn *c, struct err *e)
{
    PGresult *r;
    int rc = HL_OK;

    if (c->depth == 0)
        return HL_OK;
    if (!tx_alive(c)) {
        tx_rollback(c);
        return err_set(e, HL_EIO, "", "the database rolled the transaction back after an "
                       "earlier error; nothing was saved");
    }
    if (c->depth > 1) {
        if (run(c, "RELEASE SAVEPOINT nested", "committing", e) != HL_OK) {
            tx_rollback(c);
            return HL_EIO;
        }
        c->depth--;
        return HL_OK;
    }
    r = PQexec(c->pg, "COMMIT");
    c->depth--;
    if (!result_ok(r) || strcmp(PQcmdStatus(r), "COMMIT") != 0) {
        if (PQstatus(c->pg) == CONNECTION_BAD) {
            c->broken = true;
            rc = err_set(e, HL_EIO, "", "the connection to PostgreSQL was lost while "
                         "committing: the change may or may not have been saved; reload "
                         "before trying again");
        } else {
            rc = pg_fail(c, r, "committing", e);
        }
        if (!c->broken && PQtransactionStatus(c->pg) != PQTRANS_IDLE)
            PQclear(PQexec(c->pg, "ROLLBACK"));
    }
    PQclear(r);
    return rc;
}

/* Finish a transaction: commit when rc is HL_OK, else roll back. Returns the result. */
static int
tx_end(struct pconn *c, int rc, struct err *e)
{
    if (rc == HL_OK)
        return tx_commit(c, e);
    tx_rollback(c);
    return rc;
}

/* Run one writing statement atomically: on its own at the outermost level (autocommit),
 * in a savepoint inside a transaction (a failure then leaves the outer one usable). True
 * on success; *res as exec_v. */
static bool
write_one(struct pconn *c, const char *sql, const struct params *p, PGresult **res)
{
    bool ok;

    *res = NULL;
    if (c->depth == 0)
        return exec_v(c, sql, p->n, p->v, false, res);
    if (run(c, "SAVEPOINT nested", "starting a nested transaction", NULL) != HL_OK)
        return false;
    ok = exec_v(c, sql, p->n, p->v, false, res);
    if (!ok)
        run(c, "ROLLBACK TO SAVEPOINT nested", "rolling back", NULL);
    run(c, "RELEASE SAVEPOINT nested", ok ? "committing" : "rolling back", NULL);
    return ok;
}

/* ---- opening, URIs, migrating ---- */

/* uri with the password hidden. */
char *
store_pg_redact(const char *uri)
{
    const char *auth, *end, *at = NULL, *colon = NULL, *p;
    struct strbuf sb;

    if (uri == NULL)
        return xstrdup("");
    strbuf_init(&sb);
    auth = strstr(uri, "://");
    p = uri;
    if (auth != NULL) {
        auth += 3;
        end = auth + strcspn(auth, "/?");
        for (p = auth; p < end; p++)
            if (*p == '@')
                at = p;
        for (p = auth; at != NULL && p < at; p++)
            if (*p == ':') {
                colon = p;
                break;
            }
        p = uri;
        if (colon != NULL) {
            strbuf_add(&sb, uri, (size_t)(colon + 1 - uri));
            strbuf_adds(&sb, "***");
            p = at;
        }
    }
    /* password=... in the query (or a key=value string) */
    while (*p != '\0') {
        const char *hit = strstr(p, "password=");

        if (hit == NULL || (hit != uri && hit[-1] != '?' && hit[-1] != '&' && hit[-1] != ' ')) {
            if (hit == NULL) {
                strbuf_adds(&sb, p);
                break;
            }
            strbuf_add(&sb, p, (size_t)(hit + 9 - p));
            p = hit + 9;
            continue;
        }
        strbuf_add(&sb, p, (size_t)(hit + 9 - p));
        strbuf_adds(&sb, "***");
        p = hit + 9;
        p += strcspn(p, "& ");
    }
    return strbuf_detach(&sb);
}

/* uri without its pool_size=N query parameter; *pool gets N (the default when absent).
 * Owned; NULL + e when N is not 1..POOL_MAX. */
static char *
take_pool_size(const char *uri, const char *display, int *pool, struct err *e)
{
    const char *q = strchr(uri, '?'), *p;
    struct strbuf sb;
    bool first = true;
    char num[16];
    long v;

    *pool = STORE_PG_POOL_DEFAULT;
    if (q == NULL)
        return xstrdup(uri);
    strbuf_init(&sb);
    strbuf_add(&sb, uri, (size_t)(q - uri));
    for (p = q + 1; *p != '\0';) {
        size_t len = strcspn(p, "&");

        if (len > 10 && strncmp(p, "pool_size=", 10) == 0) {
            if (len - 10 >= sizeof num) {
                num[0] = '\0';
            } else {
                memcpy(num, p + 10, len - 10);
                num[len - 10] = '\0';
            }
            if (!str_to_long(num, 1, POOL_MAX, &v)) {
                strbuf_fini(&sb);
                err_set(e, HL_EINVAL, "db", "%s: pool_size must be a number from 1 to %d",
                        display, POOL_MAX);
                return NULL;
            }
            *pool = (int)v;
        } else if (len > 0) {
            strbuf_addc(&sb, first ? '?' : '&');
            strbuf_add(&sb, p, len);
            first = false;
        }
        p += len;
        if (*p == '&')
            p++;
    }
    return strbuf_detach(&sb);
}

/* One integer from a read without values. */
static int
read_int(struct pconn *c, const char *sql, const struct params *p, int64_t *out,
         const char *what, struct err *e)
{
    PGresult *r = q_read(c, sql, p, what, e);

    if (r == NULL)
        return HL_EIO;
    *out = PQntuples(r) > 0 ? col_int(r, 0, 0) : 0;
    PQclear(r);
    return HL_OK;
}

/* The applied schema version (0 when schema_migrations does not exist) and whether the
 * database holds tables of ours without it. */
static int
schema_state(struct pconn *c, int64_t *version, bool *foreign, struct err *e)
{
    PGresult *r;
    bool have;

    *version = 0;
    *foreign = false;
    r = q_read(c, "SELECT to_regclass('schema_migrations') IS NOT NULL, "
               "to_regclass('tickets') IS NOT NULL OR to_regclass('feed') IS NOT NULL "
               "OR to_regclass('users') IS NOT NULL", NULL, "reading the schema version", e);
    if (r == NULL)
        return HL_EIO;
    have = col_bool(r, 0, 0);
    *foreign = !have && col_bool(r, 0, 1);
    PQclear(r);
    if (!have)
        return HL_OK;
    return read_int(c, "SELECT coalesce(max(version), 0) FROM schema_migrations", NULL,
                    version, "reading the schema version", e);
}

/* The refusal of a schema newer than this build's. */
static int
too_new(const char *display, int64_t version, struct err *e)
{
    return err_set(e, HL_EIO, "db", "database %s has schema version %lld, newer than this "
                   "hotlined understands (%d): run a newer hotlined or restore a backup made "
                   "for this version", display, (long long)version, STORE_PG_SCHEMA_VERSION);
}

/* Bring the schema to STORE_PG_SCHEMA_VERSION: one transaction under an advisory lock, so
 * instances starting together migrate once; refuse a newer schema or a database that
 * holds our table names without our bookkeeping. The lock is a session lock taken before
 * BEGIN: a transaction begun before waiting would keep this session's cached view of
 * the catalog ("no schema_migrations yet") from before the other instance committed. */
static int
migrate(struct pconn *c, const char *display, struct err *e)
{
    struct params p;
    PGresult *r;
    int64_t version = 0;
    bool foreign = false;
    char msg[200];
    size_t i;
    int rc;

    if (schema_state(c, &version, &foreign, e) != HL_OK)
        return HL_EIO;
    if (version == STORE_PG_SCHEMA_VERSION)
        return HL_OK;            /* the common case: nothing to write */
    if (version > STORE_PG_SCHEMA_VERSION)
        return too_new(display, version, e);
    p_init(&p);
    p_int(&p, MIGRATE_LOCK);
    if (q_do(c, "SELECT pg_advisory_lock($1)", &p, "waiting for the migration lock", e)
        != HL_OK)
        return HL_EIO;
    rc = tx_begin(c, e);
    /* Read again under the lock: another instance may have migrated meanwhile. */
    if (rc == HL_OK)
        rc = schema_state(c, &version, &foreign, e);
    if (rc == HL_OK && foreign)
        rc = err_set(e, HL_EIO, "db", "%s is not a hotline database (it already has tables "
                     "named like ours but no schema_migrations): pass another database",
                     display);
    if (rc == HL_OK && version > STORE_PG_SCHEMA_VERSION)
        rc = too_new(display, version, e);
    if (rc == HL_OK && version == 0)
        rc = run(c, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                 " version integer PRIMARY KEY,"
                 " applied_at timestamptz NOT NULL DEFAULT now(),"
                 " hotlined text NOT NULL)", "creating schema_migrations", e);
    for (; rc == HL_OK && version < STORE_PG_SCHEMA_VERSION; version++) {
        for (i = 0; migrations[version][i] != NULL && rc == HL_OK; i++) {
            r = PQexec(c->pg, migrations[version][i]);
            if (!result_ok(r)) {
                const char *primary = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);

                clean_msg(primary != NULL ? primary : PQerrorMessage(c->pg), msg, sizeof msg);
                rc = err_set(e, HL_EIO, "db", "migrating %s to schema version %lld failed: "
                             "%s%s", display, (long long)version + 1, msg,
                             strstr(migrations[version][i], "pg_trgm") != NULL
                                 ? " (hotlined needs the pg_trgm extension for Chinese "
                                   "search: have the database administrator run CREATE "
                                   "EXTENSION pg_trgm in this database, or make hotlined's "
                                   "role the database owner)"
                                 : "");
            }
            PQclear(r);
        }
        if (rc != HL_OK)
            break;
        p_init(&p);
        p_int(&p, version + 1);
        p_text(&p, "hotlined " HOTLINE_VERSION);
        rc = q_do(c, "INSERT INTO schema_migrations(version, hotlined) VALUES ($1, $2)", &p,
                  "recording the schema version", e);
    }
    if (c->depth > 0)
        rc = tx_end(c, rc, e);
    p_init(&p);
    p_int(&p, MIGRATE_LOCK);
    q_do(c, "SELECT pg_advisory_unlock($1)", &p, "releasing the migration lock", NULL);
    return rc;
}

static const struct store_ops pg_ops;

/* Stop the feed listener, if one runs. */
static void listener_stop(struct pg_store *ps);

/* Close the store: the listener, every pooled connection, then the store itself. */
static void
pg_close(struct store *s)
{
    struct pg_store *ps = pgs(s);
    struct pconn *c, *next;

    if (s == NULL)
        return;
    listener_stop(ps);
    pthread_mutex_lock(&ps->lock);
    c = ps->idle;
    ps->idle = NULL;
    pthread_mutex_unlock(&ps->lock);
    for (; c != NULL; c = next) {
        next = c->next;
        conn_close(c);
    }
    pthread_key_delete(ps->key);
    pthread_cond_destroy(&ps->cond);
    pthread_mutex_destroy(&ps->lock);
    free(ps->conninfo);
    free(ps->display);
    free(ps);
}

/* Open the PostgreSQL database named by uri. */
struct store *
store_pg_open(const char *uri, const struct tz *tz, struct err *e)
{
    struct pg_store *ps;
    struct pconn *c;
    pthread_condattr_t ca;
    PQconninfoOption *opts;
    char *perr = NULL, msg[200];
    int rc;

    if (!PQisthreadsafe()) {
        err_set(e, HL_EIO, "db", "this libpq was built without thread support");
        return NULL;
    }
    ps = xcalloc(1, sizeof *ps);
    ps->base.ops = &pg_ops;
    ps->base.tz = tz;
    ps->display = store_pg_redact(uri);
    ps->conninfo = take_pool_size(uri, ps->display, &ps->pool_max, e);
    if (ps->conninfo == NULL) {
        free(ps->display);
        free(ps);
        return NULL;
    }
    opts = PQconninfoParse(ps->conninfo, &perr);
    if (opts == NULL) {
        clean_msg(perr != NULL ? perr : "out of memory", msg, sizeof msg);
        PQfreemem(perr);
        err_set(e, HL_EINVAL, "db", "%s is not a valid PostgreSQL URI: %s", ps->display, msg);
        free(ps->conninfo);
        free(ps->display);
        free(ps);
        return NULL;
    }
    PQconninfoFree(opts);
    pthread_mutex_init(&ps->lock, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&ps->cond, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_key_create(&ps->key, NULL) != 0) {
        err_set(e, HL_EIO, "", "cannot create a thread key for database connections");
        pthread_cond_destroy(&ps->cond);
        pthread_mutex_destroy(&ps->lock);
        free(ps->conninfo);
        free(ps->display);
        free(ps);
        return NULL;
    }
    c = borrow(ps, e);
    if (c == NULL) {
        pg_close(&ps->base);
        return NULL;
    }
    rc = migrate(c, ps->display, e);
    give_back(ps, c);
    if (rc != HL_OK) {
        pg_close(&ps->base);
        return NULL;
    }
    return &ps->base;
}

/* Run trusted SQL on one pooled connection. */
int
store_pg_exec(struct store *s, const char *sql, struct err *e)
{
    struct pg_store *ps = pgs(s);
    struct pconn *c = borrow(ps, e);
    int rc;

    if (c == NULL)
        return HL_EIO;
    rc = run(c, sql, "running SQL", e);
    give_back(ps, c);
    return rc;
}

/* ---- query building ---- */

/* A query built from the filters that are set: SQL text with numbered parameters ($1...)
 * and their values (owned text). Values never become SQL text. */
struct qb {
    struct strbuf sql;
    char **v;
    int n;
};

/* Start an empty query. */
static void
qb_init(struct qb *b)
{
    strbuf_init(&b->sql);
    b->v = NULL;
    b->n = 0;
}

/* Release a query. */
static void
qb_fini(struct qb *b)
{
    int i;

    for (i = 0; i < b->n; i++)
        free(b->v[i]);
    free(b->v);
    strbuf_fini(&b->sql);
}

/* Append SQL text. */
static void
qb_sql(struct qb *b, const char *s)
{
    strbuf_adds(&b->sql, s);
}

/* Add a parameter value and return its number, without referencing it. */
static int
qb_param(struct qb *b, const char *s)
{
    b->v = xrealloc(b->v, (size_t)(b->n + 1) * sizeof *b->v);
    b->v[b->n] = xstrdup(s);
    return ++b->n;
}

/* Append a new text parameter. */
static void
qb_text(struct qb *b, const char *s)
{
    strbuf_addf(&b->sql, "$%d", qb_param(b, s));
}

/* Append a new integer parameter. */
static void
qb_int(struct qb *b, int64_t v)
{
    char num[24];

    snprintf(num, sizeof num, "%lld", (long long)v);
    strbuf_addf(&b->sql, "$%d::bigint", qb_param(b, num));
}

/* Run a built read. NULL + e on failure. */
static PGresult *
qb_read(struct pconn *c, const struct qb *b, const char *what, struct err *e)
{
    PGresult *r = NULL;

    if (exec_v(c, b->sql.buf, b->n, (const char *const *)b->v, c->depth == 0, &r))
        return r;
    pg_fail(c, r, what, e);
    PQclear(r);
    return NULL;
}

/* Append "col = $n" for an exact code, or a range for a prefix ending in ".". */
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

/* ---- tickets: columns, documents ---- */

/* Columns $1..$21 of a ticket row, in the order of ticket_params. */
#define TICKET_COLS \
    "id, version, doc, day, status, nature, urgency, category, title, description, " \
    "location, caller_phone, caller_name, caller_address, created_by, created_at, " \
    "updated_at, closed_at, due_at, callback_due_at, flags"

/* The columns of t (with its encoded document) as $1..$21; phone (>= 32 bytes) holds the
 * canonical number the parameters point to. */
static void
ticket_params(struct params *p, const struct store *s, const struct ticket *t,
              const char *doc, char *phone, size_t phonesz)
{
    store_util_canonical_phone(t->caller.phone, phone, phonesz);
    p_init(p);
    p_text(p, t->id);
    p_int(p, t->version);
    p_text(p, doc);
    p_int(p, store_util_local_day(s, t->created_at));
    p_text(p, status_str(t->status));
    p_text(p, nature_str(t->nature));
    p_text(p, urgency_str(t->urgency));
    p_text(p, t->category);
    p_text(p, t->title);
    p_text(p, t->description);
    p_text(p, t->location);
    p_text(p, phone[0] != '\0' ? phone : NULL);
    p_text(p, t->caller.name);
    p_text(p, t->caller.address);
    p_text(p, t->created_by);
    p_int(p, t->created_at);
    p_int(p, t->updated_at);
    p_time_or_null(p, t->closed_at);
    p_int(p, t->due_at != 0 ? t->due_at : NO_TIME);
    p_int(p, t->callback_due_at != 0 ? t->callback_due_at : NO_TIME);
    p_int(p, (int64_t)t->flags);
}

/* The distinct units of a ticket's assignments as an array literal ({"U1","U2"}), a
 * parameter value of type text[]. Owned. */
static char *
units_array(const struct ticket *t)
{
    struct strbuf sb;
    size_t i, j;
    bool first = true;

    strbuf_init(&sb);
    strbuf_addc(&sb, '{');
    for (i = 0; i < t->n_assignments; i++) {
        const char *u = t->assignments[i].unit, *k;
        bool seen = false;

        if (str_empty(u))
            continue;
        for (j = 0; j < i && !seen; j++)
            seen = t->assignments[j].unit != NULL && strcmp(t->assignments[j].unit, u) == 0;
        if (seen)
            continue;
        if (!first)
            strbuf_addc(&sb, ',');
        first = false;
        strbuf_addc(&sb, '"');
        for (k = u; *k != '\0'; k++) {
            if (*k == '"' || *k == '\\')
                strbuf_addc(&sb, '\\');
            strbuf_addc(&sb, *k);
        }
        strbuf_addc(&sb, '"');
    }
    strbuf_addc(&sb, '}');
    return strbuf_detach(&sb);
}

/* Make the unit rows of a ticket those of its assignments; old_units is the array
 * literal of the stored ticket (NULL: a new ticket), and nothing is written when they
 * are the same. */
static int
save_units(struct pconn *c, const struct ticket *t, const char *old_units, struct err *e)
{
    char *units = units_array(t);
    struct params p;
    int rc = HL_OK;

    if (old_units != NULL && strcmp(old_units, units) == 0)
        goto out;
    p_init(&p);
    p_text(&p, t->id);
    p_text(&p, units);
    if (old_units != NULL)
        rc = q_do(c, "DELETE FROM ticket_units WHERE ticket_id = $1 "
                  "AND NOT (unit = ANY ($2::text[]))", &p, "saving the ticket's units", e);
    if (rc == HL_OK && strcmp(units, "{}") != 0)
        rc = q_do(c, "INSERT INTO ticket_units(ticket_id, unit) SELECT $1, u "
                  "FROM unnest($2::text[]) AS u ON CONFLICT DO NOTHING", &p,
                  "saving the ticket's units", e);
out:
    free(units);
    return rc;
}

/* Append a feed row (and its notification, sent at commit) inside the open transaction;
 * *seq gets its number. Call it last in a transaction: it holds the feed lock to the end. */
static int
feed_insert(struct pconn *c, const char *type, const char *ticket_id, const char *action,
            const char *agent, const char *phone, const char *unit, hl_time at, int64_t *seq,
            struct err *e)
{
    struct params p;
    PGresult *r;

    p_init(&p);
    p_text(&p, type);
    p_text(&p, ticket_id);
    p_text(&p, action);
    p_text(&p, agent);
    p_text(&p, phone);
    p_text(&p, unit);
    p_int(&p, at != 0 ? at : now());
    r = q_write(c, "SELECT hotline_feed_append($1, $2, $3, $4, $5, $6, $7)", &p,
                "appending to the change feed", e);
    if (r == NULL)
        return HL_EIO;
    if (seq != NULL)
        *seq = col_int(r, 0, 0);
    PQclear(r);
    return HL_OK;
}

/* Load a ticket's document and version (locking the row for the transaction when lock);
 * HL_ENOENT when there is no such ticket. */
static int
load_doc(struct pconn *c, const char *id, bool lock, char **doc, int64_t *version,
         struct err *e)
{
    struct params p;
    PGresult *r;

    *doc = NULL;
    p_init(&p);
    p_text(&p, id);
    r = lock ? q_write(c, "SELECT doc, version FROM tickets WHERE id = $1 FOR UPDATE", &p,
                       "reading a ticket", e)
             : q_read(c, "SELECT doc, version FROM tickets WHERE id = $1", &p,
                      "reading a ticket", e);
    if (r == NULL)
        return HL_EIO;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return err_set(e, HL_ENOENT, "id", "no ticket %s", id);
    }
    *doc = col_dup(r, 0, 0);
    if (version != NULL)
        *version = col_int(r, 0, 1);
    PQclear(r);
    return HL_OK;
}

/* Load and decode a ticket. */
static int
load_ticket(struct pconn *c, const char *id, struct ticket **out, struct err *e)
{
    char *doc = NULL;
    int rc = load_doc(c, id, false, &doc, NULL, e);

    *out = NULL;
    if (rc == HL_OK) {
        *out = store_util_doc_to_ticket(doc, id, e);
        if (*out == NULL)
            rc = HL_EIO;
    }
    free(doc);
    return rc;
}

/* Save an existing ticket (document, columns, units unless old_units says they are the
 * same) and append its feed row at time at (0: now). */
static int
save_ticket(struct pconn *c, struct store *s, const struct ticket *t, const char *old_units,
            const char *action, hl_time at, int64_t *seq, struct err *e)
{
    char *doc = codec_ticket_encode(t, s->tz), *units = NULL;
    char phone[32];
    struct params p;
    int rc;

    ticket_params(&p, s, t, doc, phone, sizeof phone);
    rc = q_do(c, "UPDATE tickets SET version = $2, doc = $3, status = $5, nature = $6, "
              "urgency = $7, category = $8, title = $9, description = $10, location = $11, "
              "caller_phone = $12, caller_name = $13, caller_address = $14, "
              "created_by = $15, created_at = $16, updated_at = $17, closed_at = $18, "
              "due_at = $19, callback_due_at = $20, flags = $21, day = $4 WHERE id = $1", &p,
              "saving the ticket", e);
    if (rc == HL_OK)
        rc = save_units(c, t, old_units, e);
    if (rc == HL_OK) {
        units = store_util_units_csv(t);
        rc = feed_insert(c, "ticket.updated", t->id, action, NULL, NULL, units, at, seq, e);
    }
    free(units);
    free(doc);
    return rc;
}

/* ---- tickets: create, get, update ---- */

/* Look an idempotency key up: HL_OK with *ticket_id (owned) when known and the body is
 * the same, HL_ENOENT when unknown, HL_ECONFLICT when the body differs. */
static int
idem_lookup(struct pconn *c, const char *key, const char *body_hash, char **ticket_id,
            struct err *e)
{
    struct params p;
    PGresult *r;
    int rc = HL_OK;

    *ticket_id = NULL;
    p_init(&p);
    p_text(&p, key);
    r = q_read(c, "SELECT body_hash, ticket_id FROM idempotency WHERE key = $1", &p,
               "reading the idempotency key", e);
    if (r == NULL)
        return HL_EIO;
    if (PQntuples(r) == 0)
        rc = HL_ENOENT;
    else if (strcmp(col_text(r, 0, 0), body_hash != NULL ? body_hash : "") != 0)
        rc = err_set(e, HL_ECONFLICT, "Idempotency-Key", "this Idempotency-Key was already "
                     "used for a different request body (idempotency_key_reused): send a new "
                     "key for a new ticket");
    else if (col_text(r, 0, 1) == NULL)
        rc = err_set(e, HL_EIO, "", "the idempotency key has no ticket: run `hotlined check`");
    else
        *ticket_id = col_dup(r, 0, 1);
    PQclear(r);
    return rc;
}

/* Claim an idempotency key for this transaction: HL_ENOENT when it is new (now ours:
 * create the ticket), HL_OK with *ticket_id when a committed request used it with the same
 * body, HL_ECONFLICT when with another body. A concurrent request with the same key in
 * another instance makes this wait for its commit, then replay it. */
static int
idem_claim(struct pconn *c, const char *key, const char *body_hash, char **ticket_id,
           struct err *e)
{
    struct params p;
    PGresult *r;
    int attempt, rc = HL_ENOENT;
    int64_t claimed;

    *ticket_id = NULL;
    for (attempt = 0; attempt < 3; attempt++) {
        p_init(&p);
        p_text(&p, key);
        p_text(&p, body_hash != NULL ? body_hash : "");
        p_int(&p, now());
        r = q_write(c, "INSERT INTO idempotency(key, body_hash, ticket_id, created_at) "
                    "VALUES ($1, $2, NULL, $3) ON CONFLICT (key) DO NOTHING", &p,
                    "saving the idempotency key", e);
        if (r == NULL)
            return HL_EIO;
        claimed = changed_rows(r);
        PQclear(r);
        if (claimed == 1)
            return HL_ENOENT;
        rc = idem_lookup(c, key, body_hash, ticket_id, e);
        if (rc != HL_ENOENT)
            return rc;           /* else purged in between: claim again */
    }
    return err_set(e, HL_EIO, "", "the idempotency key could not be claimed: try again");
}

/* Take the next number of the daily sequence of day (the row stays locked until commit,
 * so numbers are gapless across instances). */
static int
next_daily(struct pconn *c, int64_t day, int64_t *n, struct err *e)
{
    struct params p;
    PGresult *r;

    p_init(&p);
    p_int(&p, day);
    r = q_write(c, "INSERT INTO ticket_seq(day, last) VALUES ($1, 1) ON CONFLICT (day) "
                "DO UPDATE SET last = ticket_seq.last + 1 RETURNING last", &p,
                "numbering the ticket", e);
    if (r == NULL)
        return HL_EIO;
    *n = col_int(r, 0, 0);
    PQclear(r);
    if (*n > 999999)
        return err_set(e, HL_ERANGE, "id", "the daily ticket sequence of %lld is exhausted "
                       "(999999 tickets)", (long long)day);
    return HL_OK;
}

/* Forget idempotency keys older than IDEM_KEEP_SECS, now and then. */
static int
idem_purge(struct pconn *c, struct err *e)
{
    struct params p;

    if (c->creates++ % IDEM_PURGE_EVERY != 0)
        return HL_OK;
    p_init(&p);
    p_int(&p, now() - IDEM_KEEP_SECS);
    return q_do(c, "DELETE FROM idempotency WHERE created_at < $1", &p,
                "purging old idempotency keys", e);
}

/* Insert a new ticket with its id assigned; the body of ticket_create's transaction. */
static int
create_in_tx(struct pconn *c, struct store *s, const struct ticket *in, const char *idem_key,
             struct ticket **out, int64_t *seq, struct err *e)
{
    struct ticket t = *in;       /* shallow: borrows in's strings, never freed */
    char *id = NULL, *doc = NULL, *units = NULL;
    char phone[32];
    struct params p;
    int64_t n = 0, day;
    int rc;

    if (t.created_at == 0)
        t.created_at = now();
    if (t.updated_at == 0)
        t.updated_at = t.created_at;
    day = store_util_local_day(s, t.created_at);
    rc = next_daily(c, day, &n, e);
    if (rc != HL_OK)
        goto out;
    id = xasprintf("HL%08lld-%06lld", (long long)day, (long long)n);
    t.id = id;
    t.version = 1;
    doc = codec_ticket_encode(&t, s->tz);
    ticket_params(&p, s, &t, doc, phone, sizeof phone);
    rc = q_do(c, "INSERT INTO tickets(" TICKET_COLS ") VALUES ($1, $2, $3, $4, $5, $6, $7, "
              "$8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)", &p,
              "saving the new ticket", e);
    if (rc == HL_OK)
        rc = save_units(c, &t, NULL, e);
    if (rc == HL_OK && !str_empty(idem_key)) {
        p_init(&p);
        p_text(&p, idem_key);
        p_text(&p, id);
        rc = q_do(c, "UPDATE idempotency SET ticket_id = $2 WHERE key = $1", &p,
                  "saving the idempotency key", e);
        if (rc == HL_OK)
            rc = idem_purge(c, e);
    }
    if (rc == HL_OK) {
        units = store_util_units_csv(&t);
        rc = feed_insert(c, "ticket.created", id, "create", NULL, NULL, units, t.created_at,
                         seq, e);
    }
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
pg_ticket_create(struct store *s, const struct ticket *t, const char *idem_key,
                 const char *body_hash, struct ticket **out, bool *replayed, int64_t *seq,
                 struct err *e)
{
    struct pg_store *ps = pgs(s);
    struct pconn *c;
    char *known = NULL;
    int rc;

    *out = NULL;
    if (replayed != NULL)
        *replayed = false;
    if (seq != NULL)
        *seq = 0;
    c = borrow(ps, e);
    if (c == NULL)
        return HL_EIO;
    if (tx_begin(c, e) != HL_OK) {
        give_back(ps, c);
        return HL_EIO;
    }
    rc = HL_ENOENT;
    if (!str_empty(idem_key))
        rc = idem_claim(c, idem_key, body_hash, &known, e);
    if (rc == HL_OK) {
        rc = load_ticket(c, known, out, e);
        if (rc == HL_OK && replayed != NULL)
            *replayed = true;
    } else if (rc == HL_ENOENT) {
        rc = create_in_tx(c, s, t, idem_key, out, seq, e);
    }
    rc = tx_end(c, rc, e);
    if (rc != HL_OK) {
        ticket_free(out);
        if (seq != NULL)
            *seq = 0;
        if (replayed != NULL)
            *replayed = false;
    }
    give_back(ps, c);
    free(known);
    return rc;
}

/* Create a ticket; *id, *doc and *version of the stored ticket (the document encoded
 * again from the stored one, which it equals). */
static int
pg_ticket_create_doc(struct store *s, const struct ticket *t, const char *idem_key,
                     const char *body_hash, char **id, char **doc, int64_t *version,
                     bool *replayed, int64_t *seq, struct err *e)
{
    struct ticket *out = NULL;
    int rc;

    *id = NULL;
    *doc = NULL;
    if (version != NULL)
        *version = 0;
    rc = pg_ticket_create(s, t, idem_key, body_hash, &out, replayed, seq, e);
    if (rc != HL_OK)
        return rc;
    *id = xstrdup(out->id);
    *doc = codec_ticket_encode(out, s->tz);
    if (version != NULL)
        *version = out->version;
    ticket_free(&out);
    return HL_OK;
}

/* *yes when the caller (canonical phone) has a ticket that is neither closed nor
 * archived. */
static int
pg_caller_has_open(struct store *s, const char *phone, bool *yes, struct err *e)
{
    struct pg_store *ps = pgs(s);
    struct pconn *c = borrow(ps, e);
    struct params p;
    PGresult *r;

    *yes = false;
    if (c == NULL)
        return HL_EIO;
    p_init(&p);
    p_text(&p, phone);
    r = q_read(c, "SELECT 1 FROM tickets WHERE caller_phone = $1"
               " AND status NOT IN ('closed', 'archived') LIMIT 1", &p,
               "reading the caller's tickets", e);
    give_back(ps, c);
    if (r == NULL)
        return HL_EIO;
    *yes = PQntuples(r) > 0;
    PQclear(r);
    return HL_OK;
}

/* Run fn in one write transaction on the calling thread's connection (nested when it
 * holds one already); concurrent commits are grouped by PostgreSQL itself. */
static int
pg_write_tx(struct store *s, store_tx_fn fn, void *arg, struct err *e)
{
    struct pg_store *ps = pgs(s);
    struct pconn *c = borrow(ps, e);
    int rc;

    if (c == NULL)
        return HL_EIO;
    if (tx_begin(c, e) != HL_OK) {
        give_back(ps, c);
        return HL_EIO;
    }
    rc = fn(s, arg, e);
    if (rc != HL_OK && e != NULL && e->code == HL_OK)
        err_set(e, rc, "", "the change was refused");
    if (rc == HL_OK && !tx_alive(c))
        rc = err_set(e, HL_EIO, "", "the database rolled the change back after an error "
                     "inside it; nothing was saved");
    rc = tx_end(c, rc, e);
    give_back(ps, c);
    return rc;
}

/* Load a ticket. */
static int
pg_ticket_get(struct store *s, const char *id, struct ticket **out, struct err *e)
{
    struct pg_store *ps = pgs(s);
    struct pconn *c = borrow(ps, e);
    int rc;

    *out = NULL;
    if (c == NULL)
        return HL_EIO;
    rc = load_ticket(c, id, out, e);
    give_back(ps, c);
    return rc;
}

/* The stored document of a ticket and its version. */
static int
pg_ticket_get_doc(struct store *s, const char *id, char **doc, int64_t *version,
                  struct err *e)
{
    struct pg_store *ps = pgs(s);
    struct pconn *c = borrow(ps, e);
    int rc;

    *doc = NULL;
    if (c == NULL)
        return HL_EIO;
    rc = load_doc(c, id, false, doc, version, e);
    give_back(ps, c);
    return rc;
}

/* Read-modify-write one ticket in one transaction: the row is locked by SELECT ... FOR
 * UPDATE before the version check, so a concurrent writer in any instance waits and then
 * sees the new version. */
static int
pg_ticket_update(struct store *s, const char *id, int64_t if_match, const char *action,
                 store_mutate_fn fn, void *arg, struct ticket **out, int64_t *seq,
                 struct err *e)
{
    struct pg_store *ps = pgs(s);
    struct pconn *c;
    struct ticket *t = NULL;
    char *doc = NULL, *old_units = NULL;
    int64_t version = 0;
    int rc;

    if (out != NULL)
        *out = NULL;
    if (seq != NULL)
        *seq = 0;
    if (fn == NULL)
        return err_set(e, HL_EINVAL, "", "ticket_update needs a mutate callback");
    c = borrow(ps, e);
    if (c == NULL)
        return HL_EIO;
    if (tx_begin(c, e) != HL_OK) {
        give_back(ps, c);
        return HL_EIO;
    }
    rc = load_doc(c, id, true, &doc, &version, e);
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
        old_units = units_array(t);
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
        rc = save_ticket(c, s, t, old_units, action, t->updated_at, seq, e);
    }
    rc = tx_end(c, rc, e);
    give_back(ps, c);
    if (rc == HL_OK && out != NULL) {
        *out = t;
        t = NULL;
    }
    if (rc != HL_OK && seq != NULL)
        *seq = 0;
    ticket_free(&t);
    free(old_units);
    free(doc);
    return rc;
}

/* ---- tickets: lists ---- */

/* Append the WHERE clause of a ticket query (always starts " WHERE TRUE"). */
static void
ticket_where(struct qb *b, const struct ticket_query *q)
{
    char phone[32];
    char *text, *pat;
    int k, i;
    bool first = true;

    qb_sql(b, " WHERE TRUE");
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
        qb_sql(b, " AND flags <> 0 AND (flags & ");
        qb_int(b, q->flag_mask);
        qb_sql(b, ") = ");
        qb_int(b, q->flag_mask);
    }
    /* Any length: ILIKE (ASCII folded, like SQLite's LIKE and trigram FTS); from three
     * characters on the trigram GIN index answers it. */
    text = store_util_trim_query(q->q);
    if (text != NULL) {
        pat = store_util_like_pattern(text);
        k = qb_param(b, pat);
        strbuf_addf(&b->sql, " AND (id ILIKE $%d OR title ILIKE $%d OR description ILIKE $%d"
                    " OR location ILIKE $%d OR caller_name ILIKE $%d OR caller_phone ILIKE $%d"
                    " OR caller_address ILIKE $%d)", k, k, k, k, k, k, k);
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

/* Count the tickets matching q. */
static int
ticket_count(struct pconn *c, const struct ticket_query *q, int64_t *total, struct err *e)
{
    struct qb b;
    PGresult *r;
    int rc = HL_OK;

    qb_init(&b);
    qb_sql(&b, "SELECT count(*) FROM tickets");
    ticket_where(&b, q);
    r = qb_read(c, &b, "counting tickets", e);
    if (r == NULL)
        rc = HL_EIO;
    else
        *total = col_int(r, 0, 0);
    PQclear(r);
    qb_fini(&b);
    return rc;
}

/* Build the page query of q into b: SELECT key, doc, id ... LIMIT limit + 1. The page is
 * chosen on keys alone; documents are read for its rows only. */
static int
ticket_list_sql(const struct ticket_query *q, int limit, struct qb *b,
                const struct store_ticket_order **ord_out, struct err *e)
{
    const struct store_ticket_order *ord = store_util_ticket_order(q->order, e);
    const char *dir;
    char *cur_id = NULL;
    int64_t key = 0;

    *ord_out = ord;
    if (ord == NULL)
        return HL_EINVAL;
    if (!str_empty(q->cursor)
        && store_util_cursor_parse(q->cursor, ord->tag, &key, &cur_id, e) != HL_OK)
        return HL_EINVAL;
    dir = ord->desc ? "DESC" : "ASC";
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
    strbuf_addf(&b->sql, " ORDER BY %s %s, id %s LIMIT ", ord->col, dir, dir);
    qb_int(b, limit + 1);
    strbuf_addf(&b->sql, ") AS p JOIN tickets t ON t.rid = p.rid ORDER BY p.k %s, p.id %s",
                dir, dir);
    free(cur_id);
    return HL_OK;
}

/* One page of tickets. */
static int
pg_ticket_list(struct store *s, const struct ticket_query *q, struct ticket_page *out,
               struct err *e)
{
    struct pg_store *ps = pgs(s);
    const struct store_ticket_order *ord;
    struct pconn *c = NULL;
    struct qb b;
    PGresult *r = NULL;
    int limit = store_util_clamp_limit(q->limit);
    int rc, rows, i;

    memset(out, 0, sizeof *out);
    out->total = -1;
    qb_init(&b);
    rc = ticket_list_sql(q, limit, &b, &ord, e);
    if (rc != HL_OK)
        goto out;
    c = borrow(ps, e);
    if (c == NULL) {
        rc = HL_EIO;
        goto out;
    }
    r = qb_read(c, &b, "listing tickets", e);
    if (r == NULL) {
        rc = HL_EIO;
        goto out;
    }
    rows = PQntuples(r);
    if (q->docs)
        out->docs = xcalloc((size_t)limit, sizeof *out->docs);
    else
        out->items = xcalloc((size_t)limit, sizeof *out->items);
    for (i = 0; i < rows && i < limit; i++) {
        struct ticket *t;

        if (q->docs) {
            out->docs[out->n++] = xstrdup(PQgetvalue(r, i, 1));   /* doc is NOT NULL */
            continue;
        }
        t = store_util_doc_to_ticket(col_text(r, i, 1), col_text(r, i, 2), e);
        if (t == NULL) {
            rc = HL_EIO;
            goto out;
        }
        out->items[out->n++] = *t;
        free(t);
    }
    if (rows > limit)
        out->next_cursor = store_util_cursor_make(ord->tag, col_int(r, limit - 1, 0),
                                                  col_text(r, limit - 1, 2));
    if (q->count)
        rc = ticket_count(c, q, &out->total, e);
out:
    PQclear(r);
    give_back(ps, c);
    if (rc != HL_OK) {
        ticket_page_fini(out);
        out->total = -1;
    }
    qb_fini(&b);
    return rc;
}

/* Call fn for every ticket matching q, oldest first, in batches of SCAN_BATCH (by the key
 * created_at, id), so a scan over years of tickets holds one batch in memory. */
static int
pg_ticket_scan(struct store *s, const struct ticket_query *q, store_scan_fn fn, void *arg,
               struct err *e)
{
    struct pg_store *ps = pgs(s);
    struct pconn *c = borrow(ps, e);
    int64_t last_at = 0;
    char *last_id = NULL;
    bool more = true;
    int rc = HL_OK, rows, i;

    if (c == NULL)
        return HL_EIO;
    while (more && rc == HL_OK) {
        struct qb b;
        PGresult *r;

        qb_init(&b);
        qb_sql(&b, "SELECT doc, id, created_at FROM tickets");
        ticket_where(&b, q);
        if (last_id != NULL) {
            qb_sql(&b, " AND (created_at, id) > (");
            qb_int(&b, last_at);
            qb_sql(&b, ", ");
            qb_text(&b, last_id);
            qb_sql(&b, ")");
        }
        qb_sql(&b, " ORDER BY created_at ASC, id ASC LIMIT ");
        qb_int(&b, SCAN_BATCH);
        r = qb_read(c, &b, "scanning tickets", e);
        qb_fini(&b);
        if (r == NULL) {
            rc = HL_EIO;
            break;
        }
        rows = PQntuples(r);
        for (i = 0; i < rows && more; i++) {
            struct ticket *t = store_util_doc_to_ticket(col_text(r, i, 0), col_text(r, i, 1),
                                                        e);

            if (t == NULL) {
                rc = HL_EIO;
                break;
            }
            more = fn(t, arg);
            ticket_free(&t);
        }
        if (rows > 0) {
            last_at = col_int(r, rows - 1, 2);
            free(last_id);
            last_id = col_dup(r, rows - 1, 1);
        }
        if (rows < SCAN_BATCH)
            more = false;
        PQclear(r);
    }
    free(last_id);
    give_back(ps, c);
    return rc;
}

/* Distinct callers with tickets of this category and location in [since, until). */
static int
pg_cluster_callers(struct store *s, const char *category, const char *location,
                   hl_time since, hl_time until, int *count, struct err *e)
{
    struct pg_store *ps = pgs(s);
    struct pconn *c = borrow(ps, e);
    struct params p;
    int64_t n = 0;
    int rc;

    *count = 0;
    if (c == NULL)
        return HL_EIO;
    p_init(&p);
    p_text(&p, category != NULL ? category : "");
    p_text(&p, location != NULL ? location : "");
    p_int(&p, since);
    p_int(&p, until);
    rc = read_int(c, "SELECT count(DISTINCT caller_phone) FROM tickets WHERE category = $1 "
                  "AND location = $2 AND created_at >= $3 AND created_at < $4 "
                  "AND caller_phone IS NOT NULL", &p, &n, "counting callers", e);
    if (rc == HL_OK)
        *count = (int)n;
    give_back(ps, c);
    return rc;
}

/* The statuses whose flags the sweep keeps. */
#define OPEN_STATUSES \
    "('accepted', 'dispatched', 'in_progress', 'returned', 'replied', 'callback')"

/* Recompute the flags of open tickets; save those that changed (version + 1, feed row).
 * First a read without locks finds the candidates; then one transaction locks each in
 * rid order (two instances sweeping at once cannot deadlock), recomputes it from the
 * locked row and saves it when its flags still change. */
static int
pg_ticket_reflag(struct store *s, unsigned (*fn)(const struct ticket *t, void *arg),
                 void *arg, int *changed, int64_t *seq, struct err *e)
{
    struct pg_store *ps = pgs(s);
    struct pconn *c = borrow(ps, e);
    char **todo = NULL;
    size_t n = 0, cap = 0, i;
    int64_t last_rid = 0;
    int rc = HL_OK, rows, k, saved = 0;
    bool more = true;

    if (changed != NULL)
        *changed = 0;
    if (seq != NULL)
        *seq = 0;
    if (c == NULL)
        return HL_EIO;
    while (more && rc == HL_OK) {
        struct params p;
        PGresult *r;

        p_init(&p);
        p_int(&p, last_rid);
        p_int(&p, SCAN_BATCH);
        r = q_read(c, "SELECT rid, doc, id FROM tickets WHERE status IN " OPEN_STATUSES
                   " AND rid > $1 ORDER BY rid LIMIT $2", &p, "scanning open tickets", e);
        if (r == NULL) {
            rc = HL_EIO;
            break;
        }
        rows = PQntuples(r);
        for (k = 0; k < rows; k++) {
            struct ticket *t = store_util_doc_to_ticket(col_text(r, k, 1), col_text(r, k, 2),
                                                        e);

            if (t == NULL) {
                rc = HL_EIO;
                break;
            }
            if (fn(t, arg) != t->flags) {
                if (n == cap) {
                    cap = cap == 0 ? 16 : cap * 2;
                    todo = xrealloc(todo, cap * sizeof *todo);
                }
                todo[n++] = xstrdup(t->id);
            }
            ticket_free(&t);
        }
        if (rows > 0)
            last_rid = col_int(r, rows - 1, 0);
        more = rows == SCAN_BATCH;
        PQclear(r);
    }
    if (rc == HL_OK && n > 0 && tx_begin(c, e) != HL_OK)
        rc = HL_EIO;
    else if (rc == HL_OK && n > 0) {
        for (i = 0; i < n && rc == HL_OK; i++) {
            struct params p;
            struct ticket *t;
            PGresult *r;
            unsigned nf;

            p_init(&p);
            p_text(&p, todo[i]);
            r = q_write(c, "SELECT doc, version FROM tickets WHERE id = $1 AND status IN "
                        OPEN_STATUSES " FOR UPDATE", &p, "reading an open ticket", e);
            if (r == NULL) {
                rc = HL_EIO;
                break;
            }
            if (PQntuples(r) == 0) {          /* closed meanwhile */
                PQclear(r);
                continue;
            }
            t = store_util_doc_to_ticket(col_text(r, 0, 0), todo[i], e);
            if (t == NULL) {
                PQclear(r);
                rc = HL_EIO;
                break;
            }
            nf = fn(t, arg);
            if (nf != t->flags) {
                char *units = units_array(t);

                t->flags = nf;
                t->version = col_int(r, 0, 1) + 1;
                rc = save_ticket(c, s, t, units, "reflag", 0, seq, e);
                free(units);
                saved++;
            }
            PQclear(r);
            ticket_free(&t);
        }
        rc = tx_end(c, rc, e);
    }
    give_back(ps, c);
    if (rc == HL_OK && changed != NULL)
        *changed = saved;
    if (rc != HL_OK && seq != NULL)
        *seq = 0;
    for (i = 0; i < n; i++)
        free(todo[i]);
    free(todo);
    return rc;
}

/* ---- knowledge base ---- */

/* Trigrams of a text (FTS5's trigram tokens: one per position, none below 3 characters). */
static int64_t
trigrams(const char *s)
{
    size_t n = s != NULL ? text_chars(s) : 0;

    return n >= 3 ? (int64_t)n - 2 : 0;
}

/* Take the next number of a named counter (inside a write transaction). */
static int
next_counter(struct pconn *c, const char *name, int64_t *n, struct err *e)
{
    struct params p;
    PGresult *r;

    p_init(&p);
    p_text(&p, name);
    r = q_write(c, "INSERT INTO counters(name, last) VALUES ($1, 1) ON CONFLICT (name) "
                "DO UPDATE SET last = counters.last + 1 RETURNING last", &p,
                "numbering the article", e);
    if (r == NULL)
        return HL_EIO;
    *n = col_int(r, 0, 0);
    PQclear(r);
    return HL_OK;
}

/* True when an article with this id exists; HL_OK or HL_EIO. */
static int
article_exists(struct pconn *c, const char *id, bool *exists, struct err *e)
{
    struct params p;
    PGresult *r;

    p_init(&p);
    p_text(&p, id);
    r = q_read(c, "SELECT 1 FROM articles WHERE id = $1", &p, "reading an article", e);
    if (r == NULL)
        return HL_EIO;
    *exists = PQntuples(r) > 0;
    PQclear(r);
    return HL_OK;
}

/* A free "KB-NNNN" id (inside the write transaction). Owned via *id. */
static int
new_article_id(struct pconn *c, char **id, struct err *e)
{
    int64_t n = 0;
    bool exists = false;
    int rc;

    *id = NULL;
    for (;;) {
        rc = next_counter(c, "kb", &n, e);
        if (rc != HL_OK)
            return rc;
        *id = xasprintf("KB-%04lld", (long long)n);
        rc = article_exists(c, *id, &exists, e);
        if (rc == HL_OK && !exists)
            return HL_OK;
        free(*id);
        *id = NULL;
        if (rc != HL_OK)
            return rc;
    }
}

/* Insert or replace an article by id; keeps the totals of bm25's average length. */
static int
pg_article_put(struct store *s, const struct article *in, struct article **out, struct err *e)
{
    struct pg_store *ps = pgs(s);
    struct pconn *c;
    struct article a;
    struct params p;
    PGresult *r;
    char *id = NULL, *doc = NULL;
    int64_t version = 0, old_ntok = 0, ntok;
    hl_time created = 0;
    bool inserted;
    int rc;

    if (out != NULL)
        *out = NULL;
    c = borrow(ps, e);
    if (c == NULL)
        return HL_EIO;
    if (tx_begin(c, e) != HL_OK) {
        give_back(ps, c);
        return HL_EIO;
    }
    rc = HL_OK;
    if (str_empty(in->id))
        rc = new_article_id(c, &id, e);
    else
        id = xstrdup(in->id);
    if (rc != HL_OK)
        goto out;
    p_init(&p);
    p_text(&p, id);
    r = q_write(c, "SELECT version, created_at, ntok FROM articles WHERE id = $1 FOR UPDATE",
                &p, "reading an article", e);
    if (r == NULL) {
        rc = HL_EIO;
        goto out;
    }
    if (PQntuples(r) > 0) {
        version = col_int(r, 0, 0);
        created = col_int(r, 0, 1);
        old_ntok = col_int(r, 0, 2);
    }
    PQclear(r);
    a = *in;                     /* shallow: borrows in's strings */
    a.id = id;
    a.version = version + 1;
    a.snippet = NULL;
    if (a.created_at == 0)
        a.created_at = created != 0 ? created : now();
    if (a.updated_at == 0)
        a.updated_at = version > 0 ? now() : a.created_at;
    doc = codec_article_encode(&a, s->tz);
    ntok = trigrams(a.title) + trigrams(a.body);
    p_init(&p);
    p_text(&p, a.id);
    p_int(&p, a.version);
    p_text(&p, doc);
    p_text(&p, a.title != NULL ? a.title : "");
    p_text(&p, a.body != NULL ? a.body : "");
    p_text(&p, kb_status_str(a.status));
    p_text(&p, kb_kind_str(a.kind));
    p_text(&p, kb_scope_str(a.scope));
    p_text(&p, a.category);
    p_text(&p, a.region);
    p_int(&p, a.valid_from);
    p_int(&p, a.valid_to);
    p_bool(&p, a.kind == KB_NOTICE);
    p_int(&p, a.created_at);
    p_int(&p, a.updated_at);
    p_int(&p, ntok);
    r = q_write(c, "INSERT INTO articles(id, version, doc, title, body, status, kind, scope, "
                "category, region, valid_from, valid_to, pinned, created_at, updated_at, ntok) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, "
                "$16) ON CONFLICT (id) DO UPDATE SET version = excluded.version, "
                "doc = excluded.doc, title = excluded.title, body = excluded.body, "
                "status = excluded.status, kind = excluded.kind, scope = excluded.scope, "
                "category = excluded.category, region = excluded.region, "
                "valid_from = excluded.valid_from, valid_to = excluded.valid_to, "
                "pinned = excluded.pinned, created_at = excluded.created_at, "
                "updated_at = excluded.updated_at, ntok = excluded.ntok "
                "RETURNING (xmax = 0)", &p, "saving the article", e);
    if (r == NULL) {
        rc = HL_EIO;
        goto out;
    }
    inserted = col_bool(r, 0, 0);
    PQclear(r);
    p_init(&p);
    p_int(&p, ntok - (inserted ? 0 : old_ntok));
    p_int(&p, inserted ? 1 : 0);
    rc = q_do(c, "INSERT INTO counters(name, last) VALUES ('kb.ntok', $1), ('kb.rows', $2) "
              "ON CONFLICT (name) DO UPDATE SET last = counters.last + excluded.last", &p,
              "counting the knowledge base", e);
    if (rc == HL_OK && out != NULL) {
        *out = store_util_doc_to_article(doc, id, e);
        if (*out == NULL)
            rc = HL_EIO;
    }
out:
    rc = tx_end(c, rc, e);
    give_back(ps, c);
    if (rc != HL_OK && out != NULL)
        article_free(out);
    free(doc);
    free(id);
    return rc;
}

/* Load an article. */
static int
pg_article_get(struct store *s, const char *id, struct article **out, struct err *e)
{
    struct pg_store *ps = pgs(s);
    struct pconn *c = borrow(ps, e);
    struct params p;
    PGresult *r;
    int rc;

    *out = NULL;
    if (c == NULL)
        return HL_EIO;
    p_init(&p);
    p_text(&p, id);
    r = q_read(c, "SELECT doc FROM articles WHERE id = $1", &p, "reading an article", e);
    if (r == NULL) {
        rc = HL_EIO;
    } else if (PQntuples(r) == 0) {
        rc = err_set(e, HL_ENOENT, "id", "no article %s", id);
    } else {
        *out = store_util_doc_to_article(col_text(r, 0, 0), id, e);
        rc = *out != NULL ? HL_OK : HL_EIO;
    }
    PQclear(r);
    give_back(ps, c);
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

/* Build the ranked search query of q into b (LIMIT limit + 1 OFFSET *offset); *text gets
 * the trimmed query (owned, NULL when none). The inner query ranks on keys only; the
 * outer one reads the documents of the page. Ranking is the SQLite store's (store_util.h):
 * title hits first, earlier matches first (the rank of the first match), then newest;
 * with grams (the fallback of a phrase found nowhere whole) articles with more of them
 * first, ranked by their best gram. pg_trgm serves ILIKE from 3 characters on. */
static int
article_search_sql(const struct article_query *q, int limit, struct qb *b, char **text,
                   char *const *grams, size_t ng, int64_t *offset, struct err *e)
{
    char *pat;
    size_t i;

    *text = NULL;
    if (article_cursor(q->cursor, offset, NULL, e) != HL_OK)
        return HL_EINVAL;
    *text = store_util_trim_query(q->q);
    if (*text == NULL) {
        qb_sql(b, "SELECT d.doc, d.id FROM (SELECT a.rid, a.pinned AS k1, 0::float8 AS k2, "
               "a.updated_at AS up, a.id FROM articles a WHERE TRUE");
        article_where(b, q);
        qb_sql(b, " ORDER BY a.pinned DESC, a.updated_at DESC, a.id DESC");
    } else if (ng > 0) {
        struct strbuf score, key, any;

        strbuf_init(&score);
        strbuf_init(&key);
        strbuf_init(&any);
        for (i = 0; i < ng; i++) {
            int k = qb_param(b, grams[i]);

            strbuf_addf(&score, "%s(CASE WHEN strpos(lower(a.title), $%d::text COLLATE \"C\") > 0 "
                        "OR strpos(lower(a.body), $%d::text COLLATE \"C\") > 0 THEN 1 ELSE 0 END)",
                        i > 0 ? " + " : "", k, k);
            strbuf_addf(&key, "%s(CASE WHEN strpos(lower(a.title), $%d::text COLLATE \"C\") > 0 "
                        "THEN strpos(lower(a.title), $%d::text COLLATE \"C\")::bigint "
                        "WHEN strpos(lower(a.body), $%d::text COLLATE \"C\") > 0 "
                        "THEN %lld + strpos(lower(a.body), $%d::text COLLATE \"C\") END)",
                        i > 0 ? ", " : "", k, k, k, (long long)STORE_GRAM_BODY, k);
            strbuf_addf(&any, "%sa.title ILIKE '%%' || $%d || '%%' OR a.body ILIKE '%%' || $%d "
                        "|| '%%'", i > 0 ? " OR " : "", k, k);
        }
        strbuf_addf(&b->sql, "SELECT d.doc, d.id FROM (SELECT a.rid, (%s) AS k1, "
                    "least(%s)::float8 AS k2, a.updated_at AS up, a.id FROM articles a "
                    "WHERE (%s)", score.buf, key.buf, any.buf);
        strbuf_fini(&score);
        strbuf_fini(&key);
        strbuf_fini(&any);
        article_where(b, q);
        qb_sql(b, " ORDER BY k1 DESC, k2, up DESC, a.id DESC");
    } else {
        pat = store_util_like_pattern(*text);
        qb_param(b, pat);        /* $1 */
        qb_param(b, *text);      /* $2 */
        free(pat);
        qb_sql(b, "SELECT d.doc, d.id FROM (SELECT a.rid, a.title ILIKE $1 AS k1, "
               "(CASE WHEN a.title ILIKE $1 "
               "THEN strpos(lower(a.title), lower($2::text COLLATE \"C\")) "
               "ELSE strpos(lower(a.body), lower($2::text COLLATE \"C\")) END)::float8 "
               "AS k2, a.updated_at AS up, a.id FROM articles a "
               "WHERE (a.title ILIKE $1 OR a.body ILIKE $1)");
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

/* Ranked knowledge-base search; a phrase of 3 characters or more found nowhere whole
 * falls back to its bigrams (at least 3), as in the SQLite store. */
static int
pg_article_search(struct store *s, const struct article_query *q, struct article_page *out,
                  struct err *e)
{
    struct pg_store *ps = pgs(s);
    struct pconn *c = NULL;
    int limit = store_util_clamp_limit(q->limit);
    char *text = NULL, **grams = NULL;
    size_t ng = 0;
    int64_t offset = 0;
    PGresult *r = NULL;
    bool fallback = false;
    struct qb b;
    int rc, rows = 0, i;

    memset(out, 0, sizeof *out);
    qb_init(&b);
    rc = article_cursor(q->cursor, &offset, &fallback, e);
    if (rc != HL_OK)
        goto out;
    c = borrow(ps, e);
    if (c == NULL) {
        rc = HL_EIO;
        goto out;
    }
    for (;;) {
        if (fallback) {
            text = store_util_trim_query(q->q);
            if (text != NULL)
                ng = store_util_phrase_bigrams(text, &grams);
            free(text);
            text = NULL;
            if (ng < 3)
                break;
        }
        rc = article_search_sql(q, limit, &b, &text, grams, ng, &offset, e);
        if (rc != HL_OK)
            goto out;
        r = qb_read(c, &b, "searching the knowledge base", e);
        if (r == NULL) {
            rc = HL_EIO;
            goto out;
        }
        rows = PQntuples(r);
        if (rows > 0 || fallback || text == NULL || !str_empty(q->cursor)
            || !store_util_use_trigrams(text))
            break;
        PQclear(r);             /* a phrase found nowhere whole: its bigrams */
        r = NULL;
        qb_fini(&b);
        qb_init(&b);
        free(text);
        text = NULL;
        fallback = true;
    }
    out->items = xcalloc((size_t)limit, sizeof *out->items);
    for (i = 0; i < rows && i < limit; i++) {
        struct article *a = store_util_doc_to_article(col_text(r, i, 0), col_text(r, i, 1), e);

        if (a == NULL) {
            rc = HL_EIO;
            goto out;
        }
        free(a->snippet);
        a->snippet = ng > 0 ? store_util_article_snippet_grams(a, grams, ng)
                            : store_util_article_snippet(a, text);
        out->items[out->n++] = *a;
        free(a);
    }
    if (rows > limit)
        out->next_cursor = store_util_cursor_make('k', offset + limit, ng > 0 ? "f" : "");
out:
    PQclear(r);
    give_back(ps, c);
    if (rc != HL_OK)
        article_page_fini(out);
    store_util_strings_free(grams, ng);
    qb_fini(&b);
    free(text);
    return rc;
}

/* Call fn for every article in id order, in batches. */
static int
pg_article_scan(struct store *s, bool (*fn)(const struct article *a, void *arg), void *arg,
                struct err *e)
{
    struct pg_store *ps = pgs(s);
    struct pconn *c = borrow(ps, e);
    char *last = xstrdup("");
    bool more = true;
    int rc = HL_OK, rows, i;

    if (c == NULL) {
        free(last);
        return HL_EIO;
    }
    while (more && rc == HL_OK) {
        struct params p;
        PGresult *r;

        p_init(&p);
        p_text(&p, last);
        p_int(&p, SCAN_BATCH);
        r = q_read(c, "SELECT doc, id FROM articles WHERE id > $1 ORDER BY id LIMIT $2", &p,
                   "reading articles", e);
        if (r == NULL) {
            rc = HL_EIO;
            break;
        }
        rows = PQntuples(r);
        for (i = 0; i < rows && more; i++) {
            struct article *a = store_util_doc_to_article(col_text(r, i, 0), col_text(r, i, 1),
                                                          e);

            if (a == NULL) {
                rc = HL_EIO;
                break;
            }
            more = fn(a, arg);
            article_free(&a);
        }
        if (rows > 0) {
            free(last);
            last = col_dup(r, rows - 1, 1);
        }
        if (rows < SCAN_BATCH)
            more = false;
        PQclear(r);
    }
    free(last);
    give_back(ps, c);
    return rc;
}

/* ---- units ---- */

/* Add a unit; HL_ECONFLICT when the code exists. */
static int
pg_unit_add(struct store *s, const char *code, const char *name, struct err *e)
{
    struct pg_store *ps = pgs(s);
    struct pconn *c;
    struct params p;
    PGresult *r = NULL;
    int rc;

    if (str_empty(code) || name == NULL)
        return err_set(e, HL_EINVAL, str_empty(code) ? "code" : "name",
                       "a unit needs a code and a name");
    c = borrow(ps, e);
    if (c == NULL)
        return HL_EIO;
    p_init(&p);
    p_text(&p, code);
    p_text(&p, name);
    if (write_one(c, "INSERT INTO units(code, name) VALUES ($1, $2)", &p, &r))
        rc = HL_OK;
    else if (is_state(r, "23505"))
        rc = err_set(e, HL_ECONFLICT, "code", "unit %s already exists", code);
    else
        rc = pg_fail(c, r, "adding a unit", e);
    PQclear(r);
    give_back(ps, c);
    return rc;
}

/* Every unit, by code. */
static int
pg_unit_list(struct store *s, struct unit **out, size_t *n, struct err *e)
{
    struct pg_store *ps = pgs(s);
    struct pconn *c = borrow(ps, e);
    PGresult *r;
    int i, rows;

    *out = NULL;
    *n = 0;
    if (c == NULL)
        return HL_EIO;
    r = q_read(c, "SELECT code, name FROM units ORDER BY code", NULL, "listing units", e);
    give_back(ps, c);
    if (r == NULL)
        return HL_EIO;
    rows = PQntuples(r);
    *out = xcalloc((size_t)rows + 1, sizeof **out);
    for (i = 0; i < rows; i++) {
        (*out)[i].code = col_dup(r, i, 0);
        (*out)[i].name = col_dup(r, i, 1);
    }
    *n = (size_t)rows;
    PQclear(r);
    return HL_OK;
}

/* One unit. */
static int
pg_unit_get(struct store *s, const char *code, struct unit *out, struct err *e)
{
    struct pg_store *ps = pgs(s);
    struct pconn *c = borrow(ps, e);
    struct params p;
    PGresult *r;
    int rc = HL_OK;

    memset(out, 0, sizeof *out);
    if (c == NULL)
        return HL_EIO;
    p_init(&p);
    p_text(&p, code);
    r = q_read(c, "SELECT code, name FROM units WHERE code = $1", &p, "reading a unit", e);
    give_back(ps, c);
    if (r == NULL)
        return HL_EIO;
    if (PQntuples(r) == 0) {
        rc = err_set(e, HL_ENOENT, "unit", "no unit %s", code);
    } else {
        out->code = col_dup(r, 0, 0);
        out->name = col_dup(r, 0, 1);
    }
    PQclear(r);
    return rc;
}

/* ---- users and sessions ---- */

/* Add a user; HL_ECONFLICT when the id exists, HL_EINVAL for an unknown unit. */
static int
pg_user_add(struct store *s, const struct user *u, const char *pw_hash, struct err *e)
{
    struct pg_store *ps = pgs(s);
    struct pconn *c;
    struct params p;
    PGresult *r = NULL;
    int rc;

    if (str_empty(u->id) || u->name == NULL || pw_hash == NULL)
        return err_set(e, HL_EINVAL, str_empty(u->id) ? "id" : "name",
                       "a user needs an id, a name and a password hash");
    c = borrow(ps, e);
    if (c == NULL)
        return HL_EIO;
    p_init(&p);
    p_text(&p, u->id);
    p_text(&p, u->name);
    p_text(&p, user_role_str(u->role));
    p_text(&p, str_empty(u->unit) ? NULL : u->unit);
    p_text(&p, pw_hash);
    p_int(&p, now());
    if (write_one(c, "INSERT INTO users(id, name, role, unit, pw_hash, disabled, created_at) "
                  "VALUES ($1, $2, $3, $4, $5, false, $6)", &p, &r))
        rc = HL_OK;
    else if (is_state(r, "23503"))
        rc = err_set(e, HL_EINVAL, "unit", "unknown unit %s: add the unit first", u->unit);
    else if (is_state(r, "23505"))
        rc = err_set(e, HL_ECONFLICT, "id", "user %s already exists", u->id);
    else
        rc = pg_fail(c, r, "adding a user", e);
    PQclear(r);
    give_back(ps, c);
    return rc;
}

/* Fill a user row from columns id, name, role, unit, pw_hash, disabled, created_at. */
static void
read_user_row(const PGresult *r, int row, struct user_row *out)
{
    enum user_role role = USER_AGENT;

    memset(out, 0, sizeof *out);
    out->user.id = col_dup(r, row, 0);
    out->user.name = col_dup(r, row, 1);
    if (col_text(r, row, 2) != NULL)
        user_role_parse(col_text(r, row, 2), &role);
    out->user.role = role;
    out->user.unit = col_dup(r, row, 3);
    out->pw_hash = col_dup(r, row, 4);
    out->disabled = col_bool(r, row, 5);
    out->created_at = col_int(r, row, 6);
}

/* One user. */
static int
pg_user_get(struct store *s, const char *id, struct user_row *out, struct err *e)
{
    struct pg_store *ps = pgs(s);
    struct pconn *c = borrow(ps, e);
    struct params p;
    PGresult *r;
    int rc = HL_OK;

    memset(out, 0, sizeof *out);
    if (c == NULL)
        return HL_EIO;
    p_init(&p);
    p_text(&p, id);
    r = q_read(c, "SELECT id, name, role, unit, pw_hash, disabled, created_at FROM users "
               "WHERE id = $1", &p, "reading a user", e);
    give_back(ps, c);
    if (r == NULL)
        return HL_EIO;
    if (PQntuples(r) == 0)
        rc = err_set(e, HL_ENOENT, "user", "no user %s", id);
    else
        read_user_row(r, 0, out);
    PQclear(r);
    return rc;
}

/* Every user, by id. */
static int
pg_user_list(struct store *s, struct user_row **out, size_t *n, struct err *e)
{
    struct pg_store *ps = pgs(s);
    struct pconn *c = borrow(ps, e);
    PGresult *r;
    int i, rows;

    *out = NULL;
    *n = 0;
    if (c == NULL)
        return HL_EIO;
    r = q_read(c, "SELECT id, name, role, unit, pw_hash, disabled, created_at FROM users "
               "ORDER BY id", NULL, "listing users", e);
    give_back(ps, c);
    if (r == NULL)
        return HL_EIO;
    rows = PQntuples(r);
    *out = xcalloc((size_t)rows + 1, sizeof **out);
    for (i = 0; i < rows; i++)
        read_user_row(r, i, &(*out)[i]);
    *n = (size_t)rows;
    PQclear(r);
    return HL_OK;
}

/* Change one user column by sql ($1 id, $2 value when not NULL) and revoke every session,
 * atomically. */
static int
user_change(struct store *s, const char *sql, const char *id, const char *value,
            const char *what, struct err *e)
{
    struct pg_store *ps = pgs(s);
    struct pconn *c = borrow(ps, e);
    struct params p;
    PGresult *r;
    int rc = HL_OK;

    if (c == NULL)
        return HL_EIO;
    if (tx_begin(c, e) != HL_OK) {
        give_back(ps, c);
        return HL_EIO;
    }
    p_init(&p);
    p_text(&p, id);
    if (value != NULL)
        p_text(&p, value);
    r = q_write(c, sql, &p, what, e);
    if (r == NULL)
        rc = HL_EIO;
    else if (changed_rows(r) == 0)
        rc = err_set(e, HL_ENOENT, "user", "no user %s", id);
    PQclear(r);
    if (rc == HL_OK) {
        p_init(&p);
        p_text(&p, id);
        rc = q_do(c, "DELETE FROM sessions WHERE user_id = $1", &p,
                  "revoking the user's sessions", e);
    }
    rc = tx_end(c, rc, e);
    give_back(ps, c);
    return rc;
}

/* Set a user's password hash and revoke every session. */
static int
pg_user_set_password(struct store *s, const char *id, const char *pw_hash, struct err *e)
{
    if (pw_hash == NULL)
        return err_set(e, HL_EINVAL, "password", "no password hash given");
    return user_change(s, "UPDATE users SET pw_hash = $2 WHERE id = $1", id, pw_hash,
                       "changing the password", e);
}

/* Disable a user and revoke every session. */
static int
pg_user_disable(struct store *s, const char *id, struct err *e)
{
    return user_change(s, "UPDATE users SET disabled = true WHERE id = $1", id, NULL,
                       "disabling the user", e);
}

/* Add a session (and drop sessions that have expired). */
static int
pg_session_add(struct store *s, const char *token_hash, const char *user_id, hl_time created,
               hl_time expires, struct err *e)
{
    struct pg_store *ps = pgs(s);
    struct pconn *c;
    struct params p;
    PGresult *r = NULL;
    int rc;

    if (str_empty(token_hash))
        return err_set(e, HL_EINVAL, "token", "no token hash given");
    c = borrow(ps, e);
    if (c == NULL)
        return HL_EIO;
    if (tx_begin(c, e) != HL_OK) {
        give_back(ps, c);
        return HL_EIO;
    }
    p_init(&p);
    p_int(&p, created);
    rc = q_do(c, "DELETE FROM sessions WHERE expires <= $1", &p, "dropping expired sessions",
              e);
    if (rc == HL_OK) {
        p_init(&p);
        p_text(&p, token_hash);
        p_text(&p, user_id);
        p_int(&p, created);
        p_int(&p, expires);
        if (exec_v(c, "INSERT INTO sessions(token_hash, user_id, created, expires) "
                   "VALUES ($1, $2, $3, $4)", p.n, p.v, false, &r))
            rc = HL_OK;
        else if (is_state(r, "23503"))
            rc = err_set(e, HL_ENOENT, "user", "no user %s", user_id != NULL ? user_id : "");
        else if (is_state(r, "23505"))
            rc = err_set(e, HL_ECONFLICT, "token", "this session token already exists");
        else
            rc = pg_fail(c, r, "saving the session", e);
        PQclear(r);
    }
    rc = tx_end(c, rc, e);
    give_back(ps, c);
    return rc;
}

/* The user of a live session. */
static int
pg_session_get(struct store *s, const char *token_hash, hl_time now_t, struct user *out,
               hl_time *expires, struct err *e)
{
    struct pg_store *ps = pgs(s);
    struct pconn *c = borrow(ps, e);
    enum user_role role = USER_AGENT;
    struct params p;
    PGresult *r;
    int rc = HL_OK;

    memset(out, 0, sizeof *out);
    if (c == NULL)
        return HL_EIO;
    p_init(&p);
    p_text(&p, token_hash);
    p_int(&p, now_t);
    r = q_read(c, "SELECT u.id, u.name, u.role, u.unit, s.expires FROM sessions s "
               "JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires > $2 "
               "AND NOT u.disabled", &p, "reading the session", e);
    give_back(ps, c);
    if (r == NULL)
        return HL_EIO;
    if (PQntuples(r) == 0) {
        rc = err_set(e, HL_ENOENT, "token", "the session has expired or was revoked: "
                     "sign in again");
    } else {
        out->id = col_dup(r, 0, 0);
        out->name = col_dup(r, 0, 1);
        if (col_text(r, 0, 2) != NULL)
            user_role_parse(col_text(r, 0, 2), &role);
        out->role = role;
        out->unit = col_dup(r, 0, 3);
        if (expires != NULL)
            *expires = col_int(r, 0, 4);
    }
    PQclear(r);
    return rc;
}

/* Revoke one session; HL_ENOENT when unknown. */
static int
pg_session_revoke(struct store *s, const char *token_hash, struct err *e)
{
    struct pg_store *ps = pgs(s);
    struct pconn *c = borrow(ps, e);
    struct params p;
    PGresult *r = NULL;
    int rc = HL_OK;

    if (c == NULL)
        return HL_EIO;
    p_init(&p);
    p_text(&p, token_hash);
    if (!write_one(c, "DELETE FROM sessions WHERE token_hash = $1", &p, &r))
        rc = pg_fail(c, r, "revoking the session", e);
    else if (changed_rows(r) == 0)
        rc = err_set(e, HL_ENOENT, "token", "no such session");
    PQclear(r);
    give_back(ps, c);
    return rc;
}

/* ---- audit ---- */

/* Append an audit row. */
static int
pg_audit_add(struct store *s, const char *user_id, const char *ticket_id, const char *what,
             hl_time at, struct err *e)
{
    struct pg_store *ps = pgs(s);
    struct pconn *c = borrow(ps, e);
    struct params p;
    PGresult *r = NULL;
    int rc = HL_OK;

    if (c == NULL)
        return HL_EIO;
    p_init(&p);
    p_int(&p, at != 0 ? at : now());
    p_text(&p, user_id);
    p_text(&p, ticket_id);
    p_text(&p, what != NULL ? what : "");
    if (!write_one(c, "INSERT INTO audit(at, user_id, ticket_id, what) VALUES ($1, $2, $3, $4)",
                   &p, &r))
        rc = pg_fail(c, r, "writing the audit log", e);
    PQclear(r);
    give_back(ps, c);
    return rc;
}

/* Audit rows, newest first, one page. */
static int
pg_audit_list(struct store *s, const char *ticket_id, int limit, const char *cursor,
              struct audit_row **out, size_t *n, char **next_cursor, struct err *e)
{
    struct pg_store *ps = pgs(s);
    struct pconn *c = NULL;
    struct qb b;
    PGresult *r = NULL;
    int64_t key = 0;
    char *cur_id = NULL;
    long cur_rowid = 0;
    int rc = HL_OK, rows, i;

    *out = NULL;
    *n = 0;
    *next_cursor = NULL;
    limit = store_util_clamp_limit(limit);
    qb_init(&b);
    if (!str_empty(cursor)) {
        rc = store_util_cursor_parse(cursor, 'a', &key, &cur_id, e);
        if (rc == HL_OK && !str_to_long(cur_id, 0, INT64_MAX, &cur_rowid))
            rc = err_set(e, HL_EINVAL, "cursor", "the cursor is not one this list gave out: "
                         "start from the first page");
        if (rc != HL_OK)
            goto out;
    }
    qb_sql(&b, "SELECT at, id, user_id, ticket_id, what FROM audit WHERE TRUE");
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
    c = borrow(ps, e);
    if (c == NULL) {
        rc = HL_EIO;
        goto out;
    }
    r = qb_read(c, &b, "reading the audit log", e);
    if (r == NULL) {
        rc = HL_EIO;
        goto out;
    }
    rows = PQntuples(r);
    *out = xcalloc((size_t)limit, sizeof **out);
    for (i = 0; i < rows && i < limit; i++) {
        struct audit_row *a = &(*out)[(*n)++];

        a->at = col_int(r, i, 0);
        a->user_id = col_dup(r, i, 2);
        a->ticket_id = col_dup(r, i, 3);
        a->what = col_dup(r, i, 4);
    }
    if (rows > limit)
        *next_cursor = store_util_cursor_make('a', col_int(r, limit - 1, 0),
                                              col_text(r, limit - 1, 1));
out:
    PQclear(r);
    give_back(ps, c);
    qb_fini(&b);
    free(cur_id);
    return rc;
}

/* ---- feed ---- */

/* The last sequence number of the feed (0 when empty). */
static int
pg_feed_last_seq(struct store *s, int64_t *seq, struct err *e)
{
    struct pg_store *ps = pgs(s);
    struct pconn *c = borrow(ps, e);
    int rc;

    *seq = 0;
    if (c == NULL)
        return HL_EIO;
    rc = read_int(c, "SELECT coalesce(max(seq), 0) FROM feed", NULL, seq,
                  "reading the change feed", e);
    give_back(ps, c);
    return rc;
}

/* Feed rows after since, oldest first. */
static int
pg_feed_since(struct store *s, int64_t since, int limit, struct feed_event **out, size_t *n,
              struct err *e)
{
    struct pg_store *ps = pgs(s);
    struct pconn *c = borrow(ps, e);
    struct params p;
    PGresult *r;
    int i, rows;

    *out = NULL;
    *n = 0;
    if (c == NULL)
        return HL_EIO;
    if (limit <= 0)
        limit = STORE_LIMIT_MAX;
    if (limit > MAX_FEED_LIMIT)
        limit = MAX_FEED_LIMIT;
    p_init(&p);
    p_int(&p, since);
    p_int(&p, limit);
    r = q_read(c, "SELECT seq, type, ticket_id, action, agent, phone, unit, at FROM feed "
               "WHERE seq > $1 ORDER BY seq LIMIT $2", &p, "reading the change feed", e);
    give_back(ps, c);
    if (r == NULL)
        return HL_EIO;
    rows = PQntuples(r);
    *out = xcalloc((size_t)limit, sizeof **out);
    for (i = 0; i < rows && i < limit; i++) {
        struct feed_event *ev = &(*out)[(*n)++];

        ev->seq = col_int(r, i, 0);
        ev->type = col_dup(r, i, 1);
        ev->ticket_id = col_dup(r, i, 2);
        ev->action = col_dup(r, i, 3);
        ev->agent = col_dup(r, i, 4);
        ev->phone = col_dup(r, i, 5);
        ev->unit = col_dup(r, i, 6);
        ev->at = col_int(r, i, 7);
    }
    PQclear(r);
    return HL_OK;
}

/* Append a feed row outside a ticket change. */
static int
pg_feed_add(struct store *s, const struct feed_event *ev, int64_t *seq, struct err *e)
{
    struct pg_store *ps = pgs(s);
    struct pconn *c;
    int rc;

    if (seq != NULL)
        *seq = 0;
    if (str_empty(ev->type))
        return err_set(e, HL_EINVAL, "type", "a feed event needs a type");
    c = borrow(ps, e);
    if (c == NULL)
        return HL_EIO;
    if (tx_begin(c, e) != HL_OK) {
        give_back(ps, c);
        return HL_EIO;
    }
    rc = feed_insert(c, ev->type, ev->ticket_id, ev->action, ev->agent, ev->phone, ev->unit,
                     ev->at, seq, e);
    rc = tx_end(c, rc, e);
    give_back(ps, c);
    if (rc != HL_OK && seq != NULL)
        *seq = 0;
    return rc;
}

/* ---- phone system ---- */

/* Fold one call event into its call record. */
static int
pg_call_event_add(struct store *s, const struct call_event *ev, struct err *e)
{
    static const char *const sql[CALL_EVENT_COUNT] = {
        [CALL_NEW] =
            "INSERT INTO calls(call_id, caller, queue, agent, offered_at) "
            "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (call_id) DO UPDATE SET "
            "offered_at = least(calls.offered_at, excluded.offered_at), "
            "caller = coalesce(excluded.caller, calls.caller), "
            "queue = coalesce(excluded.queue, calls.queue), "
            "agent = coalesce(calls.agent, excluded.agent)",
        [CALL_ANSWER] =
            "INSERT INTO calls(call_id, caller, queue, agent, offered_at, answered_at) "
            "VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (call_id) DO UPDATE SET "
            "answered_at = excluded.answered_at, agent = coalesce(excluded.agent, calls.agent), "
            "caller = coalesce(calls.caller, excluded.caller), "
            "queue = coalesce(calls.queue, excluded.queue)",
        [CALL_HANGUP] =
            "INSERT INTO calls(call_id, caller, queue, agent, offered_at, ended_at) "
            "VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (call_id) DO UPDATE SET "
            "ended_at = excluded.ended_at, agent = coalesce(calls.agent, excluded.agent), "
            "caller = coalesce(calls.caller, excluded.caller), "
            "queue = coalesce(calls.queue, excluded.queue)",
    };
    struct pg_store *ps = pgs(s);
    struct pconn *c;
    struct params p;
    PGresult *r = NULL;
    int rc = HL_OK;

    if (str_empty(ev->call_id) || (unsigned)ev->type >= CALL_EVENT_COUNT)
        return err_set(e, HL_EINVAL, str_empty(ev->call_id) ? "call_id" : "type",
                       "a call event needs a call id and a known type");
    c = borrow(ps, e);
    if (c == NULL)
        return HL_EIO;
    p_init(&p);
    p_text(&p, ev->call_id);
    p_text(&p, ev->caller);
    p_text(&p, ev->queue);
    p_text(&p, ev->agent);
    p_int(&p, ev->at);
    if (!write_one(c, sql[ev->type], &p, &r))
        rc = pg_fail(c, r, "recording the call event", e);
    PQclear(r);
    give_back(ps, c);
    return rc;
}

/* Insert or replace call records by call id, in one transaction. */
static int
pg_call_records_add(struct store *s, const struct call_record *recs, size_t n, int *added,
                    struct err *e)
{
    struct pg_store *ps = pgs(s);
    struct pconn *c;
    struct params p;
    size_t i;
    int rc = HL_OK;

    if (added != NULL)
        *added = 0;
    for (i = 0; i < n; i++)
        if (str_empty(recs[i].call_id))
            return err_set(e, HL_EINVAL, "call_id", "call record %zu has no call id", i + 1);
    c = borrow(ps, e);
    if (c == NULL)
        return HL_EIO;
    if (tx_begin(c, e) != HL_OK) {
        give_back(ps, c);
        return HL_EIO;
    }
    for (i = 0; i < n && rc == HL_OK; i++) {
        p_init(&p);
        p_text(&p, recs[i].call_id);
        p_text(&p, recs[i].caller);
        p_text(&p, recs[i].queue);
        p_text(&p, recs[i].agent);
        p_int(&p, recs[i].offered_at);
        p_time_or_null(&p, recs[i].answered_at);
        p_time_or_null(&p, recs[i].ended_at);
        rc = q_do(c, "INSERT INTO calls(call_id, caller, queue, agent, offered_at, "
                  "answered_at, ended_at) VALUES ($1, $2, $3, $4, $5, $6, $7) "
                  "ON CONFLICT (call_id) DO UPDATE SET caller = excluded.caller, "
                  "queue = excluded.queue, agent = excluded.agent, "
                  "offered_at = excluded.offered_at, answered_at = excluded.answered_at, "
                  "ended_at = excluded.ended_at", &p, "saving call records", e);
    }
    rc = tx_end(c, rc, e);
    give_back(ps, c);
    if (rc == HL_OK && added != NULL)
        *added = (int)n;
    return rc;
}

/* Call counts over [from, to), for one agent or all. */
static int
pg_call_counts(struct store *s, hl_time from, hl_time to, const char *agent, int64_t *offered,
               int64_t *answered, int64_t *answered_15s, int64_t *wait_total, struct err *e)
{
#define CALL_COUNT_COLS \
    "SELECT count(*), count(answered_at), " \
    "count(*) FILTER (WHERE answered_at IS NOT NULL AND answered_at - offered_at <= 15), " \
    "coalesce(sum(answered_at - offered_at) FILTER (WHERE answered_at IS NOT NULL), 0) " \
    "FROM calls WHERE offered_at >= $1 AND offered_at < $2"
    struct pg_store *ps = pgs(s);
    struct pconn *c = borrow(ps, e);
    struct params p;
    PGresult *r;

    *offered = *answered = *answered_15s = *wait_total = 0;
    if (c == NULL)
        return HL_EIO;
    p_init(&p);
    p_int(&p, from);
    p_int(&p, to);
    if (agent != NULL)
        p_text(&p, agent);
    r = q_read(c, agent != NULL ? CALL_COUNT_COLS " AND agent = $3" : CALL_COUNT_COLS, &p,
               "counting calls", e);
#undef CALL_COUNT_COLS
    give_back(ps, c);
    if (r == NULL)
        return HL_EIO;
    *offered = col_int(r, 0, 0);
    *answered = col_int(r, 0, 1);
    *answered_15s = col_int(r, 0, 2);
    *wait_total = col_int(r, 0, 3);
    PQclear(r);
    return HL_OK;
}

/* ---- check ---- */

/* Every ticket document decodes and agrees with its columns (read in batches). */
static int
check_tickets(struct pconn *c, struct strbuf *r, int *total, struct err *e)
{
    int64_t n = 0, last = 0;
    int section = 0, rows, i;

    do {
        struct params p;
        PGresult *res;

        p_init(&p);
        p_int(&p, last);
        p_int(&p, SCAN_BATCH);
        res = q_read(c, "SELECT rid, id, version, status, doc FROM tickets WHERE rid > $1 "
                     "ORDER BY rid LIMIT $2", &p, "reading tickets", e);
        if (res == NULL)
            return HL_EIO;
        rows = PQntuples(res);
        for (i = 0; i < rows; i++) {
            const char *id = col_text(res, i, 1), *status = col_text(res, i, 3);
            int64_t version = col_int(res, i, 2);
            struct err pe;
            struct ticket *t;

            n++;
            err_clear(&pe);
            t = store_util_doc_to_ticket(col_text(res, i, 4), id, &pe);
            if (t == NULL) {
                store_util_problem(r, &section, total, "%s", pe.msg);
                continue;
            }
            if (t->id == NULL || strcmp(t->id, id) != 0)
                store_util_problem(r, &section, total, "ticket %s: the document says id %s",
                                   id, t->id != NULL ? t->id : "(none)");
            if (t->version != version)
                store_util_problem(r, &section, total, "ticket %s: the document says version "
                                   "%lld, the column %lld", id, (long long)t->version,
                                   (long long)version);
            if (strcmp(status_str(t->status), status) != 0)
                store_util_problem(r, &section, total, "ticket %s: the document says status "
                                   "%s, the column %s", id, status_str(t->status), status);
            ticket_free(&t);
        }
        if (rows > 0)
            last = col_int(res, rows - 1, 0);
        PQclear(res);
    } while (rows == SCAN_BATCH);
    strbuf_addf(r, "tickets: %lld checked, %s\n", (long long)n,
                section == 0 ? "ok" : "FAILED");
    return HL_OK;
}

/* Every article document decodes and agrees with its columns. */
static int
check_articles(struct pconn *c, struct strbuf *r, int *total, struct err *e)
{
    int64_t n = 0, last = 0;
    int section = 0, rows, i;

    do {
        struct params p;
        PGresult *res;

        p_init(&p);
        p_int(&p, last);
        p_int(&p, SCAN_BATCH);
        res = q_read(c, "SELECT rid, id, version, doc FROM articles WHERE rid > $1 "
                     "ORDER BY rid LIMIT $2", &p, "reading articles", e);
        if (res == NULL)
            return HL_EIO;
        rows = PQntuples(res);
        for (i = 0; i < rows; i++) {
            const char *id = col_text(res, i, 1);
            struct err pe;
            struct article *a;

            n++;
            err_clear(&pe);
            a = store_util_doc_to_article(col_text(res, i, 3), id, &pe);
            if (a == NULL) {
                store_util_problem(r, &section, total, "%s", pe.msg);
                continue;
            }
            if (a->id == NULL || strcmp(a->id, id) != 0 || a->version != col_int(res, i, 2))
                store_util_problem(r, &section, total, "article %s: the document's id or "
                                   "version differs from its columns", id);
            article_free(&a);
        }
        if (rows > 0)
            last = col_int(res, rows - 1, 0);
        PQclear(res);
    } while (rows == SCAN_BATCH);
    strbuf_addf(r, "articles: %lld checked, %s\n", (long long)n,
                section == 0 ? "ok" : "FAILED");
    return HL_OK;
}

/* The numbering: the feed's sequence is not behind its highest row (else the next change
 * would fail on a duplicate number), no day's ticket numbers are beyond its counter. */
static int
check_numbering(struct pconn *c, struct strbuf *r, int *total, struct err *e)
{
    PGresult *res;
    int64_t seqval, maxseq;
    int section = 0, i;

    res = q_read(c, "SELECT coalesce(pg_sequence_last_value(pg_get_serial_sequence('feed', "
                 "'seq')::regclass), 0), (SELECT coalesce(max(seq), 0) FROM feed)", NULL,
                 "reading the feed sequence", e);
    if (res == NULL)
        return HL_EIO;
    seqval = col_int(res, 0, 0);
    maxseq = col_int(res, 0, 1);
    PQclear(res);
    if (seqval < maxseq)
        store_util_problem(r, &section, total, "the feed sequence is at %lld but the feed "
                           "holds seq %lld (a restore without its sequences?): run SELECT "
                           "setval(pg_get_serial_sequence('feed', 'seq'), %lld)",
                           (long long)seqval, (long long)maxseq, (long long)maxseq);
    strbuf_addf(r, "feed sequence: at %lld, highest row %lld, %s\n", (long long)seqval,
                (long long)maxseq, section == 0 ? "ok" : "FAILED");
    section = 0;
    res = q_read(c, "SELECT t.day, max(substr(t.id, 12)::bigint), coalesce(s.last, 0) "
                 "FROM tickets t LEFT JOIN ticket_seq s ON s.day = t.day "
                 "WHERE t.id ~ '^HL[0-9]{8}-[0-9]{6}$' GROUP BY t.day, s.last "
                 "HAVING max(substr(t.id, 12)::bigint) > coalesce(s.last, 0) ORDER BY t.day",
                 NULL, "reading the daily ticket numbers", e);
    if (res == NULL)
        return HL_EIO;
    for (i = 0; i < PQntuples(res); i++)
        store_util_problem(r, &section, total, "day %s: tickets are numbered up to %s but its "
                           "counter is at %s: the next ticket of that day would collide",
                           col_text(res, i, 0), col_text(res, i, 1), col_text(res, i, 2));
    PQclear(res);
    strbuf_addf(r, "daily ticket numbers: %s\n", section == 0 ? "ok" : "FAILED");
    return HL_OK;
}

/* The trigram indexes are valid, and whether this database's LC_CTYPE lets pg_trgm index
 * Chinese (a note, not a problem: search stays correct, only slower). */
static int
check_search(struct pconn *c, struct strbuf *r, int *total, struct err *e)
{
    PGresult *res;
    int section = 0;

    res = q_read(c, "SELECT (SELECT count(*) FROM pg_index WHERE indisvalid AND indexrelid "
                 "IN (to_regclass('tickets_text'), to_regclass('articles_text'))), "
                 "coalesce(array_length(show_trgm('施工噪音'), 1), 0), "
                 "current_setting('lc_ctype')", NULL, "checking the search indexes", e);
    if (res == NULL)
        return HL_EIO;
    if (col_int(res, 0, 0) != 2)
        store_util_problem(r, &section, total, "a trigram index (tickets_text, articles_text) "
                           "is missing or invalid: REINDEX it");
    strbuf_addf(r, "search indexes: %s\n", section == 0 ? "ok" : "FAILED");
    if (col_int(res, 0, 1) == 0)
        strbuf_addf(r, "note: this database's LC_CTYPE is %s, where pg_trgm cannot index "
                    "Chinese: search stays correct but scans; create the database with "
                    "LC_CTYPE C.UTF-8 or zh_CN.UTF-8\n", col_text(res, 0, 2));
    PQclear(res);
    return HL_OK;
}

/* Integrity check with a human report, in one read-only snapshot. */
static int
pg_check(struct store *s, char **report, struct err *e)
{
    struct pg_store *ps = pgs(s);
    struct pconn *c = borrow(ps, e);
    struct strbuf r;
    int64_t version = 0;
    bool foreign = false;
    int total = 0, section = 0, rc = HL_OK;

    if (c == NULL)
        return HL_EIO;
    strbuf_init(&r);
    if (report != NULL && *report != NULL)
        strbuf_adds(&r, *report);
    strbuf_addf(&r, "database: %s (PostgreSQL %d.%d)\n", ps->display,
                PQserverVersion(c->pg) / 10000, PQserverVersion(c->pg) % 10000);
    if (tx_open(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", e) != HL_OK) {
        rc = HL_EIO;
        goto out;
    }
    rc = schema_state(c, &version, &foreign, e);
    if (rc == HL_OK) {
        if (version != STORE_PG_SCHEMA_VERSION)
            store_util_problem(&r, &section, &total, "schema version %lld, expected %d",
                               (long long)version, STORE_PG_SCHEMA_VERSION);
        strbuf_addf(&r, "schema version: %lld (%s)\n", (long long)version,
                    section == 0 ? "current" : "WRONG");
        rc = check_tickets(c, &r, &total, e);
    }
    if (rc == HL_OK)
        rc = check_articles(c, &r, &total, e);
    if (rc == HL_OK)
        rc = check_numbering(c, &r, &total, e);
    if (rc == HL_OK)
        rc = check_search(c, &r, &total, e);
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
    give_back(ps, c);
    if (report != NULL) {
        free(*report);
        *report = strbuf_detach(&r);
    }
    strbuf_fini(&r);
    return rc;
}

/* ---- the feed listener ---- */

/* A connection that LISTENs on FEED_CHANNEL. NULL + e on error. */
static PGconn *
listen_connect(const struct pg_store *ps, struct err *e)
{
    PGconn *pg = connect_raw(ps, e);
    PGresult *r;
    char msg[200];

    if (pg == NULL)
        return NULL;
    r = PQexec(pg, "LISTEN " FEED_CHANNEL);
    if (!result_ok(r)) {
        clean_msg(PQerrorMessage(pg), msg, sizeof msg);
        err_set(e, HL_EIO, "db", "LISTEN " FEED_CHANNEL " on %s: %s", ps->display, msg);
        PQclear(r);
        PQfinish(pg);
        return NULL;
    }
    PQclear(r);
    return pg;
}

/* Hand every notification received to on_seq. */
static void
deliver(struct listener *l)
{
    PGnotify *n;
    long seq;

    while ((n = PQnotifies(l->pg)) != NULL) {
        if (n->extra != NULL && str_to_long(n->extra, 1, INT64_MAX, &seq))
            l->on_seq(seq, l->arg);
        PQfreemem(n);
    }
}

/* True when the stop pipe became readable within ms milliseconds. */
static bool
stop_within(struct listener *l, int ms)
{
    struct pollfd pfd = { l->stop[0], POLLIN, 0 };

    return poll(&pfd, 1, ms) > 0;
}

/* Drop a lost listener connection. */
static void
listen_drop(struct listener *l, const char *why)
{
    char msg[200];

    clean_msg(why != NULL ? why : PQerrorMessage(l->pg), msg, sizeof msg);
    fprintf(stderr, "hotlined: feed listener: lost the connection to %s (%s); reconnecting\n",
            l->ps->display, msg);
    PQfinish(l->pg);
    l->pg = NULL;
}

/* The listener thread: wait for notifications or the stop byte; check the connection
 * when idle; after losing it, reconnect with growing pauses and report the highest seq,
 * so changes committed meanwhile are not missed. */
static void *
listen_main(void *arg)
{
    struct listener *l = arg;
    int pause = LISTEN_RETRY_MS;

    for (;;) {
        struct pollfd pfd[2];
        PGresult *r;
        int n;

        if (l->pg == NULL) {
            struct err e;

            if (stop_within(l, pause))
                break;
            err_clear(&e);
            l->pg = listen_connect(l->ps, &e);
            if (l->pg == NULL) {
                pause = pause * 2 > LISTEN_RETRY_MAX ? LISTEN_RETRY_MAX : pause * 2;
                continue;
            }
            pause = LISTEN_RETRY_MS;
            fprintf(stderr, "hotlined: feed listener: connected to %s again\n",
                    l->ps->display);
            r = PQexec(l->pg, "SELECT coalesce(max(seq), 0) FROM feed");
            if (result_ok(r) && PQntuples(r) == 1 && col_int(r, 0, 0) > 0)
                l->on_seq(col_int(r, 0, 0), l->arg);
            PQclear(r);
        }
        pfd[0].fd = PQsocket(l->pg);
        pfd[0].events = POLLIN;
        pfd[0].revents = 0;
        pfd[1].fd = l->stop[0];
        pfd[1].events = POLLIN;
        pfd[1].revents = 0;
        n = poll(pfd, 2, LISTEN_PING_MS);
        if (n < 0 && errno == EINTR)
            continue;
        if (pfd[1].revents != 0)
            break;
        if (n == 0) {            /* idle: make sure the connection still works */
            r = PQexec(l->pg, "SELECT 1");
            if (!result_ok(r))
                listen_drop(l, NULL);
            else
                deliver(l);
            PQclear(r);
            continue;
        }
        if (PQconsumeInput(l->pg) == 0 || PQstatus(l->pg) == CONNECTION_BAD) {
            listen_drop(l, NULL);
            continue;
        }
        deliver(l);
    }
    PQfinish(l->pg);
    l->pg = NULL;
    return NULL;
}

/* Stop the feed listener, if one runs, and wait for its thread. */
static void
listener_stop(struct pg_store *ps)
{
    struct listener *l = ps->listener;
    ssize_t w;

    if (l == NULL)
        return;
    ps->listener = NULL;
    do
        w = write(l->stop[1], "x", 1);
    while (w < 0 && errno == EINTR);
    pthread_join(l->thread, NULL);
    close(l->stop[0]);
    close(l->stop[1]);
    free(l);
}

/* Start (or, with on_seq NULL, stop) the thread that reports feed rows committed by any
 * instance. */
static int
pg_feed_listen(struct store *s, void (*on_seq)(int64_t seq, void *arg), void *arg,
               struct err *e)
{
    struct pg_store *ps = pgs(s);
    struct listener *l;
    int rc;

    if (on_seq == NULL) {
        listener_stop(ps);
        return HL_OK;
    }
    if (ps->listener != NULL)
        return err_set(e, HL_EINVAL, "", "the feed listener is already running");
    l = xcalloc(1, sizeof *l);
    l->ps = ps;
    l->on_seq = on_seq;
    l->arg = arg;
    l->pg = listen_connect(ps, e);
    if (l->pg == NULL) {
        free(l);
        return HL_EIO;
    }
    if (pipe(l->stop) != 0) {
        rc = err_set(e, HL_EIO, "", "cannot start the feed listener: pipe: %s",
                     strerror(errno));
        PQfinish(l->pg);
        free(l);
        return rc;
    }
    rc = pthread_create(&l->thread, NULL, listen_main, l);
    if (rc != 0) {
        err_set(e, HL_EIO, "", "cannot start the feed listener thread: %s", strerror(rc));
        PQfinish(l->pg);
        close(l->stop[0]);
        close(l->stop[1]);
        free(l);
        return HL_EIO;
    }
    ps->listener = l;
    return HL_OK;
}

/* ---- the table ---- */

static const struct store_ops pg_ops = {
    .kind = "postgresql",
    .close = pg_close,
    .check = pg_check,
    .unit_add = pg_unit_add,
    .unit_list = pg_unit_list,
    .unit_get = pg_unit_get,
    .user_add = pg_user_add,
    .user_get = pg_user_get,
    .user_list = pg_user_list,
    .user_set_password = pg_user_set_password,
    .user_disable = pg_user_disable,
    .session_add = pg_session_add,
    .session_get = pg_session_get,
    .session_revoke = pg_session_revoke,
    .ticket_create = pg_ticket_create,
    .ticket_create_doc = pg_ticket_create_doc,
    .caller_has_open = pg_caller_has_open,
    .ticket_get = pg_ticket_get,
    .ticket_get_doc = pg_ticket_get_doc,
    .ticket_update = pg_ticket_update,
    .ticket_list = pg_ticket_list,
    .ticket_scan = pg_ticket_scan,
    .cluster_callers = pg_cluster_callers,
    .ticket_reflag = pg_ticket_reflag,
    .article_put = pg_article_put,
    .article_get = pg_article_get,
    .article_search = pg_article_search,
    .article_scan = pg_article_scan,
    .audit_add = pg_audit_add,
    .write_tx = pg_write_tx,
    .audit_list = pg_audit_list,
    .feed_last_seq = pg_feed_last_seq,
    .feed_since = pg_feed_since,
    .feed_add = pg_feed_add,
    .call_event_add = pg_call_event_add,
    .call_records_add = pg_call_records_add,
    .call_counts = pg_call_counts,
    .feed_listen = pg_feed_listen,
};
