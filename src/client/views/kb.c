/* kb: tab 3 知识库, the knowledge base (for now its honest empty state). */
#include "i18n.h"
#include "views/views.h"

const struct view_ops kb_view_ops = {
    .name = N_("Knowledge base"),
    .title = N_("Knowledge base: articles and notices"),
    .about = N_("Search articles as you type and filter them by kind and scope; emergency "
                "notices stay pinned on top."),
    .draw = empty_view_draw,
};
