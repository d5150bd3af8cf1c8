/* The Telegram webhook: POST /webhooks/telegram/{agency}, one update per
 * request, verified by the secret the bot was given with setWebhook
 * (X-Telegram-Bot-Api-Secret-Token, compared in constant time) and stored
 * in the inbound table, once per update_id, before the 200: Telegram
 * retries anything else. The inbox worker runs it later (tg_process.c). */
#include "channels/telegram/tg.h"

#include "core/clock.h"
#include "core/log.h"
#include "core/text.h"
#include "http/http.h"

#include <jansson.h>
#include <sodium.h>
#include <string.h>

static const char BAD_SECRET[] =
    "X-Telegram-Bot-Api-Secret-Token is missing or does not match this agency's bot";

/* Whether given is want, in time that tells nothing of either (their
 * digests compared, so not even the length shows). */
static bool same_secret(const char *given, const char *want)
{
    unsigned char a[crypto_hash_sha256_BYTES], b[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(a, (const unsigned char *)given, strlen(given));
    crypto_hash_sha256(b, (const unsigned char *)want, strlen(want));
    return sodium_memcmp(a, b, sizeof a) == 0;
}

/* The secret of the agency's bot (settings.webhook_secret); NULL: none. */
static const char *secret_of(arena_t *ar, const store_endpoint *ep)
{
    json_error_t je;
    json_t *j = json_loads(ep->settings ? ep->settings : "{}", 0, &je);
    const char *v = json_string_value(json_object_get(j, "webhook_secret"));
    const char *out = v && *v ? arena_strdup(ar, v) : NULL;
    json_decref(j);
    return out;
}

static err_t h_tg_receive(app_t *app, req_t *r)
{
    const char *code = strrchr(r->path, '/') + 1;
    const char *given = req_header(r, "X-Telegram-Bot-Api-Secret-Token");
    const char *body = r->body ? r->body : "";
    store_agency ag;
    store_endpoint ep;
    err_t e = store_agency_find(app->store, r->ar, code, &ag);
    if (e == ERR_OK)
        e = store_endpoint_of_agency(app->store, r->ar, ag.id, TG_CHANNEL, &ep);
    if (e != ERR_OK && e != ERR_NOT_FOUND)
        return e;
    const char *want = e == ERR_OK ? secret_of(r->ar, &ep) : NULL;
    /* Compared even without a bot (against a stand-in), so that the time
     * does not tell which agencies have one. */
    bool ok = same_secret(given ? given : "", want ? want : "-no-bot-") && want && given;
    if (!ok) {
        log_warn("telegram", "event=bad_secret present=%s bytes=%zu", given ? "yes" : "no",
                 r->body_len);
        r->detail = BAD_SECRET;
        return ERR_UNAUTHORIZED;
    }
    /* Telegram's: kept whatever it is. A body that is no update is a dead
     * letter for the superadmin; an update is stored once per update_id. */
    json_error_t je;
    json_t *j = text_utf8_valid(body, r->body_len) ? json_loadb(body, r->body_len, 0, &je) : NULL;
    json_t *uid = json_object_get(j, "update_id");
    int64_t id = 0;
    bool dup = false;
    if (!json_is_integer(uid)) {
        json_decref(j);
        const char *kept = text_utf8_valid(body, r->body_len) ? body : "(not UTF-8: not kept)";
        e = store_inbound_add(app->store, TG_CHANNEL, kept, strlen(kept),
                              "not a Telegram update (no update_id)", clock_now(), &id);
    } else {
        const char *key =
            arena_printf(r->ar, "tg:%s:%lld", ep.endpoint, (long long)json_integer_value(uid));
        json_decref(j);
        /* The update with what the worker needs: whose bot it came to. */
        const char *stored =
            arena_printf(r->ar, "{\"agency_id\":%lld,\"endpoint\":\"%s\",\"update\":%.*s}",
                         (long long)ag.id, ep.endpoint, (int)r->body_len, body);
        if (!key || !stored)
            return ERR_NOMEM;
        e = store_inbound_add_once(app->store, TG_CHANNEL, key, stored, strlen(stored), clock_now(),
                                   &id, &dup);
    }
    if (e != ERR_OK)
        return e; /* not committed: Telegram tries again */
    if (!dup && app->jobs)
        jobs_ingested(app->jobs, 1);
    log_debug("telegram", "event=received inbox_id=%lld duplicate=%d", (long long)id, dup);
    return reply_json(r, 200, json_pack("{s:b}", "ok", 1));
}

/* The path is the one given to setWebhook: never change it. */
static const route_t ROUTES[] = {
    {"POST", "/webhooks/telegram/{file}", h_tg_receive, SCOPE_PUBLIC, 0, NULL, TG_BODY_MAX, 0},
};

const struct http_route *tg_routes(size_t *n)
{
    *n = sizeof ROUTES / sizeof ROUTES[0];
    return ROUTES;
}
