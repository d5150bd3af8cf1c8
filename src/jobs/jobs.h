/* jobs: the background worker of `aduan serve`: it processes the WhatsApp
 * inbox and sends the outbox. Safe with several instances: work is claimed
 * with a lease in the database (FOR UPDATE SKIP LOCKED on PostgreSQL), and
 * every effect is idempotent. */
#ifndef ADUAN_JOBS_H
#define ADUAN_JOBS_H

#include "core/config.h"
#include "store/store.h"

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

/* One pass over the pending work, as the worker does it: used by the
 * worker and by tests. Returns how many items were handled. */
int jobs_run_once(const config_t *cfg, store_t *store);

#endif
