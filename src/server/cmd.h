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
