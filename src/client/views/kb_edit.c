/* kb_edit: the article form of the knowledge-base tab (supervisors write and edit articles):
 * fields, keys, drawing, and the article it makes. */
#include <stdlib.h>
#include <string.h>

#include "hotline/datetime.h"
#include "hotline/text.h"
#include "hotline/util.h"
#include "i18n.h"
#include "ui/draw.h"
#include "views/kb_edit.h"
#include "views/kb_text.h"

/* Columns of the label column. */
#define LABEL_W 14

/* Labels of the fields. */
static const char *const labels[KB_EDIT_NFIELDS] = {
    [KB_EDIT_TITLE] = N_("Title"),
    [KB_EDIT_KIND] = N_("Kind"),
    [KB_EDIT_SCOPE] = N_("Scope"),
    [KB_EDIT_REGION] = N_("Region"),
    [KB_EDIT_CATEGORY] = N_("Category"),
    [KB_EDIT_TAGS] = N_("Tags"),
    [KB_EDIT_FROM] = N_("Valid from"),
    [KB_EDIT_TO] = N_("Valid to"),
    [KB_EDIT_BODY] = N_("Text"),
};

/* Longest text of the one-line fields, in characters. */
static const size_t field_max[KB_EDIT_NFIELDS] = {
    [KB_EDIT_TITLE] = MODEL_MAX_TITLE,
    [KB_EDIT_REGION] = MODEL_MAX_SHORT,
    [KB_EDIT_CATEGORY] = MODEL_MAX_SHORT,
    [KB_EDIT_TAGS] = 1000,
    [KB_EDIT_FROM] = 10,
    [KB_EDIT_TO] = 10,
};

/* True for the fields that are one-line inputs. */
static bool
is_text(enum kb_edit_field i)
{
    return i != KB_EDIT_KIND && i != KB_EDIT_SCOPE && i != KB_EDIT_BODY;
}

void
kb_edit_open(struct kb_edit *f, const struct article *a)
{
    char buf[16];

    kb_edit_close(f);
    f->open = true;
    for (int i = 0; i < KB_EDIT_NFIELDS; i++)
        input_init(&f->text[i], field_max[i] > 0 ? field_max[i] : 1, 0);
    textarea_init(&f->body, MODEL_MAX_TEXT);
    f->kind = KB_KNOWLEDGE;
    f->scope = KB_LOCAL;
    f->version = -1;
    f->status = KB_DRAFT;
    if (a != NULL) {
        struct strbuf tags;

        f->id = a->id != NULL ? xstrdup(a->id) : NULL;
        f->version = a->version;
        f->status = a->status;
        f->kind = (unsigned)a->kind < KB_KIND_COUNT ? a->kind : KB_KNOWLEDGE;
        f->scope = (unsigned)a->scope < KB_SCOPE_COUNT ? a->scope : KB_LOCAL;
        input_set(&f->text[KB_EDIT_TITLE], a->title != NULL ? a->title : "");
        input_set(&f->text[KB_EDIT_REGION], a->region != NULL ? a->region : "");
        input_set(&f->text[KB_EDIT_CATEGORY], a->category != NULL ? a->category : "");
        strbuf_init(&tags);
        for (size_t i = 0; i < a->tags.n; i++)
            strbuf_addf(&tags, "%s%s", i > 0 ? ", " : "", a->tags.v[i]);
        input_set(&f->text[KB_EDIT_TAGS], strbuf_str(&tags));
        strbuf_fini(&tags);
        if (a->valid_from != 0) {
            datetime_format_date(a->valid_from, buf, sizeof buf);
            input_set(&f->text[KB_EDIT_FROM], buf);
        }
        if (a->valid_to != INT64_MAX && a->valid_to != 0) {
            datetime_format_date(a->valid_to, buf, sizeof buf);
            input_set(&f->text[KB_EDIT_TO], buf);
        }
        edit_set(&f->body.ed, a->body != NULL ? a->body : "");
    }
    f->focus = KB_EDIT_TITLE;
}

void
kb_edit_close(struct kb_edit *f)
{
    if (f->open) {
        for (int i = 0; i < KB_EDIT_NFIELDS; i++)
            input_fini(&f->text[i]);
        textarea_fini(&f->body);
    }
    free(f->id);
    free(f->error);
    memset(f, 0, sizeof *f);
}

bool
kb_edit_modified(const struct kb_edit *f)
{
    if (!f->open)
        return false;
    if (f->changed || f->body.ed.modified)
        return true;
    for (int i = 0; i < KB_EDIT_NFIELDS; i++) {
        if (is_text((enum kb_edit_field)i) && f->text[i].ed.modified)
            return true;
    }
    return false;
}

void
kb_edit_set_error(struct kb_edit *f, const char *msg)
{
    free(f->error);
    f->error = msg != NULL ? xstrdup(msg) : NULL;
}

/* Move the focus by delta fields (wrapping). */
static void
move_focus(struct kb_edit *f, int delta)
{
    f->focus = (enum kb_edit_field)(((int)f->focus + delta + KB_EDIT_NFIELDS) % KB_EDIT_NFIELDS);
}

enum kb_edit_result
kb_edit_key(struct kb_edit *f, const struct key_event *ev, int width)
{
    if (ev->keycode && ev->ch == KEY_F(9))
        return KB_EDIT_SAVE;
    switch (ev->cmd) {
    case CMD_CANCEL:
        return KB_EDIT_CANCEL;
    case CMD_FIELD_NEXT:
        move_focus(f, 1);
        return KB_EDIT_NONE;
    case CMD_FIELD_PREV:
        move_focus(f, -1);
        return KB_EDIT_NONE;
    default:
        break;
    }
    switch (f->focus) {
    case KB_EDIT_KIND:
    case KB_EDIT_SCOPE: {
        int n = f->focus == KB_EDIT_KIND ? KB_KIND_COUNT : KB_SCOPE_COUNT;
        int *v = f->focus == KB_EDIT_KIND ? (int *)&f->kind : (int *)&f->scope;
        int delta = 0;

        if (ev->keycode && ev->ch == KEY_LEFT)
            delta = -1;
        else if ((ev->keycode && ev->ch == KEY_RIGHT) || (!ev->keycode && ev->ch == ' '))
            delta = 1;
        else if (ev->keycode && ev->ch == KEY_UP)
            move_focus(f, -1);
        else if ((ev->keycode && ev->ch == KEY_DOWN) || ev->cmd == CMD_ENTER)
            move_focus(f, 1);
        if (delta != 0) {
            *v = (*v + delta + n) % n;
            f->changed = true;
        }
        return KB_EDIT_NONE;
    }
    case KB_EDIT_BODY:
        if (textarea_key(&f->body, ev, width > 0 ? width : f->body_w > 0 ? f->body_w : 40) == EDIT_UNHANDLED) {
            if (ev->keycode && ev->ch == KEY_UP)
                move_focus(f, -1);
            else if (ev->keycode && ev->ch == KEY_DOWN)
                move_focus(f, 1);
        }
        return KB_EDIT_NONE;
    default:
        if ((ev->keycode && ev->ch == KEY_DOWN) || ev->cmd == CMD_ENTER) {
            move_focus(f, 1);
            return KB_EDIT_NONE;
        }
        if (ev->keycode && ev->ch == KEY_UP) {
            move_focus(f, -1);
            return KB_EDIT_NONE;
        }
        input_key(&f->text[f->focus], ev);
        return KB_EDIT_NONE;
    }
}

/* True when s holds only spaces (or nothing). */
static bool
blank(const char *s)
{
    for (; s != NULL && *s != '\0'; s++) {
        if (*s != ' ' && *s != '\t' && *s != '\n')
            return false;
    }
    return true;
}

/* A trimmed copy of s, NULL when blank. */
static char *
trimmed(const char *s)
{
    size_t a = 0, b = strlen(s);

    while (a < b && s[a] == ' ')
        a++;
    while (b > a && s[b - 1] == ' ')
        b--;
    return b > a ? xstrndup(s + a, b - a) : NULL;
}

void
kb_edit_split_tags(const char *s, struct strlist *out)
{
    static const char *const seps[] = {",", "，", "、", ";", "；"};
    size_t pos = 0, len = strlen(s), start = 0;

    while (pos <= len) {
        size_t sep = 0;

        if (pos < len) {
            for (size_t i = 0; i < ARRAY_SIZE(seps) && sep == 0; i++) {
                if (strncmp(s + pos, seps[i], strlen(seps[i])) == 0)
                    sep = strlen(seps[i]);
            }
        }
        if (pos == len || sep > 0) {
            char *part = xstrndup(s + start, pos - start);
            char *t = trimmed(part);
            bool dup = false;

            for (size_t i = 0; t != NULL && i < out->n && !dup; i++)
                dup = strcmp(out->v[i], t) == 0;
            if (t != NULL && !dup && out->n < MODEL_MAX_ITEMS)
                strlist_add(out, t);
            free(t);
            free(part);
            if (pos == len)
                break;
            pos += sep;
            start = pos;
            continue;
        }
        pos++;
    }
}

/* Read a date field: empty gives dflt; false when not YYYY-MM-DD. */
static bool
date_field(const char *s, int64_t dflt, int64_t *out)
{
    char *t = trimmed(s);
    bool ok = true;

    if (t == NULL)
        *out = dflt;
    else
        ok = datetime_parse_date(t, out);
    free(t);
    return ok;
}

int
kb_edit_article(const struct kb_edit *f, int64_t today, struct article **out, struct err *e)
{
    struct article *a = article_new();
    const char *title = input_text(&f->text[KB_EDIT_TITLE]);
    const char *body = edit_text(&f->body.ed);
    int rc = HL_OK;

    *out = NULL;
    if (blank(title)) {
        rc = err_set(e, HL_EINVAL, "title", _("The title is empty: give the article a title."));
        goto out;
    }
    if (blank(body)) {
        rc = err_set(e, HL_EINVAL, "body", _("The text is empty: write what agents should say."));
        goto out;
    }
    if (!date_field(input_text(&f->text[KB_EDIT_FROM]), today, &a->valid_from)) {
        rc = err_set(e, HL_EINVAL, "valid_from",
                     _("Valid from is not a date like 2026-03-01 (empty: today)."));
        goto out;
    }
    if (!date_field(input_text(&f->text[KB_EDIT_TO]), INT64_MAX, &a->valid_to)) {
        rc = err_set(e, HL_EINVAL, "valid_to",
                     _("Valid to is not a date like 2026-03-31 (empty: no end)."));
        goto out;
    }
    if (a->valid_to < a->valid_from) {
        rc = err_set(e, HL_EINVAL, "valid_to",
                     _("Valid to is before valid from: the article would never be shown."));
        goto out;
    }
    a->id = f->id != NULL ? xstrdup(f->id) : NULL;
    a->version = f->version;
    a->status = f->status;
    a->title = trimmed(title);
    a->kind = f->kind;
    a->scope = f->scope;
    a->region = trimmed(input_text(&f->text[KB_EDIT_REGION]));
    a->category = trimmed(input_text(&f->text[KB_EDIT_CATEGORY]));
    kb_edit_split_tags(input_text(&f->text[KB_EDIT_TAGS]), &a->tags);
    a->body = xstrdup(body);
out:
    if (rc == HL_OK)
        *out = a;
    else
        article_free(&a);
    return rc;
}

/* Draw a label, focused or not. */
static void
draw_label(WINDOW *w, int y, int x, const char *text, bool focus, const struct theme *th)
{
    draw_text(w, y, x, LABEL_W - 1, _(text), theme_attr(th, focus ? SLOT_KEY : SLOT_LABEL));
}

/* The text of a choice field: "◀ Guide ▶" when focused. */
static void
draw_choice(WINDOW *w, int y, int x, int width, const char *value, bool focus,
            const struct theme *th)
{
    char *s = focus ? xasprintf("< %s >", value) : xstrdup(value);

    draw_fill(w, y, x, width, theme_attr(th, focus ? SLOT_INPUT_FOCUS : SLOT_NORMAL));
    draw_text(w, y, x, width, s, theme_attr(th, focus ? SLOT_INPUT_FOCUS : SLOT_NORMAL));
    free(s);
}

void
kb_edit_draw(struct kb_edit *f, WINDOW *w, const struct rect *r, const struct theme *th,
             int *cy, int *cx)
{
    static const char *const hints[KB_EDIT_NFIELDS] = {
        [KB_EDIT_CATEGORY] = N_("a category code, e.g. urban.env.water_supply"),
        [KB_EDIT_TAGS] = N_("separated by commas"),
        [KB_EDIT_FROM] = N_("YYYY-MM-DD, empty: today"),
        [KB_EDIT_TO] = N_("YYYY-MM-DD, empty: no end"),
    };
    int fx = r->x + LABEL_W, fw = r->w - LABEL_W - 1, y = r->y;
    char *head;
    struct rect body;

    if (r->h < 12 || r->w < 40)
        return;
    head = f->id != NULL
               ? xasprintf(_("Edit article %s (%s): F9 saves, Esc cancels"), f->id,
                           kb_text_status(f->status))
               : xstrdup(_("New article (saved as a draft): F9 saves, Esc cancels"));
    draw_text(w, y++, r->x, r->w, head, theme_attr(th, SLOT_TITLE));
    free(head);
    for (int i = 0; i < KB_EDIT_BODY; i++, y++) {
        bool focus = f->focus == (enum kb_edit_field)i;

        draw_label(w, y, r->x, labels[i], focus, th);
        if (i == KB_EDIT_KIND) {
            draw_choice(w, y, fx, fw, kb_text_kind(f->kind), focus, th);
        } else if (i == KB_EDIT_SCOPE) {
            draw_choice(w, y, fx, fw, kb_text_scope(f->scope), focus, th);
        } else {
            int x = 0;
            int iw = fw;

            if (hints[i] != NULL && !focus && str_empty(input_text(&f->text[i]))) {
                draw_fill(w, y, fx, fw, theme_attr(th, SLOT_INPUT));
                draw_text(w, y, fx, fw, _(hints[i]), theme_attr(th, SLOT_MUTED));
                continue;
            }
            input_draw(&f->text[i], w, y, fx, iw, theme_attr(th, focus ? SLOT_INPUT_FOCUS
                                                                        : SLOT_INPUT), &x);
            if (focus) {
                *cy = y;
                *cx = x;
            }
        }
    }
    draw_label(w, y, r->x, labels[KB_EDIT_BODY], f->focus == KB_EDIT_BODY, th);
    body = (struct rect){y, fx, r->y + r->h - y - 1, fw};
    f->body_w = fw;
    textarea_draw(&f->body, w, &body,
                  theme_attr(th, f->focus == KB_EDIT_BODY ? SLOT_INPUT_FOCUS : SLOT_INPUT),
                  f->focus == KB_EDIT_BODY ? cy : NULL, f->focus == KB_EDIT_BODY ? cx : NULL);
    if (f->error != NULL)
        draw_text(w, r->y + r->h - 1, r->x, r->w, f->error, theme_attr(th, SLOT_ERROR));
    else if (f->sending)
        draw_text(w, r->y + r->h - 1, r->x, r->w, _("Saving…"), theme_attr(th, SLOT_MUTED));
    else
        draw_text(w, r->y + r->h - 1, r->x, r->w,
                  _("Tab/↑↓ move between fields, ←→ change a choice, F9 saves."),
                  theme_attr(th, SLOT_MUTED));
}
