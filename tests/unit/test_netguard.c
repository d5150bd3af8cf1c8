/* The SSRF guard (core/netguard.h, issue 17): which addresses are refused,
 * the literal check of a subscription's URL in every spelling inet_aton
 * takes, and an armed curl handle that refuses to connect to loopback,
 * also when the name only resolves there (checked where curl connects),
 * unless ADUAN_FETCH_ALLOW_PRIVATE=1. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/netguard.h"

#include <stdlib.h>
#include <string.h>

static const char *class_of(const char *text)
{
    netaddr_t a;
    assert_int_equal(netaddr_parse(text, strlen(text), &a), 0);
    return netguard_class(&a);
}

static void classes(void **state)
{
    (void)state;
    static const struct {
        const char *addr, *want;
    } T[] = {
        {"127.0.0.1", "loopback"},
        {"127.255.3.4", "loopback"},
        {"::1", "loopback"},
        {"::ffff:127.0.0.1", "loopback"},
        {"10.1.2.3", "private"},
        {"172.16.0.1", "private"},
        {"172.31.255.255", "private"},
        {"192.168.1.1", "private"},
        {"100.64.0.1", "private"},
        {"fc00::1", "private"},
        {"fd12:3456::1", "private"},
        {"169.254.169.254", "link-local"},
        {"fe80::1", "link-local"},
        {"0.0.0.0", "this network"},
        {"0.1.2.3", "this network"},
        {"::", "this network"},
        {"224.0.0.1", "multicast"},
        {"239.255.255.250", "multicast"},
        {"ff02::1", "multicast"},
        {"255.255.255.255", "reserved"},
        {"64:ff9b::a9fe:a9fe", "link-local"},                 /* NAT64 of 169.254.169.254 */
        {"2002:7f00:1::", "loopback"},                        /* 6to4 of 127.0.0.1 */
        {"64:ff9b:1::a00:1", "private"},                      /* local-use NAT64 */
        {"2001:0:4136:e378:8000:63bf:3fff:fdd2", "reserved"}, /* Teredo */
        {"2001:db8::1", NULL},                                /* documentation, not Teredo's /32 */
        {"8.8.8.8", NULL},
        {"172.32.0.1", NULL},
        {"192.169.0.1", NULL},
        {"100.128.0.1", NULL},
        {"2001:4860:4860::8888", NULL},
        {"64:ff9b::808:808", NULL},
    };
    for (size_t i = 0; i < sizeof T / sizeof T[0]; i++) {
        const char *got = class_of(T[i].addr);
        if (T[i].want)
            assert_non_null(got), assert_string_equal(got, T[i].want);
        else if (got)
            fail_msg("%s: refused as %s", T[i].addr, got);
    }
}

static void literals(void **state)
{
    (void)state;
    netguard_set_policy(NETGUARD_PUBLIC_ONLY);
    static const char *const refused[] = {
        "http://127.0.0.1/x",  "https://10.0.0.5:8443/hook",
        "http://[::1]:8080/",  "http://localhost/",
        "http://LOCALHOST:9/", "http://a.localhost/",
        "http://2130706433/",  "http://0x7f.1/",
        "http://0177.0.0.1/",  "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::1]/",   "http://0/",
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        if (!netguard_url_literal(refused[i]))
            fail_msg("%s: not refused", refused[i]);
    static const char *const fine[] = {"https://example.org/hook", "http://8.8.8.8/",
                                       "http://[2001:db8::1]/", "https://10.example.org/"};
    for (size_t i = 0; i < sizeof fine / sizeof fine[0]; i++)
        if (netguard_url_literal(fine[i]))
            fail_msg("%s: refused", fine[i]);
    netguard_set_policy(NETGUARD_ANY);
    assert_null(netguard_url_literal("http://127.0.0.1/x"));
    assert_null(netguard_url_literal("http://10.0.0.1/x"));
    netguard_set_policy(NETGUARD_LOOPBACK);
    assert_null(netguard_url_literal("http://127.0.0.1/x"));
    assert_non_null(netguard_url_literal("http://10.0.0.1/x"));
    netguard_set_policy(NETGUARD_PUBLIC_ONLY);
}

/* Port 9 (discard) on loopback: nothing listens in the test, so an
 * attempt that gets as far as connecting fails with "connection
 * refused"; a guarded one never opens the socket. */
static CURLcode try_get(const char *url, netguard_t *g)
{
    CURL *c = curl_easy_init();
    assert_non_null(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 2L);
    netguard_arm(c, g);
    CURLcode rc = curl_easy_perform(c);
    curl_easy_cleanup(c);
    return rc;
}

static void armed_handle(void **state)
{
    (void)state;
    netguard_t g;
    netguard_set_policy(NETGUARD_PUBLIC_ONLY);
    assert_int_not_equal(try_get("http://127.0.0.1:9/", &g), CURLE_OK);
    assert_string_equal(g.refused, "127.0.0.1 (loopback)");
    /* A name is checked by the address it resolved to, where curl
     * connects (no second lookup to rebind). */
    assert_int_not_equal(try_get("http://localhost:9/", &g), CURLE_OK);
    assert_non_null(strstr(g.refused, "(loopback)"));
    netguard_set_policy(NETGUARD_ANY);
    assert_int_not_equal(try_get("http://127.0.0.1:9/", &g), CURLE_OK);
    assert_string_equal(g.refused, "");
    (void)try_get("http://10.255.255.1:9/", &g); /* whatever the network does with it */
    assert_string_equal(g.refused, "");
    /* "loopback": this machine, and nothing else. */
    netguard_set_policy(NETGUARD_LOOPBACK);
    assert_int_not_equal(try_get("http://127.0.0.1:9/", &g), CURLE_OK);
    assert_string_equal(g.refused, "");
    assert_int_not_equal(try_get("http://169.254.169.254:9/", &g), CURLE_OK);
    assert_string_equal(g.refused, "169.254.169.254 (link-local)");
    netguard_set_policy(NETGUARD_PUBLIC_ONLY);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(classes),
        cmocka_unit_test(literals),
        cmocka_unit_test(armed_handle),
    };
    int failed = cmocka_run_group_tests_name("netguard", tests, NULL, NULL);
    curl_global_cleanup();
    return failed;
}
