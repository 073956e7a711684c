/* text: UTF-8 validation, display width, truncation and sanitising for the terminal, masking,
 * search snippets. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True when the len bytes at s are well-formed UTF-8 (no overlongs, surrogates or > U+10FFFF). */
bool text_utf8_valid(const char *s, size_t len);
/* Decode one code point from s (len > 0 bytes available); returns bytes consumed (>= 1).
 * An invalid sequence yields U+FFFD and consumes 1 byte. */
size_t text_utf8_decode(const char *s, size_t len, uint32_t *cp);
/* Encode a code point into buf (at least 4 bytes); returns bytes written (0 if invalid). */
size_t text_utf8_encode(uint32_t cp, char *buf);
/* Number of code points in a NUL-terminated string (invalid bytes count one each). */
size_t text_chars(const char *s);
/* Columns a code point takes in a terminal: 2 for wide (CJK, most emoji), 0 for combining
 * and zero-width, 1 otherwise; -1 for control characters. */
int text_cp_width(uint32_t cp);

/* Flags for text_sanitize. */
enum {
    TEXT_KEEP_NEWLINES = 1 << 0,  /* keep '\n' (multi-line areas); otherwise it becomes a visible mark */
};

/* A copy of s safe to draw: invalid bytes become U+FFFD, control characters, escape
 * sequences, bidi overrides and zero-width characters become visible placeholders,
 * a tab becomes a space. Caller owns. */
char *text_sanitize(const char *s, int flags);
/* Display width of a sanitised string, in columns. */
int text_width(const char *s);
/* Bytes of the longest prefix of s that fits in cols columns (never splits a character
 * or separates a combining mark from its base); *used gets its width (may be NULL). */
size_t text_fit(const char *s, int cols, int *used);
/* Sanitised copy of s cut to at most cols columns, ending in "…" when cut. Caller owns. */
char *text_truncate(const char *s, int cols);
/* Mask a phone number for people who may not see it: "13812345678" -> "138****5678". Caller owns. */
char *text_mask_phone(const char *phone);
/* Mask a name: keep the first character, star the rest ("张三丰" -> "张**", "Li" -> "L*"). Caller owns. */
char *text_mask_name(const char *name);

/* Code points of a search snippet (text_snippet), and how many come before the match. */
#define TEXT_SNIPPET_CHARS 80
#define TEXT_SNIPPET_BEFORE 20
/* The marks around the match in a snippet: 【 and 】 (U+3010, U+3011). */
#define TEXT_SNIPPET_OPEN "\xE3\x80\x90"
#define TEXT_SNIPPET_CLOSE "\xE3\x80\x91"

/* Flags for text_snippet. */
enum {
    TEXT_SNIPPET_FILL = 1 << 0,   /* a match near the end: start earlier, so that the snippet
                                   * still holds TEXT_SNIPPET_CHARS code points */
};

/* Byte offset of the first occurrence of needle in hay, ASCII letters without case; -1 when
 * there is none, when needle is empty or when either is NULL. On UTF-8 a match starts on a
 * character boundary (a lead byte never equals a continuation byte). */
long text_find_ci(const char *hay, const char *needle);
/* Byte offsets of the code points of s (invalid bytes count one each) and then of its end:
 * *n + 1 entries, the last strlen(s); *n gets the number of code points. Caller owns. */
size_t *text_cp_offsets(const char *s, size_t *n);
/* A one-line snippet of text: about TEXT_SNIPPET_CHARS code points from TEXT_SNIPPET_BEFORE
 * before the match, the len bytes at byte pos (on character boundaries, as text_find_ci
 * gives them), wrapped in 【】; the start of text when pos < 0. "…" marks each cut; line
 * breaks and tabs become spaces; never splits a UTF-8 sequence. Not sanitised: the caller
 * sanitises before drawing. Caller owns. */
char *text_snippet(const char *text, long pos, size_t len, int flags);
