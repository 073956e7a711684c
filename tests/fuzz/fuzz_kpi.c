/* fuzz_kpi: kpi_defs_parse on the bytes, then kpi_compute with several sets of counts. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "hotline/kpi.h"
#include "hotline/text.h"
#include "hotline/util.h"

/* Counts of a plausible month (every subset within its set). */
static void
typical(struct kpi_counts *c)
{
    memset(c, 0, sizeof *c);
    c->calls_offered = 1000;
    c->calls_answered = 950;
    c->calls_answered_15s = 900;
    c->wait_seconds_total = 7600;
    c->wait_samples = 950;
    c->calls_resolved = 400;
    c->requests_total = 1200;
    c->complaints_verified = 3;
    c->complaints_severe = 1;
    c->praise_verified = 5;
    c->praise_exceptional = 2;
    c->dispatch_due = 600;
    c->dispatched_same_day = 580;
    c->dispatched_2wd = 599;
    c->work_orders = 600;
    c->work_orders_resolved = 590;
    c->work_orders_resolved_2wd = 500;
    c->returned = 20;
    c->redo = 10;
    c->replies_due = 600;
    c->replies_on_time = 590;
    c->callbacks_due = 500;
    c->unreachable = 20;
    c->confidential_excluded = 10;
    c->callbacks_done_3d = 450;
    c->replies_confirmed = 460;
    c->satisfied = 400;
    c->basic = 50;
    c->dissatisfied = 10;
    c->sms_received = 100;
    c->sms_invalid = 10;
    c->sms_replied_same_day = 85;
}

/* Check the results of one computation. */
static void
check_results(const struct kpi_defs *d, const struct kpi_results *r, bool utf8_in)
{
    struct kpi_score score;
    cJSON *j;
    char *text;
    size_t i;

    FUZZ_CHECK(r != NULL, "kpi_compute returned NULL");
    FUZZ_CHECK(r->n == kpi_defs_count(d), "%zu results for %zu definitions", r->n,
               kpi_defs_count(d));
    for (i = 0; i < r->n; i++) {
        const struct kpi_result *k = &r->v[i];

        FUZZ_CHECK(k->def == kpi_defs_at(d, i), "result %zu is not definition %zu", i, i);
        FUZZ_CHECK(isfinite(k->value), "%s: value is not finite", k->def->id);
        FUZZ_CHECK(k->status == KPI_OK || k->value == 0.0, "%s: value %g without status ok",
                   k->def->id, k->value);
        FUZZ_CHECK(!k->has_points || (isfinite(k->points) && isfinite(k->max_points)),
                   "%s: points not finite", k->def->id);
        FUZZ_CHECK(!k->has_target || isfinite(k->target_value) || isinf(k->target_value),
                   "%s: target NaN", k->def->id);
        FUZZ_CHECK(k->status == KPI_OK || k->reason != NULL,
                   "%s: status %d without a reason", k->def->id, (int)k->status);
        FUZZ_CHECK(kpi_results_find(r, k->def->id) != NULL, "%s: not found by id", k->def->id);
    }
    kpi_db51_score(r, &score);
    FUZZ_CHECK(isfinite(score.total) && isfinite(score.max_total), "score not finite");
    j = kpi_results_to_json(r);
    FUZZ_CHECK(j != NULL, "kpi_results_to_json returned NULL");
    text = cJSON_PrintUnformatted(j);
    FUZZ_CHECK(text != NULL, "results JSON");
    /* Names come from the file: UTF-8 in, UTF-8 out. */
    FUZZ_CHECK(!utf8_in || text_utf8_valid(text, strlen(text)), "results JSON not UTF-8");
    free(text);
    cJSON_Delete(j);
    j = kpi_score_to_json(&score);
    FUZZ_CHECK(j != NULL, "kpi_score_to_json returned NULL");
    text = cJSON_PrintUnformatted(j);
    FUZZ_CHECK(text != NULL, "score JSON");
    free(text);
    cJSON_Delete(j);
}

/* One input: a KPI definitions document. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct kpi_defs *d;
    struct kpi_counts sets[5];
    struct kpi_opts opts[3] = {
        { false, 0.0 }, { true, 95.0 }, { true, 0.0 },
    };
    uint64_t rng = fuzz_hash(data, size);
    bool utf8_in = text_utf8_valid((const char *)data, size);
    struct err e;
    size_t i, k, nf = kpi_counts_field_count();

    err_clear(&e);
    d = kpi_defs_parse((const char *)data, size, &e);
    if (d == NULL) {
        FUZZ_CHECK(e.code != HL_OK && e.msg[0] != '\0', "kpi_defs_parse failed without error");
        FUZZ_CHECK(!text_utf8_valid((const char *)data, size)
                   || text_utf8_valid(e.msg, strlen(e.msg)), "kpi error message not UTF-8");
        return 0;
    }
    for (i = 0; i < kpi_defs_count(d); i++) {
        const struct kpi_def *def = kpi_defs_at(d, i);

        FUZZ_CHECK(def != NULL && def->id != NULL && def->id[0] != '\0', "definition %zu", i);
        FUZZ_CHECK(kpi_defs_find(d, def->id) == def, "ids not unique: %s", def->id);
        FUZZ_CHECK(def->name_zh != NULL && def->unit != NULL && def->clause != NULL,
                   "%s: NULL string", def->id);
    }
    FUZZ_CHECK(kpi_defs_at(d, kpi_defs_count(d)) == NULL, "definition past the count");

    memset(&sets[0], 0, sizeof sets[0]);                    /* nothing measured */
    typical(&sets[1]);
    memset(&sets[2], 0xff, sizeof sets[2]);                  /* every count UINT64_MAX */
    typical(&sets[3]);                                       /* subsets larger than sets */
    sets[3].calls_answered = 5000;
    sets[3].satisfied = 9000;
    sets[3].work_orders_resolved = UINT64_MAX;
    memset(&sets[4], 0, sizeof sets[4]);                     /* derived from the input */
    for (k = 0; k < nf; k++) {
        uint64_t v = fuzz_next(&rng);

        kpi_counts_set(&sets[4], kpi_counts_field_name(k), (v & 1) ? v % 2000 : v >> (v % 64));
    }
    for (i = 0; i < ARRAY_SIZE(sets); i++) {
        for (k = 0; k < ARRAY_SIZE(opts); k++) {
            struct kpi_results *r = kpi_compute(d, &sets[i], k == 0 ? NULL : &opts[k]);

            check_results(d, r, utf8_in);
            kpi_results_free(&r);
            FUZZ_CHECK(r == NULL, "kpi_results_free did not NULL the pointer");
        }
    }
    kpi_defs_free(&d);
    return 0;
}
