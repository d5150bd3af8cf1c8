/* The SLA domain of the store: working-day calendars, holidays, SLA
 * policies, case deadlines and their escalation, the activity report's
 * events. Written once for both engines on store/q.h; the deadline
 * arithmetic itself is domain/sla.c. */
#include "store/dom.h"

#include <stdio.h>

/* ---- calendars, holidays and policies --------------------------------------- */

/* A write that moves deadlines: sql, then the open cases it may affect made
 * stale (agency 0: every agency; category 0: every category), in one
 * transaction; the scheduler recomputes them on its next tick. */
typedef struct {
    const char *sql;
    const q_val *v;
    size_t nv;
    int64_t agency_id, category_id;
    bool must_change; /* ERR_NOT_FOUND (and nothing changed) when sql changed no row */
} stale_ctx;

static err_t stale_tx(q_conn *c, void *arg)
{
    static const char stale[] = "UPDATE cases SET sla_status = NULL WHERE sla_stage IS NOT NULL"
                                " AND ($1 = 0 OR agency_id = $1) AND ($2 = 0 OR category_id = $2)";
    stale_ctx *x = arg;
    err_t e =
        x->must_change ? q_must_v(c, x->sql, x->v, x->nv) : q_run_v(c, x->sql, NULL, x->v, x->nv);
    if (e == ERR_OK)
        e = q_run(c, stale, NULL, Q_INT(x->agency_id), Q_INT(x->category_id));
    return e;
}

#define write_stale(s, sql, agency_id, category_id, must_change, ...)                              \
    q_tx((s), stale_tx,                                                                            \
         &(stale_ctx){(sql), Q_VALS(__VA_ARGS__), (agency_id), (category_id), (must_change)})

static const q_field CALENDAR_F[] = {
    QF(INT64, store_calendar, agency_id), QF(BOOL, store_calendar, always_open),
    QF(TEXT, store_calendar, hours[0]),   QF(TEXT, store_calendar, hours[1]),
    QF(TEXT, store_calendar, hours[2]),   QF(TEXT, store_calendar, hours[3]),
    QF(TEXT, store_calendar, hours[4]),   QF(TEXT, store_calendar, hours[5]),
    QF(TEXT, store_calendar, hours[6]),   QF(INT64, store_calendar, updated_at),
};

err_t store_calendar_get(store_t *s, arena_t *ar, int64_t agency_id, store_calendar *out)
{
    static const char sql[] = "SELECT agency_id, always_open, sun, mon, tue, wed, thu, fri, sat,"
                              " updated_at FROM agency_calendars WHERE agency_id = $1";
    *out = (store_calendar){0};
    return q_one(s, ar, sql, CALENDAR_F, out, Q_INT(agency_id));
}

err_t store_calendar_put(store_t *s, const store_calendar *k, int64_t now)
{
    static const char sql[] =
        "INSERT INTO agency_calendars (agency_id, always_open, sun, mon, tue, wed, thu, fri, sat,"
        " updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (agency_id)"
        " DO UPDATE SET always_open = excluded.always_open, sun = excluded.sun,"
        " mon = excluded.mon, tue = excluded.tue, wed = excluded.wed, thu = excluded.thu,"
        " fri = excluded.fri, sat = excluded.sat, updated_at = excluded.updated_at";
    const char *const *h = k->hours;
    return write_stale(s, sql, k->agency_id, 0, false, Q_INT(k->agency_id), Q_BOOL(k->always_open),
                       Q_TEXT(h[0]), Q_TEXT(h[1]), Q_TEXT(h[2]), Q_TEXT(h[3]), Q_TEXT(h[4]),
                       Q_TEXT(h[5]), Q_TEXT(h[6]), Q_INT(now));
}

static const q_field HOLIDAY_F[] = {
    QF(INT64, store_holiday, id),  QF(INT64, store_holiday, agency_id),
    QF(TEXT, store_holiday, day),  QF(TEXT, store_holiday, name),
    QF(TEXT, store_holiday, kind),
};

err_t store_holiday_list(store_t *s, arena_t *ar, int64_t agency_id, const char *from,
                         const char *to, store_holiday **out, size_t *n)
{
    static const char sql[] =
        "SELECT id, agency_id, day, name, kind FROM holidays WHERE agency_id IN (0, $1)"
        " AND ($2 IS NULL OR day >= $2) AND ($3 IS NULL OR day <= $3) ORDER BY day, agency_id";
    return q_list(s, ar, sql, HOLIDAY_F, out, n, Q_INT(agency_id), Q_TEXT(from), Q_TEXT(to));
}

err_t store_holiday_put(store_t *s, const store_holiday *h, int64_t now)
{
    static const char sql[] =
        "INSERT INTO holidays (agency_id, day, name, kind, created_at) VALUES ($1, $2, $3, $4, $5)"
        " ON CONFLICT (agency_id, day) DO UPDATE SET name = excluded.name, kind = excluded.kind";
    return write_stale(s, sql, h->agency_id, 0, false, Q_INT(h->agency_id), Q_TEXT(h->day),
                       Q_TEXT(h->name), Q_TEXT(h->kind), Q_INT(now));
}

err_t store_holiday_delete(store_t *s, int64_t agency_id, const char *day)
{
    static const char sql[] = "DELETE FROM holidays WHERE agency_id = $1 AND day = $2";
    return write_stale(s, sql, agency_id, 0, true, Q_INT(agency_id), Q_TEXT(day));
}

/* Per step (STORE_SLA_STEPS): amount then unit. */
static const q_field POLICY_F[] = {
    QF(INT64, store_sla_policy, category_id), QF(INT, store_sla_policy, amount[0]),
    QF(TEXT, store_sla_policy, unit[0]),      QF(INT, store_sla_policy, amount[1]),
    QF(TEXT, store_sla_policy, unit[1]),      QF(INT, store_sla_policy, amount[2]),
    QF(TEXT, store_sla_policy, unit[2]),      QF(INT, store_sla_policy, amount[3]),
    QF(TEXT, store_sla_policy, unit[3]),      QF(INT, store_sla_policy, amount[4]),
    QF(TEXT, store_sla_policy, unit[4]),      QF(INT, store_sla_policy, cap_days),
    QF(INT, store_sla_policy, soon_pct),      QF(INT64, store_sla_policy, updated_at),
};
_Static_assert(STORE_SLA_STEPS == 5, "POLICY_F and POLICY_COLS list five steps");

#define POLICY_COLS                                                                                \
    "category_id, verify_amount, verify_unit, dispatch_amount, dispatch_unit, action_amount,"      \
    " action_unit, resolve_amount, resolve_unit, autoclose_amount, autoclose_unit, cap_days,"      \
    " soon_pct, updated_at"

err_t store_sla_policy_get(store_t *s, arena_t *ar, int64_t category_id, store_sla_policy *out)
{
    static const char sql[] = "SELECT " POLICY_COLS " FROM sla_policies WHERE category_id = $1";
    *out = (store_sla_policy){0};
    return q_one(s, ar, sql, POLICY_F, out, Q_INT(category_id));
}

err_t store_sla_policy_put(store_t *s, const store_sla_policy *p, int64_t now)
{
    static const char sql[] =
        "INSERT INTO sla_policies (" POLICY_COLS ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,"
        " $10, $11, $12, $13, $14) ON CONFLICT (category_id) DO UPDATE SET"
        " verify_amount = $2, verify_unit = $3, dispatch_amount = $4, dispatch_unit = $5,"
        " action_amount = $6, action_unit = $7, resolve_amount = $8, resolve_unit = $9,"
        " autoclose_amount = $10, autoclose_unit = $11, cap_days = $12, soon_pct = $13,"
        " updated_at = $14";
#define STEP(i) Q_INT(p->amount[i]), Q_TEXT(p->unit[i])
    return write_stale(s, sql, 0, p->category_id, false, Q_INT(p->category_id), STEP(0), STEP(1),
                       STEP(2), STEP(3), STEP(4), Q_INT(p->cap_days), Q_INT(p->soon_pct),
                       Q_INT(now));
#undef STEP
}

/* ---- case deadlines ---------------------------------------------------------- */

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

static const q_field SLA_CASE_F[] = {
    QF(INT64, store_sla_case, id),           QF(INT64, store_sla_case, agency_id),
    QF(INT64, store_sla_case, category_id),  QF(TEXT, store_sla_case, kind),
    QF(TEXT, store_sla_case, status),        QF(TEXT, store_sla_case, tracking_code),
    QF(INT64, store_sla_case, created_at),   QF(INT64, store_sla_case, entered_at),
    QF(INT64, store_sla_case, resolve_from), QF(INT64, store_sla_case, reply_at),
    QF(TEXT, store_sla_case, sla_status),    QF(TEXT, store_sla_case, sla_stage),
    QF(INT64, store_sla_case, sla_start_at), QF(INT64, store_sla_case, sla_soon_at),
    QF(INT64, store_sla_case, sla_due_at),   QF(INT64, store_sla_case, sla_resolve_due_at),
    QF(INT, store_sla_case, sla_level),
};

err_t store_sla_case_get(store_t *s, arena_t *ar, int64_t case_id, store_sla_case *out)
{
    static const char sql[] = "SELECT " SLA_CASE_COLS " FROM cases c WHERE c.id = $1";
    *out = (store_sla_case){0};
    return q_one(s, ar, sql, SLA_CASE_F, out, Q_INT(case_id));
}

/* The stored deadlines alone (a list page's cases). */
static const q_field SLA_LIGHT_F[] = {
    QF(INT64, store_sla_case, id),
    QF(TEXT, store_sla_case, sla_status),
    QF(TEXT, store_sla_case, sla_stage),
    QF(INT64, store_sla_case, sla_start_at),
    QF(INT64, store_sla_case, sla_soon_at),
    QF(INT64, store_sla_case, sla_due_at),
    QF(INT64, store_sla_case, sla_resolve_due_at),
    QF(INT, store_sla_case, sla_level),
    QF(TEXT, store_sla_case, status),
};

err_t store_sla_for_cases(store_t *s, arena_t *ar, const int64_t *ids, size_t n,
                          store_sla_case **out, size_t *nout)
{
    static const char head[] = "SELECT id, sla_status, sla_stage, sla_start_at, sla_soon_at,"
                               " sla_due_at, sla_resolve_due_at, sla_level, status FROM cases"
                               " WHERE id IN (";
    q_conn *c = NULL;
    err_t e = ERR_OK;
    *out = NULL;
    *nout = 0;
    if (n == 0)
        return ERR_OK;
    /* The ids written into the text (integers only): one statement for any
     * number of them, planned with them on both engines. */
    char *sql = arena_alloc(ar, sizeof head + n * 21 + 2), *p = sql;
    if (!sql)
        return ERR_NOMEM;
    p += snprintf(p, sizeof head, "%s", head);
    for (size_t i = 0; i < n; i++)
        p += snprintf(p, 22, "%s%lld", i ? "," : "", (long long)ids[i]);
    snprintf(p, 2, ")");
    if ((e = q_get(s, &c)) == ERR_OK)
        e = q_collect(q_prep_dyn(c, sql), ar, SLA_LIGHT_F, out, nout);
    q_put(c);
    return e;
}

err_t store_sla_stale(store_t *s, arena_t *ar, int64_t after_id, unsigned max, int64_t **ids,
                      size_t *n)
{
    /* The predicate of the partial index cases_sla_stale (SQLite reads
     * IS DISTINCT FROM as its IS NOT). SQLite may walk the table in id
     * order instead (it does when ANALYZE saw every case stale): the
     * range on id keeps that walk from reading again, batch after batch,
     * every case the catch-up already refreshed. */
    static const char sql[] = "SELECT id FROM cases WHERE id > $1 AND sla_status IS DISTINCT FROM"
                              " status ORDER BY id LIMIT $2";
    static const q_field ID_F[] = {{QF_INT64, 0, sizeof(int64_t)}};
    return q_list(s, ar, sql, ID_F, ids, n, Q_INT(after_id), Q_INT(max));
}

err_t store_sla_due(store_t *s, arena_t *ar, int64_t now, unsigned max, store_sla_case **out,
                    size_t *n)
{
    static const char sql[] =
        "SELECT " SLA_CASE_COLS " FROM cases c WHERE c.sla_level < 2 AND c.sla_soon_at <= $1"
        " AND (c.sla_level = 0 OR c.sla_due_at <= $1) AND c.sla_status = c.status"
        " ORDER BY c.sla_soon_at LIMIT $2";
    return q_list(s, ar, sql, SLA_CASE_F, out, n, Q_INT(now), Q_INT(max));
}

err_t store_sla_attention(store_t *s, arena_t *ar, int64_t agency_id, int64_t now, unsigned max,
                          store_sla_case **out, size_t *n)
{
    /* The predicate of the partial index cases_sla_attention. */
    static const char sql[] =
        "SELECT " SLA_CASE_COLS " FROM cases c WHERE c.agency_id = $1"
        " AND c.sla_stage IN ('verify', 'dispatch', 'action', 'resolve') AND c.sla_soon_at <= $2"
        " ORDER BY c.sla_due_at, c.id LIMIT $3";
    return q_list(s, ar, sql, SLA_CASE_F, out, n, Q_INT(agency_id), Q_INT(now), Q_INT(max));
}

/* The escalation level stays while the step and its due time do. */
static const char SLA_SET[] =
    "UPDATE cases SET sla_status = $1, sla_stage = $2, sla_start_at = $3, sla_soon_at = $4,"
    " sla_due_at = $5, sla_resolve_due_at = $6, sla_level = CASE WHEN sla_stage IS NOT"
    " DISTINCT FROM $2 AND sla_due_at IS NOT DISTINCT FROM $5 THEN sla_level ELSE 0 END"
    " WHERE id = $7 AND status = $1";

#define SLA_SET_VALS(t, case_id)                                                                   \
    Q_TEXT((t)->status), Q_TEXT((t)->stage), Q_ID((t)->start_at), Q_ID((t)->soon_at),              \
        Q_ID((t)->due_at), Q_ID((t)->resolve_due_at), Q_INT(case_id)

err_t store_sla_set(store_t *s, int64_t case_id, const store_sla_times *t)
{
    static const char exists[] = "SELECT 1 FROM cases WHERE id = $1";
    int64_t one = 0;
    err_t e = q_write(s, SLA_SET, true, SLA_SET_VALS(t, case_id));
    /* Nothing changed: the case moved on (ERR_CONFLICT) or is gone. */
    if (e == ERR_NOT_FOUND && (e = q_one_int(s, exists, &one, Q_INT(case_id))) == ERR_OK)
        e = ERR_CONFLICT;
    return e;
}

typedef struct {
    const int64_t *ids;
    const store_sla_times *t;
    size_t n;
    size_t changed; /* out */
} sla_set_many_ctx;

static err_t sla_set_many_tx(q_conn *c, void *arg)
{
    sla_set_many_ctx *x = arg;
    err_t e = ERR_OK;
    x->changed = 0;
    for (size_t i = 0; e == ERR_OK && i < x->n; i++) {
        int64_t changed = 0;
        e = q_run(c, SLA_SET, &changed, SLA_SET_VALS(&x->t[i], x->ids[i]));
        x->changed += changed > 0;
    }
    return e;
}

err_t store_sla_set_many(store_t *s, const int64_t *ids, const store_sla_times *t, size_t n,
                         size_t *changed)
{
    sla_set_many_ctx x = {ids, t, n, 0};
    err_t e = n ? q_tx(s, sla_set_many_tx, &x) : ERR_OK;
    if (changed)
        *changed = e == ERR_OK ? x.changed : 0;
    return e;
}

/* The row the escalation changed: its agency and first number (NULL:
 * none, so no WhatsApp alert). */
typedef struct {
    int64_t agency_id;
    const char *pnid;
} number_row;

static const q_field NUMBER_F[] = {QF(INT64, number_row, agency_id), QF(TEXT, number_row, pnid)};

typedef struct {
    store_sla_escalation *x;
    arena_t *ar;
} escalate_ctx;

static err_t escalate_tx(q_conn *c, void *arg)
{
    /* The conditional UPDATE takes the row lock: of several instances, one
     * changes the row; the others find the level already raised. */
    static const char upd[] =
        "UPDATE cases SET sla_level = $1 WHERE id = $2 AND sla_level < $1 AND sla_stage = $3"
        " AND sla_due_at = $4 AND sla_status = status RETURNING agency_id,"
        " (SELECT MIN(n.phone_number_id) FROM agency_numbers n"
        " WHERE n.agency_id = cases.agency_id)";
    static const char ins[] =
        "INSERT INTO outbox (channel, agency_id, endpoint, address, case_id, kind, message,"
        " payload, template, created_at, updated_at)"
        " VALUES ($8, $1, $2, $3, $4, 'sla_alert', $5, '', $6, $7, $7)";
    escalate_ctx *ctx = arg;
    store_sla_escalation *x = ctx->x;
    number_row n = {0};
    err_t e = q_row(c, ctx->ar, upd, NUMBER_F, &n, Q_INT(x->level), Q_INT(x->case_id),
                    Q_TEXT(x->stage), Q_INT(x->due_at));
    if (e == ERR_OK)
        e = dom_add_event(c, x->case_id, x->action, NULL, 0, x->note, false, false, x->now, NULL);
    for (size_t i = 0; e == ERR_OK && n.pnid && i < x->nnotice; i++)
        e = q_run(c, ins, NULL, Q_INT(n.agency_id), Q_TEXT(n.pnid),
                  Q_TEXT(x->notices[i].to_address), Q_INT(x->case_id),
                  Q_TEXT(x->notices[i].message), Q_TEXT(x->notices[i].template), Q_INT(x->now),
                  Q_TEXT(x->notices[i].channel));
    return e;
}

err_t store_sla_escalate(store_t *s, store_sla_escalation *x)
{
    escalate_ctx ctx = {x, arena_new()};
    err_t e = ctx.ar ? q_tx(s, escalate_tx, &ctx) : ERR_NOMEM;
    arena_destroy(ctx.ar);
    x->done = e == ERR_OK;
    /* ERR_NOT_FOUND: another worker did it, or the case moved on. */
    return e == ERR_NOT_FOUND ? ERR_OK : e;
}

static const q_field STAFF_F[] = {
    QF(INT64, store_staff, user_id),
    QF(TEXT, store_staff, name),
    QF(TEXT, store_staff, mobile),
};

Q_LIST_FN(store_sla_supervisors, store_staff, int64_t, Q_INT, STAFF_F,
          "SELECT u.id, u.name, u.mobile FROM users u JOIN user_roles r ON r.user_id = u.id"
          " WHERE r.agency_id = $1 AND r.role = 'supervisor' AND u.disabled = FALSE ORDER BY u.id")

/* ---- the activity report ------------------------------------------------------- */

static const q_field ACTIVITY_F[] = {
    QF(INT64, store_activity_row, case_id),  QF(INT64, store_activity_row, case_created_at),
    QF(INT64, store_activity_row, team_id),  QF(TEXT, store_activity_row, team_name),
    QF(INT64, store_activity_row, actor_id), QF(TEXT, store_activity_row, actor_name),
    QF(TEXT, store_activity_row, action),    QF(TEXT, store_activity_row, from_status),
    QF(TEXT, store_activity_row, to_status), QF(INT64, store_activity_row, created_at),
};

err_t store_activity_events(store_t *s, arena_t *ar, int64_t agency_id, int64_t from, int64_t to,
                            unsigned max, store_activity_row **out, size_t *n, bool *truncated)
{
    /* Every event up to `to` of the cases with one in [from, to). */
    static const char sql[] =
        "SELECT e.case_id, c.created_at, c.team_id, t.name, e.actor_id, u.name, e.action,"
        " e.from_status, e.to_status, e.created_at FROM case_events e"
        " JOIN cases c ON c.id = e.case_id LEFT JOIN teams t ON t.id = c.team_id"
        " LEFT JOIN users u ON u.id = e.actor_id WHERE c.agency_id = $1 AND e.created_at < $3"
        " AND e.case_id IN (SELECT x.case_id FROM case_events x JOIN cases y ON y.id = x.case_id"
        " WHERE y.agency_id = $1 AND x.created_at >= $2 AND x.created_at < $3)"
        " ORDER BY e.case_id, e.seq LIMIT $4";
    err_t e = q_list(s, ar, sql, ACTIVITY_F, out, n, Q_INT(agency_id), Q_INT(from), Q_INT(to),
                     Q_INT((int64_t)max + 1));
    *truncated = e == ERR_OK && *n > max;
    if (*truncated)
        *n = max;
    return e;
}
