/* jobs: the background worker of `aduan serve`: it processes the inbox
 * (through each channel's driver) and sends the outbox. Safe with several
 * instances: work is claimed with a lease in the database (FOR UPDATE SKIP
 * LOCKED on PostgreSQL), and every effect is idempotent. */
#ifndef ADUAN_JOBS_H
#define ADUAN_JOBS_H

#include "core/config.h"
#include "store/store.h"

/* A dead letter's body is kept this long for the superadmin, then removed
 * (retention.c; UU PDP). */
#define JOBS_DEAD_RETENTION_DAYS 30

typedef struct jobs jobs_t;

/* Starts the worker thread. */
err_t jobs_start(const config_t *cfg, store_t *store, jobs_t **out)
    __attribute__((warn_unused_result));
/* Asks the worker to stop, waits for it, frees. Accepts NULL. */
void jobs_stop(jobs_t *j);
/* Wakes the worker now (new inbox rows or outbox messages). Accepts NULL. */
void jobs_notify(jobs_t *j);
/* Tells the worker that n webhook bodies were just committed, and wakes it.
 * Under a burst of webhooks the worker then yields to the ingest: it keeps
 * processing, but at most about a third of the time, so acknowledging
 * (which Meta times) stays fast and the backlog is worked off afterwards.
 * Accepts NULL. */
void jobs_ingested(jobs_t *j, unsigned n);

/* Runs the new-case rules of case_id now, unless they ran or a worker
 * holds them (the desk's answer then shows their outcome: dispatched,
 * forwarded, ...). Optional: the worker runs whatever is left. *changed
 * when the case was changed by them. */
err_t jobs_case_rules_now(const config_t *cfg, store_t *s, arena_t *ar, int64_t case_id,
                          int64_t now, bool *changed) __attribute__((warn_unused_result));

/* One pass over the pending work, as the worker does it: used by the
 * worker and by tests. Returns how many items were handled. */
int jobs_run_once(const config_t *cfg, store_t *store);

/* The SLA scheduler (sched.c): its own thread, one pass every
 * cfg->sched_tick_ms. */
typedef struct sched sched_t;

err_t sched_start(const config_t *cfg, store_t *store, sched_t **out)
    __attribute__((warn_unused_result));
/* Stops the thread, waits for it, frees. Accepts NULL. */
void sched_stop(sched_t *j);
/* One pass at now: stale deadlines, due-soon and breach escalations,
 * auto-closes. Returns how many cases it looked at. */
int sched_run_once(const config_t *cfg, store_t *store, int64_t now);

#endif
