/* secret: passwords, session tokens and digests, all on libsodium.
 *
 * Call secret_init() once before any other function. */
#ifndef ADUAN_SECRET_H
#define ADUAN_SECRET_H

#include "core/arena.h"
#include "core/err.h"

#include <stddef.h>

#define SECRET_HASH_BUF     128 /* crypto_pwhash_STRBYTES */
#define SECRET_TOKEN_BUF    48  /* 32 random bytes as unpadded base64url + NUL */
#define SECRET_DIGEST_BUF   65  /* sha256 as hex + NUL */
#define SECRET_PASSWORD_MIN 8
#define SECRET_PASSWORD_MAX 256

/* Returns ERR_OK, or ERR_INTERNAL when libsodium cannot start. */
err_t secret_init(void) __attribute__((warn_unused_result));

/* Hashes a password with argon2id into out (an encoded string with salt and
 * parameters). Returns ERR_NOMEM when the hash memory cannot be had. */
err_t secret_password_hash(const char *password, char out[SECRET_HASH_BUF])
    __attribute__((warn_unused_result));

/* Returns 1 when password matches the stored hash, 0 otherwise. */
int secret_password_verify(const char *hash, const char *password);

/* Writes a new random token (base64url, no padding). */
void secret_token(char out[SECRET_TOKEN_BUF]);

/* Writes the hex sha256 of data. */
void secret_sha256_hex(const void *data, size_t len, char out[SECRET_DIGEST_BUF]);

/* Constant-time comparison of two NUL-terminated strings; 1 when equal. */
int secret_equal(const char *a, const char *b);

/* Encryption at rest of any text (a dead letter's body, issue #13.6), in
 * the form of the NIKs' (domain/nik.h): libsodium's secretbox under the
 * 32-byte key given as 64 hex digits, written "v1:" + base64url(nonce ||
 * box). Sealing the same text twice gives different results. */
#define SECRET_SEAL_PREFIX "v1:"
/* The sealed form of the len bytes at data, owned by ar; NULL for a bad
 * key or when out of memory. */
char *secret_seal(arena_t *ar, const char *hex_key, const void *data, size_t len);
/* The text sealed in sealed (NUL-terminated, *len bytes without the NUL
 * when len is not NULL), owned by ar; NULL when it is not sealed with this
 * key (wrong key, damaged, not sealed at all) or out of memory. */
char *secret_open(arena_t *ar, const char *hex_key, const char *sealed, size_t *len);

#endif
