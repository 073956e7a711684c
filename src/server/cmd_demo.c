/* cmd_demo: `hotlined demo-data`, a month of realistic demo content in a fresh database. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "hotline/calendar.h"
#include "hotline/codec.h"
#include "hotline/rules.h"
#include "hotline/util.h"
#include "auth.h"
#include "cli.h"
#include "cmd.h"
#include "demo.h"
#include "paths.h"
#include "store.h"
#include "store_sqlite.h"

/* Largest category file read, bytes; most category codes used. */
#define CATEGORIES_MAX (8 * 1024 * 1024)
#define CATEGORY_CODES_MAX 4096

static const char demo_help[] =
    "usage: hotlined [--db PATH] demo-data [--tickets N] [--seed S] [--tz ZONE]\n"
    "                                      [--profile P] [--force]\n"
    "\n"
    "Fill a fresh database with a month of demo content for trying the console: 14\n"
    "responsible units of a fictional city, demo accounts (agents, a supervisor, an\n"
    "admin and one user per unit), the sample knowledge base (data/kb/articles.json,\n"
    "published), N tickets accepted over the last 30 days in every state of the\n"
    "workflow, and the phone system's call records for the answer-rate KPIs.\n"
    "The same seed gives the same content (relative to the current time).\n"
    "\n"
    "Every demo account has the password " DEMO_PASSWORD ", printed at the end: change\n"
    "them (`hotlined user passwd ID`) or disable them before real use.\n"
    "\n"
    "options:\n"
    "  --tickets N   tickets to make, 1-200000 (default 300)\n"
    "  --seed S      seed of the generator, 0-4294967295 (default 1)\n"
    "  --tz ZONE     the centre's time zone (default " CLI_DEFAULT_TZ "), as `serve --tz`\n"
    "  --profile P   rule profile the deadlines follow: 12345 (default), 95198, 956100\n"
    "  --force       add to a database that already has tickets (units, users and\n"
    "                articles that exist are kept as they are)\n"
    "  --help        this text\n";

/* The options of demo-data. */
struct demo_opts {
    long tickets;
    long seed;
    const char *tz;
    const char *profile;
    bool force;
};

/* Parse the options; 0, -1 after --help, or the exit code of a usage error. */
static int
parse_opts(int argc, char **argv, struct demo_opts *o)
{
    const char *v;
    int i, m;

    memset(o, 0, sizeof *o);
    o->tickets = DEMO_DEFAULT_TICKETS;
    o->seed = 1;
    o->profile = "12345";
    for (i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            fputs(demo_help, stdout);
            return -1;
        }
        if (strcmp(argv[i], "--force") == 0) {
            o->force = true;
            continue;
        }
        m = cli_option("demo-data", argc, argv, &i, "--tickets", &v);
        if (m > 0 && !str_to_long(v, 1, DEMO_MAX_TICKETS, &o->tickets))
            return cli_usage_error("demo-data", "--tickets '%s': expected a number from 1 to %d",
                                   v, DEMO_MAX_TICKETS);
        if (m == 0) {
            m = cli_option("demo-data", argc, argv, &i, "--seed", &v);
            if (m > 0 && !str_to_long(v, 0, 4294967295L, &o->seed))
                return cli_usage_error("demo-data", "--seed '%s': expected a number from 0 "
                                       "to 4294967295", v);
        }
        if (m == 0)
            m = cli_option("demo-data", argc, argv, &i, "--tz", &o->tz);
        if (m == 0) {
            m = cli_option("demo-data", argc, argv, &i, "--profile", &o->profile);
            if (m > 0 && strcmp(o->profile, "12345") != 0 && strcmp(o->profile, "95198") != 0 &&
                strcmp(o->profile, "956100") != 0)
                return cli_usage_error("demo-data", "--profile '%s': expected 12345, 95198 or "
                                       "956100", o->profile);
        }
        if (m < 0)
            return EXIT_USAGE;
        if (m == 0)
            return cli_usage_error("demo-data", "unexpected argument '%s'", argv[i]);
    }
    return 0;
}

/* Append the codes of the leaves under node (an array of {code, children}) to codes. */
static void
collect_leaves(const cJSON *nodes, struct strlist *codes, int depth)
{
    const cJSON *node;

    if (!cJSON_IsArray(nodes) || depth > 8)
        return;
    cJSON_ArrayForEach(node, nodes) {
        const cJSON *code = cJSON_GetObjectItemCaseSensitive(node, "code");
        const cJSON *kids = cJSON_GetObjectItemCaseSensitive(node, "children");

        if (cJSON_IsArray(kids) && cJSON_GetArraySize(kids) > 0)
            collect_leaves(kids, codes, depth + 1);
        else if (cJSON_IsString(code) && code->valuestring[0] != '\0' &&
                 codes->n < CATEGORY_CODES_MAX)
            strlist_add(codes, code->valuestring);
    }
}

/* The leaf codes of content_categories in data/categories-cn.json. Exit code. */
static int
load_categories(struct strlist *codes)
{
    char path[PATH_MAX];
    char *text = NULL;
    size_t len = 0;
    cJSON *root = NULL;
    struct err e;
    int rc;

    err_clear(&e);
    if (!data_path("categories-cn.json", path, sizeof path))
        return cli_fail("the path of the data directory is too long");
    text = file_read_all(path, CATEGORIES_MAX, &len);
    if (text == NULL)
        return cli_fail("%s: %s (set HOTLINE_DATA to the data directory)", path, strerror(errno));
    root = codec_parse(text, len, &e);
    if (root == NULL) {
        rc = cli_fail("%s: %s", path, e.msg);
        goto out;
    }
    collect_leaves(cJSON_GetObjectItemCaseSensitive(root, "content_categories"), codes, 0);
    if (codes->n == 0) {
        rc = cli_fail("%s: no category codes under content_categories", path);
        goto out;
    }
    rc = 0;
out:
    cJSON_Delete(root);
    free(text);
    return rc;
}

/* The rules of a profile and the holiday calendar, from the data directory. Exit code. */
static int
load_wf(const char *profile, struct rules **rules, struct calendar **cal)
{
    char path[PATH_MAX];
    struct err e;

    err_clear(&e);
    if (!data_path("rules.json", path, sizeof path))
        return cli_fail("the path of the data directory is too long");
    *rules = rules_load(path, profile, NULL, &e);
    if (*rules == NULL)
        return cli_fail("%s", e.msg);
    if (!data_path("holidays-cn.json", path, sizeof path))
        return cli_fail("the path of the data directory is too long");
    *cal = calendar_load(path, &e);
    if (*cal == NULL)
        return cli_fail("%s", e.msg);
    return 0;
}

/* True when the store holds at least one ticket; -1 when it cannot tell (printed). */
static int
has_tickets(struct store *st)
{
    struct ticket_query q;
    struct ticket_page page;
    struct err e;
    int rc;

    memset(&q, 0, sizeof q);
    memset(&page, 0, sizeof page);
    err_clear(&e);
    q.nature = -1;
    q.limit = 1;
    if (st->ops->ticket_list(st, &q, &page, &e) != HL_OK) {
        cli_fail("%s", e.msg);
        return -1;
    }
    rc = page.n > 0;
    ticket_page_fini(&page);
    return rc;
}

/* Counts of what was written. */
struct demo_counts {
    size_t units, units_kept;
    size_t users, users_kept;
    size_t articles;
    size_t tickets;
    int calls;
};

/* Add the units and users (hashing each demo password); existing ones are kept. */
static int
save_people(struct store *st, const struct demo_data *d, struct demo_counts *n)
{
    char hash[AUTH_PWHASH_MAX];
    struct err e;
    size_t i;
    int rc;

    err_clear(&e);
    for (i = 0; i < d->n_units; i++) {
        rc = st->ops->unit_add(st, d->units[i].code, d->units[i].name, &e);
        if (rc == HL_ECONFLICT) {
            n->units_kept++;
            continue;
        }
        if (rc != HL_OK)
            return cli_fail("unit %s: %s", d->units[i].code, e.msg);
        n->units++;
    }
    for (i = 0; i < d->n_users; i++) {
        const struct user *u = &d->users[i].user;
        struct user_row row;

        memset(&row, 0, sizeof row);
        if (st->ops->user_get(st, u->id, &row, &e) == HL_OK) {
            user_row_fini(&row);
            n->users_kept++;
            continue;
        }
        err_clear(&e);
        if (auth_hash_password(d->users[i].password, AUTH_COST_INTERACTIVE, hash, sizeof hash,
                               &e) != HL_OK)
            return cli_fail("user %s: %s", u->id, e.msg);
        rc = st->ops->user_add(st, u, hash, &e);
        if (rc == HL_ECONFLICT) {
            n->users_kept++;
            continue;
        }
        if (rc != HL_OK)
            return cli_fail("user %s: %s", u->id, e.msg);
        n->users++;
    }
    return 0;
}

/* SQLite only: with on, stop syncing each commit to disk (demo data can be made again,
 * and 100,000 tickets would otherwise wait for 100,000 fsyncs); without, sync again and
 * write everything to the database file. The commits themselves stay the API's. */
static int
bulk_mode(struct store *st, bool on)
{
    struct err e;

    err_clear(&e);
    if (strcmp(st->ops->kind, "sqlite") != 0)
        return 0;
    if (store_sqlite_exec(st, on ? "PRAGMA synchronous=OFF" : "PRAGMA synchronous=FULL",
                          &e) != HL_OK
        || (!on && store_sqlite_exec(st, "PRAGMA wal_checkpoint(TRUNCATE)", &e) != HL_OK))
        return cli_fail("%s", e.msg);
    return 0;
}

/* Add the tickets (the store gives them ids) and the call records. */
static int
save_work(struct store *st, const struct demo_data *d, struct demo_counts *n)
{
    struct err e;
    size_t i;

    err_clear(&e);
    if (bulk_mode(st, true) != 0)
        return EXIT_RUNTIME;
    for (i = 0; i < d->n_tickets; i++) {
        struct ticket *saved = NULL;

        if (st->ops->ticket_create(st, &d->tickets[i], NULL, NULL, &saved, NULL, NULL, &e) !=
            HL_OK)
            return cli_fail("ticket %zu of %zu: %s", i + 1, d->n_tickets, e.msg);
        ticket_free(&saved);
        n->tickets++;
    }
    if (d->n_calls > 0 &&
        st->ops->call_records_add(st, d->calls, d->n_calls, &n->calls, &e) != HL_OK)
        return cli_fail("call records: %s", e.msg);
    return bulk_mode(st, false);
}

/* Print what was made and how to log in. */
static void
print_summary(const char *db, const struct demo_data *d, const struct demo_counts *n)
{
    static const enum user_role order[] = { USER_AGENT, USER_SUPERVISOR, USER_ADMIN, USER_UNIT };
    size_t i, k;

    printf("demo data in %s: %zu units, %zu users, %zu articles, %zu tickets, %d call records\n",
           db, n->units, n->users, n->articles, n->tickets, n->calls);
    if (n->units_kept > 0 || n->users_kept > 0)
        printf("kept as they were: %zu units, %zu users\n", n->units_kept, n->users_kept);
    printf("\nlogins (every demo account has the password %s):\n", DEMO_PASSWORD);
    for (k = 0; k < ARRAY_SIZE(order); k++) {
        bool first = true;
        size_t col = 0;

        for (i = 0; i < d->n_users; i++) {
            const struct user *u = &d->users[i].user;

            if (u->role != order[k])
                continue;
            if (first) {
                printf("  %-11s", user_role_str(u->role));
                col = 13;
            } else if (col + 2 + strlen(u->id) > 78) {
                printf(",\n%13s", "");
                col = 13;
            } else {
                fputs(",", stdout);
                col++;
            }
            printf(" %s", u->id);
            col += 1 + strlen(u->id);
            first = false;
        }
        if (!first)
            putchar('\n');
    }
    printf("\nChange or disable these accounts before real use: hotlined user passwd ID\n");
}

/* Run `hotlined demo-data`. */
/* A notice of the demo: district, kind of outage, category. */
struct demo_notice {
    const char *id;
    const char *title;
    const char *category;
    const char *tags[3];
    const char *body;
};

static const struct demo_notice demo_notices[] = {
    { "KB-D001", "【演示】东城区东湖街道计划停水通知", "urban.env.water_supply",
      { "12345", "停水", "东城区" },
      "因供水管网改造，东城区东湖街道东湖花园、幸福里小区一带今日 09:00 至次日 18:00 "
      "计划停水。请居民提前储水；恢复供水初期水质可能浑浊，放水片刻即可。咨询请答复："
      "停水为计划施工，市自来水公司已在小区张贴公告，届时按时恢复供水。" },
    { "KB-D002", "【演示】西城区文化路片区线路检修停电通知", "industry.transport.power_supply",
      { "12345", "停电", "西城区" },
      "因线路检修，西城区文化路片区（文化路东侧、金茂广场周边）明日 08:00 至 17:00 停电。"
      "答复口径：计划检修停电，供电公司将按时恢复送电；如提前完工将提前送电。" },
    { "KB-D003", "【演示】高新区科技大道管网施工停气通知", "urban.env.gas_supply",
      { "956100", "停气", "高新区" },
      "高新区科技大道沿线因燃气管网碰口施工，明日 22:00 至后日 06:00 停气。恢复供气后请"
      "确认灶具阀门关闭后再点火；闻到燃气异味请立即开窗并拨打 956100。" },
};

/* Append the demo's emergency notices, valid from yesterday to three days ahead, so the
 * intake tab and the knowledge base show current notices (the samples' dates are past). */
static void
add_current_notices(struct article **arts, size_t *n, const struct tz *tz, hl_time now)
{
    struct civil_time ct;
    int64_t today;
    size_t i, k;

    tz_to_civil(tz, now, &ct);
    today = datetime_days_from_civil(ct.year, ct.month, ct.day);
    *arts = xrealloc(*arts, (*n + ARRAY_SIZE(demo_notices)) * sizeof **arts);
    for (i = 0; i < ARRAY_SIZE(demo_notices); i++) {
        const struct demo_notice *dn = &demo_notices[i];
        struct article *a = &(*arts)[*n];

        memset(a, 0, sizeof *a);
        a->id = xstrdup(dn->id);
        a->title = xstrdup(dn->title);
        a->kind = KB_NOTICE;
        a->scope = KB_LOCAL;
        a->region = xstrdup("示例市");
        a->category = xstrdup(dn->category);
        for (k = 0; k < ARRAY_SIZE(dn->tags); k++)
            strlist_add(&a->tags, dn->tags[k]);
        a->body = xstrdup(dn->body);
        a->valid_from = today - 1;
        a->valid_to = today + 3;
        (*n)++;
    }
}

int
cmd_demo(int argc, char **argv)
{
    const char *db;
    struct demo_opts o;
    struct demo_counts n;
    struct cli_store cs;
    struct rules *rules = NULL;
    struct calendar *cal = NULL;
    struct demo_data *d = NULL;
    struct article *arts = NULL;
    size_t n_arts = 0, i;
    struct strlist codes;
    char kbpath[PATH_MAX];
    struct wf_ctx ctx;
    int rc;

    memset(&cs, 0, sizeof cs);
    memset(&n, 0, sizeof n);
    memset(&codes, 0, sizeof codes);
    cli_take_db(&argc, &argv, &db);
    rc = parse_opts(argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? EXIT_OK_ : rc;
    rc = cli_store_open(&cs, db, o.tz);
    if (rc != 0)
        return rc;
    rc = has_tickets(cs.store);
    if (rc != 0) {
        if (rc < 0) {
            rc = EXIT_RUNTIME;
            goto out;
        }
        if (!o.force) {
            rc = cli_fail("%s already has tickets: demo-data fills a fresh database (use "
                          "another --db, or --force to add to this one)", db);
            goto out;
        }
    }
    rc = load_categories(&codes);
    if (rc == 0)
        rc = load_wf(o.profile, &rules, &cal);
    if (rc == 0 && !data_path("kb/articles.json", kbpath, sizeof kbpath))
        rc = cli_fail("the path of the data directory is too long");
    if (rc == 0)
        rc = cli_kb_load(kbpath, &arts, &n_arts);
    if (rc != 0)
        goto out;
    add_current_notices(&arts, &n_arts, cs.tz, (hl_time)time(NULL));
    ctx.rules = rules;
    ctx.cal = cal;
    ctx.tz = cs.tz;
    d = demo_generate(&ctx, (hl_time)time(NULL), (uint32_t)o.seed, (int)o.tickets,
                      (const char *const *)codes.v, codes.n);
    if (d == NULL) {
        rc = cli_fail("generating the demo data failed");
        goto out;
    }
    rc = save_people(cs.store, d, &n);
    if (rc == 0)
        rc = cli_kb_save(cs.store, arts, n_arts, &n.articles);
    if (rc == 0)
        rc = save_work(cs.store, d, &n);
    if (rc != 0)
        goto out;
    print_summary(db, d, &n);
    rc = EXIT_OK_;
out:
    demo_free(&d);
    for (i = 0; i < n_arts; i++)
        article_fini(&arts[i]);
    free(arts);
    strlist_fini(&codes);
    calendar_free(&cal);
    rules_free(&rules);
    cli_store_close(&cs);
    return rc;
}
