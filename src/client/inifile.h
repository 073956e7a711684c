/* inifile: INI parsing through inih with "file:line: message" errors for config and theme files. */
#pragma once

#include <stdbool.h>

#include "hotline/err.h"

/* Largest INI file read (bytes). */
#define INIFILE_MAX (256 * 1024)

/* Called for each "name = value" in section; return false and fill e->msg (no location) to
 * report an error: the parse goes on, only the first error is kept. */
typedef bool (*inifile_fn)(void *user, const char *section, const char *name, const char *value,
                           struct err *e);

/* Parse INI text; where names the text in errors. Returns HL_OK, or HL_EINVAL with e holding
 * "<where>:<line>: <message>" (and e->field "<where>:<line>") for the first error. */
int inifile_parse(const char *text, const char *where, inifile_fn fn, void *user, struct err *e);
/* Read path (at most INIFILE_MAX bytes) and parse it; HL_ENOENT when it does not exist,
 * HL_EIO when it cannot be read. */
int inifile_load(const char *path, inifile_fn fn, void *user, struct err *e);
