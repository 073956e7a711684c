/* store_sqlite: the SQLite implementation of the store (WAL, one connection per thread). */
#pragma once

#include "hotline/err.h"
#include "hotline/tz.h"
#include "store.h"

/* The schema version this build creates, migrates to and reads. */
#define STORE_SQLITE_SCHEMA_VERSION 5

/* Configure SQLite for this process; call once at start, before any other SQLite call.
 * Turns SQLite's memory statistics off: they take one process-wide mutex on every
 * allocation, which serialised the worker threads (about a quarter of the CPU of a
 * search under 16 connections). Nothing in hotlined reads them. */
void store_sqlite_setup(void);

/* Open the SQLite database at path (created and migrated when new or older; a
 * "file:" URI is accepted, e.g. "file:hotline.db?mode=ro"). tz is borrowed for the
 * store's life. NULL + e on error (the message names the file and what to do). */
struct store *store_sqlite_open(const char *path, const struct tz *tz, struct err *e);

/* Run trusted SQL text (never built from values) on the calling thread's connection,
 * discarding any rows: for tests and maintenance (e.g. "PRAGMA max_page_count=..."). */
int store_sqlite_exec(struct store *s, const char *sql, struct err *e);

/* The EXPLAIN QUERY PLAN of the page query ticket_list would run for q (one line per
 * step, children indented): for tests and tuning. *plan owned. */
int store_sqlite_explain_tickets(struct store *s, const struct ticket_query *q, char **plan,
                                 struct err *e);
/* The EXPLAIN QUERY PLAN of the search article_search would run for q. *plan owned. */
int store_sqlite_explain_articles(struct store *s, const struct article_query *q, char **plan,
                                  struct err *e);
