#include "domain/regions.h"

#include "core/log.h"
#include "domain/geo.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Cases read per step of a backfill. */
#define BACKFILL_BATCH 500

/* One feature's geometry, read into geo.c's shapes. */
typedef struct {
    geo_polygon *polys;
    size_t npolys;
    double lat_min, lat_max, lon_min, lon_max;
} shape;

/* Reads one linear ring; *budget is the positions still allowed. */
static const char *read_ring(arena_t *ar, json_t *ring, geo_ring *out, size_t *budget)
{
    if (!json_is_array(ring))
        return "a ring is not an array of positions";
    size_t n = json_array_size(ring);
    if (n > *budget)
        return "too many positions";
    geo_point *pts = arena_alloc(ar, (n ? n : 1) * sizeof *pts);
    if (!pts)
        return "out of memory";
    for (size_t i = 0; i < n; i++) {
        json_t *p = json_array_get(ring, i);
        json_t *x = json_array_get(p, 0), *y = json_array_get(p, 1);
        if (!json_is_array(p) || json_array_size(p) < 2 || json_array_size(p) > 3 ||
            !json_is_number(x) || !json_is_number(y))
            return "a position is not [longitude, latitude]";
        pts[i].lon = json_number_value(x);
        pts[i].lat = json_number_value(y);
    }
    out->pts = pts;
    out->n = n;
    *budget -= n;
    return geo_ring_invalid(out);
}

/* Reads one polygon: the outer ring, then its holes. */
static const char *read_polygon(arena_t *ar, json_t *rings, geo_polygon *out, size_t *budget)
{
    if (!json_is_array(rings) || json_array_size(rings) == 0)
        return "a polygon needs an outer ring";
    size_t n = json_array_size(rings);
    geo_ring *rs = arena_alloc(ar, n * sizeof *rs);
    if (!rs)
        return "out of memory";
    for (size_t i = 0; i < n; i++) {
        const char *why = read_ring(ar, json_array_get(rings, i), &rs[i], budget);
        if (why)
            return why;
    }
    /* A hole must lie in its polygon (RFC 7946 §3.1.6); a cheap check of
     * one position catches holes listed under the wrong polygon. */
    for (size_t i = 1; i < n; i++)
        if (geo_ring_where(&rs[0], rs[i].pts[0].lat, rs[i].pts[0].lon) == GEO_OUTSIDE)
            return "a hole lies outside its polygon";
    out->rings = rs;
    out->nrings = n;
    return NULL;
}

/* Reads a Polygon or MultiPolygon geometry and its bounding box. */
static const char *read_geometry(arena_t *ar, json_t *g, shape *sh)
{
    const char *type = json_string_value(json_object_get(g, "type"));
    json_t *coords = json_object_get(g, "coordinates");
    size_t budget = REGION_POINTS_MAX;
    const char *why = NULL;
    memset(sh, 0, sizeof *sh);
    if (!json_is_object(g) || !type)
        return "the feature has no geometry";
    if (strcmp(type, "Polygon") == 0) {
        sh->npolys = 1;
        sh->polys = arena_alloc(ar, sizeof *sh->polys);
        if (!sh->polys)
            return "out of memory";
        why = read_polygon(ar, coords, &sh->polys[0], &budget);
    } else if (strcmp(type, "MultiPolygon") == 0) {
        if (!json_is_array(coords) || json_array_size(coords) == 0)
            return "a MultiPolygon needs at least one polygon";
        sh->npolys = json_array_size(coords);
        sh->polys = arena_alloc(ar, sh->npolys * sizeof *sh->polys);
        if (!sh->polys)
            return "out of memory";
        for (size_t i = 0; !why && i < sh->npolys; i++)
            why = read_polygon(ar, json_array_get(coords, i), &sh->polys[i], &budget);
    } else {
        return "the geometry is not a Polygon or MultiPolygon";
    }
    if (why)
        return why;
    sh->lat_min = sh->lon_min = INFINITY;
    sh->lat_max = sh->lon_max = -INFINITY;
    for (size_t i = 0; i < sh->npolys; i++)
        geo_ring_extend_box(&sh->polys[i].rings[0], &sh->lat_min, &sh->lat_max, &sh->lon_min,
                            &sh->lon_max);
    return NULL;
}

/* "63.11.06" or "631106" as "63.11.06"; false for anything else. */
static bool kecamatan_code(const char *in, char out[9])
{
    size_t n = in ? strlen(in) : 0;
    char d[6];
    size_t k = 0;
    if (n != 8 && n != 6)
        return false;
    for (size_t i = 0; i < n; i++) {
        bool dot = n == 8 && (i == 2 || i == 5);
        if (dot ? in[i] != '.' : (in[i] < '0' || in[i] > '9'))
            return false;
        if (!dot)
            d[k++] = in[i];
    }
    snprintf(out, 9, "%.2s.%.2s.%.2s", d, d + 2, d + 4);
    return true;
}

/* The feature's code property: "kode" (Kemendagri's word) or "code". */
static const char *code_property(json_t *f)
{
    json_t *props = json_object_get(f, "properties");
    json_t *v = json_object_get(props, "kode");
    if (!v)
        v = json_object_get(props, "code");
    return json_string_value(v);
}

static void decref(void *p) { json_decref(p); }

err_t region_parse(arena_t *ar, const char *text, size_t len, store_region_shape **out, size_t *n,
                   char *err, size_t cap)
{
    json_error_t je;
    *out = NULL;
    *n = 0;
    if (len > REGION_FILE_MAX) {
        snprintf(err, cap, "the file is larger than %u MB", REGION_FILE_MAX / (1024 * 1024));
        return ERR_INVALID;
    }
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        snprintf(err, cap, "not JSON: %s (line %d, column %d)", je.text, je.line, je.column);
        return ERR_INVALID;
    }
    if (arena_on_destroy(ar, decref, root) != 0)
        return ERR_NOMEM;
    json_t *features = json_object_get(root, "features");
    const char *type = json_string_value(json_object_get(root, "type"));
    if (!type || strcmp(type, "FeatureCollection") != 0 || !json_is_array(features)) {
        snprintf(err, cap,
                 "not a GeoJSON FeatureCollection (\"type\": \"FeatureCollection\" "
                 "with a \"features\" array)");
        return ERR_INVALID;
    }
    size_t nf = json_array_size(features);
    if (nf == 0 || nf > REGION_FEATURES_MAX) {
        snprintf(err, cap, "a FeatureCollection of 1 to %d features is expected (got %zu)",
                 REGION_FEATURES_MAX, nf);
        return ERR_INVALID;
    }
    store_region_shape *v = arena_alloc(ar, nf * sizeof *v);
    if (!v)
        return ERR_NOMEM;
    for (size_t i = 0; i < nf; i++) {
        json_t *f = json_array_get(features, i);
        const char *ftype = json_string_value(json_object_get(f, "type"));
        const char *raw = code_property(f);
        char code[9];
        shape sh;
        if (!ftype || strcmp(ftype, "Feature") != 0) {
            snprintf(err, cap, "feature %zu: not a Feature", i + 1);
            return ERR_INVALID;
        }
        if (!kecamatan_code(raw, code)) {
            snprintf(err, cap,
                     "feature %zu: properties.kode must be a Kemendagri kecamatan code such "
                     "as 63.11.06 (got %.40s)",
                     i + 1, raw ? raw : "nothing");
            return ERR_INVALID;
        }
        for (size_t k = 0; k < i; k++)
            if (strcmp(v[k].code, code) == 0) {
                snprintf(err, cap, "feature %zu: %s appears twice", i + 1, code);
                return ERR_INVALID;
            }
        json_t *g = json_object_get(f, "geometry");
        const char *why = read_geometry(ar, g, &sh);
        if (why) {
            snprintf(err, cap, "feature %zu (%s): %s", i + 1, code, why);
            return ERR_INVALID;
        }
        /* Only what the lookup needs: no foreign members, no bbox. */
        json_t *keep = json_pack("{s:O, s:O}", "type", json_object_get(g, "type"), "coordinates",
                                 json_object_get(g, "coordinates"));
        char *text_g = keep ? json_dumps(keep, JSON_COMPACT | JSON_REAL_PRECISION(10)) : NULL;
        json_decref(keep);
        v[i].code = arena_strdup(ar, code);
        v[i].geometry = text_g ? arena_strdup(ar, text_g) : NULL;
        free(text_g);
        if (!v[i].code || !v[i].geometry)
            return ERR_NOMEM;
        v[i].lat_min = sh.lat_min;
        v[i].lat_max = sh.lat_max;
        v[i].lon_min = sh.lon_min;
        v[i].lon_max = sh.lon_max;
    }
    *out = v;
    *n = nf;
    return ERR_OK;
}

err_t region_import(store_t *s, arena_t *ar, const char *text, size_t len, int64_t now, size_t *n,
                    char *err, size_t cap)
{
    store_region_shape *v;
    size_t nv = 0;
    *n = 0;
    err_t e = region_parse(ar, text, len, &v, &nv, err, cap);
    if (e != ERR_OK)
        return e;
    for (size_t i = 0; i < nv; i++) {
        e = store_region_exists(s, v[i].code);
        if (e == ERR_NOT_FOUND) {
            snprintf(err, cap,
                     "feature %zu: %s is not a kecamatan of this deployment (aduan region list)",
                     i + 1, v[i].code);
            return ERR_INVALID;
        }
        if (e != ERR_OK) {
            snprintf(err, cap, "database: %s", err_str(e));
            return e;
        }
    }
    e = store_region_shapes_put(s, v, nv, now);
    if (e == ERR_NOT_FOUND) {
        /* A region removed meanwhile: the transaction changed nothing. */
        snprintf(err, cap, "a kecamatan of the file is no longer known; nothing was imported");
        return ERR_INVALID;
    }
    if (e != ERR_OK) {
        snprintf(err, cap, "database: %s", err_str(e));
        return e;
    }
    *n = nv;
    return ERR_OK;
}

err_t region_locate(store_t *s, arena_t *ar, double lat, double lon, const char **code)
{
    store_region_shape *c;
    size_t n = 0;
    *code = NULL;
    if (!geo_valid(lat, lon))
        return ERR_OK;
    err_t e = store_region_shapes_at(s, ar, lat, lon, &c, &n);
    for (size_t i = 0; e == ERR_OK && i < n; i++) {
        json_error_t je;
        shape sh;
        json_t *g = json_loads(c[i].geometry, 0, &je);
        const char *why = g ? read_geometry(ar, g, &sh) : "not JSON";
        json_decref(g);
        if (why) {
            /* Checked at import: only a hand-edited row gets here. */
            log_warn("region", "event=bad_boundary code=%s why=\"%s\"", c[i].code, why);
            continue;
        }
        if (geo_multipolygon_contains(sh.polys, sh.npolys, lat, lon)) {
            *code = c[i].code;
            break;
        }
    }
    return e;
}

err_t region_backfill(store_t *s, int64_t now, size_t *updated)
{
    int64_t after = 0;
    err_t e = ERR_OK;
    *updated = 0;
    for (;;) {
        arena_t *ar = arena_new();
        store_case_point *p;
        size_t n = 0;
        if (!ar)
            return ERR_NOMEM;
        e = store_case_unlocated(s, ar, after, BACKFILL_BATCH, &p, &n);
        for (size_t i = 0; e == ERR_OK && i < n; i++) {
            const char *code = NULL;
            after = p[i].id;
            e = region_locate(s, ar, p[i].lat, p[i].lon, &code);
            if (e != ERR_OK || !code)
                continue;
            e = store_case_set_kecamatan(s, p[i].id, code, now);
            if (e == ERR_OK)
                (*updated)++;
            else if (e == ERR_NOT_FOUND)
                e = ERR_OK; /* given one meanwhile */
        }
        arena_destroy(ar);
        if (e != ERR_OK || n < BACKFILL_BATCH)
            return e;
    }
}
