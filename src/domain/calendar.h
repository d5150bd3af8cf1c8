/* calendar: an agency's working-time calendar (DOMAIN.md §6): its time
 * zone, office hours per weekday, dated holidays (national holidays and
 * cuti bersama), or round the clock.
 *
 * Pure: no I/O, no process time zone. Indonesia has no daylight saving,
 * so a zone is a fixed offset from UTC (WIB +7, WITA +8, WIT +9). Times
 * are Unix seconds (UTC); "days" are local calendar days counted from
 * 1970-01-01 in the agency's zone. */
#ifndef ADUAN_CALENDAR_H
#define ADUAN_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CAL_DAY_MIN 1440
/* How far forward the calendar looks for working time before giving up:
 * a calendar with no working day in three years is misconfigured. */
#define CAL_HORIZON_DAYS (3 * 366)
/* Returned when no working time exists within the horizon. */
#define CAL_NEVER INT64_MAX

typedef struct {
    /* Minutes after local midnight. open == close: closed that day.
     * close < open: the shift runs past midnight into the next day
     * (e.g. 22:00-06:00); close == 1440 means until midnight. */
    int16_t open, close;
} cal_hours;

typedef struct {
    int utc_offset_min; /* e.g. 480 for WITA */
    bool always_open;   /* 24/7: every minute works, holidays included */
    cal_hours week[7];  /* by weekday, 0 = Sunday .. 6 = Saturday */
    /* Local days (cal_day_of) off work, sorted ascending; borrowed. A shift
     * belongs to the day it starts on: on a holiday it does not start. */
    const int32_t *holidays;
    size_t nholidays;
} cal_t;

/* The fixed UTC offset (minutes) of an Indonesian IANA zone: Asia/Jakarta
 * and Asia/Pontianak +420, Asia/Makassar (and its alias Asia/Ujung_Pandang)
 * +480, Asia/Jayapura +540; also "UTC". Returns 0, or -1 when unknown. */
int cal_zone_offset(const char *iana, int *offset_min);

/* The office hours of Perpres 21/2023: Monday-Thursday 07:30-16:00,
 * Friday 07:30-16:30, closed Saturday and Sunday; no holidays. */
void cal_default(cal_t *c, int utc_offset_min);

/* Days since 1970-01-01 of a civil date (proleptic Gregorian), and back. */
int32_t cal_day_from_ymd(int y, int m, int d);
void cal_ymd_from_day(int32_t day, int *y, int *m, int *d);
/* Parses "YYYY-MM-DD" (a real date) into a day number; 0 or -1. */
int cal_parse_date(const char *s, int32_t *day);
/* Formats a day number as "YYYY-MM-DD" (11 bytes with the NUL). */
void cal_format_date(int32_t day, char out[11]);
/* Parses "HH:MM-HH:MM" (end 24:00 allowed; end before start runs past
 * midnight; equal ends are refused) into h; 0 or -1. */
int cal_parse_hours(const char *s, cal_hours *h);
/* Formats h as "HH:MM-HH:MM", or "" when closed (12 bytes with the NUL). */
void cal_format_hours(cal_hours h, char out[12]);

/* The local day of t, and its weekday (0 = Sunday). */
int32_t cal_day_of(const cal_t *c, int64_t t);
int cal_weekday(int32_t day);
/* True when day is one of the calendar's holidays. */
bool cal_is_holiday(const cal_t *c, int32_t day);

/* True when t falls in working time. */
bool cal_is_working(const cal_t *c, int64_t t);

/* The moment when `seconds` of working time have passed after t (t itself
 * when seconds <= 0 ... the count starts at t, or at the next opening when
 * t is outside working time). CAL_NEVER when the calendar has no working
 * time within the horizon. */
int64_t cal_add_seconds(const cal_t *c, int64_t t, int64_t seconds);
/* Working minutes and hours: cal_add_seconds in other units. */
int64_t cal_add_minutes(const cal_t *c, int64_t t, int64_t minutes);
int64_t cal_add_hours(const cal_t *c, int64_t t, int64_t hours);

/* The end of the n-th working day after the day of t (the SP4N-LAPOR!
 * reading of "within n hari kerja": a report of Friday has until the end
 * of Wednesday with 3 days). A working day is a non-holiday day with office
 * hours; its end is the close of that day's shift. On a 24/7 calendar
 * every day works and ends at midnight. n <= 0 returns t. CAL_NEVER as
 * cal_add_seconds. */
int64_t cal_add_days(const cal_t *c, int64_t t, int n);

/* Seconds of working time in [t1, t2); 0 when t2 <= t1. */
int64_t cal_working_between(const cal_t *c, int64_t t1, int64_t t2);

#endif
