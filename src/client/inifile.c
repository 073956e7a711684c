/* inifile: INI parsing through inih with "file:line: message" errors for config and theme files. */
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hotline/util.h"
#include "i18n.h"
#include "inifile.h"

struct ctx {
    const char *pos;        /* next unread byte of the text */
    int line;               /* line of the text inih is working on */
    bool at_line_start;
    inifile_fn fn;
    void *user;
    int err_line;           /* line of the first handler error, 0 = none */
    struct err herr;
};

/* fgets over the in-memory text, counting lines. */
static char *
reader(char *str, int num, void *stream)
{
    struct ctx *c = stream;
    int n = 0;

    if (*c->pos == '\0' || num < 2)
        return NULL;
    if (c->at_line_start)
        c->line++;
    while (n < num - 1 && c->pos[0] != '\0') {
        str[n++] = *c->pos++;
        if (str[n - 1] == '\n')
            break;
    }
    str[n] = '\0';
    c->at_line_start = str[n - 1] == '\n';
    return str;
}

/* inih's handler: forward to the caller's, remembering the first error and its line. */
static int
handler(void *user, const char *section, const char *name, const char *value)
{
    struct ctx *c = user;
    struct err e;

    err_clear(&e);
    if (c->fn(c->user, section, name, value, &e))
        return 1;
    if (c->err_line == 0) {
        c->err_line = c->line;
        c->herr = e;
        if (c->herr.msg[0] == '\0')
            str_copy(c->herr.msg, sizeof c->herr.msg, _("invalid setting"));
    }
    return 0;
}

int
inifile_parse(const char *text, const char *where, inifile_fn fn, void *user, struct err *e)
{
    struct ctx c;
    char field[128];
    int rc;

    memset(&c, 0, sizeof c);
    c.pos = text;
    c.at_line_start = true;
    c.fn = fn;
    c.user = user;
    rc = ini_parse_stream(reader, &c, handler, &c);
    if (rc == 0)
        return HL_OK;
    if (rc < 0)
        return err_set(e, HL_EIO, where, _("%s: cannot parse (out of memory)"), where);
    if (c.err_line != 0 && c.err_line <= rc) {
        snprintf(field, sizeof field, "%s:%d", where, c.err_line);
        return err_set(e, HL_EINVAL, field, "%s: %s", field, c.herr.msg);
    }
    snprintf(field, sizeof field, "%s:%d", where, rc);
    return err_set(e, HL_EINVAL, field,
                   _("%s: syntax error (expected \"[section]\", \"name = value\" or a # comment)"),
                   field);
}

int
inifile_load(const char *path, inifile_fn fn, void *user, struct err *e)
{
    size_t len;
    char *text = file_read_all(path, INIFILE_MAX, &len);
    int rc;

    if (text == NULL) {
        if (errno == ENOENT)
            return err_set(e, HL_ENOENT, path, _("%s: no such file"), path);
        if (errno == EFBIG)
            return err_set(e, HL_EINVAL, path, _("%s: larger than %d KiB"), path, INIFILE_MAX / 1024);
        return err_set(e, HL_EIO, path, _("%s: cannot read: %s"), path, strerror(errno));
    }
    if (strlen(text) != len) {
        free(text);
        return err_set(e, HL_EINVAL, path, _("%s: contains a NUL byte (not a text file)"), path);
    }
    rc = inifile_parse(text, path, fn, user, e);
    free(text);
    return rc;
}
