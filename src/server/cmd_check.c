/* cmd_check: `hotlined check`, the integrity check of the database. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "store.h"

static const char check_help[] =
    "usage: hotlined [--db PATH] check [--tz ZONE]\n"
    "\n"
    "Check the database: its integrity, the schema version, that every ticket document\n"
    "decodes and agrees with its indexed columns. Prints the report; exit 0 when all is\n"
    "well, 1 when a problem is found (the report says which) or the check cannot run.\n"
    "Run it with the server stopped or running (it only reads).\n"
    "\n"
    "options:\n"
    "  --tz ZONE   the centre's time zone (default " CLI_DEFAULT_TZ "), as `serve --tz`\n"
    "  --help      this text\n";

/* Run `hotlined check`. */
int
cmd_check_db(int argc, char **argv)
{
    const char *db, *tz = NULL;
    struct cli_store cs;
    char *report = NULL;
    struct err e;
    int i, m, rc;

    cli_take_db(&argc, &argv, &db);
    for (i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            fputs(check_help, stdout);
            return EXIT_OK_;
        }
        m = cli_option("check", argc, argv, &i, "--tz", &tz);
        if (m < 0)
            return EXIT_USAGE;
        if (m == 0)
            return cli_usage_error("check", "unexpected argument '%s'", argv[i]);
    }
    rc = cli_store_open(&cs, db, tz);
    if (rc != 0)
        return rc;
    err_clear(&e);
    rc = cs.store->ops->check(cs.store, &report, &e);
    if (report != NULL && report[0] != '\0') {
        fputs(report, stdout);
        if (report[strlen(report) - 1] != '\n')
            fputc('\n', stdout);
    }
    if (rc != HL_OK)
        rc = cli_fail("%s: %s", db, e.msg);
    else
        rc = EXIT_OK_;
    free(report);
    cli_store_close(&cs);
    return rc;
}
