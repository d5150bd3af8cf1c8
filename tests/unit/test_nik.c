/* NIK checking: each rule of DOMAIN.md §4 accepts the good and refuses the
 * bad with its own reason, in both languages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "domain/nik.h"

#include <sodium.h>

#include <string.h>

static nik_result check(const char *s) { return nik_check(s, strlen(s), NULL, NULL); }

static void valid(void **state)
{
    (void)state;
    nik_info info;
    char d[NIK_LEN + 1];
    const char *s = "6311061501900001";
    assert_int_equal(nik_check(s, strlen(s), &info, d), NIK_OK);
    assert_string_equal(info.region, "631106");
    assert_int_equal(info.day, 15);
    assert_int_equal(info.month, 1);
    assert_int_equal(info.yy, 90);
    assert_false(info.female);
    assert_string_equal(d, s);
    /* A woman: day + 40. */
    assert_int_equal(nik_check("6311065501900002", 16, &info, NULL), NIK_OK);
    assert_true(info.female);
    assert_int_equal(info.day, 15);
    /* Separators people type. */
    assert_int_equal(nik_check(" 6311 0615 0190 0001 ", 21, NULL, d), NIK_OK);
    assert_string_equal(d, "6311061501900001");
    assert_int_equal(check("6311.06.150190.0001"), NIK_OK);
    /* Kota codes (71-99) and new Papua provinces. */
    assert_int_equal(check("6371011501900001"), NIK_OK);
    assert_int_equal(check("9601011501900001"), NIK_OK);
}

static void dates(void **state)
{
    (void)state;
    assert_int_equal(check("6311062902000001"), NIK_OK);   /* 29-02-2000 */
    assert_int_equal(check("6311062902040001"), NIK_OK);   /* 29-02-2004 */
    assert_int_equal(check("6311066902040001"), NIK_OK);   /* a woman born then */
    assert_int_equal(check("6311062902010001"), NIK_DATE); /* 1901 and 2001: no */
    assert_int_equal(check("6311063104900001"), NIK_DATE); /* 31 April */
    assert_int_equal(check("6311060001900001"), NIK_DAY);
    assert_int_equal(check("6311063201900001"), NIK_DAY);
    assert_int_equal(check("6311064001900001"), NIK_DAY);
    assert_int_equal(check("6311067201900001"), NIK_DAY);
    assert_int_equal(check("6311067101900001"), NIK_OK);
    assert_int_equal(check("6311061500900001"), NIK_MONTH);
    assert_int_equal(check("6311061513900001"), NIK_MONTH);
}

static void structure(void **state)
{
    (void)state;
    assert_int_equal(check(""), NIK_LENGTH);
    assert_int_equal(check("631106150190001"), NIK_LENGTH);
    assert_int_equal(check("63110615019000011"), NIK_LENGTH);
    assert_int_equal(check("63110615019O0001"), NIK_DIGITS);
    assert_int_equal(check("6311-"), NIK_DIGITS);
    assert_int_equal(check("1011061501900001"), NIK_PROVINCE);
    assert_int_equal(check("0011061501900001"), NIK_PROVINCE);
    assert_int_equal(check("9911061501900001"), NIK_PROVINCE);
    assert_int_equal(check("6300061501900001"), NIK_KABKOTA);
    assert_int_equal(check("6370061501900001"), NIK_KABKOTA);
    assert_int_equal(check("6311001501900001"), NIK_KECAMATAN);
    assert_int_equal(check("6311061501900000"), NIK_SERIAL);
}

static void reasons(void **state)
{
    (void)state;
    for (int r = NIK_LENGTH; r < NIK__COUNT; r++) {
        assert_true(strlen(nik_reason((nik_result)r, "id")) > 10);
        assert_true(strlen(nik_reason((nik_result)r, "en")) > 10);
        assert_string_not_equal(nik_reason((nik_result)r, "id"), nik_reason((nik_result)r, "en"));
    }
    assert_string_equal(nik_reason(NIK_OK, "id"), "");
    char m[NIK_MASKED_BUF];
    nik_mask("6311061501900001", m);
    assert_string_equal(m, "6311********0001");
    nik_mask("123", m);
    assert_string_equal(m, "****************");
}

static void sealed_at_rest(void **state)
{
    (void)state;
    const char *key = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    const char *other = "ff112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    char a[NIK_SEALED_BUF], b[NIK_SEALED_BUF], d[NIK_LEN + 1];
    assert_int_equal(nik_seal(key, "6311064506210001", a), 0);
    assert_int_equal(nik_seal(key, "6311064506210001", b), 0);
    assert_true(strncmp(a, "v1:", 3) == 0);
    assert_null(strstr(a, "6311064506210001"));
    assert_string_not_equal(a, b); /* a fresh nonce each time */
    assert_int_equal(nik_open(key, a, d), 0);
    assert_string_equal(d, "6311064506210001");
    assert_int_equal(nik_open(other, a, d), -1);
    a[10] = a[10] == 'A' ? 'B' : 'A';
    assert_int_equal(nik_open(key, a, d), -1);
    assert_int_equal(nik_open(key, "v1:short", d), -1);
    /* Stored before a key was set: read as is. */
    assert_int_equal(nik_open(key, "6311064506210001", d), 0);
    assert_int_equal(nik_open(NULL, "6311064506210001", d), 0);
    assert_int_equal(nik_open(key, "junk", d), -1);
    assert_int_equal(nik_seal("abc", "6311064506210001", a), -1);
    assert_int_equal(nik_seal(key, "123", a), -1);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(valid),   cmocka_unit_test(dates),          cmocka_unit_test(structure),
        cmocka_unit_test(reasons), cmocka_unit_test(sealed_at_rest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
