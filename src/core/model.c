/* model: the ticket, its histories and the knowledge-base article, with every enum of DESIGN §3. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hotline/model.h"
#include "hotline/util.h"

/* What *_str and *_label return for a value outside its enum. */
#define BAD_VALUE "?"

static const char *const channel_names[CHANNEL_COUNT] = {
    "phone", "sms", "web", "im", "email", "letter", "walk_in",
};
static const char *const salutation_names[SALUTATION_COUNT] = {
    "", "先生", "女士",
};
static const char *const nature_names[NATURE_COUNT] = {
    "consult", "help", "complaint", "report", "suggestion", "praise", "alarm", "repair",
    "service",
};
static const char *const nature_labels[NATURE_COUNT] = {
    "咨询", "求助", "投诉", "举报", "建议", "表扬", "报警", "故障报修", "服务申请",
};
static const char *const urgency_names[URGENCY_COUNT] = {
    "normal", "urgent", "emergency",
};
static const char *const status_names[STATUS_COUNT] = {
    "accepted", "dispatched", "in_progress", "returned", "replied", "callback", "closed",
    "archived",
};
static const char *const status_labels[STATUS_COUNT] = {
    "已受理", "已转办", "办理中", "已退回", "已回复", "待回访", "已办结", "已归档",
};
static const char *const resolution_names[RESOLUTION_COUNT] = {
    "", "direct", "unit", "unreachable", "withdrawn",
};
static const char *const assign_role_names[ASSIGN_ROLE_COUNT] = {
    "lead", "assist",
};
static const char *const assign_state_names[ASSIGN_STATE_COUNT] = {
    "dispatched", "accepted", "returned", "replied",
};
static const char *const ext_state_names[EXT_STATE_COUNT] = {
    "pending", "approved", "rejected",
};
static const char *const cb_outcome_names[CB_OUTCOME_COUNT] = {
    "reached", "no_answer", "busy", "refused", "wrong_number",
};
static const char *const satisfaction_names[SAT_COUNT] = {
    "", "satisfied", "basic", "dissatisfied",
};
static const char *const user_role_names[USER_ROLE_COUNT] = {
    "agent", "unit", "supervisor", "admin",
};
static const char *const kb_kind_names[KB_KIND_COUNT] = {
    "knowledge", "guide", "case", "spec", "notice",
};
static const char *const kb_kind_labels[KB_KIND_COUNT] = {
    "业务知识", "操作指引", "典型案例", "技术规范", "紧急公告",
};
static const char *const kb_scope_names[KB_SCOPE_COUNT] = {
    "national", "local",
};
static const char *const kb_status_names[KB_STATUS_COUNT] = {
    "draft", "review", "published",
};
static const char *const flag_names[FLAG_COUNT] = {
    "near_due", "overdue", "repeat_caller", "cluster", "emergency", "dissatisfied",
    "late_dispatch", "supervised",
};
static const char *const call_event_type_names[CALL_EVENT_COUNT] = {
    "new_call", "answer", "hangup",
};

/* Entry v of a name table of n entries, or BAD_VALUE when v is out of range. */
static const char *
name_of(const char *const *names, size_t n, unsigned v)
{
    if (v >= n)
        return BAD_VALUE;
    return names[v];
}

/* Index of s in a name table of n entries; false when absent or s is NULL. */
static bool
index_of(const char *const *names, size_t n, const char *s, unsigned *out)
{
    size_t i;

    if (s == NULL)
        return false;
    for (i = 0; i < n; i++) {
        if (strcmp(names[i], s) == 0) {
            *out = (unsigned)i;
            return true;
        }
    }
    return false;
}

/* Define <type>_str and <type>_parse over a name table. */
#define ENUM_STR_PARSE(type, names)                                           \
    const char *                                                              \
    type##_str(enum type v)                                                   \
    {                                                                         \
        return name_of(names, ARRAY_SIZE(names), (unsigned)v);                \
    }                                                                         \
                                                                              \
    bool                                                                      \
    type##_parse(const char *s, enum type *out)                               \
    {                                                                         \
        unsigned i;                                                           \
                                                                              \
        if (!index_of(names, ARRAY_SIZE(names), s, &i))                       \
            return false;                                                     \
        *out = (enum type)i;                                                  \
        return true;                                                          \
    }

/* Map a channel, salutation, urgency, ... to and from its wire string. */
ENUM_STR_PARSE(channel, channel_names)
ENUM_STR_PARSE(salutation, salutation_names)
ENUM_STR_PARSE(urgency, urgency_names)
ENUM_STR_PARSE(status, status_names)
ENUM_STR_PARSE(resolution, resolution_names)
ENUM_STR_PARSE(assign_role, assign_role_names)
ENUM_STR_PARSE(assign_state, assign_state_names)
ENUM_STR_PARSE(ext_state, ext_state_names)
ENUM_STR_PARSE(cb_outcome, cb_outcome_names)
ENUM_STR_PARSE(satisfaction, satisfaction_names)
ENUM_STR_PARSE(user_role, user_role_names)
ENUM_STR_PARSE(kb_scope, kb_scope_names)
ENUM_STR_PARSE(kb_status, kb_status_names)
ENUM_STR_PARSE(call_event_type, call_event_type_names)

/* Wire string of a nature. */
const char *
nature_str(enum nature v)
{
    return name_of(nature_names, ARRAY_SIZE(nature_names), (unsigned)v);
}

/* Parse a nature code, accepting the seeds' aliases query and opinion. */
bool
nature_parse(const char *s, enum nature *out)
{
    unsigned i;

    if (s == NULL)
        return false;
    if (strcmp(s, "query") == 0) {
        *out = NATURE_CONSULT;
        return true;
    }
    if (strcmp(s, "opinion") == 0) {
        *out = NATURE_SUGGESTION;
        return true;
    }
    if (!index_of(nature_names, ARRAY_SIZE(nature_names), s, &i))
        return false;
    *out = (enum nature)i;
    return true;
}

/* Chinese label of a nature. */
const char *
nature_label(enum nature v)
{
    return name_of(nature_labels, ARRAY_SIZE(nature_labels), (unsigned)v);
}

/* Chinese label of a status. */
const char *
status_label(enum status v)
{
    return name_of(status_labels, ARRAY_SIZE(status_labels), (unsigned)v);
}

/* Wire string of a knowledge-base kind. */
const char *
kb_kind_str(enum kb_kind v)
{
    return name_of(kb_kind_names, ARRAY_SIZE(kb_kind_names), (unsigned)v);
}

/* Chinese label of a knowledge-base kind. */
const char *
kb_kind_label(enum kb_kind v)
{
    return name_of(kb_kind_labels, ARRAY_SIZE(kb_kind_labels), (unsigned)v);
}

/* Parse a kind from its wire string or its Chinese label. */
bool
kb_kind_parse(const char *s, enum kb_kind *out)
{
    unsigned i;

    if (index_of(kb_kind_names, ARRAY_SIZE(kb_kind_names), s, &i)
        || index_of(kb_kind_labels, ARRAY_SIZE(kb_kind_labels), s, &i)) {
        *out = (enum kb_kind)i;
        return true;
    }
    return false;
}

/* Name of a single flag bit. */
const char *
flag_str(unsigned flag)
{
    unsigned i;

    for (i = 0; i < FLAG_COUNT; i++) {
        if (flag == 1u << i)
            return flag_names[i];
    }
    return NULL;
}

/* Bit of a flag name. */
bool
flag_parse(const char *s, unsigned *out)
{
    unsigned i;

    if (!index_of(flag_names, ARRAY_SIZE(flag_names), s, &i))
        return false;
    *out = 1u << i;
    return true;
}

/* The array v of n elements of size sz grown to n + 1, the new element zeroed.
 * It grows by exactly one each time, so arrays built elsewhere with
 * malloc(n * sz) may be extended safely. */
static void *
grow_one(void *v, size_t n, size_t sz)
{
    char *p = xrealloc(v, (n + 1) * sz);

    memset(p + n * sz, 0, sz);
    return p;
}

/* Append a copy of s. */
void
strlist_add(struct strlist *l, const char *s)
{
    l->v = grow_one(l->v, l->n, sizeof *l->v);
    l->v[l->n++] = xstrdup(s != NULL ? s : "");
}

/* Free every string and the array. */
void
strlist_fini(struct strlist *l)
{
    size_t i;

    if (l == NULL)
        return;
    for (i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

/* Release what a caller owns. */
static void
caller_fini(struct caller *c)
{
    free(c->name);
    free(c->phone);
    free(c->address);
    free(c->org);
    free(c->org_code);
    memset(c, 0, sizeof *c);
}

/* A new zeroed ticket: channel phone, nature consult, urgency normal, status accepted. */
struct ticket *
ticket_new(void)
{
    struct ticket *t = xcalloc(1, sizeof *t);

    t->channel = CHANNEL_PHONE;
    t->nature = NATURE_CONSULT;
    t->urgency = URGENCY_NORMAL;
    t->status = STATUS_ACCEPTED;
    t->resolution = RESOLUTION_NONE;
    return t;
}

/* Release what an embedded ticket owns and zero it. */
void
ticket_fini(struct ticket *t)
{
    size_t i;

    if (t == NULL)
        return;
    free(t->id);
    caller_fini(&t->caller);
    free(t->category);
    free(t->title);
    free(t->description);
    free(t->location);
    free(t->answer);
    strlist_fini(&t->kb_refs);
    for (i = 0; i < t->n_assignments; i++) {
        free(t->assignments[i].unit);
        free(t->assignments[i].reply);
        free(t->assignments[i].return_reason);
    }
    free(t->assignments);
    free(t->due_rule);
    free(t->calendar);
    for (i = 0; i < t->n_extensions; i++) {
        free(t->extensions[i].unit);
        free(t->extensions[i].reason);
        free(t->extensions[i].requested_by);
        free(t->extensions[i].decided_by);
        free(t->extensions[i].note);
    }
    free(t->extensions);
    for (i = 0; i < t->n_urges; i++) {
        free(t->urges[i].by);
        free(t->urges[i].note);
    }
    free(t->urges);
    for (i = 0; i < t->n_supervisions; i++) {
        free(t->supervisions[i].by);
        free(t->supervisions[i].note);
    }
    free(t->supervisions);
    for (i = 0; i < t->n_callbacks; i++) {
        free(t->callbacks[i].by);
        free(t->callbacks[i].note);
    }
    free(t->callbacks);
    for (i = 0; i < t->n_events; i++) {
        free(t->events[i].type);
        free(t->events[i].by);
        free(t->events[i].note);
    }
    free(t->events);
    free(t->created_by);
    memset(t, 0, sizeof *t);
}

/* Free a ticket and NULL the pointer. */
void
ticket_free(struct ticket **t)
{
    if (t == NULL || *t == NULL)
        return;
    ticket_fini(*t);
    free(*t);
    *t = NULL;
}

/* The first assignment with role lead. */
struct assignment *
ticket_lead(const struct ticket *t)
{
    size_t i;

    for (i = 0; i < t->n_assignments; i++) {
        if (t->assignments[i].role == ROLE_LEAD)
            return &t->assignments[i];
    }
    return NULL;
}

/* Append a zeroed assignment. */
struct assignment *
ticket_add_assignment(struct ticket *t)
{
    t->assignments = grow_one(t->assignments, t->n_assignments, sizeof *t->assignments);
    return &t->assignments[t->n_assignments++];
}

/* Append a zeroed extension request. */
struct extension *
ticket_add_extension(struct ticket *t)
{
    t->extensions = grow_one(t->extensions, t->n_extensions, sizeof *t->extensions);
    return &t->extensions[t->n_extensions++];
}

/* Append a zeroed urge. */
struct urge *
ticket_add_urge(struct ticket *t)
{
    t->urges = grow_one(t->urges, t->n_urges, sizeof *t->urges);
    return &t->urges[t->n_urges++];
}

/* Append a zeroed supervision. */
struct urge *
ticket_add_supervision(struct ticket *t)
{
    t->supervisions = grow_one(t->supervisions, t->n_supervisions, sizeof *t->supervisions);
    return &t->supervisions[t->n_supervisions++];
}

/* Append a zeroed callback attempt. */
struct callback *
ticket_add_callback(struct ticket *t)
{
    t->callbacks = grow_one(t->callbacks, t->n_callbacks, sizeof *t->callbacks);
    return &t->callbacks[t->n_callbacks++];
}

/* Append a zeroed timeline event. */
struct event *
ticket_add_event(struct ticket *t)
{
    t->events = grow_one(t->events, t->n_events, sizeof *t->events);
    return &t->events[t->n_events++];
}

/* True when the ticket is neither closed nor archived. */
bool
ticket_is_open(const struct ticket *t)
{
    return t->status != STATUS_CLOSED && t->status != STATUS_ARCHIVED;
}

/* Drop the caller's name, phone and address; the caller decides when (confidential
 * caller shown to a unit, watch mode). The confidential flag itself is kept. */
void
ticket_mask_caller(struct ticket *t)
{
    if (t == NULL)
        return;
    free(t->caller.name);
    free(t->caller.phone);
    free(t->caller.address);
    t->caller.name = NULL;
    t->caller.phone = NULL;
    t->caller.address = NULL;
}

/* A new empty article: kind knowledge, scope national, status draft, open-ended validity. */
struct article *
article_new(void)
{
    struct article *a = xcalloc(1, sizeof *a);

    a->kind = KB_KNOWLEDGE;
    a->scope = KB_NATIONAL;
    a->status = KB_DRAFT;
    a->valid_to = INT64_MAX;
    return a;
}

/* Release what an embedded article owns and zero it. */
void
article_fini(struct article *a)
{
    if (a == NULL)
        return;
    free(a->id);
    free(a->title);
    free(a->region);
    free(a->category);
    strlist_fini(&a->tags);
    free(a->body);
    free(a->snippet);
    memset(a, 0, sizeof *a);
}

/* Free an article and NULL the pointer. */
void
article_free(struct article **a)
{
    if (a == NULL || *a == NULL)
        return;
    article_fini(*a);
    free(*a);
    *a = NULL;
}

/* Release what a user owns and zero it. */
void
user_fini(struct user *u)
{
    if (u == NULL)
        return;
    free(u->id);
    free(u->name);
    free(u->unit);
    memset(u, 0, sizeof *u);
}

/* Release what a call event owns and zero it. */
void
call_event_fini(struct call_event *c)
{
    if (c == NULL)
        return;
    free(c->call_id);
    free(c->caller);
    free(c->queue);
    free(c->agent);
    memset(c, 0, sizeof *c);
}

/* Release what a call record owns and zero it. */
void
call_record_fini(struct call_record *c)
{
    if (c == NULL)
        return;
    free(c->call_id);
    free(c->caller);
    free(c->queue);
    free(c->agent);
    memset(c, 0, sizeof *c);
}
