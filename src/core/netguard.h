/* netguard: the one SSRF guard of every request aduan makes to an address
 * someone else chose (an Open311 client's media_url, a webhook
 * subscriber's URL; docs/WEBHOOKS.md, docs/DEPLOY.md).
 *
 * Such a request must not reach the machine itself or its network: the
 * database, the metrics, a router's admin page, a cloud's metadata service
 * (169.254.169.254). So a destination whose address is loopback, private
 * (RFC 1918, fc00::/7, 100.64/10), link-local (169.254/16, fe80::/10),
 * "this network" (0.0.0.0/8, ::), multicast, broadcast or reserved is
 * refused, unless ADUAN_FETCH_ALLOW_PRIVATE=1 (tests, and a desk whose
 * subscriber sits on its own LAN).
 *
 * The check is made on the address curl is about to connect to, in its
 * open-socket callback: the address that was checked is the one used, for
 * the first connection and for every redirect's, so a name that resolves
 * to a public address when checked and a private one when used (DNS
 * rebinding) cannot slip past. Proxies from the environment are not used
 * by an armed handle (the check would see the proxy's address). */
#ifndef ADUAN_NETGUARD_H
#define ADUAN_NETGUARD_H

#include "core/netaddr.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>

/* What the guard lets through: ADUAN_FETCH_ALLOW_PRIVATE (config.c) is
 * 0, 1 or "loopback". LOOPBACK lets this machine's loopback through and
 * nothing else: for the tests of a redirect from a local server to a
 * private address. */
typedef enum {
    NETGUARD_PUBLIC_ONLY = 0, /* the default */
    NETGUARD_ANY = 1,
    NETGUARD_LOOPBACK = 2,
} netguard_policy_t;

/* The policy of a setting's text ("0", "1", "loopback"), or -1. */
int netguard_policy_parse(const char *v);

/* Set once at start-up from the configuration, before any thread. */
void netguard_set_policy(netguard_policy_t p);

/* True when the policy is NETGUARD_ANY: nothing is refused. */
bool netguard_allow_private(void);

/* Why addr may not be reached: a short English name ("loopback",
 * "private", "link-local", "this network", "multicast", "reserved"), or
 * NULL when it is a public address. Whatever the allow flag says. */
const char *netguard_class(const netaddr_t *addr);

/* For a URL given by a person (a webhook subscription): when its host is
 * an address literal (any form inet_aton takes, or IPv6 in brackets) or
 * "localhost", and that is refused (the flag off), the class; else NULL.
 * Names are checked when connecting, not here. */
const char *netguard_url_literal(const char *url);

/* What an armed handle refused: the address and its class, for the log
 * and the error a caller records. */
typedef struct {
    char refused[96]; /* "" when nothing was refused */
} netguard_t;

/* Arms curl (after curl_easy_reset): every connection it opens, redirects
 * included, is checked through g (which must outlive the transfer; g is
 * cleared here), and proxies are switched off. */
void netguard_arm(CURL *curl, netguard_t *g);

#endif
