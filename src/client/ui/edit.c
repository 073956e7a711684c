/* edit: a UTF-8 text editing buffer (one line or many) measured by display width; no curses. */
#include <stdlib.h>
#include <string.h>

#include "hotline/text.h"
#include "hotline/util.h"
#include "keys.h"
#include "ui/edit.h"
#include "ui/glyph.h"

void
edit_init(struct edit *e, size_t max_chars, bool multiline)
{
    memset(e, 0, sizeof *e);
    e->cap = 64;
    e->buf = xmalloc(e->cap);
    e->buf[0] = '\0';
    e->max_chars = max_chars == 0 || max_chars > EDIT_HARD_MAX ? EDIT_HARD_MAX : max_chars;
    e->multiline = multiline;
    e->goal_col = -1;
}

void
edit_fini(struct edit *e)
{
    free(e->buf);
    memset(e, 0, sizeof *e);
}

const char *
edit_text(const struct edit *e)
{
    return e->buf;
}

size_t
edit_chars(const struct edit *e)
{
    return e->chars;
}

void
edit_mark_clean(struct edit *e)
{
    e->modified = false;
}

void
edit_set(struct edit *e, const char *s)
{
    e->len = 0;
    e->cur = 0;
    e->chars = 0;
    e->scroll = 0;
    e->top_row = 0;
    e->buf[0] = '\0';
    edit_insert_str(e, s != NULL ? s : "");
    e->cur = e->len;
    e->goal_col = -1;
    e->modified = false;
}

/* Make room for n more bytes. */
static void
reserve(struct edit *e, size_t n)
{
    if (e->len + n + 1 <= e->cap)
        return;
    while (e->len + n + 1 > e->cap)
        e->cap *= 2;
    e->buf = xrealloc(e->buf, e->cap);
}

/* Insert n bytes at the cursor and move the cursor after them. */
static void
splice_in(struct edit *e, const char *bytes, size_t n, size_t cps)
{
    reserve(e, n);
    memmove(e->buf + e->cur + n, e->buf + e->cur, e->len - e->cur + 1);
    memcpy(e->buf + e->cur, bytes, n);
    e->len += n;
    e->cur += n;
    e->chars += cps;
    e->modified = true;
    e->goal_col = -1;
}

/* Delete bytes [from, to) and put the cursor at from. */
static void
splice_out(struct edit *e, size_t from, size_t to)
{
    e->chars -= glyph_codepoints(e->buf, from, to);
    memmove(e->buf + from, e->buf + to, e->len - to + 1);
    e->len -= to - from;
    e->cur = from;
    if (e->scroll > e->len)
        e->scroll = e->len;
    e->modified = true;
    e->goal_col = -1;
}

/* True when the bytes survive sanitising unchanged (what is stored is what is drawn). */
static bool
draws_as_is(const char *bytes, size_t n)
{
    char tmp[64];
    char *t;
    bool same;

    if (n >= sizeof tmp)
        return false;
    memcpy(tmp, bytes, n);
    tmp[n] = '\0';
    t = text_sanitize(tmp, TEXT_KEEP_NEWLINES);
    same = strcmp(t, tmp) == 0;
    free(t);
    return same;
}

bool
edit_insert(struct edit *e, uint32_t cp)
{
    char enc[4];
    char probe[48];
    size_t n;
    int w;

    if (e->chars >= e->max_chars)
        return false;
    if (cp == '\n') {
        if (!e->multiline)
            return false;
        splice_in(e, "\n", 1, 1);
        return true;
    }
    w = text_cp_width(cp);
    n = text_utf8_encode(cp, enc);
    if (w < 0 || n == 0)
        return false;
    if (w == 0) {
        /* A mark needs a base: the glyph before the cursor, on the same line. */
        size_t p;

        if (e->cur == 0 || e->buf[e->cur - 1] == '\n')
            return false;
        p = glyph_prev(e->buf, e->cur);
        if (e->cur - p + n >= sizeof probe)
            return false;    /* enough marks on one base */
        memcpy(probe, e->buf + p, e->cur - p);
        memcpy(probe + (e->cur - p), enc, n);
        if (!draws_as_is(probe, e->cur - p + n))
            return false;
    } else if (!draws_as_is(enc, n)) {
        return false;
    }
    splice_in(e, enc, n, 1);
    return true;
}

size_t
edit_insert_str(struct edit *e, const char *s)
{
    size_t len = strlen(s);
    size_t pos = 0;
    size_t added = 0;

    while (pos < len && e->chars < e->max_chars) {
        uint32_t cp;

        pos += text_utf8_decode(s + pos, len - pos, &cp);
        if (cp == '\r') {
            if (pos < len && s[pos] == '\n')
                pos++;
            cp = '\n';
        }
        if (cp == '\t' || (cp == '\n' && !e->multiline))
            cp = ' ';
        if (edit_insert(e, cp))
            added++;
    }
    return added;
}

bool
edit_backspace(struct edit *e)
{
    if (e->cur == 0)
        return false;
    splice_out(e, glyph_prev(e->buf, e->cur), e->cur);
    return true;
}

bool
edit_delete(struct edit *e)
{
    if (e->cur >= e->len)
        return false;
    splice_out(e, e->cur, glyph_next(e->buf, e->len, e->cur, NULL));
    return true;
}

bool
edit_left(struct edit *e)
{
    e->goal_col = -1;
    if (e->cur == 0)
        return false;
    e->cur = glyph_prev(e->buf, e->cur);
    return true;
}

bool
edit_right(struct edit *e)
{
    e->goal_col = -1;
    if (e->cur >= e->len)
        return false;
    e->cur = glyph_next(e->buf, e->len, e->cur, NULL);
    return true;
}

/* Start of the line holding byte pos. */
static size_t
line_start(const struct edit *e, size_t pos)
{
    while (pos > 0 && e->buf[pos - 1] != '\n')
        pos--;
    return pos;
}

/* End of the line holding byte pos (its '\n' or the end of text). */
static size_t
line_end(const struct edit *e, size_t pos)
{
    while (pos < e->len && e->buf[pos] != '\n')
        pos++;
    return pos;
}

bool
edit_home(struct edit *e)
{
    size_t p = line_start(e, e->cur);

    e->goal_col = -1;
    if (p == e->cur)
        return false;
    e->cur = p;
    return true;
}

bool
edit_end(struct edit *e)
{
    size_t p = line_end(e, e->cur);

    e->goal_col = -1;
    if (p == e->cur)
        return false;
    e->cur = p;
    return true;
}

/* Word class of a code point: 0 space, 1 letters and digits, 2 punctuation, 3 wide (CJK). */
static int
word_class(uint32_t cp)
{
    if (cp == ' ' || cp == '\n' || cp == 0x3000)
        return 0;
    if (cp < 0x80) {
        if ((cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z')
            || cp == '_')
            return 1;
        return 2;
    }
    if ((cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x3001 && cp <= 0x303F)
        || (cp >= 0xFF01 && cp <= 0xFF0F) || (cp >= 0xFF1A && cp <= 0xFF20)
        || (cp >= 0xFF3B && cp <= 0xFF40) || (cp >= 0xFF5B && cp <= 0xFF65))
        return 2;
    if (text_cp_width(cp) == 2)
        return 3;
    return 1;
}

/* Start of the word before pos (spaces skipped first). */
static size_t
word_start_before(const struct edit *e, size_t pos)
{
    int cls;

    while (pos > 0) {
        size_t p = glyph_prev(e->buf, pos);

        if (word_class(glyph_cp(e->buf, e->len, p)) != 0)
            break;
        pos = p;
    }
    if (pos == 0)
        return 0;
    cls = word_class(glyph_cp(e->buf, e->len, glyph_prev(e->buf, pos)));
    while (pos > 0) {
        size_t p = glyph_prev(e->buf, pos);

        if (word_class(glyph_cp(e->buf, e->len, p)) != cls)
            break;
        pos = p;
    }
    return pos;
}

bool
edit_word_left(struct edit *e)
{
    size_t p = word_start_before(e, e->cur);

    e->goal_col = -1;
    if (p == e->cur)
        return false;
    e->cur = p;
    return true;
}

bool
edit_word_right(struct edit *e)
{
    size_t pos = e->cur;
    int cls;

    e->goal_col = -1;
    if (pos >= e->len)
        return false;
    cls = word_class(glyph_cp(e->buf, e->len, pos));
    if (cls != 0) {
        while (pos < e->len && word_class(glyph_cp(e->buf, e->len, pos)) == cls)
            pos = glyph_next(e->buf, e->len, pos, NULL);
    }
    while (pos < e->len && word_class(glyph_cp(e->buf, e->len, pos)) == 0)
        pos = glyph_next(e->buf, e->len, pos, NULL);
    e->cur = pos;
    return true;
}

bool
edit_delete_word(struct edit *e)
{
    size_t p = word_start_before(e, e->cur);

    if (p == e->cur)
        return false;
    splice_out(e, p, e->cur);
    return true;
}

bool
edit_kill_start(struct edit *e)
{
    size_t p = line_start(e, e->cur);

    if (p == e->cur)
        return false;
    splice_out(e, p, e->cur);
    return true;
}

bool
edit_kill_end(struct edit *e)
{
    size_t p = line_end(e, e->cur);
    size_t cur = e->cur;

    if (p == cur)
        return false;
    splice_out(e, cur, p);
    return true;
}

int
edit_cursor_col(const struct edit *e)
{
    return glyph_width(e->buf, line_start(e, e->cur), e->cur);
}

void
edit_view(struct edit *e, int width, size_t *first, int *cursor_x)
{
    if (width < 1)
        width = 1;
    if (e->scroll > e->cur)
        e->scroll = e->cur;
    /* Keep the cursor inside the window, with a cell for it. */
    while (e->scroll < e->cur && glyph_width(e->buf, e->scroll, e->cur) > width - 1)
        e->scroll = glyph_next(e->buf, e->len, e->scroll, NULL);
    /* Do not leave the window half empty when the text got shorter. */
    while (e->scroll > 0) {
        size_t p = glyph_prev(e->buf, e->scroll);

        if (glyph_width(e->buf, p, e->len) + 1 > width)
            break;
        e->scroll = p;
    }
    *first = e->scroll;
    *cursor_x = glyph_width(e->buf, e->scroll, e->cur);
}

/* Append a row to a growing array. */
static void
push_row(struct edit_row **rows, size_t *n, size_t *cap, struct edit_row r)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        *rows = xrealloc(*rows, *cap * sizeof **rows);
    }
    (*rows)[(*n)++] = r;
}

struct edit_row *
edit_wrap(const struct edit *e, int width, size_t *n)
{
    struct edit_row *rows = NULL;
    size_t cap = 0;
    size_t pos = 0;

    *n = 0;
    if (width < 1)
        width = 1;
    for (;;) {
        size_t le = line_end(e, pos);
        size_t rs = pos;
        size_t p = pos;
        int cols = 0;

        while (p < le) {
            int w;
            size_t next = glyph_next(e->buf, le, p, &w);

            if (cols + w > width && p > rs) {
                push_row(&rows, n, &cap, (struct edit_row){rs, p, cols, false});
                rs = p;
                cols = 0;
                continue;
            }
            cols += w;
            p = next;
        }
        if (cols >= width) {
            /* A full row: the cursor at its end goes on an empty row below. */
            push_row(&rows, n, &cap, (struct edit_row){rs, le, cols, false});
            push_row(&rows, n, &cap, (struct edit_row){le, le, 0, true});
        } else {
            push_row(&rows, n, &cap, (struct edit_row){rs, le, cols, true});
        }
        if (le >= e->len)
            break;
        pos = le + 1;
        if (pos == e->len) {
            push_row(&rows, n, &cap, (struct edit_row){pos, pos, 0, true});
            break;
        }
    }
    return rows;
}

/* Index of the row holding byte pos. */
static size_t
row_of(const struct edit_row *rows, size_t n, size_t pos)
{
    for (size_t i = 0; i < n; i++) {
        if (pos >= rows[i].start && (pos < rows[i].end || (pos == rows[i].end && rows[i].last_of_line)))
            return i;
    }
    return n - 1;
}

void
edit_cursor_rc(const struct edit *e, int width, size_t *row, int *col)
{
    size_t n;
    struct edit_row *rows = edit_wrap(e, width, &n);
    size_t r = row_of(rows, n, e->cur);

    *row = r;
    *col = glyph_width(e->buf, rows[r].start, e->cur);
    free(rows);
}

/* Move to row r of rows at the goal column. */
static void
move_to_row(struct edit *e, const struct edit_row *row, int goal)
{
    size_t p = row->start;
    int c = 0;

    while (p < row->end) {
        int w;
        size_t next = glyph_next(e->buf, row->end, p, &w);

        if (c + w > goal)
            break;
        c += w;
        p = next;
    }
    if (p == row->end && !row->last_of_line && p > row->start)
        p = glyph_prev(e->buf, p);
    e->cur = p;
}

/* Move dir rows (-1 up, +1 down), keeping the goal column. */
static bool
move_rows(struct edit *e, int width, int dir)
{
    size_t n;
    struct edit_row *rows = edit_wrap(e, width, &n);
    size_t r = row_of(rows, n, e->cur);
    int goal = e->goal_col >= 0 ? e->goal_col : glyph_width(e->buf, rows[r].start, e->cur);
    bool moved = false;

    if ((dir < 0 && r > 0) || (dir > 0 && r + 1 < n)) {
        move_to_row(e, &rows[dir < 0 ? r - 1 : r + 1], goal);
        e->goal_col = goal;
        moved = true;
    }
    free(rows);
    return moved;
}

bool
edit_up(struct edit *e, int width)
{
    return move_rows(e, width, -1);
}

bool
edit_down(struct edit *e, int width)
{
    return move_rows(e, width, 1);
}

size_t
edit_scroll_rows(struct edit *e, int width, int height)
{
    size_t n;
    struct edit_row *rows = edit_wrap(e, width, &n);
    size_t r = row_of(rows, n, e->cur);

    free(rows);
    if (height < 1)
        height = 1;
    if (e->top_row > r)
        e->top_row = r;
    if (r >= e->top_row + (size_t)height)
        e->top_row = r - (size_t)height + 1;
    if (e->top_row > 0 && n - e->top_row < (size_t)height)
        e->top_row = n > (size_t)height ? n - (size_t)height : 0;
    return e->top_row;
}

/* EDIT_CHANGED/EDIT_MOVED when ok, else EDIT_REFUSED. */
static enum edit_result
result(bool ok, enum edit_result what)
{
    return ok ? what : EDIT_REFUSED;
}

enum edit_result
edit_key(struct edit *e, wint_t ch, bool keycode, int width)
{
    if (!keycode) {
        switch (ch) {
        case 127:
        case 8:
            return result(edit_backspace(e), EDIT_CHANGED);
        case KEYS_CTRL('d'):
            return result(edit_delete(e), EDIT_CHANGED);
        case KEYS_CTRL('b'):
            return result(edit_left(e), EDIT_MOVED);
        case KEYS_CTRL('f'):
            return result(edit_right(e), EDIT_MOVED);
        case KEYS_CTRL('a'):
            return result(edit_home(e), EDIT_MOVED);
        case KEYS_CTRL('e'):
            return result(edit_end(e), EDIT_MOVED);
        case KEYS_CTRL('w'):
            return result(edit_delete_word(e), EDIT_CHANGED);
        case KEYS_CTRL('u'):
            return result(edit_kill_start(e), EDIT_CHANGED);
        case KEYS_CTRL('k'):
            return result(edit_kill_end(e), EDIT_CHANGED);
        case '\r':
        case '\n':
            if (!e->multiline)
                return EDIT_UNHANDLED;
            return result(edit_insert(e, '\n'), EDIT_CHANGED);
        default:
            break;
        }
        if (ch < 32)
            return EDIT_UNHANDLED;
        return result(edit_insert(e, (uint32_t)ch), EDIT_CHANGED);
    }
    switch (ch) {
    case KEY_BACKSPACE:
        return result(edit_backspace(e), EDIT_CHANGED);
    case KEY_DC:
        return result(edit_delete(e), EDIT_CHANGED);
    case KEY_LEFT:
        return result(edit_left(e), EDIT_MOVED);
    case KEY_RIGHT:
        return result(edit_right(e), EDIT_MOVED);
    case KEY_HOME:
        return result(edit_home(e), EDIT_MOVED);
    case KEY_END:
        return result(edit_end(e), EDIT_MOVED);
    case KEYS_WORD_LEFT:
        return result(edit_word_left(e), EDIT_MOVED);
    case KEYS_WORD_RIGHT:
        return result(edit_word_right(e), EDIT_MOVED);
    case KEY_ENTER:
        if (!e->multiline)
            return EDIT_UNHANDLED;
        return result(edit_insert(e, '\n'), EDIT_CHANGED);
    case KEY_UP:
        if (!e->multiline)
            return EDIT_UNHANDLED;
        return edit_up(e, width) ? EDIT_MOVED : EDIT_UNHANDLED;
    case KEY_DOWN:
        if (!e->multiline)
            return EDIT_UNHANDLED;
        return edit_down(e, width) ? EDIT_MOVED : EDIT_UNHANDLED;
    default:
        return EDIT_UNHANDLED;
    }
}
