/* config: the console's settings from $XDG_CONFIG_HOME/hotline/config (INI) and the command line. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "hotline/util.h"
#include "i18n.h"
#include "inifile.h"
#include "theme.h"

/* Replace an owned string. */
static void
set_str(char **dst, const char *src)
{
    free(*dst);
    *dst = src != NULL ? xstrdup(src) : NULL;
}

void
config_init(struct config *c)
{
    memset(c, 0, sizeof *c);
    c->theme = xstrdup("default");
    c->lang = xstrdup("auto");
    c->timezone = xstrdup("Asia/Shanghai");
    c->max_tickets = CONFIG_MAX_TICKETS_DEFAULT;
}

void
config_fini(struct config *c)
{
    free(c->server_url);
    free(c->cacert);
    free(c->user_id);
    free(c->token_file);
    free(c->theme);
    free(c->lang);
    free(c->timezone);
    free(c->centre_name);
    free(c->path);
    memset(c, 0, sizeof *c);
}

int
config_check_url(const char *url, struct err *e)
{
    const char *host;

    if (str_starts_with(url, "https://"))
        host = url + 8;
    else if (str_starts_with(url, "http://"))
        host = url + 7;
    else
        return err_set(e, HL_EINVAL, "url",
                       _("server URL '%s' must start with http:// or https://"), url);
    if (*host == '\0' || *host == '/')
        return err_set(e, HL_EINVAL, "url", _("server URL '%s' has no host"), url);
    for (const char *p = url; *p != '\0'; p++) {
        if ((unsigned char)*p <= ' ' || *p == 0x7f)
            return err_set(e, HL_EINVAL, "url",
                           _("server URL contains a space or a control character"));
    }
    return HL_OK;
}

/* Parse a boolean setting. */
static bool
parse_bool(const char *v, bool *out)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};

    for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
        if (strcmp(v, yes[i]) == 0) {
            *out = true;
            return true;
        }
        if (strcmp(v, no[i]) == 0) {
            *out = false;
            return true;
        }
    }
    return false;
}

/* Check a theme given by name or path. */
static bool
check_theme(const char *v, struct err *e)
{
    if (strchr(v, '/') != NULL || theme_valid_name(v))
        return true;
    err_set(e, HL_EINVAL, "theme",
            _("theme '%s' is neither a name (letters, digits, - and _) nor a path"), v);
    return false;
}

/* Check a language name. */
static bool
check_lang(const char *v, struct err *e)
{
    if (i18n_valid_lang(v))
        return true;
    err_set(e, HL_EINVAL, "lang", _("language '%s' is not one of en, zh_CN, auto"), v);
    return false;
}

/* Check a time zone name (the zone file itself is read later). */
static bool
check_timezone(const char *v, struct err *e)
{
    if (v[0] != '\0' && v[0] != '/' && strstr(v, "..") == NULL && strlen(v) < 64)
        return true;
    err_set(e, HL_EINVAL, "timezone", _("time zone '%s' is not an IANA name like Asia/Shanghai"), v);
    return false;
}

/* inifile handler for the config file. */
static bool
on_setting(void *user, const char *section, const char *name, const char *value, struct err *e)
{
    struct config *c = user;
    long n;

    if (strcmp(section, "server") == 0) {
        if (strcmp(name, "url") == 0) {
            if (config_check_url(value, e) != HL_OK)
                return false;
            set_str(&c->server_url, value);
            return true;
        }
        if (strcmp(name, "insecure") == 0) {
            if (parse_bool(value, &c->insecure))
                return true;
            err_set(e, HL_EINVAL, "", _("insecure must be true or false, not '%s'"), value);
            return false;
        }
        if (strcmp(name, "cacert") == 0) {
            set_str(&c->cacert, value[0] != '\0' ? value : NULL);
            return true;
        }
    } else if (strcmp(section, "user") == 0) {
        if (strcmp(name, "id") == 0) {
            set_str(&c->user_id, value[0] != '\0' ? value : NULL);
            return true;
        }
    } else if (strcmp(section, "ui") == 0) {
        if (strcmp(name, "theme") == 0) {
            if (!check_theme(value, e))
                return false;
            set_str(&c->theme, value);
            return true;
        }
        if (strcmp(name, "lang") == 0) {
            if (!check_lang(value, e))
                return false;
            set_str(&c->lang, value);
            return true;
        }
        if (strcmp(name, "timezone") == 0) {
            if (!check_timezone(value, e))
                return false;
            set_str(&c->timezone, value);
            return true;
        }
        if (strcmp(name, "centre_name") == 0) {
            set_str(&c->centre_name, value[0] != '\0' ? value : NULL);
            return true;
        }
    } else if (strcmp(section, "cache") == 0) {
        if (strcmp(name, "max_tickets") == 0) {
            if (str_to_long(value, CONFIG_MAX_TICKETS_MIN, CONFIG_MAX_TICKETS_MAX, &n)) {
                c->max_tickets = n;
                return true;
            }
            err_set(e, HL_EINVAL, "", _("max_tickets must be a number from %d to %d, not '%s'"),
                    CONFIG_MAX_TICKETS_MIN, CONFIG_MAX_TICKETS_MAX, value);
            return false;
        }
    } else {
        err_set(e, HL_EINVAL, "",
                _("unknown section [%s] (use [server], [user], [ui] or [cache])"), section);
        return false;
    }
    err_set(e, HL_EINVAL, "", _("unknown key '%s' in [%s]"), name, section);
    return false;
}

int
config_parse(struct config *c, const char *text, const char *where, struct err *e)
{
    return inifile_parse(text, where, on_setting, c, e);
}

int
config_load(struct config *c, const char *path, bool must_exist, struct err *e)
{
    int rc = inifile_load(path, on_setting, c, e);

    if (rc == HL_ENOENT && !must_exist) {
        err_clear(e);
        return HL_OK;
    }
    if (rc == HL_OK)
        set_str(&c->path, path);
    return rc;
}

/* Options that take a value, and where it goes. */
struct valued_opt {
    const char *name;
    size_t offset;
};

static const struct valued_opt valued_opts[] = {
    {"--server", offsetof(struct config_args, server)},
    {"--user", offsetof(struct config_args, user)},
    {"--theme", offsetof(struct config_args, theme)},
    {"--lang", offsetof(struct config_args, lang)},
    {"--config", offsetof(struct config_args, config)},
    {"--cacert", offsetof(struct config_args, cacert)},
    {"--token-file", offsetof(struct config_args, token_file)},
};

/* Check an option's value. */
static int
check_value(const char *opt, const char *v, struct err *e)
{
    if (v[0] == '\0')
        return err_set(e, HL_EINVAL, opt, _("%s needs a value"), opt);
    if (strcmp(opt, "--server") == 0)
        return config_check_url(v, e);
    if (strcmp(opt, "--theme") == 0 && !check_theme(v, e))
        return HL_EINVAL;
    if (strcmp(opt, "--lang") == 0 && !check_lang(v, e))
        return HL_EINVAL;
    return HL_OK;
}

int
config_parse_args(struct config_args *a, int argc, const char *const *argv, struct err *e)
{
    memset(a, 0, sizeof *a);
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        size_t k;

        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            a->help = true;
            continue;
        }
        if (strcmp(arg, "--version") == 0 || strcmp(arg, "-V") == 0) {
            a->version = true;
            continue;
        }
        if (strcmp(arg, "--insecure") == 0) {
            a->insecure = true;
            continue;
        }
        for (k = 0; k < ARRAY_SIZE(valued_opts); k++) {
            const char *name = valued_opts[k].name;
            size_t nl = strlen(name);
            const char *v;

            if (strncmp(arg, name, nl) != 0 || (arg[nl] != '\0' && arg[nl] != '='))
                continue;
            if (arg[nl] == '=') {
                v = arg + nl + 1;
            } else {
                if (i + 1 >= argc)
                    return err_set(e, HL_EINVAL, name, _("%s needs a value"), name);
                v = argv[++i];
            }
            if (check_value(name, v, e) != HL_OK)
                return HL_EINVAL;
            *(const char **)((char *)a + valued_opts[k].offset) = v;
            break;
        }
        if (k == ARRAY_SIZE(valued_opts))
            return err_set(e, HL_EINVAL, arg, _("unknown option '%s' (see hotline --help)"), arg);
    }
    return HL_OK;
}

void
config_apply_args(struct config *c, const struct config_args *a)
{
    if (a->server != NULL)
        set_str(&c->server_url, a->server);
    if (a->user != NULL)
        set_str(&c->user_id, a->user);
    if (a->theme != NULL)
        set_str(&c->theme, a->theme);
    if (a->lang != NULL)
        set_str(&c->lang, a->lang);
    if (a->cacert != NULL)
        set_str(&c->cacert, a->cacert);
    if (a->token_file != NULL)
        set_str(&c->token_file, a->token_file);
    if (a->insecure)
        c->insecure = true;
}
