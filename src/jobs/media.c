/* Media downloads: the photos and videos citizens send, fetched right away
 * (media ids in webhooks expire after 7 days, their URLs after 5 minutes),
 * checked against the webhook's sha256 and kept in the media directory
 * under their own sha256 (CLOUD-API-NOTES.md §8). A picture is kept
 * decoded and encoded again, without its metadata (core/image.h). */
#include "jobs/jobs_int.h"

#include "core/fsfile.h"
#include "core/image.h"
#include "core/log.h"

#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MEDIA_BATCH   4
#define MEDIA_TIMEOUT 120 /* seconds for one file on a slow link */
#define MEDIA_LEASE   (2 * MEDIA_TIMEOUT)
/* Inbound media is at most 100 MB (Meta); nothing larger is accepted. */
#define MEDIA_MAX      (100L * 1024 * 1024)
#define MEDIA_ATTEMPTS 12
#define META_MAX       (16 * 1024) /* the media URL answer */

typedef struct {
    FILE *f;             /* download target, or NULL for the JSON answer */
    char meta[META_MAX]; /* the JSON answer */
    size_t len;
    crypto_hash_sha256_state sha;
    bool too_big;
} sink;

static size_t on_data(char *p, size_t size, size_t nmemb, void *arg)
{
    sink *k = arg;
    size_t n = size * nmemb;
    if (k->len + n > (k->f ? (size_t)MEDIA_MAX : sizeof k->meta - 1)) {
        k->too_big = true;
        return 0;
    }
    if (k->f) {
        crypto_hash_sha256_update(&k->sha, (const unsigned char *)p, n);
        if (fwrite(p, 1, n, k->f) != n)
            return 0;
    } else {
        memcpy(k->meta + k->len, p, n);
        k->meta[k->len + n] = '\0';
    }
    k->len += n;
    return n;
}

/* GET url with the bearer token into k; returns the HTTP status or 0. */
static long get(const config_t *cfg, CURL *curl, const char *url, sink *k, char *err, size_t cap)
{
    char auth[CONFIG_SECRET_MAX + 32];
    struct curl_slist *h = NULL;
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", cfg->wa_access_token);
    h = curl_slist_append(h, auth);
    curl_easy_reset(curl);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, (long)MEDIA_TIMEOUT);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, k);
    CURLcode cc = curl_easy_perform(curl);
    sodium_memzero(auth, sizeof auth);
    curl_slist_free_all(h);
    long status = 0;
    if (cc == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    else
        snprintf(err, cap, "%s", k->too_big ? "file too large" : curl_easy_strerror(cc));
    return status;
}

/* True when want (hex or base64, as Meta writes it) is the digest d; also
 * true when want is not a digest at all (nothing to check against). */
static bool digest_matches(const char *want, const unsigned char d[32], const char *hex)
{
    unsigned char bin[32];
    size_t len = 0;
    if (!want || !*want)
        return true;
    if (strlen(want) == 64)
        return strcasecmp(want, hex) == 0;
    if (sodium_base642bin(bin, sizeof bin, want, strlen(want), NULL, &len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) == 0 &&
        len == 32)
        return sodium_memcmp(bin, d, 32) == 0;
    return true;
}

/* Whether the download at path is to be kept as a picture: Meta calls it
 * one (an image, a sticker, a photo sent as a document), or its first bytes
 * say so whatever the declared type. */
static bool is_image(const char *mime, const char *path)
{
    if (mime && strncmp(mime, "image/", 6) == 0)
        return true;
    unsigned char head[16];
    size_t n = 0;
    FILE *f = fopen(path, "rb");
    if (f) {
        n = fread(head, 1, sizeof head, f);
        fclose(f);
    }
    return image_sniff(head, n) != NULL;
}

/* Decodes the picture downloaded to tmp (len bytes) and stores it encoded
 * again from its pixels (core/image.h: EXIF and the rest dropped) under its
 * new sha256, into hex; tmp is removed. Returns NULL, or why not (with
 * *final when trying again cannot help). */
static const char *keep_image(const config_t *cfg, const char *tmp, size_t len, char hex[65],
                              size_t *size, char *mime, size_t mime_cap, bool *final, char *err,
                              size_t cap)
{
    unsigned char *data = NULL;
    image_t im = {0};
    image_status st = len > IMAGE_BYTES_MAX ? IMAGE_TOO_LARGE : IMAGE_OK;
    FILE *f = st == IMAGE_OK ? fopen(tmp, "rb") : NULL;
    if (f) {
        data = malloc(len ? len : 1);
        if (!data || fread(data, 1, len, f) != len)
            st = IMAGE_NOMEM;
        fclose(f);
    } else if (st == IMAGE_OK) {
        st = IMAGE_NOMEM;
    }
    unlink(tmp);
    if (st == IMAGE_OK)
        st = image_reencode(data, len, &im);
    free(data);
    if (st != IMAGE_OK) {
        *final = st != IMAGE_NOMEM;
        snprintf(err, cap, "not a usable image (%s): %s", image_code(st), image_why(st, "en"));
        return err;
    }
    unsigned char d[32];
    crypto_hash_sha256(d, im.data, im.len);
    sodium_bin2hex(hex, 65, d, sizeof d);
    err_t e = fsfile_write(cfg->media_dir, hex, im.data, im.len, !cfg->durability_process);
    *size = im.len;
    snprintf(mime, mime_cap, "%s", im.mime);
    image_free(&im);
    if (e != ERR_OK) {
        snprintf(err, cap, "cannot store the image in %s", cfg->media_dir);
        return err;
    }
    return NULL;
}

/* Fetches one attachment. Returns NULL when it is stored, else why not;
 * *final when there is no point in trying again. */
static const char *fetch(const config_t *cfg, store_t *s, CURL *curl, const store_media_job *j,
                         int64_t now, bool *final, char *err, size_t cap)
{
    char url[CONFIG_URL_MAX + 128], tmp[CONFIG_PATH_MAX + 64], dst[CONFIG_PATH_MAX + 80];
    sink meta = {0};
    *final = false;
    snprintf(url, sizeof url, "%s/%s", cfg->wa_graph_url, j->media_id);
    long st = get(cfg, curl, url, &meta, err, cap);
    if (st != 200) {
        if (st)
            snprintf(err, cap, "media info: HTTP %ld", st);
        *final = st >= 400 && st < 500 && st != 429;
        return err;
    }
    json_error_t je;
    json_t *m = json_loads(meta.meta, 0, &je);
    const char *link = json_string_value(json_object_get(m, "url"));
    const char *mime = json_string_value(json_object_get(m, "mime_type"));
    if (!link || (strncmp(link, "https://", 8) && strncmp(link, "http://", 7))) {
        json_decref(m);
        snprintf(err, cap, "media info without a url");
        return err;
    }
    snprintf(url, sizeof url, "%s", link);
    char mime_copy[128] = "";
    if (mime)
        snprintf(mime_copy, sizeof mime_copy, "%s", mime);
    json_decref(m);
    snprintf(tmp, sizeof tmp, "%s/.part-%lld-%u", cfg->media_dir, (long long)j->id,
             randombytes_random());
    sink file = {0};
    file.f = fopen(tmp, "wb");
    if (!file.f) {
        snprintf(err, cap, "cannot write %s: %s", tmp, strerror(errno));
        return err;
    }
    crypto_hash_sha256_init(&file.sha);
    st = get(cfg, curl, url, &file, err, cap);
    bool written = fclose(file.f) == 0;
    if (st != 200 || !written) {
        unlink(tmp);
        if (st && st != 200)
            snprintf(err, cap, "download: HTTP %ld", st);
        *final = file.too_big;
        return *err ? err : "download failed";
    }
    unsigned char d[32];
    char hex[65];
    crypto_hash_sha256_final(&file.sha, d);
    sodium_bin2hex(hex, sizeof hex, d, sizeof d);
    if (!digest_matches(j->sha256, d, hex)) {
        unlink(tmp);
        snprintf(err, cap, "sha256 differs from the webhook's");
        return err;
    }
    /* Named by content: the same photo sent twice is stored once. */
    size_t size = file.len;
    const char *why = NULL;
    bool durable = !cfg->durability_process;
    if (is_image(j->mime && *j->mime ? j->mime : mime_copy, tmp)) {
        why = keep_image(cfg, tmp, file.len, hex, &size, mime_copy, sizeof mime_copy, final, err,
                         cap);
    } else if (fsfile_commit(cfg->media_dir, tmp, hex, durable) != ERR_OK) {
        snprintf(dst, sizeof dst, "%s/%s", cfg->media_dir, hex);
        snprintf(err, cap, "cannot store %s", dst);
        why = err;
    }
    if (why)
        return why;
    if (store_media_stored(s, j->id, hex, (int64_t)size, mime_copy[0] ? mime_copy : NULL, now) !=
        ERR_OK) {
        snprintf(err, cap, "database");
        return err;
    }
    log_info("wa", "event=media_stored attachment_id=%lld bytes=%zu", (long long)j->id, size);
    return NULL;
}

/* The simulator already put the file in the media directory under its
 * sha256 (http/sim.c): record it. */
static const char *sim_media(const config_t *cfg, store_t *s, const store_media_job *j,
                             int64_t now, bool *final)
{
    char path[CONFIG_PATH_MAX + 80];
    struct stat st;
    const char *hex = j->media_id + 4;
    *final = true;
    if (strlen(hex) != 64 || strspn(hex, "0123456789abcdef") != 64)
        return "simulated media id is not a sha256";
    snprintf(path, sizeof path, "%s/%s", cfg->media_dir, hex);
    if (stat(path, &st) != 0)
        return "simulated photo not found in the media directory";
    if (store_media_stored(s, j->id, hex, (int64_t)st.st_size, NULL, now) != ERR_OK) {
        *final = false;
        return "database";
    }
    return NULL;
}

int media_run(const config_t *cfg, store_t *s, int64_t now)
{
    arena_t *ar = arena_new();
    store_media_job *jobs;
    size_t n = 0;
    if (!ar)
        return 0;
    if (store_media_claim(s, ar, now, MEDIA_LEASE, MEDIA_BATCH, &jobs, &n) != ERR_OK)
        n = 0;
    CURL *curl = n && cfg->wa_access_token[0] ? curl_easy_init() : NULL;
    mkdir(cfg->media_dir, 0750);
    for (size_t i = 0; i < n; i++) {
        char err[1024] = "";
        bool final = false;
        const char *why;
        if (strncmp(jobs[i].media_id, "sim:", 4) == 0 && !cfg->wa_access_token[0]) {
            why = sim_media(cfg, s, &jobs[i], now, &final);
        } else if (!cfg->wa_access_token[0]) {
            why = "no access token: media cannot be downloaded (simulator mode)";
            final = true;
        } else if (!curl) {
            break;
        } else {
            why = fetch(cfg, s, curl, &jobs[i], now, &final, err, sizeof err);
        }
        if (!why)
            continue;
        bool give_up = final || jobs[i].attempts >= MEDIA_ATTEMPTS;
        int64_t at =
            give_up ? 0 : now + ((int64_t)1 << (jobs[i].attempts < 10 ? jobs[i].attempts : 10));
        log_warn("wa", "event=media_%s attachment_id=%lld error=\"%s\"",
                 give_up ? "failed" : "retry", (long long)jobs[i].id, why);
        if (store_media_retry(s, jobs[i].id, at, why, now) != ERR_OK)
            log_warn("wa", "event=media_store_failed attachment_id=%lld", (long long)jobs[i].id);
    }
    curl_easy_cleanup(curl);
    arena_destroy(ar);
    return (int)n;
}
