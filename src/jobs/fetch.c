/* Evidence named by a URL (Open311's media_url, issue 17 §1;
 * docs/OPEN311.md): the request that names it is answered at once, with
 * the fetch waiting as a pending attachment of the new case; here a worker
 * of its own fetches it. http and https only, at most FETCH_REDIRECTS
 * redirects, every connection checked by the SSRF guard (core/netguard.h),
 * a connect and a total timeout, and no more than IMAGE_BYTES_MAX bytes
 * (the transfer is cut past it). What came is decoded and encoded again
 * (core/image.h, EXIF dropped) and kept by its sha256, like a channel's
 * photo (media.c). A server error or a timeout is tried again with
 * backoff, FETCH_ATTEMPTS times in all; then, or at once when trying again
 * cannot help (not an image, too large, 404, a refused address), the
 * attachment is failed and the case's timeline says why. */
#include "jobs/jobs_int.h"

#include "core/clock.h"
#include "core/image.h"
#include "core/log.h"
#include "core/netguard.h"

#include <curl/curl.h>
#include <errno.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define FETCH_BATCH     2
#define FETCH_TIMEOUT   30 /* seconds for one whole transfer */
#define FETCH_CONNECT   10 /* seconds to connect */
#define FETCH_REDIRECTS 3
#define FETCH_ATTEMPTS  5
/* The claim covers the batch's worst case with room to spare. */
#define FETCH_LEASE (FETCH_BATCH * (FETCH_TIMEOUT + 5) + 30)
/* Backoff: 30 s, 1, 2, 4 minutes (five tries within about 8 minutes). */
#define BACKOFF_FIRST 30
#define BACKOFF_CAP   3600
#define IDLE_MS       500

/* The test knobs (docs/OPEN311.md): ADUAN_FETCH_TIMEOUT a shorter total
 * timeout (1 to 30 s), ADUAN_FETCH_BACKOFF_SCALE a factor on every wait
 * (0.01: 30 s becomes 0.3 s). */
static long total_timeout(void)
{
    const char *v = getenv("ADUAN_FETCH_TIMEOUT");
    long n = v ? strtol(v, NULL, 10) : FETCH_TIMEOUT;
    return n >= 1 && n <= FETCH_TIMEOUT ? n : FETCH_TIMEOUT;
}

static int64_t backoff(int attempts)
{
    const char *v = getenv("ADUAN_FETCH_BACKOFF_SCALE");
    double scale = v ? strtod(v, NULL) : 1.0;
    if (!(scale > 0 && scale <= 1))
        scale = 1.0;
    int64_t d = BACKOFF_FIRST;
    for (int i = 1; i < attempts && d < BACKOFF_CAP; i++)
        d *= 2;
    d = d > BACKOFF_CAP ? BACKOFF_CAP : d;
    int64_t s = (int64_t)llround((double)d * scale);
    return s < 1 ? 1 : s;
}

/* Set when the server stops: a transfer in progress ends at once (curl's
 * progress callback) instead of holding the shutdown for up to
 * FETCH_TIMEOUT; the job is not recorded and comes due again after its
 * lease. One fetcher per process. */
static bool stopping;

static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    (void)arg, (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
    return __atomic_load_n(&stopping, __ATOMIC_RELAXED) ? 1 : 0;
}

/* Where a download goes: a temporary file, cut at IMAGE_BYTES_MAX. */
typedef struct {
    FILE *f;
    size_t len;
    bool too_big;
} sink;

static size_t on_data(char *p, size_t size, size_t n, void *arg)
{
    sink *k = arg;
    size_t len = size * n;
    if (len > (size_t)IMAGE_BYTES_MAX - k->len) {
        k->too_big = true;
        return 0; /* curl ends the transfer: CURLE_WRITE_ERROR */
    }
    if (fwrite(p, 1, len, k->f) != len)
        return 0;
    k->len += len;
    return len;
}

/* The outcome of one transfer that did not bring a file: why, and
 * whether trying again could help (a server error, a timeout, a broken
 * connection; not a refusal, a client error or too many bytes). */
static const char *transfer_error(CURLcode rc, long code, const sink *k, const netguard_t *g,
                                  bool *final, char *err, size_t cap)
{
    *final = true;
    if (g->refused[0])
        snprintf(err, cap, "refused: %s is not a public address", g->refused);
    else if (k->too_big || rc == CURLE_FILESIZE_EXCEEDED)
        snprintf(err, cap, "larger than %ld bytes", (long)IMAGE_BYTES_MAX);
    else if (rc == CURLE_TOO_MANY_REDIRECTS)
        snprintf(err, cap, "more than %d redirects", FETCH_REDIRECTS);
    else if (rc == CURLE_UNSUPPORTED_PROTOCOL || rc == CURLE_URL_MALFORMAT)
        snprintf(err, cap, "not an http or https address");
    else if (code >= 400) {
        *final = !(code >= 500 || code == 408 || code == 429);
        snprintf(err, cap, "HTTP %ld", code);
    } else {
        *final = false;
        snprintf(err, cap, "%s", curl_easy_strerror(rc));
    }
    return err;
}

/* Fetches one URL into tmp. NULL when a 2xx brought the file (its length
 * in *len), else why not (with *final). */
static const char *transfer(CURL *curl, const char *url, const char *tmp, size_t *len, bool *final,
                            char *err, size_t cap)
{
    sink k = {fopen(tmp, "wb"), 0, false};
    netguard_t guard;
    long code = 0, timeout = total_timeout();
    if (!k.f) {
        *final = false;
        snprintf(err, cap, "cannot write %s: %s", tmp, strerror(errno));
        return err;
    }
    curl_easy_reset(curl);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(curl, CURLOPT_MAXREDIRS, (long)FETCH_REDIRECTS);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, timeout);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT,
                     timeout < FETCH_CONNECT ? timeout : FETCH_CONNECT);
    curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)IMAGE_BYTES_MAX);
    curl_easy_setopt(curl, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "aduan-fetch/" ADUAN_VERSION);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &k);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    /* Every connection, the redirects' too, where curl makes it. */
    netguard_arm(curl, &guard);
    CURLcode rc = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
    bool written = fclose(k.f) == 0;
    *len = k.len;
    if (rc == CURLE_OK && code >= 200 && code <= 299 && written)
        return NULL;
    unlink(tmp);
    if (rc == CURLE_OK && written) { /* a 1xx or 3xx that ended it */
        *final = true;
        snprintf(err, cap, "HTTP %ld", code);
        return err;
    }
    return transfer_error(rc, code, &k, &guard, final, err, cap);
}

/* Fetches and keeps one job's picture: NULL when stored, else why not
 * (*final: do not try again). */
static const char *fetch_one(const config_t *cfg, store_t *s, CURL *curl, const store_fetch_job *j,
                             int64_t now, bool *final, char *err, size_t cap)
{
    char tmp[CONFIG_PATH_MAX + 64], hex[65], mime[64] = "";
    size_t len = 0, size = 0;
    *final = false;
    snprintf(tmp, sizeof tmp, "%s/.fetch-%lld-%u", cfg->media_dir, (long long)j->id,
             randombytes_random());
    const char *why = transfer(curl, j->url, tmp, &len, final, err, cap);
    if (!why)
        why = media_keep_image(cfg, tmp, len, hex, &size, mime, sizeof mime, final, err, cap);
    if (why)
        return why;
    if (store_media_stored(s, j->id, hex, (int64_t)size, mime, now) != ERR_OK) {
        snprintf(err, cap, "database");
        return err;
    }
    log_info("fetch", "event=media_url_stored attachment_id=%lld case_id=%lld bytes=%zu",
             (long long)j->id, (long long)j->case_id, size);
    return NULL;
}

int fetch_run(const config_t *cfg, store_t *s, int64_t now)
{
    arena_t *ar = arena_new();
    store_fetch_job *jobs;
    size_t n = 0;
    if (!ar)
        return 0;
    if (store_fetch_claim(s, ar, now, FETCH_LEASE, FETCH_BATCH, &jobs, &n) != ERR_OK)
        n = 0;
    CURL *curl = n ? curl_easy_init() : NULL;
    mkdir(cfg->media_dir, 0750);
    for (size_t i = 0; i < n && curl; i++) {
        char err[1024] = "";
        bool final = false;
        const char *why = fetch_one(cfg, s, curl, &jobs[i], clock_now(), &final, err, sizeof err);
        if (__atomic_load_n(&stopping, __ATOMIC_RELAXED))
            break; /* due again after the lease, whatever happened */
        if (!why)
            continue;
        bool give_up = final || jobs[i].attempts >= FETCH_ATTEMPTS;
        /* The address is the client's: the log has the attachment only. */
        log_warn("fetch", "event=media_url_%s attachment_id=%lld attempt=%d error=\"%s\"",
                 give_up ? "failed" : "retry", (long long)jobs[i].id, jobs[i].attempts, why);
        err_t e = give_up
                      ? store_fetch_failed(s, jobs[i].id, why, clock_now())
                      : store_media_retry(s, jobs[i].id, clock_now() + backoff(jobs[i].attempts),
                                          why, clock_now());
        if (e != ERR_OK)
            log_warn("fetch", "event=store_failed attachment_id=%lld", (long long)jobs[i].id);
    }
    curl_easy_cleanup(curl);
    arena_destroy(ar);
    return (int)n;
}

/* ---- the thread ------------------------------------------------------------- */

struct fetcher {
    const config_t *cfg;
    store_t *store;
    poller_t *thread;
};

static long fetch_pass(void *arg)
{
    fetcher_t *f = arg;
    return fetch_run(f->cfg, f->store, clock_now()) > 0 ? 0 : IDLE_MS;
}

fetcher_t *fetcher_start(const config_t *cfg, store_t *s)
{
    fetcher_t *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->cfg = cfg;
    f->store = s;
    __atomic_store_n(&stopping, false, __ATOMIC_RELAXED);
    f->thread = poller_start(fetch_pass, f);
    if (!f->thread) {
        free(f);
        return NULL;
    }
    return f;
}

void fetcher_stop(fetcher_t *f)
{
    if (!f)
        return;
    __atomic_store_n(&stopping, true, __ATOMIC_RELAXED);
    poller_stop(f->thread);
    free(f);
}
