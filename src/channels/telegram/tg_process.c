/* The Telegram driver's processing of a stored update (channel_driver.
 * process): the update read into the dialogue's event (text, a tapped
 * inline button, a shared location, a photo or a document), run through
 * the same dialogue as WhatsApp's, and a tapped button answered with
 * answerCallbackQuery (the client's spinner stops). The generic inbox
 * worker (jobs/inbox.c) calls it for every stored update, once, in order. */
#include "channels/telegram/tg.h"

#include "channels/bot.h"
#include "core/log.h"
#include "core/proc.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Compare-and-set retries when a conversation moved during processing. */
#define APPLY_RETRIES 5
/* answerCallbackQuery only stops a spinner: never wait long for it. */
#define ANSWER_TIMEOUT 5L

static void decref(void *p) { json_decref(p); }

static const char *str(arena_t *ar, json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? arena_strdup(ar, json_string_value(v)) : NULL;
}

/* A Telegram id (an integer) as text. */
static const char *id_of(arena_t *ar, json_t *v)
{
    return json_is_integer(v) ? arena_printf(ar, "%lld", (long long)json_integer_value(v)) : NULL;
}

static const char *name_of(arena_t *ar, json_t *from)
{
    const char *first = str(ar, from, "first_name"), *last = str(ar, from, "last_name");
    if (first && last)
        return arena_printf(ar, "%s %s", first, last);
    return first ? first : last;
}

/* The title of the inline button whose data is data, in the message it
 * was tapped on. */
static const char *button_title(arena_t *ar, json_t *msg, const char *data)
{
    size_t i, k;
    json_t *row, *b;
    json_array_foreach(json_object_get(json_object_get(msg, "reply_markup"), "inline_keyboard"), i,
                       row)
    {
        json_array_foreach(row, k, b)
        {
            const char *d = json_string_value(json_object_get(b, "callback_data"));
            if (d && !strcmp(d, data))
                return str(ar, b, "text");
        }
    }
    return NULL;
}

/* A message's content into ev (type, text, place, file). */
static void read_message(arena_t *ar, const char *endpoint, json_t *m, wa_event *ev)
{
    json_t *v;
    ev->from = id_of(ar, json_object_get(json_object_get(m, "chat"), "id"));
    ev->profile_name = name_of(ar, json_object_get(m, "from"));
    ev->timestamp = json_integer_value(json_object_get(m, "date"));
    ev->text = str(ar, m, "text");
    if (!ev->text)
        ev->text = str(ar, m, "caption");
    if (ev->text && strcmp(ev->text, "/start") == 0)
        ev->text = "halo"; /* the bot's Start button opens the menu */
    else if (ev->text && strncmp(ev->text, "/start ", 7) == 0) {
        /* A t.me link's Start (tg_link.c): the text its payload carries,
         * e.g. the public page's IKUTI <code>; any other payload opens the
         * menu. */
        const char *said = tg_start_text(ar, ev->text + 7);
        ev->text = said ? said : "halo";
    }
    if ((v = json_object_get(m, "location")) != NULL) {
        json_t *la = json_object_get(v, "latitude"), *lo = json_object_get(v, "longitude");
        ev->type = "location";
        ev->lat = json_number_value(la);
        ev->lon = json_number_value(lo);
        ev->has_location = json_is_number(la) && json_is_number(lo) && ev->lat >= -90 &&
                           ev->lat <= 90 && ev->lon >= -180 && ev->lon <= 180;
    } else if (json_is_array(v = json_object_get(m, "photo")) && json_array_size(v)) {
        /* The sizes of one photo, smallest first: the largest is kept. */
        json_t *big = json_array_get(v, json_array_size(v) - 1);
        const char *fid = str(ar, big, "file_id");
        ev->type = "image";
        ev->media_mime = "image/jpeg";
        ev->media_id = fid ? arena_printf(ar, "%s/%s", endpoint, fid) : NULL;
    } else if (json_is_object(v = json_object_get(m, "document"))) {
        const char *fid = str(ar, v, "file_id");
        ev->media_mime = str(ar, v, "mime_type");
        ev->media_filename = str(ar, v, "file_name");
        ev->type = ev->media_mime && !strncmp(ev->media_mime, "image/", 6) ? "image" : "document";
        ev->media_id = fid ? arena_printf(ar, "%s/%s", endpoint, fid) : NULL;
    } else if (ev->text) {
        ev->type = "text";
    } else {
        ev->type = "unsupported"; /* a sticker, a voice note, ...: the dialogue says so */
    }
}

/* The update as the dialogue's event; false when it carries nothing the
 * desk answers (an edit, a channel post, a member update). */
static bool read_update(arena_t *ar, const char *endpoint, json_t *u, wa_event *ev,
                        const char **callback_id)
{
    json_t *m = json_object_get(u, "message"), *cq = json_object_get(u, "callback_query");
    memset(ev, 0, sizeof *ev);
    *callback_id = NULL;
    ev->kind = WA_EV_MESSAGE;
    ev->phone_number_id = endpoint;
    ev->wamid = arena_printf(ar, "tg:%s:%lld", endpoint,
                             (long long)json_integer_value(json_object_get(u, "update_id")));
    if (json_is_object(m)) {
        /* The desk answers private chats only (a bot added to a group
         * would otherwise talk to the group). */
        const char *kind = json_string_value(json_object_get(json_object_get(m, "chat"), "type"));
        if (!kind || strcmp(kind, "private") != 0)
            return false;
        read_message(ar, endpoint, m, ev);
    } else if (json_is_object(cq)) {
        json_t *msg = json_object_get(cq, "message");
        *callback_id = str(ar, cq, "id");
        ev->type = "interactive";
        ev->from = id_of(ar, json_object_get(json_object_get(msg, "chat"), "id"));
        if (!ev->from) /* the tapped message is too old to be sent along */
            ev->from = id_of(ar, json_object_get(json_object_get(cq, "from"), "id"));
        ev->profile_name = name_of(ar, json_object_get(cq, "from"));
        ev->reply_id = str(ar, cq, "data");
        ev->text = ev->reply_id ? button_title(ar, msg, ev->reply_id) : NULL;
        ev->timestamp = json_integer_value(json_object_get(msg, "date"));
    } else {
        return false;
    }
    return ev->from && ev->type && ev->wamid;
}

/* One message: the dialogue step and its effects, retried on a race. */
static err_t handle(const config_t *cfg, store_t *s, arena_t *ar, const wa_event *ev,
                    const store_agency *agency, int64_t now)
{
    err_t e = ERR_CONFLICT;
    for (int attempt = 0; attempt < APPLY_RETRIES && e == ERR_CONFLICT; attempt++) {
        bot_in in = {s,
                     ar,
                     cfg->public_url,
                     now,
                     agency,
                     ev->phone_number_id,
                     ev,
                     {0},
                     cfg->wa_daily_limit,
                     cfg->office_open,
                     cfg->office_close,
                     cfg->svc_retention_days,
                     cfg->svc_data_key,
                     TG_CHANNEL};
        store_dialog_effects fx;
        memset(&fx, 0, sizeof fx);
        e = store_conv_get(s, ar, agency->id, TG_CHANNEL, ev->from, &in.conv);
        if (e == ERR_OK)
            e = bot_step_caps(&in, &tg_driver.caps, &fx);
        if (e == ERR_OK)
            e = store_dialog_apply(s, ar, &fx);
        if (e == ERR_OK && fx.duplicate)
            log_debug("telegram", "event=duplicate_message");
        else if (e == ERR_OK && fx.new_case)
            log_info("telegram", "event=case_created case_id=%lld agency_id=%lld",
                     (long long)fx.new_case->id, (long long)agency->id);
        if (e == ERR_OK && !fx.duplicate && fx.new_case)
            proc_test_crash("case_commit");
    }
    return e;
}

/* Stops the spinner of a tapped button; a failure only leaves it turning. */
static void answer_callback(const config_t *cfg, store_t *s, arena_t *ar, const char *endpoint,
                            const char *callback_id)
{
    const char *token;
    CURLcode cc;
    tg_answer a = {.max = 4096};
    CURL *curl = NULL;
    char *body = NULL;
    json_t *j = json_pack("{s:s}", "callback_query_id", callback_id);
    if (j && tg_token_of(s, ar, endpoint, &token) == ERR_OK && (curl = curl_easy_init()) &&
        (body = json_dumps(j, JSON_COMPACT))) {
        long st = tg_call(cfg, curl, token, "answerCallbackQuery", body, NULL, ANSWER_TIMEOUT,
                          tg_answer_sink, &a, &cc);
        if (st != 200)
            log_info("telegram", "event=callback_answer_failed status=%ld", st);
    }
    free(body);
    json_decref(j);
    tg_answer_free(&a);
    curl_easy_cleanup(curl);
}

err_t tg_process(const config_t *cfg, store_t *s, arena_t *ar, int64_t inbound_id, const char *body,
                 int64_t now, channel_inbound *out)
{
    json_error_t je;
    memset(out, 0, sizeof *out);
    json_t *root = json_loads(body, 0, &je);
    if (!root) {
        out->dead = "not JSON";
        return ERR_OK;
    }
    if (arena_on_destroy(ar, decref, root) != 0)
        return ERR_NOMEM;
    json_t *u = json_object_get(root, "update");
    const char *endpoint = str(ar, root, "endpoint");
    json_t *aid = json_object_get(root, "agency_id");
    if (!json_is_object(u) || !endpoint || !json_is_integer(aid)) {
        out->dead = "not a stored Telegram update";
        return ERR_OK;
    }
    wa_event ev;
    const char *callback_id;
    bool usable = read_update(ar, endpoint, u, &ev, &callback_id);
    out->summary =
        arena_printf(ar, "{\"endpoint\":\"%s\",\"update_id\":%lld,\"type\":\"%s\"}", endpoint,
                     (long long)json_integer_value(json_object_get(u, "update_id")),
                     usable ? ev.type : "ignored");
    if (!usable) {
        log_debug("telegram", "event=ignored inbox_id=%lld", (long long)inbound_id);
        return ERR_OK;
    }
    store_agency agency;
    err_t e = store_agency_get(s, ar, (int64_t)json_integer_value(aid), &agency);
    if (e == ERR_NOT_FOUND) {
        out->dead = "the agency of this bot is gone";
        return ERR_OK;
    }
    if (e == ERR_OK)
        e = handle(cfg, s, ar, &ev, &agency, now);
    if (e == ERR_OK && callback_id)
        answer_callback(cfg, s, ar, endpoint, callback_id);
    return e;
}
