/* The public statistics (issue #8): GET /api/v1/stats?agency=&from=&to=
 * and the page /statistik (web/public/statistik.*, Chart.js and Leaflet).
 * Counts and times only; locations of public cases rounded to ~100 m. */
#include "http/http.h"

#include "core/clock.h"
#include "domain/report.h"
#include "domain/stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Without from, the period starts this long before to (seconds). */
#define STATS_DEFAULT_SPAN (365 * 24 * 3600)

static json_t *hours(double seconds)
{
    return seconds < 0 ? json_null() : json_real(round(seconds / 36.0) / 100.0);
}

static double r4(double v);

/* A share rounded to 4 places, or null without cases to judge. */
static json_t *share(int64_t met, int64_t total)
{
    double v = stats_share(met, total);
    return v < 0 ? json_null() : json_real(r4(v));
}

static json_t *buckets(const stats_bucket *b, size_t n, const char *key_name, bool en)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(
            a, json_pack("{s:s, s:s, s:I, s:I, s:f, s:o}", key_name, b[i].key, "name",
                         en ? b[i].name_en : b[i].name, "received", (json_int_t)b[i].received,
                         "resolved", (json_int_t)b[i].resolved, "resolution_ratio",
                         b[i].received ? (double)b[i].resolved / (double)b[i].received : 0.0,
                         "sla_compliance", share(b[i].sla_met, b[i].sla_total)));
    return a;
}

static double r4(double v) { return round(v * 10000.0) / 10000.0; }

json_t *stats_json(const stats_t *st, const store_agency *ag, const char *lang);

json_t *stats_json(const stats_t *st, const store_agency *ag, const char *lang)
{
    bool en = lang && !strcmp(lang, "en");
    json_t *unsur = json_array();
    for (int u = 0; unsur && u < IKM_UNSUR; u++)
        json_array_append_new(
            unsur, json_pack("{s:s, s:s, s:o, s:I}", "code", ikm_unsur_code(u), "name",
                             ikm_unsur_name(u, lang), "nrr",
                             st->ikm.has[u] ? json_real(r4(st->ikm.nrr[u])) : json_null(),
                             "respondents", (json_int_t)st->tally.count[u]));
    json_t *ikm = json_pack("{s:o, s:o, s:s, s:s, s:s, s:I, s:I, s:I, s:o}", "score",
                            st->ikm.answered ? json_real(st->ikm.score) : json_null(), "index",
                            st->ikm.answered ? json_real(r4(st->ikm.index)) : json_null(), "mutu",
                            st->ikm.answered ? (char[]){st->ikm.mutu, 0} : "-", "kinerja",
                            st->ikm.answered ? ikm_kinerja(st->ikm.mutu, lang) : "-", "weight",
                            st->weight == IKM_WEIGHT_0111 ? "0.111" : "1/9", "respondents",
                            (json_int_t)st->tally.respondents, "population", (json_int_t)st->closed,
                            "sample_target", (json_int_t)st->sample_target, "unsur", unsur);
    json_t *map = json_array();
    for (size_t i = 0; map && i < st->ncases; i++) {
        const store_stats_case *c = &st->cases[i];
        if (!c->has_location || c->rahasia)
            continue;
        json_array_append_new(
            map, json_pack("{s:f, s:f, s:s?, s:s}", "lat", round(c->lat * 1000.0) / 1000.0, "lon",
                           round(c->lon * 1000.0) / 1000.0, "category",
                           en ? c->category_name_en : c->category_name_id, "status", c->status));
    }
    char from[CLOCK_ISO_BUF], to[CLOCK_ISO_BUF];
    clock_format(st->from, from);
    clock_format(st->to, to);
    json_t *j = json_pack(
        "{s:o, s:s, s:s, s:I, s:I, s:I, s:I, s:f, s:f, s:o, s:o, s:I, s:I, s:o, s:o, s:o, s:o,"
        " s:o, s:o}",
        "agency",
        ag ? json_pack("{s:I, s:s, s:s}", "id", (json_int_t)ag->id, "code", ag->code, "name",
                       ag->name)
           : json_null(),
        "from", from, "to", to, "received", (json_int_t)st->received, "resolved",
        (json_int_t)st->resolved, "closed", (json_int_t)st->closed, "open", (json_int_t)st->open,
        "resolution_ratio", r4(st->resolution_ratio), "resolution_target", STATS_RESOLUTION_TARGET,
        "median_first_response_hours", hours(st->median_first_response), "median_resolution_hours",
        hours(st->median_resolution), "first_responses", (json_int_t)st->n_first_response,
        "resolutions", (json_int_t)st->n_resolution, "by_category",
        buckets(st->by_category, st->n_category, "category", en), "by_kecamatan",
        buckets(st->by_kecamatan, st->n_kecamatan, "kecamatan", en), "by_month",
        buckets(st->by_month, st->n_month, "month", en), "sla_compliance",
        st->sla_compliance < 0 ? json_null() : json_real(r4(st->sla_compliance)), "ikm", ikm, "map",
        map);
    if (j) {
        json_object_set_new(j, "sla_cases", json_integer((json_int_t)st->sla_total));
        json_object_set_new(j, "sla_met", json_integer((json_int_t)st->sla_met));
        json_object_set_new(j, "by_agency", buckets(st->by_agency, st->n_agency, "agency", en));
        json_object_set_new(j, "by_channel", buckets(st->by_channel, st->n_channel, "channel", en));
    }
    return j;
}

err_t stats_params(app_t *app, req_t *r, store_agency *ag, bool *has_agency, int64_t *from,
                   int64_t *to, ikm_weight_t *w);

/* agency (code or id), from and to (YYYY-MM-DD, to inclusive), weight
 * (exact or 0.111). */
err_t stats_params(app_t *app, req_t *r, store_agency *ag, bool *has_agency, int64_t *from,
                   int64_t *to, ikm_weight_t *w)
{
    const char *a = NULL, *f = NULL, *t = NULL, *wt = NULL;
    err_t e = req_query(r, "agency", &a);
    if (e == ERR_OK)
        e = req_query(r, "from", &f);
    if (e == ERR_OK)
        e = req_query(r, "to", &t);
    if (e == ERR_OK)
        e = req_query(r, "weight", &wt);
    if (e != ERR_OK)
        return e;
    *has_agency = false;
    if (a) {
        e = store_agency_find(app->store, r->ar, a, ag);
        if (e == ERR_NOT_FOUND) {
            r->detail = "agency: unknown agency";
            return ERR_INVALID;
        }
        if (e != ERR_OK)
            return e;
        *has_agency = true;
    }
    *to = clock_now() + 1; /* exclusive: this second counts */
    if (t && clock_parse(t, 1, to) != 0) {
        r->detail = "to: expected a date YYYY-MM-DD";
        return ERR_INVALID;
    }
    *from = *to - STATS_DEFAULT_SPAN;
    if (f && clock_parse(f, 0, from) != 0) {
        r->detail = "from: expected a date YYYY-MM-DD";
        return ERR_INVALID;
    }
    if (*from >= *to) {
        r->detail = "from: must be before to";
        return ERR_INVALID;
    }
    /* The request's choice, else the setting (ADUAN_IKM_WEIGHT). */
    *w = app->cfg->ikm_weight_0111 ? IKM_WEIGHT_0111 : IKM_WEIGHT_EXACT;
    if (wt && !strcmp(wt, "0.111"))
        *w = IKM_WEIGHT_0111;
    else if (wt && !strcmp(wt, "exact"))
        *w = IKM_WEIGHT_EXACT;
    else if (wt) {
        r->detail = "weight: exact or 0.111";
        return ERR_INVALID;
    }
    return ERR_OK;
}

err_t h_stats(app_t *app, req_t *r)
{
    store_agency ag;
    bool has_agency;
    int64_t from, to;
    ikm_weight_t w;
    stats_t st;
    const char *cat = NULL;
    store_category k;
    err_t e = stats_params(app, r, &ag, &has_agency, &from, &to, &w);
    if (e == ERR_OK)
        e = req_query(r, "category", &cat);
    if (e != ERR_OK)
        return e;
    memset(&k, 0, sizeof k);
    if (cat) {
        char *end;
        long long id = strtoll(cat, &end, 10);
        e = id > 0 && !*end ? store_category_get(app->store, r->ar, id, &k) : ERR_NOT_FOUND;
        if (e == ERR_OK && has_agency && k.agency_id != ag.id)
            e = ERR_NOT_FOUND;
        if (e == ERR_NOT_FOUND) {
            r->detail = "category: unknown category (of this agency)";
            return ERR_INVALID;
        }
        if (e != ERR_OK)
            return e;
    }
    e = stats_compute_for(app->store, r->ar, has_agency ? ag.id : 0, k.id, from, to, w, &st);
    if (e != ERR_OK)
        return e;
    json_t *j = stats_json(&st, has_agency ? &ag : NULL, r->lang);
    if (j && cat)
        json_object_set_new(j, "category",
                            json_pack("{s:I, s:s, s:s}", "id", (json_int_t)k.id, "code", k.code,
                                      "name", strcmp(r->lang, "en") ? k.name_id : k.name_en));
    return reply_json(r, 200, j);
}

err_t h_stats_page(app_t *app, req_t *r)
{
    (void)app;
    r->path = "/public/statistik.html";
    return static_serve(r) ? ERR_OK : ERR_NOT_FOUND;
}

/* The agencies, for the statistics page's choice (public: names only). */
err_t h_public_agencies(app_t *app, req_t *r)
{
    store_agency *a;
    size_t n;
    err_t e = store_agency_list(app->store, r->ar, &a, &n);
    if (e != ERR_OK)
        return e;
    json_t *items = json_array();
    for (size_t i = 0; items && i < n; i++)
        json_array_append_new(items, json_pack("{s:I, s:s, s:s}", "id", (json_int_t)a[i].id, "code",
                                               a[i].code, "name", a[i].name));
    return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

/* GET /api/v1/reports/monthly.pdf?agency=&month=YYYY-MM[&weight=0.111]:
 * the monthly report of an agency the user works in (any role there). */
err_t h_report_monthly(app_t *app, req_t *r)
{
    const char *a = NULL, *month = NULL, *wt = NULL;
    store_agency ag;
    err_t e = req_query(r, "agency", &a);
    if (e == ERR_OK)
        e = req_query(r, "month", &month);
    if (e == ERR_OK)
        e = req_query(r, "weight", &wt);
    if (e != ERR_OK)
        return e;
    int64_t from, to;
    if (!month || report_month_range(month, &from, &to) != 0) {
        r->detail = "month: expected YYYY-MM";
        return ERR_INVALID;
    }
    if (wt && strcmp(wt, "0.111") != 0 && strcmp(wt, "exact") != 0) {
        r->detail = "weight: exact or 0.111";
        return ERR_INVALID;
    }
    if (a) {
        e = store_agency_find(app->store, r->ar, a, &ag);
        if (e == ERR_NOT_FOUND) {
            r->detail = "agency: unknown agency";
            return ERR_INVALID;
        }
    } else {
        int64_t only = actor_single_agency(&r->actor);
        if (!only) {
            r->detail = "agency: required (you work in several agencies)";
            return ERR_INVALID;
        }
        e = store_agency_get(app->store, r->ar, only, &ag);
    }
    if (e != ERR_OK)
        return e;
    if (actor_role(&r->actor, ag.id) < 0) {
        r->detail = "this agency's report is for its own staff";
        return ERR_FORBIDDEN;
    }
    /* It lists the longest-open cases of the agency (issue 13). */
    if (field_role_in(r, ag.id)) {
        r->detail = tr(r, "laporan bulanan untuk meja layanan dan pimpinan instansi",
                       "the monthly report is for the agency's desk and leadership");
        return ERR_FORBIDDEN;
    }
    const unsigned char *pdf;
    size_t len;
    ikm_weight_t w = app->cfg->ikm_weight_0111 ? IKM_WEIGHT_0111 : IKM_WEIGHT_EXACT;
    if (wt)
        w = !strcmp(wt, "0.111") ? IKM_WEIGHT_0111 : IKM_WEIGHT_EXACT;
    e = report_monthly_pdf(app->store, r->ar, &ag, month, w, clock_now(), app->cfg->media_dir, &pdf,
                           &len);
    if (e != ERR_OK)
        return e;
    /* A name that says what it is, for the folder it is saved in. */
    r->disposition =
        arena_printf(r->ar, "attachment; filename=\"%s\"", report_file_name(r->ar, &ag, month));
    r->status = 200;
    r->content_type = "application/pdf";
    r->text = (const char *)pdf;
    r->text_len = len;
    return ERR_OK;
}
