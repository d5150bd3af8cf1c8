/* The dispatch domain of the store: the duty roster, emergency alerts and
 * their acceptance, messages to staff, officers' attachments, duplicates,
 * followers and forwarding categories. Written once for both engines on
 * store/q.h. */
#include "store/dom.h"

#include <stdio.h>
#include <string.h>

/* Candidates looked at for a duplicate: the newest open cases nearby. */
#define NEARBY_MAX 50

/* ---- the duty roster ------------------------------------------------------- */

static const q_field DUTY_F[] = {
    QF(INT64, store_duty, id),         QF(INT64, store_duty, team_id),
    QF(INT64, store_duty, user_id),    QF(INT, store_duty, weekday),
    QF(INT, store_duty, start_minute), QF(INT, store_duty, end_minute),
    QF(INT64, store_duty, starts_at),  QF(INT64, store_duty, ends_at),
    QF(INT64, store_duty, agency_id),  QF(TEXT, store_duty, team_name),
    QF(TEXT, store_duty, user_login),  QF(TEXT, store_duty, user_name),
    QF(TEXT, store_duty, user_mobile),
};

err_t store_duty_list(store_t *s, arena_t *ar, int64_t agency_id, store_duty **out, size_t *n)
{
    /* Only enabled users still in the team are on duty; weekday -1: dated. */
    static const char sql[] =
        "SELECT d.id, d.team_id, d.user_id, COALESCE(d.weekday, -1), d.start_minute,"
        " d.end_minute, d.starts_at, d.ends_at, t.agency_id, t.name, u.login, u.name, u.mobile"
        " FROM duty_shifts d JOIN teams t ON t.id = d.team_id JOIN users u ON u.id = d.user_id"
        " JOIN team_members m ON m.team_id = d.team_id AND m.user_id = d.user_id"
        " WHERE ($1 IS NULL OR t.agency_id = $1) AND u.disabled = FALSE ORDER BY t.id, u.id, d.id";
    return q_list(s, ar, sql, DUTY_F, out, n, Q_ID(agency_id));
}

err_t store_duty_add(store_t *s, const store_duty *d, int64_t now, int64_t *id)
{
    static const char sql[] =
        "INSERT INTO duty_shifts (team_id, user_id, weekday, start_minute, end_minute, starts_at,"
        " ends_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
    bool weekly = d->weekday >= 0; /* else dated: [starts_at, ends_at) */
    q_val no = Q_NULL(INT);
    return q_one_int(s, sql, id, Q_INT(d->team_id), Q_INT(d->user_id),
                     weekly ? Q_INT(d->weekday) : no, weekly ? Q_INT(d->start_minute) : no,
                     weekly ? Q_INT(d->end_minute) : no, weekly ? no : Q_INT(d->starts_at),
                     weekly ? no : Q_INT(d->ends_at), Q_INT(now));
}

err_t store_duty_delete(store_t *s, int64_t agency_id, int64_t id)
{
    static const char sql[] = "DELETE FROM duty_shifts WHERE id = $1 AND team_id IN"
                              " (SELECT id FROM teams WHERE agency_id = $2)";
    return q_write(s, sql, true, Q_INT(id), Q_INT(agency_id));
}

/* ---- events and followers ------------------------------------------------- */

typedef struct {
    int64_t id;
    bool changed; /* the status moved (or the case was created) */
    bool hooked;  /* the agency has an active webhook subscription */
} event_row;

static const q_field EVENT_ROW_F[] = {QF(INT64, event_row, id), QF(BOOL, event_row, changed),
                                      QF(BOOL, event_row, hooked)};

/* The webhook event types of a case's event, ",type,type," ("" for none).
 * Every change of the case's LAPOR! fields (the liaison's mark, class and
 * tracking id, issue 17 §3) is case.lapor_updated. */
static void webhook_types(const dom_event *ev, bool changed, char *buf, size_t len)
{
    const char *a = ev->action;
    bool create = strcmp(a, "create") == 0;
    bool lapor = strncmp(a, "lapor_", 6) == 0;
    snprintf(buf, len, ",%s%s%s%s%s%s", create ? "case.created," : "",
             !create && changed ? "case.status_changed," : "",
             strcmp(a, "dispatch") == 0 || strcmp(a, "accept") == 0 || strcmp(a, "assign") == 0
                 ? "case.assigned,"
                 : "",
             ev->public_note && ev->public_note[0] ? "case.note_public," : "",
             strcmp(a, "sla_breach") == 0 ? "sla.breached," : "",
             lapor ? "case.lapor_updated," : "");
    if (strcmp(buf, ",") == 0)
        buf[0] = 0;
}

err_t dom_event_add(q_conn *c, const dom_event *ev, int64_t *event_id)
{
    static const char sql[] =
        "INSERT INTO case_events (case_id, seq, action, from_status, to_status, actor_id, note,"
        " public_note, team_id, target_agency_id, is_public, created_at) SELECT c.id,"
        " COALESCE(MAX(e.seq), 0) + 1, $2, CASE WHEN $2 = 'create' THEN NULL"
        " ELSE COALESCE($3, c.status) END, COALESCE($4, c.status), $5, $6, $7,"
        " COALESCE($8, CASE WHEN $9 THEN c.team_id END), $10, $11, $12 FROM cases c"
        " LEFT JOIN case_events e ON e.case_id = c.id WHERE c.id = $1 GROUP BY c.id"
        " RETURNING id, from_status IS NULL OR from_status <> to_status, EXISTS (SELECT 1"
        " FROM cases k JOIN webhook_subscriptions s ON s.agency_id = k.agency_id"
        " WHERE k.id = case_events.case_id AND s.active = TRUE AND s.paused_at IS NULL)";
    event_row row = {0, false, false};
    char types[160];
    err_t e = q_row(c, NULL, sql, EVENT_ROW_F, &row, Q_INT(ev->case_id), Q_TEXT(ev->action),
                    Q_TEXT(ev->from), Q_TEXT(ev->to), Q_ID(ev->actor_id), Q_TEXT(ev->note),
                    Q_TEXT(ev->public_note), Q_ID(ev->team_id), Q_BOOL(ev->case_team),
                    Q_ID(ev->target_agency_id), Q_BOOL(ev->is_public), Q_INT(ev->now));
    if (e == ERR_OK && event_id)
        *event_id = row.id;
    webhook_types(ev, row.changed, types, sizeof types);
    /* The subscriptions' probe rides on the event's own statement: an
     * agency without any pays no second statement (bench/webhook_queue.c). */
    if (e == ERR_OK && row.hooked && types[0])
        e = dom_webhook_queue(c, ev->case_id, row.id, types, ev->now);
    /* The dashboards' streams (issue 18). */
    if (e == ERR_OK)
        e = dom_live_event(c, ev->case_id,
                           strcmp(ev->action, "create") == 0       ? "created"
                           : strcmp(ev->action, "attachment") == 0 ? "attachment"
                                                                   : "case",
                           ev->now);
    return e;
}

err_t dom_add_event(q_conn *c, int64_t case_id, const char *action, const char *from, int64_t actor,
                    const char *note, bool with_team, bool is_public, int64_t now,
                    int64_t *event_id)
{
    dom_event ev = {case_id, action, from,      NULL, actor,     note,
                    NULL,    0,      with_team, 0,    is_public, now};
    return dom_event_add(c, &ev, event_id);
}

err_t dom_give_up_tx(q_conn *c, void *arg)
{
    const dom_give_up *x = arg;
    int64_t case_id = 0;
    err_t e = q_row_int(c, x->fail, &case_id, Q_INT(x->id), Q_TEXT(x->error), Q_INT(x->now));
    if (e == ERR_NOT_FOUND)
        return ERR_OK; /* gone, or done already: nothing to tell */
    if (e == ERR_OK && case_id)
        e = dom_case_lock(c, case_id);
    if (e == ERR_OK && case_id)
        e = dom_add_event(c, case_id, x->action, NULL, 0, x->error, false, false, x->now, NULL);
    return e;
}

/* One update per follower's number (not the master's own reporter),
 * rendered at send time from the master's event. The followers are found
 * through the IN list, which reads cases_follows on both engines: joined
 * on f.follows_id = m.id alone, SQLite scanned every case after an ANALYZE
 * that saw no follower (stat1 says every row shares the NULL key), 40-110
 * ms at 200,000 cases in each status change's transaction. */
#define FOLLOWERS_SQL                                                                              \
    "INSERT INTO outbox (channel, agency_id, endpoint, address, case_id, kind, payload,"           \
    " event_id, created_at, updated_at) SELECT channel, agency_id, pnid, address, $1,"             \
    " 'status_update', '', $2, $3, $3 FROM (SELECT DISTINCT m.agency_id AS agency_id,"             \
    " f.notify_channel AS channel, COALESCE(w.endpoint, (SELECT MIN(n.phone_number_id)"            \
    " FROM agency_numbers n WHERE n.agency_id = m.agency_id)) AS pnid,"                            \
    " f.notify_address AS address FROM cases m JOIN cases f ON f.follows_id = m.id"                \
    " LEFT JOIN conversations w ON w.agency_id = m.agency_id AND w.channel = f.notify_channel"     \
    " AND w.address = f.notify_address"                                                            \
    " WHERE m.id = $1 AND f.id IN (SELECT id FROM cases WHERE follows_id = $1)"                    \
    " AND f.notify_channel IS NOT NULL AND f.notify_address IS NOT NULL"                           \
    " AND NOT (m.notify_channel IS NOT DISTINCT FROM f.notify_channel"                             \
    " AND m.notify_address IS NOT DISTINCT FROM f.notify_address)) x WHERE pnid IS NOT NULL"

/* The contacts who follow the case from its public page (case_watchers,
 * issue 18) get the same status update, from the endpoint of their
 * conversation with the agency (they wrote to follow), unless this event
 * is already on its way to them (its reporter, a duplicate's reporter):
 * the rows of this event are found along outbox_case. */
#define WATCHERS_SQL                                                                               \
    "INSERT INTO outbox (channel, agency_id, endpoint, address, case_id, kind, payload,"           \
    " event_id, created_at, updated_at) SELECT channel, agency_id, pnid, address, $1,"             \
    " 'status_update', '', $2, $3, $3 FROM (SELECT m.agency_id AS agency_id,"                      \
    " f.channel AS channel, COALESCE(w.endpoint, (SELECT MIN(e.endpoint)"                          \
    " FROM channel_endpoints e WHERE e.agency_id = m.agency_id AND e.channel = f.channel"          \
    " AND e.active), (SELECT MIN(n.phone_number_id) FROM agency_numbers n"                         \
    " WHERE n.agency_id = m.agency_id AND NOT EXISTS (SELECT 1 FROM channel_endpoints e"           \
    " WHERE e.channel = f.channel))) AS pnid, f.address AS address"                                \
    " FROM case_watchers f JOIN cases m ON m.id = f.case_id"                                       \
    " LEFT JOIN conversations w ON w.agency_id = m.agency_id AND w.channel = f.channel"            \
    " AND w.address = f.address WHERE f.case_id = $1 AND NOT EXISTS (SELECT 1 FROM outbox o"       \
    " WHERE o.case_id = $1 AND o.event_id = $2 AND o.channel = f.channel"                          \
    " AND o.address = f.address)) x WHERE pnid IS NOT NULL"

err_t store_watchers_purge(store_t *s, int64_t before, unsigned max, size_t *n)
{
    static const char sql[] =
        "DELETE FROM case_watchers WHERE id IN (SELECT w.id FROM case_watchers w"
        " JOIN cases c ON c.id = w.case_id WHERE c.status IN ('closed', 'rejected', 'forwarded')"
        " AND c.updated_at < $1 ORDER BY w.id LIMIT $2)";
    int64_t k = 0;
    err_t e = q_write_n(s, sql, &k, Q_INT(before), Q_INT(max));
    *n = e == ERR_OK ? (size_t)k : 0;
    return e;
}

err_t dom_dispatch_queue_followers(q_conn *c, int64_t case_id, int64_t event_id, int64_t now)
{
    static const char sql[] = FOLLOWERS_SQL, watchers[] = WATCHERS_SQL;
    err_t e = q_run(c, sql, NULL, Q_INT(case_id), Q_INT(event_id), Q_INT(now));
    return e == ERR_OK ? q_run(c, watchers, NULL, Q_INT(case_id), Q_INT(event_id), Q_INT(now)) : e;
}

/* A case's event (store_case_note_event) or its links and their event
 * (store_case_link: link set). */
typedef struct {
    int64_t case_id, duplicate_of, follows_id, actor_id, now;
    const char *action, *note;
    bool link;
} note_ctx;

static err_t note_tx(q_conn *c, void *arg)
{
    static const char upd[] = "UPDATE cases SET duplicate_of = $1, follows_id = $2,"
                              " updated_at = $3 WHERE id = $4";
    note_ctx *x = arg;
    err_t e = ERR_OK;
    if (x->link)
        e = q_must(c, upd, Q_ID(x->duplicate_of), Q_ID(x->follows_id), Q_INT(x->now),
                   Q_INT(x->case_id));
    if (e == ERR_OK)
        e = dom_add_event(c, x->case_id, x->action, NULL, x->actor_id, x->note, false, false,
                          x->now, NULL);
    return e;
}

err_t store_case_note_event(store_t *s, int64_t case_id, const char *action, int64_t actor_id,
                            const char *note, int64_t now)
{
    note_ctx x = {
        .case_id = case_id, .actor_id = actor_id, .now = now, .action = action, .note = note};
    return q_tx(s, note_tx, &x);
}

err_t store_case_link(store_t *s, int64_t case_id, int64_t duplicate_of, int64_t follows_id,
                      const char *action, int64_t actor_id, const char *note, int64_t now)
{
    note_ctx x = {case_id, duplicate_of, follows_id, actor_id, now, action, note, true};
    return q_tx(s, note_tx, &x);
}

/* ---- emergency alerts ----------------------------------------------------- */

static const q_field INFO_F[] = {
    QF(INT, store_dispatch_info, alert_round),    QF(INT64, store_dispatch_info, alert_at),
    QF(INT64, store_dispatch_info, accepted_by),  QF(INT64, store_dispatch_info, accepted_at),
    QF(INT64, store_dispatch_info, duplicate_of), QF(INT64, store_dispatch_info, follows_id),
    QF(TEXT, store_dispatch_info, accepted_name), QF(INT64, store_dispatch_info, on_site_at),
    QF(INT, store_dispatch_info, followers),      QF(INT64, store_dispatch_info, group_id),
    QF(TEXT, store_dispatch_info, group_name),
};

err_t store_dispatch_get(store_t *s, arena_t *ar, int64_t case_id, store_dispatch_info *out)
{
    static const char sql[] =
        "SELECT c.alert_round, c.alert_at, c.accepted_by, c.accepted_at, c.duplicate_of,"
        " c.follows_id, u.name, (SELECT MIN(e.created_at) FROM case_events e"
        " WHERE e.case_id = c.id AND e.action = 'start'),"
        " (SELECT COUNT(*) FROM cases f WHERE f.follows_id = c.id), c.community_group_id, g.name"
        " FROM cases c LEFT JOIN users u ON u.id = c.accepted_by"
        " LEFT JOIN community_groups g ON g.id = c.community_group_id WHERE c.id = $1";
    *out = (store_dispatch_info){0};
    return q_one(s, ar, sql, INFO_F, out, Q_INT(case_id));
}

err_t store_dispatch_due(store_t *s, arena_t *ar, int64_t now, int64_t accept_seconds, unsigned max,
                         int64_t **ids, size_t *n)
{
    static const char sql[] =
        "SELECT id FROM cases WHERE status = 'dispatched' AND alert_at IS NOT NULL"
        " AND alert_at <= $1 - $2 AND accepted_by IS NULL AND kind = 'emergency'"
        " ORDER BY alert_at, id LIMIT $3";
    return q_list(s, ar, sql, Q_COL_INT64, ids, n, Q_INT(now), Q_INT(accept_seconds), Q_INT(max));
}

err_t dom_case_rules_queue(q_conn *c, int64_t case_id, int64_t now)
{
    static const char sql[] = "INSERT INTO case_rules (case_id, created_at) VALUES ($1, $2)"
                              " ON CONFLICT (case_id) DO NOTHING";
    return q_run(c, sql, NULL, Q_INT(case_id), Q_INT(now));
}

err_t store_case_rules_claim(store_t *s, arena_t *ar, int64_t now, int64_t lease, unsigned max,
                             store_case_rule **out, size_t *n)
{
    static const char sql[] = Q_CLAIM("case_rules", "case_id", "state = 'pending'",
                                      "next_attempt_at, case_id", "case_id, attempts");
    static const q_field F[] = {QF(INT64, store_case_rule, case_id),
                                QF(INT, store_case_rule, attempts)};
    return q_list(s, ar, sql, F, out, n, Q_INT(now), Q_INT(lease), Q_INT(max));
}

err_t store_case_rules_claim_one(store_t *s, int64_t case_id, int64_t now, int64_t lease,
                                 bool *claimed, int *attempts)
{
    static const char sql[] =
        "UPDATE case_rules SET next_attempt_at = $1 + $2, attempts = attempts + 1"
        " WHERE case_id = $3 AND state = 'pending' AND next_attempt_at <= $1 RETURNING attempts";
    int64_t a = 0;
    err_t e = q_one_int(s, sql, &a, Q_INT(now), Q_INT(lease), Q_INT(case_id));
    *claimed = e == ERR_OK;
    *attempts = (int)a;
    return e == ERR_NOT_FOUND ? ERR_OK : e;
}

err_t store_case_rules_done(store_t *s, int64_t case_id, int64_t now)
{
    static const char sql[] = "UPDATE case_rules SET state = 'done', done_at = $2,"
                              " last_error = NULL WHERE case_id = $1";
    return q_write(s, sql, false, Q_INT(case_id), Q_INT(now));
}

err_t store_case_rules_retry(store_t *s, int64_t case_id, int64_t next_at, const char *error,
                             int64_t now)
{
    static const char retry[] = "UPDATE case_rules SET next_attempt_at = $2, last_error = $3"
                                " WHERE case_id = $1";
    /* The desk sees on the case that its rules did not run. */
    static const char fail[] = "UPDATE case_rules SET state = 'failed', last_error = $2,"
                               " done_at = $3 WHERE case_id = $1 AND state = 'pending'"
                               " RETURNING case_id";
    if (next_at)
        return q_write(s, retry, false, Q_INT(case_id), Q_INT(next_at), Q_TEXT(error));
    return q_tx(s, dom_give_up_tx, &(dom_give_up){fail, case_id, error, "rules_failed", now});
}

/* Inside a transaction: messages to staff about the case, from its
 * agency's first number (none when the agency has no number). */
static err_t queue_msgs(q_conn *c, int64_t case_id, const store_alert_msg *m, size_t n, int64_t now)
{
    static const char sql[] =
        "INSERT INTO outbox (channel, agency_id, endpoint, address, case_id, kind, message,"
        " payload, template, created_at, updated_at) SELECT $7, c.agency_id, n.pnid, $2,"
        " c.id, $3, $4, '', $5, $6, $6 FROM cases c JOIN (SELECT agency_id,"
        " MIN(phone_number_id) AS pnid"
        " FROM agency_numbers GROUP BY agency_id) n ON n.agency_id = c.agency_id WHERE c.id = $1";
    err_t e = ERR_OK;
    for (size_t i = 0; e == ERR_OK && i < n; i++)
        e = q_run(c, sql, NULL, Q_INT(case_id), Q_TEXT(m[i].to_address), Q_TEXT(m[i].kind),
                  Q_TEXT(m[i].message), Q_TEXT(m[i].template), Q_INT(now), Q_TEXT(m[i].channel));
    return e;
}

static err_t alert_tx(q_conn *c, void *arg)
{
    /* The conditional UPDATE is the claim: of several instances only one
     * finds the round it read, and its row lock orders the event appends. */
    static const char upd[] =
        "UPDATE cases SET status = CASE WHEN $1 IS NULL THEN status ELSE 'dispatched' END,"
        " team_id = COALESCE($1, team_id), alert_round = alert_round + 1,"
        " alert_at = CASE WHEN $1 IS NULL THEN NULL ELSE $2 END, updated_at = $2"
        " WHERE id = $3 AND status = $4 AND alert_round = $5 AND accepted_by IS NULL";
    store_alert *a = arg;
    err_t e = q_must(c, upd, Q_ID(a->team_id), Q_INT(a->now), Q_INT(a->case_id),
                     Q_TEXT(a->expect_status), Q_INT(a->expect_round));
    if (e == ERR_NOT_FOUND)
        e = ERR_CONFLICT; /* another instance (or an officer) was first */
    /* With no_event, the transition that set the team wrote the event. */
    if (e == ERR_OK && a->team_id && !a->no_event) {
        e = dom_add_event(c, a->case_id, "dispatch", a->expect_status, 0, a->note, true, true,
                          a->now, &a->event_id);
        if (e == ERR_OK)
            e = dom_outbox_queue_status(c, a->case_id, a->event_id, a->now);
        if (e == ERR_OK)
            e = dom_dispatch_queue_followers(c, a->case_id, a->event_id, a->now);
    } else if (e == ERR_OK && !a->team_id) {
        e = dom_add_event(c, a->case_id, "alert_exhausted", NULL, 0, a->note, false, false, a->now,
                          &a->event_id);
    }
    return e == ERR_OK ? queue_msgs(c, a->case_id, a->out, a->nout, a->now) : e;
}

err_t store_dispatch_alert(store_t *s, arena_t *ar, store_alert *a)
{
    (void)ar;
    return q_tx(s, alert_tx, a);
}

/* An acceptance (user_id set) and its messages, or the messages alone. */
typedef struct {
    int64_t case_id, user_id, now;
    const store_alert_msg *m;
    size_t n;
} accept_ctx;

static err_t accept_tx(q_conn *c, void *arg)
{
    static const char upd[] =
        "UPDATE cases SET accepted_by = $1, accepted_at = $2, alert_at = NULL, updated_at = $2"
        " WHERE id = $3 AND accepted_by IS NULL AND status IN ('dispatched', 'in_progress')";
    accept_ctx *x = arg;
    int64_t changed = 1;
    err_t e = ERR_OK;
    if (x->user_id)
        e = q_run(c, upd, &changed, Q_INT(x->user_id), Q_INT(x->now), Q_INT(x->case_id));
    if (e == ERR_OK && changed == 0)
        e = dom_case_moved(c, x->case_id);
    if (e == ERR_OK && x->user_id)
        e = dom_add_event(c, x->case_id, "accept", NULL, x->user_id, NULL, true, false, x->now,
                          NULL);
    return e == ERR_OK ? queue_msgs(c, x->case_id, x->m, x->n, x->now) : e;
}

err_t store_dispatch_accept(store_t *s, int64_t case_id, int64_t user_id, int64_t now,
                            const store_alert_msg *tell, size_t ntell)
{
    accept_ctx x = {case_id, user_id, now, tell, ntell};
    return q_tx(s, accept_tx, &x);
}

err_t store_staff_notify(store_t *s, int64_t case_id, const store_alert_msg *m, size_t n,
                         int64_t now)
{
    accept_ctx x = {case_id, 0, now, m, n};
    return q_tx(s, accept_tx, &x);
}

err_t store_dispatch_active(store_t *s, int64_t user_id, int64_t *case_id)
{
    static const char sql[] =
        "SELECT id FROM cases WHERE status IN ('dispatched', 'in_progress') AND (accepted_by = $1"
        " OR team_id IN (SELECT team_id FROM team_members WHERE user_id = $1))"
        " ORDER BY CASE WHEN accepted_by = $1 THEN 0 ELSE 1 END, id DESC LIMIT 1";
    return q_one_int(s, sql, case_id, Q_INT(user_id));
}

err_t store_dispatch_attach(store_t *s, int64_t case_id, const char *channel, const char *media_id,
                            const char *mime, const char *sha256, const char *filename, int64_t now)
{
    static const char sql[] =
        "INSERT INTO attachments (case_id, sha256, mime, filename, source, state, media_id,"
        " created_at, channel) SELECT $1, $2, $3, $4, 'officer', 'pending', $5, $6, $7"
        " WHERE NOT EXISTS (SELECT 1 FROM attachments WHERE media_id = $5)";
    return q_write(s, sql, false, Q_INT(case_id), Q_TEXT(sha256),
                   Q_TEXT(mime ? mime : "application/octet-stream"), Q_TEXT(filename),
                   Q_TEXT(media_id), Q_INT(now), Q_TEXT(channel));
}

/* ---- duplicates and forwarding categories ---------------------------------- */

static const q_field NEARBY_F[] = {
    QF(INT64, store_nearby, id),         QF(INT64, store_nearby, created_at),
    QF(INT64, store_nearby, follows_id), QF(REAL, store_nearby, lat),
    QF(REAL, store_nearby, lon),         QF(TEXT, store_nearby, status),
};

err_t store_case_nearby(store_t *s, arena_t *ar, int64_t category_id, int64_t since,
                        int64_t exclude_id, double lat_min, double lat_max, double lon_min,
                        double lon_max, store_nearby **out, size_t *n)
{
    static const char sql[] = "SELECT id, created_at, follows_id, lat, lon, status FROM cases"
                              " WHERE category_id = $1 AND created_at >= $2 AND id <> $3"
                              " AND lat BETWEEN $4 AND $5 AND lon BETWEEN $6 AND $7"
                              " AND status NOT IN ('resolved', 'closed', 'rejected', 'forwarded')"
                              " ORDER BY id DESC LIMIT $8";
    return q_list(s, ar, sql, NEARBY_F, out, n, Q_INT(category_id), Q_INT(since), Q_INT(exclude_id),
                  Q_REAL(lat_min), Q_REAL(lat_max), Q_REAL(lon_min), Q_REAL(lon_max),
                  Q_INT(NEARBY_MAX));
}

err_t store_category_forward(store_t *s, int64_t category_id, int64_t *to)
{
    static const char sql[] = "SELECT forward_category_id FROM categories WHERE id = $1";
    *to = 0;
    return q_one_int(s, sql, to, Q_INT(category_id));
}

err_t store_category_set_forward(store_t *s, int64_t category_id, int64_t to)
{
    static const char sql[] = "UPDATE categories SET forward_category_id = $1 WHERE id = $2";
    return q_write(s, sql, true, Q_ID(to), Q_INT(category_id));
}
