/* svc_dialog: the civil-registry request dialogue on WhatsApp (issue #7):
 * choose a service, consent (UU PDP), NIK and name, each required document
 * in turn, summary, submitted with a tracking code; and, when an operator
 * sends the request back as incomplete, the files asked again.
 *
 * The menu's "layanan" item enters it. Like the rest of the dialogue it
 * only fills the effects (fx and fx->svc); the caller applies them in one
 * transaction. */
#ifndef ADUAN_SVC_DIALOG_H
#define ADUAN_SVC_DIALOG_H

#include "channels/dialog.h"

/* The steps are the table dlg_service (channels/dialog.h); the
 * operator's "send again" leaves the conversation in DLG_SVC_RESEND. */

/* In the idle state: when the message is a file and the resident has a
 * request waiting for files again ("incomplete"), takes it for that
 * request and returns the next state; else DLG_PASS (the menu answers).
 * d->err is set when the effects cannot be built. */
dlg_state svc_idle_file(dlg *d);

/* The approved template carrying an issued document outside the 24-hour
 * window (its text is in docs/WHATSAPP.md). */
#define BOT_TEMPLATE_DOCUMENT "aduan_dokumen"

/* The document message of an issued service request (neutral JSON,
 * channels/channel.h) and its template intent (in tlang): the file's
 * media id is left as SVC_MEDIA_PLACEHOLDER for the outbox to fill after
 * the upload. Both owned by ar; ERR_NOMEM on failure. */
err_t svc_document(arena_t *ar, const char *filename, const char *service, const char *code,
                   const char *tlang, const char **message, const char **template)
    __attribute__((warn_unused_result));

#endif
