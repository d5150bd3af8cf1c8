/* The SQLite driver (see drv.h). For now it runs on the pool of
 * store/sqlite.c (conn_t: its write lock with the committer's preference,
 * busy handler, BEGIN IMMEDIATE); the pool moves here once every domain is
 * written on q.h. Parameters arrive as ?N (q.c rewrote $N): SQLite numbers
 * "$1"-named parameters by first appearance, so "$2 ... $1" would bind
 * backwards. */
#include "store/drv.h"

#include "core/log.h"
#include "store/sqlite_int.h"

#include <string.h>

static conn_t *conn(q_conn *c) { return c->d; }

q_conn *sq_q(store_t *s, conn_t *c)
{
    if (!c->q)
        c->q = q_conn_new(s, &drv_sqlite, c);
    return c->q;
}

conn_t *sq_of(q_conn *c) { return c->d; }

static err_t get(store_t *s, q_conn **out)
{
    conn_t *c = sq_get(s);
    if (!(*out = sq_q(s, c))) {
        sq_put(s, c);
        return ERR_NOMEM;
    }
    return ERR_OK;
}

static void put(q_conn *c) { sq_put(c->s, conn(c)); }
static err_t begin(q_conn *c) { return sq_begin(conn(c)); }
static err_t commit(q_conn *c) { return sq_commit(conn(c)); }
static void rollback(q_conn *c) { sq_rollback(conn(c)); }

/* Maps rc (sqlite.c's mapping), logging the statement. */
static err_t fail(q_stmt *st, int rc)
{
    char label[96];
    return sq_err(conn(st->c), rc, q_label(st, label, sizeof label));
}

/* Cached statements are prepared persistent (kept for the connection's
 * life); a dynamic one is not. One statement per text, and exactly the
 * parameters q.c counted: a stray '?' or ':name' would bind shifted. */
static err_t prepare(q_stmt *st, const char *text)
{
    sqlite3 *db = conn(st->c)->db;
    sqlite3_stmt *p = NULL;
    const char *tail = NULL;
    char label[96];
    unsigned flags = st->key ? SQLITE_PREPARE_PERSISTENT : 0;
    int rc = sqlite3_prepare_v3(db, text, -1, flags, &p, &tail);
    if (rc != SQLITE_OK)
        return fail(st, sqlite3_extended_errcode(db));
    if (!p || tail[strspn(tail, " \t\r\n;")] != '\0' ||
        sqlite3_bind_parameter_count(p) != st->nparams) {
        log_error("store", "event=prepare_refused sql=%s why=\"one statement, $N only\"",
                  q_label(st, label, sizeof label));
        sqlite3_finalize(p);
        return ERR_INTERNAL;
    }
    st->d = p;
    return ERR_OK;
}

static void finalize(q_stmt *st) { sqlite3_finalize(st->d); }
static void reset(q_stmt *st) { sqlite3_reset(st->d); }

static err_t next(q_stmt *st)
{
    sqlite3_stmt *p = st->d;
    int rc = sqlite3_step(p);
    if (rc == SQLITE_ROW)
        return ERR_OK;
    err_t e = ERR_NOT_FOUND;
    if (rc == SQLITE_DONE)
        st->changes = sqlite3_stmt_readonly(p) ? 0 : sqlite3_changes(conn(st->c)->db);
    else
        e = fail(st, rc);
    sqlite3_reset(p); /* ends the read snapshot, releases the write */
    return e;
}

static int bind(sqlite3_stmt *p, int k, const q_val *v)
{
    if (v->null)
        return sqlite3_bind_null(p, k);
    switch (v->t) {
    case QT_INT:
    case QT_BOOL:
        return sqlite3_bind_int64(p, k, v->i);
    case QT_REAL:
        return sqlite3_bind_double(p, k, v->d);
    case QT_TEXT:
        return sqlite3_bind_text64(p, k, v->s, v->sized ? v->n : strlen(v->s), SQLITE_TRANSIENT,
                                   SQLITE_UTF8);
    }
    return SQLITE_MISUSE;
}

static err_t run(q_stmt *st)
{
    sqlite3_stmt *p = st->d;
    conn_t *c = conn(st->c);
    for (int i = 0; i < st->nv; i++) {
        int rc = bind(p, i + 1, &st->v[i]);
        if (rc != SQLITE_OK)
            return fail(st, rc);
    }
    /* A statement that writes outside a transaction takes the process's
     * write lock first and keeps it until the connection goes back to the
     * pool, as sqlite.c's own statements do: otherwise it would race for
     * the database's lock in the busy handler, where nobody goes first. */
    if (!c->writing && !sqlite3_stmt_readonly(p))
        sq_write_lock(c);
    return next(st);
}

static int ncols(q_stmt *st) { return sqlite3_column_count(st->d); }
static bool col_null(q_stmt *st, int i) { return sqlite3_column_type(st->d, i) == SQLITE_NULL; }
static int64_t col_int(q_stmt *st, int i) { return sqlite3_column_int64(st->d, i); }
static double col_real(q_stmt *st, int i) { return sqlite3_column_double(st->d, i); }
static bool col_bool(q_stmt *st, int i) { return sqlite3_column_int64(st->d, i) != 0; }

static const char *col_text(q_stmt *st, int i, size_t *len)
{
    const char *t = (const char *)sqlite3_column_text(st->d, i);
    *len = t ? (size_t)sqlite3_column_bytes(st->d, i) : 0;
    return t;
}

const q_driver drv_sqlite = Q_DRIVER_TABLE("sqlite", Q_SQLITE, '?');
