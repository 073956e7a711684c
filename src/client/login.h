/* login: the sign-in form drawn over the body (at start, and again when the session expires). */
#pragma once

#include <curses.h>
#include <stdbool.h>

#include "keys.h"
#include "theme.h"
#include "ui/edit.h"
#include "ui/input.h"
#include "ui/layout.h"

/* Longest user id and password typed, in characters. */
#define LOGIN_USER_MAX 100
#define LOGIN_PASSWORD_MAX 256

/* What a key did to the form. */
enum login_result {
    LOGIN_NONE = 0,       /* handled, still open */
    LOGIN_SUBMIT,         /* Enter with a user id and a password: sign in */
    LOGIN_DISMISS,        /* Esc: close the form (work from the cache) */
    LOGIN_QUIT,           /* F10 */
};

/* The form. The password lives only here, and is wiped after each attempt. */
struct login {
    struct input user;
    struct edit password;
    int focus;            /* 0 user id, 1 password */
    char *server;         /* the server URL shown (owned) */
    char *note;           /* why the form is shown ("The session expired ..."), owned or NULL */
    char *error;          /* the last attempt's error, owned or NULL */
    bool busy;            /* a sign-in is in flight */
};

/* An empty form for server (copied); user (may be NULL) is filled in. */
void login_init(struct login *l, const char *server, const char *user);
/* Free the form, wiping the password. */
void login_fini(struct login *l);
/* Set (or clear with NULL) the note and the error shown in the form. */
void login_set_note(struct login *l, const char *note);
void login_set_error(struct login *l, const char *error);
/* The user id typed; borrowed until the next key. */
const char *login_user(const struct login *l);
/* The password typed; borrowed until the next key or login_clear_password. */
const char *login_password(const struct login *l);
/* Wipe the password (after an attempt). */
void login_clear_password(struct login *l);
/* Apply a key. */
enum login_result login_key(struct login *l, const struct key_event *ev);
/* Draw the form centred in area; *cy, *cx get the cursor position. */
void login_draw(struct login *l, WINDOW *w, const struct rect *area, const struct theme *th,
                int *cy, int *cx);
