/* What the dashboard reads besides the case itself: a case's chat thread,
 * the teams of a user, a team's resolutions of the day (issue 13), and the
 * rows statistics are computed from (issue 8). Written once for both
 * engines on store/q.h. */
#include "store/q.h"

/* The messages of one case (issue #13), newest first (reversed in C); see
 * store_case_thread. start_id: the report's first message (tagged with the
 * case when its draft became it); for a case logged before messages knew
 * their draft, the first after the previous case's; for a walk-in, the
 * first the reporter wrote after it was recorded. end_at: when the case was
 * closed, rejected or forwarded (NULL: open). Our messages go with the
 * citizen message they answer (after_message_id); a follower's reporter
 * also got its master's updates (their case_id is the master's). Ties in
 * time put the citizen's message first. */
static const char THREAD_SQL[] =
    "WITH k AS (SELECT c.id AS case_id, c.agency_id, c.reporter_id, c.created_at,"
    " c.follows_id,"
    " (SELECT MIN(m.id) FROM messages m WHERE m.case_id = c.id AND m.direction = 'in') AS first_id,"
    " CASE WHEN c.status IN ('closed', 'rejected', 'forwarded') THEN (SELECT MAX(e.created_at)"
    " FROM case_events e WHERE e.case_id = c.id AND e.to_status = c.status"
    " AND (e.from_status IS NULL OR e.from_status <> e.to_status)) END AS end_at"
    " FROM cases c WHERE c.id = $1 AND c.reporter_id IS NOT NULL),"
    " b AS (SELECT k.*, CASE WHEN k.first_id IS NULL THEN COALESCE((SELECT MIN(m.id)"
    " FROM messages m WHERE m.agency_id = k.agency_id AND m.reporter_id = k.reporter_id"
    " AND m.direction = 'in' AND m.created_at >= k.created_at), 9223372036854775807)"
    " WHEN (SELECT f.draft FROM messages f WHERE f.id = k.first_id) IS NOT NULL THEN k.first_id"
    " ELSE COALESCE((SELECT MAX(p.id) FROM messages p WHERE p.agency_id = k.agency_id"
    " AND p.reporter_id = k.reporter_id AND p.direction = 'in' AND p.id < k.first_id"
    " AND p.case_id IS NOT NULL AND p.case_id <> k.case_id), 0) + 1 END AS start_id FROM k)"
    " SELECT *, lat IS NOT NULL AND lon IS NOT NULL FROM ("
    " SELECT TRUE AS inbound, m.id AS id, m.type, m.body, NULL AS state, NULL AS delivery,"
    " NULL AS error, FALSE AS used_template, m.lat AS lat, m.lon AS lon,"
    " (SELECT a.id FROM attachments a WHERE a.case_id = b.case_id AND a.media_id = m.media_id"
    " ORDER BY a.id LIMIT 1) AS attachment_id, m.created_at AS at, m.id AS anchor,"
    " NULL AS event_id, COALESCE(m.channel, 'whatsapp') AS channel"
    " FROM b JOIN messages m ON m.agency_id = b.agency_id AND m.reporter_id = b.reporter_id"
    " WHERE m.direction = 'in' AND (m.case_id = b.case_id OR (m.case_id IS NULL"
    " AND COALESCE(m.draft, 0) = 0 AND m.id >= b.start_id"
    " AND (b.end_at IS NULL OR m.created_at <= b.end_at)))"
    " UNION ALL"
    " SELECT FALSE, o.id, o.kind, COALESCE(NULLIF(o.payload, ''), o.message), o.state,"
    " o.delivery, o.last_error, o.used_template,"
    " NULL, NULL, NULL, o.created_at, COALESCE(o.after_message_id, 0), o.event_id, o.channel"
    " FROM b JOIN contacts ct ON ct.reporter_id = b.reporter_id JOIN outbox o"
    " ON o.agency_id = b.agency_id AND o.channel = ct.channel AND o.address = ct.address"
    " LEFT JOIN messages a ON a.id = o.after_message_id"
    " WHERE o.case_id = b.case_id OR o.case_id = b.follows_id"
    " OR (o.case_id IS NULL AND (a.case_id = b.case_id"
    " OR (a.case_id IS NULL AND COALESCE(a.draft, 0) = 0 AND a.id >= b.start_id"
    " AND (b.end_at IS NULL OR o.created_at <= b.end_at))))) t"
    " ORDER BY anchor DESC, inbound ASC, id DESC LIMIT $2";

static const q_field THREAD_F[] = {
    QF(BOOL, store_thread_item, inbound),
    QF(INT64, store_thread_item, id),
    QF(TEXT, store_thread_item, type),
    QF(TEXT, store_thread_item, body),
    QF(TEXT, store_thread_item, state),
    QF(TEXT, store_thread_item, delivery),
    QF(TEXT, store_thread_item, error),
    QF(BOOL, store_thread_item, used_template),
    QF(REAL, store_thread_item, lat),
    QF(REAL, store_thread_item, lon),
    QF(INT64, store_thread_item, attachment_id),
    QF(INT64, store_thread_item, created_at),
    QF_SKIP_COL, /* anchor */
    QF(INT64, store_thread_item, event_id),
    QF(TEXT, store_thread_item, channel),
    QF(BOOL, store_thread_item, has_location),
};

err_t store_case_thread(store_t *s, arena_t *ar, int64_t case_id, unsigned limit,
                        store_thread_item **out, size_t *n)
{
    err_t e = q_list(s, ar, THREAD_SQL, THREAD_F, out, n, Q_INT(case_id), Q_INT(limit));
    for (size_t i = 0; e == ERR_OK && i < *n / 2; i++) {
        store_thread_item t = (*out)[i];
        (*out)[i] = (*out)[*n - 1 - i];
        (*out)[*n - 1 - i] = t;
    }
    return e;
}

Q_LIST_FN(store_user_teams, int64_t, int64_t, Q_INT, Q_COL_INT64,
          "SELECT team_id FROM team_members WHERE user_id = $1 ORDER BY team_id")

static const q_field RESOLVED_F[] = {
    QF(INT64, store_resolved, case_id),
    QF(INT64, store_resolved, resolved_at),
    QF(TEXT, store_resolved, tracking_code),
    QF(TEXT, store_resolved, status),
    QF(TEXT, store_resolved, kind),
    QF(TEXT, store_resolved, category_name_id),
    QF(TEXT, store_resolved, category_name_en),
};

err_t store_team_resolved(store_t *s, arena_t *ar, int64_t team_id, int64_t from, int64_t to,
                          unsigned limit, store_resolved **out, size_t *n)
{
    /* Driven by the team's cases (cases_team) touched since the start of
     * the period: a resolution then updated the case. */
    static const char sql[] =
        "SELECT c.id, MAX(e.created_at) AS at, c.tracking_code, c.status, c.kind, k.name_id,"
        " k.name_en FROM cases c JOIN case_events e ON e.case_id = c.id"
        " LEFT JOIN categories k ON k.id = c.category_id"
        " WHERE c.team_id = $1 AND c.updated_at >= $2 AND e.action = 'resolve'"
        " AND e.created_at >= $2 AND e.created_at < $3"
        " GROUP BY c.id, c.tracking_code, c.status, c.kind, k.name_id, k.name_en"
        " ORDER BY at DESC, c.id DESC LIMIT $4";
    return q_list(s, ar, sql, RESOLVED_F, out, n, Q_INT(team_id), Q_INT(from), Q_INT(to),
                  Q_INT(limit));
}

static const q_field STATS_F[] = {
    QF(INT64, store_stats_case, id),
    QF(INT64, store_stats_case, agency_id),
    QF(INT64, store_stats_case, category_id),
    QF(INT64, store_stats_case, team_id),
    QF(TEXT, store_stats_case, status),
    QF(TEXT, store_stats_case, tracking_code),
    QF(TEXT, store_stats_case, kind),
    QF(TEXT, store_stats_case, category_name_id),
    QF(TEXT, store_stats_case, category_name_en),
    QF(TEXT, store_stats_case, kecamatan_code),
    QF(TEXT, store_stats_case, kecamatan_name),
    QF(TEXT, store_stats_case, team_name),
    QF(REAL, store_stats_case, lat),
    QF(REAL, store_stats_case, lon),
    QF(BOOL, store_stats_case, rahasia),
    QF(INT64, store_stats_case, created_at),
    QF(INT64, store_stats_case, first_response_at),
    QF(INT64, store_stats_case, resolved_at),
    QF(INT64, store_stats_case, closed_at),
    QF(INT64, store_stats_case, resolve_due_at),
    QF(INT64, store_stats_case, last_resolved_at),
    QF(TEXT, store_stats_case, agency_code),
    QF(TEXT, store_stats_case, agency_name),
    QF(BOOL, store_stats_case, has_location),
    QF(TEXT, store_stats_case, lapor_class),
    QF(TEXT, store_stats_case, lapor_tracking_id),
    QF(INT64, store_stats_case, lapor_marked_at),
    QF(TEXT, store_stats_case, channel),
};

err_t store_stats_cases(store_t *s, arena_t *ar, int64_t agency_id, int64_t from, int64_t to,
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
        " a.code, a.name, c.lat IS NOT NULL, c.lapor_class, c.lapor_tracking_id,"
        " c.lapor_marked_at, c.channel"
        " FROM cases c JOIN agencies a ON a.id = c.agency_id"
        " LEFT JOIN categories k ON k.id = c.category_id"
        " LEFT JOIN regions g ON g.code = c.kecamatan_code LEFT JOIN teams t ON t.id = c.team_id"
        " WHERE ($1 IS NULL OR c.agency_id = $1) AND c.created_at >= $2 AND c.created_at < $3"
        " AND c.status <> 'forwarded' ORDER BY c.created_at, c.id";
    return q_list(s, ar, sql, STATS_F, out, n, Q_ID(agency_id), Q_INT(from), Q_INT(to));
}
