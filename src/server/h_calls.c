/* h_calls: the phone system: POST /api/v1/calls (call events, screen pop through the feed)
 * and POST /api/v1/calls/import (call records as NDJSON or a JSON array). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "hotline/codec.h"
#include "hotline/util.h"
#include "handlers.h"
#include "log.h"
#include "server.h"
#include "store.h"

/* Most errors listed in an import answer; the rest are counted in errors_omitted. */
#define IMPORT_ERRORS_MAX 1000

/* Refuse everyone but admins (the phone system signs in as one); true when refused.
 * (Agents may send call events for themselves: see refuse_foreign_agent.) */
static bool
refuse_non_admin(const struct request *req, struct reply *rep)
{
    if (req->user.role == USER_ADMIN)
        return false;
    reply_error(rep, 403, "forbidden_role", NULL,
                "A %s user may not send call data: it is for the phone system's admin account.",
                user_role_str(req->user.role));
    return true;
}

/* Answer a store failure (500). */
static void
reply_store_error(struct reply *rep, const struct err *e)
{
    reply_error(rep, 500, "io", NULL, "%s", e->msg[0] != '\0' ? e->msg : "the database failed");
}

/* Refuse an event an agent sends for someone else (or for no one); true when refused. */
static bool
refuse_foreign_agent(const struct request *req, const struct call_event *ev,
                     struct reply *rep)
{
    if (req->user.role == USER_ADMIN)
        return false;
    if (!str_empty(ev->agent) && req->user.id != NULL && strcmp(ev->agent, req->user.id) == 0)
        return false;
    reply_error(rep, 403, "forbidden_role", NULL,
                "An agent may only record its own calls: send \"agent\":\"%s\" in the event.",
                req->user.id != NULL ? req->user.id : "");
    return true;
}

/* POST /api/v1/calls: record a call event; an answer by an agent pops that agent's intake
 * (not when the agent's own console records it: it has the call open already). */
void
h_calls_event(struct server *srv, struct request *req, struct reply *rep)
{
    struct call_event ev;
    struct feed_event fe;
    char type[] = "call.answer";
    cJSON *root;
    struct err e;
    int64_t seq = 0;

    memset(&ev, 0, sizeof ev);
    if (req->user.role != USER_AGENT && refuse_non_admin(req, rep))
        return;
    if (req->body.buf == NULL || req->body.len == 0) {
        reply_error(rep, 400, "malformed_json", NULL,
                    "the request body is empty: send a call event as JSON");
        return;
    }
    err_clear(&e);
    root = codec_parse(req->body.buf, req->body.len, &e);
    if (root == NULL) {
        reply_error(rep, 400, "malformed_json", NULL, "%s", e.msg);
        return;
    }
    if (codec_call_event_decode(root, &ev, &e) != HL_OK) {
        reply_error(rep, 422, "invalid", e.field[0] != '\0' ? e.field : NULL, "%s", e.msg);
        goto out;
    }
    if (refuse_foreign_agent(req, &ev, rep))
        goto out;
    if (srv->store->ops->call_event_add(srv->store, &ev, &e) != HL_OK) {
        reply_store_error(rep, &e);
        goto out;
    }
    if (ev.type == CALL_ANSWER && !str_empty(ev.agent) && req->user.role == USER_ADMIN) {
        memset(&fe, 0, sizeof fe);
        fe.type = type;
        fe.agent = ev.agent;
        fe.phone = ev.caller;
        fe.at = ev.at;
        if (srv->store->ops->feed_add(srv->store, &fe, &seq, &e) != HL_OK) {
            /* the call is recorded; without the feed row the agent types the number */
            log_msg(srv->log, "calls", "call %s: the screen pop for %s failed: %s", ev.call_id,
                    ev.agent, e.msg);
            reply_store_error(rep, &e);
            goto out;
        }
        server_publish(srv, seq);
    }
    rep->status = 204;
out:
    call_event_fini(&ev);
    cJSON_Delete(root);
}

/* What an import collects: the good records and the errors. */
struct import {
    struct call_record *recs;
    size_t n, cap;
    cJSON *errors;
    size_t n_errors;
};

/* Note a bad record at line (or position) line. */
static void
import_error(struct import *im, size_t line, const char *msg)
{
    cJSON *o;

    im->n_errors++;
    if (im->n_errors > IMPORT_ERRORS_MAX)
        return;
    o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "line", (double)line);
    cJSON_AddStringToObject(o, "message", msg);
    cJSON_AddItemToArray(im->errors, o);
}

/* Decode one record (a parsed JSON value) and keep it, or note its error. */
static void
import_value(struct import *im, const cJSON *v, size_t line)
{
    struct call_record r;
    struct err e;

    err_clear(&e);
    if (codec_call_record_decode(v, &r, &e) != HL_OK) {
        import_error(im, line, e.msg);
        return;
    }
    if (im->n == im->cap) {
        im->cap = im->cap != 0 ? im->cap * 2 : 64;
        im->recs = xrealloc(im->recs, im->cap * sizeof *im->recs);
    }
    im->recs[im->n++] = r;
}

/* Split an NDJSON body into lines (LF or CRLF; blank lines skipped) and decode each. */
static void
import_ndjson(struct import *im, const char *buf, size_t len)
{
    size_t pos = 0, line = 0;

    while (pos < len) {
        const char *start = buf + pos;
        const char *nl = memchr(start, '\n', len - pos);
        size_t n = nl != NULL ? (size_t)(nl - start) : len - pos;
        size_t k = 0, end = n;
        struct err e;
        cJSON *v;

        line++;
        pos += n + (nl != NULL ? 1 : 0);
        while (end > 0 && (start[end - 1] == '\r' || start[end - 1] == ' ' ||
                           start[end - 1] == '\t'))
            end--;
        while (k < end && (start[k] == ' ' || start[k] == '\t'))
            k++;
        if (k == end)
            continue;
        err_clear(&e);
        v = codec_parse(start + k, end - k, &e);
        if (v == NULL) {
            char msg[300];

            snprintf(msg, sizeof msg, "not a JSON object: %s", e.msg);
            import_error(im, line, msg);
            continue;
        }
        import_value(im, v, line);
        cJSON_Delete(v);
    }
}

/* POST /api/v1/calls/import: whole call records, inserted or replaced by call_id; good
 * records are kept, bad ones reported. */
void
h_calls_import(struct server *srv, struct request *req, struct reply *rep)
{
    struct import im;
    cJSON *root = NULL;
    cJSON *out;
    const cJSON *v;
    struct err e;
    size_t i;
    int added = 0;

    memset(&im, 0, sizeof im);
    if (refuse_non_admin(req, rep))
        return;
    im.errors = cJSON_CreateArray();
    err_clear(&e);
    if (request_content_type_is_ndjson(req->headers.content_type)) {
        if (req->body.buf != NULL)
            import_ndjson(&im, req->body.buf, req->body.len);
    } else {
        if (req->body.buf == NULL || req->body.len == 0) {
            reply_error(rep, 400, "malformed_json", NULL,
                        "the request body is empty: send a JSON array of call records, or "
                        "NDJSON (Content-Type: application/x-ndjson)");
            goto out;
        }
        root = codec_parse(req->body.buf, req->body.len, &e);
        if (root == NULL) {
            reply_error(rep, 400, "malformed_json", NULL, "%s", e.msg);
            goto out;
        }
        if (!cJSON_IsArray(root)) {
            reply_error(rep, 422, "invalid", NULL,
                        "expected a JSON array of call records (or send NDJSON with "
                        "Content-Type: application/x-ndjson)");
            goto out;
        }
        i = 0;
        cJSON_ArrayForEach(v, root)
            import_value(&im, v, ++i);
    }
    if (im.n > 0 &&
        srv->store->ops->call_records_add(srv->store, im.recs, im.n, &added, &e) != HL_OK) {
        reply_store_error(rep, &e);
        goto out;
    }
    out = cJSON_CreateObject();
    cJSON_AddNumberToObject(out, "added", added);
    cJSON_AddItemToObject(out, "errors", im.errors);
    im.errors = NULL;
    if (im.n_errors > IMPORT_ERRORS_MAX)
        cJSON_AddNumberToObject(out, "errors_omitted", (double)(im.n_errors - IMPORT_ERRORS_MAX));
    reply_json(rep, 200, out);
out:
    for (i = 0; i < im.n; i++)
        call_record_fini(&im.recs[i]);
    free(im.recs);
    cJSON_Delete(im.errors);
    cJSON_Delete(root);
}
