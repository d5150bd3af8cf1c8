/* Outbound webhooks (issue 17 §2) on SQLite and, with ADUAN_TEST_PG, on
 * PostgreSQL: deliveries queued in the change's transaction only for the
 * agency's subscribers that asked for the type, the real default pause
 * after 100 failures in a row (the e2e test shortens it), the backoff and
 * the signature. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/secret.h"
#include "jobs/jobs_int.h"
#include "store/store.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NOW 1795305600 /* 2026-11-22T08:00:00+08:00 */

#define FIXTURE_NAME "webhooks"
#include "store_fixture.h"

static int64_t new_case(fixture *f, int64_t agency)
{
    store_category *k;
    size_t n;
    assert_int_equal(store_category_list(f->s, f->ar, agency, &k, &n), ERR_OK);
    store_case c;
    memset(&c, 0, sizeof c);
    c.agency_id = agency;
    c.category_id = k[0].id;
    c.kind = "complaint";
    c.channel = "walk_in";
    c.status = "received";
    c.priority = "normal";
    c.description = "Lampu jalan mati di depan sekolah";
    c.created_at = NOW;
    assert_int_equal(store_case_create(f->s, f->ar, &c, NULL, NULL), ERR_OK);
    return c.id;
}

static int64_t subscribe(fixture *f, int64_t agency, const char *events)
{
    store_webhook w = {.agency_id = agency,
                       .url = "http://127.0.0.1:9/hook",
                       .secret = "0123456789abcdef",
                       .events = events,
                       .active = true};
    int64_t id = 0;
    assert_int_equal(store_webhook_add(f->s, &w, NOW, &id), ERR_OK);
    return id;
}

static size_t deliveries(fixture *f, int64_t sub)
{
    store_webhook_delivery *d;
    size_t n;
    assert_int_equal(store_webhook_deliveries(f->s, f->ar, sub, 1000, &d, &n), ERR_OK);
    return n;
}

static void queued_only_for_subscribers(void **state)
{
    fixture *f = *state;
    new_case(f, 1); /* no subscriber: nothing queued, nothing fails */
    int64_t all = subscribe(f, 1, "case.created,case.status_changed");
    int64_t other = subscribe(f, 2, "case.created");
    int64_t quiet = subscribe(f, 1, "sla.breached");
    new_case(f, 1);
    assert_int_equal(deliveries(f, all), 1);
    assert_int_equal(deliveries(f, other), 0);
    assert_int_equal(deliveries(f, quiet), 0);
    store_webhook_delivery *d;
    size_t n;
    assert_int_equal(store_webhook_claim(f->s, f->ar, NOW, 60, 10, &d, &n), ERR_OK);
    assert_int_equal(n, 1);
    assert_string_equal(d[0].event_type, "case.created");
    assert_int_equal(d[0].attempts, 1);
    assert_false(d[0].trusted);
    assert_false(d[0].held);
    /* Claimed: not claimed again within the lease. */
    assert_int_equal(store_webhook_claim(f->s, f->ar, NOW + 1, 60, 10, &d, &n), ERR_OK);
    assert_int_equal(n, 0);
}

static void pauses_after_100_in_a_row(void **state)
{
    fixture *f = *state;
    int64_t sub = subscribe(f, 1, "case.created");
    int64_t id = 0;
    for (int i = 0; i < 2; i++)
        new_case(f, 1);
    store_webhook_delivery *d;
    size_t n;
    assert_int_equal(store_webhook_deliveries(f->s, f->ar, sub, 10, &d, &n), ERR_OK);
    assert_int_equal(n, 2);
    id = d[0].id;
    assert_int_equal(webhook_pause_after(), 100); /* the default, no knob set */
    int64_t paused = 0;
    /* 99 failures, a success resets; then 100 in a row pause it, once. */
    for (int i = 0; i < 99; i++) {
        store_webhook_outcome o = {id, false, 500, "HTTP 500", NOW + 60, true, 100, NOW + i};
        assert_int_equal(store_webhook_record(f->s, &o, &paused), ERR_OK);
        assert_int_equal(paused, 0);
    }
    store_webhook w;
    assert_int_equal(store_webhook_get(f->s, f->ar, sub, &w), ERR_OK);
    assert_int_equal(w.consecutive_failures, 99);
    store_webhook_outcome ok = {d[1].id, true, 200, NULL, 0, true, 100, NOW + 100};
    assert_int_equal(store_webhook_record(f->s, &ok, &paused), ERR_OK);
    assert_int_equal(store_webhook_get(f->s, f->ar, sub, &w), ERR_OK);
    assert_int_equal(w.consecutive_failures, 0);
    for (int i = 0; i < 100; i++) {
        store_webhook_outcome o = {id, false, 0, "timeout", NOW + 60, true, 100, NOW + 200 + i};
        assert_int_equal(store_webhook_record(f->s, &o, &paused), ERR_OK);
        assert_int_equal(paused, i == 99 ? sub : 0);
    }
    assert_int_equal(store_webhook_get(f->s, f->ar, sub, &w), ERR_OK);
    assert_true(w.paused_at == NOW + 299);
    /* Paused: new events queue nothing; its due delivery is held. */
    new_case(f, 1);
    assert_int_equal(deliveries(f, sub), 2);
    assert_int_equal(store_webhook_claim(f->s, f->ar, NOW + 400, 60, 10, &d, &n), ERR_OK);
    assert_int_equal(n, 1);
    assert_true(d[0].held);
    /* Resumed: counts from zero, due at once. */
    assert_int_equal(store_webhook_resume(f->s, sub, NOW + 500), ERR_OK);
    assert_int_equal(store_webhook_get(f->s, f->ar, sub, &w), ERR_OK);
    assert_int_equal(w.paused_at, 0);
    assert_int_equal(w.consecutive_failures, 0);
    assert_int_equal(store_webhook_claim(f->s, f->ar, NOW + 500, 60, 10, &d, &n), ERR_OK);
    assert_int_equal(n, 1);
    assert_false(d[0].held);
    /* Failed for good, then "kirim ulang". */
    store_webhook_outcome last = {id, false, 500, "HTTP 500", 0, true, 100, NOW + 600};
    assert_int_equal(store_webhook_record(f->s, &last, &paused), ERR_OK);
    assert_int_equal(store_webhook_delivery_get(f->s, f->ar, id, d), ERR_OK);
    assert_string_equal(d[0].state, "failed");
    assert_int_equal(store_webhook_redeliver(f->s, id, NOW + 700), ERR_OK);
    assert_int_equal(store_webhook_delivery_get(f->s, f->ar, id, d), ERR_OK);
    assert_string_equal(d[0].state, "pending");
    assert_true(d[0].expires_at == NOW + 700 + 86400);
    /* The log's finished deliveries go after their time, pending ones stay. */
    int64_t gone = 0;
    assert_int_equal(store_webhook_prune(f->s, NOW + 1, 100, &gone), ERR_OK);
    assert_int_equal(gone, 1); /* d[1], delivered; id is pending again */
    assert_int_equal(deliveries(f, sub), 1);
    /* Deleted with its deliveries. */
    assert_int_equal(store_webhook_delete(f->s, sub), ERR_OK);
    assert_int_equal(store_webhook_delete(f->s, sub), ERR_NOT_FOUND);
}

static void backoff_and_signature(void **state)
{
    (void)state;
    assert_int_equal(webhook_backoff(1, 1.0), 30);
    assert_int_equal(webhook_backoff(2, 1.0), 60);
    assert_int_equal(webhook_backoff(3, 1.0), 120);
    assert_int_equal(webhook_backoff(8, 1.0), 3600);
    assert_int_equal(webhook_backoff(40, 1.0), 3600);
    assert_int_equal(webhook_backoff(1, 0.001), 1);
    char sig[WEBHOOK_SIG_BUF];
    /* python3: hmac.new(b"0123456789abcdef", b"1700000000.{}", "sha256").hexdigest() */
    webhook_sign("0123456789abcdef", 1700000000, "{}", sig);
    assert_string_equal(sig, "t=1700000000,v1="
                             "e4f8e2ecae2295b2ddb2f0b5584c8275e226c0ebe9b3b819e70156bb67122e3e");
}

int main(void)
{
    if (secret_init() != ERR_OK)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(queued_only_for_subscribers, setup, teardown),
        cmocka_unit_test_setup_teardown(pauses_after_100_in_a_row, setup, teardown),
        cmocka_unit_test(backoff_and_signature),
    };
    int failed = cmocka_run_group_tests_name("webhooks-sqlite", tests, NULL, NULL);
    pg_admin_url = getenv("ADUAN_TEST_PG");
    if (pg_admin_url && *pg_admin_url) {
        use_pg = 1;
        failed += cmocka_run_group_tests_name("webhooks-postgres", tests, NULL, NULL);
    } else {
        fprintf(stderr, "webhooks: ADUAN_TEST_PG not set; PostgreSQL not tested\n");
    }
    return failed;
}
