/* stats: the figures of one agency (or all) over a period, from the
 * database (issue #8). The statistics API, the public page and the monthly
 * report all use this code, so they give the same numbers. No personal
 * data: counts, times, the IKM, and rounded locations of public cases. */
#ifndef ADUAN_STATS_H
#define ADUAN_STATS_H

#include "domain/ikm.h"
#include "store/store.h"

/* The IGA target for the resolution ratio (LACAK BENTOR: 91 %). */
#define STATS_RESOLUTION_TARGET 0.91

typedef struct {
    const char *key;  /* category code or id, kecamatan code, "YYYY-MM", team id */
    const char *name; /* for people (Indonesian; category also name_en) */
    const char *name_en;
    int64_t received, resolved;
    /* Resolved cases with a resolve deadline, and those done by it. */
    int64_t sla_total, sla_met;
} stats_bucket;

typedef struct {
    int64_t agency_id, from, to;
    int64_t received;        /* cases received in the period (forwarded away excluded) */
    int64_t resolved;        /* of those, resolved or closed (or issued) now */
    int64_t closed;          /* of those, closed now: the survey's population */
    int64_t open;            /* neither resolved, closed, rejected nor cancelled */
    double resolution_ratio; /* resolved / received; 0 with no cases */
    /* Medians in seconds; -1 when no case has the time yet. */
    double median_first_response, median_resolution;
    int64_t n_first_response, n_resolution;
    stats_bucket *by_category, *by_kecamatan, *by_month, *by_team, *by_agency;
    size_t n_category, n_kecamatan, n_month, n_team, n_agency;
    /* Per channel the cases came on (issue 16 section 4, "Kanal pengaduan":
     * the integration evidence IGA asks for), most first. */
    stats_bucket *by_channel;
    size_t n_channel;
    /* The IKM of the responses given in the period. */
    ikm_weight_t weight;
    store_survey_tally tally;
    ikm_result ikm;
    int64_t sample_target; /* Krejcie-Morgan for the population (closed) */
    /* SLA compliance (issue #6): of the resolved (or closed, issued) cases
     * that have a resolve deadline, the share done by it: sla_met /
     * sla_total; -1 when no such case. */
    double sla_compliance;
    int64_t sla_total, sla_met;
    /* The period's cases, oldest first (for the map and the report). */
    store_stats_case *cases;
    size_t ncases;
} stats_t;

/* Computes the figures of agency_id (0: all) for cases received in
 * [from, to) and survey answers given then. */
err_t stats_compute(store_t *s, arena_t *ar, int64_t agency_id, int64_t from, int64_t to,
                    ikm_weight_t weight, stats_t *out) __attribute__((warn_unused_result));

/* The same for one category (or service) of the agency (0: every one). */
err_t stats_compute_for(store_t *s, arena_t *ar, int64_t agency_id, int64_t category_id,
                        int64_t from, int64_t to, ikm_weight_t weight, stats_t *out)
    __attribute__((warn_unused_result));

/* True when the case counts as resolved (resolved, closed or issued). */
bool stats_is_resolved(const store_stats_case *c);

/* Whether a case counts for SLA compliance (resolved and with a resolve
 * deadline), and if so whether its last resolution (or its closing, when
 * it never passed through resolved) came by the deadline. */
bool stats_sla_counts(const store_stats_case *c, bool *met);

/* share = met / total, or -1 when total is 0. */
double stats_share(int64_t met, int64_t total);

#endif
