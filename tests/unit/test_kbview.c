/* test_kbview: the knowledge-base tab without a terminal: snippets with 【】 (also
 * malformed), offline matching and filters, the reader's lines, the article form, the
 * bodies of the writes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "hotline/datetime.h"
#include "hotline/model.h"
#include "hotline/text.h"
#include "hotline/util.h"
#include "views/kb_api.h"
#include "views/kb_edit.h"
#include "views/kb_text.h"

/* 2025-03-05, 2025-03-09, 2026-11-23 as day numbers. */
#define DAY_0305 20152
#define DAY_0309 20156
#define DAY_1123 20780

/* The text of span i of s. Caller frees. */
static char *
span_text(const char *s, const struct kb_span *sp)
{
    return xstrndup(s + sp->off, sp->len);
}

/* Assert span i is text, highlighted or not. */
static void
assert_span(const char *s, const struct kb_span *sp, const char *text, bool hl)
{
    char *t = span_text(s, sp);

    assert_string_equal(t, text);
    assert_int_equal(sp->hl, hl);
    free(t);
}

/* The server's shape: "…" context 【match】 context "…". */
static void
test_snippet_basic(void **state)
{
    const char *s = "…公告范围内反映【停水】的，直接答复…";
    struct kb_span sp[8];
    size_t n = kb_text_snippet(s, "停水", sp, 8);

    (void)state;
    assert_int_equal(n, 3);
    assert_span(s, &sp[0], "…公告范围内反映", false);
    assert_span(s, &sp[1], "停水", true);
    assert_span(s, &sp[2], "的，直接答复…", false);
    /* byte offsets: "…" is 3 bytes, each Chinese character 3, 【 3 */
    assert_int_equal(sp[0].off, 0);
    assert_int_equal(sp[0].len, 3 + 7 * 3);
    assert_int_equal(sp[1].off, 3 + 7 * 3 + 3);
    assert_int_equal(sp[1].len, 6);
}

/* Without a query every well-formed pair is a highlight; with one, the query's match in
 * other letter case counts, surrounding spaces of the query do not matter. */
static void
test_snippet_query(void **state)
{
    const char *a = "a【b】c【d】";
    const char *b = "reset the 【WiFi】 password";
    struct kb_span sp[8];

    (void)state;
    assert_int_equal(kb_text_snippet(a, NULL, sp, 8), 4);
    assert_span(a, &sp[0], "a", false);
    assert_span(a, &sp[1], "b", true);
    assert_span(a, &sp[2], "c", false);
    assert_span(a, &sp[3], "d", true);
    assert_int_equal(kb_text_snippet(a, "  ", sp, 8), 4);
    assert_int_equal(kb_text_snippet(b, " wifi ", sp, 8), 3);
    assert_span(b, &sp[1], "WiFi", true);
    /* a query that is not in the brackets: nothing is highlighted, the brackets stay */
    assert_int_equal(kb_text_snippet(b, "password", sp, 8), 1);
    assert_span(b, &sp[0], b, false);
}

/* The article's own 【模板】 is not the match: it stays literal next to the real one. */
static void
test_snippet_literal_brackets(void **state)
{
    const char *s = "【模板】高新区计划【停水】通知";
    struct kb_span sp[8];

    (void)state;
    assert_int_equal(kb_text_snippet(s, "停水", sp, 8), 3);
    assert_span(s, &sp[0], "【模板】高新区计划", false);
    assert_span(s, &sp[1], "停水", true);
    assert_span(s, &sp[2], "通知", false);
}

/* Malformed brackets: never closed, a stray 】, nested, empty, at the very end. */
static void
test_snippet_malformed(void **state)
{
    const char *open = "计划【停水";
    const char *stray = "】停水【停水】";
    const char *nested = "【a【停水】b】";
    const char *empty = "【】x";
    const char *tail = "x【";
    const char *cut = "x\xe3\x80";      /* half a 【 */
    struct kb_span sp[8];

    (void)state;
    assert_int_equal(kb_text_snippet(open, "停水", sp, 8), 1);
    assert_span(open, &sp[0], open, false);
    assert_int_equal(kb_text_snippet(stray, "停水", sp, 8), 2);
    assert_span(stray, &sp[0], "】停水", false);
    assert_span(stray, &sp[1], "停水", true);
    assert_int_equal(kb_text_snippet(nested, "停水", sp, 8), 3);
    assert_span(nested, &sp[0], "【a", false);
    assert_span(nested, &sp[1], "停水", true);
    assert_span(nested, &sp[2], "b】", false);
    assert_int_equal(kb_text_snippet(nested, NULL, sp, 8), 3);
    assert_int_equal(kb_text_snippet(empty, NULL, sp, 8), 1);
    assert_span(empty, &sp[0], empty, false);
    assert_int_equal(kb_text_snippet(tail, NULL, sp, 8), 1);
    assert_int_equal(kb_text_snippet(cut, NULL, sp, 8), 1);
    assert_int_equal(sp[0].len, 3);
    assert_int_equal(kb_text_snippet("", "停水", sp, 8), 0);
    assert_int_equal(kb_text_snippet(NULL, "停水", sp, 8), 0);
}

/* More spans than room: the count is the whole, only max are filled. */
static void
test_snippet_room(void **state)
{
    const char *s = "a【x】b【x】c";
    struct kb_span sp[2];

    (void)state;
    memset(sp, 0, sizeof sp);
    assert_int_equal(kb_text_snippet(s, "x", sp, 2), 5);
    assert_span(s, &sp[0], "a", false);
    assert_span(s, &sp[1], "x", true);
}

/* Where a snippet starts so that its match shows in a narrow column. */
static void
test_snippet_start(void **state)
{
    /* 12 CJK characters (24 columns), then the match of 2 (4 columns) */
    const char *s = "一二三四五六七八九十甲乙【停水】丙";
    struct kb_span sp[4];
    size_t n = kb_text_snippet(s, "停水", sp, 4);

    (void)state;
    assert_int_equal(n, 3);
    assert_int_equal(kb_text_snippet_start(s, sp, n, 40), 0);
    assert_int_equal(kb_text_snippet_start(s, sp, n, 28), 0);
    assert_int_equal(kb_text_snippet_start(s, sp, n, 27), 9 * 3);
    /* width 20: at most a quarter (5 columns) of text before the match: 甲乙 (the bracket
     * is not drawn) */
    assert_int_equal(kb_text_snippet_start(s, sp, n, 20), 10 * 3);
    /* no highlight: from the start */
    assert_int_equal(kb_text_snippet_start(s, sp, 1, 8), 0);
}

/* Case-insensitive search for ASCII, exact for Chinese. */
static void
test_find(void **state)
{
    (void)state;
    assert_int_equal(kb_text_find("Reset WiFi", "wifi"), 6);
    assert_int_equal(kb_text_find("停水通知", "通知"), 6);
    assert_int_equal(kb_text_find("停水通知", "停电"), -1);
    assert_int_equal(kb_text_find("abc", ""), -1);
    assert_int_equal(kb_text_find(NULL, "a"), -1);
    assert_int_equal(kb_text_find("ab", "abc"), -1);
}

/* An article for the offline tests. */
static void
make_article(struct article *a, const char *id, const char *title, enum kb_kind kind,
             const char *body)
{
    memset(a, 0, sizeof *a);
    a->id = xstrdup(id);
    a->title = xstrdup(title);
    a->kind = kind;
    a->scope = KB_LOCAL;
    a->category = xstrdup("urban.env.water_supply");
    a->body = body != NULL ? xstrdup(body) : NULL;
    a->valid_from = DAY_0305;
    a->valid_to = DAY_0309;
    a->status = KB_PUBLISHED;
    strlist_add(&a->tags, "供水");
}

/* Matching offline: title above tag above body; the snippet like the server's. */
static void
test_match(void **state)
{
    struct article a;
    char *snip = NULL;

    (void)state;
    make_article(&a, "KB-0017", "高新区计划停水通知", KB_NOTICE,
                 "因施工，高新区部分区域停止供水。\n反映停水的直接答复。");
    assert_int_equal(kb_text_match(&a, "停水", &snip), 3);
    assert_string_equal(snip, "因施工，高新区部分区域停止供水。 反映【停水】的直接答复。");
    free(snip);
    assert_int_equal(kb_text_match(&a, "供水", &snip), 2);
    assert_string_equal(snip, "因施工，高新区部分区域停止【供水】。 反映停水的直接答复。");
    free(snip);
    assert_int_equal(kb_text_match(&a, "施工", NULL), 1);
    assert_int_equal(kb_text_match(&a, "停电", &snip), 0);
    assert_null(snip);
    /* the title only: the snippet comes from the title */
    assert_int_equal(kb_text_match(&a, "通知", &snip), 3);
    assert_string_equal(snip, "高新区计划停水【通知】");
    free(snip);
    /* blank: everything, the start of the text */
    assert_int_equal(kb_text_match(&a, " ", &snip), 1);
    assert_string_equal(snip, "因施工，高新区部分区域停止供水。 反映停水的直接答复。");
    free(snip);
    /* a summary without text (a search result): title and tags still match */
    free(a.body);
    a.body = NULL;
    assert_int_equal(kb_text_match(&a, "停水", &snip), 3);
    assert_string_equal(snip, "高新区计划【停水】通知");
    free(snip);
    article_fini(&a);
}

/* A long text is cut around the match with "…" on both sides. */
static void
test_match_long(void **state)
{
    struct strbuf sb;
    struct article a;
    char *snip = NULL;

    (void)state;
    strbuf_init(&sb);
    for (int i = 0; i < 30; i++)
        strbuf_adds(&sb, "一");
    strbuf_adds(&sb, "停水");
    for (int i = 0; i < 100; i++)
        strbuf_adds(&sb, "二");
    make_article(&a, "KB-1", "标题", KB_KNOWLEDGE, strbuf_str(&sb));
    assert_int_equal(kb_text_match(&a, "停水", &snip), 1);
    /* 20 characters before the match, 80 in all */
    assert_true(str_starts_with(snip, "…一一一一一一一一一一一一一一一一一一一一【停水】二"));
    assert_int_equal(text_chars(snip), 1 + 20 + 1 + 2 + 1 + 58 + 1);
    free(snip);
    strbuf_fini(&sb);
    article_fini(&a);
}

/* Filters by kind, scope, category (code or prefix). */
static void
test_filter(void **state)
{
    struct article a;
    struct kb_filter any = {-1, -1, NULL};
    struct kb_filter notice = {KB_NOTICE, -1, NULL};
    struct kb_filter guide = {KB_GUIDE, -1, NULL};
    struct kb_filter national = {-1, KB_NATIONAL, NULL};
    struct kb_filter exact = {-1, -1, "urban.env.water_supply"};
    struct kb_filter prefix = {-1, -1, "urban.env."};
    struct kb_filter other = {-1, -1, "urban.env"};
    struct kb_filter wrong = {-1, -1, "industry."};

    (void)state;
    make_article(&a, "KB-1", "t", KB_NOTICE, "b");
    assert_true(kb_text_filter_ok(&a, &any));
    assert_true(kb_text_filter_ok(&a, NULL));
    assert_true(kb_text_filter_ok(&a, &notice));
    assert_false(kb_text_filter_ok(&a, &guide));
    assert_false(kb_text_filter_ok(&a, &national));
    assert_true(kb_text_filter_ok(&a, &exact));
    assert_true(kb_text_filter_ok(&a, &prefix));
    assert_false(kb_text_filter_ok(&a, &other));
    assert_false(kb_text_filter_ok(&a, &wrong));
    free(a.category);
    a.category = NULL;
    assert_false(kb_text_filter_ok(&a, &prefix));
    article_fini(&a);
}

/* Agents see published articles valid on the day; editors everything. */
static void
test_visible(void **state)
{
    struct article a;

    (void)state;
    make_article(&a, "KB-1", "t", KB_NOTICE, "b");
    assert_true(kb_text_visible(&a, false, DAY_0305));
    assert_true(kb_text_visible(&a, false, DAY_0309));
    assert_false(kb_text_visible(&a, false, DAY_0309 + 1));
    assert_false(kb_text_visible(&a, false, DAY_0305 - 1));
    assert_true(kb_text_visible(&a, true, DAY_1123));
    a.valid_to = INT64_MAX;
    assert_true(kb_text_visible(&a, false, DAY_1123));
    a.status = KB_REVIEW;
    assert_false(kb_text_visible(&a, false, DAY_1123));
    assert_true(kb_text_visible(&a, true, DAY_1123));
    article_fini(&a);
}

/* The reader's lines: title, facts, rule, the text wrapped by width (CJK: 2 columns). */
static void
test_reader(void **state)
{
    struct article a;
    struct kb_lines l = {0};
    char valid[48];

    (void)state;
    make_article(&a, "KB-0017", "停水通知", KB_NOTICE, "一二三四五六七八九十甲乙\n第二行");
    kb_text_reader(&a, 20, &l);
    assert_true(l.n > 6);
    assert_string_equal(l.v[0].text, "停水通知");
    assert_int_equal(l.v[0].slot, SLOT_TITLE);
    assert_string_equal(l.v[1].text, "Emergency notice ·");
    assert_int_equal(l.v[l.n - 4].slot, SLOT_BORDER);
    /* ten characters fill 20 columns; the rest on the next line; the line break kept */
    assert_string_equal(l.v[l.n - 3].text, "一二三四五六七八九十");
    assert_string_equal(l.v[l.n - 2].text, "甲乙");
    assert_string_equal(l.v[l.n - 1].text, "第二行");
    for (size_t i = 0; i < l.n; i++)
        assert_true(text_width(l.v[i].text) <= 20);
    kb_lines_fini(&l);
    kb_text_reader(&a, 80, &l);
    assert_int_equal(l.n, 7);
    assert_string_equal(l.v[1].text, "Emergency notice · Local · urban.env.water_supply");
    assert_string_equal(l.v[2].text, "Tags: 供水");
    assert_string_equal(l.v[3].text,
                        "Valid 2025-03-05 – 2025-03-09 · published · KB-0017 version 0");
    assert_string_equal(l.v[5].text, "一二三四五六七八九十甲乙");
    assert_string_equal(l.v[6].text, "第二行");
    kb_lines_fini(&l);
    a.valid_to = INT64_MAX;
    kb_text_validity(&a, valid, sizeof valid);
    assert_string_equal(valid, "from 2025-03-05");
    article_fini(&a);
}

/* Control characters from the wire are made visible in the reader, never sent raw. */
static void
test_reader_sanitised(void **state)
{
    struct article a;
    struct kb_lines l = {0};

    (void)state;
    make_article(&a, "KB-1", "bad\x1b[31mtitle", KB_KNOWLEDGE, "x\x07y");
    kb_text_reader(&a, 40, &l);
    assert_null(strchr(l.v[0].text, 0x1b));
    assert_null(strchr(l.v[l.n - 1].text, 0x07));
    kb_lines_fini(&l);
    article_fini(&a);
}

/* Tags: commas (also full-width), 、 and semicolons; spaces trimmed, duplicates dropped. */
static void
test_split_tags(void **state)
{
    struct strlist l = {0};

    (void)state;
    kb_edit_split_tags(" 停水, 供水，公告、停水 ; ；高新区 ,", &l);
    assert_int_equal(l.n, 4);
    assert_string_equal(l.v[0], "停水");
    assert_string_equal(l.v[1], "供水");
    assert_string_equal(l.v[2], "公告");
    assert_string_equal(l.v[3], "高新区");
    strlist_fini(&l);
    kb_edit_split_tags("", &l);
    assert_int_equal(l.n, 0);
}

/* The article the form makes, and what it refuses. */
static void
test_edit_article(void **state)
{
    struct kb_edit f;
    struct article *a = NULL;
    struct err e;

    (void)state;
    memset(&f, 0, sizeof f);
    kb_edit_open(&f, NULL);
    assert_false(kb_edit_modified(&f));
    assert_int_equal(kb_edit_article(&f, DAY_1123, &a, &e), HL_EINVAL);
    assert_string_equal(e.field, "title");
    assert_null(a);
    input_set(&f.text[KB_EDIT_TITLE], "  蓝鲸小区临时停气说明 ");
    assert_int_equal(kb_edit_article(&f, DAY_1123, &a, &e), HL_EINVAL);
    assert_string_equal(e.field, "body");
    edit_set(&f.body.ed, "蓝鲸小区因管道检修临时停气。");
    input_set(&f.text[KB_EDIT_FROM], "2026-13-01");
    assert_int_equal(kb_edit_article(&f, DAY_1123, &a, &e), HL_EINVAL);
    assert_string_equal(e.field, "valid_from");
    input_set(&f.text[KB_EDIT_FROM], "2025-03-09");
    input_set(&f.text[KB_EDIT_TO], "2025-03-05");
    assert_int_equal(kb_edit_article(&f, DAY_1123, &a, &e), HL_EINVAL);
    assert_string_equal(e.field, "valid_to");
    input_set(&f.text[KB_EDIT_FROM], "");
    input_set(&f.text[KB_EDIT_TO], "");
    input_set(&f.text[KB_EDIT_TAGS], "停气, 蓝鲸");
    input_set(&f.text[KB_EDIT_REGION], "  ");
    f.kind = KB_NOTICE;
    assert_int_equal(kb_edit_article(&f, DAY_1123, &a, &e), HL_OK);
    assert_non_null(a);
    assert_null(a->id);
    assert_string_equal(a->title, "蓝鲸小区临时停气说明");
    assert_int_equal(a->kind, KB_NOTICE);
    assert_int_equal(a->scope, KB_LOCAL);
    assert_null(a->region);
    assert_int_equal(a->valid_from, DAY_1123);
    assert_true(a->valid_to == INT64_MAX);
    assert_int_equal(a->tags.n, 2);
    article_free(&a);
    kb_edit_close(&f);
}

/* Editing fills the form from the article; F9 saves, Esc cancels; choices cycle. */
static void
test_edit_keys(void **state)
{
    struct kb_edit f;
    struct article src;
    struct article *a = NULL;
    struct err e;
    struct key_event right = {KEY_RIGHT, true, CMD_RIGHT};
    struct key_event tab = {'\t', false, CMD_FIELD_NEXT};
    struct key_event f9 = {KEY_F(9), true, CMD_NONE};
    struct key_event esc = {27, false, CMD_CANCEL};

    (void)state;
    make_article(&src, "KB-0017", "停水通知", KB_NOTICE, "正文");
    src.version = 4;
    memset(&f, 0, sizeof f);
    kb_edit_open(&f, &src);
    assert_string_equal(f.id, "KB-0017");
    assert_int_equal(f.version, 4);
    assert_string_equal(input_text(&f.text[KB_EDIT_TAGS]), "供水");
    assert_string_equal(input_text(&f.text[KB_EDIT_TO]), "2025-03-09");
    assert_false(kb_edit_modified(&f));
    assert_int_equal(kb_edit_key(&f, &tab, 40), KB_EDIT_NONE);
    assert_int_equal(f.focus, KB_EDIT_KIND);
    kb_edit_key(&f, &right, 40);              /* notice -> knowledge (wraps) */
    assert_int_equal(f.kind, KB_KNOWLEDGE);
    assert_true(kb_edit_modified(&f));
    assert_int_equal(kb_edit_key(&f, &f9, 40), KB_EDIT_SAVE);
    assert_int_equal(kb_edit_key(&f, &esc, 40), KB_EDIT_CANCEL);
    assert_int_equal(kb_edit_article(&f, DAY_1123, &a, &e), HL_OK);
    assert_string_equal(a->id, "KB-0017");
    assert_int_equal(a->valid_from, DAY_0305);
    assert_int_equal(a->valid_to, DAY_0309);
    article_free(&a);
    kb_edit_close(&f);
    article_fini(&src);
}

/* The bodies of POST /kb, PATCH /kb/{id} and publish. */
static void
test_api_bodies(void **state)
{
    struct article a;
    char *s;
    enum kb_status to;

    (void)state;
    make_article(&a, "KB-0017", "停水通知", KB_NOTICE, "正文\n第二行");
    s = kb_api_body(&a, false);
    assert_string_equal(s, "{\"title\":\"停水通知\",\"kind\":\"notice\",\"scope\":\"local\","
                           "\"region\":null,\"category\":\"urban.env.water_supply\","
                           "\"tags\":[\"供水\"],\"body\":\"正文\\n第二行\","
                           "\"valid_from\":\"2025-03-05\",\"valid_to\":\"2025-03-09\"}");
    free(s);
    free(a.id);
    a.id = NULL;
    a.valid_to = INT64_MAX;
    s = kb_api_body(&a, true);
    assert_true(str_starts_with(s, "{\"id\":null,\"title\":"));
    assert_non_null(strstr(s, "\"valid_to\":null}"));
    free(s);
    s = kb_api_publish_body(KB_REVIEW);
    assert_string_equal(s, "{\"status\":\"review\"}");
    free(s);
    assert_true(kb_api_next_status(KB_DRAFT, &to));
    assert_int_equal(to, KB_REVIEW);
    assert_true(kb_api_next_status(KB_REVIEW, &to));
    assert_int_equal(to, KB_PUBLISHED);
    assert_false(kb_api_next_status(KB_PUBLISHED, &to));
    article_fini(&a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_snippet_basic),
        cmocka_unit_test(test_snippet_query),
        cmocka_unit_test(test_snippet_literal_brackets),
        cmocka_unit_test(test_snippet_malformed),
        cmocka_unit_test(test_snippet_room),
        cmocka_unit_test(test_snippet_start),
        cmocka_unit_test(test_find),
        cmocka_unit_test(test_match),
        cmocka_unit_test(test_match_long),
        cmocka_unit_test(test_filter),
        cmocka_unit_test(test_visible),
        cmocka_unit_test(test_reader),
        cmocka_unit_test(test_reader_sanitised),
        cmocka_unit_test(test_split_tags),
        cmocka_unit_test(test_edit_article),
        cmocka_unit_test(test_edit_keys),
        cmocka_unit_test(test_api_bodies),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
