/* SQLite's in-process write lock (store/drv_sqlite.c): every statement that
 * writes takes it, even outside a transaction, and the webhook committer's
 * thread (store_prefer_writes) goes before other waiting writers, so a
 * burst of webhooks is not held up by background work (issue #4). */
#include "store/drv.h"

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
    q_conn *c = NULL;
    if (q_get(w->s, &c) != ERR_OK || c->drv->begin(c) != ERR_OK) /* takes the lock */
        abort();
    pthread_mutex_lock(&order_mu);
    order[norder++] = w->name;
    pthread_mutex_unlock(&order_mu);
    c->drv->rollback(c); /* releases it */
    q_put(c);
    return NULL;
}

static void preferred_writer_goes_first(void **state)
{
    fixture *f = *state;
    q_conn *held = NULL;
    assert_int_equal(q_get(f->s, &held), ERR_OK);
    assert_int_equal(held->drv->begin(held), ERR_OK);
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
    held->drv->rollback(held);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    pthread_join(t3, NULL);
    q_put(held);
    assert_int_equal(norder, 3);
    assert_int_equal(order[0], 'C');
}

static void a_write_outside_a_transaction_takes_the_lock(void **state)
{
    fixture *f = *state;
    q_conn *c = NULL;
    int64_t v = 0;
    writer w = {f->s, false, 'w'};
    pthread_t t;
    assert_int_equal(q_get(f->s, &c), ERR_OK);
    assert_int_equal(q_row_int(c, "SELECT COUNT(*) FROM inbound", &v), ERR_OK);
    /* A read leaves other writers alone. */
    norder = 0;
    assert_int_equal(pthread_create(&t, NULL, take_lock, &w), 0);
    pthread_join(t, NULL);
    assert_int_equal(norder, 1);
    assert_int_equal(q_run(c,
                           "INSERT INTO inbound (received_at, body, state)"
                           " VALUES (1, '{}', 'dead')",
                           NULL),
                     ERR_OK);
    /* Held until the connection goes back: another writer waits. */
    norder = 0;
    assert_int_equal(pthread_create(&t, NULL, take_lock, &w), 0);
    pause_ms(50);
    assert_int_equal(norder, 0);
    q_put(c);
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
