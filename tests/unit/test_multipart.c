/* multipart/form-data: well-formed bodies as browsers and curl send them,
 * and each kind of malformed body refused with a reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "http/multipart.h"

#include <string.h>

static err_t parse(arena_t *ar, const char *ct, const char *body, multipart_part *p, size_t *n,
                   const char **why)
{
    return multipart_parse(ar, ct, body, strlen(body), p, MULTIPART_PARTS_MAX, n, why);
}

static void well_formed(void **state)
{
    (void)state;
    arena_t *ar = arena_new();
    multipart_part p[MULTIPART_PARTS_MAX];
    size_t n = 0;
    const char *why;
    const char *body =
        "preamble\r\n--XyZ\r\n"
        "Content-Disposition: form-data; name=\"note\"\r\n\r\n"
        "hello\r\n"
        "--XyZ\r\n"
        "content-disposition: form-data; name=\"file\"; filename=\"a \\\"b\\\";c.pdf\"\r\n"
        "Content-Type: application/pdf\r\n\r\n"
        "%PDF-1.4\r\n--X not the boundary\r\n%%EOF\r\n"
        "--XyZ--\r\nepilogue";
    assert_int_equal(parse(ar, "multipart/form-data; boundary=\"XyZ\"", body, p, &n, &why), ERR_OK);
    assert_int_equal(n, 2);
    assert_string_equal(p[0].name, "note");
    assert_null(p[0].filename);
    assert_int_equal(p[0].len, 5);
    assert_memory_equal(p[0].data, "hello", 5);
    const multipart_part *f = multipart_find(p, n, "file");
    assert_non_null(f);
    assert_string_equal(f->filename, "a \"b\";c.pdf");
    assert_string_equal(f->content_type, "application/pdf");
    assert_int_equal(f->len, strlen("%PDF-1.4\r\n--X not the boundary\r\n%%EOF"));
    assert_null(multipart_find(p, n, "other"));
    /* An empty file, and an unquoted boundary. */
    body = "--b\r\nContent-Disposition: form-data; name=file; filename=e.pdf\r\n\r\n\r\n--b--";
    assert_int_equal(parse(ar, "multipart/form-data;boundary=b", body, p, &n, &why), ERR_OK);
    assert_int_equal(n, 1);
    assert_int_equal(p[0].len, 0);
    assert_string_equal(p[0].filename, "e.pdf");
    arena_destroy(ar);
}

static void malformed(void **state)
{
    (void)state;
    arena_t *ar = arena_new();
    multipart_part p[MULTIPART_PARTS_MAX];
    size_t n = 0;
    const char *why;
    const char *ok = "multipart/form-data; boundary=b";
    assert_int_equal(parse(ar, "application/json", "{}", p, &n, &why), ERR_UNSUPPORTED);
    assert_int_equal(parse(ar, NULL, "", p, &n, &why), ERR_UNSUPPORTED);
    assert_int_equal(parse(ar, "multipart/form-data", "--b--", p, &n, &why), ERR_UNSUPPORTED);
    char longb[120] = "multipart/form-data; boundary=";
    memset(longb + strlen(longb), 'x', 80);
    assert_int_equal(parse(ar, longb, "", p, &n, &why), ERR_UNSUPPORTED);
    static const char *bad[] = {
        "",
        "no boundary here",
        "--b\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nno end",
        "--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--",
        "--b\r\nContent-Disposition: attachment; name=\"f\"\r\n\r\nx\r\n--b--",
        "--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--",
        "--b\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nx\r\n--bXX",
        "--bjunk\r\n",
        "--b\r\nheaders never end",
        "--b\r\nbroken header line\r\n\r\nx\r\n--b--",
        "--b\r\nContent-Disposition: form-data; name=\"unterminated\r\n\r\nx\r\n--b--",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        why = NULL;
        assert_int_equal(parse(ar, ok, bad[i], p, &n, &why), ERR_INVALID);
        assert_non_null(why);
    }
    /* Too many parts. */
    char many[2048] = "";
    for (int i = 0; i < MULTIPART_PARTS_MAX + 1; i++)
        strcat(many, "--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nv\r\n");
    strcat(many, "--b--");
    assert_int_equal(parse(ar, ok, many, p, &n, &why), ERR_INVALID);
    arena_destroy(ar);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(well_formed),
        cmocka_unit_test(malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
