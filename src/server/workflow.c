/* workflow: intake, edits and the 14 workflow actions applied to a ticket, as rules.h decides them. */
#include "workflow.h"

#include <stdlib.h>
#include <string.h>

#include "hotline/util.h"

/* Replace an owned string with a copy of src (NULL clears it). */
static void
set_str(char **dst, const char *src)
{
    char *copy = xstrdup(src);

    free(*dst);
    *dst = copy;
}

/* Hand over the text of a buffer, or NULL when it is empty; the buffer is reset. */
static char *
take_note(struct strbuf *sb)
{
    if (sb->len == 0) {
        strbuf_fini(sb);
        return NULL;
    }
    return strbuf_detach(sb);
}

/* Append "; note" (or just note when the buffer is empty) when note is not empty. */
static void
add_note(struct strbuf *sb, const char *note)
{
    if (str_empty(note))
        return;
    if (sb->len > 0)
        strbuf_adds(sb, "; ");
    strbuf_adds(sb, note);
}

/* Append a timeline event; note is owned by the event afterwards. */
static void
add_event(struct ticket *t, hl_time at, const char *type, const char *by, enum status from,
          enum status to, char *note)
{
    struct event *ev = ticket_add_event(t);

    ev->at = at;
    ev->type = xstrdup(type);
    ev->by = xstrdup(by);
    ev->from = from;
    ev->to = to;
    ev->note = note;
}

/* Record a computed deadline on the ticket. */
static void
apply_due(struct ticket *t, const struct rule_due *d)
{
    t->due_at = d->due;
    set_str(&t->due_rule, str_empty(d->rule) ? NULL : d->rule);
    set_str(&t->calendar, str_empty(d->calendar) ? NULL : d->calendar);
}

/* Release what an assignment owns and zero it. */
static void
assignment_clear(struct assignment *a)
{
    free(a->unit);
    free(a->reply);
    free(a->return_reason);
    memset(a, 0, sizeof *a);
}

/* The unit's assignment (an active one preferred, as rules.c picks it), or NULL. */
static struct assignment *
unit_assignment(struct ticket *t, const char *unit)
{
    struct assignment *first = NULL;

    if (str_empty(unit))
        return NULL;
    for (size_t i = 0; i < t->n_assignments; i++) {
        struct assignment *a = &t->assignments[i];

        if (a->unit == NULL || strcmp(a->unit, unit) != 0)
            continue;
        if (a->state == ASSIGN_DISPATCHED || a->state == ASSIGN_ACCEPTED)
            return a;
        if (first == NULL)
            first = a;
    }
    return first;
}

/* The assignment a reply counts for: the lead, else the first (as rules.c). */
static struct assignment *
main_assignment(struct ticket *t)
{
    for (size_t i = 0; i < t->n_assignments; i++) {
        if (t->assignments[i].role == ROLE_LEAD)
            return &t->assignments[i];
    }
    return t->n_assignments > 0 ? &t->assignments[0] : NULL;
}

/* True when the role works at the centre (agent, supervisor, admin). */
static bool
centre_role(enum user_role r)
{
    return r == USER_AGENT || r == USER_SUPERVISOR || r == USER_ADMIN;
}

/* Name of a role for messages. */
static const char *
role_name(enum user_role r)
{
    return (unsigned)r < USER_ROLE_COUNT ? user_role_str(r) : "unknown";
}

/* True when the context can decide anything. */
static bool
ctx_ok(const struct wf_ctx *c)
{
    return c != NULL && c->rules != NULL && c->tz != NULL;
}

/* Find the instant of the ticket's first dispatch. */
hl_time
workflow_first_dispatch(const struct ticket *t)
{
    hl_time first = 0;

    if (t == NULL)
        return 0;
    for (size_t i = 0; t->events != NULL && i < t->n_events; i++) {
        if (t->events[i].type != NULL && strcmp(t->events[i].type, "dispatch") == 0)
            return t->events[i].at;
    }
    for (size_t i = 0; t->assignments != NULL && i < t->n_assignments; i++) {
        hl_time d = t->assignments[i].dispatched_at;

        if (d != 0 && (first == 0 || d < first))
            first = d;
    }
    return first;
}

/* Compute the flags of a ticket at now. */
unsigned
workflow_flags(const struct wf_ctx *c, const struct ticket *t, hl_time now)
{
    unsigned f;
    hl_time first;

    if (c == NULL || t == NULL)
        return 0;
    f = rules_flags(c->rules, c->cal, c->tz, t, now);
    first = workflow_first_dispatch(t);
    if (first != 0) {
        /* rules_flags judges late_dispatch on the assignments it sees; show it the
         * ticket's first dispatch (returned assignments are gone after re-dispatch). */
        struct ticket view = *t;
        struct assignment one;
        unsigned g;

        memset(&one, 0, sizeof one);
        one.role = ROLE_LEAD;
        one.dispatched_at = first;
        view.assignments = &one;
        view.n_assignments = 1;
        g = rules_flags(c->rules, c->cal, c->tz, &view, now);
        f = (f & ~(unsigned)FLAG_LATE_DISPATCH) | (g & (unsigned)FLAG_LATE_DISPATCH);
    }
    return f;
}

/* Classify a workflow refusal as forbidden, conflict or invalid. */
enum verdict_kind
workflow_err_kind(const struct err *e)
{
    static const char *const forbidden[] = {
        "forbidden_role", "not_your_unit", "extension_needs_supervisor",
    };
    static const char *const invalid[] = {
        "invalid_request", "unknown_action", "extension_days_invalid",
        "callback_needs_satisfaction", "callback_in_past",
    };

    if (e == NULL || e->code != HL_ERULE)
        return VERDICT_OK;
    for (size_t i = 0; i < ARRAY_SIZE(forbidden); i++) {
        if (strcmp(e->field, forbidden[i]) == 0)
            return VERDICT_FORBIDDEN;
    }
    for (size_t i = 0; i < ARRAY_SIZE(invalid); i++) {
        if (strcmp(e->field, invalid[i]) == 0)
            return VERDICT_INVALID;
    }
    return VERDICT_CONFLICT;
}

/* Prepare a newly decoded ticket for storage. */
int
workflow_create(const struct wf_ctx *c, struct ticket *t, const struct rule_actor *who,
                hl_time now, struct rule_due *due_out, struct err *e)
{
    struct rule_due due;
    hl_time at;

    if (!ctx_ok(c) || t == NULL || who == NULL)
        return err_set(e, HL_EINVAL, "", "Cannot create a ticket without rules, time zone, "
                       "ticket and user.");
    if (!centre_role(who->role))
        return err_set(e, HL_ERULE, "forbidden_role",
                       "A %s user may not create tickets: intake is for agents, supervisors "
                       "and admins.", role_name(who->role));
    at = t->created_at != 0 ? t->created_at : now;
    t->status = STATUS_ACCEPTED;
    t->resolution = RESOLUTION_NONE;
    t->created_at = at;
    t->updated_at = at;
    t->closed_at = 0;
    t->callback_due_at = 0;
    set_str(&t->created_by, who->user_id);
    rules_due(c->rules, c->cal, c->tz, t, at, &due);
    apply_due(t, &due);
    add_event(t, at, "created", who->user_id, STATUS_ACCEPTED, STATUS_ACCEPTED, NULL);
    t->flags = workflow_flags(c, t, now > at ? now : at);
    if (due_out != NULL)
        *due_out = due;
    err_clear(e);
    return HL_OK;
}

/* Start of the current processing period for a recomputed deadline: the last reopen, or 0. */
static hl_time
last_reopen(const struct ticket *t)
{
    hl_time at = 0;

    for (size_t i = 0; t->events != NULL && i < t->n_events; i++) {
        if (t->events[i].type != NULL && strcmp(t->events[i].type, "reopen") == 0)
            at = t->events[i].at;
    }
    return at;
}

/* Apply an edit of the matter before dispatch. */
int
workflow_patch(const struct wf_ctx *c, struct ticket *t, const cJSON *body,
               const struct rule_actor *who, hl_time now, struct err *e)
{
    struct strlist fields = { NULL, 0 };
    cJSON *before = NULL;
    cJSON *after = NULL;
    struct strbuf sb;
    enum nature nature;
    int level;
    hl_time requested;
    int rc;

    if (!ctx_ok(c) || t == NULL || who == NULL || body == NULL)
        return err_set(e, HL_EINVAL, "", "Cannot edit a ticket without rules, time zone, "
                       "ticket, body and user.");
    if (!centre_role(who->role))
        return err_set(e, HL_ERULE, "forbidden_role",
                       "A %s user may not edit the matter of a ticket: editing is for agents, "
                       "supervisors and admins.", role_name(who->role));
    if (t->status == STATUS_ARCHIVED)
        return err_set(e, HL_ERULE, "archived_read_only",
                       "Archived tickets are read-only; nothing can be changed.");
    if (t->status != STATUS_ACCEPTED && t->status != STATUS_RETURNED)
        return err_set(e, HL_ERULE, "invalid_state",
                       "The matter can be edited only before dispatch (accepted or returned); "
                       "this ticket is %s. Add what changed as a note to the next action "
                       "instead.",
                       (unsigned)t->status < STATUS_COUNT ? status_str(t->status) : "unknown");
    nature = t->nature;
    level = t->complaint_level;
    requested = t->requested_due;
    before = codec_ticket_matter_to_json(t, c->tz);
    rc = codec_ticket_patch_apply(body, t, &fields, e);
    if (rc != HL_OK)
        goto out;
    after = codec_ticket_matter_to_json(t, c->tz);
    if (t->nature != nature || t->complaint_level != level || t->requested_due != requested) {
        struct rule_due due;
        hl_time reopened = last_reopen(t);

        if (reopened > t->created_at)
            rules_redo_due(c->rules, c->cal, c->tz, t, reopened, &due);
        else
            rules_due(c->rules, c->cal, c->tz, t, t->created_at, &due);
        apply_due(t, &due);
    }
    strbuf_init(&sb);
    for (size_t i = 0; i < fields.n; i++) {
        const cJSON *x = cJSON_GetObjectItemCaseSensitive(before, fields.v[i]);
        const cJSON *y = cJSON_GetObjectItemCaseSensitive(after, fields.v[i]);

        if (x != NULL && y != NULL && cJSON_Compare(x, y, true))
            continue;
        if (sb.len > 0)
            strbuf_adds(&sb, ", ");
        strbuf_adds(&sb, fields.v[i]);
    }
    if (sb.len == 0)
        strbuf_adds(&sb, "no change");
    add_event(t, now, "edited", who->user_id, t->status, t->status, take_note(&sb));
    t->updated_at = now;
    t->flags = workflow_flags(c, t, now);
    err_clear(e);
out:
    cJSON_Delete(before);
    cJSON_Delete(after);
    strlist_fini(&fields);
    return rc;
}

/* Drop every returned assignment (re-dispatch replaces them). */
static void
drop_returned(struct ticket *t)
{
    size_t keep = 0;

    for (size_t i = 0; i < t->n_assignments; i++) {
        if (t->assignments[i].state == ASSIGN_RETURNED) {
            assignment_clear(&t->assignments[i]);
            continue;
        }
        if (keep != i)
            t->assignments[keep] = t->assignments[i];
        keep++;
    }
    t->n_assignments = keep;
    if (keep == 0) {
        free(t->assignments);
        t->assignments = NULL;
    }
}

/* Reset an assignment to freshly dispatched at now with due. */
static void
fresh_assignment(struct assignment *a, hl_time now, hl_time due)
{
    free(a->reply);
    free(a->return_reason);
    a->reply = NULL;
    a->return_reason = NULL;
    a->dispatched_at = now;
    a->due_at = due;
    a->state = ASSIGN_DISPATCHED;
    a->accepted_at = 0;
    a->replied_at = 0;
    a->returned_at = 0;
}

/* dispatch: create or renew the assignments of the body's units. */
static void
do_dispatch(const struct wf_ctx *c, struct ticket *t, const struct action_body *b, hl_time now,
            struct strbuf *note)
{
    hl_time due = t->due_at;
    const char *lead = NULL;

    if (due == 0) {
        struct rule_due d;

        rules_due(c->rules, c->cal, c->tz, t, now, &d);
        due = d.due;
    }
    drop_returned(t);
    for (size_t i = 0; i < b->n_units; i++) {
        const struct action_unit *u = &b->units[i];
        struct assignment *a = NULL;

        if (str_empty(u->unit))
            continue;
        for (size_t j = 0; j < t->n_assignments; j++) {
            if (t->assignments[j].unit != NULL && strcmp(t->assignments[j].unit, u->unit) == 0) {
                a = &t->assignments[j];
                break;
            }
        }
        if (a == NULL) {
            a = ticket_add_assignment(t);
            a->unit = xstrdup(u->unit);
            fresh_assignment(a, now, due);
        } else if (a->state != ASSIGN_DISPATCHED && a->state != ASSIGN_ACCEPTED) {
            fresh_assignment(a, now, due);
        }
        a->role = u->role;
        if (u->role == ROLE_LEAD)
            lead = u->unit;
        if (note->len > 0)
            strbuf_adds(note, ", ");
        strbuf_addf(note, "%s (%s)", u->unit, assign_role_str(u->role));
    }
    for (size_t j = 0; lead != NULL && j < t->n_assignments; j++) {
        struct assignment *a = &t->assignments[j];

        if (a->role == ROLE_LEAD && (a->unit == NULL || strcmp(a->unit, lead) != 0))
            a->role = ROLE_ASSIST;
    }
    add_note(note, b->note);
}

/* The pending extension, or NULL. */
static struct extension *
pending_extension(struct ticket *t)
{
    for (size_t i = t->n_extensions; i > 0; i--) {
        if (t->extensions[i - 1].state == EXT_PENDING)
            return &t->extensions[i - 1];
    }
    return NULL;
}

/* decide_extension: record the decision; an approval moves the unit's deadlines. */
static void
do_decide_extension(const struct wf_ctx *c, struct ticket *t, const struct action_body *b,
                    const struct rule_actor *who, hl_time now, const struct transition *tr,
                    struct strbuf *note)
{
    struct extension *x = pending_extension(t);

    if (x == NULL)
        return;
    x->state = b->approve ? EXT_APPROVED : EXT_REJECTED;
    x->decided_at = now;
    set_str(&x->decided_by, who->user_id);
    set_str(&x->note, b->note);
    strbuf_addf(note, "%s %d days for %s", b->approve ? "approved" : "rejected", x->days,
                x->unit != NULL ? x->unit : "?");
    add_note(note, b->note);
    if (!b->approve)
        return;
    x->new_due_at = tr->set_due ? tr->due.due : 0;
    for (size_t i = 0; x->unit != NULL && i < t->n_assignments; i++) {
        struct assignment *a = &t->assignments[i];

        if (a->unit == NULL || strcmp(a->unit, x->unit) != 0 || a->due_at == 0)
            continue;
        if (a->state == ASSIGN_DISPATCHED || a->state == ASSIGN_ACCEPTED)
            a->due_at = rules_extended_due(c->tz, a->due_at, x->days);
    }
}

/* Send the lead back to work with a new deadline (dissatisfied callback, reopen). */
static void
lead_back_to_work(struct ticket *t, hl_time now, hl_time due)
{
    struct assignment *m = main_assignment(t);

    t->callback_at = 0;
    if (m == NULL)
        return;
    if (m->state == ASSIGN_RETURNED)
        fresh_assignment(m, now, due);
    else if (m->state == ASSIGN_REPLIED)
        m->state = ASSIGN_ACCEPTED;
    m->due_at = due;
}

/* Check and apply one workflow action. */
int
workflow_apply(const struct wf_ctx *c, struct ticket *t, const struct action_body *b,
               const struct rule_actor *who, hl_time now, struct verdict *v, struct err *e)
{
    struct verdict vv;
    struct transition tr;
    struct strbuf note;
    struct assignment *as;
    enum status from;
    enum action a;

    if (!ctx_ok(c) || t == NULL || b == NULL || who == NULL) {
        if (v != NULL) {
            memset(v, 0, sizeof *v);
            v->kind = VERDICT_INVALID;
            v->code = "invalid_request";
        }
        return err_set(e, HL_EINVAL, "", "Cannot apply an action without rules, time zone, "
                       "ticket, body and user.");
    }
    a = b->action;
    rules_check_args(c->rules, c->cal, c->tz, t, a, who, b, now, &vv);
    if (v != NULL)
        *v = vv;
    if (!vv.ok)
        return rules_verdict_err(&vv, e);

    rules_transition(c->rules, c->cal, c->tz, t, a, who, b, now, &tr);
    from = t->status;
    as = unit_assignment(t, who->unit);
    strbuf_init(&note);
    switch (a) {
    case ACTION_RESOLVE_DIRECT:
        set_str(&t->answer, b->answer);
        strlist_fini(&t->kb_refs);
        for (size_t i = 0; i < b->kb_refs.n; i++) {
            strlist_add(&t->kb_refs, b->kb_refs.v[i]);
            if (i > 0)
                strbuf_adds(&note, ", ");
            strbuf_adds(&note, b->kb_refs.v[i]);
        }
        break;
    case ACTION_DISPATCH:
        do_dispatch(c, t, b, now, &note);
        break;
    case ACTION_ACCEPT:
        if (as != NULL) {
            as->state = ASSIGN_ACCEPTED;
            as->accepted_at = now;
            strbuf_adds(&note, as->unit);
        }
        break;
    case ACTION_RETURN:
        if (as != NULL) {
            as->state = ASSIGN_RETURNED;
            as->returned_at = now;
            set_str(&as->return_reason, b->reason);
            strbuf_addf(&note, "%s: %s", as->unit, b->reason != NULL ? b->reason : "");
        }
        break;
    case ACTION_REPLY:
        if (as != NULL) {
            as->state = ASSIGN_REPLIED;
            as->replied_at = now;
            set_str(&as->reply, b->reply);
            strbuf_adds(&note, as->unit);
        }
        break;
    case ACTION_REQUEST_EXTENSION: {
        struct extension *x = ticket_add_extension(t);

        x->unit = xstrdup(who->unit);
        x->days = b->days;
        x->reason = xstrdup(b->reason);
        x->state = EXT_PENDING;
        x->requested_at = now;
        x->requested_by = xstrdup(who->user_id);
        strbuf_addf(&note, "%s: %d days: %s", who->unit != NULL ? who->unit : "?", b->days,
                    b->reason != NULL ? b->reason : "");
        break;
    }
    case ACTION_DECIDE_EXTENSION:
        do_decide_extension(c, t, b, who, now, &tr, &note);
        break;
    case ACTION_URGE:
    case ACTION_SUPERVISE: {
        struct urge *u = a == ACTION_URGE ? ticket_add_urge(t) : ticket_add_supervision(t);

        u->at = now;
        u->by = xstrdup(who->user_id);
        u->note = xstrdup(b->note);
        add_note(&note, b->note);
        break;
    }
    case ACTION_SCHEDULE_CALLBACK: {
        char when[32];

        t->callback_at = b->at;
        tz_format_rfc3339(c->tz, b->at, when, sizeof when);
        strbuf_addf(&note, "agreed for %s", when);
        break;
    }
    case ACTION_CALLBACK: {
        struct callback *cb = ticket_add_callback(t);

        cb->at = now;
        cb->by = xstrdup(who->user_id);
        cb->outcome = b->outcome;
        cb->satisfaction = b->outcome == CB_REACHED ? b->satisfaction : SAT_NONE;
        cb->note = xstrdup(b->note);
        strbuf_adds(&note, cb_outcome_str(b->outcome));
        if (cb->satisfaction != SAT_NONE)
            strbuf_addf(&note, ", %s", satisfaction_str(cb->satisfaction));
        add_note(&note, b->note);
        if (tr.status == STATUS_IN_PROGRESS && tr.set_due)
            lead_back_to_work(t, now, tr.due.due);
        break;
    }
    case ACTION_CLOSE:
        add_note(&note, b->note);
        break;
    case ACTION_REOPEN:
        add_note(&note, b->reason);
        if (tr.status == STATUS_IN_PROGRESS && tr.set_due)
            lead_back_to_work(t, now, tr.due.due);
        break;
    case ACTION_ARCHIVE:
    case ACTION_COUNT:
    default:
        break;
    }

    t->status = tr.status;
    if (tr.set_resolution)
        t->resolution = tr.resolution;
    if (tr.set_closed_at)
        t->closed_at = a == ACTION_REOPEN ? 0 : now;
    if (tr.set_due)
        apply_due(t, &tr.due);
    if (tr.set_callback_due)
        t->callback_due_at = tr.callback_due_at;
    add_event(t, now, action_str(a), who->user_id, from, t->status, take_note(&note));
    t->updated_at = now;
    t->flags = workflow_flags(c, t, now);
    err_clear(e);
    return HL_OK;
}
