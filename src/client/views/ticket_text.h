/* ticket_text: how the tickets tab words a ticket: names of states, natures and actions, time
 * left, and the reasons of the rules in a sentence. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "hotline/codec.h"
#include "hotline/datetime.h"
#include "hotline/model.h"
#include "hotline/rules.h"
#include "theme.h"

struct app;

/* A status's name, translated ("in progress" / 办理中). Borrowed static or catalogue. */
const char *ticket_text_status(enum status s);
/* Translated label of a channel; borrowed static. */
const char *ticket_text_channel(enum channel c);
/* Translated label of one flag bit; borrowed static. */
const char *ticket_text_flag(unsigned bit);
/* Translated label of a timeline event type ("created", "edited", an action name);
 * an unknown type as it is (borrowed from the argument). */
const char *ticket_text_event(const char *type);
/* A nature's name, translated. */
const char *ticket_text_nature(enum nature n);
/* An action's name, translated ("Urge" / 催办). */
const char *ticket_text_action(enum action a);
/* An urgency's name, translated. */
const char *ticket_text_urgency(enum urgency u);
/* An assignment state's name, translated. */
const char *ticket_text_assign_state(enum assign_state s);
/* A callback outcome's name, translated. */
const char *ticket_text_outcome(enum cb_outcome o);
/* A satisfaction's name, translated ("" for none). */
const char *ticket_text_satisfaction(enum satisfaction s);
/* The deadline that counts for the ticket now: due_at while processing, callback_due_at once
 * replied (when one is owed), 0 when closed or archived. */
hl_time ticket_text_deadline(const struct ticket *t);
/* Time left until due at now, short: "2d 03h", "5h 10m", "-1d 02h" (overdue), "-" for none;
 * *slot gets the colour (SLOT_OK, SLOT_NEAR_DUE, SLOT_OVERDUE, SLOT_MUTED). near: the ticket
 * carries near_due. */
void ticket_text_left(hl_time due, hl_time now, bool near, char *buf, size_t sz,
                      enum slot *slot);
/* Why a verdict refuses, in a short translated sentence (by its code; the rule's own English
 * message when the code is unknown). */
const char *ticket_text_reason(const struct verdict *v);
/* The whole explanation of a refusal: "Urge possible from 11-24 14:00: half of the period has
 * not passed", or "Return: <reason>". Caller owns. */
char *ticket_text_refusal(const struct app *app, enum action a, const struct verdict *v);
/* A refusal by the server (error code and possible_from of an api result) worded likewise;
 * message: the server's sentence. Caller owns. */
char *ticket_text_server_refusal(const struct app *app, enum action a, const char *code,
                                 hl_time possible_from, const char *message);
