/* edit: a UTF-8 text editing buffer (one line or many) measured by display width; no curses. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

/* Hard cap on any buffer, in code points. */
#define EDIT_HARD_MAX 65536

/* What a key did to the buffer. */
enum edit_result {
    EDIT_UNHANDLED = 0,  /* not an editing key (or nothing to do at an edge): pass it on */
    EDIT_MOVED,          /* the cursor moved */
    EDIT_CHANGED,        /* the text changed */
    EDIT_REFUSED,        /* an editing key that could not apply (full, bad character) */
};

/* An editing buffer. Text is always valid UTF-8 without control characters (except '\n' in a
 * multi-line buffer), so what is measured is exactly what is drawn. */
struct edit {
    char *buf;           /* NUL-terminated */
    size_t len;          /* bytes */
    size_t cap;
    size_t cur;          /* cursor: byte offset on a glyph boundary */
    size_t chars;        /* code points */
    size_t max_chars;    /* limit in code points (0 = EDIT_HARD_MAX) */
    bool multiline;
    bool modified;       /* changed since init/edit_set/edit_mark_clean */
    size_t scroll;       /* one line: byte offset of the first visible glyph */
    int goal_col;        /* many lines: the column up/down keep; -1 = the cursor's */
    size_t top_row;      /* many lines: first visible row */
};

/* One visual row of a wrapped multi-line buffer: bytes [start, end), width columns.
 * end excludes the '\n' that ends a line. */
struct edit_row {
    size_t start;
    size_t end;
    int width;
    bool last_of_line;   /* the last row of its line (a '\n' or the end of text follows) */
};

/* An empty buffer holding at most max_chars code points (0 = EDIT_HARD_MAX). */
void edit_init(struct edit *e, size_t max_chars, bool multiline);
/* Free the buffer. */
void edit_fini(struct edit *e);
/* Replace the text (filtered as a paste, cut at the limit); cursor at the end; not modified. */
void edit_set(struct edit *e, const char *s);
/* The text; borrowed until the next change. */
const char *edit_text(const struct edit *e);
/* Code points in the buffer. */
size_t edit_chars(const struct edit *e);
/* Forget that the buffer was modified. */
void edit_mark_clean(struct edit *e);
/* Insert one code point at the cursor; false when full or not insertable (a control
 * character, a newline in a one-line buffer, a mark with nothing to sit on, an invisible
 * format character). */
bool edit_insert(struct edit *e, uint32_t cp);
/* Insert a string (a paste): tabs become spaces, newlines become spaces in a one-line
 * buffer, "\r\n" and '\r' become '\n', invalid bytes U+FFFD, other uninsertable characters
 * are dropped; stops at the limit. Returns the code points inserted. */
size_t edit_insert_str(struct edit *e, const char *s);
/* Delete the glyph before the cursor (a base and its marks together). */
bool edit_backspace(struct edit *e);
/* Delete the glyph under the cursor. */
bool edit_delete(struct edit *e);
/* Move one glyph left. */
bool edit_left(struct edit *e);
/* Move one glyph right. */
bool edit_right(struct edit *e);
/* Move to the start of the line. */
bool edit_home(struct edit *e);
/* Move to the end of the line. */
bool edit_end(struct edit *e);
/* Move to the start of the previous word (a run of letters and digits, of CJK, or of punctuation). */
bool edit_word_left(struct edit *e);
/* Move past the end of the next word and the spaces after it. */
bool edit_word_right(struct edit *e);
/* Delete from the start of the previous word to the cursor (Ctrl-W). */
bool edit_delete_word(struct edit *e);
/* Delete from the start of the line to the cursor (Ctrl-U). */
bool edit_kill_start(struct edit *e);
/* Delete from the cursor to the end of the line (Ctrl-K). */
bool edit_kill_end(struct edit *e);
/* Columns from the start of the cursor's line to the cursor. */
int edit_cursor_col(const struct edit *e);
/* One line in width columns: move the scroll offset so the cursor is visible with a cell for it,
 * then report the first visible byte and the cursor's column inside the window. */
void edit_view(struct edit *e, int width, size_t *first, int *cursor_x);
/* Wrap a multi-line buffer to width columns; *n gets the number of rows (>= 1). Caller frees. */
struct edit_row *edit_wrap(const struct edit *e, int width, size_t *n);
/* Row and column of the cursor in the wrapped buffer. */
void edit_cursor_rc(const struct edit *e, int width, size_t *row, int *col);
/* Move one row up, keeping the column; false on the first row. */
bool edit_up(struct edit *e, int width);
/* Move one row down, keeping the column; false on the last row. */
bool edit_down(struct edit *e, int width);
/* Many lines in width x height: move top_row so the cursor's row is visible; returns it. */
size_t edit_scroll_rows(struct edit *e, int width, int height);
/* Apply an editing key (width: the field's width, for up/down). */
enum edit_result edit_key(struct edit *e, wint_t ch, bool keycode, int width);
