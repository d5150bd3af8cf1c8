/* bot: the guided dialogue with a citizen (issue #4; WhatsApp first): menu,
 * reporting step by step, emergencies, status checks, cancelling. One call
 * turns one inbound message into the effects it has (store_dialog_effects);
 * the caller applies them in one transaction. */
#ifndef ADUAN_BOT_H
#define ADUAN_BOT_H

#include "channels/channel.h"
#include "channels/whatsapp/wa_in.h"
#include "store/store.h"

/* A draft nobody touched for this long is dropped (seconds). */
#define BOT_DRAFT_TTL (24 * 3600)
/* After an emergency report, what the reporter sends within this long
 * (seconds of silence) joins that case. */
#define BOT_FOLLOWUP_TTL (6 * 3600)
/* Evidence files per report. */
#define BOT_MEDIA_PER_CASE 5

typedef struct {
    store_t *store;
    arena_t *ar;
    const char *public_url;
    int64_t now;
    const store_agency *agency;
    const char *phone_number_id;
    const wa_event *ev; /* a message */
    store_conv conv;
    unsigned daily_limit;               /* non-emergency reports per 24 hours */
    unsigned office_open, office_close; /* minutes after local midnight, Mon-Fri */
    unsigned svc_retention_days;        /* service files are kept this long after closing */
    const char *svc_data_key;           /* hex key sealing NIKs at rest; "" or NULL: none */
    const char *channel;                /* the driver's name the message came on; NULL: WhatsApp */
} bot_in;

/* The name of the channel in->ev came on ("whatsapp" when in->channel is
 * NULL), and that channel's title ("WhatsApp", "Telegram"). */
const char *bot_channel(const bot_in *in);
const char *bot_channel_title(const bot_in *in);

/* The newest cases (at most limit) with in's agency of the citizen at
 * address on in's channel: by mobile number where the channel's addresses
 * are numbers, else by the contact. */
err_t bot_cases_of(const bot_in *in, const char *address, unsigned limit, store_case **out,
                   size_t *n) __attribute__((warn_unused_result));

/* Fills fx (seen key, conversation, case, replies) for the message.
 * Reads reference data through the store; writes nothing itself. */
err_t bot_step(const bot_in *in, store_dialog_effects *fx) __attribute__((warn_unused_result));

/* The same for a channel that shows what caps says (channels/channel.h):
 * bot_step is this with the capabilities of the message's channel. */
err_t bot_step_caps(const bot_in *in, const channel_caps *caps, store_dialog_effects *fx)
    __attribute__((warn_unused_result));

/* True when the dialogue state is a step of composing a report or a
 * service request (its messages belong to the case it becomes). */
bool bot_state_drafting(const char *state);

/* Names of the templates to get approved; their exact text is in
 * docs/WHATSAPP.md. */
#define BOT_TEMPLATE_STATUS "aduan_status_update" /* Laporan {{1}}: {{2}}. {{3}} */
#define BOT_TEMPLATE_REPLY  "aduan_reply"         /* Balasan petugas untuk laporan {{1}}: {{2}} */

/* The text of a status update of event ev (of the case with that tracking
 * code and kind) in lang: the status and the event's message to the reporter
 * (its public_note; never the internal note). A service request is told as
 * a "permohonan", anything else as a "laporan". Owned by the arena. */
const char *bot_status_text(arena_t *ar, const char *tracking_code, const char *kind,
                            const store_event *ev, const char *lang);

/* The neutral message (JSON) and template intent of a status update: the
 * event event_id of case case_id, told in lang; both owned by ar. The
 * channel's driver renders them when the outbox sends them. */
err_t bot_render_status(store_t *s, arena_t *ar, int64_t case_id, int64_t event_id,
                        const char *lang, const char **message, const char **template)
    __attribute__((warn_unused_result));

#endif
