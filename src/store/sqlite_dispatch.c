/* The SQLite store: the duty roster, emergency alerts, duplicates. */
#include "store/sqlite_int.h"

#include <string.h>

/* Candidates looked at for a duplicate: the newest open cases nearby. */
#define NEARBY_MAX 50

/* ---- the duty roster ------------------------------------------------------- */

static void read_duty(arena_t *ar, sqlite3_stmt *st, void *elem)
{
    store_duty *d = elem;
    memset(d, 0, sizeof *d);
    d->id = sq_int(st, 0);
    d->team_id = sq_int(st, 1);
    d->user_id = sq_int(st, 2);
    d->weekday = sqlite3_column_type(st, 3) == SQLITE_NULL ? -1 : (int)sq_int(st, 3);
    d->start_minute = (int)sq_int(st, 4);
    d->end_minute = (int)sq_int(st, 5);
    d->starts_at = sq_int(st, 6);
    d->ends_at = sq_int(st, 7);
    d->agency_id = sq_int(st, 8);
    d->team_name = sq_text(ar, st, 9);
    d->user_login = sq_text(ar, st, 10);
    d->user_name = sq_text(ar, st, 11);
    d->user_wa_id = sq_text(ar, st, 12);
}

err_t sq_duty_list(store_t *s, arena_t *ar, int64_t agency_id, store_duty **out, size_t *n)
{
    /* Only enabled users still in the team are on duty. */
    static const char sql[] =
        "SELECT d.id, d.team_id, d.user_id, d.weekday, d.start_minute, d.end_minute, d.starts_at,"
        " d.ends_at, t.agency_id, t.name, u.login, u.name, u.wa_id FROM duty_shifts d"
        " JOIN teams t ON t.id = d.team_id JOIN users u ON u.id = d.user_id"
        " JOIN team_members m ON m.team_id = d.team_id AND m.user_id = d.user_id"
        " WHERE (?1 IS NULL OR t.agency_id = ?1) AND u.disabled = 0"
        " ORDER BY t.id, u.id, d.id";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    *out = NULL;
    *n = 0;
    SQ_PREP(c, st, sql);
    sq_bind_id(st, 1, agency_id);
    e = sq_collect(c, st, ar, sizeof **out, read_duty, (void **)out, n, "duty_list");
out:
    sq_put(s, c);
    return e;
}

err_t sq_duty_add(store_t *s, const store_duty *d, int64_t now, int64_t *id)
{
    static const char sql[] =
        "INSERT INTO duty_shifts (team_id, user_id, weekday, start_minute, end_minute, starts_at,"
        " ends_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, d->team_id);
    sqlite3_bind_int64(st, 2, d->user_id);
    if (d->weekday >= 0) {
        sqlite3_bind_int(st, 3, d->weekday);
        sqlite3_bind_int(st, 4, d->start_minute);
        sqlite3_bind_int(st, 5, d->end_minute);
    } else {
        sqlite3_bind_int64(st, 6, d->starts_at);
        sqlite3_bind_int64(st, 7, d->ends_at);
    }
    sqlite3_bind_int64(st, 8, now);
    e = sq_exec_stmt(c, st, "duty_add");
    if (e == ERR_OK && id)
        *id = sqlite3_last_insert_rowid(c->db);
out:
    sq_put(s, c);
    return e;
}

err_t sq_duty_delete(store_t *s, int64_t agency_id, int64_t id)
{
    static const char sql[] = "DELETE FROM duty_shifts WHERE id = ?1 AND team_id IN"
                              " (SELECT id FROM teams WHERE agency_id = ?2)";
    return SQ_WRITE(s, sql, "duty_delete", true, SQ_INT(id), SQ_INT(agency_id));
}

/* ---- events and followers ------------------------------------------------- */

/* Inside a transaction: the next event of a case, its to_status the case's
 * status now, from_status the given one (NULL: the same). */
static err_t add_event(conn_t *c, int64_t case_id, const char *action, const char *from,
                       int64_t actor, const char *note, bool with_team, bool is_public, int64_t now,
                       int64_t *event_id)
{
    static const char sql[] =
        "INSERT INTO case_events (case_id, seq, action, from_status, to_status, actor_id, note,"
        " team_id, is_public, created_at) SELECT ?1, COALESCE(MAX(e.seq), 0) + 1, ?2,"
        " COALESCE(?3, c.status), c.status, ?4, ?5, CASE WHEN ?6 THEN c.team_id END, ?7, ?8"
        " FROM cases c LEFT JOIN case_events e ON e.case_id = c.id WHERE c.id = ?1 GROUP BY c.id";
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, case_id);
    sq_bind_text(st, 2, action);
    sq_bind_text(st, 3, from);
    sq_bind_id(st, 4, actor);
    sq_bind_text(st, 5, note);
    sqlite3_bind_int(st, 6, with_team ? 1 : 0);
    sqlite3_bind_int(st, 7, is_public ? 1 : 0);
    sqlite3_bind_int64(st, 8, now);
    e = sq_exec_stmt(c, st, "dispatch_event");
    if (e == ERR_OK && sqlite3_changes(c->db) == 0)
        e = ERR_NOT_FOUND;
    if (e == ERR_OK && event_id)
        *event_id = sqlite3_last_insert_rowid(c->db);
out:
    return e;
}

err_t sq_dispatch_queue_followers(conn_t *c, int64_t case_id, int64_t event_id, int64_t now)
{
    /* One update per follower's number (not the master's own reporter),
     * rendered at send time from the master's event. */
    static const char sql[] =
        "INSERT INTO wa_outbox (agency_id, phone_number_id, to_wa_id, case_id, kind, payload,"
        " event_id, created_at, updated_at) SELECT agency_id, pnid, wa_id, ?1, 'status_update',"
        " '', ?2, ?3, ?3 FROM (SELECT DISTINCT m.agency_id AS agency_id,"
        " COALESCE(w.phone_number_id, (SELECT MIN(n.phone_number_id) FROM agency_numbers n"
        " WHERE n.agency_id = m.agency_id)) AS pnid, r.wa_id AS wa_id FROM cases m"
        " JOIN cases f ON f.follows_id = m.id JOIN reporters r ON r.id = f.reporter_id"
        " LEFT JOIN wa_conversations w ON w.agency_id = m.agency_id AND w.wa_id = r.wa_id"
        " WHERE m.id = ?1 AND (f.channel = 'whatsapp' OR f.wa_consent_at IS NOT NULL)"
        " AND r.wa_id IS NOT NULL AND NOT ((m.channel = 'whatsapp' OR m.wa_consent_at IS NOT NULL)"
        " AND f.reporter_id = COALESCE(m.reporter_id, 0)))"
        " x WHERE pnid IS NOT NULL";
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, case_id);
    sqlite3_bind_int64(st, 2, event_id);
    sqlite3_bind_int64(st, 3, now);
    e = sq_exec_stmt(c, st, "dispatch_followers");
out:
    return e;
}

err_t sq_case_note_event(store_t *s, int64_t case_id, const char *action, int64_t actor_id,
                         const char *note, int64_t now)
{
    conn_t *c = sq_get(s);
    err_t e = sq_begin(c);
    if (e == ERR_OK)
        e = add_event(c, case_id, action, NULL, actor_id, note, false, false, now, NULL);
    if (e == ERR_OK)
        e = sq_commit(c);
    sq_rollback(c);
    sq_put(s, c);
    return e;
}

/* ---- emergency alerts ----------------------------------------------------- */

err_t sq_dispatch_get(store_t *s, arena_t *ar, int64_t case_id, store_dispatch_info *out)
{
    static const char sql[] =
        "SELECT c.alert_round, c.alert_at, c.accepted_by, c.accepted_at, c.duplicate_of,"
        " c.follows_id, u.name, (SELECT MIN(e.created_at) FROM case_events e"
        " WHERE e.case_id = c.id AND e.action = 'start'),"
        " (SELECT COUNT(*) FROM cases f WHERE f.follows_id = c.id), c.community_group_id, g.name"
        " FROM cases c LEFT JOIN users u ON u.id = c.accepted_by"
        " LEFT JOIN community_groups g ON g.id = c.community_group_id WHERE c.id = ?";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    memset(out, 0, sizeof *out);
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, case_id);
    e = sq_step_row(c, st, "dispatch_get");
    if (e == ERR_OK) {
        out->alert_round = (int)sq_int(st, 0);
        out->alert_at = sq_int(st, 1);
        out->accepted_by = sq_int(st, 2);
        out->accepted_at = sq_int(st, 3);
        out->duplicate_of = sq_int(st, 4);
        out->follows_id = sq_int(st, 5);
        out->accepted_name = sq_text(ar, st, 6);
        out->on_site_at = sq_int(st, 7);
        out->followers = (int)sq_int(st, 8);
        out->group_id = sq_int(st, 9);
        out->group_name = sq_text(ar, st, 10);
    }
    sqlite3_reset(st);
out:
    sq_put(s, c);
    return e;
}

static void read_id(arena_t *ar, sqlite3_stmt *st, void *elem)
{
    (void)ar;
    *(int64_t *)elem = sq_int(st, 0);
}

err_t sq_dispatch_due(store_t *s, arena_t *ar, int64_t now, int64_t accept_seconds, unsigned max,
                      int64_t **ids, size_t *n)
{
    static const char sql[] =
        "SELECT id FROM cases WHERE status = 'dispatched' AND alert_at IS NOT NULL"
        " AND alert_at <= ?1 - ?2 AND accepted_by IS NULL AND kind = 'emergency'"
        " ORDER BY alert_at, id LIMIT ?3";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    *ids = NULL;
    *n = 0;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_int64(st, 2, accept_seconds);
    sqlite3_bind_int(st, 3, (int)max);
    e = sq_collect(c, st, ar, sizeof **ids, read_id, (void **)ids, n, "dispatch_due");
out:
    sq_put(s, c);
    return e;
}

/* Inside a transaction: a message to staff about the case, from its
 * agency's first number (none when the agency has no number). */
static err_t queue_msg(conn_t *c, int64_t case_id, const store_alert_msg *m, int64_t now)
{
    static const char sql[] =
        "INSERT INTO wa_outbox (agency_id, phone_number_id, to_wa_id, case_id, kind, payload,"
        " template, created_at, updated_at) SELECT c.agency_id, n.pnid, ?2, c.id, ?3, ?4, ?5,"
        " ?6, ?6 FROM cases c JOIN (SELECT agency_id, MIN(phone_number_id) AS pnid"
        " FROM agency_numbers GROUP BY agency_id) n ON n.agency_id = c.agency_id WHERE c.id = ?1";
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, case_id);
    sq_bind_text(st, 2, m->to_wa_id);
    sq_bind_text(st, 3, m->kind);
    sq_bind_text(st, 4, m->payload);
    sq_bind_text(st, 5, m->template);
    sqlite3_bind_int64(st, 6, now);
    e = sq_exec_stmt(c, st, "dispatch_msg");
out:
    return e;
}

err_t sq_dispatch_missed(store_t *s, arena_t *ar, int64_t since, int64_t until, unsigned max,
                         int64_t **ids, size_t *n)
{
    /* The created_at range keeps this on the cases_created index. */
    static const char sql[] =
        "SELECT id FROM cases WHERE created_at >= ?1 AND created_at <= ?2 AND kind = 'emergency'"
        " AND status = 'received' AND alert_round = 0 AND duplicate_of IS NULL"
        " AND follows_id IS NULL AND channel <> 'forward' ORDER BY id LIMIT ?3";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    *ids = NULL;
    *n = 0;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, since);
    sqlite3_bind_int64(st, 2, until);
    sqlite3_bind_int(st, 3, (int)max);
    e = sq_collect(c, st, ar, sizeof **ids, read_id, (void **)ids, n, "dispatch_missed");
out:
    sq_put(s, c);
    return e;
}

err_t sq_dispatch_alert(store_t *s, arena_t *ar, store_alert *a)
{
    static const char upd[] =
        "UPDATE cases SET status = CASE WHEN ?1 IS NULL THEN status ELSE 'dispatched' END,"
        " team_id = COALESCE(?1, team_id), alert_round = alert_round + 1,"
        " alert_at = CASE WHEN ?1 IS NULL THEN NULL ELSE ?2 END, updated_at = ?2"
        " WHERE id = ?3 AND status = ?4 AND alert_round = ?5 AND accepted_by IS NULL";
    (void)ar;
    conn_t *c = sq_get(s);
    err_t e = sq_begin(c);
    sqlite3_stmt *st;
    if (e != ERR_OK)
        goto out;
    SQ_PREP(c, st, upd);
    sq_bind_id(st, 1, a->team_id);
    sqlite3_bind_int64(st, 2, a->now);
    sqlite3_bind_int64(st, 3, a->case_id);
    sq_bind_text(st, 4, a->expect_status);
    sqlite3_bind_int(st, 5, a->expect_round);
    e = sq_exec_stmt(c, st, "dispatch_alert");
    if (e == ERR_OK && sqlite3_changes(c->db) == 0)
        e = ERR_CONFLICT; /* another instance (or an officer) was first */
    if (e != ERR_OK)
        goto out;
    /* With no_event, the transition that set the team wrote the event. */
    if (a->team_id && !a->no_event) {
        e = add_event(c, a->case_id, "dispatch", a->expect_status, 0, a->note, true, true, a->now,
                      &a->event_id);
        if (e == ERR_OK)
            e = sq_wa_queue_status(c, a->case_id, a->event_id, a->now);
        if (e == ERR_OK)
            e = sq_dispatch_queue_followers(c, a->case_id, a->event_id, a->now);
    } else if (!a->team_id) {
        e = add_event(c, a->case_id, "alert_exhausted", NULL, 0, a->note, false, false, a->now,
                      &a->event_id);
    }
    for (size_t i = 0; e == ERR_OK && i < a->nout; i++)
        e = queue_msg(c, a->case_id, &a->out[i], a->now);
    if (e == ERR_OK)
        e = sq_commit(c);
out:
    sq_rollback(c);
    sq_put(s, c);
    return e;
}

/* After a conditional UPDATE changed nothing: ERR_CONFLICT when the case
 * exists (its state did not allow it), ERR_NOT_FOUND otherwise. */
static err_t why_unchanged(conn_t *c, int64_t case_id)
{
    static const char sql[] = "SELECT 1 FROM cases WHERE id = ?";
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, case_id);
    e = sq_step_row(c, st, "case_exists");
    sqlite3_reset(st);
    if (e == ERR_OK)
        e = ERR_CONFLICT;
out:
    return e;
}

err_t sq_dispatch_accept(store_t *s, int64_t case_id, int64_t user_id, int64_t now,
                         const store_alert_msg *tell, size_t ntell)
{
    static const char upd[] =
        "UPDATE cases SET accepted_by = ?1, accepted_at = ?2, alert_at = NULL, updated_at = ?2"
        " WHERE id = ?3 AND accepted_by IS NULL AND status IN ('dispatched', 'in_progress')";
    conn_t *c = sq_get(s);
    err_t e = sq_begin(c);
    sqlite3_stmt *st;
    if (e != ERR_OK)
        goto out;
    SQ_PREP(c, st, upd);
    sqlite3_bind_int64(st, 1, user_id);
    sqlite3_bind_int64(st, 2, now);
    sqlite3_bind_int64(st, 3, case_id);
    e = sq_exec_stmt(c, st, "dispatch_accept");
    if (e == ERR_OK && sqlite3_changes(c->db) == 0)
        e = why_unchanged(c, case_id);
    if (e == ERR_OK)
        e = add_event(c, case_id, "accept", NULL, user_id, NULL, true, false, now, NULL);
    for (size_t i = 0; e == ERR_OK && i < ntell; i++)
        e = queue_msg(c, case_id, &tell[i], now);
    if (e == ERR_OK)
        e = sq_commit(c);
out:
    sq_rollback(c);
    sq_put(s, c);
    return e;
}

err_t sq_staff_notify(store_t *s, int64_t case_id, const store_alert_msg *m, size_t n, int64_t now)
{
    conn_t *c = sq_get(s);
    err_t e = sq_begin(c);
    for (size_t i = 0; e == ERR_OK && i < n; i++)
        e = queue_msg(c, case_id, &m[i], now);
    if (e == ERR_OK)
        e = sq_commit(c);
    sq_rollback(c);
    sq_put(s, c);
    return e;
}

err_t sq_dispatch_active(store_t *s, int64_t user_id, int64_t *case_id)
{
    static const char sql[] =
        "SELECT id FROM cases WHERE status IN ('dispatched', 'in_progress') AND (accepted_by = ?1"
        " OR team_id IN (SELECT team_id FROM team_members WHERE user_id = ?1))"
        " ORDER BY CASE WHEN accepted_by = ?1 THEN 0 ELSE 1 END, id DESC LIMIT 1";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, user_id);
    e = sq_step_row(c, st, "dispatch_active");
    if (e == ERR_OK)
        *case_id = sq_int(st, 0);
    sqlite3_reset(st);
out:
    sq_put(s, c);
    return e;
}

err_t sq_dispatch_attach(store_t *s, int64_t case_id, const char *media_id, const char *mime,
                         const char *sha256, const char *filename, int64_t now)
{
    static const char sql[] =
        "INSERT INTO attachments (case_id, sha256, mime, filename, source, state, media_id,"
        " created_at) SELECT ?1, ?2, ?3, ?4, 'officer', 'pending', ?5, ?6"
        " WHERE NOT EXISTS (SELECT 1 FROM attachments WHERE media_id = ?5)";
    return SQ_WRITE(s, sql, "dispatch_attach", false, SQ_INT(case_id), SQ_TEXT(sha256),
                    SQ_TEXT(mime ? mime : "application/octet-stream"), SQ_TEXT(filename),
                    SQ_TEXT(media_id), SQ_INT(now));
}

/* ---- duplicates and forwarding categories ---------------------------------- */

err_t sq_case_link(store_t *s, int64_t case_id, int64_t duplicate_of, int64_t follows_id,
                   const char *action, int64_t actor_id, const char *note, int64_t now)
{
    static const char upd[] = "UPDATE cases SET duplicate_of = ?1, follows_id = ?2,"
                              " updated_at = ?3 WHERE id = ?4";
    conn_t *c = sq_get(s);
    err_t e = sq_begin(c);
    sqlite3_stmt *st;
    if (e != ERR_OK)
        goto out;
    SQ_PREP(c, st, upd);
    sq_bind_id(st, 1, duplicate_of);
    sq_bind_id(st, 2, follows_id);
    sqlite3_bind_int64(st, 3, now);
    sqlite3_bind_int64(st, 4, case_id);
    e = sq_exec_stmt(c, st, "case_link");
    if (e == ERR_OK && sqlite3_changes(c->db) == 0)
        e = ERR_NOT_FOUND;
    if (e == ERR_OK)
        e = add_event(c, case_id, action, NULL, actor_id, note, false, false, now, NULL);
    if (e == ERR_OK)
        e = sq_commit(c);
out:
    sq_rollback(c);
    sq_put(s, c);
    return e;
}

static void read_nearby(arena_t *ar, sqlite3_stmt *st, void *elem)
{
    store_nearby *v = elem;
    v->id = sq_int(st, 0);
    v->created_at = sq_int(st, 1);
    v->follows_id = sq_int(st, 2);
    v->lat = sqlite3_column_double(st, 3);
    v->lon = sqlite3_column_double(st, 4);
    v->status = sq_text(ar, st, 5);
}

err_t sq_case_nearby(store_t *s, arena_t *ar, int64_t category_id, int64_t since,
                     int64_t exclude_id, double lat_min, double lat_max, double lon_min,
                     double lon_max, store_nearby **out, size_t *n)
{
    static const char sql[] = "SELECT id, created_at, follows_id, lat, lon, status FROM cases"
                              " WHERE category_id = ?1 AND created_at >= ?2 AND id <> ?3"
                              " AND lat BETWEEN ?4 AND ?5 AND lon BETWEEN ?6 AND ?7"
                              " AND status NOT IN ('resolved', 'closed', 'rejected', 'forwarded')"
                              " ORDER BY id DESC LIMIT ?8";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    *out = NULL;
    *n = 0;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, category_id);
    sqlite3_bind_int64(st, 2, since);
    sqlite3_bind_int64(st, 3, exclude_id);
    sqlite3_bind_double(st, 4, lat_min);
    sqlite3_bind_double(st, 5, lat_max);
    sqlite3_bind_double(st, 6, lon_min);
    sqlite3_bind_double(st, 7, lon_max);
    sqlite3_bind_int(st, 8, NEARBY_MAX);
    e = sq_collect(c, st, ar, sizeof **out, read_nearby, (void **)out, n, "case_nearby");
out:
    sq_put(s, c);
    return e;
}

err_t sq_category_forward(store_t *s, int64_t category_id, int64_t *to)
{
    static const char sql[] = "SELECT forward_category_id FROM categories WHERE id = ?";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    *to = 0;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, category_id);
    e = sq_step_row(c, st, "category_forward");
    if (e == ERR_OK)
        *to = sq_int(st, 0);
    sqlite3_reset(st);
out:
    sq_put(s, c);
    return e;
}

err_t sq_category_set_forward(store_t *s, int64_t category_id, int64_t to)
{
    static const char sql[] = "UPDATE categories SET forward_category_id = ? WHERE id = ?";
    return SQ_WRITE(s, sql, "category_set_forward", true, SQ_ID(to), SQ_INT(category_id));
}
