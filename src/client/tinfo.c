/* tinfo: terminfo checks kept apart from term.c, whose names clash with <term.h>. */
#include <curses.h>
#include <ncursesw/term.h>   /* not <term.h>: the client's own term.h would shadow it */
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "i18n.h"
#include "tinfo.h"

/* True when a terminfo string capability is present. */
static bool
has_string(const char *cap)
{
    char *s = tigetstr(cap);

    return s != NULL && s != (char *)-1;
}

int
tinfo_key_code(const char *cap)
{
    char *s = tigetstr(cap);
    int code;

    if (s == NULL || s == (char *)-1)
        return 0;
    code = key_defined(s);
    return code > 0 ? code : 0;
}

int
tinfo_check(struct err *e)
{
    const char *name = getenv("TERM");
    int errret = 0;
    bool addressable;

    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
        return err_set(e, HL_EINVAL, "tty",
                       _("hotline: standard input and output must be a terminal"));
    if (name == NULL || name[0] == '\0')
        return err_set(e, HL_EINVAL, "TERM",
                       _("hotline: TERM is not set: set it to your terminal's type "
                         "(e.g. TERM=xterm-256color)"));
    if (setupterm(NULL, STDOUT_FILENO, &errret) != OK) {
        if (errret == 0)
            return err_set(e, HL_EINVAL, "TERM",
                           _("hotline: terminal type '%s' is unknown: set TERM "
                             "(e.g. TERM=xterm-256color) or install ncurses-term"),
                           name);
        return err_set(e, HL_EINVAL, "TERM",
                       _("hotline: the terminfo database cannot be found: install ncurses-base"));
    }
    addressable = has_string("cup") && tigetflag("hc") != 1 && tigetflag("gn") != 1;
    del_curterm(cur_term);
    if (!addressable)
        return err_set(e, HL_EINVAL, "TERM",
                       _("hotline: terminal type '%s' cannot move the cursor, so it cannot show "
                         "a full-screen program: set TERM (e.g. TERM=xterm-256color)"),
                       name);
    return HL_OK;
}
