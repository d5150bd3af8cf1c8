#include "channels/whatsapp/wa_in.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* More events than this in one POST is not Meta (it batches at most 1000
 * updates); refuse rather than allocate without bound. */
#define WA_EVENTS_MAX 2000

static const char *str(arena_t *ar, json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? arena_strdup(ar, json_string_value(v)) : NULL;
}

static int64_t num_str(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (json_is_string(v))
        return strtoll(json_string_value(v), NULL, 10);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
}

static double real(json_t *o, const char *key, bool *ok)
{
    json_t *v = json_object_get(o, key);
    if (json_is_number(v))
        return json_number_value(v);
    if (json_is_string(v)) { /* some SDKs send strings; accept them */
        char *end;
        double d = strtod(json_string_value(v), &end);
        if (*end == '\0')
            return d;
    }
    *ok = false;
    return 0;
}

static void read_media(arena_t *ar, wa_event *ev, json_t *m)
{
    json_t *media = json_object_get(m, ev->type);
    if (!json_is_object(media))
        return;
    ev->media_id = str(ar, media, "id");
    ev->media_mime = str(ar, media, "mime_type");
    ev->media_sha256 = str(ar, media, "sha256");
    ev->media_filename = str(ar, media, "filename");
    ev->text = str(ar, media, "caption");
}

static void read_message(arena_t *ar, wa_event *ev, json_t *m)
{
    ev->kind = WA_EV_MESSAGE;
    ev->wamid = str(ar, m, "id");
    ev->from = str(ar, m, "from");
    if (!ev->from) /* business-scoped user ids only */
        ev->from = str(ar, m, "from_user_id");
    ev->type = str(ar, m, "type");
    ev->timestamp = num_str(m, "timestamp");
    if (!ev->type)
        return;
    json_t *o = json_object_get(m, ev->type);
    if (strcmp(ev->type, "text") == 0) {
        ev->text = str(ar, o, "body");
    } else if (strcmp(ev->type, "interactive") == 0) {
        json_t *r = json_object_get(o, "button_reply");
        if (!r)
            r = json_object_get(o, "list_reply");
        ev->reply_id = str(ar, r, "id");
        ev->text = str(ar, r, "title");
    } else if (strcmp(ev->type, "button") == 0) {
        ev->reply_id = str(ar, o, "payload");
        ev->text = str(ar, o, "text");
    } else if (strcmp(ev->type, "location") == 0) {
        bool ok = json_is_object(o);
        ev->lat = real(o, "latitude", &ok);
        ev->lon = real(o, "longitude", &ok);
        ev->has_location =
            ok && ev->lat >= -90 && ev->lat <= 90 && ev->lon >= -180 && ev->lon <= 180;
        ev->loc_name = str(ar, o, "name");
        ev->loc_address = str(ar, o, "address");
    } else if (!strcmp(ev->type, "image") || !strcmp(ev->type, "video") ||
               !strcmp(ev->type, "audio") || !strcmp(ev->type, "document") ||
               !strcmp(ev->type, "sticker")) {
        read_media(ar, ev, m);
    }
}

static void read_status(arena_t *ar, wa_event *ev, json_t *st)
{
    ev->kind = WA_EV_STATUS;
    ev->wamid = str(ar, st, "id");
    ev->status = str(ar, st, "status");
    ev->recipient = str(ar, st, "recipient_id");
    ev->timestamp = num_str(st, "timestamp");
    json_t *err = json_array_get(json_object_get(st, "errors"), 0);
    if (json_is_object(err)) {
        json_t *title = json_object_get(err, "title");
        ev->error = arena_printf(ar, "%lld: %s", (long long)num_str(err, "code"),
                                 json_is_string(title) ? json_string_value(title) : "error");
    }
}

static void decref(void *p) { json_decref(p); }

err_t wa_parse(arena_t *ar, const char *body, wa_event **out, size_t *n, size_t *skipped,
               const char **why)
{
    json_error_t je;
    *out = NULL;
    *n = 0;
    *skipped = 0;
    json_t *root = json_loads(body, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        *why = arena_printf(ar, "not JSON: %s", je.text);
        return ERR_BAD_JSON;
    }
    if (arena_on_destroy(ar, decref, root) != 0)
        return ERR_NOMEM;
    json_t *entries = json_object_get(root, "entry");
    if (!json_is_object(root) || !json_is_array(entries)) {
        *why = "not a WhatsApp webhook (no entry array)";
        return ERR_BAD_JSON;
    }
    size_t cnt = 0, total = 0, i, j, k;
    json_t *entry, *change, *item;
    /* Count first: most bodies carry one event, and a worker under load
     * parses thousands a second. */
    json_array_foreach(entries, i, entry)
    {
        json_array_foreach(json_object_get(entry, "changes"), j, change)
        {
            json_t *value = json_object_get(change, "value");
            total += json_array_size(json_object_get(value, "messages")) +
                     json_array_size(json_object_get(value, "statuses"));
        }
    }
    if (total > WA_EVENTS_MAX) {
        *why = "too many events in one body";
        return ERR_BAD_JSON;
    }
    wa_event *evs = arena_alloc(ar, sizeof *evs * (total ? total : 1));
    if (!evs)
        return ERR_NOMEM;
    json_array_foreach(entries, i,
                       entry){json_array_foreach(json_object_get(entry, "changes"), j, change){
        json_t *value = json_object_get(change, "value");
    const char *pnid = str(ar, json_object_get(value, "metadata"), "phone_number_id");
    const char *name =
        str(ar, json_object_get(json_array_get(json_object_get(value, "contacts"), 0), "profile"),
            "name");
    json_array_foreach(json_object_get(value, "messages"), k, item)
    {
        wa_event *ev = &evs[cnt];
        memset(ev, 0, sizeof *ev);
        ev->phone_number_id = pnid;
        ev->profile_name = name;
        read_message(ar, ev, item);
        if (ev->wamid && ev->from && ev->type && pnid)
            cnt++;
        else
            (*skipped)++;
    }
    json_array_foreach(json_object_get(value, "statuses"), k, item)
    {
        wa_event *ev = &evs[cnt];
        memset(ev, 0, sizeof *ev);
        ev->phone_number_id = pnid;
        read_status(ar, ev, item);
        if (ev->wamid && ev->status)
            cnt++;
        else
            (*skipped)++;
    }
    /* value.errors: nothing to act on; the processor logs the count. */
    if (json_array_size(json_object_get(value, "errors")))
        (*skipped)++;
}
}
*out = evs;
*n = cnt;
return ERR_OK;
}
