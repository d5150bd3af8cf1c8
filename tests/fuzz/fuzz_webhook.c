/* The WhatsApp webhook as it arrives: the signature header, the UTF-8 check
 * that decides a dead letter, and the parser that turns a body into events
 * (channels/wa.c, core/text.c, channels/wa_in.c).
 *
 * Input: a webhook body. The first line, up to 100 bytes, is also tried as
 * an X-Hub-Signature-256 header.
 * seeds: tests/fixtures/whatsapp/webhooks
 */
#include "fuzz.h"

#include "channels/whatsapp/wa.h"
#include "channels/whatsapp/wa_in.h"
#include "core/arena.h"
#include "core/text.h"

#include <stdbool.h>
#include <strings.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_quiet();
    return secret_init() == ERR_OK ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char secret[] = "fuzz-app-secret";
    if (size > WA_BODY_MAX)
        return -1;
    /* The signature: ours is accepted, anything else that looks like a header is not. */
    char sig[80], header[101];
    wa_signature(secret, data, size, sig, sizeof sig);
    if (!wa_signature_valid(secret, sig, data, size))
        abort();
    size_t hl = 0;
    while (hl < size && hl < sizeof header - 1 && data[hl] != '\n')
        hl++;
    memcpy(header, data, hl);
    header[hl] = '\0';
    if (wa_signature_valid(secret, header, data, size) && strcmp(header, sig) != 0 &&
        strcasecmp(header, sig) != 0)
        abort();
    (void)wa_signature_valid("", sig, data, size);

    /* A body that is not UTF-8 is kept as a dead letter, not parsed. */
    if (!text_utf8_valid((const char *)data, size))
        return 0;
    char *body = fuzz_cstr(data, size);
    arena_t *ar = arena_new();
    wa_event *evs = NULL;
    size_t n = 0, skipped = 0;
    const char *why = NULL;
    err_t e = wa_parse(ar, body, &evs, &n, &skipped, &why);
    if (e == ERR_OK) {
        for (size_t i = 0; i < n; i++) {
            const wa_event *ev = &evs[i];
            /* What the processor relies on. */
            if (ev->kind == WA_EV_MESSAGE && (!ev->wamid || !ev->from || !ev->type))
                abort();
            if (ev->has_location &&
                (ev->lat < -90 || ev->lat > 90 || ev->lon < -180 || ev->lon > 180))
                abort();
            if (ev->text && !text_utf8_valid(ev->text, strlen(ev->text)))
                abort();
        }
    } else if (e != ERR_BAD_JSON || !why) {
        abort();
    }
    arena_destroy(ar);
    free(body);
    return 0;
}
