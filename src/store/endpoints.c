/* An agency's endpoints on channels whose addresses are not mobile numbers
 * (channel_endpoints, migration 0026): a mailbox, a bot. Neutral: the
 * driver keeps its own settings as JSON and its credential in secret. */
#include "store/q.h"

static const q_field ENDPOINT_F[] = {
    QF(INT64, store_endpoint, id),     QF(INT64, store_endpoint, agency_id),
    QF(TEXT, store_endpoint, channel), QF(TEXT, store_endpoint, endpoint),
    QF(TEXT, store_endpoint, secret),  QF(TEXT, store_endpoint, settings),
    QF(BOOL, store_endpoint, active),  QF(INT64, store_endpoint, updated_at),
};

#define ENDPOINT_COLS                                                                              \
    "SELECT id, agency_id, channel, endpoint, secret, settings, active, updated_at"                \
    " FROM channel_endpoints"

err_t store_endpoint_put(store_t *s, int64_t agency_id, const char *channel, const char *endpoint,
                         const char *secret, const char *settings, int64_t now, int64_t *id)
{
    static const char sql[] =
        "INSERT INTO channel_endpoints (agency_id, channel, endpoint, secret, settings, active,"
        " created_at, updated_at) VALUES ($1, $2, $3, $4, $5, TRUE, $6, $6)"
        " ON CONFLICT (channel, endpoint) DO UPDATE SET agency_id = $1, secret = $4,"
        " settings = $5, active = TRUE, updated_at = $6 RETURNING id";
    return q_one_int(s, sql, id, Q_INT(agency_id), Q_TEXT(channel), Q_TEXT(endpoint),
                     Q_TEXT(secret), Q_TEXT(settings), Q_INT(now));
}

err_t store_endpoint_get(store_t *s, arena_t *ar, const char *channel, const char *endpoint,
                         store_endpoint *out)
{
    static const char sql[] = ENDPOINT_COLS " WHERE channel = $1 AND endpoint = $2";
    return q_one(s, ar, sql, ENDPOINT_F, out, Q_TEXT(channel), Q_TEXT(endpoint));
}

err_t store_endpoint_list(store_t *s, arena_t *ar, const char *channel, store_endpoint **out,
                          size_t *n)
{
    static const char sql[] = ENDPOINT_COLS " WHERE channel = $1 AND active = TRUE ORDER BY id";
    return q_list(s, ar, sql, ENDPOINT_F, out, n, Q_TEXT(channel));
}

err_t store_case_last_inbound(store_t *s, arena_t *ar, int64_t case_id, const char **provider_id)
{
    static const char sql[] = "SELECT wamid FROM messages WHERE case_id = $1 AND direction = 'in'"
                              " AND wamid IS NOT NULL ORDER BY id DESC LIMIT 1";
    *provider_id = NULL;
    return q_one(s, ar, sql, Q_COL_TEXT, provider_id, Q_INT(case_id));
}

err_t store_case_count_for_contact(store_t *s, int64_t agency_id, const char *channel,
                                   const char *address, int64_t since, int64_t *n)
{
    static const char sql[] = "SELECT COUNT(*) FROM cases WHERE agency_id = $1"
                              " AND notify_channel = $2 AND notify_address = $3"
                              " AND created_at >= $4";
    return q_one_int(s, sql, n, Q_INT(agency_id), Q_TEXT(channel), Q_TEXT(address), Q_INT(since));
}
