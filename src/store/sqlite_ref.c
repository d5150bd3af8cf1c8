/* The SQLite store: agencies, regions, users, sessions, teams, categories. */
#include "store/sqlite_int.h"

#include <stdlib.h>
#include <string.h>

/* ---- agencies ------------------------------------------------------------ */

#define AGENCY_COLS                                                                                \
    "id, code, name, kind, timezone, wa_template_status, wa_template_reply, wa_template_lang"

static void read_agency(arena_t *ar, sqlite3_stmt *st, void *elem)
{
    store_agency *a = elem;
    a->id = sq_int(st, 0);
    a->code = sq_text(ar, st, 1);
    a->name = sq_text(ar, st, 2);
    a->kind = sq_text(ar, st, 3);
    a->timezone = sq_text(ar, st, 4);
    a->wa_template_status = sq_text(ar, st, 5);
    a->wa_template_reply = sq_text(ar, st, 6);
    a->wa_template_lang = sq_text(ar, st, 7);
}

err_t sq_agency_create(store_t *s, const store_agency *a, int64_t now, int64_t *id)
{
    static const char sql[] =
        "INSERT INTO agencies (code, name, kind, timezone, created_at) VALUES (?, ?, ?, ?, ?)";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    SQ_PREP(c, st, sql);
    sq_bind_text(st, 1, a->code);
    sq_bind_text(st, 2, a->name);
    sq_bind_text(st, 3, a->kind);
    sq_bind_text(st, 4, a->timezone);
    sqlite3_bind_int64(st, 5, now);
    e = sq_exec_stmt(c, st, "agency_create");
    if (e == ERR_OK && id)
        *id = sqlite3_last_insert_rowid(c->db);
out:
    sq_put(s, c);
    return e;
}

err_t sq_agency_get(store_t *s, arena_t *ar, int64_t id, store_agency *out)
{
    static const char sql[] = "SELECT " AGENCY_COLS " FROM agencies WHERE id = ?";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, id);
    e = sq_step_row(c, st, "agency_get");
    if (e == ERR_OK)
        read_agency(ar, st, out);
    sqlite3_reset(st);
out:
    sq_put(s, c);
    return e;
}

err_t sq_agency_find(store_t *s, arena_t *ar, const char *id_or_code, store_agency *out)
{
    static const char sql[] =
        "SELECT " AGENCY_COLS " FROM agencies WHERE code = ?1 OR CAST(id AS TEXT) = ?1";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    SQ_PREP(c, st, sql);
    sq_bind_text(st, 1, id_or_code);
    e = sq_step_row(c, st, "agency_find");
    if (e == ERR_OK)
        read_agency(ar, st, out);
    sqlite3_reset(st);
out:
    sq_put(s, c);
    return e;
}

err_t sq_agency_list(store_t *s, arena_t *ar, store_agency **out, size_t *n)
{
    static const char sql[] = "SELECT " AGENCY_COLS " FROM agencies ORDER BY id";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    *out = NULL;
    *n = 0;
    SQ_PREP(c, st, sql);
    e = sq_collect(c, st, ar, sizeof **out, read_agency, (void **)out, n, "agency_list");
out:
    sq_put(s, c);
    return e;
}

err_t sq_agency_number_add(store_t *s, int64_t agency_id, const char *phone_number_id,
                           const char *display_phone, int64_t now)
{
    static const char sql[] = "INSERT INTO agency_numbers (phone_number_id, agency_id,"
                              " display_phone, created_at) VALUES (?, ?, ?, ?)";
    return SQ_WRITE(s, sql, "agency_number_add", false, SQ_TEXT(phone_number_id), SQ_INT(agency_id),
                    SQ_TEXT(display_phone), SQ_INT(now));
}

err_t sq_agency_numbers(store_t *s, arena_t *ar, int64_t agency_id, const char **out)
{
    static const char sql[] = "SELECT COALESCE(group_concat(phone_number_id, ','), '') FROM"
                              " (SELECT phone_number_id FROM agency_numbers WHERE agency_id = ?"
                              " ORDER BY phone_number_id)";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, agency_id);
    e = sq_step_row(c, st, "agency_numbers");
    if (e == ERR_OK)
        *out = sq_text(ar, st, 0);
    sqlite3_reset(st);
out:
    sq_put(s, c);
    return e;
}

/* ---- regions ------------------------------------------------------------- */

err_t sq_region_put(store_t *s, const char *code, const char *name)
{
    static const char sql[] = "INSERT INTO regions (code, name) VALUES (?, ?)"
                              " ON CONFLICT (code) DO UPDATE SET name = excluded.name";
    return SQ_WRITE(s, sql, "region_put", false, SQ_TEXT(code), SQ_TEXT(name));
}

err_t sq_region_list(store_t *s, arena_t *ar, store_region **out, size_t *n)
{
    static const char sql[] = "SELECT g.code, g.name, s.code IS NOT NULL FROM regions g"
                              " LEFT JOIN region_shapes s ON s.code = g.code ORDER BY g.code";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    store_region *arr = NULL;
    size_t cnt = 0, cap = 0;
    SQ_PREP(c, st, sql);
    while ((e = sq_step_row(c, st, "region_list")) == ERR_OK) {
        if (!(arr = sq_grow(ar, arr, sizeof *arr, cnt, &cap))) {
            e = ERR_NOMEM;
            break;
        }
        arr[cnt].code = sq_text(ar, st, 0);
        arr[cnt].name = sq_text(ar, st, 1);
        arr[cnt].has_shape = sq_int(st, 2) != 0;
        cnt++;
    }
    sqlite3_reset(st);
    if (e == ERR_NOT_FOUND)
        e = ERR_OK;
out:
    sq_put(s, c);
    *out = arr;
    *n = cnt;
    return e;
}

err_t sq_region_exists(store_t *s, const char *code)
{
    static const char sql[] = "SELECT 1 FROM regions WHERE code = ?";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    SQ_PREP(c, st, sql);
    sq_bind_text(st, 1, code);
    e = sq_step_row(c, st, "region_exists");
    sqlite3_reset(st);
out:
    sq_put(s, c);
    return e;
}

err_t sq_region_shapes_put(store_t *s, const store_region_shape *v, size_t n, int64_t now)
{
    static const char sql[] =
        "INSERT INTO region_shapes (code, geometry, lat_min, lat_max, lon_min, lon_max, updated_at)"
        " SELECT code, CAST(?2 AS TEXT), CAST(?3 AS DOUBLE PRECISION), CAST(?4 AS DOUBLE "
        "PRECISION),"
        " CAST(?5 AS DOUBLE PRECISION), CAST(?6 AS DOUBLE PRECISION), CAST(?7 AS BIGINT)"
        " FROM regions WHERE code = ?1"
        " ON CONFLICT (code) DO UPDATE SET geometry = excluded.geometry,"
        " lat_min = excluded.lat_min, lat_max = excluded.lat_max, lon_min = excluded.lon_min,"
        " lon_max = excluded.lon_max, updated_at = excluded.updated_at";
    conn_t *c = sq_get(s);
    sqlite3_stmt *st;
    err_t e = sq_begin(c);
    if (e != ERR_OK)
        goto out;
    for (size_t i = 0; e == ERR_OK && i < n; i++) {
        SQ_PREP(c, st, sql);
        sq_bind_text(st, 1, v[i].code);
        sq_bind_text(st, 2, v[i].geometry);
        sqlite3_bind_double(st, 3, v[i].lat_min);
        sqlite3_bind_double(st, 4, v[i].lat_max);
        sqlite3_bind_double(st, 5, v[i].lon_min);
        sqlite3_bind_double(st, 6, v[i].lon_max);
        sqlite3_bind_int64(st, 7, now);
        e = sq_exec_stmt(c, st, "region_shape_put");
        if (e == ERR_OK && sqlite3_changes(c->db) == 0)
            e = ERR_NOT_FOUND; /* no such region */
    }
    if (e == ERR_OK)
        e = sq_commit(c);
out:
    sq_rollback(c);
    sq_put(s, c);
    return e;
}

static void read_shape(arena_t *ar, sqlite3_stmt *st, void *elem)
{
    store_region_shape *v = elem;
    v->code = sq_text(ar, st, 0);
    v->geometry = sq_text(ar, st, 1);
    v->lat_min = sqlite3_column_double(st, 2);
    v->lat_max = sqlite3_column_double(st, 3);
    v->lon_min = sqlite3_column_double(st, 4);
    v->lon_max = sqlite3_column_double(st, 5);
}

err_t sq_region_shapes_at(store_t *s, arena_t *ar, double lat, double lon, store_region_shape **out,
                          size_t *n)
{
    static const char sql[] =
        "SELECT code, geometry, lat_min, lat_max, lon_min, lon_max FROM region_shapes"
        " WHERE lat_min <= ?1 AND lat_max >= ?1 AND lon_min <= ?2 AND lon_max >= ?2"
        " ORDER BY code";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    *out = NULL;
    *n = 0;
    SQ_PREP(c, st, sql);
    sqlite3_bind_double(st, 1, lat);
    sqlite3_bind_double(st, 2, lon);
    e = sq_collect(c, st, ar, sizeof **out, read_shape, (void **)out, n, "region_shapes_at");
out:
    sq_put(s, c);
    return e;
}

/* ---- users --------------------------------------------------------------- */

#define USER_COLS "id, login, name, password_hash, disabled, failed_logins, locked_until, wa_id"

static void read_user(arena_t *ar, sqlite3_stmt *st, void *elem)
{
    store_user *u = elem;
    u->id = sq_int(st, 0);
    u->login = sq_text(ar, st, 1);
    u->name = sq_text(ar, st, 2);
    u->password_hash = sq_text(ar, st, 3);
    u->disabled = sq_int(st, 4) != 0;
    u->failed_logins = (int)sq_int(st, 5);
    u->locked_until = sq_int(st, 6);
    u->wa_id = sq_text(ar, st, 7);
}

err_t sq_user_create(store_t *s, const char *login, const char *name, const char *password_hash,
                     int64_t now, int64_t *id)
{
    static const char sql[] = "INSERT INTO users (login, name, password_hash, created_at)"
                              " VALUES (?, ?, ?, ?)";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    SQ_PREP(c, st, sql);
    sq_bind_text(st, 1, login);
    sq_bind_text(st, 2, name);
    sq_bind_text(st, 3, password_hash);
    sqlite3_bind_int64(st, 4, now);
    e = sq_exec_stmt(c, st, "user_create");
    if (e == ERR_OK && id)
        *id = sqlite3_last_insert_rowid(c->db);
out:
    sq_put(s, c);
    return e;
}

static err_t user_one(store_t *s, arena_t *ar, const char *sql, int64_t id, const char *login,
                      store_user *out)
{
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    SQ_PREP(c, st, sql);
    if (login)
        sq_bind_text(st, 1, login);
    else
        sqlite3_bind_int64(st, 1, id);
    e = sq_step_row(c, st, "user_get");
    if (e == ERR_OK)
        read_user(ar, st, out);
    sqlite3_reset(st);
out:
    sq_put(s, c);
    return e;
}

err_t sq_user_get(store_t *s, arena_t *ar, int64_t id, store_user *out)
{
    static const char sql[] = "SELECT " USER_COLS " FROM users WHERE id = ?";
    return user_one(s, ar, sql, id, NULL, out);
}

err_t sq_user_by_login(store_t *s, arena_t *ar, const char *login, store_user *out)
{
    static const char sql[] = "SELECT " USER_COLS " FROM users WHERE login = ?";
    return user_one(s, ar, sql, 0, login, out);
}

err_t sq_user_list(store_t *s, arena_t *ar, store_user **out, size_t *n)
{
    static const char sql[] = "SELECT " USER_COLS " FROM users ORDER BY login";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    *out = NULL;
    *n = 0;
    SQ_PREP(c, st, sql);
    e = sq_collect(c, st, ar, sizeof **out, read_user, (void **)out, n, "user_list");
out:
    sq_put(s, c);
    return e;
}

/* Runs an UPDATE of one user and, when end_sessions, deletes the user's
 * sessions, in one transaction. ERR_NOT_FOUND when no such user. */
static err_t user_update(store_t *s, const char *sql, int64_t id, const char *text, int64_t num,
                         bool end_sessions)
{
    static const char del[] = "DELETE FROM sessions WHERE user_id = ?";
    /* A new password also ends the login's locks (issue #13). */
    static const char unlock[] =
        "DELETE FROM login_guard WHERE login = (SELECT login FROM users WHERE id = ?)";
    conn_t *c = sq_get(s);
    err_t e = sq_begin(c);
    sqlite3_stmt *st;
    if (e != ERR_OK)
        goto out;
    SQ_PREP(c, st, sql);
    if (text)
        sq_bind_text(st, 1, text);
    else
        sqlite3_bind_int64(st, 1, num);
    sqlite3_bind_int64(st, 2, id);
    e = sq_exec_stmt(c, st, "user_update");
    if (e == ERR_OK && sqlite3_changes(c->db) == 0)
        e = ERR_NOT_FOUND;
    if (e == ERR_OK && end_sessions) {
        SQ_PREP(c, st, del);
        sqlite3_bind_int64(st, 1, id);
        e = sq_exec_stmt(c, st, "sessions_end");
    }
    if (e == ERR_OK && text) { /* the password */
        SQ_PREP(c, st, unlock);
        sqlite3_bind_int64(st, 1, id);
        e = sq_exec_stmt(c, st, "login_unlock");
    }
    if (e == ERR_OK)
        e = sq_commit(c);
out:
    sq_rollback(c);
    sq_put(s, c);
    return e;
}

err_t sq_user_set_password(store_t *s, int64_t id, const char *password_hash)
{
    static const char sql[] = "UPDATE users SET password_hash = ?, failed_logins = 0,"
                              " locked_until = 0 WHERE id = ?";
    return user_update(s, sql, id, password_hash, 0, true);
}

err_t sq_user_set_disabled(store_t *s, int64_t id, bool disabled)
{
    static const char sql[] = "UPDATE users SET disabled = ? WHERE id = ?";
    return user_update(s, sql, id, NULL, disabled ? 1 : 0, disabled);
}

err_t sq_user_by_wa(store_t *s, arena_t *ar, const char *wa_id, store_user *out)
{
    static const char sql[] = "SELECT " USER_COLS " FROM users WHERE wa_id = ? AND disabled = 0";
    return user_one(s, ar, sql, 0, wa_id, out);
}

err_t sq_user_set_wa(store_t *s, int64_t id, const char *wa_id)
{
    static const char sql[] = "UPDATE users SET wa_id = ? WHERE id = ?";
    return SQ_WRITE(s, sql, "user_set_wa", true, SQ_TEXT(wa_id), SQ_INT(id));
}

err_t sq_user_set_role(store_t *s, int64_t user_id, int64_t agency_id, const char *role)
{
    static const char sql[] =
        "INSERT INTO user_roles (user_id, agency_id, role) VALUES (?, ?, ?)"
        " ON CONFLICT (user_id, agency_id) DO UPDATE SET role = excluded.role";
    static const char chk[] = "SELECT 1 FROM agencies WHERE id = ?";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    if (agency_id) {
        SQ_PREP(c, st, chk);
        sqlite3_bind_int64(st, 1, agency_id);
        e = sq_step_row(c, st, "role_agency");
        sqlite3_reset(st);
        if (e != ERR_OK)
            goto out;
    }
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, user_id);
    sqlite3_bind_int64(st, 2, agency_id);
    sq_bind_text(st, 3, role);
    e = sq_exec_stmt(c, st, "set_role");
out:
    sq_put(s, c);
    return e;
}

err_t sq_user_roles(store_t *s, arena_t *ar, int64_t user_id, store_role **out, size_t *n)
{
    static const char sql[] = "SELECT r.agency_id, a.name, r.role FROM user_roles r"
                              " LEFT JOIN agencies a ON a.id = r.agency_id"
                              " WHERE r.user_id = ? ORDER BY r.agency_id";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    store_role *arr = NULL;
    size_t cnt = 0, cap = 0;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, user_id);
    while ((e = sq_step_row(c, st, "user_roles")) == ERR_OK) {
        if (!(arr = sq_grow(ar, arr, sizeof *arr, cnt, &cap))) {
            e = ERR_NOMEM;
            break;
        }
        arr[cnt].agency_id = sq_int(st, 0);
        arr[cnt].agency_name = sq_text(ar, st, 1);
        arr[cnt].role = sq_text(ar, st, 2);
        cnt++;
    }
    sqlite3_reset(st);
    if (e == ERR_NOT_FOUND)
        e = ERR_OK;
out:
    sq_put(s, c);
    *out = arr;
    *n = cnt;
    return e;
}

/* ---- sessions ------------------------------------------------------------ */

err_t sq_session_create(store_t *s, const char *token_hash, int64_t user_id, const char *csrf,
                        int64_t now, int64_t expires_at)
{
    static const char sql[] = "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at,"
                              " expires_at) VALUES (?, ?, ?, ?, ?)";
    /* Expired sessions are swept as new ones are made: no extra job needed. */
    static const char sweep[] = "DELETE FROM sessions WHERE expires_at <= ?";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    SQ_PREP(c, st, sweep);
    sqlite3_bind_int64(st, 1, now);
    e = sq_exec_stmt(c, st, "session_sweep");
    if (e != ERR_OK)
        goto out;
    SQ_PREP(c, st, sql);
    sq_bind_text(st, 1, token_hash);
    sqlite3_bind_int64(st, 2, user_id);
    sq_bind_text(st, 3, csrf);
    sqlite3_bind_int64(st, 4, now);
    sqlite3_bind_int64(st, 5, expires_at);
    e = sq_exec_stmt(c, st, "session_create");
out:
    sq_put(s, c);
    return e;
}

err_t sq_session_get(store_t *s, arena_t *ar, const char *token_hash, int64_t now,
                     store_session *out)
{
    static const char sql[] = "SELECT s.user_id, s.csrf_token, s.expires_at FROM sessions s"
                              " JOIN users u ON u.id = s.user_id"
                              " WHERE s.token_hash = ? AND s.expires_at > ? AND u.disabled = 0";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    SQ_PREP(c, st, sql);
    sq_bind_text(st, 1, token_hash);
    sqlite3_bind_int64(st, 2, now);
    e = sq_step_row(c, st, "session_get");
    if (e == ERR_OK) {
        out->user_id = sq_int(st, 0);
        out->csrf_token = sq_text(ar, st, 1);
        out->expires_at = sq_int(st, 2);
    }
    sqlite3_reset(st);
out:
    sq_put(s, c);
    return e;
}

err_t sq_session_delete(store_t *s, const char *token_hash)
{
    static const char sql[] = "DELETE FROM sessions WHERE token_hash = ?";
    return SQ_WRITE(s, sql, "session_delete", false, SQ_TEXT(token_hash));
}

/* ---- teams --------------------------------------------------------------- */

#define TEAM_COLS                                                                                  \
    "t.id, t.agency_id, t.name, t.base_lat, t.base_lon,"                                           \
    " (SELECT COUNT(*) FROM team_members m WHERE m.team_id = t.id)"

static void read_team(arena_t *ar, sqlite3_stmt *st, void *elem)
{
    store_team *t = elem;
    t->id = sq_int(st, 0);
    t->agency_id = sq_int(st, 1);
    t->name = sq_text(ar, st, 2);
    t->has_base = sqlite3_column_type(st, 3) != SQLITE_NULL;
    t->base_lat = sqlite3_column_double(st, 3);
    t->base_lon = sqlite3_column_double(st, 4);
    t->members = (int)sq_int(st, 5);
}

err_t sq_team_create(store_t *s, const store_team *t, int64_t now, int64_t *id)
{
    static const char sql[] = "INSERT INTO teams (agency_id, name, base_lat, base_lon, created_at)"
                              " VALUES (?, ?, ?, ?, ?)";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, t->agency_id);
    sq_bind_text(st, 2, t->name);
    if (t->has_base) {
        sqlite3_bind_double(st, 3, t->base_lat);
        sqlite3_bind_double(st, 4, t->base_lon);
    }
    sqlite3_bind_int64(st, 5, now);
    e = sq_exec_stmt(c, st, "team_create");
    if (e == ERR_INVALID)
        e = ERR_NOT_FOUND; /* a foreign key: no such agency */
    if (e == ERR_OK && id)
        *id = sqlite3_last_insert_rowid(c->db);
out:
    sq_put(s, c);
    return e;
}

err_t sq_team_get(store_t *s, arena_t *ar, int64_t id, store_team *out)
{
    static const char sql[] = "SELECT " TEAM_COLS " FROM teams t WHERE t.id = ?";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, id);
    e = sq_step_row(c, st, "team_get");
    if (e == ERR_OK)
        read_team(ar, st, out);
    sqlite3_reset(st);
out:
    sq_put(s, c);
    return e;
}

err_t sq_team_list(store_t *s, arena_t *ar, int64_t agency_id, store_team **out, size_t *n)
{
    static const char sql[] =
        "SELECT " TEAM_COLS " FROM teams t"
        " WHERE (?1 IS NULL OR t.agency_id = ?1) ORDER BY t.agency_id, t.name";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    *out = NULL;
    *n = 0;
    SQ_PREP(c, st, sql);
    sq_bind_id(st, 1, agency_id);
    e = sq_collect(c, st, ar, sizeof **out, read_team, (void **)out, n, "team_list");
out:
    sq_put(s, c);
    return e;
}

err_t sq_team_add_member(store_t *s, int64_t team_id, int64_t user_id)
{
    static const char sql[] = "INSERT INTO team_members (team_id, user_id) VALUES (?, ?)"
                              " ON CONFLICT DO NOTHING";
    err_t e = SQ_WRITE(s, sql, "team_add_member", false, SQ_INT(team_id), SQ_INT(user_id));
    return e == ERR_INVALID ? ERR_NOT_FOUND : e; /* a foreign key: unknown team or user */
}

err_t sq_team_has_member(store_t *s, int64_t team_id, int64_t user_id)
{
    static const char sql[] = "SELECT 1 FROM team_members WHERE team_id = ? AND user_id = ?";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, team_id);
    sqlite3_bind_int64(st, 2, user_id);
    e = sq_step_row(c, st, "team_has_member");
    sqlite3_reset(st);
out:
    sq_put(s, c);
    return e;
}

/* ---- categories ---------------------------------------------------------- */

#define CATEGORY_COLS "id, agency_id, code, name_id, name_en, kind, sla_hours, active"

static void read_category(arena_t *ar, sqlite3_stmt *st, void *elem)
{
    store_category *k = elem;
    k->id = sq_int(st, 0);
    k->agency_id = sq_int(st, 1);
    k->code = sq_text(ar, st, 2);
    k->name_id = sq_text(ar, st, 3);
    k->name_en = sq_text(ar, st, 4);
    k->kind = sq_text(ar, st, 5);
    k->sla_hours = (int)sq_int(st, 6);
    k->active = sq_int(st, 7) != 0;
}

err_t sq_category_create(store_t *s, const store_category *k, int64_t *id)
{
    static const char sql[] = "INSERT INTO categories (agency_id, code, name_id, name_en, kind,"
                              " sla_hours, active) VALUES (?, ?, ?, ?, ?, ?, ?)";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, k->agency_id);
    sq_bind_text(st, 2, k->code);
    sq_bind_text(st, 3, k->name_id);
    sq_bind_text(st, 4, k->name_en);
    sq_bind_text(st, 5, k->kind);
    sqlite3_bind_int(st, 6, k->sla_hours);
    sqlite3_bind_int(st, 7, k->active ? 1 : 0);
    e = sq_exec_stmt(c, st, "category_create");
    if (e == ERR_OK && id)
        *id = sqlite3_last_insert_rowid(c->db);
out:
    sq_put(s, c);
    return e;
}

err_t sq_category_get(store_t *s, arena_t *ar, int64_t id, store_category *out)
{
    static const char sql[] = "SELECT " CATEGORY_COLS " FROM categories WHERE id = ?";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, id);
    e = sq_step_row(c, st, "category_get");
    if (e == ERR_OK)
        read_category(ar, st, out);
    sqlite3_reset(st);
out:
    sq_put(s, c);
    return e;
}

err_t sq_category_list(store_t *s, arena_t *ar, int64_t agency_id, store_category **out, size_t *n)
{
    static const char sql[] = "SELECT " CATEGORY_COLS " FROM categories"
                              " WHERE (?1 IS NULL OR agency_id = ?1) ORDER BY agency_id, code";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    *out = NULL;
    *n = 0;
    SQ_PREP(c, st, sql);
    sq_bind_id(st, 1, agency_id);
    e = sq_collect(c, st, ar, sizeof **out, read_category, (void **)out, n, "category_list");
out:
    sq_put(s, c);
    return e;
}

err_t sq_agency_set_templates(store_t *s, int64_t agency_id, const char *status, const char *reply,
                              const char *lang)
{
    static const char sql[] =
        "UPDATE agencies SET wa_template_status = COALESCE(?, wa_template_status),"
        " wa_template_reply = COALESCE(?, wa_template_reply),"
        " wa_template_lang = COALESCE(?, wa_template_lang) WHERE id = ?";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    SQ_PREP(c, st, sql);
    sq_bind_text(st, 1, status);
    sq_bind_text(st, 2, reply);
    sq_bind_text(st, 3, lang);
    sqlite3_bind_int64(st, 4, agency_id);
    sq_write_lock(c);
    e = sq_exec_stmt(c, st, "agency_set_templates");
    if (e == ERR_OK && sqlite3_changes(c->db) == 0)
        e = ERR_NOT_FOUND;
    sq_write_unlock(c);
out:
    sq_put(s, c);
    return e;
}
