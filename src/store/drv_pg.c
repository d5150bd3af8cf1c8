/* The PostgreSQL driver (see drv.h). For now it runs on the pool of
 * store/pg.c (pconn_t: reconnection, the list of statements prepared on
 * the server, the count of commands of a borrow); the pool moves here once
 * every domain is written on q.h.
 *
 * A cached statement is prepared on the server at its first run on a
 * connection, with the parameter types of the binds (so the SQL needs no
 * ::casts), and again after a reconnection. A dynamic one runs unnamed
 * (PQexecParams): the server plans it with the values. Results are read
 * whole (PQexec*), then walked row by row. */
#include "store/drv.h"

#include "core/log.h"
#include "store/pg_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Type OIDs of the binds (pg_type.h, stable across releases). */
enum { OID_BOOL = 16, OID_INT8 = 20, OID_TEXT = 25, OID_FLOAT8 = 701 };

/* Digits of an int64 or a %.17g double, with the sign and NUL. */
#define NUM_MAX 32

typedef struct {
    char name[24]; /* of the server's prepared statement: "q" + key */
    bool typed;    /* types holds the types of the first run */
    PGresult *res; /* of the current run */
    int row, rows;
    const char **vals; /* per parameter, rebuilt at each run */
    int *lens, *fmts;
    Oid *types;
    char (*num)[NUM_MAX];
    char text[]; /* the expanded SQL */
} pg_stmt;

static pconn_t *conn(q_conn *c) { return c->d; }

q_conn *pq_q(store_t *s, pconn_t *c)
{
    if (!c->q)
        c->q = q_conn_new(s, &drv_pg, c);
    return c->q;
}

pconn_t *pq_of(q_conn *c) { return c->d; }

static err_t get(store_t *s, q_conn **out)
{
    pconn_t *c = pq_get(s);
    if (!c)
        return ERR_UNAVAILABLE;
    if (!(*out = pq_q(s, c))) {
        pq_put(s, c);
        return ERR_NOMEM;
    }
    return ERR_OK;
}

static void put(q_conn *c) { pq_put(c->s, conn(c)); }
static err_t begin(q_conn *c) { return pq_begin(conn(c)); }
static err_t commit(q_conn *c) { return pq_commit(conn(c)); }
static void rollback(q_conn *c) { pq_rollback(conn(c)); }

static err_t prepare(q_stmt *st, const char *text)
{
    size_t np = (size_t)st->nparams, len = strlen(text);
    pg_stmt *h = calloc(1, sizeof *h + len + 1);
    if (!h)
        return ERR_NOMEM;
    memcpy(h->text, text, len + 1);
    snprintf(h->name, sizeof h->name, "q%p", (const void *)st->key);
    if (np) {
        h->vals = calloc(np, sizeof *h->vals);
        h->lens = calloc(np, sizeof *h->lens);
        h->fmts = calloc(np, sizeof *h->fmts);
        h->types = calloc(np, sizeof *h->types);
        h->num = calloc(np, sizeof *h->num);
    }
    st->d = h;
    if (np && (!h->vals || !h->lens || !h->fmts || !h->types || !h->num))
        return ERR_NOMEM; /* q.c frees st, finalize frees h: see stmt_new */
    return ERR_OK;
}

static void finalize(q_stmt *st)
{
    pg_stmt *h = st->d;
    if (!h)
        return;
    PQclear(h->res);
    free(h->vals);
    free(h->lens);
    free(h->fmts);
    free(h->types);
    free(h->num);
    free(h);
}

static void reset(q_stmt *st)
{
    pg_stmt *h = st->d;
    PQclear(h->res);
    h->res = NULL;
    h->row = h->rows = 0;
}

/* The parameters of this run in libpq's arrays; ERR_INTERNAL when a type
 * differs from the statement's first run (it is prepared with those). */
static err_t params(q_stmt *st, pg_stmt *h)
{
    for (int i = 0; i < st->nparams; i++) {
        const q_val *v = &st->v[i];
        static const Oid oid[] = {[QT_INT] = OID_INT8,
                                  [QT_REAL] = OID_FLOAT8,
                                  [QT_TEXT] = OID_TEXT,
                                  [QT_BOOL] = OID_BOOL};
        if (h->typed && h->types[i] != oid[v->t]) {
            char label[96];
            log_error("store", "event=q_misuse what=param_type_changed n=%d sql=%s", i + 1,
                      q_label(st, label, sizeof label));
            return ERR_INTERNAL;
        }
        h->types[i] = oid[v->t];
        h->fmts[i] = h->lens[i] = 0;
        h->vals[i] = h->num[i];
        if (v->null)
            h->vals[i] = NULL;
        else if (v->t == QT_INT)
            snprintf(h->num[i], NUM_MAX, "%lld", (long long)v->i);
        else if (v->t == QT_REAL)
            snprintf(h->num[i], NUM_MAX, "%.17g", v->d);
        else if (v->t == QT_BOOL)
            h->vals[i] = v->i ? "t" : "f";
        else
            h->vals[i] = v->s;
        /* Sized text goes as the binary form of text: its bytes, as is. */
        if (!v->null && v->t == QT_TEXT && v->sized) {
            h->fmts[i] = 1;
            h->lens[i] = (int)v->n;
        }
    }
    h->typed = true;
    return ERR_OK;
}

static bool is_prepared(pconn_t *c, const char *key)
{
    for (int i = 0; i < c->nprepared; i++)
        if (c->prepared[i] == key)
            return true;
    return false;
}

/* Rows inserted, updated or deleted by the command of res. */
static int64_t changes(PGresult *res)
{
    const char *n = PQcmdTuples(res);
    return strncmp(PQcmdStatus(res), "SELECT", 6) == 0 || !*n ? 0 : strtoll(n, NULL, 10);
}

static err_t run_once(q_stmt *st, pg_stmt *h, pconn_t *c)
{
    char label[96];
    PGresult *res;
    int n = st->nparams;
    /* A full list of prepared statements (legacy and q.c share it) runs
     * the statement unnamed rather than failing it. */
    bool named = st->key && (is_prepared(c, st->key) || c->nprepared < PCONN_STMT_MAX);
    if (named && !is_prepared(c, st->key)) {
        res = PQprepare(c->pg, h->name, h->text, n, h->types);
        err_t e = PQresultStatus(res) == PGRES_COMMAND_OK
                      ? ERR_OK
                      : pq_err(c, res, q_label(st, label, sizeof label));
        PQclear(res);
        if (e != ERR_OK)
            return e;
        c->prepared[c->nprepared++] = st->key;
    }
    if (named)
        res = PQexecPrepared(c->pg, h->name, n, h->vals, h->lens, h->fmts, 0);
    else
        res = PQexecParams(c->pg, h->text, n, h->types, h->vals, h->lens, h->fmts, 0);
    ExecStatusType s = PQresultStatus(res);
    if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK) {
        err_t e = pq_err(c, res, q_label(st, label, sizeof label));
        PQclear(res);
        return e;
    }
    h->res = res;
    h->row = 0;
    h->rows = PQntuples(res);
    st->changes = changes(res);
    return ERR_OK;
}

static err_t run(q_stmt *st)
{
    pg_stmt *h = st->d;
    pconn_t *c = conn(st->c);
    err_t e = params(st, h);
    if (e != ERR_OK)
        return e;
    e = run_once(st, h, c);
    /* The server went away since this connection was last used: nothing
     * of this borrow has run yet, so reconnect and try once more (as
     * pg.c's pq_run). Its prepared statements went with the session. */
    if (e == ERR_UNAVAILABLE && c->commands == 0 && PQstatus(c->pg) != CONNECTION_OK) {
        PQreset(c->pg);
        c->nprepared = 0;
        if (PQstatus(c->pg) == CONNECTION_OK) {
            log_info("store", "event=pg_reconnected");
            e = run_once(st, h, c);
        }
    }
    if (e != ERR_OK)
        return e;
    c->commands++;
    return h->rows > 0 ? ERR_OK : ERR_NOT_FOUND;
}

static err_t next(q_stmt *st)
{
    pg_stmt *h = st->d;
    return ++h->row < h->rows ? ERR_OK : ERR_NOT_FOUND;
}

static const char *value(q_stmt *st, int i)
{
    pg_stmt *h = st->d;
    return PQgetisnull(h->res, h->row, i) ? NULL : PQgetvalue(h->res, h->row, i);
}

static int ncols(q_stmt *st) { return PQnfields(((pg_stmt *)st->d)->res); }
static bool col_null(q_stmt *st, int i) { return value(st, i) == NULL; }

/* A boolean column reads 1/0, as SQLite's INTEGER flags do. */
static int64_t col_int(q_stmt *st, int i)
{
    const char *v = value(st, i);
    return !v ? 0 : v[0] == 't' ? 1 : strtoll(v, NULL, 10);
}

static double col_real(q_stmt *st, int i)
{
    const char *v = value(st, i);
    return v ? strtod(v, NULL) : 0;
}

static bool col_bool(q_stmt *st, int i) { return col_int(st, i) != 0; }

static const char *col_text(q_stmt *st, int i, size_t *len)
{
    pg_stmt *h = st->d;
    const char *v = value(st, i);
    *len = v ? (size_t)PQgetlength(h->res, h->row, i) : 0;
    return v;
}

const q_driver drv_pg = Q_DRIVER_TABLE("postgres", Q_PG, '$');
