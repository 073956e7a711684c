/* tickets: tab 2 工单, work orders (for now its honest empty state). */
#include "i18n.h"
#include "views/views.h"

const struct view_ops tickets_view_ops = {
    .name = N_("Tickets"),
    .title = N_("Tickets: work orders"),
    .about = N_("Queues and filters of work orders, each with its timeline and every workflow "
                "action (dispatch, reply, extension, urge, callback, close) with the rule "
                "behind it."),
    .draw = empty_view_draw,
};
