/* Evidence named by a URL (Open311's media_url, issue 17 §1; 0037): the
 * pending attachment written with the case that it belongs to, the
 * worker's claim of the due ones (jobs/fetch.c) and its giving up, which
 * the case's timeline shows. The fetched picture is recorded with
 * store_media_stored, a retry with store_media_retry, as a channel's.
 * Written once for both engines on store/q.h. */
#include "store/dom.h"

typedef struct {
    arena_t *ar;
    store_case *k;
    const store_reporter_in *rep;
    const char *note, *url;
    int64_t attachment_id; /* out */
} open_fetch_ctx;

/* As store_case_open's transaction (cases.c), and the pending fetch. */
static err_t open_fetch_tx(q_conn *c, void *arg)
{
    static const char pending[] =
        "INSERT INTO attachments (case_id, mime, source, state, source_url, attempts,"
        " next_attempt_at, created_at) VALUES ($1, 'application/octet-stream', 'citizen',"
        " 'pending', $2, 0, $3, $3) RETURNING id";
    open_fetch_ctx *x = arg;
    store_case *k = x->k;
    int64_t event_id = 0;
    err_t e = x->rep ? dom_put_reporter(c, x->rep, k->created_at, &k->reporter_id) : ERR_OK;
    if (e == ERR_OK)
        e = dom_insert_case(c, x->ar, k, x->note, &event_id);
    if (e == ERR_OK && k->notify_consent_at)
        e = dom_outbox_queue_status(c, k->id, event_id, k->created_at);
    if (e == ERR_OK)
        e = dom_case_rules_queue(c, k->id, k->created_at);
    if (e == ERR_OK)
        e = q_row_int(c, pending, &x->attachment_id, Q_INT(k->id), Q_TEXT(x->url),
                      Q_INT(k->created_at));
    return e;
}

err_t store_case_open_fetch(store_t *s, arena_t *ar, store_case *c, const store_reporter_in *rep,
                            const char *note, const char *url, int64_t *attachment_id)
{
    open_fetch_ctx x = {ar, c, rep, note, url, 0};
    err_t e = q_tx(s, open_fetch_tx, &x);
    *attachment_id = e == ERR_OK ? x.attachment_id : 0;
    return e;
}

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
