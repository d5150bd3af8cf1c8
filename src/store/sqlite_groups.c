/* The SQLite store: the members of community reporter groups. */
#include "store/sqlite_int.h"

#include <string.h>

static void read_member(arena_t *ar, sqlite3_stmt *st, void *elem)
{
    store_group_member *m = elem;
    memset(m, 0, sizeof *m);
    m->wa_id = sq_text(ar, st, 0);
    m->name = sq_text(ar, st, 1);
    m->created_at = sq_int(st, 2);
}

err_t sq_group_members(store_t *s, arena_t *ar, int64_t group_id, store_group_member **out,
                       size_t *n)
{
    static const char sql[] = "SELECT wa_id, name, created_at FROM community_members"
                              " WHERE group_id = ? ORDER BY created_at, wa_id LIMIT ?";
    conn_t *c = sq_get(s);
    err_t e = ERR_OK;
    sqlite3_stmt *st;
    *out = NULL;
    *n = 0;
    SQ_PREP(c, st, sql);
    sqlite3_bind_int64(st, 1, group_id);
    sqlite3_bind_int64(st, 2, STORE_GROUP_MEMBERS_MAX);
    e = sq_collect(c, st, ar, sizeof **out, read_member, (void **)out, n, "group_members");
out:
    sq_put(s, c);
    return e;
}
