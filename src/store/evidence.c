/* Evidence (issue 18): which files are a reporter's identity documents,
 * whose every view goes to the access log (http/evidence.c). Decided here,
 * from the data, never by the page that shows the file. */
#include "store/q.h"

/* Whether attachment a is an identity document, as SQL. */
#define IDENTITY_SQL                                                                               \
    "(a.identity_doc OR a.document_id IS NOT NULL OR EXISTS (SELECT 1 FROM service_requests q"     \
    " WHERE q.case_id = a.case_id))"

err_t store_attachment_identity(store_t *s, int64_t id, bool *out)
{
    /* A service request's files are the resident's KTP, KK, akta and what
     * was issued to them; document_id marks the answer to a required one;
     * identity_doc a file staff marked (0038). */
    static const char sql[] = "SELECT CASE WHEN " IDENTITY_SQL " THEN 1 ELSE 0 END"
                              " FROM attachments a WHERE a.id = $1";
    int64_t v = 0;
    err_t e = q_one_int(s, sql, &v, Q_INT(id));
    *out = e == ERR_OK && v != 0;
    return e;
}

err_t store_attachment_mark_identity(store_t *s, int64_t id, bool identity)
{
    static const char sql[] = "UPDATE attachments SET identity_doc = $2 WHERE id = $1";
    return q_write(s, sql, true, Q_INT(id), Q_BOOL(identity));
}

err_t store_case_identity_files(store_t *s, arena_t *ar, int64_t case_id, int64_t **ids, size_t *n)
{
    static const char sql[] =
        "SELECT a.id FROM attachments a WHERE a.case_id = $1 AND " IDENTITY_SQL " ORDER BY a.id";
    return q_list(s, ar, sql, Q_COL_INT64, ids, n, Q_INT(case_id));
}
