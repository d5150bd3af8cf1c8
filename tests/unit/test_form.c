/* Open311's form bodies and W3C datetimes (http/form.c): what clients
 * send, and each malformed input refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "http/form.h"

#include <string.h>

static err_t parse(arena_t *ar, const char *body, form_field *f, size_t *n)
{
    return form_parse(ar, body, strlen(body), f, FORM_FIELDS_MAX, n);
}

static void urlencoded(void **state)
{
    (void)state;
    arena_t *ar = arena_new();
    form_field f[FORM_FIELDS_MAX];
    size_t n = 0;
    assert_int_equal(parse(ar,
                           "api_key=a%2Bb&description=Jalan+rusak%0A%C3%A9&&flag&"
                           "attribute%5Bx%5D=1&e=",
                           f, &n),
                     ERR_OK);
    assert_int_equal(n, 5);
    assert_string_equal(f[0].key, "api_key");
    assert_string_equal(f[0].value, "a+b");
    assert_string_equal(f[1].value, "Jalan rusak\n\xC3\xA9");
    assert_string_equal(f[2].key, "flag");
    assert_string_equal(f[2].value, "");
    assert_string_equal(f[3].key, "attribute[x]");
    assert_string_equal(f[4].value, "");
    assert_int_equal(parse(ar, "", f, &n), ERR_OK);
    assert_int_equal(n, 0);
    /* Bad escapes, a NUL, text that is not UTF-8, too many fields. */
    const char *bad[] = {"a=%", "a=%4", "a=%zz", "a=%00", "a=%C3", "%FF=1", "a=b%2"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(parse(ar, bad[i], f, &n), ERR_INVALID);
    assert_int_equal(form_parse(ar, "a=1&b=2&c=3", 11, f, 2, &n), ERR_INVALID);
    /* The body is read by its length, not to a NUL. */
    assert_int_equal(form_parse(ar, "a=1&b=2", 3, f, FORM_FIELDS_MAX, &n), ERR_OK);
    assert_int_equal(n, 1);
    arena_destroy(ar);
}

static void w3c_times(void **state)
{
    (void)state;
    int64_t t = 0;
    assert_true(form_w3c_time("2026-12-02T08:27:00+08:00", &t));
    assert_int_equal(t, 1796171220);
    assert_true(form_w3c_time("2026-12-02T00:27:00Z", &t));
    assert_int_equal(t, 1796171220);
    assert_true(form_w3c_time("2026-12-02T00:27:00.123z", &t));
    assert_int_equal(t, 1796171220);
    assert_true(form_w3c_time("2026-12-02T07:27:00+0700", &t));
    assert_int_equal(t, 1796171220);
    assert_true(form_w3c_time("2026-12-01T19:27-05:00", &t));
    assert_int_equal(t, 1796171220);
    assert_true(form_w3c_time("2026-12-02T00:27:00", &t)); /* no zone: UTC */
    assert_int_equal(t, 1796171220);
    assert_true(form_w3c_time("2026-12-02", &t));
    assert_int_equal(t, 1796169600);
    const char *bad[] = {"",
                         "yesterday",
                         "2026-12-2",
                         "2026-02-30T00:00:00Z",
                         "2026-13-01",
                         "2026-12-02T24:00:00Z",
                         "2026-12-02T08:27:00+8",
                         "2026-12-02T08:27:00+08:00x",
                         "2026-12-02T08Z",
                         "2026-12-02T08:27:00.Z",
                         "2026-12-02 08:27:00Z",
                         "1969-12-31"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(form_w3c_time(bad[i], &t));
    char buf[FORM_TIME_BUF];
    form_w3c_format(1796171220, 480, buf);
    assert_string_equal(buf, "2026-12-02T08:27:00+08:00");
    form_w3c_format(1796171220, -330, buf);
    assert_string_equal(buf, "2026-12-01T18:57:00-05:30");
    assert_true(form_w3c_time(buf, &t));
    assert_int_equal(t, 1796171220);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(urlencoded),
        cmocka_unit_test(w3c_times),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
