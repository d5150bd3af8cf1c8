/* Idempotency keys (issue 18, migration 0036): the first request under a
 * (user, key) reserves it with status 0, and its answer is kept for the
 * ones that come again. */
#include "store/drv.h"

#include <string.h>

/* A lost reservation is looked for again this many times: the request
 * that held it failed and let it go between our INSERT and our SELECT. */
#define IDEM_TRIES 3

static const q_field IDEM_F[] = {
    QF(TEXT, store_idem, request_hash),
    QF(INT, store_idem, status),
    QF(TEXT, store_idem, body),
    QF(INT64, store_idem, created_at),
};

err_t store_idem_begin(store_t *s, arena_t *ar, int64_t user_id, const char *key, const char *hash,
                       int64_t now, int64_t stale_before, store_idem *out)
{
    static const char ins[] =
        "INSERT INTO idempotency_keys (user_id, key, request_hash, status, created_at)"
        " VALUES ($1, $2, $3, 0, $4) ON CONFLICT (user_id, key) DO NOTHING";
    /* A reservation whose request died with its instance (a crash between
     * the reservation and the answer) is taken over by the same request. */
    static const char takeover[] =
        "UPDATE idempotency_keys SET created_at = $4 WHERE user_id = $1 AND key = $2"
        " AND request_hash = $3 AND status = 0 AND created_at < $5";
    static const char sel[] = "SELECT request_hash, status, body, created_at FROM idempotency_keys"
                              " WHERE user_id = $1 AND key = $2";
    err_t e = ERR_OK;
    for (int i = 0; i < IDEM_TRIES; i++) {
        int64_t n = 0;
        e = q_write_n(s, ins, &n, Q_INT(user_id), Q_TEXT(key), Q_TEXT(hash), Q_INT(now));
        if (e != ERR_OK || n == 1)
            return e;
        e = q_write_n(s, takeover, &n, Q_INT(user_id), Q_TEXT(key), Q_TEXT(hash), Q_INT(now),
                      Q_INT(stale_before));
        if (e != ERR_OK || n == 1)
            return e;
        memset(out, 0, sizeof *out);
        e = q_one(s, ar, sel, IDEM_F, out, Q_INT(user_id), Q_TEXT(key));
        if (e == ERR_OK)
            return ERR_CONFLICT;
        if (e != ERR_NOT_FOUND)
            return e;
    }
    return ERR_UNAVAILABLE;
}

err_t store_idem_finish(store_t *s, int64_t user_id, const char *key, int status, const char *body)
{
    static const char sql[] = "UPDATE idempotency_keys SET status = $3, body = $4"
                              " WHERE user_id = $1 AND key = $2 AND status = 0";
    return q_write(s, sql, false, Q_INT(user_id), Q_TEXT(key), Q_INT(status), Q_TEXT(body));
}

err_t store_idem_forget(store_t *s, int64_t user_id, const char *key)
{
    static const char sql[] =
        "DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND status = 0";
    return q_write(s, sql, false, Q_INT(user_id), Q_TEXT(key));
}

err_t store_idem_purge(store_t *s, int64_t before, unsigned max, size_t *n)
{
    static const char sql[] =
        "DELETE FROM idempotency_keys WHERE (user_id, key) IN (SELECT user_id, key"
        " FROM idempotency_keys WHERE created_at < $1 ORDER BY created_at LIMIT $2)";
    int64_t k = 0;
    err_t e = q_write_n(s, sql, &k, Q_INT(before), Q_INT(max));
    *n = e == ERR_OK ? (size_t)k : 0;
    return e;
}
