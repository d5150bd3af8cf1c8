/* Legacy helpers of the unconverted pg_X.c files, on the PostgreSQL driver
 * (drv_pg.c owns the pool, reconnection, sessions and the error mapping).
 * Delete this file when the last pg_X.c is converted, with pg_ops and
 * pg_int.h's helper prototypes. */
#include "store/pg_int.h"

#include "core/log.h"
#include "store/drv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const store_ops pg_ops = {
#define X(name, params, args) .name = pg_##name,
    STORE_FUNCS(X)
#undef X
};

/* The bridges between a q_conn and the connection it wraps. */
q_conn *pq_q(store_t *s, pconn_t *c)
{
    (void)s;
    return c->q;
}

pconn_t *pq_of(q_conn *c) { return c->d; }

pconn_t *pq_get(store_t *s)
{
    q_conn *c = NULL;
    return q_get(s, &c) == ERR_OK ? pq_of(c) : NULL;
}

void pq_put(store_t *s, pconn_t *c)
{
    (void)s;
    if (c)
        q_put(c->q);
}

err_t pq_begin(pconn_t *c) { return drv_pg.begin(c->q); }
err_t pq_commit(pconn_t *c) { return drv_pg.commit(c->q); }
void pq_rollback(pconn_t *c)
{
    if (c)
        drv_pg.rollback(c->q);
}

/* ---- parameters and results ------------------------------------------------ */

void pp_text(pq_params *p, const char *v) { p->v[p->n++] = v; }
void pp_null(pq_params *p) { p->v[p->n++] = NULL; }
void pp_int(pq_params *p, int64_t v)
{
    snprintf(p->buf[p->n], sizeof p->buf[0], "%lld", (long long)v);
    p->v[p->n] = p->buf[p->n];
    p->n++;
}
void pp_id(pq_params *p, int64_t v)
{
    if (v)
        pp_int(p, v);
    else
        pp_null(p);
}
void pp_real(pq_params *p, double v)
{
    snprintf(p->buf[p->n], sizeof p->buf[0], "%.17g", v);
    p->v[p->n] = p->buf[p->n];
    p->n++;
}
void pp_bool(pq_params *p, bool v) { p->v[p->n++] = v ? "true" : "false"; }

const char *pq_text(arena_t *ar, PGresult *r, int row, int col)
{
    if (PQgetisnull(r, row, col))
        return NULL;
    return arena_strndup(ar, PQgetvalue(r, row, col), (size_t)PQgetlength(r, row, col));
}
int64_t pq_int(PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? 0 : strtoll(PQgetvalue(r, row, col), NULL, 10);
}
double pq_real(PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? 0 : strtod(PQgetvalue(r, row, col), NULL);
}
bool pq_bool(PGresult *r, int row, int col)
{
    return !PQgetisnull(r, row, col) && PQgetvalue(r, row, col)[0] == 't';
}
bool pq_null(PGresult *r, int row, int col) { return PQgetisnull(r, row, col); }

int64_t pq_affected(PGresult *res) { return strtoll(PQcmdTuples(res), NULL, 10); }

void *pq_alloc_rows(arena_t *ar, size_t elem, int rows)
{
    return arena_alloc(ar, elem * (size_t)(rows > 0 ? rows : 1));
}

/* ---- running statements ------------------------------------------------------ */

static bool is_prepared(pconn_t *c, const char *sql)
{
    for (int i = 0; i < c->nprepared; i++)
        if (c->prepared[i] == sql)
            return true;
    return false;
}

static err_t run_once(pconn_t *c, const char *sql, const pq_params *p, PGresult **out,
                      const char *what)
{
    char name[32];
    snprintf(name, sizeof name, "q%p", (const void *)sql);
    if (!is_prepared(c, sql)) {
        if (c->nprepared >= PCONN_STMT_MAX) {
            log_error("store", "event=stmt_cache_full");
            return ERR_INTERNAL;
        }
        PGresult *pr = PQprepare(c->pg, name, sql, 0, NULL);
        err_t e = PQresultStatus(pr) == PGRES_COMMAND_OK ? ERR_OK : pq_err(c, pr, what);
        PQclear(pr);
        if (e != ERR_OK)
            return e;
        c->prepared[c->nprepared++] = sql;
    }
    PGresult *res = PQexecPrepared(c->pg, name, p ? p->n : 0, p ? p->v : NULL, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
        err_t e = pq_err(c, res, what);
        PQclear(res);
        return e;
    }
    if (out)
        *out = res;
    else
        PQclear(res);
    return ERR_OK;
}

err_t pq_run(pconn_t *c, const char *sql, const pq_params *p, PGresult **out, const char *what)
{
    if (out)
        *out = NULL;
    err_t e = run_once(c, sql, p, out, what);
    /* The server restarted since this connection was last used: nothing of
     * this borrow has run yet, so reconnect and try once more. */
    if (e == ERR_UNAVAILABLE && c->commands == 0 && PQstatus(c->pg) != CONNECTION_OK &&
        pq_reconnect(c))
        e = run_once(c, sql, p, out, what);
    if (e == ERR_OK)
        c->commands++;
    return e;
}

/* Runs sql once, unprepared: planned with the parameters' values. */
static err_t run_unprepared(pconn_t *c, const char *sql, const pq_params *p, PGresult **out,
                            const char *what)
{
    PGresult *res = PQexecParams(c->pg, sql, p ? p->n : 0, NULL, p ? p->v : NULL, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
        err_t e = pq_err(c, res, what);
        PQclear(res);
        return e;
    }
    *out = res;
    c->commands++;
    return ERR_OK;
}

err_t pq_list_unprepared(store_t *s, arena_t *ar, const char *sql, const pq_params *p, size_t elem,
                         pq_reader read, void **out, size_t *n, const char *what)
{
    PGresult *r = NULL;
    *out = NULL;
    *n = 0;
    pconn_t *c = pq_get(s);
    if (!c)
        return ERR_UNAVAILABLE;
    err_t e = run_unprepared(c, sql, p, &r, what);
    pq_put(s, c);
    if (e != ERR_OK)
        return e;
    int rows = PQntuples(r);
    char *arr = pq_alloc_rows(ar, elem, rows);
    for (int i = 0; arr && i < rows; i++)
        read(ar, r, i, arr + elem * (size_t)i);
    PQclear(r);
    if (!arr)
        return ERR_NOMEM;
    *out = arr;
    *n = (size_t)rows;
    return ERR_OK;
}

err_t pq_list(store_t *s, arena_t *ar, const char *sql, const pq_params *p, size_t elem,
              pq_reader read, void **out, size_t *n, const char *what)
{
    PGresult *r = NULL;
    *out = NULL;
    *n = 0;
    pconn_t *c = pq_get(s);
    if (!c)
        return ERR_UNAVAILABLE;
    err_t e = pq_run(c, sql, p, &r, what);
    pq_put(s, c);
    if (e != ERR_OK)
        return e;
    int rows = PQntuples(r);
    char *arr = pq_alloc_rows(ar, elem, rows);
    for (int i = 0; arr && i < rows; i++)
        read(ar, r, i, arr + elem * (size_t)i);
    PQclear(r);
    if (!arr)
        return ERR_NOMEM;
    *out = arr;
    *n = (size_t)rows;
    return ERR_OK;
}
