/* The web form's private cancel link (issue 16): GET /batal?t=<token>
 * asks to confirm, POST /batal (t=<token>) withdraws the case when nobody
 * works on it yet. The token is random, shown once on the confirmation
 * page, kept only as its SHA-256 (withdraw_links, migration 0040) and
 * one-use. It rides in the query and the body, never in the path the
 * access log writes. Rate limited per client like the form. */
#include "http/http.h"

#include "core/clock.h"
#include "core/ids.h"
#include "core/log.h"
#include "domain/deadline.h"
#include "domain/withdraw.h"

#include <stdio.h>
#include <string.h>

static const bucket_spec wd_spec = {10.0, 1.0 / 60.0, 20.0};

static const char WD_HEAD[] =
    "<!doctype html><html lang=\"%s\"><head><meta charset=\"utf-8\">"
    "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
    "<meta name=\"robots\" content=\"noindex\"><title>%s</title>"
    "<link rel=\"stylesheet\" href=\"/public/lapor.css\"></head><body><main class=\"done\">";

/* A page: title, then body (HTML, already escaped). */
static err_t page(app_t *app, req_t *r, unsigned status, const char *title, const char *body)
{
    bool en = !strcmp(r->lang, "en");
    r->text = arena_printf(r->ar, "%s<h1 id=\"title\">%s</h1>%s</main></body></html>",
                           arena_printf(r->ar, WD_HEAD, en ? "en" : "id", title), title, body);
    if (!r->text)
        return ERR_NOMEM;
    r->status = status;
    r->csp = dash_csp(app->cfg, r);
    r->content_type = "text/html; charset=utf-8";
    return ERR_OK;
}

static err_t refused(app_t *app, req_t *r, unsigned status, const char *id, const char *en)
{
    return page(app, r, status, tr(r, "Pembatalan tidak dapat dilakukan", "Cannot withdraw"),
                arena_printf(r->ar, "<p id=\"why\">%s</p>", tr(r, id, en)));
}

static bool limited(app_t *app, req_t *r)
{
    int wait =
        bucket_take(app->buckets, &wd_spec, arena_printf(r->ar, "batal|%s", req_client(app, r)),
                    1.0, 0.0, bucket_now());
    if (wait > 0)
        r->retry_after = arena_printf(r->ar, "%d", wait);
    return wait > 0;
}

/* The link's case, checked: ERR_OK with *c when it may be withdrawn now,
 * else the refusal page is set and *done is true. */
static err_t link_case(app_t *app, req_t *r, const char *token, char hash[65], store_case *c,
                       bool *done)
{
    int64_t case_id = 0;
    bool used = false;
    const char *refusal;
    *done = true;
    err_t e = withdraw_token_hash(token, hash)
                  ? store_withdraw_link_get(app->store, &case_id, &used, hash)
                  : ERR_NOT_FOUND;
    if (e == ERR_OK)
        e = store_case_get(app->store, r->ar, case_id, c);
    if (e == ERR_NOT_FOUND)
        return refused(app, r, 404,
                       "Tautan pembatalan ini tidak dikenal. Periksa kembali tautannya.",
                       "This cancel link is unknown. Please check the link.");
    if (e != ERR_OK)
        return e;
    if (used)
        return refused(app, r, 409, "Tautan pembatalan ini sudah pernah dipakai.",
                       "This cancel link has been used already.");
    if (case_withdraw_allowed(c, &refusal) != ERR_OK)
        return refused(app, r, 409,
                       "Laporan ini sudah ditangani petugas atau sudah selesai, jadi tidak dapat "
                       "dibatalkan lewat tautan. Hubungi petugas kami bila ingin menghentikannya.",
                       "This report is already being handled or is finished, so it cannot be "
                       "withdrawn with the link. Contact our staff to stop it.");
    *done = false;
    return ERR_OK;
}

err_t h_withdraw_page(app_t *app, req_t *r)
{
    const char *token = NULL;
    char hash[65], shown[IDS_SHOWN_BUF];
    store_case c;
    bool done;
    if (limited(app, r))
        return refused(app, r, 429, "Terlalu banyak permintaan. Coba lagi nanti.",
                       "Too many requests. Try again later.");
    err_t e = req_query(r, "t", &token);
    if (e != ERR_OK && e != ERR_BAD_UTF8)
        return e;
    e = link_case(app, r, token, hash, &c, &done);
    if (e != ERR_OK || done)
        return e;
    ids_tracking_format(c.tracking_code, shown);
    return page(app, r, 200, tr(r, "Batalkan laporan?", "Withdraw the report?"),
                arena_printf(r->ar,
                             "<p>%s <strong id=\"code\">%s</strong>. %s</p>"
                             "<form method=\"post\" action=\"/batal?lang=%s\">"
                             "<input type=\"hidden\" name=\"t\" value=\"%s\">"
                             "<button type=\"submit\" id=\"confirm\">%s</button></form>"
                             "<p><a href=\"/t/%s\">%s</a></p>",
                             tr(r, "Laporan", "Report"), shown,
                             tr(r, "Bila dibatalkan, laporan ditutup dan tidak diproses.",
                                "Once withdrawn, it is closed and not handled."),
                             r->lang, token, tr(r, "Ya, batalkan laporan", "Yes, withdraw it"),
                             shown, tr(r, "Tidak, biarkan", "No, keep it")));
}

/* t=<token> of an urlencoded body (64 hex digits need no decoding). */
static const char *body_token(req_t *r)
{
    const char *b = r->body;
    for (const char *p = b; p && *p;) {
        if (!strncmp(p, "t=", 2))
            return arena_strndup(r->ar, p + 2, strcspn(p + 2, "&"));
        p = strchr(p, '&');
        if (p)
            p++;
    }
    return NULL;
}

err_t h_withdraw_post(app_t *app, req_t *r)
{
    char hash[65], shown[IDS_SHOWN_BUF];
    store_case c;
    bool done;
    if (limited(app, r))
        return refused(app, r, 429, "Terlalu banyak permintaan. Coba lagi nanti.",
                       "Too many requests. Try again later.");
    err_t e = link_case(app, r, body_token(r), hash, &c, &done);
    if (e != ERR_OK || done)
        return e;
    e = store_withdraw_link_use(app->store, hash, c.id, c.status, clock_now());
    if (e == ERR_CONFLICT) /* used, or taken by a team, meanwhile */
        return refused(app, r, 409, "Laporan ini tidak dapat dibatalkan lagi.",
                       "This report can no longer be withdrawn.");
    if (e != ERR_OK)
        return e;
    log_info("webform", "event=withdrawn case_id=%lld", (long long)c.id);
    if (deadline_refresh(app->store, r->ar, c.id) != ERR_OK)
        log_warn("sla", "event=refresh_failed case_id=%lld", (long long)c.id);
    ids_tracking_format(c.tracking_code, shown);
    return page(app, r, 200, tr(r, "Laporan dibatalkan", "Report withdrawn"),
                arena_printf(r->ar,
                             "<p>%s <strong id=\"code\">%s</strong> %s</p>"
                             "<p><a href=\"/t/%s\">%s</a></p>",
                             tr(r, "Laporan", "Report"), shown,
                             tr(r, "sudah dibatalkan. Terima kasih telah memberi tahu kami.",
                                "has been withdrawn. Thank you for letting us know."),
                             shown, tr(r, "Lihat halaman laporan", "See the report's page")));
}
