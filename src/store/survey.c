/* The satisfaction survey (issue #8): one invitation and one answer set per
 * case, anonymous responses, tallies. Written once for both engines on
 * store/q.h. */
#include "store/dom.h"
#include "store/q.h"

#include <string.h>

typedef struct {
    int64_t invite_event_id;
    bool answered;
} invite_row;

static const q_field INVITE_F[] = {
    QF(INT64, invite_row, invite_event_id),
    QF(BOOL, invite_row, answered),
};

typedef struct {
    int64_t case_id, event_id, now;
    const char *message, *template;
    bool mine; /* out */
} invite_ctx;

static err_t invite_tx(q_conn *c, void *arg)
{
    static const char ins[] = "INSERT INTO survey_cases (case_id, invite_event_id, invited_at)"
                              " VALUES ($1, $2, $3) ON CONFLICT (case_id) DO NOTHING";
    static const char get[] =
        "SELECT invite_event_id, answered FROM survey_cases WHERE case_id = $1";
    invite_ctx *x = arg;
    invite_row row;
    int64_t first = 0;
    err_t e = dom_case_lock(c, x->case_id); /* the invitation and the answer queue here */
    if (e == ERR_OK)
        e = q_run(c, ins, &first, Q_INT(x->case_id), Q_INT(x->event_id), Q_INT(x->now));
    if (e == ERR_OK)
        e = q_row(c, NULL, get, INVITE_F, &row, Q_INT(x->case_id));
    if (e != ERR_OK)
        return e;
    x->mine = !row.answered && (first || (x->event_id && row.invite_event_id == x->event_id));
    if (!first || !x->message)
        return ERR_OK;
    /* To the reporter where the case came from (a case reported in a
     * conversation: the survey goes there, not to a walk-in reporter). */
    dom_notice n = {.case_id = x->case_id,
                    .kind = "survey_invite",
                    .message = x->message,
                    .template = x->template,
                    .came_there = true,
                    .now = x->now};
    e = dom_outbox_notice(c, &n, NULL);
    return e == ERR_NOT_FOUND ? ERR_OK : e;
}

err_t store_survey_invite(store_t *s, int64_t case_id, int64_t event_id, const char *message,
                          const char *template, int64_t now, bool *mine)
{
    invite_ctx x = {case_id, event_id, now, message, template, false};
    err_t e = q_tx(s, invite_tx, &x);
    if (mine)
        *mine = e == ERR_OK && x.mine;
    return e;
}

typedef struct {
    bool invited, answered;
} status_row;

err_t store_survey_status(store_t *s, int64_t case_id, bool *invited, bool *answered)
{
    static const char sql[] = "SELECT v.case_id IS NOT NULL, COALESCE(v.answered, 0) FROM cases c"
                              " LEFT JOIN survey_cases v ON v.case_id = c.id WHERE c.id = $1";
    static const q_field F[] = {QF(BOOL, status_row, invited), QF(BOOL, status_row, answered)};
    status_row row = {false, false};
    err_t e = q_one(s, NULL, sql, F, &row, Q_INT(case_id));
    *invited = row.invited;
    *answered = row.answered;
    return e;
}

typedef struct {
    int64_t case_id, day, now;
    const int *answers;
    const char *comment;
} submit_ctx;

static err_t submit_tx(q_conn *c, void *arg)
{
    static const char mark[] =
        "INSERT INTO survey_cases (case_id, invite_event_id, invited_at, answered)"
        " VALUES ($1, 0, $2, 1) ON CONFLICT (case_id) DO UPDATE SET answered = 1"
        " WHERE survey_cases.answered = 0";
    static const char ins[] =
        "INSERT INTO survey_responses (agency_id, category_id, answered_on, u1, u2, u3, u4, u5,"
        " u6, u7, u8, u9, comment) SELECT agency_id, category_id, $2, $3, $4, $5, $6, $7, $8,"
        " $9, $10, $11, $12 FROM cases WHERE id = $1";
    submit_ctx *x = arg;
    int64_t marked = 0;
    err_t e = dom_case_lock(c, x->case_id);
    if (e == ERR_OK)
        e = q_run(c, mark, &marked, Q_INT(x->case_id), Q_INT(x->now));
    if (e == ERR_OK && marked == 0)
        e = ERR_CONFLICT; /* answered already */
    if (e != ERR_OK)
        return e;
    q_stmt *st = q_prep(c, ins);
    q_int(st, x->case_id);
    q_int(st, x->day);
    for (int i = 0; i < STORE_SURVEY_UNSUR; i++)
        q_id(st, x->answers[i]); /* 0: no answer, NULL */
    q_text(st, x->comment);
    e = q_exec(st);
    if (e == ERR_OK)
        e = dom_webhook_queue(c, x->case_id, 0, ",survey.submitted,", x->now);
    return e;
}

err_t store_survey_submit(store_t *s, int64_t case_id, const int answers[STORE_SURVEY_UNSUR],
                          const char *comment, int64_t day, int64_t now)
{
    for (int i = 0; i < STORE_SURVEY_UNSUR; i++)
        if (answers[i] < 0 || answers[i] > 4)
            return ERR_INVALID;
    submit_ctx x = {case_id, day, now, answers, comment};
    return q_tx(s, submit_tx, &x);
}

err_t store_survey_tally_get(store_t *s, int64_t agency_id, int64_t category_id, int64_t from,
                             int64_t to, store_survey_tally *out)
{
    static const char sql[] =
        "SELECT COUNT(*), SUM(u1), COUNT(u1), SUM(u2), COUNT(u2), SUM(u3), COUNT(u3), SUM(u4),"
        " COUNT(u4), SUM(u5), COUNT(u5), SUM(u6), COUNT(u6), SUM(u7), COUNT(u7), SUM(u8),"
        " COUNT(u8), SUM(u9), COUNT(u9) FROM survey_responses WHERE ($1 IS NULL OR agency_id = $1)"
        " AND ($2 IS NULL OR category_id = $2) AND answered_on >= $3 AND answered_on < $4";
    q_conn *c = NULL;
    q_stmt *st;
    memset(out, 0, sizeof *out);
    err_t e = q_get(s, &c);
    if (e != ERR_OK)
        goto out;
    st = q_prep(c, sql);
    q_id(st, agency_id);
    q_id(st, category_id);
    q_int(st, from);
    q_int(st, to);
    if ((e = q_step(st)) != ERR_OK)
        goto out;
    out->respondents = q_col_int(st, 0);
    for (int i = 0; i < STORE_SURVEY_UNSUR; i++) {
        out->sum[i] = q_col_int(st, 1 + 2 * i); /* SUM of no row is NULL: 0 */
        out->count[i] = q_col_int(st, 2 + 2 * i);
    }
out:
    q_put(c); /* ends the statement's run too */
    return e;
}
