#include "domain/geo.h"

#include <math.h>

#define DEG (M_PI / 180.0)

double geo_distance_m(double lat1, double lon1, double lat2, double lon2)
{
    double dlat = (lat2 - lat1) * DEG, dlon = (lon2 - lon1) * DEG;
    double a = sin(dlat / 2) * sin(dlat / 2) +
               cos(lat1 * DEG) * cos(lat2 * DEG) * sin(dlon / 2) * sin(dlon / 2);
    /* a can creep past 1 by rounding for antipodal points. */
    if (a > 1)
        a = 1;
    return 2 * GEO_EARTH_RADIUS_M * asin(sqrt(a));
}

bool geo_valid(double lat, double lon)
{
    return isfinite(lat) && isfinite(lon) && fabs(lat) <= 90 && fabs(lon) <= 180;
}

void geo_sort_by_distance(double lat, double lon, geo_candidate *c, double *dist, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dist[i] = c[i].has_point ? geo_distance_m(lat, lon, c[i].lat, c[i].lon) : -1;
    /* Insertion sort: a handful of teams per agency. */
    for (size_t i = 1; i < n; i++) {
        geo_candidate kc = c[i];
        double kd = dist[i];
        size_t j = i;
        while (j > 0) {
            double pd = dist[j - 1];
            bool after = kd < 0 ? (pd < 0 && c[j - 1].id > kc.id)
                                : (pd < 0 || pd > kd || (pd == kd && c[j - 1].id > kc.id));
            if (!after)
                break;
            c[j] = c[j - 1];
            dist[j] = pd;
            j--;
        }
        c[j] = kc;
        dist[j] = kd;
    }
}

long geo_nearest(double lat, double lon, const geo_candidate *c, size_t n)
{
    long best = -1;
    double bd = 0;
    for (size_t i = 0; i < n; i++) {
        if (!c[i].has_point)
            continue;
        double d = geo_distance_m(lat, lon, c[i].lat, c[i].lon);
        if (best < 0 || d < bd || (d == bd && c[i].id < c[best].id)) {
            best = (long)i;
            bd = d;
        }
    }
    return best;
}

void geo_box(double lat, double lon, double radius_m, double *lat_min, double *lat_max,
             double *lon_min, double *lon_max)
{
    double dlat = radius_m / GEO_EARTH_RADIUS_M / DEG;
    double c = cos(lat * DEG);
    /* Near a pole a longitude degree shrinks to nothing: take every one. */
    double dlon = c > 1e-6 ? dlat / c : 360;
    *lat_min = lat - dlat;
    *lat_max = lat + dlat;
    *lon_min = lon - dlon;
    *lon_max = lon + dlon;
}
