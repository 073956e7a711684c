/* tabbar: the top line: numbered tabs ("1 受理  2 工单 ...") and a note on the right. */
#pragma once

#include <curses.h>
#include <stddef.h>

#include "theme.h"

/* Most tabs the bar lays out. */
#define TABBAR_MAX 8

/* Columns of each tab " N label " from the left edge (pure); returns how many fit in width. */
size_t tabbar_layout(const char *const *labels, size_t n, int width, int *x, int *w);
/* Draw the bar in width columns: tabs (labels already translated), the active one marked,
 * and right (may be NULL) at the right edge when there is room. */
void tabbar_draw(WINDOW *w, int width, const char *const *labels, size_t n, size_t active,
                 const char *right, const struct theme *th);
