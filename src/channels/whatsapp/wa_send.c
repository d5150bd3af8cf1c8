/* The WhatsApp driver (channels/channel.h): a neutral message rendered as
 * a Graph API message, sent to POST {graph}/{phone_number_id}/messages,
 * the Graph API's error codes read into the neutral result
 * (CLOUD-API-NOTES.md §4-§7), and the 24-hour window as the re-engagement
 * rule. Without an access token the driver is the simulator: nothing
 * leaves the machine. */
#include "channels/whatsapp/wa.h"

#include <curl/curl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Answers we read: the Graph API's are small. */
#define ANSWER_MAX (64 * 1024)

typedef struct {
    char *data;
    size_t len;
} answer;

static size_t on_data(char *p, size_t size, size_t nmemb, void *arg)
{
    answer *a = arg;
    size_t n = size * nmemb;
    if (a->len + n > ANSWER_MAX)
        return 0; /* too large: abort the transfer */
    char *d = realloc(a->data, a->len + n + 1);
    if (!d)
        return 0;
    memcpy(d + a->len, p, n);
    a->data = d;
    a->len += n;
    a->data[a->len] = '\0';
    return n;
}

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
    char url[CONFIG_URL_MAX + 64], auth[CONFIG_SECRET_MAX + 32];
    answer a = {0};
    struct curl_slist *h = NULL;
    memset(r, 0, sizeof *r);
    snprintf(url, sizeof url, "%s/%s/messages", cfg->wa_graph_url, pnid);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", cfg->wa_access_token);
    h = curl_slist_append(h, "Content-Type: application/json");
    h = curl_slist_append(h, auth);
    curl_easy_reset(curl);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, (long)CHANNEL_SEND_TIMEOUT);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 5L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &a);
    CURLcode cc = curl_easy_perform(curl);
    sodium_memzero(auth, sizeof auth);
    curl_slist_free_all(h);
    if (cc != CURLE_OK) {
        snprintf(r->error, sizeof r->error, "network: %s", curl_easy_strerror(cc));
        free(a.data);
        return;
    }
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r->http);
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
    free(a.data);
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

static void wa_send(const config_t *cfg, void *curl, const char *endpoint, const char *payload,
                    channel_result *out)
{
    result r;
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
const channel_driver wa_driver = {
    .name = WA_CHANNEL,
    .caps = {.buttons_max = 3,
             .list_rows_max = 10,
             .location_request = true,
             .documents = true,
             .templates = true,
             .reengage_seconds = WA_WINDOW_SECONDS},
    .render = wa_render,
    .send = wa_send,
    .can_send_text = wa_can_send_text,
    .live = wa_live,
};
