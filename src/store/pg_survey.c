/* The PostgreSQL store: the satisfaction survey (issue #8). */
#include "store/pg_int.h"

#include <string.h>

#define SURVEY_TARGET                                                                              \
    "SELECT c.agency_id AS agency_id, COALESCE(w.phone_number_id, (SELECT MIN(n.phone_number_id)"  \
    " FROM agency_numbers n WHERE n.agency_id = c.agency_id)) AS pnid, r.wa_id AS wa_id,"          \
    " c.id AS case_id FROM cases c"                                                                \
    " JOIN reporters r ON r.id = c.reporter_id LEFT JOIN wa_conversations w"                       \
    " ON w.agency_id = c.agency_id AND w.wa_id = r.wa_id"                                          \
    " WHERE c.id = $1 AND c.channel = 'whatsapp' AND r.wa_id IS NOT NULL"

/* Runs sql; *rows (may be NULL) gets the rows it returned or changed. */
static err_t run(pconn_t *c, const char *sql, const pq_params *p, int64_t *changed,
                 const char *what)
{
    PGresult *r = NULL;
    err_t e = pq_run(c, sql, p, &r, what);
    if (e == ERR_OK && changed)
        *changed = pq_affected(r);
    PQclear(r);
    return e;
}

/* Locks the case row (invitations and answers of one case queue here). */
static err_t lock_case(pconn_t *c, int64_t case_id)
{
    static const char sql[] = "SELECT 1 FROM cases WHERE id = $1 FOR UPDATE";
    pq_params p = {0};
    int64_t rows = 0;
    pp_int(&p, case_id);
    err_t e = run(c, sql, &p, &rows, "survey_case");
    return e == ERR_OK && rows == 0 ? ERR_NOT_FOUND : e;
}

err_t pg_survey_invite(store_t *s, int64_t case_id, int64_t event_id, const char *payload,
                       const char *template, int64_t now, bool *mine)
{
    static const char ins[] = "INSERT INTO survey_cases (case_id, invite_event_id, invited_at)"
                              " VALUES ($1, $2, $3) ON CONFLICT (case_id) DO NOTHING";
    static const char get[] =
        "SELECT invite_event_id, answered FROM survey_cases WHERE case_id = $1";
    static const char queue[] =
        "INSERT INTO wa_outbox (agency_id, phone_number_id, to_wa_id, case_id, kind, payload,"
        " template, created_at, updated_at) SELECT agency_id, pnid, wa_id, case_id,"
        " 'survey_invite', $2::text, $3::text, $4::bigint, $4::bigint FROM (" SURVEY_TARGET
        ") x WHERE pnid IS NOT NULL";
    pconn_t *c = pq_get(s);
    if (!c)
        return ERR_UNAVAILABLE;
    bool own = false;
    int64_t first = 0;
    err_t e = pq_begin(c);
    if (e == ERR_OK)
        e = lock_case(c, case_id);
    if (e == ERR_OK) {
        pq_params p = {0};
        pp_int(&p, case_id);
        pp_int(&p, event_id);
        pp_int(&p, now);
        e = run(c, ins, &p, &first, "survey_invite");
    }
    if (e == ERR_OK) {
        pq_params p = {0};
        PGresult *r = NULL;
        pp_int(&p, case_id);
        e = pq_run(c, get, &p, &r, "survey_invite_get");
        if (e == ERR_OK && PQntuples(r) == 1)
            own = !pq_int(r, 0, 1) && (first || (event_id && pq_int(r, 0, 0) == event_id));
        PQclear(r);
    }
    if (e == ERR_OK && first && payload) {
        pq_params p = {0};
        pp_int(&p, case_id);
        pp_text(&p, payload);
        pp_text(&p, template);
        pp_int(&p, now);
        e = run(c, queue, &p, NULL, "survey_invite_queue");
    }
    if (e == ERR_OK)
        e = pq_commit(c);
    pq_rollback(c);
    pq_put(s, c);
    if (mine)
        *mine = e == ERR_OK && own;
    return e;
}

typedef struct {
    bool invited, answered;
} status_row;

static void read_status(arena_t *ar, PGresult *r, int i, void *elem)
{
    (void)ar;
    status_row *o = elem;
    o->invited = !pq_null(r, i, 2);
    o->answered = !pq_null(r, i, 1) && pq_int(r, i, 1) != 0;
}

err_t pg_survey_status(store_t *s, int64_t case_id, bool *invited, bool *answered)
{
    static const char sql[] = "SELECT c.id, v.answered, v.case_id FROM cases c"
                              " LEFT JOIN survey_cases v ON v.case_id = c.id WHERE c.id = $1";
    arena_t *ar = arena_new();
    status_row *rows = NULL;
    size_t n = 0;
    pq_params p = {0};
    *invited = *answered = false;
    if (!ar)
        return ERR_NOMEM;
    pp_int(&p, case_id);
    err_t e =
        pq_list(s, ar, sql, &p, sizeof *rows, read_status, (void **)&rows, &n, "survey_status");
    if (e == ERR_OK && n == 0)
        e = ERR_NOT_FOUND;
    if (e == ERR_OK) {
        *invited = rows[0].invited;
        *answered = rows[0].answered;
    }
    arena_destroy(ar);
    return e;
}

err_t pg_survey_submit(store_t *s, int64_t case_id, const int answers[STORE_SURVEY_UNSUR],
                       const char *comment, int64_t day, int64_t now)
{
    static const char mark[] =
        "INSERT INTO survey_cases (case_id, invite_event_id, invited_at, answered)"
        " VALUES ($1, 0, $2, 1) ON CONFLICT (case_id) DO UPDATE SET answered = 1"
        " WHERE survey_cases.answered = 0";
    static const char ins[] =
        "INSERT INTO survey_responses (agency_id, category_id, answered_on, u1, u2, u3, u4, u5,"
        " u6, u7, u8, u9, comment) SELECT agency_id, category_id, $2::bigint, $3::int, $4::int,"
        " $5::int, $6::int, $7::int, $8::int, $9::int, $10::int, $11::int, $12::text"
        " FROM cases WHERE id = $1";
    for (int i = 0; i < STORE_SURVEY_UNSUR; i++)
        if (answers[i] < 0 || answers[i] > 4)
            return ERR_INVALID;
    pconn_t *c = pq_get(s);
    if (!c)
        return ERR_UNAVAILABLE;
    int64_t changed = 0;
    err_t e = pq_begin(c);
    if (e == ERR_OK)
        e = lock_case(c, case_id);
    if (e == ERR_OK) {
        pq_params p = {0};
        pp_int(&p, case_id);
        pp_int(&p, now);
        e = run(c, mark, &p, &changed, "survey_mark");
        if (e == ERR_OK && changed == 0)
            e = ERR_CONFLICT;
    }
    if (e == ERR_OK) {
        pq_params p = {0};
        pp_int(&p, case_id);
        pp_int(&p, day);
        for (int i = 0; i < STORE_SURVEY_UNSUR; i++)
            pp_id(&p, answers[i]);
        pp_text(&p, comment);
        e = run(c, ins, &p, NULL, "survey_response");
    }
    if (e == ERR_OK)
        e = pq_commit(c);
    pq_rollback(c);
    pq_put(s, c);
    return e;
}

typedef struct {
    int64_t v[1 + 2 * STORE_SURVEY_UNSUR];
} tally_row;

static void read_tally(arena_t *ar, PGresult *r, int i, void *elem)
{
    (void)ar;
    tally_row *o = elem;
    for (int k = 0; k < 1 + 2 * STORE_SURVEY_UNSUR; k++)
        o->v[k] = pq_null(r, i, k) ? 0 : pq_int(r, i, k);
}

err_t pg_survey_tally_get(store_t *s, int64_t agency_id, int64_t category_id, int64_t from,
                          int64_t to, store_survey_tally *out)
{
    static const char sql[] =
        "SELECT COUNT(*), SUM(u1), COUNT(u1), SUM(u2), COUNT(u2), SUM(u3), COUNT(u3), SUM(u4),"
        " COUNT(u4), SUM(u5), COUNT(u5), SUM(u6), COUNT(u6), SUM(u7), COUNT(u7), SUM(u8),"
        " COUNT(u8), SUM(u9), COUNT(u9) FROM survey_responses"
        " WHERE ($1::bigint IS NULL OR agency_id = $1) AND ($2::bigint IS NULL OR category_id = $2)"
        " AND answered_on >= $3 AND answered_on < $4";
    arena_t *ar = arena_new();
    tally_row *rows = NULL;
    size_t n = 0;
    pq_params p = {0};
    memset(out, 0, sizeof *out);
    if (!ar)
        return ERR_NOMEM;
    pp_id(&p, agency_id);
    pp_id(&p, category_id);
    pp_int(&p, from);
    pp_int(&p, to);
    err_t e = pq_list(s, ar, sql, &p, sizeof *rows, read_tally, (void **)&rows, &n, "survey_tally");
    if (e == ERR_OK && n == 1) {
        out->respondents = rows[0].v[0];
        for (int i = 0; i < STORE_SURVEY_UNSUR; i++) {
            out->sum[i] = rows[0].v[1 + 2 * i];
            out->count[i] = rows[0].v[2 + 2 * i];
        }
    }
    arena_destroy(ar);
    return e;
}
