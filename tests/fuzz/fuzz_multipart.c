/* multipart/form-data bodies as the issued-document upload reads them
 * (http/multipart.c).
 *
 * Input: the Content-Type header value, a newline, then the body.
 * seeds: tests/fuzz/corpus/multipart
 */
#include "fuzz.h"

#include "core/arena.h"
#include "http/multipart.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_quiet();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t nl = 0;
    while (nl < size && data[nl] != '\n')
        nl++;
    char *ct = fuzz_cstr(data, nl);
    /* The body is not NUL-terminated where the server reads it: a copy of
     * exactly its length (NUL bytes and all), so that ASan sees any read
     * past its end. */
    size_t len = nl < size ? size - nl - 1 : 0;
    char *body = malloc(len ? len : 1);
    if (!body)
        abort();
    if (len)
        memcpy(body, data + nl + 1, len);
    arena_t *ar = arena_new();
    multipart_part parts[MULTIPART_PARTS_MAX];
    size_t n = 0;
    const char *why = NULL;
    err_t e = multipart_parse(ar, ct, body, len, parts, MULTIPART_PARTS_MAX, &n, &why);
    if (e == ERR_OK) {
        if (n > MULTIPART_PARTS_MAX)
            abort();
        for (size_t i = 0; i < n; i++) {
            /* Every part lies inside the body. */
            if (!parts[i].name || (parts[i].len && (parts[i].data < body ||
                                                    parts[i].data + parts[i].len > body + len)))
                abort();
            (void)multipart_find(parts, n, parts[i].name);
        }
    } else if (e == ERR_INVALID && !why) {
        abort();
    }
    arena_destroy(ar);
    free(body);
    free(ct);
    return 0;
}
