/* The WhatsApp driver (channels/channel.h): a neutral message rendered as
 * a Graph API message, sent to POST {graph}/{phone_number_id}/messages,
 * the Graph API's error codes read into the neutral result
 * (CLOUD-API-NOTES.md §4-§7), and the 24-hour window as the re-engagement
 * rule. Without an access token the driver is the simulator: nothing
 * leaves the machine. */
#include "channels/whatsapp/wa.h"

#include "channels/whatsapp/wa_graph.h"

#include "store/store.h"

#include <ctype.h>
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Answers we read: the Graph API's are small. */
#define ANSWER_MAX (64 * 1024)

typedef struct {
    long http;       /* 0: no answer (network, timeout) */
    long code;       /* Graph error code, 0 if none */
    char wamid[256]; /* on success */
    char error[256]; /* why, for last_error */
} result;

/* Graph error codes (CLOUD-API-NOTES.md §7). */
#define CODE_TOKEN  190    /* the access token was refused */
#define CODE_WINDOW 131047 /* free text outside the 24-hour window */

static void post(const config_t *cfg, CURL *curl, const char *pnid, const char *body, result *r)
{
    char url[CONFIG_URL_MAX + 64];
    wa_answer a = {.max = ANSWER_MAX};
    CURLcode cc;
    memset(r, 0, sizeof *r);
    snprintf(url, sizeof url, "%s/%s/messages", cfg->wa_graph_url, pnid);
    wa_graph_req q = {.url = url,
                      .json = body,
                      .timeout = CHANNEL_SEND_TIMEOUT,
                      .connect_timeout = 5,
                      .sink = wa_answer_sink,
                      .arg = &a};
    r->http = wa_graph(cfg, curl, &q, &cc);
    if (cc != CURLE_OK) {
        snprintf(r->error, sizeof r->error, "network: %s", curl_easy_strerror(cc));
        wa_answer_free(&a);
        return;
    }
    json_error_t je;
    json_t *j = a.data ? json_loads(a.data, 0, &je) : NULL;
    json_t *id = json_object_get(json_array_get(json_object_get(j, "messages"), 0), "id");
    json_t *err = json_object_get(j, "error");
    if (r->http == 200 && json_is_string(id)) {
        snprintf(r->wamid, sizeof r->wamid, "%s", json_string_value(id));
    } else if (json_is_object(err)) {
        r->code = (long)json_integer_value(json_object_get(err, "code"));
        json_t *msg = json_object_get(err, "message");
        snprintf(r->error, sizeof r->error, "%ld %ld: %s", r->http, r->code,
                 json_is_string(msg) ? json_string_value(msg) : "error");
    } else {
        snprintf(r->error, sizeof r->error, "HTTP %ld without a message id", r->http);
    }
    json_decref(j);
    wa_answer_free(&a);
}

static bool retryable(const result *r)
{
    if (r->http == 0 || r->http == 429 || r->http >= 500)
        return true;
    switch (r->code) {
    case 4:
    case 80007:
    case 130429:
    case 131056:
    case 131000:
    case 131016:
    case 131057:
        return true;
    }
    return false;
}

static void wa_send(const config_t *cfg, struct store *s, void *curl, const char *endpoint,
                    const char *payload, channel_result *out)
{
    result r;
    (void)s; /* the access token is the configuration's */
    post(cfg, curl, endpoint, payload, &r);
    memset(out, 0, sizeof *out);
    snprintf(out->provider_id, sizeof out->provider_id, "%s", r.wamid);
    snprintf(out->error, sizeof out->error, "%s", r.error);
    out->code = r.code;
    if (r.wamid[0])
        return;
    out->auth_failed = r.code == CODE_TOKEN;
    out->window_closed = r.code == CODE_WINDOW;
    out->retryable = !out->auth_failed && retryable(&r);
    if (out->window_closed)
        snprintf(out->error, sizeof out->error,
                 "131047: outside the 24-hour window and no approved template for this message");
}

static bool wa_live(const config_t *cfg) { return cfg->wa_access_token[0] != '\0'; }

bool wa_can_send_text(int64_t last_inbound_at, int64_t now)
{
    return last_inbound_at && now - last_inbound_at < WA_WINDOW_SECONDS;
}

/* Limits of the Cloud API's interactive messages (CLOUD-API-NOTES.md §5). */
/* https://wa.me/<the agency's shown number, digits>?text=<text>: WhatsApp's
 * click-to-chat link; the citizen sends the text from their own number. */
static const char *wa_start_link(struct store *s, arena_t *ar, int64_t agency_id, const char *text)
{
    const char *shown;
    if (store_agency_number_display(s, ar, agency_id, &shown) != ERR_OK)
        return NULL;
    char digits[32];
    size_t n = 0;
    for (const char *p = shown; *p && n + 1 < sizeof digits; p++)
        if (*p >= '0' && *p <= '9')
            digits[n++] = *p;
    digits[n] = '\0';
    if (n < 8)
        return NULL;
    char *link = arena_printf(ar, "https://wa.me/%s?text=", digits);
    for (const unsigned char *p = (const unsigned char *)text; link && *p; p++)
        link = isalnum(*p) || *p == '-' ? arena_printf(ar, "%s%c", link, *p)
                                        : arena_printf(ar, "%s%%%02X", link, *p);
    return link;
}

const channel_driver wa_driver = {
    .name = WA_CHANNEL,
    .title = "WhatsApp",
    .caps = {.buttons_max = 3,
             .list_rows_max = 10,
             .location_request = true,
             .documents = true,
             .templates = true,
             .mobile_address = true,
             .reengage_seconds = WA_WINDOW_SECONDS},
    .render = wa_render,
    .send = wa_send,
    .can_send_text = wa_can_send_text,
    .live = wa_live,
    .routes = wa_routes,
    .process = wa_process,
    .fetch_media = wa_fetch_media,
    .attach_document = wa_attach_document,
    .start_link = wa_start_link,
};
