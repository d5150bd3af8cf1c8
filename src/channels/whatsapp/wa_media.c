/* The WhatsApp driver's files: downloading what citizens send (GET
 * {graph}/{media_id} for a short-lived URL, then that URL; media ids in
 * webhooks expire after 7 days, their URLs after 5 minutes,
 * CLOUD-API-NOTES.md §8) and uploading an issued document before its
 * message goes (POST {graph}/{phone_number_id}/media). The simulator's
 * photos are in the media directory already; its documents never leave. */
#include "channels/whatsapp/wa.h"

#include "channels/whatsapp/wa_graph.h"
#include "channels/whatsapp/wa_routes.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The Graph API's answers about a file (its URL, an upload's id). */
#define META_MAX (16 * 1024)
/* A simulated media id: this prefix and the sha256 of the file the
 * simulator stored (wa_sim.c). */
#define SIM_MEDIA "sim:"

/* The simulator put the file in the media directory under its sha256. */
static bool sim_media(const config_t *cfg, const char *media_id, channel_fetch *f)
{
    char path[CONFIG_PATH_MAX + 80];
    struct stat st;
    const char *hex = media_id + strlen(SIM_MEDIA);
    f->final = true;
    if (strlen(hex) != 64 || strspn(hex, "0123456789abcdef") != 64) {
        snprintf(f->error, sizeof f->error, "simulated media id is not a sha256");
        return false;
    }
    snprintf(path, sizeof path, "%s/%s", cfg->media_dir, hex);
    if (stat(path, &st) != 0) {
        snprintf(f->error, sizeof f->error, "simulated photo not found in the media directory");
        return false;
    }
    snprintf(f->stored, sizeof f->stored, "%s", hex);
    return true;
}

bool wa_fetch_media(const config_t *cfg, struct store *s, void *curl, const char *media_id,
                    channel_fetch *f)
{
    (void)s; /* the access token is the configuration's */
    char url[CONFIG_URL_MAX + 128];
    wa_answer meta = {.max = META_MAX};
    CURLcode cc;
    f->mime[0] = f->stored[0] = f->error[0] = '\0';
    f->final = false;
    if (!cfg->wa_access_token[0]) {
        if (strncmp(media_id, SIM_MEDIA, strlen(SIM_MEDIA)) == 0)
            return sim_media(cfg, media_id, f);
        snprintf(f->error, sizeof f->error,
                 "no access token: media cannot be downloaded (simulator mode)");
        f->final = true;
        return false;
    }
    snprintf(url, sizeof url, "%s/%s", cfg->wa_graph_url, media_id);
    wa_graph_req q = {.url = url,
                      .timeout = CHANNEL_FILE_TIMEOUT,
                      .connect_timeout = 10,
                      .sink = wa_answer_sink,
                      .arg = &meta};
    long st = wa_graph(cfg, curl, &q, &cc);
    if (st != 200) {
        if (st)
            snprintf(f->error, sizeof f->error, "media info: HTTP %ld", st);
        else
            snprintf(f->error, sizeof f->error, "%s",
                     meta.too_big ? "file too large" : curl_easy_strerror(cc));
        f->final = st >= 400 && st < 500 && st != 429;
        wa_answer_free(&meta);
        return false;
    }
    json_error_t je;
    json_t *m = meta.data ? json_loads(meta.data, 0, &je) : NULL;
    wa_answer_free(&meta);
    const char *link = json_string_value(json_object_get(m, "url"));
    const char *mime = json_string_value(json_object_get(m, "mime_type"));
    if (!link || (strncmp(link, "https://", 8) && strncmp(link, "http://", 7))) {
        json_decref(m);
        snprintf(f->error, sizeof f->error, "media info without a url");
        return false;
    }
    snprintf(url, sizeof url, "%s", link);
    if (mime)
        snprintf(f->mime, sizeof f->mime, "%s", mime);
    json_decref(m);
    q.url = url;
    q.sink = f->sink;
    q.arg = f->arg;
    st = wa_graph(cfg, curl, &q, &cc);
    if (st == 200)
        return true;
    if (st)
        snprintf(f->error, sizeof f->error, "download: HTTP %ld", st);
    else
        snprintf(f->error, sizeof f->error, "%s", curl_easy_strerror(cc));
    return false;
}

/* Uploads path as filename to the number's media; id gets the media id.
 * Returns NULL or why not (*final: no point in trying again). */
static const char *upload(const config_t *cfg, CURL *curl, const char *pnid, const char *path,
                          const char *filename, char *id, size_t idcap, bool *final, char *err,
                          size_t cap)
{
    char url[CONFIG_URL_MAX + 96];
    wa_answer a = {.max = META_MAX};
    CURLcode cc;
    *final = false;
    snprintf(url, sizeof url, "%s/%s/media", cfg->wa_graph_url, pnid);
    curl_easy_reset(curl);
    curl_mime *mime = curl_mime_init(curl);
    curl_mimepart *part = curl_mime_addpart(mime);
    curl_mime_name(part, "messaging_product");
    curl_mime_data(part, WA_CHANNEL, CURL_ZERO_TERMINATED);
    part = curl_mime_addpart(mime);
    curl_mime_name(part, "type");
    curl_mime_data(part, "application/pdf", CURL_ZERO_TERMINATED);
    part = curl_mime_addpart(mime);
    curl_mime_name(part, "file");
    cc = curl_mime_filedata(part, path);
    curl_mime_filename(part, filename);
    curl_mime_type(part, "application/pdf");
    if (cc != CURLE_OK) {
        curl_mime_free(mime);
        snprintf(err, cap, "the issued file is missing from the media directory");
        *final = true;
        return err;
    }
    wa_graph_req q = {.url = url,
                      .form = mime,
                      .timeout = CHANNEL_FILE_TIMEOUT,
                      .connect_timeout = 10,
                      .sink = wa_answer_sink,
                      .arg = &a};
    long status = wa_graph(cfg, curl, &q, &cc);
    curl_mime_free(mime);
    if (cc != CURLE_OK) {
        snprintf(err, cap, "media upload: %s", curl_easy_strerror(cc));
        wa_answer_free(&a);
        return err;
    }
    json_error_t je;
    json_t *j = a.data ? json_loads(a.data, 0, &je) : NULL;
    wa_answer_free(&a);
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

const char *wa_attach_document(const config_t *cfg, void *curl, arena_t *ar, const char *endpoint,
                               const char *path, const char *sha256, const char *filename,
                               const char **payload, const char **template, bool *final, char *err,
                               size_t cap)
{
    char media_id[128];
    *final = false;
    if (!cfg->wa_access_token[0] || !curl) {
        /* The simulator: no Graph API to upload to. */
        snprintf(media_id, sizeof media_id, SIM_MEDIA_PREFIX "%s", sha256);
    } else {
        const char *why =
            upload(cfg, curl, endpoint, path, filename, media_id, sizeof media_id, final, err, cap);
        if (why)
            return why;
    }
    *payload = fill(ar, *payload, media_id);
    *template = fill(ar, *template, media_id);
    return NULL;
}
