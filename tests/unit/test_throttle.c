/* Issue #13: addresses and networks (netaddr), token buckets (bucket), and
 * the settings that configure them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/bucket.h"
#include "core/config.h"
#include "core/netaddr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

static netaddr_t addr(const char *s)
{
    netaddr_t a;
    assert_int_equal(netaddr_parse(s, strlen(s), &a), 0);
    return a;
}

static const char *key(const char *s)
{
    static char out[NETADDR_KEY_BUF];
    netaddr_t a = addr(s);
    netaddr_client_key(&a, out);
    return out;
}

static void parse_addresses(void **state)
{
    (void)state;
    netaddr_t a;
    const char *bad[] = {"",    "1.2.3",       "1.2.3.4.5", "256.1.1.1", "1.2.3.4 ",
                         "::g", "example.org", "1.2.3.4/8", "[::1]"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(netaddr_parse(bad[i], strlen(bad[i]), &a), -1);
    /* IPv4 is the IPv4-mapped IPv6 address: one client either way. */
    assert_string_equal(key("203.0.113.9"), "203.0.113.9");
    assert_string_equal(key("::ffff:203.0.113.9"), "203.0.113.9");
    /* IPv6 clients are their /64. */
    assert_string_equal(key("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
    assert_string_equal(key("2001:db8:1:2::99"), "2001:db8:1:2::/64");
    assert_string_equal(key("::1"), "::/64");
    /* Only the given length is read. */
    assert_int_equal(netaddr_parse("10.0.0.1,10.0.0.2", 8, &a), 0);
    assert_string_equal(key("10.0.0.1"), "10.0.0.1");
}

static void networks_and_lists(void **state)
{
    (void)state;
    netaddr_t nets[4];
    const char *bad = NULL;
    assert_int_equal(netaddr_parse_list("", nets, 4, NULL), 0);
    assert_int_equal(netaddr_parse_list("  ", nets, 4, NULL), 0);
    assert_int_equal(netaddr_parse_list("127.0.0.1, ::1 ,10.1.2.3/8,fd00::/8", nets, 4, NULL), 4);
    netaddr_t a = addr("127.0.0.1"), b = addr("127.0.0.2"), c = addr("10.200.0.9"),
              d = addr("fd12::1"), e = addr("::1"), g = addr("11.0.0.1"), h = addr("fe80::1");
    assert_true(netaddr_in(&a, nets, 4));
    assert_false(netaddr_in(&b, nets, 4));
    assert_true(netaddr_in(&c, nets, 4)); /* 10.1.2.3/8 is 10.0.0.0/8 */
    assert_true(netaddr_in(&d, nets, 4));
    assert_true(netaddr_in(&e, nets, 4));
    assert_false(netaddr_in(&g, nets, 4));
    assert_false(netaddr_in(&h, nets, 4));
    /* An IPv4 network never takes in IPv6 addresses, nor the reverse. */
    assert_int_equal(netaddr_parse_list("0.0.0.0/0", nets, 4, NULL), 1);
    assert_true(netaddr_in(&g, nets, 1));
    assert_false(netaddr_in(&d, nets, 1));
    assert_int_equal(netaddr_parse_list("2000::/3", nets, 4, NULL), 1);
    assert_false(netaddr_in(&g, nets, 1));
    /* Odd prefixes compare the bits they cover. */
    assert_int_equal(netaddr_parse_list("192.168.0.0/23", nets, 4, NULL), 1);
    netaddr_t in = addr("192.168.1.255"), out = addr("192.168.2.0");
    assert_true(netaddr_in(&in, nets, 1));
    assert_false(netaddr_in(&out, nets, 1));
    const char *wrong[] = {"10.0.0.0/33",      "::/129",   "10.0.0.0/", "10.0.0.0/x",
                           "1.2.3.4,,5.6.7.8", "1.2.3.4,", "localhost", "1,2,3,4,5"};
    for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++)
        assert_int_equal(netaddr_parse_list(wrong[i], nets, 4, &bad), -1);
    assert_int_equal(netaddr_parse_list("1.1.1.1,2.2.2.2,3.3.3.3,4.4.4.4,5.5.5.5", nets, 4, &bad),
                     -1);
    assert_string_equal(bad, "5.5.5.5");
}

static void from_sockaddr(void **state)
{
    (void)state;
    struct sockaddr_in v4 = {.sin_family = AF_INET};
    struct sockaddr_in6 v6 = {.sin6_family = AF_INET6};
    netaddr_t a;
    char k[NETADDR_KEY_BUF];
    inet_pton(AF_INET, "198.51.100.7", &v4.sin_addr);
    assert_int_equal(netaddr_from_sockaddr((struct sockaddr *)&v4, &a), 0);
    netaddr_client_key(&a, k);
    assert_string_equal(k, "198.51.100.7");
    inet_pton(AF_INET6, "::ffff:198.51.100.7", &v6.sin6_addr);
    assert_int_equal(netaddr_from_sockaddr((struct sockaddr *)&v6, &a), 0);
    netaddr_client_key(&a, k);
    assert_string_equal(k, "198.51.100.7");
    assert_int_equal(netaddr_from_sockaddr(NULL, &a), -1);
}

static void buckets(void **state)
{
    (void)state;
    bucket_table_t *t = bucket_table_new(8);
    assert_non_null(t);
    bucket_spec spec = {3, 0.5, 4}; /* 3 at once, then one every 2 s */
    double now = 1000;
    for (int i = 0; i < 3; i++)
        assert_int_equal(bucket_take(t, &spec, "a", 1, 1, now), 0);
    /* Empty: wait 2 s for a token; asking again at once costs a token of
     * debt, so the wait grows (4 s, 6 s), up to the debt limit. */
    assert_int_equal(bucket_take(t, &spec, "a", 1, 1, now), 4);
    assert_int_equal(bucket_take(t, &spec, "a", 1, 1, now), 6);
    for (int i = 0; i < 10; i++)
        (void)bucket_take(t, &spec, "a", 1, 1, now);
    assert_int_equal(bucket_take(t, &spec, "a", 1, 1, now), 10); /* (4 + 1) / 0.5 */
    /* Other keys are untouched. */
    assert_int_equal(bucket_take(t, &spec, "b", 1, 1, now), 0);
    /* Time refills, never beyond the capacity. */
    assert_int_equal(bucket_take(t, &spec, "a", 1, 0, now + 10), 0);
    assert_int_equal(bucket_take(t, &spec, "b", 1, 0, now + 1000), 0);
    assert_int_equal(bucket_take(t, &spec, "b", 1, 0, now + 1000), 0);
    assert_int_equal(bucket_take(t, &spec, "b", 1, 0, now + 1000), 0);
    assert_int_equal(bucket_take(t, &spec, "b", 1, 0, now + 1000), 2);
    /* A refund gives a token back; a charge takes more. */
    bucket_add(t, &spec, "b", 1, now + 1000);
    assert_int_equal(bucket_take(t, &spec, "b", 1, 0, now + 1000), 0);
    bucket_add(t, &spec, "c", -4, now);
    assert_int_equal(bucket_take(t, &spec, "c", 1, 0, now), 4); /* -1 tokens: 2 / 0.5 */
    /* A caller's time older than the bucket's does not refill it again. */
    bucket_spec slow = {1, 0.1, 0};
    assert_int_equal(bucket_take(t, &slow, "d", 1, 0, now + 100), 0);
    bucket_add(t, &slow, "d", 0, now + 50);
    assert_int_equal(bucket_take(t, &slow, "d", 1, 0, now + 100), 10);
    /* Many keys in a small table: forgotten keys come back full. */
    char k[16];
    for (int i = 0; i < 1000; i++) {
        snprintf(k, sizeof k, "k%d", i);
        (void)bucket_take(t, &spec, k, 3, 3, now + i * 0.001);
    }
    assert_int_equal(bucket_take(t, &spec, "k0", 3, 3, now + 1), 0);
    bucket_table_free(t);
    bucket_table_free(NULL);
}

static void settings(void **state)
{
    (void)state;
    config_t c;
    char err[256];
    config_defaults(&c);
    assert_int_equal(c.ntrusted_proxies, 0);
    assert_int_equal(c.header_timeout_s, 10);
    assert_int_equal(c.login_lock_s, 900);
    assert_int_equal(
        config_set(&c, "ADUAN_TRUSTED_PROXIES", "127.0.0.1, ::1, 10.0.0.0/24", err, sizeof err),
        ERR_OK);
    assert_int_equal(c.ntrusted_proxies, 3);
    assert_int_equal(config_set(&c, "ADUAN_TRUSTED_PROXIES", "", err, sizeof err), ERR_OK);
    assert_int_equal(c.ntrusted_proxies, 0);
    assert_int_equal(config_set(&c, "ADUAN_HEADER_TIMEOUT", "5", err, sizeof err), ERR_OK);
    assert_int_equal(c.header_timeout_s, 5);
    assert_int_equal(config_set(&c, "ADUAN_LOGIN_LOCK_MINUTES", "30", err, sizeof err), ERR_OK);
    assert_int_equal(c.login_lock_s, 1800);
    assert_int_equal(config_set(&c, "ADUAN_LOGIN_LOCK_SECONDS", "3", err, sizeof err), ERR_OK);
    assert_int_equal(c.login_lock_s, 3);
    static const char *const bad[][2] = {
        {"ADUAN_TRUSTED_PROXIES", "nginx"},
        {"ADUAN_TRUSTED_PROXIES", "10.0.0.0/40"},
        {"ADUAN_TRUSTED_PROXIES", "1.2.3.4;"},
        {"ADUAN_HEADER_TIMEOUT", "0"},
        {"ADUAN_HEADER_TIMEOUT", "301"},
        {"ADUAN_HEADER_TIMEOUT", "10s"},
        {"ADUAN_LOGIN_LOCK_MINUTES", "0"},
        {"ADUAN_LOGIN_LOCK_MINUTES", "1441"},
        {"ADUAN_LOGIN_LOCK_SECONDS", "-1"},
        {"ADUAN_LOGIN_LOCK_SECONDS", "86401"},
        {"ADUAN_TRUSTED_PROXIES", "1.1.1.1,2.2.2.2,3.3.3.3,4.4.4.4,5.5.5.5,6.6.6.6,7.7.7.7,"
                                  "8.8.8.8,9.9.9.9,1.1.1.2,1.1.1.3,1.1.1.4,1.1.1.5,1.1.1.6,"
                                  "1.1.1.7,1.1.1.8,1.1.1.9"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(config_set(&c, bad[i][0], bad[i][1], err, sizeof err), ERR_INVALID);
        assert_non_null(strstr(err, bad[i][0]));
    }
    assert_non_null(strstr(err, "at most 16"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_addresses), cmocka_unit_test(networks_and_lists),
        cmocka_unit_test(from_sockaddr),   cmocka_unit_test(buckets),
        cmocka_unit_test(settings),
    };
    return cmocka_run_group_tests_name("throttle", tests, NULL, NULL);
}
