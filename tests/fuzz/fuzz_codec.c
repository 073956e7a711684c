/* fuzz_codec: codec_parse on the bytes, then every decoder on the tree; whatever decodes is
 * encoded again and must round-trip (decode(encode(x)) encodes to the same text). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "hotline/codec.h"
#include "hotline/text.h"
#include "hotline/tz.h"
#include "hotline/util.h"

/* A valid create body the patch decoder is applied onto. */
static const char patch_base[] =
    "{\"channel\":\"phone\",\"caller\":{\"name\":\"王小明\",\"salutation\":\"女士\","
    "\"phone\":\"010-12345678\",\"address\":\"幸福路1号\",\"confidential\":true},"
    "\"nature\":\"complaint\",\"category\":\"urban.env.social_noise\",\"title\":\"噪音\","
    "\"description\":\"每晚施工\\n很吵\",\"location\":\"幸福路\",\"occurred_at\":"
    "\"2026-11-22T09:30:00+08:00\",\"urgency\":\"urgent\",\"complaint_level\":2,"
    "\"requested_due\":\"2026-11-23T09:30:00+08:00\"}";

/* A valid article input the article patch is applied onto. */
static const char article_base[] =
    "{\"id\":\"KB-0001\",\"title\":\"标题\",\"kind\":\"操作指引\",\"scope\":\"national\","
    "\"region\":\"全国\",\"category\":\"services.customs\",\"tags\":[\"95198\",\"IC卡\"],"
    "\"body\":\"正文\",\"valid_from\":\"2024-01-01\",\"valid_to\":\"2025-06-15\"}";

/* One decodable type: how to decode it, encode it and decode the encoding again. */
struct rt_ops {
    const char *name;
    void *(*decode)(const cJSON *json, struct err *e);
    cJSON *(*to_json)(const void *obj, const struct tz *tz);
    void *(*redecode)(const cJSON *json, struct err *e);
    void (*release)(void *obj);
};

/* Check what a failed decoder left in e. */
static void
check_error(const char *what, const struct err *e)
{
    size_t flen = strlen(e->field);

    FUZZ_CHECK(e->code == HL_EINVAL, "%s: failure with code %d", what, e->code);
    FUZZ_CHECK(e->msg[0] != '\0', "%s: failure without a message", what);
    FUZZ_CHECK(text_utf8_valid(e->msg, strlen(e->msg)), "%s: message not UTF-8", what);
    FUZZ_CHECK(text_utf8_valid(e->field, flen), "%s: field not UTF-8", what);
    if (flen > 0 && flen < sizeof e->field - 1 && flen < sizeof e->msg - 1)
        FUZZ_CHECK(strncmp(e->msg, e->field, flen) == 0,
                   "%s: message \"%s\" does not start with its field \"%s\"", what, e->msg,
                   e->field);
}

/* Compact text of a tree, deleting the tree. */
static char *
print_delete(cJSON *json)
{
    char *text;

    FUZZ_CHECK(json != NULL, "an encoder returned NULL");
    text = codec_print(json);
    FUZZ_CHECK(text != NULL, "codec_print returned NULL");
    cJSON_Delete(json);
    return text;
}

/* Parse text the codec wrote; it must be acceptable to codec_parse. */
static cJSON *
reparse(const char *what, const char *text)
{
    struct err e;
    cJSON *j;

    err_clear(&e);
    j = codec_parse(text, strlen(text), &e);
    FUZZ_CHECK(j != NULL, "%s: encoded text does not parse (%s):\n%s", what, e.msg, text);
    return j;
}

/* Decode root with ops; when it decodes, encode it in each zone and check the round trip. */
static void
roundtrip(const struct rt_ops *ops, const cJSON *root, struct tz *const *zones, size_t nzones)
{
    struct err e;
    void *obj;
    char *utc;
    size_t z;

    err_clear(&e);
    obj = ops->decode(root, &e);
    if (obj == NULL) {
        check_error(ops->name, &e);
        return;
    }
    FUZZ_CHECK(e.code == HL_OK, "%s: success with error code %d", ops->name, e.code);
    utc = print_delete(ops->to_json(obj, NULL));
    for (z = 0; z < nzones; z++) {
        char *text1 = print_delete(ops->to_json(obj, zones[z]));
        cJSON *j = reparse(ops->name, text1);
        void *again;
        char *text2, *utc2;

        err_clear(&e);
        again = ops->redecode(j, &e);
        FUZZ_CHECK(again != NULL, "%s: encoding does not decode again: %s\n%s", ops->name,
                   e.msg, text1);
        text2 = print_delete(ops->to_json(again, zones[z]));
        FUZZ_CHECK(strcmp(text1, text2) == 0, "%s: round trip differs:\n%s\n%s", ops->name,
                   text1, text2);
        utc2 = print_delete(ops->to_json(again, NULL));
        FUZZ_CHECK(strcmp(utc, utc2) == 0, "%s: instants moved through zone %s:\n%s\n%s",
                   ops->name, tz_name(zones[z]), utc, utc2);
        free(utc2);
        free(text2);
        ops->release(again);
        cJSON_Delete(j);
        free(text1);
    }
    free(utc);
    ops->release(obj);
}

/* ---- adapters: every decoder as "tree in, object or NULL out" ---- */

/* Whole ticket. */
static void *
dec_ticket(const cJSON *json, struct err *e)
{
    return codec_ticket_decode(json, e);
}

/* Create body. */
static void *
dec_create(const cJSON *json, struct err *e)
{
    return codec_ticket_create_decode(json, e);
}

/* Encode a whole ticket. */
static cJSON *
enc_ticket(const void *obj, const struct tz *tz)
{
    return codec_ticket_to_json(obj, tz);
}

/* Encode the matter of a ticket. */
static cJSON *
enc_matter(const void *obj, const struct tz *tz)
{
    return codec_ticket_matter_to_json(obj, tz);
}

/* Free a ticket. */
static void
rel_ticket(void *obj)
{
    struct ticket *t = obj;

    ticket_free(&t);
}

/* Whole article. */
static void *
dec_article(const cJSON *json, struct err *e)
{
    return codec_article_decode(json, e);
}

/* Article input. */
static void *
dec_article_input(const cJSON *json, struct err *e)
{
    return codec_article_input_decode(json, e);
}

/* Encode an article. */
static cJSON *
enc_article(const void *obj, const struct tz *tz)
{
    return codec_article_to_json(obj, tz);
}

/* Free an article. */
static void
rel_article(void *obj)
{
    struct article *a = obj;

    article_free(&a);
}

/* User. */
static void *
dec_user(const cJSON *json, struct err *e)
{
    struct user *u = xcalloc(1, sizeof *u);

    if (codec_user_decode(json, u, e) != HL_OK) {
        FUZZ_CHECK(u->id == NULL && u->name == NULL && u->unit == NULL,
                   "user: not released on error");
        free(u);
        return NULL;
    }
    return u;
}

/* Encode a user. */
static cJSON *
enc_user(const void *obj, const struct tz *tz)
{
    (void)tz;
    return codec_user_to_json(obj);
}

/* Free a user. */
static void
rel_user(void *obj)
{
    user_fini(obj);
    free(obj);
}

/* Call event. */
static void *
dec_call_event(const cJSON *json, struct err *e)
{
    struct call_event *c = xcalloc(1, sizeof *c);

    if (codec_call_event_decode(json, c, e) != HL_OK) {
        free(c);
        return NULL;
    }
    return c;
}

/* Encode a call event. */
static cJSON *
enc_call_event(const void *obj, const struct tz *tz)
{
    return codec_call_event_to_json(obj, tz);
}

/* Free a call event. */
static void
rel_call_event(void *obj)
{
    call_event_fini(obj);
    free(obj);
}

/* Call record. */
static void *
dec_call_record(const cJSON *json, struct err *e)
{
    struct call_record *c = xcalloc(1, sizeof *c);

    if (codec_call_record_decode(json, c, e) != HL_OK) {
        free(c);
        return NULL;
    }
    return c;
}

/* Encode a call record. */
static cJSON *
enc_call_record(const void *obj, const struct tz *tz)
{
    return codec_call_record_to_json(obj, tz);
}

/* Free a call record. */
static void
rel_call_record(void *obj)
{
    call_record_fini(obj);
    free(obj);
}

static const struct rt_ops rt_types[] = {
    { "ticket", dec_ticket, enc_ticket, dec_ticket, rel_ticket },
    { "create", dec_create, enc_matter, dec_create, rel_ticket },
    { "article", dec_article, enc_article, dec_article, rel_article },
    { "article input", dec_article_input, enc_article, dec_article, rel_article },
    { "user", dec_user, enc_user, dec_user, rel_user },
    { "call event", dec_call_event, enc_call_event, dec_call_event, rel_call_event },
    { "call record", dec_call_record, enc_call_record, dec_call_record, rel_call_record },
};

/* Every action body: decode, encode, decode again, same text. */
static void
fuzz_actions(const cJSON *root, struct tz *const *zones, size_t nzones)
{
    int a;

    for (a = 0; a < ACTION_COUNT; a++) {
        struct action_body b, b2;
        struct err e;
        size_t z;

        err_clear(&e);
        if (codec_action_decode((enum action)a, root, &b, &e) != HL_OK) {
            check_error(action_str((enum action)a), &e);
            FUZZ_CHECK(b.answer == NULL && b.units == NULL && b.reason == NULL
                       && b.reply == NULL && b.note == NULL && b.kb_refs.v == NULL,
                       "%s: body not released on error", action_str((enum action)a));
            continue;
        }
        FUZZ_CHECK(b.action == (enum action)a, "action %d decoded as %d", a, (int)b.action);
        for (z = 0; z < nzones; z++) {
            char *text1 = print_delete(codec_action_to_json(&b, zones[z]));
            cJSON *j = reparse(action_str((enum action)a), text1);
            char *text2;

            err_clear(&e);
            FUZZ_CHECK(codec_action_decode((enum action)a, j, &b2, &e) == HL_OK,
                       "%s: encoding does not decode again: %s\n%s",
                       action_str((enum action)a), e.msg, text1);
            text2 = print_delete(codec_action_to_json(&b2, zones[z]));
            FUZZ_CHECK(strcmp(text1, text2) == 0, "%s: round trip differs:\n%s\n%s",
                       action_str((enum action)a), text1, text2);
            free(text2);
            codec_action_fini(&b2);
            cJSON_Delete(j);
            free(text1);
        }
        codec_action_fini(&b);
    }
}

/* Apply root as a PATCH onto a valid ticket: all or nothing, and the result is still a
 * valid create body. */
static void
fuzz_ticket_patch(const cJSON *root)
{
    struct strlist fields = { NULL, 0 };
    struct ticket *t;
    struct err e;
    cJSON *base = reparse("patch base", patch_base);
    char *before, *after;
    int rc;

    err_clear(&e);
    t = codec_ticket_create_decode(base, &e);
    FUZZ_CHECK(t != NULL, "patch base does not decode: %s", e.msg);
    cJSON_Delete(base);
    before = codec_ticket_encode(t, NULL);
    err_clear(&e);
    rc = codec_ticket_patch_apply(root, t, &fields, &e);
    after = codec_ticket_encode(t, NULL);
    if (rc != HL_OK) {
        check_error("patch", &e);
        FUZZ_CHECK(strcmp(before, after) == 0, "patch failed but changed the ticket:\n%s\n%s",
                   before, after);
        FUZZ_CHECK(fields.n == 0, "patch failed but listed %zu fields", fields.n);
    } else {
        char *matter = print_delete(codec_ticket_matter_to_json(t, NULL));
        cJSON *j = reparse("patched matter", matter);
        struct ticket *again;

        FUZZ_CHECK(fields.n >= 1, "patch succeeded without fields");
        err_clear(&e);
        again = codec_ticket_create_decode(j, &e);
        FUZZ_CHECK(again != NULL, "patched ticket is not a valid create body: %s\n%s", e.msg,
                   matter);
        ticket_free(&again);
        cJSON_Delete(j);
        free(matter);
    }
    free(after);
    free(before);
    strlist_fini(&fields);
    ticket_free(&t);
}

/* Apply root as a PATCH /kb/{id} onto a valid article: all or nothing. */
static void
fuzz_article_patch(const cJSON *root)
{
    struct article *a;
    struct err e;
    cJSON *base = reparse("article base", article_base);
    char *before, *after;

    err_clear(&e);
    a = codec_article_input_decode(base, &e);
    FUZZ_CHECK(a != NULL, "article base does not decode: %s", e.msg);
    cJSON_Delete(base);
    before = codec_article_encode(a, NULL);
    err_clear(&e);
    if (codec_article_patch_apply(root, a, &e) != HL_OK) {
        check_error("article patch", &e);
        after = codec_article_encode(a, NULL);
        FUZZ_CHECK(strcmp(before, after) == 0,
                   "article patch failed but changed the article:\n%s\n%s", before, after);
        free(after);
    } else {
        char *text = codec_article_encode(a, NULL);
        cJSON *j = reparse("patched article", text);
        struct article *again;

        FUZZ_CHECK(a->title != NULL && a->body != NULL,
                   "article patch cleared a required field:\n%s", text);
        again = codec_article_decode(j, &e);
        FUZZ_CHECK(again != NULL, "patched article does not decode: %s\n%s", e.msg, text);
        article_free(&again);
        cJSON_Delete(j);
        free(text);
    }
    free(before);
    article_free(&a);
}

/* An import file: every entry encodes and decodes again. */
static void
fuzz_article_list(const cJSON *root)
{
    struct article *v;
    struct err e;
    size_t n = 0, i;

    err_clear(&e);
    v = codec_article_list_decode(root, &n, &e);
    if (v == NULL) {
        check_error("article list", &e);
        return;
    }
    FUZZ_CHECK(cJSON_IsArray(root) && (size_t)cJSON_GetArraySize(root) == n,
               "article list of %zu from a tree that is not an array of that size", n);
    for (i = 0; i < n; i++) {
        char *text = codec_article_encode(&v[i], NULL);
        cJSON *j = reparse("listed article", text);
        struct article *again = codec_article_decode(j, &e);
        char *text2;

        FUZZ_CHECK(again != NULL, "listed article does not decode: %s\n%s", e.msg, text);
        text2 = codec_article_encode(again, NULL);
        FUZZ_CHECK(strcmp(text, text2) == 0, "listed article round trip differs:\n%s\n%s",
                   text, text2);
        free(text2);
        article_free(&again);
        cJSON_Delete(j);
        free(text);
        article_fini(&v[i]);
    }
    free(v);
}

/* An error body: decode, encode, decode again gives the same error. */
static void
fuzz_error(const cJSON *root)
{
    struct err e1, e2;
    char *text;
    cJSON *j;
    int rc;

    err_clear(&e1);
    rc = codec_error_decode(root, &e1);
    FUZZ_CHECK(rc == e1.code, "codec_error_decode returned %d, out->code %d", rc, e1.code);
    FUZZ_CHECK(text_utf8_valid(e1.msg, strlen(e1.msg)), "decoded error message not UTF-8");
    text = codec_err_encode(&e1);
    j = reparse("error", text);
    err_clear(&e2);
    codec_error_decode(j, &e2);
    FUZZ_CHECK(e1.code == e2.code && strcmp(e1.msg, e2.msg) == 0
               && strcmp(e1.field, e2.field) == 0,
               "error round trip differs: %d/%s/%s vs %d/%s/%s (%s)", e1.code, e1.field, e1.msg,
               e2.code, e2.field, e2.msg, text);
    cJSON_Delete(j);
    free(text);
}

/* Every decoder on one tree. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tz *zones[2];
    struct err e;
    cJSON *root;
    size_t i;

    err_clear(&e);
    root = codec_parse((const char *)data, size, &e);
    if (root == NULL) {
        FUZZ_CHECK(e.code == HL_EINVAL, "codec_parse failed with code %d", e.code);
        FUZZ_CHECK(text_utf8_valid(e.msg, strlen(e.msg)), "parse error message not UTF-8");
        return 0;
    }
    /* What parses prints and parses again to the same text. */
    {
        char *text1 = codec_print(root);
        cJSON *j = reparse("printed tree", text1);
        char *text2 = codec_print(j);

        FUZZ_CHECK(strcmp(text1, text2) == 0, "print/parse differs:\n%s\n%s", text1, text2);
        free(text2);
        cJSON_Delete(j);
        free(text1);
    }
    zones[0] = tz_fixed("Asia/Shanghai", 8 * 3600);
    zones[1] = tz_fixed("America/St_Johns", -(3 * 3600 + 30 * 60));
    for (i = 0; i < ARRAY_SIZE(rt_types); i++)
        roundtrip(&rt_types[i], root, zones, ARRAY_SIZE(zones));
    fuzz_actions(root, zones, ARRAY_SIZE(zones));
    fuzz_ticket_patch(root);
    fuzz_article_patch(root);
    fuzz_article_list(root);
    fuzz_error(root);
    tz_free(&zones[1]);
    tz_free(&zones[0]);
    cJSON_Delete(root);
    return 0;
}
