/* pgfx: fresh PostgreSQL databases for tests, on the cluster named by $HOTLINE_TEST_PG. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* The URI of the test cluster ($HOTLINE_TEST_PG, e.g. from scripts/pg-test-cluster.sh),
 * or NULL when it is unset or empty: then PostgreSQL tests skip. */
const char *pgfx_base(void);
/* base (a postgresql:// or postgres:// URI) with its database name replaced by db, into
 * out; false when base is not such a URI or out is too small. */
bool pgfx_uri(const char *base, const char *db, char *out, size_t sz);
/* Create a fresh, empty database named "<prefix>_<pid>_<clock>" on the cluster of
 * pgfx_base(): its name into name, its URI into uri. False with why filled. */
bool pgfx_create(const char *prefix, char *name, size_t namesz, char *uri, size_t urisz,
                 char *why, size_t whysz);
/* Drop a database made by pgfx_create, disconnecting whoever is still on it. False with
 * why filled. */
bool pgfx_drop(const char *name, char *why, size_t whysz);
/* Run trusted SQL on the database at uri; with out non-NULL, the first column of the
 * first row into out ("" when none). False with why filled. */
bool pgfx_sql(const char *uri, const char *sql, char *out, size_t outsz, char *why,
              size_t whysz);
