#define _GNU_SOURCE /* tm_gmtoff, timegm */
#include "core/clock.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void clock_init(const char *tz_name)
{
    setenv("TZ", tz_name, 1);
    tzset();
}

int64_t clock_now(void) { return (int64_t)time(NULL); }

void clock_format(int64_t t, char out[CLOCK_ISO_BUF])
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    long off = tm.tm_gmtoff / 60;
    char sign = off < 0 ? '-' : '+';
    if (off < 0)
        off = -off;
    snprintf(out, CLOCK_ISO_BUF, "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, sign, off / 60, off % 60);
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

int clock_parse(const char *s, int end_of_day, int64_t *t)
{
    int y, mo, d, h = 0, mi = 0, se = 0;
    size_t len = strlen(s);
    if (len < 10 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) || s[7] != '-' ||
        digits(s + 8, 2, &d))
        return -1;
    /* A day the month does not have is an error, not the next month. */
    if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
        return -1;
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    if (len == 10) {
        tm.tm_isdst = -1;
        if (end_of_day)
            tm.tm_mday += 1;
        time_t r = mktime(&tm);
        if (r == (time_t)-1)
            return -1;
        *t = (int64_t)r;
        return 0;
    }
    if (len < 20 || s[10] != 'T' || digits(s + 11, 2, &h) || s[13] != ':' ||
        digits(s + 14, 2, &mi) || s[16] != ':' || digits(s + 17, 2, &se))
        return -1;
    if (h > 23 || mi > 59 || se > 59)
        return -1;
    const char *z = s + 19;
    long off = 0;
    if (strcmp(z, "Z") == 0) {
        off = 0;
    } else if ((z[0] == '+' || z[0] == '-') && strlen(z) == 6 && z[3] == ':') {
        int oh, om;
        if (digits(z + 1, 2, &oh) || digits(z + 4, 2, &om) || oh > 14 || om > 59)
            return -1;
        off = (oh * 60L + om) * 60L * (z[0] == '-' ? -1 : 1);
    } else {
        return -1;
    }
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = se;
    *t = (int64_t)timegm(&tm) - off;
    return 0;
}
