/* h_callbacks: GET /callbacks, the callback queue. */
#include <stdint.h>
#include <string.h>

#include "hotline/util.h"
#include "handlers.h"
#include "hticket.h"
#include "server.h"
#include "store.h"

/* GET /api/v1/callbacks?due_before=&agent=: tickets owing a callback, soonest first. */
void
h_callbacks_list(struct server *srv, struct request *req, struct reply *rep)
{
    static const char *const names[] = { "due_before", "agent", "limit", "cursor", "count" };
    struct ticket_query q;
    const char *agent;
    size_t i;

    if (!hticket_require_role(req, rep, HTICKET_CENTRE) ||
        !hticket_known_params(req, rep, names, ARRAY_SIZE(names)))
        return;
    memset(&q, 0, sizeof q);
    q.nature = -1;
    q.status_mask = (1u << STATUS_REPLIED) | (1u << STATUS_CALLBACK);
    q.order = "callback_due";
    if (!hticket_time_param(req, rep, "due_before", &q.callback_due_before))
        return;
    if (q.callback_due_before == 0)
        q.callback_due_before = INT64_MAX;   /* any set callback_due_at */
    agent = request_query(req, "agent");
    if (agent != NULL) {
        bool ok = agent[0] != '\0' && strlen(agent) <= 100;

        for (i = 0; ok && agent[i] != '\0'; i++)
            ok = (unsigned char)agent[i] >= 0x20 && agent[i] != 0x7f;
        if (!ok) {
            reply_error(rep, 400, "invalid_parameter", "agent",
                        "agent must be a user id (at most 100 characters)");
            return;
        }
        q.created_by = agent;
    }
    if (!hticket_page_params(req, rep, &q))
        return;
    hticket_list_reply(srv, req, rep, &q);
}
