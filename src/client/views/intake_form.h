/* intake_form: the intake form's data and rules without a terminal: validation, the
 * confidentiality prompt, the ticket it makes, the draft file, history and suggestions. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hotline/datetime.h"
#include "hotline/err.h"
#include "hotline/model.h"
#include "hotline/phone.h"
#include "hotline/tz.h"

/* The form's fields, in the order Tab visits them. */
enum intake_field {
    INTAKE_F_PHONE,
    INTAKE_F_SALUTATION,
    INTAKE_F_NAME,
    INTAKE_F_ADDRESS,
    INTAKE_F_ORG,
    INTAKE_F_CHANNEL,
    INTAKE_F_NATURE,
    INTAKE_F_LEVEL,          /* complaint level: only while the nature is complaint */
    INTAKE_F_CATEGORY,
    INTAKE_F_TITLE,
    INTAKE_F_DESCRIPTION,
    INTAKE_F_LOCATION,
    INTAKE_F_URGENCY,
    INTAKE_F_DUE,            /* the caller's own time limit, "YYYY-MM-DD HH:MM" */
    INTAKE_F_CONFIDENTIAL,
    INTAKE_F_COUNT
};

/* How a field is edited. */
enum intake_kind {
    INTAKE_KIND_TEXT,        /* one line */
    INTAKE_KIND_AREA,        /* many lines */
    INTAKE_KIND_CHOICE,      /* Left/Right/Space cycle through fixed values */
    INTAKE_KIND_PICKER,      /* Enter opens a picker */
    INTAKE_KIND_CHECK,       /* Space toggles */
};

/* Longest text of each kind of field, in characters (the wire's limits). */
#define INTAKE_MAX_SHORT MODEL_MAX_SHORT
#define INTAKE_MAX_TITLE MODEL_MAX_TITLE
#define INTAKE_MAX_ADDRESS MODEL_MAX_ADDRESS
#define INTAKE_MAX_TEXT MODEL_MAX_TEXT
/* Longest draft file read, bytes. */
#define INTAKE_DRAFT_MAX (256u * 1024u)
/* Version of the draft file's format. */
#define INTAKE_DRAFT_VERSION 1

/* What the form holds. Text members are owned and never NULL after init. */
struct intake_form {
    char *text[INTAKE_F_COUNT];    /* text fields only (phone, name, address, org, title,
                                    * description, location, due); others stay "" */
    enum salutation salutation;
    enum channel channel;
    bool nature_set;               /* false until the agent chose a nature */
    enum nature nature;
    int complaint_level;           /* 0 not graded, 1 major, 2 general, 3 minor */
    char *category;                /* code, "" when none */
    char *category_label;          /* its label, "" when none */
    enum urgency urgency;
    bool confidential;
    bool confidential_asked;       /* the agent offered confidentiality on this call */
    hl_time call_started;          /* wall clock, 0 when no call */
};

/* What the check is for. */
enum intake_purpose {
    INTAKE_FOR_ANSWER,             /* answer directly: nature, description, phone for calls */
    INTAKE_FOR_ORDER,              /* a work order: also name, category, complaint level */
};

/* One problem found by intake_form_check: the field and a sentence (an untranslated msgid,
 * static: translate with _() to show it). */
struct intake_problem {
    enum intake_field field;
    const char *msg;
};

/* Most problems intake_form_check reports. */
#define INTAKE_MAX_PROBLEMS INTAKE_F_COUNT

/* An empty form (channel phone, urgency normal, nothing else). */
void intake_form_init(struct intake_form *f);
/* Free what the form owns. */
void intake_form_fini(struct intake_form *f);
/* Empty every field (a new call); call_started is kept. */
void intake_form_clear(struct intake_form *f);
/* How a field is edited. */
enum intake_kind intake_field_kind(enum intake_field field);
/* The field's label, an untranslated msgid ("Phone"). */
const char *intake_field_label(enum intake_field field);
/* Longest text of a text field in characters (0 for other fields). */
size_t intake_field_max(enum intake_field field);
/* True when the field is shown and visited (the level only for complaints). */
bool intake_field_visible(const struct intake_form *f, enum intake_field field);
/* The next (dir 1) or previous (dir -1) visible field after field, wrapping round. */
enum intake_field intake_field_step(const struct intake_form *f, enum intake_field field, int dir);
/* Set a text field (a copy; NULL is ""); ignored for other fields. */
void intake_form_set_text(struct intake_form *f, enum intake_field field, const char *s);
/* A text field's text; "" for others. Borrowed until the field changes. */
const char *intake_form_text(const struct intake_form *f, enum intake_field field);
/* Step a choice field by dir (1 or -1) through its values, wrapping round; the nature steps
 * from unset to the first value. Returns true when a confidentiality prompt is now due
 * (see intake_form_set_nature). */
bool intake_form_cycle(struct intake_form *f, enum intake_field field, int dir);
/* The text a choice field shows ("先生", "投诉", "2 一般"; "" when unset). Static. */
const char *intake_form_choice_text(const struct intake_form *f, enum intake_field field);
/* Set the nature. Leaving complaint clears the complaint level. Returns true when the
 * agent must now offer confidentiality: the nature is complaint or report and it was not
 * offered on this call yet. */
bool intake_form_set_nature(struct intake_form *f, enum nature n);
/* True when a confidentiality prompt is due (see intake_form_set_nature). */
bool intake_form_confidential_due(const struct intake_form *f);
/* Record the caller's answer to the confidentiality offer. */
void intake_form_answer_confidential(struct intake_form *f, bool confidential);
/* Set the category (copies; NULL clears). */
void intake_form_set_category(struct intake_form *f, const char *code, const char *label);
/* True when the agent typed or chose anything (the call timer alone does not count). */
bool intake_form_touched(const struct intake_form *f);
/* The phone's normalised form (default area: none, as the server matches); false while the
 * number is not complete or not valid. */
bool intake_form_phone(const struct intake_form *f, struct phone *out);

/* Check the form for purpose at now (the time limit must lie ahead) in zone tz. Fills at
 * most max problems in field order and returns how many there are in all (0: fine). */
size_t intake_form_check(const struct intake_form *f, enum intake_purpose purpose,
                         const struct tz *tz, hl_time now, struct intake_problem *out,
                         size_t max);
/* The caller's time limit into *out (0 when the field is empty). HL_EINVAL when it cannot
 * be read. */
int intake_form_due(const struct intake_form *f, const struct tz *tz, hl_time *out,
                    struct err *e);
/* Fill the matter of a new ticket (ticket_new()) from the form. HL_EINVAL when the time
 * limit cannot be read or the nature is unset. */
int intake_form_to_ticket(const struct intake_form *f, const struct tz *tz, struct ticket *t,
                          struct err *e);

/* The draft as JSON text (saved_at: when). Caller owns. */
char *intake_draft_encode(const struct intake_form *f, hl_time saved_at);
/* Read a draft into f (cleared first); *saved_at (may be NULL) gets when it was saved.
 * Unknown members are ignored, members of the wrong type skipped. HL_EINVAL when the text
 * is not a draft. */
int intake_draft_decode(const char *json, size_t len, struct intake_form *f, hl_time *saved_at,
                        struct err *e);
/* Write the draft to path atomically (temporary file, fsync, rename), mode 0600. */
int intake_draft_save(const char *path, const struct intake_form *f, hl_time saved_at,
                      struct err *e);
/* Read the draft at path into f. HL_ENOENT when there is none. */
int intake_draft_load(const char *path, struct intake_form *f, hl_time *saved_at,
                      struct err *e);
/* Remove the draft at path (a missing file is fine). */
void intake_draft_remove(const char *path);
/* $XDG_STATE_HOME/hotline/draft.json (the directory created). Caller owns; NULL + e. */
char *intake_draft_path(struct err *e);

/* What a caller's history says. */
struct intake_history_summary {
    size_t total;
    size_t open;                   /* neither closed nor archived */
    bool repeat_warning;           /* open tickets: the caller is calling again */
    hl_time last;                  /* newest created_at, 0 when none */
};

/* Summarise a caller's tickets. */
void intake_history_summarize(const struct ticket *items, size_t n,
                              struct intake_history_summary *out);

/* Longest search term, bytes. */
#define INTAKE_TERM_MAX 64
/* Most terms intake_kb_terms makes. */
#define INTAKE_MAX_TERMS 3

/* Search terms for knowledge-base suggestions from what the agent typed: the text is cut at
 * punctuation, spaces and filler words (请问, 怎么, 反映 ...); pieces of 2 to 8 characters
 * are terms (longer ones are cut to their first 8), the latest typed first, no repeats.
 * Fills at most max and returns how many. */
size_t intake_kb_terms(const char *title, const char *description,
                       char out[][INTAKE_TERM_MAX], size_t max);
/* The districts named in text ("高新区", "东城区", "某某县"): up to max, each at most
 * INTAKE_TERM_MAX bytes. Returns how many. */
size_t intake_districts(const char *text, char out[][INTAKE_TERM_MAX], size_t max);
/* True when an emergency notice concerns the caller's area: its region is named in the
 * address or location (a nationwide notice concerns everyone), or its title, snippet or
 * body names a district of the address or location. False for other kinds. */
bool intake_notice_matches(const struct article *a, const char *address, const char *location);
/* Order suggestions: notices matching the area first, then the rest as given. Writes the
 * indexes into order (n entries). */
void intake_kb_order(const struct article *const *items, size_t n, const char *address,
                     const char *location, size_t *order);
/* The answer prefilled from the articles chosen: each article's body (or its snippet
 * without the highlight marks when the body is not known yet), separated by a blank line,
 * cut to INTAKE_MAX_TEXT characters. Caller owns. */
char *intake_answer_prefill(const struct article *const *chosen, size_t n);
