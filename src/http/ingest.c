/* Group commit for the WhatsApp webhook (issue #4, bench/README.md).
 *
 * A signed webhook must be committed before its 200. Committing each one
 * on its own costs a transaction (and on SQLite the single write lock) per
 * message. Instead the request is suspended (MHD_suspend_connection) and
 * queued; one committer thread writes everything queued while the previous
 * batch was committing, in one transaction, then resumes each request on
 * its own, and MHD calls the handler again to send the answer. An HTTP
 * thread is never blocked on the database, so a few threads keep hundreds
 * of webhooks in flight and the batches grow with the load. */
#include "http/http.h"

#include "core/clock.h"
#include "core/log.h"

#include <microhttpd.h>

#include <pthread.h>
#include <stdlib.h>
#include <sys/prctl.h>

/* Largest batch: bounds the transaction and the latency of its first row. */
#define INGEST_BATCH_MAX 1024

struct ingest {
    store_t *store;
    jobs_t *jobs;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    ingest_item *head, *tail; /* FIFO */
    bool stopping;
    store_inbound_new rows[INGEST_BATCH_MAX];
    ingest_item *items[INGEST_BATCH_MAX];
};

static void *committer(void *arg)
{
    ingest_t *g = arg;
    /* Its own name in top -H, /proc and the tests (test_durability.py). */
    prctl(PR_SET_NAME, "aduan-ingest", 0, 0, 0);
    store_prefer_writes();
    for (;;) {
        pthread_mutex_lock(&g->mu);
        while (!g->head && !g->stopping)
            pthread_cond_wait(&g->cv, &g->mu);
        if (!g->head) { /* stopping, and everything is answered */
            pthread_mutex_unlock(&g->mu);
            return NULL;
        }
        size_t n = 0;
        while (g->head && n < INGEST_BATCH_MAX) {
            ingest_item *it = g->head;
            g->head = it->next;
            g->items[n++] = it;
        }
        if (!g->head)
            g->tail = NULL;
        pthread_mutex_unlock(&g->mu);

        for (size_t i = 0; i < n; i++)
            g->rows[i] = (store_inbound_new){g->items[i]->channel, g->items[i]->body,
                                             g->items[i]->len, g->items[i]->dead_reason, 0};
        err_t e = store_inbound_add_batch(g->store, g->rows, n, clock_now());
        if (e != ERR_OK)
            log_warn("wa", "event=inbox_batch_failed rows=%zu err=%s", n, err_code(e));
        for (size_t i = 0; i < n; i++) {
            ingest_item *it = g->items[i];
            it->result = e;
            it->id = g->rows[i].id;
            /* After this the request may be answered and freed at once. */
            MHD_resume_connection(it->conn);
        }
        if (e == ERR_OK)
            jobs_ingested(g->jobs, (unsigned)n);
    }
}

err_t ingest_start(store_t *store, jobs_t *jobs, ingest_t **out)
{
    *out = NULL;
    ingest_t *g = calloc(1, sizeof *g);
    if (!g)
        return ERR_NOMEM;
    g->store = store;
    g->jobs = jobs;
    pthread_mutex_init(&g->mu, NULL);
    pthread_cond_init(&g->cv, NULL);
    if (pthread_create(&g->thread, NULL, committer, g) != 0) {
        pthread_mutex_destroy(&g->mu);
        pthread_cond_destroy(&g->cv);
        free(g);
        return ERR_NOMEM;
    }
    *out = g;
    return ERR_OK;
}

bool ingest_submit(ingest_t *g, ingest_item *it)
{
    if (!g)
        return false;
    pthread_mutex_lock(&g->mu);
    if (g->stopping) {
        pthread_mutex_unlock(&g->mu);
        return false;
    }
    /* Suspended before it is queued, so the resume always comes after. */
    MHD_suspend_connection(it->conn);
    it->next = NULL;
    if (g->tail)
        g->tail->next = it;
    else
        g->head = it;
    g->tail = it;
    pthread_cond_signal(&g->cv);
    pthread_mutex_unlock(&g->mu);
    return true;
}

void ingest_stop(ingest_t *g)
{
    if (!g)
        return;
    pthread_mutex_lock(&g->mu);
    g->stopping = true;
    pthread_cond_signal(&g->cv);
    pthread_mutex_unlock(&g->mu);
    pthread_join(g->thread, NULL); /* commits and answers what is queued */
}

void ingest_free(ingest_t *g)
{
    if (!g)
        return;
    pthread_mutex_destroy(&g->mu);
    pthread_cond_destroy(&g->cv);
    free(g);
}
