/* intake_big: a ticket number in large block digits, to read out to the caller. Pure. */
#include <stdlib.h>
#include <string.h>

#include "hotline/text.h"
#include "hotline/util.h"
#include "views/intake_big.h"

/* A 3x5 glyph. */
struct glyph {
    char c;
    const char *rows[INTAKE_BIG_ROWS];
};

static const struct glyph font[] = {
    {'0', {"###", "# #", "# #", "# #", "###"}},
    {'1', {" # ", "## ", " # ", " # ", "###"}},
    {'2', {"###", "  #", "###", "#  ", "###"}},
    {'3', {"###", "  #", "###", "  #", "###"}},
    {'4', {"# #", "# #", "###", "  #", "  #"}},
    {'5', {"###", "#  ", "###", "  #", "###"}},
    {'6', {"###", "#  ", "###", "# #", "###"}},
    {'7', {"###", "  #", "  #", "  #", "  #"}},
    {'8', {"###", "# #", "###", "# #", "###"}},
    {'9', {"###", "# #", "###", "  #", "###"}},
    {'H', {"# #", "# #", "###", "# #", "# #"}},
    {'L', {"#  ", "#  ", "#  ", "#  ", "###"}},
    {'-', {"   ", "   ", "###", "   ", "   "}},
    {':', {"   ", " # ", "   ", " # ", "   "}},
};

/* The glyph of c, or NULL. */
static const struct glyph *
glyph_of(char c)
{
    for (size_t i = 0; i < ARRAY_SIZE(font); i++) {
        if (font[i].c == c)
            return &font[i];
    }
    return NULL;
}

char *
intake_big_row(const char *s, int row)
{
    struct strbuf sb;
    size_t len = s != NULL ? strlen(s) : 0;
    char *out;

    strbuf_init(&sb);
    if (row < 0 || row >= INTAKE_BIG_ROWS)
        return xstrdup("");
    for (size_t i = 0; i < len;) {
        const struct glyph *g = glyph_of(s[i]);
        uint32_t cp;
        size_t n;
        int w;

        if (g != NULL) {
            strbuf_adds(&sb, g->rows[row]);
            strbuf_addc(&sb, ' ');
            i++;
            continue;
        }
        n = text_utf8_decode(s + i, len - i, &cp);
        w = text_cp_width(cp);
        if (w < 0 || cp == 0xfffd) {
            i += n;
            continue;
        }
        if (row == INTAKE_BIG_ROWS / 2)
            strbuf_add(&sb, s + i, n);
        else
            for (int k = 0; k < w; k++)
                strbuf_addc(&sb, ' ');
        i += n;
    }
    /* Drop the space after the last glyph. */
    if (sb.len > 0 && sb.buf[sb.len - 1] == ' ' && len > 0 && glyph_of(s[len - 1]) != NULL)
        sb.buf[--sb.len] = '\0';
    out = strbuf_detach(&sb);
    return out != NULL ? out : xstrdup("");
}

int
intake_big_width(const char *s)
{
    char *mid = intake_big_row(s, INTAKE_BIG_ROWS / 2);
    int w = text_width(mid);

    free(mid);
    return w;
}
