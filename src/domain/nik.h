/* nik: checking a Nomor Induk Kependudukan (DOMAIN.md §4).
 *
 * Pure: no I/O. The NIK is `PP KK CC DDMMYY SSSS`: province, kabupaten/kota
 * and kecamatan of first registration, date of birth (women: day + 40) and
 * a serial. nik_check is structural: a province code other than 00, a
 * kabupaten (01-69) or kota (71-99) code, a kecamatan code other than 00, a
 * calendar date and a serial other than 0000. Whether the region still
 * exists is nik_region_check's question, and its answer is a warning for
 * the operator, never a refusal: codes change with pemekaran (Kalimantan
 * Utara 2012, the Papua provinces 2022) and a person keeps the NIK of
 * their first registration. */
#ifndef ADUAN_NIK_H
#define ADUAN_NIK_H

#include <stdbool.h>
#include <stddef.h>

#define NIK_LEN 16
/* "6311********0001" and its NUL. */
#define NIK_MASKED_BUF (NIK_LEN + 1)

typedef enum {
    NIK_OK,
    NIK_LENGTH,    /* not 16 characters */
    NIK_DIGITS,    /* something other than a digit */
    NIK_PROVINCE,  /* 00 */
    NIK_KABKOTA,   /* 00 or 70 */
    NIK_KECAMATAN, /* 00 */
    NIK_DAY,       /* not 01-31 or 41-71 */
    NIK_MONTH,     /* not 01-12 */
    NIK_DATE,      /* no such day in that month, in either century */
    NIK_SERIAL,    /* 0000 */
    NIK__COUNT
} nik_result;

typedef struct {
    char region[7]; /* PPKKCC */
    int day, month, yy;
    bool female;
} nik_info;

/* Checks the len bytes at s (spaces, dots and dashes between digits are
 * allowed and ignored). Returns NIK_OK and fills out (may be NULL) and
 * digits (may be NULL; 16 digits and a NUL) or the first problem found. */
nik_result nik_check(const char *s, size_t len, nik_info *out, char digits[NIK_LEN + 1]);

/* What the region digits (PP KK CC) of a checked NIK say. */
typedef enum {
    NIK_REGION_KNOWN,     /* as far as this deployment knows, a real place */
    NIK_REGION_PROVINCE,  /* no province has this code today */
    NIK_REGION_KABKOTA,   /* no kabupaten/kota of the province has it today */
    NIK_REGION_KECAMATAN, /* the kabupaten's kecamatan are known, and it is none of them */
} nik_region;

/* Checks the region of the 16 digits (from nik_check) against the
 * Kemendagri province and kabupaten/kota codes built in, and against the
 * kecamatan codes the deployment knows (known[0..n), "63.11.06" style, any
 * order): a kecamatan is judged only in a kabupaten with at least one
 * known kecamatan. */
nik_region nik_region_check(const char *digits, const char *const *known, size_t n);

/* The operator's warning for r, in lang ("id" or "en"), naming the code
 * (e.g. "63.11.09"); "" for NIK_REGION_KNOWN. Written into out. */
void nik_region_warning(nik_region r, const char *digits, const char *lang, char *out, size_t cap);

/* Why, for the citizen, in lang ("id" or "en"); "" for NIK_OK. */
const char *nik_reason(nik_result r, const char *lang);

/* The NIK with its middle eight digits hidden, for screens and logs. */
void nik_mask(const char *digits, char out[NIK_MASKED_BUF]);

/* Encryption at rest (DOMAIN.md §4), with libsodium's secretbox under the
 * 32-byte key given as 64 hex digits: "v1:" and the base64url of nonce and
 * box. A NIK sealed twice looks different each time. */
#define NIK_SEALED_BUF 128
/* Returns 0 with out filled, -1 for a bad key. */
int nik_seal(const char *hex_key, const char *digits, char out[NIK_SEALED_BUF]);
/* Returns 0 with the 16 digits in out; -1 when sealed is not ours (wrong
 * key, damaged). A value without the "v1:" prefix is returned as is
 * (stored before a key was set). */
int nik_open(const char *hex_key, const char *sealed, char out[NIK_LEN + 1]);

#endif
