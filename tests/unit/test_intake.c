/* test_intake: the intake form without a terminal: validation, the confidentiality prompt,
 * the ticket it makes, the draft file, phrases on holidays, suggestions, big digits. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hotline/calendar.h"
#include "hotline/model.h"
#include "hotline/tz.h"
#include "hotline/util.h"
#include "views/intake_big.h"
#include "views/intake_form.h"
#include "views/intake_phrases.h"

/* 2026-11-22 12:00 +08:00 (a Sunday). */
#define NOW_1122 1795320000
/* 2026-11-25 18:00 +08:00. */
#define DUE_1125 1795600800
/* 2026-10-01 10:00 +08:00 (国庆节). */
#define NOW_1001 1790820000
/* 2026-10-10 10:00 +08:00 (a Saturday worked in exchange). */
#define NOW_1010 1791597600

static struct tz *
cst(void)
{
    return tz_fixed("UTC+8", 8 * 3600);
}

/* A form filled for a work order about a complaint. */
static void
fill_order(struct intake_form *f)
{
    intake_form_init(f);
    intake_form_set_text(f, INTAKE_F_PHONE, "138 1234-5678");
    intake_form_set_text(f, INTAKE_F_NAME, "王丽");
    f->salutation = SALUTATION_MS;
    intake_form_set_nature(f, NATURE_COMPLAINT);
    intake_form_answer_confidential(f, true);
    f->complaint_level = 2;
    intake_form_set_category(f, "urban.env.social_noise", "社会生活噪声");
    intake_form_set_text(f, INTAKE_F_TITLE, "夜市噪声扰民");
    intake_form_set_text(f, INTAKE_F_DESCRIPTION,
                         "  西城区文化路夜市每晚噪声到凌晨。\n请尽快处理。 ");
    intake_form_set_text(f, INTAKE_F_LOCATION, "西城区文化路夜市");
    intake_form_set_text(f, INTAKE_F_ADDRESS, "示例市西城区文化路12号");
    intake_form_set_text(f, INTAKE_F_DUE, "2026-11-25 18:00");
}

/* An empty form: an answer needs phone (a call), nature and details; an order also the
 * name and the category. */
static void
test_check_empty(void **state)
{
    struct intake_form f;
    struct intake_problem p[INTAKE_MAX_PROBLEMS];
    struct tz *tz = cst();
    size_t n;

    (void)state;
    intake_form_init(&f);
    assert_false(intake_form_touched(&f));
    n = intake_form_check(&f, INTAKE_FOR_ANSWER, tz, NOW_1122, p, INTAKE_MAX_PROBLEMS);
    assert_int_equal(n, 3);
    assert_int_equal(p[0].field, INTAKE_F_PHONE);
    assert_string_equal(p[0].msg, "Phone: type the caller's number.");
    assert_int_equal(p[1].field, INTAKE_F_NATURE);
    assert_string_equal(p[1].msg, "Nature: choose what kind of request this is (Left/Right).");
    assert_int_equal(p[2].field, INTAKE_F_DESCRIPTION);
    assert_string_equal(p[2].msg, "Details: write down what the caller wants.");

    n = intake_form_check(&f, INTAKE_FOR_ORDER, tz, NOW_1122, p, INTAKE_MAX_PROBLEMS);
    assert_int_equal(n, 5);
    assert_int_equal(p[1].field, INTAKE_F_NAME);
    assert_string_equal(p[1].msg, "Name: ask the caller's surname (a work order needs a contact).");
    assert_int_equal(p[3].field, INTAKE_F_CATEGORY);
    assert_string_equal(p[3].msg, "Category: choose one from the tree (Enter opens it).");

    /* Only max are written, all are counted. */
    n = intake_form_check(&f, INTAKE_FOR_ORDER, tz, NOW_1122, p, 1);
    assert_int_equal(n, 5);

    /* A letter needs no phone for a direct answer. */
    f.channel = CHANNEL_LETTER;
    n = intake_form_check(&f, INTAKE_FOR_ANSWER, tz, NOW_1122, p, INTAKE_MAX_PROBLEMS);
    assert_int_equal(n, 2);
    assert_int_equal(p[0].field, INTAKE_F_NATURE);
    assert_true(intake_form_touched(&f));
    intake_form_fini(&f);
    tz_free(&tz);
}

/* Bad phone, ungraded complaint, unreadable and past time limits. */
static void
test_check_values(void **state)
{
    struct intake_form f;
    struct intake_problem p[INTAKE_MAX_PROBLEMS];
    struct tz *tz = cst();
    size_t n;

    (void)state;
    fill_order(&f);
    assert_int_equal(intake_form_check(&f, INTAKE_FOR_ORDER, tz, NOW_1122, p, 8), 0);
    assert_int_equal(intake_form_check(&f, INTAKE_FOR_ANSWER, tz, NOW_1122, p, 8), 0);

    intake_form_set_text(&f, INTAKE_F_PHONE, "138 1234");
    f.complaint_level = 0;
    intake_form_set_text(&f, INTAKE_F_DUE, "2026-13-01 10:00");
    n = intake_form_check(&f, INTAKE_FOR_ORDER, tz, NOW_1122, p, 8);
    assert_int_equal(n, 3);
    assert_int_equal(p[0].field, INTAKE_F_PHONE);
    assert_string_equal(p[0].msg, "Phone: not a valid number; type a mobile, a landline with its "
                                  "area code, or a service number.");
    assert_int_equal(p[1].field, INTAKE_F_LEVEL);
    assert_string_equal(p[1].msg, "Level: grade the complaint (1 major, 2 general, 3 minor) "
                                  "before dispatch.");
    assert_int_equal(p[2].field, INTAKE_F_DUE);
    assert_string_equal(p[2].msg, "Time limit: write it as YYYY-MM-DD HH:MM, or leave it empty.");
    /* An ungraded complaint may still be answered directly. */
    n = intake_form_check(&f, INTAKE_FOR_ANSWER, tz, NOW_1122, p, 8);
    assert_int_equal(n, 2);

    intake_form_set_text(&f, INTAKE_F_PHONE, "010-8888 6666");
    intake_form_set_text(&f, INTAKE_F_DUE, "2026-11-22 11:59");
    f.complaint_level = 3;
    n = intake_form_check(&f, INTAKE_FOR_ORDER, tz, NOW_1122, p, 8);
    assert_int_equal(n, 1);
    assert_string_equal(p[0].msg, "Time limit: the caller's time limit must lie in the future.");
    /* A service number and a local landline are numbers too. */
    intake_form_set_text(&f, INTAKE_F_DUE, "");
    intake_form_set_text(&f, INTAKE_F_PHONE, "12345");
    assert_true(intake_form_phone(&f, NULL));
    intake_form_set_text(&f, INTAKE_F_PHONE, "8888 6666");
    assert_int_equal(intake_form_check(&f, INTAKE_FOR_ORDER, tz, NOW_1122, p, 8), 0);
    intake_form_fini(&f);
    tz_free(&tz);
}

/* Complaints and reports prompt for confidentiality once per call. */
static void
test_confidential_prompt(void **state)
{
    struct intake_form f;

    (void)state;
    intake_form_init(&f);
    assert_false(intake_form_set_nature(&f, NATURE_CONSULT));
    assert_false(intake_form_confidential_due(&f));
    assert_true(intake_form_set_nature(&f, NATURE_COMPLAINT));
    assert_true(intake_form_confidential_due(&f));
    intake_form_answer_confidential(&f, false);
    assert_false(f.confidential);
    assert_true(f.confidential_asked);
    /* Already offered: switching to report does not ask again. */
    assert_false(intake_form_set_nature(&f, NATURE_REPORT));

    /* A new call asks again; cycling into report from complaint's neighbour triggers it. */
    intake_form_clear(&f);
    assert_false(f.confidential_asked);
    assert_false(intake_form_cycle(&f, INTAKE_F_NATURE, 1));      /* consult */
    assert_false(intake_form_cycle(&f, INTAKE_F_NATURE, 1));      /* help */
    assert_true(intake_form_cycle(&f, INTAKE_F_NATURE, 1));       /* complaint */
    assert_int_equal(f.nature, NATURE_COMPLAINT);
    intake_form_answer_confidential(&f, true);
    assert_true(f.confidential);
    assert_false(intake_form_cycle(&f, INTAKE_F_NATURE, 1));      /* report: asked */

    /* Backwards from unset starts at the last nature. */
    intake_form_clear(&f);
    assert_false(intake_form_cycle(&f, INTAKE_F_NATURE, -1));
    assert_int_equal(f.nature, NATURE_SERVICE);
    intake_form_fini(&f);
}

/* The complaint level is a field only for complaints, and is cleared when leaving them. */
static void
test_level_field(void **state)
{
    struct intake_form f;

    (void)state;
    intake_form_init(&f);
    assert_false(intake_field_visible(&f, INTAKE_F_LEVEL));
    assert_int_equal(intake_field_step(&f, INTAKE_F_NATURE, 1), INTAKE_F_CATEGORY);
    assert_int_equal(intake_field_step(&f, INTAKE_F_CATEGORY, -1), INTAKE_F_NATURE);
    assert_int_equal(intake_field_step(&f, INTAKE_F_CONFIDENTIAL, 1), INTAKE_F_PHONE);
    assert_int_equal(intake_field_step(&f, INTAKE_F_PHONE, -1), INTAKE_F_CONFIDENTIAL);
    intake_form_set_nature(&f, NATURE_COMPLAINT);
    assert_true(intake_field_visible(&f, INTAKE_F_LEVEL));
    assert_int_equal(intake_field_step(&f, INTAKE_F_NATURE, 1), INTAKE_F_LEVEL);
    assert_string_equal(intake_form_choice_text(&f, INTAKE_F_LEVEL), "ungraded");
    intake_form_cycle(&f, INTAKE_F_LEVEL, -1);
    assert_int_equal(f.complaint_level, 3);
    assert_string_equal(intake_form_choice_text(&f, INTAKE_F_LEVEL), "3 minor");
    intake_form_set_nature(&f, NATURE_HELP);
    assert_int_equal(f.complaint_level, 0);
    assert_string_equal(intake_form_choice_text(&f, INTAKE_F_NATURE), "help");
    intake_form_cycle(&f, INTAKE_F_SALUTATION, 1);
    assert_string_equal(intake_form_choice_text(&f, INTAKE_F_SALUTATION), "Mr");
    intake_form_cycle(&f, INTAKE_F_CHANNEL, -1);
    assert_int_equal(f.channel, CHANNEL_WALK_IN);
    intake_form_cycle(&f, INTAKE_F_URGENCY, 1);
    intake_form_cycle(&f, INTAKE_F_URGENCY, 1);
    assert_int_equal(f.urgency, URGENCY_EMERGENCY);
    intake_form_cycle(&f, INTAKE_F_URGENCY, 1);
    assert_int_equal(f.urgency, URGENCY_NORMAL);
    /* Text setters ignore non-text fields. */
    intake_form_set_text(&f, INTAKE_F_NATURE, "x");
    assert_string_equal(intake_form_text(&f, INTAKE_F_NATURE), "");
    intake_form_fini(&f);
}

/* The ticket's matter comes from the form, trimmed, with the time limit in the centre's zone. */
static void
test_to_ticket(void **state)
{
    struct intake_form f;
    struct tz *tz = cst();
    struct ticket *t = ticket_new();
    struct err e;

    (void)state;
    err_clear(&e);
    fill_order(&f);
    assert_int_equal(intake_form_to_ticket(&f, tz, t, &e), HL_OK);
    assert_int_equal(t->channel, CHANNEL_PHONE);
    assert_string_equal(t->caller.phone, "13812345678");
    assert_string_equal(t->caller.name, "王丽");
    assert_int_equal(t->caller.salutation, SALUTATION_MS);
    assert_true(t->caller.confidential);
    assert_string_equal(t->caller.address, "示例市西城区文化路12号");
    assert_null(t->caller.org);
    assert_int_equal(t->nature, NATURE_COMPLAINT);
    assert_int_equal(t->complaint_level, 2);
    assert_string_equal(t->category, "urban.env.social_noise");
    assert_string_equal(t->title, "夜市噪声扰民");
    assert_string_equal(t->description, "西城区文化路夜市每晚噪声到凌晨。\n请尽快处理。");
    assert_int_equal(t->requested_due, DUE_1125);
    ticket_free(&t);

    /* A landline with an extension keeps it in the canonical spelling. */
    t = ticket_new();
    intake_form_set_text(&f, INTAKE_F_PHONE, "010-8888 6666 转 123");
    intake_form_set_text(&f, INTAKE_F_DUE, "");
    assert_int_equal(intake_form_to_ticket(&f, tz, t, &e), HL_OK);
    assert_string_equal(t->caller.phone, "01088886666转123");
    assert_int_equal(t->requested_due, 0);
    ticket_free(&t);

    /* No nature: refused. */
    t = ticket_new();
    intake_form_clear(&f);
    assert_int_equal(intake_form_to_ticket(&f, tz, t, &e), HL_EINVAL);
    assert_string_equal(e.field, "nature");
    ticket_free(&t);
    intake_form_fini(&f);
    tz_free(&tz);
}

/* A draft survives encode/decode and a file round trip; bad files are refused. */
static void
test_draft(void **state)
{
    struct intake_form f, g;
    char dir[] = "/tmp/test_intake_XXXXXX";
    char *path;
    char *doc;
    hl_time saved = 0;
    struct stat st;
    struct err e;
    FILE *fp;

    (void)state;
    err_clear(&e);
    fill_order(&f);
    f.call_started = NOW_1122 - 65;
    doc = intake_draft_encode(&f, NOW_1122);
    intake_form_init(&g);
    assert_int_equal(intake_draft_decode(doc, strlen(doc), &g, &saved, &e), HL_OK);
    assert_int_equal(saved, NOW_1122);
    assert_int_equal(g.call_started, NOW_1122 - 65);
    for (int i = 0; i < INTAKE_F_COUNT; i++)
        assert_string_equal(intake_form_text(&g, (enum intake_field)i),
                            intake_form_text(&f, (enum intake_field)i));
    assert_int_equal(g.salutation, SALUTATION_MS);
    assert_true(g.nature_set);
    assert_int_equal(g.nature, NATURE_COMPLAINT);
    assert_int_equal(g.complaint_level, 2);
    assert_string_equal(g.category, "urban.env.social_noise");
    assert_string_equal(g.category_label, "社会生活噪声");
    assert_true(g.confidential);
    assert_true(g.confidential_asked);
    free(doc);

    assert_non_null(mkdtemp(dir));
    path = xasprintf("%s/draft.json", dir);
    assert_int_equal(intake_draft_load(path, &g, NULL, &e), HL_ENOENT);
    assert_int_equal(intake_draft_save(path, &f, NOW_1122 + 1, &e), HL_OK);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    intake_form_clear(&g);
    assert_int_equal(intake_draft_load(path, &g, &saved, &e), HL_OK);
    assert_int_equal(saved, NOW_1122 + 1);
    assert_string_equal(g.text[INTAKE_F_DESCRIPTION], f.text[INTAKE_F_DESCRIPTION]);

    /* Wrong types are skipped, unknown members ignored, an unset nature stays unset. */
    fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("{\"draft\":1,\"phone\":13800138000,\"name\":\"李\",\"nature\":\"bogus\","
          "\"complaint_level\":2,\"channel\":\"sms\",\"future\":[1]}", fp);
    fclose(fp);
    assert_int_equal(intake_draft_load(path, &g, &saved, &e), HL_OK);
    assert_string_equal(g.text[INTAKE_F_PHONE], "");
    assert_string_equal(g.text[INTAKE_F_NAME], "李");
    assert_false(g.nature_set);
    assert_int_equal(g.complaint_level, 0);
    assert_int_equal(g.channel, CHANNEL_SMS);
    assert_int_equal(saved, 0);

    /* Not a draft. */
    fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("[1,2", fp);
    fclose(fp);
    assert_int_equal(intake_draft_load(path, &g, &saved, &e), HL_EINVAL);
    assert_true(str_starts_with(e.msg, path));
    fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("{\"phone\":\"1\"}", fp);
    fclose(fp);
    assert_int_equal(intake_draft_load(path, &g, &saved, &e), HL_EINVAL);
    assert_non_null(strstr(e.msg, "not an intake draft"));

    intake_draft_remove(path);
    assert_int_not_equal(access(path, F_OK), 0);
    intake_draft_remove(path);     /* a missing file is fine */
    rmdir(dir);
    free(path);
    intake_form_fini(&g);
    intake_form_fini(&f);
}

/* The official calendar decides the holiday greeting. */
static void
test_phrases_holiday(void **state)
{
    const char *data = getenv("HOTLINE_DATA");
    char *path;
    struct calendar *cal;
    struct tz *tz = cst();
    struct intake_phrase_ctx c = {0};
    struct err e;
    char *s;

    (void)state;
    assert_non_null(data);
    err_clear(&e);
    path = xasprintf("%s/holidays-cn.json", data);
    cal = calendar_load(path, &e);
    assert_non_null(cal);
    assert_string_equal(intake_phrase_holiday(cal, tz, NOW_1001), "国庆节");
    assert_null(intake_phrase_holiday(cal, tz, NOW_1010));   /* make-up working day */
    assert_null(intake_phrase_holiday(cal, tz, NOW_1122));   /* an ordinary Sunday */
    assert_null(intake_phrase_holiday(NULL, tz, NOW_1001));

    c.profile = "12345";
    c.channel = CHANNEL_PHONE;
    c.holiday = intake_phrase_holiday(cal, tz, NOW_1001);
    s = intake_phrase_text(INTAKE_PHRASE_GREETING, &c);
    assert_string_equal(s, "节日好，市民热线，请问有什么可以帮您？");
    free(s);
    c.holiday = intake_phrase_holiday(cal, tz, NOW_1010);
    s = intake_phrase_text(INTAKE_PHRASE_GREETING, &c);
    assert_string_equal(s, "您好，市民热线，请问有什么可以帮您？");
    free(s);
    c.profile = "95198";
    s = intake_phrase_text(INTAKE_PHRASE_GREETING, &c);
    assert_string_equal(s, "您好，95198单一窗口客服热线，很高兴为您服务，请问有什么可以帮您？");
    free(s);
    c.profile = NULL;
    c.channel = CHANNEL_WALK_IN;
    s = intake_phrase_text(INTAKE_PHRASE_GREETING, &c);
    assert_string_equal(s, "您好，欢迎来到市民热线服务窗口，请问有什么可以帮您？");
    free(s);
    s = intake_phrase_text(INTAKE_PHRASE_CLOSING, &c);
    assert_string_equal(s, "感谢您的来访，再见！");
    free(s);
    calendar_free(&cal);
    free(path);
    tz_free(&tz);
}

/* Surname, hold and transfer phrases address the caller and quote number and unit. */
static void
test_phrases_text(void **state)
{
    struct intake_phrase_ctx c = {0};
    char *s;

    (void)state;
    s = intake_phrase_address("王丽", SALUTATION_MS);
    assert_string_equal(s, "王女士");
    free(s);
    s = intake_phrase_address("王", SALUTATION_MR);
    assert_string_equal(s, "王先生");
    free(s);
    s = intake_phrase_address("", SALUTATION_MR);
    assert_string_equal(s, "先生");
    free(s);
    s = intake_phrase_address("王丽", SALUTATION_NONE);
    assert_string_equal(s, "您");
    free(s);
    s = intake_phrase_address("Li", SALUTATION_MS);
    assert_string_equal(s, "Li女士");
    free(s);

    c.surname = "张三";
    c.salutation = SALUTATION_MR;
    c.ticket_id = "HL20261122-000042";
    c.unit = "市城市管理局";
    s = intake_phrase_text(INTAKE_PHRASE_TRANSFER, &c);
    assert_string_equal(s, "张先生，您反映的问题已经记录，受理单号是HL20261122-000042，将转交"
                           "市城市管理局办理，请您保持电话畅通，留意回访。");
    free(s);
    c.ticket_id = NULL;
    c.unit = NULL;
    s = intake_phrase_text(INTAKE_PHRASE_TRANSFER, &c);
    assert_non_null(strstr(s, "受理单号是（单号），将转交（承办单位）办理"));
    free(s);
    s = intake_phrase_text(INTAKE_PHRASE_HOLD, &c);
    assert_string_equal(s, "张先生，请您稍等，我为您查询一下，请不要挂机。");
    free(s);
    c.salutation = SALUTATION_NONE;
    s = intake_phrase_text(INTAKE_PHRASE_ANSWERED, &c);
    assert_string_equal(s, "以上答复您清楚了吗？请问还有其他可以帮您的吗？");
    free(s);
    s = intake_phrase_text(INTAKE_PHRASE_SURNAME, &c);
    assert_string_equal(s, "请问您贵姓？");
    free(s);
    s = intake_phrase_text(INTAKE_PHRASE_COUNT, &c);
    assert_string_equal(s, "");
    free(s);
    assert_string_equal(intake_phrase_label(INTAKE_PHRASE_TRANSFER), "Transfer");
}

/* Search terms: cut at punctuation and filler, latest piece first, the title's after. */
static void
test_kb_terms(void **state)
{
    char t[INTAKE_MAX_TERMS][INTAKE_TERM_MAX];
    size_t n;

    (void)state;
    n = intake_kb_terms(NULL, "市民咨询租房怎么提取公积金", t, INTAKE_MAX_TERMS);
    assert_int_equal(n, 2);
    assert_string_equal(t[0], "提取公积金");
    assert_string_equal(t[1], "租房");

    n = intake_kb_terms("公积金提取", "我想问一下，租房的话，能不能提取公积金？", t,
                        INTAKE_MAX_TERMS);
    assert_int_equal(n, 3);
    assert_string_equal(t[0], "提取公积金");
    assert_string_equal(t[1], "租房");
    assert_string_equal(t[2], "公积金提取");

    /* Long pieces are cut to 8 characters; one-character pieces are dropped. */
    n = intake_kb_terms("", "一二三四五六七八九十，好", t, INTAKE_MAX_TERMS);
    assert_int_equal(n, 1);
    assert_string_equal(t[0], "一二三四五六七八");
    n = intake_kb_terms("", "小区停水，咨询什么时候恢复供水", t, INTAKE_MAX_TERMS);
    assert_int_equal(n, 2);
    assert_string_equal(t[0], "恢复供水");
    assert_string_equal(t[1], "小区停水");
    n = intake_kb_terms("", "", t, INTAKE_MAX_TERMS);
    assert_int_equal(n, 0);
    n = intake_kb_terms("gas leak", NULL, t, INTAKE_MAX_TERMS);
    assert_int_equal(n, 2);
    assert_string_equal(t[0], "gas");
    assert_string_equal(t[1], "leak");
}

/* Districts of an address. */
static void
test_districts(void **state)
{
    char d[4][INTAKE_TERM_MAX];

    (void)state;
    assert_int_equal(intake_districts("示例市高新区翠湖苑3栋", d, 4), 1);
    assert_string_equal(d[0], "高新区");
    assert_int_equal(intake_districts("东城区幸福里小区东侧", d, 4), 1);
    assert_string_equal(d[0], "东城区");
    assert_int_equal(intake_districts("山东省济南市历下区、西城区、历下区", d, 4), 2);
    assert_string_equal(d[0], "历下区");
    assert_string_equal(d[1], "西城区");
    assert_int_equal(intake_districts("某某县城关镇", d, 4), 1);
    assert_string_equal(d[0], "某某县");
    assert_int_equal(intake_districts("区", d, 4), 0);
    assert_int_equal(intake_districts(NULL, d, 4), 0);
}

/* Notices for the caller's area come first. */
static void
test_notices_first(void **state)
{
    struct article know = {0}, water = {0}, gas = {0}, national = {0};
    const struct article *items[3];
    size_t order[3];

    (void)state;
    know.kind = KB_KNOWLEDGE;
    know.region = xstrdup("示例市");
    know.title = xstrdup("住房公积金提取常见情形");
    water.kind = KB_NOTICE;
    water.region = xstrdup("示例市");
    water.title = xstrdup("【模板】高新区部分区域计划停水通知");
    gas.kind = KB_NOTICE;
    gas.region = xstrdup("山东省");
    gas.title = xstrdup("管网碰口施工计划停气通知");
    gas.snippet = xstrdup("…东城区部分用户【停气】…");
    national.kind = KB_NOTICE;
    national.region = xstrdup("全国");

    assert_true(intake_notice_matches(&water, "示例市高新区翠湖苑", NULL));  /* region */
    assert_true(intake_notice_matches(&water, NULL, "高新区翠湖苑东门"));    /* district */
    assert_false(intake_notice_matches(&water, "东城区幸福里", ""));
    assert_true(intake_notice_matches(&gas, "东城区幸福里", ""));           /* snippet */
    assert_false(intake_notice_matches(&know, "示例市高新区", NULL));        /* not a notice */
    assert_true(intake_notice_matches(&national, "", ""));

    items[0] = &know;
    items[1] = &gas;
    items[2] = &water;
    intake_kb_order(items, 3, "示例市高新区翠湖苑", "", order);
    assert_int_equal(order[0], 2);
    assert_int_equal(order[1], 0);
    assert_int_equal(order[2], 1);
    intake_kb_order(items, 3, "", "", order);
    assert_int_equal(order[0], 0);
    assert_int_equal(order[1], 1);
    assert_int_equal(order[2], 2);
    article_fini(&know);
    article_fini(&water);
    article_fini(&gas);
    article_fini(&national);
}

/* The answer prefilled from the chosen articles. */
static void
test_prefill(void **state)
{
    struct article a = {0}, b = {0}, c = {0};
    const struct article *chosen[3] = {&a, &b, &c};
    char *s;

    (void)state;
    a.body = xstrdup("租房提取需提供租赁合同。");
    b.snippet = xstrdup("…办理渠道：【公积金】管理中心服务网点…");
    c.title = xstrdup("标题");
    s = intake_answer_prefill(chosen, 3);
    assert_string_equal(s, "租房提取需提供租赁合同。\n\n办理渠道：公积金管理中心服务网点\n\n标题");
    free(s);
    s = intake_answer_prefill(chosen, 0);
    assert_string_equal(s, "");
    free(s);
    article_fini(&a);
    article_fini(&b);
    article_fini(&c);
}

/* History: open tickets make a repeat-caller warning. */
static void
test_history(void **state)
{
    struct ticket t[3];
    struct intake_history_summary sum;

    (void)state;
    memset(t, 0, sizeof t);
    t[0].status = STATUS_CLOSED;
    t[0].created_at = 100;
    t[1].status = STATUS_ARCHIVED;
    t[1].created_at = 300;
    t[2].status = STATUS_DISPATCHED;
    t[2].created_at = 200;
    intake_history_summarize(t, 2, &sum);
    assert_int_equal(sum.total, 2);
    assert_int_equal(sum.open, 0);
    assert_false(sum.repeat_warning);
    assert_int_equal(sum.last, 300);
    intake_history_summarize(t, 3, &sum);
    assert_int_equal(sum.open, 1);
    assert_true(sum.repeat_warning);
    intake_history_summarize(NULL, 0, &sum);
    assert_int_equal(sum.total, 0);
}

/* Big digits for reading the number out. */
static void
test_big(void **state)
{
    char *r;

    (void)state;
    r = intake_big_row("HL1", 0);
    assert_string_equal(r, "# # #    # ");
    free(r);
    r = intake_big_row("HL1", 4);
    assert_string_equal(r, "# # ### ###");
    free(r);
    assert_int_equal(intake_big_width("HL20261122-000042"), 17 * 4 - 1);
    r = intake_big_row("本地-1", 2);
    assert_string_equal(r, "本地###  # ");
    free(r);
    r = intake_big_row("本地-1", 0);
    assert_string_equal(r, "         # ");
    free(r);
    assert_int_equal(intake_big_width("本地-1"), 11);
    r = intake_big_row("1", 5);
    assert_string_equal(r, "");
    free(r);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_empty),
        cmocka_unit_test(test_check_values),
        cmocka_unit_test(test_confidential_prompt),
        cmocka_unit_test(test_level_field),
        cmocka_unit_test(test_to_ticket),
        cmocka_unit_test(test_draft),
        cmocka_unit_test(test_phrases_holiday),
        cmocka_unit_test(test_phrases_text),
        cmocka_unit_test(test_kb_terms),
        cmocka_unit_test(test_districts),
        cmocka_unit_test(test_notices_first),
        cmocka_unit_test(test_prefill),
        cmocka_unit_test(test_history),
        cmocka_unit_test(test_big),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
