/* cache: the console's local SQLite cache of tickets, callers, articles, /meta and the feed position. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hotline/datetime.h"
#include "hotline/err.h"
#include "hotline/model.h"

/*
 * The file is a cache: losing it costs a refetch, nothing else (the outbox lives
 * elsewhere). So it runs with WAL and synchronous=NORMAL, and a file that cannot be
 * read (not a database, corrupt, another schema version) is renamed aside as
 * "<path>.broken-<UTC time>" and rebuilt empty; cache_notice() then says so.
 *
 * Tickets are kept as their JSON document plus indexed columns (id, version,
 * updated_at, canonical caller phone, status, last use). Beyond max_tickets the least
 * recently used are evicted, except the user's own open tickets (created by the user,
 * or dispatched to the user's unit), which are always kept.
 */

/* Schema version of the file (PRAGMA user_version). */
#define CACHE_SCHEMA_VERSION 1
/* Default number of tickets kept. */
#define CACHE_MAX_TICKETS 10000
/* Default number of articles kept. */
#define CACHE_MAX_ARTICLES 2000
/* Longest document accepted, bytes. */
#define CACHE_DOC_MAX (4u * 1024u * 1024u)

struct cache;

/* Options of cache_open; zero members take the defaults. */
struct cache_opts {
    size_t max_tickets;          /* 0: CACHE_MAX_TICKETS */
    size_t max_articles;         /* 0: CACHE_MAX_ARTICLES */
    const char *default_area;    /* area code for landlines typed without one ("010") */
    const char *user;            /* the signed-in user's id: own tickets are kept */
    const char *unit;            /* the user's unit (role unit), or NULL */
};

/* Decoded tickets (embedded; cache_tickets_fini releases them). */
struct cache_tickets {
    struct ticket *v;
    size_t n;
};

/* $XDG_CACHE_HOME/hotline/cache.db (the directory created, mode 0700). Caller owns;
 * NULL + e when there is no home. */
char *cache_default_path(struct err *e);
/* Open (creating the file and its directories, mode 0700) or rebuild the cache at
 * path. NULL with e filled only when no cache can be had at all (the directory is not
 * writable ...): the console then runs without one. */
struct cache *cache_open(const char *path, const struct cache_opts *opts, struct err *e);
/* Close and free; NULLs the pointer, accepts NULL. */
void cache_free(struct cache **c);
/* A sentence for the UI when the file was set aside and rebuilt, else NULL. Borrowed
 * until cache_free. */
const char *cache_notice(const struct cache *c);
/* Change whose tickets count as own (after login); strings are copied, may be NULL. */
void cache_set_user(struct cache *c, const char *user, const char *unit);

/* Store (or replace) a ticket. doc is its JSON document as the server sent it (NULL:
 * encode t); t gives the indexed columns. An older version never replaces a newer one.
 * Counts as a use; may evict. Returns HL_OK or an error. */
int cache_put_ticket(struct cache *c, const struct ticket *t, const char *doc, struct err *e);
/* Group the ticket puts that follow (a page of a list) into one transaction, with one
 * eviction at its end, until the matching cache_batch_end. Nests; accepts NULL. Each put
 * stays whole on its own (a savepoint). */
void cache_batch_begin(struct cache *c);
/* End a group begun by cache_batch_begin: evict, then commit. Accepts NULL. */
void cache_batch_end(struct cache *c);
/* The cached ticket id into *out (ticket_free); HL_ENOENT when not cached. Counts as a
 * use. */
int cache_get_ticket(struct cache *c, const char *id, struct ticket **out, struct err *e);
/* Version of a cached ticket, or -1. */
int64_t cache_ticket_version(struct cache *c, const char *id);
/* Forget a ticket (the server said 404). */
int cache_remove_ticket(struct cache *c, const char *id, struct err *e);
/* Tickets of a caller, however the number is typed (phone_normalize with the default
 * area), newest update first, at most limit. An invalid number gives an empty list. */
int cache_caller_tickets(struct cache *c, const char *phone, size_t limit,
                         struct cache_tickets *out, struct err *e);
/* Most recently used tickets first, at most limit. */
int cache_recent_tickets(struct cache *c, size_t limit, struct cache_tickets *out,
                         struct err *e);
/* The user's own open tickets, newest update first, at most limit. */
int cache_own_open_tickets(struct cache *c, size_t limit, struct cache_tickets *out,
                           struct err *e);
/* Number of cached tickets. */
size_t cache_ticket_count(struct cache *c);
/* Release a list and zero it. */
void cache_tickets_fini(struct cache_tickets *l);

/* Store an article read (doc as sent, NULL: encode a). Counts as a use; may evict. */
int cache_put_article(struct cache *c, const struct article *a, const char *doc,
                      struct err *e);
/* A cached article into *out (article_free); HL_ENOENT when not cached. */
int cache_get_article(struct cache *c, const char *id, struct article **out, struct err *e);

/* Keep the /meta document (JSON text as sent). */
int cache_put_meta(struct cache *c, const char *json, struct err *e);
/* The /meta document last kept; owned (free), NULL when none. */
char *cache_get_meta(struct cache *c);

/* Remember the last feed sequence number seen. */
int cache_set_feed_seq(struct cache *c, int64_t seq, struct err *e);
/* The last feed sequence number seen, -1 when none. */
int64_t cache_get_feed_seq(struct cache *c);
