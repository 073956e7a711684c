/* h_health: GET /api/v1/health, the liveness probe (no authentication). */
#include <time.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "hotline/calendar.h"
#include "handlers.h"
#include "server.h"

/* GET /api/v1/health: liveness, version, store kind, profile, zone, calendar, time. */
void
h_health_get(struct server *srv, struct request *req, struct reply *rep)
{
    cJSON *root = cJSON_CreateObject();
    char now[40];

    (void)req;
    server_format_time(srv, (hl_time)time(NULL), now, sizeof now);
    cJSON_AddStringToObject(root, "status", "ok");
    cJSON_AddStringToObject(root, "version", HOTLINE_VERSION);
    cJSON_AddStringToObject(root, "store", srv->cfg.store_kind);
    cJSON_AddStringToObject(root, "profile", srv->cfg.profile);
    cJSON_AddStringToObject(root, "tz", srv->cfg.tz_name);
    cJSON_AddStringToObject(root, "calendar", calendar_version(srv->calendar));
    cJSON_AddStringToObject(root, "time", now);
    reply_json(rep, 200, root);
}
