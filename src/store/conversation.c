/* The channels' tables: the inbound queue of webhook bodies (with the
 * webhook's group commit), conversations, the effects of one message, the
 * outbox, media downloads, the dialogue's texts as the admins set them. Written once for both
 * engines on store/q.h.
 *
 * The hot path: store_inbound_add(_batch) write outside (q_one_int) or in
 * one q_tx; on SQLite both take the process's write lock, where the
 * webhook committer (store_prefer_writes) goes first. Durability is the
 * pool's: a borrowed SQLite connection commits with synchronous=FULL
 * unless the thread's commits are redoable (store_redo_commits), a
 * PostgreSQL session sets synchronous_commit the same way (drv_sqlite.c,
 * drv_pg.c: set_sync), so only acknowledging commits wait for the disk. */
#include "store/dom.h"
#include "store/svc_int.h"

#include <stdio.h>
#include <string.h>

/* A text of n bytes (a webhook body, not NUL-terminated). */
#define Q_TEXTN(v, len) ((q_val){.t = QT_TEXT, .s = (v), .n = (len), .sized = true, .null = !(v)})

/* ---- the inbox ------------------------------------------------------------------- */

#define INBOX_COLS                                                                                 \
    "id, channel, body, state, attempts, error, received_at, processed_at, summary, body_state,"   \
    " removed_at"

static const q_field INBOX_F[] = {
    QF(INT64, store_inbound_row, id),          QF(TEXT, store_inbound_row, channel),
    QF(TEXT, store_inbound_row, body),         QF(TEXT, store_inbound_row, state),
    QF(INT, store_inbound_row, attempts),      QF(TEXT, store_inbound_row, error),
    QF(INT64, store_inbound_row, received_at), QF(INT64, store_inbound_row, processed_at),
    QF(TEXT, store_inbound_row, summary),      QF(TEXT, store_inbound_row, body_state),
    QF(INT64, store_inbound_row, removed_at),
};

static const char INBOX_ADD[] = "INSERT INTO inbound (received_at, body, state, error, channel)"
                                " VALUES ($1, $2, $3, $4, $5) RETURNING id";

err_t store_inbound_add(store_t *s, const char *channel, const char *body, size_t len,
                        const char *dead_reason, int64_t now, int64_t *id)
{
    /* Outside a transaction: on SQLite the driver queues on the write
     * lock (the hot path: no polling of SQLite's lock). */
    return q_one_int(s, INBOX_ADD, id, Q_INT(now), Q_TEXTN(body, len),
                     Q_TEXT(dead_reason ? "dead" : "new"), Q_TEXT(dead_reason), Q_TEXT(channel));
}

typedef struct {
    store_inbound_new *rows;
    size_t n;
    int64_t now;
} batch_ctx;

static err_t batch_tx(q_conn *c, void *arg)
{
    batch_ctx *x = arg;
    err_t e = ERR_OK;
    for (size_t i = 0; e == ERR_OK && i < x->n; i++) {
        store_inbound_new *r = &x->rows[i];
        e = q_row_int(c, INBOX_ADD, &r->id, Q_INT(x->now), Q_TEXTN(r->body, r->len),
                      Q_TEXT(r->dead_reason ? "dead" : "new"), Q_TEXT(r->dead_reason),
                      Q_TEXT(r->channel));
    }
    return e;
}

typedef struct {
    const char *channel, *key, *body;
    size_t len;
    int64_t now, *id;
    bool *duplicate;
} once_ctx;

static err_t once_tx(q_conn *c, void *arg)
{
    static const char seen[] =
        "INSERT INTO inbound_seen (key, created_at) VALUES ($1, $2) ON CONFLICT DO NOTHING";
    once_ctx *x = arg;
    int64_t fresh = 0;
    err_t e = q_run(c, seen, &fresh, Q_TEXT(x->key), Q_INT(x->now));
    *x->duplicate = e == ERR_OK && fresh == 0;
    if (e != ERR_OK || *x->duplicate)
        return e;
    return q_row_int(c, INBOX_ADD, x->id, Q_INT(x->now), Q_TEXTN(x->body, x->len), Q_TEXT("new"),
                     Q_NULL(TEXT), Q_TEXT(x->channel));
}

err_t store_inbound_add_once(store_t *s, const char *channel, const char *key, const char *body,
                             size_t len, int64_t now, int64_t *id, bool *duplicate)
{
    once_ctx x = {channel, key, body, len, now, id, duplicate};
    *id = 0;
    *duplicate = false;
    return q_tx(s, once_tx, &x);
}

/* The webhook's group commit (http/ingest.c): one transaction, one sync. */
err_t store_inbound_add_batch(store_t *s, store_inbound_new *rows, size_t n, int64_t now)
{
    batch_ctx x = {rows, n, now};
    return q_tx(s, batch_tx, &x);
}

err_t store_inbound_list(store_t *s, arena_t *ar, const char *state, unsigned limit,
                         store_inbound_row **out, size_t *n)
{
    /* The state as a literal: only then can the planner use the partial
     * indexes of new and dead rows (migration 0013). */
#define INBOX_LIST(where) "SELECT " INBOX_COLS " FROM inbound" where " ORDER BY id DESC LIMIT $1"
    static const char all[] = INBOX_LIST(""), fresh[] = INBOX_LIST(" WHERE state = 'new'"),
                      dead[] = INBOX_LIST(" WHERE state = 'dead'"),
                      done[] = INBOX_LIST(" WHERE state = 'done'");
#undef INBOX_LIST
    const char *sql = !state                   ? all
                      : !strcmp(state, "new")  ? fresh
                      : !strcmp(state, "dead") ? dead
                                               : done;
    return q_list(s, ar, sql, INBOX_F, out, n, Q_INT(limit));
}

err_t store_inbound_claim(store_t *s, arena_t *ar, int64_t now, int64_t lease, unsigned max,
                          store_inbound_row **out, size_t *n)
{
    static const char sql[] =
        Q_CLAIM("inbound", "id", "state = 'new'", "next_attempt_at, id", INBOX_COLS);
    return q_list(s, ar, sql, INBOX_F, out, n, Q_INT(now), Q_INT(lease), Q_INT(max));
}

err_t store_inbound_finish(store_t *s, int64_t id, const char *state, const char *error,
                           const char *summary, int64_t now)
{
    static const char sql[] =
        "UPDATE inbound SET state = $1, error = $2, processed_at = $3, summary = $4 WHERE id = $5";
    return q_write(s, sql, false, Q_TEXT(state), Q_TEXT(error), Q_INT(now), Q_TEXT(summary),
                   Q_INT(id));
}

err_t store_inbound_purge(store_t *s, const char *state, int64_t before, unsigned max, int64_t now,
                          size_t *n)
{
    /* Processed bodies along inbound_retained, oldest first; dead letters
     * (few) along inbound_dead. The removed bodies are zeroed in SQLite's
     * file (secure_delete, drv_sqlite.c). */
    static const char done[] =
        "UPDATE inbound SET body = '', body_state = 'removed', removed_at = $3"
        " WHERE id IN (SELECT id FROM inbound WHERE state = 'done' AND body_state = 'raw'"
        " AND processed_at < $1 ORDER BY processed_at, id LIMIT $2 {SKIP_LOCKED})";
    static const char dead[] =
        "UPDATE inbound SET body = '', body_state = 'removed', removed_at = $3"
        " WHERE id IN (SELECT id FROM inbound WHERE state = 'dead' AND body_state <> 'removed'"
        " AND COALESCE(processed_at, received_at) < $1 ORDER BY id LIMIT $2 {SKIP_LOCKED})";
    int64_t k = 0;
    err_t e = q_write_n(s, strcmp(state, "dead") == 0 ? dead : done, &k, Q_INT(before), Q_INT(max),
                        Q_INT(now));
    *n = e == ERR_OK ? (size_t)k : 0;
    return e;
}

err_t store_inbound_unsealed(store_t *s, arena_t *ar, unsigned max, store_inbound_row **out,
                             size_t *n)
{
    static const char sql[] = "SELECT " INBOX_COLS " FROM inbound"
                              " WHERE state = 'dead' AND body_state = 'raw' ORDER BY id LIMIT $1";
    return q_list(s, ar, sql, INBOX_F, out, n, Q_INT(max));
}

err_t store_inbound_seal(store_t *s, int64_t id, const char *sealed)
{
    static const char sql[] = "UPDATE inbound SET body = $2, body_state = 'sealed'"
                              " WHERE id = $1 AND state = 'dead' AND body_state = 'raw'";
    return q_write(s, sql, true, Q_INT(id), Q_TEXT(sealed));
}

/* ---- conversations ---------------------------------------------------- */

err_t store_conv_get(store_t *s, arena_t *ar, int64_t agency_id, const char *channel,
                     const char *address, store_conv *out)
{
    static const char sql[] =
        "SELECT state, draft, lang, version, last_inbound_at, updated_at"
        " FROM conversations WHERE agency_id = $1 AND channel = $2 AND address = $3";
    static const q_field F[] = {
        QF(TEXT, store_conv, state),
        QF(TEXT, store_conv, draft),
        QF(TEXT, store_conv, lang),
        QF(INT, store_conv, version),
        QF(INT64, store_conv, last_inbound_at),
        QF(INT64, store_conv, updated_at),
    };
    err_t e = q_one(s, ar, sql, F, out, Q_INT(agency_id), Q_TEXT(channel), Q_TEXT(address));
    if (e == ERR_NOT_FOUND) {
        *out = (store_conv){"idle", "{}", "id", -1, 0, 0};
        e = ERR_OK;
    }
    return e;
}

/* ---- one inbound message's effects (store_dialog_apply) ------------------------------- */

/* The conversation row, compare-and-set on version. */
static err_t put_conversation(q_conn *c, const store_dialog_effects *fx)
{
    static const char ins[] =
        "INSERT INTO conversations (agency_id, channel, address, endpoint, state, draft, lang,"
        " version, last_inbound_at, updated_at) VALUES ($1, $9, $2, $3, $4, $5, $6, 1,"
        " $7, $7) ON CONFLICT DO NOTHING";
    static const char upd[] =
        "UPDATE conversations SET state = $4, draft = $5, lang = $6, version = version + 1,"
        " endpoint = $3, last_inbound_at = {GREATEST}(last_inbound_at, $7), updated_at = $7"
        " WHERE agency_id = $1 AND channel = $9 AND address = $2 AND version = $8";
    const q_val v[] = {Q_INT(fx->agency_id), Q_TEXT(fx->address),       Q_TEXT(fx->phone_number_id),
                       Q_TEXT(fx->state),    Q_TEXT(fx->draft),         Q_TEXT(fx->lang),
                       Q_INT(fx->now),       Q_INT(fx->expect_version), Q_TEXT(fx->channel)};
    int64_t changed = 0;
    bool fresh = fx->expect_version < 0;
    err_t e = q_run_v(c, fresh ? ins : upd, &changed, v, 9);
    return e == ERR_OK && changed == 0 ? ERR_CONFLICT : e; /* moved meanwhile */
}

/* The case (new, or the reporter's own by code), its media; *case_id. */
static err_t put_case(q_conn *c, arena_t *ar, store_dialog_effects *fx, int64_t reporter,
                      int64_t *case_id)
{
    /* The citizen's messages of the dialogue that just became the case
     * (from its first message, flow_from, on) join it; our replies follow
     * through their after_message_id. */
    static const char flow[] =
        "UPDATE messages SET case_id = $3 WHERE agency_id = $1 AND reporter_id = $2"
        " AND case_id IS NULL AND direction = 'in'"
        " AND id >= (SELECT f.id FROM messages f WHERE f.wamid = $4)";
    static const char own[] = "SELECT id FROM cases WHERE tracking_code = $1 AND agency_id = $2"
                              " AND reporter_id = $3";
    static const char add_text[] =
        "UPDATE cases SET description = substr(description || $2, 1, 4000), updated_at = $3"
        " WHERE id = $1";
    static const char att[] = "INSERT INTO attachments (case_id, sha256, mime, filename, source,"
                              " state, media_id, created_at, channel)"
                              " VALUES ($1, $2, $3, $4, 'citizen', 'pending', $5, $6, $7)";
    err_t e = ERR_OK;
    if (fx->new_case) {
        fx->new_case->reporter_id = reporter;
        /* A case that came in a conversation is answered there. */
        fx->new_case->notify_channel = fx->channel;
        fx->new_case->notify_address = fx->address;
        e = dom_insert_case(c, ar, fx->new_case, NULL, NULL);
        *case_id = fx->new_case->id;
        /* The rules that follow (the team's alert, ...) commit with it. */
        if (e == ERR_OK)
            e = dom_case_rules_queue(c, *case_id, fx->now);
        if (e == ERR_OK && fx->flow_from)
            e = q_run(c, flow, NULL, Q_INT(fx->agency_id), Q_INT(reporter), Q_INT(*case_id),
                      Q_TEXT(fx->flow_from));
    } else if (fx->case_code) {
        e = q_row_int(c, own, case_id, Q_TEXT(fx->case_code), Q_INT(fx->agency_id),
                      Q_INT(reporter));
        if (e == ERR_NOT_FOUND) /* not the reporter's: ignored */
            e = ERR_OK;
        if (e == ERR_OK && *case_id && fx->case_text)
            e = q_run(c, add_text, NULL, Q_INT(*case_id), Q_TEXT(fx->case_text), Q_INT(fx->now));
    }
    for (size_t i = 0; e == ERR_OK && *case_id && i < fx->nmedia; i++) {
        const store_media *m = &fx->media[i];
        e = q_run(c, att, NULL, Q_INT(*case_id), Q_TEXT(m->sha256),
                  Q_TEXT(m->mime ? m->mime : "application/octet-stream"), Q_TEXT(m->filename),
                  Q_TEXT(m->media_id), Q_INT(fx->now), Q_TEXT(fx->channel));
    }
    return e;
}

/* The reporter, the case and its media, the message log. */
static err_t log_and_case(q_conn *c, arena_t *ar, store_dialog_effects *fx)
{
    static const char msg[] = "INSERT INTO messages (agency_id, reporter_id, case_id, direction,"
                              " wamid, type, body, created_at, media_id, lat, lon, draft, channel)"
                              " VALUES ($1, $2, $3, 'in', $4, $5, $6, $7, $8, $9, $10, $11, $12)";
    /* Name and consent are kept only with a report the citizen agreed to
     * (UU PDP); before that the reporter is just the WhatsApp id. */
    store_reporter_in rep = {fx->new_case ? fx->profile_name : NULL,
                             NULL,
                             fx->mobile,
                             NULL,
                             fx->new_case ? fx->now : 0,
                             fx->channel,
                             fx->address};
    int64_t reporter = 0, case_id = 0;
    bool loc = fx->msg_has_location;
    err_t e = dom_put_reporter(c, &rep, fx->now, &reporter);
    if (e == ERR_OK)
        e = put_case(c, ar, fx, reporter, &case_id);
    if (e != ERR_OK)
        return e;
    e = q_run(c, msg, NULL, Q_INT(fx->agency_id), Q_ID(reporter), Q_ID(case_id), Q_TEXT(fx->wamid),
              Q_TEXT(fx->msg_type ? fx->msg_type : "unknown"), Q_TEXT(fx->msg_body),
              Q_INT(fx->msg_time ? fx->msg_time : fx->now), Q_TEXT(fx->msg_media_id),
              loc ? Q_REAL(fx->msg_lat) : Q_NULL(REAL), loc ? Q_REAL(fx->msg_lon) : Q_NULL(REAL),
              Q_INT(fx->msg_draft ? 1 : 0), Q_TEXT(fx->channel ? fx->channel : "whatsapp"));
    /* A citizen's message on an existing case (a new one is case.created). */
    if (e == ERR_OK && case_id && !fx->new_case)
        e = dom_webhook_queue(c, case_id, 0, ",message.received,", fx->now);
    if (e == ERR_OK && case_id && !fx->new_case)
        e = dom_live_event(c, case_id, "message", fx->now);
    return e;
}

/* A key seen before (a redelivered webhook): *dup, and nothing changes. */
static const char SEEN[] =
    "INSERT INTO inbound_seen (key, created_at) VALUES ($1, $2) ON CONFLICT DO NOTHING";

typedef struct {
    arena_t *ar;
    store_dialog_effects *fx;
} apply_ctx;

static err_t apply_tx(q_conn *c, void *arg)
{
    static const char watch_on[] =
        "INSERT INTO case_watchers (case_id, channel, address, created_at)"
        " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING";
    static const char watch_off[] =
        "DELETE FROM case_watchers WHERE case_id = $1 AND channel = $2 AND address = $3";
    static const char out_sql[] =
        "INSERT INTO outbox (channel, agency_id, endpoint, address, case_id, kind, message,"
        " payload, template, created_at, updated_at) VALUES ($9, $1, $2, $3, $4, $5, $6,"
        " '', $7, $8, $8)";
    apply_ctx *x = arg;
    store_dialog_effects *fx = x->fx;
    int64_t fresh = 0;
    err_t e = q_run(c, SEEN, &fresh, Q_TEXT(fx->seen_key), Q_INT(fx->now));
    fx->duplicate = e == ERR_OK && fresh == 0;
    if (e != ERR_OK || fx->duplicate) /* processed before: change nothing */
        return e;
    e = put_conversation(c, fx);
    if (e == ERR_OK)
        e = log_and_case(c, x->ar, fx);
    if (e == ERR_OK && fx->svc)
        e = svc_dialog_apply(c, x->ar, fx);
    if (e == ERR_OK && fx->watch > 0 && fx->watch_case_id)
        e = q_run(c, watch_on, NULL, Q_INT(fx->watch_case_id), Q_TEXT(fx->channel),
                  Q_TEXT(fx->address), Q_INT(fx->now));
    else if (e == ERR_OK && fx->watch < 0 && fx->watch_case_id)
        e = q_run(c, watch_off, NULL, Q_INT(fx->watch_case_id), Q_TEXT(fx->channel),
                  Q_TEXT(fx->address));
    if (e == ERR_OK && fx->withdraw_case_id)
        e = dom_case_withdraw(c, fx->withdraw_case_id, fx->withdraw_status,
                              arena_printf(x->ar, "Dibatalkan oleh pelapor lewat %s", fx->channel),
                              fx->now, NULL);
    for (size_t i = 0; e == ERR_OK && i < fx->nout; i++) {
        const store_dialog_out *o = &fx->out[i];
        e = q_run(c, out_sql, NULL, Q_INT(fx->agency_id), Q_TEXT(fx->phone_number_id),
                  Q_TEXT(fx->address), Q_ID(o->for_new_case && fx->new_case ? fx->new_case->id : 0),
                  Q_TEXT(o->kind), Q_TEXT(o->message), Q_TEXT(o->template), Q_INT(fx->now),
                  Q_TEXT(fx->channel));
    }
    return e;
}

err_t store_dialog_apply(store_t *s, arena_t *ar, store_dialog_effects *fx)
{
    apply_ctx x = {ar, fx};
    fx->duplicate = false;
    return q_tx(s, apply_tx, &x);
}

typedef struct {
    const char *key, *channel, *provider_id, *status, *error;
    int64_t now;
    bool duplicate;
} status_ctx;

static err_t status_tx(q_conn *c, void *arg)
{
    /* Ranks: a status only ever moves up; failed is final. */
    static const char upd[] =
        "UPDATE outbox SET delivery = $2, last_error = COALESCE($3, last_error),"
        " updated_at = $4 WHERE provider_id = $1 AND channel = $5 AND"
        " (CASE $2 WHEN 'sent' THEN 1 WHEN 'delivered' THEN 2 WHEN 'read' THEN 3"
        "  WHEN 'played' THEN 3 WHEN 'failed' THEN 4 ELSE 0 END) >"
        " (CASE COALESCE(delivery, '') WHEN 'sent' THEN 1 WHEN 'delivered' THEN 2"
        "  WHEN 'read' THEN 3 WHEN 'played' THEN 3 WHEN 'failed' THEN 4 ELSE 0 END)";
    status_ctx *x = arg;
    int64_t fresh = 0;
    err_t e = q_run(c, SEEN, &fresh, Q_TEXT(x->key), Q_INT(x->now));
    x->duplicate = e == ERR_OK && fresh == 0;
    if (e != ERR_OK || x->duplicate)
        return e;
    return q_run(c, upd, NULL, Q_TEXT(x->provider_id), Q_TEXT(x->status), Q_TEXT(x->error),
                 Q_INT(x->now), Q_TEXT(x->channel));
}

err_t store_outbox_delivery(store_t *s, const char *channel, const char *provider_id,
                            const char *status, const char *error, int64_t now, bool *duplicate)
{
    char key[512];
    snprintf(key, sizeof key, "s:%s:%s", provider_id, status);
    status_ctx x = {key, channel, provider_id, status, error, now, false};
    err_t e = q_tx(s, status_tx, &x);
    *duplicate = e == ERR_OK && x.duplicate;
    return e;
}

/* ---- the outbox ------------------------------------------------------------------- */

err_t store_outbox_claim(store_t *s, arena_t *ar, int64_t now, int64_t lease, unsigned max,
                         store_outbox_row **out, size_t *n)
{
    /* The recipient's language: the one an email follower chose on the
     * tracking page (email_follows.lang, issue 18: they never wrote, so
     * have no conversation), else their conversation's. The recipient's
     * conversation by subselects in RETURNING. CAST: in
     * RETURNING, SQLite 3.40 gives the updated row's text no affinity and
     * would search the conversations by agency_id alone (a scan of the
     * agency's conversations per row: 20 ms for 32 rows at 19,000); with
     * it, every key column (EXPLAIN QUERY PLAN). */
#define CONV_OF(col)                                                                               \
    "(SELECT " col " FROM conversations w WHERE w.agency_id = outbox.agency_id"                    \
    " AND w.channel = CAST(outbox.channel AS TEXT) AND w.address = CAST(outbox.address AS TEXT))"
    static const char sql[] = Q_CLAIM(
        "outbox", "id", "state = 'pending'", "next_attempt_at, id",
        "id, agency_id, case_id, channel, endpoint, address, kind, message, payload, template,"
        " attempts, " CONV_OF(
            "last_inbound_at") ", event_id, COALESCE((SELECT f.lang"
                               " FROM email_follows f WHERE f.case_id = outbox.case_id"
                               " AND f.address = CAST(outbox.address AS TEXT) AND "
                               "CAST(outbox.channel AS TEXT) = 'email'"
                               " AND f.state = 'active'), " CONV_OF("lang") ")");
#undef CONV_OF
    static const q_field F[] = {
        QF(INT64, store_outbox_row, id),
        QF(INT64, store_outbox_row, agency_id),
        QF(INT64, store_outbox_row, case_id),
        QF(TEXT, store_outbox_row, channel),
        QF(TEXT, store_outbox_row, endpoint),
        QF(TEXT, store_outbox_row, address),
        QF(TEXT, store_outbox_row, kind),
        QF(TEXT, store_outbox_row, message),
        QF(TEXT, store_outbox_row, payload),
        QF(TEXT, store_outbox_row, template),
        QF(INT, store_outbox_row, attempts),
        QF(INT64, store_outbox_row, last_inbound_at), /* 0: a staff number that never wrote */
        QF(INT64, store_outbox_row, event_id),
        QF(TEXT, store_outbox_row, lang),
    };
    return q_list(s, ar, sql, F, out, n, Q_INT(now), Q_INT(lease), Q_INT(max));
}

err_t store_outbox_sent(store_t *s, int64_t id, const char *provider_id, bool used_template,
                        const char *payload, int64_t now)
{
    static const char sql[] =
        "UPDATE outbox SET state = 'sent', provider_id = $1, used_template = $2,"
        " delivery = COALESCE(delivery, 'accepted'), last_error = NULL, updated_at = $3,"
        " payload = COALESCE($4, payload) WHERE id = $5";
    return q_write(s, sql, false, Q_TEXT(provider_id), Q_BOOL(used_template), Q_INT(now),
                   Q_TEXT(payload), Q_INT(id));
}

err_t store_outbox_retry(store_t *s, int64_t id, int64_t next_at, const char *error, int64_t now)
{
    static const char retry[] = "UPDATE outbox SET next_attempt_at = $1, last_error = $2,"
                                " updated_at = $3 WHERE id = $4";
    /* The operator sees on the case that the citizen was not reached. */
    static const char fail[] = "UPDATE outbox SET state = 'failed', last_error = $2,"
                               " updated_at = $3 WHERE id = $1 RETURNING case_id";
    if (next_at)
        return q_write(s, retry, false, Q_INT(next_at), Q_TEXT(error), Q_INT(now), Q_INT(id));
    return q_tx(s, dom_give_up_tx, &(dom_give_up){fail, id, error, "notify_failed", now});
}

err_t store_outbox_list(store_t *s, arena_t *ar, const char *channel, const char *address,
                        unsigned limit, store_outbox_item **out, size_t *n)
{
    static const char sql[] =
        "SELECT id, case_id, channel, endpoint, address, kind, message, payload, state,"
        " last_error, provider_id, delivery, attempts, used_template, created_at FROM outbox"
        " WHERE ($2 IS NULL OR (address = $2 AND channel = $1)) ORDER BY id DESC LIMIT $3";
    static const q_field F[] = {
        QF(INT64, store_outbox_item, id),
        QF(INT64, store_outbox_item, case_id),
        QF(TEXT, store_outbox_item, channel),
        QF(TEXT, store_outbox_item, endpoint),
        QF(TEXT, store_outbox_item, address),
        QF(TEXT, store_outbox_item, kind),
        QF(TEXT, store_outbox_item, message),
        QF(TEXT, store_outbox_item, payload),
        QF(TEXT, store_outbox_item, state),
        QF(TEXT, store_outbox_item, last_error),
        QF(TEXT, store_outbox_item, provider_id),
        QF(TEXT, store_outbox_item, delivery),
        QF(INT, store_outbox_item, attempts),
        QF(BOOL, store_outbox_item, used_template), /* BOOLEAN on pg, 0/1 on SQLite */
        QF(INT64, store_outbox_item, created_at),
    };
    return q_list(s, ar, sql, F, out, n, Q_TEXT(channel), Q_TEXT(address), Q_INT(limit));
}

#define NOTICE_SQL(target)                                                                         \
    "INSERT INTO outbox (channel, agency_id, endpoint, address, case_id, kind, message, payload,"  \
    " template, event_id, created_at, updated_at) SELECT channel, agency_id, pnid, address,"       \
    " case_id, $2, $3, $4, $5, $6, $7, $7 FROM (" target ") x WHERE pnid IS NOT NULL RETURNING id"

err_t dom_outbox_notice(q_conn *c, const dom_notice *n, int64_t *id)
{
    static const char any[] = NOTICE_SQL(DOM_NOTIFY_TARGET);
    static const char there[] = NOTICE_SQL(DOM_NOTIFY_TARGET " AND c.channel = c.notify_channel");
    return q_row_int(c, n->came_there ? there : any, id, Q_INT(n->case_id), Q_TEXT(n->kind),
                     Q_TEXT(n->message), Q_TEXT(n->payload ? n->payload : ""), Q_TEXT(n->template),
                     Q_ID(n->event_id), Q_INT(n->now));
}

err_t dom_outbox_queue_status(q_conn *c, int64_t case_id, int64_t event_id, int64_t now)
{
    dom_notice n = {.case_id = case_id, .kind = "status_update", .event_id = event_id, .now = now};
    err_t e = dom_outbox_notice(c, &n, NULL);
    return e == ERR_NOT_FOUND ? ERR_OK : e;
}

typedef struct {
    int64_t case_id, actor_id, now;
    const char *payload, *template, *note;
    int64_t outbox_id;
    int64_t last_in;
} operator_ctx;

static err_t operator_tx(q_conn *c, void *arg)
{
    /* The case row locked (PostgreSQL), and the window; no row: no
     * WhatsApp reporter or no number. */
    static const char target[] =
        "SELECT COALESCE(last_in, 0) FROM (" DOM_NOTIFY_TARGET " {FOR_UPDATE OF c}) x"
        " WHERE pnid IS NOT NULL";
    operator_ctx *x = arg;
    err_t e = q_row_int(c, target, &x->last_in, Q_INT(x->case_id));
    if (e != ERR_OK)
        return e;
    dom_notice n = {.case_id = x->case_id,
                    .kind = "operator",
                    .payload = x->payload,
                    .template = x->template,
                    .now = x->now};
    e = dom_outbox_notice(c, &n, &x->outbox_id);
    dom_event ev = {.case_id = x->case_id,
                    .action = "message",
                    .actor_id = x->actor_id,
                    .public_note = x->note,
                    .now = x->now};
    if (e == ERR_OK)
        e = dom_event_add(c, &ev, NULL);
    return e;
}

err_t store_outbox_operator_message(store_t *s, int64_t case_id, int64_t actor_id,
                                    const char *payload, const char *template, const char *note,
                                    int64_t now, int64_t *outbox_id, int64_t *last_inbound_at)
{
    operator_ctx x = {case_id, actor_id, now, payload, template, note, 0, 0};
    err_t e = q_tx(s, operator_tx, &x);
    if (e == ERR_OK) {
        *outbox_id = x.outbox_id;
        *last_inbound_at = x.last_in;
    }
    return e;
}

/* ---- media downloads ---------------------------------------------------------------- */

err_t store_media_claim(store_t *s, arena_t *ar, int64_t now, int64_t lease, unsigned max,
                        store_media_job **out, size_t *n)
{
    static const char sql[] =
        Q_CLAIM("attachments", "id", "state = 'pending' AND media_id IS NOT NULL", "id",
                "id, case_id, channel, media_id, mime, sha256, attempts");
    static const q_field F[] = {
        QF(INT64, store_media_job, id),     QF(INT64, store_media_job, case_id),
        QF(TEXT, store_media_job, channel), QF(TEXT, store_media_job, media_id),
        QF(TEXT, store_media_job, mime),    QF(TEXT, store_media_job, sha256),
        QF(INT, store_media_job, attempts),
    };
    return q_list(s, ar, sql, F, out, n, Q_INT(now), Q_INT(lease), Q_INT(max));
}

typedef struct {
    int64_t id, size, now;
    const char *sha256_hex, *mime;
} stored_ctx;

static err_t stored_tx(q_conn *c, void *arg)
{
    static const char sql[] = "UPDATE attachments SET state = 'stored', sha256 = $1,"
                              " size_bytes = $2, mime = COALESCE($3, mime), last_error = NULL,"
                              " next_attempt_at = $4 WHERE id = $5 RETURNING case_id";
    stored_ctx *x = arg;
    int64_t case_id = 0;
    err_t e = q_row_int(c, sql, &case_id, Q_TEXT(x->sha256_hex), Q_INT(x->size), Q_TEXT(x->mime),
                        Q_INT(x->now), Q_INT(x->id));
    if (e == ERR_NOT_FOUND)
        return ERR_OK; /* gone meanwhile */
    /* The open case page shows the citizen's file as it arrives (issue 18). */
    return e == ERR_OK && case_id ? dom_live_event(c, case_id, "attachment", x->now) : e;
}

err_t store_media_stored(store_t *s, int64_t id, const char *sha256_hex, int64_t size,
                         const char *mime, int64_t now)
{
    stored_ctx x = {id, size, now, sha256_hex, mime};
    return q_tx(s, stored_tx, &x);
}

err_t store_media_retry(store_t *s, int64_t id, int64_t next_at, const char *error, int64_t now)
{
    static const char sql[] =
        "UPDATE attachments SET state = CASE WHEN $1 = 0 THEN 'failed' ELSE state END,"
        " next_attempt_at = $1, last_error = $2 WHERE id = $3";
    (void)now;
    return q_write(s, sql, false, Q_INT(next_at), Q_TEXT(error), Q_INT(id));
}

/* ---- admin texts of the dialogue ------------------------------------------------------ */

err_t store_bot_text_set(store_t *s, const char *key, const char *lang, const char *text,
                         int64_t user_id, int64_t now)
{
    static const char put[] = "INSERT INTO bot_texts (key, lang, text, updated_by, updated_at)"
                              " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (key, lang) DO UPDATE SET"
                              " text = excluded.text, updated_by = excluded.updated_by,"
                              " updated_at = excluded.updated_at";
    static const char del[] = "DELETE FROM bot_texts WHERE key = $1 AND lang = $2";
    if (!text)
        return q_write(s, del, false, Q_TEXT(key), Q_TEXT(lang));
    return q_write(s, put, false, Q_TEXT(key), Q_TEXT(lang), Q_TEXT(text), Q_ID(user_id),
                   Q_INT(now));
}

err_t store_bot_text_list(store_t *s, arena_t *ar, store_bot_text **out, size_t *n,
                          int64_t *version)
{
    static const char sql[] =
        "SELECT key, lang, text, updated_at FROM bot_texts ORDER BY key {COLLATE_C}, lang";
    static const q_field F[] = {
        QF(TEXT, store_bot_text, key),
        QF(TEXT, store_bot_text, lang),
        QF(TEXT, store_bot_text, text),
        QF(INT64, store_bot_text, updated_at),
    };
    err_t e = q_list(s, ar, sql, F, out, n);
    *version = 0;
    for (size_t i = 0; e == ERR_OK && i < *n; i++)
        *version = *version * 31 + (*out)[i].updated_at + (int64_t)strlen((*out)[i].text);
    *version = *version * 31 + (int64_t)(e == ERR_OK ? *n : 0);
    return e;
}

/* ---- retention of abandoned drafts ------------------------------------------------- */

err_t store_conv_drafts_stale(store_t *s, arena_t *ar, int64_t before, unsigned max,
                              store_conv_draft **out, size_t *n)
{
    /* The drafts that hold what a citizen typed: the JSON is compact, so a
     * key reads "key":. */
    static const char sql[] =
        "SELECT agency_id, channel, address, draft, version FROM conversations"
        " WHERE updated_at < $1 AND"
        " (draft LIKE '%\"report\":%' OR draft LIKE '%\"svc\":%' OR draft LIKE '%\"said\":%')"
        " ORDER BY updated_at LIMIT $2";
    static const q_field F[] = {
        QF(INT64, store_conv_draft, agency_id), QF(TEXT, store_conv_draft, channel),
        QF(TEXT, store_conv_draft, address),    QF(TEXT, store_conv_draft, draft),
        QF(INT, store_conv_draft, version),
    };
    return q_list(s, ar, sql, F, out, n, Q_INT(before), Q_INT(max));
}

err_t store_conv_draft_clean(store_t *s, const store_conv_draft *d, const char *draft)
{
    static const char sql[] =
        "UPDATE conversations SET draft = $5, version = version + 1"
        " WHERE agency_id = $1 AND channel = $2 AND address = $3 AND version = $4";
    err_t e = q_write(s, sql, true, Q_INT(d->agency_id), Q_TEXT(d->channel), Q_TEXT(d->address),
                      Q_INT(d->version), Q_TEXT(draft));
    return e == ERR_NOT_FOUND ? ERR_CONFLICT : e;
}
