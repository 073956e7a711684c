/* callbacks: tab 4 回访, the callback queue (for now its honest empty state). */
#include "i18n.h"
#include "views/views.h"

const struct view_ops callbacks_view_ops = {
    .name = N_("Callbacks"),
    .title = N_("Callbacks: the due list"),
    .about = N_("Callbacks due after a unit's reply: schedule them, record each attempt and "
                "the caller's satisfaction."),
    .draw = empty_view_draw,
};
