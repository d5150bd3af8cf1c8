/* The SQLite store: the satisfaction survey (issue #8). */
#include "store/sqlite_int.h"

#include <string.h>

/* The case's WhatsApp reporter and the number to write from (as in
 * sqlite_wa.c). */
#define SURVEY_TARGET                                                                              \
    "SELECT c.agency_id AS agency_id, COALESCE(w.phone_number_id, (SELECT MIN(n.phone_number_id)"  \
    " FROM agency_numbers n WHERE n.agency_id = c.agency_id)) AS pnid, r.wa_id AS wa_id,"          \
    " c.id AS case_id FROM cases c"                                                                \
    " JOIN reporters r ON r.id = c.reporter_id LEFT JOIN wa_conversations w"                       \
    " ON w.agency_id = c.agency_id AND w.wa_id = r.wa_id"                                          \
    " WHERE c.id = ?1 AND c.channel = 'whatsapp' AND r.wa_id IS NOT NULL"

static err_t case_exists(conn_t *c, int64_t case_id)
{
    static const char sql[] = "SELECT 1 FROM cases WHERE id = ?";
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, case_id);
    e = sq_step_row(c, st, "survey_case");
    sqlite3_reset(st);
out:
    return e;
}

err_t sq_survey_invite(store_t *s, int64_t case_id, int64_t event_id, const char *payload,
                       const char *template, int64_t now, bool *mine)
{
    static const char ins[] = "INSERT INTO survey_cases (case_id, invite_event_id, invited_at)"
                              " VALUES (?, ?, ?) ON CONFLICT (case_id) DO NOTHING";
    static const char get[] =
        "SELECT invite_event_id, answered FROM survey_cases WHERE case_id = ?";
    static const char queue[] =
        "INSERT INTO wa_outbox (agency_id, phone_number_id, to_wa_id, case_id, kind, payload,"
        " template, created_at, updated_at) SELECT agency_id, pnid, wa_id, case_id,"
        " 'survey_invite', ?2, ?3, ?4, ?4 FROM (" SURVEY_TARGET ") x WHERE pnid IS NOT NULL";
    conn_t *c = sq_get(s);
    sqlite3_stmt *st;
    bool first = false, own = false;
    err_t e = sq_begin(c);
    if (e == ERR_OK)
        e = case_exists(c, case_id);
    if (e != ERR_OK)
        goto out;
    SQ_PREP(c, st, ins);
    sqlite3_bind_int64(st, 1, case_id);
    sqlite3_bind_int64(st, 2, event_id);
    sqlite3_bind_int64(st, 3, now);
    e = sq_exec_stmt(c, st, "survey_invite");
    if (e != ERR_OK)
        goto out;
    first = sqlite3_changes(c->db) > 0;
    SQ_PREP(c, st, get);
    sqlite3_bind_int64(st, 1, case_id);
    e = sq_step_row(c, st, "survey_invite_get");
    if (e == ERR_OK)
        own = !sq_int(st, 1) && (first || (event_id && sq_int(st, 0) == event_id));
    sqlite3_reset(st);
    if (e == ERR_OK && first && payload) {
        SQ_PREP(c, st, queue);
        sqlite3_bind_int64(st, 1, case_id);
        sq_bind_text(st, 2, payload);
        sq_bind_text(st, 3, template);
        sqlite3_bind_int64(st, 4, now);
        e = sq_exec_stmt(c, st, "survey_invite_queue");
    }
    if (e == ERR_OK)
        e = sq_commit(c);
out:
    sq_rollback(c);
    sq_put(s, c);
    if (mine)
        *mine = e == ERR_OK && own;
    return e;
}

err_t sq_survey_status(store_t *s, int64_t case_id, bool *invited, bool *answered)
{
    static const char sql[] = "SELECT c.id, v.answered, v.case_id FROM cases c"
                              " LEFT JOIN survey_cases v ON v.case_id = c.id WHERE c.id = ?";
    conn_t *c = sq_get(s);
    sqlite3_stmt *st;
    err_t e = ERR_OK;
    *invited = *answered = false;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, case_id);
    e = sq_step_row(c, st, "survey_status");
    if (e == ERR_OK) {
        *invited = sqlite3_column_type(st, 2) != SQLITE_NULL;
        *answered = sq_int(st, 1) != 0;
    }
    sqlite3_reset(st);
out:
    sq_put(s, c);
    return e;
}

err_t sq_survey_submit(store_t *s, int64_t case_id, const int answers[STORE_SURVEY_UNSUR],
                       const char *comment, int64_t day, int64_t now)
{
    static const char mark[] =
        "INSERT INTO survey_cases (case_id, invite_event_id, invited_at, answered)"
        " VALUES (?1, 0, ?2, 1) ON CONFLICT (case_id) DO UPDATE SET answered = 1"
        " WHERE survey_cases.answered = 0";
    static const char ins[] =
        "INSERT INTO survey_responses (agency_id, category_id, answered_on, u1, u2, u3, u4, u5,"
        " u6, u7, u8, u9, comment) SELECT agency_id, category_id, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
        " ?9, ?10, ?11, ?12 FROM cases WHERE id = ?1";
    for (int i = 0; i < STORE_SURVEY_UNSUR; i++)
        if (answers[i] < 0 || answers[i] > 4)
            return ERR_INVALID;
    conn_t *c = sq_get(s);
    sqlite3_stmt *st;
    err_t e = sq_begin(c);
    if (e == ERR_OK)
        e = case_exists(c, case_id);
    if (e != ERR_OK)
        goto out;
    SQ_PREP(c, st, mark);
    sqlite3_bind_int64(st, 1, case_id);
    sqlite3_bind_int64(st, 2, now);
    e = sq_exec_stmt(c, st, "survey_mark");
    if (e == ERR_OK && sqlite3_changes(c->db) == 0)
        e = ERR_CONFLICT;
    if (e != ERR_OK)
        goto out;
    SQ_PREP(c, st, ins);
    sqlite3_bind_int64(st, 1, case_id);
    sqlite3_bind_int64(st, 2, day);
    for (int i = 0; i < STORE_SURVEY_UNSUR; i++)
        sq_bind_id(st, 3 + i, answers[i]);
    sq_bind_text(st, 12, comment);
    e = sq_exec_stmt(c, st, "survey_response");
    if (e == ERR_OK)
        e = sq_commit(c);
out:
    sq_rollback(c);
    sq_put(s, c);
    return e;
}

err_t sq_survey_tally_get(store_t *s, int64_t agency_id, int64_t category_id, int64_t from,
                          int64_t to, store_survey_tally *out)
{
    static const char sql[] =
        "SELECT COUNT(*), SUM(u1), COUNT(u1), SUM(u2), COUNT(u2), SUM(u3), COUNT(u3), SUM(u4),"
        " COUNT(u4), SUM(u5), COUNT(u5), SUM(u6), COUNT(u6), SUM(u7), COUNT(u7), SUM(u8),"
        " COUNT(u8), SUM(u9), COUNT(u9) FROM survey_responses WHERE (?1 IS NULL OR agency_id = ?1)"
        " AND (?2 IS NULL OR category_id = ?2) AND answered_on >= ?3 AND answered_on < ?4";
    conn_t *c = sq_get(s);
    sqlite3_stmt *st;
    err_t e = ERR_OK;
    memset(out, 0, sizeof *out);
    SQ_PREP(c, st, sql);
    sq_bind_id(st, 1, agency_id);
    sq_bind_id(st, 2, category_id);
    sqlite3_bind_int64(st, 3, from);
    sqlite3_bind_int64(st, 4, to);
    e = sq_step_row(c, st, "survey_tally");
    if (e == ERR_OK) {
        out->respondents = sq_int(st, 0);
        for (int i = 0; i < STORE_SURVEY_UNSUR; i++) {
            out->sum[i] = sq_int(st, 1 + 2 * i);
            out->count[i] = sq_int(st, 2 + 2 * i);
        }
    }
    sqlite3_reset(st);
out:
    sq_put(s, c);
    return e;
}
