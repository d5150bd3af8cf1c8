/* The store of issue 18's public work (store/hotspots.c, store/follows.c),
 * on SQLite and on PostgreSQL: the hotspot grid's counts, and an email
 * follow's double opt-in, one-use links, unsubscribe and retention. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/secret.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

#define NOW          1795305600 /* 2026-11-22T08:00:00+08:00 */
#define FIXTURE_NAME "follows"
#include "store_fixture.h"

static int64_t new_case(fixture *f, int64_t category, double lat, double lon, bool located)
{
    store_case c = {0};
    c.agency_id = 1;
    c.category_id = category;
    c.kind = "complaint";
    c.channel = "walk_in";
    c.status = "received";
    c.description = "Balap liar di jalan lingkar";
    c.kecamatan_code = "63.11.06";
    c.has_location = located;
    c.lat = lat;
    c.lon = lon;
    c.created_at = NOW;
    store_reporter_in rep = {"Siti", "6281234567890", "6281234567890", NULL,
                             NOW,    "whatsapp",      "6281234567890"};
    assert_int_equal(store_case_create(f->s, f->ar, &c, &rep, "dicatat di loket"), ERR_OK);
    return c.id;
}

static int64_t total(const store_hotspot_row *rows, size_t n, bool located)
{
    int64_t t = 0;
    for (size_t i = 0; i < n; i++)
        if (rows[i].located == located)
            t += rows[i].count;
    return t;
}

/* Cases near each other share a cell at 0.001 degree, the far one not; a
 * coarser grid, a category and a period narrow as they should. */
static void hotspot_grid(void **state)
{
    fixture *f = *state;
    store_hotspot_row *rows;
    size_t n = 0;
    assert_int_equal(store_hotspots(f->s, f->ar, 1, 0, NOW, NOW + 1, 1000.0, &rows, &n), ERR_OK);
    int64_t located0 = total(rows, n, true), unlocated0 = total(rows, n, false);
    new_case(f, 1, -2.33641, 115.46699, true);
    new_case(f, 1, -2.33649, 115.46702, true);
    new_case(f, 2, -2.33644, 115.46698, true);
    new_case(f, 1, -2.40123, 115.51234, true);
    new_case(f, 1, 0, 0, false);
    assert_int_equal(store_hotspots(f->s, f->ar, 1, 0, NOW, NOW + 1, 1000.0, &rows, &n), ERR_OK);
    assert_int_equal(total(rows, n, true) - located0, 4);
    assert_int_equal(total(rows, n, false) - unlocated0, 1);
    int64_t near = 0;
    for (size_t i = 0; i < n; i++)
        if (rows[i].located && rows[i].cell_lat == -2336 && rows[i].cell_lon == 115467)
            near += rows[i].count;
    assert_int_equal(near, 3);
    /* Category 2 alone: its one case. */
    assert_int_equal(store_hotspots(f->s, f->ar, 1, 2, NOW, NOW + 1, 1000.0, &rows, &n), ERR_OK);
    int64_t cat2 = 0;
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(rows[i].category_id, 2);
        cat2 += rows[i].count;
    }
    assert_true(cat2 >= 1);
    /* 0.1 degree cells: both places in cells of -23 and -24. */
    assert_int_equal(store_hotspots(f->s, f->ar, 1, 0, NOW, NOW + 1, 10.0, &rows, &n), ERR_OK);
    for (size_t i = 0; i < n; i++)
        if (rows[i].located)
            assert_true(rows[i].cell_lat == -23 || rows[i].cell_lat == -24);
    /* Another period: nothing of these. */
    assert_int_equal(store_hotspots(f->s, f->ar, 1, 0, NOW + 10, NOW + 20, 1000.0, &rows, &n),
                     ERR_OK);
    assert_int_equal(n, 0);
}

static store_email_follow_req req(int64_t case_id, const char *confirm_hash, const char *unsub_hash,
                                  int64_t now)
{
    store_email_follow_req x = {
        .case_id = case_id,
        .agency_id = 1,
        .endpoint = "aduan.satpolpp@balangankab.go.id",
        .address = "warga@example.id",
        .lang = "id",
        .confirm_hash = confirm_hash,
        .confirm_until = now + 48 * 3600,
        .unsub_hash = unsub_hash,
        .unsub_token = "token-pertama",
        .payload = "{\"to\":\"warga@example.id\",\"text\":\"konfirmasi\"}",
        .now = now,
    };
    return x;
}

static int64_t count(fixture *f, const char *sql)
{
    int64_t v = -1;
    /* Read outside the store (its API has no such counts), as the e2e
     * tests do. */
    if (use_pg) {
        PGconn *c = PQconnectdb(f->url);
        PGresult *r = PQexec(c, sql);
        if (PQresultStatus(r) == PGRES_TUPLES_OK)
            v = atoll(PQgetvalue(r, 0, 0));
        PQclear(r);
        PQfinish(c);
        return v;
    }
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_open(f->url + strlen("sqlite:"), &db) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

/* Request, a second request (a new link; the old one dead), confirm once,
 * a request while following (nothing), the unsubscribe token, stop once. */
static void email_follow_lifecycle(void **state)
{
    fixture *f = *state;
    int64_t id = new_case(f, 1, -2.3364, 115.4669, true);
    bool queued = false;
    store_email_follow_req x = req(id, "confirm-1", "unsub-1", NOW);
    assert_int_equal(store_email_follow_request(f->s, &x, &queued), ERR_OK);
    assert_true(queued);
    x = req(id, "confirm-2", "unsub-2", NOW + 60);
    assert_int_equal(store_email_follow_request(f->s, &x, &queued), ERR_OK);
    assert_true(queued);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM outbox WHERE kind = 'follow_confirm'"), 2);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM email_follows"), 1);
    store_email_follow got;
    assert_int_equal(store_email_follow_confirm(f->s, f->ar, "confirm-1", NOW + 120, &got),
                     ERR_NOT_FOUND);
    /* Expired: too late. */
    assert_int_equal(
        store_email_follow_confirm(f->s, f->ar, "confirm-2", NOW + 60 + 48 * 3600 + 1, &got),
        ERR_NOT_FOUND);
    assert_int_equal(store_email_follow_confirm(f->s, f->ar, "confirm-2", NOW + 120, &got), ERR_OK);
    assert_int_equal(got.case_id, id);
    assert_string_equal(got.address, "warga@example.id");
    assert_int_equal(strlen(got.tracking_code), 8);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM case_watchers WHERE channel = 'email'"), 1);
    assert_int_equal(store_email_follow_confirm(f->s, f->ar, "confirm-2", NOW + 130, &got),
                     ERR_NOT_FOUND);
    /* Following: a new request changes nothing and sends nothing. */
    x = req(id, "confirm-3", "unsub-3", NOW + 200);
    assert_int_equal(store_email_follow_request(f->s, &x, &queued), ERR_OK);
    assert_false(queued);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM outbox WHERE kind = 'follow_confirm'"), 2);
    const char *token = NULL;
    assert_int_equal(store_email_follow_unsub_token(f->s, f->ar, id, "warga@example.id", &token),
                     ERR_OK);
    assert_string_equal(token, "token-pertama"); /* the first request's, kept */
    assert_int_equal(store_email_follow_unsub_token(f->s, f->ar, id, "lain@example.id", &token),
                     ERR_NOT_FOUND);
    assert_int_equal(store_email_follow_stop(f->s, f->ar, "unsub-2", &got), ERR_NOT_FOUND);
    assert_int_equal(store_email_follow_stop(f->s, f->ar, "unsub-1", &got), ERR_OK);
    assert_int_equal(got.case_id, id);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM email_follows"), 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM case_watchers WHERE channel = 'email'"), 0);
    assert_int_equal(store_email_follow_stop(f->s, f->ar, "unsub-1", &got), ERR_NOT_FOUND);
}

/* Retention: an unconfirmed request past its link goes; a confirmed one
 * of an open case stays, of a case finished before the cut goes. */
static void email_follow_retention(void **state)
{
    fixture *f = *state;
    int64_t a = new_case(f, 1, -2.3364, 115.4669, true);
    int64_t b = new_case(f, 1, -2.3364, 115.4669, true);
    bool queued;
    store_email_follow_req x = req(a, "c-a", "u-a", NOW);
    assert_int_equal(store_email_follow_request(f->s, &x, &queued), ERR_OK);
    x = req(b, "c-b", "u-b", NOW);
    assert_int_equal(store_email_follow_request(f->s, &x, &queued), ERR_OK);
    store_email_follow got;
    assert_int_equal(store_email_follow_confirm(f->s, f->ar, "c-b", NOW + 1, &got), ERR_OK);
    size_t n = 99;
    assert_int_equal(store_email_follows_purge(f->s, NOW + 3600, NOW, 10, &n), ERR_OK);
    assert_int_equal(n, 0);
    assert_int_equal(store_email_follows_purge(f->s, NOW + 49 * 3600, NOW, 10, &n), ERR_OK);
    assert_int_equal(n, 1); /* a's link ran out */
    char sql[160];
    snprintf(sql, sizeof sql,
             "UPDATE cases SET status = 'closed', updated_at = %lld WHERE id = %lld",
             (long long)NOW + 10, (long long)b);
    assert_int_equal(fixture_sql(f, sql), 0);
    assert_int_equal(store_email_follows_purge(f->s, NOW + 49 * 3600, NOW + 10, 10, &n), ERR_OK);
    assert_int_equal(n, 0); /* finished at the cut, not before */
    assert_int_equal(store_email_follows_purge(f->s, NOW + 49 * 3600, NOW + 11, 10, &n), ERR_OK);
    assert_int_equal(n, 1);
}

int main(void)
{
    if (secret_init() != ERR_OK)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(hotspot_grid, setup, teardown),
        cmocka_unit_test_setup_teardown(email_follow_lifecycle, setup, teardown),
        cmocka_unit_test_setup_teardown(email_follow_retention, setup, teardown),
    };
    int failed = cmocka_run_group_tests_name("follows-sqlite", tests, NULL, NULL);
    pg_admin_url = getenv("ADUAN_TEST_PG");
    if (pg_admin_url && *pg_admin_url) {
        use_pg = 1;
        failed += cmocka_run_group_tests_name("follows-postgres", tests, NULL, NULL);
    } else {
        fprintf(stderr, "follows: ADUAN_TEST_PG not set; PostgreSQL not tested\n");
    }
    return failed;
}
