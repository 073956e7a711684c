/* tinfo: terminfo checks kept apart from term.c, whose names clash with <term.h>. */
#pragma once

#include "hotline/err.h"

/* Check that stdin/stdout are a terminal and $TERM names a full-screen type we can use;
 * HL_EINVAL with a message saying what to do otherwise. */
int tinfo_check(struct err *e);
/* The key code curses assigned to a terminfo key capability ("kLFT5"), 0 when none.
 * Curses must be running. */
int tinfo_key_code(const char *cap);
