/* Tests of model: enum tables, labels, lists, ticket and article lifecycles. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hotline/model.h"
#include "hotline/util.h"

/* Every value of an enum maps to a string and back, and the strings are the documented ones. */
static void
test_enum_round_trips(void **state)
{
    int i;

    (void)state;
#define ROUND_TRIP(type, count)                                               \
    for (i = 0; i < (count); i++) {                                           \
        enum type v;                                                          \
        const char *s = type##_str((enum type)i);                             \
        assert_non_null(s);                                                   \
        assert_string_not_equal(s, "?");                                      \
        assert_true(type##_parse(s, &v));                                     \
        assert_int_equal(v, i);                                               \
    }
    ROUND_TRIP(channel, CHANNEL_COUNT);
    ROUND_TRIP(salutation, SALUTATION_COUNT);
    ROUND_TRIP(nature, NATURE_COUNT);
    ROUND_TRIP(urgency, URGENCY_COUNT);
    ROUND_TRIP(status, STATUS_COUNT);
    ROUND_TRIP(resolution, RESOLUTION_COUNT);
    ROUND_TRIP(assign_role, ASSIGN_ROLE_COUNT);
    ROUND_TRIP(assign_state, ASSIGN_STATE_COUNT);
    ROUND_TRIP(ext_state, EXT_STATE_COUNT);
    ROUND_TRIP(cb_outcome, CB_OUTCOME_COUNT);
    ROUND_TRIP(satisfaction, SAT_COUNT);
    ROUND_TRIP(user_role, USER_ROLE_COUNT);
    ROUND_TRIP(kb_kind, KB_KIND_COUNT);
    ROUND_TRIP(kb_scope, KB_SCOPE_COUNT);
    ROUND_TRIP(kb_status, KB_STATUS_COUNT);
    ROUND_TRIP(call_event_type, CALL_EVENT_COUNT);
#undef ROUND_TRIP
}

/* The wire strings are exactly those of DESIGN §3. */
static void
test_wire_strings(void **state)
{
    (void)state;
    assert_string_equal(channel_str(CHANNEL_WALK_IN), "walk_in");
    assert_string_equal(channel_str(CHANNEL_PHONE), "phone");
    assert_string_equal(status_str(STATUS_IN_PROGRESS), "in_progress");
    assert_string_equal(status_str(STATUS_CALLBACK), "callback");
    assert_string_equal(assign_state_str(ASSIGN_DISPATCHED), "dispatched");
    assert_string_equal(assign_state_str(ASSIGN_ACCEPTED), "accepted");
    assert_string_equal(assign_state_str(ASSIGN_RETURNED), "returned");
    assert_string_equal(assign_state_str(ASSIGN_REPLIED), "replied");
    assert_string_equal(ext_state_str(EXT_PENDING), "pending");
    assert_string_equal(ext_state_str(EXT_REJECTED), "rejected");
    assert_string_equal(kb_kind_str(KB_KNOWLEDGE), "knowledge");
    assert_string_equal(kb_kind_str(KB_NOTICE), "notice");
    assert_string_equal(salutation_str(SALUTATION_NONE), "");
    assert_string_equal(salutation_str(SALUTATION_MR), "先生");
    assert_string_equal(salutation_str(SALUTATION_MS), "女士");
    assert_string_equal(resolution_str(RESOLUTION_NONE), "");
    assert_string_equal(resolution_str(RESOLUTION_UNREACHABLE), "unreachable");
    assert_string_equal(satisfaction_str(SAT_NONE), "");
    assert_string_equal(satisfaction_str(SAT_DISSATISFIED), "dissatisfied");
    assert_string_equal(cb_outcome_str(CB_WRONG_NUMBER), "wrong_number");
    assert_string_equal(nature_str(NATURE_REPAIR), "repair");
    assert_string_equal(urgency_str(URGENCY_EMERGENCY), "emergency");
    assert_string_equal(user_role_str(USER_SUPERVISOR), "supervisor");
    assert_string_equal(kb_scope_str(KB_LOCAL), "local");
    assert_string_equal(kb_status_str(KB_REVIEW), "review");
    assert_string_equal(assign_role_str(ROLE_ASSIST), "assist");
    assert_string_equal(call_event_type_str(CALL_NEW), "new_call");
    assert_string_equal(call_event_type_str(CALL_HANGUP), "hangup");
}

/* Unknown strings, NULL, case variants and out-of-range values are refused. */
static void
test_enum_rejects(void **state)
{
    enum channel c = CHANNEL_SMS;
    enum status s = STATUS_CLOSED;
    enum kb_kind k = KB_CASE;
    enum nature n = NATURE_PRAISE;

    (void)state;
    assert_false(channel_parse("Phone", &c));
    assert_false(channel_parse("walk-in", &c));
    assert_false(channel_parse("", &c));
    assert_false(channel_parse(NULL, &c));
    assert_int_equal(c, CHANNEL_SMS);   /* untouched on failure */
    assert_false(status_parse("已受理", &s));
    assert_false(status_parse("in progress", &s));
    assert_int_equal(s, STATUS_CLOSED);
    assert_false(kb_kind_parse("公告", &k));
    assert_false(nature_parse("咨询", &n));
    assert_false(nature_parse("", &n));
    assert_int_equal(n, NATURE_PRAISE);
    assert_string_equal(channel_str(CHANNEL_COUNT), "?");
    assert_string_equal(status_str((enum status)-1), "?");
    assert_string_equal(status_label(STATUS_COUNT), "?");
    assert_string_equal(nature_label(NATURE_COUNT), "?");
    assert_string_equal(kb_kind_label(KB_KIND_COUNT), "?");
}

/* The seeds' extra natures file under the nine. */
static void
test_nature_aliases(void **state)
{
    enum nature n = NATURE_ALARM;

    (void)state;
    assert_true(nature_parse("query", &n));
    assert_int_equal(n, NATURE_CONSULT);
    assert_true(nature_parse("opinion", &n));
    assert_int_equal(n, NATURE_SUGGESTION);
    assert_true(nature_parse("service", &n));
    assert_int_equal(n, NATURE_SERVICE);
    assert_false(nature_parse("services", &n));
    assert_false(nature_parse("service.install", &n));
}

/* Chinese labels of natures, statuses and kinds; kinds parse from their labels too. */
static void
test_labels(void **state)
{
    static const char *const statuses[] = {
        "已受理", "已转办", "办理中", "已退回", "已回复", "待回访", "已办结", "已归档",
    };
    static const char *const natures[] = {
        "咨询", "求助", "投诉", "举报", "建议", "表扬", "报警", "故障报修", "服务申请",
    };
    static const char *const kinds[] = {
        "业务知识", "操作指引", "典型案例", "技术规范", "紧急公告",
    };
    enum kb_kind k;
    int i;

    (void)state;
    for (i = 0; i < STATUS_COUNT; i++)
        assert_string_equal(status_label((enum status)i), statuses[i]);
    for (i = 0; i < NATURE_COUNT; i++)
        assert_string_equal(nature_label((enum nature)i), natures[i]);
    for (i = 0; i < KB_KIND_COUNT; i++) {
        assert_string_equal(kb_kind_label((enum kb_kind)i), kinds[i]);
        k = KB_KIND_COUNT;
        assert_true(kb_kind_parse(kinds[i], &k));
        assert_int_equal(k, i);
    }
    assert_true(kb_kind_parse("紧急公告", &k));
    assert_int_equal(k, KB_NOTICE);
    assert_true(kb_kind_parse("操作指引", &k));
    assert_int_equal(k, KB_GUIDE);
}

/* Flags: one name per bit, nothing for combinations or unknown bits. */
static void
test_flags(void **state)
{
    static const char *const names[FLAG_COUNT] = {
        "near_due", "overdue", "repeat_caller", "cluster", "emergency", "dissatisfied",
        "late_dispatch", "supervised",
    };
    unsigned bit = 0;
    int i;

    (void)state;
    for (i = 0; i < FLAG_COUNT; i++) {
        assert_string_equal(flag_str(1u << i), names[i]);
        assert_true(flag_parse(names[i], &bit));
        assert_int_equal(bit, 1u << i);
    }
    assert_int_equal(FLAG_LATE_DISPATCH, 1 << 6);
    assert_string_equal(flag_str(FLAG_CLUSTER), "cluster");
    assert_null(flag_str(0));
    assert_null(flag_str(FLAG_OVERDUE | FLAG_NEAR_DUE));
    assert_null(flag_str(1u << FLAG_COUNT));
    assert_false(flag_parse("late-dispatch", &bit));
    assert_false(flag_parse(NULL, &bit));
}

/* strlist copies, keeps order, and empties on fini (twice is harmless). */
static void
test_strlist(void **state)
{
    struct strlist l = { NULL, 0 };
    char buf[16];
    int i;

    (void)state;
    for (i = 0; i < 10; i++) {
        snprintf(buf, sizeof buf, "KB-%04d", i);
        strlist_add(&l, buf);
    }
    strlist_add(&l, "噪音");
    strlist_add(&l, NULL);
    assert_int_equal(l.n, 12);
    assert_string_equal(l.v[0], "KB-0000");
    assert_string_equal(l.v[9], "KB-0009");
    assert_string_equal(l.v[10], "噪音");
    assert_string_equal(l.v[11], "");
    strlist_fini(&l);
    assert_null(l.v);
    assert_int_equal(l.n, 0);
    strlist_fini(&l);
    strlist_fini(NULL);
}

/* ticket_new gives the defaults; add_* grow one zeroed entry at a time. */
static void
test_ticket_lifecycle(void **state)
{
    struct ticket *t = ticket_new();
    struct assignment *a;
    struct event *ev;
    int i;

    (void)state;
    assert_non_null(t);
    assert_null(t->id);
    assert_int_equal(t->channel, CHANNEL_PHONE);
    assert_int_equal(t->nature, NATURE_CONSULT);
    assert_int_equal(t->urgency, URGENCY_NORMAL);
    assert_int_equal(t->status, STATUS_ACCEPTED);
    assert_int_equal(t->resolution, RESOLUTION_NONE);
    assert_int_equal(t->complaint_level, 0);
    assert_int_equal(t->n_assignments, 0);
    assert_null(ticket_lead(t));
    assert_true(ticket_is_open(t));

    t->id = xstrdup("HL20261122-000042");
    t->title = xstrdup("夜间施工噪音");
    strlist_add(&t->kb_refs, "KB-0001");
    for (i = 0; i < 5; i++) {
        a = ticket_add_assignment(t);
        assert_null(a->unit);
        assert_int_equal(a->role, ROLE_LEAD);   /* zeroed: lead is 0 */
        a->role = ROLE_ASSIST;
        a->unit = xasprintf("unit%d", i);
        a->reply = xstrdup("已处理");
    }
    t->assignments[3].role = ROLE_LEAD;
    assert_int_equal(t->n_assignments, 5);
    assert_ptr_equal(ticket_lead(t), &t->assignments[3]);
    assert_string_equal(ticket_lead(t)->unit, "unit3");

    for (i = 0; i < 40; i++) {
        ev = ticket_add_event(t);
        assert_int_equal(ev->at, 0);
        ev->at = 1000 + i;
        ev->type = xstrdup("edited");
    }
    assert_int_equal(t->n_events, 40);
    assert_int_equal(t->events[39].at, 1039);

    ticket_add_extension(t)->reason = xstrdup("需要现场勘查");
    ticket_add_urge(t)->note = xstrdup("请尽快");
    ticket_add_supervision(t)->by = xstrdup("sup1");
    ticket_add_callback(t)->note = xstrdup("无人接听");
    assert_int_equal(t->n_extensions, 1);
    assert_int_equal(t->n_urges, 1);
    assert_int_equal(t->n_supervisions, 1);
    assert_int_equal(t->n_callbacks, 1);

    ticket_free(&t);
    assert_null(t);
    ticket_free(&t);
    ticket_free(NULL);
}

/* An array built elsewhere with malloc(n) can still be extended. */
static void
test_ticket_add_after_malloc(void **state)
{
    struct ticket t;

    (void)state;
    memset(&t, 0, sizeof t);
    t.urges = xcalloc(3, sizeof *t.urges);
    t.n_urges = 3;
    ticket_add_urge(&t)->note = xstrdup("第四次");
    assert_int_equal(t.n_urges, 4);
    assert_string_equal(t.urges[3].note, "第四次");
    assert_null(t.urges[2].note);
    ticket_fini(&t);
    assert_int_equal(t.n_urges, 0);
    assert_null(t.urges);
}

/* Open means neither closed nor archived. */
static void
test_ticket_is_open(void **state)
{
    struct ticket t;
    int s;

    (void)state;
    memset(&t, 0, sizeof t);
    for (s = 0; s < STATUS_COUNT; s++) {
        t.status = (enum status)s;
        assert_int_equal(ticket_is_open(&t), s != STATUS_CLOSED && s != STATUS_ARCHIVED);
    }
}

/* Masking drops name, phone and address and keeps the rest. */
static void
test_mask_caller(void **state)
{
    struct ticket *t = ticket_new();

    (void)state;
    t->caller.name = xstrdup("张三丰");
    t->caller.salutation = SALUTATION_MR;
    t->caller.phone = xstrdup("13812345678");
    t->caller.address = xstrdup("示例市幸福路1号");
    t->caller.org = xstrdup("示例公司");
    t->caller.confidential = true;
    t->description = xstrdup("楼下烧烤店油烟大");
    ticket_mask_caller(t);
    assert_null(t->caller.name);
    assert_null(t->caller.phone);
    assert_null(t->caller.address);
    assert_string_equal(t->caller.org, "示例公司");
    assert_int_equal(t->caller.salutation, SALUTATION_MR);
    assert_true(t->caller.confidential);
    assert_string_equal(t->description, "楼下烧烤店油烟大");
    ticket_mask_caller(t);     /* twice is harmless */
    ticket_mask_caller(NULL);
    ticket_free(&t);
}

/* Articles, users and call records release what they own. */
static void
test_other_lifecycles(void **state)
{
    struct article *a = article_new();
    struct user u = { xstrdup("u1"), xstrdup("李四"), USER_UNIT, xstrdup("city.housing") };
    struct call_event ce = { xstrdup("c1"), CALL_ANSWER, xstrdup("13812345678"),
                             xstrdup("q1"), xstrdup("agent7"), 1700000000 };
    struct call_record cr = { xstrdup("c1"), xstrdup("13812345678"), xstrdup("q1"),
                              xstrdup("agent7"), 1, 2, 3 };

    (void)state;
    assert_int_equal(a->kind, KB_KNOWLEDGE);
    assert_int_equal(a->scope, KB_NATIONAL);
    assert_int_equal(a->status, KB_DRAFT);
    assert_true(a->valid_to == INT64_MAX);
    a->id = xstrdup("KB-0001");
    a->body = xstrdup("正文");
    strlist_add(&a->tags, "12345");
    article_free(&a);
    assert_null(a);
    article_free(&a);

    user_fini(&u);
    assert_null(u.id);
    assert_null(u.unit);
    user_fini(NULL);
    call_event_fini(&ce);
    assert_null(ce.call_id);
    assert_int_equal(ce.at, 0);
    call_record_fini(&cr);
    assert_null(cr.agent);
    assert_int_equal(cr.ended_at, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_enum_round_trips),
        cmocka_unit_test(test_wire_strings),
        cmocka_unit_test(test_enum_rejects),
        cmocka_unit_test(test_nature_aliases),
        cmocka_unit_test(test_labels),
        cmocka_unit_test(test_flags),
        cmocka_unit_test(test_strlist),
        cmocka_unit_test(test_ticket_lifecycle),
        cmocka_unit_test(test_ticket_add_after_malloc),
        cmocka_unit_test(test_ticket_is_open),
        cmocka_unit_test(test_mask_caller),
        cmocka_unit_test(test_other_lifecycles),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
