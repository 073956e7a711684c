/* log: hotlined's access and event log, one line per request, thread-safe. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hotline/datetime.h"
#include "hotline/util.h"
#include "log.h"

/* Longest line written, bytes (longer lines are cut, marked "..."). */
#define LINE_MAX_LEN 2048
/* Longest path or query text kept in a line, bytes. */
#define PATH_MAX_LEN 512

struct log {
    pthread_mutex_t lock;
    FILE *f;
    char *path;              /* NULL: stderr */
    const struct tz *tz;     /* borrowed */
};

/* Open path for appending, close-on-exec, line-buffered. */
static FILE *
open_append(const char *path, struct err *e)
{
    FILE *f = fopen(path, "ae");

    if (f == NULL) {
        err_set(e, HL_EIO, "log", "cannot open log file %s: %s", path, strerror(errno));
        return NULL;
    }
    setvbuf(f, NULL, _IOLBF, 0);
    return f;
}

/* Open the log. */
struct log *
log_open(const char *path, const struct tz *tz, struct err *e)
{
    struct log *lg;
    FILE *f = stderr;

    if (path != NULL) {
        f = open_append(path, e);
        if (f == NULL)
            return NULL;
    }
    lg = xcalloc(1, sizeof *lg);
    pthread_mutex_init(&lg->lock, NULL);
    lg->f = f;
    lg->path = xstrdup(path);
    lg->tz = tz;
    return lg;
}

/* Close the log (not stderr). */
void
log_free(struct log **lgp)
{
    struct log *lg;

    if (lgp == NULL || *lgp == NULL)
        return;
    lg = *lgp;
    if (lg->path != NULL)
        fclose(lg->f);
    else
        fflush(lg->f);
    pthread_mutex_destroy(&lg->lock);
    free(lg->path);
    free(lg);
    *lgp = NULL;
}

/* Reopen the file after rotation (SIGHUP). */
int
log_reopen(struct log *lg, struct err *e)
{
    FILE *f, *old;

    if (lg->path == NULL)
        return HL_OK;
    f = open_append(lg->path, e);
    if (f == NULL)
        return HL_EIO;
    pthread_mutex_lock(&lg->lock);
    old = lg->f;
    lg->f = f;
    pthread_mutex_unlock(&lg->lock);
    fclose(old);
    return HL_OK;
}

/* The current time as RFC 3339 in the log's zone. */
static void
now_text(const struct log *lg, char *buf, size_t sz)
{
    hl_time t = (hl_time)time(NULL);

    if (lg->tz != NULL)
        tz_format_rfc3339(lg->tz, t, buf, sz);
    else
        datetime_format_rfc3339(t, 0, buf, sz);
}

/* Append s to sb, percent-escaping spaces, controls, '%', '"', '?', '&' and '=' (so a
 * line always splits on spaces and a path cannot fake a query); stops after max bytes. */
static void
add_escaped(struct strbuf *sb, const char *s, size_t max)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t start = sb->len;

    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;

        if (sb->len - start >= max) {
            strbuf_adds(sb, "...");
            return;
        }
        if (c <= 0x20 || c == 0x7f || c == '%' || c == '"' || c == '?' || c == '&' || c == '=') {
            strbuf_addc(sb, '%');
            strbuf_addc(sb, hex[c >> 4]);
            strbuf_addc(sb, hex[c & 15]);
        } else {
            strbuf_addc(sb, (char)c);
        }
    }
}

/* Format a line for a request into buf (no newline). */
void
log_format_request(char *buf, size_t sz, const char *when, const struct request *req,
                   const char *pattern, int status, double ms)
{
    struct strbuf sb;
    size_t i;

    strbuf_init(&sb);
    strbuf_adds(&sb, when);
    strbuf_addc(&sb, ' ');
    add_escaped(&sb, req->method_name[0] != '\0' ? req->method_name : "-", 16);
    strbuf_addc(&sb, ' ');
    if (pattern != NULL)
        add_escaped(&sb, pattern, PATH_MAX_LEN);
    else if (req->path != NULL)
        add_escaped(&sb, req->path, PATH_MAX_LEN);
    else
        strbuf_addc(&sb, '-');
    for (i = 0; i < req->nquery; i++) {
        strbuf_addc(&sb, i == 0 ? '?' : '&');
        add_escaped(&sb, req->query[i].name, REQUEST_QNAME_MAX);
    }
    if (status > 0)
        strbuf_addf(&sb, " %d", status);
    else
        strbuf_adds(&sb, " -");
    strbuf_addf(&sb, " %.1fms ", ms);
    if (req->authed && !str_empty(req->user.id))
        add_escaped(&sb, req->user.id, 128);
    else
        strbuf_addc(&sb, '-');
    str_copy(buf, sz, sb.buf);
    strbuf_fini(&sb);
}

/* Write one line and flush it. */
static void
write_line(struct log *lg, const char *line)
{
    pthread_mutex_lock(&lg->lock);
    fputs(line, lg->f);
    fputc('\n', lg->f);
    fflush(lg->f);
    pthread_mutex_unlock(&lg->lock);
}

/* Write one request line. */
void
log_request(struct log *lg, const struct request *req, const char *pattern, int status,
            double ms)
{
    char when[40];
    char line[LINE_MAX_LEN];

    if (lg == NULL)
        return;
    now_text(lg, when, sizeof when);
    log_format_request(line, sizeof line, when, req, pattern, status, ms);
    write_line(lg, line);
}

/* log_msg with a va_list. */
void
log_msgv(struct log *lg, const char *module, const char *fmt, va_list ap)
{
    char when[40];
    char msg[LINE_MAX_LEN];
    char line[LINE_MAX_LEN + 64];
    size_t len, i;

    if (lg == NULL)
        return;
    vsnprintf(msg, sizeof msg, fmt, ap);
    len = strlen(msg);
    while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == '\r'))
        msg[--len] = '\0';
    for (i = 0; i < len; i++) {
        if ((unsigned char)msg[i] < 0x20 || msg[i] == 0x7f)
            msg[i] = '?';
    }
    now_text(lg, when, sizeof when);
    snprintf(line, sizeof line, "%s %s: %s", when, module, msg);
    write_line(lg, line);
}

/* Write one event line "<time> <module>. */
void
log_msg(struct log *lg, const char *module, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    log_msgv(lg, module, fmt, ap);
    va_end(ap);
}
