/* cmd_user: `hotlined user add|passwd|list|disable`, the accounts that log in to the API. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "hotline/model.h"
#include "hotline/util.h"
#include "auth.h"
#include "cli.h"
#include "cmd.h"
#include "store.h"

static const char user_help[] =
    "usage: hotlined [--db PATH] user COMMAND [ARGS]\n"
    "\n"
    "The accounts that log in to the API (POST /api/v1/session).\n"
    "\n"
    "commands:\n"
    "  add ID --name NAME --role ROLE [--unit CODE]   add a user (password on stdin)\n"
    "  passwd ID                                      set a new password (on stdin)\n"
    "  list                                           print every user\n"
    "  disable ID                                     lock a user out\n"
    "\n"
    "Run `hotlined user COMMAND --help` for a command's options.\n";

static const char add_help[] =
    "usage: hotlined [--db PATH] user add ID --name NAME --role ROLE [--unit CODE]\n"
    "\n"
    "Add a user. The password is read from standard input as one line (at least 8\n"
    "characters; prompted without echo on a terminal) and stored only as an argon2id\n"
    "hash. Fails (exit 1) when the id exists.\n"
    "\n"
    "options:\n"
    "  --name NAME   the person's name as colleagues see it (required)\n"
    "  --role ROLE   agent (坐席), unit (承办单位), supervisor (班长/督办) or admin (required)\n"
    "  --unit CODE   the user's unit: required for role unit, refused for the others;\n"
    "                the unit must exist (`hotlined unit add`)\n"
    "  --help        this text\n"
    "\n"
    "example: printf '%s\\n' \"$PW\" | hotlined user add zhangsan --name 张三 --role agent\n";

static const char passwd_help[] =
    "usage: hotlined [--db PATH] user passwd ID\n"
    "\n"
    "Set a new password for user ID, read from standard input as one line (at least 8\n"
    "characters). Every session of the user is revoked: the user logs in again.\n";

static const char list_help[] =
    "usage: hotlined [--db PATH] user list\n"
    "\n"
    "Print every user as a table: id, name, role, unit and whether it is disabled.\n";

static const char disable_help[] =
    "usage: hotlined [--db PATH] user disable ID\n"
    "\n"
    "Disable user ID: it can no longer log in and every session it has is revoked at once.\n";

/* `user add ID --name NAME --role ROLE [--unit CODE]`. */
static int
user_add(const char *db, int argc, char **argv)
{
    const char *id = NULL, *name = NULL, *role = NULL, *unit = NULL;
    char pw[AUTH_PASSWORD_MAX + 2], hash[AUTH_PWHASH_MAX];
    struct cli_store cs;
    struct user u;
    struct unit un;
    struct err e;
    enum user_role r;
    int i, m, rc;

    memset(&cs, 0, sizeof cs);
    for (i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            fputs(add_help, stdout);
            return EXIT_OK_;
        }
        m = cli_option("user add", argc, argv, &i, "--name", &name);
        if (m == 0)
            m = cli_option("user add", argc, argv, &i, "--role", &role);
        if (m == 0)
            m = cli_option("user add", argc, argv, &i, "--unit", &unit);
        if (m < 0)
            return EXIT_USAGE;
        if (m > 0)
            continue;
        if (argv[i][0] == '-')
            return cli_usage_error("user add", "unknown option '%s'", argv[i]);
        if (id != NULL)
            return cli_usage_error("user add", "unexpected argument '%s'", argv[i]);
        id = argv[i];
    }
    if (id == NULL)
        return cli_usage_error("user add", "give the user's ID");
    if (!cli_valid_code(id))
        return cli_usage_error("user add", "ID '%s': expected 1-100 characters without spaces "
                               "or control characters", id);
    if (name == NULL)
        return cli_usage_error("user add", "give the user's name with --name NAME");
    if (!cli_valid_name(name))
        return cli_usage_error("user add", "--name: expected 1-100 characters on one line");
    if (role == NULL)
        return cli_usage_error("user add", "give the role with --role agent|unit|supervisor|admin");
    if (!user_role_parse(role, &r))
        return cli_usage_error("user add", "--role '%s': expected agent, unit, supervisor or admin",
                               role);
    if (r == USER_UNIT && unit == NULL)
        return cli_usage_error("user add", "role unit needs --unit CODE (the user's unit)");
    if (r != USER_UNIT && unit != NULL)
        return cli_usage_error("user add", "--unit is only for role unit, not %s", role);
    rc = cli_store_open(&cs, db, NULL);
    if (rc != 0)
        return rc;
    err_clear(&e);
    if (unit != NULL) {
        memset(&un, 0, sizeof un);
        switch (cs.store->ops->unit_get(cs.store, unit, &un, &e)) {
        case HL_OK:
            unit_fini(&un);
            break;
        case HL_ENOENT:
            rc = cli_fail("unit %s does not exist: add it first with `hotlined unit add %s "
                          "--name NAME`", unit, unit);
            goto out;
        default:
            rc = cli_fail("%s", e.msg);
            goto out;
        }
    }
    /* the id is free? (checked again by user_add; this spares typing a password) */
    {
        struct user_row row;

        memset(&row, 0, sizeof row);
        if (cs.store->ops->user_get(cs.store, id, &row, &e) == HL_OK) {
            user_row_fini(&row);
            rc = cli_fail("user %s already exists (use `hotlined user passwd %s` for a new "
                          "password)", id, id);
            goto out;
        }
        err_clear(&e);
    }
    if (cli_read_password("password: ", pw, sizeof pw, &e) != HL_OK) {
        rc = e.code == HL_EINVAL ? cli_usage_error("user add", "%s", e.msg) : cli_fail("%s", e.msg);
        goto out;
    }
    rc = auth_hash_password(pw, AUTH_COST_INTERACTIVE, hash, sizeof hash, &e);
    sodium_memzero(pw, sizeof pw);
    if (rc != HL_OK) {
        rc = cli_fail("%s", e.msg);
        goto out;
    }
    memset(&u, 0, sizeof u);
    u.id = xstrdup(id);
    u.name = xstrdup(name);
    u.role = r;
    u.unit = xstrdup(unit);
    rc = cs.store->ops->user_add(cs.store, &u, hash, &e);
    user_fini(&u);
    switch (rc) {
    case HL_OK:
        printf("added user %s (%s, %s%s%s)\n", id, name, role, unit != NULL ? ", unit " : "",
               unit != NULL ? unit : "");
        rc = EXIT_OK_;
        break;
    case HL_ECONFLICT:
        rc = cli_fail("user %s already exists (use `hotlined user passwd %s` for a new "
                      "password)", id, id);
        break;
    default:
        rc = cli_fail("%s", e.msg);
        break;
    }
out:
    cli_store_close(&cs);
    return rc;
}

/* The single ID argument of passwd and disable; NULL after printing a usage error. */
static const char *
only_id(const char *cmd, int argc, char **argv, bool *help, const char *helptext)
{
    *help = false;
    if (argc > 1 && cli_is_help(argv[1])) {
        fputs(helptext, stdout);
        *help = true;
        return NULL;
    }
    if (argc < 2) {
        cli_usage_error(cmd, "give the user's ID");
        return NULL;
    }
    if (argc > 2) {
        if (cli_is_help(argv[2])) {
            fputs(helptext, stdout);
            *help = true;
        } else {
            cli_usage_error(cmd, "unexpected argument '%s'", argv[2]);
        }
        return NULL;
    }
    if (argv[1][0] == '-') {
        cli_usage_error(cmd, "unknown option '%s'", argv[1]);
        return NULL;
    }
    return argv[1];
}

/* `user passwd ID`. */
static int
user_passwd(const char *db, int argc, char **argv)
{
    char pw[AUTH_PASSWORD_MAX + 2], hash[AUTH_PWHASH_MAX];
    struct cli_store cs;
    struct user_row row;
    struct err e;
    bool help;
    const char *id = only_id("user passwd", argc, argv, &help, passwd_help);
    int rc;

    if (id == NULL)
        return help ? EXIT_OK_ : EXIT_USAGE;
    rc = cli_store_open(&cs, db, NULL);
    if (rc != 0)
        return rc;
    err_clear(&e);
    memset(&row, 0, sizeof row);
    rc = cs.store->ops->user_get(cs.store, id, &row, &e);
    user_row_fini(&row);
    if (rc != HL_OK) {
        rc = rc == HL_ENOENT ? cli_fail("no user %s (see `hotlined user list`)", id)
                             : cli_fail("%s", e.msg);
        goto out;
    }
    if (cli_read_password("new password: ", pw, sizeof pw, &e) != HL_OK) {
        rc = e.code == HL_EINVAL ? cli_usage_error("user passwd", "%s", e.msg)
                                 : cli_fail("%s", e.msg);
        goto out;
    }
    rc = auth_hash_password(pw, AUTH_COST_INTERACTIVE, hash, sizeof hash, &e);
    sodium_memzero(pw, sizeof pw);
    if (rc != HL_OK) {
        rc = cli_fail("%s", e.msg);
        goto out;
    }
    rc = cs.store->ops->user_set_password(cs.store, id, hash, &e);
    if (rc != HL_OK) {
        rc = rc == HL_ENOENT ? cli_fail("no user %s", id) : cli_fail("%s", e.msg);
        goto out;
    }
    printf("password of %s changed; its sessions are revoked\n", id);
    rc = EXIT_OK_;
out:
    cli_store_close(&cs);
    return rc;
}

/* `user disable ID`. */
static int
user_disable(const char *db, int argc, char **argv)
{
    struct cli_store cs;
    struct err e;
    bool help;
    const char *id = only_id("user disable", argc, argv, &help, disable_help);
    int rc;

    if (id == NULL)
        return help ? EXIT_OK_ : EXIT_USAGE;
    rc = cli_store_open(&cs, db, NULL);
    if (rc != 0)
        return rc;
    err_clear(&e);
    rc = cs.store->ops->user_disable(cs.store, id, &e);
    if (rc == HL_OK) {
        printf("user %s disabled; its sessions are revoked\n", id);
        rc = EXIT_OK_;
    } else {
        rc = rc == HL_ENOENT ? cli_fail("no user %s (see `hotlined user list`)", id)
                             : cli_fail("%s", e.msg);
    }
    cli_store_close(&cs);
    return rc;
}

/* `user list`. */
static int
user_list(const char *db, int argc, char **argv)
{
    static const char *const header[] = { "ID", "NAME", "ROLE", "UNIT", "DISABLED" };
    struct cli_table t;
    struct cli_store cs;
    struct user_row *rows = NULL;
    size_t n = 0, i;
    struct err e;
    int rc;

    if (argc > 1 && cli_is_help(argv[1])) {
        fputs(list_help, stdout);
        return EXIT_OK_;
    }
    if (argc > 1)
        return cli_usage_error("user list", "unexpected argument '%s'", argv[1]);
    rc = cli_store_open(&cs, db, NULL);
    if (rc != 0)
        return rc;
    err_clear(&e);
    if (cs.store->ops->user_list(cs.store, &rows, &n, &e) != HL_OK) {
        rc = cli_fail("%s", e.msg);
        goto out;
    }
    cli_table_init(&t, 5, header);
    for (i = 0; i < n; i++) {
        const struct user *u = &rows[i].user;
        const char *row[] = { u->id, u->name, user_role_str(u->role), u->unit,
                              rows[i].disabled ? "yes" : "no" };

        cli_table_add(&t, row);
    }
    cli_table_print(&t, stdout);
    cli_table_fini(&t);
    rc = EXIT_OK_;
out:
    for (i = 0; i < n; i++)
        user_row_fini(&rows[i]);
    free(rows);
    cli_store_close(&cs);
    return rc;
}

/* Run `hotlined user`. */
int
cmd_user(int argc, char **argv)
{
    const char *db;

    cli_take_db(&argc, &argv, &db);
    if (argc < 2)
        return cli_usage_error("user", "give a command: add, passwd, list or disable");
    if (cli_is_help(argv[1])) {
        fputs(user_help, stdout);
        return EXIT_OK_;
    }
    if (strcmp(argv[1], "add") == 0)
        return user_add(db, argc - 1, argv + 1);
    if (strcmp(argv[1], "passwd") == 0)
        return user_passwd(db, argc - 1, argv + 1);
    if (strcmp(argv[1], "list") == 0)
        return user_list(db, argc - 1, argv + 1);
    if (strcmp(argv[1], "disable") == 0)
        return user_disable(db, argc - 1, argv + 1);
    return cli_usage_error("user", "unknown command 'user %s'", argv[1]);
}
