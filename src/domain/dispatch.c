#include "domain/dispatch.h"

#include "domain/geo.h"

#include <string.h>

int dispatch_tz_offset(const char *tz)
{
    static const struct {
        const char *name;
        int offset;
    } zones[] = {
        {"Asia/Jakarta", 420},       {"Asia/Pontianak", 420}, {"Asia/Makassar", 480},
        {"Asia/Ujung_Pandang", 480}, {"Asia/Jayapura", 540},  {"UTC", 0},
    };
    for (size_t i = 0; tz && i < sizeof zones / sizeof zones[0]; i++)
        if (strcmp(zones[i].name, tz) == 0)
            return zones[i].offset;
    return 0;
}

bool dispatch_on_duty(const store_duty *d, int64_t now, int tz_offset)
{
    if (d->weekday < 0)
        return now >= d->starts_at && now < d->ends_at;
    int64_t local = now + (int64_t)tz_offset * 60;
    int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
    int minute = (int)((local - days * 86400) / 60);
    int wday = (int)(((days + 4) % 7 + 7) % 7); /* 1970-01-01 was a Thursday */
    int start = d->start_minute, end = d->end_minute;
    if (start < end) /* within the day */
        return wday == d->weekday && minute >= start && minute < end;
    /* Past midnight: from start on the weekday to end on the next day. */
    if (wday == d->weekday && minute >= start)
        return true;
    return wday == (d->weekday + 1) % 7 && minute < end;
}

err_t dispatch_roster_load(store_t *s, arena_t *ar, int64_t agency_id, int64_t now,
                           dispatch_roster *out)
{
    store_agency a;
    memset(out, 0, sizeof *out);
    err_t e = store_agency_get(s, ar, agency_id, &a);
    if (e == ERR_OK)
        e = store_duty_list(s, ar, agency_id, &out->shifts, &out->n);
    out->tz_offset = e == ERR_OK ? dispatch_tz_offset(a.timezone) : 0;
    out->now = now;
    return e;
}

size_t dispatch_roster_members(const dispatch_roster *r, int64_t team_id, const store_duty **out,
                               size_t max)
{
    size_t k = 0;
    for (size_t i = 0; i < r->n && k < max; i++) {
        const store_duty *d = &r->shifts[i];
        if (d->team_id != team_id || !dispatch_on_duty(d, r->now, r->tz_offset))
            continue;
        bool seen = false;
        for (size_t j = 0; j < k && !seen; j++)
            seen = out[j]->user_id == d->user_id;
        if (!seen)
            out[k++] = d;
    }
    return k;
}

/* Members of a team one alert can reach: enough for any real crew. */
#define TEAM_MEMBERS_MAX 64

err_t dispatch_options(store_t *s, arena_t *ar, const store_case *c, int64_t now,
                       dispatch_option **out, size_t *n)
{
    store_team *t;
    size_t nt = 0;
    dispatch_roster r;
    *out = NULL;
    *n = 0;
    err_t e = store_team_list(s, ar, c->agency_id, &t, &nt);
    if (e == ERR_OK)
        e = dispatch_roster_load(s, ar, c->agency_id, now, &r);
    if (e != ERR_OK)
        return e;
    dispatch_option *o = arena_alloc(ar, sizeof *o * (nt ? nt : 1));
    geo_candidate *g = arena_alloc(ar, sizeof *g * (nt ? nt : 1));
    double *dist = arena_alloc(ar, sizeof *dist * (nt ? nt : 1));
    if (!o || !g || !dist)
        return ERR_NOMEM;
    for (size_t i = 0; i < nt; i++) {
        const store_duty *m[TEAM_MEMBERS_MAX];
        size_t k = dispatch_roster_members(&r, t[i].id, m, TEAM_MEMBERS_MAX);
        int reach = 0;
        for (size_t j = 0; j < k; j++)
            reach += m[j]->user_mobile != NULL;
        o[i] = (dispatch_option){t[i].id,       t[i].name, t[i].has_base, t[i].base_lat,
                                 t[i].base_lon, -1,        (int)k,        reach};
        /* Without a distance (no base, or a case without a location) the
         * older team, usually the agency's main post, comes first. */
        g[i] = (geo_candidate){t[i].id, t[i].has_base && c->has_location, t[i].base_lat,
                               t[i].base_lon};
    }
    geo_sort_by_distance(c->lat, c->lon, g, dist, nt);
    dispatch_option *sorted = arena_alloc(ar, sizeof *sorted * (nt ? nt : 1));
    if (!sorted)
        return ERR_NOMEM;
    size_t k = 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < nt; i++) {
            dispatch_option *x = NULL;
            for (size_t j = 0; j < nt && !x; j++)
                if (o[j].team_id == g[i].id)
                    x = &o[j];
            /* Off duty sorts after on duty, whatever the distance. */
            if (!x || (pass == 0) != (x->on_duty > 0))
                continue;
            x->distance_m = dist[i];
            sorted[k++] = *x;
        }
    *out = sorted;
    *n = k;
    return ERR_OK;
}

int64_t dispatch_pick(const dispatch_option *o, size_t n, const int64_t *tried, size_t ntried)
{
    for (size_t i = 0; i < n; i++) {
        if (o[i].on_duty <= 0)
            continue;
        bool used = false;
        for (size_t j = 0; j < ntried && !used; j++)
            used = tried[j] == o[i].team_id;
        if (!used)
            return o[i].team_id;
    }
    return 0;
}

err_t dispatch_find_duplicate(store_t *s, arena_t *ar, const store_case *c, unsigned radius_m,
                              int64_t window, int64_t *master)
{
    double la0, la1, lo0, lo1;
    store_nearby *v;
    size_t n = 0;
    *master = 0;
    if (!c->has_location || !c->category_id || !geo_valid(c->lat, c->lon))
        return ERR_OK;
    geo_box(c->lat, c->lon, radius_m, &la0, &la1, &lo0, &lo1);
    err_t e = store_case_nearby(s, ar, c->category_id, c->created_at - window, c->id, la0, la1, lo0,
                                lo1, &v, &n);
    if (e != ERR_OK)
        return e;
    double best = -1;
    for (size_t i = 0; i < n; i++) {
        /* Only an earlier case can be the one already being handled. */
        if (v[i].id > c->id || v[i].created_at > c->created_at)
            continue;
        double d = geo_distance_m(c->lat, c->lon, v[i].lat, v[i].lon);
        if (d > radius_m || (best >= 0 && d >= best))
            continue;
        best = d;
        *master = v[i].follows_id ? v[i].follows_id : v[i].id;
    }
    return ERR_OK;
}
