/* main: the hotline console's command line: locale, language, configuration, then the app. */
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "buildconf.h"
#include "config.h"
#include "hotline/util.h"
#include "i18n.h"
#include "session.h"
#include "views/intake.h"
#include "watch.h"
#include "xdg.h"

/* Print usage to f. */
static void
usage(FILE *f)
{
    fprintf(f, "%s", _("usage: hotline [OPTION]...\n"
                       "The terminal agent console for service hotlines.\n"
                       "  --server URL    the hotlined backend (overrides [server] url)\n"
                       "  --user ID       your agent login (overrides [user] id)\n"
                       "  --insecure      do not check the server's TLS certificate\n"
                       "  --theme NAME    colour theme: default, dark, light, high-contrast, mono,\n"
                       "                  or the path of a theme file\n"
                       "  --lang LANG     language of the console: en or zh_CN (default: the locale's)\n"
                       "  --config FILE   read FILE instead of $XDG_CONFIG_HOME/hotline/config\n"
                       "  --help          this text\n"
                       "  --version       print the version\n"
                       "NO_COLOR=1 turns colours off. Inside: ? lists the keys, q quits.\n"));
    fprintf(f, "%s", _("  --call PHONE    open the intake form for a call from PHONE (screen pop)\n"));
    fprintf(f, "%s", _("  --cacert FILE   trust the CA certificates in FILE (overrides [server] cacert)\n"
                       "  --token-file FILE  keep the session token in FILE (default:\n"
                       "                  $XDG_STATE_HOME/hotline/token; $HOTLINE_TOKEN is read too)\n"));
    watch_usage(f);
}

/* Take "--call PHONE" (or "--call=PHONE") out of argv: the number of a call to open the
 * intake form with. HL_EINVAL when the number is missing. */
static int
take_call_arg(int *argc, char **argv, const char **phone, struct err *e)
{
    int out = 1;

    *phone = NULL;
    for (int i = 1; i < *argc; i++) {
        if (strcmp(argv[i], "--call") == 0) {
            if (i + 1 >= *argc || argv[i + 1][0] == '\0')
                return err_set(e, HL_EINVAL, "--call", "%s", _("--call needs the caller's number"));
            *phone = argv[++i];
        } else if (str_starts_with(argv[i], "--call=")) {
            *phone = argv[i] + 7;
        } else {
            argv[out++] = argv[i];
        }
    }
    *argc = out;
    argv[out] = NULL;
    return HL_OK;
}

/* True when the C library's character set is UTF-8. */
static bool
locale_is_utf8(void)
{
    const char *cs = nl_langinfo(CODESET);

    return cs != NULL && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

/* Apply --lang before anything is said, so even an error about another option is translated. */
static void
early_lang(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--lang") == 0 && i + 1 < argc && i18n_valid_lang(argv[i + 1]))
            i18n_set_lang(argv[i + 1]);
        else if (str_starts_with(argv[i], "--lang=") && i18n_valid_lang(argv[i] + 7))
            i18n_set_lang(argv[i] + 7);
    }
}

/* Read the configuration file: --config, or $XDG_CONFIG_HOME/hotline/config when it exists. */
static int
load_config(struct config *cfg, const struct config_args *args, struct err *e)
{
    char *dir;
    char *path;
    int rc;

    if (args->config != NULL)
        return config_load(cfg, args->config, true, e);
    dir = xdg_app_dir(XDG_CONFIG, false, e);
    if (dir == NULL)
        return HL_OK;    /* no home: run on defaults */
    path = xasprintf("%s/config", dir);
    rc = config_load(cfg, path, false, e);
    free(path);
    free(dir);
    return rc;
}

int
main(int argc, char **argv)
{
    struct config_args args;
    struct watch_opts wopts;
    struct config cfg;
    struct app app;
    struct err e;
    const char *call_phone = NULL;
    bool utf8_fallback = false;
    int rc;

    setlocale(LC_ALL, "");
    if (!locale_is_utf8()) {
        /* ncursesw measures and draws Chinese only in a UTF-8 locale; C.UTF-8 always exists. */
        setlocale(LC_CTYPE, "C.UTF-8");
        utf8_fallback = true;
    }
    i18n_init();
    err_clear(&e);
    if (argc > 1 && strcmp(argv[1], "login") == 0) {
        struct session_login_defaults d;

        memset(&args, 0, sizeof(args));
        config_init(&cfg);
        if (load_config(&cfg, &args, &e) != HL_OK)
            fprintf(stderr, "hotline: %s\n", e.msg);
        d = (struct session_login_defaults){ .server = cfg.server_url, .user = cfg.user_id,
                                             .cacert = cfg.cacert, .insecure = cfg.insecure,
                                             .timezone = cfg.timezone };
        rc = session_login_main(argc - 1, argv + 1, &d, stdout, stderr);
        config_fini(&cfg);
        return rc;
    }
    early_lang(argc, argv);
    if (take_call_arg(&argc, argv, &call_phone, &e) != HL_OK) {
        fprintf(stderr, "hotline: %s\n", e.msg);
        return 2;
    }
    if (watch_take_args(&argc, argv, &wopts, &e) != HL_OK) {
        fprintf(stderr, "hotline: %s\n", e.msg);
        return 2;
    }
    if (config_parse_args(&args, argc, (const char *const *)argv, &e) != HL_OK) {
        fprintf(stderr, "hotline: %s\n", e.msg);
        return 2;
    }
    if (args.lang != NULL)
        i18n_set_lang(args.lang);
    if (args.help) {
        usage(stdout);
        return 0;
    }
    if (args.version) {
        printf("hotline %s\n", HOTLINE_VERSION);
        return 0;
    }
    config_init(&cfg);
    if (load_config(&cfg, &args, &e) != HL_OK) {
        fprintf(stderr, "hotline: %s\n", e.msg);
        config_fini(&cfg);
        return 2;
    }
    config_apply_args(&cfg, &args);
    if (args.lang == NULL)
        i18n_set_lang(cfg.lang);
    if (wopts.watch) {
        rc = watch_run(&cfg, &wopts);
        config_fini(&cfg);
        return rc;
    }
    rc = app_init(&app, &cfg, &e);
    if (rc != HL_OK) {
        app_fini(&app);
        fprintf(stderr, "%s\n", e.msg);
        return 1;
    }
    if (utf8_fallback)
        app_message(&app, APP_MSG_WARN, "%s",
                    _("the locale is not UTF-8: using C.UTF-8 for text (set LANG=C.UTF-8)"));
    if (call_phone != NULL)
        intake_start_call(&app, call_phone);
    rc = app_run(&app);
    app_fini(&app);
    return rc;
}
