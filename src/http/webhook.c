/* The WhatsApp webhook: the verification handshake and the durable
 * receipt of signed events (DESIGN.md §4). Processing happens later, from
 * the inbox, in the background (jobs/). */
#include "http/http.h"

#include "channels/channel.h"
#include "channels/wa_bot.h"
#include "channels/whatsapp/wa.h"
#include "channels/whatsapp/wa_text.h"
#include "core/ids.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/secret.h"
#include "core/text.h"

#include <microhttpd.h>
#include <string.h>

/* Meta's challenge is a short random string (an int in older docs). */
#define CHALLENGE_MAX 128

static const char *query(req_t *r, const char *key)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
}

err_t h_wa_verify(app_t *app, req_t *r)
{
    const char *mode = query(r, "hub.mode"), *token = query(r, "hub.verify_token");
    const char *challenge = query(r, "hub.challenge");
    const char *want = app->cfg->wa_verify_token;
    if (!mode || strcmp(mode, "subscribe") != 0 || !token || !*want || !secret_equal(token, want) ||
        !challenge || !*challenge || strlen(challenge) > CHALLENGE_MAX ||
        !text_utf8_valid(challenge, strlen(challenge))) {
        log_warn("wa", "event=verify_refused");
        r->detail = "hub.mode must be subscribe and hub.verify_token must match";
        return ERR_FORBIDDEN;
    }
    for (const char *p = challenge; *p; p++)
        if ((unsigned char)*p < 0x20) {
            r->detail = "hub.challenge: not printable";
            return ERR_FORBIDDEN;
        }
    log_info("wa", "event=verified");
    r->status = 200;
    r->content_type = "text/plain; charset=utf-8";
    r->text = arena_strdup(r->ar, challenge);
    return r->text ? ERR_OK : ERR_NOMEM;
}

/* Hex of bytes that are not text, so that a signed body is kept whatever
 * it holds. */
static char *hex_of(arena_t *ar, const char *b, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    char *h = arena_alloc(ar, 2 * n + 1);
    for (size_t i = 0; h && i < n; i++) {
        h[2 * i] = digits[(unsigned char)b[i] >> 4];
        h[2 * i + 1] = digits[(unsigned char)b[i] & 15];
    }
    return h;
}

/* The answer to a webhook once its body is committed (or not). */
static err_t wa_received(app_t *app, req_t *r)
{
    (void)app;
    const ingest_item *it = &r->ingest;
    metrics_webhook(it->result == ERR_OK ? METRICS_WH_ACKED : METRICS_WH_FAILED,
                    metrics_now_ns() - r->started_ns);
    if (it->result != ERR_OK)
        return it->result; /* not committed: Meta retries on anything but 200 */
    log_debug("wa", "event=received inbox_id=%lld bytes=%zu%s", (long long)it->id, r->body_len,
              it->dead_reason ? " dead=1" : "");
    return reply_json(r, 200, json_pack("{s:s}", "status", "received"));
}

err_t h_wa_receive(app_t *app, req_t *r)
{
    const char *sig = req_header(r, "X-Hub-Signature-256");
    const char *body = r->body ? r->body : "";
    r->started_ns = metrics_now_ns();
    if (!app->cfg->wa_app_secret[0]) {
        metrics_webhook(METRICS_WH_REJECTED, 0);
        r->detail = "ADUAN_WA_APP_SECRET is not set: no webhook can be verified";
        return ERR_UNAUTHORIZED;
    }
    if (!wa_signature_valid(app->cfg->wa_app_secret, sig, body, r->body_len)) {
        metrics_webhook(METRICS_WH_REJECTED, 0);
        log_warn("wa", "event=bad_signature present=%s bytes=%zu", sig ? "yes" : "no", r->body_len);
        r->detail = "X-Hub-Signature-256 is missing or does not match the body";
        return ERR_UNAUTHORIZED;
    }
    /* Signed by Meta: keep it whatever it is. Not text -> a dead letter now;
     * anything else is judged by the processor. */
    const char *dead = NULL;
    if (!text_utf8_valid(body, r->body_len)) {
        dead = "body is not UTF-8 text (kept as hex)";
        body = hex_of(r->ar, body, r->body_len);
        if (!body)
            return ERR_NOMEM;
    }
    ingest_item *it = &r->ingest;
    it->conn = r->conn;
    it->body = body;
    it->len = strlen(body);
    it->dead_reason = dead;
    r->resume = wa_received;
    if (ingest_submit(app->ingest, it))
        return ERR_OK; /* answered by wa_received once the batch commits */
    r->resume = NULL;
    it->result = store_inbound_add(app->store, body, it->len, dead, clock_now(), &it->id);
    if (it->result == ERR_OK)
        jobs_ingested(app->jobs, 1);
    return wa_received(app, r);
}

/* What the superadmin reads about a body that is no longer there, or is
 * encrypted (issue #13.6): by body_state, in Indonesian and English. */
static const char *const body_notes[][2] = {
    /* removed */
    {"Isi asli webhook (nomor, nama dan kata-kata warga) sudah dihapus sesuai masa simpan "
     "(UU PDP 27/2022). Yang tersisa: waktu, status, alasan, dan ringkasan id serta jenis "
     "pesan.",
     "The webhook's original body (the citizen's number, name and words) was removed at the "
     "end of its retention period (UU PDP 27/2022). What remains: times, state, reason, and a "
     "summary of message ids and types."},
    /* sealed, readable */
    {"Isi disimpan terenkripsi dengan ADUAN_DATA_KEY dan dihapus 30 hari setelah gagal diproses.",
     "The body is stored encrypted with ADUAN_DATA_KEY and removed 30 days after it failed."},
    /* sealed, not readable with this key */
    {"Isi terenkripsi tidak dapat dibuka dengan ADUAN_DATA_KEY yang sekarang.",
     "The encrypted body cannot be opened with the current ADUAN_DATA_KEY."},
};

/* One inbox row as the superadmin sees it. */
static json_t *inbox_item(app_t *app, req_t *r, const store_inbound_row *v)
{
    int lang = strcmp(r->lang, "en") == 0 ? 1 : 0;
    const char *body = v->body, *note = NULL;
    bool removed = v->body_state && strcmp(v->body_state, "removed") == 0;
    bool sealed = v->body_state && strcmp(v->body_state, "sealed") == 0;
    if (removed) {
        body = NULL;
        note = body_notes[0][lang];
    } else if (sealed) {
        body = secret_open(r->ar, app->cfg->svc_data_key, v->body, NULL);
        note = body_notes[body ? 1 : 2][lang];
    }
    json_error_t je;
    json_t *summary = v->summary ? json_loads(v->summary, 0, &je) : NULL;
    return json_pack("{s:I, s:s, s:i, s:s?, s:o, s:o, s:s?, s:s, s:b, s:o, s:s?, s:o?}", "id",
                     (json_int_t)v->id, "state", v->state, "attempts", v->attempts, "error",
                     v->error, "received_at", json_time(v->received_at), "processed_at",
                     v->processed_at ? json_time(v->processed_at) : json_null(), "body", body,
                     "body_state", v->body_state ? v->body_state : "raw", "encrypted", sealed,
                     "body_removed_at", v->removed_at ? json_time(v->removed_at) : json_null(),
                     "body_note", note, "summary", summary);
}

err_t h_inbound_list(app_t *app, req_t *r)
{
    const char *state = NULL;
    store_inbound_row *rows;
    size_t n;
    if (!actor_is_superadmin(&r->actor)) {
        r->detail = "only the superadmin sees the webhook inbox";
        return ERR_FORBIDDEN;
    }
    err_t e = req_query(r, "state", &state);
    if (e != ERR_OK)
        return e;
    if (state && strcmp(state, "new") && strcmp(state, "done") && strcmp(state, "dead")) {
        r->detail = "state: new, done or dead";
        return ERR_INVALID;
    }
    e = store_inbound_list(app->store, r->ar, state, 100, &rows, &n);
    if (e != ERR_OK)
        return e;
    json_t *items = json_array();
    for (size_t i = 0; items && i < n; i++)
        json_array_append_new(items, inbox_item(app, r, &rows[i]));
    return reply_json(r, 200,
                      json_pack("{s:o, s:{s:I, s:i}}", "items", items, "retention", "raw_seconds",
                                (json_int_t)app->cfg->raw_retention_s, "dead_days",
                                JOBS_DEAD_RETENTION_DAYS));
}

/* An operator's WhatsApp message is at most this long (Graph API text). */
#define OPERATOR_TEXT_MAX 4096

err_t h_case_message(app_t *app, req_t *r)
{
    json_t *body;
    const char *text = NULL;
    store_case c;
    char shown[IDS_SHOWN_BUF];
    err_t e = req_json_body(r, &body);
    if (e == ERR_OK)
        e = jfield_str(r, body, "text", &text);
    if (e != ERR_OK)
        return e;
    const char *p;
    size_t n = text ? text_trim(text, &p) : 0;
    if (n == 0 || text_utf8_len(text) > OPERATOR_TEXT_MAX) {
        r->detail = "text: required, at most 4096 characters";
        return ERR_INVALID;
    }
    e = store_case_get(app->store, r->ar, r->path_id, &c);
    if (e != ERR_OK)
        return e;
    int role = actor_role(&r->actor, c.agency_id);
    if (role < 0 || role == ROLE_VIEWER || role == ROLE_FIELD) {
        r->detail = "only the agency's desk may write to the reporter";
        return ERR_FORBIDDEN;
    }
    /* A WhatsApp case, or a walk-in whose reporter agreed (then the
     * template carries it: they never wrote, no window is open). */
    if (!case_notifies(&c)) {
        r->detail = "this case has no WhatsApp reporter (or the walk-in reporter did not agree "
                    "to WhatsApp updates)";
        return ERR_CONFLICT;
    }
    const char *msg = arena_strndup(r->ar, p, n);
    ids_tracking_format(c.tracking_code, shown);
    const char *params[] = {shown, wa_template_value(r->ar, msg)};
    /* The neutral message and its template intent, rendered by the
     * channel's driver. */
    const channel_driver *d = channel_find(WA_CHANNEL);
    channel_msg plain = {.kind = CHANNEL_MSG_TEXT, .text = msg};
    const char *payload = d->render(r->ar, c.reporter_mobile, &plain);
    store_agency ag;
    const char *tname = WA_TEMPLATE_REPLY, *tlang = "id";
    if (store_agency_get(app->store, r->ar, c.agency_id, &ag) == ERR_OK && ag.template_reply) {
        tname = ag.template_reply;
        tlang = ag.template_lang ? ag.template_lang : "id";
    }
    channel_msg intent = {.kind = CHANNEL_MSG_TEMPLATE,
                          .template = tname,
                          .lang = tlang,
                          .params = params,
                          .nparams = 2};
    const char *templ = d->render(r->ar, c.reporter_mobile, &intent);
    if (!payload || !templ)
        return ERR_NOMEM;
    int64_t id = 0, last_in = 0, now = clock_now();
    e = store_outbox_operator_message(app->store, c.id, r->user.id, payload, templ, msg, now, &id,
                                      &last_in);
    bool open = d->can_send_text(last_in, now);
    if (e == ERR_NOT_FOUND) {
        r->detail = "the agency has no WhatsApp number to send from";
        return ERR_CONFLICT;
    }
    if (e != ERR_OK)
        return e;
    log_info("wa", "event=operator_message case_id=%lld outbox_id=%lld user_id=%lld",
             (long long)c.id, (long long)id, (long long)r->user.id);
    jobs_notify(app->jobs);
    return reply_json(r, 202,
                      json_pack("{s:I, s:s, s:b}", "outbox_id", (json_int_t)id, "sent_as",
                                open ? "text" : "template", "window_open", open));
}

err_t h_case_outbox(app_t *app, req_t *r)
{
    store_case c;
    store_outbox_item *items;
    size_t n;
    err_t e = store_case_get(app->store, r->ar, r->path_id, &c);
    if (e == ERR_OK)
        e = case_access(app, r, &c);
    if (e != ERR_OK)
        return e;
    if (actor_role(&r->actor, c.agency_id) == ROLE_VIEWER) {
        r->detail = "the messages to the reporter are personal data";
        return ERR_FORBIDDEN;
    }
    if (!c.reporter_mobile)
        return reply_json(r, 200, json_pack("{s:[]}", "items"));
    e = store_outbox_list(app->store, r->ar, WA_CHANNEL, c.reporter_mobile, 200, &items, &n);
    if (e != ERR_OK)
        return e;
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++) {
        if (items[i].case_id && items[i].case_id != c.id)
            continue;
        json_array_append_new(arr, json_pack("{s:I, s:s, s:s, s:s?, s:s?, s:i, s:b, s:o}", "id",
                                             (json_int_t)items[i].id, "kind", items[i].kind,
                                             "state", items[i].state, "delivery", items[i].delivery,
                                             "last_error", items[i].last_error, "attempts",
                                             items[i].attempts, "template", items[i].used_template,
                                             "created_at", json_time(items[i].created_at)));
    }
    return reply_json(r, 200, json_pack("{s:o}", "items", arr));
}

/* One language of a text for the admin page: the built-in text, its
 * placeholders, the admin's version and whether it is in use (an older
 * version that lost a placeholder is ignored, the built-in text goes). */
static json_t *text_lang_json(req_t *r, size_t i, const char *lang, const char *custom)
{
    const char *key = wa_text_key(i);
    return json_pack("{s:s, s:s?, s:s?, s:b}", "default", wa_text_default(i, lang), "placeholders",
                     wa_text_placeholder_names(r->ar, i, lang), "custom", custom, "in_use",
                     custom && !wa_text_check(key, lang, custom));
}

err_t h_bot_texts(app_t *app, req_t *r)
{
    store_bot_text *rows;
    size_t n;
    int64_t version;
    err_t e = store_bot_text_list(app->store, r->ar, &rows, &n, &version);
    if (e != ERR_OK)
        return e;
    json_t *items = json_array(), *steps = json_array();
    for (size_t st = 0; steps && st < wa_text_step_count(); st++)
        json_array_append_new(steps, json_pack("{s:s, s:s}", "key", wa_text_step_key(st), "label",
                                               wa_text_step_label(st, r->lang)));
    for (size_t i = 0; items && i < wa_text_count(); i++) {
        const char *key = wa_text_key(i), *id = NULL, *en = NULL;
        for (size_t k = 0; k < n; k++)
            if (!strcmp(rows[k].key, key)) {
                if (!strcmp(rows[k].lang, "en"))
                    en = rows[k].text;
                else
                    id = rows[k].text;
            }
        size_t st = wa_text_step_of(i);
        json_t *j = json_pack("{s:s, s:s, s:s, s:{s:s, s:s}, s:{s:s?, s:s?}}", "key", key, "label",
                              wa_text_label(i, r->lang), "step", wa_text_step_key(st), "default",
                              "id", wa_text_default(i, "id"), "en", wa_text_default(i, "en"),
                              "custom", "id", id, "en", en);
        if (j)
            json_object_set_new(j, "langs",
                                json_pack("{s:o, s:o}", "id", text_lang_json(r, i, "id", id), "en",
                                          text_lang_json(r, i, "en", en)));
        json_array_append_new(items, j);
    }
    return reply_json(r, 200, json_pack("{s:o, s:o}", "steps", steps, "items", items));
}

/* Admin texts are short messages (WhatsApp bodies allow more; a page of
 * text in a chat is already too long). */
#define TEXT_MAX 1024

/* "{a}, {b}" as a JSON array of names ([] for NULL). */
static json_t *name_list(const char *joined)
{
    json_t *a = json_array();
    for (const char *p = joined; a && p && *p;) {
        const char *end = strstr(p, ", ");
        size_t len = end ? (size_t)(end - p) : strlen(p);
        json_array_append_new(a, json_stringn(p, len));
        p = end ? end + 2 : NULL;
    }
    return a;
}

/* 400 naming the placeholders the text dropped or added, in the
 * request's language, with both lists for a program. */
static err_t placeholder_error(req_t *r, const char *missing, const char *unknown)
{
    bool en = strcmp(r->lang, "en") == 0;
    const char *detail = en ? "A text must keep the {placeholders} of the built-in text."
                            : "Teks harus memuat tanda {kurung kurawal} yang sama dengan teks "
                              "bawaan.";
    if (missing)
        detail = arena_printf(r->ar, "%s %s %s.", detail, en ? "Missing:" : "Hilang:", missing);
    if (unknown)
        detail =
            arena_printf(r->ar, "%s %s %s.", detail, en ? "Unknown:" : "Tidak dikenal:", unknown);
    json_t *err = json_pack("{s:s, s:s, s:s, s:o, s:o}", "code", err_code(ERR_INVALID), "message",
                            err_str_lang(ERR_INVALID, r->lang), "detail", detail, "missing",
                            name_list(missing), "unknown", name_list(unknown));
    return reply_json(r, 400, err ? json_pack("{s:o}", "error", err) : NULL);
}

/* key and lang of a text: ERR_INVALID with a detail unless both are known. */
static err_t text_key(req_t *r, const char *key, const char *lang)
{
    if (!key || !lang || (strcmp(lang, "id") && strcmp(lang, "en"))) {
        r->detail =
            tr(r, "key dan lang (id atau en) wajib diisi", "key and lang (id or en) are required");
        return ERR_INVALID;
    }
    const char *missing, *unknown;
    if (!wa_text_placeholders(r->ar, key, lang, "", &missing, &unknown) && !missing && !unknown) {
        r->detail = tr(r, "key: tidak ada teks dengan kunci ini", "key: there is no such text");
        return ERR_INVALID;
    }
    return ERR_OK;
}

err_t h_bot_text_set(app_t *app, req_t *r)
{
    json_t *body;
    const char *key = NULL, *lang = NULL, *text = NULL, *missing, *unknown;
    if (!actor_is_superadmin(&r->actor)) {
        r->detail = "only the superadmin changes the texts citizens read";
        return ERR_FORBIDDEN;
    }
    err_t e = req_json_body(r, &body);
    if (e == ERR_OK)
        e = jfield_str(r, body, "key", &key);
    if (e == ERR_OK)
        e = jfield_str(r, body, "lang", &lang);
    if (e == ERR_OK)
        e = jfield_str(r, body, "text", &text);
    if (e == ERR_OK)
        e = text_key(r, key, lang);
    if (e != ERR_OK)
        return e;
    if (text && (!*text || text_utf8_len(text) > TEXT_MAX)) {
        r->detail = tr(r, "text: 1 sampai 1024 karakter (atau null untuk teks bawaan)",
                       "text: 1 to 1024 characters (or null for the default)");
        return ERR_INVALID;
    }
    if (text && !wa_text_placeholders(r->ar, key, lang, text, &missing, &unknown))
        return placeholder_error(r, missing, unknown);
    e = store_bot_text_set(app->store, key, lang, text, r->user.id, clock_now());
    if (e != ERR_OK)
        return e;
    log_info("wa", "event=text_changed key=%s lang=%s user_id=%lld", key, lang,
             (long long)r->user.id);
    jobs_notify(app->jobs);
    return reply_json(r, 200,
                      json_pack("{s:s, s:s, s:s?}", "key", key, "lang", lang, "text", text));
}

/* DELETE /api/v1/bot/texts?key=K[&lang=id|en]: back to the built-in
 * text ("Kembalikan ke bawaan"), in one language or (no lang) both. */
err_t h_bot_text_reset(app_t *app, req_t *r)
{
    const char *key = NULL, *lang = NULL;
    err_t e = req_query(r, "key", &key);
    if (e == ERR_OK)
        e = req_query(r, "lang", &lang);
    if (e == ERR_OK)
        e = text_key(r, key, lang ? lang : "id");
    if (e != ERR_OK)
        return e;
    int64_t now = clock_now();
    if (!lang || !strcmp(lang, "id"))
        e = store_bot_text_set(app->store, key, "id", NULL, r->user.id, now);
    if (e == ERR_OK && (!lang || !strcmp(lang, "en")))
        e = store_bot_text_set(app->store, key, "en", NULL, r->user.id, now);
    if (e != ERR_OK)
        return e;
    log_info("wa", "event=text_reset key=%s lang=%s user_id=%lld", key, lang ? lang : "both",
             (long long)r->user.id);
    jobs_notify(app->jobs);
    return reply_json(r, 200, json_pack("{s:s, s:s?, s:b}", "key", key, "lang", lang, "reset", 1));
}
