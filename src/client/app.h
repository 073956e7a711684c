/* app: the one application struct of the console, its event handling and its render. */
#pragma once

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "hotline/calendar.h"
#include "hotline/err.h"
#include "hotline/model.h"
#include "hotline/rules.h"
#include "hotline/tz.h"
#include "keys.h"
#include "log.h"
#include "login.h"
#include "loop.h"
#include "term.h"
#include "theme.h"
#include "ui/cmdline.h"
#include "ui/dialog.h"
#include "ui/help.h"
#include "ui/layout.h"
#include "ui/statusbar.h"
#include "view.h"

/* Number of tabs. */
#define APP_NTABS 4

/* Parts of the screen that need drawing again. */
enum {
    APP_DIRTY_TABBAR = 1 << 0,
    APP_DIRTY_BODY = 1 << 1,     /* the active view and any overlay on it */
    APP_DIRTY_FOOTER = 1 << 2,   /* key hints or the command line */
    APP_DIRTY_STATUS = 1 << 3,
    APP_DIRTY_LAYOUT = 1 << 4,   /* the size changed: lay out and draw everything */
    APP_DIRTY_ALL = 0x1f,
};

/* The connection to the backend, as the network module reports it. */
enum app_conn {
    APP_CONN_NONE,         /* no server configured */
    APP_CONN_OFFLINE,      /* configured, unreachable for a while ("offline since 14:02") */
    APP_CONN_CONNECTING,   /* the first answer has not come yet */
    APP_CONN_ONLINE,
    APP_CONN_ERROR,        /* the last attempt failed (detail says why) */
    APP_CONN_RECONNECTING, /* answers stopped: probing ("reconnecting - next try 14:02:31") */
};

/* Kinds of app events delivered to every view's on_event. */
enum app_event_kind {
    APP_EV_CONN,           /* the connection state changed */
    APP_EV_LANG,           /* the language changed: cached translated text is stale */
    APP_EV_THEME,          /* the theme changed */
    APP_EV_RESIZE,         /* the screen size changed */
    APP_EV_SESSION,        /* a session began (first sign-in, or again after an expiry):
                            * (re)load data from the server; never discard typed input */
    APP_EV_META,           /* the reference data arrived (units, natures, categories, rules):
                            * app_meta() and app_rules() are set (also from the cache) */
    APP_EV_FEED,           /* a change from the feed: id = ticket id (NULL for none),
                            * data = const struct api_feed_event * */
    APP_EV_CALL_ANSWER,    /* call.answer for the signed-in agent (screen pop): id = the
                            * caller's number, data = const struct api_feed_event * */
    APP_EV_RELOAD,         /* the server's feed went backwards (a new store): reload all */
    APP_EV_TICKET,         /* a ticket was changed from this console and the server answered:
                            * id = ticket id, data = const struct ticket * (the new version) */
    APP_EV_OUTBOX,         /* an outbox entry got its answer: id = ticket id (may be NULL),
                            * data = const struct api_event * (outbox_seq, outbox_state,
                            * local_id) */
};

/* An event; id and data depend on the kind (borrowed for the call). */
struct app_event {
    enum app_event_kind kind;
    const char *id;
    const void *data;
};

/* The signed-in user (strings owned by the app). */
struct app_session {
    bool known;            /* a token is in use (signed in now, or a stored token) */
    char *user_id;
    char *name;            /* display name, NULL when unknown */
    enum user_role role;
    char *unit;            /* role unit: its unit code, else NULL */
    hl_time expires_at;    /* 0 when unknown */
};

/* How bad a status-bar message is (and how long it stays). */
enum app_msg {
    APP_MSG_INFO,
    APP_MSG_WARN,
    APP_MSG_ERROR,
};

/* What is drawn over the body and takes the keys first. */
enum app_overlay {
    APP_OVERLAY_NONE,
    APP_OVERLAY_HELP,
    APP_OVERLAY_CMDLINE,
    APP_OVERLAY_DIALOG,
};

struct net;
struct api;
struct api_meta;
struct cache;
struct outbox;

/* Called when a confirmation dialog is answered. */
typedef void (*app_confirm_fn)(struct app *app, bool yes, void *arg);

/* The console: everything mutable lives here (plus loop.c's signal flags and self-pipe). */
struct app {
    struct config cfg;
    struct log log;
    struct loop *loop;
    struct term term;
    struct theme theme;
    struct tz *tz;                 /* the centre's zone, for the clock */
    char *theme_dirs[3];           /* where themes are looked up, in order */
    size_t ntheme_dirs;
    char **theme_names;            /* the last theme-name completion's words */
    size_t ntheme_names;

    struct layout layout;
    WINDOW *win_tabbar;
    WINDOW *win_body;
    WINDOW *win_footer;
    WINDOW *win_status;
    unsigned dirty;
    struct {
        WINDOW *win;               /* NULL: hidden */
        int y;
        int x;
    } cursor;

    struct view views[APP_NTABS];
    size_t active;
    enum app_overlay overlay;
    struct help help;
    struct cmdline cmdline;
    struct dialog dialog;
    app_confirm_fn dialog_done;
    void *dialog_arg;

    struct statusbar status;
    uint64_t msg_timer;
    uint64_t clock_timer;
    enum app_conn conn;
    char *conn_detail;
    int outbox_waiting;

    /* The backend (all NULL when no server is configured). */
    struct net *net;
    struct api *api;
    struct cache *cache;           /* NULL when no cache could be opened */
    struct outbox *outbox;         /* NULL when no outbox could be opened */
    int net_source;                /* loop source handle of net, -1 when none */
    char *token_path;              /* where a new token is stored */
    struct app_session session;
    struct api_meta *meta;         /* GET /meta (or the cached copy), NULL until known */
    bool meta_cached;              /* meta came from the cache, not yet from the server */
    uint64_t meta_call;
    uint64_t whoami_call;           /* GET /session in flight */
    bool session_unverified;        /* role and unit guessed: ask GET /session once online */
    struct rules *rules;           /* the active profile's rules from meta, NULL until known */
    struct calendar *cal;          /* the holiday calendar from the data files, NULL: none */
    struct login login;
    bool login_open;               /* the sign-in form is over everything, taking the keys */
    uint64_t login_call;
    char *pending_token;           /* the stored token, until the api takes it */

    bool quit;
    int exit_code;
};

/* Set the app up from a finished configuration (moved into the app): log, loop and signals,
 * theme, terminal, views. HL_EINVAL/HL_EIO with e filled when the console cannot start
 * (e.g. an unusable terminal); app_fini is still needed. */
int app_init(struct app *app, struct config *cfg, struct err *e);
/* Run until quit; returns the exit code. */
int app_run(struct app *app);
/* Close the views, restore the terminal, free everything. */
void app_fini(struct app *app);

/* Mark parts of the screen for the next render. */
void app_mark_dirty(struct app *app, unsigned bits);
/* Show a message in the status bar (and log it); it clears itself after a while. */
void app_message(struct app *app, enum app_msg level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Show the cursor at y,x of w after this render (views call it from draw). */
void app_set_cursor(struct app *app, WINDOW *w, int y, int x);
/* Make tab i the active one. */
void app_switch_tab(struct app *app, size_t i);
/* The active view. */
struct view *app_active_view(struct app *app);
/* Deliver an event to every view. */
void app_post(struct app *app, const struct app_event *ev);
/* Ask a yes/no question; done runs with the answer. */
void app_confirm(struct app *app, const char *title, const char *message, app_confirm_fn done,
                 void *arg);
/* Quit, asking first when a view holds unsaved input. */
void app_request_quit(struct app *app);
/* Set the connection state (detail: why, for errors; may be NULL). */
void app_set_conn(struct app *app, enum app_conn conn, const char *detail);
/* Set the number of writes waiting in the outbox (shown when > 0). */
void app_set_outbox(struct app *app, int waiting);
/* A sentence on the connection for empty states ("Not connected: ..."). Caller owns. */
char *app_conn_sentence(const struct app *app);
/* The slot the connection state is drawn with. */
enum slot app_conn_slot(const struct app *app);
/* Run a command line ("theme dark", "lang en", "call", "quit", "help"). */
void app_run_command(struct app *app, const char *line);
/* Handle one key as read from the terminal. */
void app_key(struct app *app, wint_t ch, bool keycode);
/* Draw what is dirty, once: erase + draw + wnoutrefresh per part, one doupdate. */
void app_render(struct app *app);
/* Load and apply a theme by name or path; on failure keep the default and say why. */
void app_load_theme(struct app *app, const char *name);

/*
 * The backend, for views. Everything below is borrowed from the app and valid until the
 * next event (pointers may change when a new /meta or session arrives: take them again in
 * each call instead of keeping them).
 */

/* The api to call the server with; NULL when no server is configured. */
struct api *app_api(struct app *app);
/* The local cache; NULL when there is none. */
struct cache *app_cache(struct app *app);
/* The outbox; NULL when there is none. */
struct outbox *app_outbox(struct app *app);
/* The signed-in user (session->known false before a sign-in). */
const struct app_session *app_session(const struct app *app);
/* True when signed in and the server answers: calls can go out now. */
bool app_online(const struct app *app);
/* The reference data of GET /meta; NULL until known. */
const struct api_meta *app_meta(const struct app *app);
/* The rules of the active profile (rules_check with them); NULL until /meta is known. */
const struct rules *app_rules(const struct app *app);
/* The holiday calendar for rules_check; may be NULL (then Monday-Friday is assumed; the
 * server's answer is authoritative for every deadline it computes). */
const struct calendar *app_calendar(const struct app *app);
/* The centre's time zone. */
const struct tz *app_tz(const struct app *app);
/* The signed-in user as a rules actor (strings borrowed from the session). */
void app_actor(const struct app *app, struct rule_actor *out);
/* Now, seconds since the epoch (the wall clock). */
hl_time app_now(const struct app *app);
/* The name of a unit code from /meta, else the code itself (sanitise before drawing). */
const char *app_unit_name(const struct app *app, const char *code);
/* Format an instant in the centre's zone: "11-24 14:00" (with_date) or "14:00". */
void app_format_time(const struct app *app, hl_time t, bool with_date, char *buf, size_t sz);
/* Count the outbox again (after api_queue_*) and update the status bar. */
void app_outbox_changed(struct app *app);
/* Tell every view a ticket changed here (an action's answer): APP_EV_TICKET. */
void app_ticket_changed(struct app *app, const struct ticket *t);
/* Bring the sign-in form over everything; note (may be NULL) says why. */
void app_show_login(struct app *app, const char *note);
