/* server: hotlined's one application struct, its configuration, and `hotlined serve`. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "hotline/kpi.h"
#include "hotline/rules.h"
#include "hotline/util.h"
#include "auth.h"
#include "cmd.h"
#include "feed.h"
#include "handlers.h"
#include "http.h"
#include "log.h"
#include "paths.h"
#include "server.h"
#include "store.h"

/* File descriptors kept free for the database, the log and the data files. */
#define SPARE_FDS 64

/* Print the usage of `hotlined serve` to f. */
static void
usage(FILE *f)
{
    fprintf(f,
            "usage: hotlined [--db PATH] serve [OPTIONS]\n\n"
            "Run the HTTP API until SIGINT or SIGTERM (SIGHUP reopens the log file).\n\n"
            "options:\n"
            "  --listen ADDR:PORT  where to listen (default %s; [::1]:PORT for IPv6;\n"
            "                      port 0 picks a free port, shown in the ready line)\n"
            "  --db PATH           SQLite database file (default %s)\n"
            "  --data DIR          data directory (holiday calendar, categories);\n"
            "                      default $HOTLINE_DATA, the source tree, then the installed one\n"
            "  --tz ZONE           the centre's time zone (default %s)\n"
            "  --profile P         rule profile: 12345 (default), 95198 or 956100\n"
            "  --rules FILE        the centre's rules file overriding the profile's limits\n"
            "  --log FILE          request log (default: standard error)\n"
            "  --threads N         HTTP worker threads, 1-%d (default: 8 per CPU, at least 8)\n"
            "  --tls-cert FILE     serve HTTPS with this PEM certificate (chain); needs --tls-key\n"
            "  --tls-key FILE      the certificate's PEM private key; needs --tls-cert\n"
            "  --token-hours N     how long a session token lives, 1-%d hours (default %d)\n"
            "  --body-timeout S    a request body must arrive within S seconds, 1-3600\n"
            "                      (default %d; slower uploads are cut)\n"
            "  --help              this text\n\n"
            "environment (for tests only, never set in production):\n"
            "  HOTLINED_FAKE_NOW   an RFC 3339 instant the server's clock starts at\n",
            HTTP_DEFAULT_LISTEN, SERVER_DEFAULT_DB, SERVER_DEFAULT_TZ, SERVER_MAX_THREADS,
            SERVER_MAX_TOKEN_HOURS, (int)(AUTH_DEFAULT_TTL / 3600), HTTP_BODY_TIMEOUT_S);
}

/* Fill cfg with the defaults (listen 127.0.0.1:8080, threads = 8 per CPU, at least 8: a
 * handler blocks while its write waits for the group commit's fsync, and more writers
 * waiting means more writes per commit; an idle thread costs little). */
void
server_config_init(struct server_config *cfg)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);

    memset(cfg, 0, sizeof *cfg);
    http_parse_addr(HTTP_DEFAULT_LISTEN, &cfg->listen, NULL);
    cfg->store_kind = "sqlite";
    cfg->db_path = xstrdup(SERVER_DEFAULT_DB);
    cfg->tz_name = xstrdup(SERVER_DEFAULT_TZ);
    cfg->profile = xstrdup(SERVER_DEFAULT_PROFILE);
    if (cpus < 1)
        cpus = 1;
    cpus *= 8;
    if (cpus > SERVER_MAX_THREADS)
        cpus = SERVER_MAX_THREADS;
    cfg->threads = (unsigned)cpus;
}

/* Release what cfg owns. */
void
server_config_fini(struct server_config *cfg)
{
    free(cfg->db_path);
    free(cfg->data_dir);
    free(cfg->tz_name);
    free(cfg->profile);
    free(cfg->rules_path);
    free(cfg->log_path);
    free(cfg->tls_cert);
    free(cfg->tls_key);
    memset(cfg, 0, sizeof *cfg);
}

/* Replace an owned string option, refusing an empty value. */
static int
set_string(char **slot, const char *opt, const char *value, struct err *e)
{
    if (value[0] == '\0')
        return err_set(e, HL_EINVAL, opt, "%s needs a non-empty value", opt);
    free(*slot);
    *slot = xstrdup(value);
    return HL_OK;
}

/* True when opt is an option of serve that takes a value. */
static bool
known_option(const char *opt)
{
    static const char *const names[] = {
        "--listen", "--db", "--data", "--tz", "--profile", "--rules", "--log", "--threads",
        "--tls-cert", "--tls-key", "--token-hours", "--body-timeout",
    };
    size_t i;

    for (i = 0; i < ARRAY_SIZE(names); i++) {
        if (strcmp(opt, names[i]) == 0)
            return true;
    }
    return false;
}

/* Apply one option with its value. */
static int
apply_option(struct server_config *cfg, const char *opt, const char *value, struct err *e)
{
    long n;

    if (strcmp(opt, "--listen") == 0)
        return http_parse_addr(value, &cfg->listen, e) ? HL_OK : HL_EINVAL;
    if (strcmp(opt, "--db") == 0)
        return set_string(&cfg->db_path, opt, value, e);
    if (strcmp(opt, "--data") == 0)
        return set_string(&cfg->data_dir, opt, value, e);
    if (strcmp(opt, "--tz") == 0)
        return set_string(&cfg->tz_name, opt, value, e);
    if (strcmp(opt, "--rules") == 0)
        return set_string(&cfg->rules_path, opt, value, e);
    if (strcmp(opt, "--log") == 0)
        return set_string(&cfg->log_path, opt, value, e);
    if (strcmp(opt, "--tls-cert") == 0)
        return set_string(&cfg->tls_cert, opt, value, e);
    if (strcmp(opt, "--tls-key") == 0)
        return set_string(&cfg->tls_key, opt, value, e);
    if (strcmp(opt, "--token-hours") == 0) {
        if (!str_to_long(value, 1, SERVER_MAX_TOKEN_HOURS, &n))
            return err_set(e, HL_EINVAL, opt,
                           "--token-hours '%s': expected a number of hours from 1 to %d", value,
                           SERVER_MAX_TOKEN_HOURS);
        cfg->token_hours = n;
        return HL_OK;
    }
    if (strcmp(opt, "--body-timeout") == 0) {
        if (!str_to_long(value, 1, 3600, &n))
            return err_set(e, HL_EINVAL, opt,
                           "--body-timeout '%s': expected a number of seconds from 1 to 3600",
                           value);
        cfg->body_timeout_s = (unsigned)n;
        return HL_OK;
    }
    if (strcmp(opt, "--profile") == 0) {
        if (strcmp(value, "12345") != 0 && strcmp(value, "95198") != 0 &&
            strcmp(value, "956100") != 0)
            return err_set(e, HL_EINVAL, opt,
                           "--profile '%s': expected 12345, 95198 or 956100", value);
        return set_string(&cfg->profile, opt, value, e);
    }
    if (strcmp(opt, "--threads") == 0) {
        if (!str_to_long(value, 1, SERVER_MAX_THREADS, &n))
            return err_set(e, HL_EINVAL, opt, "--threads '%s': expected a number from 1 to %d",
                           value, SERVER_MAX_THREADS);
        cfg->threads = (unsigned)n;
        return HL_OK;
    }
    return err_set(e, HL_EINVAL, opt, "serve: unknown option '%s'", opt);
}

/* Parse the arguments of `serve` (after an optional leading --db PATH) into cfg. */
int
server_config_parse(struct server_config *cfg, int argc, char **argv, bool *help,
                    struct err *e)
{
    int i = 0, rc;

    *help = false;
    /* main passes a global `--db PATH` on in front of "serve" */
    while (i + 1 < argc && strcmp(argv[i], "--db") == 0) {
        rc = apply_option(cfg, "--db", argv[i + 1], e);
        if (rc != HL_OK)
            return rc;
        i += 2;
    }
    if (i >= argc || strcmp(argv[i], "serve") != 0)
        return err_set(e, HL_EINVAL, "", "serve: expected the word 'serve'");
    for (i++; i < argc; i++) {
        const char *arg = argv[i];
        const char *eq = strchr(arg, '=');
        char opt[32];

        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            *help = true;
            return HL_OK;
        }
        if (strncmp(arg, "--", 2) != 0)
            return err_set(e, HL_EINVAL, "", "serve: unexpected argument '%s'", arg);
        if (eq != NULL) {
            /* --opt=value */
            size_t len = (size_t)(eq - arg);

            if (len >= sizeof opt)
                return err_set(e, HL_EINVAL, "", "serve: unknown option '%s'", arg);
            memcpy(opt, arg, len);
            opt[len] = '\0';
            if (!known_option(opt))
                return err_set(e, HL_EINVAL, "", "serve: unknown option '%s'", opt);
            rc = apply_option(cfg, opt, eq + 1, e);
        } else {
            if (!known_option(arg))
                return err_set(e, HL_EINVAL, "", "serve: unknown option '%s'", arg);
            if (i + 1 >= argc)
                return err_set(e, HL_EINVAL, arg, "serve: %s needs a value", arg);
            rc = apply_option(cfg, arg, argv[i + 1], e);
            i++;
        }
        if (rc != HL_OK)
            return rc;
    }
    if ((cfg->tls_cert == NULL) != (cfg->tls_key == NULL))
        return err_set(e, HL_EINVAL, cfg->tls_cert == NULL ? "--tls-cert" : "--tls-key",
                       "serve: %s needs %s too (HTTPS takes a certificate and its key)",
                       cfg->tls_cert == NULL ? "--tls-key" : "--tls-cert",
                       cfg->tls_cert == NULL ? "--tls-cert" : "--tls-key");
    return HL_OK;
}

/* Check that the directory that will hold the database exists. */
static int
check_db_dir(const char *db_path, struct err *e)
{
    char dir[PATH_MAX];
    const char *slash = strrchr(db_path, '/');
    struct stat st;

    if (slash == NULL)
        str_copy(dir, sizeof dir, ".");
    else if (slash == db_path)
        str_copy(dir, sizeof dir, "/");
    else if ((size_t)(slash - db_path) >= sizeof dir)
        return err_set(e, HL_EINVAL, "db", "--db %s: the path is too long", db_path);
    else {
        memcpy(dir, db_path, (size_t)(slash - db_path));
        dir[slash - db_path] = '\0';
    }
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return err_set(e, HL_EIO, "db", "--db %s: the directory %s does not exist", db_path, dir);
    return HL_OK;
}

/* Path of a data file: under --data when given, else where data_path finds it. */
static int
data_file(const struct server_config *cfg, const char *file, char *buf, size_t sz,
          struct err *e)
{
    struct stat st;

    if (cfg->data_dir == NULL) {
        if (!data_path(file, buf, sz))
            return err_set(e, HL_EINVAL, "data", "the data path of %s is too long", file);
        return HL_OK;
    }
    if (stat(cfg->data_dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return err_set(e, HL_EINVAL, "data", "--data %s: not a directory", cfg->data_dir);
    if ((size_t)snprintf(buf, sz, "%s/%s", cfg->data_dir, file) >= sz)
        return err_set(e, HL_EINVAL, "data", "--data %s: the path is too long", cfg->data_dir);
    return HL_OK;
}

/* Raise the open-files limit to what the hard limit allows; return the soft limit. */
static long
raise_nofile(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return 1024;
    if (rl.rlim_cur < rl.rlim_max && rl.rlim_cur < 65536) {
        rl.rlim_cur = rl.rlim_max < 65536 ? rl.rlim_max : 65536;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    return rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > LONG_MAX ? LONG_MAX : (long)rl.rlim_cur;
}

/* Read the test clock (HOTLINED_FAKE_NOW, tests only) into srv->clock_skew. */
static int
read_test_clock(struct server *srv, struct err *e)
{
    const char *fake = getenv(SERVER_FAKE_NOW_ENV);
    hl_time t;
    int offset;

    srv->clock_skew = 0;
    if (fake == NULL)
        return HL_OK;
    if (!datetime_parse_rfc3339(fake, &t, &offset))
        return err_set(e, HL_EINVAL, SERVER_FAKE_NOW_ENV,
                       "%s '%s': expected an RFC 3339 instant (this variable is for tests only)",
                       SERVER_FAKE_NOW_ENV, fake);
    srv->clock_skew = t - (hl_time)time(NULL);
    return HL_OK;
}

/* Put "what path: " in front of a loader's message unless it names the file already. */
static void
name_file(struct err *e, const char *what, const char *path)
{
    char *msg;

    if (strstr(e->msg, path) != NULL)
        return;
    msg = xasprintf("%s %s: %s", what, path, e->msg);
    str_copy(e->msg, sizeof e->msg, msg);
    free(msg);
}

/* The store's feed listener: a feed row numbered seq was committed (by any instance). */
static void
publish_seq(int64_t seq, void *hub)
{
    feed_publish(hub, seq);
}

/* Load the rules (profile plus the centre's override) and the KPI definitions. */
static int
load_rules(struct server *srv, struct err *e)
{
    const struct server_config *cfg = &srv->cfg;
    char path[PATH_MAX];

    if (data_file(cfg, "rules.json", path, sizeof path, e) != HL_OK)
        return EXIT_USAGE;
    srv->rules = rules_load(path, cfg->profile, cfg->rules_path, e);
    if (srv->rules == NULL) {
        if (cfg->rules_path == NULL || strstr(e->msg, cfg->rules_path) == NULL)
            name_file(e, "rules", path);
        return EXIT_RUNTIME;
    }
    if (data_file(cfg, "kpis-cn.json", path, sizeof path, e) != HL_OK)
        return EXIT_USAGE;
    srv->kpis = kpi_defs_load(path, e);
    if (srv->kpis == NULL) {
        name_file(e, "KPI definitions", path);
        return EXIT_RUNTIME;
    }
    return 0;
}

/* Load what the configuration names (zone, calendar, rules, KPIs, log, store, auth, feed). */
int
server_open(struct server *srv, struct err *e)
{
    const struct server_config *cfg = &srv->cfg;
    struct auth_config acfg;
    char path[PATH_MAX];
    int64_t last = 0;
    int rc;

    srv->tz = tz_load(cfg->tz_name, e);
    if (srv->tz == NULL)
        return EXIT_USAGE;
    if (read_test_clock(srv, e) != HL_OK)
        return EXIT_USAGE;
    if (data_file(cfg, "holidays-cn.json", path, sizeof path, e) != HL_OK)
        return EXIT_USAGE;
    srv->calendar = calendar_load(path, e);
    if (srv->calendar == NULL) {
        name_file(e, "holiday calendar", path);
        return EXIT_RUNTIME;
    }
    if (cfg->rules_path != NULL && access(cfg->rules_path, R_OK) != 0) {
        err_set(e, HL_EIO, "rules", "--rules %s: %s", cfg->rules_path, strerror(errno));
        return EXIT_RUNTIME;
    }
    rc = load_rules(srv, e);
    if (rc != 0)
        return rc;
    srv->wf.rules = srv->rules;
    srv->wf.cal = srv->calendar;
    srv->wf.tz = srv->tz;
    if (strstr(cfg->db_path, "://") == NULL && check_db_dir(cfg->db_path, e) != HL_OK)
        return EXIT_RUNTIME;
    srv->log = log_open(cfg->log_path, srv->tz, e);
    if (srv->log == NULL)
        return EXIT_RUNTIME;
    if (srv->clock_skew != 0)
        log_msg(srv->log, "server", "%s is set: the clock is shifted by %lld s (tests only)",
                SERVER_FAKE_NOW_ENV, (long long)srv->clock_skew);
    srv->store = store_open(cfg->db_path, srv->tz, e);
    if (srv->store == NULL) {
        name_file(e, "database", cfg->db_path);
        return EXIT_RUNTIME;
    }
    if (strcmp(srv->store->ops->kind, "sqlite") == 0)
        srv->stats_cache = h_stats_cache_new();
    if (srv->store->ops->feed_last_seq(srv->store, &last, e) != HL_OK) {
        name_file(e, "database", cfg->db_path);
        return EXIT_RUNTIME;
    }
    if (auth_init(e) != HL_OK)
        return EXIT_RUNTIME;
    auth_config_init(&acfg);
    if (cfg->token_hours > 0)
        acfg.token_ttl = (int64_t)cfg->token_hours * 3600;
    srv->auth = auth_new(&acfg, e);
    if (srv->auth == NULL)
        return EXIT_RUNTIME;
    srv->authenticate = auth_authenticate;
    srv->feed = feed_new(last, e);
    if (srv->feed == NULL)
        return EXIT_RUNTIME;
    srv->cfg.store_kind = srv->store->ops->kind;
    /* Changes committed by other instances on the same database (PostgreSQL) wake our
     * long-polls too; SQLite has no listener (one process owns the file). */
    if (srv->store->ops->feed_listen != NULL
        && srv->store->ops->feed_listen(srv->store, publish_seq, srv->feed, e) != HL_OK)
        return EXIT_RUNTIME;
    return 0;
}

/* The flags of one ticket for the sweep: workflow_flags at the sweep's instant. */
static unsigned
sweep_flags(const struct ticket *t, void *arg)
{
    const struct server *srv = arg;

    return workflow_flags(&srv->wf, t, server_now(srv));
}

/* Run one flag sweep now; the number of tickets changed, or -1 with e filled. */
int
server_sweep_once(struct server *srv, struct err *e)
{
    int changed = 0;
    int64_t seq = 0;

    if (srv->store->ops->ticket_reflag(srv->store, sweep_flags, srv, &changed, &seq, e) != HL_OK)
        return -1;
    if (changed > 0)
        server_publish(srv, seq);
    return changed;
}

/* Sleep ms milliseconds on the sweep thread, or until server_close tells it to stop
 * (a spurious wake-up sleeps again); false once told to stop. */
static bool
sweep_sleep(struct server_sweep *sw, int64_t ms)
{
    struct timespec until;
    bool go_on;

    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += (time_t)(ms / 1000);
    until.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&sw->lock);
    while (!sw->stop) {
        if (pthread_cond_timedwait(&sw->cond, &sw->lock, &until) == ETIMEDOUT)
            break;
    }
    go_on = !sw->stop;
    pthread_mutex_unlock(&sw->lock);
    return go_on;
}

/* Tidy the search indexes (store index_tidy) one short step at a time, each its own
 * write transaction, SERVER_TIDY_PAUSE_MS apart, while fewer than
 * SERVER_TIDY_BUSY_WRITES changes a second are published (busier, the writes go first
 * and FTS5's own merging keeps up), until they are tidy, SERVER_TIDY_STEPS are taken or
 * the thread is told to stop; what is left waits for the next period. */
static void
sweep_tidy(struct server *srv)
{
    int64_t seq, since;
    int total = 0, steps = 0;
    bool done = false;
    struct err e;

    if (srv->store->ops->index_tidy == NULL)
        return;
    seq = feed_last_seq(srv->feed);
    if (!sweep_sleep(&srv->sweep, 1000))
        return;
    while (!done && total < SERVER_TIDY_STEPS) {
        if (feed_last_seq(srv->feed) - seq >= SERVER_TIDY_BUSY_WRITES)
            return;
        seq = feed_last_seq(srv->feed);
        since = feed_now_ms();
        while (!done && total < SERVER_TIDY_STEPS && feed_now_ms() - since < 1000) {
            err_clear(&e);
            if (srv->store->ops->index_tidy(srv->store, 1, &steps, &done, &e) != HL_OK) {
                log_msg(srv->log, "sweep", "tidying the search indexes failed: %s", e.msg);
                return;
            }
            total += steps;
            if (!sweep_sleep(&srv->sweep, SERVER_TIDY_PAUSE_MS))
                return;
        }
    }
}

/* The sweep thread: one sweep every SERVER_SWEEP_SECONDS until told to stop, each
 * followed by tidying the search indexes. */
static void *
sweep_main(void *arg)
{
    struct server *srv = arg;
    struct err e;

    while (sweep_sleep(&srv->sweep, SERVER_SWEEP_SECONDS * 1000L)) {
        err_clear(&e);
        if (server_sweep_once(srv, &e) < 0)
            log_msg(srv->log, "sweep", "flag sweep failed: %s", e.msg);
        else
            sweep_tidy(srv);
    }
    return NULL;
}

/* Start the periodic flag sweep thread. */
int
server_sweep_start(struct server *srv, struct err *e)
{
    struct server_sweep *sw = &srv->sweep;
    pthread_condattr_t ca;
    int rc;

    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&sw->lock, NULL);
    pthread_cond_init(&sw->cond, &ca);
    pthread_condattr_destroy(&ca);
    sw->stop = false;
    rc = pthread_create(&sw->thread, NULL, sweep_main, srv);
    if (rc != 0) {
        pthread_cond_destroy(&sw->cond);
        pthread_mutex_destroy(&sw->lock);
        return err_set(e, HL_EIO, "sweep", "cannot start the flag sweep thread: %s",
                       strerror(rc));
    }
    sw->started = true;
    return HL_OK;
}

/* Stop the sweep thread and wait for it. */
static void
sweep_stop(struct server *srv)
{
    struct server_sweep *sw = &srv->sweep;

    if (!sw->started)
        return;
    pthread_mutex_lock(&sw->lock);
    sw->stop = true;
    pthread_cond_broadcast(&sw->cond);
    pthread_mutex_unlock(&sw->lock);
    pthread_join(sw->thread, NULL);
    pthread_cond_destroy(&sw->cond);
    pthread_mutex_destroy(&sw->lock);
    sw->started = false;
}

/* Stop the sweep thread, free everything server_open made and the configuration. */
void
server_close(struct server *srv)
{
    sweep_stop(srv);
    http_stop(&srv->http);
    if (srv->store != NULL && srv->store->ops->feed_listen != NULL)
        srv->store->ops->feed_listen(srv->store, NULL, NULL, NULL);   /* before the hub goes */
    feed_free(&srv->feed);
    auth_free(&srv->auth);
    h_stats_cache_free(&srv->stats_cache);
    if (srv->store != NULL)
        srv->store->ops->close(srv->store);
    srv->store = NULL;
    kpi_defs_free(&srv->kpis);
    rules_free(&srv->rules);
    log_free(&srv->log);
    calendar_free(&srv->calendar);
    tz_free(&srv->tz);
    memset(&srv->wf, 0, sizeof srv->wf);
    server_config_fini(&srv->cfg);
}

/* The server's clock: the wall clock plus the test clock's shift. */
hl_time
server_now(const struct server *srv)
{
    return (hl_time)time(NULL) + srv->clock_skew;
}

/* Tell the feed hub that the change numbered seq is committed. */
void
server_publish(struct server *srv, int64_t seq)
{
    if (seq > 0 && srv->feed != NULL)
        feed_publish(srv->feed, seq);
}

/* The RFC 3339 time of an instant in the centre's zone (buf >= 40 bytes). */
void
server_format_time(const struct server *srv, hl_time t, char *buf, size_t sz)
{
    tz_format_rfc3339(srv->tz, t, buf, sz);
}

/* Stop: refuse new connections, answer parked requests, let requests in flight end. */
static void
shut_down(struct server *srv, int sig)
{
    log_msg(srv->log, "server", "stopping on %s", sig == SIGINT ? "SIGINT" : "SIGTERM");
    sweep_stop(srv);
    http_quiesce(srv->http);
    feed_shutdown(srv->feed);
    if (!http_drain(srv->http, HTTP_DRAIN_MS))
        log_msg(srv->log, "server", "requests still in flight after %d ms are cut off",
                HTTP_DRAIN_MS);
    http_stop(&srv->http);
    log_msg(srv->log, "server", "stopped");
}

/* Run `hotlined serve`: load, listen, print the ready line, serve until SIGINT/SIGTERM. */
int
cmd_serve(int argc, char **argv)
{
    struct server srv;
    struct http_config hc;
    struct err e;
    char *cert_pem = NULL, *key_pem = NULL;
    size_t key_len = 0;
    sigset_t sigs;
    bool help = false;
    long nofile;
    int rc, sig = 0;

    memset(&srv, 0, sizeof srv);
    err_clear(&e);
    server_config_init(&srv.cfg);
    if (server_config_parse(&srv.cfg, argc, argv, &help, &e) != HL_OK) {
        fprintf(stderr, "hotlined: %s (try `hotlined serve --help`)\n", e.msg);
        rc = EXIT_USAGE;
        goto out;
    }
    if (help) {
        usage(stdout);
        rc = EXIT_OK_;
        goto out;
    }
    /* Before any thread exists: the signals are taken by sigwait below, nowhere else. */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (srv.cfg.tls_cert != NULL) {
        /* read before server_open: a bad file is reported before the database is touched */
        cert_pem = file_load(srv.cfg.tls_cert, "--tls-cert", SERVER_TLS_FILE_MAX, NULL, &e);
        if (cert_pem != NULL)
            key_pem = file_load(srv.cfg.tls_key, "--tls-key", SERVER_TLS_FILE_MAX, &key_len, &e);
        if (cert_pem == NULL || key_pem == NULL) {
            fprintf(stderr, "hotlined: %s\n", e.msg);
            rc = EXIT_RUNTIME;
            goto out;
        }
    }
    rc = server_open(&srv, &e);
    if (rc != 0) {
        fprintf(stderr, "hotlined: %s\n", e.msg);
        goto out;
    }
    nofile = raise_nofile();
    memset(&hc, 0, sizeof hc);
    hc.addr = srv.cfg.listen;
    hc.threads = srv.cfg.threads;
    hc.idle_timeout_s = HTTP_IDLE_TIMEOUT_S;
    hc.max_connections = nofile - SPARE_FDS < HTTP_MAX_CONNECTIONS
                             ? (unsigned)(nofile > SPARE_FDS + 16 ? nofile - SPARE_FDS : 16)
                             : HTTP_MAX_CONNECTIONS;
    hc.body_timeout_s = srv.cfg.body_timeout_s;
    hc.tls_cert_pem = cert_pem;
    hc.tls_key_pem = key_pem;
    srv.http = http_start(&srv, &hc, &e);
    if (srv.http == NULL) {
        fprintf(stderr, "hotlined: %s\n", e.msg);
        rc = EXIT_RUNTIME;
        goto out;
    }
    if (server_sweep_start(&srv, &e) != HL_OK) {
        fprintf(stderr, "hotlined: %s\n", e.msg);
        rc = EXIT_RUNTIME;
        goto out;
    }
    {
        char *shown = store_display(srv.cfg.db_path);

        printf("hotlined %s listening on %s (store %s %s, profile %s, tz %s)\n",
               HOTLINE_VERSION, http_url(srv.http), srv.cfg.store_kind, shown, srv.cfg.profile,
               srv.cfg.tz_name);
        free(shown);
    }
    fflush(stdout);
    log_msg(srv.log, "server", "hotlined %s listening on %s, %u threads, %u connections at most",
            HOTLINE_VERSION, http_url(srv.http), hc.threads, hc.max_connections);
    for (;;) {
        if (sigwait(&sigs, &sig) != 0)
            continue;
        if (sig != SIGHUP)
            break;
        if (log_reopen(srv.log, &e) != HL_OK)
            log_msg(srv.log, "server", "SIGHUP: %s", e.msg);
        else
            log_msg(srv.log, "server", "SIGHUP: log reopened");
    }
    shut_down(&srv, sig);
    rc = EXIT_OK_;
out:
    server_close(&srv);
    free(cert_pem);
    if (key_pem != NULL)
        explicit_bzero(key_pem, key_len);
    free(key_pem);
    return rc;
}
