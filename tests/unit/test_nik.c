/* NIK checking: each rule of DOMAIN.md §4 accepts the good and refuses the
 * bad with its own reason, in both languages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "domain/nik.h"

#include <sodium.h>

#include <stdio.h>
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
    /* Only 00 is no province at all; an unknown one is a warning (regions). */
    assert_int_equal(check("0011061501900001"), NIK_PROVINCE);
    assert_int_equal(check("1011061501900001"), NIK_OK);
    assert_int_equal(check("9911061501900001"), NIK_OK);
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

/* The Balangan kecamatan of the demo's region table. */
static const char *const balangan[] = {"63.11.01", "63.11.02", "63.11.03", "63.11.04",
                                       "63.11.05", "63.11.06", "63.11.07", "63.11.08"};
#define NB (sizeof balangan / sizeof *balangan)

static void regions(void **state)
{
    (void)state;
    /* Known kecamatan, and places whose kecamatan are not loaded. */
    assert_int_equal(nik_region_check("6311061501900001", balangan, NB), NIK_REGION_KNOWN);
    assert_int_equal(nik_region_check("6311081501900001", balangan, NB), NIK_REGION_KNOWN);
    assert_int_equal(nik_region_check("6371011501900001", balangan, NB), NIK_REGION_KNOWN);
    assert_int_equal(nik_region_check("3171011501900001", balangan, NB), NIK_REGION_KNOWN);
    assert_int_equal(nik_region_check("6311991501900001", NULL, 0), NIK_REGION_KNOWN);
    /* A kecamatan Balangan does not have. */
    assert_int_equal(nik_region_check("6311091501900001", balangan, NB), NIK_REGION_KECAMATAN);
    assert_int_equal(nik_region_check("6311991501900001", balangan, NB), NIK_REGION_KECAMATAN);
    /* Kabupaten/kota codes: Kalimantan Selatan has 01-11 and 71-72. */
    assert_int_equal(nik_region_check("6312011501900001", balangan, NB), NIK_REGION_KABKOTA);
    assert_int_equal(nik_region_check("6373011501900001", balangan, NB), NIK_REGION_KABKOTA);
    assert_int_equal(nik_region_check("6372011501900001", balangan, NB), NIK_REGION_KNOWN);
    /* Gaps left by pemekaran: 64.04 moved to Kalimantan Utara (65.01). */
    assert_int_equal(nik_region_check("6404011501900001", NULL, 0), NIK_REGION_KABKOTA);
    assert_int_equal(nik_region_check("6411011501900001", NULL, 0), NIK_REGION_KNOWN);
    assert_int_equal(nik_region_check("6474011501900001", NULL, 0), NIK_REGION_KNOWN);
    assert_int_equal(nik_region_check("6473011501900001", NULL, 0), NIK_REGION_KABKOTA);
    assert_int_equal(nik_region_check("7326011501900001", NULL, 0), NIK_REGION_KNOWN);
    assert_int_equal(nik_region_check("7325011501900001", NULL, 0), NIK_REGION_KABKOTA);
    assert_int_equal(nik_region_check("9101011501900001", NULL, 0), NIK_REGION_KABKOTA);
    assert_int_equal(nik_region_check("9301011501900001", NULL, 0), NIK_REGION_KNOWN);
    assert_int_equal(nik_region_check("3101011501900001", NULL, 0), NIK_REGION_KNOWN);
    assert_int_equal(nik_region_check("3102011501900001", NULL, 0), NIK_REGION_KABKOTA);
    /* Provinces: 10, 20, 99 do not exist. */
    assert_int_equal(nik_region_check("1011061501900001", balangan, NB), NIK_REGION_PROVINCE);
    assert_int_equal(nik_region_check("9911061501900001", balangan, NB), NIK_REGION_PROVINCE);
    assert_int_equal(nik_region_check("9611061501900001", balangan, NB), NIK_REGION_KABKOTA);
    assert_int_equal(nik_region_check("9671061501900001", balangan, NB), NIK_REGION_KNOWN);
    /* Every province of the list has its kabupaten/kota. */
    static const int prov[] = {11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33,
                               34, 35, 36, 51, 52, 53, 61, 62, 63, 64, 65, 71, 72,
                               73, 74, 75, 76, 81, 82, 91, 92, 93, 94, 95, 96};
    for (size_t i = 0; i < sizeof prov / sizeof *prov; i++) {
        int kab = 0;
        for (int k = 1; k < 100; k++) {
            char d[40];
            snprintf(d, sizeof d, "%02d%02d011501900001", prov[i] % 100, k % 100);
            kab += nik_region_check(d, NULL, 0) == NIK_REGION_KNOWN;
        }
        if (kab == 0)
            fail_msg("province %d has no kabupaten/kota", prov[i]);
    }
    /* Nonsense in, no warning out. */
    assert_int_equal(nik_region_check(NULL, balangan, NB), NIK_REGION_KNOWN);
    assert_int_equal(nik_region_check("63", balangan, NB), NIK_REGION_KNOWN);
}

static void region_warnings(void **state)
{
    (void)state;
    char w[512];
    nik_region_warning(NIK_REGION_KNOWN, "6311061501900001", "id", w, sizeof w);
    assert_string_equal(w, "");
    nik_region_warning(NIK_REGION_KECAMATAN, "6311091501900001", "id", w, sizeof w);
    assert_non_null(strstr(w, "Kode kecamatan 63.11.09 pada NIK"));
    nik_region_warning(NIK_REGION_KECAMATAN, "6311091501900001", "en", w, sizeof w);
    assert_non_null(strstr(w, "Kecamatan code 63.11.09 of the NIK"));
    nik_region_warning(NIK_REGION_KABKOTA, "6312011501900001", "id", w, sizeof w);
    assert_non_null(strstr(w, "kabupaten/kota 63.12 "));
    assert_non_null(strstr(w, "pemekaran"));
    nik_region_warning(NIK_REGION_PROVINCE, "9911061501900001", "en", w, sizeof w);
    assert_non_null(strstr(w, "Province code 99 "));
    /* Never the rest of the NIK. */
    assert_null(strstr(w, "1501900001"));
    /* A short buffer is cut, not overrun; nonsense gives nothing. */
    char tiny[8];
    nik_region_warning(NIK_REGION_PROVINCE, "9911061501900001", "id", tiny, sizeof tiny);
    assert_int_equal(strlen(tiny), 7);
    nik_region_warning((nik_region)42, "9911061501900001", "id", w, sizeof w);
    assert_string_equal(w, "");
    nik_region_warning(NIK_REGION_PROVINCE, NULL, "id", w, sizeof w);
    assert_string_equal(w, "");
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(valid),           cmocka_unit_test(dates),
        cmocka_unit_test(structure),       cmocka_unit_test(reasons),
        cmocka_unit_test(sealed_at_rest),  cmocka_unit_test(regions),
        cmocka_unit_test(region_warnings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
