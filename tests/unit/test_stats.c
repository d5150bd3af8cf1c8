/* stats: which cases count for SLA compliance and whether they met their
 * resolve deadline (issue #6 figures on /statistik and in the report). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "domain/stats.h"

#include <string.h>

#define DUE 1795305600

static store_stats_case mk(const char *status, int64_t due, int64_t last_resolved, int64_t closed)
{
    store_stats_case c;
    memset(&c, 0, sizeof c);
    c.status = status;
    c.resolve_due_at = due;
    c.last_resolved_at = last_resolved;
    c.closed_at = closed;
    return c;
}

static void sla_counts(void **state)
{
    (void)state;
    bool met = true;
    store_stats_case c = mk("resolved", DUE, DUE - 60, 0);
    assert_true(stats_sla_counts(&c, &met));
    assert_true(met);
    c = mk("resolved", DUE, DUE, 0); /* at the deadline itself: on time */
    assert_true(stats_sla_counts(&c, &met));
    assert_true(met);
    c = mk("closed", DUE, DUE + 1, DUE + 100);
    assert_true(stats_sla_counts(&c, &met));
    assert_false(met);
    /* Closed without passing through resolved: judged by its closing. */
    c = mk("closed", DUE, 0, DUE - 5);
    assert_true(stats_sla_counts(&c, &met));
    assert_true(met);
    c = mk("issued", DUE, DUE + 3600, 0);
    assert_true(stats_sla_counts(&c, &met));
    assert_false(met);
    /* Not judged: open (even when a resolution was reopened), rejected,
     * or without a resolve deadline. */
    c = mk("in_progress", DUE, DUE - 60, 0);
    assert_false(stats_sla_counts(&c, &met));
    assert_false(met);
    c = mk("reopened", DUE, DUE - 60, 0);
    assert_false(stats_sla_counts(&c, &met));
    c = mk("rejected", DUE, 0, DUE);
    assert_false(stats_sla_counts(&c, &met));
    c = mk("resolved", 0, DUE, 0);
    assert_false(stats_sla_counts(&c, &met));
}

static void share(void **state)
{
    (void)state;
    assert_true(stats_share(0, 0) < 0);
    assert_true(stats_share(3, 4) == 0.75);
    assert_true(stats_share(0, 5) == 0.0);
    assert_true(stats_share(5, 5) == 1.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sla_counts),
        cmocka_unit_test(share),
    };
    return cmocka_run_group_tests_name("stats", tests, NULL, NULL);
}
