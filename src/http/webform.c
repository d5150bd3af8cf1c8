/* The public web form, /lapor and /lapor/{agency-code} (issue 16 §1).
 *
 * For a citizen on a cheap phone on a slow link: a plain multipart form
 * that works without JavaScript, answered by a page with the tracking code
 * and its link; web/public/lapor.js only improves it (a map pin, the
 * phone's position, photo previews and downscaling, inline checks, the
 * proof of work). A report goes through the same intake as every channel
 * (store_case_open: rules, duplicates, dispatch, SLA) with channel 'web'.
 *
 * Pictures are decoded and encoded again (core/image.h): a file that is
 * not one is refused and EXIF never travels on. Abuse without third-party
 * CAPTCHAs: a per-address token bucket, a honeypot field, and a signed
 * challenge that the page's script answers with a small proof of work or,
 * without JavaScript, the citizen with a sum. Every refusal is the form
 * again, with what the citizen typed and a clear reason on top. Nothing
 * the citizen wrote goes into the info log. */
#include "http/http.h"

#include "channels/bot.h"
#include "channels/channel.h"
#include "core/clock.h"
#include "core/fsfile.h"
#include "core/ids.h"
#include "core/image.h"
#include "core/log.h"
#include "core/text.h"
#include "domain/cases.h"
#include "domain/deadline.h"
#include "domain/lifecycle.h"
#include "domain/regions.h"
#include "domain/withdraw.h"
#include "http/multipart.h"

#include <math.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Photos per report: LAPOR!'s own form takes a handful; five show the
 * scene, the damage and the surroundings. */
#define WF_PHOTOS_MAX 5
/* Parts of one posted form: its dozen fields and the photos, with room
 * for an empty file input. */
#define WF_PARTS_MAX 32
/* A field other than the text and the address: a number, a code, an email
 * (RFC 5321 caps a path at 256), a checkbox. */
#define WF_FIELD_MAX 256
/* The challenge's life (seconds): a citizen may take a long time to write
 * and take photos; after that the form asks again, keeping what was typed. */
#define WF_CHALLENGE_TTL (3 * 3600)
/* Leading zero bits of sha256(challenge ":" nonce) the page's script must
 * find: 2^16 hashes on average, well under a second on a cheap phone, a
 * real cost for a script posting thousands. */
#define WF_POW_BITS 16
/* An email address of a contact (RFC 5321: 254 characters). */
#define WF_EMAIL_MAX 254

/* A burst of 10 posts from one address, then one a minute: a citizen who
 * corrects a refusal a few times is never stopped; a script is. Refused
 * posts count too (each may decode five pictures). */
static const bucket_spec wf_spec = {10.0, 1.0 / 60.0, 20.0};

/* ---- the signed challenge ------------------------------------------------ */

/* The challenge key, the same on every instance and across restarts (a
 * challenge shown before a restart, or by another instance behind the
 * same proxy, is still good): derived from ADUAN_DATA_KEY when it is set,
 * else the random key the first instance stored (server_keys). Read once;
 * a database that cannot give it leaves wf_key_ready false and the next
 * request tries again. */
static unsigned char wf_key[crypto_auth_hmacsha256_KEYBYTES];
static bool wf_key_ready;
static pthread_mutex_t wf_key_lock = PTHREAD_MUTEX_INITIALIZER;
#define WF_KEY_NAME "webform_challenge"

static bool wf_key_load(app_t *app, arena_t *ar)
{
    unsigned char data_key[32];
    size_t got = 0;
    bool ok = false;
    pthread_mutex_lock(&wf_key_lock);
    if (wf_key_ready) {
        pthread_mutex_unlock(&wf_key_lock);
        return true;
    }
    const char *hex = app->cfg->svc_data_key;
    if (hex[0] &&
        sodium_hex2bin(data_key, sizeof data_key, hex, strlen(hex), NULL, &got, NULL) == 0 &&
        got == sizeof data_key) {
        static const char label[] = "aduan web form challenge v1";
        crypto_auth_hmacsha256(wf_key, (const unsigned char *)label, sizeof label - 1, data_key);
        ok = true;
    } else {
        unsigned char rnd[sizeof wf_key];
        char fresh[2 * sizeof wf_key + 1];
        const char *stored = NULL;
        randombytes_buf(rnd, sizeof rnd);
        sodium_bin2hex(fresh, sizeof fresh, rnd, sizeof rnd);
        ok = store_server_key(app->store, ar, WF_KEY_NAME, fresh, clock_now(), &stored) == ERR_OK &&
             stored &&
             sodium_hex2bin(wf_key, sizeof wf_key, stored, strlen(stored), NULL, &got, NULL) == 0 &&
             got == sizeof wf_key;
        sodium_memzero(rnd, sizeof rnd);
        sodium_memzero(fresh, sizeof fresh);
    }
    sodium_memzero(data_key, sizeof data_key);
    wf_key_ready = ok;
    pthread_mutex_unlock(&wf_key_lock);
    if (!ok)
        log_warn("webform", "event=challenge_key_unavailable");
    return ok;
}

/* The MAC of text as 32 hex digits (the key is loaded). */
static void wf_mac(const char *text, char out[33])
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256(mac, (const unsigned char *)text, strlen(text), wf_key);
    sodium_bin2hex(out, 33, mac, 16);
}

/* A new challenge "time.a.b.nonce.mac": a and b make the no-JS question
 * "a + b", the rest the proof of work's input. */
static const char *challenge_new(app_t *app, arena_t *ar, int *a, int *b)
{
    if (!wf_key_load(app, ar))
        return NULL;
    unsigned char rnd[8];
    char hex[17], mac[33];
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(hex, sizeof hex, rnd, sizeof rnd);
    *a = 1 + (int)randombytes_uniform(9);
    *b = 1 + (int)randombytes_uniform(9);
    const char *body = arena_printf(ar, "%lld.%d.%d.%s", (long long)clock_now(), *a, *b, hex);
    if (!body)
        return NULL;
    wf_mac(body, mac);
    return arena_printf(ar, "%s.%s", body, mac);
}

typedef enum { CH_OK, CH_MISSING, CH_WRONG, CH_STALE } ch_result;

/* Whether sha256(challenge ":" nonce) starts with WF_POW_BITS zero bits. */
static bool pow_ok(const char *challenge, const char *nonce)
{
    unsigned char d[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_state st;
    if (strlen(nonce) > 20 || strspn(nonce, "0123456789") != strlen(nonce))
        return false;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const unsigned char *)challenge, strlen(challenge));
    crypto_hash_sha256_update(&st, (const unsigned char *)":", 1);
    crypto_hash_sha256_update(&st, (const unsigned char *)nonce, strlen(nonce));
    crypto_hash_sha256_final(&st, d);
    for (int bit = 0; bit < WF_POW_BITS; bit++)
        if (d[bit / 8] & (0x80 >> (bit % 8)))
            return false;
    return true;
}

/* Checks the signed challenge and its answer: the proof of work when the
 * script sent one, else the sum. */
static ch_result challenge_check(app_t *app, arena_t *ar, const char *ch, const char *pow,
                                 const char *answer)
{
    long long t;
    int a, b, used = 0;
    char nonce[17], mac[33], want[33];
    if (!ch || !*ch)
        return CH_MISSING;
    if (sscanf(ch, "%lld.%d.%d.%16[0-9a-f].%32[0-9a-f]%n", &t, &a, &b, nonce, mac, &used) != 5 ||
        (size_t)used != strlen(ch) || strlen(mac) != 32)
        return CH_WRONG;
    size_t body = strlen(ch) - 33;
    char text[96];
    if (body >= sizeof text)
        return CH_WRONG;
    memcpy(text, ch, body);
    text[body] = '\0';
    if (!wf_key_load(app, ar))
        return CH_STALE;
    wf_mac(text, want);
    if (sodium_memcmp(want, mac, 32) != 0)
        return CH_STALE; /* another deployment's, or forged: ask again */
    int64_t now = clock_now();
    if (t > now + 60 || now - t > WF_CHALLENGE_TTL)
        return CH_STALE;
    if (pow && *pow)
        return pow_ok(ch, pow) ? CH_OK : CH_WRONG;
    if (!answer || !*answer)
        return CH_MISSING;
    char *end;
    long v = strtol(answer, &end, 10);
    while (*end == ' ')
        end++;
    return *end == '\0' && v == a + b ? CH_OK : CH_WRONG;
}

/* Whether the (valid) challenge was used before, on any instance; marks
 * it used (inbound_seen "wf:<its MAC>"). A database that cannot say counts
 * as used: the form asks again. */
static bool challenge_used(app_t *app, req_t *r, const char *ch)
{
    const char *dot = strrchr(ch, '.'); /* its MAC: unique to the challenge */
    const char *key = arena_printf(r->ar, "wf:%s", dot ? dot + 1 : ch);
    bool fresh = false;
    return !key || store_once(app->store, key, clock_now(), &fresh) != ERR_OK || !fresh;
}

/* ---- what was posted ----------------------------------------------------- */

typedef struct {
    const char *category, *text, *lat, *lon, *address, *kecamatan, *contact;
    bool consent, anonim, rahasia;
    const char *website, *challenge, *pow, *answer; /* abuse checks */
    const multipart_part *photos[WF_PHOTOS_MAX];
    size_t nphotos;
    bool too_many_photos;
} wf_input;

/* The form as shown: its agency (NULL: every agency), what was typed, the
 * reason of a refusal. */
typedef struct {
    const store_agency *agency;
    const wf_input *in;
    const char *problem;
    const char *field; /* the field the problem is about, or NULL */
} wf_view;

/* A part's value as text in the arena: NULL when absent; *bad when it is
 * not UTF-8, holds a NUL, or is longer than max bytes. */
static const char *part_text(req_t *r, const multipart_part *p, size_t max, bool *bad)
{
    if (!p || p->filename)
        return NULL;
    if (p->len > max || !text_utf8_valid(p->data, p->len) || memchr(p->data, '\0', p->len)) {
        *bad = true;
        return NULL;
    }
    char *s = arena_alloc(r->ar, p->len + 1);
    if (!s)
        return NULL;
    memcpy(s, p->data, p->len);
    s[p->len] = '\0';
    const char *start;
    size_t n = text_trim(s, &start);
    return n ? arena_printf(r->ar, "%.*s", (int)n, start) : NULL;
}

/* Reads the fields; *bad_field names the first that is not text. */
static void read_input(req_t *r, const multipart_part *parts, size_t n, wf_input *in,
                       const char **bad_field)
{
    static const struct {
        const char *name;
        size_t off, max;
    } keys[] = {
        {"category", offsetof(wf_input, category), WF_FIELD_MAX},
        {"text", offsetof(wf_input, text), 4 * CASE_DESCRIPTION_MAX + 64},
        {"lat", offsetof(wf_input, lat), WF_FIELD_MAX},
        {"lon", offsetof(wf_input, lon), WF_FIELD_MAX},
        {"address", offsetof(wf_input, address), 4 * CASE_ADDRESS_MAX + 64},
        {"kecamatan", offsetof(wf_input, kecamatan), WF_FIELD_MAX},
        {"contact", offsetof(wf_input, contact), WF_FIELD_MAX},
        {"website", offsetof(wf_input, website), WF_FIELD_MAX},
        {"challenge", offsetof(wf_input, challenge), WF_FIELD_MAX},
        {"pow", offsetof(wf_input, pow), WF_FIELD_MAX},
        {"answer", offsetof(wf_input, answer), WF_FIELD_MAX},
    };
    memset(in, 0, sizeof *in);
    *bad_field = NULL;
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        bool bad = false;
        const char *v = part_text(r, multipart_find(parts, n, keys[k].name), keys[k].max, &bad);
        *(const char **)((char *)in + keys[k].off) = v;
        if (bad && !*bad_field)
            *bad_field = keys[k].name;
    }
    in->consent = multipart_find(parts, n, "consent") != NULL;
    in->anonim = multipart_find(parts, n, "anonim") != NULL;
    in->rahasia = multipart_find(parts, n, "rahasia") != NULL;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(parts[i].name, "photo") != 0 || parts[i].len == 0)
            continue; /* an empty file input sends an empty part */
        if (in->nphotos == WF_PHOTOS_MAX)
            in->too_many_photos = true;
        else
            in->photos[in->nphotos++] = &parts[i];
    }
}

/* ---- the page -------------------------------------------------------------- */

static const char WF_HEAD[] =
    "<!doctype html><html lang=\"%s\"><head><meta charset=\"utf-8\">"
    "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
    "<meta name=\"robots\" content=\"noindex\"><title>%s</title>"
    "<link rel=\"stylesheet\" href=\"/public/lapor.css\">"
    "<script src=\"/public/lapor.js\" defer></script></head><body>";

/* The one line under a category: what happens to a report of it. */
static void category_line(req_t *r, FILE *f, const store_category *k)
{
    if (!strcmp(k->kind, "emergency"))
        fputs(tr(r, "Darurat: petugas segera berangkat ke lokasi.",
                 "Emergency: officers set out to the place at once."),
              f);
    else if (k->sla_hours > 0 && k->sla_hours % 24 == 0)
        fprintf(f,
                strcmp(r->lang, "en") ? "Ditindaklanjuti dalam %d hari."
                                      : "Followed up within %d days.",
                k->sla_hours / 24);
    else if (k->sla_hours > 0)
        fprintf(f,
                strcmp(r->lang, "en") ? "Ditindaklanjuti dalam %d jam."
                                      : "Followed up within %d hours.",
                k->sla_hours);
    else
        fputs(tr(r, "Pengaduan kepada instansi ini.", "A complaint to this agency."), f);
}

/* The agency's emergency numbers as call links ("113, 112"), or the
 * national 112 when it gave none. */
static void emergency_numbers(FILE *f, const store_agency *a)
{
    const char *list = a->emergency_phones && *a->emergency_phones ? a->emergency_phones : "112";
    const char *p = list;
    bool first = true;
    while (*p) {
        size_t n = strcspn(p, ",;/");
        char one[64];
        const char *s;
        size_t k = 0;
        snprintf(one, sizeof one, "%.*s", (int)(n < sizeof one - 1 ? n : sizeof one - 1), p);
        size_t len = text_trim(one, &s);
        if (len) {
            char dial[64];
            for (size_t i = 0; i < len && k < sizeof dial - 1; i++)
                if ((s[i] >= '0' && s[i] <= '9') || (s[i] == '+' && k == 0))
                    dial[k++] = s[i];
            dial[k] = '\0';
            fputs(first ? "" : " · ", f);
            fputs("<a class=\"tel\" href=\"tel:", f);
            html_put(f, dial);
            fputs("\">", f);
            char shown[64];
            snprintf(shown, sizeof shown, "%.*s", (int)len, s);
            html_put(f, shown);
            fputs("</a>", f);
            first = false;
        }
        p += n;
        if (*p)
            p++;
    }
}

static bool has_emergency(const store_category *ks, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (ks[i].active && !strcmp(ks[i].kind, "emergency"))
            return true;
    return false;
}

static void emergency_box(req_t *r, FILE *f, const store_agency *a)
{
    fputs("<div class=\"sos\" data-agency=\"", f);
    html_put(f, a->code);
    fputs("\" role=\"note\"><strong>", f);
    fputs(tr(r, "Keadaan darurat? Telepon dulu: ", "An emergency? Call first: "), f);
    fputs("</strong>", f);
    emergency_numbers(f, a);
    fputs("<br><small>", f);
    fputs(tr(r, "Lalu kirim laporan ini agar petugas tahu lokasinya.",
             "Then send this report so that the officers know the place."),
          f);
    fputs("</small></div>", f);
}

static void checkbox(FILE *f, const char *name, bool on, const char *label, const char *hint)
{
    fprintf(f, "<label class=\"check\"><input type=\"checkbox\" name=\"%s\" value=\"1\"%s> ", name,
            on ? " checked" : "");
    fprintf(f, "<span>%s", label);
    if (hint)
        fprintf(f, "<small>%s</small>", hint);
    fputs("</span></label>", f);
}

static void text_input(FILE *f, const char *name, const char *value, const char *extra)
{
    fprintf(f, "<input name=\"%s\" id=\"f-%s\" %s value=\"", name, name, extra);
    html_put(f, value);
    fputs("\">", f);
}

/* The categories a citizen may choose: active, not a civil-registry
 * request (those need the documents dialogue of a chat channel). */
static bool offered(const store_category *k)
{
    return k->active && strcmp(k->kind, "service") != 0;
}

/* The whole form page; status 200 or the refusal's. */
static err_t render_form(app_t *app, req_t *r, const wf_view *v, unsigned status)
{
    bool en = !strcmp(r->lang, "en");
    static const wf_input none;
    const wf_input *in = v->in ? v->in : &none;
    store_agency *as = NULL;
    store_region *rs = NULL;
    size_t na = 0, nr = 0;
    err_t e = ERR_OK;
    if (v->agency) {
        as = (store_agency *)v->agency;
        na = 1;
    } else {
        e = store_agency_list(app->store, r->ar, &as, &na);
    }
    if (e == ERR_OK)
        e = store_region_list(app->store, r->ar, &rs, &nr);
    if (e != ERR_OK)
        return e;
    store_category **ks = arena_alloc(r->ar, (na ? na : 1) * sizeof *ks);
    size_t *nk = arena_alloc(r->ar, (na ? na : 1) * sizeof *nk);
    if (!ks || !nk)
        return ERR_NOMEM;
    for (size_t i = 0; i < na && e == ERR_OK; i++)
        e = store_category_list(app->store, r->ar, as[i].id, &ks[i], &nk[i]);
    if (e != ERR_OK)
        return e;
    int qa = 0, qb = 0;
    const char *ch = challenge_new(app, r->ar, &qa, &qb);
    if (!ch)
        return ERR_UNAVAILABLE;
    const char *self = v->agency ? arena_printf(r->ar, "/lapor/%s", v->agency->code) : "/lapor";
    if (!self)
        return ERR_NOMEM;

    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return ERR_NOMEM;
    fprintf(f, WF_HEAD, en ? "en" : "id", tr(r, "Lapor: pengaduan warga", "Report a problem"));
    fputs("<header><h1>", f);
    fputs(tr(r, "Sampaikan laporan", "Report a problem"), f);
    fputs("</h1><p>", f);
    if (v->agency) {
        html_put(f, v->agency->name);
        fputs(". ", f);
    }
    fputs(tr(r,
             "Laporan Anda langsung diterima petugas. Anda mendapat kode untuk memantau "
             "perkembangannya.",
             "Your report goes straight to the officers. You get a code to follow its progress."),
          f);
    fprintf(f, "</p><nav><a href=\"%s?lang=%s\" lang=\"%s\">%s</a></nav></header>", self,
            en ? "id" : "en", en ? "id" : "en", en ? "Bahasa Indonesia" : "English");
    if (v->problem) {
        fputs("<p class=\"problem\" id=\"problem\" role=\"alert\"", f);
        if (v->field) {
            fputs(" data-field=\"", f);
            html_put(f, v->field);
            fputs("\"", f);
        }
        fputs(">", f);
        html_put(f, v->problem);
        size_t pl = strlen(v->problem);
        fputs(pl && strchr(".!?", v->problem[pl - 1]) ? " " : ". ", f);
        fputs(tr(r, "Isian Anda masih ada di bawah.", "What you typed is still below."), f);
        fputs("</p>", f);
    }
    /* Emergencies first: the numbers to call, before anything to type. */
    for (size_t i = 0; i < na; i++)
        if (has_emergency(ks[i], nk[i]))
            emergency_box(r, f, &as[i]);

    fprintf(f,
            "<form id=\"lapor\" method=\"post\" action=\"%s?lang=%s\" "
            "enctype=\"multipart/form-data\" accept-charset=\"utf-8\">",
            self, en ? "en" : "id");
    /* 1. what kind of problem, grouped by agency */
    fprintf(f, "<fieldset id=\"kategori\"><legend>1. %s</legend>",
            tr(r, "Jenis masalah", "Kind of problem"));
    for (size_t i = 0; i < na; i++) {
        bool any = false;
        for (size_t j = 0; j < nk[i]; j++)
            any |= offered(&ks[i][j]);
        if (!any)
            continue;
        if (!v->agency) {
            fputs("<h2 class=\"agency\">", f);
            html_put(f, as[i].name);
            fputs("</h2>", f);
        }
        for (size_t j = 0; j < nk[i]; j++) {
            const store_category *k = &ks[i][j];
            if (!offered(k))
                continue;
            char id[24];
            snprintf(id, sizeof id, "%lld", (long long)k->id);
            bool sos = !strcmp(k->kind, "emergency");
            fprintf(f,
                    "<label class=\"cat%s\"><input type=\"radio\" name=\"category\" value=\"%s\" "
                    "data-kind=\"%s\" data-agency=\"",
                    sos ? " emergency" : "", id, k->kind);
            html_put(f, as[i].code);
            fprintf(f, "\" required%s><span><b>",
                    in->category && !strcmp(in->category, id) ? " checked" : "");
            html_put(f, en && k->name_en ? k->name_en : k->name_id);
            fputs("</b><small>", f);
            category_line(r, f, k);
            fputs("</small></span></label>", f);
        }
    }
    fputs("</fieldset>", f);
    /* 2. what happened */
    fprintf(f,
            "<fieldset><legend>2. %s</legend><textarea name=\"text\" id=\"f-text\" rows=\"5\" "
            "maxlength=\"%d\" required placeholder=\"%s\">",
            tr(r, "Apa yang terjadi?", "What happened?"), CASE_DESCRIPTION_MAX,
            tr(r, "Ceritakan kejadiannya: apa, kapan, siapa yang terdampak.",
               "Tell what happened: what, when, who is affected."));
    html_put(f, in->text);
    fputs("</textarea></fieldset>", f);
    /* 3. where */
    fprintf(f, "<fieldset id=\"lokasi\"><legend>3. %s</legend>", tr(r, "Lokasi", "Location"));
    fputs("<div id=\"map\" class=\"map\" hidden data-tiles=\"", f);
    html_put(f, app->cfg->map_tile_url);
    fprintf(f,
            "\"></div><p class=\"js-only\" hidden><button type=\"button\" id=\"locate\">%s"
            "</button> <span id=\"where\"></span></p>",
            tr(r, "Lokasi saya", "My location"));
    fputs("<input type=\"hidden\" name=\"lat\" id=\"f-lat\" value=\"", f);
    html_put(f, in->lat);
    fputs("\"><input type=\"hidden\" name=\"lon\" id=\"f-lon\" value=\"", f);
    html_put(f, in->lon);
    fprintf(f, "\"><label for=\"f-address\">%s</label>",
            tr(r, "Alamat atau patokan", "Address or landmark"));
    text_input(
        f, "address", in->address,
        arena_printf(r->ar, "maxlength=\"%d\" autocomplete=\"street-address\"", CASE_ADDRESS_MAX));
    fprintf(f,
            "<label for=\"f-kecamatan\">Kecamatan</label><select name=\"kecamatan\" "
            "id=\"f-kecamatan\"><option value=\"\">%s</option>",
            tr(r, "(pilih)", "(choose)"));
    for (size_t i = 0; i < nr; i++) {
        fputs("<option value=\"", f);
        html_put(f, rs[i].code);
        fputs(in->kecamatan && !strcmp(in->kecamatan, rs[i].code) ? "\" selected>" : "\">", f);
        html_put(f, rs[i].name);
        fputs("</option>", f);
    }
    fputs("</select></fieldset>", f);
    /* 4. photos */
    fprintf(f,
            "<fieldset><legend>4. %s</legend><input type=\"file\" name=\"photo\" id=\"f-photo\" "
            "accept=\"image/jpeg,image/png,image/webp\" multiple><div id=\"previews\"></div>"
            "<small>%s</small></fieldset>",
            tr(r, "Foto (boleh sampai 5)", "Photos (up to 5)"),
            tr(r, "Data lokasi dan kamera di dalam foto dihapus sebelum disimpan.",
               "Location and camera data inside the photos are removed before storing."));
    /* 5. contact, with the UU PDP consent line */
    fprintf(f, "<fieldset><legend>5. %s</legend><label for=\"f-contact\">%s</label>",
            tr(r, "Kabar perkembangan (boleh dikosongkan)", "Updates (optional)"),
            tr(r, "Nomor WhatsApp atau email", "WhatsApp number or email"));
    text_input(f, "contact", in->contact,
               "maxlength=\"254\" autocomplete=\"email\" inputmode=\"email\"");
    checkbox(f, "consent", in->consent,
             tr(r,
                "Saya setuju nomor atau email ini disimpan dan dipakai instansi hanya untuk "
                "mengabarkan laporan ini, sesuai UU No. 27 Tahun 2022 tentang Pelindungan Data "
                "Pribadi.",
                "I agree that the agency stores this number or email and uses it only to tell me "
                "about this report, as the Personal Data Protection Law (UU No. 27/2022) says."),
             tr(r, "Tanpa kontak, perkembangan hanya tampil di halaman laporan.",
                "Without a contact, the progress shows only on the report's page."));
    fputs("</fieldset>", f);
    /* 6. anonim and rahasia, as LAPOR! offers them */
    fprintf(f, "<fieldset><legend>6. %s</legend>", tr(r, "Pilihan", "Options"));
    checkbox(f, "anonim", in->anonim, tr(r, "Anonim", "Anonymous"),
             tr(r, "Identitas Anda tidak ditampilkan kepada petugas.",
                "Your identity is not shown to the officers."));
    checkbox(f, "rahasia", in->rahasia, tr(r, "Rahasia", "Confidential"),
             tr(r, "Laporan tidak tampil di halaman publik.",
                "The report is not shown on the public pages."));
    fputs("</fieldset>", f);
    /* The honeypot: hidden from people by the style sheet, not from bots. */
    fprintf(f,
            "<div class=\"hp\" aria-hidden=\"true\"><label for=\"f-website\">%s</label>"
            "<input name=\"website\" id=\"f-website\" tabindex=\"-1\" autocomplete=\"off\" "
            "value=\"\"></div>",
            tr(r, "Jangan diisi", "Leave empty"));
    /* The check: the script answers it with a proof of work and hides it. */
    fprintf(f,
            "<fieldset id=\"check\"><legend>%s</legend><input type=\"hidden\" name=\"challenge\" "
            "value=\"%s\" data-bits=\"%d\"><input type=\"hidden\" name=\"pow\" id=\"f-pow\" "
            "value=\"\"><label for=\"f-answer\">%s %d + %d?</label><input name=\"answer\" "
            "id=\"f-answer\" inputmode=\"numeric\" size=\"4\" maxlength=\"3\" "
            "autocomplete=\"off\"></fieldset>",
            tr(r, "Pertanyaan pengaman", "Security question"), ch, WF_POW_BITS,
            tr(r, "Berapa", "What is"), qa, qb);
    fprintf(f, "<p><button type=\"submit\" id=\"send\">%s</button></p></form>",
            tr(r, "Kirim laporan", "Send report"));
    fprintf(f, "<footer>%s <a href=\"/laporan?lang=%s\">%s</a></footer></body></html>",
            tr(r, "Identitas pelapor tidak pernah ditampilkan di halaman publik.",
               "The reporter's identity is never shown on the public pages."),
            en ? "en" : "id", tr(r, "Laporan warga", "Public reports"));
    e = reply_html_stream(r, status, f, &buf);
    r->csp = dash_csp(app->cfg, r);
    return e;
}

/* The agency named by the path's last segment (/lapor/{code}); NULL for
 * /lapor. ERR_NOT_FOUND for an unknown one. */
static err_t path_agency(app_t *app, req_t *r, store_agency *a, const store_agency **out)
{
    *out = NULL;
    if (strncmp(r->path, "/lapor/", 7) != 0)
        return ERR_OK;
    err_t e = store_agency_find(app->store, r->ar, r->path + 7, a);
    if (e == ERR_OK)
        *out = a;
    return e;
}

static err_t not_found_page(req_t *r)
{
    bool en = !strcmp(r->lang, "en");
    r->status = 404;
    r->content_type = "text/html; charset=utf-8";
    r->text = arena_printf(
        r->ar, "%s<h1>%s</h1><p><a href=\"/lapor?lang=%s\">%s</a></p></body></html>",
        arena_printf(r->ar, WF_HEAD, en ? "en" : "id", tr(r, "Tidak ditemukan", "Not found")),
        tr(r, "Instansi tidak ditemukan", "Agency not found"), en ? "en" : "id",
        tr(r, "Pilih dari daftar instansi", "Choose from the list of agencies"));
    return r->text ? ERR_OK : ERR_NOMEM;
}

err_t h_webform_page(app_t *app, req_t *r)
{
    store_agency a;
    wf_view v = {0};
    err_t e = path_agency(app, r, &a, &v.agency);
    if (e == ERR_NOT_FOUND)
        return not_found_page(r);
    if (e != ERR_OK)
        return e;
    return render_form(app, r, &v, 200);
}

err_t webform_too_large(app_t *app, req_t *r)
{
    store_agency a;
    wf_view v = {0};
    if (path_agency(app, r, &a, &v.agency) != ERR_OK)
        v.agency = NULL;
    v.problem = arena_printf(
        r->ar,
        strcmp(r->lang, "en")
            ? "Kiriman terlalu besar (lebih dari %zu MB): kirim lebih sedikit foto atau foto yang "
              "lebih kecil. Tombol Kembali di peramban biasanya masih menyimpan isian Anda."
            : "The upload is too large (over %zu MB): send fewer or smaller photos. The browser's "
              "Back button usually still holds what you typed.",
        (size_t)WEBFORM_BODY_MAX / (1024 * 1024));
    v.field = "photo";
    return render_form(app, r, &v, 413);
}

/* ---- the post ---------------------------------------------------------------- */

/* A refusal: the form again with what was typed, and why on top. */
static err_t refuse_form(app_t *app, req_t *r, wf_view *v, unsigned status, const char *field,
                         const char *why)
{
    v->problem = why;
    v->field = field;
    log_info("webform", "event=refused field=%s status=%u", field ? field : "-", status);
    return render_form(app, r, v, status);
}

static bool parse_deg(const char *s, double lim, double *out)
{
    char *end;
    if (!s || !*s)
        return false;
    double d = strtod(s, &end);
    return *end == '\0' && isfinite(d) && fabs(d) <= lim && (*out = d, true);
}

/* The category of the post, an active non-request one of the form's
 * agency (any agency on /lapor), and its agency. */
static err_t posted_category(app_t *app, req_t *r, const wf_input *in, const store_agency *only,
                             store_category *k, store_agency *a)
{
    char *end;
    long long id = in->category ? strtoll(in->category, &end, 10) : 0;
    if (!in->category || *end || id <= 0)
        return ERR_INVALID;
    err_t e = store_category_get(app->store, r->ar, id, k);
    if (e == ERR_NOT_FOUND || (e == ERR_OK && (!offered(k) || (only && k->agency_id != only->id))))
        return ERR_INVALID;
    if (e == ERR_OK)
        e = store_agency_get(app->store, r->ar, k->agency_id, a);
    return e;
}

/* The reporter from the contact field: a mobile number (WhatsApp) or an
 * email address. ERR_INVALID with *why. */
static err_t posted_contact(req_t *r, const wf_input *in, store_reporter_in *rep, const char **why)
{
    memset(rep, 0, sizeof *rep);
    if (!in->contact)
        return ERR_OK;
    if (strchr(in->contact, '@')) {
        const char *at = strchr(in->contact, '@');
        if (strlen(in->contact) > WF_EMAIL_MAX || strchr(in->contact, ' ') || at == in->contact ||
            !strchr(at, '.') || strchr(at + 1, '@')) {
            *why = tr(r, "Alamat email tidak valid.", "The email address is not valid.");
            return ERR_INVALID;
        }
        rep->channel = "email";
        rep->address = in->contact;
    } else {
        char norm[24];
        bool mobile = false;
        if (text_phone_normalize(in->contact, norm, sizeof norm, &mobile) != 0 || !mobile) {
            *why = tr(r, "Nomor WhatsApp tidak valid: tulis nomor ponsel, misalnya 0812 3456 7890.",
                      "The WhatsApp number is not valid: write a mobile number, e.g. 0812 3456 "
                      "7890.");
            return ERR_INVALID;
        }
        rep->phone = rep->mobile = arena_strdup(r->ar, norm);
        rep->channel = channel_for_mobile();
        rep->address = rep->channel ? rep->mobile : NULL;
    }
    if (!in->consent) {
        *why =
            tr(r, "Centang persetujuan agar kontak Anda boleh dipakai, atau kosongkan kontaknya.",
               "Tick the consent so that your contact may be used, or leave the contact "
               "empty.");
        return ERR_INVALID;
    }
    rep->consent_at = clock_now();
    return ERR_OK;
}

/* Decodes and encodes again each photo into the media directory. On a
 * refusal *why names the photo and the reason; nothing is stored then. */
static err_t posted_photos(app_t *app, req_t *r, const wf_input *in, store_file_in *files,
                           const char **why)
{
    image_t im[WF_PHOTOS_MAX] = {0};
    err_t e = ERR_OK;
    size_t i;
    for (i = 0; i < in->nphotos; i++) {
        const multipart_part *p = in->photos[i];
        image_status st = image_reencode(p->data, p->len, &im[i]);
        const char *name = p->filename;
        if (name && (!*name || strlen(name) > 120 || !text_utf8_valid(name, strlen(name))))
            name = NULL; /* shown back only when it is short, valid text */
        if (st != IMAGE_OK) {
            log_info("webform", "event=photo_refused reason=%s bytes=%zu", image_code(st), p->len);
            *why = arena_printf(r->ar, "%s %zu%s%s%s: %s", tr(r, "Foto", "Photo"), i + 1,
                                name ? " (" : "", name ? name : "", name ? ")" : "",
                                image_why(st, r->lang));
            e = st == IMAGE_NOMEM ? ERR_NOMEM : ERR_INVALID;
            goto out;
        }
    }
    mkdir(app->cfg->media_dir, 0750);
    for (i = 0; i < in->nphotos && e == ERR_OK; i++) {
        unsigned char d[crypto_hash_sha256_BYTES];
        char hex[2 * sizeof d + 1];
        crypto_hash_sha256(d, im[i].data, im[i].len);
        sodium_bin2hex(hex, sizeof hex, d, sizeof d);
        e = fsfile_write(app->cfg->media_dir, hex, im[i].data, im[i].len,
                         !app->cfg->durability_process);
        files[i].sha256 = arena_strdup(r->ar, hex);
        files[i].mime = im[i].mime;
        files[i].size = (int64_t)im[i].len;
        if (e == ERR_OK && !files[i].sha256)
            e = ERR_NOMEM;
    }
out:
    for (i = 0; i < WF_PHOTOS_MAX; i++)
        image_free(&im[i]);
    return e;
}

/* The confirmation: the tracking code and its link first; for an
 * emergency, the numbers to call before anything else. */
static err_t done_page(app_t *app, req_t *r, const store_case *c, const store_agency *a,
                       const store_agency *form_agency, bool notifies, const char *cancel)
{
    bool en = !strcmp(r->lang, "en");
    char shown[IDS_SHOWN_BUF];
    ids_tracking_format(c->tracking_code, shown);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return ERR_NOMEM;
    fprintf(f, WF_HEAD, en ? "en" : "id", tr(r, "Laporan diterima", "Report received"));
    if (!strcmp(c->kind, "emergency"))
        emergency_box(r, f, a);
    fprintf(f,
            "<main class=\"done\"><h1>%s</h1><p>%s</p><p class=\"code\" id=\"code\">%s</p>"
            "<p><a class=\"track\" id=\"track\" href=\"/t/%s?lang=%s\">%s</a></p><p>",
            tr(r, "Laporan diterima", "Report received"),
            tr(r, "Simpan kode laporan Anda:", "Keep your report's code:"), shown, shown,
            en ? "en" : "id", tr(r, "Pantau perkembangan laporan", "Follow the report's progress"));
    html_put(f, a->name);
    fputs(". ", f);
    fputs(notifies ? tr(r, "Kabar perkembangan juga dikirim ke kontak Anda.",
                        "Updates are also sent to your contact.")
                   : tr(r, "Perkembangannya tampil di halaman laporan.",
                        "Its progress shows on the report's page."),
          f);
    /* The private cancel link (issue 16), shown this once. */
    if (cancel)
        fprintf(
            f,
            "</p><p class=\"cancel\">%s <a id=\"cancel\" href=\"/batal?t=%s&amp;lang=%s\">%s</a>",
            tr(r, "Salah kirim atau sudah tidak perlu? Simpan tautan pribadi ini:",
               "Sent by mistake or no longer needed? Keep this private link:"),
            cancel, en ? "en" : "id", tr(r, "Batalkan laporan ini", "Withdraw this report"));
    /* Another report on the same form: the agency's own, or every agency's. */
    fprintf(f, "</p><p><a href=\"/lapor%s%s?lang=%s\">%s</a></p></main></body></html>",
            form_agency ? "/" : "", form_agency ? form_agency->code : "", en ? "en" : "id",
            tr(r, "Kirim laporan lain", "Send another report"));
    err_t e = reply_html_stream(r, 200, f, &buf);
    r->csp = dash_csp(app->cfg, r);
    return e;
}

/* The cancel link to the contact given (issue 16), after the
 * acknowledgement: the text, and the agency's status template with the
 * link as its message ({{3}}) for a contact who never wrote. Indonesian:
 * the contact's language is not known. */
static void cancel_notice(app_t *app, req_t *r, const store_case *c, const store_agency *a,
                          const char *token, const char **message, const char **template)
{
    char shown[IDS_SHOWN_BUF];
    ids_tracking_format(c->tracking_code, shown);
    const char *url = arena_printf(r->ar, "%s/batal?t=%s", app->cfg->public_url, token);
    const char *note =
        arena_printf(r->ar,
                     "Bila salah kirim atau sudah tidak perlu, batalkan lewat tautan pribadi ini "
                     "(jangan dibagikan): %s",
                     url);
    channel_msg plain = {.kind = CHANNEL_MSG_TEXT,
                         .text = arena_printf(r->ar, "Laporan %s. %s", shown, note)};
    const char *params[] = {shown, status_label(ST_RECEIVED, "id"), note};
    channel_msg intent = {.kind = CHANNEL_MSG_TEMPLATE,
                          .template = a->template_status ? a->template_status : BOT_TEMPLATE_STATUS,
                          .lang = a->template_lang ? a->template_lang : "id",
                          .params = params,
                          .nparams = 3};
    *message = channel_msg_json(r->ar, &plain);
    *template = channel_msg_json(r->ar, &intent);
}

err_t h_webform_post(app_t *app, req_t *r)
{
    store_agency only_buf, a;
    store_category k;
    store_reporter_in rep;
    store_file_in files[WF_PHOTOS_MAX];
    multipart_part parts[WF_PARTS_MAX];
    size_t n = 0;
    wf_input in;
    wf_view v = {0};
    const char *why = NULL, *bad = NULL;
    err_t e = path_agency(app, r, &only_buf, &v.agency);
    if (e == ERR_NOT_FOUND)
        return not_found_page(r);
    if (e != ERR_OK)
        return e;
    e = multipart_parse(r->ar, req_header(r, "Content-Type"), r->body ? r->body : "", r->body_len,
                        parts, WF_PARTS_MAX, &n, &why);
    if (e == ERR_UNSUPPORTED || e == ERR_INVALID)
        return refuse_form(app, r, &v, 400, NULL,
                           tr(r, "Kiriman formulir tidak terbaca; silakan isi dan kirim lagi.",
                              "The form could not be read; please fill it in and send it again."));
    if (e != ERR_OK)
        return e;
    read_input(r, parts, n, &in, &bad);
    v.in = &in;
    /* Every post costs a token: each may decode five pictures. */
    int wait =
        bucket_take(app->buckets, &wf_spec, arena_printf(r->ar, "lapor|%s", req_client(app, r)),
                    1.0, 0.0, bucket_now());
    if (wait > 0) {
        r->retry_after = arena_printf(r->ar, "%d", wait);
        return refuse_form(
            app, r, &v, 429, NULL,
            arena_printf(r->ar,
                         strcmp(r->lang, "en")
                             ? "Terlalu banyak kiriman dari alamat Anda. Coba lagi dalam %d detik."
                             : "Too many posts from your address. Try again in %d seconds.",
                         wait));
    }
    if (bad)
        return refuse_form(app, r, &v, 400, bad,
                           arena_printf(r->ar, "%s: %s", bad,
                                        tr(r, "bukan teks yang sah (UTF-8) atau terlalu panjang.",
                                           "not valid text (UTF-8) or too long.")));
    if (in.website)
        return refuse_form(app, r, &v, 400, "website",
                           tr(r,
                              "Kolom yang harus kosong ternyata terisi; kosongkan lalu kirim lagi.",
                              "A field that must stay empty was filled in; clear it and send "
                              "again."));
    ch_result chk = challenge_check(app, r->ar, in.challenge, in.pow, in.answer);
    if (chk == CH_OK && challenge_used(app, r, in.challenge))
        return refuse_form(app, r, &v, 400, "answer",
                           tr(r,
                              "Formulir ini sudah pernah dikirim; jawab pertanyaan pengaman "
                              "yang baru bila ingin mengirim lagi.",
                              "This form was sent already; answer the new security question to "
                              "send it again."));
    switch (chk) {
    case CH_OK:
        break;
    case CH_MISSING:
        return refuse_form(
            app, r, &v, 400, "answer",
            tr(r, "Jawab pertanyaan pengaman di bawah.", "Answer the security question below."));
    case CH_WRONG:
        return refuse_form(app, r, &v, 400, "answer",
                           tr(r, "Jawaban pertanyaan pengaman salah; coba lagi.",
                              "The answer to the security question is wrong; try again."));
    case CH_STALE:
        return refuse_form(app, r, &v, 400, "answer",
                           tr(r,
                              "Formulir sudah terlalu lama terbuka; jawab pertanyaan pengaman "
                              "yang baru.",
                              "The form was open too long; answer the new security question."));
    }
    e = posted_category(app, r, &in, v.agency, &k, &a);
    if (e == ERR_INVALID)
        return refuse_form(app, r, &v, 400, "category",
                           tr(r, "Pilih jenis masalah.", "Choose the kind of problem."));
    if (e != ERR_OK)
        return e;
    if (!in.text)
        return refuse_form(app, r, &v, 400, "text",
                           tr(r, "Tuliskan apa yang terjadi.", "Write what happened."));
    if (text_utf8_len(in.text) > CASE_DESCRIPTION_MAX)
        return refuse_form(app, r, &v, 400, "text",
                           tr(r, "Cerita terlalu panjang (paling banyak 4000 huruf).",
                              "The text is too long (at most 4000 characters)."));
    store_case c;
    memset(&c, 0, sizeof c);
    bool has_lat = in.lat != NULL, has_lon = in.lon != NULL;
    if (has_lat != has_lon ||
        (has_lat && (!parse_deg(in.lat, 90.0, &c.lat) || !parse_deg(in.lon, 180.0, &c.lon))))
        return refuse_form(app, r, &v, 400, "lat",
                           tr(r, "Titik lokasi tidak valid; pilih lagi di peta.",
                              "The location point is not valid; pick it again on the map."));
    if (!has_lat && !in.address)
        return refuse_form(app, r, &v, 400, "address",
                           tr(r, "Tulis alamat atau patokan lokasi, atau tandai di peta.",
                              "Write the address or a landmark, or mark it on the map."));
    if (in.address && text_utf8_len(in.address) > CASE_ADDRESS_MAX)
        return refuse_form(app, r, &v, 400, "address",
                           tr(r, "Alamat terlalu panjang (paling banyak 500 huruf).",
                              "The address is too long (at most 500 characters)."));
    if (in.kecamatan && store_region_exists(app->store, in.kecamatan) != ERR_OK)
        return refuse_form(
            app, r, &v, 400, "kecamatan",
            tr(r, "Pilih kecamatan dari daftar.", "Choose the kecamatan from the list."));
    if (in.too_many_photos)
        return refuse_form(app, r, &v, 400, "photo",
                           tr(r, "Paling banyak 5 foto.", "At most 5 photos."));
    e = posted_contact(r, &in, &rep, &why);
    if (e == ERR_INVALID)
        return refuse_form(app, r, &v, 400, "contact", why);
    e = posted_photos(app, r, &in, files, &why);
    if (e == ERR_INVALID)
        return refuse_form(app, r, &v, 400, "photo", why);
    if (e != ERR_OK)
        return e;

    c.has_location = has_lat;
    c.address = in.address;
    c.kecamatan_code = in.kecamatan;
    if (c.has_location && !c.kecamatan_code) {
        e = region_locate(app->store, r->ar, c.lat, c.lon, &c.kecamatan_code);
        if (e != ERR_OK)
            return e;
    }
    c.description = in.text;
    c.agency_id = a.id;
    c.category_id = k.id;
    c.kind = k.kind;
    c.status = status_name(lifecycle_initial((case_kind_t)kind_parse(k.kind)));
    c.channel = "web";
    c.priority = !strcmp(k.kind, "emergency") ? "urgent" : "normal";
    c.anonim = in.anonim;
    c.rahasia = in.rahasia;
    c.created_at = clock_now();
    /* Updates go to the contact given when its channel has a driver here
     * (WhatsApp: a template through the outbox); else only the public page. */
    bool has_rep = rep.channel != NULL;
    if (has_rep && channel_find(rep.channel)) {
        c.notify_consent_at = rep.consent_at;
        c.notify_channel = rep.channel;
        c.notify_address = rep.address;
    }
    e = store_case_open_files(app->store, r->ar, &c, has_rep ? &rep : NULL, "Formulir web", files,
                              in.nphotos);
    if (e != ERR_OK)
        return e;
    if (deadline_refresh(app->store, r->ar, c.id) != ERR_OK)
        log_warn("sla", "event=refresh_failed case_id=%lld", (long long)c.id);
    e = dispatch_after_create(app, r, &c);
    if (e != ERR_OK)
        return e;
    log_info("webform", "event=case_created case_id=%lld agency_id=%lld photos=%zu notify=%s",
             (long long)c.id, (long long)c.agency_id, in.nphotos,
             c.notify_channel ? c.notify_channel : "-");
    /* The reporter's private cancel link: its token is shown once, only
     * its hash is kept; without it the report simply has no link. None for
     * a case its reporter cannot withdraw (an emergency goes to a team at
     * once). */
    char token[WITHDRAW_TOKEN_BUF], hash[65];
    const char *message = NULL, *template = NULL, *refusal;
    bool linked = case_withdraw_allowed(&c, &refusal) == ERR_OK;
    if (linked) {
        withdraw_token_new(token, hash);
        if (c.notify_channel)
            cancel_notice(app, r, &c, &a, token, &message, &template);
        linked = store_withdraw_link_add(app->store, c.id, hash, message, template, clock_now()) ==
                 ERR_OK;
        if (!linked)
            log_warn("webform", "event=cancel_link_failed case_id=%lld", (long long)c.id);
    }
    return done_page(app, r, &c, &a, v.agency, c.notify_channel != NULL, linked ? token : NULL);
}
