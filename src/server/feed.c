/* feed: the change feed's sequence number and the long-poll waiters parked on it. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hotline/util.h"
#include "feed.h"

/* One parked waiter. */
struct parked {
    void *waiter;
    int64_t after_seq;
    int64_t deadline;
    uint64_t order;         /* parking order: ties on deadline wake first-come first */
    feed_wake_fn fn;
    void *arg;
    enum feed_wake why;     /* set when it leaves the heap */
};

struct feed {
    pthread_mutex_t lock;
    pthread_cond_t cond;    /* on CLOCK_MONOTONIC: a publish, an earlier deadline, quit */
    pthread_t timer;
    int64_t last_seq;
    bool published;         /* a publish since the timer thread last looked */
    bool closed;            /* feed_shutdown was called */
    bool quit;              /* the timer thread must end */
    struct parked *heap;    /* binary min-heap on (deadline, order) */
    size_t n, cap;
    struct parked *batch;   /* the timer thread's waiters to wake, called without the lock */
    size_t nbatch, batchcap;
    uint64_t next_order;
};

/* Monotonic clock in milliseconds. */
int64_t
feed_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* True when a must wake before b. */
static bool
earlier(const struct parked *a, const struct parked *b)
{
    if (a->deadline != b->deadline)
        return a->deadline < b->deadline;
    return a->order < b->order;
}

/* Restore the heap below index i. */
static void
sift_down(struct feed *hub, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        struct parked tmp;

        if (l < hub->n && earlier(&hub->heap[l], &hub->heap[m]))
            m = l;
        if (r < hub->n && earlier(&hub->heap[r], &hub->heap[m]))
            m = r;
        if (m == i)
            return;
        tmp = hub->heap[i];
        hub->heap[i] = hub->heap[m];
        hub->heap[m] = tmp;
        i = m;
    }
}

/* Restore the heap above index i. */
static void
sift_up(struct feed *hub, size_t i)
{
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        struct parked tmp;

        if (!earlier(&hub->heap[i], &hub->heap[parent]))
            return;
        tmp = hub->heap[i];
        hub->heap[i] = hub->heap[parent];
        hub->heap[parent] = tmp;
        i = parent;
    }
}

/* Remove the entry at index i, keeping the heap ordered. */
static void
heap_remove(struct feed *hub, size_t i)
{
    hub->n--;
    if (i == hub->n)
        return;
    hub->heap[i] = hub->heap[hub->n];
    sift_down(hub, i);
    sift_up(hub, i);
}

/* Append a waiter to the timer thread's batch with its reason. */
static void
batch_add(struct feed *hub, const struct parked *p, enum feed_wake why)
{
    if (hub->nbatch == hub->batchcap) {
        hub->batchcap = hub->batchcap != 0 ? hub->batchcap * 2 : 64;
        hub->batch = xrealloc(hub->batch, hub->batchcap * sizeof *hub->batch);
    }
    hub->batch[hub->nbatch] = *p;
    hub->batch[hub->nbatch].why = why;
    hub->nbatch++;
}

/* Move every waiter that is due (published past, or deadline reached) to the batch. */
static void
collect(struct feed *hub, int64_t now)
{
    size_t i, kept = 0;

    if (hub->published) {
        hub->published = false;
        for (i = 0; i < hub->n; i++) {
            if (hub->heap[i].after_seq < hub->last_seq)
                batch_add(hub, &hub->heap[i], FEED_WAKE_PUBLISH);
            else
                hub->heap[kept++] = hub->heap[i];
        }
        if (kept != hub->n) {
            hub->n = kept;
            for (i = hub->n / 2; i-- > 0;)
                sift_down(hub, i);
        }
    }
    while (hub->n > 0 && hub->heap[0].deadline <= now) {
        batch_add(hub, &hub->heap[0], FEED_WAKE_DEADLINE);
        heap_remove(hub, 0);
    }
}

/* The timer thread: sleep until the nearest deadline or a signal, wake who is due. */
static void *
timer_main(void *arg)
{
    struct feed *hub = arg;

    pthread_mutex_lock(&hub->lock);
    while (!hub->quit) {
        size_t i;

        collect(hub, feed_now_ms());
        if (hub->nbatch > 0) {
            size_t nb = hub->nbatch;

            pthread_mutex_unlock(&hub->lock);
            for (i = 0; i < nb; i++)
                hub->batch[i].fn(hub->batch[i].waiter, hub->batch[i].why, hub->batch[i].arg);
            pthread_mutex_lock(&hub->lock);
            hub->nbatch = 0;
            continue;
        }
        if (hub->n == 0) {
            pthread_cond_wait(&hub->cond, &hub->lock);
        } else {
            struct timespec ts;
            int64_t at = hub->heap[0].deadline;

            ts.tv_sec = (time_t)(at / 1000);
            ts.tv_nsec = (long)(at % 1000) * 1000000;
            pthread_cond_timedwait(&hub->cond, &hub->lock, &ts);
        }
    }
    pthread_mutex_unlock(&hub->lock);
    return NULL;
}

/* A hub whose last sequence number is last_seq, with its timer thread started. */
struct feed *
feed_new(int64_t last_seq, struct err *e)
{
    struct feed *hub = xcalloc(1, sizeof *hub);
    pthread_condattr_t attr;
    int rc;

    hub->last_seq = last_seq;
    pthread_mutex_init(&hub->lock, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&hub->cond, &attr);
    pthread_condattr_destroy(&attr);
    rc = pthread_create(&hub->timer, NULL, timer_main, hub);
    if (rc != 0) {
        err_set(e, HL_EIO, "", "cannot start the feed's timer thread: %s", strerror(rc));
        pthread_cond_destroy(&hub->cond);
        pthread_mutex_destroy(&hub->lock);
        free(hub);
        return NULL;
    }
    return hub;
}

/* Stop the timer thread and free the hub. */
void
feed_free(struct feed **hubp)
{
    struct feed *hub;

    if (hubp == NULL || *hubp == NULL)
        return;
    hub = *hubp;
    pthread_mutex_lock(&hub->lock);
    hub->quit = true;
    pthread_cond_signal(&hub->cond);
    pthread_mutex_unlock(&hub->lock);
    pthread_join(hub->timer, NULL);
    pthread_cond_destroy(&hub->cond);
    pthread_mutex_destroy(&hub->lock);
    free(hub->heap);
    free(hub->batch);
    free(hub);
    *hubp = NULL;
}

/* Record that the change numbered seq is committed. */
void
feed_publish(struct feed *hub, int64_t seq)
{
    pthread_mutex_lock(&hub->lock);
    if (seq > hub->last_seq) {
        hub->last_seq = seq;
        if (hub->n > 0) {
            hub->published = true;
            pthread_cond_signal(&hub->cond);
        }
    }
    pthread_mutex_unlock(&hub->lock);
}

/* The last published sequence number. */
int64_t
feed_last_seq(struct feed *hub)
{
    int64_t seq;

    pthread_mutex_lock(&hub->lock);
    seq = hub->last_seq;
    pthread_mutex_unlock(&hub->lock);
    return seq;
}

/* Park a waiter until a seq > after_seq is published, the deadline passes or shutdown. */
enum feed_park_result
feed_park(struct feed *hub, void *waiter, int64_t after_seq, int64_t deadline_ms,
          feed_wake_fn wake_fn, void *arg)
{
    enum feed_park_result res = FEED_PARKED;
    struct parked *p;
    uint64_t order;

    pthread_mutex_lock(&hub->lock);
    if (hub->closed) {
        res = FEED_CLOSED;
        goto out;
    }
    if (hub->last_seq > after_seq) {
        res = FEED_READY;
        goto out;
    }
    if (deadline_ms <= feed_now_ms()) {
        res = FEED_EXPIRED;
        goto out;
    }
    if (hub->n == hub->cap) {
        hub->cap = hub->cap != 0 ? hub->cap * 2 : 64;
        hub->heap = xrealloc(hub->heap, hub->cap * sizeof *hub->heap);
    }
    order = hub->next_order++;
    p = &hub->heap[hub->n++];
    memset(p, 0, sizeof *p);
    p->waiter = waiter;
    p->after_seq = after_seq;
    p->deadline = deadline_ms;
    p->order = order;
    p->fn = wake_fn;
    p->arg = arg;
    sift_up(hub, hub->n - 1);
    if (hub->heap[0].order == order)
        pthread_cond_signal(&hub->cond);   /* a new nearest deadline */
out:
    pthread_mutex_unlock(&hub->lock);
    return res;
}

/* Remove a parked waiter without calling it. */
bool
feed_cancel(struct feed *hub, void *waiter)
{
    bool found = false;
    size_t i;

    pthread_mutex_lock(&hub->lock);
    for (i = 0; i < hub->n; i++) {
        if (hub->heap[i].waiter == waiter) {
            heap_remove(hub, i);
            found = true;
            break;
        }
    }
    pthread_mutex_unlock(&hub->lock);
    return found;
}

/* Wake every parked waiter with FEED_WAKE_SHUTDOWN and refuse further parks. */
void
feed_shutdown(struct feed *hub)
{
    struct parked *all;
    size_t n, i;

    pthread_mutex_lock(&hub->lock);
    hub->closed = true;
    n = hub->n;
    all = hub->heap;
    hub->heap = NULL;
    hub->n = 0;
    hub->cap = 0;
    pthread_cond_signal(&hub->cond);
    pthread_mutex_unlock(&hub->lock);
    for (i = 0; i < n; i++)
        all[i].fn(all[i].waiter, FEED_WAKE_SHUTDOWN, all[i].arg);
    free(all);
}

/* Number of waiters parked now. */
size_t
feed_waiting(struct feed *hub)
{
    size_t n;

    pthread_mutex_lock(&hub->lock);
    n = hub->n;
    pthread_mutex_unlock(&hub->lock);
    return n;
}
