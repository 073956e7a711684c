/* h_audit: GET /audit?ticket=, who read or changed what (supervisors and admins). */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "hotline/util.h"
#include "handlers.h"
#include "hticket.h"
#include "server.h"
#include "store.h"

/* GET /api/v1/audit?ticket=&limit=&cursor=: audit rows, newest first. */
void
h_audit_list(struct server *srv, struct request *req, struct reply *rep)
{
    static const char *const names[] = { "ticket", "limit", "cursor" };
    struct store *st = srv->store;
    struct ticket_query q;
    struct audit_row *rows = NULL;
    char *next = NULL, when[48];
    const char *ticket;
    struct err e;
    cJSON *root, *items;
    size_t n = 0, i;

    if (!hticket_require_role(req, rep, HTICKET_SUPERVISOR | HTICKET_ADMIN) ||
        !hticket_known_params(req, rep, names, ARRAY_SIZE(names)))
        return;
    ticket = request_query(req, "ticket");
    if (ticket != NULL && !hticket_id_valid(ticket)) {
        reply_error(rep, 400, "invalid_parameter", "ticket",
                    "ticket must be a ticket id: HL + 8 digits + '-' + 6 digits");
        return;
    }
    memset(&q, 0, sizeof q);
    if (!hticket_page_params(req, rep, &q))
        return;
    err_clear(&e);
    if (st->ops->audit_list(st, ticket, q.limit, q.cursor, &rows, &n, &next, &e) != HL_OK) {
        if (e.code == HL_EINVAL)
            reply_error(rep, 400, "invalid_parameter", "cursor", "%s", e.msg);
        else
            hticket_reply_err(srv, rep, &e, NULL);
        return;
    }
    root = cJSON_CreateObject();
    items = cJSON_AddArrayToObject(root, "items");
    for (i = 0; i < n; i++) {
        cJSON *it = cJSON_CreateObject();

        server_format_time(srv, rows[i].at, when, sizeof when);
        cJSON_AddStringToObject(it, "at", when);
        cJSON_AddStringToObject(it, "user_id", rows[i].user_id != NULL ? rows[i].user_id : "");
        if (rows[i].ticket_id != NULL)
            cJSON_AddStringToObject(it, "ticket_id", rows[i].ticket_id);
        else
            cJSON_AddNullToObject(it, "ticket_id");
        cJSON_AddStringToObject(it, "what", rows[i].what != NULL ? rows[i].what : "");
        cJSON_AddItemToArray(items, it);
        audit_row_fini(&rows[i]);
    }
    free(rows);
    if (next != NULL)
        cJSON_AddStringToObject(root, "next_cursor", next);
    else
        cJSON_AddNullToObject(root, "next_cursor");
    free(next);
    reply_json(rep, 200, root);
}
