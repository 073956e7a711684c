/* pgfx: fresh PostgreSQL databases for tests, on the cluster named by $HOTLINE_TEST_PG. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "pgfx.h"

/* Notices are not test output. */
static void
quiet(void *arg, const char *msg)
{
    (void)arg;
    (void)msg;
}

/* The test cluster's URI, or NULL. */
const char *
pgfx_base(void)
{
    const char *v = getenv("HOTLINE_TEST_PG");

    return v != NULL && v[0] != '\0' ? v : NULL;
}

/* base with its database name replaced by db. */
bool
pgfx_uri(const char *base, const char *db, char *out, size_t sz)
{
    const char *auth = strstr(base, "://"), *path, *query;
    int n;

    if (auth == NULL || (strncmp(base, "postgresql://", 13) != 0
                         && strncmp(base, "postgres://", 11) != 0))
        return false;
    auth += 3;
    path = auth + strcspn(auth, "/?");
    query = strchr(path, '?');
    n = snprintf(out, sz, "%.*s/%s%s", (int)(path - base), base, db,
                 query != NULL ? query : "");
    return n > 0 && (size_t)n < sz;
}

/* Connect to uri; NULL with why. */
static PGconn *
connect_to(const char *uri, char *why, size_t whysz)
{
    PGconn *pg = PQconnectdb(uri);

    if (PQstatus(pg) != CONNECTION_OK) {
        snprintf(why, whysz, "cannot connect to the test cluster: %s", PQerrorMessage(pg));
        PQfinish(pg);
        return NULL;
    }
    PQsetNoticeProcessor(pg, quiet, NULL);
    return pg;
}

/* Run sql on uri; the first value into out when asked. */
bool
pgfx_sql(const char *uri, const char *sql, char *out, size_t outsz, char *why, size_t whysz)
{
    PGconn *pg = connect_to(uri, why, whysz);
    PGresult *r;
    bool ok;

    if (pg == NULL)
        return false;
    r = PQexec(pg, sql);
    ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
    if (!ok)
        snprintf(why, whysz, "%s: %s", sql, PQerrorMessage(pg));
    if (ok && out != NULL) {
        out[0] = '\0';
        if (PQntuples(r) > 0 && PQnfields(r) > 0)
            snprintf(out, outsz, "%s", PQgetvalue(r, 0, 0));
    }
    PQclear(r);
    PQfinish(pg);
    return ok;
}

/* Create a fresh database. */
bool
pgfx_create(const char *prefix, char *name, size_t namesz, char *uri, size_t urisz,
            char *why, size_t whysz)
{
    const char *base = pgfx_base();
    struct timespec ts;
    char sql[160];

    if (base == NULL) {
        snprintf(why, whysz, "HOTLINE_TEST_PG is not set");
        return false;
    }
    clock_gettime(CLOCK_REALTIME, &ts);
    snprintf(name, namesz, "%s_%d_%lld%09ld", prefix, (int)getpid(),
             (long long)ts.tv_sec % 100000, ts.tv_nsec);
    if (!pgfx_uri(base, name, uri, urisz)) {
        snprintf(why, whysz, "HOTLINE_TEST_PG is not a postgresql:// URI");
        return false;
    }
    /* name is made of [a-z0-9_] here: safe to quote as an identifier */
    snprintf(sql, sizeof sql, "CREATE DATABASE \"%s\"", name);
    return pgfx_sql(base, sql, NULL, 0, why, whysz);
}

/* Drop a test database. */
bool
pgfx_drop(const char *name, char *why, size_t whysz)
{
    const char *base = pgfx_base();
    char sql[160];

    if (base == NULL) {
        snprintf(why, whysz, "HOTLINE_TEST_PG is not set");
        return false;
    }
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)", name);
    return pgfx_sql(base, sql, NULL, 0, why, whysz);
}
