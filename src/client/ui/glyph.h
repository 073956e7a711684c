/* glyph: stepping through UTF-8 text by glyph (a base character and its zero-width marks). */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Byte offset just past the glyph starting at pos in s[0..len) (pos < len); *width gets its
 * columns (0 for a lone mark, 1 for a control character; may be NULL). A '\n' is a glyph
 * of its own and never takes marks. */
size_t glyph_next(const char *s, size_t len, size_t pos, int *width);
/* Byte offset of the glyph that ends at pos (pos > 0). */
size_t glyph_prev(const char *s, size_t pos);
/* Columns of s[start..end) counted glyph by glyph. */
int glyph_width(const char *s, size_t start, size_t end);
/* Code points in s[start..end). */
size_t glyph_codepoints(const char *s, size_t start, size_t end);
/* The first code point of the glyph at pos. */
uint32_t glyph_cp(const char *s, size_t len, size_t pos);
