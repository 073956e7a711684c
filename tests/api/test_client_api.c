/* test_client_api: the console's net + api + outbox + session against a live hotlined. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "api.h"
#include "cache.h"
#include "harness.h"
#include "hotline/codec.h"
#include "hotline/util.h"
#include "net.h"
#include "outbox.h"
#include "session.h"
#include "timers.h"

#define USER "agent01"
#define PW "correct-horse-42"
#define PHONE "13900139000"

/* Everything the tests share: one hotlined, one console stack. */
struct fixture {
    struct harness *h;
    const char *missing;         /* what the backend lacks: the tests skip */
    char listen[64];             /* "127.0.0.1:<port>" to restart on the same port */
    const char *extra[3];
    char dir[256];               /* the console's own files */
    struct timers timers;
    struct net *net;
    struct api *api;
    /* events seen */
    int conn_events;
    enum api_conn last_state;
    bool saw_reconnecting, saw_offline;
    int expired_events;
    int feed_events;
    char feed_type[64], feed_ticket[64];
    int outbox_events;
    int outbox_state;
    char outbox_ticket[64];
};

static struct fixture fx;

/* Record the api's events. */
static void
on_event(const struct api_event *ev, void *arg)
{
    struct fixture *f = arg;

    switch (ev->kind) {
    case API_EV_CONN:
        f->conn_events++;
        f->last_state = ev->conn->state;
        if (ev->conn->state == API_RECONNECTING)
            f->saw_reconnecting = true;
        if (ev->conn->state == API_OFFLINE)
            f->saw_offline = true;
        break;
    case API_EV_SESSION_EXPIRED:
        f->expired_events++;
        break;
    case API_EV_FEED:
        for (size_t i = 0; i < ev->n_events; i++) {
            f->feed_events++;
            str_copy(f->feed_type, sizeof(f->feed_type), ev->events[i].type);
            str_copy(f->feed_ticket, sizeof(f->feed_ticket),
                     ev->events[i].ticket_id != NULL ? ev->events[i].ticket_id : "");
        }
        break;
    case API_EV_OUTBOX:
        f->outbox_events++;
        f->outbox_state = ev->outbox_state;
        str_copy(f->outbox_ticket, sizeof(f->outbox_ticket),
                 ev->ticket_id != NULL ? ev->ticket_id : "");
        break;
    }
}

/* The test's tiny loop: poll net's fds, run net and the timers, until *done or max_ms. */
static void
run_until(struct fixture *f, const bool *done, int max_ms)
{
    int64_t end = net_now_ms() + max_ms;

    while ((done == NULL || !*done) && net_now_ms() < end) {
        struct pollfd fds[64];
        size_t n = net_pollfds(f->net, fds, 64);
        int t = net_timeout_ms(f->net);
        int tt = timers_timeout(&f->timers, net_now_ms());

        if (t < 0 || (tt >= 0 && tt < t))
            t = tt;
        if (t < 0 || t > 50)
            t = 50;
        poll(fds, n, t);
        net_dispatch(f->net, fds, n);
        timers_run(&f->timers, net_now_ms());
    }
}

/* What a call's callback got. */
struct got {
    bool done;
    int code;
    long status;
    bool offline;
    char msg[256];
    char error_code[64];
    char etag[64];
    struct ticket *ticket;
    struct ticket *current;
    size_t n_items;
    char first_id[64];
    struct api_session session;
    struct api_meta *meta;
    char health_status[16];
};

/* Keep what a call got. */
static void
on_done(struct api_result *r, void *arg)
{
    struct got *g = arg;

    g->done = true;
    g->code = r->code;
    g->status = r->status;
    g->offline = r->offline;
    str_copy(g->msg, sizeof(g->msg), r->err.msg);
    str_copy(g->error_code, sizeof(g->error_code), r->error_code);
    str_copy(g->etag, sizeof(g->etag), r->etag);
    g->ticket = r->ticket;
    r->ticket = NULL;
    g->current = r->current;
    r->current = NULL;
    g->n_items = r->page.n;
    if (r->page.n > 0)
        str_copy(g->first_id, sizeof(g->first_id), r->page.items[0].id);
    g->session = r->session;
    memset(&r->session, 0, sizeof(r->session));
    g->meta = r->meta;
    r->meta = NULL;
    if (r->health.status != NULL)
        str_copy(g->health_status, sizeof(g->health_status), r->health.status);
}

/* Release what a got holds. */
static void
got_fini(struct got *g)
{
    ticket_free(&g->ticket);
    ticket_free(&g->current);
    free(g->session.token);
    user_fini(&g->session.user);
    api_meta_free(&g->meta);
    memset(g, 0, sizeof(*g));
}

/* Run hotlined with args and input on its standard input; its exit status. */
static int
run_hotlined(const char *const *args, const char *input)
{
    const char *argv[16];
    int in[2], status = -1;
    size_t n = 0;
    pid_t pid;

    argv[n++] = getenv("HOTLINED");
    for (size_t i = 0; args[i] != NULL && n < 15; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    assert_int_equal(pipe(in), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);

        dup2(in[0], STDIN_FILENO);
        dup2(null, STDOUT_FILENO);
        close(in[1]);
        execv(argv[0], (char *const *)(uintptr_t)argv);
        _exit(127);
    }
    close(in[0]);
    if (write(in[1], input, strlen(input)) < 0)
        fail_msg("write to hotlined: %s", strerror(errno));
    close(in[1]);
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* A new console stack (net + api) against the harness, with quick backoff for tests. */
static void
stack_new(struct fixture *f)
{
    struct api_opts o = { .base_url = f->h->base, .timeout_ms = 3000, .feed_wait_s = 2,
                          .backoff_base_ms = 100, .backoff_max_ms = 400,
                          .offline_after_ms = 1200 };
    struct err e;

    f->net = net_new(NULL, &e);
    assert_non_null(f->net);
    f->api = api_new(f->net, &f->timers, &o, on_event, f, &e);
    assert_non_null(f->api);
}

/* Group setup: hotlined, an agent, and a look at what the backend serves. */
static int
group_setup(void **state)
{
    struct fixture *f = &fx;
    const char *const add[] = { "--db", NULL, "user", "add", USER, "--name", "测试坐席",
                                "--role", "agent", NULL };
    const char *args[10];
    struct http_reply r;

    memset(f, 0, sizeof(*f));
    timers_init(&f->timers);
    str_copy(f->dir, sizeof(f->dir), "/tmp/hotline-client-api-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    f->h = harness_start(NULL);
    snprintf(f->listen, sizeof(f->listen), "127.0.0.1:%d", f->h->port);
    f->extra[0] = "--listen";
    f->extra[1] = f->listen;
    f->extra[2] = NULL;
    f->h->extra = f->extra;     /* restarts keep the port */
    memcpy(args, add, sizeof(add));
    args[1] = f->h->db;
    memset(&r, 0, sizeof(r));
    if (run_hotlined(args, PW "\n") != 0) {
        f->missing = "`hotlined user add` (cannot create the test account)";
    } else if (http_post(f->h, "/api/v1/session", "{}", &r) == 404) {
        f->missing = "POST /api/v1/session";
    } else {
        http_reply_fini(&r);
        if (http_post(f->h, "/api/v1/tickets", "{}", &r) == 404)
            f->missing = "POST /api/v1/tickets";
    }
    http_reply_fini(&r);
    if (f->missing == NULL)
        stack_new(f);
    *state = f;
    return 0;
}

/* Group teardown. */
static int
group_teardown(void **state)
{
    struct fixture *f = *state;
    char cmd[400];

    api_free(&f->api);
    net_free(&f->net);
    timers_fini(&f->timers);
    harness_free(&f->h);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        print_message("could not remove %s\n", f->dir);
    return 0;
}

/* Skip when the backend lacks a part. */
#define NEED_BACKEND(f) do { if ((f)->missing != NULL) skip(); } while (0)

/* A ticket matter for intake. */
static struct ticket *
matter(const char *description)
{
    struct ticket *t = ticket_new();

    t->channel = CHANNEL_PHONE;
    t->caller.phone = xstrdup(PHONE);
    t->caller.name = xstrdup("王女士");
    t->caller.salutation = SALUTATION_MS;
    t->nature = NATURE_COMPLAINT;
    t->complaint_level = 2;
    t->category = xstrdup("urban.env.social_noise");
    t->title = xstrdup("夜间施工噪音");
    t->description = xstrdup(description);
    t->location = xstrdup("朝阳区幸福路 12 号");
    return t;
}

/* Number of tickets of the test caller on the server. */
static size_t
count_caller_tickets(struct fixture *f)
{
    struct api_ticket_query q = { .caller_phone = PHONE, .limit = 100 };
    struct got g = {0};
    struct err e;
    size_t n;

    assert_true(api_ticket_list(f->api, &q, on_done, &g, &e) != 0);
    run_until(f, &g.done, 5000);
    assert_int_equal(g.code, HL_OK);
    n = g.n_items;
    got_fini(&g);
    return n;
}

/* Health needs no token; a wrong password is the server's 401, not an expiry. */
static void
test_health_and_bad_login(void **state)
{
    struct fixture *f = *state;
    struct got g = {0};
    struct err e;

    NEED_BACKEND(f);
    assert_true(api_health(f->api, on_done, &g, &e) != 0);
    run_until(f, &g.done, 5000);
    assert_int_equal(g.code, HL_OK);
    assert_int_equal(g.status, 200);
    assert_string_equal(g.health_status, "ok");
    got_fini(&g);
    assert_true(api_login(f->api, USER, "wrong password", on_done, &g, &e) != 0);
    run_until(f, &g.done, 5000);
    assert_int_equal(g.status, 401);
    assert_int_not_equal(g.code, HL_OK);
    assert_string_equal(g.error_code, "invalid_credentials");
    assert_true(g.msg[0] != '\0');
    assert_null(api_token(f->api));
    assert_int_equal(f->expired_events, 0);
    got_fini(&g);
}

/* Login: a token and the user. */
static void
test_login(void **state)
{
    struct fixture *f = *state;
    struct got g = {0};
    struct err e;

    NEED_BACKEND(f);
    assert_true(api_login(f->api, USER, PW, on_done, &g, &e) != 0);
    run_until(f, &g.done, 5000);
    assert_int_equal(g.code, HL_OK);
    assert_int_equal(g.status, 200);
    assert_non_null(g.session.token);
    assert_string_equal(g.session.user.id, USER);
    assert_string_equal(g.session.user.name, "测试坐席");
    assert_int_equal(g.session.user.role, USER_AGENT);
    assert_true(g.session.expires_at > 1700000000);
    assert_non_null(api_token(f->api));
    assert_string_equal(api_token(f->api), g.session.token);
    got_fini(&g);
}

/* One Idempotency-Key sent three times creates one ticket. */
static void
test_create_idempotent(void **state)
{
    struct fixture *f = *state;
    struct ticket *t;
    char key[OUTBOX_KEY_SIZE], id[64] = "";
    size_t before;
    struct err e;

    NEED_BACKEND(f);
    t = matter("工地每晚十一点后还在施工，噪音很大。");
    before = count_caller_tickets(f);
    assert_int_equal(outbox_make_key(key, &e), HL_OK);
    for (int i = 0; i < 3; i++) {
        struct got g = {0};

        assert_true(api_ticket_create(f->api, t, key, on_done, &g, &e) != 0);
        run_until(f, &g.done, 5000);
        assert_int_equal(g.code, HL_OK);
        assert_int_equal(g.status, i == 0 ? 201 : 200);
        assert_non_null(g.ticket);
        assert_true(str_starts_with(g.ticket->id, "HL"));
        assert_int_equal(g.ticket->version, 1);
        assert_int_equal(g.ticket->status, STATUS_ACCEPTED);
        assert_string_equal(g.etag, "\"1\"");
        if (i == 0)
            str_copy(id, sizeof(id), g.ticket->id);
        else
            assert_string_equal(g.ticket->id, id);
        got_fini(&g);
    }
    assert_int_equal(count_caller_tickets(f), before + 1);
    ticket_free(&t);
}

/* A stale If-Match is a 412 with the current ticket decoded; nothing is overwritten. */
static void
test_stale_if_match(void **state)
{
    struct fixture *f = *state;
    struct ticket *t;
    struct strlist fields = {0};
    struct got g = {0};
    struct err e;

    NEED_BACKEND(f);
    t = matter("楼下餐馆油烟直排。");
    assert_true(api_ticket_create(f->api, t, NULL, on_done, &g, &e) != 0);
    run_until(f, &g.done, 5000);
    assert_int_equal(g.code, HL_OK);
    free(t->id);
    t->id = xstrdup(g.ticket->id);
    got_fini(&g);
    free(t->title);
    t->title = xstrdup("餐馆油烟扰民");
    strlist_add(&fields, "title");
    assert_true(api_ticket_patch(f->api, t, 1, &fields, on_done, &g, &e) != 0);
    run_until(f, &g.done, 5000);
    assert_int_equal(g.code, HL_OK);
    assert_int_equal(g.ticket->version, 2);
    assert_string_equal(g.ticket->title, "餐馆油烟扰民");
    got_fini(&g);
    free(t->title);
    t->title = xstrdup("stale edit");
    assert_true(api_ticket_patch(f->api, t, 1, &fields, on_done, &g, &e) != 0);
    run_until(f, &g.done, 5000);
    assert_int_equal(g.status, 412);
    assert_int_equal(g.code, HL_ECONFLICT);
    assert_string_equal(g.error_code, "version_mismatch");
    assert_true(g.msg[0] != '\0');
    assert_non_null(g.current);
    assert_string_equal(g.current->id, t->id);
    assert_int_equal(g.current->version, 2);
    assert_string_equal(g.current->title, "餐馆油烟扰民");
    got_fini(&g);
    strlist_fini(&fields);
    ticket_free(&t);
}

/* A 401 on a call with a token raises the expiry event once. */
static void
test_session_expired(void **state)
{
    struct fixture *f = *state;
    char *good;
    struct got g = {0};
    struct err e;

    NEED_BACKEND(f);
    good = xstrdup(api_token(f->api));
    api_set_token(f->api, "not-a-valid-token");
    for (int i = 0; i < 2; i++) {
        assert_true(api_ticket_get(f->api, "HL20260101-000001", on_done, &g, &e) != 0);
        run_until(f, &g.done, 5000);
        assert_int_equal(g.status, 401);
        got_fini(&g);
    }
    assert_int_equal(f->expired_events, 1);
    api_set_token(f->api, good);
    free(good);
    assert_true(api_ticket_get(f->api, "HL20260101-000001", on_done, &g, &e) != 0);
    run_until(f, &g.done, 5000);
    assert_int_equal(g.status, 404);
    assert_int_equal(g.code, HL_ENOENT);
    got_fini(&g);
    assert_int_equal(f->expired_events, 1);
}

/* The feed reports a ticket created by someone. */
static void
test_feed(void **state)
{
    struct fixture *f = *state;
    struct ticket *t;
    struct got g = {0};
    struct err e;
    bool seen = false;
    int64_t end;

    NEED_BACKEND(f);
    t = matter("小区路灯不亮。");
    api_feed_start(f->api, -1);
    run_until(f, NULL, 300);
    assert_true(api_feed_seq(f->api) >= 0);
    assert_true(api_ticket_create(f->api, t, NULL, on_done, &g, &e) != 0);
    run_until(f, &g.done, 5000);
    assert_int_equal(g.code, HL_OK);
    end = net_now_ms() + 5000;
    while (!seen && net_now_ms() < end) {
        run_until(f, NULL, 50);
        seen = strcmp(f->feed_ticket, g.ticket->id) == 0;
    }
    assert_true(seen);
    assert_string_equal(f->feed_type, "ticket.created");
    got_fini(&g);
    api_feed_stop(f->api);
    ticket_free(&t);
}

/* Backend gone: reconnecting, then offline; back: online. A create queued meanwhile is
 * replayed once. */
static void
test_reconnect_and_outbox(void **state)
{
    struct fixture *f = *state;
    struct ticket *t;
    char ob_path[320], local[32];
    struct outbox *ob;
    struct got g = {0};
    struct err e;
    size_t before;
    int64_t seq, end;

    NEED_BACKEND(f);
    t = matter("停电三小时了，没有任何通知。");
    snprintf(ob_path, sizeof(ob_path), "%s/state/outbox.db", f->dir);
    ob = outbox_open(ob_path, &e);
    assert_non_null(ob);
    before = count_caller_tickets(f);
    harness_stop(f->h);
    f->saw_reconnecting = f->saw_offline = false;
    assert_true(api_health(f->api, on_done, &g, &e) != 0);
    run_until(f, &g.done, 5000);
    assert_true(g.offline);
    assert_int_equal(g.status, 0);
    got_fini(&g);
    assert_true(f->saw_reconnecting);
    assert_int_equal(api_conn(f->api)->state, API_RECONNECTING);
    assert_true(api_conn(f->api)->next_try_ms > 0);
    /* Queue a create while the backend is away. */
    api_set_outbox(f->api, ob);
    assert_int_equal(api_queue_create(f->api, t, NULL, local, sizeof(local), &seq, &e), HL_OK);
    assert_string_equal(local, "本地-1");
    assert_int_equal(outbox_waiting(ob), 1);
    /* The probes go on and the state turns offline. */
    end = net_now_ms() + 5000;
    while (!f->saw_offline && net_now_ms() < end)
        run_until(f, NULL, 50);
    assert_true(f->saw_offline);
    assert_int_equal(api_conn(f->api)->state, API_OFFLINE);
    assert_true(api_conn(f->api)->attempt >= 2);
    assert_int_equal(outbox_waiting(ob), 1);
    /* Back on the same port: online, and the outbox replays. */
    harness_restart(f->h);
    end = net_now_ms() + 8000;
    while ((api_conn(f->api)->state != API_ONLINE || outbox_waiting(ob) > 0) &&
           net_now_ms() < end)
        run_until(f, NULL, 50);
    assert_int_equal(api_conn(f->api)->state, API_ONLINE);
    assert_int_equal(outbox_waiting(ob), 0);
    assert_int_equal(f->outbox_state, OUTBOX_DONE);
    assert_true(str_starts_with(f->outbox_ticket, "HL"));
    {
        char sid[64];

        assert_true(outbox_server_id(ob, local, sid, sizeof(sid)));
        assert_string_equal(sid, f->outbox_ticket);
    }
    assert_int_equal(count_caller_tickets(f), before + 1);
    api_set_outbox(f->api, NULL);
    outbox_free(&ob);
    ticket_free(&t);
}

/* The sender that "crashes": it really posts the entry, then the console dies. */
static int
crash_send(const struct outbox_entry *en, void *arg)
{
    struct fixture *f = arg;
    char *key = xasprintf("Idempotency-Key: %s", en->idem_key);
    char *path = xasprintf("/api/v1%s", en->path);
    char *auth = xasprintf("Authorization: Bearer %s", api_token(f->api));
    const char *const headers[] = { key, auth, "Content-Type: application/json", NULL };
    struct http_reply r;

    memset(&r, 0, sizeof(r));
    assert_int_equal(http_request(f->h, en->method, path, headers, en->body, strlen(en->body),
                                  &r), 201);
    http_reply_fini(&r);
    free(key);
    free(path);
    free(auth);
    return HL_OK;
}

/* A create that reached the server before a crash is replayed with its key: still one
 * ticket. */
static void
test_outbox_crash_replay(void **state)
{
    struct fixture *f = *state;
    struct ticket *t;
    char ob_path[320], local[32];
    struct outbox_entry en;
    struct outbox *ob;
    size_t before;
    struct err e;
    int64_t seq, end;
    cJSON *body;
    char *text;

    NEED_BACKEND(f);
    t = matter("自来水发黄，有异味。");
    snprintf(ob_path, sizeof(ob_path), "%s/state/crash.db", f->dir);
    ob = outbox_open(ob_path, &e);
    assert_non_null(ob);
    before = count_caller_tickets(f);
    body = codec_ticket_matter_to_json(t, NULL);
    text = codec_print(body);
    cJSON_Delete(body);
    assert_int_equal(outbox_add_create(ob, text, 1795000000, local, sizeof(local), &seq, &e),
                     HL_OK);
    free(text);
    assert_int_equal(outbox_pump(ob, crash_send, f, &e), seq);
    outbox_free(&ob);                       /* the crash: no answer recorded */
    assert_int_equal(count_caller_tickets(f), before + 1);
    ob = outbox_open(ob_path, &e);
    assert_non_null(ob);
    assert_int_equal(outbox_waiting(ob), 1);
    api_set_outbox(f->api, ob);
    end = net_now_ms() + 5000;
    while (outbox_waiting(ob) > 0 && net_now_ms() < end)
        run_until(f, NULL, 50);
    assert_int_equal(outbox_waiting(ob), 0);
    assert_int_equal(outbox_get(ob, seq, &en, &e), HL_OK);
    assert_int_equal(en.state, OUTBOX_DONE);
    assert_int_equal(en.attempts, 2);
    outbox_entry_fini(&en);
    assert_int_equal(count_caller_tickets(f), before + 1);
    api_set_outbox(f->api, NULL);
    outbox_free(&ob);
    ticket_free(&t);
}

/* A create whose answer was lost, queued again with the key of that attempt: the replay
 * gets the ticket made the first time, and the caller still has one ticket more; a key
 * that cannot be a header is refused before anything is queued. */
static void
test_queue_with_key(void **state)
{
    struct fixture *f = *state;
    static const char key[] = "2f0c8a9e-3b1d-4c6e-9a7f-5d2b8e4c1a90";
    struct ticket *t;
    char ob_path[320], local[32], sid[64], first[64];
    struct outbox *ob;
    struct got g = {0};
    struct err e;
    size_t before;
    int64_t seq, end;

    NEED_BACKEND(f);
    t = matter("楼道灯坏了一个星期。");
    snprintf(ob_path, sizeof(ob_path), "%s/state/keyed.db", f->dir);
    ob = outbox_open(ob_path, &e);
    assert_non_null(ob);
    before = count_caller_tickets(f);
    assert_true(api_ticket_create(f->api, t, key, on_done, &g, &e) != 0);
    run_until(f, &g.done, 5000);
    assert_int_equal(g.status, 201);
    assert_non_null(g.ticket);
    str_copy(first, sizeof(first), g.ticket->id);
    got_fini(&g);
    api_set_outbox(f->api, ob);
    assert_int_equal(api_queue_create(f->api, t, "bad key!", local, sizeof(local), &seq, &e),
                     HL_EINVAL);
    assert_int_equal(outbox_waiting(ob), 0);
    assert_int_equal(api_queue_create(f->api, t, key, local, sizeof(local), &seq, &e), HL_OK);
    end = net_now_ms() + 5000;
    while (outbox_waiting(ob) > 0 && net_now_ms() < end)
        run_until(f, NULL, 50);
    assert_int_equal(outbox_waiting(ob), 0);
    assert_true(outbox_server_id(ob, local, sid, sizeof(sid)));
    assert_string_equal(sid, first);
    assert_int_equal(count_caller_tickets(f), before + 1);
    api_set_outbox(f->api, NULL);
    outbox_free(&ob);
    ticket_free(&t);
}

/* The cache fills from answers: the caller index works offline. */
static void
test_cache_from_answers(void **state)
{
    struct fixture *f = *state;
    char path[320];
    struct cache *c;
    struct cache_tickets l;
    struct err e;

    NEED_BACKEND(f);
    snprintf(path, sizeof(path), "%s/cache/cache.db", f->dir);
    c = cache_open(path, NULL, &e);
    assert_non_null(c);
    api_set_cache(f->api, c);
    count_caller_tickets(f);
    assert_int_equal(cache_caller_tickets(c, "+86 139-0013-9000", 100, &l, &e), HL_OK);
    assert_true(l.n >= 3);
    assert_int_equal(l.n, count_caller_tickets(f));
    cache_tickets_fini(&l);
    api_set_cache(f->api, NULL);
    cache_free(&c);
}

/* `hotline login`: reads the password from stdin, keeps a 0600 token file. */
static void
test_login_command(void **state)
{
    struct fixture *f = *state;
    char token_file[320], outbuf[512] = "", errbuf[512] = "";
    const char *argv[8];
    struct session_info info;
    struct stat st;
    FILE *out = tmpfile(), *errf = tmpfile();
    int in[2], saved, rc;
    struct err e;

    NEED_BACKEND(f);
    assert_non_null(out);
    assert_non_null(errf);
    snprintf(token_file, sizeof(token_file), "%s/state/hotline/token", f->dir);
    argv[0] = "login";
    argv[1] = "--server";
    argv[2] = f->h->base;
    argv[3] = "--user";
    argv[4] = USER;
    argv[5] = "--token-file";
    argv[6] = token_file;
    argv[7] = NULL;
    assert_int_equal(pipe(in), 0);
    assert_true(write(in[1], PW "\n", strlen(PW) + 1) > 0);
    close(in[1]);
    saved = dup(STDIN_FILENO);
    dup2(in[0], STDIN_FILENO);
    close(in[0]);
    clearerr(stdin);
    rc = session_login_main(7, (char **)(uintptr_t)argv, NULL, out, errf);
    dup2(saved, STDIN_FILENO);
    close(saved);
    clearerr(stdin);
    rewind(out);
    rewind(errf);
    if (fgets(outbuf, sizeof(outbuf), out) == NULL)
        outbuf[0] = '\0';
    if (fgets(errbuf, sizeof(errbuf), errf) == NULL)
        errbuf[0] = '\0';
    fclose(out);
    fclose(errf);
    assert_int_equal(rc, 0);
    assert_true(str_starts_with(outbuf, "logged in as " USER " (agent) until 20"));
    assert_non_null(strstr(outbuf, "+08:00"));
    assert_int_equal(stat(token_file, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(session_resolve(token_file, &info, &e), HL_OK);
    assert_string_equal(info.user, USER);
    assert_string_equal(info.role, "agent");
    assert_string_equal(info.server, f->h->base);
    assert_true(info.expires_at > 1700000000);
    session_info_fini(&info);
    /* HOTLINE_TOKEN wins over the default file, --token-file over both. */
    setenv("HOTLINE_TOKEN", "env-token-123", 1);
    assert_int_equal(session_resolve(NULL, &info, &e), HL_OK);
    assert_string_equal(info.token, "env-token-123");
    assert_string_equal(info.source, "HOTLINE_TOKEN");
    session_info_fini(&info);
    assert_int_equal(session_resolve(token_file, &info, &e), HL_OK);
    assert_string_not_equal(info.token, "env-token-123");
    session_info_fini(&info);
    unsetenv("HOTLINE_TOKEN");
    /* A token file others may read is refused. */
    assert_int_equal(chmod(token_file, 0644), 0);
    assert_int_equal(session_load(token_file, &info, &e), HL_EINVAL);
    assert_non_null(strstr(e.msg, "chmod 600"));
    /* A wrong password fails with the server's word. */
    {
        int in2[2];

        out = tmpfile();
        errf = tmpfile();
        assert_int_equal(pipe(in2), 0);
        assert_true(write(in2[1], "nope-nope\n", 10) > 0);
        close(in2[1]);
        saved = dup(STDIN_FILENO);
        dup2(in2[0], STDIN_FILENO);
        close(in2[0]);
        clearerr(stdin);
        rc = session_login_main(7, (char **)(uintptr_t)argv, NULL, out, errf);
        dup2(saved, STDIN_FILENO);
        close(saved);
        clearerr(stdin);
        rewind(errf);
        if (fgets(errbuf, sizeof(errbuf), errf) == NULL)
            errbuf[0] = '\0';
        fclose(out);
        fclose(errf);
        assert_int_equal(rc, 1);
        assert_true(str_starts_with(errbuf, "hotline login: "));
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_health_and_bad_login),
        cmocka_unit_test(test_login),
        cmocka_unit_test(test_create_idempotent),
        cmocka_unit_test(test_stale_if_match),
        cmocka_unit_test(test_session_expired),
        cmocka_unit_test(test_feed),
        cmocka_unit_test(test_reconnect_and_outbox),
        cmocka_unit_test(test_outbox_crash_replay),
        cmocka_unit_test(test_queue_with_key),
        cmocka_unit_test(test_cache_from_answers),
        cmocka_unit_test(test_login_command),
    };
    int rc;

    signal(SIGPIPE, SIG_IGN);
    rc = cmocka_run_group_tests(tests, group_setup, group_teardown);
    if (rc == 0 && fx.missing != NULL) {
        fprintf(stderr, "test_client_api: skipped: hotlined does not serve %s yet\n", fx.missing);
        return 77;
    }
    return rc;
}
