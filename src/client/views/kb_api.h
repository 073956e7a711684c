/* kb_api: the knowledge base's writes (POST /kb, PATCH /kb/{id}, POST /kb/{id}/publish) for
 * supervisors, over the app's net with its token; answers come as a struct api_result.
 *
 * api.h has the reads (api_kb_search, api_kb_get) but no writes yet; these calls follow its
 * conventions exactly (id returned, callback once, also when cancelled; result freed after
 * the callback; r->article taken by setting it to NULL) so they can move into api.c as
 * api_kb_create / api_kb_patch / api_kb_publish without touching the callers. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "api.h"
#include "hotline/err.h"
#include "hotline/model.h"

struct app;

/* The JSON body of POST /kb (with_id: "id" included, null when a->id is NULL) or of
 * PATCH /kb/{id} (no id): title, kind, scope, region, category, tags, body, valid_from,
 * valid_to (null when open-ended). Caller frees. Pure. */
char *kb_api_body(const struct article *a, bool with_id);
/* The JSON body of POST /kb/{id}/publish: {"status":"review"}. Caller frees. Pure. */
char *kb_api_publish_body(enum kb_status to);
/* The status the publish key moves an article to: draft -> review -> published; false when
 * there is no next step (published). */
bool kb_api_next_status(enum kb_status from, enum kb_status *to);

/* POST /kb with a's input fields -> r->article (201). */
uint64_t kb_api_create(struct app *app, const struct article *a, api_done_fn done, void *arg,
                       struct err *e);
/* PATCH /kb/{a->id} with If-Match "<version>" -> r->article; 412: r->err says so. */
uint64_t kb_api_patch(struct app *app, const struct article *a, int64_t version,
                      api_done_fn done, void *arg, struct err *e);
/* POST /kb/{id}/publish {"status": to} (If-Match when version >= 0) -> r->article. */
uint64_t kb_api_publish(struct app *app, const char *id, enum kb_status to, int64_t version,
                        api_done_fn done, void *arg, struct err *e);
/* Cancel a write (its callback runs soon with cancelled=true). */
bool kb_api_cancel(struct app *app, uint64_t id);
