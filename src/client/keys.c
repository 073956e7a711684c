/* keys: the key table (key -> command, help text, footer hint) shared by dispatch, help and hints. */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "hotline/text.h"
#include "hotline/util.h"
#include "i18n.h"
#include "keys.h"

/* The global bindings; order is the help overlay's order. */
static const struct key_binding global_bindings[] = {
    {KEY_F(1), true, CMD_HELP, N_("Show the keys of this tab"), N_("Help"), NULL},
    {'?', false, CMD_HELP, NULL, NULL, NULL},
    {KEY_F(2), true, CMD_NEW_CALL, N_("New call: an empty intake form"), N_("Call"), NULL},
    {KEY_F(4), true, CMD_HOLD, N_("Put the caller on hold, or take the call back"), N_("Hold"), NULL},
    {'1', false, CMD_TAB_1, N_("Intake tab"), N_("Tabs"), "1-4"},
    {KEY_F(5), true, CMD_TAB_1, NULL, NULL, NULL},
    {'2', false, CMD_TAB_2, N_("Tickets tab"), NULL, NULL},
    {KEY_F(6), true, CMD_TAB_2, NULL, NULL, NULL},
    {'3', false, CMD_TAB_3, N_("Knowledge base tab"), NULL, NULL},
    {KEY_F(7), true, CMD_TAB_3, NULL, NULL, NULL},
    {'4', false, CMD_TAB_4, N_("Callbacks tab"), NULL, NULL},
    {KEY_F(8), true, CMD_TAB_4, NULL, NULL, NULL},
    {'/', false, CMD_SEARCH, N_("Search in this tab"), N_("Search"), NULL},
    {':', false, CMD_CMDLINE, N_("Command line (call, theme, lang, help, quit)"), N_("Command"), NULL},
    {KEY_UP, true, CMD_UP, N_("Move up"), NULL, NULL},
    {'k', false, CMD_UP, NULL, NULL, NULL},
    {KEY_DOWN, true, CMD_DOWN, N_("Move down"), NULL, NULL},
    {'j', false, CMD_DOWN, NULL, NULL, NULL},
    {KEY_LEFT, true, CMD_LEFT, N_("Move left"), NULL, NULL},
    {'h', false, CMD_LEFT, NULL, NULL, NULL},
    {KEY_RIGHT, true, CMD_RIGHT, N_("Move right"), NULL, NULL},
    {'l', false, CMD_RIGHT, NULL, NULL, NULL},
    {KEY_PPAGE, true, CMD_PAGE_UP, N_("Page up"), NULL, NULL},
    {KEY_NPAGE, true, CMD_PAGE_DOWN, N_("Page down"), NULL, NULL},
    {KEY_HOME, true, CMD_HOME, N_("First row"), NULL, NULL},
    {'g', false, CMD_HOME, NULL, NULL, NULL},
    {KEY_END, true, CMD_END, N_("Last row"), NULL, NULL},
    {'G', false, CMD_END, NULL, NULL, NULL},
    {'\t', false, CMD_FIELD_NEXT, N_("Next field"), NULL, NULL},
    {KEY_BTAB, true, CMD_FIELD_PREV, N_("Previous field"), NULL, NULL},
    {'\r', false, CMD_ENTER, N_("Open or confirm"), NULL, NULL},
    {'\n', false, CMD_ENTER, NULL, NULL, NULL},
    {KEY_ENTER, true, CMD_ENTER, NULL, NULL, NULL},
    {KEYS_ESC, false, CMD_CANCEL, N_("Close or cancel"), NULL, NULL},
    {KEYS_CTRL('l'), false, CMD_REDRAW, N_("Redraw the screen"), NULL, NULL},
    {KEY_F(10), true, CMD_QUIT, N_("Quit (asks first when a form has unsaved input)"), N_("Quit"), NULL},
    {'q', false, CMD_QUIT, NULL, NULL, NULL},
};

const struct keymap keys_global = {
    N_("Everywhere"), global_bindings, ARRAY_SIZE(global_bindings),
};

enum cmd
keys_lookup(const struct keymap *map, wint_t ch, bool keycode)
{
    if (map == NULL)
        return CMD_NONE;
    for (size_t i = 0; i < map->n; i++) {
        if (map->b[i].key == ch && map->b[i].keycode == keycode)
            return map->b[i].cmd;
    }
    return CMD_NONE;
}

struct key_event
keys_resolve(const struct keymap *view, wint_t ch, bool keycode)
{
    struct key_event ev;

    ev.ch = ch;
    ev.keycode = keycode;
    ev.cmd = keys_lookup(view, ch, keycode);
    if (ev.cmd == CMD_NONE)
        ev.cmd = keys_lookup(&keys_global, ch, keycode);
    return ev;
}

/* Names of function-key codes other than F1-F12. */
static const struct {
    int code;
    const char *name;
} code_names[] = {
    {KEY_UP, "↑"}, {KEY_DOWN, "↓"}, {KEY_LEFT, "←"}, {KEY_RIGHT, "→"},
    {KEY_PPAGE, "PgUp"}, {KEY_NPAGE, "PgDn"}, {KEY_HOME, "Home"}, {KEY_END, "End"},
    {KEY_BTAB, "S-Tab"}, {KEY_ENTER, "Enter"}, {KEY_BACKSPACE, "Bksp"}, {KEY_DC, "Del"},
    {KEY_IC, "Ins"},
};

const char *
keys_name(wint_t ch, bool keycode, char *buf, size_t sz)
{
    char u[8];
    size_t n;

    if (keycode) {
        if (ch >= (wint_t)KEY_F(1) && ch <= (wint_t)KEY_F(12)) {
            snprintf(buf, sz, "F%d", (int)(ch - KEY_F0));
            return buf;
        }
        for (size_t i = 0; i < ARRAY_SIZE(code_names); i++) {
            if ((wint_t)code_names[i].code == ch) {
                str_copy(buf, sz, code_names[i].name);
                return buf;
            }
        }
        snprintf(buf, sz, "<%d>", (int)ch);
        return buf;
    }
    switch (ch) {
    case '\t':
        str_copy(buf, sz, "Tab");
        return buf;
    case '\r':
    case '\n':
        str_copy(buf, sz, "Enter");
        return buf;
    case KEYS_ESC:
        str_copy(buf, sz, "Esc");
        return buf;
    case ' ':
        str_copy(buf, sz, "Space");
        return buf;
    case 127:
        str_copy(buf, sz, "Bksp");
        return buf;
    default:
        break;
    }
    if (ch < 32) {
        snprintf(buf, sz, "Ctrl-%c", (char)(ch + 'A' - 1));
        return buf;
    }
    n = text_utf8_encode((uint32_t)ch, u);
    if (n == 0)
        n = text_utf8_encode(0xFFFD, u);
    u[n] = '\0';
    str_copy(buf, sz, u);
    return buf;
}

/* True when the space-separated list holds word. */
static bool
has_word(const char *list, const char *word)
{
    size_t n = strlen(word);

    while (*list != '\0') {
        size_t len = strcspn(list, " ");

        if (len == n && strncmp(list, word, n) == 0)
            return true;
        list += len;
        while (*list == ' ')
            list++;
    }
    return false;
}

size_t
keys_help(const struct keymap *map, struct keys_help_line *out, size_t max)
{
    size_t n = 0;
    bool seen[CMD_COUNT] = {false};

    if (map == NULL)
        return 0;
    for (size_t i = 0; i < map->n && n < max; i++) {
        enum cmd c = map->b[i].cmd;
        size_t line = n;
        char name[24];

        if (seen[c])
            continue;
        seen[c] = true;
        out[line].keys[0] = '\0';
        out[line].help = NULL;
        for (size_t k = i; k < map->n; k++) {
            if (map->b[k].cmd != c)
                continue;
            if (out[line].help == NULL)
                out[line].help = map->b[k].help;
            keys_name(map->b[k].key, map->b[k].keycode, name, sizeof name);
            if (has_word(out[line].keys, name))
                continue;    /* '\r', '\n' and KEY_ENTER are all "Enter" */
            if (out[line].keys[0] != '\0')
                str_append(out[line].keys, sizeof out[line].keys, " ");
            str_append(out[line].keys, sizeof out[line].keys, name);
        }
        if (out[line].help != NULL)
            n++;
    }
    return n;
}

size_t
keys_hints(const struct keymap *const *maps, size_t nmaps, struct key_hint *out, size_t max)
{
    size_t n = 0;
    bool seen[CMD_COUNT] = {false};

    for (size_t m = 0; m < nmaps; m++) {
        if (maps[m] == NULL)
            continue;
        for (size_t i = 0; i < maps[m]->n && n < max; i++) {
            const struct key_binding *b = &maps[m]->b[i];

            if (b->hint == NULL || seen[b->cmd])
                continue;
            seen[b->cmd] = true;
            if (b->hint_key != NULL)
                str_copy(out[n].key, sizeof out[n].key, b->hint_key);
            else
                keys_name(b->key, b->keycode, out[n].key, sizeof out[n].key);
            out[n].label = b->hint;
            n++;
        }
    }
    return n;
}

bool
keys_key_for(const struct keymap *map, enum cmd cmd, char *buf, size_t sz)
{
    if (map == NULL)
        return false;
    for (size_t i = 0; i < map->n; i++) {
        if (map->b[i].cmd == cmd) {
            keys_name(map->b[i].key, map->b[i].keycode, buf, sz);
            return true;
        }
    }
    return false;
}
