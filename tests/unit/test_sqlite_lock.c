/* SQLite's in-process write lock (store/sqlite.c): every statement that
 * writes takes it, even outside a transaction, and the webhook committer's
 * thread (store_prefer_writes) goes before other waiting writers, so a
 * burst of webhooks is not held up by background work (issue #4). */
#include "store/sqlite_int.h"

#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

typedef struct {
    char dir[64];
    store_t *s;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    char url[128];
    int applied;
    snprintf(f->dir, sizeof f->dir, "/tmp/aduan-lock-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(url, sizeof url, "sqlite:%s/a.db", f->dir);
    if (store_open(url, 4, &f->s) != ERR_OK || store_migrate(f->s, &applied) != ERR_OK)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    char path[128];
    store_close(f->s);
    const char *files[] = {"a.db", "a.db-wal", "a.db-shm"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", f->dir, files[i]);
        unlink(path);
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

static void pause_ms(int ms)
{
    struct timespec ts = {0, (long)ms * 1000000L};
    nanosleep(&ts, NULL);
}

/* Who got the lock, in order. */
static pthread_mutex_t order_mu = PTHREAD_MUTEX_INITIALIZER;
static char order[8];
static size_t norder;

typedef struct {
    store_t *s;
    bool prefer;
    char name;
} writer;

static void *take_lock(void *arg)
{
    writer *w = arg;
    if (w->prefer)
        store_prefer_writes();
    conn_t *c = sq_get(w->s);
    sq_write_lock(c);
    pthread_mutex_lock(&order_mu);
    order[norder++] = w->name;
    pthread_mutex_unlock(&order_mu);
    sq_put(w->s, c); /* releases the lock */
    return NULL;
}

static void preferred_writer_goes_first(void **state)
{
    fixture *f = *state;
    conn_t *held = sq_get(f->s);
    sq_write_lock(held);
    /* Two background writers queue first, then the committer. */
    writer bg1 = {f->s, false, 'a'}, bg2 = {f->s, false, 'b'}, com = {f->s, true, 'C'};
    pthread_t t1, t2, t3;
    norder = 0;
    assert_int_equal(pthread_create(&t1, NULL, take_lock, &bg1), 0);
    assert_int_equal(pthread_create(&t2, NULL, take_lock, &bg2), 0);
    pause_ms(50);
    assert_int_equal(pthread_create(&t3, NULL, take_lock, &com), 0);
    pause_ms(50);
    assert_int_equal(norder, 0); /* all wait for the holder */
    sq_write_unlock(held);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    pthread_join(t3, NULL);
    sq_put(f->s, held);
    assert_int_equal(norder, 3);
    assert_int_equal(order[0], 'C');
}

static void a_write_outside_a_transaction_takes_the_lock(void **state)
{
    fixture *f = *state;
    conn_t *c = sq_get(f->s);
    sqlite3_stmt *st = sq_prep(c, "SELECT COUNT(*) FROM wa_inbox");
    assert_non_null(st);
    assert_int_equal(sq_step_row(c, st, "count"), ERR_OK);
    sqlite3_reset(st);
    assert_false(c->writing); /* a read leaves others alone */
    st = sq_prep(c, "INSERT INTO wa_inbox (received_at, body, state) VALUES (1, '{}', 'dead')");
    assert_non_null(st);
    assert_int_equal(sq_exec_stmt(c, st, "insert"), ERR_OK);
    assert_true(c->writing);
    /* Held until the connection goes back: another writer waits. */
    writer w = {f->s, false, 'w'};
    pthread_t t;
    norder = 0;
    assert_int_equal(pthread_create(&t, NULL, take_lock, &w), 0);
    pause_ms(50);
    assert_int_equal(norder, 0);
    sq_put(f->s, c);
    pthread_join(t, NULL);
    assert_int_equal(norder, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(preferred_writer_goes_first, setup, teardown),
        cmocka_unit_test_setup_teardown(a_write_outside_a_transaction_takes_the_lock, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
