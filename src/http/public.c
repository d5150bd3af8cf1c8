/* The public tracking page of a case, /t/{code}, and its JSON,
 * /api/v1/public/cases/{code} (issue #8). What the public may see: the
 * category, kecamatan, status and the public events with their dates and
 * their messages to the reporter. Never the reporter's name, phone, NIK or
 * address, their photos, or internal notes;
 * a rahasia case shows no location, others one rounded to about 100 m.
 * When the agency publishes photos, the resolve step shows the officer's
 * "after" photos (store/after.c says which), served by /t/foto/{id}, which
 * asks the same rules again.
 *
 * Lookups are rate-limited per client address with a token bucket in
 * memory; a miss (unknown or malformed code, answered alike) costs more
 * than a hit, so guessing slows down to a crawl. */
#include "http/http.h"

#include "channels/channel.h"
#include "core/ids.h"
#include "core/image.h"
#include "core/log.h"
#include "domain/lifecycle.h"

#include <math.h>
#include <microhttpd.h>
#include <stdio.h>
#include <string.h>

/* ---- rate limit ------------------------------------------------------------ */

/* A burst of 30 lookups, then one every 2 s; a miss costs 5 (MISS_COST). */
#define RL_MISS_COST 5.0
static const bucket_spec rl_spec = {30.0, 0.5, 4 * 30.0};

/* ---- the public view of a case ------------------------------------------- */

static double round3(double v) { return round(v * 1000.0) / 1000.0; }

static const char *label(const char *status, const char *lang)
{
    int st = status_parse(status);
    return st >= 0 ? status_label((case_status_t)st, lang) : status;
}

/* How to follow the case (issue 18): for each channel that has a start
 * link to the agency, that link with "IKUTI <code>" ready to send (the
 * dialogue's follow command, channels/bot.c). None for a rahasia case or
 * a civil-registry request. */
static json_t *follow_links(app_t *app, req_t *r, const store_case *c, const char *shown)
{
    json_t *a = json_array();
    if (!a || c->rahasia || !strcmp(c->kind, "service"))
        return a;
    const char *text = arena_printf(r->ar, "%s %s", tr(r, "IKUTI", "FOLLOW"), shown);
    const channel_driver *d;
    for (size_t i = 0; text && (d = channel_at(i)) != NULL; i++) {
        const char *url =
            d->start_link ? d->start_link(app->store, r->ar, c->agency_id, text) : NULL;
        if (url)
            json_array_append_new(a, json_pack("{s:s, s:s?, s:s}", "channel", d->name, "title",
                                               d->title, "url", url));
    }
    return a;
}

/* The case as the public may see it, or ERR_NOT_FOUND for anything that
 * is not a known code (the same answer for malformed and unknown ones). */
static err_t public_view(app_t *app, req_t *r, const char *raw, json_t **out)
{
    char code[IDS_CODE_BUF], shown[IDS_SHOWN_BUF];
    store_case c;
    store_event *ev;
    size_t n = 0;
    const char *client = arena_printf(r->ar, "t|%s", req_client(app, r));
    double mono = bucket_now();
    /* A lookup takes a token now; a miss takes the rest of its cost after. */
    int wait = bucket_take(app->buckets, &rl_spec, client, 1.0, 0.0, mono);
    if (wait > 0) {
        r->retry_after = arena_printf(r->ar, "%d", wait);
        r->detail = r->lang && !strcmp(r->lang, "en")
                        ? "too many lookups from your address; try again later"
                        : "terlalu banyak permintaan dari alamat Anda; coba lagi nanti";
        return ERR_LOCKED; /* the callers answer 429 */
    }
    err_t e = ids_tracking_normalize(raw, code) == 0
                  ? store_case_by_code(app->store, r->ar, code, &c)
                  : ERR_NOT_FOUND;
    if (e == ERR_OK)
        e = store_case_events(app->store, r->ar, c.id, &ev, &n);
    if (e == ERR_NOT_FOUND)
        bucket_add(app->buckets, &rl_spec, client, 1.0 - RL_MISS_COST, mono);
    if (e == ERR_NOT_FOUND) {
        r->detail = NULL;
        log_debug("public", "event=tracking_miss");
        return e;
    }
    if (e != ERR_OK)
        return e;
    const char *lang = r->lang;
    bool en = !strcmp(lang, "en");
    ids_tracking_format(c.tracking_code, shown);
    store_public_photo *ph = NULL;
    size_t nph = 0;
    e = store_public_photos(app->store, r->ar, c.id, &ph, &nph);
    if (e != ERR_OK)
        return e;
    size_t resolve_at = n; /* the last public resolve step: the photos go there */
    for (size_t i = 0; i < n; i++)
        if (ev[i].is_public && !strcmp(ev[i].to_status, "resolved"))
            resolve_at = i;
    json_t *tl = json_array();
    for (size_t i = 0; tl && i < n; i++) {
        if (!ev[i].is_public)
            continue;
        json_t *item = json_pack("{s:o, s:s, s:s, s:s}", "at", json_time(ev[i].created_at),
                                 "action", ev[i].action, "status", ev[i].to_status, "label",
                                 label(ev[i].to_status, lang));
        /* Only the message to the reporter (issue #13): the internal note,
         * and what the reporter wrote (a reopening reason may hold personal
         * data), stay inside; a step without a message shows its status. */
        if (item && ev[i].public_note)
            json_object_set_new(item, "note", json_string(ev[i].public_note));
        else if (item && strcmp(ev[i].action, "withdraw") == 0) /* issue 16 */
            json_object_set_new(item, "note", json_string(withdrawn_label(lang)));
        if (item && i == resolve_at && nph) {
            json_t *pa = json_array();
            for (size_t k = 0; pa && k < nph; k++)
                json_array_append_new(
                    pa, json_pack(
                            "{s:I, s:s, s:s}", "id", (json_int_t)ph[k].id, "url",
                            arena_printf(r->ar, "/t/foto/%lld", (long long)ph[k].id), "thumb",
                            arena_printf(r->ar, "/t/foto/%lld?ukuran=kecil", (long long)ph[k].id)));
            json_object_set_new(item, "photos", pa);
        }
        json_array_append_new(tl, item);
    }
    json_t *j =
        json_pack("{s:s, s:s?, s:s, s:s, s:s, s:{s:s?, s:s?}, s:o, s:o, s:o, s:o}", "code", shown,
                  "agency", c.agency_name, "kind", c.kind, "status", c.status, "status_label",
                  label(c.status, lang), "category", "code", c.category_code, "name",
                  en ? c.category_name_en : c.category_name_id, "kecamatan",
                  c.kecamatan_code
                      ? json_pack("{s:s, s:s?}", "code", c.kecamatan_code, "name", c.kecamatan_name)
                      : json_null(),
                  "created_at", json_time(c.created_at), "updated_at", json_time(c.updated_at),
                  "timeline", tl ? tl : json_array());
    if (!j)
        return ERR_NOMEM;
    if (c.rahasia || !c.has_location)
        json_object_set_new(j, "location", json_null());
    else
        json_object_set_new(j, "location",
                            json_pack("{s:f, s:f, s:s}", "lat", round3(c.lat), "lon", round3(c.lon),
                                      "precision", "~100 m"));
    json_object_set_new(j, "location_hidden", json_boolean(c.rahasia));
    json_object_set_new(j, "follow", follow_links(app, r, &c, shown));
    json_object_set_new(j, "follow_email", json_boolean(follow_email_offered(app, r, &c)));
    *out = j;
    return ERR_OK;
}

static void decref(void *p) { json_decref(p); }

static const char *last_segment(const char *path)
{
    const char *p = strrchr(path, '/');
    return p ? p + 1 : path;
}

err_t h_public_case(app_t *app, req_t *r)
{
    json_t *j = NULL;
    err_t e = public_view(app, r, last_segment(r->path), &j);
    if (e == ERR_LOCKED)
        return reply_json(
            r, 429,
            json_pack("{s:{s:s, s:s, s:s}}", "error", "code", "rate_limited", "message",
                      strcmp(r->lang, "en") ? "Terlalu banyak permintaan" : "Too many requests",
                      "detail", r->detail));
    if (e != ERR_OK)
        return e;
    return reply_json(r, 200, j);
}

/* ---- the page ---------------------------------------------------------------- */

/* The entity that stands for c in HTML text and quoted attributes, or
 * NULL when c stands for itself. */
static const char *html_entity(char c)
{
    switch (c) {
    case '<':
        return "&lt;";
    case '>':
        return "&gt;";
    case '&':
        return "&amp;";
    case '"':
        return "&quot;";
    case '\'':
        return "&#39;";
    default:
        return NULL;
    }
}

void html_put(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        const char *e = html_entity(*s);
        if (e)
            fputs(e, f);
        else
            fputc(*s, f);
    }
}

err_t reply_html_stream(req_t *r, unsigned status, FILE *f, char **buf)
{
    bool ok = fclose(f) == 0;
    r->text = ok ? arena_strdup(r->ar, *buf) : NULL;
    free(*buf);
    *buf = NULL;
    if (!r->text)
        return ERR_NOMEM;
    r->status = status;
    r->content_type = "text/html; charset=utf-8";
    return ERR_OK;
}

/* Appends s to the buffer, HTML-escaped. */
static void esc(arena_t *ar, char **buf, const char *s)
{
    size_t extra = 0;
    for (const char *p = s; p && *p; p++)
        extra += html_entity(*p) ? 6 : 1;
    size_t have = *buf ? strlen(*buf) : 0;
    char *o = arena_alloc(ar, have + extra + 1);
    if (!o)
        return;
    if (have)
        memcpy(o, *buf, have);
    char *w = o + have;
    for (const char *p = s; p && *p; p++) {
        const char *rep = html_entity(*p);
        if (rep) {
            size_t k = strlen(rep);
            memcpy(w, rep, k);
            w += k;
        } else {
            *w++ = *p;
        }
    }
    *w = '\0';
    *buf = o;
}

/* Appends raw (trusted) markup. */
static void raw(arena_t *ar, char **buf, const char *s)
{
    *buf = arena_printf(ar, "%s%s", *buf ? *buf : "", s);
}

/* The follow-by-email form (follow_email.c): an address and the UU PDP
 * consent, posted to /ikuti; it works without JavaScript. */
static void email_form(req_t *r, char **b, const char *shown)
{
    bool en = !strcmp(r->lang, "en");
    raw(r->ar, b, "<form id=\"follow-email\" method=\"post\" action=\"/ikuti\"><p>");
    raw(r->ar, b,
        en ? "Or by email: we send a link to confirm first, and every mail has a link to stop."
           : "Atau lewat email: kami kirim tautan konfirmasi dulu, dan setiap email berisi "
             "tautan untuk berhenti.");
    raw(r->ar, b, "</p><input type=\"hidden\" name=\"code\" value=\"");
    esc(r->ar, b, shown);
    raw(r->ar, b,
        arena_printf(r->ar, "\"><input type=\"hidden\" name=\"lang\" value=\"%s\">",
                     en ? "en" : "id"));
    raw(r->ar, b, "<label for=\"follow-address\">");
    raw(r->ar, b, en ? "Your email address" : "Alamat email Anda");
    raw(r->ar, b,
        "</label><br><input id=\"follow-address\" type=\"email\" name=\"email\" required "
        "maxlength=\"254\" autocomplete=\"email\" inputmode=\"email\"><br>"
        "<label class=\"consent\"><input type=\"checkbox\" name=\"consent\" value=\"1\" "
        "required> ");
    raw(r->ar, b,
        en ? "I agree that this address is kept and used only to send me this report's updates "
             "(UU PDP 27/2022). It is deleted when I stop, or 30 days after the report is "
             "finished."
           : "Saya setuju alamat ini disimpan dan dipakai hanya untuk mengirim kabar laporan ini "
             "kepada saya (UU PDP 27/2022). Alamat dihapus saat saya berhenti, atau 30 hari "
             "setelah laporan selesai.");
    raw(r->ar, b, "</label><br><button class=\"follow\" id=\"follow-email-send\">");
    raw(r->ar, b, en ? "Follow by email" : "Ikuti lewat email");
    raw(r->ar, b, "</button></form>");
}

static const char PAGE_HEAD[] =
    "<!doctype html><html lang=\"%s\"><head><meta charset=\"utf-8\">"
    "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
    "<meta name=\"robots\" content=\"noindex\"><title>%s</title><style>"
    "body{font-family:system-ui,sans-serif;max-width:40em;margin:1.5em auto;padding:0 1em;"
    "color:#1d2433}h1{font-size:1.4em}.st{display:inline-block;padding:.2em .6em;"
    "border-radius:1em;background:#e3f0ff}dl{display:grid;grid-template-columns:auto 1fr;"
    "gap:.3em 1em}dt{color:#555}ol{padding-left:1.2em}li{margin:.5em 0}.when{color:#555;"
    "font-size:.9em}.note{white-space:pre-wrap}footer{margin-top:2em;font-size:.9em;color:#555}"
    "a.follow{display:inline-block;margin:.2em 0;padding:.5em 1em;border-radius:.4em;"
    "background:#1f7a4d;color:#fff;text-decoration:none}"
    "button.follow{padding:.5em 1em;border:0;border-radius:.4em;background:#1f7a4d;color:#fff;"
    "font-size:1em;margin-top:.5em}input[type=email]{width:100%%;max-width:24em;padding:.4em;"
    "font-size:1em;box-sizing:border-box}.consent{font-size:.9em;display:block;margin:.5em 0}"
    ".photos{display:flex;flex-wrap:wrap;gap:.4em;margin-top:.4em}.photos img{width:96px;"
    "height:96px;object-fit:cover;border-radius:.3em;border:1px solid #ccd}"
    "</style></head><body>";

err_t h_public_page(app_t *app, req_t *r)
{
    json_t *j = NULL;
    const char *code = last_segment(r->path);
    bool en = !strcmp(r->lang, "en");
    err_t e = public_view(app, r, code, &j);
    char *b = NULL;
    if (e == ERR_LOCKED || e == ERR_NOT_FOUND) {
        r->status = e == ERR_LOCKED ? 429 : 404;
        raw(r->ar, &b, arena_printf(r->ar, PAGE_HEAD, r->lang, en ? "Report" : "Laporan"));
        raw(r->ar, &b, "<h1>");
        raw(r->ar, &b,
            e == ERR_NOT_FOUND ? (en ? "Report not found" : "Laporan tidak ditemukan")
                               : (en ? "Too many lookups, please wait"
                                     : "Terlalu banyak permintaan, mohon tunggu"));
        raw(r->ar, &b, "</h1><p>");
        raw(r->ar, &b,
            e == ERR_NOT_FOUND
                ? (en ? "Check the tracking code in the message you received (e.g. ABCD-EFGH)."
                      : "Periksa kode laporan pada pesan yang Anda terima (misalnya ABCD-EFGH).")
                : (en ? "Try again in a little while." : "Coba lagi beberapa saat lagi."));
        raw(r->ar, &b, "</p></body></html>");
        r->content_type = "text/html; charset=utf-8";
        r->text = b;
        return b ? ERR_OK : ERR_NOMEM;
    }
    if (e != ERR_OK)
        return e;
    if (arena_on_destroy(r->ar, decref, j) != 0) {
        json_decref(j);
        return ERR_NOMEM;
    }
    const char *shown = json_string_value(json_object_get(j, "code"));
    raw(r->ar, &b,
        arena_printf(r->ar, PAGE_HEAD, r->lang, en ? "Report tracking" : "Lacak laporan"));
    raw(r->ar, &b, en ? "<h1>Report " : "<h1>Laporan ");
    esc(r->ar, &b, shown);
    raw(r->ar, &b, "</h1><p><span class=\"st\" id=\"status\">");
    esc(r->ar, &b, json_string_value(json_object_get(j, "status_label")));
    raw(r->ar, &b, "</span></p><dl><dt>");
    raw(r->ar, &b, en ? "Agency" : "Instansi");
    raw(r->ar, &b, "</dt><dd>");
    esc(r->ar, &b, json_string_value(json_object_get(j, "agency")));
    raw(r->ar, &b, "</dd><dt>");
    raw(r->ar, &b, en ? "Category" : "Kategori");
    raw(r->ar, &b, "</dt><dd>");
    esc(r->ar, &b, json_string_value(json_object_get(json_object_get(j, "category"), "name")));
    raw(r->ar, &b, "</dd><dt>Kecamatan</dt><dd>");
    json_t *kec = json_object_get(j, "kecamatan");
    esc(r->ar, &b, json_is_object(kec) ? json_string_value(json_object_get(kec, "name")) : "-");
    raw(r->ar, &b, "</dd><dt>");
    raw(r->ar, &b, en ? "Location" : "Lokasi");
    raw(r->ar, &b, "</dt><dd>");
    json_t *loc = json_object_get(j, "location");
    if (json_is_object(loc))
        raw(r->ar, &b,
            arena_printf(r->ar, "%.3f, %.3f (%s)", json_real_value(json_object_get(loc, "lat")),
                         json_real_value(json_object_get(loc, "lon")),
                         en ? "about 100 m" : "sekitar 100 m"));
    else
        raw(r->ar, &b,
            json_is_true(json_object_get(j, "location_hidden"))
                ? (en ? "not shown (confidential report)" : "tidak ditampilkan (laporan rahasia)")
                : "-");
    raw(r->ar, &b, "</dd></dl><h2>");
    raw(r->ar, &b, en ? "Progress" : "Perkembangan");
    raw(r->ar, &b, "</h2><ol id=\"timeline\">");
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(j, "timeline"), i, it)
    {
        raw(r->ar, &b, "<li><span class=\"when\">");
        const char *at = json_string_value(json_object_get(it, "at"));
        esc(r->ar, &b,
            at ? arena_printf(r->ar, "%.10s %.5s", at, strlen(at) > 11 ? at + 11 : "") : "");
        raw(r->ar, &b, "</span><br><strong>");
        esc(r->ar, &b, json_string_value(json_object_get(it, "label")));
        raw(r->ar, &b, "</strong>");
        const char *note = json_string_value(json_object_get(it, "note"));
        if (note) {
            raw(r->ar, &b, "<div class=\"note\">");
            esc(r->ar, &b, note);
            raw(r->ar, &b, "</div>");
        }
        json_t *photos = json_object_get(it, "photos");
        if (json_array_size(photos)) {
            size_t k;
            json_t *p;
            raw(r->ar, &b, "<div class=\"photos\">");
            json_array_foreach(photos, k, p)
            {
                const char *url = json_string_value(json_object_get(p, "url"));
                raw(r->ar, &b, "<a class=\"after\" href=\"");
                esc(r->ar, &b, url);
                raw(r->ar, &b, "\"><img src=\"");
                esc(r->ar, &b, json_string_value(json_object_get(p, "thumb")));
                raw(r->ar, &b,
                    arena_printf(r->ar, "\" alt=\"%s %zu\" loading=\"lazy\"></a>",
                                 en ? "Photo of the result" : "Foto hasil penanganan", k + 1));
            }
            raw(r->ar, &b, "</div><p class=\"when\">");
            raw(r->ar, &b,
                en ? "Photo by the officer who handled the report. Tap to enlarge."
                   : "Foto dari petugas yang menangani laporan. Ketuk untuk memperbesar.");
            raw(r->ar, &b, "</p>");
        }
        raw(r->ar, &b, "</li>");
    }
    raw(r->ar, &b, "</ol>");
    json_t *follow = json_object_get(j, "follow");
    bool by_email = json_is_true(json_object_get(j, "follow_email"));
    if (json_array_size(follow) || by_email) {
        raw(r->ar, &b, "<h2>");
        raw(r->ar, &b, en ? "Follow this report" : "Ikuti laporan ini");
        raw(r->ar, &b, "</h2>");
    }
    if (json_array_size(follow)) {
        raw(r->ar, &b, "<p>");
        raw(r->ar, &b,
            en ? "Get its updates on your phone: the button opens a chat with the agency with a "
                 "message ready; send it. To stop, send UNFOLLOW and the code."
               : "Terima kabar perkembangannya di ponsel Anda: tombol ini membuka percakapan "
                 "dengan instansi dengan pesan yang sudah terisi; kirimkan pesan itu. Untuk "
                 "berhenti, kirim BERHENTI dan kodenya.");
        raw(r->ar, &b, "</p><p id=\"follow\">");
        json_array_foreach(follow, i, it)
        {
            raw(r->ar, &b, "<a class=\"follow\" rel=\"nofollow\" href=\"");
            esc(r->ar, &b, json_string_value(json_object_get(it, "url")));
            raw(r->ar, &b, "\">");
            raw(r->ar, &b, en ? "Follow on " : "Ikuti lewat ");
            esc(r->ar, &b, json_string_value(json_object_get(it, "title")));
            raw(r->ar, &b, "</a> ");
        }
        raw(r->ar, &b, "</p>");
    }
    if (by_email)
        email_form(r, &b, shown);
    raw(r->ar, &b, "<footer>");
    raw(r->ar, &b,
        en ? "The reporter's identity is never shown on this page. "
           : "Identitas pelapor tidak pernah ditampilkan di halaman ini. ");
    raw(r->ar, &b,
        arena_printf(r->ar, "<a href=\"/t/%s?lang=%s\">%s</a>", shown, en ? "id" : "en",
                     en ? "Bahasa Indonesia" : "English"));
    raw(r->ar, &b, "</footer></body></html>");
    if (!b)
        return ERR_NOMEM;
    r->status = 200;
    r->content_type = "text/html; charset=utf-8";
    r->csp = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
             "frame-ancestors 'none'";
    r->text = b;
    return ERR_OK;
}

/* GET /t/foto/{id}: the file of a public "after" photo. Every rule is asked
 * again here (store_public_photo_get), not taken from the page: an unknown
 * id and one that exists but is not public get the same 404. What is
 * stored was re-encoded on upload (dash.c, core/image.h: no EXIF, no GPS
 * of the phone). Cached for a while by browsers and proxies: the file
 * under an id never changes, and a photo the agency stops publishing is
 * gone from caches within PHOTO_CACHE's max-age (10 minutes). */
#define PHOTO_CACHE "public, max-age=600"
/* The thumbnail's longer side is at least this (twice the page's 96 CSS
 * pixels, for a phone's dense screen). */
#define PHOTO_THUMB_SIDE 192
err_t h_public_photo(app_t *app, req_t *r)
{
    int64_t id = 0;
    store_public_photo p;
    const char *size = NULL;
    err_t e = req_query(r, "ukuran", &size);
    if (e != ERR_OK)
        return e;
    if (size && strcmp(size, "kecil") != 0)
        return refuse(r, ERR_INVALID,
                      tr(r, "ukuran: hanya kecil, atau tanpa ukuran untuk foto penuh",
                         "ukuran: only kecil, or none for the full photo"));
    bool thumb = size != NULL;
    e = parse_row_id(last_segment(r->path), &id) ? store_public_photo_get(app->store, r->ar, id, &p)
                                                 : ERR_NOT_FOUND;
    if (e == ERR_NOT_FOUND) {
        r->detail = NULL;
        log_debug("public", "event=photo_miss");
        return ERR_NOT_FOUND;
    }
    if (e != ERR_OK)
        return e;
    store_attachment a = {.id = p.id,
                          .case_id = p.case_id,
                          .sha256 = p.sha256,
                          .mime = p.mime,
                          .source = "officer",
                          .state = "stored",
                          .size_bytes = p.size_bytes,
                          .created_at = p.created_at};
    e = media_send(app, r, &a);
    if (e == ERR_NOT_FOUND)
        r->detail = NULL; /* a file missing on disk answers as any other miss */
    if (e == ERR_OK && thumb) {
        /* The page's thumbnail: a JPEG scaled down (a phone on a slow
         * network loads a few kB, not the photo); PNG and WebP as they are. */
        image_t im;
        image_status st = image_thumbnail(r->text, r->text_len, PHOTO_THUMB_SIDE, &im);
        char *copy = st == IMAGE_OK ? arena_alloc(r->ar, im.len) : NULL;
        if (copy) {
            memcpy(copy, im.data, im.len);
            r->text = copy;
            r->text_len = im.len;
            r->content_type = im.mime;
        } else if (st != IMAGE_UNSUPPORTED) {
            log_warn("public", "event=thumbnail_failed attachment_id=%lld reason=%s",
                     (long long)p.id, image_code(st));
        }
        image_free(&im);
    }
    if (e == ERR_OK)
        r->cache_control = PHOTO_CACHE;
    return e;
}
