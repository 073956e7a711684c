/* store_util: what the stores share: cursors, search text, snippets, documents, reports. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "hotline/codec.h"
#include "hotline/datetime.h"
#include "hotline/model.h"
#include "hotline/phone.h"
#include "hotline/text.h"
#include "hotline/tz.h"
#include "hotline/util.h"
#include "store.h"
#include "store_util.h"

/* The orders of ticket lists; the first is the default. */
static const struct store_ticket_order ticket_orders[] = {
    { "created", 'c', "created_at", true },
    { "updated", 'u', "updated_at", true },
    { "due", 'd', "due_at", false },
    { "callback_due", 'b', "callback_due_at", false },
};

/* A search string without surrounding white space; NULL when nothing is left. Owned. */
char *
store_util_trim_query(const char *q)
{
    size_t n;

    if (q == NULL)
        return NULL;
    while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r')
        q++;
    n = strlen(q);
    while (n > 0 && (q[n - 1] == ' ' || q[n - 1] == '\t' || q[n - 1] == '\n'
                     || q[n - 1] == '\r'))
        n--;
    return n == 0 ? NULL : xstrndup(q, n);
}

/* The LIKE pattern "%q%" with %, _ and \ escaped by \ (use with ESCAPE '\'). Owned. */
char *
store_util_like_pattern(const char *q)
{
    struct strbuf sb;

    strbuf_init(&sb);
    strbuf_addc(&sb, '%');
    for (; *q != '\0'; q++) {
        if (*q == '%' || *q == '_' || *q == '\\')
            strbuf_addc(&sb, '\\');
        strbuf_addc(&sb, *q);
    }
    strbuf_addc(&sb, '%');
    return strbuf_detach(&sb);
}

/* True when q is long enough for the trigram index (3 code points or more). */
bool
store_util_use_trigrams(const char *q)
{
    return text_chars(q) >= 3;
}

/* Clamp a page size: unset (<= 0) gives the default, above the maximum the maximum. */
int
store_util_clamp_limit(int limit)
{
    if (limit <= 0)
        return STORE_LIMIT_DEFAULT;
    return limit > STORE_LIMIT_MAX ? STORE_LIMIT_MAX : limit;
}

/* An opaque cursor: hex of "<tag>:<key>:<id>". Owned. */
char *
store_util_cursor_make(char tag, int64_t key, const char *id)
{
    static const char hex[] = "0123456789abcdef";
    char *plain = xasprintf("%c:%lld:%s", tag, (long long)key, id != NULL ? id : "");
    struct strbuf sb;
    const unsigned char *p;

    strbuf_init(&sb);
    for (p = (const unsigned char *)plain; *p != '\0'; p++) {
        strbuf_addc(&sb, hex[*p >> 4]);
        strbuf_addc(&sb, hex[*p & 15]);
    }
    free(plain);
    return strbuf_detach(&sb);
}

/* Value of a hex digit, -1 when not one. */
static int
hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* Decode a cursor of the given tag into key and id (owned). */
int
store_util_cursor_parse(const char *cursor, char tag, int64_t *key, char **id, struct err *e)
{
    size_t n = strlen(cursor), i;
    char *plain = NULL, *colon;
    long v;
    int rc = HL_OK;

    *id = NULL;
    if (n == 0 || n > STORE_CURSOR_MAX || n % 2 != 0)
        goto bad;
    plain = xmalloc(n / 2 + 1);
    for (i = 0; i < n; i += 2) {
        int hi = hexval(cursor[i]), lo = hexval(cursor[i + 1]);

        if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
            goto bad;
        plain[i / 2] = (char)(hi << 4 | lo);
    }
    plain[n / 2] = '\0';
    if (plain[0] != tag || plain[1] != ':')
        goto bad;
    colon = strchr(plain + 2, ':');
    if (colon == NULL)
        goto bad;
    *colon = '\0';
    if (!str_to_long(plain + 2, INT64_MIN, INT64_MAX, &v))
        goto bad;
    *key = v;
    *id = xstrdup(colon + 1);
    goto out;
bad:
    rc = err_set(e, HL_EINVAL, "cursor", "the cursor is not one this list gave out (it "
                 "belongs to another list or order, or was altered): start from the first "
                 "page");
out:
    free(plain);
    return rc;
}

/* Local date of an instant in the store's zone as YYYYMMDD. */
int64_t
store_util_local_day(const struct store *s, hl_time t)
{
    struct civil_time ct;

    if (s->tz != NULL)
        tz_to_civil(s->tz, t, &ct);
    else
        datetime_civil_at_offset(t, 0, &ct);
    return (int64_t)ct.year * 10000 + ct.month * 100 + ct.day;
}

/* The canonical caller number of a ticket into buf ("" when absent or invalid). */
void
store_util_canonical_phone(const char *typed, char *buf, size_t sz)
{
    struct phone p;

    buf[0] = '\0';
    if (typed != NULL && phone_normalize(typed, "", &p) != PHONE_INVALID)
        str_copy(buf, sz, p.number);
}

/* A stored ticket document decoded; NULL + e (HL_EIO) when it does not decode. */
struct ticket *
store_util_doc_to_ticket(const char *doc, const char *id, struct err *e)
{
    struct err pe;
    cJSON *json;
    struct ticket *t = NULL;

    err_clear(&pe);
    if (doc == NULL) {
        err_set(e, HL_EIO, "", "ticket %s: the stored document is missing", id);
        return NULL;
    }
    json = codec_parse(doc, strlen(doc), &pe);
    if (json != NULL)
        t = codec_ticket_decode(json, &pe);
    cJSON_Delete(json);
    if (t == NULL)
        err_set(e, HL_EIO, "", "ticket %s: the stored document is damaged (%s): run "
                "`hotlined check`", id, pe.msg);
    return t;
}

/* A stored article document decoded; NULL + e (HL_EIO) when it does not decode. */
struct article *
store_util_doc_to_article(const char *doc, const char *id, struct err *e)
{
    struct err pe;
    cJSON *json;
    struct article *a = NULL;

    err_clear(&pe);
    if (doc == NULL) {
        err_set(e, HL_EIO, "", "article %s: the stored document is missing", id);
        return NULL;
    }
    json = codec_parse(doc, strlen(doc), &pe);
    if (json != NULL)
        a = codec_article_decode(json, &pe);
    cJSON_Delete(json);
    if (a == NULL)
        err_set(e, HL_EIO, "", "article %s: the stored document is damaged (%s): run "
                "`hotlined check`", id, pe.msg);
    return a;
}

/* The units of a ticket's assignments, distinct, comma separated; NULL when none. Owned. */
char *
store_util_units_csv(const struct ticket *t)
{
    struct strbuf sb;
    size_t i, j;

    if (t->n_assignments == 0)
        return NULL;
    strbuf_init(&sb);
    for (i = 0; i < t->n_assignments; i++) {
        const char *u = t->assignments[i].unit;
        bool seen = false;

        if (str_empty(u))
            continue;
        for (j = 0; j < i && !seen; j++)
            seen = t->assignments[j].unit != NULL && strcmp(t->assignments[j].unit, u) == 0;
        if (seen)
            continue;
        if (sb.len > 0)
            strbuf_addc(&sb, ',');
        strbuf_adds(&sb, u);
    }
    if (sb.len == 0) {
        strbuf_fini(&sb);
        return NULL;
    }
    return strbuf_detach(&sb);
}

/* Byte offset of the first occurrence of needle in hay, ASCII letters folded; -1 when
 * absent. */
long
store_util_find_ci(const char *hay, const char *needle)
{
    return text_find_ci(hay, needle);
}

/* A snippet of text around the first match of q (see text_snippet), or its start. Owned. */
char *
store_util_snippet(const char *text, const char *q)
{
    long pos = q != NULL ? text_find_ci(text, q) : -1;

    return text_snippet(text, pos, pos >= 0 ? strlen(q) : 0, TEXT_SNIPPET_FILL);
}

/* The snippet of an article for query q (NULL: no query). Owned. */
char *
store_util_article_snippet(const struct article *a, const char *q)
{
    const char *body = a->body != NULL ? a->body : "";

    if (q != NULL && store_util_find_ci(body, q) < 0 && a->title != NULL
        && store_util_find_ci(a->title, q) >= 0)
        return store_util_snippet(a->title, q);
    return store_util_snippet(body, q);
}

/* The order named by name (NULL: created); NULL + e when unknown. */
const struct store_ticket_order *
store_util_ticket_order(const char *name, struct err *e)
{
    size_t i;

    if (str_empty(name))
        return &ticket_orders[0];
    for (i = 0; i < ARRAY_SIZE(ticket_orders); i++)
        if (strcmp(ticket_orders[i].name, name) == 0)
            return &ticket_orders[i];
    err_set(e, HL_EINVAL, "order", "unknown order \"%.40s\": use created, updated, due or "
            "callback_due", name);
    return NULL;
}

/* Add one problem line to the report (up to STORE_CHECK_MAX_LINES per section). */
void
store_util_problem(struct strbuf *r, int *section, int *total, const char *fmt, ...)
{
    char line[512];
    va_list ap;

    (*total)++;
    if ((*section)++ >= STORE_CHECK_MAX_LINES)
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    strbuf_addf(r, "  problem: %s\n", line);
}

/* ---- the gram index of the knowledge base ---- */

/* A copy of s with ASCII letters lowered. Owned. */
static char *
ascii_lower(const char *s)
{
    char *d = xstrdup(s);
    char *p;

    for (p = d; *p != '\0'; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return d;
}

/* Append the hex of n bytes. */
static void
add_hex(struct strbuf *sb, const char *s, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        strbuf_addc(sb, digits[c >> 4]);
        strbuf_addc(sb, digits[c & 15]);
    }
}

/* A set of grams keyed by their code points (open addressing, zero = empty). */
struct gram_set {
    uint64_t *slot;
    size_t mask;
};

/* Add key to the set; true when it was not there. */
static bool
gram_set_add(struct gram_set *gs, uint64_t key)
{
    size_t i = (size_t)((key * UINT64_C(0x9e3779b97f4a7c15)) >> 20) & gs->mask;

    while (gs->slot[i] != 0) {
        if (gs->slot[i] == key)
            return false;
        i = (i + 1) & gs->mask;
    }
    gs->slot[i] = key;
    return true;
}

/* Add the new grams of one text (lowered) to rows: unigram and bigram at each position,
 * ranked base + position. */
static void
gram_text(const char *text, int64_t base, struct gram_set *gs, struct strbuf *row,
          int64_t *row_rk, struct store_gram_row **rows, size_t *n, size_t *cap)
{
    size_t nc, *off = text_cp_offsets(text, &nc), i;
    uint32_t cp, next = 0;

    for (i = 0; i < nc; i++) {
        uint64_t k1, k2 = 0;
        int64_t rk = base + (int64_t)i + 1;
        int pass;

        text_utf8_decode(text + off[i], off[i + 1] - off[i], &cp);
        if (i + 1 < nc)
            text_utf8_decode(text + off[i + 1], off[i + 2] - off[i + 1], &next);
        k1 = (UINT64_C(1) << 43) | cp;
        if (i + 1 < nc)
            k2 = (UINT64_C(1) << 44) | ((uint64_t)cp << 21) | next;
        for (pass = 0; pass < 2; pass++) {
            uint64_t key = pass == 0 ? k1 : k2;
            size_t end;

            if (key == 0 || !gram_set_add(gs, key))
                continue;
            end = off[i + 1 + (size_t)pass];
            if (*row_rk != rk && row->len > 0) {
                if (*n == *cap) {
                    *cap = *cap * 2 + 16;
                    *rows = xrealloc(*rows, *cap * sizeof **rows);
                }
                (*rows)[*n].rk = *row_rk;
                (*rows)[(*n)++].tokens = strbuf_detach(row);
                strbuf_init(row);
            }
            *row_rk = rk;
            if (row->len > 0)
                strbuf_addc(row, ' ');
            add_hex(row, text + off[i], end - off[i]);
        }
    }
    free(off);
}

/* The gram index rows of an article, by rank. */
size_t
store_util_gram_rows(const char *title, const char *body, struct store_gram_row **rows)
{
    char *t = ascii_lower(title != NULL ? title : "");
    char *b = ascii_lower(body != NULL ? body : "");
    struct gram_set gs;
    struct strbuf row;
    size_t want = 2 * (strlen(t) + strlen(b)) + 16, size = 16, n = 0, cap = 0;
    int64_t row_rk = 0;

    while (size < 2 * want)
        size *= 2;
    gs.slot = xcalloc(size, sizeof *gs.slot);
    gs.mask = size - 1;
    *rows = NULL;
    strbuf_init(&row);
    gram_text(t, 0, &gs, &row, &row_rk, rows, &n, &cap);
    gram_text(b, STORE_GRAM_BODY, &gs, &row, &row_rk, rows, &n, &cap);
    if (row.len > 0) {
        if (n == cap) {
            cap = cap + 1;
            *rows = xrealloc(*rows, cap * sizeof **rows);
        }
        (*rows)[n].rk = row_rk;
        (*rows)[n++].tokens = strbuf_detach(&row);
    }
    strbuf_fini(&row);
    free(gs.slot);
    free(t);
    free(b);
    return n;
}

/* Release rows from store_util_gram_rows. */
void
store_util_gram_rows_free(struct store_gram_row *rows, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        free(rows[i].tokens);
    free(rows);
}

/* The index token of a 1- or 2-character gram. Owned. */
char *
store_util_gram_token(const char *gram)
{
    struct strbuf sb;
    char *g = ascii_lower(gram);

    strbuf_init(&sb);
    add_hex(&sb, g, strlen(g));
    free(g);
    return strbuf_detach(&sb);
}

/* 1-based code point position of the first match of needle in hay; 0 when absent. */
static int64_t
char_pos(const char *hay, const char *needle)
{
    long pos = store_util_find_ci(hay, needle);
    int64_t n = 1;
    long i;

    if (pos < 0)
        return 0;
    for (i = 0; i < pos; i++)
        if (((unsigned char)hay[i] & 0xc0) != 0x80)
            n++;
    return n;
}

/* The rank of the first match of needle in an article; 0 when absent. */
int64_t
store_util_match_rank(const char *title, const char *body, const char *needle)
{
    int64_t p = char_pos(title != NULL ? title : "", needle);

    if (p > 0)
        return p;
    p = char_pos(body != NULL ? body : "", needle);
    return p > 0 ? STORE_GRAM_BODY + p : 0;
}

/* True when cp separates the runs of a phrase (white space, punctuation). */
static bool
phrase_separator(uint32_t cp)
{
    if (cp < 0x80)
        return !((cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z'));
    return (cp >= 0x80 && cp <= 0xbf) || (cp >= 0x2000 && cp <= 0x206f)
           || (cp >= 0x3000 && cp <= 0x303f) || (cp >= 0xff00 && cp <= 0xff0f)
           || (cp >= 0xff1a && cp <= 0xff20) || (cp >= 0xff3b && cp <= 0xff40)
           || (cp >= 0xff5b && cp <= 0xff65) || cp == 0xfffd;
}

/* The distinct bigrams of a typed phrase, in order, at most STORE_GRAMS_MAX. */
size_t
store_util_phrase_bigrams(const char *q, char ***out)
{
    char *s = ascii_lower(q);
    size_t nc, *off = text_cp_offsets(s, &nc), i, j, n = 0;
    uint32_t a, b;

    *out = xcalloc(STORE_GRAMS_MAX, sizeof **out);
    for (i = 0; i + 1 < nc && n < STORE_GRAMS_MAX; i++) {
        char *g;
        bool seen = false;

        text_utf8_decode(s + off[i], off[i + 1] - off[i], &a);
        text_utf8_decode(s + off[i + 1], off[i + 2] - off[i + 1], &b);
        if (phrase_separator(a) || phrase_separator(b))
            continue;
        g = xstrndup(s + off[i], off[i + 2] - off[i]);
        for (j = 0; j < n && !seen; j++)
            seen = strcmp((*out)[j], g) == 0;
        if (seen)
            free(g);
        else
            (*out)[n++] = g;
    }
    free(off);
    free(s);
    return n;
}

/* Every bigram of a text in order (ASCII lowered), the n - 1 pairs of its n code points,
 * repeats kept: bigram j starts at code point j. */
size_t
store_util_text_bigrams(const char *text, char ***out)
{
    char *s = ascii_lower(text);
    size_t nc, *off = text_cp_offsets(s, &nc), i;

    *out = xcalloc(nc > 1 ? nc - 1 : 1, sizeof **out);
    for (i = 0; i + 1 < nc; i++)
        (*out)[i] = xstrndup(s + off[i], off[i + 2] - off[i]);
    free(off);
    free(s);
    return nc > 1 ? nc - 1 : 0;
}

/* Free n strings and their array. */
void
store_util_strings_free(char **v, size_t n)
{
    size_t i;

    if (v == NULL)
        return;
    for (i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* The snippet of an article found by bigrams: around the earliest of them. Owned. */
char *
store_util_article_snippet_grams(const struct article *a, char *const *grams, size_t n)
{
    const char *fields[2];
    size_t f, i;

    fields[0] = a->body != NULL ? a->body : "";
    fields[1] = a->title != NULL ? a->title : "";
    for (f = 0; f < 2; f++) {
        long best = -1;
        size_t which = 0;

        for (i = 0; i < n; i++) {
            long p = store_util_find_ci(fields[f], grams[i]);

            if (p >= 0 && (best < 0 || p < best)) {
                best = p;
                which = i;
            }
        }
        if (best >= 0)
            return store_util_snippet(fields[f], grams[which]);
    }
    return store_util_snippet(fields[0], NULL);
}
