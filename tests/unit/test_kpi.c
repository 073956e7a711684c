/* Unit tests of kpi: definitions loading, KPI arithmetic, pass/fail, DB51/T 2963 score. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "hotline/err.h"
#include "hotline/kpi.h"
#include "hotline/util.h"

#define EPS 1e-9

/* Path of data/kpis-cn.json (HOTLINE_DATA, else the source tree); caller owns. */
static char *
data_path(void)
{
    const char *dir = getenv("HOTLINE_DATA");

    if (dir == NULL || dir[0] == '\0')
        return xasprintf("%s/data/kpis-cn.json", HOTLINE_SOURCE_DIR);
    return xasprintf("%s/kpis-cn.json", dir);
}

/* Load the real definitions or fail the test. */
static struct kpi_defs *
load_real(void)
{
    struct err e;
    char *path = data_path();
    struct kpi_defs *d = kpi_defs_load(path, &e);

    if (d == NULL)
        fail_msg("%s", e.msg);
    free(path);
    return d;
}

/* Parse a definitions text or fail the test. */
static struct kpi_defs *
parse_ok(const char *json)
{
    struct err e;
    struct kpi_defs *d = kpi_defs_parse(json, strlen(json), &e);

    if (d == NULL)
        fail_msg("%s", e.msg);
    return d;
}

/* The result with this id, or fail. */
static const struct kpi_result *
get(const struct kpi_results *r, const char *id)
{
    const struct kpi_result *x = kpi_results_find(r, id);

    if (x == NULL)
        fail_msg("no result %s", id);
    return x;
}

/* The object with this id in a JSON array, or NULL. */
static const cJSON *
json_find(const cJSON *arr, const char *id)
{
    const cJSON *it;

    cJSON_ArrayForEach(it, arr) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(it, "id");

        if (cJSON_IsString(v) && strcmp(v->valuestring, id) == 0)
            return it;
    }
    return NULL;
}

/* Number member of a JSON object (fails when absent or not a number). */
static double
jnum(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    if (!cJSON_IsNumber(v))
        fail_msg("%s is not a number", key);
    return v->valuedouble;
}

/* String member of a JSON object (fails when absent). */
static const char *
jstr(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    if (!cJSON_IsString(v))
        fail_msg("%s is not a string", key);
    return v->valuestring;
}

/* True when o[key] is JSON null. */
static bool
jnull(const cJSON *o, const char *key)
{
    return cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(o, key));
}

/* Compute the real KPIs for c and return the results (single group). */
static struct kpi_results *
compute(const struct kpi_defs *d, const struct kpi_counts *c)
{
    return kpi_compute(d, c, NULL);
}

/* Points of one KPI for calls_offered / calls_answered style counts. */
static double
points_of(const struct kpi_defs *d, const struct kpi_counts *c, const char *id)
{
    struct kpi_results *r = compute(d, c);
    const struct kpi_result *x = get(r, id);
    double p;

    assert_int_equal(x->status, KPI_OK);
    assert_true(x->has_points);
    p = x->points;
    kpi_results_free(&r);
    return p;
}

/* The month used by several tests (hand-computed values in test_realistic_month). */
static void
realistic_month(struct kpi_counts *c)
{
    memset(c, 0, sizeof *c);
    c->calls_offered = 12000;
    c->calls_answered = 11820;
    c->calls_answered_15s = 9930;
    c->wait_seconds_total = 200940;
    c->wait_samples = 11820;
    c->calls_resolved = 10350;
    c->requests_total = 12600;
    c->complaints_verified = 4;
    c->praise_verified = 6;
    c->praise_exceptional = 1;
    c->dispatch_due = 2250;
    c->dispatched_same_day = 2100;
    c->dispatched_2wd = 2250;
    c->work_orders = 2240;
    c->work_orders_resolved = 2150;
    c->work_orders_resolved_2wd = 2016;
    c->returned = 38;
    c->redo = 90;
    c->replies_due = 2200;
    c->replies_on_time = 2110;
    c->callbacks_due = 2000;
    c->unreachable = 80;
    c->confidential_excluded = 20;
    c->callbacks_done_3d = 1840;
    c->replies_confirmed = 1880;
    c->satisfied = 1700;
    c->basic = 150;
    c->dissatisfied = 70;
    c->sms_received = 420;
    c->sms_invalid = 20;
    c->sms_replied_same_day = 400;
}

/* ---- loading ---- */

static void
test_load_real_file(void **state)
{
    struct kpi_defs *d = load_real();
    char *path = data_path();
    size_t len = 0;
    char *text = file_read_all(path, KPI_FILE_MAX, &len);
    cJSON *root, *out;
    const cJSON *kpis, *it;
    struct kpi_counts c;
    struct kpi_results *r;
    size_t n_file;

    (void)state;
    assert_non_null(text);
    root = cJSON_ParseWithLength(text, len);
    assert_non_null(root);
    kpis = cJSON_GetObjectItemCaseSensitive(root, "kpis");
    n_file = (size_t)cJSON_GetArraySize(kpis);
    assert_int_equal(n_file, 37);
    assert_int_equal(kpi_defs_count(d), n_file);
    assert_int_equal(kpi_defs_version(d), 1);

    memset(&c, 0, sizeof c);
    r = compute(d, &c);
    assert_int_equal(r->n, n_file);
    out = kpi_results_to_json(r);
    assert_int_equal(cJSON_GetArraySize(out), (int)n_file);
    cJSON_ArrayForEach(it, kpis) {
        const char *id = cJSON_GetObjectItemCaseSensitive(it, "id")->valuestring;
        const struct kpi_def *k = kpi_defs_find(d, id);
        const struct kpi_result *x = kpi_results_find(r, id);

        assert_non_null(k);
        assert_non_null(x);
        assert_non_null(json_find(out, id));
        /* The real file has no odd shapes and every id has a formula or a reason. */
        assert_null(k->problem);
        assert_true(x->reason == NULL || strstr(x->reason, "No formula") == NULL);
        assert_true(x->reason == NULL || strstr(x->reason, "unit or limit") == NULL);
    }
    assert_string_equal(kpi_defs_at(d, 0)->id, "ningxia95198.call_completion_rate");
    assert_null(kpi_defs_at(d, n_file));
    assert_null(kpi_defs_find(d, "no.such"));

    cJSON_Delete(out);
    cJSON_Delete(root);
    kpi_results_free(&r);
    assert_null(r);
    free(text);
    free(path);
    kpi_defs_free(&d);
    assert_null(d);
    kpi_defs_free(&d);
    kpi_defs_free(NULL);
    kpi_results_free(NULL);
}

static void
test_load_real_shapes(void **state)
{
    struct kpi_defs *d = load_real();
    const struct kpi_def *k;

    (void)state;
    k = kpi_defs_find(d, "db51_2963.manual_answer_rate");
    assert_string_equal(k->name_zh, "人工接通率");
    assert_string_equal(k->unit, "percent");
    assert_int_equal(k->threshold_kind, KPI_THR_SIMPLE);
    assert_int_equal(k->threshold.op, KPI_OP_GE);
    assert_float_equal(k->threshold.value, 98.0, EPS);
    assert_int_equal(k->scoring.method, KPI_SCORE_BANDS);
    assert_float_equal(k->scoring.max_points, 20.0, EPS);
    assert_int_equal(k->scoring.n_bands, 3);
    assert_true(k->scoring.bands[0].has_lower);
    assert_false(k->scoring.bands[0].has_upper);
    assert_false(k->scoring.bands[2].has_lower);
    assert_float_equal(k->scoring.bands[2].upper, 96.0, EPS);

    k = kpi_defs_find(d, "db51_2963.avg_wait");
    assert_int_equal(k->threshold.op, KPI_OP_LT);
    assert_int_equal(k->scoring.n_bands, 5);

    k = kpi_defs_find(d, "db51_2963.ticket_timely_resolution_rate");
    assert_int_equal(k->scoring.method, KPI_SCORE_RELATIVE);
    assert_float_equal(k->scoring.zero_below, 80.0, EPS);
    assert_float_equal(k->scoring.max_points, 20.0, EPS);

    k = kpi_defs_find(d, "db51_2963.praise_complaint");
    assert_int_equal(k->threshold_kind, KPI_THR_NONE);
    assert_int_equal(k->scoring.method, KPI_SCORE_ADJUSTMENT);
    assert_float_equal(k->scoring.per_praise, 1.0, EPS);
    assert_float_equal(k->scoring.per_exceptional, 2.0, EPS);
    assert_float_equal(k->scoring.per_complaint, -3.0, EPS);

    k = kpi_defs_find(d, "c12345plan.general_resolution_time");
    assert_int_equal(k->threshold_kind, KPI_THR_COMPOUND);
    assert_int_equal(k->n_parts, 2);
    assert_string_equal(k->parts[0].name, "general");
    assert_float_equal(k->parts[0].t.value, 5.0, EPS);
    assert_string_equal(k->parts[1].name, "complex_definite_reply");
    assert_float_equal(k->parts[1].t.value, 10.0, EPS);

    k = kpi_defs_find(d, "db51_2963.speech_rate");
    assert_int_equal(k->threshold.op, KPI_OP_APPROX);
    assert_string_equal(k->threshold.op_text, "≈");

    k = kpi_defs_find(d, "mayor12345.recording_qa");
    assert_int_equal(k->threshold_kind, KPI_THR_NONE);
    assert_int_equal(k->scoring.n_bands, 9);
    assert_float_equal(k->scoring.max_points, 40.0, EPS);

    k = kpi_defs_find(d, "sanmen12345.monthly_stats");
    assert_int_equal(k->threshold_kind, KPI_THR_NONE);
    assert_int_equal(k->scoring.method, KPI_SCORE_NONE);

    k = kpi_defs_find(d, "c12345.answer_rate");
    assert_int_equal(k->n_exclusions, 2);
    assert_string_equal(k->exclusions[1], "caller unreachable on two callback attempts");
    kpi_defs_free(&d);
}

/* Write text to a new temporary file; returns its path (caller owns and unlinks). */
static char *
temp_file(const char *text)
{
    char *path = xstrdup("/tmp/test_kpi_XXXXXX");
    int fd = mkstemp(path);
    size_t n = strlen(text);

    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, n), (ssize_t)n);
    close(fd);
    return path;
}

/* Assert that loading text from a file fails with a message starting with the path
 * and containing want. */
static void
assert_load_fails(const char *text, const char *want)
{
    char *path = temp_file(text);
    struct err e;
    struct kpi_defs *d = kpi_defs_load(path, &e);

    assert_null(d);
    assert_int_equal(e.code, HL_EINVAL);
    assert_true(str_starts_with(e.msg, path));
    if (strstr(e.msg, want) == NULL)
        fail_msg("message \"%s\" lacks \"%s\"", e.msg, want);
    unlink(path);
    free(path);
}

static void
test_load_malformed(void **state)
{
    struct err e;
    struct kpi_defs *d;

    (void)state;
    assert_load_fails("{\n\"kpis\": [\n{\"id\": \"a\",}\n]}", ":3: not valid JSON");
    assert_load_fails("", "empty");
    assert_load_fails("[1, 2]", "expected a JSON object");
    assert_load_fails("{\"version\": 1}", "kpis is missing or not an array");
    assert_load_fails("{\"kpis\": {\"id\": \"a\"}}", "kpis is missing or not an array");
    assert_load_fails("{\"kpis\": [{\"id\": \"a\"}, {\"name_zh\": \"无\"}]}",
                      "kpis[1] has no id");
    assert_load_fails("{\"kpis\": [{\"id\": \"\"}]}", "kpis[0] has no id");
    assert_load_fails("{\"kpis\": [{\"id\": 7}]}", "kpis[0] has no id");
    assert_load_fails("{\"kpis\": [{\"id\": \"a\"}, 3]}", "kpis[1] is not an object");
    assert_load_fails("{\"kpis\": [{\"id\": \"a\"}, {\"id\": \"b\"}, {\"id\": \"a\"}]}",
                      "duplicate id \"a\"");
    assert_load_fails("{\"kpis\": []} trailing", "unexpected text after");

    d = kpi_defs_load("/nonexistent/kpis-cn.json", &e);
    assert_null(d);
    assert_int_equal(e.code, HL_ENOENT);
    assert_true(str_starts_with(e.msg, "/nonexistent/kpis-cn.json: cannot read"));

    d = kpi_defs_load(NULL, &e);
    assert_null(d);
    assert_int_equal(e.code, HL_EINVAL);

    d = kpi_defs_parse("{\"kpis\": [{\"id\": \"a\", \"unit\": 5}]",
                       strlen("{\"kpis\": [{\"id\": \"a\", \"unit\": 5}]"), &e);
    assert_null(d);
    assert_true(str_starts_with(e.msg, "(kpi definitions):1: not valid JSON"));
    d = kpi_defs_parse(NULL, 0, &e);
    assert_null(d);
}

static void
test_load_odd_entries(void **state)
{
    static const char json[] =
        "{\"kpis\": ["
        " {\"id\": \"c12345.redo_rate\", \"unit\": \"percent\", \"threshold\": [1, 2]},"
        " {\"id\": \"db51_2963.manual_answer_rate\", \"unit\": \"percent\","
        "  \"threshold\": {\"op\": \">=\", \"value\": 98},"
        "  \"scoring\": {\"method\": \"magic\"}},"
        " {\"id\": \"db51_2963.call_resolution_rate\", \"unit\": \"percent\","
        "  \"threshold\": {\"op\": \"!=\", \"value\": 90},"
        "  \"scoring\": {\"method\": \"bands\", \"bands\": [{\"lower\": 90, \"upper\": 80,"
        "   \"points\": 20}]}},"
        " {\"id\": \"db51_2963.ticket_resolution_rate\", \"unit\": \"percent\","
        "  \"threshold\": {\"op\": \">=\", \"value\": 1e999},"
        "  \"scoring\": {\"method\": \"bands\", \"bands\": [{\"lower\": 90, \"points\": \"x\"}]}},"
        " {\"id\": \"db51_2963.avg_wait\", \"unit\": \"minute\","
        "  \"threshold\": {\"op\": \"<\", \"value\": 20}},"
        " {\"id\": \"gb_hotline.answer_time\", \"unit\": \"second\","
        "  \"threshold\": {\"op\": \"<=\", \"value\": 20}},"
        " {\"id\": \"local.new_kpi\", \"unit\": \"percent\","
        "  \"threshold\": {\"general\": {\"op\": \">=\", \"value\": 1}, \"bad\": 3},"
        "  \"exclusions\": \"none\"},"
        " {\"id\": \"c12345.answer_rate\", \"name_zh\": null, \"unit\": \"percent\","
        "  \"threshold\": {}, \"scoring\": 5, \"exclusions\": [1, \"x\"]},"
        " {\"id\": \"db51_2963.praise_complaint\", \"unit\": \"points\","
        "  \"scoring\": {\"method\": \"adjustment\", \"per_verified_praise\": 1}}"
        "]}";
    struct kpi_defs *d = parse_ok(json);
    struct kpi_counts c;
    struct kpi_results *r;
    const struct kpi_result *x;
    const struct kpi_def *k;

    (void)state;
    assert_int_equal(kpi_defs_count(d), 9);
    memset(&c, 0, sizeof c);
    c.work_orders = 100;
    c.redo = 3;
    c.calls_offered = 100;
    c.calls_answered = 99;
    c.calls_resolved = 95;
    c.work_orders_resolved = 96;
    c.wait_samples = 10;
    c.wait_seconds_total = 100;
    c.callbacks_due = 10;
    c.replies_confirmed = 10;
    r = compute(d, &c);

    /* Odd threshold: the value is computed, the target is unknown, a warning says why. */
    x = get(r, "c12345.redo_rate");
    assert_int_equal(x->def->threshold_kind, KPI_THR_ODD);
    assert_int_equal(x->status, KPI_OK);
    assert_float_equal(x->value, 3.0, EPS);
    assert_false(x->has_target);
    assert_int_equal(x->pass, KPI_UNKNOWN);
    assert_non_null(x->warning);
    assert_non_null(strstr(x->warning, "threshold"));

    /* Unknown scoring method: value and pass, no points. */
    x = get(r, "db51_2963.manual_answer_rate");
    assert_int_equal(x->def->scoring.method, KPI_SCORE_ODD);
    assert_float_equal(x->value, 99.0, EPS);
    assert_int_equal(x->pass, KPI_PASS);
    assert_false(x->has_points);
    assert_non_null(strstr(x->warning, "scoring"));

    /* Band with lower >= upper is malformed; an unknown op is never decided. */
    x = get(r, "db51_2963.call_resolution_rate");
    assert_int_equal(x->def->scoring.method, KPI_SCORE_ODD);
    assert_int_equal(x->target_op, KPI_OP_UNKNOWN);
    assert_string_equal(x->target_op_text, "!=");
    assert_int_equal(x->pass, KPI_UNKNOWN);

    /* Infinite threshold value and a non-number band: both odd. */
    k = kpi_defs_find(d, "db51_2963.ticket_resolution_rate");
    assert_int_equal(k->threshold_kind, KPI_THR_ODD);
    assert_int_equal(k->scoring.method, KPI_SCORE_ODD);
    assert_non_null(strstr(k->problem, "threshold and the scoring"));

    /* Known id with a unit or limit the counts do not measure. */
    x = get(r, "db51_2963.avg_wait");
    assert_int_equal(x->status, KPI_NOT_MEASURED);
    assert_non_null(strstr(x->reason, "unit or limit"));
    x = get(r, "gb_hotline.answer_time");
    assert_int_equal(x->status, KPI_NOT_MEASURED);
    assert_non_null(strstr(x->reason, "unit or limit"));

    /* Unknown id: not measured; an odd compound threshold; exclusions not a list. */
    x = get(r, "local.new_kpi");
    assert_int_equal(x->status, KPI_NOT_MEASURED);
    assert_non_null(strstr(x->reason, "No formula"));
    assert_int_equal(x->def->threshold_kind, KPI_THR_ODD);
    assert_non_null(x->def->problem);
    assert_string_equal(x->def->name_zh, "");

    /* Empty threshold object, non-object scoring, exclusions with a non-string. */
    x = get(r, "c12345.answer_rate");
    assert_int_equal(x->def->threshold_kind, KPI_THR_ODD);
    assert_int_equal(x->def->scoring.method, KPI_SCORE_ODD);
    assert_int_equal(x->def->n_exclusions, 1);
    assert_string_equal(x->def->exclusions[0], "x");
    assert_string_equal(x->def->name_zh, "");
    assert_float_equal(x->value, 100.0, EPS);

    /* Adjustment without per_verified_complaint: odd, so not measured. */
    x = get(r, "db51_2963.praise_complaint");
    assert_int_equal(x->status, KPI_NOT_MEASURED);

    kpi_results_free(&r);
    kpi_defs_free(&d);
}

/* ---- operators, bands, relative points ---- */

static void
test_ops_and_check(void **state)
{
    (void)state;
    assert_int_equal(kpi_op_parse(">="), KPI_OP_GE);
    assert_int_equal(kpi_op_parse("≥"), KPI_OP_GE);
    assert_int_equal(kpi_op_parse(">"), KPI_OP_GT);
    assert_int_equal(kpi_op_parse("<="), KPI_OP_LE);
    assert_int_equal(kpi_op_parse("≤"), KPI_OP_LE);
    assert_int_equal(kpi_op_parse("<"), KPI_OP_LT);
    assert_int_equal(kpi_op_parse("="), KPI_OP_EQ);
    assert_int_equal(kpi_op_parse("=="), KPI_OP_EQ);
    assert_int_equal(kpi_op_parse("≈"), KPI_OP_APPROX);
    assert_int_equal(kpi_op_parse("!="), KPI_OP_UNKNOWN);
    assert_int_equal(kpi_op_parse(NULL), KPI_OP_UNKNOWN);
    assert_string_equal(kpi_op_str(KPI_OP_LT), "<");
    assert_string_equal(kpi_op_str(KPI_OP_APPROX), "≈");

    assert_int_equal(kpi_check(KPI_OP_GE, 98, 98), KPI_PASS);
    assert_int_equal(kpi_check(KPI_OP_GE, 98, 97.999), KPI_FAIL);
    assert_int_equal(kpi_check(KPI_OP_GT, 98, 98), KPI_FAIL);
    assert_int_equal(kpi_check(KPI_OP_GT, 98, 98.001), KPI_PASS);
    assert_int_equal(kpi_check(KPI_OP_LE, 20, 20), KPI_PASS);
    assert_int_equal(kpi_check(KPI_OP_LE, 20, 20.001), KPI_FAIL);
    assert_int_equal(kpi_check(KPI_OP_LT, 20, 20), KPI_FAIL);
    assert_int_equal(kpi_check(KPI_OP_LT, 20, 19.9), KPI_PASS);
    assert_int_equal(kpi_check(KPI_OP_EQ, 100, 100), KPI_PASS);
    assert_int_equal(kpi_check(KPI_OP_EQ, 100, 99.9), KPI_FAIL);
    assert_int_equal(kpi_check(KPI_OP_APPROX, 120, 120), KPI_UNKNOWN);
    assert_int_equal(kpi_check(KPI_OP_UNKNOWN, 1, 1), KPI_UNKNOWN);
    assert_int_equal(kpi_check(KPI_OP_NONE, 1, 1), KPI_UNKNOWN);
    assert_int_equal(kpi_check(KPI_OP_GE, 98, NAN), KPI_UNKNOWN);
    assert_int_equal(kpi_check(KPI_OP_GE, INFINITY, 1), KPI_UNKNOWN);

    assert_string_equal(kpi_status_str(KPI_OK), "ok");
    assert_string_equal(kpi_status_str(KPI_NO_DATA), "no_data");
    assert_string_equal(kpi_status_str(KPI_NOT_MEASURED), "not_measured");
    assert_string_equal(kpi_status_str(KPI_BAD_COUNTS), "invalid_counts");
}

static void
test_pass_fail_through_compute(void **state)
{
    struct kpi_defs *d = load_real();
    struct kpi_counts c;
    struct kpi_results *r;

    (void)state;
    /* A 20 s average wait: "<= 20" (95198 Ningxia) passes, "< 20" (DB51) fails. */
    memset(&c, 0, sizeof c);
    c.wait_seconds_total = 200;
    c.wait_samples = 10;
    r = compute(d, &c);
    assert_float_equal(get(r, "ningxia95198.avg_wait")->value, 20.0, EPS);
    assert_int_equal(get(r, "ningxia95198.avg_wait")->pass, KPI_PASS);
    assert_int_equal(get(r, "db51_2963.avg_wait")->pass, KPI_FAIL);
    assert_int_equal(get(r, "db51_2963.avg_wait")->target_op, KPI_OP_LT);
    kpi_results_free(&r);

    c.wait_seconds_total = 199;
    r = compute(d, &c);
    assert_int_equal(get(r, "db51_2963.avg_wait")->pass, KPI_PASS);
    kpi_results_free(&r);

    /* ">= 100" (SMS reply rate): 100% passes, 399 of 400 fails. */
    memset(&c, 0, sizeof c);
    c.sms_received = 400;
    c.sms_replied_same_day = 400;
    r = compute(d, &c);
    assert_int_equal(get(r, "c12345.sms_reply_rate")->pass, KPI_PASS);
    kpi_results_free(&r);
    c.sms_replied_same_day = 399;
    r = compute(d, &c);
    assert_float_equal(get(r, "c12345.sms_reply_rate")->value, 99.75, EPS);
    assert_int_equal(get(r, "c12345.sms_reply_rate")->pass, KPI_FAIL);
    kpi_results_free(&r);

    /* "<= 2" return rate: 2 of 100 passes, 3 of 100 fails. */
    memset(&c, 0, sizeof c);
    c.work_orders = 100;
    c.returned = 2;
    r = compute(d, &c);
    assert_int_equal(get(r, "ningxia95198.ticket_return_rate")->pass, KPI_PASS);
    kpi_results_free(&r);
    c.returned = 3;
    r = compute(d, &c);
    assert_int_equal(get(r, "ningxia95198.ticket_return_rate")->pass, KPI_FAIL);
    kpi_results_free(&r);

    /* "≈ 120" speech rate and not-measured KPIs never decide. */
    r = compute(d, &c);
    assert_int_equal(get(r, "db51_2963.speech_rate")->status, KPI_NOT_MEASURED);
    assert_int_equal(get(r, "db51_2963.speech_rate")->pass, KPI_UNKNOWN);
    kpi_results_free(&r);
    kpi_defs_free(&d);
}

static void
test_band_edges(void **state)
{
    struct kpi_defs *d = load_real();
    struct kpi_counts c;
    static const struct kpi_band wait[] = {
        { false, true, 0, 20, 20 }, { true, true, 20, 30, 15 }, { true, true, 30, 40, 10 },
        { true, true, 40, 50, 5 }, { true, false, 50, 0, 0 },
    };
    double p = -1;

    (void)state;
    /* Bands directly. */
    assert_true(kpi_band_points(wait, ARRAY_SIZE(wait), 19.9, &p));
    assert_float_equal(p, 20, EPS);
    assert_true(kpi_band_points(wait, ARRAY_SIZE(wait), 20.0, &p));
    assert_float_equal(p, 15, EPS);
    assert_true(kpi_band_points(wait, ARRAY_SIZE(wait), 50.0, &p));
    assert_float_equal(p, 0, EPS);
    assert_false(kpi_band_points(wait, ARRAY_SIZE(wait), NAN, &p));
    assert_false(kpi_band_points(wait, 0, 10, &p));
    assert_false(kpi_band_points(&wait[1], 1, 10, &p));

    /* A.1 manual answer rate over 100000 offered calls. */
    memset(&c, 0, sizeof c);
    c.calls_offered = 100000;
    c.calls_answered = 98000;   /* 98.0 */
    assert_float_equal(points_of(d, &c, "db51_2963.manual_answer_rate"), 20, EPS);
    c.calls_answered = 97999;   /* 97.999 */
    assert_float_equal(points_of(d, &c, "db51_2963.manual_answer_rate"), 15, EPS);
    c.calls_answered = 96000;   /* 96.0 */
    assert_float_equal(points_of(d, &c, "db51_2963.manual_answer_rate"), 15, EPS);
    c.calls_answered = 95990;   /* 95.99 */
    assert_float_equal(points_of(d, &c, "db51_2963.manual_answer_rate"), 0, EPS);
    c.calls_answered = 100000;
    assert_float_equal(points_of(d, &c, "db51_2963.manual_answer_rate"), 20, EPS);

    /* A.2 call resolution rate. */
    c.calls_resolved = 90000;
    assert_float_equal(points_of(d, &c, "db51_2963.call_resolution_rate"), 20, EPS);
    c.calls_resolved = 89999;
    assert_float_equal(points_of(d, &c, "db51_2963.call_resolution_rate"), 10, EPS);
    c.calls_resolved = 80000;
    assert_float_equal(points_of(d, &c, "db51_2963.call_resolution_rate"), 10, EPS);
    c.calls_resolved = 79999;
    assert_float_equal(points_of(d, &c, "db51_2963.call_resolution_rate"), 0, EPS);

    /* A.3 ticket resolution rate. */
    c.work_orders = 10000;
    c.work_orders_resolved = 9500;
    assert_float_equal(points_of(d, &c, "db51_2963.ticket_resolution_rate"), 20, EPS);
    c.work_orders_resolved = 9499;
    assert_float_equal(points_of(d, &c, "db51_2963.ticket_resolution_rate"), 10, EPS);
    c.work_orders_resolved = 9000;
    assert_float_equal(points_of(d, &c, "db51_2963.ticket_resolution_rate"), 10, EPS);
    c.work_orders_resolved = 8999;
    assert_float_equal(points_of(d, &c, "db51_2963.ticket_resolution_rate"), 0, EPS);

    /* A.5 average wait in seconds. */
    c.wait_samples = 10;
    c.wait_seconds_total = 199;   /* 19.9 */
    assert_float_equal(points_of(d, &c, "db51_2963.avg_wait"), 20, EPS);
    c.wait_seconds_total = 200;   /* 20.0 */
    assert_float_equal(points_of(d, &c, "db51_2963.avg_wait"), 15, EPS);
    c.wait_seconds_total = 299;   /* 29.9 */
    assert_float_equal(points_of(d, &c, "db51_2963.avg_wait"), 15, EPS);
    c.wait_seconds_total = 300;   /* 30.0 */
    assert_float_equal(points_of(d, &c, "db51_2963.avg_wait"), 10, EPS);
    c.wait_seconds_total = 400;   /* 40.0 */
    assert_float_equal(points_of(d, &c, "db51_2963.avg_wait"), 5, EPS);
    c.wait_seconds_total = 499;   /* 49.9 */
    assert_float_equal(points_of(d, &c, "db51_2963.avg_wait"), 5, EPS);
    c.wait_seconds_total = 500;   /* 50.0 */
    assert_float_equal(points_of(d, &c, "db51_2963.avg_wait"), 0, EPS);
    c.wait_seconds_total = 0;     /* 0.0: everyone picked up at once */
    assert_float_equal(points_of(d, &c, "db51_2963.avg_wait"), 20, EPS);
    kpi_defs_free(&d);
}

static void
test_relative_to_best(void **state)
{
    struct kpi_defs *d = load_real();
    struct kpi_counts c;
    struct kpi_opts o = { .has_best = true, .best_rate = 95.0 };
    struct kpi_results *r;
    const struct kpi_result *x;

    (void)state;
    assert_float_equal(kpi_relative_points(90, 95, 20, 80), 18.947368421052632, EPS);
    assert_float_equal(kpi_relative_points(79.9, 95, 20, 80), 0, EPS);
    assert_float_equal(kpi_relative_points(80, 100, 20, 80), 16, EPS);
    assert_float_equal(kpi_relative_points(95, 95, 20, 80), 20, 0);
    assert_float_equal(kpi_relative_points(97.3, 97.3, 20, 80), 20, 0);
    assert_float_equal(kpi_relative_points(96, 90, 20, 80), 20, 0);   /* best below own */
    assert_float_equal(kpi_relative_points(0, 0, 20, 0), 0, 0);
    assert_float_equal(kpi_relative_points(NAN, 95, 20, 80), 0, 0);

    memset(&c, 0, sizeof c);
    c.work_orders = 100;
    c.work_orders_resolved = 95;
    c.work_orders_resolved_2wd = 90;
    r = kpi_compute(d, &c, &o);
    x = get(r, "db51_2963.ticket_timely_resolution_rate");
    assert_float_equal(x->value, 90.0, EPS);
    assert_true(x->has_points);
    assert_float_equal(x->points, 18.947368421052632, EPS);
    assert_float_equal(x->max_points, 20, EPS);
    assert_int_equal(x->pass, KPI_FAIL);                   /* clause 7 target >= 95 */
    assert_int_equal(get(r, "ningxia95198.ticket_timely_resolution_rate")->pass, KPI_PASS);
    kpi_results_free(&r);

    /* A single group is its own best. */
    r = kpi_compute(d, &c, NULL);
    assert_float_equal(get(r, "db51_2963.ticket_timely_resolution_rate")->points, 20, 0);
    kpi_results_free(&r);

    /* Below 80%: nothing, whatever the best. */
    c.work_orders = 1000;
    c.work_orders_resolved_2wd = 799;
    r = kpi_compute(d, &c, &o);
    x = get(r, "db51_2963.ticket_timely_resolution_rate");
    assert_float_equal(x->value, 79.9, EPS);
    assert_true(x->has_points);
    assert_float_equal(x->points, 0, 0);
    kpi_results_free(&r);
    r = kpi_compute(d, &c, NULL);
    assert_float_equal(get(r, "db51_2963.ticket_timely_resolution_rate")->points, 0, 0);
    kpi_results_free(&r);
    kpi_defs_free(&d);
}

static void
test_adjustment(void **state)
{
    struct kpi_defs *d = load_real();
    struct kpi_counts c;
    struct kpi_results *r;
    const struct kpi_result *x;
    struct kpi_score s;

    (void)state;
    memset(&c, 0, sizeof c);
    c.praise_verified = 3;
    c.praise_exceptional = 1;
    c.complaints_verified = 2;
    r = compute(d, &c);
    x = get(r, "db51_2963.praise_complaint");
    assert_int_equal(x->status, KPI_OK);
    assert_float_equal(x->value, 3 * 1 + 1 * 2 - 2 * 3, EPS);   /* -1 */
    assert_true(x->has_points);
    assert_float_equal(x->points, -1, EPS);
    assert_int_equal(x->pass, KPI_UNKNOWN);
    kpi_db51_score(r, &s);
    assert_true(s.adjustment_scored);
    assert_float_equal(s.adjustment, -1, EPS);
    assert_int_equal(s.praise_verified, 3);
    assert_int_equal(s.complaints_verified, 2);
    assert_false(s.ranked_last);
    assert_false(s.complete);            /* the five parts have no data */
    assert_float_equal(s.total, -1, EPS);
    kpi_results_free(&r);

    /* Praise only: +1 each, +2 more each exceptional. */
    c.complaints_verified = 0;
    c.praise_verified = 5;
    c.praise_exceptional = 2;
    r = compute(d, &c);
    assert_float_equal(get(r, "db51_2963.praise_complaint")->points, 9, EPS);
    kpi_results_free(&r);

    /* A severe complaint ranks the group last. */
    c.complaints_verified = 1;
    c.complaints_severe = 1;
    r = compute(d, &c);
    assert_float_equal(get(r, "db51_2963.praise_complaint")->points, 6, EPS);
    kpi_db51_score(r, &s);
    assert_true(s.ranked_last);
    kpi_results_free(&r);

    /* Contradicting counts. */
    c.praise_exceptional = 6;
    r = compute(d, &c);
    x = get(r, "db51_2963.praise_complaint");
    assert_int_equal(x->status, KPI_BAD_COUNTS);
    assert_false(x->has_points);
    kpi_db51_score(r, &s);
    assert_false(s.adjustment_scored);
    kpi_results_free(&r);
    kpi_defs_free(&d);
}

/* ---- whole periods ---- */

static void
test_empty_period(void **state)
{
    struct kpi_defs *d = load_real();
    struct kpi_counts c;
    struct kpi_results *r;
    struct kpi_score s;
    cJSON *arr, *score;
    char *text;
    size_t n_no_data = 0, n_not_measured = 0;
    static const char *const not_measured[] = {
        "c12345.process_satisfaction", "c12345plan.general_resolution_time",
        "sanmen12345.monthly_stats", "mayor12345.recording_qa",
        "gb_hotline.media_response_time", "gb_hotline.mailbox_response_time",
        "gb_hotline.typing_speed", "gb_hotline.seat_area", "db51_2963.speech_rate",
    };

    (void)state;
    memset(&c, 0, sizeof c);
    r = compute(d, &c);
    for (size_t i = 0; i < r->n; i++) {
        const struct kpi_result *x = &r->v[i];

        assert_true(isfinite(x->value));
        assert_true(isfinite(x->points));
        assert_int_equal(x->pass, KPI_UNKNOWN);
        assert_non_null(x->unit);
        if (strcmp(x->def->id, "db51_2963.praise_complaint") == 0) {
            assert_int_equal(x->status, KPI_OK);      /* no praise, no complaint: 0 points */
            assert_float_equal(x->value, 0, 0);
            continue;
        }
        if (x->status == KPI_NO_DATA) {
            n_no_data++;
            assert_true(x->has_ratio);
            assert_int_equal(x->denominator, 0);
            assert_false(x->has_points);
            assert_non_null(strstr(x->reason, "No data"));
        } else {
            assert_int_equal(x->status, KPI_NOT_MEASURED);
            assert_non_null(x->reason);
            n_not_measured++;
        }
    }
    assert_int_equal(n_not_measured, ARRAY_SIZE(not_measured));
    assert_int_equal(n_no_data, 37 - 1 - ARRAY_SIZE(not_measured));
    for (size_t i = 0; i < ARRAY_SIZE(not_measured); i++)
        assert_int_equal(get(r, not_measured[i])->status, KPI_NOT_MEASURED);

    kpi_db51_score(r, &s);
    assert_false(s.complete);
    assert_float_equal(s.total, 0, 0);
    assert_float_equal(s.max_total, 100, 0);
    for (size_t i = 0; i < KPI_DB51_PARTS; i++) {
        assert_false(s.parts[i].scored);
        assert_non_null(strstr(s.parts[i].reason, "No data"));
        assert_float_equal(s.parts[i].max_points, 20, 0);
    }

    arr = kpi_results_to_json(r);
    text = cJSON_PrintUnformatted(arr);
    assert_null(strstr(text, "nan"));
    assert_null(strstr(text, "inf"));
    assert_true(jnull(json_find(arr, "db51_2963.manual_answer_rate"), "value"));
    assert_true(jnull(json_find(arr, "db51_2963.manual_answer_rate"), "points"));
    assert_true(jnull(json_find(arr, "db51_2963.manual_answer_rate"), "pass"));
    assert_string_equal(jstr(json_find(arr, "db51_2963.manual_answer_rate"), "status"),
                        "no_data");
    assert_float_equal(jnum(json_find(arr, "db51_2963.manual_answer_rate"), "denominator"),
                       0, 0);
    free(text);
    cJSON_Delete(arr);

    score = kpi_score_to_json(&s);
    assert_false(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(score, "complete")));
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(score, "missing")), 5);
    assert_true(jnull(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(score, "parts"), 0),
                      "points"));
    cJSON_Delete(score);
    kpi_results_free(&r);
    kpi_defs_free(&d);
}

static void
test_realistic_month(void **state)
{
    struct kpi_defs *d = load_real();
    struct kpi_counts c;
    struct kpi_results *r;
    struct kpi_score s;
    struct kpi_opts o = { .has_best = true, .best_rate = 96.0 };
    const struct kpi_result *x;
    static const struct {
        const char *id;
        double value;
        enum kpi_verdict pass;
    } want[] = {
        { "ningxia95198.call_completion_rate", 98.5, KPI_PASS },          /* 11820/12000 */
        { "ningxia95198.avg_wait", 17.0, KPI_PASS },                      /* 200940/11820 */
        { "ningxia95198.call_resolution_rate", 86.25, KPI_FAIL },         /* 10350/12000 */
        { "ningxia95198.ticket_resolution_rate", 95.98214285714286, KPI_PASS }, /* 2150/2240 */
        { "ningxia95198.ticket_timely_resolution_rate", 90.0, KPI_PASS }, /* 2016/2240 */
        { "ningxia95198.ticket_return_rate", 1.6964285714285714, KPI_PASS }, /* 38/2240 */
        { "ningxia95198.user_complaint_rate", 0.031746031746031744, KPI_PASS }, /* 4/12600 */
        { "db51_2963.manual_answer_rate", 98.5, KPI_PASS },
        { "db51_2963.call_resolution_rate", 86.25, KPI_FAIL },
        { "db51_2963.ticket_resolution_rate", 95.98214285714286, KPI_PASS },
        { "db51_2963.ticket_timely_resolution_rate", 90.0, KPI_FAIL },    /* target 95 */
        { "db51_2963.avg_wait", 17.0, KPI_PASS },
        { "c12345.manual_answer_rate", 98.5, KPI_PASS },
        { "c12345.answer_timeliness", 84.01015228426396, KPI_PASS },      /* 9930/11820 */
        { "c12345.sms_reply_rate", 100.0, KPI_PASS },                     /* 400/(420-20) */
        { "c12345.complaint_rate", 0.031746031746031744, KPI_PASS },
        { "c12345.transfer_timeliness", 93.33333333333333, KPI_PASS },    /* 2100/2250 */
        { "c12345.on_time_reply_rate", 95.9090909090909, KPI_PASS },      /* 2110/2200 */
        { "c12345.reasonable_request_satisfaction", 88.54166666666667, KPI_FAIL }, /* 1700/1920 */
        { "c12345.answer_rate", 98.94736842105263, KPI_FAIL },            /* 1880/(2000-20-80) */
        { "c12345.redo_rate", 4.017857142857143, KPI_PASS },              /* 90/2240 */
        { "c12345.callback_timeliness", 95.83333333333333, KPI_PASS },    /* 1840/(2000-80) */
        { "c12345plan.connection_rate", 98.5, KPI_PASS },
        { "c12345plan.satisfaction", 88.54166666666667, KPI_FAIL },
        { "gb_hotline.call_completion_rate", 98.5, KPI_PASS },
        { "gb_hotline.answer_time", 84.01015228426396, KPI_FAIL },        /* per call: 100 */
        { "gb_hotline.transfer_time", 100.0, KPI_PASS },                  /* 2250/2250 */
    };

    (void)state;
    realistic_month(&c);
    r = compute(d, &c);
    for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
        x = get(r, want[i].id);
        if (x->status != KPI_OK)
            fail_msg("%s: status %s", want[i].id, kpi_status_str(x->status));
        if (fabs(x->value - want[i].value) > EPS)
            fail_msg("%s: value %.17g, want %.17g", want[i].id, x->value, want[i].value);
        if (x->pass != want[i].pass)
            fail_msg("%s: pass %d, want %d", want[i].id, (int)x->pass, (int)want[i].pass);
    }
    x = get(r, "c12345.answer_rate");
    assert_int_equal(x->numerator, 1880);
    assert_int_equal(x->denominator, 1900);
    x = get(r, "gb_hotline.answer_time");
    assert_true(x->has_limit);
    assert_string_equal(x->unit, "percent");
    assert_string_equal(x->limit_unit, "second");
    assert_float_equal(x->limit_value, 15, 0);
    assert_int_equal(x->target_op, KPI_OP_GE);
    assert_float_equal(x->target_value, 100, 0);

    /* Points: 20 + 10 + 20 + 20 (own best) + 20, adjustment 6 + 2 - 12 = -4. */
    assert_float_equal(get(r, "db51_2963.manual_answer_rate")->points, 20, 0);
    assert_float_equal(get(r, "db51_2963.call_resolution_rate")->points, 10, 0);
    assert_float_equal(get(r, "db51_2963.ticket_resolution_rate")->points, 20, 0);
    assert_float_equal(get(r, "db51_2963.ticket_timely_resolution_rate")->points, 20, 0);
    assert_float_equal(get(r, "db51_2963.avg_wait")->points, 20, 0);
    assert_float_equal(get(r, "db51_2963.praise_complaint")->points, -4, 0);
    kpi_db51_score(r, &s);
    assert_true(s.complete);
    assert_false(s.ranked_last);
    assert_float_equal(s.total, 86, EPS);
    assert_float_equal(s.max_total, 100, 0);
    assert_float_equal(s.parts[1].points, 10, 0);
    assert_string_equal(s.parts[3].id, "db51_2963.ticket_timely_resolution_rate");
    kpi_results_free(&r);

    /* Ranked against a best group at 96%: A.4 gives 20 × 90 / 96 = 18.75. */
    r = kpi_compute(d, &c, &o);
    assert_float_equal(get(r, "db51_2963.ticket_timely_resolution_rate")->points, 18.75, EPS);
    kpi_db51_score(r, &s);
    assert_true(s.complete);
    assert_float_equal(s.total, 84.75, EPS);
    kpi_results_free(&r);
    kpi_defs_free(&d);
}

static void
test_json_shape(void **state)
{
    struct kpi_defs *d = load_real();
    struct kpi_counts c;
    struct kpi_results *r;
    struct kpi_score s;
    cJSON *arr, *score;
    const cJSON *o, *t;

    (void)state;
    realistic_month(&c);
    r = compute(d, &c);
    arr = kpi_results_to_json(r);

    o = json_find(arr, "db51_2963.manual_answer_rate");
    assert_string_equal(jstr(o, "name_zh"), "人工接通率");
    assert_string_equal(jstr(o, "name_en"), "Agent answer rate");
    assert_string_equal(jstr(o, "unit"), "percent");
    assert_string_equal(jstr(o, "status"), "ok");
    assert_float_equal(jnum(o, "value"), 98.5, EPS);
    assert_float_equal(jnum(o, "numerator"), 11820, 0);
    assert_float_equal(jnum(o, "denominator"), 12000, 0);
    t = cJSON_GetObjectItemCaseSensitive(o, "target");
    assert_string_equal(jstr(t, "op"), ">=");
    assert_float_equal(jnum(t, "value"), 98, 0);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "pass")));
    assert_float_equal(jnum(o, "points"), 20, 0);
    assert_float_equal(jnum(o, "max_points"), 20, 0);

    o = json_find(arr, "db51_2963.call_resolution_rate");
    assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(o, "pass")));

    o = json_find(arr, "c12345plan.general_resolution_time");
    assert_string_equal(jstr(o, "status"), "not_measured");
    assert_non_null(strstr(jstr(o, "reason"), "complex"));
    assert_true(jnull(o, "value"));
    assert_true(jnull(o, "numerator"));
    assert_true(jnull(o, "target"));
    assert_true(jnull(o, "pass"));
    t = cJSON_GetObjectItemCaseSensitive(o, "targets");
    assert_int_equal(cJSON_GetArraySize(t), 2);
    assert_string_equal(jstr(cJSON_GetArrayItem(t, 1), "name"), "complex_definite_reply");
    assert_string_equal(jstr(cJSON_GetArrayItem(t, 1), "op"), "<=");

    o = json_find(arr, "gb_hotline.answer_time");
    assert_string_equal(jstr(o, "unit"), "percent");
    t = cJSON_GetObjectItemCaseSensitive(o, "limit");
    assert_string_equal(jstr(t, "op"), "<=");
    assert_float_equal(jnum(t, "value"), 15, 0);
    assert_string_equal(jstr(t, "unit"), "second");
    t = cJSON_GetObjectItemCaseSensitive(o, "target");
    assert_float_equal(jnum(t, "value"), 100, 0);

    o = json_find(arr, "db51_2963.speech_rate");
    assert_string_equal(jstr(cJSON_GetObjectItemCaseSensitive(o, "target"), "op"), "≈");
    assert_true(jnull(o, "pass"));

    o = json_find(arr, "db51_2963.praise_complaint");
    assert_float_equal(jnum(o, "value"), -4, 0);
    assert_float_equal(jnum(o, "points"), -4, 0);
    assert_true(jnull(o, "target"));
    assert_true(jnull(o, "numerator"));

    o = json_find(arr, "c12345.manual_answer_rate");
    assert_non_null(strstr(jstr(o, "note"), "incidents"));

    kpi_db51_score(r, &s);
    score = kpi_score_to_json(&s);
    assert_float_equal(jnum(score, "total"), 86, EPS);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(score, "complete")));
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(score, "missing")), 0);
    t = cJSON_GetObjectItemCaseSensitive(score, "parts");
    assert_int_equal(cJSON_GetArraySize(t), 5);
    assert_float_equal(jnum(cJSON_GetArrayItem(t, 1), "points"), 10, 0);
    assert_float_equal(jnum(cJSON_GetArrayItem(t, 4), "value"), 17, 0);
    t = cJSON_GetObjectItemCaseSensitive(score, "adjustment");
    assert_float_equal(jnum(t, "points"), -4, 0);
    assert_float_equal(jnum(t, "praise_exceptional"), 1, 0);

    cJSON_Delete(score);
    cJSON_Delete(arr);
    kpi_results_free(&r);
    kpi_defs_free(&d);
}

static void
test_bad_counts(void **state)
{
    struct kpi_defs *d = load_real();
    struct kpi_counts c;
    struct kpi_results *r;
    const struct kpi_result *x;
    cJSON *arr;

    (void)state;
    memset(&c, 0, sizeof c);
    c.calls_offered = 10;
    c.calls_answered = 11;        /* more answered than offered */
    c.callbacks_due = 5;
    c.unreachable = 4;
    c.confidential_excluded = 2;  /* exclusions exceed the base of the reply rate */
    c.replies_confirmed = 0;
    r = compute(d, &c);
    x = get(r, "db51_2963.manual_answer_rate");
    assert_int_equal(x->status, KPI_BAD_COUNTS);
    assert_false(x->has_points);
    assert_int_equal(x->pass, KPI_UNKNOWN);
    x = get(r, "c12345.answer_rate");
    assert_int_equal(x->status, KPI_BAD_COUNTS);
    assert_non_null(strstr(x->reason, "exclusions"));
    /* The callback rate only subtracts the unreachable: 0 of 1. */
    x = get(r, "c12345.callback_timeliness");
    assert_int_equal(x->status, KPI_OK);
    assert_float_equal(x->value, 0, 0);
    assert_int_equal(x->denominator, 1);
    arr = kpi_results_to_json(r);
    assert_string_equal(jstr(json_find(arr, "db51_2963.manual_answer_rate"), "status"),
                        "invalid_counts");
    assert_true(jnull(json_find(arr, "db51_2963.manual_answer_rate"), "value"));
    cJSON_Delete(arr);
    kpi_results_free(&r);

    /* Huge counts stay finite. */
    memset(&c, 0, sizeof c);
    c.wait_seconds_total = UINT64_MAX;
    c.wait_samples = 1;
    c.sms_received = UINT64_MAX;
    c.sms_invalid = 0;
    c.sms_replied_same_day = UINT64_MAX;
    r = compute(d, &c);
    assert_true(isfinite(get(r, "db51_2963.avg_wait")->value));
    assert_float_equal(get(r, "db51_2963.avg_wait")->points, 0, 0);
    assert_float_equal(get(r, "c12345.sms_reply_rate")->value, 100, EPS);
    kpi_results_free(&r);

    /* No definitions at all. */
    r = kpi_compute(NULL, &c, NULL);
    assert_int_equal(r->n, 0);
    kpi_results_free(&r);
    kpi_defs_free(&d);
}

static void
test_missing_defs_score(void **state)
{
    struct kpi_defs *d = parse_ok("{\"kpis\": []}");
    struct kpi_counts c;
    struct kpi_results *r;
    struct kpi_score s;

    (void)state;
    realistic_month(&c);
    r = compute(d, &c);
    assert_int_equal(r->n, 0);
    kpi_db51_score(r, &s);
    assert_false(s.complete);
    assert_false(s.adjustment_scored);
    assert_float_equal(s.total, 0, 0);
    assert_float_equal(s.max_total, 100, 0);
    assert_null(s.parts[0].result);
    assert_non_null(strstr(s.parts[0].reason, "missing"));
    kpi_results_free(&r);
    kpi_defs_free(&d);
}

static void
test_counts_helpers(void **state)
{
    struct kpi_counts a, b;
    cJSON *o;

    (void)state;
    assert_int_equal(kpi_counts_field_count(), sizeof(struct kpi_counts) / sizeof(uint64_t));
    assert_string_equal(kpi_counts_field_name(0), "calls_offered");
    assert_null(kpi_counts_field_name(kpi_counts_field_count()));
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    assert_true(kpi_counts_set(&a, "work_orders", 7));
    assert_false(kpi_counts_set(&a, "no_such", 1));
    assert_int_equal(a.work_orders, 7);
    b.work_orders = 5;
    b.calls_offered = UINT64_MAX;
    a.calls_offered = 2;
    kpi_counts_add(&a, &b);
    assert_int_equal(a.work_orders, 12);
    assert_true(a.calls_offered == UINT64_MAX);
    for (size_t i = 0; i < kpi_counts_field_count(); i++) {
        if (strcmp(kpi_counts_field_name(i), "work_orders") == 0)
            assert_int_equal(kpi_counts_get(&a, i), 12);
    }
    assert_int_equal(kpi_counts_get(&a, 999), 0);
    o = kpi_counts_to_json(&a);
    assert_int_equal(cJSON_GetArraySize(o), (int)kpi_counts_field_count());
    assert_float_equal(jnum(o, "work_orders"), 12, 0);
    assert_float_equal(jnum(o, "sms_replied_same_day"), 0, 0);
    cJSON_Delete(o);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_real_file),
        cmocka_unit_test(test_load_real_shapes),
        cmocka_unit_test(test_load_malformed),
        cmocka_unit_test(test_load_odd_entries),
        cmocka_unit_test(test_ops_and_check),
        cmocka_unit_test(test_pass_fail_through_compute),
        cmocka_unit_test(test_band_edges),
        cmocka_unit_test(test_relative_to_best),
        cmocka_unit_test(test_adjustment),
        cmocka_unit_test(test_empty_period),
        cmocka_unit_test(test_realistic_month),
        cmocka_unit_test(test_json_shape),
        cmocka_unit_test(test_bad_counts),
        cmocka_unit_test(test_missing_defs_score),
        cmocka_unit_test(test_counts_helpers),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
