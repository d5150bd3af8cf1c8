/* Legacy helpers of the unconverted sqlite_X.c files, on the SQLite driver
 * (drv_sqlite.c owns the pool, the write lock and the error mapping).
 * Delete this file when the last sqlite_X.c is converted, with sq_ops and
 * sqlite_int.h's helper prototypes. */
#include "store/sqlite_int.h"

#include "core/log.h"
#include "store/drv.h"

#include <string.h>

const store_ops sq_ops = {
#define X(name, params, args) .name = sq_##name,
    STORE_FUNCS(X)
#undef X
};

/* The bridges between a q_conn and the connection it wraps. */
q_conn *sq_q(store_t *s, conn_t *c)
{
    (void)s;
    return c->q;
}

conn_t *sq_of(q_conn *c) { return c->d; }

conn_t *sq_get(store_t *s)
{
    q_conn *c = NULL;
    return q_get(s, &c) == ERR_OK ? sq_of(c) : NULL; /* SQLite's pool does not fail */
}

void sq_put(store_t *s, conn_t *c)
{
    (void)s;
    if (c)
        q_put(c->q);
}

err_t sq_begin(conn_t *c) { return drv_sqlite.begin(c->q); }
err_t sq_commit(conn_t *c) { return drv_sqlite.commit(c->q); }
void sq_rollback(conn_t *c) { drv_sqlite.rollback(c->q); }

sqlite3_stmt *sq_prep(conn_t *c, const char *sql)
{
    for (int i = 0; i < c->ncache; i++) {
        if (c->cache[i].sql == sql) {
            sqlite3_stmt *st = c->cache[i].st;
            sqlite3_reset(st);
            sqlite3_clear_bindings(st);
            return st;
        }
    }
    sqlite3_stmt *st = NULL;
    if (c->ncache >= CONN_STMT_MAX) {
        log_error("store", "event=stmt_cache_full");
        return NULL;
    }
    if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
        log_error("store", "event=prepare_failed msg=\"%s\"", sqlite3_errmsg(c->db));
        return NULL;
    }
    c->cache[c->ncache].sql = sql;
    c->cache[c->ncache++].st = st;
    return st;
}

void sq_bind_text(sqlite3_stmt *st, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

void sq_bind_id(sqlite3_stmt *st, int i, int64_t v)
{
    if (v)
        sqlite3_bind_int64(st, i, v);
    else
        sqlite3_bind_null(st, i);
}

const char *sq_text(arena_t *ar, sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    if (!t)
        return NULL;
    return arena_strndup(ar, (const char *)t, (size_t)sqlite3_column_bytes(st, i));
}

int64_t sq_int(sqlite3_stmt *st, int i) { return sqlite3_column_int64(st, i); }

/* A statement that writes outside sq_begin takes the process's write lock
 * first, and keeps it until the connection goes back to the pool (as the
 * driver's own statements do). */
static void lock_if_writes(conn_t *c, sqlite3_stmt *st)
{
    if (!c->writing && !sqlite3_stmt_readonly(st))
        sq_write_lock(c);
}

err_t sq_exec_stmt(conn_t *c, sqlite3_stmt *st, const char *what)
{
    lock_if_writes(c, st);
    int rc = sqlite3_step(st);
    err_t e = rc == SQLITE_DONE ? ERR_OK : sq_err(c, sqlite3_extended_errcode(c->db), what);
    sqlite3_reset(st);
    return e;
}

err_t sq_write(store_t *s, const char *sql, const char *what, bool must_change, const sq_val *v,
               size_t n)
{
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    SQ_PREP(c, st, sql);
    for (size_t i = 0; i < n; i++) {
        int k = (int)i + 1;
        if (v[i].kind == SQV_TEXT)
            sq_bind_text(st, k, v[i].t);
        else if (v[i].kind == SQV_ID)
            sq_bind_id(st, k, v[i].i);
        else
            sqlite3_bind_int64(st, k, v[i].i);
    }
    e = sq_exec_stmt(c, st, what);
    if (e == ERR_OK && must_change && sqlite3_changes(c->db) == 0)
        e = ERR_NOT_FOUND;
out:
    sq_put(s, c);
    return e;
}

err_t sq_step_row(conn_t *c, sqlite3_stmt *st, const char *what)
{
    lock_if_writes(c, st);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        return ERR_OK;
    if (rc == SQLITE_DONE)
        return ERR_NOT_FOUND;
    return sq_err(c, sqlite3_extended_errcode(c->db), what);
}

void *sq_grow(arena_t *ar, void *arr, size_t elem, size_t n, size_t *cap)
{
    if (n < *cap)
        return arr;
    size_t ncap = *cap ? *cap * 2 : 16;
    void *p = arena_alloc(ar, ncap * elem);
    if (!p)
        return NULL;
    if (arr)
        memcpy(p, arr, n * elem);
    *cap = ncap;
    return p;
}

err_t sq_collect(conn_t *c, sqlite3_stmt *st, arena_t *ar, size_t elem, sq_reader read, void **out,
                 size_t *n, const char *what)
{
    void *arr = NULL;
    size_t cnt = 0, cap = 0;
    err_t e;
    while ((e = sq_step_row(c, st, what)) == ERR_OK) {
        if (!(arr = sq_grow(ar, arr, elem, cnt, &cap))) {
            e = ERR_NOMEM;
            break;
        }
        read(ar, st, (char *)arr + elem * cnt++);
    }
    sqlite3_reset(st);
    *out = arr;
    *n = cnt;
    return e == ERR_NOT_FOUND ? ERR_OK : e;
}
