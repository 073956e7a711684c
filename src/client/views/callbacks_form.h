/* callbacks_form: the small forms of the callbacks tab: record an attempt (outcome,
 * satisfaction, the caller's words), agree a time (schedule), close as unreachable (note). */
#pragma once

#include <curses.h>
#include <stdbool.h>
#include <stdint.h>

#include "hotline/codec.h"
#include "hotline/err.h"
#include "hotline/model.h"
#include "hotline/tz.h"
#include "keys.h"
#include "theme.h"
#include "ui/datetime.h"
#include "ui/input.h"
#include "ui/layout.h"

/* Which form. */
enum callbacks_form_kind {
    CALLBACKS_FORM_NONE = 0,
    CALLBACKS_FORM_ATTEMPT,   /* callback */
    CALLBACKS_FORM_SCHEDULE,  /* schedule_callback */
    CALLBACKS_FORM_CLOSE,     /* close (unreachable, or the caller declined) */
};

/* What a key did. */
enum callbacks_form_result {
    CALLBACKS_FORM_KEEP = 0,
    CALLBACKS_FORM_SUBMIT,
    CALLBACKS_FORM_CANCEL,
};

/* The fields of the attempt form. */
enum callbacks_form_field {
    CALLBACKS_FIELD_OUTCOME,
    CALLBACKS_FIELD_SATISFACTION,
    CALLBACKS_FIELD_NOTE,
};

/* A form over one ticket. */
struct callbacks_form {
    enum callbacks_form_kind kind;
    char *ticket_id;
    int64_t version;              /* the version the user saw (If-Match) */
    char *title;                  /* what the frame says (owned) */
    enum cb_outcome outcome;
    enum satisfaction satisfaction;
    struct input note;
    struct datetime_field at;
    enum callbacks_form_field focus;
    char *error;                  /* shown in the form (owned) */
};

/* Open a form of kind over t; at: the time the schedule form starts with (0: empty). */
void callbacks_form_open(struct callbacks_form *f, enum callbacks_form_kind kind,
                         const struct ticket *t, const struct tz *tz, hl_time at);
/* Close the form and free what it holds. */
void callbacks_form_close(struct callbacks_form *f);
/* True when a form is open. */
bool callbacks_form_is_open(const struct callbacks_form *f);
/* Set (msg != NULL) or clear the form's error line. */
void callbacks_form_set_error(struct callbacks_form *f, const char *msg);
/* Apply a key: ←→/Space change a choice, ↑↓/Tab move, Enter submits, Esc cancels. */
enum callbacks_form_result callbacks_form_key(struct callbacks_form *f,
                                              const struct key_event *ev);
/* The action body the form makes (codec_action_fini): HL_OK, or HL_EINVAL with e saying what
 * is wrong (a time that is not YYYY-MM-DD HH:MM). Pure. */
int callbacks_form_body(const struct callbacks_form *f, const struct tz *tz,
                        struct action_body *out, struct err *e);
/* Draw the form as a box inside area; *cy, *cx get the cursor. */
void callbacks_form_draw(struct callbacks_form *f, WINDOW *w, const struct rect *area,
                         const struct theme *th, int *cy, int *cx);
