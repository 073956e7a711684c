/* ticket_text: how the tickets tab words a ticket: names of states, natures and actions, time
 * left, and the reasons of the rules in a sentence. */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "hotline/util.h"
#include "i18n.h"
#include "views/ticket_text.h"

static const char *const status_names[STATUS_COUNT] = {
    [STATUS_ACCEPTED] = N_("accepted"),
    [STATUS_DISPATCHED] = N_("dispatched"),
    [STATUS_IN_PROGRESS] = N_("in progress"),
    [STATUS_RETURNED] = N_("returned"),
    [STATUS_REPLIED] = N_("replied"),
    [STATUS_CALLBACK] = N_("callback"),
    [STATUS_CLOSED] = N_("closed"),
    [STATUS_ARCHIVED] = N_("archived"),
};

static const char *const nature_names[NATURE_COUNT] = {
    [NATURE_CONSULT] = N_("consult"),
    [NATURE_HELP] = N_("help"),
    [NATURE_COMPLAINT] = N_("complaint"),
    [NATURE_REPORT] = N_("report"),
    [NATURE_SUGGESTION] = N_("suggestion"),
    [NATURE_PRAISE] = N_("praise"),
    [NATURE_ALARM] = N_("alarm"),
    [NATURE_REPAIR] = N_("repair"),
    [NATURE_SERVICE] = N_("service"),
};

static const char *const action_names[ACTION_COUNT] = {
    [ACTION_RESOLVE_DIRECT] = N_("Answer directly"),
    [ACTION_DISPATCH] = N_("Dispatch to units"),
    [ACTION_ACCEPT] = N_("Accept"),
    [ACTION_RETURN] = N_("Return"),
    [ACTION_REPLY] = N_("Reply"),
    [ACTION_REQUEST_EXTENSION] = N_("Request an extension"),
    [ACTION_DECIDE_EXTENSION] = N_("Decide the extension"),
    [ACTION_URGE] = N_("Urge"),
    [ACTION_SUPERVISE] = N_("Supervise"),
    [ACTION_SCHEDULE_CALLBACK] = N_("Schedule the callback"),
    [ACTION_CALLBACK] = N_("Record a callback"),
    [ACTION_CLOSE] = N_("Close"),
    [ACTION_REOPEN] = N_("Reopen"),
    [ACTION_ARCHIVE] = N_("Archive"),
};

static const char *const urgency_names[URGENCY_COUNT] = {
    [URGENCY_NORMAL] = N_("normal"),
    [URGENCY_URGENT] = N_("urgent"),
    [URGENCY_EMERGENCY] = N_("emergency"),
};

static const char *const assign_state_names[ASSIGN_STATE_COUNT] = {
    [ASSIGN_DISPATCHED] = N_("dispatched"),
    [ASSIGN_ACCEPTED] = N_("accepted"),
    [ASSIGN_RETURNED] = N_("returned"),
    [ASSIGN_REPLIED] = N_("replied"),
};

static const char *const outcome_names[CB_OUTCOME_COUNT] = {
    [CB_REACHED] = N_("reached"),
    [CB_NO_ANSWER] = N_("no answer"),
    [CB_BUSY] = N_("busy"),
    [CB_REFUSED] = N_("refused"),
    [CB_WRONG_NUMBER] = N_("wrong number"),
};

static const char *const satisfaction_names[SAT_COUNT] = {
    [SAT_NONE] = "",
    [SAT_SATISFIED] = N_("satisfied"),
    [SAT_BASIC] = N_("basically satisfied"),
    [SAT_DISSATISFIED] = N_("dissatisfied"),
};

static const char *const channel_names[CHANNEL_COUNT] = {
    [CHANNEL_PHONE] = N_("phone"),
    [CHANNEL_SMS] = N_("SMS"),
    [CHANNEL_WEB] = N_("web"),
    [CHANNEL_IM] = N_("messaging"),
    [CHANNEL_EMAIL] = N_("e-mail"),
    [CHANNEL_LETTER] = N_("letter"),
    [CHANNEL_WALK_IN] = N_("walk-in"),
};

/* Flag bits in bit order (enum ticket_flag). */
static const char *const flag_names[FLAG_COUNT] = {
    N_("near due"), N_("overdue"), N_("repeat caller"), N_("cluster"),
    N_("emergency"), N_("dissatisfied"), N_("late dispatch"), N_("supervised"),
};

/* Short reasons of the rules, by verdict code. */
static const struct {
    const char *code;
    const char *text;
} reasons[] = {
    {"forbidden_role", N_("your role may not do this")},
    {"not_your_unit", N_("the ticket is not dispatched to your unit")},
    {"extension_needs_supervisor", N_("a further extension needs a supervisor")},
    {"invalid_state", N_("not possible in the ticket's present state")},
    {"archived_read_only", N_("the ticket is archived and read-only")},
    {"archive_not_closed", N_("only a closed ticket can be archived")},
    {"urge_too_early", N_("half of the period has not passed")},
    {"urge_limit", N_("the most urges per ticket were made; a supervisor can supervise it")},
    {"return_window_closed", N_("the return window (1 working day after dispatch) has closed")},
    {"extension_limit", N_("no more extensions are allowed")},
    {"extension_too_long", N_("an extension adds at most 7 days")},
    {"extension_pending", N_("an extension request is waiting for a decision")},
    {"extension_none_pending", N_("no extension request is waiting")},
    {"extension_after_due", N_("the deadline has passed")},
    {"callback_quiet_hours", N_("no callbacks between 21:00 and 08:00")},
    {"callback_too_soon", N_("attempts must be at least 2 hours apart")},
    {"callback_not_due", N_("the caller booked a later time")},
    {"callback_not_required", N_("this nature needs no callback")},
    {"unreachable_needs_attempts",
     N_("a callback is owed: reach the caller or make 3 attempts first")},
    {"extension_days_invalid", N_("give a number of days")},
    {"callback_needs_satisfaction", N_("a reached callback records the satisfaction")},
    {"callback_in_past", N_("the time must still be ahead")},
};

const char *
ticket_text_channel(enum channel c)
{
    return (unsigned)c < CHANNEL_COUNT ? _(channel_names[c]) : "?";
}

const char *
ticket_text_flag(unsigned bit)
{
    for (size_t i = 0; i < FLAG_COUNT; i++) {
        if (bit == 1u << i)
            return _(flag_names[i]);
    }
    return "?";
}

const char *
ticket_text_event(const char *type)
{
    enum action a;

    if (type == NULL)
        return "?";
    if (strcmp(type, "created") == 0)
        return _("created");
    if (strcmp(type, "edited") == 0)
        return _("edited");
    if (action_parse(type, &a))
        return ticket_text_action(a);
    return type;
}

const char *
ticket_text_status(enum status s)
{
    return (unsigned)s < STATUS_COUNT ? _(status_names[s]) : "?";
}

const char *
ticket_text_nature(enum nature n)
{
    return (unsigned)n < NATURE_COUNT ? _(nature_names[n]) : "?";
}

const char *
ticket_text_action(enum action a)
{
    return (unsigned)a < ACTION_COUNT ? _(action_names[a]) : "?";
}

const char *
ticket_text_urgency(enum urgency u)
{
    return (unsigned)u < URGENCY_COUNT ? _(urgency_names[u]) : "?";
}

const char *
ticket_text_assign_state(enum assign_state s)
{
    return (unsigned)s < ASSIGN_STATE_COUNT ? _(assign_state_names[s]) : "?";
}

const char *
ticket_text_outcome(enum cb_outcome o)
{
    return (unsigned)o < CB_OUTCOME_COUNT ? _(outcome_names[o]) : "?";
}

const char *
ticket_text_satisfaction(enum satisfaction s)
{
    if ((unsigned)s >= SAT_COUNT || s == SAT_NONE)
        return "";
    return _(satisfaction_names[s]);
}

hl_time
ticket_text_deadline(const struct ticket *t)
{
    switch (t->status) {
    case STATUS_CLOSED:
    case STATUS_ARCHIVED:
        return 0;
    case STATUS_REPLIED:
    case STATUS_CALLBACK:
        return t->callback_due_at;
    default:
        return t->due_at;
    }
}

void
ticket_text_left(hl_time due, hl_time now, bool near, char *buf, size_t sz, enum slot *slot)
{
    int64_t d;
    int64_t days, hours, minutes;
    const char *sign = "";

    if (due == 0) {
        str_copy(buf, sz, "-");
        *slot = SLOT_MUTED;
        return;
    }
    d = due - now;
    if (d < 0) {
        sign = "-";
        d = -d;
        *slot = SLOT_OVERDUE;
    } else {
        *slot = near ? SLOT_NEAR_DUE : SLOT_OK;
    }
    days = d / 86400;
    hours = d % 86400 / 3600;
    minutes = d % 3600 / 60;
    if (days > 0)
        snprintf(buf, sz, "%s%lldd %02lldh", sign, (long long)days, (long long)hours);
    else
        snprintf(buf, sz, "%s%lldh %02lldm", sign, (long long)hours, (long long)minutes);
}

const char *
ticket_text_reason(const struct verdict *v)
{
    for (size_t i = 0; i < ARRAY_SIZE(reasons); i++) {
        if (v->code != NULL && strcmp(v->code, reasons[i].code) == 0)
            return _(reasons[i].text);
    }
    return v->message;
}

/* The short reason of a code, or NULL when unknown. */
static const char *
reason_of_code(const char *code)
{
    for (size_t i = 0; i < ARRAY_SIZE(reasons); i++) {
        if (code != NULL && strcmp(code, reasons[i].code) == 0)
            return _(reasons[i].text);
    }
    return NULL;
}

/* "<Action> possible from <time>: <reason>" or "<Action>: <reason>". Caller owns. */
static char *
refusal(const struct app *app, enum action a, hl_time from, const char *reason)
{
    char when[32];

    if (from != 0) {
        app_format_time(app, from, true, when, sizeof when);
        return xasprintf(_("%s possible from %s: %s"), ticket_text_action(a), when, reason);
    }
    return xasprintf(_("%s: %s"), ticket_text_action(a), reason);
}

char *
ticket_text_refusal(const struct app *app, enum action a, const struct verdict *v)
{
    return refusal(app, a, v->possible_from, ticket_text_reason(v));
}

char *
ticket_text_server_refusal(const struct app *app, enum action a, const char *code,
                           hl_time possible_from, const char *message)
{
    const char *reason = reason_of_code(code);

    return refusal(app, a, possible_from, reason != NULL ? reason : message);
}
