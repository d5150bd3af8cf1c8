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
