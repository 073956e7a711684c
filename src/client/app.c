/* app: the one application struct of the console, its event handling and its render. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "api.h"
#include "app.h"
#include "buildconf.h"
#include "cache.h"
#include "config.h"
#include "hotline/codec.h"
#include "hotline/datetime.h"
#include "hotline/text.h"
#include "hotline/util.h"
#include "i18n.h"
#include "net.h"
#include "outbox.h"
#include "session.h"
#include "ui/draw.h"
#include "ui/footer.h"
#include "ui/tabbar.h"
#include "views/views.h"
#include "xdg.h"

/* The tabs, in order: adding a tab is one file and one line here. */
static const struct view_ops *const tab_ops[APP_NTABS] = {
    &intake_view_ops,
    &tickets_view_ops,
    &kb_view_ops,
    &callbacks_view_ops,
};

/* How long a status-bar message stays, by level (milliseconds). */
static const int message_ms[] = {
    [APP_MSG_INFO] = 5000,
    [APP_MSG_WARN] = 10000,
    [APP_MSG_ERROR] = 30000,
};

/* A ':' command. */
struct command {
    const char *name;
    const char *args;              /* argument synopsis, NULL = none */
    const char *help;              /* N_() */
    void (*run)(struct app *app, const char *args);
};

static void cmd_call(struct app *app, const char *args);
static void cmd_help(struct app *app, const char *args);
static void cmd_lang(struct app *app, const char *args);
static void cmd_login(struct app *app, const char *args);
static void cmd_outbox(struct app *app, const char *args);
static void login_key_event(struct app *app, const struct key_event *ev);
static void cmd_quit(struct app *app, const char *args);
static void cmd_redraw(struct app *app, const char *args);
static void cmd_tab(struct app *app, const char *args);
static void cmd_theme(struct app *app, const char *args);

static const struct command commands[] = {
    {"call", NULL, N_("start a new call (like F2)"), cmd_call},
    {"help", NULL, N_("show the keys (like ?)"), cmd_help},
    {"lang", "en|zh_CN", N_("switch the language"), cmd_lang},
    {"login", NULL, N_("sign in (again, or as another user)"), cmd_login},
    {"outbox", "retry|theirs|drop", N_("the outbox: settle the oldest change the server refused"),
     cmd_outbox},
    {"quit", NULL, N_("quit (like q)"), cmd_quit},
    {"redraw", NULL, N_("redraw the screen (like Ctrl-L)"), cmd_redraw},
    {"tab", "1-4", N_("switch to a tab"), cmd_tab},
    {"theme", "NAME", N_("switch the colour theme"), cmd_theme},
};

/* Languages :lang completes. */
static const char *const lang_names[] = {"en", "zh_CN", "auto"};

void
app_mark_dirty(struct app *app, unsigned bits)
{
    app->dirty |= bits;
}

struct view *
app_active_view(struct app *app)
{
    return &app->views[app->active];
}

void
app_set_cursor(struct app *app, WINDOW *w, int y, int x)
{
    app->cursor.win = w;
    app->cursor.y = y;
    app->cursor.x = x;
}

void
app_post(struct app *app, const struct app_event *ev)
{
    for (size_t i = 0; i < APP_NTABS; i++) {
        struct view *v = &app->views[i];

        if (v->ops != NULL && v->ops->on_event != NULL)
            v->ops->on_event(app, v->priv, ev);
    }
}

/* Clear the status-bar message (timer). */
static void
message_expired(void *arg)
{
    struct app *app = arg;

    app->msg_timer = 0;
    statusbar_set_message(&app->status, NULL, SLOT_STATUS);
    app_mark_dirty(app, APP_DIRTY_STATUS);
}

void
app_message(struct app *app, enum app_msg level, const char *fmt, ...)
{
    static const enum slot slots[] = {
        [APP_MSG_INFO] = SLOT_STATUS, [APP_MSG_WARN] = SLOT_WARN, [APP_MSG_ERROR] = SLOT_ERROR,
    };
    char buf[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    log_write(&app->log, level == APP_MSG_ERROR ? LOG_LEVEL_ERROR
                         : level == APP_MSG_WARN ? LOG_LEVEL_WARN : LOG_LEVEL_INFO,
              __FILE__, "%s", buf);
    statusbar_set_message(&app->status, buf, slots[level]);
    app_mark_dirty(app, APP_DIRTY_STATUS);
    if (app->loop != NULL) {
        loop_cancel(app->loop, app->msg_timer);
        app->msg_timer = loop_after(app->loop, message_ms[level], message_expired, app);
    }
}

/* The connection text of the status bar: "online", "reconnecting — next try 14:02:31". */
static void
conn_text(struct app *app, char *buf, size_t sz)
{
    static const char *const texts[] = {
        [APP_CONN_NONE] = N_("no server"),
        [APP_CONN_OFFLINE] = N_("offline"),
        [APP_CONN_CONNECTING] = N_("connecting"),
        [APP_CONN_ONLINE] = N_("online"),
        [APP_CONN_ERROR] = N_("connection error"),
        [APP_CONN_RECONNECTING] = N_("reconnecting"),
    };
    const struct api_conn_state *cs = app->api != NULL ? api_conn(app->api) : NULL;
    char when[16];

    if (app->conn == APP_CONN_RECONNECTING && cs != NULL && cs->next_try_at != 0) {
        struct civil_time ct;

        /* Seconds too: the next try is usually less than a minute away. */
        tz_to_civil(app->tz, cs->next_try_at, &ct);
        snprintf(when, sizeof when, "%02d:%02d:%02d", ct.hour, ct.minute, ct.second);
        snprintf(buf, sz, _("reconnecting — next try %s"), when);
    } else if (app->conn == APP_CONN_OFFLINE && cs != NULL && cs->since != 0) {
        app_format_time(app, cs->since, false, when, sizeof when);
        snprintf(buf, sz, _("offline since %s"), when);
    } else {
        snprintf(buf, sz, "%s", _(texts[app->conn]));
    }
}

/* The status bar's connection text and the counts, from the app's state. */
static void
update_status_parts(struct app *app)
{
    char buf[96];

    conn_text(app, buf, sizeof buf);
    statusbar_set_conn(&app->status, buf, app_conn_slot(app));
    if (app->outbox_waiting > 0) {
        snprintf(buf, sizeof buf, _("outbox: %d waiting"), app->outbox_waiting);
        statusbar_set_counts(&app->status, buf);
    } else {
        statusbar_set_counts(&app->status, NULL);
    }
    app_mark_dirty(app, APP_DIRTY_STATUS);
}

enum slot
app_conn_slot(const struct app *app)
{
    switch (app->conn) {
    case APP_CONN_ONLINE:
        return SLOT_OK;
    case APP_CONN_ERROR:
        return SLOT_ERROR;
    case APP_CONN_CONNECTING:
        return SLOT_STATUS;
    case APP_CONN_OFFLINE:
        return app->cfg.server_url != NULL && app->api != NULL ? SLOT_ERROR : SLOT_WARN;
    default:
        return SLOT_WARN;
    }
}

char *
app_conn_sentence(const struct app *app)
{
    const char *url = app->cfg.server_url;

    switch (app->conn) {
    case APP_CONN_NONE:
        return xasprintf(_("Not connected: no server is configured. Start hotline with "
                           "--server URL, or set url in the [server] section of %s."),
                         app->cfg.path != NULL ? app->cfg.path : "~/.config/hotline/config");
    case APP_CONN_OFFLINE:
        return xasprintf(_("Not connected to %s: nothing to show until the console is online."),
                         url);
    case APP_CONN_CONNECTING:
        return xasprintf(_("Connecting to %s..."), url);
    case APP_CONN_RECONNECTING:
        return xasprintf(_("Not connected to %s: trying again. What is shown comes from the "
                           "local cache; changes wait in the outbox."), url);
    case APP_CONN_ONLINE:
        if (!app->session.known)
            return xasprintf(_("Connected to %s, not signed in: type :login to sign in."), url);
        return xasprintf(_("Connected to %s."), url);
    case APP_CONN_ERROR:
    default:
        return xasprintf(_("Cannot reach %s: %s"), url,
                         app->conn_detail != NULL ? app->conn_detail : _("unknown error"));
    }
}

void
app_set_conn(struct app *app, enum app_conn conn, const char *detail)
{
    struct app_event ev = {APP_EV_CONN, NULL, NULL};

    app->conn = conn;
    free(app->conn_detail);
    app->conn_detail = detail != NULL ? xstrdup(detail) : NULL;
    update_status_parts(app);
    app_mark_dirty(app, APP_DIRTY_BODY);
    app_post(app, &ev);
}

void
app_set_outbox(struct app *app, int waiting)
{
    app->outbox_waiting = waiting;
    update_status_parts(app);
}

void
app_switch_tab(struct app *app, size_t i)
{
    struct view *v;

    if (i >= APP_NTABS || i == app->active)
        return;
    app->active = i;
    v = &app->views[i];
    if (v->ops->enter != NULL)
        v->ops->enter(app, v->priv);
    app_mark_dirty(app, APP_DIRTY_TABBAR | APP_DIRTY_BODY | APP_DIRTY_FOOTER);
}

/* Close the dialog, then run its callback. */
static void
close_dialog(struct app *app, bool yes)
{
    app_confirm_fn done = app->dialog_done;
    void *arg = app->dialog_arg;

    dialog_fini(&app->dialog);
    app->overlay = APP_OVERLAY_NONE;
    app->dialog_done = NULL;
    app->dialog_arg = NULL;
    app_mark_dirty(app, APP_DIRTY_BODY | APP_DIRTY_FOOTER);
    if (done != NULL)
        done(app, yes, arg);
}

void
app_confirm(struct app *app, const char *title, const char *message, app_confirm_fn done, void *arg)
{
    if (app->overlay == APP_OVERLAY_DIALOG)
        close_dialog(app, false);
    dialog_init(&app->dialog, DIALOG_YESNO, title, message);
    app->dialog_done = done;
    app->dialog_arg = arg;
    app->overlay = APP_OVERLAY_DIALOG;
    app_mark_dirty(app, APP_DIRTY_BODY | APP_DIRTY_FOOTER);
}

/* The answer to "quit and lose unsaved input?". */
static void
quit_answered(struct app *app, bool yes, void *arg)
{
    (void)arg;
    if (yes)
        app->quit = true;
}

void
app_request_quit(struct app *app)
{
    for (size_t i = 0; i < APP_NTABS; i++) {
        struct view *v = &app->views[i];

        if (v->ops->unsaved != NULL && v->ops->unsaved(app, v->priv)) {
            app_confirm(app, _("Quit"),
                        _("A form holds input that has not been saved. Quit and lose it?"),
                        quit_answered, NULL);
            return;
        }
    }
    app->quit = true;
}

/* Open the help overlay. */
static void
open_help(struct app *app)
{
    help_open(&app->help);
    app->overlay = APP_OVERLAY_HELP;
    app_mark_dirty(app, APP_DIRTY_BODY);
}

/* Open the command line. */
static void
open_cmdline(struct app *app)
{
    cmdline_open(&app->cmdline);
    app->overlay = APP_OVERLAY_CMDLINE;
    app_mark_dirty(app, APP_DIRTY_FOOTER | APP_DIRTY_BODY);
}

/* Start a new call: the intake tab, which gets the command. */
static void
cmd_call(struct app *app, const char *args)
{
    struct key_event ev = {KEY_F(2), true, CMD_NEW_CALL};
    struct view *v;

    (void)args;
    app_switch_tab(app, 0);
    v = app_active_view(app);
    if (v->ops->key == NULL || !v->ops->key(app, v->priv, &ev))
        app_message(app, APP_MSG_WARN, "%s",
                    _("New call: the intake form needs a connection to the server."));
}

/* Show the keys. */
static void
cmd_help(struct app *app, const char *args)
{
    (void)args;
    open_help(app);
}

/* Switch the language. */
static void
cmd_lang(struct app *app, const char *args)
{
    struct app_event ev = {APP_EV_LANG, NULL, NULL};
    const char *lang = args;

    if (str_empty(lang))
        lang = strcmp(i18n_lang(), "en") == 0 ? "zh_CN" : "en";
    if (!i18n_set_lang(lang)) {
        app_message(app, APP_MSG_ERROR, _("language '%s' is not one of en, zh_CN, auto"), lang);
        return;
    }
    update_status_parts(app);
    app_post(app, &ev);
    app_mark_dirty(app, APP_DIRTY_ALL);
}

/* Quit. */
static void
cmd_quit(struct app *app, const char *args)
{
    (void)args;
    app_request_quit(app);
}

/* Repaint every cell. */
static void
cmd_redraw(struct app *app, const char *args)
{
    (void)args;
    term_repaint_all(&app->term);
    app_mark_dirty(app, APP_DIRTY_ALL);
}

/* Switch to tab N. */
static void
cmd_tab(struct app *app, const char *args)
{
    long n;

    if (!str_to_long(args, 1, APP_NTABS, &n)) {
        app_message(app, APP_MSG_ERROR, _("tab: give a number from 1 to %d"), APP_NTABS);
        return;
    }
    app_switch_tab(app, (size_t)n - 1);
}

void
app_load_theme(struct app *app, const char *name)
{
    struct app_event ev = {APP_EV_THEME, NULL, NULL};
    struct err e;
    char *path;

    err_clear(&e);
    path = theme_find(name, (const char *const *)app->theme_dirs, app->ntheme_dirs);
    if (path == NULL) {
        theme_init_default(&app->theme);
        if (strcmp(name, "default") != 0)
            app_message(app, APP_MSG_ERROR, _("theme '%s' not found; using the default theme"), name);
    } else if (theme_load_file(&app->theme, path, &e) != HL_OK) {
        /* The status bar is narrow: name the file, not its whole path (the log has it). */
        const char *base = strrchr(path, '/');
        const char *msg = e.msg;

        LOG_WARN(&app->log, "%s", e.msg);
        if (base != NULL && str_starts_with(e.msg, path)) {
            msg = e.msg + strlen(path);
            app_message(app, APP_MSG_ERROR, _("%s%s; using the default theme"), base + 1, msg);
        } else {
            app_message(app, APP_MSG_ERROR, _("%s; using the default theme"), msg);
        }
    }
    free(path);
    if (app->term.active) {
        theme_apply(&app->theme, app->term.depth, app->term.default_colors);
        term_repaint_all(&app->term);
    }
    app_post(app, &ev);
    app_mark_dirty(app, APP_DIRTY_ALL);
}

/* Switch the theme. */
static void
cmd_theme(struct app *app, const char *args)
{
    if (str_empty(args)) {
        app_message(app, APP_MSG_INFO, _("theme: %s (give a name: Tab lists them)"), app->theme.name);
        return;
    }
    app_load_theme(app, args);
    if (strcmp(app->theme.name, args) == 0 || strchr(args, '/') != NULL)
        app_message(app, APP_MSG_INFO, _("theme: %s"), app->theme.name);
}

void
app_run_command(struct app *app, const char *line)
{
    char name[64];
    const char *args = cmdline_split(line, name, sizeof name);
    char *trimmed;
    size_t n;

    if (name[0] == '\0')
        return;
    trimmed = xstrdup(args);
    n = strlen(trimmed);
    while (n > 0 && trimmed[n - 1] == ' ')
        trimmed[--n] = '\0';
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
        if (strcmp(commands[i].name, name) == 0 || (strcmp(name, "q") == 0 && commands[i].run == cmd_quit)) {
            commands[i].run(app, trimmed);
            free(trimmed);
            return;
        }
    }
    free(trimmed);
    app_message(app, APP_MSG_ERROR, _("unknown command '%s' (Tab lists the commands)"), name);
}

/* Words the command line completes: command names, theme names, languages. */
static size_t
complete_words(void *arg, size_t argi, const char *cmd, const char **out, size_t max)
{
    struct app *app = arg;
    size_t n = 0;

    if (argi == 0) {
        for (size_t i = 0; i < ARRAY_SIZE(commands) && n < max; i++)
            out[n++] = commands[i].name;
        return n;
    }
    if (argi == 1 && strcmp(cmd, "outbox") == 0) {
        static const char *const outbox_words[] = {"retry", "theirs", "drop"};

        for (size_t i = 0; i < ARRAY_SIZE(outbox_words) && n < max; i++)
            out[n++] = outbox_words[i];
        return n;
    }
    if (argi == 1 && strcmp(cmd, "lang") == 0) {
        for (size_t i = 0; i < ARRAY_SIZE(lang_names) && n < max; i++)
            out[n++] = lang_names[i];
        return n;
    }
    if (argi == 1 && strcmp(cmd, "theme") == 0) {
        /* The names stay in the app until the next completion (out[] borrows them). */
        theme_names_free(app->theme_names, app->ntheme_names);
        app->theme_names = theme_names((const char *const *)app->theme_dirs, app->ntheme_dirs,
                                       &app->ntheme_names);
        for (size_t i = 0; i < app->ntheme_names && n < max; i++)
            out[n++] = app->theme_names[i];
        return n;
    }
    return 0;
}

/* Handle a key while an overlay is open. */
static void
overlay_key(struct app *app, const struct key_event *ev)
{
    switch (app->overlay) {
    case APP_OVERLAY_DIALOG: {
        enum dialog_result r = dialog_key(&app->dialog, ev);

        if (r != DIALOG_OPEN)
            close_dialog(app, r == DIALOG_YES);
        else
            app_mark_dirty(app, APP_DIRTY_BODY);
        return;
    }
    case APP_OVERLAY_HELP:
        if (!help_key(&app->help, ev))
            app->overlay = APP_OVERLAY_NONE;
        app_mark_dirty(app, APP_DIRTY_BODY);
        return;
    case APP_OVERLAY_CMDLINE:
        switch (cmdline_key(&app->cmdline, ev)) {
        case CMDLINE_SUBMIT: {
            char *line = xstrdup(input_text(&app->cmdline.in));

            app->overlay = APP_OVERLAY_NONE;
            app_run_command(app, line);
            free(line);
            break;
        }
        case CMDLINE_CANCEL:
            app->overlay = APP_OVERLAY_NONE;
            break;
        case CMDLINE_COMPLETE:
            cmdline_do_complete(&app->cmdline, complete_words, app);
            break;
        default:
            break;
        }
        app_mark_dirty(app, APP_DIRTY_FOOTER | APP_DIRTY_BODY);
        return;
    default:
        return;
    }
}

void
app_key(struct app *app, wint_t ch, bool keycode)
{
    struct view *v = app_active_view(app);
    struct key_event ev;

    if (keycode && ch == KEY_RESIZE)
        return;
    if (app->login_open) {
        ev = keys_resolve(NULL, ch, keycode);
        login_key_event(app, &ev);
        return;
    }
    ev = keys_resolve(v->ops->keys, ch, keycode);
    if (app->overlay != APP_OVERLAY_NONE) {
        overlay_key(app, &ev);
        return;
    }
    if (v->ops->key != NULL && v->ops->key(app, v->priv, &ev))
        return;
    switch (ev.cmd) {
    case CMD_HELP:
        open_help(app);
        break;
    case CMD_QUIT:
        app_request_quit(app);
        break;
    case CMD_NEW_CALL:
        cmd_call(app, "");
        break;
    case CMD_HOLD:
        app_message(app, APP_MSG_WARN, "%s", _("Hold: no call in progress."));
        break;
    case CMD_TAB_1:
    case CMD_TAB_2:
    case CMD_TAB_3:
    case CMD_TAB_4:
        app_switch_tab(app, (size_t)(ev.cmd - CMD_TAB_1));
        break;
    case CMD_SEARCH:
        app_message(app, APP_MSG_INFO, "%s", _("Nothing to search: this tab has no data yet."));
        break;
    case CMD_CMDLINE:
        open_cmdline(app);
        break;
    case CMD_REDRAW:
        cmd_redraw(app, "");
        break;
    case CMD_CANCEL:
        if (app->status.msg != NULL)
            message_expired(app);
        break;
    default:
        break;
    }
}

/* Delete the region windows. */
static void
free_windows(struct app *app)
{
    WINDOW **ws[] = {&app->win_tabbar, &app->win_body, &app->win_footer, &app->win_status};

    for (size_t i = 0; i < ARRAY_SIZE(ws); i++) {
        if (*ws[i] != NULL)
            delwin(*ws[i]);
        *ws[i] = NULL;
    }
}

/* A window for a region. */
static WINDOW *
region_window(const struct rect *r)
{
    WINDOW *w = newwin(r->h, r->w, r->y, r->x);

    if (w != NULL)
        leaveok(w, FALSE);
    return w;
}

/* Lay the screen out again for its current size. */
static void
relayout(struct app *app)
{
    free_windows(app);
    layout_compute(app->term.rows, app->term.cols, &app->layout);
    if (app->layout.too_small)
        return;
    app->win_tabbar = region_window(&app->layout.tabbar);
    app->win_body = region_window(&app->layout.body);
    app->win_footer = region_window(&app->layout.footer);
    app->win_status = region_window(&app->layout.status);
}

/* The "enlarge the window" screen for a terminal below 80x24. */
static void
draw_too_small(struct app *app)
{
    char *msg = xasprintf(_("enlarge the window to at least %dx%d (now %dx%d)"), LAYOUT_MIN_COLS,
                          LAYOUT_MIN_ROWS, app->term.cols, app->term.rows);
    struct rect all = {0, 0, app->term.rows, app->term.cols};
    struct draw_line lines[8];
    char *t = text_sanitize(msg, 0);
    size_t n = draw_wrap(t, app->term.cols > 2 ? app->term.cols - 2 : 1, lines, ARRAY_SIZE(lines));
    int top;

    wbkgdset(stdscr, ' ' | theme_attr(&app->theme, SLOT_NORMAL));
    werase(stdscr);
    if (n > ARRAY_SIZE(lines))
        n = ARRAY_SIZE(lines);
    top = (all.h - (int)n) / 2;
    for (size_t i = 0; i < n; i++)
        draw_clip(stdscr, top + (int)i, (all.w - lines[i].width) / 2, lines[i].width,
                  t + lines[i].off, lines[i].len, theme_attr(&app->theme, SLOT_WARN));
    free(t);
    free(msg);
    wnoutrefresh(stdscr);
}

/* The tab labels, translated, and the note on the right. */
static void
draw_tabbar(struct app *app)
{
    const char *labels[APP_NTABS];
    char *right;

    for (size_t i = 0; i < APP_NTABS; i++)
        labels[i] = _(app->views[i].ops->name);
    if (app->session.known && app->session.user_id != NULL)
        right = xasprintf("hotline · %s", app->session.user_id);
    else if (app->cfg.user_id != NULL)
        right = xasprintf("hotline · %s", app->cfg.user_id);
    else
        right = xstrdup("hotline");
    wbkgdset(app->win_tabbar, ' ' | theme_attr(&app->theme, SLOT_NORMAL));
    werase(app->win_tabbar);
    tabbar_draw(app->win_tabbar, app->layout.tabbar.w, labels, APP_NTABS, app->active, right,
                &app->theme);
    free(right);
    wnoutrefresh(app->win_tabbar);
}

/* The keymaps in force: the active view's, then the global one. */
static size_t
active_maps(struct app *app, const struct keymap **maps)
{
    size_t n = 0;

    if (app_active_view(app)->ops->keys != NULL)
        maps[n++] = app_active_view(app)->ops->keys;
    maps[n++] = &keys_global;
    return n;
}

/* The active view, then the overlay on it. */
static void
draw_body(struct app *app)
{
    struct view *v = app_active_view(app);
    struct rect r = {0, 0, app->layout.body.h, app->layout.body.w};
    const struct keymap *maps[2];
    size_t nmaps;

    wbkgdset(app->win_body, ' ' | theme_attr(&app->theme, SLOT_NORMAL));
    werase(app->win_body);
    v->ops->draw(app, v->priv, app->win_body, &r);
    switch (app->overlay) {
    case APP_OVERLAY_HELP:
        nmaps = active_maps(app, maps);
        help_draw(&app->help, app->win_body, &r, maps, nmaps, &app->theme);
        app->cursor.win = NULL;
        break;
    case APP_OVERLAY_DIALOG:
        dialog_draw(&app->dialog, app->win_body, &r, &app->theme);
        app->cursor.win = NULL;
        break;
    default:
        break;
    }
    if (app->login_open) {
        int cy = 0, cx = 0;

        login_draw(&app->login, app->win_body, &r, &app->theme, &cy, &cx);
        app_set_cursor(app, app->win_body, cy, cx);
    }
    wnoutrefresh(app->win_body);
}

/* Key hints, or the command line. */
static void
draw_footer(struct app *app)
{
    struct key_hint hints[16];
    const struct keymap *maps[2];
    size_t nmaps = active_maps(app, maps);
    size_t n = keys_hints(maps, nmaps, hints, ARRAY_SIZE(hints));
    int cx;

    wbkgdset(app->win_footer, ' ' | theme_attr(&app->theme, SLOT_NORMAL));
    werase(app->win_footer);
    if (app->overlay == APP_OVERLAY_CMDLINE) {
        cmdline_draw(&app->cmdline, app->win_footer, 0, 0, app->layout.footer.w, &app->theme, &cx);
        app_set_cursor(app, app->win_footer, 0, cx);
    } else {
        footer_draw(app->win_footer, app->layout.footer.w, hints, n, &app->theme);
    }
    wnoutrefresh(app->win_footer);
}

void
app_render(struct app *app)
{
    if (app->dirty & APP_DIRTY_LAYOUT) {
        relayout(app);
        app->dirty = APP_DIRTY_ALL;
    }
    if (app->layout.too_small) {
        draw_too_small(app);
        term_cursor(&app->term, false);
        doupdate();
        app->dirty = 0;
        return;
    }
    if (app->dirty & (APP_DIRTY_BODY | APP_DIRTY_FOOTER))
        app->cursor.win = NULL;
    if (app->dirty & APP_DIRTY_TABBAR)
        draw_tabbar(app);
    if (app->dirty & APP_DIRTY_BODY)
        draw_body(app);
    if (app->dirty & APP_DIRTY_FOOTER)
        draw_footer(app);
    if (app->dirty & APP_DIRTY_STATUS) {
        wbkgdset(app->win_status, ' ' | theme_attr(&app->theme, SLOT_NORMAL));
        werase(app->win_status);
        statusbar_draw(&app->status, app->win_status, app->layout.status.w, &app->theme);
        wnoutrefresh(app->win_status);
    }
    if (app->cursor.win != NULL) {
        wmove(app->cursor.win, app->cursor.y, app->cursor.x);
        wnoutrefresh(app->cursor.win);
        term_cursor(&app->term, true);
    } else {
        term_cursor(&app->term, false);
    }
    doupdate();
    app->dirty = 0;
}

/* Show the time in the status bar and wake at the next minute (timer). */
static void
clock_tick(void *arg)
{
    struct app *app = arg;
    int64_t now = loop_wall_ms();
    struct civil_time ct;

    tz_to_civil(app->tz, (hl_time)(now / 1000), &ct);
    snprintf(app->status.clock, sizeof app->status.clock, "%02d:%02d", ct.hour, ct.minute);
    app_mark_dirty(app, APP_DIRTY_STATUS);
    app->clock_timer = loop_after(app->loop, (int)(60000 - now % 60000) + 20, clock_tick, app);
}

/* Signals from the loop: resize, quit, suspend, continue. */
static void
on_signals(void *arg, unsigned sigs)
{
    struct app *app = arg;
    struct app_event ev = {APP_EV_RESIZE, NULL, NULL};

    if (sigs & LOOP_SIG_QUIT)
        app->quit = true;
    if (sigs & LOOP_SIG_SUSPEND) {
        term_suspend(&app->term, app->loop);
        app_mark_dirty(app, APP_DIRTY_ALL);
    }
    if (sigs & LOOP_SIG_CONT) {
        term_repaint_all(&app->term);
        app_mark_dirty(app, APP_DIRTY_ALL);
    }
    if (sigs & (LOOP_SIG_RESIZE | LOOP_SIG_SUSPEND | LOOP_SIG_CONT)) {
        term_resize(&app->term);
        app_mark_dirty(app, APP_DIRTY_ALL);
        app_post(app, &ev);
    }
}

/* The terminal as a loop source: one fd. */
static int
input_fds(void *arg, struct pollfd *out, int max, int *timeout_ms)
{
    struct app *app = arg;

    (void)timeout_ms;
    if (max < 1 || !app->term.active)
        return 0;
    out[0].fd = term_fd(&app->term);
    out[0].events = POLLIN;
    return 1;
}

/* Read every pending key (get_wch until ERR) and hand each to app_key. */
static void
input_dispatch(void *arg, const struct pollfd *fds, int n)
{
    struct app *app = arg;
    wint_t ch;
    bool keycode;

    if (n > 0 && (fds[0].revents & (POLLHUP | POLLERR | POLLNVAL)) && !(fds[0].revents & POLLIN)) {
        LOG_WARN(&app->log, "the terminal went away: quitting");
        app->quit = true;
        return;
    }
    while (!app->quit && term_read(&app->term, &ch, &keycode))
        app_key(app, ch, keycode);
}

/* ---- the backend: session, reference data, feed, outbox ---- */

struct api *
app_api(struct app *app)
{
    return app->api;
}

struct cache *
app_cache(struct app *app)
{
    return app->cache;
}

struct outbox *
app_outbox(struct app *app)
{
    return app->outbox;
}

const struct app_session *
app_session(const struct app *app)
{
    return &app->session;
}

bool
app_online(const struct app *app)
{
    return app->api != NULL && app->session.known && app->conn == APP_CONN_ONLINE &&
           !app->login_open;
}

const struct api_meta *
app_meta(const struct app *app)
{
    return app->meta;
}

const struct rules *
app_rules(const struct app *app)
{
    return app->rules;
}

const struct calendar *
app_calendar(const struct app *app)
{
    return app->cal;
}

const struct tz *
app_tz(const struct app *app)
{
    return app->tz;
}

void
app_actor(const struct app *app, struct rule_actor *out)
{
    out->role = app->session.role;
    out->unit = app->session.unit;
    out->user_id = app->session.user_id;
}

hl_time
app_now(const struct app *app)
{
    (void)app;
    return (hl_time)(loop_wall_ms() / 1000);
}

const char *
app_unit_name(const struct app *app, const char *code)
{
    if (code == NULL)
        return "";
    if (app->meta != NULL) {
        for (size_t i = 0; i < app->meta->n_units; i++) {
            if (strcmp(app->meta->units[i].code, code) == 0 && app->meta->units[i].name != NULL)
                return app->meta->units[i].name;
        }
    }
    return code;
}

void
app_format_time(const struct app *app, hl_time t, bool with_date, char *buf, size_t sz)
{
    struct civil_time ct;

    if (t == 0) {
        str_copy(buf, sz, "-");
        return;
    }
    tz_to_civil(app->tz, t, &ct);
    if (with_date)
        snprintf(buf, sz, "%02d-%02d %02d:%02d", ct.month, ct.day, ct.hour, ct.minute);
    else
        snprintf(buf, sz, "%02d:%02d", ct.hour, ct.minute);
}

void
app_outbox_changed(struct app *app)
{
    app_set_outbox(app, app->outbox != NULL ? (int)outbox_waiting(app->outbox) : 0);
}

void
app_ticket_changed(struct app *app, const struct ticket *t)
{
    struct app_event ev = {APP_EV_TICKET, t->id, t};

    app_post(app, &ev);
    app_mark_dirty(app, APP_DIRTY_BODY);
}

/* Forget the session's strings. */
static void
session_clear(struct app_session *s)
{
    free(s->user_id);
    free(s->name);
    free(s->unit);
    memset(s, 0, sizeof *s);
}

/* Take the user a session belongs to. */
static void
session_take_user(struct app *app, const char *id, const char *name, enum user_role role,
                  const char *unit, hl_time expires_at)
{
    session_clear(&app->session);
    app->session.known = true;
    app->session.user_id = xstrdup(id);
    app->session.name = xstrdup(name);
    app->session.role = role;
    app->session.unit = role == USER_UNIT ? xstrdup(unit) : NULL;
    app->session.expires_at = expires_at;
    if (app->cache != NULL)
        cache_set_user(app->cache, app->session.user_id, app->session.unit);
    app_mark_dirty(app, APP_DIRTY_TABBAR);
}

/* The rules of /meta (the active profile's object) parsed for rules_check: wrapped into the
 * rules file's shape. NULL with e filled when they cannot be read. */
static struct rules *
rules_of_meta(const struct api_meta *m, struct err *e)
{
    cJSON *obj, *doc, *profiles;
    const cJSON *name;
    char *profile, *text;
    struct rules *r;

    if (m->rules_json == NULL) {
        err_set(e, HL_EINVAL, "rules", "the server's /meta has no rules");
        return NULL;
    }
    obj = codec_parse(m->rules_json, strlen(m->rules_json), e);
    if (obj == NULL)
        return NULL;
    name = cJSON_GetObjectItemCaseSensitive(obj, "profile");
    profile = xstrdup(cJSON_IsString(name) ? name->valuestring
                      : m->profile != NULL ? m->profile : "12345");
    cJSON_DeleteItemFromObjectCaseSensitive(obj, "profile");
    doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "default_profile", profile);
    profiles = cJSON_AddObjectToObject(doc, "profiles");
    cJSON_AddItemToObject(profiles, profile, obj);
    text = codec_print(doc);
    cJSON_Delete(doc);
    r = rules_parse(text, strlen(text), "/meta rules", profile, NULL, 0, NULL, e);
    free(text);
    free(profile);
    return r;
}

/* Use a new /meta (owned from now on); cached: it came from the local cache. */
static void
set_meta(struct app *app, struct api_meta *m, bool cached)
{
    struct app_event ev = {APP_EV_META, NULL, NULL};
    struct rules *r;
    struct err e;

    err_clear(&e);
    r = rules_of_meta(m, &e);
    if (r == NULL) {
        LOG_WARN(&app->log, "rules of /meta: %s", e.msg);
    } else {
        rules_free(&app->rules);
        app->rules = r;
    }
    api_meta_free(&app->meta);
    app->meta = m;
    app->meta_cached = cached;
    ev.data = m;
    app_post(app, &ev);
    app_mark_dirty(app, APP_DIRTY_BODY);
}

/* Answer of GET /meta. */
static void
meta_done(struct api_result *r, void *arg)
{
    struct app *app = arg;

    if (r->cancelled)
        return;
    app->meta_call = 0;
    if (r->code != HL_OK || r->meta == NULL) {
        if (r->status != 401 && !r->offline)
            app_message(app, APP_MSG_WARN, _("reference data: %s"), r->err.msg);
        return;
    }
    set_meta(app, r->meta, false);
    r->meta = NULL;
}

/* Ask for /meta unless a request is out already. */
static void
fetch_meta(struct app *app)
{
    struct err e;

    if (app->api == NULL || !app->session.known || app->meta_call != 0)
        return;
    err_clear(&e);
    app->meta_call = api_meta(app->api, meta_done, app, &e);
}

/* The /meta kept in the cache, so forms and rules work before the server answers. */
static void
load_cached_meta(struct app *app)
{
    char *doc;
    struct api_meta *m = NULL;
    struct err e;

    if (app->cache == NULL || app->meta != NULL)
        return;
    doc = cache_get_meta(app->cache);
    if (doc == NULL)
        return;
    err_clear(&e);
    if (api_meta_parse(doc, strlen(doc), &m, &e) == HL_OK)
        set_meta(app, m, true);
    else
        LOG_WARN(&app->log, "cached /meta: %s", e.msg);
    free(doc);
}

/* Answer of GET /session: the role and unit of a token that came without them. */
static void
whoami_done(struct api_result *r, void *arg)
{
    struct app *app = arg;
    struct app_event ev = {APP_EV_SESSION, NULL, NULL};

    if (r->cancelled)
        return;
    app->whoami_call = 0;
    if (r->code != HL_OK) {
        if (!r->offline && r->status != 401)
            app_message(app, APP_MSG_WARN, _("cannot learn the session's role: %s"),
                        r->err.msg);
        return;    /* offline: asked again when the server answers */
    }
    if (!app->session_unverified || !app->session.known || str_empty(r->session.user.id))
        return;    /* signed in anew meanwhile: that answer is the truth */
    app->session_unverified = false;
    session_take_user(app, r->session.user.id, r->session.user.name, r->session.user.role,
                      r->session.user.unit, r->session.expires_at);
    app_mark_dirty(app, APP_DIRTY_ALL);
    app_post(app, &ev);
}

/* Ask the server who the token is, when the stored session did not say. */
static void
verify_session(struct app *app)
{
    struct err e;

    if (app->api == NULL || !app->session_unverified || app->whoami_call != 0 ||
        api_token(app->api) == NULL)
        return;
    err_clear(&e);
    app->whoami_call = api_whoami(app->api, whoami_done, app, &e);
}

/* A session is in place: tell the views, fetch what they need, follow the feed. */
static void
session_started(struct app *app)
{
    struct app_event ev = {APP_EV_SESSION, NULL, NULL};

    app_mark_dirty(app, APP_DIRTY_ALL);
    fetch_meta(app);
    api_feed_start(app->api, -1);
    app_outbox_changed(app);
    app_post(app, &ev);
}

/* Take the connection state from the api. */
static void
conn_from_api(struct app *app)
{
    const struct api_conn_state *cs = api_conn(app->api);
    enum app_conn was = app->conn;
    enum app_conn now;

    switch (cs->state) {
    case API_ONLINE:
        now = APP_CONN_ONLINE;
        break;
    case API_RECONNECTING:
        now = APP_CONN_RECONNECTING;
        break;
    default:
        now = APP_CONN_OFFLINE;
        break;
    }
    app_set_conn(app, now, cs->error[0] != '\0' ? cs->error : NULL);
    if (now == APP_CONN_ONLINE && was != APP_CONN_ONLINE) {
        if (app->meta == NULL || app->meta_cached)
            fetch_meta(app);
        verify_session(app);
        app_outbox_changed(app);
    }
}

/* What the api reports: connection, expiry, feed, outbox. */
static void
on_api_event(const struct api_event *ev, void *arg)
{
    struct app *app = arg;

    switch (ev->kind) {
    case API_EV_CONN:
        conn_from_api(app);
        break;
    case API_EV_SESSION_EXPIRED:
        app_show_login(app, _("The session has expired: sign in again. The screen and "
                              "anything typed stay as they are."));
        break;
    case API_EV_FEED:
        if (ev->feed_reset) {
            struct app_event rev = {APP_EV_RELOAD, NULL, NULL};

            app_post(app, &rev);
        }
        for (size_t i = 0; i < ev->n_events; i++) {
            const struct api_feed_event *fe = &ev->events[i];
            struct app_event aev = {APP_EV_FEED, fe->ticket_id, fe};

            app_post(app, &aev);
            if (fe->type != NULL && strcmp(fe->type, "call.answer") == 0 &&
                fe->agent != NULL && app->session.user_id != NULL &&
                strcmp(fe->agent, app->session.user_id) == 0) {
                struct app_event cev = {APP_EV_CALL_ANSWER, fe->phone, fe};

                app_post(app, &cev);
            }
        }
        app_mark_dirty(app, APP_DIRTY_BODY);
        break;
    case API_EV_OUTBOX: {
        struct app_event oev = {APP_EV_OUTBOX, ev->ticket_id, ev};

        app_outbox_changed(app);
        if (ev->outbox_state == OUTBOX_DONE && ev->local_id != NULL && ev->ticket_id != NULL)
            app_message(app, APP_MSG_INFO, _("sent from the outbox: %s is now %s"),
                        ev->local_id, ev->ticket_id);
        else if (ev->outbox_state == OUTBOX_CONFLICT || ev->outbox_state == OUTBOX_FAILED)
            app_message(app, APP_MSG_ERROR, "%s",
                        _("the server refused a change from the outbox: :outbox says which"));
        app_post(app, &oev);
        app_mark_dirty(app, APP_DIRTY_BODY);
        break;
    }
    }
}

/* Answer of the first GET /health: the server is there (or not). */
static void
health_done(struct api_result *r, void *arg)
{
    struct app *app = arg;

    if (r->cancelled)
        return;
    if (r->code == HL_OK || r->status != 0)
        conn_from_api(app);
}

void
app_show_login(struct app *app, const char *note)
{
    if (app->api == NULL) {
        app_message(app, APP_MSG_WARN, "%s",
                    _("No server is configured: start hotline with --server URL."));
        return;
    }
    if (!app->login_open) {
        login_init(&app->login, app->cfg.server_url,
                   app->session.user_id != NULL ? app->session.user_id : app->cfg.user_id);
        app->login_open = true;
    }
    login_set_note(&app->login, note);
    app_mark_dirty(app, APP_DIRTY_BODY | APP_DIRTY_FOOTER);
}

/* Close the sign-in form. */
static void
close_login(struct app *app)
{
    if (!app->login_open)
        return;
    login_fini(&app->login);
    app->login_open = false;
    app->cursor.win = NULL;
    app_mark_dirty(app, APP_DIRTY_BODY | APP_DIRTY_FOOTER);
}

/* Keep the new session in the token file (mode 0600). */
static void
save_session(struct app *app, const struct api_session *s)
{
    struct session_info info;
    char *role;
    struct err e;

    if (app->token_path == NULL)
        return;
    role = xstrdup(user_role_str(s->user.role));
    memset(&info, 0, sizeof info);
    info.token = s->token;
    info.server = app->cfg.server_url;
    info.user = s->user.id;
    info.role = role;
    info.unit = s->user.unit;
    info.name = s->user.name;
    info.expires_at = s->expires_at;
    err_clear(&e);
    if (session_save(app->token_path, &info, &e) != HL_OK)
        app_message(app, APP_MSG_WARN, _("signed in, but the token is not kept: %s"), e.msg);
    free(role);
}

/* Answer of POST /session from the sign-in form. */
static void
login_done(struct api_result *r, void *arg)
{
    struct app *app = arg;
    char msg[400];

    if (r->cancelled)
        return;
    app->login_call = 0;
    if (!app->login_open)
        return;
    app->login.busy = false;
    app_mark_dirty(app, APP_DIRTY_BODY);
    if (r->code != HL_OK) {
        if (r->status == 429)
            snprintf(msg, sizeof msg,
                     _("Too many attempts: wait %ld seconds, then try again."),
                     r->retry_after > 0 ? r->retry_after : 60L);
        else if (r->status == 401)
            snprintf(msg, sizeof msg, _("Wrong user id or password (%s)."), r->err.msg);
        else if (r->offline)
            snprintf(msg, sizeof msg, _("The server does not answer: %s"), r->err.msg);
        else
            snprintf(msg, sizeof msg, _("Cannot sign in: %s"), r->err.msg);
        login_set_error(&app->login, msg);
        app_message(app, APP_MSG_ERROR, "%s", msg);
        return;
    }
    app->session_unverified = false;
    save_session(app, &r->session);
    session_take_user(app, r->session.user.id, r->session.user.name, r->session.user.role,
                      r->session.user.unit, r->session.expires_at);
    close_login(app);
    conn_from_api(app);
    app_message(app, APP_MSG_INFO, _("signed in as %s"), app->session.user_id);
    load_cached_meta(app);
    session_started(app);
}

/* Send the form's user id and password. */
static void
submit_login(struct app *app)
{
    struct err e;

    err_clear(&e);
    login_set_error(&app->login, NULL);
    app->login_call = api_login(app->api, login_user(&app->login), login_password(&app->login),
                                login_done, app, &e);
    login_clear_password(&app->login);
    if (app->login_call == 0) {
        login_set_error(&app->login, e.msg);
        return;
    }
    app->login.busy = true;
}

/* A key for the sign-in form. */
static void
login_key_event(struct app *app, const struct key_event *ev)
{
    switch (login_key(&app->login, ev)) {
    case LOGIN_SUBMIT:
        submit_login(app);
        break;
    case LOGIN_DISMISS:
        close_login(app);
        if (!app->session.known)
            app_message(app, APP_MSG_WARN, "%s",
                        _("not signed in: the tabs show the local cache; :login signs in"));
        break;
    case LOGIN_QUIT:
        close_login(app);
        app_request_quit(app);
        break;
    default:
        break;
    }
    app_mark_dirty(app, APP_DIRTY_BODY);
}

/* Sign in (again). */
static void
cmd_login(struct app *app, const char *args)
{
    (void)args;
    app_show_login(app, NULL);
}

/* The version in a ticket's JSON text (an outbox entry's "theirs"), -1 when unknown. */
static int64_t
version_of(const char *json)
{
    struct ticket *t;
    struct err e;
    cJSON *doc;
    int64_t v = -1;

    if (json == NULL)
        return -1;
    doc = codec_parse(json, strlen(json), &e);
    t = doc != NULL ? codec_ticket_decode(doc, &e) : NULL;
    if (t != NULL)
        v = t->version;
    ticket_free(&t);
    cJSON_Delete(doc);
    return v;
}

/* The outbox: say what waits; "retry", "theirs" or "drop" settles the oldest held entry. */
static void
cmd_outbox(struct app *app, const char *args)
{
    struct outbox_entries l = {0};
    const struct outbox_entry *held = NULL;
    struct err e;
    int rc = HL_OK;

    if (app->outbox == NULL) {
        app_message(app, APP_MSG_WARN, "%s", _("there is no outbox"));
        return;
    }
    err_clear(&e);
    if (outbox_list(app->outbox, false, &l, &e) != HL_OK) {
        app_message(app, APP_MSG_ERROR, "%s", e.msg);
        return;
    }
    for (size_t i = 0; i < l.n && held == NULL; i++) {
        if (l.v[i].state == OUTBOX_CONFLICT || l.v[i].state == OUTBOX_FAILED)
            held = &l.v[i];
    }
    if (held == NULL) {
        app_message(app, APP_MSG_INFO, _("outbox: %zu waiting, none held"), l.n);
    } else if (str_empty(args)) {
        app_message(app, APP_MSG_WARN, _("outbox: %s %s %s was refused (%s): :outbox retry, "
                                         "theirs or drop"),
                    outbox_kind_str(held->kind), held->action != NULL ? held->action : "",
                    held->ticket_id, held->last_error != NULL ? held->last_error : "?");
    } else if (strcmp(args, "retry") == 0) {
        rc = outbox_retry_mine(app->outbox, held->seq, version_of(held->theirs),
                               (hl_time)(loop_wall_ms() / 1000), &e);
    } else if (strcmp(args, "theirs") == 0) {
        rc = outbox_keep_theirs(app->outbox, held->seq, version_of(held->theirs),
                                (hl_time)(loop_wall_ms() / 1000), &e);
    } else if (strcmp(args, "drop") == 0) {
        rc = outbox_drop(app->outbox, held->seq, (hl_time)(loop_wall_ms() / 1000), &e);
    } else {
        app_message(app, APP_MSG_ERROR, "%s", _("outbox: give retry, theirs or drop"));
    }
    if (rc != HL_OK)
        app_message(app, APP_MSG_ERROR, "%s", e.msg);
    else if (held != NULL && !str_empty(args))
        app_message(app, APP_MSG_INFO, _("outbox: %s"), args);
    outbox_entries_fini(&l);
    if (app->api != NULL)
        api_outbox_kick(app->api);
    app_outbox_changed(app);
}

/* The holiday calendar for rules_check: $HOTLINE_DATA, the source tree, the installed data. */
static void
load_calendar(struct app *app)
{
    const char *env = getenv("HOTLINE_DATA");
    char *paths[3];
    size_t n = 0;

    if (!str_empty(env))
        paths[n++] = xasprintf("%s/holidays-cn.json", env);
    if (util_running_from_build_tree())
        paths[n++] = xstrdup(HOTLINE_SOURCE_DIR "/data/holidays-cn.json");
    paths[n++] = xstrdup(HOTLINE_DATADIR "/holidays-cn.json");
    for (size_t i = 0; i < n; i++) {
        struct err e;

        err_clear(&e);
        if (app->cal == NULL)
            app->cal = calendar_load(paths[i], &e);
        free(paths[i]);
    }
}

/* The session stored by an earlier sign-in (--token-file, $HOTLINE_TOKEN, the default file).
 * A token for another server is not used. */
static void
load_stored_session(struct app *app)
{
    struct session_info info;
    enum user_role role = USER_AGENT;
    struct err e;

    err_clear(&e);
    if (session_resolve(app->cfg.token_file, &info, &e) != HL_OK) {
        if (e.code != HL_ENOENT)
            app_message(app, APP_MSG_WARN, "%s", e.msg);
        return;
    }
    if (app->cfg.server_url == NULL && info.server != NULL)
        app->cfg.server_url = xstrdup(info.server);
    if (info.server != NULL && app->cfg.server_url != NULL &&
        strcmp(info.server, app->cfg.server_url) != 0) {
        LOG_INFO(&app->log, "the stored token is for %s, not %s: not used", info.server,
                 app->cfg.server_url);
        goto out;
    }
    if (info.user != NULL && app->cfg.user_id != NULL && strcmp(info.user, app->cfg.user_id) != 0)
        goto out;    /* --user names someone else: sign in as them */
    if (info.expires_at != 0 && info.expires_at <= (hl_time)(loop_wall_ms() / 1000))
        goto out;    /* expired: straight to the sign-in form */
    if (info.role == NULL || !user_role_parse(info.role, &role) ||
        (role == USER_UNIT && str_empty(info.unit)))
        app->session_unverified = true;    /* $HOTLINE_TOKEN or a bare file: ask the server */
    app->pending_token = xstrdup(info.token);
    session_take_user(app, info.user != NULL ? info.user : app->cfg.user_id, info.name, role,
                      info.unit, info.expires_at);
out:
    session_info_fini(&info);
}

/* Open what talks to the server: net, api, cache, outbox, the stored session. Problems are
 * messages: the console still runs (from the cache, or as a bare screen). */
static void
backend_init(struct app *app)
{
    struct net_opts nopts;
    struct api_opts aopts;
    struct loop_source src;
    struct cache_opts copts;
    struct err e;
    char *path;

    app->net_source = -1;
    load_calendar(app);
    load_stored_session(app);
    if (app->cfg.server_url == NULL)
        return;
    app->conn = APP_CONN_CONNECTING;
    memset(&nopts, 0, sizeof nopts);
    nopts.insecure = app->cfg.insecure;
    nopts.cacert = app->cfg.cacert;
    nopts.user_agent = "hotline/" HOTLINE_VERSION;
    err_clear(&e);
    app->net = net_new(&nopts, &e);
    if (app->net == NULL) {
        app->conn = APP_CONN_ERROR;
        free(app->conn_detail);
        app->conn_detail = xstrdup(e.msg);
        app_message(app, APP_MSG_ERROR, _("cannot use the network: %s"), e.msg);
        return;
    }
    net_loop_source(app->net, &src);
    app->net_source = loop_add_source(app->loop, &src);
    memset(&aopts, 0, sizeof aopts);
    aopts.base_url = app->cfg.server_url;
    aopts.tz = app->tz;
    app->api = api_new(app->net, loop_timers(app->loop), &aopts, on_api_event, app, &e);
    if (app->api == NULL) {
        app->conn = APP_CONN_ERROR;
        free(app->conn_detail);
        app->conn_detail = xstrdup(e.msg);
        app_message(app, APP_MSG_ERROR, "%s", e.msg);
        return;
    }
    err_clear(&e);
    path = cache_default_path(&e);
    if (path != NULL) {
        memset(&copts, 0, sizeof copts);
        copts.max_tickets = (size_t)app->cfg.max_tickets;
        copts.user = app->session.user_id;
        copts.unit = app->session.unit;
        app->cache = cache_open(path, &copts, &e);
        free(path);
    }
    if (app->cache == NULL)
        app_message(app, APP_MSG_WARN, _("no local cache: %s"), e.msg);
    else if (cache_notice(app->cache) != NULL)
        app_message(app, APP_MSG_WARN, "%s", cache_notice(app->cache));
    err_clear(&e);
    path = outbox_default_path(&e);
    if (path != NULL) {
        app->outbox = outbox_open(path, &e);
        free(path);
    }
    if (app->outbox == NULL)
        app_message(app, APP_MSG_ERROR, _("no outbox, changes cannot wait for the server: %s"),
                    e.msg);
    api_set_cache(app->api, app->cache);
    api_set_outbox(app->api, app->outbox);
    err_clear(&e);
    app->token_path = session_token_path(app->cfg.token_file, true, &e);
    app_outbox_changed(app);
}

/* After the views are open: paint from the cache, then ask the server. */
static void
backend_start(struct app *app)
{
    struct err e;

    if (app->api == NULL)
        return;
    err_clear(&e);
    api_health(app->api, health_done, app, &e);
    load_cached_meta(app);
    if (app->pending_token != NULL) {
        api_set_token(app->api, app->pending_token);
        free(app->pending_token);
        app->pending_token = NULL;
        session_started(app);
        verify_session(app);
    } else {
        session_clear(&app->session);
        app_show_login(app, NULL);
    }
}

/* Release the backend (the api first: its cancelled callbacks still reach the views). */
static void
backend_fini(struct app *app)
{
    api_free(&app->api);
    if (app->net_source >= 0 && app->loop != NULL)
        loop_remove_source(app->loop, app->net_source);
    app->net_source = -1;
    net_free(&app->net);
    cache_free(&app->cache);
    outbox_free(&app->outbox);
    api_meta_free(&app->meta);
    rules_free(&app->rules);
    calendar_free(&app->cal);
    if (app->login_open)
        login_fini(&app->login);
    app->login_open = false;
    session_clear(&app->session);
    free(app->token_path);
    app->token_path = NULL;
    free(app->pending_token);
    app->pending_token = NULL;
}

/* Where themes are looked up: the user's, the source tree's (from a build tree), installed. */
static void
set_theme_dirs(struct app *app)
{
    char *conf = xdg_app_dir(XDG_CONFIG, false, NULL);

    app->ntheme_dirs = 0;
    if (conf != NULL) {
        app->theme_dirs[app->ntheme_dirs++] = xasprintf("%s/themes", conf);
        free(conf);
    }
    /* A build-tree binary reads the source tree's themes before any installed ones. */
    if (util_running_from_build_tree()) {
        app->theme_dirs[app->ntheme_dirs++] = xstrdup(HOTLINE_SOURCE_DIR "/themes");
        app->theme_dirs[app->ntheme_dirs++] = xstrdup(HOTLINE_DATADIR "/themes");
    } else {
        app->theme_dirs[app->ntheme_dirs++] = xstrdup(HOTLINE_DATADIR "/themes");
    }
}

/* Open the log under $XDG_STATE_HOME/hotline; a failure is only a warning. */
static void
open_log(struct app *app)
{
    struct err e;
    char *dir;
    char *path;

    err_clear(&e);
    dir = xdg_app_dir(XDG_STATE, true, &e);
    if (dir == NULL) {
        app_message(app, APP_MSG_WARN, _("no log file: %s"), e.msg);
        return;
    }
    path = xasprintf("%s/hotline.log", dir);
    if (log_open(&app->log, path, LOG_LEVEL_INFO) < 0)
        app_message(app, APP_MSG_WARN, _("no log file: cannot open %s"), path);
    free(path);
    free(dir);
}

int
app_init(struct app *app, struct config *cfg, struct err *e)
{
    struct loop_source input = {input_fds, input_dispatch, app};
    const char *no_color = getenv("NO_COLOR");
    struct err tzerr;
    int rc;

    memset(app, 0, sizeof *app);
    app->net_source = -1;
    app->cfg = *cfg;
    memset(cfg, 0, sizeof *cfg);
    log_init(&app->log);
    statusbar_init(&app->status);
    cmdline_init(&app->cmdline);
    theme_init_default(&app->theme);
    set_theme_dirs(app);
    app->conn = app->cfg.server_url != NULL ? APP_CONN_OFFLINE : APP_CONN_NONE;
    open_log(app);
    LOG_INFO(&app->log, "hotline %s starting", HOTLINE_VERSION);
    err_clear(&tzerr);
    app->tz = tz_load(app->cfg.timezone, &tzerr);
    if (app->tz == NULL) {
        app_message(app, APP_MSG_WARN, _("time zone %s: %s; the clock shows UTC+8"),
                    app->cfg.timezone, tzerr.msg);
        app->tz = tz_fixed("UTC+8", 8 * 3600);
    }
    /* Signals first, so curses leaves SIGWINCH, SIGTSTP and SIGINT to the loop. */
    app->loop = loop_new(on_signals, app, e);
    if (app->loop == NULL)
        return HL_EIO;
    if (app->status.msg != NULL)    /* said before there was a loop to time it */
        app->msg_timer = loop_after(app->loop, message_ms[APP_MSG_WARN], message_expired, app);
    rc = term_start(&app->term, no_color != NULL && no_color[0] != '\0', e);
    if (rc != HL_OK)
        return rc;
    loop_add_source(app->loop, &input);
    backend_init(app);
    for (size_t i = 0; i < APP_NTABS; i++) {
        struct view *v = &app->views[i];

        v->ops = tab_ops[i];
        v->priv = xcalloc(1, v->ops->priv_size > 0 ? v->ops->priv_size : 1);
        if (v->ops->open != NULL)
            v->ops->open(app, v->priv);
    }
    app_load_theme(app, app->cfg.theme);
    update_status_parts(app);
    clock_tick(app);
    backend_start(app);
    app->dirty = APP_DIRTY_ALL;
    return HL_OK;
}

int
app_run(struct app *app)
{
    while (!app->quit) {
        if (app->dirty != 0)
            app_render(app);
        if (loop_iterate(app->loop) < 0) {
            LOG_ERR(&app->log, "waiting for input failed: quitting");
            app->exit_code = 1;
            break;
        }
    }
    LOG_INFO(&app->log, "hotline quitting");
    return app->exit_code;
}

void
app_fini(struct app *app)
{
    backend_fini(app);
    for (size_t i = 0; i < APP_NTABS; i++) {
        struct view *v = &app->views[i];

        if (v->ops != NULL && v->ops->close != NULL)
            v->ops->close(app, v->priv);
        free(v->priv);
        v->priv = NULL;
    }
    if (app->overlay == APP_OVERLAY_DIALOG)
        dialog_fini(&app->dialog);
    free_windows(app);
    term_stop(&app->term);
    loop_free(&app->loop);
    cmdline_fini(&app->cmdline);
    statusbar_fini(&app->status);
    for (size_t i = 0; i < app->ntheme_dirs; i++)
        free(app->theme_dirs[i]);
    theme_names_free(app->theme_names, app->ntheme_names);
    tz_free(&app->tz);
    free(app->conn_detail);
    log_fini(&app->log);
    config_fini(&app->cfg);
}
