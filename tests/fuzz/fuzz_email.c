/* A mail as the email driver reads it (channels/email/email_in.c): GMime's
 * parse and our walk over it (sender, subject, text, attachments, the
 * reply's tracking code, automatic mail, the quoted words dropped).
 *
 * Input: the raw mail.
 * seeds: tests/fuzz/corpus/email
 */
#include "fuzz.h"

#include "channels/email/email.h"
#include "core/arena.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_quiet();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Exactly its length: ASan sees any read past the end. */
    unsigned char *raw = malloc(size ? size : 1);
    if (!raw)
        abort();
    if (size)
        memcpy(raw, data, size);
    arena_t *ar = arena_new();
    email_msg m;
    const char *why = NULL;
    err_t e = email_parse(ar, raw, size, &m, &why);
    if (e == ERR_OK) {
        if (!m.from || !strchr(m.from, '@'))
            abort(); /* a mail is only taken with a sender's address */
        if (m.nparts > EMAIL_MEDIA_MAX)
            abort();
        for (size_t i = 0; i < m.nparts; i++)
            if (!m.parts[i].data || !m.parts[i].len)
                abort();
        if (m.text)
            (void)strlen(m.text);
    } else if (!why) {
        abort(); /* a refusal says why */
    }
    arena_destroy(ar);
    free(raw);
    return 0;
}
