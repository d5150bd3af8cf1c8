/* The SQLite driver (see drv.h): the pool, its write lock with the
 * committer's preference, the busy handler, WAL and the synchronous level
 * per borrower, BEGIN IMMEDIATE, the lock file of store_claim, checkpoints.
 * Parameters arrive as ?N (q.c rewrote $N): SQLite numbers "$1"-named
 * parameters by first appearance, so "$2 ... $1" would bind backwards.
 */
#include "store/drv.h"

#include "core/log.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

/* How long a connection waits for another writer before giving up: long
 * enough for any of our short transactions, short enough to answer 503. */
#define BUSY_TIMEOUT_MS 5000

/* PRAGMA synchronous levels (sqlite.org/pragma.html#pragma_synchronous). */
#define SYNC_NORMAL 1
#define SYNC_FULL   2

typedef struct conn {
    sqlite3 *db;
    struct sq_store *owner; /* for the write lock */
    bool writing;           /* holds the store's write lock */
    int sync;               /* PRAGMA synchronous in force: SYNC_NORMAL or SYNC_FULL */
    q_conn *q;              /* the executor's connection around this one */
} conn_t;

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
    q_pool pool;
    char *path;  /* the database file */
    int lock_fd; /* PATH.lock, held by store_claim; -1 when not */
    /* Live events committed (committed()), for wait_notify: this process
     * is the database's only server. */
    pthread_mutex_t live_mu;
    pthread_cond_t live_cv;
    uint64_t live_gen, live_seen;
} sq_store;

static conn_t *conn(q_conn *c) { return c->d; }

/* Maps a result code, logging the database's message. */
static err_t sq_err(conn_t *c, int rc, const char *what)
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

static err_t exec(q_conn *c, const char *script)
{
    char what[48];
    snprintf(what, sizeof what, "\"%.40s\"", script);
    what[strcspn(what, "\n")] = '\0';
    return exec_sql(conn(c), script, what);
}

/* ---- the write lock ------------------------------------------------------------------ */

static __thread bool preferred;

void store_prefer_writes(void) { preferred = true; }

/* The store's write lock, taken before BEGIN IMMEDIATE or a statement
 * that writes outside a transaction: writers of this process queue on it
 * instead of polling SQLite's lock. Released by commit, rollback or put. */
static void sq_write_lock(conn_t *c)
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

static void sq_write_unlock(conn_t *c)
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

static void rollback(q_conn *q)
{
    conn_t *c = conn(q);
    if (!sqlite3_get_autocommit(c->db))
        (void)exec_sql(c, "ROLLBACK", "rollback");
    sq_write_unlock(c);
}

/* BEGIN IMMEDIATE after the process's write lock: writers of this process
 * queue on it instead of polling SQLite's lock, the preferred one first. */
static err_t begin(q_conn *q)
{
    sq_write_lock(conn(q));
    err_t e = exec_sql(conn(q), "BEGIN IMMEDIATE", "begin");
    if (e != ERR_OK)
        sq_write_unlock(conn(q));
    return e;
}

static err_t commit(q_conn *q)
{
    err_t e = exec_sql(conn(q), "COMMIT", "commit");
    if (e != ERR_OK)
        rollback(q);
    sq_write_unlock(conn(q));
    return e;
}

/* ---- the pool ------------------------------------------------------------------------ */

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

static err_t get(store_t *base, q_conn **out)
{
    sq_store *s = (sq_store *)base;
    conn_t *c = conn(q_pool_take(&s->pool));
    set_sync(s, c);
    *out = c->q;
    return ERR_OK;
}

static void put(q_conn *q)
{
    sq_store *s = (sq_store *)q->s;
    conn_t *c = conn(q);
    if (!sqlite3_get_autocommit(c->db)) {
        /* A caller left a transaction open: a bug, but never leak it. */
        log_error("store", "event=open_transaction_returned");
        rollback(q);
    }
    sq_write_unlock(c);
    q_pool_give(&s->pool, q);
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

static err_t conn_open(sq_store *s, conn_t *c)
{
    c->owner = s;
    if (!(c->q = q_conn_new(&s->base, &drv_sqlite, c)))
        return ERR_NOMEM;
    int rc = sqlite3_open_v2(
        s->path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        log_error("store", "event=open_failed path=%s msg=\"%s\"", s->path,
                  c->db ? sqlite3_errmsg(c->db) : "out of memory");
        return ERR_UNAVAILABLE;
    }
    sqlite3_extended_result_codes(c->db, 1);
    sqlite3_busy_handler(c->db, on_busy, NULL);
    /* WAL lets readers run beside the writer. The synchronous level is set
     * for each borrower (set_sync): FULL until then, the safe side. Deleted
     * and overwritten content is zeroed in the file (retention of personal
     * data, issue #13.6: a removed webhook body must not live on in free
     * space, nor in a backup copied from it). */
    c->sync = SYNC_FULL;
    return exec_sql(c,
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                    "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;"
                    "PRAGMA wal_autocheckpoint=0; PRAGMA journal_size_limit=67108864;"
                    "PRAGMA secure_delete=ON;",
                    "pragmas");
}

static void close_store(store_t *base)
{
    sq_store *s = (sq_store *)base;
    if (!s)
        return;
    for (unsigned i = 0; i < s->n; i++) {
        conn_t *c = &s->conns[i];
        q_conn_free(c->q);
        sqlite3_close_v2(c->db);
    }
    q_pool_free(&s->pool);
    pthread_mutex_destroy(&s->write_mu);
    pthread_cond_destroy(&s->write_cv);
    pthread_mutex_destroy(&s->live_mu);
    pthread_cond_destroy(&s->live_cv);
    if (s->lock_fd >= 0)
        close(s->lock_fd);
    free(s->path);
    free(s->conns);
    free(s);
}

static err_t open_store(const char *url, unsigned pool_size, store_t **out)
{
    *out = NULL;
    if (strncmp(url, "sqlite:", 7) != 0 || !url[7])
        return ERR_INVALID;
    pool_size = pool_size ? pool_size : 1;
    sq_store *s = calloc(1, sizeof *s);
    if (!s)
        return ERR_NOMEM;
    pthread_mutex_init(&s->write_mu, NULL);
    pthread_cond_init(&s->write_cv, NULL);
    pthread_mutex_init(&s->live_mu, NULL);
    pthread_cond_init(&s->live_cv, NULL);
    s->base.drv = &drv_sqlite;
    s->lock_fd = -1;
    s->path = strdup(url + 7);
    s->conns = calloc(pool_size, sizeof *s->conns);
    err_t e = q_pool_init(&s->pool, pool_size);
    if (!s->path || !s->conns)
        e = ERR_NOMEM;
    for (unsigned i = 0; i < pool_size && e == ERR_OK; i++) {
        e = conn_open(s, &s->conns[i]);
        s->n = i + 1;
        if (e == ERR_OK)
            q_pool_give(&s->pool, s->conns[i].q);
    }
    if (e != ERR_OK) {
        close_store(&s->base);
        return e;
    }
    *out = &s->base;
    return ERR_OK;
}

/* A second server on the same file would mean two writers fighting over
 * one lock and background work done twice: refuse it. The lock is an
 * advisory flock on PATH.lock, released by the kernel if we die; owning
 * it means every lease in the file was held by a process that is gone. */
static err_t claim(store_t *base, bool *alone)
{
    sq_store *s = (sq_store *)base;
    char lock[4096];
    *alone = false;
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
    *alone = true;
    return ERR_OK;
}

/* The connections sync the file themselves (set_sync). */
static err_t durable(store_t *s, store_durability d, char *why, size_t cap)
{
    (void)s, (void)d, (void)cap;
    why[0] = '\0';
    return ERR_OK;
}

/* Checkpoints the WAL from the background worker, so that no request
 * thread pays for it (autocheckpoint is off on every connection). */
static void maintain(store_t *s)
{
    q_conn *q = NULL;
    int log = 0, done = 0;
    get(s, &q); /* does not fail */
    int rc = sqlite3_wal_checkpoint_v2(conn(q)->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
    put(q);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY)
        log_warn("store", "event=checkpoint_failed rc=%d", rc);
}

static err_t copy_in(q_conn *c, const char *sql, q_copy_fill fill, void *ctx)
{
    (void)c, (void)sql, (void)fill, (void)ctx;
    return ERR_INTERNAL; /* copying goes from SQLite into PostgreSQL */
}

/* While aduan commits, the backup's read may find the database busy for a
 * moment (a checkpoint): tried again every 50 ms for up to 30 s. */
#define BACKUP_TRIES 600
#define BACKUP_NS    50000000L

/* The online backup of the store's database into dest: one step, so one
 * read snapshot (WAL: writers go on meanwhile), then a rollback-journal
 * file, self-contained (no -wal beside it). */
static err_t backup(store_t *s, const char *dest, char *why, size_t cap)
{
    q_conn *q = NULL;
    sqlite3 *dst = NULL;
    sqlite3_backup *b = NULL;
    int rc = SQLITE_OK;
    err_t e = ERR_IO;
    get(s, &q); /* does not fail */
    if (sqlite3_open_v2(dest, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
        snprintf(why, cap, "cannot open %s", dest);
    else if (!(b = sqlite3_backup_init(dst, "main", conn(q)->db, "main")))
        snprintf(why, cap, "backup: %s", sqlite3_errmsg(dst));
    for (int i = 0; b && i < BACKUP_TRIES; i++) {
        rc = sqlite3_backup_step(b, -1);
        if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
            break;
        struct timespec ts = {0, BACKUP_NS};
        nanosleep(&ts, NULL);
    }
    if (b && sqlite3_backup_finish(b) == SQLITE_OK && rc == SQLITE_DONE) {
        if (sqlite3_exec(dst, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL) == SQLITE_OK)
            e = ERR_OK;
        else
            snprintf(why, cap, "backup: %s", sqlite3_errmsg(dst));
    } else if (b) {
        snprintf(why, cap, "backup failed: %s", sqlite3_errstr(rc));
    }
    sqlite3_close(dst);
    put(q);
    return e;
}

/* ---- statements ---------------------------------------------------------------------- */

/* Maps rc, logging the statement. */
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
     * pool: otherwise it would race for the database's lock in the busy
     * handler, where nobody goes first. */
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

/* One process serves a SQLite database: a commit with live events wakes
 * the waiter at once (what other processes write, the CLI's, is found by
 * the caller's periodic look). */
static err_t wait_notify(store_t *base, const char *channel, int timeout_ms, bool *notified)
{
    sq_store *s = (sq_store *)base;
    (void)channel;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&s->live_mu);
    if (s->live_gen == s->live_seen)
        pthread_cond_timedwait(&s->live_cv, &s->live_mu, &until);
    *notified = s->live_gen != s->live_seen;
    s->live_seen = s->live_gen;
    pthread_mutex_unlock(&s->live_mu);
    return ERR_OK;
}

static void committed(store_t *base)
{
    sq_store *s = (sq_store *)base;
    pthread_mutex_lock(&s->live_mu);
    s->live_gen++;
    pthread_cond_broadcast(&s->live_cv);
    pthread_mutex_unlock(&s->live_mu);
}

const q_driver drv_sqlite = Q_DRIVER_TABLE("sqlite", Q_SQLITE, '?');
