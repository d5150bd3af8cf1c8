/* report: the monthly report of an agency as a PDF (libharu; issue #8):
 * totals, the resolution ratio against the 91 % target, times, SLA
 * compliance, the IKM per unsur with a bar chart, per-kecamatan and
 * per-team tables, the month's longest-open cases, the IGA evidence
 * summary and the SP4N-LAPOR! section (forwarded with and without a
 * tracking id, per national classification; issue 17 §3). Every number comes from stats_compute, as
 * on /statistik. No personal data: codes, categories, places and counts only. */
#ifndef ADUAN_REPORT_H
#define ADUAN_REPORT_H

#include "domain/ikm.h"
#include "store/store.h"

/* Parses "YYYY-MM" into the month's local [from, to). Returns 0 or -1. */
int report_month_range(const char *month, int64_t *from, int64_t *to);

/* The PDF of agency ag for month ("YYYY-MM"), into the arena (*pdf,
 * *len). ERR_INVALID for a bad month. */
err_t report_monthly_pdf(store_t *s, arena_t *ar, const store_agency *ag, const char *month,
                         ikm_weight_t weight, int64_t now, const unsigned char **pdf, size_t *len)
    __attribute__((warn_unused_result));

#endif
