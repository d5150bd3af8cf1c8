/* The SLA scheduler (issue #6): a thread of `aduan serve` that, every
 * tick, brings stale deadlines up to date, tells supervisors of deadlines
 * coming due and of breaches (an event on the case and a WhatsApp alert),
 * and closes resolved cases the reporter left without a reply.
 *
 * Safe with several instances: an escalation is a conditional UPDATE in
 * the store (one instance changes the row and sends; the others find it
 * done), and an auto-close is a compare-and-set transition. */
#include "jobs/jobs.h"
#include "jobs/jobs_int.h"

#include "channels/channel.h"
#include "core/clock.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/metrics.h"
#include "domain/deadline.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Work per tick: enough for a district's day, small enough that one tick
 * never holds the database for long. */
#define STALE_BATCH  200
#define DUE_BATCH    100
#define STALE_ROUNDS 5
/* The pause between passes while a pass still left work behind (a
 * restore, a migration, a calendar change: thousands of stale or due
 * cases): short, so the catch-up ends in minutes rather than in hours of
 * ticks, yet long enough that readers get the database between batches. */
#define CATCHUP_PAUSE_MS 200
/* Staff alerts per case: the supervisors of one agency. */
#define NOTICE_MAX 16

struct sched {
    const config_t *cfg;
    store_t *store;
    poller_t *thread;
    int64_t stale_cursor; /* the scheduler thread's own: where the stale walk goes on */
};

/* What a supervisor is told a step is waiting for (Indonesian: staff
 * read it on their phones). */
static const char *waiting_for(const char *stage)
{
    if (strcmp(stage, "verify") == 0)
        return "menunggu verifikasi";
    if (strcmp(stage, "dispatch") == 0)
        return "menunggu disposisi ke tim";
    if (strcmp(stage, "action") == 0)
        return "menunggu tindakan pertama tim lapangan";
    return "menunggu tindak lanjut hingga selesai";
}

/* One batch of stale deadlines, written in one transaction: one commit
 * per batch rather than per case keeps a large catch-up from costing
 * every reader its page cache a thousand times a pass. */
static int refresh_stale(store_t *s, int64_t *cursor)
{
    arena_t *ar = arena_new();
    int64_t *ids;
    size_t n = 0, done = 0;
    if (!ar)
        return 0;
    if (store_sla_stale(s, ar, *cursor, STALE_BATCH, &ids, &n) != ERR_OK)
        n = 0;
    /* Past the last id: the next batch goes on from there; a short batch
     * reached the end, so the next pass starts over. */
    *cursor = n == STALE_BATCH ? ids[n - 1] : 0;
    err_t e = deadline_refresh_many(s, ar, ids, n, &done);
    if (e != ERR_OK)
        log_warn("sla", "event=refresh_failed cases=%zu error=%s", n, err_code(e));
    arena_destroy(ar);
    return (int)n;
}

/* Closes a resolved case whose reporter has not answered in time, unless
 * a reply moved the wait (then the deadline is recomputed). True when it
 * closed it. */
static bool autoclose(store_t *s, arena_t *ar, const store_sla_case *k, int64_t now)
{
    store_sla_case fresh;
    if (deadline_refresh(s, ar, k->id) != ERR_OK ||
        store_sla_case_get(s, ar, k->id, &fresh) != ERR_OK)
        return false;
    if (!fresh.sla_stage || strcmp(fresh.sla_stage, "autoclose") != 0 || fresh.sla_due_at > now)
        return false;
    /* The system closes as the desk would: only where the lifecycle table
     * lets an admin close. */
    const transition_t *rule = NULL;
    int kind = kind_parse(fresh.kind), status = status_parse(fresh.status);
    if (kind < 0 || status < 0 ||
        lifecycle_check((case_kind_t)kind, (case_status_t)status, ACT_CLOSE, ROLE_ADMIN, &rule) !=
            ERR_OK)
        return false;
    store_transition t = {0};
    t.case_id = k->id;
    t.expect_status = fresh.status;
    t.new_status = status_name(rule->to);
    t.action = action_name(rule->action);
    /* The wait is the category's policy (10 working days by default). The
     * reporter is told why (a system status line, on the public page too). */
    t.public_note = "Ditutup otomatis: tidak ada tanggapan pelapor dalam batas waktu setelah "
                    "penyelesaian.";
    t.is_public = rule->is_public;
    t.now = now;
    err_t e = store_case_transition(s, ar, &t);
    if (e == ERR_OK) {
        log_info("sla", "event=autoclosed case_id=%lld", (long long)k->id);
        metrics_sla_autoclosed();
        if (deadline_refresh(s, ar, k->id) != ERR_OK)
            log_warn("sla", "event=refresh_failed case_id=%lld", (long long)k->id);
    } else if (e != ERR_CONFLICT) {
        log_warn("sla", "event=autoclose_failed case_id=%lld error=%s", (long long)k->id,
                 err_code(e));
    }
    return e == ERR_OK;
}

/* Tells the agency's supervisors: an internal event, and a WhatsApp alert
 * to each one with a staff number. True when this instance recorded it. */
static bool escalate(const config_t *cfg, store_t *s, arena_t *ar, const store_sla_case *k,
                     int level, int64_t now)
{
    cal_t cal;
    store_staff *sup = NULL;
    size_t nsup = 0;
    store_sla_notice notices[NOTICE_MAX];
    size_t nn = 0;
    char due[32], shown[IDS_SHOWN_BUF];
    if (deadline_calendar(s, ar, k->agency_id, &cal) != ERR_OK)
        return false;
    deadline_format(&cal, k->sla_due_at, due);
    ids_tracking_format(k->tracking_code, shown);
    const char *what = waiting_for(k->sla_stage);
    const char *note =
        arena_printf(ar, "%s: %s, batas waktu %s",
                     level == 2 ? "Lewat batas waktu" : "Mendekati batas waktu", what, due);
    const char *head = level == 2 ? "LEWAT BATAS WAKTU" : "Segera jatuh tempo";
    if (store_sla_supervisors(s, ar, k->agency_id, &sup, &nsup) != ERR_OK)
        nsup = 0;
    for (size_t i = 0; i < nsup && nn < NOTICE_MAX; i++) {
        if (!sup[i].mobile)
            continue;
        const char *text =
            arena_printf(ar, "⚠️ %s: laporan %s %s. Batas waktu: %s.", head, shown, what, due);
        const char *params[3] = {shown, arena_printf(ar, "%s, %s", head, what), due};
        channel_msg plain = {.kind = CHANNEL_MSG_TEXT, .text = text};
        channel_msg intent = {.kind = CHANNEL_MSG_TEMPLATE,
                              .template = cfg->sla_template,
                              .lang = "id",
                              .params = params,
                              .nparams = 3};
        notices[nn].to_address = sup[i].mobile;
        notices[nn].channel = channel_for_mobile();
        notices[nn].message = channel_msg_json(ar, &plain);
        notices[nn].template = channel_msg_json(ar, &intent);
        if (notices[nn].message && notices[nn].template)
            nn++;
    }
    store_sla_escalation x = {k->id,
                              k->sla_stage,
                              k->sla_due_at,
                              level,
                              level == 2 ? "sla_breach" : "sla_due_soon",
                              note,
                              notices,
                              nn,
                              now,
                              false};
    err_t e = note ? store_sla_escalate(s, &x) : ERR_NOMEM;
    if (e != ERR_OK)
        log_warn("sla", "event=escalate_failed case_id=%lld error=%s", (long long)k->id,
                 err_code(e));
    if (e == ERR_OK && x.done && level == 2)
        metrics_sla_breach();
    if (e == ERR_OK && x.done)
        log_info("sla", "event=%s case_id=%lld stage=%s alerts=%zu", x.action, (long long)k->id,
                 k->sla_stage, nn);
    return e == ERR_OK && x.done;
}

/* One pass (sched_run_once); *cursor: where the stale walk goes on (0:
 * from the start); *more: it stopped at a bound with work left, so the
 * next pass should come soon. */
static int pass(const config_t *cfg, store_t *s, int64_t now, int64_t *cursor, bool *more)
{
    /* A calendar or policy change makes many cases stale at once: catch up
     * over a few batches, then leave the rest to the next pass. */
    int did = 0;
    *more = false;
    for (int b = 0; b < STALE_ROUNDS; b++) {
        int k = refresh_stale(s, cursor);
        did += k;
        if (k < STALE_BATCH)
            break;
        *more = b == STALE_ROUNDS - 1;
    }
    arena_t *ar = arena_new();
    store_sla_case *rows;
    size_t n = 0;
    if (!ar)
        return did;
    size_t acted = 0;
    if (store_sla_due(s, ar, now, DUE_BATCH, &rows, &n) != ERR_OK)
        n = 0;
    for (size_t i = 0; i < n; i++) {
        const store_sla_case *k = &rows[i];
        if (!k->sla_stage)
            continue;
        if (strcmp(k->sla_stage, "autoclose") == 0) {
            acted += autoclose(s, ar, k, now);
            continue;
        }
        int level = now >= k->sla_due_at ? 2 : 1;
        if (level > k->sla_level)
            acted += escalate(cfg, s, ar, k, level, now);
    }
    /* A full batch with something done: more may be due. (A full batch of
     * cases none of which could be acted on waits for the next tick.) */
    if (n == DUE_BATCH && acted > 0)
        *more = true;
    arena_destroy(ar);
    return did + (int)n;
}

int sched_run_once(const config_t *cfg, store_t *s, int64_t now)
{
    int64_t cursor = 0;
    bool more;
    return pass(cfg, s, now, &cursor, &more);
}

/* One pass, then the tick, or a short pause while a backlog is left. */
static long sched_pass(void *arg)
{
    sched_t *j = arg;
    bool more;
    pass(j->cfg, j->store, clock_now(), &j->stale_cursor, &more);
    metrics_sla_catching_up(more);
    long ms = (long)j->cfg->sched_tick_ms;
    return more && ms > CATCHUP_PAUSE_MS ? CATCHUP_PAUSE_MS : ms;
}

err_t sched_start(const config_t *cfg, store_t *store, sched_t **out)
{
    *out = NULL;
    sched_t *j = calloc(1, sizeof *j);
    if (!j)
        return ERR_NOMEM;
    j->cfg = cfg;
    j->store = store;
    log_info("sla", "event=scheduler_started tick_ms=%u", cfg->sched_tick_ms);
    /* Unknown until the first pass has looked: counted as a backlog. */
    metrics_sla_catching_up(true);
    j->thread = poller_start(sched_pass, j);
    if (!j->thread) {
        free(j);
        return ERR_INTERNAL;
    }
    *out = j;
    return ERR_OK;
}

void sched_stop(sched_t *j)
{
    if (!j)
        return;
    poller_stop(j->thread);
    log_info("sla", "event=scheduler_stopped");
    free(j);
}
