/* regions: kecamatan boundaries and the kecamatan of a point (issue #13.7).
 *
 * An admin imports the boundaries as a GeoJSON FeatureCollection (RFC 7946:
 * Polygon or MultiPolygon features, [longitude, latitude], holes as inner
 * rings) whose properties carry the Kemendagri code of a known kecamatan
 * ("kode" or "code": "63.11.06" or "631106"). A located case then gets the
 * kecamatan whose boundary holds its point (geo.c does the geometry). */
#ifndef ADUAN_REGIONS_H
#define ADUAN_REGIONS_H

#include "store/store.h"

/* A whole kabupaten's kecamatan with detailed boundaries is a few MB of
 * GeoJSON; 64 MB is far beyond any real file and still bounded. */
#define REGION_FILE_MAX (64u * 1024 * 1024)
/* A kabupaten has tens of kecamatan; a province a few hundred. */
#define REGION_FEATURES_MAX 2000
/* Positions of one feature: a surveyed boundary has tens of thousands. */
#define REGION_POINTS_MAX 1000000

/* Parses and checks the len bytes at text as a FeatureCollection; touches
 * no database. ERR_OK with the shapes (*out, *n, owned by ar; geometry
 * re-serialised compactly), or ERR_INVALID with one line in err naming the
 * feature and what is wrong. */
err_t region_parse(arena_t *ar, const char *text, size_t len, store_region_shape **out, size_t *n,
                   char *err, size_t cap) __attribute__((warn_unused_result));

/* region_parse, then every code must be a known region, then all are
 * stored in one transaction (replacing those codes' earlier boundaries).
 * On any error nothing changes: ERR_INVALID with err. *n: how many. */
err_t region_import(store_t *s, arena_t *ar, const char *text, size_t len, int64_t now, size_t *n,
                    char *err, size_t cap) __attribute__((warn_unused_result));

/* The code of the kecamatan whose boundary holds (lat, lon), or *code NULL
 * when none does (or none was imported). On a shared edge the lowest code
 * wins. *code is owned by ar. */
err_t region_locate(store_t *s, arena_t *ar, double lat, double lon, const char **code)
    __attribute__((warn_unused_result));

/* Gives every case with a location and no kecamatan the kecamatan its
 * point falls in (after an import). *updated: how many got one. */
err_t region_backfill(store_t *s, int64_t now, size_t *updated) __attribute__((warn_unused_result));

#endif
