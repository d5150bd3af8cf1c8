/* The Telegram driver (channels/channel.h): a neutral message rendered as
 * a Bot API call ({"method": ..., the method's parameters}), sent with the
 * token of the agency's bot, and the Bot API's errors read into the
 * neutral result: 429 waits retry_after, 5xx and no answer retry, 401 (a
 * revoked token) pauses, 403 (the bot was blocked by the user) and other
 * 4xx fail for good. Telegram has no re-engagement window. */
#include "channels/telegram/tg.h"

#include "core/text.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bot API limits: a message's text 4096 characters, a caption 1024, a
 * button's callback_data 64 bytes. */
#define TEXT_MAX    4096
#define CAPTION_MAX 1024
#define BUTTON_MAX  64
#define DATA_MAX    64
/* Answers we read: the Bot API's are small. */
#define ANSWER_MAX (64 * 1024)

static json_t *call(const char *method, const char *chat_id)
{
    return json_pack("{s:s, s:s}", "method", method, "chat_id", chat_id);
}

static const char *msg_text(arena_t *ar, const char *to, const char *text, json_t *markup)
{
    json_t *j = call("sendMessage", to);
    if (j)
        json_object_set_new(j, "text", json_string(text_cut(ar, text ? text : "", TEXT_MAX)));
    if (j && markup)
        json_object_set_new(j, "reply_markup", markup);
    else
        json_decref(markup);
    return channel_dump(ar, j);
}

/* Options as an inline keyboard: up to three buttons side by side, a list
 * one row per option (its description after the title). */
static const char *render_choices(arena_t *ar, const char *to, const channel_msg *m)
{
    json_t *rows = json_array(), *row = NULL;
    bool side = !m->list_button && m->nchoices <= 3;
    for (int i = 0; rows && i < m->nchoices; i++) {
        const channel_choice *c = &m->choices[i];
        if (strlen(c->id) > DATA_MAX)
            continue; /* Telegram refuses the whole message otherwise */
        const char *title =
            c->desc && m->list_button ? arena_printf(ar, "%s — %s", c->title, c->desc) : c->title;
        json_t *b = json_pack("{s:s, s:s}", "text", text_cut(ar, title, BUTTON_MAX),
                              "callback_data", c->id);
        if (!side || !row) {
            row = json_array();
            json_array_append_new(rows, row);
        }
        json_array_append_new(row, b);
    }
    return msg_text(ar, to, m->text, json_pack("{s:o}", "inline_keyboard", rows));
}

/* The share-location button (a reply keyboard, gone once used). */
static const char *render_location(arena_t *ar, const char *to, const channel_msg *m)
{
    json_t *kb = json_pack("{s:[[{s:s, s:b}]], s:b, s:b}", "keyboard", "text",
                           "\xF0\x9F\x93\x8D Kirim lokasi", "request_location", 1,
                           "one_time_keyboard", 1, "resize_keyboard", 1);
    return msg_text(ar, to, m->text, kb);
}

/* Telegram has no templates and no window: a template intent (never sent,
 * can_send_text is always true) is its parameters as text. */
static const char *render_template(arena_t *ar, const char *to, const channel_msg *m)
{
    const char *t = "";
    for (int i = 0; i < m->nparams; i++)
        if (m->params[i] && *m->params[i])
            t = arena_printf(ar, "%s%s%s", t, *t ? "\n" : "", m->params[i]);
    return msg_text(ar, to, *t ? t : m->template, NULL);
}

const char *tg_render(arena_t *ar, const char *address, const channel_msg *m)
{
    json_t *j;
    switch (m->kind) {
    case CHANNEL_MSG_TEXT:
        return msg_text(ar, address, m->text, NULL);
    case CHANNEL_MSG_CHOICES:
        return render_choices(ar, address, m);
    case CHANNEL_MSG_LOCATION:
        return render_location(ar, address, m);
    case CHANNEL_MSG_TEMPLATE:
        return render_template(ar, address, m);
    case CHANNEL_MSG_DOCUMENT:
        /* attach_document puts the file in (document_path) before it goes. */
        j = call("sendDocument", address);
        if (j)
            json_object_set_new(j, "document", json_string(m->media ? m->media : ""));
        if (j && m->filename)
            json_object_set_new(j, "filename", json_string(m->filename));
        if (j && m->text)
            json_object_set_new(j, "caption", json_string(text_cut(ar, m->text, CAPTION_MAX)));
        return channel_dump(ar, j);
    }
    return NULL;
}

/* The payload as the call: its method taken out, a file to upload as a
 * multipart form. */
static long post(const config_t *cfg, CURL *curl, const char *token, json_t *p, tg_answer *a,
                 CURLcode *cc)
{
    char method[32];
    snprintf(method, sizeof method, "%s", json_string_value(json_object_get(p, "method")));
    json_object_del(p, "method");
    const char *path = json_string_value(json_object_get(p, "document_path"));
    if (!path) {
        char *body = json_dumps(p, JSON_COMPACT);
        long st = body ? tg_call(cfg, curl, token, method, body, NULL, CHANNEL_SEND_TIMEOUT,
                                 tg_answer_sink, a, cc)
                       : 0;
        if (!body)
            *cc = CURLE_OUT_OF_MEMORY;
        free(body);
        return st;
    }
    /* An issued document: uploaded with its message (sendDocument). */
    curl_easy_reset(curl);
    curl_mime *form = curl_mime_init(curl);
    const char *key;
    json_t *v;
    json_object_foreach(p, key, v)
    {
        if (!strcmp(key, "document_path") || !strcmp(key, "document") || !strcmp(key, "filename"))
            continue;
        curl_mimepart *part = curl_mime_addpart(form);
        curl_mime_name(part, key);
        if (json_is_string(v)) {
            curl_mime_data(part, json_string_value(v), CURL_ZERO_TERMINATED);
        } else {
            char *t = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
            curl_mime_data(part, t ? t : "", CURL_ZERO_TERMINATED);
            free(t);
        }
    }
    curl_mimepart *part = curl_mime_addpart(form);
    curl_mime_name(part, "document");
    *cc = curl_mime_filedata(part, path);
    const char *fname = json_string_value(json_object_get(p, "filename"));
    curl_mime_filename(part, fname ? fname : "dokumen.pdf");
    curl_mime_type(part, "application/pdf");
    long st = 0;
    if (*cc == CURLE_OK)
        st = tg_call(cfg, curl, token, method, NULL, form, CHANNEL_FILE_TIMEOUT, tg_answer_sink, a,
                     cc);
    curl_mime_free(form);
    return st;
}

static void tg_send(const config_t *cfg, struct store *s, void *curl, const char *endpoint,
                    const char *payload, channel_result *r)
{
    tg_answer a = {.max = ANSWER_MAX};
    json_error_t je;
    CURLcode cc = CURLE_OK;
    const char *token;
    memset(r, 0, sizeof *r);
    arena_t *ar = arena_new();
    json_t *p = payload ? json_loads(payload, 0, &je) : NULL;
    if (!ar || !p || !json_is_string(json_object_get(p, "method"))) {
        snprintf(r->error, sizeof r->error, "%s", ar ? "not a Bot API call" : "out of memory");
        r->retryable = !ar;
        goto out;
    }
    err_t e = tg_token_of(s, ar, endpoint, &token);
    if (e != ERR_OK) {
        /* Disconnected (or the database failed: try again). */
        snprintf(r->error, sizeof r->error, "%s",
                 e == ERR_NOT_FOUND ? "no Telegram bot is connected for this endpoint"
                                    : "the bot's token could not be read");
        r->retryable = e != ERR_NOT_FOUND;
        goto out;
    }
    const char *chat = json_string_value(json_object_get(p, "chat_id"));
    char chat_id[64];
    snprintf(chat_id, sizeof chat_id, "%s", chat ? chat : "");
    long http = post(cfg, curl, token, p, &a, &cc);
    if (http == 0) {
        snprintf(r->error, sizeof r->error, "network: %s", curl_easy_strerror(cc));
        r->retryable = cc != CURLE_READ_ERROR && cc != CURLE_FILE_COULDNT_READ_FILE;
        goto out;
    }
    json_t *ans = a.data ? json_loads(a.data, 0, &je) : NULL;
    json_t *mid = json_object_get(json_object_get(ans, "result"), "message_id");
    if (http == 200 && json_is_true(json_object_get(ans, "ok")) && json_is_integer(mid)) {
        snprintf(r->provider_id, sizeof r->provider_id, "%s:%lld", chat_id,
                 (long long)json_integer_value(mid));
    } else {
        const char *desc = json_string_value(json_object_get(ans, "description"));
        json_t *ec = json_object_get(ans, "error_code");
        r->code = json_is_integer(ec) ? (long)json_integer_value(ec) : http;
        snprintf(r->error, sizeof r->error, "%ld: %s", r->code, desc ? desc : "no description");
        json_t *ra = json_object_get(json_object_get(ans, "parameters"), "retry_after");
        if (json_is_integer(ra) && json_integer_value(ra) > 0)
            r->retry_after = (int64_t)json_integer_value(ra);
        r->auth_failed = r->code == 401 || http == 401;
        r->retryable = !r->auth_failed && (r->code == 429 || http == 429 || http >= 500);
    }
    json_decref(ans);
out:
    json_decref(p);
    tg_answer_free(&a);
    arena_destroy(ar);
}

static bool tg_can_send_text(int64_t last_inbound_at, int64_t now)
{
    (void)last_inbound_at;
    (void)now;
    return true; /* no 24-hour window: a bot may write whenever it likes */
}

/* Live whenever a bot is connected: a row is queued for Telegram only
 * then. There is no simulator. */
static bool tg_live(const config_t *cfg) { return cfg->telegram_api[0] != '\0'; }

const channel_driver tg_driver = {
    .name = TG_CHANNEL,
    .title = "Telegram",
    .caps = {.buttons_max = 3,
             .list_rows_max = 10,
             .location_request = true,
             .documents = true,
             .templates = false,
             .mobile_address = false,
             .reengage_seconds = 0},
    .render = tg_render,
    .send = tg_send,
    .can_send_text = tg_can_send_text,
    .live = tg_live,
    .routes = tg_routes,
    .process = tg_process,
    .fetch_media = tg_fetch_media,
    .attach_document = tg_attach_document,
    .start_link = tg_start_link,
};
