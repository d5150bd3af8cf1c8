/* The SQLite store: the rows statistics are computed from (issue #8). */
#include "store/sqlite_int.h"

#include <string.h>

static void read_stats(arena_t *ar, sqlite3_stmt *st, void *elem)
{
    store_stats_case *c = elem;
    memset(c, 0, sizeof *c);
    c->id = sq_int(st, 0);
    c->agency_id = sq_int(st, 1);
    c->category_id = sq_int(st, 2);
    c->team_id = sq_int(st, 3);
    c->status = sq_text(ar, st, 4);
    c->tracking_code = sq_text(ar, st, 5);
    c->kind = sq_text(ar, st, 6);
    c->category_name_id = sq_text(ar, st, 7);
    c->category_name_en = sq_text(ar, st, 8);
    c->kecamatan_code = sq_text(ar, st, 9);
    c->kecamatan_name = sq_text(ar, st, 10);
    c->team_name = sq_text(ar, st, 11);
    c->has_location = sqlite3_column_type(st, 12) != SQLITE_NULL;
    c->lat = sqlite3_column_double(st, 12);
    c->lon = sqlite3_column_double(st, 13);
    c->rahasia = sq_int(st, 14) != 0;
    c->created_at = sq_int(st, 15);
    c->first_response_at = sq_int(st, 16);
    c->resolved_at = sq_int(st, 17);
    c->closed_at = sq_int(st, 18);
    c->resolve_due_at = sq_int(st, 19);
    c->last_resolved_at = sq_int(st, 20);
    c->agency_code = sq_text(ar, st, 21);
    c->agency_name = sq_text(ar, st, 22);
}

err_t sq_stats_cases(store_t *s, arena_t *ar, int64_t agency_id, int64_t from, int64_t to,
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
        " WHERE (?1 IS NULL OR c.agency_id = ?1) AND c.created_at >= ?2 AND c.created_at < ?3"
        " AND c.status <> 'forwarded' ORDER BY c.created_at, c.id";
    conn_t *c = sq_get(s);
    sqlite3_stmt *st;
    err_t e = ERR_OK;
    *n = 0;
    *out = NULL;
    SQ_PREP(c, st, sql);
    sq_bind_id(st, 1, agency_id);
    sqlite3_bind_int64(st, 2, from);
    sqlite3_bind_int64(st, 3, to);
    e = sq_collect(c, st, ar, sizeof **out, read_stats, (void **)out, n, "stats_cases");
out:
    sq_put(s, c);
    return e;
}
