#include "jobs/jobs.h"

#include "channels/channel.h"
#include "channels/staff.h"
#include "channels/texts.h"
#include "core/clock.h"
#include "core/log.h"
#include "jobs/audit_jobs.h"
#include "jobs/jobs_int.h"
#include "jobs/svc_jobs.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

/* Idle wake-up: retries and leases come due even when nothing arrives. */
#define IDLE_WAIT_MS 500
/* Above this many webhooks per second the worker yields to the ingest. */
#define BURST_RATE 1000
/* While yielding, the worker rests this many times as long as it worked
 * (its share of the time is then 1 / (1 + YIELD_FACTOR)), and at most this
 * long at a time. */
#define YIELD_FACTOR 8
#define YIELD_MAX_MS 200
/* The longest a burst postpones the WAL checkpoint. */
#define MAINTAIN_MAX_S 30

struct jobs {
    const config_t *cfg;
    store_t *store;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop, woken;
    bool sleeping;          /* waiting on cv: only then does a notify need the lock */
    unsigned long ingested; /* webhook bodies committed so far (atomic) */
    webhooks_t *hooks;      /* the outbound webhooks' own thread */
    fetcher_t *fetcher;     /* the URL fetches' own thread (fetch.c) */
    /* The worker's view of the ingest rate. */
    unsigned long seen_ingested;
    int64_t seen_at_ms;
    bool burst;
};

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Whether webhooks are arriving faster than BURST_RATE, judged over the
 * last 100 ms or more. Only the worker thread calls it. */
static bool in_burst(jobs_t *j, int64_t now_ms)
{
    int64_t dt = now_ms - j->seen_at_ms;
    if (dt < 100)
        return j->burst;
    unsigned long n = __atomic_load_n(&j->ingested, __ATOMIC_RELAXED);
    j->burst = (n - j->seen_ingested) * 1000 > (unsigned long)dt * BURST_RATE;
    j->seen_ingested = n;
    j->seen_at_ms = now_ms;
    return j->burst;
}

/* Picks up texts an admin changed, at most once a second (a small table,
 * but this runs between every pass). Only the worker thread calls it. */
static void refresh_texts(store_t *store)
{
    static int64_t seen = -1, checked = 0;
    int64_t version = 0;
    int64_t now = clock_now();
    if (now == checked)
        return;
    checked = now;
    store_bot_text *rows;
    size_t n;
    arena_t *ar = arena_new();
    if (ar && store_bot_text_list(store, ar, &rows, &n, &version) == ERR_OK && version != seen) {
        bot_text_override(rows, n);
        seen = version;
    }
    arena_destroy(ar);
}

int jobs_run_once(const config_t *cfg, store_t *store)
{
    int64_t now = clock_now();
    refresh_texts(store);
    return channel_poll_all(cfg, store, now) + inbox_run(cfg, store, now) +
           case_rules_run(cfg, store, now) + staff_tick(cfg, store, now) +
           outbox_run(cfg, store, now) + media_run(cfg, store, now) +
           svc_retention_run(cfg, store, now) + audit_retention_run(cfg, store, now);
}

/* Checkpoints SQLite's WAL once a second, but not during a burst of
 * webhooks unless MAINTAIN_MAX_S went by: a checkpoint ends in fsync, and on
 * ext4 the committer's appends to the WAL then stall behind the journal
 * (commits of 10 ms and more, measured with bench/run.sh). The WAL grows
 * meanwhile and is cut back to journal_size_limit afterwards. */
static void maintain(jobs_t *j, bool burst, int64_t now_ms)
{
    static int64_t last_ms;
    if (now_ms - last_ms < 1000 || (burst && now_ms - last_ms < MAINTAIN_MAX_S * 1000))
        return;
    last_ms = now_ms;
    if (store_maintain(j->store) != ERR_OK)
        log_warn("jobs", "event=maintain_failed");
}

static void *worker(void *arg)
{
    jobs_t *j = arg;
    log_info("jobs", "event=started");
    pthread_mutex_lock(&j->mu);
    while (!j->stop) {
        pthread_mutex_unlock(&j->mu);
        int64_t t0 = mono_ms();
        int did = jobs_run_once(j->cfg, j->store);
        int64_t t1 = mono_ms();
        bool burst = in_burst(j, t1);
        maintain(j, burst, t1);
        /* Retention yields to a burst entirely: it can wait, Meta cannot. */
        if (!burst)
            retention_run(j->cfg, j->store, clock_now());
        pthread_mutex_lock(&j->mu);
        if (did > 0 && !j->stop && burst) {
            /* Yield to the ingest; a stop still ends the rest at once. */
            int64_t rest = (t1 - t0) * YIELD_FACTOR;
            rest = rest < 1 ? 1 : rest > YIELD_MAX_MS ? YIELD_MAX_MS : rest;
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += (long)rest * 1000000L;
            ts.tv_sec += ts.tv_nsec / 1000000000L;
            ts.tv_nsec %= 1000000000L;
            pthread_cond_timedwait(&j->cv, &j->mu, &ts);
            j->woken = false;
            continue;
        }
        if (did > 0 || j->stop)
            continue;
        if (!j->woken) {
            __atomic_store_n(&j->sleeping, true, __ATOMIC_RELAXED);
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += (long)IDLE_WAIT_MS * 1000000L;
            ts.tv_sec += ts.tv_nsec / 1000000000L;
            ts.tv_nsec %= 1000000000L;
            pthread_cond_timedwait(&j->cv, &j->mu, &ts);
            __atomic_store_n(&j->sleeping, false, __ATOMIC_RELAXED);
        }
        j->woken = false;
    }
    pthread_mutex_unlock(&j->mu);
    log_info("jobs", "event=stopped");
    return NULL;
}

err_t jobs_start(const config_t *cfg, store_t *store, jobs_t **out)
{
    *out = NULL;
    jobs_t *j = calloc(1, sizeof *j);
    if (!j)
        return ERR_NOMEM;
    j->cfg = cfg;
    j->store = store;
    pthread_mutex_init(&j->mu, NULL);
    pthread_cond_init(&j->cv, NULL);
    j->hooks = webhooks_start(store);
    if (!j->hooks)
        log_warn("jobs", "event=webhooks_not_started");
    j->fetcher = fetcher_start(cfg, store);
    if (!j->fetcher)
        log_warn("jobs", "event=fetcher_not_started");
    if (pthread_create(&j->thread, NULL, worker, j) != 0) {
        fetcher_stop(j->fetcher);
        webhooks_stop(j->hooks);
        pthread_mutex_destroy(&j->mu);
        pthread_cond_destroy(&j->cv);
        free(j);
        return ERR_INTERNAL;
    }
    *out = j;
    return ERR_OK;
}

void jobs_notify(jobs_t *j)
{
    /* Under a burst of webhooks the worker is busy: it will find the new
     * rows on its next pass, no wake-up (and no lock) needed. A stale read
     * here only delays the wake-up to the idle timeout. */
    if (!j || !__atomic_load_n(&j->sleeping, __ATOMIC_RELAXED))
        return;
    pthread_mutex_lock(&j->mu);
    j->woken = true;
    pthread_cond_signal(&j->cv);
    pthread_mutex_unlock(&j->mu);
}

void jobs_ingested(jobs_t *j, unsigned n)
{
    if (!j)
        return;
    __atomic_add_fetch(&j->ingested, n, __ATOMIC_RELAXED);
    jobs_notify(j);
}

void jobs_stop(jobs_t *j)
{
    if (!j)
        return;
    pthread_mutex_lock(&j->mu);
    j->stop = true;
    pthread_cond_signal(&j->cv);
    pthread_mutex_unlock(&j->mu);
    pthread_join(j->thread, NULL);
    fetcher_stop(j->fetcher);
    webhooks_stop(j->hooks);
    bot_text_override(NULL, 0);
    pthread_mutex_destroy(&j->mu);
    pthread_cond_destroy(&j->cv);
    free(j);
}
