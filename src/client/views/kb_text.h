/* kb_text: the knowledge-base tab's text logic without a terminal: highlighted snippets,
 * matching cached articles offline, filters, and the reader's wrapped lines. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hotline/model.h"
#include "theme.h"

/* Most query characters sent to the server (openapi: q maxLength 100). */
#define KB_TEXT_QUERY_MAX 100

/* A piece of a snippet: bytes [off, off + len) of the text, drawn highlighted or not. */
struct kb_span {
    size_t off;
    size_t len;
    bool hl;
};

/*
 * Split a snippet into spans. The server wraps the match in 【】 (U+3010, U+3011); such a pair
 * becomes one highlighted span without its brackets. A pair counts only when it closes before
 * another 【 opens and, when q is given (not blank), when what it holds is q (ASCII letters
 * without case, surrounding spaces of q ignored): a 【模板】 of the article's own text, a stray
 * 】, an 【 never closed stay literal text. Neighbouring literal pieces are one span. Fills at
 * most max spans; returns how many the snippet has. Pure.
 */
size_t kb_text_snippet(const char *s, const char *q, struct kb_span *out, size_t max);

/* Where to start drawing a snippet of spans in width columns so that its first highlight
 * shows: 0 when everything up to the end of the highlight fits, else the byte offset of a
 * glyph about a quarter of the width before the highlight (the caller draws "…" first and
 * takes one column for it). Pure. */
size_t kb_text_snippet_start(const char *s, const struct kb_span *spans, size_t n, int width);

/* Byte offset of the first occurrence of needle in hay, ASCII letters without case; -1 when
 * none (an empty needle is not found). Pure (text_find_ci). */
long kb_text_find(const char *hay, const char *needle);

/* Filters of a search; kind and scope -1 for any, category NULL for any (a code, or a prefix
 * ending in '.'). */
struct kb_filter {
    int kind;
    int scope;
    const char *category;
};

/* True when a matches the filter (category: the code itself, or under a prefix ending '.'). */
bool kb_text_filter_ok(const struct article *a, const struct kb_filter *f);
/* True when a may be shown to a reader who sees only published articles valid on day (a day
 * number, see datetime.h); editors (supervisors, admins) see every article. */
bool kb_text_visible(const struct article *a, bool editor, int64_t day);

/* Match a cached article offline against q (blank: everything matches): title, tags, body,
 * ASCII letters without case. On a match *snippet (may be NULL) gets an owned snippet like the
 * server's (text_snippet): about TEXT_SNIPPET_CHARS characters around the first match wrapped
 * in 【】 (title when the body does not hold it), "…" at each cut, line breaks as spaces. Returns
 * a rank (0 = no match, 3 title, 2 tag, 1 body: higher is better). */
int kb_text_match(const struct article *a, const char *q, char **snippet);

/* One line of the reader: sanitised text (owned) and how it is drawn. */
struct kb_line {
    char *text;
    enum slot slot;
};

/* The reader's lines (kb_lines_fini). */
struct kb_lines {
    struct kb_line *v;
    size_t n;
    size_t cap;
};

/* Lay an article out for the reader in width columns: title, one or two lines of facts
 * (kind, scope, region, category, tags, validity, status), a rule, then the body wrapped by
 * display width (CJK-aware, line breaks kept). Wire text is sanitised. Appends to out. */
void kb_text_reader(const struct article *a, int width, struct kb_lines *out);
/* Append one line (text sanitised). */
void kb_lines_add(struct kb_lines *l, const char *text, enum slot slot);
/* Release the lines and zero the list. */
void kb_lines_fini(struct kb_lines *l);

/* A deep copy of a into *dst (article_fini releases it). */
void kb_text_copy(struct article *dst, const struct article *a);

/* A kind's name, translated ("Emergency notice" / 紧急公告). */
const char *kb_text_kind(enum kb_kind k);
/* A scope's name, translated. */
const char *kb_text_scope(enum kb_scope s);
/* A status's name, translated (draft, review, published). */
const char *kb_text_status(enum kb_status s);
/* The validity as text: "2025-03-05 – 2025-03-09", "from 2024-10-01". Into buf. */
void kb_text_validity(const struct article *a, char *buf, size_t sz);
