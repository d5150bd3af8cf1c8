/* An operator's saved inbox filters (issue 18): a name and the filter's
 * query (JSON text, checked by the API), per user. Written once for both
 * engines on store/q.h. */
#include "store/q.h"

#define FILTER_COLS "SELECT id, user_id, name, query, created_at FROM saved_filters"

static const q_field FILTER_F[] = {
    QF(INT64, store_saved_filter, id),         QF(INT64, store_saved_filter, user_id),
    QF(TEXT, store_saved_filter, name),        QF(TEXT, store_saved_filter, query),
    QF(INT64, store_saved_filter, created_at),
};

err_t store_filter_list(store_t *s, arena_t *ar, int64_t user_id, store_saved_filter **out,
                        size_t *n)
{
    static const char sql[] = FILTER_COLS " WHERE user_id = $1 ORDER BY name, id";
    return q_list(s, ar, sql, FILTER_F, out, n, Q_INT(user_id));
}

err_t store_filter_add(store_t *s, store_saved_filter *f, unsigned max)
{
    /* One statement: the count and the insert see the same rows. */
    static const char sql[] =
        "INSERT INTO saved_filters (user_id, name, query, created_at)"
        " SELECT $1, $2, $3, $4 WHERE (SELECT COUNT(*) FROM saved_filters WHERE user_id = $1) < $5"
        " RETURNING id";
    int64_t id = 0;
    err_t e = q_one_int(s, sql, &id, Q_INT(f->user_id), Q_TEXT(f->name), Q_TEXT(f->query),
                        Q_INT(f->created_at), Q_INT(max));
    if (e == ERR_NOT_FOUND)
        return ERR_TOO_LARGE; /* no row inserted: the user has max already */
    if (e == ERR_OK)
        f->id = id;
    return e;
}

err_t store_filter_delete(store_t *s, int64_t id, int64_t user_id)
{
    static const char sql[] = "DELETE FROM saved_filters WHERE id = $1 AND user_id = $2";
    return q_write(s, sql, true, Q_INT(id), Q_INT(user_id));
}
