#include "domain/report.h"
#include "domain/lapor.h"

#include "core/clock.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/text.h"
#include "domain/lifecycle.h"
#include "domain/stats.h"

#include <hpdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PAGE_W   595.0f /* A4, points */
#define PAGE_H   842.0f
#define MARGIN   50.0f
#define LONGEST  10 /* longest-open cases listed */
#define TEXT_MAX 512

int report_month_range(const char *month, int64_t *from, int64_t *to)
{
    int y, m;
    char tail;
    if (!month || strlen(month) != 7 || sscanf(month, "%4d-%2d%c", &y, &m, &tail) != 2 ||
        month[4] != '-' || y < 2000 || y > 2100 || m < 1 || m > 12)
        return -1;
    struct tm a = {0}, b = {0};
    a.tm_year = y - 1900;
    a.tm_mon = m - 1;
    a.tm_mday = 1;
    a.tm_isdst = -1;
    b = a;
    b.tm_mon += 1; /* mktime normalises December + 1 */
    *from = (int64_t)mktime(&a);
    *to = (int64_t)mktime(&b);
    return 0;
}

typedef struct {
    HPDF_Doc pdf;
    HPDF_Page page;
    HPDF_Font font, bold;
    float y;
    bool failed;
} doc;

static void on_error(HPDF_STATUS code, HPDF_STATUS detail, void *user)
{
    doc *d = user;
    if (!d->failed)
        log_error("report", "event=pdf_error code=0x%04X detail=%u", (unsigned)code,
                  (unsigned)detail);
    d->failed = true;
}

/* UTF-8 to the standard fonts' WinAnsi: ASCII as is, the rest as '?'
 * except a few common signs. */
static const char *ansi(const char *s, char *buf, size_t cap)
{
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p && o + 1 < cap;) {
        if (*p < 0x80) {
            buf[o++] = (char)*p++;
            continue;
        }
        if (p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0x93 || p[2] == 0x94)) {
            buf[o++] = '-';
            p += 3;
            continue;
        }
        buf[o++] = '?';
        p++;
        while ((*p & 0xC0) == 0x80)
            p++;
    }
    buf[o] = '\0';
    return buf;
}

static void new_page(doc *d)
{
    d->page = HPDF_AddPage(d->pdf);
    HPDF_Page_SetSize(d->page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
    d->y = PAGE_H - MARGIN;
}

static void need(doc *d, float h)
{
    if (d->y - h < MARGIN)
        new_page(d);
}

static void text_at(doc *d, float x, const char *s, float size, bool bold)
{
    char buf[TEXT_MAX];
    HPDF_Page_BeginText(d->page);
    HPDF_Page_SetFontAndSize(d->page, bold ? d->bold : d->font, size);
    HPDF_Page_TextOut(d->page, x, d->y, ansi(s, buf, sizeof buf));
    HPDF_Page_EndText(d->page);
}

static void line(doc *d, const char *s, float size, bool bold)
{
    need(d, size + 6);
    d->y -= size + 4;
    text_at(d, MARGIN, s, size, bold);
}

static void heading(doc *d, const char *s)
{
    need(d, 40);
    d->y -= 10;
    line(d, s, 13, true);
    d->y -= 2;
}

/* A table row: cells at the given x positions. */
static void row(doc *d, const float *xs, const char *const *cells, int n, bool bold)
{
    need(d, 14);
    d->y -= 13;
    for (int i = 0; i < n; i++)
        text_at(d, xs[i], cells[i], 9.5f, bold);
}

/* v as the report writes numbers: Indonesian, with the decimal comma. */
static const char *num(arena_t *ar, double v, int decimals)
{
    char b[64];
    return arena_strdup(ar, text_num_id(b, sizeof b, v, decimals));
}

static const char *hours(arena_t *ar, double seconds)
{
    return seconds < 0 ? "-" : arena_printf(ar, "%s jam", num(ar, seconds / 3600.0, 1));
}

/* A share as a percentage, "87,5 %". */
static const char *percent(arena_t *ar, double share)
{
    return arena_printf(ar, "%s %%", num(ar, 100.0 * share, 1));
}

static const char *pct(arena_t *ar, int64_t a, int64_t b)
{
    return b ? percent(ar, (double)a / (double)b) : "-";
}

static const char *const months_id[] = {"Januari",   "Februari", "Maret",    "April",
                                        "Mei",       "Juni",     "Juli",     "Agustus",
                                        "September", "Oktober",  "November", "Desember"};

static void ikm_chart(doc *d, const stats_t *st)
{
    const float h = 150, left = MARGIN + 30, w = PAGE_W - 2 * MARGIN - 40;
    need(d, h + 30);
    float base = d->y - h - 10;
    HPDF_Page_SetLineWidth(d->page, 0.5f);
    HPDF_Page_SetRGBStroke(d->page, 0.6f, 0.6f, 0.6f);
    for (int v = 0; v <= 4; v++) {
        float y = base + h * (float)v / 4.0f;
        HPDF_Page_MoveTo(d->page, left, y);
        HPDF_Page_LineTo(d->page, left + w, y);
        HPDF_Page_Stroke(d->page);
        char lab[16];
        snprintf(lab, sizeof lab, "%d", v);
        float keep = d->y;
        d->y = y - 3;
        text_at(d, left - 14, lab, 8, false);
        d->y = keep;
    }
    float slot = w / IKM_UNSUR;
    for (int u = 0; u < IKM_UNSUR; u++) {
        float x = left + slot * (float)u + slot * 0.2f;
        float bh = st->ikm.has[u] ? h * (float)(st->ikm.nrr[u] / 4.0) : 0;
        HPDF_Page_SetRGBFill(d->page, 0.04f, 0.31f, 0.54f);
        if (bh > 0) {
            HPDF_Page_Rectangle(d->page, x, base, slot * 0.6f, bh);
            HPDF_Page_Fill(d->page);
        }
        HPDF_Page_SetRGBFill(d->page, 0, 0, 0);
        float keep = d->y;
        d->y = base - 11;
        text_at(d, x + 2, ikm_unsur_code(u), 8, false);
        d->y = keep;
    }
    d->y = base - 16;
}

/* Section 7 (issue 17 §3): of the month's cases, those forwarded to
 * SP4N-LAPOR! (a tracking id recorded, or marked for it), with and
 * without the tracking id, and the national classification of all. */
static void lapor_section(doc *d, arena_t *ar, const stats_t *st)
{
    int64_t with_id = 0, without_id = 0, by_class[3] = {0};
    static const char *const classes[] = {"pengaduan", "aspirasi", "permintaan_informasi"};
    for (size_t i = 0; i < st->ncases; i++) {
        const store_stats_case *c = &st->cases[i];
        if (c->lapor_tracking_id)
            with_id++;
        else if (c->lapor_marked_at)
            without_id++;
        for (int k = 0; k < 3; k++)
            if (c->lapor_class && !strcmp(c->lapor_class, classes[k]))
                by_class[k]++;
    }
    heading(d, "7. SP4N-LAPOR!");
    line(d, arena_printf(ar, "Diteruskan ke LAPOR!: %lld", (long long)(with_id + without_id)), 11,
         false);
    line(d, arena_printf(ar, "Dengan Tracking ID LAPOR!: %lld", (long long)with_id), 11, false);
    line(d, arena_printf(ar, "Ditandai, belum ada Tracking ID: %lld", (long long)without_id), 11,
         false);
    const float xs[] = {MARGIN, MARGIN + 200, MARGIN + 280};
    const char *hd[] = {"Klasifikasi", "Laporan", "Porsi"};
    row(d, xs, hd, 3, true);
    for (int k = 0; k < 3; k++) {
        const char *cells[] = {lapor_class_label(classes[k], "id"),
                               arena_printf(ar, "%lld", (long long)by_class[k]),
                               pct(ar, by_class[k], (int64_t)st->ncases)};
        row(d, xs, cells, 3, false);
    }
}

err_t report_monthly_pdf(store_t *s, arena_t *ar, const store_agency *ag, const char *month,
                         ikm_weight_t weight, int64_t now, const unsigned char **pdf, size_t *len)
{
    int64_t from, to;
    stats_t st;
    if (report_month_range(month, &from, &to) != 0)
        return ERR_INVALID;
    err_t e = stats_compute(s, ar, ag->id, from, to, weight, &st);
    if (e != ERR_OK)
        return e;
    doc d = {0};
    d.pdf = HPDF_New(on_error, &d);
    if (!d.pdf)
        return ERR_NOMEM;
    HPDF_SetCompressionMode(d.pdf, HPDF_COMP_ALL);
    d.font = HPDF_GetFont(d.pdf, "Helvetica", "WinAnsiEncoding");
    d.bold = HPDF_GetFont(d.pdf, "Helvetica-Bold", "WinAnsiEncoding");
    HPDF_SetInfoAttr(d.pdf, HPDF_INFO_CREATOR, "aduan");
    new_page(&d);
    int mon = (int)strtol(month + 5, NULL, 10);
    const char *period = arena_printf(ar, "%s %.4s", months_id[mon - 1], month);
    char stamp[CLOCK_ISO_BUF];
    clock_format(now, stamp);

    line(&d, "Laporan Bulanan Pengaduan dan Layanan", 18, true);
    line(&d, arena_printf(ar, "%s - %s", ag->name, period), 13, false);
    line(&d,
         arena_printf(ar, "Dibuat %.16s oleh aduan. Semua angka dihitung dari basis data.", stamp),
         8.5f, false);

    heading(&d, "1. Ringkasan");
    line(&d, arena_printf(ar, "Diterima: %lld", (long long)st.received), 11, false);
    line(&d, arena_printf(ar, "Diselesaikan: %lld", (long long)st.resolved), 11, false);
    line(&d, arena_printf(ar, "Ditutup: %lld", (long long)st.closed), 11, false);
    line(&d, arena_printf(ar, "Masih terbuka: %lld", (long long)st.open), 11, false);
    line(&d,
         arena_printf(ar, "Rasio penyelesaian: %s (target %s %%: %s)",
                      pct(ar, st.resolved, st.received), num(ar, STATS_RESOLUTION_TARGET * 100, 0),
                      st.received == 0                                 ? "tidak ada laporan"
                      : st.resolution_ratio >= STATS_RESOLUTION_TARGET ? "tercapai"
                                                                       : "belum tercapai"),
         11, false);
    line(&d,
         arena_printf(ar, "Median waktu tanggapan pertama: %s (%lld laporan)",
                      hours(ar, st.median_first_response), (long long)st.n_first_response),
         11, false);
    line(&d,
         arena_printf(ar, "Median waktu penyelesaian: %s (%lld laporan)",
                      hours(ar, st.median_resolution), (long long)st.n_resolution),
         11, false);
    line(&d,
         st.sla_compliance < 0
             ? "Kepatuhan SLA: belum ada laporan selesai dengan batas waktu"
             : arena_printf(ar, "Kepatuhan SLA: %s (%lld dari %lld selesai tepat waktu)",
                            percent(ar, st.sla_compliance), (long long)st.sla_met,
                            (long long)st.sla_total),
         11, false);
    {
        /* Per category: received, resolved, and the SLA compliance. */
        const float xs[] = {MARGIN, MARGIN + 200, MARGIN + 280, MARGIN + 370};
        const char *hd[] = {"Kategori", "Diterima", "Selesai", "Kepatuhan SLA"};
        row(&d, xs, hd, 4, true);
        for (size_t i = 0; i < st.n_category; i++) {
            const stats_bucket *b = &st.by_category[i];
            const char *c[] = {b->name ? b->name : "-",
                               arena_printf(ar, "%lld", (long long)b->received),
                               arena_printf(ar, "%lld", (long long)b->resolved),
                               pct(ar, b->sla_met, b->sla_total)};
            row(&d, xs, c, 4, false);
        }
    }

    heading(&d, "2. Indeks Kepuasan Masyarakat (PermenPANRB 14/2017)");
    if (st.ikm.answered)
        line(&d,
             arena_printf(ar, "IKM: %s - mutu %c (%s); bobot %s", num(ar, st.ikm.score, 2),
                          st.ikm.mutu, st.ikm.kinerja, weight == IKM_WEIGHT_0111 ? "0,111" : "1/9"),
             11, false);
    else
        line(&d, "IKM: belum ada responden pada bulan ini", 11, false);
    line(&d,
         arena_printf(ar, "Responden: %lld dari target sampel %lld (Krejcie-Morgan, populasi %lld)",
                      (long long)st.tally.respondents, (long long)st.sample_target,
                      (long long)st.closed),
         11, false);
    {
        const float xs[] = {MARGIN, MARGIN + 40, MARGIN + 330, MARGIN + 400};
        const char *hd[] = {"Unsur", "Nama", "NRR", "Responden"};
        row(&d, xs, hd, 4, true);
        for (int u = 0; u < IKM_UNSUR; u++) {
            const char *c[] = {ikm_unsur_code(u), ikm_unsur_name(u, "id"),
                               st.ikm.has[u] ? num(ar, st.ikm.nrr[u], 3) : "-",
                               arena_printf(ar, "%lld", (long long)st.tally.count[u])};
            row(&d, xs, c, 4, false);
        }
    }
    ikm_chart(&d, &st);

    heading(&d, "3. Per kecamatan");
    {
        const float xs[] = {MARGIN, MARGIN + 200, MARGIN + 280, MARGIN + 370};
        const char *hd[] = {"Kecamatan", "Diterima", "Selesai", "Rasio"};
        row(&d, xs, hd, 4, true);
        for (size_t i = 0; i < st.n_kecamatan; i++) {
            const stats_bucket *b = &st.by_kecamatan[i];
            const char *c[] = {b->name, arena_printf(ar, "%lld", (long long)b->received),
                               arena_printf(ar, "%lld", (long long)b->resolved),
                               pct(ar, b->resolved, b->received)};
            row(&d, xs, c, 4, false);
        }
    }
    heading(&d, "4. Per tim");
    {
        const float xs[] = {MARGIN, MARGIN + 200, MARGIN + 280, MARGIN + 370};
        const char *hd[] = {"Tim", "Ditangani", "Selesai", "Rasio"};
        row(&d, xs, hd, 4, true);
        for (size_t i = 0; i < st.n_team; i++) {
            const stats_bucket *b = &st.by_team[i];
            const char *c[] = {b->name, arena_printf(ar, "%lld", (long long)b->received),
                               arena_printf(ar, "%lld", (long long)b->resolved),
                               pct(ar, b->resolved, b->received)};
            row(&d, xs, c, 4, false);
        }
    }
    heading(&d, "5. Laporan terbuka terlama");
    {
        const float xs[] = {MARGIN, MARGIN + 80, MARGIN + 250, MARGIN + 390};
        const char *hd[] = {"Kode", "Kategori", "Status", "Umur"};
        row(&d, xs, hd, 4, true);
        int shown = 0;
        /* The cases are oldest first: the first open ones are the longest open. */
        for (size_t i = 0; i < st.ncases && shown < LONGEST; i++) {
            const store_stats_case *c = &st.cases[i];
            if (stats_is_resolved(c) || !strcmp(c->status, "rejected"))
                continue;
            char code[IDS_SHOWN_BUF];
            ids_tracking_format(c->tracking_code, code);
            int sp = status_parse(c->status);
            const char *cells[] = {
                code, c->category_name_id ? c->category_name_id : "-",
                sp >= 0 ? status_label((case_status_t)sp, "id") : c->status,
                arena_printf(ar, "%s hari", num(ar, (double)(now - c->created_at) / 86400.0, 1))};
            row(&d, xs, cells, 4, false);
            shown++;
        }
        if (!shown)
            line(&d, "Tidak ada laporan yang masih terbuka.", 10, false);
    }
    heading(&d, "6. Ringkasan bukti IGA (Indeks Inovasi Daerah)");
    line(&d,
         arena_printf(ar, "Penyelesaian pengaduan: %s (target >= 91 %%)",
                      pct(ar, st.resolved, st.received)),
         11, false);
    line(&d, arena_printf(ar, "Waktu sampai hasil (median): %s", hours(ar, st.median_resolution)),
         11, false);
    line(&d, arena_printf(ar, "Jumlah pengguna dilayani (laporan): %lld", (long long)st.received),
         11, false);
    line(&d,
         st.ikm.answered ? arena_printf(ar, "Kepuasan (IKM): %s, mutu %c", num(ar, st.ikm.score, 2),
                                        st.ikm.mutu)
                         : "Kepuasan (IKM): belum ada responden",
         11, false);

    lapor_section(&d, ar, &st);

    if (!d.failed)
        HPDF_SaveToStream(d.pdf);
    size_t size = d.failed ? 0 : HPDF_GetStreamSize(d.pdf);
    unsigned char *buf = size ? arena_alloc(ar, size) : NULL;
    HPDF_UINT32 got = (HPDF_UINT32)size;
    if (buf && HPDF_ReadFromStream(d.pdf, buf, &got) != HPDF_OK && got != size)
        buf = NULL;
    bool failed = d.failed || !buf;
    HPDF_Free(d.pdf);
    if (failed)
        return ERR_INTERNAL;
    *pdf = buf;
    *len = got;
    return ERR_OK;
}
