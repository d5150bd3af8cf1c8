#include "domain/nik.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* Province codes of Kemendagri (Permendagri 58/2021 and the Papua
 * provinces of 2022). A NIK keeps the province of first registration. */
static const int provinces[] = {11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33,
                                34, 35, 36, 51, 52, 53, 61, 62, 63, 64, 65, 71, 72,
                                73, 74, 75, 76, 81, 82, 91, 92, 93, 94, 95, 96};

/* The kabupaten (01-69) and kota (71-99) codes of each province today,
 * as ranges, from the Kemendagri code list (Permendagri 58/2021 and its
 * updates through the Papua provinces of 2022). Gaps are codes that moved
 * to a new province: 64.04-64.06 went to Kalimantan Utara (65), most of
 * 91 to Papua Selatan, Tengah and Pegunungan (93-95), part of 92 to Papua
 * Barat Daya (96). A NIK issued before such a move keeps the old code,
 * which is why an unknown code is a warning, not a refusal. */
static const struct {
    int province;
    const char *codes; /* "a-b" ranges and single codes, space-separated */
} kabkota[] = {
    {11, "01-18 71-75"},
    {12, "01-25 71-78"},
    {13, "01-12 71-77"},
    {14, "01-10 71-72"},
    {15, "01-09 71-72"},
    {16, "01-13 71-74"},
    {17, "01-09 71"},
    {18, "01-13 71-72"},
    {19, "01-06 71"},
    {21, "01-05 71-72"},
    {31, "01 71-75"},
    {32, "01-18 71-79"},
    {33, "01-29 71-76"},
    {34, "01-04 71"},
    {35, "01-29 71-79"},
    {36, "01-04 71-74"},
    {51, "01-08 71"},
    {52, "01-08 71-72"},
    {53, "01-21 71"},
    {61, "01-12 71-72"},
    {62, "01-13 71"},
    {63, "01-11 71-72"},
    {64, "01-03 07-09 11 71-72 74"},
    {65, "01-04 71"},
    {71, "01-11 71-74"},
    {72, "01-12 71"},
    {73, "01-18 22 24 26 71-73"},
    {74, "01-15 71-72"},
    {75, "01-05 71"},
    {76, "01-06"},
    {81, "01-09 71-72"},
    {82, "01-08 71-72"},
    {91, "03 05-06 10-11 15 19-20 71"},
    {92, "02-03 06-08 11-12"},
    {93, "01-04"},
    {94, "01-08"},
    {95, "01-08"},
    {96, "01-05 71"},
};

/* Whether code is one of the ranges of list ("01-18 71-75"). */
static bool in_ranges(const char *list, int code)
{
    const char *p = list;
    while (*p) {
        int lo = (p[0] - '0') * 10 + (p[1] - '0'), hi = lo;
        p += 2;
        if (*p == '-') {
            hi = (p[1] - '0') * 10 + (p[2] - '0');
            p += 3;
        }
        if (code >= lo && code <= hi)
            return true;
        while (*p == ' ')
            p++;
    }
    return false;
}

static bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int days_in(int month, int year)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && leap(year) ? 29 : d[month - 1];
}

static int two(const char *p) { return (p[0] - '0') * 10 + (p[1] - '0'); }

nik_result nik_check(const char *s, size_t len, nik_info *out, char digits[NIK_LEN + 1])
{
    char d[NIK_LEN + 1];
    size_t n = 0;
    /* Separators people type (6311 0601 0190 0001, 6311.06...) are fine,
     * but only between digits. */
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9') {
            if (n == NIK_LEN)
                return NIK_LENGTH;
            d[n++] = c;
        } else if ((c == ' ' || c == '.' || c == '-') && n > 0 && i + 1 < len) {
            continue;
        } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            continue; /* leading or trailing blanks */
        } else {
            return NIK_DIGITS;
        }
    }
    if (n != NIK_LEN)
        return NIK_LENGTH;
    d[n] = '\0';
    int pp = two(d), kk = two(d + 2), cc = two(d + 4);
    if (pp == 0)
        return NIK_PROVINCE;
    if (kk == 0 || kk == 70)
        return NIK_KABKOTA;
    if (cc == 0)
        return NIK_KECAMATAN;
    int dd = two(d + 6), mm = two(d + 8), yy = two(d + 10);
    bool female = dd > 40;
    if (female)
        dd -= 40;
    if (dd < 1 || dd > 31)
        return NIK_DAY;
    if (mm < 1 || mm > 12)
        return NIK_MONTH;
    /* The century is not written: the date must exist in one of them. */
    if (dd > days_in(mm, 1900 + yy) && dd > days_in(mm, 2000 + yy))
        return NIK_DATE;
    if (strcmp(d + 12, "0000") == 0)
        return NIK_SERIAL;
    if (out) {
        memcpy(out->region, d, 6);
        out->region[6] = '\0';
        out->day = dd;
        out->month = mm;
        out->yy = yy;
        out->female = female;
    }
    if (digits)
        memcpy(digits, d, NIK_LEN + 1);
    return NIK_OK;
}

static const char *const reasons[NIK__COUNT][2] = {
    {"", ""},
    {"NIK harus 16 angka.", "The NIK must be 16 digits."},
    {"NIK hanya berisi angka.", "The NIK has digits only."},
    {"Dua angka pertama NIK bukan kode provinsi.",
     "The first two digits of the NIK are not a province code."},
    {"Angka ke-3 dan ke-4 NIK bukan kode kabupaten/kota.",
     "Digits 3-4 of the NIK are not a regency/city code."},
    {"Angka ke-5 dan ke-6 NIK bukan kode kecamatan.",
     "Digits 5-6 of the NIK are not a district (kecamatan) code."},
    {"Tanggal lahir pada NIK (angka ke-7 dan ke-8) harus 01-31, atau 41-71 untuk perempuan.",
     "The day of birth in the NIK (digits 7-8) must be 01-31, or 41-71 for women."},
    {"Bulan lahir pada NIK (angka ke-9 dan ke-10) harus 01-12.",
     "The month of birth in the NIK (digits 9-10) must be 01-12."},
    {"Tanggal lahir pada NIK tidak ada di kalender.",
     "The date of birth in the NIK is not a calendar date."},
    {"Empat angka terakhir NIK tidak boleh 0000.",
     "The last four digits of the NIK cannot be 0000."},
};

nik_region nik_region_check(const char *digits, const char *const *known, size_t n)
{
    if (!digits || strlen(digits) < 6)
        return NIK_REGION_KNOWN;
    int pp = two(digits), kk = two(digits + 2);
    bool province = false;
    for (size_t i = 0; i < sizeof provinces / sizeof *provinces; i++)
        province |= provinces[i] == pp;
    if (!province)
        return NIK_REGION_PROVINCE;
    bool kab = false;
    for (size_t i = 0; i < sizeof kabkota / sizeof *kabkota; i++)
        if (kabkota[i].province == pp)
            kab = in_ranges(kabkota[i].codes, kk);
    if (!kab)
        return NIK_REGION_KABKOTA;
    /* "PP.KK.CC", the form of the region table. */
    char code[9];
    snprintf(code, sizeof code, "%.2s.%.2s.%.2s", digits, digits + 2, digits + 4);
    bool judged = false;
    for (size_t i = 0; i < n; i++) {
        if (!known[i] || strncmp(known[i], code, 6) != 0)
            continue;
        if (strcmp(known[i], code) == 0)
            return NIK_REGION_KNOWN;
        judged = true; /* a kecamatan of the same kabupaten is known */
    }
    return judged ? NIK_REGION_KECAMATAN : NIK_REGION_KNOWN;
}

/* The operator's warnings, by nik_region and language: the text before
 * and after the code in question. */
static const char *const warnings[][2][2] = {
    {{"", ""}, {"", ""}},
    {{"Kode provinsi ", " pada NIK tidak ada saat ini. Cocokkan NIK dengan KTP-el atau KK "
                        "sebelum diproses."},
     {"Province code ", " of the NIK does not exist today. Check the NIK against the KTP-el or "
                        "KK before processing."}},
    {{"Kode kabupaten/kota ", " pada NIK tidak ada saat ini (mungkin kode lama sebelum "
                              "pemekaran). Cocokkan NIK dengan KTP-el atau KK sebelum diproses."},
     {"Regency/city code ", " of the NIK does not exist today (perhaps an old code from before "
                            "a split). Check the NIK against the KTP-el or KK before processing."}},
    {{"Kode kecamatan ", " pada NIK tidak termasuk kecamatan yang dikenal (mungkin kode lama "
                         "sebelum pemekaran). Cocokkan NIK dengan KTP-el atau KK sebelum "
                         "diproses."},
     {"Kecamatan code ", " of the NIK is not one of the kecamatan known here (perhaps an old "
                         "code from before a split). Check the NIK against the KTP-el or KK "
                         "before processing."}},
};

void nik_region_warning(nik_region r, const char *digits, const char *lang, char *out, size_t cap)
{
    char code[9];
    if (cap == 0)
        return;
    out[0] = '\0';
    if (!digits || strlen(digits) < 6 || r <= NIK_REGION_KNOWN || r > NIK_REGION_KECAMATAN)
        return;
    /* As the region table writes it: 63, 63.11, 63.11.06. */
    if (r == NIK_REGION_PROVINCE)
        snprintf(code, sizeof code, "%.2s", digits);
    else if (r == NIK_REGION_KABKOTA)
        snprintf(code, sizeof code, "%.2s.%.2s", digits, digits + 2);
    else
        snprintf(code, sizeof code, "%.2s.%.2s.%.2s", digits, digits + 2, digits + 4);
    const char *const *w = warnings[r][lang && strcmp(lang, "en") == 0 ? 1 : 0];
    snprintf(out, cap, "%s%s%s", w[0], code, w[1]);
}

const char *nik_reason(nik_result r, const char *lang)
{
    if ((unsigned)r >= NIK__COUNT)
        r = NIK_LENGTH;
    return reasons[r][lang && strcmp(lang, "en") == 0 ? 1 : 0];
}

void nik_mask(const char *digits, char out[NIK_MASKED_BUF])
{
    if (!digits || strlen(digits) != NIK_LEN) {
        snprintf(out, NIK_MASKED_BUF, "****************");
        return;
    }
    snprintf(out, NIK_MASKED_BUF, "%.4s********%.4s", digits, digits + 12);
}

static int key_of(const char *hex, unsigned char key[crypto_secretbox_KEYBYTES])
{
    size_t len = 0;
    if (!hex || strlen(hex) != 2 * crypto_secretbox_KEYBYTES)
        return -1;
    return sodium_hex2bin(key, crypto_secretbox_KEYBYTES, hex, strlen(hex), NULL, &len, NULL) ==
                       0 &&
                   len == crypto_secretbox_KEYBYTES
               ? 0
               : -1;
}

#define SEAL_RAW (crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + NIK_LEN)

int nik_seal(const char *hex_key, const char *digits, char out[NIK_SEALED_BUF])
{
    unsigned char key[crypto_secretbox_KEYBYTES], raw[SEAL_RAW];
    if (key_of(hex_key, key) != 0 || !digits || strlen(digits) != NIK_LEN)
        return -1;
    randombytes_buf(raw, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(raw + crypto_secretbox_NONCEBYTES, (const unsigned char *)digits, NIK_LEN,
                          raw, key);
    sodium_memzero(key, sizeof key);
    memcpy(out, "v1:", 3);
    sodium_bin2base64(out + 3, NIK_SEALED_BUF - 3, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return 0;
}

int nik_open(const char *hex_key, const char *sealed, char out[NIK_LEN + 1])
{
    unsigned char key[crypto_secretbox_KEYBYTES], raw[SEAL_RAW + 8];
    size_t len = 0;
    if (!sealed)
        return -1;
    if (strncmp(sealed, "v1:", 3) != 0) {
        if (strlen(sealed) != NIK_LEN)
            return -1;
        memcpy(out, sealed, NIK_LEN + 1);
        return 0;
    }
    if (key_of(hex_key, key) != 0)
        return -1;
    int rc = -1;
    if (sodium_base642bin(raw, sizeof raw, sealed + 3, strlen(sealed + 3), NULL, &len, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0 &&
        len == SEAL_RAW &&
        crypto_secretbox_open_easy((unsigned char *)out, raw + crypto_secretbox_NONCEBYTES,
                                   len - crypto_secretbox_NONCEBYTES, raw, key) == 0) {
        out[NIK_LEN] = '\0';
        rc = 0;
    }
    sodium_memzero(key, sizeof key);
    return rc;
}
