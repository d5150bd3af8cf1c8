/* One request to the Graph API (wa_graph.h). */
#include "channels/whatsapp/wa_graph.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool wa_answer_sink(void *arg, const char *data, size_t len)
{
    wa_answer *a = arg;
    if (len > a->max - a->len) {
        a->too_big = true;
        return false; /* too large: abort the transfer */
    }
    char *d = realloc(a->data, a->len + len + 1);
    if (!d)
        return false;
    memcpy(d + a->len, data, len);
    a->data = d;
    a->len += len;
    a->data[a->len] = '\0';
    return true;
}

void wa_answer_free(wa_answer *a)
{
    free(a->data);
    a->data = NULL;
    a->len = 0;
}

static size_t on_data(char *p, size_t size, size_t nmemb, void *arg)
{
    const wa_graph_req *q = arg;
    size_t n = size * nmemb;
    return q->sink(q->arg, p, n) ? n : 0;
}

long wa_graph(const config_t *cfg, CURL *curl, const wa_graph_req *q, CURLcode *cc)
{
    char auth[CONFIG_SECRET_MAX + 32];
    struct curl_slist *h = NULL;
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", cfg->wa_access_token);
    if (q->json)
        h = curl_slist_append(h, "Content-Type: application/json");
    h = curl_slist_append(h, auth);
    curl_easy_reset(curl);
    curl_easy_setopt(curl, CURLOPT_URL, q->url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
    if (q->json)
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, q->json);
    else if (q->form)
        curl_easy_setopt(curl, CURLOPT_MIMEPOST, q->form);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, q->timeout);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, q->connect_timeout);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, (void *)q);
    *cc = curl_easy_perform(curl);
    sodium_memzero(auth, sizeof auth);
    curl_slist_free_all(h);
    long status = 0;
    if (*cc == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    return status;
}
