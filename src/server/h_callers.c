/* h_callers: GET /callers/{phone}/tickets, a caller's history. */
#include <string.h>

#include "hotline/phone.h"
#include "hotline/util.h"
#include "handlers.h"
#include "hticket.h"
#include "server.h"
#include "store.h"

/* GET /api/v1/callers/{phone}/tickets: the caller's tickets, newest first. */
void
h_callers_tickets(struct server *srv, struct request *req, struct reply *rep)
{
    static const char *const names[] = { "limit", "cursor", "count" };
    const char *raw = request_param(req, "phone");
    struct ticket_query q;
    struct phone p;

    if (!hticket_known_params(req, rep, names, ARRAY_SIZE(names)))
        return;
    if (raw == NULL || strlen(raw) > 100 || phone_normalize(raw, NULL, &p) == PHONE_INVALID) {
        reply_error(rep, 400, "invalid_parameter", "phone",
                    "not a phone number: give a mobile (13812345678), a landline with its area "
                    "code (010-12345678) or a service number (95198)");
        return;
    }
    memset(&q, 0, sizeof q);
    q.nature = -1;
    q.caller_phone = p.number;
    if (!hticket_page_params(req, rep, &q))
        return;
    hticket_list_reply(srv, req, rep, &q);
}
