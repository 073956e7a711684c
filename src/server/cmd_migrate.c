/* cmd_migrate: `hotlined migrate`, create the database or bring its schema up to date. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hotline/util.h"
#include "cli.h"
#include "cmd.h"
#include "store.h"
#include "store_sqlite.h"
#ifdef HOTLINE_HAVE_PG
#include "store_pg.h"
#endif

static const char migrate_help[] =
    "usage: hotlined [--db PATH|URI] migrate\n"
    "\n"
    "Create the database when it is new, or bring its schema to the version this hotlined\n"
    "uses, then print that version. --db is a SQLite file or a postgresql:// URI. Safe\n"
    "while other instances run: on PostgreSQL the migration runs in one transaction under\n"
    "an advisory lock, so instances started together migrate once. A database made by a\n"
    "newer hotlined is refused and left alone (exit 1). `serve` migrates too; run this\n"
    "first when several instances share one database, so none of them does it at start.\n"
    "\n"
    "options:\n"
    "  --help   this text\n";

/* Run `hotlined migrate`. */
int
cmd_migrate(int argc, char **argv)
{
    const char *db;
    struct cli_store cs;
    char *shown;
    int i, rc, version = STORE_SQLITE_SCHEMA_VERSION;

    cli_take_db(&argc, &argv, &db);
    for (i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            fputs(migrate_help, stdout);
            return EXIT_OK_;
        }
        return cli_usage_error("migrate", "unexpected argument '%s'", argv[i]);
    }
    rc = cli_store_open(&cs, db, NULL);     /* opening migrates */
    if (rc != 0)
        return rc;
#ifdef HOTLINE_HAVE_PG
    if (strcmp(cs.store->ops->kind, "postgresql") == 0)
        version = STORE_PG_SCHEMA_VERSION;
    shown = store_pg_redact(db);
#else
    shown = xstrdup(db);
#endif
    printf("%s: schema version %d (%s), up to date\n", shown, version, cs.store->ops->kind);
    free(shown);
    cli_store_close(&cs);
    return EXIT_OK_;
}
