/* store: hotlined's persistence interface; one struct store_ops per database (SQLite, PostgreSQL). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hotline/datetime.h"
#include "hotline/err.h"
#include "hotline/model.h"
#include "hotline/tz.h"

/*
 * Conventions.
 * - Every function returns HL_OK or an enum hl_status with e filled: HL_ENOENT (404),
 *   HL_ECONFLICT (409/412/422 by context, see each function), HL_EINVAL (400),
 *   HL_ERULE (a mutate callback's refusal, passed through), HL_EIO (500: the database
 *   failed; e->msg says what, e.g. "database is full" or "database is read-only").
 * - Thread-safe: each calling thread gets its own database connection (SQLite: one
 *   connection per HTTP worker thread, opened lazily; PostgreSQL: one borrowed from the
 *   instance's pool for the call); writes are serialised by the database (SQLite: BEGIN
 *   IMMEDIATE, WAL, synchronous=FULL, busy timeout; PostgreSQL: row locks taken by
 *   SELECT ... FOR UPDATE and upserts). A mutate callback that calls the store runs on
 *   the caller's connection, inside its transaction.
 * - Every statement is prepared with bound parameters; prepared statements are cached
 *   per connection.
 * - Tickets are stored as their full JSON document (codec_ticket_encode at the
 *   server's zone) plus indexed columns for queries; GET serves the document as is.
 * - Every committed change of a ticket, every call answer and every article publish
 *   appends one row to the feed table inside the same transaction; the returned
 *   *seq is what the caller publishes to the in-memory hub after the commit.
 */

struct store;

/* A unit (承办单位). */
struct unit {
    char *code;
    char *name;
};

/* A user row as the store keeps it. */
struct user_row {
    struct user user;           /* id, name, role, unit */
    char *pw_hash;              /* argon2id string (crypto_pwhash_str) */
    bool disabled;
    hl_time created_at;
};

/* Filters of GET /tickets and of internal scans. Unset members (NULL, 0, false) do
 * not filter. Strings are borrowed. */
struct ticket_query {
    unsigned status_mask;       /* bit (1 << enum status); 0 = any */
    const char *unit;           /* tickets with an assignment to this unit */
    const char *caller_phone;   /* canonical phone (phone_normalize number) */
    unsigned flag_mask;         /* enum ticket_flag bits; ticket must have all of them */
    const char *q;              /* Chinese substring over title, description, location,
                                 * caller name/phone/address, id */
    const char *created_by;     /* user id */
    const char *category;       /* exact code or a prefix ending in "." */
    int nature;                 /* -1 = any, else enum nature */
    hl_time updated_since;      /* updated_at >= */
    hl_time created_from;       /* created_at >= */
    hl_time created_to;         /* created_at < */
    hl_time due_before;         /* due_at < (open tickets) */
    hl_time callback_due_before;/* callback_due_at < and status replied|callback */
    const char *order;          /* "created" (newest first, default), "due" (soonest first),
                                 * "callback_due" (soonest first), "updated" (newest first) */
    int limit;                  /* 1..100 (the store clamps) */
    const char *cursor;         /* opaque, from a previous page's next_cursor */
    bool count;                 /* fill total */
    bool docs;                  /* fill ticket_page.docs instead of items */
};

/* One page of tickets. */
struct ticket_page {
    struct ticket *items;       /* embedded tickets: ticket_fini each (NULL with docs) */
    char **docs;                /* with query.docs: the n stored documents as they are
                                 * (the codec's compact JSON), owned */
    size_t n;
    char *next_cursor;          /* NULL on the last page */
    int64_t total;              /* when query.count, else -1 */
};

/* Release a page and zero it. */
void ticket_page_fini(struct ticket_page *p);

/* Filters of GET /kb. Strings borrowed; unset members do not filter. */
struct article_query {
    const char *q;              /* Chinese substring; 1-2 characters take the non-FTS path */
    int kind;                   /* -1 = any, else enum kb_kind */
    int scope;                  /* -1 = any, else enum kb_scope */
    const char *category;       /* exact code or prefix ending in "." */
    const char *region;
    bool published_only;        /* agents: published and valid on `today` */
    int64_t today;              /* day number for validity */
    int limit;                  /* 1..100 */
    const char *cursor;
};

/* One page of articles, best match first (title hits above body hits; notices first
 * when no q), each with a snippet: the matching passage with the match wrapped in
 * U+3010/U+3011 brackets (【match】) and cut to about 80 characters. */
struct article_page {
    struct article *items;      /* embedded: article_fini each */
    size_t n;
    char *next_cursor;
};

/* Release a page and zero it. */
void article_page_fini(struct article_page *p);

/* One row of the change feed. */
struct feed_event {
    int64_t seq;
    char *type;                 /* "ticket.created", "ticket.updated", "call.answer",
                                 * "kb.published" */
    char *ticket_id;            /* NULL when none */
    char *action;               /* the action for ticket.updated ("dispatch", "edit"), else NULL */
    char *agent;                /* call.answer: the agent's user id */
    char *phone;                /* call.answer: the caller's number (delivered only to that
                                 * agent; the handler removes it for everyone else) */
    char *unit;                 /* units concerned, comma separated, for unit filtering */
    hl_time at;
};

/* Release a feed event and zero it. */
void feed_event_fini(struct feed_event *ev);

/* One audit row. */
struct audit_row {
    hl_time at;
    char *user_id;
    char *ticket_id;
    char *what;                 /* "read", "read_confidential", an action name, "edit", ... */
};

/* Release an audit row and zero it. */
void audit_row_fini(struct audit_row *a);

/* Called inside the write transaction of store_ticket_update with the current ticket.
 * Mutate t and return HL_OK to commit, or an error (e filled) to roll back; the error
 * is returned unchanged by store_ticket_update. The callback sets updated_at and
 * appends the timeline event itself (so demo data can replay the past); the store
 * then bumps version, saves the document and columns and appends the feed row. */
typedef int (*store_mutate_fn)(struct ticket *t, void *arg, struct err *e);

/* The body of a write_tx transaction. Store calls it makes join the transaction. */
typedef int (*store_tx_fn)(struct store *s, void *arg, struct err *e);

/* Called for each ticket of a scan; return false to stop. t is borrowed for the call. */
typedef bool (*store_scan_fn)(const struct ticket *t, void *arg);

/* The operations of one kind of database. */
struct store_ops {
    const char *kind;           /* "sqlite", "postgresql" */

    /* Close the store and free it. */
    void (*close)(struct store *s);
    /* Integrity check: database integrity, schema version, documents decodable and
     * columns consistent; appends a human report to *report (owned by caller). */
    int (*check)(struct store *s, char **report, struct err *e);

    /* Units. */
    int (*unit_add)(struct store *s, const char *code, const char *name, struct err *e);
    int (*unit_list)(struct store *s, struct unit **out, size_t *n, struct err *e);
    int (*unit_get)(struct store *s, const char *code, struct unit *out, struct err *e);

    /* Users (HL_ECONFLICT when the id exists; HL_ENOENT when unknown). */
    int (*user_add)(struct store *s, const struct user *u, const char *pw_hash, struct err *e);
    int (*user_get)(struct store *s, const char *id, struct user_row *out, struct err *e);
    int (*user_list)(struct store *s, struct user_row **out, size_t *n, struct err *e);
    /* Set the password hash and revoke every session of the user. */
    int (*user_set_password)(struct store *s, const char *id, const char *pw_hash, struct err *e);
    /* Disable the user and revoke every session. */
    int (*user_disable)(struct store *s, const char *id, struct err *e);

    /* Sessions: tokens are stored only as their hash (hex). */
    int (*session_add)(struct store *s, const char *token_hash, const char *user_id,
                       hl_time created, hl_time expires, struct err *e);
    /* The user of a live session (not expired at now, user not disabled); HL_ENOENT otherwise. */
    int (*session_get)(struct store *s, const char *token_hash, hl_time now, struct user *out,
                       hl_time *expires, struct err *e);
    int (*session_revoke)(struct store *s, const char *token_hash, struct err *e);

    /* Create a ticket: the store assigns id (HL + local date of created_at in tz +
     * daily 6-digit sequence, safe under concurrency), version 1, and saves. With an
     * idempotency key: the same key and body_hash return the ticket created the first
     * time with *replayed = true; the same key with another body_hash is HL_ECONFLICT
     * (422 idempotency_key_reused). Keys are kept at least 7 days. *out (owned) is the
     * stored ticket; *seq the feed row. */
    int (*ticket_create)(struct store *s, const struct ticket *t, const char *idem_key,
                         const char *body_hash, struct ticket **out, bool *replayed,
                         int64_t *seq, struct err *e);
    /* ticket_create answering with the stored document instead of the decoded ticket
     * (POST /tickets replies with it as GET serves it): *id and *doc owned, *version
     * the ticket's version (1; a replay: its current one). Transaction, commit and
     * idempotency as ticket_create. */
    int (*ticket_create_doc)(struct store *s, const struct ticket *t, const char *idem_key,
                             const char *body_hash, char **id, char **doc, int64_t *version,
                             bool *replayed, int64_t *seq, struct err *e);
    /* *yes when the caller (canonical phone) has a ticket that is neither closed nor
     * archived: the repeat-caller test of a new ticket. */
    int (*caller_has_open)(struct store *s, const char *phone, bool *yes, struct err *e);
    /* Load a ticket (owned). */
    int (*ticket_get)(struct store *s, const char *id, struct ticket **out, struct err *e);
    /* The stored JSON document (owned) and its version, without decoding. */
    int (*ticket_get_doc)(struct store *s, const char *id, char **doc, int64_t *version,
                          struct err *e);
    /* Read-modify-write in one transaction. if_match > 0 must equal the stored version
     * (else HL_ECONFLICT with field "version": 412). action names the change for the
     * feed row ("edit", "dispatch", ...). *out (owned, may be NULL to skip) gets the
     * saved ticket. */
    int (*ticket_update)(struct store *s, const char *id, int64_t if_match, const char *action,
                         store_mutate_fn fn, void *arg, struct ticket **out, int64_t *seq,
                         struct err *e);
    /* Run fn in one write transaction and commit it durably before returning; an error
     * of fn (e filled) rolls back everything fn wrote and is returned. Store calls fn
     * makes join the transaction, so a ticket write and its audit row are one commit:
     * an acknowledged write never lacks its audit row. Inside a transaction of the
     * calling thread fn runs nested (a savepoint). SQLite: concurrent writers share
     * commits (group commit: ticket_create and ticket_update take the same path), so fn
     * may run on another writer's thread, and it returns only after the commit that holds
     * its writes; fn must not depend on the calling thread. PostgreSQL: one transaction
     * on the caller's connection (the database groups concurrent commits itself). */
    int (*write_tx)(struct store *s, store_tx_fn fn, void *arg, struct err *e);
    /* One page of tickets. */
    int (*ticket_list)(struct store *s, const struct ticket_query *q, struct ticket_page *out,
                       struct err *e);
    /* Every ticket matching q (limit and cursor ignored), oldest first, for stats,
     * flags and demo data. */
    int (*ticket_scan)(struct store *s, const struct ticket_query *q, store_scan_fn fn,
                       void *arg, struct err *e);
    /* Distinct callers (canonical phone) with tickets of this category and location
     * created in [since, until). */
    int (*cluster_callers)(struct store *s, const char *category, const char *location,
                           hl_time since, hl_time until, int *count, struct err *e);
    /* Recompute and save the computed flags of open tickets whose flags changed, using
     * fn to compute them (fn returns the new flags word through *flags); appends feed
     * rows for changed tickets. For the periodic sweep (near_due/overdue). */
    int (*ticket_reflag)(struct store *s, unsigned (*fn)(const struct ticket *t, void *arg),
                         void *arg, int *changed, int64_t *seq, struct err *e);
    /* Tidy the search indexes in idle time, in short write transactions of at most
     * max_steps in all: *steps is how many were taken, *done true when nothing is left
     * to tidy. NULL when the store's indexes need no such care (PostgreSQL). */
    int (*index_tidy)(struct store *s, int max_steps, int *steps, bool *done, struct err *e);

    /* Knowledge base. article_put inserts or replaces by id (id NULL: the store assigns
     * "KB-" + sequence) and keeps the search index in step; *out owned. */
    int (*article_put)(struct store *s, const struct article *a, struct article **out,
                       struct err *e);
    int (*article_get)(struct store *s, const char *id, struct article **out, struct err *e);
    int (*article_search)(struct store *s, const struct article_query *q,
                          struct article_page *out, struct err *e);
    /* Every article (for kb export), in id order. */
    int (*article_scan)(struct store *s, bool (*fn)(const struct article *a, void *arg),
                        void *arg, struct err *e);

    /* Audit. */
    int (*audit_add)(struct store *s, const char *user_id, const char *ticket_id,
                     const char *what, hl_time at, struct err *e);
    /* Newest first; ticket_id NULL = all; cursor/limit as lists. */
    int (*audit_list)(struct store *s, const char *ticket_id, int limit, const char *cursor,
                      struct audit_row **out, size_t *n, char **next_cursor, struct err *e);

    /* Feed. */
    int (*feed_last_seq)(struct store *s, int64_t *seq, struct err *e);
    /* Rows with seq > since, oldest first, at most limit. */
    int (*feed_since)(struct store *s, int64_t since, int limit, struct feed_event **out,
                      size_t *n, struct err *e);
    /* Append a row outside a ticket change (call.answer, kb.published). */
    int (*feed_add)(struct store *s, const struct feed_event *ev, int64_t *seq, struct err *e);

    /* Phone system. */
    int (*call_event_add)(struct store *s, const struct call_event *c, struct err *e);
    /* Insert or replace call records by call_id; *added counts them. */
    int (*call_records_add)(struct store *s, const struct call_record *recs, size_t n,
                            int *added, struct err *e);
    /* Call counts over [from, to): offered, answered, answered within 15 s, total wait
     * seconds of answered calls; agent NULL = all. Call events are folded into records
     * (new_call -> offered_at, answer -> answered_at, hangup -> ended_at). */
    int (*call_counts)(struct store *s, hl_time from, hl_time to, const char *agent,
                       int64_t *offered, int64_t *answered, int64_t *answered_15s,
                       int64_t *wait_total, struct err *e);

    /* Optional (NULL when the database has no cross-process notification, e.g. SQLite,
     * where one process owns the database and its own publishes suffice). Start a thread
     * that calls on_seq(seq, arg) for each feed row committed by ANY process sharing the
     * database (PostgreSQL: LISTEN hotline_feed), own commits included (the hub ignores
     * numbers it has seen); after a lost connection it reconnects and reports the
     * highest seq, so nothing committed meanwhile is missed. on_seq runs on that thread
     * and must be quick and thread-safe. on_seq NULL stops the thread (returns after it
     * has ended; close does it too): stop it before freeing what arg points to. */
    int (*feed_listen)(struct store *s, void (*on_seq)(int64_t seq, void *arg), void *arg,
                       struct err *e);
};

/* A store: the ops table plus the implementation's state. */
struct store {
    const struct store_ops *ops;
    const struct tz *tz;        /* the centre's zone, borrowed from the server */
};

/* Open the store named by target: a file path (SQLite; created and migrated when new)
 * or a postgresql:// (or postgres://) URI when hotlined is built with libpq (see
 * store_pg.h). tz is borrowed for the store's life. NULL + e on error (message names the
 * file or database and what to do). */
struct store *store_open(const char *target, const struct tz *tz, struct err *e);

/* target fit for messages and logs: a PostgreSQL URI with its password replaced by "***",
 * anything else as it is. Owned. */
char *store_display(const char *target);

/* Release helpers for arrays the ops return. */
void unit_fini(struct unit *u);
void user_row_fini(struct user_row *u);
