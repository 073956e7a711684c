/* workflow: intake, edits and the 14 workflow actions applied to a ticket, as rules.h decides them. */
#pragma once

#include <cjson/cJSON.h>

#include "hotline/calendar.h"
#include "hotline/codec.h"
#include "hotline/datetime.h"
#include "hotline/err.h"
#include "hotline/model.h"
#include "hotline/rules.h"
#include "hotline/tz.h"

/*
 * Pure: no SQL, no HTTP. The handlers call these inside store ticket_update's
 * mutate callback (and demo.c calls them with simulated times in the past).
 * rules.h decides; this module only carries the decision out, completely and
 * consistently, on the struct ticket:
 *
 * - every change appends one timeline event {at, type, by, from, to, note} and
 *   sets updated_at = now; the store bumps version;
 * - flags are recomputed with workflow_flags (rules_flags, keeping the
 *   repeat_caller and cluster bits the caller set);
 * - a refusal leaves the ticket byte-identical (the check runs before anything
 *   is touched; no step after the check can fail).
 *
 * Timeline notes (the `note` of each event type; stats.c reads the unit prefix
 * of "return" events, so this format is a contract):
 *   created             NULL
 *   edited              "description, location" (the fields the patch changed), or
 *                       "no change"
 *   resolve_direct      "KB-0001, KB-0002" (articles used) or NULL
 *   dispatch            "water (lead), gas (assist)" + "; " + note when given
 *   accept              "<unit>"
 *   return              "<unit>: <reason>"
 *   reply               "<unit>"
 *   request_extension   "<unit>: <days> days: <reason>"
 *   decide_extension    "approved <days> days for <unit>" | "rejected <days> days for <unit>"
 *                       + "; " + note when given
 *   urge, supervise     the note or NULL
 *   schedule_callback   "agreed for 2026-10-09T10:00:00+08:00"
 *   callback            "<outcome>[, <satisfaction>]" + "; " + note when given
 *   close               the note or NULL
 *   reopen              the reason
 *   archive             NULL
 *
 * Decisions taken here (rules.h is silent on them):
 * - dispatch: every assignment in state returned is dropped (its history stays
 *   in the "return" event); a unit named in the body gets a fresh assignment
 *   (dispatched_at = now, due_at = the ticket's due_at, or rules_due from now when
 *   the ticket has none) unless it already holds an active one (dispatched or
 *   accepted), which keeps its state and takes the role given; a unit named again
 *   whose assignment was replied gets a fresh one. The body's lead is the only lead.
 * - late_dispatch is judged on the FIRST dispatch of the ticket (the first
 *   "dispatch" event), since re-dispatch drops returned assignments; rules_flags
 *   only sees the assignments, so workflow_flags corrects that bit.
 * - reply: the reply text and time live on the unit's assignment; the ticket's
 *   answer is left for direct answers.
 * - callback dissatisfied (redo): the lead assignment goes back to accepted with
 *   due_at = the new deadline, callback_at is cleared; reopen with a lead does the
 *   same (a returned lead goes back to dispatched at now, so it may return again).
 * - decide_extension approve: ticket due_at from rules_transition; every active
 *   assignment of the requesting unit gets rules_extended_due(its due_at, days);
 *   extension.new_due_at = the ticket's new due_at.
 * - patch recomputes the deadline from the start of the current period: created_at,
 *   or the last "reopen" event (then with rules_redo_due).
 */

/* What the workflow needs: the centre's rules, holiday calendar and zone (borrowed). */
struct wf_ctx {
    const struct rules *rules;
    const struct calendar *cal;
    const struct tz *tz;
};

/* Prepare a ticket decoded by codec_ticket_create_decode for storage: status accepted,
 * created_at/updated_at = now (unless t->created_at is already set: replaying the past,
 * then that instant is the acceptance), created_by = who->user_id, due_at/due_rule/
 * calendar from rules_due (due_out, may be NULL, gets the full rule_due including
 * the fallback warning for the response), flags, and the "created" event.
 * Only agent, supervisor and admin create: a unit gets HL_ERULE, e->field
 * "forbidden_role". Returns HL_OK or the error (t untouched on error). */
int workflow_create(const struct wf_ctx *c, struct ticket *t, const struct rule_actor *who,
                    hl_time now, struct rule_due *due_out, struct err *e);

/* Apply the body of PATCH /tickets/{id} (the matter) before dispatch: status accepted or
 * returned (archived: HL_ERULE "archived_read_only"; else HL_ERULE "invalid_state"), by
 * agent, supervisor or admin (else HL_ERULE "forbidden_role"). codec_ticket_patch_apply
 * errors come back as HL_EINVAL. Recomputes the deadline when nature, complaint_level or
 * requested_due changed; appends "edited" with the names of the fields that changed.
 * All or nothing. */
int workflow_patch(const struct wf_ctx *c, struct ticket *t, const cJSON *body,
                   const struct rule_actor *who, hl_time now, struct err *e);

/* Apply action b->action with its decoded body b, by who at now. Checks with
 * rules_check_args: a refusal fills v (may be NULL) and e (rules_verdict_err) and returns
 * HL_ERULE with t untouched. Otherwise mutates t (see above), fills v with ok and returns
 * HL_OK. A NULL argument is HL_EINVAL. */
int workflow_apply(const struct wf_ctx *c, struct ticket *t, const struct action_body *b,
                   const struct rule_actor *who, hl_time now, struct verdict *v,
                   struct err *e);

/* Computed flags of t at now: rules_flags with late_dispatch judged on the first dispatch
 * event; repeat_caller and cluster kept from t->flags. For the periodic reflag sweep too. */
unsigned workflow_flags(const struct wf_ctx *c, const struct ticket *t, hl_time now);

/* Instant of the ticket's first dispatch: the first "dispatch" event, else the earliest
 * assignment dispatched_at; 0 when never dispatched. */
hl_time workflow_first_dispatch(const struct ticket *t);

/* The kind of a workflow refusal from its error (e->field is the verdict code): forbidden
 * (403), conflict (409) or invalid (422); VERDICT_OK when e is not a rule error. */
enum verdict_kind workflow_err_kind(const struct err *e);
