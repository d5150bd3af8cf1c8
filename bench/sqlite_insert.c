/* sqlite_insert: how fast can inbound rows be committed into SQLite on this
 * machine, by the way the inserts are organised? No HTTP: T threads insert
 * webhook-sized rows as fast as they can (closed loop), into a table shaped
 * like aduan's inbound (same index, same pragmas: WAL, synchronous=NORMAL,
 * the same 100 us busy handler). Evidence for bench/README.md.
 *
 *   sqlite_insert -m MODE -t THREADS -n ROWS [-f DBFILE] [-T MAX_SECONDS]
 *
 * MODE:
 *   pool     one connection per thread, one autocommit INSERT per row: what
 *            aduan does today with ADUAN_DB_POOL_SIZE = ADUAN_THREADS
 *   single   one connection shared under a mutex (ADUAN_DB_POOL_SIZE=1)
 *   ckpt     like pool, but wal_autocheckpoint=0 and a checkpointer thread
 *            (PASSIVE every 50 ms, RESTART when the WAL grows past 64 MB)
 *   group    group commit: threads queue their row and wait; one writer
 *            thread commits everything queued in one transaction, then wakes
 *            them (the reply would be sent after that)
 *
 * Prints one "SQLITE mode=... rows_per_s=... p50_us=... p99_us=... max_us=...
 * wal_bytes=... avg_batch=..." line.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char SCHEMA[] =
    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
    "PRAGMA temp_store=MEMORY;"
    "CREATE TABLE IF NOT EXISTS inbound (id INTEGER PRIMARY KEY, received_at INTEGER NOT NULL,"
    " body TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'new' CHECK (state IN ('new','done','dead')),"
    " attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER NOT NULL DEFAULT 0,"
    " processed_at INTEGER, error TEXT);"
    "CREATE INDEX IF NOT EXISTS inbound_pending ON inbound(state, next_attempt_at, id);";
static const char INSERT[] =
    "INSERT INTO inbound (received_at, body, state, error) VALUES (?, ?, ?, ?)";

enum { M_POOL, M_SINGLE, M_CKPT, M_GROUP };
static int mode, nthreads;
static long nrows;
static const char *path = "/tmp/sqlite_insert.db";
static double *lat; /* microseconds, per row */
static long next_row;
static double t_start, max_seconds = 60; /* -T: stop taking rows after this */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static volatile int stop_ckpt;

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void die(const char *m, sqlite3 *db)
{
    fprintf(stderr, "sqlite_insert: %s: %s\n", m, db ? sqlite3_errmsg(db) : "");
    exit(2);
}

static int on_busy(void *a, int count)
{
    (void)a;
    if (count * 100 >= 5000 * 1000)
        return 0;
    struct timespec ts = {0, 100 * 1000};
    nanosleep(&ts, NULL);
    return 1;
}

static sqlite3 *open_db(void)
{
    sqlite3 *db;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK)
        die("open", db);
    sqlite3_busy_handler(db, on_busy, NULL);
    if (sqlite3_exec(db, SCHEMA, NULL, NULL, NULL) != SQLITE_OK)
        die("schema", db);
    if (mode == M_CKPT)
        sqlite3_exec(db, "PRAGMA wal_autocheckpoint=0", NULL, NULL, NULL);
    return db;
}

static void body_of(char *b, size_t cap, long i)
{
    snprintf(
        b, cap,
        "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"102290129340000\","
        "\"changes\":[{\"value\":{\"messaging_product\":\"whatsapp\",\"metadata\":{"
        "\"display_phone_number\":\"6281150000001\",\"phone_number_id\":\"10000000000000%ld\"},"
        "\"contacts\":[{\"profile\":{\"name\":\"Siti Rahmawati\"},\"wa_id\":\"62812%08ld\"}],"
        "\"messages\":[{\"from\":\"62812%08ld\",\"id\":\"wamid.HBgNNjI4MTIFQIAEhgUQkVOQ0gt%016lX"
        "AA==\",\"timestamp\":\"1749416383\",\"type\":\"text\",\"text\":{\"body\":\"Lampu jalan "
        "di depan rumah saya mati sudah %ld hari. Lokasi RT 01/RW 02, laporan nomor %ld.\"}}]},"
        "\"field\":\"messages\"}]}]}",
        1 + i % 3, i % 99999999, i % 99999999, i, 1 + i % 30, i);
}

static int insert_one(sqlite3 *db, sqlite3_stmt *st, const char *body)
{
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, (sqlite3_int64)time(NULL));
    sqlite3_bind_text(st, 2, body, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, "new", -1, SQLITE_STATIC);
    sqlite3_bind_null(st, 4);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE) {
        fprintf(stderr, "insert: %s\n", sqlite3_errmsg(db));
        return -1;
    }
    return 0;
}

static long take(void)
{
    double t = now_us();
    pthread_mutex_lock(&mu);
    long i = next_row < nrows && t - t_start < max_seconds * 1e6 ? next_row++ : -1;
    pthread_mutex_unlock(&mu);
    return i;
}

/* ---- pool / single / ckpt ---------------------------------------------- */

static sqlite3 *shared_db;
static sqlite3_stmt *shared_st;
static pthread_mutex_t db_mu = PTHREAD_MUTEX_INITIALIZER;

static void *worker(void *arg)
{
    (void)arg;
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    if (mode != M_SINGLE) {
        db = open_db();
        if (sqlite3_prepare_v2(db, INSERT, -1, &st, NULL) != SQLITE_OK)
            die("prepare", db);
    }
    char body[2048];
    for (long i; (i = take()) >= 0;) {
        body_of(body, sizeof body, i);
        double t = now_us();
        if (mode == M_SINGLE) {
            pthread_mutex_lock(&db_mu);
            insert_one(shared_db, shared_st, body);
            pthread_mutex_unlock(&db_mu);
        } else {
            insert_one(db, st, body);
        }
        lat[i] = now_us() - t;
    }
    if (st)
        sqlite3_finalize(st);
    if (db)
        sqlite3_close(db);
    return NULL;
}

static void *checkpointer(void *arg)
{
    (void)arg;
    sqlite3 *db = open_db();
    struct stat sb;
    char wal[1024];
    snprintf(wal, sizeof wal, "%s-wal", path);
    while (!stop_ckpt) {
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
        int big = stat(wal, &sb) == 0 && sb.st_size > 64 << 20;
        sqlite3_wal_checkpoint_v2(
            db, NULL, big ? SQLITE_CHECKPOINT_RESTART : SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    }
    sqlite3_close(db);
    return NULL;
}

/* ---- group commit -------------------------------------------------------- */

typedef struct item {
    const char *body;
    long i;
    int done;
    struct item *next;
} item_t;

static item_t *queue_head, **queue_tail = &queue_head;
static pthread_mutex_t q_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t q_cv = PTHREAD_COND_INITIALIZER; /* writer waits */
static pthread_cond_t d_cv = PTHREAD_COND_INITIALIZER; /* producers wait */
static int producers_left;
static long batches, batched;

static void *producer(void *arg)
{
    (void)arg;
    char body[2048];
    for (long i; (i = take()) >= 0;) {
        body_of(body, sizeof body, i);
        item_t it = {body, i, 0, NULL};
        double t = now_us();
        pthread_mutex_lock(&q_mu);
        *queue_tail = &it;
        queue_tail = &it.next;
        pthread_cond_signal(&q_cv);
        while (!it.done)
            pthread_cond_wait(&d_cv, &q_mu);
        pthread_mutex_unlock(&q_mu);
        lat[i] = now_us() - t;
    }
    pthread_mutex_lock(&q_mu);
    producers_left--;
    pthread_cond_signal(&q_cv);
    pthread_mutex_unlock(&q_mu);
    return NULL;
}

static void *writer(void *arg)
{
    (void)arg;
    sqlite3 *db = open_db();
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, INSERT, -1, &st, NULL) != SQLITE_OK)
        die("prepare", db);
    pthread_mutex_lock(&q_mu);
    for (;;) {
        while (!queue_head && producers_left > 0)
            pthread_cond_wait(&q_cv, &q_mu);
        if (!queue_head)
            break;
        item_t *batch = queue_head;
        queue_head = NULL;
        queue_tail = &queue_head;
        pthread_mutex_unlock(&q_mu);
        long n = 0;
        sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
        for (item_t *it = batch; it; it = it->next, n++)
            insert_one(db, st, it->body);
        if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
            die("commit", db);
        batches++;
        batched += n;
        pthread_mutex_lock(&q_mu);
        for (item_t *it = batch; it;) {
            item_t *nx = it->next; /* read before done: the producer may return */
            it->done = 1;
            it = nx;
        }
        pthread_cond_broadcast(&d_cv);
    }
    pthread_mutex_unlock(&q_mu);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return NULL;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    const char *mname = "pool";
    int ch;
    nthreads = 4;
    nrows = 100000;
    while ((ch = getopt(argc, argv, "m:t:n:f:T:")) != -1) {
        switch (ch) {
        case 'm':
            mname = optarg;
            break;
        case 't':
            nthreads = (int)strtol(optarg, NULL, 10);
            break;
        case 'n':
            nrows = strtol(optarg, NULL, 10);
            break;
        case 'f':
            path = optarg;
            break;
        case 'T':
            max_seconds = strtod(optarg, NULL);
            break;
        default:
            fprintf(stderr,
                    "usage: sqlite_insert -m pool|single|ckpt|group -t N -n ROWS [-f DB] [-T S]\n");
            return 2;
        }
    }
    if (!strcmp(mname, "pool"))
        mode = M_POOL;
    else if (!strcmp(mname, "single"))
        mode = M_SINGLE;
    else if (!strcmp(mname, "ckpt"))
        mode = M_CKPT;
    else if (!strcmp(mname, "group"))
        mode = M_GROUP;
    else
        return 2;
    if (nthreads < 1 || nthreads > 256 || nrows < 1 || nrows > 10000000)
        return 2;
    char f[1100];
    unlink(path);
    snprintf(f, sizeof f, "%s-wal", path);
    unlink(f);
    snprintf(f, sizeof f, "%s-shm", path);
    unlink(f);
    lat = calloc((size_t)nrows, sizeof *lat);
    sqlite3 *db0 = open_db(); /* creates the schema; kept open like aduan's pool */
    if (mode == M_SINGLE) {
        shared_db = db0;
        if (sqlite3_prepare_v2(shared_db, INSERT, -1, &shared_st, NULL) != SQLITE_OK)
            die("prepare", shared_db);
    }
    pthread_t th[257], ck, wr;
    producers_left = nthreads;
    double t0 = now_us();
    t_start = t0;
    if (mode == M_CKPT)
        pthread_create(&ck, NULL, checkpointer, NULL);
    if (mode == M_GROUP)
        pthread_create(&wr, NULL, writer, NULL);
    for (int k = 0; k < nthreads; k++)
        pthread_create(&th[k], NULL, mode == M_GROUP ? producer : worker, NULL);
    for (int k = 0; k < nthreads; k++)
        pthread_join(th[k], NULL);
    if (mode == M_GROUP)
        pthread_join(wr, NULL);
    double el = (now_us() - t0) / 1e6;
    stop_ckpt = 1;
    if (mode == M_CKPT)
        pthread_join(ck, NULL);
    struct stat sb;
    snprintf(f, sizeof f, "%s-wal", path);
    long wal = stat(f, &sb) == 0 ? (long)sb.st_size : 0;
    nrows = next_row; /* rows done (fewer when -T stopped the run) */
    qsort(lat, (size_t)nrows, sizeof *lat, cmp_d);
    printf("SQLITE mode=%s threads=%d rows=%ld rows_per_s=%.0f p50_us=%.0f p99_us=%.0f "
           "max_us=%.0f wal_bytes=%ld avg_batch=%.1f\n",
           mname, nthreads, nrows, (double)nrows / el, lat[nrows / 2], lat[(long)(nrows * 0.99)],
           lat[nrows - 1], wal, batches ? (double)batched / (double)batches : 1.0);
    if (shared_st)
        sqlite3_finalize(shared_st);
    sqlite3_close(db0);
    unlink(path);
    snprintf(f, sizeof f, "%s-wal", path);
    unlink(f);
    snprintf(f, sizeof f, "%s-shm", path);
    unlink(f);
    return 0;
}
