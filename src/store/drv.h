/* drv: the boundary between the executor (store/q.c) and an engine.
 * Internal to q.c, the two drivers (drv_sqlite.c, drv_pg.c: the only files
 * that include an engine's header) and the store-wide files that call a
 * driver's store entries (store.c, migrate.c, copy.c, backup.c); domain
 * files use store/q.h.
 *
 * q.c owns what is the same on both engines: the per-connection statement
 * cache, the SQL text's expansion (tokens, $N), bind collection, run
 * states, row readers. A driver owns the pool, transactions with their
 * locks, preparing, running, columns, and mapping its errors to err_t. */
#ifndef ADUAN_DRV_H
#define ADUAN_DRV_H

#include "store/q.h"

#include <pthread.h>

/* The head of every driver's store. */
struct store {
    const struct q_driver *drv;
    store_durability durability; /* store_set_durability; 0 = fsync */
};

/* Whether the calling thread's commits are redoable (store_redo_commits). */
bool store_thread_redo(void);

/* Slots of a connection's statement cache (an open-addressing table keyed
 * by the SQL's address); it holds at most half as many statements. The
 * store has about 200 distinct queries. */
#define Q_CACHE_SLOTS 1024

typedef enum { Q_SQLITE, Q_PG } q_dialect;

typedef enum {
    QS_IDLE, /* prepared or reset: bind, then step */
    QS_ROWS, /* ran, positioned on a row */
    QS_DONE, /* ran to its end (or failed) */
} q_state;

struct q_stmt {
    q_conn *c;
    const char *key; /* the static SQL text (cache key); NULL: dynamic */
    const char *sql; /* the text as written, for logs */
    void *d;         /* the driver's statement */
    q_state state;
    err_t err; /* a misuse found while binding, reported by the run */
    bool open; /* on c->open: ran during this borrow */
    q_stmt *next_open;
    q_stmt *next_dyn;
    int64_t changes; /* of the last run that ended */
    int nparams, nv; /* highest $N of the text; values bound */
    q_val v[];       /* nparams values */
};

struct q_conn {
    store_t *s;
    const struct q_driver *drv;
    void *d;      /* the driver's connection */
    q_stmt *open; /* statements run during this borrow */
    q_stmt *dyn;  /* dynamic statements of this borrow */
    bool notify;  /* the open transaction tells committed() (q_notify_at_commit) */
    int ncached;
    q_stmt *cache[Q_CACHE_SLOTS];
};

/* Gives the next chunk of COPY text-format rows: *n == 0 at the end. */
typedef err_t (*q_copy_fill)(void *ctx, const char **buf, size_t *n);

typedef struct q_driver {
    const char *name; /* "sqlite" or "postgres" (store_engine) */
    q_dialect dialect;
    char param; /* placeholder character the engine wants before N */

    /* The store: open takes the driver's URL ("sqlite:PATH", "postgres://
     * ...") and creates the pool of pool_size connections, each with its
     * q_conn; close ends them (NULL-safe). */
    err_t (*open)(const char *url, unsigned pool_size, store_t **out);
    void (*close)(store_t *s);
    /* store_claim's engine part: ERR_CONFLICT when another instance owns
     * the database alone (SQLite's lock file); *alone when no other
     * instance uses it, so every lease in it belongs to a dead process. */
    err_t (*claim)(store_t *s, bool *alone);
    /* store_check_durable's engine part (see store.h). */
    err_t (*durable)(store_t *s, store_durability d, char *why, size_t cap);
    /* Background upkeep: SQLite checkpoints its WAL; PostgreSQL has none. */
    void (*maintain)(store_t *s);
    /* SQLite: copies the database into the new file dest while the store
     * serves (the online backup); what failed in why. PostgreSQL:
     * ERR_INTERNAL (ops/backup.c runs pg_dump). */
    err_t (*backup)(store_t *s, const char *dest, char *why, size_t cap);

    /* The pool: get borrows, put returns (see q_get, q_put). */
    err_t (*get)(store_t *s, q_conn **out);
    void (*put)(q_conn *c);
    err_t (*begin)(q_conn *c); /* a write transaction */
    err_t (*commit)(q_conn *c);
    void (*rollback)(q_conn *c); /* no-op outside a transaction */
    /* Runs a script of statements without parameters or rows (a migration
     * file), unprepared; inside a transaction for a write. */
    err_t (*exec)(q_conn *c, const char *script);
    /* COPY ... FROM STDIN (sql) fed by fill; ERR_INTERNAL on SQLite. */
    err_t (*copy_in)(q_conn *c, const char *sql, q_copy_fill fill, void *ctx);

    /* Prepares the expanded text for st (st->d), or records it to prepare
     * at the first run (PostgreSQL wants the parameter types). */
    err_t (*prepare)(q_stmt *st, const char *text);
    void (*finalize)(q_stmt *st); /* NULL-safe on st->d */
    /* Binds st->v[0..nparams) and runs to the first row: ERR_OK on a row,
     * ERR_NOT_FOUND when there is none (st->changes set), else the error. */
    err_t (*run)(q_stmt *st);
    err_t (*next)(q_stmt *st); /* the next row, as run */
    void (*reset)(q_stmt *st); /* ends a run, keeps the statement */

    int (*ncols)(q_stmt *st);
    bool (*col_null)(q_stmt *st, int i);
    int64_t (*col_int)(q_stmt *st, int i);
    double (*col_real)(q_stmt *st, int i);
    bool (*col_bool)(q_stmt *st, int i);
    const char *(*col_text)(q_stmt *st, int i, size_t *len); /* valid until the next row */

    /* Waits up to timeout_ms for a notification on channel (PostgreSQL's
     * LISTEN, on a connection of its own, made at the first call and
     * again after it is lost: *notified then too, as what happened
     * meanwhile is unknown). One thread only. ERR_UNSUPPORTED on SQLite;
     * ERR_UNAVAILABLE while the server cannot be reached. */
    err_t (*wait_notify)(store_t *s, const char *channel, int timeout_ms, bool *notified);
    /* After the commit of a transaction that asked for it
     * (q_notify_at_commit): SQLite wakes its wait_notify (one process
     * owns the database); PostgreSQL has NOTIFY in the transaction. */
    void (*committed)(store_t *s);
} q_driver;

extern const q_driver drv_sqlite, drv_pg;

/* A driver's table, from its static functions named as the entries. */
#define Q_DRIVER_TABLE(NAME, DIALECT, PARAM)                                                       \
    {                                                                                              \
        .name = NAME, .dialect = DIALECT, .param = PARAM, .open = open_store,                      \
        .close = close_store, .claim = claim, .durable = durable, .maintain = maintain,            \
        .backup = backup, .get = get, .put = put, .begin = begin, .commit = commit,                \
        .rollback = rollback, .exec = exec, .copy_in = copy_in, .prepare = prepare,                \
        .finalize = finalize, .run = run, .next = next, .reset = reset, .ncols = ncols,            \
        .col_null = col_null, .col_int = col_int, .col_real = col_real, .col_bool = col_bool,      \
        .col_text = col_text, .wait_notify = wait_notify, .committed = committed,                  \
    }

/* For the drivers: the idle connections of a pool, a stack under a mutex.
 * q_pool_init makes room for cap (ERR_NOMEM); q_pool_take blocks while
 * the stack is empty (GET /metrics counts the wait); q_pool_give puts c
 * back and wakes one waiter; q_pool_free is safe after a failed init. */
typedef struct {
    q_conn **idle;
    unsigned n;
    pthread_mutex_t mu;
    pthread_cond_t cv;
} q_pool;
err_t q_pool_init(q_pool *p, unsigned cap);
void q_pool_free(q_pool *p);
q_conn *q_pool_take(q_pool *p);
void q_pool_give(q_pool *p, q_conn *c);

/* For the drivers: a q_conn around the driver's connection d (NULL when out
 * of memory), and its release with every statement it cached. */
q_conn *q_conn_new(store_t *s, const q_driver *drv, void *d);
void q_conn_free(q_conn *c);
/* The start of st's SQL, quoted, for a log line: "SELECT a, b FROM t…". */
const char *q_label(const q_stmt *st, char *buf, size_t cap);
/* For the store-wide files: runs script (statements without parameters or
 * rows, a migration file) through the driver's exec, its dialect tokens
 * expanded ('$' and ';' are the script's own). ERR_INVALID (logged) on an
 * unknown token, ERR_NOMEM, or the exec's error. */
err_t q_script(q_conn *c, const char *script);

#endif
