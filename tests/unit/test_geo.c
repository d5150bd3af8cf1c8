/* Distances, the nearest team, and who is on duty when (issue #6). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/config.h"
#include "domain/dispatch.h"
#include "domain/geo.h"
#include "domain/regions.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Monday 2026-11-23 00:00 UTC (08:00 WITA). */
#define MONDAY_UTC 1795392000LL
#define WITA       480

static void near(double got, double want, double tolerance)
{
    if (fabs(got - want) > tolerance)
        fail_msg("got %.3f, want %.3f (+-%.3f)", got, want, tolerance);
}

static void test_distance(void **state)
{
    (void)state;
    near(geo_distance_m(0, 0, 0, 0), 0, 1e-9);
    /* One degree along the equator: 2 pi R / 360. */
    near(geo_distance_m(0, 0, 0, 1), 2 * M_PI * GEO_EARTH_RADIUS_M / 360, 0.01);
    /* Pole to pole, and antipodes (a rounds past 1 without the clamp). */
    near(geo_distance_m(90, 0, -90, 0), M_PI * GEO_EARTH_RADIUS_M, 0.01);
    near(geo_distance_m(0, 0, 0, 180), M_PI * GEO_EARTH_RADIUS_M, 0.01);
    /* The demo fire posts: Paringin to Batu Mandi, about 10.46 km. */
    near(geo_distance_m(-2.3390, 115.4590, -2.3958, 115.3839), 10464.53, 0.5);
    /* Symmetric, and across the antimeridian the short way. */
    near(geo_distance_m(-2.3958, 115.3839, -2.3390, 115.4590),
         geo_distance_m(-2.3390, 115.4590, -2.3958, 115.3839), 1e-6);
    near(geo_distance_m(0, 179.9, 0, -179.9), 2 * M_PI * GEO_EARTH_RADIUS_M / 360 * 0.2, 0.01);
}

static void test_valid(void **state)
{
    (void)state;
    assert_true(geo_valid(-2.33, 115.46));
    assert_true(geo_valid(90, -180));
    assert_false(geo_valid(90.0001, 0));
    assert_false(geo_valid(0, 180.5));
    assert_false(geo_valid(NAN, 0));
    assert_false(geo_valid(0, INFINITY));
}

static void test_nearest(void **state)
{
    (void)state;
    /* A fire in Desa Batu Piring: Paringin (3.2 km) is nearer than Batu
     * Mandi (7.4 km); a team without a base is never chosen. */
    geo_candidate c[] = {
        {4, true, -2.3958, 115.3839},
        {9, false, 0, 0},
        {3, true, -2.3390, 115.4590},
    };
    assert_int_equal(geo_nearest(-2.3620, 115.4410, c, 3), 2);
    assert_int_equal(geo_nearest(-2.3620, 115.4410, c + 1, 1), -1);
    assert_int_equal(geo_nearest(0, 0, c, 0), -1);

    double d[3];
    geo_sort_by_distance(-2.3620, 115.4410, c, d, 3);
    assert_int_equal(c[0].id, 3);
    assert_int_equal(c[1].id, 4);
    assert_int_equal(c[2].id, 9);
    near(d[0], 3246.54, 0.5);
    near(d[1], 7373.53, 0.5);
    near(d[2], -1, 0);

    /* Equal distances: the smaller id first, whatever the input order. */
    geo_candidate t[] = {{7, true, 0, 1}, {2, false, 0, 0}, {5, true, 0, -1}, {1, false, 0, 0}};
    double td[4];
    geo_sort_by_distance(0, 0, t, td, 4);
    assert_int_equal(t[0].id, 5);
    assert_int_equal(t[1].id, 7);
    assert_int_equal(t[2].id, 1);
    assert_int_equal(t[3].id, 2);
    assert_int_equal(geo_nearest(0, 0, (geo_candidate[]){{7, true, 0, 1}, {5, true, 0, -1}}, 2), 1);
}

static void test_box(void **state)
{
    (void)state;
    double la0, la1, lo0, lo1;
    geo_box(-2.3620, 115.4410, 300, &la0, &la1, &lo0, &lo1);
    /* Points 299 m north, south, east and west are inside the box. */
    double dlat = 299 / GEO_EARTH_RADIUS_M * 180 / M_PI;
    double dlon = dlat / cos(-2.3620 * M_PI / 180);
    assert_true(-2.3620 + dlat < la1 && -2.3620 - dlat > la0);
    assert_true(115.4410 + dlon < lo1 && 115.4410 - dlon > lo0);
    /* ...and the box is not much larger than needed. */
    near(geo_distance_m(-2.3620, 115.4410, la1, 115.4410), 300, 0.5);
    geo_box(90, 0, 300, &la0, &la1, &lo0, &lo1);
    assert_true(lo0 <= -180 && lo1 >= 180);
}

static store_duty weekly(int weekday, int start, int end)
{
    store_duty d = {0};
    d.weekday = weekday;
    d.start_minute = start;
    d.end_minute = end;
    return d;
}

static void test_on_duty(void **state)
{
    (void)state;
    /* The epoch was a Thursday: 00:00 UTC Thursday is on a Thursday shift. */
    store_duty thu = weekly(4, 0, 60);
    assert_true(dispatch_on_duty(&thu, 0, 0));
    assert_false(dispatch_on_duty(&thu, 3600, 0));

    /* Office hours Monday 07:30-16:00 WITA: 08:00 WITA in, 07:29 out. */
    store_duty office = weekly(1, 7 * 60 + 30, 16 * 60);
    assert_true(dispatch_on_duty(&office, MONDAY_UTC, WITA));
    assert_false(dispatch_on_duty(&office, MONDAY_UTC - 31 * 60, WITA));
    assert_true(dispatch_on_duty(&office, MONDAY_UTC - 30 * 60, WITA));
    assert_false(dispatch_on_duty(&office, MONDAY_UTC + 8 * 3600, WITA)); /* 16:00 */
    /* The same instant in UTC is 00:00 Monday: not yet. */
    assert_false(dispatch_on_duty(&office, MONDAY_UTC, 0));
    /* Tuesday at 08:00 is another weekday. */
    assert_false(dispatch_on_duty(&office, MONDAY_UTC + 86400, WITA));

    /* The whole day, 00:00-24:00. */
    store_duty all = weekly(1, 0, 1440);
    assert_true(dispatch_on_duty(&all, MONDAY_UTC - 8 * 3600, WITA));      /* 00:00 */
    assert_true(dispatch_on_duty(&all, MONDAY_UTC + 16 * 3600 - 1, WITA)); /* 23:59:59 */
    assert_false(dispatch_on_duty(&all, MONDAY_UTC + 16 * 3600, WITA));    /* Tuesday */
    assert_false(dispatch_on_duty(&all, MONDAY_UTC - 8 * 3600 - 1, WITA)); /* Sunday */

    /* A night shift, Sunday 22:00 to Monday 06:00 WITA. */
    store_duty night = weekly(0, 22 * 60, 6 * 60);
    int64_t sunday_22 = MONDAY_UTC - 10 * 3600;
    assert_true(dispatch_on_duty(&night, sunday_22, WITA));
    assert_false(dispatch_on_duty(&night, sunday_22 - 60, WITA));
    assert_true(dispatch_on_duty(&night, sunday_22 + 8 * 3600 - 1, WITA)); /* 05:59:59 */
    assert_false(dispatch_on_duty(&night, sunday_22 + 8 * 3600, WITA));    /* 06:00 */
    /* Saturday 23:00 is not part of it. */
    assert_false(dispatch_on_duty(&night, sunday_22 - 23 * 3600, WITA));
    /* Saturday night rolls into Sunday morning. */
    store_duty sat = weekly(6, 23 * 60, 60);
    assert_true(dispatch_on_duty(&sat, MONDAY_UTC - 8 * 3600 - 86400 + 30 * 60, WITA));

    /* A dated shift is [starts_at, ends_at) whatever the zone. */
    store_duty dated = {0};
    dated.weekday = -1;
    dated.starts_at = MONDAY_UTC;
    dated.ends_at = MONDAY_UTC + 3600;
    assert_true(dispatch_on_duty(&dated, MONDAY_UTC, WITA));
    assert_true(dispatch_on_duty(&dated, MONDAY_UTC + 3599, 0));
    assert_false(dispatch_on_duty(&dated, MONDAY_UTC + 3600, WITA));
    assert_false(dispatch_on_duty(&dated, MONDAY_UTC - 1, WITA));
}

static void test_zones(void **state)
{
    (void)state;
    assert_int_equal(dispatch_tz_offset("Asia/Jakarta"), 420);
    assert_int_equal(dispatch_tz_offset("Asia/Makassar"), 480);
    assert_int_equal(dispatch_tz_offset("Asia/Jayapura"), 540);
    assert_int_equal(dispatch_tz_offset("UTC"), 0);
    assert_int_equal(dispatch_tz_offset("Mars/Olympus"), 0);
    assert_int_equal(dispatch_tz_offset(NULL), 0);
}

static void test_pick(void **state)
{
    (void)state;
    /* Sorted as dispatch_options gives them: on duty first, nearest first. */
    dispatch_option o[] = {
        {3, "Paringin", true, 0, 0, 3246, 2, 2},
        {4, "Batu Mandi", true, 0, 0, 7373, 1, 1},
        {5, "Off duty", true, 0, 0, 100, 0, 0},
    };
    assert_int_equal(dispatch_pick(o, 3, NULL, 0), 3);
    int64_t tried[] = {3};
    assert_int_equal(dispatch_pick(o, 3, tried, 1), 4);
    int64_t both[] = {4, 3};
    /* The off-duty team is never picked, however near. */
    assert_int_equal(dispatch_pick(o, 3, both, 2), 0);
    assert_int_equal(dispatch_pick(o, 0, NULL, 0), 0);
}

static void test_dispatch_settings(void **state)
{
    (void)state;
    config_t c;
    char err[256];
    config_defaults(&c);
    assert_int_equal(c.alert_accept_seconds, 300);
    assert_int_equal(c.dup_radius_m, 300);
    assert_int_equal(c.dup_window_emergency_s, 7200);
    assert_int_equal(c.dup_window_s, 7 * 86400);
    assert_int_equal(config_set(&c, "ADUAN_ALERT_ACCEPT_MINUTES", "2", err, sizeof err), ERR_OK);
    assert_int_equal(c.alert_accept_seconds, 120);
    assert_int_equal(config_set(&c, "ADUAN_ALERT_ACCEPT_SECONDS", "7", err, sizeof err), ERR_OK);
    assert_int_equal(c.alert_accept_seconds, 7);
    assert_int_equal(config_set(&c, "ADUAN_DUPLICATE_RADIUS", "150", err, sizeof err), ERR_OK);
    assert_int_equal(c.dup_radius_m, 150);
    assert_int_equal(config_set(&c, "ADUAN_DUPLICATE_WINDOW_EMERGENCY", "30", err, sizeof err),
                     ERR_OK);
    assert_int_equal(c.dup_window_emergency_s, 1800);
    assert_int_equal(config_set(&c, "ADUAN_DUPLICATE_WINDOW", "48", err, sizeof err), ERR_OK);
    assert_int_equal(c.dup_window_s, 48 * 3600);
    const char *bad[][2] = {
        {"ADUAN_ALERT_ACCEPT_MINUTES", "0"},      {"ADUAN_ALERT_ACCEPT_MINUTES", "1441"},
        {"ADUAN_ALERT_ACCEPT_SECONDS", "-5"},     {"ADUAN_ALERT_ACCEPT_SECONDS", "5s"},
        {"ADUAN_DUPLICATE_RADIUS", "0"},          {"ADUAN_DUPLICATE_RADIUS", "10001"},
        {"ADUAN_DUPLICATE_WINDOW_EMERGENCY", ""}, {"ADUAN_DUPLICATE_WINDOW", "2161"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(config_set(&c, bad[i][0], bad[i][1], err, sizeof err), ERR_INVALID);
        assert_non_null(strstr(err, bad[i][0]));
    }
    /* A refused value leaves the setting as it was. */
    assert_int_equal(c.alert_accept_seconds, 7);
    assert_int_equal(c.dup_radius_m, 150);
}

/* ---- point in polygon ---------------------------------------------------- */

#define RING(arr) ((geo_ring){(arr), sizeof(arr) / sizeof(arr)[0]})

/* A 10 x 10 square from (0,0) to (10,10), lon first. */
static const geo_point square[] = {{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}};
/* A hole from (4,4) to (6,6), drawn the other way round. */
static const geo_point hole[] = {{4, 4}, {4, 6}, {6, 6}, {6, 4}, {4, 4}};

static void test_ring(void **state)
{
    (void)state;
    geo_ring r = RING(square);
    /* geo_ring_where(ring, lat, lon). */
    assert_int_equal(geo_ring_where(&r, 5, 5), GEO_INSIDE);
    assert_int_equal(geo_ring_where(&r, 0.001, 9.999), GEO_INSIDE);
    assert_int_equal(geo_ring_where(&r, 5, 10.001), GEO_OUTSIDE);
    assert_int_equal(geo_ring_where(&r, -0.001, 5), GEO_OUTSIDE);
    assert_int_equal(geo_ring_where(&r, 11, 11), GEO_OUTSIDE);
    /* Edges and corners are the boundary, whichever side. */
    assert_int_equal(geo_ring_where(&r, 0, 5), GEO_BOUNDARY);
    assert_int_equal(geo_ring_where(&r, 5, 10), GEO_BOUNDARY);
    assert_int_equal(geo_ring_where(&r, 10, 10), GEO_BOUNDARY);
    assert_int_equal(geo_ring_where(&r, 0, 0), GEO_BOUNDARY);
    /* On the line of an edge, but past its end: outside. */
    assert_int_equal(geo_ring_where(&r, 0, 12), GEO_OUTSIDE);
    /* A ray through a vertex counts the crossing once: the point level
     * with the top corners, west of the square, is outside; level with
     * the corner of a diamond and inside it, is inside. */
    assert_int_equal(geo_ring_where(&r, 10, -1), GEO_OUTSIDE);
    static const geo_point diamond[] = {{0, 5}, {5, 0}, {10, 5}, {5, 10}, {0, 5}};
    geo_ring d = RING(diamond);
    assert_int_equal(geo_ring_where(&d, 5, 5), GEO_INSIDE);
    assert_int_equal(geo_ring_where(&d, 5, -1), GEO_OUTSIDE);
    assert_int_equal(geo_ring_where(&d, 5, 11), GEO_OUTSIDE);
    assert_int_equal(geo_ring_where(&d, 2.5, 2.5), GEO_BOUNDARY); /* a slanted edge */
    assert_int_equal(geo_ring_where(&d, 1, 1), GEO_OUTSIDE);
    /* Direction does not matter. */
    geo_ring h = RING(hole);
    assert_int_equal(geo_ring_where(&h, 5, 5), GEO_INSIDE);
    /* Degenerate rings hold nothing. */
    geo_ring empty = {square, 1};
    assert_int_equal(geo_ring_where(&empty, 0, 0), GEO_OUTSIDE);
    assert_int_equal(geo_ring_where(NULL, 0, 0), GEO_OUTSIDE);
}

static void test_concave(void **state)
{
    (void)state;
    /* A "U": the notch (4..6 wide, 3..10 high) is outside. */
    static const geo_point u[] = {{0, 0}, {10, 0}, {10, 10}, {6, 10}, {6, 3},
                                  {4, 3}, {4, 10}, {0, 10},  {0, 0}};
    geo_ring r = RING(u);
    assert_int_equal(geo_ring_where(&r, 5, 5), GEO_OUTSIDE);
    assert_int_equal(geo_ring_where(&r, 5, 2), GEO_INSIDE);
    assert_int_equal(geo_ring_where(&r, 5, 8), GEO_INSIDE);
    assert_int_equal(geo_ring_where(&r, 5, 1), GEO_INSIDE);
    assert_int_equal(geo_ring_where(&r, 3, 5), GEO_BOUNDARY); /* the notch's floor */
    /* A ray along the notch's floor (lat 3) crosses vertices: still right. */
    assert_int_equal(geo_ring_where(&r, 3, 2), GEO_INSIDE);
    assert_int_equal(geo_ring_where(&r, 3, -1), GEO_OUTSIDE);
}

static void test_holes(void **state)
{
    (void)state;
    geo_ring rings[] = {RING(square), RING(hole)};
    geo_polygon p = {rings, 2};
    assert_int_equal(geo_polygon_where(&p, 2, 2), GEO_INSIDE);
    assert_int_equal(geo_polygon_where(&p, 5, 5), GEO_OUTSIDE);  /* in the hole */
    assert_int_equal(geo_polygon_where(&p, 4, 5), GEO_BOUNDARY); /* the hole's edge */
    assert_int_equal(geo_polygon_where(&p, 6, 6), GEO_BOUNDARY);
    assert_int_equal(geo_polygon_where(&p, 0, 3), GEO_BOUNDARY);
    assert_int_equal(geo_polygon_where(&p, 20, 20), GEO_OUTSIDE);
    assert_false(geo_multipolygon_contains(&p, 1, 5, 5));
    assert_true(geo_multipolygon_contains(&p, 1, 4, 5));
    assert_true(geo_multipolygon_contains(&p, 1, 7, 7));
    /* An island in the hole (a second polygon of a MultiPolygon). */
    static const geo_point island[] = {{4.5, 4.5}, {5.5, 4.5}, {5.5, 5.5}, {4.5, 5.5}, {4.5, 4.5}};
    geo_ring iring = RING(island);
    geo_polygon multi[] = {p, {&iring, 1}};
    assert_true(geo_multipolygon_contains(multi, 2, 5, 5));
    assert_false(geo_multipolygon_contains(multi, 2, 4.2, 4.2)); /* water around the island */
    assert_true(geo_multipolygon_contains(multi, 2, 1, 1));
    assert_false(geo_multipolygon_contains(multi, 2, -1, -1));
    /* Not a place on earth: never contained. */
    assert_false(geo_multipolygon_contains(multi, 2, NAN, 1));
    assert_false(geo_multipolygon_contains(NULL, 0, 1, 1));
    geo_polygon none = {NULL, 0};
    assert_int_equal(geo_polygon_where(&none, 1, 1), GEO_OUTSIDE);
}

static void test_multipolygon(void **state)
{
    (void)state;
    /* Two islands far apart, as a kecamatan with an island. */
    static const geo_point a[] = {
        {115.40, -2.40}, {115.50, -2.40}, {115.50, -2.30}, {115.40, -2.30}, {115.40, -2.40}};
    static const geo_point b[] = {
        {116.00, -3.00}, {116.10, -3.00}, {116.05, -2.90}, {116.00, -3.00}};
    geo_ring ra = RING(a), rb = RING(b);
    geo_polygon m[] = {{&ra, 1}, {&rb, 1}};
    assert_true(geo_multipolygon_contains(m, 2, -2.3361, 115.4668)); /* Pasar Paringin */
    assert_true(geo_multipolygon_contains(m, 2, -2.97, 116.05));
    assert_false(geo_multipolygon_contains(m, 2, -2.6, 115.7));   /* between them */
    assert_false(geo_multipolygon_contains(m, 2, -2.91, 116.09)); /* beside the triangle */
    /* Just inside and just outside an edge, a metre apart. */
    assert_true(geo_multipolygon_contains(m, 2, -2.30001, 115.45));
    assert_false(geo_multipolygon_contains(m, 2, -2.29999, 115.45));
}

static void test_ring_checks(void **state)
{
    (void)state;
    geo_ring ok = RING(square);
    assert_null(geo_ring_invalid(&ok));
    geo_ring short_ring = {square, 3};
    assert_non_null(geo_ring_invalid(&short_ring));
    assert_non_null(geo_ring_invalid(NULL));
    static const geo_point open_ring[] = {{0, 0}, {10, 0}, {10, 10}, {0, 10}};
    geo_ring o = RING(open_ring);
    assert_string_equal(geo_ring_invalid(&o), "a ring must end where it starts");
    static const geo_point off[] = {{0, 0}, {200, 0}, {10, 10}, {0, 0}};
    geo_ring f = RING(off);
    assert_non_null(geo_ring_invalid(&f));
    static const geo_point swapped[] = {{0, 95}, {1, 95}, {1, 96}, {0, 95}};
    geo_ring w = RING(swapped);
    assert_non_null(geo_ring_invalid(&w));
    double la0 = INFINITY, la1 = -INFINITY, lo0 = INFINITY, lo1 = -INFINITY;
    geo_ring_extend_box(&ok, &la0, &la1, &lo0, &lo1);
    geo_ring h = RING(hole);
    geo_ring_extend_box(&h, &la0, &la1, &lo0, &lo1);
    assert_true(la0 == 0 && la1 == 10 && lo0 == 0 && lo1 == 10);
}

/* ---- GeoJSON boundaries (domain/regions.c) ---------------------------------- */

static const char *parse_error(const char *text)
{
    static char err[256];
    arena_t *ar = arena_new();
    store_region_shape *v;
    size_t n;
    err[0] = '\0';
    if (region_parse(ar, text, strlen(text), &v, &n, err, sizeof err) == ERR_OK)
        snprintf(err, sizeof err, "OK");
    arena_destroy(ar);
    return err;
}

static void test_geojson(void **state)
{
    (void)state;
    arena_t *ar = arena_new();
    store_region_shape *v;
    size_t n = 0;
    char err[256];
    const char *ok =
        "{\"type\":\"FeatureCollection\",\"name\":\"x\",\"features\":["
        "{\"type\":\"Feature\",\"properties\":{\"kode\":\"63.11.06\",\"nama\":\"Paringin\"},"
        "\"geometry\":{\"type\":\"Polygon\",\"bbox\":[0,0,0,0],\"coordinates\":"
        "[[[115.41,-2.22],[115.41,-2.35],[115.53,-2.35],[115.53,-2.22],[115.41,-2.22]],"
        "[[115.46,-2.34],[115.47,-2.34],[115.47,-2.33],[115.46,-2.34]]]}},"
        "{\"type\":\"Feature\",\"properties\":{\"code\":\"631102\"},"
        "\"geometry\":{\"type\":\"MultiPolygon\",\"coordinates\":"
        "[[[[115.53,-1.95],[115.9,-1.95],[115.9,-2.25],[115.53,-1.95]]],"
        "[[[116,-2],[116.1,-2],[116.1,-2.1,12.5],[116,-2]]]]}}]}";
    assert_int_equal(region_parse(ar, ok, strlen(ok), &v, &n, err, sizeof err), ERR_OK);
    assert_int_equal(n, 2);
    assert_string_equal(v[0].code, "63.11.06");
    assert_string_equal(v[1].code, "63.11.02"); /* 631102 written as the table writes it */
    assert_true(v[0].lat_min == -2.35 && v[0].lat_max == -2.22);
    assert_true(v[0].lon_min == 115.41 && v[0].lon_max == 115.53);
    assert_true(v[1].lon_max == 116.1 && v[1].lat_min == -2.25);
    /* Only type and coordinates are kept. */
    assert_null(strstr(v[0].geometry, "bbox"));
    assert_non_null(strstr(v[0].geometry, "\"type\":\"Polygon\""));
    arena_destroy(ar);

    assert_non_null(strstr(parse_error("{"), "not JSON"));
    assert_non_null(strstr(parse_error("[]"), "FeatureCollection"));
    assert_non_null(
        strstr(parse_error("{\"type\":\"FeatureCollection\",\"features\":[]}"), "1 to"));
#define ONE(props, geom)                                                                           \
    "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":" props    \
    ",\"geometry\":" geom "}]}"
#define SQUARE "[[[115,-2],[116,-2],[116,-3],[115,-3],[115,-2]]]"
    assert_string_equal(parse_error(ONE("{\"kode\":\"63.11.06\"}",
                                        "{\"type\":\"Polygon\",\"coordinates\":" SQUARE "}")),
                        "OK");
    assert_non_null(strstr(parse_error(ONE("{\"kode\":\"Paringin\"}",
                                           "{\"type\":\"Polygon\",\"coordinates\":" SQUARE "}")),
                           "Kemendagri kecamatan code"));
    assert_non_null(strstr(parse_error(ONE("{\"kode\":\"63.11\"}",
                                           "{\"type\":\"Polygon\",\"coordinates\":" SQUARE "}")),
                           "Kemendagri kecamatan code"));
    assert_non_null(strstr(
        parse_error(ONE("{\"kode\":63}", "{\"type\":\"Polygon\",\"coordinates\":" SQUARE "}")),
        "Kemendagri kecamatan code"));
    assert_non_null(strstr(parse_error(ONE("{\"kode\":\"63.11.06\"}",
                                           "{\"type\":\"Point\",\"coordinates\":[115,-2]}")),
                           "not a Polygon"));
    assert_non_null(strstr(parse_error(ONE("{\"kode\":\"63.11.06\"}", "null")), "no geometry"));
    assert_non_null(strstr(
        parse_error(ONE("{\"kode\":\"63.11.06\"}", "{\"type\":\"Polygon\",\"coordinates\":"
                                                   "[[[115,-2],[116,-2],[116,-3],[115,-3]]]}")),
        "end where it starts"));
    assert_non_null(strstr(
        parse_error(ONE("{\"kode\":\"63.11.06\"}", "{\"type\":\"Polygon\",\"coordinates\":"
                                                   "[[[115,-2],[116,\"-2\"],[116,-3],[115,-2]]]}")),
        "[longitude, latitude]"));
    assert_non_null(strstr(
        parse_error(ONE("{\"kode\":\"63.11.06\"}", "{\"type\":\"Polygon\",\"coordinates\":[]}")),
        "outer ring"));
    assert_non_null(strstr(parse_error(ONE("{\"kode\":\"63.11.06\"}",
                                           "{\"type\":\"MultiPolygon\",\"coordinates\":[]}")),
                           "at least one polygon"));
    assert_non_null(strstr(
        parse_error(ONE("{\"kode\":\"63.11.06\"}",
                        "{\"type\":\"Polygon\",\"coordinates\":[[[115,-2],[116,-2],"
                        "[116,-3],[115,-3],[115,-2]],[[117,-2],[118,-2],[118,-3],[117,-2]]]}")),
        "hole lies outside"));
    /* Duplicate keys are not JSON we accept. */
    assert_non_null(
        strstr(parse_error("{\"type\":\"FeatureCollection\",\"type\":\"x\"}"), "not JSON"));
#undef ONE
#undef SQUARE
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_distance),    cmocka_unit_test(test_valid),
        cmocka_unit_test(test_nearest),     cmocka_unit_test(test_box),
        cmocka_unit_test(test_on_duty),     cmocka_unit_test(test_zones),
        cmocka_unit_test(test_pick),        cmocka_unit_test(test_dispatch_settings),
        cmocka_unit_test(test_ring),        cmocka_unit_test(test_concave),
        cmocka_unit_test(test_holes),       cmocka_unit_test(test_multipolygon),
        cmocka_unit_test(test_ring_checks), cmocka_unit_test(test_geojson),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
