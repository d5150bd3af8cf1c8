/* Login throttling (store.h, issue #13): failures per (login, client) and
 * the account-wide lock of a distributed attack. Written once for both
 * engines on store/q.h; on PostgreSQL every instance counts in the same
 * rows, so the limits hold across instances. */
#include "store/q.h"

/* The account-wide row of a login (a client key never looks like it). */
#define ALL_CLIENTS "*"

err_t store_login_begin(store_t *s, const char *login, const char *client, int64_t now,
                        const store_login_policy *p, int64_t *locked_until, bool *global)
{
    static const char global_lock[] = "SELECT locked_until FROM login_guard"
                                      " WHERE login = $1 AND client = '" ALL_CLIENTS "'"
                                      " AND locked_until > $2";
    /* One statement counts the attempt or, for a locked pair, leaves it be:
     * INSERT ... ON CONFLICT DO UPDATE takes the row's lock, so two attempts
     * at once count one after the other. A lock that ran out, or failures
     * older than the window, start the count again. RETURNING gives a row
     * on insert and on update. */
    static const char count_attempt[] =
        "INSERT INTO login_guard (login, client, failures, first_at, last_at, locked_until)"
        " VALUES ($1, $2, 1, $3, $3, 0)"
        " ON CONFLICT (login, client) DO UPDATE SET"
        " failures = CASE WHEN login_guard.locked_until > $3 THEN login_guard.failures"
        "  WHEN login_guard.locked_until > 0 OR login_guard.last_at < $4 THEN 1"
        "  ELSE login_guard.failures + 1 END,"
        " first_at = CASE WHEN login_guard.locked_until > $3 THEN login_guard.first_at"
        "  WHEN login_guard.locked_until > 0 OR login_guard.last_at < $4 THEN $3"
        "  ELSE login_guard.first_at END,"
        " locked_until = CASE WHEN login_guard.locked_until > $3 THEN login_guard.locked_until"
        "  WHEN login_guard.locked_until = 0 AND login_guard.last_at >= $4"
        "   AND login_guard.failures >= $5 THEN $6"
        "  ELSE 0 END,"
        " last_at = CASE WHEN login_guard.locked_until > $3 THEN login_guard.last_at ELSE $3 END"
        " RETURNING locked_until";
    q_conn *c = NULL;
    int64_t until = 0;
    err_t e = q_get(s, &c);
    if (e == ERR_OK)
        e = q_row_int(c, global_lock, &until, Q_TEXT(login), Q_INT(now));
    *global = e == ERR_OK;
    if (e == ERR_NOT_FOUND) {
        e = q_row_int(c, count_attempt, &until, Q_TEXT(login), Q_TEXT(client), Q_INT(now),
                      Q_INT(now - p->window), Q_INT(p->max_failures), Q_INT(now + p->lock_seconds));
        e = e == ERR_NOT_FOUND ? ERR_DB : e;
    }
    q_put(c);
    *locked_until = e == ERR_OK ? until : 0;
    return e;
}

/* Forgets what no longer matters: rows quiet for the window (pairs, and
 * the clients counted for an attack) whose lock, if any, ended before
 * keep_since (a day ago: the superadmin's notice). Runs with every
 * success and failure, on the last_at index. */
static const char forget[] = "DELETE FROM login_guard WHERE last_at < $1 AND locked_until < $2";

err_t store_login_ok(store_t *s, const char *login, const char *client, int64_t now,
                     const store_login_policy *p)
{
    static const char sql[] = "DELETE FROM login_guard WHERE login = $1 AND client = $2";
    err_t e = q_write(s, sql, false, Q_TEXT(login), Q_TEXT(client));
    if (e == ERR_OK)
        e = q_write(s, forget, false, Q_INT(now - p->window), Q_INT(now - p->notice_seconds));
    return e;
}

typedef struct {
    const char *login;
    int64_t now;
    const store_login_policy *p;
    int attack; /* out */
} failed_ctx;

static err_t failed_tx(q_conn *c, void *arg)
{
    static const char clients[] =
        "SELECT COUNT(*) FROM login_guard"
        " WHERE login = $1 AND client <> '" ALL_CLIENTS "' AND last_at >= $2";
    /* Sets the account-wide lock unless one is running: only the call that
     * sets it gets a row back, so one instance announces it. */
    static const char lock_all[] =
        "INSERT INTO login_guard (login, client, failures, first_at, last_at, locked_until)"
        " VALUES ($1, '" ALL_CLIENTS "', $2, $3, $3, $4)"
        " ON CONFLICT (login, client) DO UPDATE SET failures = excluded.failures,"
        " first_at = excluded.first_at, last_at = excluded.last_at,"
        " locked_until = excluded.locked_until"
        " WHERE login_guard.locked_until <= $3 RETURNING locked_until";
    static const char show_lock[] = "UPDATE users SET locked_until = $1 WHERE login = $2";
    failed_ctx *x = arg;
    const store_login_policy *p = x->p;
    int64_t n = 0, until = x->now + p->lock_seconds, got;
    err_t e = q_run(c, forget, NULL, Q_INT(x->now - p->window), Q_INT(x->now - p->notice_seconds));
    if (e == ERR_OK)
        e = q_row_int(c, clients, &n, Q_TEXT(x->login), Q_INT(x->now - p->window));
    if (e != ERR_OK || n < p->attack_clients)
        return e;
    e = q_row_int(c, lock_all, &got, Q_TEXT(x->login), Q_INT(n), Q_INT(x->now), Q_INT(until));
    if (e == ERR_NOT_FOUND)
        return ERR_OK; /* locked already */
    if (e == ERR_OK)
        e = q_run(c, show_lock, NULL, Q_INT(until), Q_TEXT(x->login));
    x->attack = (int)n;
    return e;
}

err_t store_login_failed(store_t *s, const char *login, int64_t now, const store_login_policy *p,
                         int *attack)
{
    failed_ctx x = {login, now, p, 0};
    err_t e = q_tx(s, failed_tx, &x);
    *attack = e == ERR_OK ? x.attack : 0;
    return e;
}

static const q_field ATTACK_F[] = {
    QF(TEXT, store_login_attack, login),         QF(TEXT, store_login_attack, name),
    QF(INT, store_login_attack, clients),        QF(INT64, store_login_attack, locked_at),
    QF(INT64, store_login_attack, locked_until),
};

err_t store_login_attacks(store_t *s, arena_t *ar, int64_t since, store_login_attack **out,
                          size_t *n)
{
    static const char sql[] = "SELECT g.login, u.name, g.failures, g.first_at, g.locked_until"
                              " FROM login_guard g LEFT JOIN users u ON u.login = g.login"
                              " WHERE g.client = '" ALL_CLIENTS "' AND g.locked_until >= $1"
                              " ORDER BY g.first_at DESC, g.login {COLLATE_C} LIMIT $2";
    return q_list(s, ar, sql, ATTACK_F, out, n, Q_INT(since), Q_INT(STORE_LOGIN_ATTACKS_MAX));
}
