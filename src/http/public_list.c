/* The public list and map of reports (issue 18, "what the public sees"):
 * /laporan (a page that works without JavaScript: a filter form, the list,
 * a link to the next page; with JavaScript a map of the same reports) and
 * its JSON, /api/v1/public/reports. Filters: agency, category (of that
 * agency), status (open, closed or one status), kecamatan, month.
 *
 * What is shown is what /t/ shows of a case, less: its code (the link to
 * its tracking page), agency, category, kecamatan, status, date, and its
 * location rounded to about 100 m. Never a description (citizens write
 * names and numbers into it), a reporter, a photo or a note. Rahasia
 * cases are not listed at all, nor civil-registry requests (personal by
 * nature). Lookups share the tracking page's per-address rate limit. */
#include "http/http.h"

#include "core/ids.h"
#include "domain/lifecycle.h"
#include "domain/report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Reports on a page, and how many cases are read at most to fill one
 * (the others are rahasia, requests or filtered by open/closed). */
#define PL_PAGE     50
#define PL_READ_MAX (4 * STORE_LIST_MAX)
#define PL_ARG_MAX  64

/* A burst of 20 pages, then one every 2 s per address. */
static const bucket_spec pl_spec = {20.0, 0.5, 4 * 20.0};

typedef enum { PL_ANY, PL_OPEN, PL_CLOSED, PL_ONE } pl_status;

typedef struct {
    const char *agency, *category, *status, *kecamatan, *month; /* as given (NULL: none) */
    int64_t before;                                             /* cursor: ids below */
    store_agency ag;                                            /* with agency */
    pl_status st;
    store_case_filter f;
} pl_query;

typedef struct {
    store_case *c;
    size_t n;
    int64_t next_before; /* 0: no further page */
} pl_page;

static bool closed_status(const char *s)
{
    return !strcmp(s, "resolved") || !strcmp(s, "closed") || !strcmp(s, "rejected") ||
           !strcmp(s, "forwarded");
}

static bool listed(const store_case *c, pl_status st)
{
    if (c->rahasia || !strcmp(c->kind, "service"))
        return false;
    if (st == PL_OPEN)
        return !closed_status(c->status);
    if (st == PL_CLOSED)
        return closed_status(c->status);
    return true;
}

/* Reads and checks the filters; on a refusal r->detail says which. */
static err_t parse_query(app_t *app, req_t *r, pl_query *q)
{
    static const char *const keys[] = {"agency", "category", "status", "kecamatan", "month"};
    const char **vals[] = {&q->agency, &q->category, &q->status, &q->kecamatan, &q->month};
    memset(q, 0, sizeof *q);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        err_t e = req_query(r, keys[i], vals[i]);
        if (e != ERR_OK)
            return e;
        if (*vals[i] && strlen(*vals[i]) > PL_ARG_MAX)
            return refuse(
                r, ERR_INVALID,
                arena_printf(r->ar, "%s: %s", keys[i], tr(r, "terlalu panjang", "too long")));
    }
    err_t e = query_id(r, "before", &q->before);
    if (e != ERR_OK)
        return e;
    q->f.before_id = q->before;
    q->f.limit = STORE_LIST_MAX;
    if (q->agency) {
        e = store_agency_find(app->store, r->ar, q->agency, &q->ag);
        if (e == ERR_NOT_FOUND)
            return refuse(r, ERR_INVALID,
                          tr(r, "agency: instansi tidak dikenal", "agency: no such agency"));
        if (e != ERR_OK)
            return e;
        q->f.agency_id = q->ag.id;
    }
    if (q->category) {
        store_category *cs;
        size_t n = 0;
        if (!q->agency)
            return refuse(r, ERR_INVALID,
                          tr(r, "category: pilih instansinya juga (agency)",
                             "category: give its agency too (agency)"));
        e = store_category_list(app->store, r->ar, q->ag.id, &cs, &n);
        if (e != ERR_OK)
            return e;
        for (size_t i = 0; i < n && !q->f.category_id; i++)
            if (!strcmp(cs[i].code, q->category) && strcmp(cs[i].kind, "service"))
                q->f.category_id = cs[i].id;
        if (!q->f.category_id)
            return refuse(r, ERR_INVALID,
                          tr(r, "category: kategori tidak dikenal di instansi ini",
                             "category: no such category in this agency"));
    }
    if (q->status) {
        if (!strcmp(q->status, "open"))
            q->st = PL_OPEN;
        else if (!strcmp(q->status, "closed"))
            q->st = PL_CLOSED;
        else if (status_parse(q->status) >= 0) {
            q->st = PL_ONE;
            q->f.status = q->status;
        } else
            return refuse(r, ERR_INVALID,
                          tr(r, "status: open, closed, atau nama status (mis. received)",
                             "status: open, closed, or a status name (e.g. received)"));
    }
    if (q->kecamatan) {
        store_region *rs;
        size_t n = 0;
        bool known = false;
        e = store_region_list(app->store, r->ar, &rs, &n);
        if (e != ERR_OK)
            return e;
        for (size_t i = 0; i < n && !known; i++)
            known = !strcmp(rs[i].code, q->kecamatan);
        if (!known)
            return refuse(r, ERR_INVALID,
                          tr(r, "kecamatan: kode tidak dikenal", "kecamatan: no such code"));
        q->f.kecamatan_code = q->kecamatan;
    }
    if (q->month && report_month_range(q->month, &q->f.from, &q->f.to) != 0)
        return refuse(
            r, ERR_INVALID,
            tr(r, "month: format TTTT-BB, mis. 2026-11", "month: format YYYY-MM, e.g. 2026-11"));
    return ERR_OK;
}

/* One page of listed reports, newest first. */
static err_t read_page(app_t *app, req_t *r, pl_query *q, pl_page *p)
{
    memset(p, 0, sizeof *p);
    p->c = arena_alloc(r->ar, PL_PAGE * sizeof *p->c);
    if (!p->c)
        return ERR_NOMEM;
    size_t read = 0;
    for (;;) {
        store_case *got;
        size_t ng = 0;
        err_t e = store_case_list(app->store, r->ar, &q->f, &got, &ng);
        if (e != ERR_OK)
            return e;
        for (size_t i = 0; i < ng; i++) {
            if (!listed(&got[i], q->st))
                continue;
            if (p->n == PL_PAGE) { /* one more exists: the next page starts below */
                p->next_before = p->c[p->n - 1].id;
                return ERR_OK;
            }
            p->c[p->n++] = got[i];
        }
        read += ng;
        if (ng < STORE_LIST_MAX)
            return ERR_OK;
        q->f.before_id = got[ng - 1].id;
        if (read >= PL_READ_MAX) { /* a sparse filter: go on from here next time */
            p->next_before = q->f.before_id;
            return ERR_OK;
        }
    }
}

/* The rate limit; ERR_LOCKED (answered 429) when the address is over it. */
static err_t take(app_t *app, req_t *r)
{
    const char *client = arena_printf(r->ar, "l|%s", req_client(app, r));
    int wait = bucket_take(app->buckets, &pl_spec, client, 1.0, 0.0, bucket_now());
    if (wait <= 0)
        return ERR_OK;
    r->retry_after = arena_printf(r->ar, "%d", wait);
    r->detail = tr(r, "terlalu banyak permintaan dari alamat Anda; coba lagi nanti",
                   "too many requests from your address; try again later");
    return ERR_LOCKED;
}

static double round3(double v) { return round(v * 1000.0) / 1000.0; }

static const char *label(const char *status, const char *lang)
{
    int st = status_parse(status);
    return st >= 0 ? status_label((case_status_t)st, lang) : status;
}

static json_t *report_json(req_t *r, const store_case *c)
{
    char shown[IDS_SHOWN_BUF];
    bool en = !strcmp(r->lang, "en");
    ids_tracking_format(c->tracking_code, shown);
    json_t *j = json_pack("{s:s, s:s, s:s?, s:s, s:{s:s?, s:s?}, s:s, s:s, s:o, s:o}", "code",
                          shown, "url", arena_printf(r->ar, "/t/%s", shown), "agency",
                          c->agency_name, "kind", c->kind, "category", "code", c->category_code,
                          "name", en ? c->category_name_en : c->category_name_id, "status",
                          c->status, "status_label", label(c->status, r->lang), "kecamatan",
                          c->kecamatan_code ? json_pack("{s:s, s:s?}", "code", c->kecamatan_code,
                                                        "name", c->kecamatan_name)
                                            : json_null(),
                          "created_at", json_time(c->created_at));
    if (j)
        json_object_set_new(
            j, "location",
            c->has_location ? json_pack("{s:f, s:f}", "lat", round3(c->lat), "lon", round3(c->lon))
                            : json_null());
    return j;
}

err_t h_public_reports(app_t *app, req_t *r)
{
    pl_query q;
    pl_page p;
    err_t e = take(app, r);
    if (e == ERR_LOCKED)
        return reply_json(r, 429,
                          json_pack("{s:{s:s, s:s, s:s}}", "error", "code", "rate_limited",
                                    "message",
                                    tr(r, "Terlalu banyak permintaan", "Too many requests"),
                                    "detail", r->detail));
    if ((e = parse_query(app, r, &q)) != ERR_OK || (e = read_page(app, r, &q, &p)) != ERR_OK)
        return e;
    json_t *list = json_array();
    for (size_t i = 0; list && i < p.n; i++)
        json_array_append_new(list, report_json(r, &p.c[i]));
    return reply_json(r, 200,
                      json_pack("{s:o, s:o}", "reports", list ? list : json_array(), "next_before",
                                p.next_before ? json_integer(p.next_before) : json_null()));
}

/* ---- the page ---------------------------------------------------------------- */

/* value, percent-encoded for a query string. */
static void put_arg(FILE *f, const char *key, const char *value)
{
    if (!value)
        return;
    fprintf(f, "&amp;%s=", key);
    for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_')
            fputc(*p, f);
        else
            fprintf(f, "%%%02X", *p);
    }
}

static void option(FILE *f, const char *value, const char *text, const char *chosen)
{
    fputs("<option value=\"", f);
    html_put(f, value);
    fputs(chosen && !strcmp(chosen, value) ? "\" selected>" : "\">", f);
    html_put(f, text);
    fputs("</option>", f);
}

static const char PL_HEAD[] =
    "<!doctype html><html lang=\"%s\"><head><meta charset=\"utf-8\">"
    "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
    "<title>%s</title><link rel=\"stylesheet\" href=\"/public/laporan.css\">"
    "<link rel=\"stylesheet\" href=\"/vendor/leaflet/leaflet.css\">"
    "<script src=\"/vendor/leaflet/leaflet.js\" defer></script>"
    "<script src=\"/public/laporan.js\" defer></script></head><body>";

/* The filter form: agencies, their categories (with an agency), statuses,
 * kecamatan, month. A plain GET form: it works without JavaScript. */
static err_t filter_form(app_t *app, req_t *r, FILE *f, const pl_query *q)
{
    bool en = !strcmp(r->lang, "en");
    store_agency *as;
    store_region *rs;
    size_t na = 0, nr = 0;
    err_t e = store_agency_list(app->store, r->ar, &as, &na);
    if (e == ERR_OK)
        e = store_region_list(app->store, r->ar, &rs, &nr);
    if (e != ERR_OK)
        return e;
    fprintf(f,
            "<form class=\"filters\" method=\"get\" action=\"/laporan\">"
            "<input type=\"hidden\" name=\"lang\" value=\"%s\">",
            en ? "en" : "id");
    fprintf(f, "<label>%s<select name=\"agency\"><option value=\"\">%s</option>",
            en ? "Agency" : "Instansi", en ? "All" : "Semua");
    for (size_t i = 0; i < na; i++)
        option(f, as[i].code, as[i].name, q->agency ? q->ag.code : NULL);
    fputs("</select></label>", f);
    if (q->agency) {
        store_category *cs;
        size_t nc = 0;
        if ((e = store_category_list(app->store, r->ar, q->ag.id, &cs, &nc)) != ERR_OK)
            return e;
        fprintf(f, "<label>%s<select name=\"category\"><option value=\"\">%s</option>",
                en ? "Category" : "Kategori", en ? "All" : "Semua");
        for (size_t i = 0; i < nc; i++)
            if (strcmp(cs[i].kind, "service") && cs[i].active)
                option(f, cs[i].code, en ? cs[i].name_en : cs[i].name_id, q->category);
        fputs("</select></label>", f);
    }
    fprintf(f, "<label>Status<select name=\"status\"><option value=\"\">%s</option>",
            en ? "All" : "Semua");
    option(f, "open", en ? "Open" : "Masih berjalan", q->status);
    option(f, "closed", en ? "Finished" : "Sudah selesai", q->status);
    fprintf(f,
            "</select></label><label>Kecamatan<select name=\"kecamatan\">"
            "<option value=\"\">%s</option>",
            en ? "All" : "Semua");
    for (size_t i = 0; i < nr; i++)
        option(f, rs[i].code, rs[i].name, q->kecamatan);
    fprintf(f,
            "</select></label><label>%s<input type=\"month\" name=\"month\" "
            "placeholder=\"2026-11\" value=\"",
            en ? "Month" : "Bulan");
    html_put(f, q->month);
    fprintf(f, "\"></label><button>%s</button></form>", en ? "Show" : "Tampilkan");
    return ERR_OK;
}

/* The page's own link with the filters, for the next page and the
 * language switch. */
static void self_link(FILE *f, const pl_query *q, const char *lang, int64_t before)
{
    fprintf(f, "/laporan?lang=%s", lang);
    put_arg(f, "agency", q->agency ? q->ag.code : NULL);
    put_arg(f, "category", q->category);
    put_arg(f, "status", q->status);
    put_arg(f, "kecamatan", q->kecamatan);
    put_arg(f, "month", q->month);
    if (before)
        fprintf(f, "&amp;before=%lld", (long long)before);
}

static void rows(req_t *r, FILE *f, const pl_page *p)
{
    bool en = !strcmp(r->lang, "en");
    if (!p->n) {
        fprintf(f, "<p class=\"empty\">%s</p>",
                en ? "No reports match these filters." : "Tidak ada laporan yang cocok.");
        return;
    }
    fprintf(f, "<ol class=\"reports\" id=\"reports\">");
    for (size_t i = 0; i < p->n; i++) {
        const store_case *c = &p->c[i];
        char shown[IDS_SHOWN_BUF], day[16];
        time_t t = (time_t)c->created_at;
        struct tm tm;
        ids_tracking_format(c->tracking_code, shown);
        strftime(day, sizeof day, "%Y-%m-%d", localtime_r(&t, &tm));
        fprintf(f, "<li");
        if (c->has_location)
            fprintf(f, " data-lat=\"%.3f\" data-lon=\"%.3f\"", round3(c->lat), round3(c->lon));
        fprintf(f, "><a href=\"/t/%s?lang=%s\"><strong>", shown, en ? "en" : "id");
        html_put(f, en ? c->category_name_en : c->category_name_id);
        fprintf(f, "</strong> <code>%s</code></a><br><span class=\"st st-%s\">", shown,
                closed_status(c->status) ? "done" : "open");
        html_put(f, label(c->status, r->lang));
        fputs("</span> · ", f);
        html_put(f, c->kecamatan_name ? c->kecamatan_name : "-");
        fputs(" · ", f);
        html_put(f, c->agency_name);
        fprintf(f, " · <time>%s</time></li>", day);
    }
    fputs("</ol>", f);
}

err_t h_public_reports_page(app_t *app, req_t *r)
{
    pl_query q = {0}; /* a refused request shows the form without filters */
    pl_page p = {0};
    bool en = !strcmp(r->lang, "en");
    err_t e = take(app, r);
    int status = 200;
    const char *problem = NULL;
    if (e == ERR_LOCKED) {
        status = 429;
        problem = r->detail;
    } else if ((e = parse_query(app, r, &q)) == ERR_INVALID || e == ERR_BAD_UTF8) {
        status = 400;
        problem = r->detail ? r->detail : tr(r, "filter tidak valid", "invalid filter");
        memset(&q, 0, sizeof q); /* the form shows no filter */
    } else if (e != ERR_OK || (e = read_page(app, r, &q, &p)) != ERR_OK) {
        return e;
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return ERR_NOMEM;
    fprintf(f, PL_HEAD, en ? "en" : "id", en ? "Public reports" : "Laporan warga");
    fprintf(f, "<header><h1>%s</h1><p>%s</p><nav><a href=\"",
            en ? "Public reports" : "Laporan warga",
            en ? "Reports and their progress. The reporters' identity, their words and their "
                 "photos are never shown; confidential reports are not listed; locations are "
                 "rounded to about 100 m."
               : "Laporan dan perkembangannya. Identitas pelapor, isi laporan dan fotonya tidak "
                 "pernah ditampilkan; laporan rahasia tidak didaftar; lokasi dibulatkan sekitar "
                 "100 m.");
    self_link(f, &q, en ? "id" : "en", q.before);
    fprintf(f, "\">%s</a> · <a href=\"/statistik\">%s</a></nav></header>",
            en ? "Bahasa Indonesia" : "English", en ? "Statistics" : "Statistik");
    if (problem) {
        fputs("<p class=\"problem\" role=\"alert\">", f);
        html_put(f, problem);
        fputs("</p>", f);
    }
    e = filter_form(app, r, f, &q);
    if (e == ERR_OK && !problem) {
        /* The map, drawn by the script from the list's rounded points. */
        fputs("<div id=\"map\" class=\"map\" hidden data-tiles=\"", f);
        html_put(f, app->cfg->map_tile_url);
        fputs("\"></div>", f);
        rows(r, f, &p);
        if (p.next_before) {
            fputs("<p class=\"more\"><a rel=\"next\" href=\"", f);
            self_link(f, &q, en ? "en" : "id", p.next_before);
            fprintf(f, "\">%s</a></p>", en ? "Older reports" : "Laporan sebelumnya");
        }
    }
    fputs("</body></html>", f);
    if (e != ERR_OK) {
        fclose(f);
        free(buf);
        return e;
    }
    e = reply_html_stream(r, status, f, &buf);
    if (e != ERR_OK)
        return e;
    if (status == 429)
        r->retry_after = r->retry_after ? r->retry_after : "2";
    r->csp = dash_csp(app->cfg, r);
    return ERR_OK;
}
