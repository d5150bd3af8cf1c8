/* The audit log (issue 19 §2): append, list, retention. Written once for
 * both engines on store/q.h. The table refuses UPDATE and the DELETE of a
 * young entry by itself (migration 0019), so nothing here could change
 * what was written even by mistake. */
#include "store/q.h"

#include <string.h>

err_t store_audit_add(store_t *s, const store_audit_entry *a)
{
    static const char sql[] = "INSERT INTO audit_log (at, user_id, login, client, action, case_id,"
                              " target, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
    return q_write(s, sql, false, Q_INT(a->at), Q_ID(a->user_id), Q_TEXT(a->login),
                   Q_TEXT(a->client), Q_TEXT(a->action), Q_ID(a->case_id), Q_TEXT(a->target),
                   Q_TEXT(a->detail));
}

static const q_field AUDIT_F[] = {
    QF(INT64, store_audit_entry, id),      QF(INT64, store_audit_entry, at),
    QF(INT64, store_audit_entry, user_id), QF(TEXT, store_audit_entry, login),
    QF(TEXT, store_audit_entry, client),   QF(TEXT, store_audit_entry, action),
    QF(INT64, store_audit_entry, case_id), QF(TEXT, store_audit_entry, target),
    QF(TEXT, store_audit_entry, detail),
};

err_t store_audit_list(store_t *s, arena_t *ar, const store_audit_filter *f,
                       store_audit_entry **out, size_t *n)
{
    static const char sql[] =
        "SELECT id, at, user_id, login, client, action, case_id, target, detail FROM audit_log"
        " WHERE ($1 = 0 OR at >= $1) AND ($2 = 0 OR at < $2) AND ($3 IS NULL OR login = $3)"
        " AND ($4 IS NULL OR action = $4) AND ($5 = 0 OR case_id = $5) AND ($6 = 0 OR id < $6)"
        " AND ($7 = FALSE OR action IN ('identity_document_view', 'identity_document_read'))"
        " ORDER BY id DESC LIMIT $8";
    unsigned limit = f->limit < 1                      ? 1
                     : f->limit > STORE_AUDIT_PAGE_MAX ? STORE_AUDIT_PAGE_MAX
                                                       : f->limit;
    return q_list(s, ar, sql, AUDIT_F, out, n, Q_INT(f->from), Q_INT(f->to), Q_TEXT(f->login),
                  Q_TEXT(f->action), Q_INT(f->case_id), Q_INT(f->before_id),
                  Q_BOOL(f->identity_access), Q_INT(limit));
}

err_t store_audit_set_retention(store_t *s, unsigned days, int64_t now, bool *changed)
{
    /* The database writes the change to the log (0019's trigger). */
    static const char sql[] = "UPDATE audit_policy SET retention_days = $1, updated_at = $2"
                              " WHERE id = 1 AND retention_days <> $1";
    err_t e = q_write(s, sql, true, Q_INT(days), Q_INT(now));
    *changed = e == ERR_OK;
    return e == ERR_NOT_FOUND ? ERR_OK : e;
}

err_t store_audit_prune(store_t *s, int64_t cutoff, unsigned max, int64_t *deleted)
{
    /* Oldest first, in batches: the at index walks them. */
    static const char sql[] = "DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log"
                              " WHERE at < $1 ORDER BY at LIMIT $2)";
    *deleted = 0;
    return q_write_n(s, sql, deleted, Q_INT(cutoff), Q_INT(max));
}
