/* Internal to the SQLite store: the connection pool and small helpers
 * shared by store/sqlite.c and store/sqlite_cases.c. */
#ifndef ADUAN_SQLITE_INT_H
#define ADUAN_SQLITE_INT_H

#include "store/store_ops.h"

#include <sqlite3.h>
#include <stdbool.h>

/* Prepared statements cached per connection; one per distinct query. */
#define CONN_STMT_MAX 256

typedef struct conn {
    sqlite3 *db;
    struct sq_store *owner; /* for the write lock */
    bool writing;           /* holds the store's write lock */
    int sync;               /* PRAGMA synchronous in force: SYNC_NORMAL or SYNC_FULL */
    struct {
        const char *sql; /* static string: identity is its address */
        sqlite3_stmt *st;
    } cache[CONN_STMT_MAX];
    int ncache;
    /* The executor's state (store/q.c), from the first q_get. */
    struct q_conn *q;
} conn_t;

/* The engine's implementations of store.h (see store_ops.h). */
#define X(name, params, args) err_t sq_##name params;
STORE_FUNCS(X)
#undef X

/* Borrows a connection; blocks while all are in use. */
conn_t *sq_get(store_t *s);
void sq_put(store_t *s, conn_t *c);

/* Until the pools move into the drivers (drv_sqlite.c): the executor's
 * connection for c, so a transaction of an unconverted domain can call a
 * converted helper taking a q_conn (NULL when out of memory; end every
 * statement run on it before sq_put), and back. */
struct q_conn *sq_q(store_t *s, conn_t *c);
conn_t *sq_of(struct q_conn *c);

/* The cached statement for sql, reset and unbound; NULL on failure (logged). */
sqlite3_stmt *sq_prep(conn_t *c, const char *sql);
/* Translates a SQLite result code, logging the database's message. */
err_t sq_err(conn_t *c, int rc, const char *what);

/* BEGIN IMMEDIATE, after taking the store's in-process write lock:
 * writers of this process queue on it instead of polling SQLite's lock,
 * and the thread of store_prefer_writes goes first. sq_commit and
 * sq_rollback release it. */
err_t sq_begin(conn_t *c);
/* The write lock alone. sq_exec_stmt and sq_step_row take it by themselves
 * for a statement that writes outside a transaction; sq_put releases it. */
void sq_write_lock(conn_t *c);
void sq_write_unlock(conn_t *c);
err_t sq_commit(conn_t *c);
void sq_rollback(conn_t *c);

/* Binding helpers: NULL for a NULL string or a 0 id. */
void sq_bind_text(sqlite3_stmt *st, int i, const char *v);
void sq_bind_id(sqlite3_stmt *st, int i, int64_t v);
/* Column helpers: text copied into the arena (NULL for SQL NULL). */
const char *sq_text(arena_t *ar, sqlite3_stmt *st, int i);
int64_t sq_int(sqlite3_stmt *st, int i);

/* Inside a transaction: dom_put_reporter and dom_insert_case (cases.c) on
 * the old connection, until sqlite_wa.c is converted. */
err_t sq_put_reporter(conn_t *c, const store_reporter_in *r, int64_t now, int64_t *id);
err_t sq_insert_case(conn_t *c, arena_t *ar, store_case *k, const char *note, int64_t *event_id);

/* Inside a transaction (wa.c): queues a status update of event to
 * the case's WhatsApp reporter, when it has one. */
err_t sq_wa_queue_status(conn_t *c, int64_t case_id, int64_t event_id, int64_t now);

/* Inside a transaction (sqlite_dispatch.c): queues a status update of the
 * event of a master case to the reporters of the cases following it. */
err_t sq_dispatch_queue_followers(conn_t *c, int64_t case_id, int64_t event_id, int64_t now);

/* Runs a statement that returns no rows; ERR_OK on SQLITE_DONE. */
err_t sq_exec_stmt(conn_t *c, sqlite3_stmt *st, const char *what);

/* One value for sq_write: an integer, an id (0 binds NULL) or text (NULL
 * binds NULL). */
typedef struct {
    enum { SQV_INT, SQV_ID, SQV_TEXT } kind;
    int64_t i;
    const char *t;
} sq_val;
#define SQ_INT(v)  ((sq_val){SQV_INT, (int64_t)(v), NULL})
#define SQ_ID(v)   ((sq_val){SQV_ID, (int64_t)(v), NULL})
#define SQ_TEXT(v) ((sq_val){SQV_TEXT, 0, (v)})

/* A single-statement write on a pooled connection: binds v[0..n) to
 * parameters 1..n, runs sql (a static string: its address keys the
 * statement cache). ERR_NOT_FOUND when must_change and no row changed. */
err_t sq_write(store_t *s, const char *sql, const char *what, bool must_change, const sq_val *v,
               size_t n);
#define SQ_WRITE(s, sql, what, must_change, ...)                                                   \
    sq_write((s), (sql), (what), (must_change), (const sq_val[]){__VA_ARGS__},                     \
             sizeof((const sq_val[]){__VA_ARGS__}) / sizeof(sq_val))

#endif

/* Steps once: ERR_OK on a row, ERR_NOT_FOUND when there is none. */
err_t sq_step_row(conn_t *c, sqlite3_stmt *st, const char *what);

/* Reads the current row into one element of a list. */
typedef void (*sq_reader)(arena_t *ar, sqlite3_stmt *st, void *elem);
/* Steps st to the end, reading every row with read into an arena array
 * of elem-sized items (*out, *n); resets st. */
err_t sq_collect(conn_t *c, sqlite3_stmt *st, arena_t *ar, size_t elem, sq_reader read, void **out,
                 size_t *n, const char *what);

/* Grows an arena array of elem-sized items to hold at least n+1; returns
 * the (possibly moved) array or NULL when out of memory. */
void *sq_grow(arena_t *ar, void *arr, size_t elem, size_t n, size_t *cap);

#define SQ_PREP(c, st, sql)                                                                        \
    do {                                                                                           \
        (st) = sq_prep((c), (sql));                                                                \
        if (!(st)) {                                                                               \
            e = ERR_DB;                                                                            \
            goto out;                                                                              \
        }                                                                                          \
    } while (0)
