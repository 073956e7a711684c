/* intake_phrases: the standard phrases an agent says (greeting, surname, hold, transfer,
 * closing), by hotline, channel and holiday. Pure. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "hotline/calendar.h"
#include "hotline/datetime.h"
#include "hotline/model.h"
#include "hotline/tz.h"

/* The phrases, in the order the panel lists them. */
enum intake_phrase {
    INTAKE_PHRASE_GREETING,
    INTAKE_PHRASE_SURNAME,
    INTAKE_PHRASE_HOLD,
    INTAKE_PHRASE_HOLD_AGAIN,     /* every 30 s on hold */
    INTAKE_PHRASE_HOLD_BACK,      /* taking the call back */
    INTAKE_PHRASE_TRANSFER,       /* quotes the request number and the unit */
    INTAKE_PHRASE_ANSWERED,       /* after a direct answer */
    INTAKE_PHRASE_CLOSING,
    INTAKE_PHRASE_COUNT
};

/* What the phrases depend on. Strings are borrowed; NULL or "" when unknown. */
struct intake_phrase_ctx {
    const char *profile;          /* rule profile: "12345" (default), "95198", "956100" */
    enum channel channel;
    const char *holiday;          /* today's official holiday ("国庆节"), NULL on other days */
    const char *surname;          /* the caller's name as typed */
    enum salutation salutation;
    const char *ticket_id;        /* the request number, for the transfer */
    const char *unit;             /* the receiving unit's name, for the transfer */
};

/* The phrase's label, an untranslated msgid ("Greeting"). */
const char *intake_phrase_label(enum intake_phrase p);
/* The phrase for ctx, in Chinese (what is said to the caller). Caller owns. */
char *intake_phrase_text(enum intake_phrase p, const struct intake_phrase_ctx *ctx);
/* The hotline's name for the greeting ("市民热线" for 12345). Static. */
const char *intake_phrase_hotline(const char *profile);
/* The name of the official holiday at instant now in zone tz ("春节"), or NULL on other
 * days (make-up working days and ordinary weekends included). Borrowed from cal. */
const char *intake_phrase_holiday(const struct calendar *cal, const struct tz *tz, hl_time now);
/* How the caller is addressed: surname + 先生/女士 ("王先生"), the name alone, or "您". The
 * surname is the name's first character when the name looks like a full Chinese name
 * (2 to 4 Chinese characters). Caller owns. */
char *intake_phrase_address(const char *name, enum salutation s);
