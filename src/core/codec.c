/* codec: the JSON wire format of DESIGN §3 and §5; client and server both use it.
 *
 * Every JSON shape (ticket, caller, assignment, action body, article ...) is one
 * table of fields (name, type, offset into its struct, limits). The encoder and
 * the decoder walk the same table, so the two directions cannot drift apart. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hotline/codec.h"
#include "hotline/phone.h"
#include "hotline/text.h"
#include "hotline/util.h"

/* Enums are read and written as int through memcpy; they must have int's size. */
_Static_assert(sizeof(enum channel) == sizeof(int), "enum size");
_Static_assert(sizeof(enum salutation) == sizeof(int), "enum size");
_Static_assert(sizeof(enum nature) == sizeof(int), "enum size");
_Static_assert(sizeof(enum urgency) == sizeof(int), "enum size");
_Static_assert(sizeof(enum status) == sizeof(int), "enum size");
_Static_assert(sizeof(enum resolution) == sizeof(int), "enum size");
_Static_assert(sizeof(enum assign_role) == sizeof(int), "enum size");
_Static_assert(sizeof(enum assign_state) == sizeof(int), "enum size");
_Static_assert(sizeof(enum ext_state) == sizeof(int), "enum size");
_Static_assert(sizeof(enum cb_outcome) == sizeof(int), "enum size");
_Static_assert(sizeof(enum satisfaction) == sizeof(int), "enum size");
_Static_assert(sizeof(enum user_role) == sizeof(int), "enum size");
_Static_assert(sizeof(enum kb_kind) == sizeof(int), "enum size");
_Static_assert(sizeof(enum kb_scope) == sizeof(int), "enum size");
_Static_assert(sizeof(enum kb_status) == sizeof(int), "enum size");
_Static_assert(sizeof(enum call_event_type) == sizeof(int), "enum size");

/* Largest integer a JSON number (an IEEE double) carries exactly: 2^53. */
#define JSON_INT_MAX 9007199254740992LL

/* ---- actions ---- */

static const char *const action_names[ACTION_COUNT] = {
    "resolve_direct", "dispatch", "accept", "return", "reply", "request_extension",
    "decide_extension", "urge", "supervise", "schedule_callback", "callback", "close",
    "reopen", "archive",
};

/* Wire name of an action. */
const char *
action_str(enum action a)
{
    if ((unsigned)a >= ACTION_COUNT)
        return "?";
    return action_names[a];
}

/* Action of a wire name. */
bool
action_parse(const char *s, enum action *out)
{
    size_t i;

    if (s == NULL)
        return false;
    for (i = 0; i < ACTION_COUNT; i++) {
        if (strcmp(action_names[i], s) == 0) {
            *out = (enum action)i;
            return true;
        }
    }
    return false;
}

/* ---- enum descriptors: one uniform view of every model enum ---- */

struct enum_desc {
    int count;
    bool has_none;                        /* value 0 is NONE: "" on the wire, null accepted */
    const char *(*str)(int v);
    bool (*parse)(const char *s, int *out);
};

/* Define <type>_desc with int adapters around <type>_str and <type>_parse. */
#define ENUM_DESC(type, count, none)                                          \
    static const char *                                                       \
    type##_name(int v)                                                        \
    {                                                                         \
        return type##_str((enum type)v);                                      \
    }                                                                         \
                                                                              \
    static bool                                                               \
    type##_read(const char *s, int *out)                                      \
    {                                                                         \
        enum type v;                                                          \
                                                                              \
        if (!type##_parse(s, &v))                                             \
            return false;                                                     \
        *out = (int)v;                                                        \
        return true;                                                          \
    }                                                                         \
                                                                              \
    static const struct enum_desc type##_desc = {                             \
        count, none, type##_name, type##_read,                                \
    };

ENUM_DESC(channel, CHANNEL_COUNT, false)
ENUM_DESC(salutation, SALUTATION_COUNT, true)
ENUM_DESC(nature, NATURE_COUNT, false)
ENUM_DESC(urgency, URGENCY_COUNT, false)
ENUM_DESC(status, STATUS_COUNT, false)
ENUM_DESC(resolution, RESOLUTION_COUNT, true)
ENUM_DESC(assign_role, ASSIGN_ROLE_COUNT, false)
ENUM_DESC(assign_state, ASSIGN_STATE_COUNT, false)
ENUM_DESC(ext_state, EXT_STATE_COUNT, false)
ENUM_DESC(cb_outcome, CB_OUTCOME_COUNT, false)
ENUM_DESC(satisfaction, SAT_COUNT, true)
ENUM_DESC(user_role, USER_ROLE_COUNT, false)
ENUM_DESC(kb_kind, KB_KIND_COUNT, false)
ENUM_DESC(kb_scope, KB_SCOPE_COUNT, false)
ENUM_DESC(kb_status, KB_STATUS_COUNT, false)
ENUM_DESC(call_event_type, CALL_EVENT_COUNT, false)

/* ---- shapes ---- */

/* What a field holds. */
enum ftype {
    F_STR,        /* char *, NULL <-> null */
    F_ENUM,       /* an enum (int-sized); NONE <-> null when the enum has one */
    F_TIME,       /* hl_time, 0 <-> null */
    F_INT64,      /* int64_t in [min, max] */
    F_INT,        /* int in [min, max]; with FL_NULL0, 0 <-> null */
    F_BOOL,       /* bool */
    F_STRLIST,    /* struct strlist of texts of one kind; at most max entries */
    F_FLAGS,      /* unsigned flag bits <-> array of names */
    F_DATE,       /* int64_t day number <-> "YYYY-MM-DD" */
    F_DATE_OPEN,  /* int64_t day number, INT64_MAX <-> null */
    F_OBJECT,     /* an embedded struct of shape sub */
    F_ARRAY,      /* pointer at off + size_t count at count_off; elements of shape sub */
};

/* What a text may contain. */
enum tkind {
    TK_SHORT,     /* one line, MODEL_MAX_SHORT */
    TK_CODE,      /* ids and codes: letters, digits, '_', '.', '-'; MODEL_MAX_SHORT */
    TK_PHONE,     /* one line, MODEL_MAX_SHORT, a valid number in request bodies */
    TK_TITLE,     /* one line, MODEL_MAX_TITLE */
    TK_ADDRESS,   /* one line, MODEL_MAX_ADDRESS */
    TK_TEXT,      /* tabs and newlines allowed, MODEL_MAX_TEXT */
};

/* Field flags. */
enum {
    FL_REQUIRED = 1 << 0,   /* must be present and not null */
    FL_NONBLANK = 1 << 1,   /* a text that is not only white space */
    FL_NULL0    = 1 << 2,   /* F_INT: 0 is written as null, null reads as 0 */
    FL_UNIQUE   = 1 << 3,   /* F_STRLIST: no value twice (checked in request bodies) */
};

struct shape;

/* One member of a JSON object and where it lives in its struct. */
struct field {
    const char *name;
    enum ftype type;
    size_t off;
    unsigned flags;
    enum tkind kind;                  /* F_STR, F_STRLIST */
    const struct enum_desc *en;       /* F_ENUM */
    int64_t min, max;                 /* F_INT, F_INT64; F_STRLIST and F_ARRAY: entries */
    const struct shape *sub;          /* F_OBJECT, F_ARRAY */
    size_t count_off;                 /* F_ARRAY */
};

/* A JSON object shape: its fields and the size of its struct. */
struct shape {
    const struct field *fields;
    size_t n;
    size_t size;
};

#define SHAPE(st, table) { table, ARRAY_SIZE(table), sizeof(st) }

#define STR(st, m, k, fl)  { .name = #m, .type = F_STR, .off = offsetof(st, m), .kind = (k), .flags = (fl) }
#define ENUM(st, m, e, fl) { .name = #m, .type = F_ENUM, .off = offsetof(st, m), .en = &e##_desc, .flags = (fl) }
#define TIME(st, m, fl)    { .name = #m, .type = F_TIME, .off = offsetof(st, m), .flags = (fl) }
#define INT64(st, m, lo, hi, fl) \
    { .name = #m, .type = F_INT64, .off = offsetof(st, m), .min = (lo), .max = (hi), .flags = (fl) }
#define INT(st, m, lo, hi, fl) \
    { .name = #m, .type = F_INT, .off = offsetof(st, m), .min = (lo), .max = (hi), .flags = (fl) }
#define BOOL(st, m, fl)    { .name = #m, .type = F_BOOL, .off = offsetof(st, m), .flags = (fl) }
#define STRLIST(st, m, k, fl) \
    { .name = #m, .type = F_STRLIST, .off = offsetof(st, m), .kind = (k), .max = MODEL_MAX_ITEMS, .flags = (fl) }
#define FLAGS(st, m)       { .name = #m, .type = F_FLAGS, .off = offsetof(st, m) }
#define DATE(st, m, fl)    { .name = #m, .type = F_DATE, .off = offsetof(st, m), .flags = (fl) }
#define DATE_OPEN(st, m)   { .name = #m, .type = F_DATE_OPEN, .off = offsetof(st, m) }
#define OBJECT(st, m, s)   { .name = #m, .type = F_OBJECT, .off = offsetof(st, m), .sub = &(s) }
#define ARRAY(st, m, cnt, s, lo, hi, fl) \
    { .name = #m, .type = F_ARRAY, .off = offsetof(st, m), .count_off = offsetof(st, cnt), \
      .sub = &(s), .min = (lo), .max = (hi), .flags = (fl) }

static const struct field caller_fields[] = {
    STR(struct caller, name, TK_SHORT, 0),
    ENUM(struct caller, salutation, salutation, 0),
    STR(struct caller, phone, TK_PHONE, 0),
    STR(struct caller, address, TK_ADDRESS, 0),
    STR(struct caller, org, TK_SHORT, 0),
    STR(struct caller, org_code, TK_SHORT, 0),
    BOOL(struct caller, confidential, 0),
};
static const struct shape caller_shape = SHAPE(struct caller, caller_fields);

static const struct field assignment_fields[] = {
    STR(struct assignment, unit, TK_SHORT, 0),
    ENUM(struct assignment, role, assign_role, 0),
    TIME(struct assignment, dispatched_at, 0),
    TIME(struct assignment, due_at, 0),
    ENUM(struct assignment, state, assign_state, 0),
    TIME(struct assignment, accepted_at, 0),
    STR(struct assignment, reply, TK_TEXT, 0),
    TIME(struct assignment, replied_at, 0),
    STR(struct assignment, return_reason, TK_TEXT, 0),
    TIME(struct assignment, returned_at, 0),
};
static const struct shape assignment_shape = SHAPE(struct assignment, assignment_fields);

static const struct field extension_fields[] = {
    STR(struct extension, unit, TK_SHORT, 0),
    INT(struct extension, days, 0, 365, 0),
    STR(struct extension, reason, TK_TEXT, 0),
    ENUM(struct extension, state, ext_state, 0),
    TIME(struct extension, requested_at, 0),
    STR(struct extension, requested_by, TK_SHORT, 0),
    TIME(struct extension, decided_at, 0),
    STR(struct extension, decided_by, TK_SHORT, 0),
    STR(struct extension, note, TK_TEXT, 0),
    TIME(struct extension, new_due_at, 0),
};
static const struct shape extension_shape = SHAPE(struct extension, extension_fields);

static const struct field urge_fields[] = {
    TIME(struct urge, at, 0),
    STR(struct urge, by, TK_SHORT, 0),
    STR(struct urge, note, TK_TEXT, 0),
};
static const struct shape urge_shape = SHAPE(struct urge, urge_fields);

static const struct field callback_fields[] = {
    TIME(struct callback, at, 0),
    STR(struct callback, by, TK_SHORT, 0),
    ENUM(struct callback, outcome, cb_outcome, 0),
    ENUM(struct callback, satisfaction, satisfaction, 0),
    STR(struct callback, note, TK_TEXT, 0),
};
static const struct shape callback_shape = SHAPE(struct callback, callback_fields);

static const struct field event_fields[] = {
    TIME(struct event, at, 0),
    STR(struct event, type, TK_SHORT, 0),
    STR(struct event, by, TK_SHORT, 0),
    ENUM(struct event, from, status, 0),
    ENUM(struct event, to, status, 0),
    STR(struct event, note, TK_TEXT, 0),
};
static const struct shape event_shape = SHAPE(struct event, event_fields);

/* The matter: what a caller may set on POST /tickets and PATCH /tickets/{id}. */
#define MATTER_FIELDS(fl)                                                     \
    ENUM(struct ticket, channel, channel, fl),                                \
    OBJECT(struct ticket, caller, caller_shape),                              \
    ENUM(struct ticket, nature, nature, fl),                                  \
    STR(struct ticket, category, TK_CODE, 0),                                 \
    STR(struct ticket, title, TK_TITLE, 0),                                   \
    STR(struct ticket, description, TK_TEXT, 0),                              \
    STR(struct ticket, location, TK_ADDRESS, 0),                              \
    TIME(struct ticket, occurred_at, 0),                                      \
    ENUM(struct ticket, urgency, urgency, 0),                                 \
    INT(struct ticket, complaint_level, 1, 3, FL_NULL0),                      \
    TIME(struct ticket, requested_due, 0)

static const struct field matter_fields[] = {
    MATTER_FIELDS(0),
};
static const struct shape matter_shape = SHAPE(struct ticket, matter_fields);

static const struct field ticket_fields[] = {
    STR(struct ticket, id, TK_CODE, FL_REQUIRED),
    INT64(struct ticket, version, 0, JSON_INT_MAX, 0),
    MATTER_FIELDS(FL_REQUIRED),
    ENUM(struct ticket, status, status, FL_REQUIRED),
    ENUM(struct ticket, resolution, resolution, 0),
    STR(struct ticket, answer, TK_TEXT, 0),
    STRLIST(struct ticket, kb_refs, TK_CODE, 0),
    ARRAY(struct ticket, assignments, n_assignments, assignment_shape, 0, MODEL_MAX_ITEMS, 0),
    TIME(struct ticket, due_at, 0),
    STR(struct ticket, due_rule, TK_SHORT, 0),
    STR(struct ticket, calendar, TK_SHORT, 0),
    TIME(struct ticket, callback_due_at, 0),
    TIME(struct ticket, callback_at, 0),
    ARRAY(struct ticket, extensions, n_extensions, extension_shape, 0, CODEC_MAX_HISTORY, 0),
    ARRAY(struct ticket, urges, n_urges, urge_shape, 0, CODEC_MAX_HISTORY, 0),
    ARRAY(struct ticket, supervisions, n_supervisions, urge_shape, 0, CODEC_MAX_HISTORY, 0),
    ARRAY(struct ticket, callbacks, n_callbacks, callback_shape, 0, CODEC_MAX_HISTORY, 0),
    ARRAY(struct ticket, events, n_events, event_shape, 0, CODEC_MAX_HISTORY, 0),
    FLAGS(struct ticket, flags),
    TIME(struct ticket, created_at, 0),
    STR(struct ticket, created_by, TK_SHORT, 0),
    TIME(struct ticket, updated_at, 0),
    TIME(struct ticket, closed_at, 0),
};
static const struct shape ticket_shape = SHAPE(struct ticket, ticket_fields);
/* check_object tracks the fields seen in a 64-bit mask (SHAPE_MAX_FIELDS). */
_Static_assert(ARRAY_SIZE(ticket_fields) <= 64, "too many fields for one shape");

static const struct field action_unit_fields[] = {
    STR(struct action_unit, unit, TK_SHORT, FL_REQUIRED | FL_NONBLANK),
    ENUM(struct action_unit, role, assign_role, FL_REQUIRED),
};
static const struct shape action_unit_shape = SHAPE(struct action_unit, action_unit_fields);

#define AB struct action_body
static const struct field resolve_direct_fields[] = {
    STR(AB, answer, TK_TEXT, FL_REQUIRED | FL_NONBLANK),
    STRLIST(AB, kb_refs, TK_CODE, FL_UNIQUE),
};
static const struct field dispatch_fields[] = {
    ARRAY(AB, units, n_units, action_unit_shape, 1, MODEL_MAX_ITEMS, FL_REQUIRED),
    STR(AB, note, TK_TEXT, 0),
};
static const struct field reason_fields[] = {
    STR(AB, reason, TK_TEXT, FL_REQUIRED | FL_NONBLANK),
};
static const struct field reply_fields[] = {
    STR(AB, reply, TK_TEXT, FL_REQUIRED | FL_NONBLANK),
};
static const struct field request_extension_fields[] = {
    INT(AB, days, 1, 365, FL_REQUIRED),
    STR(AB, reason, TK_TEXT, FL_REQUIRED | FL_NONBLANK),
};
static const struct field decide_extension_fields[] = {
    BOOL(AB, approve, FL_REQUIRED),
    STR(AB, note, TK_TEXT, 0),
};
static const struct field note_fields[] = {
    STR(AB, note, TK_TEXT, 0),
};
static const struct field schedule_callback_fields[] = {
    TIME(AB, at, FL_REQUIRED),
};
static const struct field callback_body_fields[] = {
    ENUM(AB, outcome, cb_outcome, FL_REQUIRED),
    ENUM(AB, satisfaction, satisfaction, 0),
    STR(AB, note, TK_TEXT, 0),
};
#undef AB

/* The body shape of every action, indexed by enum action. */
static const struct shape action_shapes[ACTION_COUNT] = {
    [ACTION_RESOLVE_DIRECT] = SHAPE(struct action_body, resolve_direct_fields),
    [ACTION_DISPATCH] = SHAPE(struct action_body, dispatch_fields),
    [ACTION_ACCEPT] = { NULL, 0, sizeof(struct action_body) },
    [ACTION_RETURN] = SHAPE(struct action_body, reason_fields),
    [ACTION_REPLY] = SHAPE(struct action_body, reply_fields),
    [ACTION_REQUEST_EXTENSION] = SHAPE(struct action_body, request_extension_fields),
    [ACTION_DECIDE_EXTENSION] = SHAPE(struct action_body, decide_extension_fields),
    [ACTION_URGE] = SHAPE(struct action_body, note_fields),
    [ACTION_SUPERVISE] = SHAPE(struct action_body, note_fields),
    [ACTION_SCHEDULE_CALLBACK] = SHAPE(struct action_body, schedule_callback_fields),
    [ACTION_CALLBACK] = SHAPE(struct action_body, callback_body_fields),
    [ACTION_CLOSE] = SHAPE(struct action_body, note_fields),
    [ACTION_REOPEN] = SHAPE(struct action_body, reason_fields),
    [ACTION_ARCHIVE] = { NULL, 0, sizeof(struct action_body) },
};

/* Everything of an article but id, as a person gives it; req marks required fields. */
#define ARTICLE_INPUT_FIELDS(req)                                             \
    STR(struct article, title, TK_TITLE, (req) | FL_NONBLANK),                \
    ENUM(struct article, kind, kb_kind, req),                                 \
    ENUM(struct article, scope, kb_scope, req),                               \
    STR(struct article, region, TK_SHORT, 0),                                 \
    STR(struct article, category, TK_CODE, 0),                                \
    STRLIST(struct article, tags, TK_SHORT, FL_UNIQUE),                       \
    STR(struct article, body, TK_TEXT, (req) | FL_NONBLANK),                  \
    DATE(struct article, valid_from, 0),                                      \
    DATE_OPEN(struct article, valid_to)

static const struct field article_fields[] = {
    STR(struct article, id, TK_CODE, FL_REQUIRED),
    INT64(struct article, version, 0, JSON_INT_MAX, 0),
    STR(struct article, title, TK_TITLE, FL_REQUIRED),
    ENUM(struct article, kind, kb_kind, FL_REQUIRED),
    ENUM(struct article, scope, kb_scope, 0),
    STR(struct article, region, TK_SHORT, 0),
    STR(struct article, category, TK_CODE, 0),
    STRLIST(struct article, tags, TK_SHORT, 0),
    STR(struct article, body, TK_TEXT, 0),
    DATE(struct article, valid_from, 0),
    DATE_OPEN(struct article, valid_to),
    ENUM(struct article, status, kb_status, 0),
    STR(struct article, snippet, TK_TEXT, 0),
    TIME(struct article, created_at, 0),
    TIME(struct article, updated_at, 0),
};
static const struct shape article_shape = SHAPE(struct article, article_fields);

static const struct field article_input_fields[] = {
    STR(struct article, id, TK_CODE, 0),
    ARTICLE_INPUT_FIELDS(FL_REQUIRED),
};
static const struct shape article_input_shape = SHAPE(struct article, article_input_fields);

static const struct field article_patch_fields[] = {
    ARTICLE_INPUT_FIELDS(0),
};
static const struct shape article_patch_shape = SHAPE(struct article, article_patch_fields);

static const struct field user_fields[] = {
    STR(struct user, id, TK_SHORT, FL_REQUIRED),
    STR(struct user, name, TK_SHORT, 0),
    ENUM(struct user, role, user_role, FL_REQUIRED),
    STR(struct user, unit, TK_SHORT, 0),
};
static const struct shape user_shape = SHAPE(struct user, user_fields);

static const struct field call_event_fields[] = {
    STR(struct call_event, call_id, TK_SHORT, FL_REQUIRED | FL_NONBLANK),
    ENUM(struct call_event, type, call_event_type, FL_REQUIRED),
    STR(struct call_event, caller, TK_SHORT, 0),
    STR(struct call_event, queue, TK_SHORT, 0),
    STR(struct call_event, agent, TK_SHORT, 0),
    TIME(struct call_event, at, FL_REQUIRED),
};
static const struct shape call_event_shape = SHAPE(struct call_event, call_event_fields);

static const struct field call_record_fields[] = {
    STR(struct call_record, call_id, TK_SHORT, FL_REQUIRED | FL_NONBLANK),
    STR(struct call_record, caller, TK_SHORT, 0),
    STR(struct call_record, queue, TK_SHORT, 0),
    STR(struct call_record, agent, TK_SHORT, 0),
    TIME(struct call_record, offered_at, FL_REQUIRED),
    TIME(struct call_record, answered_at, 0),
    TIME(struct call_record, ended_at, FL_REQUIRED),
};
static const struct shape call_record_shape = SHAPE(struct call_record, call_record_fields);

/* ---- raw access to a field of a struct ---- */

/* Address of a field inside the struct at base. */
static void *
at(void *base, size_t off)
{
    return (char *)base + off;
}

/* Read-only address of a field inside the struct at base. */
static const void *
cat(const void *base, size_t off)
{
    return (const char *)base + off;
}

/* Value of an int-sized enum field. */
static int
load_int(const void *base, size_t off)
{
    int v;

    memcpy(&v, cat(base, off), sizeof v);
    return v;
}

/* Store an int-sized enum field. */
static void
store_int(void *base, size_t off, int v)
{
    memcpy(at(base, off), &v, sizeof v);
}

/* Pointer held by an array field. */
static void *
load_ptr(const void *base, size_t off)
{
    void *p;

    memcpy(&p, cat(base, off), sizeof p);
    return p;
}

/* Store the pointer of an array field. */
static void
store_ptr(void *base, size_t off, void *p)
{
    memcpy(at(base, off), &p, sizeof p);
}

/* Element count of an array field. */
static size_t
load_count(const void *base, const struct field *f)
{
    size_t n;

    memcpy(&n, cat(base, f->count_off), sizeof n);
    return n;
}

/* Store the element count of an array field. */
static void
store_count(void *base, const struct field *f, size_t n)
{
    memcpy(at(base, f->count_off), &n, sizeof n);
}

static void shape_fini(const struct shape *s, void *base);

/* Release what one field owns and zero it. */
static void
field_fini(const struct field *f, void *base)
{
    char **sp;
    void *arr;
    size_t i, n;

    switch (f->type) {
    case F_STR:
        sp = at(base, f->off);
        free(*sp);
        *sp = NULL;
        break;
    case F_STRLIST:
        strlist_fini(at(base, f->off));
        break;
    case F_OBJECT:
        shape_fini(f->sub, at(base, f->off));
        break;
    case F_ARRAY:
        arr = load_ptr(base, f->off);
        n = load_count(base, f);
        for (i = 0; i < n; i++)
            shape_fini(f->sub, (char *)arr + i * f->sub->size);
        free(arr);
        store_ptr(base, f->off, NULL);
        store_count(base, f, 0);
        break;
    default:
        break;
    }
}

/* Release what the fields of a shape own (other members are untouched). */
static void
shape_fini(const struct shape *s, void *base)
{
    size_t i;

    for (i = 0; i < s->n; i++)
        field_fini(&s->fields[i], base);
}

/* Deep-copy the fields of a shape from src into dst (dst's fields must own nothing). */
static void
shape_copy(const struct shape *s, void *dst, const void *src)
{
    const struct field *f;
    const struct strlist *sl;
    size_t i, j, n;
    char *arr;

    for (i = 0; i < s->n; i++) {
        f = &s->fields[i];
        switch (f->type) {
        case F_STR:
            *(char **)at(dst, f->off) = xstrdup(*(char *const *)cat(src, f->off));
            break;
        case F_ENUM:
            store_int(dst, f->off, load_int(src, f->off));
            break;
        case F_TIME:
        case F_INT64:
        case F_DATE:
        case F_DATE_OPEN:
            memcpy(at(dst, f->off), cat(src, f->off), sizeof(int64_t));
            break;
        case F_INT:
            memcpy(at(dst, f->off), cat(src, f->off), sizeof(int));
            break;
        case F_BOOL:
            memcpy(at(dst, f->off), cat(src, f->off), sizeof(bool));
            break;
        case F_FLAGS:
            memcpy(at(dst, f->off), cat(src, f->off), sizeof(unsigned));
            break;
        case F_STRLIST:
            sl = cat(src, f->off);
            for (j = 0; j < sl->n; j++)
                strlist_add(at(dst, f->off), sl->v[j]);
            break;
        case F_OBJECT:
            shape_copy(f->sub, at(dst, f->off), cat(src, f->off));
            break;
        case F_ARRAY:
            n = load_count(src, f);
            arr = n > 0 ? xcalloc(n, f->sub->size) : NULL;
            for (j = 0; j < n; j++)
                shape_copy(f->sub, arr + j * f->sub->size,
                           (const char *)load_ptr(src, f->off) + j * f->sub->size);
            store_ptr(dst, f->off, arr);
            store_count(dst, f, n);
            break;
        }
    }
}

/* Move the fields of a shape from src to dst: dst's are released first, src's are zeroed. */
static void
shape_move(const struct shape *s, void *dst, void *src)
{
    const struct field *f;
    size_t i, sz = 0;

    shape_fini(s, dst);
    for (i = 0; i < s->n; i++) {
        f = &s->fields[i];
        switch (f->type) {
        case F_STR:
            sz = sizeof(char *);
            break;
        case F_ENUM:
        case F_INT:
            sz = sizeof(int);
            break;
        case F_TIME:
        case F_INT64:
        case F_DATE:
        case F_DATE_OPEN:
            sz = sizeof(int64_t);
            break;
        case F_BOOL:
            sz = sizeof(bool);
            break;
        case F_FLAGS:
            sz = sizeof(unsigned);
            break;
        case F_STRLIST:
            sz = sizeof(struct strlist);
            break;
        case F_OBJECT:
            shape_move(f->sub, at(dst, f->off), at(src, f->off));
            continue;
        case F_ARRAY:
            store_ptr(dst, f->off, load_ptr(src, f->off));
            store_count(dst, f, load_count(src, f));
            store_ptr(src, f->off, NULL);
            store_count(src, f, 0);
            continue;
        }
        memcpy(at(dst, f->off), at(src, f->off), sz);
        memset(at(src, f->off), 0, sz);
    }
}

/* ---- encoding ---- */

/* Abort when cJSON could not allocate, as xmalloc does. */
static cJSON *
must(cJSON *item)
{
    if (item == NULL) {
        fprintf(stderr, "hotline: out of memory (JSON)\n");
        abort();
    }
    return item;
}

/* Add item to object o under key (o owns it). */
static void
add(cJSON *o, const char *key, cJSON *item)
{
    if (!cJSON_AddItemToObject(o, key, must(item))) {
        cJSON_Delete(item);
        must(NULL);
    }
}

/* Append item to array a (a owns it). */
static void
push(cJSON *a, cJSON *item)
{
    if (!cJSON_AddItemToArray(a, must(item))) {
        cJSON_Delete(item);
        must(NULL);
    }
}

/* A JSON string, or null for NULL. */
static cJSON *
str_or_null(const char *s)
{
    return s != NULL ? cJSON_CreateString(s) : cJSON_CreateNull();
}

/* An instant as RFC 3339 in tz (UTC when tz is NULL), or null when unset. */
static cJSON *
time_json(hl_time t, const struct tz *tz)
{
    char buf[40];

    if (t == 0)
        return cJSON_CreateNull();
    if (tz != NULL)
        tz_format_rfc3339(tz, t, buf, sizeof buf);
    else
        datetime_format_rfc3339(t, 0, buf, sizeof buf);
    return cJSON_CreateString(buf);
}

/* A day number as "YYYY-MM-DD". */
static cJSON *
date_json(int64_t day)
{
    char buf[16];

    datetime_format_date(day, buf, sizeof buf);
    return cJSON_CreateString(buf);
}

static cJSON *shape_to_json(const struct shape *s, const void *base, const struct tz *tz);

/* The JSON value of one field. */
static cJSON *
field_to_json(const struct field *f, const void *base, const struct tz *tz)
{
    const struct strlist *sl;
    const char *arr;
    cJSON *a;
    int64_t v64;
    size_t i, n;
    unsigned flags;
    int v;

    switch (f->type) {
    case F_STR:
        return str_or_null(*(char *const *)cat(base, f->off));
    case F_ENUM:
        v = load_int(base, f->off);
        if (f->en->has_none && v == 0)
            return cJSON_CreateNull();
        return cJSON_CreateString(f->en->str(v));
    case F_TIME:
        memcpy(&v64, cat(base, f->off), sizeof v64);
        return time_json(v64, tz);
    case F_INT64:
        memcpy(&v64, cat(base, f->off), sizeof v64);
        return cJSON_CreateNumber((double)v64);
    case F_INT:
        memcpy(&v, cat(base, f->off), sizeof v);
        if ((f->flags & FL_NULL0) && v == 0)
            return cJSON_CreateNull();
        return cJSON_CreateNumber(v);
    case F_BOOL:
        return cJSON_CreateBool(*(const bool *)cat(base, f->off));
    case F_STRLIST:
        sl = cat(base, f->off);
        a = must(cJSON_CreateArray());
        for (i = 0; i < sl->n; i++)
            push(a, cJSON_CreateString(sl->v[i]));
        return a;
    case F_FLAGS:
        memcpy(&flags, cat(base, f->off), sizeof flags);
        a = must(cJSON_CreateArray());
        for (i = 0; i < FLAG_COUNT; i++) {
            if (flags & (1u << i))
                push(a, cJSON_CreateString(flag_str(1u << i)));
        }
        return a;
    case F_DATE:
        memcpy(&v64, cat(base, f->off), sizeof v64);
        return date_json(v64);
    case F_DATE_OPEN:
        memcpy(&v64, cat(base, f->off), sizeof v64);
        if (v64 == INT64_MAX)
            return cJSON_CreateNull();
        return date_json(v64);
    case F_OBJECT:
        return shape_to_json(f->sub, cat(base, f->off), tz);
    case F_ARRAY:
        arr = load_ptr(base, f->off);
        n = load_count(base, f);
        a = must(cJSON_CreateArray());
        for (i = 0; i < n; i++)
            push(a, shape_to_json(f->sub, arr + i * f->sub->size, tz));
        return a;
    }
    return cJSON_CreateNull();
}

/* A JSON object with every field of a shape. */
static cJSON *
shape_to_json(const struct shape *s, const void *base, const struct tz *tz)
{
    cJSON *o = must(cJSON_CreateObject());
    size_t i;

    for (i = 0; i < s->n; i++)
        add(o, s->fields[i].name, field_to_json(&s->fields[i], base, tz));
    return o;
}

/* Check a data file's bytes the way codec_parse checks request bodies. */
int
codec_check_strict(const char *buf, size_t len, const char *name, struct err *e)
{
    struct err pe;
    cJSON *json = codec_parse(buf, len, &pe);

    if (json == NULL)
        return err_set(e, HL_EINVAL, pe.field, "%s: %s", name, pe.msg);
    cJSON_Delete(json);
    return HL_OK;
}

/* Compact text of a tree. */
char *
codec_print(const cJSON *json)
{
    char *s = cJSON_PrintUnformatted(json);

    if (s == NULL && json != NULL)
        must(NULL);
    return s;
}

/* Print and delete a tree. */
static char *
print_and_delete(cJSON *json)
{
    char *s = codec_print(json);

    cJSON_Delete(json);
    return s;
}

/* ---- decoding context and errors ---- */

struct dec {
    struct err *e;
    bool input;        /* a request body: unknown fields rejected, phones and uniqueness checked */
    size_t len;        /* length of path */
    char path[128];
};

/* Start decoding with an empty path. */
static void
dec_init(struct dec *d, struct err *e, bool input)
{
    d->e = e;
    d->input = input;
    d->len = 0;
    d->path[0] = '\0';
}

/* Copy untrusted text for a message: at most sz-1 bytes, controls and quotes as '?'. */
static void
quote(char *buf, size_t sz, const char *s)
{
    size_t i;

    str_copy(buf, sz, s != NULL ? s : "");
    for (i = 0; buf[i] != '\0'; i++) {
        unsigned char c = (unsigned char)buf[i];

        if (c < 0x20 || c == 0x7f || c == '"' || c == '\\')
            buf[i] = '?';
    }
}

/* Append ".key" (or "key" at the top) to the path; returns the length to restore. */
static size_t
path_key(struct dec *d, const char *key)
{
    size_t old = d->len;
    char safe[48];

    quote(safe, sizeof safe, key);
    if (d->len > 0)
        str_append(d->path, sizeof d->path, ".");
    str_append(d->path, sizeof d->path, safe);
    d->len = strlen(d->path);
    return old;
}

/* Append "[i]" to the path; returns the length to restore. */
static size_t
path_index(struct dec *d, size_t i)
{
    size_t old = d->len;
    char buf[32];

    snprintf(buf, sizeof buf, "[%zu]", i);
    str_append(d->path, sizeof d->path, buf);
    d->len = strlen(d->path);
    return old;
}

/* Restore the path to an earlier length. */
static void
path_pop(struct dec *d, size_t old)
{
    d->len = old;
    d->path[old] = '\0';
}

/* Fill the error at the current path; returns HL_EINVAL. */
static int
fail(struct dec *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Fill the error at the current path; returns HL_EINVAL. The message is cut to fit
 * on a character boundary, so it stays valid UTF-8. */
static int
fail(struct dec *d, const char *fmt, ...)
{
    char msg[512], full[sizeof msg + sizeof d->path + 2];
    char cut[sizeof d->e->msg];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    full[0] = '\0';
    if (d->len > 0) {
        str_copy(full, sizeof full, d->path);
        str_append(full, sizeof full, ": ");
    }
    str_append(full, sizeof full, msg);
    str_copy(cut, sizeof cut, full);
    return err_set(d->e, HL_EINVAL, d->path, "%s", cut);
}

/* Fill the error at path.key; returns HL_EINVAL. */
static int
fail_at(struct dec *d, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Fill the error at path.key; returns HL_EINVAL. */
static int
fail_at(struct dec *d, const char *key, const char *fmt, ...)
{
    char msg[512];
    size_t old = path_key(d, key);
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fail(d, "%s", msg);
    path_pop(d, old);
    return HL_EINVAL;
}

/* "a string", "a number" ... for messages. */
static const char *
type_name(const cJSON *j)
{
    if (cJSON_IsNull(j))
        return "null";
    if (cJSON_IsBool(j))
        return "a boolean";
    if (cJSON_IsNumber(j))
        return "a number";
    if (cJSON_IsString(j))
        return "a string";
    if (cJSON_IsArray(j))
        return "an array";
    if (cJSON_IsObject(j))
        return "an object";
    return "an invalid value";
}

/* "a, b, c" of the allowed values of an enum (NONE left out). */
static void
enum_list(const struct enum_desc *en, char *buf, size_t sz)
{
    int i;

    buf[0] = '\0';
    for (i = en->has_none ? 1 : 0; i < en->count; i++) {
        if (buf[0] != '\0')
            str_append(buf, sz, ", ");
        str_append(buf, sz, en->str(i));
    }
}

/* "a, b, c" of the field names of a shape. */
static void
field_list(const struct shape *s, char *buf, size_t sz)
{
    size_t i;

    buf[0] = '\0';
    for (i = 0; i < s->n; i++) {
        if (i > 0)
            str_append(buf, sz, ", ");
        str_append(buf, sz, s->fields[i].name);
    }
}

/* True when s is empty or only white space (ASCII or the ideographic space U+3000). */
static bool
is_blank(const char *s)
{
    while (*s != '\0') {
        if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
            s++;
        } else if ((unsigned char)s[0] == 0xE3 && (unsigned char)s[1] == 0x80
                   && (unsigned char)s[2] == 0x80) {
            s += 3;
        } else {
            return false;
        }
    }
    return true;
}

/* Check a text of a kind at the current path. */
static int
check_text(struct dec *d, const char *s, enum tkind kind, unsigned flags)
{
    size_t max, n, i;
    bool multiline = kind == TK_TEXT;
    struct phone ph;

    if (!text_utf8_valid(s, strlen(s)))
        return fail(d, "is not valid UTF-8");
    for (i = 0; s[i] != '\0'; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c >= 0x20 && c != 0x7f)
            continue;
        if (multiline && (c == '\t' || c == '\n' || c == '\r'))
            continue;
        if (multiline)
            return fail(d, "must not contain control characters");
        return fail(d, "must be one line without control characters");
    }
    switch (kind) {
    case TK_TITLE:
        max = MODEL_MAX_TITLE;
        break;
    case TK_ADDRESS:
        max = MODEL_MAX_ADDRESS;
        break;
    case TK_TEXT:
        max = MODEL_MAX_TEXT;
        break;
    default:
        max = MODEL_MAX_SHORT;
        break;
    }
    n = text_chars(s);
    if (n > max)
        return fail(d, "is too long: %zu characters, at most %zu", n, max);
    if ((flags & FL_NONBLANK) && is_blank(s))
        return fail(d, "must not be blank");
    if (kind == TK_CODE) {
        if (s[0] == '\0')
            return fail(d, "must not be empty");
        for (i = 0; s[i] != '\0'; i++) {
            char c = s[i];

            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                  || c == '_' || c == '.' || c == '-'))
                return fail(d, "expected a code of letters, digits, '_', '.' and '-'");
        }
    }
    if (kind == TK_PHONE && d->input && phone_normalize(s, NULL, &ph) == PHONE_INVALID)
        return fail(d, "is not a valid phone number: give a mobile (13812345678), a landline "
                       "with its area code (010-12345678) or a service number (95198)");
    return HL_OK;
}

/* Most fields one shape may have (check_object tracks them in a 64-bit mask). */
#define SHAPE_MAX_FIELDS 64

/* Check that j is an object whose keys are fields of s (unknown keys rejected in input
 * mode), none given twice; found[i] gets the member of field i or NULL. Keys usually
 * come in table order, so the search starts after the previous match. */
static int
check_object(struct dec *d, const cJSON *j, const struct shape *s, const cJSON **found)
{
    const cJSON *c;
    uint64_t seen = 0;
    size_t i, k, next = 0;
    char list[200];

    if (!cJSON_IsObject(j))
        return fail(d, "expected an object, got %s", type_name(j));
    for (i = 0; i < s->n; i++)
        found[i] = NULL;
    for (c = j->child; c != NULL; c = c->next) {
        const char *key = c->string != NULL ? c->string : "";

        i = s->n;
        for (k = 0; k < s->n; k++) {
            size_t at_k = (next + k) % s->n;

            if (strcmp(s->fields[at_k].name, key) == 0) {
                i = at_k;
                break;
            }
        }
        if (i == s->n) {
            if (!d->input)
                continue;
            if (s->n == 0)
                return fail_at(d, key, "unknown field; this body takes no fields");
            field_list(s, list, sizeof list);
            return fail_at(d, key, "unknown field; expected one of %s", list);
        }
        if (seen & (UINT64_C(1) << i))
            return fail_at(d, key, "duplicate field");
        seen |= UINT64_C(1) << i;
        found[i] = c;
        next = i + 1;
    }
    return HL_OK;
}

static int decode_shape(struct dec *d, const struct shape *s, const cJSON *j, void *base);

/* Decode a string value into *out (replacing it). */
static int
decode_str(struct dec *d, const struct field *f, const cJSON *j, char **out)
{
    int rc;

    if (!cJSON_IsString(j) || j->valuestring == NULL)
        return fail(d, "expected a string, got %s", type_name(j));
    rc = check_text(d, j->valuestring, f->kind, f->flags);
    if (rc != HL_OK)
        return rc;
    free(*out);
    *out = xstrdup(j->valuestring);
    return HL_OK;
}

/* Decode an enum value. */
static int
decode_enum(struct dec *d, const struct field *f, const cJSON *j, void *base)
{
    char list[200], bad[48];
    int v;

    if (!cJSON_IsString(j) || j->valuestring == NULL) {
        enum_list(f->en, list, sizeof list);
        return fail(d, "expected a string, one of %s; got %s", list, type_name(j));
    }
    if (f->en->has_none && j->valuestring[0] == '\0') {
        store_int(base, f->off, 0);
        return HL_OK;
    }
    if (!f->en->parse(j->valuestring, &v)) {
        if (!text_utf8_valid(j->valuestring, strlen(j->valuestring)))
            return fail(d, "is not valid UTF-8");
        enum_list(f->en, list, sizeof list);
        quote(bad, sizeof bad, j->valuestring);
        return fail(d, "unknown value \"%s\"; expected one of %s", bad, list);
    }
    store_int(base, f->off, v);
    return HL_OK;
}

/* Whole number of j in [min, max] into *out. */
static int
decode_integer(struct dec *d, const cJSON *j, int64_t min, int64_t max, int64_t *out)
{
    double v;

    if (!cJSON_IsNumber(j))
        return fail(d, "expected a whole number from %lld to %lld, got %s", (long long)min,
                    (long long)max, type_name(j));
    v = j->valuedouble;
    if (!(v >= (double)min && v <= (double)max) || (double)(int64_t)v != v)
        return fail(d, "expected a whole number from %lld to %lld", (long long)min,
                    (long long)max);
    *out = (int64_t)v;
    return HL_OK;
}

/* Decode an instant. */
static int
decode_time(struct dec *d, const cJSON *j, hl_time *out)
{
    char bad[48];
    hl_time t;

    if (!cJSON_IsString(j) || j->valuestring == NULL)
        return fail(d, "expected an RFC 3339 date-time string, got %s", type_name(j));
    if (!datetime_parse_rfc3339(j->valuestring, &t, NULL)) {
        quote(bad, sizeof bad, j->valuestring);
        return fail(d, "expected an RFC 3339 date-time such as 2026-02-13T10:00:00+08:00, "
                       "got \"%s\"", bad);
    }
    *out = t;
    return HL_OK;
}

/* Decode a date "YYYY-MM-DD". */
static int
decode_date(struct dec *d, const cJSON *j, int64_t *out)
{
    char bad[48];
    int64_t day;

    if (!cJSON_IsString(j) || j->valuestring == NULL)
        return fail(d, "expected a date YYYY-MM-DD, got %s", type_name(j));
    if (!datetime_parse_date(j->valuestring, &day)) {
        quote(bad, sizeof bad, j->valuestring);
        return fail(d, "expected a date YYYY-MM-DD such as 2026-02-13, got \"%s\"", bad);
    }
    *out = day;
    return HL_OK;
}

/* Check the entry count of an array against [min, max]. */
static int
check_count(struct dec *d, const cJSON *j, int64_t min, int64_t max, size_t *n)
{
    if (!cJSON_IsArray(j))
        return fail(d, "expected an array, got %s", type_name(j));
    *n = (size_t)cJSON_GetArraySize(j);
    if ((int64_t)*n > max)
        return fail(d, "has too many entries: %zu, at most %lld", *n, (long long)max);
    if ((int64_t)*n < min)
        return fail(d, "needs at least %lld %s", (long long)min, min == 1 ? "entry" : "entries");
    return HL_OK;
}

/* Decode an array of texts into the list at base+off (replacing it). */
static int
decode_strlist(struct dec *d, const struct field *f, const cJSON *j, void *base)
{
    struct strlist l = { NULL, 0 };
    struct field item = *f;
    const cJSON *c;
    size_t n, i = 0, k, old;
    char bad[48];
    int rc;

    item.flags = FL_NONBLANK;
    rc = check_count(d, j, 0, f->max, &n);
    if (rc != HL_OK)
        return rc;
    for (c = j->child; c != NULL; c = c->next, i++) {
        char *s = NULL;

        old = path_index(d, i);
        rc = decode_str(d, &item, c, &s);
        if (rc == HL_OK && d->input && (f->flags & FL_UNIQUE)) {
            for (k = 0; k < l.n; k++) {
                if (strcmp(l.v[k], s) == 0) {
                    quote(bad, sizeof bad, s);
                    rc = fail(d, "\"%s\" is listed twice", bad);
                    break;
                }
            }
        }
        path_pop(d, old);
        if (rc != HL_OK) {
            free(s);
            strlist_fini(&l);
            return rc;
        }
        strlist_add(&l, s);
        free(s);
    }
    strlist_fini(at(base, f->off));
    *(struct strlist *)at(base, f->off) = l;
    return HL_OK;
}

/* Decode an array of flag names (unknown names ignored outside input mode). */
static int
decode_flags(struct dec *d, const cJSON *j, unsigned *out)
{
    const cJSON *c;
    unsigned flags = 0, bit;
    size_t n, i = 0, old;
    char bad[48];
    int rc;

    rc = check_count(d, j, 0, MODEL_MAX_ITEMS, &n);
    if (rc != HL_OK)
        return rc;
    for (c = j->child; c != NULL; c = c->next, i++) {
        if (!cJSON_IsString(c) || c->valuestring == NULL) {
            old = path_index(d, i);
            rc = fail(d, "expected a string, got %s", type_name(c));
            path_pop(d, old);
            return rc;
        }
        if (flag_parse(c->valuestring, &bit)) {
            flags |= bit;
        } else if (d->input) {
            old = path_index(d, i);
            quote(bad, sizeof bad, c->valuestring);
            rc = fail(d, "unknown flag \"%s\"", bad);
            path_pop(d, old);
            return rc;
        }
    }
    *out = flags;
    return HL_OK;
}

/* Decode an array of objects of shape f->sub into the array at base+off (replacing it). */
static int
decode_array(struct dec *d, const struct field *f, const cJSON *j, void *base)
{
    const cJSON *c;
    size_t n = 0, i = 0, k, old;
    char *arr = NULL;
    int rc;

    rc = check_count(d, j, f->min, f->max, &n);
    if (rc != HL_OK)
        return rc;
    if (n > 0)
        arr = xcalloc(n, f->sub->size);
    for (c = j->child; c != NULL && i < n; c = c->next, i++) {
        old = path_index(d, i);
        rc = decode_shape(d, f->sub, c, arr + i * f->sub->size);
        path_pop(d, old);
        if (rc != HL_OK)
            break;
    }
    if (rc != HL_OK) {
        for (k = 0; k < n; k++)
            shape_fini(f->sub, arr + k * f->sub->size);
        free(arr);
        return rc;
    }
    field_fini(f, base);
    store_ptr(base, f->off, arr);
    store_count(base, f, n);
    return HL_OK;
}

/* Decode a present, non-null value of one field at the current path. */
static int
decode_value(struct dec *d, const struct field *f, const cJSON *j, void *base)
{
    int64_t v64 = 0;
    int rc;

    switch (f->type) {
    case F_STR:
        return decode_str(d, f, j, at(base, f->off));
    case F_ENUM:
        return decode_enum(d, f, j, base);
    case F_TIME:
        return decode_time(d, j, at(base, f->off));
    case F_INT64:
        return decode_integer(d, j, f->min, f->max, at(base, f->off));
    case F_INT:
        rc = decode_integer(d, j, f->min, f->max, &v64);
        if (rc == HL_OK)
            *(int *)at(base, f->off) = (int)v64;
        return rc;
    case F_BOOL:
        if (!cJSON_IsBool(j))
            return fail(d, "expected true or false, got %s", type_name(j));
        *(bool *)at(base, f->off) = cJSON_IsTrue(j);
        return HL_OK;
    case F_STRLIST:
        return decode_strlist(d, f, j, base);
    case F_FLAGS:
        return decode_flags(d, j, at(base, f->off));
    case F_DATE:
    case F_DATE_OPEN:
        return decode_date(d, j, at(base, f->off));
    case F_OBJECT:
        return decode_shape(d, f->sub, j, at(base, f->off));
    case F_ARRAY:
        return decode_array(d, f, j, base);
    }
    return HL_OK;
}

/* Apply JSON null to a field: clear it, or refuse when the field cannot be absent. */
static int
decode_null(struct dec *d, const struct field *f, void *base)
{
    char list[200];

    switch (f->type) {
    case F_STR:
    case F_STRLIST:
    case F_ARRAY:
    case F_OBJECT:
        field_fini(f, base);
        if (f->type == F_OBJECT)
            memset(at(base, f->off), 0, f->sub->size);
        return HL_OK;
    case F_TIME:
    case F_DATE:
        memset(at(base, f->off), 0, sizeof(int64_t));
        return HL_OK;
    case F_DATE_OPEN:
        *(int64_t *)at(base, f->off) = INT64_MAX;
        return HL_OK;
    case F_FLAGS:
        *(unsigned *)at(base, f->off) = 0;
        return HL_OK;
    case F_ENUM:
        if (f->en->has_none) {
            store_int(base, f->off, 0);
            return HL_OK;
        }
        enum_list(f->en, list, sizeof list);
        return fail(d, "expected a string, one of %s; got null", list);
    case F_INT:
        if (f->flags & FL_NULL0) {
            *(int *)at(base, f->off) = 0;
            return HL_OK;
        }
        return fail(d, "expected a whole number from %lld to %lld, got null",
                    (long long)f->min, (long long)f->max);
    case F_INT64:
        return fail(d, "expected a whole number from %lld to %lld, got null",
                    (long long)f->min, (long long)f->max);
    case F_BOOL:
        return fail(d, "expected true or false, got null");
    }
    return HL_OK;
}

/* Decode the object j of shape s onto the struct at base: absent fields are left as
 * they are, null clears, required fields must be present and not null. */
static int
decode_shape(struct dec *d, const struct shape *s, const cJSON *j, void *base)
{
    const cJSON *found[SHAPE_MAX_FIELDS];
    const struct field *f;
    const cJSON *c;
    size_t i, old;
    int rc;

    rc = check_object(d, j, s, found);
    if (rc != HL_OK)
        return rc;
    for (i = 0; i < s->n; i++) {
        f = &s->fields[i];
        c = found[i];
        if (c == NULL || cJSON_IsNull(c)) {
            if (f->flags & FL_REQUIRED)
                return fail_at(d, f->name, "is required");
            if (c == NULL)
                continue;
        }
        old = path_key(d, f->name);
        if (cJSON_IsNull(c))
            rc = decode_null(d, f, base);
        else
            rc = decode_value(d, f, c, base);
        path_pop(d, old);
        if (rc != HL_OK)
            return rc;
    }
    return HL_OK;
}

/* ---- parsing raw bytes ---- */

/* What the pre-scan learnt about the text. */
struct scan {
    size_t nul_string;   /* ordinal of the first string holding \u0000, SIZE_MAX if none */
    bool truncated;      /* ended inside a string or with brackets open */
};

/* True when the 4 bytes at s are "0000". */
static bool
is_u0000(const char *s, size_t avail)
{
    return avail >= 4 && s[0] == '0' && s[1] == '0' && s[2] == '0' && s[3] == '0';
}

/* True for an ASCII digit. */
static bool
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Length of the JSON number at s (RFC 8259 grammar: no leading zeros, no bare '.'),
 * or 0 when the text there is not a well-formed number. */
static size_t
number_len(const char *s, size_t avail)
{
    size_t i = 0;

    if (i < avail && s[i] == '-')
        i++;
    if (i < avail && s[i] == '0') {
        i++;
    } else if (i < avail && is_digit(s[i])) {
        while (i < avail && is_digit(s[i]))
            i++;
    } else {
        return 0;
    }
    if (i < avail && s[i] == '.') {
        i++;
        if (i >= avail || !is_digit(s[i]))
            return 0;
        while (i < avail && is_digit(s[i]))
            i++;
    }
    if (i < avail && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < avail && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= avail || !is_digit(s[i]))
            return 0;
        while (i < avail && is_digit(s[i]))
            i++;
    }
    if (i < avail && (is_digit(s[i]) || s[i] == '.' || s[i] == 'e' || s[i] == 'E'
                      || s[i] == '+' || s[i] == '-'))
        return 0;
    return i;
}

/* Scan raw JSON without parsing: nesting depth (outside strings), control bytes,
 * the grammar of numbers (cJSON takes "01" and "1."), strings that hold a \u0000
 * escape, and whether the text ends early. */
static int
prescan(struct dec *d, const char *buf, size_t len, struct scan *sc)
{
    size_t i, depth = 0, strings = 0;
    bool in_string = false;

    sc->nul_string = SIZE_MAX;
    sc->truncated = false;
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)buf[i];

        if (in_string) {
            if (c == '"') {
                in_string = false;
                strings++;
            } else if (c == '\\') {
                if (i + 1 < len && buf[i + 1] == 'u' && is_u0000(buf + i + 2, len - i - 2)
                    && sc->nul_string == SIZE_MAX)
                    sc->nul_string = strings;
                i++;
            } else if (c < 0x20) {
                return fail(d, "control character 0x%02x inside a string at byte %zu "
                               "(escape it as \\u%04x)", (unsigned)c, i, (unsigned)c);
            }
            continue;
        }
        switch (c) {
        case '"':
            in_string = true;
            break;
        case '[':
        case '{':
            depth++;
            if (depth > CODEC_MAX_DEPTH)
                return fail(d, "JSON is nested deeper than %d levels (byte %zu)",
                            CODEC_MAX_DEPTH, i);
            break;
        case ']':
        case '}':
            if (depth > 0)
                depth--;
            break;
        case ' ':
        case '\t':
        case '\n':
        case '\r':
            break;
        case '-':
        case '0': case '1': case '2': case '3': case '4':
        case '5': case '6': case '7': case '8': case '9': {
            size_t n = number_len(buf + i, len - i);

            if (n == 0)
                return fail(d, "malformed number at byte %zu", i);
            i += n - 1;
            break;
        }
        default:
            if (c < 0x20 || c == 0x7f)
                return fail(d, "unexpected control character 0x%02x at byte %zu", (unsigned)c, i);
            break;
        }
    }
    sc->truncated = in_string || depth > 0;
    return HL_OK;
}

/* Order two C strings (for qsort over an array of char pointers). */
static int
cmp_strp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reject an object that has a key twice. */
static int
check_dup_keys(struct dec *d, const cJSON *obj)
{
    const cJSON *a, *b;
    const char **keys;
    size_t n = 0, i;
    int rc = HL_OK;

    for (a = obj->child; a != NULL; a = a->next)
        n++;
    if (n <= 16) {
        for (a = obj->child; a != NULL; a = a->next) {
            for (b = obj->child; b != a; b = b->next) {
                if (a->string != NULL && b->string != NULL && strcmp(a->string, b->string) == 0)
                    return fail_at(d, a->string, "duplicate key");
            }
        }
        return HL_OK;
    }
    keys = xcalloc(n, sizeof *keys);
    i = 0;
    for (a = obj->child; a != NULL; a = a->next)
        keys[i++] = a->string != NULL ? a->string : "";
    qsort(keys, n, sizeof *keys, cmp_strp);
    for (i = 1; i < n; i++) {
        if (strcmp(keys[i - 1], keys[i]) == 0) {
            rc = fail_at(d, keys[i], "duplicate key");
            break;
        }
    }
    free(keys);
    return rc;
}

/* Walk a parsed tree: duplicate keys anywhere, and the path of string number nul_string
 * (keys and values counted in document order, as prescan counted them). */
static int
walk(struct dec *d, const cJSON *j, size_t nul_string, size_t *ord)
{
    const cJSON *c;
    size_t i = 0, old, nth;
    int rc = HL_OK;

    if (cJSON_IsString(j)) {
        nth = (*ord)++;
        if (nth == nul_string)
            return fail(d, "text contains a NUL character (\\u0000)");
        return HL_OK;
    }
    if (cJSON_IsObject(j)) {
        rc = check_dup_keys(d, j);
        if (rc != HL_OK)
            return rc;
    }
    if (!cJSON_IsObject(j) && !cJSON_IsArray(j))
        return HL_OK;
    for (c = j->child; c != NULL && rc == HL_OK; c = c->next, i++) {
        if (cJSON_IsObject(j)) {
            old = path_key(d, c->string != NULL ? c->string : "");
            nth = (*ord)++;
            if (nth == nul_string)
                rc = fail(d, "key contains a NUL character (\\u0000)");
        } else {
            old = path_index(d, i);
        }
        if (rc == HL_OK)
            rc = walk(d, c, nul_string, ord);
        path_pop(d, old);
    }
    return rc;
}

/* Offset of the first invalid UTF-8 byte of a buffer known to be invalid. */
static size_t
utf8_bad_offset(const char *buf, size_t len)
{
    size_t i = 0, step;
    uint32_t cp;

    while (i < len) {
        step = text_utf8_decode(buf + i, len - i, &cp);
        if (step == 0)
            break;
        if (cp == 0xFFFD && !text_utf8_valid(buf + i, step))
            return i;
        i += step;
    }
    return i < len ? i : 0;
}

/* Parse untrusted JSON bytes. */
cJSON *
codec_parse(const char *buf, size_t len, struct err *e)
{
    struct dec d;
    struct scan sc;
    const char *end = NULL;
    const void *nul;
    cJSON *json = NULL;
    char *copy = NULL;
    size_t off, ord = 0;

    dec_init(&d, e, true);
    if (buf == NULL || len == 0) {
        fail(&d, "empty body: expected a JSON value");
        goto out;
    }
    nul = memchr(buf, '\0', len);
    if (nul != NULL) {
        fail(&d, "body contains a NUL byte at byte %zu", (size_t)((const char *)nul - buf));
        goto out;
    }
    if (!text_utf8_valid(buf, len)) {
        fail(&d, "body is not valid UTF-8 (first bad byte at byte %zu)",
             utf8_bad_offset(buf, len));
        goto out;
    }
    if (prescan(&d, buf, len, &sc) != HL_OK)
        goto out;
    /* A NUL-terminated copy: cJSON must never read past the end, whatever the input. */
    copy = xstrndup(buf, len);
    json = cJSON_ParseWithLengthOpts(copy, len, &end, 0);
    if (json == NULL) {
        off = end != NULL && end >= copy ? (size_t)(end - copy) : 0;
        if (sc.truncated)
            fail(&d, "truncated JSON: the body ends inside a string or before every "
                     "bracket is closed");
        else
            fail(&d, "malformed JSON near byte %zu", off);
        goto out;
    }
    off = end != NULL ? (size_t)(end - copy) : len;
    while (off < len && (copy[off] == ' ' || copy[off] == '\t' || copy[off] == '\n'
                         || copy[off] == '\r'))
        off++;
    if (off < len) {
        fail(&d, "unexpected data after the JSON value at byte %zu", off);
        cJSON_Delete(json);
        json = NULL;
        goto out;
    }
    if (walk(&d, json, sc.nul_string, &ord) != HL_OK) {
        cJSON_Delete(json);
        json = NULL;
        goto out;
    }
    err_clear(e);
out:
    free(copy);
    return json;
}

/* ---- tickets ---- */

/* A whole ticket as a tree. */
cJSON *
codec_ticket_to_json(const struct ticket *t, const struct tz *tz)
{
    return shape_to_json(&ticket_shape, t, tz);
}

/* A whole ticket as compact text. */
char *
codec_ticket_encode(const struct ticket *t, const struct tz *tz)
{
    return print_and_delete(codec_ticket_to_json(t, tz));
}

/* A whole ticket as the server sends it. */
struct ticket *
codec_ticket_decode(const cJSON *json, struct err *e)
{
    struct ticket *t = ticket_new();
    struct dec d;

    dec_init(&d, e, false);
    if (decode_shape(&d, &ticket_shape, json, t) != HL_OK) {
        ticket_free(&t);
        return NULL;
    }
    err_clear(e);
    return t;
}

/* The matter of a ticket as a tree. */
cJSON *
codec_ticket_matter_to_json(const struct ticket *t, const struct tz *tz)
{
    return shape_to_json(&matter_shape, t, tz);
}

/* Check the rules of a whole matter (after create or patch). */
static int
check_matter(struct dec *d, const struct ticket *t)
{
    if (t->description == NULL)
        return fail_at(d, "description", "is required");
    if (is_blank(t->description))
        return fail_at(d, "description", "must not be blank");
    if ((t->channel == CHANNEL_PHONE || t->channel == CHANNEL_SMS) && t->caller.phone == NULL)
        return fail_at(d, "caller.phone", "is required for channel %s", channel_str(t->channel));
    if (t->complaint_level != 0 && t->nature != NATURE_COMPLAINT)
        return fail_at(d, "complaint_level", "is only for nature complaint (nature is %s)",
                       nature_str(t->nature));
    return HL_OK;
}

/* True when member key of j is present and not null. */
static bool
has(const cJSON *j, const char *key)
{
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(j, key);

    return c != NULL && !cJSON_IsNull(c);
}

/* Decode the body of POST /tickets. */
struct ticket *
codec_ticket_create_decode(const cJSON *json, struct err *e)
{
    struct ticket *t = ticket_new();
    struct dec d;

    dec_init(&d, e, true);
    if (decode_shape(&d, &matter_shape, json, t) != HL_OK)
        goto fail;
    if (!has(json, "channel")) {
        fail_at(&d, "channel", "is required");
        goto fail;
    }
    if (!has(json, "nature")) {
        fail_at(&d, "nature", "is required");
        goto fail;
    }
    if (check_matter(&d, t) != HL_OK)
        goto fail;
    err_clear(e);
    return t;
fail:
    ticket_free(&t);
    return NULL;
}

/* Apply the body of PATCH /tickets/{id}. */
int
codec_ticket_patch_apply(const cJSON *json, struct ticket *t, struct strlist *fields,
                         struct err *e)
{
    struct ticket scratch;
    struct dec d;
    const cJSON *c;
    char list[200];
    int rc;

    memset(&scratch, 0, sizeof scratch);
    dec_init(&d, e, true);
    if (cJSON_IsObject(json) && json->child == NULL) {
        field_list(&matter_shape, list, sizeof list);
        return fail(&d, "empty patch: give at least one of %s", list);
    }
    shape_copy(&matter_shape, &scratch, t);
    rc = decode_shape(&d, &matter_shape, json, &scratch);
    if (rc != HL_OK)
        goto out;
    if (has(json, "nature") && scratch.nature != NATURE_COMPLAINT
        && cJSON_GetObjectItemCaseSensitive(json, "complaint_level") == NULL)
        scratch.complaint_level = 0;
    rc = check_matter(&d, &scratch);
    if (rc != HL_OK)
        goto out;
    shape_move(&matter_shape, t, &scratch);
    if (fields != NULL) {
        for (c = json->child; c != NULL; c = c->next) {
            if (c->string != NULL)
                strlist_add(fields, c->string);
        }
    }
    err_clear(e);
out:
    ticket_fini(&scratch);
    return rc;
}

/* ---- actions ---- */

/* Release what an action body owns and zero it. */
void
codec_action_fini(struct action_body *b)
{
    size_t i;

    if (b == NULL)
        return;
    free(b->answer);
    strlist_fini(&b->kb_refs);
    for (i = 0; i < b->n_units; i++)
        free(b->units[i].unit);
    free(b->units);
    free(b->reason);
    free(b->reply);
    free(b->note);
    memset(b, 0, sizeof *b);
}

/* Check a dispatch: exactly one lead and no unit twice. */
static int
check_dispatch(struct dec *d, const struct action_body *b)
{
    size_t i, k, lead = SIZE_MAX, old;
    char bad[48];
    int rc;

    for (i = 0; i < b->n_units; i++) {
        for (k = 0; k < i; k++) {
            if (strcmp(b->units[k].unit, b->units[i].unit) == 0) {
                old = path_key(d, "units");
                path_index(d, i);
                quote(bad, sizeof bad, b->units[i].unit);
                rc = fail_at(d, "unit", "unit \"%s\" is listed twice", bad);
                path_pop(d, old);
                return rc;
            }
        }
        if (b->units[i].role != ROLE_LEAD)
            continue;
        if (lead != SIZE_MAX) {
            old = path_key(d, "units");
            path_index(d, i);
            rc = fail_at(d, "role", "a second lead (units[%zu] already leads); exactly one "
                                    "unit leads", lead);
            path_pop(d, old);
            return rc;
        }
        lead = i;
    }
    if (lead == SIZE_MAX)
        return fail_at(d, "units", "no unit has role lead; exactly one unit leads");
    return HL_OK;
}

/* Decode the body of an action. */
int
codec_action_decode(enum action a, const cJSON *json, struct action_body *out,
                    struct err *e)
{
    cJSON *empty = NULL;
    struct dec d;
    int rc;

    memset(out, 0, sizeof *out);
    dec_init(&d, e, true);
    if ((unsigned)a >= ACTION_COUNT)
        return fail(&d, "unknown action");
    out->action = a;
    if (json == NULL) {
        empty = must(cJSON_CreateObject());
        json = empty;
    }
    rc = decode_shape(&d, &action_shapes[a], json, out);
    if (rc == HL_OK && a == ACTION_DISPATCH)
        rc = check_dispatch(&d, out);
    if (rc == HL_OK && a == ACTION_CALLBACK) {
        if (out->outcome == CB_REACHED && out->satisfaction == SAT_NONE)
            rc = fail_at(&d, "satisfaction", "is required when outcome is reached");
        else if (out->outcome != CB_REACHED && out->satisfaction != SAT_NONE)
            rc = fail_at(&d, "satisfaction", "is only for outcome reached (outcome is %s)",
                         cb_outcome_str(out->outcome));
    }
    cJSON_Delete(empty);
    if (rc != HL_OK) {
        codec_action_fini(out);
        return rc;
    }
    err_clear(e);
    return HL_OK;
}

/* The body of an action as a tree. */
cJSON *
codec_action_to_json(const struct action_body *b, const struct tz *tz)
{
    if ((unsigned)b->action >= ACTION_COUNT)
        return must(cJSON_CreateObject());
    return shape_to_json(&action_shapes[b->action], b, tz);
}

/* ---- articles ---- */

/* Defaults of an embedded article (as article_new). */
static void
article_init(struct article *a)
{
    memset(a, 0, sizeof *a);
    a->kind = KB_KNOWLEDGE;
    a->scope = KB_NATIONAL;
    a->status = KB_DRAFT;
    a->valid_to = INT64_MAX;
}

/* An article as a tree. */
cJSON *
codec_article_to_json(const struct article *a, const struct tz *tz)
{
    return shape_to_json(&article_shape, a, tz);
}

/* An article as compact text. */
char *
codec_article_encode(const struct article *a, const struct tz *tz)
{
    return print_and_delete(codec_article_to_json(a, tz));
}

/* A whole article as the server sends it. */
struct article *
codec_article_decode(const cJSON *json, struct err *e)
{
    struct article *a = article_new();
    struct dec d;

    dec_init(&d, e, false);
    if (decode_shape(&d, &article_shape, json, a) != HL_OK) {
        article_free(&a);
        return NULL;
    }
    err_clear(e);
    return a;
}

/* Check that validity does not end before it starts. */
static int
check_validity(struct dec *d, const struct article *a)
{
    char from[16];

    if (a->valid_to < a->valid_from) {
        datetime_format_date(a->valid_from, from, sizeof from);
        return fail_at(d, "valid_to", "is before valid_from (%s)", from);
    }
    return HL_OK;
}

/* Decode one article input at the current path into a (initialised by the caller). */
static int
decode_article_input(struct dec *d, const cJSON *json, struct article *a)
{
    int rc = decode_shape(d, &article_input_shape, json, a);

    if (rc == HL_OK)
        rc = check_validity(d, a);
    a->status = KB_DRAFT;
    return rc;
}

/* An article given by a person. */
struct article *
codec_article_input_decode(const cJSON *json, struct err *e)
{
    struct article *a = article_new();
    struct dec d;

    dec_init(&d, e, true);
    if (decode_article_input(&d, json, a) != HL_OK) {
        article_free(&a);
        return NULL;
    }
    err_clear(e);
    return a;
}

/* An entry of the id index used to find duplicate ids. */
struct id_ref {
    const char *id;
    size_t index;
};

/* Order id references by id, then by position. */
static int
cmp_id_ref(const void *a, const void *b)
{
    const struct id_ref *x = a, *y = b;
    int c = strcmp(x->id, y->id);

    if (c != 0)
        return c;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* Reject an article list in which an id appears twice (reports the earliest repeat). */
static int
check_unique_ids(struct dec *d, const struct article *v, size_t n)
{
    struct id_ref *refs = xcalloc(n > 0 ? n : 1, sizeof *refs);
    size_t i, m = 0, worst = SIZE_MAX, first = 0, old;
    char bad[48];
    int rc = HL_OK;

    for (i = 0; i < n; i++) {
        if (v[i].id != NULL) {
            refs[m].id = v[i].id;
            refs[m].index = i;
            m++;
        }
    }
    qsort(refs, m, sizeof *refs, cmp_id_ref);
    for (i = 1; i < m; i++) {
        if (strcmp(refs[i - 1].id, refs[i].id) == 0 && refs[i].index < worst
            && (i < 2 || strcmp(refs[i - 2].id, refs[i].id) != 0)) {
            worst = refs[i].index;
            first = refs[i - 1].index;
        }
    }
    if (worst != SIZE_MAX) {
        old = path_index(d, worst);
        quote(bad, sizeof bad, v[worst].id);
        rc = fail_at(d, "id", "\"%s\" is already used by [%zu]", bad, first);
        path_pop(d, old);
    }
    free(refs);
    return rc;
}

/* Decode an import file: an array of article inputs. */
struct article *
codec_article_list_decode(const cJSON *json, size_t *n, struct err *e)
{
    struct article *v = NULL;
    const cJSON *c;
    struct dec d;
    size_t count, i = 0, k, old;
    int rc = HL_OK;

    *n = 0;
    dec_init(&d, e, true);
    if (!cJSON_IsArray(json)) {
        fail(&d, "expected an array of articles, got %s", type_name(json));
        return NULL;
    }
    count = (size_t)cJSON_GetArraySize(json);
    v = xcalloc(count > 0 ? count : 1, sizeof *v);
    for (c = json->child; c != NULL && i < count; c = c->next, i++) {
        article_init(&v[i]);
        old = path_index(&d, i);
        rc = decode_article_input(&d, c, &v[i]);
        path_pop(&d, old);
        if (rc != HL_OK)
            break;
    }
    if (rc == HL_OK)
        rc = check_unique_ids(&d, v, count);
    if (rc != HL_OK) {
        for (k = 0; k < count; k++)
            article_fini(&v[k]);
        free(v);
        return NULL;
    }
    *n = count;
    err_clear(e);
    return v;
}

/* Apply the body of PATCH /kb/{id}. */
int
codec_article_patch_apply(const cJSON *json, struct article *a, struct err *e)
{
    struct article scratch;
    struct dec d;
    char list[200];
    int rc;

    dec_init(&d, e, true);
    if (cJSON_IsObject(json) && json->child == NULL) {
        field_list(&article_patch_shape, list, sizeof list);
        return fail(&d, "empty patch: give at least one of %s", list);
    }
    memset(&scratch, 0, sizeof scratch);
    shape_copy(&article_patch_shape, &scratch, a);
    rc = decode_shape(&d, &article_patch_shape, json, &scratch);
    if (rc == HL_OK && str_empty(scratch.title))
        rc = fail_at(&d, "title", "cannot be cleared: an article needs a title");
    if (rc == HL_OK && str_empty(scratch.body))
        rc = fail_at(&d, "body", "cannot be cleared: an article needs a body");
    if (rc == HL_OK)
        rc = check_validity(&d, &scratch);
    if (rc == HL_OK) {
        shape_move(&article_patch_shape, a, &scratch);
        err_clear(e);
    }
    shape_fini(&article_patch_shape, &scratch);
    return rc;
}

/* ---- users ---- */

/* A user as a tree. */
cJSON *
codec_user_to_json(const struct user *u)
{
    return shape_to_json(&user_shape, u, NULL);
}

/* A user as the server sends it. */
int
codec_user_decode(const cJSON *json, struct user *out, struct err *e)
{
    struct dec d;
    int rc;

    memset(out, 0, sizeof *out);
    dec_init(&d, e, false);
    rc = decode_shape(&d, &user_shape, json, out);
    if (rc == HL_OK && out->role == USER_UNIT && str_empty(out->unit))
        rc = fail_at(&d, "unit", "is required for role unit");
    if (rc != HL_OK) {
        user_fini(out);
        return rc;
    }
    err_clear(e);
    return HL_OK;
}

/* ---- phone system ---- */

/* A call event as a tree. */
cJSON *
codec_call_event_to_json(const struct call_event *c, const struct tz *tz)
{
    return shape_to_json(&call_event_shape, c, tz);
}

/* A call event from the phone system. */
int
codec_call_event_decode(const cJSON *json, struct call_event *out, struct err *e)
{
    struct dec d;
    int rc;

    memset(out, 0, sizeof *out);
    dec_init(&d, e, true);
    rc = decode_shape(&d, &call_event_shape, json, out);
    if (rc == HL_OK && out->type == CALL_ANSWER && str_empty(out->agent))
        rc = fail_at(&d, "agent", "is required for type answer");
    if (rc != HL_OK) {
        call_event_fini(out);
        return rc;
    }
    err_clear(e);
    return HL_OK;
}

/* A call record as a tree. */
cJSON *
codec_call_record_to_json(const struct call_record *c, const struct tz *tz)
{
    return shape_to_json(&call_record_shape, c, tz);
}

/* A call record from the phone system. */
int
codec_call_record_decode(const cJSON *json, struct call_record *out, struct err *e)
{
    struct dec d;
    int rc;

    memset(out, 0, sizeof *out);
    dec_init(&d, e, true);
    rc = decode_shape(&d, &call_record_shape, json, out);
    if (rc == HL_OK && out->answered_at != 0 && out->answered_at < out->offered_at)
        rc = fail_at(&d, "answered_at", "is before offered_at");
    if (rc == HL_OK && out->ended_at < out->offered_at)
        rc = fail_at(&d, "ended_at", "is before offered_at");
    if (rc == HL_OK && out->answered_at != 0 && out->ended_at < out->answered_at)
        rc = fail_at(&d, "ended_at", "is before answered_at");
    if (rc != HL_OK) {
        call_record_fini(out);
        return rc;
    }
    err_clear(e);
    return HL_OK;
}

/* ---- errors ---- */

static const char *const status_codes[] = {
    [HL_OK] = "ok",
    [HL_EINVAL] = "invalid",
    [HL_ENOENT] = "not_found",
    [HL_ERANGE] = "out_of_range",
    [HL_EIO] = "io",
    [HL_ERULE] = "rule",
    [HL_ECONFLICT] = "conflict",
};

/* Wire code of a status. */
const char *
codec_status_str(int code)
{
    if (code < 0 || (size_t)code >= ARRAY_SIZE(status_codes))
        return "internal";
    return status_codes[code];
}

/* Status of a wire code. */
int
codec_status_parse(const char *s)
{
    size_t i;

    for (i = 0; s != NULL && i < ARRAY_SIZE(status_codes); i++) {
        if (strcmp(status_codes[i], s) == 0)
            return (int)i;
    }
    return HL_EINVAL;
}

/* An error body. */
cJSON *
codec_error_to_json(const char *code, const char *message, const char *field)
{
    cJSON *root = must(cJSON_CreateObject());
    cJSON *o = must(cJSON_CreateObject());

    add(o, "code", cJSON_CreateString(code != NULL ? code : "internal"));
    add(o, "message", cJSON_CreateString(message != NULL ? message : ""));
    add(o, "field", str_empty(field) ? cJSON_CreateNull() : cJSON_CreateString(field));
    add(root, "error", o);
    return root;
}

/* The error body of an err. */
cJSON *
codec_err_to_json(const struct err *e)
{
    return codec_error_to_json(codec_status_str(e->code), e->msg, e->field);
}

/* The error body of an err as compact text. */
char *
codec_err_encode(const struct err *e)
{
    return print_and_delete(codec_err_to_json(e));
}

/* Read an error body. */
int
codec_error_decode(const cJSON *json, struct err *out)
{
    const cJSON *o, *code, *msg, *field;

    o = cJSON_IsObject(json) ? cJSON_GetObjectItemCaseSensitive(json, "error") : NULL;
    code = cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, "code") : NULL;
    msg = cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, "message") : NULL;
    field = cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, "field") : NULL;
    if (!cJSON_IsString(code) || !cJSON_IsString(msg))
        return err_set(out, HL_EINVAL, "", "malformed error body from the server");
    return err_set(out, codec_status_parse(code->valuestring),
                   cJSON_IsString(field) ? field->valuestring : "", "%s", msg->valuestring);
}
