/* intake: tab 1 受理, taking a call (for now its honest empty state). */
#include "i18n.h"
#include "views/views.h"

const struct view_ops intake_view_ops = {
    .name = N_("Intake"),
    .title = N_("Intake: a new call"),
    .about = N_("Take a call: the caller's phone number first, then their history, the nature "
                "and category of the matter, and its description with knowledge-base "
                "suggestions. Answer directly or create a work order."),
    .draw = empty_view_draw,
};
