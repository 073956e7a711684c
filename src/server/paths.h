/* paths: where hotlined finds its data files (holiday calendar, categories, KPIs). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Full path of a data file into buf: $HOTLINE_DATA/file, else the source tree's data/
 * when this program runs from its build directory, else the installed data dir.
 * Returns false when buf is too small (buf then holds a cut path). */
bool data_path(const char *file, char *buf, size_t sz);
