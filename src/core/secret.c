#include "core/secret.h"

#include <sodium.h>
#include <string.h>

/* argon2id at OWASP's minimum (19 MiB, 2 passes): a login costs tens of
 * milliseconds on a cheap laptop and stays within the memory target. */
#define PW_OPSLIMIT 2
#define PW_MEMLIMIT (19u * 1024u * 1024u)

err_t secret_init(void) { return sodium_init() < 0 ? ERR_INTERNAL : ERR_OK; }

err_t secret_password_hash(const char *password, char out[SECRET_HASH_BUF])
{
    if (crypto_pwhash_str_alg(out, password, strlen(password), PW_OPSLIMIT, PW_MEMLIMIT,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        return ERR_NOMEM;
    return ERR_OK;
}

int secret_password_verify(const char *hash, const char *password)
{
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

void secret_token(char out[SECRET_TOKEN_BUF])
{
    unsigned char r[32];
    randombytes_buf(r, sizeof r);
    sodium_bin2base64(out, SECRET_TOKEN_BUF, r, sizeof r, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void secret_sha256_hex(const void *data, size_t len, char out[SECRET_DIGEST_BUF])
{
    unsigned char d[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(d, data, len);
    sodium_bin2hex(out, SECRET_DIGEST_BUF, d, sizeof d);
}

int secret_equal(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la != lb)
        return 0;
    return sodium_memcmp(a, b, la) == 0;
}

/* The 32-byte key of 64 hex digits; -1 when it is not one. */
static int seal_key(const char *hex, unsigned char key[crypto_secretbox_KEYBYTES])
{
    size_t len = 0;
    if (!hex || strlen(hex) != 2 * crypto_secretbox_KEYBYTES)
        return -1;
    if (sodium_hex2bin(key, crypto_secretbox_KEYBYTES, hex, strlen(hex), NULL, &len, NULL) != 0 ||
        len != crypto_secretbox_KEYBYTES)
        return -1;
    return 0;
}

char *secret_seal(arena_t *ar, const char *hex_key, const void *data, size_t len)
{
    unsigned char key[crypto_secretbox_KEYBYTES];
    const size_t prefix = sizeof SECRET_SEAL_PREFIX - 1;
    if (seal_key(hex_key, key) != 0)
        return NULL;
    size_t raw_len = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + len;
    size_t b64 = sodium_base64_ENCODED_LEN(raw_len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    unsigned char *raw = arena_alloc(ar, raw_len);
    char *out = arena_alloc(ar, prefix + b64);
    if (raw && out) {
        randombytes_buf(raw, crypto_secretbox_NONCEBYTES);
        crypto_secretbox_easy(raw + crypto_secretbox_NONCEBYTES, data, len, raw, key);
        memcpy(out, SECRET_SEAL_PREFIX, prefix);
        sodium_bin2base64(out + prefix, b64, raw, raw_len,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    }
    sodium_memzero(key, sizeof key);
    return raw ? out : NULL;
}

char *secret_open(arena_t *ar, const char *hex_key, const char *sealed, size_t *len)
{
    unsigned char key[crypto_secretbox_KEYBYTES];
    const size_t prefix = sizeof SECRET_SEAL_PREFIX - 1;
    size_t raw_len = 0;
    if (!sealed || strncmp(sealed, SECRET_SEAL_PREFIX, prefix) != 0 || seal_key(hex_key, key) != 0)
        return NULL;
    size_t b64 = strlen(sealed + prefix);
    /* base64 carries 3 bytes in 4 characters. */
    unsigned char *raw = arena_alloc(ar, b64 / 4 * 3 + 3);
    char *out = NULL;
    if (raw &&
        sodium_base642bin(raw, b64 / 4 * 3 + 3, sealed + prefix, b64, NULL, &raw_len, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0 &&
        raw_len >= crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
        size_t n = raw_len - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
        out = arena_alloc(ar, n + 1);
        if (out &&
            crypto_secretbox_open_easy((unsigned char *)out, raw + crypto_secretbox_NONCEBYTES,
                                       raw_len - crypto_secretbox_NONCEBYTES, raw, key) == 0) {
            out[n] = '\0';
            if (len)
                *len = n;
        } else {
            out = NULL;
        }
    }
    sodium_memzero(key, sizeof key);
    return out;
}
