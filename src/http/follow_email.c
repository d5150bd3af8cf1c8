/* Following a case by email from its public page (issue 18, like
 * FixMyStreet's alerts). The tracking page /t/{code} offers a small form
 * (an address and the UU PDP consent) when the case's agency has a
 * mailbox (channel_endpoints, the email channel) and the case is neither
 * rahasia nor a civil-registry request:
 *
 *   POST /ikuti                 code, email, consent: a confirmation mail
 *                               with a one-use link (double opt-in);
 *   GET|POST /ikuti/konfirmasi  t: the link's page; its button confirms;
 *   GET|POST /ikuti/berhenti    t: the unsubscribe page; POST (the page's
 *                               button, or a mail client's one-click
 *                               List-Unsubscribe-Post, RFC 8058) stops.
 *
 * Only the tokens' sha256 find the rows. A follower then gets the case's
 * public updates like a WhatsApp follower (case_watchers; the email driver
 * adds the unsubscribe link and headers, email_smtp.c). Requests are
 * limited per client address, per email address and per case, and the
 * answer to a request does not say whether the address follows already.
 * The address is personal data: never on a page, never in an info log. */
#include "http/http.h"

#include "core/clock.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/secret.h"
#include "http/form.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The longest address SMTP carries (RFC 5321 §4.5.3.1.3: a path of 256
 * octets less the brackets) and its local part (§4.5.3.1.1). */
#define FE_ADDR_MAX  254
#define FE_LOCAL_MAX 64
/* A confirmation link works this long (seconds). */
#define FE_CONFIRM_TTL (48 * 3600)
/* The form's fields, and its body (an address and a code: small). */
#define FE_FIELDS_MAX 8

/* Per client address: a burst of 10 requests, then one a minute; per
 * email address: 3, then one every 20 minutes (a stranger cannot flood an
 * inbox with confirmations); per case: 20, then one a minute. */
static const bucket_spec fe_client = {10.0, 1.0 / 60.0, 10.0};
static const bucket_spec fe_address = {3.0, 1.0 / 1200.0, 3.0};
static const bucket_spec fe_case = {20.0, 1.0 / 60.0, 20.0};

/* ---- pages ---------------------------------------------------------------- */

static const char FE_HEAD[] =
    "<!doctype html><html lang=\"%s\"><head><meta charset=\"utf-8\">"
    "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
    "<meta name=\"robots\" content=\"noindex\"><meta name=\"referrer\" content=\"no-referrer\">"
    "<title>%s</title><style>body{font-family:system-ui,sans-serif;max-width:40em;"
    "margin:1.5em auto;padding:0 1em;color:#1d2433}h1{font-size:1.4em}"
    "button{padding:.6em 1.2em;border:0;border-radius:.4em;background:#1f7a4d;color:#fff;"
    "font-size:1em}.problem{color:#a11}</style></head><body>";

/* The page: a heading, a paragraph, and (form_action) a form of one
 * button carrying the token t. */
static err_t page(req_t *r, unsigned status, const char *title, const char *text, const char *code,
                  const char *form_action, const char *t, const char *button)
{
    bool en = !strcmp(r->lang, "en");
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return ERR_NOMEM;
    fprintf(f, FE_HEAD, en ? "en" : "id", title);
    fputs("<h1>", f);
    html_put(f, title);
    fprintf(f, "</h1><p id=\"message\"%s>", status >= 400 ? " class=\"problem\"" : "");
    html_put(f, text);
    fputs("</p>", f);
    if (form_action) {
        fputs("<form method=\"post\" action=\"", f);
        html_put(f, form_action);
        fprintf(f, "?lang=%s\"><input type=\"hidden\" name=\"t\" value=\"", en ? "en" : "id");
        html_put(f, t);
        fputs("\"><button id=\"confirm\">", f);
        html_put(f, button);
        fputs("</button></form>", f);
    }
    if (code) {
        fputs("<p><a href=\"/t/", f);
        html_put(f, code);
        fprintf(f, "?lang=%s\">%s ", en ? "en" : "id",
                en ? "Back to report" : "Kembali ke laporan");
        html_put(f, code);
        fputs("</a></p>", f);
    }
    fputs("</body></html>", f);
    return reply_html_stream(r, status, f, &buf);
}

/* ---- the request -------------------------------------------------------------- */

static bool local_char(unsigned char c)
{
    return isalnum(c) || strchr("!#$%&'*+/=?^_`{|}~.-", c) != NULL;
}

/* The address in lower case, or NULL when it is not a plain address
 * (one @, a dotted domain of letters, digits and hyphens). */
static char *address_parse(arena_t *ar, const char *in)
{
    size_t n = in ? strlen(in) : 0;
    const char *at = in ? strchr(in, '@') : NULL;
    if (n < 5 || n > FE_ADDR_MAX || !at || strchr(at + 1, '@') || at == in ||
        (size_t)(at - in) > FE_LOCAL_MAX)
        return NULL;
    for (const char *p = in; p < at; p++)
        if (!local_char((unsigned char)*p))
            return NULL;
    if (in[0] == '.' || at[-1] == '.' || strstr(in, ".."))
        return NULL;
    const char *d = at + 1;
    size_t label = 0, dots = 0;
    for (const char *p = d; *p; p++) {
        if (*p == '.') {
            if (!label || p[-1] == '-')
                return NULL;
            label = 0;
            dots++;
        } else if (isalnum((unsigned char)*p) || (*p == '-' && label)) {
            label++;
        } else {
            return NULL;
        }
    }
    if (!label || !dots || d[strlen(d) - 1] == '-')
        return NULL;
    char *out = arena_strdup(ar, in);
    for (char *p = out; p && *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return out;
}

static const char *field(const form_field *fs, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(fs[i].key, key))
            return fs[i].value;
    return NULL;
}

/* Whether the page offers the form for c: not rahasia, not a request, and
 * the agency has a mailbox to send from. */
bool follow_email_offered(app_t *app, req_t *r, const store_case *c)
{
    store_endpoint ep;
    if (c->rahasia || !strcmp(c->kind, "service"))
        return false;
    return store_endpoint_of_agency(app->store, r->ar, c->agency_id, "email", &ep) == ERR_OK &&
           ep.active;
}

/* Takes a token of each limit; the seconds to wait, or 0. */
static int limited(app_t *app, req_t *r, const char *address, int64_t case_id)
{
    char digest[SECRET_DIGEST_BUF];
    double now = bucket_now();
    int wait = bucket_take(app->buckets, &fe_client,
                           arena_printf(r->ar, "fi|%s", req_client(app, r)), 1.0, 0.0, now);
    if (wait > 0)
        return wait;
    secret_sha256_hex(address, strlen(address), digest);
    wait =
        bucket_take(app->buckets, &fe_address, arena_printf(r->ar, "fa|%s", digest), 1.0, 0.0, now);
    if (wait > 0)
        return wait;
    return bucket_take(app->buckets, &fe_case, arena_printf(r->ar, "fc|%lld", (long long)case_id),
                       1.0, 0.0, now);
}

/* The confirmation mail: the driver's payload {"to","subject","text"}. */
static const char *confirm_mail(app_t *app, req_t *r, const store_case *c, const char *shown,
                                const char *address, const char *token)
{
    bool en = !strcmp(r->lang, "en");
    const char *base = app->cfg->public_url;
    const char *link =
        arena_printf(r->ar, "%s/ikuti/konfirmasi?t=%s&lang=%s", base, token, en ? "en" : "id");
    const char *text =
        en ? arena_printf(r->ar,
                          "You (or someone who typed your address) asked to follow report %s of "
                          "%s by email.\n\nTo start receiving its updates, open this link within "
                          "48 hours and press the button:\n%s\n\nIf it was not you, ignore this "
                          "mail: your address is deleted and gets nothing more.\n\nThe report: "
                          "%s/t/%s?lang=en\n",
                          shown, c->agency_name, link, base, shown)
           : arena_printf(r->ar,
                          "Anda (atau seseorang yang mengetik alamat Anda) meminta kabar "
                          "perkembangan laporan %s di %s lewat email.\n\nUntuk mulai menerima "
                          "kabarnya, buka tautan ini dalam 48 jam lalu tekan tombolnya:\n%s\n\n"
                          "Jika bukan Anda yang meminta, abaikan email ini: alamat Anda dihapus "
                          "dan tidak akan menerima apa pun lagi.\n\nLaporannya: %s/t/%s\n",
                          shown, c->agency_name, link, base, shown);
    const char *subject = arena_printf(r->ar,
                                       en ? "[ADUAN %s] Confirm following this report"
                                          : "[ADUAN %s] Konfirmasi: ikuti laporan ini",
                                       shown);
    json_t *j = json_pack("{s:s, s:s, s:s}", "to", address, "subject", subject, "text", text);
    char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    const char *out = s ? arena_strdup(r->ar, s) : NULL;
    free(s);
    return out;
}

err_t h_follow_email(app_t *app, req_t *r)
{
    bool en;
    form_field fs[FE_FIELDS_MAX];
    size_t n = 0;
    char code[IDS_CODE_BUF], shown[IDS_SHOWN_BUF] = "";
    char confirm[SECRET_TOKEN_BUF], unsub[SECRET_TOKEN_BUF];
    char confirm_hash[SECRET_DIGEST_BUF], unsub_hash[SECRET_DIGEST_BUF];
    store_case c;
    store_endpoint ep;
    const char *ct = req_header(r, "Content-Type");
    if (!ct || strncmp(ct, "application/x-www-form-urlencoded", 33) != 0 ||
        form_parse(r->ar, r->body ? r->body : "", r->body_len, fs, FE_FIELDS_MAX, &n) != ERR_OK)
        n = 0;
    const char *lang = field(fs, n, "lang");
    if (lang && (!strcmp(lang, "en") || !strcmp(lang, "id")))
        r->lang = lang;
    en = !strcmp(r->lang, "en");
    const char *raw = field(fs, n, "code"), *consent = field(fs, n, "consent");
    const char *title = en ? "Follow by email" : "Ikuti lewat email";
    err_t e = raw && ids_tracking_normalize(raw, code) == 0
                  ? store_case_by_code(app->store, r->ar, code, &c)
                  : ERR_NOT_FOUND;
    if (e == ERR_NOT_FOUND)
        return page(r, 404, title,
                    en ? "No report has this tracking code." : "Tidak ada laporan dengan kode ini.",
                    NULL, NULL, NULL, NULL);
    if (e != ERR_OK)
        return e;
    ids_tracking_format(c.tracking_code, shown);
    if (c.rahasia || !strcmp(c.kind, "service"))
        return page(r, 403, title,
                    en ? "This report cannot be followed: it is confidential."
                       : "Laporan ini tidak dapat diikuti: laporan ini rahasia.",
                    shown, NULL, NULL, NULL);
    e = store_endpoint_of_agency(app->store, r->ar, c.agency_id, "email", &ep);
    if (e == ERR_NOT_FOUND || (e == ERR_OK && !ep.active))
        return page(r, 409, title,
                    en ? "This agency does not send updates by email."
                       : "Instansi ini tidak mengirim kabar lewat email.",
                    shown, NULL, NULL, NULL);
    if (e != ERR_OK)
        return e;
    char *address = address_parse(r->ar, field(fs, n, "email"));
    if (!address)
        return page(r, 400, title,
                    en ? "Enter a valid email address, e.g. name@example.com."
                       : "Isi alamat email yang benar, mis. nama@contoh.id.",
                    shown, NULL, NULL, NULL);
    if (!consent || (strcmp(consent, "1") && strcmp(consent, "on") && strcmp(consent, "yes")))
        return page(r, 400, title,
                    en ? "Tick the consent box: without it your address cannot be kept."
                       : "Centang persetujuan: tanpa itu alamat Anda tidak dapat disimpan.",
                    shown, NULL, NULL, NULL);
    int wait = limited(app, r, address, c.id);
    if (wait > 0) {
        r->retry_after = arena_printf(r->ar, "%d", wait);
        return page(r, 429, title,
                    en ? "Too many requests. Try again in a little while."
                       : "Terlalu banyak permintaan. Coba lagi beberapa saat lagi.",
                    shown, NULL, NULL, NULL);
    }
    secret_token(confirm);
    secret_token(unsub);
    secret_sha256_hex(confirm, strlen(confirm), confirm_hash);
    secret_sha256_hex(unsub, strlen(unsub), unsub_hash);
    const char *key = app->cfg->svc_data_key;
    const char *kept = key[0] ? secret_seal(r->ar, key, unsub, strlen(unsub)) : unsub;
    const char *payload = confirm_mail(app, r, &c, shown, address, confirm);
    if (!kept || !payload)
        return ERR_NOMEM;
    int64_t now = clock_now();
    store_email_follow_req x = {
        .case_id = c.id,
        .agency_id = c.agency_id,
        .endpoint = ep.endpoint,
        .address = address,
        .lang = en ? "en" : "id",
        .confirm_hash = confirm_hash,
        .confirm_until = now + FE_CONFIRM_TTL,
        .unsub_hash = unsub_hash,
        .unsub_token = kept,
        .payload = payload,
        .now = now,
    };
    bool queued = false;
    if ((e = store_email_follow_request(app->store, &x, &queued)) != ERR_OK)
        return e;
    log_info("follow", "event=email_follow_requested case_id=%lld mail=%d", (long long)c.id,
             queued);
    /* The same answer whether the address follows already or not. */
    return page(r, 200, en ? "Check your email" : "Periksa email Anda",
                en ? "If the address is right, a mail with a confirmation link is on its way. "
                     "Open it within 48 hours to start following this report."
                   : "Jika alamatnya benar, email berisi tautan konfirmasi sedang dikirim. Buka "
                     "tautan itu dalam 48 jam untuk mulai mengikuti laporan ini.",
                shown, NULL, NULL, NULL);
}

/* ---- the links ------------------------------------------------------------- */

/* The token t of the query or, on a POST of the form, of the body. */
static const char *token(req_t *r)
{
    const char *t = NULL;
    form_field fs[FE_FIELDS_MAX];
    size_t n = 0;
    if (req_query(r, "t", &t) != ERR_OK)
        t = NULL;
    if (!t && !strcmp(r->method, "POST") && r->body_len &&
        form_parse(r->ar, r->body, r->body_len, fs, FE_FIELDS_MAX, &n) == ERR_OK)
        t = field(fs, n, "t");
    /* A token is base64url of 32 bytes: anything else is not one. */
    if (t && (strlen(t) != SECRET_TOKEN_BUF - 5 ||
              strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") !=
                  strlen(t)))
        t = NULL;
    return t;
}

err_t h_follow_confirm(app_t *app, req_t *r)
{
    bool en = !strcmp(r->lang, "en");
    const char *t = token(r);
    const char *title = en ? "Follow by email" : "Ikuti lewat email";
    const char *gone = en ? "This link does not work: it is wrong, used already, or older than 48 "
                            "hours. Ask again from the report's page."
                          : "Tautan ini tidak berlaku: salah, sudah dipakai, atau lebih dari 48 "
                            "jam. Minta lagi dari halaman laporan.";
    if (!t)
        return page(r, 404, title, gone, NULL, NULL, NULL, NULL);
    if (!strcmp(r->method, "GET"))
        return page(r, 200, title,
                    en ? "Press the button to receive this report's updates by email."
                       : "Tekan tombol untuk menerima kabar laporan ini lewat email.",
                    NULL, "/ikuti/konfirmasi", t, en ? "Follow this report" : "Ikuti laporan ini");
    char hash[SECRET_DIGEST_BUF], shown[IDS_SHOWN_BUF];
    store_email_follow f;
    secret_sha256_hex(t, strlen(t), hash);
    err_t e = store_email_follow_confirm(app->store, r->ar, hash, clock_now(), &f);
    if (e == ERR_NOT_FOUND)
        return page(r, 404, title, gone, NULL, NULL, NULL, NULL);
    if (e != ERR_OK)
        return e;
    ids_tracking_format(f.tracking_code, shown);
    log_info("follow", "event=email_follow_confirmed case_id=%lld", (long long)f.case_id);
    return page(r, 200, en ? "You follow this report" : "Anda mengikuti laporan ini",
                en ? "Its updates will come to your email. Every mail has a link to stop."
                   : "Kabar perkembangannya akan dikirim ke email Anda. Setiap email berisi "
                     "tautan untuk berhenti.",
                shown, NULL, NULL, NULL);
}

err_t h_follow_stop(app_t *app, req_t *r)
{
    bool en = !strcmp(r->lang, "en");
    const char *t = token(r);
    const char *title = en ? "Stop following" : "Berhenti mengikuti";
    const char *gone = en ? "This link does not work: it is wrong, or you stopped already."
                          : "Tautan ini tidak berlaku: salah, atau Anda sudah berhenti.";
    if (!t)
        return page(r, 404, title, gone, NULL, NULL, NULL, NULL);
    if (!strcmp(r->method, "GET"))
        return page(r, 200, title,
                    en ? "Press the button to stop receiving this report's updates by email."
                       : "Tekan tombol untuk berhenti menerima kabar laporan ini lewat email.",
                    NULL, "/ikuti/berhenti", t, en ? "Stop" : "Berhenti");
    char hash[SECRET_DIGEST_BUF], shown[IDS_SHOWN_BUF];
    store_email_follow f;
    secret_sha256_hex(t, strlen(t), hash);
    err_t e = store_email_follow_stop(app->store, r->ar, hash, &f);
    if (e == ERR_NOT_FOUND)
        return page(r, 404, title, gone, NULL, NULL, NULL, NULL);
    if (e != ERR_OK)
        return e;
    ids_tracking_format(f.tracking_code, shown);
    log_info("follow", "event=email_follow_stopped case_id=%lld", (long long)f.case_id);
    return page(r, 200, title,
                en ? "Done: your address is deleted and gets no more mail about this report."
                   : "Selesai: alamat Anda dihapus dan tidak lagi menerima email tentang laporan "
                     "ini.",
                shown, NULL, NULL, NULL);
}
