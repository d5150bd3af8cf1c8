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

/* ---- the web form's cancel links (migration 0040) --------------------------------------- */

typedef struct {
    int64_t case_id, now;
    const char *hash, *message, *template;
} link_add_ctx;

static err_t link_add_tx(q_conn *c, void *arg)
{
    static const char sql[] =
        "INSERT INTO withdraw_links (token_hash, case_id, created_at) VALUES ($1, $2, $3)";
    link_add_ctx *x = arg;
    err_t e = q_run(c, sql, NULL, Q_TEXT(x->hash), Q_INT(x->case_id), Q_INT(x->now));
    if (e != ERR_OK || !x->message)
        return e;
    dom_notice n = {.case_id = x->case_id,
                    .kind = "withdraw_link",
                    .message = x->message,
                    .template = x->template,
                    .now = x->now};
    e = dom_outbox_notice(c, &n, NULL);
    return e == ERR_NOT_FOUND ? ERR_OK : e; /* no one to send it to */
}

err_t store_withdraw_link_add(store_t *s, int64_t case_id, const char *token_hash,
                              const char *message, const char *template, int64_t now)
{
    link_add_ctx x = {case_id, now, token_hash, message, template};
    return q_tx(s, link_add_tx, &x);
}

typedef struct {
    int64_t case_id;
    bool used;
} link_row;

err_t store_withdraw_link_get(store_t *s, int64_t *case_id, bool *used, const char *token_hash)
{
    static const char sql[] =
        "SELECT case_id, used_at IS NOT NULL FROM withdraw_links WHERE token_hash = $1";
    static const q_field F[] = {QF(INT64, link_row, case_id), QF(BOOL, link_row, used)};
    link_row row = {0, false};
    err_t e = q_one(s, NULL, sql, F, &row, Q_TEXT(token_hash));
    if (e == ERR_OK) {
        *case_id = row.case_id;
        *used = row.used;
    }
    return e;
}

typedef struct {
    const char *hash, *expect;
    int64_t case_id, now;
} link_use_ctx;

static err_t link_use_tx(q_conn *c, void *arg)
{
    static const char use[] = "UPDATE withdraw_links SET used_at = $1"
                              " WHERE token_hash = $2 AND case_id = $3 AND used_at IS NULL";
    link_use_ctx *x = arg;
    int64_t changed = 0;
    err_t e = q_run(c, use, &changed, Q_INT(x->now), Q_TEXT(x->hash), Q_INT(x->case_id));
    if (e == ERR_OK && changed == 0) {
        int64_t one = 0;
        e = q_row_int(c, "SELECT 1 FROM withdraw_links WHERE token_hash = $1 AND case_id = $2",
                      &one, Q_TEXT(x->hash), Q_INT(x->case_id));
        return e == ERR_OK ? ERR_CONFLICT : e; /* used before, or no such link */
    }
    if (e == ERR_OK)
        e = dom_case_withdraw(c, x->case_id, x->expect,
                              "Dibatalkan oleh pelapor lewat tautan formulir web", x->now, NULL);
    return e;
}

err_t store_withdraw_link_use(store_t *s, const char *token_hash, int64_t case_id,
                              const char *expect_status, int64_t now)
{
    link_use_ctx x = {token_hash, expect_status, case_id, now};
    return q_tx(s, link_use_tx, &x);
}
