/* outbox: writes made while the backend is away, kept durably and replayed exactly once. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hotline/datetime.h"
#include "hotline/err.h"

/*
 * The outbox is an SQLite file under $XDG_STATE_HOME/hotline/ (never the cache
 * directory), WAL with synchronous=FULL: an entry acknowledged by outbox_add_* is on
 * disk. Only one console uses a file at a time (an exclusive lock on "<path>.lock").
 *
 * Replay: outbox_pump picks the oldest entry that may go (one at a time), marks it
 * `sending` on disk, and hands it to a send callback that starts the request; the
 * answer comes back through outbox_complete:
 *   2xx             -> done (server_result keeps the answer; a create maps its local
 *                      id to the server's id in every later entry)
 *   409, 412        -> conflict: held for the user (keep theirs or retry mine)
 *   other 4xx       -> failed: held for the user (retry or drop)
 *   401, 408, 429,
 *   5xx, no answer  -> waiting again, same idempotency key; try later
 * Entries after a held one for the same ticket wait. A `sending` entry found when the
 * file is opened (a crash mid-request) is sent again with the same key: the server's
 * idempotency makes it exactly-once. Nothing is discarded without outbox_keep_theirs
 * or outbox_drop (the user's explicit choice).
 *
 * If-Match: an entry carries the version its author saw. An entry queued while an
 * earlier one for the same ticket is still pending is chained: it is sent with the
 * version that the earlier one's answer produced.
 */

/* Schema version of the file. */
#define OUTBOX_SCHEMA_VERSION 1
/* Longest request body accepted, bytes. */
#define OUTBOX_BODY_MAX (1024u * 1024u)
/* Size of an idempotency key buffer ("xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx" + NUL). */
#define OUTBOX_KEY_SIZE 37
/* Prefix of local placeholder ids ("本地-1"). */
#define OUTBOX_LOCAL_PREFIX "本地-"

enum outbox_kind { OUTBOX_CREATE, OUTBOX_PATCH, OUTBOX_ACTION };
enum outbox_state { OUTBOX_WAITING, OUTBOX_SENDING, OUTBOX_DONE, OUTBOX_CONFLICT,
                    OUTBOX_FAILED };
/* How a held entry was settled by the user. */
enum outbox_resolution { OUTBOX_RES_NONE, OUTBOX_RES_THEIRS, OUTBOX_RES_DROPPED,
                         OUTBOX_RES_RETRIED };

/* One entry. Strings are owned (outbox_entry_fini); NULL when absent. */
struct outbox_entry {
    int64_t seq;
    hl_time created_at;
    hl_time updated_at;
    enum outbox_kind kind;
    char *ticket_id;          /* the server's id, or the local placeholder until known */
    char *local_id;           /* create: its placeholder ("本地-1"), else NULL */
    char *action;             /* action: its wire name ("dispatch") */
    char *method;             /* "POST", "PATCH" */
    char *path;               /* below the API base: "/tickets", "/tickets/HL.../dispatch" */
    char *body;               /* JSON text */
    char *idem_key;           /* Idempotency-Key */
    int64_t base_version;     /* version its author saw; -1 when none */
    bool chained;             /* If-Match from the previous entry's answer */
    char *if_match;           /* header value to send ("\"3\""), NULL: none */
    enum outbox_state state;
    int attempts;
    char *last_error;
    char *server_result;      /* the answer's body (done: the ticket; held: the error) */
    char *theirs;             /* conflict: the server's current ticket, when fetched */
    int64_t result_version;   /* done: version the answer reported; -1 unknown */
    enum outbox_resolution resolution;
};

/* A list of entries (outbox_entries_fini). */
struct outbox_entries {
    struct outbox_entry *v;
    size_t n;
};

/* The answer to a sent entry. */
struct outbox_reply {
    long status;              /* HTTP status, 0 when no answer came */
    const char *error;        /* what went wrong, for last_error (may be NULL) */
    const char *body;         /* the response body (may be NULL) */
    const char *ticket_id;    /* 2xx: the ticket's id in the answer (create: new id) */
    int64_t version;          /* 2xx: the ticket's version in the answer, -1 unknown */
};

/* Start sending en (copy what you need; en is valid during the call only). Return
 * HL_OK when the request went out, else an error: the entry goes back to waiting. */
typedef int (*outbox_send_fn)(const struct outbox_entry *en, void *arg);

struct outbox;

/* $XDG_STATE_HOME/hotline/outbox.db (the directory created, mode 0700): never under the
 * cache directory. Caller owns; NULL + e when there is no home. */
char *outbox_default_path(struct err *e);
/* Open or create the outbox at path (directories made with mode 0700) and take its
 * lock. A file that cannot be read or has another schema version is an error and is
 * left untouched (it holds someone's unsent work). NULL with e filled. */
struct outbox *outbox_open(const char *path, struct err *e);
/* Close, release the lock and free; NULLs the pointer, accepts NULL. */
void outbox_free(struct outbox **ob);

/* A fresh random UUIDv4 (from /dev/urandom) into key. HL_OK or HL_EIO. */
int outbox_make_key(char key[OUTBOX_KEY_SIZE], struct err *e);

/* Queue POST /tickets with body (the matter as JSON). local_id (may be NULL, size
 * >= 32) gets the placeholder shown until the server's id comes back; *seq (may be
 * NULL) the entry's number. */
int outbox_add_create(struct outbox *ob, const char *body, hl_time now, char *local_id,
                      size_t local_sz, int64_t *seq, struct err *e);
/* outbox_add_create with the Idempotency-Key the entry is sent with: key (1 to
 * OUTBOX_KEY_SIZE - 1 letters, digits, '-', '_'; HL_EINVAL otherwise), NULL for a new
 * one. Giving the key of an online attempt whose answer was lost makes the server
 * answer the replay with the ticket it made then instead of a second ticket. */
int outbox_add_create_keyed(struct outbox *ob, const char *body, const char *key, hl_time now,
                            char *local_id, size_t local_sz, int64_t *seq, struct err *e);
/* Queue PATCH /tickets/{ticket_id} with the version the user saw (-1: none known). */
int outbox_add_patch(struct outbox *ob, const char *ticket_id, int64_t version_seen,
                     const char *body, hl_time now, int64_t *seq, struct err *e);
/* Queue POST /tickets/{ticket_id}/{action} (action is a wire name) likewise. */
int outbox_add_action(struct outbox *ob, const char *ticket_id, const char *action,
                      int64_t version_seen, const char *body, hl_time now, int64_t *seq,
                      struct err *e);

/* If no entry is in flight and one may go, mark it sending (on disk) and call send.
 * Returns the seq handed to send, 0 when nothing went (nothing ready, one in flight,
 * or send refused). */
int64_t outbox_pump(struct outbox *ob, outbox_send_fn send, void *arg, struct err *e);
/* The seq in flight, 0 when none. */
int64_t outbox_in_flight(const struct outbox *ob);
/* Record the answer to the entry in flight; returns its new state, or -1 with e filled
 * (seq is not the one in flight). */
int outbox_complete(struct outbox *ob, int64_t seq, const struct outbox_reply *r,
                    hl_time now, struct err *e);

/* Keep the server's version of a held entry: the entry is settled (done, resolution
 * theirs); later entries of the ticket continue from theirs_version (-1: unknown). */
int outbox_keep_theirs(struct outbox *ob, int64_t seq, int64_t theirs_version, hl_time now,
                       struct err *e);
/* Drop a held entry (done, resolution dropped) on the user's word. */
int outbox_drop(struct outbox *ob, int64_t seq, hl_time now, struct err *e);
/* Send a held entry again on top of new_version (-1: keep its If-Match rule), with a
 * new idempotency key. */
int outbox_retry_mine(struct outbox *ob, int64_t seq, int64_t new_version, hl_time now,
                      struct err *e);
/* Keep the server's current ticket (JSON) next to a conflict, for the user to compare. */
int outbox_set_theirs(struct outbox *ob, int64_t seq, const char *json, struct err *e);

/* Entries not yet settled (waiting, sending, conflict, failed): the status bar count. */
size_t outbox_waiting(struct outbox *ob);
/* Entries held for the user (conflict, failed). */
size_t outbox_attention(struct outbox *ob);
/* One entry into out (outbox_entry_fini); HL_ENOENT when unknown. */
int outbox_get(struct outbox *ob, int64_t seq, struct outbox_entry *out, struct err *e);
/* Entries in order; settled ones only when include_done. */
int outbox_list(struct outbox *ob, bool include_done, struct outbox_entries *out,
                struct err *e);
/* The server's id for a local placeholder into buf; false while unknown. */
bool outbox_server_id(struct outbox *ob, const char *local_id, char *buf, size_t sz);
/* Delete settled entries last changed before `before`; returns how many. */
size_t outbox_prune(struct outbox *ob, hl_time before);

/* Release an entry's strings and zero it. */
void outbox_entry_fini(struct outbox_entry *en);
/* Release a list and zero it. */
void outbox_entries_fini(struct outbox_entries *l);
/* Wire-ish names for display and logs ("waiting", "create" ...); static. */
const char *outbox_state_str(enum outbox_state s);
const char *outbox_kind_str(enum outbox_kind k);
