/* err: error values carried from where a failure is found to where it is shown. */
#include <stdio.h>
#include <string.h>

#include "hotline/err.h"
#include "hotline/util.h"

void
err_clear(struct err *e)
{
    if (e == NULL)
        return;
    e->code = HL_OK;
    e->field[0] = '\0';
    e->msg[0] = '\0';
}

int
err_setv(struct err *e, int code, const char *field, const char *fmt, va_list ap)
{
    char msg[1024];

    if (e == NULL)
        return code;
    e->code = code;
    str_copy(e->field, sizeof e->field, field != NULL ? field : "");
    /* Format long, then cut on a character boundary: a message stays valid UTF-8. */
    vsnprintf(msg, sizeof msg, fmt, ap);
    str_copy(e->msg, sizeof e->msg, msg);
    return code;
}

int
err_set(struct err *e, int code, const char *field, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    err_setv(e, code, field, fmt, ap);
    va_end(ap);
    return code;
}
