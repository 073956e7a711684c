/* ptybench: run a terminal program on a pseudo-terminal and time what it writes.
 *
 * Usage: ptybench [-s WxH] [-q QUIET_MS] [-o TIMEOUT_MS] [-w PID]... [-k KEYS] [-t TRACE] [-v]
 *                 SCRIPT -- PROGRAM [ARG...]
 *
 * PROGRAM is started on a new pseudo-terminal of W x H (TIOCSWINSZ, TERM=xterm-256color,
 * the rest of the environment inherited) and driven by SCRIPT, one command per line:
 *
 *   paint LABEL [MARKER...]      first paint: from the fork to the last byte of the first
 *                                burst after which the output so far holds every MARKER
 *                                (a marker "a|b" is seen when a or b is)
 *   settle                       wait until the program is quiet (not measured)
 *   wait TEXT [TIMEOUT_MS]       wait until the output since the last wait, paint or mark
 *                                holds TEXT
 *   mark                         forget the output so far (for wait)
 *   dump FILE                    write the output since the last wait, paint or mark
 *   send KEY...                  send keys, settling after each (not measured)
 *   quiet MS                     the quiet period that ends a burst from now on
 *   pace MS                      before each measured key, wait up to MS for a burst (a
 *                                clock's tick) and the 20 ms of quiet after it, so that the
 *                                key's burst is not mixed with the next tick (0: off)
 *   clock MS                     the program redraws a wall clock at each minute, within MS
 *                                of it: send no measured key whose quiet period could take
 *                                that redraw in (wait until MS after the minute; 0: off)
 *   measure LABEL N KEY...       send the KEYs in turn, N times in all; each: time from the
 *                                write to the last byte of the burst it caused, bytes read
 *   idle LABEL SECONDS           CPU time (utime+stime), bytes and wake-ups... over SECONDS
 *   rss LABEL                    VmHWM and VmRSS of the program now
 *   sleep MS                     read (and drop) output for MS
 *   quit KEY...                  send KEYs and wait for the program to exit
 *
 * A burst is output followed by QUIET_MS (default 30) of silence; its time is the time of
 * its last byte (the quiet period is not included). Keys: a name (Up Down Left Right PgUp
 * PgDn Home End Tab BTab Enter Esc Bs F1..F12 C-a..C-z Space) or text written as it is
 * (UTF-8: one character per key; "lit:TEXT" sends TEXT as one write).
 *
 * Results go to stdout as lines "LABEL key=value ...": latencies in ms (p50 p90 p99 max
 * mean), bytes per key, the program's CPU time per key (utime+stime from /proc, in clock
 * ticks: meaningful over many keys; it does not depend on the machine's load). Exit status
 * 0 when the script ran to its end.
 *
 * Run-queue wait: for each measured key, the time the program (its main thread), ptybench
 * and every thread of each -w PID (a server) were ready to run but had no CPU
 * (/proc/.../schedstat), from the write to the burst's last byte (the -w processes to the
 * end of the quiet period, when they are idle). Only other work on the machine causes it.
 * "waited" counts the keys with 1 ms or more of it; "nowait_*" are the percentiles of the
 * latency less that wait (at least 0): an estimate of the latency on a quiet machine.
 *
 * -k KEYS appends one line per measured key to KEYS ("LABEL I KEY latency_ms=... bytes=...
 * wait_ms=...", to pool the keys of several runs); -t TRACE writes every read and every key
 * sent with its time since the fork and its bytes (escaped); -v prints each key on stderr.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Longest script line. */
#define LINE_MAX_LEN 4096
/* Most words on a script line. */
#define WORDS_MAX 256
/* Quiet period that ends a clock's tick before a paced key, ms (the tick is short). */
#define PACE_QUIET_MS 20
/* A key that waited this long for a CPU (ms, all the watched processes) counts as waited. */
#define WAITED_MS 1.0
/* Most -w processes. */
#define WATCH_MAX 8
/* Output kept to look for markers (the tail of the stream). */
#define KEEP_MAX (1u << 20)

struct bench {
    int fd;                 /* the master side */
    pid_t pid;
    int quiet_ms;
    int timeout_ms;
    int pace_ms;            /* before each measured key, wait this long for a burst */
    int clock_ms;           /* a clock redrawn each minute, within this: no key near it */
    bool verbose;
    bool exited;
    int status;
    char *keep;             /* output since the last mark (for wait / paint) */
    size_t nkeep;
    uint64_t total_bytes;
    FILE *trace;            /* -t: every read and every key, timed (NULL: off) */
    FILE *keys;             /* -k: every measured key, one line each (NULL: off) */
    int64_t t_start;        /* the fork, for the trace's times */
    pid_t watch[WATCH_MAX]; /* -w: other processes whose run-queue wait counts (a server) */
    int nwatch;
    bool sampling;          /* during a measured key: note the waits at each read */
    int64_t wait_at_read;   /* run-queue wait of the program + ptybench at the last read */
};

/* Now, monotonic, in nanoseconds. */
static int64_t
now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Print an error and exit. */
static void
die(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    fputs("ptybench: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(2);
}

/* Append output to the kept window (dropping its oldest half when full). */
static void
keep_add(struct bench *b, const char *p, size_t n)
{
    if (n >= KEEP_MAX) {
        p += n - KEEP_MAX / 2;
        n = KEEP_MAX / 2;
    }
    if (b->nkeep + n > KEEP_MAX) {
        size_t drop = b->nkeep + n - KEEP_MAX / 2;

        if (drop > b->nkeep)
            drop = b->nkeep;
        memmove(b->keep, b->keep + drop, b->nkeep - drop);
        b->nkeep -= drop;
    }
    memcpy(b->keep + b->nkeep, p, n);
    b->nkeep += n;
}

/* True when the kept output holds text, or one of its '|'-separated alternatives. */
static bool
keep_has(const struct bench *b, const char *text)
{
    for (const char *p = text;;) {
        const char *bar = strchr(p, '|');
        size_t len = bar != NULL ? (size_t)(bar - p) : strlen(p);

        if (len > 0 && memmem(b->keep, b->nkeep, p, len) != NULL)
            return true;
        if (bar == NULL)
            return false;
        p = bar + 1;
    }
}

/* Run-queue wait of one task (ns, the 2nd field of a schedstat file), 0 when unknown. */
static int64_t
schedstat_wait(const char *path)
{
    char buf[128];
    FILE *f = fopen(path, "r");
    size_t n;
    char *p;

    if (f == NULL)
        return 0;
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    p = strchr(buf, ' ');
    return p != NULL ? strtoll(p + 1, NULL, 10) : 0;
}

/* Run-queue wait of every thread of pid so far (ns): time it was ready to run but had
 * no CPU, which only the machine's load causes. */
static int64_t
proc_wait(pid_t pid)
{
    char path[96];
    DIR *d;
    struct dirent *de;
    int64_t sum = 0;

    snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    d = opendir(path);
    if (d == NULL)
        return 0;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "/proc/%d/task/%.20s/schedstat", (int)pid, de->d_name);
        sum += schedstat_wait(path);
    }
    closedir(d);
    return sum;
}

/* Run-queue wait so far of the program (its main thread: the console has one) and of
 * ptybench itself, ns. */
static int64_t
own_wait(const struct bench *b)
{
    char path[64];

    snprintf(path, sizeof path, "/proc/%d/schedstat", (int)b->pid);
    return schedstat_wait(path) + schedstat_wait("/proc/self/schedstat");
}

/* Run-queue wait so far of the -w processes, ns. */
static int64_t
watched_wait(const struct bench *b)
{
    int64_t sum = 0;

    for (int i = 0; i < b->nwatch; i++)
        sum += proc_wait(b->watch[i]);
    return sum;
}

/* Trace a line: the time since the fork, what ("<" read, ">" key), the bytes escaped. */
static void
trace(const struct bench *b, char what, const char *p, size_t n)
{
    if (b->trace == NULL)
        return;
    fprintf(b->trace, "%.3f %c %zu ", (double)(now_ns() - b->t_start) / 1e6, what, n);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];

        if (c == '\\')
            fputs("\\\\", b->trace);
        else if (c < 0x20 || c == 0x7f)
            fprintf(b->trace, "\\x%02x", c);
        else
            fputc(c, b->trace);
    }
    fputc('\n', b->trace);
}

/* Read what is there; the bytes read (0: nothing, -1: the program is gone). */
static long
drain(struct bench *b)
{
    char buf[65536];
    long got = 0;

    for (;;) {
        ssize_t n = read(b->fd, buf, sizeof buf);

        if (n > 0) {
            if (b->sampling)
                b->wait_at_read = own_wait(b);
            trace(b, '<', buf, (size_t)n);
            keep_add(b, buf, (size_t)n);
            got += n;
            b->total_bytes += (uint64_t)n;
            if ((size_t)n < sizeof buf)
                return got;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return got;
        return got > 0 ? got : -1;  /* EIO: the slave side closed */
    }
}

/* Wait at most ms for output; bytes read, 0 on timeout, -1 when the program is gone. */
static long
wait_output(struct bench *b, int ms)
{
    struct pollfd p = {b->fd, POLLIN, 0};
    int r;

    if (ms < 0)
        ms = 0;
    r = poll(&p, 1, ms);
    if (r < 0 && errno == EINTR)
        return 0;
    if (r < 0)
        die("poll: %s", strerror(errno));
    if (r == 0)
        return 0;
    return drain(b);
}

/*
 * Read until quiet_ms pass without output, or until limit_ms pass in all. *last gets the
 * time of the last byte (0 when none came); the bytes read are returned.
 */
static uint64_t
settle(struct bench *b, int64_t start, int limit_ms, int64_t *last)
{
    uint64_t bytes = 0;

    *last = 0;
    for (;;) {
        int64_t now = now_ns();
        int64_t from = *last != 0 ? *last : start;
        int64_t quiet_end = from + (int64_t)b->quiet_ms * 1000000;
        int64_t hard_end = start + (int64_t)limit_ms * 1000000;
        int64_t end;
        long n;

        if (*last != 0 && now >= quiet_end)
            return bytes;
        if (now >= hard_end)
            return bytes;
        end = *last != 0 && quiet_end < hard_end ? quiet_end : hard_end;
        n = wait_output(b, (int)((end - now + 999999) / 1000000));
        if (n < 0) {
            b->exited = true;
            return bytes;
        }
        if (n > 0) {
            *last = now_ns();
            bytes += (uint64_t)n;
        }
    }
}

/* Read (and drop) the output for ms. */
static void
drop_output(struct bench *b, int64_t ms)
{
    int64_t end = now_ns() + ms * 1000000;

    while (!b->exited && now_ns() < end) {
        if (wait_output(b, (int)((end - now_ns()) / 1000000) + 1) < 0)
            b->exited = true;
    }
}

/* When a key's burst could take in the redraw of a wall clock at the next minute (within
 * the quiet period and clock_ms of it), wait until clock_ms after the minute; true when it
 * waited. */
static bool
avoid_minute(struct bench *b)
{
    struct timespec ts;
    int64_t to_next;

    if (b->clock_ms <= 0)
        return false;
    clock_gettime(CLOCK_REALTIME, &ts);
    to_next = 60000 - ((int64_t)(ts.tv_sec % 60) * 1000 + ts.tv_nsec / 1000000);
    if (to_next > b->quiet_ms + b->clock_ms)
        return false;
    drop_output(b, to_next + b->clock_ms);
    return true;
}

/* Read the rest of a burst that has begun: until quiet_ms pass with no output. */
static void
burst_end(struct bench *b, int quiet_ms)
{
    int64_t last = now_ns();

    for (;;) {
        int64_t left = last + (int64_t)quiet_ms * 1000000 - now_ns();
        long n;

        if (left <= 0)
            return;
        n = wait_output(b, (int)((left + 999999) / 1000000));
        if (n < 0) {
            b->exited = true;
            return;
        }
        if (n > 0)
            last = now_ns();
    }
}

/* The bytes of a key name (static buffer). */
static const char *
key_bytes(const char *name, size_t *len)
{
    static const struct {
        const char *name;
        const char *seq;
    } keys[] = {
        {"Up", "\033OA"},     {"Down", "\033OB"},  {"Right", "\033OC"},  {"Left", "\033OD"},
        {"Home", "\033OH"},   {"End", "\033OF"},   {"PgUp", "\033[5~"},  {"PgDn", "\033[6~"},
        {"Tab", "\t"},        {"BTab", "\033[Z"},  {"Enter", "\r"},      {"Esc", "\033"},
        {"Bs", "\177"},       {"Space", " "},      {"F1", "\033OP"},     {"F2", "\033OQ"},
        {"F3", "\033OR"},     {"F4", "\033OS"},    {"F5", "\033[15~"},   {"F6", "\033[17~"},
        {"F7", "\033[18~"},   {"F8", "\033[19~"},  {"F9", "\033[20~"},   {"F10", "\033[21~"},
        {"F11", "\033[23~"},  {"F12", "\033[24~"}, {"Del", "\033[3~"},
    };
    static char one[2];

    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        if (strcmp(name, keys[i].name) == 0) {
            *len = strlen(keys[i].seq);
            return keys[i].seq;
        }
    }
    if (name[0] == 'C' && name[1] == '-' && name[2] >= 'a' && name[2] <= 'z' && name[3] == '\0') {
        one[0] = (char)(name[2] - 'a' + 1);
        *len = 1;
        return one;
    }
    if (strncmp(name, "lit:", 4) == 0) {
        *len = strlen(name + 4);
        return name + 4;
    }
    *len = strlen(name);
    return name;
}

/* Write a key to the program. */
static void
send_key(struct bench *b, const char *name)
{
    size_t len;
    const char *p = key_bytes(name, &len);

    trace(b, '>', name, strlen(name));
    while (len > 0) {
        ssize_t n = write(b->fd, p, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            die("write: %s", strerror(errno));
        p += n;
        len -= (size_t)n;
    }
}

/* Split text into the key names of one character each (UTF-8), unless it is a name. */
static size_t
split_keys(const char *word, char out[][16], size_t max)
{
    size_t n = 0;
    size_t len;

    if (strlen(word) < 16 && (key_bytes(word, &len) != word || strncmp(word, "lit:", 4) == 0)) {
        snprintf(out[0], 16, "%s", word);
        return 1;
    }
    for (const unsigned char *p = (const unsigned char *)word; *p != '\0' && n < max;) {
        size_t l = *p < 0x80 ? 1 : *p < 0xe0 ? 2 : *p < 0xf0 ? 3 : 4;

        for (size_t i = 0; i < l; i++) {
            if (p[i] == '\0')
                l = i;
        }
        memcpy(out[n], p, l);
        out[n][l] = '\0';
        n++;
        p += l;
    }
    return n;
}

/* Compare doubles for qsort. */
static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y ? 1 : 0;
}

/* The p-th percentile (nearest rank) of sorted v. */
static double
pct(const double *v, size_t n, double p)
{
    size_t k;

    if (n == 0)
        return 0;
    k = (size_t)(p / 100.0 * (double)n + 0.999999);
    if (k < 1)
        k = 1;
    if (k > n)
        k = n;
    return v[k - 1];
}

/* utime + stime of the program, clock ticks; -1 when unknown. */
static long long
cpu_ticks(pid_t pid)
{
    char path[64], buf[2048];
    FILE *f;
    size_t n;
    char *p;
    long long ut = 0, st = 0;

    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    f = fopen(path, "r");
    if (f == NULL)
        return -1;
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    p = strrchr(buf, ')');
    if (p == NULL)
        return -1;
    p += 2;
    /* Fields 3.. : state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
     * utime stime. */
    for (int field = 3; field < 14 && p != NULL; field++) {
        p = strchr(p, ' ');
        if (p != NULL)
            p++;
    }
    if (p == NULL)
        return -1;
    ut = strtoll(p, &p, 10);
    st = strtoll(p, NULL, 10);
    return ut + st;
}

/* A "Name: value" line of /proc/PID/status (kB), or -1. */
static long
status_kb(pid_t pid, const char *name)
{
    char path[64], line[256];
    FILE *f;
    long v = -1;
    size_t nl = strlen(name);

    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    f = fopen(path, "r");
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, name, nl) == 0 && line[nl] == ':') {
            v = strtol(line + nl + 1, NULL, 10);
            break;
        }
    }
    fclose(f);
    return v;
}

/* Voluntary + involuntary context switches of the program (a proxy for wake-ups), or -1. */
static long
ctx_switches(pid_t pid)
{
    long a = status_kb(pid, "voluntary_ctxt_switches");
    long b = status_kb(pid, "nonvoluntary_ctxt_switches");

    return a < 0 || b < 0 ? -1 : a + b;
}

/* Start the program on a new pseudo-terminal of w x h. */
static void
spawn(struct bench *b, int w, int h, char **argv)
{
    struct winsize ws;
    pid_t pid;
    int fd;

    memset(&ws, 0, sizeof ws);
    ws.ws_col = (unsigned short)w;
    ws.ws_row = (unsigned short)h;
    pid = forkpty(&fd, NULL, NULL, &ws);
    if (pid < 0)
        die("forkpty: %s", strerror(errno));
    if (pid == 0) {
        setenv("TERM", "xterm-256color", 1);
        unsetenv("TMUX");
        unsetenv("COLUMNS");
        unsetenv("LINES");
        execvp(argv[0], argv);
        fprintf(stderr, "ptybench: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    b->fd = fd;
    b->pid = pid;
    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0)
        die("fcntl: %s", strerror(errno));
}

/* The keys of one measure: latency, bytes, and the run-queue wait during each. */
struct keys_seen {
    double *lat;            /* ms */
    double *busy;           /* ms: the latency less the run-queue waits (>= 0) */
    double *wait;           /* ms: the run-queue waits during the key */
    uint64_t *bytes;
    size_t n;
    size_t silent;
};

/* Print a latency/bytes summary line; cpu_ms is the program's CPU time over the keys. */
static void
report(const char *label, struct keys_seen *k, double cpu_ms)
{
    double sum = 0, bsum = 0;
    uint64_t bmax = 0;
    size_t n = k->n, waited = 0;

    for (size_t i = 0; i < n; i++) {
        sum += k->lat[i];
        bsum += (double)k->bytes[i];
        if (k->bytes[i] > bmax)
            bmax = k->bytes[i];
        if (k->wait[i] >= WAITED_MS)
            waited++;
    }
    qsort(k->lat, n, sizeof *k->lat, cmp_double);
    qsort(k->busy, n, sizeof *k->busy, cmp_double);
    qsort(k->wait, n, sizeof *k->wait, cmp_double);
    printf("%s n=%zu p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f mean_ms=%.3f "
           "bytes_mean=%.0f bytes_max=%llu silent=%zu cpu_ms_per_key=%.3f "
           "waited=%zu wait_p99_ms=%.3f wait_max_ms=%.3f "
           "nowait_p50_ms=%.3f nowait_p90_ms=%.3f nowait_p99_ms=%.3f nowait_max_ms=%.3f\n",
           label, n, pct(k->lat, n, 50), pct(k->lat, n, 90), pct(k->lat, n, 99),
           n ? k->lat[n - 1] : 0, n ? sum / (double)n : 0, n ? bsum / (double)n : 0,
           (unsigned long long)bmax, k->silent,
           n + k->silent > 0 ? cpu_ms / (double)(n + k->silent) : 0, waited,
           pct(k->wait, n, 99), n ? k->wait[n - 1] : 0, pct(k->busy, n, 50),
           pct(k->busy, n, 90), pct(k->busy, n, 99), n ? k->busy[n - 1] : 0);
    fflush(stdout);
}

/* The command "measure LABEL N KEY...". */
static void
cmd_measure(struct bench *b, char **w, int nw)
{
    long count;
    char keys[WORDS_MAX][16];
    size_t nkeys = 0;
    struct keys_seen k;
    int64_t last;
    long long c0;

    if (nw < 4)
        die("measure LABEL N KEY...");
    count = strtol(w[2], NULL, 10);
    if (count <= 0)
        die("measure: bad count '%s'", w[2]);
    for (int i = 3; i < nw; i++)
        nkeys += split_keys(w[i], keys + nkeys, WORDS_MAX - nkeys);
    memset(&k, 0, sizeof k);
    k.lat = calloc((size_t)count, sizeof *k.lat);
    k.busy = calloc((size_t)count, sizeof *k.busy);
    k.wait = calloc((size_t)count, sizeof *k.wait);
    k.bytes = calloc((size_t)count, sizeof *k.bytes);
    if (k.lat == NULL || k.busy == NULL || k.wait == NULL || k.bytes == NULL)
        die("out of memory");
    /* Nothing left over from before. */
    settle(b, now_ns(), b->timeout_ms, &last);
    c0 = cpu_ticks(b->pid);
    for (long i = 0; i < count && !b->exited; i++) {
        int64_t t0, own0, watched0, own, watched;
        uint64_t got;
        double lat, wait;

        do {
            /* Right after a periodic burst (a clock), the next one is furthest away. */
            if (b->pace_ms > 0 && wait_output(b, b->pace_ms) > 0)
                burst_end(b, PACE_QUIET_MS);
        } while (avoid_minute(b) && !b->exited);
        watched0 = watched_wait(b);
        own0 = b->wait_at_read = own_wait(b);
        b->sampling = true;
        t0 = now_ns();
        send_key(b, keys[(size_t)i % nkeys]);
        got = settle(b, t0, b->timeout_ms, &last);
        b->sampling = false;
        own = b->wait_at_read - own0;   /* up to the last byte */
        watched = watched_wait(b) - watched0;    /* idle after it: little to add */
        if (last == 0) {
            k.silent++;
            continue;
        }
        lat = (double)(last - t0) / 1e6;
        wait = (double)(own + watched) / 1e6;
        k.lat[k.n] = lat;
        k.wait[k.n] = wait;
        k.busy[k.n] = lat > wait ? lat - wait : 0;
        k.bytes[k.n] = got;
        if (b->verbose)
            fprintf(stderr, "%s %ld %s %.3f ms %llu B wait %.3f ms (program+ptybench %.3f)\n",
                    w[1], i, keys[(size_t)i % nkeys], lat, (unsigned long long)got, wait,
                    (double)own / 1e6);
        if (b->keys != NULL)
            fprintf(b->keys, "%s %ld %s latency_ms=%.3f bytes=%llu wait_ms=%.3f\n", w[1], i,
                    keys[(size_t)i % nkeys], lat, (unsigned long long)got, wait);
        k.n++;
    }
    report(w[1], &k,
           1000.0 * (double)(cpu_ticks(b->pid) - c0) / (double)sysconf(_SC_CLK_TCK));
    free(k.lat);
    free(k.busy);
    free(k.wait);
    free(k.bytes);
}

/* The command "paint LABEL [MARKER...]", t0 the fork. */
static void
cmd_paint(struct bench *b, char **w, int nw, int64_t t0)
{
    int64_t last = 0, first_byte = 0;
    uint64_t bytes = 0;
    int64_t limit = t0 + (int64_t)b->timeout_ms * 1000000;

    if (nw < 2)
        die("paint LABEL [MARKER...]");
    for (;;) {
        int64_t l;
        bool all = true;

        bytes += settle(b, last != 0 ? last : t0, b->timeout_ms, &l);
        if (l != 0) {
            if (first_byte == 0)
                first_byte = l;
            last = l;
        }
        for (int i = 2; i < nw; i++)
            all = all && keep_has(b, w[i]);
        if ((all && last != 0) || b->exited || now_ns() >= limit) {
            if (!all || last == 0) {
                printf("%s paint_ms=-1 bytes=%llu (markers not seen)\n", w[1],
                       (unsigned long long)bytes);
                if (b->verbose)
                    fwrite(b->keep, 1, b->nkeep, stderr);
            } else {
                printf("%s paint_ms=%.3f bytes=%llu\n", w[1], (double)(last - t0) / 1e6,
                       (unsigned long long)bytes);
            }
            fflush(stdout);
            return;
        }
    }
}

/* The command "idle LABEL SECONDS". */
static void
cmd_idle(struct bench *b, char **w, int nw)
{
    long secs;
    long long c0, c1;
    long x0, x1;
    uint64_t bytes0;
    int64_t t0, end;
    long hz = sysconf(_SC_CLK_TCK);

    if (nw < 3)
        die("idle LABEL SECONDS");
    secs = strtol(w[2], NULL, 10);
    bytes0 = b->total_bytes;
    c0 = cpu_ticks(b->pid);
    x0 = ctx_switches(b->pid);
    t0 = now_ns();
    end = t0 + (int64_t)secs * 1000000000;
    while (!b->exited) {
        int64_t now = now_ns();

        if (now >= end)
            break;
        if (wait_output(b, (int)((end - now) / 1000000) + 1) < 0)
            b->exited = true;
    }
    c1 = cpu_ticks(b->pid);
    x1 = ctx_switches(b->pid);
    printf("%s seconds=%ld cpu_ticks=%lld cpu_pct=%.3f bytes=%llu bytes_per_s=%.2f "
           "ctx_switches=%ld\n",
           w[1], secs, c1 - c0, 100.0 * (double)(c1 - c0) / (double)hz / (double)secs,
           (unsigned long long)(b->total_bytes - bytes0),
           (double)(b->total_bytes - bytes0) / (double)secs, x1 - x0);
    fflush(stdout);
}

/* Wait for the program to exit (at most the timeout), killing it after. */
static void
reap(struct bench *b)
{
    int64_t end = now_ns() + (int64_t)b->timeout_ms * 1000000;

    while (now_ns() < end) {
        pid_t r = waitpid(b->pid, &b->status, WNOHANG);

        if (r == b->pid) {
            b->pid = -1;
            return;
        }
        if (wait_output(b, 20) < 0)
            b->exited = true;
    }
    kill(b->pid, SIGTERM);
    waitpid(b->pid, &b->status, 0);
    b->pid = -1;
}

/* Split a line into words (double quotes group, no escapes). */
static int
split_words(char *line, char **w)
{
    int n = 0;
    char *p = line;

    while (*p != '\0' && n < WORDS_MAX) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
            p++;
        if (*p == '\0' || *p == '#')
            break;
        if (*p == '"') {
            w[n++] = ++p;
            while (*p != '\0' && *p != '"')
                p++;
        } else {
            w[n++] = p;
            while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
                p++;
        }
        if (*p != '\0')
            *p++ = '\0';
    }
    return n;
}

/* Print the usage and exit. */
static void
usage(void)
{
    fputs("usage: ptybench [-s WxH] [-q QUIET_MS] [-o TIMEOUT_MS] [-w PID]... [-k KEYS] "
          "[-t TRACE] [-v] SCRIPT -- PROGRAM [ARG...]\n",
          stderr);
    exit(2);
}

/* Run the script. */
int
main(int argc, char **argv)
{
    struct bench b;
    int w = 80, h = 24, opt;
    FILE *script;
    char line[LINE_MAX_LEN];
    int64_t t0;

    memset(&b, 0, sizeof b);
    b.quiet_ms = 30;
    b.timeout_ms = 10000;
    b.pid = -1;
    while ((opt = getopt(argc, argv, "s:q:o:k:t:w:v")) != -1) {
        switch (opt) {
        case 's': {
            char *end;

            w = (int)strtol(optarg, &end, 10);
            h = *end == 'x' ? (int)strtol(end + 1, &end, 10) : 0;
            if (*end != '\0' || w < 1 || h < 1)
                usage();
            break;
        }
        case 'q':
            b.quiet_ms = (int)strtol(optarg, NULL, 10);
            break;
        case 'o':
            b.timeout_ms = (int)strtol(optarg, NULL, 10);
            break;
        case 'k':
            b.keys = fopen(optarg, "a");
            if (b.keys == NULL)
                die("cannot write %s: %s", optarg, strerror(errno));
            break;
        case 't':
            b.trace = fopen(optarg, "w");
            if (b.trace == NULL)
                die("cannot write %s: %s", optarg, strerror(errno));
            break;
        case 'w':
            if (b.nwatch == WATCH_MAX)
                die("at most %d -w", WATCH_MAX);
            b.watch[b.nwatch] = (pid_t)strtol(optarg, NULL, 10);
            if (b.watch[b.nwatch] <= 0)
                usage();
            b.nwatch++;
            break;
        case 'v':
            b.verbose = true;
            break;
        default:
            usage();
        }
    }
    if (optind + 2 > argc)
        usage();
    script = strcmp(argv[optind], "-") == 0 ? stdin : fopen(argv[optind], "r");
    if (script == NULL)
        die("cannot read %s: %s", argv[optind], strerror(errno));
    b.keep = malloc(KEEP_MAX);
    if (b.keep == NULL)
        die("out of memory");
    signal(SIGPIPE, SIG_IGN);
    t0 = b.t_start = now_ns();
    spawn(&b, w, h, argv + optind + 1);
    while (fgets(line, sizeof line, script) != NULL) {
        char *wd[WORDS_MAX];
        int nw = split_words(line, wd);
        int64_t last;

        if (nw == 0)
            continue;
        if (b.exited && strcmp(wd[0], "quit") != 0)
            die("the program exited before '%s'", wd[0]);
        if (strcmp(wd[0], "paint") == 0) {
            cmd_paint(&b, wd, nw, t0);
        } else if (strcmp(wd[0], "settle") == 0) {
            settle(&b, now_ns(), b.timeout_ms, &last);
        } else if (strcmp(wd[0], "pace") == 0 && nw >= 2) {
            b.pace_ms = (int)strtol(wd[1], NULL, 10);
        } else if (strcmp(wd[0], "quiet") == 0 && nw >= 2) {
            b.quiet_ms = (int)strtol(wd[1], NULL, 10);
        } else if (strcmp(wd[0], "wait") == 0 && nw >= 2) {
            int ms = nw >= 3 ? (int)strtol(wd[2], NULL, 10) : b.timeout_ms;
            int64_t end = now_ns() + (int64_t)ms * 1000000;

            while (!keep_has(&b, wd[1]) && !b.exited && now_ns() < end) {
                if (wait_output(&b, 50) < 0)
                    b.exited = true;
            }
            if (!keep_has(&b, wd[1])) {
                if (b.verbose)
                    fwrite(b.keep, 1, b.nkeep, stderr);
                die("waited %d ms for '%s'", ms, wd[1]);
            }
        } else if (strcmp(wd[0], "send") == 0 || strcmp(wd[0], "quit") == 0) {
            for (int i = 1; i < nw && !b.exited; i++) {
                char keys[WORDS_MAX][16];
                size_t nk = split_keys(wd[i], keys, WORDS_MAX);

                for (size_t k = 0; k < nk && !b.exited; k++) {
                    send_key(&b, keys[k]);
                    if (strcmp(wd[0], "send") == 0)
                        settle(&b, now_ns(), b.timeout_ms, &last);
                }
            }
            if (strcmp(wd[0], "quit") == 0) {
                reap(&b);
                break;
            }
        } else if (strcmp(wd[0], "measure") == 0) {
            cmd_measure(&b, wd, nw);
        } else if (strcmp(wd[0], "idle") == 0) {
            cmd_idle(&b, wd, nw);
        } else if (strcmp(wd[0], "rss") == 0 && nw >= 2) {
            printf("%s hwm_kb=%ld rss_kb=%ld\n", wd[1], status_kb(b.pid, "VmHWM"),
                   status_kb(b.pid, "VmRSS"));
            fflush(stdout);
        } else if (strcmp(wd[0], "sleep") == 0 && nw >= 2) {
            drop_output(&b, strtoll(wd[1], NULL, 10));
        } else if (strcmp(wd[0], "clock") == 0 && nw >= 2) {
            b.clock_ms = (int)strtol(wd[1], NULL, 10);
        } else if (strcmp(wd[0], "mark") == 0) {
            b.nkeep = 0;
        } else if (strcmp(wd[0], "dump") == 0 && nw >= 2) {
            FILE *f = fopen(wd[1], "w");

            if (f == NULL)
                die("cannot write %s: %s", wd[1], strerror(errno));
            fwrite(b.keep, 1, b.nkeep, f);
            fclose(f);
        } else {
            die("unknown command '%s'", wd[0]);
        }
        if (strcmp(wd[0], "wait") == 0 || strcmp(wd[0], "paint") == 0)
            b.nkeep = 0;
    }
    if (script != stdin)
        fclose(script);
    if (b.pid > 0)
        reap(&b);
    free(b.keep);
    close(b.fd);
    if (b.trace != NULL)
        fclose(b.trace);
    if (b.keys != NULL)
        fclose(b.keys);
    return 0;
}
