/* Tests of demo: deterministic, realistic, rule-consistent demo data (tickets, users, calls). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo.h"
#include "hotline/codec.h"
#include "hotline/kpi.h"
#include "hotline/phone.h"
#include "hotline/rules.h"
#include "hotline/util.h"
#include "stats.h"

/* Rules, calendar, zone, the category leaves and one generated data set. */
struct fixture {
    struct rules *rules;
    struct calendar *cal;
    struct tz *tz;
    struct kpi_defs *kpis;
    struct wf_ctx ctx;
    char **cats;
    size_t n_cats;
    hl_time now;
    struct demo_data *d;
};

/* Instant of an RFC 3339 literal. */
static hl_time
T(const char *s)
{
    hl_time t = 0;

    if (!datetime_parse_rfc3339(s, &t, NULL))
        fail_msg("bad time literal %s", s);
    return t;
}

/* Path of a file in $HOTLINE_DATA. Caller frees. */
static char *
data_path(const char *name)
{
    const char *dir = getenv("HOTLINE_DATA");

    return xasprintf("%s/%s", str_empty(dir) ? "data" : dir, name);
}

/* The leaf codes of data/categories-cn.json. */
static void
load_categories(struct fixture *f)
{
    char *path = data_path("categories-cn.json");
    size_t len = 0;
    char *text = file_read_all(path, 8u << 20, &len);
    cJSON *root = text != NULL ? cJSON_ParseWithLength(text, len) : NULL;
    const cJSON *top;

    free(path);
    free(text);
    cJSON_ArrayForEach(top, cJSON_GetObjectItemCaseSensitive(root, "content_categories")) {
        const cJSON *leaf;

        cJSON_ArrayForEach(leaf, cJSON_GetObjectItemCaseSensitive(top, "children")) {
            const cJSON *code = cJSON_GetObjectItemCaseSensitive(leaf, "code");

            if (!cJSON_IsString(code))
                continue;
            f->cats = xrealloc(f->cats, (f->n_cats + 1) * sizeof *f->cats);
            f->cats[f->n_cats++] = xstrdup(code->valuestring);
        }
    }
    cJSON_Delete(root);
}

/* Generate with the fixture's inputs. */
static struct demo_data *
gen(struct fixture *f, uint32_t seed, int n)
{
    return demo_generate(&f->ctx, f->now, seed, n, (const char *const *)f->cats, f->n_cats);
}

/* Load everything and generate the default data set (seed 42). */
static int
setup(void **state)
{
    struct fixture *f = xcalloc(1, sizeof *f);
    char *rp = data_path("rules.json");
    char *cp = data_path("holidays-cn.json");
    char *kp = data_path("kpis-cn.json");
    struct err e;

    f->rules = rules_load(rp, "12345", NULL, &e);
    f->cal = calendar_load(cp, &e);
    f->tz = tz_load("Asia/Shanghai", &e);
    f->kpis = kpi_defs_load(kp, &e);
    free(rp);
    free(cp);
    free(kp);
    *state = f;
    if (f->rules == NULL || f->cal == NULL || f->tz == NULL || f->kpis == NULL)
        return -1;
    load_categories(f);
    if (f->n_cats < 150)
        return -1;
    f->ctx.rules = f->rules;
    f->ctx.cal = f->cal;
    f->ctx.tz = f->tz;
    f->now = T("2026-11-20T15:30:00+08:00");
    f->d = gen(f, 42, 0);
    return f->d != NULL ? 0 : -1;
}

/* Free the fixture. */
static int
teardown(void **state)
{
    struct fixture *f = *state;

    demo_free(&f->d);
    for (size_t i = 0; i < f->n_cats; i++)
        free(f->cats[i]);
    free(f->cats);
    rules_free(&f->rules);
    calendar_free(&f->cal);
    tz_free(&f->tz);
    kpi_defs_free(&f->kpis);
    free(f);
    return 0;
}

/* Everything generated as one text: tickets, users, units and calls. Caller frees. */
static char *
dump(const struct fixture *f, const struct demo_data *d)
{
    struct strbuf sb;

    strbuf_init(&sb);
    for (size_t i = 0; i < d->n_units; i++)
        strbuf_addf(&sb, "%s=%s\n", d->units[i].code, d->units[i].name);
    for (size_t i = 0; i < d->n_users; i++) {
        cJSON *j = codec_user_to_json(&d->users[i].user);
        char *s = codec_print(j);

        strbuf_addf(&sb, "%s %s\n", s, d->users[i].password);
        free(s);
        cJSON_Delete(j);
    }
    for (size_t i = 0; i < d->n_tickets; i++) {
        char *s = codec_ticket_encode(&d->tickets[i], f->tz);

        strbuf_adds(&sb, s);
        strbuf_addc(&sb, '\n');
        free(s);
    }
    for (size_t i = 0; i < d->n_calls; i++) {
        cJSON *j = codec_call_record_to_json(&d->calls[i], f->tz);
        char *s = codec_print(j);

        strbuf_adds(&sb, s);
        strbuf_addc(&sb, '\n');
        free(s);
        cJSON_Delete(j);
    }
    return strbuf_detach(&sb);
}

/* The same seed gives the same bytes; another seed gives others. */
static void
test_deterministic(void **state)
{
    struct fixture *f = *state;
    struct demo_data *again = gen(f, 42, 0);
    struct demo_data *other = gen(f, 43, 0);
    char *a = dump(f, f->d);
    char *b = dump(f, again);
    char *c = dump(f, other);

    assert_int_equal(f->d->n_tickets, DEMO_DEFAULT_TICKETS);
    assert_string_equal(a, b);
    assert_true(strcmp(a, c) != 0);
    free(a);
    free(b);
    free(c);
    demo_free(&again);
    demo_free(&other);
    assert_null(other);
}

/* True when the category is one of the leaves given. */
static bool
known_category(const struct fixture *f, const char *code)
{
    for (size_t i = 0; code != NULL && i < f->n_cats; i++) {
        if (strcmp(f->cats[i], code) == 0)
            return true;
    }
    return false;
}

/* Every status, resolution, nature and channel; the feature mix; basic consistency. */
static void
test_coverage(void **state)
{
    struct fixture *f = *state;
    const struct demo_data *d = f->d;
    size_t status[STATUS_COUNT] = { 0 };
    size_t nature[NATURE_COUNT] = { 0 };
    size_t channel[CHANNEL_COUNT] = { 0 };
    size_t resolution[RESOLUTION_COUNT] = { 0 };
    size_t flag[FLAG_COUNT] = { 0 };
    size_t confidential = 0, ext_approved = 0, ext_rejected = 0, urges = 0, returns = 0;
    size_t redo = 0, reopen_like = 0, assists = 0, schedules = 0, levels = 0, titles = 0;
    size_t edits = 0;

    for (size_t i = 0; i < d->n_tickets; i++) {
        const struct ticket *t = &d->tickets[i];
        struct phone ph;
        char want[24];
        struct civil_time ct;

        assert_true(t->status < STATUS_COUNT);
        status[t->status]++;
        nature[t->nature]++;
        channel[t->channel]++;
        resolution[t->resolution]++;
        for (int b = 0; b < FLAG_COUNT; b++)
            flag[b] += (t->flags >> b) & 1u;
        confidential += t->caller.confidential;
        urges += t->n_urges;
        levels += t->complaint_level != 0;
        titles += t->title != NULL && strlen(t->title) > 6;
        for (size_t k = 0; k < t->n_extensions; k++) {
            ext_approved += t->extensions[k].state == EXT_APPROVED;
            ext_rejected += t->extensions[k].state == EXT_REJECTED;
        }
        for (size_t k = 0; k < t->n_assignments; k++)
            assists += t->assignments[k].role == ROLE_ASSIST;
        /* the timeline: created first, ordered in time, ending in the ticket's status */
        assert_true(t->n_events >= 1);
        assert_string_equal(t->events[0].type, "created");
        assert_int_equal(t->events[0].at, t->created_at);
        for (size_t k = 0; k < t->n_events; k++) {
            const struct event *ev = &t->events[k];

            assert_true(ev->at <= f->now);
            if (k > 0) {
                assert_true(ev->at >= t->events[k - 1].at);
                assert_int_equal(ev->from, t->events[k - 1].to);
            }
            returns += strcmp(ev->type, "return") == 0;
            schedules += strcmp(ev->type, "schedule_callback") == 0;
            edits += strcmp(ev->type, "edited") == 0;
            if (strcmp(ev->type, "callback") == 0 && ev->to == STATUS_IN_PROGRESS)
                redo++;
            reopen_like += strcmp(ev->type, "supervise") == 0;
        }
        assert_int_equal(t->events[t->n_events - 1].to, t->status);
        assert_int_equal(t->updated_at, t->events[t->n_events - 1].at);
        assert_int_equal(t->version, (int64_t)t->n_events);
        assert_true(t->created_at >= f->now - 30 * 86400);
        assert_true(t->created_at < f->now);
        if (t->due_at <= t->created_at) {
            char *s = codec_ticket_encode(t, f->tz);

            fprintf(stderr, "%s\n", s);
            free(s);
            fail_msg("%s: due_at before acceptance", t->id);
        }
        assert_non_null(t->due_rule);
        assert_true(known_category(f, t->category));
        assert_non_null(t->description);
        assert_non_null(t->caller.phone);
        assert_true(phone_normalize(t->caller.phone, NULL, &ph) != PHONE_INVALID);
        /* id: HL + local acceptance date + daily sequence */
        tz_to_civil(f->tz, t->created_at, &ct);
        snprintf(want, sizeof want, "HL%04d%02d%02d-", ct.year, ct.month, ct.day);
        assert_true(str_starts_with(t->id, want));
        assert_int_equal(strlen(t->id), 17);
        if (i > 0) {
            assert_true(t->created_at >= d->tickets[i - 1].created_at);
            assert_true(strcmp(t->id, d->tickets[i - 1].id) != 0);
        }
        if (t->status == STATUS_CLOSED || t->status == STATUS_ARCHIVED) {
            assert_true(t->resolution != RESOLUTION_NONE);
            assert_true(t->closed_at != 0);
        } else {
            assert_int_equal(t->resolution, RESOLUTION_NONE);
        }
        if (t->resolution == RESOLUTION_DIRECT)
            assert_non_null(t->answer);
    }
    for (int s = 0; s < STATUS_COUNT; s++) {
        if (status[s] == 0)
            fail_msg("no ticket in status %s", status_str((enum status)s));
    }
    for (int n = 0; n < NATURE_COUNT; n++) {
        if (nature[n] == 0)
            fail_msg("no ticket of nature %s", nature_str((enum nature)n));
    }
    for (int c = 0; c < CHANNEL_COUNT; c++) {
        if (channel[c] == 0)
            fail_msg("no ticket from channel %s", channel_str((enum channel)c));
    }
    for (int r = RESOLUTION_DIRECT; r < RESOLUTION_COUNT; r++) {
        if (resolution[r] == 0)
            fail_msg("no ticket with resolution %s", resolution_str((enum resolution)r));
    }
    for (int b = 0; b < FLAG_COUNT; b++) {
        if (flag[b] == 0)
            fail_msg("no ticket flagged %s", flag_str(1u << b));
    }
    assert_true(flag[3] >= 5);            /* cluster */
    assert_true(status[STATUS_CLOSED] + status[STATUS_ARCHIVED] > d->n_tickets / 3);
    assert_true(confidential > 0);
    assert_true(ext_approved > 0);
    assert_true(ext_rejected + ext_approved >= 3);
    assert_true(urges > 0);
    assert_true(returns > 0);
    assert_true(redo > 0);
    assert_true(reopen_like > 0);
    assert_true(assists > 0);
    assert_true(schedules > 0);
    assert_true(edits > 0);
    assert_true(levels > 0);
    assert_int_equal(titles, d->n_tickets);
}

/* Every ticket survives encode -> decode -> encode. */
static void
test_round_trip(void **state)
{
    struct fixture *f = *state;

    for (size_t i = 0; i < f->d->n_tickets; i++) {
        char *a = codec_ticket_encode(&f->d->tickets[i], f->tz);
        struct err e;
        cJSON *j = codec_parse(a, strlen(a), &e);
        struct ticket *t;
        char *b;

        assert_non_null(j);
        t = codec_ticket_decode(j, &e);
        cJSON_Delete(j);
        if (t == NULL)
            fail_msg("ticket %zu: %s", i, e.msg);
        b = codec_ticket_encode(t, f->tz);
        assert_string_equal(a, b);
        free(a);
        free(b);
        ticket_free(&t);
    }
}

/* The cluster: 5+ different callers on one category and location, all flagged. */
static void
test_cluster_and_repeat(void **state)
{
    struct fixture *f = *state;
    const struct demo_data *d = f->d;
    char phones[16][24];
    size_t np = 0;
    size_t flagged = 0;
    size_t repeat = 0;

    for (size_t i = 0; i < d->n_tickets; i++) {
        const struct ticket *t = &d->tickets[i];
        struct phone ph;
        bool seen = false;

        if (t->location == NULL || strcmp(t->location, "西城区文化路夜市") != 0)
            continue;
        assert_string_equal(t->category, "urban.env.social_noise");
        assert_int_equal(t->nature, NATURE_COMPLAINT);
        flagged += (t->flags & FLAG_CLUSTER) != 0;
        assert_true(phone_normalize(t->caller.phone, NULL, &ph) != PHONE_INVALID);
        for (size_t k = 0; k < np; k++)
            seen = seen || strcmp(phones[k], ph.number) == 0;
        if (!seen && np < 16)
            str_copy(phones[np++], sizeof phones[0], ph.number);
    }
    assert_true(np >= 5);
    assert_int_equal(flagged, 6);
    /* repeat callers: each flagged ticket shares its phone with another ticket */
    for (size_t i = 0; i < d->n_tickets; i++) {
        const struct ticket *t = &d->tickets[i];
        struct phone a;
        bool other = false;

        if ((t->flags & FLAG_REPEAT_CALLER) == 0)
            continue;
        repeat++;
        phone_normalize(t->caller.phone, NULL, &a);
        for (size_t k = 0; k < d->n_tickets && !other; k++) {
            struct phone b;

            if (k != i && phone_normalize(d->tickets[k].caller.phone, NULL, &b) != PHONE_INVALID)
                other = strcmp(a.number, b.number) == 0;
        }
        assert_true(other);
    }
    assert_true(repeat >= 4);
}

/* Call records: a few thousand, times in order, realistic answer rate and waits. */
static void
test_calls(void **state)
{
    struct fixture *f = *state;
    const struct demo_data *d = f->d;
    size_t answered = 0;
    uint64_t wait = 0;

    assert_true(d->n_calls >= 3000);
    assert_true(d->n_calls <= 8000);
    for (size_t i = 0; i < d->n_calls; i++) {
        const struct call_record *c = &d->calls[i];

        assert_non_null(c->call_id);
        assert_non_null(c->caller);
        assert_true(c->offered_at >= f->now - 30 * 86400);
        assert_true(c->ended_at <= f->now);
        assert_true(c->ended_at >= c->offered_at);
        if (c->answered_at != 0) {
            assert_true(c->answered_at >= c->offered_at);
            assert_true(c->ended_at >= c->answered_at);
            assert_non_null(c->agent);
            answered++;
            wait += (uint64_t)(c->answered_at - c->offered_at);
        } else {
            assert_null(c->agent);
        }
        if (i > 0) {
            assert_true(c->offered_at >= d->calls[i - 1].offered_at);
            assert_true(strcmp(c->call_id, d->calls[i - 1].call_id) != 0);
        }
    }
    assert_true(answered * 100 >= d->n_calls * 88);
    assert_true(answered * 100 <= d->n_calls * 99);
    assert_true(wait / answered >= 5 && wait / answered <= 25);
    {
        /* one record through the codec */
        cJSON *j = codec_call_record_to_json(&d->calls[0], f->tz);
        struct call_record back;
        struct err e;

        assert_int_equal(codec_call_record_decode(j, &back, &e), HL_OK);
        assert_string_equal(back.call_id, d->calls[0].call_id);
        assert_int_equal(back.offered_at, d->calls[0].offered_at);
        call_record_fini(&back);
        cJSON_Delete(j);
    }
}

/* Units and users: 14 units, 6 agents, a supervisor, an admin, a user per unit. */
static void
test_people(void **state)
{
    struct fixture *f = *state;
    const struct demo_data *d = f->d;
    size_t roles[USER_ROLE_COUNT] = { 0 };
    const char *want[] = {
        "water", "gas", "urban_mgmt", "housing", "transport", "env", "market", "hr_social",
        "health", "education", "police_nonemg",
    };

    assert_int_equal(d->n_units, 14);
    for (size_t w = 0; w < ARRAY_SIZE(want); w++) {
        bool found = false;

        for (size_t i = 0; i < d->n_units; i++)
            found = found || strcmp(d->units[i].code, want[w]) == 0;
        assert_true(found);
    }
    for (size_t i = 0; i < d->n_users; i++) {
        const struct user *u = &d->users[i].user;

        roles[u->role]++;
        assert_string_equal(d->users[i].password, DEMO_PASSWORD);
        if (u->role == USER_UNIT) {
            bool found = false;

            for (size_t k = 0; k < d->n_units; k++)
                found = found || strcmp(d->units[k].code, u->unit) == 0;
            assert_true(found);
        } else {
            assert_null(u->unit);
        }
    }
    assert_int_equal(roles[USER_AGENT], 6);
    assert_int_equal(roles[USER_SUPERVISOR], 1);
    assert_int_equal(roles[USER_ADMIN], 1);
    assert_int_equal(roles[USER_UNIT], 14);
    /* every assignment names a known unit */
    for (size_t i = 0; i < d->n_tickets; i++) {
        for (size_t k = 0; k < d->tickets[i].n_assignments; k++) {
            bool found = false;

            for (size_t u = 0; u < d->n_units; u++)
                found = found || strcmp(d->units[u].code, d->tickets[i].assignments[k].unit) == 0;
            assert_true(found);
        }
    }
}

/* The demo data through stats: no KPI sees contradictory counts. */
static void
test_stats_consistent(void **state)
{
    struct fixture *f = *state;
    struct stats_ctx sc;

    memset(&sc, 0, sizeof sc);
    sc.rules = f->rules;
    sc.cal = f->cal;
    sc.tz = f->tz;
    sc.kpis = f->kpis;
    for (int g = 0; g < STATS_GROUP_COUNT; g++) {
        struct stats *s = stats_new(&sc, (enum stats_group)g, f->now - 30 * 86400, f->now,
                                    f->now);
        cJSON *j;
        const cJSON *entry;
        size_t entries = 0;

        for (size_t i = 0; i < f->d->n_tickets; i++)
            stats_add_ticket(s, &f->d->tickets[i]);
        for (size_t i = 0; i < f->d->n_calls; i++)
            stats_add_call_record(s, &f->d->calls[i]);
        assert_int_equal(stats_counts(s, NULL)->requests_total, f->d->n_tickets);
        assert_true(stats_counts(s, NULL)->calls_offered >= 3000);
        j = stats_to_json(s);
        cJSON_ArrayForEach(entry, cJSON_GetObjectItemCaseSensitive(j, "groups")) {
            const cJSON *k;

            entries++;
            cJSON_ArrayForEach(k, cJSON_GetObjectItemCaseSensitive(entry, "kpis")) {
                const cJSON *st = cJSON_GetObjectItemCaseSensitive(k, "status");

                if (cJSON_IsString(st) && strcmp(st->valuestring, "invalid_counts") == 0)
                    fail_msg("group %d key %s: %s has invalid counts", g,
                             cJSON_GetObjectItemCaseSensitive(entry, "key")->valuestring,
                             cJSON_GetObjectItemCaseSensitive(k, "id")->valuestring);
            }
        }
        {
            const cJSON *k;

            cJSON_ArrayForEach(k, cJSON_GetObjectItemCaseSensitive(
                                      cJSON_GetObjectItemCaseSensitive(j, "overall"), "kpis")) {
                const cJSON *st = cJSON_GetObjectItemCaseSensitive(k, "status");

                assert_false(cJSON_IsString(st) && strcmp(st->valuestring, "invalid_counts") == 0);
            }
        }
        assert_int_equal(entries, stats_group_count(s));
        if (g != STATS_GROUP_NONE)
            assert_true(entries >= 2);
        cJSON_Delete(j);
        stats_free(&s);
    }
}

/* Small and odd inputs: no crash, still deterministic, NULL context refused. */
static void
test_small_inputs(void **state)
{
    struct fixture *f = *state;
    struct wf_ctx bad = { NULL, NULL, NULL };
    struct demo_data *d;
    const char *one[] = { "other.elderly" };

    assert_null(demo_generate(NULL, f->now, 1, 10, NULL, 0));
    assert_null(demo_generate(&bad, f->now, 1, 10, NULL, 0));
    for (int n = 1; n <= 12; n += 11) {
        d = gen(f, 7, n);
        assert_non_null(d);
        assert_int_equal(d->n_tickets, (size_t)n);
        demo_free(&d);
    }
    /* no category list: the templates' own codes */
    d = demo_generate(&f->ctx, f->now, 9, 60, NULL, 0);
    assert_int_equal(d->n_tickets, 60);
    demo_free(&d);
    /* a one-leaf tree: every ticket uses it, with generic texts */
    d = demo_generate(&f->ctx, f->now, 9, 40, one, 1);
    for (size_t i = 0; i < d->n_tickets; i++)
        assert_string_equal(d->tickets[i].category, "other.elderly");
    demo_free(&d);
    demo_free(&d);
}

/* Run the demo tests. */
int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_coverage),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_cluster_and_repeat),
        cmocka_unit_test(test_calls),
        cmocka_unit_test(test_people),
        cmocka_unit_test(test_stats_consistent),
        cmocka_unit_test(test_small_inputs),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
