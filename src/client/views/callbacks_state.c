/* callbacks_state: the callbacks tab's decisions without a terminal: what the call button
 * says from a rules_check verdict, the attempts of the current round, the reply to read out,
 * and the sentence that reports an action's result. */
#include <stdio.h>
#include <string.h>

#include "hotline/util.h"
#include "i18n.h"
#include "views/callbacks_state.h"
#include "views/ticket_text.h"

void
callbacks_state_when(const struct tz *tz, hl_time t, hl_time now, char *buf, size_t sz)
{
    struct civil_time a, b;

    if (t == 0) {
        str_copy(buf, sz, "-");
        return;
    }
    tz_to_civil(tz, t, &a);
    tz_to_civil(tz, now, &b);
    if (a.year == b.year && a.month == b.month && a.day == b.day)
        snprintf(buf, sz, "%02d:%02d", a.hour, a.minute);
    else
        snprintf(buf, sz, "%02d-%02d %02d:%02d", a.month, a.day, a.hour, a.minute);
}

/* The reason of a refusal, short and translated: the timing rules in words that do not
 * repeat their limits (a centre may change them; the rule's own sentence names them). */
static const char *
reason(const struct verdict *v)
{
    if (v->code != NULL && strcmp(v->code, "callback_quiet_hours") == 0)
        return _("quiet hours, no calls now");
    if (v->code != NULL && strcmp(v->code, "callback_too_soon") == 0)
        return _("too soon after the last attempt");
    return ticket_text_reason(v);
}

/* True for the refusals that only time lifts. */
static bool
timing_code(const char *code)
{
    return code != NULL && (strcmp(code, "callback_quiet_hours") == 0 ||
                            strcmp(code, "callback_too_soon") == 0 ||
                            strcmp(code, "callback_not_due") == 0);
}

void
callbacks_state_button(const struct verdict *v, const struct tz *tz, hl_time now,
                       struct callbacks_button *out)
{
    char when[32];

    memset(out, 0, sizeof *out);
    if (v->ok) {
        out->enabled = true;
        out->slot = SLOT_OK;
        str_copy(out->text, sizeof out->text, _("Calling allowed now"));
        return;
    }
    out->from = v->possible_from;
    str_copy(out->detail, sizeof out->detail, v->message);
    out->slot = timing_code(v->code) ? SLOT_WARN : SLOT_MUTED;
    if (v->possible_from != 0) {
        callbacks_state_when(tz, v->possible_from, now, when, sizeof when);
        snprintf(out->text, sizeof out->text, _("Calling disabled: %s; next allowed %s"),
                 reason(v), when);
    } else {
        snprintf(out->text, sizeof out->text, _("Calling not possible: %s"), reason(v));
    }
}

/* The assignment a reply counts for: the lead, else the first (as rules.c). */
static const struct assignment *
main_assignment(const struct ticket *t)
{
    if (t->assignments == NULL || t->n_assignments == 0)
        return NULL;
    for (size_t i = 0; i < t->n_assignments; i++) {
        if (t->assignments[i].role == ROLE_LEAD)
            return &t->assignments[i];
    }
    return &t->assignments[0];
}

void
callbacks_state_round(const struct ticket *t, struct callbacks_round *out)
{
    const struct assignment *m = main_assignment(t);
    hl_time since = m != NULL ? m->replied_at : 0;

    memset(out, 0, sizeof *out);
    for (size_t i = 0; t->callbacks != NULL && i < t->n_callbacks; i++) {
        const struct callback *cb = &t->callbacks[i];

        if (cb->at < since)
            continue;
        out->attempts++;
        if (cb->at > out->last)
            out->last = cb->at;
        if (cb->outcome == CB_REFUSED)
            out->refused = true;
        else if (cb->outcome != CB_REACHED)
            out->failed++;
    }
}

const struct assignment *
callbacks_state_reply(const struct ticket *t)
{
    const struct assignment *m = main_assignment(t);

    if (m != NULL && !str_empty(m->reply))
        return m;
    for (size_t i = 0; t->assignments != NULL && i < t->n_assignments; i++) {
        if (!str_empty(t->assignments[i].reply))
            return &t->assignments[i];
    }
    return NULL;
}

void
callbacks_state_result(const struct ticket *after, const struct action_body *b,
                       const char *unit, hl_time next, const struct tz *tz, hl_time now,
                       char *buf, size_t sz, enum slot *slot)
{
    const char *id = after->id != NULL ? after->id : "";
    char when[32];

    *slot = SLOT_OK;
    switch (b->action) {
    case ACTION_SCHEDULE_CALLBACK:
        callbacks_state_when(tz, after->callback_at, now, when, sizeof when);
        snprintf(buf, sz, _("%s: agreed with the caller to call at %s."), id, when);
        return;
    case ACTION_CLOSE:
        if (after->resolution == RESOLUTION_UNREACHABLE)
            snprintf(buf, sz, _("%s closed: the caller could not be reached."), id);
        else
            snprintf(buf, sz, _("%s closed."), id);
        return;
    default:
        break;
    }
    if (after->status == STATUS_IN_PROGRESS || (b->outcome == CB_REACHED &&
                                                b->satisfaction == SAT_DISSATISFIED)) {
        callbacks_state_when(tz, after->due_at, now, when, sizeof when);
        *slot = SLOT_WARN;
        snprintf(buf, sz, _("%s: the caller is dissatisfied. Sent back to %s to redo "
                            "(退回重办), now %s, new deadline %s."),
                 id, !str_empty(unit) ? unit : "?", ticket_text_status(after->status), when);
        return;
    }
    if (after->status == STATUS_CLOSED) {
        snprintf(buf, sz, _("%s closed: the caller is %s."), id,
                 ticket_text_satisfaction(b->satisfaction));
        return;
    }
    if (b->outcome == CB_REFUSED) {
        *slot = SLOT_NORMAL;
        snprintf(buf, sz, _("%s: the caller declined the callback; u closes the ticket."), id);
        return;
    }
    *slot = SLOT_NORMAL;
    if (next != 0) {
        callbacks_state_when(tz, next, now, when, sizeof when);
        snprintf(buf, sz, _("%s: attempt recorded (%s); next attempt from %s."), id,
                 ticket_text_outcome(b->outcome), when);
    } else {
        snprintf(buf, sz, _("%s: attempt recorded (%s)."), id, ticket_text_outcome(b->outcome));
    }
}
