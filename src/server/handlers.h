/* handlers: the request handlers of the API, one file per path family (h_<family>.c). */
#pragma once

#include "request.h"

struct server;
struct stats_cache;

/* GET /api/v1/health: liveness, version, store kind, profile, zone, calendar, time (no auth). */
void h_health_get(struct server *srv, struct request *req, struct reply *rep);
/* GET /api/v1/feed?since=&wait=: the change feed, long-polled (parks until a change). */
void h_feed_get(struct server *srv, struct request *req, struct reply *rep);
/* POST /api/v1/session {"user","password"}: log in (public route; 401, 429 when throttled). */
void h_session_post(struct server *srv, struct request *req, struct reply *rep);
/* GET /api/v1/session: the caller's user {id,name,role,unit} and its token's expires_at. */
void h_session_get(struct server *srv, struct request *req, struct reply *rep);
/* DELETE /api/v1/session: revoke the caller's token (204). */
void h_session_delete(struct server *srv, struct request *req, struct reply *rep);
/* GET /api/v1/kb?q=&kind=&scope=&category=&region=&limit=&cursor=: ranked article search. */
void h_kb_search(struct server *srv, struct request *req, struct reply *rep);
/* GET /api/v1/kb/{id}: one article (404 for agents and units unless published and valid). */
void h_kb_get(struct server *srv, struct request *req, struct reply *rep);
/* POST /api/v1/kb: a new draft article (supervisor, admin; 201). */
void h_kb_create(struct server *srv, struct request *req, struct reply *rep);
/* PATCH /api/v1/kb/{id}: edit an article (supervisor, admin; If-Match required). */
void h_kb_patch(struct server *srv, struct request *req, struct reply *rep);
/* POST /api/v1/kb/{id}/publish {"status"}: draft -> review -> published (supervisor, admin). */
void h_kb_publish(struct server *srv, struct request *req, struct reply *rep);
/* GET /api/v1/meta: enums, category tree, units, rules, calendar; ETag over the content. */
void h_meta_get(struct server *srv, struct request *req, struct reply *rep);
/* The content category tree of the data directory as [{code,label,label_en,children}];
 * NULL with e filled when the file cannot be read. Caller owns (cJSON_Delete). */
cJSON *h_meta_categories(const struct server *srv, struct err *e);
/* GET /api/v1/stats?from=&to=&group=: KPIs, targets, pass/fail, monthly score (supervisor, admin). */
void h_stats_get(struct server *srv, struct request *req, struct reply *rep);
/* The decoded tickets /stats counts from, kept up to date from the change feed (one per
 * server, for the SQLite store; without one /stats scans the store). */
struct stats_cache *h_stats_cache_new(void);
/* Free a cache made by h_stats_cache_new and NULL the pointer (NULL is fine). */
void h_stats_cache_free(struct stats_cache **c);
/* POST /api/v1/calls: one call event from the phone system (admin; 204), or an agent's own
 * (agent == the caller's id, else 403; no screen pop). */
void h_calls_event(struct server *srv, struct request *req, struct reply *rep);
/* POST /api/v1/calls/import: call records as NDJSON or a JSON array (admin). */
void h_calls_import(struct server *srv, struct request *req, struct reply *rep);
/* POST /api/v1/tickets: intake (Idempotency-Key honoured). */
void h_tickets_create(struct server *srv, struct request *req, struct reply *rep);
/* GET /api/v1/tickets: the filtered, cursor-paginated list. */
void h_tickets_list(struct server *srv, struct request *req, struct reply *rep);
/* GET /api/v1/tickets/{id}: one ticket with its ETag (304 on If-None-Match). */
void h_tickets_get(struct server *srv, struct request *req, struct reply *rep);
/* PATCH /api/v1/tickets/{id}: edit the matter before dispatch (If-Match required). */
void h_tickets_patch(struct server *srv, struct request *req, struct reply *rep);
/* POST /api/v1/tickets/{id}/{action}: one of the 14 workflow actions. */
void h_actions_post(struct server *srv, struct request *req, struct reply *rep);
/* GET /api/v1/callers/{phone}/tickets: a caller's history. */
void h_callers_tickets(struct server *srv, struct request *req, struct reply *rep);
/* GET /api/v1/callbacks?due_before=&agent=: the callback queue. */
void h_callbacks_list(struct server *srv, struct request *req, struct reply *rep);
/* GET /api/v1/audit?ticket=: who read or changed what (supervisors, admins). */
void h_audit_list(struct server *srv, struct request *req, struct reply *rep);
