/* cmdline: the ':' command line with completion over the app's command table. */
#pragma once

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

#include "hotline/util.h"
#include "keys.h"
#include "theme.h"
#include "ui/input.h"

/* Most words a completion considers. */
#define CMDLINE_MAX_WORDS 64

/* What a key did. */
enum cmdline_result {
    CMDLINE_NONE = 0,     /* handled, still open */
    CMDLINE_SUBMIT,       /* Enter: run input_text(&c->in) */
    CMDLINE_CANCEL,       /* Esc, or Backspace on an empty line */
    CMDLINE_COMPLETE,     /* Tab: the caller completes (cmdline_complete) */
};

/* The words that may stand at position argi (0 = the command; then its arguments, for command
 * cmd): fill at most max borrowed strings into out and return how many. */
typedef size_t (*cmdline_words_fn)(void *arg, size_t argi, const char *cmd, const char **out,
                                   size_t max);

/* The command line: its input and the candidates of the last ambiguous completion. */
struct cmdline {
    struct input in;
    char *candidates;     /* owned; NULL when none */
};

/* A closed, empty command line with history. */
void cmdline_init(struct cmdline *c);
/* Free it. */
void cmdline_fini(struct cmdline *c);
/* Start a new line (history kept). */
void cmdline_open(struct cmdline *c);
/* Apply a key. */
enum cmdline_result cmdline_key(struct cmdline *c, const struct key_event *ev);
/* Complete the last word of line: a unique match is completed and followed by a space; several
 * are extended to their longest common prefix and listed in cands (space-separated). Returns the
 * new line (caller owns), or NULL when no word matches. Pure. */
char *cmdline_complete(const char *line, cmdline_words_fn fn, void *arg, struct strbuf *cands);
/* Complete the command line's text in place through fn (Tab). */
void cmdline_do_complete(struct cmdline *c, cmdline_words_fn fn, void *arg);
/* The first word of line into cmd (cut to sz) and a pointer to the rest after the spaces. */
const char *cmdline_split(const char *line, char *cmd, size_t sz);
/* Draw ":" and the input at y,x in width columns; *cursor_x gets the cursor's column. */
void cmdline_draw(struct cmdline *c, WINDOW *w, int y, int x, int width, const struct theme *th,
                  int *cursor_x);
