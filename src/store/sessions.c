/* Sessions: signing in and out, and as their user sees them (issue 19
 * §3): where and how each signed in, the list, ending others, a password
 * change that keeps only the current one. Written once for both engines
 * on store/q.h. */
#include "store/q.h"

err_t store_session_open(store_t *s, const char *token_hash, int64_t user_id, const char *csrf,
                         int64_t now, int64_t expires_at, const char *client,
                         const char *user_agent, const char *factor)
{
    /* Expired sessions are swept as new ones are made: no extra job needed. */
    static const char sweep[] = "DELETE FROM sessions WHERE expires_at <= $1";
    static const char sql[] = "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at,"
                              " expires_at, client, user_agent, factor)"
                              " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
    err_t e = q_write(s, sweep, false, Q_INT(now));
    if (e == ERR_OK)
        e = q_write(s, sql, false, Q_TEXT(token_hash), Q_INT(user_id), Q_TEXT(csrf), Q_INT(now),
                    Q_INT(expires_at), Q_TEXT(client), Q_TEXT(user_agent), Q_TEXT(factor));
    return e;
}

static const q_field SESSION_F[] = {
    QF(INT64, store_session, user_id),
    QF(TEXT, store_session, csrf_token),
    QF(INT64, store_session, expires_at),
};

err_t store_session_get(store_t *s, arena_t *ar, const char *token_hash, int64_t now,
                        store_session *out)
{
    static const char sql[] =
        "SELECT s.user_id, s.csrf_token, s.expires_at FROM sessions s JOIN users u"
        " ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > $2"
        " AND u.disabled = FALSE";
    return q_one(s, ar, sql, SESSION_F, out, Q_TEXT(token_hash), Q_INT(now));
}

err_t store_session_delete(store_t *s, const char *token_hash)
{
    static const char sql[] = "DELETE FROM sessions WHERE token_hash = $1";
    return q_write(s, sql, false, Q_TEXT(token_hash));
}

static const q_field INFO_F[] = {
    QF(TEXT, store_session_info, token_hash),  QF(INT64, store_session_info, created_at),
    QF(INT64, store_session_info, expires_at), QF(TEXT, store_session_info, client),
    QF(TEXT, store_session_info, user_agent),  QF(TEXT, store_session_info, factor),
};

err_t store_session_list(store_t *s, arena_t *ar, int64_t user_id, int64_t now,
                         store_session_info **out, size_t *n)
{
    static const char sql[] = "SELECT token_hash, created_at, expires_at, client, user_agent,"
                              " factor FROM sessions WHERE user_id = $1 AND expires_at > $2"
                              " ORDER BY created_at DESC, token_hash {COLLATE_C} LIMIT $3";
    return q_list(s, ar, sql, INFO_F, out, n, Q_INT(user_id), Q_INT(now),
                  Q_INT(STORE_SESSIONS_MAX));
}

typedef struct {
    int64_t user_id;
    const char *keep, *password_hash;
    int64_t ended;
} end_ctx;

static err_t end_tx(q_conn *c, void *arg)
{
    static const char pw[] = "UPDATE users SET password_hash = $2 WHERE id = $1";
    static const char end[] = "DELETE FROM sessions WHERE user_id = $1"
                              " AND ($2 IS NULL OR token_hash <> $2)";
    end_ctx *x = arg;
    err_t e = ERR_OK;
    if (x->password_hash)
        e = q_must(c, pw, Q_INT(x->user_id), Q_TEXT(x->password_hash));
    if (e == ERR_OK)
        e = q_run(c, end, &x->ended, Q_INT(x->user_id), Q_TEXT(x->keep));
    return e;
}

err_t store_session_end_all(store_t *s, int64_t user_id, const char *keep_hash, int64_t *ended)
{
    end_ctx x = {user_id, keep_hash, NULL, 0};
    err_t e = q_tx(s, end_tx, &x);
    if (ended)
        *ended = e == ERR_OK ? x.ended : 0;
    return e;
}

err_t store_user_change_password(store_t *s, int64_t user_id, const char *password_hash,
                                 const char *keep_hash)
{
    end_ctx x = {user_id, keep_hash, password_hash, 0};
    return q_tx(s, end_tx, &x);
}

err_t store_session_end_one(store_t *s, int64_t user_id, const char *prefix)
{
    static const char sql[] = "DELETE FROM sessions WHERE user_id = $1"
                              " AND substr(token_hash, 1, 12) = $2";
    return q_write(s, sql, true, Q_INT(user_id), Q_TEXT(prefix));
}
