/* test_hostile: replay the hostile request corpus tests/api/hostile.tsv against a live
 * hotlined over raw sockets (so duplicate headers, bad request lines and NUL bytes go out
 * exactly as written), assert each status and the error shape, and that /health answers
 * after every line; then a slow-loris body that must be cut while other clients are served.
 *
 * hostile.tsv: one request per line, tab-separated:
 *   who  method  path  headers  body  status  code  what
 * who: none, agent, unit, sup, admin (whose token goes in Authorization unless the headers
 * have one). headers: "Name: value" lines joined by \n. "-" is an empty field. Escapes in
 * path, headers and body: \\ \t \n \r \0 \xHH; @rep(N,TEXT) is TEXT N times (TEXT may not
 * hold ')': write \x29). {TID} is a ticket made at start, {KB} an article, {PHONE} its
 * caller. Content-Type: application/json and Content-Length are added when a body is given
 * and the headers lack them; "Connection: close" always. method RAW: body is the whole
 * request, sent as is. code: the error code, "-" any code in the JSON error shape, "*"
 * an answer made by libmicrohttpd below the API (status only, its body is not ours), or
 * "~" for a 2xx whose body is not an error. status 0: no answer (the server closes the
 * connection or keeps waiting for more; read for 2 s). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config.h"
#include "fixture.h"
#include "harness.h"
#include "hotline/util.h"

#define PW FIXTURE_PW
#define CORPUS_MIN 200
#define EXPAND_MAX (4 * 1024 * 1024)

/* Whose token a request carries. */
enum as { AS_NONE, AS_AGENT, AS_UNIT, AS_SUP, AS_ADMIN, AS_COUNT };

static const char *const as_names[AS_COUNT] = { "none", "agent", "unit", "sup", "admin" };

/* The accounts, in the order of enum as (from AS_AGENT on). */
static const struct fixture_user accounts[] = {
    { "agent1", "x", "agent", NULL },
    { "u_water", "x", "unit", "water" },
    { "sup1", "x", "supervisor", NULL },
    { "admin1", "x", "admin", NULL },
};

struct world {
    struct harness *h;
    char tok[AS_COUNT][80];
    char tid[32];
    char kb[64];
    char phone[32];
};

static struct world *W;

/* ---- raw HTTP ---- */

/* A connected loopback socket to the server, or -1. */
static int
dial(int port)
{
    struct sockaddr_in a;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (fd < 0)
        return -1;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Send all of buf; false when the peer went away (it may answer and close early). */
static bool
send_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        buf += n;
        len -= (size_t)n;
    }
    return true;
}

/* Read until EOF or timeout_ms into sb (at most 1 MiB); false on timeout. */
static bool
read_all(int fd, struct strbuf *sb, int timeout_ms)
{
    long long deadline = harness_now_ms() + timeout_ms;
    char buf[8192];

    for (;;) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        long long left = deadline - harness_now_ms();
        ssize_t n;

        if (left <= 0)
            return false;
        if (poll(&p, 1, (int)left) <= 0)
            continue;
        n = recv(fd, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return true;   /* EOF or reset: what came is the answer */
        if (sb->len < 1024 * 1024)
            strbuf_add(sb, buf, (size_t)n);
    }
}

/* An answer: status (0 when none), its body and the body parsed. */
struct answer {
    long status;
    struct strbuf raw;
    const char *body;
    cJSON *json;
};

/* Split a raw response into status and body. */
static void
parse_answer(struct answer *a)
{
    const char *s = a->raw.buf, *sep;
    char *end;

    a->status = 0;
    a->body = "";
    if (s == NULL || strncmp(s, "HTTP/1.", 7) != 0 || a->raw.len < 12)
        return;
    a->status = strtol(s + 9, &end, 10);
    sep = strstr(s, "\r\n\r\n");
    if (sep != NULL) {
        a->body = sep + 4;
        a->json = cJSON_Parse(a->body);
    }
}

/* Send a whole request and read the answer (the server closes: Connection: close); with
 * may_hang, a server that keeps waiting for more is fine (read 2 s, status 0). */
static void
exchange(const char *req, size_t len, bool may_hang, struct answer *a)
{
    int fd = dial(W->h->port);

    memset(a, 0, sizeof *a);
    strbuf_init(&a->raw);
    if (fd < 0)
        fail_msg("cannot connect to hotlined: %s", strerror(errno));
    send_all(fd, req, len);
    if (!read_all(fd, &a->raw, may_hang ? 2000 : 15000) && !may_hang)
        fail_msg("no answer within 15 s to %.200s", req);
    close(fd);
    parse_answer(a);
}

/* Free an answer. */
static void
answer_fini(struct answer *a)
{
    cJSON_Delete(a->json);
    strbuf_fini(&a->raw);
    memset(a, 0, sizeof *a);
}

/* GET /health over a new connection: true when it answers 200 within 5 s. */
static bool
health_ok(void)
{
    static const char req[] = "GET /api/v1/health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
    struct answer a;
    int fd = dial(W->h->port);
    bool ok;

    memset(&a, 0, sizeof a);
    strbuf_init(&a.raw);
    if (fd < 0)
        return false;
    send_all(fd, req, sizeof req - 1);
    ok = read_all(fd, &a.raw, 5000);
    close(fd);
    parse_answer(&a);
    ok = ok && a.status == 200;
    answer_fini(&a);
    return ok;
}

/* ---- the corpus ---- */

/* Append the value of one hex digit, or -1. */
static int
hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Expand escapes, @rep(N,TEXT) and the {TID}/{KB}/{PHONE} names of a field into out. */
static void
expand(const char *in, size_t n, struct strbuf *out, int line)
{
    size_t i = 0;

    while (i < n) {
        char c = in[i];

        if (out->len > EXPAND_MAX)
            fail_msg("hostile.tsv:%d: a field expands beyond %d bytes", line, EXPAND_MAX);
        if (c == '@' && n - i > 5 && strncmp(in + i, "@rep(", 5) == 0) {
            const char *comma = memchr(in + i, ',', n - i), *close;
            long times;
            char num[16];
            struct strbuf unit;

            close = comma != NULL ? memchr(comma, ')', n - (size_t)(comma - in)) : NULL;
            if (comma == NULL || close == NULL || (size_t)(comma - in - i - 5) >= sizeof num)
                fail_msg("hostile.tsv:%d: bad @rep(", line);
            memcpy(num, in + i + 5, (size_t)(comma - in - i - 5));
            num[comma - in - i - 5] = '\0';
            if (!str_to_long(num, 0, EXPAND_MAX, &times))
                fail_msg("hostile.tsv:%d: bad @rep count '%s'", line, num);
            strbuf_init(&unit);
            expand(comma + 1, (size_t)(close - comma - 1), &unit, line);
            for (long k = 0; k < times; k++)
                strbuf_add(out, unit.buf != NULL ? unit.buf : "", unit.len);
            strbuf_fini(&unit);
            i = (size_t)(close - in) + 1;
            continue;
        }
        if (c == '{' && strncmp(in + i, "{TID}", 5) == 0 && n - i >= 5) {
            strbuf_adds(out, W->tid);
            i += 5;
            continue;
        }
        if (c == '{' && n - i >= 4 && strncmp(in + i, "{KB}", 4) == 0) {
            strbuf_adds(out, W->kb);
            i += 4;
            continue;
        }
        if (c == '{' && n - i >= 7 && strncmp(in + i, "{PHONE}", 7) == 0) {
            strbuf_adds(out, W->phone);
            i += 7;
            continue;
        }
        if (c != '\\' || i + 1 >= n) {
            strbuf_add(out, &c, 1);
            i++;
            continue;
        }
        c = in[i + 1];
        i += 2;
        switch (c) {
        case 't': strbuf_add(out, "\t", 1); break;
        case 'n': strbuf_add(out, "\n", 1); break;
        case 'r': strbuf_add(out, "\r", 1); break;
        case '0': strbuf_add(out, "", 1); break;
        case '\\': strbuf_add(out, "\\", 1); break;
        case 'x': {
            int hi = i < n ? hexval(in[i]) : -1, lo = i + 1 < n ? hexval(in[i + 1]) : -1;
            char b;

            if (hi < 0 || lo < 0)
                fail_msg("hostile.tsv:%d: bad \\x escape", line);
            b = (char)(hi * 16 + lo);
            strbuf_add(out, &b, 1);
            i += 2;
            break;
        }
        default:
            fail_msg("hostile.tsv:%d: unknown escape \\%c", line, c);
        }
    }
}

/* True when the header block (lines joined by \n) has a header called name. */
static bool
has_header(const char *headers, const char *name)
{
    size_t nl = strlen(name);
    const char *p = headers;

    while (p != NULL && *p != '\0') {
        if (strncasecmp(p, name, nl) == 0 && p[nl] == ':')
            return true;
        p = strchr(p, '\n');
        if (p != NULL)
            p++;
    }
    return false;
}

/* Build the request of one corpus line. */
static void
build_request(enum as w, const char *method, const struct strbuf *path,
              const struct strbuf *headers, const struct strbuf *body, bool has_body,
              struct strbuf *req)
{
    const char *hd = headers->buf != NULL ? headers->buf : "";
    const char *p = hd;
    char line[256];

    if (strcmp(method, "RAW") == 0) {
        strbuf_add(req, body->buf != NULL ? body->buf : "", body->len);
        return;
    }
    snprintf(line, sizeof line, "%s ", method);
    strbuf_adds(req, line);
    strbuf_add(req, path->buf != NULL ? path->buf : "", path->len);
    strbuf_adds(req, " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    if (w != AS_NONE && !has_header(hd, "Authorization")) {
        snprintf(line, sizeof line, "Authorization: Bearer %s\r\n", W->tok[w]);
        strbuf_adds(req, line);
    }
    if (has_body && !has_header(hd, "Content-Type"))
        strbuf_adds(req, "Content-Type: application/json\r\n");
    if (has_body && !has_header(hd, "Content-Length") && !has_header(hd, "Transfer-Encoding")) {
        snprintf(line, sizeof line, "Content-Length: %zu\r\n", body->len);
        strbuf_adds(req, line);
    }
    while (headers->len > 0 && p < hd + headers->len) {
        const char *nl = memchr(p, '\n', (size_t)(hd + headers->len - p));
        size_t len = nl != NULL ? (size_t)(nl - p) : (size_t)(hd + headers->len - p);

        strbuf_add(req, p, len);
        strbuf_adds(req, "\r\n");
        p += len + 1;
    }
    strbuf_adds(req, "\r\n");
    if (has_body)
        strbuf_add(req, body->buf != NULL ? body->buf : "", body->len);
}

/* Check the error shape {"error":{"code","message","field"}}; NULL when fine, else why. */
static const char *
shape_problem(const struct answer *a, const char *code)
{
    const cJSON *err, *c, *m, *f;

    if (a->json == NULL)
        return "the body is not JSON";
    err = cJSON_GetObjectItemCaseSensitive(a->json, "error");
    if (!cJSON_IsObject(err))
        return "no \"error\" object";
    c = cJSON_GetObjectItemCaseSensitive(err, "code");
    m = cJSON_GetObjectItemCaseSensitive(err, "message");
    f = cJSON_GetObjectItemCaseSensitive(err, "field");
    if (!cJSON_IsString(c) || !cJSON_IsString(m) || m->valuestring[0] == '\0')
        return "no string code and message";
    if (f == NULL || !(cJSON_IsString(f) || cJSON_IsNull(f)))
        return "no \"field\" (string or null)";
    if (strcmp(code, "-") != 0 && strcmp(c->valuestring, code) != 0)
        return "another error code";
    return NULL;
}

/* One field of a TSV line ("-" is empty). */
struct field {
    const char *s;
    size_t n;
};

/* Split line into at most max tab-separated fields; returns how many. */
static size_t
split(char *line, struct field *f, size_t max)
{
    size_t k = 0;
    char *p = line;

    while (k < max) {
        char *tab = strchr(p, '\t');

        f[k].s = p;
        f[k].n = tab != NULL ? (size_t)(tab - p) : strlen(p);
        if (f[k].n == 1 && p[0] == '-')
            f[k].n = 0;
        k++;
        if (tab == NULL)
            break;
        p = tab + 1;
    }
    return k;
}

/* Log every account in; make a ticket and an article the corpus names. */
static int
setup(void **state)
{
    static const char *const extra[] = { "--body-timeout", "2", NULL };

    struct http_reply r;
    char body[512], auth[128];
    const cJSON *v;
    size_t i;

    (void)state;
    W = calloc(1, sizeof *W);
    W->h = harness_start(extra);
    fixture_cli_unit_add(W->h, "water", "市自来水公司");
    fixture_cli_unit_add(W->h, "gas", "市燃气集团");
    for (i = 0; i < ARRAY_SIZE(accounts); i++) {
        fixture_cli_user_add(W->h, &accounts[i]);
        snprintf(body, sizeof body, "{\"user\":\"%s\",\"password\":\"" PW "\"}", accounts[i].id);
        http_post(W->h, "/api/v1/session", body, &r);
        v = cJSON_GetObjectItemCaseSensitive(r.json, "token");
        if (r.status != 200 || !cJSON_IsString(v))
            fail_msg("login %s: %ld", accounts[i].id, r.status);
        str_copy(W->tok[i + 1], sizeof W->tok[i + 1], v->valuestring);
        http_reply_fini(&r);
    }
    str_copy(W->phone, sizeof W->phone, "13900139000");
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", W->tok[AS_AGENT]);
    {
        const char *hd[] = { auth, "Content-Type: application/json", NULL };

        snprintf(body, sizeof body,
                 "{\"channel\":\"phone\",\"caller\":{\"phone\":\"%s\"},\"nature\":\"help\","
                 "\"description\":\"路灯不亮\"}", W->phone);
        http_request(W->h, "POST", "/api/v1/tickets", hd, body, strlen(body), &r);
        v = cJSON_GetObjectItemCaseSensitive(r.json, "id");
        if (r.status != 201 || !cJSON_IsString(v))
            fail_msg("create: %ld %s", r.status, r.body.buf != NULL ? r.body.buf : "");
        str_copy(W->tid, sizeof W->tid, v->valuestring);
        http_reply_fini(&r);
    }
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", W->tok[AS_SUP]);
    {
        const char *hd[] = { auth, "Content-Type: application/json", NULL };
        static const char kb[] = "{\"title\":\"停水查询\",\"kind\":\"guide\",\"scope\":\"national\","
                                 "\"body\":\"拨打自来水公司热线。\"}";

        http_request(W->h, "POST", "/api/v1/kb", hd, kb, sizeof kb - 1, &r);
        v = cJSON_GetObjectItemCaseSensitive(r.json, "id");
        if (r.status == 201 && cJSON_IsString(v))
            str_copy(W->kb, sizeof W->kb, v->valuestring);
        else if (r.status == 201 && cJSON_IsNumber(v))
            snprintf(W->kb, sizeof W->kb, "%lld", (long long)v->valuedouble);
        else
            fail_msg("kb create: %ld %s", r.status, r.body.buf != NULL ? r.body.buf : "");
        http_reply_fini(&r);
    }
    return 0;
}

/* Stop hotlined (asserting a clean exit: no leak under the sanitizers). */
static int
teardown(void **state)
{
    (void)state;
    harness_free(&W->h);
    free(W);
    W = NULL;
    return 0;
}

/* Every line of hostile.tsv gets its status and error shape; /health answers throughout. */
static void
test_corpus(void **state)
{
    const char *src = getenv("HOTLINE_SOURCE");
    char path[1100], *text, *line, *next;
    size_t len, cases = 0, failed = 0;
    int lineno = 0;

    (void)state;
    if (src == NULL)
        src = HOTLINE_SOURCE_DIR;
    snprintf(path, sizeof path, "%s/tests/api/hostile.tsv", src);
    text = file_read_all(path, 4 * 1024 * 1024, &len);
    if (text == NULL)
        fail_msg("cannot read %s: %s", path, strerror(errno));
    for (line = text; line != NULL && *line != '\0'; line = next) {
        struct field f[8] = {0};
        struct strbuf p, hd, body, req;
        struct answer a;
        enum as w = AS_COUNT;
        long want;
        char method[16], code[64], num[8];
        const char *why = NULL;
        size_t nf, k;

        next = strchr(line, '\n');
        if (next != NULL)
            *next++ = '\0';
        lineno++;
        if (line[0] == '#' || line[0] == '\0')
            continue;
        nf = split(line, f, 8);
        if (nf != 8)
            fail_msg("hostile.tsv:%d: %zu fields, expected 8", lineno, nf);
        for (k = 0; k < AS_COUNT; k++) {
            if (f[0].n == strlen(as_names[k]) && strncmp(f[0].s, as_names[k], f[0].n) == 0)
                w = (enum as)k;
        }
        if (w == AS_COUNT || f[1].n == 0 || f[1].n >= sizeof method || f[5].n >= sizeof num ||
            f[6].n >= sizeof code)
            fail_msg("hostile.tsv:%d: bad who, method, status or code", lineno);
        memcpy(method, f[1].s, f[1].n);
        method[f[1].n] = '\0';
        memcpy(num, f[5].s, f[5].n);
        num[f[5].n] = '\0';
        memcpy(code, f[6].s, f[6].n);
        code[f[6].n] = '\0';
        if (code[0] == '\0')
            str_copy(code, sizeof code, "-");
        if (!str_to_long(num, 0, 599, &want))
            fail_msg("hostile.tsv:%d: bad status '%s'", lineno, num);
        strbuf_init(&p);
        strbuf_init(&hd);
        strbuf_init(&body);
        strbuf_init(&req);
        expand(f[2].s, f[2].n, &p, lineno);
        expand(f[3].s, f[3].n, &hd, lineno);
        expand(f[4].s, f[4].n, &body, lineno);
        build_request(w, method, &p, &hd, &body, f[4].n > 0, &req);
        exchange(req.buf, req.len, want == 0, &a);
        cases++;
        if (a.status != want && !(want == 0 && a.status == 0))
            why = "another status";
        else if (want >= 400 && strcmp(code, "*") != 0)
            why = shape_problem(&a, code);
        if (why != NULL) {
            failed++;
            print_message("hostile.tsv:%d %.*s: expected %ld %s, got %ld (%s): %.300s\n", lineno,
                          (int)f[7].n, f[7].s, want, code, a.status, why, a.body);
        }
        answer_fini(&a);
        strbuf_fini(&p);
        strbuf_fini(&hd);
        strbuf_fini(&body);
        strbuf_fini(&req);
        if (!health_ok())
            fail_msg("hostile.tsv:%d: /health stopped answering after this line", lineno);
    }
    free(text);
    print_message("hostile corpus: %zu requests, %zu unexpected answers\n", cases, failed);
    assert_true(cases >= CORPUS_MIN);
    assert_int_equal(failed, 0);
}

/* A body sent a byte at a time is cut after --body-timeout (2 s here) while /health keeps
 * answering other clients; a whole request on the same server still works afterwards. */
static void
test_slow_loris(void **state)
{
    char head[512];
    struct strbuf got;
    long long start, cut_ms = -1;
    int fd, sent = 0, health = 0;

    (void)state;
    snprintf(head, sizeof head,
             "POST /api/v1/tickets HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer %s\r\n"
             "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n",
             W->tok[AS_AGENT]);
    fd = dial(W->h->port);
    assert_true(fd >= 0);
    assert_true(send_all(fd, head, strlen(head)));
    start = harness_now_ms();
    strbuf_init(&got);
    while (harness_now_ms() - start < 15000) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        char buf[512];

        if (!send_all(fd, "{", 1)) {
            cut_ms = harness_now_ms() - start;
            break;
        }
        sent++;
        if (poll(&p, 1, 0) == 1) {
            ssize_t n = recv(fd, buf, sizeof buf, 0);

            if (n <= 0) {
                cut_ms = harness_now_ms() - start;
                break;
            }
        }
        if (health_ok())
            health++;
        else
            fail_msg("/health did not answer while a slow body trickled in");
        usleep(250 * 1000);
    }
    close(fd);
    strbuf_fini(&got);
    print_message("slow loris: %d bytes sent, cut after %lld ms, /health answered %d times\n",
                  sent, cut_ms, health);
    assert_true(cut_ms > 0);
    assert_true(cut_ms < 6000);
    assert_true(health >= 3);
    assert_true(health_ok());
}

/* Run the tests. */
int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corpus),
        cmocka_unit_test(test_slow_loris),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
