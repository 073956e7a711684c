/* codec: the JSON wire format of DESIGN §3 and §5; client and server both use it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "hotline/datetime.h"
#include "hotline/err.h"
#include "hotline/model.h"
#include "hotline/tz.h"

/*
 * Conventions of the wire format.
 *
 * Encoding (x_to_json returns a cJSON tree the caller frees with cJSON_Delete;
 * x_encode returns an owned compact string the caller frees with free()):
 * - every field of a shape is always written; an absent value (NULL string, unset
 *   time 0, complaint_level 0, an enum's NONE member, an open-ended valid_to) is
 *   written as null, never omitted; arrays are always present, possibly empty;
 * - instants are RFC 3339 at the zone's offset at that instant ("+08:00"), or UTC
 *   ("Z") when the zone is NULL; article validity dates are "YYYY-MM-DD";
 * - flags are an array of names ("near_due", ...), in bit order.
 *
 * Decoding (never crashes, never leaks, reports the FIRST error):
 * - on failure e gets HL_EINVAL, e->field the JSON path of the culprit
 *   ("caller.phone", "units[1].role", "" for the whole body) and e->msg a sentence
 *   that starts with that path ("caller.phone: expected a string");
 * - object keys are case-sensitive; a key given twice is an error;
 * - request bodies (create, patch, actions, article input, call events) reject
 *   unknown fields; whole objects as the server sends them (ticket, article, user)
 *   ignore unknown fields so an older console can read a newer server;
 * - null is accepted for every optional field and means "absent" (in a patch:
 *   "clear it"); a required field that is null is missing;
 * - text is checked for valid UTF-8 and for its length in characters (MODEL_MAX_*);
 *   one-line fields (names, codes, titles, addresses) reject control characters
 *   and line breaks, multi-line text (descriptions, notes) allows tab and newlines;
 * - integers must be whole numbers inside their range (1e400 is not one).
 */

/* Deepest nesting codec_parse accepts (the top-level value is depth 1). */
#define CODEC_MAX_DEPTH   32
/* Most entries in one history array of a ticket (events, urges, callbacks, ...). */
#define CODEC_MAX_HISTORY 1000

/* Parse len bytes of untrusted JSON. Before cJSON sees them it rejects an empty
 * buffer, NUL bytes, invalid UTF-8, raw control characters, numbers outside the
 * RFC 8259 grammar ("01", "1.") and nesting deeper than CODEC_MAX_DEPTH; after
 * parsing it rejects trailing data, duplicate keys in any object and "\u0000" in
 * any string. Returns a tree (cJSON_Delete) or NULL with e filled. The caller caps
 * len (the server answers 413 above its limit). */
cJSON *codec_parse(const char *buf, size_t len, struct err *e);
/* Check a data file (calendar, rules, KPI definitions) as strictly as codec_parse
 * checks a request: valid UTF-8, no NUL, no duplicate keys, no "\u0000". Returns HL_OK,
 * or HL_EINVAL with e->msg starting "name: ". */
int codec_check_strict(const char *buf, size_t len, const char *name, struct err *e);
/* Compact text of a tree. Caller frees with free(). */
char *codec_print(const cJSON *json);

/* ---- tickets ---- */

/* A whole ticket as GET /tickets/{id} shows it. Caller owns (cJSON_Delete). */
cJSON *codec_ticket_to_json(const struct ticket *t, const struct tz *tz);
/* The same as compact text. Caller frees with free(). */
char *codec_ticket_encode(const struct ticket *t, const struct tz *tz);
/* A whole ticket as the server sends it; requires id, channel, nature and status;
 * unknown fields and unknown flag names are ignored. NULL + e on error. */
struct ticket *codec_ticket_decode(const cJSON *json, struct err *e);
/* The matter of a ticket, the body of POST /tickets and PATCH /tickets/{id}:
 * channel, caller, nature, category, title, description, location, occurred_at,
 * urgency, complaint_level, requested_due. Caller owns (cJSON_Delete). */
cJSON *codec_ticket_matter_to_json(const struct ticket *t, const struct tz *tz);
/* Decode the body of POST /tickets into a new ticket (the server then sets id,
 * status, deadlines ...). Accepts only the matter fields. Required: channel,
 * nature, description (not blank), and caller.phone when channel is phone or sms.
 * title is optional. caller.phone must be a valid number (phone_normalize without
 * a default area). complaint_level is 1..3 and only for nature complaint; urgency
 * defaults to normal. NULL + e on error. */
struct ticket *codec_ticket_create_decode(const cJSON *json, struct err *e);
/* Apply the body of PATCH /tickets/{id} onto t: the matter fields, all optional,
 * at least one present; null clears an optional field; the caller object is merged
 * member by member. The result must satisfy the create rules; changing nature
 * away from complaint clears complaint_level. All or nothing: on error t is
 * unchanged. fields (may be NULL) gets the names of the fields present.
 * Returns HL_OK or HL_EINVAL with e filled. */
int codec_ticket_patch_apply(const cJSON *json, struct ticket *t, struct strlist *fields,
                             struct err *e);

/* ---- workflow actions: POST /tickets/{id}/{action} ---- */

enum action {
    ACTION_RESOLVE_DIRECT, ACTION_DISPATCH, ACTION_ACCEPT, ACTION_RETURN, ACTION_REPLY,
    ACTION_REQUEST_EXTENSION, ACTION_DECIDE_EXTENSION, ACTION_URGE, ACTION_SUPERVISE,
    ACTION_SCHEDULE_CALLBACK, ACTION_CALLBACK, ACTION_CLOSE, ACTION_REOPEN, ACTION_ARCHIVE,
    ACTION_COUNT
};

/* Wire name of an action ("resolve_direct"); borrowed static, "?" when out of range. */
const char *action_str(enum action a);
/* Action of a wire name; false when unknown. */
bool action_parse(const char *s, enum action *out);

/* One unit of a dispatch. */
struct action_unit {
    char *unit;
    enum assign_role role;
};

/* The body of one action. Which members are used depends on action; the others
 * stay zero. Strings are owned; release with codec_action_fini. */
struct action_body {
    enum action action;
    char *answer;                 /* resolve_direct: required, not blank */
    struct strlist kb_refs;       /* resolve_direct: article ids, no duplicates */
    struct action_unit *units;    /* dispatch: 1..MODEL_MAX_ITEMS, exactly one lead, */
    size_t n_units;               /*   no unit twice */
    char *reason;                 /* return, reopen: required; request_extension: required */
    char *reply;                  /* reply: required, not blank */
    int days;                     /* request_extension: required, 1..365 */
    bool approve;                 /* decide_extension: required */
    char *note;                   /* dispatch, decide_extension, urge, supervise,
                                   * callback, close: optional */
    hl_time at;                   /* schedule_callback: required */
    enum cb_outcome outcome;      /* callback: required */
    enum satisfaction satisfaction; /* callback: required iff outcome is reached */
};

/* Decode the body of action a into out (zeroed first). json NULL is an empty body
 * (fine for accept and archive, a missing field for the others). Unknown fields
 * are rejected. The 7-day extension rule and the like are the rules module's job.
 * Returns HL_OK or HL_EINVAL with e filled; out is released on error. */
int codec_action_decode(enum action a, const cJSON *json, struct action_body *out,
                        struct err *e);
/* The body of an action as the console sends it. Caller owns (cJSON_Delete). */
cJSON *codec_action_to_json(const struct action_body *b, const struct tz *tz);
/* Release what an action body owns and zero it. */
void codec_action_fini(struct action_body *b);

/* ---- knowledge-base articles ---- */

/* An article as GET /kb/{id} shows it (kind as its English wire name). Caller owns. */
cJSON *codec_article_to_json(const struct article *a, const struct tz *tz);
/* The same as compact text. Caller frees with free(). */
char *codec_article_encode(const struct article *a, const struct tz *tz);
/* A whole article as the server sends it; requires id, title and kind; ignores
 * unknown fields. NULL + e on error. */
struct article *codec_article_decode(const cJSON *json, struct err *e);
/* An article given by a person: the body of POST /kb and one entry of the import
 * format (data/kb/articles.json). Fields: id (optional), title, kind (English or
 * Chinese), scope, region, category, tags, body, valid_from, valid_to ("YYYY-MM-DD",
 * valid_to optional and not before valid_from). Required: title, kind, scope, body.
 * Status is draft. Unknown fields are rejected. NULL + e on error. */
struct article *codec_article_input_decode(const cJSON *json, struct err *e);
/* Decode an import file: a JSON array of article inputs; ids must be unique.
 * Returns an array of *n embedded articles (article_fini each, then free), or NULL
 * + e with paths like "[3].kind". An empty array gives a non-NULL array and n 0. */
struct article *codec_article_list_decode(const cJSON *json, size_t *n, struct err *e);
/* Apply the body of PATCH /kb/{id} onto a (fields of the input format except id,
 * at least one). All or nothing. Returns HL_OK or HL_EINVAL with e filled. */
int codec_article_patch_apply(const cJSON *json, struct article *a, struct err *e);

/* ---- users ---- */

/* {"id","name","role","unit"}. Caller owns. */
cJSON *codec_user_to_json(const struct user *u);
/* A user as the server sends it (ignores unknown fields); unit is required for
 * role unit. Returns HL_OK or HL_EINVAL; out is zeroed first and released on error. */
int codec_user_decode(const cJSON *json, struct user *out, struct err *e);

/* ---- phone system ---- */

/* {"call_id","type","caller","queue","agent","at"}. Caller owns. */
cJSON *codec_call_event_to_json(const struct call_event *c, const struct tz *tz);
/* A call event (POST /calls): call_id, type and at required, agent required for
 * answer; caller is kept as sent (may be "anonymous"). Unknown fields rejected.
 * Returns HL_OK or HL_EINVAL; out is zeroed first and released on error. */
int codec_call_event_decode(const cJSON *json, struct call_event *out, struct err *e);
/* {"call_id","caller","queue","agent","offered_at","answered_at","ended_at"}. Caller owns. */
cJSON *codec_call_record_to_json(const struct call_record *c, const struct tz *tz);
/* A call record (one line of POST /calls/import): call_id, offered_at and ended_at
 * required; answered_at null when abandoned; times must not run backwards.
 * Returns HL_OK or HL_EINVAL; out is zeroed first and released on error. */
int codec_call_record_decode(const cJSON *json, struct call_record *out, struct err *e);

/* ---- errors ---- */

/* Wire code of a status: "ok", "invalid", "not_found", "out_of_range", "io", "rule",
 * "conflict"; borrowed static. */
const char *codec_status_str(int code);
/* Status of a wire code; HL_EINVAL for an unknown code. */
int codec_status_parse(const char *s);
/* {"error":{"code","message","field"}} with field null when empty. Caller owns. */
cJSON *codec_error_to_json(const char *code, const char *message, const char *field);
/* The error body of an err (code from codec_status_str). Caller owns. */
cJSON *codec_err_to_json(const struct err *e);
/* The same as compact text. Caller frees with free(). */
char *codec_err_encode(const struct err *e);
/* Read an error body into out (code via codec_status_parse, message and field cut
 * to fit). Returns out->code, or HL_EINVAL with a message when json is not an
 * error body. */
int codec_error_decode(const cJSON *json, struct err *out);
