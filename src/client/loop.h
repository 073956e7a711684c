/* loop: the console's one event loop: poll(2) over the terminal, a signal self-pipe, sources and timers. */
#pragma once

/*
 * One thread, nothing blocks. Each loop_iterate():
 *   1. asks the timers for the next deadline (the poll timeout; -1 = none),
 *   2. asks every source for its file descriptors (and, optionally, a shorter timeout),
 *   3. waits once: poll(2), or the source's own wait function (see loop_set_wait),
 *   4. drains the signal self-pipe and reports signals through the on_signal callback,
 *   5. calls every source's dispatch with its own pollfds (revents filled),
 *   6. runs the due timers.
 * The caller renders between iterations, once, only when something is dirty.
 *
 * How a network module plugs in (libcurl multi), two ways, both supported:
 *
 * a) Socket callbacks (works with any libcurl): keep the sockets curl announces through
 *    CURLMOPT_SOCKETFUNCTION in a small table and the timeout from CURLMOPT_TIMERFUNCTION.
 *    Register a loop_source whose fds() copies that table into out[] (POLLIN/POLLOUT as
 *    curl asked) and lowers *timeout_ms to curl's timeout, and whose dispatch() calls
 *    curl_multi_socket_action() for each fd with revents (or CURL_SOCKET_TIMEOUT when the
 *    timeout passed), then curl_multi_info_read() for completions. curl_multi_fdset /
 *    curl_multi_waitfds can fill out[] just as well: fds() is called every iteration.
 *
 * b) curl_multi_poll: register a source whose fds() returns 0 (and may lower the timeout),
 *    and install a wait function with loop_set_wait() that converts the loop's pollfds
 *    (terminal, self-pipe, other sources) into struct curl_waitfd extra_fds, calls
 *    curl_multi_poll(multi, extra, n, timeout_ms, &numfds), and copies revents back into
 *    the pollfds. Its dispatch() then calls curl_multi_perform() + curl_multi_info_read().
 *    curl_multi_wakeup() is not needed: everything runs on this thread.
 *
 * dispatch() is called after EVERY wait, with the source's pollfds (n may be 0 and revents
 * may all be 0 when a timeout or another fd woke the loop), so a source can run its own
 * timeouts there. A source must not block in fds() or dispatch().
 */

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

#include "hotline/err.h"
#include "timers.h"

/* Most file descriptors one iteration waits on (self-pipe and all sources together). */
#define LOOP_MAX_FDS 256
/* Most sources registered at once. */
#define LOOP_MAX_SOURCES 32

/* Signals the loop reports (a bit mask passed to on_signal). */
enum {
    LOOP_SIG_RESIZE = 1 << 0,    /* SIGWINCH */
    LOOP_SIG_QUIT = 1 << 1,      /* SIGTERM, SIGINT, SIGHUP: orderly quit */
    LOOP_SIG_SUSPEND = 1 << 2,   /* SIGTSTP: the console should suspend itself (term_suspend) */
    LOOP_SIG_CONT = 1 << 3,      /* SIGCONT: resumed after a stop: repaint everything */
};

/* Something the loop waits on besides the terminal and the timers. */
struct loop_source {
    /* Fill at most max pollfds into out and return how many; may lower *timeout_ms
     * (milliseconds, -1 = no limit) but never raise it. NULL = no fds. */
    int (*fds)(void *arg, struct pollfd *out, int max, int *timeout_ms);
    /* Handle readiness: fds are the source's own pollfds with revents set (see above). */
    void (*dispatch)(void *arg, const struct pollfd *fds, int n);
    void *arg;
};

/* Replacement for poll(2) (e.g. around curl_multi_poll); same contract as poll. */
typedef int (*loop_wait_fn)(void *arg, struct pollfd *fds, int n, int timeout_ms);
/* Called with a LOOP_SIG_* mask when signals arrived. */
typedef void (*loop_signal_fn)(void *arg, unsigned sigs);

struct loop;

/* Create the loop: the self-pipe and the signal handlers (SIGWINCH, SIGTERM, SIGINT, SIGHUP,
 * SIGTSTP, SIGCONT; SIGPIPE ignored). Install it before the terminal starts so curses leaves
 * those signals to us. Only one loop may exist at a time. NULL with e filled on failure. */
struct loop *loop_new(loop_signal_fn on_signal, void *arg, struct err *e);
/* Restore the signal dispositions, close the pipe, free; NULLs *l, accepts NULL. */
void loop_free(struct loop **l);
/* Register a source (copied); returns its handle (>= 0) for loop_remove_source, -1 when
 * LOOP_MAX_SOURCES are registered already. */
int loop_add_source(struct loop *l, const struct loop_source *src);
/* Unregister a source; safe from inside a dispatch. */
void loop_remove_source(struct loop *l, int handle);
/* Use fn instead of poll(2) (NULL restores poll). */
void loop_set_wait(struct loop *l, loop_wait_fn fn, void *arg);
/* Wait once and dispatch everything that happened (see above). Returns the number of ready fds
 * reported by the wait, 0 on timeout, -1 on a wait error other than EINTR. */
int loop_iterate(struct loop *l);
/* The loop's timers (deadlines on loop_now_ms's clock). */
struct timers *loop_timers(struct loop *l);
/* Run fn(arg) after delay_ms milliseconds; returns the timer id for loop_cancel. */
uint64_t loop_after(struct loop *l, int delay_ms, timers_fn fn, void *arg);
/* Cancel a timer from loop_after; accepts 0. */
void loop_cancel(struct loop *l, uint64_t id);
/* Milliseconds on the monotonic clock. */
int64_t loop_now_ms(void);
/* Milliseconds since the Unix epoch on the wall clock. */
int64_t loop_wall_ms(void);
/* Restore the default disposition of SIGTSTP, stop the process, and reinstall our handler
 * once continued (the caller ends and restarts curses around it). Does nothing when the
 * console was started with SIGTSTP ignored (no job control). */
void loop_stop_self(struct loop *l);
