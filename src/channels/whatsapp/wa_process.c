/* The WhatsApp driver's processing of a stored webhook body
 * (channel_driver.process): its events parsed (wa_in.c), each message run
 * through the dialogue, each delivery status recorded. The generic inbox
 * worker (jobs/inbox.c) calls it for every body, once, in order. */
#include "channels/whatsapp/wa.h"

#include "channels/bot.h"
#include "channels/whatsapp/wa_in.h"
#include "channels/staff.h"
#include "core/log.h"
#include "core/proc.h"
#include "store/store.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

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
    if (staff_route(s, ar, agency, ev, &staff))
        return staff_handle(cfg, s, ar, agency, ev, &staff, now);
    for (int attempt = 0; attempt < APPLY_RETRIES && e == ERR_CONFLICT; attempt++) {
        bot_in in = {s,
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
                     cfg->svc_data_key,
                     WA_CHANNEL};
        store_dialog_effects fx;
        memset(&fx, 0, sizeof fx);
        e = store_conv_get(s, ar, agency->id, WA_CHANNEL, ev->from, &in.conv);
        if (e == ERR_OK)
            e = bot_step(&in, &fx);
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

err_t wa_process(const config_t *cfg, store_t *s, arena_t *ar, int64_t inbound_id, const char *body,
                 int64_t now, channel_inbound *out)
{
    wa_event *evs;
    size_t n = 0, skipped = 0, unknown = 0;
    const char *why = NULL;
    memset(out, 0, sizeof *out);
    err_t e = wa_parse(ar, body, &evs, &n, &skipped, &why);
    if (e == ERR_BAD_JSON) {
        out->dead = why;
        e = ERR_OK;
        n = 0;
    }
    if (n)
        out->summary = summary_of(ar, evs, n);
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
    if (e == ERR_OK && !out->dead && unknown)
        out->dead = arena_printf(ar, "%zu message(s) for a phone_number_id no agency has", unknown);
    if (e == ERR_OK && !out->dead && skipped)
        log_info("wa", "event=skipped inbox_id=%lld parts=%zu", (long long)inbound_id, skipped);
    return e;
}
