/* Internal to the PostgreSQL store: the connection pool and helpers shared
 * by store/pg.c, store/pg_ref.c and store/pg_cases.c. */
#ifndef ADUAN_PG_INT_H
#define ADUAN_PG_INT_H

#include "store/store_ops.h"

#include <libpq-fe.h>

/* Prepared statements per connection; one per distinct query. */
#define PCONN_STMT_MAX 256
/* Parameters of one statement. */
#define PQ_PARAMS_MAX 24

typedef struct {
    PGconn *pg;
    struct q_conn *q; /* the executor's state (store/q.c), from the first q_get */
    const char *prepared[PCONN_STMT_MAX]; /* SQL strings prepared on pg */
    int nprepared;
    int commands;  /* commands sent since borrowed: a broken link is
                    * retried only before the first one succeeded */
    bool sync_off; /* this session runs SET synchronous_commit = off */
} pconn_t;

#define X(name, params, args) err_t pg_##name params;
STORE_FUNCS(X)
#undef X

/* Borrows a healthy connection (reconnecting if the server went away);
 * NULL when the database cannot be reached. */
pconn_t *pq_get(store_t *s);
void pq_put(store_t *s, pconn_t *c);
/* The driver's (drv_pg.c): reconnects c and starts its session again
 * (nothing prepared); false when the server is still out of reach. */
bool pq_reconnect(pconn_t *c);

/* Until the pools move into the drivers (drv_pg.c): see sq_q, sq_of. */
struct q_conn *pq_q(store_t *s, pconn_t *c);
pconn_t *pq_of(struct q_conn *c);

typedef struct {
    const char *v[PQ_PARAMS_MAX];
    char buf[PQ_PARAMS_MAX][32];
    int n;
} pq_params;

void pp_text(pq_params *p, const char *s); /* NULL stays NULL */
void pp_int(pq_params *p, int64_t v);
void pp_id(pq_params *p, int64_t v); /* 0 is NULL */
void pp_real(pq_params *p, double v);
void pp_bool(pq_params *p, bool v);
void pp_null(pq_params *p);

/* Runs sql (a static string: it is prepared once per connection) with the
 * parameters. *out (when out is not NULL) gets the result, which the
 * caller PQclear()s; ERR_NOT_FOUND is never returned here. */
err_t pq_run(pconn_t *c, const char *sql, const pq_params *p, PGresult **out, const char *what);
/* Translates a failed result (res may be NULL), logging the message. */
err_t pq_err(pconn_t *c, PGresult *res, const char *what);
/* Rows affected by the last command of res. */
int64_t pq_affected(PGresult *res);

err_t pq_begin(pconn_t *c);
err_t pq_commit(pconn_t *c);
void pq_rollback(pconn_t *c);

/* Column readers: text copied into the arena (NULL for SQL NULL). */
const char *pq_text(arena_t *ar, PGresult *r, int row, int col);
int64_t pq_int(PGresult *r, int row, int col);
double pq_real(PGresult *r, int row, int col);
bool pq_bool(PGresult *r, int row, int col);
bool pq_null(PGresult *r, int row, int col);

/* The same for pg_wa.c: see sq_put_reporter, sq_insert_case. */
err_t pq_put_reporter(pconn_t *c, const store_reporter_in *rep, int64_t now, int64_t *id);
err_t pq_insert_case(pconn_t *c, arena_t *ar, store_case *k, const char *note, int64_t *event_id);

/* Inside a transaction (wa.c): see sq_wa_queue_status. */
err_t pq_wa_queue_status(pconn_t *c, int64_t case_id, int64_t event_id, int64_t now);

/* Inside a transaction (pg_dispatch.c): see sq_dispatch_queue_followers. */
err_t pq_dispatch_queue_followers(pconn_t *c, int64_t case_id, int64_t event_id, int64_t now);

/* Reads row i of a result into one element of a list. */
typedef void (*pq_reader)(arena_t *ar, PGresult *r, int i, void *elem);
/* Runs sql on a borrowed connection and reads every row with read into an
 * arena array of elem-sized items (*out, *n). */
err_t pq_list(store_t *s, arena_t *ar, const char *sql, const pq_params *p, size_t elem,
              pq_reader read, void **out, size_t *n, const char *what);

/* As pq_list for a query built at run time (not prepared: each run is
 * planned with its own values). */
err_t pq_list_unprepared(store_t *s, arena_t *ar, const char *sql, const pq_params *p, size_t elem,
                         pq_reader read, void **out, size_t *n, const char *what);

/* Grows an arena array (see sq_grow). */
void *pq_alloc_rows(arena_t *ar, size_t elem, int rows);

#endif
