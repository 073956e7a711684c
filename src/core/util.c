/* util: allocation that aborts on exhaustion, bounded strings, a growable buffer. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"

#include "hotline/err.h"
#include "hotline/util.h"

static void
oom(size_t n)
{
    fprintf(stderr, "hotline: out of memory (asked for %zu bytes)\n", n);
    abort();
}

void *
xmalloc(size_t n)
{
    void *p = malloc(n != 0 ? n : 1);

    if (p == NULL)
        oom(n);
    return p;
}

void *
xcalloc(size_t count, size_t n)
{
    void *p = calloc(count != 0 ? count : 1, n != 0 ? n : 1);

    if (p == NULL)
        oom(count * n);
    return p;
}

void *
xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n != 0 ? n : 1);

    if (q == NULL)
        oom(n);
    return q;
}

char *
xstrdup(const char *s)
{
    if (s == NULL)
        return NULL;
    return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *p = xmalloc(len + 1);

    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *
xasprintf(const char *fmt, ...)
{
    struct strbuf sb;
    va_list ap;

    strbuf_init(&sb);
    va_start(ap, fmt);
    {
        va_list ap2;
        int n;

        va_copy(ap2, ap);
        n = vsnprintf(NULL, 0, fmt, ap2);
        va_end(ap2);
        if (n < 0)
            n = 0;
        sb.buf = xrealloc(sb.buf, (size_t)n + 1);
        sb.cap = (size_t)n + 1;
        vsnprintf(sb.buf, sb.cap, fmt, ap);
        sb.len = (size_t)n;
    }
    va_end(ap);
    return strbuf_detach(&sb);
}

/* Length of the longest prefix of s (at most max bytes) that ends on a UTF-8 boundary. */
static size_t
utf8_floor(const char *s, size_t max)
{
    size_t n = max;

    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

bool
str_copy(char *dst, size_t dstsz, const char *src)
{
    size_t len;

    if (dstsz == 0)
        return src == NULL || *src == '\0';
    if (src == NULL)
        src = "";
    len = strlen(src);
    if (len < dstsz) {
        memcpy(dst, src, len + 1);
        return true;
    }
    len = utf8_floor(src, dstsz - 1);
    memcpy(dst, src, len);
    dst[len] = '\0';
    return false;
}

bool
str_append(char *dst, size_t dstsz, const char *src)
{
    size_t used = strnlen(dst, dstsz);

    if (used >= dstsz)
        return false;
    return str_copy(dst + used, dstsz - used, src);
}

bool
str_to_long(const char *s, long min, long max, long *out)
{
    char *end;
    long v;

    if (s == NULL || *s == '\0')
        return false;
    if ((*s < '0' || *s > '9') && *s != '-' && *s != '+')
        return false;            /* strtol would skip leading white space */
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max)
        return false;
    *out = v;
    return true;
}

bool
str_empty(const char *s)
{
    return s == NULL || *s == '\0';
}

bool
str_starts_with(const char *a, const char *prefix)
{
    return strncmp(a, prefix, strlen(prefix)) == 0;
}

void
strbuf_init(struct strbuf *sb)
{
    sb->buf = NULL;
    sb->len = 0;
    sb->cap = 0;
}

void
strbuf_fini(struct strbuf *sb)
{
    free(sb->buf);
    strbuf_init(sb);
}

static void
grow(struct strbuf *sb, size_t extra)
{
    size_t need = sb->len + extra + 1;
    size_t cap;

    if (need <= sb->cap)
        return;
    cap = sb->cap != 0 ? sb->cap : 64;
    while (cap < need)
        cap *= 2;
    sb->buf = xrealloc(sb->buf, cap);
    sb->cap = cap;
}

void
strbuf_reserve(struct strbuf *sb, size_t extra)
{
    grow(sb, extra);
}

void
strbuf_add(struct strbuf *sb, const char *s, size_t n)
{
    grow(sb, n);
    memcpy(sb->buf + sb->len, s, n);
    sb->len += n;
    sb->buf[sb->len] = '\0';
}

void
strbuf_adds(struct strbuf *sb, const char *s)
{
    strbuf_add(sb, s, strlen(s));
}

void
strbuf_addc(struct strbuf *sb, char c)
{
    strbuf_add(sb, &c, 1);
}

void
strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n <= 0)
        return;
    grow(sb, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb->len += (size_t)n;
}

const char *
strbuf_str(const struct strbuf *sb)
{
    return sb->buf != NULL ? sb->buf : "";
}

void
strbuf_reset(struct strbuf *sb)
{
    sb->len = 0;
    if (sb->buf != NULL)
        sb->buf[0] = '\0';
}

char *
strbuf_detach(struct strbuf *sb)
{
    char *s = sb->buf;

    if (s == NULL)
        s = xstrdup("");
    strbuf_init(sb);
    return s;
}

char *
file_read_all(const char *path, size_t max, size_t *len_out)
{
    FILE *f = fopen(path, "rb");
    struct strbuf sb;
    char chunk[8192];
    size_t n;

    if (f == NULL)
        return NULL;
    strbuf_init(&sb);
    strbuf_add(&sb, "", 0);
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (sb.len + n > max) {
            fclose(f);
            strbuf_fini(&sb);
            errno = EFBIG;
            return NULL;
        }
        strbuf_add(&sb, chunk, n);
    }
    if (ferror(f)) {
        int saved = errno != 0 ? errno : EIO;

        fclose(f);
        strbuf_fini(&sb);
        errno = saved;
        return NULL;
    }
    fclose(f);
    if (len_out != NULL)
        *len_out = sb.len;
    return strbuf_detach(&sb);
}

char *
file_load(const char *path, const char *what, size_t max, size_t *len_out, struct err *e)
{
    char *data;
    int saved;

    if (str_empty(path)) {
        err_set(e, HL_EINVAL, "", "no %s file given", what);
        return NULL;
    }
    data = file_read_all(path, max, len_out);
    if (data != NULL)
        return data;
    saved = errno;
    if (saved == EFBIG)
        err_set(e, HL_EINVAL, path, "%s: the %s file is larger than %zu bytes", path, what, max);
    else
        err_set(e, saved == ENOENT ? HL_ENOENT : HL_EIO, path, "%s: cannot read the %s file: %s",
                path, what, strerror(saved));
    return NULL;
}

bool
util_running_from_build_tree(void)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    size_t blen = strlen(HOTLINE_BUILD_DIR);

    if (n <= 0)
        return false;
    exe[n] = '\0';
    return strncmp(exe, HOTLINE_BUILD_DIR, blen) == 0 && exe[blen] == '/';
}
