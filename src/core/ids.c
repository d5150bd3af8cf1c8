#include "core/ids.h"

#include <sodium.h>
#include <stdint.h>
#include <string.h>

static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

void ids_tracking_new(char out[IDS_CODE_BUF])
{
    unsigned char r[5];
    randombytes_buf(r, sizeof r);
    uint64_t v = 0;
    for (int i = 0; i < 5; i++)
        v = (v << 8) | r[i];
    for (int i = IDS_CODE_LEN - 1; i >= 0; i--) {
        out[i] = alphabet[v & 31];
        v >>= 5;
    }
    out[IDS_CODE_LEN] = '\0';
}

/* Crockford decoding of one symbol, or -1. */
static int symbol(char c)
{
    if (c >= 'a' && c <= 'z')
        c = (char)(c - 'a' + 'A');
    if (c == 'I' || c == 'L')
        return 1;
    if (c == 'O')
        return 0;
    const char *p = c ? strchr(alphabet, c) : NULL;
    return p ? (int)(p - alphabet) : -1;
}

int ids_tracking_normalize(const char *in, char out[IDS_CODE_BUF])
{
    size_t n = 0;
    for (const char *p = in; *p; p++) {
        if (*p == '-' || *p == ' ')
            continue;
        int s = symbol(*p);
        if (s < 0 || n >= IDS_CODE_LEN)
            return -1;
        out[n++] = alphabet[s];
    }
    if (n != IDS_CODE_LEN)
        return -1;
    out[n] = '\0';
    return 0;
}

void ids_tracking_format(const char *code, char out[IDS_SHOWN_BUF])
{
    memcpy(out, code, 4);
    out[4] = '-';
    memcpy(out + 5, code + 4, 4);
    out[9] = '\0';
}
