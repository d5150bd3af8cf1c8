/* Two-factor sign-in (issue 19 §3): the TOTP key of a user, its one-time
 * recovery codes. Written once for both engines on store/q.h; the codes
 * are checked in core/totp.c, the store only keeps what was used. */
#include "store/q.h"

static const q_field TOTP_F[] = {
    QF(TEXT, store_totp, secret),
    QF(INT64, store_totp, created_at),
    QF(INT64, store_totp, confirmed_at),
    QF(INT64, store_totp, last_step),
};

err_t store_totp_get(store_t *s, arena_t *ar, int64_t user_id, store_totp *out)
{
    static const char sql[] = "SELECT secret, created_at, COALESCE(confirmed_at, 0), last_step"
                              " FROM user_totp WHERE user_id = $1";
    *out = (store_totp){0};
    return q_one(s, ar, sql, TOTP_F, out, Q_INT(user_id));
}

err_t store_totp_begin(store_t *s, int64_t user_id, const char *secret, int64_t now)
{
    /* A pending key is replaced; a confirmed one is left as it is. */
    static const char sql[] = "INSERT INTO user_totp (user_id, secret, created_at, last_step)"
                              " VALUES ($1, $2, $3, 0) ON CONFLICT (user_id) DO UPDATE SET"
                              " secret = excluded.secret, created_at = excluded.created_at,"
                              " last_step = 0 WHERE user_totp.confirmed_at IS NULL";
    err_t e = q_write(s, sql, true, Q_INT(user_id), Q_TEXT(secret), Q_INT(now));
    if (e == ERR_INVALID)
        return ERR_NOT_FOUND; /* no such user */
    return e == ERR_NOT_FOUND ? ERR_CONFLICT : e;
}

typedef struct {
    int64_t user_id, step, now;
    const char *const *hashes;
    size_t n;
} confirm_ctx;

static err_t confirm_tx(q_conn *c, void *arg)
{
    static const char conf[] = "UPDATE user_totp SET confirmed_at = $2, last_step = $3"
                               " WHERE user_id = $1 AND confirmed_at IS NULL";
    static const char clear[] = "DELETE FROM user_recovery_codes WHERE user_id = $1";
    static const char add[] = "INSERT INTO user_recovery_codes (user_id, code_hash, created_at)"
                              " VALUES ($1, $2, $3)";
    confirm_ctx *x = arg;
    err_t e = q_must(c, conf, Q_INT(x->user_id), Q_INT(x->now), Q_INT(x->step));
    if (e == ERR_OK)
        e = q_run(c, clear, NULL, Q_INT(x->user_id));
    for (size_t i = 0; e == ERR_OK && i < x->n; i++)
        e = q_run(c, add, NULL, Q_INT(x->user_id), Q_TEXT(x->hashes[i]), Q_INT(x->now));
    return e;
}

err_t store_totp_confirm(store_t *s, int64_t user_id, int64_t step, const char *const *code_hashes,
                         size_t ncodes, int64_t now)
{
    confirm_ctx x = {user_id, step, now, code_hashes, ncodes};
    return q_tx(s, confirm_tx, &x);
}

err_t store_totp_use_step(store_t *s, int64_t user_id, int64_t step)
{
    /* One statement: two sign-ins with the same code cannot both pass. */
    static const char sql[] = "UPDATE user_totp SET last_step = $2"
                              " WHERE user_id = $1 AND last_step < $2 AND confirmed_at IS NOT NULL";
    return q_write(s, sql, true, Q_INT(user_id), Q_INT(step));
}

err_t store_totp_use_recovery(store_t *s, int64_t user_id, const char *code_hash, int64_t now)
{
    static const char sql[] = "UPDATE user_recovery_codes SET used_at = $3"
                              " WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL";
    return q_write(s, sql, true, Q_INT(user_id), Q_TEXT(code_hash), Q_INT(now));
}

err_t store_totp_recovery_left(store_t *s, int64_t user_id, int64_t *n)
{
    static const char sql[] = "SELECT COUNT(*) FROM user_recovery_codes"
                              " WHERE user_id = $1 AND used_at IS NULL";
    return q_one_int(s, sql, n, Q_INT(user_id));
}

typedef struct {
    int64_t user_id;
    bool end_sessions, had;
} reset_ctx;

static err_t reset_tx(q_conn *c, void *arg)
{
    static const char key[] = "DELETE FROM user_totp WHERE user_id = $1";
    static const char codes[] = "DELETE FROM user_recovery_codes WHERE user_id = $1";
    static const char sess[] = "DELETE FROM sessions WHERE user_id = $1";
    reset_ctx *x = arg;
    int64_t n = 0;
    err_t e = q_run(c, key, &n, Q_INT(x->user_id));
    x->had = n > 0;
    if (e == ERR_OK)
        e = q_run(c, codes, NULL, Q_INT(x->user_id));
    if (e == ERR_OK && x->end_sessions)
        e = q_run(c, sess, NULL, Q_INT(x->user_id));
    return e;
}

err_t store_totp_reset(store_t *s, int64_t user_id, bool end_sessions, bool *had)
{
    reset_ctx x = {user_id, end_sessions, false};
    err_t e = q_tx(s, reset_tx, &x);
    if (had)
        *had = e == ERR_OK && x.had;
    return e;
}
