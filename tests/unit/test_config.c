/* Tests for the console's configuration: defaults, the INI file with file:line errors, the
 * command line and its precedence, and the XDG directories. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "hotline/util.h"
#include "xdg.h"

/* Defaults before any file or flag. */
static void
test_defaults(void **state)
{
    struct config c;

    (void)state;
    config_init(&c);
    assert_null(c.server_url);
    assert_false(c.insecure);
    assert_null(c.cacert);
    assert_null(c.user_id);
    assert_string_equal(c.theme, "default");
    assert_string_equal(c.lang, "auto");
    assert_string_equal(c.timezone, "Asia/Shanghai");
    assert_int_equal(c.max_tickets, 10000);
    assert_null(c.path);
    config_fini(&c);
}

/* Every key of every section. */
static void
test_parse_all(void **state)
{
    struct config c;
    struct err e;

    (void)state;
    err_clear(&e);
    config_init(&c);
    assert_int_equal(config_parse(&c,
                                  "# hotline console\n"
                                  "[server]\n"
                                  "url = https://hotline.example.cn:8443/\n"
                                  "insecure = yes\n"
                                  "cacert = /etc/ssl/centre.pem\n"
                                  "[user]\n"
                                  "id = 1001\n"
                                  "[ui]\n"
                                  "theme = dark\n"
                                  "lang = zh_CN\n"
                                  "timezone = Asia/Urumqi\n"
                                  "[cache]\n"
                                  "max_tickets = 20000\n",
                                  "config", &e),
                     HL_OK);
    assert_string_equal(c.server_url, "https://hotline.example.cn:8443/");
    assert_true(c.insecure);
    assert_string_equal(c.cacert, "/etc/ssl/centre.pem");
    assert_string_equal(c.user_id, "1001");
    assert_string_equal(c.theme, "dark");
    assert_string_equal(c.lang, "zh_CN");
    assert_string_equal(c.timezone, "Asia/Urumqi");
    assert_int_equal(c.max_tickets, 20000);
    assert_int_equal(config_parse(&c, "[server]\ninsecure = off\n", "config", &e), HL_OK);
    assert_false(c.insecure);
    config_fini(&c);
}

/* A bad line is reported as "file:line: ..." naming what is wrong. */
static void
check_error(const char *text, const char *want)
{
    struct config c;
    struct err e;

    err_clear(&e);
    config_init(&c);
    assert_int_equal(config_parse(&c, text, "/home/a/.config/hotline/config", &e), HL_EINVAL);
    assert_string_equal(e.msg, want);
    config_fini(&c);
}

static void
test_parse_errors(void **state)
{
    (void)state;
    check_error("[server]\nurl = ftp://x\n",
                "/home/a/.config/hotline/config:2: server URL 'ftp://x' must start with http:// "
                "or https://");
    check_error("[server]\nurl = https://\n",
                "/home/a/.config/hotline/config:2: server URL 'https://' has no host");
    check_error("[server]\nurl = http://a b\n",
                "/home/a/.config/hotline/config:2: server URL contains a space or a control "
                "character");
    check_error("[server]\ninsecure = maybe\n",
                "/home/a/.config/hotline/config:2: insecure must be true or false, not 'maybe'");
    check_error("\n\n[cache]\nmax_tickets = 50\n",
                "/home/a/.config/hotline/config:4: max_tickets must be a number from 100 to "
                "1000000, not '50'");
    check_error("[cache]\nmax_tickets = lots\n",
                "/home/a/.config/hotline/config:2: max_tickets must be a number from 100 to "
                "1000000, not 'lots'");
    check_error("[ui]\ncolour = red\n",
                "/home/a/.config/hotline/config:2: unknown key 'colour' in [ui]");
    check_error("[ui]\nlang = fr\n",
                "/home/a/.config/hotline/config:2: language 'fr' is not one of en, zh_CN, auto");
    check_error("[ui]\ntheme = my theme\n",
                "/home/a/.config/hotline/config:2: theme 'my theme' is neither a name (letters, "
                "digits, - and _) nor a path");
    check_error("[ui]\ntimezone = ../../etc/passwd\n",
                "/home/a/.config/hotline/config:2: time zone '../../etc/passwd' is not an IANA "
                "name like Asia/Shanghai");
    check_error("[database]\nhost = x\n",
                "/home/a/.config/hotline/config:2: unknown section [database] (use [server], "
                "[user], [ui] or [cache])");
    check_error("[server\nurl = http://a\n",
                "/home/a/.config/hotline/config:1: syntax error (expected \"[section]\", "
                "\"name = value\" or a # comment)");
}

/* Files: a missing default file is fine, a missing --config file is not, errors name the path. */
static void
test_load(void **state)
{
    struct config c;
    struct err e;
    char dir[] = "/tmp/hotline-config-XXXXXX";
    char *path;
    char *want;
    FILE *f;

    (void)state;
    err_clear(&e);
    config_init(&c);
    assert_int_equal(config_load(&c, "/nonexistent/hotline/config", false, &e), HL_OK);
    assert_null(c.path);
    assert_int_equal(config_load(&c, "/nonexistent/hotline/config", true, &e), HL_ENOENT);
    assert_non_null(mkdtemp(dir));
    path = xasprintf("%s/config", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("[user]\nid = 3003\n[ui]\ntheme = light\n", f);
    fclose(f);
    assert_int_equal(config_load(&c, path, true, &e), HL_OK);
    assert_string_equal(c.path, path);
    assert_string_equal(c.user_id, "3003");
    f = fopen(path, "w");
    fputs("[user]\nid = 3003\n\n[ui]\nthem = light\n", f);
    fclose(f);
    assert_int_equal(config_load(&c, path, true, &e), HL_EINVAL);
    want = xasprintf("%s:5: unknown key 'them' in [ui]", path);
    assert_string_equal(e.msg, want);
    free(want);
    unlink(path);
    rmdir(dir);
    free(path);
    config_fini(&c);
}

/* Flags parse in both forms and override the file. */
static void
test_args(void **state)
{
    const char *argv[] = {"hotline", "--server", "http://127.0.0.1:8080", "--user=2002", "--theme",
                    "light", "--lang", "en", "--insecure", "--config=/tmp/x", NULL};
    struct config_args a;
    struct config c;
    struct err e;

    (void)state;
    err_clear(&e);
    assert_int_equal(config_parse_args(&a, 10, argv, &e), HL_OK);
    assert_string_equal(a.server, "http://127.0.0.1:8080");
    assert_string_equal(a.user, "2002");
    assert_string_equal(a.theme, "light");
    assert_string_equal(a.lang, "en");
    assert_string_equal(a.config, "/tmp/x");
    assert_true(a.insecure);
    assert_false(a.help);
    config_init(&c);
    assert_int_equal(config_parse(&c, "[server]\nurl = https://file.example\n[user]\nid = 1001\n"
                                      "[ui]\ntheme = dark\nlang = zh_CN\n",
                                  "config", &e),
                     HL_OK);
    config_apply_args(&c, &a);
    assert_string_equal(c.server_url, "http://127.0.0.1:8080");
    assert_string_equal(c.user_id, "2002");
    assert_string_equal(c.theme, "light");
    assert_string_equal(c.lang, "en");
    assert_true(c.insecure);
    config_fini(&c);

    /* Flags not given leave the file's values alone. */
    {
        const char *argv2[] = {"hotline", NULL};

        assert_int_equal(config_parse_args(&a, 1, argv2, &e), HL_OK);
        config_init(&c);
        config_parse(&c, "[user]\nid = 1001\n", "config", &e);
        config_apply_args(&c, &a);
        assert_string_equal(c.user_id, "1001");
        assert_null(c.server_url);
        config_fini(&c);
    }
}

/* Bad flags say what is wrong. */
static void
check_args_error(int argc, const char *const *argv, const char *want)
{
    struct config_args a;
    struct err e;

    err_clear(&e);
    assert_int_equal(config_parse_args(&a, argc, argv, &e), HL_EINVAL);
    assert_string_equal(e.msg, want);
}

static void
test_args_errors(void **state)
{
    const char *a1[] = {"hotline", "--server"};
    const char *a2[] = {"hotline", "--bogus"};
    const char *a3[] = {"hotline", "--lang", "fr"};
    const char *a4[] = {"hotline", "--server=ftp://x"};
    const char *a5[] = {"hotline", "--user="};
    const char *a6[] = {"hotline", "--serverx=1"};
    const char *a7[] = {"hotline", "-h", "--version"};
    struct config_args a;
    struct err e;

    (void)state;
    check_args_error(2, a1, "--server needs a value");
    check_args_error(2, a2, "unknown option '--bogus' (see hotline --help)");
    check_args_error(3, a3, "language 'fr' is not one of en, zh_CN, auto");
    check_args_error(2, a4, "server URL 'ftp://x' must start with http:// or https://");
    check_args_error(2, a5, "--user needs a value");
    check_args_error(2, a6, "unknown option '--serverx=1' (see hotline --help)");
    assert_int_equal(config_parse_args(&a, 3, a7, &e), HL_OK);
    assert_true(a.help);
    assert_true(a.version);
}

/* XDG base directories: absolute env values win, relative ones are ignored, defaults follow HOME. */
static void
test_xdg(void **state)
{
    char dir[] = "/tmp/hotline-xdg-XXXXXX";
    char *p;
    char *deep;
    struct stat st;

    (void)state;
    p = xdg_resolve(XDG_CONFIG, NULL, "/home/a");
    assert_string_equal(p, "/home/a/.config");
    free(p);
    p = xdg_resolve(XDG_STATE, "relative/x", "/home/a/");
    assert_string_equal(p, "/home/a/.local/state");
    free(p);
    p = xdg_resolve(XDG_CACHE, "/var/cache/me", "/home/a");
    assert_string_equal(p, "/var/cache/me");
    free(p);
    p = xdg_resolve(XDG_DATA, "", "/");
    assert_string_equal(p, "/.local/share");
    free(p);
    assert_null(xdg_resolve(XDG_CONFIG, NULL, NULL));
    assert_null(xdg_resolve(XDG_CONFIG, "x", "relative-home"));

    assert_non_null(mkdtemp(dir));
    deep = xasprintf("%s/state/hotline", dir);
    assert_int_equal(xdg_mkdirs(deep, 0700), 0);
    assert_int_equal(stat(deep, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0700);
    assert_int_equal(xdg_mkdirs(deep, 0700), 0);     /* exists already: fine */
    setenv("XDG_STATE_HOME", dir, 1);
    p = xdg_app_dir(XDG_STATE, true, NULL);
    free(deep);
    deep = xasprintf("%s/hotline", dir);
    assert_string_equal(p, deep);
    assert_int_equal(stat(deep, &st), 0);
    free(p);
    rmdir(deep);
    free(deep);
    deep = xasprintf("%s/state/hotline", dir);
    rmdir(deep);
    free(deep);
    deep = xasprintf("%s/state", dir);
    rmdir(deep);
    free(deep);
    rmdir(dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_parse_all),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_load),
        cmocka_unit_test(test_args),
        cmocka_unit_test(test_args_errors),
        cmocka_unit_test(test_xdg),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
