/* outbox: writes made while the backend is away, kept durably and replayed exactly once. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "hotline/util.h"
#include "outbox.h"
#include "xdg.h"

#define COLS "seq, created_at, updated_at, kind, ticket_id, local_id, action, method, path," \
             " body, idem_key, base_version, chained, if_match, state, attempts, last_error," \
             " server_result, theirs, result_version, resolution"

/* Prepared statements, by index. */
enum stmt {
    ST_BEGIN, ST_COMMIT, ST_ROLLBACK,
    ST_INSERT, ST_PENDING_FOR, ST_NEXT, ST_PREV_VERSION, ST_SENDING, ST_FINISH,
    ST_MAP_LOCAL, ST_MAP_ENTRIES, ST_MAP_CREATE, ST_SETTLE, ST_RETRY, ST_THEIRS,
    ST_WAITING, ST_ATTENTION, ST_GET, ST_LIST_ALL, ST_LIST_OPEN, ST_SERVER_ID,
    ST_PRUNE, ST_KV_GET, ST_KV_PUT, ST_ADD_LOCAL, ST_ORPHAN,
    ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_INSERT] =
        "INSERT INTO entries(created_at, updated_at, kind, ticket_id, local_id, action,"
        " method, path, body, idem_key, base_version, chained, state)"
        " VALUES(?1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'waiting')",
    [ST_PENDING_FOR] =
        "SELECT count(*) FROM entries WHERE ticket_id = ?1"
        " AND state IN ('waiting', 'sending', 'conflict', 'failed')",
    [ST_NEXT] =
        "SELECT " COLS " FROM entries e WHERE state IN ('waiting', 'sending')"
        " AND NOT EXISTS (SELECT 1 FROM entries p WHERE p.seq < e.seq"
        "   AND p.ticket_id = e.ticket_id"
        "   AND p.state IN ('waiting', 'sending', 'conflict', 'failed'))"
        " ORDER BY seq LIMIT 1",
    [ST_PREV_VERSION] =
        "SELECT result_version FROM entries WHERE ticket_id = ?1 AND seq < ?2"
        " AND state = 'done' ORDER BY seq DESC LIMIT 1",
    [ST_SENDING] =
        "UPDATE entries SET state = 'sending', attempts = attempts + 1, if_match = ?2,"
        " updated_at = ?3 WHERE seq = ?1",
    [ST_FINISH] =
        "UPDATE entries SET state = ?2, last_error = ?3, server_result = ?4,"
        " result_version = ?5, updated_at = ?6 WHERE seq = ?1",
    [ST_MAP_LOCAL] = "UPDATE local_ids SET server_id = ?2 WHERE local_id = ?1",
    [ST_MAP_ENTRIES] =
        "UPDATE entries SET ticket_id = ?2, path = '/tickets/' || ?2 ||"
        " CASE WHEN kind = 'action' THEN '/' || action ELSE '' END"
        " WHERE ticket_id = ?1 AND kind <> 'create'",
    [ST_MAP_CREATE] = "UPDATE entries SET ticket_id = ?2 WHERE seq = ?1",
    [ST_SETTLE] =
        "UPDATE entries SET state = 'done', resolution = ?2, result_version = ?3,"
        " updated_at = ?4 WHERE seq = ?1 AND state IN ('conflict', 'failed')",
    [ST_RETRY] =
        "UPDATE entries SET state = 'waiting', resolution = 'retried',"
        " base_version = CASE WHEN ?2 >= 0 THEN ?2 ELSE base_version END,"
        " chained = CASE WHEN ?2 >= 0 THEN 0 ELSE chained END,"
        " idem_key = ?3, updated_at = ?4"
        " WHERE seq = ?1 AND state IN ('conflict', 'failed')",
    [ST_THEIRS] = "UPDATE entries SET theirs = ?2 WHERE seq = ?1",
    [ST_WAITING] =
        "SELECT count(*) FROM entries"
        " WHERE state IN ('waiting', 'sending', 'conflict', 'failed')",
    [ST_ATTENTION] = "SELECT count(*) FROM entries WHERE state IN ('conflict', 'failed')",
    [ST_GET] = "SELECT " COLS " FROM entries WHERE seq = ?1",
    [ST_LIST_ALL] = "SELECT " COLS " FROM entries ORDER BY seq",
    [ST_LIST_OPEN] = "SELECT " COLS " FROM entries WHERE state <> 'done' ORDER BY seq",
    [ST_SERVER_ID] = "SELECT server_id FROM local_ids WHERE local_id = ?1",
    [ST_PRUNE] = "DELETE FROM entries WHERE state = 'done' AND updated_at < ?1",
    [ST_KV_GET] = "SELECT value FROM kv WHERE key = ?1",
    [ST_KV_PUT] =
        "INSERT INTO kv(key, value) VALUES(?1, ?2)"
        " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    [ST_ADD_LOCAL] = "INSERT INTO local_ids(local_id, seq) VALUES(?1, ?2)",
    [ST_ORPHAN] =
        "UPDATE entries SET state = 'failed', updated_at = ?2,"
        " last_error = 'its ticket was never created on the server (the create was dropped)'"
        " WHERE seq = ?1",
};

static const char schema_sql[] =
    "CREATE TABLE entries("
    " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    " created_at INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL,"
    " kind TEXT NOT NULL CHECK (kind IN ('create', 'patch', 'action')),"
    " ticket_id TEXT NOT NULL,"
    " local_id TEXT,"
    " action TEXT,"
    " method TEXT NOT NULL,"
    " path TEXT NOT NULL,"
    " body TEXT NOT NULL,"
    " idem_key TEXT NOT NULL,"
    " base_version INTEGER NOT NULL DEFAULT -1,"
    " chained INTEGER NOT NULL DEFAULT 0,"
    " if_match TEXT,"
    " state TEXT NOT NULL CHECK (state IN ('waiting', 'sending', 'done', 'conflict',"
    "   'failed')),"
    " attempts INTEGER NOT NULL DEFAULT 0,"
    " last_error TEXT,"
    " server_result TEXT,"
    " theirs TEXT,"
    " result_version INTEGER NOT NULL DEFAULT -1,"
    " resolution TEXT);"
    "CREATE INDEX entries_ticket ON entries(ticket_id, seq);"
    "CREATE INDEX entries_state ON entries(state, seq);"
    "CREATE TABLE local_ids(local_id TEXT PRIMARY KEY, seq INTEGER NOT NULL,"
    " server_id TEXT);"
    "CREATE TABLE kv(key TEXT PRIMARY KEY, value INTEGER NOT NULL);";

struct outbox {
    sqlite3 *db;
    sqlite3_stmt *st[ST_COUNT];
    char *path;
    int lock_fd;
    int64_t in_flight;
};

static const char *const state_names[] = { "waiting", "sending", "done", "conflict", "failed" };
static const char *const kind_names[] = { "create", "patch", "action" };
static const char *const res_names[] = { "", "theirs", "dropped", "retried" };

const char *
outbox_state_str(enum outbox_state s)
{
    return (unsigned)s < ARRAY_SIZE(state_names) ? state_names[s] : "?";
}

const char *
outbox_kind_str(enum outbox_kind k)
{
    return (unsigned)k < ARRAY_SIZE(kind_names) ? kind_names[k] : "?";
}

/* Index of s in names, or def. */
static int
name_index(const char *const *names, size_t n, const char *s, int def)
{
    for (size_t i = 0; s != NULL && i < n; i++) {
        if (strcmp(names[i], s) == 0)
            return (int)i;
    }
    return def;
}

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

int
outbox_make_key(char key[OUTBOX_KEY_SIZE], struct err *e)
{
    unsigned char b[16];
    size_t got = 0;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return err_set(e, HL_EIO, "", "/dev/urandom: %s", strerror(errno));
    while (got < sizeof(b)) {
        ssize_t n = read(fd, b + got, sizeof(b) - got);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            close(fd);
            return err_set(e, HL_EIO, "", "/dev/urandom: short read");
        }
        got += (size_t)n;
    }
    close(fd);
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(key, OUTBOX_KEY_SIZE,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
             b[12], b[13], b[14], b[15]);
    return HL_OK;
}

/* Fill e from the database's last error. */
static int
db_err(struct outbox *ob, struct err *e, const char *what)
{
    return err_set(e, HL_EIO, "outbox", "%s: %s: %s", ob->path, what, sqlite3_errmsg(ob->db));
}

/* Step a statement that returns nothing useful; SQLite code (OK or the error). */
static int
step_done(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);

    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

/* Step a statement yielding one integer; def when no row. */
static int64_t
step_int(sqlite3_stmt *st, int64_t def)
{
    int64_t v = def;

    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        v = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return v;
}

/* Bind text or NULL. */
static void
bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s == NULL)
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

/* Open the database and check or create its schema. */
static int
db_open(struct outbox *ob, struct err *e)
{
    sqlite3_stmt *st = NULL;
    int rc, version = -1, objects = -1;

    rc = sqlite3_open_v2(ob->path, &ob->db,
                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK)
        return err_set(e, HL_EIO, "outbox", "%s: %s", ob->path,
                       ob->db != NULL ? sqlite3_errmsg(ob->db) : sqlite3_errstr(rc));
    sqlite3_busy_timeout(ob->db, 1000);
    if (sqlite3_prepare_v2(ob->db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    st = NULL;
    if (sqlite3_prepare_v2(ob->db, "SELECT count(*) FROM sqlite_master", -1, &st, NULL) ==
            SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        objects = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (version < 0 || objects < 0)
        return err_set(e, HL_EIO, "outbox",
                       "%s: cannot read the outbox (%s); it is left as it is because it may "
                       "hold unsent work: move it away to start a new one",
                       ob->path, sqlite3_errmsg(ob->db));
    if ((version == 0 && objects > 0) || (version != 0 && version != OUTBOX_SCHEMA_VERSION))
        return err_set(e, HL_ECONFLICT, "outbox",
                       "%s: not an outbox of this console version (schema %d, expected %d); "
                       "it is left as it is",
                       ob->path, version, OUTBOX_SCHEMA_VERSION);
    rc = sqlite3_exec(ob->db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(ob->db, "PRAGMA synchronous=FULL", NULL, NULL, NULL);
    if (rc == SQLITE_OK && version == 0) {
        char *sql = xasprintf("BEGIN; %s PRAGMA user_version=%d; COMMIT;", schema_sql,
                              OUTBOX_SCHEMA_VERSION);

        rc = sqlite3_exec(ob->db, sql, NULL, NULL, NULL);
        free(sql);
    }
    for (size_t i = 0; rc == SQLITE_OK && i < ST_COUNT; i++)
        rc = sqlite3_prepare_v3(ob->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
                                &ob->st[i], NULL);
    if (rc != SQLITE_OK)
        return db_err(ob, e, "cannot prepare the outbox");
    return HL_OK;
}

char *
outbox_default_path(struct err *e)
{
    char *dir = xdg_app_dir(XDG_STATE, true, e);
    char *path;

    if (dir == NULL)
        return NULL;
    path = xasprintf("%s/outbox.db", dir);
    free(dir);
    return path;
}

struct outbox *
outbox_open(const char *path, struct err *e)
{
    struct outbox *ob;
    char *lock = NULL;

    if (str_empty(path)) {
        err_set(e, HL_EINVAL, "outbox", "no outbox path");
        return NULL;
    }
    if (!mkdir_parents(path)) {
        err_set(e, HL_EIO, "outbox", "%s: cannot create the directory: %s", path,
                strerror(errno));
        return NULL;
    }
    ob = xcalloc(1, sizeof(*ob));
    ob->path = xstrdup(path);
    ob->lock_fd = -1;
    lock = xasprintf("%s.lock", path);
    ob->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (ob->lock_fd < 0) {
        err_set(e, HL_EIO, "outbox", "%s: %s", lock, strerror(errno));
        goto fail;
    }
    if (flock(ob->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        err_set(e, HL_ECONFLICT, "outbox",
                "%s: another hotline console is using this outbox", path);
        goto fail;
    }
    if (db_open(ob, e) != HL_OK)
        goto fail;
    free(lock);
    return ob;
fail:
    free(lock);
    outbox_free(&ob);
    return NULL;
}

void
outbox_free(struct outbox **pob)
{
    struct outbox *ob = pob != NULL ? *pob : NULL;

    if (ob == NULL)
        return;
    for (size_t i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(ob->st[i]);
    if (ob->db != NULL)
        sqlite3_close(ob->db);
    if (ob->lock_fd >= 0)
        close(ob->lock_fd);
    free(ob->path);
    free(ob);
    *pob = NULL;
}

/* Duplicate column i as text, NULL when NULL. */
static char *
col_text(sqlite3_stmt *st, int i)
{
    if (sqlite3_column_type(st, i) == SQLITE_NULL)
        return NULL;
    return xstrdup((const char *)sqlite3_column_text(st, i));
}

/* Read a row of COLS into en. */
static void
read_entry(sqlite3_stmt *st, struct outbox_entry *en)
{
    const char *s;

    memset(en, 0, sizeof(*en));
    en->seq = sqlite3_column_int64(st, 0);
    en->created_at = sqlite3_column_int64(st, 1);
    en->updated_at = sqlite3_column_int64(st, 2);
    en->kind = (enum outbox_kind)name_index(kind_names, ARRAY_SIZE(kind_names),
                                            (const char *)sqlite3_column_text(st, 3), 0);
    en->ticket_id = col_text(st, 4);
    en->local_id = col_text(st, 5);
    en->action = col_text(st, 6);
    en->method = col_text(st, 7);
    en->path = col_text(st, 8);
    en->body = col_text(st, 9);
    en->idem_key = col_text(st, 10);
    en->base_version = sqlite3_column_int64(st, 11);
    en->chained = sqlite3_column_int(st, 12) != 0;
    en->if_match = col_text(st, 13);
    en->state = (enum outbox_state)name_index(state_names, ARRAY_SIZE(state_names),
                                              (const char *)sqlite3_column_text(st, 14), 0);
    en->attempts = sqlite3_column_int(st, 15);
    en->last_error = col_text(st, 16);
    en->server_result = col_text(st, 17);
    en->theirs = col_text(st, 18);
    en->result_version = sqlite3_column_int64(st, 19);
    s = (const char *)sqlite3_column_text(st, 20);
    en->resolution = (enum outbox_resolution)name_index(res_names, ARRAY_SIZE(res_names),
                                                        s != NULL ? s : "", 0);
}

void
outbox_entry_fini(struct outbox_entry *en)
{
    free(en->ticket_id);
    free(en->local_id);
    free(en->action);
    free(en->method);
    free(en->path);
    free(en->body);
    free(en->idem_key);
    free(en->if_match);
    free(en->last_error);
    free(en->server_result);
    free(en->theirs);
    memset(en, 0, sizeof(*en));
}

void
outbox_entries_fini(struct outbox_entries *l)
{
    for (size_t i = 0; i < l->n; i++)
        outbox_entry_fini(&l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

/* True when s is a usable ticket id or action name for a path. */
static bool
path_safe(const char *s)
{
    if (str_empty(s) || strlen(s) > 128)
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if (*p <= ' ' || *p == '/' || *p == '?' || *p == '#' || *p == '%' || *p == 0x7f)
            return false;
    }
    return true;
}

/* True when key may be sent as an Idempotency-Key: 1 to OUTBOX_KEY_SIZE - 1 of
 * letters, digits, '-' and '_'. */
static bool
key_ok(const char *key)
{
    size_t n = strlen(key);

    if (n == 0 || n >= OUTBOX_KEY_SIZE)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = key[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return false;
    }
    return true;
}

/* Insert one entry in a transaction; local_id given for creates; the idempotency key is
 * given_key, or a new one when NULL. */
static int
insert(struct outbox *ob, enum outbox_kind kind, const char *ticket_id, const char *local_id,
       const char *action, const char *method, const char *path, const char *body,
       int64_t version_seen, hl_time now, const char *given_key, int64_t *seq, struct err *e)
{
    char key[OUTBOX_KEY_SIZE];
    sqlite3_stmt *st;
    bool chained = false;
    int rc;
    int64_t id;

    if (body == NULL || strlen(body) > OUTBOX_BODY_MAX)
        return err_set(e, HL_EINVAL, "body", "the request body is missing or larger than %u "
                       "bytes", OUTBOX_BODY_MAX);
    if (given_key != NULL) {
        if (!key_ok(given_key))
            return err_set(e, HL_EINVAL, "key", "the idempotency key must be 1 to %d letters, "
                           "digits, '-' or '_'", OUTBOX_KEY_SIZE - 1);
        str_copy(key, sizeof key, given_key);
    } else if (outbox_make_key(key, e) != HL_OK) {
        return HL_EIO;
    }
    rc = step_done(ob->st[ST_BEGIN]);
    if (rc != SQLITE_OK)
        return db_err(ob, e, "cannot queue");
    if (kind != OUTBOX_CREATE) {
        st = ob->st[ST_PENDING_FOR];
        sqlite3_bind_text(st, 1, ticket_id, -1, SQLITE_TRANSIENT);
        chained = step_int(st, 0) > 0;
    }
    st = ob->st[ST_INSERT];
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_text(st, 2, kind_names[kind], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, ticket_id, -1, SQLITE_TRANSIENT);
    bind_text(st, 4, local_id);
    bind_text(st, 5, action);
    sqlite3_bind_text(st, 6, method, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, path, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 8, body, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 9, key, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 10, version_seen >= 0 ? version_seen : -1);
    sqlite3_bind_int(st, 11, chained ? 1 : 0);
    rc = step_done(st);
    id = sqlite3_last_insert_rowid(ob->db);
    if (rc == SQLITE_OK && local_id != NULL) {
        st = ob->st[ST_ADD_LOCAL];
        sqlite3_bind_text(st, 1, local_id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, id);
        rc = step_done(st);
    }
    if (rc == SQLITE_OK)
        rc = step_done(ob->st[ST_COMMIT]);
    if (rc != SQLITE_OK) {
        int ret = db_err(ob, e, "cannot queue");

        step_done(ob->st[ST_ROLLBACK]);
        return ret;
    }
    if (seq != NULL)
        *seq = id;
    return HL_OK;
}

int
outbox_add_create(struct outbox *ob, const char *body, hl_time now, char *local_id,
                  size_t local_sz, int64_t *seq, struct err *e)
{
    return outbox_add_create_keyed(ob, body, NULL, now, local_id, local_sz, seq, e);
}

int
outbox_add_create_keyed(struct outbox *ob, const char *body, const char *key, hl_time now,
                        char *local_id, size_t local_sz, int64_t *seq, struct err *e)
{
    char local[32];
    sqlite3_stmt *st;
    int64_t n;
    int rc;

    /* The counter is bumped in its own durable step: a number is never reused, even
     * when the insert below fails. */
    st = ob->st[ST_KV_GET];
    sqlite3_bind_text(st, 1, "next_local", -1, SQLITE_STATIC);
    n = step_int(st, 1);
    st = ob->st[ST_KV_PUT];
    sqlite3_bind_text(st, 1, "next_local", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, n + 1);
    if (step_done(st) != SQLITE_OK)
        return db_err(ob, e, "cannot queue");
    snprintf(local, sizeof(local), "%s%lld", OUTBOX_LOCAL_PREFIX, (long long)n);
    rc = insert(ob, OUTBOX_CREATE, local, local, NULL, "POST", "/tickets", body, -1, now,
                key, seq, e);
    if (rc == HL_OK && local_id != NULL)
        str_copy(local_id, local_sz, local);
    return rc;
}

int
outbox_add_patch(struct outbox *ob, const char *ticket_id, int64_t version_seen,
                 const char *body, hl_time now, int64_t *seq, struct err *e)
{
    char path[256];
    int rc;

    if (!path_safe(ticket_id))
        return err_set(e, HL_EINVAL, "ticket_id", "bad ticket id");
    snprintf(path, sizeof(path), "/tickets/%s", ticket_id);
    rc = insert(ob, OUTBOX_PATCH, ticket_id, NULL, NULL, "PATCH", path, body, version_seen,
                now, NULL, seq, e);
    return rc;
}

int
outbox_add_action(struct outbox *ob, const char *ticket_id, const char *action,
                  int64_t version_seen, const char *body, hl_time now, int64_t *seq,
                  struct err *e)
{
    char path[320];

    if (!path_safe(ticket_id))
        return err_set(e, HL_EINVAL, "ticket_id", "bad ticket id");
    if (!path_safe(action))
        return err_set(e, HL_EINVAL, "action", "bad action name");
    snprintf(path, sizeof(path), "/tickets/%s/%s", ticket_id, action);
    return insert(ob, OUTBOX_ACTION, ticket_id, NULL, action, "POST", path, body,
                  version_seen, now, NULL, seq, e);
}

/* The If-Match version of en: the previous answer's for a chained entry, else the one
 * its author saw; -1 for none. */
static int64_t
match_version(struct outbox *ob, const struct outbox_entry *en)
{
    int64_t v = -1;

    if (en->kind == OUTBOX_CREATE)
        return -1;
    if (en->chained) {
        sqlite3_stmt *st = ob->st[ST_PREV_VERSION];

        sqlite3_bind_text(st, 1, en->ticket_id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, en->seq);
        v = step_int(st, -1);
    }
    return v >= 0 ? v : en->base_version;
}

int64_t
outbox_pump(struct outbox *ob, outbox_send_fn send, void *arg, struct err *e)
{
    struct outbox_entry en;
    char im[32];
    sqlite3_stmt *st;
    int64_t v;
    int rc;

    if (ob == NULL || ob->in_flight != 0)
        return 0;
    for (;;) {
        st = ob->st[ST_NEXT];
        rc = sqlite3_step(st);
        if (rc != SQLITE_ROW) {
            sqlite3_reset(st);
            if (rc != SQLITE_DONE)
                db_err(ob, e, "cannot read the outbox");
            return 0;
        }
        read_entry(st, &en);
        sqlite3_reset(st);
        if (en.kind == OUTBOX_CREATE || !str_starts_with(en.ticket_id, OUTBOX_LOCAL_PREFIX))
            break;
        /* Its create was dropped: the placeholder will never become a ticket. */
        st = ob->st[ST_ORPHAN];
        sqlite3_bind_int64(st, 1, en.seq);
        sqlite3_bind_int64(st, 2, (hl_time)time(NULL));
        rc = step_done(st);
        outbox_entry_fini(&en);
        if (rc != SQLITE_OK) {
            db_err(ob, e, "cannot update the outbox");
            return 0;
        }
    }
    v = match_version(ob, &en);
    free(en.if_match);
    en.if_match = NULL;
    if (v >= 0) {
        snprintf(im, sizeof(im), "\"%lld\"", (long long)v);
        en.if_match = xstrdup(im);
    }
    st = ob->st[ST_SENDING];
    sqlite3_bind_int64(st, 1, en.seq);
    bind_text(st, 2, en.if_match);
    sqlite3_bind_int64(st, 3, (hl_time)time(NULL));
    if (step_done(st) != SQLITE_OK) {
        db_err(ob, e, "cannot update the outbox");
        outbox_entry_fini(&en);
        return 0;
    }
    en.state = OUTBOX_SENDING;
    en.attempts++;
    ob->in_flight = en.seq;
    if (send(&en, arg) != HL_OK) {
        struct outbox_reply r = { .status = 0, .error = "the request could not start",
                                  .version = -1 };

        outbox_complete(ob, en.seq, &r, (hl_time)time(NULL), NULL);
        outbox_entry_fini(&en);
        return 0;
    }
    v = en.seq;
    outbox_entry_fini(&en);
    return v;
}

int64_t
outbox_in_flight(const struct outbox *ob)
{
    return ob != NULL ? ob->in_flight : 0;
}

/* The state an answer leads to. */
static enum outbox_state
state_of(long status)
{
    if (status >= 200 && status < 300)
        return OUTBOX_DONE;
    if (status == 409 || status == 412)
        return OUTBOX_CONFLICT;
    if (status == 0 || status == 401 || status == 408 || status == 429 || status >= 500)
        return OUTBOX_WAITING;
    return OUTBOX_FAILED;
}

int
outbox_complete(struct outbox *ob, int64_t seq, const struct outbox_reply *r, hl_time now,
                struct err *e)
{
    struct outbox_entry en;
    enum outbox_state to = state_of(r->status);
    sqlite3_stmt *st;
    int rc;
    bool have = false;

    if (ob == NULL || seq == 0 || seq != ob->in_flight) {
        err_set(e, HL_EINVAL, "seq", "entry %lld is not the one in flight", (long long)seq);
        return -1;
    }
    ob->in_flight = 0;
    memset(&en, 0, sizeof(en));
    st = ob->st[ST_GET];
    sqlite3_bind_int64(st, 1, seq);
    if (sqlite3_step(st) == SQLITE_ROW) {
        read_entry(st, &en);
        have = true;
    }
    sqlite3_reset(st);
    if (!have) {
        err_set(e, HL_ENOENT, "seq", "entry %lld is gone", (long long)seq);
        return -1;
    }
    rc = step_done(ob->st[ST_BEGIN]);
    if (rc == SQLITE_OK) {
        st = ob->st[ST_FINISH];
        sqlite3_bind_int64(st, 1, seq);
        sqlite3_bind_text(st, 2, state_names[to], -1, SQLITE_STATIC);
        if (to == OUTBOX_DONE)
            sqlite3_bind_null(st, 3);
        else if (r->status == 401)
            sqlite3_bind_text(st, 3, "the session expired: sign in again", -1, SQLITE_STATIC);
        else
            bind_text(st, 3, r->error != NULL ? r->error : "");
        bind_text(st, 4, r->body);
        sqlite3_bind_int64(st, 5, to == OUTBOX_DONE && r->version >= 0 ? r->version : -1);
        sqlite3_bind_int64(st, 6, now);
        rc = step_done(st);
    }
    if (rc == SQLITE_OK && to == OUTBOX_DONE && en.kind == OUTBOX_CREATE &&
        en.local_id != NULL && path_safe(r->ticket_id)) {
        st = ob->st[ST_MAP_LOCAL];
        sqlite3_bind_text(st, 1, en.local_id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, r->ticket_id, -1, SQLITE_TRANSIENT);
        rc = step_done(st);
        if (rc == SQLITE_OK) {
            st = ob->st[ST_MAP_ENTRIES];
            sqlite3_bind_text(st, 1, en.local_id, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(st, 2, r->ticket_id, -1, SQLITE_TRANSIENT);
            rc = step_done(st);
        }
        if (rc == SQLITE_OK) {
            st = ob->st[ST_MAP_CREATE];
            sqlite3_bind_int64(st, 1, seq);
            sqlite3_bind_text(st, 2, r->ticket_id, -1, SQLITE_TRANSIENT);
            rc = step_done(st);
        }
    }
    if (rc == SQLITE_OK)
        rc = step_done(ob->st[ST_COMMIT]);
    outbox_entry_fini(&en);
    if (rc != SQLITE_OK) {
        db_err(ob, e, "cannot record an answer");
        step_done(ob->st[ST_ROLLBACK]);
        return -1;
    }
    return (int)to;
}

/* Settle a held entry with a resolution. */
static int
settle(struct outbox *ob, int64_t seq, enum outbox_resolution res, int64_t version,
       hl_time now, struct err *e)
{
    sqlite3_stmt *st = ob->st[ST_SETTLE];
    int rc;

    sqlite3_bind_int64(st, 1, seq);
    sqlite3_bind_text(st, 2, res_names[res], -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, version >= 0 ? version : -1);
    sqlite3_bind_int64(st, 4, now);
    rc = step_done(st);
    if (rc != SQLITE_OK)
        return db_err(ob, e, "cannot settle an entry");
    if (sqlite3_changes(ob->db) == 0)
        return err_set(e, HL_ENOENT, "seq", "entry %lld is not held for a decision",
                       (long long)seq);
    return HL_OK;
}

int
outbox_keep_theirs(struct outbox *ob, int64_t seq, int64_t theirs_version, hl_time now,
                   struct err *e)
{
    return settle(ob, seq, OUTBOX_RES_THEIRS, theirs_version, now, e);
}

int
outbox_drop(struct outbox *ob, int64_t seq, hl_time now, struct err *e)
{
    return settle(ob, seq, OUTBOX_RES_DROPPED, -1, now, e);
}

int
outbox_retry_mine(struct outbox *ob, int64_t seq, int64_t new_version, hl_time now,
                  struct err *e)
{
    char key[OUTBOX_KEY_SIZE];
    sqlite3_stmt *st = ob->st[ST_RETRY];
    int rc;

    if (outbox_make_key(key, e) != HL_OK)
        return HL_EIO;
    sqlite3_bind_int64(st, 1, seq);
    sqlite3_bind_int64(st, 2, new_version);
    sqlite3_bind_text(st, 3, key, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 4, now);
    rc = step_done(st);
    if (rc != SQLITE_OK)
        return db_err(ob, e, "cannot retry an entry");
    if (sqlite3_changes(ob->db) == 0)
        return err_set(e, HL_ENOENT, "seq", "entry %lld is not held for a decision",
                       (long long)seq);
    return HL_OK;
}

int
outbox_set_theirs(struct outbox *ob, int64_t seq, const char *json, struct err *e)
{
    sqlite3_stmt *st = ob->st[ST_THEIRS];

    if (json != NULL && strlen(json) > 8u * OUTBOX_BODY_MAX)
        return err_set(e, HL_EINVAL, "theirs", "the server's ticket is too large to keep");
    sqlite3_bind_int64(st, 1, seq);
    bind_text(st, 2, json);
    if (step_done(st) != SQLITE_OK)
        return db_err(ob, e, "cannot keep the server's version");
    return HL_OK;
}

size_t
outbox_waiting(struct outbox *ob)
{
    return ob != NULL ? (size_t)step_int(ob->st[ST_WAITING], 0) : 0;
}

size_t
outbox_attention(struct outbox *ob)
{
    return ob != NULL ? (size_t)step_int(ob->st[ST_ATTENTION], 0) : 0;
}

int
outbox_get(struct outbox *ob, int64_t seq, struct outbox_entry *out, struct err *e)
{
    sqlite3_stmt *st = ob->st[ST_GET];
    int rc, ret = HL_OK;

    memset(out, 0, sizeof(*out));
    sqlite3_bind_int64(st, 1, seq);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        read_entry(st, out);
    else if (rc == SQLITE_DONE)
        ret = err_set(e, HL_ENOENT, "seq", "no outbox entry %lld", (long long)seq);
    else
        ret = db_err(ob, e, "cannot read the outbox");
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return ret;
}

int
outbox_list(struct outbox *ob, bool include_done, struct outbox_entries *out, struct err *e)
{
    sqlite3_stmt *st = ob->st[include_done ? ST_LIST_ALL : ST_LIST_OPEN];
    size_t cap = 0;
    int rc;

    memset(out, 0, sizeof(*out));
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (out->n == cap) {
            cap = cap ? cap * 2 : 8;
            out->v = xrealloc(out->v, cap * sizeof(*out->v));
        }
        read_entry(st, &out->v[out->n++]);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        outbox_entries_fini(out);
        return db_err(ob, e, "cannot read the outbox");
    }
    return HL_OK;
}

bool
outbox_server_id(struct outbox *ob, const char *local_id, char *buf, size_t sz)
{
    sqlite3_stmt *st = ob->st[ST_SERVER_ID];
    bool found = false;

    sqlite3_bind_text(st, 1, local_id != NULL ? local_id : "", -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        found = str_copy(buf, sz, (const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return found;
}

size_t
outbox_prune(struct outbox *ob, hl_time before)
{
    sqlite3_stmt *st = ob->st[ST_PRUNE];

    sqlite3_bind_int64(st, 1, before);
    if (step_done(st) != SQLITE_OK)
        return 0;
    return (size_t)sqlite3_changes(ob->db);
}
