/* The rules that follow a new case (channels/staff.c: forward to the
 * owner agency, duplicate, community group, the emergency alert), queued
 * in the case's own transaction (store_case_open, WhatsApp reports) and
 * run here: by the worker on every pass, or at once for the desk's answer
 * (jobs_case_rules_now). A crash between the case's commit and its rules
 * leaves the row pending; the next pass (after a restart: at once, the
 * leases are reset) runs them, and every notice goes out once. The rules
 * are safe to run twice (each step is conditional on the case's state). */
#include "jobs/jobs_int.h"

#include "channels/staff.h"
#include "core/log.h"

/* Cases per pass. */
#define RULES_BATCH 16
/* A claim's lease (seconds): the rules take well under a second. */
#define RULES_LEASE 60
/* Tries before the rules are given up (an event tells the desk). */
#define RULES_ATTEMPTS 8
/* The longest wait between tries (seconds). */
#define RULES_BACKOFF_CAP 300

static int64_t rules_backoff(int attempts)
{
    int64_t d = attempts >= 9 ? RULES_BACKOFF_CAP : ((int64_t)1 << attempts);
    return d > RULES_BACKOFF_CAP ? RULES_BACKOFF_CAP : d;
}

/* Runs the rules of a claimed case_id and records the result. */
static err_t run_claimed(const config_t *cfg, store_t *s, arena_t *ar, int64_t case_id,
                         int attempts, int64_t now, staff_outcome *o)
{
    err_t e = staff_case_created(cfg, s, ar, case_id, now, o);
    if (e == ERR_OK) {
        e = store_case_rules_done(s, case_id, now);
        /* A forwarded copy's rules ran with them. */
        if (e == ERR_OK && o->forwarded_to)
            e = store_case_rules_done(s, o->forwarded_to, now);
        return e;
    }
    log_warn("dispatch", "event=case_rules_failed case_id=%lld attempt=%d error=%s",
             (long long)case_id, attempts, err_code(e));
    int64_t at = attempts >= RULES_ATTEMPTS ? 0 : now + rules_backoff(attempts);
    if (store_case_rules_retry(s, case_id, at, err_code(e), now) != ERR_OK)
        log_warn("dispatch", "event=case_rules_store_failed case_id=%lld", (long long)case_id);
    return e;
}

int case_rules_run(const config_t *cfg, store_t *s, int64_t now)
{
    arena_t *ar = arena_new();
    store_case_rule *r;
    size_t n = 0;
    int done = 0;
    if (!ar)
        return 0;
    if (store_case_rules_claim(s, ar, now, RULES_LEASE, RULES_BATCH, &r, &n) != ERR_OK)
        n = 0;
    for (size_t i = 0; i < n; i++) {
        staff_outcome o;
        done += run_claimed(cfg, s, ar, r[i].case_id, r[i].attempts, now, &o) == ERR_OK;
    }
    arena_destroy(ar);
    return done;
}

err_t jobs_case_rules_now(const config_t *cfg, store_t *s, arena_t *ar, int64_t case_id,
                          int64_t now, bool *changed)
{
    bool claimed = false;
    int attempts = 0;
    staff_outcome o = {0};
    *changed = false;
    err_t e = store_case_rules_claim_one(s, case_id, now, RULES_LEASE, &claimed, &attempts);
    if (e != ERR_OK || !claimed)
        return e; /* none waiting, or a worker runs them */
    e = run_claimed(cfg, s, ar, case_id, attempts, now, &o);
    *changed = o.team_id || o.forwarded_to || o.duplicate_of;
    return e;
}
