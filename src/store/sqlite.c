/* The SQLite store: pool, migrations, and everything but cases. */
#include "store/sqlite_int.h"

#include "core/embed.h"
#include "core/log.h"
#include "store/drv.h"
#include "store/migrate_int.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How long a connection waits for another writer before giving up: long
 * enough for any of our short transactions, short enough to answer 503. */
#define BUSY_TIMEOUT_MS 5000

typedef struct sq_store {
    store_t base;
    /* One writer of this process at a time; a thread that asked for it
     * (store_prefer_writes: the webhook committer) goes before the others
     * that wait, so a burst of webhooks is not held up by background work. */
    pthread_mutex_t write_mu;
    pthread_cond_t write_cv;
    bool write_held;
    unsigned write_preferred; /* preferred threads waiting */
    conn_t *conns;
    unsigned n;
    conn_t **free; /* stack of idle connections */
    unsigned nfree;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    char *path;  /* the database file */
    int lock_fd; /* PATH.lock, held by store_claim; -1 when not */
} sq_store;

/* PRAGMA synchronous levels (sqlite.org/pragma.html#pragma_synchronous). */
#define SYNC_NORMAL 1
#define SYNC_FULL   2

static err_t exec_sql(conn_t *c, const char *sql, const char *what);

/* In WAL mode, synchronous=FULL syncs the WAL at every commit: the commit
 * survives a power cut. NORMAL syncs only at checkpoints: a process crash
 * loses nothing (the WAL is in the kernel's cache), a power cut loses the
 * commits since the last sync. The level is per connection and applies
 * at commit, so a borrowed connection is set for its borrower: FULL under
 * STORE_DURABLE_FSYNC unless the thread's commits are redoable. A FULL
 * commit syncs the whole WAL file, so it makes every earlier NORMAL commit
 * of any connection durable as well (store_redo_commits relies on it). */
static void set_sync(sq_store *s, conn_t *c)
{
    int want =
        s->base.durability == STORE_DURABLE_FSYNC && !store_thread_redo() ? SYNC_FULL : SYNC_NORMAL;
    if (c->sync == want)
        return;
    if (exec_sql(c, want == SYNC_FULL ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL",
                 "synchronous") == ERR_OK)
        c->sync = want;
}

conn_t *sq_get(store_t *base)
{
    sq_store *s = (sq_store *)base;
    pthread_mutex_lock(&s->mu);
    while (s->nfree == 0)
        pthread_cond_wait(&s->cv, &s->mu);
    conn_t *c = s->free[--s->nfree];
    pthread_mutex_unlock(&s->mu);
    set_sync(s, c);
    return c;
}

void sq_put(store_t *base, conn_t *c)
{
    sq_store *s = (sq_store *)base;
    if (!c)
        return;
    if (!sqlite3_get_autocommit(c->db)) {
        /* A caller left a transaction open: a bug, but never leak it. */
        log_error("store", "event=open_transaction_returned");
        sq_rollback(c);
    }
    sq_write_unlock(c);
    pthread_mutex_lock(&s->mu);
    s->free[s->nfree++] = c;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

err_t sq_err(conn_t *c, int rc, const char *what)
{
    int base = rc & 0xff;
    if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
        return ERR_CONFLICT;
    if (base == SQLITE_CONSTRAINT) {
        log_warn("store", "event=constraint what=%s msg=\"%s\"", what, sqlite3_errmsg(c->db));
        return ERR_INVALID;
    }
    if (base == SQLITE_BUSY || base == SQLITE_LOCKED) {
        log_warn("store", "event=busy what=%s", what);
        return ERR_UNAVAILABLE;
    }
    log_error("store", "event=sqlite_error what=%s rc=%d msg=\"%s\"", what, rc,
              sqlite3_errmsg(c->db));
    return ERR_DB;
}

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
    int rc = sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
    if (rc != SQLITE_OK) {
        log_error("store", "event=prepare_failed msg=\"%s\"", sqlite3_errmsg(c->db));
        return NULL;
    }
    if (c->ncache < CONN_STMT_MAX) {
        c->cache[c->ncache].sql = sql;
        c->cache[c->ncache].st = st;
        c->ncache++;
    } else {
        /* Cannot happen while the query count stays under the cap; a test
         * would show it. Keep working, leaking nothing: finalize on reset. */
        log_error("store", "event=stmt_cache_full");
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

static err_t exec_sql(conn_t *c, const char *sql, const char *what)
{
    char *msg = NULL;
    int rc = sqlite3_exec(c->db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        log_error("store", "event=exec_failed what=%s msg=\"%s\"", what, msg ? msg : "");
        sqlite3_free(msg);
        return (rc & 0xff) == SQLITE_BUSY ? ERR_UNAVAILABLE : ERR_DB;
    }
    return ERR_OK;
}

static __thread bool preferred;

void store_prefer_writes(void) { preferred = true; }

void sq_write_lock(conn_t *c)
{
    if (c->writing)
        return;
    sq_store *s = c->owner;
    pthread_mutex_lock(&s->write_mu);
    if (preferred) {
        s->write_preferred++;
        while (s->write_held)
            pthread_cond_wait(&s->write_cv, &s->write_mu);
        s->write_preferred--;
    } else {
        while (s->write_held || s->write_preferred)
            pthread_cond_wait(&s->write_cv, &s->write_mu);
    }
    s->write_held = true;
    pthread_mutex_unlock(&s->write_mu);
    c->writing = true;
}

void sq_write_unlock(conn_t *c)
{
    if (!c->writing)
        return;
    sq_store *s = c->owner;
    c->writing = false;
    pthread_mutex_lock(&s->write_mu);
    s->write_held = false;
    /* Few threads ever wait here (the committer, the worker, the
     * scheduler, a dashboard write): waking them all is cheap and lets a
     * preferred one through first. */
    pthread_cond_broadcast(&s->write_cv);
    pthread_mutex_unlock(&s->write_mu);
}

err_t sq_begin(conn_t *c)
{
    sq_write_lock(c);
    err_t e = exec_sql(c, "BEGIN IMMEDIATE", "begin");
    if (e != ERR_OK)
        sq_write_unlock(c);
    return e;
}

err_t sq_commit(conn_t *c)
{
    err_t e = exec_sql(c, "COMMIT", "commit");
    if (e != ERR_OK)
        sq_rollback(c);
    sq_write_unlock(c);
    return e;
}

void sq_rollback(conn_t *c)
{
    if (!sqlite3_get_autocommit(c->db))
        (void)exec_sql(c, "ROLLBACK", "rollback");
    sq_write_unlock(c);
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
 * first, and keeps it until the connection goes back to the pool: SQLite
 * would otherwise let it race for the database's own write lock with the
 * busy handler, where nobody goes first and a waiter spins. */
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

static void conn_close(conn_t *c)
{
    q_conn_free(c->q);
    c->q = NULL;
    for (int i = 0; i < c->ncache; i++)
        sqlite3_finalize(c->cache[i].st);
    c->ncache = 0;
    sqlite3_close_v2(c->db);
    c->db = NULL;
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

/* SQLite's own busy handler sleeps whole milliseconds, growing to 100 ms
 * per wait: under a burst of webhook writes from several threads that is
 * the whole latency budget. This one waits 100 us at a time, for as long
 * in total as BUSY_TIMEOUT_MS. */
static int on_busy(void *arg, int count)
{
    (void)arg;
    if ((int64_t)count * 100 >= (int64_t)BUSY_TIMEOUT_MS * 1000)
        return 0;
    struct timespec ts = {0, 100 * 1000};
    nanosleep(&ts, NULL);
    return 1;
}

static err_t conn_open(conn_t *c, const char *path)
{
    int rc = sqlite3_open_v2(
        path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        log_error("store", "event=open_failed path=%s msg=\"%s\"", path,
                  c->db ? sqlite3_errmsg(c->db) : "out of memory");
        return ERR_UNAVAILABLE;
    }
    sqlite3_extended_result_codes(c->db, 1);
    sqlite3_busy_handler(c->db, on_busy, NULL);
    /* WAL lets readers run beside the writer. The synchronous level is set
     * for each borrower (set_sync): FULL until then, the safe side. */
    err_t e = exec_sql(c,
                       "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                       "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;"
                       "PRAGMA wal_autocheckpoint=0; PRAGMA journal_size_limit=67108864;",
                       "pragmas");
    /* Deleted and overwritten content is zeroed in the file (retention of
     * personal data, issue #13.6: a removed webhook body must not live on
     * in free space, nor in a backup copied from it). Debian builds SQLite
     * with this on already; it costs no extra I/O on in-page content. */
    if (e == ERR_OK)
        e = exec_sql(c, "PRAGMA secure_delete=ON;", "secure_delete");
    c->sync = SYNC_FULL;
    return e;
}

const store_ops sq_ops = {
    .engine = "sqlite",
#define X(name, params, args) .name = sq_##name,
    STORE_FUNCS(X)
#undef X
        .close = sq_close,
};

err_t sq_open(const char *url, unsigned pool_size, store_t **out)
{
    *out = NULL;
    if (strncmp(url, "sqlite:", 7) != 0 || !url[7])
        return ERR_INVALID;
    const char *path = url + 7;
    if (pool_size == 0)
        pool_size = 1;
    sq_store *s = calloc(1, sizeof *s);
    if (!s)
        return ERR_NOMEM;
    s->conns = calloc(pool_size, sizeof *s->conns);
    s->free = calloc(pool_size, sizeof *s->free);
    if (!s->conns || !s->free) {
        free(s->conns);
        free(s->free);
        free(s);
        return ERR_NOMEM;
    }
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    pthread_mutex_init(&s->write_mu, NULL);
    pthread_cond_init(&s->write_cv, NULL);
    s->lock_fd = -1;
    s->path = strdup(path);
    err_t e = s->path ? ERR_OK : ERR_NOMEM;
    for (unsigned i = 0; i < pool_size && e == ERR_OK; i++) {
        s->conns[i].owner = s;
        e = conn_open(&s->conns[i], path);
        s->n = i + 1;
        s->free[s->nfree++] = &s->conns[i];
    }
    s->base.ops = &sq_ops;
    s->base.drv = &drv_sqlite;
    if (e != ERR_OK) {
        sq_close(&s->base);
        return e;
    }
    *out = &s->base;
    return ERR_OK;
}

void sq_close(store_t *base)
{
    sq_store *s = (sq_store *)base;
    if (!s)
        return;
    for (unsigned i = 0; i < s->n; i++)
        conn_close(&s->conns[i]);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->write_mu);
    pthread_cond_destroy(&s->write_cv);
    if (s->lock_fd >= 0)
        close(s->lock_fd);
    free(s->path);
    free(s->conns);
    free(s->free);
    free(s);
}

/* A second server on the same file would mean two writers fighting over
 * one lock and background work done twice: refuse it. The lock is an
 * advisory flock on PATH.lock, released by the kernel if we die. */
err_t sq_claim(store_t *base)
{
    sq_store *s = (sq_store *)base;
    char lock[4096];
    if (s->lock_fd >= 0)
        return ERR_OK;
    snprintf(lock, sizeof lock, "%s.lock", s->path);
    int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0) {
        log_error("store", "event=lock_open_failed path=%s errno=%d", lock, errno);
        return ERR_IO;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        close(fd);
        return ERR_CONFLICT;
    }
    s->lock_fd = fd;
    /* Owning the file means every lease in it was held by a process that is
     * gone (a crash): the claimed work comes back at once, not after the
     * lease runs out. */
    conn_t *c = sq_get(base);
    char *msg = NULL;
    int rc = sqlite3_exec(c->db,
                          "UPDATE wa_inbox SET next_attempt_at = 0 WHERE state = 'new';"
                          "UPDATE wa_outbox SET next_attempt_at = 0 WHERE state = 'pending'",
                          NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        log_warn("store", "event=lease_reset_failed msg=\"%s\"", msg ? msg : "");
    sqlite3_free(msg);
    sq_put(base, c);
    return ERR_OK;
}

err_t sq_check_durable(store_t *s, store_durability d, char *why, size_t cap)
{
    (void)s;
    (void)d;
    (void)cap;
    why[0] = '\0';
    return ERR_OK; /* the connections sync the file themselves (set_sync) */
}

err_t sq_ping(store_t *s)
{
    conn_t *c = sq_get(s);
    err_t e = ERR_UNAVAILABLE;
    sqlite3_stmt *st = sq_prep(c, "SELECT 1");
    if (st && sqlite3_step(st) == SQLITE_ROW)
        e = ERR_OK;
    if (st)
        sqlite3_reset(st);
    sq_put(s, c);
    return e;
}

/* ---- migrations ---------------------------------------------------------- */

static const char SQL_MIG_TABLE[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL, applied_at INTEGER NOT NULL)";
static const char SQL_MIG_MAX[] = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
static const char SQL_MIG_ADD[] =
    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, strftime('%s','now'))";
static const char SQL_MIG_HAS[] = "SELECT 1 FROM schema_migrations WHERE version = ?";

err_t sq_schema_version(store_t *s, int *version)
{
    conn_t *c = sq_get(s);
    err_t e = exec_sql(c, SQL_MIG_TABLE, "migrations_table");
    sqlite3_stmt *st = e == ERR_OK ? sq_prep(c, SQL_MIG_MAX) : NULL;
    if (e == ERR_OK && !st)
        e = ERR_DB;
    if (st) {
        if (sqlite3_step(st) == SQLITE_ROW)
            *version = (int)sqlite3_column_int(st, 0);
        else
            e = sq_err(c, sqlite3_extended_errcode(c->db), "schema_version");
        sqlite3_reset(st);
    }
    sq_put(s, c);
    return e;
}

/* True (1) when version is recorded, 0 when not, -1 on error. */
static int recorded(conn_t *c, int version)
{
    sqlite3_stmt *st = sq_prep(c, SQL_MIG_HAS);
    if (!st)
        return -1;
    sqlite3_bind_int(st, 1, version);
    int rc = sqlite3_step(st), out = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
    sqlite3_reset(st);
    return out;
}

err_t sq_migrate_files(store_t *s, const embed_file *files, size_t n, int *applied)
{
    int have = 0, count = 0;
    size_t m = 0;
    if (applied)
        *applied = 0;
    store_mig *plan = calloc(n ? n : 1, sizeof *plan);
    if (!plan)
        return ERR_NOMEM;
    err_t e = store_mig_plan(files, n, "sqlite", plan, &m);
    if (e == ERR_OK)
        e = sq_schema_version(s, &have); /* creates the table */
    if (e != ERR_OK) {
        free(plan);
        return e;
    }
    conn_t *c = sq_get(s);
    for (size_t i = 0; i < m && e == ERR_OK; i++) {
        const embed_file *f = plan[i].file;
        int v = plan[i].version;
        e = sq_begin(c);
        if (e != ERR_OK)
            break;
        /* Every migration not yet recorded, in number order: one merged
         * late under a lower number than the newest applied still runs. */
        int has = recorded(c, v);
        if (has != 0) {
            e = has < 0 ? sq_err(c, sqlite3_extended_errcode(c->db), "migration_recorded") : ERR_OK;
            if (e == ERR_OK)
                e = sq_commit(c);
            else
                sq_rollback(c);
            continue;
        }
        if (v < have)
            log_warn("store", "event=migration_late name=%s newest=%d", f->name, have);
        e = exec_sql(c, (const char *)f->data, f->name);
        sqlite3_stmt *st = e == ERR_OK ? sq_prep(c, SQL_MIG_ADD) : NULL;
        if (e == ERR_OK && !st)
            e = ERR_DB;
        if (st) {
            sqlite3_bind_int(st, 1, v);
            sqlite3_bind_text(st, 2, f->name, -1, SQLITE_STATIC);
            e = sq_exec_stmt(c, st, "migration_record");
        }
        if (e == ERR_OK)
            e = sq_commit(c);
        if (e != ERR_OK) {
            sq_rollback(c);
            log_error("store", "event=migration_failed name=%s", f->name);
        } else {
            log_info("store", "event=migration_applied name=%s", f->name);
            count++;
        }
    }
    sq_put(s, c);
    free(plan);
    if (applied)
        *applied = count;
    return e;
}

err_t sq_migrate(store_t *s, int *applied)
{
    return sq_migrate_files(s, embed_migrations, embed_migrations_count, applied);
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

/* Checkpoints the WAL from the background worker, so that no request
 * thread pays for it (autocheckpoint is off on every connection). */
err_t sq_maintain(store_t *s)
{
    conn_t *c = sq_get(s);
    int log = 0, done = 0;
    int rc = sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
    sq_put(s, c);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY)
        log_warn("store", "event=checkpoint_failed rc=%d", rc);
    return ERR_OK;
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
