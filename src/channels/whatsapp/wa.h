/* wa: the WhatsApp Cloud API channel (../shared/fixtures/whatsapp/
 * CLOUD-API-NOTES.md): webhook verification here; parsing, the dialogue
 * and sending in their own modules. */
#ifndef ADUAN_WA_H
#define ADUAN_WA_H

#include "channels/channel.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The channel's name in contacts, conversations and the outbox. */
#define WA_CHANNEL "whatsapp"

/* Free text reaches a contact within 24 hours of its last message; after
 * that only an approved template (Meta's customer-service window). */
#define WA_WINDOW_SECONDS (24 * 3600)

/* Webhook payloads can be up to 3 MB (Meta, webhooks overview). */
#define WA_BODY_MAX (3 * 1024 * 1024)

/* True when header is "sha256=<64 lowercase or uppercase hex>" and equals
 * HMAC-SHA256(app_secret, body) computed over the raw bytes; the compare is
 * constant-time. False for a NULL header or an empty secret. */
bool wa_signature_valid(const char *app_secret, const char *header, const void *body, size_t len);

/* Writes "sha256=<hex>" for body into out (cap >= 72): what Meta sends and
 * what the simulator and the tests send. */
void wa_signature(const char *app_secret, const void *body, size_t len, char *out, size_t cap);

/* The WhatsApp Cloud API driver (wa_send.c): render, send, the window. */
extern const channel_driver wa_driver;

/* The driver's HTTP routes: the webhook and the simulator (wa_webhook.c). */
const struct http_route *wa_routes(size_t *n);

/* channel_driver.fetch_media and .attach_document (wa_media.c). */
bool wa_fetch_media(const config_t *cfg, struct store *s, void *curl, const char *media_id,
                    channel_fetch *f);
const char *wa_attach_document(const config_t *cfg, void *curl, arena_t *ar, const char *endpoint,
                               const char *path, const char *sha256, const char *filename,
                               const char **payload, const char **template, bool *final, char *err,
                               size_t cap);

/* channel_driver.process for a stored webhook body (wa_process.c). */
err_t wa_process(const config_t *cfg, struct store *s, arena_t *ar, int64_t inbound_id,
                 const char *body, int64_t now, channel_inbound *out)
    __attribute__((warn_unused_result));
/* The driver's render (wa_out.c): m as a Graph API message to address,
 * owned by the arena; NULL when it cannot be built. */
const char *wa_render(arena_t *ar, const char *address, const channel_msg *m);

/* A value fit for a template parameter (no line breaks, not too long):
 * the render passes every parameter through it. */
#define WA_TEMPLATE_VALUE_MAX 500
const char *wa_template_value(arena_t *ar, const char *v);

/* The re-engagement rule: whether free text can go to a contact whose last
 * message came at last_inbound_at (0: never) at now. */
bool wa_can_send_text(int64_t last_inbound_at, int64_t now);

#endif
