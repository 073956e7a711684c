/* model: the ticket, its histories and the knowledge-base article, with every enum of DESIGN §3. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hotline/datetime.h"

/* Limits checked by the decoder, in characters (code points). */
#define MODEL_MAX_SHORT   100    /* names, ids, codes, phone, org */
#define MODEL_MAX_TITLE   200
#define MODEL_MAX_ADDRESS 300
#define MODEL_MAX_TEXT    8000   /* description, answer, reply, notes, article body */
#define MODEL_MAX_ITEMS   50     /* entries in one array (units, kb_refs, tags) */

/* Every enum below maps to and from its wire string with <enum>_str / <enum>_parse.
 * *_str returns a borrowed static string; *_parse returns false on an unknown string. */

enum channel { CHANNEL_PHONE, CHANNEL_SMS, CHANNEL_WEB, CHANNEL_IM, CHANNEL_EMAIL,
               CHANNEL_LETTER, CHANNEL_WALK_IN, CHANNEL_COUNT };
enum salutation { SALUTATION_NONE, SALUTATION_MR, SALUTATION_MS, SALUTATION_COUNT };  /* "", 先生, 女士 */
enum nature { NATURE_CONSULT, NATURE_HELP, NATURE_COMPLAINT, NATURE_REPORT, NATURE_SUGGESTION,
              NATURE_PRAISE, NATURE_ALARM, NATURE_REPAIR, NATURE_SERVICE, NATURE_COUNT };
enum urgency { URGENCY_NORMAL, URGENCY_URGENT, URGENCY_EMERGENCY, URGENCY_COUNT };
enum status { STATUS_ACCEPTED, STATUS_DISPATCHED, STATUS_IN_PROGRESS, STATUS_RETURNED,
              STATUS_REPLIED, STATUS_CALLBACK, STATUS_CLOSED, STATUS_ARCHIVED, STATUS_COUNT };
enum resolution { RESOLUTION_NONE, RESOLUTION_DIRECT, RESOLUTION_UNIT, RESOLUTION_UNREACHABLE,
                  RESOLUTION_WITHDRAWN, RESOLUTION_COUNT };   /* NONE is "" / null on the wire */
enum assign_role { ROLE_LEAD, ROLE_ASSIST, ASSIGN_ROLE_COUNT };
enum assign_state { ASSIGN_DISPATCHED, ASSIGN_ACCEPTED, ASSIGN_RETURNED, ASSIGN_REPLIED,
                    ASSIGN_STATE_COUNT };
enum ext_state { EXT_PENDING, EXT_APPROVED, EXT_REJECTED, EXT_STATE_COUNT };
enum cb_outcome { CB_REACHED, CB_NO_ANSWER, CB_BUSY, CB_REFUSED, CB_WRONG_NUMBER, CB_OUTCOME_COUNT };
enum satisfaction { SAT_NONE, SAT_SATISFIED, SAT_BASIC, SAT_DISSATISFIED, SAT_COUNT };
enum user_role { USER_AGENT, USER_UNIT, USER_SUPERVISOR, USER_ADMIN, USER_ROLE_COUNT };
enum kb_kind { KB_KNOWLEDGE, KB_GUIDE, KB_CASE, KB_SPEC, KB_NOTICE, KB_KIND_COUNT };
    /* wire: knowledge, guide, case, spec, notice; parse also accepts
     * 业务知识, 操作指引, 典型案例, 技术规范, 紧急公告 */
enum kb_scope { KB_NATIONAL, KB_LOCAL, KB_SCOPE_COUNT };
enum kb_status { KB_DRAFT, KB_REVIEW, KB_PUBLISHED, KB_STATUS_COUNT };

/* Computed flags (bit set); wire: array of names. */
enum ticket_flag {
    FLAG_NEAR_DUE      = 1 << 0,
    FLAG_OVERDUE       = 1 << 1,
    FLAG_REPEAT_CALLER = 1 << 2,
    FLAG_CLUSTER       = 1 << 3,
    FLAG_EMERGENCY     = 1 << 4,
    FLAG_DISSATISFIED  = 1 << 5,
    FLAG_LATE_DISPATCH = 1 << 6,
    FLAG_SUPERVISED    = 1 << 7,
};
#define FLAG_COUNT 8

const char *channel_str(enum channel v);
bool channel_parse(const char *s, enum channel *out);
const char *salutation_str(enum salutation v);
bool salutation_parse(const char *s, enum salutation *out);
const char *nature_str(enum nature v);
/* Accepts the nine codes plus the aliases "query" (-> consult) and "opinion" (-> suggestion). */
bool nature_parse(const char *s, enum nature *out);
/* Chinese label of a nature (咨询 ...); borrowed static. */
const char *nature_label(enum nature v);
const char *urgency_str(enum urgency v);
bool urgency_parse(const char *s, enum urgency *out);
const char *status_str(enum status v);
bool status_parse(const char *s, enum status *out);
/* Chinese label of a status (已受理 ...); borrowed static. */
const char *status_label(enum status v);
const char *resolution_str(enum resolution v);
bool resolution_parse(const char *s, enum resolution *out);
const char *assign_role_str(enum assign_role v);
bool assign_role_parse(const char *s, enum assign_role *out);
const char *assign_state_str(enum assign_state v);
bool assign_state_parse(const char *s, enum assign_state *out);
const char *ext_state_str(enum ext_state v);
bool ext_state_parse(const char *s, enum ext_state *out);
const char *cb_outcome_str(enum cb_outcome v);
bool cb_outcome_parse(const char *s, enum cb_outcome *out);
const char *satisfaction_str(enum satisfaction v);
bool satisfaction_parse(const char *s, enum satisfaction *out);
const char *user_role_str(enum user_role v);
bool user_role_parse(const char *s, enum user_role *out);
const char *kb_kind_str(enum kb_kind v);
/* Chinese label of a kind (业务知识 ...); borrowed static. */
const char *kb_kind_label(enum kb_kind v);
bool kb_kind_parse(const char *s, enum kb_kind *out);
const char *kb_scope_str(enum kb_scope v);
bool kb_scope_parse(const char *s, enum kb_scope *out);
const char *kb_status_str(enum kb_status v);
bool kb_status_parse(const char *s, enum kb_status *out);
/* Name of one flag bit ("near_due"); NULL for an unknown bit. */
const char *flag_str(unsigned flag);
/* Bit of a flag name; false when unknown. */
bool flag_parse(const char *s, unsigned *out);

/* A list of owned strings. */
struct strlist {
    char **v;
    size_t n;
};

/* Append a copy of s. */
void strlist_add(struct strlist *l, const char *s);
/* Free every string and the array; leaves the list empty. */
void strlist_fini(struct strlist *l);

/* The person who called. Owned strings; NULL when absent. */
struct caller {
    char *name;
    enum salutation salutation;
    char *phone;          /* as typed; matching uses phone_normalize */
    char *address;
    char *org;
    char *org_code;       /* unified social credit code of the organisation */
    bool confidential;    /* hides name, phone, address from units and watch mode */
};

/* One responsible unit's share of a ticket. */
struct assignment {
    char *unit;               /* unit code */
    enum assign_role role;
    hl_time dispatched_at;
    hl_time due_at;
    enum assign_state state;
    hl_time accepted_at;      /* 0 until accepted */
    char *reply;
    hl_time replied_at;
    char *return_reason;
    hl_time returned_at;
};

/* A request for more time. */
struct extension {
    char *unit;
    int days;
    char *reason;
    enum ext_state state;
    hl_time requested_at;
    char *requested_by;
    hl_time decided_at;
    char *decided_by;
    char *note;
    hl_time new_due_at;       /* set when approved */
};

/* A chase (催办) or a supervision (督办) entry. */
struct urge {
    hl_time at;
    char *by;
    char *note;
};

/* One callback attempt. */
struct callback {
    hl_time at;
    char *by;
    enum cb_outcome outcome;
    enum satisfaction satisfaction;   /* SAT_NONE unless reached */
    char *note;
};

/* One entry of the timeline. */
struct event {
    hl_time at;
    char *type;       /* "created", "edited", or an action name ("dispatch", ...) */
    char *by;         /* user id */
    enum status from, to;
    char *note;
};

/* A ticket (工单). Every pointer is owned by the ticket; free with ticket_free. */
struct ticket {
    char *id;                 /* HL20261122-000042 */
    int64_t version;
    enum channel channel;
    struct caller caller;
    enum nature nature;
    char *category;           /* code from the category tree */
    char *title;
    char *description;
    char *location;
    hl_time occurred_at;
    enum urgency urgency;
    int complaint_level;      /* 1 major, 2 general, 3 minor; 0 when not a complaint */
    hl_time requested_due;    /* the caller's own limit; 0 when none */
    enum status status;
    enum resolution resolution;
    char *answer;
    struct strlist kb_refs;
    struct assignment *assignments;
    size_t n_assignments;
    hl_time due_at;
    char *due_rule;           /* which rule set due_at ("12345:complaint.level2", "requested") */
    char *calendar;           /* calendar_version() used for due_at */
    hl_time callback_due_at;  /* 0 when no callback is owed */
    hl_time callback_at;      /* time agreed with the caller, 0 when none */
    struct extension *extensions;
    size_t n_extensions;
    struct urge *urges;
    size_t n_urges;
    struct urge *supervisions;
    size_t n_supervisions;
    struct callback *callbacks;
    size_t n_callbacks;
    struct event *events;
    size_t n_events;
    unsigned flags;           /* enum ticket_flag bits */
    hl_time created_at;
    char *created_by;
    hl_time updated_at;
    hl_time closed_at;
};

/* A new zeroed ticket with the defaults of DESIGN §3. Free with ticket_free. */
struct ticket *ticket_new(void);
/* Free a ticket and everything it owns; NULLs the pointer; accepts NULL. */
void ticket_free(struct ticket **t);
/* Release what an embedded ticket owns (for stack or array tickets) and zero it. */
void ticket_fini(struct ticket *t);
/* The lead assignment, or NULL. Borrowed from t. */
struct assignment *ticket_lead(const struct ticket *t);
/* Append a zeroed entry and return it (borrowed from t). */
struct assignment *ticket_add_assignment(struct ticket *t);
struct extension *ticket_add_extension(struct ticket *t);
struct urge *ticket_add_urge(struct ticket *t);
struct urge *ticket_add_supervision(struct ticket *t);
struct callback *ticket_add_callback(struct ticket *t);
struct event *ticket_add_event(struct ticket *t);
/* True when the ticket is neither closed nor archived. */
bool ticket_is_open(const struct ticket *t);
/* Blank out name, phone and address (confidential caller seen by a unit or watch mode). */
void ticket_mask_caller(struct ticket *t);

/* A knowledge-base article. */
struct article {
    char *id;                 /* KB-0001, SYN-0000001 */
    int64_t version;
    char *title;
    enum kb_kind kind;
    enum kb_scope scope;
    char *region;             /* 全国, a province, a city */
    char *category;
    struct strlist tags;
    char *body;
    int64_t valid_from;       /* day number; valid from that local date */
    int64_t valid_to;         /* day number, inclusive; INT64_MAX when open-ended */
    enum kb_status status;
    char *snippet;            /* search results only: highlighted excerpt */
    hl_time created_at;
    hl_time updated_at;
};

/* A new empty article. Free with article_free. */
struct article *article_new(void);
/* Free an article; NULLs the pointer; accepts NULL. */
void article_free(struct article **a);
/* Release what an embedded article owns and zero it. */
void article_fini(struct article *a);

/* A user as the API shows it. */
struct user {
    char *id;
    char *name;
    enum user_role role;
    char *unit;               /* unit code for role unit, else NULL */
};

/* Release what a user owns and zero it. */
void user_fini(struct user *u);

/* A call event from the phone system (POST /calls). */
enum call_event_type { CALL_NEW, CALL_ANSWER, CALL_HANGUP, CALL_EVENT_COUNT };
const char *call_event_type_str(enum call_event_type v);
bool call_event_type_parse(const char *s, enum call_event_type *out);

struct call_event {
    char *call_id;
    enum call_event_type type;
    char *caller;             /* caller's number */
    char *queue;
    char *agent;              /* user id, for answer */
    hl_time at;
};

/* A whole call record (POST /calls/import, one JSON object per line). */
struct call_record {
    char *call_id;
    char *caller;
    char *queue;
    char *agent;
    hl_time offered_at;
    hl_time answered_at;      /* 0 when abandoned */
    hl_time ended_at;
};

void call_event_fini(struct call_event *c);
void call_record_fini(struct call_record *c);
