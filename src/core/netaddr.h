/* netaddr: IPv4 and IPv6 addresses and networks, for deciding which peers
 * are trusted proxies and what "one client" is when throttling.
 *
 * Addresses are kept as 16 bytes: IPv4 as an IPv4-mapped IPv6 address
 * (::ffff:a.b.c.d), so an IPv4 client that reaches a dual-stack socket is
 * the same client as over IPv4, and one compare serves both families. */
#ifndef ADUAN_NETADDR_H
#define ADUAN_NETADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sockaddr;

/* The text of a client key: "203.0.113.9" or "2001:db8:1:2::/64". */
#define NETADDR_KEY_BUF 56

typedef struct {
    uint8_t a[16]; /* network byte order; IPv4 as ::ffff:a.b.c.d */
    uint8_t bits;  /* prefix length over the 128 bits (an address: 128) */
} netaddr_t;

/* Parses one address ("10.0.0.5", "2001:db8::1") of exactly n bytes at s,
 * as an address with bits = 128. Returns 0, or -1 when it is not one. */
int netaddr_parse(const char *s, size_t n, netaddr_t *out);

/* Parses "ADDRESS" or "ADDRESS/PREFIX" (IPv4 prefixes 0..32, IPv6 0..128)
 * of n bytes. Bits below the prefix are cleared ("10.1.2.3/8" is
 * 10.0.0.0/8). Returns 0, or -1. */
int netaddr_parse_net(const char *s, size_t n, netaddr_t *out);

/* Parses a comma-separated list of networks (spaces around items are
 * allowed; an empty or all-blank string is an empty list) into out[0..cap).
 * Returns the count, or -1 for a bad item or more than cap items; then
 * *bad (when not NULL) points at the first offending item. */
int netaddr_parse_list(const char *s, netaddr_t *out, size_t cap, const char **bad);

/* The peer's address of an AF_INET or AF_INET6 socket address; -1 for
 * any other family (or NULL). */
int netaddr_from_sockaddr(const struct sockaddr *sa, netaddr_t *out);

/* True when addr lies in one of the n networks. */
bool netaddr_in(const netaddr_t *addr, const netaddr_t *nets, size_t n);

/* The throttling key of a client address: an IPv4 address as itself; an
 * IPv6 address as its /64, because one subscriber gets a whole /64 and
 * could otherwise take a fresh address for every attempt. */
void netaddr_client_key(const netaddr_t *addr, char out[NETADDR_KEY_BUF]);

#endif
