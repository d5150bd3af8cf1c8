#include "core/netaddr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static const uint8_t v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

static bool is_v4(const netaddr_t *x) { return memcmp(x->a, v4_mapped, 12) == 0; }

int netaddr_parse(const char *s, size_t n, netaddr_t *out)
{
    char buf[INET6_ADDRSTRLEN];
    if (n == 0 || n >= sizeof buf)
        return -1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    memset(out, 0, sizeof *out);
    out->bits = 128;
    struct in_addr v4;
    if (inet_pton(AF_INET, buf, &v4) == 1) {
        memcpy(out->a, v4_mapped, 12);
        memcpy(out->a + 12, &v4, 4);
        return 0;
    }
    return inet_pton(AF_INET6, buf, out->a) == 1 ? 0 : -1;
}

int netaddr_parse_net(const char *s, size_t n, netaddr_t *out)
{
    const char *slash = memchr(s, '/', n);
    size_t alen = slash ? (size_t)(slash - s) : n;
    if (netaddr_parse(s, alen, out) != 0)
        return -1;
    if (!slash)
        return 0;
    const char *p = slash + 1, *end = s + n;
    unsigned prefix = 0;
    if (p == end || end - p > 3)
        return -1;
    for (; p < end; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        prefix = prefix * 10 + (unsigned)(*p - '0');
    }
    /* An IPv4 prefix counts from the start of the mapped address. */
    unsigned max = is_v4(out) ? 32 : 128;
    if (prefix > max)
        return -1;
    out->bits = (uint8_t)(prefix + (128 - max));
    for (unsigned i = out->bits; i < 128; i++)
        out->a[i / 8] &= (uint8_t) ~(0x80u >> (i % 8));
    return 0;
}

int netaddr_parse_list(const char *s, netaddr_t *out, size_t cap, const char **bad)
{
    size_t count = 0;
    const char *p = s;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        const char *item = p;
        size_t n = strcspn(p, ",");
        const char *next = p + n;
        while (n > 0 && (item[n - 1] == ' ' || item[n - 1] == '\t'))
            n--;
        if (n == 0 && *next == '\0' && count == 0)
            return 0; /* blank: an empty list */
        if (n == 0 || count == cap || netaddr_parse_net(item, n, &out[count]) != 0) {
            if (bad)
                *bad = item;
            return -1;
        }
        count++;
        if (*next == '\0')
            return (int)count;
        p = next + 1;
    }
}

int netaddr_from_sockaddr(const struct sockaddr *sa, netaddr_t *out)
{
    if (!sa)
        return -1;
    memset(out, 0, sizeof *out);
    out->bits = 128;
    if (sa->sa_family == AF_INET) {
        memcpy(out->a, v4_mapped, 12);
        memcpy(out->a + 12, &((const struct sockaddr_in *)sa)->sin_addr, 4);
        return 0;
    }
    if (sa->sa_family == AF_INET6) {
        memcpy(out->a, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
        return 0;
    }
    return -1;
}

bool netaddr_in(const netaddr_t *addr, const netaddr_t *nets, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        unsigned bits = nets[k].bits, full = bits / 8, rest = bits % 8;
        if (memcmp(addr->a, nets[k].a, full) != 0)
            continue;
        uint8_t mask = (uint8_t)(0xffu << (8 - rest));
        if (rest == 0 || (addr->a[full] & mask) == nets[k].a[full])
            return true;
    }
    return false;
}

void netaddr_client_key(const netaddr_t *addr, char out[NETADDR_KEY_BUF])
{
    char text[INET6_ADDRSTRLEN] = "?";
    if (is_v4(addr)) {
        inet_ntop(AF_INET, addr->a + 12, text, sizeof text);
        snprintf(out, NETADDR_KEY_BUF, "%s", text);
        return;
    }
    uint8_t net[16] = {0};
    memcpy(net, addr->a, 8);
    inet_ntop(AF_INET6, net, text, sizeof text);
    snprintf(out, NETADDR_KEY_BUF, "%s/64", text);
}
