/* api: typed calls to hotlined over net; the JSON is decoded into model structs here and only here. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hotline/codec.h"
#include "hotline/datetime.h"
#include "hotline/err.h"
#include "hotline/model.h"
#include "hotline/tz.h"
#include "timers.h"

/*
 * Every call starts a request through net and returns its id (0 with e filled when it
 * cannot start); its callback gets a struct api_result exactly once, also when the
 * call is cancelled (api_cancel, api_free). The result and everything in it is freed
 * after the callback returns; a callback may keep a payload by taking the pointer
 * and setting the member to NULL (e.g. `t = r->ticket; r->ticket = NULL;`).
 *
 * Connection state: ONLINE until a request gets no answer; then RECONNECTING with a
 * probe (GET /health) after 1, 2, 4, ... up to 30 s with ±20% jitter; after
 * offline_after_ms without an answer the state reads OFFLINE (since the first
 * failure) while the probes go on at the longest interval. Any answer brings it back
 * ONLINE, restarts the feed and the outbox. Each change is an API_EV_CONN event.
 *
 * A 401 on a call made with the token raises API_EV_SESSION_EXPIRED once (the UI
 * brings back the login over whatever form is open); api_set_token clears it.
 *
 * With a cache attached (api_set_cache) every ticket, article, /meta document and feed
 * position that arrives is stored there before the callback runs. With an outbox
 * attached (api_set_outbox) the api replays it whenever it is online with a session.
 */

/* Default timeout of a call, ms. */
#define API_TIMEOUT_MS 10000
/* Default long-poll wait of the feed, s. */
#define API_FEED_WAIT_S 25
/* Backoff of reconnection probes, ms. */
#define API_BACKOFF_BASE_MS 1000
#define API_BACKOFF_MAX_MS 30000
/* How long without an answer before "reconnecting" reads "offline", ms. */
#define API_OFFLINE_AFTER_MS 30000

struct net;
struct cache;
struct outbox;
struct api;

/* Connection state. */
enum api_conn { API_ONLINE, API_RECONNECTING, API_OFFLINE };

/* What the status bar shows. */
struct api_conn_state {
    enum api_conn state;
    hl_time since;            /* wall clock: online since / unreachable since (first failure) */
    int64_t next_try_ms;      /* monotonic (net_now_ms) time of the next probe, 0 when online */
    hl_time next_try_at;      /* the same on the wall clock, for display */
    int attempt;              /* failed probes in a row */
    char error[256];          /* the last transport error, "" when online */
};

/* One change of the feed. Strings owned by the event; NULL when absent. */
struct api_feed_event {
    int64_t seq;
    char *type;               /* ticket.created, ticket.updated, call.answer, kb.published */
    char *ticket_id;
    hl_time at;
    char *action;             /* ticket.updated: edit, an action name, reflag */
    char *unit;               /* units concerned, comma-separated */
    char *agent;              /* call.answer: the agent */
    char *phone;              /* call.answer: the caller's number (screen pop) */
};

/* What happened, for the UI. Everything is borrowed for the call. */
enum api_event_kind {
    API_EV_CONN,              /* the connection state changed: conn */
    API_EV_SESSION_EXPIRED,   /* a 401: bring back the login */
    API_EV_FEED,              /* feed events arrived: events, n_events, feed_seq */
    API_EV_OUTBOX,            /* an outbox entry got an answer: outbox_* */
};

struct api_event {
    enum api_event_kind kind;
    const struct api_conn_state *conn;
    const struct api_feed_event *events;
    size_t n_events;
    int64_t feed_seq;         /* the feed's position after these events */
    bool feed_reset;          /* the server's feed went backwards (a new store): reload */
    int64_t outbox_seq;
    int outbox_state;         /* enum outbox_state */
    const char *ticket_id;    /* the ticket concerned (create: the server's new id) */
    const char *local_id;     /* create: the placeholder it replaces, else NULL */
};

typedef void (*api_event_fn)(const struct api_event *ev, void *arg);

/* A page of tickets. items are embedded (api_page_fini). */
struct api_page {
    struct ticket *items;
    size_t n;
    char *next_cursor;        /* NULL on the last page */
    int64_t total;            /* -1 unless asked for */
};

/* A page of articles (search results carry snippet). */
struct api_kb_page {
    struct article *items;
    size_t n;
    char *next_cursor;
};

/* A new session. */
struct api_session {
    char *token;
    struct user user;
    hl_time expires_at;
};

/* A code with its Chinese label. */
struct api_label {
    char *code;
    char *label;
};

/* One node of the category tree, flattened in pre-order. */
struct api_category {
    char *code;
    char *label;
    char *label_en;           /* may be NULL */
    int depth;                /* 0 for a root */
    long parent;              /* index of the parent in the array, -1 for a root */
};

/* A responsible unit. */
struct api_unit {
    char *code;
    char *name;
};

/* The reference data of GET /meta (api_meta_free). */
struct api_meta {
    char *version;
    char *profile;
    char *tz;
    struct api_label *natures;
    size_t n_natures;
    struct api_label *statuses;
    size_t n_statuses;
    struct api_label *kb_kinds;
    size_t n_kb_kinds;
    struct strlist channels, urgencies, flags, actions;
    struct api_category *categories;
    size_t n_categories;
    struct api_unit *units;
    size_t n_units;
    char *rules_json;         /* the effective rules object as text (for rules_parse) */
    char *calendar_version;
    int *years;
    size_t n_years;
};

/* GET /health. */
struct api_health {
    char *status, *version, *store, *profile, *tz, *calendar;
    hl_time time;
};

/* One KPI of a stats group. */
struct api_kpi {
    char *id, *name_zh, *name_en, *unit, *status, *reason, *note;
    bool has_value;
    double value;
    bool has_target;
    char *target_op;
    double target_value;
    int pass;                 /* 1 pass, 0 fail, -1 unknown */
    bool has_points;
    double points;
    double max_points;        /* 0 when not scored */
};

/* One group of GET /stats (or the total). */
struct api_stats_group {
    char *key;                /* NULL for the total */
    char *label;
    struct api_kpi *kpis;
    size_t n_kpis;
    double score_total;
    double score_max;
    bool score_complete;
    bool ranked_last;
};

/* GET /stats (api_stats_free). */
struct api_stats {
    hl_time from, to;
    char *profile;
    char *group;
    struct api_stats_group total;
    struct api_stats_group *groups;
    size_t n_groups;
};

/* The outcome of a call. */
struct api_result {
    uint64_t id;
    int code;                 /* HL_OK, else what went wrong (err has the sentence) */
    struct err err;           /* the server's message, or the transport's */
    long status;              /* HTTP status, 0 when no answer came */
    bool cancelled;
    bool offline;             /* no answer: a write may go to the outbox instead */
    char error_code[64];      /* the server's error.code ("version_mismatch"), "" */
    char rule[64];            /* error.rule ("12345:urge"), "" */
    hl_time possible_from;    /* error.possible_from, 0 when none */
    struct ticket *current;   /* 412: the ticket as it is now */
    char etag[64];
    long retry_after;         /* seconds, -1 when none */
    /* payloads, by call */
    struct ticket *ticket;    /* ticket get/create/patch/action */
    struct api_page page;     /* ticket lists, caller history, callbacks */
    struct article *article;  /* kb get */
    struct api_kb_page kb;    /* kb search */
    struct api_session session;
    struct api_meta *meta;
    struct api_health health;
    struct api_stats *stats;
};

typedef void (*api_done_fn)(struct api_result *r, void *arg);

/* Options of api_new; zero members take the defaults. */
struct api_opts {
    const char *base_url;     /* "http://host:port"; "/api/v1" is added unless present */
    long timeout_ms;          /* API_TIMEOUT_MS */
    int feed_wait_s;          /* API_FEED_WAIT_S */
    int backoff_base_ms;      /* API_BACKOFF_BASE_MS */
    int backoff_max_ms;       /* API_BACKOFF_MAX_MS */
    int offline_after_ms;     /* API_OFFLINE_AFTER_MS */
    const struct tz *tz;      /* zone for times sent (borrowed); NULL: UTC */
};

/* Filters of GET /tickets (strings borrowed; NULL/0 = unset). */
struct api_ticket_query {
    const char *status;       /* a status or a comma-separated list */
    const char *unit;
    const char *caller_phone;
    const char *flag;
    const char *q;
    hl_time updated_since;
    int limit;
    const char *cursor;
    bool count;
    const char *nature;       /* a nature code */
    const char *category;     /* a code, or a prefix ending in '.' */
    const char *created_by;
    bool mine;                /* only tickets the signed-in user took */
    hl_time due_before;       /* open tickets due before this instant */
    const char *order;        /* "created" (default), "updated", "due", "callback_due" */
    hl_time created_from;     /* accepted at or after this instant */
    hl_time created_to;       /* accepted before this instant */
};

/* Filters of GET /kb. */
struct api_kb_query {
    const char *q;
    const char *kind;
    const char *scope;
    const char *category;
    int limit;
    const char *cursor;
};

/* A new api over net (borrowed, must outlive it) using timers (borrowed; deadlines in
 * net_now_ms time, e.g. loop_timers()). on_event may be NULL. NULL + e on a bad URL. */
struct api *api_new(struct net *net, struct timers *timers, const struct api_opts *opts,
                    api_event_fn on_event, void *arg, struct err *e);
/* Cancel every call (callbacks run now with cancelled=true), stop timers, free;
 * NULLs *api, accepts NULL. */
void api_free(struct api **api);
/* Use token for the calls that need one (copied; NULL forgets it); clears a session
 * expiry and (re)starts the feed and the outbox. */
void api_set_token(struct api *api, const char *token);
/* The token in use, or NULL; borrowed until the next api_set_token. */
const char *api_token(const struct api *api);
/* Attach a cache (borrowed; NULL detaches). */
void api_set_cache(struct api *api, struct cache *cache);
/* Attach an outbox to replay (borrowed; NULL detaches). */
void api_set_outbox(struct api *api, struct outbox *ob);
/* The connection state; borrowed, valid while api lives. */
const struct api_conn_state *api_conn(const struct api *api);
/* Cancel a call: its callback runs soon with cancelled=true. */
bool api_cancel(struct api *api, uint64_t id);
/* Release a result's payloads (done after every callback; for results you copy). */
void api_result_fini(struct api_result *r);

/* POST /session; on success the token is used from then on. */
uint64_t api_login(struct api *api, const char *user, const char *password, api_done_fn done,
                   void *arg, struct err *e);
/* DELETE /session; the token is forgotten whatever the answer. */
uint64_t api_logout(struct api *api, api_done_fn done, void *arg, struct err *e);
/* GET /session: who the token in use belongs to -> r->session (user and expires_at;
 * token NULL). */
uint64_t api_whoami(struct api *api, api_done_fn done, void *arg, struct err *e);
/* POST /calls: one event of a call the signed-in agent took (ev->agent its own id). 204,
 * no payload. */
uint64_t api_call_event(struct api *api, const struct call_event *ev, api_done_fn done,
                        void *arg, struct err *e);
/* GET /health (also the reconnection probe). */
uint64_t api_health(struct api *api, api_done_fn done, void *arg, struct err *e);
/* GET /meta -> r->meta. */
uint64_t api_meta(struct api *api, api_done_fn done, void *arg, struct err *e);
/* Decode a /meta document (e.g. from the cache) into *out (api_meta_free). */
int api_meta_parse(const char *json, size_t len, struct api_meta **out, struct err *e);
/* Free a meta; NULLs, accepts NULL. */
void api_meta_free(struct api_meta **m);

/* GET /tickets/{id} -> r->ticket, r->etag. */
uint64_t api_ticket_get(struct api *api, const char *id, api_done_fn done, void *arg,
                        struct err *e);
/* GET /tickets?... -> r->page. */
uint64_t api_ticket_list(struct api *api, const struct api_ticket_query *q, api_done_fn done,
                         void *arg, struct err *e);
/* POST /tickets with the matter of t and Idempotency-Key idem_key (NULL: a new
 * UUIDv4) -> r->ticket (201 new, 200 a replay of the key). */
uint64_t api_ticket_create(struct api *api, const struct ticket *t, const char *idem_key,
                           api_done_fn done, void *arg, struct err *e);
/* PATCH /tickets/{t->id} with If-Match "<version>" and the matter fields named in
 * fields (NULL: all matter fields) taken from t -> r->ticket; 412 -> r->current. */
uint64_t api_ticket_patch(struct api *api, const struct ticket *t, int64_t version,
                          const struct strlist *fields, api_done_fn done, void *arg,
                          struct err *e);
/* POST /tickets/{id}/{action} with If-Match "<version>" when version >= 0 -> r->ticket. */
uint64_t api_ticket_action(struct api *api, const char *id, int64_t version,
                           const struct action_body *b, api_done_fn done, void *arg,
                           struct err *e);
/* GET /callers/{phone}/tickets -> r->page. */
uint64_t api_caller_tickets(struct api *api, const char *phone, int limit, const char *cursor,
                            api_done_fn done, void *arg, struct err *e);
/* GET /kb?... -> r->kb. */
uint64_t api_kb_search(struct api *api, const struct api_kb_query *q, api_done_fn done,
                       void *arg, struct err *e);
/* GET /kb/{id} -> r->article. */
uint64_t api_kb_get(struct api *api, const char *id, api_done_fn done, void *arg,
                    struct err *e);
/* GET /callbacks?due_before=&agent= (0/NULL: unset) -> r->page. */
uint64_t api_callbacks(struct api *api, hl_time due_before, const char *agent,
                       api_done_fn done, void *arg, struct err *e);
/* GET /stats?from=&to=&group= (group NULL: none) -> r->stats. */
uint64_t api_stats(struct api *api, hl_time from, hl_time to, const char *group,
                   api_done_fn done, void *arg, struct err *e);
/* Free stats; NULLs, accepts NULL. */
void api_stats_free(struct api_stats **s);

/* Follow the change feed from since (-1: from now), re-armed after every answer;
 * events come as API_EV_FEED. Runs while online with a session. */
void api_feed_start(struct api *api, int64_t since);
/* Stop following the feed. */
void api_feed_stop(struct api *api);
/* The feed position (the last seq seen), -1 when none. */
int64_t api_feed_seq(const struct api *api);

/* Queue a create in the outbox (durable at once) and replay when possible, sent with
 * Idempotency-Key idem_key (NULL: a new UUIDv4; give the key of an online attempt whose
 * answer was lost, so the server does not make the ticket twice); local_id (size >= 32)
 * gets the placeholder to show. */
int api_queue_create(struct api *api, const struct ticket *t, const char *idem_key,
                     char *local_id, size_t local_sz, int64_t *seq, struct err *e);
/* Queue a PATCH of the fields named (NULL: all matter fields) on version. */
int api_queue_patch(struct api *api, const struct ticket *t, int64_t version,
                    const struct strlist *fields, int64_t *seq, struct err *e);
/* Queue an action on ticket id (a server id or a placeholder) seen at version. */
int api_queue_action(struct api *api, const char *id, int64_t version,
                     const struct action_body *b, int64_t *seq, struct err *e);
/* Try to replay the outbox now (after the user settled a held entry, say). */
void api_outbox_kick(struct api *api);
