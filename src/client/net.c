/* net: HTTP requests over one libcurl multi handle (socket API), never blocking. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "hotline/util.h"
#include "net.h"

/* Longest connect phase, ms (a dead host must not eat the whole timeout budget of a
 * short request either; capped by the request's own timeout). */
#define CONNECT_TIMEOUT_MS 5000
/* Longest method name accepted. */
#define METHOD_MAX 16

/* One request in flight. */
struct net_req {
    struct net *net;
    uint64_t id;
    CURL *easy;
    struct curl_slist *headers;
    char *body;
    struct strbuf resp;
    bool too_large;
    bool cancelled;
    char errbuf[CURL_ERROR_SIZE];
    char etag[256];
    char location[1024];
    char content_type[256];
    long retry_after;
    net_done_fn done;
    void *arg;
    int64_t started_ms;
    struct net_req *prev, *next;
};

/* One fd libcurl asked us to watch. */
struct net_sock {
    int fd;
    int events;      /* NET_IN | NET_OUT */
};

struct net {
    CURLM *multi;
    struct net_req *active;      /* added to the multi handle */
    struct net_req *cancelled;   /* removed, callback still due */
    size_t n_pending;
    struct net_sock *socks;
    size_t n_socks, cap_socks;
    int64_t timer_at;            /* monotonic ms of libcurl's timeout, -1 when none */
    uint64_t next_id;
    bool closing;
    bool insecure;
    char *cacert;
    char *user_agent;
    size_t body_max;
    net_watch_fn watch;
    net_timer_fn timer;
    void *hook_arg;
};

int64_t
net_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Index of fd in the socket table, or -1. */
static long
sock_find(const struct net *net, int fd)
{
    for (size_t i = 0; i < net->n_socks; i++) {
        if (net->socks[i].fd == fd)
            return (long)i;
    }
    return -1;
}

/* libcurl's socket callback: remember what to watch on s and tell the loop. */
static int
on_socket(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
    struct net *net = userp;
    long i = sock_find(net, (int)s);
    int events = 0;

    (void)easy;
    (void)socketp;
    if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
        events |= NET_IN;
    if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
        events |= NET_OUT;
    if (what == CURL_POLL_REMOVE || events == 0) {
        if (i >= 0) {
            net->socks[i] = net->socks[net->n_socks - 1];
            net->n_socks--;
        }
        events = 0;
    } else if (i >= 0) {
        net->socks[i].events = events;
    } else {
        if (net->n_socks == net->cap_socks) {
            net->cap_socks = net->cap_socks ? net->cap_socks * 2 : 8;
            net->socks = xrealloc(net->socks, net->cap_socks * sizeof(*net->socks));
        }
        net->socks[net->n_socks].fd = (int)s;
        net->socks[net->n_socks].events = events;
        net->n_socks++;
    }
    if (net->watch != NULL)
        net->watch((int)s, events, net->hook_arg);
    return 0;
}

/* libcurl's timer callback: remember when to call it back. */
static int
on_timer(CURLM *multi, long timeout_ms, void *userp)
{
    struct net *net = userp;

    (void)multi;
    net->timer_at = timeout_ms < 0 ? -1 : net_now_ms() + timeout_ms;
    if (net->timer != NULL)
        net->timer(timeout_ms, net->hook_arg);
    return 0;
}

/* Body data: keep it unless it passes the cap (then fail the transfer). */
static size_t
on_write(char *data, size_t size, size_t nmemb, void *userp)
{
    struct net_req *req = userp;
    size_t n = size * nmemb;

    if (n > req->net->body_max || req->resp.len > req->net->body_max - n) {
        req->too_large = true;
        return 0;
    }
    strbuf_add(&req->resp, data, n);
    return n;
}

/* Copy a header value without surrounding blanks and line ends. */
static void
copy_value(char *dst, size_t sz, const char *v, size_t n)
{
    while (n > 0 && (*v == ' ' || *v == '\t')) {
        v++;
        n--;
    }
    while (n > 0 && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' ' ||
                     v[n - 1] == '\t'))
        n--;
    if (n >= sz)
        n = sz - 1;
    memcpy(dst, v, n);
    dst[n] = '\0';
}

/* True when the header line starts with name followed by ':'. */
static bool
header_is(const char *line, size_t n, const char *name, size_t *vstart)
{
    size_t k = strlen(name);

    if (n <= k || line[k] != ':' || strncasecmp(line, name, k) != 0)
        return false;
    *vstart = k + 1;
    return true;
}

/* Header line: keep the few headers callers need; a status line starts afresh. */
static size_t
on_header(char *line, size_t size, size_t nmemb, void *userp)
{
    struct net_req *req = userp;
    size_t n = size * nmemb;
    size_t v = 0;

    if (n >= 5 && strncmp(line, "HTTP/", 5) == 0) {
        req->etag[0] = req->location[0] = req->content_type[0] = '\0';
        req->retry_after = -1;
    } else if (header_is(line, n, "ETag", &v)) {
        copy_value(req->etag, sizeof(req->etag), line + v, n - v);
    } else if (header_is(line, n, "Location", &v)) {
        copy_value(req->location, sizeof(req->location), line + v, n - v);
    } else if (header_is(line, n, "Content-Type", &v)) {
        copy_value(req->content_type, sizeof(req->content_type), line + v, n - v);
    } else if (header_is(line, n, "Retry-After", &v)) {
        char buf[32];
        long secs;

        copy_value(buf, sizeof(buf), line + v, n - v);
        req->retry_after = str_to_long(buf, 0, 86400L * 365, &secs) ? secs : -1;
    }
    return n;
}

/* Unlink req from a list. */
static void
list_remove(struct net_req **head, struct net_req *req)
{
    if (req->prev != NULL)
        req->prev->next = req->next;
    else
        *head = req->next;
    if (req->next != NULL)
        req->next->prev = req->prev;
    req->prev = req->next = NULL;
}

/* Push req at the end of a list. */
static void
list_append(struct net_req **head, struct net_req *req)
{
    struct net_req *p = *head;

    req->next = req->prev = NULL;
    if (p == NULL) {
        *head = req;
        return;
    }
    while (p->next != NULL)
        p = p->next;
    p->next = req;
    req->prev = p;
}

/* Free a request's resources (it is on no list and in no multi handle). */
static void
req_free(struct net_req *req)
{
    if (req->easy != NULL)
        curl_easy_cleanup(req->easy);
    curl_slist_free_all(req->headers);
    free(req->body);
    strbuf_fini(&req->resp);
    free(req);
}

/* Call the callback of a cancelled request and free it. */
static void
finish_cancelled(struct net_req *req)
{
    struct net_response r;

    memset(&r, 0, sizeof(r));
    r.id = req->id;
    r.cancelled = true;
    r.error = "cancelled";
    r.etag = r.location = r.content_type = "";
    r.retry_after = -1;
    r.body = "";
    r.elapsed_ms = net_now_ms() - req->started_ms;
    req->net->n_pending--;
    if (req->done != NULL)
        req->done(&r, req->arg);
    req_free(req);
}

/* Build the response of a transfer that libcurl finished with result rc, call the
 * callback and free the request. */
static void
finish(struct net_req *req, CURLcode rc)
{
    struct net_response r;
    char msg[CURL_ERROR_SIZE + 64];
    char *owned = NULL;
    long status = 0;

    memset(&r, 0, sizeof(r));
    r.id = req->id;
    if (rc == CURLE_OK) {
        curl_easy_getinfo(req->easy, CURLINFO_RESPONSE_CODE, &status);
        r.status = status;
        r.error = "";
    } else if (req->too_large || rc == CURLE_FILESIZE_EXCEEDED) {
        r.too_large = true;
        strbuf_reset(&req->resp);
        owned = xasprintf("response larger than the limit of %zu bytes", req->net->body_max);
        r.error = owned;
    } else {
        r.timed_out = rc == CURLE_OPERATION_TIMEDOUT;
        str_copy(msg, sizeof(msg), req->errbuf[0] != '\0' ? req->errbuf : curl_easy_strerror(rc));
        r.error = msg;
        strbuf_reset(&req->resp);
    }
    r.etag = req->etag;
    r.location = req->location;
    r.content_type = req->content_type;
    r.retry_after = req->retry_after;
    r.body = strbuf_str(&req->resp);
    r.len = req->resp.len;
    r.elapsed_ms = net_now_ms() - req->started_ms;
    req->net->n_pending--;
    if (req->done != NULL)
        req->done(&r, req->arg);
    free(owned);
    req_free(req);
}

/* Run the callbacks of cancelled requests and of transfers libcurl has finished. */
static void
drain(struct net *net)
{
    CURLMsg *msg;
    int left;

    while (net->cancelled != NULL) {
        struct net_req *req = net->cancelled;

        list_remove(&net->cancelled, req);
        finish_cancelled(req);
    }
    while ((msg = curl_multi_info_read(net->multi, &left)) != NULL) {
        struct net_req *req = NULL;
        CURLcode rc;

        if (msg->msg != CURLMSG_DONE)
            continue;
        rc = msg->data.result;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&req);
        curl_multi_remove_handle(net->multi, msg->easy_handle);
        if (req == NULL)
            continue;
        list_remove(&net->active, req);
        finish(req, rc);
    }
}

struct net *
net_new(const struct net_opts *opts, struct err *e)
{
    struct net_opts zero = {0};
    struct net *net;

    if (opts == NULL)
        opts = &zero;
    if (opts->cacert != NULL && access(opts->cacert, R_OK) != 0) {
        err_set(e, HL_EIO, "cacert", "%s: cannot read the CA file: %s", opts->cacert,
                strerror(errno));
        return NULL;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        err_set(e, HL_EIO, "", "libcurl could not start");
        return NULL;
    }
    net = xcalloc(1, sizeof(*net));
    net->multi = curl_multi_init();
    if (net->multi == NULL) {
        free(net);
        curl_global_cleanup();
        err_set(e, HL_EIO, "", "libcurl could not create a multi handle");
        return NULL;
    }
    net->timer_at = -1;
    net->next_id = 1;
    net->insecure = opts->insecure;
    net->cacert = xstrdup(opts->cacert);
    net->user_agent = xstrdup(opts->user_agent != NULL ? opts->user_agent : "hotline");
    net->body_max = opts->body_max ? opts->body_max : NET_BODY_MAX;
    curl_multi_setopt(net->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(net->multi, CURLMOPT_SOCKETDATA, net);
    curl_multi_setopt(net->multi, CURLMOPT_TIMERFUNCTION, on_timer);
    curl_multi_setopt(net->multi, CURLMOPT_TIMERDATA, net);
    curl_multi_setopt(net->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
                      opts->max_host_connections > 0 ? opts->max_host_connections
                                                     : (long)NET_MAX_HOST_CONNECTIONS);
    curl_multi_setopt(net->multi, CURLMOPT_MAXCONNECTS, 2L * NET_MAX_HOST_CONNECTIONS);
    return net;
}

void
net_free(struct net **pnet)
{
    struct net *net = pnet != NULL ? *pnet : NULL;

    if (net == NULL)
        return;
    net->closing = true;
    net->watch = NULL;
    net->timer = NULL;
    while (net->active != NULL) {
        struct net_req *req = net->active;

        list_remove(&net->active, req);
        curl_multi_remove_handle(net->multi, req->easy);
        finish_cancelled(req);
    }
    while (net->cancelled != NULL) {
        struct net_req *req = net->cancelled;

        list_remove(&net->cancelled, req);
        finish_cancelled(req);
    }
    curl_multi_cleanup(net->multi);
    curl_global_cleanup();
    free(net->socks);
    free(net->cacert);
    free(net->user_agent);
    free(net);
    *pnet = NULL;
}

/* True when s is a sane method token. */
static bool
method_ok(const char *m)
{
    size_t n = m != NULL ? strlen(m) : 0;

    if (n == 0 || n > METHOD_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (m[i] < 'A' || m[i] > 'Z')
            return false;
    }
    return true;
}

/* True when s has no line break (header injection). */
static bool
one_line(const char *s)
{
    return strpbrk(s, "\r\n") == NULL;
}

/* Set the method and body options of an easy handle. */
static void
set_method(struct net_req *req, const char *method, size_t len)
{
    CURL *c = req->easy;

    if (strcmp(method, "GET") == 0 && req->body == NULL) {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
        return;
    }
    if (strcmp(method, "HEAD") == 0) {
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
        return;
    }
    if (req->body != NULL || strcmp(method, "POST") == 0) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body != NULL ? req->body : "");
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(req->body ? len : 0));
    }
    if (strcmp(method, "POST") != 0)
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
}

uint64_t
net_request(struct net *net, const char *method, const char *url,
            const char *const *headers, const char *body, size_t len,
            long timeout_ms, net_done_fn done, void *arg, struct err *e)
{
    struct net_req *req = NULL;
    CURL *c;
    uint64_t id = 0;

    if (net == NULL || net->closing) {
        err_set(e, HL_EINVAL, "", "the network is shutting down");
        return 0;
    }
    if (!method_ok(method)) {
        err_set(e, HL_EINVAL, "method", "bad HTTP method");
        return 0;
    }
    if (url == NULL || !one_line(url) ||
        !(str_starts_with(url, "http://") || str_starts_with(url, "https://"))) {
        err_set(e, HL_EINVAL, "url", "the server address must start with http:// or https://");
        return 0;
    }
    if (timeout_ms <= 0)
        timeout_ms = NET_TIMEOUT_DEFAULT_MS;
    req = xcalloc(1, sizeof(*req));
    req->net = net;
    req->retry_after = -1;
    strbuf_init(&req->resp);
    req->done = done;
    req->arg = arg;
    req->started_ms = net_now_ms();
    for (size_t i = 0; headers != NULL && headers[i] != NULL; i++) {
        if (!one_line(headers[i]) || strchr(headers[i], ':') == NULL) {
            err_set(e, HL_EINVAL, "headers", "bad header line");
            goto out;
        }
        req->headers = curl_slist_append(req->headers, headers[i]);
    }
    req->headers = curl_slist_append(req->headers, "Expect:");
    if (body != NULL) {
        req->body = xmalloc(len + 1);
        memcpy(req->body, body, len);
        req->body[len] = '\0';
    }
    c = req->easy = curl_easy_init();
    if (c == NULL) {
        err_set(e, HL_EIO, "", "libcurl could not create a handle");
        goto out;
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PRIVATE, req);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                     timeout_ms < CONNECT_TIMEOUT_MS ? timeout_ms : (long)CONNECT_TIMEOUT_MS);
    curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, net->user_agent);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, req->headers);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, req);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, req);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, req->errbuf);
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)net->body_max);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, net->insecure ? 0L : 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, net->insecure ? 0L : 2L);
    if (net->cacert != NULL)
        curl_easy_setopt(c, CURLOPT_CAINFO, net->cacert);
    set_method(req, method, len);
    if (curl_multi_add_handle(net->multi, c) != CURLM_OK) {
        err_set(e, HL_EIO, "", "libcurl refused the request");
        goto out;
    }
    req->id = id = net->next_id++;
    list_append(&net->active, req);
    net->n_pending++;
    req = NULL;
out:
    if (req != NULL)
        req_free(req);
    return id;
}

bool
net_cancel(struct net *net, uint64_t id)
{
    struct net_req *req;

    if (net == NULL || id == 0)
        return false;
    for (req = net->active; req != NULL; req = req->next) {
        if (req->id == id)
            break;
    }
    if (req == NULL)
        return false;
    list_remove(&net->active, req);
    curl_multi_remove_handle(net->multi, req->easy);
    req->cancelled = true;
    list_append(&net->cancelled, req);
    if (net->timer != NULL)
        net->timer(0, net->hook_arg);
    return true;
}

size_t
net_pending(const struct net *net)
{
    return net != NULL ? net->n_pending : 0;
}

void
net_set_watch(struct net *net, net_watch_fn watch, net_timer_fn timer, void *arg)
{
    net->watch = watch;
    net->timer = timer;
    net->hook_arg = arg;
    if (watch != NULL) {
        for (size_t i = 0; i < net->n_socks; i++)
            watch(net->socks[i].fd, net->socks[i].events, arg);
    }
    if (timer != NULL) {
        int ms = net_timeout_ms(net);

        if (ms >= 0)
            timer(ms, arg);
    }
}

/* Tell libcurl about activity on fd. */
static void
socket_action(struct net *net, int fd, short revents)
{
    int mask = 0;
    int running;

    if (revents & POLLIN)
        mask |= CURL_CSELECT_IN;
    if (revents & POLLOUT)
        mask |= CURL_CSELECT_OUT;
    if (revents & (POLLERR | POLLHUP | POLLNVAL))
        mask |= CURL_CSELECT_ERR;
    curl_multi_socket_action(net->multi, fd, mask, &running);
}

/* Run libcurl's timeout when it is due. */
static void
run_timer(struct net *net, bool force)
{
    int running;

    if (net->timer_at < 0)
        return;
    if (!force && net_now_ms() + 1 < net->timer_at)
        return;
    net->timer_at = -1;
    curl_multi_socket_action(net->multi, CURL_SOCKET_TIMEOUT, 0, &running);
}

void
net_on_fd(struct net *net, int fd, short revents)
{
    if (sock_find(net, fd) >= 0)
        socket_action(net, fd, revents);
    drain(net);
}

void
net_on_timeout(struct net *net)
{
    run_timer(net, true);
    drain(net);
}

size_t
net_pollfds(const struct net *net, struct pollfd *fds, size_t max)
{
    size_t n = 0;

    for (size_t i = 0; i < net->n_socks && n < max; i++) {
        fds[n].fd = net->socks[i].fd;
        fds[n].events = (short)(((net->socks[i].events & NET_IN) ? POLLIN : 0) |
                                ((net->socks[i].events & NET_OUT) ? POLLOUT : 0));
        fds[n].revents = 0;
        n++;
    }
    return n;
}

int
net_timeout_ms(const struct net *net)
{
    int64_t left;

    if (net->cancelled != NULL)
        return 0;
    if (net->timer_at < 0)
        return -1;
    left = net->timer_at - net_now_ms();
    if (left <= 0)
        return 0;
    return left > 3600000 ? 3600000 : (int)left;
}

void
net_dispatch(struct net *net, const struct pollfd *fds, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (fds[i].revents != 0 && fds[i].fd >= 0 && sock_find(net, fds[i].fd) >= 0)
            socket_action(net, fds[i].fd, fds[i].revents);
    }
    run_timer(net, false);
    drain(net);
}

/* loop_source fds(): net's fds and timeout. */
static int
source_fds(void *arg, struct pollfd *out, int max, int *timeout_ms)
{
    struct net *net = arg;
    int t = net_timeout_ms(net);

    if (t >= 0 && (*timeout_ms < 0 || t < *timeout_ms))
        *timeout_ms = t;
    return max > 0 ? (int)net_pollfds(net, out, (size_t)max) : 0;
}

/* loop_source dispatch(): hand the revents to libcurl. */
static void
source_dispatch(void *arg, const struct pollfd *fds, int n)
{
    net_dispatch(arg, fds, n > 0 ? (size_t)n : 0);
}

void
net_loop_source(struct net *net, struct loop_source *out)
{
    out->fds = source_fds;
    out->dispatch = source_dispatch;
    out->arg = net;
}

bool
net_run_until_idle(struct net *net, int timeout_ms)
{
    int64_t end = timeout_ms < 0 ? -1 : net_now_ms() + timeout_ms;
    struct pollfd *fds = NULL;
    size_t cap = 0;
    bool ok = true;

    while (net->n_pending > 0) {
        size_t n;
        int wait = net_timeout_ms(net);

        if (end >= 0) {
            int64_t left = end - net_now_ms();

            if (left <= 0) {
                ok = false;
                break;
            }
            if (wait < 0 || wait > left)
                wait = (int)left;
        }
        if (wait < 0 || wait > 1000)
            wait = 1000;
        if (cap < net->n_socks + 1) {
            cap = net->n_socks + 8;
            fds = xrealloc(fds, cap * sizeof(*fds));
        }
        n = net_pollfds(net, fds, cap);
        if (poll(fds, n, wait) < 0 && errno != EINTR) {
            ok = false;
            break;
        }
        net_dispatch(net, fds, n);
    }
    free(fds);
    return ok;
}
