/* Who the client is, for per-client limits (issue #13): the peer's
 * address, or behind a trusted proxy the address the proxy forwarded.
 *
 * X-Forwarded-For is believed only from a peer in ADUAN_TRUSTED_PROXIES:
 * from anyone else it is whatever the client wrote. From a trusted peer
 * the entries are read from the right (the nearest proxy's) and the first
 * one that is not itself a trusted proxy is the client; nginx as shipped
 * (deploy/) replaces the header with the one address it saw. */
#include "http/http.h"

#include <microhttpd.h>
#include <string.h>

/* Reads the entry ending just before end (after the previous comma) into
 * *out. Returns its start, or NULL when it is not an address. Accepts
 * "a.b.c.d", "a.b.c.d:port", "v6", "[v6]" and "[v6]:port". */
static const char *xff_entry(const char *xff, const char *end, netaddr_t *out)
{
    const char *start = end;
    while (start > xff && start[-1] != ',')
        start--;
    const char *a = start, *b = end;
    while (a < b && (*a == ' ' || *a == '\t'))
        a++;
    while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
        b--;
    if (a < b && *a == '[') {
        const char *close = memchr(a, ']', (size_t)(b - a));
        if (!close)
            return NULL;
        a++;
        b = close;
    } else {
        const char *colon = memchr(a, ':', (size_t)(b - a));
        if (colon && !memchr(colon + 1, ':', (size_t)(b - colon - 1)))
            b = colon; /* one colon: IPv4 with a port */
    }
    return netaddr_parse(a, (size_t)(b - a), out) == 0 ? start : NULL;
}

bool req_client_addr(app_t *app, req_t *r, netaddr_t *out)
{
    const config_t *cfg = app->cfg;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    netaddr_t who;
    if (!ci || netaddr_from_sockaddr(ci->client_addr, &who) != 0)
        return false;
    const char *xff = req_header(r, "X-Forwarded-For");
    if (xff && cfg->ntrusted_proxies > 0 &&
        netaddr_in(&who, cfg->trusted_proxies, cfg->ntrusted_proxies)) {
        const char *end = xff + strlen(xff);
        netaddr_t hop;
        while (end > xff) {
            const char *start = xff_entry(xff, end, &hop);
            if (!start)
                break; /* not an address: keep the last good one */
            who = hop;
            if (!netaddr_in(&hop, cfg->trusted_proxies, cfg->ntrusted_proxies))
                break;
            end = start > xff ? start - 1 : xff;
        }
    }
    *out = who;
    return true;
}

const char *req_client(app_t *app, req_t *r)
{
    if (r->client)
        return r->client;
    netaddr_t who;
    char key[NETADDR_KEY_BUF];
    if (!req_client_addr(app, r, &who)) {
        r->client = "?";
        return r->client;
    }
    netaddr_client_key(&who, key);
    r->client = arena_strdup(r->ar, key);
    return r->client ? r->client : "?";
}
