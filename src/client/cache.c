/* cache: the console's local SQLite cache of tickets, callers, articles, /meta and the feed position. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "cache.h"
#include "hotline/codec.h"
#include "hotline/phone.h"
#include "hotline/util.h"
#include "xdg.h"

/* Prepared statements, by index. */
enum stmt {
    ST_BEGIN, ST_COMMIT, ST_ROLLBACK, ST_SAVEPOINT, ST_RELEASE, ST_ROLLBACK_TO,
    ST_TICKET_PUT, ST_TICKET_TOUCH, ST_TICKET_EVICT, ST_TICKET_GET, ST_TICKET_VERSION,
    ST_TICKET_DEL, ST_TICKET_CALLER, ST_TICKET_RECENT, ST_TICKET_OWN, ST_TICKET_COUNT,
    ST_ARTICLE_PUT, ST_ARTICLE_TOUCH, ST_ARTICLE_EVICT, ST_ARTICLE_GET,
    ST_KV_PUT, ST_KV_GET, ST_CLOCK,
    ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
    [ST_BEGIN] = "BEGIN",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_SAVEPOINT] = "SAVEPOINT put",
    [ST_RELEASE] = "RELEASE put",
    [ST_ROLLBACK_TO] = "ROLLBACK TO put",
    [ST_TICKET_PUT] =
        "INSERT INTO tickets(id, version, updated_at, caller_phone, status, is_open,"
        " created_by, units, last_used, doc) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
        " ON CONFLICT(id) DO UPDATE SET version = excluded.version,"
        " updated_at = excluded.updated_at, caller_phone = excluded.caller_phone,"
        " status = excluded.status, is_open = excluded.is_open,"
        " created_by = excluded.created_by, units = excluded.units,"
        " last_used = excluded.last_used, doc = excluded.doc"
        " WHERE excluded.version >= tickets.version",
    [ST_TICKET_TOUCH] = "UPDATE tickets SET last_used = ?2 WHERE id = ?1",
    [ST_TICKET_EVICT] =
        "DELETE FROM tickets WHERE id IN (SELECT id FROM tickets"
        " WHERE NOT (is_open = 1 AND (coalesce(created_by = ?1, 0)"
        "   OR coalesce(instr(units, ',' || ?2 || ',') > 0, 0))) AND id <> ?4"
        " ORDER BY last_used ASC"
        " LIMIT max(0, (SELECT count(*) FROM tickets) - ?3))",
    [ST_TICKET_GET] = "SELECT doc FROM tickets WHERE id = ?1",
    [ST_TICKET_VERSION] = "SELECT version FROM tickets WHERE id = ?1",
    [ST_TICKET_DEL] = "DELETE FROM tickets WHERE id = ?1",
    [ST_TICKET_CALLER] =
        "SELECT doc FROM tickets WHERE caller_phone = ?1"
        " ORDER BY updated_at DESC, id DESC LIMIT ?2",
    [ST_TICKET_RECENT] = "SELECT doc FROM tickets ORDER BY last_used DESC LIMIT ?1",
    [ST_TICKET_OWN] =
        "SELECT doc FROM tickets WHERE is_open = 1 AND (coalesce(created_by = ?1, 0)"
        " OR coalesce(instr(units, ',' || ?2 || ',') > 0, 0))"
        " ORDER BY updated_at DESC, id DESC LIMIT ?3",
    [ST_TICKET_COUNT] = "SELECT count(*) FROM tickets",
    [ST_ARTICLE_PUT] =
        "INSERT INTO articles(id, version, updated_at, last_used, doc)"
        " VALUES(?1, ?2, ?3, ?4, ?5)"
        " ON CONFLICT(id) DO UPDATE SET version = excluded.version,"
        " updated_at = excluded.updated_at, last_used = excluded.last_used,"
        " doc = excluded.doc WHERE excluded.version >= articles.version",
    [ST_ARTICLE_TOUCH] = "UPDATE articles SET last_used = ?2 WHERE id = ?1",
    [ST_ARTICLE_EVICT] =
        "DELETE FROM articles WHERE id IN (SELECT id FROM articles WHERE id <> ?2"
        " ORDER BY last_used ASC LIMIT max(0, (SELECT count(*) FROM articles) - ?1))",
    [ST_ARTICLE_GET] = "SELECT doc FROM articles WHERE id = ?1",
    [ST_KV_PUT] =
        "INSERT INTO kv(key, value) VALUES(?1, ?2)"
        " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    [ST_KV_GET] = "SELECT value FROM kv WHERE key = ?1",
    [ST_CLOCK] =
        "SELECT max(coalesce((SELECT max(last_used) FROM tickets), 0),"
        " coalesce((SELECT max(last_used) FROM articles), 0))",
};

static const char schema_sql[] =
    "CREATE TABLE tickets("
    " id TEXT PRIMARY KEY,"
    " version INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL,"
    " caller_phone TEXT,"
    " status TEXT NOT NULL,"
    " is_open INTEGER NOT NULL,"
    " created_by TEXT,"
    " units TEXT NOT NULL,"
    " last_used INTEGER NOT NULL,"
    " doc TEXT NOT NULL);"
    "CREATE INDEX tickets_caller ON tickets(caller_phone, updated_at);"
    "CREATE INDEX tickets_lru ON tickets(last_used);"
    "CREATE TABLE articles("
    " id TEXT PRIMARY KEY,"
    " version INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL,"
    " last_used INTEGER NOT NULL,"
    " doc TEXT NOT NULL);"
    "CREATE INDEX articles_lru ON articles(last_used);"
    "CREATE TABLE kv(key TEXT PRIMARY KEY, value TEXT NOT NULL);";

struct cache {
    sqlite3 *db;
    sqlite3_stmt *st[ST_COUNT];
    char *path;
    char *notice;
    char *user;
    char *unit;
    char *default_area;
    size_t max_tickets;
    size_t max_articles;
    int64_t clock;        /* last use counter: larger is more recent */
    unsigned batch;       /* cache_batch_begin depth: puts share one transaction */
    bool batch_open;      /* the batch's BEGIN succeeded */
};

/* Create the parent directories of path with mode 0700; true when they exist. */
static bool
mkdir_parents(const char *path)
{
    char buf[PATH_MAX];
    char *p;

    if (!str_copy(buf, sizeof(buf), path))
        return false;
    p = strrchr(buf, '/');
    if (p == NULL || p == buf)
        return true;
    *p = '\0';
    return xdg_mkdirs(buf, 0700) == 0;
}

/* Finalize every prepared statement and close the database. */
static void
db_close(struct cache *c)
{
    for (size_t i = 0; i < ST_COUNT; i++) {
        sqlite3_finalize(c->st[i]);
        c->st[i] = NULL;
    }
    if (c->db != NULL)
        sqlite3_close(c->db);
    c->db = NULL;
}

/* Rename path+suffix aside to aside+suffix (missing files are fine). */
static bool
move_aside(const char *path, const char *aside, const char *suffix)
{
    char from[PATH_MAX], to[PATH_MAX];

    if (snprintf(from, sizeof(from), "%s%s", path, suffix) >= (int)sizeof(from) ||
        snprintf(to, sizeof(to), "%s%s", aside, suffix) >= (int)sizeof(to))
        return false;
    if (rename(from, to) == 0 || errno == ENOENT)
        return true;
    return false;
}

/* Rename the file (and its WAL) aside as <path>.broken-<UTC time>; the notice says
 * why. False with e filled when it cannot be moved. */
static bool
set_aside(struct cache *c, const char *reason, struct err *e)
{
    char aside[PATH_MAX], shm[PATH_MAX];
    struct civil_time ct;
    struct stat st;
    hl_time now = (hl_time)time(NULL);

    datetime_civil_at_offset(now, 0, &ct);
    for (int n = 0; n < 100; n++) {
        int w;

        if (n == 0)
            w = snprintf(aside, sizeof(aside), "%s.broken-%04d%02d%02dT%02d%02d%02dZ",
                         c->path, ct.year, ct.month, ct.day, ct.hour, ct.minute, ct.second);
        else
            w = snprintf(aside, sizeof(aside), "%s.broken-%04d%02d%02dT%02d%02d%02dZ-%d",
                         c->path, ct.year, ct.month, ct.day, ct.hour, ct.minute, ct.second,
                         n);
        if (w >= (int)sizeof(aside)) {
            err_set(e, HL_EIO, "cache", "%s: path too long", c->path);
            return false;
        }
        if (stat(aside, &st) != 0)
            break;
    }
    if (!move_aside(c->path, aside, "") || !move_aside(c->path, aside, "-wal")) {
        err_set(e, HL_EIO, "cache", "%s: cannot set the broken cache aside: %s", c->path,
                strerror(errno));
        return false;
    }
    if (snprintf(shm, sizeof(shm), "%s-shm", c->path) < (int)sizeof(shm))
        unlink(shm);
    free(c->notice);
    c->notice = xasprintf("The local cache could not be used (%s); it was set aside as "
                          "%s and rebuilt empty.", reason, aside);
    return true;
}

/* Run one statement of text (no rows wanted); the SQLite code. */
static int
exec(sqlite3 *db, const char *sql)
{
    return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

/* Open the file and check it: HL_OK, HL_ECONFLICT with reason filled when it must be
 * set aside, HL_EIO with e filled when it cannot be opened at all. */
static int
db_open(struct cache *c, char *reason, size_t rsz, struct err *e)
{
    sqlite3_stmt *st = NULL;
    int rc, version = -1, objects = -1;

    rc = sqlite3_open_v2(c->path, &c->db,
                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        err_set(e, HL_EIO, "cache", "%s: %s", c->path,
                c->db != NULL ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
        return HL_EIO;
    }
    sqlite3_busy_timeout(c->db, 250);
    rc = sqlite3_prepare_v2(c->db, "PRAGMA user_version", -1, &st, NULL);
    if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        version = sqlite3_column_int(st, 0);
    else
        rc = sqlite3_errcode(c->db);
    sqlite3_finalize(st);
    st = NULL;
    if (version < 0) {
        snprintf(reason, rsz, "%s", sqlite3_errstr(rc));
        return HL_ECONFLICT;
    }
    if (sqlite3_prepare_v2(c->db, "SELECT count(*) FROM sqlite_master", -1, &st, NULL) ==
            SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        objects = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (objects < 0) {
        snprintf(reason, rsz, "%s", sqlite3_errmsg(c->db));
        return HL_ECONFLICT;
    }
    if (version == 0 && objects > 0) {
        snprintf(reason, rsz, "not a hotline cache");
        return HL_ECONFLICT;
    }
    if (version != 0 && version != CACHE_SCHEMA_VERSION) {
        snprintf(reason, rsz, "schema version %d, this console uses %d", version,
                 CACHE_SCHEMA_VERSION);
        return HL_ECONFLICT;
    }
    rc = exec(c->db, "PRAGMA journal_mode=WAL");
    if (rc == SQLITE_OK)
        rc = exec(c->db, "PRAGMA synchronous=NORMAL");
    if (rc == SQLITE_OK && version == 0) {
        char *sql = xasprintf("BEGIN; %s PRAGMA user_version=%d; COMMIT;", schema_sql,
                              CACHE_SCHEMA_VERSION);

        rc = exec(c->db, sql);
        free(sql);
    }
    for (size_t i = 0; rc == SQLITE_OK && i < ST_COUNT; i++)
        rc = sqlite3_prepare_v3(c->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &c->st[i],
                                NULL);
    if (rc != SQLITE_OK) {
        snprintf(reason, rsz, "%s", sqlite3_errmsg(c->db));
        return HL_ECONFLICT;
    }
    return HL_OK;
}

/* Read the use counter from the file. */
static void
load_clock(struct cache *c)
{
    sqlite3_stmt *st = c->st[ST_CLOCK];

    c->clock = 0;
    if (sqlite3_step(st) == SQLITE_ROW)
        c->clock = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
}

/* Open the database at c->path, setting a broken file aside once. */
static int
open_or_rebuild(struct cache *c, struct err *e)
{
    char reason[256] = "";
    int rc;

    rc = db_open(c, reason, sizeof(reason), e);
    if (rc == HL_ECONFLICT) {
        db_close(c);
        if (!set_aside(c, reason, e))
            return HL_EIO;
        rc = db_open(c, reason, sizeof(reason), e);
        if (rc == HL_ECONFLICT)
            rc = err_set(e, HL_EIO, "cache", "%s: %s", c->path, reason);
    }
    if (rc != HL_OK) {
        db_close(c);
        return rc;
    }
    load_clock(c);
    return HL_OK;
}

char *
cache_default_path(struct err *e)
{
    char *dir = xdg_app_dir(XDG_CACHE, true, e);
    char *path;

    if (dir == NULL)
        return NULL;
    path = xasprintf("%s/cache.db", dir);
    free(dir);
    return path;
}

struct cache *
cache_open(const char *path, const struct cache_opts *opts, struct err *e)
{
    struct cache_opts zero = {0};
    struct cache *c;

    if (opts == NULL)
        opts = &zero;
    if (str_empty(path)) {
        err_set(e, HL_EINVAL, "cache", "no cache path");
        return NULL;
    }
    if (!mkdir_parents(path)) {
        err_set(e, HL_EIO, "cache", "%s: cannot create the directory: %s", path,
                strerror(errno));
        return NULL;
    }
    c = xcalloc(1, sizeof(*c));
    c->path = xstrdup(path);
    c->max_tickets = opts->max_tickets ? opts->max_tickets : CACHE_MAX_TICKETS;
    c->max_articles = opts->max_articles ? opts->max_articles : CACHE_MAX_ARTICLES;
    c->default_area = xstrdup(opts->default_area);
    c->user = xstrdup(opts->user);
    c->unit = xstrdup(opts->unit);
    if (open_or_rebuild(c, e) != HL_OK)
        cache_free(&c);
    return c;
}

void
cache_free(struct cache **pc)
{
    struct cache *c = pc != NULL ? *pc : NULL;

    if (c == NULL)
        return;
    db_close(c);
    free(c->path);
    free(c->notice);
    free(c->user);
    free(c->unit);
    free(c->default_area);
    free(c);
    *pc = NULL;
}

const char *
cache_notice(const struct cache *c)
{
    return c != NULL ? c->notice : NULL;
}

void
cache_set_user(struct cache *c, const char *user, const char *unit)
{
    free(c->user);
    free(c->unit);
    c->user = xstrdup(user);
    c->unit = xstrdup(unit);
}

/* A statement failed with SQLite code rc: fill e; a corrupt file is rebuilt. */
static int
db_fail(struct cache *c, int rc, const char *what, struct err *e)
{
    char reason[256];
    struct err e2;
    int prim = rc & 0xff;

    snprintf(reason, sizeof(reason), "%s", c->db != NULL ? sqlite3_errmsg(c->db) : "closed");
    err_set(e, HL_EIO, "cache", "%s: %s: %s", c->path, what, reason);
    if (prim == SQLITE_CORRUPT || prim == SQLITE_NOTADB) {
        db_close(c);
        if (set_aside(c, reason, &e2)) {
            char r2[256];

            if (db_open(c, r2, sizeof(r2), &e2) == HL_OK)
                load_clock(c);
            else
                db_close(c);
        }
    }
    return HL_EIO;
}

/* Step a statement that returns no row; SQLite code. */
static int
step_done(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);

    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

/* Bind a string or NULL. */
static void
bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s == NULL)
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

/* True when the cache has a database (a failed rebuild leaves none). */
static bool
usable(struct cache *c, struct err *e)
{
    if (c != NULL && c->db != NULL)
        return true;
    err_set(e, HL_EIO, "cache", "the local cache is not available");
    return false;
}

/* Canonical phone number of t's caller, into buf; NULL when none. */
static const char *
caller_key(const struct cache *c, const char *phone, char *buf, size_t sz)
{
    struct phone p;

    if (str_empty(phone) || phone_normalize(phone, c->default_area, &p) == PHONE_INVALID)
        return NULL;
    str_copy(buf, sz, p.number);
    return buf;
}

/* ",u1,u2," of t's assignments. Caller owns. */
static char *
units_of(const struct ticket *t)
{
    struct strbuf sb;

    strbuf_init(&sb);
    strbuf_addc(&sb, ',');
    for (size_t i = 0; i < t->n_assignments; i++) {
        if (t->assignments[i].unit == NULL)
            continue;
        strbuf_adds(&sb, t->assignments[i].unit);
        strbuf_addc(&sb, ',');
    }
    return strbuf_detach(&sb);
}

/* Evict the least recently used tickets beyond max_tickets (own open ones and keep_id
 * stay); an SQLite code. */
static int
evict_tickets(struct cache *c, const char *keep_id)
{
    sqlite3_stmt *st = c->st[ST_TICKET_EVICT];

    bind_text(st, 1, c->user);
    bind_text(st, 2, c->unit);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)c->max_tickets);
    sqlite3_bind_text(st, 4, keep_id, -1, SQLITE_TRANSIENT);
    return step_done(st);
}

void
cache_batch_begin(struct cache *c)
{
    if (c == NULL || c->db == NULL)
        return;
    if (c->batch++ == 0)
        c->batch_open = step_done(c->st[ST_BEGIN]) == SQLITE_OK;
}

void
cache_batch_end(struct cache *c)
{
    if (c == NULL || c->db == NULL || c->batch == 0 || --c->batch > 0)
        return;
    if (!c->batch_open)
        return;
    c->batch_open = false;
    if (evict_tickets(c, "") != SQLITE_OK || step_done(c->st[ST_COMMIT]) != SQLITE_OK)
        step_done(c->st[ST_ROLLBACK]);
}

int
cache_put_ticket(struct cache *c, const struct ticket *t, const char *doc, struct err *e)
{
    sqlite3_stmt *st;
    char phone[32];
    char *owned = NULL, *units = NULL;
    int rc = SQLITE_OK, ret = HL_OK;

    if (!usable(c, e))
        return HL_EIO;
    if (t == NULL || str_empty(t->id))
        return err_set(e, HL_EINVAL, "id", "a cached ticket needs an id");
    if (doc == NULL)
        doc = owned = codec_ticket_encode(t, NULL);
    if (strlen(doc) > CACHE_DOC_MAX) {
        ret = err_set(e, HL_EINVAL, "doc", "ticket %s is too large to cache", t->id);
        goto out;
    }
    units = units_of(t);
    /* In a batch, a savepoint keeps each put whole; the batch commits and evicts once. */
    rc = step_done(c->st[c->batch_open ? ST_SAVEPOINT : ST_BEGIN]);
    if (rc != SQLITE_OK)
        goto out;
    c->clock++;
    st = c->st[ST_TICKET_PUT];
    sqlite3_bind_text(st, 1, t->id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, t->version);
    sqlite3_bind_int64(st, 3, t->updated_at);
    bind_text(st, 4, caller_key(c, t->caller.phone, phone, sizeof(phone)));
    sqlite3_bind_text(st, 5, status_str(t->status), -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 6, ticket_is_open(t) ? 1 : 0);
    bind_text(st, 7, t->created_by);
    sqlite3_bind_text(st, 8, units, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 9, c->clock);
    sqlite3_bind_text(st, 10, doc, -1, SQLITE_TRANSIENT);
    rc = step_done(st);
    if (rc == SQLITE_OK) {
        st = c->st[ST_TICKET_TOUCH];
        sqlite3_bind_text(st, 1, t->id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, c->clock);
        rc = step_done(st);
    }
    if (rc == SQLITE_OK && !c->batch_open)
        rc = evict_tickets(c, t->id);
    if (c->batch_open) {
        if (rc != SQLITE_OK)
            step_done(c->st[ST_ROLLBACK_TO]);
        step_done(c->st[ST_RELEASE]);
    } else if (rc == SQLITE_OK) {
        rc = step_done(c->st[ST_COMMIT]);
    } else {
        step_done(c->st[ST_ROLLBACK]);
    }
out:
    if (rc != SQLITE_OK)
        ret = db_fail(c, rc, "cannot store a ticket", e);
    free(owned);
    free(units);
    return ret;
}

/* Decode a stored ticket document; NULL when it no longer decodes. */
static struct ticket *
decode_ticket(const char *doc, size_t len, struct err *e)
{
    cJSON *json = codec_parse(doc, len, e);
    struct ticket *t = NULL;

    if (json != NULL)
        t = codec_ticket_decode(json, e);
    cJSON_Delete(json);
    return t;
}

/* Decode a stored article document; NULL when it no longer decodes. */
static struct article *
decode_article(const char *doc, size_t len, struct err *e)
{
    cJSON *json = codec_parse(doc, len, e);
    struct article *a = NULL;

    if (json != NULL)
        a = codec_article_decode(json, e);
    cJSON_Delete(json);
    return a;
}

/* Set last_used of a row through a touch statement. */
static void
touch(struct cache *c, enum stmt which, const char *id)
{
    sqlite3_stmt *st = c->st[which];

    c->clock++;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, c->clock);
    step_done(st);
}

int
cache_get_ticket(struct cache *c, const char *id, struct ticket **out, struct err *e)
{
    sqlite3_stmt *st;
    int rc;
    int ret = HL_OK;

    *out = NULL;
    if (!usable(c, e))
        return HL_EIO;
    st = c->st[ST_TICKET_GET];
    sqlite3_bind_text(st, 1, id != NULL ? id : "", -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out = decode_ticket((const char *)sqlite3_column_text(st, 0),
                             (size_t)sqlite3_column_bytes(st, 0), e);
        if (*out == NULL)
            ret = HL_EINVAL;
    } else if (rc == SQLITE_DONE) {
        ret = err_set(e, HL_ENOENT, "id", "ticket %s is not in the local cache", id);
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return db_fail(c, rc, "cannot read a ticket", e);
    if (ret == HL_EINVAL) {
        cache_remove_ticket(c, id, NULL);
        return err_set(e, HL_ENOENT, "id", "ticket %s is not in the local cache", id);
    }
    if (ret == HL_OK)
        touch(c, ST_TICKET_TOUCH, id);
    return ret;
}

int64_t
cache_ticket_version(struct cache *c, const char *id)
{
    sqlite3_stmt *st;
    int64_t v = -1;

    if (c == NULL || c->db == NULL || id == NULL)
        return -1;
    st = c->st[ST_TICKET_VERSION];
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return v;
}

int
cache_remove_ticket(struct cache *c, const char *id, struct err *e)
{
    sqlite3_stmt *st;
    int rc;

    if (!usable(c, e))
        return HL_EIO;
    st = c->st[ST_TICKET_DEL];
    sqlite3_bind_text(st, 1, id != NULL ? id : "", -1, SQLITE_TRANSIENT);
    rc = step_done(st);
    if (rc != SQLITE_OK)
        return db_fail(c, rc, "cannot remove a ticket", e);
    return HL_OK;
}

/* Step a bound SELECT of documents into out (rows that no longer decode are skipped). */
static int
collect(struct cache *c, sqlite3_stmt *st, struct cache_tickets *out, struct err *e)
{
    size_t cap = 0;
    int rc;

    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct ticket *t = decode_ticket((const char *)sqlite3_column_text(st, 0),
                                         (size_t)sqlite3_column_bytes(st, 0), NULL);

        if (t == NULL)
            continue;
        if (out->n == cap) {
            cap = cap ? cap * 2 : 8;
            out->v = xrealloc(out->v, cap * sizeof(*out->v));
        }
        out->v[out->n++] = *t;
        free(t);
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE) {
        cache_tickets_fini(out);
        return db_fail(c, rc, "cannot list tickets", e);
    }
    return HL_OK;
}

/* Clamp a list limit for SQLite. */
static sqlite3_int64
limit_of(size_t limit)
{
    return limit == 0 || limit > 100000 ? 100000 : (sqlite3_int64)limit;
}

int
cache_caller_tickets(struct cache *c, const char *phone, size_t limit,
                     struct cache_tickets *out, struct err *e)
{
    char key[32];
    sqlite3_stmt *st;

    memset(out, 0, sizeof(*out));
    if (!usable(c, e))
        return HL_EIO;
    if (caller_key(c, phone, key, sizeof(key)) == NULL)
        return HL_OK;
    st = c->st[ST_TICKET_CALLER];
    sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, limit_of(limit));
    return collect(c, st, out, e);
}

int
cache_recent_tickets(struct cache *c, size_t limit, struct cache_tickets *out, struct err *e)
{
    sqlite3_stmt *st;

    memset(out, 0, sizeof(*out));
    if (!usable(c, e))
        return HL_EIO;
    st = c->st[ST_TICKET_RECENT];
    sqlite3_bind_int64(st, 1, limit_of(limit));
    return collect(c, st, out, e);
}

int
cache_own_open_tickets(struct cache *c, size_t limit, struct cache_tickets *out,
                       struct err *e)
{
    sqlite3_stmt *st;

    memset(out, 0, sizeof(*out));
    if (!usable(c, e))
        return HL_EIO;
    st = c->st[ST_TICKET_OWN];
    bind_text(st, 1, c->user);
    bind_text(st, 2, c->unit);
    sqlite3_bind_int64(st, 3, limit_of(limit));
    return collect(c, st, out, e);
}

size_t
cache_ticket_count(struct cache *c)
{
    sqlite3_stmt *st;
    size_t n = 0;

    if (c == NULL || c->db == NULL)
        return 0;
    st = c->st[ST_TICKET_COUNT];
    if (sqlite3_step(st) == SQLITE_ROW)
        n = (size_t)sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return n;
}

void
cache_tickets_fini(struct cache_tickets *l)
{
    for (size_t i = 0; i < l->n; i++)
        ticket_fini(&l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

int
cache_put_article(struct cache *c, const struct article *a, const char *doc, struct err *e)
{
    sqlite3_stmt *st;
    char *owned = NULL;
    int rc = SQLITE_OK, ret = HL_OK;

    if (!usable(c, e))
        return HL_EIO;
    if (a == NULL || str_empty(a->id))
        return err_set(e, HL_EINVAL, "id", "a cached article needs an id");
    if (doc == NULL)
        doc = owned = codec_article_encode(a, NULL);
    if (strlen(doc) > CACHE_DOC_MAX) {
        ret = err_set(e, HL_EINVAL, "doc", "article %s is too large to cache", a->id);
        goto out;
    }
    rc = step_done(c->st[ST_BEGIN]);
    if (rc != SQLITE_OK)
        goto out;
    c->clock++;
    st = c->st[ST_ARTICLE_PUT];
    sqlite3_bind_text(st, 1, a->id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, a->version);
    sqlite3_bind_int64(st, 3, a->updated_at);
    sqlite3_bind_int64(st, 4, c->clock);
    sqlite3_bind_text(st, 5, doc, -1, SQLITE_TRANSIENT);
    rc = step_done(st);
    if (rc == SQLITE_OK) {
        st = c->st[ST_ARTICLE_TOUCH];
        sqlite3_bind_text(st, 1, a->id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, c->clock);
        rc = step_done(st);
    }
    if (rc == SQLITE_OK) {
        st = c->st[ST_ARTICLE_EVICT];
        sqlite3_bind_int64(st, 1, (sqlite3_int64)c->max_articles);
        sqlite3_bind_text(st, 2, a->id, -1, SQLITE_TRANSIENT);
        rc = step_done(st);
    }
    if (rc == SQLITE_OK)
        rc = step_done(c->st[ST_COMMIT]);
    else
        step_done(c->st[ST_ROLLBACK]);
out:
    if (rc != SQLITE_OK)
        ret = db_fail(c, rc, "cannot store an article", e);
    free(owned);
    return ret;
}

int
cache_get_article(struct cache *c, const char *id, struct article **out, struct err *e)
{
    sqlite3_stmt *st;
    int rc, ret = HL_OK;

    *out = NULL;
    if (!usable(c, e))
        return HL_EIO;
    st = c->st[ST_ARTICLE_GET];
    sqlite3_bind_text(st, 1, id != NULL ? id : "", -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out = decode_article((const char *)sqlite3_column_text(st, 0),
                              (size_t)sqlite3_column_bytes(st, 0), NULL);
        if (*out == NULL)
            ret = err_set(e, HL_ENOENT, "id", "article %s is not in the local cache", id);
    } else if (rc == SQLITE_DONE) {
        ret = err_set(e, HL_ENOENT, "id", "article %s is not in the local cache", id);
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return db_fail(c, rc, "cannot read an article", e);
    if (ret == HL_OK)
        touch(c, ST_ARTICLE_TOUCH, id);
    return ret;
}

/* Store a key's value. */
static int
kv_put(struct cache *c, const char *key, const char *value, struct err *e)
{
    sqlite3_stmt *st;
    int rc;

    if (!usable(c, e))
        return HL_EIO;
    st = c->st[ST_KV_PUT];
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_TRANSIENT);
    rc = step_done(st);
    if (rc != SQLITE_OK)
        return db_fail(c, rc, "cannot store a value", e);
    return HL_OK;
}

/* A key's value (owned) or NULL. */
static char *
kv_get(struct cache *c, const char *key)
{
    sqlite3_stmt *st;
    char *v = NULL;

    if (c == NULL || c->db == NULL)
        return NULL;
    st = c->st[ST_KV_GET];
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = xstrdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return v;
}

int
cache_put_meta(struct cache *c, const char *json, struct err *e)
{
    if (json == NULL || strlen(json) > CACHE_DOC_MAX)
        return err_set(e, HL_EINVAL, "meta", "the /meta document is missing or too large");
    return kv_put(c, "meta", json, e);
}

char *
cache_get_meta(struct cache *c)
{
    return kv_get(c, "meta");
}

int
cache_set_feed_seq(struct cache *c, int64_t seq, struct err *e)
{
    char buf[32];

    snprintf(buf, sizeof(buf), "%lld", (long long)seq);
    return kv_put(c, "feed_seq", buf, e);
}

int64_t
cache_get_feed_seq(struct cache *c)
{
    char *v = kv_get(c, "feed_seq");
    long n = -1;

    if (v == NULL || !str_to_long(v, 0, LONG_MAX, &n))
        n = -1;
    free(v);
    return n;
}
