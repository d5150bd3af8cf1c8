/* wa_graph: one request to the Graph API with the access token, and its
 * answer collected: the one home of "HTTP with curl and collect the body"
 * for sending (wa_send.c), media downloads and document uploads
 * (wa_media.c). Internal to the WhatsApp driver. */
#ifndef ADUAN_WA_GRAPH_H
#define ADUAN_WA_GRAPH_H

#include "channels/channel.h"

#include <curl/curl.h>

/* A small answer (the Graph API's JSON) collected in memory, at most max
 * bytes; data is NUL-terminated and freed by wa_answer_free. */
typedef struct {
    char *data;
    size_t len, max;
    bool too_big; /* the answer was longer than max: the transfer was cut */
} wa_answer;

/* channel_sink into a wa_answer (arg). */
bool wa_answer_sink(void *arg, const char *data, size_t len);
void wa_answer_free(wa_answer *a);

typedef struct {
    const char *url;
    const char *json;     /* POST this JSON body; or */
    curl_mime *form;      /* POST this multipart form; neither: GET */
    long timeout;         /* seconds for the whole request */
    long connect_timeout; /* seconds to connect */
    channel_sink sink;    /* the answer's body goes here */
    void *arg;            /* sink's */
} wa_graph_req;

/* Performs q on curl (reset first) with "Authorization: Bearer" and the
 * access token. Returns the HTTP status; 0 when there was no answer, with
 * *cc saying why (curl_easy_strerror). */
long wa_graph(const config_t *cfg, CURL *curl, const wa_graph_req *q, CURLcode *cc);

#endif
