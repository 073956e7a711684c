/* draw: drawing helpers that sanitise and measure every string by display width. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "hotline/text.h"
#include "hotline/util.h"
#include "ui/draw.h"
#include "ui/glyph.h"

/* Draw already sanitised bytes that are known to fit. */
static void
put(WINDOW *w, int y, int x, const char *s, size_t len, attr_t attr)
{
    attr_t old_a;
    short old_p;

    if (len == 0)
        return;
    wattr_get(w, &old_a, &old_p, NULL);
    wattrset(w, attr);
    mvwaddnstr(w, y, x, s, (int)len);
    wattr_set(w, old_a, old_p, NULL);
}

int
draw_text(WINDOW *w, int y, int x, int cols, const char *s, attr_t attr)
{
    char *t;
    int used;

    if (cols <= 0 || s == NULL)
        return 0;
    t = text_truncate(s, cols);
    used = text_width(t);
    put(w, y, x, t, strlen(t), attr);
    free(t);
    return used;
}

int
draw_clip(WINDOW *w, int y, int x, int cols, const char *s, size_t len, attr_t attr)
{
    char *raw;
    char *t;
    size_t fit;
    int used = 0;

    if (cols <= 0 || s == NULL)
        return 0;
    raw = xstrndup(s, len);
    t = text_sanitize(raw, 0);
    fit = text_fit(t, cols, &used);
    put(w, y, x, t, fit, attr);
    free(t);
    free(raw);
    return used;
}

int
draw_text_right(WINDOW *w, int y, int x, int cols, const char *s, attr_t attr)
{
    char *t;
    int used;

    if (cols <= 0 || s == NULL)
        return 0;
    t = text_truncate(s, cols);
    used = text_width(t);
    put(w, y, x + cols - used, t, strlen(t), attr);
    free(t);
    return used;
}

void
draw_fill(WINDOW *w, int y, int x, int cols, attr_t attr)
{
    attr_t old_a;
    short old_p;

    if (cols <= 0)
        return;
    wattr_get(w, &old_a, &old_p, NULL);
    wattrset(w, attr);
    mvwhline(w, y, x, ' ', cols);
    wattr_set(w, old_a, old_p, NULL);
}

void
draw_fill_rect(WINDOW *w, const struct rect *r, attr_t attr)
{
    for (int i = 0; i < r->h; i++)
        draw_fill(w, r->y + i, r->x, r->w, attr);
}

void
draw_frame(WINDOW *w, const struct rect *r, const char *title, attr_t border, attr_t fill)
{
    attr_t old_a;
    short old_p;

    if (r->h < 2 || r->w < 2)
        return;
    draw_fill_rect(w, r, fill);
    wattr_get(w, &old_a, &old_p, NULL);
    wattrset(w, border);
    mvwhline(w, r->y, r->x + 1, ACS_HLINE, r->w - 2);
    mvwhline(w, r->y + r->h - 1, r->x + 1, ACS_HLINE, r->w - 2);
    mvwvline(w, r->y + 1, r->x, ACS_VLINE, r->h - 2);
    mvwvline(w, r->y + 1, r->x + r->w - 1, ACS_VLINE, r->h - 2);
    mvwaddch(w, r->y, r->x, ACS_ULCORNER);
    mvwaddch(w, r->y, r->x + r->w - 1, ACS_URCORNER);
    mvwaddch(w, r->y + r->h - 1, r->x, ACS_LLCORNER);
    mvwaddch(w, r->y + r->h - 1, r->x + r->w - 1, ACS_LRCORNER);
    wattr_set(w, old_a, old_p, NULL);
    if (title != NULL && r->w > 6) {
        int tw;

        draw_fill(w, r->y, r->x + 2, 1, border);
        tw = draw_text(w, r->y, r->x + 3, r->w - 6, title, border | A_BOLD);
        draw_fill(w, r->y, r->x + 3 + tw, 1, border);
    }
}

size_t
draw_wrap(const char *s, int width, struct draw_line *out, size_t max)
{
    size_t len = strlen(s);
    size_t pos = 0;
    size_t n = 0;

    if (width < 1)
        width = 1;
    if (len == 0) {
        if (max > 0)
            out[0] = (struct draw_line){0, 0, 0};
        return 1;
    }
    while (pos < len) {
        size_t start = pos;
        size_t brk = start;      /* last place the line may break, start = none */
        int brk_cols = 0;
        int cols = 0;
        size_t end;
        int end_cols;
        bool hard = false;

        while (pos < len && s[pos] != '\n') {
            int w;
            size_t next = glyph_next(s, len, pos, &w);

            if (cols + w > width && pos > start)
                break;
            if (w == 2 && pos > start) {
                brk = pos;
                brk_cols = cols;
            }
            cols += w;
            pos = next;
            if (s[pos - 1] == ' ' || w == 2) {
                brk = pos;
                brk_cols = cols;
            }
        }
        if (pos >= len || s[pos] == '\n') {
            end = pos;
            end_cols = cols;
            if (pos < len) {
                pos++;
                hard = true;
            }
        } else {
            int w;

            glyph_next(s, len, pos, &w);
            if (s[pos] == ' ' || w == 2 || brk == start) {
                end = pos;
                end_cols = cols;
            } else {
                end = brk;
                end_cols = brk_cols;
            }
            pos = end;
            while (end > start && s[end - 1] == ' ') {
                end--;
                end_cols--;
            }
            while (pos < len && s[pos] == ' ')
                pos++;
        }
        if (n < max)
            out[n] = (struct draw_line){start, end - start, end_cols};
        n++;
        if (hard && pos == len) {
            if (n < max)
                out[n] = (struct draw_line){len, 0, 0};
            n++;
        }
    }
    return n;
}

int
draw_paragraph(WINDOW *w, const struct rect *r, int row, const char *s, attr_t attr)
{
    char *t = text_sanitize(s, TEXT_KEEP_NEWLINES);
    struct draw_line lines[64];
    size_t n = draw_wrap(t, r->w, lines, ARRAY_SIZE(lines));
    int used = 0;

    if (n > ARRAY_SIZE(lines))
        n = ARRAY_SIZE(lines);
    for (size_t i = 0; i < n && row + used < r->h; i++) {
        put(w, r->y + row + used, r->x, t + lines[i].off, lines[i].len, attr);
        used++;
    }
    free(t);
    return used;
}
