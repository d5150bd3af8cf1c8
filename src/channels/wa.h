/* wa: the WhatsApp Cloud API channel (../shared/fixtures/whatsapp/
 * CLOUD-API-NOTES.md): webhook verification here; parsing, the dialogue
 * and sending in their own modules. */
#ifndef ADUAN_WA_H
#define ADUAN_WA_H

#include <stdbool.h>
#include <stddef.h>

/* Webhook payloads can be up to 3 MB (Meta, webhooks overview). */
#define WA_BODY_MAX (3 * 1024 * 1024)

/* True when header is "sha256=<64 lowercase or uppercase hex>" and equals
 * HMAC-SHA256(app_secret, body) computed over the raw bytes; the compare is
 * constant-time. False for a NULL header or an empty secret. */
bool wa_signature_valid(const char *app_secret, const char *header, const void *body, size_t len);

/* Writes "sha256=<hex>" for body into out (cap >= 72): what Meta sends and
 * what the simulator and the tests send. */
void wa_signature(const char *app_secret, const void *body, size_t len, char *out, size_t cap);

#endif
