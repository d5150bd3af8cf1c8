/* Evidence (issue 18): which files are a reporter's identity documents,
 * whose every view goes to the access log (http/evidence.c). Decided here,
 * from the data, never by the page that shows the file. */
#include "store/q.h"

err_t store_attachment_identity(store_t *s, int64_t id, bool *out)
{
    /* A service request's files are the resident's KTP, KK, akta and what
     * was issued to them; document_id marks the answer to a required one. */
    static const char sql[] =
        "SELECT CASE WHEN a.document_id IS NOT NULL OR EXISTS (SELECT 1 FROM service_requests q"
        " WHERE q.case_id = a.case_id) THEN 1 ELSE 0 END FROM attachments a WHERE a.id = $1";
    int64_t v = 0;
    err_t e = q_one_int(s, sql, &v, Q_INT(id));
    *out = e == ERR_OK && v != 0;
    return e;
}
