/* session: where the console keeps its bearer token, and the `hotline login` command. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "api.h"
#include "hotline/tz.h"
#include "hotline/util.h"
#include "net.h"
#include "session.h"
#include "timers.h"
#include "xdg.h"

/* Longest password read, bytes. */
#define PASSWORD_MAX 1024
/* Longest token accepted, bytes. */
#define TOKEN_MAX 512
/* How long `hotline login` waits for the server, ms. */
#define LOGIN_WAIT_MS 20000

void
session_info_fini(struct session_info *s)
{
    if (s->token != NULL)
        memset(s->token, 0, strlen(s->token));
    free(s->token);
    free(s->server);
    free(s->user);
    free(s->role);
    free(s->unit);
    free(s->name);
    free(s->source);
    memset(s, 0, sizeof(*s));
}

/* True when t can go into an Authorization header: printable ASCII, no blanks. */
static bool
token_ok(const char *t)
{
    size_t n = t != NULL ? strlen(t) : 0;

    if (n == 0 || n > TOKEN_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (t[i] <= ' ' || t[i] > '~')
            return false;
    }
    return true;
}

/* True when a value may be written on one line of the file. */
static bool
value_ok(const char *v)
{
    return v == NULL || (strpbrk(v, "\r\n") == NULL && strlen(v) < 1024);
}

char *
session_token_path(const char *override, bool create, struct err *e)
{
    char *dir, *path;

    if (!str_empty(override))
        return xstrdup(override);
    dir = xdg_app_dir(XDG_STATE, create, e);
    if (dir == NULL)
        return NULL;
    path = xasprintf("%s/token", dir);
    free(dir);
    return path;
}

/* Directory part of path into buf ("." when none). */
static void
dir_of(const char *path, char *buf, size_t sz)
{
    const char *slash = strrchr(path, '/');

    if (slash == NULL) {
        str_copy(buf, sz, ".");
    } else if (slash == path) {
        str_copy(buf, sz, "/");
    } else {
        size_t n = (size_t)(slash - path);

        if (n >= sz)
            n = sz - 1;
        memcpy(buf, path, n);
        buf[n] = '\0';
    }
}

/* Write all of buf to fd; false on error. */
static bool
write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        buf += n;
        len -= (size_t)n;
    }
    return true;
}

int
session_save(const char *path, const struct session_info *s, struct err *e)
{
    char dir[PATH_MAX], when[40];
    struct strbuf sb;
    char *tmp = NULL;
    int fd = -1, dfd, rc = HL_OK;

    if (!token_ok(s->token))
        return err_set(e, HL_EINVAL, "token", "the server's token has characters that cannot "
                       "be sent back");
    if (!value_ok(s->server) || !value_ok(s->user) || !value_ok(s->role) ||
        !value_ok(s->unit) || !value_ok(s->name))
        return err_set(e, HL_EINVAL, "token", "a session value has a line break");
    dir_of(path, dir, sizeof(dir));
    if (xdg_mkdirs(dir, 0700) != 0)
        return err_set(e, HL_EIO, "token", "%s: cannot create the directory: %s", dir,
                       strerror(errno));
    strbuf_init(&sb);
    if (s->server != NULL)
        strbuf_addf(&sb, "server=%s\n", s->server);
    if (s->user != NULL)
        strbuf_addf(&sb, "user=%s\n", s->user);
    if (s->role != NULL)
        strbuf_addf(&sb, "role=%s\n", s->role);
    if (s->unit != NULL)
        strbuf_addf(&sb, "unit=%s\n", s->unit);
    if (s->name != NULL)
        strbuf_addf(&sb, "name=%s\n", s->name);
    if (s->expires_at != 0) {
        datetime_format_rfc3339(s->expires_at, 0, when, sizeof(when));
        strbuf_addf(&sb, "expires_at=%s\n", when);
    }
    strbuf_addf(&sb, "token=%s\n", s->token);
    tmp = xasprintf("%s.tmp-XXXXXX", path);
    fd = mkstemp(tmp);
    if (fd < 0) {
        rc = err_set(e, HL_EIO, "token", "%s: %s", path, strerror(errno));
        goto out;
    }
    if (fchmod(fd, 0600) != 0 || !write_all(fd, sb.buf, sb.len) || fsync(fd) != 0) {
        rc = err_set(e, HL_EIO, "token", "%s: cannot write: %s", tmp, strerror(errno));
        goto out;
    }
    if (close(fd) != 0) {
        fd = -1;
        rc = err_set(e, HL_EIO, "token", "%s: cannot write: %s", tmp, strerror(errno));
        goto out;
    }
    fd = -1;
    if (rename(tmp, path) != 0) {
        rc = err_set(e, HL_EIO, "token", "%s: cannot replace: %s", path, strerror(errno));
        goto out;
    }
    dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
out:
    if (fd >= 0)
        close(fd);
    if (rc != HL_OK && tmp != NULL)
        unlink(tmp);
    free(tmp);
    if (sb.buf != NULL)
        memset(sb.buf, 0, sb.len);
    strbuf_fini(&sb);
    return rc;
}

/* Set *dst to a copy of v. */
static void
set(char **dst, const char *v)
{
    free(*dst);
    *dst = xstrdup(v);
}

int
session_load(const char *path, struct session_info *out, struct err *e)
{
    struct stat st;
    char *text = NULL, *line, *next;
    size_t len = 0;
    int rc = HL_OK;

    memset(out, 0, sizeof(*out));
    if (stat(path, &st) != 0) {
        if (errno == ENOENT)
            return err_set(e, HL_ENOENT, "token", "%s: not signed in (no token file); run "
                           "hotline login", path);
        return err_set(e, HL_EIO, "token", "%s: %s", path, strerror(errno));
    }
    if (!S_ISREG(st.st_mode))
        return err_set(e, HL_EINVAL, "token", "%s: not a regular file", path);
    if ((st.st_mode & 077) != 0)
        return err_set(e, HL_EINVAL, "token", "%s: other users may read this token file; run "
                       "chmod 600 %s", path, path);
    text = file_read_all(path, SESSION_FILE_MAX, &len);
    if (text == NULL)
        return err_set(e, HL_EIO, "token", "%s: %s", path, strerror(errno));
    for (line = text; line != NULL && *line != '\0'; line = next) {
        char *eq;

        next = strchr(line, '\n');
        if (next != NULL)
            *next++ = '\0';
        eq = strchr(line, '=');
        if (eq == NULL)
            continue;
        *eq = '\0';
        if (strcmp(line, "token") == 0) {
            set(&out->token, eq + 1);
        } else if (strcmp(line, "server") == 0) {
            set(&out->server, eq + 1);
        } else if (strcmp(line, "user") == 0) {
            set(&out->user, eq + 1);
        } else if (strcmp(line, "role") == 0) {
            set(&out->role, eq + 1);
        } else if (strcmp(line, "unit") == 0) {
            set(&out->unit, eq + 1);
        } else if (strcmp(line, "name") == 0) {
            set(&out->name, eq + 1);
        } else if (strcmp(line, "expires_at") == 0) {
            hl_time t;

            if (datetime_parse_rfc3339(eq + 1, &t, NULL))
                out->expires_at = t;
        }
    }
    if (!token_ok(out->token)) {
        session_info_fini(out);
        rc = err_set(e, HL_EINVAL, "token", "%s: no usable token in the file; run hotline "
                     "login", path);
    } else {
        out->source = xstrdup(path);
    }
    memset(text, 0, len);
    free(text);
    return rc;
}

int
session_forget(const char *path, struct err *e)
{
    if (unlink(path) != 0 && errno != ENOENT)
        return err_set(e, HL_EIO, "token", "%s: %s", path, strerror(errno));
    return HL_OK;
}

int
session_resolve(const char *token_file, struct session_info *out, struct err *e)
{
    const char *env = getenv("HOTLINE_TOKEN");
    char *path;
    int rc;

    memset(out, 0, sizeof(*out));
    if (str_empty(token_file) && !str_empty(env)) {
        if (!token_ok(env))
            return err_set(e, HL_EINVAL, "HOTLINE_TOKEN", "HOTLINE_TOKEN is not a token "
                           "(printable characters without blanks)");
        out->token = xstrdup(env);
        out->source = xstrdup("HOTLINE_TOKEN");
        return HL_OK;
    }
    path = session_token_path(token_file, false, e);
    if (path == NULL)
        return HL_ENOENT;
    rc = session_load(path, out, e);
    free(path);
    return rc;
}

/* ---- hotline login ---- */

/* What the login callback leaves for the command. */
struct login_wait {
    bool done;
    int code;
    long status;
    struct err err;
    struct api_session session;
};

/* Keep the outcome of POST /session. */
static void
login_done(struct api_result *r, void *arg)
{
    struct login_wait *w = arg;

    w->done = true;
    w->code = r->code;
    w->status = r->status;
    w->err = r->err;
    if (r->code == HL_OK) {
        w->session = r->session;
        memset(&r->session, 0, sizeof(r->session));
    }
}

/* Read the password: without echo on a terminal (prompt on err), else one line of in. */
static bool
read_password(char *buf, size_t sz, FILE *err, struct err *e)
{
    struct termios old, quiet;
    bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
    bool ok;
    size_t n;

    if (tty) {
        fputs("Password: ", err);
        fflush(err);
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    ok = fgets(buf, (int)sz, stdin) != NULL;
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', err);
    }
    if (!ok) {
        err_set(e, HL_EINVAL, "password", "no password on standard input");
        return false;
    }
    n = strlen(buf);
    if (n > 0 && buf[n - 1] != '\n' && !feof(stdin)) {
        err_set(e, HL_EINVAL, "password", "the password is longer than %d bytes",
                PASSWORD_MAX);
        return false;
    }
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = '\0';
    if (n == 0) {
        err_set(e, HL_EINVAL, "password", "the password is empty");
        return false;
    }
    return true;
}

/* Print the login command's usage. */
static void
login_usage(FILE *f)
{
    fputs("usage: hotline login [--server URL] [--user ID] [--token-file FILE]\n"
          "                     [--insecure] [--cacert FILE]\n"
          "Sign in to hotlined and keep the token for the console. The password is read\n"
          "from standard input (typed without echo on a terminal).\n", f);
}

/* The value of "--opt VALUE" or "--opt=VALUE" at argv[*i], advancing *i; NULL when
 * argv[*i] is not opt. *missing is set when the value is absent. */
static const char *
opt_value(int argc, char **argv, int *i, const char *opt, bool *missing)
{
    size_t n = strlen(opt);
    const char *a = argv[*i];

    if (strncmp(a, opt, n) != 0)
        return NULL;
    if (a[n] == '=')
        return a + n + 1;
    if (a[n] != '\0')
        return NULL;
    if (*i + 1 >= argc) {
        *missing = true;
        return NULL;
    }
    (*i)++;
    return argv[*i];
}

int
session_login_main(int argc, char **argv, const struct session_login_defaults *defaults,
                   FILE *out, FILE *errf)
{
    struct session_login_defaults none = {0};
    const char *server, *user, *token_file = NULL, *cacert;
    bool insecure;
    char password[PASSWORD_MAX + 2];
    struct login_wait w;
    struct net_opts nopts = {0};
    struct api_opts aopts = {0};
    struct session_info info;
    struct timers tm;
    struct net *net = NULL;
    struct api *api = NULL;
    struct tz *tz = NULL;
    struct err e;
    char *path = NULL, when[40];
    int status = 1;

    if (defaults == NULL)
        defaults = &none;
    server = defaults->server;
    user = defaults->user;
    cacert = defaults->cacert;
    insecure = defaults->insecure;
    memset(&w, 0, sizeof(w));
    memset(&info, 0, sizeof(info));
    password[0] = '\0';
    timers_init(&tm);
    err_clear(&e);
    for (int i = 1; i < argc; i++) {
        bool missing = false;
        const char *v;

        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            login_usage(out);
            status = 0;
            goto out;
        } else if (strcmp(argv[i], "--insecure") == 0) {
            insecure = true;
        } else if ((v = opt_value(argc, argv, &i, "--server", &missing)) != NULL) {
            server = v;
        } else if ((v = opt_value(argc, argv, &i, "--user", &missing)) != NULL) {
            user = v;
        } else if ((v = opt_value(argc, argv, &i, "--token-file", &missing)) != NULL) {
            token_file = v;
        } else if ((v = opt_value(argc, argv, &i, "--cacert", &missing)) != NULL) {
            cacert = v;
        } else {
            if (missing)
                fprintf(errf, "hotline login: %s needs a value\n", argv[i]);
            else
                fprintf(errf, "hotline login: unknown option %s\n", argv[i]);
            login_usage(errf);
            status = 2;
            goto out;
        }
    }
    if (str_empty(server) || str_empty(user)) {
        fprintf(errf, "hotline login: %s\n", str_empty(server)
                ? "which server? give --server URL" : "who? give --user ID");
        status = 2;
        goto out;
    }
    path = session_token_path(token_file, true, &e);
    if (path == NULL)
        goto fail;
    if (!read_password(password, sizeof(password), errf, &e))
        goto fail;
    nopts.insecure = insecure;
    nopts.cacert = cacert;
    nopts.user_agent = "hotline-login";
    net = net_new(&nopts, &e);
    if (net == NULL)
        goto fail;
    aopts.base_url = server;
    api = api_new(net, &tm, &aopts, NULL, NULL, &e);
    if (api == NULL)
        goto fail;
    if (api_login(api, user, password, login_done, &w, &e) == 0)
        goto fail;
    memset(password, 0, sizeof(password));
    if (!net_run_until_idle(net, LOGIN_WAIT_MS) || !w.done) {
        err_set(&e, HL_EIO, "", "the server did not answer within %d seconds",
                LOGIN_WAIT_MS / 1000);
        goto fail;
    }
    if (w.code != HL_OK) {
        e = w.err;
        goto fail;
    }
    info.token = w.session.token;
    w.session.token = NULL;
    info.server = xstrdup(server);
    info.user = xstrdup(w.session.user.id);
    info.role = xstrdup(user_role_str(w.session.user.role));
    info.unit = xstrdup(w.session.user.unit);
    info.name = xstrdup(w.session.user.name);
    info.expires_at = w.session.expires_at;
    if (session_save(path, &info, &e) != HL_OK)
        goto fail;
    tz = tz_load(defaults->timezone != NULL ? defaults->timezone : "Asia/Shanghai", NULL);
    if (tz == NULL)
        tz = tz_fixed("UTC", 0);
    if (info.expires_at != 0)
        tz_format_rfc3339(tz, info.expires_at, when, sizeof(when));
    else
        str_copy(when, sizeof(when), "(no expiry given)");
    fprintf(out, "logged in as %s (%s) until %s\n", info.user, info.role, when);
    status = 0;
    goto out;
fail:
    fprintf(errf, "hotline login: %s\n", e.msg[0] != '\0' ? e.msg : "failed");
    status = 1;
out:
    memset(password, 0, sizeof(password));
    api_free(&api);
    net_free(&net);
    timers_fini(&tm);
    tz_free(&tz);
    free(w.session.token);
    user_fini(&w.session.user);
    session_info_fini(&info);
    free(path);
    return status;
}
