/* PUT /api/v1/cases/{id}/lapor: the SP4N liaison records (or clears) the
 * LAPOR! tracking number of any case of the agency (issue 13). */
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
    v = json_object_get(body, "lapor_tracking_id");
    if (!v || !(json_is_string(v) || json_is_null(v))) {
        r->detail = tr(r, "lapor_tracking_id: wajib, teks (kosong untuk menghapus)",
                       "lapor_tracking_id: required, a string (empty to clear)");
        return ERR_INVALID;
    }
    bool changed = false;
    lapor_refusal why = LAPOR_OK;
    e = lapor_set(app->store, r->ar, &r->actor, r->path_id, json_string_value(v), clock_now(),
                  &changed, &why);
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
    case LAPOR_OK:
        break;
    }
    if (e == ERR_OK)
        e = store_case_get(app->store, r->ar, r->path_id, &c);
    if (e != ERR_OK)
        return e;
    if (changed)
        log_info("case", "event=lapor_%s case_id=%lld user_id=%lld",
                 c.lapor_tracking_id ? "set" : "cleared", (long long)c.id, (long long)r->user.id);
    json_t *j = case_json(&c, case_personal(app, r, &c), r->lang);
    sla_decorate(app, r, j);
    if (j)
        json_object_set_new(j, "changed", json_boolean(changed));
    return reply_json(r, 200, j);
}
