/* timers: a min-heap of deadlines (milliseconds) with callbacks; pure, no clock of its own. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "hotline/util.h"
#include "timers.h"

/* True when a fires before b (earlier deadline, then lower id). */
static bool
before(const struct timer_entry *a, const struct timer_entry *b)
{
    if (a->deadline != b->deadline)
        return a->deadline < b->deadline;
    return a->id < b->id;
}

/* Swap two heap slots. */
static void
swap(struct timer_entry *h, size_t i, size_t j)
{
    struct timer_entry tmp = h[i];

    h[i] = h[j];
    h[j] = tmp;
}

/* Move slot i up until its parent fires before it. */
static void
sift_up(struct timers *t, size_t i)
{
    while (i > 0) {
        size_t parent = (i - 1) / 2;

        if (!before(&t->heap[i], &t->heap[parent]))
            break;
        swap(t->heap, i, parent);
        i = parent;
    }
}

/* Move slot i down until both children fire after it. */
static void
sift_down(struct timers *t, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1;
        size_t r = l + 1;
        size_t m = i;

        if (l < t->len && before(&t->heap[l], &t->heap[m]))
            m = l;
        if (r < t->len && before(&t->heap[r], &t->heap[m]))
            m = r;
        if (m == i)
            break;
        swap(t->heap, i, m);
        i = m;
    }
}

/* Remove slot i from the heap, keeping the heap order. */
static void
remove_at(struct timers *t, size_t i)
{
    t->len--;
    if (i == t->len)
        return;
    t->heap[i] = t->heap[t->len];
    sift_down(t, i);
    sift_up(t, i);
}

void
timers_init(struct timers *t)
{
    memset(t, 0, sizeof *t);
    t->next_id = 1;
}

void
timers_fini(struct timers *t)
{
    free(t->heap);
    free(t->batch);
    memset(t, 0, sizeof *t);
    t->next_id = 1;
}

uint64_t
timers_add(struct timers *t, int64_t deadline, timers_fn fn, void *arg)
{
    if (t->len == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 16;
        t->heap = xrealloc(t->heap, t->cap * sizeof *t->heap);
    }
    t->heap[t->len].deadline = deadline;
    t->heap[t->len].id = t->next_id++;
    t->heap[t->len].fn = fn;
    t->heap[t->len].arg = arg;
    t->len++;
    sift_up(t, t->len - 1);
    return t->next_id - 1;
}

bool
timers_cancel(struct timers *t, uint64_t id)
{
    if (id == 0)
        return false;
    for (size_t i = 0; i < t->len; i++) {
        if (t->heap[i].id == id) {
            remove_at(t, i);
            return true;
        }
    }
    for (size_t i = 0; i < t->batch_len; i++) {
        if (t->batch[i].id == id && t->batch[i].fn != NULL) {
            t->batch[i].fn = NULL;
            return true;
        }
    }
    return false;
}

bool
timers_next(const struct timers *t, int64_t *deadline)
{
    if (t->len == 0)
        return false;
    *deadline = t->heap[0].deadline;
    return true;
}

int
timers_timeout(const struct timers *t, int64_t now)
{
    int64_t d;

    if (!timers_next(t, &d))
        return -1;
    if (d <= now)
        return 0;
    if (d - now > INT_MAX)
        return INT_MAX;
    return (int)(d - now);
}

size_t
timers_run(struct timers *t, int64_t now)
{
    size_t ran = 0;

    /* Take the due timers out first, so callbacks that add timers cannot starve the loop. */
    t->batch_len = 0;
    while (t->len > 0 && t->heap[0].deadline <= now) {
        if (t->batch_len == t->batch_cap) {
            t->batch_cap = t->batch_cap ? t->batch_cap * 2 : 16;
            t->batch = xrealloc(t->batch, t->batch_cap * sizeof *t->batch);
        }
        t->batch[t->batch_len++] = t->heap[0];
        remove_at(t, 0);
    }
    for (size_t i = 0; i < t->batch_len; i++) {
        timers_fn fn = t->batch[i].fn;

        if (fn == NULL)
            continue;
        t->batch[i].fn = NULL;
        fn(t->batch[i].arg);
        ran++;
    }
    t->batch_len = 0;
    return ran;
}

size_t
timers_count(const struct timers *t)
{
    return t->len;
}
