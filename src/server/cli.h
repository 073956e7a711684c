/* cli: what the operator commands share: --db, options, the store, passwords, tables. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "hotline/err.h"
#include "hotline/tz.h"
#include "store.h"

/* The database used when no --db is given, and the default zone. */
#define CLI_DEFAULT_DB "hotline.db"
#define CLI_DEFAULT_TZ "Asia/Shanghai"

/* An opened store with the zone it borrows. */
struct cli_store {
    struct tz *tz;
    struct store *store;
};

/* Take the leading `--db PATH` pairs main passes on in front of the command's name
 * (the last one wins) off argc and argv; *db gets the path (CLI_DEFAULT_DB when none).
 * Afterwards argv[0] is the command's name. */
void cli_take_db(int *argc, char ***argv, const char **db);
/* True when arg asks for help (--help or -h). */
bool cli_is_help(const char *arg);
/* Match option name at argv[*i], as `--name VALUE` or `--name=VALUE`: 1 with *value set
 * (and *i moved past a separate value), 0 when argv[*i] is another argument, -1 when the
 * value is missing or empty (a message is printed to stderr naming cmd). */
int cli_option(const char *cmd, int argc, char **argv, int *i, const char *name,
               const char **value);
/* Print "hotlined: <msg> (try `hotlined <cmd> --help`)" to stderr and return 2. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print "hotlined: <msg>" to stderr and return 1. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Load the zone (tz_name NULL: CLI_DEFAULT_TZ) and open the store at db. Returns 0, or
 * prints why to stderr and returns the exit code (2 for an unknown zone, 1 otherwise). */
int cli_store_open(struct cli_store *cs, const char *db, const char *tz_name);
/* Close the store and free the zone; accepts a store that failed to open. */
void cli_store_close(struct cli_store *cs);

/* True when s is usable as an id or code: 1 to MODEL_MAX_SHORT characters, valid UTF-8,
 * no spaces or control characters. */
bool cli_valid_code(const char *s);
/* True when s is usable as a one-line name: 1 to MODEL_MAX_SHORT characters, valid
 * UTF-8, no control characters, not blank. */
bool cli_valid_name(const char *s);

/* Read one line of a password from standard input into buf (prompting on standard error
 * with echo off when it is a terminal), check it with auth_password_check; HL_OK, or
 * HL_EINVAL (bad password) / HL_EIO (no input) with e filled. buf is wiped on error. */
int cli_read_password(const char *prompt, char *buf, size_t sz, struct err *e);

/* Largest knowledge-base import file, bytes. */
#define CLI_IMPORT_MAX (64 * 1024 * 1024)

/* Read and decode a knowledge-base import file (the format of data/kb/articles.json;
 * path "-" is standard input) into *out, an array of *n articles (article_fini each,
 * then free). 0, or the exit code after printing why to stderr. */
int cli_kb_load(const char *path, struct article **out, size_t *n);
/* Save n articles as published, replacing those with the same id; *done counts the saved.
 * 0, or the exit code after printing why to stderr. */
int cli_kb_save(struct store *st, struct article *arts, size_t n, size_t *done);

/* A text table of UTF-8 cells, printed with columns aligned by display width. */
struct cli_table {
    size_t ncols;
    size_t nrows;                 /* rows including the header */
    char **cells;                 /* nrows * ncols, owned */
};

/* Start a table with its header cells (ncols of them). */
void cli_table_init(struct cli_table *t, size_t ncols, const char *const *header);
/* Add a row of ncols cells (copied; NULL prints as "-"). */
void cli_table_add(struct cli_table *t, const char *const *row);
/* Print the table to f: two spaces between columns, no trailing spaces. */
void cli_table_print(const struct cli_table *t, FILE *f);
/* Release the table. */
void cli_table_fini(struct cli_table *t);
