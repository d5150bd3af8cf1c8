/* The transition table, checked exhaustively: every kind x state x action
 * x role against the specification written out below (DESIGN.md §5,
 * docs/API.md). Anything not listed must be refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "domain/lifecycle.h"

#include <string.h>

/* kinds: c = complaint, e = emergency, s = service.
 * roles: S superadmin, A admin, V supervisor (kepala bidang), F field, W viewer. */
static const struct {
    const char *kinds, *from, *action, *to, *roles;
} spec[] = {
    {"ce", "received", "verify", "verified", "SAV"},
    {"ce", "received", "reject", "rejected", "SAV"},
    {"ce", "received", "hold", "on_hold", "SAV"},
    {"ce", "received", "forward", "forwarded", "SAV"},
    {"e", "received", "dispatch", "dispatched", "SAV"},
    {"ce", "on_hold", "resume", "received", "SAV"},
    {"ce", "on_hold", "reject", "rejected", "SAV"},
    {"ce", "verified", "dispatch", "dispatched", "SV"},
    {"ce", "verified", "reject", "rejected", "SV"},
    {"ce", "verified", "hold", "on_hold", "SAV"},
    {"ce", "verified", "forward", "forwarded", "SV"},
    {"ce", "dispatched", "dispatch", "dispatched", "SV"},
    {"ce", "dispatched", "start", "in_progress", "SVF"},
    {"ce", "in_progress", "resolve", "resolved", "SVF"},
    {"ce", "resolved", "close", "closed", "SAV"},
    {"ce", "resolved", "reopen", "reopened", "SAV"},
    {"ce", "closed", "reopen", "reopened", "SV"},
    {"ce", "reopened", "dispatch", "dispatched", "SV"},
    {"ce", "reopened", "start", "in_progress", "SVF"},
    {"s", "submitted", "check", "checking", "SAV"},
    {"s", "submitted", "incomplete", "incomplete", "SAV"},
    {"s", "submitted", "reject", "rejected", "SAV"},
    {"s", "submitted", "forward", "forwarded", "SAV"},
    {"s", "checking", "incomplete", "incomplete", "SAV"},
    {"s", "checking", "process", "processing", "SAV"},
    {"s", "checking", "reject", "rejected", "SAV"},
    {"s", "incomplete", "check", "checking", "SAV"},
    {"s", "incomplete", "reject", "rejected", "SAV"},
    {"s", "processing", "issue", "issued", "SAV"},
    {"s", "issued", "close", "closed", "SAV"},
    /* The reporter's withdrawal (issue 16): no staff role may do it. */
    {"c", "received", "withdraw", "closed", ""},
    {"c", "verified", "withdraw", "closed", ""},
    {"c", "on_hold", "withdraw", "closed", ""},
    {"s", "submitted", "withdraw", "closed", ""},
    {"s", "incomplete", "withdraw", "closed", ""},
};

static const char kind_letter[KIND__COUNT] = {'c', 's', 'e'};
static const char role_letter[ROLE__COUNT] = {'S', 'A', 'V', 'F', 'W'};

/* The spec row for (kind, from, action), or -1. */
static int spec_row(case_kind_t k, case_status_t from, case_action_t a)
{
    for (size_t i = 0; i < sizeof spec / sizeof spec[0]; i++)
        if (strchr(spec[i].kinds, kind_letter[k]) && strcmp(spec[i].from, status_name(from)) == 0 &&
            strcmp(spec[i].action, action_name(a)) == 0)
            return (int)i;
    return -1;
}

static void every_combination(void **state)
{
    (void)state;
    int allowed = 0, checked = 0;
    for (int k = 0; k < KIND__COUNT; k++)
        for (int s = 0; s < ST__COUNT; s++)
            for (int a = 0; a < ACT__COUNT; a++)
                for (int r = 0; r < ROLE__COUNT; r++) {
                    const transition_t *t = NULL;
                    err_t e = lifecycle_check(k, s, a, r, &t);
                    int row = spec_row(k, s, a);
                    checked++;
                    if (row < 0) {
                        if (e != ERR_CONFLICT)
                            fail_msg("%s %s %s %s: expected conflict, got %s", kind_name(k),
                                     status_name(s), action_name(a), role_name(r), err_code(e));
                    } else if (!strchr(spec[row].roles, role_letter[r])) {
                        if (e != ERR_FORBIDDEN)
                            fail_msg("%s %s %s %s: expected forbidden, got %s", kind_name(k),
                                     status_name(s), action_name(a), role_name(r), err_code(e));
                    } else {
                        if (e != ERR_OK)
                            fail_msg("%s %s %s %s: expected allowed, got %s", kind_name(k),
                                     status_name(s), action_name(a), role_name(r), err_code(e));
                        assert_string_equal(status_name(t->to), spec[row].to);
                        allowed++;
                    }
                }
    assert_int_equal(checked, KIND__COUNT * ST__COUNT * ACT__COUNT * ROLE__COUNT);
    assert_true(allowed > 0);
}

/* Every row of the table is in the spec (no transition slipped in). */
static void table_matches_spec(void **state)
{
    (void)state;
    unsigned n;
    const transition_t *t = lifecycle_table(&n);
    for (unsigned i = 0; i < n; i++)
        for (int k = 0; k < KIND__COUNT; k++)
            if (t[i].kinds & (1u << k))
                assert_true(spec_row(k, t[i].from, t[i].action) >= 0);
}

static void viewer_changes_nothing(void **state)
{
    (void)state;
    for (int k = 0; k < KIND__COUNT; k++)
        for (int s = 0; s < ST__COUNT; s++)
            for (int a = 0; a < ACT__COUNT; a++) {
                const transition_t *t;
                assert_int_not_equal(lifecycle_check(k, s, a, ROLE_VIEWER, &t), ERR_OK);
            }
}

static void needs_and_visibility(void **state)
{
    (void)state;
    const transition_t *t;
    /* The reporter reads why (issue #13): a message to them, not a note. */
    assert_int_equal(lifecycle_check(KIND_COMPLAINT, ST_RECEIVED, ACT_REJECT, ROLE_ADMIN, &t),
                     ERR_OK);
    assert_true(t->needs & NEED_PUBLIC);
    assert_int_equal(lifecycle_check(KIND_COMPLAINT, ST_CLOSED, ACT_REOPEN, ROLE_SUPERVISOR, &t),
                     ERR_OK);
    assert_true(t->needs & NEED_NOTE);
    assert_false(t->needs & NEED_PUBLIC);
    assert_int_equal(
        lifecycle_check(KIND_COMPLAINT, ST_VERIFIED, ACT_DISPATCH, ROLE_SUPERVISOR, &t), ERR_OK);
    assert_true(t->needs & NEED_TEAM);
    assert_int_equal(lifecycle_check(KIND_COMPLAINT, ST_RECEIVED, ACT_FORWARD, ROLE_ADMIN, &t),
                     ERR_OK);
    assert_true(t->needs & NEED_AGENCY);
    /* The result the reporter confirms. */
    assert_int_equal(lifecycle_check(KIND_COMPLAINT, ST_IN_PROGRESS, ACT_RESOLVE, ROLE_FIELD, &t),
                     ERR_OK);
    assert_true(t->needs & NEED_PUBLIC);
    assert_true(t->is_public);
    /* Terminal states have no way out. */
    for (int a = 0; a < ACT__COUNT; a++)
        for (int r = 0; r < ROLE__COUNT; r++) {
            assert_int_equal(lifecycle_check(KIND_COMPLAINT, ST_REJECTED, a, r, &t), ERR_CONFLICT);
            assert_int_equal(lifecycle_check(KIND_SERVICE, ST_FORWARDED, a, r, &t), ERR_CONFLICT);
        }
}

static void names_round_trip(void **state)
{
    (void)state;
    for (int s = 0; s < ST__COUNT; s++) {
        assert_int_equal(status_parse(status_name(s)), s);
        assert_string_not_equal(status_label(s, "id"), status_label(s, "en"));
    }
    for (int a = 0; a < ACT__COUNT; a++)
        assert_int_equal(action_parse(action_name(a)), a);
    for (int r = 0; r < ROLE__COUNT; r++)
        assert_int_equal(role_parse(role_name(r)), r);
    for (int k = 0; k < KIND__COUNT; k++)
        assert_int_equal(kind_parse(kind_name(k)), k);
    assert_int_equal(status_parse("bogus"), -1);
    assert_int_equal(action_parse(NULL), -1);
    assert_int_equal(lifecycle_initial(KIND_SERVICE), ST_SUBMITTED);
    assert_int_equal(lifecycle_initial(KIND_EMERGENCY), ST_RECEIVED);
}

/* The reporter withdraws only before a team has the case (issue 16). */
static void reporter_withdraws_early(void **state)
{
    (void)state;
    const transition_t *t;
    assert_int_equal(lifecycle_check_reporter(KIND_COMPLAINT, ST_RECEIVED, ACT_WITHDRAW, &t),
                     ERR_OK);
    assert_int_equal(t->to, ST_CLOSED);
    assert_true(t->is_public);
    assert_int_equal(lifecycle_check_reporter(KIND_SERVICE, ST_INCOMPLETE, ACT_WITHDRAW, &t),
                     ERR_OK);
    static const case_status_t late[] = {ST_DISPATCHED, ST_IN_PROGRESS, ST_RESOLVED, ST_CLOSED,
                                         ST_REOPENED};
    for (size_t i = 0; i < sizeof late / sizeof late[0]; i++)
        assert_int_equal(lifecycle_check_reporter(KIND_COMPLAINT, late[i], ACT_WITHDRAW, &t),
                         ERR_CONFLICT);
    assert_int_equal(lifecycle_check_reporter(KIND_SERVICE, ST_PROCESSING, ACT_WITHDRAW, &t),
                     ERR_CONFLICT);
    /* No staff action is the reporter's. */
    assert_int_equal(lifecycle_check_reporter(KIND_COMPLAINT, ST_RECEIVED, ACT_REJECT, &t),
                     ERR_CONFLICT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_combination),      cmocka_unit_test(table_matches_spec),
        cmocka_unit_test(viewer_changes_nothing), cmocka_unit_test(needs_and_visibility),
        cmocka_unit_test(names_round_trip),       cmocka_unit_test(reporter_withdraws_early),
    };
    return cmocka_run_group_tests_name("lifecycle", tests, NULL, NULL);
}
