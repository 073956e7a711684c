/* cmd: the subcommands of hotlined, each a main-like function returning an exit code. */
#pragma once

/* Exit codes of every subcommand. */
enum {
    EXIT_OK_ = 0,       /* success */
    EXIT_RUNTIME = 1,   /* runtime failure */
    EXIT_USAGE = 2,     /* usage error */
};

/* `hotlined calendar due|show|check ...`; argv[0] is "calendar". */
int cmd_calendar(int argc, char **argv);
/* `hotlined [--db PATH] serve [--listen ADDR:PORT] ...`; argv[0] is "serve", or "--db" PATH
 * "serve" when main passes the global --db on. */
int cmd_serve(int argc, char **argv);
/* The store commands below get argv[0] = the command's name, or "--db" PATH <name> when
 * main passes the global --db on (cli_take_db). */
/* `hotlined [--db PATH] unit add|list ...`. */
int cmd_unit(int argc, char **argv);
/* `hotlined [--db PATH] user add|passwd|list|disable ...`. */
int cmd_user(int argc, char **argv);
/* `hotlined [--db PATH] kb import|export ...`. */
int cmd_kb(int argc, char **argv);
/* `hotlined [--db PATH] check [--tz ZONE]`. */
int cmd_check_db(int argc, char **argv);
/* `hotlined [--db PATH] demo-data [--tickets N] [--seed S] [--tz ZONE] [--force]`. */
int cmd_demo(int argc, char **argv);
/* `hotlined [--db PATH|URI] migrate`: create or upgrade the schema, print its version. */
int cmd_migrate(int argc, char **argv);
