/* placeholder: being written */
#include "cmd.h"
int
cmd_calendar(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return EXIT_RUNTIME;
}
