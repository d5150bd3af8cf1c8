/* The hotspot map for leadership (issue 18): cases of one agency received
 * in a period, counted per grid cell, category and kecamatan. The grid is
 * made in SQL (a cell is ROUND(lat * k), ROUND(lon * k)), so what leaves
 * the store is counts, never a case or its exact place. Written once for
 * both engines on store/q.h. */
#include "store/dom.h"

static const q_field HS_F[] = {
    QF(INT64, store_hotspot_row, category_id), QF(TEXT, store_hotspot_row, kecamatan_code),
    QF(BOOL, store_hotspot_row, located),      QF(INT64, store_hotspot_row, cell_lat),
    QF(INT64, store_hotspot_row, cell_lon),    QF(INT64, store_hotspot_row, count),
};

err_t store_hotspots(store_t *s, arena_t *ar, int64_t agency_id, int64_t category_id, int64_t from,
                     int64_t to, double per_degree, store_hotspot_row **out, size_t *n)
{
    /* Forwarded cases count at the agency they went to (as the statistics). */
    static const char sql[] =
        "SELECT c.category_id, c.kecamatan_code, c.lat IS NOT NULL AND c.lon IS NOT NULL,"
        " CAST(COALESCE(ROUND(c.lat * $5), 0) AS BIGINT),"
        " CAST(COALESCE(ROUND(c.lon * $5), 0) AS BIGINT), COUNT(*)"
        " FROM cases c WHERE c.agency_id = $1 AND ($2 IS NULL OR c.category_id = $2)"
        " AND c.created_at >= $3 AND c.created_at < $4 AND c.status <> 'forwarded'"
        " GROUP BY 1, 2, 3, 4, 5 ORDER BY 4, 5, 1";
    *out = NULL;
    *n = 0;
    return q_list(s, ar, sql, HS_F, out, n, Q_INT(agency_id), Q_ID(category_id), Q_INT(from),
                  Q_INT(to), Q_REAL(per_degree));
}
