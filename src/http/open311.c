/* Open311 GeoReport v2 (issue 17 §1; docs/OPEN311.md): discovery, the
 * services (each active complaint category of each agency), the requests
 * (cases) read and posted by outside clients, in JSON and in XML.
 *
 * Only what the public tracking page shows leaves: never the reporter's
 * name, phone or e-mail, never the description (a citizen's own words may
 * name people), no street address (the kecamatan instead). A request's id
 * is the case's numeric id, never its tracking code: the code opens the
 * public page /t/CODE, the reporter's capability, so only the poster gets
 * it (in the POST answer's notice). A rahasia case is not there at all:
 * its existence and place are confidential. Errors are the spec's list
 * of {code, description} with the HTTP status as the code. */
#include "http/http.h"

#include "channels/channel.h"
#include "core/clock.h"
#include "core/fsfile.h"
#include "core/ids.h"
#include "core/image.h"
#include "core/log.h"
#include "core/netguard.h"
#include "core/secret.h"
#include "core/text.h"
#include "domain/calendar.h"
#include "domain/cases.h"
#include "domain/deadline.h"
#include "domain/lifecycle.h"
#include "domain/regions.h"
#include "http/form.h"
#include "http/multipart.h"

#include <errno.h>
#include <math.h>
#include <microhttpd.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

/* The spec's defaults for GET requests: a 90-day window, 1,000 rows. */
#define O311_WINDOW_S (90 * 86400)
#define O311_ROWS_MAX 1000
/* Ids in one service_request_id list: a client polls its own recent ones. */
#define O311_IDS_MAX 100
/* Pages of the case list scanned for one answer (STORE_LIST_MAX each):
 * bounds the work of a query whose filters match few of many cases. */
#define O311_PAGES_MAX 50
/* Fields of a posted request: the spec's dozen and some attribute[...]. */
#define O311_FIELDS_MAX 48
/* An e-mail address (RFC 5321's path limit). */
#define O311_EMAIL_MAX 254
/* A media_url: the longest address browsers and servers all take. */
#define O311_URL_MAX 2000
/* When this implementation of the endpoint last changed (discovery). */
#define O311_CHANGESET "2026-12-02T00:00:00Z"
#define O311_SPEC      "http://wiki.open311.org/GeoReport_v2"

/* Posted requests per client key: 60 a minute, in bursts of up to 60. */
static const bucket_spec post_spec = {60.0, 1.0, 0.0};

typedef enum { FMT_JSON, FMT_XML } o311_fmt;

/* ---- answers ------------------------------------------------------------------ */

typedef struct {
    arena_t *ar;
    char *buf;
    size_t len, cap;
    bool oom;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *nb = arena_alloc(b->ar, cap);
        if (!nb) {
            b->oom = true;
            return;
        }
        if (b->len)
            memcpy(nb, b->buf, b->len);
        b->buf = nb;
        b->cap = cap;
    }
    memcpy(b->buf + b->len, s, n);
    b->len += n;
    b->buf[b->len] = '\0';
}

static void sb_str(sbuf *b, const char *s) { sb_put(b, s, strlen(s)); }

/* Escaped character data; control characters XML 1.0 cannot carry are
 * left out (a citizen's text may hold them). */
static void sb_esc(sbuf *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        const char *rep = *p == '<'    ? "&lt;"
                          : *p == '>'  ? "&gt;"
                          : *p == '&'  ? "&amp;"
                          : *p == '"'  ? "&quot;"
                          : *p == '\'' ? "&apos;"
                                       : NULL;
        if (rep)
            sb_str(b, rep);
        else if (*p >= 0x20 || *p == '\t' || *p == '\n' || *p == '\r')
            sb_put(b, (const char *)p, 1);
    }
}

/* The element of each item of a list element, as the spec names them. */
static const char *item_name(const char *list)
{
    static const char *const map[][2] = {
        {"services", "service"}, {"service_requests", "request"},
        {"errors", "error"},     {"attributes", "attribute"},
        {"values", "value"},     {"endpoints", "endpoint"},
        {"formats", "format"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(map[i][0], list) == 0)
            return map[i][1];
    return "item";
}

/* v as the element name: objects by their keys in order, arrays by
 * item_name, scalars as their text. */
static void xml_value(sbuf *b, const char *name, json_t *v)
{
    sb_str(b, "<");
    sb_str(b, name);
    sb_str(b, ">");
    if (json_is_array(v)) {
        size_t i;
        json_t *it;
        json_array_foreach(v, i, it) xml_value(b, item_name(name), it);
    } else if (json_is_object(v)) {
        const char *k;
        json_t *it;
        json_object_foreach(v, k, it) xml_value(b, k, it);
    } else if (json_is_string(v)) {
        sb_esc(b, json_string_value(v));
    } else if (json_is_true(v) || json_is_false(v)) {
        sb_str(b, json_is_true(v) ? "true" : "false");
    } else if (json_is_number(v)) {
        char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_REAL_PRECISION(10));
        if (s)
            sb_str(b, s);
        else
            b->oom = true;
        free(s);
    }
    sb_str(b, "</");
    sb_str(b, name);
    sb_str(b, ">");
}

/* Answers j (taken) with status: JSON as it is, XML under root. */
static err_t answer(req_t *r, o311_fmt fmt, unsigned status, const char *root, json_t *j)
{
    if (!j)
        return ERR_NOMEM;
    if (fmt == FMT_JSON)
        return reply_json(r, status, j);
    sbuf b = {.ar = r->ar};
    sb_str(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    xml_value(&b, root, j);
    sb_str(&b, "\n");
    json_decref(j);
    if (b.oom)
        return ERR_NOMEM;
    r->status = status;
    r->content_type = "text/xml; charset=utf-8";
    r->text = b.buf;
    r->text_len = b.len;
    return ERR_OK;
}

/* The spec's error list with one error. */
static err_t fail(req_t *r, o311_fmt fmt, unsigned status, const char *description)
{
    return answer(r, fmt, status, "errors",
                  json_pack("[{s:i, s:s}]", "code", (int)status, "description", description));
}

/* ---- request helpers --------------------------------------------------------------- */

static const char *last_segment(const char *path)
{
    const char *p = strrchr(path, '/');
    return p ? p + 1 : path;
}

/* "NAME.json" / "NAME.xml": the name (into ar) and the format; false for
 * any other extension. */
static bool split_fmt(arena_t *ar, const char *file, const char **name, o311_fmt *fmt)
{
    const char *dot = strrchr(file, '.');
    if (!dot)
        return false;
    if (strcmp(dot, ".json") == 0)
        *fmt = FMT_JSON;
    else if (strcmp(dot, ".xml") == 0)
        *fmt = FMT_XML;
    else
        return false;
    char *n = arena_alloc(ar, (size_t)(dot - file) + 1);
    if (!n)
        return false;
    memcpy(n, file, (size_t)(dot - file));
    n[dot - file] = '\0';
    *name = n;
    return true;
}

static o311_fmt path_fmt(const req_t *r)
{
    size_t n = strlen(r->path);
    return n > 4 && strcmp(r->path + n - 4, ".xml") == 0 ? FMT_XML : FMT_JSON;
}

/* A jurisdiction_id given (query or body) must be ours, when we have one. */
static bool jurisdiction_ok(const app_t *app, const char *given)
{
    const char *ours = app->cfg->open311_jurisdiction;
    return !given || !*given || !*ours || strcmp(given, ours) == 0;
}

/* A query argument: ERR_OK with NULL when absent; 400 answered (ERR_INVALID
 * returned) when it is not valid UTF-8. */
static err_t arg(req_t *r, o311_fmt fmt, const char *key, const char **out)
{
    err_t e = req_query(r, key, out);
    if (e == ERR_OK)
        return ERR_OK;
    (void)fail(r, fmt, 400, arena_printf(r->ar, "%s: not valid UTF-8", key));
    return ERR_INVALID;
}

/* The query's jurisdiction_id: true when the request may go on; else the
 * answer is given (400: not text, 404: another jurisdiction) and *e is
 * what the handler returns. */
static bool jurisdiction_arg(app_t *app, req_t *r, o311_fmt fmt, err_t *e)
{
    const char *jur;
    *e = ERR_OK;
    if (arg(r, fmt, "jurisdiction_id", &jur) != ERR_OK)
        return false;
    if (!jurisdiction_ok(app, jur)) {
        *e = fail(r, fmt, 404, "jurisdiction_id: unknown jurisdiction");
        return false;
    }
    return true;
}

/* t as a W3C datetime in the zone offset_min minutes east of UTC. */
static json_t *w3c_time(int64_t t, int offset_min)
{
    char buf[FORM_TIME_BUF];
    form_w3c_format(t, offset_min, buf);
    return json_string(buf);
}

/* ---- the catalogue: agencies and their complaint categories ------------------------ */

typedef struct {
    store_agency *ag;
    size_t nag;
    store_category *cat;
    size_t ncat;
} catalogue;

static err_t catalogue_load(app_t *app, req_t *r, catalogue *c)
{
    err_t e = store_agency_list(app->store, r->ar, &c->ag, &c->nag);
    if (e == ERR_OK)
        e = store_category_list(app->store, r->ar, 0, &c->cat, &c->ncat);
    return e;
}

static const store_agency *agency_of(const catalogue *c, int64_t id)
{
    for (size_t i = 0; i < c->nag; i++)
        if (c->ag[i].id == id)
            return &c->ag[i];
    return NULL;
}

static const store_category *category_of(const catalogue *c, int64_t id)
{
    for (size_t i = 0; i < c->ncat; i++)
        if (c->cat[i].id == id)
            return &c->cat[i];
    return NULL;
}

static int zone_of(const store_agency *a)
{
    int off = 0;
    if (!a || cal_zone_offset(a->timezone, &off) != 0)
        off = 0;
    return off;
}

/* A category is a service while it is an active complaint category. */
static bool is_service(const store_category *k)
{
    return k->active && strcmp(k->kind, "complaint") == 0;
}

/* The service code: unique across agencies, "AGENCY-CATEGORY". */
static const char *service_code(arena_t *ar, const store_agency *a, const store_category *k)
{
    return arena_printf(ar, "%s-%s", a ? a->code : "?", k->code);
}

/* The service of a code, with its agency; NULL when none. */
static const store_category *find_service(arena_t *ar, const catalogue *c, const char *code,
                                          const store_agency **ag)
{
    for (size_t i = 0; i < c->ncat; i++) {
        const store_agency *a = agency_of(c, c->cat[i].agency_id);
        if (a && is_service(&c->cat[i]) && strcmp(service_code(ar, a, &c->cat[i]), code) == 0) {
            *ag = a;
            return &c->cat[i];
        }
    }
    return NULL;
}

static const char *cat_name(const req_t *r, const store_category *k)
{
    return strcmp(r->lang, "en") == 0 && k->name_en ? k->name_en : k->name_id;
}

/* The category's resolution target in words, in the request's language. */
static const char *sla_words(req_t *r, const store_category *k)
{
    if (!k || k->sla_hours <= 0)
        return NULL;
    if (strcmp(r->lang, "en") == 0)
        return arena_printf(r->ar, "Resolution target: %d hours", k->sla_hours);
    return arena_printf(r->ar, "Target penyelesaian: %d jam", k->sla_hours);
}

/* ---- discovery and services ------------------------------------------------------------ */

err_t h_o311_discovery(app_t *app, req_t *r)
{
    o311_fmt fmt = path_fmt(r);
    json_t *j = json_pack(
        "{s:s, s:s, s:s, s:[{s:s, s:s, s:s, s:s, s:[s, s]}]}", "changeset", O311_CHANGESET,
        "contact",
        "Hubungi admin instansi melalui aduan / contact the agency's admin through aduan",
        "key_service",
        "Kunci API diberikan oleh operator (aduan open311 key add KLIEN) / API keys are issued "
        "by the operator (aduan open311 key add CLIENT)",
        "endpoints", "specification", O311_SPEC, "url",
        arena_printf(r->ar, "%s/open311/v2", app->cfg->public_url), "changeset", O311_CHANGESET,
        "type", "production", "formats", "application/json", "text/xml");
    return answer(r, fmt, 200, "discovery", j);
}

static json_t *service_json(req_t *r, const store_agency *a, const store_category *k)
{
    return json_pack("{s:s, s:s, s:s, s:b, s:s, s:s, s:s}", "service_code",
                     service_code(r->ar, a, k), "service_name", cat_name(r, k), "description",
                     k->name_en ? arena_printf(r->ar, "%s (%s)", k->name_id, k->name_en)
                                : k->name_id,
                     "metadata", 0, "type", "realtime", "keywords",
                     arena_printf(r->ar, "%s, %s, pengaduan", a->code, k->code), "group", a->name);
}

err_t h_o311_services(app_t *app, req_t *r)
{
    o311_fmt fmt = path_fmt(r);
    catalogue c = {0};
    err_t e;
    if (!jurisdiction_arg(app, r, fmt, &e))
        return e;
    e = catalogue_load(app, r, &c);
    if (e != ERR_OK)
        return e;
    json_t *list = json_array();
    for (size_t i = 0; list && i < c.ncat; i++) {
        const store_agency *a = agency_of(&c, c.cat[i].agency_id);
        if (a && is_service(&c.cat[i]))
            json_array_append_new(list, service_json(r, a, &c.cat[i]));
    }
    return answer(r, fmt, 200, "services", list);
}

err_t h_o311_service(app_t *app, req_t *r)
{
    const char *code;
    o311_fmt fmt = FMT_JSON;
    catalogue c = {0};
    const store_agency *a = NULL;
    err_t e;
    if (!split_fmt(r->ar, last_segment(r->path), &code, &fmt))
        return fail(r, FMT_JSON, 404, "unknown format: use .json or .xml");
    if (!jurisdiction_arg(app, r, fmt, &e))
        return e;
    e = catalogue_load(app, r, &c);
    if (e != ERR_OK)
        return e;
    if (!find_service(r->ar, &c, code, &a))
        return fail(r, fmt, 404, "service_code: no such service");
    /* No category asks for more than the report itself: no attributes. */
    json_t *j = json_pack("{s:s, s:[]}", "service_code", code, "attributes");
    return answer(r, fmt, 200, "service_definition", j);
}

/* ---- requests: reading --------------------------------------------------------------- */

static bool is_closed(const char *status)
{
    return !strcmp(status, "resolved") || !strcmp(status, "closed") ||
           !strcmp(status, "rejected") || !strcmp(status, "forwarded");
}

static double round3(double v) { return round(v * 1000.0) / 1000.0; }

/* A case Open311 shows: a complaint, and not rahasia (whose existence and
 * place are confidential: it is neither listed nor found by its id). */
static bool is_shown(const store_case *c)
{
    return strcmp(c->kind, "complaint") == 0 && !c->rahasia;
}

/* A case as a service request: what the public page shows, and no more. */
static json_t *request_json(req_t *r, const catalogue *cat, const store_case *c, const char *note,
                            int64_t resolve_due, const char *media)
{
    const store_agency *a = agency_of(cat, c->agency_id);
    const store_category *k = category_of(cat, c->category_id);
    int off = zone_of(a);
    /* The id, never the tracking code (the reporter's capability). */
    json_t *j =
        json_pack("{s:s, s:s}", "service_request_id", arena_printf(r->ar, "%lld", (long long)c->id),
                  "status", is_closed(c->status) ? "closed" : "open");
    if (!j)
        return NULL;
    if (note)
        json_object_set_new(j, "status_notes", json_string(note));
    if (k) {
        json_object_set_new(j, "service_name", json_string(cat_name(r, k)));
        json_object_set_new(j, "service_code", json_string(service_code(r->ar, a, k)));
    }
    if (c->agency_name)
        json_object_set_new(j, "agency_responsible", json_string(c->agency_name));
    const char *notice = sla_words(r, k);
    if (notice)
        json_object_set_new(j, "service_notice", json_string(notice));
    json_object_set_new(j, "requested_datetime", w3c_time(c->created_at, off));
    json_object_set_new(j, "updated_datetime", w3c_time(c->updated_at, off));
    if (resolve_due > 0)
        json_object_set_new(j, "expected_datetime", w3c_time(resolve_due, off));
    /* The address the desk typed may be a home (the public page does not
     * show it either): the kecamatan stands for it. A rahasia case never
     * comes here (is_shown); the checks stay as a second lock. */
    if (!c->rahasia && c->kecamatan_name)
        json_object_set_new(j, "address",
                            json_string(arena_printf(r->ar, "Kecamatan %s", c->kecamatan_name)));
    if (!c->rahasia && c->has_location) {
        json_object_set_new(j, "lat", json_real(round3(c->lat)));
        json_object_set_new(j, "long", json_real(round3(c->lon)));
    }
    if (media)
        json_object_set_new(j, "media_url", json_string(media));
    return j;
}

/* The answer of a list of cases: notes and deadlines read for all at once. */
static err_t requests_answer(app_t *app, req_t *r, o311_fmt fmt, const catalogue *cat,
                             const store_case *cs, size_t n)
{
    int64_t *ids = n ? arena_alloc(r->ar, n * sizeof *ids) : NULL;
    const char **notes = n ? arena_alloc(r->ar, n * sizeof *notes) : NULL;
    store_sla_case *sla = NULL;
    size_t nsla = 0;
    if (n && (!ids || !notes))
        return ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        ids[i] = cs[i].id;
    err_t e = n ? store_open311_notes(app->store, r->ar, ids, n, notes) : ERR_OK;
    if (e == ERR_OK && n)
        e = store_sla_for_cases(app->store, r->ar, ids, n, &sla, &nsla);
    /* Photos only of the agencies that publish them (agencies.publish_photos):
     * the others' cases are not looked up at all. */
    int64_t *pub = n ? arena_alloc(r->ar, n * sizeof *pub) : NULL, *photos = pub;
    size_t npub = 0;
    if (n && !pub)
        return ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        const store_agency *a = agency_of(cat, cs[i].agency_id);
        if (a && a->publish_photos)
            pub[npub++] = cs[i].id;
    }
    if (e == ERR_OK && npub) {
        photos = arena_alloc(r->ar, npub * sizeof *photos);
        e = photos ? store_open311_photos(app->store, pub, npub, photos) : ERR_NOMEM;
    }
    if (e != ERR_OK)
        return e;
    json_t *list = json_array();
    for (size_t i = 0; list && i < n; i++) {
        int64_t due = 0;
        for (size_t k = 0; k < nsla; k++)
            if (sla[k].id == cs[i].id && !is_closed(cs[i].status))
                due = sla[k].sla_resolve_due_at;
        const char *media = NULL;
        for (size_t k = 0; k < npub; k++)
            if (pub[k] == cs[i].id && photos[k])
                media = arena_printf(r->ar, "%s/open311/v2/media/%lld", app->cfg->public_url,
                                     (long long)photos[k]);
        json_array_append_new(list, request_json(r, cat, &cs[i], notes[i], due, media));
    }
    return answer(r, fmt, 200, "service_requests", list);
}

/* The cases of a comma list of request ids (unknown, malformed and
 * unshown ones left out). */
static err_t cases_by_ids(app_t *app, req_t *r, const char *list, store_case **out, size_t *n)
{
    store_case *cs = arena_alloc(r->ar, O311_IDS_MAX * sizeof *cs);
    *n = 0;
    if (!cs)
        return ERR_NOMEM;
    for (const char *p = list; *p && *n < O311_IDS_MAX;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char one[32];
        if (len < sizeof one) {
            memcpy(one, p, len);
            one[len] = '\0';
            const char *t;
            size_t tl = text_trim(one, &t);
            char trimmed[32];
            memcpy(trimmed, t, tl);
            trimmed[tl] = '\0';
            int64_t id;
            if (parse_row_id(trimmed, &id)) {
                err_t e = store_case_get(app->store, r->ar, id, &cs[*n]);
                if (e == ERR_OK && is_shown(&cs[*n]))
                    (*n)++;
                else if (e != ERR_OK && e != ERR_NOT_FOUND)
                    return e;
            }
        }
        p += len;
        if (*p == ',')
            p++;
    }
    *out = cs;
    return ERR_OK;
}

typedef struct {
    int64_t from, to;    /* created_at in [from, to] */
    int64_t category_id; /* 0: any */
    int status;          /* 0 any, 1 open, 2 closed */
} req_filter;

/* The complaint cases of f, newest first, at most O311_ROWS_MAX. */
static err_t cases_by_filter(app_t *app, req_t *r, const req_filter *f, store_case **out, size_t *n)
{
    store_case *cs = arena_alloc(r->ar, O311_ROWS_MAX * sizeof *cs);
    store_case_filter q = {
        .category_id = f->category_id, .from = f->from, .to = f->to + 1, .limit = STORE_LIST_MAX};
    *n = 0;
    if (!cs)
        return ERR_NOMEM;
    for (int page = 0; page < O311_PAGES_MAX && *n < O311_ROWS_MAX; page++) {
        store_case *got;
        size_t ng = 0;
        err_t e = store_case_list(app->store, r->ar, &q, &got, &ng);
        if (e != ERR_OK)
            return e;
        for (size_t i = 0; i < ng && *n < O311_ROWS_MAX; i++) {
            bool closed = is_closed(got[i].status);
            if (!is_shown(&got[i]) || (f->status == 1 && closed) || (f->status == 2 && !closed))
                continue;
            cs[(*n)++] = got[i];
        }
        if (ng < STORE_LIST_MAX)
            break;
        q.before_id = got[ng - 1].id;
    }
    *out = cs;
    return ERR_OK;
}

/* The filters of GET requests, checked; a refusal is answered (ERR_INVALID). */
static err_t parse_filter(req_t *r, o311_fmt fmt, const catalogue *cat, req_filter *f)
{
    const char *start, *end, *status, *code;
    if (arg(r, fmt, "start_date", &start) != ERR_OK || arg(r, fmt, "end_date", &end) != ERR_OK ||
        arg(r, fmt, "status", &status) != ERR_OK || arg(r, fmt, "service_code", &code) != ERR_OK)
        return ERR_INVALID;
    bool has_start = start != NULL, has_end = end != NULL;
    if (has_start && !form_w3c_time(start, &f->from)) {
        (void)fail(r, fmt, 400,
                   "start_date: expected a W3C datetime, e.g. 2026-12-02T08:27:00+08:00");
        return ERR_INVALID;
    }
    if (has_end && !form_w3c_time(end, &f->to)) {
        (void)fail(r, fmt, 400,
                   "end_date: expected a W3C datetime, e.g. 2026-12-02T08:27:00+08:00");
        return ERR_INVALID;
    }
    if (!has_end)
        f->to = has_start ? f->from + O311_WINDOW_S : clock_now();
    if (!has_start)
        f->from = f->to - O311_WINDOW_S;
    if (f->from > f->to) {
        (void)fail(r, fmt, 400, "start_date: after end_date");
        return ERR_INVALID;
    }
    if (f->to - f->from > O311_WINDOW_S) {
        (void)fail(r, fmt, 400, "start_date, end_date: the range may not span more than 90 days");
        return ERR_INVALID;
    }
    if (status) {
        f->status = !strcmp(status, "open") ? 1 : !strcmp(status, "closed") ? 2 : -1;
        if (!strcmp(status, "open,closed") || !strcmp(status, "closed,open"))
            f->status = 0;
        if (f->status < 0) {
            (void)fail(r, fmt, 400, "status: expected open or closed");
            return ERR_INVALID;
        }
    }
    if (code) {
        const store_agency *a;
        const store_category *k = find_service(r->ar, cat, code, &a);
        if (!k) {
            (void)fail(r, fmt, 404, "service_code: no such service");
            return ERR_INVALID;
        }
        f->category_id = k->id;
    }
    return ERR_OK;
}

err_t h_o311_requests(app_t *app, req_t *r)
{
    o311_fmt fmt = path_fmt(r);
    const char *ids;
    catalogue cat = {0};
    req_filter f = {0};
    store_case *cs = NULL;
    size_t n = 0;
    err_t e;
    if (!jurisdiction_arg(app, r, fmt, &e))
        return e;
    if (arg(r, fmt, "service_request_id", &ids) != ERR_OK)
        return ERR_OK;
    e = catalogue_load(app, r, &cat);
    if (e != ERR_OK)
        return e;
    if (ids) { /* the spec: the ids override every other filter */
        e = cases_by_ids(app, r, ids, &cs, &n);
    } else {
        if (parse_filter(r, fmt, &cat, &f) != ERR_OK)
            return ERR_OK;
        e = cases_by_filter(app, r, &f, &cs, &n);
    }
    if (e != ERR_OK)
        return e;
    return requests_answer(app, r, fmt, &cat, cs, n);
}

err_t h_o311_request(app_t *app, req_t *r)
{
    const char *id;
    o311_fmt fmt = FMT_JSON;
    int64_t case_id = 0;
    store_case c;
    catalogue cat = {0};
    err_t e;
    if (!split_fmt(r->ar, last_segment(r->path), &id, &fmt))
        return fail(r, FMT_JSON, 404, "unknown format: use .json or .xml");
    if (!jurisdiction_arg(app, r, fmt, &e))
        return e;
    e = parse_row_id(id, &case_id) ? store_case_get(app->store, r->ar, case_id, &c) : ERR_NOT_FOUND;
    if (e == ERR_OK && !is_shown(&c))
        e = ERR_NOT_FOUND;
    if (e == ERR_NOT_FOUND)
        return fail(r, fmt, 404, "service_request_id: no such request");
    if (e == ERR_OK)
        e = catalogue_load(app, r, &cat);
    if (e != ERR_OK)
        return e;
    return requests_answer(app, r, fmt, &cat, &c, 1);
}

err_t h_o311_token(app_t *app, req_t *r)
{
    (void)app;
    const char *tok;
    o311_fmt fmt = FMT_JSON;
    if (!split_fmt(r->ar, last_segment(r->path), &tok, &fmt))
        return fail(r, FMT_JSON, 404, "unknown format: use .json or .xml");
    /* POST requests answers with the service_request_id at once. */
    return fail(r, fmt, 404, "token: no such token (requests are answered with their id)");
}

/* A reporter's photo of a shown request, only where the agency publishes
 * its photos; everything else is the same 404 (whether a photo or a case
 * exists is not told). What is stored was re-encoded on the way in: no
 * EXIF, no GPS of the phone (core/image.h). */
err_t h_o311_media(app_t *app, req_t *r)
{
    int64_t id = 0;
    store_attachment a;
    store_case c;
    store_agency ag;
    err_t e = parse_row_id(last_segment(r->path), &id)
                  ? store_attachment_get(app->store, r->ar, id, &a)
                  : ERR_NOT_FOUND;
    bool identity = false;
    if (e == ERR_OK && (strcmp(a.source, "citizen") != 0 || strncmp(a.mime, "image/", 6) != 0))
        e = ERR_NOT_FOUND;
    /* A KTP the reporter sent as a photo, once the desk marked it: its
     * views are logged for staff, and the public never gets it. */
    if (e == ERR_OK)
        e = store_attachment_identity(app->store, id, &identity);
    if (e == ERR_OK && identity)
        e = ERR_NOT_FOUND;
    if (e == ERR_OK)
        e = store_case_get(app->store, r->ar, a.case_id, &c);
    if (e == ERR_OK && !is_shown(&c))
        e = ERR_NOT_FOUND;
    if (e == ERR_OK)
        e = store_agency_get(app->store, r->ar, c.agency_id, &ag);
    if (e == ERR_OK && !ag.publish_photos)
        e = ERR_NOT_FOUND;
    if (e == ERR_NOT_FOUND)
        return fail(r, FMT_JSON, 404, "media: no such photo");
    if (e != ERR_OK)
        return e;
    return media_send(app, r, &a);
}

/* PUT /api/v1/agencies/{id}/settings {"publish_photos": bool}: the
 * agency's admin (or a superadmin) decides whether Open311 shows the
 * photos of its reports. */
err_t h_agency_settings(app_t *app, req_t *r)
{
    json_t *body, *v;
    bool changed = false;
    store_agency ag = r->scope.agency; /* the role checked by the router */
    err_t e = req_json_body(r, &body);
    if (e != ERR_OK)
        return e;
    v = json_object_get(body, "publish_photos");
    if (!json_is_boolean(v))
        return refuse(r, ERR_INVALID,
                      tr(r, "publish_photos: wajib, true atau false",
                         "publish_photos: required, true or false"));
    e = store_agency_set_publish_photos(app->store, ag.id, json_is_true(v), &changed);
    if (e == ERR_OK)
        e = store_agency_get(app->store, r->ar, ag.id, &ag);
    if (e != ERR_OK)
        return e;
    if (changed)
        log_info("admin", "event=agency_settings agency_id=%lld publish_photos=%d user_id=%lld",
                 (long long)ag.id, ag.publish_photos, (long long)r->user.id);
    return reply_json(r, 200,
                      json_pack("{s:I, s:b, s:b}", "agency_id", (json_int_t)ag.id, "publish_photos",
                                ag.publish_photos, "changed", changed));
}

err_t h_o311_unknown(app_t *app, req_t *r)
{
    (void)app;
    return fail(r, path_fmt(r), 404, "no such resource or format: use .json or .xml");
}

/* ---- requests: posting ------------------------------------------------------------- */

/* A file posted with the request: the part named "media" (FixMyStreet's
 * name for the photo); NULL data: none. */
typedef struct {
    const char *data;
    size_t len;
} posted_file;

/* The posted fields (form-encoded or multipart; of the files only the
 * photo, in *photo). Answers 400 itself (returning ERR_INVALID) on a
 * malformed body. */
static err_t read_fields(req_t *r, o311_fmt fmt, form_field *f, size_t *n, posted_file *photo)
{
    photo->data = NULL;
    photo->len = 0;
    const char *ct = req_header(r, "Content-Type");
    *n = 0;
    if (r->body_len == 0)
        return ERR_OK;
    if (ct && strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0) {
        err_t e = form_parse(r->ar, r->body, r->body_len, f, FORM_FIELDS_MAX, n);
        if (e == ERR_INVALID)
            return fail(r, fmt, 400,
                        "the body is not valid form data (UTF-8, percent-encoded, at most 48 "
                        "fields)"),
                   ERR_INVALID;
        return e;
    }
    if (!ct || strncasecmp(ct, "multipart/form-data", 19) != 0)
        return fail(r, fmt, 400,
                    "Content-Type: expected application/x-www-form-urlencoded or "
                    "multipart/form-data"),
               ERR_INVALID;
    multipart_part parts[FORM_FIELDS_MAX];
    size_t np = 0;
    const char *why = NULL;
    if (multipart_parse(r->ar, ct, r->body, r->body_len, parts, FORM_FIELDS_MAX, &np, &why) !=
        ERR_OK)
        return fail(r, fmt, 400,
                    arena_printf(r->ar, "multipart body: %s", why ? why : "malformed")),
               ERR_INVALID;
    for (size_t i = 0; i < np; i++) {
        if (parts[i].filename) {
            if (strcmp(parts[i].name, "media") != 0)
                continue; /* other files are not kept (docs/OPEN311.md) */
            if (photo->data)
                return fail(r, fmt, 400, "media: one photo per request"), ERR_INVALID;
            photo->data = parts[i].data;
            photo->len = parts[i].len;
            continue;
        }
        if (memchr(parts[i].data, '\0', parts[i].len) ||
            !text_utf8_valid(parts[i].data, parts[i].len) ||
            !text_utf8_valid(parts[i].name, strlen(parts[i].name)))
            return fail(r, fmt, 400, "the body is not valid UTF-8"), ERR_INVALID;
        char *v = arena_alloc(r->ar, parts[i].len + 1);
        if (!v)
            return ERR_NOMEM;
        memcpy(v, parts[i].data, parts[i].len);
        v[parts[i].len] = '\0';
        f[*n].key = parts[i].name;
        f[*n].value = v;
        (*n)++;
    }
    return ERR_OK;
}

/* A posted field, else the same query argument; NULL when absent or empty. */
static const char *field(req_t *r, const form_field *f, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(f[i].key, key) == 0)
            return *f[i].value ? f[i].value : NULL;
    const char *q = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
    return q && *q && text_utf8_valid(q, strlen(q)) ? q : NULL;
}

static bool parse_num(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno == ERANGE || !isfinite(v))
        return false;
    *out = v;
    return true;
}

/* The reporter from the posted email, phone, first and last name; a
 * refusal is answered (ERR_INVALID). */
static err_t reporter_in(req_t *r, o311_fmt fmt, const form_field *f, size_t n,
                         store_reporter_in *rep, bool *has)
{
    const char *first = field(r, f, n, "first_name"), *last = field(r, f, n, "last_name");
    const char *email = field(r, f, n, "email"), *phone = field(r, f, n, "phone");
    memset(rep, 0, sizeof *rep);
    if (first || last)
        rep->name = arena_printf(r->ar, "%s%s%s", first ? first : "", first && last ? " " : "",
                                 last ? last : "");
    if (rep->name && text_utf8_len(rep->name) > CASE_NAME_MAX)
        return fail(r, fmt, 400, "first_name, last_name: at most 120 characters"), ERR_INVALID;
    if (phone) {
        char norm[24];
        bool mobile = false;
        if (text_phone_normalize(phone, norm, sizeof norm, &mobile) != 0)
            return fail(r, fmt, 400, "phone: not a phone number"), ERR_INVALID;
        rep->phone = arena_strdup(r->ar, norm);
        rep->mobile = mobile ? rep->phone : NULL;
        rep->channel = rep->mobile ? channel_for_mobile() : NULL;
        rep->address = rep->channel ? rep->mobile : NULL;
    }
    if (email && (strlen(email) > O311_EMAIL_MAX || !strchr(email, '@') || strchr(email, ' ')))
        return fail(r, fmt, 400, "email: not an e-mail address"), ERR_INVALID;
    if (email && !rep->channel) { /* kept as the reporter's contact */
        rep->channel = "email";
        rep->address = email;
    }
    *has = rep->name || rep->phone || rep->channel;
    return ERR_OK;
}

/* Checks the key and the client's rate; a refusal is answered. */
static err_t client_of(app_t *app, req_t *r, o311_fmt fmt, const char *key, const char **client)
{
    char hash[SECRET_DIGEST_BUF];
    if (!key)
        return fail(r, fmt, 403, "api_key: required"), ERR_FORBIDDEN;
    secret_sha256_hex(key, strlen(key), hash);
    err_t e = store_open311_key_client(app->store, r->ar, hash, client);
    if (e == ERR_NOT_FOUND)
        return fail(r, fmt, 403, "api_key: not a valid key"), ERR_FORBIDDEN;
    if (e != ERR_OK)
        return e;
    int wait = bucket_take(app->buckets, &post_spec, arena_printf(r->ar, "o311|%s", *client), 1.0,
                           0.0, bucket_now());
    if (wait > 0) {
        r->retry_after = arena_printf(r->ar, "%d", wait);
        return fail(r, fmt, 429, "too many requests from this client; try again later"), ERR_LOCKED;
    }
    return ERR_OK;
}

/* The case of a posted request, checked; a refusal is answered. */
static err_t posted_case(app_t *app, req_t *r, o311_fmt fmt, const form_field *f, size_t n,
                         const store_agency *a, const store_category *k, store_case *c)
{
    const char *lat = field(r, f, n, "lat"), *lon = field(r, f, n, "long");
    const char *addr = field(r, f, n, "address_string");
    const char *desc = field(r, f, n, "description");
    memset(c, 0, sizeof *c);
    if ((lat || lon) && !(lat && lon))
        return fail(r, fmt, 400, "lat, long: give both"), ERR_INVALID;
    if (lat && (!parse_num(lat, &c->lat) || !parse_num(lon, &c->lon) || fabs(c->lat) > 90 ||
                fabs(c->lon) > 180))
        return fail(r, fmt, 400, "lat, long: expected WGS84 degrees"), ERR_INVALID;
    if (!lat && !addr)
        return fail(r, fmt, 400, "location: give lat and long, or address_string"), ERR_INVALID;
    if (addr && text_utf8_len(addr) > CASE_ADDRESS_MAX)
        return fail(r, fmt, 400, "address_string: at most 500 characters"), ERR_INVALID;
    if (desc && text_utf8_len(desc) > CASE_DESCRIPTION_MAX)
        return fail(r, fmt, 400, "description: at most 4000 characters"), ERR_INVALID;
    c->has_location = lat != NULL;
    c->address = addr;
    /* Our intake needs words; a client may send none (the spec allows it). */
    c->description = desc ? desc : k->name_id;
    c->agency_id = a->id;
    c->category_id = k->id;
    c->kind = k->kind;
    c->status = status_name(lifecycle_initial((case_kind_t)kind_parse(k->kind)));
    c->channel = "open311";
    c->priority = "normal";
    if (c->has_location) {
        err_t e = region_locate(app->store, r->ar, c->lat, c->lon, &c->kecamatan_code);
        if (e != ERR_OK)
            return e;
    }
    return ERR_OK;
}

/* The answer of a posted request: its id, and in the notice its tracking
 * code, which only the poster learns (to pass on to the reporter: it
 * opens the public page /t/CODE), with the resolution target. */
static json_t *posted_json(req_t *r, const store_case *c, const store_category *k)
{
    char shown[IDS_SHOWN_BUF];
    ids_tracking_format(c->tracking_code, shown);
    const char *sla = sla_words(r, k);
    bool en = strcmp(r->lang, "en") == 0;
    const char *notice = arena_printf(r->ar, "%s: %s.%s%s", en ? "Tracking code" : "Kode lacak",
                                      shown, sla ? " " : "", sla ? sla : "");
    if (!notice)
        return NULL;
    return json_pack("[{s:s, s:s}]", "service_request_id",
                     arena_printf(r->ar, "%lld", (long long)c->id), "service_notice", notice);
}

/* Writes the re-encoded photo to the media directory under its SHA-256
 * and records it as the reporter's evidence on the case. */
static err_t keep_photo(app_t *app, const store_case *c, const image_t *im)
{
    unsigned char d[crypto_hash_sha256_BYTES];
    char hex[2 * sizeof d + 1];
    int64_t id = 0;
    crypto_hash_sha256(d, im->data, im->len);
    sodium_bin2hex(hex, sizeof hex, d, sizeof d);
    mkdir(app->cfg->media_dir, 0750);
    err_t e =
        fsfile_write(app->cfg->media_dir, hex, im->data, im->len, !app->cfg->durability_process);
    if (e == ERR_OK)
        e = store_open311_photo_add(app->store, c->id, hex, im->mime, (int64_t)im->len, clock_now(),
                                    &id);
    if (e == ERR_OK)
        log_info("open311", "event=photo_kept case_id=%lld attachment_id=%lld bytes=%zu",
                 (long long)c->id, (long long)id, im->len);
    return e;
}

/* The posted media_url, checked (http or https, no spaces, not a loopback
 * or private address literal; a name is checked where the fetch worker
 * connects, jobs/fetch.c); NULL when none. A refusal is answered. */
static err_t media_url_of(req_t *r, o311_fmt fmt, const form_field *f, size_t n, const char **out)
{
    const char *u = field(r, f, n, "media_url");
    *out = NULL;
    if (!u)
        return ERR_OK;
    size_t len = strlen(u);
    size_t scheme = strncasecmp(u, "http://", 7) == 0    ? 7
                    : strncasecmp(u, "https://", 8) == 0 ? 8
                                                         : 0;
    bool ok = scheme && len > scheme && len <= O311_URL_MAX && u[scheme] != '/';
    for (size_t i = 0; ok && i < len; i++)
        ok = (unsigned char)u[i] > 0x20 && u[i] != 0x7f;
    if (!ok)
        return fail(r, fmt, 400, "media_url: an http:// or https:// address (no spaces)"),
               ERR_INVALID;
    if (netguard_url_literal(u))
        return fail(r, fmt, 400, "media_url: not a public address"), ERR_INVALID;
    *out = u;
    return ERR_OK;
}

err_t h_o311_post(app_t *app, req_t *r)
{
    o311_fmt fmt = path_fmt(r);
    form_field f[FORM_FIELDS_MAX];
    size_t n = 0;
    const char *client = NULL;
    catalogue cat = {0};
    const store_agency *a = NULL;
    store_reporter_in rep;
    bool has_rep = false;
    store_case c;
    posted_file photo;
    image_t im = {0};
    bool has_im = false;
    const char *media_url = NULL;
    int64_t fetch_id = 0;
    err_t e = read_fields(r, fmt, f, &n, &photo);
    if (e != ERR_OK)
        return r->text || r->json ? ERR_OK : e;
    if (!jurisdiction_ok(app, field(r, f, n, "jurisdiction_id")))
        return fail(r, fmt, 404, "jurisdiction_id: unknown jurisdiction");
    e = client_of(app, r, fmt, field(r, f, n, "api_key"), &client);
    if (e != ERR_OK)
        return r->text || r->json ? ERR_OK : e;
    const char *code = field(r, f, n, "service_code");
    if (!code)
        return fail(r, fmt, 400, "service_code: required");
    e = catalogue_load(app, r, &cat);
    if (e != ERR_OK)
        return e;
    const store_category *k = find_service(r->ar, &cat, code, &a);
    if (!k)
        return fail(r, fmt, 404, "service_code: no such service");
    e = posted_case(app, r, fmt, f, n, a, k, &c);
    if (e == ERR_OK)
        e = reporter_in(r, fmt, f, n, &rep, &has_rep);
    if (e == ERR_OK)
        e = media_url_of(r, fmt, f, n, &media_url);
    if (e != ERR_OK)
        return r->text || r->json ? ERR_OK : e;
    /* The photo is checked before anything is written: a file that is not
     * a picture refuses the whole request. What is kept is the picture
     * decoded and encoded again, without the phone's EXIF (core/image.h). */
    if (photo.data) {
        image_status st = image_reencode(photo.data, photo.len, &im);
        if (st != IMAGE_OK) {
            log_info("open311", "event=photo_refused reason=%s bytes=%zu client=%s", image_code(st),
                     photo.len, client);
            return fail(r, fmt, st == IMAGE_TOO_LARGE ? 413 : 400,
                        arena_printf(r->ar, "media: %s", image_why(st, "en")));
        }
        has_im = true;
    }
    c.created_at = clock_now();
    /* The same intake as every channel: rules, duplicates, dispatch, SLA. */
    const char *note = arena_printf(r->ar, "Open311: %s", client);
    /* A media_url is fetched afterwards by a worker (jobs/fetch.c): the
     * answer does not wait for someone else's server. */
    if (media_url)
        e = store_case_open_fetch(app->store, r->ar, &c, has_rep ? &rep : NULL, note, media_url,
                                  &fetch_id);
    else
        e = store_case_open(app->store, r->ar, &c, has_rep ? &rep : NULL, note);
    if (e == ERR_OK && has_im)
        e = keep_photo(app, &c, &im);
    image_free(&im);
    if (e != ERR_OK)
        return e;
    if (deadline_refresh(app->store, r->ar, c.id) != ERR_OK)
        log_warn("sla", "event=refresh_failed case_id=%lld", (long long)c.id);
    e = dispatch_after_create(app, r, &c);
    if (e != ERR_OK)
        return e;
    log_info("open311",
             "event=request_created case_id=%lld agency_id=%lld client=%s fetch_attachment_id=%lld",
             (long long)c.id, (long long)c.agency_id, client, (long long)fetch_id);
    return answer(r, fmt, 200, "service_requests", posted_json(r, &c, k));
}
