/* The SQLite store: what the dashboard reads and adds besides the case
 * itself: the chat thread, attachments by id, officers' photos, teams of
 * a user. */
#include "store/sqlite_int.h"

#include <string.h>

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
    "WITH k AS (SELECT c.id AS case_id, c.agency_id, c.reporter_id, r.wa_id, c.created_at,"
    " c.follows_id,"
    " (SELECT MIN(m.id) FROM messages m WHERE m.case_id = c.id AND m.direction = 'in') AS first_id,"
    " CASE WHEN c.status IN ('closed', 'rejected', 'forwarded') THEN (SELECT MAX(e.created_at)"
    " FROM case_events e WHERE e.case_id = c.id AND e.to_status = c.status"
    " AND (e.from_status IS NULL OR e.from_status <> e.to_status)) END AS end_at"
    " FROM cases c JOIN reporters r ON r.id = c.reporter_id WHERE c.id = ?1),"
    " b AS (SELECT k.*, CASE WHEN k.first_id IS NULL THEN COALESCE((SELECT MIN(m.id)"
    " FROM messages m WHERE m.agency_id = k.agency_id AND m.reporter_id = k.reporter_id"
    " AND m.direction = 'in' AND m.created_at >= k.created_at), 9223372036854775807)"
    " WHEN (SELECT f.draft FROM messages f WHERE f.id = k.first_id) IS NOT NULL THEN k.first_id"
    " ELSE COALESCE((SELECT MAX(p.id) FROM messages p WHERE p.agency_id = k.agency_id"
    " AND p.reporter_id = k.reporter_id AND p.direction = 'in' AND p.id < k.first_id"
    " AND p.case_id IS NOT NULL AND p.case_id <> k.case_id), 0) + 1 END AS start_id FROM k)"
    " SELECT * FROM ("
    " SELECT 1 AS inbound, m.id AS id, m.type, m.body, NULL, NULL, NULL, 0, m.lat, m.lon,"
    " (SELECT a.id FROM attachments a WHERE a.case_id = b.case_id AND a.media_id = m.media_id"
    " ORDER BY a.id LIMIT 1), m.created_at AS at, m.id AS anchor, NULL"
    " FROM b JOIN messages m ON m.agency_id = b.agency_id AND m.reporter_id = b.reporter_id"
    " WHERE m.direction = 'in' AND (m.case_id = b.case_id OR (m.case_id IS NULL"
    " AND COALESCE(m.draft, 0) = 0 AND m.id >= b.start_id"
    " AND (b.end_at IS NULL OR m.created_at <= b.end_at)))"
    " UNION ALL"
    " SELECT 0, o.id, o.kind, o.payload, o.state, o.delivery, o.last_error, o.used_template,"
    " NULL, NULL, NULL, o.created_at, COALESCE(o.after_message_id, 0), o.event_id"
    " FROM b JOIN wa_outbox o ON o.agency_id = b.agency_id AND o.to_wa_id = b.wa_id"
    " LEFT JOIN messages a ON a.id = o.after_message_id"
    " WHERE o.case_id = b.case_id OR o.case_id = b.follows_id"
    " OR (o.case_id IS NULL AND (a.case_id = b.case_id"
    " OR (a.case_id IS NULL AND COALESCE(a.draft, 0) = 0 AND a.id >= b.start_id"
    " AND (b.end_at IS NULL OR o.created_at <= b.end_at)))))"
    " ORDER BY anchor DESC, inbound ASC, id DESC LIMIT ?2";

static void read_item(arena_t *ar, sqlite3_stmt *st, void *elem)
{
    store_thread_item *t = elem;
    t->inbound = sq_int(st, 0) != 0;
    t->id = sq_int(st, 1);
    t->type = sq_text(ar, st, 2);
    t->body = sq_text(ar, st, 3);
    t->state = sq_text(ar, st, 4);
    t->delivery = sq_text(ar, st, 5);
    t->error = sq_text(ar, st, 6);
    t->used_template = sq_int(st, 7) != 0;
    t->has_location =
        sqlite3_column_type(st, 8) != SQLITE_NULL && sqlite3_column_type(st, 9) != SQLITE_NULL;
    t->lat = sqlite3_column_double(st, 8);
    t->lon = sqlite3_column_double(st, 9);
    t->attachment_id = sq_int(st, 10);
    t->created_at = sq_int(st, 11);
    t->event_id = sq_int(st, 13);
}

err_t sq_case_thread(store_t *s, arena_t *ar, int64_t case_id, unsigned limit,
                     store_thread_item **out, size_t *n)
{
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    *out = NULL;
    *n = 0;
    SQ_PREP(c, st, THREAD_SQL);
    sqlite3_bind_int64(st, 1, case_id);
    sqlite3_bind_int(st, 2, (int)limit);
    e = sq_collect(c, st, ar, sizeof **out, read_item, (void **)out, n, "case_thread");
    for (size_t i = 0; e == ERR_OK && i < *n / 2; i++) {
        store_thread_item t = (*out)[i];
        (*out)[i] = (*out)[*n - 1 - i];
        (*out)[*n - 1 - i] = t;
    }
out:
    sq_put(s, c);
    return e;
}

static void read_attachment(arena_t *ar, sqlite3_stmt *st, void *elem)
{
    store_attachment *v = elem;
    v->id = sq_int(st, 0);
    v->case_id = sq_int(st, 1);
    v->sha256 = sq_text(ar, st, 2);
    v->mime = sq_text(ar, st, 3);
    v->filename = sq_text(ar, st, 4);
    v->source = sq_text(ar, st, 5);
    v->state = sq_text(ar, st, 6);
    v->size_bytes = sq_int(st, 7);
    v->created_at = sq_int(st, 8);
}

err_t sq_attachment_get(store_t *s, arena_t *ar, int64_t id, store_attachment *out)
{
    static const char sql[] = "SELECT id, case_id, sha256, mime, filename, source, state,"
                              " size_bytes, created_at FROM attachments WHERE id = ?";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    store_attachment *rows = NULL;
    size_t n = 0;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, id);
    e = sq_collect(c, st, ar, sizeof *rows, read_attachment, (void **)&rows, &n, "attachment_get");
    if (e == ERR_OK && n == 0)
        e = ERR_NOT_FOUND;
    if (e == ERR_OK)
        *out = rows[0];
out:
    sq_put(s, c);
    return e;
}

err_t sq_attachment_add(store_t *s, int64_t case_id, int64_t actor_id, const char *sha256,
                        const char *mime, int64_t size, const char *note, int64_t now, int64_t *id)
{
    static const char ins[] =
        "INSERT INTO attachments (case_id, sha256, mime, size_bytes, source, state, created_at)"
        " SELECT id, ?2, ?3, ?4, 'officer', 'stored', ?5 FROM cases WHERE id = ?1";
    static const char event[] =
        "INSERT INTO case_events (case_id, seq, action, from_status, to_status, actor_id, note,"
        " is_public, created_at) SELECT ?1, COALESCE(MAX(e.seq), 0) + 1, 'attachment', c.status,"
        " c.status, ?2, ?3, 0, ?4 FROM cases c LEFT JOIN case_events e ON e.case_id = c.id"
        " WHERE c.id = ?1 GROUP BY c.id";
    conn_t *c = sq_get(s);
    err_t e = sq_begin(c);
    sqlite3_stmt *st;
    if (e != ERR_OK)
        goto out;
    SQ_PREP(c, st, ins);
    sqlite3_bind_int64(st, 1, case_id);
    sq_bind_text(st, 2, sha256);
    sq_bind_text(st, 3, mime);
    sqlite3_bind_int64(st, 4, size);
    sqlite3_bind_int64(st, 5, now);
    e = sq_exec_stmt(c, st, "attachment_add");
    if (e == ERR_OK && sqlite3_changes(c->db) == 0)
        e = ERR_NOT_FOUND;
    if (e == ERR_OK) {
        *id = sqlite3_last_insert_rowid(c->db);
        SQ_PREP(c, st, event);
        sqlite3_bind_int64(st, 1, case_id);
        sq_bind_id(st, 2, actor_id);
        sq_bind_text(st, 3, note);
        sqlite3_bind_int64(st, 4, now);
        e = sq_exec_stmt(c, st, "attachment_event");
    }
    if (e == ERR_OK)
        e = sq_commit(c);
out:
    sq_rollback(c);
    sq_put(s, c);
    return e;
}

static void read_id(arena_t *ar, sqlite3_stmt *st, void *elem)
{
    (void)ar;
    *(int64_t *)elem = sq_int(st, 0);
}

err_t sq_user_teams(store_t *s, arena_t *ar, int64_t user_id, int64_t **out, size_t *n)
{
    static const char sql[] = "SELECT team_id FROM team_members WHERE user_id = ? ORDER BY team_id";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    *out = NULL;
    *n = 0;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, user_id);
    e = sq_collect(c, st, ar, sizeof **out, read_id, (void **)out, n, "user_teams");
out:
    sq_put(s, c);
    return e;
}
