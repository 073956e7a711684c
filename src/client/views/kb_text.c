/* kb_text: the knowledge-base tab's text logic without a terminal: highlighted snippets,
 * matching cached articles offline, filters, and the reader's wrapped lines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hotline/datetime.h"
#include "hotline/text.h"
#include "hotline/util.h"
#include "i18n.h"
#include "ui/draw.h"
#include "ui/glyph.h"
#include "views/kb_text.h"

/* Bytes of 【 and of 】 in UTF-8. */
#define BRACKET_LEN (sizeof TEXT_SNIPPET_OPEN - 1)

/* Most lines one article takes in the reader. */
#define READER_MAX_LINES 20000

/* ASCII lower case of a byte. */
static unsigned char
lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* True when the n bytes at a and b are equal, ASCII letters without case. */
static bool
eq_ci(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
            return false;
    }
    return true;
}

/* Bytes [*start, *end) of s without surrounding spaces. */
static void
trim(const char *s, size_t *start, size_t *end)
{
    size_t a = 0, b = s != NULL ? strlen(s) : 0;

    while (a < b && (s[a] == ' ' || s[a] == '\t'))
        a++;
    while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t'))
        b--;
    *start = a;
    *end = b;
}

long
kb_text_find(const char *hay, const char *needle)
{
    return text_find_ci(hay, needle);
}

/* Offset of the next occurrence of the 3-byte mark at or after from; len when none. */
static size_t
next_mark(const char *s, size_t len, size_t from, const char *mark)
{
    for (size_t i = from; i + BRACKET_LEN <= len; i++) {
        if (memcmp(s + i, mark, BRACKET_LEN) == 0)
            return i;
    }
    return len;
}

/* Record one span (when there is room) and count it. */
static void
add_span(struct kb_span *out, size_t max, size_t *n, size_t off, size_t len, bool hl)
{
    if (len == 0)
        return;
    if (*n < max)
        out[*n] = (struct kb_span){off, len, hl};
    (*n)++;
}

size_t
kb_text_snippet(const char *s, const char *q, struct kb_span *out, size_t max)
{
    size_t len, qs = 0, qe = 0, pos = 0, lit = 0, n = 0;

    if (s == NULL)
        return 0;
    len = strlen(s);
    trim(q, &qs, &qe);
    while (pos < len) {
        size_t c, o, in;

        if (pos + BRACKET_LEN > len || memcmp(s + pos, TEXT_SNIPPET_OPEN, BRACKET_LEN) != 0) {
            pos++;
            continue;
        }
        in = pos + BRACKET_LEN;
        c = next_mark(s, len, in, TEXT_SNIPPET_CLOSE);
        o = next_mark(s, len, in, TEXT_SNIPPET_OPEN);
        if (c < len && c < o && c > in
            && (qe == qs || (c - in == qe - qs && eq_ci(s + in, q + qs, qe - qs)))) {
            add_span(out, max, &n, lit, pos - lit, false);
            add_span(out, max, &n, in, c - in, true);
            pos = c + BRACKET_LEN;
            lit = pos;
            continue;
        }
        pos = in;
    }
    add_span(out, max, &n, lit, len - lit, false);
    return n;
}

/* True when bytes [a, b) lie inside one of the spans (brackets are in none). */
static bool
in_spans(const struct kb_span *spans, size_t n, size_t a, size_t b)
{
    for (size_t i = 0; i < n; i++) {
        if (a >= spans[i].off && b <= spans[i].off + spans[i].len)
            return true;
    }
    return false;
}

size_t
kb_text_snippet_start(const char *s, const struct kb_span *spans, size_t n, int width)
{
    const struct kb_span *hl = NULL;
    size_t pos;
    int before = 0, context, w = 0;

    for (size_t i = 0; i < n && hl == NULL; i++) {
        if (spans[i].hl)
            hl = &spans[i];
        else
            before += glyph_width(s, spans[i].off, spans[i].off + spans[i].len);
    }
    if (hl == NULL || width < 4)
        return 0;
    if (before + glyph_width(s, hl->off, hl->off + hl->len) <= width)
        return 0;
    context = width / 4;
    pos = hl->off;
    while (pos > 0) {
        size_t prev = glyph_prev(s, pos);
        int gw = in_spans(spans, n, prev, pos) ? glyph_width(s, prev, pos) : 0;

        if (w + gw > context)
            break;
        w += gw;
        pos = prev;
    }
    return pos;
}

bool
kb_text_filter_ok(const struct article *a, const struct kb_filter *f)
{
    size_t n;

    if (f == NULL)
        return true;
    if (f->kind >= 0 && (int)a->kind != f->kind)
        return false;
    if (f->scope >= 0 && (int)a->scope != f->scope)
        return false;
    if (str_empty(f->category))
        return true;
    if (a->category == NULL)
        return false;
    n = strlen(f->category);
    if (f->category[n - 1] == '.')
        return strncmp(a->category, f->category, n) == 0;
    return strcmp(a->category, f->category) == 0;
}

bool
kb_text_visible(const struct article *a, bool editor, int64_t day)
{
    if (editor)
        return true;
    return a->status == KB_PUBLISHED && a->valid_from <= day && day <= a->valid_to;
}

int
kb_text_match(const struct article *a, const char *q, char **snippet)
{
    const char *body = a->body != NULL ? a->body : "";
    size_t qs, qe;
    char *needle;
    long in_body, in_title;
    int rank = 0;

    if (snippet != NULL)
        *snippet = NULL;
    trim(q, &qs, &qe);
    if (qe == qs) {
        if (snippet != NULL)
            *snippet = text_snippet(body, -1, 0, 0);
        return 1;
    }
    needle = xstrndup(q + qs, qe - qs);
    in_body = kb_text_find(body, needle);
    in_title = kb_text_find(a->title, needle);
    if (in_title >= 0)
        rank = 3;
    for (size_t i = 0; rank == 0 && i < a->tags.n; i++) {
        if (kb_text_find(a->tags.v[i], needle) >= 0)
            rank = 2;
    }
    if (rank == 0 && in_body >= 0)
        rank = 1;
    if (rank > 0 && snippet != NULL) {
        if (in_body >= 0 || in_title < 0)
            *snippet = text_snippet(body, in_body, strlen(needle), 0);
        else
            *snippet = text_snippet(a->title, in_title, strlen(needle), 0);
    }
    free(needle);
    return rank;
}

void
kb_lines_add(struct kb_lines *l, const char *text, enum slot slot)
{
    if (l->n == l->cap) {
        l->cap = l->cap != 0 ? l->cap * 2 : 64;
        l->v = xrealloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n].text = text_sanitize(text != NULL ? text : "", 0);
    l->v[l->n].slot = slot;
    l->n++;
}

void
kb_lines_fini(struct kb_lines *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i].text);
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* Append text wrapped to width (line breaks kept), each line in slot. */
static void
add_wrapped(struct kb_lines *l, const char *text, int width, enum slot slot)
{
    char *clean = text_sanitize(text != NULL ? text : "", TEXT_KEEP_NEWLINES);
    size_t n = draw_wrap(clean, width, NULL, 0);
    struct draw_line *lines;

    if (n > READER_MAX_LINES)
        n = READER_MAX_LINES;
    lines = xcalloc(n + 1, sizeof *lines);
    draw_wrap(clean, width, lines, n);
    for (size_t i = 0; i < n; i++) {
        char *part = xstrndup(clean + lines[i].off, lines[i].len);

        kb_lines_add(l, part, slot);
        free(part);
    }
    free(lines);
    free(clean);
}

/* A copy of s, NULL for NULL. */
static char *
dup(const char *s)
{
    return s != NULL ? xstrdup(s) : NULL;
}

void
kb_text_copy(struct article *dst, const struct article *a)
{
    memset(dst, 0, sizeof *dst);
    dst->id = dup(a->id);
    dst->version = a->version;
    dst->title = dup(a->title);
    dst->kind = a->kind;
    dst->scope = a->scope;
    dst->region = dup(a->region);
    dst->category = dup(a->category);
    for (size_t i = 0; i < a->tags.n; i++)
        strlist_add(&dst->tags, a->tags.v[i]);
    dst->body = dup(a->body);
    dst->valid_from = a->valid_from;
    dst->valid_to = a->valid_to;
    dst->status = a->status;
    dst->snippet = dup(a->snippet);
    dst->created_at = a->created_at;
    dst->updated_at = a->updated_at;
}

const char *
kb_text_kind(enum kb_kind k)
{
    static const char *const names[] = {
        [KB_KNOWLEDGE] = N_("Knowledge"),
        [KB_GUIDE] = N_("Guide"),
        [KB_CASE] = N_("Case"),
        [KB_SPEC] = N_("Specification"),
        [KB_NOTICE] = N_("Emergency notice"),
    };

    return (unsigned)k < KB_KIND_COUNT ? _(names[k]) : "?";
}

const char *
kb_text_scope(enum kb_scope s)
{
    static const char *const names[] = {
        [KB_NATIONAL] = N_("National"),
        [KB_LOCAL] = N_("Local"),
    };

    return (unsigned)s < KB_SCOPE_COUNT ? _(names[s]) : "?";
}

const char *
kb_text_status(enum kb_status s)
{
    static const char *const names[] = {
        [KB_DRAFT] = N_("draft"),
        [KB_REVIEW] = N_("in review"),
        [KB_PUBLISHED] = N_("published"),
    };

    return (unsigned)s < KB_STATUS_COUNT ? _(names[s]) : "?";
}

void
kb_text_validity(const struct article *a, char *buf, size_t sz)
{
    char from[16], to[16];

    datetime_format_date(a->valid_from, from, sizeof from);
    if (a->valid_to == INT64_MAX) {
        snprintf(buf, sz, _("from %s"), from);
        return;
    }
    datetime_format_date(a->valid_to, to, sizeof to);
    snprintf(buf, sz, "%s – %s", from, to);
}

void
kb_text_reader(const struct article *a, int width, struct kb_lines *out)
{
    struct strbuf sb;
    char valid[48];

    if (width < 10)
        width = 10;
    add_wrapped(out, a->title, width, SLOT_TITLE);
    strbuf_init(&sb);
    strbuf_addf(&sb, "%s · %s", kb_text_kind(a->kind), kb_text_scope(a->scope));
    if (!str_empty(a->region))
        strbuf_addf(&sb, " · %s", a->region);
    if (!str_empty(a->category))
        strbuf_addf(&sb, " · %s", a->category);
    add_wrapped(out, strbuf_str(&sb), width, SLOT_MUTED);
    strbuf_reset(&sb);
    if (a->tags.n > 0) {
        strbuf_adds(&sb, _("Tags: "));
        for (size_t i = 0; i < a->tags.n; i++)
            strbuf_addf(&sb, "%s%s", i > 0 ? ", " : "", a->tags.v[i]);
        add_wrapped(out, strbuf_str(&sb), width, SLOT_MUTED);
        strbuf_reset(&sb);
    }
    kb_text_validity(a, valid, sizeof valid);
    strbuf_addf(&sb, _("Valid %s · %s · %s version %lld"), valid, kb_text_status(a->status),
                a->id != NULL ? a->id : "", (long long)a->version);
    add_wrapped(out, strbuf_str(&sb), width, a->status == KB_PUBLISHED ? SLOT_MUTED : SLOT_WARN);
    strbuf_reset(&sb);
    for (int i = 0; i < width; i++)
        strbuf_adds(&sb, "─");
    kb_lines_add(out, strbuf_str(&sb), SLOT_BORDER);
    strbuf_fini(&sb);
    add_wrapped(out, a->body, width, SLOT_NORMAL);
}
