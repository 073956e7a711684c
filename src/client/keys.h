/* keys: the key table (key -> command, help text, footer hint) shared by dispatch, help and hints. */
#pragma once

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>
#include <wchar.h>

/* What a key does. Views read it from a key_event; the app handles the global ones. */
enum cmd {
    CMD_NONE = 0,
    CMD_HELP,
    CMD_QUIT,
    CMD_NEW_CALL,
    CMD_HOLD,
    CMD_TAB_1,
    CMD_TAB_2,
    CMD_TAB_3,
    CMD_TAB_4,
    CMD_SEARCH,
    CMD_CMDLINE,
    CMD_REDRAW,
    CMD_UP,
    CMD_DOWN,
    CMD_LEFT,
    CMD_RIGHT,
    CMD_PAGE_UP,
    CMD_PAGE_DOWN,
    CMD_HOME,
    CMD_END,
    CMD_FIELD_NEXT,
    CMD_FIELD_PREV,
    CMD_ENTER,
    CMD_CANCEL,
    /* A view's own commands: a view binds its keys to these in its keymap and says in the
     * help text what they do (the tickets tab: actions, edit, refresh ...). */
    CMD_VIEW_1,
    CMD_VIEW_2,
    CMD_VIEW_3,
    CMD_VIEW_4,
    CMD_VIEW_5,
    CMD_VIEW_6,
    CMD_VIEW_7,
    CMD_VIEW_8,
    CMD_COUNT
};

/* Control-key code of a letter: KEYS_CTRL('l') == 12. */
#define KEYS_CTRL(c) ((c) & 0x1f)
/* The escape key as get_wch reports it. */
#define KEYS_ESC 27
/* Ctrl-Left and Ctrl-Right: terminals report them under codes ncurses assigns at run time
 * (kLFT5, kRIT5); the input reader translates those codes to these. */
#define KEYS_WORD_LEFT (KEY_MAX + 1)
#define KEYS_WORD_RIGHT (KEY_MAX + 2)

/* One binding. Several bindings of one command are listed together in help, under the first
 * that has help text. */
struct key_binding {
    wint_t key;              /* a character, or a KEY_* code when keycode */
    bool keycode;
    enum cmd cmd;
    const char *help;        /* N_() text for the help overlay; NULL: listed with the first */
    const char *hint;        /* N_() short label for the footer; NULL: not in the footer */
    const char *hint_key;    /* key text shown in the footer instead of the key's name ("1-4") */
};

/* A named table of bindings (a view's, or the global one). */
struct keymap {
    const char *title;       /* N_() heading in the help overlay */
    const struct key_binding *b;
    size_t n;
};

/* A key as read, with the command it resolves to (CMD_NONE when unbound). */
struct key_event {
    wint_t ch;
    bool keycode;
    enum cmd cmd;
};

/* One line of the help overlay: every key of a command, and its help text (untranslated). */
struct keys_help_line {
    char keys[64];
    const char *help;
};

/* One footer hint: key text and short label (untranslated). */
struct key_hint {
    char key[24];
    const char *label;
};

/* The global key table. */
extern const struct keymap keys_global;

/* The command a key has in map; CMD_NONE when unbound (map may be NULL). */
enum cmd keys_lookup(const struct keymap *map, wint_t ch, bool keycode);
/* Resolve a key: the view's map first, then the global one. */
struct key_event keys_resolve(const struct keymap *view, wint_t ch, bool keycode);
/* A key's display name ("F1", "Ctrl-L", "PgUp", "↑", "Tab", "q") into buf; returns buf. */
const char *keys_name(wint_t ch, bool keycode, char *buf, size_t sz);
/* The help lines of a map, one per command in table order; returns how many (at most max). */
size_t keys_help(const struct keymap *map, struct keys_help_line *out, size_t max);
/* The footer hints of maps, in order, each command once; returns how many (at most max). */
size_t keys_hints(const struct keymap *const *maps, size_t nmaps, struct key_hint *out, size_t max);
/* The first key bound to cmd in map, as a display name; false when none. */
bool keys_key_for(const struct keymap *map, enum cmd cmd, char *buf, size_t sz);
