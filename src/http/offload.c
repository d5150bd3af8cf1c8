/* Work too slow for an HTTP thread, done by a few threads of its own
 * (issue #13): today the password checks of logins (Argon2id, tens of
 * milliseconds of CPU and 19 MiB each).
 *
 * libmicrohttpd's thread pool gives each connection to one thread for its
 * life, so a thread busy checking a password makes every other request of
 * its connections wait, /healthz included (497 login attempts in 15 s made
 * it 100 times slower). Instead the request is suspended and queued; a
 * checker thread runs the job and resumes it, and MHD calls the handler
 * again to answer (as ingest.c does for webhooks). The queue is bounded:
 * when it is full the caller answers 503 at once instead of piling up. */
#include "http/http.h"

#include "core/log.h"

#include <microhttpd.h>

#include <pthread.h>
#include <stdlib.h>

/* Checker threads at most (the setting is the HTTP threads' count). */
#define OFFLOAD_THREADS_MAX 64

struct offload {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    offload_job *head, *tail; /* FIFO of waiting jobs */
    unsigned waiting, waiting_max;
    bool stopping;
    unsigned nthreads;
    pthread_t threads[OFFLOAD_THREADS_MAX];
};

static void *checker(void *arg)
{
    offload_t *o = arg;
    for (;;) {
        pthread_mutex_lock(&o->mu);
        while (!o->head && !o->stopping)
            pthread_cond_wait(&o->cv, &o->mu);
        offload_job *j = o->head;
        if (!j) { /* stopping, and nothing is left */
            pthread_mutex_unlock(&o->mu);
            return NULL;
        }
        o->head = j->next;
        if (!o->head)
            o->tail = NULL;
        o->waiting--;
        pthread_mutex_unlock(&o->mu);
        /* The connection is suspended: this thread alone uses the request. */
        j->result = j->fn(j->app, j->r);
        /* After this the request may be answered and freed at once. */
        MHD_resume_connection(j->conn);
    }
}

err_t offload_start(unsigned threads, unsigned waiting_max, offload_t **out)
{
    *out = NULL;
    offload_t *o = calloc(1, sizeof *o);
    if (!o)
        return ERR_NOMEM;
    pthread_mutex_init(&o->mu, NULL);
    pthread_cond_init(&o->cv, NULL);
    o->waiting_max = waiting_max;
    if (threads < 1)
        threads = 1;
    if (threads > OFFLOAD_THREADS_MAX)
        threads = OFFLOAD_THREADS_MAX;
    for (unsigned i = 0; i < threads; i++) {
        if (pthread_create(&o->threads[i], NULL, checker, o) != 0) {
            log_error("http", "event=thread_failed what=offload");
            offload_stop(o);
            offload_free(o);
            return ERR_NOMEM;
        }
        o->nthreads++;
    }
    *out = o;
    return ERR_OK;
}

bool offload_submit(offload_t *o, offload_job *j)
{
    if (!o)
        return false;
    pthread_mutex_lock(&o->mu);
    if (o->stopping || o->waiting >= o->waiting_max) {
        pthread_mutex_unlock(&o->mu);
        return false;
    }
    /* Suspended before it is queued, so the resume always comes after. */
    MHD_suspend_connection(j->conn);
    j->next = NULL;
    if (o->tail)
        o->tail->next = j;
    else
        o->head = j;
    o->tail = j;
    o->waiting++;
    pthread_cond_signal(&o->cv);
    pthread_mutex_unlock(&o->mu);
    return true;
}

void offload_stop(offload_t *o)
{
    if (!o)
        return;
    pthread_mutex_lock(&o->mu);
    o->stopping = true;
    pthread_cond_broadcast(&o->cv);
    pthread_mutex_unlock(&o->mu);
    for (unsigned i = 0; i < o->nthreads; i++) /* they finish what is queued */
        pthread_join(o->threads[i], NULL);
    o->nthreads = 0;
}

void offload_free(offload_t *o)
{
    if (!o)
        return;
    pthread_mutex_destroy(&o->mu);
    pthread_cond_destroy(&o->cv);
    free(o);
}
