/* session: where the console keeps its bearer token, and the `hotline login` command. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "hotline/datetime.h"
#include "hotline/err.h"

/*
 * The token file ($XDG_STATE_HOME/hotline/token unless --token-file names another) is
 * mode 0600, replaced atomically (temporary file, fsync, rename), and holds
 * "key=value" lines: server, user, role, unit, name, expires_at (RFC 3339) and token. A file that
 * others can read is refused, as ssh does with its keys.
 *
 * Where the console's token comes from, first match wins: --token-file FILE, the
 * HOTLINE_TOKEN environment variable (the token alone), the default file.
 */

/* Longest token file read, bytes. */
#define SESSION_FILE_MAX 8192

/* A stored session. Strings owned (session_info_fini); NULL when unknown. */
struct session_info {
    char *token;
    char *server;
    char *user;
    char *role;
    char *unit;               /* role unit: the unit's code */
    char *name;               /* the user's display name */
    hl_time expires_at;       /* 0 when unknown */
    char *source;             /* where the token came from: a path or "HOTLINE_TOKEN" */
};

/* Release what an info owns and zero it. */
void session_info_fini(struct session_info *s);
/* The token file's path: override when given, else $XDG_STATE_HOME/hotline/token
 * (the directory is created with mode 0700 when create). Caller owns; NULL + e. */
char *session_token_path(const char *override, bool create, struct err *e);
/* Write s atomically to path with mode 0600. HL_OK or HL_EIO with e filled. */
int session_save(const char *path, const struct session_info *s, struct err *e);
/* Read path into out. HL_ENOENT when there is no file, HL_EINVAL when it is not
 * readable as a token file or others may read it. */
int session_load(const char *path, struct session_info *out, struct err *e);
/* Remove the token file (sign-out); a missing file is fine. */
int session_forget(const char *path, struct err *e);
/* Find the console's token: token_file (may be NULL), then $HOTLINE_TOKEN, then the
 * default file. HL_ENOENT when there is none. */
int session_resolve(const char *token_file, struct session_info *out, struct err *e);

/* Settings the console's configuration gives the login command (all may be NULL). */
struct session_login_defaults {
    const char *server;
    const char *user;
    const char *cacert;
    bool insecure;
    const char *timezone;     /* zone of the expiry time printed; NULL: Asia/Shanghai */
};

/* `hotline login [--server URL] [--user ID] [--token-file FILE] [--insecure]
 * [--cacert FILE]`: reads the password from standard input (without echo
 * on a terminal), signs in, stores the token and prints "logged in as ID (role) until
 * TIME". argv[0] is "login"; defaults (may be NULL) fill what the flags leave out.
 * Returns the process exit status (0, 1 failure, 2 usage). */
int session_login_main(int argc, char **argv, const struct session_login_defaults *defaults,
                       FILE *out, FILE *err);
