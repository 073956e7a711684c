/* fanout: how long a change takes to reach N long polls parked on hotlined's change feed.
 *
 * Usage: fanout --watch URL [--write URL] (--token TOKEN | --user USER --password PASS)
 *               [--watchers N] [--rounds R] [--wait S] [--settle MS] [--timeout MS] [-v]
 *
 * Parks N watchers (one keep-alive connection each, all driven by one poll loop) on
 * GET WATCH/api/v1/feed?since=<seq>&wait=S of the --watch server, starting at the feed's
 * current position (GET /api/v1/feed without since). Each round waits SETTLE ms (1000)
 * so that every poll is parked, then creates one ticket with POST WRITE/api/v1/tickets
 * (the --write server: the same one, or another instance on the same PostgreSQL
 * database) and times, for every watcher, the moment its answer carrying the new
 * ticket was read whole:
 *
 *   from POST sent      from just before the POST's first byte is written
 *   from POST answered  from the moment the POST's answer was read whole (the commit as
 *                       the writer sees it; a watcher may be answered first: negative)
 *
 * A watcher whose answer holds other changes (or none: the poll's wait ran out) is
 * re-parked at the answer's seq and keeps waiting; one that got the ticket is re-parked
 * at once too, as a console would. A round ends when every watcher has the ticket, or
 * fails after TIMEOUT ms (10000). Prints one line per round, then p50/p90/p99/max over
 * every delivery (nearest rank) and how many of N*R arrived. The token is --token,
 * else $HOTLINE_TOKEN, else a login (POST /api/v1/session) on the --write server.
 *
 * Exit status 0 when every watcher received every change; 1 on any error (connection
 * refused, an answer that is not 2xx, malformed HTTP or JSON, a timeout), with a message.
 * HTTP/1.1 over plain TCP (Content-Length or chunked answers, keep-alive, a closed idle
 * connection reopened once); libc only. A measuring tool, not a test.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

/* Largest answer read (a feed page holds at most 500 events). */
#define ANSWER_MAX (8u << 20)
/* Longest ticket id, token, host or path prefix kept. */
#define ID_MAX 128
#define TOKEN_MAX 512
#define HOST_MAX 256
/* Deepest JSON nesting accepted. */
#define JSON_DEPTH_MAX 64
/* File descriptors kept free beyond the watchers' sockets. */
#define SPARE_FDS 32

/* A growable byte buffer. */
struct buf {
    char *p;
    size_t len;
    size_t cap;
};

/* A server: where to connect and what to send as Host and before /api/v1. */
struct url {
    const char *text;                   /* as given */
    char host[HOST_MAX];                /* the Host header */
    char prefix[HOST_MAX];              /* the path before /api/v1, no trailing slash */
    struct sockaddr_storage addr;
    socklen_t addrlen;
};

/* Where a connection stands. */
enum conn_state {
    CONN_IDLE,                          /* no request under way (maybe closed) */
    CONN_CONNECTING,
    CONN_SENDING,
    CONN_READING,
};

/* One keep-alive HTTP/1.1 connection with at most one request under way. */
struct conn {
    const struct url *url;
    const char *what;                   /* for messages: "POST /api/v1/tickets", ... */
    int watcher;                        /* its watcher's index, -1 for the others */
    int fd;                             /* -1 when closed */
    enum conn_state state;
    struct buf req;                     /* the request, kept for one retry */
    size_t sent;
    struct buf in;                      /* the answer as read */
    struct buf body;                    /* its body, chunked coding removed */
    size_t head_len;                    /* bytes of the status line and headers, 0 until read */
    size_t chunk_pos;                   /* where chunked decoding goes on in in */
    int status;
    int64_t clen;                       /* Content-Length, -1 when absent */
    bool chunked;
    bool until_close;                   /* no length: the body ends with the connection */
    bool close_after;                   /* Connection: close, or HTTP/1.0 */
    bool done;                          /* the answer is whole */
    bool retried;
    unsigned answers;                   /* answers read on this socket */
    int64_t t_write;                    /* just before the request's first byte was written */
    int64_t t_done;                     /* when the answer was read whole */
};

/* A ticket id a watcher saw before the POST's answer told which one is ours. */
struct seen {
    char id[ID_MAX];
    int64_t t;
};

/* One parked long poll. */
struct watcher {
    struct conn c;
    int64_t since;                      /* the feed position it waits after */
    int64_t t_got;                      /* when the round's change reached it, 0 before */
    bool repark;                        /* answered: send the next poll after this pass */
    struct seen *seen;
    size_t nseen;
    size_t capseen;
};

/* The options. */
struct opts {
    const char *watch;
    const char *write;
    const char *token;
    const char *user;
    const char *password;
    long watchers;
    long rounds;
    long wait_s;
    long settle_ms;
    long timeout_ms;
    bool verbose;
};

/* The whole run. */
struct fanout {
    struct opts o;
    struct url watch;
    struct url write;
    char token[TOKEN_MAX];
    struct watcher *w;
    struct conn ctl;                    /* the --watch server: the feed's position */
    struct conn wr;                     /* the --write server: the login and the creates */
    bool measuring;                     /* the round's POST has been sent */
    char id[ID_MAX];                    /* the round's ticket, "" until the POST answered */
    long got;                           /* watchers that have it */
    double *ms_sent;                    /* every delivery, from POST sent */
    double *ms_answered;                /* the same, from POST answered */
    size_t nms;
    double *post_ms;                    /* each round's POST, sent to answered */
    struct pollfd *pfd;                 /* poll's array, one per connection */
    struct conn **who;                  /* the connection of each pfd */
};

/* Now, monotonic, in nanoseconds. */
static int64_t
now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Print an error and exit with status 1. */
__attribute__((format(printf, 1, 2), noreturn)) static void
die(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    fflush(stdout);
    fputs("fanout: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

/* Allocate or die. */
static void *
xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n != 0 ? n : 1);

    if (q == NULL)
        die("out of memory");
    return q;
}

/* Allocate n zeroed elements of size sz or die. */
static void *
xcalloc(size_t n, size_t sz)
{
    void *p = calloc(n != 0 ? n : 1, sz != 0 ? sz : 1);

    if (p == NULL)
        die("out of memory");
    return p;
}

/* Append n bytes to b. */
static void
buf_add(struct buf *b, const void *p, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap != 0 ? b->cap : 1024;

        while (b->len + n + 1 > cap)
            cap *= 2;
        b->p = xrealloc(b->p, cap);
        b->cap = cap;
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
    b->p[b->len] = '\0';
}

/* Append formatted text to b. */
__attribute__((format(printf, 2, 3))) static void
buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    char small[512];
    int n;

    va_start(ap, fmt);
    n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        die("vsnprintf failed");
    if ((size_t)n < sizeof small) {
        buf_add(b, small, (size_t)n);
        return;
    }
    buf_add(b, "", 0);
    if (b->len + (size_t)n + 1 > b->cap) {
        b->p = xrealloc(b->p, b->len + (size_t)n + 1);
        b->cap = b->len + (size_t)n + 1;
    }
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* Forget b's contents. */
static void
buf_clear(struct buf *b)
{
    b->len = 0;
    if (b->p != NULL)
        b->p[0] = '\0';
}

/* Free b's memory. */
static void
buf_free(struct buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

/* Copy at most 200 bytes of untrusted text into out, control characters as '.'. */
static void
printable(const char *p, size_t n, char *out, size_t outsz)
{
    size_t i, k = 0;

    for (i = 0; i < n && i < 200 && k + 4 < outsz; i++) {
        unsigned char ch = (unsigned char)p[i];

        out[k++] = ch < 0x20 || ch == 0x7f ? '.' : (char)ch;
    }
    if (i < n && k + 4 < outsz) {
        memcpy(out + k, "...", 3);
        k += 3;
    }
    out[k] = '\0';
}

/* ---- JSON, just enough: check a document, find members, decode strings and integers ---- */

/* Skip JSON whitespace. */
static const char *
json_ws(const char *p, const char *e)
{
    while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

/* The value of the hex digit ch, -1 when it is not one. */
static int
hex_digit(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* Four hex digits at p as a number, -1 when they are not. */
static long
hex4(const char *p, const char *e)
{
    long v = 0;

    if (e - p < 4)
        return -1;
    for (int i = 0; i < 4; i++) {
        int d = hex_digit(p[i]);

        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* Append the UTF-8 of code point cp to out[*k] (room permitting); false when out is full. */
static bool
put_utf8(char *out, size_t outsz, size_t *k, unsigned long cp)
{
    char u[4];
    size_t n;

    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xc0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3f));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xe0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[2] = (char)(0x80 | (cp & 0x3f));
        n = 3;
    } else {
        u[0] = (char)(0xf0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[3] = (char)(0x80 | (cp & 0x3f));
        n = 4;
    }
    if (out == NULL)
        return true;
    if (*k + n >= outsz)
        return false;
    memcpy(out + *k, u, n);
    *k += n;
    return true;
}

/* The end of the JSON string at p (after its closing quote), decoded into out (NUL-terminated)
 * when out is not NULL; NULL when malformed or longer than outsz - 1 bytes. */
static const char *
json_str(const char *p, const char *e, char *out, size_t outsz)
{
    size_t k = 0;

    if (p >= e || *p != '"')
        return NULL;
    for (p++; p < e; p++) {
        unsigned char ch = (unsigned char)*p;
        unsigned long cp;

        if (ch == '"') {
            if (out != NULL)
                out[k] = '\0';
            return p + 1;
        }
        if (ch < 0x20)
            return NULL;
        if (ch != '\\') {
            if (out != NULL) {
                if (k + 1 >= outsz)
                    return NULL;
                out[k++] = (char)ch;
            }
            continue;
        }
        if (++p >= e)
            return NULL;
        switch (*p) {
        case '"': cp = '"'; break;
        case '\\': cp = '\\'; break;
        case '/': cp = '/'; break;
        case 'b': cp = '\b'; break;
        case 'f': cp = '\f'; break;
        case 'n': cp = '\n'; break;
        case 'r': cp = '\r'; break;
        case 't': cp = '\t'; break;
        case 'u': {
            long hi = hex4(p + 1, e), lo;

            if (hi < 0)
                return NULL;
            p += 4;
            cp = (unsigned long)hi;
            if (hi >= 0xd800 && hi <= 0xdbff) {
                if (e - p < 7 || p[1] != '\\' || p[2] != 'u')
                    return NULL;
                lo = hex4(p + 3, e);
                if (lo < 0xdc00 || lo > 0xdfff)
                    return NULL;
                p += 6;
                cp = 0x10000 + (((unsigned long)hi - 0xd800) << 10) + ((unsigned long)lo - 0xdc00);
            } else if (hi >= 0xdc00 && hi <= 0xdfff) {
                return NULL;
            }
            break;
        }
        default:
            return NULL;
        }
        if (!put_utf8(out, outsz, &k, cp))
            return NULL;
    }
    return NULL;
}

/* The end of the JSON number at p; NULL when malformed. */
static const char *
json_num(const char *p, const char *e)
{
    const char *d;

    if (p < e && *p == '-')
        p++;
    if (p >= e || *p < '0' || *p > '9')
        return NULL;
    if (*p == '0')
        p++;
    else
        while (p < e && *p >= '0' && *p <= '9')
            p++;
    if (p < e && *p == '.') {
        d = ++p;
        while (p < e && *p >= '0' && *p <= '9')
            p++;
        if (p == d)
            return NULL;
    }
    if (p < e && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < e && (*p == '+' || *p == '-'))
            p++;
        d = p;
        while (p < e && *p >= '0' && *p <= '9')
            p++;
        if (p == d)
            return NULL;
    }
    return p;
}

/* The end of the JSON value at p (whitespace before it skipped); NULL when malformed. */
static const char *
json_skip(const char *p, const char *e, int depth)
{
    p = json_ws(p, e);
    if (p >= e || depth > JSON_DEPTH_MAX)
        return NULL;
    switch (*p) {
    case '"':
        return json_str(p, e, NULL, 0);
    case '{':
    case '[': {
        char close = *p == '{' ? '}' : ']';
        bool obj = *p == '{';

        p = json_ws(p + 1, e);
        if (p < e && *p == close)
            return p + 1;
        for (;;) {
            if (obj) {
                p = json_str(json_ws(p, e), e, NULL, 0);
                if (p == NULL)
                    return NULL;
                p = json_ws(p, e);
                if (p >= e || *p != ':')
                    return NULL;
                p++;
            }
            p = json_skip(p, e, depth + 1);
            if (p == NULL)
                return NULL;
            p = json_ws(p, e);
            if (p < e && *p == ',') {
                p++;
                continue;
            }
            if (p < e && *p == close)
                return p + 1;
            return NULL;
        }
    }
    case 't':
        return e - p >= 4 && memcmp(p, "true", 4) == 0 ? p + 4 : NULL;
    case 'f':
        return e - p >= 5 && memcmp(p, "false", 5) == 0 ? p + 5 : NULL;
    case 'n':
        return e - p >= 4 && memcmp(p, "null", 4) == 0 ? p + 4 : NULL;
    default:
        return json_num(p, e);
    }
}

/* True when [p, e) is one well-formed JSON value. */
static bool
json_valid(const char *p, const char *e)
{
    p = json_skip(p, e, 0);
    return p != NULL && json_ws(p, e) == e;
}

/* The value of member key of the (well-formed) object at p, NULL when it has none. */
static const char *
json_get(const char *p, const char *e, const char *key)
{
    char name[ID_MAX];

    p = json_ws(p, e);
    if (p >= e || *p != '{')
        return NULL;
    p = json_ws(p + 1, e);
    while (p < e && *p == '"') {
        const char *after = json_str(p, e, name, sizeof name);
        bool match = after != NULL && strcmp(name, key) == 0;

        if (after == NULL)                      /* a name too long to be key */
            after = json_str(p, e, NULL, 0);
        if (after == NULL)
            return NULL;
        p = json_ws(after, e);
        if (p >= e || *p != ':')
            return NULL;
        p = json_ws(p + 1, e);
        if (match)
            return p;
        p = json_skip(p, e, 1);
        if (p == NULL)
            return NULL;
        p = json_ws(p, e);
        if (p < e && *p == ',')
            p = json_ws(p + 1, e);
    }
    return NULL;
}

/* The JSON integer at p into *v; false when it is not a whole number in int64_t. */
static bool
json_int(const char *p, const char *e, int64_t *v)
{
    const char *end = p != NULL ? json_num(p, e) : NULL;
    int64_t x = 0;
    bool neg;

    if (end == NULL)
        return false;
    neg = *p == '-';
    for (p += neg; p < end; p++) {
        if (*p < '0' || *p > '9' || x > (INT64_MAX - 9) / 10)
            return false;
        x = x * 10 + (*p - '0');
    }
    *v = neg ? -x : x;
    return true;
}

/* ---- HTTP ---- */

/* Parse "http://HOST[:PORT][/PREFIX]" into u and resolve HOST. */
static void
url_parse(struct url *u, const char *text)
{
    const char *p = text, *host, *hend, *port = NULL, *path;
    char name[HOST_MAX], serv[16];
    struct addrinfo hints, *res = NULL;
    int rc;

    memset(u, 0, sizeof *u);
    u->text = text;
    if (strncmp(p, "http://", 7) != 0)
        die("%s: only http:// URLs are understood (http://HOST:PORT)", text);
    host = p + 7;
    path = host + strcspn(host, "/?#");
    if (*path != '\0' && *path != '/')
        die("%s: no query or fragment, please (http://HOST:PORT)", text);
    if (*host == '[') {
        hend = memchr(host, ']', (size_t)(path - host));
        if (hend == NULL)
            die("%s: unclosed [ in the host", text);
        if (hend + 1 < path && hend[1] == ':')
            port = hend + 2;
        else if (hend + 1 != path)
            die("%s: bad host", text);
        host++;
    } else {
        hend = memchr(host, ':', (size_t)(path - host));
        if (hend != NULL)
            port = hend + 1;
        else
            hend = path;
    }
    if (hend == host || (size_t)(hend - host) >= sizeof name)
        die("%s: empty or too long a host", text);
    memcpy(name, host, (size_t)(hend - host));
    name[hend - host] = '\0';
    if (port != NULL) {
        if (port == path || (size_t)(path - port) >= sizeof serv)
            die("%s: bad port", text);
        memcpy(serv, port, (size_t)(path - port));
        serv[path - port] = '\0';
    } else {
        memcpy(serv, "80", 3);
    }
    if ((size_t)(path - (text + 7)) >= sizeof u->host || strlen(path) >= sizeof u->prefix)
        die("%s: too long", text);
    memcpy(u->host, text + 7, (size_t)(path - (text + 7)));
    u->host[path - (text + 7)] = '\0';
    memcpy(u->prefix, path, strlen(path) + 1);
    while (u->prefix[0] != '\0' && u->prefix[strlen(u->prefix) - 1] == '/')
        u->prefix[strlen(u->prefix) - 1] = '\0';
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    rc = getaddrinfo(name, serv, &hints, &res);
    if (rc != 0)
        die("%s: cannot resolve %s port %s: %s", text, name, serv, gai_strerror(rc));
    if (res->ai_addrlen > sizeof u->addr)
        die("%s: address too long", text);
    memcpy(&u->addr, res->ai_addr, res->ai_addrlen);
    u->addrlen = res->ai_addrlen;
    freeaddrinfo(res);
}

/* Set up c, closed, for the server u. */
static void
conn_init(struct conn *c, const struct url *u, const char *what, int watcher)
{
    memset(c, 0, sizeof *c);
    c->url = u;
    c->what = what;
    c->watcher = watcher;
    c->fd = -1;
    c->state = CONN_IDLE;
}

/* Close c's socket. */
static void
conn_close(struct conn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    c->answers = 0;
}

/* Free c. */
static void
conn_free(struct conn *c)
{
    conn_close(c);
    buf_free(&c->req);
    buf_free(&c->in);
    buf_free(&c->body);
}

/* Open a non-blocking socket to c's server (connecting, or connected). */
static void
conn_open(struct conn *c)
{
    int one = 1;

    c->fd = socket(c->url->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0)
        die("socket: %s", strerror(errno));
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c->answers = 0;
    if (connect(c->fd, (const struct sockaddr *)&c->url->addr, c->url->addrlen) == 0) {
        c->state = CONN_SENDING;
    } else if (errno == EINPROGRESS) {
        c->state = CONN_CONNECTING;
    } else {
        die("cannot connect to %s: %s (is hotlined running there?)", c->url->text,
            strerror(errno));
    }
}

static void conn_retry(struct conn *c);

/* Write what the socket takes of the request; on the first byte, note the time. */
static void
conn_send(struct conn *c)
{
    while (c->sent < c->req.len) {
        ssize_t n;

        if (c->sent == 0 && c->t_write == 0)
            c->t_write = now_ns();
        n = send(c->fd, c->req.p + c->sent, c->req.len - c->sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n < 0 && (errno == EPIPE || errno == ECONNRESET) && c->answers > 0 && !c->retried) {
            conn_retry(c);                      /* the server closed it as we reused it */
            return;
        }
        if (n < 0)
            die("%s to %s: send: %s", c->what, c->url->text, strerror(errno));
        c->sent += (size_t)n;
    }
    c->state = CONN_READING;
}

/* Start (or, after a closed keep-alive connection, restart) the request in c->req; a
 * restart keeps the time of the first attempt. */
static void
conn_go(struct conn *c)
{
    c->sent = 0;
    c->done = false;
    c->head_len = 0;
    c->chunk_pos = 0;
    c->status = 0;
    c->clen = -1;
    c->chunked = c->until_close = c->close_after = false;
    buf_clear(&c->in);
    buf_clear(&c->body);
    if (c->fd < 0)
        conn_open(c);
    else
        c->state = CONN_SENDING;
    if (c->state == CONN_SENDING)
        conn_send(c);
}

/* Start the request METHOD PATH (after the server's prefix) with an optional JSON body. */
static void
conn_request(struct conn *c, const char *method, const char *path, const char *token,
             const char *extra, const char *json)
{
    buf_clear(&c->req);
    buf_printf(&c->req, "%s %s%s HTTP/1.1\r\nHost: %s\r\nAccept: application/json\r\n", method,
               c->url->prefix, path, c->url->host);
    if (token != NULL && token[0] != '\0')
        buf_printf(&c->req, "Authorization: Bearer %s\r\n", token);
    if (extra != NULL)
        buf_printf(&c->req, "%s\r\n", extra);
    if (json != NULL)
        buf_printf(&c->req, "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                   strlen(json), json);
    else
        buf_printf(&c->req, "\r\n");
    c->retried = false;
    c->t_write = 0;
    conn_go(c);
}

/* The server closed a reused keep-alive connection before answering: send once more. */
static void
conn_retry(struct conn *c)
{
    conn_close(c);
    c->retried = true;
    conn_go(c);
}

/* True when the comma-separated header value v holds token t (any case). */
static bool
header_has(const char *v, size_t n, const char *t)
{
    size_t tl = strlen(t);

    for (size_t i = 0; i + tl <= n; i++)
        if (strncasecmp(v + i, t, tl) == 0 && (i == 0 || v[i - 1] == ' ' || v[i - 1] == ',') &&
            (i + tl == n || v[i + tl] == ' ' || v[i + tl] == ',' || v[i + tl] == ';'))
            return true;
    return false;
}

/* Parse the status line and headers of c->in[0, head_len). */
static void
parse_head(struct conn *c)
{
    const char *p = c->in.p, *e = c->in.p + c->head_len - 2, *eol;
    char shown[256];

    if (c->head_len < 14 || memcmp(p, "HTTP/1.", 7) != 0 || p[8] != ' ' || p[9] < '1' ||
        p[9] > '5' || p[10] < '0' || p[10] > '9' || p[11] < '0' || p[11] > '9' ||
        (p[12] != ' ' && p[12] != '\r')) {
        printable(p, c->head_len, shown, sizeof shown);
        die("%s to %s: not an HTTP/1.x answer: %s", c->what, c->url->text, shown);
    }
    c->status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
    c->close_after = p[7] == '0';
    eol = memmem(p, (size_t)(e - p), "\r\n", 2);
    for (p = eol + 2; p < e; p = eol + 2) {
        const char *colon, *v, *ve;

        eol = memmem(p, (size_t)(e - p) + 2, "\r\n", 2);
        colon = memchr(p, ':', (size_t)(eol - p));
        if (colon == NULL)
            die("%s to %s: a header line without a colon", c->what, c->url->text);
        for (v = colon + 1; v < eol && (*v == ' ' || *v == '\t'); v++)
            ;
        for (ve = eol; ve > v && (ve[-1] == ' ' || ve[-1] == '\t'); ve--)
            ;
#define NAME_IS(s) ((size_t)(colon - p) == sizeof(s) - 1 && strncasecmp(p, s, sizeof(s) - 1) == 0)
        if (NAME_IS("Content-Length")) {
            int64_t n = 0;

            if (v == ve)
                die("%s to %s: empty Content-Length", c->what, c->url->text);
            for (const char *d = v; d < ve; d++) {
                if (*d < '0' || *d > '9' || n > (int64_t)ANSWER_MAX)
                    die("%s to %s: bad or too large Content-Length", c->what, c->url->text);
                n = n * 10 + (*d - '0');
            }
            if (c->clen >= 0 && c->clen != n)
                die("%s to %s: two different Content-Lengths", c->what, c->url->text);
            c->clen = n;
        } else if (NAME_IS("Transfer-Encoding")) {
            if (!header_has(v, (size_t)(ve - v), "chunked"))
                die("%s to %s: unknown Transfer-Encoding", c->what, c->url->text);
            c->chunked = true;
        } else if (NAME_IS("Connection")) {
            if (header_has(v, (size_t)(ve - v), "close"))
                c->close_after = true;
            else if (header_has(v, (size_t)(ve - v), "keep-alive"))
                c->close_after = false;
        }
#undef NAME_IS
    }
    if (c->chunked)
        c->clen = -1;
    c->until_close = !c->chunked && c->clen < 0 && c->status != 204 && c->status != 304;
    c->chunk_pos = c->head_len;
}

/* Decode the chunks read so far into c->body; true when the last one has been read. */
static bool
parse_chunks(struct conn *c)
{
    for (;;) {
        const char *p = c->in.p + c->chunk_pos, *e = c->in.p + c->in.len, *eol, *d;
        uint64_t size = 0;

        eol = memmem(p, (size_t)(e - p), "\r\n", 2);
        if (eol == NULL)
            return false;
        for (d = p; d < eol && *d != ';' && *d != ' ' && *d != '\t'; d++) {
            if (hex_digit(*d) < 0 || size > ANSWER_MAX)
                die("%s to %s: bad chunk size", c->what, c->url->text);
            size = size * 16 + (uint64_t)hex_digit(*d);
        }
        if (d == p)
            die("%s to %s: empty chunk size", c->what, c->url->text);
        if (size == 0) {
            const char *end = memmem(eol, (size_t)(e - eol), "\r\n\r\n", 4);

            if (end == NULL)
                return false;
            c->chunk_pos = (size_t)(end + 4 - c->in.p);
            return true;
        }
        if ((uint64_t)(e - (eol + 2)) < size + 2)
            return false;
        if (eol[2 + size] != '\r' || eol[3 + size] != '\n')
            die("%s to %s: a chunk not ended by CRLF", c->what, c->url->text);
        if (c->body.len + size > ANSWER_MAX)
            die("%s to %s: answer larger than %u bytes", c->what, c->url->text, ANSWER_MAX);
        buf_add(&c->body, eol + 2, (size_t)size);
        c->chunk_pos = (size_t)(eol + 4 + size - c->in.p);
    }
}

/* Check whether the answer in c->in is whole; when it is, fill c->body and mark it done. */
static void
parse_answer(struct conn *c, bool eof)
{
    size_t end;

    if (c->head_len == 0) {
        const char *h = memmem(c->in.p, c->in.len, "\r\n\r\n", 4);

        if (h == NULL) {
            if (c->in.len > 65536)
                die("%s to %s: headers longer than 64 KiB", c->what, c->url->text);
            return;
        }
        c->head_len = (size_t)(h + 4 - c->in.p);
        parse_head(c);
        if (c->status >= 100 && c->status < 200) {     /* 100 Continue and such: skip */
            memmove(c->in.p, c->in.p + c->head_len, c->in.len - c->head_len);
            c->in.len -= c->head_len;
            c->head_len = 0;
            parse_answer(c, eof);
            return;
        }
    }
    if (c->chunked) {
        if (!parse_chunks(c))
            return;
        end = c->chunk_pos;
    } else if (c->clen >= 0 || !c->until_close) {
        size_t n = c->clen >= 0 ? (size_t)c->clen : 0;

        if (c->in.len - c->head_len < n)
            return;
        buf_clear(&c->body);
        buf_add(&c->body, c->in.p + c->head_len, n);
        end = c->head_len + n;
    } else {
        if (!eof)
            return;
        buf_clear(&c->body);
        buf_add(&c->body, c->in.p + c->head_len, c->in.len - c->head_len);
        end = c->in.len;
        c->close_after = true;
    }
    if (end != c->in.len)
        die("%s to %s: %zu bytes after the answer (nothing was pipelined)", c->what,
            c->url->text, c->in.len - end);
    c->done = true;
    c->t_done = now_ns();
    c->state = CONN_IDLE;
    c->answers++;
    if (c->close_after)
        conn_close(c);
}

/* Read what c's socket has; parse the answer when there is one under way. */
static void
conn_read(struct conn *c)
{
    char chunk[65536];

    for (;;) {
        ssize_t n = recv(c->fd, chunk, sizeof chunk, 0);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n > 0 && c->state != CONN_READING)
            die("%s to %s: %zd bytes nobody asked for", c->what, c->url->text, n);
        if (n > 0) {
            if (c->in.len + (size_t)n > ANSWER_MAX + 65536)
                die("%s to %s: answer larger than %u bytes", c->what, c->url->text, ANSWER_MAX);
            buf_add(&c->in, chunk, (size_t)n);
            parse_answer(c, false);
            if (c->done || c->fd < 0)
                return;
            continue;
        }
        /* the end of the connection (0) or an error */
        if (c->state == CONN_IDLE) {                   /* an idle keep-alive closed: fine */
            conn_close(c);
            return;
        }
        if (c->state == CONN_READING && c->head_len != 0 && c->until_close && n == 0) {
            parse_answer(c, true);
            return;
        }
        if (c->in.len == 0 && c->answers > 0 && !c->retried) {
            conn_retry(c);                      /* the server closed it as we reused it */
            return;
        }
        die("%s to %s: the connection %s before the whole answer (%zu bytes read)", c->what,
            c->url->text, n == 0 ? "was closed" : strerror(errno), c->in.len);
    }
}

/* The connection finished connecting: check how, then write. */
static void
conn_connected(struct conn *c)
{
    int err = 0;
    socklen_t len = sizeof err;

    if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
        err = errno;
    if (err != 0)
        die("cannot connect to %s: %s (is hotlined running there?)", c->url->text,
            strerror(err));
    c->state = CONN_SENDING;
    conn_send(c);
}

/* ---- the run ---- */

/* Start watcher i's long poll after its position. */
static void
watcher_park(struct fanout *f, struct watcher *w)
{
    char path[128];

    snprintf(path, sizeof path, "/api/v1/feed?since=%" PRId64 "&wait=%ld", w->since, f->o.wait_s);
    conn_request(&w->c, "GET", path, f->token, NULL, NULL);
}

/* The answer of a non-2xx status, or malformed JSON: die with what the server said. */
static void
check_answer(const struct conn *c, int want)
{
    char shown[256];

    if (c->status == want && json_valid(c->body.p, c->body.p + c->body.len))
        return;
    printable(c->body.p != NULL ? c->body.p : "", c->body.len, shown, sizeof shown);
    if (c->status != want)
        die("%s to %s: HTTP %d (%d expected): %s", c->what, c->url->text, c->status, want,
            shown);
    die("%s to %s: the answer is not JSON: %s", c->what, c->url->text, shown);
}

/* Note that watcher w saw ticket id at t: the round's change, or one to look at later. */
static void
watcher_saw(struct fanout *f, struct watcher *w, const char *id, int64_t t)
{
    if (!f->measuring || w->t_got != 0)
        return;
    if (f->id[0] != '\0') {
        if (strcmp(id, f->id) == 0) {
            w->t_got = t;
            f->got++;
        }
        return;
    }
    if (w->nseen == w->capseen) {
        w->capseen = w->capseen != 0 ? w->capseen * 2 : 4;
        w->seen = xrealloc(w->seen, w->capseen * sizeof *w->seen);
    }
    snprintf(w->seen[w->nseen].id, sizeof w->seen[w->nseen].id, "%s", id);
    w->seen[w->nseen].t = t;
    w->nseen++;
}

/* A watcher's long poll answered: take its changes and position; re-park it later. */
static void
watcher_answered(struct fanout *f, struct watcher *w)
{
    const char *b = w->c.body.p, *e = b + w->c.body.len, *p;
    char id[ID_MAX];

    check_answer(&w->c, 200);
    if (!json_int(json_get(b, e, "seq"), e, &w->since))
        die("%s: the feed's answer has no integer seq", w->c.url->text);
    p = json_get(b, e, "events");
    if (p == NULL || *p != '[')
        die("%s: the feed's answer has no events array", w->c.url->text);
    p = json_ws(p + 1, e);
    while (p < e && *p != ']') {
        const char *tid = json_get(p, e, "ticket_id");

        if (tid != NULL && *tid == '"') {
            if (json_str(tid, e, id, sizeof id) == NULL)
                die("%s: a ticket_id longer than %d bytes", w->c.url->text, ID_MAX - 1);
            watcher_saw(f, w, id, w->c.t_done);
        }
        p = json_ws(json_skip(p, e, 1), e);
        if (p < e && *p == ',')
            p = json_ws(p + 1, e);
    }
    w->repark = true;
}

/* The round's POST answered: the ticket's id; the watchers that had it already get it. */
static void
post_answered(struct fanout *f)
{
    const char *b = f->wr.body.p, *e = b + f->wr.body.len, *p;

    check_answer(&f->wr, 201);
    p = json_get(b, e, "id");
    if (p == NULL || json_str(p, e, f->id, sizeof f->id) == NULL || f->id[0] == '\0')
        die("%s: the created ticket has no id", f->write.text);
    for (long i = 0; i < f->o.watchers; i++) {
        struct watcher *w = &f->w[i];

        for (size_t k = 0; k < w->nseen && w->t_got == 0; k++)
            if (strcmp(w->seen[k].id, f->id) == 0) {
                w->t_got = w->seen[k].t;
                f->got++;
            }
        w->nseen = 0;
    }
}

/* Wait up to until (ns) once for I/O on every connection and handle it. */
static void
pump(struct fanout *f, int64_t until)
{
    size_t n = (size_t)f->o.watchers + 2, k = 0;
    struct pollfd *pfd = f->pfd;
    struct conn **who = f->who;
    int64_t left = until - now_ns();
    int r;

    for (size_t i = 0; i < n; i++) {
        struct conn *c = i < 2 ? (i == 0 ? &f->ctl : &f->wr) : &f->w[i - 2].c;

        if (c->fd < 0)
            continue;
        pfd[k].fd = c->fd;
        pfd[k].revents = 0;
        pfd[k].events = c->state == CONN_CONNECTING || c->state == CONN_SENDING ? POLLOUT : POLLIN;
        who[k++] = c;
    }
    r = poll(pfd, k, left <= 0 ? 0 : (int)((left + 999999) / 1000000));
    if (r < 0 && errno != EINTR)
        die("poll: %s", strerror(errno));
    for (size_t i = 0; r > 0 && i < k; i++) {
        struct conn *c = who[i];

        if (pfd[i].revents == 0)
            continue;
        if (c->state == CONN_CONNECTING)
            conn_connected(c);
        else if (c->state == CONN_SENDING)
            conn_send(c);
        else
            conn_read(c);
        if (c->done && c->watcher >= 0) {
            c->done = false;
            watcher_answered(f, &f->w[c->watcher]);
        } else if (c->done && c == &f->wr && f->measuring && f->id[0] == '\0') {
            post_answered(f);
        }
    }
    for (long i = 0; i < f->o.watchers; i++)       /* after the pass: timestamps first */
        if (f->w[i].repark) {
            f->w[i].repark = false;
            watcher_park(f, &f->w[i]);
        }
}

/* Pump until c's answer is whole; die after the timeout. */
static void
wait_answer(struct fanout *f, struct conn *c)
{
    int64_t until = now_ns() + (int64_t)f->o.timeout_ms * 1000000;

    while (!c->done) {
        if (now_ns() >= until)
            die("%s to %s: no answer within %ld ms", c->what, c->url->text, f->o.timeout_ms);
        pump(f, until);
    }
}

/* Append s to b as a JSON string. */
static void
json_quote(struct buf *b, const char *s)
{
    buf_add(b, "\"", 1);
    for (; *s != '\0'; s++) {
        unsigned char ch = (unsigned char)*s;

        if (ch == '"' || ch == '\\')
            buf_printf(b, "\\%c", ch);
        else if (ch < 0x20)
            buf_printf(b, "\\u%04x", ch);
        else
            buf_add(b, s, 1);
    }
    buf_add(b, "\"", 1);
}

/* Log in on the --write server as --user / --password; the token into f->token. */
static void
login(struct fanout *f)
{
    struct buf body = {0};
    const char *p;

    buf_add(&body, "{\"user\":", 8);
    json_quote(&body, f->o.user);
    buf_add(&body, ",\"password\":", 12);
    json_quote(&body, f->o.password);
    buf_add(&body, "}", 1);
    f->wr.what = "POST /api/v1/session";
    conn_request(&f->wr, "POST", "/api/v1/session", NULL, NULL, body.p);
    buf_free(&body);
    wait_answer(f, &f->wr);
    check_answer(&f->wr, 200);
    p = json_get(f->wr.body.p, f->wr.body.p + f->wr.body.len, "token");
    if (p == NULL ||
        json_str(p, f->wr.body.p + f->wr.body.len, f->token, sizeof f->token) == NULL ||
        f->token[0] == '\0')
        die("%s: the login's answer has no token", f->write.text);
    f->wr.done = false;
}

/* The value at nearest rank q (0 < q <= 1) of the sorted v[0, n). */
static double
rank(const double *v, size_t n, double q)
{
    size_t k = (size_t)(q * (double)n + 0.999999);

    if (k < 1)
        k = 1;
    if (k > n)
        k = n;
    return v[k - 1];
}

/* Order doubles. */
static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* Print "p50 .. ms, p90 .., p99 .., max .." of v[0, n) (sorted here). */
static void
print_stats(double *v, size_t n)
{
    if (n == 0) {
        printf("p50 - ms, p90 - ms, p99 - ms, max - ms");
        return;
    }
    qsort(v, n, sizeof *v, cmp_double);
    printf("p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms", rank(v, n, 0.5), rank(v, n, 0.9),
           rank(v, n, 0.99), v[n - 1]);
}

/* Print the lines over every delivery so far, out of expected. */
static void
print_all(struct fanout *f, long rounds_done)
{
    long expected = f->o.watchers * f->o.rounds;
    double *post = xcalloc((size_t)rounds_done, sizeof *post);

    printf("all: %zu of %ld answers, ", f->nms, expected);
    print_stats(f->ms_sent, f->nms);
    printf(" (from POST sent)\n");
    printf("all: %zu of %ld answers, ", f->nms, expected);
    print_stats(f->ms_answered, f->nms);
    printf(" (from POST answered)\n");
    memcpy(post, f->post_ms, (size_t)rounds_done * sizeof *post);
    printf("POST: %ld creates, ", rounds_done);
    print_stats(post, (size_t)rounds_done);
    printf(" (sent to answered)\n");
    fflush(stdout);
    free(post);
}

/* One round: settle, create a ticket, wait for every watcher to have it; record and print. */
static void
round_run(struct fanout *f, long r)
{
    char json[640], key[96];
    int64_t until, t0, t1;
    double *mine = xcalloc((size_t)f->o.watchers, sizeof *mine);
    size_t n = 0;

    until = now_ns() + (int64_t)f->o.settle_ms * 1000000;
    while (now_ns() < until)
        pump(f, until);
    for (long i = 0; i < f->o.watchers; i++) {
        if (f->w[i].c.state != CONN_READING)
            die("watcher %ld is still %s after %ld ms of settling (raise --settle)", i,
                f->w[i].c.state == CONN_CONNECTING ? "connecting" : "sending its poll",
                f->o.settle_ms);
        f->w[i].t_got = 0;
        f->w[i].nseen = 0;
    }
    snprintf(json, sizeof json,
             "{\"channel\":\"phone\",\"nature\":\"complaint\",\"complaint_level\":2,"
             "\"category\":\"urban.env.social_noise\",\"title\":\"小区噪音\","
             "\"description\":\"feed fan-out measurement\",\"location\":\"幸福路88号\","
             "\"caller\":{\"name\":\"李\",\"salutation\":\"女士\",\"phone\":\"139%08ld\"}}",
             ((long)getpid() * 100 + r) % 100000000);
    snprintf(key, sizeof key, "Idempotency-Key: fanout-%ld-%lld-%ld", (long)getpid(),
             (long long)time(NULL), r);
    f->id[0] = '\0';
    f->got = 0;
    f->measuring = true;
    f->wr.what = "POST /api/v1/tickets";
    conn_request(&f->wr, "POST", "/api/v1/tickets", f->token, key, json);
    if (f->wr.done)                            /* cannot happen before a poll; be safe */
        post_answered(f);
    until = now_ns() + (int64_t)f->o.timeout_ms * 1000000;
    while ((!f->wr.done || f->got < f->o.watchers) && now_ns() < until)
        pump(f, until);
    f->measuring = false;
    t0 = f->wr.t_write;
    t1 = f->wr.t_done;
    if (!f->wr.done)
        die("round %ld: no answer to POST /api/v1/tickets from %s within %ld ms", r + 1,
            f->write.text, f->o.timeout_ms);
    f->post_ms[r] = (double)(t1 - t0) / 1e6;
    for (long i = 0; i < f->o.watchers; i++) {
        int64_t t = f->w[i].t_got;

        if (t == 0)
            continue;
        mine[n++] = (double)(t - t0) / 1e6;
        f->ms_sent[f->nms] = (double)(t - t0) / 1e6;
        f->ms_answered[f->nms++] = (double)(t - t1) / 1e6;
        if (f->o.verbose)
            printf("delivery round=%ld watcher=%ld from_sent_ms=%.3f from_answered_ms=%.3f\n",
                   r + 1, i, (double)(t - t0) / 1e6, (double)(t - t1) / 1e6);
    }
    printf("round %ld: %ld watchers, ", r + 1, f->o.watchers);
    print_stats(mine, n);
    printf(", missing %ld; POST answered at %.1f ms (ticket %s)\n", f->o.watchers - (long)n,
           f->post_ms[r], f->id);
    fflush(stdout);
    free(mine);
    if ((long)n < f->o.watchers) {
        print_all(f, r + 1);
        die("round %ld: %ld of %ld watchers did not receive ticket %s within %ld ms of the POST",
            r + 1, f->o.watchers - (long)n, f->o.watchers, f->id, f->o.timeout_ms);
    }
}

/* Raise the open-files limit to hold every watcher's socket. */
static void
raise_nofile(long watchers)
{
    struct rlimit rl;
    rlim_t need = (rlim_t)watchers + SPARE_FDS;

    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        die("getrlimit: %s", strerror(errno));
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur >= need)
        return;
    if (rl.rlim_cur == RLIM_INFINITY)
        return;
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need)
        die("%ld watchers need %llu open files; the hard limit is %llu (raise it: ulimit -Hn)",
            watchers, (unsigned long long)need, (unsigned long long)rl.rlim_max);
    rl.rlim_cur = need;
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
        die("setrlimit(RLIMIT_NOFILE, %llu): %s", (unsigned long long)need, strerror(errno));
}

/* Print the usage to out. */
static void
usage(FILE *out)
{
    fputs("usage: fanout --watch URL [--write URL] (--token TOKEN | --user USER --password PASS)\n"
          "              [--watchers N] [--rounds R] [--wait S] [--settle MS] [--timeout MS] [-v]\n"
          "  --watch URL     the server whose change feed the watchers poll (http://HOST:PORT)\n"
          "  --write URL     the server that takes the creates (default: --watch)\n"
          "  --token TOKEN   a session token (default: $HOTLINE_TOKEN, else a login)\n"
          "  --user, --password  log in on the --write server instead\n"
          "  --watchers N    parked long polls (200)      --rounds R   creates (5)\n"
          "  --wait S        each poll's wait= (30)\n"
          "  --settle MS     the pause before each create, for the polls to park (1000)\n"
          "  --timeout MS    longest wait for an answer or a delivery (10000)\n"
          "  -v              print every delivery\n",
          out);
}

/* The number in s within [lo, hi] for option name, or die. */
static long
number(const char *name, const char *s, long lo, long hi)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
        die("%s: %s is not a whole number from %ld to %ld", name, s, lo, hi);
    return v;
}

/* Parse the command line into o. */
static void
parse_args(struct opts *o, int argc, char **argv)
{
    o->watchers = 200;
    o->rounds = 5;
    o->wait_s = 30;
    o->settle_ms = 1000;
    o->timeout_ms = 10000;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = NULL, *eq;
        char name[32];

        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            exit(0);
        }
        if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
            o->verbose = true;
            continue;
        }
        if (strncmp(a, "--", 2) != 0) {
            usage(stderr);
            die("unexpected argument %s", a);
        }
        eq = strchr(a, '=');
        if (eq != NULL) {
            snprintf(name, sizeof name, "%.*s", (int)(eq - a < 31 ? eq - a : 31), a);
            v = eq + 1;
        } else {
            snprintf(name, sizeof name, "%s", a);
            if (i + 1 >= argc)
                die("%s needs a value", a);
            v = argv[++i];
        }
        if (strcmp(name, "--watch") == 0)
            o->watch = v;
        else if (strcmp(name, "--write") == 0)
            o->write = v;
        else if (strcmp(name, "--token") == 0)
            o->token = v;
        else if (strcmp(name, "--user") == 0)
            o->user = v;
        else if (strcmp(name, "--password") == 0)
            o->password = v;
        else if (strcmp(name, "--watchers") == 0)
            o->watchers = number(name, v, 1, 100000);
        else if (strcmp(name, "--rounds") == 0)
            o->rounds = number(name, v, 1, 100000);
        else if (strcmp(name, "--wait") == 0)
            o->wait_s = number(name, v, 1, 60);
        else if (strcmp(name, "--settle") == 0)
            o->settle_ms = number(name, v, 0, 600000);
        else if (strcmp(name, "--timeout") == 0)
            o->timeout_ms = number(name, v, 1, 600000);
        else {
            usage(stderr);
            die("unknown option %s", name);
        }
    }
    if (o->watch == NULL) {
        usage(stderr);
        die("--watch URL is required");
    }
    if (o->write == NULL)
        o->write = o->watch;
    if (o->token == NULL && o->user == NULL)
        o->token = getenv("HOTLINE_TOKEN");
    if (o->token == NULL && (o->user == NULL || o->password == NULL))
        die("give --token TOKEN (or HOTLINE_TOKEN), or --user USER --password PASS");
}

int
main(int argc, char **argv)
{
    struct fanout f;
    const char *p;
    int64_t until;

    memset(&f, 0, sizeof f);
    parse_args(&f.o, argc, argv);
    signal(SIGPIPE, SIG_IGN);
    raise_nofile(f.o.watchers);
    url_parse(&f.watch, f.o.watch);
    url_parse(&f.write, f.o.write);
    conn_init(&f.ctl, &f.watch, "GET /api/v1/feed", -1);
    conn_init(&f.wr, &f.write, "POST /api/v1/tickets", -1);
    f.w = xcalloc((size_t)f.o.watchers, sizeof *f.w);
    for (long i = 0; i < f.o.watchers; i++)
        conn_init(&f.w[i].c, &f.watch, "GET /api/v1/feed?since=", (int)i);
    f.ms_sent = xcalloc((size_t)(f.o.watchers * f.o.rounds), sizeof *f.ms_sent);
    f.ms_answered = xcalloc((size_t)(f.o.watchers * f.o.rounds), sizeof *f.ms_answered);
    f.post_ms = xcalloc((size_t)f.o.rounds, sizeof *f.post_ms);
    f.pfd = xcalloc((size_t)f.o.watchers + 2, sizeof *f.pfd);
    f.who = xcalloc((size_t)f.o.watchers + 2, sizeof *f.who);

    if (f.o.token != NULL) {
        if (strlen(f.o.token) >= sizeof f.token || strpbrk(f.o.token, " \t\r\n") != NULL)
            die("the token is too long or holds white space");
        memcpy(f.token, f.o.token, strlen(f.o.token) + 1);
    } else {
        login(&f);
    }

    /* where the feed stands: every watcher parks after it */
    conn_request(&f.ctl, "GET", "/api/v1/feed", f.token, NULL, NULL);
    wait_answer(&f, &f.ctl);
    check_answer(&f.ctl, 200);
    p = json_get(f.ctl.body.p, f.ctl.body.p + f.ctl.body.len, "seq");
    for (long i = 0; i < f.o.watchers; i++) {
        if (!json_int(p, f.ctl.body.p + f.ctl.body.len, &f.w[i].since))
            die("%s: the feed's answer has no integer seq", f.watch.text);
        watcher_park(&f, &f.w[i]);
    }
    conn_close(&f.ctl);
    until = now_ns() + (int64_t)f.o.timeout_ms * 1000000;
    for (long i = 0; i < f.o.watchers; i++)
        while (f.w[i].c.state == CONN_CONNECTING || f.w[i].c.state == CONN_SENDING) {
            if (now_ns() >= until)
                die("watcher %ld: could not send its poll to %s within %ld ms", i, f.watch.text,
                    f.o.timeout_ms);
            pump(&f, until);
        }

    for (long r = 0; r < f.o.rounds; r++)
        round_run(&f, r);
    print_all(&f, f.o.rounds);

    conn_free(&f.ctl);
    conn_free(&f.wr);
    for (long i = 0; i < f.o.watchers; i++) {
        conn_free(&f.w[i].c);
        free(f.w[i].seen);
    }
    free(f.w);
    free(f.ms_sent);
    free(f.ms_answered);
    free(f.post_ms);
    free(f.pfd);
    free(f.who);
    return 0;
}
