/* ticket_conflict: what differs between the version of a ticket the user acted on ("mine")
 * and the server's current one ("theirs"), for the 412 screen. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "app.h"
#include "hotline/codec.h"
#include "hotline/util.h"
#include "i18n.h"
#include "views/ticket_conflict.h"
#include "views/ticket_text.h"

/* Add a difference when the two texts differ. */
static void
diff(struct ticket_diffs *d, const char *field, const char *mine, const char *theirs)
{
    const char *a = mine != NULL ? mine : "";
    const char *b = theirs != NULL ? theirs : "";

    if (strcmp(a, b) == 0)
        return;
    d->v = xrealloc(d->v, (d->n + 1) * sizeof *d->v);
    d->v[d->n].field = field;
    d->v[d->n].mine = xstrdup(a);
    d->v[d->n].theirs = xstrdup(b);
    d->n++;
}

/* Compare two instants as text. */
static void
diff_time(const struct app *app, struct ticket_diffs *d, const char *field, hl_time a,
          hl_time b)
{
    char x[32], y[32];

    app_format_time(app, a, true, x, sizeof x);
    app_format_time(app, b, true, y, sizeof y);
    diff(d, field, x, y);
}

/* The assignments in a line: "water lead accepted; gas assist dispatched". Caller owns. */
static char *
assignments(const struct app *app, const struct ticket *t)
{
    struct strbuf sb;

    strbuf_init(&sb);
    for (size_t i = 0; i < t->n_assignments; i++)
        strbuf_addf(&sb, "%s%s %s %s", i > 0 ? "; " : "",
                    app_unit_name(app, t->assignments[i].unit),
                    t->assignments[i].role == ROLE_LEAD ? _("lead") : _("assist"),
                    ticket_text_assign_state(t->assignments[i].state));
    return strbuf_detach(&sb);
}

/* A count as text. */
static void
diff_count(struct ticket_diffs *d, const char *field, size_t a, size_t b)
{
    char x[24], y[24];

    snprintf(x, sizeof x, "%zu", a);
    snprintf(y, sizeof y, "%zu", b);
    diff(d, field, x, y);
}

void
ticket_conflict_diff(const struct app *app, const struct ticket *mine,
                     const struct ticket *theirs, struct ticket_diffs *out)
{
    char x[32], y[32];
    char *a, *b;

    memset(out, 0, sizeof *out);
    snprintf(x, sizeof x, "v%lld", (long long)mine->version);
    snprintf(y, sizeof y, "v%lld", (long long)theirs->version);
    diff(out, N_("Version"), x, y);
    diff(out, N_("Status"), ticket_text_status(mine->status), ticket_text_status(theirs->status));
    diff(out, N_("Subject"), mine->title, theirs->title);
    diff(out, N_("Description"), mine->description, theirs->description);
    diff(out, N_("Location"), mine->location, theirs->location);
    diff(out, N_("Category"), mine->category, theirs->category);
    diff(out, N_("Nature"), ticket_text_nature(mine->nature), ticket_text_nature(theirs->nature));
    diff(out, N_("Urgency"), ticket_text_urgency(mine->urgency),
         ticket_text_urgency(theirs->urgency));
    diff(out, N_("Caller"), mine->caller.name, theirs->caller.name);
    diff(out, N_("Phone"), mine->caller.phone, theirs->caller.phone);
    diff(out, N_("Address"), mine->caller.address, theirs->caller.address);
    diff_time(app, out, N_("Due"), mine->due_at, theirs->due_at);
    diff_time(app, out, N_("Callback due"), mine->callback_due_at, theirs->callback_due_at);
    diff_time(app, out, N_("Callback at"), mine->callback_at, theirs->callback_at);
    a = assignments(app, mine);
    b = assignments(app, theirs);
    diff(out, N_("Assignments"), a, b);
    free(a);
    free(b);
    diff(out, N_("Answer"), mine->answer, theirs->answer);
    diff_count(out, N_("Extensions"), mine->n_extensions, theirs->n_extensions);
    diff_count(out, N_("Urges"), mine->n_urges, theirs->n_urges);
    diff_count(out, N_("Supervision"), mine->n_supervisions, theirs->n_supervisions);
    diff_count(out, N_("Callbacks"), mine->n_callbacks, theirs->n_callbacks);
    diff_time(app, out, N_("Updated"), mine->updated_at, theirs->updated_at);
    if (theirs->n_events > 0) {
        const struct event *ev = &theirs->events[theirs->n_events - 1];

        if (mine->n_events != theirs->n_events)
            diff(out, N_("Last change"), "", ev->by != NULL ? ev->by : "");
    }
}

void
ticket_conflict_fini(struct ticket_diffs *d)
{
    for (size_t i = 0; i < d->n; i++) {
        free(d->v[i].mine);
        free(d->v[i].theirs);
    }
    free(d->v);
    memset(d, 0, sizeof *d);
}

struct ticket *
ticket_conflict_copy(const struct ticket *t)
{
    cJSON *json;
    struct ticket *copy;
    struct err e;

    if (t == NULL)
        return NULL;
    json = codec_ticket_to_json(t, NULL);
    copy = codec_ticket_decode(json, &e);
    cJSON_Delete(json);
    return copy;
}
