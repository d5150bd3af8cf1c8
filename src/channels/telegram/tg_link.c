/* Telegram's deep links (issue 16): the public page's follow button is
 * https://t.me/<bot username>?start=<payload>; Telegram's Start button
 * then sends "/start <payload>" to the bot, which the driver reads as the
 * text the payload carries (the dialogue's IKUTI <code>). The username is
 * the one getMe gave at `aduan telegram connect` (settings.username). */
#include "channels/telegram/tg.h"

#include <jansson.h>
#include <string.h>

/* A start parameter: at most 64 of these (Bot API, "Deep linking"). */
#define PAYLOAD_MAX 64
static const char PAYLOAD_CHARS[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

bool tg_username_valid(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    return n >= 5 && n <= 32 &&
           strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

/* Spaces travel as '_' (the payload has no space); anything else outside
 * the payload's characters cannot travel. */
const char *tg_start_payload(arena_t *ar, const char *text)
{
    size_t n = text ? strlen(text) : 0;
    char *out = n && n <= PAYLOAD_MAX ? arena_strdup(ar, text) : NULL;
    for (char *p = out; p && *p; p++) {
        if (*p == ' ')
            *p = '_';
        else if (*p == '_' || !strchr(PAYLOAD_CHARS, *p))
            return NULL;
    }
    return out;
}

const char *tg_start_text(arena_t *ar, const char *payload)
{
    size_t n = payload ? strlen(payload) : 0;
    if (!n || n > PAYLOAD_MAX || strspn(payload, PAYLOAD_CHARS) != n)
        return NULL;
    char *out = arena_strdup(ar, payload);
    for (char *p = out; p && *p; p++)
        if (*p == '_')
            *p = ' ';
    return out;
}

const char *tg_start_link(struct store *s, arena_t *ar, int64_t agency_id, const char *text)
{
    store_endpoint ep;
    if (store_endpoint_of_agency(s, ar, agency_id, TG_CHANNEL, &ep) != ERR_OK || !ep.active)
        return NULL;
    json_t *j = json_loads(ep.settings ? ep.settings : "{}", 0, NULL);
    const char *name = json_string_value(json_object_get(j, "username"));
    const char *payload = tg_start_payload(ar, text);
    const char *link = tg_username_valid(name) && payload
                           ? arena_printf(ar, "https://t.me/%s?start=%s", name, payload)
                           : NULL;
    json_decref(j);
    return link;
}
