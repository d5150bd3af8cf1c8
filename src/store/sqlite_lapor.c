/* The SQLite store: a case's LAPOR! tracking number and a team's
 * resolutions of the day (issue 13; see pg_lapor.c for the same SQL). */
#include "store/sqlite_int.h"

#include <string.h>

/* Writes only when the value differs: saving the same number twice adds
 * no event. */
static const char SET_SQL[] = "UPDATE cases SET lapor_tracking_id = ?2, updated_at = ?3"
                              " WHERE id = ?1 AND lapor_tracking_id IS DISTINCT FROM ?2";
static const char EXISTS_SQL[] = "SELECT 1 FROM cases WHERE id = ?1";
static const char EVENT_SQL[] =
    "INSERT INTO case_events (case_id, seq, action, from_status, to_status, actor_id, note,"
    " is_public, created_at) SELECT ?1, COALESCE(MAX(e.seq), 0) + 1, ?2, c.status, c.status,"
    " ?3, ?4, 0, ?5 FROM cases c LEFT JOIN case_events e ON e.case_id = c.id WHERE c.id = ?1"
    " GROUP BY c.id";

err_t sq_case_set_lapor(store_t *s, int64_t case_id, const char *lapor_id, int64_t actor_id,
                        int64_t now, bool *changed)
{
    conn_t *c = sq_get(s);
    sqlite3_stmt *st;
    *changed = false;
    err_t e = sq_begin(c);
    if (e != ERR_OK)
        goto out;
    SQ_PREP(c, st, SET_SQL);
    sqlite3_bind_int64(st, 1, case_id);
    sq_bind_text(st, 2, lapor_id);
    sqlite3_bind_int64(st, 3, now);
    e = sq_exec_stmt(c, st, "case_set_lapor");
    if (e != ERR_OK)
        goto out;
    if (sqlite3_changes(c->db) == 0) {
        /* Unchanged, or no such case. */
        SQ_PREP(c, st, EXISTS_SQL);
        sqlite3_bind_int64(st, 1, case_id);
        e = sq_step_row(c, st, "case_set_lapor_exists");
        sqlite3_reset(st);
        goto out;
    }
    SQ_PREP(c, st, EVENT_SQL);
    sqlite3_bind_int64(st, 1, case_id);
    sq_bind_text(st, 2, lapor_id ? "lapor_set" : "lapor_clear");
    sq_bind_id(st, 3, actor_id);
    sq_bind_text(st, 4, lapor_id);
    sqlite3_bind_int64(st, 5, now);
    e = sq_exec_stmt(c, st, "case_set_lapor_event");
    if (e == ERR_OK)
        e = sq_commit(c);
    if (e == ERR_OK)
        *changed = true;
out:
    sq_rollback(c);
    sq_put(s, c);
    return e;
}

/* Driven by the team's cases (cases_team) touched since the start of the
 * period: a resolution then updated the case. */
static const char RESOLVED_SQL[] =
    "SELECT c.id, MAX(e.created_at) AS at, c.tracking_code, c.status, c.kind, k.name_id,"
    " k.name_en FROM cases c JOIN case_events e ON e.case_id = c.id"
    " LEFT JOIN categories k ON k.id = c.category_id"
    " WHERE c.team_id = ?1 AND c.updated_at >= ?2 AND e.action = 'resolve'"
    " AND e.created_at >= ?2 AND e.created_at < ?3"
    " GROUP BY c.id, c.tracking_code, c.status, c.kind, k.name_id, k.name_en"
    " ORDER BY at DESC, c.id DESC LIMIT ?4";

static void read_resolved(arena_t *ar, sqlite3_stmt *st, void *elem)
{
    store_resolved *v = elem;
    memset(v, 0, sizeof *v);
    v->case_id = sq_int(st, 0);
    v->resolved_at = sq_int(st, 1);
    v->tracking_code = sq_text(ar, st, 2);
    v->status = sq_text(ar, st, 3);
    v->kind = sq_text(ar, st, 4);
    v->category_name_id = sq_text(ar, st, 5);
    v->category_name_en = sq_text(ar, st, 6);
}

err_t sq_team_resolved(store_t *s, arena_t *ar, int64_t team_id, int64_t from, int64_t to,
                       unsigned limit, store_resolved **out, size_t *n)
{
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    *out = NULL;
    *n = 0;
    SQ_PREP(c, st, RESOLVED_SQL);
    sqlite3_bind_int64(st, 1, team_id);
    sqlite3_bind_int64(st, 2, from);
    sqlite3_bind_int64(st, 3, to);
    sqlite3_bind_int64(st, 4, limit);
    e = sq_collect(c, st, ar, sizeof **out, read_resolved, (void **)out, n, "team_resolved");
out:
    sq_put(s, c);
    return e;
}
