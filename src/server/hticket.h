/* hticket: what the ticket handlers share: ids, roles, unit visibility, masking, errors. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "hotline/err.h"
#include "hotline/model.h"
#include "hotline/rules.h"
#include "request.h"
#include "store.h"

struct server;

/* Role bits for hticket_require_role. */
#define HTICKET_AGENT      (1u << USER_AGENT)
#define HTICKET_UNIT       (1u << USER_UNIT)
#define HTICKET_SUPERVISOR (1u << USER_SUPERVISOR)
#define HTICKET_ADMIN      (1u << USER_ADMIN)
#define HTICKET_CENTRE     (HTICKET_AGENT | HTICKET_SUPERVISOR | HTICKET_ADMIN)
#define HTICKET_ANYONE     (HTICKET_CENTRE | HTICKET_UNIT)

/* Most bytes of an Idempotency-Key. */
#define HTICKET_IDEM_KEY_MAX 200

/* True when id has the shape of a ticket id: "HL" + 8 digits + "-" + 6 digits. */
bool hticket_id_valid(const char *id);
/* The {id} path parameter when it is a valid ticket id; else NULL with rep filled
 * (404 not_found: an id that cannot exist is a ticket that does not exist). */
const char *hticket_path_id(const struct request *req, struct reply *rep);
/* True when the user's role is in mask (HTICKET_* bits); else false with rep filled
 * (403 forbidden_role). */
bool hticket_require_role(const struct request *req, struct reply *rep, unsigned mask);
/* The rule actor of the signed-in user (strings borrowed from req). */
void hticket_actor(const struct request *req, struct rule_actor *who);
/* True when the signed-in user may see t: everyone but unit users; a unit user only
 * when t holds an assignment of its unit. */
bool hticket_visible(const struct request *req, const struct ticket *t);
/* True when t's caller must be masked for the signed-in user (confidential, unit user). */
bool hticket_masked(const struct request *req, const struct ticket *t);
/* The ticket as the signed-in user may see it (masked when needed). Caller owns. */
cJSON *hticket_to_json(struct server *srv, const struct request *req, struct ticket *t);
/* True when a stored ticket document surely has no confidential caller (it may be served
 * as it is); false when unsure. */
bool hticket_doc_plain(const char *doc);
/* Decode a stored ticket document (id: its ticket, NULL when unknown); NULL + a 500 in rep
 * when it does not decode. Owned by the caller (ticket_free). */
struct ticket *hticket_doc_decode(struct server *srv, const char *id, const char *doc,
                                  struct reply *rep);
/* Answer status with the ticket (masked when needed) and its ETag. */
void hticket_reply(struct server *srv, const struct request *req, struct reply *rep, int status,
                   struct ticket *t);
/* Answer an error of the store or of a workflow function: 404 not_found, 400, 409/422
 * conflicts, 500 io; HL_ERULE as a rule refusal (see hticket_reply_refusal). */
void hticket_reply_err(struct server *srv, struct reply *rep, const struct err *e,
                       const char *ticket_id);
/* Answer a workflow refusal: 403/409/422 by kind, {"error":{"code","message","field",
 * "rule","possible_from"}} with field = code. */
void hticket_reply_refusal(struct server *srv, struct reply *rep, enum verdict_kind kind,
                           const char *code, const char *message, const char *rule,
                           hl_time possible_from);
/* Parse an If-Match header: 0 when absent (or "*"), 1 with *version set, -1 when
 * malformed (rep filled: 400 invalid_header). */
int hticket_if_match(const struct request *req, struct reply *rep, int64_t *version);
/* Answer 412 version_mismatch with the current ticket (masked as needed) as "current";
 * a unit user that may not see it gets 404. */
void hticket_reply_stale(struct server *srv, const struct request *req, struct reply *rep,
                         const char *id, const struct err *e);
/* Write the audit row of a read (what = "read_confidential") in a transaction of its
 * own; a failure is logged, never answered. */
void hticket_audit(struct server *srv, const struct request *req, const char *ticket_id,
                   const char *what);
/* Append the audit row of a change by the signed-in user (what = "created", "edit", an
 * action name) inside the change's transaction (call it from a write_tx body or a mutate
 * callback): its failure fails the change, so an acknowledged change has its row. */
int hticket_audit_tx(struct server *srv, const struct request *req, const char *ticket_id,
                     const char *what, struct err *e);
/* store ticket_update of id plus its audit row (what) in one transaction and one
 * commit; arguments and result as ticket_update. */
int hticket_update(struct server *srv, const struct request *req, const char *id,
                   int64_t if_match, const char *action, store_mutate_fn fn, void *arg,
                   const char *what, struct ticket **out, int64_t *seq, struct err *e);
/* True when every query parameter of req is one of names (n of them) and none is given
 * twice; else false with rep filled (400 invalid_parameter naming it). */
bool hticket_known_params(const struct request *req, struct reply *rep,
                          const char *const *names, size_t n);
/* Parse limit=, cursor= and count= into q; false with rep filled (400) when malformed. */
bool hticket_page_params(const struct request *req, struct reply *rep, struct ticket_query *q);
/* Parse an RFC 3339 query parameter; true and *out set (0 when absent), false with rep
 * filled (400 invalid_parameter). */
bool hticket_time_param(const struct request *req, struct reply *rep, const char *name,
                        hl_time *out);
/* Run a ticket list for the signed-in user and answer {"items","next_cursor"[,"total"]}.
 * Unit users are forced to their unit; confidential callers are masked for them and
 * never matched by caller_phone or by q through a masked field. */
void hticket_list_reply(struct server *srv, const struct request *req, struct reply *rep,
                        struct ticket_query *q);
