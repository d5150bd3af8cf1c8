/* Issue 16's last items: whether an IMAP message's key is in inbound_seen,
 * the keys every instance shares (server_keys, migration 0032), and
 * one-use keys (a web form challenge, in inbound_seen). Written once for
 * both engines on store/q.h. */
#include "store/dom.h"

err_t store_inbound_seen(store_t *s, const char *key, bool *seen)
{
    err_t e = q_one_int(s, "SELECT 1 FROM inbound_seen WHERE key = $1", NULL, Q_TEXT(key));
    *seen = e == ERR_OK;
    return e == ERR_NOT_FOUND ? ERR_OK : e;
}

err_t store_server_key(store_t *s, arena_t *ar, const char *name, const char *fresh, int64_t now,
                       const char **secret)
{
    static const char put[] = "INSERT INTO server_keys (name, secret, created_at)"
                              " VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING";
    static const q_field F[] = {QF(TEXT, store_server_key_row, secret)};
    store_server_key_row row = {0};
    *secret = NULL;
    err_t e = q_write(s, put, false, Q_TEXT(name), Q_TEXT(fresh), Q_INT(now));
    if (e == ERR_OK)
        e = q_one(s, ar, "SELECT secret FROM server_keys WHERE name = $1", F, &row, Q_TEXT(name));
    if (e == ERR_OK)
        *secret = row.secret;
    return e;
}

err_t store_once(store_t *s, const char *key, int64_t now, bool *fresh)
{
    static const char sql[] =
        "INSERT INTO inbound_seen (key, created_at) VALUES ($1, $2) ON CONFLICT DO NOTHING";
    int64_t changed = 0;
    err_t e = q_write_n(s, sql, &changed, Q_TEXT(key), Q_INT(now));
    *fresh = e == ERR_OK && changed > 0;
    return e;
}
