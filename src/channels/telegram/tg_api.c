/* One call of the Telegram Bot API (tg.h): the driver's only HTTP to
 * Telegram. The token is part of the URL (the Bot API's design): the URL
 * is never logged. */
#include "channels/telegram/tg.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool tg_answer_sink(void *arg, const char *data, size_t len)
{
    tg_answer *a = arg;
    if (len > a->max - a->len)
        return false; /* too large: abort the transfer */
    char *d = realloc(a->data, a->len + len + 1);
    if (!d)
        return false;
    memcpy(d + a->len, data, len);
    a->data = d;
    a->len += len;
    a->data[a->len] = '\0';
    return true;
}

void tg_answer_free(tg_answer *a)
{
    free(a->data);
    a->data = NULL;
    a->len = 0;
}

typedef struct {
    channel_sink sink;
    void *arg;
} sink_ctx;

static size_t on_data(char *p, size_t size, size_t nmemb, void *arg)
{
    const sink_ctx *k = arg;
    size_t n = size * nmemb;
    return k->sink(k->arg, p, n) ? n : 0;
}

static long perform(CURL *curl, const char *url, const char *json, curl_mime *form, long timeout,
                    channel_sink sink, void *arg, CURLcode *cc)
{
    struct curl_slist *h = NULL;
    sink_ctx k = {sink, arg};
    if (json)
        h = curl_slist_append(h, "Content-Type: application/json");
    curl_easy_reset(curl);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
    if (json)
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, json);
    else if (form)
        curl_easy_setopt(curl, CURLOPT_MIMEPOST, form);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, timeout);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, (void *)&k);
    *cc = curl_easy_perform(curl);
    curl_slist_free_all(h);
    long status = 0;
    if (*cc == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    return status;
}

long tg_call(const config_t *cfg, CURL *curl, const char *token, const char *method,
             const char *json, curl_mime *form, long timeout, channel_sink sink, void *arg,
             CURLcode *cc)
{
    char url[CONFIG_URL_MAX + 256];
    snprintf(url, sizeof url, "%s/bot%s/%s", cfg->telegram_api, token, method);
    long st = perform(curl, url, json, form, timeout, sink, arg, cc);
    sodium_memzero(url, sizeof url);
    return st;
}

long tg_download(const config_t *cfg, CURL *curl, const char *token, const char *file_path,
                 channel_sink sink, void *arg, CURLcode *cc)
{
    char url[CONFIG_URL_MAX + 512];
    snprintf(url, sizeof url, "%s/file/bot%s/%s", cfg->telegram_api, token, file_path);
    long st = perform(curl, url, NULL, NULL, CHANNEL_FILE_TIMEOUT, sink, arg, cc);
    sodium_memzero(url, sizeof url);
    return st;
}

bool tg_token_valid(const char *token, char *bot_id, size_t cap)
{
    const char *colon = token ? strchr(token, ':') : NULL;
    size_t id_len = colon ? (size_t)(colon - token) : 0;
    if (!colon || id_len == 0 || id_len > 20 || strspn(token, "0123456789") != id_len)
        return false;
    size_t rest = strlen(colon + 1);
    if (rest < 30 || rest > 60 ||
        strspn(colon + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") !=
            rest)
        return false;
    if (id_len + 1 > cap)
        return false;
    memcpy(bot_id, token, id_len);
    bot_id[id_len] = '\0';
    return true;
}

err_t tg_token_of(struct store *s, arena_t *ar, const char *endpoint, const char **token)
{
    store_endpoint ep;
    err_t e = store_endpoint_get(s, ar, TG_CHANNEL, endpoint, &ep);
    if (e == ERR_OK && (!ep.secret || !*ep.secret))
        e = ERR_NOT_FOUND;
    *token = e == ERR_OK ? ep.secret : NULL;
    return e;
}
