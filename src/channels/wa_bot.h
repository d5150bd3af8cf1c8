/* wa_bot: the guided dialogue with a citizen on WhatsApp (issue #4): menu,
 * reporting step by step, emergencies, status checks, cancelling. One call
 * turns one inbound message into the effects it has (store_wa_effects);
 * the caller applies them in one transaction. */
#ifndef ADUAN_WA_BOT_H
#define ADUAN_WA_BOT_H

#include "channels/wa_in.h"
#include "store/store.h"

/* A draft nobody touched for this long is dropped (seconds). */
#define WA_DRAFT_TTL (24 * 3600)
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
    store_wa_conversation conv;
} wa_bot_in;

/* Fills fx (seen key, conversation, case, replies) for the message.
 * Reads reference data through the store; writes nothing itself. */
err_t wa_bot_step(const wa_bot_in *in, store_wa_effects *fx) __attribute__((warn_unused_result));

/* A Graph API text message to wa_id, as JSON owned by the arena. */
const char *wa_msg_text(arena_t *ar, const char *to, const char *body);

#endif
