/* The hotspot map for leadership (issue 18, LA-LISA's "data for planning
 * and decisions"): GET /api/v1/stats/hotspots?from&to&agency&category&cell
 * counts the cases received in a period per grid cell, per kecamatan and
 * per category, for the dashboard's "Peta rawan" (web/app/hotspots.js).
 *
 * For the desk and leadership (superadmin, admin, supervisor, viewer) of
 * the agencies asked about: without agency, every agency where the user
 * has such a role. Nothing is left out that planning needs (confidential
 * reports count too: the counts name no one), and nothing leaves that
 * names a case: no id, code, text or exact place. A cell is never finer
 * than the public pages' rounding (0.001 degree, about 100 m). */
#include "http/http.h"

#include "core/clock.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The cell's side in thousandths of a degree: 1 is the public rounding
 * (~110 m), the default 5 about 550 m (a patrol's beat), 100 about 11 km. */
#define HS_CELL_DEFAULT 5
#define HS_CELL_MAX     100
/* The most cells an answer carries (about 60 bytes of JSON each): with
 * more at the cell size asked, the cells are merged into ones twice as
 * large until they fit, and the answer says so (cell_degrees, coarsened). */
#define HS_CELLS_MAX 10000
/* Without from, the period is the last 90 days; at most a year and a day. */
#define HS_DEFAULT_SPAN (90 * 86400)
#define HS_SPAN_MAX     (366 * 86400)

static bool reader_role(int role)
{
    return role == ROLE_SUPERADMIN || role == ROLE_ADMIN || role == ROLE_SUPERVISOR ||
           role == ROLE_VIEWER;
}

typedef struct {
    store_agency *ag; /* the agencies counted */
    size_t nag;
    int64_t from, to; /* [from, to) */
    int64_t category_id;
    int cell; /* thousandths of a degree */
} hs_query;

/* The agencies the user may read, or the one asked for; ERR_FORBIDDEN
 * when it is not one of theirs. */
static err_t hs_agencies(app_t *app, req_t *r, const char *want, hs_query *q)
{
    store_agency *all;
    size_t n = 0;
    if (want) {
        store_agency one;
        err_t e = store_agency_find(app->store, r->ar, want, &one);
        if (e == ERR_NOT_FOUND)
            return refuse(r, ERR_INVALID,
                          tr(r, "agency: instansi tidak dikenal", "agency: no such agency"));
        if (e != ERR_OK)
            return e;
        if (!reader_role(actor_role(&r->actor, one.id)))
            return refuse(r, ERR_FORBIDDEN,
                          tr(r, "peta rawan hanya untuk meja layanan dan pimpinan instansi ini",
                             "the hotspot map is for this agency's desk and leadership"));
        q->ag = arena_alloc(r->ar, sizeof *q->ag);
        if (!q->ag)
            return ERR_NOMEM;
        q->ag[0] = one;
        q->nag = 1;
        return ERR_OK;
    }
    err_t e = store_agency_list(app->store, r->ar, &all, &n);
    if (e != ERR_OK)
        return e;
    q->ag = all;
    for (size_t i = 0; i < n; i++)
        if (reader_role(actor_role(&r->actor, all[i].id)))
            q->ag[q->nag++] = all[i];
    if (!q->nag)
        return refuse(r, ERR_FORBIDDEN,
                      tr(r, "peta rawan hanya untuk meja layanan dan pimpinan instansi",
                         "the hotspot map is for an agency's desk and leadership"));
    return ERR_OK;
}

static err_t hs_parse(app_t *app, req_t *r, hs_query *q)
{
    const char *a = NULL, *f = NULL, *t = NULL, *cell = NULL;
    memset(q, 0, sizeof *q);
    err_t e = req_query(r, "agency", &a);
    if (e == ERR_OK)
        e = req_query(r, "from", &f);
    if (e == ERR_OK)
        e = req_query(r, "to", &t);
    if (e == ERR_OK)
        e = req_query(r, "cell", &cell);
    if (e == ERR_OK)
        e = query_id(r, "category", &q->category_id);
    if (e != ERR_OK)
        return e;
    q->to = clock_now() + 1;
    if (t && clock_parse(t, 1, &q->to) != 0)
        return refuse(r, ERR_INVALID,
                      tr(r, "to: tanggal TTTT-BB-HH", "to: expected a date YYYY-MM-DD"));
    q->from = q->to - HS_DEFAULT_SPAN;
    if (f && clock_parse(f, 0, &q->from) != 0)
        return refuse(r, ERR_INVALID,
                      tr(r, "from: tanggal TTTT-BB-HH", "from: expected a date YYYY-MM-DD"));
    if (q->from >= q->to)
        return refuse(r, ERR_INVALID, tr(r, "from: harus sebelum to", "from: must be before to"));
    if (q->to - q->from > HS_SPAN_MAX)
        return refuse(
            r, ERR_INVALID,
            tr(r, "from: periode paling lama satu tahun", "from: the period is at most a year"));
    q->cell = HS_CELL_DEFAULT;
    if (cell) {
        char *end = NULL;
        long v = strtol(cell, &end, 10);
        if (!end || *end || end == cell || v < 1 || v > HS_CELL_MAX)
            return refuse(r, ERR_INVALID,
                          tr(r, "cell: bilangan bulat 1 sampai 100 (per seribu derajat)",
                             "cell: an integer from 1 to 100 (thousandths of a degree)"));
        q->cell = (int)v;
    }
    if ((e = hs_agencies(app, r, a, q)) != ERR_OK)
        return e;
    if (q->category_id) {
        store_category k;
        bool ours = false;
        e = store_category_get(app->store, r->ar, q->category_id, &k);
        if (e != ERR_OK && e != ERR_NOT_FOUND)
            return e;
        for (size_t i = 0; e == ERR_OK && i < q->nag && !ours; i++)
            ours = q->ag[i].id == k.agency_id;
        if (!ours)
            return refuse(r, ERR_INVALID,
                          tr(r, "category: bukan kategori instansi yang dipilih",
                             "category: not a category of the agencies asked about"));
        for (size_t i = 0; i < q->nag; i++) /* only its agency has its cases */
            if (q->ag[i].id == k.agency_id) {
                q->ag[0] = q->ag[i];
                q->nag = 1;
                break;
            }
    }
    return ERR_OK;
}

static int by_cell(const void *a, const void *b)
{
    const store_hotspot_row *x = a, *y = b;
    if (x->located != y->located)
        return x->located ? -1 : 1;
    if (x->cell_lat != y->cell_lat)
        return x->cell_lat < y->cell_lat ? -1 : 1;
    return (x->cell_lon > y->cell_lon) - (x->cell_lon < y->cell_lon);
}

/* The distinct cells of rows sorted by_cell. */
static size_t count_cells(const store_hotspot_row *all, size_t n)
{
    size_t cells = 0;
    for (size_t i = 0; i < n && all[i].located; i++)
        if (!i || all[i].cell_lat != all[i - 1].cell_lat || all[i].cell_lon != all[i - 1].cell_lon)
            cells++;
    return cells;
}

/* obj[key] += n. */
static void add_count(json_t *obj, const char *key, int64_t n)
{
    json_t *v = json_object_get(obj, key);
    json_object_set_new(obj, key, json_integer((v ? json_integer_value(v) : 0) + n));
}

static int by_count_desc(const void *a, const void *b)
{
    json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "count"));
    json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "count"));
    return (y > x) - (y < x);
}

/* arr sorted by "count", most first. */
static json_t *sorted(json_t *arr)
{
    size_t n = json_array_size(arr);
    json_t **v = n ? calloc(n, sizeof *v) : NULL;
    if (!v)
        return arr;
    for (size_t i = 0; i < n; i++)
        v[i] = json_incref(json_array_get(arr, i));
    qsort(v, n, sizeof *v, by_count_desc);
    json_array_clear(arr);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, v[i]);
    free(v);
    return arr;
}

/* The rows of every agency, into the answer's categories, kecamatan and
 * cells. */
static err_t hs_answer(app_t *app, req_t *r, const hs_query *q, json_t *out)
{
    bool en = !strcmp(r->lang, "en");
    double k = 1000.0 / q->cell;
    store_hotspot_row *all = NULL;
    size_t nall = 0, cap = 0;
    json_t *cats = json_object(), *kecs = json_object();
    int64_t total = 0, unlocated = 0;
    err_t e = ERR_OK;
    store_region *rs;
    size_t nr = 0;
    if (!cats || !kecs)
        e = ERR_NOMEM;
    if (e == ERR_OK)
        e = store_region_list(app->store, r->ar, &rs, &nr);
    for (size_t a = 0; e == ERR_OK && a < q->nag; a++) {
        store_hotspot_row *rows;
        store_category *cs;
        size_t n = 0, nc = 0;
        e = store_hotspots(app->store, r->ar, q->ag[a].id, q->category_id, q->from, q->to, k, &rows,
                           &n);
        if (e == ERR_OK)
            e = store_category_list(app->store, r->ar, q->ag[a].id, &cs, &nc);
        if (e != ERR_OK)
            break;
        if (n && nall + n > cap) {
            size_t ncap = (nall + n) * 2;
            store_hotspot_row *v = arena_alloc(r->ar, ncap * sizeof *v);
            if (!v) {
                e = ERR_NOMEM;
                break;
            }
            if (nall)
                memcpy(v, all, nall * sizeof *v);
            all = v;
            cap = ncap;
        }
        if (n)
            memcpy(all + nall, rows, n * sizeof *rows);
        nall += n;
        for (size_t i = 0; i < n; i++) {
            char id[24];
            snprintf(id, sizeof id, "%lld", (long long)rows[i].category_id);
            json_t *c = json_object_get(cats, id);
            if (!c) {
                const store_category *kc = NULL;
                for (size_t j = 0; j < nc && !kc; j++)
                    if (cs[j].id == rows[i].category_id)
                        kc = &cs[j];
                c = json_pack("{s:I, s:s?, s:s?, s:s, s:I}", "id", (json_int_t)rows[i].category_id,
                              "code", kc ? kc->code : NULL, "name",
                              kc ? (en ? kc->name_en : kc->name_id) : NULL, "agency", q->ag[a].code,
                              "count", (json_int_t)0);
                json_object_set_new(cats, id, c);
            }
            add_count(c, "count", rows[i].count);
            const char *kk = rows[i].kecamatan_code ? rows[i].kecamatan_code : "";
            json_t *kec = json_object_get(kecs, kk);
            if (!kec) {
                const char *name = NULL;
                for (size_t j = 0; j < nr && !name; j++)
                    if (!strcmp(rs[j].code, kk))
                        name = rs[j].name;
                kec = json_pack("{s:s?, s:s?, s:I, s:{}}", "code", *kk ? kk : NULL, "name", name,
                                "count", (json_int_t)0, "by_category");
                json_object_set_new(kecs, kk, kec);
            }
            add_count(kec, "count", rows[i].count);
            add_count(json_object_get(kec, "by_category"), id, rows[i].count);
            total += rows[i].count;
            if (!rows[i].located)
                unlocated += rows[i].count;
        }
    }
    json_t *cells = json_array(), *ca = json_array(), *ka = json_array();
    if (e == ERR_OK && (!cells || !ca || !ka))
        e = ERR_NOMEM;
    if (e == ERR_OK && nall > 1)
        qsort(all, nall, sizeof *all, by_cell);
    int cell = q->cell;
    while (e == ERR_OK && cell < HS_CELL_MAX && count_cells(all, nall) > HS_CELLS_MAX) {
        /* Too many: the same rows into cells twice as large. */
        int wider = cell * 2 < HS_CELL_MAX ? cell * 2 : HS_CELL_MAX;
        for (size_t i = 0; i < nall && all[i].located; i++) {
            all[i].cell_lat = llround((double)all[i].cell_lat * cell / wider);
            all[i].cell_lon = llround((double)all[i].cell_lon * cell / wider);
        }
        cell = wider;
        k = 1000.0 / cell;
        qsort(all, nall, sizeof *all, by_cell);
    }
    if (e == ERR_OK) {
        json_t *cur = NULL;
        for (size_t i = 0; i < nall && all[i].located; i++) {
            if (!cur || all[i].cell_lat != all[i - 1].cell_lat ||
                all[i].cell_lon != all[i - 1].cell_lon) {
                /* Its centre, to the public pages' precision at most. */
                double lat = round(all[i].cell_lat / k * 1000.0) / 1000.0;
                double lon = round(all[i].cell_lon / k * 1000.0) / 1000.0;
                cur = json_pack("{s:f, s:f, s:I, s:{}}", "lat", lat, "lon", lon, "count",
                                (json_int_t)0, "by_category");
                json_array_append_new(cells, cur);
            }
            char id[24];
            snprintf(id, sizeof id, "%lld", (long long)all[i].category_id);
            add_count(cur, "count", all[i].count);
            add_count(json_object_get(cur, "by_category"), id, all[i].count);
        }
        const char *key;
        json_t *v;
        json_object_foreach(cats, key, v) json_array_append(ca, v);
        json_object_foreach(kecs, key, v) json_array_append(ka, v);
        json_t *ags = json_array();
        for (size_t i = 0; ags && i < q->nag; i++)
            json_array_append_new(ags, json_pack("{s:I, s:s, s:s}", "id", (json_int_t)q->ag[i].id,
                                                 "code", q->ag[i].code, "name", q->ag[i].name));
        char from[CLOCK_ISO_BUF], to[CLOCK_ISO_BUF];
        clock_format(q->from, from);
        clock_format(q->to, to);
        json_object_set_new(out, "from", json_string(from));
        json_object_set_new(out, "to", json_string(to));
        json_object_set_new(out, "cell_degrees", json_real(cell / 1000.0));
        json_object_set_new(out, "coarsened", json_boolean(cell != q->cell));
        json_object_set_new(out, "agencies", ags ? ags : json_array());
        json_object_set_new(out, "total", json_integer(total));
        json_object_set_new(out, "without_location", json_integer(unlocated));
        json_object_set_new(out, "categories", sorted(ca));
        json_object_set_new(out, "kecamatan", sorted(ka));
        json_object_set_new(out, "cells", cells);
        ca = ka = cells = NULL;
    }
    json_decref(cells);
    json_decref(ca);
    json_decref(ka);
    json_decref(cats);
    json_decref(kecs);
    return e;
}

err_t h_hotspots(app_t *app, req_t *r)
{
    hs_query q;
    err_t e = hs_parse(app, r, &q);
    if (e != ERR_OK)
        return e;
    json_t *j = json_object();
    if (!j)
        return ERR_NOMEM;
    if ((e = hs_answer(app, r, &q, j)) != ERR_OK) {
        json_decref(j);
        return e;
    }
    return reply_json(r, 200, j);
}
