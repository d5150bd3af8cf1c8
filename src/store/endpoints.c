/* An agency's own addresses on channels that are not mobile numbers
 * (channel_endpoints, migration 0026): a Telegram bot and its token, a
 * mailbox. One endpoint per agency and channel; an endpoint belongs to one
 * agency. Written once for both engines on store/q.h. */
#include "store/dom.h"

#define EP_COLS                                                                                    \
    "e.id, e.agency_id, a.code, e.channel, e.endpoint, e.secret, e.settings, e.active,"            \
    " e.updated_at"

static const q_field EP_F[] = {
    QF(INT64, store_endpoint, id),         QF(INT64, store_endpoint, agency_id),
    QF(TEXT, store_endpoint, agency_code), QF(TEXT, store_endpoint, channel),
    QF(TEXT, store_endpoint, endpoint),    QF(TEXT, store_endpoint, secret),
    QF(TEXT, store_endpoint, settings),    QF(BOOL, store_endpoint, active),
    QF(INT64, store_endpoint, updated_at),
};

typedef struct {
    int64_t agency_id, now;
    const char *channel, *endpoint, *secret, *settings;
} put_ctx;

static err_t put_tx(q_conn *c, void *arg)
{
    static const char drop[] = "DELETE FROM channel_endpoints WHERE channel = $2"
                               " AND (agency_id = $1 OR endpoint = $3)";
    static const char add[] =
        "INSERT INTO channel_endpoints (agency_id, channel, endpoint, secret, settings, active,"
        " created_at, updated_at) VALUES ($1, $2, $3, $4, $5, TRUE, $6, $6)";
    const put_ctx *x = arg;
    err_t e = q_run(c, drop, NULL, Q_INT(x->agency_id), Q_TEXT(x->channel), Q_TEXT(x->endpoint));
    if (e == ERR_OK)
        e = q_run(c, add, NULL, Q_INT(x->agency_id), Q_TEXT(x->channel), Q_TEXT(x->endpoint),
                  Q_TEXT(x->secret), Q_TEXT(x->settings ? x->settings : "{}"), Q_INT(x->now));
    return e;
}

err_t store_endpoint_put(store_t *s, int64_t agency_id, const char *channel, const char *endpoint,
                         const char *secret, const char *settings, int64_t now)
{
    put_ctx x = {agency_id, now, channel, endpoint, secret, settings};
    return q_tx(s, put_tx, &x);
}

err_t store_endpoint_of_agency(store_t *s, arena_t *ar, int64_t agency_id, const char *channel,
                               store_endpoint *out)
{
    static const char sql[] = "SELECT " EP_COLS " FROM channel_endpoints e"
                              " JOIN agencies a ON a.id = e.agency_id"
                              " WHERE e.agency_id = $1 AND e.channel = $2 AND e.active"
                              " ORDER BY e.id LIMIT 1";
    return q_one(s, ar, sql, EP_F, out, Q_INT(agency_id), Q_TEXT(channel));
}

err_t store_endpoint_get(store_t *s, arena_t *ar, const char *channel, const char *endpoint,
                         store_endpoint *out)
{
    static const char sql[] = "SELECT " EP_COLS " FROM channel_endpoints e"
                              " JOIN agencies a ON a.id = e.agency_id"
                              " WHERE e.channel = $1 AND e.endpoint = $2 AND e.active";
    return q_one(s, ar, sql, EP_F, out, Q_TEXT(channel), Q_TEXT(endpoint));
}

err_t store_endpoint_list(store_t *s, arena_t *ar, const char *channel, store_endpoint **out,
                          size_t *n)
{
    static const char sql[] = "SELECT " EP_COLS " FROM channel_endpoints e"
                              " JOIN agencies a ON a.id = e.agency_id"
                              " WHERE e.channel = $1 ORDER BY a.code, e.id";
    return q_list(s, ar, sql, EP_F, out, n, Q_TEXT(channel));
}

err_t store_endpoint_remove(store_t *s, int64_t agency_id, const char *channel)
{
    static const char sql[] = "DELETE FROM channel_endpoints WHERE agency_id = $1 AND channel = $2";
    return q_write(s, sql, true, Q_INT(agency_id), Q_TEXT(channel));
}

err_t store_case_last_inbound(store_t *s, arena_t *ar, int64_t case_id, const char **provider_id)
{
    static const char sql[] = "SELECT wamid FROM messages WHERE case_id = $1 AND direction = 'in'"
                              " AND channel = 'email' AND wamid IS NOT NULL"
                              " ORDER BY id DESC LIMIT 1";
    *provider_id = NULL;
    return q_one(s, ar, sql, Q_COL_TEXT, provider_id, Q_INT(case_id));
}

err_t store_case_sent_mail(store_t *s, int64_t case_id, const char *message_id, bool *yes)
{
    static const char sql[] = "SELECT 1 FROM outbox WHERE case_id = $1 AND channel = 'email'"
                              " AND provider_id = $2";
    int64_t one = 0;
    err_t e = q_one_int(s, sql, &one, Q_INT(case_id), Q_TEXT(message_id));
    *yes = e == ERR_OK;
    return e == ERR_NOT_FOUND ? ERR_OK : e;
}

err_t store_case_count_for_contact(store_t *s, int64_t agency_id, const char *channel,
                                   const char *address, int64_t since, int64_t *n)
{
    static const char sql[] = "SELECT COUNT(*) FROM cases WHERE agency_id = $1"
                              " AND notify_channel = $2 AND notify_address = $3"
                              " AND created_at >= $4";
    return q_one_int(s, sql, n, Q_INT(agency_id), Q_TEXT(channel), Q_TEXT(address), Q_INT(since));
}
