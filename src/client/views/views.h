/* views: the console's tabs, in tab order (app.c registers them in a const table). */
#pragma once

#include <curses.h>

#include "ui/layout.h"
#include "view.h"

struct app;

/* 1 受理 Intake: caller phone first, history, nature, category, description. */
extern const struct view_ops intake_view_ops;
/* 2 工单 Tickets: queues and filters, detail with timeline, workflow actions. */
extern const struct view_ops tickets_view_ops;
/* 3 知识库 Knowledge base: search as you type, filters, pinned notices. */
extern const struct view_ops kb_view_ops;
/* 4 回访 Callbacks: the due list, schedule, attempts and satisfaction. */
extern const struct view_ops callbacks_view_ops;

/* Draw a view's honest empty state: its title, what it is for, and why it shows nothing
 * (the connection state). The view is the app's active one. */
void empty_view_draw(struct app *app, void *priv, WINDOW *w, const struct rect *r);
