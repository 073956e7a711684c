/* intake_big: a ticket number in large block digits, to read out to the caller. Pure. */
#pragma once

#include <stddef.h>

/* Rows of the large rendering. */
#define INTAKE_BIG_ROWS 5

/* Row row (0 .. INTAKE_BIG_ROWS-1) of s in large letters: '#' marks a filled cell, ' ' an
 * empty one; each digit, 'H', 'L', '-' and ':' is 3 cells wide followed by a space column;
 * any other character (本地 ...) is copied once into the middle row, padded with spaces in
 * the others to keep the columns aligned. Caller owns. */
char *intake_big_row(const char *s, int row);
/* Columns the large rendering of s takes (the width of every row). */
int intake_big_width(const char *s);
