/* Tests for the key table and what is generated from it: resolution (a view's keys first),
 * key names, help lines, footer hints, and the command line's completion. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "hotline/util.h"
#include "keys.h"
#include "ui/cmdline.h"
#include "ui/footer.h"
#include "ui/help.h"

/* A view's keys: 'q' means cancel here, 'f' finds. */
static const struct key_binding view_bindings[] = {
    {'q', false, CMD_CANCEL, "Back to the list", NULL, NULL},
    {'f', false, CMD_SEARCH, "Find in the list", "Find", NULL},
};
static const struct keymap view_map = {"Tickets", view_bindings, 2};

/* Keys resolve through the view's table first, then the global one. */
static void
test_resolve(void **state)
{
    (void)state;
    assert_int_equal(keys_resolve(NULL, 'q', false).cmd, CMD_QUIT);
    assert_int_equal(keys_resolve(NULL, KEY_F(10), true).cmd, CMD_QUIT);
    assert_int_equal(keys_resolve(NULL, KEY_F(1), true).cmd, CMD_HELP);
    assert_int_equal(keys_resolve(NULL, '?', false).cmd, CMD_HELP);
    assert_int_equal(keys_resolve(NULL, KEY_F(2), true).cmd, CMD_NEW_CALL);
    assert_int_equal(keys_resolve(NULL, KEY_F(4), true).cmd, CMD_HOLD);
    assert_int_equal(keys_resolve(NULL, '3', false).cmd, CMD_TAB_3);
    assert_int_equal(keys_resolve(NULL, KEY_F(8), true).cmd, CMD_TAB_4);
    assert_int_equal(keys_resolve(NULL, 'j', false).cmd, CMD_DOWN);
    assert_int_equal(keys_resolve(NULL, KEY_DOWN, true).cmd, CMD_DOWN);
    assert_int_equal(keys_resolve(NULL, 'G', false).cmd, CMD_END);
    assert_int_equal(keys_resolve(NULL, '\t', false).cmd, CMD_FIELD_NEXT);
    assert_int_equal(keys_resolve(NULL, KEY_BTAB, true).cmd, CMD_FIELD_PREV);
    assert_int_equal(keys_resolve(NULL, '\r', false).cmd, CMD_ENTER);
    assert_int_equal(keys_resolve(NULL, KEY_ENTER, true).cmd, CMD_ENTER);
    assert_int_equal(keys_resolve(NULL, 27, false).cmd, CMD_CANCEL);
    assert_int_equal(keys_resolve(NULL, 12, false).cmd, CMD_REDRAW);
    assert_int_equal(keys_resolve(NULL, 'x', false).cmd, CMD_NONE);
    /* '1' as a character is a tab; the keycode with the same number is something else. */
    assert_int_equal(keys_resolve(NULL, '1', true).cmd, CMD_NONE);
    assert_int_equal(keys_resolve(&view_map, 'q', false).cmd, CMD_CANCEL);
    assert_int_equal(keys_resolve(&view_map, 'f', false).cmd, CMD_SEARCH);
    assert_int_equal(keys_resolve(&view_map, KEY_F(10), true).cmd, CMD_QUIT);
    assert_int_equal(keys_resolve(&view_map, 0x4F60, false).cmd, CMD_NONE);
}

/* Display names of keys. */
static void
test_names(void **state)
{
    char buf[24];

    (void)state;
    assert_string_equal(keys_name(KEY_F(1), true, buf, sizeof buf), "F1");
    assert_string_equal(keys_name(KEY_F(10), true, buf, sizeof buf), "F10");
    assert_string_equal(keys_name(12, false, buf, sizeof buf), "Ctrl-L");
    assert_string_equal(keys_name(KEY_PPAGE, true, buf, sizeof buf), "PgUp");
    assert_string_equal(keys_name(KEY_UP, true, buf, sizeof buf), "↑");
    assert_string_equal(keys_name(KEY_BTAB, true, buf, sizeof buf), "S-Tab");
    assert_string_equal(keys_name('\t', false, buf, sizeof buf), "Tab");
    assert_string_equal(keys_name('\r', false, buf, sizeof buf), "Enter");
    assert_string_equal(keys_name(27, false, buf, sizeof buf), "Esc");
    assert_string_equal(keys_name(' ', false, buf, sizeof buf), "Space");
    assert_string_equal(keys_name('q', false, buf, sizeof buf), "q");
    assert_string_equal(keys_name(0x4F60, false, buf, sizeof buf), "你");
    assert_true(keys_key_for(&keys_global, CMD_CMDLINE, buf, sizeof buf));
    assert_string_equal(buf, ":");
    assert_false(keys_key_for(&view_map, CMD_HOLD, buf, sizeof buf));
}

/* Help: one line per command, its keys together, in table order; the view's map first. */
static void
test_help(void **state)
{
    struct keys_help_line kl[64];
    struct help_line hl[HELP_MAX_LINES];
    const struct keymap *maps[] = {&view_map, &keys_global};
    size_t n;

    (void)state;
    n = keys_help(&keys_global, kl, ARRAY_SIZE(kl));
    assert_int_equal(n, 23);
    assert_string_equal(kl[0].keys, "F1 ?");
    assert_string_equal(kl[0].help, "Show the keys of this tab");
    assert_string_equal(kl[3].keys, "1 F5");
    assert_string_equal(kl[3].help, "Intake tab");
    assert_string_equal(kl[9].keys, "↑ k");
    assert_string_equal(kl[19].keys, "Enter");
    assert_string_equal(kl[22].keys, "F10 q");
    n = help_lines(maps, 2, hl, ARRAY_SIZE(hl));
    assert_int_equal(n, 1 + 2 + 1 + 23);
    assert_true(hl[0].heading);
    assert_string_equal(hl[0].text, "Tickets");
    assert_string_equal(hl[1].keys, "q");
    assert_string_equal(hl[1].text, "Back to the list");
    assert_true(hl[3].heading);
    assert_string_equal(hl[3].text, "Everywhere");
    assert_int_equal(help_lines(maps, 2, hl, 5), 5);
}

/* Footer hints: the view's first, each command once; how many fit. */
static void
test_hints(void **state)
{
    struct key_hint h[16];
    const struct keymap *global[] = {&keys_global};
    const struct keymap *both[] = {&view_map, &keys_global};
    size_t n;

    (void)state;
    n = keys_hints(global, 1, h, ARRAY_SIZE(h));
    assert_int_equal(n, 7);
    assert_string_equal(h[0].key, "F1");
    assert_string_equal(h[0].label, "Help");
    assert_string_equal(h[3].key, "1-4");
    assert_string_equal(h[3].label, "Tabs");
    assert_string_equal(h[4].key, "/");
    assert_string_equal(h[6].key, "F10");
    /* "F1 Help  " is 9 columns, "1-4 Tabs  " 10, ": Command  " 11: all seven take 68. */
    assert_int_equal(footer_fit(h, n, 80), 7);
    assert_int_equal(footer_fit(h, n, 68), 7);
    assert_int_equal(footer_fit(h, n, 67), 6);
    assert_int_equal(footer_fit(h, n, 40), 4);
    n = keys_hints(both, 2, h, ARRAY_SIZE(h));
    assert_int_equal(n, 7);
    assert_string_equal(h[0].key, "f");
    assert_string_equal(h[0].label, "Find");
    assert_string_equal(h[1].key, "F1");
    for (size_t i = 1; i < n; i++)
        assert_int_not_equal(strcmp(h[i].key, "/"), 0);
}

/* Words for completion: commands, then per-command arguments. */
static size_t
words(void *arg, size_t argi, const char *cmd, const char **out, size_t max)
{
    static const char *const cmds[] = {"call", "help", "lang", "quit", "redraw", "tab", "theme"};
    static const char *const themes[] = {"dark", "default", "high-contrast", "light", "mono"};
    static const char *const langs[] = {"en", "zh_CN", "auto"};
    const char *const *src = NULL;
    size_t n = 0;

    (void)arg;
    if (argi == 0) {
        src = cmds;
        n = ARRAY_SIZE(cmds);
    } else if (argi == 1 && strcmp(cmd, "theme") == 0) {
        src = themes;
        n = ARRAY_SIZE(themes);
    } else if (argi == 1 && strcmp(cmd, "lang") == 0) {
        src = langs;
        n = ARRAY_SIZE(langs);
    }
    if (n > max)
        n = max;
    for (size_t i = 0; i < n; i++)
        out[i] = src[i];
    return n;
}

/* Complete line and compare the result and the candidates. */
static void
check_complete(const char *line, const char *want, const char *want_cands)
{
    struct strbuf c;
    char *got;

    strbuf_init(&c);
    got = cmdline_complete(line, words, NULL, &c);
    if (want == NULL) {
        assert_null(got);
    } else {
        assert_non_null(got);
        assert_string_equal(got, want);
    }
    assert_string_equal(strbuf_str(&c), want_cands);
    free(got);
    strbuf_fini(&c);
}

static void
test_complete(void **state)
{
    (void)state;
    check_complete("ca", "call ", "");
    check_complete("t", "t", "tab  theme");
    check_complete("th", "theme ", "");
    check_complete("theme d", "theme d", "dark  default");
    check_complete("theme da", "theme dark ", "");
    check_complete("theme  h", "theme  high-contrast ", "");
    check_complete("lang z", "lang zh_CN ", "");
    check_complete("x", NULL, "");
    check_complete("quit now", NULL, "");
    check_complete("", "", "call  help  lang  quit  redraw  tab  theme");
}

/* The command line's keys: Tab asks for completion; Backspace on empty closes; history. */
static void
test_cmdline_keys(void **state)
{
    struct cmdline c;
    struct key_event ev;
    char cmd[16];
    const char *rest;

    (void)state;
    cmdline_init(&c);
    cmdline_open(&c);
    ev = keys_resolve(NULL, 'c', false);
    assert_int_equal(cmdline_key(&c, &ev), CMDLINE_NONE);
    ev = keys_resolve(NULL, 'a', false);
    cmdline_key(&c, &ev);
    ev = keys_resolve(NULL, '\t', false);
    assert_int_equal(cmdline_key(&c, &ev), CMDLINE_COMPLETE);
    cmdline_do_complete(&c, words, NULL);
    assert_string_equal(input_text(&c.in), "call ");
    assert_null(c.candidates);
    ev = keys_resolve(NULL, '\r', false);
    assert_int_equal(cmdline_key(&c, &ev), CMDLINE_SUBMIT);
    cmdline_open(&c);
    ev = keys_resolve(NULL, 't', false);
    cmdline_key(&c, &ev);
    cmdline_do_complete(&c, words, NULL);
    assert_string_equal(c.candidates, "tab  theme");
    ev = keys_resolve(NULL, 'h', false);
    cmdline_key(&c, &ev);
    assert_null(c.candidates);
    cmdline_open(&c);
    ev = keys_resolve(NULL, KEY_UP, true);
    cmdline_key(&c, &ev);
    assert_string_equal(input_text(&c.in), "call ");
    cmdline_open(&c);
    ev = keys_resolve(NULL, 127, false);
    assert_int_equal(cmdline_key(&c, &ev), CMDLINE_CANCEL);
    ev = keys_resolve(NULL, 27, false);
    assert_int_equal(cmdline_key(&c, &ev), CMDLINE_CANCEL);
    cmdline_fini(&c);
    rest = cmdline_split("  theme   dark ", cmd, sizeof cmd);
    assert_string_equal(cmd, "theme");
    assert_string_equal(rest, "dark ");
    rest = cmdline_split("averyveryverylongcommand x", cmd, 8);
    assert_string_equal(cmd, "averyve");
    assert_string_equal(rest, "x");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resolve),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_help),
        cmocka_unit_test(test_hints),
        cmocka_unit_test(test_complete),
        cmocka_unit_test(test_cmdline_keys),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
