/* The SQLite store: what the admin pages change (categories, canned
 * replies). */
#include "store/sqlite_int.h"

#include <string.h>

err_t sq_category_update(store_t *s, const store_category *k)
{
    static const char sql[] = "UPDATE categories SET name_id = ?, name_en = ?, sla_hours = ?,"
                              " active = ? WHERE id = ?";
    return SQ_WRITE(s, sql, "category_update", true, SQ_TEXT(k->name_id), SQ_TEXT(k->name_en),
                    SQ_INT(k->sla_hours), SQ_INT(k->active ? 1 : 0), SQ_INT(k->id));
}

#define CANNED_COLS "id, agency_id, title, body, lang, updated_at"

static void read_canned(arena_t *ar, sqlite3_stmt *st, void *elem)
{
    store_canned_reply *r = elem;
    r->id = sq_int(st, 0);
    r->agency_id = sq_int(st, 1);
    r->title = sq_text(ar, st, 2);
    r->body = sq_text(ar, st, 3);
    r->lang = sq_text(ar, st, 4);
    r->updated_at = sq_int(st, 5);
}

err_t sq_canned_list(store_t *s, arena_t *ar, int64_t agency_id, store_canned_reply **out,
                     size_t *n)
{
    static const char sql[] =
        "SELECT " CANNED_COLS " FROM canned_replies WHERE agency_id = ? ORDER BY title, id";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    *out = NULL;
    *n = 0;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, agency_id);
    e = sq_collect(c, st, ar, sizeof **out, read_canned, (void **)out, n, "canned_list");
out:
    sq_put(s, c);
    return e;
}

err_t sq_canned_get(store_t *s, arena_t *ar, int64_t id, store_canned_reply *out)
{
    static const char sql[] = "SELECT " CANNED_COLS " FROM canned_replies WHERE id = ?";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, id);
    e = sq_step_row(c, st, "canned_get");
    if (e == ERR_OK)
        read_canned(ar, st, out);
    sqlite3_reset(st);
out:
    sq_put(s, c);
    return e;
}

err_t sq_canned_put(store_t *s, store_canned_reply *r, int64_t user_id, int64_t now)
{
    static const char ins[] =
        "INSERT INTO canned_replies (agency_id, title, body, lang, updated_by, created_at,"
        " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)";
    static const char upd[] = "UPDATE canned_replies SET title = ?2, body = ?3, lang = ?4,"
                              " updated_by = ?5, updated_at = ?6 WHERE id = ?1";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    sq_write_lock(c);
    SQ_PREP(c, st, r->id ? upd : ins);
    sqlite3_bind_int64(st, 1, r->id ? r->id : r->agency_id);
    sq_bind_text(st, 2, r->title);
    sq_bind_text(st, 3, r->body);
    sq_bind_text(st, 4, r->lang);
    sq_bind_id(st, 5, user_id);
    sqlite3_bind_int64(st, 6, now);
    e = sq_exec_stmt(c, st, "canned_put");
    if (e == ERR_OK && r->id && sqlite3_changes(c->db) == 0)
        e = ERR_NOT_FOUND;
    if (e == ERR_OK && !r->id)
        r->id = sqlite3_last_insert_rowid(c->db);
    if (e == ERR_OK)
        r->updated_at = now;
out:
    sq_write_unlock(c);
    sq_put(s, c);
    return e;
}

err_t sq_canned_delete(store_t *s, int64_t id)
{
    static const char sql[] = "DELETE FROM canned_replies WHERE id = ?";
    return SQ_WRITE(s, sql, "canned_delete", true, SQ_INT(id));
}

err_t sq_team_update(store_t *s, const store_team *t)
{
    static const char sql[] = "UPDATE teams SET name = ?, base_lat = ?, base_lon = ? WHERE id = ?";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    sq_write_lock(c);
    SQ_PREP(c, st, sql);
    sq_bind_text(st, 1, t->name);
    if (t->has_base) {
        sqlite3_bind_double(st, 2, t->base_lat);
        sqlite3_bind_double(st, 3, t->base_lon);
    }
    sqlite3_bind_int64(st, 4, t->id);
    e = sq_exec_stmt(c, st, "team_update");
    if (e == ERR_OK && sqlite3_changes(c->db) == 0)
        e = ERR_NOT_FOUND;
out:
    sq_write_unlock(c);
    sq_put(s, c);
    return e;
}

static void read_member(arena_t *ar, sqlite3_stmt *st, void *elem)
{
    store_user *u = elem;
    memset(u, 0, sizeof *u);
    u->id = sq_int(st, 0);
    u->login = sq_text(ar, st, 1);
    u->name = sq_text(ar, st, 2);
    u->disabled = sq_int(st, 3) != 0;
    u->wa_id = sq_text(ar, st, 4);
}

err_t sq_team_members(store_t *s, arena_t *ar, int64_t team_id, store_user **out, size_t *n)
{
    static const char sql[] =
        "SELECT u.id, u.login, u.name, u.disabled, u.wa_id FROM team_members m"
        " JOIN users u ON u.id = m.user_id WHERE m.team_id = ?"
        " ORDER BY u.name, u.id";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    *out = NULL;
    *n = 0;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, team_id);
    e = sq_collect(c, st, ar, sizeof **out, read_member, (void **)out, n, "team_members");
out:
    sq_put(s, c);
    return e;
}

err_t sq_team_remove_member(store_t *s, int64_t team_id, int64_t user_id)
{
    static const char sql[] = "DELETE FROM team_members WHERE team_id = ? AND user_id = ?";
    return SQ_WRITE(s, sql, "team_remove_member", true, SQ_INT(team_id), SQ_INT(user_id));
}
