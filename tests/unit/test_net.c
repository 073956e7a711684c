/* test_net: libcurl multi requests against a small HTTP server of the test's own. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "api.h"
#include "hotline/codec.h"
#include "hotline/util.h"
#include "net.h"
#include "timers.h"

/* ---- the test server: one process, one child per connection ---- */

/* Write all of buf (errors ignored: the client may hang up). */
static void
put(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);

        if (n <= 0)
            return;
        buf += n;
        len -= (size_t)n;
    }
}

/* Send a response with a Content-Length. */
static void
respond(int fd, int status, const char *extra, const char *body, size_t len)
{
    char *head = xasprintf("HTTP/1.1 %d X\r\nContent-Length: %zu\r\n%s\r\n", status, len,
                           extra != NULL ? extra : "");

    put(fd, head, strlen(head));
    put(fd, body, len);
    free(head);
}

/* Send a response with a NUL-terminated body. */
static void
respond_str(int fd, int status, const char *body)
{
    respond(fd, status, NULL, body, strlen(body));
}

/* Send n bytes of 'x' in chunks. */
static void
put_bytes(int fd, size_t n)
{
    static char chunk[65536];

    memset(chunk, 'x', sizeof(chunk));
    while (n > 0) {
        size_t k = n < sizeof(chunk) ? n : sizeof(chunk);

        put(fd, chunk, k);
        n -= k;
    }
}

/* Value of a request header (case-insensitive name) into out, "" when absent. */
static void
header_value(const char *head, const char *name, char *out, size_t sz)
{
    size_t n = strlen(name);

    out[0] = '\0';
    for (const char *p = strstr(head, "\r\n"); p != NULL; p = strstr(p + 2, "\r\n")) {
        const char *line = p + 2;

        if (strncasecmp(line, name, n) == 0 && line[n] == ':') {
            const char *v = line + n + 1;
            const char *end = strstr(v, "\r\n");
            size_t k;

            while (*v == ' ')
                v++;
            k = end != NULL ? (size_t)(end - v) : strlen(v);
            if (k >= sz)
                k = sz - 1;
            memcpy(out, v, k);
            out[k] = '\0';
            return;
        }
    }
}

/* A flag file the test creates to make /api/v1/health answer 503. */
static char unavailable_flag[256];

/* Answer a JSON error body. */
static void
respond_error(int fd, int status, const char *code, const char *message, const char *extra)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *err = cJSON_AddObjectToObject(root, "error");
    char *text;

    cJSON_AddStringToObject(err, "code", code);
    cJSON_AddStringToObject(err, "message", message);
    cJSON_AddNullToObject(err, "field");
    if (extra != NULL) {
        cJSON *x = cJSON_Parse(extra);
        cJSON *it = x != NULL ? x->child : NULL;

        while (it != NULL) {
            cJSON *next = it->next;

            cJSON_AddItemToObject(err, it->string, cJSON_DetachItemViaPointer(x, it));
            it = next;
        }
        cJSON_Delete(x);
    }
    text = cJSON_PrintUnformatted(root);
    respond(fd, status, "Content-Type: application/json\r\n", text, strlen(text));
    free(text);
    cJSON_Delete(root);
}

/* A ticket document for the fake API. Caller frees. */
static char *
fake_ticket(const char *id, int64_t version)
{
    struct ticket *t = ticket_new();
    char *text;

    t->id = xstrdup(id);
    t->version = version;
    t->channel = CHANNEL_PHONE;
    t->nature = NATURE_CONSULT;
    t->caller.phone = xstrdup("13800138000");
    t->description = xstrdup("办理居住证需要什么材料？");
    t->title = xstrdup("居住证");
    text = codec_ticket_encode(t, NULL);
    ticket_free(&t);
    return text;
}

/* The fake API of the api tests. */
static void
serve_api(int fd, const char *method, const char *path)
{
    const char *p = path + 7;    /* after "/api/v1" */

    if (strcmp(p, "/health") == 0) {
        struct stat st;

        if (unavailable_flag[0] != '\0' && stat(unavailable_flag, &st) == 0)
            respond_error(fd, 503, "unavailable", "shutting down", NULL);
        else
            respond_str(fd, 200, "{\"status\":\"ok\",\"version\":\"0.1.0\"}");
    } else if (str_starts_with(p, "/tickets?")) {
        respond_error(fd, 400, "invalid_parameter", path, NULL);
    } else if (strcmp(p, "/tickets/HLBAD") == 0) {
        respond_str(fd, 200, "this is not json");
    } else if (strcmp(p, "/tickets/HLBIG") == 0) {
        char *h = xasprintf("HTTP/1.1 200 X\r\nContent-Length: %u\r\n\r\n", NET_BODY_MAX + 1);

        put(fd, h, strlen(h));
        free(h);
        put_bytes(fd, NET_BODY_MAX + 1);
    } else if (strcmp(p, "/tickets/HL1") == 0 && strcmp(method, "GET") == 0) {
        char *doc = fake_ticket("HL1", 3);

        respond(fd, 200, "ETag: \"3\"\r\n", doc, strlen(doc));
        free(doc);
    } else if (strcmp(p, "/tickets/HL412") == 0 && strcmp(method, "PATCH") == 0) {
        char *doc = fake_ticket("HL412", 5);
        char *extra = xasprintf("{\"current\":%s}", doc);

        respond_error(fd, 412, "version_mismatch", "the ticket is at version 5, not 4", extra);
        free(extra);
        free(doc);
    } else if (strcmp(p, "/tickets/HLRULE/urge") == 0) {
        respond_error(fd, 409, "urge_too_early", "urging is allowed from 2026-03-04 18:00",
                      "{\"rule\":\"12345:urge\",\"possible_from\":"
                      "\"2026-03-04T18:00:00+08:00\"}");
    } else if (strcmp(p, "/kb/HANG") == 0) {
        sleep(60);
    } else if (strcmp(p, "/feed?wait=1") == 0) {
        respond_str(fd, 200, "{\"seq\":5,\"events\":[]}");
    } else if (strcmp(p, "/feed?since=5&wait=1") == 0) {
        const char *b = "{\"seq\":6,\"events\":[{\"seq\":6,\"type\":\"ticket.created\","
                        "\"ticket_id\":\"HL1\",\"at\":\"2026-11-22T09:15:00+08:00\","
                        "\"action\":null,\"unit\":null,\"agent\":null,\"phone\":null}]}";

        respond(fd, 200, NULL, b, strlen(b));
    } else if (str_starts_with(p, "/feed?since=6")) {
        sleep(1);
        respond_str(fd, 200, "{\"seq\":6,\"events\":[]}");
    } else {
        respond_error(fd, 404, "not_found", path, NULL);
    }
}

/* Serve requests on one connection until the client closes it. */
static void
serve_conn(int fd, int conn_no)
{
    static char head[65536];

    for (;;) {
        size_t len = 0;
        char *end = NULL, method[16] = "", path[256] = "", cl[32], xtest[128], expect[64];
        char *body = NULL;
        long clen = 0;
        const char *sp;

        while (end == NULL) {
            ssize_t n = read(fd, head + len, sizeof(head) - 1 - len);

            if (n <= 0)
                return;
            len += (size_t)n;
            head[len] = '\0';
            end = strstr(head, "\r\n\r\n");
            if (end == NULL && len >= sizeof(head) - 1)
                return;
        }
        sp = strchr(head, ' ');
        if (sp == NULL)
            return;
        snprintf(method, sizeof(method), "%.*s", (int)(sp - head), head);
        snprintf(path, sizeof(path), "%.*s", (int)strcspn(sp + 1, " "), sp + 1);
        header_value(head, "Content-Length", cl, sizeof(cl));
        header_value(head, "X-Test", xtest, sizeof(xtest));
        header_value(head, "Expect", expect, sizeof(expect));
        if (cl[0] != '\0' && !str_to_long(cl, 0, 1 << 24, &clen))
            return;
        body = xcalloc(1, (size_t)clen + 1);
        {
            size_t have = len - (size_t)(end + 4 - head);

            if (have > (size_t)clen)
                have = (size_t)clen;
            memcpy(body, end + 4, have);
            while ((long)have < clen) {
                ssize_t n = read(fd, body + have, (size_t)clen - have);

                if (n <= 0) {
                    free(body);
                    return;
                }
                have += (size_t)n;
            }
        }
        if (strcmp(path, "/ok") == 0) {
            char *b = xasprintf("{\"conn\":%d}", conn_no);

            respond(fd, 200, "ETag: \"7\"\r\nContent-Type: application/json; charset=utf-8\r\n"
                    "Location: /api/v1/tickets/HL1\r\nRetry-After: 3\r\n", b, strlen(b));
            free(b);
        } else if (strcmp(path, "/echo") == 0) {
            char *b = xasprintf("%s|%s|%s|%s", method, xtest, expect, body);

            respond(fd, 201, NULL, b, strlen(b));
            free(b);
        } else if (strncmp(path, "/sized/", 7) == 0) {
            long n = 0;
            char *h;

            str_to_long(path + 7, 0, 1 << 26, &n);
            h = xasprintf("HTTP/1.1 200 X\r\nContent-Length: %ld\r\n\r\n", n);
            put(fd, h, strlen(h));
            free(h);
            put_bytes(fd, (size_t)n);
        } else if (strncmp(path, "/closebody/", 11) == 0) {
            long n = 0;
            const char *h = "HTTP/1.1 200 X\r\nConnection: close\r\n\r\n";

            str_to_long(path + 11, 0, 1 << 26, &n);
            put(fd, h, strlen(h));
            put_bytes(fd, (size_t)n);
            free(body);
            return;
        } else if (strcmp(path, "/slow") == 0) {
            sleep(3);
            respond(fd, 200, NULL, "late", 4);
        } else if (strcmp(path, "/hang") == 0) {
            sleep(60);
        } else if (str_starts_with(path, "/api/v1/")) {
            serve_api(fd, method, path);
        } else if (strncmp(path, "/status/", 8) == 0) {
            long st = 500;

            str_to_long(path + 8, 100, 599, &st);
            respond(fd, (int)st, "Retry-After: Wed, 21 Oct 2026 07:28:00 GMT\r\n", "{}", 2);
        } else {
            respond(fd, 404, NULL, "", 0);
        }
        free(body);
    }
}

/* Run the server on a listening socket (in its own process group). */
static void
server_main(int lfd)
{
    int conn_no = 0;

    setpgid(0, 0);
    signal(SIGCHLD, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    for (;;) {
        int fd = accept(lfd, NULL, NULL);

        if (fd < 0) {
            if (errno == EINTR)
                continue;
            _exit(1);
        }
        conn_no++;
        if (fork() == 0) {
            close(lfd);
            serve_conn(fd, conn_no);
            _exit(0);
        }
        close(fd);
    }
}

/* A listening socket on 127.0.0.1 and its port. */
static int
listen_any(int *port)
{
    struct sockaddr_in sa;
    socklen_t sl = sizeof(sa);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;

    assert_true(fd >= 0);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(listen(fd, 16), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
    *port = ntohs(sa.sin_port);
    return fd;
}

/* The fixture: the server and a net. */
struct fixture {
    pid_t server;
    int port;
    char base[64];
    struct net *net;
};

/* Start the server and a net. */
static int
setup(void **state)
{
    struct fixture *f = xcalloc(1, sizeof(*f));
    struct err e;
    int lfd = listen_any(&f->port);

    f->server = fork();
    assert_true(f->server >= 0);
    if (f->server == 0)
        server_main(lfd);
    close(lfd);
    snprintf(f->base, sizeof(f->base), "http://127.0.0.1:%d", f->port);
    f->net = net_new(NULL, &e);
    assert_non_null(f->net);
    *state = f;
    return 0;
}

/* Stop everything. */
static int
teardown(void **state)
{
    struct fixture *f = *state;

    net_free(&f->net);
    unlink(unavailable_flag);
    kill(-f->server, SIGKILL);
    kill(f->server, SIGKILL);
    waitpid(f->server, NULL, 0);
    free(f);
    return 0;
}

/* What a callback saw. */
struct seen {
    int calls;
    uint64_t id;
    long status;
    bool cancelled, timed_out, too_large;
    char error[512];
    char etag[64], location[128], content_type[128];
    long retry_after;
    char *body;
    size_t len;
    int64_t elapsed;
};

/* Record a completion. */
static void
on_done(const struct net_response *r, void *arg)
{
    struct seen *s = arg;

    s->calls++;
    s->id = r->id;
    s->status = r->status;
    s->cancelled = r->cancelled;
    s->timed_out = r->timed_out;
    s->too_large = r->too_large;
    str_copy(s->error, sizeof(s->error), r->error);
    str_copy(s->etag, sizeof(s->etag), r->etag);
    str_copy(s->location, sizeof(s->location), r->location);
    str_copy(s->content_type, sizeof(s->content_type), r->content_type);
    s->retry_after = r->retry_after;
    free(s->body);
    s->body = xstrndup(r->body, r->len);
    s->len = r->len;
    s->elapsed = r->elapsed_ms;
}

/* A tiny loop of the test's own, through the loop_source of net. */
static void
run_until(struct net *net, const int *calls, int want, int max_ms)
{
    struct loop_source src;
    int64_t end = net_now_ms() + max_ms;

    net_loop_source(net, &src);
    while (*calls < want && net_now_ms() < end) {
        struct pollfd fds[64];
        int timeout = 200;
        int n = src.fds(src.arg, fds, 64, &timeout);

        poll(fds, (nfds_t)n, timeout);
        src.dispatch(src.arg, fds, n);
    }
}

/* Start a request or fail the test. */
static uint64_t
request(struct fixture *f, const char *method, const char *path, const char *const *headers,
        const char *body, long timeout_ms, struct seen *s)
{
    char url[256];
    struct err e;
    uint64_t id;

    snprintf(url, sizeof(url), "%s%s", f->base, path);
    err_clear(&e);
    id = net_request(f->net, method, url, headers, body, body != NULL ? strlen(body) : 0,
                     timeout_ms, on_done, s, &e);
    assert_true(id != 0);
    return id;
}

/* GET: status, headers, body. */
static void
test_get(void **state)
{
    struct fixture *f = *state;
    struct seen s = {0};
    uint64_t id = request(f, "GET", "/ok", NULL, NULL, 0, &s);

    assert_int_equal(s.calls, 0);
    assert_int_equal(net_pending(f->net), 1);
    run_until(f->net, &s.calls, 1, 5000);
    assert_int_equal(s.calls, 1);
    assert_int_equal(s.id, id);
    assert_int_equal(s.status, 200);
    assert_false(s.cancelled);
    assert_string_equal(s.error, "");
    assert_string_equal(s.etag, "\"7\"");
    assert_string_equal(s.location, "/api/v1/tickets/HL1");
    assert_string_equal(s.content_type, "application/json; charset=utf-8");
    assert_int_equal(s.retry_after, 3);
    assert_string_equal(s.body, "{\"conn\":1}");
    assert_int_equal(net_pending(f->net), 0);
    free(s.body);
}

/* Methods, bodies and header lines go out as given; no Expect: 100-continue. */
static void
test_methods_and_body(void **state)
{
    struct fixture *f = *state;
    const char *const hdr[] = { "X-Test: 你好", "Content-Type: application/json", NULL };
    struct seen a = {0}, b = {0}, c = {0}, d = {0};
    char big[4096];

    request(f, "POST", "/echo", hdr, "{\"a\":1}", 0, &a);
    request(f, "PATCH", "/echo", hdr, "{\"b\":2}", 0, &b);
    request(f, "DELETE", "/echo", NULL, NULL, 0, &c);
    memset(big, 'y', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    request(f, "POST", "/echo", NULL, big, 0, &d);
    run_until(f->net, &a.calls, 1, 5000);
    run_until(f->net, &b.calls, 1, 5000);
    run_until(f->net, &c.calls, 1, 5000);
    run_until(f->net, &d.calls, 1, 5000);
    assert_int_equal(a.status, 201);
    assert_string_equal(a.body, "POST|你好||{\"a\":1}");
    assert_string_equal(b.body, "PATCH|你好||{\"b\":2}");
    assert_string_equal(c.body, "DELETE|||");
    assert_int_equal(d.len, 3 + 3 + sizeof(big) - 1 + 1);
    assert_string_equal(d.body + 7, big);
    free(a.body);
    free(b.body);
    free(c.body);
    free(d.body);
}

/* Sequential requests reuse one kept-alive connection. */
static void
test_keep_alive(void **state)
{
    struct fixture *f = *state;
    struct seen s = {0};

    for (int i = 0; i < 3; i++) {
        int before = s.calls;

        request(f, "GET", "/ok", NULL, NULL, 0, &s);
        run_until(f->net, &s.calls, before + 1, 5000);
        assert_int_equal(s.status, 200);
        assert_string_equal(s.body, "{\"conn\":1}");
    }
    free(s.body);
}

/* A body over the cap is an error, never a truncation; at the cap it is fine. */
static void
test_body_cap(void **state)
{
    struct fixture *f = *state;
    struct net_opts o = { .body_max = 1000 };
    struct seen a = {0}, b = {0}, c = {0}, d = {0};
    struct net *small;
    struct err e;
    char url[128];

    /* The default cap, 8 MiB, against a 9 MiB body with a Content-Length. */
    request(f, "GET", "/sized/9437184", NULL, NULL, 0, &a);
    run_until(f->net, &a.calls, 1, 10000);
    assert_int_equal(a.calls, 1);
    assert_true(a.too_large);
    assert_int_equal(a.status, 0);
    assert_int_equal(a.len, 0);
    assert_non_null(strstr(a.error, "8388608"));
    /* Exactly 8 MiB passes. */
    request(f, "GET", "/sized/8388608", NULL, NULL, 0, &b);
    run_until(f->net, &b.calls, 1, 10000);
    assert_int_equal(b.status, 200);
    assert_int_equal(b.len, NET_BODY_MAX);
    /* A small cap with a body that has no length (read until close). */
    small = net_new(&o, &e);
    assert_non_null(small);
    snprintf(url, sizeof(url), "%s/closebody/1001", f->base);
    assert_true(net_request(small, "GET", url, NULL, NULL, 0, 0, on_done, &c, &e) != 0);
    run_until(small, &c.calls, 1, 5000);
    assert_true(c.too_large);
    assert_int_equal(c.len, 0);
    snprintf(url, sizeof(url), "%s/closebody/1000", f->base);
    assert_true(net_request(small, "GET", url, NULL, NULL, 0, 0, on_done, &d, &e) != 0);
    run_until(small, &d.calls, 1, 5000);
    assert_false(d.too_large);
    assert_int_equal(d.status, 200);
    assert_int_equal(d.len, 1000);
    net_free(&small);
    free(a.body);
    free(b.body);
    free(c.body);
    free(d.body);
}

/* A slow server hits the timeout; the loop never waited on it. */
static void
test_timeout(void **state)
{
    struct fixture *f = *state;
    struct seen s = {0};
    int64_t t0 = net_now_ms();

    request(f, "GET", "/slow", NULL, NULL, 300, &s);
    run_until(f->net, &s.calls, 1, 5000);
    assert_int_equal(s.calls, 1);
    assert_true(s.timed_out);
    assert_int_equal(s.status, 0);
    assert_true(s.error[0] != '\0');
    assert_true(net_now_ms() - t0 < 2000);
    assert_true(s.elapsed >= 250);
    free(s.body);
}

/* No server: a transport error with libcurl's text. */
static void
test_refused(void **state)
{
    struct fixture *f = *state;
    struct seen s = {0};
    int port;
    int lfd = listen_any(&port);
    char url[128];
    struct err e;

    close(lfd);     /* nobody listens there any more */
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/x", port);
    assert_true(net_request(f->net, "GET", url, NULL, NULL, 0, 0, on_done, &s, &e) != 0);
    run_until(f->net, &s.calls, 1, 5000);
    assert_int_equal(s.calls, 1);
    assert_int_equal(s.status, 0);
    assert_false(s.timed_out);
    assert_false(s.cancelled);
    assert_true(s.error[0] != '\0');
    free(s.body);
}

/* HTTP errors are answers, with their headers; a dated Retry-After reads -1. */
static void
test_status(void **state)
{
    struct fixture *f = *state;
    struct seen s = {0};

    request(f, "GET", "/status/503", NULL, NULL, 0, &s);
    run_until(f->net, &s.calls, 1, 5000);
    assert_int_equal(s.status, 503);
    assert_int_equal(s.retry_after, -1);
    assert_string_equal(s.body, "{}");
    free(s.body);
}

/* Cancel: the callback runs once, later, with cancelled set; other requests go on. */
static void
test_cancel(void **state)
{
    struct fixture *f = *state;
    struct seen a = {0}, b = {0};
    uint64_t id = request(f, "GET", "/hang", NULL, NULL, 0, &a);

    request(f, "GET", "/ok", NULL, NULL, 0, &b);
    assert_true(net_cancel(f->net, id));
    assert_int_equal(a.calls, 0);
    assert_false(net_cancel(f->net, id));
    assert_false(net_cancel(f->net, 999999));
    assert_int_equal(net_timeout_ms(f->net), 0);
    run_until(f->net, &a.calls, 1, 2000);
    assert_int_equal(a.calls, 1);
    assert_true(a.cancelled);
    assert_int_equal(a.status, 0);
    run_until(f->net, &b.calls, 1, 5000);
    assert_int_equal(b.status, 200);
    assert_int_equal(a.calls, 1);
    free(a.body);
    free(b.body);
}

/* Freeing net with requests in flight calls each back as cancelled. */
static void
test_free_pending(void **state)
{
    struct fixture *f = *state;
    struct seen a = {0}, b = {0};

    request(f, "GET", "/hang", NULL, NULL, 0, &a);
    request(f, "GET", "/hang", NULL, NULL, 0, &b);
    run_until(f->net, &a.calls, 1, 100);
    net_free(&f->net);
    assert_null(f->net);
    assert_int_equal(a.calls, 1);
    assert_int_equal(b.calls, 1);
    assert_true(a.cancelled);
    assert_true(b.cancelled);
    free(a.body);
    free(b.body);
}

/* Bad arguments are refused before anything starts. */
static void
test_bad_arguments(void **state)
{
    struct fixture *f = *state;
    const char *const bad_header[] = { "X-A: 1\r\nX-B: 2", NULL };
    const char *const no_colon[] = { "X-A", NULL };
    struct seen s = {0};
    struct net_opts o = { .cacert = "/nonexistent/ca.pem" };
    struct err e;

    err_clear(&e);
    assert_int_equal(net_request(f->net, "get", "http://127.0.0.1/", NULL, NULL, 0, 0, on_done,
                                 &s, &e), 0);
    assert_int_equal(e.code, HL_EINVAL);
    assert_int_equal(net_request(f->net, "GET", "ftp://127.0.0.1/", NULL, NULL, 0, 0, on_done,
                                 &s, &e), 0);
    assert_int_equal(net_request(f->net, "GET", "file:///etc/passwd", NULL, NULL, 0, 0, on_done,
                                 &s, &e), 0);
    assert_int_equal(net_request(f->net, "GET", "http://127.0.0.1/\r\nX: y", NULL, NULL, 0, 0,
                                 on_done, &s, &e), 0);
    assert_int_equal(net_request(f->net, "GET", "http://127.0.0.1/", bad_header, NULL, 0, 0,
                                 on_done, &s, &e), 0);
    assert_int_equal(net_request(f->net, "GET", "http://127.0.0.1/", no_colon, NULL, 0, 0,
                                 on_done, &s, &e), 0);
    assert_int_equal(net_pending(f->net), 0);
    assert_int_equal(s.calls, 0);
    err_clear(&e);
    assert_null(net_new(&o, &e));
    assert_int_equal(e.code, HL_EIO);
    assert_non_null(strstr(e.msg, "/nonexistent/ca.pem"));
}

/* Registration-style hooks see the fds and the timeout. */
struct hooks {
    int watches, removes, timers;
};

/* Count fd registrations. */
static void
on_watch(int fd, int events, void *arg)
{
    struct hooks *h = arg;

    (void)fd;
    if (events == 0)
        h->removes++;
    else
        h->watches++;
}

/* Count timeout changes. */
static void
on_timer(long ms, void *arg)
{
    struct hooks *h = arg;

    (void)ms;
    h->timers++;
}

/* The hooks are called, and net_on_fd / net_on_timeout drive the transfer. */
static void
test_watch_hooks(void **state)
{
    struct fixture *f = *state;
    struct hooks h = {0};
    struct seen s = {0};
    int64_t end = net_now_ms() + 5000;

    net_set_watch(f->net, on_watch, on_timer, &h);
    request(f, "GET", "/ok", NULL, NULL, 0, &s);
    assert_true(h.timers >= 1);
    while (s.calls == 0 && net_now_ms() < end) {
        struct pollfd fds[16];
        size_t n = net_pollfds(f->net, fds, 16);
        int t = net_timeout_ms(f->net);

        poll(fds, n, t < 0 || t > 100 ? 100 : t);
        for (size_t i = 0; i < n; i++) {
            if (fds[i].revents != 0)
                net_on_fd(f->net, fds[i].fd, fds[i].revents);
        }
        if (net_timeout_ms(f->net) == 0)
            net_on_timeout(f->net);
    }
    assert_int_equal(s.status, 200);
    assert_true(h.watches >= 1);
    net_set_watch(f->net, NULL, NULL, NULL);
    free(s.body);
}

/* Run a command line; its exit status. */
static int
run(const char *cmd)
{
    int st = system(cmd);

    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* TLS: verified by default, --cacert trusts a private CA, --insecure skips checks. */
static void
test_tls_verification(void **state)
{
    struct fixture *f = *state;
    char dir[] = "/tmp/hotline-test-tls-XXXXXX";
    char cmd[1024], cert[256], url[128];
    struct seen a = {0}, b = {0}, c = {0};
    struct net_opts trust = {0}, insecure = { .insecure = true };
    struct net *nt, *ni;
    struct err e;
    pid_t srv;
    int port, lfd;

    if (run("command -v openssl >/dev/null 2>&1") != 0)
        skip();
    assert_non_null(mkdtemp(dir));
    snprintf(cmd, sizeof(cmd),
             "cd %s && openssl req -x509 -newkey rsa:2048 -nodes -keyout k.pem -out c.pem "
             "-days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 "
             ">/dev/null 2>&1", dir);
    assert_int_equal(run(cmd), 0);
    snprintf(cert, sizeof(cert), "%s/c.pem", dir);
    lfd = listen_any(&port);
    close(lfd);
    srv = fork();
    assert_true(srv >= 0);
    if (srv == 0) {
        char accept_arg[32], key[256];

        snprintf(accept_arg, sizeof(accept_arg), "127.0.0.1:%d", port);
        snprintf(key, sizeof(key), "%s/k.pem", dir);
        if (freopen("/dev/null", "w", stdout) == NULL || freopen("/dev/null", "w", stderr) == NULL)
            _exit(126);
        execlp("openssl", "openssl", "s_server", "-accept", accept_arg, "-cert", cert, "-key",
               key, "-www", "-quiet", (char *)NULL);
        _exit(127);
    }
    /* Wait until it listens. */
    for (int i = 0; i < 100; i++) {
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        int ok;

        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
        close(fd);
        if (ok)
            break;
        usleep(50000);
    }
    snprintf(url, sizeof(url), "https://127.0.0.1:%d/", port);
    /* Default: the self-signed certificate is refused. */
    assert_true(net_request(f->net, "GET", url, NULL, NULL, 0, 5000, on_done, &a, &e) != 0);
    run_until(f->net, &a.calls, 1, 6000);
    assert_int_equal(a.calls, 1);
    assert_int_equal(a.status, 0);
    assert_true(a.error[0] != '\0');
    /* --cacert: trusted. */
    trust.cacert = cert;
    nt = net_new(&trust, &e);
    assert_non_null(nt);
    assert_true(net_request(nt, "GET", url, NULL, NULL, 0, 5000, on_done, &b, &e) != 0);
    run_until(nt, &b.calls, 1, 6000);
    assert_int_equal(b.status, 200);
    /* --insecure: no checks. */
    ni = net_new(&insecure, &e);
    assert_non_null(ni);
    assert_true(net_request(ni, "GET", url, NULL, NULL, 0, 5000, on_done, &c, &e) != 0);
    run_until(ni, &c.calls, 1, 6000);
    assert_int_equal(c.status, 200);
    net_free(&nt);
    net_free(&ni);
    kill(srv, SIGKILL);
    waitpid(srv, NULL, 0);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    run(cmd);
    free(a.body);
    free(b.body);
    free(c.body);
}

/* ---- api over the fake API ---- */

/* Events and results an api test saw. */
struct api_seen {
    int conn_events;
    bool saw_reconnecting, saw_offline, back_online;
    int feed_batches, feed_events;
    int64_t feed_seq;
    char feed_type[64], feed_ticket[64];
    bool done;
    int calls;
    struct api_result r;      /* a copy of the last result's plain fields */
    struct ticket *ticket, *current;
    char health[16];
};

/* Record api events. */
static void
api_on_event(const struct api_event *ev, void *arg)
{
    struct api_seen *s = arg;

    if (ev->kind == API_EV_CONN) {
        s->conn_events++;
        if (ev->conn->state == API_RECONNECTING)
            s->saw_reconnecting = true;
        else if (ev->conn->state == API_OFFLINE)
            s->saw_offline = true;
        else if (s->saw_reconnecting)
            s->back_online = true;
    } else if (ev->kind == API_EV_FEED) {
        s->feed_batches++;
        s->feed_seq = ev->feed_seq;
        for (size_t i = 0; i < ev->n_events; i++) {
            s->feed_events++;
            str_copy(s->feed_type, sizeof(s->feed_type), ev->events[i].type);
            str_copy(s->feed_ticket, sizeof(s->feed_ticket), ev->events[i].ticket_id);
        }
    }
}

/* Record a call's result. */
static void
api_on_done(struct api_result *r, void *arg)
{
    struct api_seen *s = arg;

    s->done = true;
    s->calls++;
    s->r = *r;
    s->ticket = r->ticket;
    r->ticket = NULL;
    s->current = r->current;
    r->current = NULL;
    if (r->health.status != NULL)
        str_copy(s->health, sizeof(s->health), r->health.status);
    /* the payload pointers in the copy are not ours */
    memset(&s->r.page, 0, sizeof(s->r.page));
    memset(&s->r.kb, 0, sizeof(s->r.kb));
    memset(&s->r.session, 0, sizeof(s->r.session));
    memset(&s->r.health, 0, sizeof(s->r.health));
    s->r.ticket = s->r.current = NULL;
    s->r.article = NULL;
    s->r.meta = NULL;
    s->r.stats = NULL;
}

/* Run net and timers until *flag or max_ms. */
static void
api_run(struct net *net, struct timers *tm, const bool *flag, int max_ms)
{
    int64_t end = net_now_ms() + max_ms;

    while ((flag == NULL || !*flag) && net_now_ms() < end) {
        struct pollfd fds[64];
        size_t n = net_pollfds(net, fds, 64);
        int t = net_timeout_ms(net);
        int tt = timers_timeout(tm, net_now_ms());

        if (t < 0 || (tt >= 0 && tt < t))
            t = tt;
        if (t < 0 || t > 20)
            t = 20;
        poll(fds, n, t);
        net_dispatch(net, fds, n);
        timers_run(tm, net_now_ms());
    }
}

/* An api on the fake server with quick timings. */
static struct api *
fake_api(struct fixture *f, struct timers *tm, struct api_seen *s)
{
    char base[96];
    struct api_opts o = { .timeout_ms = 2000, .feed_wait_s = 1, .backoff_base_ms = 50,
                          .backoff_max_ms = 200, .offline_after_ms = 300 };
    struct api *api;
    struct err e;

    snprintf(base, sizeof(base), "%s/", f->base);
    o.base_url = base;
    timers_init(tm);
    api = api_new(f->net, tm, &o, api_on_event, s, &e);
    assert_non_null(api);
    api_set_token(api, "t0ken");
    return api;
}

/* Query strings are percent-encoded; the server's error comes back as err. */
static void
test_api_query_and_error(void **state)
{
    struct fixture *f = *state;
    struct api_ticket_query q = { .status = "accepted,dispatched", .caller_phone = "+86 139",
                                  .q = "噪音 & 施工", .updated_since = 1795338000, .limit = 20,
                                  .count = true };
    struct api_seen s = {0};
    struct timers tm;
    struct api *api = fake_api(f, &tm, &s);
    struct err e;

    assert_true(api_ticket_list(api, &q, api_on_done, &s, &e) != 0);
    api_run(f->net, &tm, &s.done, 5000);
    assert_int_equal(s.r.status, 400);
    assert_int_equal(s.r.code, HL_EINVAL);
    assert_string_equal(s.r.error_code, "invalid_parameter");
    assert_string_equal(s.r.err.msg, "/api/v1/tickets?status=accepted%2Cdispatched"
                        "&caller_phone=%2B86%20139&q=%E5%99%AA%E9%9F%B3%20%26%20%E6%96%BD%E5%B7%A5"
                        "&updated_since=2026-11-22T09%3A00%3A00Z&limit=20&count=1");
    assert_false(s.r.offline);
    assert_int_equal(api_conn(api)->state, API_ONLINE);
    api_free(&api);
    timers_fini(&tm);
}

/* A ticket with its ETag; junk and oversized answers are errors, not crashes. */
static void
test_api_ticket_decoding(void **state)
{
    struct fixture *f = *state;
    struct api_seen s = {0};
    struct timers tm;
    struct api *api = fake_api(f, &tm, &s);
    struct err e;

    assert_true(api_ticket_get(api, "HL1", api_on_done, &s, &e) != 0);
    api_run(f->net, &tm, &s.done, 5000);
    assert_int_equal(s.r.code, HL_OK);
    assert_string_equal(s.r.etag, "\"3\"");
    assert_non_null(s.ticket);
    assert_string_equal(s.ticket->id, "HL1");
    assert_int_equal(s.ticket->version, 3);
    assert_string_equal(s.ticket->description, "办理居住证需要什么材料？");
    ticket_free(&s.ticket);
    s.done = false;
    assert_true(api_ticket_get(api, "HLBAD", api_on_done, &s, &e) != 0);
    api_run(f->net, &tm, &s.done, 5000);
    assert_int_equal(s.r.code, HL_EINVAL);
    assert_null(s.ticket);
    assert_true(str_starts_with(s.r.err.msg, "the server sent an answer that is not JSON"));
    s.done = false;
    assert_true(api_ticket_get(api, "HLBIG", api_on_done, &s, &e) != 0);
    api_run(f->net, &tm, &s.done, 5000);
    assert_int_equal(s.r.code, HL_EIO);
    assert_int_equal(s.r.status, 0);
    assert_false(s.r.offline);
    assert_non_null(strstr(s.r.err.msg, "too large"));
    assert_int_equal(api_conn(api)->state, API_ONLINE);
    api_free(&api);
    timers_fini(&tm);
}

/* 412 brings the current ticket; 409 names the rule and when it becomes possible. */
static void
test_api_conflicts(void **state)
{
    struct fixture *f = *state;
    struct api_seen s = {0};
    struct timers tm;
    struct api *api = fake_api(f, &tm, &s);
    struct ticket *t = ticket_new();
    struct action_body b = { .action = ACTION_URGE };
    struct err e;
    hl_time want;

    t->id = xstrdup("HL412");
    t->channel = CHANNEL_PHONE;
    t->caller.phone = xstrdup("13800138000");
    t->description = xstrdup("x");
    assert_true(api_ticket_patch(api, t, 4, NULL, api_on_done, &s, &e) != 0);
    api_run(f->net, &tm, &s.done, 5000);
    assert_int_equal(s.r.status, 412);
    assert_int_equal(s.r.code, HL_ECONFLICT);
    assert_string_equal(s.r.error_code, "version_mismatch");
    assert_string_equal(s.r.err.msg, "the ticket is at version 5, not 4");
    assert_non_null(s.current);
    assert_string_equal(s.current->id, "HL412");
    assert_int_equal(s.current->version, 5);
    ticket_free(&s.current);
    s.done = false;
    assert_true(api_ticket_action(api, "HLRULE", 2, &b, api_on_done, &s, &e) != 0);
    api_run(f->net, &tm, &s.done, 5000);
    assert_int_equal(s.r.status, 409);
    assert_int_equal(s.r.code, HL_ERULE);
    assert_string_equal(s.r.rule, "12345:urge");
    assert_true(datetime_parse_rfc3339("2026-03-04T18:00:00+08:00", &want, NULL));
    assert_int_equal(s.r.possible_from, want);
    assert_string_equal(s.r.error_code, "urge_too_early");
    ticket_free(&t);
    api_free(&api);
    timers_fini(&tm);
}

/* 503 and silence: reconnecting, offline after a while, online when health answers. */
static void
test_api_reconnect_states(void **state)
{
    struct fixture *f = *state;
    struct api_seen s = {0};
    struct timers tm;
    struct api *api;
    struct err e;
    FILE *fp;
    int64_t end;

    api = fake_api(f, &tm, &s);
    fp = fopen(unavailable_flag, "w");
    assert_non_null(fp);
    fclose(fp);
    assert_true(api_health(api, api_on_done, &s, &e) != 0);
    api_run(f->net, &tm, &s.done, 5000);
    assert_int_equal(s.r.status, 503);
    assert_true(s.r.offline);
    assert_true(s.saw_reconnecting);
    assert_int_equal(api_conn(api)->state, API_RECONNECTING);
    assert_int_equal(api_conn(api)->attempt, 1);
    assert_true(api_conn(api)->next_try_ms > net_now_ms() - 1);
    assert_non_null(strstr(api_conn(api)->error, "503"));
    api_run(f->net, &tm, &s.saw_offline, 3000);
    assert_true(s.saw_offline);
    assert_int_equal(api_conn(api)->state, API_OFFLINE);
    assert_true(api_conn(api)->attempt >= 2);
    assert_true(api_conn(api)->since > 0);
    unlink(unavailable_flag);
    end = net_now_ms() + 3000;
    while (api_conn(api)->state != API_ONLINE && net_now_ms() < end)
        api_run(f->net, &tm, NULL, 20);
    assert_int_equal(api_conn(api)->state, API_ONLINE);
    assert_true(s.back_online);
    assert_int_equal(api_conn(api)->attempt, 0);
    assert_string_equal(api_conn(api)->error, "");
    api_free(&api);
    timers_fini(&tm);
}

/* The feed goes from its position, reports events and re-arms. */
static void
test_api_feed(void **state)
{
    struct fixture *f = *state;
    struct api_seen s = {0};
    struct timers tm;
    struct api *api = fake_api(f, &tm, &s);
    int64_t end;

    s.feed_seq = -1;
    api_feed_start(api, -1);
    end = net_now_ms() + 5000;
    while (s.feed_events == 0 && net_now_ms() < end)
        api_run(f->net, &tm, NULL, 20);
    assert_int_equal(s.feed_batches, 2);
    assert_int_equal(s.feed_events, 1);
    assert_int_equal(s.feed_seq, 6);
    assert_int_equal(api_feed_seq(api), 6);
    assert_string_equal(s.feed_type, "ticket.created");
    assert_string_equal(s.feed_ticket, "HL1");
    api_feed_stop(api);
    api_run(f->net, &tm, NULL, 100);
    api_free(&api);
    timers_fini(&tm);
}

/* api_free answers pending calls as cancelled at once; net frees them later. */
static void
test_api_free_pending(void **state)
{
    struct fixture *f = *state;
    struct api_seen s = {0}, s2 = {0};
    struct timers tm;
    struct api *api = fake_api(f, &tm, &s);
    struct err e;
    uint64_t id;

    assert_true(api_kb_get(api, "HANG", api_on_done, &s, &e) != 0);
    id = api_kb_get(api, "HANG", api_on_done, &s2, &e);
    assert_true(id != 0);
    api_run(f->net, &tm, NULL, 100);
    assert_true(api_cancel(api, id));
    api_run(f->net, &tm, &s2.done, 1000);
    assert_true(s2.r.cancelled);
    assert_int_equal(s2.calls, 1);
    assert_int_equal(s.calls, 0);
    api_free(&api);
    assert_int_equal(s.calls, 1);
    assert_true(s.r.cancelled);
    api_run(f->net, &tm, NULL, 50);
    assert_int_equal(s.calls, 1);
    timers_fini(&tm);
    /* Not signed in: calls that need the token do not start. */
    api = fake_api(f, &tm, &s);
    api_set_token(api, NULL);
    err_clear(&e);
    assert_int_equal(api_meta(api, api_on_done, &s, &e), 0);
    assert_string_equal(e.msg, "not signed in");
    api_free(&api);
    timers_fini(&tm);
    /* Bad server addresses are refused. */
    {
        struct api_opts o = { .base_url = "ftp://x" };

        assert_null(api_new(f->net, &tm, &o, NULL, NULL, &e));
        assert_null(api_new(f->net, &tm, NULL, NULL, NULL, &e));
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_get, setup, teardown),
        cmocka_unit_test_setup_teardown(test_methods_and_body, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keep_alive, setup, teardown),
        cmocka_unit_test_setup_teardown(test_body_cap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_status, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel, setup, teardown),
        cmocka_unit_test_setup_teardown(test_free_pending, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_watch_hooks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tls_verification, setup, teardown),
        cmocka_unit_test_setup_teardown(test_api_query_and_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_api_ticket_decoding, setup, teardown),
        cmocka_unit_test_setup_teardown(test_api_conflicts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_api_reconnect_states, setup, teardown),
        cmocka_unit_test_setup_teardown(test_api_feed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_api_free_pending, setup, teardown),
    };

    signal(SIGPIPE, SIG_IGN);
    /* Set before the server forks: the server reads it. */
    snprintf(unavailable_flag, sizeof(unavailable_flag), "/tmp/hotline-test-net-503-%d",
             (int)getpid());
    return cmocka_run_group_tests(tests, NULL, NULL);
}
