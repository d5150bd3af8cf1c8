/* Open311 GeoReport v2 (issue 17 §1): the API keys of the clients that
 * post service requests, and the public notes the requests show. Written
 * once for both engines on store/q.h. */
#include "store/q.h"

err_t store_open311_key_add(store_t *s, const char *client, const char *key_hash, int64_t now)
{
    static const char sql[] = "INSERT INTO open311_keys (client, key_hash, created_at)"
                              " VALUES ($1, $2, $3)";
    return q_write(s, sql, false, Q_TEXT(client), Q_TEXT(key_hash), Q_INT(now));
}

err_t store_open311_key_client(store_t *s, arena_t *ar, const char *key_hash, const char **client)
{
    static const char sql[] = "SELECT client FROM open311_keys"
                              " WHERE key_hash = $1 AND revoked_at IS NULL";
    *client = NULL;
    return q_one(s, ar, sql, Q_COL_TEXT, client, Q_TEXT(key_hash));
}

static const q_field KEY_F[] = {
    QF(TEXT, store_open311_key, client),
    QF(INT64, store_open311_key, created_at),
    QF(INT64, store_open311_key, revoked_at),
};

Q_ALL_FN(store_open311_key_list, store_open311_key, KEY_F,
         "SELECT client, created_at, COALESCE(revoked_at, 0)"
         " FROM open311_keys ORDER BY client, id")

err_t store_open311_key_revoke(store_t *s, const char *client, int64_t now)
{
    static const char sql[] = "UPDATE open311_keys SET revoked_at = $2"
                              " WHERE client = $1 AND revoked_at IS NULL";
    return q_write(s, sql, true, Q_TEXT(client), Q_INT(now));
}

err_t store_open311_notes(store_t *s, arena_t *ar, const int64_t *ids, size_t n, const char **notes)
{
    /* The latest message to the reporter of each case: what its public
     * page shows last. One prepared statement, run once per case. */
    static const char sql[] = "SELECT public_note FROM case_events"
                              " WHERE case_id = $1 AND is_public = $2 AND public_note IS NOT NULL"
                              " ORDER BY seq DESC LIMIT 1";
    q_conn *c = NULL;
    err_t e = q_get(s, &c);
    for (size_t i = 0; e == ERR_OK && i < n; i++) {
        notes[i] = NULL;
        q_stmt *st = q_prep(c, sql);
        q_int(st, ids[i]);
        q_bool(st, true);
        e = q_step(st);
        if (e == ERR_OK)
            notes[i] = q_col_text(st, ar, 0);
        if (e == ERR_NOT_FOUND)
            e = ERR_OK;
        q_done(st);
    }
    q_put(c);
    return e;
}

err_t store_open311_photos(store_t *s, const int64_t *ids, size_t n, int64_t *photos)
{
    /* The reporter's first stored picture of each case (issue 17 §1),
     * never one the desk marked as an identity document (a KTP). */
    static const char sql[] = "SELECT id FROM attachments WHERE case_id = $1"
                              " AND source = 'citizen' AND state = 'stored'"
                              " AND identity_doc = FALSE AND document_id IS NULL"
                              " AND mime IN ('image/jpeg', 'image/png', 'image/webp')"
                              " ORDER BY id LIMIT 1";
    q_conn *c = NULL;
    err_t e = q_get(s, &c);
    for (size_t i = 0; e == ERR_OK && i < n; i++) {
        photos[i] = 0;
        q_stmt *st = q_prep(c, sql);
        q_int(st, ids[i]);
        e = q_step(st);
        if (e == ERR_OK)
            photos[i] = q_col_int(st, 0);
        if (e == ERR_NOT_FOUND)
            e = ERR_OK;
        q_done(st);
    }
    q_put(c);
    return e;
}

err_t store_open311_photo_add(store_t *s, int64_t case_id, const char *sha256, const char *mime,
                              int64_t size, int64_t now, int64_t *id)
{
    static const char sql[] =
        "INSERT INTO attachments (case_id, sha256, mime, size_bytes, source, state, created_at)"
        " VALUES ($1, $2, $3, $4, 'citizen', 'stored', $5) RETURNING id";
    return q_one_int(s, sql, id, Q_INT(case_id), Q_TEXT(sha256), Q_TEXT(mime), Q_INT(size),
                     Q_INT(now));
}
