/* harness: run hotlined on a loopback port for API tests and talk to it with libcurl. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "hotline/util.h"

/* Longest response body kept by a client, bytes. */
#define HARNESS_BODY_MAX (16 * 1024 * 1024)
/* How long hotlined may take to print its ready line, milliseconds. */
#define HARNESS_READY_MS 10000
/* How long hotlined may take to exit after SIGTERM, milliseconds. */
#define HARNESS_STOP_MS 15000

/* One hotlined process with its temporary directory and a default client. */
struct harness {
    char tmpdir[256];               /* removed by harness_free */
    char db[320];                   /* <tmpdir>/t.db; with HOTLINE_TEST_STORE=pg the URI of
                                     * a fresh database on $HOTLINE_TEST_PG (dropped by
                                     * harness_free) */
    char log[320];                  /* <tmpdir>/log: the server's request log */
    char exe[1024];                 /* $HOTLINED */
    char data[1024];                /* $HOTLINE_DATA */
    const char *const *extra;       /* extra arguments after serve's (borrowed) */
    pid_t pid;                      /* 0 when not running */
    int out_fd;                     /* the server's stdout, open while it runs */
    int port;
    char base[64];                  /* "http://127.0.0.1:<port>" */
    char ready[512];                /* the ready line, without its newline */
    struct http_client *client;     /* used by http_get & co. */
};

/* A client: one libcurl easy handle, so its connection is kept alive between requests.
 * Use each client from one thread at a time. */
struct http_client {
    struct harness *h;              /* borrowed: the base URL is read at each request */
    CURL *curl;
};

/* What a request got back. */
struct http_reply {
    long status;                    /* 0 when the request failed below HTTP */
    char error[CURL_ERROR_SIZE];    /* libcurl's message when status is 0 */
    char etag[128];
    char location[512];
    char allow[128];
    char content_type[128];
    char cache_control[64];
    char connection[64];
    char request_id[128];
    struct strbuf body;
    cJSON *json;                    /* the body parsed, or NULL */
    double seconds;                 /* total time of the request */
    long connects;                  /* new connections made (0: an old one was reused) */
    long local_port;
};

/* Start hotlined (path from $HOTLINED) in a new temporary directory with
 * `--db <tmp>/t.db serve --listen 127.0.0.1:0 --data $HOTLINE_DATA --log <tmp>/log`
 * followed by extra (NULL-terminated, may be NULL; must stay valid for restarts), wait
 * for its ready line and learn the port. Fails the test with a clear message otherwise. */
struct harness *harness_start(const char *const *extra);
/* Send SIGTERM, wait for the exit and return the raw wait status (-1 on timeout, after
 * which the process is killed). */
int harness_terminate(struct harness *h);
/* Send SIGTERM and assert that hotlined exits with status 0 within HARNESS_STOP_MS. */
void harness_stop(struct harness *h);
/* Kill hotlined with SIGKILL and reap it. */
void harness_kill(struct harness *h);
/* Send a signal (e.g. SIGHUP) without waiting. */
void harness_signal(struct harness *h, int sig);
/* Start hotlined again on the same database and directory (after stop or kill). */
void harness_restart(struct harness *h);
/* Stop hotlined if it runs (asserting exit status 0), remove the temporary directory,
 * free and NULL. Accepts NULL. */
void harness_free(struct harness **h);
/* Run hotlined with args (NULL-terminated, without the program name) to completion,
 * at most timeout_ms; stdout and stderr are captured (cut to their sizes). Returns the
 * exit status, 128+signal when killed, or -1 on timeout. */
int harness_run(const char *const *args, char *out, size_t outsz, char *errout, size_t errsz,
                int timeout_ms);

/* A new client of h with its own connection. Free with http_client_free. */
struct http_client *http_client_new(struct harness *h);
/* Free a client and NULL the pointer; accepts NULL. */
void http_client_free(struct http_client **c);
/* One request: method, path (sent as is, no dot-segment squashing), extra header lines
 * ("Name: value", NULL-terminated, may be NULL), body of len bytes (NULL: none).
 * Fills r (http_reply_fini it) and returns the status (0 on a transport failure). */
long http_client_request(struct http_client *c, const char *method, const char *path,
                         const char *const *headers, const char *body, size_t len,
                         struct http_reply *r);
/* http_client_request on the harness's default client. */
long http_request(struct harness *h, const char *method, const char *path,
                  const char *const *headers, const char *body, size_t len,
                  struct http_reply *r);
/* GET path. */
long http_get(struct harness *h, const char *path, struct http_reply *r);
/* POST a JSON body (Content-Type: application/json). */
long http_post(struct harness *h, const char *path, const char *json, struct http_reply *r);
/* PATCH a JSON body with If-Match: if_match (NULL: none). */
long http_patch(struct harness *h, const char *path, const char *if_match, const char *json,
                struct http_reply *r);
/* Release what a reply holds and zero it. */
void http_reply_fini(struct http_reply *r);

/* Assert the error shape {"error":{"code","message","field"}} with this status and code;
 * field NULL asserts JSON null. */
void assert_error_reply(const struct http_reply *r, long status, const char *code,
                        const char *field);
/* Milliseconds of a monotonic clock. */
long long harness_now_ms(void);
