/* The reference data: agencies and their WhatsApp numbers, regions and
 * their shapes, users and roles, teams and their members, categories and
 * canned replies (what the agency admins' pages change). Written once for
 * both engines on store/q.h. */
#include "store/q.h"

/* ---- agencies ------------------------------------------------------------ */

#define AGENCY_COLS                                                                                \
    "SELECT id, code, name, kind, timezone, template_status, template_reply,"                      \
    " template_lang, publish_photos, emergency_phones FROM agencies"

static const q_field AGENCY_F[] = {
    QF(INT64, store_agency, id),
    QF(TEXT, store_agency, code),
    QF(TEXT, store_agency, name),
    QF(TEXT, store_agency, kind),
    QF(TEXT, store_agency, timezone),
    QF(TEXT, store_agency, template_status),
    QF(TEXT, store_agency, template_reply),
    QF(TEXT, store_agency, template_lang),
    QF(BOOL, store_agency, publish_photos),
    QF(TEXT, store_agency, emergency_phones),
};

err_t store_agency_set_publish_photos(store_t *s, int64_t agency_id, bool on, bool *changed)
{
    static const char sql[] = "UPDATE agencies SET publish_photos = $2"
                              " WHERE id = $1 AND publish_photos <> $2";
    int64_t n = 0;
    err_t e = q_write_n(s, sql, &n, Q_INT(agency_id), Q_BOOL(on));
    *changed = e == ERR_OK && n > 0;
    return e;
}

err_t store_agency_create(store_t *s, const store_agency *a, int64_t now, int64_t *id)
{
    static const char sql[] = "INSERT INTO agencies (code, name, kind, timezone, created_at)"
                              " VALUES ($1, $2, $3, $4, $5) RETURNING id";
    return q_one_int(s, sql, id, Q_TEXT(a->code), Q_TEXT(a->name), Q_TEXT(a->kind),
                     Q_TEXT(a->timezone), Q_INT(now));
}

Q_ONE_FN(store_agency_get, store_agency, int64_t, Q_INT, AGENCY_F, AGENCY_COLS " WHERE id = $1")

Q_ONE_FN(store_agency_find, store_agency, const char *, Q_TEXT, AGENCY_F,
         AGENCY_COLS " WHERE code = $1 OR CAST(id AS TEXT) = $1")

Q_ONE_FN(store_agency_by_number, store_agency, const char *, Q_TEXT, AGENCY_F,
         AGENCY_COLS " WHERE id = (SELECT agency_id FROM agency_numbers"
                     " WHERE phone_number_id = $1)")

Q_ALL_FN(store_agency_list, store_agency, AGENCY_F, AGENCY_COLS " ORDER BY id")

err_t store_agency_number_add(store_t *s, int64_t agency_id, const char *phone_number_id,
                              const char *display_phone, int64_t now)
{
    static const char sql[] = "INSERT INTO agency_numbers (phone_number_id, agency_id,"
                              " display_phone, created_at) VALUES ($1, $2, $3, $4)";
    return q_write(s, sql, false, Q_TEXT(phone_number_id), Q_INT(agency_id), Q_TEXT(display_phone),
                   Q_INT(now));
}

err_t store_agency_number_display(store_t *s, arena_t *ar, int64_t agency_id, const char **out)
{
    static const char sql[] = "SELECT display_phone FROM agency_numbers WHERE agency_id = $1"
                              " AND display_phone IS NOT NULL AND display_phone <> ''"
                              " ORDER BY phone_number_id LIMIT 1";
    return q_one(s, ar, sql, Q_COL_TEXT, out, Q_INT(agency_id));
}

err_t store_agency_numbers(store_t *s, arena_t *ar, int64_t agency_id, const char **out)
{
    /* SQLite 3.40 has no ordered aggregate: it concatenates an ordered
     * subquery's rows in their order. */
    static const q_sql2 sql = {
        "SELECT COALESCE(group_concat(phone_number_id, ','), '') FROM (SELECT phone_number_id"
        " FROM agency_numbers WHERE agency_id = $1 ORDER BY phone_number_id)",
        "SELECT COALESCE(string_agg(phone_number_id, ',' ORDER BY phone_number_id), '')"
        " FROM agency_numbers WHERE agency_id = $1",
    };
    return q_one(s, ar, q_pick(s, &sql), Q_COL_TEXT, out, Q_INT(agency_id));
}

err_t store_agency_set_templates(store_t *s, int64_t agency_id, const char *status,
                                 const char *reply, const char *lang)
{
    static const char sql[] = "UPDATE agencies SET template_status = COALESCE($1, template_status),"
                              " template_reply = COALESCE($2, template_reply),"
                              " template_lang = COALESCE($3, template_lang) WHERE id = $4";
    return q_write(s, sql, true, Q_TEXT(status), Q_TEXT(reply), Q_TEXT(lang), Q_INT(agency_id));
}

err_t store_agency_set_emergency_phones(store_t *s, int64_t agency_id, const char *phones)
{
    static const char sql[] = "UPDATE agencies SET emergency_phones = $1 WHERE id = $2";
    return q_write(s, sql, true, Q_TEXT(phones && *phones ? phones : NULL), Q_INT(agency_id));
}

/* ---- regions ------------------------------------------------------------- */

err_t store_region_put(store_t *s, const char *code, const char *name)
{
    static const char sql[] = "INSERT INTO regions (code, name) VALUES ($1, $2)"
                              " ON CONFLICT (code) DO UPDATE SET name = excluded.name";
    return q_write(s, sql, false, Q_TEXT(code), Q_TEXT(name));
}

static const q_field REGION_F[] = {
    QF(TEXT, store_region, code),
    QF(TEXT, store_region, name),
    QF(BOOL, store_region, has_shape),
};

Q_ALL_FN(store_region_list, store_region, REGION_F,
         "SELECT g.code, g.name, s.code IS NOT NULL FROM regions g"
         " LEFT JOIN region_shapes s ON s.code = g.code"
         " ORDER BY g.code {COLLATE_C}")

err_t store_region_exists(store_t *s, const char *code)
{
    static const char sql[] = "SELECT 1 FROM regions WHERE code = $1";
    return q_one_int(s, sql, NULL, Q_TEXT(code));
}

typedef struct {
    const store_region_shape *v;
    size_t n;
    int64_t now;
} shapes_ctx;

static err_t shapes_tx(q_conn *c, void *arg)
{
    static const char sql[] =
        "INSERT INTO region_shapes (code, geometry, lat_min, lat_max, lon_min, lon_max,"
        " updated_at) SELECT code, $2, $3, $4, $5, $6, $7 FROM regions WHERE code = $1"
        " ON CONFLICT (code) DO UPDATE SET geometry = excluded.geometry,"
        " lat_min = excluded.lat_min, lat_max = excluded.lat_max, lon_min = excluded.lon_min,"
        " lon_max = excluded.lon_max, updated_at = excluded.updated_at";
    shapes_ctx *x = arg;
    err_t e = ERR_OK;
    for (size_t i = 0; e == ERR_OK && i < x->n; i++) {
        const store_region_shape *g = &x->v[i]; /* ERR_NOT_FOUND: no such region */
        e = q_must(c, sql, Q_TEXT(g->code), Q_TEXT(g->geometry), Q_REAL(g->lat_min),
                   Q_REAL(g->lat_max), Q_REAL(g->lon_min), Q_REAL(g->lon_max), Q_INT(x->now));
    }
    return e;
}

err_t store_region_shapes_put(store_t *s, const store_region_shape *v, size_t n, int64_t now)
{
    shapes_ctx x = {v, n, now};
    return q_tx(s, shapes_tx, &x);
}

static const q_field SHAPE_F[] = {
    QF(TEXT, store_region_shape, code),    QF(TEXT, store_region_shape, geometry),
    QF(REAL, store_region_shape, lat_min), QF(REAL, store_region_shape, lat_max),
    QF(REAL, store_region_shape, lon_min), QF(REAL, store_region_shape, lon_max),
};

err_t store_region_shapes_at(store_t *s, arena_t *ar, double lat, double lon,
                             store_region_shape **out, size_t *n)
{
    static const char sql[] =
        "SELECT code, geometry, lat_min, lat_max, lon_min, lon_max FROM region_shapes"
        " WHERE lat_min <= $1 AND lat_max >= $1 AND lon_min <= $2 AND lon_max >= $2"
        " ORDER BY code {COLLATE_C}";
    return q_list(s, ar, sql, SHAPE_F, out, n, Q_REAL(lat), Q_REAL(lon));
}

/* ---- users --------------------------------------------------------------- */

#define USER_COLS                                                                                  \
    "SELECT id, login, name, password_hash, disabled, failed_logins, locked_until, mobile"         \
    " FROM users"

static const q_field USER_F[] = {
    QF(INT64, store_user, id),           QF(TEXT, store_user, login),
    QF(TEXT, store_user, name),          QF(TEXT, store_user, password_hash),
    QF(BOOL, store_user, disabled),      QF(INT, store_user, failed_logins),
    QF(INT64, store_user, locked_until), QF(TEXT, store_user, mobile),
};

err_t store_user_create(store_t *s, const char *login, const char *name, const char *password_hash,
                        int64_t now, int64_t *id)
{
    static const char sql[] = "INSERT INTO users (login, name, password_hash, created_at)"
                              " VALUES ($1, $2, $3, $4) RETURNING id";
    return q_one_int(s, sql, id, Q_TEXT(login), Q_TEXT(name), Q_TEXT(password_hash), Q_INT(now));
}

Q_ONE_FN(store_user_get, store_user, int64_t, Q_INT, USER_F, USER_COLS " WHERE id = $1")

Q_ONE_FN(store_user_by_login, store_user, const char *, Q_TEXT, USER_F,
         USER_COLS " WHERE login = $1")

Q_ONE_FN(store_user_by_mobile, store_user, const char *, Q_TEXT, USER_F,
         USER_COLS " WHERE mobile = $1 AND disabled = FALSE")

Q_ALL_FN(store_user_list, store_user, USER_F, USER_COLS " ORDER BY login {COLLATE_C}")

typedef struct {
    const char *sql;
    int64_t id;
    q_val v;                   /* $1 of sql */
    bool end_sessions, unlock; /* unlock: a new password ends the login's locks (#13) */
} user_update_ctx;

static err_t user_update_tx(q_conn *c, void *arg)
{
    static const char del[] = "DELETE FROM sessions WHERE user_id = $1";
    static const char unlock[] =
        "DELETE FROM login_guard WHERE login = (SELECT login FROM users WHERE id = $1)";
    user_update_ctx *x = arg;
    err_t e = q_must(c, x->sql, x->v, Q_INT(x->id));
    if (e == ERR_OK && x->end_sessions)
        e = q_run(c, del, NULL, Q_INT(x->id));
    if (e == ERR_OK && x->unlock)
        e = q_run(c, unlock, NULL, Q_INT(x->id));
    return e;
}

err_t store_user_set_password(store_t *s, int64_t id, const char *password_hash)
{
    static const char sql[] = "UPDATE users SET password_hash = $1, failed_logins = 0,"
                              " locked_until = 0 WHERE id = $2";
    user_update_ctx x = {sql, id, Q_TEXT(password_hash), true, true};
    return q_tx(s, user_update_tx, &x);
}

err_t store_user_set_disabled(store_t *s, int64_t id, bool disabled)
{
    static const char sql[] = "UPDATE users SET disabled = $1 WHERE id = $2";
    user_update_ctx x = {sql, id, Q_BOOL(disabled), disabled, false};
    return q_tx(s, user_update_tx, &x);
}

err_t store_user_set_mobile(store_t *s, int64_t id, const char *mobile)
{
    static const char sql[] = "UPDATE users SET mobile = $1 WHERE id = $2";
    return q_write(s, sql, true, Q_TEXT(mobile), Q_INT(id));
}

err_t store_user_set_role(store_t *s, int64_t user_id, int64_t agency_id, const char *role)
{
    static const char chk[] = "SELECT 1 FROM agencies WHERE id = $1";
    static const char sql[] =
        "INSERT INTO user_roles (user_id, agency_id, role) VALUES ($1, $2, $3)"
        " ON CONFLICT (user_id, agency_id) DO UPDATE SET role = excluded.role";
    err_t e = agency_id ? q_one_int(s, chk, NULL, Q_INT(agency_id)) : ERR_OK;
    if (e == ERR_OK)
        e = q_write(s, sql, false, Q_INT(user_id), Q_INT(agency_id), Q_TEXT(role));
    return e;
}

static const q_field ROLE_F[] = {
    QF(INT64, store_role, agency_id),
    QF(TEXT, store_role, agency_name),
    QF(TEXT, store_role, role),
};

Q_LIST_FN(store_user_roles, store_role, int64_t, Q_INT, ROLE_F,
          "SELECT r.agency_id, a.name, r.role FROM user_roles r"
          " LEFT JOIN agencies a ON a.id = r.agency_id"
          " WHERE r.user_id = $1 ORDER BY r.agency_id")

/* ---- teams --------------------------------------------------------------- */

#define TEAM_COLS                                                                                  \
    "SELECT t.id, t.agency_id, t.name, t.base_lat IS NOT NULL, t.base_lat, t.base_lon,"            \
    " (SELECT COUNT(*) FROM team_members m WHERE m.team_id = t.id) FROM teams t"

static const q_field TEAM_F[] = {
    QF(INT64, store_team, id),      QF(INT64, store_team, agency_id),
    QF(TEXT, store_team, name),     QF(BOOL, store_team, has_base),
    QF(REAL, store_team, base_lat), QF(REAL, store_team, base_lon),
    QF(INT, store_team, members),
};

err_t store_team_create(store_t *s, const store_team *t, int64_t now, int64_t *id)
{
    static const char sql[] = "INSERT INTO teams (agency_id, name, base_lat, base_lon, created_at)"
                              " VALUES ($1, $2, $3, $4, $5) RETURNING id";
    q_val lat = t->has_base ? Q_REAL(t->base_lat) : Q_NULL(REAL);
    q_val lon = t->has_base ? Q_REAL(t->base_lon) : Q_NULL(REAL);
    err_t e = q_one_int(s, sql, id, Q_INT(t->agency_id), Q_TEXT(t->name), lat, lon, Q_INT(now));
    return e == ERR_INVALID ? ERR_NOT_FOUND : e; /* a foreign key: no such agency */
}

Q_ONE_FN(store_team_get, store_team, int64_t, Q_INT, TEAM_F, TEAM_COLS " WHERE t.id = $1")

err_t store_team_update(store_t *s, const store_team *t)
{
    static const char sql[] = "UPDATE teams SET name = $1, base_lat = $2, base_lon = $3"
                              " WHERE id = $4";
    bool b = t->has_base;
    return q_write(s, sql, true, Q_TEXT(t->name), b ? Q_REAL(t->base_lat) : Q_NULL(REAL),
                   b ? Q_REAL(t->base_lon) : Q_NULL(REAL), Q_INT(t->id));
}

err_t store_team_list(store_t *s, arena_t *ar, int64_t agency_id, store_team **out, size_t *n)
{
    static const char sql[] = TEAM_COLS " WHERE ($1 IS NULL OR t.agency_id = $1)"
                                        " ORDER BY t.agency_id, t.name {COLLATE_C}";
    return q_list(s, ar, sql, TEAM_F, out, n, Q_ID(agency_id));
}

err_t store_team_add_member(store_t *s, int64_t team_id, int64_t user_id)
{
    static const char sql[] = "INSERT INTO team_members (team_id, user_id) VALUES ($1, $2)"
                              " ON CONFLICT DO NOTHING";
    err_t e = q_write(s, sql, false, Q_INT(team_id), Q_INT(user_id));
    return e == ERR_INVALID ? ERR_NOT_FOUND : e; /* a foreign key: unknown team or user */
}

err_t store_team_has_member(store_t *s, int64_t team_id, int64_t user_id)
{
    static const char sql[] = "SELECT 1 FROM team_members WHERE team_id = $1 AND user_id = $2";
    return q_one_int(s, sql, NULL, Q_INT(team_id), Q_INT(user_id));
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

/* ---- categories ---------------------------------------------------------- */

#define CATEGORY_COLS                                                                              \
    "SELECT id, agency_id, code, name_id, name_en, kind, sla_hours, active FROM categories"

static const q_field CATEGORY_F[] = {
    QF(INT64, store_category, id),      QF(INT64, store_category, agency_id),
    QF(TEXT, store_category, code),     QF(TEXT, store_category, name_id),
    QF(TEXT, store_category, name_en),  QF(TEXT, store_category, kind),
    QF(INT, store_category, sla_hours), QF(BOOL, store_category, active),
};

err_t store_category_create(store_t *s, const store_category *k, int64_t *id)
{
    static const char sql[] =
        "INSERT INTO categories (agency_id, code, name_id, name_en, kind, sla_hours, active)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
    return q_one_int(s, sql, id, Q_INT(k->agency_id), Q_TEXT(k->code), Q_TEXT(k->name_id),
                     Q_TEXT(k->name_en), Q_TEXT(k->kind), Q_INT(k->sla_hours), Q_BOOL(k->active));
}

Q_ONE_FN(store_category_get, store_category, int64_t, Q_INT, CATEGORY_F,
         CATEGORY_COLS " WHERE id = $1")

err_t store_category_list(store_t *s, arena_t *ar, int64_t agency_id, store_category **out,
                          size_t *n)
{
    static const char sql[] = CATEGORY_COLS " WHERE ($1 IS NULL OR agency_id = $1)"
                                            " ORDER BY agency_id, code {COLLATE_C}";
    return q_list(s, ar, sql, CATEGORY_F, out, n, Q_ID(agency_id));
}

err_t store_category_update(store_t *s, const store_category *k)
{
    static const char sql[] = "UPDATE categories SET name_id = $1, name_en = $2, sla_hours = $3,"
                              " active = $4 WHERE id = $5";
    return q_write(s, sql, true, Q_TEXT(k->name_id), Q_TEXT(k->name_en), Q_INT(k->sla_hours),
                   Q_BOOL(k->active), Q_INT(k->id)); /* active: BOOLEAN on pg, 0/1 on SQLite */
}

/* ---- canned replies ------------------------------------------------------ */

#define CANNED_COLS "SELECT id, agency_id, title, body, lang, updated_at FROM canned_replies"

static const q_field CANNED_F[] = {
    QF(INT64, store_canned_reply, id),   QF(INT64, store_canned_reply, agency_id),
    QF(TEXT, store_canned_reply, title), QF(TEXT, store_canned_reply, body),
    QF(TEXT, store_canned_reply, lang),  QF(INT64, store_canned_reply, updated_at),
};

Q_LIST_FN(store_canned_list, store_canned_reply, int64_t, Q_INT, CANNED_F,
          CANNED_COLS " WHERE agency_id = $1 ORDER BY title, id")

Q_ONE_FN(store_canned_get, store_canned_reply, int64_t, Q_INT, CANNED_F,
         CANNED_COLS " WHERE id = $1")

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
