/* The PostgreSQL store: calendars, holidays, SLA policies, deadlines and
 * escalation, activity events. Same behaviour as store/sqlite_sla.c. */
#include "store/pg_int.h"

#include <stdio.h>
#include <string.h>

/* Runs a read on a borrowed connection. */
static err_t query(store_t *s, const char *sql, const pq_params *p, PGresult **out,
                   const char *what)
{
    pconn_t *c = pq_get(s);
    if (!c)
        return ERR_UNAVAILABLE;
    err_t e = pq_run(c, sql, p, out, what);
    pq_put(s, c);
    return e;
}

/* Runs a write; *affected (may be NULL) gets the rows changed. */
static err_t write1(store_t *s, const char *sql, const pq_params *p, int64_t *affected,
                    const char *what)
{
    PGresult *r = NULL;
    err_t e = query(s, sql, p, &r, what);
    if (e == ERR_OK && affected)
        *affected = pq_affected(r);
    PQclear(r);
    return e;
}

/* A write that moves deadlines: sql, then the open cases it may affect
 * made stale (see sqlite_sla.c mark_stale), in one transaction.
 * *affected (may be NULL) gets the rows sql changed. */
static err_t write_stale(store_t *s, const char *sql, const pq_params *p, int64_t agency_id,
                         int64_t category_id, int64_t *affected, const char *what)
{
    static const char stale[] =
        "UPDATE cases SET sla_status = NULL WHERE sla_stage IS NOT NULL"
        " AND ($1::bigint = 0 OR agency_id = $1) AND ($2::bigint = 0 OR category_id = $2)";
    pconn_t *c = pq_get(s);
    if (!c)
        return ERR_UNAVAILABLE;
    pq_params q = {0};
    PGresult *r = NULL;
    pp_int(&q, agency_id);
    pp_int(&q, category_id);
    err_t e = pq_begin(c);
    if (e == ERR_OK)
        e = pq_run(c, sql, p, &r, what);
    if (e == ERR_OK && affected)
        *affected = pq_affected(r);
    PQclear(r);
    if (e == ERR_OK)
        e = pq_run(c, stale, &q, NULL, "sla_mark_stale");
    if (e == ERR_OK)
        e = pq_commit(c);
    pq_rollback(c);
    pq_put(s, c);
    return e;
}

err_t pg_calendar_get(store_t *s, arena_t *ar, int64_t agency_id, store_calendar *out)
{
    static const char sql[] = "SELECT always_open, sun, mon, tue, wed, thu, fri, sat, updated_at"
                              " FROM agency_calendars WHERE agency_id = $1";
    pq_params p = {0};
    PGresult *r;
    memset(out, 0, sizeof *out);
    pp_int(&p, agency_id);
    err_t e = query(s, sql, &p, &r, "calendar_get");
    if (e != ERR_OK)
        return e;
    if (PQntuples(r) == 0) {
        e = ERR_NOT_FOUND;
    } else {
        out->agency_id = agency_id;
        out->always_open = pq_bool(r, 0, 0);
        for (int d = 0; d < 7; d++)
            out->hours[d] = pq_text(ar, r, 0, 1 + d);
        out->updated_at = pq_int(r, 0, 8);
    }
    PQclear(r);
    return e;
}

err_t pg_calendar_put(store_t *s, const store_calendar *k, int64_t now)
{
    static const char sql[] =
        "INSERT INTO agency_calendars (agency_id, always_open, sun, mon, tue, wed, thu, fri, sat,"
        " updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (agency_id)"
        " DO UPDATE SET always_open = excluded.always_open, sun = excluded.sun,"
        " mon = excluded.mon, tue = excluded.tue, wed = excluded.wed, thu = excluded.thu,"
        " fri = excluded.fri, sat = excluded.sat, updated_at = excluded.updated_at";
    pq_params p = {0};
    pp_int(&p, k->agency_id);
    pp_bool(&p, k->always_open);
    for (int d = 0; d < 7; d++)
        pp_text(&p, k->hours[d]);
    pp_int(&p, now);
    return write_stale(s, sql, &p, k->agency_id, 0, NULL, "calendar_put");
}

static void read_holiday(arena_t *ar, PGresult *r, int i, void *elem)
{
    store_holiday *h = elem;
    h->id = pq_int(r, i, 0);
    h->agency_id = pq_int(r, i, 1);
    h->day = pq_text(ar, r, i, 2);
    h->name = pq_text(ar, r, i, 3);
    h->kind = pq_text(ar, r, i, 4);
}

err_t pg_holiday_list(store_t *s, arena_t *ar, int64_t agency_id, const char *from, const char *to,
                      store_holiday **out, size_t *n)
{
    static const char sql[] =
        "SELECT id, agency_id, day, name, kind FROM holidays WHERE agency_id IN (0, $1)"
        " AND ($2::text IS NULL OR day >= $2) AND ($3::text IS NULL OR day <= $3)"
        " ORDER BY day, agency_id";
    pq_params p = {0};
    pp_int(&p, agency_id);
    pp_text(&p, from);
    pp_text(&p, to);
    return pq_list(s, ar, sql, &p, sizeof **out, read_holiday, (void **)out, n, "holiday_list");
}

err_t pg_holiday_put(store_t *s, const store_holiday *h, int64_t now)
{
    static const char sql[] =
        "INSERT INTO holidays (agency_id, day, name, kind, created_at) VALUES ($1, $2, $3, $4, $5)"
        " ON CONFLICT (agency_id, day) DO UPDATE SET name = excluded.name, kind = excluded.kind";
    pq_params p = {0};
    pp_int(&p, h->agency_id);
    pp_text(&p, h->day);
    pp_text(&p, h->name);
    pp_text(&p, h->kind);
    pp_int(&p, now);
    return write_stale(s, sql, &p, h->agency_id, 0, NULL, "holiday_put");
}

err_t pg_holiday_delete(store_t *s, int64_t agency_id, const char *day)
{
    static const char sql[] = "DELETE FROM holidays WHERE agency_id = $1 AND day = $2";
    pq_params p = {0};
    int64_t n = 0;
    pp_int(&p, agency_id);
    pp_text(&p, day);
    err_t e = write_stale(s, sql, &p, agency_id, 0, &n, "holiday_delete");
    return e == ERR_OK && n == 0 ? ERR_NOT_FOUND : e;
}

#define POLICY_COLS                                                                                \
    "verify_amount, verify_unit, dispatch_amount, dispatch_unit, action_amount, action_unit,"      \
    " resolve_amount, resolve_unit, autoclose_amount, autoclose_unit, cap_days, soon_pct,"         \
    " updated_at"

err_t pg_sla_policy_get(store_t *s, arena_t *ar, int64_t category_id, store_sla_policy *out)
{
    static const char sql[] = "SELECT " POLICY_COLS " FROM sla_policies WHERE category_id = $1";
    pq_params p = {0};
    PGresult *r;
    memset(out, 0, sizeof *out);
    pp_int(&p, category_id);
    err_t e = query(s, sql, &p, &r, "sla_policy_get");
    if (e != ERR_OK)
        return e;
    if (PQntuples(r) == 0) {
        e = ERR_NOT_FOUND;
    } else {
        out->category_id = category_id;
        for (int i = 0; i < STORE_SLA_STEPS; i++) {
            out->amount[i] = (int32_t)pq_int(r, 0, 2 * i);
            out->unit[i] = pq_text(ar, r, 0, 2 * i + 1);
        }
        out->cap_days = (int)pq_int(r, 0, 10);
        out->soon_pct = (int)pq_int(r, 0, 11);
        out->updated_at = pq_int(r, 0, 12);
    }
    PQclear(r);
    return e;
}

err_t pg_sla_policy_put(store_t *s, const store_sla_policy *x, int64_t now)
{
    static const char sql[] =
        "INSERT INTO sla_policies (category_id, " POLICY_COLS ") VALUES ($1, $2, $3, $4, $5, $6,"
        " $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT (category_id) DO UPDATE SET"
        " verify_amount = $2, verify_unit = $3, dispatch_amount = $4, dispatch_unit = $5,"
        " action_amount = $6, action_unit = $7, resolve_amount = $8, resolve_unit = $9,"
        " autoclose_amount = $10, autoclose_unit = $11, cap_days = $12, soon_pct = $13,"
        " updated_at = $14";
    pq_params p = {0};
    pp_int(&p, x->category_id);
    for (int i = 0; i < STORE_SLA_STEPS; i++) {
        pp_int(&p, x->amount[i]);
        pp_text(&p, x->unit[i]);
    }
    pp_int(&p, x->cap_days);
    pp_int(&p, x->soon_pct);
    pp_int(&p, now);
    return write_stale(s, sql, &p, 0, x->category_id, NULL, "sla_policy_put");
}

#define SLA_CASE_COLS                                                                              \
    "c.id, c.agency_id, c.category_id, c.kind, c.status, c.tracking_code, c.created_at,"           \
    " (SELECT MAX(e.created_at) FROM case_events e WHERE e.case_id = c.id"                         \
    " AND e.to_status = c.status AND (e.from_status IS NULL OR e.from_status <> e.to_status"       \
    " OR e.action = 'dispatch')),"                                                                 \
    " (SELECT MAX(e.created_at) FROM case_events e WHERE e.case_id = c.id"                         \
    " AND e.to_status IN ('verified', 'reopened') AND e.from_status <> e.to_status),"              \
    " (SELECT MAX(m.created_at) FROM messages m WHERE m.reporter_id = c.reporter_id"               \
    " AND m.agency_id = c.agency_id AND m.direction = 'in'),"                                      \
    " c.sla_status, c.sla_stage, c.sla_start_at, c.sla_soon_at, c.sla_due_at,"                     \
    " c.sla_resolve_due_at, c.sla_level"

static void read_sla_case(arena_t *ar, PGresult *r, int i, void *elem)
{
    store_sla_case *k = elem;
    memset(k, 0, sizeof *k);
    k->id = pq_int(r, i, 0);
    k->agency_id = pq_int(r, i, 1);
    k->category_id = pq_int(r, i, 2);
    k->kind = pq_text(ar, r, i, 3);
    k->status = pq_text(ar, r, i, 4);
    k->tracking_code = pq_text(ar, r, i, 5);
    k->created_at = pq_int(r, i, 6);
    k->entered_at = pq_int(r, i, 7);
    k->resolve_from = pq_int(r, i, 8);
    k->reply_at = pq_int(r, i, 9);
    k->sla_status = pq_text(ar, r, i, 10);
    k->sla_stage = pq_text(ar, r, i, 11);
    k->sla_start_at = pq_int(r, i, 12);
    k->sla_soon_at = pq_int(r, i, 13);
    k->sla_due_at = pq_int(r, i, 14);
    k->sla_resolve_due_at = pq_int(r, i, 15);
    k->sla_level = (int)pq_int(r, i, 16);
}

err_t pg_sla_case_get(store_t *s, arena_t *ar, int64_t case_id, store_sla_case *out)
{
    static const char sql[] = "SELECT " SLA_CASE_COLS " FROM cases c WHERE c.id = $1";
    pq_params p = {0};
    PGresult *r;
    pp_int(&p, case_id);
    err_t e = query(s, sql, &p, &r, "sla_case_get");
    if (e != ERR_OK)
        return e;
    if (PQntuples(r) == 0)
        e = ERR_NOT_FOUND;
    else
        read_sla_case(ar, r, 0, out);
    PQclear(r);
    return e;
}

static void read_sla_light(arena_t *ar, PGresult *r, int i, void *elem)
{
    store_sla_case *k = elem;
    memset(k, 0, sizeof *k);
    k->id = pq_int(r, i, 0);
    k->sla_status = pq_text(ar, r, i, 1);
    k->sla_stage = pq_text(ar, r, i, 2);
    k->sla_start_at = pq_int(r, i, 3);
    k->sla_soon_at = pq_int(r, i, 4);
    k->sla_due_at = pq_int(r, i, 5);
    k->sla_resolve_due_at = pq_int(r, i, 6);
    k->sla_level = (int)pq_int(r, i, 7);
    k->status = pq_text(ar, r, i, 8);
}

err_t pg_sla_for_cases(store_t *s, arena_t *ar, const int64_t *ids, size_t n, store_sla_case **out,
                       size_t *nout)
{
    static const char sql[] =
        "SELECT id, sla_status, sla_stage, sla_start_at, sla_soon_at, sla_due_at,"
        " sla_resolve_due_at, sla_level, status FROM cases WHERE id = ANY($1::bigint[])";
    *out = NULL;
    *nout = 0;
    if (n == 0)
        return ERR_OK;
    /* The ids as an array literal: one statement for any number of them. */
    char *list = arena_alloc(ar, n * 21 + 3), *q = list;
    if (!list)
        return ERR_NOMEM;
    *q++ = '{';
    for (size_t i = 0; i < n; i++)
        q += snprintf(q, 22, "%s%lld", i ? "," : "", (long long)ids[i]);
    *q++ = '}';
    *q = '\0';
    pq_params p = {0};
    pp_text(&p, list);
    return pq_list(s, ar, sql, &p, sizeof **out, read_sla_light, (void **)out, nout,
                   "sla_for_cases");
}

static void read_id(arena_t *ar, PGresult *r, int i, void *elem)
{
    (void)ar;
    *(int64_t *)elem = pq_int(r, i, 0);
}

err_t pg_sla_stale(store_t *s, arena_t *ar, unsigned max, int64_t **ids, size_t *n)
{
    /* The same expression as the partial index cases_sla_stale. */
    static const char sql[] =
        "SELECT id FROM cases WHERE sla_status IS DISTINCT FROM status ORDER BY id LIMIT $1";
    pq_params p = {0};
    pp_int(&p, max);
    return pq_list(s, ar, sql, &p, sizeof **ids, read_id, (void **)ids, n, "sla_stale");
}

err_t pg_sla_due(store_t *s, arena_t *ar, int64_t now, unsigned max, store_sla_case **out,
                 size_t *n)
{
    static const char sql[] =
        "SELECT " SLA_CASE_COLS " FROM cases c WHERE c.sla_level < 2 AND c.sla_soon_at <= $1"
        " AND (c.sla_level = 0 OR c.sla_due_at <= $1) AND c.sla_status = c.status"
        " ORDER BY c.sla_soon_at LIMIT $2";
    pq_params p = {0};
    pp_int(&p, now);
    pp_int(&p, max);
    return pq_list(s, ar, sql, &p, sizeof **out, read_sla_case, (void **)out, n, "sla_due");
}

err_t pg_sla_set(store_t *s, int64_t case_id, const store_sla_times *t)
{
    static const char upd[] =
        "UPDATE cases SET sla_status = $1, sla_stage = $2::text, sla_start_at = $3,"
        " sla_soon_at = $4, sla_due_at = $5::bigint, sla_resolve_due_at = $6,"
        " sla_level = CASE WHEN sla_stage IS NOT DISTINCT FROM $2::text"
        " AND sla_due_at IS NOT DISTINCT FROM $5::bigint THEN sla_level ELSE 0 END"
        " WHERE id = $7 AND status = $1";
    static const char exists[] = "SELECT 1 FROM cases WHERE id = $1";
    pq_params p = {0}, q = {0};
    int64_t n = 0;
    pp_text(&p, t->status);
    pp_text(&p, t->stage);
    pp_id(&p, t->start_at);
    pp_id(&p, t->soon_at);
    pp_id(&p, t->due_at);
    pp_id(&p, t->resolve_due_at);
    pp_int(&p, case_id);
    err_t e = write1(s, upd, &p, &n, "sla_set");
    if (e != ERR_OK || n > 0)
        return e;
    PGresult *r;
    pp_int(&q, case_id);
    e = query(s, exists, &q, &r, "case_exists");
    if (e != ERR_OK)
        return e;
    e = PQntuples(r) ? ERR_CONFLICT : ERR_NOT_FOUND;
    PQclear(r);
    return e;
}

err_t pg_sla_escalate(store_t *s, store_sla_escalation *x)
{
    static const char upd[] =
        "UPDATE cases SET sla_level = $1 WHERE id = $2 AND sla_level < $1 AND sla_stage = $3"
        " AND sla_due_at = $4 AND sla_status = status RETURNING agency_id,"
        " (SELECT MIN(n.phone_number_id) FROM agency_numbers n WHERE n.agency_id = "
        "cases.agency_id)";
    static const char event[] =
        "INSERT INTO case_events (case_id, seq, action, from_status, to_status, note, is_public,"
        " created_at) SELECT $1::bigint, COALESCE(MAX(e.seq), 0) + 1, $2::text, c.status,"
        " c.status, $3::text, FALSE, $4::bigint FROM cases c LEFT JOIN case_events e"
        " ON e.case_id = c.id WHERE c.id = $1 GROUP BY c.id";
    static const char ins[] =
        "INSERT INTO wa_outbox (agency_id, phone_number_id, to_wa_id, case_id, kind, payload,"
        " template, created_at, updated_at) VALUES ($1, $2, $3, $4, 'sla_alert', $5, $6, $7, $7)";
    pconn_t *c = pq_get(s);
    if (!c)
        return ERR_UNAVAILABLE;
    pq_params p = {0}, q = {0};
    PGresult *r = NULL;
    char pnid[64] = "";
    int64_t agency = 0;
    x->done = false;
    pp_int(&p, x->level);
    pp_int(&p, x->case_id);
    pp_text(&p, x->stage);
    pp_int(&p, x->due_at);
    /* The conditional UPDATE takes the row lock: of several instances,
     * one changes the row; the others find the level already raised. */
    err_t e = pq_begin(c);
    if (e == ERR_OK)
        e = pq_run(c, upd, &p, &r, "sla_escalate");
    bool changed = e == ERR_OK && PQntuples(r) > 0;
    if (changed) {
        agency = pq_int(r, 0, 0);
        if (!pq_null(r, 0, 1))
            snprintf(pnid, sizeof pnid, "%s", PQgetvalue(r, 0, 1));
    }
    PQclear(r);
    if (!changed)
        goto out;
    pp_int(&q, x->case_id);
    pp_text(&q, x->action);
    pp_text(&q, x->note);
    pp_int(&q, x->now);
    e = pq_run(c, event, &q, NULL, "sla_event");
    for (size_t i = 0; e == ERR_OK && pnid[0] && i < x->nnotice; i++) {
        pq_params m = {0};
        pp_int(&m, agency);
        pp_text(&m, pnid);
        pp_text(&m, x->notices[i].to_wa_id);
        pp_int(&m, x->case_id);
        pp_text(&m, x->notices[i].payload);
        pp_text(&m, x->notices[i].template);
        pp_int(&m, x->now);
        e = pq_run(c, ins, &m, NULL, "sla_alert");
    }
    if (e == ERR_OK)
        e = pq_commit(c);
    if (e == ERR_OK)
        x->done = true;
out:
    pq_rollback(c);
    pq_put(s, c);
    return e;
}

static void read_staff(arena_t *ar, PGresult *r, int i, void *elem)
{
    store_staff *u = elem;
    u->user_id = pq_int(r, i, 0);
    u->name = pq_text(ar, r, i, 1);
    u->wa_id = pq_text(ar, r, i, 2);
}

err_t pg_sla_supervisors(store_t *s, arena_t *ar, int64_t agency_id, store_staff **out, size_t *n)
{
    static const char sql[] =
        "SELECT u.id, u.name, u.wa_id FROM users u JOIN user_roles r ON r.user_id = u.id"
        " WHERE r.agency_id = $1 AND r.role = 'supervisor' AND NOT u.disabled ORDER BY u.id";
    pq_params p = {0};
    pp_int(&p, agency_id);
    return pq_list(s, ar, sql, &p, sizeof **out, read_staff, (void **)out, n, "sla_supervisors");
}

static void read_activity(arena_t *ar, PGresult *r, int i, void *elem)
{
    store_activity_row *v = elem;
    v->case_id = pq_int(r, i, 0);
    v->case_created_at = pq_int(r, i, 1);
    v->team_id = pq_int(r, i, 2);
    v->team_name = pq_text(ar, r, i, 3);
    v->actor_id = pq_int(r, i, 4);
    v->actor_name = pq_text(ar, r, i, 5);
    v->action = pq_text(ar, r, i, 6);
    v->from_status = pq_text(ar, r, i, 7);
    v->to_status = pq_text(ar, r, i, 8);
    v->created_at = pq_int(r, i, 9);
}

err_t pg_activity_events(store_t *s, arena_t *ar, int64_t agency_id, int64_t from, int64_t to,
                         unsigned max, store_activity_row **out, size_t *n, bool *truncated)
{
    static const char sql[] =
        "SELECT e.case_id, c.created_at, c.team_id, t.name, e.actor_id, u.name, e.action,"
        " e.from_status, e.to_status, e.created_at FROM case_events e"
        " JOIN cases c ON c.id = e.case_id LEFT JOIN teams t ON t.id = c.team_id"
        " LEFT JOIN users u ON u.id = e.actor_id WHERE c.agency_id = $1 AND e.created_at < $3"
        " AND e.case_id IN (SELECT x.case_id FROM case_events x JOIN cases y ON y.id = x.case_id"
        " WHERE y.agency_id = $1 AND x.created_at >= $2 AND x.created_at < $3)"
        " ORDER BY e.case_id, e.seq LIMIT $4";
    pq_params p = {0};
    pp_int(&p, agency_id);
    pp_int(&p, from);
    pp_int(&p, to);
    pp_int(&p, (int64_t)max + 1);
    *truncated = false;
    err_t e =
        pq_list(s, ar, sql, &p, sizeof **out, read_activity, (void **)out, n, "activity_events");
    if (e == ERR_OK && *n > max) {
        *n = max;
        *truncated = true;
    }
    return e;
}

err_t pg_sla_attention(store_t *s, arena_t *ar, int64_t agency_id, int64_t now, unsigned max,
                       store_sla_case **out, size_t *n)
{
    /* The predicate of the partial index cases_sla_attention. */
    static const char sql[] =
        "SELECT " SLA_CASE_COLS " FROM cases c WHERE c.agency_id = $1"
        " AND c.sla_stage IN ('verify', 'dispatch', 'action', 'resolve') AND c.sla_soon_at <= $2"
        " ORDER BY c.sla_due_at, c.id LIMIT $3";
    pq_params p = {0};
    pp_int(&p, agency_id);
    pp_int(&p, now);
    pp_int(&p, max);
    return pq_list(s, ar, sql, &p, sizeof **out, read_sla_case, (void **)out, n, "sla_attention");
}
