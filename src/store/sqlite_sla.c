/* The SQLite store: working-day calendars, holidays, SLA policies, case
 * deadlines and their escalation, and the activity report's events. */
#include "store/sqlite_int.h"

#include <stdio.h>
#include <string.h>

/* Inside a transaction: a change of calendar or policy makes the open
 * cases it may move stale (agency 0: every agency; category 0: every
 * category); the scheduler recomputes them on its next tick. */
static err_t mark_stale(conn_t *c, int64_t agency_id, int64_t category_id)
{
    static const char sql[] = "UPDATE cases SET sla_status = NULL WHERE sla_stage IS NOT NULL"
                              " AND (?1 = 0 OR agency_id = ?1) AND (?2 = 0 OR category_id = ?2)";
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, agency_id);
    sqlite3_bind_int64(st, 2, category_id);
    e = sq_exec_stmt(c, st, "sla_mark_stale");
out:
    return e;
}

err_t sq_calendar_get(store_t *s, arena_t *ar, int64_t agency_id, store_calendar *out)
{
    static const char sql[] = "SELECT always_open, sun, mon, tue, wed, thu, fri, sat, updated_at"
                              " FROM agency_calendars WHERE agency_id = ?";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    memset(out, 0, sizeof *out);
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, agency_id);
    e = sq_step_row(c, st, "calendar_get");
    if (e == ERR_OK) {
        out->agency_id = agency_id;
        out->always_open = sq_int(st, 0) != 0;
        for (int d = 0; d < 7; d++)
            out->hours[d] = sq_text(ar, st, 1 + d);
        out->updated_at = sq_int(st, 8);
    }
    sqlite3_reset(st);
out:
    sq_put(s, c);
    return e;
}

err_t sq_calendar_put(store_t *s, const store_calendar *k, int64_t now)
{
    static const char sql[] =
        "INSERT INTO agency_calendars (agency_id, always_open, sun, mon, tue, wed, thu, fri, sat,"
        " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (agency_id) DO UPDATE SET"
        " always_open = excluded.always_open, sun = excluded.sun, mon = excluded.mon,"
        " tue = excluded.tue, wed = excluded.wed, thu = excluded.thu, fri = excluded.fri,"
        " sat = excluded.sat, updated_at = excluded.updated_at";
    conn_t *c = sq_get(s);
    err_t e = sq_begin(c);
    sqlite3_stmt *st;
    if (e != ERR_OK)
        goto out;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, k->agency_id);
    sqlite3_bind_int(st, 2, k->always_open ? 1 : 0);
    for (int d = 0; d < 7; d++)
        sq_bind_text(st, 3 + d, k->hours[d]);
    sqlite3_bind_int64(st, 10, now);
    e = sq_exec_stmt(c, st, "calendar_put");
    if (e == ERR_OK)
        e = mark_stale(c, k->agency_id, 0);
    if (e == ERR_OK)
        e = sq_commit(c);
out:
    sq_rollback(c);
    sq_put(s, c);
    return e;
}

static void read_holiday(arena_t *ar, sqlite3_stmt *st, void *elem)
{
    store_holiday *h = elem;
    h->id = sq_int(st, 0);
    h->agency_id = sq_int(st, 1);
    h->day = sq_text(ar, st, 2);
    h->name = sq_text(ar, st, 3);
    h->kind = sq_text(ar, st, 4);
}

err_t sq_holiday_list(store_t *s, arena_t *ar, int64_t agency_id, const char *from, const char *to,
                      store_holiday **out, size_t *n)
{
    static const char sql[] =
        "SELECT id, agency_id, day, name, kind FROM holidays WHERE agency_id IN (0, ?1)"
        " AND (?2 IS NULL OR day >= ?2) AND (?3 IS NULL OR day <= ?3) ORDER BY day, agency_id";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    *out = NULL;
    *n = 0;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, agency_id);
    sq_bind_text(st, 2, from);
    sq_bind_text(st, 3, to);
    e = sq_collect(c, st, ar, sizeof **out, read_holiday, (void **)out, n, "holiday_list");
out:
    sq_put(s, c);
    return e;
}

err_t sq_holiday_put(store_t *s, const store_holiday *h, int64_t now)
{
    static const char sql[] =
        "INSERT INTO holidays (agency_id, day, name, kind, created_at) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (agency_id, day) DO UPDATE SET name = excluded.name, kind = excluded.kind";
    conn_t *c = sq_get(s);
    err_t e = sq_begin(c);
    sqlite3_stmt *st;
    if (e != ERR_OK)
        goto out;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, h->agency_id);
    sq_bind_text(st, 2, h->day);
    sq_bind_text(st, 3, h->name);
    sq_bind_text(st, 4, h->kind);
    sqlite3_bind_int64(st, 5, now);
    e = sq_exec_stmt(c, st, "holiday_put");
    if (e == ERR_OK)
        e = mark_stale(c, h->agency_id, 0);
    if (e == ERR_OK)
        e = sq_commit(c);
out:
    sq_rollback(c);
    sq_put(s, c);
    return e;
}

err_t sq_holiday_delete(store_t *s, int64_t agency_id, const char *day)
{
    static const char sql[] = "DELETE FROM holidays WHERE agency_id = ? AND day = ?";
    conn_t *c = sq_get(s);
    err_t e = sq_begin(c);
    sqlite3_stmt *st;
    if (e != ERR_OK)
        goto out;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, agency_id);
    sq_bind_text(st, 2, day);
    e = sq_exec_stmt(c, st, "holiday_delete");
    if (e == ERR_OK && sqlite3_changes(c->db) == 0)
        e = ERR_NOT_FOUND;
    if (e == ERR_OK)
        e = mark_stale(c, agency_id, 0);
    if (e == ERR_OK)
        e = sq_commit(c);
out:
    sq_rollback(c);
    sq_put(s, c);
    return e;
}

#define POLICY_COLS                                                                                \
    "verify_amount, verify_unit, dispatch_amount, dispatch_unit, action_amount, action_unit,"      \
    " resolve_amount, resolve_unit, autoclose_amount, autoclose_unit, cap_days, soon_pct,"         \
    " updated_at"

err_t sq_sla_policy_get(store_t *s, arena_t *ar, int64_t category_id, store_sla_policy *out)
{
    static const char sql[] = "SELECT " POLICY_COLS " FROM sla_policies WHERE category_id = ?";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    memset(out, 0, sizeof *out);
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, category_id);
    e = sq_step_row(c, st, "sla_policy_get");
    if (e == ERR_OK) {
        out->category_id = category_id;
        for (int i = 0; i < STORE_SLA_STEPS; i++) {
            out->amount[i] = (int32_t)sq_int(st, 2 * i);
            out->unit[i] = sq_text(ar, st, 2 * i + 1);
        }
        out->cap_days = (int)sq_int(st, 10);
        out->soon_pct = (int)sq_int(st, 11);
        out->updated_at = sq_int(st, 12);
    }
    sqlite3_reset(st);
out:
    sq_put(s, c);
    return e;
}

err_t sq_sla_policy_put(store_t *s, const store_sla_policy *p, int64_t now)
{
    static const char sql[] =
        "INSERT INTO sla_policies (category_id, " POLICY_COLS
        ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
        " ?8, ?9, ?10, ?11, ?12, ?13, ?14) ON CONFLICT (category_id) DO UPDATE SET"
        " verify_amount = ?2, verify_unit = ?3, dispatch_amount = ?4, dispatch_unit = ?5,"
        " action_amount = ?6, action_unit = ?7, resolve_amount = ?8, resolve_unit = ?9,"
        " autoclose_amount = ?10, autoclose_unit = ?11, cap_days = ?12, soon_pct = ?13,"
        " updated_at = ?14";
    conn_t *c = sq_get(s);
    err_t e = sq_begin(c);
    sqlite3_stmt *st;
    if (e != ERR_OK)
        goto out;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, p->category_id);
    for (int i = 0; i < STORE_SLA_STEPS; i++) {
        sqlite3_bind_int(st, 2 + 2 * i, p->amount[i]);
        sq_bind_text(st, 3 + 2 * i, p->unit[i]);
    }
    sqlite3_bind_int(st, 12, p->cap_days);
    sqlite3_bind_int(st, 13, p->soon_pct);
    sqlite3_bind_int64(st, 14, now);
    e = sq_exec_stmt(c, st, "sla_policy_put");
    if (e == ERR_OK)
        e = mark_stale(c, 0, p->category_id);
    if (e == ERR_OK)
        e = sq_commit(c);
out:
    sq_rollback(c);
    sq_put(s, c);
    return e;
}

/* The case, the times its deadline depends on, and the stored deadline.
 * entered_at: the last event that brought the case to its status (a
 * re-dispatch counts: a new team gets its own time). */
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

static void read_sla_case(arena_t *ar, sqlite3_stmt *st, void *elem)
{
    store_sla_case *k = elem;
    memset(k, 0, sizeof *k);
    k->id = sq_int(st, 0);
    k->agency_id = sq_int(st, 1);
    k->category_id = sq_int(st, 2);
    k->kind = sq_text(ar, st, 3);
    k->status = sq_text(ar, st, 4);
    k->tracking_code = sq_text(ar, st, 5);
    k->created_at = sq_int(st, 6);
    k->entered_at = sq_int(st, 7);
    k->resolve_from = sq_int(st, 8);
    k->reply_at = sq_int(st, 9);
    k->sla_status = sq_text(ar, st, 10);
    k->sla_stage = sq_text(ar, st, 11);
    k->sla_start_at = sq_int(st, 12);
    k->sla_soon_at = sq_int(st, 13);
    k->sla_due_at = sq_int(st, 14);
    k->sla_resolve_due_at = sq_int(st, 15);
    k->sla_level = (int)sq_int(st, 16);
}

err_t sq_sla_case_get(store_t *s, arena_t *ar, int64_t case_id, store_sla_case *out)
{
    static const char sql[] = "SELECT " SLA_CASE_COLS " FROM cases c WHERE c.id = ?";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, case_id);
    e = sq_step_row(c, st, "sla_case_get");
    if (e == ERR_OK)
        read_sla_case(ar, st, out);
    sqlite3_reset(st);
out:
    sq_put(s, c);
    return e;
}

static void read_sla_light(arena_t *ar, sqlite3_stmt *st, void *elem)
{
    store_sla_case *k = elem;
    memset(k, 0, sizeof *k);
    k->id = sq_int(st, 0);
    k->sla_status = sq_text(ar, st, 1);
    k->sla_stage = sq_text(ar, st, 2);
    k->sla_start_at = sq_int(st, 3);
    k->sla_soon_at = sq_int(st, 4);
    k->sla_due_at = sq_int(st, 5);
    k->sla_resolve_due_at = sq_int(st, 6);
    k->sla_level = (int)sq_int(st, 7);
    k->status = sq_text(ar, st, 8);
}

err_t sq_sla_for_cases(store_t *s, arena_t *ar, const int64_t *ids, size_t n, store_sla_case **out,
                       size_t *nout)
{
    static const char sql[] =
        "SELECT id, sla_status, sla_stage, sla_start_at, sla_soon_at, sla_due_at,"
        " sla_resolve_due_at, sla_level, status FROM cases WHERE id IN"
        " (SELECT value FROM json_each(?))";
    *out = NULL;
    *nout = 0;
    if (n == 0)
        return ERR_OK;
    /* The ids as a JSON array: one statement for any number of them. */
    char *list = arena_alloc(ar, n * 21 + 3), *p = list;
    if (!list)
        return ERR_NOMEM;
    *p++ = '[';
    for (size_t i = 0; i < n; i++)
        p += snprintf(p, 22, "%s%lld", i ? "," : "", (long long)ids[i]);
    *p++ = ']';
    *p = '\0';
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    SQ_PREP(c, st, sql);
    sq_bind_text(st, 1, list);
    e = sq_collect(c, st, ar, sizeof **out, read_sla_light, (void **)out, nout, "sla_for_cases");
out:
    sq_put(s, c);
    return e;
}

static void read_id(arena_t *ar, sqlite3_stmt *st, void *elem)
{
    (void)ar;
    *(int64_t *)elem = sq_int(st, 0);
}

err_t sq_sla_stale(store_t *s, arena_t *ar, unsigned max, int64_t **ids, size_t *n)
{
    /* The same expression as the partial index cases_sla_stale. */
    static const char sql[] =
        "SELECT id FROM cases WHERE sla_status IS NOT status ORDER BY id LIMIT ?";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    *ids = NULL;
    *n = 0;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int(st, 1, (int)max);
    e = sq_collect(c, st, ar, sizeof **ids, read_id, (void **)ids, n, "sla_stale");
out:
    sq_put(s, c);
    return e;
}

err_t sq_sla_due(store_t *s, arena_t *ar, int64_t now, unsigned max, store_sla_case **out,
                 size_t *n)
{
    static const char sql[] =
        "SELECT " SLA_CASE_COLS " FROM cases c WHERE c.sla_level < 2 AND c.sla_soon_at <= ?1"
        " AND (c.sla_level = 0 OR c.sla_due_at <= ?1) AND c.sla_status = c.status"
        " ORDER BY c.sla_soon_at LIMIT ?2";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    *out = NULL;
    *n = 0;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_int(st, 2, (int)max);
    e = sq_collect(c, st, ar, sizeof **out, read_sla_case, (void **)out, n, "sla_due");
out:
    sq_put(s, c);
    return e;
}

err_t sq_sla_set(store_t *s, int64_t case_id, const store_sla_times *t)
{
    static const char upd[] =
        "UPDATE cases SET sla_status = ?1, sla_stage = ?2, sla_start_at = ?3, sla_soon_at = ?4,"
        " sla_due_at = ?5, sla_resolve_due_at = ?6, sla_level = CASE WHEN sla_stage IS ?2"
        " AND sla_due_at IS ?5 THEN sla_level ELSE 0 END WHERE id = ?7 AND status = ?1";
    static const char exists[] = "SELECT 1 FROM cases WHERE id = ?";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    SQ_PREP(c, st, upd);
    sq_bind_text(st, 1, t->status);
    sq_bind_text(st, 2, t->stage);
    sq_bind_id(st, 3, t->start_at);
    sq_bind_id(st, 4, t->soon_at);
    sq_bind_id(st, 5, t->due_at);
    sq_bind_id(st, 6, t->resolve_due_at);
    sqlite3_bind_int64(st, 7, case_id);
    sq_write_lock(c);
    e = sq_exec_stmt(c, st, "sla_set");
    bool changed = e == ERR_OK && sqlite3_changes(c->db) > 0;
    sq_write_unlock(c);
    if (e != ERR_OK || changed)
        goto out;
    SQ_PREP(c, st, exists);
    sqlite3_bind_int64(st, 1, case_id);
    e = sq_step_row(c, st, "case_exists");
    sqlite3_reset(st);
    if (e == ERR_OK)
        e = ERR_CONFLICT;
out:
    sq_put(s, c);
    return e;
}

err_t sq_sla_escalate(store_t *s, store_sla_escalation *x)
{
    static const char upd[] =
        "UPDATE cases SET sla_level = ?1 WHERE id = ?2 AND sla_level < ?1 AND sla_stage = ?3"
        " AND sla_due_at = ?4 AND sla_status = status";
    static const char event[] =
        "INSERT INTO case_events (case_id, seq, action, from_status, to_status, note, is_public,"
        " created_at) SELECT ?1, COALESCE(MAX(e.seq), 0) + 1, ?2, c.status, c.status, ?3, 0, ?4"
        " FROM cases c LEFT JOIN case_events e ON e.case_id = c.id WHERE c.id = ?1 GROUP BY c.id";
    static const char number[] =
        "SELECT c.agency_id, (SELECT MIN(n.phone_number_id) FROM agency_numbers n"
        " WHERE n.agency_id = c.agency_id) FROM cases c WHERE c.id = ?";
    static const char ins[] =
        "INSERT INTO wa_outbox (agency_id, phone_number_id, to_wa_id, case_id, kind, payload,"
        " template, created_at, updated_at) VALUES (?, ?, ?, ?, 'sla_alert', ?, ?, ?, ?)";
    conn_t *c = sq_get(s);
    err_t e = sq_begin(c);
    sqlite3_stmt *st;
    int64_t agency = 0;
    const char *pnid = NULL;
    arena_t *tmp = NULL;
    x->done = false;
    if (e != ERR_OK)
        goto out;
    SQ_PREP(c, st, upd);
    sqlite3_bind_int(st, 1, x->level);
    sqlite3_bind_int64(st, 2, x->case_id);
    sq_bind_text(st, 3, x->stage);
    sqlite3_bind_int64(st, 4, x->due_at);
    e = sq_exec_stmt(c, st, "sla_escalate");
    if (e != ERR_OK || sqlite3_changes(c->db) == 0)
        goto out; /* another worker did it, or the case moved on */
    SQ_PREP(c, st, event);
    sqlite3_bind_int64(st, 1, x->case_id);
    sq_bind_text(st, 2, x->action);
    sq_bind_text(st, 3, x->note);
    sqlite3_bind_int64(st, 4, x->now);
    e = sq_exec_stmt(c, st, "sla_event");
    if (e != ERR_OK)
        goto out;
    if (!(tmp = arena_new())) {
        e = ERR_NOMEM;
        goto out;
    }
    SQ_PREP(c, st, number);
    sqlite3_bind_int64(st, 1, x->case_id);
    e = sq_step_row(c, st, "sla_number");
    if (e == ERR_OK) {
        agency = sq_int(st, 0);
        pnid = sq_text(tmp, st, 1);
    }
    sqlite3_reset(st);
    for (size_t i = 0; e == ERR_OK && pnid && i < x->nnotice; i++) {
        SQ_PREP(c, st, ins);
        sqlite3_bind_int64(st, 1, agency);
        sq_bind_text(st, 2, pnid);
        sq_bind_text(st, 3, x->notices[i].to_wa_id);
        sqlite3_bind_int64(st, 4, x->case_id);
        sq_bind_text(st, 5, x->notices[i].payload);
        sq_bind_text(st, 6, x->notices[i].template);
        sqlite3_bind_int64(st, 7, x->now);
        sqlite3_bind_int64(st, 8, x->now);
        e = sq_exec_stmt(c, st, "sla_alert");
    }
    if (e == ERR_OK)
        e = sq_commit(c);
    if (e == ERR_OK)
        x->done = true;
out:
    arena_destroy(tmp);
    sq_rollback(c);
    sq_put(s, c);
    return e;
}

static void read_staff(arena_t *ar, sqlite3_stmt *st, void *elem)
{
    store_staff *u = elem;
    u->user_id = sq_int(st, 0);
    u->name = sq_text(ar, st, 1);
    u->wa_id = sq_text(ar, st, 2);
}

err_t sq_sla_supervisors(store_t *s, arena_t *ar, int64_t agency_id, store_staff **out, size_t *n)
{
    static const char sql[] =
        "SELECT u.id, u.name, u.wa_id FROM users u JOIN user_roles r ON r.user_id = u.id"
        " WHERE r.agency_id = ? AND r.role = 'supervisor' AND u.disabled = 0 ORDER BY u.id";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    *out = NULL;
    *n = 0;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, agency_id);
    e = sq_collect(c, st, ar, sizeof **out, read_staff, (void **)out, n, "sla_supervisors");
out:
    sq_put(s, c);
    return e;
}

static void read_activity(arena_t *ar, sqlite3_stmt *st, void *elem)
{
    store_activity_row *v = elem;
    v->case_id = sq_int(st, 0);
    v->case_created_at = sq_int(st, 1);
    v->team_id = sq_int(st, 2);
    v->team_name = sq_text(ar, st, 3);
    v->actor_id = sq_int(st, 4);
    v->actor_name = sq_text(ar, st, 5);
    v->action = sq_text(ar, st, 6);
    v->from_status = sq_text(ar, st, 7);
    v->to_status = sq_text(ar, st, 8);
    v->created_at = sq_int(st, 9);
}

err_t sq_activity_events(store_t *s, arena_t *ar, int64_t agency_id, int64_t from, int64_t to,
                         unsigned max, store_activity_row **out, size_t *n, bool *truncated)
{
    static const char sql[] =
        "SELECT e.case_id, c.created_at, c.team_id, t.name, e.actor_id, u.name, e.action,"
        " e.from_status, e.to_status, e.created_at FROM case_events e"
        " JOIN cases c ON c.id = e.case_id LEFT JOIN teams t ON t.id = c.team_id"
        " LEFT JOIN users u ON u.id = e.actor_id WHERE c.agency_id = ?1 AND e.created_at < ?3"
        " AND e.case_id IN (SELECT x.case_id FROM case_events x JOIN cases y ON y.id = x.case_id"
        " WHERE y.agency_id = ?1 AND x.created_at >= ?2 AND x.created_at < ?3)"
        " ORDER BY e.case_id, e.seq LIMIT ?4";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    *out = NULL;
    *n = 0;
    *truncated = false;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, agency_id);
    sqlite3_bind_int64(st, 2, from);
    sqlite3_bind_int64(st, 3, to);
    sqlite3_bind_int64(st, 4, (int64_t)max + 1);
    e = sq_collect(c, st, ar, sizeof **out, read_activity, (void **)out, n, "activity_events");
    if (e == ERR_OK && *n > max) {
        *n = max;
        *truncated = true;
    }
out:
    sq_put(s, c);
    return e;
}

err_t sq_sla_attention(store_t *s, arena_t *ar, int64_t agency_id, int64_t now, unsigned max,
                       store_sla_case **out, size_t *n)
{
    /* The predicate of the partial index cases_sla_attention. */
    static const char sql[] =
        "SELECT " SLA_CASE_COLS " FROM cases c WHERE c.agency_id = ?1"
        " AND c.sla_stage IN ('verify', 'dispatch', 'action', 'resolve') AND c.sla_soon_at <= ?2"
        " ORDER BY c.sla_due_at, c.id LIMIT ?3";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    *out = NULL;
    *n = 0;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, agency_id);
    sqlite3_bind_int64(st, 2, now);
    sqlite3_bind_int(st, 3, (int)max);
    e = sq_collect(c, st, ar, sizeof **out, read_sla_case, (void **)out, n, "sla_attention");
out:
    sq_put(s, c);
    return e;
}
