/* store_pg: the PostgreSQL implementation of the store (libpq, a connection pool per instance). */
#pragma once

#include "hotline/err.h"
#include "hotline/tz.h"
#include "store.h"

/* The schema version this build creates, migrates to and reads (table schema_migrations). */
#define STORE_PG_SCHEMA_VERSION 2
/* Connections per store when the URI does not say (query parameter pool_size=N, 1-64). */
#define STORE_PG_POOL_DEFAULT 8

/* Open the PostgreSQL database named by uri ("postgresql://user@host:port/db?..." or
 * "postgres://..."; libpq's parameters and environment apply, plus pool_size=N which
 * hotlined takes off before libpq sees the URI). Migrates the schema under an advisory
 * lock, so instances starting together do not race; refuses a database whose schema is
 * newer than this build's. tz is borrowed for the store's life. NULL + e on error (the
 * message names the database with the password hidden, and what to do). */
struct store *store_pg_open(const char *uri, const struct tz *tz, struct err *e);

/* Run trusted SQL text (never built from values) on one pooled connection, discarding any
 * rows: for tests and maintenance. */
int store_pg_exec(struct store *s, const char *sql, struct err *e);

/* uri with its password (user:PASSWORD@ and password=...) replaced by "***", for messages
 * and logs. Owned. */
char *store_pg_redact(const char *uri);
