/* loop: the console's one event loop: poll(2) over the terminal, a signal self-pipe, sources and timers. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hotline/util.h"
#include "loop.h"

/* The only file-scope mutable state of the console: signal flags and the self-pipe. */
static volatile sig_atomic_t got_winch;
static volatile sig_atomic_t got_quit;
static volatile sig_atomic_t got_tstp;
static volatile sig_atomic_t got_cont;
static int sig_pipe[2] = {-1, -1};

/* Signals the loop takes over, and what they were before. */
static const int handled_signals[] = {SIGWINCH, SIGTERM, SIGINT, SIGHUP, SIGTSTP, SIGCONT};

struct loop_slot {
    struct loop_source src;
    bool used;
};

struct loop {
    loop_signal_fn on_signal;
    void *signal_arg;
    loop_wait_fn wait;
    void *wait_arg;
    struct loop_slot *slots;
    size_t nslots;
    struct timers timers;
    struct sigaction old[ARRAY_SIZE(handled_signals)];
    struct sigaction old_pipe;
    bool tstp_ignored;
    struct pollfd fds[LOOP_MAX_FDS];
};

/* Record a signal and wake the loop; async-signal-safe. */
static void
on_signal(int signo)
{
    int saved = errno;
    char c = 0;
    ssize_t n;

    switch (signo) {
    case SIGWINCH:
        got_winch = 1;
        break;
    case SIGTSTP:
        got_tstp = 1;
        break;
    case SIGCONT:
        got_cont = 1;
        break;
    default:
        got_quit = 1;
        break;
    }
    if (sig_pipe[1] >= 0) {
        n = write(sig_pipe[1], &c, 1);
        (void)n;   /* a full pipe already wakes the loop */
    }
    errno = saved;
}

/* Install our handler for one signal, remembering the old disposition. */
static int
install(int signo, struct sigaction *old)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    return sigaction(signo, &sa, old);   /* old may be NULL */
}

/* Make a descriptor non-blocking and close-on-exec. */
static int
set_flags(int fd)
{
    int fl = fcntl(fd, F_GETFL);

    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
        return -1;
    fl = fcntl(fd, F_GETFD);
    if (fl < 0 || fcntl(fd, F_SETFD, fl | FD_CLOEXEC) < 0)
        return -1;
    return 0;
}

struct loop *
loop_new(loop_signal_fn on_sig, void *arg, struct err *e)
{
    struct loop *l = NULL;
    struct sigaction ign;

    if (sig_pipe[0] >= 0) {
        err_set(e, HL_EINVAL, "", "loop: only one loop may exist");
        return NULL;
    }
    if (pipe(sig_pipe) < 0) {
        err_set(e, HL_EIO, "", "loop: cannot create the signal pipe: %s", strerror(errno));
        goto fail;
    }
    if (set_flags(sig_pipe[0]) < 0 || set_flags(sig_pipe[1]) < 0) {
        err_set(e, HL_EIO, "", "loop: cannot configure the signal pipe: %s", strerror(errno));
        goto fail;
    }
    l = xcalloc(1, sizeof *l);
    l->on_signal = on_sig;
    l->signal_arg = arg;
    timers_init(&l->timers);
    got_winch = got_quit = got_tstp = got_cont = 0;
    for (size_t i = 0; i < ARRAY_SIZE(handled_signals); i++) {
        install(handled_signals[i], &l->old[i]);
        /* Started without job control (SIGTSTP ignored): keep ignoring it, never stop. */
        if (handled_signals[i] == SIGTSTP && l->old[i].sa_handler == SIG_IGN) {
            sigaction(SIGTSTP, &l->old[i], NULL);
            l->tstp_ignored = true;
        }
    }
    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    sigemptyset(&ign.sa_mask);
    sigaction(SIGPIPE, &ign, &l->old_pipe);
    return l;
fail:
    for (int i = 0; i < 2; i++) {
        if (sig_pipe[i] >= 0)
            close(sig_pipe[i]);
        sig_pipe[i] = -1;
    }
    return NULL;
}

void
loop_free(struct loop **lp)
{
    struct loop *l;

    if (lp == NULL || *lp == NULL)
        return;
    l = *lp;
    for (size_t i = 0; i < ARRAY_SIZE(handled_signals); i++)
        sigaction(handled_signals[i], &l->old[i], NULL);
    sigaction(SIGPIPE, &l->old_pipe, NULL);
    for (int i = 0; i < 2; i++) {
        if (sig_pipe[i] >= 0)
            close(sig_pipe[i]);
        sig_pipe[i] = -1;
    }
    timers_fini(&l->timers);
    free(l->slots);
    free(l);
    *lp = NULL;
}

int
loop_add_source(struct loop *l, const struct loop_source *src)
{
    for (size_t i = 0; i < l->nslots; i++) {
        if (!l->slots[i].used) {
            l->slots[i].src = *src;
            l->slots[i].used = true;
            return (int)i;
        }
    }
    if (l->nslots >= LOOP_MAX_SOURCES)
        return -1;
    l->slots = xrealloc(l->slots, (l->nslots + 1) * sizeof *l->slots);
    l->slots[l->nslots].src = *src;
    l->slots[l->nslots].used = true;
    return (int)l->nslots++;
}

void
loop_remove_source(struct loop *l, int handle)
{
    if (handle < 0 || (size_t)handle >= l->nslots)
        return;
    l->slots[handle].used = false;
}

void
loop_set_wait(struct loop *l, loop_wait_fn fn, void *arg)
{
    l->wait = fn;
    l->wait_arg = arg;
}

/* Empty the self-pipe and collect the signal flags (clear first, then act). */
static unsigned
take_signals(void)
{
    char buf[64];
    unsigned sigs = 0;

    while (read(sig_pipe[0], buf, sizeof buf) > 0)
        continue;
    if (got_winch) {
        got_winch = 0;
        sigs |= LOOP_SIG_RESIZE;
    }
    if (got_quit) {
        got_quit = 0;
        sigs |= LOOP_SIG_QUIT;
    }
    if (got_tstp) {
        got_tstp = 0;
        sigs |= LOOP_SIG_SUSPEND;
    }
    if (got_cont) {
        got_cont = 0;
        sigs |= LOOP_SIG_CONT;
    }
    return sigs;
}

int
loop_iterate(struct loop *l)
{
    int timeout = timers_timeout(&l->timers, loop_now_ms());
    int n = 1;
    int ready;
    int start[LOOP_MAX_SOURCES];
    int count[LOOP_MAX_SOURCES];
    size_t nslots = l->nslots;
    unsigned sigs;

    l->fds[0].fd = sig_pipe[0];
    l->fds[0].events = POLLIN;
    l->fds[0].revents = 0;
    for (size_t i = 0; i < nslots; i++) {
        int got = 0;

        start[i] = n;
        if (l->slots[i].used && l->slots[i].src.fds != NULL) {
            got = l->slots[i].src.fds(l->slots[i].src.arg, l->fds + n, LOOP_MAX_FDS - n, &timeout);
            if (got < 0)
                got = 0;
            if (got > LOOP_MAX_FDS - n)
                got = LOOP_MAX_FDS - n;
            for (int k = 0; k < got; k++)
                l->fds[n + k].revents = 0;
        }
        count[i] = got;
        n += got;
    }
    if (l->wait != NULL)
        ready = l->wait(l->wait_arg, l->fds, n, timeout);
    else
        ready = poll(l->fds, (nfds_t)n, timeout);
    if (ready < 0) {
        if (errno != EINTR)
            return -1;
        ready = 0;
        for (int k = 0; k < n; k++)
            l->fds[k].revents = 0;
    }
    sigs = take_signals();
    if (sigs != 0 && l->on_signal != NULL)
        l->on_signal(l->signal_arg, sigs);
    for (size_t i = 0; i < nslots && i < l->nslots; i++) {
        if (l->slots[i].used && l->slots[i].src.dispatch != NULL)
            l->slots[i].src.dispatch(l->slots[i].src.arg, l->fds + start[i], count[i]);
    }
    timers_run(&l->timers, loop_now_ms());
    return ready;
}

struct timers *
loop_timers(struct loop *l)
{
    return &l->timers;
}

uint64_t
loop_after(struct loop *l, int delay_ms, timers_fn fn, void *arg)
{
    if (delay_ms < 0)
        delay_ms = 0;
    return timers_add(&l->timers, loop_now_ms() + delay_ms, fn, arg);
}

void
loop_cancel(struct loop *l, uint64_t id)
{
    timers_cancel(&l->timers, id);
}

int64_t
loop_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
loop_wall_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
loop_stop_self(struct loop *l)
{
    struct sigaction dfl;
    sigset_t set;

    if (l->tstp_ignored)
        return;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(SIGTSTP, &dfl, NULL);
    sigemptyset(&set);
    sigaddset(&set, SIGTSTP);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    kill(getpid(), SIGTSTP);
    /* Continued: take the signal back. */
    install(SIGTSTP, NULL);
}
