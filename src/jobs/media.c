/* Media downloads: the photos and videos citizens send, fetched right away
 * through their channel's driver (channel_driver.fetch_media; a WhatsApp
 * media id expires after 7 days), checked against the sha256 the message
 * gave and kept in the media directory under their own sha256. A picture
 * is kept decoded and encoded again, without its metadata (core/image.h).
 * Here the claim, the checks, the storing and the retries, the same for
 * every channel. */
#include "jobs/jobs_int.h"

#include "channels/channel.h"
#include "core/fsfile.h"
#include "core/image.h"
#include "core/log.h"

#include <curl/curl.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MEDIA_BATCH 4
/* The driver asks twice per file (where it is, then the file). */
#define MEDIA_LEASE (2 * CHANNEL_FILE_TIMEOUT)
/* Inbound media is at most 100 MB (Meta); nothing larger is accepted. */
#define MEDIA_MAX      (100L * 1024 * 1024)
#define MEDIA_ATTEMPTS 12

/* Where a download goes: a temporary file, hashed as it comes. */
typedef struct {
    FILE *f;
    size_t len;
    crypto_hash_sha256_state sha;
    bool too_big;
} sink;

static bool on_data(void *arg, const char *p, size_t n)
{
    sink *k = arg;
    if (n > (size_t)MEDIA_MAX - k->len) {
        k->too_big = true;
        return false;
    }
    crypto_hash_sha256_update(&k->sha, (const unsigned char *)p, n);
    if (fwrite(p, 1, n, k->f) != n)
        return false;
    k->len += n;
    return true;
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

/* Declared in jobs_int.h (the URL fetches of fetch.c keep theirs so). */
const char *media_keep_image(const config_t *cfg, const char *tmp, size_t len, char hex[65],
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

/* Records a file the channel put in the media directory itself (the
 * simulator's photos). Returns NULL, or why not. */
static const char *keep_stored(const config_t *cfg, store_t *s, const store_media_job *j,
                               const char *hex, int64_t now, bool *final)
{
    char path[CONFIG_PATH_MAX + 80];
    struct stat st;
    *final = true;
    snprintf(path, sizeof path, "%s/%s", cfg->media_dir, hex);
    if (stat(path, &st) != 0)
        return "the channel's file is not in the media directory";
    if (store_media_stored(s, j->id, hex, (int64_t)st.st_size, NULL, now) != ERR_OK) {
        *final = false;
        return "database";
    }
    return NULL;
}

/* Fetches one attachment through the driver d. Returns NULL when it is
 * stored, else why not; *final when there is no point in trying again. */
static const char *fetch(const config_t *cfg, store_t *s, const channel_driver *d, CURL *curl,
                         const store_media_job *j, int64_t now, bool *final, char *err, size_t cap)
{
    char tmp[CONFIG_PATH_MAX + 64], dst[CONFIG_PATH_MAX + 80];
    *final = false;
    snprintf(tmp, sizeof tmp, "%s/.part-%lld-%u", cfg->media_dir, (long long)j->id,
             randombytes_random());
    sink file = {0};
    file.f = fopen(tmp, "wb");
    if (!file.f) {
        snprintf(err, cap, "cannot write %s: %s", tmp, strerror(errno));
        return err;
    }
    crypto_hash_sha256_init(&file.sha);
    channel_fetch f = {.sink = on_data, .arg = &file};
    bool got = d->fetch_media(cfg, s, curl, j->media_id, &f);
    bool written = fclose(file.f) == 0;
    if (got && f.stored[0]) {
        unlink(tmp);
        return keep_stored(cfg, s, j, f.stored, now, final);
    }
    if (!got || !written) {
        unlink(tmp);
        *final = got ? false : f.final || file.too_big;
        snprintf(err, cap, "%s",
                 file.too_big ? "file too large"
                 : f.error[0] ? f.error
                              : "download failed");
        return err;
    }
    char mime_copy[128];
    snprintf(mime_copy, sizeof mime_copy, "%s", f.mime);
    unsigned char dg[32];
    char hex[65];
    crypto_hash_sha256_final(&file.sha, dg);
    sodium_bin2hex(hex, sizeof hex, dg, sizeof dg);
    if (!digest_matches(j->sha256, dg, hex)) {
        unlink(tmp);
        snprintf(err, cap, "sha256 differs from the webhook's");
        return err;
    }
    /* Named by content: the same photo sent twice is stored once. */
    size_t size = file.len;
    const char *why = NULL;
    bool durable = !cfg->durability_process;
    if (is_image(j->mime && *j->mime ? j->mime : mime_copy, tmp)) {
        why = media_keep_image(cfg, tmp, file.len, hex, &size, mime_copy, sizeof mime_copy, final,
                               err, cap);
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
    log_info("media", "event=media_stored attachment_id=%lld bytes=%zu", (long long)j->id, size);
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
    /* One handle for every live driver's downloads (curl keeps a
     * connection per host). */
    CURL *curl = n ? curl_easy_init() : NULL;
    mkdir(cfg->media_dir, 0750);
    for (size_t i = 0; i < n; i++) {
        char err[1024] = "";
        bool final = false;
        const char *why;
        /* Each file is downloaded by the driver of the channel it came on. */
        const channel_driver *d = jobs[i].channel ? channel_find(jobs[i].channel) : NULL;
        bool live = d && d->live(cfg);
        if (!d || !d->fetch_media) {
            why = "no driver for this channel";
            final = true;
        } else if (live && !curl) {
            break;
        } else {
            why = fetch(cfg, s, d, live ? curl : NULL, &jobs[i], now, &final, err, sizeof err);
        }
        if (!why)
            continue;
        bool give_up = final || jobs[i].attempts >= MEDIA_ATTEMPTS;
        int64_t at =
            give_up ? 0 : now + ((int64_t)1 << (jobs[i].attempts < 10 ? jobs[i].attempts : 10));
        log_warn("media", "event=media_%s attachment_id=%lld error=\"%s\"",
                 give_up ? "failed" : "retry", (long long)jobs[i].id, why);
        if (store_media_retry(s, jobs[i].id, at, why, now) != ERR_OK)
            log_warn("media", "event=media_store_failed attachment_id=%lld", (long long)jobs[i].id);
    }
    curl_easy_cleanup(curl);
    arena_destroy(ar);
    return (int)n;
}
