/* The dispatch store and decisions on both engines (issue #6): the duty
 * roster, alert rounds as compare-and-set claims (several instances never
 * alert twice, nobody accepts twice), the nearest team on duty, duplicates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "channels/staff.h"
#include "core/config.h"
#include "core/secret.h"
#include "domain/dispatch.h"
#include "domain/seed.h"
#include "jobs/jobs.h"
#include "jobs/jobs_int.h"
#include "store/store.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NOW 1795305600 /* 2026-11-22T08:00:00+08:00 */

#define FIXTURE_NAME "dispatch"
#include "store_fixture.h"

/* Demo ids (seed.c): agency 2 is Damkar, its teams 4 (Paringin, users 7
 * and 8) and 5 (Batu Mandi, user 9), category 6 is its Kebakaran. NOW is
 * a Sunday morning: the TRC of Satpol PP (office hours) is off duty. */
enum { DAMKAR = 2, PARINGIN = 4, BATUMANDI = 5, REGU = 7, REGU2 = 8, BM = 9, KEBAKARAN = 6 };

/* A fire reported at the desk: its rules queued with it (opened), or not. */
static int64_t fire_at(fixture *f, double lat, double lon, int64_t at, bool opened)
{
    store_case c = {0};
    c.agency_id = DAMKAR;
    c.category_id = KEBAKARAN;
    c.kind = "emergency";
    c.channel = "phone";
    c.status = "received";
    c.description = "Gudang terbakar";
    c.has_location = true;
    c.lat = lat;
    c.lon = lon;
    c.created_at = at;
    if (opened)
        assert_int_equal(store_case_open(f->s, f->ar, &c, NULL, NULL), ERR_OK);
    else
        assert_int_equal(store_case_create(f->s, f->ar, &c, NULL, NULL), ERR_OK);
    return c.id;
}

static int64_t new_fire(fixture *f, double lat, double lon, int64_t at)
{
    return fire_at(f, lat, lon, at, false);
}

static void roster(void **state)
{
    fixture *f = *state;
    store_duty *d;
    size_t n;
    assert_int_equal(store_duty_list(f->s, f->ar, DAMKAR, &d, &n), ERR_OK);
    assert_int_equal(n, 21);
    assert_int_equal(d[0].team_id, PARINGIN);
    assert_string_equal(d[0].team_name, "Regu Damkar Paringin");
    assert_string_equal(d[0].user_login, "regu.damkar");
    assert_string_equal(d[0].user_mobile, "6281100000201");
    assert_int_equal(d[0].agency_id, DAMKAR);
    assert_int_equal(d[0].start_minute, 0);
    assert_int_equal(d[0].end_minute, 1440);

    /* A dated shift round-trips; deleting needs the right agency. */
    store_duty x = {0, BATUMANDI, BM, -1, 0, 0, NOW, NOW + 3600, 0, NULL, NULL, NULL, NULL};
    int64_t id = 0;
    assert_int_equal(store_duty_add(f->s, &x, NOW, &id), ERR_OK);
    assert_int_equal(store_duty_list(f->s, f->ar, DAMKAR, &d, &n), ERR_OK);
    assert_int_equal(n, 22);
    const store_duty *got = NULL;
    for (size_t i = 0; i < n; i++)
        if (d[i].id == id)
            got = &d[i];
    assert_non_null(got);
    assert_int_equal(got->weekday, -1);
    assert_int_equal(got->starts_at, NOW);
    assert_int_equal(got->ends_at, NOW + 3600);
    assert_int_equal(store_duty_delete(f->s, 1, id), ERR_NOT_FOUND);
    assert_int_equal(store_duty_delete(f->s, DAMKAR, id), ERR_OK);
    assert_int_equal(store_duty_delete(f->s, DAMKAR, id), ERR_NOT_FOUND);
    /* A bad shift is refused by the database as well. */
    store_duty bad = {0, PARINGIN, REGU, 7, 0, 60, 0, 0, 0, NULL, NULL, NULL, NULL};
    assert_int_not_equal(store_duty_add(f->s, &bad, NOW, NULL), ERR_OK);
    /* A disabled officer is on nobody's roster. */
    assert_int_equal(store_user_set_disabled(f->s, REGU2, true), ERR_OK);
    assert_int_equal(store_duty_list(f->s, f->ar, DAMKAR, &d, &n), ERR_OK);
    assert_int_equal(n, 14);
    /* Satpol PP: the TRC, Monday to Friday, off duty now (Sunday). */
    dispatch_roster r;
    const store_duty *m[4];
    assert_int_equal(dispatch_roster_load(f->s, f->ar, 1, NOW, &r), ERR_OK);
    assert_int_equal(r.n, 5);
    assert_int_equal(r.tz_offset, 480);
    assert_int_equal(dispatch_roster_members(&r, 1, m, 4), 0);
    assert_int_equal(
        dispatch_roster_members(&r, 1, m, 4) +
            dispatch_roster_members(&(dispatch_roster){r.shifts, r.n, 480, NOW + 86400}, 1, m, 4),
        1);
}

static void options_nearest_on_duty(void **state)
{
    fixture *f = *state;
    store_case c;
    dispatch_option *o;
    size_t n;
    int64_t id = new_fire(f, -2.3620, 115.4410, NOW);
    assert_int_equal(store_case_get(f->s, f->ar, id, &c), ERR_OK);
    assert_int_equal(dispatch_options(f->s, f->ar, &c, NOW, &o, &n), ERR_OK);
    assert_int_equal(n, 2);
    assert_int_equal(o[0].team_id, PARINGIN);
    assert_int_equal(o[0].on_duty, 2);
    assert_int_equal(o[0].reachable, 2);
    assert_true(o[0].distance_m > 3240 && o[0].distance_m < 3255);
    assert_int_equal(o[1].team_id, BATUMANDI);
    /* Near Batu Mandi the order turns. */
    c.lat = -2.3950;
    c.lon = 115.3840;
    assert_int_equal(dispatch_options(f->s, f->ar, &c, NOW, &o, &n), ERR_OK);
    assert_int_equal(o[0].team_id, BATUMANDI);
    /* Paringin's crew off duty: it sorts last, however near. */
    store_duty *d;
    size_t nd;
    assert_int_equal(store_duty_list(f->s, f->ar, DAMKAR, &d, &nd), ERR_OK);
    for (size_t i = 0; i < nd; i++)
        if (d[i].team_id == BATUMANDI)
            assert_int_equal(store_duty_delete(f->s, DAMKAR, d[i].id), ERR_OK);
    assert_int_equal(dispatch_options(f->s, f->ar, &c, NOW, &o, &n), ERR_OK);
    assert_int_equal(o[0].team_id, PARINGIN);
    assert_int_equal(o[1].on_duty, 0);
    assert_int_equal(dispatch_pick(o, n, (int64_t[]){PARINGIN}, 1), 0);
}

static void alert_rounds_are_claims(void **state)
{
    fixture *f = *state;
    store_dispatch_info d;
    store_event *ev;
    size_t n;
    int64_t id = new_fire(f, -2.3620, 115.4410, NOW);
    store_alert a = {0};
    a.case_id = id;
    a.expect_status = "received";
    a.expect_round = 0;
    a.team_id = PARINGIN;
    a.note = "Tim terdekat";
    a.now = NOW + 1;
    a.nout = 1;
    a.out[0] = (store_alert_msg){"6281100000201", "alert", "{}", "{}", "whatsapp"};
    assert_int_equal(store_dispatch_alert(f->s, f->ar, &a), ERR_OK);
    assert_true(a.event_id > 0);
    /* A second instance that read the same round changes nothing. */
    assert_int_equal(store_dispatch_alert(f->s, f->ar, &a), ERR_CONFLICT);
    a.expect_status = "dispatched";
    assert_int_equal(store_dispatch_alert(f->s, f->ar, &a), ERR_CONFLICT);
    assert_int_equal(store_dispatch_get(f->s, f->ar, id, &d), ERR_OK);
    assert_int_equal(d.alert_round, 1);
    assert_int_equal(d.alert_at, NOW + 1);
    assert_int_equal(store_case_events(f->s, f->ar, id, &ev, &n), ERR_OK);
    assert_int_equal(n, 2);
    assert_string_equal(ev[1].action, "dispatch");
    assert_string_equal(ev[1].from_status, "received");
    assert_string_equal(ev[1].to_status, "dispatched");
    assert_int_equal(ev[1].team_id, PARINGIN);
    assert_int_equal(ev[1].actor_id, 0);
    assert_true(ev[1].is_public);
    store_outbox_item *out;
    assert_int_equal(store_outbox_list(f->s, f->ar, "whatsapp", "6281100000201", 10, &out, &n),
                     ERR_OK);
    assert_int_equal(n, 1);
    assert_string_equal(out[0].kind, "alert");
    assert_string_equal(out[0].endpoint, "100000000000002");

    /* Due once the wait is over, not before. */
    int64_t *due;
    assert_int_equal(store_dispatch_due(f->s, f->ar, NOW + 300, 300, 10, &due, &n), ERR_OK);
    assert_int_equal(n, 0);
    assert_int_equal(store_dispatch_due(f->s, f->ar, NOW + 301, 300, 10, &due, &n), ERR_OK);
    assert_int_equal(n, 1);
    assert_int_equal(due[0], id);

    /* The next round goes to Batu Mandi; again only once. */
    a.expect_round = 1;
    a.team_id = BATUMANDI;
    a.now = NOW + 301;
    a.nout = 0;
    assert_int_equal(store_dispatch_alert(f->s, f->ar, &a), ERR_OK);
    assert_int_equal(store_dispatch_alert(f->s, f->ar, &a), ERR_CONFLICT);
    store_case c;
    assert_int_equal(store_case_get(f->s, f->ar, id, &c), ERR_OK);
    assert_int_equal(c.team_id, BATUMANDI);
    assert_string_equal(c.status, "dispatched");

    /* The first accept wins; the second, and any later round, conflict. */
    store_alert_msg tell = {"6281100000201", "taken", "{}", "{}", "whatsapp"};
    assert_int_equal(store_dispatch_accept(f->s, id, BM, NOW + 310, &tell, 1), ERR_OK);
    assert_int_equal(store_dispatch_accept(f->s, id, REGU, NOW + 311, NULL, 0), ERR_CONFLICT);
    assert_int_equal(store_dispatch_accept(f->s, 424242, REGU, NOW, NULL, 0), ERR_NOT_FOUND);
    a.expect_round = 2;
    a.team_id = 0;
    assert_int_equal(store_dispatch_alert(f->s, f->ar, &a), ERR_CONFLICT);
    assert_int_equal(store_dispatch_get(f->s, f->ar, id, &d), ERR_OK);
    assert_int_equal(d.accepted_by, BM);
    assert_int_equal(d.accepted_at, NOW + 310);
    assert_int_equal(d.alert_at, 0);
    assert_string_equal(d.accepted_name, "Anggota Regu Damkar Batu Mandi");
    assert_int_equal(store_dispatch_due(f->s, f->ar, NOW + 9999, 300, 10, &due, &n), ERR_OK);
    assert_int_equal(n, 0);
    assert_int_equal(store_outbox_list(f->s, f->ar, "whatsapp", "6281100000201", 10, &out, &n),
                     ERR_OK);
    assert_int_equal(n, 2);
    int64_t active = 0;
    assert_int_equal(store_dispatch_active(f->s, BM, &active), ERR_OK);
    assert_int_equal(active, id);
    /* The officer's photo is stored once, however often it arrives. */
    assert_int_equal(
        store_dispatch_attach(f->s, id, "whatsapp", "M1", "image/jpeg", NULL, NULL, NOW), ERR_OK);
    assert_int_equal(
        store_dispatch_attach(f->s, id, "whatsapp", "M1", "image/jpeg", NULL, NULL, NOW), ERR_OK);
    store_attachment *at;
    assert_int_equal(store_case_attachments(f->s, f->ar, id, &at, &n), ERR_OK);
    assert_int_equal(n, 1);
    assert_string_equal(at[0].source, "officer");
    assert_string_equal(at[0].state, "pending");

    /* Alerting ends without a team: the case keeps its status. */
    int64_t other = new_fire(f, -2.2, 115.6, NOW);
    store_alert none = {0};
    none.case_id = other;
    none.expect_status = "received";
    none.note = "Tidak ada tim";
    none.now = NOW;
    assert_int_equal(store_dispatch_alert(f->s, f->ar, &none), ERR_OK);
    assert_int_equal(store_case_get(f->s, f->ar, other, &c), ERR_OK);
    assert_string_equal(c.status, "received");
    assert_int_equal(store_dispatch_get(f->s, f->ar, other, &d), ERR_OK);
    assert_int_equal(d.alert_round, 1);
    assert_int_equal(d.alert_at, 0);
    assert_int_equal(store_case_events(f->s, f->ar, other, &ev, &n), ERR_OK);
    assert_string_equal(ev[n - 1].action, "alert_exhausted");
}

static void duplicates(void **state)
{
    fixture *f = *state;
    store_case c;
    store_dispatch_info d;
    int64_t master = 0;
    int64_t first = new_fire(f, -2.3000, 115.5000, NOW - 3600);
    /* Away from the demo fire; 80 m away an hour later: the same fire. */
    int64_t second = new_fire(f, -2.3007, 115.5002, NOW);
    assert_int_equal(store_case_get(f->s, f->ar, second, &c), ERR_OK);
    assert_int_equal(dispatch_find_duplicate(f->s, f->ar, &c, 300, 7200, &master), ERR_OK);
    assert_int_equal(master, first);
    /* Outside the window, or the radius: not a duplicate. */
    assert_int_equal(dispatch_find_duplicate(f->s, f->ar, &c, 300, 1800, &master), ERR_OK);
    assert_int_equal(master, 0);
    assert_int_equal(dispatch_find_duplicate(f->s, f->ar, &c, 50, 7200, &master), ERR_OK);
    assert_int_equal(master, 0);
    /* The earlier case never duplicates the later one. */
    store_case e;
    assert_int_equal(store_case_get(f->s, f->ar, first, &e), ERR_OK);
    assert_int_equal(dispatch_find_duplicate(f->s, f->ar, &e, 300, 7200, &master), ERR_OK);
    assert_int_equal(master, 0);
    /* A follower's master is the one followed. */
    assert_int_equal(store_case_link(f->s, second, first, first, "merge", 0, NULL, NOW), ERR_OK);
    int64_t third = new_fire(f, -2.3008, 115.5003, NOW + 60);
    assert_int_equal(store_case_get(f->s, f->ar, third, &c), ERR_OK);
    assert_int_equal(dispatch_find_duplicate(f->s, f->ar, &c, 300, 7200, &master), ERR_OK);
    assert_int_equal(master, first);
    assert_int_equal(store_dispatch_get(f->s, f->ar, first, &d), ERR_OK);
    assert_int_equal(d.followers, 1);
    /* Split; and a resolved case is no longer open. */
    assert_int_equal(store_case_link(f->s, second, 0, 0, "split", 0, NULL, NOW), ERR_OK);
    assert_int_equal(store_dispatch_get(f->s, f->ar, first, &d), ERR_OK);
    assert_int_equal(d.followers, 0);
    assert_int_equal(store_case_link(f->s, 424242, 0, 0, "split", 0, NULL, NOW), ERR_NOT_FOUND);
    /* Without a location nothing can be near. */
    c.has_location = false;
    assert_int_equal(dispatch_find_duplicate(f->s, f->ar, &c, 300, 7200, &master), ERR_OK);
    assert_int_equal(master, 0);
    /* Forwarding categories. */
    int64_t to = -1;
    assert_int_equal(store_category_forward(f->s, 1, &to), ERR_OK);
    assert_int_equal(to, 0);
    assert_int_equal(store_category_set_forward(f->s, 1, KEBAKARAN), ERR_OK);
    assert_int_equal(store_category_forward(f->s, 1, &to), ERR_OK);
    assert_int_equal(to, KEBAKARAN);
    assert_int_equal(store_category_set_forward(f->s, 9999, 0), ERR_NOT_FOUND);
    assert_int_equal(store_category_forward(f->s, 9999, &to), ERR_NOT_FOUND);
}

static size_t sent_to(fixture *f, const char *wa_id, const char *kind)
{
    store_outbox_item *out;
    size_t n = 0, k = 0;
    assert_int_equal(store_outbox_list(f->s, f->ar, "whatsapp", wa_id, 50, &out, &n), ERR_OK);
    for (size_t i = 0; i < n; i++)
        k += strcmp(out[i].kind, kind) == 0;
    return k;
}

/* The new-case rules were queued with the case: the worker's pass runs
 * them (after a crash too), once. Its once-a-second check: an alert nobody
 * accepts moves on to the next crew, then ends; the supervisor hears of
 * both. */
static void tick_recovers_and_escalates(void **state)
{
    fixture *f = *state;
    config_t cfg;
    store_case c;
    store_dispatch_info d;
    config_defaults(&cfg);
    int64_t id = fire_at(f, -2.3620, 115.4410, NOW - 60, true);
    assert_int_equal(case_rules_run(&cfg, f->s, NOW), 1);
    assert_int_equal(case_rules_run(&cfg, f->s, NOW), 0); /* once */
    assert_int_equal(store_case_get(f->s, f->ar, id, &c), ERR_OK);
    assert_string_equal(c.status, "dispatched");
    assert_int_equal(c.team_id, PARINGIN);
    assert_int_equal(sent_to(f, "6281100000201", "alert"), 1);
    assert_int_equal(sent_to(f, "6281100000203", "alert"), 1);
    assert_int_equal(sent_to(f, "6281100000202", "alert"), 0);
    /* Once a second at most; nothing due before the wait is over. */
    assert_int_equal(staff_tick(&cfg, f->s, NOW + 1), 0);
    assert_int_equal(staff_tick(&cfg, f->s, NOW + 299), 0);
    assert_int_equal(staff_tick(&cfg, f->s, NOW + 300), 1);
    assert_int_equal(store_case_get(f->s, f->ar, id, &c), ERR_OK);
    assert_int_equal(c.team_id, BATUMANDI);
    assert_int_equal(sent_to(f, "6281100000202", "alert"), 1);
    assert_int_equal(sent_to(f, "6281100000204", "escalation"), 1);
    assert_int_equal(staff_tick(&cfg, f->s, NOW + 600), 1);
    assert_int_equal(store_dispatch_get(f->s, f->ar, id, &d), ERR_OK);
    assert_int_equal(d.alert_round, 3);
    assert_int_equal(d.alert_at, 0);
    assert_int_equal(sent_to(f, "6281100000204", "escalation"), 2);
    assert_int_equal(staff_tick(&cfg, f->s, NOW + 900), 0);
    /* A case made without its rules (an import, the demo) is left alone. */
    int64_t bare = new_fire(f, -2.2, 115.6, NOW + 1000);
    assert_int_equal(case_rules_run(&cfg, f->s, NOW + 1000), 0);
    assert_int_equal(store_case_get(f->s, f->ar, bare, &c), ERR_OK);
    assert_string_equal(c.status, "received");
    /* The desk's answer runs them at once; the worker finds nothing left. */
    bool changed = false;
    int64_t desk = fire_at(f, -2.3620, 115.4410, NOW + 1000, true);
    assert_int_equal(jobs_case_rules_now(&cfg, f->s, f->ar, desk, NOW + 1000, &changed), ERR_OK);
    assert_true(changed);
    assert_int_equal(jobs_case_rules_now(&cfg, f->s, f->ar, desk, NOW + 1000, &changed), ERR_OK);
    assert_false(changed);
}

int main(void)
{
    if (secret_init() != ERR_OK)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(roster, setup, teardown),
        cmocka_unit_test_setup_teardown(options_nearest_on_duty, setup, teardown),
        cmocka_unit_test_setup_teardown(alert_rounds_are_claims, setup, teardown),
        cmocka_unit_test_setup_teardown(duplicates, setup, teardown),
        cmocka_unit_test_setup_teardown(tick_recovers_and_escalates, setup, teardown),
    };
    int failed = cmocka_run_group_tests_name("dispatch-sqlite", tests, NULL, NULL);
    pg_admin_url = getenv("ADUAN_TEST_PG");
    if (pg_admin_url && *pg_admin_url) {
        use_pg = 1;
        failed += cmocka_run_group_tests_name("dispatch-postgres", tests, NULL, NULL);
    } else {
        fprintf(stderr, "dispatch: ADUAN_TEST_PG not set; PostgreSQL not tested\n");
    }
    return failed;
}
