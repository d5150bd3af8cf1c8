/* The messages with reporters as staff see them: the webhook inbox (for
 * the superadmin), an operator's message to a case's reporter and the
 * case's outbox, and the dialogue's editable texts. Each channel's own
 * webhook is its driver's (channels/<name>/). */
#include "http/http.h"

#include "channels/channel.h"
#include "channels/bot.h"
#include "channels/texts.h"
#include "core/ids.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/secret.h"
#include "core/text.h"

#include <string.h>

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
    c = r->scope.kase; /* the desk's: checked by the router */
    /* A WhatsApp case, or a walk-in whose reporter agreed (then the
     * template carries it: they never wrote, no window is open). */
    if (!case_notifies(&c)) {
        r->detail = "this case has no WhatsApp reporter (or the walk-in reporter did not agree "
                    "to WhatsApp updates)";
        return ERR_CONFLICT;
    }
    const char *msg = arena_strndup(r->ar, p, n);
    ids_tracking_format(c.tracking_code, shown);
    const char *params[] = {shown, msg};
    /* The neutral message and its template intent, rendered by the
     * driver of the channel the case's updates go to. */
    const channel_driver *d = channel_find(c.notify_channel);
    if (!d) {
        r->detail = "this case has no WhatsApp reporter (or the walk-in reporter did not agree "
                    "to WhatsApp updates)";
        return ERR_CONFLICT;
    }
    channel_msg plain = {.kind = CHANNEL_MSG_TEXT, .text = msg};
    const char *payload = d->render(r->ar, c.notify_address, &plain);
    store_agency ag;
    const char *tname = BOT_TEMPLATE_REPLY, *tlang = "id";
    if (store_agency_get(app->store, r->ar, c.agency_id, &ag) == ERR_OK && ag.template_reply) {
        tname = ag.template_reply;
        tlang = ag.template_lang ? ag.template_lang : "id";
    }
    channel_msg intent = {.kind = CHANNEL_MSG_TEMPLATE,
                          .template = tname,
                          .lang = tlang,
                          .params = params,
                          .nparams = 2};
    const char *templ = d->render(r->ar, c.notify_address, &intent);
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
    err_t e;
    c = r->scope.kase; /* a worker's (not a viewer's), as the router checked */
    if (!case_notifies(&c))
        return reply_json(r, 200, json_pack("{s:[]}", "items"));
    e = store_outbox_list(app->store, r->ar, c.notify_channel, c.notify_address, 200, &items, &n);
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
    const char *key = bot_text_key(i);
    return json_pack("{s:s, s:s?, s:s?, s:b}", "default", bot_text_default(i, lang), "placeholders",
                     bot_text_placeholder_names(r->ar, i, lang), "custom", custom, "in_use",
                     custom && !bot_text_check(key, lang, custom));
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
    for (size_t st = 0; steps && st < bot_text_step_count(); st++)
        json_array_append_new(steps, json_pack("{s:s, s:s}", "key", bot_text_step_key(st), "label",
                                               bot_text_step_label(st, r->lang)));
    for (size_t i = 0; items && i < bot_text_count(); i++) {
        const char *key = bot_text_key(i), *id = NULL, *en = NULL;
        for (size_t k = 0; k < n; k++)
            if (!strcmp(rows[k].key, key)) {
                if (!strcmp(rows[k].lang, "en"))
                    en = rows[k].text;
                else
                    id = rows[k].text;
            }
        size_t st = bot_text_step_of(i);
        json_t *j = json_pack("{s:s, s:s, s:s, s:{s:s, s:s}, s:{s:s?, s:s?}}", "key", key, "label",
                              bot_text_label(i, r->lang), "step", bot_text_step_key(st), "default",
                              "id", bot_text_default(i, "id"), "en", bot_text_default(i, "en"),
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
    if (!bot_text_placeholders(r->ar, key, lang, "", &missing, &unknown) && !missing && !unknown) {
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
    if (text && !bot_text_placeholders(r->ar, key, lang, text, &missing, &unknown))
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
