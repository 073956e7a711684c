/* store_util: what the stores share: cursors, search text, snippets, documents, reports. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hotline/datetime.h"
#include "hotline/err.h"
#include "hotline/model.h"
#include "hotline/util.h"
#include "store.h"

#define STORE_LIMIT_DEFAULT   50          /* page size when none is asked for */
#define STORE_LIMIT_MAX       100         /* largest page */
#define STORE_CURSOR_MAX      512         /* bytes of an encoded cursor */
#define STORE_OFFSET_MAX      100000      /* deepest page of a ranked article search */
#define STORE_CHECK_MAX_LINES 20          /* problems listed per check section */

/* One way of ordering a ticket list: its name in ticket_query.order, the cursor tag,
 * the column it sorts on and the direction. */
struct store_ticket_order {
    const char *name;
    char tag;
    const char *col;
    bool desc;
};

/* The order named by name (NULL or "": "created"); NULL + e (HL_EINVAL, field "order")
 * when unknown. The result points into a static table. */
const struct store_ticket_order *store_util_ticket_order(const char *name, struct err *e);

/* A search string without surrounding white space; NULL when nothing is left. Owned. */
char *store_util_trim_query(const char *q);
/* The LIKE pattern "%q%" with %, _ and \ escaped by \ (use with ESCAPE '\'). Owned. */
char *store_util_like_pattern(const char *q);
/* True when q is long enough for a trigram index (3 code points or more). */
bool store_util_use_trigrams(const char *q);
/* Clamp a page size: unset (<= 0) gives STORE_LIMIT_DEFAULT, above STORE_LIMIT_MAX the
 * maximum. */
int store_util_clamp_limit(int limit);

/* An opaque cursor: hex of "<tag>:<key>:<id>". Owned. */
char *store_util_cursor_make(char tag, int64_t key, const char *id);
/* Decode a cursor of the given tag into key and *id (owned); HL_EINVAL (field "cursor")
 * when it is not one a list with this tag gave out. */
int store_util_cursor_parse(const char *cursor, char tag, int64_t *key, char **id,
                            struct err *e);

/* Local date of an instant in the store's zone (UTC without one) as YYYYMMDD. */
int64_t store_util_local_day(const struct store *s, hl_time t);
/* The canonical caller number of a typed one into buf ("" when absent or invalid). */
void store_util_canonical_phone(const char *typed, char *buf, size_t sz);
/* A stored ticket document decoded (owned); NULL + e (HL_EIO, naming the ticket and
 * `hotlined check`) when it is missing or does not decode. */
struct ticket *store_util_doc_to_ticket(const char *doc, const char *id, struct err *e);
/* A stored article document decoded (owned); NULL + e (HL_EIO) when it does not decode. */
struct article *store_util_doc_to_article(const char *doc, const char *id, struct err *e);
/* The units of a ticket's assignments, distinct, comma separated; NULL when none. Owned. */
char *store_util_units_csv(const struct ticket *t);

/* Byte offset of the first occurrence of needle in hay, ASCII letters folded; -1 when
 * absent (text_find_ci). Safe on UTF-8: a match can only start on a character boundary. */
long store_util_find_ci(const char *hay, const char *needle);
/* About TEXT_SNIPPET_CHARS characters of text around the first match of q (wrapped in
 * 【】; a match near the end still gets them all, TEXT_SNIPPET_FILL), or the start of text
 * when q is NULL or not found; "…" marks each cut; line breaks and tabs become spaces.
 * Never splits a UTF-8 sequence (text_snippet). Owned. */
char *store_util_snippet(const char *text, const char *q);
/* The snippet of an article for q (NULL: no query): from the body, or from the title
 * when only the title matches. Owned. */
char *store_util_article_snippet(const struct article *a, const char *q);

/* The gram index of the knowledge base: every distinct 1- and 2-character gram of an
 * article (ASCII letters lowered) at the rank of its first occurrence: its 1-based code
 * point position in the title, or STORE_GRAM_BODY + its position in the body when the
 * title lacks it. Smaller ranks are better matches (title hits first, earlier first). */
#define STORE_GRAM_BODY       (INT64_C(1) << 24)
#define STORE_GRAMS_MAX       32          /* bigrams of a phrase the fallback search uses */

/* One row of an article's gram index: the grams first found at rank rk, each as the hex
 * of its UTF-8 bytes, separated by spaces. */
struct store_gram_row {
    int64_t rk;
    char *tokens;
};

/* The gram index rows of an article, by rank; *rows owned (store_util_gram_rows_free). */
size_t store_util_gram_rows(const char *title, const char *body, struct store_gram_row **rows);
/* Release rows from store_util_gram_rows. */
void store_util_gram_rows_free(struct store_gram_row *rows, size_t n);
/* The index token of a 1- or 2-character gram (ASCII lowered, hex of its bytes). Owned. */
char *store_util_gram_token(const char *gram);
/* The rank of the first match of needle in an article as above (ASCII folded); 0 when
 * neither title nor body has it. */
int64_t store_util_match_rank(const char *title, const char *body, const char *needle);
/* The distinct bigrams of a typed phrase (ASCII lowered), from its runs between white
 * space and punctuation, in order, at most STORE_GRAMS_MAX; *out owned (free each, then
 * the array). */
size_t store_util_phrase_bigrams(const char *q, char ***out);
/* Every bigram of a text (ASCII lowered) in order, repeats kept: bigram j starts at its
 * code point j (0-based); *out owned (store_util_strings_free). */
size_t store_util_text_bigrams(const char *text, char ***out);
/* Free n strings and their array. */
void store_util_strings_free(char **v, size_t n);
/* The snippet of an article found by bigrams: around the earliest of them in the body,
 * else in the title. Owned. */
char *store_util_article_snippet_grams(const struct article *a, char *const *grams, size_t n);

/* Add one "  problem: ..." line to a check report (up to STORE_CHECK_MAX_LINES per
 * section); counts it in *section and *total. */
void store_util_problem(struct strbuf *r, int *section, int *total, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
