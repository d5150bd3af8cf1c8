/* The outbound webhook worker (issue 17 §2, docs/WEBHOOKS.md): claims due
 * deliveries with a lease, renders a delivery's body at its first attempt
 * (then kept, so every retry sends the same bytes), POSTs it signed
 * (X-Aduan-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>)
 * and retries with exponential backoff until 24 h after the event; a
 * subscription that failed WEBHOOK_PAUSE_AFTER times in a row is paused.
 * Its own thread: a receiver that times out must not hold up the outbox. */
#include "jobs/jobs_int.h"

#include "core/clock.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/netguard.h"
#include "http/http.h"

#include <curl/curl.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WEBHOOK_BATCH   4
#define WEBHOOK_TIMEOUT 10 /* seconds for one POST */
/* The claim covers the batch's worst case with room to spare. */
#define WEBHOOK_LEASE (WEBHOOK_BATCH * (WEBHOOK_TIMEOUT + 2) + 30)
/* Backoff: 30 s, 1, 2, 4 ... minutes, at most an hour. */
#define BACKOFF_FIRST 30
#define BACKOFF_CAP   3600
/* A delivery claimed while its subscription is paused waits this long. */
#define HOLD_WAIT   60
#define IDLE_MS     500
#define PAUSE_AFTER 100
/* Finished deliveries are kept this long in the log, then deleted, a
 * batch at a time, looked for once an hour. */
#define KEEP_DAYS   30
#define PRUNE_BATCH 500
#define PRUNE_EVERY 3600

/* The test knobs (docs/WEBHOOKS.md): ADUAN_WEBHOOK_BACKOFF_SCALE multiplies
 * every wait (0.05: 30 s becomes 1.5 s), ADUAN_WEBHOOK_PAUSE_AFTER the
 * failures in a row that pause a subscription, ADUAN_WEBHOOK_TIMEOUT a
 * shorter timeout of one POST (1 to 10 seconds). */
static long post_timeout(void)
{
    const char *v = getenv("ADUAN_WEBHOOK_TIMEOUT");
    long n = v ? strtol(v, NULL, 10) : WEBHOOK_TIMEOUT;
    return n >= 1 && n <= WEBHOOK_TIMEOUT ? n : WEBHOOK_TIMEOUT;
}

static double backoff_scale(void)
{
    const char *v = getenv("ADUAN_WEBHOOK_BACKOFF_SCALE");
    double d = v ? strtod(v, NULL) : 1.0;
    return d > 0 && d <= 1 ? d : 1.0;
}

int webhook_pause_after(void)
{
    const char *v = getenv("ADUAN_WEBHOOK_PAUSE_AFTER");
    long n = v ? strtol(v, NULL, 10) : PAUSE_AFTER;
    return n >= 1 && n <= 100000 ? (int)n : PAUSE_AFTER;
}

int64_t webhook_backoff(int attempts, double scale)
{
    int64_t d = BACKOFF_FIRST;
    for (int i = 1; i < attempts && d < BACKOFF_CAP; i++)
        d *= 2;
    if (d > BACKOFF_CAP)
        d = BACKOFF_CAP;
    int64_t s = (int64_t)llround((double)d * scale);
    return s < 1 ? 1 : s;
}

void webhook_sign(const char *secret, int64_t t, const char *body, char out[WEBHOOK_SIG_BUF])
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    char ts[24], hex[2 * crypto_auth_hmacsha256_BYTES + 1];
    crypto_auth_hmacsha256_state st;
    snprintf(ts, sizeof ts, "%lld.", (long long)t);
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts, strlen(ts));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, strlen(body));
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
    snprintf(out, WEBHOOK_SIG_BUF, "t=%lld,v1=%s", (long long)t, hex);
}

/* The event the delivery tells of, from the case's (append-only) log. */
static json_t *event_part(store_t *s, arena_t *ar, const store_webhook_delivery *d)
{
    store_event *ev;
    size_t n;
    if (!d->event_id || store_case_events(s, ar, d->case_id, &ev, &n) != ERR_OK)
        return json_null();
    for (size_t i = 0; i < n; i++)
        if (ev[i].id == d->event_id)
            return json_pack("{s:s, s:s?, s:s, s:s?, s:o}", "action", ev[i].action, "from_status",
                             ev[i].from_status, "to_status", ev[i].to_status, "public_note",
                             ev[i].public_note, "at", json_time(ev[i].created_at));
    return json_null();
}

/* What an untrusted subscriber may know of where a case is: a rahasia
 * case's place stays inside (its address, its point), as on /t/; any other
 * point is rounded to about 100 m, as on the public pages. */
static void untrusted_place(json_t *kase, const store_case *k)
{
    if (k->rahasia) {
        json_object_set_new(kase, "address", json_null());
        json_object_set_new(kase, "location", json_null());
    } else if (k->has_location) {
        json_object_set_new(kase, "location",
                            json_pack("{s:f, s:f}", "lat", round(k->lat * 1000.0) / 1000.0, "lon",
                                      round(k->lon * 1000.0) / 1000.0));
    }
}

/* What a LAPOR! bridge needs of a case.lapor_updated (issue 17 §3): the
 * national class, whether the case is marked for LAPOR! and its tracking
 * id there, as the case has them when the delivery is first sent. */
static json_t *lapor_part(const store_case *k)
{
    return json_pack("{s:s?, s:b, s:o, s:s?}", "lapor_class", k->lapor_class, "marked",
                     k->lapor_marked_at != 0, "marked_at", json_time(k->lapor_marked_at),
                     "tracking_id", k->lapor_tracking_id);
}

/* The body: {"id", "type", "created_at", "data": {"case", "event"}}; the
 * case in the API's shape, with the reporter (and the exact place) only
 * for a trusted subscription, never an internal note; a case.lapor_updated
 * has data.lapor too. NULL: the case cannot be read. */
static char *render(store_t *s, arena_t *ar, const store_webhook_delivery *d)
{
    store_case k;
    char id[32];
    if (!d->case_id || store_case_get(s, ar, d->case_id, &k) != ERR_OK)
        return NULL;
    snprintf(id, sizeof id, "whd_%lld", (long long)d->id);
    json_t *kase = case_json(&k, d->trusted, "id");
    if (kase && !d->trusted)
        untrusted_place(kase, &k);
    json_t *j = json_pack("{s:s, s:s, s:o, s:{s:o, s:o}}", "id", id, "type", d->event_type,
                          "created_at", json_time(d->created_at), "data", "case",
                          kase ? kase : json_null(), "event", event_part(s, ar, d));
    if (j && strcmp(d->event_type, "case.lapor_updated") == 0)
        json_object_set_new(json_object_get(j, "data"), "lapor", lapor_part(&k));
    char *out = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    return out;
}

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return size * n;
}

/* POSTs body; the HTTP status (0: no answer) and, when not 2xx, why. */
static long post(CURL *curl, const store_webhook_delivery *d, const char *body, int64_t now,
                 char *err, size_t errlen)
{
    char sig[WEBHOOK_SIG_BUF], h_sig[WEBHOOK_SIG_BUF + 32], h_id[64], h_ev[96];
    char cerr[CURL_ERROR_SIZE] = "";
    long code = 0;
    netguard_t guard;
    webhook_sign(d->secret, now, body, sig);
    snprintf(h_sig, sizeof h_sig, "X-Aduan-Signature: %s", sig);
    snprintf(h_id, sizeof h_id, "X-Aduan-Delivery: whd_%lld", (long long)d->id);
    snprintf(h_ev, sizeof h_ev, "X-Aduan-Event: %s", d->event_type);
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    h = curl_slist_append(h, h_sig);
    h = curl_slist_append(h, h_id);
    h = curl_slist_append(h, h_ev);
    h = curl_slist_append(h, "Expect:");
    curl_easy_reset(curl);
    curl_easy_setopt(curl, CURLOPT_URL, d->url);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, post_timeout());
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, post_timeout() < 5 ? post_timeout() : 5L);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "aduan-webhooks/" ADUAN_VERSION);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, cerr);
    /* A subscriber's address is checked where curl connects: not the
     * machine itself or its networks (core/netguard.h). */
    netguard_arm(curl, &guard);
    CURLcode rc = curl_easy_perform(curl);
    if (rc == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
    if (rc != CURLE_OK && guard.refused[0])
        snprintf(err, errlen, "refused: %s is not a public address (ADUAN_FETCH_ALLOW_PRIVATE)",
                 guard.refused);
    else if (rc != CURLE_OK)
        snprintf(err, errlen, "%s", cerr[0] ? cerr : curl_easy_strerror(rc));
    else if (code < 200 || code > 299)
        snprintf(err, errlen, "HTTP %ld", code);
    curl_slist_free_all(h);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, NULL);
    return rc == CURLE_OK ? code : 0;
}

static void paused(store_t *s, int64_t sub, int64_t now)
{
    char target[48];
    snprintf(target, sizeof target, "webhook:%lld", (long long)sub);
    store_audit_entry a = {.at = now,
                           .action = "webhook_paused",
                           .target = target,
                           .detail = "paused after repeated failed deliveries"};
    log_warn("webhooks", "event=subscription_paused subscription=%lld", (long long)sub);
    if (store_audit_add(s, &a) != ERR_OK)
        log_warn("webhooks", "event=audit_failed subscription=%lld", (long long)sub);
}

static void deliver_one(store_t *s, CURL *curl, arena_t *ar, store_webhook_delivery *d,
                        double scale)
{
    int64_t now = clock_now(), sub = 0;
    char err[256] = "";
    if (d->held) { /* paused or switched off: waits, not counted */
        if (now >= d->expires_at) {
            store_webhook_outcome o = {
                d->id, false, 0, "subscription paused or inactive", 0, false, webhook_pause_after(),
                now};
            if (store_webhook_record(s, &o, &sub) == ERR_OK)
                metrics_hook_delivery(METRICS_HOOK_FAILED);
        } else if (store_webhook_hold(s, d->id, now + HOLD_WAIT) != ERR_OK) {
            log_warn("webhooks", "event=store_failed delivery=%lld", (long long)d->id);
        }
        return;
    }
    const char *body = d->body;
    if (!body) {
        char *b = render(s, ar, d);
        body = b ? arena_strdup(ar, b) : NULL;
        free(b);
        if (body && store_webhook_set_body(s, ar, d->id, &body) != ERR_OK)
            body = NULL;
    }
    long code = body ? post(curl, d, body, now, err, sizeof err) : 0;
    if (!body)
        snprintf(err, sizeof err, "the case could not be read");
    bool ok = code >= 200 && code <= 299;
    int64_t next = now + webhook_backoff(d->attempts, scale);
    bool last = !ok && next > d->expires_at;
    store_webhook_outcome o = {
        d->id, ok, (int)code, ok ? NULL : err, last ? 0 : next, true, webhook_pause_after(), now};
    metrics_hook_delivery(ok     ? METRICS_HOOK_DELIVERED
                          : last ? METRICS_HOOK_FAILED
                                 : METRICS_HOOK_RETRY);
    if (ok)
        log_info("webhooks", "event=delivered delivery=%lld status=%ld", (long long)d->id, code);
    else
        log_warn("webhooks", "event=delivery_failed delivery=%lld attempt=%d status=%ld final=%d",
                 (long long)d->id, d->attempts, code, last);
    if (store_webhook_record(s, &o, &sub) != ERR_OK)
        log_warn("webhooks", "event=store_failed delivery=%lld", (long long)d->id);
    else if (sub)
        paused(s, sub, now);
}

int webhooks_run(store_t *s, int64_t now)
{
    arena_t *ar = arena_new();
    store_webhook_delivery *rows;
    size_t n = 0;
    if (!ar)
        return 0;
    if (store_webhook_claim(s, ar, now, WEBHOOK_LEASE, WEBHOOK_BATCH, &rows, &n) != ERR_OK)
        n = 0;
    CURL *curl = n ? curl_easy_init() : NULL;
    double scale = backoff_scale();
    for (size_t i = 0; i < n && curl; i++)
        deliver_one(s, curl, ar, &rows[i], scale);
    if (curl)
        curl_easy_cleanup(curl);
    arena_destroy(ar);
    return (int)n;
}

/* ---- the thread ------------------------------------------------------------- */

struct webhooks {
    store_t *store;
    poller_t *thread;
    int64_t pruned; /* when the log was last pruned */
};

/* Deletes the log's old finished deliveries, at most once an hour. */
static void prune(store_t *s, int64_t now, int64_t *last)
{
    int64_t n = 0;
    if (*last && now - *last < PRUNE_EVERY)
        return;
    *last = now;
    if (store_webhook_prune(s, now - (int64_t)KEEP_DAYS * 86400, PRUNE_BATCH, &n) != ERR_OK)
        log_warn("webhooks", "event=prune_failed");
    else if (n == PRUNE_BATCH)
        *last = now - PRUNE_EVERY + 1; /* more: again in a second */
}

static long deliver_pass(void *arg)
{
    webhooks_t *w = arg;
    int did = webhooks_run(w->store, clock_now());
    prune(w->store, clock_now(), &w->pruned);
    return did > 0 ? 0 : IDLE_MS;
}

webhooks_t *webhooks_start(store_t *s)
{
    webhooks_t *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->store = s;
    w->thread = poller_start(deliver_pass, w);
    if (!w->thread) {
        free(w);
        return NULL;
    }
    return w;
}

void webhooks_stop(webhooks_t *w)
{
    if (!w)
        return;
    poller_stop(w->thread);
    free(w);
}
