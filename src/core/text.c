#include "core/text.h"

#include <stdio.h>
#include <string.h>

bool text_utf8_valid(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i];
        if (c == 0)
            return false;
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        unsigned cp, min;
        if ((c & 0xE0) == 0xC0) {
            n = 1, cp = c & 0x1F, min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2, cp = c & 0x0F, min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            n = 3, cp = c & 0x07, min = 0x10000;
        } else {
            return false;
        }
        if (len - i <= n)
            return false;
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += n + 1;
    }
    return true;
}

size_t text_utf8_len(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

int text_phone_normalize(const char *in, char *out, size_t cap, bool *mobile)
{
    char d[32];
    size_t n = 0;
    for (const char *p = in; *p; p++) {
        if (*p >= '0' && *p <= '9') {
            if (n >= sizeof d - 1)
                return -1;
            d[n++] = *p;
        } else if (!(*p == '+' || *p == ' ' || *p == '-' || *p == '(' || *p == ')' || *p == '.')) {
            return -1;
        }
    }
    d[n] = '\0';
    const char *body = d;
    const char *prefix = "";
    if (d[0] == '0') {
        prefix = "62";
        body = d + 1;
    } else if (d[0] == '8') {
        prefix = "62";
    }
    size_t total = strlen(prefix) + strlen(body);
    if (total < 8 || total > 15 || total + 1 > cap)
        return -1;
    /* E.164 numbers start with a country code (never 0), and in Indonesia
     * the number after 62 does not start with 0 either. */
    if (body[0] == '0' || (strncmp(d, "62", 2) == 0 && d[2] == '0'))
        return -1;
    snprintf(out, cap, "%s%s", prefix, body);
    if (mobile)
        *mobile = strncmp(out, "628", 3) == 0 && total >= 10 && total <= 14;
    return 0;
}

size_t text_trim(const char *s, const char **start)
{
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        n--;
    *start = s;
    return n;
}

char *text_num_id(char *out, size_t cap, double v, int decimals)
{
    if (!cap)
        return out;
    if (v != v) {
        snprintf(out, cap, "-");
        return out;
    }
    if (decimals < 0)
        decimals = 0;
    snprintf(out, cap, "%.*f", decimals, v);
    /* "%f" writes the C locale's point; Indonesian uses the comma. */
    char *dot = strchr(out, '.');
    if (dot)
        *dot = ',';
    /* No "-0,0": a rounding to zero has no sign. */
    if (out[0] == '-' && strspn(out + 1, "0,") == strlen(out + 1))
        memmove(out, out + 1, strlen(out));
    return out;
}

const char *text_cut(arena_t *ar, const char *s, size_t max)
{
    if (!s || text_utf8_len(s) <= max)
        return s;
    size_t bytes = 0, cps = 0;
    while (s[bytes] && cps < max - 1) {
        bytes++;
        while ((s[bytes] & 0xC0) == 0x80)
            bytes++;
        cps++;
    }
    return arena_printf(ar, "%.*s…", (int)bytes, s);
}
