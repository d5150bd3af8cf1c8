/* The PostgreSQL store: pool, reconnection, helpers, migrations. */
#include "store/pg_int.h"

#include "core/embed.h"
#include "core/log.h"
#include "store/drv.h"
#include "store/migrate_int.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Key of the advisory lock that serialises migrations when several
 * instances start at once ("aduan" in ASCII). */
#define MIGRATION_LOCK 0x616475616eLL

typedef struct {
    store_t base;
    char *conninfo;
    pconn_t *conns;
    unsigned n;
    pconn_t **free;
    unsigned nfree;
    pthread_mutex_t mu;
    pthread_cond_t cv;
} pg_store;

const store_ops pg_ops = {
    .engine = "postgres",
#define X(name, params, args) .name = pg_##name,
    STORE_FUNCS(X)
#undef X
        .close = pg_close,
};

static void quiet_notices(void *arg, const char *message)
{
    (void)arg;
    log_debug("store", "event=pg_notice msg=\"%.200s\"", message);
}

/* This process's name in pg_stat_activity: "aduan/" and 16 random hex
 * digits, the same on each of its connections (pg_claim counts the
 * others). Set once, before any thread connects (pg_open). */
static char app_name[32];

static void name_process(void)
{
    unsigned char r[8];
    if (app_name[0])
        return;
    if (getentropy(r, sizeof r) != 0)
        memset(r, 0, sizeof r);
    snprintf(app_name, sizeof app_name, "aduan/%02x%02x%02x%02x%02x%02x%02x%02x", r[0], r[1], r[2],
             r[3], r[4], r[5], r[6], r[7]);
}

/* A new session: nothing prepared, the server's synchronous_commit, and
 * this process's application_name. */
static void forget_prepared(pconn_t *c)
{
    c->nprepared = 0;
    c->sync_off = false;
    if (!c->pg || PQstatus(c->pg) != CONNECTION_OK)
        return;
    const char *v[1] = {app_name};
    PGresult *r = PQexecParams(c->pg, "SELECT set_config('application_name', $1, false)", 1, NULL,
                               v, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        log_warn("store", "event=pg_application_name_failed");
    PQclear(r);
}

/* synchronous_commit=off returns from COMMIT before the WAL is flushed:
 * a crash of aduan loses nothing (the commit is in the server), a crash
 * of the server or the machine loses the last fraction of a second. Off
 * under STORE_DURABLE_PROCESS and for redoable commits; otherwise the
 * server's own setting, which store_check_durable checked. A flushed
 * commit flushes the WAL up to itself, so every earlier unflushed one
 * becomes durable with it. A failed SET leaves the session as it was;
 * a reset one is back at the server's setting: the safe side either way. */
static void set_sync(const pg_store *s, pconn_t *c)
{
    bool off = s->base.durability == STORE_DURABLE_PROCESS || store_thread_redo();
    if (c->sync_off == off)
        return;
    PGresult *r = PQexec(c->pg, off ? "SET synchronous_commit = off" : "RESET synchronous_commit");
    if (PQresultStatus(r) == PGRES_COMMAND_OK)
        c->sync_off = off;
    else
        log_warn("store", "event=pg_sync_setting_failed off=%d", off);
    PQclear(r);
}

/* (Re)connects c; returns 0 when the connection is usable. */
static int connect_one(pg_store *s, pconn_t *c)
{
    if (c->pg && PQstatus(c->pg) == CONNECTION_OK)
        return 0;
    if (c->pg) {
        log_warn("store", "event=pg_reconnect");
        PQreset(c->pg);
    } else {
        c->pg = PQconnectdb(s->conninfo);
    }
    forget_prepared(c); /* a new session, if any */
    if (!c->pg || PQstatus(c->pg) != CONNECTION_OK) {
        char msg[256];
        snprintf(msg, sizeof msg, "%s", c->pg ? PQerrorMessage(c->pg) : "out of memory");
        msg[strcspn(msg, "\n")] = '\0';
        log_error("store", "event=pg_connect_failed msg=\"%s\"", msg);
        return -1;
    }
    PQsetNoticeProcessor(c->pg, quiet_notices, NULL);
    return 0;
}

pconn_t *pq_get(store_t *base)
{
    pg_store *s = (pg_store *)base;
    pthread_mutex_lock(&s->mu);
    while (s->nfree == 0)
        pthread_cond_wait(&s->cv, &s->mu);
    pconn_t *c = s->free[--s->nfree];
    pthread_mutex_unlock(&s->mu);
    c->commands = 0;
    if (connect_one(s, c) != 0) {
        pq_put(base, c);
        return NULL;
    }
    set_sync(s, c);
    return c;
}

void pq_put(store_t *base, pconn_t *c)
{
    pg_store *s = (pg_store *)base;
    if (!c)
        return;
    if (c->pg && PQtransactionStatus(c->pg) != PQTRANS_IDLE && PQstatus(c->pg) == CONNECTION_OK) {
        log_error("store", "event=open_transaction_returned");
        pq_rollback(c);
    }
    pthread_mutex_lock(&s->mu);
    s->free[s->nfree++] = c;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

err_t pg_open(const char *url, unsigned pool_size, store_t **out)
{
    *out = NULL;
    if (pool_size == 0)
        pool_size = 1;
    name_process();
    pg_store *s = calloc(1, sizeof *s);
    if (!s)
        return ERR_NOMEM;
    s->base.ops = &pg_ops;
    s->base.drv = &drv_pg;
    s->conninfo = strdup(url);
    s->conns = calloc(pool_size, sizeof *s->conns);
    s->free = calloc(pool_size, sizeof *s->free);
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    s->n = pool_size;
    if (!s->conninfo || !s->conns || !s->free) {
        pg_close(&s->base);
        return ERR_NOMEM;
    }
    for (unsigned i = 0; i < pool_size; i++)
        s->free[s->nfree++] = &s->conns[i];
    /* Connect one now so a wrong URL is reported at start-up; the rest
     * connect when first borrowed. */
    if (connect_one(s, &s->conns[0]) != 0) {
        pg_close(&s->base);
        return ERR_UNAVAILABLE;
    }
    *out = &s->base;
    return ERR_OK;
}

void pg_close(store_t *base)
{
    pg_store *s = (pg_store *)base;
    if (!s)
        return;
    for (unsigned i = 0; s->conns && i < s->n; i++) {
        q_conn_free(s->conns[i].q);
        if (s->conns[i].pg)
            PQfinish(s->conns[i].pg);
    }
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    free(s->conns);
    free(s->free);
    free(s->conninfo);
    free(s);
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

static err_t map_error(pconn_t *c, PGresult *res, const char *what)
{
    if (PQstatus(c->pg) != CONNECTION_OK) {
        log_error("store", "event=pg_connection_lost what=%s", what);
        return ERR_UNAVAILABLE;
    }
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    char msg[256];
    snprintf(msg, sizeof msg, "%s", res ? PQresultErrorMessage(res) : PQerrorMessage(c->pg));
    msg[strcspn(msg, "\n")] = '\0';
    if (state && strcmp(state, "23505") == 0)
        return ERR_CONFLICT;
    if (state && strncmp(state, "23", 2) == 0) {
        log_warn("store", "event=constraint what=%s msg=\"%s\"", what, msg);
        return ERR_INVALID;
    }
    /* Lock or serialisation trouble, the server shutting down, or a
     * connection-level failure: the caller may try again later. */
    if (state && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
                  strncmp(state, "57P", 3) == 0 || strncmp(state, "08", 2) == 0 ||
                  strcmp(state, "53300") == 0)) {
        log_warn("store", "event=pg_unavailable what=%s state=%s msg=\"%s\"", what, state, msg);
        return ERR_UNAVAILABLE;
    }
    log_error("store", "event=pg_error what=%s state=%s msg=\"%s\"", what, state ? state : "-",
              msg);
    return ERR_DB;
}

err_t pq_err(pconn_t *c, PGresult *res, const char *what) { return map_error(c, res, what); }

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
        err_t e = PQresultStatus(pr) == PGRES_COMMAND_OK ? ERR_OK : map_error(c, pr, what);
        PQclear(pr);
        if (e != ERR_OK)
            return e;
        c->prepared[c->nprepared++] = sql;
    }
    PGresult *res = PQexecPrepared(c->pg, name, p ? p->n : 0, p ? p->v : NULL, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
        err_t e = map_error(c, res, what);
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
    if (e == ERR_UNAVAILABLE && c->commands == 0 && PQstatus(c->pg) != CONNECTION_OK) {
        PQreset(c->pg);
        forget_prepared(c);
        if (PQstatus(c->pg) == CONNECTION_OK) {
            log_info("store", "event=pg_reconnected");
            e = run_once(c, sql, p, out, what);
        }
    }
    if (e == ERR_OK)
        c->commands++;
    return e;
}

static err_t simple(pconn_t *c, const char *sql, const char *what)
{
    return pq_run(c, sql, NULL, NULL, what);
}

err_t pq_begin(pconn_t *c) { return simple(c, "BEGIN", "begin"); }
err_t pq_commit(pconn_t *c) { return simple(c, "COMMIT", "commit"); }
void pq_rollback(pconn_t *c)
{
    if (c && c->pg && PQstatus(c->pg) == CONNECTION_OK &&
        PQtransactionStatus(c->pg) != PQTRANS_IDLE) {
        PGresult *r = PQexec(c->pg, "ROLLBACK");
        PQclear(r);
    }
}

err_t pg_ping(store_t *s)
{
    static const char sql[] = "SELECT 1";
    pconn_t *c = pq_get(s);
    if (!c)
        return ERR_UNAVAILABLE;
    err_t e = pq_run(c, sql, NULL, NULL, "ping");
    pq_put(s, c);
    return e == ERR_OK ? ERR_OK : ERR_UNAVAILABLE;
}

err_t pg_maintain(store_t *s)
{
    (void)s; /* PostgreSQL checkpoints by itself */
    return ERR_OK;
}

err_t pg_check_durable(store_t *s, store_durability d, char *why, size_t cap)
{
    static const char sql[] =
        "SELECT current_setting('fsync'), current_setting('full_page_writes'),"
        " current_setting('synchronous_commit')";
    PGresult *res = NULL;
    why[0] = '\0';
    pconn_t *c = pq_get(s);
    if (!c)
        return ERR_UNAVAILABLE;
    /* Under STORE_DURABLE_FSYNC, from a thread whose commits acknowledge,
     * the session is at the server's synchronous_commit (set_sync). */
    err_t e = pq_run(c, sql, NULL, &res, "check_durable");
    if (e == ERR_OK && PQntuples(res) == 1) {
        const char *fsync = PQgetvalue(res, 0, 0), *fpw = PQgetvalue(res, 0, 1),
                   *sync = PQgetvalue(res, 0, 2);
        size_t o = 0;
        /* Every reason, so that one restart fixes them all. */
        if (strcmp(fsync, "on") != 0)
            o += (size_t)snprintf(why + o, cap - o,
                                  "%sfsync=%s (a power cut can lose "
                                  "acknowledged reports and corrupt the database)",
                                  o ? "; " : "", fsync);
        if (o < cap && strcmp(fpw, "on") != 0)
            o += (size_t)snprintf(why + o, cap - o,
                                  "%sfull_page_writes=%s (a power cut can "
                                  "corrupt the database)",
                                  o ? "; " : "", fpw);
        if (o < cap && d == STORE_DURABLE_FSYNC && strcmp(sync, "off") == 0)
            o += (size_t)snprintf(why + o, cap - o,
                                  "%ssynchronous_commit=off (a power cut "
                                  "loses the reports acknowledged in the last moments)",
                                  o ? "; " : "");
        if (why[0])
            e = ERR_CONFLICT;
    } else if (e == ERR_OK) {
        e = ERR_DB;
    }
    PQclear(res);
    pq_put(s, c);
    return e;
}

/* Instances coordinate through the database itself: any number may serve.
 * When no other aduan process is connected, though, every claim in the
 * inbox and the outbox was made by one that is gone (a crash, kill -9):
 * the claimed work comes back at once, as on SQLite, rather than when its
 * lease runs out (up to OUTBOX_LEASE, minutes). A live instance always
 * holds a connection, and a dead one's vanish with its sockets; one whose
 * host lost power may linger until TCP gives up, and then its claims wait
 * for their lease: the safe side. */
err_t pg_claim(store_t *s)
{
    static const char others[] =
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND application_name LIKE 'aduan/%' AND application_name <> $1";
    /* The same two statements as SQLite's sq_claim. */
    static const char inbox[] = "UPDATE wa_inbox SET next_attempt_at = 0 WHERE state = 'new'";
    static const char outbox[] = "UPDATE wa_outbox SET next_attempt_at = 0 WHERE state = 'pending'";
    pconn_t *c = pq_get(s);
    if (!c)
        return ERR_UNAVAILABLE;
    PGresult *res = NULL;
    pq_params p = {0};
    pp_text(&p, app_name);
    err_t e = pq_run(c, others, &p, &res, "claim_others");
    int64_t n = e == ERR_OK && PQntuples(res) == 1 ? pq_int(res, 0, 0) : -1;
    PQclear(res);
    if (n == 0) {
        if (pq_run(c, inbox, NULL, NULL, "claim_reset_inbox") != ERR_OK ||
            pq_run(c, outbox, NULL, NULL, "claim_reset_outbox") != ERR_OK)
            log_warn("store", "event=lease_reset_failed");
    } else if (n > 0) {
        log_info("store", "event=other_instances count=%lld", (long long)n);
    }
    pq_put(s, c);
    return ERR_OK;
}

/* ---- migrations ---------------------------------------------------------------- */

static const char SQL_MIG_TABLE[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL, applied_at BIGINT NOT NULL)";
static const char SQL_MIG_MAX[] = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
static const char SQL_MIG_ADD[] = "INSERT INTO schema_migrations (version, name, applied_at)"
                                  " VALUES ($1, $2, EXTRACT(EPOCH FROM now())::bigint)";
static const char SQL_MIG_LOCK[] = "SELECT pg_advisory_xact_lock($1)";
static const char SQL_MIG_HAS[] = "SELECT 1 FROM schema_migrations WHERE version = $1";

static err_t current_version(pconn_t *c, int *version)
{
    PGresult *r;
    err_t e = pq_run(c, SQL_MIG_MAX, NULL, &r, "schema_version");
    if (e == ERR_OK) {
        *version = (int)pq_int(r, 0, 0);
        PQclear(r);
    }
    return e;
}

err_t pg_schema_version(store_t *s, int *version)
{
    pconn_t *c = pq_get(s);
    if (!c)
        return ERR_UNAVAILABLE;
    err_t e = simple(c, SQL_MIG_TABLE, "migrations_table");
    if (e == ERR_OK)
        e = current_version(c, version);
    pq_put(s, c);
    return e;
}

/* Applies one migration file under the advisory lock, unless it is
 * recorded already (another instance got there first). */
static err_t apply(pconn_t *c, const embed_file *m, int v, int newest, int *applied)
{
    pq_params p = {0};
    bool done = false;
    PGresult *r = NULL;
    err_t e = pq_begin(c);
    pp_int(&p, MIGRATION_LOCK);
    if (e == ERR_OK)
        e = pq_run(c, SQL_MIG_LOCK, &p, NULL, "migration_lock");
    pq_params h = {0};
    pp_int(&h, v);
    if (e == ERR_OK)
        e = pq_run(c, SQL_MIG_HAS, &h, &r, "migration_recorded");
    if (e == ERR_OK) {
        done = PQntuples(r) > 0;
        PQclear(r);
    }
    if (e == ERR_OK && !done) {
        if (v < newest)
            log_warn("store", "event=migration_late name=%s newest=%d", m->name, newest);
        /* Several statements in one file: the simple-query protocol. */
        PGresult *x = PQexec(c->pg, (const char *)m->data);
        if (PQresultStatus(x) != PGRES_COMMAND_OK)
            e = map_error(c, x, m->name);
        PQclear(x);
        pq_params q = {0};
        pp_int(&q, v);
        pp_text(&q, m->name);
        if (e == ERR_OK)
            e = pq_run(c, SQL_MIG_ADD, &q, NULL, "migration_record");
    }
    if (e == ERR_OK)
        e = pq_commit(c);
    if (e != ERR_OK) {
        pq_rollback(c);
        log_error("store", "event=migration_failed name=%s", m->name);
    } else if (!done) {
        log_info("store", "event=migration_applied name=%s", m->name);
        (*applied)++;
    }
    return e;
}

err_t pg_migrate_files(store_t *s, const embed_file *files, size_t n, int *applied)
{
    int have = 0, count = 0;
    size_t m = 0;
    if (applied)
        *applied = 0;
    store_mig *plan = calloc(n ? n : 1, sizeof *plan);
    if (!plan)
        return ERR_NOMEM;
    err_t e = store_mig_plan(files, n, "pg", plan, &m);
    if (e == ERR_OK)
        e = pg_schema_version(s, &have); /* creates the table */
    pconn_t *c = e == ERR_OK ? pq_get(s) : NULL;
    if (e == ERR_OK && !c)
        e = ERR_UNAVAILABLE;
    /* Every migration not yet recorded, in number order. */
    for (size_t i = 0; c && i < m && e == ERR_OK; i++)
        e = apply(c, plan[i].file, plan[i].version, have, &count);
    if (c)
        pq_put(s, c);
    free(plan);
    if (applied)
        *applied = count;
    return e;
}

err_t pg_migrate(store_t *s, int *applied)
{
    return pg_migrate_files(s, embed_migrations, embed_migrations_count, applied);
}

/* Runs sql once, unprepared: planned with the parameters' values. */
static err_t run_unprepared(pconn_t *c, const char *sql, const pq_params *p, PGresult **out,
                            const char *what)
{
    PGresult *res = PQexecParams(c->pg, sql, p ? p->n : 0, NULL, p ? p->v : NULL, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
        err_t e = map_error(c, res, what);
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
