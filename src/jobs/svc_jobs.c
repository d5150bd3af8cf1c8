#include "jobs/svc_jobs.h"

#include "core/log.h"
#include "domain/services.h"

#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define UPLOAD_TIMEOUT  SVC_UPLOAD_TIMEOUT
#define UPLOAD_ATTEMPTS 12
#define ANSWER_MAX      (16 * 1024)
#define RETENTION_EVERY 60 /* seconds between retention checks */

typedef struct {
    char data[ANSWER_MAX];
    size_t len;
} answer;

static size_t on_data(char *p, size_t size, size_t nmemb, void *arg)
{
    answer *a = arg;
    size_t n = size * nmemb;
    if (a->len + n >= sizeof a->data)
        return 0;
    memcpy(a->data + a->len, p, n);
    a->len += n;
    a->data[a->len] = '\0';
    return n;
}

/* Uploads path as filename to the number's media; *id gets the media id.
 * Returns NULL or why not (*final: no point in trying again). */
static const char *upload(const config_t *cfg, CURL *curl, const char *pnid, const char *path,
                          const char *filename, char *id, size_t idcap, bool *final, char *err,
                          size_t cap)
{
    char url[CONFIG_URL_MAX + 96], auth[CONFIG_SECRET_MAX + 32];
    answer a = {0};
    struct curl_slist *h = NULL;
    *final = false;
    snprintf(url, sizeof url, "%s/%s/media", cfg->wa_graph_url, pnid);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", cfg->wa_access_token);
    h = curl_slist_append(h, auth);
    curl_easy_reset(curl);
    curl_mime *mime = curl_mime_init(curl);
    curl_mimepart *part = curl_mime_addpart(mime);
    curl_mime_name(part, "messaging_product");
    curl_mime_data(part, "whatsapp", CURL_ZERO_TERMINATED);
    part = curl_mime_addpart(mime);
    curl_mime_name(part, "type");
    curl_mime_data(part, "application/pdf", CURL_ZERO_TERMINATED);
    part = curl_mime_addpart(mime);
    curl_mime_name(part, "file");
    CURLcode cc = curl_mime_filedata(part, path);
    curl_mime_filename(part, filename);
    curl_mime_type(part, "application/pdf");
    if (cc != CURLE_OK) {
        curl_mime_free(mime);
        curl_slist_free_all(h);
        sodium_memzero(auth, sizeof auth);
        snprintf(err, cap, "the issued file is missing from the media directory");
        *final = true;
        return err;
    }
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(curl, CURLOPT_MIMEPOST, mime);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, (long)UPLOAD_TIMEOUT);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &a);
    cc = curl_easy_perform(curl);
    sodium_memzero(auth, sizeof auth);
    curl_slist_free_all(h);
    curl_mime_free(mime);
    if (cc != CURLE_OK) {
        snprintf(err, cap, "media upload: %s", curl_easy_strerror(cc));
        return err;
    }
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    json_error_t je;
    json_t *j = json_loads(a.data, 0, &je);
    const char *mid = json_string_value(json_object_get(j, "id"));
    if (status == 200 && mid && strlen(mid) < idcap) {
        snprintf(id, idcap, "%s", mid);
        json_decref(j);
        return NULL;
    }
    const char *msg = json_string_value(json_object_get(json_object_get(j, "error"), "message"));
    snprintf(err, cap, "media upload: HTTP %ld %s", status, msg ? msg : "");
    *final = status >= 400 && status < 500 && status != 429 && status != 401;
    json_decref(j);
    return err;
}

/* Puts the media id where the placeholder is: document.id of the message,
 * and the header's document.id of the template. */
static const char *fill(arena_t *ar, const char *body, const char *media_id)
{
    json_error_t je;
    json_t *j = body ? json_loads(body, 0, &je) : NULL;
    if (!j)
        return body;
    json_t *doc = json_object_get(j, "document");
    if (json_is_object(doc))
        json_object_set_new(doc, "id", json_string(media_id));
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(json_object_get(j, "template"), "components"), i, c)
    {
        size_t k;
        json_t *p;
        json_array_foreach(json_object_get(c, "parameters"), k, p)
        {
            json_t *d = json_object_get(p, "document");
            if (json_is_object(d))
                json_object_set_new(d, "id", json_string(media_id));
        }
    }
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    const char *out = s ? arena_strdup(ar, s) : NULL;
    free(s);
    return out;
}

bool svc_outbox_prepare(const config_t *cfg, store_t *s, CURL *curl, arena_t *ar,
                        store_outbox_row *m, int64_t now)
{
    const char *sha = NULL, *filename = NULL, *why = NULL;
    char media_id[128], err[512] = "", path[CONFIG_PATH_MAX + 80];
    bool final = false;
    if (!m->payload || !strstr(m->payload, SVC_MEDIA_PLACEHOLDER))
        return true; /* already filled */
    err_t e = store_svc_outbox_file(s, ar, m->id, &sha, &filename);
    if (e == ERR_NOT_FOUND) {
        why = "the issued file is gone";
        final = true;
    } else if (e != ERR_OK) {
        why = "database";
    } else if (!cfg->wa_access_token[0] || !curl) {
        /* Simulator mode: no Graph API to upload to. */
        snprintf(media_id, sizeof media_id, "sim-media-%.16s", sha);
    } else {
        snprintf(path, sizeof path, "%s/%s", cfg->media_dir, sha);
        why = upload(cfg, curl, m->endpoint, path, filename ? filename : "dokumen.pdf", media_id,
                     sizeof media_id, &final, err, sizeof err);
    }
    if (!why) {
        m->payload = fill(ar, m->payload, media_id);
        m->template = fill(ar, m->template, media_id);
        log_info("svc", "event=document_uploaded outbox_id=%lld", (long long)m->id);
        return true;
    }
    bool give_up = final || m->attempts >= UPLOAD_ATTEMPTS;
    int64_t at = give_up ? 0 : now + ((int64_t)1 << (m->attempts < 10 ? m->attempts : 10));
    log_warn("svc", "event=document_upload_%s outbox_id=%lld error=\"%s\"",
             give_up ? "failed" : "retry", (long long)m->id, why);
    if (store_outbox_retry(s, m->id, at, why, now) != ERR_OK)
        log_warn("svc", "event=outbox_store_failed id=%lld", (long long)m->id);
    return false;
}

int svc_retention_run(const config_t *cfg, store_t *s, int64_t now)
{
    /* Only the worker thread calls this. */
    static int64_t last = 0;
    if (now - last < RETENTION_EVERY)
        return 0;
    last = now;
    arena_t *ar = arena_new();
    const char **sha = NULL;
    size_t n = 0, files = 0;
    int64_t before = now - (int64_t)cfg->svc_retention_days * 86400;
    if (!ar)
        return 0;
    err_t e = store_svc_expire(s, ar, before, now, &sha, &n, &files);
    if (e != ERR_OK)
        log_warn("svc", "event=retention_failed error=%s", err_code(e));
    for (size_t i = 0; e == ERR_OK && i < n; i++) {
        char path[CONFIG_PATH_MAX + 80];
        snprintf(path, sizeof path, "%s/%s", cfg->media_dir, sha[i]);
        if (unlink(path) != 0 && errno != ENOENT)
            log_warn("svc", "event=retention_unlink_failed errno=%d", errno);
    }
    if (files)
        log_info("svc", "event=retention files=%zu removed=%zu", files, n);
    arena_destroy(ar);
    if (files == 200)
        last = 0; /* more are due: the next pass goes on */
    return (int)files;
}
