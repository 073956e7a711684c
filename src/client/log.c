/* log: the console's log file under $XDG_STATE_HOME/hotline (never the terminal while curses runs). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hotline/datetime.h"
#include "hotline/util.h"
#include "log.h"

static const char *const level_names[] = {"ERROR", "WARN", "INFO", "DEBUG"};

void
log_init(struct log *lg)
{
    lg->f = NULL;
    lg->level = LOG_LEVEL_INFO;
}

int
log_open(struct log *lg, const char *path, enum log_level level)
{
    struct stat st;
    int fd;
    char *old;

    log_fini(lg);
    lg->level = level;
    if (stat(path, &st) == 0 && st.st_size > LOG_ROTATE_BYTES) {
        old = xasprintf("%s.1", path);
        rename(path, old);
        free(old);
    }
    fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    lg->f = fdopen(fd, "a");
    if (lg->f == NULL) {
        close(fd);
        return -1;
    }
    setvbuf(lg->f, NULL, _IOLBF, 0);
    return 0;
}

void
log_fini(struct log *lg)
{
    if (lg->f != NULL)
        fclose(lg->f);
    lg->f = NULL;
}

/* The module name of a source path: "src/client/ui/edit.c" -> "edit". */
static void
module_name(const char *file, char *buf, size_t sz)
{
    const char *base = strrchr(file, '/');
    char *dot;

    str_copy(buf, sz, base != NULL ? base + 1 : file);
    dot = strrchr(buf, '.');
    if (dot != NULL)
        *dot = '\0';
}

void
log_write(struct log *lg, enum log_level level, const char *file, const char *fmt, ...)
{
    char when[32];
    char mod[32];
    va_list ap;

    if (lg == NULL || lg->f == NULL || level > lg->level)
        return;
    datetime_format_rfc3339((hl_time)time(NULL), 0, when, sizeof when);
    module_name(file, mod, sizeof mod);
    fprintf(lg->f, "%s %s %s: ", when, level_names[level], mod);
    va_start(ap, fmt);
    vfprintf(lg->f, fmt, ap);
    va_end(ap);
    fputc('\n', lg->f);
}
