/* h_actions: POST /tickets/{id}/{action}, the 14 workflow actions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "hotline/codec.h"
#include "hotline/rules.h"
#include "hotline/util.h"
#include "handlers.h"
#include "hticket.h"
#include "server.h"
#include "store.h"
#include "workflow.h"

/* What the action callback needs and what it found. */
struct action_arg {
    struct server *srv;
    const struct request *req;
    const struct action_body *body;
    const struct rule_actor *who;
    hl_time now;
    struct verdict v;
    bool hidden;                /* a unit user asked about a ticket it may not see */
};

/* Mutate callback: check visibility, then workflow_apply. */
static int
apply_action(struct ticket *t, void *arg, struct err *e)
{
    struct action_arg *aa = arg;

    if (!hticket_visible(aa->req, t)) {
        aa->hidden = true;
        return err_set(e, HL_ENOENT, "", "no ticket %s", t->id != NULL ? t->id : "");
    }
    return workflow_apply(&aa->srv->wf, t, aa->body, aa->who, aa->now, &aa->v, e);
}

/* For dispatch: every unit named must exist; false with a 422 naming units[i].unit. */
static bool
units_exist(struct server *srv, const struct action_body *b, struct reply *rep)
{
    struct store *st = srv->store;
    size_t i;

    for (i = 0; i < b->n_units; i++) {
        struct unit u;
        struct err e;
        char field[40];

        memset(&u, 0, sizeof u);
        err_clear(&e);
        if (st->ops->unit_get(st, b->units[i].unit, &u, &e) == HL_OK) {
            unit_fini(&u);
            continue;
        }
        if (e.code != HL_ENOENT) {
            hticket_reply_err(srv, rep, &e, NULL);
            return false;
        }
        snprintf(field, sizeof field, "units[%zu].unit", i);
        reply_error(rep, 422, "invalid", field,
                    "%s: there is no unit '%.100s'; GET /api/v1/meta lists the units", field,
                    b->units[i].unit);
        return false;
    }
    return true;
}

/* POST /api/v1/tickets/{id}/{action}: one workflow action. */
void
h_actions_post(struct server *srv, struct request *req, struct reply *rep)
{
    const char *name = request_param(req, "action");
    const char *id;
    struct action_body b;
    struct action_arg aa;
    struct rule_actor who;
    struct ticket *out = NULL;
    struct err e;
    enum action a;
    cJSON *json = NULL;
    int64_t version = 0, seq = 0;

    memset(&b, 0, sizeof b);
    memset(&aa, 0, sizeof aa);
    if (name == NULL || !action_parse(name, &a)) {
        reply_error(rep, 404, "not_found", NULL,
                    "no action '%.64s': the actions are resolve_direct, dispatch, accept, "
                    "return, reply, request_extension, decide_extension, urge, supervise, "
                    "schedule_callback, callback, close, reopen, archive",
                    name != NULL ? name : "");
        return;
    }
    id = hticket_path_id(req, rep);
    if (id == NULL)
        return;
    if (!hticket_known_params(req, rep, NULL, 0))
        return;
    if (hticket_if_match(req, rep, &version) < 0)
        return;
    err_clear(&e);
    if (req->body.len > 0) {
        json = codec_parse(req->body.buf, req->body.len, &e);
        if (json == NULL) {
            reply_error(rep, 400, "malformed_json", NULL, "%s", e.msg);
            return;
        }
    }
    if (codec_action_decode(a, json, &b, &e) != HL_OK) {
        reply_error(rep, 422, "invalid", str_empty(e.field) ? NULL : e.field, "%s", e.msg);
        goto out;
    }
    if (a == ACTION_DISPATCH && req->user.role != USER_UNIT && !units_exist(srv, &b, rep))
        goto out;
    hticket_actor(req, &who);
    aa.srv = srv;
    aa.req = req;
    aa.body = &b;
    aa.who = &who;
    aa.now = server_now(srv);
    if (hticket_update(srv, req, id, version, action_str(a), apply_action, &aa,
                       action_str(a), &out, &seq, &e) != HL_OK) {
        if (e.code == HL_ECONFLICT && strcmp(e.field, "version") == 0)
            hticket_reply_stale(srv, req, rep, id, &e);
        else if (e.code == HL_ENOENT || aa.hidden)
            reply_error(rep, 404, "not_found", NULL, "no ticket %s", id);
        else if (e.code == HL_ERULE && aa.v.code != NULL && !aa.v.ok)
            hticket_reply_refusal(srv, rep, aa.v.kind, aa.v.code, aa.v.message, aa.v.rule,
                                  aa.v.possible_from);
        else
            hticket_reply_err(srv, rep, &e, id);
        goto out;
    }
    server_publish(srv, seq);
    hticket_reply(srv, req, rep, 200, out);
out:
    ticket_free(&out);
    codec_action_fini(&b);
    cJSON_Delete(json);
}
