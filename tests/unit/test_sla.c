/* SLA deadlines: the SP4N-LAPOR! defaults on the working-day calendar,
 * emergencies in clock minutes, the due-soon share, the hard cap, the
 * auto-close wait, and the escalation timing a scheduler sees as "now"
 * moves (now is always passed in). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "domain/sla.h"

#include <string.h>

#define WITA 480

static int64_t at(int y, int mo, int d, int h, int mi)
{
    return (int64_t)cal_day_from_ymd(y, mo, d) * 86400 + h * 3600 + mi * 60 - WITA * 60;
}

static int32_t lebaran[7];

static void calendar_2026(cal_t *c)
{
    cal_default(c, WITA);
    int days[] = {18, 19, 20, 21, 22, 23, 24};
    for (int i = 0; i < 7; i++)
        lebaran[i] = cal_day_from_ymd(2026, 3, days[i]);
    c->holidays = lebaran;
    c->nholidays = 7;
}

static void test_names(void **state)
{
    (void)state;
    for (int u = 0; u < SLA_UNIT__COUNT; u++)
        assert_int_equal(sla_unit_parse(sla_unit_name((sla_unit)u)), u);
    assert_int_equal(sla_unit_parse("fortnights"), -1);
    assert_int_equal(sla_unit_parse(NULL), -1);
    assert_int_equal(sla_stage_parse("verify"), SLA_STAGE_VERIFY);
    assert_int_equal(sla_stage_parse("autoclose"), SLA_STAGE_AUTOCLOSE);
    assert_null(sla_state_name(SLA_STATE_NONE));
    assert_string_equal(sla_state_name(SLA_DUE_SOON), "due_soon");
}

static void test_defaults(void **state)
{
    (void)state;
    sla_policy p;
    sla_policy_default(KIND_COMPLAINT, 120, &p);
    assert_int_equal(p.verify.amount, 3);
    assert_int_equal(p.verify.unit, SLA_WORK_DAYS);
    assert_int_equal(p.resolve.amount, 5);
    assert_int_equal(p.autoclose.amount, 10);
    assert_int_equal(p.autoclose.unit, SLA_WORK_DAYS);
    assert_int_equal(p.cap_days, 60);
    assert_int_equal(p.soon_pct, 75);
    sla_policy_default(KIND_EMERGENCY, 2, &p);
    assert_int_equal(p.verify.amount, 0);
    assert_int_equal(p.dispatch.unit, SLA_MINUTES);
    assert_int_equal(p.action.amount, 15);
    assert_int_equal(p.resolve.amount, 2);
    assert_int_equal(p.resolve.unit, SLA_HOURS);
    sla_policy_default(KIND_SERVICE, 8, &p);
    assert_int_equal(p.resolve.unit, SLA_WORK_HOURS);
    assert_int_equal(p.resolve.amount, 8);
}

/* A complaint received on Tuesday 17 March 2026, before the Idul Fitri
 * holidays: verification is due at the close of Friday 27 March. */
static void test_verify_across_lebaran(void **state)
{
    (void)state;
    cal_t c;
    sla_policy p;
    sla_due_out o;
    calendar_2026(&c);
    sla_policy_default(KIND_COMPLAINT, 120, &p);
    int64_t t0 = at(2026, 3, 17, 10, 0);
    sla_case_in in = {KIND_COMPLAINT, ST_RECEIVED, t0, t0, 0, 0};
    sla_compute(&p, &c, &in, &o);
    assert_int_equal(o.stage, SLA_STAGE_VERIFY);
    assert_int_equal(o.start_at, t0);
    assert_int_equal(o.due_at, at(2026, 3, 27, 16, 30));
    assert_int_equal(o.resolve_due_at, 0); /* not verified yet */
    /* Working time from Tue 10:00 to Fri 27 16:30: 6 h + 8.5 + 8.5 + 9 = 32 h;
     * 75 % is 24 h of it: Tue 6 h, Wed 8.5, Thu 8.5 (23 h), Fri 1 h -> 08:30. */
    assert_int_equal(o.soon_at, at(2026, 3, 27, 8, 30));
    /* Escalation timing as the scheduler sees it. */
    assert_int_equal(sla_state_at(o.stage, o.soon_at, o.due_at, at(2026, 3, 24, 12, 0)),
                     SLA_ON_TIME);
    assert_int_equal(sla_state_at(o.stage, o.soon_at, o.due_at, o.soon_at - 1), SLA_ON_TIME);
    assert_int_equal(sla_state_at(o.stage, o.soon_at, o.due_at, o.soon_at), SLA_DUE_SOON);
    assert_int_equal(sla_state_at(o.stage, o.soon_at, o.due_at, o.due_at - 1), SLA_DUE_SOON);
    assert_int_equal(sla_state_at(o.stage, o.soon_at, o.due_at, o.due_at), SLA_OVERDUE);
}

static void test_complaint_steps(void **state)
{
    (void)state;
    cal_t c;
    sla_policy p;
    sla_due_out o;
    cal_default(&c, WITA);
    sla_policy_default(KIND_COMPLAINT, 120, &p);
    int64_t created = at(2026, 11, 20, 9, 0);  /* Friday */
    int64_t verified = at(2026, 11, 23, 9, 0); /* Monday */
    /* Verified: dispatch within one working day (Tuesday's close), and the
     * follow-up within 5 working days of verification (next Monday). */
    sla_case_in in = {KIND_COMPLAINT, ST_VERIFIED, created, verified, verified, 0};
    sla_compute(&p, &c, &in, &o);
    assert_int_equal(o.stage, SLA_STAGE_DISPATCH);
    assert_int_equal(o.due_at, at(2026, 11, 24, 16, 0));
    assert_int_equal(o.resolve_due_at, at(2026, 11, 30, 16, 0));
    /* Dispatched on Tuesday 10:00: first action by Thursday's close. */
    in.status = ST_DISPATCHED;
    in.entered_at = at(2026, 11, 24, 10, 0);
    sla_compute(&p, &c, &in, &o);
    assert_int_equal(o.stage, SLA_STAGE_ACTION);
    assert_int_equal(o.due_at, at(2026, 11, 26, 16, 0));
    /* In progress: the follow-up deadline counts from verification. */
    in.status = ST_IN_PROGRESS;
    in.entered_at = at(2026, 11, 25, 8, 0);
    sla_compute(&p, &c, &in, &o);
    assert_int_equal(o.stage, SLA_STAGE_RESOLVE);
    assert_int_equal(o.start_at, verified);
    assert_int_equal(o.due_at, at(2026, 11, 30, 16, 0));
    /* Resolved: closes after 10 working days without a reply... */
    in.status = ST_RESOLVED;
    in.entered_at = at(2026, 11, 26, 11, 0);
    sla_compute(&p, &c, &in, &o);
    assert_int_equal(o.stage, SLA_STAGE_AUTOCLOSE);
    assert_int_equal(o.due_at, at(2026, 12, 10, 16, 0));
    assert_int_equal(sla_state_at(o.stage, o.soon_at, o.due_at, o.due_at + 1), SLA_STATE_NONE);
    /* ... counted again from the reporter's reply. */
    in.reply_at = at(2026, 11, 30, 9, 0);
    sla_compute(&p, &c, &in, &o);
    assert_int_equal(o.due_at, at(2026, 12, 14, 16, 0));
    /* Nothing is due on hold, closed or rejected. */
    case_status_t idle[] = {ST_ON_HOLD, ST_CLOSED, ST_REJECTED, ST_FORWARDED};
    for (size_t i = 0; i < 4; i++) {
        in.status = idle[i];
        sla_compute(&p, &c, &in, &o);
        assert_int_equal(o.stage, SLA_STAGE_NONE);
        assert_int_equal(o.due_at, 0);
    }
}

static void test_hard_cap(void **state)
{
    (void)state;
    cal_t c;
    sla_policy p;
    sla_due_out o;
    cal_default(&c, WITA);
    sla_policy_default(KIND_COMPLAINT, 120, &p);
    int64_t created = at(2026, 1, 5, 9, 0);
    /* Reopened after 58 days: the dispatch step would end later than the
     * 60-day cap, so the cap rules. */
    int64_t reopened = created + 58 * 86400 + 3600 * 7;
    sla_case_in in = {KIND_COMPLAINT, ST_REOPENED, created, reopened, reopened, 0};
    p.dispatch = (sla_dur){5, SLA_WORK_DAYS};
    sla_compute(&p, &c, &in, &o);
    assert_int_equal(o.due_at, created + 60 * 86400);
    assert_int_equal(o.resolve_due_at, created + 60 * 86400);
}

static void test_emergency_minutes(void **state)
{
    (void)state;
    cal_t c;
    sla_policy p;
    sla_due_out o;
    calendar_2026(&c);
    sla_policy_default(KIND_EMERGENCY, 1, &p);
    /* A fire on Idul Fitri at 02:00: clock minutes, holidays or not. */
    int64_t t0 = at(2026, 3, 21, 2, 0);
    sla_case_in in = {KIND_EMERGENCY, ST_RECEIVED, t0, t0, 0, 0};
    sla_compute(&p, &c, &in, &o);
    assert_int_equal(o.stage, SLA_STAGE_DISPATCH);
    assert_int_equal(o.due_at, t0 + 5 * 60);
    assert_int_equal(o.soon_at, t0 + 225); /* 75 % of 5 minutes */
    assert_int_equal(o.resolve_due_at, t0 + 3600);
    in.status = ST_DISPATCHED;
    in.entered_at = t0 + 120;
    sla_compute(&p, &c, &in, &o);
    assert_int_equal(o.stage, SLA_STAGE_ACTION);
    assert_int_equal(o.due_at, t0 + 120 + 15 * 60);
    /* A configured share. */
    p.soon_pct = 50;
    sla_compute(&p, &c, &in, &o);
    assert_int_equal(o.soon_at, t0 + 120 + 450);
}

static void test_service_hours(void **state)
{
    (void)state;
    cal_t c;
    sla_policy p;
    sla_due_out o;
    cal_default(&c, WITA);
    sla_policy_default(KIND_SERVICE, 8, &p);
    /* A KTP request on Thursday 14:00, checked Friday 08:00: the result is
     * due 8 working hours after the request, at Friday 13:30. */
    int64_t t0 = at(2026, 11, 19, 14, 0);
    sla_case_in in = {KIND_SERVICE, ST_PROCESSING, t0, at(2026, 11, 20, 8, 0), 0, 0};
    sla_compute(&p, &c, &in, &o);
    assert_int_equal(o.stage, SLA_STAGE_RESOLVE);
    assert_int_equal(o.due_at, at(2026, 11, 20, 13, 30));
    /* Submitted (not yet checked): within one working day. */
    in.status = ST_SUBMITTED;
    in.entered_at = t0;
    sla_compute(&p, &c, &in, &o);
    assert_int_equal(o.stage, SLA_STAGE_VERIFY);
    assert_int_equal(o.due_at, at(2026, 11, 20, 16, 30));
    /* Waiting for the citizen's documents: no deadline on staff. */
    in.status = ST_INCOMPLETE;
    sla_compute(&p, &c, &in, &o);
    assert_int_equal(o.stage, SLA_STAGE_NONE);
}

static void test_tiny_and_never(void **state)
{
    (void)state;
    cal_t none;
    sla_policy p;
    sla_due_out o;
    memset(&none, 0, sizeof none);
    sla_policy_default(KIND_COMPLAINT, 120, &p);
    int64_t t0 = at(2026, 11, 23, 9, 0);
    sla_case_in in = {KIND_COMPLAINT, ST_RECEIVED, t0, t0, 0, 0};
    /* A calendar without office hours gives no working-day deadline... */
    p.cap_days = 0;
    sla_compute(&p, &none, &in, &o);
    assert_int_equal(o.stage, SLA_STAGE_NONE);
    /* ... unless the cap holds one. */
    p.cap_days = 60;
    sla_compute(&p, &none, &in, &o);
    assert_int_equal(o.due_at, t0 + 60 * 86400);
    /* Clock minutes, as the end-to-end tests configure: 1 minute. */
    p.verify = (sla_dur){1, SLA_MINUTES};
    sla_compute(&p, &none, &in, &o);
    assert_int_equal(o.due_at, t0 + 60);
    assert_int_equal(o.soon_at, t0 + 45);
    assert_int_equal(sla_due(&none, (sla_dur){0, SLA_DAYS}, t0), 0);
    assert_int_equal(sla_due(&none, (sla_dur){2, SLA_DAYS}, t0), t0 + 2 * 86400);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_verify_across_lebaran),
        cmocka_unit_test(test_complaint_steps),
        cmocka_unit_test(test_hard_cap),
        cmocka_unit_test(test_emergency_minutes),
        cmocka_unit_test(test_service_hours),
        cmocka_unit_test(test_tiny_and_never),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
