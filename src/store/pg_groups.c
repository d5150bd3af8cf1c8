/* The PostgreSQL store: the members of community reporter groups (the same
 * query as store/sqlite_groups.c). */
#include "store/pg_int.h"

#include <string.h>

static void read_member(arena_t *ar, PGresult *r, int i, void *elem)
{
    store_group_member *m = elem;
    memset(m, 0, sizeof *m);
    m->wa_id = pq_text(ar, r, i, 0);
    m->name = pq_text(ar, r, i, 1);
    m->created_at = pq_int(r, i, 2);
}

err_t pg_group_members(store_t *s, arena_t *ar, int64_t group_id, store_group_member **out,
                       size_t *n)
{
    static const char sql[] = "SELECT wa_id, name, created_at FROM community_members"
                              " WHERE group_id = $1 ORDER BY created_at, wa_id COLLATE \"C\""
                              " LIMIT $2";
    pq_params p = {0};
    pp_int(&p, group_id);
    pp_int(&p, STORE_GROUP_MEMBERS_MAX);
    return pq_list(s, ar, sql, &p, sizeof **out, read_member, (void **)out, n, "group_members");
}
