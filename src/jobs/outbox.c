/* The outbox dispatcher: every queued message goes to its channel's
 * driver (channels/channel.h; WhatsApp: the Graph API), and is retried
 * until it is delivered or has failed for good, paused while the channel
 * refuses our credentials (CLOUD-API-NOTES.md §4-§7). */
#include "jobs/jobs_int.h"

#include "channels/channel.h"
#include "channels/bot.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/metrics.h"
#include "jobs/svc_jobs.h"

#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define OUTBOX_BATCH 16
/* The longest one message can take (seconds): a send and its resend as a
 * template; a document is uploaded first. */
#define SEND_WORST     (2 * CHANNEL_SEND_TIMEOUT)
#define DOCUMENT_WORST (SVC_UPLOAD_TIMEOUT + SEND_WORST)
/* A claim protects its messages this long (seconds). A message is sent
 * only while the claim still covers its worst case plus LEASE_MARGIN:
 * once a lease runs out, another instance may claim the message and send
 * it while this one is still at it, a duplicate without any crash. A
 * crashed instance's claimed messages come back after the lease on
 * PostgreSQL (at once on SQLite, see store_claim). */
#define LEASE_MARGIN 5
#define OUTBOX_LEASE (DOCUMENT_WORST + 2 * LEASE_MARGIN)
/* Recording a delivered message is retried this many times, from 50 ms
 * apart doubling (about 1.5 s in all): a message whose record is lost
 * goes out a second time when its lease ends. */
#define RECORD_TRIES 5
/* Backoff: 2^attempt seconds with jitter, capped; give up after the
 * horizon (about a day of tries). */
#define BACKOFF_CAP   3600
#define SEND_ATTEMPTS 30
/* Token trouble (190): pause this message, an operator must fix the token. */
#define TOKEN_PAUSE 300
static int64_t backoff(int attempts)
{
    int64_t d = attempts >= 12 ? BACKOFF_CAP : ((int64_t)1 << attempts);
    if (d > BACKOFF_CAP)
        d = BACKOFF_CAP;
    /* Jitter of +-50 %: many messages failing together do not retry together. */
    return d / 2 + (int64_t)randombytes_uniform((uint32_t)d + 1);
}

/* Records that Meta accepted m. Runs right after the answer, one message
 * per commit and never batched with messages not yet sent: the only
 * message a crash can send twice is the one whose answer was in flight
 * (docs/WHATSAPP.md, "After a crash"). A transient database error is
 * tried again rather than leaving a sent message to be sent again. */
static err_t record_sent(store_t *s, const store_outbox_row *m, const char *wamid, bool templ,
                         int64_t now)
{
    err_t e = ERR_OK;
    for (int i = 0; i < RECORD_TRIES; i++) {
        if (i) {
            struct timespec ts = {0, (50L << (i - 1)) * 1000000L};
            nanosleep(&ts, NULL);
        }
        e = store_outbox_sent(s, m->id, wamid, templ, templ ? m->template : m->payload, now);
        if (e == ERR_OK || e == ERR_NOT_FOUND || e == ERR_INVALID)
            break;
    }
    return e;
}

static void send_one(const config_t *cfg, store_t *s, CURL *curl, arena_t *ar, store_outbox_row *m,
                     int64_t now)
{
    channel_result r;
    err_t e;
    const channel_driver *d = channel_find(m->channel);
    if (!d) { /* a channel this build does not know: visible, not retried */
        if (store_outbox_retry(s, m->id, 0, "no driver for this channel", now) != ERR_OK)
            log_warn("outbox", "event=outbox_store_failed id=%lld", (long long)m->id);
        return;
    }
    if (!m->payload || !*m->payload) {
        /* A neutral message (and its template intent), rendered by the
         * channel's driver now; a status update is first told as the case
         * stands now. A row with a payload and no message (queued by an
         * older version, or rendered by its producer) goes as it is. */
        const char *msg = m->message, *tmpl = m->message ? m->template : NULL;
        e = ERR_OK;
        if (!msg && m->event_id)
            e = bot_render_status(s, ar, m->case_id, m->event_id, m->lang ? m->lang : "id", &msg,
                                  &tmpl);
        if (e == ERR_OK) {
            m->payload = channel_render_json(ar, d, m->address, msg);
            m->template = tmpl ? channel_render_json(ar, d, m->address, tmpl) : NULL;
            if (!m->payload || (tmpl && !m->template))
                e = ERR_INVALID;
        }
        if (e != ERR_OK) {
            log_warn("outbox", "event=render_failed outbox_id=%lld error=%s", (long long)m->id,
                     err_code(e));
            /* A later pass tries again (a failed write here only delays
             * it); a message the driver cannot render fails visibly. */
            bool never = e == ERR_INVALID;
            if (store_outbox_retry(s, m->id, never ? 0 : now + backoff(m->attempts),
                                   never ? "the channel cannot render this message"
                                         : "render failed",
                                   now) != ERR_OK)
                log_warn("outbox", "event=outbox_store_failed id=%lld", (long long)m->id);
            return;
        }
    }
    /* An issued document: its file goes to the channel first. */
    if (strcmp(m->kind, "document") == 0 && !svc_outbox_prepare(cfg, s, curl, ar, m, now))
        return;
    bool templ = !d->can_send_text(m->last_inbound_at, now) && m->template;
    if (!d->live(cfg)) {
        /* The simulator mode: the dashboard's simulator shows the outbox.
         * Nothing leaves the machine, so the record may be redone after a
         * power cut like the inbox's work (store_redo_commits). */
        char id[64];
        snprintf(id, sizeof id, "sim.%lld", (long long)m->id);
        bool was = store_redo_commits(true);
        e = store_outbox_sent(s, m->id, id, templ, templ ? m->template : m->payload, now);
        store_redo_commits(was);
        metrics_send(METRICS_SEND_SENT, 0);
        if (e != ERR_OK)
            log_warn("outbox", "event=outbox_store_failed id=%lld", (long long)m->id);
        return;
    }
    if (d->send_row)
        d->send_row(cfg, s, curl, ar, m->endpoint, m->kind, m->case_id,
                    templ ? m->template : m->payload, &r);
    else
        d->send(cfg, s, curl, m->endpoint, templ ? m->template : m->payload, &r);
    if (!r.provider_id[0] && r.window_closed && !templ && m->template) {
        /* The re-engagement window closed (the citizen has been silent
         * too long): the approved template carries the message instead. */
        templ = true;
        d->send(cfg, s, curl, m->endpoint, m->template, &r);
    }
    if (r.provider_id[0]) {
        metrics_send(METRICS_SEND_SENT, 0);
        e = record_sent(s, m, r.provider_id, templ, now);
        log_info("wa", "event=sent outbox_id=%lld template=%d", (long long)m->id, templ);
    } else if (r.auth_failed) {
        log_error("wa",
                  "event=token_rejected outbox_id=%lld msg=\"access token rejected; "
                  "sending paused until it is fixed\"",
                  (long long)m->id);
        metrics_send(METRICS_SEND_PAUSED, r.code);
        e = store_outbox_retry(s, m->id, now + TOKEN_PAUSE, r.error, now);
    } else if (r.retryable && m->attempts < SEND_ATTEMPTS) {
        int64_t at = now + backoff(m->attempts);
        /* The channel said how long to wait (Telegram's 429 retry_after):
         * never sooner than that, counted from its answer (now is the
         * pass's start) and rounded up to the next whole second. */
        if (r.retry_after > 0 && clock_now() + r.retry_after + 1 > at)
            at = clock_now() + r.retry_after + 1;
        log_warn("wa", "event=send_retry outbox_id=%lld attempt=%d error=\"%s\"", (long long)m->id,
                 m->attempts, r.error);
        metrics_send(METRICS_SEND_RETRY, r.code);
        e = store_outbox_retry(s, m->id, at, r.error, now);
    } else {
        log_warn("wa", "event=send_failed outbox_id=%lld error=\"%s\"", (long long)m->id, r.error);
        metrics_send(METRICS_SEND_FAILED, r.code);
        e = store_outbox_retry(s, m->id, 0, r.error, now);
    }
    if (e != ERR_OK)
        log_warn("wa", "event=outbox_store_failed id=%lld error=%s", (long long)m->id, err_code(e));
}

static int by_id(const void *a, const void *b)
{
    int64_t x = ((const store_outbox_row *)a)->id, y = ((const store_outbox_row *)b)->id;
    return (x > y) - (x < y);
}

/* Whether the claim made at claimed_at still covers m's worst case. */
static bool lease_covers(const store_outbox_row *m, int64_t claimed_at)
{
    int64_t worst = strcmp(m->kind, "document") == 0 ? DOCUMENT_WORST : SEND_WORST;
    return clock_now() + worst + LEASE_MARGIN <= claimed_at + OUTBOX_LEASE;
}

int outbox_run(const config_t *cfg, store_t *s, int64_t now)
{
    arena_t *ar = arena_new();
    store_outbox_row *rows;
    size_t n = 0;
    CURL *curl = NULL;
    if (!ar)
        return 0;
    /* The claim is an acknowledging commit (store_redo_commits): on disk,
     * with everything the inbox processor wrote before it, before the
     * first of these messages leaves. Its lease counts from now, not from
     * the start of the worker's pass. */
    int64_t claimed_at = clock_now();
    if (store_outbox_claim(s, ar, claimed_at, OUTBOX_LEASE, OUTBOX_BATCH, &rows, &n) != ERR_OK)
        n = 0;
    /* In the order they were queued: replies to one citizen must not
     * overtake each other (UPDATE ... RETURNING promises no order). */
    if (n > 1)
        qsort(rows, n, sizeof *rows, by_id);
    /* A handle when a driver really sends (not in the simulator mode). */
    bool live = false;
    for (size_t i = 0; i < n && !live; i++) {
        const channel_driver *d = channel_find(rows[i].channel);
        live = d && d->live(cfg);
    }
    if (live)
        curl = curl_easy_init();
    for (size_t i = 0; i < n; i++) {
        if (live && !curl)
            break; /* the lease runs out and they come back */
        if (!lease_covers(&rows[i], claimed_at)) {
            /* Slow answers: the rest come back when their lease ends. */
            log_warn("wa", "event=outbox_batch_cut sent=%zu left=%zu", i, n - i);
            break;
        }
        send_one(cfg, s, curl, ar, &rows[i], now);
    }
    curl_easy_cleanup(curl);
    arena_destroy(ar);
    return (int)n;
}
