/* glyph: stepping through UTF-8 text by glyph (a base character and its zero-width marks). */
#include "hotline/text.h"
#include "ui/glyph.h"

size_t
glyph_next(const char *s, size_t len, size_t pos, int *width)
{
    uint32_t cp;
    size_t n = text_utf8_decode(s + pos, len - pos, &cp);
    int w = text_cp_width(cp);

    pos += n;
    if (w < 0)
        w = 1;
    if (cp != '\n') {
        while (pos < len) {
            uint32_t next;
            size_t m = text_utf8_decode(s + pos, len - pos, &next);

            if (next == '\n' || text_cp_width(next) != 0)
                break;
            pos += m;
        }
    }
    if (width != NULL)
        *width = w;
    return pos;
}

/* Start of the code point that ends at pos. */
static size_t
cp_start(const char *s, size_t pos)
{
    size_t p = pos - 1;
    size_t back = 0;

    while (p > 0 && back < 3 && ((unsigned char)s[p] & 0xC0) == 0x80) {
        p--;
        back++;
    }
    return p;
}

size_t
glyph_prev(const char *s, size_t pos)
{
    size_t p = cp_start(s, pos);

    /* Walk back over zero-width marks to their base (never past a newline). */
    for (;;) {
        uint32_t cp;
        uint32_t base;
        size_t q;

        text_utf8_decode(s + p, pos - p, &cp);
        if (p == 0 || cp == '\n' || text_cp_width(cp) != 0)
            return p;
        q = cp_start(s, p);
        text_utf8_decode(s + q, p - q, &base);
        if (base == '\n')
            return p;
        p = q;
    }
}

int
glyph_width(const char *s, size_t start, size_t end)
{
    int cols = 0;

    while (start < end) {
        int w;

        start = glyph_next(s, end, start, &w);
        cols += w;
    }
    return cols;
}

size_t
glyph_codepoints(const char *s, size_t start, size_t end)
{
    size_t n = 0;

    while (start < end) {
        uint32_t cp;

        start += text_utf8_decode(s + start, end - start, &cp);
        n++;
    }
    return n;
}

uint32_t
glyph_cp(const char *s, size_t len, size_t pos)
{
    uint32_t cp;

    text_utf8_decode(s + pos, len - pos, &cp);
    return cp;
}
