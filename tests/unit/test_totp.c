/* TOTP (issue 19 §3) against the test vectors of RFC 4226 (HOTP) and RFC
 * 6238 (TOTP, SHA-1), base32 of RFC 4648, the window, replay refusal and
 * the QR code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/totp.h"

#include <stdio.h>
#include <string.h>

static const uint8_t KEY[] = "12345678901234567890"; /* RFC 4226 App. D, RFC 6238 App. B */

static void test_hotp_rfc4226(void **state)
{
    (void)state;
    static const uint32_t want[] = {755224, 287082, 359152, 969429, 338314,
                                    254676, 287922, 162583, 399871, 520489};
    for (uint64_t i = 0; i < 10; i++)
        assert_int_equal(totp_hotp(KEY, 20, i, 6), want[i]);
}

static void test_totp_rfc6238(void **state)
{
    (void)state;
    static const struct {
        int64_t t;
        uint32_t code;
    } v[] = {{59, 94287082},         {1111111109, 7081804},  {1111111111, 14050471},
             {1234567890, 89005924}, {2000000000, 69279037}, {20000000000LL, 65353130}};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        assert_int_equal(totp_hotp(KEY, 20, (uint64_t)(v[i].t / 30), 8), v[i].code);
}

static void test_base32(void **state)
{
    (void)state;
    char b[TOTP_B32_BUF];
    uint8_t back[40];
    /* RFC 4648 §10 (without padding). */
    totp_b32_encode((const uint8_t *)"foobar", 6, b, sizeof b);
    assert_string_equal(b, "MZXW6YTBOI");
    totp_b32_encode(KEY, 20, b, sizeof b);
    assert_string_equal(b, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    assert_int_equal(totp_b32_decode("gezd gnbv gy3t qojq gezd gnbv gy3t qojq", back, sizeof back),
                     20);
    assert_memory_equal(back, KEY, 20);
    assert_int_equal(totp_b32_decode("GEZ1", back, sizeof back), -1); /* 1 is not base32 */
    assert_int_equal(totp_b32_decode("GEZDGNBVGY3TQOJQ", back, 4), -1);
    char s1[TOTP_B32_BUF], s2[TOTP_B32_BUF];
    totp_new_secret(s1);
    totp_new_secret(s2);
    assert_int_equal(strlen(s1), 32);
    assert_string_not_equal(s1, s2);
}

static void test_check_window_replay(void **state)
{
    (void)state;
    const char *sec = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    int64_t now = 1111111111, step = now / 30;
    char code[8];
    snprintf(code, sizeof code, "%06u", totp_hotp(KEY, 20, (uint64_t)step, 6));
    assert_int_equal(totp_check(sec, code, now, 0), step);
    assert_int_equal(totp_check(sec, code, now + 30, 0), step); /* a step late */
    assert_int_equal(totp_check(sec, code, now - 30, 0), step); /* a step early */
    assert_int_equal(totp_check(sec, code, now + 90, 0), -1);   /* too late */
    assert_int_equal(totp_check(sec, code, now, step), -1);     /* used already */
    snprintf(code, sizeof code, "%06u", (totp_hotp(KEY, 20, (uint64_t)step, 6) + 1) % 1000000);
    assert_int_equal(totp_check(sec, code, now, 0), -1);
    assert_int_equal(totp_check(sec, "12345", now, 0), -1);
    assert_int_equal(totp_check(sec, "12345a", now, 0), -1);
    assert_int_equal(totp_check("!!", "123456", now, 0), -1);
}

static void test_uri_qr(void **state)
{
    (void)state;
    arena_t *ar = arena_new();
    const char *u = totp_uri(ar, "aduan", "admin satpol", "ABC");
    assert_string_equal(u, "otpauth://totp/aduan:admin%20satpol?secret=ABC&issuer=aduan"
                           "&algorithm=SHA1&digits=6&period=30");
    const char *svg = totp_qr_svg(ar, u);
    assert_non_null(svg);
    assert_non_null(strstr(svg, "<svg"));
    assert_non_null(strstr(svg, "</svg>"));
    arena_destroy(ar);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hotp_rfc4226), cmocka_unit_test(test_totp_rfc6238),
        cmocka_unit_test(test_base32),       cmocka_unit_test(test_check_window_replay),
        cmocka_unit_test(test_uri_qr),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
