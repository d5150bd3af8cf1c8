#include "domain/report.h"
#include "domain/lapor.h"

#include "core/clock.h"
#include "core/fsfile.h"
#include "core/image.h"
#include "core/secret.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/text.h"
#include "domain/lifecycle.h"
#include "domain/stats.h"

#include <hpdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

/* UTF-8 to the standard fonts' WinAnsi: ASCII and Latin-1 letters (é, ü:
 * WinAnsi holds U+00A0..U+00FF at the same codes) as they are, dashes as
 * '-', anything else as '?'. */
static const char *ansi(const char *s, char *buf, size_t cap)
{
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p && o + 1 < cap;) {
        if (*p < 0x80) {
            buf[o++] = (char)*p++;
            continue;
        }
        if ((p[0] == 0xC2 || p[0] == 0xC3) && (p[1] & 0xC0) == 0x80) {
            unsigned cp = ((p[0] & 0x1Fu) << 6) | (p[1] & 0x3Fu);
            buf[o++] = cp >= 0xA0 ? (char)cp : '?';
            p += 2;
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

/* s (already WinAnsi) at (x, d->y). */
static void out_at(doc *d, float x, const char *s, float size, bool bold)
{
    HPDF_Page_BeginText(d->page);
    HPDF_Page_SetFontAndSize(d->page, bold ? d->bold : d->font, size);
    HPDF_Page_TextOut(d->page, x, d->y, s);
    HPDF_Page_EndText(d->page);
}

static void text_at(doc *d, float x, const char *s, float size, bool bold)
{
    char buf[TEXT_MAX];
    out_at(d, x, ansi(s, buf, sizeof buf), size, bold);
}

/* The width in points of the WinAnsi text s[0..n) at size. */
static float width_of(const doc *d, const char *s, size_t n, float size, bool bold)
{
    HPDF_TextWidth w =
        HPDF_Font_TextWidth(bold ? d->bold : d->font, (const HPDF_BYTE *)s, (HPDF_UINT)n);
    return (float)w.width * size / 1000.0f;
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

/* ---- tables ----------------------------------------------------------------- */

#define CELL_SIZE  9.5f /* points */
#define CELL_MIN   6.0f /* a word wider than its column is set smaller, down to this */
#define CELL_PAD   4.0f /* between a cell's text and the next column */
#define CELL_LINES 6    /* lines a cell may take; more is cut with "..." */

typedef struct {
    float w;    /* points */
    bool right; /* numbers: aligned right */
} col;

typedef struct {
    char text[TEXT_MAX]; /* WinAnsi; lines separated by NULs */
    const char *line[CELL_LINES];
    int nlines;
    float size;
} cell_layout;

/* Breaks s into lines of at most w points at word boundaries, never inside
 * a word: when one word is wider than w the whole cell is set smaller
 * (down to CELL_MIN), so that every word stays whole and inside its
 * column; pdftotext then reads each word where it belongs. */
static void cell_lay(const doc *d, const char *s, float w, bool bold, cell_layout *c)
{
    char src[TEXT_MAX];
    ansi(s, src, sizeof src);
    c->size = CELL_SIZE;
    for (;;) {
        /* The widest word decides the size. */
        bool fits = true;
        for (const char *p = src; *p;) {
            size_t n = strcspn(p, " ");
            if (n && width_of(d, p, n, c->size, bold) > w) {
                fits = false;
                break;
            }
            p += n;
            p += strspn(p, " ");
        }
        if (fits || c->size <= CELL_MIN)
            break;
        c->size -= 0.5f;
    }
    /* Greedy filling, word by word: c->text holds the lines one after
     * another, each ended by a NUL. */
    size_t start = 0, used = 0; /* the line being filled: c->text[start..start+used) */
    const char *p = src + strspn(src, " ");
    c->nlines = 0;
    while (*p && c->nlines < CELL_LINES) {
        size_t n = strcspn(p, " ");
        size_t add = used ? used + 1 + n : n;
        if (start + add + 1 >= sizeof c->text)
            break;
        if (used) {
            c->text[start + used] = ' ';
            memcpy(c->text + start + used + 1, p, n);
            if (width_of(d, c->text + start, add, c->size, bold) > w) {
                /* The word goes to the next line. */
                c->text[start + used] = '\0';
                c->line[c->nlines++] = c->text + start;
                start += used + 1;
                used = 0;
                continue;
            }
        } else {
            memcpy(c->text + start, p, n);
        }
        used = add;
        p += n;
        p += strspn(p, " ");
    }
    if (used && c->nlines < CELL_LINES) {
        c->text[start + used] = '\0';
        c->line[c->nlines++] = c->text + start;
    }
    if (*p && c->nlines == CELL_LINES) {
        /* What is left is dropped; the last line says so. */
        char *last = (char *)c->line[c->nlines - 1];
        size_t n = strlen(last);
        if (n >= 3)
            memcpy(last + n - 3, "...", 3);
    }
}

/* A row of a table: each cell wrapped inside its column; the row as high
 * as its tallest cell. On a new page the header (hd, when given) is set
 * again first. */
static void table_row(doc *d, const col *cols, int n, const char *const *cells, bool bold,
                      const char *const *hd)
{
    cell_layout lay[8];
    float h = 0;
    if (n > 8)
        n = 8;
    for (int i = 0; i < n; i++) {
        cell_lay(d, cells[i], cols[i].w - CELL_PAD, bold, &lay[i]);
        float ch = (float)lay[i].nlines * (lay[i].size + 2.5f);
        if (ch > h)
            h = ch;
    }
    if (h < CELL_SIZE + 2.5f)
        h = CELL_SIZE + 2.5f;
    if (d->y - h - 4 < MARGIN) {
        new_page(d);
        if (hd)
            table_row(d, cols, n, hd, true, NULL);
    }
    float top = d->y, x = MARGIN;
    for (int i = 0; i < n; i++) {
        for (int k = 0; k < lay[i].nlines; k++) {
            const char *s = lay[i].line[k];
            float tx = x;
            if (cols[i].right)
                tx = x + cols[i].w - CELL_PAD - width_of(d, s, strlen(s), lay[i].size, bold);
            d->y = top - (float)(k + 1) * (lay[i].size + 2.5f);
            out_at(d, tx, s, lay[i].size, bold);
        }
        x += cols[i].w;
    }
    d->y = top - h - 3;
    if (bold) {
        /* A rule under the header. */
        HPDF_Page_SetLineWidth(d->page, 0.6f);
        HPDF_Page_SetRGBStroke(d->page, 0.3f, 0.3f, 0.3f);
        HPDF_Page_MoveTo(d->page, MARGIN, d->y + 1.5f);
        HPDF_Page_LineTo(d->page, x, d->y + 1.5f);
        HPDF_Page_Stroke(d->page);
    }
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
    static const col cols[] = {{235, false}, {80, true}, {80, true}};
    const char *hd[] = {"Klasifikasi", "Laporan", "Porsi"};
    table_row(d, cols, 3, hd, true, NULL);
    for (int k = 0; k < 3; k++) {
        const char *cells[] = {lapor_class_label(classes[k], "id"),
                               arena_printf(ar, "%lld", (long long)by_class[k]),
                               pct(ar, by_class[k], (int64_t)st->ncases)};
        table_row(d, cols, 3, cells, false, hd);
    }
}

/* "2 Desember 2026, 08.27 WITA": a date as an Indonesian letter writes
 * it, in the process's time zone (the deployment's), named as Indonesians
 * name theirs (WIB, WITA, WIT) and otherwise as the zone database does. */
static const char *date_id(arena_t *ar, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    const char *zone = tm.tm_gmtoff == 7 * 3600   ? "WIB"
                       : tm.tm_gmtoff == 8 * 3600 ? "WITA"
                       : tm.tm_gmtoff == 9 * 3600 ? "WIT"
                       : tm.tm_zone               ? tm.tm_zone
                                                  : "";
    return arena_printf(ar, "%d %s %d, %02d.%02d %s", tm.tm_mday, months_id[tm.tm_mon],
                        tm.tm_year + 1900, tm.tm_hour, tm.tm_min, zone);
}

/* ---- the district's logo ------------------------------------------------------ */

/* Reads dir/name whole into the arena, at most cap bytes. NULL when the
 * file is missing, larger, or unreadable. */
static unsigned char *slurp(arena_t *ar, const char *dir, const char *name, size_t cap, size_t *len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    unsigned char *buf = arena_alloc(ar, cap + 1);
    size_t n = buf ? fread(buf, 1, cap + 1, f) : 0;
    bool bad = !buf || ferror(f) || n > cap;
    fclose(f);
    if (bad)
        return NULL;
    *len = n;
    return buf;
}

static bool is_sha_hex(const char *s, size_t n)
{
    if (n != 64)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}

/* Loads a PNG or JPEG into the document; NULL (and the document's error
 * state cleared) when libharu cannot read it. */
static HPDF_Image load_image(doc *d, const unsigned char *data, size_t len)
{
    bool was = d->failed;
    const char *mime = image_sniff(data, len);
    HPDF_Image im = NULL;
    if (mime && !strcmp(mime, "image/png"))
        im = HPDF_LoadPngImageFromMem(d->pdf, data, (HPDF_UINT)len);
    else if (mime && !strcmp(mime, "image/jpeg"))
        im = HPDF_LoadJpegImageFromMem(d->pdf, data, (HPDF_UINT)len);
    if (!im) {
        HPDF_ResetError(d->pdf);
        d->failed = was;
    }
    return im;
}

err_t report_logo_set(const char *media_dir, bool durable, const void *data, size_t len,
                      report_logo *out, image_status *st)
{
    memset(out, 0, sizeof *out);
    *st = IMAGE_OK;
    const char *sniff = image_sniff(data, len);
    if (sniff && strcmp(sniff, "image/png") != 0 && strcmp(sniff, "image/jpeg") != 0)
        return ERR_UNSUPPORTED;
    image_t im;
    *st = image_reencode(data, len, &im);
    if (*st != IMAGE_OK)
        return *st == IMAGE_TOO_LARGE ? ERR_TOO_LARGE
               : *st == IMAGE_NOMEM   ? ERR_NOMEM
                                      : ERR_INVALID;
    err_t e = ERR_OK;
    if (im.len > REPORT_LOGO_STORED_MAX) {
        *st = IMAGE_TOO_LARGE;
        e = ERR_TOO_LARGE;
        goto out;
    }
    {
        /* What the report will load must load: tried in a throwaway document. */
        doc d = {0};
        d.pdf = HPDF_New(on_error, &d);
        if (!d.pdf) {
            e = ERR_NOMEM;
            goto out;
        }
        bool ok = load_image(&d, im.data, im.len) != NULL;
        HPDF_Free(d.pdf);
        if (!ok) {
            e = ERR_UNSUPPORTED;
            goto out;
        }
    }
    secret_sha256_hex(im.data, im.len, out->sha256);
    mkdir(media_dir, 0750);
    e = fsfile_write(media_dir, out->sha256, im.data, im.len, durable);
    if (e == ERR_OK) {
        /* The name of the logo in force, replaced whole (fsfile). */
        char ptr[SECRET_DIGEST_BUF + 1];
        snprintf(ptr, sizeof ptr, "%s\n", out->sha256);
        e = fsfile_write(media_dir, REPORT_LOGO_FILE, ptr, strlen(ptr), durable);
    }
    out->mime = im.mime;
    out->width = im.width;
    out->height = im.height;
    out->size = im.len;
out:
    image_free(&im);
    return e;
}

/* The logo's bytes, or NULL when none was uploaded (or it is gone). */
static const unsigned char *logo_read(arena_t *ar, const char *media_dir, size_t *len)
{
    size_t n = 0;
    if (!media_dir || !*media_dir)
        return NULL;
    const unsigned char *ptr = slurp(ar, media_dir, REPORT_LOGO_FILE, 128, &n);
    if (!ptr)
        return NULL;
    while (n && (ptr[n - 1] == '\n' || ptr[n - 1] == '\r'))
        n--;
    if (!is_sha_hex((const char *)ptr, n)) {
        log_warn("report", "event=logo_pointer_bad");
        return NULL;
    }
    const char *sha = arena_strndup(ar, (const char *)ptr, n);
    const unsigned char *data = sha ? slurp(ar, media_dir, sha, REPORT_LOGO_STORED_MAX, len) : NULL;
    if (!data)
        log_warn("report", "event=logo_missing sha256=%s", sha ? sha : "-");
    return data;
}

#define KOP_LOGO 56.0f /* the logo's box, points (about 2 cm, as on letterheads) */

/* The kop: the district's logo on the left, the agency's name beside it,
 * the double rule under them (as an Indonesian office's letterhead). */
static void kop(doc *d, arena_t *ar, const store_agency *ag, const char *media_dir)
{
    size_t len = 0;
    const unsigned char *data = logo_read(ar, media_dir, &len);
    HPDF_Image im = data ? load_image(d, data, len) : NULL;
    float top = d->y, text_x = MARGIN, text_w = PAGE_W - 2 * MARGIN;
    if (im) {
        float iw = (float)HPDF_Image_GetWidth(im), ih = (float)HPDF_Image_GetHeight(im);
        float k = iw > ih ? KOP_LOGO / iw : KOP_LOGO / ih;
        float w = iw * k, h = ih * k;
        HPDF_Page_DrawImage(d->page, im, MARGIN + (KOP_LOGO - w) / 2,
                            top - KOP_LOGO + (KOP_LOGO - h) / 2, w, h);
        text_x = MARGIN + KOP_LOGO + 10;
        text_w = PAGE_W - MARGIN - text_x;
    }
    /* The agency's name, centred in what is left, smaller when long. */
    char name[TEXT_MAX];
    ansi(ag->name, name, sizeof name);
    for (char *p = name; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    float size = 15;
    while (size > 9 && width_of(d, name, strlen(name), size, true) > text_w)
        size -= 0.5f;
    const char *sub = "Layanan Pengaduan Masyarakat";
    d->y = top - 22;
    out_at(d, text_x + (text_w - width_of(d, name, strlen(name), size, true)) / 2, name, size,
           true);
    d->y = top - 40;
    out_at(d, text_x + (text_w - width_of(d, sub, strlen(sub), 10, false)) / 2, sub, 10, false);
    float rule = top - KOP_LOGO - 6;
    HPDF_Page_SetRGBStroke(d->page, 0, 0, 0);
    HPDF_Page_SetLineWidth(d->page, 2.0f);
    HPDF_Page_MoveTo(d->page, MARGIN, rule);
    HPDF_Page_LineTo(d->page, PAGE_W - MARGIN, rule);
    HPDF_Page_Stroke(d->page);
    HPDF_Page_SetLineWidth(d->page, 0.6f);
    HPDF_Page_MoveTo(d->page, MARGIN, rule - 3);
    HPDF_Page_LineTo(d->page, PAGE_W - MARGIN, rule - 3);
    HPDF_Page_Stroke(d->page);
    d->y = rule - 10;
}

/* A count as a cell. */
static const char *cnt(arena_t *ar, int64_t v) { return arena_printf(ar, "%lld", (long long)v); }

const char *report_file_name(arena_t *ar, const store_agency *ag, const char *month)
{
    return arena_printf(ar, "laporan-bulanan-%s-%.7s.pdf", ag->code, month);
}

err_t report_monthly_pdf(store_t *s, arena_t *ar, const store_agency *ag, const char *month,
                         ikm_weight_t weight, int64_t now, const char *media_dir,
                         const unsigned char **pdf, size_t *len)
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
    HPDF_SetInfoAttr(d.pdf, HPDF_INFO_TITLE, report_file_name(ar, ag, month));
    new_page(&d);
    int mon = (int)strtol(month + 5, NULL, 10);
    const char *period = arena_printf(ar, "%s %.4s", months_id[mon - 1], month);

    kop(&d, ar, ag, media_dir);
    line(&d, "Laporan Bulanan Pengaduan dan Layanan", 16, true);
    line(&d, arena_printf(ar, "%s - %s", ag->name, period), 12, false);
    line(&d,
         arena_printf(ar, "Dibuat %s oleh aduan. Semua angka dihitung dari basis data.",
                      date_id(ar, now)),
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
    d.y -= 6;
    /* Four columns of counts beside a name: 495 points across. */
    static const col named4[] = {{235, false}, {80, true}, {80, true}, {100, true}};
    {
        /* Per category: received, resolved, and the SLA compliance. */
        const char *hd[] = {"Kategori", "Diterima", "Selesai", "Kepatuhan SLA"};
        table_row(&d, named4, 4, hd, true, NULL);
        for (size_t i = 0; i < st.n_category; i++) {
            const stats_bucket *b = &st.by_category[i];
            const char *c[] = {b->name ? b->name : "-", cnt(ar, b->received), cnt(ar, b->resolved),
                               pct(ar, b->sla_met, b->sla_total)};
            table_row(&d, named4, 4, c, false, hd);
        }
    }

    {
        /* Where the cases came from (issue 16 section 4): the channels'
         * integration, as IGA asks for its evidence. */
        d.y -= 8;
        const char *hd[] = {"Kanal pengaduan", "Diterima", "Selesai", "Rasio"};
        table_row(&d, named4, 4, hd, true, NULL);
        for (size_t i = 0; i < st.n_channel; i++) {
            const stats_bucket *b = &st.by_channel[i];
            const char *c[] = {b->name, cnt(ar, b->received), cnt(ar, b->resolved),
                               pct(ar, b->resolved, b->received)};
            table_row(&d, named4, 4, c, false, hd);
        }
        if (!st.n_channel)
            line(&d, "Tidak ada laporan pada bulan ini.", 10, false);
    }

    heading(&d, "2. Indeks Kepuasan Masyarakat (PermenPANRB 14/2017)");
    double bobot = weight == IKM_WEIGHT_0111 ? 0.111 : 1.0 / IKM_UNSUR;
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
    d.y -= 6;
    {
        /* NRR tertimbang: the unsur's NRR times its weight (their sum, times
         * 25, is the IKM). */
        static const col cols[] = {{40, false}, {220, false}, {60, true}, {95, true}, {80, true}};
        const char *hd[] = {"Unsur", "Nama", "NRR", "NRR tertimbang", "Responden"};
        table_row(&d, cols, 5, hd, true, NULL);
        for (int u = 0; u < IKM_UNSUR; u++) {
            const char *c[] = {ikm_unsur_code(u), ikm_unsur_name(u, "id"),
                               st.ikm.has[u] ? num(ar, st.ikm.nrr[u], 3) : "-",
                               st.ikm.has[u] ? num(ar, st.ikm.nrr[u] * bobot, 3) : "-",
                               cnt(ar, st.tally.count[u])};
            table_row(&d, cols, 5, c, false, hd);
        }
    }
    ikm_chart(&d, &st);

    heading(&d, "3. Per kecamatan");
    {
        const char *hd[] = {"Kecamatan", "Diterima", "Selesai", "Rasio"};
        table_row(&d, named4, 4, hd, true, NULL);
        for (size_t i = 0; i < st.n_kecamatan; i++) {
            const stats_bucket *b = &st.by_kecamatan[i];
            const char *c[] = {b->name, cnt(ar, b->received), cnt(ar, b->resolved),
                               pct(ar, b->resolved, b->received)};
            table_row(&d, named4, 4, c, false, hd);
        }
    }
    heading(&d, "4. Per tim");
    {
        const char *hd[] = {"Tim", "Ditangani", "Selesai", "Rasio"};
        table_row(&d, named4, 4, hd, true, NULL);
        for (size_t i = 0; i < st.n_team; i++) {
            const stats_bucket *b = &st.by_team[i];
            const char *c[] = {b->name, cnt(ar, b->received), cnt(ar, b->resolved),
                               pct(ar, b->resolved, b->received)};
            table_row(&d, named4, 4, c, false, hd);
        }
    }
    heading(&d, "5. Laporan terbuka terlama");
    {
        static const col cols[] = {{90, false}, {185, false}, {140, false}, {80, true}};
        const char *hd[] = {"Kode", "Kategori", "Status", "Umur"};
        table_row(&d, cols, 4, hd, true, NULL);
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
            table_row(&d, cols, 4, cells, false, hd);
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
    {
        /* The channels the month's cases came on, most first. */
        const char *names = "";
        for (size_t i = 0; i < st.n_channel; i++)
            names = arena_printf(ar, "%s%s%s", names, i ? ", " : "", st.by_channel[i].name);
        static const col whole[] = {{495, false}};
        const char *cell[] = {arena_printf(ar, "Kanal pengaduan yang dipakai: %zu%s%s%s",
                                           st.n_channel, st.n_channel ? " (" : "", names,
                                           st.n_channel ? ")" : "")};
        d.y -= 3;
        table_row(&d, whole, 1, cell, false, NULL);
    }
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
