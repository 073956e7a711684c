/* harness: run hotlined on a loopback port for API tests and talk to it with libcurl. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"
#ifdef HOTLINE_HAVE_PG
#include "pgfx.h"
#endif

/* Most arguments a server command line gets. */
#define ARGS_MAX 48

/* Milliseconds of a monotonic clock. */
long long
harness_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sleep a few milliseconds. */
static void
nap_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* A pipe whose ends close on exec (the child's dup2 copies stay open). */
static bool
cloexec_pipe(int fds[2])
{
    if (pipe(fds) != 0)
        return false;
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    return true;
}

/* Wait for pid at most timeout_ms; the raw status, or -1 on timeout. */
static int
wait_exit(pid_t pid, long timeout_ms)
{
    long long deadline = harness_now_ms() + timeout_ms;
    int status;

    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);

        if (r == pid)
            return status;
        if (r < 0 && errno != EINTR)
            return -1;
        if (harness_now_ms() >= deadline)
            return -1;
        nap_ms(5);
    }
}

/* A readable description of a wait status. */
static void
describe_status(int status, char *buf, size_t sz)
{
    if (status == -1)
        snprintf(buf, sz, "did not exit in time");
    else if (WIFEXITED(status))
        snprintf(buf, sz, "exit status %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(buf, sz, "killed by signal %d (%s)", WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
    else
        snprintf(buf, sz, "wait status %#x", (unsigned)status);
}

/* Read the ready line from the server's stdout; false with why on EOF or timeout. */
static bool
read_ready(struct harness *h, char *why, size_t whysz)
{
    long long deadline = harness_now_ms() + HARNESS_READY_MS;
    size_t len = 0;

    for (;;) {
        struct pollfd pfd = { h->out_fd, POLLIN, 0 };
        long long left = deadline - harness_now_ms();
        ssize_t n;
        char c;

        if (left <= 0) {
            snprintf(why, whysz, "hotlined printed no ready line within %d ms (got \"%.*s\")",
                     HARNESS_READY_MS, (int)len, h->ready);
            return false;
        }
        if (poll(&pfd, 1, (int)left) <= 0)
            continue;
        n = read(h->out_fd, &c, 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            snprintf(why, whysz, "hotlined closed its stdout before the ready line "
                                 "(got \"%.*s\"; see its stderr above)", (int)len, h->ready);
            return false;
        }
        if (c == '\n')
            break;
        if (len + 1 < sizeof h->ready)
            h->ready[len++] = c;
    }
    h->ready[len] = '\0';
    return true;
}

/* Learn the port from "... listening on http://127.0.0.1:PORT (...)". */
static bool
parse_port(struct harness *h)
{
    static const char mark[] = " listening on http://";
    const char *p = strstr(h->ready, mark);
    const char *space, *colon;
    char *end;
    long port;

    if (p == NULL)
        return false;
    p += sizeof mark - 1;
    space = strchr(p, ' ');
    if (space == NULL)
        return false;
    colon = space;
    while (colon > p && colon[-1] != ':')
        colon--;
    if (colon == p)
        return false;
    errno = 0;
    port = strtol(colon, &end, 10);
    if (errno != 0 || end != space || port <= 0 || port > 65535)
        return false;
    h->port = (int)port;
    snprintf(h->base, sizeof h->base, "http://127.0.0.1:%d", h->port);
    return true;
}

/* Fork and exec hotlined, then wait for its ready line. */
static void
spawn(struct harness *h)
{
    const char *argv[ARGS_MAX];
    char why[768], st[96];
    int pipefd[2], n = 0, i, status;
    pid_t pid;

    argv[n++] = h->exe;
    argv[n++] = "--db";
    argv[n++] = h->db;
    argv[n++] = "serve";
    argv[n++] = "--listen";
    argv[n++] = "127.0.0.1:0";
    argv[n++] = "--data";
    argv[n++] = h->data;
    argv[n++] = "--log";
    argv[n++] = h->log;
    for (i = 0; h->extra != NULL && h->extra[i] != NULL && n < ARGS_MAX - 1; i++)
        argv[n++] = h->extra[i];
    argv[n] = NULL;
    if (!cloexec_pipe(pipefd))
        fail_msg("harness: pipe: %s", strerror(errno));
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid < 0)
        fail_msg("harness: fork: %s", strerror(errno));
    if (pid == 0) {
        dup2(pipefd[1], STDOUT_FILENO);
        execv(h->exe, (char *const *)(uintptr_t)argv);
        fprintf(stderr, "harness: cannot run %s: %s\n", h->exe, strerror(errno));
        _exit(127);
    }
    close(pipefd[1]);
    h->out_fd = pipefd[0];
    h->pid = pid;
    h->ready[0] = '\0';
    if (!read_ready(h, why, sizeof why) || !parse_port(h)) {
        if (h->ready[0] != '\0' && h->port == 0)
            snprintf(why, sizeof why, "cannot find the port in hotlined's ready line \"%s\"",
                     h->ready);
        kill(pid, SIGKILL);
        status = wait_exit(pid, 5000);
        describe_status(status, st, sizeof st);
        close(h->out_fd);
        h->out_fd = -1;
        h->pid = 0;
        fail_msg("harness: %s; hotlined %s", why, st);
    }
}

/* Copy an environment variable into buf; fail the test when it is unset. */
static void
need_env(const char *name, char *buf, size_t sz, const char *hint)
{
    const char *v = getenv(name);

    if (v == NULL || v[0] == '\0')
        fail_msg("harness: $%s is not set (%s); run the API tests with `meson test --suite api`",
                 name, hint);
    if (!str_copy(buf, sz, v))
        fail_msg("harness: $%s is too long", name);
}

/* True when the tests run against PostgreSQL ($HOTLINE_TEST_STORE=pg): each harness then
 * gets a fresh database on the cluster of $HOTLINE_TEST_PG, its URI in h->db. */
static bool
store_is_pg(void)
{
    const char *v = getenv("HOTLINE_TEST_STORE");

    return v != NULL && strcmp(v, "pg") == 0;
}

/* Point h->db at a fresh PostgreSQL database. */
static void
make_pg_db(struct harness *h)
{
#ifdef HOTLINE_HAVE_PG
    char name[64], why[512];

    if (!pgfx_create("hlapi", name, sizeof name, h->db, sizeof h->db, why, sizeof why))
        fail_msg("harness: HOTLINE_TEST_STORE=pg: %s", why);
#else
    fail_msg("harness: HOTLINE_TEST_STORE=pg, but this build has no PostgreSQL store");
    (void)h;
#endif
}

/* Drop the PostgreSQL database of h (its name is the last path segment of h->db). */
static void
drop_pg_db(const struct harness *h)
{
#ifdef HOTLINE_HAVE_PG
    const char *slash = strrchr(h->db, '/');
    char name[64], why[512];
    size_t n;

    if (slash == NULL)
        return;
    n = strcspn(slash + 1, "?");
    if (n == 0 || n >= sizeof name)
        return;
    memcpy(name, slash + 1, n);
    name[n] = '\0';
    if (!pgfx_drop(name, why, sizeof why))
        fprintf(stderr, "harness: %s\n", why);
#else
    (void)h;
#endif
}

/* Start hotlined in a new temporary directory and wait for its ready line. */
struct harness *
harness_start(const char *const *extra)
{
    struct harness *h = calloc(1, sizeof *h);
    const char *tmp = getenv("TMPDIR");

    assert_non_null(h);
    h->out_fd = -1;
    h->extra = extra;
    need_env("HOTLINED", h->exe, sizeof h->exe, "the hotlined executable");
    need_env("HOTLINE_DATA", h->data, sizeof h->data, "the data directory");
    snprintf(h->tmpdir, sizeof h->tmpdir, "%s/hotline-api-XXXXXX",
             tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
    if (mkdtemp(h->tmpdir) == NULL)
        fail_msg("harness: mkdtemp %s: %s", h->tmpdir, strerror(errno));
    snprintf(h->db, sizeof h->db, "%s/t.db", h->tmpdir);
    if (store_is_pg())
        make_pg_db(h);
    snprintf(h->log, sizeof h->log, "%s/log", h->tmpdir);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    h->client = http_client_new(h);
    spawn(h);
    return h;
}

/* Send SIGTERM, wait for the exit and return the raw wait status (-1 on timeout). */
int
harness_terminate(struct harness *h)
{
    int status;

    if (h->pid == 0)
        return 0;
    kill(h->pid, SIGTERM);
    status = wait_exit(h->pid, HARNESS_STOP_MS);
    if (status == -1) {
        kill(h->pid, SIGKILL);
        wait_exit(h->pid, 5000);
    }
    close(h->out_fd);
    h->out_fd = -1;
    h->pid = 0;
    return status;
}

/* Send SIGTERM and assert that hotlined exits with status 0 within HARNESS_STOP_MS. */
void
harness_stop(struct harness *h)
{
    int status = harness_terminate(h);
    char st[96];

    if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        describe_status(status, st, sizeof st);
        fail_msg("harness: hotlined should exit 0 on SIGTERM, but %s", st);
    }
}

/* Kill hotlined with SIGKILL and reap it. */
void
harness_kill(struct harness *h)
{
    if (h->pid == 0)
        return;
    kill(h->pid, SIGKILL);
    wait_exit(h->pid, 5000);
    close(h->out_fd);
    h->out_fd = -1;
    h->pid = 0;
}

/* Send a signal (e.g. */
void
harness_signal(struct harness *h, int sig)
{
    if (h->pid != 0)
        kill(h->pid, sig);
}

/* Start hotlined again on the same database and directory (after stop or kill). */
void
harness_restart(struct harness *h)
{
    if (h->pid != 0)
        harness_stop(h);
    h->port = 0;
    spawn(h);
}

/* Remove a flat directory and the files in it. */
static void
remove_dir(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *ent;
    char file[512];

    if (d == NULL)
        return;
    while ((ent = readdir(d)) != NULL) {
        if (strcmp(ent->d_name, ".") == 0 || strcmp(ent->d_name, "..") == 0)
            continue;
        snprintf(file, sizeof file, "%s/%s", path, ent->d_name);
        unlink(file);
    }
    closedir(d);
    rmdir(path);
}

/* Stop hotlined if it runs (asserting exit 0), remove the temporary directory, free. */
void
harness_free(struct harness **hp)
{
    struct harness *h;

    if (hp == NULL || *hp == NULL)
        return;
    h = *hp;
    *hp = NULL;
    http_client_free(&h->client);
    if (h->pid != 0)
        harness_stop(h);
    remove_dir(h->tmpdir);
    if (store_is_pg())
        drop_pg_db(h);
    free(h);
    curl_global_cleanup();
}

/* Read what is available on fd into buf (keeping at most sz-1 bytes); false at EOF. */
static bool
drain_fd(int fd, char *buf, size_t sz, size_t *len)
{
    char chunk[4096];
    ssize_t n = read(fd, chunk, sizeof chunk);

    if (n < 0 && errno == EINTR)
        return true;
    if (n <= 0)
        return false;
    if (sz > 0 && *len + 1 < sz) {
        size_t take = (size_t)n < sz - 1 - *len ? (size_t)n : sz - 1 - *len;

        memcpy(buf + *len, chunk, take);
        *len += take;
        buf[*len] = '\0';
    }
    return true;
}

/* Run hotlined with args to completion, capturing stdout and stderr. */
int
harness_run(const char *const *args, char *out, size_t outsz, char *errout, size_t errsz,
            int timeout_ms)
{
    const char *argv[ARGS_MAX];
    char exe[1024];
    int opipe[2], epipe[2], n = 0, status;
    size_t olen = 0, elen = 0;
    bool oopen = true, eopen = true;
    long long deadline = harness_now_ms() + timeout_ms;
    pid_t pid;

    need_env("HOTLINED", exe, sizeof exe, "the hotlined executable");
    argv[n++] = exe;
    while (args != NULL && args[n - 1] != NULL && n < ARGS_MAX - 1) {
        argv[n] = args[n - 1];
        n++;
    }
    argv[n] = NULL;
    if (outsz > 0)
        out[0] = '\0';
    if (errsz > 0)
        errout[0] = '\0';
    if (!cloexec_pipe(opipe) || !cloexec_pipe(epipe))
        fail_msg("harness: pipe: %s", strerror(errno));
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid < 0)
        fail_msg("harness: fork: %s", strerror(errno));
    if (pid == 0) {
        dup2(opipe[1], STDOUT_FILENO);
        dup2(epipe[1], STDERR_FILENO);
        execv(exe, (char *const *)(uintptr_t)argv);
        _exit(127);
    }
    close(opipe[1]);
    close(epipe[1]);
    while (oopen || eopen) {
        struct pollfd pfd[2] = { { opipe[0], POLLIN, 0 }, { epipe[0], POLLIN, 0 } };
        long long left = deadline - harness_now_ms();

        if (left <= 0)
            break;
        if (!oopen)
            pfd[0].fd = -1;
        if (!eopen)
            pfd[1].fd = -1;
        if (poll(pfd, 2, (int)left) <= 0)
            continue;
        if (oopen && (pfd[0].revents & (POLLIN | POLLHUP)))
            oopen = drain_fd(opipe[0], out, outsz, &olen);
        if (eopen && (pfd[1].revents & (POLLIN | POLLHUP)))
            eopen = drain_fd(epipe[0], errout, errsz, &elen);
    }
    close(opipe[0]);
    close(epipe[0]);
    status = wait_exit(pid, oopen || eopen ? 0 : 5000);
    if (status == -1) {
        kill(pid, SIGKILL);
        wait_exit(pid, 5000);
        return -1;
    }
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
}

/* A new client of h with its own connection. */
struct http_client *
http_client_new(struct harness *h)
{
    struct http_client *c = calloc(1, sizeof *c);

    assert_non_null(c);
    c->h = h;
    c->curl = curl_easy_init();
    assert_non_null(c->curl);
    return c;
}

/* Free a client and NULL the pointer. */
void
http_client_free(struct http_client **cp)
{
    if (cp == NULL || *cp == NULL)
        return;
    curl_easy_cleanup((*cp)->curl);
    free(*cp);
    *cp = NULL;
}

/* libcurl write callback: keep the body, up to HARNESS_BODY_MAX. */
static size_t
on_body(char *data, size_t size, size_t nmemb, void *arg)
{
    struct http_reply *r = arg;
    size_t n = size * nmemb;

    if (r->body.len + n > HARNESS_BODY_MAX)
        return 0;
    strbuf_add(&r->body, data, n);
    return n;
}

/* Copy a header value (trimmed) into dst. */
static void
keep_header(char *dst, size_t sz, const char *value, size_t len)
{
    while (len > 0 && (*value == ' ' || *value == '\t')) {
        value++;
        len--;
    }
    while (len > 0 && (value[len - 1] == '\r' || value[len - 1] == '\n' ||
                       value[len - 1] == ' '))
        len--;
    if (len >= sz)
        len = sz - 1;
    memcpy(dst, value, len);
    dst[len] = '\0';
}

/* libcurl header callback: keep the headers tests look at. */
static size_t
on_header(char *data, size_t size, size_t nmemb, void *arg)
{
    static const struct {
        const char *name;
        size_t off, sz;
    } wanted[] = {
        { "ETag", offsetof(struct http_reply, etag), sizeof ((struct http_reply *)0)->etag },
        { "Location", offsetof(struct http_reply, location),
          sizeof ((struct http_reply *)0)->location },
        { "Allow", offsetof(struct http_reply, allow), sizeof ((struct http_reply *)0)->allow },
        { "Content-Type", offsetof(struct http_reply, content_type),
          sizeof ((struct http_reply *)0)->content_type },
        { "Cache-Control", offsetof(struct http_reply, cache_control),
          sizeof ((struct http_reply *)0)->cache_control },
        { "Connection", offsetof(struct http_reply, connection),
          sizeof ((struct http_reply *)0)->connection },
        { "X-Request-Id", offsetof(struct http_reply, request_id),
          sizeof ((struct http_reply *)0)->request_id },
    };
    struct http_reply *r = arg;
    size_t n = size * nmemb, i;
    const char *colon = memchr(data, ':', n);

    if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) {
        /* a new response (after 100 Continue): forget the previous one's headers */
        for (i = 0; i < ARRAY_SIZE(wanted); i++)
            ((char *)r + wanted[i].off)[0] = '\0';
        return n;
    }
    if (colon == NULL)
        return n;
    for (i = 0; i < ARRAY_SIZE(wanted); i++) {
        size_t nl = strlen(wanted[i].name);

        if ((size_t)(colon - data) == nl && strncasecmp(data, wanted[i].name, nl) == 0)
            keep_header((char *)r + wanted[i].off, wanted[i].sz, colon + 1,
                        n - (size_t)(colon - data) - 1);
    }
    return n;
}

/* One request. */
long
http_client_request(struct http_client *c, const char *method, const char *path,
                    const char *const *headers, const char *body, size_t len,
                    struct http_reply *r)
{
    struct curl_slist *list = NULL;
    char url[2048];
    CURLcode rc;
    size_t i;

    memset(r, 0, sizeof *r);
    strbuf_init(&r->body);
    snprintf(url, sizeof url, "%s%s", c->h->base, path);
    curl_easy_reset(c->curl);
    curl_easy_setopt(c->curl, CURLOPT_URL, url);
    curl_easy_setopt(c->curl, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c->curl, CURLOPT_TIMEOUT_MS, 90000L);
    curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, r->error);
    curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(c->curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c->curl, CURLOPT_HEADERDATA, r);
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(c->curl, CURLOPT_NOBODY, 1L);
    else if (strcmp(method, "GET") != 0)
        curl_easy_setopt(c->curl, CURLOPT_CUSTOMREQUEST, method);
    if (body != NULL) {
        curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
        curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, body);
    }
    for (i = 0; headers != NULL && headers[i] != NULL; i++)
        list = curl_slist_append(list, headers[i]);
    if (list != NULL)
        curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, list);
    rc = curl_easy_perform(c->curl);
    curl_slist_free_all(list);
    if (rc != CURLE_OK) {
        if (r->error[0] == '\0')
            str_copy(r->error, sizeof r->error, curl_easy_strerror(rc));
        r->status = 0;
        return 0;
    }
    curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &r->status);
    curl_easy_getinfo(c->curl, CURLINFO_TOTAL_TIME, &r->seconds);
    curl_easy_getinfo(c->curl, CURLINFO_NUM_CONNECTS, &r->connects);
    curl_easy_getinfo(c->curl, CURLINFO_LOCAL_PORT, &r->local_port);
    if (r->body.len > 0)
        r->json = cJSON_ParseWithLength(r->body.buf, r->body.len);
    return r->status;
}

/* http_client_request on the harness's default client. */
long
http_request(struct harness *h, const char *method, const char *path,
             const char *const *headers, const char *body, size_t len, struct http_reply *r)
{
    return http_client_request(h->client, method, path, headers, body, len, r);
}

/* GET path. */
long
http_get(struct harness *h, const char *path, struct http_reply *r)
{
    return http_request(h, "GET", path, NULL, NULL, 0, r);
}

/* POST a JSON body (Content-Type. */
long
http_post(struct harness *h, const char *path, const char *json, struct http_reply *r)
{
    const char *headers[] = { "Content-Type: application/json", NULL };

    return http_request(h, "POST", path, headers, json, strlen(json), r);
}

/* PATCH a JSON body with If-Match. */
long
http_patch(struct harness *h, const char *path, const char *if_match, const char *json,
           struct http_reply *r)
{
    char im[160];
    const char *headers[] = { "Content-Type: application/json", NULL, NULL };

    if (if_match != NULL) {
        snprintf(im, sizeof im, "If-Match: %s", if_match);
        headers[1] = im;
    }
    return http_request(h, "PATCH", path, headers, json, strlen(json), r);
}

/* Release what a reply holds and zero it. */
void
http_reply_fini(struct http_reply *r)
{
    if (r == NULL)
        return;
    strbuf_fini(&r->body);
    cJSON_Delete(r->json);
    memset(r, 0, sizeof *r);
}

/* Assert the error shape {"error":{"code","message","field"}} with this status and code. */
void
assert_error_reply(const struct http_reply *r, long status, const char *code, const char *field)
{
    const cJSON *error, *c, *m, *f;

    if (r->status != status)
        fail_msg("expected status %ld, got %ld (%s) with body %s", status, r->status, r->error,
                 r->body.buf != NULL ? r->body.buf : "(none)");
    if (r->json == NULL || !cJSON_IsObject(r->json) || cJSON_GetArraySize(r->json) != 1)
        fail_msg("expected a JSON object with one member \"error\", got %s",
                 r->body.buf != NULL ? r->body.buf : "(none)");
    error = cJSON_GetObjectItemCaseSensitive(r->json, "error");
    assert_true(cJSON_IsObject(error));
    assert_int_equal(cJSON_GetArraySize(error), 3);
    c = cJSON_GetObjectItemCaseSensitive(error, "code");
    m = cJSON_GetObjectItemCaseSensitive(error, "message");
    f = cJSON_GetObjectItemCaseSensitive(error, "field");
    assert_true(cJSON_IsString(c));
    assert_string_equal(c->valuestring, code);
    assert_true(cJSON_IsString(m));
    assert_true(strlen(m->valuestring) > 10);
    assert_non_null(f);
    if (field == NULL) {
        assert_true(cJSON_IsNull(f));
    } else {
        assert_true(cJSON_IsString(f));
        assert_string_equal(f->valuestring, field);
    }
    assert_string_equal(r->content_type, "application/json; charset=utf-8");
}
