/* Login throttling in SQLite (store.h, issue #13). The statements are the
 * PostgreSQL ones of pg_login.c with ?N for $N. */
#include "store/sqlite_int.h"

/* The account-wide row of a login (a client key never looks like it). */
#define ALL_CLIENTS "*"

static const char global_lock[] = "SELECT locked_until FROM login_guard"
                                  " WHERE login = ?1 AND client = '" ALL_CLIENTS "'"
                                  " AND locked_until > ?2";

/* One statement counts the attempt or, for a locked pair, leaves it be;
 * two attempts at once cannot both see the same count. A lock that ran
 * out, or failures older than the window, start the count again. */
static const char count_attempt[] =
    "INSERT INTO login_guard (login, client, failures, first_at, last_at, locked_until)"
    " VALUES (?1, ?2, 1, ?3, ?3, 0)"
    " ON CONFLICT (login, client) DO UPDATE SET"
    " failures = CASE WHEN login_guard.locked_until > ?3 THEN login_guard.failures"
    "  WHEN login_guard.locked_until > 0 OR login_guard.last_at < ?4 THEN 1"
    "  ELSE login_guard.failures + 1 END,"
    " first_at = CASE WHEN login_guard.locked_until > ?3 THEN login_guard.first_at"
    "  WHEN login_guard.locked_until > 0 OR login_guard.last_at < ?4 THEN ?3"
    "  ELSE login_guard.first_at END,"
    " locked_until = CASE WHEN login_guard.locked_until > ?3 THEN login_guard.locked_until"
    "  WHEN login_guard.locked_until = 0 AND login_guard.last_at >= ?4"
    "   AND login_guard.failures >= ?5 THEN ?6"
    "  ELSE 0 END,"
    " last_at = CASE WHEN login_guard.locked_until > ?3 THEN login_guard.last_at ELSE ?3 END"
    " RETURNING locked_until";

err_t sq_login_begin(store_t *s, const char *login, const char *client, int64_t now,
                     const store_login_policy *p, int64_t *locked_until, bool *global)
{
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    *locked_until = 0;
    *global = false;
    SQ_PREP(c, st, global_lock);
    sq_bind_text(st, 1, login);
    sqlite3_bind_int64(st, 2, now);
    e = sq_step_row(c, st, "login_global");
    if (e == ERR_OK) {
        *locked_until = sq_int(st, 0);
        *global = true;
    }
    sqlite3_reset(st);
    if (e != ERR_NOT_FOUND)
        goto out;
    SQ_PREP(c, st, count_attempt);
    sq_bind_text(st, 1, login);
    sq_bind_text(st, 2, client);
    sqlite3_bind_int64(st, 3, now);
    sqlite3_bind_int64(st, 4, now - p->window);
    sqlite3_bind_int(st, 5, p->max_failures);
    sqlite3_bind_int64(st, 6, now + p->lock_seconds);
    e = sq_step_row(c, st, "login_count");
    if (e == ERR_OK)
        *locked_until = sq_int(st, 0);
    else if (e == ERR_NOT_FOUND)
        e = ERR_DB; /* RETURNING gives a row on insert and on update */
    sqlite3_reset(st);
out:
    sq_put(s, c);
    return e;
}

/* Forgets what no longer matters: rows quiet for the window (pairs, and
 * the clients counted for an attack) whose lock, if any, ended before
 * keep_since (a day ago: the superadmin's notice). Runs with every
 * success and failure, on the last_at index. */
static const char forget[] = "DELETE FROM login_guard WHERE last_at < ?1 AND locked_until < ?2";

err_t sq_login_ok(store_t *s, const char *login, const char *client, int64_t now,
                  const store_login_policy *p)
{
    static const char sql[] = "DELETE FROM login_guard WHERE login = ?1 AND client = ?2";
    err_t e = SQ_WRITE(s, sql, "login_ok", false, SQ_TEXT(login), SQ_TEXT(client));
    if (e == ERR_OK)
        e = SQ_WRITE(s, forget, "login_forget", false, SQ_INT(now - p->window),
                     SQ_INT(now - p->notice_seconds));
    return e;
}

static const char clients[] = "SELECT count(*) FROM login_guard"
                              " WHERE login = ?1 AND client <> '" ALL_CLIENTS "' AND last_at >= ?2";
/* Sets the account-wide lock unless one is running: only the call that
 * sets it gets a row back, so one instance announces it. */
static const char lock_all[] =
    "INSERT INTO login_guard (login, client, failures, first_at, last_at, locked_until)"
    " VALUES (?1, '" ALL_CLIENTS "', ?2, ?3, ?3, ?4)"
    " ON CONFLICT (login, client) DO UPDATE SET failures = excluded.failures,"
    " first_at = excluded.first_at, last_at = excluded.last_at,"
    " locked_until = excluded.locked_until"
    " WHERE login_guard.locked_until <= ?3"
    " RETURNING locked_until";
static const char show_lock[] = "UPDATE users SET locked_until = ?1 WHERE login = ?2";

err_t sq_login_failed(store_t *s, const char *login, int64_t now, const store_login_policy *p,
                      int *attack)
{
    conn_t *c = sq_get(s);
    sqlite3_stmt *st;
    int64_t n = 0;
    *attack = 0;
    err_t e = sq_begin(c);
    if (e != ERR_OK)
        goto out;
    SQ_PREP(c, st, forget);
    sqlite3_bind_int64(st, 1, now - p->window);
    sqlite3_bind_int64(st, 2, now - p->notice_seconds);
    e = sq_exec_stmt(c, st, "login_forget");
    if (e != ERR_OK)
        goto out;
    SQ_PREP(c, st, clients);
    sq_bind_text(st, 1, login);
    sqlite3_bind_int64(st, 2, now - p->window);
    e = sq_step_row(c, st, "login_clients");
    if (e == ERR_OK)
        n = sq_int(st, 0);
    sqlite3_reset(st);
    if (e != ERR_OK)
        goto out;
    if (n >= p->attack_clients) {
        SQ_PREP(c, st, lock_all);
        sq_bind_text(st, 1, login);
        sqlite3_bind_int64(st, 2, n);
        sqlite3_bind_int64(st, 3, now);
        sqlite3_bind_int64(st, 4, now + p->lock_seconds);
        e = sq_step_row(c, st, "login_lock_all");
        sqlite3_reset(st);
        if (e == ERR_OK) {
            *attack = (int)n;
            SQ_PREP(c, st, show_lock);
            sqlite3_bind_int64(st, 1, now + p->lock_seconds);
            sq_bind_text(st, 2, login);
            e = sq_exec_stmt(c, st, "login_show_lock");
        } else if (e == ERR_NOT_FOUND) {
            e = ERR_OK; /* locked already */
        }
    }
    if (e == ERR_OK)
        e = sq_commit(c);
out:
    sq_rollback(c);
    sq_put(s, c);
    return e;
}

static void read_attack(arena_t *ar, sqlite3_stmt *st, void *elem)
{
    store_login_attack *a = elem;
    a->login = sq_text(ar, st, 0);
    a->name = sq_text(ar, st, 1);
    a->clients = (int)sq_int(st, 2);
    a->locked_at = sq_int(st, 3);
    a->locked_until = sq_int(st, 4);
}

err_t sq_login_attacks(store_t *s, arena_t *ar, int64_t since, store_login_attack **out, size_t *n)
{
    static const char sql[] = "SELECT g.login, u.name, g.failures, g.first_at, g.locked_until"
                              " FROM login_guard g LEFT JOIN users u ON u.login = g.login"
                              " WHERE g.client = '" ALL_CLIENTS "' AND g.locked_until >= ?1"
                              " ORDER BY g.first_at DESC, g.login LIMIT ?2";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    *out = NULL;
    *n = 0;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, since);
    sqlite3_bind_int(st, 2, STORE_LOGIN_ATTACKS_MAX);
    e = sq_collect(c, st, ar, sizeof **out, read_attack, (void **)out, n, "login_attacks");
out:
    sq_put(s, c);
    return e;
}
