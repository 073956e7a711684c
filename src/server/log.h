/* log: hotlined's access and event log, one line per request, thread-safe. */
#pragma once

#include <stdarg.h>

#include "hotline/err.h"
#include "hotline/tz.h"
#include "request.h"

struct log;

/* Open the log: append to path, or stderr when path is NULL. Times are written in tz
 * (borrowed, must outlive the log; NULL: UTC). NULL and e filled when path cannot be
 * opened. Free with log_free. */
struct log *log_open(const char *path, const struct tz *tz, struct err *e);
/* Close the log (not stderr); NULLs the pointer, accepts NULL. */
void log_free(struct log **lg);
/* Reopen the file after rotation (SIGHUP); on failure the old file stays in use. */
int log_reopen(struct log *lg, struct err *e);
/* Write one request line: time, method, path with query parameter names only, status
 * ("-" when none was sent), milliseconds with one decimal, user id or "-". pattern (may
 * be NULL) replaces the path when the path carries personal data. Bodies, header values
 * and query values are never written. */
void log_request(struct log *lg, const struct request *req, const char *pattern, int status,
                 double ms);
/* Write one event line "<time> <module>: <message>" (control characters escaped). */
void log_msg(struct log *lg, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* log_msg with a va_list. */
void log_msgv(struct log *lg, const char *module, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
/* Format a line for a request into buf (no newline); what log_request writes. */
void log_format_request(char *buf, size_t sz, const char *when, const struct request *req,
                        const char *pattern, int status, double ms);
