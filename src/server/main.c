/* main: hotlined's command line: global options, then one subcommand. */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "cmd.h"

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    { "calendar", cmd_calendar, "check the holiday calendar: due, show, check" },
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
               "options:\n  --db PATH   database file (default ./hotline.db)\n"
               "  --help      this text\n  --version   print the version\n");
}

int
main(int argc, char **argv)
{
    int i = 1;
    size_t c;

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
            i += 2;   /* used by the store commands */
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
        if (strcmp(argv[i], commands[c].name) == 0)
            return commands[c].run(argc - i, argv + i);
    }
    fprintf(stderr, "hotlined: unknown command '%s' (try `hotlined --help`)\n", argv[i]);
    return EXIT_USAGE;
}
