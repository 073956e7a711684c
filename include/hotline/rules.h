/* rules: the workflow rules of DESIGN §4 as pure functions over a ticket, from rule profiles. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "hotline/calendar.h"
#include "hotline/codec.h"
#include "hotline/datetime.h"
#include "hotline/err.h"
#include "hotline/model.h"
#include "hotline/tz.h"

/*
 * Rule profiles live in data/rules.json ("12345" default, "95198", "956100");
 * every rule has an id "<profile>:<rule>" (recorded as ticket.due_rule and named
 * in every refusal), a seed source file and clause. A centre's override file has
 * the same shape ({"profiles":{"12345":{...}}}) and may change any subset of the
 * values of any profile; ids cannot change and unknown fields are errors.
 *
 * The server AND the console decide every action with rules_check(): the server
 * refuses with the verdict, the console greys out the key and shows the message.
 * Actions are codec.h's enum action; the arguments some checks need (extension
 * days and approval, callback outcome and satisfaction, schedule time) come from
 * codec.h's struct action_body; a NULL body skips the checks that need it (the
 * console asks "is this action possible at all").
 *
 * Role matrix (one table in rules.c, action_table; "own" = the unit must hold
 * an assignment on the ticket, else not_your_unit). Checks run in this order:
 * role (forbidden_role), own unit (not_your_unit), archived (archived_read_only),
 * status (archive_not_closed, invalid_state), then the action's timing rules.
 *
 *   action             agent  unit  supervisor  admin   from status
 *   resolve_direct       x            x          x      accepted, returned
 *   dispatch             x            x          x      accepted, returned
 *   accept                    own                       dispatched, in_progress
 *   return                    own                       dispatched, in_progress
 *   reply                     own                       dispatched, in_progress
 *   request_extension         own                       dispatched, in_progress
 *   decide_extension     x*           x          x      dispatched, in_progress
 *   urge                 x            x          x      dispatched, in_progress
 *   supervise                         x          x      any open status
 *   schedule_callback    x            x          x      replied, callback
 *   callback             x            x          x      replied, callback
 *   close                x            x          x      any open status (see below)
 *   reopen                            x          x      closed
 *   archive                           x          x      closed
 *   (create, intake)     x            x          x      -            rules_check_create
 *   (edit the matter)    x            x          x      accepted, returned  rules_check_edit
 *
 *   x* the dispatch seat (agent) approves an extension (002 三、(三)4(4)①);
 *      approving beyond the profile's max_approved (1) needs a supervisor
 *      (code extension_needs_supervisor); rejecting never does.
 *
 * Decisions where the seeds and DESIGN leave room (documented here once):
 * - Emergency urgency keeps the nature's limit; it sets FLAG_EMERGENCY and
 *   rule_due.emergency so the ticket goes to the top of the supervisor's queue.
 * - A complaint with complaint_level 0 (not graded yet) uses the nature's limit;
 *   levels 1/2/3 use complaint_levels (48/24/3 elapsed hours).
 * - The processing period (for urge and near_due) starts at the latest of:
 *   created_at, the lead assignment's dispatched_at, the last dissatisfied
 *   callback, the last "reopen" event; it ends at due_at.
 * - Urge: allowed when now >= start + ceil(period * 0.5); at most 2 per ticket.
 *   The seed's exception (strong dissatisfaction) is supervise, which has no timing.
 * - Return: the window ends at dispatched_at + 1 working day in same_time mode
 *   (the dispatch clock time on the next working day), inclusive; the unit may
 *   return while its assignment is dispatched or accepted.
 * - Extension: 1..7 days (calendar days added to due_at at the same clock time);
 *   one pending at a time; must be asked before due_at (before_due, 002
 *   12345工作方案 三、4(2)); at most max_with_supervisor (2) approved in all
 *   (extension_limit).
 * - "Returned" is the ticket status only when the lead unit returns; an assist's
 *   return leaves the status alone (likewise reply: the lead's reply is the
 *   ticket's reply). Without a lead the first assignment counts as the lead.
 * - Callback (only where rules_callback_required): attempts of the current
 *   round (at or after the lead's latest reply) count; never in [21:00, 08:00)
 *   local; >= 2 h after the previous attempt; not before an agreed time
 *   (ticket.callback_at). Outcomes no_answer,
 *   busy, wrong_number are failed attempts; refused means the caller declines
 *   the callback (the ticket may close). A reached callback with satisfied or
 *   basic closes the ticket; dissatisfied sends it back to in_progress with a
 *   new deadline (the nature's limit from now).
 * - Close: in replied/callback it closes the handled ticket; when a callback is
 *   owed it needs a reached or refused callback, or 3 failed attempts (then the
 *   resolution is unreachable). Before a reply, close means the caller withdrew
 *   (resolution withdrawn).
 * - Reopen (closed only; archived is read-only): back to in_progress with a new
 *   deadline when a lead unit exists, else back to accepted.
 * - Flags: near_due and overdue are about due_at while processing (accepted,
 *   dispatched, in_progress, returned); in replied/callback overdue means
 *   callback_due_at has passed. overdue is now > due (the due instant itself
 *   is still on time). late_dispatch: the first dispatch came after created_at
 *   + the dispatch limit, or the ticket is still accepted after that instant.
 */

/* Every function takes the centre's calendar and zone (never the machine's); a NULL
 * rules, tz or ticket gives a zero/refusing result, never a crash. */
struct rules;

/* Load the rules file at path, select profile (NULL or "" = the file's default_profile)
 * and apply the optional override file (NULL = none). NULL + e on error; messages
 * name the file and the field ("profiles.12345.processing.consult.limit.value").
 * Free with rules_free. */
struct rules *rules_load(const char *path, const char *profile, const char *override_path,
                         struct err *e);
/* Parse rules from JSON text; name is used in error messages; override may be NULL. */
struct rules *rules_parse(const char *json, size_t len, const char *name, const char *profile,
                          const char *override_json, size_t override_len,
                          const char *override_name, struct err *e);
/* Free rules and NULL the pointer; accepts NULL. */
void rules_free(struct rules **r);
/* Name of the active profile ("12345"); borrowed, valid while r lives. */
const char *rules_profile(const struct rules *r);
/* How "N working days" ends in this profile. */
enum deadline_mode rules_deadline_mode(const struct rules *r);
/* The active profile's effective rules (after the override) as compact JSON, for GET /meta;
 * borrowed, valid while r lives. */
const char *rules_json(const struct rules *r);
/* Whether a callback is owed after the reply for a nature. */
bool rules_callback_required(const struct rules *r, enum nature n);
/* Cluster threshold: this many different callers (same category and location) ... */
int rules_cluster_min_callers(const struct rules *r);
/* ... within this many days. */
int rules_cluster_days(const struct rules *r);
/* Most urges per ticket. */
int rules_urge_max(const struct rules *r);
/* Most days in one extension request. */
int rules_extension_max_days(const struct rules *r);
/* Failed callback attempts after which a ticket may close as unreachable. */
int rules_unreachable_attempts(const struct rules *r);

/* A computed deadline and the rule behind it. */
struct rule_due {
    hl_time due;              /* the instant */
    char rule[64];            /* for ticket.due_rule: "12345:complaint.level2", "requested" */
    char label[128];          /* English, e.g. "complaint level 2: 24 hours" */
    char calendar[64];        /* calendar_version() when working days were counted, else "" */
    bool fallback;            /* a year outside the calendar was involved */
    char warning[192];        /* set when fallback */
    bool emergency;           /* urgency emergency: same limit, escalate at once */
    hl_time contact_due;      /* first contact by the unit (repair, service), 0 when none */
    char contact_rule[64];    /* rule id of contact_due */
};

/* Deadline of a ticket accepted at `accepted`: the nature's limit (complaint level
 * when graded) of the active profile; the caller's requested_due wins when earlier. */
void rules_due(const struct rules *r, const struct calendar *cal, const struct tz *tz,
               const struct ticket *t, hl_time accepted, struct rule_due *out);

/* Who acts: role, unit code (role unit) and user id. Borrowed strings. */
struct rule_actor {
    enum user_role role;
    const char *unit;
    const char *user_id;
};

/* What a check decided. */
enum verdict_kind {
    VERDICT_OK,
    VERDICT_FORBIDDEN,    /* the role may not (HTTP 403) */
    VERDICT_CONFLICT,     /* a rule or the state refuses (HTTP 409) */
    VERDICT_INVALID,      /* the arguments are wrong (HTTP 422) */
};

/* The answer of rules_check. */
struct verdict {
    bool ok;
    enum verdict_kind kind;
    const char *code;         /* stable code, borrowed static: "ok", "invalid_state", ... */
    char rule[64];            /* id of the rule that refused, "" for role and state */
    char message[384];        /* English: the rule and when the action becomes possible */
    hl_time possible_from;    /* earliest instant it becomes possible, 0 if never/unknown */
};

/*
 * Refusal codes (verdict.code):
 *   forbidden: forbidden_role, not_your_unit, extension_needs_supervisor
 *   conflict:  invalid_state, archived_read_only, archive_not_closed,
 *              urge_too_early, urge_limit, return_window_closed,
 *              extension_limit (max_with_supervisor approved already),
 *              extension_too_long, extension_pending,
 *              extension_none_pending, extension_after_due,
 *              callback_quiet_hours, callback_too_soon, callback_not_due,
 *              callback_not_required, unreachable_needs_attempts
 *   invalid:   invalid_request (NULL input), unknown_action, extension_days_invalid,
 *              callback_needs_satisfaction, callback_in_past
 */

/* Decide whether `who` may take action a on t at now (args: the decoded body, may be NULL). */
void rules_check_args(const struct rules *r, const struct calendar *cal, const struct tz *tz,
                      const struct ticket *t, enum action a, const struct rule_actor *who,
                      const struct action_body *args, hl_time now, struct verdict *v);
/* rules_check_args without arguments. */
void rules_check(const struct rules *r, const struct calendar *cal, const struct tz *tz,
                 const struct ticket *t, enum action a, const struct rule_actor *who,
                 hl_time now, struct verdict *v);
/* May who create a ticket (intake: agents, supervisors, admins)? */
void rules_check_create(const struct rule_actor *who, struct verdict *v);
/* May who edit t's matter (PATCH) at this point: the intake roles, before dispatch
 * (accepted or returned)? */
void rules_check_edit(const struct ticket *t, const struct rule_actor *who, struct verdict *v);
/* Check only the number of days of an extension request (1..max). */
void rules_check_extension_days(const struct rules *r, int days, struct verdict *v);
/* Fill e from a refusing verdict (HL_ERULE, field = verdict code); returns e->code. */
int rules_verdict_err(const struct verdict *v, struct err *e);

/* What the server changes on the ticket after a successful check. */
struct transition {
    enum status status;           /* the new status */
    bool set_resolution;
    enum resolution resolution;   /* when set_resolution (NONE on reopen) */
    bool set_closed_at;           /* closed_at = now; on reopen closed_at = 0 */
    bool set_due;
    struct rule_due due;          /* new due_at, due_rule, calendar when set_due */
    bool set_callback_due;
    hl_time callback_due_at;      /* when set_callback_due (0 = none owed) */
};

/* Compute the effects of action a (already checked) on t at now. For dispatch and
 * the unit actions the status follows the unit's (who->unit) assignment: return by
 * the lead -> returned, reply by the lead -> replied. */
void rules_transition(const struct rules *r, const struct calendar *cal, const struct tz *tz,
                      const struct ticket *t, enum action a, const struct rule_actor *who,
                      const struct action_body *args, hl_time now, struct transition *out);
/* callback_due_at for a reply at `replied`: 1 working day, end of day; 0 when none is owed. */
hl_time rules_callback_due(const struct rules *r, const struct calendar *cal,
                           const struct tz *tz, const struct ticket *t, hl_time replied);
/* New deadline when a ticket goes back to a unit at now (dissatisfied callback, reopen):
 * the nature's limit from now; requested_due wins only when still ahead and earlier. */
void rules_redo_due(const struct rules *r, const struct calendar *cal, const struct tz *tz,
                    const struct ticket *t, hl_time now, struct rule_due *out);
/* Deadline after an approved extension of days calendar days (same local clock time). */
hl_time rules_extended_due(const struct tz *tz, hl_time due, int days);
/* End of a unit's return window for an assignment dispatched at `dispatched`. */
hl_time rules_return_window_end(const struct rules *r, const struct calendar *cal,
                                const struct tz *tz, hl_time dispatched);
/* Earliest instant allowed for urging t (start + half the period); 0 when unknown. */
hl_time rules_urge_from(const struct rules *r, const struct ticket *t);
/* Computed flags of t at now: near_due, overdue, late_dispatch, emergency, dissatisfied,
 * supervised; repeat_caller and cluster are kept as given in t->flags. */
unsigned rules_flags(const struct rules *r, const struct calendar *cal, const struct tz *tz,
                     const struct ticket *t, hl_time now);
