/* xdg: the XDG base directories (config, state, cache, data) with the specification's defaults. */
#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hotline/util.h"
#include "xdg.h"

static const char *const env_names[] = {
    "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME",
};
static const char *const defaults[] = {
    ".config", ".local/state", ".cache", ".local/share",
};

char *
xdg_resolve(enum xdg_kind kind, const char *env_value, const char *home)
{
    size_t n;

    if (env_value != NULL && env_value[0] == '/')
        return xstrdup(env_value);
    if (home == NULL || home[0] != '/')
        return NULL;
    n = strlen(home);
    while (n > 0 && home[n - 1] == '/')
        n--;
    return xasprintf("%.*s/%s", (int)n, home, defaults[kind]);
}

char *
xdg_base(enum xdg_kind kind, struct err *e)
{
    const char *home = getenv("HOME");
    struct passwd *pw;
    char *dir;

    if (home == NULL || home[0] != '/') {
        pw = getpwuid(getuid());
        home = pw != NULL ? pw->pw_dir : NULL;
    }
    dir = xdg_resolve(kind, getenv(env_names[kind]), home);
    if (dir == NULL)
        err_set(e, HL_ENOENT, env_names[kind], "neither $%s nor $HOME names an absolute directory",
                env_names[kind]);
    return dir;
}

int
xdg_mkdirs(const char *dir, int mode)
{
    char *p = xstrdup(dir);
    int rc = -1;
    struct stat st;

    for (char *s = p + 1; *s != '\0'; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, (mode_t)mode) < 0 && errno != EEXIST)
            goto out;
        *s = '/';
    }
    if (mkdir(p, (mode_t)mode) < 0 && errno != EEXIST)
        goto out;
    if (stat(p, &st) < 0)
        goto out;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        goto out;
    }
    rc = 0;
out:
    free(p);
    return rc;
}

char *
xdg_app_dir(enum xdg_kind kind, bool create, struct err *e)
{
    char *base = xdg_base(kind, e);
    char *dir;

    if (base == NULL)
        return NULL;
    dir = xasprintf("%s/hotline", base);
    free(base);
    if (create && xdg_mkdirs(dir, 0700) < 0) {
        err_set(e, HL_EIO, dir, "cannot create %s: %s", dir, strerror(errno));
        free(dir);
        return NULL;
    }
    return dir;
}
