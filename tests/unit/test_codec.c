/* Tests of codec: the JSON wire format, strict decoding, hostile input. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "hotline/codec.h"
#include "hotline/text.h"
#include "hotline/util.h"

/* 2026-11-22T09:30:00+08:00 = 2026-11-22T01:30:00Z. */
#define T0 ((hl_time)1795311000)
/* 2024-01-01 as a day number. */
#define DAY_2024_01_01 19723

/* ---- helpers ---- */

/* Parse a NUL-terminated JSON text, failing the test when it does not parse. */
static cJSON *
parse_ok(const char *text)
{
    struct err e;
    cJSON *j;

    err_clear(&e);
    j = codec_parse(text, strlen(text), &e);
    if (j == NULL)
        fail_msg("parse failed: %s [%s]", e.msg, text);
    assert_int_equal(e.code, HL_OK);
    return j;
}

/* Parse len bytes of text and expect the error field and message. */
static void
parse_fails_n(const char *text, size_t len, const char *field, const char *msg)
{
    struct err e;
    cJSON *j;

    err_clear(&e);
    j = codec_parse(text, len, &e);
    if (j != NULL) {
        cJSON_Delete(j);
        fail_msg("parse unexpectedly succeeded: %.80s", text);
    }
    assert_int_equal(e.code, HL_EINVAL);
    assert_string_equal(e.field, field);
    assert_string_equal(e.msg, msg);
}

/* Parse a NUL-terminated text and expect the error field and message. */
static void
parse_fails(const char *text, const char *field, const char *msg)
{
    parse_fails_n(text, strlen(text), field, msg);
}

/* Decode a create body and expect an error at field with message msg. */
static void
create_fails(const char *body, const char *field, const char *msg)
{
    struct ticket *t;
    struct err e;
    cJSON *j = parse_ok(body);

    err_clear(&e);
    t = codec_ticket_create_decode(j, &e);
    cJSON_Delete(j);
    if (t != NULL) {
        ticket_free(&t);
        fail_msg("create unexpectedly succeeded: %s", body);
    }
    assert_int_equal(e.code, HL_EINVAL);
    assert_string_equal(e.field, field);
    assert_string_equal(e.msg, msg);
}

/* Decode a create body and expect an error at field whose message starts with prefix. */
static void
create_fails_prefix(const char *body, const char *field, const char *prefix)
{
    struct ticket *t;
    struct err e;
    cJSON *j = parse_ok(body);

    err_clear(&e);
    t = codec_ticket_create_decode(j, &e);
    cJSON_Delete(j);
    if (t != NULL) {
        ticket_free(&t);
        fail_msg("create unexpectedly succeeded: %s", body);
    }
    assert_int_equal(e.code, HL_EINVAL);
    assert_string_equal(e.field, field);
    if (strncmp(e.msg, prefix, strlen(prefix)) != 0)
        fail_msg("message \"%s\" does not start with \"%s\"", e.msg, prefix);
}

/* Decode a create body that must succeed. */
static struct ticket *
create_ok(const char *body)
{
    struct ticket *t;
    struct err e;
    cJSON *j = parse_ok(body);

    err_clear(&e);
    t = codec_ticket_create_decode(j, &e);
    cJSON_Delete(j);
    if (t == NULL)
        fail_msg("create failed: %s (field %s) [%s]", e.msg, e.field, body);
    return t;
}

/* Decode an action body and expect an error. */
static void
action_fails(enum action a, const char *body, const char *field, const char *msg)
{
    struct action_body b;
    struct err e;
    cJSON *j = parse_ok(body);
    int rc;

    err_clear(&e);
    rc = codec_action_decode(a, j, &b, &e);
    cJSON_Delete(j);
    if (rc == HL_OK) {
        codec_action_fini(&b);
        fail_msg("%s unexpectedly succeeded: %s", action_str(a), body);
    }
    assert_int_equal(rc, HL_EINVAL);
    assert_int_equal(e.code, HL_EINVAL);
    assert_string_equal(e.field, field);
    assert_string_equal(e.msg, msg);
    /* released on error */
    assert_null(b.answer);
    assert_null(b.units);
    assert_null(b.kb_refs.v);
}

/* Decode an action body that must succeed. */
static void
action_ok(enum action a, const char *body, struct action_body *b)
{
    struct err e;
    cJSON *j = parse_ok(body);
    int rc;

    err_clear(&e);
    rc = codec_action_decode(a, j, b, &e);
    cJSON_Delete(j);
    if (rc != HL_OK)
        fail_msg("%s failed: %s [%s]", action_str(a), e.msg, body);
}

/* A string of n copies of a UTF-8 character. */
static char *
repeat(const char *ch, size_t n)
{
    struct strbuf sb;
    size_t i;

    strbuf_init(&sb);
    for (i = 0; i < n; i++)
        strbuf_adds(&sb, ch);
    return strbuf_detach(&sb);
}

/* ---- a fully populated ticket ---- */

/* A ticket with every field set, Chinese text throughout. */
static struct ticket *
full_ticket(void)
{
    struct ticket *t = ticket_new();
    struct assignment *a;
    struct extension *x;
    struct urge *u;
    struct callback *cb;
    struct event *ev;

    t->id = xstrdup("HL20261122-000042");
    t->version = 7;
    t->channel = CHANNEL_WALK_IN;
    t->caller.name = xstrdup("王小明");
    t->caller.salutation = SALUTATION_MS;
    t->caller.phone = xstrdup("010-12345678 转 8001");
    t->caller.address = xstrdup("示例市幸福路1号院3号楼");
    t->caller.org = xstrdup("示例贸易有限公司");
    t->caller.org_code = xstrdup("91110000MA01ABCD2X");
    t->caller.confidential = true;
    t->nature = NATURE_COMPLAINT;
    t->category = xstrdup("urban.env.social_noise");
    t->title = xstrdup("夜间施工噪音扰民");
    t->description = xstrdup("工地每晚22点后仍在施工，\n噪音很大。\t已多次反映。");
    t->location = xstrdup("示例市幸福路与和平街交叉口");
    t->occurred_at = T0 - 3600;
    t->urgency = URGENCY_URGENT;
    t->complaint_level = 2;
    t->requested_due = T0 + 86400;
    t->status = STATUS_CALLBACK;
    t->resolution = RESOLUTION_UNIT;
    t->answer = xstrdup("已告知施工许可规定");
    strlist_add(&t->kb_refs, "KB-0001");
    strlist_add(&t->kb_refs, "SYN-0000007");
    a = ticket_add_assignment(t);
    a->unit = xstrdup("city.housing");
    a->role = ROLE_LEAD;
    a->dispatched_at = T0 + 60;
    a->due_at = T0 + 2 * 86400;
    a->state = ASSIGN_REPLIED;
    a->accepted_at = T0 + 600;
    a->reply = xstrdup("已责令停工整改。");
    a->replied_at = T0 + 86400;
    a->return_reason = xstrdup("非本单位职责");
    a->returned_at = T0 + 300;
    a = ticket_add_assignment(t);
    a->unit = xstrdup("city.police");
    a->role = ROLE_ASSIST;
    a->dispatched_at = T0 + 60;
    a->due_at = T0 + 2 * 86400;
    a->state = ASSIGN_ACCEPTED;
    a->accepted_at = T0 + 900;
    t->due_at = T0 + 2 * 86400;
    t->due_rule = xstrdup("12345:complaint.level2");
    t->calendar = xstrdup("holidays-cn/1:2024-2026");
    t->callback_due_at = T0 + 3 * 86400;
    t->callback_at = T0 + 2 * 86400 + 3600;
    x = ticket_add_extension(t);
    x->unit = xstrdup("city.housing");
    x->days = 5;
    x->reason = xstrdup("需要联合执法");
    x->state = EXT_APPROVED;
    x->requested_at = T0 + 7200;
    x->requested_by = xstrdup("unit-user-1");
    x->decided_at = T0 + 9000;
    x->decided_by = xstrdup("sup-1");
    x->note = xstrdup("同意");
    x->new_due_at = T0 + 7 * 86400;
    u = ticket_add_urge(t);
    u->at = T0 + 40000;
    u->by = xstrdup("agent-3");
    u->note = xstrdup("市民再次来电催促");
    u = ticket_add_supervision(t);
    u->at = T0 + 50000;
    u->by = xstrdup("sup-1");
    u->note = xstrdup("重点督办");
    cb = ticket_add_callback(t);
    cb->at = T0 + 90000;
    cb->by = xstrdup("agent-3");
    cb->outcome = CB_NO_ANSWER;
    cb->satisfaction = SAT_NONE;
    cb->note = xstrdup("无人接听");
    cb = ticket_add_callback(t);
    cb->at = T0 + 98000;
    cb->by = xstrdup("agent-3");
    cb->outcome = CB_REACHED;
    cb->satisfaction = SAT_BASIC;
    cb->note = xstrdup("基本满意");
    ev = ticket_add_event(t);
    ev->at = T0;
    ev->type = xstrdup("created");
    ev->by = xstrdup("agent-3");
    ev->from = STATUS_ACCEPTED;
    ev->to = STATUS_ACCEPTED;
    ev = ticket_add_event(t);
    ev->at = T0 + 60;
    ev->type = xstrdup("dispatch");
    ev->by = xstrdup("agent-3");
    ev->from = STATUS_ACCEPTED;
    ev->to = STATUS_DISPATCHED;
    ev->note = xstrdup("派至住建局牵头");
    t->flags = FLAG_OVERDUE | FLAG_CLUSTER | FLAG_SUPERVISED;
    t->created_at = T0;
    t->created_by = xstrdup("agent-3");
    t->updated_at = T0 + 98000;
    t->closed_at = T0 + 99000;
    return t;
}

/* Compare two optional strings. */
static void
same_str(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        assert_ptr_equal(a, b);
    else
        assert_string_equal(a, b);
}

/* Assert two tickets are equal in every field. */
static void
assert_tickets_equal(const struct ticket *a, const struct ticket *b)
{
    size_t i;

    same_str(a->id, b->id);
    assert_int_equal(a->version, b->version);
    assert_int_equal(a->channel, b->channel);
    same_str(a->caller.name, b->caller.name);
    assert_int_equal(a->caller.salutation, b->caller.salutation);
    same_str(a->caller.phone, b->caller.phone);
    same_str(a->caller.address, b->caller.address);
    same_str(a->caller.org, b->caller.org);
    same_str(a->caller.org_code, b->caller.org_code);
    assert_int_equal(a->caller.confidential, b->caller.confidential);
    assert_int_equal(a->nature, b->nature);
    same_str(a->category, b->category);
    same_str(a->title, b->title);
    same_str(a->description, b->description);
    same_str(a->location, b->location);
    assert_int_equal(a->occurred_at, b->occurred_at);
    assert_int_equal(a->urgency, b->urgency);
    assert_int_equal(a->complaint_level, b->complaint_level);
    assert_int_equal(a->requested_due, b->requested_due);
    assert_int_equal(a->status, b->status);
    assert_int_equal(a->resolution, b->resolution);
    same_str(a->answer, b->answer);
    assert_int_equal(a->kb_refs.n, b->kb_refs.n);
    for (i = 0; i < a->kb_refs.n; i++)
        assert_string_equal(a->kb_refs.v[i], b->kb_refs.v[i]);
    assert_int_equal(a->n_assignments, b->n_assignments);
    for (i = 0; i < a->n_assignments; i++) {
        const struct assignment *x = &a->assignments[i], *y = &b->assignments[i];

        same_str(x->unit, y->unit);
        assert_int_equal(x->role, y->role);
        assert_int_equal(x->dispatched_at, y->dispatched_at);
        assert_int_equal(x->due_at, y->due_at);
        assert_int_equal(x->state, y->state);
        assert_int_equal(x->accepted_at, y->accepted_at);
        same_str(x->reply, y->reply);
        assert_int_equal(x->replied_at, y->replied_at);
        same_str(x->return_reason, y->return_reason);
        assert_int_equal(x->returned_at, y->returned_at);
    }
    assert_int_equal(a->due_at, b->due_at);
    same_str(a->due_rule, b->due_rule);
    same_str(a->calendar, b->calendar);
    assert_int_equal(a->callback_due_at, b->callback_due_at);
    assert_int_equal(a->callback_at, b->callback_at);
    assert_int_equal(a->n_extensions, b->n_extensions);
    for (i = 0; i < a->n_extensions; i++) {
        const struct extension *x = &a->extensions[i], *y = &b->extensions[i];

        same_str(x->unit, y->unit);
        assert_int_equal(x->days, y->days);
        same_str(x->reason, y->reason);
        assert_int_equal(x->state, y->state);
        assert_int_equal(x->requested_at, y->requested_at);
        same_str(x->requested_by, y->requested_by);
        assert_int_equal(x->decided_at, y->decided_at);
        same_str(x->decided_by, y->decided_by);
        same_str(x->note, y->note);
        assert_int_equal(x->new_due_at, y->new_due_at);
    }
    assert_int_equal(a->n_urges, b->n_urges);
    for (i = 0; i < a->n_urges; i++) {
        assert_int_equal(a->urges[i].at, b->urges[i].at);
        same_str(a->urges[i].by, b->urges[i].by);
        same_str(a->urges[i].note, b->urges[i].note);
    }
    assert_int_equal(a->n_supervisions, b->n_supervisions);
    for (i = 0; i < a->n_supervisions; i++) {
        assert_int_equal(a->supervisions[i].at, b->supervisions[i].at);
        same_str(a->supervisions[i].by, b->supervisions[i].by);
        same_str(a->supervisions[i].note, b->supervisions[i].note);
    }
    assert_int_equal(a->n_callbacks, b->n_callbacks);
    for (i = 0; i < a->n_callbacks; i++) {
        assert_int_equal(a->callbacks[i].at, b->callbacks[i].at);
        same_str(a->callbacks[i].by, b->callbacks[i].by);
        assert_int_equal(a->callbacks[i].outcome, b->callbacks[i].outcome);
        assert_int_equal(a->callbacks[i].satisfaction, b->callbacks[i].satisfaction);
        same_str(a->callbacks[i].note, b->callbacks[i].note);
    }
    assert_int_equal(a->n_events, b->n_events);
    for (i = 0; i < a->n_events; i++) {
        assert_int_equal(a->events[i].at, b->events[i].at);
        same_str(a->events[i].type, b->events[i].type);
        same_str(a->events[i].by, b->events[i].by);
        assert_int_equal(a->events[i].from, b->events[i].from);
        assert_int_equal(a->events[i].to, b->events[i].to);
        same_str(a->events[i].note, b->events[i].note);
    }
    assert_int_equal(a->flags, b->flags);
    assert_int_equal(a->created_at, b->created_at);
    same_str(a->created_by, b->created_by);
    assert_int_equal(a->updated_at, b->updated_at);
    assert_int_equal(a->closed_at, b->closed_at);
}

/* Encode, parse and decode a ticket; returns the decoded copy. */
static struct ticket *
round_trip(const struct ticket *t, const struct tz *tz, char **text_out)
{
    struct ticket *back;
    struct err e;
    char *text = codec_ticket_encode(t, tz);
    cJSON *j = parse_ok(text);

    err_clear(&e);
    back = codec_ticket_decode(j, &e);
    cJSON_Delete(j);
    if (back == NULL)
        fail_msg("decode failed: %s", e.msg);
    if (text_out != NULL)
        *text_out = text;
    else
        free(text);
    return back;
}

/* ---- tests: parsing raw bytes ---- */

/* Good JSON parses; whitespace around it is fine. */
static void
test_parse_ok(void **state)
{
    cJSON *j;

    (void)state;
    j = parse_ok(" \n{\"title\":\"夜间噪音\",\"n\":[1,2,{\"a\":null}]}\r\n\t");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(j, "title")->valuestring, "夜间噪音");
    cJSON_Delete(j);
    j = parse_ok("\"\\\\u0000 is text, not a NUL\"");
    assert_string_equal(j->valuestring, "\\u0000 is text, not a NUL");
    cJSON_Delete(j);
    j = parse_ok("{\"a\":1,\"A\":2}");   /* keys are case-sensitive: no duplicate */
    cJSON_Delete(j);
}

/* Empty, NUL, invalid UTF-8, trailing data, truncation: each with its own message. */
static void
test_parse_errors(void **state)
{
    (void)state;
    parse_fails_n("", 0, "", "empty body: expected a JSON value");
    parse_fails_n(NULL, 0, "", "empty body: expected a JSON value");
    parse_fails_n("{\"a\":\"x\0y\"}", 11, "", "body contains a NUL byte at byte 7");
    parse_fails("{\"a\":\"\xe4\xb8\"}", "", "body is not valid UTF-8 (first bad byte at byte 6)");
    parse_fails("{\"a\":\"\xc0\xaf\"}", "", "body is not valid UTF-8 (first bad byte at byte 6)");
    parse_fails("[\"\xed\xa0\x80\"]", "", "body is not valid UTF-8 (first bad byte at byte 2)");
    parse_fails("{} x", "", "unexpected data after the JSON value at byte 3");
    parse_fails("{}{}", "", "unexpected data after the JSON value at byte 2");
    parse_fails("{\"a\":", "",
                "truncated JSON: the body ends inside a string or before every bracket is closed");
    parse_fails("{\"a\":\"abc", "",
                "truncated JSON: the body ends inside a string or before every bracket is closed");
    parse_fails("{\"a\" 1}", "", "malformed JSON near byte 5");
    parse_fails("[1,]", "", "malformed JSON near byte 3");
    parse_fails("{\"a\":\"x\ny\"}", "",
                "control character 0x0a inside a string at byte 7 (escape it as \\u000a)");
    parse_fails("\x01{}", "", "unexpected control character 0x01 at byte 0");
    /* numbers follow RFC 8259, stricter than cJSON */
    parse_fails("{\"days\":07}", "", "malformed number at byte 8");
    parse_fails("[1.]", "", "malformed number at byte 1");
    parse_fails("[-]", "", "malformed number at byte 1");
    parse_fails("[1e]", "", "malformed number at byte 1");
    parse_fails("[.5]", "", "malformed JSON near byte 1");
}

/* Nesting: 32 levels parse, 33 do not, 10,000 fail fast with the same message. */
static void
test_parse_depth(void **state)
{
    char buf[80];
    char *deep;
    cJSON *j;
    size_t i;

    (void)state;
    for (i = 0; i < 32; i++)
        buf[i] = '[';
    for (i = 0; i < 32; i++)
        buf[32 + i] = ']';
    buf[64] = '\0';
    j = parse_ok(buf);
    cJSON_Delete(j);

    memmove(buf + 1, buf, 65);
    buf[0] = '[';
    buf[65] = ']';
    buf[66] = '\0';
    parse_fails_n(buf, 66, "", "JSON is nested deeper than 32 levels (byte 32)");

    deep = xmalloc(10000);
    memset(deep, '[', 10000);
    parse_fails_n(deep, 10000, "", "JSON is nested deeper than 32 levels (byte 32)");
    for (i = 0; i < 10000; i += 5)
        memcpy(deep + i, "{\"a\":", 5);
    parse_fails_n(deep, 10000, "", "JSON is nested deeper than 32 levels (byte 160)");
    free(deep);

    /* brackets inside strings do not count */
    deep = repeat("[", 100);
    {
        char *s = xasprintf("{\"t\":\"%s\"}", deep);

        j = parse_ok(s);
        cJSON_Delete(j);
        free(s);
    }
    free(deep);
}

/* Duplicate keys anywhere are refused, with the path of the repeat. */
static void
test_parse_duplicates(void **state)
{
    struct strbuf sb;
    int i;

    (void)state;
    parse_fails("{\"title\":\"a\",\"title\":\"b\"}", "title", "title: duplicate key");
    parse_fails("{\"caller\":{\"name\":\"a\",\"phone\":\"1\",\"name\":\"b\"}}",
                "caller.name", "caller.name: duplicate key");
    parse_fails("{\"units\":[{\"unit\":\"a\"},{\"role\":\"lead\",\"role\":\"lead\"}]}",
                "units[1].role", "units[1].role: duplicate key");

    /* a big object takes the sorting path */
    strbuf_init(&sb);
    strbuf_adds(&sb, "{");
    for (i = 0; i < 40; i++)
        strbuf_addf(&sb, "\"k%02d\":%d,", i, i);
    strbuf_adds(&sb, "\"k17\":0}");
    parse_fails_n(sb.buf, sb.len, "k17", "k17: duplicate key");
    strbuf_fini(&sb);
}

/* "\u0000" is refused with the path of the string that holds it. */
static void
test_parse_nul_escape(void **state)
{
    (void)state;
    parse_fails("{\"description\":\"abc\\u0000def\"}", "description",
                "description: text contains a NUL character (\\u0000)");
    parse_fails("{\"a\":\"x\",\"caller\":{\"name\":\"张\\u0000\"}}", "caller.name",
                "caller.name: text contains a NUL character (\\u0000)");
    parse_fails("{\"kb_refs\":[\"a\",\"b\\u0000\"]}", "kb_refs[1]",
                "kb_refs[1]: text contains a NUL character (\\u0000)");
    parse_fails("{\"ti\\u0000tle\":1}", "ti",
                "ti: key contains a NUL character (\\u0000)");
    parse_fails("\"\\u0000\"", "", "text contains a NUL character (\\u0000)");
}

/* ---- tests: tickets ---- */

/* Every field survives encode -> parse -> decode, with and without a zone. */
static void
test_ticket_round_trip(void **state)
{
    struct ticket *t = full_ticket();
    struct ticket *back;
    struct tz *tz = tz_fixed("Asia/Shanghai", 8 * 3600);
    char *text, *again;

    (void)state;
    back = round_trip(t, NULL, &text);
    assert_tickets_equal(t, back);
    assert_non_null(strstr(text, "\"created_at\":\"2026-11-22T01:30:00Z\""));
    assert_non_null(strstr(text, "\"channel\":\"walk_in\""));
    assert_non_null(strstr(text, "\"salutation\":\"女士\""));
    assert_non_null(strstr(text, "\"flags\":[\"overdue\",\"cluster\",\"supervised\"]"));
    assert_non_null(strstr(text, "\"kb_refs\":[\"KB-0001\",\"SYN-0000007\"]"));
    assert_non_null(strstr(text, "\"satisfaction\":null"));   /* first callback: no answer */
    assert_non_null(strstr(text, "\"description\":\"工地每晚22点后仍在施工，\\n噪音很大。\\t已多次反映。\""));
    again = codec_ticket_encode(back, NULL);
    assert_string_equal(text, again);
    free(again);
    free(text);
    ticket_free(&back);

    back = round_trip(t, tz, &text);
    assert_tickets_equal(t, back);
    assert_non_null(strstr(text, "\"created_at\":\"2026-11-22T09:30:00+08:00\""));
    assert_non_null(strstr(text, "\"occurred_at\":\"2026-11-22T08:30:00+08:00\""));
    free(text);
    ticket_free(&back);
    ticket_free(&t);
    tz_free(&tz);
}

/* An empty ticket writes every field, absent ones as null, arrays as []. */
static void
test_ticket_encode_empty(void **state)
{
    struct ticket *t = ticket_new();
    char *text;

    (void)state;
    text = codec_ticket_encode(t, NULL);
    assert_string_equal(text,
        "{\"id\":null,\"version\":0,\"channel\":\"phone\","
        "\"caller\":{\"name\":null,\"salutation\":null,\"phone\":null,\"address\":null,"
        "\"org\":null,\"org_code\":null,\"confidential\":false},"
        "\"nature\":\"consult\",\"category\":null,\"title\":null,\"description\":null,"
        "\"location\":null,\"occurred_at\":null,\"urgency\":\"normal\",\"complaint_level\":null,"
        "\"requested_due\":null,\"status\":\"accepted\",\"resolution\":null,\"answer\":null,"
        "\"kb_refs\":[],\"assignments\":[],\"due_at\":null,\"due_rule\":null,\"calendar\":null,"
        "\"callback_due_at\":null,\"callback_at\":null,\"extensions\":[],\"urges\":[],"
        "\"supervisions\":[],\"callbacks\":[],\"events\":[],\"flags\":[],\"created_at\":null,"
        "\"created_by\":null,\"updated_at\":null,\"closed_at\":null}");
    free(text);
    ticket_free(&t);
}

/* The full decoder ignores unknown fields and flags but still checks types and requires
 * id, channel, nature and status. */
static void
test_ticket_decode_lenient(void **state)
{
    struct ticket *t;
    struct err e;
    cJSON *j;

    (void)state;
    j = parse_ok("{\"id\":\"HL20261122-000001\",\"channel\":\"sms\",\"nature\":\"help\","
                 "\"status\":\"in_progress\",\"future_field\":{\"x\":1},"
                 "\"flags\":[\"near_due\",\"shiny_new_flag\"],\"resolution\":\"\"}");
    t = codec_ticket_decode(j, &e);
    cJSON_Delete(j);
    assert_non_null(t);
    assert_string_equal(t->id, "HL20261122-000001");
    assert_int_equal(t->channel, CHANNEL_SMS);
    assert_int_equal(t->status, STATUS_IN_PROGRESS);
    assert_int_equal(t->flags, FLAG_NEAR_DUE);
    assert_int_equal(t->resolution, RESOLUTION_NONE);
    ticket_free(&t);

    j = parse_ok("{\"id\":\"HL1\",\"channel\":\"sms\",\"nature\":\"help\"}");
    t = codec_ticket_decode(j, &e);
    cJSON_Delete(j);
    assert_null(t);
    assert_string_equal(e.field, "status");
    assert_string_equal(e.msg, "status: is required");

    j = parse_ok("{\"id\":\"HL1\",\"channel\":\"sms\",\"nature\":\"help\",\"status\":\"closed\","
                 "\"version\":1e400}");
    t = codec_ticket_decode(j, &e);
    cJSON_Delete(j);
    assert_null(t);
    assert_string_equal(e.msg, "version: expected a whole number from 0 to 9007199254740992");

    j = parse_ok("{\"id\":\"HL1\",\"channel\":\"sms\",\"nature\":\"help\",\"status\":\"closed\","
                 "\"events\":[{\"at\":\"2026-11-22T01:30:00Z\",\"type\":\"created\"},"
                 "{\"at\":\"yesterday\"}]}");
    t = codec_ticket_decode(j, &e);
    cJSON_Delete(j);
    assert_null(t);
    assert_string_equal(e.field, "events[1].at");
    assert_string_equal(e.msg, "events[1].at: expected an RFC 3339 date-time such as "
                               "2026-02-13T10:00:00+08:00, got \"yesterday\"");

    j = parse_ok("[1]");
    t = codec_ticket_decode(j, &e);
    cJSON_Delete(j);
    assert_null(t);
    assert_string_equal(e.field, "");
    assert_string_equal(e.msg, "expected an object, got an array");
}

/* A typical intake body decodes into a new ticket. */
static void
test_create_ok(void **state)
{
    struct ticket *t;
    cJSON *j;
    char *text;

    (void)state;
    t = create_ok("{\"channel\":\"phone\",\"caller\":{\"name\":\"李\",\"salutation\":\"先生\","
                  "\"phone\":\"138 1234 5678\",\"confidential\":true},\"nature\":\"query\","
                  "\"category\":\"urban.env.social_noise\",\"title\":null,"
                  "\"description\":\"询问噪音投诉流程\",\"occurred_at\":\"2026-11-22T09:30:00+08:00\"}");
    assert_int_equal(t->channel, CHANNEL_PHONE);
    assert_string_equal(t->caller.name, "李");
    assert_int_equal(t->caller.salutation, SALUTATION_MR);
    assert_string_equal(t->caller.phone, "138 1234 5678");   /* kept as typed */
    assert_true(t->caller.confidential);
    assert_int_equal(t->nature, NATURE_CONSULT);              /* alias query */
    assert_string_equal(t->category, "urban.env.social_noise");
    assert_null(t->title);
    assert_string_equal(t->description, "询问噪音投诉流程");
    assert_int_equal(t->occurred_at, T0);
    assert_int_equal(t->urgency, URGENCY_NORMAL);
    assert_int_equal(t->complaint_level, 0);
    assert_int_equal(t->status, STATUS_ACCEPTED);
    assert_null(t->id);

    /* the console's own matter encoding is accepted back */
    j = codec_ticket_matter_to_json(t, NULL);
    text = codec_print(j);
    cJSON_Delete(j);
    ticket_free(&t);
    t = create_ok(text);
    assert_int_equal(t->occurred_at, T0);
    assert_string_equal(t->caller.phone, "138 1234 5678");
    free(text);
    ticket_free(&t);

    /* web needs no phone; complaint with a level */
    t = create_ok("{\"channel\":\"web\",\"nature\":\"complaint\",\"complaint_level\":1,"
                  "\"description\":\"x\",\"urgency\":\"emergency\"}");
    assert_int_equal(t->complaint_level, 1);
    assert_int_equal(t->urgency, URGENCY_EMERGENCY);
    assert_null(t->caller.phone);
    ticket_free(&t);
}

/* Each error class of a create body, with its exact path and message. */
static void
test_create_errors(void **state)
{
    char *body, *s;

    (void)state;
    create_fails("{\"channel\":\"phone\",\"nature\":\"help\",\"description\":\"x\","
                 "\"caller\":{\"phone\":13812345678}}",
                 "caller.phone", "caller.phone: expected a string, got a number");
    create_fails("{\"channel\":\"web\",\"nature\":\"help\",\"description\":\"x\",\"foo\":1}",
                 "foo", "foo: unknown field; expected one of channel, caller, nature, category, "
                 "title, description, location, occurred_at, urgency, complaint_level, "
                 "requested_due");
    create_fails_prefix("{\"channel\":\"web\",\"nature\":\"help\",\"description\":\"x\","
                        "\"Title\":\"a\"}", "Title", "Title: unknown field;");
    create_fails_prefix("{\"channel\":\"web\",\"nature\":\"help\",\"description\":\"x\","
                        "\"caller\":{\"nam\":\"a\"}}", "caller.nam",
                        "caller.nam: unknown field; expected one of name, salutation, phone");
    create_fails_prefix("{\"channel\":\"web\",\"nature\":\"help\",\"description\":\"x\","
                        "\"status\":\"closed\"}", "status", "status: unknown field;");
    create_fails("{\"nature\":\"help\",\"description\":\"x\"}", "channel", "channel: is required");
    create_fails("{\"channel\":null,\"nature\":\"help\",\"description\":\"x\"}", "channel",
                 "channel: expected a string, one of phone, sms, web, im, email, letter, "
                 "walk_in; got null");
    create_fails("{\"channel\":\"web\",\"description\":\"x\"}", "nature", "nature: is required");
    create_fails("{\"channel\":\"web\",\"nature\":\"help\"}", "description",
                 "description: is required");
    create_fails("{\"channel\":\"web\",\"nature\":\"help\",\"description\":\" \\u3000\\n\"}",
                 "description", "description: must not be blank");
    create_fails("{\"channel\":\"phone\",\"nature\":\"help\",\"description\":\"x\"}",
                 "caller.phone", "caller.phone: is required for channel phone");
    create_fails("{\"channel\":\"sms\",\"nature\":\"help\",\"description\":\"x\","
                 "\"caller\":{\"name\":\"a\"}}",
                 "caller.phone", "caller.phone: is required for channel sms");
    create_fails("{\"channel\":\"fax\",\"nature\":\"help\",\"description\":\"x\"}", "channel",
                 "channel: unknown value \"fax\"; expected one of phone, sms, web, im, email, "
                 "letter, walk_in");
    create_fails("{\"channel\":\"web\",\"nature\":\"help\",\"description\":\"x\","
                 "\"caller\":{\"salutation\":\"Mr\"}}", "caller.salutation",
                 "caller.salutation: unknown value \"Mr\"; expected one of 先生, 女士");
    create_fails("{\"channel\":\"web\",\"nature\":\"complaint\",\"description\":\"x\","
                 "\"complaint_level\":4}", "complaint_level",
                 "complaint_level: expected a whole number from 1 to 3");
    create_fails("{\"channel\":\"web\",\"nature\":\"complaint\",\"description\":\"x\","
                 "\"complaint_level\":1.5}", "complaint_level",
                 "complaint_level: expected a whole number from 1 to 3");
    create_fails("{\"channel\":\"web\",\"nature\":\"complaint\",\"description\":\"x\","
                 "\"complaint_level\":\"2\"}", "complaint_level",
                 "complaint_level: expected a whole number from 1 to 3, got a string");
    create_fails("{\"channel\":\"web\",\"nature\":\"consult\",\"description\":\"x\","
                 "\"complaint_level\":2}", "complaint_level",
                 "complaint_level: is only for nature complaint (nature is consult)");
    create_fails("{\"channel\":\"web\",\"nature\":\"help\",\"description\":\"x\","
                 "\"occurred_at\":\"2026-11-22 09:30\"}", "occurred_at",
                 "occurred_at: expected an RFC 3339 date-time such as 2026-02-13T10:00:00+08:00, "
                 "got \"2026-11-22 09:30\"");
    create_fails("{\"channel\":\"web\",\"nature\":\"help\",\"description\":\"x\","
                 "\"requested_due\":\"2026-13-01T00:00:00Z\"}", "requested_due",
                 "requested_due: expected an RFC 3339 date-time such as "
                 "2026-02-13T10:00:00+08:00, got \"2026-13-01T00:00:00Z\"");
    create_fails("{\"channel\":\"web\",\"nature\":\"help\",\"description\":\"x\","
                 "\"title\":\"a\\nb\"}", "title",
                 "title: must be one line without control characters");
    create_fails("{\"channel\":\"web\",\"nature\":\"help\",\"description\":\"\\u001b[2J\"}",
                 "description", "description: must not contain control characters");
    create_fails("{\"channel\":\"web\",\"nature\":\"help\",\"description\":\"x\","
                 "\"caller\":{\"confidential\":\"yes\"}}", "caller.confidential",
                 "caller.confidential: expected true or false, got a string");
    create_fails("{\"channel\":\"web\",\"nature\":\"help\",\"description\":\"x\","
                 "\"caller\":[]}", "caller", "caller: expected an object, got an array");
    create_fails("{\"channel\":\"web\",\"nature\":\"help\",\"description\":\"x\","
                 "\"category\":\"urban env\"}", "category",
                 "category: expected a code of letters, digits, '_', '.' and '-'");
    create_fails("{\"channel\":\"web\",\"nature\":\"help\",\"description\":\"x\","
                 "\"category\":\"\"}", "category", "category: must not be empty");
    create_fails("[]", "", "expected an object, got an array");
    create_fails("\"ticket\"", "", "expected an object, got a string");
    create_fails("null", "", "expected an object, got null");

    /* phones: malformed numbers are refused, typed variants accepted */
    create_fails_prefix("{\"channel\":\"phone\",\"nature\":\"help\",\"description\":\"x\","
                        "\"caller\":{\"phone\":\"1381234567\"}}", "caller.phone",
                        "caller.phone: is not a valid phone number");
    create_fails_prefix("{\"channel\":\"phone\",\"nature\":\"help\",\"description\":\"x\","
                        "\"caller\":{\"phone\":\"abc\"}}", "caller.phone",
                        "caller.phone: is not a valid phone number");
    create_fails_prefix("{\"channel\":\"phone\",\"nature\":\"help\",\"description\":\"x\","
                        "\"caller\":{\"phone\":\"\"}}", "caller.phone",
                        "caller.phone: is not a valid phone number");

    /* lengths are counted in characters: 200 CJK characters (600 bytes) fit a title */
    s = repeat("噪", 200);
    body = xasprintf("{\"channel\":\"web\",\"nature\":\"help\",\"description\":\"x\","
                     "\"title\":\"%s\"}", s);
    {
        struct ticket *t = create_ok(body);

        assert_int_equal(strlen(t->title), 600);
        ticket_free(&t);
    }
    free(body);
    free(s);
    s = repeat("噪", 201);
    body = xasprintf("{\"channel\":\"web\",\"nature\":\"help\",\"description\":\"x\","
                     "\"title\":\"%s\"}", s);
    create_fails(body, "title", "title: is too long: 201 characters, at most 200");
    free(body);
    free(s);
    s = repeat("a", 8001);
    body = xasprintf("{\"channel\":\"web\",\"nature\":\"help\",\"description\":\"%s\"}", s);
    create_fails(body, "description", "description: is too long: 8001 characters, at most 8000");
    free(body);
    free(s);
    s = repeat("路", 301);
    body = xasprintf("{\"channel\":\"web\",\"nature\":\"help\",\"description\":\"x\","
                     "\"caller\":{\"address\":\"%s\"}}", s);
    create_fails(body, "caller.address", "caller.address: is too long: 301 characters, at most 300");
    free(body);
    free(s);
}

/* Trees built in memory (not through codec_parse) are checked too. */
static void
test_create_tree_checks(void **state)
{
    struct ticket *t;
    struct err e;
    cJSON *j;

    (void)state;
    j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "channel", "web");
    cJSON_AddStringToObject(j, "nature", "help");
    cJSON_AddStringToObject(j, "description", "bad \xff byte");
    t = codec_ticket_create_decode(j, &e);
    assert_null(t);
    assert_string_equal(e.field, "description");
    assert_string_equal(e.msg, "description: is not valid UTF-8");
    cJSON_Delete(j);

    j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "channel", "web");
    cJSON_AddStringToObject(j, "channel", "sms");
    t = codec_ticket_create_decode(j, &e);
    assert_null(t);
    assert_string_equal(e.field, "channel");
    assert_string_equal(e.msg, "channel: duplicate field");
    cJSON_Delete(j);

    t = codec_ticket_create_decode(NULL, &e);
    assert_null(t);
    assert_string_equal(e.msg, "expected an object, got an invalid value");
}

/* PATCH: merge, clear with null, all or nothing. */
static void
test_patch(void **state)
{
    struct ticket *t;
    struct strlist fields = { NULL, 0 };
    struct err e;
    cJSON *j;
    int rc;

    (void)state;
    t = create_ok("{\"channel\":\"phone\",\"caller\":{\"name\":\"李\",\"phone\":\"13812345678\"},"
                  "\"nature\":\"complaint\",\"complaint_level\":2,\"title\":\"旧标题\","
                  "\"description\":\"原始描述\",\"location\":\"幸福路\"}");

    j = parse_ok("{\"title\":\"新标题\",\"location\":null,\"caller\":{\"address\":\"和平街2号\"}}");
    rc = codec_ticket_patch_apply(j, t, &fields, &e);
    cJSON_Delete(j);
    assert_int_equal(rc, HL_OK);
    assert_string_equal(t->title, "新标题");
    assert_null(t->location);
    assert_string_equal(t->caller.name, "李");            /* merged, not replaced */
    assert_string_equal(t->caller.phone, "13812345678");
    assert_string_equal(t->caller.address, "和平街2号");
    assert_string_equal(t->description, "原始描述");
    assert_int_equal(fields.n, 3);
    assert_string_equal(fields.v[0], "title");
    assert_string_equal(fields.v[1], "location");
    assert_string_equal(fields.v[2], "caller");
    strlist_fini(&fields);

    /* an error leaves the ticket as it was */
    j = parse_ok("{\"title\":\"不该生效\",\"nature\":\"bogus\"}");
    rc = codec_ticket_patch_apply(j, t, NULL, &e);
    cJSON_Delete(j);
    assert_int_equal(rc, HL_EINVAL);
    assert_string_equal(e.field, "nature");
    assert_string_equal(t->title, "新标题");
    assert_int_equal(t->nature, NATURE_COMPLAINT);

    j = parse_ok("{\"caller\":{\"phone\":null}}");
    rc = codec_ticket_patch_apply(j, t, NULL, &e);
    cJSON_Delete(j);
    assert_int_equal(rc, HL_EINVAL);
    assert_string_equal(e.msg, "caller.phone: is required for channel phone");
    assert_string_equal(t->caller.phone, "13812345678");

    j = parse_ok("{\"description\":null}");
    rc = codec_ticket_patch_apply(j, t, NULL, &e);
    cJSON_Delete(j);
    assert_int_equal(rc, HL_EINVAL);
    assert_string_equal(e.msg, "description: is required");
    assert_string_equal(t->description, "原始描述");

    j = parse_ok("{}");
    rc = codec_ticket_patch_apply(j, t, NULL, &e);
    cJSON_Delete(j);
    assert_int_equal(rc, HL_EINVAL);
    assert_string_equal(e.field, "");
    assert_string_equal(e.msg, "empty patch: give at least one of channel, caller, nature, "
                               "category, title, description, location, occurred_at, urgency, "
                               "complaint_level, requested_due");

    j = parse_ok("{\"id\":\"HL2\"}");
    rc = codec_ticket_patch_apply(j, t, NULL, &e);
    cJSON_Delete(j);
    assert_int_equal(rc, HL_EINVAL);
    assert_string_equal(e.field, "id");

    /* leaving complaint clears the level; setting one on a non-complaint is an error */
    j = parse_ok("{\"nature\":\"consult\",\"complaint_level\":3}");
    rc = codec_ticket_patch_apply(j, t, NULL, &e);
    cJSON_Delete(j);
    assert_int_equal(rc, HL_EINVAL);
    assert_string_equal(e.msg, "complaint_level: is only for nature complaint (nature is consult)");
    assert_int_equal(t->complaint_level, 2);
    j = parse_ok("{\"nature\":\"consult\"}");
    rc = codec_ticket_patch_apply(j, t, NULL, &e);
    cJSON_Delete(j);
    assert_int_equal(rc, HL_OK);
    assert_int_equal(t->nature, NATURE_CONSULT);
    assert_int_equal(t->complaint_level, 0);

    /* switching to web lets the phone go */
    j = parse_ok("{\"channel\":\"web\",\"caller\":null}");
    rc = codec_ticket_patch_apply(j, t, NULL, &e);
    cJSON_Delete(j);
    assert_int_equal(rc, HL_OK);
    assert_int_equal(t->channel, CHANNEL_WEB);
    assert_null(t->caller.phone);
    assert_null(t->caller.name);
    ticket_free(&t);
}

/* ---- tests: actions ---- */

/* Action names round-trip. */
static void
test_action_names(void **state)
{
    static const char *const names[ACTION_COUNT] = {
        "resolve_direct", "dispatch", "accept", "return", "reply", "request_extension",
        "decide_extension", "urge", "supervise", "schedule_callback", "callback", "close",
        "reopen", "archive",
    };
    enum action a;
    int i;

    (void)state;
    for (i = 0; i < ACTION_COUNT; i++) {
        assert_string_equal(action_str((enum action)i), names[i]);
        assert_true(action_parse(names[i], &a));
        assert_int_equal(a, i);
    }
    assert_false(action_parse("Dispatch", &a));
    assert_false(action_parse("delete", &a));
    assert_false(action_parse(NULL, &a));
    assert_string_equal(action_str(ACTION_COUNT), "?");
}

/* Valid bodies decode into the expected members and encode back to the same body. */
static void
test_action_ok(void **state)
{
    static const struct {
        enum action a;
        const char *body;
    } cases[] = {
        { ACTION_RESOLVE_DIRECT, "{\"answer\":\"请拨打物业电话。\",\"kb_refs\":[\"KB-0001\",\"KB-0002\"]}" },
        { ACTION_DISPATCH, "{\"units\":[{\"unit\":\"city.police\",\"role\":\"assist\"},"
                           "{\"unit\":\"city.housing\",\"role\":\"lead\"}],\"note\":\"请核查\"}" },
        { ACTION_ACCEPT, "{}" },
        { ACTION_RETURN, "{\"reason\":\"非本单位职责\"}" },
        { ACTION_REPLY, "{\"reply\":\"已处理完毕\"}" },
        { ACTION_REQUEST_EXTENSION, "{\"days\":7,\"reason\":\"需要现场勘查\"}" },
        { ACTION_DECIDE_EXTENSION, "{\"approve\":false,\"note\":null}" },
        { ACTION_URGE, "{\"note\":\"请尽快\"}" },
        { ACTION_SUPERVISE, "{\"note\":null}" },
        { ACTION_SCHEDULE_CALLBACK, "{\"at\":\"2026-11-22T01:30:00Z\"}" },
        { ACTION_CALLBACK, "{\"outcome\":\"reached\",\"satisfaction\":\"dissatisfied\",\"note\":\"仍有噪音\"}" },
        { ACTION_CLOSE, "{\"note\":\"已办结\"}" },
        { ACTION_REOPEN, "{\"reason\":\"市民不满意\"}" },
        { ACTION_ARCHIVE, "{}" },
    };
    struct action_body b;
    size_t i;
    char *text;
    cJSON *j;

    (void)state;
    for (i = 0; i < ARRAY_SIZE(cases); i++) {
        action_ok(cases[i].a, cases[i].body, &b);
        assert_int_equal(b.action, cases[i].a);
        j = codec_action_to_json(&b, NULL);
        text = codec_print(j);
        cJSON_Delete(j);
        assert_string_equal(text, cases[i].body);
        free(text);
        switch (cases[i].a) {
        case ACTION_RESOLVE_DIRECT:
            assert_string_equal(b.answer, "请拨打物业电话。");
            assert_int_equal(b.kb_refs.n, 2);
            assert_string_equal(b.kb_refs.v[1], "KB-0002");
            break;
        case ACTION_DISPATCH:
            assert_int_equal(b.n_units, 2);
            assert_string_equal(b.units[1].unit, "city.housing");
            assert_int_equal(b.units[1].role, ROLE_LEAD);
            assert_int_equal(b.units[0].role, ROLE_ASSIST);
            assert_string_equal(b.note, "请核查");
            break;
        case ACTION_REQUEST_EXTENSION:
            assert_int_equal(b.days, 7);
            break;
        case ACTION_DECIDE_EXTENSION:
            assert_false(b.approve);
            assert_null(b.note);
            break;
        case ACTION_SCHEDULE_CALLBACK:
            assert_int_equal(b.at, T0);
            break;
        case ACTION_CALLBACK:
            assert_int_equal(b.outcome, CB_REACHED);
            assert_int_equal(b.satisfaction, SAT_DISSATISFIED);
            break;
        default:
            break;
        }
        codec_action_fini(&b);
    }

    /* no body at all is an empty body */
    assert_int_equal(codec_action_decode(ACTION_ACCEPT, NULL, &b, NULL), HL_OK);
    codec_action_fini(&b);
    action_ok(ACTION_CALLBACK, "{\"outcome\":\"no_answer\"}", &b);
    assert_int_equal(b.satisfaction, SAT_NONE);
    codec_action_fini(&b);
    action_ok(ACTION_REQUEST_EXTENSION, "{\"days\":7.0,\"reason\":\"r\"}", &b);
    assert_int_equal(b.days, 7);
    codec_action_fini(&b);
    action_ok(ACTION_REQUEST_EXTENSION, "{\"days\":365,\"reason\":\"r\"}", &b);
    assert_int_equal(b.days, 365);
    codec_action_fini(&b);
}

/* Action errors, each with its path. */
static void
test_action_errors(void **state)
{
    struct strbuf sb;
    struct action_body b;
    struct err e;
    int i;

    (void)state;
    action_fails(ACTION_DISPATCH, "{\"units\":[{\"unit\":\"a\",\"role\":\"lead\"},"
                 "{\"unit\":\"b\",\"role\":\"lead\"}]}", "units[1].role",
                 "units[1].role: a second lead (units[0] already leads); exactly one unit leads");
    action_fails(ACTION_DISPATCH, "{\"units\":[{\"unit\":\"a\",\"role\":\"lead\"},"
                 "{\"unit\":\"a\",\"role\":\"assist\"}]}", "units[1].unit",
                 "units[1].unit: unit \"a\" is listed twice");
    action_fails(ACTION_DISPATCH, "{\"units\":[{\"unit\":\"a\",\"role\":\"assist\"}]}", "units",
                 "units: no unit has role lead; exactly one unit leads");
    action_fails(ACTION_DISPATCH, "{\"units\":[]}", "units", "units: needs at least 1 entry");
    action_fails(ACTION_DISPATCH, "{\"note\":\"x\"}", "units", "units: is required");
    action_fails(ACTION_DISPATCH, "{\"units\":[{\"unit\":\"a\",\"role\":\"lead\"},"
                 "{\"unit\":\"b\",\"role\":\"boss\"}]}", "units[1].role",
                 "units[1].role: unknown value \"boss\"; expected one of lead, assist");
    action_fails(ACTION_DISPATCH, "{\"units\":[{\"unit\":\"a\"}]}", "units[0].role",
                 "units[0].role: is required");
    action_fails(ACTION_DISPATCH, "{\"units\":[{\"unit\":\" \",\"role\":\"lead\"}]}",
                 "units[0].unit", "units[0].unit: must not be blank");
    action_fails(ACTION_DISPATCH, "{\"units\":[{\"unit\":\"a\",\"role\":\"lead\",\"x\":1}]}",
                 "units[0].x", "units[0].x: unknown field; expected one of unit, role");
    action_fails(ACTION_DISPATCH, "{\"units\":{\"unit\":\"a\"}}", "units",
                 "units: expected an array, got an object");
    strbuf_init(&sb);
    strbuf_adds(&sb, "{\"units\":[");
    for (i = 0; i < 51; i++)
        strbuf_addf(&sb, "%s{\"unit\":\"u%d\",\"role\":\"%s\"}", i ? "," : "", i,
                    i ? "assist" : "lead");
    strbuf_adds(&sb, "]}");
    action_fails(ACTION_DISPATCH, sb.buf, "units", "units: has too many entries: 51, at most 50");
    strbuf_fini(&sb);

    action_fails(ACTION_RETURN, "{}", "reason", "reason: is required");
    action_fails(ACTION_RETURN, "{\"reason\":null}", "reason", "reason: is required");
    action_fails(ACTION_RETURN, "{\"reason\":\"  \"}", "reason", "reason: must not be blank");
    action_fails(ACTION_REOPEN, "{\"why\":\"x\"}", "why",
                 "why: unknown field; expected one of reason");
    action_fails(ACTION_REPLY, "{\"reply\":\"\"}", "reply", "reply: must not be blank");
    action_fails(ACTION_RESOLVE_DIRECT, "{\"kb_refs\":[]}", "answer", "answer: is required");
    action_fails(ACTION_RESOLVE_DIRECT, "{\"answer\":\"a\",\"kb_refs\":[\"KB-0001\",\"KB-0001\"]}",
                 "kb_refs[1]", "kb_refs[1]: \"KB-0001\" is listed twice");
    action_fails(ACTION_RESOLVE_DIRECT, "{\"answer\":\"a\",\"kb_refs\":[1]}", "kb_refs[0]",
                 "kb_refs[0]: expected a string, got a number");
    action_fails(ACTION_RESOLVE_DIRECT, "{\"answer\":\"a\",\"kb_refs\":\"KB-0001\"}", "kb_refs",
                 "kb_refs: expected an array, got a string");
    action_fails(ACTION_REQUEST_EXTENSION, "{\"days\":1e400,\"reason\":\"r\"}", "days",
                 "days: expected a whole number from 1 to 365");
    action_fails(ACTION_REQUEST_EXTENSION, "{\"days\":-1e400,\"reason\":\"r\"}", "days",
                 "days: expected a whole number from 1 to 365");
    action_fails(ACTION_REQUEST_EXTENSION, "{\"days\":0,\"reason\":\"r\"}", "days",
                 "days: expected a whole number from 1 to 365");
    action_fails(ACTION_REQUEST_EXTENSION, "{\"days\":366,\"reason\":\"r\"}", "days",
                 "days: expected a whole number from 1 to 365");
    action_fails(ACTION_REQUEST_EXTENSION, "{\"days\":2.5,\"reason\":\"r\"}", "days",
                 "days: expected a whole number from 1 to 365");
    action_fails(ACTION_REQUEST_EXTENSION, "{\"days\":\"7\",\"reason\":\"r\"}", "days",
                 "days: expected a whole number from 1 to 365, got a string");
    action_fails(ACTION_REQUEST_EXTENSION, "{\"days\":3}", "reason", "reason: is required");
    action_fails(ACTION_REQUEST_EXTENSION,
                 "{\"days\":123456789012345678901234567890,\"reason\":\"r\"}", "days",
                 "days: expected a whole number from 1 to 365");
    action_fails(ACTION_DECIDE_EXTENSION, "{\"note\":\"x\"}", "approve", "approve: is required");
    action_fails(ACTION_DECIDE_EXTENSION, "{\"approve\":\"true\"}", "approve",
                 "approve: expected true or false, got a string");
    action_fails(ACTION_DECIDE_EXTENSION, "{\"approve\":1}", "approve",
                 "approve: expected true or false, got a number");
    action_fails(ACTION_SCHEDULE_CALLBACK, "{}", "at", "at: is required");
    action_fails(ACTION_SCHEDULE_CALLBACK, "{\"at\":\"tomorrow 9am\"}", "at",
                 "at: expected an RFC 3339 date-time such as 2026-02-13T10:00:00+08:00, "
                 "got \"tomorrow 9am\"");
    action_fails(ACTION_CALLBACK, "{\"outcome\":\"reached\"}", "satisfaction",
                 "satisfaction: is required when outcome is reached");
    action_fails(ACTION_CALLBACK, "{\"outcome\":\"busy\",\"satisfaction\":\"basic\"}",
                 "satisfaction", "satisfaction: is only for outcome reached (outcome is busy)");
    action_fails(ACTION_CALLBACK, "{\"outcome\":\"hung_up\"}", "outcome",
                 "outcome: unknown value \"hung_up\"; expected one of reached, no_answer, busy, "
                 "refused, wrong_number");
    action_fails(ACTION_CALLBACK, "{\"outcome\":\"reached\",\"satisfaction\":\"happy\"}",
                 "satisfaction", "satisfaction: unknown value \"happy\"; expected one of "
                 "satisfied, basic, dissatisfied");
    action_fails(ACTION_ACCEPT, "{\"note\":\"x\"}", "note",
                 "note: unknown field; this body takes no fields");
    action_fails(ACTION_ARCHIVE, "[]", "", "expected an object, got an array");
    action_fails(ACTION_CLOSE, "{\"note\":7}", "note", "note: expected a string, got a number");

    assert_int_equal(codec_action_decode(ACTION_COUNT, NULL, &b, &e), HL_EINVAL);
    assert_string_equal(e.msg, "unknown action");
}

/* ---- tests: articles ---- */

/* The sample knowledge base in data/ imports completely. */
static void
test_article_import_sample(void **state)
{
    const char *dir = getenv("HOTLINE_DATA");
    struct article *v;
    size_t n = 0, i, kinds[KB_KIND_COUNT] = { 0 };
    char *path, *buf;
    size_t len = 0;
    struct err e;
    cJSON *j;

    (void)state;
    if (dir == NULL)
        dir = HOTLINE_SOURCE_DIR "/data";
    path = xasprintf("%s/kb/articles.json", dir);
    buf = file_read_all(path, 1 << 20, &len);
    if (buf == NULL)
        fail_msg("cannot read %s", path);
    j = codec_parse(buf, len, &e);
    if (j == NULL)
        fail_msg("%s: %s", path, e.msg);
    v = codec_article_list_decode(j, &n, &e);
    cJSON_Delete(j);
    if (v == NULL)
        fail_msg("%s: %s (field %s)", path, e.msg, e.field);
    assert_int_equal(n, 40);
    for (i = 0; i < n; i++) {
        kinds[v[i].kind]++;
        assert_int_equal(v[i].status, KB_DRAFT);
    }
    assert_int_equal(kinds[KB_KNOWLEDGE], 15);
    assert_int_equal(kinds[KB_GUIDE], 10);
    assert_int_equal(kinds[KB_CASE], 5);
    assert_int_equal(kinds[KB_SPEC], 5);
    assert_int_equal(kinds[KB_NOTICE], 5);

    assert_string_equal(v[0].id, "KB-0001");
    assert_string_equal(v[0].title, "单一窗口卡介质密码重置办理指引");
    assert_int_equal(v[0].kind, KB_GUIDE);
    assert_int_equal(v[0].scope, KB_NATIONAL);
    assert_string_equal(v[0].region, "全国");
    assert_string_equal(v[0].category, "services.customs");
    assert_int_equal(v[0].tags.n, 7);
    assert_string_equal(v[0].tags.v[3], "IC卡");
    assert_int_equal(v[0].valid_from, DAY_2024_01_01);
    assert_true(v[0].valid_to == INT64_MAX);
    assert_string_equal(v[12].id, "KB-0013");
    assert_int_equal(v[12].kind, KB_NOTICE);
    assert_int_equal(v[12].valid_to, 20254);   /* 2025-06-15 */
    for (i = 0; i < n; i++)
        article_fini(&v[i]);
    free(v);
    free(buf);
    free(path);
}

/* Articles round-trip; kind goes out in English, valid_to null when open-ended. */
static void
test_article_round_trip(void **state)
{
    struct article *a = article_new(), *b;
    struct err e;
    char *text, *again;
    cJSON *j;

    (void)state;
    a->id = xstrdup("KB-0042");
    a->version = 3;
    a->title = xstrdup("燃气泄漏应急处置");
    a->kind = KB_NOTICE;
    a->scope = KB_LOCAL;
    a->region = xstrdup("示例市");
    a->category = xstrdup("urban.env.gas");
    strlist_add(&a->tags, "956100");
    strlist_add(&a->tags, "燃气");
    a->body = xstrdup("1. 关闭阀门\n2. 开窗通风\n3. 远离现场后拨打956100");
    a->valid_from = DAY_2024_01_01;
    a->status = KB_PUBLISHED;
    a->snippet = xstrdup("…【燃气】泄漏…");
    a->created_at = T0;
    a->updated_at = T0 + 1;

    text = codec_article_encode(a, NULL);
    assert_non_null(strstr(text, "\"kind\":\"notice\""));
    assert_non_null(strstr(text, "\"valid_from\":\"2024-01-01\",\"valid_to\":null"));
    j = parse_ok(text);
    b = codec_article_decode(j, &e);
    cJSON_Delete(j);
    assert_non_null(b);
    again = codec_article_encode(b, NULL);
    assert_string_equal(text, again);
    assert_string_equal(b->title, a->title);
    assert_int_equal(b->kind, KB_NOTICE);
    assert_int_equal(b->scope, KB_LOCAL);
    assert_int_equal(b->status, KB_PUBLISHED);
    assert_int_equal(b->tags.n, 2);
    assert_true(b->valid_to == INT64_MAX);
    assert_int_equal(b->updated_at, T0 + 1);
    free(text);
    free(again);
    article_free(&a);
    article_free(&b);
}

/* Article input and patch errors. */
static void
test_article_errors(void **state)
{
    struct article *a;
    size_t n = 99;
    struct err e;
    cJSON *j;
    int rc;

    (void)state;
    j = parse_ok("{\"title\":\"t\",\"kind\":\"业务知识\",\"scope\":\"local\",\"body\":\"b\","
                 "\"valid_from\":\"2025-01-01\",\"valid_to\":\"2024-12-31\"}");
    a = codec_article_input_decode(j, &e);
    cJSON_Delete(j);
    assert_null(a);
    assert_string_equal(e.field, "valid_to");
    assert_string_equal(e.msg, "valid_to: is before valid_from (2025-01-01)");

    j = parse_ok("{\"title\":\"t\",\"kind\":\"公告\",\"scope\":\"local\",\"body\":\"b\"}");
    a = codec_article_input_decode(j, &e);
    cJSON_Delete(j);
    assert_null(a);
    assert_string_equal(e.msg, "kind: unknown value \"公告\"; expected one of knowledge, guide, "
                               "case, spec, notice");

    j = parse_ok("{\"title\":\"t\",\"kind\":\"guide\",\"body\":\"b\"}");
    a = codec_article_input_decode(j, &e);
    cJSON_Delete(j);
    assert_null(a);
    assert_string_equal(e.msg, "scope: is required");

    j = parse_ok("{\"title\":\"t\",\"kind\":\"guide\",\"scope\":\"national\",\"body\":\"b\","
                 "\"valid_from\":\"2025-02-30\"}");
    a = codec_article_input_decode(j, &e);
    cJSON_Delete(j);
    assert_null(a);
    assert_string_equal(e.msg, "valid_from: expected a date YYYY-MM-DD such as 2026-02-13, "
                               "got \"2025-02-30\"");

    j = parse_ok("{\"title\":\"t\",\"kind\":\"guide\",\"scope\":\"national\",\"body\":\"b\","
                 "\"status\":\"published\"}");
    a = codec_article_input_decode(j, &e);
    cJSON_Delete(j);
    assert_null(a);
    assert_string_equal(e.field, "status");

    /* list: paths carry the index; ids must be unique */
    j = parse_ok("[{\"id\":\"KB-1\",\"title\":\"t\",\"kind\":\"guide\",\"scope\":\"national\",\"body\":\"b\"},"
                 "{\"id\":\"KB-2\",\"title\":\"t\",\"kind\":\"指引\",\"scope\":\"national\",\"body\":\"b\"}]");
    assert_null(codec_article_list_decode(j, &n, &e));
    cJSON_Delete(j);
    assert_int_equal(n, 0);
    assert_string_equal(e.field, "[1].kind");
    j = parse_ok("[{\"id\":\"KB-1\",\"title\":\"t\",\"kind\":\"guide\",\"scope\":\"national\",\"body\":\"b\"},"
                 "{\"id\":\"KB-2\",\"title\":\"t\",\"kind\":\"guide\",\"scope\":\"national\",\"body\":\"b\"},"
                 "{\"id\":\"KB-1\",\"title\":\"t\",\"kind\":\"guide\",\"scope\":\"national\",\"body\":\"b\"}]");
    assert_null(codec_article_list_decode(j, &n, &e));
    cJSON_Delete(j);
    assert_string_equal(e.field, "[2].id");
    assert_string_equal(e.msg, "[2].id: \"KB-1\" is already used by [0]");
    j = parse_ok("[]");
    a = codec_article_list_decode(j, &n, &e);
    cJSON_Delete(j);
    assert_non_null(a);
    assert_int_equal(n, 0);
    free(a);
    j = parse_ok("{}");
    assert_null(codec_article_list_decode(j, &n, &e));
    cJSON_Delete(j);
    assert_string_equal(e.msg, "expected an array of articles, got an object");

    /* patch */
    j = parse_ok("{\"title\":\"旧\",\"kind\":\"guide\",\"scope\":\"national\",\"body\":\"b\"}");
    a = codec_article_input_decode(j, &e);
    cJSON_Delete(j);
    assert_non_null(a);
    j = parse_ok("{\"title\":\"新\",\"tags\":[\"燃气\",\"12345\"],\"valid_to\":\"2026-01-01\"}");
    rc = codec_article_patch_apply(j, a, &e);
    cJSON_Delete(j);
    assert_int_equal(rc, HL_OK);
    assert_string_equal(a->title, "新");
    assert_int_equal(a->tags.n, 2);
    assert_int_equal(a->valid_to, 20454);   /* 2026-01-01 */
    j = parse_ok("{\"title\":\"不该生效\",\"id\":\"KB-9\"}");
    rc = codec_article_patch_apply(j, a, &e);
    cJSON_Delete(j);
    assert_int_equal(rc, HL_EINVAL);
    assert_string_equal(e.field, "id");
    assert_string_equal(a->title, "新");
    j = parse_ok("{\"tags\":[\"a\",\"a\"]}");
    rc = codec_article_patch_apply(j, a, &e);
    cJSON_Delete(j);
    assert_int_equal(rc, HL_EINVAL);
    assert_string_equal(e.msg, "tags[1]: \"a\" is listed twice");
    assert_int_equal(a->tags.n, 2);
    j = parse_ok("{\"valid_to\":null}");
    rc = codec_article_patch_apply(j, a, &e);
    cJSON_Delete(j);
    assert_int_equal(rc, HL_OK);
    assert_true(a->valid_to == INT64_MAX);
    article_free(&a);
}

/* ---- tests: users, calls, error bodies ---- */

/* Users encode and decode; a unit user needs its unit. */
static void
test_user(void **state)
{
    struct user u = { xstrdup("u7"), xstrdup("张三"), USER_UNIT, xstrdup("city.housing") };
    struct user back;
    struct err e;
    cJSON *j;
    char *text;

    (void)state;
    j = codec_user_to_json(&u);
    text = codec_print(j);
    cJSON_Delete(j);
    assert_string_equal(text, "{\"id\":\"u7\",\"name\":\"张三\",\"role\":\"unit\",\"unit\":\"city.housing\"}");
    j = parse_ok(text);
    assert_int_equal(codec_user_decode(j, &back, &e), HL_OK);
    cJSON_Delete(j);
    assert_string_equal(back.id, "u7");
    assert_int_equal(back.role, USER_UNIT);
    assert_string_equal(back.unit, "city.housing");
    user_fini(&back);
    free(text);
    user_fini(&u);

    j = parse_ok("{\"id\":\"u8\",\"role\":\"unit\",\"unit\":null,\"avatar\":\"x\"}");
    assert_int_equal(codec_user_decode(j, &back, &e), HL_EINVAL);
    cJSON_Delete(j);
    assert_string_equal(e.msg, "unit: is required for role unit");
    assert_null(back.id);
    j = parse_ok("{\"id\":\"u8\",\"role\":\"agent\",\"avatar\":\"x\"}");
    assert_int_equal(codec_user_decode(j, &back, &e), HL_OK);
    cJSON_Delete(j);
    assert_int_equal(back.role, USER_AGENT);
    assert_null(back.unit);
    user_fini(&back);
    j = parse_ok("{\"id\":\"u8\",\"role\":\"root\"}");
    assert_int_equal(codec_user_decode(j, &back, &e), HL_EINVAL);
    cJSON_Delete(j);
    assert_string_equal(e.msg, "role: unknown value \"root\"; expected one of agent, unit, "
                               "supervisor, admin");
}

/* Call events and records from the phone system. */
static void
test_calls(void **state)
{
    struct call_event ce;
    struct call_record cr;
    struct err e;
    cJSON *j;
    char *text;

    (void)state;
    j = parse_ok("{\"call_id\":\"c-1\",\"type\":\"answer\",\"caller\":\"anonymous\",\"queue\":\"q1\","
                 "\"agent\":\"agent-3\",\"at\":\"2026-11-22T09:30:00+08:00\"}");
    assert_int_equal(codec_call_event_decode(j, &ce, &e), HL_OK);
    cJSON_Delete(j);
    assert_int_equal(ce.type, CALL_ANSWER);
    assert_string_equal(ce.caller, "anonymous");
    assert_int_equal(ce.at, T0);
    j = codec_call_event_to_json(&ce, NULL);
    text = codec_print(j);
    cJSON_Delete(j);
    assert_string_equal(text, "{\"call_id\":\"c-1\",\"type\":\"answer\",\"caller\":\"anonymous\","
                              "\"queue\":\"q1\",\"agent\":\"agent-3\",\"at\":\"2026-11-22T01:30:00Z\"}");
    free(text);
    call_event_fini(&ce);

    j = parse_ok("{\"call_id\":\"c-1\",\"type\":\"answer\",\"at\":\"2026-11-22T01:30:00Z\"}");
    assert_int_equal(codec_call_event_decode(j, &ce, &e), HL_EINVAL);
    cJSON_Delete(j);
    assert_string_equal(e.msg, "agent: is required for type answer");
    j = parse_ok("{\"call_id\":\"c-1\",\"type\":\"ring\",\"at\":\"2026-11-22T01:30:00Z\"}");
    assert_int_equal(codec_call_event_decode(j, &ce, &e), HL_EINVAL);
    cJSON_Delete(j);
    assert_string_equal(e.msg, "type: unknown value \"ring\"; expected one of new_call, answer, hangup");
    j = parse_ok("{\"call_id\":\"c-1\",\"type\":\"hangup\",\"at\":\"2026-11-22T01:30:00Z\",\"x\":1}");
    assert_int_equal(codec_call_event_decode(j, &ce, &e), HL_EINVAL);
    cJSON_Delete(j);
    assert_string_equal(e.field, "x");

    j = parse_ok("{\"call_id\":\"c-2\",\"caller\":\"13812345678\",\"offered_at\":\"2026-11-22T01:30:00Z\","
                 "\"answered_at\":\"2026-11-22T01:30:15Z\",\"ended_at\":\"2026-11-22T01:35:00Z\"}");
    assert_int_equal(codec_call_record_decode(j, &cr, &e), HL_OK);
    cJSON_Delete(j);
    assert_int_equal(cr.offered_at, T0);
    assert_int_equal(cr.answered_at, T0 + 15);
    assert_int_equal(cr.ended_at, T0 + 300);
    assert_null(cr.agent);
    call_record_fini(&cr);
    j = parse_ok("{\"call_id\":\"c-3\",\"offered_at\":\"2026-11-22T01:30:00Z\",\"answered_at\":null,"
                 "\"ended_at\":\"2026-11-22T01:29:00Z\"}");
    assert_int_equal(codec_call_record_decode(j, &cr, &e), HL_EINVAL);
    cJSON_Delete(j);
    assert_string_equal(e.msg, "ended_at: is before offered_at");
    j = parse_ok("{\"call_id\":\"c-3\",\"offered_at\":\"2026-11-22T01:30:00Z\","
                 "\"answered_at\":\"2026-11-22T01:36:00Z\",\"ended_at\":\"2026-11-22T01:35:00Z\"}");
    assert_int_equal(codec_call_record_decode(j, &cr, &e), HL_EINVAL);
    cJSON_Delete(j);
    assert_string_equal(e.msg, "ended_at: is before answered_at");
    j = parse_ok("{\"call_id\":\"c-3\",\"offered_at\":\"2026-11-22T01:30:00Z\"}");
    assert_int_equal(codec_call_record_decode(j, &cr, &e), HL_EINVAL);
    cJSON_Delete(j);
    assert_string_equal(e.msg, "ended_at: is required");
}

/* Error bodies: the wire shape and back. */
static void
test_error_body(void **state)
{
    struct err e, back;
    char *text;
    cJSON *j;

    (void)state;
    err_set(&e, HL_EINVAL, "caller.phone", "caller.phone: expected a string, got a number");
    text = codec_err_encode(&e);
    assert_string_equal(text, "{\"error\":{\"code\":\"invalid\",\"message\":\"caller.phone: "
                              "expected a string, got a number\",\"field\":\"caller.phone\"}}");
    j = parse_ok(text);
    assert_int_equal(codec_error_decode(j, &back), HL_EINVAL);
    cJSON_Delete(j);
    assert_string_equal(back.field, "caller.phone");
    assert_string_equal(back.msg, e.msg);
    free(text);

    err_set(&e, HL_ERULE, "", "退单只能在转办后1个工作日内");
    text = codec_err_encode(&e);
    assert_string_equal(text, "{\"error\":{\"code\":\"rule\",\"message\":\"退单只能在转办后1个工作日内\","
                              "\"field\":null}}");
    j = parse_ok(text);
    assert_int_equal(codec_error_decode(j, &back), HL_ERULE);
    cJSON_Delete(j);
    assert_string_equal(back.field, "");
    free(text);

    assert_string_equal(codec_status_str(HL_ECONFLICT), "conflict");
    assert_string_equal(codec_status_str(HL_ENOENT), "not_found");
    assert_string_equal(codec_status_str(99), "internal");
    assert_int_equal(codec_status_parse("not_found"), HL_ENOENT);
    assert_int_equal(codec_status_parse("teapot"), HL_EINVAL);
    j = codec_error_to_json("too_large", "body over 1 MiB", NULL);
    text = codec_print(j);
    cJSON_Delete(j);
    assert_string_equal(text, "{\"error\":{\"code\":\"too_large\",\"message\":\"body over 1 MiB\","
                              "\"field\":null}}");
    free(text);
    j = parse_ok("{\"message\":\"x\"}");
    assert_int_equal(codec_error_decode(j, &back), HL_EINVAL);
    cJSON_Delete(j);
    assert_string_equal(back.msg, "malformed error body from the server");
}

/* ---- tests: hostile input ---- */

/* Every decoder, on any tree: returns cleanly, fills e on failure. */
static void
decode_everything(const cJSON *j)
{
    struct ticket *t, *base;
    struct article *a, *v;
    struct action_body b;
    struct user u;
    struct call_event ce;
    struct call_record cr;
    struct strlist fields = { NULL, 0 };
    struct err e;
    size_t n, i;
    int k, rc;

#define CHECK_ERR(ok)                                                         \
    do {                                                                      \
        if (!(ok)) {                                                          \
            assert_int_equal(e.code, HL_EINVAL);                              \
            assert_true(e.msg[0] != '\0');                                    \
            assert_true(text_utf8_valid(e.msg, strlen(e.msg)));               \
            assert_true(text_utf8_valid(e.field, strlen(e.field)));           \
        }                                                                     \
    } while (0)

    err_clear(&e);
    t = codec_ticket_create_decode(j, &e);
    CHECK_ERR(t != NULL);
    ticket_free(&t);
    t = codec_ticket_decode(j, &e);
    CHECK_ERR(t != NULL);
    ticket_free(&t);
    base = full_ticket();
    rc = codec_ticket_patch_apply(j, base, &fields, &e);
    CHECK_ERR(rc == HL_OK);
    strlist_fini(&fields);
    ticket_free(&base);
    for (k = 0; k < ACTION_COUNT; k++) {
        rc = codec_action_decode((enum action)k, j, &b, &e);
        CHECK_ERR(rc == HL_OK);
        codec_action_fini(&b);
    }
    a = codec_article_input_decode(j, &e);
    CHECK_ERR(a != NULL);
    article_free(&a);
    a = codec_article_decode(j, &e);
    CHECK_ERR(a != NULL);
    if (a != NULL) {
        rc = codec_article_patch_apply(j, a, &e);
        CHECK_ERR(rc == HL_OK);
    }
    article_free(&a);
    v = codec_article_list_decode(j, &n, &e);
    CHECK_ERR(v != NULL);
    for (i = 0; v != NULL && i < n; i++)
        article_fini(&v[i]);
    free(v);
    rc = codec_user_decode(j, &u, &e);
    CHECK_ERR(rc == HL_OK);
    user_fini(&u);
    rc = codec_call_event_decode(j, &ce, &e);
    CHECK_ERR(rc == HL_OK);
    call_event_fini(&ce);
    rc = codec_call_record_decode(j, &cr, &e);
    CHECK_ERR(rc == HL_OK);
    call_record_fini(&cr);
#undef CHECK_ERR
}

/* Wrong top-level types and odd but valid JSON go through every decoder. */
static void
test_hostile_shapes(void **state)
{
    static const char *const bodies[] = {
        "null", "true", "0", "-0", "1e400", "\"x\"", "[]", "{}", "[{}]", "[[[[]]]]",
        "{\"channel\":{\"channel\":{}}}",
        "{\"units\":[null,1,\"a\",[],{}]}",
        "{\"caller\":null,\"channel\":\"walk_in\",\"nature\":\"help\",\"description\":\"d\"}",
        "{\"days\":1e308,\"reason\":\"\\ud83d\\ude00\"}",
        "{\"days\":-0.0,\"approve\":null,\"at\":\"\"}",
        "{\"valid_from\":\"0000-01-01\",\"valid_to\":\"9999-12-31\"}",
        "{\"at\":\"99999-01-01T00:00:00Z\"}",
        ("{\"id\":\"HL\",\"channel\":\"im\",\"nature\":\"alarm\",\"status\":\"archived\","
         "\"assignments\":[{\"unit\":null,\"role\":\"lead\"}],\"flags\":[1]}"),
    };
    size_t i;

    (void)state;
    for (i = 0; i < ARRAY_SIZE(bodies); i++) {
        cJSON *j = parse_ok(bodies[i]);

        decode_everything(j);
        cJSON_Delete(j);
    }
    decode_everything(NULL);
}

/* Every prefix of a valid body fails to parse cleanly (or parses and decodes). */
static void
test_hostile_truncation(void **state)
{
    const char *body =
        "{\"channel\":\"phone\",\"caller\":{\"name\":\"李\",\"phone\":\"13812345678\"},"
        "\"nature\":\"complaint\",\"complaint_level\":2,\"description\":\"噪音\\n扰民\","
        "\"units\":[{\"unit\":\"a\",\"role\":\"lead\"}],\"days\":3}";
    size_t len = strlen(body), i;
    struct err e;

    (void)state;
    for (i = 0; i < len; i++) {
        cJSON *j = codec_parse(body, i, &e);

        if (j != NULL) {
            decode_everything(j);
            cJSON_Delete(j);
        } else {
            assert_int_equal(e.code, HL_EINVAL);
            assert_true(text_utf8_valid(e.msg, strlen(e.msg)));
        }
    }
}

/* A fixed-seed random generator (xorshift64*). */
static uint64_t
next_rand(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * UINT64_C(2685821657736338717);
}

/* Mutate valid bodies thousands of times: no crash, no leak, clean errors. */
static void
test_hostile_mutations(void **state)
{
    static const char *const seeds[] = {
        "{\"channel\":\"phone\",\"caller\":{\"name\":\"王小明\",\"salutation\":\"女士\","
        "\"phone\":\"010-12345678\",\"address\":\"幸福路1号\",\"confidential\":true},"
        "\"nature\":\"complaint\",\"category\":\"urban.env.social_noise\",\"title\":\"噪音\","
        "\"description\":\"每晚施工\\n很吵\",\"location\":\"幸福路\",\"occurred_at\":"
        "\"2026-11-22T09:30:00+08:00\",\"urgency\":\"urgent\",\"complaint_level\":2,"
        "\"requested_due\":\"2026-11-23T09:30:00+08:00\"}",
        "{\"units\":[{\"unit\":\"city.housing\",\"role\":\"lead\"},{\"unit\":\"city.police\","
        "\"role\":\"assist\"}],\"note\":\"请核查\",\"answer\":\"答复\",\"kb_refs\":[\"KB-0001\"],"
        "\"days\":7,\"reason\":\"原因\",\"approve\":true,\"at\":\"2026-11-22T01:30:00Z\","
        "\"outcome\":\"reached\",\"satisfaction\":\"basic\",\"reply\":\"已办\"}",
        "[{\"id\":\"KB-0001\",\"title\":\"标题\",\"kind\":\"操作指引\",\"scope\":\"national\","
        "\"region\":\"全国\",\"category\":\"services.customs\",\"tags\":[\"95198\",\"IC卡\"],"
        "\"body\":\"正文\",\"valid_from\":\"2024-01-01\",\"valid_to\":\"2025-06-15\"}]",
    };
    static const char interesting[] = "{}[]\",:\\u0 1e9-.tfn\xe4\xb8\xad\xff\x01";
    uint64_t seed = UINT64_C(0x5eed12345);
    char buf[2048];
    size_t parsed = 0, iter;
    struct err e;

    (void)state;
    for (iter = 0; iter < 4000; iter++) {
        const char *src = seeds[iter % ARRAY_SIZE(seeds)];
        size_t len = strlen(src), m, muts;
        cJSON *j;

        memcpy(buf, src, len);
        muts = 1 + next_rand(&seed) % 4;
        for (m = 0; m < muts && len > 0; m++) {
            size_t pos = next_rand(&seed) % len;
            unsigned op = (unsigned)(next_rand(&seed) % 6);
            char c = interesting[next_rand(&seed) % (sizeof interesting - 1)];

            switch (op) {
            case 0:   /* replace a byte */
                buf[pos] = c;
                break;
            case 1:   /* insert a byte */
                if (len + 1 < sizeof buf) {
                    memmove(buf + pos + 1, buf + pos, len - pos);
                    buf[pos] = c;
                    len++;
                }
                break;
            case 2:   /* delete a byte */
                memmove(buf + pos, buf + pos + 1, len - pos - 1);
                len--;
                break;
            case 3:   /* truncate */
                len = pos;
                break;
            case 4: { /* duplicate a chunk */
                size_t n = 1 + next_rand(&seed) % 24;

                if (pos + n > len)
                    n = len - pos;
                if (len + n < sizeof buf) {
                    memmove(buf + pos + n, buf + pos, len - pos);
                    len += n;
                }
                break;
            }
            default:  /* flip a bit */
                buf[pos] = (char)(buf[pos] ^ (1 << (next_rand(&seed) % 8)));
                break;
            }
        }
        j = codec_parse(buf, len, &e);
        if (j == NULL) {
            assert_int_equal(e.code, HL_EINVAL);
            assert_true(text_utf8_valid(e.msg, strlen(e.msg)));
            continue;
        }
        parsed++;
        decode_everything(j);
        cJSON_Delete(j);
    }
    /* the loop must exercise the decoders, not only the parser */
    assert_true(parsed > 400);
}

/* Collect up to max nodes of a tree in preorder. */
static size_t
collect(cJSON *j, cJSON **out, size_t n, size_t max)
{
    cJSON *c;

    if (n < max)
        out[n++] = j;
    for (c = j->child; c != NULL; c = c->next)
        n = collect(c, out, n, max);
    return n;
}

/* A random replacement value. */
static cJSON *
random_value(uint64_t *seed)
{
    static const char *const strings[] = {
        "", " ", "x", "\xff\xfe", "a\nb", "\x1b[2J", "2026-11-22T01:30:00Z", "2024-01-01",
        "lead", "assist", "reached", "basic", "先生", "KB-0001", "13812345678", "complaint",
        "phone", "walk_in", "national", "操作指引", "unit", "answer", "1e400",
    };
    cJSON *v;
    char *big;

    switch (next_rand(seed) % 12) {
    case 0:
        return cJSON_CreateNull();
    case 1:
        return cJSON_CreateBool(next_rand(seed) & 1);
    case 2:
        return cJSON_CreateNumber((double)(int64_t)(next_rand(seed) % 800) - 100);
    case 3:
        return cJSON_CreateNumber(1e300 * 1e300);   /* infinity */
    case 4:
        return cJSON_CreateNumber(2.5);
    case 5:
        return cJSON_CreateObject();
    case 6:
        return cJSON_CreateArray();
    case 7:
        v = cJSON_CreateArray();
        cJSON_AddItemToArray(v, cJSON_CreateObject());
        cJSON_AddItemToArray(v, cJSON_CreateString("lead"));
        return v;
    case 8:
        big = repeat("长", 8001);
        v = cJSON_CreateString(big);
        free(big);
        return v;
    default:
        return cJSON_CreateString(strings[next_rand(seed) % ARRAY_SIZE(strings)]);
    }
}

/* Mutate parsed trees: replace, drop or rename members; every decoder must cope. */
static void
test_hostile_tree_mutations(void **state)
{
    static const char *const seeds[] = {
        "{\"channel\":\"phone\",\"caller\":{\"name\":\"王\",\"salutation\":\"女士\","
        "\"phone\":\"010-12345678\",\"confidential\":true},\"nature\":\"complaint\","
        "\"description\":\"d\",\"complaint_level\":2,\"occurred_at\":\"2026-11-22T01:30:00Z\"}",
        "{\"units\":[{\"unit\":\"a\",\"role\":\"lead\"},{\"unit\":\"b\",\"role\":\"assist\"}],"
        "\"answer\":\"x\",\"kb_refs\":[\"KB-1\"],\"days\":7,\"reason\":\"r\",\"approve\":true,"
        "\"at\":\"2026-11-22T01:30:00Z\",\"outcome\":\"reached\",\"satisfaction\":\"basic\"}",
        "{\"id\":\"HL20261122-000001\",\"channel\":\"sms\",\"nature\":\"help\","
        "\"status\":\"closed\",\"assignments\":[{\"unit\":\"a\",\"role\":\"lead\","
        "\"state\":\"replied\"}],\"events\":[{\"at\":\"2026-11-22T01:30:00Z\",\"type\":\"created\","
        "\"from\":\"accepted\",\"to\":\"accepted\"}],\"flags\":[\"overdue\"],\"title\":\"t\","
        "\"kind\":\"guide\",\"scope\":\"local\",\"body\":\"b\",\"role\":\"unit\",\"unit\":\"u\","
        "\"call_id\":\"c\",\"type\":\"hangup\",\"at\":\"2026-11-22T01:30:00Z\","
        "\"offered_at\":\"2026-11-22T01:30:00Z\",\"ended_at\":\"2026-11-22T01:31:00Z\"}",
    };
    uint64_t seed = UINT64_C(0xC0DEC);
    cJSON *nodes[256];
    size_t iter, n, k;

    (void)state;
    for (iter = 0; iter < 3000; iter++) {
        cJSON *root = parse_ok(seeds[iter % ARRAY_SIZE(seeds)]);
        size_t muts = 1 + next_rand(&seed) % 3, m;

        for (m = 0; m < muts; m++) {
            cJSON *victim, *parent = NULL;

            n = collect(root, nodes, 0, ARRAY_SIZE(nodes));
            if (n < 2)
                break;
            victim = nodes[1 + next_rand(&seed) % (n - 1)];
            for (k = 0; k < n; k++) {
                cJSON *c;

                for (c = nodes[k]->child; c != NULL; c = c->next) {
                    if (c == victim)
                        parent = nodes[k];
                }
            }
            assert_non_null(parent);
            switch (next_rand(&seed) % 3) {
            case 0:
                cJSON_ReplaceItemViaPointer(parent, victim, random_value(&seed));
                break;
            case 1:
                cJSON_Delete(cJSON_DetachItemViaPointer(parent, victim));
                break;
            default:
                if (victim->string != NULL) {
                    free(victim->string);
                    victim->string = xstrdup((next_rand(&seed) & 1) ? "note" : "Title");
                }
                break;
            }
        }
        decode_everything(root);
        cJSON_Delete(root);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_ok),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_parse_depth),
        cmocka_unit_test(test_parse_duplicates),
        cmocka_unit_test(test_parse_nul_escape),
        cmocka_unit_test(test_ticket_round_trip),
        cmocka_unit_test(test_ticket_encode_empty),
        cmocka_unit_test(test_ticket_decode_lenient),
        cmocka_unit_test(test_create_ok),
        cmocka_unit_test(test_create_errors),
        cmocka_unit_test(test_create_tree_checks),
        cmocka_unit_test(test_patch),
        cmocka_unit_test(test_action_names),
        cmocka_unit_test(test_action_ok),
        cmocka_unit_test(test_action_errors),
        cmocka_unit_test(test_article_import_sample),
        cmocka_unit_test(test_article_round_trip),
        cmocka_unit_test(test_article_errors),
        cmocka_unit_test(test_user),
        cmocka_unit_test(test_calls),
        cmocka_unit_test(test_error_body),
        cmocka_unit_test(test_hostile_shapes),
        cmocka_unit_test(test_hostile_truncation),
        cmocka_unit_test(test_hostile_mutations),
        cmocka_unit_test(test_hostile_tree_mutations),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
