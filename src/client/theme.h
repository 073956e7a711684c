/* theme: semantic colour slots -> curses attributes; compiled-in default, mono column, theme files. */
#pragma once

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

#include "hotline/err.h"

/* What a piece of the screen means; drawing code names a slot, never a colour. */
enum slot {
    SLOT_NORMAL,        /* body text */
    SLOT_TAB,           /* tab bar, inactive tabs */
    SLOT_TAB_ACTIVE,    /* the current tab */
    SLOT_HEADER,        /* column headings, section headings */
    SLOT_STATUS,        /* status bar (bottom line) */
    SLOT_FOOTER,        /* key hints line */
    SLOT_KEY,           /* a key's name in hints and help */
    SLOT_SELECTED,      /* the selected row of a list */
    SLOT_MUTED,         /* secondary text, empty states */
    SLOT_OK,            /* connected, satisfied, done */
    SLOT_WARN,          /* warnings, offline */
    SLOT_OVERDUE,       /* past its deadline */
    SLOT_NEAR_DUE,      /* 75% of the period gone */
    SLOT_EMERGENCY,     /* public safety: escalate at once */
    SLOT_ERROR,         /* error messages */
    SLOT_INPUT,         /* an input field */
    SLOT_INPUT_FOCUS,   /* the input field with the cursor */
    SLOT_LABEL,         /* a form field's label */
    SLOT_BORDER,        /* frames and separators */
    SLOT_TITLE,         /* a view's or a dialog's title */
    SLOT_HIGHLIGHT,     /* search matches */
    SLOT_DIALOG,        /* dialogs and overlays */
    SLOT_COUNT
};

/* Colour depth the theme is applied for. */
enum theme_depth {
    THEME_MONO = 0,     /* attributes only (no colours, or NO_COLOR) */
    THEME_8 = 8,        /* the 8 basic colours */
    THEME_256 = 256,    /* the 256-colour palette */
};

/* The "default" colour (the terminal's own foreground or background). */
#define THEME_COLOR_DEFAULT (-1)

/* One slot in colour: foreground, background (0-255 or THEME_COLOR_DEFAULT), attributes (A_*). */
struct theme_style {
    short fg;
    short bg;
    attr_t attrs;
};

/* A theme: colour and mono columns per slot, and the attributes computed for a depth. */
struct theme {
    char name[64];
    struct theme_style color[SLOT_COUNT];
    attr_t mono[SLOT_COUNT];
    attr_t attr[SLOT_COUNT];          /* what theme_attr returns; set by theme_compute */
    enum theme_depth depth;
    bool default_colors;
};

/* Reset t to the compiled-in default (computed for THEME_MONO until theme_compute/apply). */
void theme_init_default(struct theme *t);
/* Override t's slots from a theme file; on error t is left as the default and e holds
 * "path:line: ..." (HL_ENOENT when the file does not exist). */
int theme_load_file(struct theme *t, const char *path, struct err *e);
/* Override t's slots from theme text (where names it in errors); like theme_load_file. */
int theme_parse(struct theme *t, const char *text, const char *where, struct err *e);
/* Compute the attributes for a depth (pure: pair n+1 belongs to slot n; no curses calls).
 * default_colors says whether the terminal accepts -1 (use_default_colors succeeded). */
void theme_compute(struct theme *t, enum theme_depth depth, bool default_colors);
/* The colour pair slot s gets at the computed depth (mapped to 8 colours, defaults replaced
 * when the terminal has none). */
void theme_pair(const struct theme *t, enum slot s, short *fg, short *bg);
/* theme_compute, then init_pair for every slot (curses must be running; only here). */
void theme_apply(struct theme *t, enum theme_depth depth, bool default_colors);
/* The attributes to draw a slot with. */
attr_t theme_attr(const struct theme *t, enum slot s);
/* The slot's name in theme files ("tab_active"); NULL when out of range. */
const char *theme_slot_name(enum slot s);
/* Parse a colour: a name ("red", "bright-blue", "default") or 0-255; false when neither. */
bool theme_parse_color(const char *s, short *out);
/* The nearest of the 8 basic colours for a 256-palette colour (defaults stay default). */
short theme_color_to_8(short c);
/* True when name is usable as a theme name (letters, digits, '-', '_'; 1-63 bytes). */
bool theme_valid_name(const char *name);
/* Path of theme name: name itself when it contains '/', else the first "<dir>/<name>.theme"
 * that exists among dirs. NULL when none exists. Caller owns. */
char *theme_find(const char *name, const char *const *dirs, size_t ndirs);
/* Sorted, distinct names of the themes in dirs (plus "default"); *n gets the count.
 * Free with theme_names_free. */
char **theme_names(const char *const *dirs, size_t ndirs, size_t *n);
/* Free a list from theme_names. */
void theme_names_free(char **names, size_t n);
