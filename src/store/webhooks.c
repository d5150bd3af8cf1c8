/* The webhooks domain of the store (issue 17 §2): subscriptions and their
 * deliveries, queued in the transaction of the change that causes them
 * (dom_webhook_queue, the outbox pattern) and claimed by jobs/webhooks.c.
 * Written once for both engines on store/q.h. */
#include "store/dom.h"

#include <string.h>

#define SUB_COLS                                                                                   \
    "s.id, s.agency_id, s.url, s.secret, s.events, s.description, s.active, s.trusted,"            \
    " s.paused_at, s.consecutive_failures, s.created_at, s.updated_at,"                            \
    " (SELECT COUNT(*) FROM webhook_deliveries d WHERE d.subscription_id = s.id"                   \
    " AND d.state = 'pending'), (SELECT COUNT(*) FROM webhook_deliveries d"                        \
    " WHERE d.subscription_id = s.id AND d.state = 'failed')"

static const q_field SUB_F[] = {
    QF(INT64, store_webhook, id),         QF(INT64, store_webhook, agency_id),
    QF(TEXT, store_webhook, url),         QF(TEXT, store_webhook, secret),
    QF(TEXT, store_webhook, events),      QF(TEXT, store_webhook, description),
    QF(BOOL, store_webhook, active),      QF(BOOL, store_webhook, trusted),
    QF(INT64, store_webhook, paused_at),  QF(INT, store_webhook, consecutive_failures),
    QF(INT64, store_webhook, created_at), QF(INT64, store_webhook, updated_at),
    QF(INT64, store_webhook, pending),    QF(INT64, store_webhook, failed),
};

err_t store_webhook_list(store_t *s, arena_t *ar, int64_t agency_id, store_webhook **out, size_t *n)
{
    static const char sql[] = "SELECT " SUB_COLS " FROM webhook_subscriptions s"
                              " WHERE ($1 IS NULL OR s.agency_id = $1) ORDER BY s.id";
    return q_list(s, ar, sql, SUB_F, out, n, Q_ID(agency_id));
}

err_t store_webhook_get(store_t *s, arena_t *ar, int64_t id, store_webhook *out)
{
    static const char sql[] = "SELECT " SUB_COLS " FROM webhook_subscriptions s WHERE s.id = $1";
    memset(out, 0, sizeof *out);
    return q_one(s, ar, sql, SUB_F, out, Q_INT(id));
}

err_t store_webhook_add(store_t *s, const store_webhook *w, int64_t now, int64_t *id)
{
    static const char sql[] =
        "INSERT INTO webhook_subscriptions (agency_id, url, secret, events, description, active,"
        " trusted, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING "
        "id";
    err_t e = q_one_int(s, sql, id, Q_INT(w->agency_id), Q_TEXT(w->url), Q_TEXT(w->secret),
                        Q_TEXT(w->events), Q_TEXT(w->description), Q_BOOL(w->active),
                        Q_BOOL(w->trusted), Q_INT(now));
    return e == ERR_INVALID ? ERR_NOT_FOUND : e; /* the agency's foreign key */
}

err_t store_webhook_update(store_t *s, const store_webhook *w, int64_t now)
{
    static const char sql[] =
        "UPDATE webhook_subscriptions SET url = $2, secret = $3, events = $4, description = $5,"
        " active = $6, trusted = $7, updated_at = $8 WHERE id = $1";
    return q_write(s, sql, true, Q_INT(w->id), Q_TEXT(w->url), Q_TEXT(w->secret), Q_TEXT(w->events),
                   Q_TEXT(w->description), Q_BOOL(w->active), Q_BOOL(w->trusted), Q_INT(now));
}

static err_t delete_tx(q_conn *c, void *arg)
{
    static const char dels[] = "DELETE FROM webhook_deliveries WHERE subscription_id = $1";
    static const char del[] = "DELETE FROM webhook_subscriptions WHERE id = $1";
    int64_t id = *(int64_t *)arg, n = 0;
    err_t e = q_run(c, dels, NULL, Q_INT(id));
    if (e == ERR_OK)
        e = q_run(c, del, &n, Q_INT(id));
    return e == ERR_OK && n == 0 ? ERR_NOT_FOUND : e;
}

err_t store_webhook_delete(store_t *s, int64_t id) { return q_tx(s, delete_tx, &id); }

typedef struct {
    int64_t id, now;
} resume_ctx;

static err_t resume_tx(q_conn *c, void *arg)
{
    static const char sub[] = "UPDATE webhook_subscriptions SET paused_at = NULL,"
                              " consecutive_failures = 0, updated_at = $2 WHERE id = $1";
    static const char due[] = "UPDATE webhook_deliveries SET next_attempt_at = $2"
                              " WHERE subscription_id = $1 AND state = 'pending'";
    resume_ctx *x = arg;
    int64_t n = 0;
    err_t e = q_run(c, sub, &n, Q_INT(x->id), Q_INT(x->now));
    if (e == ERR_OK && n == 0)
        e = ERR_NOT_FOUND;
    if (e == ERR_OK)
        e = q_run(c, due, NULL, Q_INT(x->id), Q_INT(x->now));
    return e;
}

err_t store_webhook_resume(store_t *s, int64_t id, int64_t now)
{
    resume_ctx x = {id, now};
    return q_tx(s, resume_tx, &x);
}

/* ---- deliveries ------------------------------------------------------------ */

#define DELIVERY_COLS                                                                              \
    "id, subscription_id, event_type, case_id, event_id, body, state, attempts,"                   \
    " next_attempt_at, last_status, last_error, created_at, expires_at, delivered_at"
#define SUB_OF(col)                                                                                \
    "(SELECT " col " FROM webhook_subscriptions s"                                                 \
    " WHERE s.id = webhook_deliveries.subscription_id)"
#define DELIVERY_SUB_COLS                                                                          \
    SUB_OF("agency_id")                                                                            \
    ", " SUB_OF("url") ", " SUB_OF("secret") ", " SUB_OF("trusted") ", " SUB_OF(                   \
        "paused_at IS NOT NULL OR NOT s.active")

static const q_field DELIVERY_F[] = {
    QF(INT64, store_webhook_delivery, id),
    QF(INT64, store_webhook_delivery, subscription_id),
    QF(TEXT, store_webhook_delivery, event_type),
    QF(INT64, store_webhook_delivery, case_id),
    QF(INT64, store_webhook_delivery, event_id),
    QF(TEXT, store_webhook_delivery, body),
    QF(TEXT, store_webhook_delivery, state),
    QF(INT, store_webhook_delivery, attempts),
    QF(INT64, store_webhook_delivery, next_attempt_at),
    QF(INT, store_webhook_delivery, last_status),
    QF(TEXT, store_webhook_delivery, last_error),
    QF(INT64, store_webhook_delivery, created_at),
    QF(INT64, store_webhook_delivery, expires_at),
    QF(INT64, store_webhook_delivery, delivered_at),
    QF(INT64, store_webhook_delivery, agency_id),
    QF(TEXT, store_webhook_delivery, url),
    QF(TEXT, store_webhook_delivery, secret),
    QF(BOOL, store_webhook_delivery, trusted),
    QF(BOOL, store_webhook_delivery, held),
};

err_t store_webhook_deliveries(store_t *s, arena_t *ar, int64_t subscription_id, unsigned limit,
                               store_webhook_delivery **out, size_t *n)
{
    static const char sql[] = "SELECT " DELIVERY_COLS ", " DELIVERY_SUB_COLS
                              " FROM webhook_deliveries WHERE subscription_id = $1"
                              " ORDER BY id DESC LIMIT $2";
    return q_list(s, ar, sql, DELIVERY_F, out, n, Q_INT(subscription_id), Q_INT(limit));
}

err_t store_webhook_delivery_get(store_t *s, arena_t *ar, int64_t id, store_webhook_delivery *out)
{
    static const char sql[] =
        "SELECT " DELIVERY_COLS ", " DELIVERY_SUB_COLS " FROM webhook_deliveries WHERE id = $1";
    memset(out, 0, sizeof *out);
    return q_one(s, ar, sql, DELIVERY_F, out, Q_INT(id));
}

err_t store_webhook_redeliver(store_t *s, int64_t id, int64_t now)
{
    static const char sql[] =
        "UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = $2,"
        " expires_at = $2 + 86400, delivered_at = NULL WHERE id = $1";
    return q_write(s, sql, true, Q_INT(id), Q_INT(now));
}

err_t store_webhook_claim(store_t *s, arena_t *ar, int64_t now, int64_t lease, unsigned max,
                          store_webhook_delivery **out, size_t *n)
{
    static const char sql[] = Q_CLAIM("webhook_deliveries", "id", "state = 'pending'",
                                      "next_attempt_at, id", DELIVERY_COLS ", " DELIVERY_SUB_COLS);
    return q_list(s, ar, sql, DELIVERY_F, out, n, Q_INT(now), Q_INT(lease), Q_INT(max));
}

err_t store_webhook_set_body(store_t *s, arena_t *ar, int64_t id, const char **body)
{
    static const char set[] =
        "UPDATE webhook_deliveries SET body = $2 WHERE id = $1 AND body IS NULL";
    static const char get[] = "SELECT body FROM webhook_deliveries WHERE id = $1";
    err_t e = q_write(s, set, false, Q_INT(id), Q_TEXT(*body));
    if (e == ERR_OK)
        e = q_one(s, ar, get, Q_COL_TEXT, body, Q_INT(id));
    return e;
}

typedef struct {
    const store_webhook_outcome *o;
    int64_t paused;
} record_ctx;

static err_t record_tx(q_conn *c, void *arg)
{
    static const char done[] =
        "UPDATE webhook_deliveries SET state = 'delivered', last_status = $2, last_error = NULL,"
        " delivered_at = $3 WHERE id = $1 AND state = 'pending' RETURNING subscription_id";
    static const char again[] =
        "UPDATE webhook_deliveries SET state = CASE WHEN $4 = 0 THEN 'failed' ELSE 'pending' END,"
        " next_attempt_at = CASE WHEN $4 = 0 THEN next_attempt_at ELSE $4 END,"
        " last_status = $2, last_error = $3 WHERE id = $1 AND state = 'pending'"
        " RETURNING subscription_id";
    static const char ok[] = "UPDATE webhook_subscriptions SET consecutive_failures = 0"
                             " WHERE id = $1 AND consecutive_failures <> 0";
    static const char bad[] =
        "UPDATE webhook_subscriptions SET consecutive_failures = consecutive_failures + 1,"
        " paused_at = CASE WHEN paused_at IS NULL AND consecutive_failures + 1 >= $2 THEN $3"
        " ELSE paused_at END WHERE id = $1 RETURNING CASE WHEN paused_at = $3 THEN 1 ELSE 0 END";
    record_ctx *x = arg;
    const store_webhook_outcome *o = x->o;
    int64_t sub = 0, paused = 0;
    err_t e = o->delivered ? q_row_int(c, done, &sub, Q_INT(o->id), Q_ID(o->status), Q_INT(o->now))
                           : q_row_int(c, again, &sub, Q_INT(o->id), Q_ID(o->status),
                                       Q_TEXT(o->error), Q_INT(o->next_at));
    if (e == ERR_NOT_FOUND)
        return ERR_OK; /* redelivered or gone meanwhile */
    if (e == ERR_OK && o->delivered)
        e = q_run(c, ok, NULL, Q_INT(sub));
    else if (e == ERR_OK && o->count)
        e = q_row_int(c, bad, &paused, Q_INT(sub), Q_INT(o->pause_after), Q_INT(o->now));
    if (e == ERR_OK && paused)
        x->paused = sub;
    return e;
}

err_t store_webhook_record(store_t *s, const store_webhook_outcome *o, int64_t *paused_sub)
{
    record_ctx x = {o, 0};
    err_t e = q_tx(s, record_tx, &x);
    *paused_sub = e == ERR_OK ? x.paused : 0;
    return e;
}

err_t store_webhook_hold(store_t *s, int64_t id, int64_t at)
{
    static const char sql[] = "UPDATE webhook_deliveries SET next_attempt_at = $2,"
                              " attempts = attempts - 1 WHERE id = $1 AND state = 'pending'";
    return q_write(s, sql, false, Q_INT(id), Q_INT(at));
}

err_t store_webhook_prune(store_t *s, int64_t cutoff, unsigned max, int64_t *deleted)
{
    static const char sql[] =
        "DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM webhook_deliveries"
        " WHERE state <> 'pending' AND created_at < $1 ORDER BY id LIMIT $2)";
    return q_write_n(s, sql, deleted, Q_INT(cutoff), Q_INT(max));
}

/* ---- the outbox side --------------------------------------------------------- */

err_t dom_webhook_queue(q_conn *c, int64_t case_id, int64_t event_id, const char *types,
                        int64_t now)
{
    /* types: ",case.created,case.note_public," (the event's); a subscriber's
     * events a comma list. One statement, an indexed probe of the agency's
     * subscriptions: nothing else runs for an agency without any. */
    static const char sql[] =
        "INSERT INTO webhook_deliveries (subscription_id, event_type, case_id, event_id, state,"
        " attempts, next_attempt_at, created_at, expires_at) SELECT s.id, t.type, $1, $2,"
        " 'pending', 0, $4, $4, $4 + 86400 FROM webhook_subscriptions s JOIN (SELECT"
        " 'case.created' AS type UNION ALL SELECT 'case.status_changed' UNION ALL SELECT"
        " 'case.assigned' UNION ALL SELECT 'case.note_public' UNION ALL SELECT 'message.received'"
        " UNION ALL SELECT 'survey.submitted' UNION ALL SELECT 'sla.breached'"
        " UNION ALL SELECT 'case.lapor_updated') t"
        " ON $3 LIKE '%,' || t.type || ',%' AND ',' || s.events || ',' LIKE '%,' || t.type || ',%'"
        " WHERE s.agency_id = (SELECT agency_id FROM cases WHERE id = $1) AND s.active = TRUE"
        " AND s.paused_at IS NULL ORDER BY s.id, t.type";
    if (!types || !types[0])
        return ERR_OK;
    return q_run(c, sql, NULL, Q_INT(case_id), Q_ID(event_id), Q_TEXT(types), Q_INT(now));
}
