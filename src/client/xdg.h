/* xdg: the XDG base directories (config, state, cache, data) with the specification's defaults. */
#pragma once

#include <stdbool.h>

#include "hotline/err.h"

/* Which base directory. */
enum xdg_kind {
    XDG_CONFIG,   /* $XDG_CONFIG_HOME, default ~/.config */
    XDG_STATE,    /* $XDG_STATE_HOME, default ~/.local/state */
    XDG_CACHE,    /* $XDG_CACHE_HOME, default ~/.cache */
    XDG_DATA,     /* $XDG_DATA_HOME, default ~/.local/share */
};

/* The base directory from an environment value and a home directory: env when it is an
 * absolute path (the specification ignores relative ones), else home + the default.
 * NULL when neither gives an absolute path. Pure. Caller owns. */
char *xdg_resolve(enum xdg_kind kind, const char *env_value, const char *home);
/* The base directory from the environment ($HOME, or the password database without it).
 * NULL with e filled when there is none. Caller owns. */
char *xdg_base(enum xdg_kind kind, struct err *e);
/* "<base>/hotline", created with mode 0700 (parents too) when create is true.
 * NULL with e filled on failure. Caller owns. */
char *xdg_app_dir(enum xdg_kind kind, bool create, struct err *e);
/* Create dir and its missing parents with the given mode; 0 or -1 with errno set. */
int xdg_mkdirs(const char *dir, int mode);
