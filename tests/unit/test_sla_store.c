/* SLA deadlines in the store, on SQLite and PostgreSQL: a case's deadline
 * on the agency calendar (with a holiday added through the store), and
 * the scheduler's escalation timing and auto-close, driven by an injected
 * "now" (sched_run_once), each escalation happening once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/config.h"
#include "core/secret.h"
#include "domain/cases.h"
#include "domain/deadline.h"
#include "domain/seed.h"
#include "jobs/jobs.h"
#include "store/store.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NOW      1795305600 /* 2026-11-22T08:00:00+08:00, a Sunday */
#define WITA     480
#define KABID_WA "6281100000102"

#define FIXTURE_NAME "sla"
#include "store_fixture.h"

static int64_t at(int y, int mo, int d, int h, int mi)
{
    return (int64_t)cal_day_from_ymd(y, mo, d) * 86400 + h * 3600 + mi * 60 - WITA * 60;
}

static int64_t category(fixture *f, const char *code)
{
    store_category *k;
    size_t n;
    assert_int_equal(store_category_list(f->s, f->ar, 0, &k, &n), ERR_OK);
    for (size_t i = 0; i < n; i++)
        if (strcmp(k[i].code, code) == 0)
            return k[i].id;
    fail_msg("no category %s", code);
    return 0;
}

/* A complaint of Satpol PP's "perda" category, reported at t. */
static int64_t new_case(fixture *f, int64_t t)
{
    store_case c = {0};
    c.agency_id = 1;
    c.category_id = category(f, "perda");
    c.kind = "complaint";
    c.channel = "walk_in";
    c.status = "received";
    c.description = "Warung buka melewati jam yang diatur Perda.";
    c.created_at = t;
    assert_int_equal(store_case_create(f->s, f->ar, &c, NULL, NULL), ERR_OK);
    assert_int_equal(deadline_refresh(f->s, f->ar, c.id), ERR_OK);
    return c.id;
}

static int count_events(fixture *f, int64_t case_id, const char *action)
{
    store_event *ev;
    size_t n;
    int k = 0;
    assert_int_equal(store_case_events(f->s, f->ar, case_id, &ev, &n), ERR_OK);
    for (size_t i = 0; i < n; i++)
        k += strcmp(ev[i].action, action) == 0;
    return k;
}

static int count_alerts(fixture *f, int64_t case_id)
{
    store_outbox_item *o;
    size_t n;
    int k = 0;
    assert_int_equal(store_outbox_list(f->s, f->ar, "whatsapp", KABID_WA, 200, &o, &n), ERR_OK);
    for (size_t i = 0; i < n; i++)
        k += o[i].case_id == case_id && strcmp(o[i].kind, "sla_alert") == 0;
    return k;
}

static void move(fixture *f, int64_t id, const char *from, const char *to, const char *action,
                 int64_t team, int64_t t)
{
    store_transition tr = {0};
    tr.case_id = id;
    tr.expect_status = from;
    tr.new_status = to;
    tr.action = action;
    tr.team_id = team;
    tr.is_public = true;
    tr.now = t;
    assert_int_equal(store_case_transition(f->s, f->ar, &tr), ERR_OK);
    assert_int_equal(deadline_refresh(f->s, f->ar, id), ERR_OK);
}

static void escalation_timing(void **state)
{
    fixture *f = *state;
    config_t cfg;
    store_sla_case k;
    config_defaults(&cfg);
    /* Reported on Monday 23 November 2026 at 09:00 WITA: verification is
     * due at Thursday's close, 3 working days later. */
    int64_t id = new_case(f, at(2026, 11, 23, 9, 0));
    assert_int_equal(store_sla_case_get(f->s, f->ar, id, &k), ERR_OK);
    assert_string_equal(k.sla_stage, "verify");
    assert_string_equal(k.sla_status, "received");
    int64_t due = at(2026, 11, 26, 16, 0);
    assert_int_equal(k.sla_due_at, due);
    /* 75 % of the 32.5 working hours: Thursday 07:52:30. */
    int64_t soon = at(2026, 11, 26, 7, 52) + 30;
    assert_int_equal(k.sla_soon_at, soon);
    assert_int_equal(k.sla_level, 0);

    sched_run_once(&cfg, f->s, soon - 1);
    assert_int_equal(count_events(f, id, "sla_due_soon"), 0);
    sched_run_once(&cfg, f->s, soon);
    assert_int_equal(count_events(f, id, "sla_due_soon"), 1);
    assert_int_equal(count_alerts(f, id), 1);
    sched_run_once(&cfg, f->s, soon + 60);
    sched_run_once(&cfg, f->s, due - 1);
    assert_int_equal(count_events(f, id, "sla_due_soon"), 1);
    assert_int_equal(count_events(f, id, "sla_breach"), 0);
    sched_run_once(&cfg, f->s, due);
    sched_run_once(&cfg, f->s, due + 5);
    assert_int_equal(count_events(f, id, "sla_breach"), 1);
    assert_int_equal(count_alerts(f, id), 2);
    assert_int_equal(store_sla_case_get(f->s, f->ar, id, &k), ERR_OK);
    assert_int_equal(k.sla_level, 2);
    /* Another instance trying the same escalation finds it done. */
    store_sla_escalation x = {id, "verify", due, 2, "sla_breach", "again", NULL, 0, due + 9, true};
    assert_int_equal(store_sla_escalate(f->s, &x), ERR_OK);
    assert_false(x.done);
    assert_int_equal(count_events(f, id, "sla_breach"), 1);

    /* Verified on Friday: the dispatch step starts afresh. */
    move(f, id, "received", "verified", "verify", 0, at(2026, 11, 27, 10, 0));
    assert_int_equal(store_sla_case_get(f->s, f->ar, id, &k), ERR_OK);
    assert_string_equal(k.sla_stage, "dispatch");
    assert_int_equal(k.sla_level, 0);
    assert_int_equal(k.sla_due_at, at(2026, 11, 30, 16, 0));
    assert_int_equal(k.sla_resolve_due_at, at(2026, 12, 4, 16, 30));
}

static void holiday_moves_deadline(void **state)
{
    fixture *f = *state;
    config_t cfg;
    store_sla_case k;
    config_defaults(&cfg);
    int64_t id = new_case(f, at(2026, 11, 23, 9, 0));
    assert_int_equal(store_sla_case_get(f->s, f->ar, id, &k), ERR_OK);
    assert_int_equal(k.sla_due_at, at(2026, 11, 26, 16, 0));
    /* The agency declares Tuesday off: the open case goes stale at once,
     * and the scheduler's next pass moves it to Wed, Thu, Fri. */
    store_holiday h = {0, 1, "2026-11-24", "Hari Jadi Kabupaten", "local"};
    assert_int_equal(store_holiday_put(f->s, &h, NOW), ERR_OK);
    assert_int_equal(store_sla_case_get(f->s, f->ar, id, &k), ERR_OK);
    assert_null(k.sla_status);
    sched_run_once(&cfg, f->s, NOW);
    assert_int_equal(store_sla_case_get(f->s, f->ar, id, &k), ERR_OK);
    assert_string_equal(k.sla_status, "received");
    assert_int_equal(k.sla_due_at, at(2026, 11, 27, 16, 30));
    /* A Saturday office day given to the agency counts as a working day. */
    store_calendar c = {1, false, {NULL}, 0};
    const char *hours[7] = {NULL,          "07:30-16:00", "07:30-16:00", "07:30-16:00",
                            "07:30-16:00", "07:30-16:30", "08:00-12:00"};
    memcpy(c.hours, hours, sizeof hours);
    assert_int_equal(store_calendar_put(f->s, &c, NOW), ERR_OK);
    int64_t later = new_case(f, at(2026, 11, 25, 9, 0)); /* Thu, Fri, Sat */
    assert_int_equal(store_sla_case_get(f->s, f->ar, later, &k), ERR_OK);
    assert_int_equal(k.sla_due_at, at(2026, 11, 28, 12, 0));
    /* A category's new policy reaches its open cases the same way. */
    store_sla_policy p = {category(f, "perda"),
                          {1, 1, 1, 1, 1},
                          {"hours", "hours", "hours", "hours", "hours"},
                          60,
                          75,
                          0};
    assert_int_equal(store_sla_policy_put(f->s, &p, NOW), ERR_OK);
    sched_run_once(&cfg, f->s, NOW);
    assert_int_equal(store_sla_case_get(f->s, f->ar, later, &k), ERR_OK);
    assert_int_equal(k.sla_due_at, at(2026, 11, 25, 10, 0));
    assert_int_equal(store_holiday_delete(f->s, 1, "2026-11-24"), ERR_OK);
    assert_int_equal(store_holiday_delete(f->s, 1, "2026-11-24"), ERR_NOT_FOUND);
}

static void autoclose_after_ten_working_days(void **state)
{
    fixture *f = *state;
    config_t cfg;
    store_case c;
    store_sla_case k;
    config_defaults(&cfg);
    int64_t id = new_case(f, at(2026, 11, 23, 9, 0));
    move(f, id, "received", "verified", "verify", 0, at(2026, 11, 23, 10, 0));
    move(f, id, "verified", "dispatched", "dispatch", 1, at(2026, 11, 23, 11, 0));
    move(f, id, "dispatched", "in_progress", "start", 0, at(2026, 11, 23, 12, 0));
    move(f, id, "in_progress", "resolved", "resolve", 0, at(2026, 11, 24, 9, 0));
    assert_int_equal(store_sla_case_get(f->s, f->ar, id, &k), ERR_OK);
    assert_string_equal(k.sla_stage, "autoclose");
    /* Ten working days after Tuesday 24 November (Christmas is later). */
    int64_t due = at(2026, 12, 8, 16, 0);
    assert_int_equal(k.sla_due_at, due);
    sched_run_once(&cfg, f->s, due - 1);
    assert_int_equal(store_case_get(f->s, f->ar, id, &c), ERR_OK);
    assert_string_equal(c.status, "resolved");
    assert_int_equal(count_events(f, id, "sla_due_soon"), 0);
    sched_run_once(&cfg, f->s, due);
    assert_int_equal(store_case_get(f->s, f->ar, id, &c), ERR_OK);
    assert_string_equal(c.status, "closed");
    assert_int_equal(count_events(f, id, "close"), 1);
    sched_run_once(&cfg, f->s, due + 10);
    assert_int_equal(count_events(f, id, "close"), 1);
    assert_int_equal(store_sla_case_get(f->s, f->ar, id, &k), ERR_OK);
    assert_null(k.sla_stage);
    assert_string_equal(k.sla_status, "closed");
}

/* The scheduler's catch-up: more stale cases than one batch, refreshed in
 * one pass and written a batch per transaction; the stale walk goes on by
 * id; a batch write leaves a case that moved on as it is. */
static void stale_catch_up_in_batches(void **state)
{
    fixture *f = *state;
    config_t cfg;
    store_sla_case k;
    int64_t *ids;
    size_t n;
    enum { CASES = 250 };
    config_defaults(&cfg);
    int64_t first = new_case(f, at(2026, 11, 23, 9, 0));
    for (int i = 1; i < CASES; i++)
        new_case(f, at(2026, 11, 23, 9, 0));
    store_holiday h = {0, 1, "2026-11-24", "Hari Jadi Kabupaten", "local"};
    assert_int_equal(store_holiday_put(f->s, &h, NOW), ERR_OK);
    /* The fixture's demo cases come before them, and go stale too. */
    assert_int_equal(store_sla_stale(f->s, f->ar, first - 1, 1000, &ids, &n), ERR_OK);
    assert_int_equal(n, CASES);
    assert_int_equal(store_sla_stale(f->s, f->ar, first, 10, &ids, &n), ERR_OK);
    assert_int_equal(n, 10);
    assert_int_equal(ids[0], first + 1);
    /* Computed for "received", but the case is verified meanwhile. */
    store_sla_times t = {"received", "verify", 1, 2, 3, 0};
    store_transition tr = {0};
    tr.case_id = first;
    tr.expect_status = "received";
    tr.new_status = "verified";
    tr.action = "verify";
    tr.now = NOW;
    assert_int_equal(store_case_transition(f->s, f->ar, &tr), ERR_OK);
    size_t changed = 99;
    assert_int_equal(store_sla_set_many(f->s, &first, &t, 1, &changed), ERR_OK);
    assert_int_equal(changed, 0);
    assert_int_equal(store_sla_case_get(f->s, f->ar, first, &k), ERR_OK);
    assert_null(k.sla_status);
    sched_run_once(&cfg, f->s, NOW);
    assert_int_equal(store_sla_stale(f->s, f->ar, 0, 1000, &ids, &n), ERR_OK);
    assert_int_equal(n, 0);
    assert_int_equal(store_sla_case_get(f->s, f->ar, first, &k), ERR_OK);
    assert_string_equal(k.sla_status, "verified");
    assert_int_equal(store_sla_case_get(f->s, f->ar, first + CASES - 1, &k), ERR_OK);
    assert_string_equal(k.sla_status, "received");
    assert_int_equal(k.sla_due_at, at(2026, 11, 27, 16, 30));
}

int main(void)
{
    if (secret_init() != ERR_OK)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(escalation_timing, setup, teardown),
        cmocka_unit_test_setup_teardown(holiday_moves_deadline, setup, teardown),
        cmocka_unit_test_setup_teardown(autoclose_after_ten_working_days, setup, teardown),
        cmocka_unit_test_setup_teardown(stale_catch_up_in_batches, setup, teardown),
    };
    int failed = cmocka_run_group_tests_name("sla-store-sqlite", tests, NULL, NULL);
    pg_admin_url = getenv("ADUAN_TEST_PG");
    if (pg_admin_url && *pg_admin_url) {
        use_pg = 1;
        failed += cmocka_run_group_tests_name("sla-store-postgres", tests, NULL, NULL);
    } else {
        fprintf(stderr, "sla-store: ADUAN_TEST_PG not set; PostgreSQL not tested\n");
    }
    return failed;
}
