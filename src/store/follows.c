/* Following a case by email (issue 18, migration 0039): the double opt-in
 * of an address, its confirmation, its one-click unsubscribe and the
 * retention of the addresses. Written once for both engines on store/q.h. */
#include "store/dom.h"

#include <string.h>

typedef struct {
    const store_email_follow_req *x;
    bool *queued;
} req_ctx;

static err_t request_tx(q_conn *c, void *arg)
{
    static const char find[] =
        "SELECT state FROM email_follows WHERE case_id = $1 AND address = $2";
    static const char add[] =
        "INSERT INTO email_follows (case_id, address, lang, state, confirm_hash, confirm_until,"
        " unsub_hash, unsub_token, consent_at, created_at)"
        " VALUES ($1, $2, $3, 'pending', $4, $5, $6, $7, $8, $8)";
    static const char again[] =
        "UPDATE email_follows SET confirm_hash = $3, confirm_until = $4, lang = $5,"
        " consent_at = $6 WHERE case_id = $1 AND address = $2 AND state = 'pending'";
    static const char mail[] =
        "INSERT INTO outbox (channel, agency_id, endpoint, address, case_id, kind, payload,"
        " created_at, updated_at) VALUES ('email', $1, $2, $3, $4, 'follow_confirm', $5, $6, $6)";
    req_ctx *k = arg;
    const store_email_follow_req *x = k->x;
    const char *state = NULL;
    arena_t *ar = arena_new();
    if (!ar)
        return ERR_NOMEM;
    err_t e = q_row(c, ar, find, Q_COL_TEXT, &state, Q_INT(x->case_id), Q_TEXT(x->address));
    *k->queued = false;
    if (e == ERR_NOT_FOUND)
        e = q_must(c, add, Q_INT(x->case_id), Q_TEXT(x->address), Q_TEXT(x->lang),
                   Q_TEXT(x->confirm_hash), Q_INT(x->confirm_until), Q_TEXT(x->unsub_hash),
                   Q_TEXT(x->unsub_token), Q_INT(x->now));
    else if (e == ERR_OK && state && !strcmp(state, "pending"))
        e = q_must(c, again, Q_INT(x->case_id), Q_TEXT(x->address), Q_TEXT(x->confirm_hash),
                   Q_INT(x->confirm_until), Q_TEXT(x->lang), Q_INT(x->now));
    else if (e == ERR_OK) { /* following already: nothing to confirm */
        arena_destroy(ar);
        return ERR_OK;
    }
    if (e == ERR_OK)
        e = q_must(c, mail, Q_INT(x->agency_id), Q_TEXT(x->endpoint), Q_TEXT(x->address),
                   Q_INT(x->case_id), Q_TEXT(x->payload), Q_INT(x->now));
    if (e == ERR_OK)
        *k->queued = true;
    arena_destroy(ar);
    return e;
}

err_t store_email_follow_request(store_t *s, const store_email_follow_req *x, bool *queued)
{
    req_ctx k = {x, queued};
    *queued = false;
    return q_tx(s, request_tx, &k);
}

static const q_field FOLLOW_F[] = {
    QF(INT64, store_email_follow, case_id),
    QF(TEXT, store_email_follow, address),
    QF(TEXT, store_email_follow, tracking_code),
};

typedef struct {
    arena_t *ar;
    const char *hash;
    int64_t now;
    store_email_follow *out;
} hash_ctx;

static err_t confirm_tx(q_conn *c, void *arg)
{
    static const char take[] =
        "UPDATE email_follows SET state = 'active', confirm_hash = NULL, confirm_until = NULL,"
        " confirmed_at = $2 WHERE confirm_hash = $1 AND state = 'pending' AND confirm_until >= $2"
        " RETURNING case_id, address, (SELECT tracking_code FROM cases WHERE id = case_id)";
    static const char watch[] = "INSERT INTO case_watchers (case_id, channel, address, created_at)"
                                " VALUES ($1, 'email', $2, $3) ON CONFLICT DO NOTHING";
    hash_ctx *x = arg;
    err_t e = q_row(c, x->ar, take, FOLLOW_F, x->out, Q_TEXT(x->hash), Q_INT(x->now));
    if (e == ERR_OK)
        e = q_must(c, watch, Q_INT(x->out->case_id), Q_TEXT(x->out->address), Q_INT(x->now));
    return e;
}

err_t store_email_follow_confirm(store_t *s, arena_t *ar, const char *confirm_hash, int64_t now,
                                 store_email_follow *out)
{
    hash_ctx x = {ar, confirm_hash, now, out};
    memset(out, 0, sizeof *out);
    return q_tx(s, confirm_tx, &x);
}

static err_t stop_tx(q_conn *c, void *arg)
{
    static const char take[] =
        "DELETE FROM email_follows WHERE unsub_hash = $1"
        " RETURNING case_id, address, (SELECT tracking_code FROM cases WHERE id = case_id)";
    static const char unwatch[] =
        "DELETE FROM case_watchers WHERE case_id = $1 AND channel = 'email' AND address = $2";
    hash_ctx *x = arg;
    err_t e = q_row(c, x->ar, take, FOLLOW_F, x->out, Q_TEXT(x->hash));
    if (e == ERR_OK)
        e = q_run(c, unwatch, NULL, Q_INT(x->out->case_id), Q_TEXT(x->out->address));
    return e;
}

err_t store_email_follow_stop(store_t *s, arena_t *ar, const char *unsub_hash,
                              store_email_follow *out)
{
    hash_ctx x = {ar, unsub_hash, 0, out};
    memset(out, 0, sizeof *out);
    return q_tx(s, stop_tx, &x);
}

err_t store_email_follow_unsub_token(store_t *s, arena_t *ar, int64_t case_id, const char *address,
                                     const char **out)
{
    static const char sql[] = "SELECT unsub_token FROM email_follows"
                              " WHERE case_id = $1 AND address = $2 AND state = 'active'";
    *out = NULL;
    return q_one(s, ar, sql, Q_COL_TEXT, out, Q_INT(case_id), Q_TEXT(address));
}

err_t store_email_follows_purge(store_t *s, int64_t now, int64_t finished_before, unsigned max,
                                size_t *n)
{
    /* Their case_watchers rows go by store_watchers_purge, by the same rule. */
    static const char follows[] =
        "DELETE FROM email_follows WHERE id IN (SELECT f.id FROM email_follows f"
        " JOIN cases c ON c.id = f.case_id WHERE (f.state = 'pending' AND f.confirm_until < $1)"
        " OR (c.status IN ('closed', 'rejected', 'forwarded') AND c.updated_at < $2)"
        " ORDER BY f.id LIMIT $3)";
    int64_t k = 0;
    err_t e = q_write_n(s, follows, &k, Q_INT(now), Q_INT(finished_before), Q_INT(max));
    *n = e == ERR_OK ? (size_t)k : 0;
    return e;
}
