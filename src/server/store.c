/* store: choosing the store implementation by target, and the release helpers of its results. */
#include <stdlib.h>
#include <string.h>

#include "hotline/util.h"
#include "store.h"
#include "store_sqlite.h"
#ifdef HOTLINE_HAVE_PG
#include "store_pg.h"
#endif

/* Open the store named by target. */
struct store *
store_open(const char *target, const struct tz *tz, struct err *e)
{
    if (str_empty(target)) {
        err_set(e, HL_EINVAL, "db", "no database given: pass --db PATH (a SQLite file) or "
                "--db postgresql://...");
        return NULL;
    }
    if (str_starts_with(target, "postgresql://") || str_starts_with(target, "postgres://")) {
#ifdef HOTLINE_HAVE_PG
        return store_pg_open(target, tz, e);
#else
        err_set(e, HL_EINVAL, "db",
                "PostgreSQL store not built: this hotlined only has the SQLite store; "
                "pass --db with a file path (or rebuild with libpq-dev installed)");
        return NULL;
#endif
    }
    return store_sqlite_open(target, tz, e);
}

/* Release a page of tickets and zero it. */
void
ticket_page_fini(struct ticket_page *p)
{
    size_t i;

    if (p == NULL)
        return;
    for (i = 0; i < p->n; i++) {
        if (p->items != NULL)
            ticket_fini(&p->items[i]);
        if (p->docs != NULL)
            free(p->docs[i]);
    }
    free(p->items);
    free(p->docs);
    free(p->next_cursor);
    memset(p, 0, sizeof *p);
}

/* Release a page of articles and zero it. */
void
article_page_fini(struct article_page *p)
{
    size_t i;

    if (p == NULL)
        return;
    for (i = 0; i < p->n; i++)
        article_fini(&p->items[i]);
    free(p->items);
    free(p->next_cursor);
    memset(p, 0, sizeof *p);
}

/* Release a feed event and zero it. */
void
feed_event_fini(struct feed_event *ev)
{
    if (ev == NULL)
        return;
    free(ev->type);
    free(ev->ticket_id);
    free(ev->action);
    free(ev->agent);
    free(ev->phone);
    free(ev->unit);
    memset(ev, 0, sizeof *ev);
}

/* Release an audit row and zero it. */
void
audit_row_fini(struct audit_row *a)
{
    if (a == NULL)
        return;
    free(a->user_id);
    free(a->ticket_id);
    free(a->what);
    memset(a, 0, sizeof *a);
}

/* Release a unit and zero it. */
void
unit_fini(struct unit *u)
{
    if (u == NULL)
        return;
    free(u->code);
    free(u->name);
    memset(u, 0, sizeof *u);
}

/* Release a user row and zero it. */
void
user_row_fini(struct user_row *u)
{
    if (u == NULL)
        return;
    user_fini(&u->user);
    free(u->pw_hash);
    memset(u, 0, sizeof *u);
}

char *
store_display(const char *target)
{
#ifdef HOTLINE_HAVE_PG
    if (target != NULL && (str_starts_with(target, "postgresql://")
                           || str_starts_with(target, "postgres://")))
        return store_pg_redact(target);
#endif
    return xstrdup(target != NULL ? target : "");
}
