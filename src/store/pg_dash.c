/* The PostgreSQL store: what the dashboard reads and adds besides the case
 * itself (see sqlite_dash.c). */
#include "store/pg_int.h"

#include <string.h>

/* See sqlite_dash.c. */
static const char THREAD_SQL[] =
    "WITH k AS (SELECT c.id AS case_id, c.agency_id, c.reporter_id, r.wa_id, c.created_at,"
    " c.follows_id,"
    " (SELECT MIN(m.id) FROM messages m WHERE m.case_id = c.id AND m.direction = 'in') AS first_id,"
    " CASE WHEN c.status IN ('closed', 'rejected', 'forwarded') THEN (SELECT MAX(e.created_at)"
    " FROM case_events e WHERE e.case_id = c.id AND e.to_status = c.status"
    " AND (e.from_status IS NULL OR e.from_status <> e.to_status)) END AS end_at"
    " FROM cases c JOIN reporters r ON r.id = c.reporter_id WHERE c.id = $1),"
    " b AS (SELECT k.*, CASE WHEN k.first_id IS NULL THEN COALESCE((SELECT MIN(m.id)"
    " FROM messages m WHERE m.agency_id = k.agency_id AND m.reporter_id = k.reporter_id"
    " AND m.direction = 'in' AND m.created_at >= k.created_at), 9223372036854775807)"
    " WHEN (SELECT f.draft FROM messages f WHERE f.id = k.first_id) IS NOT NULL THEN k.first_id"
    " ELSE COALESCE((SELECT MAX(p.id) FROM messages p WHERE p.agency_id = k.agency_id"
    " AND p.reporter_id = k.reporter_id AND p.direction = 'in' AND p.id < k.first_id"
    " AND p.case_id IS NOT NULL AND p.case_id <> k.case_id), 0) + 1 END AS start_id FROM k)"
    " SELECT * FROM ("
    " SELECT TRUE AS inbound, m.id AS id, m.type, m.body, NULL::text AS state,"
    " NULL::text AS delivery, NULL::text AS error, FALSE AS used_template, m.lat, m.lon,"
    " (SELECT a.id FROM attachments a WHERE a.case_id = b.case_id AND a.media_id = m.media_id"
    " ORDER BY a.id LIMIT 1) AS attachment_id, m.created_at AS at, m.id AS anchor,"
    " NULL::bigint AS event_id"
    " FROM b JOIN messages m ON m.agency_id = b.agency_id AND m.reporter_id = b.reporter_id"
    " WHERE m.direction = 'in' AND (m.case_id = b.case_id OR (m.case_id IS NULL"
    " AND COALESCE(m.draft, 0) = 0 AND m.id >= b.start_id"
    " AND (b.end_at IS NULL OR m.created_at <= b.end_at)))"
    " UNION ALL"
    " SELECT FALSE, o.id, o.kind, o.payload, o.state, o.delivery, o.last_error, o.used_template,"
    " NULL, NULL, NULL, o.created_at, COALESCE(o.after_message_id, 0), o.event_id"
    " FROM b JOIN wa_outbox o ON o.agency_id = b.agency_id AND o.to_wa_id = b.wa_id"
    " LEFT JOIN messages a ON a.id = o.after_message_id"
    " WHERE o.case_id = b.case_id OR o.case_id = b.follows_id"
    " OR (o.case_id IS NULL AND (a.case_id = b.case_id"
    " OR (a.case_id IS NULL AND COALESCE(a.draft, 0) = 0 AND a.id >= b.start_id"
    " AND (b.end_at IS NULL OR o.created_at <= b.end_at))))) t"
    " ORDER BY anchor DESC, inbound ASC, id DESC LIMIT $2";

static void read_item(arena_t *ar, PGresult *r, int i, void *elem)
{
    store_thread_item *t = elem;
    t->inbound = pq_bool(r, i, 0);
    t->id = pq_int(r, i, 1);
    t->type = pq_text(ar, r, i, 2);
    t->body = pq_text(ar, r, i, 3);
    t->state = pq_text(ar, r, i, 4);
    t->delivery = pq_text(ar, r, i, 5);
    t->error = pq_text(ar, r, i, 6);
    t->used_template = pq_bool(r, i, 7);
    t->has_location = !pq_null(r, i, 8) && !pq_null(r, i, 9);
    t->lat = pq_real(r, i, 8);
    t->lon = pq_real(r, i, 9);
    t->attachment_id = pq_int(r, i, 10);
    t->created_at = pq_int(r, i, 11);
    t->event_id = pq_int(r, i, 13);
}

err_t pg_case_thread(store_t *s, arena_t *ar, int64_t case_id, unsigned limit,
                     store_thread_item **out, size_t *n)
{
    pq_params p = {0};
    pp_int(&p, case_id);
    pp_int(&p, limit);
    err_t e =
        pq_list(s, ar, THREAD_SQL, &p, sizeof **out, read_item, (void **)out, n, "case_thread");
    for (size_t i = 0; e == ERR_OK && i < *n / 2; i++) {
        store_thread_item t = (*out)[i];
        (*out)[i] = (*out)[*n - 1 - i];
        (*out)[*n - 1 - i] = t;
    }
    return e;
}

static void read_attachment(arena_t *ar, PGresult *r, int i, void *elem)
{
    store_attachment *v = elem;
    v->id = pq_int(r, i, 0);
    v->case_id = pq_int(r, i, 1);
    v->sha256 = pq_text(ar, r, i, 2);
    v->mime = pq_text(ar, r, i, 3);
    v->filename = pq_text(ar, r, i, 4);
    v->source = pq_text(ar, r, i, 5);
    v->state = pq_text(ar, r, i, 6);
    v->size_bytes = pq_int(r, i, 7);
    v->created_at = pq_int(r, i, 8);
}

err_t pg_attachment_get(store_t *s, arena_t *ar, int64_t id, store_attachment *out)
{
    static const char sql[] = "SELECT id, case_id, sha256, mime, filename, source, state,"
                              " size_bytes, created_at FROM attachments WHERE id = $1";
    pq_params p = {0};
    store_attachment *rows = NULL;
    size_t n = 0;
    pp_int(&p, id);
    err_t e = pq_list(s, ar, sql, &p, sizeof *rows, read_attachment, (void **)&rows, &n,
                      "attachment_get");
    if (e == ERR_OK && n == 0)
        e = ERR_NOT_FOUND;
    if (e == ERR_OK)
        *out = rows[0];
    return e;
}

err_t pg_attachment_add(store_t *s, int64_t case_id, int64_t actor_id, const char *sha256,
                        const char *mime, int64_t size, const char *note, int64_t now, int64_t *id)
{
    static const char ins[] =
        "INSERT INTO attachments (case_id, sha256, mime, size_bytes, source, state, created_at)"
        " SELECT id, $2::text, $3::text, $4::bigint, 'officer', 'stored', $5::bigint FROM cases"
        " WHERE id = $1 RETURNING id";
    static const char event[] =
        "INSERT INTO case_events (case_id, seq, action, from_status, to_status, actor_id, note,"
        " is_public, created_at) SELECT $1::bigint, COALESCE(MAX(e.seq), 0) + 1, 'attachment',"
        " c.status, c.status, $2::bigint, $3::text, FALSE, $4::bigint FROM cases c"
        " LEFT JOIN case_events e ON e.case_id = c.id WHERE c.id = $1 GROUP BY c.id";
    pconn_t *c = pq_get(s);
    if (!c)
        return ERR_UNAVAILABLE;
    PGresult *r = NULL;
    pq_params p = {0};
    pp_int(&p, case_id);
    pp_text(&p, sha256);
    pp_text(&p, mime);
    pp_int(&p, size);
    pp_int(&p, now);
    err_t e = pq_begin(c);
    if (e == ERR_OK)
        e = pq_run(c, ins, &p, &r, "attachment_add");
    if (e == ERR_OK && PQntuples(r) == 0)
        e = ERR_NOT_FOUND;
    if (e == ERR_OK)
        *id = pq_int(r, 0, 0);
    PQclear(r);
    if (e == ERR_OK) {
        pq_params q = {0};
        PGresult *rv = NULL;
        pp_int(&q, case_id);
        pp_id(&q, actor_id);
        pp_text(&q, note);
        pp_int(&q, now);
        e = pq_run(c, event, &q, &rv, "attachment_event");
        PQclear(rv);
    }
    if (e == ERR_OK)
        e = pq_commit(c);
    pq_rollback(c);
    pq_put(s, c);
    return e;
}

static void read_id(arena_t *ar, PGresult *r, int i, void *elem)
{
    (void)ar;
    *(int64_t *)elem = pq_int(r, i, 0);
}

err_t pg_user_teams(store_t *s, arena_t *ar, int64_t user_id, int64_t **out, size_t *n)
{
    static const char sql[] =
        "SELECT team_id FROM team_members WHERE user_id = $1 ORDER BY team_id";
    pq_params p = {0};
    pp_int(&p, user_id);
    return pq_list(s, ar, sql, &p, sizeof **out, read_id, (void **)out, n, "user_teams");
}
