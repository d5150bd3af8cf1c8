/* What the agency admins' pages change: categories, canned replies,
 * teams. Written once for both engines on store/q.h. */
#include "store/q.h"

err_t store_category_update(store_t *s, const store_category *k)
{
    static const char sql[] = "UPDATE categories SET name_id = $1, name_en = $2, sla_hours = $3,"
                              " active = $4 WHERE id = $5";
    return q_write(s, sql, true, Q_TEXT(k->name_id), Q_TEXT(k->name_en), Q_INT(k->sla_hours),
                   Q_BOOL(k->active), Q_INT(k->id)); /* active: BOOLEAN on pg, 0/1 on SQLite */
}

#define CANNED_COLS "SELECT id, agency_id, title, body, lang, updated_at FROM canned_replies"

static const q_field CANNED_F[] = {
    QF(INT64, store_canned_reply, id),   QF(INT64, store_canned_reply, agency_id),
    QF(TEXT, store_canned_reply, title), QF(TEXT, store_canned_reply, body),
    QF(TEXT, store_canned_reply, lang),  QF(INT64, store_canned_reply, updated_at),
};

err_t store_canned_list(store_t *s, arena_t *ar, int64_t agency_id, store_canned_reply **out,
                        size_t *n)
{
    static const char sql[] = CANNED_COLS " WHERE agency_id = $1 ORDER BY title, id";
    return q_list(s, ar, sql, CANNED_F, out, n, Q_INT(agency_id));
}

err_t store_canned_get(store_t *s, arena_t *ar, int64_t id, store_canned_reply *out)
{
    static const char sql[] = CANNED_COLS " WHERE id = $1";
    return q_one(s, ar, sql, CANNED_F, out, Q_INT(id));
}

err_t store_canned_put(store_t *s, store_canned_reply *r, int64_t user_id, int64_t now)
{
    static const char ins[] =
        "INSERT INTO canned_replies (agency_id, title, body, lang, updated_by, created_at,"
        " updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id";
    static const char upd[] = "UPDATE canned_replies SET title = $2, body = $3, lang = $4,"
                              " updated_by = $5, updated_at = $6 WHERE id = $1 RETURNING id";
    int64_t id = 0;
    err_t e = q_one_int(s, r->id ? upd : ins, &id, Q_INT(r->id ? r->id : r->agency_id),
                        Q_TEXT(r->title), Q_TEXT(r->body), Q_TEXT(r->lang), Q_ID(user_id),
                        Q_INT(now)); /* no row: an unknown id */
    if (e == ERR_OK) {
        r->id = id;
        r->updated_at = now;
    }
    return e;
}

err_t store_canned_delete(store_t *s, int64_t id)
{
    static const char sql[] = "DELETE FROM canned_replies WHERE id = $1";
    return q_write(s, sql, true, Q_INT(id));
}

err_t store_team_update(store_t *s, const store_team *t)
{
    static const char sql[] = "UPDATE teams SET name = $1, base_lat = $2, base_lon = $3"
                              " WHERE id = $4";
    bool b = t->has_base;
    return q_write(s, sql, true, Q_TEXT(t->name), b ? Q_REAL(t->base_lat) : Q_NULL(REAL),
                   b ? Q_REAL(t->base_lon) : Q_NULL(REAL), Q_INT(t->id));
}

err_t store_team_members(store_t *s, arena_t *ar, int64_t team_id, store_user **out, size_t *n)
{
    static const char sql[] =
        "SELECT u.id, u.login, u.name, u.disabled, u.mobile FROM team_members m"
        " JOIN users u ON u.id = m.user_id WHERE m.team_id = $1"
        " ORDER BY u.name, u.id";
    static const q_field F[] = {
        QF(INT64, store_user, id),      QF(TEXT, store_user, login), QF(TEXT, store_user, name),
        QF(BOOL, store_user, disabled), /* BOOLEAN on pg, 0/1 on SQLite */
        QF(TEXT, store_user, mobile),
    };
    return q_list(s, ar, sql, F, out, n, Q_INT(team_id));
}

err_t store_team_remove_member(store_t *s, int64_t team_id, int64_t user_id)
{
    static const char sql[] = "DELETE FROM team_members WHERE team_id = $1 AND user_id = $2";
    return q_write(s, sql, true, Q_INT(team_id), Q_INT(user_id));
}
