/* Fetching new mail over IMAP with libcurl (channel_driver.poll): per
 * mailbox, every poll_seconds, UID SEARCH UNSEEN, then each message by its
 * UID into the inbound table (channel "email"), and only once that row is
 * committed, UID STORE +FLAGS (\Seen). libcurl fetches with BODY[], which
 * marks the message \Seen by itself, and passes no literal of a custom
 * BODY.PEEK[] on: when the commit fails the flag is taken back (-FLAGS),
 * so the next poll fetches it again. Processing is idempotent on the
 * Message-ID, so a mail fetched twice is one. */
#include "channels/email/email.h"

#include "core/log.h"
#include "core/text.h"
#include "store/store.h"

#include <curl/curl.h>
#include <dirent.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Messages taken from one mailbox in one pass: the worker has other work. */
#define FETCH_PER_PASS 20
/* Mailboxes remembered for pacing. */
#define BOXES_MAX 256
/* An IMAP command's answer kept (UID SEARCH). */
#define ANSWER_MAX (1024 * 1024)

typedef struct {
    char *data;
    size_t len, cap, max;
    bool over;
} buf_t;

static size_t collect(char *p, size_t size, size_t n, void *arg)
{
    buf_t *b = arg;
    size_t len = size * n;
    if (b->len + len + 1 > b->max) {
        b->over = true;
        return 0;
    }
    if (b->len + len + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 65536;
        while (cap < b->len + len + 1)
            cap *= 2;
        char *d = realloc(b->data, cap);
        if (!d)
            return 0;
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, len);
    b->len += len;
    b->data[b->len] = 0;
    return len;
}

/* The mailbox's URL with its folder (INBOX when none is given). */
static const char *folder_url(arena_t *ar, const char *imap)
{
    const char *p = strstr(imap, "://");
    p = p ? strchr(p + 3, '/') : NULL;
    if (!p || !p[1])
        return arena_printf(ar, "%s%sINBOX", imap, p ? "" : "/");
    return imap;
}

/* One request: url with custom (NULL: fetch the URL) into b. */
static CURLcode request(CURL *c, const email_box *box, const char *url, const char *custom,
                        buf_t *b)
{
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "imap,imaps");
    curl_easy_setopt(c, CURLOPT_USERNAME, box->user ? box->user : box->address);
    curl_easy_setopt(c, CURLOPT_PASSWORD, box->password ? box->password : "");
    curl_easy_setopt(c, CURLOPT_USE_SSL, box->starttls_try ? CURLUSESSL_TRY : CURLUSESSL_ALL);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)CHANNEL_FILE_TIMEOUT);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, b);
    if (custom)
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, custom);
    b->len = 0;
    b->over = false;
    if (b->data)
        b->data[0] = 0;
    return curl_easy_perform(c);
}

/* The UIDs of "* SEARCH 1 2 3" (at most max). */
static size_t parse_search(const char *answer, unsigned long *uids, size_t max)
{
    size_t n = 0;
    const char *p = answer ? strstr(answer, "* SEARCH") : NULL;
    if (!p)
        return 0;
    p += 8;
    while (*p && *p != '\r' && *p != '\n' && n < max) {
        char *end;
        unsigned long v = strtoul(p, &end, 10);
        if (end == p) {
            p++;
            continue;
        }
        if (v)
            uids[n++] = v;
        p = end;
    }
    return n;
}

static void set_seen(CURL *c, const email_box *box, const char *url, unsigned long uid, bool seen)
{
    char cmd[64];
    buf_t b = {.max = ANSWER_MAX};
    snprintf(cmd, sizeof cmd, "UID STORE %lu %cFLAGS (\\Seen)", uid, seen ? '+' : '-');
    CURLcode cc = request(c, box, url, cmd, &b);
    if (cc != CURLE_OK)
        log_warn("email", "event=imap_store_failed mailbox_agency=%lld uid=%lu error=\"%s\"",
                 (long long)box->agency_id, uid, curl_easy_strerror(cc));
    free(b.data);
}

/* Stores one fetched mail; true when committed. */
static bool store_mail(store_t *s, arena_t *ar, const email_box *box, unsigned long uid,
                       const buf_t *b, int64_t now)
{
    const char *dead = NULL;
    const char *b64 = "";
    /* A mail in UTF-8 (most are 7-bit) is kept as text, which the
     * superadmin's inbox shows as it came; anything else in base64. */
    bool text = !b->over && b->len && memchr(b->data, 0, b->len) == NULL &&
                text_utf8_valid(b->data, b->len);
    if (b->over)
        dead = "the mail is larger than the desk takes (25 MB)";
    else if (!text) {
        size_t cap = sodium_base64_ENCODED_LEN(b->len, sodium_base64_VARIANT_ORIGINAL);
        char *enc = arena_alloc(ar, cap);
        if (!enc)
            return false;
        sodium_bin2base64(enc, cap, (const unsigned char *)(b->data ? b->data : ""), b->len,
                          sodium_base64_VARIANT_ORIGINAL);
        b64 = enc;
    }
    json_t *j = json_pack("{s:s, s:I, s:s}", "mailbox", box->address, "uid", (json_int_t)uid,
                          text ? "mail" : "raw", text ? b->data : b64);
    char *body = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!body)
        return false;
    int64_t id = 0;
    err_t e = store_inbound_add(s, EMAIL_CHANNEL, body, strlen(body), dead, now, &id);
    free(body);
    if (e != ERR_OK) {
        log_warn("email", "event=inbound_store_failed agency_id=%lld uid=%lu error=%s",
                 (long long)box->agency_id, uid, err_code(e));
        return false;
    }
    log_info("email", "event=mail_received agency_id=%lld inbox_id=%lld bytes=%zu",
             (long long)box->agency_id, (long long)id, b->len);
    return true;
}

/* A mailbox whose server failed is tried again after this long at the
 * earliest (seconds): an unreachable server must not hold the worker up
 * for its connect timeout on every pass. */
#define FAIL_BACKOFF 300

static int poll_box(CURL *c, store_t *s, arena_t *ar, const email_box *box, int64_t now,
                    bool *failed)
{
    const char *url = folder_url(ar, box->imap);
    buf_t b = {.max = ANSWER_MAX};
    unsigned long uids[FETCH_PER_PASS];
    int stored = 0;
    CURLcode cc = request(c, box, url, "UID SEARCH UNSEEN", &b);
    if (cc != CURLE_OK) {
        log_warn("email", "event=imap_failed agency_id=%lld error=\"%s\"",
                 (long long)box->agency_id, curl_easy_strerror(cc));
        free(b.data);
        *failed = true;
        return 0;
    }
    size_t n = parse_search(b.data, uids, FETCH_PER_PASS);
    b.max = EMAIL_RAW_MAX;
    for (size_t i = 0; i < n; i++) {
        const char *one = arena_printf(ar, "%s/;UID=%lu", url, uids[i]);
        cc = request(c, box, one, NULL, &b);
        if (cc != CURLE_OK && !b.over) {
            log_warn("email", "event=imap_fetch_failed agency_id=%lld uid=%lu error=\"%s\"",
                     (long long)box->agency_id, uids[i], curl_easy_strerror(cc));
            set_seen(c, box, url, uids[i], false);
            continue;
        }
        if (store_mail(s, ar, box, uids[i], &b, now)) {
            set_seen(c, box, url, uids[i], true);
            stored++;
        } else
            set_seen(c, box, url, uids[i], false); /* fetched again next time */
    }
    free(b.data);
    return stored;
}

/* Spooled attachments nobody took (the second copy of a mail fetched
 * twice, a case whose download gave up) go after this long (seconds). */
#define SPOOL_TTL (7 * 24 * 3600)

/* Removes spooled attachments older than SPOOL_TTL, once an hour. */
static void sweep_spool(const config_t *cfg, int64_t now)
{
    static int64_t swept;
    char dir[CONFIG_PATH_MAX + 32], path[CONFIG_PATH_MAX + 320];
    if (now - swept < 3600)
        return;
    swept = now;
    snprintf(dir, sizeof dir, "%s/%s", cfg->media_dir, EMAIL_SPOOL);
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    size_t removed = 0;
    while ((e = readdir(d))) {
        struct stat st;
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && now - (int64_t)st.st_mtime > SPOOL_TTL &&
            unlink(path) == 0)
            removed++;
    }
    closedir(d);
    if (removed)
        log_info("email", "event=spool_swept files=%zu", removed);
}

int email_poll(const config_t *cfg, store_t *s, int64_t now)
{
    static struct {
        int64_t id, next_at;
    } due[BOXES_MAX];
    static size_t ndue;
    static int64_t checked;
    if (now == checked) /* the worker passes often: the list once a second */
        return 0;
    checked = now;
    sweep_spool(cfg, now);
    arena_t *ar = arena_new();
    store_endpoint *eps;
    size_t n = 0;
    int stored = 0;
    CURL *c = NULL;
    if (!ar || store_endpoint_list(s, ar, EMAIL_CHANNEL, &eps, &n) != ERR_OK)
        n = 0;
    for (size_t i = 0; i < n; i++) {
        if (!eps[i].active)
            continue;
        size_t k = 0;
        while (k < ndue && due[k].id != eps[i].id)
            k++;
        if (k == ndue && ndue < BOXES_MAX) {
            due[ndue].id = eps[i].id;
            due[ndue++].next_at = 0;
        }
        if (k < ndue && due[k].next_at > now)
            continue;
        email_box box;
        if (email_box_read(ar, cfg->svc_data_key, eps[i].agency_id, eps[i].endpoint,
                           eps[i].settings, eps[i].secret, &box) != ERR_OK ||
            !box.imap)
            continue;
        if (k < ndue)
            due[k].next_at = now + box.poll_seconds;
        if (!c && !(c = curl_easy_init()))
            break;
        bool failed = false;
        stored += poll_box(c, s, ar, &box, now, &failed);
        if (failed && k < ndue && box.poll_seconds < FAIL_BACKOFF)
            due[k].next_at = now + FAIL_BACKOFF;
    }
    curl_easy_cleanup(c);
    arena_destroy(ar);
    return stored;
}
