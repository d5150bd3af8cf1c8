/* Idempotency keys (issue 18, migration 0036) on SQLite and, with
 * ADUAN_TEST_PG, on PostgreSQL: the first request reserves a key, the
 * next ones see its answer; a failed request lets it go; a reservation
 * whose instance died is taken over by the same request only; keys are
 * per user; the retention job's purge takes the old ones, in batches. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/secret.h"
#include "store/store.h"

#include <string.h>

#define NOW 1795305600 /* 2026-11-22T08:00:00+08:00 */

#define FIXTURE_NAME "idem"
#include "store_fixture.h"

static int64_t user(fixture *f, const char *login)
{
    store_user u;
    assert_int_equal(store_user_by_login(f->s, f->ar, login, &u), ERR_OK);
    return u.id;
}

static void first_reserves_then_replays(void **state)
{
    fixture *f = *state;
    int64_t trc = user(f, "trc.satpolpp"), kabid = user(f, "kabid.satpolpp");
    store_idem row;
    assert_int_equal(store_idem_begin(f->s, f->ar, trc, "k1", "h1", NOW, NOW - 60, &row), ERR_OK);
    /* Running: the same request waits, another is told apart by its hash. */
    assert_int_equal(store_idem_begin(f->s, f->ar, trc, "k1", "h1", NOW + 1, NOW - 59, &row),
                     ERR_CONFLICT);
    assert_int_equal(row.status, 0);
    assert_null(row.body);
    assert_string_equal(row.request_hash, "h1");
    /* Another user's key of the same name is theirs. */
    assert_int_equal(store_idem_begin(f->s, f->ar, kabid, "k1", "h9", NOW, NOW - 60, &row), ERR_OK);
    assert_int_equal(store_idem_finish(f->s, trc, "k1", 201, "{\"id\":7}"), ERR_OK);
    assert_int_equal(store_idem_begin(f->s, f->ar, trc, "k1", "h1", NOW + 2, NOW - 58, &row),
                     ERR_CONFLICT);
    assert_int_equal(row.status, 201);
    assert_string_equal(row.body, "{\"id\":7}");
    assert_int_equal(row.created_at, NOW);
    /* A finished key is never taken over, however old. */
    assert_int_equal(store_idem_begin(f->s, f->ar, trc, "k1", "h1", NOW + 999, NOW + 999, &row),
                     ERR_CONFLICT);
    assert_int_equal(row.status, 201);
}

static void failed_and_stale_reservations(void **state)
{
    fixture *f = *state;
    int64_t trc = user(f, "trc.satpolpp");
    store_idem row;
    /* A failed request lets its key go: it runs again. */
    assert_int_equal(store_idem_begin(f->s, f->ar, trc, "k2", "h2", NOW, NOW - 60, &row), ERR_OK);
    assert_int_equal(store_idem_forget(f->s, trc, "k2"), ERR_OK);
    assert_int_equal(store_idem_begin(f->s, f->ar, trc, "k2", "h2", NOW, NOW - 60, &row), ERR_OK);
    /* Its instance died: younger than the limit it waits, older it is taken
     * over by the same request, never by another. */
    assert_int_equal(store_idem_begin(f->s, f->ar, trc, "k2", "h2", NOW + 30, NOW - 30, &row),
                     ERR_CONFLICT);
    assert_int_equal(store_idem_begin(f->s, f->ar, trc, "k2", "hX", NOW + 90, NOW + 30, &row),
                     ERR_CONFLICT);
    assert_string_equal(row.request_hash, "h2");
    assert_int_equal(store_idem_begin(f->s, f->ar, trc, "k2", "h2", NOW + 90, NOW + 30, &row),
                     ERR_OK);
    /* forget never removes a finished answer. */
    assert_int_equal(store_idem_finish(f->s, trc, "k2", 200, "{}"), ERR_OK);
    assert_int_equal(store_idem_forget(f->s, trc, "k2"), ERR_OK);
    assert_int_equal(store_idem_begin(f->s, f->ar, trc, "k2", "h2", NOW + 91, NOW + 31, &row),
                     ERR_CONFLICT);
    assert_int_equal(row.status, 200);
}

static void purge_takes_the_old_ones_in_batches(void **state)
{
    fixture *f = *state;
    int64_t trc = user(f, "trc.satpolpp");
    store_idem row;
    char key[16];
    for (int i = 0; i < 5; i++) {
        snprintf(key, sizeof key, "old%d", i);
        assert_int_equal(store_idem_begin(f->s, f->ar, trc, key, "h", NOW + i, NOW, &row), ERR_OK);
    }
    assert_int_equal(store_idem_begin(f->s, f->ar, trc, "new", "h", NOW + 100, NOW, &row), ERR_OK);
    size_t n = 0;
    assert_int_equal(store_idem_purge(f->s, NOW + 100, 3, &n), ERR_OK);
    assert_int_equal(n, 3);
    assert_int_equal(store_idem_purge(f->s, NOW + 100, 3, &n), ERR_OK);
    assert_int_equal(n, 2);
    assert_int_equal(store_idem_purge(f->s, NOW + 100, 3, &n), ERR_OK);
    assert_int_equal(n, 0);
    /* Purged: the key is free again; the young one is kept. */
    assert_int_equal(store_idem_begin(f->s, f->ar, trc, "old0", "h", NOW + 101, NOW, &row), ERR_OK);
    assert_int_equal(store_idem_begin(f->s, f->ar, trc, "new", "h", NOW + 101, NOW, &row),
                     ERR_CONFLICT);
}

int main(void)
{
    if (secret_init() != ERR_OK)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(first_reserves_then_replays, setup, teardown),
        cmocka_unit_test_setup_teardown(failed_and_stale_reservations, setup, teardown),
        cmocka_unit_test_setup_teardown(purge_takes_the_old_ones_in_batches, setup, teardown),
    };
    int failed = cmocka_run_group_tests_name("idem-sqlite", tests, NULL, NULL);
    pg_admin_url = getenv("ADUAN_TEST_PG");
    if (pg_admin_url && *pg_admin_url) {
        use_pg = 1;
        failed += cmocka_run_group_tests_name("idem-postgres", tests, NULL, NULL);
    } else {
        fprintf(stderr, "idem: ADUAN_TEST_PG not set; PostgreSQL not tested\n");
    }
    return failed;
}
