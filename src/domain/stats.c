#include "domain/stats.h"

#include "domain/cases.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

bool stats_is_resolved(const store_stats_case *c)
{
    return !strcmp(c->status, "resolved") || !strcmp(c->status, "closed") ||
           !strcmp(c->status, "issued");
}

bool stats_sla_counts(const store_stats_case *c, bool *met)
{
    *met = false;
    if (!stats_is_resolved(c) || c->resolve_due_at <= 0)
        return false;
    int64_t done = c->last_resolved_at ? c->last_resolved_at : c->closed_at;
    if (!done)
        return false;
    *met = done <= c->resolve_due_at;
    return true;
}

double stats_share(int64_t met, int64_t total)
{
    return total > 0 ? (double)met / (double)total : -1;
}

static bool is_open(const store_stats_case *c)
{
    return !stats_is_resolved(c) && strcmp(c->status, "rejected") != 0;
}

typedef struct {
    stats_bucket *b;
    size_t n, cap;
} buckets;

static stats_bucket *bucket(arena_t *ar, buckets *bs, const char *key, const char *name,
                            const char *name_en)
{
    for (size_t i = 0; i < bs->n; i++)
        if (!strcmp(bs->b[i].key, key))
            return &bs->b[i];
    if (bs->n == bs->cap) {
        size_t cap = bs->cap ? bs->cap * 2 : 16;
        stats_bucket *nb = arena_alloc(ar, cap * sizeof *nb);
        if (!nb)
            return NULL;
        if (bs->n)
            memcpy(nb, bs->b, bs->n * sizeof *nb);
        bs->b = nb;
        bs->cap = cap;
    }
    stats_bucket *b = &bs->b[bs->n++];
    memset(b, 0, sizeof *b);
    b->key = arena_strdup(ar, key);
    b->name = name ? arena_strdup(ar, name) : b->key;
    b->name_en = name_en ? arena_strdup(ar, name_en) : b->name;
    return b;
}

static void count(arena_t *ar, buckets *bs, const char *key, const char *name, const char *name_en,
                  bool resolved, bool sla, bool met)
{
    stats_bucket *b = bucket(ar, bs, key, name, name_en);
    if (b) {
        b->received++;
        b->resolved += resolved;
        b->sla_total += sla;
        b->sla_met += sla && met;
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
    if (n == 0)
        return -1;
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int cmp_bucket_key(const void *a, const void *b)
{
    return strcmp(((const stats_bucket *)a)->key, ((const stats_bucket *)b)->key);
}

static int cmp_bucket_count(const void *a, const void *b)
{
    const stats_bucket *x = a, *y = b;
    if (x->received != y->received)
        return x->received < y->received ? 1 : -1;
    return strcmp(x->key, y->key);
}

err_t stats_compute(store_t *s, arena_t *ar, int64_t agency_id, int64_t from, int64_t to,
                    ikm_weight_t weight, stats_t *out)
{
    return stats_compute_for(s, ar, agency_id, 0, from, to, weight, out);
}

err_t stats_compute_for(store_t *s, arena_t *ar, int64_t agency_id, int64_t category_id,
                        int64_t from, int64_t to, ikm_weight_t weight, stats_t *out)
{
    memset(out, 0, sizeof *out);
    out->agency_id = agency_id;
    out->from = from;
    out->to = to;
    out->weight = weight;
    out->sla_compliance = -1;
    err_t e = store_stats_cases(s, ar, agency_id, from, to, &out->cases, &out->ncases);
    if (e == ERR_OK)
        e = store_survey_tally_get(s, agency_id, category_id, from, to, &out->tally);
    if (e != ERR_OK)
        return e;
    if (category_id) {
        size_t k = 0;
        for (size_t i = 0; i < out->ncases; i++)
            if (out->cases[i].category_id == category_id)
                out->cases[k++] = out->cases[i];
        out->ncases = k;
    }
    double *fr = arena_alloc(ar, (out->ncases + 1) * sizeof *fr);
    double *rs = arena_alloc(ar, (out->ncases + 1) * sizeof *rs);
    if (!fr || !rs)
        return ERR_NOMEM;
    buckets cat = {0}, kec = {0}, mon = {0}, team = {0}, agency = {0}, chan = {0};
    for (size_t i = 0; i < out->ncases; i++) {
        const store_stats_case *c = &out->cases[i];
        bool res = stats_is_resolved(c), met;
        bool sla = stats_sla_counts(c, &met);
        out->sla_total += sla;
        out->sla_met += sla && met;
        out->received++;
        out->resolved += res;
        out->closed += !strcmp(c->status, "closed");
        out->open += is_open(c);
        if (c->first_response_at && c->first_response_at >= c->created_at)
            fr[out->n_first_response++] = (double)(c->first_response_at - c->created_at);
        int64_t done = c->resolved_at ? c->resolved_at : c->closed_at;
        if (res && done >= c->created_at)
            rs[out->n_resolution++] = (double)(done - c->created_at);
        char key[32], month[32];
        snprintf(key, sizeof key, "%lld", (long long)c->category_id);
        count(ar, &cat, key, c->category_name_id, c->category_name_en, res, sla, met);
        count(ar, &kec, c->kecamatan_code ? c->kecamatan_code : "-",
              c->kecamatan_name ? c->kecamatan_name : "(tanpa kecamatan)",
              c->kecamatan_name ? c->kecamatan_name : "(no kecamatan)", res, sla, met);
        count(ar, &agency, c->agency_code ? c->agency_code : "-", c->agency_name, c->agency_name,
              res, sla, met);
        time_t t = (time_t)c->created_at;
        struct tm tm;
        localtime_r(&t, &tm);
        snprintf(month, sizeof month, "%04d-%02d", tm.tm_year + 1900, tm.tm_mon + 1);
        count(ar, &mon, month, NULL, NULL, res, sla, met);
        const char *ch = c->channel ? c->channel : "-";
        count(ar, &chan, ch, case_channel_label(ch, "id"), case_channel_label(ch, "en"), res, sla,
              met);
        snprintf(key, sizeof key, "%lld", (long long)c->team_id);
        count(ar, &team, key, c->team_id ? c->team_name : "(belum ada tim)",
              c->team_id ? c->team_name : "(no team)", res, sla, met);
    }
    out->resolution_ratio = out->received ? (double)out->resolved / (double)out->received : 0;
    out->median_first_response = median(fr, out->n_first_response);
    out->median_resolution = median(rs, out->n_resolution);
    out->sla_compliance = stats_share(out->sla_met, out->sla_total);
    if (out->ncases) {
        qsort(cat.b, cat.n, sizeof *cat.b, cmp_bucket_count);
        qsort(kec.b, kec.n, sizeof *kec.b, cmp_bucket_key);
        qsort(mon.b, mon.n, sizeof *mon.b, cmp_bucket_key);
        qsort(team.b, team.n, sizeof *team.b, cmp_bucket_count);
        qsort(agency.b, agency.n, sizeof *agency.b, cmp_bucket_key);
        qsort(chan.b, chan.n, sizeof *chan.b, cmp_bucket_count);
    }
    out->by_channel = chan.b, out->n_channel = chan.n;
    out->by_category = cat.b, out->n_category = cat.n;
    out->by_kecamatan = kec.b, out->n_kecamatan = kec.n;
    out->by_month = mon.b, out->n_month = mon.n;
    out->by_team = team.b, out->n_team = team.n;
    out->by_agency = agency.b, out->n_agency = agency.n;
    ikm_tally t;
    memcpy(t.sum, out->tally.sum, sizeof t.sum);
    memcpy(t.count, out->tally.count, sizeof t.count);
    ikm_compute(&t, weight, &out->ikm);
    out->sample_target = ikm_sample_target(out->closed);
    return ERR_OK;
}
