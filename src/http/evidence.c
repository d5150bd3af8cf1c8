/* Evidence on the case page (issue 18): how a case's file leaves the
 * server, and who looked at the reporter's identity documents.
 *
 * - Pictures and PDF are sent inline, and only they may be framed, by our
 *   own pages only (the preview of the case page); everything else is a
 *   download (Content-Disposition: attachment), never framed, never sniffed.
 * - Each view of an identity document (store_attachment_identity decides
 *   which, from the data) writes an access-log entry: who, when, the case,
 *   the attachment and how it was seen (thumb, full or download, as the
 *   page asked). The entry is written here on the GET, not by the page, so
 *   a view through any other way (a copied link, a script) is on it too; it
 *   fails closed like audit_route: no entry, no file.
 * - GET /api/v1/cases/{id}/access-log: the case's audit entries, for the
 *   agency's admin (the router's role check).
 * - PUT /api/v1/attachments/{id}/identity: the desk marks a file as an
 *   identity document (or not). */
#include "http/http.h"

#include "core/log.h"

#include <stdlib.h>
#include <string.h>

/* The file name offered: ours, never the sender's (a citizen's "KTP
 * Budi.jpg" is personal data, and a name is not a type). */
static const char *ext_of(const char *mime)
{
    static const struct {
        const char *mime, *ext;
    } map[] = {{"image/jpeg", "jpg"}, {"image/png", "png"},       {"image/webp", "webp"},
               {"image/gif", "gif"},  {"application/pdf", "pdf"}, {"video/mp4", "mp4"},
               {"video/3gpp", "3gp"}, {"audio/ogg", "ogg"},       {"audio/mpeg", "mp3"},
               {"audio/aac", "aac"},  {"audio/amr", "amr"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(mime, map[i].mime) == 0)
            return map[i].ext;
    return "bin";
}

/* view=thumb|full and download=0|1 of the query; NULL view: full. */
static err_t view_query(req_t *r, const char **view, bool *download)
{
    const char *dl = NULL;
    err_t e = req_query(r, "view", view);
    if (e == ERR_OK)
        e = req_query(r, "download", &dl);
    if (e != ERR_OK)
        return e;
    if (*view && strcmp(*view, "thumb") != 0 && strcmp(*view, "full") != 0)
        return refuse(r, ERR_INVALID, "view: expected thumb or full");
    if (dl && strcmp(dl, "0") != 0 && strcmp(dl, "1") != 0)
        return refuse(r, ERR_INVALID, "download: expected 0 or 1");
    *download = dl && strcmp(dl, "1") == 0;
    return ERR_OK;
}

err_t evidence_send(app_t *app, req_t *r, const store_attachment *a)
{
    const char *view = NULL;
    bool download = false, identity = false;
    err_t e = view_query(r, &view, &download);
    if (e == ERR_OK)
        e = store_attachment_identity(app->store, a->id, &identity);
    if (e == ERR_OK)
        e = media_send(app, r, a);
    if (e != ERR_OK)
        return e;
    const char *type = r->content_type;
    bool inline_ok =
        !download && (strncmp(type, "image/", 6) == 0 || strcmp(type, "application/pdf") == 0);
    r->disposition =
        arena_printf(r->ar, "%s; filename=\"lampiran-%lld.%s\"",
                     inline_ok ? "inline" : "attachment", (long long)a->id, ext_of(type));
    if (inline_ok) {
        r->frame_self = true;
        r->csp = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'";
    }
    if (!identity)
        return ERR_OK;
    e = audit_note(app, r, "identity_document_view", a->case_id,
                   arena_printf(r->ar, "attachment:%lld", (long long)a->id),
                   download ? "view=download"
                   : view   ? arena_printf(r->ar, "view=%s", view)
                            : "view=full");
    if (e != ERR_OK) {
        /* Withheld: an identity document never leaves without its entry. */
        r->text = NULL;
        r->text_len = 0;
        r->disposition = NULL;
        r->frame_self = false;
        r->csp = NULL;
        r->detail = tr(r, "catatan akses tidak dapat ditulis; coba lagi",
                       "the access-log entry could not be written; try again");
        return ERR_UNAVAILABLE;
    }
    return ERR_OK;
}

/* Entries of one page of the case's access log. */
#define ACCESS_LOG_PAGE 100

err_t h_case_access_log(app_t *app, req_t *r)
{
    store_audit_filter f;
    store_audit_entry *a = NULL;
    size_t n = 0;
    const char *only = NULL;
    memset(&f, 0, sizeof f);
    f.case_id = r->path_id;
    f.limit = ACCESS_LOG_PAGE;
    err_t e = query_id(r, "before", &f.before_id);
    if (e == ERR_OK)
        e = req_query(r, "identity", &only);
    if (e == ERR_OK && only && strcmp(only, "0") != 0 && strcmp(only, "1") != 0)
        e = refuse(r, ERR_INVALID, "identity: expected 0 or 1");
    if (e != ERR_OK)
        return e;
    if (only && strcmp(only, "1") == 0)
        f.identity_access = true;
    e = store_audit_list(app->store, r->ar, &f, &a, &n);
    if (e != ERR_OK)
        return e;
    json_t *items = json_array();
    for (size_t i = 0; items && i < n; i++) {
        long long att = 0;
        if (a[i].target && strncmp(a[i].target, "attachment:", 11) == 0)
            att = strtoll(a[i].target + 11, NULL, 10);
        const char *view =
            a[i].detail && strncmp(a[i].detail, "view=", 5) == 0 ? a[i].detail + 5 : NULL;
        json_array_append_new(
            items, json_pack("{s:I, s:o, s:s?, s:s, s:o, s:s?}", "id", (json_int_t)a[i].id, "at",
                             json_time(a[i].at), "login", a[i].login, "action", a[i].action,
                             "attachment_id", att ? json_integer(att) : json_null(), "view",
                             strcmp(a[i].action, "identity_document_view") == 0   ? view
                             : strcmp(a[i].action, "identity_document_read") == 0 ? "download"
                                                                                  : NULL));
    }
    json_t *next = n == f.limit ? json_integer(a[n - 1].id) : json_null();
    return reply_json(
        r, 200,
        json_pack("{s:o, s:o}", "items", items ? items : json_array(), "next_before", next));
}

/* PUT /api/v1/attachments/{id}/identity {"identity": bool}: staff mark a
 * file as the reporter's identity document (a KTP photo in a complaint's
 * chat), or take the mark back. Answers the file's standing: a service
 * request's file stays an identity document whatever the mark. */
err_t h_attachment_identity(app_t *app, req_t *r)
{
    const store_attachment a = r->scope.attachment; /* its case checked by the router */
    json_t *body = NULL;
    bool mark = false, now = false;
    err_t e = req_json_body(r, &body);
    if (e == ERR_OK && !json_is_boolean(json_object_get(body, "identity")))
        e = refuse(r, ERR_INVALID, "identity: expected true or false");
    if (e == ERR_OK)
        e = jfield_bool(r, body, "identity", &mark);
    if (e == ERR_OK)
        e = store_attachment_mark_identity(app->store, a.id, mark);
    if (e == ERR_OK)
        e = audit_note(app, r, mark ? "identity_document_mark" : "identity_document_unmark",
                       a.case_id, arena_printf(r->ar, "attachment:%lld", (long long)a.id), NULL);
    if (e == ERR_OK)
        e = store_attachment_identity(app->store, a.id, &now);
    if (e != ERR_OK)
        return e;
    log_info("evidence", "event=identity_mark attachment_id=%lld case_id=%lld marked=%d",
             (long long)a.id, (long long)a.case_id, mark);
    return reply_json(
        r, 200,
        json_pack("{s:I, s:b, s:b}", "id", (json_int_t)a.id, "identity", now, "marked", mark));
}
