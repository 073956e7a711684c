/* test_outbox: durable queue of offline writes, replayed exactly once. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache.h"
#include "hotline/util.h"
#include "outbox.h"

#define NOW 1795000000

/* A temporary directory per test, with a fake sender's log. */
struct fixture {
    char dir[256];
    char path[320];         /* <dir>/state/hotline/outbox.db */
    struct outbox *ob;
    /* what the fake sender saw, last call */
    int calls;
    int64_t seq;
    char path_sent[256];
    char method[16];
    char key[OUTBOX_KEY_SIZE];
    char if_match[32];
    char body[256];
    int refuse;             /* the sender fails to start */
};

/* Remove a directory tree. */
static void
rm_rf(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *de;

    if (d == NULL) {
        unlink(path);
        return;
    }
    while ((de = readdir(d)) != NULL) {
        char *sub;

        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        sub = xasprintf("%s/%s", path, de->d_name);
        rm_rf(sub);
        free(sub);
    }
    closedir(d);
    rmdir(path);
}

/* Open an outbox in a new directory. */
static int
setup(void **state)
{
    struct fixture *f = xcalloc(1, sizeof(*f));
    struct err e;

    str_copy(f->dir, sizeof(f->dir), "/tmp/hotline-test-outbox-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof(f->path), "%s/state/hotline/outbox.db", f->dir);
    f->ob = outbox_open(f->path, &e);
    assert_non_null(f->ob);
    *state = f;
    return 0;
}

/* Close and remove. */
static int
teardown(void **state)
{
    struct fixture *f = *state;

    outbox_free(&f->ob);
    rm_rf(f->dir);
    free(f);
    return 0;
}

/* Close and open again, as after a restart. */
static void
reopen(struct fixture *f)
{
    struct err e;

    outbox_free(&f->ob);
    f->ob = outbox_open(f->path, &e);
    assert_non_null(f->ob);
}

/* The fake sender: record what would go on the wire. */
static int
fake_send(const struct outbox_entry *en, void *arg)
{
    struct fixture *f = arg;

    f->calls++;
    f->seq = en->seq;
    str_copy(f->path_sent, sizeof(f->path_sent), en->path);
    str_copy(f->method, sizeof(f->method), en->method);
    str_copy(f->key, sizeof(f->key), en->idem_key);
    str_copy(f->if_match, sizeof(f->if_match), en->if_match != NULL ? en->if_match : "");
    str_copy(f->body, sizeof(f->body), en->body);
    assert_int_equal(en->state, OUTBOX_SENDING);
    return f->refuse ? HL_EIO : HL_OK;
}

/* Pump once and return the seq sent (0: none). */
static int64_t
pump(struct fixture *f)
{
    struct err e;

    return outbox_pump(f->ob, fake_send, f, &e);
}

/* Answer the entry in flight; returns the new state. */
static int
answer(struct fixture *f, long status, const char *ticket_id, int64_t version)
{
    struct outbox_reply r = { .status = status, .error = status == 0 ? "connection refused"
                              : "server said no", .body = "{\"answer\":1}",
                              .ticket_id = ticket_id, .version = version };
    struct err e;

    return outbox_complete(f->ob, outbox_in_flight(f->ob), &r, NOW + 60, &e);
}

/* State of an entry. */
static enum outbox_state
state_of(struct fixture *f, int64_t seq)
{
    struct outbox_entry en;
    struct err e;
    enum outbox_state s;

    assert_int_equal(outbox_get(f->ob, seq, &en, &e), HL_OK);
    s = en.state;
    outbox_entry_fini(&en);
    return s;
}

/* Keys are UUIDv4 and differ. */
static void
test_make_key(void **state)
{
    char a[OUTBOX_KEY_SIZE], b[OUTBOX_KEY_SIZE];
    struct err e;

    (void)state;
    assert_int_equal(outbox_make_key(a, &e), HL_OK);
    assert_int_equal(outbox_make_key(b, &e), HL_OK);
    assert_int_equal(strlen(a), 36);
    assert_int_equal(a[8], '-');
    assert_int_equal(a[13], '-');
    assert_int_equal(a[14], '4');
    assert_int_equal(a[18], '-');
    assert_true(strchr("89ab", a[19]) != NULL);
    assert_int_equal(a[23], '-');
    assert_string_not_equal(a, b);
}

/* Queue, count, survive a restart, keep numbering local ids. */
static void
test_enqueue_and_restart(void **state)
{
    struct fixture *f = *state;
    char local[32];
    int64_t s1, s2, s3;
    struct outbox_entries l;
    struct err e;

    assert_int_equal(outbox_waiting(f->ob), 0);
    assert_int_equal(outbox_add_create(f->ob, "{\"description\":\"噪音\"}", NOW, local,
                                       sizeof(local), &s1, &e), HL_OK);
    assert_string_equal(local, "本地-1");
    assert_int_equal(outbox_add_action(f->ob, "HL20261122-000007", "urge", 4,
                                       "{\"note\":\"催\"}", NOW + 1, &s2, &e), HL_OK);
    assert_int_equal(outbox_add_patch(f->ob, "HL20261122-000008", 2, "{\"title\":\"t\"}",
                                      NOW + 2, &s3, &e), HL_OK);
    assert_true(s1 < s2 && s2 < s3);
    assert_int_equal(outbox_waiting(f->ob), 3);
    assert_int_equal(outbox_attention(f->ob), 0);
    reopen(f);
    assert_int_equal(outbox_waiting(f->ob), 3);
    assert_int_equal(outbox_list(f->ob, false, &l, &e), HL_OK);
    assert_int_equal(l.n, 3);
    assert_int_equal(l.v[0].kind, OUTBOX_CREATE);
    assert_string_equal(l.v[0].ticket_id, "本地-1");
    assert_string_equal(l.v[0].local_id, "本地-1");
    assert_string_equal(l.v[0].method, "POST");
    assert_string_equal(l.v[0].path, "/tickets");
    assert_string_equal(l.v[0].body, "{\"description\":\"噪音\"}");
    assert_int_equal(l.v[0].created_at, NOW);
    assert_int_equal(l.v[0].state, OUTBOX_WAITING);
    assert_int_equal(strlen(l.v[0].idem_key), 36);
    assert_int_equal(l.v[1].kind, OUTBOX_ACTION);
    assert_string_equal(l.v[1].action, "urge");
    assert_string_equal(l.v[1].path, "/tickets/HL20261122-000007/urge");
    assert_int_equal(l.v[1].base_version, 4);
    assert_false(l.v[1].chained);
    assert_int_equal(l.v[2].kind, OUTBOX_PATCH);
    assert_string_equal(l.v[2].method, "PATCH");
    assert_string_equal(l.v[2].path, "/tickets/HL20261122-000008");
    assert_string_not_equal(l.v[0].idem_key, l.v[1].idem_key);
    outbox_entries_fini(&l);
    assert_int_equal(outbox_add_create(f->ob, "{}", NOW, local, sizeof(local), NULL, &e),
                     HL_OK);
    assert_string_equal(local, "本地-2");
    /* Bad ids and bodies are refused before anything is stored. */
    assert_int_equal(outbox_add_patch(f->ob, "../x", 1, "{}", NOW, NULL, &e), HL_EINVAL);
    assert_int_equal(outbox_add_action(f->ob, "HL1", "a/b", 1, "{}", NOW, NULL, &e),
                     HL_EINVAL);
    assert_int_equal(outbox_add_patch(f->ob, "HL1", 1, NULL, NOW, NULL, &e), HL_EINVAL);
    assert_int_equal(outbox_waiting(f->ob), 4);
}

/* A second console cannot open the same outbox. */
static void
test_lock(void **state)
{
    struct fixture *f = *state;
    struct err e;

    err_clear(&e);
    assert_null(outbox_open(f->path, &e));
    assert_int_equal(e.code, HL_ECONFLICT);
    assert_non_null(strstr(e.msg, "another hotline console"));
}

/* Replay goes in order, one at a time, and each entry is sent once. */
static void
test_order_one_at_a_time(void **state)
{
    struct fixture *f = *state;
    int64_t s[3];
    struct err e;

    assert_int_equal(outbox_add_action(f->ob, "HLA", "accept", 1, "{}", NOW, &s[0], &e), HL_OK);
    assert_int_equal(outbox_add_action(f->ob, "HLB", "accept", 1, "{}", NOW, &s[1], &e), HL_OK);
    assert_int_equal(outbox_add_action(f->ob, "HLC", "accept", 1, "{}", NOW, &s[2], &e), HL_OK);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(pump(f), s[i]);
        assert_int_equal(f->calls, i + 1);
        assert_int_equal(state_of(f, s[i]), OUTBOX_SENDING);
        /* Nothing else goes while one is in flight. */
        assert_int_equal(pump(f), 0);
        assert_int_equal(f->calls, i + 1);
        assert_int_equal(answer(f, 200, NULL, 2), OUTBOX_DONE);
        assert_int_equal(state_of(f, s[i]), OUTBOX_DONE);
        assert_int_equal(outbox_waiting(f->ob), (size_t)(2 - i));
    }
    assert_int_equal(pump(f), 0);
    assert_int_equal(f->calls, 3);
    /* A done entry is never sent again, also after a restart. */
    reopen(f);
    assert_int_equal(pump(f), 0);
    assert_int_equal(f->calls, 3);
    /* Completing something not in flight is refused. */
    {
        struct outbox_reply r = { .status = 200, .version = -1 };

        err_clear(&e);
        assert_int_equal(outbox_complete(f->ob, s[0], &r, NOW, &e), -1);
        assert_int_equal(e.code, HL_EINVAL);
    }
}

/* Transient failures put the entry back with the same key; held ones wait for the user. */
static void
test_transitions(void **state)
{
    struct fixture *f = *state;
    char key[OUTBOX_KEY_SIZE];
    struct outbox_entry en;
    int64_t s1;
    struct err e;

    assert_int_equal(outbox_add_create(f->ob, "{\"a\":1}", NOW, NULL, 0, &s1, &e), HL_OK);
    assert_int_equal(pump(f), s1);
    str_copy(key, sizeof(key), f->key);
    assert_string_equal(f->if_match, "");
    assert_int_equal(answer(f, 0, NULL, -1), OUTBOX_WAITING);
    assert_int_equal(pump(f), s1);
    assert_string_equal(f->key, key);
    assert_int_equal(answer(f, 503, NULL, -1), OUTBOX_WAITING);
    assert_int_equal(pump(f), s1);
    assert_int_equal(answer(f, 401, NULL, -1), OUTBOX_WAITING);
    assert_int_equal(outbox_get(f->ob, s1, &en, &e), HL_OK);
    assert_string_equal(en.last_error, "the session expired: sign in again");
    assert_int_equal(en.attempts, 3);
    outbox_entry_fini(&en);
    assert_int_equal(pump(f), s1);
    assert_string_equal(f->key, key);
    assert_int_equal(answer(f, 422, NULL, -1), OUTBOX_FAILED);
    assert_int_equal(outbox_attention(f->ob), 1);
    assert_int_equal(outbox_waiting(f->ob), 1);
    assert_int_equal(pump(f), 0);
    /* The user retries: a new key, waiting again. */
    assert_int_equal(outbox_retry_mine(f->ob, s1, -1, NOW, &e), HL_OK);
    assert_int_equal(pump(f), s1);
    assert_string_not_equal(f->key, key);
    assert_int_equal(answer(f, 201, "HL20261122-000001", 1), OUTBOX_DONE);
    assert_int_equal(outbox_get(f->ob, s1, &en, &e), HL_OK);
    assert_int_equal(en.attempts, 5);
    assert_int_equal(en.result_version, 1);
    assert_int_equal(en.resolution, OUTBOX_RES_RETRIED);
    assert_string_equal(en.server_result, "{\"answer\":1}");
    assert_null(en.last_error);
    outbox_entry_fini(&en);
    /* Settling something that is not held is refused. */
    err_clear(&e);
    assert_int_equal(outbox_drop(f->ob, s1, NOW, &e), HL_ENOENT);
    assert_int_equal(outbox_keep_theirs(f->ob, 999, 1, NOW, &e), HL_ENOENT);
    /* A sender that cannot start puts the entry back. */
    assert_int_equal(outbox_add_action(f->ob, "HLX", "accept", 1, "{}", NOW, &s1, &e), HL_OK);
    f->refuse = 1;
    assert_int_equal(pump(f), 0);
    assert_int_equal(state_of(f, s1), OUTBOX_WAITING);
    assert_int_equal(outbox_in_flight(f->ob), 0);
    f->refuse = 0;
    assert_int_equal(pump(f), s1);
}

/* A ticket created offline: its placeholder becomes the server's id everywhere, and
 * the next entry is sent with the version the create produced. */
static void
test_local_id_mapping(void **state)
{
    struct fixture *f = *state;
    char local[32], sid[64];
    int64_t s1, s2, s3;
    struct outbox_entry en;
    struct err e;

    assert_int_equal(outbox_add_create(f->ob, "{}", NOW, local, sizeof(local), &s1, &e),
                     HL_OK);
    assert_int_equal(outbox_add_action(f->ob, local, "dispatch", -1, "{\"units\":[]}", NOW,
                                       &s2, &e), HL_OK);
    assert_int_equal(outbox_add_action(f->ob, local, "urge", -1, "{}", NOW, &s3, &e), HL_OK);
    assert_false(outbox_server_id(f->ob, local, sid, sizeof(sid)));
    assert_int_equal(pump(f), s1);
    assert_string_equal(f->path_sent, "/tickets");
    assert_int_equal(answer(f, 201, "HL20261122-000042", 1), OUTBOX_DONE);
    assert_true(outbox_server_id(f->ob, local, sid, sizeof(sid)));
    assert_string_equal(sid, "HL20261122-000042");
    assert_int_equal(outbox_get(f->ob, s2, &en, &e), HL_OK);
    assert_string_equal(en.ticket_id, "HL20261122-000042");
    assert_string_equal(en.path, "/tickets/HL20261122-000042/dispatch");
    assert_true(en.chained);
    outbox_entry_fini(&en);
    assert_int_equal(pump(f), s2);
    assert_string_equal(f->path_sent, "/tickets/HL20261122-000042/dispatch");
    assert_string_equal(f->if_match, "\"1\"");
    assert_int_equal(answer(f, 200, "HL20261122-000042", 2), OUTBOX_DONE);
    assert_int_equal(pump(f), s3);
    assert_string_equal(f->path_sent, "/tickets/HL20261122-000042/urge");
    assert_string_equal(f->if_match, "\"2\"");
    assert_int_equal(answer(f, 200, "HL20261122-000042", 3), OUTBOX_DONE);
    /* Placeholders are not reused. */
    assert_int_equal(outbox_add_create(f->ob, "{}", NOW, local, sizeof(local), NULL, &e),
                     HL_OK);
    assert_string_equal(local, "本地-2");
}

/* A conflict holds later entries of the same ticket, not the others. */
static void
test_conflict_holds_ticket(void **state)
{
    struct fixture *f = *state;
    int64_t a, b, c, d;
    struct outbox_entry en;
    struct err e;

    assert_int_equal(outbox_add_action(f->ob, "HLX", "reply", 3, "{\"reply\":\"1\"}", NOW, &a,
                                       &e), HL_OK);
    assert_int_equal(outbox_add_action(f->ob, "HLX", "close", 3, "{}", NOW, &b, &e), HL_OK);
    assert_int_equal(outbox_add_action(f->ob, "HLY", "accept", 7, "{}", NOW, &c, &e), HL_OK);
    assert_int_equal(pump(f), a);
    assert_string_equal(f->if_match, "\"3\"");
    assert_int_equal(answer(f, 412, NULL, -1), OUTBOX_CONFLICT);
    assert_int_equal(outbox_attention(f->ob), 1);
    /* b waits behind a; c goes. */
    assert_int_equal(pump(f), c);
    assert_string_equal(f->if_match, "\"7\"");
    assert_int_equal(answer(f, 200, "HLY", 8), OUTBOX_DONE);
    assert_int_equal(pump(f), 0);
    assert_int_equal(state_of(f, b), OUTBOX_WAITING);
    /* Entries queued now for HLX are chained and wait too. */
    assert_int_equal(outbox_add_action(f->ob, "HLX", "urge", 3, "{}", NOW, &d, &e), HL_OK);
    assert_int_equal(pump(f), 0);
    /* Both versions are kept for the user. */
    assert_int_equal(outbox_set_theirs(f->ob, a, "{\"id\":\"HLX\",\"version\":5}", &e), HL_OK);
    assert_int_equal(outbox_get(f->ob, a, &en, &e), HL_OK);
    assert_string_equal(en.body, "{\"reply\":\"1\"}");
    assert_string_equal(en.theirs, "{\"id\":\"HLX\",\"version\":5}");
    assert_string_equal(en.last_error, "server said no");
    outbox_entry_fini(&en);
    /* Still held after a restart. */
    reopen(f);
    assert_int_equal(pump(f), 0);
    assert_int_equal(outbox_waiting(f->ob), 3);
    /* Retry mine on the new version. */
    assert_int_equal(outbox_retry_mine(f->ob, a, 5, NOW, &e), HL_OK);
    assert_int_equal(pump(f), a);
    assert_string_equal(f->if_match, "\"5\"");
    assert_int_equal(answer(f, 200, "HLX", 6), OUTBOX_DONE);
    /* b was queued with a pending entry before it: it follows a's answer. */
    assert_int_equal(pump(f), b);
    assert_string_equal(f->if_match, "\"6\"");
    assert_int_equal(answer(f, 409, NULL, -1), OUTBOX_CONFLICT);
    assert_int_equal(pump(f), 0);
    /* Keep theirs: b is settled and d follows their version. */
    assert_int_equal(outbox_keep_theirs(f->ob, b, 9, NOW, &e), HL_OK);
    assert_int_equal(outbox_get(f->ob, b, &en, &e), HL_OK);
    assert_int_equal(en.state, OUTBOX_DONE);
    assert_int_equal(en.resolution, OUTBOX_RES_THEIRS);
    outbox_entry_fini(&en);
    assert_int_equal(pump(f), d);
    assert_string_equal(f->if_match, "\"9\"");
    assert_int_equal(answer(f, 200, "HLX", 10), OUTBOX_DONE);
    assert_int_equal(outbox_waiting(f->ob), 0);
    assert_int_equal(outbox_attention(f->ob), 0);
}

/* A crash while sending: the entry goes again with the same key after a restart. */
static void
test_crash_during_sending(void **state)
{
    struct fixture *f = *state;
    char key[OUTBOX_KEY_SIZE];
    int64_t s1, s2;
    struct outbox_entry en;
    struct err e;

    assert_int_equal(outbox_add_create(f->ob, "{\"x\":1}", NOW, NULL, 0, &s1, &e), HL_OK);
    assert_int_equal(outbox_add_create(f->ob, "{\"x\":2}", NOW, NULL, 0, &s2, &e), HL_OK);
    assert_int_equal(pump(f), s1);
    str_copy(key, sizeof(key), f->key);
    /* kill -9 here: no answer is recorded. */
    reopen(f);
    assert_int_equal(state_of(f, s1), OUTBOX_SENDING);
    assert_int_equal(outbox_in_flight(f->ob), 0);
    assert_int_equal(pump(f), s1);
    assert_string_equal(f->key, key);
    assert_string_equal(f->body, "{\"x\":1}");
    assert_int_equal(answer(f, 201, "HL20261122-000001", 1), OUTBOX_DONE);
    assert_int_equal(outbox_get(f->ob, s1, &en, &e), HL_OK);
    assert_int_equal(en.attempts, 2);
    assert_string_equal(en.idem_key, key);
    outbox_entry_fini(&en);
    assert_int_equal(pump(f), s2);
    assert_string_not_equal(f->key, key);
}

/* A dropped create takes its placeholder's entries with it (as failed, for the user). */
static void
test_dropped_create(void **state)
{
    struct fixture *f = *state;
    char local[32];
    int64_t s1, s2, s3;
    struct err e;

    assert_int_equal(outbox_add_create(f->ob, "{}", NOW, local, sizeof(local), &s1, &e),
                     HL_OK);
    assert_int_equal(outbox_add_action(f->ob, local, "dispatch", -1, "{}", NOW, &s2, &e),
                     HL_OK);
    assert_int_equal(outbox_add_action(f->ob, "HLZ", "accept", 1, "{}", NOW, &s3, &e), HL_OK);
    assert_int_equal(pump(f), s1);
    assert_int_equal(answer(f, 400, NULL, -1), OUTBOX_FAILED);
    assert_int_equal(pump(f), s3);
    assert_int_equal(answer(f, 200, "HLZ", 2), OUTBOX_DONE);
    assert_int_equal(pump(f), 0);
    assert_int_equal(outbox_drop(f->ob, s1, NOW, &e), HL_OK);
    assert_int_equal(pump(f), 0);
    assert_int_equal(state_of(f, s2), OUTBOX_FAILED);
    assert_int_equal(f->calls, 2);
    assert_int_equal(outbox_waiting(f->ob), 1);
    assert_int_equal(outbox_drop(f->ob, s2, NOW, &e), HL_OK);
    assert_int_equal(outbox_waiting(f->ob), 0);
    /* Pruning removes settled entries only. */
    assert_int_equal(outbox_prune(f->ob, NOW + 61), 3);
}

/* Wiping the cache directory leaves the outbox alone: the default paths live under
 * different XDG base directories. */
static void
test_wiped_cache_keeps_outbox(void **state)
{
    struct fixture *f = *state;
    char cache_home[320], state_home[320];
    char *cache_path, *ob_path;
    struct outbox *ob;
    struct cache *c;
    struct err e;
    int64_t s1;
    struct stat st;

    snprintf(cache_home, sizeof(cache_home), "%s/xdg-cache", f->dir);
    snprintf(state_home, sizeof(state_home), "%s/xdg-state", f->dir);
    setenv("XDG_CACHE_HOME", cache_home, 1);
    setenv("XDG_STATE_HOME", state_home, 1);
    cache_path = cache_default_path(&e);
    ob_path = outbox_default_path(&e);
    assert_non_null(cache_path);
    assert_non_null(ob_path);
    assert_true(str_starts_with(cache_path, cache_home));
    assert_true(str_starts_with(ob_path, state_home));
    assert_true(str_starts_with(ob_path + strlen(state_home), "/hotline/outbox.db"));
    c = cache_open(cache_path, NULL, &e);
    assert_non_null(c);
    assert_int_equal(cache_set_feed_seq(c, 5, &e), HL_OK);
    ob = outbox_open(ob_path, &e);
    assert_non_null(ob);
    assert_int_equal(outbox_add_create(ob, "{\"keep\":true}", NOW, NULL, 0, &s1, &e), HL_OK);
    cache_free(&c);
    outbox_free(&ob);
    rm_rf(cache_home);
    assert_int_not_equal(stat(cache_home, &st), 0);
    c = cache_open(cache_path, NULL, &e);
    assert_non_null(c);
    assert_int_equal(cache_get_feed_seq(c), -1);
    cache_free(&c);
    ob = outbox_open(ob_path, &e);
    assert_non_null(ob);
    assert_int_equal(outbox_waiting(ob), 1);
    outbox_free(&ob);
    free(cache_path);
    free(ob_path);
    unsetenv("XDG_CACHE_HOME");
    unsetenv("XDG_STATE_HOME");
}

/* A damaged outbox file is reported and left untouched. */
static void
test_damaged_file_left_alone(void **state)
{
    struct fixture *f = *state;
    char path[400];
    FILE *fp;
    struct err e;
    struct outbox *ob;
    size_t len;
    char *back;

    snprintf(path, sizeof(path), "%s/other.db", f->dir);
    fp = fopen(path, "wb");
    assert_non_null(fp);
    fputs("this is not an outbox, but it may be precious", fp);
    fclose(fp);
    err_clear(&e);
    ob = outbox_open(path, &e);
    assert_null(ob);
    assert_int_equal(e.code, HL_EIO);
    assert_non_null(strstr(e.msg, "left as it is"));
    back = file_read_all(path, 4096, &len);
    assert_non_null(back);
    assert_string_equal(back, "this is not an outbox, but it may be precious");
    free(back);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_make_key),
        cmocka_unit_test_setup_teardown(test_enqueue_and_restart, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_order_one_at_a_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transitions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_local_id_mapping, setup, teardown),
        cmocka_unit_test_setup_teardown(test_conflict_holds_ticket, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crash_during_sending, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dropped_create, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wiped_cache_keeps_outbox, setup, teardown),
        cmocka_unit_test_setup_teardown(test_damaged_file_left_alone, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
