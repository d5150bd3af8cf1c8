/* The inbox processor: every signed webhook body, once, in order. */
#include "jobs/jobs_int.h"

#include "channels/wa_bot.h"
#include "channels/whatsapp/wa_in.h"
#include "channels/wa_staff.h"
#include "core/log.h"
#include "core/proc.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* Rows taken per pass, and how long a claim protects a row (seconds):
 * longer than any processing takes, short enough that a crashed worker's
 * rows come back soon. */
#define INBOX_BATCH 32
#define INBOX_LEASE 60
/* A row that keeps failing for reasons other than its content (database
 * trouble) is retried this many times, then kept as a dead letter. */
#define INBOX_ATTEMPTS 20
/* Compare-and-set retries when a conversation moved during processing. */
#define APPLY_RETRIES 5
/* Messages and statuses listed in a row's summary: Meta batches a few per
 * body; a longer list is cut (and says so). */
#define SUMMARY_MAX 50

/* What stays of a body once it is removed (retention, UU PDP): the ids,
 * types and times that idempotency and debugging need, never the sender's
 * number, name or words. JSON owned by ar; NULL when out of memory. */
static const char *summary_of(arena_t *ar, const wa_event *evs, size_t n)
{
    json_t *msgs = json_array(), *sts = json_array();
    const char *pnid = NULL;
    size_t cut = 0;
    for (size_t i = 0; msgs && sts && i < n; i++) {
        const wa_event *ev = &evs[i];
        json_t *arr = ev->kind == WA_EV_STATUS ? sts : msgs;
        if (!pnid)
            pnid = ev->phone_number_id;
        if (json_array_size(arr) >= SUMMARY_MAX) {
            cut++;
            continue;
        }
        if (ev->kind == WA_EV_STATUS)
            json_array_append_new(arr,
                                  json_pack("{s:s?, s:s?}", "id", ev->wamid, "status", ev->status));
        else
            json_array_append_new(arr, json_pack("{s:s?, s:s?, s:I}", "id", ev->wamid, "type",
                                                 ev->type, "timestamp", (json_int_t)ev->timestamp));
    }
    json_t *j =
        json_pack("{s:s?, s:o, s:o}", "phone_number_id", pnid, "messages", msgs, "statuses", sts);
    if (j && cut)
        json_object_set_new(j, "not_listed", json_integer((json_int_t)cut));
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    const char *out = text ? arena_strdup(ar, text) : NULL;
    free(text);
    return out;
}

/* One message: the dialogue step and its effects, retried on a race. */
static err_t handle_message(const config_t *cfg, store_t *s, arena_t *ar, const wa_event *ev,
                            const store_agency *agency, int64_t now)
{
    err_t e = ERR_CONFLICT;
    store_user staff;
    if (wa_staff_route(s, ar, agency, ev, &staff))
        return wa_staff_handle(cfg, s, ar, agency, ev, &staff, now);
    for (int attempt = 0; attempt < APPLY_RETRIES && e == ERR_CONFLICT; attempt++) {
        wa_bot_in in = {s,
                        ar,
                        cfg->public_url,
                        now,
                        agency,
                        ev->phone_number_id,
                        ev,
                        {0},
                        cfg->wa_daily_limit,
                        cfg->office_open,
                        cfg->office_close,
                        cfg->svc_retention_days,
                        cfg->svc_data_key};
        store_dialog_effects fx;
        memset(&fx, 0, sizeof fx);
        e = store_conv_get(s, ar, agency->id, WA_CHANNEL, ev->from, &in.conv);
        if (e == ERR_OK)
            e = wa_bot_step(&in, &fx);
        if (e == ERR_OK)
            e = store_dialog_apply(s, ar, &fx);
        if (e == ERR_OK && fx.duplicate)
            log_debug("wa", "event=duplicate_message");
        else if (e == ERR_OK && fx.new_case)
            log_info("wa", "event=case_created case_id=%lld agency_id=%lld",
                     (long long)fx.new_case->id, (long long)agency->id);
        /* The new case's rules (the team's alert, ...) committed with it:
         * the worker's next step runs them (jobs/rules.c). */
        if (e == ERR_OK && !fx.duplicate && fx.new_case)
            proc_test_crash("case_commit");
    }
    return e;
}

/* Processes one inbox row. Returns ERR_OK when it is finished (done or
 * dead), an error when it should be tried again later. */
static err_t process_row(const config_t *cfg, store_t *s, const store_inbound_row *row,
                         int64_t now)
{
    arena_t *ar = arena_new();
    wa_event *evs;
    size_t n = 0, skipped = 0, unknown = 0;
    const char *why = NULL, *dead = NULL;
    if (!ar)
        return ERR_NOMEM;
    err_t e = wa_parse(ar, row->body, &evs, &n, &skipped, &why);
    if (e == ERR_BAD_JSON) {
        dead = why;
        e = ERR_OK;
        n = 0;
    }
    for (size_t i = 0; e == ERR_OK && i < n; i++) {
        const wa_event *ev = &evs[i];
        if (ev->kind == WA_EV_STATUS) {
            bool dup;
            e = store_outbox_delivery(s, WA_CHANNEL, ev->wamid, ev->status, ev->error, now, &dup);
            continue;
        }
        store_agency agency;
        e = store_agency_by_number(s, ar, ev->phone_number_id, &agency);
        if (e == ERR_NOT_FOUND) {
            /* Not ours to answer: keep the body for the superadmin. */
            unknown++;
            e = ERR_OK;
            continue;
        }
        if (e == ERR_OK)
            e = handle_message(cfg, s, ar, ev, &agency, now);
    }
    if (e == ERR_OK) {
        if (!dead && unknown)
            dead = arena_printf(ar, "%zu message(s) for a phone_number_id no agency has", unknown);
        e = store_inbound_finish(s, row->id, dead ? "dead" : "done", dead,
                                  n ? summary_of(ar, evs, n) : NULL, now);
        if (dead)
            log_warn("wa", "event=dead_letter inbox_id=%lld reason=\"%s\"", (long long)row->id,
                     dead);
        else if (skipped)
            log_info("wa", "event=skipped inbox_id=%lld parts=%zu", (long long)row->id, skipped);
    } else if (row->attempts >= INBOX_ATTEMPTS) {
        log_error("wa", "event=dead_letter inbox_id=%lld reason=retries error=%s",
                  (long long)row->id, err_code(e));
        e = store_inbound_finish(s, row->id, "dead", "processing failed repeatedly",
                                  n ? summary_of(ar, evs, n) : NULL, now);
    }
    arena_destroy(ar);
    return e;
}

static int by_id(const void *a, const void *b)
{
    int64_t x = ((const store_inbound_row *)a)->id, y = ((const store_inbound_row *)b)->id;
    return (x > y) - (x < y);
}

int inbox_run(const config_t *cfg, store_t *s, int64_t now)
{
    arena_t *ar = arena_new();
    store_inbound_row *rows;
    size_t n = 0;
    if (!ar)
        return 0;
    /* Everything below is derived from inbox rows that are already on disk
     * and is done again if its commits are lost (the row stays 'new'); its
     * replies leave only after the outbox claim, an acknowledging commit
     * that makes these durable too. So a power cut may cost work, never a
     * message, and the worker does not wait for a disk flush per message
     * (store_redo_commits). */
    bool was = store_redo_commits(true);
    if (store_inbound_claim(s, ar, now, INBOX_LEASE, INBOX_BATCH, &rows, &n) != ERR_OK)
        n = 0;
    /* In arrival order: a citizen's messages make sense only in sequence,
     * and UPDATE ... RETURNING promises no order. */
    if (n > 1)
        qsort(rows, n, sizeof *rows, by_id);
    for (size_t i = 0; i < n; i++) {
        err_t e = process_row(cfg, s, &rows[i], now);
        if (e != ERR_OK)
            log_warn("wa", "event=inbox_retry inbox_id=%lld error=%s", (long long)rows[i].id,
                     err_code(e));
    }
    store_redo_commits(was);
    arena_destroy(ar);
    return (int)n;
}
