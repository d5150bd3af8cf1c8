/* Form bodies and W3C datetimes of Open311 clients (form.h). */
#include "http/form.h"

#include "core/text.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static int hexval(char h)
{
    if (h >= '0' && h <= '9')
        return h - '0';
    h = (char)(h | 32);
    return h >= 'a' && h <= 'f' ? h - 'a' + 10 : -1;
}

/* s[0..n) percent-decoded into ar; NULL for a bad escape, a decoded NUL
 * or text that is not UTF-8 (ERR_INVALID), or no memory (*oom). */
static char *decode(arena_t *ar, const char *s, size_t n, bool *oom)
{
    char *o = arena_alloc(ar, n + 1), *w = o;
    if (!o) {
        *oom = true;
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+') {
            *w++ = ' ';
        } else if (s[i] == '%') {
            if (i + 2 >= n)
                return NULL;
            int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
                return NULL;
            *w++ = (char)(hi * 16 + lo);
            i += 2;
        } else if (s[i] == '\0') {
            return NULL;
        } else {
            *w++ = s[i];
        }
    }
    *w = '\0';
    return text_utf8_valid(o, (size_t)(w - o)) ? o : NULL;
}

err_t form_parse(arena_t *ar, const char *body, size_t len, form_field *f, size_t max, size_t *n)
{
    const char *p = body, *end = body + len;
    bool oom = false;
    *n = 0;
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp ? amp : end;
        const char *eq = memchr(p, '=', (size_t)(stop - p));
        if (stop > p) {
            if (*n >= max)
                return ERR_INVALID;
            f[*n].key = decode(ar, p, (size_t)((eq ? eq : stop) - p), &oom);
            f[*n].value = eq ? decode(ar, eq + 1, (size_t)(stop - eq - 1), &oom) : "";
            if (!f[*n].key || !f[*n].value)
                return oom ? ERR_NOMEM : ERR_INVALID;
            (*n)++;
        }
        p = stop + 1;
    }
    return ERR_OK;
}

/* n digits at *p into *v, moving *p; false when one is not a digit. */
static bool digits(const char **p, int n, int *v)
{
    *v = 0;
    for (int i = 0; i < n; i++, (*p)++) {
        if (**p < '0' || **p > '9')
            return false;
        *v = *v * 10 + (**p - '0');
    }
    return true;
}

/* The zone at p: Z, +HH:MM, +HHMM or nothing (UTC), in minutes east. */
static bool zone(const char *p, int *off)
{
    int h, m, sign = 1;
    *off = 0;
    if (*p == 'Z' || *p == 'z')
        return p[1] == '\0';
    if (*p == '\0')
        return true;
    if (*p != '+' && *p != '-')
        return false;
    sign = *p++ == '-' ? -1 : 1;
    if (!digits(&p, 2, &h))
        return false;
    if (*p == ':')
        p++;
    if (!digits(&p, 2, &m) || *p || h > 14 || m > 59)
        return false;
    *off = sign * (h * 60 + m);
    return true;
}

bool form_w3c_time(const char *s, int64_t *out)
{
    int y, mo, d, h = 0, mi = 0, sec = 0, off = 0;
    const char *p = s;
    if (!digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) || *p++ != '-' ||
        !digits(&p, 2, &d))
        return false;
    if (*p == 'T' || *p == 't') {
        p++;
        if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi))
            return false;
        if (*p == ':') {
            p++;
            if (!digits(&p, 2, &sec))
                return false;
            if (*p == '.') {
                p++;
                if (*p < '0' || *p > '9')
                    return false;
                while (*p >= '0' && *p <= '9')
                    p++;
            }
        }
        if (!zone(p, &off))
            return false;
    } else if (*p) {
        return false;
    }
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
        return false;
    struct tm tm = {.tm_year = y - 1900,
                    .tm_mon = mo - 1,
                    .tm_mday = d,
                    .tm_hour = h,
                    .tm_min = mi,
                    .tm_sec = sec};
    time_t t = timegm(&tm);
    if (t == (time_t)-1 || tm.tm_mday != d || tm.tm_mon != mo - 1)
        return false; /* 2026-02-30 */
    *out = (int64_t)t - (int64_t)off * 60;
    return true;
}

void form_w3c_format(int64_t t, int offset_min, char out[FORM_TIME_BUF])
{
    time_t local = (time_t)(t + (int64_t)offset_min * 60);
    struct tm tm;
    int a = offset_min < 0 ? -offset_min : offset_min;
    if (!gmtime_r(&local, &tm)) {
        snprintf(out, FORM_TIME_BUF, "1970-01-01T00:00:00Z");
        return;
    }
    snprintf(out, FORM_TIME_BUF, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
             offset_min < 0 ? '-' : '+', a / 60, a % 60);
}
