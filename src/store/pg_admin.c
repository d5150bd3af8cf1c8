/* The PostgreSQL store: what the admin pages change (categories, canned
 * replies). Same behaviour as store/sqlite_admin.c. */
#include "store/pg_int.h"

#include <string.h>

/* Runs one statement; *rows gets the rows it affected or returned. */
static err_t run(store_t *s, const char *sql, const pq_params *p, PGresult **out, const char *what)
{
    pconn_t *c = pq_get(s);
    if (!c)
        return ERR_UNAVAILABLE;
    err_t e = pq_run(c, sql, p, out, what);
    pq_put(s, c);
    return e;
}

err_t pg_category_update(store_t *s, const store_category *k)
{
    static const char sql[] = "UPDATE categories SET name_id = $1, name_en = $2, sla_hours = $3,"
                              " active = $4 WHERE id = $5";
    pq_params p = {0};
    PGresult *r = NULL;
    pp_text(&p, k->name_id);
    pp_text(&p, k->name_en);
    pp_int(&p, k->sla_hours);
    pp_bool(&p, k->active);
    pp_int(&p, k->id);
    err_t e = run(s, sql, &p, &r, "category_update");
    if (e == ERR_OK && pq_affected(r) == 0)
        e = ERR_NOT_FOUND;
    PQclear(r);
    return e;
}

#define CANNED_COLS "id, agency_id, title, body, lang, updated_at"

static void read_canned(arena_t *ar, PGresult *r, int i, void *elem)
{
    store_canned_reply *v = elem;
    v->id = pq_int(r, i, 0);
    v->agency_id = pq_int(r, i, 1);
    v->title = pq_text(ar, r, i, 2);
    v->body = pq_text(ar, r, i, 3);
    v->lang = pq_text(ar, r, i, 4);
    v->updated_at = pq_int(r, i, 5);
}

err_t pg_canned_list(store_t *s, arena_t *ar, int64_t agency_id, store_canned_reply **out,
                     size_t *n)
{
    static const char sql[] =
        "SELECT " CANNED_COLS " FROM canned_replies WHERE agency_id = $1 ORDER BY title, id";
    pq_params p = {0};
    pp_int(&p, agency_id);
    return pq_list(s, ar, sql, &p, sizeof **out, read_canned, (void **)out, n, "canned_list");
}

err_t pg_canned_get(store_t *s, arena_t *ar, int64_t id, store_canned_reply *out)
{
    static const char sql[] = "SELECT " CANNED_COLS " FROM canned_replies WHERE id = $1";
    pq_params p = {0};
    store_canned_reply *rows;
    size_t n;
    pp_int(&p, id);
    err_t e = pq_list(s, ar, sql, &p, sizeof *rows, read_canned, (void **)&rows, &n, "canned_get");
    if (e == ERR_OK && n == 0)
        e = ERR_NOT_FOUND;
    if (e == ERR_OK)
        *out = rows[0];
    return e;
}

err_t pg_canned_put(store_t *s, store_canned_reply *v, int64_t user_id, int64_t now)
{
    static const char ins[] =
        "INSERT INTO canned_replies (agency_id, title, body, lang, updated_by, created_at,"
        " updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id";
    static const char upd[] = "UPDATE canned_replies SET title = $2, body = $3, lang = $4,"
                              " updated_by = $5, updated_at = $6 WHERE id = $1 RETURNING id";
    pq_params p = {0};
    PGresult *r = NULL;
    pp_int(&p, v->id ? v->id : v->agency_id);
    pp_text(&p, v->title);
    pp_text(&p, v->body);
    pp_text(&p, v->lang);
    pp_id(&p, user_id);
    pp_int(&p, now);
    err_t e = run(s, v->id ? upd : ins, &p, &r, "canned_put");
    if (e == ERR_OK && PQntuples(r) == 0)
        e = ERR_NOT_FOUND;
    if (e == ERR_OK) {
        v->id = pq_int(r, 0, 0);
        v->updated_at = now;
    }
    PQclear(r);
    return e;
}

err_t pg_canned_delete(store_t *s, int64_t id)
{
    static const char sql[] = "DELETE FROM canned_replies WHERE id = $1";
    pq_params p = {0};
    PGresult *r = NULL;
    pp_int(&p, id);
    err_t e = run(s, sql, &p, &r, "canned_delete");
    if (e == ERR_OK && pq_affected(r) == 0)
        e = ERR_NOT_FOUND;
    PQclear(r);
    return e;
}

err_t pg_team_update(store_t *s, const store_team *t)
{
    static const char sql[] = "UPDATE teams SET name = $1, base_lat = $2, base_lon = $3"
                              " WHERE id = $4";
    pq_params p = {0};
    PGresult *r = NULL;
    pp_text(&p, t->name);
    if (t->has_base) {
        pp_real(&p, t->base_lat);
        pp_real(&p, t->base_lon);
    } else {
        pp_null(&p);
        pp_null(&p);
    }
    pp_int(&p, t->id);
    err_t e = run(s, sql, &p, &r, "team_update");
    if (e == ERR_OK && pq_affected(r) == 0)
        e = ERR_NOT_FOUND;
    PQclear(r);
    return e;
}

static void read_member(arena_t *ar, PGresult *r, int i, void *elem)
{
    store_user *u = elem;
    memset(u, 0, sizeof *u);
    u->id = pq_int(r, i, 0);
    u->login = pq_text(ar, r, i, 1);
    u->name = pq_text(ar, r, i, 2);
    u->disabled = pq_bool(r, i, 3);
    u->wa_id = pq_text(ar, r, i, 4);
}

err_t pg_team_members(store_t *s, arena_t *ar, int64_t team_id, store_user **out, size_t *n)
{
    static const char sql[] =
        "SELECT u.id, u.login, u.name, u.disabled, u.wa_id FROM team_members m"
        " JOIN users u ON u.id = m.user_id WHERE m.team_id = $1"
        " ORDER BY u.name, u.id";
    pq_params p = {0};
    pp_int(&p, team_id);
    return pq_list(s, ar, sql, &p, sizeof **out, read_member, (void **)out, n, "team_members");
}

err_t pg_team_remove_member(store_t *s, int64_t team_id, int64_t user_id)
{
    static const char sql[] = "DELETE FROM team_members WHERE team_id = $1 AND user_id = $2";
    pq_params p = {0};
    PGresult *r = NULL;
    pp_int(&p, team_id);
    pp_int(&p, user_id);
    err_t e = run(s, sql, &p, &r, "team_remove_member");
    if (e == ERR_OK && pq_affected(r) == 0)
        e = ERR_NOT_FOUND;
    PQclear(r);
    return e;
}
