/* The WhatsApp webhook: the verification handshake and the durable
 * receipt of signed events (DESIGN.md §4), and the driver's route table.
 * Processing happens later, from the inbox, in the background (jobs/,
 * wa_process.c). */
#include "channels/whatsapp/wa_routes.h"

#include "channels/whatsapp/wa.h"
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
    it->channel = WA_CHANNEL;
    it->body = body;
    it->len = strlen(body);
    it->dead_reason = dead;
    r->resume = wa_received;
    if (ingest_submit(app->ingest, it))
        return ERR_OK; /* answered by wa_received once the batch commits */
    r->resume = NULL;
    it->result =
        store_inbound_add(app->store, it->channel, body, it->len, dead, clock_now(), &it->id);
    if (it->result == ERR_OK)
        jobs_ingested(app->jobs, 1);
    return wa_received(app, r);
}

/* Who may act as a staff number in the simulator. */
#define SIM_ADMINS ((1u << ROLE_SUPERADMIN) | (1u << ROLE_ADMIN))

/* Shown when a simulator route is asked while the driver is live. */
static const char SIM_OFF[] = "the simulator is off: a Meta access token is configured";

/* The webhook's paths are the ones registered with Meta: never change them. */
static const route_t ROUTES[] = {
    {"GET", "/webhooks/whatsapp", h_wa_verify, SCOPE_PUBLIC, 0, NULL, WA_BODY_MAX, 0},
    {"POST", "/webhooks/whatsapp", h_wa_receive, SCOPE_PUBLIC, 0, NULL, WA_BODY_MAX, 0},
    {"GET", "/sim/api/numbers", h_sim_numbers, SCOPE_PUBLIC, 0, SIM_OFF, 0, R_SIM},
    {"POST", "/sim/api/send", h_sim_send, SCOPE_PUBLIC, 0, SIM_OFF, SIM_BODY_MAX, R_SIM},
    {"GET", "/sim/api/messages", h_sim_messages, SCOPE_PUBLIC, 0, SIM_OFF, 0, R_SIM},
    {"GET", "/sim/api/media/{file}", h_sim_media, SCOPE_PUBLIC, 0, SIM_OFF, 0, R_SIM},
    {"GET", "/sim/api/staff", h_sim_staff, SCOPE_NONE, SIM_ADMINS, NULL, 0, R_SIM},
};

const struct http_route *wa_routes(size_t *n)
{
    *n = sizeof ROUTES / sizeof ROUTES[0];
    return ROUTES;
}
