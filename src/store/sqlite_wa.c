/* The SQLite store: the WhatsApp channel's tables. */
#include "store/sqlite_int.h"
#include "store/svc_int.h"

#include <stdio.h>
#include <string.h>

/* Readers of the list queries below: one per row shape. */
static void read_inbox(arena_t *ar, sqlite3_stmt *st, void *elem)
{
    store_wa_inbox_row *v = elem;
    v->id = sq_int(st, 0);
    v->body = sq_text(ar, st, 1);
    v->state = sq_text(ar, st, 2);
    v->attempts = (int)sq_int(st, 3);
    v->error = sq_text(ar, st, 4);
    v->received_at = sq_int(st, 5);
    v->processed_at = sq_int(st, 6);
    v->summary = sq_text(ar, st, 7);
    v->body_state = sq_text(ar, st, 8);
    v->removed_at = sq_int(st, 9);
}

/* The columns read_inbox reads. */
#define INBOX_COLS                                                                                 \
    "id, body, state, attempts, error, received_at, processed_at, summary, body_state, removed_at"

static void read_outbox_row(arena_t *ar, sqlite3_stmt *st, void *elem)
{
    store_wa_outbox_row *v = elem;
    v->id = sq_int(st, 0);
    v->agency_id = sq_int(st, 1);
    v->case_id = sq_int(st, 2);
    v->phone_number_id = sq_text(ar, st, 3);
    v->to_wa_id = sq_text(ar, st, 4);
    v->kind = sq_text(ar, st, 5);
    v->payload = sq_text(ar, st, 6);
    v->template = sq_text(ar, st, 7);
    v->attempts = (int)sq_int(st, 8);
    v->last_inbound_at = sq_int(st, 9);
    v->event_id = sq_int(st, 10);
    v->lang = sq_text(ar, st, 11);
}

static void read_outbox_item(arena_t *ar, sqlite3_stmt *st, void *elem)
{
    store_wa_outbox_item *v = elem;
    v->id = sq_int(st, 0);
    v->case_id = sq_int(st, 1);
    v->to_wa_id = sq_text(ar, st, 2);
    v->kind = sq_text(ar, st, 3);
    v->payload = sq_text(ar, st, 4);
    v->state = sq_text(ar, st, 5);
    v->last_error = sq_text(ar, st, 6);
    v->wamid = sq_text(ar, st, 7);
    v->delivery = sq_text(ar, st, 8);
    v->attempts = (int)sq_int(st, 9);
    v->used_template = sq_int(st, 10) != 0;
    v->created_at = sq_int(st, 11);
    v->phone_number_id = sq_text(ar, st, 12);
}

static void read_wa_case(arena_t *ar, sqlite3_stmt *st, void *elem)
{
    store_case *v = elem;
    memset(v, 0, sizeof *v);
    v->id = sq_int(st, 0);
    v->tracking_code = sq_text(ar, st, 1);
    v->status = sq_text(ar, st, 2);
    v->created_at = sq_int(st, 3);
    v->category_name_id = sq_text(ar, st, 4);
    v->category_name_en = sq_text(ar, st, 5);
}

static void read_media_job(arena_t *ar, sqlite3_stmt *st, void *elem)
{
    store_wa_media_job *v = elem;
    v->id = sq_int(st, 0);
    v->case_id = sq_int(st, 1);
    v->media_id = sq_text(ar, st, 2);
    v->mime = sq_text(ar, st, 3);
    v->sha256 = sq_text(ar, st, 4);
    v->attempts = (int)sq_int(st, 5);
}

err_t sq_wa_inbox_add(store_t *s, const char *body, size_t len, const char *dead_reason,
                      int64_t now, int64_t *id)
{
    static const char sql[] = "INSERT INTO wa_inbox (received_at, body, state, error)"
                              " VALUES (?, ?, ?, ?)";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_text(st, 2, body, (int)len, SQLITE_STATIC);
    sq_bind_text(st, 3, dead_reason ? "dead" : "new");
    sq_bind_text(st, 4, dead_reason);
    sq_write_lock(c); /* the hot path: queue behind other writers, do not poll */
    e = sq_exec_stmt(c, st, "wa_inbox_add");
    sq_write_unlock(c);
    if (e == ERR_OK && id)
        *id = sqlite3_last_insert_rowid(c->db);
out:
    sq_put(s, c);
    return e;
}

err_t sq_wa_inbox_add_batch(store_t *s, store_wa_inbox_new *rows, size_t n, int64_t now)
{
    static const char sql[] = "INSERT INTO wa_inbox (received_at, body, state, error)"
                              " VALUES (?, ?, ?, ?)";
    conn_t *c = sq_get(s);
    sqlite3_stmt *st;
    err_t e = sq_begin(c);
    if (e != ERR_OK)
        goto out;
    SQ_PREP(c, st, sql);
    for (size_t i = 0; e == ERR_OK && i < n; i++) {
        sqlite3_bind_int64(st, 1, now);
        sqlite3_bind_text(st, 2, rows[i].body, (int)rows[i].len, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, rows[i].dead_reason ? "dead" : "new", -1, SQLITE_STATIC);
        sq_bind_text(st, 4, rows[i].dead_reason);
        e = sq_exec_stmt(c, st, "wa_inbox_add");
        rows[i].id = sqlite3_last_insert_rowid(c->db);
    }
    if (e == ERR_OK)
        e = sq_commit(c);
out:
    sq_rollback(c);
    sq_put(s, c);
    return e;
}

err_t sq_wa_inbox_list(store_t *s, arena_t *ar, const char *state, unsigned limit,
                       store_wa_inbox_row **out, size_t *n)
{
    /* The state as a literal: only then can the planner use the partial
     * indexes of new and dead rows (migration 0013). */
#define INBOX_LIST(where) "SELECT " INBOX_COLS " FROM wa_inbox" where " ORDER BY id DESC LIMIT ?1"
    static const char all[] = INBOX_LIST(""), fresh[] = INBOX_LIST(" WHERE state = 'new'"),
                      dead[] = INBOX_LIST(" WHERE state = 'dead'"),
                      done[] = INBOX_LIST(" WHERE state = 'done'");
#undef INBOX_LIST
    const char *sql = !state                   ? all
                      : !strcmp(state, "new")  ? fresh
                      : !strcmp(state, "dead") ? dead
                                               : done;
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    *out = NULL;
    *n = 0;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int(st, 1, (int)limit);
    e = sq_collect(c, st, ar, sizeof **out, read_inbox, (void **)out, n, "wa_inbox_list");
out:
    sq_put(s, c);
    return e;
}

err_t sq_wa_inbox_claim(store_t *s, arena_t *ar, int64_t now, int64_t lease, unsigned max,
                        store_wa_inbox_row **out, size_t *n)
{
    static const char sql[] =
        "UPDATE wa_inbox SET next_attempt_at = ?1 + ?2, attempts = attempts + 1"
        " WHERE id IN (SELECT id FROM wa_inbox WHERE state = 'new' AND next_attempt_at <= ?1"
        " ORDER BY next_attempt_at, id LIMIT ?3)"
        " RETURNING " INBOX_COLS;
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    *out = NULL;
    *n = 0;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_int64(st, 2, lease);
    sqlite3_bind_int(st, 3, (int)max);
    e = sq_collect(c, st, ar, sizeof **out, read_inbox, (void **)out, n, "wa_inbox_claim");
out:
    sq_put(s, c);
    return e;
}

err_t sq_wa_inbox_finish(store_t *s, int64_t id, const char *state, const char *error,
                         const char *summary, int64_t now)
{
    static const char sql[] =
        "UPDATE wa_inbox SET state = ?, error = ?, processed_at = ?, summary = ? WHERE id = ?";
    return SQ_WRITE(s, sql, "wa_inbox_finish", false, SQ_TEXT(state), SQ_TEXT(error), SQ_INT(now),
                    SQ_TEXT(summary), SQ_INT(id));
}

err_t sq_wa_inbox_purge(store_t *s, const char *state, int64_t before, unsigned max, int64_t now,
                        size_t *n)
{
    /* Processed bodies along wa_inbox_retained, oldest first; dead letters
     * (few) along wa_inbox_dead. */
    static const char done[] =
        "UPDATE wa_inbox SET body = '', body_state = 'removed', removed_at = ?3"
        " WHERE id IN (SELECT id FROM wa_inbox WHERE state = 'done' AND body_state = 'raw'"
        " AND processed_at < ?1 ORDER BY processed_at, id LIMIT ?2)";
    static const char dead[] =
        "UPDATE wa_inbox SET body = '', body_state = 'removed', removed_at = ?3"
        " WHERE id IN (SELECT id FROM wa_inbox WHERE state = 'dead' AND body_state <> 'removed'"
        " AND COALESCE(processed_at, received_at) < ?1 ORDER BY id LIMIT ?2)";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    *n = 0;
    /* The removed bodies are zeroed in the file (secure_delete, sqlite.c). */
    SQ_PREP(c, st, strcmp(state, "dead") == 0 ? dead : done);
    sqlite3_bind_int64(st, 1, before);
    sqlite3_bind_int(st, 2, (int)max);
    sqlite3_bind_int64(st, 3, now);
    e = sq_exec_stmt(c, st, "wa_inbox_purge");
    if (e == ERR_OK)
        *n = (size_t)sqlite3_changes(c->db);
out:
    sq_put(s, c);
    return e;
}

err_t sq_wa_inbox_unsealed(store_t *s, arena_t *ar, unsigned max, store_wa_inbox_row **out,
                           size_t *n)
{
    static const char sql[] = "SELECT " INBOX_COLS " FROM wa_inbox"
                              " WHERE state = 'dead' AND body_state = 'raw' ORDER BY id LIMIT ?1";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    *out = NULL;
    *n = 0;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int(st, 1, (int)max);
    e = sq_collect(c, st, ar, sizeof **out, read_inbox, (void **)out, n, "wa_inbox_unsealed");
out:
    sq_put(s, c);
    return e;
}

err_t sq_wa_inbox_seal(store_t *s, int64_t id, const char *sealed)
{
    static const char sql[] = "UPDATE wa_inbox SET body = ?2, body_state = 'sealed'"
                              " WHERE id = ?1 AND state = 'dead' AND body_state = 'raw'";
    return SQ_WRITE(s, sql, "wa_inbox_seal", true, SQ_INT(id), SQ_TEXT(sealed));
}

err_t sq_agency_by_number(store_t *s, arena_t *ar, const char *phone_number_id, store_agency *out)
{
    static const char sql[] =
        "SELECT a.id, a.code, a.name, a.kind, a.timezone, a.wa_template_status,"
        " a.wa_template_reply, a.wa_template_lang FROM agencies a"
        " JOIN agency_numbers n ON n.agency_id = a.id"
        " WHERE n.phone_number_id = ?";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    SQ_PREP(c, st, sql);
    sq_bind_text(st, 1, phone_number_id);
    e = sq_step_row(c, st, "agency_by_number");
    if (e == ERR_OK) {
        out->id = sq_int(st, 0);
        out->code = sq_text(ar, st, 1);
        out->name = sq_text(ar, st, 2);
        out->kind = sq_text(ar, st, 3);
        out->timezone = sq_text(ar, st, 4);
        out->wa_template_status = sq_text(ar, st, 5);
        out->wa_template_reply = sq_text(ar, st, 6);
        out->wa_template_lang = sq_text(ar, st, 7);
    }
    sqlite3_reset(st);
out:
    sq_put(s, c);
    return e;
}

err_t sq_wa_conversation_get(store_t *s, arena_t *ar, int64_t agency_id, const char *wa_id,
                             store_wa_conversation *out)
{
    static const char sql[] = "SELECT state, draft, lang, version, last_inbound_at, updated_at"
                              " FROM wa_conversations WHERE agency_id = ? AND wa_id = ?";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, agency_id);
    sq_bind_text(st, 2, wa_id);
    e = sq_step_row(c, st, "wa_conversation_get");
    if (e == ERR_OK) {
        out->state = sq_text(ar, st, 0);
        out->draft = sq_text(ar, st, 1);
        out->lang = sq_text(ar, st, 2);
        out->version = (int)sq_int(st, 3);
        out->last_inbound_at = sq_int(st, 4);
        out->updated_at = sq_int(st, 5);
    } else if (e == ERR_NOT_FOUND) {
        *out = (store_wa_conversation){"idle", "{}", "id", -1, 0, 0};
        e = ERR_OK;
    }
    sqlite3_reset(st);
out:
    sq_put(s, c);
    return e;
}

/* Inside the transaction: the conversation row, compare-and-set on version. */
static err_t put_conversation(conn_t *c, const store_wa_effects *fx)
{
    static const char ins[] =
        "INSERT INTO wa_conversations (agency_id, wa_id, phone_number_id, state, draft, lang,"
        " version, last_inbound_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, ?7, ?7)"
        " ON CONFLICT DO NOTHING";
    static const char upd[] =
        "UPDATE wa_conversations SET state = ?4, draft = ?5, lang = ?6, version = version + 1,"
        " phone_number_id = ?3, last_inbound_at = MAX(last_inbound_at, ?7), updated_at = ?7"
        " WHERE agency_id = ?1 AND wa_id = ?2 AND version = ?8";
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    SQ_PREP(c, st, fx->expect_version < 0 ? ins : upd);
    sqlite3_bind_int64(st, 1, fx->agency_id);
    sq_bind_text(st, 2, fx->wa_id);
    sq_bind_text(st, 3, fx->phone_number_id);
    sq_bind_text(st, 4, fx->state);
    sq_bind_text(st, 5, fx->draft);
    sq_bind_text(st, 6, fx->lang);
    sqlite3_bind_int64(st, 7, fx->now);
    if (fx->expect_version >= 0)
        sqlite3_bind_int(st, 8, fx->expect_version);
    e = sq_exec_stmt(c, st, "wa_conversation_put");
    if (e == ERR_OK && sqlite3_changes(c->db) == 0)
        e = ERR_CONFLICT; /* someone else moved it meanwhile */
out:
    return e;
}

/* Inside the transaction: the citizen's messages of the dialogue that
 * just became case_id (from its first message, flow_from, on) join it.
 * Our replies follow through their after_message_id. */
static err_t claim_flow(conn_t *c, int64_t agency_id, int64_t reporter_id, int64_t case_id,
                        const char *flow_from)
{
    static const char sql[] =
        "UPDATE messages SET case_id = ?3 WHERE agency_id = ?1 AND reporter_id = ?2"
        " AND case_id IS NULL AND direction = 'in'"
        " AND id >= (SELECT f.id FROM messages f WHERE f.wamid = ?4)";
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    if (!flow_from)
        return ERR_OK;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, agency_id);
    sqlite3_bind_int64(st, 2, reporter_id);
    sqlite3_bind_int64(st, 3, case_id);
    sq_bind_text(st, 4, flow_from);
    e = sq_exec_stmt(c, st, "claim_flow");
out:
    return e;
}

/* Inside the transaction: the message log, the case and its media. */
static err_t log_and_case(conn_t *c, arena_t *ar, store_wa_effects *fx, int64_t *reporter)
{
    static const char msg[] = "INSERT INTO messages (agency_id, reporter_id, case_id, direction,"
                              " wamid, type, body, created_at, media_id, lat, lon, draft)"
                              " VALUES (?, ?, ?, 'in', ?, ?, ?, ?, ?, ?, ?, ?)";
    static const char att[] = "INSERT INTO attachments (case_id, sha256, mime, filename, source,"
                              " state, media_id, created_at) VALUES (?, ?, ?, ?, 'citizen',"
                              " 'pending', ?, ?)";
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    /* Name and consent are kept only with a report the citizen agreed to
     * (UU PDP); before that the reporter is just the WhatsApp id. */
    store_reporter_in rep = {fx->new_case ? fx->profile_name : NULL, NULL, fx->wa_id, NULL,
                             fx->new_case ? fx->now : 0};
    static const char own[] = "SELECT id FROM cases WHERE tracking_code = ? AND agency_id = ?"
                              " AND reporter_id = ?";
    static const char add_text[] =
        "UPDATE cases SET description = substr(description || ?2, 1, 4000), updated_at = ?3"
        " WHERE id = ?1";
    int64_t case_id = 0;
    e = sq_put_reporter(c, &rep, fx->now, reporter);
    if (e == ERR_OK && fx->new_case) {
        fx->new_case->reporter_id = *reporter;
        e = sq_insert_case(c, ar, fx->new_case, NULL, NULL);
        case_id = fx->new_case->id;
        if (e == ERR_OK)
            e = claim_flow(c, fx->agency_id, *reporter, case_id, fx->flow_from);
    } else if (e == ERR_OK && fx->case_code) {
        SQ_PREP(c, st, own);
        sq_bind_text(st, 1, fx->case_code);
        sqlite3_bind_int64(st, 2, fx->agency_id);
        sqlite3_bind_int64(st, 3, *reporter);
        if (sqlite3_step(st) == SQLITE_ROW)
            case_id = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        if (case_id && fx->case_text) {
            SQ_PREP(c, st, add_text);
            sqlite3_bind_int64(st, 1, case_id);
            sq_bind_text(st, 2, fx->case_text);
            sqlite3_bind_int64(st, 3, fx->now);
            e = sq_exec_stmt(c, st, "case_text_append");
        }
    }
    for (size_t i = 0; e == ERR_OK && case_id && i < fx->nmedia; i++) {
        SQ_PREP(c, st, att);
        sqlite3_bind_int64(st, 1, case_id);
        sq_bind_text(st, 2, fx->media[i].sha256);
        sq_bind_text(st, 3, fx->media[i].mime ? fx->media[i].mime : "application/octet-stream");
        sq_bind_text(st, 4, fx->media[i].filename);
        sq_bind_text(st, 5, fx->media[i].media_id);
        sqlite3_bind_int64(st, 6, fx->now);
        e = sq_exec_stmt(c, st, "attachment_pending");
    }
    if (e != ERR_OK)
        goto out;
    SQ_PREP(c, st, msg);
    sqlite3_bind_int64(st, 1, fx->agency_id);
    sq_bind_id(st, 2, *reporter);
    sq_bind_id(st, 3, case_id);
    sq_bind_text(st, 4, fx->wamid);
    sq_bind_text(st, 5, fx->msg_type ? fx->msg_type : "unknown");
    sq_bind_text(st, 6, fx->msg_body);
    sqlite3_bind_int64(st, 7, fx->msg_time ? fx->msg_time : fx->now);
    sq_bind_text(st, 8, fx->msg_media_id);
    if (fx->msg_has_location) {
        sqlite3_bind_double(st, 9, fx->msg_lat);
        sqlite3_bind_double(st, 10, fx->msg_lon);
    } else {
        sqlite3_bind_null(st, 9);
        sqlite3_bind_null(st, 10);
    }
    sqlite3_bind_int(st, 11, fx->msg_draft ? 1 : 0);
    e = sq_exec_stmt(c, st, "message_log");
out:
    return e;
}

err_t sq_wa_apply(store_t *s, arena_t *ar, store_wa_effects *fx)
{
    static const char seen[] =
        "INSERT INTO wa_seen (key, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING";
    static const char out_sql[] =
        "INSERT INTO wa_outbox (agency_id, phone_number_id, to_wa_id, case_id, kind, payload,"
        " template, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
    conn_t *c = sq_get(s);
    err_t e = sq_begin(c);
    sqlite3_stmt *st;
    int64_t reporter = 0;
    fx->duplicate = false;
    if (e != ERR_OK)
        goto out;
    SQ_PREP(c, st, seen);
    sq_bind_text(st, 1, fx->seen_key);
    sqlite3_bind_int64(st, 2, fx->now);
    e = sq_exec_stmt(c, st, "wa_seen");
    if (e == ERR_OK && sqlite3_changes(c->db) == 0) {
        fx->duplicate = true; /* processed before: change nothing */
        goto out;
    }
    if (e == ERR_OK)
        e = put_conversation(c, fx);
    if (e == ERR_OK)
        e = log_and_case(c, ar, fx, &reporter);
    if (e == ERR_OK && fx->svc)
        e = svc_wa_apply(sq_q(s, c), ar, fx);
    for (size_t i = 0; e == ERR_OK && i < fx->nout; i++) {
        const store_wa_out *o = &fx->out[i];
        SQ_PREP(c, st, out_sql);
        sqlite3_bind_int64(st, 1, fx->agency_id);
        sq_bind_text(st, 2, fx->phone_number_id);
        sq_bind_text(st, 3, fx->wa_id);
        sq_bind_id(st, 4, o->for_new_case && fx->new_case ? fx->new_case->id : 0);
        sq_bind_text(st, 5, o->kind);
        sq_bind_text(st, 6, o->payload);
        sq_bind_text(st, 7, o->template);
        sqlite3_bind_int64(st, 8, fx->now);
        sqlite3_bind_int64(st, 9, fx->now);
        e = sq_exec_stmt(c, st, "wa_outbox_add");
    }
    if (e == ERR_OK)
        e = sq_commit(c);
out:
    sq_rollback(c);
    sq_put(s, c);
    return e;
}

err_t sq_wa_status(store_t *s, const char *wamid, const char *status, const char *error,
                   int64_t now, bool *duplicate)
{
    static const char seen[] =
        "INSERT INTO wa_seen (key, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING";
    /* Ranks: a status only ever moves up; failed is final. */
    static const char upd[] =
        "UPDATE wa_outbox SET delivery = ?2, last_error = COALESCE(?3, last_error),"
        " updated_at = ?4 WHERE wamid = ?1 AND"
        " (CASE ?2 WHEN 'sent' THEN 1 WHEN 'delivered' THEN 2 WHEN 'read' THEN 3"
        "  WHEN 'played' THEN 3 WHEN 'failed' THEN 4 ELSE 0 END) >"
        " (CASE COALESCE(delivery, '') WHEN 'sent' THEN 1 WHEN 'delivered' THEN 2"
        "  WHEN 'read' THEN 3 WHEN 'played' THEN 3 WHEN 'failed' THEN 4 ELSE 0 END)";
    char key[512];
    snprintf(key, sizeof key, "s:%s:%s", wamid, status);
    conn_t *c = sq_get(s);
    err_t e = sq_begin(c);
    sqlite3_stmt *st;
    *duplicate = false;
    if (e != ERR_OK)
        goto out;
    SQ_PREP(c, st, seen);
    sq_bind_text(st, 1, key);
    sqlite3_bind_int64(st, 2, now);
    e = sq_exec_stmt(c, st, "wa_seen");
    if (e == ERR_OK && sqlite3_changes(c->db) == 0) {
        *duplicate = true;
        goto out;
    }
    if (e == ERR_OK) {
        SQ_PREP(c, st, upd);
        sq_bind_text(st, 1, wamid);
        sq_bind_text(st, 2, status);
        sq_bind_text(st, 3, error);
        sqlite3_bind_int64(st, 4, now);
        e = sq_exec_stmt(c, st, "wa_status");
    }
    if (e == ERR_OK)
        e = sq_commit(c);
out:
    sq_rollback(c);
    sq_put(s, c);
    return e;
}

err_t sq_wa_outbox_claim(store_t *s, arena_t *ar, int64_t now, int64_t lease, unsigned max,
                         store_wa_outbox_row **out, size_t *n)
{
    static const char sql[] =
        "UPDATE wa_outbox SET next_attempt_at = ?1 + ?2, attempts = attempts + 1"
        " WHERE id IN (SELECT id FROM wa_outbox WHERE state = 'pending' AND next_attempt_at <= ?1"
        " ORDER BY next_attempt_at, id LIMIT ?3) RETURNING id, agency_id, case_id, phone_number_id,"
        " to_wa_id, kind, payload, template, attempts, 0, event_id, NULL";
    /* Apart: in RETURNING, SQLite looks a conversation up by agency_id alone
     * (a scan of the agency's conversations per row: 20 ms for 32 rows at
     * 19,000 conversations, measured with bench/run.sh). */
    static const char conv[] =
        "SELECT last_inbound_at, lang FROM wa_conversations WHERE agency_id = ? AND wa_id = ?";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    *out = NULL;
    *n = 0;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_int64(st, 2, lease);
    sqlite3_bind_int(st, 3, (int)max);
    e = sq_collect(c, st, ar, sizeof **out, read_outbox_row, (void **)out, n, "wa_outbox_claim");
    for (size_t i = 0; e == ERR_OK && i < *n; i++) {
        store_wa_outbox_row *r = &(*out)[i];
        SQ_PREP(c, st, conv);
        sqlite3_bind_int64(st, 1, r->agency_id);
        sq_bind_text(st, 2, r->to_wa_id);
        e = sq_step_row(c, st, "wa_outbox_conversation");
        if (e == ERR_OK) {
            r->last_inbound_at = sq_int(st, 0);
            r->lang = sq_text(ar, st, 1);
        }
        sqlite3_reset(st);
        if (e == ERR_NOT_FOUND) /* a staff number that never wrote */
            e = ERR_OK;
    }
out:
    sq_put(s, c);
    return e;
}

err_t sq_wa_outbox_sent(store_t *s, int64_t id, const char *wamid, bool used_template,
                        const char *payload, int64_t now)
{
    static const char sql[] = "UPDATE wa_outbox SET state = 'sent', wamid = ?, used_template = ?,"
                              " delivery = COALESCE(delivery, 'accepted'), last_error = NULL,"
                              " updated_at = ?, payload = COALESCE(?, payload) WHERE id = ?";
    return SQ_WRITE(s, sql, "wa_outbox_sent", false, SQ_TEXT(wamid), SQ_INT(used_template ? 1 : 0),
                    SQ_INT(now), SQ_TEXT(payload), SQ_INT(id));
}

err_t sq_wa_outbox_retry(store_t *s, int64_t id, int64_t next_at, const char *error, int64_t now)
{
    static const char retry[] = "UPDATE wa_outbox SET next_attempt_at = ?, last_error = ?,"
                                " updated_at = ? WHERE id = ?";
    static const char fail[] = "UPDATE wa_outbox SET state = 'failed', last_error = ?,"
                               " updated_at = ? WHERE id = ? RETURNING case_id";
    static const char event[] =
        "INSERT INTO case_events (case_id, seq, action, from_status, to_status, note, is_public,"
        " created_at) SELECT ?1, COALESCE(MAX(e.seq), 0) + 1, 'notify_failed', c.status,"
        " c.status, ?2, 0, ?3 FROM cases c LEFT JOIN case_events e ON e.case_id = c.id"
        " WHERE c.id = ?1 GROUP BY c.id";
    conn_t *c = sq_get(s);
    err_t e = next_at ? ERR_OK : sq_begin(c);
    sqlite3_stmt *st;
    int64_t case_id = 0;
    if (e != ERR_OK)
        goto out;
    if (next_at) {
        SQ_PREP(c, st, retry);
        sqlite3_bind_int64(st, 1, next_at);
        sq_bind_text(st, 2, error);
        sqlite3_bind_int64(st, 3, now);
        sqlite3_bind_int64(st, 4, id);
        e = sq_exec_stmt(c, st, "wa_outbox_retry");
        goto out;
    }
    SQ_PREP(c, st, fail);
    sq_bind_text(st, 1, error);
    sqlite3_bind_int64(st, 2, now);
    sqlite3_bind_int64(st, 3, id);
    e = sq_step_row(c, st, "wa_outbox_fail");
    if (e == ERR_OK)
        case_id = sq_int(st, 0);
    sqlite3_reset(st);
    if (e == ERR_OK && case_id) {
        /* The operator sees on the case that the citizen was not reached. */
        SQ_PREP(c, st, event);
        sqlite3_bind_int64(st, 1, case_id);
        sq_bind_text(st, 2, error);
        sqlite3_bind_int64(st, 3, now);
        e = sq_exec_stmt(c, st, "notify_failed_event");
    }
    if (e == ERR_OK)
        e = sq_commit(c);
out:
    sq_rollback(c);
    sq_put(s, c);
    return e;
}

err_t sq_wa_outbox_list(store_t *s, arena_t *ar, const char *to_wa_id, unsigned limit,
                        store_wa_outbox_item **out, size_t *n)
{
    static const char sql[] =
        "SELECT id, case_id, to_wa_id, kind, payload, state, last_error, wamid, delivery,"
        " attempts, used_template, created_at, phone_number_id FROM wa_outbox"
        " WHERE (?1 IS NULL OR to_wa_id = ?1) ORDER BY id DESC LIMIT ?2";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    *out = NULL;
    *n = 0;
    SQ_PREP(c, st, sql);
    sq_bind_text(st, 1, to_wa_id);
    sqlite3_bind_int(st, 2, (int)limit);
    e = sq_collect(c, st, ar, sizeof **out, read_outbox_item, (void **)out, n, "wa_outbox_list");
out:
    sq_put(s, c);
    return e;
}

err_t sq_case_list_for_wa(store_t *s, arena_t *ar, int64_t agency_id, const char *wa_id,
                          unsigned limit, store_case **out, size_t *n)
{
    static const char sql[] = "SELECT c.id, c.tracking_code, c.status, c.created_at, k.name_id,"
                              " k.name_en FROM cases c JOIN reporters r ON r.id = c.reporter_id"
                              " LEFT JOIN categories k ON k.id = c.category_id"
                              " WHERE c.agency_id = ? AND r.wa_id = ? ORDER BY c.id DESC LIMIT ?";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    *out = NULL;
    *n = 0;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, agency_id);
    sq_bind_text(st, 2, wa_id);
    sqlite3_bind_int(st, 3, (int)limit);
    e = sq_collect(c, st, ar, sizeof **out, read_wa_case, (void **)out, n, "case_list_for_wa");
out:
    sq_put(s, c);
    return e;
}

/* The reporter's WhatsApp address for a case that came over WhatsApp, or
 * a walk-in or phone case whose reporter agreed (wa_consent_at): the
 * number of the conversation, or the agency's first number. */
#define WA_TARGET                                                                                  \
    "SELECT c.agency_id AS agency_id, COALESCE(w.phone_number_id, (SELECT MIN(n.phone_number_id)"  \
    " FROM agency_numbers n WHERE n.agency_id = c.agency_id)) AS pnid, r.wa_id AS wa_id,"          \
    " c.id AS case_id, w.last_inbound_at AS last_in FROM cases c"                                  \
    " JOIN reporters r ON r.id = c.reporter_id LEFT JOIN wa_conversations w"                       \
    " ON w.agency_id = c.agency_id AND w.wa_id = r.wa_id"                                          \
    " WHERE c.id = ?1 AND (c.channel = 'whatsapp' OR c.wa_consent_at IS NOT NULL)"                 \
    " AND r.wa_id IS NOT NULL"

err_t sq_wa_queue_status(conn_t *c, int64_t case_id, int64_t event_id, int64_t now)
{
    static const char sql[] =
        "INSERT INTO wa_outbox (agency_id, phone_number_id, to_wa_id, case_id, kind, payload,"
        " event_id, created_at, updated_at) SELECT agency_id, pnid, wa_id, case_id,"
        " 'status_update', '', ?2, ?3, ?3 FROM (" WA_TARGET ") x WHERE pnid IS NOT NULL";
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, case_id);
    sqlite3_bind_int64(st, 2, event_id);
    sqlite3_bind_int64(st, 3, now);
    e = sq_exec_stmt(c, st, "wa_queue_status");
out:
    return e;
}

err_t sq_wa_operator_message(store_t *s, int64_t case_id, int64_t actor_id, const char *payload,
                             const char *template, const char *note, int64_t now,
                             int64_t *outbox_id, bool *window_open)
{
    static const char target[] = WA_TARGET;
    static const char ins[] =
        "INSERT INTO wa_outbox (agency_id, phone_number_id, to_wa_id, case_id, kind, payload,"
        " template, created_at, updated_at) VALUES (?, ?, ?, ?, 'operator', ?, ?, ?, ?)";
    static const char event[] =
        "INSERT INTO case_events (case_id, seq, action, from_status, to_status, actor_id,"
        " public_note, is_public, created_at) SELECT ?1, COALESCE(MAX(e.seq), 0) + 1, 'message',"
        " c.status, c.status, ?2, ?3, 0, ?4 FROM cases c LEFT JOIN case_events e"
        " ON e.case_id = c.id WHERE c.id = ?1 GROUP BY c.id";
    conn_t *c = sq_get(s);
    err_t e = sq_begin(c);
    sqlite3_stmt *st;
    int64_t agency = 0, last_in = 0;
    char pnid[64] = "", wa_id[64] = "";
    if (e != ERR_OK)
        goto out;
    SQ_PREP(c, st, target);
    sqlite3_bind_int64(st, 1, case_id);
    e = sq_step_row(c, st, "wa_target");
    if (e == ERR_OK && sqlite3_column_type(st, 1) == SQLITE_NULL)
        e = ERR_NOT_FOUND;
    if (e == ERR_OK) {
        agency = sq_int(st, 0);
        snprintf(pnid, sizeof pnid, "%s", (const char *)sqlite3_column_text(st, 1));
        snprintf(wa_id, sizeof wa_id, "%s", (const char *)sqlite3_column_text(st, 2));
        last_in = sq_int(st, 4);
    }
    sqlite3_reset(st);
    if (e != ERR_OK)
        goto out;
    *window_open = last_in && now - last_in < 24 * 3600;
    SQ_PREP(c, st, ins);
    sqlite3_bind_int64(st, 1, agency);
    sq_bind_text(st, 2, pnid);
    sq_bind_text(st, 3, wa_id);
    sqlite3_bind_int64(st, 4, case_id);
    sq_bind_text(st, 5, payload);
    sq_bind_text(st, 6, template);
    sqlite3_bind_int64(st, 7, now);
    sqlite3_bind_int64(st, 8, now);
    e = sq_exec_stmt(c, st, "wa_operator_outbox");
    if (e == ERR_OK)
        *outbox_id = sqlite3_last_insert_rowid(c->db);
    if (e == ERR_OK) {
        SQ_PREP(c, st, event);
        sqlite3_bind_int64(st, 1, case_id);
        sq_bind_id(st, 2, actor_id);
        sq_bind_text(st, 3, note);
        sqlite3_bind_int64(st, 4, now);
        e = sq_exec_stmt(c, st, "wa_operator_event");
    }
    if (e == ERR_OK)
        e = sq_commit(c);
out:
    sq_rollback(c);
    sq_put(s, c);
    return e;
}

err_t sq_wa_media_claim(store_t *s, arena_t *ar, int64_t now, int64_t lease, unsigned max,
                        store_wa_media_job **out, size_t *n)
{
    static const char sql[] =
        "UPDATE attachments SET next_attempt_at = ?1 + ?2, attempts = attempts + 1"
        " WHERE id IN (SELECT id FROM attachments WHERE state = 'pending' AND media_id IS NOT NULL"
        " AND next_attempt_at <= ?1 ORDER BY id LIMIT ?3)"
        " RETURNING id, case_id, media_id, mime, sha256, attempts";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    *out = NULL;
    *n = 0;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_int64(st, 2, lease);
    sqlite3_bind_int(st, 3, (int)max);
    e = sq_collect(c, st, ar, sizeof **out, read_media_job, (void **)out, n, "wa_media_claim");
out:
    sq_put(s, c);
    return e;
}

err_t sq_wa_media_stored(store_t *s, int64_t id, const char *sha256_hex, int64_t size,
                         const char *mime, int64_t now)
{
    static const char sql[] = "UPDATE attachments SET state = 'stored', sha256 = ?, size_bytes = ?,"
                              " mime = COALESCE(?, mime), last_error = NULL, next_attempt_at = ?"
                              " WHERE id = ?";
    return SQ_WRITE(s, sql, "wa_media_stored", false, SQ_TEXT(sha256_hex), SQ_INT(size),
                    SQ_TEXT(mime), SQ_INT(now), SQ_INT(id));
}

err_t sq_wa_media_retry(store_t *s, int64_t id, int64_t next_at, const char *error, int64_t now)
{
    static const char sql[] =
        "UPDATE attachments SET state = CASE WHEN ?1 = 0 THEN 'failed' ELSE state END,"
        " next_attempt_at = ?1, last_error = ?2 WHERE id = ?3";
    (void)now;
    return SQ_WRITE(s, sql, "wa_media_retry", false, SQ_INT(next_at), SQ_TEXT(error), SQ_INT(id));
}

err_t sq_wa_text_set(store_t *s, const char *key, const char *lang, const char *text,
                     int64_t user_id, int64_t now)
{
    static const char put[] = "INSERT INTO wa_texts (key, lang, text, updated_by, updated_at)"
                              " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (key, lang) DO UPDATE SET"
                              " text = excluded.text, updated_by = excluded.updated_by,"
                              " updated_at = excluded.updated_at";
    static const char del[] = "DELETE FROM wa_texts WHERE key = ?1 AND lang = ?2";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    SQ_PREP(c, st, text ? put : del);
    sq_bind_text(st, 1, key);
    sq_bind_text(st, 2, lang);
    if (text) {
        sq_bind_text(st, 3, text);
        sq_bind_id(st, 4, user_id);
        sqlite3_bind_int64(st, 5, now);
    }
    e = sq_exec_stmt(c, st, "wa_text_set");
out:
    sq_put(s, c);
    return e;
}

err_t sq_wa_text_list(store_t *s, arena_t *ar, store_wa_text **out, size_t *n, int64_t *version)
{
    static const char sql[] = "SELECT key, lang, text, updated_at FROM wa_texts ORDER BY key, lang";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    store_wa_text *arr = NULL;
    size_t cnt = 0, cap = 0;
    *version = 0;
    SQ_PREP(c, st, sql);
    while ((e = sq_step_row(c, st, "wa_text_list")) == ERR_OK) {
        if (!(arr = sq_grow(ar, arr, sizeof *arr, cnt, &cap))) {
            e = ERR_NOMEM;
            break;
        }
        store_wa_text *v = &arr[cnt++];
        v->key = sq_text(ar, st, 0);
        v->lang = sq_text(ar, st, 1);
        v->text = sq_text(ar, st, 2);
        v->updated_at = sq_int(st, 3);
        *version = *version * 31 + v->updated_at + (int64_t)strlen(v->text);
    }
    sqlite3_reset(st);
    if (e == ERR_NOT_FOUND)
        e = ERR_OK;
    *version = *version * 31 + (int64_t)cnt;
out:
    sq_put(s, c);
    *out = arr;
    *n = cnt;
    return e;
}

/* ---- retention of abandoned drafts ------------------------------------------------- */

/* The drafts that hold what a citizen typed: the JSON is compact, so a key
 * reads "key":. */
#define DRAFT_HOLDS_WORDS                                                                          \
    " (draft LIKE '%\"report\":%' OR draft LIKE '%\"svc\":%' OR draft LIKE '%\"said\":%')"

static void read_draft(arena_t *ar, sqlite3_stmt *st, void *elem)
{
    store_wa_draft *v = elem;
    v->agency_id = sq_int(st, 0);
    v->wa_id = sq_text(ar, st, 1);
    v->draft = sq_text(ar, st, 2);
    v->version = (int)sq_int(st, 3);
}

err_t sq_wa_drafts_stale(store_t *s, arena_t *ar, int64_t before, unsigned max,
                         store_wa_draft **out, size_t *n)
{
    static const char sql[] =
        "SELECT agency_id, wa_id, draft, version FROM wa_conversations"
        " WHERE updated_at < ?1 AND" DRAFT_HOLDS_WORDS " ORDER BY updated_at LIMIT ?2";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    *out = NULL;
    *n = 0;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, before);
    sqlite3_bind_int(st, 2, (int)max);
    e = sq_collect(c, st, ar, sizeof **out, read_draft, (void **)out, n, "wa_drafts_stale");
out:
    sq_put(s, c);
    return e;
}

err_t sq_wa_draft_clean(store_t *s, int64_t agency_id, const char *wa_id, int version,
                        const char *draft)
{
    static const char sql[] = "UPDATE wa_conversations SET draft = ?4, version = version + 1"
                              " WHERE agency_id = ?1 AND wa_id = ?2 AND version = ?3";
    err_t e = SQ_WRITE(s, sql, "wa_draft_clean", true, SQ_INT(agency_id), SQ_TEXT(wa_id),
                       SQ_INT(version), SQ_TEXT(draft));
    return e == ERR_NOT_FOUND ? ERR_CONFLICT : e;
}
