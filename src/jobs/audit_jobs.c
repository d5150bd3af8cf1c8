/* The audit log's retention (audit_jobs.h). */
#include "jobs/audit_jobs.h"

#include "core/log.h"

#include <stdatomic.h>

/* Expired entries appear once a day per day of activity: a pass every ten
 * minutes keeps up, and the first pass runs at start. */
#define AUDIT_PRUNE_EVERY_S 600
#define AUDIT_PRUNE_BATCH   1000
/* The database's clock and ours may differ by a little: an entry is
 * deleted a minute after the retention, so the trigger never refuses. */
#define AUDIT_PRUNE_MARGIN_S 60

int audit_retention_run(const config_t *cfg, store_t *s, int64_t now)
{
    static _Atomic int64_t last;
    int64_t prev = atomic_load(&last);
    if (prev && now - prev < AUDIT_PRUNE_EVERY_S)
        return 0;
    if (!atomic_compare_exchange_strong(&last, &prev, now))
        return 0;
    bool changed = false;
    err_t e = store_audit_set_retention(s, cfg->audit_retention_days, now, &changed);
    if (e != ERR_OK) {
        log_warn("audit", "event=retention_policy_failed err=%s", err_str(e));
        return 0;
    }
    if (changed)
        log_info("audit", "event=retention_set days=%u", cfg->audit_retention_days);
    int64_t cutoff = now - (int64_t)cfg->audit_retention_days * 86400 - AUDIT_PRUNE_MARGIN_S;
    int64_t deleted = 0;
    e = store_audit_prune(s, cutoff, AUDIT_PRUNE_BATCH, &deleted);
    if (e != ERR_OK)
        log_warn("audit", "event=retention_failed err=%s", err_str(e));
    else if (deleted > 0)
        log_info("audit", "event=retention_done deleted=%lld", (long long)deleted);
    if (deleted == AUDIT_PRUNE_BATCH)
        atomic_store(&last, now - AUDIT_PRUNE_EVERY_S); /* more waiting: again next round */
    return (int)deleted;
}
