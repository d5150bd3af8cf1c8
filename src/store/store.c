/* store: opens the store on the URL's driver; the store-wide functions,
 * written once on q.h and the driver's entries (store/drv.h). */
#include "store/drv.h"

#include "core/log.h"

#include <string.h>

err_t store_open(const char *url, unsigned pool_size, store_t **out)
{
    bool pg = strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0;
    const q_driver *d = strncmp(url, "sqlite:", 7) == 0 ? &drv_sqlite : pg ? &drv_pg : NULL;
    *out = NULL;
    return d ? d->open(url, pool_size, out) : ERR_INVALID;
}

void store_close(store_t *s)
{
    if (s)
        s->drv->close(s);
}

const char *store_engine(const store_t *s) { return s->drv->name; }

err_t store_live_wait(store_t *s, int timeout_ms, bool *notified)
{
    return s->drv->wait_notify(s, STORE_LIVE_CHANNEL, timeout_ms, notified);
}

err_t store_ping(store_t *s)
{
    int64_t one = 0;
    return q_one_int(s, "SELECT 1", &one) == ERR_OK ? ERR_OK : ERR_UNAVAILABLE;
}

err_t store_maintain(store_t *s)
{
    s->drv->maintain(s);
    return ERR_OK;
}

err_t store_check_durable(store_t *s, store_durability d, char *why, size_t cap)
{
    return s->drv->durable(s, d, why, cap);
}

/* When this instance is the only one, the claims in the inbox and the
 * outbox were made by one that is gone (a crash, kill -9): the work comes
 * back at once rather than when its lease runs out. */
err_t store_claim(store_t *s)
{
    static const char inbox[] = "UPDATE inbound SET next_attempt_at = 0 WHERE state = 'new'";
    static const char outbox[] = "UPDATE outbox SET next_attempt_at = 0 WHERE state = 'pending'";
    static const char rules[] = "UPDATE case_rules SET next_attempt_at = 0 WHERE state = 'pending'";
    bool alone = false;
    err_t e = s->drv->claim(s, &alone);
    if (e == ERR_OK && alone &&
        (q_write(s, inbox, false) != ERR_OK || q_write(s, outbox, false) != ERR_OK ||
         q_write(s, rules, false) != ERR_OK))
        log_warn("store", "event=lease_reset_failed");
    return e;
}

void store_set_durability(store_t *s, store_durability d) { s->durability = d; }

store_durability store_get_durability(const store_t *s) { return s->durability; }

static __thread bool redo;

bool store_redo_commits(bool on)
{
    bool was = redo;
    redo = on;
    return was;
}

bool store_thread_redo(void) { return redo; }
