/* tls_net_probe: GET one URL through the console's net layer (src/client/net.c) and say
 * how it went, for test_tls.sh. Usage: tls_net_probe URL [CAFILE]. Exit 0 on HTTP 200,
 * 1 when the request failed below HTTP (e.g. certificate refused), 3 on another status,
 * 2 on a usage or setup error. */
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "hotline/err.h"
#include "hotline/util.h"
#include "net.h"

/* What the request got. */
struct outcome {
    bool done;
    long status;
    char error[256];
};

/* Record the completion of the request. */
static void
on_done(const struct net_response *r, void *arg)
{
    struct outcome *o = arg;

    o->done = true;
    o->status = r->status;
    str_copy(o->error, sizeof o->error, r->error != NULL ? r->error : "");
}

/* Run the probe. */
int
main(int argc, char **argv)
{
    struct net_opts opts;
    struct net *net = NULL;
    struct outcome o;
    struct err e;
    int rc = 2, rounds;

    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: tls_net_probe URL [CAFILE]\n");
        return 2;
    }
    memset(&opts, 0, sizeof opts);
    memset(&o, 0, sizeof o);
    err_clear(&e);
    opts.cacert = argc == 3 ? argv[2] : NULL;
    net = net_new(&opts, &e);
    if (net == NULL) {
        fprintf(stderr, "net_new: %s\n", e.msg);
        goto out;
    }
    if (net_request(net, "GET", argv[1], NULL, NULL, 0, 5000, on_done, &o, &e) == 0) {
        fprintf(stderr, "net_request: %s\n", e.msg);
        goto out;
    }
    for (rounds = 0; !o.done && rounds < 10000; rounds++) {
        struct pollfd fds[16];
        size_t n = net_pollfds(net, fds, 16);
        int t = net_timeout_ms(net);

        poll(fds, (nfds_t)n, t < 0 || t > 100 ? 100 : t);
        net_dispatch(net, fds, n);
    }
    if (!o.done) {
        fprintf(stderr, "no answer\n");
        goto out;
    }
    printf("status %ld%s%s\n", o.status, o.error[0] != '\0' ? " error: " : "", o.error);
    rc = o.status == 200 ? 0 : o.status == 0 ? 1 : 3;
out:
    net_free(&net);
    return rc;
}
