/* The PostgreSQL store: the WhatsApp channel's tables. */
#include "store/pg_int.h"
#include "store/svc_int.h"

#include <stdio.h>
#include <string.h>

/* Readers of the list queries below: one per row shape. */
static void read_inbox(arena_t *ar, PGresult *r, int i, void *elem)
{
    store_wa_inbox_row *v = elem;
    v->id = pq_int(r, i, 0);
    v->body = pq_text(ar, r, i, 1);
    v->state = pq_text(ar, r, i, 2);
    v->attempts = (int)pq_int(r, i, 3);
    v->error = pq_text(ar, r, i, 4);
    v->received_at = pq_int(r, i, 5);
    v->processed_at = pq_null(r, i, 6) ? 0 : pq_int(r, i, 6);
    v->summary = pq_text(ar, r, i, 7);
    v->body_state = pq_text(ar, r, i, 8);
    v->removed_at = pq_null(r, i, 9) ? 0 : pq_int(r, i, 9);
}

/* The columns read_inbox reads. */
#define INBOX_COLS                                                                                 \
    "id, body, state, attempts, error, received_at, processed_at, summary, body_state, removed_at"

static void read_outbox_row(arena_t *ar, PGresult *r, int i, void *elem)
{
    store_wa_outbox_row *v = elem;
    v->id = pq_int(r, i, 0);
    v->agency_id = pq_int(r, i, 1);
    v->case_id = pq_int(r, i, 2);
    v->phone_number_id = pq_text(ar, r, i, 3);
    v->to_wa_id = pq_text(ar, r, i, 4);
    v->kind = pq_text(ar, r, i, 5);
    v->payload = pq_text(ar, r, i, 6);
    v->template = pq_text(ar, r, i, 7);
    v->attempts = (int)pq_int(r, i, 8);
    v->last_inbound_at = pq_int(r, i, 9);
    v->event_id = pq_int(r, i, 10);
    v->lang = pq_text(ar, r, i, 11);
}

static void read_outbox_item(arena_t *ar, PGresult *r, int i, void *elem)
{
    store_wa_outbox_item *v = elem;
    v->id = pq_int(r, i, 0);
    v->case_id = pq_int(r, i, 1);
    v->to_wa_id = pq_text(ar, r, i, 2);
    v->kind = pq_text(ar, r, i, 3);
    v->payload = pq_text(ar, r, i, 4);
    v->state = pq_text(ar, r, i, 5);
    v->last_error = pq_text(ar, r, i, 6);
    v->wamid = pq_text(ar, r, i, 7);
    v->delivery = pq_text(ar, r, i, 8);
    v->attempts = (int)pq_int(r, i, 9);
    v->used_template = pq_bool(r, i, 10);
    v->created_at = pq_int(r, i, 11);
    v->phone_number_id = pq_text(ar, r, i, 12);
}

static void read_wa_case(arena_t *ar, PGresult *r, int i, void *elem)
{
    store_case *v = elem;
    memset(v, 0, sizeof *v);
    v->id = pq_int(r, i, 0);
    v->tracking_code = pq_text(ar, r, i, 1);
    v->status = pq_text(ar, r, i, 2);
    v->created_at = pq_int(r, i, 3);
    v->category_name_id = pq_text(ar, r, i, 4);
    v->category_name_en = pq_text(ar, r, i, 5);
}

static void read_media_job(arena_t *ar, PGresult *r, int i, void *elem)
{
    store_wa_media_job *v = elem;
    v->id = pq_int(r, i, 0);
    v->case_id = pq_int(r, i, 1);
    v->media_id = pq_text(ar, r, i, 2);
    v->mime = pq_text(ar, r, i, 3);
    v->sha256 = pq_text(ar, r, i, 4);
    v->attempts = (int)pq_int(r, i, 5);
}

err_t pg_wa_inbox_add(store_t *s, const char *body, size_t len, const char *dead_reason,
                      int64_t now, int64_t *id)
{
    static const char sql[] = "INSERT INTO wa_inbox (received_at, body, state, error)"
                              " VALUES ($1, $2, $3, $4) RETURNING id";
    (void)len; /* the body is NUL-terminated text */
    pconn_t *c = pq_get(s);
    if (!c)
        return ERR_UNAVAILABLE;
    pq_params p = {0};
    PGresult *r = NULL;
    pp_int(&p, now);
    pp_text(&p, body);
    pp_text(&p, dead_reason ? "dead" : "new");
    pp_text(&p, dead_reason);
    err_t e = pq_run(c, sql, &p, &r, "wa_inbox_add");
    if (e == ERR_OK && id)
        *id = pq_int(r, 0, 0);
    PQclear(r);
    pq_put(s, c);
    return e;
}

err_t pg_wa_inbox_add_batch(store_t *s, store_wa_inbox_new *rows, size_t n, int64_t now)
{
    static const char sql[] = "INSERT INTO wa_inbox (received_at, body, state, error)"
                              " VALUES ($1, $2, $3, $4) RETURNING id";
    pconn_t *c = pq_get(s);
    if (!c)
        return ERR_UNAVAILABLE;
    err_t e = pq_begin(c);
    for (size_t i = 0; e == ERR_OK && i < n; i++) {
        pq_params p = {0};
        PGresult *r = NULL;
        pp_int(&p, now);
        pp_text(&p, rows[i].body);
        pp_text(&p, rows[i].dead_reason ? "dead" : "new");
        pp_text(&p, rows[i].dead_reason);
        e = pq_run(c, sql, &p, &r, "wa_inbox_add");
        if (e == ERR_OK)
            rows[i].id = pq_int(r, 0, 0);
        PQclear(r);
    }
    if (e == ERR_OK)
        e = pq_commit(c);
    pq_rollback(c);
    pq_put(s, c);
    return e;
}

err_t pg_wa_inbox_list(store_t *s, arena_t *ar, const char *state, unsigned limit,
                       store_wa_inbox_row **out, size_t *n)
{
    /* The state as a literal, for the partial indexes (see sqlite_wa.c). */
#define INBOX_LIST(where) "SELECT " INBOX_COLS " FROM wa_inbox" where " ORDER BY id DESC LIMIT $1"
    static const char all[] = INBOX_LIST(""), fresh[] = INBOX_LIST(" WHERE state = 'new'"),
                      dead[] = INBOX_LIST(" WHERE state = 'dead'"),
                      done[] = INBOX_LIST(" WHERE state = 'done'");
#undef INBOX_LIST
    const char *sql = !state                   ? all
                      : !strcmp(state, "new")  ? fresh
                      : !strcmp(state, "dead") ? dead
                                               : done;
    pq_params p = {0};
    pp_int(&p, limit);
    return pq_list(s, ar, sql, &p, sizeof **out, read_inbox, (void **)out, n, "wa_inbox_list");
}

/* Runs sql on a borrowed connection; *out gets the result. */
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

err_t pg_wa_inbox_claim(store_t *s, arena_t *ar, int64_t now, int64_t lease, unsigned max,
                        store_wa_inbox_row **out, size_t *n)
{
    /* SKIP LOCKED: instances claiming at the same moment take different rows. */
    static const char sql[] =
        "UPDATE wa_inbox SET next_attempt_at = $1::bigint + $2::bigint, attempts = attempts + 1"
        " WHERE id IN (SELECT id FROM wa_inbox WHERE state = 'new' AND next_attempt_at <= $1"
        " ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)"
        " RETURNING " INBOX_COLS;
    pq_params p = {0};
    pp_int(&p, now);
    pp_int(&p, lease);
    pp_int(&p, max);
    return pq_list(s, ar, sql, &p, sizeof **out, read_inbox, (void **)out, n, "wa_inbox_claim");
}

err_t pg_wa_inbox_finish(store_t *s, int64_t id, const char *state, const char *error,
                         const char *summary, int64_t now)
{
    static const char sql[] =
        "UPDATE wa_inbox SET state = $1, error = $2, processed_at = $3, summary = $4 WHERE id = $5";
    pq_params p = {0};
    pp_text(&p, state);
    pp_text(&p, error);
    pp_int(&p, now);
    pp_text(&p, summary);
    pp_int(&p, id);
    return query(s, sql, &p, NULL, "wa_inbox_finish");
}

err_t pg_wa_inbox_purge(store_t *s, const char *state, int64_t before, unsigned max, int64_t now,
                        size_t *n)
{
    /* As sqlite_wa.c; SKIP LOCKED: instances purging at once take
     * different rows. */
    static const char done[] =
        "UPDATE wa_inbox SET body = '', body_state = 'removed', removed_at = $3"
        " WHERE id IN (SELECT id FROM wa_inbox WHERE state = 'done' AND body_state = 'raw'"
        " AND processed_at < $1 ORDER BY processed_at, id LIMIT $2 FOR UPDATE SKIP LOCKED)";
    static const char dead[] =
        "UPDATE wa_inbox SET body = '', body_state = 'removed', removed_at = $3"
        " WHERE id IN (SELECT id FROM wa_inbox WHERE state = 'dead' AND body_state <> 'removed'"
        " AND COALESCE(processed_at, received_at) < $1 ORDER BY id LIMIT $2"
        " FOR UPDATE SKIP LOCKED)";
    pq_params p = {0};
    PGresult *r = NULL;
    *n = 0;
    pp_int(&p, before);
    pp_int(&p, max);
    pp_int(&p, now);
    err_t e = query(s, strcmp(state, "dead") == 0 ? dead : done, &p, &r, "wa_inbox_purge");
    if (e == ERR_OK)
        *n = (size_t)pq_affected(r);
    PQclear(r);
    return e;
}

err_t pg_wa_inbox_unsealed(store_t *s, arena_t *ar, unsigned max, store_wa_inbox_row **out,
                           size_t *n)
{
    static const char sql[] = "SELECT " INBOX_COLS " FROM wa_inbox"
                              " WHERE state = 'dead' AND body_state = 'raw' ORDER BY id LIMIT $1";
    pq_params p = {0};
    pp_int(&p, max);
    return pq_list(s, ar, sql, &p, sizeof **out, read_inbox, (void **)out, n, "wa_inbox_unsealed");
}

err_t pg_wa_inbox_seal(store_t *s, int64_t id, const char *sealed)
{
    static const char sql[] = "UPDATE wa_inbox SET body = $2, body_state = 'sealed'"
                              " WHERE id = $1 AND state = 'dead' AND body_state = 'raw'";
    pq_params p = {0};
    PGresult *r = NULL;
    pp_int(&p, id);
    pp_text(&p, sealed);
    err_t e = query(s, sql, &p, &r, "wa_inbox_seal");
    if (e == ERR_OK && pq_affected(r) == 0)
        e = ERR_NOT_FOUND;
    PQclear(r);
    return e;
}

err_t pg_agency_by_number(store_t *s, arena_t *ar, const char *phone_number_id, store_agency *out)
{
    static const char sql[] =
        "SELECT a.id, a.code, a.name, a.kind, a.timezone, a.wa_template_status,"
        " a.wa_template_reply, a.wa_template_lang FROM agencies a"
        " JOIN agency_numbers n ON n.agency_id = a.id"
        " WHERE n.phone_number_id = $1";
    pq_params p = {0};
    PGresult *r = NULL;
    pp_text(&p, phone_number_id);
    err_t e = query(s, sql, &p, &r, "agency_by_number");
    if (e != ERR_OK)
        return e;
    if (PQntuples(r) == 0) {
        e = ERR_NOT_FOUND;
    } else {
        out->id = pq_int(r, 0, 0);
        out->code = pq_text(ar, r, 0, 1);
        out->name = pq_text(ar, r, 0, 2);
        out->kind = pq_text(ar, r, 0, 3);
        out->timezone = pq_text(ar, r, 0, 4);
        out->wa_template_status = pq_text(ar, r, 0, 5);
        out->wa_template_reply = pq_text(ar, r, 0, 6);
        out->wa_template_lang = pq_text(ar, r, 0, 7);
    }
    PQclear(r);
    return e;
}

err_t pg_wa_conversation_get(store_t *s, arena_t *ar, int64_t agency_id, const char *wa_id,
                             store_wa_conversation *out)
{
    static const char sql[] = "SELECT state, draft, lang, version, last_inbound_at, updated_at"
                              " FROM wa_conversations WHERE agency_id = $1 AND wa_id = $2";
    pq_params p = {0};
    PGresult *r = NULL;
    pp_int(&p, agency_id);
    pp_text(&p, wa_id);
    err_t e = query(s, sql, &p, &r, "wa_conversation_get");
    if (e != ERR_OK)
        return e;
    if (PQntuples(r) == 0) {
        *out = (store_wa_conversation){"idle", "{}", "id", -1, 0, 0};
    } else {
        out->state = pq_text(ar, r, 0, 0);
        out->draft = pq_text(ar, r, 0, 1);
        out->lang = pq_text(ar, r, 0, 2);
        out->version = (int)pq_int(r, 0, 3);
        out->last_inbound_at = pq_int(r, 0, 4);
        out->updated_at = pq_int(r, 0, 5);
    }
    PQclear(r);
    return ERR_OK;
}

/* Runs sql in the caller's transaction; *changed gets the rows affected. */
static err_t run_changed(pconn_t *c, const char *sql, const pq_params *p, int64_t *changed,
                         const char *what)
{
    PGresult *r = NULL;
    err_t e = pq_run(c, sql, p, &r, what);
    if (e == ERR_OK && changed)
        *changed = pq_affected(r);
    PQclear(r);
    return e;
}

static err_t put_conversation(pconn_t *c, const store_wa_effects *fx)
{
    static const char ins[] =
        "INSERT INTO wa_conversations (agency_id, wa_id, phone_number_id, state, draft, lang,"
        " version, last_inbound_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7)"
        " ON CONFLICT DO NOTHING";
    static const char upd[] =
        "UPDATE wa_conversations SET state = $4, draft = $5, lang = $6, version = version + 1,"
        " phone_number_id = $3, last_inbound_at = GREATEST(last_inbound_at, $7), updated_at = $7"
        " WHERE agency_id = $1 AND wa_id = $2 AND version = $8";
    pq_params p = {0};
    int64_t changed = 0;
    pp_int(&p, fx->agency_id);
    pp_text(&p, fx->wa_id);
    pp_text(&p, fx->phone_number_id);
    pp_text(&p, fx->state);
    pp_text(&p, fx->draft);
    pp_text(&p, fx->lang);
    pp_int(&p, fx->now);
    if (fx->expect_version >= 0)
        pp_int(&p, fx->expect_version);
    err_t e = run_changed(c, fx->expect_version < 0 ? ins : upd, &p, &changed, "wa_conversation");
    return e == ERR_OK && changed == 0 ? ERR_CONFLICT : e;
}

/* See sqlite_wa.c. */
static err_t claim_flow(pconn_t *c, int64_t agency_id, int64_t reporter_id, int64_t case_id,
                        const char *flow_from)
{
    static const char sql[] =
        "UPDATE messages SET case_id = $3 WHERE agency_id = $1 AND reporter_id = $2"
        " AND case_id IS NULL AND direction = 'in'"
        " AND id >= (SELECT f.id FROM messages f WHERE f.wamid = $4)";
    pq_params p = {0};
    if (!flow_from)
        return ERR_OK;
    pp_int(&p, agency_id);
    pp_int(&p, reporter_id);
    pp_int(&p, case_id);
    pp_text(&p, flow_from);
    return run_changed(c, sql, &p, NULL, "claim_flow");
}

static err_t log_and_case(pconn_t *c, arena_t *ar, store_wa_effects *fx, int64_t *reporter)
{
    static const char msg[] = "INSERT INTO messages (agency_id, reporter_id, case_id, direction,"
                              " wamid, type, body, created_at, media_id, lat, lon, draft)"
                              " VALUES ($1, $2, $3, 'in', $4, $5, $6, $7, $8, $9, $10, $11)";
    static const char att[] = "INSERT INTO attachments (case_id, sha256, mime, filename, source,"
                              " state, media_id, created_at)"
                              " VALUES ($1, $2, $3, $4, 'citizen', 'pending', $5, $6)";
    /* Name and consent are kept only with a report the citizen agreed to
     * (UU PDP); before that the reporter is just the WhatsApp id. */
    store_reporter_in rep = {fx->new_case ? fx->profile_name : NULL, NULL, fx->wa_id, NULL,
                             fx->new_case ? fx->now : 0};
    static const char own[] = "SELECT id FROM cases WHERE tracking_code = $1 AND agency_id = $2"
                              " AND reporter_id = $3";
    static const char add_text[] =
        "UPDATE cases SET description = substr(description || $2, 1, 4000), updated_at = $3"
        " WHERE id = $1";
    int64_t case_id = 0;
    err_t e = pq_put_reporter(c, &rep, fx->now, reporter);
    if (e == ERR_OK && fx->new_case) {
        fx->new_case->reporter_id = *reporter;
        e = pq_insert_case(c, ar, fx->new_case, NULL, NULL);
        case_id = fx->new_case->id;
        if (e == ERR_OK)
            e = claim_flow(c, fx->agency_id, *reporter, case_id, fx->flow_from);
    } else if (e == ERR_OK && fx->case_code) {
        pq_params q = {0};
        PGresult *r = NULL;
        pp_text(&q, fx->case_code);
        pp_int(&q, fx->agency_id);
        pp_int(&q, *reporter);
        e = pq_run(c, own, &q, &r, "case_of_reporter");
        if (e == ERR_OK && PQntuples(r) == 1)
            case_id = pq_int(r, 0, 0);
        PQclear(r);
        if (e == ERR_OK && case_id && fx->case_text) {
            pq_params t = {0};
            pp_int(&t, case_id);
            pp_text(&t, fx->case_text);
            pp_int(&t, fx->now);
            e = run_changed(c, add_text, &t, NULL, "case_text_append");
        }
    }
    for (size_t i = 0; e == ERR_OK && case_id && i < fx->nmedia; i++) {
        pq_params p = {0};
        pp_int(&p, case_id);
        pp_text(&p, fx->media[i].sha256);
        pp_text(&p, fx->media[i].mime ? fx->media[i].mime : "application/octet-stream");
        pp_text(&p, fx->media[i].filename);
        pp_text(&p, fx->media[i].media_id);
        pp_int(&p, fx->now);
        e = run_changed(c, att, &p, NULL, "attachment_pending");
    }
    if (e != ERR_OK)
        return e;
    pq_params p = {0};
    pp_int(&p, fx->agency_id);
    pp_id(&p, *reporter);
    pp_id(&p, case_id);
    pp_text(&p, fx->wamid);
    pp_text(&p, fx->msg_type ? fx->msg_type : "unknown");
    pp_text(&p, fx->msg_body);
    pp_int(&p, fx->msg_time ? fx->msg_time : fx->now);
    pp_text(&p, fx->msg_media_id);
    if (fx->msg_has_location) {
        pp_real(&p, fx->msg_lat);
        pp_real(&p, fx->msg_lon);
    } else {
        pp_null(&p);
        pp_null(&p);
    }
    pp_int(&p, fx->msg_draft ? 1 : 0);
    return run_changed(c, msg, &p, NULL, "message_log");
}

err_t pg_wa_apply(store_t *s, arena_t *ar, store_wa_effects *fx)
{
    static const char seen[] =
        "INSERT INTO wa_seen (key, created_at) VALUES ($1, $2) ON CONFLICT DO NOTHING";
    static const char out_sql[] =
        "INSERT INTO wa_outbox (agency_id, phone_number_id, to_wa_id, case_id, kind, payload,"
        " template, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)";
    pconn_t *c = pq_get(s);
    if (!c)
        return ERR_UNAVAILABLE;
    int64_t reporter = 0, changed = 0;
    pq_params p = {0};
    fx->duplicate = false;
    pp_text(&p, fx->seen_key);
    pp_int(&p, fx->now);
    err_t e = pq_begin(c);
    if (e == ERR_OK)
        e = run_changed(c, seen, &p, &changed, "wa_seen");
    if (e == ERR_OK && changed == 0) {
        fx->duplicate = true;
        goto out;
    }
    if (e == ERR_OK)
        e = put_conversation(c, fx);
    if (e == ERR_OK)
        e = log_and_case(c, ar, fx, &reporter);
    if (e == ERR_OK && fx->svc)
        e = svc_wa_apply(pq_q(s, c), ar, fx);
    for (size_t i = 0; e == ERR_OK && i < fx->nout; i++) {
        const store_wa_out *o = &fx->out[i];
        pq_params q = {0};
        pp_int(&q, fx->agency_id);
        pp_text(&q, fx->phone_number_id);
        pp_text(&q, fx->wa_id);
        pp_id(&q, o->for_new_case && fx->new_case ? fx->new_case->id : 0);
        pp_text(&q, o->kind);
        pp_text(&q, o->payload);
        pp_text(&q, o->template);
        pp_int(&q, fx->now);
        e = run_changed(c, out_sql, &q, NULL, "wa_outbox_add");
    }
    if (e == ERR_OK)
        e = pq_commit(c);
out:
    pq_rollback(c);
    pq_put(s, c);
    return e;
}

err_t pg_wa_status(store_t *s, const char *wamid, const char *status, const char *error,
                   int64_t now, bool *duplicate)
{
    static const char seen[] =
        "INSERT INTO wa_seen (key, created_at) VALUES ($1, $2) ON CONFLICT DO NOTHING";
    static const char upd[] =
        "UPDATE wa_outbox SET delivery = $2, last_error = COALESCE($3, last_error),"
        " updated_at = $4 WHERE wamid = $1 AND"
        " (CASE $2::text WHEN 'sent' THEN 1 WHEN 'delivered' THEN 2 WHEN 'read' THEN 3"
        "  WHEN 'played' THEN 3 WHEN 'failed' THEN 4 ELSE 0 END) >"
        " (CASE COALESCE(delivery, '') WHEN 'sent' THEN 1 WHEN 'delivered' THEN 2"
        "  WHEN 'read' THEN 3 WHEN 'played' THEN 3 WHEN 'failed' THEN 4 ELSE 0 END)";
    char key[512];
    snprintf(key, sizeof key, "s:%s:%s", wamid, status);
    pconn_t *c = pq_get(s);
    if (!c)
        return ERR_UNAVAILABLE;
    int64_t changed = 0;
    pq_params p = {0}, q = {0};
    *duplicate = false;
    pp_text(&p, key);
    pp_int(&p, now);
    pp_text(&q, wamid);
    pp_text(&q, status);
    pp_text(&q, error);
    pp_int(&q, now);
    err_t e = pq_begin(c);
    if (e == ERR_OK)
        e = run_changed(c, seen, &p, &changed, "wa_seen");
    if (e == ERR_OK && changed == 0) {
        *duplicate = true;
        goto out;
    }
    if (e == ERR_OK)
        e = run_changed(c, upd, &q, NULL, "wa_status");
    if (e == ERR_OK)
        e = pq_commit(c);
out:
    pq_rollback(c);
    pq_put(s, c);
    return e;
}

err_t pg_wa_outbox_claim(store_t *s, arena_t *ar, int64_t now, int64_t lease, unsigned max,
                         store_wa_outbox_row **out, size_t *n)
{
    static const char sql[] =
        "UPDATE wa_outbox o SET next_attempt_at = $1::bigint + $2::bigint,"
        " attempts = o.attempts + 1 WHERE o.id IN (SELECT id FROM wa_outbox WHERE state = 'pending'"
        " AND next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)"
        " RETURNING o.id, o.agency_id, o.case_id, o.phone_number_id, o.to_wa_id, o.kind,"
        " o.payload, o.template, o.attempts, (SELECT last_inbound_at FROM wa_conversations w"
        " WHERE w.agency_id = o.agency_id AND w.wa_id = o.to_wa_id), o.event_id,"
        " (SELECT lang FROM wa_conversations w WHERE w.agency_id = o.agency_id"
        " AND w.wa_id = o.to_wa_id)";
    pq_params p = {0};
    pp_int(&p, now);
    pp_int(&p, lease);
    pp_int(&p, max);
    return pq_list(s, ar, sql, &p, sizeof **out, read_outbox_row, (void **)out, n,
                   "wa_outbox_claim");
}

err_t pg_wa_outbox_sent(store_t *s, int64_t id, const char *wamid, bool used_template,
                        const char *payload, int64_t now)
{
    static const char sql[] = "UPDATE wa_outbox SET state = 'sent', wamid = $1, used_template = $2,"
                              " delivery = COALESCE(delivery, 'accepted'), last_error = NULL,"
                              " updated_at = $3, payload = COALESCE($4, payload) WHERE id = $5";
    pq_params p = {0};
    pp_text(&p, wamid);
    pp_bool(&p, used_template);
    pp_int(&p, now);
    pp_text(&p, payload);
    pp_int(&p, id);
    return query(s, sql, &p, NULL, "wa_outbox_sent");
}

err_t pg_wa_outbox_retry(store_t *s, int64_t id, int64_t next_at, const char *error, int64_t now)
{
    static const char retry[] = "UPDATE wa_outbox SET next_attempt_at = $1, last_error = $2,"
                                " updated_at = $3 WHERE id = $4";
    static const char fail[] = "UPDATE wa_outbox SET state = 'failed', last_error = $1,"
                               " updated_at = $2 WHERE id = $3 RETURNING case_id";
    static const char lock[] = "SELECT status FROM cases WHERE id = $1 FOR UPDATE";
    static const char event[] =
        "INSERT INTO case_events (case_id, seq, action, from_status, to_status, note, is_public,"
        " created_at) SELECT $1::bigint, COALESCE(MAX(e.seq), 0) + 1, 'notify_failed', c.status,"
        " c.status, $2::text, FALSE, $3::bigint FROM cases c LEFT JOIN case_events e"
        " ON e.case_id = c.id WHERE c.id = $1 GROUP BY c.id";
    if (next_at) {
        pq_params p = {0};
        pp_int(&p, next_at);
        pp_text(&p, error);
        pp_int(&p, now);
        pp_int(&p, id);
        return query(s, retry, &p, NULL, "wa_outbox_retry");
    }
    pconn_t *c = pq_get(s);
    if (!c)
        return ERR_UNAVAILABLE;
    pq_params p = {0}, q = {0}, k = {0};
    PGresult *r = NULL;
    int64_t case_id = 0;
    pp_text(&p, error);
    pp_int(&p, now);
    pp_int(&p, id);
    err_t e = pq_begin(c);
    if (e == ERR_OK)
        e = pq_run(c, fail, &p, &r, "wa_outbox_fail");
    if (e == ERR_OK && PQntuples(r))
        case_id = pq_int(r, 0, 0);
    PQclear(r);
    if (e == ERR_OK && case_id) {
        /* The case row lock orders this event with concurrent transitions. */
        pp_int(&k, case_id);
        e = pq_run(c, lock, &k, NULL, "case_lock");
        pp_int(&q, case_id);
        pp_text(&q, error);
        pp_int(&q, now);
        if (e == ERR_OK)
            e = pq_run(c, event, &q, NULL, "notify_failed_event");
    }
    if (e == ERR_OK)
        e = pq_commit(c);
    pq_rollback(c);
    pq_put(s, c);
    return e;
}

err_t pg_wa_outbox_list(store_t *s, arena_t *ar, const char *to_wa_id, unsigned limit,
                        store_wa_outbox_item **out, size_t *n)
{
    static const char sql[] =
        "SELECT id, case_id, to_wa_id, kind, payload, state, last_error, wamid, delivery,"
        " attempts, used_template, created_at, phone_number_id FROM wa_outbox"
        " WHERE ($1::text IS NULL OR to_wa_id = $1) ORDER BY id DESC LIMIT $2";
    pq_params p = {0};
    pp_text(&p, to_wa_id);
    pp_int(&p, limit);
    return pq_list(s, ar, sql, &p, sizeof **out, read_outbox_item, (void **)out, n,
                   "wa_outbox_list");
}

err_t pg_case_list_for_wa(store_t *s, arena_t *ar, int64_t agency_id, const char *wa_id,
                          unsigned limit, store_case **out, size_t *n)
{
    static const char sql[] =
        "SELECT c.id, c.tracking_code, c.status, c.created_at, k.name_id,"
        " k.name_en FROM cases c JOIN reporters r ON r.id = c.reporter_id"
        " LEFT JOIN categories k ON k.id = c.category_id"
        " WHERE c.agency_id = $1 AND r.wa_id = $2 ORDER BY c.id DESC LIMIT $3";
    pq_params p = {0};
    pp_int(&p, agency_id);
    pp_text(&p, wa_id);
    pp_int(&p, limit);
    return pq_list(s, ar, sql, &p, sizeof **out, read_wa_case, (void **)out, n, "case_list_for_wa");
}

/* See sqlite_wa.c: a case from WhatsApp, or a walk-in whose reporter agreed. */
#define WA_TARGET                                                                                  \
    "SELECT c.agency_id AS agency_id, COALESCE(w.phone_number_id, (SELECT MIN(n.phone_number_id)"  \
    " FROM agency_numbers n WHERE n.agency_id = c.agency_id)) AS pnid, r.wa_id AS wa_id,"          \
    " c.id AS case_id, w.last_inbound_at AS last_in FROM cases c"                                  \
    " JOIN reporters r ON r.id = c.reporter_id LEFT JOIN wa_conversations w"                       \
    " ON w.agency_id = c.agency_id AND w.wa_id = r.wa_id"                                          \
    " WHERE c.id = $1 AND (c.channel = 'whatsapp' OR c.wa_consent_at IS NOT NULL)"                 \
    " AND r.wa_id IS NOT NULL"

err_t pq_wa_queue_status(pconn_t *c, int64_t case_id, int64_t event_id, int64_t now)
{
    static const char sql[] =
        "INSERT INTO wa_outbox (agency_id, phone_number_id, to_wa_id, case_id, kind, payload,"
        " event_id, created_at, updated_at) SELECT agency_id, pnid, wa_id, case_id,"
        " 'status_update', '', $2::bigint, $3::bigint, $3::bigint FROM (" WA_TARGET
        ") x WHERE pnid IS NOT NULL";
    pq_params p = {0};
    pp_int(&p, case_id);
    pp_int(&p, event_id);
    pp_int(&p, now);
    return run_changed(c, sql, &p, NULL, "wa_queue_status");
}

err_t pg_wa_operator_message(store_t *s, int64_t case_id, int64_t actor_id, const char *payload,
                             const char *template, const char *note, int64_t now,
                             int64_t *outbox_id, bool *window_open)
{
    static const char target[] = WA_TARGET " FOR UPDATE OF c";
    static const char ins[] =
        "INSERT INTO wa_outbox (agency_id, phone_number_id, to_wa_id, case_id, kind, payload,"
        " template, created_at, updated_at) VALUES ($1, $2, $3, $4, 'operator', $5, $6, $7, $7)"
        " RETURNING id";
    static const char event[] =
        "INSERT INTO case_events (case_id, seq, action, from_status, to_status, actor_id,"
        " public_note, is_public, created_at) SELECT $1::bigint, COALESCE(MAX(e.seq), 0) + 1,"
        " 'message', c.status, c.status, $2::bigint, $3::text, FALSE, $4::bigint FROM cases c"
        " LEFT JOIN case_events e ON e.case_id = c.id WHERE c.id = $1 GROUP BY c.id";
    pconn_t *c = pq_get(s);
    if (!c)
        return ERR_UNAVAILABLE;
    pq_params p = {0};
    PGresult *r = NULL;
    pp_int(&p, case_id);
    err_t e = pq_begin(c);
    if (e == ERR_OK)
        e = pq_run(c, target, &p, &r, "wa_target");
    if (e == ERR_OK && (PQntuples(r) == 0 || pq_null(r, 0, 1)))
        e = ERR_NOT_FOUND;
    if (e == ERR_OK) {
        int64_t last_in = pq_int(r, 0, 4);
        *window_open = last_in && now - last_in < 24 * 3600;
        pq_params q = {0};
        PGresult *ri = NULL;
        pp_int(&q, pq_int(r, 0, 0));
        pp_text(&q, PQgetvalue(r, 0, 1));
        pp_text(&q, PQgetvalue(r, 0, 2));
        pp_int(&q, case_id);
        pp_text(&q, payload);
        pp_text(&q, template);
        pp_int(&q, now);
        e = pq_run(c, ins, &q, &ri, "wa_operator_outbox");
        if (e == ERR_OK)
            *outbox_id = pq_int(ri, 0, 0);
        PQclear(ri);
    }
    PQclear(r);
    if (e == ERR_OK) {
        pq_params q = {0};
        pp_int(&q, case_id);
        pp_id(&q, actor_id);
        pp_text(&q, note);
        pp_int(&q, now);
        e = run_changed(c, event, &q, NULL, "wa_operator_event");
    }
    if (e == ERR_OK)
        e = pq_commit(c);
    pq_rollback(c);
    pq_put(s, c);
    return e;
}

err_t pg_wa_media_claim(store_t *s, arena_t *ar, int64_t now, int64_t lease, unsigned max,
                        store_wa_media_job **out, size_t *n)
{
    static const char sql[] =
        "UPDATE attachments SET next_attempt_at = $1::bigint + $2::bigint, attempts = attempts + 1"
        " WHERE id IN (SELECT id FROM attachments WHERE state = 'pending' AND media_id IS NOT NULL"
        " AND next_attempt_at <= $1 ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED)"
        " RETURNING id, case_id, media_id, mime, sha256, attempts";
    pq_params p = {0};
    pp_int(&p, now);
    pp_int(&p, lease);
    pp_int(&p, max);
    return pq_list(s, ar, sql, &p, sizeof **out, read_media_job, (void **)out, n, "wa_media_claim");
}

err_t pg_wa_media_stored(store_t *s, int64_t id, const char *sha256_hex, int64_t size,
                         const char *mime, int64_t now)
{
    static const char sql[] = "UPDATE attachments SET state = 'stored', sha256 = $1,"
                              " size_bytes = $2, mime = COALESCE($3, mime), last_error = NULL,"
                              " next_attempt_at = $4 WHERE id = $5";
    pq_params p = {0};
    pp_text(&p, sha256_hex);
    pp_int(&p, size);
    pp_text(&p, mime);
    pp_int(&p, now);
    pp_int(&p, id);
    return query(s, sql, &p, NULL, "wa_media_stored");
}

err_t pg_wa_media_retry(store_t *s, int64_t id, int64_t next_at, const char *error, int64_t now)
{
    static const char sql[] =
        "UPDATE attachments SET state = CASE WHEN $1::bigint = 0 THEN 'failed' ELSE state END,"
        " next_attempt_at = $1, last_error = $2 WHERE id = $3";
    (void)now;
    pq_params p = {0};
    pp_int(&p, next_at);
    pp_text(&p, error);
    pp_int(&p, id);
    return query(s, sql, &p, NULL, "wa_media_retry");
}

err_t pg_wa_text_set(store_t *s, const char *key, const char *lang, const char *text,
                     int64_t user_id, int64_t now)
{
    static const char put[] = "INSERT INTO wa_texts (key, lang, text, updated_by, updated_at)"
                              " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (key, lang) DO UPDATE SET"
                              " text = excluded.text, updated_by = excluded.updated_by,"
                              " updated_at = excluded.updated_at";
    static const char del[] = "DELETE FROM wa_texts WHERE key = $1 AND lang = $2";
    pq_params p = {0};
    pp_text(&p, key);
    pp_text(&p, lang);
    if (text) {
        pp_text(&p, text);
        pp_id(&p, user_id);
        pp_int(&p, now);
    }
    return query(s, text ? put : del, &p, NULL, "wa_text_set");
}

err_t pg_wa_text_list(store_t *s, arena_t *ar, store_wa_text **out, size_t *n, int64_t *version)
{
    static const char sql[] = "SELECT key, lang, text, updated_at FROM wa_texts"
                              " ORDER BY key COLLATE \"C\", lang";
    PGresult *r = NULL;
    *out = NULL;
    *n = 0;
    *version = 0;
    err_t e = query(s, sql, NULL, &r, "wa_text_list");
    if (e != ERR_OK)
        return e;
    int rows = PQntuples(r);
    store_wa_text *arr = pq_alloc_rows(ar, sizeof *arr, rows);
    for (int i = 0; arr && i < rows; i++) {
        arr[i].key = pq_text(ar, r, i, 0);
        arr[i].lang = pq_text(ar, r, i, 1);
        arr[i].text = pq_text(ar, r, i, 2);
        arr[i].updated_at = pq_int(r, i, 3);
        *version = *version * 31 + arr[i].updated_at + (int64_t)strlen(arr[i].text);
    }
    PQclear(r);
    if (!arr)
        return ERR_NOMEM;
    *version = *version * 31 + rows;
    *out = arr;
    *n = (size_t)rows;
    return ERR_OK;
}

/* ---- retention of abandoned drafts ------------------------------------------------- */

/* As sqlite_wa.c. */
#define DRAFT_HOLDS_WORDS                                                                          \
    " (draft LIKE '%\"report\":%' OR draft LIKE '%\"svc\":%' OR draft LIKE '%\"said\":%')"

static void read_draft(arena_t *ar, PGresult *r, int i, void *elem)
{
    store_wa_draft *v = elem;
    v->agency_id = pq_int(r, i, 0);
    v->wa_id = pq_text(ar, r, i, 1);
    v->draft = pq_text(ar, r, i, 2);
    v->version = (int)pq_int(r, i, 3);
}

err_t pg_wa_drafts_stale(store_t *s, arena_t *ar, int64_t before, unsigned max,
                         store_wa_draft **out, size_t *n)
{
    static const char sql[] =
        "SELECT agency_id, wa_id, draft, version FROM wa_conversations"
        " WHERE updated_at < $1 AND" DRAFT_HOLDS_WORDS " ORDER BY updated_at LIMIT $2";
    pq_params p = {0};
    pp_int(&p, before);
    pp_int(&p, max);
    return pq_list(s, ar, sql, &p, sizeof **out, read_draft, (void **)out, n, "wa_drafts_stale");
}

err_t pg_wa_draft_clean(store_t *s, int64_t agency_id, const char *wa_id, int version,
                        const char *draft)
{
    static const char sql[] = "UPDATE wa_conversations SET draft = $4, version = version + 1"
                              " WHERE agency_id = $1 AND wa_id = $2 AND version = $3";
    pq_params p = {0};
    PGresult *r = NULL;
    pp_int(&p, agency_id);
    pp_text(&p, wa_id);
    pp_int(&p, version);
    pp_text(&p, draft);
    err_t e = query(s, sql, &p, &r, "wa_draft_clean");
    if (e == ERR_OK && pq_affected(r) == 0)
        e = ERR_CONFLICT;
    PQclear(r);
    return e;
}
