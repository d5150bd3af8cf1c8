/* The PostgreSQL store: agencies, regions, users, sessions, teams,
 * categories. Same behaviour as store/sqlite_ref.c. */
#include "store/pg_int.h"

#include <string.h>

/* Borrow a connection or answer 503. */
#define PQ_GET(c)                                                                                  \
    pconn_t *c = pq_get(s);                                                                        \
    if (!c)                                                                                        \
        return ERR_UNAVAILABLE;

/* Runs a statement that returns no rows on a borrowed connection. */
static err_t exec1(store_t *s, const char *sql, const pq_params *p, int64_t *id, const char *what)
{
    PQ_GET(c);
    PGresult *r = NULL;
    err_t e = pq_run(c, sql, p, id ? &r : NULL, what);
    if (e == ERR_OK && id)
        *id = PQntuples(r) ? pq_int(r, 0, 0) : 0;
    PQclear(r);
    pq_put(s, c);
    return e;
}

/* Runs a query on a borrowed connection; *out is the result. */
static err_t query(store_t *s, const char *sql, const pq_params *p, PGresult **out,
                   const char *what)
{
    PQ_GET(c);
    err_t e = pq_run(c, sql, p, out, what);
    pq_put(s, c);
    return e;
}

/* ---- agencies -------------------------------------------------------------------- */

#define AGENCY_COLS                                                                                \
    "id, code, name, kind, timezone, wa_template_status, wa_template_reply, wa_template_lang"

static void read_agency(arena_t *ar, PGresult *r, int i, void *elem)
{
    store_agency *a = elem;
    a->id = pq_int(r, i, 0);
    a->code = pq_text(ar, r, i, 1);
    a->name = pq_text(ar, r, i, 2);
    a->kind = pq_text(ar, r, i, 3);
    a->timezone = pq_text(ar, r, i, 4);
    a->wa_template_status = pq_text(ar, r, i, 5);
    a->wa_template_reply = pq_text(ar, r, i, 6);
    a->wa_template_lang = pq_text(ar, r, i, 7);
}

err_t pg_agency_create(store_t *s, const store_agency *a, int64_t now, int64_t *id)
{
    static const char sql[] = "INSERT INTO agencies (code, name, kind, timezone, created_at)"
                              " VALUES ($1, $2, $3, $4, $5) RETURNING id";
    pq_params p = {0};
    pp_text(&p, a->code);
    pp_text(&p, a->name);
    pp_text(&p, a->kind);
    pp_text(&p, a->timezone);
    pp_int(&p, now);
    int64_t got = 0;
    err_t e = exec1(s, sql, &p, &got, "agency_create");
    if (e == ERR_OK && id)
        *id = got;
    return e;
}

static err_t agency_one(store_t *s, arena_t *ar, const char *sql, const pq_params *p,
                        store_agency *out)
{
    PGresult *r;
    err_t e = query(s, sql, p, &r, "agency_get");
    if (e != ERR_OK)
        return e;
    if (PQntuples(r) == 0)
        e = ERR_NOT_FOUND;
    else
        read_agency(ar, r, 0, out);
    PQclear(r);
    return e;
}

err_t pg_agency_get(store_t *s, arena_t *ar, int64_t id, store_agency *out)
{
    static const char sql[] = "SELECT " AGENCY_COLS " FROM agencies WHERE id = $1";
    pq_params p = {0};
    pp_int(&p, id);
    return agency_one(s, ar, sql, &p, out);
}

err_t pg_agency_find(store_t *s, arena_t *ar, const char *id_or_code, store_agency *out)
{
    static const char sql[] =
        "SELECT " AGENCY_COLS " FROM agencies WHERE code = $1 OR id::text = $1";
    pq_params p = {0};
    pp_text(&p, id_or_code);
    return agency_one(s, ar, sql, &p, out);
}

err_t pg_agency_list(store_t *s, arena_t *ar, store_agency **out, size_t *n)
{
    static const char sql[] = "SELECT " AGENCY_COLS " FROM agencies ORDER BY id";
    return pq_list(s, ar, sql, NULL, sizeof **out, read_agency, (void **)out, n, "agency_list");
}

err_t pg_agency_number_add(store_t *s, int64_t agency_id, const char *phone_number_id,
                           const char *display_phone, int64_t now)
{
    static const char sql[] = "INSERT INTO agency_numbers (phone_number_id, agency_id,"
                              " display_phone, created_at) VALUES ($1, $2, $3, $4)";
    pq_params p = {0};
    pp_text(&p, phone_number_id);
    pp_int(&p, agency_id);
    pp_text(&p, display_phone);
    pp_int(&p, now);
    return exec1(s, sql, &p, NULL, "agency_number_add");
}

err_t pg_agency_numbers(store_t *s, arena_t *ar, int64_t agency_id, const char **out)
{
    static const char sql[] =
        "SELECT COALESCE(string_agg(phone_number_id, ',' ORDER BY phone_number_id), '')"
        " FROM agency_numbers WHERE agency_id = $1";
    pq_params p = {0};
    PGresult *r;
    pp_int(&p, agency_id);
    err_t e = query(s, sql, &p, &r, "agency_numbers");
    if (e != ERR_OK)
        return e;
    *out = pq_text(ar, r, 0, 0);
    PQclear(r);
    return ERR_OK;
}

/* ---- regions ------------------------------------------------------------------------- */

err_t pg_region_put(store_t *s, const char *code, const char *name)
{
    static const char sql[] = "INSERT INTO regions (code, name) VALUES ($1, $2)"
                              " ON CONFLICT (code) DO UPDATE SET name = excluded.name";
    pq_params p = {0};
    pp_text(&p, code);
    pp_text(&p, name);
    return exec1(s, sql, &p, NULL, "region_put");
}

err_t pg_region_list(store_t *s, arena_t *ar, store_region **out, size_t *n)
{
    static const char sql[] = "SELECT g.code, g.name, s.code IS NOT NULL FROM regions g"
                              " LEFT JOIN region_shapes s ON s.code = g.code"
                              " ORDER BY g.code COLLATE \"C\"";
    PGresult *r;
    *out = NULL;
    *n = 0;
    err_t e = query(s, sql, NULL, &r, "region_list");
    if (e != ERR_OK)
        return e;
    int rows = PQntuples(r);
    store_region *arr = pq_alloc_rows(ar, sizeof *arr, rows);
    for (int i = 0; arr && i < rows; i++) {
        arr[i].code = pq_text(ar, r, i, 0);
        arr[i].name = pq_text(ar, r, i, 1);
        arr[i].has_shape = pq_bool(r, i, 2);
    }
    PQclear(r);
    if (!arr)
        return ERR_NOMEM;
    *out = arr;
    *n = (size_t)rows;
    return ERR_OK;
}

/* ERR_OK when sql (with p) returns a row, ERR_NOT_FOUND when it does not. */
static err_t exists(store_t *s, const char *sql, const pq_params *p, const char *what)
{
    PGresult *r;
    err_t e = query(s, sql, p, &r, what);
    if (e != ERR_OK)
        return e;
    e = PQntuples(r) ? ERR_OK : ERR_NOT_FOUND;
    PQclear(r);
    return e;
}

err_t pg_region_exists(store_t *s, const char *code)
{
    static const char sql[] = "SELECT 1 FROM regions WHERE code = $1";
    pq_params p = {0};
    pp_text(&p, code);
    return exists(s, sql, &p, "region_exists");
}

err_t pg_region_shapes_put(store_t *s, const store_region_shape *v, size_t n, int64_t now)
{
    static const char sql[] =
        "INSERT INTO region_shapes (code, geometry, lat_min, lat_max, lon_min, lon_max, updated_at)"
        " SELECT code, CAST($2 AS TEXT), CAST($3 AS DOUBLE PRECISION), CAST($4 AS DOUBLE "
        "PRECISION),"
        " CAST($5 AS DOUBLE PRECISION), CAST($6 AS DOUBLE PRECISION), CAST($7 AS BIGINT)"
        " FROM regions WHERE code = $1"
        " ON CONFLICT (code) DO UPDATE SET geometry = excluded.geometry,"
        " lat_min = excluded.lat_min, lat_max = excluded.lat_max, lon_min = excluded.lon_min,"
        " lon_max = excluded.lon_max, updated_at = excluded.updated_at";
    pconn_t *c = pq_get(s);
    if (!c)
        return ERR_UNAVAILABLE;
    err_t e = pq_begin(c);
    for (size_t i = 0; e == ERR_OK && i < n; i++) {
        pq_params p = {0};
        PGresult *r = NULL;
        pp_text(&p, v[i].code);
        pp_text(&p, v[i].geometry);
        pp_real(&p, v[i].lat_min);
        pp_real(&p, v[i].lat_max);
        pp_real(&p, v[i].lon_min);
        pp_real(&p, v[i].lon_max);
        pp_int(&p, now);
        e = pq_run(c, sql, &p, &r, "region_shape_put");
        if (e == ERR_OK && pq_affected(r) == 0)
            e = ERR_NOT_FOUND; /* no such region */
        PQclear(r);
    }
    if (e == ERR_OK)
        e = pq_commit(c);
    pq_rollback(c);
    pq_put(s, c);
    return e;
}

static void read_shape(arena_t *ar, PGresult *r, int i, void *elem)
{
    store_region_shape *v = elem;
    v->code = pq_text(ar, r, i, 0);
    v->geometry = pq_text(ar, r, i, 1);
    v->lat_min = pq_real(r, i, 2);
    v->lat_max = pq_real(r, i, 3);
    v->lon_min = pq_real(r, i, 4);
    v->lon_max = pq_real(r, i, 5);
}

err_t pg_region_shapes_at(store_t *s, arena_t *ar, double lat, double lon, store_region_shape **out,
                          size_t *n)
{
    static const char sql[] =
        "SELECT code, geometry, lat_min, lat_max, lon_min, lon_max FROM region_shapes"
        " WHERE lat_min <= $1 AND lat_max >= $1 AND lon_min <= $2 AND lon_max >= $2"
        " ORDER BY code COLLATE \"C\"";
    pq_params p = {0};
    pp_real(&p, lat);
    pp_real(&p, lon);
    return pq_list(s, ar, sql, &p, sizeof **out, read_shape, (void **)out, n, "region_shapes_at");
}

/* ---- users ----------------------------------------------------------------------------- */

#define USER_COLS "id, login, name, password_hash, disabled, failed_logins, locked_until, wa_id"

static void read_user(arena_t *ar, PGresult *r, int i, void *elem)
{
    store_user *u = elem;
    u->id = pq_int(r, i, 0);
    u->login = pq_text(ar, r, i, 1);
    u->name = pq_text(ar, r, i, 2);
    u->password_hash = pq_text(ar, r, i, 3);
    u->disabled = pq_bool(r, i, 4);
    u->failed_logins = (int)pq_int(r, i, 5);
    u->locked_until = pq_int(r, i, 6);
    u->wa_id = pq_text(ar, r, i, 7);
}

err_t pg_user_create(store_t *s, const char *login, const char *name, const char *password_hash,
                     int64_t now, int64_t *id)
{
    static const char sql[] = "INSERT INTO users (login, name, password_hash, created_at)"
                              " VALUES ($1, $2, $3, $4) RETURNING id";
    pq_params p = {0};
    pp_text(&p, login);
    pp_text(&p, name);
    pp_text(&p, password_hash);
    pp_int(&p, now);
    int64_t got = 0;
    err_t e = exec1(s, sql, &p, &got, "user_create");
    if (e == ERR_OK && id)
        *id = got;
    return e;
}

static err_t user_one(store_t *s, arena_t *ar, const char *sql, const pq_params *p, store_user *out)
{
    PGresult *r;
    err_t e = query(s, sql, p, &r, "user_get");
    if (e != ERR_OK)
        return e;
    if (PQntuples(r) == 0)
        e = ERR_NOT_FOUND;
    else
        read_user(ar, r, 0, out);
    PQclear(r);
    return e;
}

err_t pg_user_get(store_t *s, arena_t *ar, int64_t id, store_user *out)
{
    static const char sql[] = "SELECT " USER_COLS " FROM users WHERE id = $1";
    pq_params p = {0};
    pp_int(&p, id);
    return user_one(s, ar, sql, &p, out);
}

err_t pg_user_by_login(store_t *s, arena_t *ar, const char *login, store_user *out)
{
    static const char sql[] = "SELECT " USER_COLS " FROM users WHERE login = $1";
    pq_params p = {0};
    pp_text(&p, login);
    return user_one(s, ar, sql, &p, out);
}

err_t pg_user_list(store_t *s, arena_t *ar, store_user **out, size_t *n)
{
    static const char sql[] = "SELECT " USER_COLS " FROM users ORDER BY login COLLATE \"C\"";
    return pq_list(s, ar, sql, NULL, sizeof **out, read_user, (void **)out, n, "user_list");
}

/* An UPDATE of one user, and when end_sessions the deletion of the user's
 * sessions, in one transaction. */
static err_t user_update(store_t *s, const char *sql, const pq_params *p, int64_t id,
                         bool end_sessions, bool unlock_login)
{
    static const char del[] = "DELETE FROM sessions WHERE user_id = $1";
    /* A new password also ends the login's locks (issue #13). */
    static const char unlock[] =
        "DELETE FROM login_guard WHERE login = (SELECT login FROM users WHERE id = $1)";
    PQ_GET(c);
    PGresult *r = NULL;
    pq_params q = {0};
    pp_int(&q, id);
    err_t e = pq_begin(c);
    if (e == ERR_OK)
        e = pq_run(c, sql, p, &r, "user_update");
    if (e == ERR_OK && pq_affected(r) == 0)
        e = ERR_NOT_FOUND;
    PQclear(r);
    if (e == ERR_OK && end_sessions)
        e = pq_run(c, del, &q, NULL, "sessions_end");
    if (e == ERR_OK && unlock_login)
        e = pq_run(c, unlock, &q, NULL, "login_unlock");
    if (e == ERR_OK)
        e = pq_commit(c);
    pq_rollback(c);
    pq_put(s, c);
    return e;
}

err_t pg_user_set_password(store_t *s, int64_t id, const char *password_hash)
{
    static const char sql[] = "UPDATE users SET password_hash = $1, failed_logins = 0,"
                              " locked_until = 0 WHERE id = $2";
    pq_params p = {0};
    pp_text(&p, password_hash);
    pp_int(&p, id);
    return user_update(s, sql, &p, id, true, true);
}

err_t pg_user_set_disabled(store_t *s, int64_t id, bool disabled)
{
    static const char sql[] = "UPDATE users SET disabled = $1 WHERE id = $2";
    pq_params p = {0};
    pp_bool(&p, disabled);
    pp_int(&p, id);
    return user_update(s, sql, &p, id, disabled, false);
}

err_t pg_user_by_wa(store_t *s, arena_t *ar, const char *wa_id, store_user *out)
{
    static const char sql[] = "SELECT " USER_COLS " FROM users WHERE wa_id = $1 AND NOT disabled";
    pq_params p = {0};
    pp_text(&p, wa_id);
    return user_one(s, ar, sql, &p, out);
}

err_t pg_user_set_wa(store_t *s, int64_t id, const char *wa_id)
{
    static const char sql[] = "UPDATE users SET wa_id = $1 WHERE id = $2 RETURNING id";
    pq_params p = {0};
    pp_text(&p, wa_id);
    pp_int(&p, id);
    int64_t got = 0;
    err_t e = exec1(s, sql, &p, &got, "user_set_wa");
    return e == ERR_OK && got == 0 ? ERR_NOT_FOUND : e;
}

err_t pg_user_set_role(store_t *s, int64_t user_id, int64_t agency_id, const char *role)
{
    static const char sql[] =
        "INSERT INTO user_roles (user_id, agency_id, role) VALUES ($1, $2, $3)"
        " ON CONFLICT (user_id, agency_id) DO UPDATE SET role = excluded.role";
    static const char chk[] = "SELECT 1 FROM agencies WHERE id = $1";
    pq_params p = {0}, q = {0};
    if (agency_id) {
        pp_int(&q, agency_id);
        err_t e = exists(s, chk, &q, "role_agency");
        if (e != ERR_OK)
            return e;
    }
    pp_int(&p, user_id);
    pp_int(&p, agency_id);
    pp_text(&p, role);
    return exec1(s, sql, &p, NULL, "set_role");
}

err_t pg_user_roles(store_t *s, arena_t *ar, int64_t user_id, store_role **out, size_t *n)
{
    static const char sql[] = "SELECT r.agency_id, a.name, r.role FROM user_roles r"
                              " LEFT JOIN agencies a ON a.id = r.agency_id"
                              " WHERE r.user_id = $1 ORDER BY r.agency_id";
    pq_params p = {0};
    PGresult *r;
    *out = NULL;
    *n = 0;
    pp_int(&p, user_id);
    err_t e = query(s, sql, &p, &r, "user_roles");
    if (e != ERR_OK)
        return e;
    int rows = PQntuples(r);
    store_role *arr = pq_alloc_rows(ar, sizeof *arr, rows);
    for (int i = 0; arr && i < rows; i++) {
        arr[i].agency_id = pq_int(r, i, 0);
        arr[i].agency_name = pq_text(ar, r, i, 1);
        arr[i].role = pq_text(ar, r, i, 2);
    }
    PQclear(r);
    if (!arr)
        return ERR_NOMEM;
    *out = arr;
    *n = (size_t)rows;
    return ERR_OK;
}

/* ---- sessions ------------------------------------------------------------------------- */

err_t pg_session_create(store_t *s, const char *token_hash, int64_t user_id, const char *csrf,
                        int64_t now, int64_t expires_at)
{
    static const char sql[] = "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at,"
                              " expires_at) VALUES ($1, $2, $3, $4, $5)";
    static const char sweep[] = "DELETE FROM sessions WHERE expires_at <= $1";
    pq_params p = {0}, q = {0};
    pp_int(&q, now);
    err_t e = exec1(s, sweep, &q, NULL, "session_sweep");
    if (e != ERR_OK)
        return e;
    pp_text(&p, token_hash);
    pp_int(&p, user_id);
    pp_text(&p, csrf);
    pp_int(&p, now);
    pp_int(&p, expires_at);
    return exec1(s, sql, &p, NULL, "session_create");
}

err_t pg_session_get(store_t *s, arena_t *ar, const char *token_hash, int64_t now,
                     store_session *out)
{
    static const char sql[] = "SELECT s.user_id, s.csrf_token, s.expires_at FROM sessions s"
                              " JOIN users u ON u.id = s.user_id"
                              " WHERE s.token_hash = $1 AND s.expires_at > $2 AND NOT u.disabled";
    pq_params p = {0};
    PGresult *r;
    pp_text(&p, token_hash);
    pp_int(&p, now);
    err_t e = query(s, sql, &p, &r, "session_get");
    if (e != ERR_OK)
        return e;
    if (PQntuples(r) == 0) {
        e = ERR_NOT_FOUND;
    } else {
        out->user_id = pq_int(r, 0, 0);
        out->csrf_token = pq_text(ar, r, 0, 1);
        out->expires_at = pq_int(r, 0, 2);
    }
    PQclear(r);
    return e;
}

err_t pg_session_delete(store_t *s, const char *token_hash)
{
    static const char sql[] = "DELETE FROM sessions WHERE token_hash = $1";
    pq_params p = {0};
    pp_text(&p, token_hash);
    return exec1(s, sql, &p, NULL, "session_delete");
}

/* ---- teams ---------------------------------------------------------------------------- */

#define TEAM_COLS                                                                                  \
    "t.id, t.agency_id, t.name, t.base_lat, t.base_lon,"                                           \
    " (SELECT COUNT(*) FROM team_members m WHERE m.team_id = t.id)"

static void read_team(arena_t *ar, PGresult *r, int i, void *elem)
{
    store_team *t = elem;
    t->id = pq_int(r, i, 0);
    t->agency_id = pq_int(r, i, 1);
    t->name = pq_text(ar, r, i, 2);
    t->has_base = !pq_null(r, i, 3);
    t->base_lat = pq_real(r, i, 3);
    t->base_lon = pq_real(r, i, 4);
    t->members = (int)pq_int(r, i, 5);
}

err_t pg_team_create(store_t *s, const store_team *t, int64_t now, int64_t *id)
{
    static const char sql[] = "INSERT INTO teams (agency_id, name, base_lat, base_lon, created_at)"
                              " VALUES ($1, $2, $3, $4, $5) RETURNING id";
    pq_params p = {0};
    pp_int(&p, t->agency_id);
    pp_text(&p, t->name);
    if (t->has_base) {
        pp_real(&p, t->base_lat);
        pp_real(&p, t->base_lon);
    } else {
        pp_null(&p);
        pp_null(&p);
    }
    pp_int(&p, now);
    int64_t got = 0;
    err_t e = exec1(s, sql, &p, &got, "team_create");
    if (e == ERR_INVALID)
        e = ERR_NOT_FOUND; /* a foreign key: no such agency */
    if (e == ERR_OK && id)
        *id = got;
    return e;
}

err_t pg_team_get(store_t *s, arena_t *ar, int64_t id, store_team *out)
{
    static const char sql[] = "SELECT " TEAM_COLS " FROM teams t WHERE t.id = $1";
    pq_params p = {0};
    PGresult *r;
    pp_int(&p, id);
    err_t e = query(s, sql, &p, &r, "team_get");
    if (e != ERR_OK)
        return e;
    if (PQntuples(r) == 0)
        e = ERR_NOT_FOUND;
    else
        read_team(ar, r, 0, out);
    PQclear(r);
    return e;
}

err_t pg_team_list(store_t *s, arena_t *ar, int64_t agency_id, store_team **out, size_t *n)
{
    static const char sql[] = "SELECT " TEAM_COLS " FROM teams t"
                              " WHERE ($1::bigint IS NULL OR t.agency_id = $1)"
                              " ORDER BY t.agency_id, t.name COLLATE \"C\"";
    pq_params p = {0};
    pp_id(&p, agency_id);
    return pq_list(s, ar, sql, &p, sizeof **out, read_team, (void **)out, n, "team_list");
}

err_t pg_team_add_member(store_t *s, int64_t team_id, int64_t user_id)
{
    static const char sql[] = "INSERT INTO team_members (team_id, user_id) VALUES ($1, $2)"
                              " ON CONFLICT DO NOTHING";
    pq_params p = {0};
    pp_int(&p, team_id);
    pp_int(&p, user_id);
    err_t e = exec1(s, sql, &p, NULL, "team_add_member");
    return e == ERR_INVALID ? ERR_NOT_FOUND : e;
}

err_t pg_team_has_member(store_t *s, int64_t team_id, int64_t user_id)
{
    static const char sql[] = "SELECT 1 FROM team_members WHERE team_id = $1 AND user_id = $2";
    pq_params p = {0};
    pp_int(&p, team_id);
    pp_int(&p, user_id);
    return exists(s, sql, &p, "team_has_member");
}

/* ---- categories ----------------------------------------------------------------------- */

#define CATEGORY_COLS "id, agency_id, code, name_id, name_en, kind, sla_hours, active"

static void read_category(arena_t *ar, PGresult *r, int i, void *elem)
{
    store_category *k = elem;
    k->id = pq_int(r, i, 0);
    k->agency_id = pq_int(r, i, 1);
    k->code = pq_text(ar, r, i, 2);
    k->name_id = pq_text(ar, r, i, 3);
    k->name_en = pq_text(ar, r, i, 4);
    k->kind = pq_text(ar, r, i, 5);
    k->sla_hours = (int)pq_int(r, i, 6);
    k->active = pq_bool(r, i, 7);
}

err_t pg_category_create(store_t *s, const store_category *k, int64_t *id)
{
    static const char sql[] =
        "INSERT INTO categories (agency_id, code, name_id, name_en, kind,"
        " sla_hours, active) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
    pq_params p = {0};
    pp_int(&p, k->agency_id);
    pp_text(&p, k->code);
    pp_text(&p, k->name_id);
    pp_text(&p, k->name_en);
    pp_text(&p, k->kind);
    pp_int(&p, k->sla_hours);
    pp_bool(&p, k->active);
    int64_t got = 0;
    err_t e = exec1(s, sql, &p, &got, "category_create");
    if (e == ERR_OK && id)
        *id = got;
    return e;
}

err_t pg_category_get(store_t *s, arena_t *ar, int64_t id, store_category *out)
{
    static const char sql[] = "SELECT " CATEGORY_COLS " FROM categories WHERE id = $1";
    pq_params p = {0};
    PGresult *r;
    pp_int(&p, id);
    err_t e = query(s, sql, &p, &r, "category_get");
    if (e != ERR_OK)
        return e;
    if (PQntuples(r) == 0)
        e = ERR_NOT_FOUND;
    else
        read_category(ar, r, 0, out);
    PQclear(r);
    return e;
}

err_t pg_category_list(store_t *s, arena_t *ar, int64_t agency_id, store_category **out, size_t *n)
{
    static const char sql[] =
        "SELECT " CATEGORY_COLS " FROM categories"
        " WHERE ($1::bigint IS NULL OR agency_id = $1) ORDER BY agency_id, code COLLATE \"C\"";
    pq_params p = {0};
    pp_id(&p, agency_id);
    return pq_list(s, ar, sql, &p, sizeof **out, read_category, (void **)out, n, "category_list");
}

err_t pg_agency_set_templates(store_t *s, int64_t agency_id, const char *status, const char *reply,
                              const char *lang)
{
    static const char sql[] =
        "UPDATE agencies SET wa_template_status = COALESCE($1, wa_template_status),"
        " wa_template_reply = COALESCE($2, wa_template_reply),"
        " wa_template_lang = COALESCE($3, wa_template_lang) WHERE id = $4";
    pq_params p = {0};
    PGresult *r = NULL;
    pp_text(&p, status);
    pp_text(&p, reply);
    pp_text(&p, lang);
    pp_int(&p, agency_id);
    err_t e = query(s, sql, &p, &r, "agency_set_templates");
    if (e == ERR_OK && pq_affected(r) == 0)
        e = ERR_NOT_FOUND;
    PQclear(r);
    return e;
}
