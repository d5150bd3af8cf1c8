/* GET /api/v1/cases/export.csv: the case list as CSV, streamed. */
#include "core/msg.h"
#include "http/http.h"

#include "core/clock.h"
#include "core/log.h"
#include "domain/export.h"

#include <microhttpd.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static ssize_t read_csv(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    export_run *x = cls;
    size_t n = 0;
    err_t e = export_read(x, buf, max, &n);
    if (e != ERR_OK) {
        /* The status line is gone already: cut the answer short, so that
         * the client sees an incomplete transfer rather than a short file. */
        log_error("export", "event=export_failed rows=%lld err=%s", (long long)export_rows(x),
                  err_code(e));
        return MHD_CONTENT_READER_END_WITH_ERROR;
    }
    if (n == 0) {
        log_info("export", "event=export_done rows=%lld", (long long)export_rows(x));
        return MHD_CONTENT_READER_END_OF_STREAM;
    }
    return (ssize_t)n;
}

static void free_run(void *cls) { export_free(cls); }

/* True when the user may see personal data in every agency the export can
 * cover: the one filtered on, or else each agency of the user's roles. */
static bool personal_allowed(const req_t *r, const store_case_filter *f)
{
    if (f->agency_id)
        return sees_reporter(r, f->agency_id);
    if (actor_is_superadmin(&r->actor))
        return true;
    for (size_t i = 0; i < r->nroles; i++)
        if (!sees_reporter(r, r->roles[i].agency_id))
            return false;
    return r->nroles > 0;
}

err_t h_cases_export(app_t *app, req_t *r)
{
    store_case_filter f;
    export_cols cols;
    const char *spec = NULL, *why = NULL;
    err_t e = list_filter(app, r, &f);
    if (e == ERR_OK)
        e = req_query(r, "columns", &spec);
    if (e != ERR_OK)
        return e;
    /* A field officer's work is on the field card; a bulk export of the
     * agency is for its desk and leadership (issue 13). */
    if (f.nfield_agencies) {
        if (!f.agency_id || field_role_in(r, f.agency_id)) {
            r->detail = tr(r, "ekspor CSV untuk meja layanan dan pimpinan instansi",
                           "the CSV export is for the agency's desk and leadership");
            return ERR_FORBIDDEN;
        }
        f.nfield_agencies = f.nfield_teams = 0; /* the agency filter is not a field one */
    }
    if (f.before_id || f.after_id) {
        r->detail = "cursor and since_id: not for an export (it has every matching case)";
        return ERR_INVALID;
    }
    bool personal = personal_allowed(r, &f);
    if (export_cols_parse(spec, personal, &cols, &why) != 0) {
        r->detail = arena_printf(r->ar, msg_lang(r->lang, "%s (known: %s)"), msg_lang(r->lang, why),
                                 export_col_keys());
        return ERR_INVALID;
    }
    if (cols.personal && !personal) {
        r->detail = "columns: your role may not export the reporter's personal data";
        return ERR_FORBIDDEN;
    }
    /* An export with personal columns is in the audit log (issue 19 §2),
     * written before the first row goes out. */
    if (cols.personal) {
        e = audit_note(app, r, "export_personal", 0,
                       f.agency_id ? arena_printf(r->ar, "agency:%lld", (long long)f.agency_id)
                                   : NULL,
                       arena_printf(r->ar, "columns=%.200s", spec ? spec : "default"));
        if (e != ERR_OK)
            return e;
    }
    export_run *x = export_start(app->store, &f, &cols, r->lang);
    if (!x)
        return ERR_NOMEM;
    struct MHD_Response *resp =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024, read_csv, x, free_run);
    if (!resp) {
        export_free(x);
        return ERR_NOMEM;
    }
    char date[CLOCK_ISO_BUF], name[160];
    clock_format(clock_now(), date);
    date[10] = '\0';
    snprintf(name, sizeof name, "attachment; filename=\"aduan-kasus-%s.csv\"", date);
    MHD_add_response_header(resp, "Content-Disposition", name);
    log_info("export", "event=export_started user_id=%lld personal=%d", (long long)r->user.id,
             cols.personal ? 1 : 0);
    r->stream = resp;
    r->status = 200;
    r->content_type = "text/csv; charset=utf-8";
    return ERR_OK;
}
