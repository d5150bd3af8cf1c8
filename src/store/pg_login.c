/* Login throttling in PostgreSQL (store.h, issue #13). The statements are
 * the SQLite ones of sqlite_login.c with $N for ?N. Every instance counts
 * in the same rows, so the limits hold across instances. */
#include "store/pg_int.h"

/* The account-wide row of a login (a client key never looks like it). */
#define ALL_CLIENTS "*"

static const char global_lock[] = "SELECT locked_until FROM login_guard"
                                  " WHERE login = $1 AND client = '" ALL_CLIENTS "'"
                                  " AND locked_until > $2";

/* See sqlite_login.c: one statement counts the attempt. INSERT ... ON
 * CONFLICT DO UPDATE takes the row's lock, so concurrent attempts (from
 * any instance) count one after the other. */
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

err_t pg_login_begin(store_t *s, const char *login, const char *client, int64_t now,
                     const store_login_policy *p, int64_t *locked_until, bool *global)
{
    pconn_t *c = pq_get(s);
    PGresult *r = NULL;
    pq_params g = {0}, q = {0};
    *locked_until = 0;
    *global = false;
    if (!c)
        return ERR_UNAVAILABLE;
    pp_text(&g, login);
    pp_int(&g, now);
    err_t e = pq_run(c, global_lock, &g, &r, "login_global");
    if (e == ERR_OK && PQntuples(r) > 0) {
        *locked_until = pq_int(r, 0, 0);
        *global = true;
    }
    PQclear(r);
    r = NULL;
    if (e == ERR_OK && !*global) {
        pp_text(&q, login);
        pp_text(&q, client);
        pp_int(&q, now);
        pp_int(&q, now - p->window);
        pp_int(&q, p->max_failures);
        pp_int(&q, now + p->lock_seconds);
        e = pq_run(c, count_attempt, &q, &r, "login_count");
        if (e == ERR_OK && PQntuples(r) == 1)
            *locked_until = pq_int(r, 0, 0);
        else if (e == ERR_OK)
            e = ERR_DB; /* RETURNING gives a row on insert and on update */
        PQclear(r);
    }
    pq_put(s, c);
    return e;
}

/* Forgets what no longer matters: rows quiet for the window (pairs, and
 * the clients counted for an attack) whose lock, if any, ended before
 * keep_since (a day ago: the superadmin's notice). Runs with every
 * success and failure, on the last_at index. */
static const char forget[] = "DELETE FROM login_guard WHERE last_at < $1 AND locked_until < $2";

err_t pg_login_ok(store_t *s, const char *login, const char *client, int64_t now,
                  const store_login_policy *p)
{
    static const char sql[] = "DELETE FROM login_guard WHERE login = $1 AND client = $2";
    pconn_t *c = pq_get(s);
    pq_params q = {0}, f = {0};
    if (!c)
        return ERR_UNAVAILABLE;
    pp_text(&q, login);
    pp_text(&q, client);
    pp_int(&f, now - p->window);
    pp_int(&f, now - p->notice_seconds);
    err_t e = pq_run(c, sql, &q, NULL, "login_ok");
    if (e == ERR_OK)
        e = pq_run(c, forget, &f, NULL, "login_forget");
    pq_put(s, c);
    return e;
}

static const char clients[] = "SELECT count(*) FROM login_guard"
                              " WHERE login = $1 AND client <> '" ALL_CLIENTS "' AND last_at >= $2";
static const char lock_all[] =
    "INSERT INTO login_guard (login, client, failures, first_at, last_at, locked_until)"
    " VALUES ($1, '" ALL_CLIENTS "', $2, $3, $3, $4)"
    " ON CONFLICT (login, client) DO UPDATE SET failures = excluded.failures,"
    " first_at = excluded.first_at, last_at = excluded.last_at,"
    " locked_until = excluded.locked_until"
    " WHERE login_guard.locked_until <= $3"
    " RETURNING locked_until";
static const char show_lock[] = "UPDATE users SET locked_until = $1 WHERE login = $2";

err_t pg_login_failed(store_t *s, const char *login, int64_t now, const store_login_policy *p,
                      int *attack)
{
    pconn_t *c = pq_get(s);
    PGresult *r = NULL;
    pq_params f = {0}, k = {0}, l = {0}, u = {0};
    int64_t n = 0;
    *attack = 0;
    if (!c)
        return ERR_UNAVAILABLE;
    pp_int(&f, now - p->window);
    pp_int(&f, now - p->notice_seconds);
    pp_text(&k, login);
    pp_int(&k, now - p->window);
    err_t e = pq_begin(c);
    if (e == ERR_OK)
        e = pq_run(c, forget, &f, NULL, "login_forget");
    if (e == ERR_OK)
        e = pq_run(c, clients, &k, &r, "login_clients");
    if (e == ERR_OK)
        n = pq_int(r, 0, 0);
    PQclear(r);
    r = NULL;
    if (e == ERR_OK && n >= p->attack_clients) {
        pp_text(&l, login);
        pp_int(&l, n);
        pp_int(&l, now);
        pp_int(&l, now + p->lock_seconds);
        e = pq_run(c, lock_all, &l, &r, "login_lock_all");
        bool newly = e == ERR_OK && PQntuples(r) > 0;
        PQclear(r);
        if (newly) {
            *attack = (int)n;
            pp_int(&u, now + p->lock_seconds);
            pp_text(&u, login);
            e = pq_run(c, show_lock, &u, NULL, "login_show_lock");
        }
    }
    if (e == ERR_OK)
        e = pq_commit(c);
    pq_rollback(c);
    pq_put(s, c);
    if (e != ERR_OK)
        *attack = 0;
    return e;
}

static void read_attack(arena_t *ar, PGresult *r, int i, void *elem)
{
    store_login_attack *a = elem;
    a->login = pq_text(ar, r, i, 0);
    a->name = pq_text(ar, r, i, 1);
    a->clients = (int)pq_int(r, i, 2);
    a->locked_at = pq_int(r, i, 3);
    a->locked_until = pq_int(r, i, 4);
}

err_t pg_login_attacks(store_t *s, arena_t *ar, int64_t since, store_login_attack **out, size_t *n)
{
    static const char sql[] = "SELECT g.login, u.name, g.failures, g.first_at, g.locked_until"
                              " FROM login_guard g LEFT JOIN users u ON u.login = g.login"
                              " WHERE g.client = '" ALL_CLIENTS "' AND g.locked_until >= $1"
                              " ORDER BY g.first_at DESC, g.login COLLATE \"C\" LIMIT $2";
    pq_params p = {0};
    pp_int(&p, since);
    pp_int(&p, STORE_LOGIN_ATTACKS_MAX);
    return pq_list(s, ar, sql, &p, sizeof **out, read_attack, (void **)out, n, "login_attacks");
}
