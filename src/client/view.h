/* view: a tab of the console is data plus a const ops table (the tig model). */
#pragma once

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

#include "keys.h"
#include "ui/layout.h"

struct app;
struct app_event;

/* What a view can do; every function but draw may be NULL. */
struct view_ops {
    const char *name;         /* N_() tab label: "Intake" (受理) */
    const char *title;        /* N_() heading inside the view */
    const char *about;        /* N_() one sentence: what the tab is for (empty states, help) */
    size_t priv_size;         /* bytes of private state, zeroed before open */
    /* Once at start, with zeroed private state. */
    void (*open)(struct app *app, void *priv);
    /* Once at exit: free what open and later calls allocated. */
    void (*close)(struct app *app, void *priv);
    /* The view became the active tab. */
    void (*enter)(struct app *app, void *priv);
    /* Draw into w inside r (window coordinates); call app_set_cursor to show the cursor. */
    void (*draw)(struct app *app, void *priv, WINDOW *w, const struct rect *r);
    /* A key for the view (ev->cmd resolved through keys, the view's map first). Return true
     * when used; false lets the app apply the global meaning. Mark dirty through the app. */
    bool (*key)(struct app *app, void *priv, const struct key_event *ev);
    /* Something happened (connection, data, language, theme): update and mark dirty. */
    void (*on_event)(struct app *app, void *priv, const struct app_event *ev);
    /* True when the view holds input that quitting would lose. */
    bool (*unsaved)(struct app *app, void *priv);
    /* The view's own keys (help overlay and footer hints); NULL = only the global keys. */
    const struct keymap *keys;
};

/* A view instance: its ops and its private state. */
struct view {
    const struct view_ops *ops;
    void *priv;
};
