/* Retention of raw webhook bodies (issue #13.6; UU PDP 27/2022): a body
 * holds the citizen's number, profile name and every word typed, NIKs
 * too. After processing, what idempotency and debugging need is in the
 * row (times, state, error, the summary of ids and types; inbound_seen holds
 * the message ids), so the body itself goes:
 *
 * - processed bodies, cfg->raw_retention_s after processing;
 * - dead letters are sealed with ADUAN_DATA_KEY (when set) as soon as this
 *   job sees them, and their bodies go JOBS_DEAD_RETENTION_DAYS after they
 *   died;
 * - a dialogue abandoned for BOT_DRAFT_TTL loses what its draft held of the
 *   citizen (the report, a service request with its NIK, the opening
 *   words); the dialogue itself says "expired" when they come back, as
 *   before;
 * - the numbers that followed a case from its public page (case_watchers)
 *   go WATCHERS_RETENTION_DAYS after the case was closed, rejected or
 *   forwarded: there is nothing more to tell them; so do the addresses
 *   that follow a case by email (email_follows), and those never confirmed
 *   once their confirmation link has run out (48 hours).
 * - the answers kept for the field app's Idempotency-Keys (a case as the
 *   officer saw it) go IDEM_RETENTION_HOURS after the request: a phone
 *   sends its queue again within minutes or hours of the signal's return.
 *
 * The job runs in the worker thread between passes, never during a burst
 * of webhooks (jobs.c), in small batches: each statement holds SQLite's
 * write lock for a few milliseconds, and the webhook committer, which
 * prefers its writes (store_prefer_writes), goes first whenever it waits. */
#include "jobs/jobs_int.h"

#include "jobs/jobs.h"

#include "channels/bot.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/secret.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Followers of a finished case are kept this long (a late correction). */
#define WATCHERS_RETENTION_DAYS 30
/* Idempotency keys are kept this long (issue 18; the brief's 48 hours). */
#define IDEM_RETENTION_HOURS 48
/* Rows per statement: a few milliseconds of write lock. */
#define RETENTION_BATCH 200
/* A pass stops after this long; the rest waits for the next one. */
#define RETENTION_PASS_MS 50
/* Dead letters sealed per pass: a body may be 3 MiB. */
#define SEAL_BATCH 16
/* How often the job looks at most (a quarter of a short test window). */
#define RETENTION_EVERY_MAX 60
/* Abandoned drafts are looked for at most this often: the TTL is a day. */
#define DRAFTS_EVERY_MAX 3600
/* Drafts cleaned per look. */
#define DRAFTS_BATCH 100

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Seals the raw dead letters; returns how many. */
static size_t seal_dead(const config_t *cfg, store_t *s)
{
    arena_t *ar = arena_new();
    store_inbound_row *rows;
    size_t n = 0, sealed = 0;
    if (!ar)
        return 0;
    if (store_inbound_unsealed(s, ar, SEAL_BATCH, &rows, &n) != ERR_OK)
        n = 0;
    for (size_t i = 0; i < n; i++) {
        const char *body = rows[i].body ? rows[i].body : "";
        char *box = secret_seal(ar, cfg->svc_data_key, body, strlen(body));
        err_t e = box ? store_inbound_seal(s, rows[i].id, box) : ERR_NOMEM;
        if (e == ERR_OK)
            sealed++;
        else if (e != ERR_NOT_FOUND)
            log_warn("retention", "event=seal_failed inbox_id=%lld error=%s", (long long)rows[i].id,
                     err_code(e));
    }
    arena_destroy(ar);
    return sealed;
}

/* Removes bodies of state older than before, batch by batch, until none
 * is left or the pass is over. Returns how many; *more when some remain. */
static size_t purge(store_t *s, const char *state, int64_t before, int64_t now, int64_t until_ms,
                    bool *more)
{
    size_t total = 0, n = RETENTION_BATCH;
    while (n == RETENTION_BATCH && mono_ms() < until_ms) {
        err_t e = store_inbound_purge(s, state, before, RETENTION_BATCH, now, &n);
        if (e != ERR_OK) {
            log_warn("retention", "event=purge_failed state=%s error=%s", state, err_code(e));
            return total;
        }
        total += n;
    }
    if (n == RETENTION_BATCH)
        *more = true;
    return total;
}

/* Removes the citizen's words from drafts untouched since before;
 * returns how many drafts it cleaned. */
static size_t clean_drafts(store_t *s, int64_t before)
{
    static const char *const keys[] = {"report", "svc", "said"};
    arena_t *ar = arena_new();
    store_conv_draft *d;
    size_t n = 0, cleaned = 0;
    if (!ar)
        return 0;
    if (store_conv_drafts_stale(s, ar, before, DRAFTS_BATCH, &d, &n) != ERR_OK)
        n = 0;
    for (size_t i = 0; i < n; i++) {
        json_error_t je;
        json_t *j = json_loads(d[i].draft, 0, &je);
        for (size_t k = 0; j && k < sizeof keys / sizeof *keys; k++)
            json_object_del(j, keys[k]);
        char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
        /* A draft that is not JSON holds nothing the dialogue can use. */
        err_t e = store_conv_draft_clean(s, &d[i], text ? text : "{}");
        if (e == ERR_OK)
            cleaned++;
        else if (e != ERR_CONFLICT) /* a conflict: the citizen is back */
            log_warn("retention", "event=draft_clean_failed agency_id=%lld error=%s",
                     (long long)d[i].agency_id, err_code(e));
        free(text);
        json_decref(j);
    }
    arena_destroy(ar);
    return cleaned;
}

int retention_run(const config_t *cfg, store_t *s, int64_t now)
{
    /* Only the worker thread calls this. */
    static int64_t last = 0, last_drafts = 0;
    int64_t every = cfg->raw_retention_s / 4;
    every = every < 1 ? 1 : every > RETENTION_EVERY_MAX ? RETENTION_EVERY_MAX : every;
    if (now - last < every)
        return 0;
    last = now;
    int64_t until = mono_ms() + RETENTION_PASS_MS;
    bool more = false;
    size_t sealed = cfg->svc_data_key[0] ? seal_dead(cfg, s) : 0;
    size_t done = purge(s, "done", now - (int64_t)cfg->raw_retention_s, now, until, &more);
    size_t dead =
        purge(s, "dead", now - (int64_t)JOBS_DEAD_RETENTION_DAYS * 86400, now, until, &more);
    size_t watchers = 0;
    if (store_watchers_purge(s, now - (int64_t)WATCHERS_RETENTION_DAYS * 86400, RETENTION_BATCH,
                             &watchers) != ERR_OK)
        log_warn("retention", "event=watchers_purge_failed");
    else if (watchers)
        log_info("retention", "event=watchers_removed count=%zu", watchers);
    size_t follows = 0; /* issue 18: the addresses that follow a case by email */
    if (store_email_follows_purge(s, now, now - (int64_t)WATCHERS_RETENTION_DAYS * 86400,
                                  RETENTION_BATCH, &follows) != ERR_OK)
        log_warn("retention", "event=email_follows_purge_failed");
    else if (follows)
        log_info("retention", "event=email_follows_removed count=%zu", follows);
    size_t idem = 0;
    if (store_idem_purge(s, now - (int64_t)IDEM_RETENTION_HOURS * 3600, RETENTION_BATCH, &idem) !=
        ERR_OK)
        log_warn("retention", "event=idem_purge_failed");
    else if (idem)
        log_info("retention", "event=idempotency_keys_removed count=%zu", idem);
    if (sealed == SEAL_BATCH || watchers == RETENTION_BATCH || idem == RETENTION_BATCH ||
        follows == RETENTION_BATCH)
        more = true;
    if (sealed || done || dead)
        log_info("retention", "event=raw_bodies removed=%zu dead_removed=%zu dead_sealed=%zu", done,
                 dead, sealed);
    size_t drafts = 0;
    int64_t drafts_every =
        cfg->raw_retention_s < DRAFTS_EVERY_MAX ? cfg->raw_retention_s : DRAFTS_EVERY_MAX;
    if (now - last_drafts >= drafts_every) {
        last_drafts = now;
        drafts = clean_drafts(s, now - BOT_DRAFT_TTL);
        if (drafts)
            log_info("retention", "event=drafts_cleaned count=%zu", drafts);
        if (drafts == DRAFTS_BATCH)
            last_drafts = 0;
    }
    if (more)
        last = 0; /* a backlog (an upgrade, a long burst): go on next pass */
    return (int)(sealed + done + dead + drafts + watchers + idem + follows);
}
