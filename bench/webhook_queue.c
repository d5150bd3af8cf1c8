/* Micro-measure (issue 17 §2): what the outbox insert of webhook
 * deliveries adds to every case event for an agency without
 * subscriptions. Times N case creations (each runs dom_event_add), N
 * events (dom_add_event: the event's insert, whose RETURNING probes the
 * agency's subscriptions) in one transaction, and N lone dom_webhook_queue
 * statements in one transaction (what an agency with subscribers pays
 * more). Build it against the branch and against its base and compare
 * event_add_us (case_create_us includes the commit's fsync and is noisy).
 * Not part of make test:
 *
 *   make build/rel/aduan
 *   cc -std=c17 -O2 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Isrc -Ibuild/gen \
 *      bench/webhook_queue.c build/rel/libaduan.a $(pkg-config --cflags --libs libmicrohttpd \
 *      jansson sqlite3 libpq libsodium inih libcurl libjpeg libpng libwebp libcrypto \
 *      libqrencode) -lhpdf -lpthread -lm -o /tmp/webhook_queue
 *   /tmp/webhook_queue sqlite:///tmp/wq.db [N]     (or a postgresql:// URL of an empty database)
 */
#include "core/secret.h"
#include "domain/seed.h"
#include "store/dom.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NOW 1795305600

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct {
    int64_t case_id;
    int n;
} queue_ctx;

typedef struct {
    int64_t first, n;
} events_ctx;

/* One event on each of n cases (no webhook type: the probe alone). */
static err_t events_tx(q_conn *c, void *arg)
{
    events_ctx *x = arg;
    err_t e = ERR_OK;
    for (int64_t i = 0; e == ERR_OK && i < x->n; i++)
        e = dom_add_event(c, x->first + i, "bench", NULL, 0, NULL, false, false, NOW, NULL);
    return e;
}

static err_t queue_tx(q_conn *c, void *arg)
{
    queue_ctx *x = arg;
    err_t e = ERR_OK;
    for (int i = 0; e == ERR_OK && i < x->n; i++)
        e = dom_webhook_queue(c, x->case_id, 0, ",case.created,case.status_changed,", NOW);
    return e;
}

int main(int argc, char **argv)
{
    store_t *s;
    int n = argc > 2 ? atoi(argv[2]) : 2000;
    if (argc < 2 || secret_init() != ERR_OK || store_open(argv[1], 2, &s) != ERR_OK ||
        store_migrate(s, NULL) != ERR_OK || seed_demo(s, NOW) != ERR_OK) {
        fprintf(stderr, "usage: webhook_queue URL [N] (a new, empty database)\n");
        return 2;
    }
    arena_t *ar = arena_new();
    store_category *k;
    size_t nk;
    if (store_category_list(s, ar, 1, &k, &nk) != ERR_OK || !nk)
        return 2;
    int64_t last = 0, first = 0;
    double t0 = now_s();
    for (int i = 0; i < n; i++) {
        store_case c;
        memset(&c, 0, sizeof c);
        c.agency_id = 1;
        c.category_id = k[0].id;
        c.kind = "complaint";
        c.channel = "walk_in";
        c.status = "received";
        c.priority = "normal";
        c.description = "Lampu jalan mati di depan sekolah";
        c.created_at = NOW;
        if (store_case_create(s, ar, &c, NULL, NULL) != ERR_OK)
            return 1;
        last = c.id;
        if (!first)
            first = c.id;
    }
    double t1 = now_s();
    events_ctx ev = {first, last - first + 1};
    if (q_tx(s, events_tx, &ev) != ERR_OK)
        return 1;
    double te = now_s();
    queue_ctx x = {last, n};
    double t2 = now_s();
    if (q_tx(s, queue_tx, &x) != ERR_OK)
        return 1;
    double t3 = now_s();
    printf("engine=%s n=%d case_create_us=%.1f event_add_us=%.2f webhook_queue_us=%.2f\n",
           store_engine(s), n, (t1 - t0) / n * 1e6, (te - t1) / (double)ev.n * 1e6,
           (t3 - t2) / n * 1e6);
    arena_destroy(ar);
    store_close(s);
    return 0;
}
