/* server: hotlined's one application struct, its configuration, and `hotlined serve`. */
#pragma once

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "hotline/calendar.h"
#include "hotline/datetime.h"
#include "hotline/err.h"
#include "hotline/tz.h"
#include "http.h"
#include "request.h"
#include "workflow.h"

struct auth;
struct feed;
struct kpi_defs;
struct log;
struct rules;
struct server;
struct store;

/* Authenticate a request to a non-public route: fill req->user and req->authed and
 * return true, or fill rep (401/403) and return false. */
typedef bool (*server_auth_fn)(struct server *srv, struct request *req, struct reply *rep);

/* Defaults of `hotlined serve`. */
#define SERVER_DEFAULT_DB      "hotline.db"
#define SERVER_DEFAULT_TZ      "Asia/Shanghai"
#define SERVER_DEFAULT_PROFILE "12345"
#define SERVER_MAX_THREADS     64
/* Largest --token-hours (30 days). */
#define SERVER_MAX_TOKEN_HOURS 720
/* Largest certificate or key file read, bytes. */
#define SERVER_TLS_FILE_MAX    (1024 * 1024)
/* Seconds between two runs of the flag sweep (near_due/overdue without a change). */
#define SERVER_SWEEP_SECONDS   60
/* After a sweep, at most this many steps of search index tidying (store index_tidy),
 * SERVER_TIDY_PAUSE_MS apart so that waiting writes go first, and none while
 * SERVER_TIDY_BUSY_WRITES changes or more a second are published. */
#define SERVER_TIDY_STEPS       400
#define SERVER_TIDY_PAUSE_MS    2
#define SERVER_TIDY_BUSY_WRITES 20
/* Environment variable of the test clock: an RFC 3339 instant the server's clock starts
 * at (it then runs on from there). FOR TESTS ONLY; never read when unset. */
#define SERVER_FAKE_NOW_ENV    "HOTLINED_FAKE_NOW"

/* The configuration of `hotlined serve`, from the command line (strings owned). */
struct server_config {
    struct http_addr listen;
    const char *store_kind;   /* "sqlite" (static) */
    char *db_path;            /* SQLite database file */
    char *data_dir;           /* --data, or NULL: the data directory is searched for */
    char *tz_name;            /* the centre's time zone */
    char *profile;            /* rule profile: "12345", "95198" or "956100" */
    char *rules_path;         /* the centre's rules file overriding the profile, or NULL */
    char *log_path;           /* request log, or NULL: stderr */
    unsigned threads;         /* HTTP worker threads */
    char *tls_cert;           /* --tls-cert: PEM certificate file for HTTPS, or NULL */
    char *tls_key;            /* --tls-key: its PEM private key file, or NULL */
    long token_hours;         /* --token-hours: session token lifetime, 0: the default */
    unsigned body_timeout_s;  /* --body-timeout: seconds a request body may take */
};

/* The periodic flag sweep: a thread woken every SERVER_SWEEP_SECONDS or to stop. */
struct server_sweep {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;              /* signalled by server_close to stop the thread */
    bool started;
    bool stop;
};

/* hotlined while it serves: configuration, loaded data, the store, the feed hub, the
 * HTTP front. Everything is read-only after server_open except what locks itself. */
struct server {
    struct server_config cfg;
    struct tz *tz;                    /* the centre's zone */
    struct calendar *calendar;        /* the official holiday calendar */
    struct rules *rules;              /* the active rule profile (with the centre's override) */
    struct kpi_defs *kpis;            /* KPI definitions of data/kpis-cn.json */
    struct log *log;
    struct store *store;              /* the database */
    struct auth *auth;                /* password checks, sessions, login throttle */
    struct wf_ctx wf;                 /* rules, calendar and zone for workflow.h */
    struct feed *feed;                /* change sequence and long-poll waiters */
    struct stats_cache *stats_cache;  /* /stats's decoded tickets (SQLite); NULL: scan */
    struct http *http;
    server_auth_fn authenticate;      /* NULL: every non-public route answers 401 */
    int64_t clock_skew;               /* test clock: seconds added to the wall clock */
    struct server_sweep sweep;
};

/* Fill cfg with the defaults (listen 127.0.0.1:8080, threads = 8 per CPU, at least 8). */
void server_config_init(struct server_config *cfg);
/* Release what cfg owns. */
void server_config_fini(struct server_config *cfg);
/* Parse the arguments of `serve` (argv[0] is "serve", or "--db" PATH "serve" when the
 * global option is passed on) into cfg. HL_EINVAL with a one-line message in e on a
 * usage error; *help set when --help was asked for. */
int server_config_parse(struct server_config *cfg, int argc, char **argv, bool *help,
                        struct err *e);
/* Load what the configuration names (zone, calendar, rules, KPIs, log, store,
 * authenticator, feed hub starting at the store's last sequence number); on failure e
 * says what (naming the file) and the exit code is returned (1 runtime, 2 usage), else 0. */
int server_open(struct server *srv, struct err *e);
/* Start the periodic flag sweep thread (after server_open). HL_EIO when it cannot start. */
int server_sweep_start(struct server *srv, struct err *e);
/* Run one flag sweep now: recompute near_due/overdue & co. of open tickets, save the
 * changed ones and publish their feed rows. Returns the number of tickets changed, or
 * -1 with e filled. */
int server_sweep_once(struct server *srv, struct err *e);
/* Stop the sweep thread, free everything server_open made and the configuration. */
void server_close(struct server *srv);
/* The RFC 3339 time of an instant in the centre's zone (buf >= 40 bytes). */
void server_format_time(const struct server *srv, hl_time t, char *buf, size_t sz);
/* The server's clock: the wall clock, shifted by the test clock when HOTLINED_FAKE_NOW
 * was set at start. Every workflow decision uses this. */
hl_time server_now(const struct server *srv);
/* Tell the feed hub that the change numbered seq is committed (seq <= 0: nothing). */
void server_publish(struct server *srv, int64_t seq);
