/* The SQLite store: civil-registry services and their requests (issue #7). */
#include "store/sqlite_int.h"
#include "store/svc_int.h"

#include <stdio.h>
#include <string.h>

#define EXPIRE_BATCH 200

static void read_doc(arena_t *ar, sqlite3_stmt *st, void *elem)
{
    store_svc_doc *v = elem;
    v->id = sq_int(st, 0);
    v->category_id = sq_int(st, 1);
    v->seq = (int)sq_int(st, 2);
    v->name_id = sq_text(ar, st, 3);
    v->name_en = sq_text(ar, st, 4);
    v->accepts = sq_text(ar, st, 5);
    v->mandatory = sq_int(st, 6) != 0;
    v->help_id = sq_text(ar, st, 7);
    v->help_en = sq_text(ar, st, 8);
    v->active = sq_int(st, 9) != 0;
}

err_t sq_svc_docs(store_t *s, arena_t *ar, int64_t category_id, bool all, store_svc_doc **out,
                  size_t *n)
{
    static const char sql[] =
        "SELECT id, category_id, seq, name_id, name_en, accepts, mandatory, help_id, help_en,"
        " active FROM service_documents WHERE category_id = ?1 AND (?2 OR active = 1)"
        " ORDER BY seq, id";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, category_id);
    sqlite3_bind_int(st, 2, all ? 1 : 0);
    e = sq_collect(c, st, ar, sizeof **out, read_doc, (void **)out, n, "svc_docs");
out:
    sq_put(s, c);
    return e;
}

static err_t save_doc(conn_t *c, int64_t category_id, store_svc_doc *d)
{
    static const char upd[] =
        "UPDATE service_documents SET seq = ?3, name_id = ?4, name_en = ?5, accepts = ?6,"
        " mandatory = ?7, help_id = ?8, help_en = ?9, active = 1"
        " WHERE id = ?1 AND category_id = ?2";
    static const char ins[] =
        "INSERT INTO service_documents (id, category_id, seq, name_id, name_en, accepts,"
        " mandatory, help_id, help_en, active) VALUES (NULLIF(?1, 0), ?2, ?3, ?4, ?5, ?6, ?7,"
        " ?8, ?9, 1)";
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    SQ_PREP(c, st, d->id ? upd : ins);
    sqlite3_bind_int64(st, 1, d->id);
    sqlite3_bind_int64(st, 2, category_id);
    sqlite3_bind_int(st, 3, d->seq);
    sq_bind_text(st, 4, d->name_id);
    sq_bind_text(st, 5, d->name_en);
    sq_bind_text(st, 6, d->accepts);
    sqlite3_bind_int(st, 7, d->mandatory ? 1 : 0);
    sq_bind_text(st, 8, d->help_id ? d->help_id : "");
    sq_bind_text(st, 9, d->help_en ? d->help_en : "");
    e = sq_exec_stmt(c, st, "svc_doc_save");
    if (e == ERR_OK && d->id && sqlite3_changes(c->db) == 0)
        e = ERR_NOT_FOUND;
    if (e == ERR_OK && !d->id)
        d->id = sqlite3_last_insert_rowid(c->db);
    d->category_id = category_id;
    d->active = true;
out:
    return e;
}

err_t sq_svc_save(store_t *s, store_category *k, store_svc_doc *docs, size_t n)
{
    static const char ins[] = "INSERT INTO categories (agency_id, code, name_id, name_en, kind,"
                              " sla_hours, active) VALUES (?1, ?2, ?3, ?4, 'service', ?5, ?6)";
    static const char upd[] =
        "UPDATE categories SET code = ?2, name_id = ?3, name_en = ?4, sla_hours = ?5,"
        " active = ?6 WHERE id = ?7 AND agency_id = ?1 AND kind = 'service'";
    static const char retire[] = "UPDATE service_documents SET active = 0 WHERE category_id = ?";
    conn_t *c = sq_get(s);
    err_t e = sq_begin(c);
    sqlite3_stmt *st;
    if (e != ERR_OK)
        goto out;
    SQ_PREP(c, st, k->id ? upd : ins);
    sqlite3_bind_int64(st, 1, k->agency_id);
    sq_bind_text(st, 2, k->code);
    sq_bind_text(st, 3, k->name_id);
    sq_bind_text(st, 4, k->name_en);
    sqlite3_bind_int(st, 5, k->sla_hours);
    sqlite3_bind_int(st, 6, k->active ? 1 : 0);
    if (k->id)
        sqlite3_bind_int64(st, 7, k->id);
    e = sq_exec_stmt(c, st, "svc_save");
    if (e == ERR_OK && k->id && sqlite3_changes(c->db) == 0)
        e = ERR_NOT_FOUND;
    if (e == ERR_OK && !k->id)
        k->id = sqlite3_last_insert_rowid(c->db);
    if (e != ERR_OK)
        goto out;
    SQ_PREP(c, st, retire);
    sqlite3_bind_int64(st, 1, k->id);
    e = sq_exec_stmt(c, st, "svc_retire");
    for (size_t i = 0; e == ERR_OK && i < n; i++)
        e = save_doc(c, k->id, &docs[i]);
    if (e == ERR_OK)
        e = sq_commit(c);
out:
    sq_rollback(c);
    sq_put(s, c);
    return e;
}

err_t sq_svc_request_get(store_t *s, arena_t *ar, int64_t case_id, store_svc_request *out)
{
    static const char sql[] =
        "SELECT r.case_id, r.nik, r.applicant_name, r.consent_at, r.submitted_at,"
        " r.resubmissions, r.issued_at, r.issued_by, r.issued_attachment_id, r.issued_outbox_id,"
        " r.files_deleted_at, o.state, o.delivery, o.last_error, o.wamid FROM service_requests r"
        " LEFT JOIN wa_outbox o ON o.id = r.issued_outbox_id WHERE r.case_id = ?";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, case_id);
    e = sq_step_row(c, st, "svc_request_get");
    if (e == ERR_OK) {
        out->case_id = sq_int(st, 0);
        out->nik = sq_text(ar, st, 1);
        out->applicant_name = sq_text(ar, st, 2);
        out->consent_at = sq_int(st, 3);
        out->submitted_at = sq_int(st, 4);
        out->resubmissions = (int)sq_int(st, 5);
        out->issued_at = sq_int(st, 6);
        out->issued_by = sq_int(st, 7);
        out->issued_attachment_id = sq_int(st, 8);
        out->issued_outbox_id = sq_int(st, 9);
        out->files_deleted_at = sq_int(st, 10);
        out->issued_state = sq_text(ar, st, 11);
        out->issued_delivery = sq_text(ar, st, 12);
        out->issued_error = sq_text(ar, st, 13);
        out->issued_wamid = sq_text(ar, st, 14);
    }
    sqlite3_reset(st);
out:
    sq_put(s, c);
    return e;
}

static void read_check(arena_t *ar, sqlite3_stmt *st, void *elem)
{
    store_svc_check *v = elem;
    v->document_id = sq_int(st, 0);
    v->verdict = sq_text(ar, st, 1);
    v->reason = sq_text(ar, st, 2);
    v->actor_id = sq_int(st, 3);
    v->updated_at = sq_int(st, 4);
}

err_t sq_svc_checks(store_t *s, arena_t *ar, int64_t case_id, store_svc_check **out, size_t *n)
{
    static const char sql[] = "SELECT document_id, verdict, reason, actor_id, updated_at"
                              " FROM service_checks WHERE case_id = ? ORDER BY document_id";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, case_id);
    e = sq_collect(c, st, ar, sizeof **out, read_check, (void **)out, n, "svc_checks");
out:
    sq_put(s, c);
    return e;
}

#define FILE_COLS                                                                                  \
    "SELECT id, case_id, sha256, mime, filename, source, state, size_bytes, created_at,"           \
    " document_id FROM attachments"

static void read_file(arena_t *ar, sqlite3_stmt *st, void *elem)
{
    store_svc_file *v = elem;
    v->a.id = sq_int(st, 0);
    v->a.case_id = sq_int(st, 1);
    v->a.sha256 = sq_text(ar, st, 2);
    v->a.mime = sq_text(ar, st, 3);
    v->a.filename = sq_text(ar, st, 4);
    v->a.source = sq_text(ar, st, 5);
    v->a.state = sq_text(ar, st, 6);
    v->a.size_bytes = sq_int(st, 7);
    v->a.created_at = sq_int(st, 8);
    v->document_id = sq_int(st, 9);
}

err_t sq_svc_files(store_t *s, arena_t *ar, int64_t case_id, store_svc_file **out, size_t *n)
{
    static const char sql[] = FILE_COLS " WHERE case_id = ? ORDER BY id";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, case_id);
    e = sq_collect(c, st, ar, sizeof **out, read_file, (void **)out, n, "svc_files");
out:
    sq_put(s, c);
    return e;
}

err_t sq_svc_file_get(store_t *s, arena_t *ar, int64_t case_id, int64_t attachment_id,
                      store_svc_file *out)
{
    static const char sql[] = FILE_COLS " WHERE case_id = ? AND id = ?";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, case_id);
    sqlite3_bind_int64(st, 2, attachment_id);
    e = sq_step_row(c, st, "svc_file_get");
    if (e == ERR_OK)
        read_file(ar, st, out);
    sqlite3_reset(st);
out:
    sq_put(s, c);
    return e;
}

/* Inside a transaction: appends an event; from/to NULL keep the case's
 * status. *id (may be NULL) gets the event's id. The note of a public event
 * (what to send again, the document issued) is what the resident is told:
 * its public_note; of an internal one, staff's. */
static err_t add_event(conn_t *c, int64_t case_id, const char *action, const char *from,
                       const char *to, int64_t actor, const char *note, bool pub, int64_t now,
                       int64_t *id)
{
    static const char sql[] =
        "INSERT INTO case_events (case_id, seq, action, from_status, to_status, actor_id, note,"
        " is_public, created_at, public_note) SELECT ?1, COALESCE(MAX(e.seq), 0) + 1, ?2,"
        " COALESCE(?3, c.status), COALESCE(?4, c.status), ?5, ?6, ?7, ?8, ?9 FROM cases c"
        " LEFT JOIN case_events e ON e.case_id = c.id WHERE c.id = ?1 GROUP BY c.id";
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, case_id);
    sq_bind_text(st, 2, action);
    sq_bind_text(st, 3, from);
    sq_bind_text(st, 4, to);
    sq_bind_id(st, 5, actor);
    sq_bind_text(st, 6, pub ? NULL : note);
    sqlite3_bind_int(st, 7, pub ? 1 : 0);
    sqlite3_bind_int64(st, 8, now);
    sq_bind_text(st, 9, pub ? note : NULL);
    e = sq_exec_stmt(c, st, "svc_event");
    if (e == ERR_OK && sqlite3_changes(c->db) == 0)
        e = ERR_NOT_FOUND;
    if (e == ERR_OK && id)
        *id = sqlite3_last_insert_rowid(c->db);
out:
    return e;
}

/* Inside a transaction: ERR_CONFLICT unless the case is in status (NULL:
 * any), ERR_NOT_FOUND when there is no such service request. */
static err_t expect(conn_t *c, int64_t case_id, const char *status)
{
    static const char sql[] = "SELECT c.status FROM cases c JOIN service_requests r"
                              " ON r.case_id = c.id WHERE c.id = ?";
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, case_id);
    e = sq_step_row(c, st, "svc_expect");
    if (e == ERR_OK && status && strcmp((const char *)sqlite3_column_text(st, 0), status) != 0)
        e = ERR_CONFLICT;
    sqlite3_reset(st);
out:
    return e;
}

/* Inside a transaction: moves the case from `from` to `to`. */
static err_t move(conn_t *c, int64_t case_id, const char *from, const char *to, int64_t now)
{
    static const char sql[] =
        "UPDATE cases SET status = ?3, updated_at = ?4 WHERE id = ?1 AND status = ?2";
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, case_id);
    sq_bind_text(st, 2, from);
    sq_bind_text(st, 3, to);
    sqlite3_bind_int64(st, 4, now);
    e = sq_exec_stmt(c, st, "svc_move");
    if (e == ERR_OK && sqlite3_changes(c->db) == 0)
        e = ERR_CONFLICT;
out:
    return e;
}

err_t sq_svc_event(store_t *s, int64_t case_id, const char *expect_status, const char *action,
                   int64_t actor_id, const char *note, int64_t now)
{
    conn_t *c = sq_get(s);
    err_t e = sq_begin(c);
    if (e == ERR_OK && expect_status)
        e = expect(c, case_id, expect_status);
    if (e == ERR_OK)
        e = add_event(c, case_id, action, NULL, NULL, actor_id, note, false, now, NULL);
    if (e == ERR_OK)
        e = sq_commit(c);
    sq_rollback(c);
    sq_put(s, c);
    return e;
}

static err_t put_check(conn_t *c, int64_t case_id, int64_t doc, const char *verdict,
                       const char *reason, int64_t actor, int64_t now)
{
    static const char sql[] =
        "INSERT INTO service_checks (case_id, document_id, verdict, reason, actor_id,"
        " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (case_id, document_id)"
        " DO UPDATE SET verdict = excluded.verdict, reason = excluded.reason,"
        " actor_id = excluded.actor_id, updated_at = excluded.updated_at";
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, case_id);
    sqlite3_bind_int64(st, 2, doc);
    sq_bind_text(st, 3, verdict);
    sq_bind_text(st, 4, reason);
    sq_bind_id(st, 5, actor);
    sqlite3_bind_int64(st, 6, now);
    e = sq_exec_stmt(c, st, "svc_check");
out:
    return e;
}

err_t sq_svc_verdict(store_t *s, int64_t case_id, const char *expect_status, int64_t document_id,
                     const char *verdict, const char *reason, int64_t actor_id, int64_t now)
{
    conn_t *c = sq_get(s);
    err_t e = sq_begin(c);
    if (e == ERR_OK)
        e = expect(c, case_id, expect_status);
    if (e == ERR_OK)
        e = put_check(c, case_id, document_id, verdict, reason, actor_id, now);
    if (e == ERR_OK)
        e = add_event(c, case_id,
                      strcmp(verdict, "accepted") ? "document_rejected" : "document_accepted", NULL,
                      NULL, actor_id, reason, false, now, NULL);
    if (e == ERR_OK)
        e = sq_commit(c);
    sq_rollback(c);
    sq_put(s, c);
    return e;
}

err_t sq_svc_request_more(store_t *s, int64_t case_id, const char *expect_status, int64_t actor_id,
                          const char *note, const int64_t *missing, size_t nmissing,
                          const char *missing_reason, const char *conv_state, int64_t now,
                          int64_t *event_id)
{
    static const char count[] =
        "UPDATE service_requests SET resubmissions = resubmissions + 1 WHERE case_id = ?";
    static const char conv[] =
        "UPDATE wa_conversations SET state = ?2, version = version + 1, updated_at = ?3"
        " WHERE (agency_id, wa_id) IN (SELECT c.agency_id, r.wa_id FROM cases c"
        " JOIN reporters r ON r.id = c.reporter_id WHERE c.id = ?1)";
    conn_t *c = sq_get(s);
    err_t e = sq_begin(c);
    sqlite3_stmt *st;
    if (e == ERR_OK)
        e = expect(c, case_id, expect_status);
    if (e == ERR_OK)
        e = move(c, case_id, expect_status, "incomplete", now);
    if (e == ERR_OK)
        e = add_event(c, case_id, "incomplete", expect_status, "incomplete", actor_id, note, true,
                      now, event_id);
    for (size_t i = 0; e == ERR_OK && i < nmissing; i++)
        e = put_check(c, case_id, missing[i], "rejected", missing_reason, actor_id, now);
    if (e != ERR_OK)
        goto out;
    SQ_PREP(c, st, count);
    sqlite3_bind_int64(st, 1, case_id);
    e = sq_exec_stmt(c, st, "svc_count_resubmission");
    if (e == ERR_OK)
        e = sq_wa_queue_status(c, case_id, *event_id, now);
    if (e != ERR_OK)
        goto out;
    SQ_PREP(c, st, conv);
    sqlite3_bind_int64(st, 1, case_id);
    sq_bind_text(st, 2, conv_state);
    sqlite3_bind_int64(st, 3, now);
    e = sq_exec_stmt(c, st, "svc_conversation");
    if (e == ERR_OK)
        e = sq_commit(c);
out:
    sq_rollback(c);
    sq_put(s, c);
    return e;
}

err_t sq_svc_issue(store_t *s, int64_t case_id, int64_t actor_id, const char *sha256, int64_t size,
                   const char *filename, const char *payload, const char *template,
                   const char *note, int64_t now, int64_t *attachment_id, int64_t *outbox_id)
{
    static const char att[] =
        "INSERT INTO attachments (case_id, sha256, mime, size_bytes, filename, source, state,"
        " created_at) VALUES (?, ?, 'application/pdf', ?, ?, 'officer', 'stored', ?)";
    static const char target[] =
        "SELECT c.agency_id, COALESCE(w.phone_number_id, (SELECT MIN(n.phone_number_id)"
        " FROM agency_numbers n WHERE n.agency_id = c.agency_id)), r.wa_id FROM cases c"
        " JOIN reporters r ON r.id = c.reporter_id LEFT JOIN wa_conversations w"
        " ON w.agency_id = c.agency_id AND w.wa_id = r.wa_id"
        " WHERE c.id = ?1 AND c.channel = 'whatsapp' AND r.wa_id IS NOT NULL";
    static const char out_sql[] =
        "INSERT INTO wa_outbox (agency_id, phone_number_id, to_wa_id, case_id, kind, payload,"
        " template, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, 'document', ?5, ?6, ?7, ?7)";
    static const char req[] =
        "UPDATE service_requests SET issued_at = ?2, issued_by = ?3, issued_attachment_id = ?4,"
        " issued_outbox_id = ?5 WHERE case_id = ?1";
    conn_t *c = sq_get(s);
    err_t e = sq_begin(c);
    sqlite3_stmt *st;
    int64_t agency = 0;
    char pnid[64] = "", wa[64] = "";
    if (e == ERR_OK)
        e = expect(c, case_id, "processing");
    if (e != ERR_OK)
        goto out;
    SQ_PREP(c, st, target);
    sqlite3_bind_int64(st, 1, case_id);
    e = sq_step_row(c, st, "svc_target");
    if (e == ERR_OK && sqlite3_column_type(st, 1) == SQLITE_NULL)
        e = ERR_NOT_FOUND;
    if (e == ERR_OK) {
        agency = sq_int(st, 0);
        snprintf(pnid, sizeof pnid, "%s", (const char *)sqlite3_column_text(st, 1));
        snprintf(wa, sizeof wa, "%s", (const char *)sqlite3_column_text(st, 2));
    }
    sqlite3_reset(st);
    if (e == ERR_OK)
        e = move(c, case_id, "processing", "issued", now);
    if (e == ERR_OK)
        e = add_event(c, case_id, "issue", "processing", "issued", actor_id, note, true, now, NULL);
    if (e != ERR_OK)
        goto out;
    SQ_PREP(c, st, att);
    sqlite3_bind_int64(st, 1, case_id);
    sq_bind_text(st, 2, sha256);
    sqlite3_bind_int64(st, 3, size);
    sq_bind_text(st, 4, filename);
    sqlite3_bind_int64(st, 5, now);
    e = sq_exec_stmt(c, st, "svc_issued_file");
    *attachment_id = sqlite3_last_insert_rowid(c->db);
    if (e != ERR_OK)
        goto out;
    SQ_PREP(c, st, out_sql);
    sqlite3_bind_int64(st, 1, agency);
    sq_bind_text(st, 2, pnid);
    sq_bind_text(st, 3, wa);
    sqlite3_bind_int64(st, 4, case_id);
    sq_bind_text(st, 5, payload);
    sq_bind_text(st, 6, template);
    sqlite3_bind_int64(st, 7, now);
    e = sq_exec_stmt(c, st, "svc_issued_outbox");
    *outbox_id = sqlite3_last_insert_rowid(c->db);
    if (e != ERR_OK)
        goto out;
    SQ_PREP(c, st, req);
    sqlite3_bind_int64(st, 1, case_id);
    sqlite3_bind_int64(st, 2, now);
    sq_bind_id(st, 3, actor_id);
    sqlite3_bind_int64(st, 4, *attachment_id);
    sqlite3_bind_int64(st, 5, *outbox_id);
    e = sq_exec_stmt(c, st, "svc_issued");
    if (e == ERR_OK)
        e = sq_commit(c);
out:
    sq_rollback(c);
    sq_put(s, c);
    return e;
}

err_t sq_svc_outbox_file(store_t *s, arena_t *ar, int64_t outbox_id, const char **sha256,
                         const char **filename)
{
    static const char sql[] = "SELECT a.sha256, a.filename FROM service_requests r"
                              " JOIN attachments a ON a.id = r.issued_attachment_id"
                              " WHERE r.issued_outbox_id = ? AND a.state = 'stored'";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, outbox_id);
    e = sq_step_row(c, st, "svc_outbox_file");
    if (e == ERR_OK) {
        *sha256 = sq_text(ar, st, 0);
        *filename = sq_text(ar, st, 1);
    }
    sqlite3_reset(st);
out:
    sq_put(s, c);
    return e;
}

err_t sq_svc_expire(store_t *s, arena_t *ar, int64_t before, int64_t now, const char ***sha,
                    size_t *n, size_t *files)
{
    static const char pick[] =
        "SELECT a.id, a.sha256, a.case_id FROM attachments a JOIN cases c ON c.id = a.case_id"
        " JOIN service_requests r ON r.case_id = c.id WHERE c.status IN ('closed', 'rejected',"
        " 'issued') AND c.updated_at < ?1 AND a.state <> 'deleted' ORDER BY a.id LIMIT ?2";
    static const char del[] = "UPDATE attachments SET state = 'deleted' WHERE id = ?";
    static const char mark[] = "UPDATE service_requests SET files_deleted_at = ? WHERE case_id = ?";
    static const char used[] =
        "SELECT 1 FROM attachments WHERE sha256 = ? AND state IN ('stored', 'pending') LIMIT 1";
    conn_t *c = sq_get(s);
    err_t e = sq_begin(c);
    sqlite3_stmt *st;
    int64_t ids[EXPIRE_BATCH], cases[EXPIRE_BATCH];
    const char *hex[EXPIRE_BATCH];
    size_t cnt = 0, out_n = 0;
    *sha = NULL;
    *n = *files = 0;
    if (e != ERR_OK)
        goto out;
    SQ_PREP(c, st, pick);
    sqlite3_bind_int64(st, 1, before);
    sqlite3_bind_int(st, 2, EXPIRE_BATCH);
    while (cnt < EXPIRE_BATCH && (e = sq_step_row(c, st, "svc_expire")) == ERR_OK) {
        ids[cnt] = sq_int(st, 0);
        hex[cnt] = sq_text(ar, st, 1);
        cases[cnt] = sq_int(st, 2);
        cnt++;
    }
    sqlite3_reset(st);
    if (e == ERR_NOT_FOUND)
        e = ERR_OK;
    for (size_t i = 0; e == ERR_OK && i < cnt; i++) {
        SQ_PREP(c, st, del);
        sqlite3_bind_int64(st, 1, ids[i]);
        e = sq_exec_stmt(c, st, "svc_expire_file");
        if (e == ERR_OK && (i == 0 || cases[i] != cases[i - 1])) {
            SQ_PREP(c, st, mark);
            sqlite3_bind_int64(st, 1, now);
            sqlite3_bind_int64(st, 2, cases[i]);
            e = sq_exec_stmt(c, st, "svc_expire_mark");
            if (e == ERR_OK)
                e = add_event(c, cases[i], "files_deleted", NULL, NULL, 0, "retention period ended",
                              false, now, NULL);
        }
    }
    const char **list = cnt ? arena_alloc(ar, cnt * sizeof *list) : NULL;
    if (cnt && !list)
        e = ERR_NOMEM;
    for (size_t i = 0; e == ERR_OK && i < cnt; i++) {
        if (!hex[i])
            continue;
        bool dup = false;
        for (size_t k = 0; k < out_n && !dup; k++)
            dup = strcmp(list[k], hex[i]) == 0;
        if (dup)
            continue;
        SQ_PREP(c, st, used);
        sq_bind_text(st, 1, hex[i]);
        e = sq_step_row(c, st, "svc_sha_used");
        sqlite3_reset(st);
        if (e == ERR_NOT_FOUND) {
            list[out_n++] = hex[i];
            e = ERR_OK;
        } else if (e == ERR_OK) {
            e = ERR_OK; /* still evidence of another case: the bytes stay */
        }
    }
    if (e == ERR_OK)
        e = sq_commit(c);
    if (e == ERR_OK) {
        *sha = list;
        *n = out_n;
        *files = cnt;
    }
out:
    sq_rollback(c);
    sq_put(s, c);
    return e;
}

static void read_row(arena_t *ar, sqlite3_stmt *st, void *elem)
{
    store_svc_row *v = elem;
    v->case_id = sq_int(st, 0);
    v->category_id = sq_int(st, 1);
    v->agency_id = sq_int(st, 2);
    v->issued_by = sq_int(st, 3);
    v->code = sq_text(ar, st, 4);
    v->name_id = sq_text(ar, st, 5);
    v->name_en = sq_text(ar, st, 6);
    v->operator_name = sq_text(ar, st, 7);
    v->target_hours = (int)sq_int(st, 8);
    v->submitted_at = sq_int(st, 9);
    v->issued_at = sq_int(st, 10);
    v->resubmissions = (int)sq_int(st, 11);
}

err_t sq_svc_rows(store_t *s, arena_t *ar, int64_t agency_id, int64_t from, int64_t to,
                  store_svc_row **out, size_t *n)
{
    static const char sql[] =
        "SELECT c.id, k.id, c.agency_id, r.issued_by, k.code, k.name_id, k.name_en, u.name,"
        " k.sla_hours, r.submitted_at, COALESCE(r.issued_at, 0), r.resubmissions"
        " FROM service_requests r JOIN cases c ON c.id = r.case_id"
        " JOIN categories k ON k.id = c.category_id LEFT JOIN users u ON u.id = r.issued_by"
        " WHERE (?1 = 0 OR c.agency_id = ?1) AND (?2 = 0 OR r.submitted_at >= ?2)"
        " AND (?3 = 0 OR r.submitted_at < ?3) ORDER BY c.id LIMIT ?4";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, agency_id);
    sqlite3_bind_int64(st, 2, from);
    sqlite3_bind_int64(st, 3, to);
    sqlite3_bind_int(st, 4, STORE_SVC_ROWS_MAX);
    e = sq_collect(c, st, ar, sizeof **out, read_row, (void **)out, n, "svc_rows");
out:
    sq_put(s, c);
    return e;
}

/* ---- inside store_wa_apply ---------------------------------------------------- */

static err_t add_file(conn_t *c, int64_t case_id, int64_t doc, const store_wa_media *m, int64_t now)
{
    static const char sql[] =
        "INSERT INTO attachments (case_id, sha256, mime, filename, source, state, media_id,"
        " document_id, created_at) VALUES (?, ?, ?, ?, 'citizen', 'pending', ?, ?, ?)";
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, case_id);
    sq_bind_text(st, 2, m->sha256);
    sq_bind_text(st, 3, m->mime ? m->mime : "application/octet-stream");
    sq_bind_text(st, 4, m->filename);
    sq_bind_text(st, 5, m->media_id);
    sq_bind_id(st, 6, doc);
    sqlite3_bind_int64(st, 7, now);
    e = sq_exec_stmt(c, st, "svc_file");
out:
    return e;
}

/* The request must still be this citizen's and wait for files. */
static err_t own_incomplete(conn_t *c, const store_wa_effects *fx, int64_t case_id)
{
    static const char sql[] =
        "SELECT 1 FROM cases c JOIN reporters r ON r.id = c.reporter_id"
        " JOIN service_requests q ON q.case_id = c.id WHERE c.id = ? AND c.agency_id = ?"
        " AND r.wa_id = ? AND c.status = 'incomplete'";
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, case_id);
    sqlite3_bind_int64(st, 2, fx->agency_id);
    sq_bind_text(st, 3, fx->wa_id);
    e = sq_step_row(c, st, "svc_own");
    sqlite3_reset(st);
    if (e == ERR_NOT_FOUND)
        e = ERR_CONFLICT;
out:
    return e;
}

err_t sq_svc_wa_apply(struct conn *c, arena_t *ar, store_wa_effects *fx)
{
    static const char req[] =
        "INSERT INTO service_requests (case_id, nik, applicant_name, consent_at, submitted_at)"
        " VALUES (?, ?, ?, ?, ?)";
    const store_svc_effects *v = fx->svc;
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    int64_t case_id = v->case_id;
    (void)ar;
    if (!case_id && fx->new_case) {
        case_id = fx->new_case->id;
        SQ_PREP(c, st, req);
        sqlite3_bind_int64(st, 1, case_id);
        sq_bind_text(st, 2, v->nik);
        sq_bind_text(st, 3, v->applicant_name);
        sqlite3_bind_int64(st, 4, v->consent_at);
        sqlite3_bind_int64(st, 5, fx->now);
        e = sq_exec_stmt(c, st, "svc_request");
        for (size_t i = 0; e == ERR_OK && i < v->nskipped; i++)
            e = put_check(c, case_id, v->skipped[i], "skipped", NULL, 0, fx->now);
    } else if (case_id) {
        e = own_incomplete(c, fx, case_id);
    } else {
        return ERR_OK;
    }
    for (size_t i = 0; e == ERR_OK && i < v->nfiles; i++) {
        e = add_file(c, case_id, v->files[i].document_id, &v->files[i].m, fx->now);
        if (e == ERR_OK && v->files[i].document_id)
            e = put_check(c, case_id, v->files[i].document_id, "pending", NULL, 0, fx->now);
    }
    if (e == ERR_OK && v->case_id && v->resubmitted)
        e = add_event(c, case_id, "resubmitted", NULL, NULL, 0, NULL, false, fx->now, NULL);
out:
    return e;
}
