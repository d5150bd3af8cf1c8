/* The PostgreSQL store: the duty roster, emergency alerts, duplicates.
 * The same queries as store/sqlite_dispatch.c, with PostgreSQL types. */
#include "store/pg_int.h"

#include <string.h>

#define NEARBY_MAX 50

/* Runs one statement on a borrowed connection; *changed (may be NULL)
 * gets the rows it affected. */
static err_t exec1(store_t *s, const char *sql, const pq_params *p, int64_t *changed,
                   const char *what)
{
    pconn_t *c = pq_get(s);
    if (!c)
        return ERR_UNAVAILABLE;
    PGresult *r = NULL;
    err_t e = pq_run(c, sql, p, &r, what);
    if (e == ERR_OK && changed)
        *changed = pq_affected(r);
    PQclear(r);
    pq_put(s, c);
    return e;
}

/* ---- the duty roster ------------------------------------------------------- */

static void read_duty(arena_t *ar, PGresult *r, int i, void *elem)
{
    store_duty *d = elem;
    memset(d, 0, sizeof *d);
    d->id = pq_int(r, i, 0);
    d->team_id = pq_int(r, i, 1);
    d->user_id = pq_int(r, i, 2);
    d->weekday = pq_null(r, i, 3) ? -1 : (int)pq_int(r, i, 3);
    d->start_minute = (int)pq_int(r, i, 4);
    d->end_minute = (int)pq_int(r, i, 5);
    d->starts_at = pq_int(r, i, 6);
    d->ends_at = pq_int(r, i, 7);
    d->agency_id = pq_int(r, i, 8);
    d->team_name = pq_text(ar, r, i, 9);
    d->user_login = pq_text(ar, r, i, 10);
    d->user_name = pq_text(ar, r, i, 11);
    d->user_wa_id = pq_text(ar, r, i, 12);
}

err_t pg_duty_list(store_t *s, arena_t *ar, int64_t agency_id, store_duty **out, size_t *n)
{
    static const char sql[] =
        "SELECT d.id, d.team_id, d.user_id, d.weekday, d.start_minute, d.end_minute, d.starts_at,"
        " d.ends_at, t.agency_id, t.name, u.login, u.name, u.wa_id FROM duty_shifts d"
        " JOIN teams t ON t.id = d.team_id JOIN users u ON u.id = d.user_id"
        " JOIN team_members m ON m.team_id = d.team_id AND m.user_id = d.user_id"
        " WHERE ($1::bigint IS NULL OR t.agency_id = $1) AND u.disabled = FALSE"
        " ORDER BY t.id, u.id, d.id";
    pq_params p = {0};
    pp_id(&p, agency_id);
    return pq_list(s, ar, sql, &p, sizeof **out, read_duty, (void **)out, n, "duty_list");
}

err_t pg_duty_add(store_t *s, const store_duty *d, int64_t now, int64_t *id)
{
    static const char sql[] =
        "INSERT INTO duty_shifts (team_id, user_id, weekday, start_minute, end_minute, starts_at,"
        " ends_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
    pq_params p = {0};
    pp_int(&p, d->team_id);
    pp_int(&p, d->user_id);
    if (d->weekday >= 0) {
        pp_int(&p, d->weekday);
        pp_int(&p, d->start_minute);
        pp_int(&p, d->end_minute);
        pp_null(&p);
        pp_null(&p);
    } else {
        pp_null(&p);
        pp_null(&p);
        pp_null(&p);
        pp_int(&p, d->starts_at);
        pp_int(&p, d->ends_at);
    }
    pp_int(&p, now);
    pconn_t *c = pq_get(s);
    if (!c)
        return ERR_UNAVAILABLE;
    PGresult *r = NULL;
    err_t e = pq_run(c, sql, &p, &r, "duty_add");
    if (e == ERR_OK && id)
        *id = PQntuples(r) ? pq_int(r, 0, 0) : 0;
    PQclear(r);
    pq_put(s, c);
    return e;
}

err_t pg_duty_delete(store_t *s, int64_t agency_id, int64_t id)
{
    static const char sql[] = "DELETE FROM duty_shifts WHERE id = $1 AND team_id IN"
                              " (SELECT id FROM teams WHERE agency_id = $2)";
    pq_params p = {0};
    int64_t changed = 0;
    pp_int(&p, id);
    pp_int(&p, agency_id);
    err_t e = exec1(s, sql, &p, &changed, "duty_delete");
    return e == ERR_OK && changed == 0 ? ERR_NOT_FOUND : e;
}

/* ---- events and followers ------------------------------------------------- */

static err_t add_event(pconn_t *c, int64_t case_id, const char *action, const char *from,
                       int64_t actor, const char *note, bool with_team, bool is_public, int64_t now,
                       int64_t *event_id)
{
    static const char sql[] =
        "INSERT INTO case_events (case_id, seq, action, from_status, to_status, actor_id, note,"
        " team_id, is_public, created_at) SELECT $1::bigint, COALESCE(MAX(e.seq), 0) + 1,"
        " $2::text, COALESCE($3::text, c.status), c.status, $4::bigint, $5::text,"
        " CASE WHEN $6::boolean THEN c.team_id END, $7::boolean, $8::bigint"
        " FROM cases c LEFT JOIN case_events e ON e.case_id = c.id WHERE c.id = $1 GROUP BY c.id"
        " RETURNING id";
    pq_params p = {0};
    PGresult *r = NULL;
    pp_int(&p, case_id);
    pp_text(&p, action);
    pp_text(&p, from);
    pp_id(&p, actor);
    pp_text(&p, note);
    pp_bool(&p, with_team);
    pp_bool(&p, is_public);
    pp_int(&p, now);
    err_t e = pq_run(c, sql, &p, &r, "dispatch_event");
    if (e == ERR_OK && PQntuples(r) == 0)
        e = ERR_NOT_FOUND;
    if (e == ERR_OK && event_id)
        *event_id = pq_int(r, 0, 0);
    PQclear(r);
    return e;
}

err_t pq_dispatch_queue_followers(pconn_t *c, int64_t case_id, int64_t event_id, int64_t now)
{
    static const char sql[] =
        "INSERT INTO wa_outbox (agency_id, phone_number_id, to_wa_id, case_id, kind, payload,"
        " event_id, created_at, updated_at) SELECT agency_id, pnid, wa_id, $1::bigint,"
        " 'status_update', '', $2::bigint, $3::bigint, $3::bigint FROM (SELECT DISTINCT"
        " m.agency_id AS agency_id, COALESCE(w.phone_number_id, (SELECT MIN(n.phone_number_id)"
        " FROM agency_numbers n WHERE n.agency_id = m.agency_id)) AS pnid, r.wa_id AS wa_id"
        " FROM cases m JOIN cases f ON f.follows_id = m.id JOIN reporters r ON r.id = f.reporter_id"
        " LEFT JOIN wa_conversations w ON w.agency_id = m.agency_id AND w.wa_id = r.wa_id"
        " WHERE m.id = $1 AND (f.channel = 'whatsapp' OR f.wa_consent_at IS NOT NULL)"
        " AND r.wa_id IS NOT NULL AND NOT ((m.channel = 'whatsapp' OR m.wa_consent_at IS NOT NULL)"
        " AND f.reporter_id = COALESCE(m.reporter_id, 0)))"
        " x WHERE pnid IS NOT NULL";
    pq_params p = {0};
    pp_int(&p, case_id);
    pp_int(&p, event_id);
    pp_int(&p, now);
    return pq_run(c, sql, &p, NULL, "dispatch_followers");
}

err_t pg_case_note_event(store_t *s, int64_t case_id, const char *action, int64_t actor_id,
                         const char *note, int64_t now)
{
    pconn_t *c = pq_get(s);
    if (!c)
        return ERR_UNAVAILABLE;
    err_t e = pq_begin(c);
    if (e == ERR_OK)
        e = add_event(c, case_id, action, NULL, actor_id, note, false, false, now, NULL);
    if (e == ERR_OK)
        e = pq_commit(c);
    pq_rollback(c);
    pq_put(s, c);
    return e;
}

/* ---- emergency alerts ----------------------------------------------------- */

err_t pg_dispatch_get(store_t *s, arena_t *ar, int64_t case_id, store_dispatch_info *out)
{
    static const char sql[] =
        "SELECT c.alert_round, c.alert_at, c.accepted_by, c.accepted_at, c.duplicate_of,"
        " c.follows_id, u.name, (SELECT MIN(e.created_at) FROM case_events e"
        " WHERE e.case_id = c.id AND e.action = 'start'),"
        " (SELECT COUNT(*) FROM cases f WHERE f.follows_id = c.id), c.community_group_id, g.name"
        " FROM cases c LEFT JOIN users u ON u.id = c.accepted_by"
        " LEFT JOIN community_groups g ON g.id = c.community_group_id WHERE c.id = $1";
    pq_params p = {0};
    PGresult *r = NULL;
    memset(out, 0, sizeof *out);
    pp_int(&p, case_id);
    pconn_t *c = pq_get(s);
    if (!c)
        return ERR_UNAVAILABLE;
    err_t e = pq_run(c, sql, &p, &r, "dispatch_get");
    pq_put(s, c);
    if (e == ERR_OK && PQntuples(r) == 0)
        e = ERR_NOT_FOUND;
    if (e == ERR_OK) {
        out->alert_round = (int)pq_int(r, 0, 0);
        out->alert_at = pq_int(r, 0, 1);
        out->accepted_by = pq_int(r, 0, 2);
        out->accepted_at = pq_int(r, 0, 3);
        out->duplicate_of = pq_int(r, 0, 4);
        out->follows_id = pq_int(r, 0, 5);
        out->accepted_name = pq_text(ar, r, 0, 6);
        out->on_site_at = pq_int(r, 0, 7);
        out->followers = (int)pq_int(r, 0, 8);
        out->group_id = pq_int(r, 0, 9);
        out->group_name = pq_text(ar, r, 0, 10);
    }
    PQclear(r);
    return e;
}

static void read_id(arena_t *ar, PGresult *r, int i, void *elem)
{
    (void)ar;
    *(int64_t *)elem = pq_int(r, i, 0);
}

err_t pg_dispatch_due(store_t *s, arena_t *ar, int64_t now, int64_t accept_seconds, unsigned max,
                      int64_t **ids, size_t *n)
{
    static const char sql[] =
        "SELECT id FROM cases WHERE status = 'dispatched' AND alert_at IS NOT NULL"
        " AND alert_at <= $1::bigint - $2::bigint AND accepted_by IS NULL AND kind = 'emergency'"
        " ORDER BY alert_at, id LIMIT $3";
    pq_params p = {0};
    pp_int(&p, now);
    pp_int(&p, accept_seconds);
    pp_int(&p, (int64_t)max);
    return pq_list(s, ar, sql, &p, sizeof **ids, read_id, (void **)ids, n, "dispatch_due");
}

/* Inside a transaction: see sqlite_dispatch.c. */
static err_t queue_msg(pconn_t *c, int64_t case_id, const store_alert_msg *m, int64_t now)
{
    static const char sql[] =
        "INSERT INTO wa_outbox (agency_id, phone_number_id, to_wa_id, case_id, kind, payload,"
        " template, created_at, updated_at) SELECT c.agency_id, n.pnid, $2::text, c.id, $3::text,"
        " $4::text, $5::text, $6::bigint, $6::bigint FROM cases c JOIN (SELECT agency_id,"
        " MIN(phone_number_id) AS pnid FROM agency_numbers GROUP BY agency_id) n"
        " ON n.agency_id = c.agency_id WHERE c.id = $1";
    pq_params q = {0};
    pp_int(&q, case_id);
    pp_text(&q, m->to_wa_id);
    pp_text(&q, m->kind);
    pp_text(&q, m->payload);
    pp_text(&q, m->template);
    pp_int(&q, now);
    return pq_run(c, sql, &q, NULL, "dispatch_msg");
}

err_t pg_dispatch_missed(store_t *s, arena_t *ar, int64_t since, int64_t until, unsigned max,
                         int64_t **ids, size_t *n)
{
    static const char sql[] =
        "SELECT id FROM cases WHERE created_at >= $1 AND created_at <= $2 AND kind = 'emergency'"
        " AND status = 'received' AND alert_round = 0 AND duplicate_of IS NULL"
        " AND follows_id IS NULL AND channel <> 'forward' ORDER BY id LIMIT $3";
    pq_params p = {0};
    pp_int(&p, since);
    pp_int(&p, until);
    pp_int(&p, (int64_t)max);
    return pq_list(s, ar, sql, &p, sizeof **ids, read_id, (void **)ids, n, "dispatch_missed");
}

err_t pg_dispatch_alert(store_t *s, arena_t *ar, store_alert *a)
{
    static const char upd[] =
        "UPDATE cases SET status = CASE WHEN $1::bigint IS NULL THEN status ELSE 'dispatched' END,"
        " team_id = COALESCE($1::bigint, team_id), alert_round = alert_round + 1,"
        " alert_at = CASE WHEN $1::bigint IS NULL THEN NULL ELSE $2::bigint END,"
        " updated_at = $2::bigint"
        " WHERE id = $3 AND status = $4 AND alert_round = $5 AND accepted_by IS NULL";
    (void)ar;
    pconn_t *c = pq_get(s);
    if (!c)
        return ERR_UNAVAILABLE;
    pq_params p = {0};
    PGresult *r = NULL;
    pp_id(&p, a->team_id);
    pp_int(&p, a->now);
    pp_int(&p, a->case_id);
    pp_text(&p, a->expect_status);
    pp_int(&p, a->expect_round);
    err_t e = pq_begin(c);
    /* The conditional UPDATE is the claim: of several instances only one
     * finds the round it read, and its row lock orders the event appends. */
    if (e == ERR_OK)
        e = pq_run(c, upd, &p, &r, "dispatch_alert");
    if (e == ERR_OK && pq_affected(r) == 0)
        e = ERR_CONFLICT;
    PQclear(r);
    /* With no_event, the transition that set the team wrote the event. */
    if (e == ERR_OK && a->team_id && !a->no_event) {
        e = add_event(c, a->case_id, "dispatch", a->expect_status, 0, a->note, true, true, a->now,
                      &a->event_id);
        if (e == ERR_OK)
            e = pq_wa_queue_status(c, a->case_id, a->event_id, a->now);
        if (e == ERR_OK)
            e = pq_dispatch_queue_followers(c, a->case_id, a->event_id, a->now);
    } else if (e == ERR_OK && !a->team_id) {
        e = add_event(c, a->case_id, "alert_exhausted", NULL, 0, a->note, false, false, a->now,
                      &a->event_id);
    }
    for (size_t i = 0; e == ERR_OK && i < a->nout; i++)
        e = queue_msg(c, a->case_id, &a->out[i], a->now);
    if (e == ERR_OK)
        e = pq_commit(c);
    pq_rollback(c);
    pq_put(s, c);
    return e;
}

/* After a conditional UPDATE changed nothing: ERR_CONFLICT when the case
 * exists, ERR_NOT_FOUND otherwise. */
static err_t why_unchanged(pconn_t *c, int64_t case_id)
{
    static const char sql[] = "SELECT 1 FROM cases WHERE id = $1";
    pq_params p = {0};
    PGresult *r = NULL;
    pp_int(&p, case_id);
    err_t e = pq_run(c, sql, &p, &r, "case_exists");
    if (e == ERR_OK)
        e = PQntuples(r) ? ERR_CONFLICT : ERR_NOT_FOUND;
    PQclear(r);
    return e;
}

err_t pg_dispatch_accept(store_t *s, int64_t case_id, int64_t user_id, int64_t now,
                         const store_alert_msg *tell, size_t ntell)
{
    static const char upd[] =
        "UPDATE cases SET accepted_by = $1, accepted_at = $2, alert_at = NULL, updated_at = $2"
        " WHERE id = $3 AND accepted_by IS NULL AND status IN ('dispatched', 'in_progress')";
    pconn_t *c = pq_get(s);
    if (!c)
        return ERR_UNAVAILABLE;
    pq_params p = {0};
    PGresult *r = NULL;
    pp_int(&p, user_id);
    pp_int(&p, now);
    pp_int(&p, case_id);
    err_t e = pq_begin(c);
    if (e == ERR_OK)
        e = pq_run(c, upd, &p, &r, "dispatch_accept");
    if (e == ERR_OK && pq_affected(r) == 0)
        e = why_unchanged(c, case_id);
    PQclear(r);
    if (e == ERR_OK)
        e = add_event(c, case_id, "accept", NULL, user_id, NULL, true, false, now, NULL);
    for (size_t i = 0; e == ERR_OK && i < ntell; i++)
        e = queue_msg(c, case_id, &tell[i], now);
    if (e == ERR_OK)
        e = pq_commit(c);
    pq_rollback(c);
    pq_put(s, c);
    return e;
}

err_t pg_staff_notify(store_t *s, int64_t case_id, const store_alert_msg *m, size_t n, int64_t now)
{
    pconn_t *c = pq_get(s);
    if (!c)
        return ERR_UNAVAILABLE;
    err_t e = pq_begin(c);
    for (size_t i = 0; e == ERR_OK && i < n; i++)
        e = queue_msg(c, case_id, &m[i], now);
    if (e == ERR_OK)
        e = pq_commit(c);
    pq_rollback(c);
    pq_put(s, c);
    return e;
}

err_t pg_dispatch_active(store_t *s, int64_t user_id, int64_t *case_id)
{
    static const char sql[] =
        "SELECT id FROM cases WHERE status IN ('dispatched', 'in_progress') AND (accepted_by = $1"
        " OR team_id IN (SELECT team_id FROM team_members WHERE user_id = $1))"
        " ORDER BY CASE WHEN accepted_by = $1 THEN 0 ELSE 1 END, id DESC LIMIT 1";
    pq_params p = {0};
    PGresult *r = NULL;
    pp_int(&p, user_id);
    pconn_t *c = pq_get(s);
    if (!c)
        return ERR_UNAVAILABLE;
    err_t e = pq_run(c, sql, &p, &r, "dispatch_active");
    pq_put(s, c);
    if (e == ERR_OK && PQntuples(r) == 0)
        e = ERR_NOT_FOUND;
    if (e == ERR_OK)
        *case_id = pq_int(r, 0, 0);
    PQclear(r);
    return e;
}

err_t pg_dispatch_attach(store_t *s, int64_t case_id, const char *media_id, const char *mime,
                         const char *sha256, const char *filename, int64_t now)
{
    static const char sql[] =
        "INSERT INTO attachments (case_id, sha256, mime, filename, source, state, media_id,"
        " created_at) SELECT $1::bigint, $2::text, $3::text, $4::text, 'officer', 'pending',"
        " $5::text, $6::bigint WHERE NOT EXISTS (SELECT 1 FROM attachments WHERE media_id = $5)";
    pq_params p = {0};
    pp_int(&p, case_id);
    pp_text(&p, sha256);
    pp_text(&p, mime ? mime : "application/octet-stream");
    pp_text(&p, filename);
    pp_text(&p, media_id);
    pp_int(&p, now);
    return exec1(s, sql, &p, NULL, "dispatch_attach");
}

/* ---- duplicates and forwarding categories ---------------------------------- */

err_t pg_case_link(store_t *s, int64_t case_id, int64_t duplicate_of, int64_t follows_id,
                   const char *action, int64_t actor_id, const char *note, int64_t now)
{
    static const char upd[] = "UPDATE cases SET duplicate_of = $1, follows_id = $2,"
                              " updated_at = $3 WHERE id = $4";
    pconn_t *c = pq_get(s);
    if (!c)
        return ERR_UNAVAILABLE;
    pq_params p = {0};
    PGresult *r = NULL;
    pp_id(&p, duplicate_of);
    pp_id(&p, follows_id);
    pp_int(&p, now);
    pp_int(&p, case_id);
    err_t e = pq_begin(c);
    if (e == ERR_OK)
        e = pq_run(c, upd, &p, &r, "case_link");
    if (e == ERR_OK && pq_affected(r) == 0)
        e = ERR_NOT_FOUND;
    PQclear(r);
    if (e == ERR_OK)
        e = add_event(c, case_id, action, NULL, actor_id, note, false, false, now, NULL);
    if (e == ERR_OK)
        e = pq_commit(c);
    pq_rollback(c);
    pq_put(s, c);
    return e;
}

static void read_nearby(arena_t *ar, PGresult *r, int i, void *elem)
{
    store_nearby *v = elem;
    v->id = pq_int(r, i, 0);
    v->created_at = pq_int(r, i, 1);
    v->follows_id = pq_int(r, i, 2);
    v->lat = pq_real(r, i, 3);
    v->lon = pq_real(r, i, 4);
    v->status = pq_text(ar, r, i, 5);
}

err_t pg_case_nearby(store_t *s, arena_t *ar, int64_t category_id, int64_t since,
                     int64_t exclude_id, double lat_min, double lat_max, double lon_min,
                     double lon_max, store_nearby **out, size_t *n)
{
    static const char sql[] =
        "SELECT id, created_at, follows_id, lat, lon, status FROM cases"
        " WHERE category_id = $1 AND created_at >= $2 AND id <> $3"
        " AND lat BETWEEN $4::float8 AND $5::float8 AND lon BETWEEN $6::float8 AND $7::float8"
        " AND status NOT IN ('resolved', 'closed', 'rejected', 'forwarded')"
        " ORDER BY id DESC LIMIT $8";
    pq_params p = {0};
    pp_int(&p, category_id);
    pp_int(&p, since);
    pp_int(&p, exclude_id);
    pp_real(&p, lat_min);
    pp_real(&p, lat_max);
    pp_real(&p, lon_min);
    pp_real(&p, lon_max);
    pp_int(&p, NEARBY_MAX);
    return pq_list(s, ar, sql, &p, sizeof **out, read_nearby, (void **)out, n, "case_nearby");
}

err_t pg_category_forward(store_t *s, int64_t category_id, int64_t *to)
{
    static const char sql[] = "SELECT forward_category_id FROM categories WHERE id = $1";
    pq_params p = {0};
    PGresult *r = NULL;
    *to = 0;
    pp_int(&p, category_id);
    pconn_t *c = pq_get(s);
    if (!c)
        return ERR_UNAVAILABLE;
    err_t e = pq_run(c, sql, &p, &r, "category_forward");
    pq_put(s, c);
    if (e == ERR_OK && PQntuples(r) == 0)
        e = ERR_NOT_FOUND;
    if (e == ERR_OK)
        *to = pq_int(r, 0, 0);
    PQclear(r);
    return e;
}

err_t pg_category_set_forward(store_t *s, int64_t category_id, int64_t to)
{
    static const char sql[] = "UPDATE categories SET forward_category_id = $1 WHERE id = $2";
    pq_params p = {0};
    int64_t changed = 0;
    pp_id(&p, to);
    pp_int(&p, category_id);
    err_t e = exec1(s, sql, &p, &changed, "category_set_forward");
    return e == ERR_OK && changed == 0 ? ERR_NOT_FOUND : e;
}
