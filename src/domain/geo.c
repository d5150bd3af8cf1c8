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

/* Whether p is within GEO_EDGE_DEG of the segment a-b. */
static bool on_segment(geo_point a, geo_point b, double lat, double lon)
{
    double dx = b.lon - a.lon, dy = b.lat - a.lat;
    double len2 = dx * dx + dy * dy;
    if (len2 == 0)
        return fabs(lon - a.lon) <= GEO_EDGE_DEG && fabs(lat - a.lat) <= GEO_EDGE_DEG;
    /* The nearest point of the segment, as a fraction t of a-b. */
    double t = ((lon - a.lon) * dx + (lat - a.lat) * dy) / len2;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    double ex = a.lon + t * dx - lon, ey = a.lat + t * dy - lat;
    return ex * ex + ey * ey <= GEO_EDGE_DEG * GEO_EDGE_DEG;
}

geo_where geo_ring_where(const geo_ring *r, double lat, double lon)
{
    bool in = false;
    if (!r || r->n < 2)
        return GEO_OUTSIDE;
    for (size_t i = 0, j = r->n - 1; i < r->n; j = i++) {
        geo_point a = r->pts[j], b = r->pts[i];
        if (on_segment(a, b, lat, lon))
            return GEO_BOUNDARY;
        /* Crossing number: count the edges that a ray from the point
         * towards east crosses. An edge counts when it straddles the
         * point's latitude, half-open so that a vertex on the ray is
         * counted once. */
        if ((a.lat > lat) != (b.lat > lat)) {
            double x = a.lon + (lat - a.lat) * (b.lon - a.lon) / (b.lat - a.lat);
            if (lon < x)
                in = !in;
        }
    }
    return in ? GEO_INSIDE : GEO_OUTSIDE;
}

geo_where geo_polygon_where(const geo_polygon *p, double lat, double lon)
{
    if (!p || p->nrings == 0)
        return GEO_OUTSIDE;
    geo_where w = geo_ring_where(&p->rings[0], lat, lon);
    if (w != GEO_INSIDE)
        return w;
    for (size_t i = 1; i < p->nrings; i++) {
        geo_where h = geo_ring_where(&p->rings[i], lat, lon);
        if (h == GEO_INSIDE)
            return GEO_OUTSIDE;
        if (h == GEO_BOUNDARY)
            return GEO_BOUNDARY;
    }
    return GEO_INSIDE;
}

bool geo_multipolygon_contains(const geo_polygon *p, size_t n, double lat, double lon)
{
    if (!geo_valid(lat, lon))
        return false;
    for (size_t i = 0; i < n; i++)
        if (geo_polygon_where(&p[i], lat, lon) != GEO_OUTSIDE)
            return true;
    return false;
}

const char *geo_ring_invalid(const geo_ring *r)
{
    if (!r || r->n < 4)
        return "a ring needs at least 4 positions";
    for (size_t i = 0; i < r->n; i++)
        if (!geo_valid(r->pts[i].lat, r->pts[i].lon))
            return "a position is not [longitude, latitude] on the earth";
    if (r->pts[0].lon != r->pts[r->n - 1].lon || r->pts[0].lat != r->pts[r->n - 1].lat)
        return "a ring must end where it starts";
    return NULL;
}

void geo_ring_extend_box(const geo_ring *r, double *lat_min, double *lat_max, double *lon_min,
                         double *lon_max)
{
    for (size_t i = 0; r && i < r->n; i++) {
        const geo_point *q = &r->pts[i];
        *lat_min = q->lat < *lat_min ? q->lat : *lat_min;
        *lat_max = q->lat > *lat_max ? q->lat : *lat_max;
        *lon_min = q->lon < *lon_min ? q->lon : *lon_min;
        *lon_max = q->lon > *lon_max ? q->lon : *lon_max;
    }
}
