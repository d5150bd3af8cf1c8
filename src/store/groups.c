/* Community reporter groups (LACAK BENTOR): groups of an agency and their
 * members by WhatsApp id. Written once for both engines on store/q.h. */
#include "store/q.h"

/* The columns GROUP_F reads: a group and its counts (open: not resolved,
 * closed, rejected or forwarded; resolved: or closed). */
#define GROUP_COLS                                                                                 \
    "SELECT g.id, g.agency_id, g.name, g.skip_verification"                                        \
    ", (SELECT COUNT(*) FROM community_members m WHERE m.group_id = g.id),"                        \
    " (SELECT COUNT(*) FROM cases c WHERE c.community_group_id = g.id),"                           \
    " (SELECT COUNT(*) FROM cases c WHERE c.community_group_id = g.id AND c.status NOT IN"         \
    " ('resolved', 'closed', 'rejected', 'forwarded')),"                                           \
    " (SELECT COUNT(*) FROM cases c WHERE c.community_group_id = g.id AND c.status IN"             \
    " ('resolved', 'closed')) FROM community_groups g"

static const q_field GROUP_F[] = {
    QF(INT64, store_group, id),
    QF(INT64, store_group, agency_id),
    QF(TEXT, store_group, name),
    QF(BOOL, store_group, skip_verification), /* BOOLEAN on pg, 0/1 on SQLite */
    QF(INT, store_group, members),
    QF(INT, store_group, cases),
    QF(INT, store_group, open_cases),
    QF(INT, store_group, resolved_cases),
};

err_t store_group_create(store_t *s, const store_group *g, int64_t now, int64_t *id)
{
    static const char sql[] = "INSERT INTO community_groups (agency_id, name, skip_verification,"
                              " created_at) VALUES ($1, $2, $3, $4) RETURNING id";
    return q_one_int(s, sql, id, Q_INT(g->agency_id), Q_TEXT(g->name), Q_BOOL(g->skip_verification),
                     Q_INT(now));
}

Q_LIST_FN(store_group_list, store_group, int64_t, Q_INT, GROUP_F,
          GROUP_COLS " WHERE g.agency_id = $1 ORDER BY g.name {COLLATE_C}")

err_t store_group_get(store_t *s, arena_t *ar, int64_t id, store_group *out)
{
    static const char sql[] = GROUP_COLS " WHERE g.id = $1";
    *out = (store_group){0};
    return q_one(s, ar, sql, GROUP_F, out, Q_INT(id));
}

err_t store_group_of(store_t *s, arena_t *ar, int64_t agency_id, const char *mobile,
                     store_group *out)
{
    /* Called for every report of a known contact: no counts (zeros). */
    static const char sql[] =
        "SELECT g.id, g.agency_id, g.name, g.skip_verification, 0, 0, 0, 0 FROM community_groups g"
        " JOIN community_members m ON m.group_id = g.id WHERE g.agency_id = $1 AND m.mobile = $2"
        " ORDER BY g.id LIMIT 1";
    *out = (store_group){0};
    return q_one(s, ar, sql, GROUP_F, out, Q_INT(agency_id), Q_TEXT(mobile));
}

err_t store_group_member_add(store_t *s, int64_t group_id, const char *mobile, const char *name,
                             int64_t now)
{
    static const char sql[] =
        "INSERT INTO community_members (group_id, mobile, name, created_at) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (group_id, mobile) DO UPDATE SET name = excluded.name";
    err_t e = q_write(s, sql, false, Q_INT(group_id), Q_TEXT(mobile), Q_TEXT(name), Q_INT(now));
    return e == ERR_INVALID ? ERR_NOT_FOUND : e; /* a foreign key: no such group */
}

err_t store_group_member_remove(store_t *s, int64_t group_id, const char *mobile)
{
    static const char sql[] = "DELETE FROM community_members WHERE group_id = $1 AND mobile = $2";
    return q_write(s, sql, true, Q_INT(group_id), Q_TEXT(mobile));
}

err_t store_case_set_group(store_t *s, int64_t case_id, int64_t group_id)
{
    static const char sql[] = "UPDATE cases SET community_group_id = $1 WHERE id = $2";
    return q_write(s, sql, true, Q_ID(group_id), Q_INT(case_id));
}

static const q_field MEMBER_F[] = {
    QF(TEXT, store_group_member, mobile),
    QF(TEXT, store_group_member, name),
    QF(INT64, store_group_member, created_at),
};

err_t store_group_members(store_t *s, arena_t *ar, int64_t group_id, store_group_member **out,
                          size_t *n)
{
    static const char sql[] =
        "SELECT mobile, name, created_at FROM community_members"
        " WHERE group_id = $1 ORDER BY created_at, mobile {COLLATE_C} LIMIT $2";
    return q_list(s, ar, sql, MEMBER_F, out, n, Q_INT(group_id), Q_INT(STORE_GROUP_MEMBERS_MAX));
}
