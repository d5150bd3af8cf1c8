/* The service-request API (issue #7): the catalog for admins, the
 * checklist and the operator's actions on a request, the issued PDF, the
 * files (each view recorded), and the measures. */
#include "core/msg.h"
#include "http/http.h"

#include "channels/wa_service.h"
#include "core/clock.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/text.h"
#include "domain/nik.h"
#include "domain/deadline.h"
#include "domain/services.h"
#include "http/multipart.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A file shown to an operator is read whole into the request's memory:
 * WhatsApp photos are at most 5 MB, documents rarely more. */
#define SVC_VIEW_MAX  (16 * 1024 * 1024)
#define SVC_NAME_MAX  120
#define SVC_HELP_MAX  300
#define SVC_CODE_MAX  40
#define SVC_HOURS_MAX 720

static json_t *time_or_null(int64_t t) { return t ? json_time(t) : json_null(); }

/* ---- the catalog ------------------------------------------------------------------------- */

static json_t *doc_json(const store_svc_doc *d)
{
    return json_pack("{s:I, s:i, s:s, s:s, s:s, s:b, s:s, s:s, s:b}", "id", (json_int_t)d->id,
                     "seq", d->seq, "name_id", d->name_id, "name_en", d->name_en, "accepts",
                     d->accepts, "mandatory", d->mandatory, "help_id", d->help_id ? d->help_id : "",
                     "help_en", d->help_en ? d->help_en : "", "active", d->active);
}

static err_t service_json(app_t *app, req_t *r, const store_category *k, json_t **out)
{
    store_svc_doc *d;
    size_t n = 0;
    err_t e = store_svc_docs(app->store, r->ar, k->id, false, &d, &n);
    if (e != ERR_OK)
        return e;
    json_t *docs = json_array();
    for (size_t i = 0; docs && i < n; i++)
        json_array_append_new(docs, doc_json(&d[i]));
    *out =
        json_pack("{s:I, s:I, s:s, s:s, s:s, s:i, s:b, s:o}", "id", (json_int_t)k->id, "agency_id",
                  (json_int_t)k->agency_id, "code", k->code, "name_id", k->name_id, "name_en",
                  k->name_en, "target_hours", k->sla_hours, "active", k->active, "documents", docs);
    return *out ? ERR_OK : ERR_NOMEM;
}

err_t h_services_list(app_t *app, req_t *r)
{
    int64_t agency = 0;
    store_category *k;
    size_t n = 0;
    err_t e = query_id(r, "agency", &agency);
    if (e == ERR_OK)
        e = store_category_list(app->store, r->ar, agency, &k, &n);
    if (e != ERR_OK)
        return e;
    json_t *items = json_array();
    for (size_t i = 0; e == ERR_OK && items && i < n; i++) {
        json_t *j;
        if (strcmp(k[i].kind, "service") != 0)
            continue;
        e = service_json(app, r, &k[i], &j);
        if (e == ERR_OK)
            json_array_append_new(items, j);
    }
    if (e != ERR_OK) {
        json_decref(items);
        return e;
    }
    return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

/* A required text field of at most max code points, trimmed. */
static err_t need_text(req_t *r, json_t *obj, const char *key, size_t max, bool required,
                       const char **out)
{
    const char *v = NULL, *p;
    err_t e = jfield_str(r, obj, key, &v);
    if (e != ERR_OK)
        return e;
    size_t len = v ? text_trim(v, &p) : 0;
    if (!len) {
        if (!required) {
            *out = "";
            return ERR_OK;
        }
        r->detail = arena_printf(r->ar, msg_lang(r->lang, "%s: required"), key);
        return ERR_INVALID;
    }
    *out = arena_strndup(r->ar, p, len);
    if (text_utf8_len(*out) > max) {
        r->detail = arena_printf(r->ar, msg_lang(r->lang, "%s: at most %zu characters"), key, max);
        return ERR_INVALID;
    }
    return ERR_OK;
}

static err_t read_docs(req_t *r, json_t *body, store_svc_doc *docs, size_t *n)
{
    json_t *arr = json_object_get(body, "documents");
    *n = 0;
    if (!arr)
        return ERR_OK;
    if (!json_is_array(arr) || json_array_size(arr) > SVC_DOCS_MAX) {
        r->detail = arena_printf(
            r->ar, msg_lang(r->lang, "documents: expected an array of at most %d"), SVC_DOCS_MAX);
        return ERR_INVALID;
    }
    size_t i;
    json_t *d;
    json_array_foreach(arr, i, d)
    {
        store_svc_doc *o = &docs[i];
        memset(o, 0, sizeof *o);
        if (!json_is_object(d)) {
            r->detail = "documents: expected objects";
            return ERR_INVALID;
        }
        bool mandatory = true;
        err_t e = jfield_id(r, d, "id", &o->id);
        if (e == ERR_OK)
            e = need_text(r, d, "name_id", SVC_NAME_MAX, true, &o->name_id);
        if (e == ERR_OK)
            e = need_text(r, d, "name_en", SVC_NAME_MAX, true, &o->name_en);
        if (e == ERR_OK)
            e = need_text(r, d, "help_id", SVC_HELP_MAX, false, &o->help_id);
        if (e == ERR_OK)
            e = need_text(r, d, "help_en", SVC_HELP_MAX, false, &o->help_en);
        if (e == ERR_OK)
            e = jfield_str(r, d, "accepts", &o->accepts);
        if (e == ERR_OK)
            e = jfield_bool(r, d, "mandatory", &mandatory);
        if (e != ERR_OK)
            return e;
        if (!o->accepts || (strcmp(o->accepts, "photo") && strcmp(o->accepts, "pdf") &&
                            strcmp(o->accepts, "both"))) {
            r->detail = "documents[].accepts: expected photo, pdf or both";
            return ERR_INVALID;
        }
        o->mandatory = mandatory;
        o->seq = (int)i + 1;
        o->active = true;
    }
    *n = json_array_size(arr);
    return ERR_OK;
}

static bool code_ok(const char *c)
{
    size_t n = strlen(c);
    return n >= 2 && n <= SVC_CODE_MAX && strspn(c, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

/* Create (path_id 0) or update the service, then answer with it. */
static err_t save_service(app_t *app, req_t *r, int64_t id)
{
    json_t *body;
    store_category k = {0};
    store_svc_doc docs[SVC_DOCS_MAX];
    size_t nd = 0;
    int64_t hours = 0;
    bool active = true;
    err_t e = req_json_body(r, &body);
    if (e != ERR_OK)
        return e;
    if (id) {
        e = store_category_get(app->store, r->ar, id, &k);
        if (e == ERR_OK && strcmp(k.kind, "service") != 0)
            e = ERR_NOT_FOUND;
        if (e != ERR_OK)
            return e;
        active = k.active;
    } else {
        e = jfield_id(r, body, "agency_id", &k.agency_id);
        if (e != ERR_OK)
            return e;
        if (!k.agency_id)
            k.agency_id = actor_single_agency(&r->actor);
        if (!k.agency_id) {
            r->detail = "agency_id: required";
            return ERR_INVALID;
        }
        store_agency ag;
        if (store_agency_get(app->store, r->ar, k.agency_id, &ag) != ERR_OK) {
            r->detail = "agency_id: no such agency";
            return ERR_INVALID;
        }
    }
    int role = actor_role(&r->actor, k.agency_id);
    if (role != ROLE_ADMIN && role != ROLE_SUPERADMIN) {
        r->detail = "only the agency's admin may change its services";
        return ERR_FORBIDDEN;
    }
    e = need_text(r, body, "code", SVC_CODE_MAX, true, &k.code);
    if (e == ERR_OK && !code_ok(k.code)) {
        r->detail = "code: 2 to 40 of a-z, 0-9 and _";
        e = ERR_INVALID;
    }
    if (e == ERR_OK)
        e = need_text(r, body, "name_id", SVC_NAME_MAX, true, &k.name_id);
    if (e == ERR_OK)
        e = need_text(r, body, "name_en", SVC_NAME_MAX, true, &k.name_en);
    if (e == ERR_OK)
        e = jfield_id(r, body, "target_hours", &hours);
    if (e == ERR_OK && (hours < 1 || hours > SVC_HOURS_MAX)) {
        r->detail = "target_hours: expected 1 to 720 working hours";
        e = ERR_INVALID;
    }
    if (e == ERR_OK)
        e = jfield_bool(r, body, "active", &active);
    if (e == ERR_OK)
        e = read_docs(r, body, docs, &nd);
    if (e != ERR_OK)
        return e;
    k.kind = "service";
    k.sla_hours = (int)hours;
    k.active = active;
    e = store_svc_save(app->store, &k, docs, nd);
    if (e == ERR_CONFLICT)
        r->detail = "code: the agency already has a category with this code";
    else if (e == ERR_NOT_FOUND)
        r->detail = "documents[].id: not a document of this service";
    if (e != ERR_OK)
        return e;
    json_t *j;
    e = service_json(app, r, &k, &j);
    return e == ERR_OK ? reply_json(r, id ? 200 : 201, j) : e;
}

err_t h_services_create(app_t *app, req_t *r) { return save_service(app, r, 0); }
err_t h_services_update(app_t *app, req_t *r) { return save_service(app, r, r->path_id); }

/* ---- a request --------------------------------------------------------------------------- */

static err_t checklist(app_t *app, req_t *r, int64_t case_id, json_t **out)
{
    store_case c;
    store_svc_request q;
    store_svc_doc *d;
    store_svc_check *ck;
    store_svc_file *f;
    size_t nd = 0, nc = 0, nf = 0;
    char shown[IDS_SHOWN_BUF], masked[NIK_MASKED_BUF];
    const char *detail = NULL;
    err_t e = svc_open(app->store, r->ar, &r->actor, case_id, &c, &q, &detail);
    if (e == ERR_OK)
        e = store_svc_docs(app->store, r->ar, c.category_id, true, &d, &nd);
    if (e == ERR_OK)
        e = store_svc_checks(app->store, r->ar, case_id, &ck, &nc);
    if (e == ERR_OK)
        e = store_svc_files(app->store, r->ar, case_id, &f, &nf);
    if (e != ERR_OK) {
        r->detail = detail;
        return e;
    }
    json_t *docs = json_array(), *other = json_array();
    bool *used = arena_alloc(r->ar, (nf ? nf : 1) * sizeof *used);
    if (!docs || !other || !used) {
        json_decref(docs);
        json_decref(other);
        return ERR_NOMEM;
    }
    memset(used, 0, (nf ? nf : 1) * sizeof *used);
    for (size_t i = 0; i < nd; i++) {
        const store_svc_check *v = NULL;
        json_t *files = json_array();
        for (size_t k = 0; k < nc; k++)
            if (ck[k].document_id == d[i].id)
                v = &ck[k];
        for (size_t k = 0; k < nf; k++) {
            if (f[k].document_id != d[i].id)
                continue;
            used[k] = true;
            json_array_append_new(
                files, json_pack("{s:I, s:s, s:I, s:s?, s:s, s:o}", "id", (json_int_t)f[k].a.id,
                                 "mime", f[k].a.mime, "size", (json_int_t)f[k].a.size_bytes,
                                 "filename", f[k].a.filename, "state", f[k].a.state, "created_at",
                                 json_time(f[k].a.created_at)));
        }
        /* Retired documents show only where this request has something. */
        if (!d[i].active && !v && json_array_size(files) == 0) {
            json_decref(files);
            continue;
        }
        json_t *j = doc_json(&d[i]);
        json_object_set_new(j, "verdict", json_string(v ? v->verdict : "pending"));
        json_object_set_new(j, "reason", v && v->reason ? json_string(v->reason) : json_null());
        json_object_set_new(j, "files", files);
        json_array_append_new(docs, j);
    }
    for (size_t k = 0; k < nf; k++)
        if (!used[k])
            json_array_append_new(other, json_pack("{s:I, s:s, s:I, s:s?, s:s, s:s, s:o}", "id",
                                                   (json_int_t)f[k].a.id, "mime", f[k].a.mime,
                                                   "size", (json_int_t)f[k].a.size_bytes,
                                                   "filename", f[k].a.filename, "source",
                                                   f[k].a.source, "state", f[k].a.state,
                                                   "created_at", json_time(f[k].a.created_at)));
    ids_tracking_format(c.tracking_code, shown);
    char nik[NIK_LEN + 1];
    const char *nik_shown = NULL;
    if (nik_open(app->cfg->svc_data_key, q.nik, nik) == 0)
        nik_shown = arena_strdup(r->ar, nik);
    else
        log_warn("svc", "event=nik_unreadable case_id=%lld", (long long)c.id);
    nik_mask(nik_shown, masked);
    /* A NIK whose region code does not exist was accepted (codes change
     * with pemekaran): the operator is told, and checks it (issue #13.12). */
    const char *nik_warning = NULL;
    if (nik_shown) {
        store_region *g;
        size_t ng = 0;
        if (store_region_list(app->store, r->ar, &g, &ng) != ERR_OK)
            ng = 0;
        const char **known = arena_alloc(r->ar, (ng ? ng : 1) * sizeof *known);
        for (size_t i = 0; known && i < ng; i++)
            known[i] = g[i].code;
        char w[512];
        nik_region_warning(nik_region_check(nik_shown, known, known ? ng : 0), nik_shown, r->lang,
                           w, sizeof w);
        nik_warning = w[0] ? arena_strdup(r->ar, w) : NULL;
    }
    json_t *issued = json_null();
    if (q.issued_at)
        issued =
            json_pack("{s:o, s:o, s:o, s:o, s:s?, s:s?, s:s?}", "at", json_time(q.issued_at), "by",
                      id_or_null(q.issued_by), "attachment_id", id_or_null(q.issued_attachment_id),
                      "outbox_id", id_or_null(q.issued_outbox_id), "state", q.issued_state,
                      "delivery", q.issued_delivery, "error", q.issued_error);
    *out = json_pack(
        "{s:I, s:s, s:s, s:{s:I, s:s, s:s, s:s}, s:{s:s, s:s, s:s*, s:s}, s:o, s:o, s:i,"
        " s:o, s:o, s:o, s:o}",
        "case_id", (json_int_t)c.id, "tracking_code", shown, "status", c.status, "service", "id",
        (json_int_t)c.category_id, "code", c.category_code ? c.category_code : "", "name_id",
        c.category_name_id ? c.category_name_id : "", "name_en",
        c.category_name_en ? c.category_name_en : "", "applicant", "nik",
        nik_shown ? nik_shown : "", "nik_masked", masked, "nik_warning", nik_warning, "name",
        q.applicant_name, "consent_at", json_time(q.consent_at), "submitted_at",
        json_time(q.submitted_at), "resubmissions", q.resubmissions, "documents", docs,
        "other_files", other, "issued", issued, "files_deleted_at",
        time_or_null(q.files_deleted_at));
    return *out ? ERR_OK : ERR_NOMEM;
}

err_t h_svc_get(app_t *app, req_t *r)
{
    json_t *j;
    err_t e = checklist(app, r, r->path_id, &j);
    return e == ERR_OK ? reply_json(r, 200, j) : e;
}

err_t h_svc_check(app_t *app, req_t *r)
{
    json_t *body, *j;
    int64_t doc = 0;
    const char *verdict = NULL, *reason = NULL, *detail = NULL;
    err_t e = req_json_body(r, &body);
    if (e == ERR_OK)
        e = jfield_id(r, body, "document_id", &doc);
    if (e == ERR_OK)
        e = jfield_str(r, body, "verdict", &verdict);
    if (e == ERR_OK)
        e = jfield_str(r, body, "reason", &reason);
    if (e == ERR_OK && !doc) {
        r->detail = "document_id: required";
        e = ERR_INVALID;
    }
    if (e != ERR_OK)
        return e;
    e = svc_verdict(app->store, r->ar, &r->actor, r->path_id, doc, verdict, reason, clock_now(),
                    &detail);
    if (e != ERR_OK) {
        r->detail = detail;
        return e;
    }
    e = checklist(app, r, r->path_id, &j);
    return e == ERR_OK ? reply_json(r, 200, j) : e;
}

err_t h_svc_more(app_t *app, req_t *r)
{
    int64_t event_id = 0;
    const char *note = NULL, *detail = NULL;
    err_t e = svc_request_more(app->store, r->ar, &r->actor, r->path_id, clock_now(), &event_id,
                               &note, &detail);
    if (e != ERR_OK) {
        r->detail = detail;
        return e;
    }
    jobs_notify(app->jobs);
    log_info("svc", "event=sent_back case_id=%lld user_id=%lld", (long long)r->path_id,
             (long long)r->actor.user_id);
    return reply_json(r, 200,
                      json_pack("{s:I, s:s, s:s}", "event_id", (json_int_t)event_id, "status",
                                "incomplete", "message", note));
}

err_t h_svc_issue(app_t *app, req_t *r)
{
    multipart_part parts[MULTIPART_PARTS_MAX];
    size_t n = 0;
    const char *why = NULL, *detail = NULL;
    int64_t att = 0, outbox = 0;
    err_t e = multipart_parse(r->ar, req_header(r, "Content-Type"), r->body ? r->body : "",
                              r->body_len, parts, MULTIPART_PARTS_MAX, &n, &why);
    if (e != ERR_OK) {
        r->detail = why;
        return e;
    }
    const multipart_part *file = multipart_find(parts, n, "file");
    if (!file || !file->filename) {
        r->detail = "file: a PDF file part named \"file\" is required";
        return ERR_INVALID;
    }
    /* The message to the resident, built by the channel. */
    store_case c;
    store_svc_request q;
    store_agency ag;
    svc_message msg = {0};
    char shown[IDS_SHOWN_BUF];
    e = svc_open(app->store, r->ar, &r->actor, r->path_id, &c, &q, &detail);
    if (e != ERR_OK) {
        r->detail = detail;
        return e;
    }
    const char *tlang = "id";
    if (store_agency_get(app->store, r->ar, c.agency_id, &ag) == ERR_OK && ag.template_lang)
        tlang = ag.template_lang;
    ids_tracking_format(c.tracking_code, shown);
    msg.filename = svc_issued_filename(r->ar, &c);
    e = wa_service_document(r->ar, c.reporter_mobile ? c.reporter_mobile : "", msg.filename,
                            c.category_name_id ? c.category_name_id : "", shown, tlang,
                            &msg.payload, &msg.template);
    if (e == ERR_OK)
        e = svc_issue(app->store, r->ar, &r->actor, r->path_id, file->data, file->len,
                      app->cfg->media_dir, &msg, clock_now(), &att, &outbox, &detail);
    if (e != ERR_OK) {
        r->detail = detail;
        return e;
    }
    jobs_notify(app->jobs);
    log_info("svc", "event=issued case_id=%lld attachment_id=%lld outbox_id=%lld bytes=%zu",
             (long long)r->path_id, (long long)att, (long long)outbox, file->len);
    return reply_json(r, 201,
                      json_pack("{s:s, s:I, s:I}", "status", "issued", "attachment_id",
                                (json_int_t)att, "outbox_id", (json_int_t)outbox));
}

/* Only these types are served as themselves; anything else is a download. */
static const char *served_type(const store_svc_file *f)
{
    if (!strcmp(f->a.source, "officer"))
        return "application/pdf";
    static const char *ok[] = {"image/jpeg", "image/png", "image/webp", "application/pdf"};
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
        if (f->a.mime && !strcmp(f->a.mime, ok[i]))
            return ok[i];
    return "application/octet-stream";
}

err_t h_svc_file(app_t *app, req_t *r)
{
    store_case c;
    store_svc_request q;
    store_svc_file f;
    int64_t att = 0;
    const char *detail = NULL;
    char path[CONFIG_PATH_MAX + 80], shown[IDS_SHOWN_BUF];
    err_t e = query_id(r, "attachment", &att);
    if (e == ERR_OK && !att) {
        r->detail = "attachment: required";
        e = ERR_INVALID;
    }
    if (e != ERR_OK)
        return e;
    e = svc_open(app->store, r->ar, &r->actor, r->path_id, &c, &q, &detail);
    if (e == ERR_OK)
        e = store_svc_file_get(app->store, r->ar, r->path_id, att, &f);
    if (e != ERR_OK) {
        r->detail = detail ? detail : "attachment: not a file of this request";
        return e;
    }
    if (strcmp(f.a.state, "stored") != 0 || !f.a.sha256) {
        r->detail = strcmp(f.a.state, "deleted") == 0
                        ? "the file was deleted at the end of its retention period"
                        : "the file has not been downloaded yet";
        return ERR_NOT_FOUND;
    }
    snprintf(path, sizeof path, "%s/%s", app->cfg->media_dir, f.a.sha256);
    FILE *fp = fopen(path, "rb");
    struct stat sb;
    if (!fp || fstat(fileno(fp), &sb) != 0 || sb.st_size > SVC_VIEW_MAX) {
        if (fp)
            fclose(fp);
        r->detail = "the file cannot be read";
        return ERR_IO;
    }
    char *buf = arena_alloc(r->ar, (size_t)sb.st_size + 1);
    size_t got = buf ? fread(buf, 1, (size_t)sb.st_size, fp) : 0;
    fclose(fp);
    if (!buf || got != (size_t)sb.st_size)
        return buf ? ERR_IO : ERR_NOMEM;
    /* Every look at an identity document is on the record (UU PDP). */
    e = store_svc_event(app->store, r->path_id, NULL, "document_view", r->actor.user_id,
                        arena_printf(r->ar, "attachment %lld", (long long)att), clock_now());
    if (e != ERR_OK)
        return e;
    ids_tracking_format(c.tracking_code, shown);
    const char *type = served_type(&f);
    const char *ext = !strcmp(type, "application/pdf") ? "pdf"
                      : !strcmp(type, "image/jpeg")    ? "jpg"
                      : !strcmp(type, "image/png")     ? "png"
                      : !strcmp(type, "image/webp")    ? "webp"
                                                       : "bin";
    r->status = 200;
    r->text = buf;
    r->text_len = got ? got : 0;
    r->content_type = type;
    r->disposition =
        arena_printf(r->ar, "attachment; filename=\"%s-%lld.%s\"", shown, (long long)att, ext);
    if (got == 0) {
        r->text = "";
    }
    return ERR_OK;
}

/* ---- measures ------------------------------------------------------------------------------ */

typedef struct {
    int64_t key;
    const char *code, *name_id, *name_en;
    int64_t requests, issued, within, resubmitted, open, seconds;
} tally;

/* secs: the working time from submitted to issued (svc_work_seconds). */
static void count(tally *t, const store_svc_row *v, int64_t secs)
{
    t->requests++;
    if (v->resubmissions > 0)
        t->resubmitted++;
    if (!v->issued_at) {
        t->open++;
        return;
    }
    t->issued++;
    t->seconds += secs;
    if (secs <= (int64_t)v->target_hours * 3600)
        t->within++;
}

static json_t *tally_json(const tally *t)
{
    return json_pack("{s:I, s:I, s:I, s:I, s:o, s:o, s:I}", "requests", (json_int_t)t->requests,
                     "issued", (json_int_t)t->issued, "open", (json_int_t)t->open, "within_target",
                     (json_int_t)t->within, "within_target_share",
                     t->issued ? json_real((double)t->within / (double)t->issued) : json_null(),
                     "avg_hours_to_issue",
                     t->issued ? json_real((double)t->seconds / (double)t->issued / 3600.0)
                               : json_null(),
                     "needed_resubmission", (json_int_t)t->resubmitted);
}

static tally *slot(arena_t *ar, tally **arr, size_t *n, size_t *cap, int64_t key)
{
    for (size_t i = 0; i < *n; i++)
        if ((*arr)[i].key == key)
            return &(*arr)[i];
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        tally *g = arena_alloc(ar, nc * sizeof *g);
        if (!g)
            return NULL;
        if (*n)
            memcpy(g, *arr, *n * sizeof *g);
        *arr = g;
        *cap = nc;
    }
    tally *t = &(*arr)[(*n)++];
    memset(t, 0, sizeof *t);
    t->key = key;
    return t;
}

err_t h_services_measures(app_t *app, req_t *r)
{
    int64_t agency = 0, from = 0, to = 0;
    const char *f = NULL, *t = NULL;
    store_svc_row *rows;
    size_t n = 0;
    err_t e = query_id(r, "agency", &agency);
    if (e == ERR_OK)
        e = req_query(r, "from", &f);
    if (e == ERR_OK)
        e = req_query(r, "to", &t);
    if (e != ERR_OK)
        return e;
    if ((f && clock_parse(f, 0, &from) != 0) || (t && clock_parse(t, 1, &to) != 0)) {
        r->detail = "from, to: expected YYYY-MM-DD or an ISO 8601 time";
        return ERR_INVALID;
    }
    if (!agency && !actor_is_superadmin(&r->actor))
        agency = actor_single_agency(&r->actor);
    if (!agency && !actor_is_superadmin(&r->actor)) {
        r->detail = "agency: required";
        return ERR_INVALID;
    }
    if (agency && actor_role(&r->actor, agency) < 0) {
        r->detail = "this agency is not yours";
        return ERR_FORBIDDEN;
    }
    /* Operators' measures: for the desk and leadership (issue 13). */
    if (agency && field_role_in(r, agency)) {
        r->detail = tr(r, "ukuran layanan untuk meja layanan dan pimpinan instansi",
                       "the service measures are for the agency's desk and leadership");
        return ERR_FORBIDDEN;
    }
    e = store_svc_rows(app->store, r->ar, agency, from, to, &rows, &n);
    if (e != ERR_OK)
        return e;
    tally all = {0}, *svcs = NULL, *ops = NULL;
    size_t ns = 0, cs = 0, no = 0, co = 0;
    /* Each agency's calendar, loaded once: the targets are working hours. */
    struct {
        int64_t agency_id;
        cal_t cal;
    } cals[8];
    size_t ncal = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t secs = 0;
        if (rows[i].issued_at) {
            size_t k = 0;
            while (k < ncal && cals[k].agency_id != rows[i].agency_id)
                k++;
            if (k == ncal) {
                k = ncal < sizeof cals / sizeof *cals ? ncal++ : 0;
                cals[k].agency_id = rows[i].agency_id;
                e = deadline_calendar(app->store, r->ar, rows[i].agency_id, &cals[k].cal);
                if (e != ERR_OK)
                    return e;
            }
            secs = svc_work_seconds(&cals[k].cal, rows[i].submitted_at, rows[i].issued_at);
        }
        count(&all, &rows[i], secs);
        tally *s = slot(r->ar, &svcs, &ns, &cs, rows[i].category_id);
        if (!s)
            return ERR_NOMEM;
        s->code = rows[i].code;
        s->name_id = rows[i].name_id;
        s->name_en = rows[i].name_en;
        count(s, &rows[i], secs);
        if (rows[i].issued_at) {
            tally *o = slot(r->ar, &ops, &no, &co, rows[i].issued_by);
            if (!o)
                return ERR_NOMEM;
            o->name_id = rows[i].operator_name;
            count(o, &rows[i], secs);
        }
    }
    json_t *js = json_array(), *jo = json_array();
    for (size_t i = 0; js && i < ns; i++) {
        json_t *j = tally_json(&svcs[i]);
        json_object_set_new(j, "service_id", json_integer((json_int_t)svcs[i].key));
        json_object_set_new(j, "code", json_string(svcs[i].code ? svcs[i].code : ""));
        json_object_set_new(j, "name_id", json_string(svcs[i].name_id ? svcs[i].name_id : ""));
        json_object_set_new(j, "name_en", json_string(svcs[i].name_en ? svcs[i].name_en : ""));
        json_array_append_new(js, j);
    }
    for (size_t i = 0; jo && i < no; i++) {
        json_t *j = tally_json(&ops[i]);
        json_object_set_new(j, "user_id", id_or_null(ops[i].key));
        json_object_set_new(j, "name", ops[i].name_id ? json_string(ops[i].name_id) : json_null());
        json_array_append_new(jo, j);
    }
    return reply_json(r, 200,
                      json_pack("{s:o, s:s, s:o, s:o, s:o}", "total", tally_json(&all), "hours",
                                "working", "per_service", js, "per_operator", jo, "truncated",
                                json_boolean(n >= STORE_SVC_ROWS_MAX)));
}
