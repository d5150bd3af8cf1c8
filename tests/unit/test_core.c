/* Tracking codes, text checks, phone numbers and the clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/arena.h"
#include "core/clock.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/secret.h"
#include "core/msg.h"
#include "core/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void code_shape(void **state)
{
    (void)state;
    char code[IDS_CODE_BUF], shown[IDS_SHOWN_BUF], back[IDS_CODE_BUF];
    for (int i = 0; i < 1000; i++) {
        ids_tracking_new(code);
        assert_int_equal(strlen(code), IDS_CODE_LEN);
        /* Crockford: no I, L, O, U. */
        assert_null(strpbrk(code, "ILOUilou"));
        ids_tracking_format(code, shown);
        assert_int_equal(strlen(shown), 9);
        assert_int_equal(shown[4], '-');
        assert_int_equal(ids_tracking_normalize(shown, back), 0);
        assert_string_equal(back, code);
    }
}

static void code_randomness(void **state)
{
    (void)state;
    /* 20,000 codes of 40 bits: about 1.8e-4 repeated pairs are expected,
     * so one repeat happens (1 run in 5,500: it did) and three in 1e12;
     * a generator of 20 real bits would give about 190. Every symbol
     * appears in every position. */
    enum { N = 20000 };
    char(*codes)[IDS_CODE_BUF] = calloc(N, IDS_CODE_BUF);
    assert_non_null(codes);
    int seen[IDS_CODE_LEN][32] = {{0}};
    static const char alpha[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    for (int i = 0; i < N; i++) {
        ids_tracking_new(codes[i]);
        for (int p = 0; p < IDS_CODE_LEN; p++)
            seen[p][strchr(alpha, codes[i][p]) - alpha]++;
    }
    qsort(codes, N, IDS_CODE_BUF, (int (*)(const void *, const void *))strcmp);
    int repeats = 0;
    for (int i = 1; i < N; i++)
        repeats += strcmp(codes[i - 1], codes[i]) == 0;
    assert_in_range(repeats, 0, 2);
    for (int p = 0; p < IDS_CODE_LEN; p++)
        for (int s = 0; s < 32; s++)
            assert_true(seen[p][s] > N / 32 / 2);
    free(codes);
}

static void code_normalize(void **state)
{
    (void)state;
    char out[IDS_CODE_BUF];
    assert_int_equal(ids_tracking_normalize("abcd-efgh", out), 0);
    assert_string_equal(out, "ABCDEFGH");
    /* Read aloud or typed: O is zero, I and L are one, spaces are ignored. */
    assert_int_equal(ids_tracking_normalize("o1il ab2c", out), 0);
    assert_string_equal(out, "0111AB2C");
    assert_int_equal(ids_tracking_normalize("ABCD-EFG", out), -1);   /* short */
    assert_int_equal(ids_tracking_normalize("ABCD-EFGHJ", out), -1); /* long */
    assert_int_equal(ids_tracking_normalize("ABCD-EFGU", out), -1);  /* U is not a symbol */
    assert_int_equal(ids_tracking_normalize("ABCD_EFGH", out), -1);
    assert_int_equal(ids_tracking_normalize("", out), -1);
}

static void utf8(void **state)
{
    (void)state;
    const char *good[] = {"", "abc", "Laporan \xc3\xa9t\xc3\xa9", "\xe2\x82\xac",
                          "\xf0\x9f\x94\xa5 api"};
    const char *bad[] = {"\xc3", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
                         "\xff", "ab\x80",   "\xe2\x82"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        assert_true(text_utf8_valid(good[i], strlen(good[i])));
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_false(text_utf8_valid(bad[i], strlen(bad[i])));
    assert_false(text_utf8_valid("a\0b", 3));
    assert_int_equal(text_utf8_len("\xf0\x9f\x94\xa5 api"), 5);
}

static void phone(void **state)
{
    (void)state;
    char out[24];
    bool mobile;
    assert_int_equal(text_phone_normalize("0812-3456-7890", out, sizeof out, &mobile), 0);
    assert_string_equal(out, "6281234567890");
    assert_true(mobile);
    assert_int_equal(text_phone_normalize("+62 812 3456 7890", out, sizeof out, &mobile), 0);
    assert_string_equal(out, "6281234567890");
    assert_int_equal(text_phone_normalize("812345678", out, sizeof out, &mobile), 0);
    assert_string_equal(out, "62812345678");
    assert_int_equal(text_phone_normalize("(0511) 4772-123", out, sizeof out, &mobile), 0);
    assert_string_equal(out, "625114772123");
    assert_false(mobile);
    assert_int_equal(text_phone_normalize("12", out, sizeof out, &mobile), -1);
    assert_int_equal(text_phone_normalize("0000000000", out, sizeof out, &mobile), -1);
    assert_int_equal(text_phone_normalize("+62 0812 3456 789", out, sizeof out, &mobile), -1);
    assert_int_equal(text_phone_normalize("0812abc", out, sizeof out, &mobile), -1);
    assert_int_equal(text_phone_normalize("0812345678901234567", out, sizeof out, &mobile), -1);
}

static void numbers_id(void **state)
{
    (void)state;
    char b[32];
    assert_string_equal(text_num_id(b, sizeof b, 87.5, 1), "87,5");
    assert_string_equal(text_num_id(b, sizeof b, 91.666, 2), "91,67");
    assert_string_equal(text_num_id(b, sizeof b, 3.0, 3), "3,000");
    assert_string_equal(text_num_id(b, sizeof b, 12.0, 0), "12");
    assert_string_equal(text_num_id(b, sizeof b, -0.01, 1), "0,0");
    assert_string_equal(text_num_id(b, sizeof b, -2.25, 1), "-2,2");
    assert_string_equal(text_num_id(b, sizeof b, 0.0 / 0.0, 1), "-");
}

/* The catalogue: Indonesian by default, the English key for "en", and
 * anything else through unchanged. */
static void catalogue(void **state)
{
    (void)state;
    assert_true(msg_known("this case belongs to another agency"));
    assert_string_equal(msg_lang("id", "this case belongs to another agency"),
                        "kasus ini milik instansi lain");
    assert_string_equal(msg_lang(NULL, "this case belongs to another agency"),
                        "kasus ini milik instansi lain");
    assert_string_equal(msg_lang("en", "this case belongs to another agency"),
                        "this case belongs to another agency");
    assert_string_equal(msg_lang("id", "sudah diterjemahkan"), "sudah diterjemahkan");
    assert_false(msg_known("sudah diterjemahkan"));
    assert_null(msg_lang("id", NULL));
}

static void clock_iso(void **state)
{
    (void)state;
    char buf[CLOCK_ISO_BUF];
    int64_t t;
    clock_init("Asia/Makassar");
    clock_format(0, buf);
    assert_string_equal(buf, "1970-01-01T08:00:00+08:00");
    assert_int_equal(clock_parse("2026-11-22T08:00:00+08:00", 0, &t), 0);
    assert_int_equal(t, 1795305600);
    assert_int_equal(clock_parse("2026-11-22T00:00:00Z", 0, &t), 0);
    assert_int_equal(t, 1795305600);
    /* A date is local midnight (WITA); as an end, the next midnight. */
    assert_int_equal(clock_parse("2026-11-22", 0, &t), 0);
    assert_int_equal(t, 1795305600 - 8 * 3600);
    assert_int_equal(clock_parse("2026-11-22", 1, &t), 0);
    assert_int_equal(t, 1795305600 + 16 * 3600);
    clock_init("Asia/Jakarta");
    assert_int_equal(clock_parse("2026-11-22", 0, &t), 0);
    assert_int_equal(t, 1795305600 - 7 * 3600);
    clock_init("Asia/Makassar");
    const char *bad[] = {"",
                         "2026",
                         "2026-13-01",
                         "2026-11-22T25:00:00Z",
                         "2026-11-22T10:00:00",
                         "2026-11-22T10:00:00+8",
                         "yesterday",
                         "2026-11-22x"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(clock_parse(bad[i], 0, &t), -1);
}

static void passwords(void **state)
{
    (void)state;
    char hash[SECRET_HASH_BUF], tok[SECRET_TOKEN_BUF], tok2[SECRET_TOKEN_BUF],
        dig[SECRET_DIGEST_BUF];
    assert_int_equal(secret_password_hash("rahasia-sekali", hash), ERR_OK);
    assert_non_null(strstr(hash, "$argon2id$"));
    assert_true(secret_password_verify(hash, "rahasia-sekali"));
    assert_false(secret_password_verify(hash, "rahasia-sekalI"));
    assert_false(secret_password_verify("garbage", "x"));
    secret_token(tok);
    secret_token(tok2);
    assert_int_equal(strlen(tok), 43);
    assert_string_not_equal(tok, tok2);
    secret_sha256_hex("abc", 3, dig);
    assert_string_equal(dig, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_true(secret_equal("abc", "abc"));
    assert_false(secret_equal("abc", "abd"));
    assert_false(secret_equal("abc", "abcd"));
}

/* Sealing any text at rest (dead letters' bodies, issue #13.6). */
static void sealed_text(void **state)
{
    (void)state;
    const char *key = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    const char *other = "ff112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    const char *body = "{\"from\":\"6281234500001\",\"text\":\"NIK 6311061501900001\"}";
    arena_t *ar = arena_new();
    size_t len = 0;
    char *a = secret_seal(ar, key, body, strlen(body));
    char *b = secret_seal(ar, key, body, strlen(body));
    assert_non_null(a);
    assert_true(strncmp(a, SECRET_SEAL_PREFIX, 3) == 0);
    assert_null(strstr(a, "6311061501900001"));
    assert_null(strstr(a, "62812345"));
    assert_string_not_equal(a, b); /* a fresh nonce each time */
    char *open = secret_open(ar, key, a, &len);
    assert_non_null(open);
    assert_string_equal(open, body);
    assert_int_equal(len, strlen(body));
    assert_null(secret_open(ar, other, a, NULL)); /* wrong key */
    a[20] = a[20] == 'A' ? 'B' : 'A';
    assert_null(secret_open(ar, key, a, NULL)); /* damaged */
    assert_null(secret_open(ar, key, "v1:", NULL));
    assert_null(secret_open(ar, key, "{\"not\": \"sealed\"}", NULL));
    assert_null(secret_open(ar, NULL, b, NULL));
    assert_null(secret_seal(ar, "abc", body, 3)); /* not a key */
    /* The empty text survives the trip. */
    char *e = secret_seal(ar, key, "", 0);
    assert_non_null(e);
    assert_string_equal(secret_open(ar, key, e, &len), "");
    assert_int_equal(len, 0);
    arena_destroy(ar);
}

static void arena(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    assert_non_null(a);
    char *big = arena_alloc(a, 100000); /* larger than a block */
    assert_non_null(big);
    memset(big, 'x', 100000);
    for (int i = 0; i < 1000; i++)
        assert_non_null(arena_printf(a, "item %d", i));
    assert_string_equal(arena_strndup(a, "abcdef", 3), "abc");
    assert_null(arena_strdup(a, NULL));
    arena_destroy(a);
    arena_destroy(NULL);
}

/* A value with a newline cannot forge a second log line. */
static void log_one_line(void **state)
{
    (void)state;
    char path[] = "/tmp/aduan-log-XXXXXX", buf[2048];
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    fflush(stderr);
    int saved = dup(2);
    dup2(fd, 2);
    log_info("test", "path=%s", "/x\n2026-01-01T00:00:00Z error forged=1");
    log_debug("test", "hidden=1"); /* below the default level */
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    FILE *f = fopen(path, "r");
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    close(fd);
    unlink(path);
    buf[n] = '\0';
    assert_non_null(strstr(buf, " info test path=/x?2026"));
    assert_ptr_equal(strchr(buf, '\n'), buf + n - 1);
    assert_null(strstr(buf, "hidden"));
}

int main(void)
{
    if (secret_init() != ERR_OK)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(code_shape),     cmocka_unit_test(code_randomness),
        cmocka_unit_test(code_normalize), cmocka_unit_test(utf8),
        cmocka_unit_test(phone),          cmocka_unit_test(numbers_id),
        cmocka_unit_test(catalogue),      cmocka_unit_test(clock_iso),
        cmocka_unit_test(passwords),      cmocka_unit_test(arena),
        cmocka_unit_test(log_one_line),   cmocka_unit_test(sealed_text),
    };
    return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
