/* totp: one-time codes of RFC 6238 (TOTP) over RFC 4226 (HOTP), with
 * HMAC-SHA-1, 30-second steps and 6 digits: the parameters every
 * authenticator app accepts (issue 19 §3). The key travels as base32
 * (RFC 4648, no padding) in an otpauth:// URI; QR codes are drawn by
 * totp_qr_svg with libqrencode. No clock here: times are passed in. */
#ifndef ADUAN_TOTP_H
#define ADUAN_TOTP_H

#include "core/arena.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TOTP_KEY_LEN 20 /* bytes of a generated key: SHA-1's block of 160 bits */
#define TOTP_B32_BUF 64 /* base32 of a key up to 35 bytes, and the NUL */
#define TOTP_STEP_S  30
#define TOTP_DIGITS  6
/* Steps either side of now a code may come from: a phone whose clock is
 * half a minute off, or a code typed as it changed. */
#define TOTP_WINDOW 1

/* HOTP(key, counter) truncated to digits (6..8) decimal digits; returns
 * the number (print it with leading zeros). */
uint32_t totp_hotp(const uint8_t *key, size_t keylen, uint64_t counter, int digits);

/* Base32 (A-Z2-7, no padding) of n bytes into out (cap >= 8*n/5+2). */
void totp_b32_encode(const uint8_t *in, size_t n, char *out, size_t cap);
/* Decodes base32 (case-insensitive; spaces and '=' ignored) into out;
 * returns the bytes written, or -1 on a bad character or overflow. */
int totp_b32_decode(const char *in, uint8_t *out, size_t cap);

/* A new random key as base32 (TOTP_B32_BUF). */
void totp_new_secret(char out[TOTP_B32_BUF]);

/* Checks a 6-digit code against the base32 secret at time now within
 * TOTP_WINDOW steps, refusing steps at or before after_step (a code used
 * once, or an older one: no replay). Returns the matching step, or -1. */
int64_t totp_check(const char *secret_b32, const char *code, int64_t now, int64_t after_step);

/* The otpauth:// URI of the key for an app (issuer "aduan", the login as
 * the account), in ar. */
const char *totp_uri(arena_t *ar, const char *issuer, const char *login, const char *secret_b32);

/* The QR code of text as a standalone SVG document in ar; NULL on failure. */
const char *totp_qr_svg(arena_t *ar, const char *text);

#endif
