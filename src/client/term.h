/* term: the curses terminal: start with friendly errors, colours, resize, suspend, input. */
#pragma once

#include <curses.h>
#include <stdbool.h>
#include <wchar.h>

#include "hotline/err.h"
#include "loop.h"
#include "theme.h"

/* The terminal's state while curses runs. */
struct term {
    SCREEN *scr;
    int rows;
    int cols;
    enum theme_depth depth;     /* colours the theme may use */
    bool default_colors;        /* use_default_colors() worked */
    bool active;                /* curses is running (between term_start and term_stop) */
    int word_left_code;         /* ncurses' code for Ctrl-Left (kLFT5), 0 = none */
    int word_right_code;        /* ncurses' code for Ctrl-Right (kRIT5), 0 = none */
    bool cursor_visible;
};

/* Check $TERM and the terminal, then start curses: alternate screen, cbreak, noecho, keypad,
 * nonl, no flow control, non-blocking reads, 25 ms escape delay, colours (none when no_color).
 * HL_EINVAL with a message saying what to do when the terminal cannot be used. */
int term_start(struct term *t, bool no_color, struct err *e);
/* End curses and restore the terminal (leaves the alternate screen); safe to call twice. */
void term_stop(struct term *t);
/* Take the new window size from the tty (after SIGWINCH) and resize curses' screens. */
void term_resize(struct term *t);
/* Give the terminal back, stop the process (Ctrl-Z), and take it again once continued. */
void term_suspend(struct term *t, struct loop *l);
/* Repaint every cell on the next doupdate (after a suspend, Ctrl-L, a theme change). */
void term_repaint_all(struct term *t);
/* Show or hide the cursor (only sends something when it changes). */
void term_cursor(struct term *t, bool visible);
/* Read one key without waiting; false when none is pending. Ctrl-Left/Right come back as
 * KEYS_WORD_LEFT/RIGHT. */
bool term_read(struct term *t, wint_t *ch, bool *keycode);
/* The file descriptor input arrives on. */
int term_fd(const struct term *t);
