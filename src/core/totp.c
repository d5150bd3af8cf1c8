/* TOTP (RFC 6238) with libcrypto's HMAC-SHA-1; QR codes with libqrencode. */
#include "core/totp.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <qrencode.h>
#include <sodium.h>

#include <stdio.h>
#include <string.h>

static const char B32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

uint32_t totp_hotp(const uint8_t *key, size_t keylen, uint64_t counter, int digits)
{
    uint8_t msg[8], mac[EVP_MAX_MD_SIZE];
    unsigned maclen = 0;
    for (int i = 7; i >= 0; i--, counter >>= 8)
        msg[i] = (uint8_t)(counter & 0xff);
    if (!HMAC(EVP_sha1(), key, (int)keylen, msg, sizeof msg, mac, &maclen) || maclen < 20)
        return UINT32_MAX; /* never a valid code: it has more digits */
    /* RFC 4226 §5.3: dynamic truncation. */
    int off = mac[maclen - 1] & 0x0f;
    uint32_t bin = ((uint32_t)(mac[off] & 0x7f) << 24) | ((uint32_t)mac[off + 1] << 16) |
                   ((uint32_t)mac[off + 2] << 8) | (uint32_t)mac[off + 3];
    uint32_t mod = 1;
    for (int i = 0; i < digits; i++)
        mod *= 10;
    return bin % mod;
}

void totp_b32_encode(const uint8_t *in, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    uint32_t buf = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        buf = (buf << 8) | in[i];
        bits += 8;
        while (bits >= 5 && o + 1 < cap) {
            out[o++] = B32[(buf >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    if (bits > 0 && o + 1 < cap)
        out[o++] = B32[(buf << (5 - bits)) & 31];
    if (cap)
        out[o < cap ? o : cap - 1] = '\0';
}

int totp_b32_decode(const char *in, uint8_t *out, size_t cap)
{
    uint32_t buf = 0;
    int bits = 0;
    size_t o = 0;
    for (const char *p = in; *p; p++) {
        char c = *p;
        if (c == ' ' || c == '=' || c == '-')
            continue;
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        const char *at = strchr(B32, c);
        if (!at || !c)
            return -1;
        buf = (buf << 5) | (uint32_t)(at - B32);
        bits += 5;
        if (bits >= 8) {
            if (o >= cap)
                return -1;
            out[o++] = (uint8_t)((buf >> (bits - 8)) & 0xff);
            bits -= 8;
        }
    }
    return (int)o;
}

void totp_new_secret(char out[TOTP_B32_BUF])
{
    uint8_t key[TOTP_KEY_LEN];
    randombytes_buf(key, sizeof key);
    totp_b32_encode(key, sizeof key, out, TOTP_B32_BUF);
    sodium_memzero(key, sizeof key);
}

int64_t totp_check(const char *secret_b32, const char *code, int64_t now, int64_t after_step)
{
    uint8_t key[TOTP_B32_BUF];
    int klen = secret_b32 ? totp_b32_decode(secret_b32, key, sizeof key) : -1;
    if (klen <= 0 || !code || strlen(code) != TOTP_DIGITS)
        return -1;
    uint32_t want = 0;
    for (const char *p = code; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        want = want * 10 + (uint32_t)(*p - '0');
    }
    int64_t step = now / TOTP_STEP_S, found = -1;
    /* Every step of the window is computed, so the time taken does not
     * tell which one matched. */
    for (int64_t s = step - TOTP_WINDOW; s <= step + TOTP_WINDOW; s++) {
        uint32_t got = totp_hotp(key, (size_t)klen, (uint64_t)s, TOTP_DIGITS);
        if (got == want && s > after_step && found < 0)
            found = s;
    }
    sodium_memzero(key, sizeof key);
    return found;
}

/* Percent-encodes everything but unreserved characters (RFC 3986). */
static const char *pct(arena_t *ar, const char *s)
{
    size_t n = strlen(s);
    char *o = arena_alloc(ar, n * 3 + 1), *w = o;
    if (!o)
        return NULL;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~') {
            *w++ = (char)*p;
        } else {
            snprintf(w, 4, "%%%02X", *p);
            w += 3;
        }
    }
    *w = '\0';
    return o;
}

const char *totp_uri(arena_t *ar, const char *issuer, const char *login, const char *secret_b32)
{
    const char *i = pct(ar, issuer), *l = pct(ar, login);
    if (!i || !l)
        return NULL;
    return arena_printf(ar,
                        "otpauth://totp/%s:%s?secret=%s&issuer=%s&algorithm=SHA1&digits=%d"
                        "&period=%d",
                        i, l, secret_b32, i, TOTP_DIGITS, TOTP_STEP_S);
}

/* One "M x y h1 v1 h-1 z" per dark module, a 4-module quiet zone. */
#define QR_QUIET 4
#define QR_CELL  24 /* bytes written per dark module at most */

const char *totp_qr_svg(arena_t *ar, const char *text)
{
    QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!qr)
        return NULL;
    int w = qr->width, size = w + 2 * QR_QUIET;
    size_t cap = (size_t)w * (size_t)w * QR_CELL + 512, o = 0;
    char *svg = arena_alloc(ar, cap);
    if (svg) {
        o += (size_t)snprintf(svg + o, cap - o,
                              "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\""
                              " shape-rendering=\"crispEdges\"><rect width=\"%d\" height=\"%d\""
                              " fill=\"#fff\"/><path fill=\"#000\" d=\"",
                              size, size, size, size);
        for (int y = 0; y < w; y++)
            for (int x = 0; x < w; x++)
                if (qr->data[y * w + x] & 1)
                    o += (size_t)snprintf(svg + o, cap - o, "M%d %dh1v1h-1z", x + QR_QUIET,
                                          y + QR_QUIET);
        snprintf(svg + o, cap - o, "\"/></svg>");
    }
    QRcode_free(qr);
    return svg;
}
