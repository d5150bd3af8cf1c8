/* Civil-registry services and their requests (issue #7): the documents a
 * service asks for, the requests, their checks, the issued document and
 * the expiry of the files. Written once for both engines on store/q.h. */
#include "store/dom.h"
#include "store/svc_int.h"

#include <string.h>

#define EXPIRE_BATCH 200

static const q_field DOC_F[] = {
    QF(INT64, store_svc_doc, id),       QF(INT64, store_svc_doc, category_id),
    QF(INT, store_svc_doc, seq),        QF(TEXT, store_svc_doc, name_id),
    QF(TEXT, store_svc_doc, name_en),   QF(TEXT, store_svc_doc, accepts),
    QF(BOOL, store_svc_doc, mandatory), QF(TEXT, store_svc_doc, help_id),
    QF(TEXT, store_svc_doc, help_en),   QF(BOOL, store_svc_doc, active),
};

err_t store_svc_docs(store_t *s, arena_t *ar, int64_t category_id, bool all, store_svc_doc **out,
                     size_t *n)
{
    static const char sql[] =
        "SELECT id, category_id, seq, name_id, name_en, accepts, mandatory, help_id, help_en,"
        " active FROM service_documents WHERE category_id = $1 AND ($2 OR active = TRUE)"
        " ORDER BY seq, id";
    return q_list(s, ar, sql, DOC_F, out, n, Q_INT(category_id), Q_BOOL(all));
}

typedef struct {
    store_category *k;
    store_svc_doc *docs;
    size_t n;
} save_ctx;

/* The documents' rows: an id updates its row (ERR_NOT_FOUND when it is not
 * the service's), 0 inserts one; every listed document is active, the
 * others retired (kept for earlier requests). */
static err_t save_tx(q_conn *c, void *arg)
{
    static const char ins[] =
        "INSERT INTO categories (agency_id, code, name_id, name_en, kind, sla_hours, active)"
        " SELECT $1, $2, $3, $4, 'service', $5, $6 WHERE $7 = 0 RETURNING id";
    static const char upd[] =
        "UPDATE categories SET code = $2, name_id = $3, name_en = $4, sla_hours = $5,"
        " active = $6 WHERE id = $7 AND agency_id = $1 AND kind = 'service' RETURNING id";
    static const char retire[] =
        "UPDATE service_documents SET active = FALSE WHERE category_id = $1";
    static const char doc_ins[] =
        "INSERT INTO service_documents (category_id, seq, name_id, name_en, accepts, mandatory,"
        " help_id, help_en, active) SELECT $2, $3, $4, $5, $6, $7, $8, $9, TRUE"
        " WHERE $1 = 0 RETURNING id";
    static const char doc_upd[] =
        "UPDATE service_documents SET seq = $3, name_id = $4, name_en = $5, accepts = $6,"
        " mandatory = $7, help_id = $8, help_en = $9, active = TRUE"
        " WHERE id = $1 AND category_id = $2 RETURNING id";
    save_ctx *x = arg;
    store_category *k = x->k;
    err_t e = q_row_int(c, k->id ? upd : ins, &k->id, Q_INT(k->agency_id), Q_TEXT(k->code),
                        Q_TEXT(k->name_id), Q_TEXT(k->name_en), Q_INT(k->sla_hours),
                        Q_BOOL(k->active), Q_INT(k->id));
    if (e == ERR_OK)
        e = q_run(c, retire, NULL, Q_INT(k->id));
    for (size_t i = 0; e == ERR_OK && i < x->n; i++) {
        store_svc_doc *d = &x->docs[i];
        e = q_row_int(c, d->id ? doc_upd : doc_ins, &d->id, Q_INT(d->id), Q_INT(k->id),
                      Q_INT(d->seq), Q_TEXT(d->name_id), Q_TEXT(d->name_en), Q_TEXT(d->accepts),
                      Q_BOOL(d->mandatory), Q_TEXT(d->help_id ? d->help_id : ""),
                      Q_TEXT(d->help_en ? d->help_en : ""));
        d->category_id = k->id;
        d->active = true;
    }
    return e;
}

err_t store_svc_save(store_t *s, store_category *k, store_svc_doc *docs, size_t n)
{
    save_ctx x = {k, docs, n};
    return q_tx(s, save_tx, &x);
}

static const q_field REQUEST_F[] = {
    QF(INT64, store_svc_request, case_id),
    QF(TEXT, store_svc_request, nik),
    QF(TEXT, store_svc_request, applicant_name),
    QF(INT64, store_svc_request, consent_at),
    QF(INT64, store_svc_request, submitted_at),
    QF(INT, store_svc_request, resubmissions),
    QF(INT64, store_svc_request, issued_at),
    QF(INT64, store_svc_request, issued_by),
    QF(INT64, store_svc_request, issued_attachment_id),
    QF(INT64, store_svc_request, issued_outbox_id),
    QF(INT64, store_svc_request, files_deleted_at),
    QF(TEXT, store_svc_request, issued_state),
    QF(TEXT, store_svc_request, issued_delivery),
    QF(TEXT, store_svc_request, issued_error),
    QF(TEXT, store_svc_request, issued_wamid),
};

Q_ONE_FN(store_svc_request_get, store_svc_request, int64_t, Q_INT, REQUEST_F,
         "SELECT r.case_id, r.nik, r.applicant_name, r.consent_at, r.submitted_at,"
         " r.resubmissions, r.issued_at, r.issued_by, r.issued_attachment_id, r.issued_outbox_id,"
         " r.files_deleted_at, o.state, o.delivery, o.last_error, o.provider_id"
         " FROM service_requests r LEFT JOIN outbox o ON o.id = r.issued_outbox_id"
         " WHERE r.case_id = $1")

static const q_field CHECK_F[] = {
    QF(INT64, store_svc_check, document_id), QF(TEXT, store_svc_check, verdict),
    QF(TEXT, store_svc_check, reason),       QF(INT64, store_svc_check, actor_id),
    QF(INT64, store_svc_check, updated_at),
};

Q_LIST_FN(store_svc_checks, store_svc_check, int64_t, Q_INT, CHECK_F,
          "SELECT document_id, verdict, reason, actor_id, updated_at"
          " FROM service_checks WHERE case_id = $1 ORDER BY document_id")

#define FILE_SQL "SELECT " DOM_ATTACHMENT_COLS ", document_id FROM attachments"

static const q_field FILE_F[] = {DOM_ATTACHMENT_F(store_svc_file, a.),
                                 QF(INT64, store_svc_file, document_id)};

Q_LIST_FN(store_svc_files, store_svc_file, int64_t, Q_INT, FILE_F,
          FILE_SQL " WHERE case_id = $1 ORDER BY id")

err_t store_svc_file_get(store_t *s, arena_t *ar, int64_t case_id, int64_t attachment_id,
                         store_svc_file *out)
{
    static const char sql[] = FILE_SQL " WHERE case_id = $1 AND id = $2";
    return q_one(s, ar, sql, FILE_F, out, Q_INT(case_id), Q_INT(attachment_id));
}

/* Locks the request's case: ERR_CONFLICT unless it is in status (NULL:
 * any), ERR_NOT_FOUND when there is no such service request. */
static err_t expect(q_conn *c, int64_t case_id, const char *status)
{
    static const char sql[] = "SELECT CASE WHEN $2 IS NULL OR c.status = $2 THEN 1 ELSE 0 END"
                              " FROM cases c JOIN service_requests r ON r.case_id = c.id"
                              " WHERE c.id = $1 {FOR_UPDATE OF c}";
    int64_t ok = 0;
    err_t e = q_row_int(c, sql, &ok, Q_INT(case_id), Q_TEXT(status));
    return e == ERR_OK && !ok ? ERR_CONFLICT : e;
}

/* The arguments of the staff actions below (each uses some). */
typedef struct {
    int64_t case_id, actor_id, now, document_id;
    const char *expect, *action, *note, *verdict;
    const int64_t *missing;
    size_t nmissing;
    const char *conv_state;
    int64_t event_id; /* out: request_more */
    /* svc_issue */
    const char *sha256, *filename, *message, *template;
    int64_t size, attachment_id, outbox_id;
} act_ctx;

/* Moves the case from `from` to `to` (ERR_CONFLICT when it is not in from)
 * with a public event action: its note (what to send again, the document
 * issued) is what the resident is told. */
static err_t move(q_conn *c, const act_ctx *x, const char *action, const char *from, const char *to,
                  int64_t *event_id)
{
    static const char sql[] =
        "UPDATE cases SET status = $3, updated_at = $4 WHERE id = $1 AND status = $2";
    dom_event ev = {.case_id = x->case_id,
                    .action = action,
                    .from = from,
                    .to = to,
                    .actor_id = x->actor_id,
                    .public_note = x->note,
                    .is_public = true,
                    .now = x->now};
    err_t e = q_must(c, sql, Q_INT(x->case_id), Q_TEXT(from), Q_TEXT(to), Q_INT(x->now));
    if (e == ERR_NOT_FOUND)
        return ERR_CONFLICT;
    return e == ERR_OK ? dom_event_add(c, &ev, event_id) : e;
}

static err_t put_check(q_conn *c, int64_t case_id, int64_t doc, const char *verdict,
                       const char *reason, int64_t actor, int64_t now)
{
    static const char sql[] =
        "INSERT INTO service_checks (case_id, document_id, verdict, reason, actor_id,"
        " updated_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (case_id, document_id)"
        " DO UPDATE SET verdict = excluded.verdict, reason = excluded.reason,"
        " actor_id = excluded.actor_id, updated_at = excluded.updated_at";
    return q_run(c, sql, NULL, Q_INT(case_id), Q_INT(doc), Q_TEXT(verdict), Q_TEXT(reason),
                 Q_ID(actor), Q_INT(now));
}

static err_t event_tx(q_conn *c, void *arg)
{
    act_ctx *x = arg;
    err_t e = x->expect ? expect(c, x->case_id, x->expect) : ERR_OK;
    if (e == ERR_OK)
        e = dom_add_event(c, x->case_id, x->action, NULL, x->actor_id, x->note, false, false,
                          x->now, NULL);
    return e;
}

err_t store_svc_event(store_t *s, int64_t case_id, const char *expect_status, const char *action,
                      int64_t actor_id, const char *note, int64_t now)
{
    act_ctx x = {.case_id = case_id,
                 .actor_id = actor_id,
                 .now = now,
                 .expect = expect_status,
                 .action = action,
                 .note = note};
    return q_tx(s, event_tx, &x);
}

static err_t verdict_tx(q_conn *c, void *arg)
{
    act_ctx *x = arg;
    bool ok = strcmp(x->verdict, "accepted") == 0;
    err_t e = expect(c, x->case_id, x->expect);
    if (e == ERR_OK)
        e = put_check(c, x->case_id, x->document_id, x->verdict, x->note, x->actor_id, x->now);
    if (e == ERR_OK)
        e = dom_add_event(c, x->case_id, ok ? "document_accepted" : "document_rejected", NULL,
                          x->actor_id, x->note, false, false, x->now, NULL);
    return e;
}

err_t store_svc_verdict(store_t *s, int64_t case_id, const char *expect_status, int64_t document_id,
                        const char *verdict, const char *reason, int64_t actor_id, int64_t now)
{
    act_ctx x = {.case_id = case_id,
                 .actor_id = actor_id,
                 .now = now,
                 .document_id = document_id,
                 .expect = expect_status,
                 .verdict = verdict,
                 .note = reason};
    return q_tx(s, verdict_tx, &x);
}

static err_t more_tx(q_conn *c, void *arg)
{
    static const char count[] =
        "UPDATE service_requests SET resubmissions = resubmissions + 1 WHERE case_id = $1";
    static const char conv[] =
        "UPDATE conversations SET state = $2, version = version + 1, updated_at = $3"
        " WHERE (agency_id, channel, address) IN"
        " (SELECT c.agency_id, c.notify_channel, c.notify_address FROM cases c WHERE c.id = $1)";
    act_ctx *x = arg;
    err_t e = expect(c, x->case_id, x->expect);
    if (e == ERR_OK)
        e = move(c, x, "incomplete", x->expect, "incomplete", &x->event_id);
    for (size_t i = 0; e == ERR_OK && i < x->nmissing; i++)
        e = put_check(c, x->case_id, x->missing[i], "rejected", x->verdict, x->actor_id, x->now);
    if (e == ERR_OK)
        e = q_run(c, count, NULL, Q_INT(x->case_id));
    if (e == ERR_OK)
        e = dom_outbox_queue_status(c, x->case_id, x->event_id, x->now);
    if (e == ERR_OK)
        e = q_run(c, conv, NULL, Q_INT(x->case_id), Q_TEXT(x->conv_state), Q_INT(x->now));
    return e;
}

err_t store_svc_request_more(store_t *s, int64_t case_id, const char *expect_status,
                             int64_t actor_id, const char *note, const int64_t *missing,
                             size_t nmissing, const char *missing_reason, const char *conv_state,
                             int64_t now, int64_t *event_id)
{
    act_ctx x = {.case_id = case_id,
                 .actor_id = actor_id,
                 .now = now,
                 .expect = expect_status,
                 .note = note,
                 .missing = missing,
                 .nmissing = nmissing,
                 .verdict = missing_reason,
                 .conv_state = conv_state};
    err_t e = q_tx(s, more_tx, &x);
    if (event_id)
        *event_id = e == ERR_OK ? x.event_id : 0;
    return e;
}

static err_t issue_tx(q_conn *c, void *arg)
{
    static const char att[] =
        "INSERT INTO attachments (case_id, sha256, mime, size_bytes, filename, source, state,"
        " created_at) VALUES ($1, $2, 'application/pdf', $3, $4, 'officer', 'stored', $5)"
        " RETURNING id";
    static const char req[] =
        "UPDATE service_requests SET issued_at = $2, issued_by = $3, issued_attachment_id = $4,"
        " issued_outbox_id = $5 WHERE case_id = $1";
    act_ctx *x = arg;
    err_t e = expect(c, x->case_id, "processing");
    if (e == ERR_OK)
        e = move(c, x, "issue", "processing", "issued", NULL);
    if (e == ERR_OK)
        e = q_row_int(c, att, &x->attachment_id, Q_INT(x->case_id), Q_TEXT(x->sha256),
                      Q_INT(x->size), Q_TEXT(x->filename), Q_INT(x->now));
    /* To the reporter in the conversation the request came from, from its
     * endpoint, else the agency's first number: ERR_NOT_FOUND when there is
     * none of them. */
    dom_notice n = {.case_id = x->case_id,
                    .kind = "document",
                    .message = x->message,
                    .template = x->template,
                    .came_there = true,
                    .now = x->now};
    if (e == ERR_OK)
        e = dom_outbox_notice(c, &n, &x->outbox_id);
    if (e == ERR_OK)
        e = q_run(c, req, NULL, Q_INT(x->case_id), Q_INT(x->now), Q_ID(x->actor_id),
                  Q_INT(x->attachment_id), Q_INT(x->outbox_id));
    return e;
}

err_t store_svc_issue(store_t *s, int64_t case_id, int64_t actor_id, const char *sha256,
                      int64_t size, const char *filename, const char *message, const char *template,
                      const char *note, int64_t now, int64_t *attachment_id, int64_t *outbox_id)
{
    act_ctx x = {.case_id = case_id,
                 .actor_id = actor_id,
                 .now = now,
                 .note = note,
                 .sha256 = sha256,
                 .size = size,
                 .filename = filename,
                 .message = message,
                 .template = template};
    err_t e = q_tx(s, issue_tx, &x);
    *attachment_id = e == ERR_OK ? x.attachment_id : 0;
    *outbox_id = e == ERR_OK ? x.outbox_id : 0;
    return e;
}

typedef struct {
    const char *sha256, *filename;
} outbox_file_row;

err_t store_svc_outbox_file(store_t *s, arena_t *ar, int64_t outbox_id, const char **sha256,
                            const char **filename)
{
    static const char sql[] = "SELECT a.sha256, a.filename FROM service_requests r"
                              " JOIN attachments a ON a.id = r.issued_attachment_id"
                              " WHERE r.issued_outbox_id = $1 AND a.state = 'stored'";
    static const q_field F[] = {QF(TEXT, outbox_file_row, sha256),
                                QF(TEXT, outbox_file_row, filename)};
    outbox_file_row row = {0};
    err_t e = q_one(s, ar, sql, F, &row, Q_INT(outbox_id));
    if (e == ERR_OK) {
        *sha256 = row.sha256;
        *filename = row.filename;
    }
    return e;
}

typedef struct {
    int64_t id;
    const char *sha256;
    int64_t case_id;
} expire_row;

typedef struct {
    arena_t *ar;
    int64_t before, now;
    const char **list; /* out: hashes no other file uses */
    size_t n, files;
} expire_ctx;

static err_t expire_tx(q_conn *c, void *arg)
{
    static const char pick[] =
        "SELECT a.id, a.sha256, a.case_id FROM attachments a JOIN cases c ON c.id = a.case_id"
        " JOIN service_requests r ON r.case_id = c.id WHERE c.status IN ('closed', 'rejected',"
        " 'issued') AND c.updated_at < $1 AND a.state <> 'deleted' ORDER BY a.id LIMIT $2"
        " {SKIP_LOCKED OF a}";
    static const char del[] = "UPDATE attachments SET state = 'deleted' WHERE id = $1";
    static const char mark[] =
        "UPDATE service_requests SET files_deleted_at = $1 WHERE case_id = $2";
    static const char used[] = "SELECT 1 FROM attachments WHERE sha256 = $1"
                               " AND state IN ('stored', 'pending') LIMIT 1";
    static const q_field F[] = {QF(INT64, expire_row, id), QF(TEXT, expire_row, sha256),
                                QF(INT64, expire_row, case_id)};
    expire_ctx *x = arg;
    expire_row *r = NULL;
    size_t cnt = 0;
    err_t e = q_rows(c, x->ar, pick, F, &r, &cnt, Q_INT(x->before), Q_INT(EXPIRE_BATCH));
    for (size_t i = 0; e == ERR_OK && i < cnt; i++) {
        e = q_run(c, del, NULL, Q_INT(r[i].id));
        if (e != ERR_OK || (i > 0 && r[i].case_id == r[i - 1].case_id))
            continue;
        e = q_run(c, mark, NULL, Q_INT(x->now), Q_INT(r[i].case_id));
        if (e == ERR_OK)
            e = dom_add_event(c, r[i].case_id, "files_deleted", NULL, 0, "retention period ended",
                              false, false, x->now, NULL);
    }
    if (e == ERR_OK && cnt && !(x->list = arena_alloc(x->ar, cnt * sizeof *x->list)))
        e = ERR_NOMEM;
    for (size_t i = 0; e == ERR_OK && i < cnt; i++) {
        bool dup = !r[i].sha256;
        for (size_t k = 0; k < x->n && !dup; k++)
            dup = strcmp(x->list[k], r[i].sha256) == 0;
        int64_t one;
        if (!dup && (e = q_row_int(c, used, &one, Q_TEXT(r[i].sha256))) == ERR_NOT_FOUND) {
            x->list[x->n++] = r[i].sha256; /* no other file: the bytes go */
            e = ERR_OK;
        }
    }
    x->files = cnt;
    return e;
}

err_t store_svc_expire(store_t *s, arena_t *ar, int64_t before, int64_t now, const char ***sha,
                       size_t *n, size_t *files)
{
    expire_ctx x = {ar, before, now, NULL, 0, 0};
    err_t e = q_tx(s, expire_tx, &x);
    *sha = e == ERR_OK ? x.list : NULL;
    *n = e == ERR_OK ? x.n : 0;
    *files = e == ERR_OK ? x.files : 0;
    return e;
}

static const q_field ROW_F[] = {
    QF(INT64, store_svc_row, case_id),    QF(INT64, store_svc_row, category_id),
    QF(INT64, store_svc_row, agency_id),  QF(INT64, store_svc_row, issued_by),
    QF(TEXT, store_svc_row, code),        QF(TEXT, store_svc_row, name_id),
    QF(TEXT, store_svc_row, name_en),     QF(TEXT, store_svc_row, operator_name),
    QF(INT, store_svc_row, target_hours), QF(INT64, store_svc_row, submitted_at),
    QF(INT64, store_svc_row, issued_at),  QF(INT, store_svc_row, resubmissions),
};

err_t store_svc_rows(store_t *s, arena_t *ar, int64_t agency_id, int64_t from, int64_t to,
                     store_svc_row **out, size_t *n)
{
    static const char sql[] =
        "SELECT c.id, k.id, c.agency_id, r.issued_by, k.code, k.name_id, k.name_en, u.name,"
        " k.sla_hours, r.submitted_at, COALESCE(r.issued_at, 0), r.resubmissions"
        " FROM service_requests r JOIN cases c ON c.id = r.case_id"
        " JOIN categories k ON k.id = c.category_id LEFT JOIN users u ON u.id = r.issued_by"
        " WHERE ($1 = 0 OR c.agency_id = $1) AND ($2 = 0 OR r.submitted_at >= $2)"
        " AND ($3 = 0 OR r.submitted_at < $3) ORDER BY c.id LIMIT $4";
    return q_list(s, ar, sql, ROW_F, out, n, Q_INT(agency_id), Q_INT(from), Q_INT(to),
                  Q_INT(STORE_SVC_ROWS_MAX));
}

/* ---- inside store_dialog_apply ---------------------------------------------------- */

err_t svc_dialog_apply(q_conn *c, arena_t *ar, store_dialog_effects *fx)
{
    static const char req[] =
        "INSERT INTO service_requests (case_id, nik, applicant_name, consent_at, submitted_at)"
        " VALUES ($1, $2, $3, $4, $5)";
    /* The request must still be this citizen's and wait for files. */
    static const char own[] =
        "SELECT c.id FROM cases c"
        " JOIN service_requests q ON q.case_id = c.id WHERE c.id = $1 AND c.agency_id = $2"
        " AND c.notify_address = $3 AND c.status = 'incomplete' {FOR_UPDATE OF c}";
    static const char file[] =
        "INSERT INTO attachments (case_id, sha256, mime, filename, source, state, media_id,"
        " document_id, created_at, channel)"
        " VALUES ($1, $2, $3, $4, 'citizen', 'pending', $5, $6, $7, $8)";
    const store_svc_effects *v = fx->svc;
    int64_t case_id = v->case_id, own_n = 0;
    err_t e = ERR_OK;
    (void)ar;
    if (!case_id && fx->new_case) {
        case_id = fx->new_case->id;
        e = q_run(c, req, NULL, Q_INT(case_id), Q_TEXT(v->nik), Q_TEXT(v->applicant_name),
                  Q_INT(v->consent_at), Q_INT(fx->now));
        for (size_t i = 0; e == ERR_OK && i < v->nskipped; i++)
            e = put_check(c, case_id, v->skipped[i], "skipped", NULL, 0, fx->now);
    } else if (case_id) {
        e = q_row_int(c, own, &own_n, Q_INT(case_id), Q_INT(fx->agency_id), Q_TEXT(fx->address));
        e = e == ERR_NOT_FOUND ? ERR_CONFLICT : e;
    } else {
        return ERR_OK;
    }
    for (size_t i = 0; e == ERR_OK && i < v->nfiles; i++) {
        const store_media *m = &v->files[i].m;
        e = q_run(c, file, NULL, Q_INT(case_id), Q_TEXT(m->sha256),
                  Q_TEXT(m->mime ? m->mime : "application/octet-stream"), Q_TEXT(m->filename),
                  Q_TEXT(m->media_id), Q_ID(v->files[i].document_id), Q_INT(fx->now),
                  Q_TEXT(fx->channel));
        if (e == ERR_OK && v->files[i].document_id)
            e = put_check(c, case_id, v->files[i].document_id, "pending", NULL, 0, fx->now);
    }
    if (e == ERR_OK && v->case_id && v->resubmitted)
        e = dom_add_event(c, case_id, "resubmitted", NULL, 0, NULL, false, false, fx->now, NULL);
    return e;
}
