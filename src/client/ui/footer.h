/* footer: the key-hint line ("F1 Help  F2 Call ..."), from the key tables. */
#pragma once

#include <curses.h>
#include <stddef.h>

#include "keys.h"
#include "theme.h"

/* How many hints fit in width columns, each "KEY label" plus two spaces (labels translated). Pure. */
size_t footer_fit(const struct key_hint *hints, size_t n, int width);
/* Draw the hints that fit. */
void footer_draw(WINDOW *w, int width, const struct key_hint *hints, size_t n, const struct theme *th);
