/* ticket_form: the form of one workflow action (or of an edit of the matter) on a ticket:
 * its fields, keys, drawing and the action body it makes. */
#pragma once

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

#include "hotline/codec.h"
#include "hotline/err.h"
#include "hotline/model.h"
#include "keys.h"
#include "ui/datetime.h"
#include "ui/input.h"
#include "ui/layout.h"
#include "ui/list.h"

struct app;

/* Most fields a form has (besides the unit list). */
#define TICKET_FORM_MAX_FIELDS 4

/* Kinds of field. */
enum ticket_form_kind {
    TICKET_FORM_TEXT,       /* one line of text */
    TICKET_FORM_NUMBER,     /* a whole number */
    TICKET_FORM_CHOICE,     /* one of a few values (Left/Right/Space) */
    TICKET_FORM_DATETIME,   /* YYYY-MM-DD HH:MM in the centre's zone */
    TICKET_FORM_UNITS,      /* the units of a dispatch, each none / lead / assist */
};

/* One field. */
struct ticket_form_field {
    enum ticket_form_kind kind;
    const char *label;                  /* N_() */
    bool required;
    struct input in;                    /* TEXT, NUMBER */
    struct datetime_field dt;           /* DATETIME */
    const char *const *choices;         /* CHOICE: N_() names */
    size_t nchoices;
    size_t choice;
    const char *name;                   /* edit: the matter field's wire name */
};

/* A unit of the dispatch list (strings borrowed from the app's /meta while the form is open). */
struct ticket_form_unit {
    const char *code;
    const char *name;
    int role;                           /* 0 none, 1 lead, 2 assist */
};

/* What a key did. */
enum ticket_form_result {
    TICKET_FORM_NONE = 0,
    TICKET_FORM_SUBMIT,
    TICKET_FORM_CANCEL,
};

/* A form for one action on one ticket. */
struct ticket_form {
    bool open;
    enum action action;
    bool edit;                          /* an edit of the matter (PATCH) instead */
    char *ticket_id;
    int64_t version;                    /* the version the user saw (If-Match) */
    struct ticket_form_field f[TICKET_FORM_MAX_FIELDS];
    size_t n;
    size_t focus;
    struct ticket_form_unit *units;     /* dispatch */
    size_t n_units;
    struct list ulist;
    char *error;                        /* shown in the form (owned) */
};

/* True when action a needs no input (accept, archive): a yes/no question is enough. */
bool ticket_form_trivial(enum action a);
/* Open the form of action a on t (units from app's /meta for a dispatch). */
void ticket_form_open(struct ticket_form *f, struct app *app, const struct ticket *t,
                      enum action a);
/* Open the edit form of t's matter (title, location, description). */
void ticket_form_open_edit(struct ticket_form *f, const struct ticket *t);
/* Close the form and free what it holds. */
void ticket_form_close(struct ticket_form *f);
/* Set (or clear) the error shown in the form. */
void ticket_form_set_error(struct ticket_form *f, const char *msg);
/* Apply a key. */
enum ticket_form_result ticket_form_key(struct ticket_form *f, const struct key_event *ev);
/* The action body the form makes (codec_action_fini); HL_EINVAL with a message naming the
 * field when something required is missing or wrong. */
int ticket_form_body(const struct ticket_form *f, struct app *app, struct action_body *out,
                     struct err *e);
/* Apply an edit form onto t (a copy of the ticket); names the fields changed into fields. */
void ticket_form_apply_edit(const struct ticket_form *f, struct ticket *t,
                            struct strlist *fields);
/* Draw the form as a box centred in area; *cy, *cx get the cursor (-1 when hidden). */
void ticket_form_draw(struct ticket_form *f, struct app *app, WINDOW *w,
                      const struct rect *area, int *cy, int *cx);
