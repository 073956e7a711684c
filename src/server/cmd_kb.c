/* cmd_kb: `hotlined kb import|export`, the knowledge base to and from its JSON file format. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "hotline/codec.h"
#include "hotline/model.h"
#include "hotline/util.h"
#include "cli.h"
#include "cmd.h"
#include "store.h"

static const char kb_help[] =
    "usage: hotlined [--db PATH] kb COMMAND [ARGS]\n"
    "\n"
    "The knowledge base (知识库) agents answer from.\n"
    "\n"
    "commands:\n"
    "  import FILE.json   add or replace articles from a file (- reads standard input)\n"
    "  export             print every article in the import format\n"
    "\n"
    "Run `hotlined kb COMMAND --help` for a command's options.\n";

static const char import_help[] =
    "usage: hotlined [--db PATH] kb import FILE.json\n"
    "\n"
    "Import articles from FILE.json (- for standard input): a JSON array of articles in\n"
    "the format of data/kb/articles.json, each {id, title, kind, scope, region, category,\n"
    "tags, body, valid_from, valid_to}; title, kind, scope and body are required, kind is\n"
    "English (knowledge, guide, case, spec, notice) or Chinese (业务知识, 操作指引, 典型案例,\n"
    "技术规范, 紧急公告), dates are YYYY-MM-DD. An article with the id of an existing one\n"
    "replaces it; one without an id gets a new KB- id.\n"
    "\n"
    "Imported articles are PUBLISHED at once, skipping draft and review: importing is an\n"
    "operator's action from a source that was reviewed before it was handed over. Use\n"
    "POST /api/v1/kb for articles that still need review.\n"
    "\n"
    "The whole file is checked before anything is written; prints \"imported N articles\".\n";

static const char export_help[] =
    "usage: hotlined [--db PATH] kb export\n"
    "\n"
    "Print every article (any status) as a JSON array in the import format, one article\n"
    "per line, in id order, so that `hotlined kb export > kb.json` and `hotlined kb import kb.json`\n"
    "round-trip.\n";

/* `kb import FILE`. */
static int
kb_import(const char *db, int argc, char **argv)
{
    struct article *arts = NULL;
    struct cli_store cs;
    const char *path = NULL;
    size_t n = 0, i, done = 0;
    int rc, k;

    memset(&cs, 0, sizeof cs);
    for (k = 1; k < argc; k++) {
        if (cli_is_help(argv[k])) {
            fputs(import_help, stdout);
            return EXIT_OK_;
        }
        if (argv[k][0] == '-' && argv[k][1] != '\0')
            return cli_usage_error("kb import", "unknown option '%s'", argv[k]);
        if (path != NULL)
            return cli_usage_error("kb import", "unexpected argument '%s'", argv[k]);
        path = argv[k];
    }
    if (path == NULL)
        return cli_usage_error("kb import", "give the file to import (e.g. data/kb/articles.json)");
    rc = cli_kb_load(path, &arts, &n);
    if (rc != 0)
        goto out;
    rc = cli_store_open(&cs, db, NULL);
    if (rc != 0)
        goto out;
    rc = cli_kb_save(cs.store, arts, n, &done);
    if (rc != 0)
        goto out;
    printf("imported %zu article%s\n", done, done == 1 ? "" : "s");
    rc = EXIT_OK_;
out:
    for (i = 0; i < n; i++)
        article_fini(&arts[i]);
    free(arts);
    cli_store_close(&cs);
    return rc;
}

/* The members of the import format, in the order they are written. */
static const char *const input_keys[] = {
    "id", "title", "kind", "scope", "region", "category", "tags", "body", "valid_from",
    "valid_to",
};

/* What the export scan carries. */
struct export_ctx {
    const struct tz *tz;
    cJSON *array;
};

/* Append one article in the import format. */
static bool
export_one(const struct article *a, void *arg)
{
    struct export_ctx *x = arg;
    cJSON *full = codec_article_to_json(a, x->tz);
    cJSON *item = cJSON_CreateObject();
    size_t i;

    for (i = 0; i < ARRAY_SIZE(input_keys); i++) {
        cJSON *v = cJSON_DetachItemFromObjectCaseSensitive(full, input_keys[i]);

        cJSON_AddItemToObject(item, input_keys[i], v != NULL ? v : cJSON_CreateNull());
    }
    cJSON_Delete(full);
    cJSON_AddItemToArray(x->array, item);
    return true;
}

/* `kb export`. */
static int
kb_export(const char *db, int argc, char **argv)
{
    struct export_ctx x;
    const cJSON *item;
    struct cli_store cs;
    struct err e;
    char *text = NULL;
    int rc;

    if (argc > 1 && cli_is_help(argv[1])) {
        fputs(export_help, stdout);
        return EXIT_OK_;
    }
    if (argc > 1)
        return cli_usage_error("kb export", "unexpected argument '%s'", argv[1]);
    rc = cli_store_open(&cs, db, NULL);
    if (rc != 0)
        return rc;
    err_clear(&e);
    x.tz = cs.tz;
    x.array = cJSON_CreateArray();
    if (cs.store->ops->article_scan(cs.store, export_one, &x, &e) != HL_OK) {
        rc = cli_fail("%s", e.msg);
        goto out;
    }
    /* one compact article per line: readable, diffable, greppable */
    fputs("[\n", stdout);
    for (item = x.array->child; item != NULL; item = item->next) {
        text = codec_print(item);
        fputs(text, stdout);
        fputs(item->next != NULL ? ",\n" : "\n", stdout);
        free(text);
        text = NULL;
    }
    fputs("]\n", stdout);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        rc = cli_fail("writing the articles failed: %s", strerror(errno));
        goto out;
    }
    rc = EXIT_OK_;
out:
    free(text);
    cJSON_Delete(x.array);
    cli_store_close(&cs);
    return rc;
}

/* Run `hotlined kb`. */
int
cmd_kb(int argc, char **argv)
{
    const char *db;

    cli_take_db(&argc, &argv, &db);
    if (argc < 2)
        return cli_usage_error("kb", "give a command: import or export");
    if (cli_is_help(argv[1])) {
        fputs(kb_help, stdout);
        return EXIT_OK_;
    }
    if (strcmp(argv[1], "import") == 0)
        return kb_import(db, argc - 1, argv + 1);
    if (strcmp(argv[1], "export") == 0)
        return kb_export(db, argc - 1, argv + 1);
    return cli_usage_error("kb", "unknown command 'kb %s'", argv[1]);
}
