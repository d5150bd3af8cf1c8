#include "domain/calendar.h"

#include <stdio.h>
#include <string.h>

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int cal_zone_offset(const char *iana, int *offset_min)
{
    static const struct {
        const char *name;
        int offset;
    } zones[] = {
        {"Asia/Jakarta", 420},  {"Asia/Pontianak", 420},
        {"Asia/Makassar", 480}, {"Asia/Ujung_Pandang", 480},
        {"Asia/Jayapura", 540}, {"UTC", 0},
        {"Etc/UTC", 0},
    };
    for (size_t i = 0; iana && i < sizeof zones / sizeof zones[0]; i++) {
        if (strcmp(iana, zones[i].name) == 0) {
            *offset_min = zones[i].offset;
            return 0;
        }
    }
    return -1;
}

void cal_default(cal_t *c, int utc_offset_min)
{
    memset(c, 0, sizeof *c);
    c->utc_offset_min = utc_offset_min;
    for (int d = 1; d <= 4; d++)
        c->week[d] = (cal_hours){7 * 60 + 30, 16 * 60};
    c->week[5] = (cal_hours){7 * 60 + 30, 16 * 60 + 30};
}

/* Howard Hinnant's days_from_civil / civil_from_days. */
int32_t cal_day_from_ymd(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + doe - 719468);
}

void cal_ymd_from_day(int32_t day, int *y, int *m, int *d)
{
    int32_t z = day + 719468;
    int32_t era = (z >= 0 ? z : z - 146096) / 146097;
    int32_t doe = z - era * 146097;
    int32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int32_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int cal_parse_date(const char *s, int32_t *day)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return -1;
    int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
    if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31)
        return -1;
    int32_t v = cal_day_from_ymd(y, m, d);
    int yy, mm, dd;
    cal_ymd_from_day(v, &yy, &mm, &dd);
    if (yy != y || mm != m || dd != d) /* 31 April and the like */
        return -1;
    *day = v;
    return 0;
}

void cal_format_date(int32_t day, char out[11])
{
    int y, m, d;
    cal_ymd_from_day(day, &y, &m, &d);
    snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
             (unsigned)d % 100u);
}

static int parse_hm(const char *s, int max)
{
    if (s[2] != ':')
        return -1;
    int h = digits(s, 2), m = digits(s + 3, 2);
    if (h < 0 || m < 0 || m > 59 || h * 60 + m > max)
        return -1;
    return h * 60 + m;
}

int cal_parse_hours(const char *s, cal_hours *h)
{
    if (!s || strlen(s) != 11 || s[5] != '-')
        return -1;
    int open = parse_hm(s, CAL_DAY_MIN - 1), close = parse_hm(s + 6, CAL_DAY_MIN);
    if (open < 0 || close < 0 || open == close)
        return -1;
    h->open = (int16_t)open;
    h->close = (int16_t)close;
    return 0;
}

void cal_format_hours(cal_hours h, char out[12])
{
    if (h.open == h.close) {
        out[0] = '\0';
        return;
    }
    unsigned o = (unsigned)h.open, c = (unsigned)h.close;
    snprintf(out, 12, "%02u:%02u-%02u:%02u", (o / 60u) % 100u, o % 60u, (c / 60u) % 100u, c % 60u);
}

int32_t cal_day_of(const cal_t *c, int64_t t)
{
    return (int32_t)floor_div(t + (int64_t)c->utc_offset_min * 60, 86400);
}

int cal_weekday(int32_t day)
{
    /* 1970-01-01 was a Thursday. */
    int w = (int)(((int64_t)day + 4) % 7);
    return w < 0 ? w + 7 : w;
}

bool cal_is_holiday(const cal_t *c, int32_t day)
{
    size_t lo = 0, hi = c->nholidays;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->holidays[mid] == day)
            return true;
        if (c->holidays[mid] < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

/* The working interval that starts on local day `day`, in UTC seconds;
 * false when the day has none. */
static bool day_interval(const cal_t *c, int32_t day, int64_t *a, int64_t *b)
{
    int64_t midnight = (int64_t)day * 86400 - (int64_t)c->utc_offset_min * 60;
    if (c->always_open) {
        *a = midnight;
        *b = midnight + 86400;
        return true;
    }
    if (cal_is_holiday(c, day))
        return false;
    cal_hours h = c->week[cal_weekday(day)];
    if (h.open == h.close)
        return false;
    int len = h.close > h.open ? h.close - h.open : CAL_DAY_MIN - h.open + h.close;
    *a = midnight + (int64_t)h.open * 60;
    *b = *a + (int64_t)len * 60;
    return true;
}

bool cal_is_working(const cal_t *c, int64_t t)
{
    int32_t d = cal_day_of(c, t);
    int64_t a, b;
    /* The day's own shift, or yesterday's running past midnight. */
    for (int32_t k = d - 1; k <= d; k++)
        if (day_interval(c, k, &a, &b) && a <= t && t < b)
            return true;
    return false;
}

int64_t cal_add_seconds(const cal_t *c, int64_t t, int64_t seconds)
{
    if (seconds <= 0)
        return t;
    int64_t cursor = t, left = seconds, a, b;
    int32_t d0 = cal_day_of(c, t);
    /* Intervals start in day order; clipping each to the cursor keeps an
     * overlap (a long overnight shift) from being counted twice. */
    for (int32_t d = d0 - 1; d <= d0 + CAL_HORIZON_DAYS; d++) {
        if (!day_interval(c, d, &a, &b))
            continue;
        if (a < cursor)
            a = cursor;
        if (b <= a)
            continue;
        if (left <= b - a)
            return a + left;
        left -= b - a;
        cursor = b;
    }
    return CAL_NEVER;
}

int64_t cal_add_minutes(const cal_t *c, int64_t t, int64_t minutes)
{
    return cal_add_seconds(c, t, minutes * 60);
}

int64_t cal_add_hours(const cal_t *c, int64_t t, int64_t hours)
{
    return cal_add_seconds(c, t, hours * 3600);
}

int64_t cal_add_days(const cal_t *c, int64_t t, int n)
{
    if (n <= 0)
        return t;
    int32_t d0 = cal_day_of(c, t);
    int64_t a, b;
    int count = 0;
    for (int32_t d = d0 + 1; d <= d0 + CAL_HORIZON_DAYS; d++) {
        if (day_interval(c, d, &a, &b) && ++count == n)
            return b;
    }
    return CAL_NEVER;
}

int64_t cal_working_between(const cal_t *c, int64_t t1, int64_t t2)
{
    if (t2 <= t1)
        return 0;
    int64_t cursor = t1, sum = 0, a, b;
    int32_t d1 = cal_day_of(c, t1), d2 = cal_day_of(c, t2);
    for (int32_t d = d1 - 1; d <= d2; d++) {
        if (!day_interval(c, d, &a, &b))
            continue;
        if (a < cursor)
            a = cursor;
        if (b > t2)
            b = t2;
        if (b <= a)
            continue;
        sum += b - a;
        cursor = b;
    }
    return sum;
}
