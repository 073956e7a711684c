/* kb_edit: the article form of the knowledge-base tab (supervisors write and edit articles):
 * fields, keys, drawing, and the article it makes. */
#pragma once

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hotline/err.h"
#include "hotline/model.h"
#include "keys.h"
#include "theme.h"
#include "ui/input.h"
#include "ui/layout.h"
#include "ui/textarea.h"

/* The fields, in order. */
enum kb_edit_field {
    KB_EDIT_TITLE,
    KB_EDIT_KIND,
    KB_EDIT_SCOPE,
    KB_EDIT_REGION,
    KB_EDIT_CATEGORY,
    KB_EDIT_TAGS,
    KB_EDIT_FROM,
    KB_EDIT_TO,
    KB_EDIT_BODY,
    KB_EDIT_NFIELDS
};

/* What a key did. */
enum kb_edit_result {
    KB_EDIT_NONE = 0,      /* handled (or ignored), the form stays */
    KB_EDIT_SAVE,          /* F9: kb_edit_article, then send */
    KB_EDIT_CANCEL,        /* Esc */
};

/* The form. */
struct kb_edit {
    bool open;
    char *id;              /* the article edited; NULL for a new one */
    int64_t version;       /* the version the user saw (If-Match) */
    enum kb_status status; /* its status (shown) */
    struct input text[KB_EDIT_NFIELDS];   /* the one-line fields (KIND, SCOPE, BODY unused) */
    enum kb_kind kind;
    enum kb_scope scope;
    struct textarea body;
    enum kb_edit_field focus;
    bool changed;          /* a choice changed (text fields know by themselves) */
    int body_w;            /* the body's width when last drawn */
    bool sending;
    char *error;           /* shown at the bottom (owned), NULL: none */
};

/* Open the form: empty for a new article (a == NULL), else filled from a. */
void kb_edit_open(struct kb_edit *f, const struct article *a);
/* Close the form and free what it holds. */
void kb_edit_close(struct kb_edit *f);
/* True when something was typed or changed since it opened. */
bool kb_edit_modified(const struct kb_edit *f);
/* Set (msg != NULL) or clear the error line. */
void kb_edit_set_error(struct kb_edit *f, const char *msg);
/* Apply a key (width: the body's width for moving in it; 0: as last drawn). */
enum kb_edit_result kb_edit_key(struct kb_edit *f, const struct key_event *ev, int width);
/* Build the article of the form into *out (article_free): HL_OK, or HL_EINVAL with e saying
 * which field is wrong (blank title or body, a date that is not YYYY-MM-DD, validity ending
 * before it starts). today is the centre's local date (a day number) for an empty "valid
 * from". Pure. */
int kb_edit_article(const struct kb_edit *f, int64_t today, struct article **out, struct err *e);
/* Split a tags field ("停水, 供水，公告") into tags: commas (also full-width) and 、 separate,
 * spaces around are dropped, duplicates and blanks skipped. Pure. */
void kb_edit_split_tags(const char *s, struct strlist *out);
/* Draw the form into r; *cy, *cx get the cursor. */
void kb_edit_draw(struct kb_edit *f, WINDOW *w, const struct rect *r, const struct theme *th,
                  int *cy, int *cx);
