/* q: the store's executor. Every query of store/ is written once, on this
 * header, and runs on SQLite or PostgreSQL through a driver (store/drv.h).
 * Internal to store/: domain files (survey.c, groups.c, ...) include it,
 * nothing outside store/ does. src/store/README has a worked example.
 *
 * SQL TEXT. A static string (its address keys the per-connection statement
 * cache, so never pass a string built at run time: that is q_prep_dyn):
 *   - parameters are $1..$N, bound positionally ($1 first); a parameter may
 *     repeat and appear in any order ("$2 ... $1 ... $2"). SQLite gets them
 *     rewritten to ?N; text inside '...' and "..." and comments is kept.
 *   - dialect tokens, expanded when a connection first prepares the text:
 *       {FOR_UPDATE}       SQLite: nothing (q_tx holds the write lock)
 *                          PostgreSQL: FOR UPDATE
 *       {FOR_UPDATE OF c}  the same, PostgreSQL: FOR UPDATE OF c
 *       {SKIP_LOCKED}      SQLite: nothing; PostgreSQL: FOR UPDATE SKIP LOCKED
 *       {SKIP_LOCKED OF c} PostgreSQL: FOR UPDATE OF c SKIP LOCKED
 *       {NOW}              Unix seconds now, an integer (PostgreSQL: of the
 *                          transaction's start)
 *       {GREATEST} {LEAST} max / min on SQLite, GREATEST / LEAST on
 *                          PostgreSQL: write {GREATEST}(a, b); with a NULL
 *                          argument SQLite answers NULL, PostgreSQL ignores it
 *       {COLLATE_C}        byte order: nothing on SQLite (BINARY is its
 *                          default), COLLATE "C" on PostgreSQL
 *       5{INT8}            an integer literal as bigint on PostgreSQL
 *                          (5::bigint): a bare 5 is int4, and btree_gin's
 *                          int8 class has no cross-type '=', so a GIN
 *                          index on (agency_id, search) would not take it
 *       DDL, for migrations (store/README): {ID} {BIGINT} {DOUBLE} {BOOL}
 *       {TRUE} {FALSE} {DEFERRABLE} {IS_DISTINCT_FROM}
 *     An unknown token fails the prepare. Add a token only for a real
 *     query, with a unit test (tests/unit/test_q.c) and a README line.
 *   - a query genuinely different on the two engines is a q_sql2 pair,
 *     both texts side by side in the domain file (listed in the README).
 *   - one statement per text (no ';' between statements), no '?'.
 *
 * TYPES. Binds are typed, and PostgreSQL prepares with those types, so no
 * ::casts are needed (not even for "$1 IS NULL" or a parameter that is only
 * selected). A statement's parameter types must be the same on every run.
 * Bind q_int for INTEGER/BIGINT columns and q_bool only for columns that
 * are BOOLEAN on PostgreSQL (INTEGER 0/1 on SQLite): PostgreSQL refuses a
 * boolean for an integer column and the other way round.
 *
 * ERRORS (err_t, mapped once in each driver): ERR_CONFLICT for a unique or
 * primary-key violation, ERR_INVALID for another constraint (foreign key,
 * check, not null), ERR_UNAVAILABLE for busy/locked/lost connection,
 * ERR_DB for anything else (the engine's message is logged with the start
 * of the statement), ERR_INTERNAL for a misuse of this API (logged). */
#ifndef ADUAN_Q_H
#define ADUAN_Q_H

#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct q_conn q_conn; /* a borrowed pooled connection */
typedef struct q_stmt q_stmt; /* a statement prepared on one connection */

/* The two texts of a query that differs by engine (static strings). */
typedef struct {
    const char *sqlite, *pg;
} q_sql2;

/* ---- connections and transactions ------------------------------------------ */

/* Borrows a pooled connection (blocks while all are in use). ERR_UNAVAILABLE
 * when the database cannot be reached. */
err_t q_get(store_t *s, q_conn **out) STORE_WUR;
/* Returns it: resets every statement still open, frees dynamic ones, rolls
 * back a transaction left open (logged: a bug) and, on SQLite, releases the
 * write lock a writing statement took. Accepts NULL. */
void q_put(q_conn *c);

/* Runs fn(c, ctx) in one write transaction on a borrowed connection and
 * commits when it returns ERR_OK, else rolls back and returns its error.
 * SQLite: the in-process write lock (the store_prefer_writes thread goes
 * first), then BEGIN IMMEDIATE, so {FOR_UPDATE} is not needed there.
 * PostgreSQL: BEGIN (READ COMMITTED): lock what you read-then-write with
 * {FOR_UPDATE}. fn must not call store_* or q_tx (a second connection). */
err_t q_tx(store_t *s, err_t (*fn)(q_conn *c, void *ctx), void *ctx) STORE_WUR;

/* "sqlite" or "postgres". */
const char *q_engine(const q_conn *c);
/* Inside q_tx: once it commits, the store's waiters of live events
 * (store_live_wait) in this process are woken. */
void q_notify_at_commit(q_conn *c);

/* ---- statements --------------------------------------------------------------- */

/* The connection's statement for sql (a static string), prepared at first
 * use and reset for a new run: bind, then step or exec. NULL on failure
 * (logged); every function below accepts NULL and then fails with ERR_DB,
 * so a caller checks only the result of q_step/q_exec. Preparing a
 * statement ends its previous run (do not re-prepare the statement you are
 * iterating). */
q_stmt *q_prep(q_conn *c, const char *sql);
/* The same with the engine's text of a pair. */
q_stmt *q_prep2(q_conn *c, const q_sql2 *sql);
/* A text built at run time (store/case_query.c): not cached, prepared for
 * this borrow only (PostgreSQL plans it with the values bound). Valid until
 * q_put. Integers may be literals in it; text must be bound. */
q_stmt *q_prep_dyn(q_conn *c, const char *sql);

/* Binds the next parameter ($1 first). Values are taken when the statement
 * runs (the first q_step or q_exec): a bound string must live until then. */
void q_int(q_stmt *st, int64_t v);
void q_id(q_stmt *st, int64_t v);                  /* 0 binds NULL (bigint) */
void q_text(q_stmt *st, const char *v);            /* NULL binds NULL (text) */
void q_textn(q_stmt *st, const char *v, size_t n); /* n bytes, not NUL-terminated */
void q_real(q_stmt *st, double v);
void q_bool(q_stmt *st, bool v); /* BOOLEAN columns only, see TYPES above */

/* A value for the one-liners below and q_bind: Q_INT(x), Q_ID(x),
 * Q_TEXT(s), Q_REAL(d), Q_BOOL(b), and Q_NULL(INT|REAL|TEXT|BOOL). */
typedef enum { QT_INT, QT_REAL, QT_TEXT, QT_BOOL } q_type;
typedef struct {
    q_type t;
    bool null;
    int64_t i;     /* QT_INT, QT_BOOL */
    double d;      /* QT_REAL */
    const char *s; /* QT_TEXT, NUL-terminated unless sized */
    size_t n;      /* length of s when sized */
    bool sized;
} q_val;
#define Q_INT(v)  ((q_val){.t = QT_INT, .i = (int64_t)(v)})
#define Q_ID(v)   ((q_val){.t = QT_INT, .i = (int64_t)(v), .null = (v) == 0})
#define Q_TEXT(v) ((q_val){.t = QT_TEXT, .s = (v), .null = (v) == NULL})
#define Q_REAL(v) ((q_val){.t = QT_REAL, .d = (double)(v)})
#define Q_BOOL(v) ((q_val){.t = QT_BOOL, .i = (v) ? 1 : 0})
#define Q_NULL(T) ((q_val){.t = QT_##T, .null = true})
/* Binds v[0..n) as the next parameters. */
void q_bind(q_stmt *st, const q_val *v, size_t n);

/* Runs the statement (at the first call, with every parameter bound) or
 * moves to its next row: ERR_OK with a row to read, ERR_NOT_FOUND when
 * there is no more, else the error. */
err_t q_step(q_stmt *st) STORE_WUR;
/* Runs the statement to its end, discarding any rows. */
err_t q_exec(q_stmt *st) STORE_WUR;
/* Rows inserted, updated or deleted by the statement's run (0 for a
 * SELECT); valid once the run ended (q_exec, or q_step said ERR_NOT_FOUND). */
int64_t q_changes(const q_stmt *st);
/* Ends the run (frees its result, releases its read snapshot). Done by
 * q_prep and q_put too; call it when you stop reading rows early. */
void q_done(q_stmt *st);

/* Columns of the current row, numbered from 0. */
bool q_col_null(q_stmt *st, int i);
int64_t q_col_int(q_stmt *st, int i); /* NULL reads 0; a boolean 0/1 */
double q_col_real(q_stmt *st, int i); /* NULL reads 0 */
bool q_col_bool(q_stmt *st, int i);   /* INTEGER 0/1 or BOOLEAN; NULL reads false */
/* Text copied into ar; NULL for SQL NULL (or when out of memory). */
const char *q_col_text(q_stmt *st, arena_t *ar, int i);

/* ---- row readers ----------------------------------------------------------------- */

/* Column i of a row goes to fields[i] of a struct: a table per struct,
 * static const, beside the query whose columns it reads, e.g.
 *   static const q_field GROUP_F[] = {QF(INT64, store_group, id),
 *                                     QF(TEXT, store_group, name), ...};
 * QF checks the member's size against the type at run time (ERR_INTERNAL). */
typedef enum { QF_SKIP, QF_INT64, QF_INT, QF_REAL, QF_BOOL, QF_TEXT } q_ftype;
typedef struct {
    q_ftype t;
    size_t off, size;
} q_field;
/* clang-format off */
#define QF(type, T, member) {QF_##type, offsetof(T, member), sizeof(((T *)0)->member)}
#define QF_SKIP_COL         {QF_SKIP, 0, 0}
/* clang-format on */
#define Q_NF(fields) (sizeof(fields) / sizeof((fields)[0]))
/* The tables of a one-column query read straight into an int64_t or a
 * const char * (q_one), or an array of them (q_list, q_rows):
 *   int64_t *ids; q_list(s, ar, sql, Q_COL_INT64, &ids, &n, ...) */
extern const q_field Q_COL_INT64[1], Q_COL_TEXT[1];

/* Reads the current row into out through f[0..nf); text into ar. Members
 * not in the table are left as they are. */
err_t q_read(q_stmt *st, arena_t *ar, const q_field *f, size_t nf, void *out) STORE_WUR;
/* Steps st to its end, reading every row into an arena array of elem-sized
 * zeroed items (*out, *n; NULL and 0 when no row). */
err_t q_collect_f(q_stmt *st, arena_t *ar, const q_field *f, size_t nf, size_t elem, void **out,
                  size_t *n) STORE_WUR;
/* q_collect(st, ar, FIELDS, &arr, &n) with arr a T* and FIELDS an array. */
#define q_collect(st, ar, fields, out, n) q_collect_f((st), (ar), Q_LIST(fields, out, n))

/* ---- one-liners ---------------------------------------------------------------------
 * The common shapes, binds given as Q_* values after the fixed arguments
 * (none is allowed). sql may be a q_pick(...) of a pair.
 *
 * On a connection (inside q_tx, or a q_get borrow):
 *   q_run(c, sql, &changed, binds...)         runs; changed (may be NULL)
 *   q_must(c, sql, binds...)                  runs; ERR_NOT_FOUND when no
 *                                             row changed (an UPDATE of a
 *                                             row that must be there)
 *   q_row(c, ar, sql, FIELDS, &out, binds...) the first row into out;
 *                                             ERR_NOT_FOUND when none
 *   q_rows(c, ar, sql, FIELDS, &arr, &n, binds...)  every row
 *   q_row_int(c, sql, &v, binds...)           column 0 of the first row
 *                                             (RETURNING id, COUNT(*)); v may
 *                                             be NULL (SELECT 1: does it exist?)
 * On a store (one pooled connection, one statement, no transaction):
 *   q_write(s, sql, must_change, binds...)    ERR_NOT_FOUND when
 *                                             must_change and no row changed
 *   q_write_n(s, sql, &changed, binds...)     runs; the rows it changed
 *   q_one(s, ar, sql, FIELDS, &out, binds...) as q_row
 *   q_list(s, ar, sql, FIELDS, &arr, &n, binds...)
 *   q_one_int(s, sql, &v, binds...)           as q_row_int (v may be NULL) */
#define Q_VALS(...)                                                                                \
    (const q_val[]){__VA_ARGS__}, sizeof((const q_val[]){__VA_ARGS__}) / sizeof(q_val)

err_t q_run_v(q_conn *c, const char *sql, int64_t *changed, const q_val *v, size_t n) STORE_WUR;
err_t q_must_v(q_conn *c, const char *sql, const q_val *v, size_t n) STORE_WUR;
err_t q_row_v(q_conn *c, arena_t *ar, const char *sql, const q_field *f, size_t nf, void *out,
              const q_val *v, size_t n) STORE_WUR;
err_t q_rows_v(q_conn *c, arena_t *ar, const char *sql, const q_field *f, size_t nf, size_t elem,
               void **out, size_t *nout, const q_val *v, size_t n) STORE_WUR;
err_t q_row_int_v(q_conn *c, const char *sql, int64_t *out, const q_val *v, size_t n) STORE_WUR;
err_t q_write_v(store_t *s, const char *sql, bool must_change, const q_val *v, size_t n) STORE_WUR;
err_t q_write_n_v(store_t *s, const char *sql, int64_t *changed, const q_val *v,
                  size_t n) STORE_WUR;
err_t q_one_v(store_t *s, arena_t *ar, const char *sql, const q_field *f, size_t nf, void *out,
              const q_val *v, size_t n) STORE_WUR;
err_t q_list_v(store_t *s, arena_t *ar, const char *sql, const q_field *f, size_t nf, size_t elem,
               void **out, size_t *nout, const q_val *v, size_t n) STORE_WUR;
err_t q_one_int_v(store_t *s, const char *sql, int64_t *out, const q_val *v, size_t n) STORE_WUR;

/* The arguments a field table and an output make (Q_NF, sizeof, cast). */
#define Q_ROW(fields, out)     (fields), Q_NF(fields), (out)
#define Q_LIST(fields, out, n) (fields), Q_NF(fields), sizeof **(out), (void **)(out), (n)

#define q_run(c, sql, changed, ...)       q_run_v((c), (sql), (changed), Q_VALS(__VA_ARGS__))
#define q_must(c, sql, ...)               q_must_v((c), (sql), Q_VALS(__VA_ARGS__))
#define q_write(s, sql, must_change, ...) q_write_v((s), (sql), (must_change), Q_VALS(__VA_ARGS__))
#define q_write_n(s, sql, changed, ...)   q_write_n_v((s), (sql), (changed), Q_VALS(__VA_ARGS__))
#define q_row(c, a, sql, F, o, ...)       q_row_v((c), (a), (sql), Q_ROW(F, o), Q_VALS(__VA_ARGS__))
#define q_one(s, a, sql, F, o, ...)       q_one_v((s), (a), (sql), Q_ROW(F, o), Q_VALS(__VA_ARGS__))
#define q_rows(c, ar, sql, F, out, n, ...)                                                         \
    q_rows_v((c), (ar), (sql), Q_LIST(F, out, n), Q_VALS(__VA_ARGS__))
#define q_list(s, ar, sql, F, out, n, ...)                                                         \
    q_list_v((s), (ar), (sql), Q_LIST(F, out, n), Q_VALS(__VA_ARGS__))
#define q_row_int(c, sql, out, ...) q_row_int_v((c), (sql), (out), Q_VALS(__VA_ARGS__))
#define q_one_int(s, sql, out, ...) q_one_int_v((s), (sql), (out), Q_VALS(__VA_ARGS__))

/* A store function that is one query by one key ($1, bound as BIND: Q_INT,
 * Q_TEXT): Q_ONE_FN reads the first row into *out (ERR_NOT_FOUND when
 * none), Q_LIST_FN every row into an arena array, through FIELDS. The
 * declaration in store.h stays the contract; these write only the body:
 *   Q_ONE_FN(store_user_get, store_user, int64_t, Q_INT, USER_F, USER_COLS " WHERE id = $1") */
#define Q_ONE_FN(name, T, KEY, BIND, FIELDS, SQL)                                                  \
    err_t name(store_t *s, arena_t *ar, KEY key, T *out)                                           \
    {                                                                                              \
        static const char sql[] = SQL;                                                             \
        return q_one(s, ar, sql, FIELDS, out, BIND(key));                                          \
    }
#define Q_LIST_FN(name, T, KEY, BIND, FIELDS, SQL)                                                 \
    err_t name(store_t *s, arena_t *ar, KEY key, T **out, size_t *n)                               \
    {                                                                                              \
        static const char sql[] = SQL;                                                             \
        return q_list(s, ar, sql, FIELDS, out, n, BIND(key));                                      \
    }
/* The same for every row of a query without a parameter (Q_ALL_FN). */
#define Q_ALL_FN(name, T, FIELDS, SQL)                                                             \
    err_t name(store_t *s, arena_t *ar, T **out, size_t *n)                                        \
    {                                                                                              \
        static const char sql[] = SQL;                                                             \
        return q_list(s, ar, sql, FIELDS, out, n);                                                 \
    }

/* The claim of a work queue (inbound, outbox, attachments, case_rules): up
 * to $3 rows due at $1 get a lease to $1 + $2 and one more attempt, with
 * SKIP LOCKED so that instances claiming at once take different rows.
 * due is the WHERE of the queue's partial index (next_attempt_at <= $1 is
 * added), order its columns; cols the RETURNING list. Bind Q_INT(now),
 * Q_INT(lease), Q_INT(max). */
#define Q_CLAIM(table, key, due, order, cols)                                                      \
    "UPDATE " table " SET next_attempt_at = $1 + $2, attempts = attempts + 1 WHERE " key           \
    " IN (SELECT " key " FROM " table " WHERE " due " AND next_attempt_at <= $1 ORDER BY " order   \
    " LIMIT $3 {SKIP_LOCKED}) RETURNING " cols

/* The engine's text of a pair, for the one-liners: q_pick(s, &PAIR) on a
 * store, q_pick(c, &PAIR) on a connection. */
const char *q_pick_s(const store_t *s, const q_sql2 *sql);
const char *q_pick_c(const q_conn *c, const q_sql2 *sql);
#define q_pick(x, sql) _Generic((x), store_t * : q_pick_s, q_conn * : q_pick_c)((x), (sql))

#endif
