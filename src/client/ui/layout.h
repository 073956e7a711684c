/* layout: where the tab bar, body, footer and status bar go for a terminal size (pure). */
#pragma once

#include <stdbool.h>

/* The smallest terminal the console draws in. */
#define LAYOUT_MIN_COLS 80
#define LAYOUT_MIN_ROWS 24

/* A rectangle in screen cells. */
struct rect {
    int y;
    int x;
    int h;
    int w;
};

/* The screen's regions. */
struct layout {
    int rows;
    int cols;
    bool too_small;        /* below LAYOUT_MIN_COLS x LAYOUT_MIN_ROWS: only a message is drawn */
    struct rect tabbar;    /* top line */
    struct rect body;      /* the current view (and overlays) */
    struct rect footer;    /* key hints, or the command line */
    struct rect status;    /* connection, messages, counts, clock */
};

/* Lay out a rows x cols screen. */
void layout_compute(int rows, int cols, struct layout *out);
/* A h x w box centred in area, shrunk to fit inside it. */
struct rect layout_center(const struct rect *area, int h, int w);
