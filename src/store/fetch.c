/* Evidence named by a URL (Open311's media_url, issue 17 §1; 0037): the
 * pending attachment is written with its case (store_case_open_fetch,
 * cases.c); here the worker's claim of the due ones (jobs/fetch.c) and
 * its giving up, which the case's timeline shows. The fetched picture is recorded with
 * store_media_stored, a retry with store_media_retry, as a channel's.
 * Written once for both engines on store/q.h. */
#include "store/dom.h"

err_t store_fetch_claim(store_t *s, arena_t *ar, int64_t now, int64_t lease, unsigned max,
                        store_fetch_job **out, size_t *n)
{
    static const char sql[] =
        Q_CLAIM("attachments", "id", "state = 'pending' AND source_url IS NOT NULL", "id",
                "id, case_id, source_url, attempts");
    static const q_field F[] = {
        QF(INT64, store_fetch_job, id),
        QF(INT64, store_fetch_job, case_id),
        QF(TEXT, store_fetch_job, url),
        QF(INT, store_fetch_job, attempts),
    };
    return q_list(s, ar, sql, F, out, n, Q_INT(now), Q_INT(lease), Q_INT(max));
}

err_t store_fetch_failed(store_t *s, int64_t id, const char *error, int64_t now)
{
    static const char fail[] = "UPDATE attachments SET state = 'failed', last_error = $2,"
                               " next_attempt_at = $3 WHERE id = $1 AND state = 'pending'"
                               " RETURNING case_id";
    return q_tx(s, dom_give_up_tx, &(dom_give_up){fail, id, error, "media_failed", now});
}
