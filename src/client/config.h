/* config: the console's settings from $XDG_CONFIG_HOME/hotline/config (INI) and the command line. */
#pragma once

#include <stdbool.h>

#include "hotline/err.h"

/* Default and bounds of [cache] max_tickets. */
#define CONFIG_MAX_TICKETS_DEFAULT 10000
#define CONFIG_MAX_TICKETS_MIN 100
#define CONFIG_MAX_TICKETS_MAX 1000000

/* Settings; strings are owned (config_fini frees them). */
struct config {
    char *server_url;     /* [server] url; NULL when none is configured */
    bool insecure;        /* [server] insecure: skip TLS certificate checks */
    char *cacert;         /* [server] cacert: CA bundle path, NULL = system default */
    char *user_id;        /* [user] id: the agent's login; NULL when unset */
    char *token_file;     /* --token-file: where the session token is kept; NULL = default */
    char *theme;          /* [ui] theme: a name or a path; "default" */
    char *lang;           /* [ui] lang: "auto", "en" or "zh_CN" */
    char *timezone;       /* [ui] timezone: the centre's zone for clocks, "Asia/Shanghai" */
    char *centre_name;    /* [ui] centre_name: watch mode's header; NULL = from /meta's profile */
    long max_tickets;     /* [cache] max_tickets */
    char *path;           /* the file that was read, NULL when none */
};

/* The command line; strings are borrowed from argv. NULL/false = not given. */
struct config_args {
    const char *server;
    const char *user;
    const char *theme;
    const char *lang;
    const char *config;
    const char *cacert;
    const char *token_file;
    bool insecure;
    bool help;
    bool version;
};

/* Fill c with the defaults. */
void config_init(struct config *c);
/* Free c's strings. */
void config_fini(struct config *c);
/* Parse argv (argv[0] is the program); "--opt VALUE" and "--opt=VALUE" both work.
 * HL_EINVAL with a message for an unknown option, a missing or bad value. */
int config_parse_args(struct config_args *a, int argc, const char *const *argv, struct err *e);
/* Read settings from path into c (only keys present change). A missing file is fine unless
 * must_exist (HL_ENOENT). Errors name "path:line". */
int config_load(struct config *c, const char *path, bool must_exist, struct err *e);
/* Read settings from INI text (where names it in errors); like config_load. */
int config_parse(struct config *c, const char *text, const char *where, struct err *e);
/* Let the command line win over the file. */
void config_apply_args(struct config *c, const struct config_args *a);
/* Check a server URL: http:// or https:// and a host; HL_EINVAL with a message otherwise. */
int config_check_url(const char *url, struct err *e);
