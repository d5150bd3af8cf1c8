/* PUT /api/v1/cases/{id}/lapor: the SP4N liaison records (or clears) the
 * LAPOR! tracking number of any case of the agency (issue 13), its
 * national classification and its mark for LAPOR! (issue 17 §3);
 * GET /api/v1/lapor/worklist: the cases marked for LAPOR! that have no
 * tracking number yet, oldest first, each with its copy-ready summary. */
#include "http/http.h"

#include "core/clock.h"
#include "core/log.h"
#include "domain/lapor.h"

#include <string.h>

err_t h_case_lapor(app_t *app, req_t *r)
{
    json_t *body, *v;
    store_case c;
    err_t e = req_json_body(r, &body);
    if (e != ERR_OK)
        return e;
    lapor_change ch = {0};
    v = json_object_get(body, "lapor_tracking_id");
    if (v && !(json_is_string(v) || json_is_null(v))) {
        r->detail = tr(r, "lapor_tracking_id: teks (kosong untuk menghapus)",
                       "lapor_tracking_id: a string (empty to clear)");
        return ERR_INVALID;
    }
    ch.set_tracking = v != NULL;
    ch.tracking = json_string_value(v);
    v = json_object_get(body, "lapor_class");
    if (v && !json_is_string(v)) {
        r->detail = tr(r, "lapor_class: pengaduan, aspirasi atau permintaan_informasi",
                       "lapor_class: pengaduan, aspirasi or permintaan_informasi");
        return ERR_INVALID;
    }
    ch.cls = json_string_value(v);
    v = json_object_get(body, "lapor_marked");
    if (v && !json_is_boolean(v)) {
        r->detail = tr(r, "lapor_marked: true atau false", "lapor_marked: true or false");
        return ERR_INVALID;
    }
    ch.mark = !v ? 0 : json_is_true(v) ? 1 : -1;
    if (!ch.set_tracking && !ch.cls && !ch.mark) {
        r->detail = tr(r, "isi lapor_tracking_id, lapor_class atau lapor_marked",
                       "give lapor_tracking_id, lapor_class or lapor_marked");
        return ERR_INVALID;
    }
    bool changed = false;
    lapor_refusal why = LAPOR_OK;
    e = lapor_update(app->store, r->ar, &r->actor, r->path_id, &ch, clock_now(), &changed, &why);
    switch (why) {
    case LAPOR_BAD_FORMAT:
        r->detail = arena_printf(r->ar,
                                 strcmp(r->lang, "en") == 0
                                     ? "lapor_tracking_id: a LAPOR! Tracking ID is a number of "
                                       "%d to %d digits, e.g. 1916449"
                                     : "lapor_tracking_id: Tracking ID LAPOR! berupa angka %d "
                                       "sampai %d digit, misalnya 1916449",
                                 LAPOR_DIGITS_MIN, LAPOR_DIGITS_MAX);
        break;
    case LAPOR_OTHER_AGENCY:
        r->detail = tr(r, "kasus ini milik instansi lain", "this case belongs to another agency");
        break;
    case LAPOR_NOT_DESK:
        r->detail = tr(r, "nomor LAPOR! dicatat oleh admin atau kepala bidang",
                       "the LAPOR! number is recorded by an admin or a supervisor");
        break;
    case LAPOR_BAD_CLASS:
        r->detail = tr(r, "lapor_class: pengaduan, aspirasi atau permintaan_informasi",
                       "lapor_class: pengaduan, aspirasi or permintaan_informasi");
        break;
    case LAPOR_OK:
        break;
    }
    if (e == ERR_OK)
        e = store_case_get(app->store, r->ar, r->path_id, &c);
    if (e != ERR_OK)
        return e;
    if (changed)
        log_info("case",
                 "event=lapor_changed case_id=%lld user_id=%lld tracking=%s class=%s"
                 " marked=%s",
                 (long long)c.id, (long long)r->user.id, c.lapor_tracking_id ? "yes" : "no",
                 c.lapor_class, c.lapor_marked_at ? "yes" : "no");
    json_t *j = case_json(&c, case_personal(app, r, &c), r->lang);
    sla_decorate(app, r, j);
    if (j)
        json_object_set_new(j, "changed", json_boolean(changed));
    return reply_json(r, 200, j);
}

/* Most cases on one page of the worklist: a liaison's morning. */
#define WORKLIST_MAX 100

err_t h_lapor_worklist(app_t *app, req_t *r)
{
    store_case_filter f;
    store_case *cases = NULL;
    size_t n = 0;
    int64_t limit = WORKLIST_MAX;
    memset(&f, 0, sizeof f);
    err_t e = query_id(r, "agency", &f.agency_id);
    if (e == ERR_OK)
        e = query_id(r, "limit", &limit);
    if (e == ERR_OK)
        e = query_id(r, "since_id", &f.after_id);
    if (e != ERR_OK)
        return e;
    if (limit < 1 || limit > WORKLIST_MAX)
        return refuse(r, ERR_INVALID, tr(r, "limit: 1 sampai 100", "limit: 1 to 100"));
    if (f.agency_id) {
        int role = actor_role(&r->actor, f.agency_id);
        if (role < 0)
            return refuse(r, ERR_FORBIDDEN,
                          tr(r, "agency: Anda tidak punya peran di instansi ini",
                             "agency: you have no role in this agency"));
        if (role != ROLE_SUPERADMIN && role != ROLE_ADMIN && role != ROLE_SUPERVISOR)
            return refuse(r, ERR_FORBIDDEN,
                          tr(r, "daftar LAPOR! untuk admin atau kepala bidang",
                             "the LAPOR! worklist is for an admin or a supervisor"));
    }
    f.lapor = STORE_LAPOR_TODO;
    f.oldest_first = true;
    f.limit = (unsigned)limit;
    f.scope_user_id = actor_is_superadmin(&r->actor) ? 0 : r->user.id;
    e = store_case_list(app->store, r->ar, &f, &cases, &n);
    if (e != ERR_OK)
        return e;
    json_t *items = json_array();
    for (size_t i = 0; items && i < n; i++) {
        /* A field officer or viewer somewhere else sees no other agency's
         * work: only the agencies where the user is on the desk. */
        int role = actor_role(&r->actor, cases[i].agency_id);
        if (role != ROLE_SUPERADMIN && role != ROLE_ADMIN && role != ROLE_SUPERVISOR)
            continue;
        json_t *j = case_json(&cases[i], case_personal(app, r, &cases[i]), r->lang);
        if (j) {
            json_object_set_new(j, "lapor_summary", json_string(lapor_summary(r->ar, &cases[i])));
            json_array_append_new(items, j);
        }
    }
    json_t *next =
        n == f.limit && n > 0 ? json_sprintf("%lld", (long long)cases[n - 1].id) : json_null();
    return reply_json(r, 200, json_pack("{s:o, s:o}", "items", items, "next_since_id", next));
}
