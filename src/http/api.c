/* The operator JSON API: cases and reference data. */
#include "core/msg.h"
#include "http/http.h"

#include "core/clock.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/text.h"
#include "domain/lapor.h"

#include <errno.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

/* Longest text search accepted; longer is a 400 (a search, not a document). */
#define QUERY_MAX    200
#define PAGE_DEFAULT 50

json_t *json_time(int64_t t)
{
    char buf[CLOCK_ISO_BUF];
    if (!t)
        return json_null();
    clock_format(t, buf);
    return json_string(buf);
}

/* The case as staff see it. Reporter details only for roles that handle
 * the citizen (not the read-only viewer; see case_personal). */
json_t *case_json(const store_case *c, bool with_reporter, const char *lang)
{
    char shown[IDS_SHOWN_BUF];
    ids_tracking_format(c->tracking_code, shown);
    int st = status_parse(c->status);
    json_t *j = json_pack(
        "{s:I, s:s, s:{s:I, s:s}, s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:b, s:b, s:s?,"
        " s:o, s:o, s:o, s:o, s:s?, s:s?, s:o}",
        "id", (json_int_t)c->id, "tracking_code", shown, "agency", "id", (json_int_t)c->agency_id,
        "name", c->agency_name, "kind", c->kind, "channel", c->channel, "status", c->status,
        "status_label", st >= 0 ? status_label((case_status_t)st, lang) : c->status, "priority",
        c->priority, "description", c->description, "address", c->address, "rahasia", c->rahasia,
        "anonim", c->anonim, "lapor_tracking_id", c->lapor_tracking_id, "forwarded_from",
        id_or_null(c->forwarded_from), "forwarded_to", id_or_null(c->forwarded_to), "created_at",
        json_time(c->created_at), "updated_at", json_time(c->updated_at), "lapor_class",
        c->lapor_class, "lapor_class_label", lapor_class_label(c->lapor_class, lang),
        "lapor_marked_at", json_time(c->lapor_marked_at));
    if (!j)
        return NULL;
    json_object_set_new(
        j, "category",
        c->category_id
            ? json_pack("{s:I, s:s, s:s}", "id", (json_int_t)c->category_id, "code",
                        c->category_code, "name",
                        strcmp(lang, "en") == 0 ? c->category_name_en : c->category_name_id)
            : json_null());
    json_object_set_new(j, "kecamatan",
                        c->kecamatan_code ? json_pack("{s:s, s:s?}", "code", c->kecamatan_code,
                                                      "name", c->kecamatan_name)
                                          : json_null());
    json_object_set_new(j, "location",
                        c->has_location ? json_pack("{s:f, s:f}", "lat", c->lat, "lon", c->lon)
                                        : json_null());
    /* Located, but in no known kecamatan boundary (issue #13.7). */
    json_object_set_new(j, "kecamatan_outside",
                        json_boolean(c->has_location && !c->kecamatan_code));
    json_object_set_new(
        j, "team",
        c->team_id ? json_pack("{s:I, s:s?}", "id", (json_int_t)c->team_id, "name", c->team_name)
                   : json_null());
    /* Whether status updates reach the reporter on WhatsApp, and when a
     * walk-in or phone reporter agreed to them (issue #13). */
    json_object_set_new(j, "chat_updates", json_boolean(case_notifies(c)));
    json_object_set_new(j, "notify_channel",
                        c->notify_channel ? json_string(c->notify_channel) : json_null());
    json_object_set_new(j, "notify_consent_at", json_time(c->notify_consent_at));
    /* Ownership (issue 18): the person the case is assigned to. */
    json_object_set_new(j, "assignee",
                        c->assignee_id ? json_pack("{s:I, s:s?}", "id", (json_int_t)c->assignee_id,
                                                   "name", c->assignee_name)
                                       : json_null());
    if (with_reporter)
        json_object_set_new(j, "reporter",
                            c->reporter_id
                                ? json_pack("{s:s?, s:s?, s:s?}", "name", c->reporter_name, "phone",
                                            c->reporter_phone, "mobile", c->reporter_mobile)
                                : json_null());
    return j;
}

bool sees_reporter(const req_t *r, int64_t agency_id)
{
    int role = actor_role(&r->actor, agency_id);
    return role >= 0 && role != ROLE_VIEWER;
}

err_t list_filter(app_t *app, req_t *r, store_case_filter *f)
{
    const char *status = NULL, *q = NULL, *from = NULL, *to = NULL, *kec = NULL, *lapor = NULL,
               *assignee = NULL;
    const char *lclass = NULL;
    int64_t limit = PAGE_DEFAULT;
    memset(f, 0, sizeof *f);
    err_t e = req_query(r, "status", &status);
    if (e == ERR_OK)
        e = query_id(r, "agency", &f->agency_id);
    if (e == ERR_OK)
        e = query_id(r, "category", &f->category_id);
    if (e == ERR_OK)
        e = query_id(r, "team", &f->team_id);
    if (e == ERR_OK)
        e = query_id(r, "cursor", &f->before_id);
    if (e == ERR_OK)
        e = query_id(r, "limit", &limit);
    if (e == ERR_OK)
        e = req_query(r, "q", &q);
    if (e == ERR_OK)
        e = req_query(r, "from", &from);
    if (e == ERR_OK)
        e = req_query(r, "to", &to);
    if (e == ERR_OK)
        e = req_query(r, "kecamatan", &kec);
    if (e == ERR_OK)
        e = query_id(r, "since_id", &f->after_id);
    if (e == ERR_OK)
        e = req_query(r, "lapor", &lapor);
    if (e == ERR_OK)
        e = req_query(r, "lapor_class", &lclass);
    if (e == ERR_OK)
        e = req_query(r, "channel", &f->channel);
    if (e == ERR_OK)
        e = req_query(r, "assignee", &assignee);
    if (e != ERR_OK)
        return e;
    if (f->channel && !case_channel_known(f->channel))
        return refuse(
            r, ERR_INVALID,
            "channel: whatsapp, telegram, email, web, open311, walk_in, phone or forward");
    /* Ownership (issue 18): "Milik saya", "Belum ditugaskan", or one person. */
    if (assignee) {
        char *end;
        long long v = strtoll(assignee, &end, 10);
        if (strcmp(assignee, "me") == 0)
            f->assignee_id = r->user.id;
        else if (strcmp(assignee, "none") == 0)
            f->assignee_id = -1;
        else if (*assignee >= '1' && *assignee <= '9' && !*end && v > 0)
            f->assignee_id = v;
        else
            return refuse(
                r, ERR_INVALID,
                tr(r, "assignee: me, none atau id petugas", "assignee: me, none or a user's id"));
    }
    /* Forwarded to LAPOR! (a tracking number recorded) or not yet; or
     * marked for LAPOR! and still without a number (the worklist). */
    if (lapor && strcmp(lapor, "yes") && strcmp(lapor, "no") && strcmp(lapor, "marked"))
        return refuse(r, ERR_INVALID,
                      tr(r, "lapor: yes, no atau marked", "lapor: yes, no or marked"));
    f->lapor = !lapor                  ? 0
               : !strcmp(lapor, "yes") ? 1
               : !strcmp(lapor, "no")  ? -1
                                       : STORE_LAPOR_TODO;
    if (lclass && !lapor_class_valid(lclass))
        return refuse(r, ERR_INVALID,
                      tr(r, "lapor_class: pengaduan, aspirasi atau permintaan_informasi",
                         "lapor_class: pengaduan, aspirasi or permintaan_informasi"));
    f->lapor_class = lclass;
    if (f->after_id && f->before_id)
        return refuse(r, ERR_INVALID, "since_id and cursor: give one of them");
    if (kec) {
        e = strlen(kec) > 32 ? ERR_NOT_FOUND : store_region_exists(app->store, kec);
        if (e == ERR_NOT_FOUND)
            return refuse(r, ERR_INVALID, "kecamatan: unknown kecamatan code");
        if (e != ERR_OK)
            return e;
        f->kecamatan_code = kec;
    }
    if (status && status_parse(status) < 0)
        return refuse(r, ERR_INVALID, "status: unknown status");
    f->status = status;
    if (limit > STORE_LIST_MAX)
        return refuse(r, ERR_INVALID, "limit: at most 200");
    f->limit = (unsigned)limit;
    if (q && strlen(q) > QUERY_MAX)
        return refuse(r, ERR_INVALID, "q: at most 200 bytes");
    f->q = q;
    if (from && clock_parse(from, 0, &f->from) != 0)
        return refuse(r, ERR_INVALID, "from: expected YYYY-MM-DD or an RFC 3339 time");
    if (to && clock_parse(to, 1, &f->to) != 0)
        return refuse(r, ERR_INVALID, "to: expected YYYY-MM-DD or an RFC 3339 time");
    if (f->agency_id && actor_role(&r->actor, f->agency_id) < 0)
        return refuse(r, ERR_FORBIDDEN, "agency: you have no role in this agency");
    f->scope_user_id = actor_is_superadmin(&r->actor) ? 0 : r->user.id;
    return field_filter(app, r, f);
}

/* The search box finds anything (issue 18): q that is a tracking code
 * (typing slips normalised) is that case; a phone number, the cases of
 * that reporter (for those who may see reporters); a LAPOR! tracking id
 * ("#1916449"), the cases carrying it; anything else is words (the full
 * text search of store_case_list). Only on a first page without other
 * filters; what the user may not see is left out. *how names the match,
 * NULL when q is words. */
static err_t find_exact(app_t *app, req_t *r, const store_case_filter *f, store_case **out,
                        size_t *n, const char **how)
{
    char code[IDS_CODE_BUF], phone[24], lapor[LAPOR_ID_BUF];
    bool mobile = false;
    store_case *cs = NULL;
    size_t got = 0;
    err_t e = ERR_OK;
    *how = NULL;
    *n = 0;
    if (!f->q || f->before_id || f->after_id || f->status || f->category_id || f->team_id ||
        f->kecamatan_code || f->from || f->to || f->lapor || f->channel || f->assignee_id)
        return ERR_OK;
    const char *q = f->q;
    while (*q == ' ')
        q++;
    if (ids_tracking_normalize(q, code) == 0) {
        cs = arena_alloc(r->ar, sizeof *cs);
        e = cs ? store_case_by_code(app->store, r->ar, code, cs) : ERR_NOMEM;
        got = e == ERR_OK;
        *how = "code";
    } else if (q[0] == '#' ||
               (strspn(q, "0123456789") == strlen(q) && q[0] != '0' && strncmp(q, "62", 2) != 0)) {
        if (lapor_normalize(q, lapor) != 0)
            return ERR_OK;
        e = store_case_find_lapor(app->store, r->ar, lapor, f->limit, &cs, &got);
        *how = "lapor";
    } else if (text_phone_normalize(q, phone, sizeof phone, &mobile) == 0 && mobile) {
        e = store_case_find_mobile(app->store, r->ar, phone, f->limit, &cs, &got);
        *how = "phone";
    } else {
        return ERR_OK;
    }
    if (e == ERR_NOT_FOUND)
        e = ERR_OK, got = 0;
    if (e != ERR_OK)
        return e;
    /* What the user may see, and a reporter's cases only where they may
     * see reporters. */
    for (size_t i = 0; i < got; i++) {
        const char *keep = r->detail;
        bool ok = (!f->agency_id || cs[i].agency_id == f->agency_id) &&
                  case_access(app, r, &cs[i]) == ERR_OK &&
                  (strcmp(*how, "phone") != 0 || case_personal(app, r, &cs[i]));
        r->detail = keep;
        if (ok)
            cs[(*n)++] = cs[i];
    }
    *out = cs;
    return ERR_OK;
}

err_t h_cases_list(app_t *app, req_t *r)
{
    store_case_filter f;
    store_case *cases;
    size_t n = 0;
    const char *how = NULL;
    err_t e = list_filter(app, r, &f);
    if (e == ERR_OK)
        e = find_exact(app, r, &f, &cases, &n, &how);
    /* Nothing exact: the words of q, as typed. */
    if (e == ERR_OK && !n) {
        how = NULL;
        e = store_case_list(app->store, r->ar, &f, &cases, &n);
    }
    if (e != ERR_OK)
        return e;
    /* Which of them have a citizen's message the user has not seen. */
    int64_t *ids = n ? arena_alloc(r->ar, n * sizeof *ids) : NULL;
    bool *unread = n ? arena_alloc(r->ar, n * sizeof *unread) : NULL;
    if (n && (!ids || !unread))
        return ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        ids[i] = cases[i].id;
    e = store_unread_of(app->store, r->user.id, ids, n, unread);
    if (e != ERR_OK)
        return e;
    json_t *items = json_array();
    int64_t newest = f.after_id;
    for (size_t i = 0; items && i < n; i++) {
        json_t *it = case_json(&cases[i], case_personal(app, r, &cases[i]), r->lang);
        if (it)
            json_object_set_new(it, "unread", json_boolean(unread[i]));
        json_array_append_new(items, it);
        if (cases[i].id > newest)
            newest = cases[i].id;
    }
    sla_decorate(app, r, items);
    /* The change feed: pass next_since_id as since_id to get what came
     * after this answer (oldest first; a full page means more are waiting). */
    json_t *next = (!how && !f.after_id && n == f.limit && n > 0)
                       ? json_sprintf("%lld", (long long)cases[n - 1].id)
                       : json_null();
    return reply_json(r, 200,
                      json_pack("{s:o, s:o, s:o, s:s?}", "items", items, "next_cursor", next,
                                "next_since_id", newest ? json_integer(newest) : json_null(),
                                "matched", how));
}

/* note: internal (staff only); public_note: what the reporter was told. */
static json_t *event_json(const store_event *v)
{
    return json_pack("{s:I, s:s, s:s?, s:s, s:o, s:s?, s:s?, s:s?, s:o, s:o, s:b, s:o}", "seq",
                     (json_int_t)v->seq, "action", v->action, "from_status", v->from_status,
                     "to_status", v->to_status, "actor_id", id_or_null(v->actor_id), "actor_name",
                     v->actor_name, "note", v->note, "public_note", v->public_note, "team_id",
                     id_or_null(v->team_id), "target_agency_id", id_or_null(v->target_agency_id),
                     "public", v->is_public, "at", json_time(v->created_at));
}

/* What the case page shows of an attachment's state. */
static const char *attachment_label(const char *state, const char *lang)
{
    bool en = strcmp(lang, "en") == 0;
    if (strcmp(state, "pending") == 0)
        return en ? "evidence is being downloaded" : "bukti sedang diunduh";
    if (strcmp(state, "failed") == 0)
        return en ? "download failed" : "gagal diunduh";
    if (strcmp(state, "deleted") == 0)
        return en ? "deleted" : "dihapus";
    return en ? "stored" : "tersimpan";
}

err_t h_case_get(app_t *app, req_t *r)
{
    const store_case c = r->scope.kase; /* checked by the router */
    store_event *ev;
    store_attachment *at;
    size_t nev, nat;
    err_t e = store_case_events(app->store, r->ar, c.id, &ev, &nev);
    /* Opening the case reads its messages (the inbox's unread, issue 18). */
    if (e == ERR_OK)
        e = store_case_read(app->store, r->user.id, c.id, clock_now());
    if (e == ERR_OK)
        e = store_case_attachments(app->store, r->ar, c.id, &at, &nat);
    /* Which are identity documents (their views are logged, issue 18). */
    int64_t *idf = NULL;
    size_t nidf = 0;
    if (e == ERR_OK)
        e = store_case_identity_files(app->store, r->ar, c.id, &idf, &nidf);
    if (e != ERR_OK)
        return e;
    json_t *j = case_json(&c, case_personal(app, r, &c), r->lang);
    json_t *events = json_array(), *atts = json_array();
    for (size_t i = 0; events && i < nev; i++)
        json_array_append_new(events, event_json(&ev[i]));
    for (size_t i = 0, k = 0; atts && i < nat; i++) {
        while (k < nidf && idf[k] < at[i].id)
            k++;
        json_array_append_new(
            atts,
            json_pack("{s:I, s:s?, s:s, s:I, s:s?, s:s, s:s, s:s, s:o, s:b}", "id",
                      (json_int_t)at[i].id, "sha256", at[i].sha256, "mime", at[i].mime, "size",
                      (json_int_t)at[i].size_bytes, "filename", at[i].filename, "source",
                      at[i].source, "state", at[i].state, "state_label",
                      attachment_label(at[i].state, r->lang), "created_at",
                      json_time(at[i].created_at), "identity", k < nidf && idf[k] == at[i].id));
    }
    sla_decorate(app, r, j);
    if (j) {
        json_object_set_new(j, "events", events);
        json_object_set_new(j, "attachments", atts);
        json_object_set_new(j, "dispatch", dispatch_case_json(app, r, &c));
        json_object_set_new(j, "actions", case_actions_json(app, r, &c));
    } else {
        json_decref(events);
        json_decref(atts);
    }
    return reply_json(r, 200, j);
}

/* target_agency may be given as an id or as the agency's code. */
static err_t target_agency(app_t *app, req_t *r, json_t *body, int64_t *out)
{
    json_t *v = json_object_get(body, "target_agency");
    store_agency a;
    if (!v || json_is_null(v))
        return ERR_OK;
    if (json_is_integer(v) && json_integer_value(v) > 0) {
        *out = (int64_t)json_integer_value(v);
        return ERR_OK;
    }
    if (!json_is_string(v)) {
        r->detail = "target_agency: expected an agency id or code";
        return ERR_INVALID;
    }
    err_t e = store_agency_find(app->store, r->ar, json_string_value(v), &a);
    if (e == ERR_NOT_FOUND) {
        r->detail = "target_agency: unknown agency";
        return ERR_INVALID;
    }
    if (e == ERR_OK)
        *out = a.id;
    return e;
}

err_t h_case_transition(app_t *app, req_t *r)
{
    json_t *body;
    case_action_req q = {0};
    store_transition t;
    store_case c;
    /* Who may see the case (the router) comes before what the body says
     * (issue 13). */
    err_t e = req_json_body(r, &body);
    if (e == ERR_OK)
        e = jfield_str(r, body, "action", &q.action);
    if (e == ERR_OK)
        e = jfield_str(r, body, "note", &q.note);
    if (e == ERR_OK)
        e = jfield_str(r, body, "public_note", &q.public_note);
    if (e == ERR_OK)
        e = jfield_id(r, body, "team_id", &q.team_id);
    if (e == ERR_OK)
        e = jfield_id(r, body, "target_category_id", &q.target_category_id);
    if (e == ERR_OK)
        e = target_agency(app, r, body, &q.target_agency_id);
    if (e != ERR_OK)
        return e;
    if (!q.action) {
        r->detail = "action: required";
        return ERR_INVALID;
    }
    /* A service request that came over WhatsApp is issued by uploading the
     * document, which goes to the resident: never by the bare transition. */
    if (strcmp(q.action, "issue") == 0) {
        store_svc_request sr;
        e = store_svc_request_get(app->store, r->ar, r->path_id, &sr);
        if (e == ERR_OK) {
            r->detail = "this request is issued by uploading the document: POST "
                        "/api/v1/cases/{id}/service/issue";
            return ERR_CONFLICT;
        }
        if (e != ERR_NOT_FOUND)
            return e;
    }
    const char *detail = NULL;
    e = case_transition(app->store, r->ar, &r->actor, r->path_id, &q, clock_now(), &t, &detail);
    if (detail)
        r->detail = detail;
    if (e != ERR_OK)
        return e;
    log_info("case", "event=transition case_id=%lld action=%s from=%s to=%s user_id=%lld",
             (long long)t.case_id, t.action, t.expect_status, t.new_status, (long long)r->user.id);
    dispatch_after_transition(app, r, &t);
    e = store_case_get(app->store, r->ar, r->path_id, &c);
    if (e != ERR_OK)
        return e;
    json_t *j = case_json(&c, case_personal(app, r, &c), r->lang);
    sla_decorate(app, r, j);
    if (j) {
        json_object_set_new(j, "event_id", json_integer((json_int_t)t.event_id));
        json_object_set_new(j, "new_case_id", id_or_null(t.new_case_id));
    }
    return reply_json(r, 200, j);
}

err_t h_cases_create(app_t *app, req_t *r)
{
    json_t *body, *rep;
    case_create_req q = {0};
    store_case c;
    err_t e = req_json_body(r, &body);
    if (e == ERR_OK)
        e = jfield_id(r, body, "agency_id", &q.agency_id);
    if (e == ERR_OK)
        e = jfield_id(r, body, "category_id", &q.category_id);
    if (e == ERR_OK)
        e = jfield_str(r, body, "channel", &q.channel);
    if (e == ERR_OK)
        e = jfield_str(r, body, "description", &q.description);
    if (e == ERR_OK)
        e = jfield_str(r, body, "address", &q.address);
    if (e == ERR_OK)
        e = jfield_str(r, body, "kecamatan_code", &q.kecamatan_code);
    if (e == ERR_OK)
        e = jfield_str(r, body, "priority", &q.priority);
    if (e == ERR_OK)
        e = jfield_str(r, body, "lapor_tracking_id", &q.lapor_tracking_id);
    if (e == ERR_OK)
        e = jfield_str(r, body, "lapor_class", &q.lapor_class);
    if (e == ERR_OK)
        e = jfield_bool(r, body, "rahasia", &q.rahasia);
    if (e == ERR_OK)
        e = jfield_bool(r, body, "anonim", &q.anonim);
    bool has_lat = false, has_lon = false;
    if (e == ERR_OK)
        e = jfield_num(r, body, "lat", &q.lat, &has_lat);
    if (e == ERR_OK)
        e = jfield_num(r, body, "lon", &q.lon, &has_lon);
    if (e != ERR_OK)
        return e;
    if (has_lat != has_lon) {
        r->detail = "lat and lon: give both or neither";
        return ERR_INVALID;
    }
    q.has_location = has_lat;
    rep = json_object_get(body, "reporter");
    if (rep && !json_is_null(rep)) {
        if (!json_is_object(rep)) {
            r->detail = "reporter: expected an object {name, phone, notify_consent}";
            return ERR_INVALID;
        }
        /* A field this version does not know (a client of before 0024 sends
         * whatsapp_consent) is refused, not dropped with the consent. */
        const char *key;
        json_t *val;
        json_object_foreach(rep, key, val)
        {
            (void)val;
            if (strcmp(key, "name") != 0 && strcmp(key, "phone") != 0 &&
                strcmp(key, "notify_consent") != 0) {
                r->detail =
                    "reporter: unknown field; the fields are name, phone and notify_consent";
                return ERR_INVALID;
            }
        }
        e = jfield_str(r, rep, "name", &q.reporter_name);
        if (e == ERR_OK)
            e = jfield_str(r, rep, "phone", &q.reporter_phone);
        if (e == ERR_OK)
            e = jfield_bool(r, rep, "notify_consent", &q.notify_consent);
        if (e != ERR_OK)
            return e;
    }
    const char *detail = NULL;
    e = case_create(app->store, r->ar, &r->actor, &q, clock_now(), &c, &detail);
    if (detail)
        r->detail = detail;
    if (e == ERR_OK)
        e = dispatch_after_create(app, r, &c);
    if (e != ERR_OK)
        return e;
    log_info("case", "event=created case_id=%lld agency_id=%lld channel=%s user_id=%lld",
             (long long)c.id, (long long)c.agency_id, c.channel, (long long)r->user.id);
    json_t *j = case_json(&c, true, r->lang);
    sla_decorate(app, r, j);
    return reply_json(r, 201, j);
}

/* ---- reference data -------------------------------------------------------- */

err_t h_agencies(app_t *app, req_t *r)
{
    store_agency *a;
    size_t n;
    err_t e = store_agency_list(app->store, r->ar, &a, &n);
    if (e != ERR_OK)
        return e;
    json_t *items = json_array();
    for (size_t i = 0; items && i < n; i++) {
        json_t *j =
            json_pack("{s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)a[i].id, "code", a[i].code,
                      "name", a[i].name, "kind", a[i].kind, "timezone", a[i].timezone);
        const char *nums = NULL;
        /* The agency's own staff see its WhatsApp numbers. */
        if (j && actor_role(&r->actor, a[i].id) >= 0 &&
            store_agency_numbers(app->store, r->ar, a[i].id, &nums) == ERR_OK) {
            json_object_set_new(j, "phone_number_ids", json_string(nums));
            json_object_set_new(j, "templates",
                                json_pack("{s:s?, s:s?, s:s?}", "status", a[i].template_status,
                                          "reply", a[i].template_reply, "language",
                                          a[i].template_lang));
            json_object_set_new(j, "publish_photos", json_boolean(a[i].publish_photos));
        }
        json_array_append_new(items, j);
    }
    return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

err_t h_categories(app_t *app, req_t *r)
{
    int64_t agency = 0;
    store_category *k;
    size_t n;
    err_t e = query_id(r, "agency", &agency);
    if (e == ERR_OK)
        e = store_category_list(app->store, r->ar, agency, &k, &n);
    if (e != ERR_OK)
        return e;
    /* Every agency's categories are listed: forwarding picks one there. */
    json_t *items = json_array();
    for (size_t i = 0; items && i < n; i++)
        json_array_append_new(
            items, json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:i, s:b}", "id", (json_int_t)k[i].id,
                             "agency_id", (json_int_t)k[i].agency_id, "code", k[i].code, "name_id",
                             k[i].name_id, "name_en", k[i].name_en, "kind", k[i].kind, "sla_hours",
                             k[i].sla_hours, "active", k[i].active));
    return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

err_t h_teams(app_t *app, req_t *r)
{
    int64_t agency = 0;
    store_team *t;
    size_t n;
    err_t e = query_id(r, "agency", &agency);
    if (e == ERR_OK)
        e = store_team_list(app->store, r->ar, agency, &t, &n);
    if (e != ERR_OK)
        return e;
    /* Teams are internal: only those of the user's own agencies. */
    json_t *items = json_array();
    for (size_t i = 0; items && i < n; i++) {
        if (actor_role(&r->actor, t[i].agency_id) < 0)
            continue;
        json_t *j =
            json_pack("{s:I, s:I, s:s, s:i}", "id", (json_int_t)t[i].id, "agency_id",
                      (json_int_t)t[i].agency_id, "name", t[i].name, "members", t[i].members);
        if (j)
            json_object_set_new(
                j, "base",
                t[i].has_base ? json_pack("{s:f, s:f}", "lat", t[i].base_lat, "lon", t[i].base_lon)
                              : json_null());
        json_array_append_new(items, j);
    }
    return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

err_t h_regions(app_t *app, req_t *r)
{
    store_region *g;
    size_t n;
    err_t e = store_region_list(app->store, r->ar, &g, &n);
    if (e != ERR_OK)
        return e;
    json_t *items = json_array();
    for (size_t i = 0; items && i < n; i++)
        json_array_append_new(items, json_pack("{s:s, s:s}", "code", g[i].code, "name", g[i].name));
    return reply_json(r, 200, json_pack("{s:o}", "items", items));
}
