/* report: the monthly report of an agency as a PDF (libharu; issue #8):
 * totals, the resolution ratio against the 91 % target, times, SLA
 * compliance, the IKM per unsur with a bar chart, per-kecamatan and
 * per-team tables, the month's longest-open cases, the IGA evidence
 * summary and the SP4N-LAPOR! section (forwarded with and without a
 * tracking id, per national classification; issue 17 §3). Every number comes from stats_compute, as
 * on /statistik. No personal data: codes, categories, places and counts only. */
#ifndef ADUAN_REPORT_H
#define ADUAN_REPORT_H

#include "core/image.h"
#include "core/secret.h"
#include "domain/ikm.h"
#include "store/store.h"

/* The district's logo on the kop (issue 18): an upload of at most this
 * many bytes (a letterhead logo is tens of kB; room for a scanned one). */
#define REPORT_LOGO_BYTES_MAX (2 * 1024 * 1024)
/* What is stored (re-encoded) may be larger than what came: a cap on it. */
#define REPORT_LOGO_STORED_MAX (8 * 1024 * 1024)
/* In the media directory, the name of the file that names the logo in
 * force (its sha256 and a newline); the logo itself is named by sha256,
 * like every stored file. */
#define REPORT_LOGO_FILE "district-logo"

typedef struct {
    char sha256[SECRET_DIGEST_BUF];
    const char *mime; /* static */
    unsigned width, height;
    size_t size; /* bytes stored */
} report_logo;

/* Stores data (PNG or JPEG) as the district's logo: decoded and encoded
 * again (core/image.h), written to media_dir by sha256, then named in
 * force. ERR_UNSUPPORTED for another kind of picture (or one the PDF
 * library cannot read); ERR_INVALID / ERR_TOO_LARGE with *st saying why
 * for a file that is not a usable picture; nothing changes then. */
err_t report_logo_set(const char *media_dir, bool durable, const void *data, size_t len,
                      report_logo *out, image_status *st) __attribute__((warn_unused_result));

/* "laporan-bulanan-{agency code}-{YYYY-MM}.pdf", in the arena. */
const char *report_file_name(arena_t *ar, const store_agency *ag, const char *month);

/* Parses "YYYY-MM" into the month's local [from, to). Returns 0 or -1. */
int report_month_range(const char *month, int64_t *from, int64_t *to);

/* The PDF of agency ag for month ("YYYY-MM"), into the arena (*pdf,
 * *len), with the district's logo from media_dir on its kop when one was
 * uploaded (media_dir NULL: none). ERR_INVALID for a bad month. */
err_t report_monthly_pdf(store_t *s, arena_t *ar, const store_agency *ag, const char *month,
                         ikm_weight_t weight, int64_t now, const char *media_dir,
                         const unsigned char **pdf, size_t *len)
    __attribute__((warn_unused_result));

#endif
