/* geo: distances on the earth and the nearest of several points.
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

#endif
