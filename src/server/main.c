/* main: hotlined's command line: global options, then one subcommand. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "cmd.h"
#include "store_sqlite.h"

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
    bool db;   /* takes the database: gets "--db PATH" in front of its name when given */
};

static const struct command commands[] = {
    { "calendar", cmd_calendar, "check the holiday calendar: due, show, check", false },
    { "serve", cmd_serve, "run the HTTP API", true },
    { "unit", cmd_unit, "responsible units: add, list", true },
    { "user", cmd_user, "accounts: add, passwd, list, disable", true },
    { "kb", cmd_kb, "knowledge base: import, export", true },
    { "check", cmd_check_db, "check the database's integrity", true },
    { "demo-data", cmd_demo, "fill a fresh database with demo content", true },
    { "migrate", cmd_migrate, "create or upgrade the database schema", true },
};

/* Print the top-level usage to f. */
static void
usage(FILE *f)
{
    size_t i;

    fprintf(f, "usage: hotlined [--db PATH] COMMAND [ARGS...]\n\n"
               "The hotline ticket backend.\n\ncommands:\n");
    for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nRun `hotlined COMMAND --help` for a command's options.\n"
               "options:\n  --db PATH   database: a SQLite file (default ./hotline.db) or a\n"
               "              postgresql:// URI (several instances on one database)\n"
               "  --help      this text\n  --version   print the version\n");
}

int
main(int argc, char **argv)
{
    int i = 1, db_at = 0;
    size_t c;

    store_sqlite_setup();
    while (i < argc && argv[i][0] == '-') {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return EXIT_OK_;
        }
        if (strcmp(argv[i], "--version") == 0) {
            printf("hotlined %s\n", HOTLINE_VERSION);
            return EXIT_OK_;
        }
        if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
            db_at = i;   /* the last one wins; it ends right before the command */
            i += 2;
            continue;
        }
        fprintf(stderr, "hotlined: unknown option '%s' (try `hotlined --help`)\n", argv[i]);
        return EXIT_USAGE;
    }
    if (i >= argc) {
        usage(stderr);
        return EXIT_USAGE;
    }
    for (c = 0; c < sizeof commands / sizeof commands[0]; c++) {
        if (strcmp(argv[i], commands[c].name) != 0)
            continue;
        /* commands[c].db: pass "--db PATH COMMAND ARGS..." on, else "COMMAND ARGS..." */
        if (commands[c].db && db_at > 0)
            return commands[c].run(argc - db_at, argv + db_at);
        return commands[c].run(argc - i, argv + i);
    }
    fprintf(stderr, "hotlined: unknown command '%s' (try `hotlined --help`)\n", argv[i]);
    return EXIT_USAGE;
}
