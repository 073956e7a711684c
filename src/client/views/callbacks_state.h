/* callbacks_state: the callbacks tab's decisions without a terminal: what the call button
 * says from a rules_check verdict, the attempts of the current round, the reply to read out,
 * and the sentence that reports an action's result. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "hotline/codec.h"
#include "hotline/datetime.h"
#include "hotline/model.h"
#include "hotline/rules.h"
#include "hotline/tz.h"
#include "theme.h"

/* What the "record an attempt" control shows. */
struct callbacks_button {
    bool enabled;             /* calling (recording an attempt) is allowed now */
    enum slot slot;           /* SLOT_OK when enabled, SLOT_WARN when only time stands in the
                               * way, SLOT_MUTED when it is not possible at all */
    hl_time from;             /* when it becomes possible (verdict.possible_from), 0: never
                               * or unknown */
    char text[256];           /* translated: "Calling allowed now", "Calling disabled: quiet
                               * hours, no calls now; next allowed 11-23 08:00" */
    char detail[384];         /* the rule's own sentence (verdict.message), "" when ok */
};

/* The control for a callback attempt from rules_check's verdict on ACTION_CALLBACK at now
 * (times in tz: "08:00" today, "11-23 08:00" another day). Pure. */
void callbacks_state_button(const struct verdict *v, const struct tz *tz, hl_time now,
                            struct callbacks_button *out);
/* A time for the callbacks tab: "14:00" when on now's local date, else "11-23 14:00";
 * "-" for 0. */
void callbacks_state_when(const struct tz *tz, hl_time t, hl_time now, char *buf, size_t sz);

/* The attempts of the current round (at or after the lead's latest reply). */
struct callbacks_round {
    size_t attempts;          /* all of them */
    size_t failed;            /* no answer, busy, wrong number */
    bool refused;             /* the caller declined the callback */
    hl_time last;             /* the latest attempt, 0 when none */
};

/* Count the current round's attempts of t (display only: rules_check decides). Pure. */
void callbacks_state_round(const struct ticket *t, struct callbacks_round *out);
/* The assignment whose reply the caller hears: the lead's, else the first that replied;
 * NULL when no unit has replied. Borrowed from t. */
const struct assignment *callbacks_state_reply(const struct ticket *t);

/* The sentence reporting what an action did to the ticket (after: the server's answer;
 * b: what was sent): a dissatisfied callback "sent back to <unit> to redo (退回重办): new
 * deadline ...", a closed ticket, a failed attempt with the next allowed time (next: the
 * verdict's possible_from on after, 0 none), an agreed time. unit: the lead unit's name.
 * *slot gets how to draw it. Pure (translated). */
void callbacks_state_result(const struct ticket *after, const struct action_body *b,
                            const char *unit, hl_time next, const struct tz *tz, hl_time now,
                            char *buf, size_t sz, enum slot *slot);
