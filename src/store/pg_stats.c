/* The PostgreSQL store: the rows statistics are computed from (issue #8). */
#include "store/pg_int.h"

#include <string.h>

static void read_stats(arena_t *ar, PGresult *r, int i, void *elem)
{
    store_stats_case *c = elem;
    memset(c, 0, sizeof *c);
    c->id = pq_int(r, i, 0);
    c->agency_id = pq_int(r, i, 1);
    c->category_id = pq_null(r, i, 2) ? 0 : pq_int(r, i, 2);
    c->team_id = pq_null(r, i, 3) ? 0 : pq_int(r, i, 3);
    c->status = pq_text(ar, r, i, 4);
    c->tracking_code = pq_text(ar, r, i, 5);
    c->kind = pq_text(ar, r, i, 6);
    c->category_name_id = pq_text(ar, r, i, 7);
    c->category_name_en = pq_text(ar, r, i, 8);
    c->kecamatan_code = pq_text(ar, r, i, 9);
    c->kecamatan_name = pq_text(ar, r, i, 10);
    c->team_name = pq_text(ar, r, i, 11);
    c->has_location = !pq_null(r, i, 12);
    c->lat = c->has_location ? pq_real(r, i, 12) : 0;
    c->lon = c->has_location ? pq_real(r, i, 13) : 0;
    c->rahasia = pq_bool(r, i, 14);
    c->created_at = pq_int(r, i, 15);
    c->first_response_at = pq_null(r, i, 16) ? 0 : pq_int(r, i, 16);
    c->resolved_at = pq_null(r, i, 17) ? 0 : pq_int(r, i, 17);
    c->closed_at = pq_null(r, i, 18) ? 0 : pq_int(r, i, 18);
    c->resolve_due_at = pq_null(r, i, 19) ? 0 : pq_int(r, i, 19);
    c->last_resolved_at = pq_null(r, i, 20) ? 0 : pq_int(r, i, 20);
    c->agency_code = pq_text(ar, r, i, 21);
    c->agency_name = pq_text(ar, r, i, 22);
}

err_t pg_stats_cases(store_t *s, arena_t *ar, int64_t agency_id, int64_t from, int64_t to,
                     store_stats_case **out, size_t *n)
{
    static const char sql[] =
        "SELECT c.id, c.agency_id, c.category_id, c.team_id, c.status, c.tracking_code, c.kind,"
        " k.name_id, k.name_en, c.kecamatan_code, g.name, t.name, c.lat, c.lon, c.rahasia,"
        " c.created_at,"
        " (SELECT MIN(e.created_at) FROM case_events e WHERE e.case_id = c.id AND e.seq > 1"
        "  AND e.actor_id IS NOT NULL),"
        " (SELECT MIN(e.created_at) FROM case_events e WHERE e.case_id = c.id"
        "  AND e.to_status IN ('resolved', 'issued')),"
        " (SELECT MAX(e.created_at) FROM case_events e WHERE e.case_id = c.id"
        "  AND e.to_status = 'closed'),"
        " c.sla_resolve_due_at,"
        " (SELECT MAX(e.created_at) FROM case_events e WHERE e.case_id = c.id"
        "  AND e.to_status IN ('resolved', 'issued')),"
        " a.code, a.name"
        " FROM cases c JOIN agencies a ON a.id = c.agency_id"
        " LEFT JOIN categories k ON k.id = c.category_id"
        " LEFT JOIN regions g ON g.code = c.kecamatan_code LEFT JOIN teams t ON t.id = c.team_id"
        " WHERE ($1::bigint IS NULL OR c.agency_id = $1) AND c.created_at >= $2"
        " AND c.created_at < $3 AND c.status <> 'forwarded' ORDER BY c.created_at, c.id";
    pq_params p = {0};
    pp_id(&p, agency_id);
    pp_int(&p, from);
    pp_int(&p, to);
    return pq_list(s, ar, sql, &p, sizeof **out, read_stats, (void **)out, n, "stats_cases");
}
