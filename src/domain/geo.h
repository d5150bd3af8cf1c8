/* geo: distances on the earth, the nearest of several points, and whether a
 * point lies in a polygon.
 *
 * Pure: no I/O. Coordinates are WGS84 degrees; distances are metres. The
 * haversine formula on a sphere of the mean earth radius is within 0.5 %
 * of the ellipsoid, far better than a phone's GPS fix or a team's "base". */
#ifndef ADUAN_GEO_H
#define ADUAN_GEO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Mean earth radius (IUGG), metres. */
#define GEO_EARTH_RADIUS_M 6371008.8

/* Great-circle distance between two points, in metres. */
double geo_distance_m(double lat1, double lon1, double lat2, double lon2);

/* True when lat/lon are finite and within [-90, 90] / [-180, 180]. */
bool geo_valid(double lat, double lon);

/* A candidate for geo_nearest: a point and whether it may be chosen. */
typedef struct {
    int64_t id;
    bool has_point;
    double lat, lon;
} geo_candidate;

/* Sorts the candidates in place by distance from (lat, lon), nearest
 * first, and writes each one's distance into dist[i] (metres; -1 for a
 * candidate without a point, which sorts last). Ties keep the smaller id
 * first, so the order is the same on every run. */
void geo_sort_by_distance(double lat, double lon, geo_candidate *c, double *dist, size_t n);

/* The index of the candidate nearest to (lat, lon), or -1 when none has a
 * point. */
long geo_nearest(double lat, double lon, const geo_candidate *c, size_t n);

/* The latitude/longitude box around (lat, lon) that holds every point
 * within radius_m: a cheap first filter before geo_distance_m. */
void geo_box(double lat, double lon, double radius_m, double *lat_min, double *lat_max,
             double *lon_min, double *lon_max);

/* ---- polygons (kecamatan boundaries) --------------------------------------
 *
 * Positions are GeoJSON's: longitude first. Edges are straight lines in
 * longitude/latitude, as GeoJSON (RFC 7946 §3.1.1) draws them; at the size
 * of a kecamatan that is the map everyone else draws too. No polygon may
 * cross the antimeridian (none in Indonesia does). */

typedef struct {
    double lon, lat;
} geo_point;

/* A linear ring: n >= 4 positions, the last equal to the first. */
typedef struct {
    const geo_point *pts;
    size_t n;
} geo_ring;

/* A polygon: rings[0] is the outer boundary, any others are holes. */
typedef struct {
    const geo_ring *rings;
    size_t nrings;
} geo_polygon;

typedef enum { GEO_OUTSIDE, GEO_INSIDE, GEO_BOUNDARY } geo_where;

/* A point within GEO_EDGE_DEG of an edge is on it: 1e-9 degrees is about
 * 0.1 mm, far below any GPS fix, and above the rounding of the arithmetic. */
#define GEO_EDGE_DEG 1e-9

/* Where (lat, lon) lies relative to the area a ring encloses (even-odd
 * rule; the ring's direction does not matter). */
geo_where geo_ring_where(const geo_ring *r, double lat, double lon);

/* Where (lat, lon) lies relative to a polygon: outside its outer ring or
 * inside one of its holes is OUTSIDE; on the outer ring or on a hole's
 * ring is BOUNDARY. */
geo_where geo_polygon_where(const geo_polygon *p, double lat, double lon);

/* True when (lat, lon) is inside or on the boundary of any of the n
 * polygons (a GeoJSON MultiPolygon; n == 1 for a Polygon). A point on a
 * boundary belongs to the area: two kecamatan sharing an edge both claim
 * it, and the caller decides (the lowest code). */
bool geo_multipolygon_contains(const geo_polygon *p, size_t n, double lat, double lon);

/* Why a ring cannot be a GeoJSON linear ring, or NULL when it can: fewer
 * than four positions, not closed, a position off the earth. */
const char *geo_ring_invalid(const geo_ring *r);

/* Widens the box [lat_min, lat_max] x [lon_min, lon_max] to hold every
 * position of the ring (start from an inverted box: min = +inf, max = -inf). */
void geo_ring_extend_box(const geo_ring *r, double *lat_min, double *lat_max, double *lon_min,
                         double *lon_max);

#endif
