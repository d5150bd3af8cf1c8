/* The PostgreSQL store: civil-registry services and their requests
 * (issue #7); the same queries as sqlite_svc.c. */
#include "store/pg_int.h"
#include "store/svc_int.h"

#include <stdio.h>
#include <string.h>

#define EXPIRE_BATCH 200

static err_t run(pconn_t *c, const char *sql, const pq_params *p, int64_t *changed,
                 const char *what)
{
    PGresult *r = NULL;
    err_t e = pq_run(c, sql, p, &r, what);
    if (e == ERR_OK && changed)
        *changed = pq_affected(r);
    PQclear(r);
    return e;
}

/* Runs sql, which returns one id (RETURNING id) into *id. */
static err_t run_id(pconn_t *c, const char *sql, const pq_params *p, int64_t *id, const char *what)
{
    PGresult *r = NULL;
    err_t e = pq_run(c, sql, p, &r, what);
    if (e == ERR_OK && PQntuples(r) == 0)
        e = ERR_NOT_FOUND;
    if (e == ERR_OK && id)
        *id = pq_int(r, 0, 0);
    PQclear(r);
    return e;
}

static void read_doc(arena_t *ar, PGresult *r, int i, void *elem)
{
    store_svc_doc *v = elem;
    v->id = pq_int(r, i, 0);
    v->category_id = pq_int(r, i, 1);
    v->seq = (int)pq_int(r, i, 2);
    v->name_id = pq_text(ar, r, i, 3);
    v->name_en = pq_text(ar, r, i, 4);
    v->accepts = pq_text(ar, r, i, 5);
    v->mandatory = pq_bool(r, i, 6);
    v->help_id = pq_text(ar, r, i, 7);
    v->help_en = pq_text(ar, r, i, 8);
    v->active = pq_bool(r, i, 9);
}

err_t pg_svc_docs(store_t *s, arena_t *ar, int64_t category_id, bool all, store_svc_doc **out,
                  size_t *n)
{
    static const char sql[] =
        "SELECT id, category_id, seq, name_id, name_en, accepts, mandatory, help_id, help_en,"
        " active FROM service_documents WHERE category_id = $1 AND ($2::boolean OR active)"
        " ORDER BY seq, id";
    pq_params p = {0};
    pp_int(&p, category_id);
    pp_bool(&p, all);
    return pq_list(s, ar, sql, &p, sizeof **out, read_doc, (void **)out, n, "svc_docs");
}

static err_t save_doc(pconn_t *c, int64_t category_id, store_svc_doc *d)
{
    static const char upd[] =
        "UPDATE service_documents SET seq = $3, name_id = $4, name_en = $5, accepts = $6,"
        " mandatory = $7, help_id = $8, help_en = $9, active = TRUE"
        " WHERE id = $1 AND category_id = $2 RETURNING id";
    static const char ins[] =
        "INSERT INTO service_documents (category_id, seq, name_id, name_en, accepts, mandatory,"
        " help_id, help_en, active) SELECT $2::bigint, $3::integer, $4::text, $5::text, $6::text,"
        " $7::boolean, $8::text, $9::text, TRUE"
        " WHERE $1::bigint = 0 RETURNING id";
    pq_params p = {0};
    pp_int(&p, d->id);
    pp_int(&p, category_id);
    pp_int(&p, d->seq);
    pp_text(&p, d->name_id);
    pp_text(&p, d->name_en);
    pp_text(&p, d->accepts);
    pp_bool(&p, d->mandatory);
    pp_text(&p, d->help_id ? d->help_id : "");
    pp_text(&p, d->help_en ? d->help_en : "");
    err_t e = run_id(c, d->id ? upd : ins, &p, &d->id, "svc_doc_save");
    d->category_id = category_id;
    d->active = true;
    return e;
}

err_t pg_svc_save(store_t *s, store_category *k, store_svc_doc *docs, size_t n)
{
    static const char ins[] =
        "INSERT INTO categories (agency_id, code, name_id, name_en, kind, sla_hours, active)"
        " SELECT $1::bigint, $2::text, $3::text, $4::text, 'service', $5::integer, $6::boolean"
        " WHERE $7::bigint = 0 RETURNING id";
    static const char upd[] =
        "UPDATE categories SET code = $2, name_id = $3, name_en = $4, sla_hours = $5,"
        " active = $6 WHERE id = $7 AND agency_id = $1 AND kind = 'service' RETURNING id";
    static const char retire[] =
        "UPDATE service_documents SET active = FALSE WHERE category_id = $1";
    pconn_t *c = pq_get(s);
    if (!c)
        return ERR_UNAVAILABLE;
    pq_params p = {0};
    pp_int(&p, k->agency_id);
    pp_text(&p, k->code);
    pp_text(&p, k->name_id);
    pp_text(&p, k->name_en);
    pp_int(&p, k->sla_hours);
    pp_bool(&p, k->active);
    pp_int(&p, k->id);
    err_t e = pq_begin(c);
    if (e == ERR_OK)
        e = run_id(c, k->id ? upd : ins, &p, &k->id, "svc_save");
    if (e == ERR_OK) {
        pq_params q = {0};
        pp_int(&q, k->id);
        e = run(c, retire, &q, NULL, "svc_retire");
    }
    for (size_t i = 0; e == ERR_OK && i < n; i++)
        e = save_doc(c, k->id, &docs[i]);
    if (e == ERR_OK)
        e = pq_commit(c);
    pq_rollback(c);
    pq_put(s, c);
    return e;
}

err_t pg_svc_request_get(store_t *s, arena_t *ar, int64_t case_id, store_svc_request *out)
{
    static const char sql[] =
        "SELECT r.case_id, r.nik, r.applicant_name, r.consent_at, r.submitted_at,"
        " r.resubmissions, r.issued_at, r.issued_by, r.issued_attachment_id, r.issued_outbox_id,"
        " r.files_deleted_at, o.state, o.delivery, o.last_error, o.wamid FROM service_requests r"
        " LEFT JOIN wa_outbox o ON o.id = r.issued_outbox_id WHERE r.case_id = $1";
    pconn_t *c = pq_get(s);
    if (!c)
        return ERR_UNAVAILABLE;
    pq_params p = {0};
    PGresult *r = NULL;
    pp_int(&p, case_id);
    err_t e = pq_run(c, sql, &p, &r, "svc_request_get");
    if (e == ERR_OK && PQntuples(r) == 0)
        e = ERR_NOT_FOUND;
    if (e == ERR_OK) {
        out->case_id = pq_int(r, 0, 0);
        out->nik = pq_text(ar, r, 0, 1);
        out->applicant_name = pq_text(ar, r, 0, 2);
        out->consent_at = pq_int(r, 0, 3);
        out->submitted_at = pq_int(r, 0, 4);
        out->resubmissions = (int)pq_int(r, 0, 5);
        out->issued_at = pq_int(r, 0, 6);
        out->issued_by = pq_int(r, 0, 7);
        out->issued_attachment_id = pq_int(r, 0, 8);
        out->issued_outbox_id = pq_int(r, 0, 9);
        out->files_deleted_at = pq_int(r, 0, 10);
        out->issued_state = pq_text(ar, r, 0, 11);
        out->issued_delivery = pq_text(ar, r, 0, 12);
        out->issued_error = pq_text(ar, r, 0, 13);
        out->issued_wamid = pq_text(ar, r, 0, 14);
    }
    PQclear(r);
    pq_put(s, c);
    return e;
}

static void read_check(arena_t *ar, PGresult *r, int i, void *elem)
{
    store_svc_check *v = elem;
    v->document_id = pq_int(r, i, 0);
    v->verdict = pq_text(ar, r, i, 1);
    v->reason = pq_text(ar, r, i, 2);
    v->actor_id = pq_int(r, i, 3);
    v->updated_at = pq_int(r, i, 4);
}

err_t pg_svc_checks(store_t *s, arena_t *ar, int64_t case_id, store_svc_check **out, size_t *n)
{
    static const char sql[] = "SELECT document_id, verdict, reason, actor_id, updated_at"
                              " FROM service_checks WHERE case_id = $1 ORDER BY document_id";
    pq_params p = {0};
    pp_int(&p, case_id);
    return pq_list(s, ar, sql, &p, sizeof **out, read_check, (void **)out, n, "svc_checks");
}

#define FILE_COLS                                                                                  \
    "SELECT id, case_id, sha256, mime, filename, source, state, size_bytes, created_at,"           \
    " document_id FROM attachments"

static void read_file(arena_t *ar, PGresult *r, int i, void *elem)
{
    store_svc_file *v = elem;
    v->a.id = pq_int(r, i, 0);
    v->a.case_id = pq_int(r, i, 1);
    v->a.sha256 = pq_text(ar, r, i, 2);
    v->a.mime = pq_text(ar, r, i, 3);
    v->a.filename = pq_text(ar, r, i, 4);
    v->a.source = pq_text(ar, r, i, 5);
    v->a.state = pq_text(ar, r, i, 6);
    v->a.size_bytes = pq_int(r, i, 7);
    v->a.created_at = pq_int(r, i, 8);
    v->document_id = pq_int(r, i, 9);
}

err_t pg_svc_files(store_t *s, arena_t *ar, int64_t case_id, store_svc_file **out, size_t *n)
{
    static const char sql[] = FILE_COLS " WHERE case_id = $1 ORDER BY id";
    pq_params p = {0};
    pp_int(&p, case_id);
    return pq_list(s, ar, sql, &p, sizeof **out, read_file, (void **)out, n, "svc_files");
}

err_t pg_svc_file_get(store_t *s, arena_t *ar, int64_t case_id, int64_t attachment_id,
                      store_svc_file *out)
{
    static const char sql[] = FILE_COLS " WHERE case_id = $1 AND id = $2";
    store_svc_file *rows;
    size_t n = 0;
    pq_params p = {0};
    pp_int(&p, case_id);
    pp_int(&p, attachment_id);
    err_t e = pq_list(s, ar, sql, &p, sizeof *rows, read_file, (void **)&rows, &n, "svc_file_get");
    if (e == ERR_OK && n == 0)
        e = ERR_NOT_FOUND;
    if (e == ERR_OK)
        *out = rows[0];
    return e;
}

/* See sqlite_svc.c: the note of a public event is what the resident is told. */
static err_t add_event(pconn_t *c, int64_t case_id, const char *action, const char *from,
                       const char *to, int64_t actor, const char *note, bool pub, int64_t now,
                       int64_t *id)
{
    static const char sql[] =
        "INSERT INTO case_events (case_id, seq, action, from_status, to_status, actor_id, note,"
        " is_public, created_at, public_note) SELECT $1::bigint, COALESCE(MAX(e.seq), 0) + 1,"
        " $2::text, COALESCE($3::text, c.status), COALESCE($4::text, c.status), $5::bigint,"
        " $6::text, $7::boolean, $8::bigint, $9::text FROM cases c"
        " LEFT JOIN case_events e ON e.case_id = c.id WHERE c.id = $1 GROUP BY c.id RETURNING id";
    pq_params p = {0};
    pp_int(&p, case_id);
    pp_text(&p, action);
    pp_text(&p, from);
    pp_text(&p, to);
    pp_id(&p, actor);
    pp_text(&p, pub ? NULL : note);
    pp_bool(&p, pub);
    pp_int(&p, now);
    pp_text(&p, pub ? note : NULL);
    return run_id(c, sql, &p, id, "svc_event");
}

/* ERR_CONFLICT unless the request's case is in status (NULL: any); locks
 * the case row. */
static err_t expect(pconn_t *c, int64_t case_id, const char *status)
{
    static const char sql[] = "SELECT c.status FROM cases c JOIN service_requests r"
                              " ON r.case_id = c.id WHERE c.id = $1 FOR UPDATE OF c";
    pq_params p = {0};
    PGresult *r = NULL;
    pp_int(&p, case_id);
    err_t e = pq_run(c, sql, &p, &r, "svc_expect");
    if (e == ERR_OK && PQntuples(r) == 0)
        e = ERR_NOT_FOUND;
    if (e == ERR_OK && status && strcmp(PQgetvalue(r, 0, 0), status) != 0)
        e = ERR_CONFLICT;
    PQclear(r);
    return e;
}

static err_t move(pconn_t *c, int64_t case_id, const char *from, const char *to, int64_t now)
{
    static const char sql[] =
        "UPDATE cases SET status = $3, updated_at = $4 WHERE id = $1 AND status = $2";
    pq_params p = {0};
    int64_t changed = 0;
    pp_int(&p, case_id);
    pp_text(&p, from);
    pp_text(&p, to);
    pp_int(&p, now);
    err_t e = run(c, sql, &p, &changed, "svc_move");
    return e == ERR_OK && changed == 0 ? ERR_CONFLICT : e;
}

err_t pg_svc_event(store_t *s, int64_t case_id, const char *expect_status, const char *action,
                   int64_t actor_id, const char *note, int64_t now)
{
    pconn_t *c = pq_get(s);
    if (!c)
        return ERR_UNAVAILABLE;
    err_t e = pq_begin(c);
    if (e == ERR_OK && expect_status)
        e = expect(c, case_id, expect_status);
    if (e == ERR_OK)
        e = add_event(c, case_id, action, NULL, NULL, actor_id, note, false, now, NULL);
    if (e == ERR_OK)
        e = pq_commit(c);
    pq_rollback(c);
    pq_put(s, c);
    return e;
}

static err_t put_check(pconn_t *c, int64_t case_id, int64_t doc, const char *verdict,
                       const char *reason, int64_t actor, int64_t now)
{
    static const char sql[] =
        "INSERT INTO service_checks (case_id, document_id, verdict, reason, actor_id,"
        " updated_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (case_id, document_id)"
        " DO UPDATE SET verdict = excluded.verdict, reason = excluded.reason,"
        " actor_id = excluded.actor_id, updated_at = excluded.updated_at";
    pq_params p = {0};
    pp_int(&p, case_id);
    pp_int(&p, doc);
    pp_text(&p, verdict);
    pp_text(&p, reason);
    pp_id(&p, actor);
    pp_int(&p, now);
    return run(c, sql, &p, NULL, "svc_check");
}

err_t pg_svc_verdict(store_t *s, int64_t case_id, const char *expect_status, int64_t document_id,
                     const char *verdict, const char *reason, int64_t actor_id, int64_t now)
{
    pconn_t *c = pq_get(s);
    if (!c)
        return ERR_UNAVAILABLE;
    err_t e = pq_begin(c);
    if (e == ERR_OK)
        e = expect(c, case_id, expect_status);
    if (e == ERR_OK)
        e = put_check(c, case_id, document_id, verdict, reason, actor_id, now);
    if (e == ERR_OK)
        e = add_event(c, case_id,
                      strcmp(verdict, "accepted") ? "document_rejected" : "document_accepted", NULL,
                      NULL, actor_id, reason, false, now, NULL);
    if (e == ERR_OK)
        e = pq_commit(c);
    pq_rollback(c);
    pq_put(s, c);
    return e;
}

err_t pg_svc_request_more(store_t *s, int64_t case_id, const char *expect_status, int64_t actor_id,
                          const char *note, const int64_t *missing, size_t nmissing,
                          const char *missing_reason, const char *conv_state, int64_t now,
                          int64_t *event_id)
{
    static const char count[] =
        "UPDATE service_requests SET resubmissions = resubmissions + 1 WHERE case_id = $1";
    static const char conv[] =
        "UPDATE wa_conversations SET state = $2, version = version + 1, updated_at = $3"
        " WHERE (agency_id, wa_id) IN (SELECT c.agency_id, r.wa_id FROM cases c"
        " JOIN reporters r ON r.id = c.reporter_id WHERE c.id = $1)";
    pconn_t *c = pq_get(s);
    if (!c)
        return ERR_UNAVAILABLE;
    err_t e = pq_begin(c);
    if (e == ERR_OK)
        e = expect(c, case_id, expect_status);
    if (e == ERR_OK)
        e = move(c, case_id, expect_status, "incomplete", now);
    if (e == ERR_OK)
        e = add_event(c, case_id, "incomplete", expect_status, "incomplete", actor_id, note, true,
                      now, event_id);
    for (size_t i = 0; e == ERR_OK && i < nmissing; i++)
        e = put_check(c, case_id, missing[i], "rejected", missing_reason, actor_id, now);
    if (e == ERR_OK) {
        pq_params p = {0};
        pp_int(&p, case_id);
        e = run(c, count, &p, NULL, "svc_count_resubmission");
    }
    if (e == ERR_OK)
        e = pq_wa_queue_status(c, case_id, *event_id, now);
    if (e == ERR_OK) {
        pq_params p = {0};
        pp_int(&p, case_id);
        pp_text(&p, conv_state);
        pp_int(&p, now);
        e = run(c, conv, &p, NULL, "svc_conversation");
    }
    if (e == ERR_OK)
        e = pq_commit(c);
    pq_rollback(c);
    pq_put(s, c);
    return e;
}

err_t pg_svc_issue(store_t *s, int64_t case_id, int64_t actor_id, const char *sha256, int64_t size,
                   const char *filename, const char *payload, const char *template,
                   const char *note, int64_t now, int64_t *attachment_id, int64_t *outbox_id)
{
    static const char att[] =
        "INSERT INTO attachments (case_id, sha256, mime, size_bytes, filename, source, state,"
        " created_at) VALUES ($1, $2, 'application/pdf', $3, $4, 'officer', 'stored', $5)"
        " RETURNING id";
    static const char target[] =
        "SELECT c.agency_id, COALESCE(w.phone_number_id, (SELECT MIN(n.phone_number_id)"
        " FROM agency_numbers n WHERE n.agency_id = c.agency_id)), r.wa_id FROM cases c"
        " JOIN reporters r ON r.id = c.reporter_id LEFT JOIN wa_conversations w"
        " ON w.agency_id = c.agency_id AND w.wa_id = r.wa_id"
        " WHERE c.id = $1 AND c.channel = 'whatsapp' AND r.wa_id IS NOT NULL";
    static const char out_sql[] =
        "INSERT INTO wa_outbox (agency_id, phone_number_id, to_wa_id, case_id, kind, payload,"
        " template, created_at, updated_at) VALUES ($1, $2, $3, $4, 'document', $5, $6, $7, $7)"
        " RETURNING id";
    static const char req[] =
        "UPDATE service_requests SET issued_at = $2, issued_by = $3, issued_attachment_id = $4,"
        " issued_outbox_id = $5 WHERE case_id = $1";
    pconn_t *c = pq_get(s);
    if (!c)
        return ERR_UNAVAILABLE;
    PGresult *r = NULL;
    err_t e = pq_begin(c);
    if (e == ERR_OK)
        e = expect(c, case_id, "processing");
    if (e == ERR_OK) {
        pq_params p = {0};
        pp_int(&p, case_id);
        e = pq_run(c, target, &p, &r, "svc_target");
    }
    if (e == ERR_OK && (PQntuples(r) == 0 || pq_null(r, 0, 1)))
        e = ERR_NOT_FOUND;
    if (e == ERR_OK)
        e = move(c, case_id, "processing", "issued", now);
    if (e == ERR_OK)
        e = add_event(c, case_id, "issue", "processing", "issued", actor_id, note, true, now, NULL);
    if (e == ERR_OK) {
        pq_params p = {0};
        pp_int(&p, case_id);
        pp_text(&p, sha256);
        pp_int(&p, size);
        pp_text(&p, filename);
        pp_int(&p, now);
        e = run_id(c, att, &p, attachment_id, "svc_issued_file");
    }
    if (e == ERR_OK) {
        pq_params p = {0};
        pp_int(&p, pq_int(r, 0, 0));
        pp_text(&p, PQgetvalue(r, 0, 1));
        pp_text(&p, PQgetvalue(r, 0, 2));
        pp_int(&p, case_id);
        pp_text(&p, payload);
        pp_text(&p, template);
        pp_int(&p, now);
        e = run_id(c, out_sql, &p, outbox_id, "svc_issued_outbox");
    }
    if (e == ERR_OK) {
        pq_params p = {0};
        pp_int(&p, case_id);
        pp_int(&p, now);
        pp_id(&p, actor_id);
        pp_int(&p, *attachment_id);
        pp_int(&p, *outbox_id);
        e = run(c, req, &p, NULL, "svc_issued");
    }
    PQclear(r);
    if (e == ERR_OK)
        e = pq_commit(c);
    pq_rollback(c);
    pq_put(s, c);
    return e;
}

err_t pg_svc_outbox_file(store_t *s, arena_t *ar, int64_t outbox_id, const char **sha256,
                         const char **filename)
{
    static const char sql[] = "SELECT a.sha256, a.filename FROM service_requests r"
                              " JOIN attachments a ON a.id = r.issued_attachment_id"
                              " WHERE r.issued_outbox_id = $1 AND a.state = 'stored'";
    pconn_t *c = pq_get(s);
    if (!c)
        return ERR_UNAVAILABLE;
    pq_params p = {0};
    PGresult *r = NULL;
    pp_int(&p, outbox_id);
    err_t e = pq_run(c, sql, &p, &r, "svc_outbox_file");
    if (e == ERR_OK && PQntuples(r) == 0)
        e = ERR_NOT_FOUND;
    if (e == ERR_OK) {
        *sha256 = pq_text(ar, r, 0, 0);
        *filename = pq_text(ar, r, 0, 1);
    }
    PQclear(r);
    pq_put(s, c);
    return e;
}

err_t pg_svc_expire(store_t *s, arena_t *ar, int64_t before, int64_t now, const char ***sha,
                    size_t *n, size_t *files)
{
    static const char pick[] =
        "SELECT a.id, a.sha256, a.case_id FROM attachments a JOIN cases c ON c.id = a.case_id"
        " JOIN service_requests r ON r.case_id = c.id WHERE c.status IN ('closed', 'rejected',"
        " 'issued') AND c.updated_at < $1 AND a.state <> 'deleted' ORDER BY a.id LIMIT $2"
        " FOR UPDATE OF a SKIP LOCKED";
    static const char del[] = "UPDATE attachments SET state = 'deleted' WHERE id = $1";
    static const char mark[] =
        "UPDATE service_requests SET files_deleted_at = $1 WHERE case_id = $2";
    static const char used[] = "SELECT 1 FROM attachments WHERE sha256 = $1"
                               " AND state IN ('stored', 'pending') LIMIT 1";
    pconn_t *c = pq_get(s);
    if (!c)
        return ERR_UNAVAILABLE;
    PGresult *r = NULL;
    pq_params p = {0};
    size_t cnt = 0, out_n = 0;
    const char **list = NULL;
    *sha = NULL;
    *n = *files = 0;
    pp_int(&p, before);
    pp_int(&p, EXPIRE_BATCH);
    err_t e = pq_begin(c);
    if (e == ERR_OK)
        e = pq_run(c, pick, &p, &r, "svc_expire");
    if (e == ERR_OK)
        cnt = (size_t)PQntuples(r);
    if (cnt) {
        list = arena_alloc(ar, cnt * sizeof *list);
        if (!list)
            e = ERR_NOMEM;
    }
    for (size_t i = 0; e == ERR_OK && i < cnt; i++) {
        int64_t case_id = pq_int(r, (int)i, 2);
        pq_params q = {0};
        pp_int(&q, pq_int(r, (int)i, 0));
        e = run(c, del, &q, NULL, "svc_expire_file");
        if (e == ERR_OK && (i == 0 || case_id != pq_int(r, (int)i - 1, 2))) {
            pq_params m = {0};
            pp_int(&m, now);
            pp_int(&m, case_id);
            e = run(c, mark, &m, NULL, "svc_expire_mark");
            if (e == ERR_OK)
                e = add_event(c, case_id, "files_deleted", NULL, NULL, 0, "retention period ended",
                              false, now, NULL);
        }
    }
    for (size_t i = 0; e == ERR_OK && i < cnt; i++) {
        const char *hex = pq_text(ar, r, (int)i, 1);
        bool dup = !hex;
        for (size_t k = 0; k < out_n && !dup; k++)
            dup = strcmp(list[k], hex) == 0;
        if (dup)
            continue;
        pq_params q = {0};
        PGresult *u = NULL;
        pp_text(&q, hex);
        e = pq_run(c, used, &q, &u, "svc_sha_used");
        if (e == ERR_OK && PQntuples(u) == 0)
            list[out_n++] = hex;
        PQclear(u);
    }
    PQclear(r);
    if (e == ERR_OK)
        e = pq_commit(c);
    if (e == ERR_OK) {
        *sha = list;
        *n = out_n;
        *files = cnt;
    }
    pq_rollback(c);
    pq_put(s, c);
    return e;
}

static void read_row(arena_t *ar, PGresult *r, int i, void *elem)
{
    store_svc_row *v = elem;
    v->case_id = pq_int(r, i, 0);
    v->category_id = pq_int(r, i, 1);
    v->agency_id = pq_int(r, i, 2);
    v->issued_by = pq_int(r, i, 3);
    v->code = pq_text(ar, r, i, 4);
    v->name_id = pq_text(ar, r, i, 5);
    v->name_en = pq_text(ar, r, i, 6);
    v->operator_name = pq_text(ar, r, i, 7);
    v->target_hours = (int)pq_int(r, i, 8);
    v->submitted_at = pq_int(r, i, 9);
    v->issued_at = pq_int(r, i, 10);
    v->resubmissions = (int)pq_int(r, i, 11);
}

err_t pg_svc_rows(store_t *s, arena_t *ar, int64_t agency_id, int64_t from, int64_t to,
                  store_svc_row **out, size_t *n)
{
    static const char sql[] =
        "SELECT c.id, k.id, c.agency_id, r.issued_by, k.code, k.name_id, k.name_en, u.name,"
        " k.sla_hours, r.submitted_at, COALESCE(r.issued_at, 0), r.resubmissions"
        " FROM service_requests r JOIN cases c ON c.id = r.case_id"
        " JOIN categories k ON k.id = c.category_id LEFT JOIN users u ON u.id = r.issued_by"
        " WHERE ($1::bigint = 0 OR c.agency_id = $1) AND ($2::bigint = 0 OR r.submitted_at >= $2)"
        " AND ($3::bigint = 0 OR r.submitted_at < $3) ORDER BY c.id LIMIT $4";
    pq_params p = {0};
    pp_int(&p, agency_id);
    pp_int(&p, from);
    pp_int(&p, to);
    pp_int(&p, STORE_SVC_ROWS_MAX);
    return pq_list(s, ar, sql, &p, sizeof **out, read_row, (void **)out, n, "svc_rows");
}

/* ---- inside store_wa_apply ---------------------------------------------------- */

err_t pq_svc_wa_apply(void *conn, arena_t *ar, store_wa_effects *fx)
{
    static const char req[] =
        "INSERT INTO service_requests (case_id, nik, applicant_name, consent_at, submitted_at)"
        " VALUES ($1, $2, $3, $4, $5)";
    static const char own[] =
        "SELECT 1 FROM cases c JOIN reporters r ON r.id = c.reporter_id"
        " JOIN service_requests q ON q.case_id = c.id WHERE c.id = $1 AND c.agency_id = $2"
        " AND r.wa_id = $3 AND c.status = 'incomplete' FOR UPDATE OF c";
    static const char file[] =
        "INSERT INTO attachments (case_id, sha256, mime, filename, source, state, media_id,"
        " document_id, created_at) VALUES ($1, $2, $3, $4, 'citizen', 'pending', $5, $6, $7)";
    pconn_t *c = conn;
    const store_svc_effects *v = fx->svc;
    int64_t case_id = v->case_id;
    err_t e = ERR_OK;
    (void)ar;
    if (!case_id && fx->new_case) {
        case_id = fx->new_case->id;
        pq_params p = {0};
        pp_int(&p, case_id);
        pp_text(&p, v->nik);
        pp_text(&p, v->applicant_name);
        pp_int(&p, v->consent_at);
        pp_int(&p, fx->now);
        e = run(c, req, &p, NULL, "svc_request");
        for (size_t i = 0; e == ERR_OK && i < v->nskipped; i++)
            e = put_check(c, case_id, v->skipped[i], "skipped", NULL, 0, fx->now);
    } else if (case_id) {
        pq_params p = {0};
        PGresult *r = NULL;
        pp_int(&p, case_id);
        pp_int(&p, fx->agency_id);
        pp_text(&p, fx->wa_id);
        e = pq_run(c, own, &p, &r, "svc_own");
        if (e == ERR_OK && PQntuples(r) == 0)
            e = ERR_CONFLICT;
        PQclear(r);
    } else {
        return ERR_OK;
    }
    for (size_t i = 0; e == ERR_OK && i < v->nfiles; i++) {
        const store_wa_media *m = &v->files[i].m;
        pq_params p = {0};
        pp_int(&p, case_id);
        pp_text(&p, m->sha256);
        pp_text(&p, m->mime ? m->mime : "application/octet-stream");
        pp_text(&p, m->filename);
        pp_text(&p, m->media_id);
        pp_id(&p, v->files[i].document_id);
        pp_int(&p, fx->now);
        e = run(c, file, &p, NULL, "svc_file");
        if (e == ERR_OK && v->files[i].document_id)
            e = put_check(c, case_id, v->files[i].document_id, "pending", NULL, 0, fx->now);
    }
    if (e == ERR_OK && v->case_id && v->resubmitted)
        e = add_event(c, case_id, "resubmitted", NULL, NULL, 0, NULL, false, fx->now, NULL);
    return e;
}
