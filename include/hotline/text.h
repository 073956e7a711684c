/* text: UTF-8 validation, display width, truncation and sanitising for the terminal, masking. */
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
