/* The PostgreSQL driver (see drv.h): the pool with reconnection before a
 * borrow's first command, the list of statements prepared on the server,
 * synchronous_commit per borrower, the instance count of store_claim, the
 * refusal of an unsafe server (fsync=off), COPY.
 *
 * A cached statement is prepared on the server at its first run on a
 * connection, with the parameter types of the binds (so the SQL needs no
 * ::casts), and again after a reconnection. A dynamic one runs unnamed
 * (PQexecParams): the server plans it with the values. Results are read
 * whole (PQexec*), then walked row by row.
 */
#include "store/drv.h"

#include "core/log.h"

#include <errno.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Type OIDs of the binds (pg_type.h, stable across releases). */
enum { OID_BOOL = 16, OID_INT8 = 20, OID_TEXT = 25, OID_FLOAT8 = 701 };

/* Digits of an int64 or a %.17g double, with the sign and NUL. */
#define NUM_MAX 32

/* Statements prepared on the server per connection; past it, unnamed. */
#define PCONN_STMT_MAX 256

typedef struct {
    PGconn *pg;
    q_conn *q;                            /* the executor's connection around this one */
    const char *prepared[PCONN_STMT_MAX]; /* keys of the statements prepared on pg */
    int nprepared;
    int commands;  /* commands sent since borrowed: a broken link is
                    * retried only before the first one succeeded */
    bool sync_off; /* this session runs SET synchronous_commit = off */
} pconn_t;

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

typedef struct {
    store_t base;
    char *conninfo;
    pconn_t *conns;
    unsigned n;
    q_pool pool;
    PGconn *listener; /* wait_notify's own connection (NULL: none yet) */
} pg_store;

static pconn_t *conn(q_conn *c) { return c->d; }

/* Maps a failed result (res may be NULL), logging the message. */
static err_t pq_err(pconn_t *c, PGresult *res, const char *what)
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

/* ---- sessions and the pool ------------------------------------------------------------ */

static void quiet_notices(void *arg, const char *message)
{
    (void)arg;
    log_debug("store", "event=pg_notice msg=\"%.200s\"", message);
}

/* This process's name in pg_stat_activity: "aduan/" and 16 random hex
 * digits, the same on each of its connections (claim counts the others).
 * Set once, before any thread connects (open_store). */
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
static void new_session(pconn_t *c)
{
    c->nprepared = 0;
    c->sync_off = false;
    if (!c->pg || PQstatus(c->pg) != CONNECTION_OK)
        return;
    PQsetNoticeProcessor(c->pg, quiet_notices, NULL);
    const char *v[1] = {app_name};
    PGresult *r = PQexecParams(c->pg, "SELECT set_config('application_name', $1, false)", 1, NULL,
                               v, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        log_warn("store", "event=pg_application_name_failed");
    PQclear(r);
}

/* Reconnects c and starts its session again (nothing prepared); false
 * when the server is still out of reach. */
static bool pq_reconnect(pconn_t *c)
{
    PQreset(c->pg);
    new_session(c);
    if (PQstatus(c->pg) != CONNECTION_OK)
        return false;
    log_info("store", "event=pg_reconnected");
    return true;
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
    new_session(c);
    if (!c->pg || PQstatus(c->pg) != CONNECTION_OK) {
        char msg[256];
        snprintf(msg, sizeof msg, "%s", c->pg ? PQerrorMessage(c->pg) : "out of memory");
        msg[strcspn(msg, "\n")] = '\0';
        log_error("store", "event=pg_connect_failed msg=\"%s\"", msg);
        return -1;
    }
    return 0;
}

static void rollback(q_conn *q)
{
    pconn_t *c = conn(q);
    if (c->pg && PQstatus(c->pg) == CONNECTION_OK && PQtransactionStatus(c->pg) != PQTRANS_IDLE)
        PQclear(PQexec(c->pg, "ROLLBACK"));
}

static void put(q_conn *q)
{
    pg_store *s = (pg_store *)q->s;
    pconn_t *c = conn(q);
    if (c->pg && PQtransactionStatus(c->pg) != PQTRANS_IDLE && PQstatus(c->pg) == CONNECTION_OK) {
        log_error("store", "event=open_transaction_returned");
        rollback(q);
    }
    q_pool_give(&s->pool, q);
}

static err_t get(store_t *base, q_conn **out)
{
    pg_store *s = (pg_store *)base;
    pconn_t *c = conn(q_pool_take(&s->pool));
    c->commands = 0;
    if (connect_one(s, c) != 0) {
        put(c->q);
        return ERR_UNAVAILABLE;
    }
    set_sync(s, c);
    *out = c->q;
    return ERR_OK;
}

static void close_store(store_t *base)
{
    pg_store *s = (pg_store *)base;
    if (!s)
        return;
    for (unsigned i = 0; s->conns && i < s->n; i++) {
        q_conn_free(s->conns[i].q);
        if (s->conns[i].pg)
            PQfinish(s->conns[i].pg);
    }
    if (s->listener)
        PQfinish(s->listener);
    q_pool_free(&s->pool);
    free(s->conns);
    free(s->conninfo);
    free(s);
}

static err_t open_store(const char *url, unsigned pool_size, store_t **out)
{
    *out = NULL;
    pool_size = pool_size ? pool_size : 1;
    name_process();
    pg_store *s = calloc(1, sizeof *s);
    if (!s)
        return ERR_NOMEM;
    s->base.drv = &drv_pg;
    s->conninfo = strdup(url);
    s->conns = calloc(pool_size, sizeof *s->conns);
    s->n = pool_size;
    err_t e = q_pool_init(&s->pool, pool_size);
    if (!s->conninfo || !s->conns)
        e = ERR_NOMEM;
    for (unsigned i = 0; e == ERR_OK && i < pool_size; i++) {
        if (!(s->conns[i].q = q_conn_new(&s->base, &drv_pg, &s->conns[i])))
            e = ERR_NOMEM;
        else
            q_pool_give(&s->pool, s->conns[i].q);
    }
    /* Connect one now so a wrong URL is reported at start-up; the rest
     * connect when first borrowed. */
    if (e == ERR_OK && connect_one(s, &s->conns[0]) != 0)
        e = ERR_UNAVAILABLE;
    if (e != ERR_OK) {
        close_store(&s->base);
        return e;
    }
    *out = &s->base;
    return ERR_OK;
}

/* ---- commands ----------------------------------------------------------------------------- */

/* Runs sql (no parameters, no rows: BEGIN, COMMIT, a migration's script)
 * with the simple-query protocol. The server went away since this
 * connection was last used: nothing of this borrow has run yet, so
 * reconnect and try once more. */
static err_t command(pconn_t *c, const char *sql, const char *what)
{
    PGresult *r = PQexec(c->pg, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK &&
        c->commands == 0 && PQstatus(c->pg) != CONNECTION_OK && pq_reconnect(c)) {
        PQclear(r);
        r = PQexec(c->pg, sql);
    }
    ExecStatusType st = PQresultStatus(r);
    err_t e = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? ERR_OK : pq_err(c, r, what);
    PQclear(r);
    if (e == ERR_OK)
        c->commands++;
    return e;
}

static err_t begin(q_conn *q) { return command(conn(q), "BEGIN", "begin"); }
static err_t commit(q_conn *q) { return command(conn(q), "COMMIT", "commit"); }

static err_t exec(q_conn *q, const char *script)
{
    char what[48];
    snprintf(what, sizeof what, "\"%.40s\"", script);
    what[strcspn(what, "\n")] = '\0';
    return command(conn(q), script, what);
}

/* Instances coordinate through the database itself: any number may serve.
 * When no other aduan process is connected, though, every claim in the
 * inbox and the outbox was made by one that is gone (a crash, kill -9).
 * A live instance always holds a connection, and a dead one's vanish with
 * its sockets; one whose host lost power may linger until TCP gives up,
 * and then its claims wait for their lease: the safe side. */
static err_t claim(store_t *s, bool *alone)
{
    static const char others[] =
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND application_name LIKE 'aduan/%' AND application_name <> $1";
    int64_t n = -1;
    *alone = false;
    err_t e = q_one_int(s, others, &n, Q_TEXT(app_name));
    if (e == ERR_UNAVAILABLE)
        return e;
    if (n > 0)
        log_info("store", "event=other_instances count=%lld", (long long)n);
    *alone = n == 0;
    return ERR_OK;
}

/* Every reason the server could lose acknowledged reports, so that one
 * restart fixes them all. Under STORE_DURABLE_FSYNC, from a thread whose
 * commits acknowledge, the session is at the server's synchronous_commit. */
static err_t durable(store_t *s, store_durability d, char *why, size_t cap)
{
    static const char sql[] =
        "SELECT current_setting('fsync'), current_setting('full_page_writes'),"
        " current_setting('synchronous_commit')";
    typedef struct {
        const char *fsync, *fpw, *sync;
    } settings;
    static const q_field F[] = {QF(TEXT, settings, fsync), QF(TEXT, settings, fpw),
                                QF(TEXT, settings, sync)};
    settings v = {0};
    arena_t *ar = arena_new();
    size_t o = 0;
    why[0] = '\0';
    err_t e = ar ? q_one(s, ar, sql, F, &v) : ERR_NOMEM;
    if (e == ERR_OK && strcmp(v.fsync, "on") != 0)
        o += (size_t)snprintf(why + o, cap - o,
                              "fsync=%s (a power cut can lose acknowledged reports and corrupt"
                              " the database)",
                              v.fsync);
    if (e == ERR_OK && o < cap && strcmp(v.fpw, "on") != 0)
        o += (size_t)snprintf(why + o, cap - o,
                              "%sfull_page_writes=%s (a power cut can corrupt the database)",
                              o ? "; " : "", v.fpw);
    if (e == ERR_OK && o < cap && d == STORE_DURABLE_FSYNC && strcmp(v.sync, "off") == 0)
        o += (size_t)snprintf(why + o, cap - o,
                              "%ssynchronous_commit=off (a power cut loses the reports"
                              " acknowledged in the last moments)",
                              o ? "; " : "");
    arena_destroy(ar);
    return e == ERR_OK && why[0] ? ERR_CONFLICT : e;
}

static void maintain(store_t *s) { (void)s; /* PostgreSQL checkpoints by itself */ }

static err_t backup(store_t *s, const char *dest, char *why, size_t cap)
{
    (void)s, (void)dest;
    snprintf(why, cap, "PostgreSQL is backed up with pg_dump");
    return ERR_INTERNAL;
}

static err_t copy_in(q_conn *q, const char *sql, q_copy_fill fill, void *ctx)
{
    pconn_t *c = conn(q);
    PGresult *r = PQexec(c->pg, sql);
    err_t e = PQresultStatus(r) == PGRES_COPY_IN ? ERR_OK : pq_err(c, r, "copy");
    PQclear(r);
    if (e != ERR_OK)
        return e;
    c->commands++;
    const char *buf;
    size_t n = 1;
    while (e == ERR_OK && (e = fill(ctx, &buf, &n)) == ERR_OK && n > 0)
        if (PQputCopyData(c->pg, buf, (int)n) != 1)
            e = pq_err(c, NULL, "copy_data");
    PQputCopyEnd(c->pg, e == ERR_OK ? NULL : "aborted");
    while ((r = PQgetResult(c->pg))) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK && e == ERR_OK)
            e = pq_err(c, r, "copy_end");
        PQclear(r);
    }
    return e;
}

/* ---- statements ------------------------------------------------------------------------- */

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
    /* A full list of prepared statements runs the statement unnamed
     * rather than failing it. */
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
     * of this borrow has run yet, so reconnect and try once more. Its
     * prepared statements went with the session. */
    if (e == ERR_UNAVAILABLE && c->commands == 0 && PQstatus(c->pg) != CONNECTION_OK &&
        pq_reconnect(c))
        e = run_once(st, h, c);
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

/* LISTEN channel on a connection of its own. */
static err_t listen_on(pg_store *s, const char *channel)
{
    s->listener = PQconnectdb(s->conninfo);
    char *id = PQstatus(s->listener) == CONNECTION_OK
                   ? PQescapeIdentifier(s->listener, channel, strlen(channel))
                   : NULL;
    char sql[160];
    PGresult *res = NULL;
    if (id && snprintf(sql, sizeof sql, "LISTEN %s", id) < (int)sizeof sql)
        res = PQexec(s->listener, sql);
    bool ok = res && PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!ok)
        log_warn("store", "event=pg_listen_failed msg=\"%s\"",
                 s->listener ? PQerrorMessage(s->listener) : "out of memory");
    PQclear(res);
    PQfreemem(id);
    if (!ok) {
        PQfinish(s->listener);
        s->listener = NULL;
        return ERR_UNAVAILABLE;
    }
    return ERR_OK;
}

static err_t wait_notify(store_t *base, const char *channel, int timeout_ms, bool *notified)
{
    pg_store *s = (pg_store *)base;
    *notified = false;
    if (s->listener && PQstatus(s->listener) != CONNECTION_OK) {
        PQfinish(s->listener);
        s->listener = NULL;
    }
    if (!s->listener) {
        err_t e = listen_on(s, channel);
        *notified = e == ERR_OK;
        return e;
    }
    struct pollfd p = {PQsocket(s->listener), POLLIN, 0};
    int n = poll(&p, 1, timeout_ms);
    if (n < 0 && errno != EINTR)
        return ERR_IO;
    if (n > 0 && !PQconsumeInput(s->listener)) {
        log_warn("store", "event=pg_listen_lost");
        PQfinish(s->listener);
        s->listener = NULL;
        return ERR_UNAVAILABLE;
    }
    for (PGnotify *nt; (nt = PQnotifies(s->listener)) != NULL; PQfreemem(nt))
        *notified = true;
    return ERR_OK;
}

/* The transaction's own NOTIFY told every instance. */
static void committed(store_t *s) { (void)s; }

const q_driver drv_pg = Q_DRIVER_TABLE("postgres", Q_PG, '$');
