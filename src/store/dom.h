/* Internal to store/: helpers one domain of the store calls inside another
 * domain's transaction, written once on q.h. Each takes the q_conn of the
 * caller's open transaction (q_tx) and must not commit or borrow another
 * connection.
 * Owners: dom_put_reporter, dom_insert_case, dom_case_lock in cases.c; dom_outbox_queue_status
 * and dom_outbox_notice in conversation.c; dom_dispatch_queue_followers in dispatch.c.
 * dom_add_event is dispatch.c's own (sla.c shares it). */
#ifndef ADUAN_STORE_DOM_H
#define ADUAN_STORE_DOM_H

#include "store/q.h"

/* The reporter's row for r (insert or refresh by phone/identity); its id. */
err_t dom_put_reporter(q_conn *c, const store_reporter_in *r, int64_t now, int64_t *id) STORE_WUR;
/* Inserts case k (its id, code and deadlines filled in) with its "created"
 * event carrying note; the event's id. */
err_t dom_insert_case(q_conn *c, arena_t *ar, store_case *k, const char *note,
                      int64_t *event_id) STORE_WUR;
/* Locks the case's row (SQLite: q_tx holds the write lock already): its
 * events and transitions queue here. ERR_NOT_FOUND: no such case. */
err_t dom_case_lock(q_conn *c, int64_t case_id) STORE_WUR;
/* After a conditional write to the case changed nothing: ERR_CONFLICT when
 * the case exists (its state did not allow it), else ERR_NOT_FOUND. */
err_t dom_case_moved(q_conn *c, int64_t case_id) STORE_WUR;
/* Queues the reporter's status notice for the case's event (none when
 * there is no one to tell). */
err_t dom_outbox_queue_status(q_conn *c, int64_t case_id, int64_t event_id, int64_t now) STORE_WUR;
/* A message to a case's reporter, where the case's updates go
 * (DOM_NOTIFY_TARGET). */
typedef struct {
    int64_t case_id;
    const char *kind, *message, *payload, *template; /* payload NULL: '' (rendered at send) */
    int64_t event_id;                                /* status_update: the event to tell */
    bool came_there; /* only to a reporter the case came from (not a walk-in's) */
    int64_t now;
} dom_notice;
/* Queues n; *id (may be NULL) the outbox row. ERR_NOT_FOUND when there is
 * no one to send it to (no channel, or no number). */
err_t dom_outbox_notice(q_conn *c, const dom_notice *n, int64_t *id) STORE_WUR;
/* Queues the new-case rules of case_id (dispatch.c), run by a worker. */
err_t dom_case_rules_queue(q_conn *c, int64_t case_id, int64_t now) STORE_WUR;
/* Queues the notices to the case's followers (community groups). */
err_t dom_dispatch_queue_followers(q_conn *c, int64_t case_id, int64_t event_id,
                                   int64_t now) STORE_WUR;

/* In SQL, where a case's updates go (cases.notify_channel/notify_address: a case
 * that came over a chat channel, or a walk-in or phone case whose reporter
 * agreed): the endpoint of the conversation there, else the agency's active
 * endpoint on that channel (channel_endpoints), else, for a channel that
 * keeps no endpoints there (the mobile one), the agency's first number. */
#define DOM_NOTIFY_TARGET                                                                          \
    "SELECT c.agency_id AS agency_id, c.notify_channel AS channel, COALESCE(w.endpoint,"           \
    " (SELECT MIN(e.endpoint) FROM channel_endpoints e WHERE e.agency_id = c.agency_id"            \
    " AND e.channel = c.notify_channel AND e.active),"                                             \
    " (SELECT MIN(n.phone_number_id) FROM agency_numbers n WHERE n.agency_id = c.agency_id"        \
    " AND NOT EXISTS (SELECT 1 FROM channel_endpoints e WHERE e.channel = c.notify_channel)))"     \
    " AS pnid, c.notify_address AS address, c.id AS case_id, w.last_inbound_at AS last_in"         \
    " FROM cases c LEFT JOIN conversations w ON w.agency_id = c.agency_id"                         \
    " AND w.channel = c.notify_channel AND w.address = c.notify_address"                           \
    " WHERE c.id = $1 AND c.notify_channel IS NOT NULL AND c.notify_address IS NOT NULL"

/* An attachment's columns and their reader, for a store_attachment
 * (DOM_ATTACHMENT_F(store_attachment, )) or a struct holding one as member
 * a (DOM_ATTACHMENT_F(store_svc_file, a.)): cases.c and svc.c. */
#define DOM_ATTACHMENT_COLS                                                                        \
    "id, case_id, sha256, mime, filename, source, state, size_bytes, created_at"
#define DOM_ATTACHMENT_F(T, m)                                                                     \
    QF(INT64, T, m id), QF(INT64, T, m case_id), QF(TEXT, T, m sha256), QF(TEXT, T, m mime),       \
        QF(TEXT, T, m filename), QF(TEXT, T, m source), QF(TEXT, T, m state),                      \
        QF(INT64, T, m size_bytes), QF(INT64, T, m created_at)

/* A case's event (dispatch.c writes every one). */
typedef struct {
    int64_t case_id;
    const char *action;
    const char *from, *to;   /* NULL: the case's status now ("create" has no from) */
    int64_t actor_id;        /* 0: none */
    const char *note;        /* internal, staff only */
    const char *public_note; /* told to the reporter */
    int64_t team_id;         /* 0: none, or the case's own with case_team */
    bool case_team;
    int64_t target_agency_id; /* forward: the other agency (0: none) */
    bool is_public;
    int64_t now;
} dom_event;
/* Appends ev as the case's next event (the caller holds the case: its row
 * lock, or SQLite's write lock); its id in *event_id (may be NULL).
 * ERR_NOT_FOUND: no case. */
err_t dom_event_add(q_conn *c, const dom_event *ev, int64_t *event_id) STORE_WUR;
/* The same for an event that keeps the status: from (NULL: the same) to
 * the case's status now, actor 0: none, with_team: the case's team. */
err_t dom_add_event(q_conn *c, int64_t case_id, const char *action, const char *from, int64_t actor,
                    const char *note, bool with_team, bool is_public, int64_t now,
                    int64_t *event_id) STORE_WUR;

/* Queues a webhook delivery of the case's change to each of its agency's
 * active subscribers that asked for one of types (",case.created,...,",
 * the event's types; empty or NULL: nothing); event_id 0: none
 * (webhooks.c). */
err_t dom_webhook_queue(q_conn *c, int64_t case_id, int64_t event_id, const char *types,
                        int64_t now) STORE_WUR;

/* Gives up on a queued job for good, as a q_tx callback (ctx: a
 * dom_give_up). fail is a static "UPDATE ... RETURNING case_id" binding
 * the job's id ($1), the error ($2) and now ($3); when it returns a case,
 * the case (locked) gets an event action with the error as its note, so
 * the desk sees what did not happen. A job that is gone or finished (no
 * row) is no error. The outbox's and the new-case rules' (dispatch.c). */
typedef struct {
    const char *fail;
    int64_t id;
    const char *error, *action;
    int64_t now;
} dom_give_up;
err_t dom_give_up_tx(q_conn *c, void *ctx) STORE_WUR;

/* Appends a live event (live.c) of kind for the case (its agency): what
 * the dashboards' event streams tell (GET /api/v1/events). "created" on
 * an emergency case is written "emergency". */
err_t dom_live_event(q_conn *c, int64_t case_id, const char *kind, int64_t now) STORE_WUR;

/* The reporter withdraws case_id (withdraw.c, issue 16): closed from
 * expect_status with a public "withdraw" event carrying reason as its
 * internal note. ERR_CONFLICT when the case is no longer in expect_status. */
err_t dom_case_withdraw(q_conn *c, int64_t case_id, const char *expect_status, const char *reason,
                        int64_t now, int64_t *event_id) STORE_WUR;

#endif
