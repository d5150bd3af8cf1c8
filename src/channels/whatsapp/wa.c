#include "channels/whatsapp/wa.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static void hmac(const char *secret, const void *body, size_t len,
                 unsigned char out[crypto_auth_hmacsha256_BYTES])
{
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&st, body, len);
    crypto_auth_hmacsha256_final(&st, out);
    sodium_memzero(&st, sizeof st);
}

bool wa_signature_valid(const char *app_secret, const char *header, const void *body, size_t len)
{
    unsigned char want[crypto_auth_hmacsha256_BYTES], got[crypto_auth_hmacsha256_BYTES];
    size_t got_len = 0;
    if (!app_secret || !*app_secret || !header || strncmp(header, "sha256=", 7) != 0)
        return false;
    const char *hex = header + 7;
    if (strlen(hex) != 2 * sizeof got ||
        sodium_hex2bin(got, sizeof got, hex, strlen(hex), NULL, &got_len, NULL) != 0 ||
        got_len != sizeof got)
        return false;
    hmac(app_secret, body, len, want);
    return sodium_memcmp(want, got, sizeof want) == 0;
}

void wa_signature(const char *app_secret, const void *body, size_t len, char *out, size_t cap)
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    char hex[2 * sizeof mac + 1];
    hmac(app_secret, body, len, mac);
    sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
    snprintf(out, cap, "sha256=%s", hex);
}
