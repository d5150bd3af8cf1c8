/* wa_bot: the guided dialogue with a citizen on WhatsApp (issue #4): menu,
 * reporting step by step, emergencies, status checks, cancelling. One call
 * turns one inbound message into the effects it has (store_dialog_effects);
 * the caller applies them in one transaction. */
#ifndef ADUAN_WA_BOT_H
#define ADUAN_WA_BOT_H

#include "channels/whatsapp/wa_in.h"
#include "store/store.h"

/* A draft nobody touched for this long is dropped (seconds). */
#define WA_DRAFT_TTL (24 * 3600)
/* After an emergency report, what the reporter sends within this long
 * (seconds of silence) joins that case. */
#define WA_FOLLOWUP_TTL (6 * 3600)
/* Evidence files per report. */
#define WA_MEDIA_PER_CASE 5

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
} wa_bot_in;

/* Fills fx (seen key, conversation, case, replies) for the message.
 * Reads reference data through the store; writes nothing itself. */
err_t wa_bot_step(const wa_bot_in *in, store_dialog_effects *fx) __attribute__((warn_unused_result));

/* The same for a channel that shows what caps says (channels/wa_dialog.h):
 * wa_bot_step is this with WhatsApp's. */
struct dlg_caps;
err_t wa_bot_step_caps(const wa_bot_in *in, const struct dlg_caps *caps, store_dialog_effects *fx)
    __attribute__((warn_unused_result));

/* True when the dialogue state is a step of composing a report or a
 * service request (its messages belong to the case it becomes). */
bool wa_state_drafting(const char *state);

/* A Graph API text message to wa_id, as JSON owned by the arena. */
const char *wa_msg_text(arena_t *ar, const char *to, const char *body);

/* An approved template message (CLOUD-API-NOTES.md §4) with body text
 * parameters params[0..n), as JSON owned by the arena. */
const char *wa_msg_template(arena_t *ar, const char *to, const char *name, const char *lang,
                            const char *const *params, int n);

/* A value fit for a template parameter (no line breaks, not too long). */
#define WA_TEMPLATE_VALUE_MAX 500
const char *wa_template_value(arena_t *ar, const char *v);

/* Names of the templates to get approved; their exact text is in
 * docs/WHATSAPP.md. */
#define WA_TEMPLATE_STATUS "aduan_status_update" /* Laporan {{1}}: {{2}}. {{3}} */
#define WA_TEMPLATE_REPLY  "aduan_reply"         /* Balasan petugas untuk laporan {{1}}: {{2}} */

/* The text of a status update of event ev (of the case with that tracking
 * code and kind) in lang: the status and the event's message to the reporter
 * (its public_note; never the internal note). A service request is told as
 * a "permohonan", anything else as a "laporan". Owned by the arena. */
const char *wa_status_text(arena_t *ar, const char *tracking_code, const char *kind,
                           const store_event *ev, const char *lang);

/* The free text and the template of a status update: the event event_id
 * of case case_id, told to wa_id in lang. */
err_t wa_render_status(store_t *s, arena_t *ar, int64_t case_id, int64_t event_id,
                       const char *wa_id, const char *lang, const char **payload,
                       const char **template) __attribute__((warn_unused_result));

#endif
