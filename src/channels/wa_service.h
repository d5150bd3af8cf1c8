/* wa_service: the civil-registry request dialogue on WhatsApp (issue #7):
 * choose a service, consent (UU PDP), NIK and name, each required document
 * in turn, summary, submitted with a tracking code; and, when an operator
 * sends the request back as incomplete, the files asked again.
 *
 * Called by wa_bot for the menu's "layanan" item and for every state whose
 * name starts with "svc". Like wa_bot it only fills the effects (fx and
 * fx->svc); the caller applies them in one transaction. */
#ifndef ADUAN_WA_SERVICE_H
#define ADUAN_WA_SERVICE_H

#include "channels/wa_bot.h"

#include <jansson.h>

typedef struct {
    const wa_bot_in *in;
    store_wa_effects *fx;
    json_t *draft;    /* the conversation's draft (borrowed): the request is under "svc" */
    const char *lang; /* "id" or "en" */
} wa_svc;

/* The state the operator's "send again" puts the conversation in. */
#define WA_SVC_RESEND "svc_resend:"

/* Offers the agency's services. Returns the next state. */
const char *wa_service_start(wa_svc *v);

/* Handles a message in a service state. Returns the next state; *e is set
 * to an error when the effects cannot be built (out of memory, database). */
const char *wa_service_step(wa_svc *v, const char *state, err_t *e);

/* In the idle state: when the message is a file and the resident has a
 * request waiting for files again ("incomplete"), takes it for that
 * request and returns the next state; else NULL (the menu answers). */
const char *wa_service_idle_file(wa_svc *v, err_t *e);

/* The approved template carrying an issued document outside the 24-hour
 * window (its text is in docs/WHATSAPP.md). */
#define WA_TEMPLATE_DOCUMENT "aduan_dokumen"

/* The document message of an issued service request to wa_id, and its
 * template (in tlang): the file's media id is left as
 * SVC_MEDIA_PLACEHOLDER for the outbox to fill after the upload. Both
 * owned by ar; ERR_NOMEM on failure. */
err_t wa_service_document(arena_t *ar, const char *wa_id, const char *filename, const char *service,
                          const char *code, const char *tlang, const char **payload,
                          const char **template) __attribute__((warn_unused_result));

#endif
