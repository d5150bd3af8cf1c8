/* The PostgreSQL store: a case's LAPOR! tracking number and a team's
 * resolutions of the day (issue 13; see sqlite_lapor.c). */
#include "store/pg_int.h"

#include <string.h>

static const char SET_SQL[] = "UPDATE cases SET lapor_tracking_id = $2::text, updated_at = $3"
                              " WHERE id = $1 AND lapor_tracking_id IS DISTINCT FROM $2::text";
static const char EXISTS_SQL[] = "SELECT 1 FROM cases WHERE id = $1";
static const char EVENT_SQL[] =
    "INSERT INTO case_events (case_id, seq, action, from_status, to_status, actor_id, note,"
    " is_public, created_at) SELECT $1::bigint, COALESCE(MAX(e.seq), 0) + 1, $2::text, c.status,"
    " c.status, $3::bigint, $4::text, FALSE, $5::bigint FROM cases c"
    " LEFT JOIN case_events e ON e.case_id = c.id WHERE c.id = $1 GROUP BY c.id";

err_t pg_case_set_lapor(store_t *s, int64_t case_id, const char *lapor_id, int64_t actor_id,
                        int64_t now, bool *changed)
{
    pq_params p = {0};
    PGresult *r = NULL;
    *changed = false;
    pconn_t *c = pq_get(s);
    if (!c)
        return ERR_UNAVAILABLE;
    pp_int(&p, case_id);
    pp_text(&p, lapor_id);
    pp_int(&p, now);
    err_t e = pq_begin(c);
    if (e == ERR_OK)
        e = pq_run(c, SET_SQL, &p, &r, "case_set_lapor");
    if (e == ERR_OK && pq_affected(r) == 0) {
        /* Unchanged, or no such case. */
        pq_params q = {0};
        PQclear(r);
        r = NULL;
        pp_int(&q, case_id);
        e = pq_run(c, EXISTS_SQL, &q, &r, "case_set_lapor_exists");
        if (e == ERR_OK && PQntuples(r) == 0)
            e = ERR_NOT_FOUND;
        goto out;
    }
    if (e == ERR_OK) {
        pq_params q = {0};
        pp_int(&q, case_id);
        pp_text(&q, lapor_id ? "lapor_set" : "lapor_clear");
        pp_id(&q, actor_id);
        pp_text(&q, lapor_id);
        pp_int(&q, now);
        e = pq_run(c, EVENT_SQL, &q, NULL, "case_set_lapor_event");
    }
    if (e == ERR_OK)
        e = pq_commit(c);
    if (e == ERR_OK)
        *changed = true;
out:
    PQclear(r);
    pq_rollback(c);
    pq_put(s, c);
    return e;
}

static const char RESOLVED_SQL[] =
    "SELECT c.id, MAX(e.created_at) AS at, c.tracking_code, c.status, c.kind, k.name_id,"
    " k.name_en FROM cases c JOIN case_events e ON e.case_id = c.id"
    " LEFT JOIN categories k ON k.id = c.category_id"
    " WHERE c.team_id = $1 AND c.updated_at >= $2 AND e.action = 'resolve'"
    " AND e.created_at >= $2 AND e.created_at < $3"
    " GROUP BY c.id, c.tracking_code, c.status, c.kind, k.name_id, k.name_en"
    " ORDER BY at DESC, c.id DESC LIMIT $4";

static void read_resolved(arena_t *ar, PGresult *r, int i, void *elem)
{
    store_resolved *v = elem;
    memset(v, 0, sizeof *v);
    v->case_id = pq_int(r, i, 0);
    v->resolved_at = pq_int(r, i, 1);
    v->tracking_code = pq_text(ar, r, i, 2);
    v->status = pq_text(ar, r, i, 3);
    v->kind = pq_text(ar, r, i, 4);
    v->category_name_id = pq_text(ar, r, i, 5);
    v->category_name_en = pq_text(ar, r, i, 6);
}

err_t pg_team_resolved(store_t *s, arena_t *ar, int64_t team_id, int64_t from, int64_t to,
                       unsigned limit, store_resolved **out, size_t *n)
{
    pq_params p = {0};
    pp_int(&p, team_id);
    pp_int(&p, from);
    pp_int(&p, to);
    pp_int(&p, limit);
    return pq_list(s, ar, RESOLVED_SQL, &p, sizeof **out, read_resolved, (void **)out, n,
                   "team_resolved");
}
