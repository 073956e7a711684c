/* Tests for themes: the default and mono columns, colour names and numbers, mapping to 8
 * colours, theme file errors with file:line, and the shipped theme files. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hotline/util.h"
#include "theme.h"

/* The source tree's themes directory. */
static char *
themes_dir(void)
{
    const char *src = getenv("HOTLINE_SOURCE");

    return xasprintf("%s/themes", src != NULL ? src : ".");
}

/* The compiled-in default, computed for each depth. */
static void
test_default(void **state)
{
    struct theme t;
    short fg, bg;

    (void)state;
    theme_init_default(&t);
    assert_string_equal(t.name, "default");
    assert_int_equal(theme_attr(&t, SLOT_SELECTED), A_REVERSE);     /* mono until computed */
    theme_compute(&t, THEME_256, true);
    assert_int_equal(theme_attr(&t, SLOT_TAB_ACTIVE), COLOR_PAIR(SLOT_TAB_ACTIVE + 1) | A_BOLD);
    assert_int_equal(theme_attr(&t, SLOT_NORMAL), COLOR_PAIR(1));
    theme_pair(&t, SLOT_TAB, &fg, &bg);
    assert_int_equal(fg, COLOR_WHITE);
    assert_int_equal(bg, COLOR_BLUE);
    theme_pair(&t, SLOT_NORMAL, &fg, &bg);
    assert_int_equal(fg, -1);
    assert_int_equal(bg, -1);
    /* Without default colours, "default" becomes white on black. */
    theme_compute(&t, THEME_8, false);
    theme_pair(&t, SLOT_NORMAL, &fg, &bg);
    assert_int_equal(fg, COLOR_WHITE);
    assert_int_equal(bg, COLOR_BLACK);
    theme_compute(&t, THEME_MONO, true);
    assert_int_equal(theme_attr(&t, SLOT_OVERDUE), A_BOLD | A_UNDERLINE);
    assert_int_equal(theme_attr(&t, SLOT_STATUS), A_REVERSE);
    assert_int_equal(theme_attr(&t, SLOT_COUNT), A_NORMAL);
    assert_string_equal(theme_slot_name(SLOT_NEAR_DUE), "near_due");
    assert_null(theme_slot_name(SLOT_COUNT));
}

/* Colour names, numbers, and the 256 -> 8 mapping. */
static void
test_colors(void **state)
{
    short c;

    (void)state;
    assert_true(theme_parse_color("default", &c));
    assert_int_equal(c, -1);
    assert_true(theme_parse_color("red", &c));
    assert_int_equal(c, 1);
    assert_true(theme_parse_color("bright-white", &c));
    assert_int_equal(c, 15);
    assert_true(theme_parse_color("grey", &c));
    assert_int_equal(c, 8);
    assert_true(theme_parse_color("255", &c));
    assert_int_equal(c, 255);
    assert_true(theme_parse_color("0", &c));
    assert_int_equal(c, 0);
    assert_false(theme_parse_color("256", &c));
    assert_false(theme_parse_color("-1", &c));
    assert_false(theme_parse_color("reed", &c));
    assert_false(theme_parse_color("", &c));
    assert_false(theme_parse_color("12x", &c));
    assert_int_equal(theme_color_to_8(-1), -1);
    assert_int_equal(theme_color_to_8(3), 3);
    assert_int_equal(theme_color_to_8(9), 1);       /* bright red */
    assert_int_equal(theme_color_to_8(15), 7);
    assert_int_equal(theme_color_to_8(196), 1);     /* #ff0000 */
    assert_int_equal(theme_color_to_8(208), 3);     /* #ff8700, orange: nearest is yellow */
    assert_int_equal(theme_color_to_8(21), 4);      /* #0000ff */
    assert_int_equal(theme_color_to_8(46), 2);      /* #00ff00 */
    assert_int_equal(theme_color_to_8(51), 6);      /* #00ffff */
    assert_int_equal(theme_color_to_8(234), 0);     /* dark grey */
    assert_int_equal(theme_color_to_8(244), 7);     /* mid grey reads as white */
    assert_int_equal(theme_color_to_8(255), 7);
    assert_int_equal(theme_color_to_8(16), 0);      /* cube black */
    assert_int_equal(theme_color_to_8(231), 7);     /* cube white */
}

/* A file overrides only what it names; [mono] sets the attribute column; 8 colours map down. */
static void
test_parse_ok(void **state)
{
    struct theme t;
    struct err e;
    short fg, bg;

    (void)state;
    err_clear(&e);
    theme_init_default(&t);
    assert_int_equal(theme_parse(&t, "# a comment\n[theme]\nname = x\n\n[colors]\n"
                                     "overdue = 196 default bold underline\n"
                                     "[mono]\nselected = bold underline\n",
                                 "/home/a/.config/hotline/themes/mine.theme", &e), HL_OK);
    assert_string_equal(t.name, "mine");
    assert_int_equal(t.color[SLOT_OVERDUE].fg, 196);
    assert_int_equal(t.color[SLOT_OVERDUE].bg, -1);
    assert_int_equal(t.color[SLOT_OVERDUE].attrs, A_BOLD | A_UNDERLINE);
    assert_int_equal(t.color[SLOT_TAB].fg, COLOR_WHITE);     /* untouched */
    assert_int_equal(t.mono[SLOT_SELECTED], A_BOLD | A_UNDERLINE);
    theme_compute(&t, THEME_8, true);
    theme_pair(&t, SLOT_OVERDUE, &fg, &bg);
    assert_int_equal(fg, COLOR_RED);
    assert_int_equal(bg, -1);
    /* A bright foreground on 8 colours is the basic colour in bold. */
    assert_int_equal(theme_parse(&t, "[colors]\nwarn = bright-yellow black\n", "b.theme", &e), HL_OK);
    theme_compute(&t, THEME_8, true);
    theme_pair(&t, SLOT_WARN, &fg, &bg);
    assert_int_equal(fg, COLOR_YELLOW);
    assert_int_equal(bg, COLOR_BLACK);
    assert_int_equal(theme_attr(&t, SLOT_WARN), COLOR_PAIR(SLOT_WARN + 1) | A_BOLD);
    theme_compute(&t, THEME_256, true);
    theme_pair(&t, SLOT_WARN, &fg, &bg);
    assert_int_equal(fg, 11);
    assert_int_equal(theme_attr(&t, SLOT_WARN), COLOR_PAIR(SLOT_WARN + 1));
}

/* One bad line: "file:line: ..." and the whole theme falls back to the default. */
static void
check_error(const char *text, const char *want)
{
    struct theme t;
    struct err e;

    err_clear(&e);
    theme_init_default(&t);
    t.color[SLOT_TAB].fg = 99;
    assert_int_equal(theme_parse(&t, text, "x.theme", &e), HL_EINVAL);
    assert_string_equal(e.msg, want);
    assert_int_equal(t.color[SLOT_TAB].fg, COLOR_WHITE);     /* back to the default */
    assert_int_equal(t.color[SLOT_TAB].bg, COLOR_BLUE);
}

static void
test_parse_errors(void **state)
{
    (void)state;
    check_error("[colors]\ntab = red green\noverdue = reed default\n",
                "x.theme:3: unknown colour 'reed' (use a name like red or a number 0-255)");
    check_error("[colors]\nfoo = red blue\n", "x.theme:2: unknown slot 'foo'");
    check_error("[colors]\n\n# comment\nthis line has no equals sign\n",
                "x.theme:4: syntax error (expected \"[section]\", \"name = value\" or a # comment)");
    check_error("[colours]\ntab = red blue\n",
                "x.theme:2: unknown section [colours] (use [theme], [colors] or [mono])");
    check_error("[colors]\ntab = red 300\n",
                "x.theme:2: unknown colour '300' (use a name like red or a number 0-255)");
    check_error("[colors]\ntab = red blue bold shiny\n",
                "x.theme:2: unknown attribute 'shiny' (use bold, dim, underline, reverse, "
                "italic, blink, standout or normal)");
    check_error("[colors]\ntab = red\n",
                "x.theme:2: slot 'tab' needs FOREGROUND BACKGROUND [ATTRIBUTES]");
    check_error("[mono]\ntab =\n", "x.theme:2: slot 'tab' needs attributes (or \"normal\")");
    check_error("[theme]\nauthor = me\n",
                "x.theme:2: unknown key 'author' in [theme] (use name or description)");
    /* The first of several errors is the one reported. */
    check_error("[colors]\nfoo = red blue\nok = green default\nbar = 1 2\n",
                "x.theme:2: unknown slot 'foo'");
    check_error("tab = red blue\n", "x.theme:1: unknown section [] (use [theme], [colors] or [mono])");
}

/* Files: missing, broken on disk, and every shipped theme parses; default.theme is the default. */
static void
test_files(void **state)
{
    static const char *const shipped[] = {"default", "dark", "light", "high-contrast", "mono"};
    char *dir = themes_dir();
    struct theme t;
    struct theme def;
    struct err e;
    char tmpl[] = "/tmp/hotline-theme-XXXXXX";
    int fd;
    char *msg;

    (void)state;
    err_clear(&e);
    assert_int_equal(theme_load_file(&t, "/nonexistent/x.theme", &e), HL_ENOENT);
    fd = mkstemp(tmpl);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "[colors]\nnormal = default default\nborder = blue\n", 48), 48);
    close(fd);
    assert_int_equal(theme_load_file(&t, tmpl, &e), HL_EINVAL);
    msg = xasprintf("%s:3: slot 'border' needs FOREGROUND BACKGROUND [ATTRIBUTES]", tmpl);
    assert_string_equal(e.msg, msg);
    free(msg);
    msg = xasprintf("%s:3", tmpl);
    assert_string_equal(e.field, msg);
    free(msg);
    unlink(tmpl);

    theme_init_default(&def);
    for (size_t i = 0; i < ARRAY_SIZE(shipped); i++) {
        char *path = xasprintf("%s/%s.theme", dir, shipped[i]);

        err_clear(&e);
        assert_int_equal(theme_load_file(&t, path, &e), HL_OK);
        assert_string_equal(t.name, shipped[i]);
        free(path);
    }
    /* An empty theme is the default. */
    assert_int_equal(theme_parse(&t, "", "empty.theme", &e), HL_OK);
    assert_memory_equal(t.color, def.color, sizeof def.color);
    {
        char *path = xasprintf("%s/default.theme", dir);

        assert_int_equal(theme_load_file(&t, path, &e), HL_OK);
        assert_memory_equal(t.color, def.color, sizeof def.color);
        assert_memory_equal(t.mono, def.mono, sizeof def.mono);
        free(path);
    }
    free(dir);
}

/* Finding themes by name in directories, and listing them. */
static void
test_find_and_names(void **state)
{
    char *dir = themes_dir();
    const char *dirs[] = {"/nonexistent", dir};
    size_t n;
    char **names;
    char *p;
    char *want;

    (void)state;
    p = theme_find("dark", dirs, 2);
    want = xasprintf("%s/dark.theme", dir);
    assert_string_equal(p, want);
    free(p);
    free(want);
    assert_null(theme_find("nope", dirs, 2));
    assert_null(theme_find("../etc/passwd", dirs, 2));
    assert_false(theme_valid_name("a b"));
    assert_false(theme_valid_name(""));
    assert_true(theme_valid_name("high-contrast"));
    names = theme_names(dirs, 2, &n);
    assert_int_equal(n, 5);
    assert_string_equal(names[0], "dark");
    assert_string_equal(names[1], "default");
    assert_string_equal(names[2], "high-contrast");
    assert_string_equal(names[3], "light");
    assert_string_equal(names[4], "mono");
    theme_names_free(names, n);
    free(dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default),
        cmocka_unit_test(test_colors),
        cmocka_unit_test(test_parse_ok),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_find_and_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
