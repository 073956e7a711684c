/* term: the curses terminal: start with friendly errors, colours, resize, suspend, input. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "i18n.h"
#include "keys.h"
#include "term.h"
#include "tinfo.h"

/* Turn off XON/XOFF so Ctrl-S and Ctrl-Q reach us, and make that the program mode. */
static void
no_flow_control(void)
{
    struct termios tio;

    if (tcgetattr(STDIN_FILENO, &tio) == 0) {
        tio.c_iflag &= ~(tcflag_t)IXON;
        tcsetattr(STDIN_FILENO, TCSANOW, &tio);
    }
    def_prog_mode();
}

int
term_start(struct term *t, bool no_color, struct err *e)
{
    int rc;

    memset(t, 0, sizeof *t);
    rc = tinfo_check(e);
    if (rc != HL_OK)
        return rc;
    t->scr = newterm(NULL, stdout, stdin);
    if (t->scr == NULL)
        return err_set(e, HL_EINVAL, "TERM", _("hotline: cannot start the terminal '%s'"),
                       getenv("TERM"));
    set_term(t->scr);
    t->active = true;
    cbreak();
    noecho();
    nonl();
    intrflush(stdscr, FALSE);
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    set_escdelay(25);
    no_flow_control();
    t->cursor_visible = true;
    term_cursor(t, false);
    t->depth = THEME_MONO;
    if (!no_color && has_colors() && start_color() == OK) {
        t->default_colors = use_default_colors() == OK;
        if (COLORS >= 256 && COLOR_PAIRS > SLOT_COUNT)
            t->depth = THEME_256;
        else if (COLORS >= 8 && COLOR_PAIRS > SLOT_COUNT)
            t->depth = THEME_8;
    }
    t->word_left_code = tinfo_key_code("kLFT5");
    t->word_right_code = tinfo_key_code("kRIT5");
    getmaxyx(stdscr, t->rows, t->cols);
    /* stdscr is only read from (and drawn on when the window is too small): keep it untouched
     * so get_wch never repaints it over the real windows. */
    untouchwin(stdscr);
    return HL_OK;
}

void
term_stop(struct term *t)
{
    if (!t->active)
        return;
    term_cursor(t, true);
    endwin();
    delscreen(t->scr);
    t->scr = NULL;
    t->active = false;
}

void
term_resize(struct term *t)
{
    struct winsize ws;

    if (!t->active)
        return;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
        resizeterm(ws.ws_row, ws.ws_col);
    getmaxyx(stdscr, t->rows, t->cols);
    untouchwin(stdscr);
}

void
term_suspend(struct term *t, struct loop *l)
{
    struct sigaction ign;
    struct sigaction old;

    if (!t->active)
        return;
    /* When hotline runs under a wrapper (sh -c), the shell may already have taken the
     * terminal back from the stopped wrapper: restoring the tty from the background must not
     * stop us with SIGTTOU halfway, or we would stop twice and never come back on fg. */
    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    sigemptyset(&ign.sa_mask);
    sigaction(SIGTTOU, &ign, &old);
    endwin();
    sigaction(SIGTTOU, &old, NULL);
    loop_stop_self(l);
    /* Continued: the next doupdate restores the program mode and the alternate screen. */
    reset_prog_mode();
    term_resize(t);
    term_repaint_all(t);
}

void
term_repaint_all(struct term *t)
{
    if (t->active)
        clearok(curscr, TRUE);
}

void
term_cursor(struct term *t, bool visible)
{
    if (!t->active || t->cursor_visible == visible)
        return;
    curs_set(visible ? 1 : 0);
    t->cursor_visible = visible;
}

bool
term_read(struct term *t, wint_t *ch, bool *keycode)
{
    int r;

    if (!t->active)
        return false;
    r = get_wch(ch);
    if (r == ERR)
        return false;
    *keycode = r == KEY_CODE_YES;
    if (*keycode && t->word_left_code != 0 && *ch == (wint_t)t->word_left_code)
        *ch = KEYS_WORD_LEFT;
    else if (*keycode && t->word_right_code != 0 && *ch == (wint_t)t->word_right_code)
        *ch = KEYS_WORD_RIGHT;
    return true;
}

int
term_fd(const struct term *t)
{
    (void)t;
    return STDIN_FILENO;
}
