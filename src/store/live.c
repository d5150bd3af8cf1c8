/* The operators' live workspace (issue 18): a case's assignee, what each
 * user has read, and the live events their dashboards' streams tell
 * (migration 0034). Written once for both engines on store/q.h. */
#include "store/case_query.h"
#include "store/dom.h"

#include <string.h>

err_t dom_live_event(q_conn *c, int64_t case_id, const char *kind, int64_t now)
{
    /* Delivered at the commit, once per transaction and payload. */
    static const char notify[] = "SELECT pg_notify($1, '')";
    static const char sql[] = "INSERT INTO live_events (agency_id, case_id, kind, created_at)"
                              " SELECT agency_id, id, CASE WHEN $2 = 'created' AND kind ="
                              " 'emergency' THEN 'emergency' ELSE $2 END, $3 FROM cases"
                              " WHERE id = $1";
    err_t e = q_run(c, sql, NULL, Q_INT(case_id), Q_TEXT(kind), Q_INT(now));
    q_notify_at_commit(c);
    if (e == ERR_OK && strcmp(q_engine(c), "postgres") == 0)
        e = q_run(c, notify, NULL, Q_TEXT(STORE_LIVE_CHANNEL));
    return e;
}

/* ---- ownership ------------------------------------------------------------------------ */

typedef struct {
    int64_t case_id, user_id, actor_id, now;
    bool changed; /* out */
} assign_ctx;

static err_t assign_tx(q_conn *c, void *arg)
{
    /* Someone who works the agency's desk: an enabled admin or supervisor
     * of it, or a superadmin. */
    static const char eligible[] =
        "SELECT 1 FROM cases k JOIN user_roles ur ON ur.agency_id IN (k.agency_id, 0)"
        " JOIN users u ON u.id = ur.user_id WHERE k.id = $1 AND ur.user_id = $2"
        " AND u.disabled = FALSE AND ur.role IN ('superadmin', 'admin', 'supervisor')";
    static const char set[] = "UPDATE cases SET assignee_id = $2, updated_at = $3"
                              " WHERE id = $1 AND assignee_id IS DISTINCT FROM $2";
    static const char name[] = "SELECT login FROM users WHERE id = $1";
    assign_ctx *x = arg;
    int64_t n = 0;
    err_t e = dom_case_lock(c, x->case_id);
    if (e == ERR_OK && x->user_id) {
        e = q_row_int(c, eligible, NULL, Q_INT(x->case_id), Q_INT(x->user_id));
        if (e == ERR_NOT_FOUND)
            e = ERR_INVALID;
    }
    if (e == ERR_OK)
        e = q_run(c, set, &n, Q_INT(x->case_id), Q_ID(x->user_id), Q_INT(x->now));
    if (e != ERR_OK || n == 0)
        return e;
    x->changed = true;
    /* The event's note names the assignee by login (staff only). */
    arena_t *ar = arena_new();
    const char *who = NULL;
    if (!ar)
        return ERR_NOMEM;
    if (x->user_id) {
        const char **logins = NULL;
        size_t nl = 0;
        e = q_rows(c, ar, name, Q_COL_TEXT, &logins, &nl, Q_INT(x->user_id));
        who = e == ERR_OK && nl ? logins[0] : NULL;
    }
    if (e == ERR_OK)
        e = dom_add_event(c, x->case_id, x->user_id ? "assign" : "unassign", NULL, x->actor_id, who,
                          false, false, x->now, NULL);
    arena_destroy(ar);
    return e;
}

err_t store_case_assign(store_t *s, int64_t case_id, int64_t user_id, int64_t actor_id, int64_t now,
                        bool *changed)
{
    assign_ctx x = {case_id, user_id, actor_id, now, false};
    err_t e = q_tx(s, assign_tx, &x);
    *changed = e == ERR_OK && x.changed;
    return e;
}

/* ---- what each user has read ---------------------------------------------------------- */

err_t store_case_read(store_t *s, int64_t user_id, int64_t case_id, int64_t now)
{
    static const char sql[] =
        "INSERT INTO case_reads (user_id, case_id, message_id, read_at) SELECT $1, c.id,"
        " COALESCE((SELECT MAX(m.id) FROM messages m WHERE m.case_id = c.id AND"
        " m.direction = 'in'), 0), $3 FROM cases c WHERE c.id = $2 ON CONFLICT (user_id, case_id)"
        " DO UPDATE SET message_id = excluded.message_id, read_at = excluded.read_at";
    return q_write(s, sql, false, Q_INT(user_id), Q_INT(case_id), Q_INT(now));
}

err_t store_unread_counts(store_t *s, arena_t *ar, const store_case_filter *f, int64_t user_id,
                          store_unread *out)
{
    q_conn *c = NULL;
    q_stmt *st = NULL;
    cq_scope sc;
    cq_t q;
    store_case_filter g = *f;
    memset(out, 0, sizeof *out);
    /* The views differ only by assignee; paging and text do not apply. */
    g.assignee_id = 0;
    g.after_id = g.before_id = 0;
    g.q = NULL;
    err_t e = q_get(s, &c);
    if (e == ERR_OK)
        e = cq_user_scope(c, ar, g.scope_user_id, &sc);
    if (e != ERR_OK)
        goto out;
    cq_init(&q);
    cq_sql(&q, "SELECT COALESCE(SUM(CASE WHEN c.assignee_id = ");
    cq_int(&q, user_id);
    cq_sql(&q, " THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN c.assignee_id IS NULL THEN 1"
               " ELSE 0 END), 0), COUNT(*) FROM cases c WHERE 1 = 1");
    cq_case_where(&q, &g, &sc, "c.id");
    cq_sql(&q, " AND c.status NOT IN ('closed', 'rejected', 'forwarded') AND EXISTS (SELECT 1"
               " FROM messages m WHERE m.case_id = c.id AND m.direction = 'in' AND m.id >"
               " COALESCE((SELECT r.message_id FROM case_reads r WHERE r.user_id = ");
    cq_int(&q, user_id);
    cq_sql(&q, " AND r.case_id = c.id), 0))");
    if (q.overflow) {
        e = ERR_INTERNAL;
        goto out;
    }
    st = q_prep_dyn(c, q.sql);
    for (int i = 0; i < q.ntext; i++)
        q_text(st, q.text[i]);
    e = q_step(st);
    if (e == ERR_OK) {
        out->mine = q_col_int(st, 0);
        out->none = q_col_int(st, 1);
        out->all = q_col_int(st, 2);
    }
out:
    q_done(st);
    q_put(c);
    return e;
}

err_t store_unread_of(store_t *s, int64_t user_id, const int64_t *ids, size_t n, bool *unread)
{
    q_conn *c = NULL;
    q_stmt *st = NULL;
    cq_t q;
    if (n == 0)
        return ERR_OK;
    if (n > STORE_LIST_MAX)
        return ERR_INTERNAL;
    memset(unread, 0, n * sizeof *unread);
    cq_init(&q);
    cq_sql(&q, "SELECT c.id FROM cases c WHERE c.id IN (");
    for (size_t i = 0; i < n; i++) {
        if (i)
            cq_sql(&q, ", ");
        cq_int(&q, ids[i]);
    }
    cq_sql(&q, ") AND c.status NOT IN ('closed', 'rejected', 'forwarded') AND EXISTS (SELECT 1"
               " FROM messages m WHERE m.case_id = c.id AND m.direction = 'in' AND m.id >"
               " COALESCE((SELECT r.message_id FROM case_reads r WHERE r.user_id = ");
    cq_int(&q, user_id);
    cq_sql(&q, " AND r.case_id = c.id), 0))");
    if (q.overflow)
        return ERR_INTERNAL;
    err_t e = q_get(s, &c);
    if (e != ERR_OK)
        return e;
    st = q_prep_dyn(c, q.sql);
    while ((e = q_step(st)) == ERR_OK) {
        int64_t id = q_col_int(st, 0);
        for (size_t i = 0; i < n; i++)
            if (ids[i] == id)
                unread[i] = true;
    }
    if (e == ERR_NOT_FOUND)
        e = ERR_OK;
    q_done(st);
    q_put(c);
    return e;
}

/* ---- live events ---------------------------------------------------------------------- */

static const q_field LIVE_F[] = {
    QF(INT64, store_live_event, id),         QF(INT64, store_live_event, agency_id),
    QF(INT64, store_live_event, case_id),    QF(TEXT, store_live_event, kind),
    QF(INT64, store_live_event, created_at),
};

typedef struct {
    int64_t agency_id, case_id, now;
    const char *kind;
} live_add_ctx;

static err_t live_add_tx(q_conn *c, void *arg)
{
    static const char sql[] = "INSERT INTO live_events (agency_id, case_id, kind, created_at)"
                              " VALUES ($1, $2, $3, $4)";
    static const char notify[] = "SELECT pg_notify($1, '')";
    live_add_ctx *x = arg;
    err_t e =
        q_run(c, sql, NULL, Q_INT(x->agency_id), Q_ID(x->case_id), Q_TEXT(x->kind), Q_INT(x->now));
    q_notify_at_commit(c);
    if (e == ERR_OK && strcmp(q_engine(c), "postgres") == 0)
        e = q_run(c, notify, NULL, Q_TEXT(STORE_LIVE_CHANNEL));
    return e;
}

err_t store_live_add(store_t *s, int64_t agency_id, int64_t case_id, const char *kind, int64_t now)
{
    live_add_ctx x = {agency_id, case_id, now, kind};
    return q_tx(s, live_add_tx, &x);
}

err_t store_live_since(store_t *s, arena_t *ar, int64_t user_id, int64_t after_id, unsigned max,
                       store_live_event **out, size_t *n)
{
    static const char all[] = "SELECT id, agency_id, case_id, kind, created_at FROM live_events"
                              " WHERE id > $1 ORDER BY id LIMIT $2";
    static const char mine[] =
        "SELECT id, agency_id, case_id, kind, created_at FROM live_events WHERE id > $1"
        " AND agency_id IN (SELECT agency_id FROM user_roles WHERE user_id = $3)"
        " ORDER BY id LIMIT $2";
    if (!user_id)
        return q_list(s, ar, all, LIVE_F, out, n, Q_INT(after_id), Q_INT(max));
    return q_list(s, ar, mine, LIVE_F, out, n, Q_INT(after_id), Q_INT(max), Q_INT(user_id));
}

err_t store_live_last(store_t *s, int64_t *id)
{
    static const char sql[] = "SELECT COALESCE(MAX(id), 0) FROM live_events";
    return q_one_int(s, sql, id);
}

err_t store_live_prune(store_t *s, int64_t cutoff, unsigned max, int64_t *deleted)
{
    static const char sql[] = "DELETE FROM live_events WHERE id IN (SELECT id FROM live_events"
                              " WHERE created_at < $1 ORDER BY id LIMIT $2)";
    /* Heartbeats of cases nobody opened again since. */
    static const char beats[] = "DELETE FROM case_presence WHERE seen_at < $1";
    err_t e = q_write_n(s, sql, deleted, Q_INT(cutoff), Q_INT(max));
    return e == ERR_OK ? q_write(s, beats, false, Q_INT(cutoff)) : e;
}

/* ---- assignees and presence ----------------------------------------------------------- */

err_t store_assignees(store_t *s, arena_t *ar, int64_t agency_id, store_user **out, size_t *n)
{
    static const char sql[] =
        "SELECT DISTINCT u.id, u.login, u.name FROM users u JOIN user_roles ur"
        " ON ur.user_id = u.id WHERE ur.agency_id IN ($1, 0) AND u.disabled = FALSE"
        " AND ur.role IN ('superadmin', 'admin', 'supervisor') ORDER BY u.name, u.id";
    static const q_field F[] = {QF(INT64, store_user, id), QF(TEXT, store_user, login),
                                QF(TEXT, store_user, name)};
    return q_list(s, ar, sql, F, out, n, Q_INT(agency_id));
}

typedef struct {
    int64_t case_id, user_id, now, fresh_after;
    bool leaving;
    bool changed; /* out */
} beat_ctx;

static err_t beat_tx(q_conn *c, void *arg)
{
    static const char was[] = "SELECT seen_at FROM case_presence WHERE case_id = $1"
                              " AND user_id = $2";
    static const char gone[] = "DELETE FROM case_presence WHERE case_id = $1"
                               " AND (user_id = $2 OR seen_at < $3)";
    static const char put[] =
        "INSERT INTO case_presence (case_id, user_id, since, seen_at) VALUES ($1, $2, $3, $3)"
        " ON CONFLICT (case_id, user_id) DO UPDATE SET seen_at = excluded.seen_at,"
        " since = CASE WHEN case_presence.seen_at < $4 THEN excluded.since"
        " ELSE case_presence.since END";
    static const char stale[] = "DELETE FROM case_presence WHERE case_id = $1 AND seen_at < $2";
    beat_ctx *x = arg;
    int64_t seen = 0;
    err_t e = q_row_int(c, was, &seen, Q_INT(x->case_id), Q_INT(x->user_id));
    bool there = e == ERR_OK && seen >= x->fresh_after;
    if (e == ERR_NOT_FOUND)
        e = ERR_OK;
    if (e != ERR_OK)
        return e;
    if (x->leaving) {
        x->changed = there;
        return q_run(c, gone, NULL, Q_INT(x->case_id), Q_INT(x->user_id), Q_INT(x->fresh_after));
    }
    x->changed = !there;
    e = q_run(c, put, NULL, Q_INT(x->case_id), Q_INT(x->user_id), Q_INT(x->now),
              Q_INT(x->fresh_after));
    return e == ERR_OK ? q_run(c, stale, NULL, Q_INT(x->case_id), Q_INT(x->fresh_after)) : e;
}

err_t store_presence_beat(store_t *s, int64_t case_id, int64_t user_id, bool leaving, int64_t now,
                          int64_t fresh_after, bool *changed)
{
    beat_ctx x = {case_id, user_id, now, fresh_after, leaving, false};
    err_t e = q_tx(s, beat_tx, &x);
    *changed = e == ERR_OK && x.changed;
    return e;
}

err_t store_presence_list(store_t *s, arena_t *ar, int64_t case_id, int64_t fresh_after,
                          unsigned max, store_presence **out, size_t *n)
{
    static const char sql[] =
        "SELECT p.user_id, u.name, p.since FROM case_presence p JOIN users u ON u.id = p.user_id"
        " WHERE p.case_id = $1 AND p.seen_at >= $2 ORDER BY p.since, p.user_id LIMIT $3";
    static const q_field F[] = {QF(INT64, store_presence, user_id), QF(TEXT, store_presence, name),
                                QF(INT64, store_presence, since)};
    return q_list(s, ar, sql, F, out, n, Q_INT(case_id), Q_INT(fresh_after), Q_INT(max));
}
