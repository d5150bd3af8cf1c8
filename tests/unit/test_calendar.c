/* The working-day calendar: weekends, holidays, office hours across
 * midnight, time zones, and a deadline across the Idul Fitri 2026 long
 * weekend with its cuti bersama. Every time is passed in (no clock). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "domain/calendar.h"

#include <string.h>

#define WITA 480

/* UTC seconds of a local wall-clock time in a zone of offset minutes. */
static int64_t at(int y, int mo, int d, int h, int mi, int offset)
{
    return (int64_t)cal_day_from_ymd(y, mo, d) * 86400 + h * 3600 + mi * 60 - offset * 60;
}

/* SKB 3 Menteri 2026 (Nomor 1497/2/5 Tahun 2025): around Idul Fitri,
 * 18 Mar cuti bersama Nyepi, 19 Nyepi, 20 cuti bersama, 21-22 Idul Fitri,
 * 23-24 cuti bersama. */
static int32_t lebaran[7];

static void lebaran_calendar(cal_t *c)
{
    cal_default(c, WITA);
    int days[] = {18, 19, 20, 21, 22, 23, 24};
    for (int i = 0; i < 7; i++)
        lebaran[i] = cal_day_from_ymd(2026, 3, days[i]);
    c->holidays = lebaran;
    c->nholidays = 7;
}

static void test_dates(void **state)
{
    (void)state;
    int32_t d;
    char buf[11];
    assert_int_equal(cal_day_from_ymd(1970, 1, 1), 0);
    assert_int_equal(cal_parse_date("2026-03-20", &d), 0);
    cal_format_date(d, buf);
    assert_string_equal(buf, "2026-03-20");
    assert_int_equal(cal_weekday(d), 5); /* a Friday */
    assert_int_equal(cal_weekday(cal_day_from_ymd(2026, 11, 22)), 0);
    assert_int_equal(cal_parse_date("2026-02-29", &d), -1);
    assert_int_equal(cal_parse_date("2028-02-29", &d), 0);
    assert_int_equal(cal_parse_date("2026-13-01", &d), -1);
    assert_int_equal(cal_parse_date("2026-3-1", &d), -1);
    assert_int_equal(cal_parse_date("2026-03-01x", &d), -1);
    assert_int_equal(cal_parse_date(NULL, &d), -1);
}

static void test_hours_parse(void **state)
{
    (void)state;
    cal_hours h;
    char buf[12];
    assert_int_equal(cal_parse_hours("07:30-16:00", &h), 0);
    assert_int_equal(h.open, 450);
    assert_int_equal(h.close, 960);
    cal_format_hours(h, buf);
    assert_string_equal(buf, "07:30-16:00");
    assert_int_equal(cal_parse_hours("22:00-06:00", &h), 0);
    assert_true(h.close < h.open);
    assert_int_equal(cal_parse_hours("00:00-24:00", &h), 0);
    assert_int_equal(cal_parse_hours("08:00-08:00", &h), -1);
    assert_int_equal(cal_parse_hours("24:00-08:00", &h), -1);
    assert_int_equal(cal_parse_hours("08:60-09:00", &h), -1);
    assert_int_equal(cal_parse_hours("8:00-16:00", &h), -1);
    assert_int_equal(cal_parse_hours("08:00_16:00", &h), -1);
}

static void test_zones(void **state)
{
    (void)state;
    int off = 0;
    assert_int_equal(cal_zone_offset("Asia/Jakarta", &off), 0);
    assert_int_equal(off, 420);
    assert_int_equal(cal_zone_offset("Asia/Pontianak", &off), 0);
    assert_int_equal(off, 420);
    assert_int_equal(cal_zone_offset("Asia/Makassar", &off), 0);
    assert_int_equal(off, 480);
    assert_int_equal(cal_zone_offset("Asia/Jayapura", &off), 0);
    assert_int_equal(off, 540);
    assert_int_equal(cal_zone_offset("Europe/Berlin", &off), -1);
    /* The same instant is office time in Jayapura (WIT) and not yet in
     * Jakarta (WIB): 07:45 WIT is 05:45 WIB. */
    cal_t wib, wit;
    cal_default(&wib, 420);
    cal_default(&wit, 540);
    int64_t t = at(2026, 11, 23, 7, 45, 540); /* a Monday */
    assert_true(cal_is_working(&wit, t));
    assert_false(cal_is_working(&wib, t));
    /* The local day changes at local midnight: 23:30 UTC on Sunday is
     * Monday in all three zones. */
    int64_t late = at(2026, 11, 22, 23, 30, 0);
    assert_int_equal(cal_weekday(cal_day_of(&wib, late)), 1);
    assert_int_equal(cal_weekday(cal_day_of(&wit, late)), 1);
}

static void test_weekend(void **state)
{
    (void)state;
    cal_t c;
    cal_default(&c, WITA);
    /* Friday 2026-11-20 16:00: half an hour left (Friday closes 16:30). */
    int64_t fri = at(2026, 11, 20, 16, 0, WITA);
    assert_true(cal_is_working(&c, fri));
    assert_false(cal_is_working(&c, at(2026, 11, 21, 10, 0, WITA))); /* Saturday */
    assert_false(cal_is_working(&c, at(2026, 11, 23, 7, 29, WITA)));
    assert_true(cal_is_working(&c, at(2026, 11, 23, 7, 30, WITA)));
    /* Two working hours from Friday 16:00: 30 min on Friday, 90 on Monday. */
    assert_int_equal(cal_add_hours(&c, fri, 2), at(2026, 11, 23, 9, 0, WITA));
    /* Counting from a Saturday starts on Monday morning. */
    assert_int_equal(cal_add_minutes(&c, at(2026, 11, 21, 12, 0, WITA), 30),
                     at(2026, 11, 23, 8, 0, WITA));
    /* Three working days from Friday: Mon, Tue, Wed; due at Wednesday's close. */
    assert_int_equal(cal_add_days(&c, fri, 3), at(2026, 11, 25, 16, 0, WITA));
    /* ... and from Thursday: Fri, Mon, Tue. */
    assert_int_equal(cal_add_days(&c, at(2026, 11, 19, 9, 0, WITA), 3),
                     at(2026, 11, 24, 16, 0, WITA));
    /* Working time across the weekend: 30 min Friday + 60 min Monday. */
    assert_int_equal(cal_working_between(&c, fri, at(2026, 11, 23, 8, 30, WITA)), 90 * 60);
    assert_int_equal(cal_working_between(&c, fri, fri), 0);
    assert_int_equal(cal_add_seconds(&c, fri, 0), fri);
}

static void test_long_weekend(void **state)
{
    (void)state;
    cal_t c;
    lebaran_calendar(&c);
    /* A report on Tuesday 17 March 2026 at 10:00: the next working day is
     * Wednesday 25 March, after a week of holidays and cuti bersama. */
    int64_t tue = at(2026, 3, 17, 10, 0, WITA);
    assert_false(cal_is_working(&c, at(2026, 3, 18, 9, 0, WITA)));
    assert_false(cal_is_working(&c, at(2026, 3, 23, 9, 0, WITA)));
    assert_int_equal(cal_add_days(&c, tue, 1), at(2026, 3, 25, 16, 0, WITA));
    /* Verification within 3 working days: Wed 25, Thu 26, Fri 27 (16:30). */
    assert_int_equal(cal_add_days(&c, tue, 3), at(2026, 3, 27, 16, 30, WITA));
    /* Without the holidays it would have been Friday 20 March. */
    cal_t plain;
    cal_default(&plain, WITA);
    assert_int_equal(cal_add_days(&plain, tue, 3), at(2026, 3, 20, 16, 30, WITA));
    /* Six working hours from Tuesday 10:00: 6 h on Tuesday would end at
     * 16:00 exactly; seven spill to Wednesday 25 March 08:30. */
    assert_int_equal(cal_add_hours(&c, tue, 6), at(2026, 3, 17, 16, 0, WITA));
    assert_int_equal(cal_add_hours(&c, tue, 7), at(2026, 3, 25, 8, 30, WITA));
    assert_int_equal(cal_working_between(&c, tue, at(2026, 3, 25, 8, 30, WITA)), 7 * 3600);
    assert_true(cal_is_holiday(&c, cal_day_from_ymd(2026, 3, 20)));
    assert_false(cal_is_holiday(&c, cal_day_from_ymd(2026, 3, 25)));
}

static void test_overnight(void **state)
{
    (void)state;
    cal_t c;
    memset(&c, 0, sizeof c);
    c.utc_offset_min = WITA;
    /* A night desk: 22:00-06:00 every night. */
    for (int d = 0; d < 7; d++)
        c.week[d] = (cal_hours){22 * 60, 6 * 60};
    assert_true(cal_is_working(&c, at(2026, 11, 23, 23, 0, WITA)));
    assert_true(cal_is_working(&c, at(2026, 11, 24, 5, 59, WITA)));
    assert_false(cal_is_working(&c, at(2026, 11, 24, 6, 0, WITA)));
    assert_false(cal_is_working(&c, at(2026, 11, 24, 12, 0, WITA)));
    /* 9 working hours from Monday 23:00: 7 h to Tuesday 06:00, 2 more from
     * Tuesday 22:00. */
    assert_int_equal(cal_add_hours(&c, at(2026, 11, 23, 23, 0, WITA), 9),
                     at(2026, 11, 25, 0, 0, WITA));
    /* A working day of a night shift ends the next morning. */
    assert_int_equal(cal_add_days(&c, at(2026, 11, 23, 23, 0, WITA), 1),
                     at(2026, 11, 25, 6, 0, WITA));
    /* The shift belongs to the day it starts: a holiday on Tuesday drops
     * Tuesday night, but Monday night still runs into Tuesday morning. */
    int32_t hol = cal_day_from_ymd(2026, 11, 24);
    c.holidays = &hol;
    c.nholidays = 1;
    assert_true(cal_is_working(&c, at(2026, 11, 24, 3, 0, WITA)));
    assert_false(cal_is_working(&c, at(2026, 11, 24, 23, 0, WITA)));
    assert_int_equal(
        cal_working_between(&c, at(2026, 11, 23, 0, 0, WITA), at(2026, 11, 26, 0, 0, WITA)),
        (6 + 8 + 0 + 2) * 3600);
    /* From 22:00 to 06:00 every day with a midday shift as well: the
     * overlap is not counted twice. */
    c.nholidays = 0;
    c.week[2] = (cal_hours){0, 24 * 60}; /* Tuesday all day */
    assert_int_equal(
        cal_working_between(&c, at(2026, 11, 24, 0, 0, WITA), at(2026, 11, 25, 0, 0, WITA)),
        24 * 3600);
}

static void test_always_open_and_closed(void **state)
{
    (void)state;
    cal_t c;
    lebaran_calendar(&c);
    c.always_open = true;
    int64_t t = at(2026, 3, 21, 3, 0, WITA); /* Idul Fitri, 03:00 */
    assert_true(cal_is_working(&c, t));
    assert_int_equal(cal_add_minutes(&c, t, 15), t + 900);
    assert_int_equal(cal_add_days(&c, t, 1), at(2026, 3, 23, 0, 0, WITA));
    assert_int_equal(cal_working_between(&c, t, t + 7200), 7200);
    /* No office hours at all: there is no deadline to give. */
    cal_t none;
    memset(&none, 0, sizeof none);
    assert_int_equal(cal_add_hours(&none, t, 1), CAL_NEVER);
    assert_int_equal(cal_add_days(&none, t, 1), CAL_NEVER);
    assert_false(cal_is_working(&none, t));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_hours_parse),
        cmocka_unit_test(test_zones),
        cmocka_unit_test(test_weekend),
        cmocka_unit_test(test_long_weekend),
        cmocka_unit_test(test_overnight),
        cmocka_unit_test(test_always_open_and_closed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
