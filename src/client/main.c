/* main: the hotline console's command line. */
#include <libintl.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "config.h"

#define _(s) gettext(s)

/* Print usage to f. */
static void
usage(FILE *f)
{
    fprintf(f, "%s", _("usage: hotline [--server URL] [--user ID] [--watch] [--lang en|zh_CN]\n"
                       "The terminal agent console for service hotlines.\n"
                       "  --help      this text\n"
                       "  --version   print the version\n"));
}

int
main(int argc, char **argv)
{
    int i;

    setlocale(LC_ALL, "");
    bindtextdomain(GETTEXT_PACKAGE, HOTLINE_LOCALEDIR);
    bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
    textdomain(GETTEXT_PACKAGE);
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(argv[i], "--version") == 0) {
            printf("hotline %s\n", HOTLINE_VERSION);
            return 0;
        }
    }
    fprintf(stderr, "%s", _("hotline: the interactive console is not part of this build yet; "
                            "see README.md for what works today.\n"));
    return 1;
}
