/* fuzz_rules: rules_parse with the bytes as the rules file and as an override over the real
 * data/rules.json, then deadlines, checks, transitions and flags on sample tickets. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "hotline/calendar.h"
#include "hotline/codec.h"
#include "hotline/rules.h"
#include "hotline/text.h"
#include "hotline/tz.h"
#include "hotline/util.h"

/* 2026-03-03T10:00:00+08:00, a Tuesday. */
#define T0 ((hl_time)1772503200)
#define HOUR ((hl_time)3600)
#define DAY ((hl_time)86400)

/* What every input shares, loaded once: the real rules text and calendar, the zone. */
struct fixture {
    char *rules_text;
    size_t rules_len;
    struct calendar *cal;
    struct tz *tz;
};

/* The fixture, built on first use (libFuzzer runs inputs one after another). */
static const struct fixture *
fixture(void)
{
    static struct fixture f;
    static bool ready;

    if (!ready) {
        char *path = fuzz_data_path("holidays-cn.json");
        struct err e;
        cJSON *j;

        f.rules_text = fuzz_data_file("rules.json", &f.rules_len);
        j = codec_parse(f.rules_text, f.rules_len, &e);
        FUZZ_CHECK(j != NULL, "%s does not pass codec_parse: %s", "rules.json", e.msg);
        cJSON_Delete(j);
        f.cal = calendar_load(path, &e);
        FUZZ_CHECK(f.cal != NULL, "cannot load %s: %s", path, e.msg);
        free(path);
        f.tz = tz_fixed("Asia/Shanghai", 8 * 3600);
        ready = true;
    }
    return &f;
}

/* A ticket of nature n in status s, accepted at T0 - age. */
static struct ticket *
sample(enum nature n, enum status s, int level, hl_time age)
{
    struct ticket *t = ticket_new();

    t->id = xstrdup("HL20260303-000001");
    t->channel = CHANNEL_PHONE;
    t->nature = n;
    t->status = s;
    t->complaint_level = n == NATURE_COMPLAINT ? level : 0;
    t->created_at = T0 - age;
    t->created_by = xstrdup("agent1");
    return t;
}

/* Add a dispatched assignment. */
static void
assign(struct ticket *t, const char *unit, enum assign_role role, hl_time at,
       enum assign_state st)
{
    struct assignment *a = ticket_add_assignment(t);

    a->unit = xstrdup(unit);
    a->role = role;
    a->dispatched_at = at;
    a->due_at = t->due_at;
    a->state = st;
    if (st == ASSIGN_REPLIED) {
        a->reply = xstrdup("已办理");
        a->replied_at = at + 2 * HOUR;
    }
}

/* A verdict is consistent whatever it says. */
static void
check_verdict(const struct verdict *v, const char *what, bool utf8)
{
    FUZZ_CHECK(v->code != NULL && v->code[0] != '\0', "%s: verdict without code", what);
    FUZZ_CHECK(v->ok == (v->kind == VERDICT_OK), "%s: ok %d but kind %d", what, v->ok,
               (int)v->kind);
    FUZZ_CHECK(v->ok == (strcmp(v->code, "ok") == 0), "%s: ok %d but code %s", what, v->ok,
               v->code);
    FUZZ_CHECK(memchr(v->rule, '\0', sizeof v->rule) != NULL, "%s: rule not terminated", what);
    FUZZ_CHECK(memchr(v->message, '\0', sizeof v->message) != NULL, "%s: message", what);
    /* Rule ids and labels come from the files: UTF-8 in, UTF-8 out. */
    FUZZ_CHECK(!utf8 || text_utf8_valid(v->message, strlen(v->message)),
               "%s: message not UTF-8", what);
    FUZZ_CHECK(!utf8 || text_utf8_valid(v->rule, strlen(v->rule)), "%s: rule not UTF-8", what);
    if (!v->ok)
        FUZZ_CHECK(v->message[0] != '\0', "%s: refusal %s without a message", what, v->code);
}

/* A computed deadline is well formed. */
static void
check_due(const struct rule_due *d, const char *what, bool utf8)
{
    FUZZ_CHECK(memchr(d->rule, '\0', sizeof d->rule) != NULL, "%s: rule", what);
    FUZZ_CHECK(memchr(d->label, '\0', sizeof d->label) != NULL, "%s: label", what);
    FUZZ_CHECK(memchr(d->warning, '\0', sizeof d->warning) != NULL, "%s: warning", what);
    FUZZ_CHECK(!utf8 || (text_utf8_valid(d->rule, strlen(d->rule))
               && text_utf8_valid(d->label, strlen(d->label))
               && text_utf8_valid(d->calendar, strlen(d->calendar))
               && text_utf8_valid(d->warning, strlen(d->warning))), "%s: not UTF-8", what);
    FUZZ_CHECK(d->fallback == (d->warning[0] != '\0'), "%s: fallback %d, warning \"%s\"", what,
               d->fallback, d->warning);
}

/* Every action for several actors and bodies on t at now. */
static void
check_actions(const struct rules *r, const struct fixture *f, const struct ticket *t,
              hl_time now, bool utf8)
{
    static const struct rule_actor actors[] = {
        { USER_AGENT, NULL, "agent1" },
        { USER_UNIT, "city.housing", "unit1" },
        { USER_UNIT, "city.police", "unit2" },
        { USER_UNIT, "county.water", "unit3" },
        { USER_SUPERVISOR, NULL, "sup1" },
        { USER_ADMIN, NULL, "admin" },
    };
    char lead[] = "city.housing", assist[] = "city.police";
    char answer[] = "答复", reason[] = "原因", reply[] = "已办结";
    struct action_unit units[2] = { { lead, ROLE_LEAD }, { assist, ROLE_ASSIST } };
    struct action_body body;
    size_t k;
    int a;

    for (a = 0; a < ACTION_COUNT; a++) {
        memset(&body, 0, sizeof body);
        body.action = (enum action)a;
        body.answer = answer;
        body.units = units;
        body.n_units = 2;
        body.reason = reason;
        body.reply = reply;
        body.days = 3;
        body.approve = true;
        body.at = now + 2 * HOUR;
        body.outcome = CB_REACHED;
        body.satisfaction = SAT_SATISFIED;
        for (k = 0; k < ARRAY_SIZE(actors); k++) {
            struct verdict v;
            struct transition tr;

            rules_check(r, f->cal, f->tz, t, (enum action)a, &actors[k], now, &v);
            check_verdict(&v, action_str((enum action)a), utf8);
            rules_check_args(r, f->cal, f->tz, t, (enum action)a, &actors[k], &body, now, &v);
            check_verdict(&v, action_str((enum action)a), utf8);
            if (v.ok) {
                rules_transition(r, f->cal, f->tz, t, (enum action)a, &actors[k], &body, now,
                                 &tr);
                FUZZ_CHECK((unsigned)tr.status < STATUS_COUNT, "%s: transition to %d",
                           action_str((enum action)a), (int)tr.status);
                if (tr.set_due)
                    check_due(&tr.due, "transition due", utf8);
            }
        }
    }
}

/* What a loaded rule set answers, over a few sample tickets. */
static void
exercise(const struct rules *r, const struct fixture *f, bool utf8_in, bool strict_in)
{
    static const enum status statuses[] = {
        STATUS_ACCEPTED, STATUS_DISPATCHED, STATUS_IN_PROGRESS, STATUS_REPLIED, STATUS_CLOSED,
    };
    struct verdict v;
    const char *json = rules_json(r);
    const char *profile = rules_profile(r);
    cJSON *j;
    struct err e;
    int n, level;
    size_t s;

    FUZZ_CHECK(profile != NULL && text_utf8_valid(profile, strlen(profile)), "rules_profile");
    FUZZ_CHECK(json != NULL, "rules_json is NULL");
    /* Compact JSON for GET /meta, which the console reads with codec_parse: when the
     * files pass codec_parse (UTF-8, no duplicate keys ...), so must the result. */
    j = strict_in ? codec_parse(json, strlen(json), &e) : cJSON_Parse(json);
    FUZZ_CHECK(j != NULL, "rules_json does not parse: %s", e.msg);
    cJSON_Delete(j);
    (void)rules_deadline_mode(r);
    (void)rules_cluster_min_callers(r);
    (void)rules_cluster_days(r);
    (void)rules_urge_max(r);
    (void)rules_unreachable_attempts(r);
    FUZZ_CHECK(rules_extension_max_days(r) >= 0, "negative extension days");
    for (n = -1; n <= 9; n++) {
        rules_check_extension_days(r, n, &v);
        check_verdict(&v, "extension days", utf8_in);
    }
    /* A deadline for every nature and complaint level. */
    for (n = 0; n < NATURE_COUNT; n++) {
        (void)rules_callback_required(r, (enum nature)n);
        for (level = 0; level <= 3; level++) {
            struct ticket *t = sample((enum nature)n, STATUS_ACCEPTED, level, 0);
            struct rule_due d, redo;

            if (level == 1)
                t->urgency = URGENCY_EMERGENCY;
            if (level == 2)
                t->requested_due = T0 + 5 * HOUR;
            rules_due(r, f->cal, f->tz, t, T0, &d);
            check_due(&d, "rules_due", utf8_in);
            rules_redo_due(r, f->cal, f->tz, t, T0 + DAY, &redo);
            check_due(&redo, "rules_redo_due", utf8_in);
            ticket_free(&t);
            if (n != NATURE_COMPLAINT && level > 0)
                break;
        }
    }
    /* Checks and flags on tickets in several states. */
    for (s = 0; s < ARRAY_SIZE(statuses); s++) {
        struct ticket *t = sample(NATURE_COMPLAINT, statuses[s], 2, 30 * HOUR);
        struct rule_due d;

        rules_due(r, f->cal, f->tz, t, t->created_at, &d);
        t->due_at = d.due;
        t->due_rule = xstrdup(d.rule);
        if (statuses[s] != STATUS_ACCEPTED) {
            assign(t, "city.housing", ROLE_LEAD, t->created_at + HOUR,
                   statuses[s] == STATUS_DISPATCHED ? ASSIGN_DISPATCHED
                   : statuses[s] == STATUS_IN_PROGRESS ? ASSIGN_ACCEPTED : ASSIGN_REPLIED);
            assign(t, "city.police", ROLE_ASSIST, t->created_at + HOUR, ASSIGN_DISPATCHED);
            (void)rules_return_window_end(r, f->cal, f->tz, t->created_at + HOUR);
        }
        if (statuses[s] == STATUS_REPLIED) {
            struct callback *cb = ticket_add_callback(t);

            t->callback_due_at = rules_callback_due(r, f->cal, f->tz, t, T0 - 20 * HOUR);
            cb->at = T0 - 10 * HOUR;
            cb->outcome = CB_NO_ANSWER;
        }
        if (statuses[s] == STATUS_IN_PROGRESS) {
            struct urge *u = ticket_add_urge(t);

            u->at = T0 - 5 * HOUR;
            u->by = xstrdup("agent1");
        }
        (void)rules_urge_from(r, t);
        (void)rules_flags(r, f->cal, f->tz, t, T0);
        check_actions(r, f, t, T0, utf8_in);
        ticket_free(&t);
    }
}

/* Load and exercise one variant; rules or an error, never both. */
static void
try_rules(const char *json, size_t len, const char *profile, const char *over,
          size_t over_len, bool strict_in, const struct fixture *f)
{
    bool utf8_in = text_utf8_valid(json, len)
                   && (over == NULL || text_utf8_valid(over, over_len));
    struct rules *r;
    struct err e;

    err_clear(&e);
    r = rules_parse(json, len, "rules.json", profile, over, over_len,
                    over != NULL ? "override.json" : NULL, &e);
    if (r == NULL) {
        FUZZ_CHECK(e.code != HL_OK && e.msg[0] != '\0', "rules_parse failed without error");
        /* The loader echoes names from the files: UTF-8 in, UTF-8 out. */
        if (utf8_in) {
            FUZZ_CHECK(text_utf8_valid(e.msg, strlen(e.msg)), "rules error message not UTF-8");
            FUZZ_CHECK(text_utf8_valid(e.field, strlen(e.field)), "rules error field not UTF-8");
        }
        return;
    }
    exercise(r, f, utf8_in, strict_in);
    rules_free(&r);
    FUZZ_CHECK(r == NULL, "rules_free did not NULL the pointer");
}

/* One input: a rules document, and the same bytes as an override. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct fixture *f = fixture();
    struct err e;
    cJSON *strict = codec_parse((const char *)data, size, &e);
    bool clean = strict != NULL;

    cJSON_Delete(strict);
    try_rules((const char *)data, size, NULL, NULL, 0, clean, f);
    try_rules((const char *)data, size, "95198", NULL, 0, clean, f);
    try_rules(f->rules_text, f->rules_len, NULL, (const char *)data, size, clean, f);
    try_rules(f->rules_text, f->rules_len, "956100", (const char *)data, size, clean, f);
    return 0;
}
