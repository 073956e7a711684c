/* err: error values carried from where a failure is found to where it is shown. */
#pragma once

#include <stdarg.h>

/* Status codes shared by every module. */
enum hl_status {
    HL_OK = 0,
    HL_EINVAL,      /* bad input: syntax, type, range */
    HL_ENOENT,      /* missing file, key or record */
    HL_ERANGE,      /* outside a loaded range (e.g. a calendar year) */
    HL_EIO,         /* read or write failed */
    HL_ERULE,       /* a workflow rule refuses */
    HL_ECONFLICT,   /* state or version conflict */
};

/* One error: a status, a field path when input was at fault, and a message for people. */
struct err {
    int code;          /* enum hl_status */
    char field[128];   /* JSON field path ("caller.phone"), "file:line", or "" */
    char msg[256];     /* human message, UTF-8, no trailing newline */
};

/* Reset an error to HL_OK with empty field and message. */
void err_clear(struct err *e);

/* Fill an error (e may be NULL); returns code so callers can `return err_set(...)`. */
int err_set(struct err *e, int code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Like err_set with a va_list. */
int err_setv(struct err *e, int code, const char *field, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));
