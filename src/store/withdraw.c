/* The reporter's withdrawal of a filed case (issue 16): the case goes to
 * closed with a public "withdraw" event, in one transaction with whatever
 * else the message changes. The caller checked the lifecycle (the domain's
 * case_withdraw_allowed) and that the reporter is the case's. Written once
 * for both engines on store/q.h. */
#include "store/dom.h"

err_t dom_case_withdraw(q_conn *c, int64_t case_id, const char *expect_status, const char *reason,
                        int64_t now, int64_t *event_id)
{
    /* Compare-and-set on the status the decision was made on: a case a
     * team took meanwhile is not withdrawn. */
    static const char upd[] = "UPDATE cases SET status = 'closed', updated_at = $1"
                              " WHERE id = $2 AND status = $3";
    int64_t changed = 0, ev_id = 0;
    err_t e = q_run(c, upd, &changed, Q_INT(now), Q_INT(case_id), Q_TEXT(expect_status));
    if (e == ERR_OK && changed == 0)
        return dom_case_moved(c, case_id);
    /* No status update to the reporter: their channel answers them at once;
     * the case's followers hear of it as of any public step. */
    dom_event ev = {case_id, "withdraw", expect_status, "closed", 0,    reason,
                    NULL,    0,          false,         0,        true, now};
    if (e == ERR_OK)
        e = dom_event_add(c, &ev, &ev_id);
    if (e == ERR_OK)
        e = dom_dispatch_queue_followers(c, case_id, ev_id, now);
    if (e == ERR_OK && event_id)
        *event_id = ev_id;
    return e;
}

typedef struct {
    int64_t case_id, now;
    const char *expect, *reason;
    int64_t event_id;
} withdraw_ctx;

static err_t withdraw_tx(q_conn *c, void *arg)
{
    withdraw_ctx *x = arg;
    return dom_case_withdraw(c, x->case_id, x->expect, x->reason, x->now, &x->event_id);
}

err_t store_case_withdraw(store_t *s, int64_t case_id, const char *expect_status,
                          const char *reason, int64_t now, int64_t *event_id)
{
    withdraw_ctx x = {case_id, now, expect_status, reason, 0};
    err_t e = q_tx(s, withdraw_tx, &x);
    if (e == ERR_OK && event_id)
        *event_id = x.event_id;
    return e;
}
