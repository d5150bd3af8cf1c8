/* Fetching new mail over IMAP with libcurl (channel_driver.poll): per
 * mailbox, every poll_seconds, UID SEARCH UNSEEN, then each message by its
 * UID with BODY.PEEK[] (which leaves \Seen alone) into the inbound table
 * (channel "email"), and only once that row is committed, UID STORE
 * +FLAGS (\Seen). A restart between the fetch and the commit leaves the
 * mail unseen: the next poll fetches it again. The row is stored once per
 * "imap:<mailbox>:<UIDVALIDITY>:<UID>" (inbound_seen, in the same
 * transaction): a mail committed whose flag was never set is flagged, not
 * stored twice; processing is idempotent on the Message-ID besides.
 *
 * libcurl hands a custom command's literal to no write callback, but it
 * passes every response line to the header callback: a part of the
 * message is the {N} bytes after the FETCH line there. libcurl keeps at
 * most 300 KB of one command's lines, so the message comes in parts of
 * 128 KB (BODY.PEEK[]<start.count>) after its RFC822.SIZE. Should a part
 * come short (a line of the mail that looks like the command's end), the
 * connection is dropped and the message fetched with libcurl's own
 * BODY[], which sets \Seen (taken back when the commit fails). */
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

/* The response lines (libcurl's header callback): kept up to max, the
 * rest read and dropped (over) so that the command still completes. */
static size_t lines(char *p, size_t size, size_t n, void *arg)
{
    buf_t *b = arg;
    size_t len = size * n;
    if (b->over || b->len + len + 1 > b->max) {
        b->over = true;
        return len;
    }
    return collect(p, size, n, arg) == len ? len : 0;
}

/* libcurl's receive buffer (bytes): a response line longer than half of
 * it would be clipped; a part of a message (PART_BYTES) is shorter. */
#define LINE_BUFFER (512 * 1024)

/* One request: url with custom (NULL: fetch the URL) into b; with h, the
 * response lines into h. */
static CURLcode request(CURL *c, const email_box *box, const char *url, const char *custom,
                        buf_t *b, buf_t *h)
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
    curl_easy_setopt(c, CURLOPT_BUFFERSIZE, (long)LINE_BUFFER);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, b);
    if (h) {
        curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, lines);
        curl_easy_setopt(c, CURLOPT_HEADERDATA, h);
        h->len = 0;
        h->over = false;
        if (h->data)
            h->data[0] = 0;
    }
    if (custom)
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, custom);
    b->len = 0;
    b->over = false;
    if (b->data)
        b->data[0] = 0;
    return curl_easy_perform(c);
}

/* Whether the n bytes at p contain word. */
static bool has(const char *p, size_t n, const char *word)
{
    size_t w = strlen(word);
    for (size_t i = 0; i + w <= n; i++)
        if (memcmp(p + i, word, w) == 0)
            return true;
    return false;
}

/* The mailbox's UIDVALIDITY from SELECT's "* OK [UIDVALIDITY n]"; 0 when
 * the server said none. */
static unsigned long uidvalidity(const buf_t *h)
{
    const char *p = h->data ? strstr(h->data, "[UIDVALIDITY ") : NULL;
    return p ? strtoul(p + 13, NULL, 10) : 0;
}

/* Where the literal of the first "* n FETCH (... {len}" line in h starts
 * (*at) and its declared length; false when h has no such line. */
static bool find_literal(const buf_t *h, size_t *at, size_t *len)
{
    const char *p = h->data, *end = h->data ? h->data + h->len : NULL;
    while (p && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            return false;
        size_t n = (size_t)(nl - p);
        if (n > 4 && p[0] == '*' && p[1] == ' ' && has(p, n, " FETCH (") && nl[-1] == '\r' &&
            nl[-2] == '}') {
            const char *ob = nl - 2;
            while (ob > p && *ob != '{')
                ob--;
            char *stop;
            unsigned long long v = strtoull(ob + 1, &stop, 10);
            if (*ob != '{' || stop != nl - 2)
                return false;
            *at = (size_t)(nl + 1 - h->data);
            *len = (size_t)v;
            return true;
        }
        p = nl + 1;
    }
    return false;
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
    CURLcode cc = request(c, box, url, cmd, &b, NULL);
    if (cc != CURLE_OK)
        log_warn("email", "event=imap_store_failed mailbox_agency=%lld uid=%lu error=\"%s\"",
                 (long long)box->agency_id, uid, curl_easy_strerror(cc));
    free(b.data);
}

/* A fetched message: len bytes at data (borrowed from a buffer), or over
 * (larger than the desk takes). */
typedef struct {
    const char *data;
    size_t len;
    bool over;
    bool seen_set; /* fetched with BODY[]: the server set \Seen */
} fetched;

/* libcurl keeps at most 300 KB of a command's response lines: a message
 * is fetched in parts of this many bytes (BODY.PEEK[]<start.count>). */
#define PART_BYTES (128 * 1024)

/* RFC822.SIZE of "* n FETCH (... RFC822.SIZE s)" in h. */
static bool find_size(const buf_t *h, size_t *size)
{
    const char *p = h->data ? strstr(h->data, "RFC822.SIZE ") : NULL;
    char *end;
    if (!p)
        return false;
    unsigned long long v = strtoull(p + 12, &end, 10);
    if (end == p + 12)
        return false;
    *size = (size_t)v;
    return true;
}

/* Makes room for cap bytes (and a NUL) in m. */
static bool reserve(buf_t *m, size_t cap)
{
    if (m->cap > cap)
        return true;
    char *d = realloc(m->data, cap + 1);
    if (!d)
        return false;
    m->data = d;
    m->cap = cap + 1;
    return true;
}

/* The message with libcurl's own BODY[] (imap://.../;UID=n), on a new
 * connection (the old one may be left mid-response): the server sets
 * \Seen by itself. */
static bool fetch_plain(CURL **c, const email_box *box, const char *url, arena_t *ar,
                        unsigned long uid, buf_t *b, fetched *f)
{
    CURL *fresh = curl_easy_init();
    if (!fresh)
        return false;
    curl_easy_cleanup(*c);
    *c = fresh;
    b->max = EMAIL_RAW_MAX;
    CURLcode cc = request(*c, box, arena_printf(ar, "%s/;UID=%lu", url, uid), NULL, b, NULL);
    f->seen_set = true;
    if (cc != CURLE_OK && !b->over) {
        log_warn("email", "event=imap_fetch_failed agency_id=%lld uid=%lu error=\"%s\"",
                 (long long)box->agency_id, uid, curl_easy_strerror(cc));
        return false;
    }
    f->over = b->over;
    f->data = b->data;
    f->len = b->len;
    return true;
}

/* Fetches message uid into f: its size (RFC822.SIZE; a message over
 * EMAIL_RAW_MAX is not downloaded), then its bytes in parts with
 * BODY.PEEK[]<start.count> into m, each part's literal read from the
 * response lines in h. false when it could not be read (tried again on
 * the next poll). *c may be replaced by a new handle. */
static bool fetch(CURL **c, const email_box *box, const char *url, arena_t *ar, unsigned long uid,
                  buf_t *b, buf_t *h, buf_t *m, fetched *f)
{
    char cmd[96];
    size_t size = 0, got = 0;
    memset(f, 0, sizeof *f);
    b->max = ANSWER_MAX;
    snprintf(cmd, sizeof cmd, "UID FETCH %lu RFC822.SIZE", uid);
    CURLcode cc = request(*c, box, url, cmd, b, h);
    if (cc != CURLE_OK || !find_size(h, &size)) {
        log_warn("email", "event=imap_fetch_failed agency_id=%lld uid=%lu error=\"%s\"",
                 (long long)box->agency_id, uid,
                 cc != CURLE_OK ? curl_easy_strerror(cc) : "no RFC822.SIZE");
        return false;
    }
    if (size > EMAIL_RAW_MAX) {
        f->over = true;
        return true;
    }
    if (!reserve(m, size))
        return false;
    while (got < size) {
        size_t at = 0, len = 0;
        snprintf(cmd, sizeof cmd, "UID FETCH %lu BODY.PEEK[]<%zu.%d>", uid, got, PART_BYTES);
        cc = request(*c, box, url, cmd, b, h);
        if (cc != CURLE_OK || !find_literal(h, &at, &len) || h->over || at + len > h->len ||
            len > size - got) {
            /* A line of the mail that looks like the command's end, or a
             * server that answers otherwise: the whole with BODY[]. */
            log_warn("email",
                     "event=imap_peek_incomplete agency_id=%lld uid=%lu at=%zu error=\"%s\"",
                     (long long)box->agency_id, uid, got,
                     cc != CURLE_OK ? curl_easy_strerror(cc) : "short literal");
            return fetch_plain(c, box, url, ar, uid, b, f);
        }
        memcpy(m->data + got, h->data + at, len);
        got += len;
        if (len < PART_BYTES) /* the end, should the size have been larger */
            break;
    }
    m->data[got] = 0;
    m->len = got;
    f->data = m->data;
    f->len = got;
    return true;
}

/* Stores one fetched mail once per key; true when it is committed (now or
 * before). */
static bool store_mail(store_t *s, arena_t *ar, const email_box *box, const char *key,
                       unsigned long uid, const fetched *f, int64_t now)
{
    json_t *j;
    /* A mail in UTF-8 (most are 7-bit) is kept as text, which the
     * superadmin's inbox shows as it came; anything else in base64; one
     * too large only as its place (processing makes it a dead letter). */
    bool text = !f->over && f->len && memchr(f->data, 0, f->len) == NULL &&
                text_utf8_valid(f->data, f->len);
    if (f->over)
        j = json_pack("{s:s, s:I, s:b}", "mailbox", box->address, "uid", (json_int_t)uid,
                      "too_large", 1);
    else if (text)
        j = json_pack("{s:s, s:I, s:s%}", "mailbox", box->address, "uid", (json_int_t)uid, "mail",
                      f->data, f->len);
    else {
        size_t cap = sodium_base64_ENCODED_LEN(f->len, sodium_base64_VARIANT_ORIGINAL);
        char *enc = arena_alloc(ar, cap);
        if (!enc)
            return false;
        sodium_bin2base64(enc, cap, (const unsigned char *)(f->data ? f->data : ""), f->len,
                          sodium_base64_VARIANT_ORIGINAL);
        j = json_pack("{s:s, s:I, s:s}", "mailbox", box->address, "uid", (json_int_t)uid, "raw",
                      enc);
    }
    char *body = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!body)
        return false;
    int64_t id = 0;
    bool dup = false;
    err_t e = store_inbound_add_once(s, EMAIL_CHANNEL, key, body, strlen(body), now, &id, &dup);
    free(body);
    if (e != ERR_OK) {
        log_warn("email", "event=inbound_store_failed agency_id=%lld uid=%lu error=%s",
                 (long long)box->agency_id, uid, err_code(e));
        return false;
    }
    if (dup)
        log_info("email", "event=mail_stored_before agency_id=%lld uid=%lu",
                 (long long)box->agency_id, uid);
    else
        log_info("email", "event=mail_received agency_id=%lld inbox_id=%lld bytes=%zu",
                 (long long)box->agency_id, (long long)id, f->len);
    return true;
}

/* A mail whose server failed is tried again after this long at the
 * earliest (seconds): an unreachable server must not hold the worker up
 * for its connect timeout on every pass. */
#define FAIL_BACKOFF 300

static int poll_box(CURL **c, store_t *s, arena_t *ar, const email_box *box, int64_t now,
                    bool *failed)
{
    const char *url = folder_url(ar, box->imap);
    buf_t b = {.max = ANSWER_MAX}, h = {.max = ANSWER_MAX}, m = {0};
    unsigned long uids[FETCH_PER_PASS];
    int stored = 0;
    CURLcode cc = request(*c, box, url, "UID SEARCH UNSEEN", &b, &h);
    if (cc != CURLE_OK) {
        log_warn("email", "event=imap_failed agency_id=%lld error=\"%s\"",
                 (long long)box->agency_id, curl_easy_strerror(cc));
        free(b.data);
        free(h.data);
        *failed = true;
        return 0;
    }
    size_t n = parse_search(b.data, uids, FETCH_PER_PASS);
    unsigned long validity = uidvalidity(&h);
    for (size_t i = 0; i < n; i++) {
        const char *key = arena_printf(ar, "imap:%s:%lu:%lu", box->address, validity, uids[i]);
        bool seen = false;
        fetched f;
        if (!key || store_inbound_seen(s, key, &seen) != ERR_OK)
            continue; /* the database: next pass */
        if (seen) {   /* committed before; its flag was never set */
            set_seen(*c, box, url, uids[i], true);
            continue;
        }
        if (!fetch(c, box, url, ar, uids[i], &b, &h, &m, &f)) {
            /* A BODY[] fallback that failed half-way has set \Seen on the
             * server: take it back, or UNSEEN never lists the mail again. */
            if (f.seen_set)
                set_seen(*c, box, url, uids[i], false);
            continue;
        }
        if (store_mail(s, ar, box, key, uids[i], &f, now)) {
            set_seen(*c, box, url, uids[i], true);
            stored++;
        } else if (f.seen_set)
            set_seen(*c, box, url, uids[i], false); /* fetched again next time */
    }
    free(b.data);
    free(h.data);
    free(m.data);
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
        stored += poll_box(&c, s, ar, &box, now, &failed);
        if (failed && k < ndue && box.poll_seconds < FAIL_BACKOFF)
            due[k].next_at = now + FAIL_BACKOFF;
    }
    curl_easy_cleanup(c);
    arena_destroy(ar);
    return stored;
}
