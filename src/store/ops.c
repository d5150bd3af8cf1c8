/* Operations: the queue depths and counts GET /metrics reads (issue 19
 * §6). Written once for both engines on store/q.h. */
#include "store/q.h"

static const q_field GAUGES_F[] = {
    QF(INT64, store_ops_gauges, inbox_pending),   QF(INT64, store_ops_gauges, inbox_dead),
    QF(INT64, store_ops_gauges, inbox_oldest_at), QF(INT64, store_ops_gauges, outbox_pending),
    QF(INT64, store_ops_gauges, outbox_due),      QF(INT64, store_ops_gauges, numbers_paused),
    QF(INT64, store_ops_gauges, sessions_active),
};

err_t store_ops_gauges_read(store_t *s, int64_t now, store_ops_gauges *out)
{
    /* The WHEREs match the partial indexes of the claims (0013): a scrape
     * reads the queues, not the tables. A paused number: its messages wait
     * after the Graph API refused the access token, written by the outbox
     * as "HTTP 190: ..." (jobs/outbox.c). */
    static const char sql[] =
        "SELECT (SELECT COUNT(*) FROM inbound WHERE state = 'new'),"
        " (SELECT COUNT(*) FROM inbound WHERE state = 'dead'),"
        " (SELECT COALESCE(MIN(received_at), 0) FROM inbound WHERE state = 'new'),"
        " (SELECT COUNT(*) FROM outbox WHERE state = 'pending'),"
        " (SELECT COUNT(*) FROM outbox WHERE state = 'pending' AND next_attempt_at <= $1),"
        " (SELECT COUNT(DISTINCT endpoint) FROM outbox WHERE state = 'pending'"
        " AND next_attempt_at > $1 AND last_error LIKE '% 190:%'),"
        " (SELECT COUNT(*) FROM sessions WHERE expires_at > $1)";
    *out = (store_ops_gauges){0};
    return q_one(s, NULL, sql, GAUGES_F, out, Q_INT(now));
}
