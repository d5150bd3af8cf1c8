/* What Open311 clients send (http/form.c): a form-encoded body, and the
 * same bytes as a W3C datetime (start_date, end_date).
 *
 * Input: the body. seeds: tests/fuzz/corpus/form
 */
#include "fuzz.h"

#include "core/arena.h"
#include "core/text.h"
#include "http/form.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_quiet();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A copy of exactly its length: ASan sees any read past the end. */
    char *body = malloc(size ? size : 1);
    if (!body)
        abort();
    if (size)
        memcpy(body, data, size);
    arena_t *ar = arena_new();
    form_field f[FORM_FIELDS_MAX];
    size_t n = 0;
    err_t e = form_parse(ar, body, size, f, FORM_FIELDS_MAX, &n);
    if (e == ERR_OK) {
        if (n > FORM_FIELDS_MAX)
            abort();
        for (size_t i = 0; i < n; i++)
            if (!f[i].key || !f[i].value || !text_utf8_valid(f[i].key, strlen(f[i].key)) ||
                !text_utf8_valid(f[i].value, strlen(f[i].value)))
                abort();
    } else if (e != ERR_INVALID) {
        abort();
    }
    /* A time that parses prints and parses back to itself. */
    char *s = fuzz_cstr(data, size);
    int64_t t = 0, back = 0;
    if (form_w3c_time(s, &t)) {
        char buf[FORM_TIME_BUF];
        form_w3c_format(t, 480, buf);
        if (!form_w3c_time(buf, &back) || back != t)
            abort();
    }
    free(s);
    arena_destroy(ar);
    free(body);
    return 0;
}
