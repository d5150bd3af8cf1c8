/* The survey store and its domain around it (issue #8), on SQLite and, with
 * ADUAN_TEST_PG, on PostgreSQL: one invitation and one answer set per
 * case, anonymous tallies, the reporter's close and reopen, the statistics
 * and the month of a report. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "channels/survey_dialog.h"
#include "core/secret.h"
#include "domain/report.h"
#include "domain/seed.h"
#include "domain/stats.h"
#include "domain/survey.h"
#include "store/store.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NOW 1795305600 /* 2026-11-22T08:00:00+08:00 */

#define FIXTURE_NAME "survey"
#include "store_fixture.h"

/* A complaint of satpolpp reported over WhatsApp by wa_id (or, with
 * wa_id NULL, a walk-in one). */
static int64_t wa_case(fixture *f, const char *wa_id, const char *status)
{
    store_category *k;
    size_t n;
    assert_int_equal(store_category_list(f->s, f->ar, 1, &k, &n), ERR_OK);
    store_case c;
    memset(&c, 0, sizeof c);
    c.agency_id = 1;
    c.category_id = k[0].id;
    c.kind = "complaint";
    c.channel = wa_id ? "whatsapp" : "walk_in";
    c.status = status;
    c.priority = "normal";
    c.description = "Keributan di depan pasar setiap malam";
    c.created_at = NOW;
    store_reporter_in rep = {"Warga", wa_id, wa_id, NULL, NOW, "whatsapp", wa_id};
    c.notify_channel = wa_id ? "whatsapp" : NULL;
    c.notify_address = wa_id;
    assert_int_equal(store_case_create(f->s, f->ar, &c, wa_id ? &rep : NULL, NULL), ERR_OK);
    return c.id;
}

/* The invitations queued to wa_id; *message gets the neutral message of
 * one (channels/channel.h: the driver renders it when it is sent). */
static size_t invites(fixture *f, const char *wa_id, const char **message)
{
    store_outbox_item *o;
    size_t n, k = 0;
    assert_int_equal(store_outbox_list(f->s, f->ar, "whatsapp", wa_id, 50, &o, &n), ERR_OK);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(o[i].kind, "survey_invite")) {
            k++;
            if (message)
                *message = o[i].message;
        }
    return k;
}

static void invite_once_answer_once(void **state)
{
    fixture *f = *state;
    int64_t id = wa_case(f, "6281399990001", "closed");
    bool invited, answered, mine;
    assert_int_equal(store_survey_status(f->s, id, &invited, &answered), ERR_OK);
    assert_false(invited);
    assert_false(answered);
    assert_int_equal(survey_invite_queue(f->s, f->ar, id, NOW), ERR_OK);
    assert_int_equal(survey_invite_queue(f->s, f->ar, id, NOW + 5), ERR_OK);
    const char *message = NULL;
    assert_int_equal(invites(f, "6281399990001", &message), 1);
    char want[64];
    snprintf(want, sizeof want, "svy:start:%lld", (long long)id);
    assert_non_null(message);
    assert_non_null(strstr(message, want));
    assert_non_null(strstr(message, "survei"));
    assert_non_null(strstr(message, "\"kind\":\"choices\""));
    assert_int_equal(store_survey_status(f->s, id, &invited, &answered), ERR_OK);
    assert_true(invited);
    /* A close's update does not invite again after a standalone one. */
    assert_int_equal(store_survey_invite(f->s, id, 77, NULL, NULL, NOW, &mine), ERR_OK);
    assert_false(mine);

    int answers[STORE_SURVEY_UNSUR] = {4, 3, 4, 4, 3, 4, 4, 3, 0};
    int64_t day = survey_day(NOW);
    assert_int_equal(store_survey_submit(f->s, id, answers, "Cepat", day, NOW), ERR_OK);
    assert_int_equal(store_survey_status(f->s, id, &invited, &answered), ERR_OK);
    assert_true(answered);
    int other[STORE_SURVEY_UNSUR] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    assert_int_equal(store_survey_submit(f->s, id, other, NULL, day, NOW), ERR_CONFLICT);
    store_survey_tally t;
    assert_int_equal(store_survey_tally_get(f->s, 1, 0, day, day + 86400, &t), ERR_OK);
    assert_int_equal(t.respondents, 1);
    assert_int_equal(t.sum[0], 4);
    assert_int_equal(t.count[0], 1);
    assert_int_equal(t.sum[8], 0);
    assert_int_equal(t.count[8], 0); /* unsur 9 not answered: no zero counted */
    assert_int_equal(store_survey_tally_get(f->s, 2, 0, day, day + 86400, &t), ERR_OK);
    assert_int_equal(t.respondents, 0);
    assert_int_equal(store_survey_tally_get(f->s, 1, 0, day + 86400, day + 2 * 86400, &t), ERR_OK);
    assert_int_equal(t.respondents, 0);
    /* Answered: no invitation any more. */
    assert_int_equal(store_survey_invite(f->s, id, 0, NULL, NULL, NOW, &mine), ERR_OK);
    assert_false(mine);
}

static void close_event_owns_the_invitation(void **state)
{
    fixture *f = *state;
    int64_t id = wa_case(f, "6281399990002", "closed");
    bool mine;
    assert_int_equal(store_survey_invite(f->s, id, 41, NULL, NULL, NOW, &mine), ERR_OK);
    assert_true(mine);
    /* The same update sent again (a retry) still carries it... */
    assert_int_equal(store_survey_invite(f->s, id, 41, NULL, NULL, NOW, &mine), ERR_OK);
    assert_true(mine);
    /* ...another close's does not, and a standalone one queues nothing. */
    assert_int_equal(store_survey_invite(f->s, id, 42, NULL, NULL, NOW, &mine), ERR_OK);
    assert_false(mine);
    assert_int_equal(survey_invite_queue(f->s, f->ar, id, NOW), ERR_OK);
    assert_int_equal(invites(f, "6281399990002", NULL), 0);
}

static void bad_input_changes_nothing(void **state)
{
    fixture *f = *state;
    int64_t id = wa_case(f, "6281399990003", "closed");
    int bad[STORE_SURVEY_UNSUR] = {4, 4, 4, 5, 4, 4, 4, 4, 4};
    int neg[STORE_SURVEY_UNSUR] = {4, 4, 4, -1, 4, 4, 4, 4, 4};
    int ok[STORE_SURVEY_UNSUR] = {4, 4, 4, 4, 4, 4, 4, 4, 4};
    bool invited, answered;
    assert_int_equal(store_survey_submit(f->s, id, bad, NULL, NOW, NOW), ERR_INVALID);
    assert_int_equal(store_survey_submit(f->s, id, neg, NULL, NOW, NOW), ERR_INVALID);
    assert_int_equal(store_survey_status(f->s, id, &invited, &answered), ERR_OK);
    assert_false(answered);
    assert_int_equal(store_survey_submit(f->s, 999999, ok, NULL, NOW, NOW), ERR_NOT_FOUND);
    assert_int_equal(store_survey_invite(f->s, 999999, 0, NULL, NULL, NOW, NULL), ERR_NOT_FOUND);
    assert_int_equal(store_survey_status(f->s, 999999, &invited, &answered), ERR_NOT_FOUND);
    assert_int_equal(survey_invite_queue(f->s, f->ar, 999999, NOW), ERR_NOT_FOUND);
    /* A walk-in case has nobody to write to: recorded, nothing queued. */
    int64_t walk = wa_case(f, NULL, "closed");
    assert_int_equal(survey_invite_queue(f->s, f->ar, walk, NOW), ERR_OK);
    assert_int_equal(store_survey_status(f->s, walk, &invited, &answered), ERR_OK);
    assert_true(invited);
}

static void reporter_closes_and_reopens(void **state)
{
    fixture *f = *state;
    int64_t id = wa_case(f, "6281399990004", "resolved");
    store_case c;
    assert_int_equal(store_case_get(f->s, f->ar, id, &c), ERR_OK);
    assert_int_equal(survey_reporter_action(f->s, f->ar, &c, ACT_REOPEN, "Belum beres", NOW + 1),
                     ERR_OK);
    assert_int_equal(store_case_get(f->s, f->ar, id, &c), ERR_OK);
    assert_string_equal(c.status, "reopened");
    /* No such move from reopened: refused, nothing written. */
    assert_int_equal(survey_reporter_action(f->s, f->ar, &c, ACT_CLOSE, NULL, NOW + 2),
                     ERR_CONFLICT);
    store_event *ev;
    size_t n;
    assert_int_equal(store_case_events(f->s, f->ar, id, &ev, &n), ERR_OK);
    assert_int_equal(n, 2);
    assert_string_equal(ev[1].action, "reopen");
    assert_string_equal(ev[1].note, "Belum beres");
    assert_int_equal(ev[1].actor_id, 0);
    assert_true(ev[1].is_public);
    /* A stale read: the case moved on, so the close is refused. */
    int64_t id2 = wa_case(f, "6281399990005", "resolved");
    assert_int_equal(store_case_get(f->s, f->ar, id2, &c), ERR_OK);
    store_case stale = c;
    assert_int_equal(survey_reporter_action(f->s, f->ar, &c, ACT_CLOSE, "ok", NOW + 1), ERR_OK);
    assert_int_equal(survey_reporter_action(f->s, f->ar, &stale, ACT_CLOSE, "ok", NOW + 2),
                     ERR_CONFLICT);
}

static void stats_and_months(void **state)
{
    fixture *f = *state;
    stats_t st;
    wa_case(f, "6281399990006", "resolved");
    assert_int_equal(
        stats_compute(f->s, f->ar, 1, NOW - 86400 * 400, NOW + 1, IKM_WEIGHT_EXACT, &st), ERR_OK);
    assert_true(st.received >= 1);
    assert_true(st.resolved >= 1);
    int64_t sum = 0;
    for (size_t i = 0; i < st.n_category; i++)
        sum += st.by_category[i].received;
    assert_int_equal(sum, st.received);
    assert_true(st.sla_compliance < 0);
    assert_int_equal(st.ikm.mutu, '-');
    /* An empty period divides by nothing. */
    assert_int_equal(stats_compute(f->s, f->ar, 1, 1000, 2000, IKM_WEIGHT_EXACT, &st), ERR_OK);
    assert_int_equal(st.received, 0);
    assert_true(st.resolution_ratio == 0);
    assert_true(st.median_resolution < 0);
    int64_t a, b;
    assert_int_equal(report_month_range("2026-12", &a, &b), 0);
    assert_true(b - a == 31 * 86400);
    assert_int_equal(report_month_range("2026-02", &a, &b), 0);
    assert_true(b - a == 28 * 86400);
    assert_int_equal(report_month_range("2026-13", &a, &b), -1);
    assert_int_equal(report_month_range("2026-1", &a, &b), -1);
    assert_int_equal(report_month_range("2026-10x", &a, &b), -1);
    assert_int_equal(report_month_range(NULL, &a, &b), -1);
}

int main(void)
{
    if (secret_init() != ERR_OK)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(invite_once_answer_once, setup, teardown),
        cmocka_unit_test_setup_teardown(close_event_owns_the_invitation, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_input_changes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(reporter_closes_and_reopens, setup, teardown),
        cmocka_unit_test_setup_teardown(stats_and_months, setup, teardown),
    };
    int failed = cmocka_run_group_tests_name("survey-sqlite", tests, NULL, NULL);
    pg_admin_url = getenv("ADUAN_TEST_PG");
    if (pg_admin_url && *pg_admin_url) {
        use_pg = 1;
        failed += cmocka_run_group_tests_name("survey-postgres", tests, NULL, NULL);
    } else {
        fprintf(stderr, "survey: ADUAN_TEST_PG not set; PostgreSQL not tested\n");
    }
    return failed;
}
