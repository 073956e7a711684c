/* cli: what the operator commands share: --db, options, the store, passwords, tables. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "hotline/codec.h"
#include "hotline/model.h"
#include "hotline/text.h"
#include "hotline/util.h"
#include "auth.h"
#include "cli.h"
#include "cmd.h"

/* Take the global --db off the arguments. */
void
cli_take_db(int *argc, char ***argv, const char **db)
{
    *db = CLI_DEFAULT_DB;
    while (*argc >= 3 && strcmp((*argv)[0], "--db") == 0) {
        *db = (*argv)[1];
        *argc -= 2;
        *argv += 2;
    }
}

/* Tell whether an argument asks for help. */
bool
cli_is_help(const char *arg)
{
    return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

/* Print a usage error and return its exit code. */
int
cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;

    fputs("hotlined: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (try `hotlined %s --help`)\n", cmd);
    return EXIT_USAGE;
}

/* Print a runtime failure and return its exit code. */
int
cli_fail(const char *fmt, ...)
{
    va_list ap;

    fputs("hotlined: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return EXIT_RUNTIME;
}

/* Match one option with its value. */
int
cli_option(const char *cmd, int argc, char **argv, int *i, const char *name,
           const char **value)
{
    const char *arg = argv[*i];
    size_t n = strlen(name);

    if (strncmp(arg, name, n) != 0)
        return 0;
    if (arg[n] == '=') {
        *value = arg + n + 1;
    } else if (arg[n] == '\0') {
        if (*i + 1 >= argc) {
            cli_usage_error(cmd, "%s needs a value", name);
            return -1;
        }
        *i += 1;
        *value = argv[*i];
    } else {
        return 0;
    }
    if ((*value)[0] == '\0') {
        cli_usage_error(cmd, "%s needs a non-empty value", name);
        return -1;
    }
    return 1;
}

/* Load the zone and open the store. */
int
cli_store_open(struct cli_store *cs, const char *db, const char *tz_name)
{
    struct err e;

    memset(cs, 0, sizeof *cs);
    err_clear(&e);
    if (auth_init(&e) != HL_OK)
        return cli_fail("%s", e.msg);
    cs->tz = tz_load(tz_name != NULL ? tz_name : CLI_DEFAULT_TZ, &e);
    if (cs->tz == NULL) {
        fprintf(stderr, "hotlined: --tz: %s\n", e.msg);
        return EXIT_USAGE;
    }
    cs->store = store_open(db, cs->tz, &e);
    if (cs->store == NULL) {
        tz_free(&cs->tz);
        return cli_fail("%s", e.msg);
    }
    return 0;
}

/* Close the store and free the zone. */
void
cli_store_close(struct cli_store *cs)
{
    if (cs->store != NULL)
        cs->store->ops->close(cs->store);
    cs->store = NULL;
    tz_free(&cs->tz);
}

/* True when s is 1..MODEL_MAX_SHORT characters of valid UTF-8 without control characters
 * (and without spaces when no_space). */
static bool
valid_short(const char *s, bool no_space)
{
    size_t i, len;
    bool blank = true;

    if (s == NULL || s[0] == '\0')
        return false;
    len = strlen(s);
    if (!text_utf8_valid(s, len) || text_chars(s) > MODEL_MAX_SHORT)
        return false;
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c < 0x20 || c == 0x7f || (no_space && c == ' '))
            return false;
        if (c != ' ')
            blank = false;
    }
    return !blank;
}

/* Tell whether a string can be an id or code. */
bool
cli_valid_code(const char *s)
{
    return valid_short(s, true);
}

/* Tell whether a string can be a name. */
bool
cli_valid_name(const char *s)
{
    return valid_short(s, false);
}

/* Read a password from standard input. */
int
cli_read_password(const char *prompt, char *buf, size_t sz, struct err *e)
{
    struct termios old, quiet;
    bool tty = isatty(STDIN_FILENO) == 1, echo_off = false;
    size_t len;
    int rc = HL_OK;

    buf[0] = '\0';
    if (tty) {
        fprintf(stderr, "%s", prompt);
        fflush(stderr);
        if (tcgetattr(STDIN_FILENO, &old) == 0) {
            quiet = old;
            quiet.c_lflag &= ~(tcflag_t)ECHO;
            echo_off = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
        }
    }
    if (fgets(buf, (int)sz, stdin) == NULL) {
        rc = err_set(e, HL_EIO, "password",
                     "no password on standard input: give it as one line, e.g. "
                     "`printf '%%s\\n' \"$PW\" | hotlined user ...`");
        goto out;
    }
    len = strlen(buf);
    if (len > 0 && buf[len - 1] == '\n')
        buf[--len] = '\0';
    else if (len == sz - 1 && !feof(stdin)) {
        rc = err_set(e, HL_EINVAL, "password", "the password is longer than %d bytes",
                     AUTH_PASSWORD_MAX);
        goto out;
    }
    if (len > 0 && buf[len - 1] == '\r')
        buf[--len] = '\0';
    rc = auth_password_check(buf, e);
out:
    if (echo_off) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    if (rc != HL_OK)
        sodium_memzero(buf, sz);
    return rc;
}

/* Read all of standard input, at most max bytes. NULL with errno set on failure. */
static char *
read_stdin(size_t max, size_t *len)
{
    struct strbuf sb;
    char chunk[65536];
    size_t n;

    strbuf_init(&sb);
    while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0) {
        if (sb.len + n > max) {
            strbuf_fini(&sb);
            errno = EFBIG;
            return NULL;
        }
        strbuf_add(&sb, chunk, n);
    }
    if (ferror(stdin)) {
        strbuf_fini(&sb);
        errno = EIO;
        return NULL;
    }
    *len = sb.len;
    if (sb.buf == NULL)
        return xstrdup("");
    return strbuf_detach(&sb);
}

/* Read and decode a knowledge-base import file. */
int
cli_kb_load(const char *path, struct article **out, size_t *n)
{
    const char *shown = strcmp(path, "-") == 0 ? "standard input" : path;
    size_t len = 0;
    char *text;
    cJSON *root = NULL;
    struct err e;
    int rc;

    err_clear(&e);
    *out = NULL;
    *n = 0;
    text = strcmp(path, "-") == 0 ? read_stdin(CLI_IMPORT_MAX, &len)
                                  : file_read_all(path, CLI_IMPORT_MAX, &len);
    if (text == NULL) {
        if (errno == EFBIG)
            return cli_fail("%s: larger than %d MiB", shown, CLI_IMPORT_MAX / (1024 * 1024));
        return cli_fail("%s: %s", shown, strerror(errno));
    }
    root = codec_parse(text, len, &e);
    if (root == NULL) {
        rc = cli_fail("%s: %s", shown, e.msg);
        goto out;
    }
    *out = codec_article_list_decode(root, n, &e);
    if (*out == NULL) {
        rc = cli_fail("%s: %s", shown, e.msg);
        goto out;
    }
    rc = 0;
out:
    cJSON_Delete(root);
    free(text);
    return rc;
}

/* Save imported articles as published. */
int
cli_kb_save(struct store *st, struct article *arts, size_t n, size_t *done)
{
    struct err e;
    size_t i;

    err_clear(&e);
    *done = 0;
    for (i = 0; i < n; i++) {
        struct article *saved = NULL;

        /* times left 0: the store stamps them (a replaced article keeps created_at) */
        arts[i].status = KB_PUBLISHED;
        if (st->ops->article_put(st, &arts[i], &saved, &e) != HL_OK)
            return cli_fail("article %zu (%s): %s; %zu of %zu imported before it", i + 1,
                            arts[i].id != NULL ? arts[i].id : "without id", e.msg, *done, n);
        article_free(&saved);
        (*done)++;
    }
    return 0;
}

/* Start a table with its header. */
void
cli_table_init(struct cli_table *t, size_t ncols, const char *const *header)
{
    memset(t, 0, sizeof *t);
    t->ncols = ncols;
    cli_table_add(t, header);
}

/* Add a row to a table. */
void
cli_table_add(struct cli_table *t, const char *const *row)
{
    size_t c;

    t->cells = xrealloc(t->cells, (t->nrows + 1) * t->ncols * sizeof *t->cells);
    for (c = 0; c < t->ncols; c++)
        t->cells[t->nrows * t->ncols + c] = text_sanitize(row[c] != NULL ? row[c] : "-", 0);
    t->nrows++;
}

/* Print a table with aligned columns. */
void
cli_table_print(const struct cli_table *t, FILE *f)
{
    int *width = xcalloc(t->ncols, sizeof *width);
    size_t r, c;

    for (r = 0; r < t->nrows; r++) {
        for (c = 0; c < t->ncols; c++) {
            int w = text_width(t->cells[r * t->ncols + c]);

            if (w > width[c])
                width[c] = w;
        }
    }
    for (r = 0; r < t->nrows; r++) {
        for (c = 0; c < t->ncols; c++) {
            const char *cell = t->cells[r * t->ncols + c];
            int pad;

            fputs(cell, f);
            if (c + 1 == t->ncols)
                break;
            for (pad = width[c] - text_width(cell) + 2; pad > 0; pad--)
                fputc(' ', f);
        }
        fputc('\n', f);
    }
    free(width);
}

/* Release a table. */
void
cli_table_fini(struct cli_table *t)
{
    size_t i;

    for (i = 0; i < t->nrows * t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
    memset(t, 0, sizeof *t);
}
