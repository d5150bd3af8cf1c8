#include "core/netguard.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

/* The refused networks and what they are (IANA's special-purpose address
 * registries, the parts a fetch could be turned against). */
static const struct {
    const char *net, *what;
} REFUSED[] = {
    {"0.0.0.0/8", "this network"},
    {"10.0.0.0/8", "private"},
    {"100.64.0.0/10", "private"}, /* carrier-grade NAT: the provider's side */
    {"127.0.0.0/8", "loopback"},
    {"169.254.0.0/16", "link-local"}, /* and the clouds' metadata services */
    {"172.16.0.0/12", "private"},
    {"192.0.0.0/24", "reserved"},
    {"192.168.0.0/16", "private"},
    {"198.18.0.0/15", "reserved"},
    {"224.0.0.0/4", "multicast"},
    {"240.0.0.0/4", "reserved"}, /* with 255.255.255.255, broadcast */
    {"::/128", "this network"},
    {"::1/128", "loopback"},
    {"::/96", "reserved"},         /* the old IPv4-compatible addresses */
    {"64:ff9b:1::/48", "private"}, /* local-use NAT64 (RFC 8215): the site's own IPv4 */
    {"100::/64", "reserved"},
    {"2001::/32", "reserved"}, /* Teredo: an IPv4 address hidden in the bits */
    {"fc00::/7", "private"},
    {"fe80::/10", "link-local"},
    {"fec0::/10", "private"}, /* the old site-local addresses */
    {"ff00::/8", "multicast"},
};
#define NREFUSED (sizeof REFUSED / sizeof REFUSED[0])

static netguard_policy_t policy = NETGUARD_PUBLIC_ONLY;

int netguard_policy_parse(const char *v)
{
    if (strcmp(v, "0") == 0)
        return NETGUARD_PUBLIC_ONLY;
    if (strcmp(v, "1") == 0)
        return NETGUARD_ANY;
    if (strcmp(v, "loopback") == 0)
        return NETGUARD_LOOPBACK;
    return -1;
}

void netguard_set_policy(netguard_policy_t p) { policy = p; }

bool netguard_allow_private(void) { return policy == NETGUARD_ANY; }

/* loopback: this machine only (the tests of a redirect from a server of
 * theirs to a private address). */
static bool allow_loopback(void) { return policy == NETGUARD_LOOPBACK; }

/* The IPv4 address an IPv6 one carries to the same host (NAT64's
 * 64:ff9b::/96, 6to4's 2002::/16), as a mapped address; false for any
 * other. */
static bool embedded_v4(const netaddr_t *a, netaddr_t *v4)
{
    static const uint8_t nat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
    const uint8_t *p = NULL;
    if (memcmp(a->a, nat64, sizeof nat64) == 0)
        p = a->a + 12;
    else if (a->a[0] == 0x20 && a->a[1] == 0x02)
        p = a->a + 2;
    if (!p)
        return false;
    memset(v4, 0, sizeof *v4);
    v4->a[10] = v4->a[11] = 0xff;
    memcpy(v4->a + 12, p, 4);
    v4->bits = 128;
    return true;
}

const char *netguard_class(const netaddr_t *addr)
{
    netaddr_t inner;
    if (embedded_v4(addr, &inner))
        return netguard_class(&inner);
    for (size_t i = 0; i < NREFUSED; i++) {
        netaddr_t net;
        if (netaddr_parse_net(REFUSED[i].net, strlen(REFUSED[i].net), &net) == 0 &&
            netaddr_in(addr, &net, 1))
            return REFUSED[i].what;
    }
    return NULL;
}

const char *netguard_url_literal(const char *url)
{
    if (netguard_allow_private())
        return NULL;
    CURLU *u = curl_url();
    char *host = NULL;
    const char *why = NULL;
    if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK && host) {
        size_t n = strlen(host);
        netaddr_t a;
        struct in_addr v4;
        if (strcasecmp(host, "localhost") == 0 ||
            (n > 10 && strcasecmp(host + n - 10, ".localhost") == 0))
            why = "loopback";
        else if (n > 2 && host[0] == '[' && host[n - 1] == ']' &&
                 netaddr_parse(host + 1, n - 2, &a) == 0)
            why = netguard_class(&a);
        else if (inet_aton(host, &v4) == 1) { /* also 2130706433, 0x7f.1, 0177.0.0.1 */
            char dotted[INET_ADDRSTRLEN];
            if (inet_ntop(AF_INET, &v4, dotted, sizeof dotted) &&
                netaddr_parse(dotted, strlen(dotted), &a) == 0)
                why = netguard_class(&a);
        }
    }
    curl_free(host);
    curl_url_cleanup(u);
    return why && allow_loopback() && strcmp(why, "loopback") == 0 ? NULL : why;
}

/* curl's open-socket callback: the address it is about to connect to. */
static curl_socket_t open_checked(void *arg, curlsocktype purpose, struct curl_sockaddr *sa)
{
    netguard_t *g = arg;
    netaddr_t a;
    const char *why = NULL;
    if (purpose != CURLSOCKTYPE_IPCXN)
        why = "not an IP connection";
    else if (netaddr_from_sockaddr(&sa->addr, &a) != 0)
        why = "not an IP address";
    else if (!netguard_allow_private())
        why = netguard_class(&a);
    if (why && allow_loopback() && strcmp(why, "loopback") == 0)
        why = NULL;
    if (why) {
        char text[INET6_ADDRSTRLEN] = "?";
        if (sa->family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)&sa->addr)->sin_addr,
                      text, sizeof text);
        else if (sa->family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)&sa->addr)->sin6_addr,
                      text, sizeof text);
        snprintf(g->refused, sizeof g->refused, "%s (%s)", text, why);
        return CURL_SOCKET_BAD;
    }
    return socket(sa->family, sa->socktype, sa->protocol);
}

void netguard_arm(CURL *curl, netguard_t *g)
{
    g->refused[0] = '\0';
    curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, open_checked);
    curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, g);
    curl_easy_setopt(curl, CURLOPT_PROXY, "");
}
