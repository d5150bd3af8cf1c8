/* The WhatsApp webhook: the verification handshake and the durable
 * receipt of signed events (DESIGN.md §4). Processing happens later, from
 * the inbox, in the background (jobs/). */
#include "http/http.h"

#include "channels/wa.h"
#include "channels/wa_bot.h"
#include "channels/wa_text.h"
#include "core/ids.h"
#include "core/clock.h"
#include "core/log.h"
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
    if (!app->cfg->wa_app_secret[0]) {
        r->detail = "ADUAN_WA_APP_SECRET is not set: no webhook can be verified";
        return ERR_UNAUTHORIZED;
    }
    if (!wa_signature_valid(app->cfg->wa_app_secret, sig, body, r->body_len)) {
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
    it->result = store_wa_inbox_add(app->store, body, it->len, dead, clock_now(), &it->id);
    if (it->result == ERR_OK)
        jobs_ingested(app->jobs, 1);
    return wa_received(app, r);
}

err_t h_wa_inbox(app_t *app, req_t *r)
{
    const char *state = NULL;
    store_wa_inbox_row *rows;
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
    e = store_wa_inbox_list(app->store, r->ar, state, 100, &rows, &n);
    if (e != ERR_OK)
        return e;
    json_t *items = json_array();
    for (size_t i = 0; items && i < n; i++)
        json_array_append_new(items,
                              json_pack("{s:I, s:s, s:i, s:s?, s:o, s:s}", "id",
                                        (json_int_t)rows[i].id, "state", rows[i].state, "attempts",
                                        rows[i].attempts, "error", rows[i].error, "received_at",
                                        json_time(rows[i].received_at), "body", rows[i].body));
    return reply_json(r, 200, json_pack("{s:o}", "items", items));
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
    if (!case_on_whatsapp(&c)) {
        r->detail = "this case has no WhatsApp reporter (or the walk-in reporter did not agree "
                    "to WhatsApp updates)";
        return ERR_CONFLICT;
    }
    const char *msg = arena_strndup(r->ar, p, n);
    ids_tracking_format(c.tracking_code, shown);
    const char *params[] = {shown, wa_template_value(r->ar, msg)};
    const char *payload = wa_msg_text(r->ar, c.reporter_wa_id, msg);
    store_agency ag;
    const char *tname = WA_TEMPLATE_REPLY, *tlang = "id";
    if (store_agency_get(app->store, r->ar, c.agency_id, &ag) == ERR_OK && ag.wa_template_reply) {
        tname = ag.wa_template_reply;
        tlang = ag.wa_template_lang ? ag.wa_template_lang : "id";
    }
    const char *templ = wa_msg_template(r->ar, c.reporter_wa_id, tname, tlang, params, 2);
    if (!payload || !templ)
        return ERR_NOMEM;
    int64_t id = 0;
    bool open = false;
    e = store_wa_operator_message(app->store, c.id, r->user.id, payload, templ, msg, clock_now(),
                                  &id, &open);
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
    store_wa_outbox_item *items;
    size_t n;
    err_t e = store_case_get(app->store, r->ar, r->path_id, &c);
    if (e != ERR_OK)
        return e;
    int role = actor_role(&r->actor, c.agency_id);
    if (role < 0 || role == ROLE_VIEWER) {
        r->detail = "this case belongs to another agency";
        return ERR_FORBIDDEN;
    }
    if (!c.reporter_wa_id)
        return reply_json(r, 200, json_pack("{s:[]}", "items"));
    e = store_wa_outbox_list(app->store, r->ar, c.reporter_wa_id, 200, &items, &n);
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

err_t h_wa_texts(app_t *app, req_t *r)
{
    store_wa_text *rows;
    size_t n;
    int64_t version;
    err_t e = store_wa_text_list(app->store, r->ar, &rows, &n, &version);
    if (e != ERR_OK)
        return e;
    json_t *items = json_array();
    for (size_t i = 0; items && i < wa_text_count(); i++) {
        const char *key = wa_text_key(i), *id = NULL, *en = NULL;
        for (size_t k = 0; k < n; k++)
            if (!strcmp(rows[k].key, key)) {
                if (!strcmp(rows[k].lang, "en"))
                    en = rows[k].text;
                else
                    id = rows[k].text;
            }
        json_array_append_new(items,
                              json_pack("{s:s, s:{s:s, s:s}, s:{s:s?, s:s?}}", "key", key,
                                        "default", "id", wa_text_default(i, "id"), "en",
                                        wa_text_default(i, "en"), "custom", "id", id, "en", en));
    }
    return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

/* Admin texts are short messages (WhatsApp bodies allow more; a page of
 * text in a chat is already too long). */
#define TEXT_MAX 1024

err_t h_wa_text_set(app_t *app, req_t *r)
{
    json_t *body;
    const char *key = NULL, *lang = NULL, *text = NULL;
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
    if (e != ERR_OK)
        return e;
    if (!key || !lang || (strcmp(lang, "id") && strcmp(lang, "en"))) {
        r->detail = "key and lang (id or en) are required";
        return ERR_INVALID;
    }
    const char *why = wa_text_check(key, text ? text : "");
    if (!why && text && (!*text || text_utf8_len(text) > TEXT_MAX))
        why = "text: 1 to 1024 characters (or null for the default)";
    if (why) {
        r->detail = why;
        return ERR_INVALID;
    }
    e = store_wa_text_set(app->store, key, lang, text, r->user.id, clock_now());
    if (e != ERR_OK)
        return e;
    log_info("wa", "event=text_changed key=%s lang=%s user_id=%lld", key, lang,
             (long long)r->user.id);
    jobs_notify(app->jobs);
    return reply_json(r, 200,
                      json_pack("{s:s, s:s, s:s?}", "key", key, "lang", lang, "text", text));
}
