/* cmd_unit: `hotlined unit add|list`, the responsible units (承办单位). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hotline/util.h"
#include "cli.h"
#include "cmd.h"
#include "store.h"

static const char unit_help[] =
    "usage: hotlined [--db PATH] unit COMMAND [ARGS]\n"
    "\n"
    "The responsible units (承办单位) tickets are dispatched to.\n"
    "\n"
    "commands:\n"
    "  add CODE --name NAME   add a unit; CODE is what dispatch bodies and unit users name\n"
    "  list                   print every unit: code and name\n"
    "\n"
    "Run `hotlined unit COMMAND --help` for a command's options.\n";

static const char add_help[] =
    "usage: hotlined [--db PATH] unit add CODE --name NAME\n"
    "\n"
    "Add a responsible unit. CODE: up to 100 characters without spaces (e.g. water,\n"
    "district.hd.housing); NAME: the unit's name as people read it (e.g. 市水务局).\n"
    "Fails (exit 1) when the code exists.\n"
    "\n"
    "options:\n"
    "  --name NAME   the unit's name (required)\n"
    "  --help        this text\n";

static const char list_help[] =
    "usage: hotlined [--db PATH] unit list\n"
    "\n"
    "Print every unit as a table: code and name.\n";

/* `unit add CODE --name NAME`. */
static int
unit_add(const char *db, int argc, char **argv)
{
    const char *code = NULL, *name = NULL, *v;
    struct cli_store cs;
    struct err e;
    int i, m, rc;

    for (i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            fputs(add_help, stdout);
            return EXIT_OK_;
        }
        m = cli_option("unit add", argc, argv, &i, "--name", &v);
        if (m < 0)
            return EXIT_USAGE;
        if (m > 0) {
            name = v;
            continue;
        }
        if (argv[i][0] == '-')
            return cli_usage_error("unit add", "unknown option '%s'", argv[i]);
        if (code != NULL)
            return cli_usage_error("unit add", "unexpected argument '%s'", argv[i]);
        code = argv[i];
    }
    if (code == NULL)
        return cli_usage_error("unit add", "give the unit's CODE");
    if (!cli_valid_code(code))
        return cli_usage_error("unit add", "CODE '%s': expected 1-100 characters without "
                               "spaces or control characters", code);
    if (name == NULL)
        return cli_usage_error("unit add", "give the unit's name with --name NAME");
    if (!cli_valid_name(name))
        return cli_usage_error("unit add", "--name: expected 1-100 characters on one line");
    rc = cli_store_open(&cs, db, NULL);
    if (rc != 0)
        return rc;
    err_clear(&e);
    switch (cs.store->ops->unit_add(cs.store, code, name, &e)) {
    case HL_OK:
        printf("added unit %s (%s)\n", code, name);
        rc = EXIT_OK_;
        break;
    case HL_ECONFLICT:
        rc = cli_fail("unit %s already exists", code);
        break;
    default:
        rc = cli_fail("%s", e.msg);
        break;
    }
    cli_store_close(&cs);
    return rc;
}

/* `unit list`. */
static int
unit_list(const char *db, int argc, char **argv)
{
    static const char *const header[] = { "CODE", "NAME" };
    struct cli_table t;
    struct cli_store cs;
    struct unit *units = NULL;
    size_t n = 0, i;
    struct err e;
    int rc;

    if (argc > 1 && cli_is_help(argv[1])) {
        fputs(list_help, stdout);
        return EXIT_OK_;
    }
    if (argc > 1)
        return cli_usage_error("unit list", "unexpected argument '%s'", argv[1]);
    rc = cli_store_open(&cs, db, NULL);
    if (rc != 0)
        return rc;
    err_clear(&e);
    if (cs.store->ops->unit_list(cs.store, &units, &n, &e) != HL_OK) {
        rc = cli_fail("%s", e.msg);
        goto out;
    }
    cli_table_init(&t, 2, header);
    for (i = 0; i < n; i++) {
        const char *row[] = { units[i].code, units[i].name };

        cli_table_add(&t, row);
    }
    cli_table_print(&t, stdout);
    cli_table_fini(&t);
    rc = EXIT_OK_;
out:
    for (i = 0; i < n; i++)
        unit_fini(&units[i]);
    free(units);
    cli_store_close(&cs);
    return rc;
}

/* Run `hotlined unit`. */
int
cmd_unit(int argc, char **argv)
{
    const char *db;

    cli_take_db(&argc, &argv, &db);
    if (argc < 2)
        return cli_usage_error("unit", "give a command: add or list");
    if (cli_is_help(argv[1])) {
        fputs(unit_help, stdout);
        return EXIT_OK_;
    }
    if (strcmp(argv[1], "add") == 0)
        return unit_add(db, argc - 1, argv + 1);
    if (strcmp(argv[1], "list") == 0)
        return unit_list(db, argc - 1, argv + 1);
    return cli_usage_error("unit", "unknown command 'unit %s'", argv[1]);
}
